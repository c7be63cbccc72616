//! Whole-cluster stories on the in-memory [`crate::testing::Network`]:
//! nodes meet, slots spread, a primary dies and its replica takes over.

use shoal_types::{Epoch, Slot};

use crate::output::ClusterEvent;
use crate::testing::Network;
use crate::view::{ClusterState, NodeFlags};

const TIMEOUT_MS: u64 = 2000;

fn meet_all_via_first(net: &mut Network) {
    for i in 1..net.nodes.len() {
        let ip = Network::ip(0);
        let port = Network::port(0).to_string();
        let bus = Network::bus_port(0).to_string();
        net.command(i, &["MEET", &ip, &port, &bus])
            .expect("valid MEET");
    }
}

fn slot(n: u16) -> Slot {
    Slot::new(n).expect("in range")
}

/// Three primaries with a third of the slots each, three replicas (3 → 0,
/// 4 → 1, 5 → 2), everyone ok.
fn six_node_cluster(seed: u64) -> Network {
    let mut net = Network::new(6, TIMEOUT_MS, seed);
    meet_all_via_first(&mut net);
    assert!(
        net.run_until(30_000, Network::all_know_all),
        "gossip converges"
    );
    for (i, (a, b)) in [(0, 5460), (5461, 10922), (10923, 16383)]
        .iter()
        .enumerate()
    {
        net.command(i, &["ADDSLOTSRANGE", &a.to_string(), &b.to_string()])
            .expect("free slots");
    }
    for r in 3..6 {
        let primary = net.node(r - 3).myself_id().to_string();
        net.command(r, &["REPLICATE", &primary])
            .expect("replicate a primary");
    }
    let ok = net.run_until(30_000, |net| {
        net.all_ok()
            && net.alive().iter().all(|&i| {
                let v = net.node(i).view();
                v.assigned_slot_count() == 16384
                    && v.nodes().filter(|n| n.is_replica()).count() == 3
            })
    });
    assert!(ok, "slots and roles spread, state ok everywhere");
    net
}

#[test]
fn six_nodes_meeting_one_node_all_know_all() {
    let mut net = Network::new(6, TIMEOUT_MS, 11);
    meet_all_via_first(&mut net);
    assert!(net.run_until(30_000, Network::all_know_all));
    // Nodes learnt from gossip get their outbound link on the next cron run.
    net.run_for(500);
    // Everyone is connected to everyone and nobody is suspected.
    for i in net.alive() {
        for n in net.node(i).view().nodes() {
            assert!(!n.flags.intersects(NodeFlags::PFAIL | NodeFlags::FAIL));
            assert!(n.is_myself() || net.node(i).links().outbound(&n.id()).is_some());
        }
        let me = net.node(i).view().myself();
        assert_eq!(me.ip, Network::ip(i), "each node learnt its own IP");
    }
}

#[test]
fn fresh_primaries_end_with_distinct_config_epochs() {
    let mut net = Network::new(3, TIMEOUT_MS, 5);
    meet_all_via_first(&mut net);
    assert!(net.run_until(30_000, Network::all_know_all));
    let ok = net.run_until(30_000, |net| {
        let mut epochs: Vec<Epoch> = net
            .alive()
            .iter()
            .map(|&i| net.node(i).view().myself().config_epoch)
            .collect();
        epochs.sort();
        epochs.dedup();
        epochs.len() == 3
    });
    assert!(ok, "collision resolution separates the epochs");
    // The greatest name never moved.
    let greatest = (0..3).max_by_key(|&i| net.node(i).myself_id()).unwrap();
    assert_eq!(net.node(greatest).view().myself().config_epoch, Epoch(0));
}

#[test]
fn slots_spread_and_every_node_is_ok() {
    let net = six_node_cluster(21);
    for i in net.alive() {
        let v = net.node(i).view();
        assert_eq!(v.state, ClusterState::Ok);
        assert_eq!(v.size, 3);
        assert_eq!(v.slot_owner_id(slot(0)), Some(net.node(0).myself_id()));
        assert_eq!(v.slot_owner_id(slot(16383)), Some(net.node(2).myself_id()));
    }
}

#[test]
fn killed_primary_is_failed_everywhere_and_its_replica_takes_over() {
    let mut net = six_node_cluster(31);
    let old = net.node(0).myself_id();
    let replica = net.node(3).myself_id();
    net.kill(0);
    let failed = net.run_until(30_000, |net| {
        net.alive()
            .iter()
            .all(|&i| net.node(i).view().node(&old).is_some_and(|n| n.is_failed()))
    });
    assert!(failed, "every live node marks the dead primary FAIL");
    let promoted = net.run_until(30_000, |net| {
        net.all_ok()
            && net.alive().iter().all(|&i| {
                net.node(i).view().slot_owner_id(slot(0)) == Some(replica)
                    && net
                        .node(i)
                        .view()
                        .node(&replica)
                        .is_some_and(|n| n.is_primary())
            })
    });
    assert!(
        promoted,
        "the replica won the election and everyone follows it"
    );
    assert!(net.events[3].contains(&ClusterEvent::BecamePrimary));
    // Its configEpoch is now the greatest.
    let v = net.node(3).view();
    assert_eq!(v.myself().config_epoch, v.max_config_epoch());

    // The old primary comes back and is told to follow the new one.
    net.restart(0);
    let demoted = net.run_until(30_000, |net| {
        let v = net.node(0).view();
        v.myself().is_replica() && v.myself().primary() == Some(replica)
    });
    assert!(demoted, "an UPDATE turns the stale primary into a replica");
    assert!(net.events[0]
        .iter()
        .any(|e| matches!(e, ClusterEvent::ReplicateFrom { primary, .. } if *primary == replica)));
}

#[test]
fn same_seed_same_story() {
    let a = six_node_cluster(41);
    let b = six_node_cluster(41);
    assert_eq!(a.now, b.now);
    assert_eq!(a.persisted, b.persisted);
    assert_eq!(a.events, b.events);
}

#[test]
fn manual_failover_swaps_primary_and_replica_without_losing_coverage() {
    let mut net = six_node_cluster(51);
    let old = net.node(0).myself_id();
    let replica = net.node(3).myself_id();
    net.command(3, &["FAILOVER"])
        .expect("a replica with a live primary");
    let swapped = net.run_until(10_000, |net| {
        net.all_ok()
            && net.alive().iter().all(|&i| {
                let v = net.node(i).view();
                v.slot_owner_id(slot(0)) == Some(replica)
                    && v.node(&old).is_some_and(|n| n.primary() == Some(replica))
            })
    });
    assert!(swapped, "replica promoted, old primary follows it");
    assert!(net.events[0]
        .iter()
        .any(|e| matches!(e, ClusterEvent::PauseWrites { .. })));
    assert!(net.events[0].contains(&ClusterEvent::ResumeWrites));
    // Nobody was marked failed on the way.
    assert!(net.alive().iter().all(|&i| !net.events[i]
        .iter()
        .any(|e| matches!(e, ClusterEvent::NodeFailed(_)))));
}

#[test]
fn takeover_needs_no_votes() {
    let mut net = six_node_cluster(61);
    let replica = net.node(4).myself_id();
    // Isolate the other primaries' votes by killing them: TAKEOVER still works.
    net.kill(2);
    net.command(4, &["FAILOVER", "TAKEOVER"])
        .expect("takeover accepted");
    assert!(net.node(4).view().myself().is_primary());
    let spread = net.run_until(10_000, |net| {
        [0usize, 1, 3, 5]
            .iter()
            .all(|&i| net.node(i).view().slot_owner_id(slot(6000)) == Some(replica))
    });
    assert!(
        spread,
        "the new owner's greater configEpoch wins everywhere"
    );
}

#[test]
fn a_spare_replica_migrates_to_an_orphaned_primary() {
    let mut net = Network::new(7, TIMEOUT_MS, 71);
    meet_all_via_first(&mut net);
    assert!(net.run_until(30_000, Network::all_know_all));
    for (i, (a, b)) in [(0, 5460), (5461, 10922), (10923, 16383)]
        .iter()
        .enumerate()
    {
        net.command(i, &["ADDSLOTSRANGE", &a.to_string(), &b.to_string()])
            .unwrap();
    }
    // 3 and 4 replicate 0, 5 replicates 1, 6 replicates 2.
    for (r, p) in [(3, 0), (4, 0), (5, 1), (6, 2)] {
        let primary = net.node(p).myself_id().to_string();
        net.command(r, &["REPLICATE", &primary]).unwrap();
    }
    assert!(net.run_until(30_000, |net| net.all_ok()
        && net.alive().iter().all(|&i| net
            .node(i)
            .view()
            .nodes()
            .filter(|n| n.is_replica())
            .count()
            == 4)));
    net.kill(6);
    let smaller = if net.node(3).myself_id() < net.node(4).myself_id() {
        3
    } else {
        4
    };
    let target = net.node(2).myself_id();
    let migrated = net.run_until(30_000, |net| {
        net.node(smaller).view().myself().primary() == Some(target)
    });
    assert!(
        migrated,
        "the smaller-named spare replica moved to the orphan"
    );
    let other = 7 - smaller;
    assert_eq!(
        net.node(other).view().myself().primary(),
        Some(net.node(0).myself_id())
    );
}
