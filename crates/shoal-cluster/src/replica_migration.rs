//! Replica migration (spec 3.12): a replica of a primary with the most
//! working replicas moves to a primary left without any, so that every
//! primary keeps a failover candidate.
//!
//! Only the replica with the smallest name among the best-covered shards
//! moves, only while the cluster is ok, only if its primary keeps more
//! than `cluster-migration-barrier` working replicas, and only after the
//! target has been orphaned for [`MIGRATION_DELAY_MS`].

use shoal_types::{Millis, NodeId};

use crate::node::{stamp, ClusterNode};
use crate::output::ClusterEvent;
use crate::view::{ClusterState, NodeFlags};

/// How long a primary must stay orphaned before a replica moves to it.
pub const MIGRATION_DELAY_MS: u64 = 5000;

impl ClusterNode {
    /// For every node in table order, its non-FAIL replicas (one pass over
    /// the table: this runs at every cron of every replica, and counting
    /// per primary would be quadratic in the cluster size).
    fn working_replicas(&self) -> Vec<usize> {
        self.view.replica_counts(|r| !r.is_failed())
    }

    /// The cron's replica-migration step (replicas only).
    pub(crate) fn handle_replica_migration(&mut self) {
        let me = self.view.myself();
        if !me.is_replica() || !self.config.allow_replica_migration {
            return;
        }
        let my_primary = me.primary();
        let mut orphaned = 0;
        let mut max_replicas = 0;
        let mut mine = 0;
        let working = self.working_replicas();
        for ((node, slots), &ok) in self.view.nodes_with_slot_counts().zip(&working) {
            if node
                .flags
                .intersects(NodeFlags::MYSELF | NodeFlags::NOADDR | NodeFlags::HANDSHAKE)
            {
                continue;
            }
            if node.is_primary() && !node.is_failed() {
                if ok == 0 && slots > 0 && node.flags.contains(NodeFlags::MIGRATE_TO) {
                    orphaned += 1;
                }
                max_replicas = max_replicas.max(ok);
                if my_primary == Some(node.id()) {
                    mine = ok;
                }
            }
        }
        if orphaned == 0 || max_replicas < 2 || mine != max_replicas {
            return;
        }
        self.migrate_if_candidate(max_replicas);
    }

    fn migrate_if_candidate(&mut self, max_replicas: usize) {
        let now = self.now;
        if self.view.state != ClusterState::Ok {
            return;
        }
        let me = self.view.myself_id();
        let Some(my_primary) = self.view.myself().primary() else {
            return;
        };
        let healthy = self
            .view
            .replicas_of(&my_primary)
            .filter(|r| !r.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL))
            .count();
        if healthy <= self.config.migration_barrier {
            return;
        }
        let mut candidate = me;
        let mut target: Option<NodeId> = None;
        let mut orphan_marks: Vec<(NodeId, bool)> = Vec::new();
        let working = self.working_replicas();
        // The primaries whose replicas compete to be the one that moves.
        let mut best_covered = vec![false; working.len()];
        for (((node, slots), &working), best) in self
            .view
            .nodes_with_slot_counts()
            .zip(&working)
            .zip(&mut best_covered)
        {
            let mut is_orphaned = !(node.is_replica() || node.is_failed())
                && node.flags.contains(NodeFlags::MIGRATE_TO);
            let ok = if node.is_primary() { working } else { 0 };
            if ok > 0 {
                is_orphaned = false;
            }
            if is_orphaned && target.is_none() && slots > 0 {
                target = Some(node.id());
            }
            orphan_marks.push((node.id(), is_orphaned));
            *best = ok == max_replicas;
        }
        // The smallest name among their replicas (all of them, FAIL or not).
        for r in self.view.nodes() {
            let Some(pos) = r.primary().and_then(|p| self.view.position(&p)) else {
                continue;
            };
            if best_covered[pos] && r.id().as_bytes() < candidate.as_bytes() {
                candidate = r.id();
            }
        }
        for (id, orphaned) in orphan_marks {
            let n = self.view.node_mut(&id).expect("listed above");
            if !orphaned {
                n.orphaned_time = Millis(0);
            } else if n.orphaned_time == Millis(0) {
                n.orphaned_time = stamp(now);
            }
        }
        let Some(target) = target else { return };
        let since = self.view.node(&target).expect("listed").orphaned_time;
        if candidate == me && now.since(since) > MIGRATION_DELAY_MS {
            self.events.push(ClusterEvent::Log(format!(
                "Migrating to orphaned master {target}"
            )));
            self.become_replica_of(&target);
        }
    }
}
