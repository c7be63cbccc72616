//! Unit tests of [`ClusterNode`]: feed inputs, assert the exact outputs.
//! Peers are played by hand-built [`BusMessage`]s that go through the real
//! encoder; what the node sends is decoded back.

use shoal_types::{Epoch, Millis, NodeId, Slot};

use crate::config::ClusterConfig;
use crate::input::Input;
use crate::links::LinkId;
use crate::node::ClusterNode;
use crate::output::{ClusterEvent, Output};
use crate::testing::EmptyKeyspace;
use crate::view::{ClusterView, Node, NodeFlags};
use crate::wire::{
    decode, encode, Body, BusMessage, GossipEntry, Header, IpString, MessageFlags, SlotBitmap,
};

const TIMEOUT: u64 = 1000;

fn id(c: char) -> NodeId {
    NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
}

fn ip_of(c: char) -> String {
    format!("10.0.1.{}", c as u8)
}

fn port_of(c: char) -> u16 {
    7000 + c as u16
}

fn slot(n: u16) -> Slot {
    Slot::new(n).unwrap()
}

fn config() -> ClusterConfig {
    let mut c = ClusterConfig::new(6379);
    c.node_timeout_ms = TIMEOUT;
    c
}

/// A known peer, flagged as given.
fn peer(c: char, flags: NodeFlags) -> Node {
    let mut n = Node::new(id(c));
    n.flags = flags;
    n.ip = ip_of(c);
    n.port = port_of(c);
    n.cport = port_of(c) + 10000;
    n
}

/// A node named `me` restored from `view` at time `now`.
fn node_from(mut view: ClusterView, now: u64) -> ClusterNode {
    // Our address as peers see it (see `accept`), so it is not relearnt.
    view.myself_mut().ip = "10.0.0.1".to_string();
    ClusterNode::new(config(), Some(view), 42, Millis(now))
}

fn handle(n: &mut ClusterNode, now: u64, input: Input) -> Vec<Output> {
    let mut out = Vec::new();
    n.handle(Millis(now), input, &mut out);
    out
}

fn bytes_of(msg: &BusMessage) -> Vec<u8> {
    let mut b = Vec::new();
    encode(msg, &mut b);
    b
}

/// The messages among `out`, decoded, with their links.
fn sends(out: &[Output]) -> Vec<(LinkId, BusMessage)> {
    out.iter()
        .filter_map(|o| match o {
            Output::Send { link, bytes } => {
                Some((*link, decode(bytes).expect("we encode valid frames")))
            }
            _ => None,
        })
        .collect()
}

fn kinds(out: &[Output]) -> Vec<&'static str> {
    out.iter()
        .map(|o| match o {
            Output::Connect { .. } => "connect",
            Output::Send { bytes, .. } => match decode(bytes).unwrap().body {
                Body::Ping { .. } => "ping",
                Body::Pong { .. } => "pong",
                Body::Meet { .. } => "meet",
                Body::Fail { .. } => "fail",
                Body::Publish { .. } => "publish",
                Body::PublishShard { .. } => "publishshard",
                Body::FailoverAuthRequest => "auth-req",
                Body::FailoverAuthAck => "auth-ack",
                Body::Update { .. } => "update",
                Body::MfStart => "mfstart",
                _ => "other",
            },
            Output::Close(_) => "close",
            Output::PersistConfig { fsync: true, .. } => "persist+fsync",
            Output::PersistConfig { fsync: false, .. } => "persist",
            Output::Event(_) => "event",
        })
        .collect()
}

fn events(out: &[Output]) -> Vec<&ClusterEvent> {
    out.iter()
        .filter_map(|o| match o {
            Output::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// A header as peer `c` would send it.
fn header(c: char, epoch: u64, config_epoch: u64, slots: &[(u16, u16)]) -> Header {
    let mut h = Header::new(id(c));
    h.current_epoch = Epoch(epoch);
    h.config_epoch = Epoch(config_epoch);
    h.port = port_of(c);
    h.cport = port_of(c) + 10000;
    h.flags = NodeFlags::PRIMARY | NodeFlags::MYSELF;
    for &(a, b) in slots {
        h.slots.insert_range(slot(a), slot(b));
    }
    h
}

fn ping(h: Header, gossip: Vec<GossipEntry>) -> BusMessage {
    BusMessage {
        header: h,
        body: Body::Ping {
            gossip,
            extensions: vec![],
        },
    }
}

fn pong(h: Header) -> BusMessage {
    BusMessage {
        header: h,
        body: Body::Pong {
            gossip: vec![],
            extensions: vec![],
        },
    }
}

fn gossip_about(c: char, flags: NodeFlags) -> GossipEntry {
    GossipEntry {
        node: id(c),
        ping_sent_secs: 0,
        pong_received_secs: 0,
        ip: IpString::new(ip_of(c).as_bytes()).unwrap(),
        port: port_of(c),
        cport: port_of(c) + 10000,
        flags,
        pport: 0,
    }
}

/// Runs the cron once and completes every connect it asks for.
fn connect_all(n: &mut ClusterNode, now: u64) -> Vec<Output> {
    let out = handle(n, now, Input::Tick);
    let mut rest = Vec::new();
    for o in &out {
        if let Output::Connect { link, .. } = o {
            rest.extend(handle(n, now, Input::Connected(*link)));
        }
    }
    rest
}

/// Opens inbound link `k` from peer `c`.
fn accept(n: &mut ClusterNode, now: u64, k: u64, c: char) -> LinkId {
    let link = LinkId::Inbound(k);
    let out = handle(
        n,
        now,
        Input::Accepted {
            link,
            peer_ip: ip_of(c),
            local_ip: "10.0.0.1".to_string(),
        },
    );
    assert!(out.is_empty());
    link
}

fn packet(n: &mut ClusterNode, now: u64, link: LinkId, msg: &BusMessage) -> Vec<Output> {
    handle(
        n,
        now,
        Input::Packet {
            link,
            bytes: bytes_of(msg),
        },
    )
}

// ---- MEET and handshake ----

#[test]
fn meet_connects_sends_meet_and_renames_on_first_pong() {
    let mut n = ClusterNode::new(config(), None, 1, Millis(0));
    let me = n.myself_id();
    let mut out = Vec::new();
    n.execute_command(
        Millis(0),
        &["CLUSTER", "MEET", "10.0.1.98", "7098", "17098"],
        &EmptyKeyspace,
        &mut out,
    )
    .expect("valid MEET");
    assert!(
        out.is_empty(),
        "MEET saves nothing until the handshake ends"
    );
    let placeholder = n.view().nodes().find(|x| x.in_handshake()).unwrap().id();

    let out = handle(&mut n, 0, Input::Tick);
    let link = LinkId::Outbound(1);
    assert_eq!(
        out,
        vec![Output::Connect {
            link,
            ip: "10.0.1.98".to_string(),
            port: 17098
        }]
    );
    let out = handle(&mut n, 5, Input::Connected(link));
    assert_eq!(kinds(&out), ["meet"]);
    let (l, meet) = sends(&out).remove(0);
    assert_eq!(l, link);
    assert_eq!(meet.header.sender, me);
    assert_eq!(meet.header.port, 6379);
    assert_eq!(meet.header.cport, 16379);
    assert_eq!(meet.body.gossip_and_extensions().unwrap().0, &[]);
    // A MEET does not start the PONG wait; the MEET flag is spent.
    let hs = n.view().node(&placeholder).unwrap();
    assert_eq!(hs.ping_sent, Millis(0));
    assert!(!hs.flags.contains(NodeFlags::MEET));

    // The peer answers with its real name: the placeholder takes it.
    let out = packet(&mut n, 9, link, &pong(header('b', 0, 0, &[])));
    assert_eq!(kinds(&out), ["persist"]);
    assert!(n.view().node(&placeholder).is_none());
    let b = n.view().node(&id('b')).expect("renamed");
    assert!(!b.in_handshake());
    assert!(b.is_primary());
    assert_eq!(b.pong_received, Millis(9));
    assert_eq!(n.links().outbound(&id('b')), Some(link));
    let Output::PersistConfig { text, .. } = &out[0] else {
        unreachable!()
    };
    assert!(text.contains(&format!("{} 10.0.1.98:7098@17098 master", id('b'))));
}

#[test]
fn meet_from_an_unknown_node_creates_a_handshake_node_and_gets_a_pong() {
    let mut n = ClusterNode::new(config(), None, 1, Millis(0));
    let link = accept(&mut n, 0, 7, 'b');
    let meet = BusMessage {
        header: header('b', 0, 0, &[]),
        body: Body::Meet {
            gossip: vec![gossip_about('c', NodeFlags::PRIMARY)],
            extensions: vec![],
        },
    };
    let out = packet(&mut n, 3, link, &meet);
    assert_eq!(kinds(&out), ["persist", "event", "pong"]);
    assert_eq!(
        sends(&out)[0].0,
        link,
        "the PONG goes back on the same link"
    );
    // Our own address is the one the peer reached us at.
    assert_eq!(n.view().myself().ip, "10.0.0.1");
    // The sender is a handshake node under a random name, at its peer address.
    let hs: Vec<&Node> = n.view().nodes().filter(|x| x.in_handshake()).collect();
    assert_eq!(hs.len(), 1);
    assert_ne!(hs[0].id(), id('b'));
    assert_eq!(
        (hs[0].ip.as_str(), hs[0].port),
        (ip_of('b').as_str(), port_of('b'))
    );
    // Gossip from an unknown sender adds nobody.
    assert!(n.view().node(&id('c')).is_none());
    // The handshake node expires after the handshake timeout.
    handle(&mut n, 500, Input::Tick);
    assert_eq!(n.view().node_count(), 2);
    let out = handle(&mut n, 1004, Input::Tick);
    assert_eq!(n.view().node_count(), 1);
    assert!(kinds(&out).contains(&"close"));
}

#[test]
fn pong_from_a_known_name_drops_the_duplicate_handshake_node() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let mut out = Vec::new();
    n.execute_command(
        Millis(0),
        &["CLUSTER", "MEET", "10.0.1.200", "7000"],
        &EmptyKeyspace,
        &mut out,
    )
    .unwrap();
    let out = handle(&mut n, 0, Input::Tick);
    let hs_link = out
        .iter()
        .find_map(|o| match o {
            Output::Connect { link, ip, .. } if ip == "10.0.1.200" => Some(*link),
            _ => None,
        })
        .unwrap();
    handle(&mut n, 1, Input::Connected(hs_link));
    let out = packet(&mut n, 2, hs_link, &pong(header('b', 0, 0, &[])));
    // b's address is updated to where we just reached it, its old link
    // closed, and the placeholder (with its link) deleted.
    let b = n.view().node(&id('b')).unwrap();
    assert_eq!((b.ip.as_str(), b.port), ("10.0.1.200", port_of('b')));
    assert_eq!(n.view().node_count(), 2);
    assert!(out.contains(&Output::Close(hs_link)));
}

#[test]
fn gossip_from_a_known_node_adds_nodes_but_not_blacklisted_ones() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    v.add_node(peer('d', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let mut out = Vec::new();
    n.execute_command(
        Millis(0),
        &["CLUSTER", "FORGET", &id('d').to_string()],
        &EmptyKeyspace,
        &mut out,
    )
    .unwrap();
    let link = accept(&mut n, 0, 1, 'b');
    let msg = ping(
        header('b', 0, 0, &[]),
        vec![
            gossip_about('c', NodeFlags::REPLICA),
            gossip_about('d', NodeFlags::PRIMARY),
            gossip_about('e', NodeFlags::PRIMARY | NodeFlags::NOADDR),
        ],
    );
    packet(&mut n, 10, link, &msg);
    let c = n.view().node(&id('c')).expect("learnt from gossip");
    assert_eq!(c.flags, NodeFlags::REPLICA);
    assert_eq!(c.ip, ip_of('c'));
    assert!(n.view().node(&id('d')).is_none(), "forgotten for 60 s");
    assert!(n.view().node(&id('e')).is_none(), "no address, not added");
    packet(&mut n, 60_001, link, &msg);
    assert!(n.view().node(&id('d')).is_some(), "blacklist expired");
}

// ---- PFAIL / FAIL ----

/// Myself `a` and primaries b..e, each serving some slots, all connected.
fn five_primaries() -> ClusterNode {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    for c in ['b', 'c', 'd', 'e'] {
        v.add_node(peer(c, NodeFlags::PRIMARY)).unwrap();
    }
    for (i, c) in ['a', 'b', 'c', 'd', 'e'].iter().enumerate() {
        v.assign_slot(slot(i as u16), &id(*c)).unwrap();
        // Distinct epochs: no collision handling in these tests.
        v.node_mut(&id(*c)).unwrap().config_epoch = Epoch(i as u64 + 1);
    }
    v.current_epoch = Epoch(5);
    let mut n = node_from(v, 0);
    n.view.size = 5;
    connect_all(&mut n, 0);
    n
}

#[test]
fn pfail_only_after_node_timeout_without_pong() {
    let mut n = five_primaries();
    let e = id('e');
    assert_eq!(
        n.view().node(&e).unwrap().ping_sent,
        Millis(1),
        "a PING at time 0 is stamped 1"
    );
    // Every peer got a PING on connect.
    assert_eq!(
        n.links()
            .get(n.links().outbound(&e).unwrap())
            .unwrap()
            .sent
            .messages[0],
        1
    );
    // Answer everyone but e.
    for c in ['b', 'c', 'd'] {
        let link = n.links().outbound(&id(c)).unwrap();
        let epoch = c as u64 - 'a' as u64 + 1;
        let s = epoch as u16 - 1;
        packet(&mut n, 50, link, &pong(header(c, 5, epoch, &[(s, s)])));
    }
    handle(&mut n, 1000, Input::Tick);
    assert!(
        !n.view().node(&e).unwrap().is_timed_out(),
        "exactly the timeout is not enough"
    );
    handle(&mut n, 1101, Input::Tick);
    assert!(n.view().node(&e).unwrap().is_timed_out());
    assert!(!n.view().node(&id('b')).unwrap().is_timed_out());
    // The silent link was also dropped; the next run reconnects, and the
    // PING sent on connect keeps the old PING time.
    assert_eq!(n.links().outbound(&e), None);
    let out = handle(&mut n, 1201, Input::Tick);
    let Some(Output::Connect { link, .. }) =
        out.iter().find(|o| matches!(o, Output::Connect { .. }))
    else {
        panic!("reconnect expected: {out:?}")
    };
    let link = *link;
    let out = handle(&mut n, 1202, Input::Connected(link));
    assert_eq!(kinds(&out), ["ping"]);
    assert_eq!(n.view().node(&e).unwrap().ping_sent, Millis(1));
    // A late PONG clears PFAIL.
    let out = packet(&mut n, 1250, link, &pong(header('e', 5, 5, &[(4, 4)])));
    assert!(!n.view().node(&e).unwrap().is_timed_out());
    assert_eq!(kinds(&out), ["persist"]);
}

#[test]
fn fail_needs_reports_from_a_majority_of_primaries() {
    let mut n = five_primaries();
    let e = id('e');
    n.view.node_mut(&e).unwrap().flags.insert(NodeFlags::PFAIL);
    n.cron.pfail_nodes = 1;
    let down = gossip_about('e', NodeFlags::PRIMARY | NodeFlags::PFAIL);
    // b reports: 1 report + myself = 2 < 3.
    let lb = accept(&mut n, 10, 1, 'b');
    let out = packet(
        &mut n,
        10,
        lb,
        &ping(header('b', 5, 2, &[(1, 1)]), vec![down.clone()]),
    );
    assert_eq!(kinds(&out), ["pong"]);
    assert!(!n.view().node(&e).unwrap().is_failed());
    assert_eq!(n.view().node(&e).unwrap().failure_reports.len(), 1);
    // A replica's report does not count.
    n.view.add_node(peer('r', NodeFlags::REPLICA)).unwrap();
    n.view.attach_replica(&id('r'), &id('b')).unwrap();
    let lr = accept(&mut n, 11, 2, 'r');
    let mut hr = header('r', 5, 2, &[(1, 1)]);
    hr.replica_of = Some(id('b'));
    hr.flags = NodeFlags::REPLICA | NodeFlags::MYSELF;
    packet(&mut n, 11, lr, &ping(hr, vec![down.clone()]));
    assert!(!n.view().node(&e).unwrap().is_failed());
    // c reports: 2 reports + myself = 3: FAIL, broadcast to every linked node.
    let lc = accept(&mut n, 12, 3, 'c');
    let out = packet(
        &mut n,
        12,
        lc,
        &ping(header('c', 5, 3, &[(2, 2)]), vec![down]),
    );
    assert!(n.view().node(&e).unwrap().is_failed());
    assert!(!n.view().node(&e).unwrap().is_timed_out());
    assert_eq!(
        kinds(&out),
        ["persist", "event", "event", "pong", "fail", "fail", "fail", "fail"]
    );
    assert!(events(&out).contains(&&ClusterEvent::NodeFailed(e)));
    for (_, m) in sends(&out)
        .into_iter()
        .filter(|(_, m)| matches!(m.body, Body::Fail { .. }))
    {
        assert_eq!(m.body, Body::Fail { node: e });
    }
}

#[test]
fn failure_reports_expire_after_twice_the_node_timeout() {
    let mut n = five_primaries();
    let e = id('e');
    n.view.node_mut(&e).unwrap().flags.insert(NodeFlags::PFAIL);
    let down = gossip_about('e', NodeFlags::PRIMARY | NodeFlags::PFAIL);
    let lb = accept(&mut n, 10, 1, 'b');
    packet(
        &mut n,
        10,
        lb,
        &ping(header('b', 5, 2, &[(1, 1)]), vec![down.clone()]),
    );
    let lc = accept(&mut n, 11, 2, 'c');
    packet(
        &mut n,
        2011,
        lc,
        &ping(header('c', 5, 3, &[(2, 2)]), vec![down]),
    );
    assert!(
        !n.view().node(&e).unwrap().is_failed(),
        "b's report is stale"
    );
}

#[test]
fn fail_message_is_believed_and_cleared_only_by_rules() {
    let mut n = five_primaries();
    let lb = accept(&mut n, 10, 1, 'b');
    let fail_e = BusMessage {
        header: header('b', 5, 2, &[(1, 1)]),
        body: Body::Fail { node: id('e') },
    };
    let out = packet(&mut n, 10, lb, &fail_e);
    assert!(n.view().node(&id('e')).unwrap().is_failed());
    assert!(events(&out).contains(&&ClusterEvent::NodeFailed(id('e'))));
    // e serves a slot: a PONG soon after does not clear FAIL...
    let le = n.links().outbound(&id('e')).unwrap();
    packet(&mut n, 500, le, &pong(header('e', 5, 5, &[(4, 4)])));
    assert!(n.view().node(&id('e')).unwrap().is_failed());
    // ...but after twice the node timeout it does.
    packet(&mut n, 2011, le, &pong(header('e', 5, 5, &[(4, 4)])));
    assert!(!n.view().node(&id('e')).unwrap().is_failed());
}

// ---- epochs ----

#[test]
fn config_epoch_collision_moves_the_smaller_name_and_persists_first() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let link = accept(&mut n, 0, 1, 'b');
    let out = packet(&mut n, 1, link, &ping(header('b', 0, 0, &[]), vec![]));
    assert_eq!(kinds(&out), ["persist+fsync", "event", "pong"]);
    assert_eq!(n.view().current_epoch, Epoch(1));
    assert_eq!(n.view().myself().config_epoch, Epoch(1));
    // As in Redis, the PONG is built before the collision is handled, so
    // it still carries the old epoch; the next message has the new one.
    let (_, reply) = sends(&out).remove(0);
    assert_eq!(reply.header.config_epoch, Epoch(0));
    assert_eq!(n.build_header().config_epoch, Epoch(1));

    // The greater name never moves.
    let mut v = ClusterView::fresh(id('z'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let link = accept(&mut n, 0, 1, 'b');
    let out = packet(&mut n, 1, link, &ping(header('b', 0, 0, &[]), vec![]));
    assert_eq!(kinds(&out), ["pong"]);
    assert_eq!(n.view().myself().config_epoch, Epoch(0));
}

#[test]
fn current_epoch_follows_the_greatest_seen_and_never_decreases() {
    let mut v = ClusterView::fresh(id('z'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let link = accept(&mut n, 0, 1, 'b');
    packet(&mut n, 1, link, &ping(header('b', 7, 3, &[]), vec![]));
    assert_eq!(n.view().current_epoch, Epoch(7));
    assert_eq!(n.view().node(&id('b')).unwrap().config_epoch, Epoch(3));
    packet(&mut n, 2, link, &ping(header('b', 5, 2, &[]), vec![]));
    assert_eq!(n.view().current_epoch, Epoch(7));
    assert_eq!(n.view().node(&id('b')).unwrap().config_epoch, Epoch(3));
}

// ---- slots and UPDATE ----

/// Myself `a` (epoch 1, slots 200-299); b owns 0-99 with epoch 5; c known.
fn slot_owners() -> ClusterNode {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    let mut b = peer('b', NodeFlags::PRIMARY);
    b.config_epoch = Epoch(5);
    v.add_node(b).unwrap();
    v.add_node(peer('c', NodeFlags::PRIMARY)).unwrap();
    v.myself_mut().config_epoch = Epoch(1);
    v.current_epoch = Epoch(5);
    for s in 0..100 {
        v.assign_slot(slot(s), &id('b')).unwrap();
    }
    for s in 200..300 {
        v.assign_slot(slot(s), &id('a')).unwrap();
    }
    let mut n = node_from(v, 0);
    connect_all(&mut n, 0);
    n
}

#[test]
fn stale_claim_is_not_adopted_and_the_claimer_gets_an_update() {
    let mut n = slot_owners();
    let link = accept(&mut n, 1, 1, 'c');
    let out = packet(
        &mut n,
        1,
        link,
        &ping(header('c', 5, 3, &[(0, 99)]), vec![]),
    );
    assert_eq!(n.view().slot_owner_id(slot(0)), Some(id('b')));
    assert_eq!(kinds(&out), ["persist+fsync", "pong", "update"]);
    let (to, update) = sends(&out).remove(1);
    assert_eq!(
        Some(to),
        n.links().outbound(&id('c')),
        "UPDATE goes on c's outbound link"
    );
    let mut want = SlotBitmap::new();
    want.insert_range(slot(0), slot(99));
    assert_eq!(
        update.body,
        Body::Update {
            config_epoch: Epoch(5),
            node: id('b'),
            slots: want
        }
    );
}

#[test]
fn claim_with_a_higher_epoch_wins_and_equal_epoch_does_not() {
    let mut n = slot_owners();
    let link = accept(&mut n, 1, 1, 'c');
    packet(&mut n, 1, link, &ping(header('c', 5, 5, &[(0, 9)]), vec![]));
    assert_eq!(
        n.view().slot_owner_id(slot(0)),
        Some(id('b')),
        "a tie never rebinds"
    );
    packet(&mut n, 2, link, &ping(header('c', 6, 6, &[(0, 9)]), vec![]));
    assert_eq!(n.view().slot_owner_id(slot(0)), Some(id('c')));
    assert_eq!(n.view().slot_owner_id(slot(10)), Some(id('b')));
}

#[test]
fn losing_every_slot_to_one_claimant_makes_me_its_replica() {
    let mut n = slot_owners();
    let link = accept(&mut n, 1, 1, 'c');
    let out = packet(
        &mut n,
        1,
        link,
        &ping(header('c', 6, 6, &[(200, 299)]), vec![]),
    );
    let me = n.view().myself();
    assert!(me.is_replica());
    assert_eq!(me.primary(), Some(id('c')));
    let evs = events(&out);
    assert!(evs.contains(&&ClusterEvent::ReplicateFrom {
        primary: id('c'),
        ip: ip_of('c'),
        port: port_of('c')
    }));
    assert_eq!(kinds(&out)[0], "persist+fsync");
}

#[test]
fn update_message_moves_slots_of_the_described_node() {
    let mut n = slot_owners();
    let link = accept(&mut n, 1, 1, 'c');
    let mut slots = SlotBitmap::new();
    slots.insert_range(slot(0), slot(4));
    let update = BusMessage {
        header: header('c', 9, 0, &[]),
        body: Body::Update {
            config_epoch: Epoch(9),
            node: id('c'),
            slots,
        },
    };
    let out = packet(&mut n, 1, link, &update);
    assert_eq!(n.view().slot_owner_id(slot(4)), Some(id('c')));
    assert_eq!(n.view().slot_owner_id(slot(5)), Some(id('b')));
    assert_eq!(n.view().node(&id('c')).unwrap().config_epoch, Epoch(9));
    assert_eq!(kinds(&out), ["persist+fsync"]);
}

// ---- voting ----

/// Myself `a`, a primary with slots; b a FAIL primary with slots; r and s
/// its replicas; all connected.
fn voter() -> ClusterNode {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    let mut b = peer('b', NodeFlags::PRIMARY | NodeFlags::FAIL);
    b.config_epoch = Epoch(2);
    v.add_node(b).unwrap();
    for c in ['r', 's'] {
        let mut r = peer(c, NodeFlags::REPLICA);
        r.config_epoch = Epoch(2);
        v.add_node(r).unwrap();
        v.attach_replica(&id(c), &id('b')).unwrap();
    }
    // A second failed primary, c, with its replica t.
    let mut c = peer('c', NodeFlags::PRIMARY | NodeFlags::FAIL);
    c.config_epoch = Epoch(2);
    v.add_node(c).unwrap();
    let mut t = peer('t', NodeFlags::REPLICA);
    t.config_epoch = Epoch(2);
    v.add_node(t).unwrap();
    v.attach_replica(&id('t'), &id('c')).unwrap();
    v.assign_slot(slot(0), &id('a')).unwrap();
    v.assign_slot(slot(1), &id('b')).unwrap();
    v.assign_slot(slot(2), &id('c')).unwrap();
    v.myself_mut().config_epoch = Epoch(1);
    v.current_epoch = Epoch(2);
    let mut n = node_from(v, 0);
    connect_all(&mut n, 0);
    n
}

fn auth_request(from: char, epoch: u64) -> BusMessage {
    let mut h = header(from, epoch, 2, &[(1, 1)]);
    h.replica_of = Some(id('b'));
    h.flags = NodeFlags::REPLICA | NodeFlags::MYSELF;
    BusMessage {
        header: h,
        body: Body::FailoverAuthRequest,
    }
}

#[test]
fn vote_is_persisted_before_the_ack_and_given_once_per_epoch() {
    let mut n = voter();
    let lr = accept(&mut n, 5000, 1, 'r');
    let out = packet(&mut n, 5000, lr, &auth_request('r', 3));
    assert_eq!(kinds(&out), ["persist+fsync", "event", "auth-ack"]);
    let Output::PersistConfig { text, .. } = &out[0] else {
        unreachable!()
    };
    assert!(text.ends_with("vars currentEpoch 3 lastVoteEpoch 3\n"));
    let (to, ack) = sends(&out).remove(0);
    assert_eq!(Some(to), n.links().outbound(&id('r')));
    assert_eq!(ack.header.current_epoch, Epoch(3));
    // A replica of another failed primary asks in the same epoch: refused,
    // one vote per epoch.
    let lt = accept(&mut n, 5001, 3, 't');
    let mut req = auth_request('t', 3);
    req.header.replica_of = Some(id('c'));
    req.header.slots = SlotBitmap::new();
    req.header.slots.insert(slot(2));
    let out = packet(&mut n, 5001, lt, &req);
    assert_eq!(
        events(&out),
        [&ClusterEvent::Log(format!(
            "Failover auth denied to {}: already voted for epoch 3",
            id('t')
        ))]
    );
    // The other replica of b asks in the same epoch: refused too.
    let ls = accept(&mut n, 5001, 2, 's');
    let out = packet(&mut n, 5001, ls, &auth_request('s', 3));
    assert_eq!(kinds(&out), ["event"]);
    assert_eq!(n.view().last_vote_epoch, Epoch(3));
    // A new epoch, but too soon after voting for a replica of b.
    let out = packet(&mut n, 5002, ls, &auth_request('s', 4));
    assert_eq!(kinds(&out), ["event"]);
    // After twice the node timeout, s can have a vote in a new epoch.
    let out = packet(&mut n, 7001, ls, &auth_request('s', 5));
    assert_eq!(kinds(&out), ["persist+fsync", "event", "auth-ack"]);
}

#[test]
fn no_vote_while_the_primary_is_up_unless_forced() {
    let mut n = voter();
    n.view
        .node_mut(&id('b'))
        .unwrap()
        .flags
        .remove(NodeFlags::FAIL);
    let lr = accept(&mut n, 5000, 1, 'r');
    let out = packet(&mut n, 5000, lr, &auth_request('r', 3));
    assert_eq!(
        events(&out),
        [&ClusterEvent::Log(format!(
            "Failover auth denied to {}: its master is up",
            id('r')
        ))]
    );
    let mut forced = auth_request('r', 3);
    forced.header.mflags = MessageFlags::FORCEACK;
    let out = packet(&mut n, 5000, lr, &forced);
    assert_eq!(kinds(&out), ["persist+fsync", "event", "auth-ack"]);
}

#[test]
fn no_vote_when_a_claimed_slot_has_a_newer_owner() {
    let mut n = voter();
    n.view.node_mut(&id('b')).unwrap().config_epoch = Epoch(7);
    let lr = accept(&mut n, 5000, 1, 'r');
    let out = packet(&mut n, 5000, lr, &auth_request('r', 8));
    assert_eq!(kinds(&out), ["event"]);
    assert_eq!(n.view().last_vote_epoch, Epoch(0));
}

// ---- election ----

/// Myself `r`, replica of primary b (slot 0, not failed yet); primaries c
/// and d with slots vote.
fn candidate(seed_offset: u64) -> ClusterNode {
    let mut v = ClusterView::fresh(id('r'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    v.add_node(peer('c', NodeFlags::PRIMARY)).unwrap();
    v.add_node(peer('d', NodeFlags::PRIMARY)).unwrap();
    v.set_myself_replica_of(&id('b')).unwrap();
    for (i, c) in ['b', 'c', 'd'].iter().enumerate() {
        v.assign_slot(slot(i as u16), &id(*c)).unwrap();
        v.node_mut(&id(*c)).unwrap().config_epoch = Epoch(i as u64 + 1);
    }
    v.current_epoch = Epoch(3);
    v.myself_mut().ip = "10.0.0.1".to_string();
    let mut n = ClusterNode::new(config(), Some(v), 100 + seed_offset, Millis(0));
    n.view.size = 3;
    connect_all(&mut n, 0);
    // Everyone answers its first PING, so no link looks silent.
    for (i, c) in ['b', 'c', 'd'].iter().enumerate() {
        let link = n.links().outbound(&id(*c)).unwrap();
        let s = i as u16;
        packet(
            &mut n,
            10,
            link,
            &pong(header(*c, 3, i as u64 + 1, &[(s, s)])),
        );
    }
    n
}

#[test]
fn election_waits_half_a_second_plus_jitter_then_asks_after_persisting() {
    let mut n = candidate(0);
    n.view
        .node_mut(&id('b'))
        .unwrap()
        .flags
        .insert(NodeFlags::FAIL);
    handle(&mut n, 100, Input::Tick);
    let start = n.election().auth_time.expect("scheduled");
    let delay = start.since(Millis(100));
    assert!((500..1000).contains(&delay), "delay {delay}");
    assert_eq!(n.election().auth_rank, 0);
    // Nothing is asked before the scheduled time.
    let mut t = 200;
    while t < start.0 {
        let out = handle(&mut n, t, Input::Tick);
        assert!(!kinds(&out).contains(&"auth-req"), "asked early at {t}");
        t += 100;
    }
    let out = handle(&mut n, t, Input::Tick);
    let k = kinds(&out);
    assert_eq!(k[0], "persist+fsync");
    assert_eq!(
        k.iter().filter(|k| **k == "auth-req").count(),
        3,
        "to b, c and d"
    );
    assert_eq!(n.view().current_epoch, Epoch(4));
    let req = sends(&out)
        .into_iter()
        .find(|(_, m)| m.body == Body::FailoverAuthRequest)
        .unwrap()
        .1;
    assert_eq!(req.header.current_epoch, Epoch(4));
    assert_eq!(
        req.header.config_epoch,
        Epoch(1),
        "the failed primary's epoch"
    );
    assert!(req.header.slots.contains(slot(0)));

    // Two votes of three: promotion.
    for c in ['c', 'd'] {
        let link = n.links().outbound(&id(c)).unwrap();
        let ack = BusMessage {
            header: header(c, 4, 2, &[]),
            body: Body::FailoverAuthAck,
        };
        let out = packet(&mut n, t + 1, link, &ack);
        if c == 'd' {
            assert!(n.view().myself().is_primary());
            assert_eq!(n.view().myself().config_epoch, Epoch(4));
            assert_eq!(n.view().slot_owner_id(slot(0)), Some(id('r')));
            let k = kinds(&out);
            assert_eq!(k[0], "persist+fsync");
            assert!(events(&out).contains(&&ClusterEvent::BecamePrimary));
            assert_eq!(k.iter().filter(|k| **k == "pong").count(), 3);
        }
    }
}

#[test]
fn worse_rank_waits_a_second_longer_per_better_replica() {
    let mut n = candidate(0);
    n.view.add_node(peer('s', NodeFlags::REPLICA)).unwrap();
    n.view.attach_replica(&id('s'), &id('b')).unwrap();
    n.view.node_mut(&id('s')).unwrap().repl_offset = 10;
    n.view
        .node_mut(&id('b'))
        .unwrap()
        .flags
        .insert(NodeFlags::FAIL);
    handle(&mut n, 100, Input::Tick);
    assert_eq!(n.election().auth_rank, 1);
    let delay = n.election().auth_time.unwrap().since(Millis(100));
    assert!((1500..2000).contains(&delay), "delay {delay}");
}

#[test]
fn no_election_while_the_primary_is_up_or_with_no_failover() {
    let mut n = candidate(0);
    handle(&mut n, 100, Input::Tick);
    assert_eq!(n.election().auth_time, None, "primary is up");
    let mut c = config();
    c.replica_no_failover = true;
    n.set_config(c);
    n.view
        .node_mut(&id('b'))
        .unwrap()
        .flags
        .insert(NodeFlags::FAIL);
    handle(&mut n, 200, Input::Tick);
    assert_eq!(n.election().auth_time, None, "replica-no-failover");
    assert!(n.build_header().flags.contains(NodeFlags::NOFAILOVER));
}

// ---- links, decoding, pub/sub ----

#[test]
fn broken_framing_closes_the_link_and_invalid_messages_are_dropped() {
    let mut n = ClusterNode::new(config(), None, 1, Millis(0));
    let link = accept(&mut n, 0, 1, 'b');
    let mut bytes = bytes_of(&ping(header('b', 0, 0, &[]), vec![]));
    bytes[9] = 2; // version 2: dropped, link kept
    let out = handle(
        &mut n,
        1,
        Input::Packet {
            link,
            bytes: bytes.clone(),
        },
    );
    assert!(out.is_empty());
    assert_eq!(n.error_counts().messages_dropped, 1);
    assert_eq!(
        n.stats().received[0],
        1,
        "counted by type before validation"
    );
    bytes[0] = b'X'; // bad signature: framing lost
    let out = handle(&mut n, 2, Input::Packet { link, bytes });
    assert_eq!(out, vec![Output::Close(link)]);
    assert_eq!(n.error_counts().links_closed_on_bad_frame, 1);
    assert!(n.links().get(link).is_none());
    // Garbage on an unknown link is ignored.
    let out = handle(
        &mut n,
        3,
        Input::Packet {
            link,
            bytes: vec![1, 2, 3],
        },
    );
    assert!(out.is_empty());
}

#[test]
fn sends_to_a_connecting_link_wait_for_the_connection() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    let mut n = node_from(v, 0);
    let out = handle(&mut n, 0, Input::Tick);
    assert_eq!(kinds(&out), ["connect"]);
    let out = handle(
        &mut n,
        1,
        Input::Publish {
            channel: b"ch".to_vec(),
            message: b"hi".to_vec(),
            sharded: false,
        },
    );
    assert!(out.is_empty(), "held until connected");
    let link = n.links().outbound(&id('b')).unwrap();
    let out = handle(&mut n, 2, Input::Connected(link));
    assert_eq!(kinds(&out), ["publish", "ping"]);
    let out = handle(&mut n, 3, Input::ConnectFailed(LinkId::Outbound(99)));
    assert!(out.is_empty());
}

#[test]
fn spublish_reaches_only_the_shard_and_publish_arrives_as_an_event() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    v.add_node(peer('b', NodeFlags::PRIMARY)).unwrap();
    v.add_node(peer('r', NodeFlags::REPLICA)).unwrap();
    v.attach_replica(&id('r'), &id('a')).unwrap();
    let mut n = node_from(v, 0);
    connect_all(&mut n, 0);
    let out = handle(
        &mut n,
        1,
        Input::Publish {
            channel: b"ch".to_vec(),
            message: b"hi".to_vec(),
            sharded: true,
        },
    );
    let s = sends(&out);
    assert_eq!(s.len(), 1);
    assert_eq!(Some(s[0].0), n.links().outbound(&id('r')));
    assert_eq!(
        s[0].1.body,
        Body::PublishShard {
            channel: b"ch".to_vec(),
            message: b"hi".to_vec()
        }
    );
    let link = accept(&mut n, 2, 1, 'b');
    let msg = BusMessage {
        header: header('b', 0, 0, &[]),
        body: Body::Publish {
            channel: b"x".to_vec(),
            message: b"y".to_vec(),
        },
    };
    let out = packet(&mut n, 2, link, &msg);
    assert_eq!(
        events(&out),
        [&ClusterEvent::Published {
            channel: b"x".to_vec(),
            message: b"y".to_vec(),
            sharded: false
        }]
    );
}

#[test]
fn replica_header_speaks_for_its_primary() {
    let mut v = ClusterView::fresh(id('r'), Millis(0));
    let mut b = peer('b', NodeFlags::PRIMARY);
    b.config_epoch = Epoch(6);
    v.add_node(b).unwrap();
    v.set_myself_replica_of(&id('b')).unwrap();
    v.assign_slot(slot(9), &id('b')).unwrap();
    let mut n = node_from(v, 0);
    handle(
        &mut n,
        0,
        Input::Replication(crate::input::ReplicationStatus {
            offset: 77,
            primary_last_seen: None,
        }),
    );
    let h = n.build_header();
    assert_eq!(h.replica_of, Some(id('b')));
    assert_eq!(h.config_epoch, Epoch(6));
    assert_eq!(h.repl_offset, 77);
    assert!(h.slots.contains(slot(9)));
    assert_eq!(h.flags, NodeFlags::REPLICA | NodeFlags::MYSELF);
}

#[test]
fn gossip_selection_wants_a_tenth_of_the_nodes_and_all_pfail_ones() {
    let mut v = ClusterView::fresh(id('a'), Millis(0));
    let names: Vec<char> = ('b'..='y').collect();
    for c in &names {
        v.add_node(peer(*c, NodeFlags::PRIMARY)).unwrap();
    }
    let mut n = node_from(v, 0);
    connect_all(&mut n, 0);
    for c in ['x', 'y'] {
        n.view
            .node_mut(&id(c))
            .unwrap()
            .flags
            .insert(NodeFlags::PFAIL);
    }
    n.cron.pfail_nodes = 2;
    let entries = n.select_gossip();
    // 25 nodes: wanted = 3, then the 2 PFAIL nodes at the end.
    assert!(entries.len() <= 5 && entries.len() >= 2);
    let tail: Vec<NodeId> = entries[entries.len() - 2..]
        .iter()
        .map(|e| e.node)
        .collect();
    assert_eq!(tail, [id('x'), id('y')]);
    assert!(entries.iter().all(|e| e.node != id('a')));
}
