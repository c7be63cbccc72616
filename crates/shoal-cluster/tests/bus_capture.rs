//! Frames captured from a live redis-server 7.0.15 cluster (four nodes,
//! a manual and an automatic failover; see `data/bus/capture_bus.py`): every
//! frame must frame, decode with the facts the capture script recorded about
//! its sender, and re-encode to exactly the captured bytes.

use shoal_cluster::wire::{
    decode, encode, next_frame, Body, BusMessage, MessageFlags, MessageType, NodeFlags,
};

const STREAM: &[u8] = include_bytes!("data/bus/bus_stream.bin");
const INDEX: &str = include_str!("data/bus/bus_vectors.txt");

/// One line of `bus_vectors.txt`.
struct Vector {
    offset: usize,
    len: usize,
    type_name: String,
    sender: String,
    port: u16,
    cport: u16,
    hostname: Option<String>,
}

fn vectors() -> Vec<Vector> {
    INDEX
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(f.len(), 7, "bad index line {line:?}");
            Vector {
                offset: f[0].parse().expect("offset"),
                len: f[1].parse().expect("length"),
                type_name: f[2].to_string(),
                sender: f[3].to_string(),
                port: f[4].parse().expect("port"),
                cport: f[5].parse().expect("cport"),
                hostname: (f[6] != "-").then(|| f[6].to_string()),
            }
        })
        .collect()
}

fn decoded() -> Vec<(Vector, BusMessage)> {
    vectors()
        .into_iter()
        .map(|v| {
            let frame = &STREAM[v.offset..v.offset + v.len];
            let msg = decode(frame).unwrap_or_else(|e| panic!("frame at {}: {e}", v.offset));
            (v, msg)
        })
        .collect()
}

#[test]
fn the_stream_frames_into_the_indexed_frames() {
    let mut rest = STREAM;
    let mut offsets = Vec::new();
    while !rest.is_empty() {
        let frame = next_frame(rest)
            .expect("captured traffic frames cleanly")
            .expect("the stream holds whole frames only");
        offsets.push((STREAM.len() - rest.len(), frame.len()));
        rest = &rest[frame.len()..];
    }
    let indexed: Vec<(usize, usize)> = vectors().iter().map(|v| (v.offset, v.len)).collect();
    assert_eq!(offsets, indexed);
}

#[test]
fn every_captured_frame_decodes_with_its_senders_facts() {
    for (v, msg) in decoded() {
        let what = format!("{} at {}", v.type_name, v.offset);
        let kind = msg.body.message_type().expect("7.0 sends known types only");
        assert_eq!(kind.stats_name(), v.type_name, "{what}");
        assert_eq!(msg.header.sender.as_str(), v.sender, "{what}");
        assert_eq!(
            (msg.header.port, msg.header.cport),
            (v.port, v.cport),
            "{what}"
        );
        assert!(msg.header.flags.contains(NodeFlags::MYSELF), "{what}");
        assert!(
            msg.header.myip.is_empty(),
            "{what}: nodes did not announce an IP"
        );
        if let Some((gossip, _)) = msg.body.gossip_and_extensions() {
            let hostname = msg
                .body
                .hostname()
                .map(|h| String::from_utf8_lossy(h).into_owned());
            assert_eq!(hostname, v.hostname, "{what}");
            for entry in gossip {
                assert_eq!(entry.ip.as_str(), Some("127.0.0.1"), "{what}");
                assert!(!entry
                    .flags
                    .intersects(NodeFlags::MYSELF | NodeFlags::HANDSHAKE));
            }
        }
        // The role comes from `slaveof`, and agrees with the flags.
        assert_eq!(
            msg.header.replica_of.is_some(),
            msg.header.flags.contains(NodeFlags::REPLICA),
            "{what}"
        );
    }
}

#[test]
fn every_captured_frame_reencodes_to_the_same_bytes() {
    for (v, msg) in decoded() {
        let mut out = Vec::new();
        encode(&msg, &mut out);
        let frame = &STREAM[v.offset..v.offset + v.len];
        if let Some(i) = out.iter().zip(frame).position(|(a, b)| a != b) {
            panic!(
                "{} at {}: first difference at byte {i}",
                v.type_name, v.offset
            );
        }
        assert_eq!(out.len(), frame.len(), "{} at {}", v.type_name, v.offset);
    }
}

#[test]
fn captured_bodies_carry_what_the_script_did() {
    let all = decoded();
    let ids: Vec<&str> = all.iter().map(|(v, _)| v.sender.as_str()).collect();
    let mut seen = Vec::new();
    for (_, msg) in &all {
        seen.push(msg.body.message_type());
        let h = &msg.header;
        match &msg.body {
            Body::Publish { channel, message } => {
                assert_eq!((&channel[..], &message[..]), (&b"chan"[..], &b"hello"[..]));
            }
            Body::PublishShard { message, .. } => assert_eq!(message, b"shard-hello"),
            Body::Fail { node } => {
                assert!(ids.contains(&node.as_str()), "FAIL names a cluster node")
            }
            Body::Update { node, slots, .. } => {
                assert!(ids.contains(&node.as_str()));
                assert_eq!(slots.len(), 5461, "the failed-over primary owned 0-5460");
            }
            Body::MfStart => assert!(h.replica_of.is_some(), "MFSTART comes from a replica"),
            Body::FailoverAuthRequest => {
                assert!(h.replica_of.is_some(), "elections are run by replicas");
                assert_eq!(h.slots.len(), 5461, "with the failing primary's slots");
            }
            Body::FailoverAuthAck => {
                assert!(
                    h.replica_of.is_none() && !h.slots.is_empty(),
                    "voters own slots"
                );
            }
            _ => {}
        }
    }
    for kind in MessageType::ALL {
        if kind != MessageType::Module {
            assert!(seen.contains(&Some(kind)), "no {kind:?} in the capture");
        }
    }
    // The manual failover's flags: FORCEACK on a vote request, PAUSED from
    // the primary being taken over.
    assert!(all
        .iter()
        .any(|(_, m)| matches!(m.body, Body::FailoverAuthRequest)
            && m.header.mflags.contains(MessageFlags::FORCEACK)));
    assert!(all
        .iter()
        .any(|(_, m)| m.header.mflags.contains(MessageFlags::PAUSED)));
}
