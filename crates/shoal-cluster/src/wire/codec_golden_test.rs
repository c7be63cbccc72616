//! Golden bytes of spec section 2.15, captured from redis-server 7.0.15:
//! decode them, check the fields, and encode them back byte for byte.
//!
//! The bytes are rebuilt here from the spec's offset table, not produced by
//! our encoder, so an encoder bug cannot hide behind a matching decoder bug.

use shoal_types::{Epoch, NodeId, Slot};

use super::*;

/// The MEET a 7.0.15 primary on ports 7102/17102 sent, with
/// `cluster-announce-hostname host-7102.example` and slots 10923-16383.
fn captured_meet() -> Vec<u8> {
    let mut b = Vec::with_capacity(2288);
    // 0..15: signature, totlen 2288, version 1, port 7102, type 2 (MEET), count 0.
    b.extend_from_slice(&[
        0x52, 0x43, 0x6d, 0x62, 0x00, 0x00, 0x08, 0xf0, 0x00, 0x01, 0x1b, 0xbe, 0x00, 0x02, 0x00,
        0x00,
    ]);
    // 16..39: currentEpoch 3, configEpoch 3, replication offset 0.
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 3]);
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 3]);
    b.extend_from_slice(&[0; 8]);
    // 40..79: sender name.
    b.extend_from_slice(b"1840d5044cdd1ef786143b6d285e9c45be3960c3");
    // 80..2127: bitmap, slots 10923..16383.
    b.extend_from_slice(&[0; 1365]);
    b.push(0xf8);
    b.extend_from_slice(&[0xff; 2048 - 1366]);
    // 2128..2213: slaveof and myip, both zero.
    b.extend_from_slice(&[0; 40 + 46]);
    // 2214..2215: one extension; 2216..2245: reserved.
    b.extend_from_slice(&[0x00, 0x01]);
    b.extend_from_slice(&[0; 30]);
    // 2246..2255: pport 0, cport 17102, flags 0x11, state 1, mflags 04 00 00.
    b.extend_from_slice(&[0x00, 0x00, 0x42, 0xce, 0x00, 0x11, 0x01, 0x04, 0x00, 0x00]);
    // 2256..2287: hostname extension, length 32, type 0.
    b.extend_from_slice(&[0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00]);
    b.extend_from_slice(b"host-7102.example");
    b.extend_from_slice(&[0; 7]);
    assert_eq!(b.len(), 2288, "the table adds up to the captured totlen");
    b
}

#[test]
fn captured_meet_decodes_to_the_recorded_fields() {
    let bytes = captured_meet();
    assert_eq!(frame_len(&bytes), Ok(Some(2288)));
    let msg = decode(&bytes).expect("a real 7.0.15 MEET is valid");

    let h = &msg.header;
    assert_eq!(
        h.sender.as_str(),
        "1840d5044cdd1ef786143b6d285e9c45be3960c3"
    );
    assert_eq!(h.current_epoch, Epoch(3));
    assert_eq!(h.config_epoch, Epoch(3));
    assert_eq!(h.repl_offset, 0);
    assert_eq!((h.port, h.cport, h.pport), (7102, 17102, 0));
    assert_eq!(h.flags, NodeFlags::PRIMARY | NodeFlags::MYSELF);
    assert_eq!(h.state, ClusterState::Fail);
    // EXT_DATA was on the wire; it is implied by the extensions, not kept.
    assert_eq!(h.mflags, MessageFlags::empty());
    assert!(h.myip.is_empty());
    assert_eq!(h.replica_of, None);
    let slot = |n| Slot::new(n).expect("in range");
    assert_eq!(h.slots.ranges(), vec![(slot(10923), slot(16383))]);

    assert_eq!(
        msg.body,
        Body::Meet {
            gossip: vec![],
            extensions: vec![PingExt::Hostname(b"host-7102.example".to_vec())],
        }
    );
    assert_eq!(msg.body.hostname(), Some(&b"host-7102.example"[..]));
}

#[test]
fn captured_meet_reencodes_byte_for_byte() {
    let bytes = captured_meet();
    let msg = decode(&bytes).expect("a real 7.0.15 MEET is valid");
    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert_eq!(out.len(), bytes.len());
    if let Some(i) = out.iter().zip(&bytes).position(|(a, b)| a != b) {
        panic!(
            "first difference at offset {i}: {:#04x} vs {:#04x}",
            out[i], bytes[i]
        );
    }
    assert_eq!(encoded_len(&msg), bytes.len());
}

#[test]
fn hand_built_meet_encodes_to_the_captured_bytes() {
    // The same message built the way the state machine will build it.
    let mut header =
        Header::new(NodeId::parse(b"1840d5044cdd1ef786143b6d285e9c45be3960c3").expect("valid id"));
    header.current_epoch = Epoch(3);
    header.config_epoch = Epoch(3);
    header.port = 7102;
    header.cport = 17102;
    header.flags = NodeFlags::PRIMARY | NodeFlags::MYSELF;
    header.state = ClusterState::Fail;
    header.slots.insert_range(
        Slot::new(10923).expect("in range"),
        Slot::new(16383).expect("in range"),
    );
    let msg = BusMessage {
        header,
        body: Body::Meet {
            gossip: vec![],
            extensions: vec![PingExt::Hostname(b"host-7102.example".to_vec())],
        },
    };
    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert!(out == captured_meet(), "encoding differs from the capture");
}

/// The captured gossip entry (spec 2.15) inside a PING; the sender and the
/// described node's name were not recorded, so stand-ins are used.
#[test]
fn ping_with_the_captured_gossip_entry_round_trips() {
    let mut entry = Vec::new();
    entry.extend_from_slice(b"e1b2c3d4e5f60718293a4b5c6d7e8f9012345678");
    entry.extend_from_slice(&[0x6b, 0x06, 0x9c, 0xcc, 0x00, 0x00, 0x00, 0x00]);
    entry.extend_from_slice(&[0x31, 0x32, 0x37, 0x2e, 0x30, 0x2e, 0x30, 0x2e, 0x31]);
    entry.extend_from_slice(&[0; 37]);
    entry.extend_from_slice(&[0x1b, 0xc0, 0x42, 0xd0, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);

    let mut header = Header::new(NodeId::from_random([0x5a; 20]));
    header.port = 7100;
    header.cport = 17100;
    header.flags = NodeFlags::PRIMARY | NodeFlags::MYSELF;
    let mut bytes = Vec::new();
    encode(
        &BusMessage {
            header,
            body: Body::Ping {
                gossip: vec![],
                extensions: vec![],
            },
        },
        &mut bytes,
    );
    // Patch in one entry by hand: count = 1 and totlen = 2360.
    bytes[4..8].copy_from_slice(&2360u32.to_be_bytes());
    bytes[14..16].copy_from_slice(&1u16.to_be_bytes());
    bytes.extend_from_slice(&entry);

    let msg = decode(&bytes).expect("valid PING");
    let Body::Ping { gossip, extensions } = &msg.body else {
        panic!("decoded as {:?}", msg.body);
    };
    assert!(extensions.is_empty());
    assert_eq!(gossip.len(), 1);
    let g = &gossip[0];
    assert_eq!(g.ping_sent_secs, 1_795_595_468);
    assert_eq!(g.pong_received_secs, 0);
    assert_eq!(g.ip.as_str(), Some("127.0.0.1"));
    assert_eq!(
        (g.port, g.cport, g.flags, g.pport),
        (7104, 17104, NodeFlags::PRIMARY, 0)
    );

    let mut out = Vec::new();
    encode(&msg, &mut out);
    assert!(out == bytes, "re-encoding changed the bytes");
}

/// The sizes recorded in spec section 7: FAIL 2296, PUBLISH `chan`/`hello`
/// 2273, AUTH request/ack and MFSTART 2256, UPDATE 4352.
#[test]
fn captured_message_sizes() {
    let header = Header::new(NodeId::from_random([1; 20]));
    let size = |body: Body| {
        let msg = BusMessage {
            header: header.clone(),
            body,
        };
        let mut out = Vec::new();
        encode(&msg, &mut out);
        assert_eq!(decode(&out).as_ref(), Ok(&msg));
        out.len()
    };
    assert_eq!(
        size(Body::Fail {
            node: NodeId::from_random([2; 20])
        }),
        2296
    );
    assert_eq!(
        size(Body::Publish {
            channel: b"chan".to_vec(),
            message: b"hello".to_vec()
        }),
        2273
    );
    assert_eq!(size(Body::FailoverAuthRequest), 2256);
    assert_eq!(size(Body::FailoverAuthAck), 2256);
    assert_eq!(size(Body::MfStart), 2256);
    assert_eq!(
        size(Body::Update {
            config_epoch: Epoch(7),
            node: NodeId::from_random([3; 20]),
            slots: SlotBitmap::new(),
        }),
        4352
    );
    assert_eq!(
        size(Body::Module {
            module_id: 1,
            module_type: 2,
            payload: b"abc".to_vec()
        }),
        2272
    );
}
