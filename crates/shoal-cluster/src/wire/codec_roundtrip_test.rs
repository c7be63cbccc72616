//! Property tests: arbitrary messages survive encode then decode; arbitrary
//! bytes, truncated or bit-flipped packets never make the codec panic; and
//! a byte stream split anywhere yields the same frames.

use proptest::collection::vec;
use proptest::prelude::*;
use shoal_types::{Epoch, NodeId, NODE_ID_LEN};

use super::*;

fn raw_name() -> impl Strategy<Value = NodeId> {
    vec(any::<u8>(), NODE_ID_LEN).prop_map(|v| {
        let mut raw = [0u8; NODE_ID_LEN];
        raw.copy_from_slice(&v);
        NodeId::from_raw(raw)
    })
}

fn non_null_name() -> impl Strategy<Value = NodeId> {
    raw_name().prop_filter("the null name means no primary", |id| !id.is_null())
}

fn ip() -> impl Strategy<Value = IpString> {
    vec(1u8..=255, 0..=45).prop_map(|v| IpString::new(&v).expect("no NUL, at most 45 bytes"))
}

fn slots() -> impl Strategy<Value = SlotBitmap> {
    prop_oneof![
        Just(SlotBitmap::new()),
        vec(any::<u8>(), SLOT_BITMAP_LEN).prop_map(|v| {
            let mut raw = [0u8; SLOT_BITMAP_LEN];
            raw.copy_from_slice(&v);
            SlotBitmap::from_bytes(raw)
        }),
    ]
}

fn header() -> impl Strategy<Value = Header> {
    (
        (raw_name(), any::<u64>(), any::<u64>(), any::<u64>(), ip()),
        (
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<u16>(),
            any::<bool>(),
            any::<u8>(),
        ),
        (slots(), proptest::option::of(non_null_name())),
    )
        .prop_map(
            |(
                (sender, current, config, offset, myip),
                (port, cport, pport, flags, fail, mflags),
                (slots, replica_of),
            )| Header {
                sender,
                current_epoch: Epoch(current),
                config_epoch: Epoch(config),
                repl_offset: offset,
                myip,
                port,
                cport,
                pport,
                flags: NodeFlags::from_bits(flags),
                state: if fail {
                    ClusterState::Fail
                } else {
                    ClusterState::Ok
                },
                // The extension-data bit is the codec's, not the caller's.
                mflags: MessageFlags::from_bits(mflags & !MessageFlags::EXT_DATA.bits()),
                slots,
                replica_of,
            },
        )
}

fn gossip_entry() -> impl Strategy<Value = GossipEntry> {
    (
        raw_name(),
        any::<u32>(),
        any::<u32>(),
        ip(),
        any::<[u16; 4]>(),
    )
        .prop_map(
            |(node, ping_sent_secs, pong_received_secs, ip, [port, cport, flags, pport])| {
                GossipEntry {
                    node,
                    ping_sent_secs,
                    pong_received_secs,
                    ip,
                    port,
                    cport,
                    flags: NodeFlags::from_bits(flags),
                    pport,
                }
            },
        )
}

fn ping_ext() -> impl Strategy<Value = PingExt> {
    let text = || vec(1u8..=255, 0..300);
    prop_oneof![
        text().prop_map(PingExt::Hostname),
        text().prop_map(PingExt::HumanNodename),
        (raw_name(), any::<u64>())
            .prop_map(|(node, ttl_secs)| PingExt::ForgottenNode { node, ttl_secs }),
        raw_name().prop_map(|id| PingExt::ShardId(ShardId(*id.as_bytes()))),
        // Types 0-3 have typed variants; Unknown data comes in 8-byte steps.
        (4u16..=u16::MAX, 0usize..6).prop_flat_map(|(ext_type, words)| {
            vec(any::<u8>(), words * 8).prop_map(move |data| PingExt::Unknown { ext_type, data })
        }),
    ]
}

fn gossip_parts() -> impl Strategy<Value = (Vec<GossipEntry>, Vec<PingExt>)> {
    (vec(gossip_entry(), 0..5), vec(ping_ext(), 0..4))
}

fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..max)
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        gossip_parts().prop_map(|(gossip, extensions)| Body::Ping { gossip, extensions }),
        gossip_parts().prop_map(|(gossip, extensions)| Body::Pong { gossip, extensions }),
        gossip_parts().prop_map(|(gossip, extensions)| Body::Meet { gossip, extensions }),
        raw_name().prop_map(|node| Body::Fail { node }),
        (bytes(64), bytes(200)).prop_map(|(channel, message)| Body::Publish { channel, message }),
        (bytes(64), bytes(200))
            .prop_map(|(channel, message)| Body::PublishShard { channel, message }),
        Just(Body::FailoverAuthRequest),
        Just(Body::FailoverAuthAck),
        Just(Body::MfStart),
        (any::<u64>(), raw_name(), slots()).prop_map(|(epoch, node, slots)| Body::Update {
            config_epoch: Epoch(epoch),
            node,
            slots,
        }),
        (any::<u64>(), any::<u8>(), bytes(200)).prop_map(|(module_id, module_type, payload)| {
            Body::Module {
                module_id,
                module_type,
                payload,
            }
        }),
        (11u16..0x8000, bytes(200)).prop_map(|(type_code, data)| Body::Unknown { type_code, data }),
    ]
}

fn message() -> impl Strategy<Value = BusMessage> {
    (header(), body()).prop_map(|(header, body)| BusMessage { header, body })
}

fn encoded(msg: &BusMessage) -> Vec<u8> {
    let mut out = Vec::new();
    encode(msg, &mut out);
    out
}

/// Runs every entry point on `input`; only a panic can fail this.
fn exercise(input: &[u8]) {
    let _ = frame_len(input);
    let _ = next_frame(input);
    if let Ok(msg) = decode(input) {
        // Whatever decodes must survive its own round trip.
        assert_eq!(decode(&encoded(&msg)).as_ref(), Ok(&msg));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encode_then_decode_gives_back_the_message(msg in message()) {
        let bytes = encoded(&msg);
        prop_assert_eq!(bytes.len(), encoded_len(&msg));
        prop_assert_eq!(frame_len(&bytes), Ok(Some(bytes.len())));
        prop_assert_eq!(decode(&bytes), Ok(msg));
    }

    #[test]
    fn encode_appends_without_touching_earlier_bytes(msg in message(), prefix in bytes(16)) {
        let mut out = prefix.clone();
        encode(&msg, &mut out);
        prop_assert_eq!(&out[..prefix.len()], &prefix[..]);
        prop_assert_eq!(&out[prefix.len()..], &encoded(&msg)[..]);
    }

    #[test]
    fn arbitrary_bytes_never_panic(input in bytes(3000)) {
        exercise(&input);
    }

    #[test]
    fn arbitrary_bytes_behind_a_valid_prefix_never_panic(
        type_code in prop_oneof![0u16..12, any::<u16>()],
        count in prop_oneof![0u16..4, any::<u16>()],
        extensions in prop_oneof![0u16..4, any::<u16>()],
        mflags in any::<u8>(),
        body in bytes(600),
    ) {
        // Random bytes rarely get past the signature; this reaches the
        // body parsers with every type, count and flag combination.
        let mut packet = encoded(&BusMessage {
            header: Header::new(NodeId::from_random([1; 20])),
            body: Body::MfStart,
        });
        packet.extend_from_slice(&body);
        let len = packet.len() as u32;
        packet[4..8].copy_from_slice(&len.to_be_bytes());
        packet[12..14].copy_from_slice(&type_code.to_be_bytes());
        packet[14..16].copy_from_slice(&count.to_be_bytes());
        packet[2214..2216].copy_from_slice(&extensions.to_be_bytes());
        packet[2253] = mflags;
        exercise(&packet);
    }

    #[test]
    fn truncated_packets_never_panic(msg in message(), cut in any::<prop::sample::Index>()) {
        let bytes = encoded(&msg);
        let cut = cut.index(bytes.len());
        exercise(&bytes[..cut]);
        // A peer that lies about the length: prefix says `cut` bytes.
        let mut lying = bytes[..cut].to_vec();
        if lying.len() >= 8 {
            let len = lying.len() as u32;
            lying[4..8].copy_from_slice(&len.to_be_bytes());
            exercise(&lying);
        }
    }

    #[test]
    fn bit_flips_never_panic(
        msg in message(),
        flips in vec((any::<prop::sample::Index>(), 0u8..8), 1..4),
    ) {
        let mut bytes = encoded(&msg);
        for (at, bit) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= 1 << bit;
        }
        exercise(&bytes);
    }

    #[test]
    fn a_stream_split_anywhere_yields_the_same_frames(
        msgs in vec(message(), 1..4),
        chunk in 1usize..3000,
    ) {
        let stream: Vec<u8> = msgs.iter().flat_map(encoded).collect();
        let mut buf = Vec::new();
        let mut got = Vec::new();
        for piece in stream.chunks(chunk) {
            buf.extend_from_slice(piece);
            while let Some(frame) = next_frame(&buf).expect("valid stream") {
                let len = frame.len();
                got.push(decode(frame).expect("valid frame"));
                buf.drain(..len);
            }
        }
        prop_assert!(buf.is_empty());
        prop_assert_eq!(got, msgs);
    }
}
