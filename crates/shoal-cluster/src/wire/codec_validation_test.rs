//! One test per receiver validation rule (spec 2.13), plus the framing
//! helpers. The byte patches mirror the raw messages that were sent to a
//! live 7.0.15 node to confirm each rule.

use shoal_types::NodeId;

use super::*;

const OFF_TOTLEN: usize = 4;
const OFF_VERSION: usize = 8;
const OFF_TYPE: usize = 12;
const OFF_COUNT: usize = 14;
const OFF_EXTENSIONS: usize = 2214;
const OFF_MFLAGS: usize = 2253;

fn bytes_of(body: Body) -> Vec<u8> {
    let mut header = Header::new(NodeId::from_random([0x11; 20]));
    header.port = 7000;
    header.cport = 17000;
    header.flags = NodeFlags::PRIMARY | NodeFlags::MYSELF;
    let mut out = Vec::new();
    encode(&BusMessage { header, body }, &mut out);
    out
}

fn empty_ping() -> Vec<u8> {
    bytes_of(Body::Ping {
        gossip: vec![],
        extensions: vec![],
    })
}

fn set_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_be_bytes());
}

fn set_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// Appends `extra` and fixes the length prefix, as a peer would.
fn append(mut b: Vec<u8>, extra: &[u8]) -> Vec<u8> {
    b.extend_from_slice(extra);
    let len = b.len() as u32;
    set_u32(&mut b, OFF_TOTLEN, len);
    b
}

fn entry(name_byte: u8) -> GossipEntry {
    GossipEntry {
        node: NodeId::from_random([name_byte; 20]),
        ping_sent_secs: 0,
        pong_received_secs: 1,
        ip: IpString::try_from("127.0.0.1").expect("short text"),
        port: 7001,
        cport: 17001,
        flags: NodeFlags::PRIMARY,
        pport: 0,
    }
}

// ---- framing: the only errors that close the link ----

#[test]
fn bad_signature_closes_the_link() {
    let mut b = empty_ping();
    b[0] = b'X';
    let err = frame_len(&b).expect_err("bad signature");
    assert_eq!(err, WireError::BadSignature { found: *b"XCmb" });
    assert!(err.closes_link());
    assert_eq!(decode(&b), Err(err));
}

#[test]
fn length_below_the_header_closes_the_link() {
    let mut b = empty_ping();
    set_u32(&mut b, OFF_TOTLEN, 2255);
    let err = frame_len(&b).expect_err("short totlen");
    assert_eq!(err, WireError::FrameTooShort { totlen: 2255 });
    assert!(err.closes_link());
    // A message that is nothing but the 8-byte prefix is just as short.
    assert_eq!(
        frame_len(b"RCmb\0\0\0\x08"),
        Err(WireError::FrameTooShort { totlen: 8 })
    );
}

#[test]
fn length_above_the_limit_closes_the_link_before_buffering() {
    let prefix = [b'R', b'C', b'm', b'b', 0xff, 0xff, 0xff, 0xff];
    let err = frame_len(&prefix).expect_err("4 GiB frame");
    assert_eq!(
        err,
        WireError::FrameTooLong {
            totlen: u32::MAX,
            max: MAX_FRAME_LEN
        }
    );
    assert!(err.closes_link());
    assert_eq!(
        frame_len_with_max(&prefix, usize::MAX),
        Ok(Some(u32::MAX as usize))
    );
    assert_eq!(frame_len_with_max(&empty_ping(), 2256), Ok(Some(2256)));
    assert!(frame_len_with_max(&empty_ping(), 2255).is_err());
}

#[test]
fn frame_len_waits_for_the_prefix_and_next_frame_for_the_whole_frame() {
    let b = empty_ping();
    for n in 0..8 {
        assert_eq!(frame_len(&b[..n]), Ok(None), "{n} bytes");
    }
    assert_eq!(frame_len(&b[..8]), Ok(Some(2256)));
    assert_eq!(next_frame(&b[..2255]), Ok(None));
    let mut two = b.clone();
    two.extend_from_slice(&b);
    assert_eq!(next_frame(&two), Ok(Some(&b[..])));
    // Even a bad signature needs all four bytes to be seen.
    assert_eq!(frame_len(b"XY"), Ok(None));
}

#[test]
fn decode_refuses_a_slice_that_is_not_exactly_one_frame() {
    let b = empty_ping();
    let err = decode(&b[..2000]).expect_err("truncated");
    assert_eq!(
        err,
        WireError::FrameSizeMismatch {
            totlen: 2256,
            len: 2000
        }
    );
    assert!(err.closes_link());
    let mut long = b.clone();
    long.push(0);
    assert_eq!(
        decode(&long),
        Err(WireError::FrameSizeMismatch {
            totlen: 2256,
            len: 2257
        })
    );
    assert_eq!(
        decode(b"RCm"),
        Err(WireError::FrameSizeMismatch { totlen: 0, len: 3 })
    );
}

// ---- rules that drop the message and keep the link ----

#[test]
fn other_versions_are_ignored() {
    for version in [0, 2] {
        let mut b = empty_ping();
        set_u16(&mut b, OFF_VERSION, version);
        let err = decode(&b).expect_err("wrong version");
        assert_eq!(err, WireError::UnsupportedVersion { version });
        assert!(!err.closes_link());
    }
}

#[test]
fn gossip_count_beyond_the_packet_is_ignored() {
    let mut b = empty_ping();
    set_u16(&mut b, OFF_COUNT, 1);
    assert_eq!(
        decode(&b),
        Err(WireError::GossipOverflow {
            count: 1,
            totlen: 2256
        })
    );
    // The largest count cannot make us read or allocate anything.
    set_u16(&mut b, OFF_COUNT, u16::MAX);
    assert!(matches!(decode(&b), Err(WireError::GossipOverflow { .. })));
}

#[test]
fn gossip_count_below_the_entries_sent_is_a_wrong_length() {
    let b = bytes_of(Body::Pong {
        gossip: vec![entry(1), entry(2)],
        extensions: vec![],
    });
    let mut fewer = b.clone();
    set_u16(&mut fewer, OFF_COUNT, 1);
    assert_eq!(
        decode(&fewer),
        Err(WireError::WrongLength {
            type_code: 1,
            totlen: 2464,
            expected: 2360
        })
    );
    assert!(decode(&b).is_ok());
}

#[test]
fn trailing_bytes_are_a_wrong_length() {
    let b = append(empty_ping(), &[0; 8]);
    let err = decode(&b).expect_err("8 trailing bytes");
    assert_eq!(
        err,
        WireError::WrongLength {
            type_code: 0,
            totlen: 2264,
            expected: 2256
        }
    );
    assert!(!err.closes_link());
}

#[test]
fn extension_length_not_a_multiple_of_eight_is_ignored() {
    let mut b = append(empty_ping(), &[0, 0, 0, 12, 0, 0, 0, 0, b'a', b'b', 0, 0]);
    set_u16(&mut b, OFF_EXTENSIONS, 1);
    b[OFF_MFLAGS] |= MessageFlags::EXT_DATA.bits();
    assert_eq!(
        decode(&b),
        Err(WireError::BadExtensionLength { length: 12 })
    );
}

#[test]
fn extension_length_zero_is_ignored() {
    let mut b = append(empty_ping(), &[0; 8]);
    set_u16(&mut b, OFF_EXTENSIONS, 1);
    b[OFF_MFLAGS] |= MessageFlags::EXT_DATA.bits();
    assert_eq!(decode(&b), Err(WireError::BadExtensionLength { length: 0 }));
}

#[test]
fn extension_past_the_end_is_ignored() {
    let mut b = append(
        empty_ping(),
        &[0, 0, 0, 24, 0, 0, 0, 0, b'h', 0, 0, 0, 0, 0, 0, 0],
    );
    set_u16(&mut b, OFF_EXTENSIONS, 1);
    b[OFF_MFLAGS] |= MessageFlags::EXT_DATA.bits();
    assert_eq!(
        decode(&b),
        Err(WireError::ExtensionOverflow { totlen: 2272 })
    );
    // More extensions announced than present: the next header is missing.
    let mut more = bytes_of(Body::Ping {
        gossip: vec![],
        extensions: vec![PingExt::Hostname(b"h".to_vec())],
    });
    set_u16(&mut more, OFF_EXTENSIONS, 2);
    assert_eq!(
        decode(&more),
        Err(WireError::ExtensionOverflow { totlen: 2272 })
    );
}

#[test]
fn extension_bytes_without_the_flag_are_a_wrong_length() {
    let mut b = bytes_of(Body::Meet {
        gossip: vec![],
        extensions: vec![PingExt::Hostname(b"h".to_vec())],
    });
    b[OFF_MFLAGS] &= !MessageFlags::EXT_DATA.bits();
    set_u16(&mut b, OFF_EXTENSIONS, 0);
    assert_eq!(
        decode(&b),
        Err(WireError::WrongLength {
            type_code: 2,
            totlen: 2272,
            expected: 2256
        })
    );
}

#[test]
fn extension_count_without_the_flag_is_ignored() {
    // Upstream 7.0 would walk this extension although it is not counted in
    // the length: we refuse instead.
    let mut b = empty_ping();
    set_u16(&mut b, OFF_EXTENSIONS, 1);
    assert_eq!(
        decode(&b),
        Err(WireError::ExtensionsWithoutFlag { extensions: 1 })
    );
}

#[test]
fn flag_without_extensions_is_accepted() {
    let mut b = empty_ping();
    b[OFF_MFLAGS] |= MessageFlags::EXT_DATA.bits();
    let msg = decode(&b).expect("EXT_DATA with zero extensions is valid");
    assert_eq!(
        msg.body,
        Body::Ping {
            gossip: vec![],
            extensions: vec![]
        }
    );
}

#[test]
fn unknown_extension_types_are_skipped_not_refused() {
    let mut b = append(
        empty_ping(),
        &[0, 0, 0, 16, 0, 77, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    set_u16(&mut b, OFF_EXTENSIONS, 1);
    b[OFF_MFLAGS] |= MessageFlags::EXT_DATA.bits();
    let msg = decode(&b).expect("unknown extension types are legal");
    assert_eq!(
        msg.body,
        Body::Ping {
            gossip: vec![],
            extensions: vec![PingExt::Unknown {
                ext_type: 77,
                data: vec![1, 2, 3, 4, 5, 6, 7, 8]
            }],
        }
    );
    assert_eq!(msg.body.hostname(), None);
}

#[test]
fn unknown_types_are_accepted_at_any_length() {
    let mut b = append(empty_ping(), b"whatever");
    set_u16(&mut b, OFF_TYPE, 99);
    let msg = decode(&b).expect("unknown types pass validation");
    assert_eq!(
        msg.body,
        Body::Unknown {
            type_code: 99,
            data: b"whatever".to_vec()
        }
    );
    assert_eq!(msg.body.message_type(), None);
    // The header is still decoded: Redis applies its epochs.
    assert_eq!(msg.header.port, 7000);
    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert_eq!(out, b);
}

#[test]
fn light_headers_are_ignored() {
    let mut b = empty_ping();
    set_u16(&mut b, OFF_TYPE, 0x8004);
    let err = decode(&b).expect_err("light header");
    assert_eq!(err, WireError::LightHeader { type_code: 0x8004 });
    assert!(!err.closes_link());
}

#[test]
fn fail_of_header_length_is_a_wrong_length() {
    let mut b = empty_ping();
    set_u16(&mut b, OFF_TYPE, 3);
    assert_eq!(
        decode(&b),
        Err(WireError::WrongLength {
            type_code: 3,
            totlen: 2256,
            expected: 2296
        })
    );
}

#[test]
fn short_update_is_a_wrong_length() {
    let b = bytes_of(Body::Update {
        config_epoch: shoal_types::Epoch(1),
        node: NodeId::from_random([2; 20]),
        slots: SlotBitmap::new(),
    });
    let mut short = b[..4000].to_vec();
    set_u32(&mut short, OFF_TOTLEN, 4000);
    assert_eq!(
        decode(&short),
        Err(WireError::WrongLength {
            type_code: 7,
            totlen: 4000,
            expected: 4352
        })
    );
}

#[test]
fn header_only_types_refuse_a_body() {
    for type_code in [5, 6, 8] {
        let mut b = append(empty_ping(), &[0; 8]);
        set_u16(&mut b, OFF_TYPE, type_code);
        assert_eq!(
            decode(&b),
            Err(WireError::WrongLength {
                type_code,
                totlen: 2264,
                expected: 2256
            }),
            "type {type_code}"
        );
    }
}

#[test]
fn publish_lengths_must_add_up_exactly() {
    let b = bytes_of(Body::Publish {
        channel: b"chan".to_vec(),
        message: b"hello".to_vec(),
    });
    assert_eq!(b.len(), 2273);
    let mut more = append(b.clone(), b"!");
    assert_eq!(
        decode(&more),
        Err(WireError::WrongLength {
            type_code: 4,
            totlen: 2274,
            expected: 2273
        })
    );
    // Lengths chosen so that their 32-bit sum wraps to the real body size:
    // upstream's check would pass and it would read far past the packet.
    set_u32(&mut more, 2256, 0xffff_fffc);
    set_u32(&mut more, 2260, 0x0000_000e);
    assert_eq!(
        decode(&more),
        Err(WireError::WrongLength {
            type_code: 4,
            totlen: 2274,
            expected: 2264 + 0xffff_fffc + 0xe,
        })
    );
}

#[test]
fn publish_too_short_for_its_lengths_is_a_wrong_length() {
    let mut b = append(empty_ping(), &[0, 0, 0, 0]);
    set_u16(&mut b, OFF_TYPE, 10);
    assert_eq!(
        decode(&b),
        Err(WireError::WrongLength {
            type_code: 10,
            totlen: 2260,
            expected: 2264
        })
    );
}

#[test]
fn module_length_must_match() {
    let b = bytes_of(Body::Module {
        module_id: 42,
        module_type: 7,
        payload: b"xyz".to_vec(),
    });
    assert_eq!(b.len(), 2272);
    // Module id in little-endian host order, length big-endian.
    assert_eq!(&b[2256..2264], &42u64.to_le_bytes());
    assert_eq!(&b[2264..2269], &[0, 0, 0, 3, 7]);
    let trailing = append(b, &[0]);
    assert_eq!(
        decode(&trailing),
        Err(WireError::WrongLength {
            type_code: 9,
            totlen: 2273,
            expected: 2272
        })
    );
    let mut short = append(empty_ping(), &[0; 12]);
    set_u16(&mut short, OFF_TYPE, 9);
    assert_eq!(
        decode(&short),
        Err(WireError::WrongLength {
            type_code: 9,
            totlen: 2268,
            expected: 2269
        })
    );
}

#[test]
fn reserved_bytes_and_high_mflags_are_ignored() {
    let mut b = empty_ping();
    b[2216..2246].fill(0xee);
    b[OFF_MFLAGS + 1] = 0xff;
    b[OFF_MFLAGS + 2] = 0xff;
    let msg = decode(&b).expect("reserved bytes are not checked");
    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert_eq!(out, empty_ping(), "re-encoding zeroes the reserved bytes");
}

#[test]
fn null_slaveof_means_primary_and_a_name_means_replica() {
    let mut header = Header::new(NodeId::from_random([3; 20]));
    header.replica_of = Some(NodeId::from_random([4; 20]));
    let msg = BusMessage {
        header,
        body: Body::MfStart,
    };
    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert_eq!(&out[2128..2168], NodeId::from_random([4; 20]).as_bytes());
    assert_eq!(
        decode(&out).expect("valid").header.replica_of,
        msg.header.replica_of
    );
    out[2128..2168].fill(0);
    assert_eq!(decode(&out).expect("valid").header.replica_of, None);
}
