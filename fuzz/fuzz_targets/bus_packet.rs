//! Fuzzes the cluster-bus codec (`shoal_cluster::wire`) the way a bus link
//! drives it: frame, then decode.
//!
//! Random bytes almost never start with a valid `RCmb` prefix, so the first
//! input byte picks a mode: odd bytes make the rest of the input the tail of
//! a frame whose signature, length and version are set right (reaching the
//! body parsers of every type); even bytes feed the input as it is.
//!
//! Checked beyond "no panic, no huge allocation":
//! - a frame `next_frame` returns never fails to decode with a "close the
//!   link" error (framing was already checked);
//! - whatever decodes re-encodes to bytes that decode to the same message,
//!   and re-encoding that is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoal_cluster::wire::{decode, encode, frame_len, next_frame, HEADER_LEN};

/// A frame with a valid prefix and version around `tail`, padded to the
/// header length so it always reaches the type-specific checks.
fn framed(tail: &[u8]) -> Vec<u8> {
    let mut packet = b"RCmb\0\0\0\0\0\x01".to_vec();
    packet.extend_from_slice(tail);
    if packet.len() < HEADER_LEN {
        packet.resize(HEADER_LEN, 0);
    }
    let len = u32::try_from(packet.len()).unwrap_or(u32::MAX);
    packet[4..8].copy_from_slice(&len.to_be_bytes());
    packet
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let input = if mode & 1 == 1 {
        framed(rest)
    } else {
        rest.to_vec()
    };

    let _ = frame_len(&input);
    if let Ok(Some(frame)) = next_frame(&input) {
        if let Err(e) = decode(frame) {
            assert!(!e.closes_link(), "framed input failed framing: {e}");
        }
    }

    let Ok(msg) = decode(&input) else {
        return;
    };
    let mut bytes = Vec::new();
    encode(&msg, &mut bytes);
    let again = decode(&bytes).expect("our own encoding decodes");
    assert_eq!(again, msg);
    let mut bytes2 = Vec::new();
    encode(&again, &mut bytes2);
    assert_eq!(bytes2, bytes, "re-encoding is stable");
});
