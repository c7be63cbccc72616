//! Property tests of the nodes.conf format: random views survive render
//! then parse unchanged, and the parser never panics on junk.

use proptest::prelude::*;

use shoal_cluster::nodes_conf::{parse_nodes_conf, render_nodes_conf};
use shoal_cluster::view::{ClusterView, LinkState, Node, NodeFlags};
use shoal_types::{Epoch, Millis, NodeId, Slot};

/// Everything a node line carries, as generated.
#[derive(Debug, Clone)]
struct NodeSpec {
    id: [u8; 20],
    ip: &'static str,
    port: u16,
    cport: u16,
    hostname: &'static str,
    role: u8,
    health: u16,
    primary_pick: Option<usize>,
    config_epoch: u64,
    ping_sent: u64,
    pong_received: u64,
    connected: bool,
}

#[derive(Debug, Clone)]
struct ViewSpec {
    nodes: Vec<NodeSpec>,
    myself: usize,
    slot_runs: Vec<(u16, u16, usize)>,
    open: Vec<(u16, bool, usize)>,
    extra_epoch: u64,
    last_vote: u64,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    let ips = prop::sample::select(vec![
        "",
        "127.0.0.1",
        "10.1.2.3",
        "::1",
        "fe80::1:2",
        "2001:db8::ff",
    ]);
    let hosts = prop::sample::select(vec!["", "h", "host-1.example"]);
    (
        (any::<[u8; 20]>(), ips, any::<u16>(), any::<u16>(), hosts),
        (0u8..3, any::<u16>(), prop::option::of(0usize..16)),
        (0u64..1000, 0u64..(1 << 50), 0u64..(1 << 50), any::<bool>()),
    )
        .prop_map(
            |(
                (id, ip, port, cport, hostname),
                (role, health, primary_pick),
                (config_epoch, ping_sent, pong_received, connected),
            )| NodeSpec {
                id,
                ip,
                port,
                cport,
                hostname,
                role,
                health,
                primary_pick,
                config_epoch,
                ping_sent,
                pong_received,
                connected,
            },
        )
}

fn view_spec() -> impl Strategy<Value = ViewSpec> {
    prop::collection::vec(node_spec(), 1..8).prop_flat_map(|nodes| {
        let n = nodes.len();
        (
            Just(nodes),
            0..n,
            prop::collection::vec((0u16..16384, 0u16..3000, 0..n), 0..6),
            prop::collection::vec((0u16..16384, any::<bool>(), 0..n), 0..5),
            0u64..5,
            0u64..2000,
        )
            .prop_map(|(nodes, myself, slot_runs, open, extra_epoch, last_vote)| {
                ViewSpec {
                    nodes,
                    myself,
                    slot_runs,
                    open,
                    extra_epoch,
                    last_vote,
                }
            })
    })
}

/// Builds the view through the public API, keeping to what nodes.conf can
/// express: no handshake nodes, replicas of a known primary hold epoch 0,
/// at most one migration mark per slot, currentEpoch at least every
/// configEpoch.
fn build(spec: &ViewSpec) -> Option<ClusterView> {
    let ids: Vec<NodeId> = spec
        .nodes
        .iter()
        .map(|n| NodeId::from_random(n.id))
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() {
        return None;
    }
    let make = |i: usize| {
        let s = &spec.nodes[i];
        let mut n = Node::new(ids[i]);
        n.ip = s.ip.to_string();
        n.port = s.port;
        n.cport = s.cport;
        n.hostname = s.hostname.to_string();
        n.flags = match s.role {
            0 => NodeFlags::PRIMARY,
            1 => NodeFlags::REPLICA,
            _ => NodeFlags::empty(),
        };
        let health = [
            NodeFlags::PFAIL,
            NodeFlags::FAIL,
            NodeFlags::NOADDR,
            NodeFlags::NOFAILOVER,
        ];
        for (bit, flag) in health.into_iter().enumerate() {
            if s.health & (1 << bit) != 0 {
                n.flags.insert(flag);
            }
        }
        n.config_epoch = Epoch(s.config_epoch);
        n.ping_sent = Millis(s.ping_sent);
        n.pong_received = Millis(s.pong_received);
        n.link = if s.connected {
            LinkState::Connected
        } else {
            LinkState::Disconnected
        };
        n
    };
    // `new` puts myself first; files with myself elsewhere are covered by
    // the golden tests.
    let mut view = ClusterView::new(make(spec.myself));
    for i in (0..spec.nodes.len()).filter(|&i| i != spec.myself) {
        view.add_node(make(i)).unwrap();
    }
    for (i, s) in spec.nodes.iter().enumerate() {
        let Some(pick) = s.primary_pick else { continue };
        let p = pick % ids.len();
        if p == i {
            continue;
        }
        view.attach_replica(&ids[i], &ids[p]).unwrap();
        let n = view.node_mut(&ids[i]).unwrap();
        if n.is_replica() {
            n.config_epoch = Epoch(0);
        }
    }
    for &(start, len, owner) in &spec.slot_runs {
        for s in start..start.saturating_add(len).min(16384) {
            let _ = view.assign_slot(Slot::new(s).unwrap(), &ids[owner]);
        }
    }
    for &(slot, migrating, peer) in &spec.open {
        let slot = Slot::new(slot).unwrap();
        if view.migrating_to(slot).is_some() || view.importing_from(slot).is_some() {
            continue;
        }
        if migrating {
            view.set_migrating(slot, Some(&ids[peer])).unwrap();
        } else {
            view.set_importing(slot, Some(&ids[peer])).unwrap();
        }
    }
    // Myself always prints `connected`, whatever its link field says.
    view.myself_mut().link = LinkState::Connected;
    view.current_epoch = Epoch(view.max_config_epoch().0 + spec.extra_epoch);
    view.last_vote_epoch = Epoch(spec.last_vote);
    view.check_invariants();
    Some(view)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 200,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_of_render_gives_back_the_view(spec in view_spec()) {
        let Some(view) = build(&spec) else { return Ok(()) };
        let text = render_nodes_conf(&view);
        let loaded = parse_nodes_conf(text.as_bytes()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        loaded.view.check_invariants();
        prop_assert_eq!(&loaded.view, &view, "{}", text);
        prop_assert_eq!(render_nodes_conf(&loaded.view), text);
    }

    #[test]
    fn parsing_junk_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_nodes_conf(&bytes);
    }

    #[test]
    fn parsing_mangled_lines_never_panics(
        fields in prop::collection::vec(
            prop::sample::select(vec![
                "eec51ccafe6d75b3777f1599f84f73f5065180ec", "myself,master", "slave", "-", "0",
                "127.0.0.1:7000@17000", "::1:1", ":0@0,h", "connected", "5-9", "16383", "16384",
                "[5->-eec51ccafe6d75b3777f1599f84f73f5065180ec]", "[1-<-x]", "[", "vars",
                "currentEpoch", "\"", "'", "\n", "fail?", "99999999999999999999999",
            ]),
            0..24,
        )
    ) {
        let _ = parse_nodes_conf(fields.join(" ").as_bytes());
    }
}

#[test]
fn handshake_nodes_are_not_saved() {
    let me = NodeId::from_random([1; 20]);
    let mut view = ClusterView::fresh(me, Millis(0));
    view.start_handshake(
        "10.0.0.9",
        7000,
        17000,
        NodeId::from_random([2; 20]),
        Millis(5),
    )
    .unwrap();
    let text = render_nodes_conf(&view);
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(
        parse_nodes_conf(text.as_bytes()).unwrap().view.node_count(),
        1
    );
}
