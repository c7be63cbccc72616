//! Fuzzes the RESP3 frame decoder and encoder.
//!
//! Beyond "no panic, no stack overflow, no huge allocation": a decoded
//! frame re-encodes to bytes that decode to the same frame, its RESP2
//! form decodes too, and cutting the frame's bytes short reports
//! "incomplete" rather than an error or a different frame.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shoal_resp::frame::{decode, encode, encode_as};
use shoal_resp::Protocol;

fuzz_target!(|data: &[u8]| {
    let Ok(Some((frame, used))) = decode(data) else {
        return;
    };
    assert!(used > 0 && used <= data.len());
    for cut in [used / 2, used - 1] {
        assert_eq!(decode(&data[..cut]), Ok(None));
    }

    let mut again = Vec::new();
    encode(&frame, &mut again);
    assert_eq!(decode(&again), Ok(Some((frame.clone(), again.len()))));

    let mut resp2 = Vec::new();
    encode_as(&frame, Protocol::Resp2, &mut resp2);
    let (_, used2) = decode(&resp2)
        .expect("RESP2 form decodes")
        .expect("RESP2 form is whole");
    assert_eq!(used2, resp2.len());
});
