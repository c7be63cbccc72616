//! Failure detection (spec 3.7): PONGs clear PFAIL, failure reports from
//! primaries turn PFAIL into FAIL once a majority of the slot-serving
//! primaries agree, FAIL is broadcast, and FAIL is undone when the node
//! answers again (at once for replicas and slot-less primaries, after twice
//! the node timeout for a primary nobody replaced).
//!
//! PFAIL itself is set by the cron ([`crate::cron`]); reports arrive through
//! gossip ([`crate::gossip`]).

use shoal_types::NodeId;

use crate::links::LinkId;
use crate::node::ClusterNode;
use crate::output::ClusterEvent;
use crate::view::NodeFlags;
use crate::wire::Body;

impl ClusterNode {
    /// Promotes `id` from PFAIL to FAIL when enough primaries report it
    /// (counting myself if I am a primary), and tells everyone.
    pub(crate) fn mark_failing_if_needed(&mut self, id: &NodeId) {
        let now = self.now;
        let validity = self.config.node_timeout_ms * 2;
        let quorum = self.view.size / 2 + 1;
        let i_am_primary = self.view.myself().is_primary();
        let Some(node) = self.view.node_mut(id) else {
            return;
        };
        if !node.is_timed_out() || node.is_failed() {
            return;
        }
        node.prune_failure_reports(now, validity);
        let failures = node.failure_reports.len() + usize::from(i_am_primary);
        if failures < quorum {
            return;
        }
        node.flags.remove(NodeFlags::PFAIL);
        node.flags.insert(NodeFlags::FAIL);
        node.fail_time = now;
        self.events.push(ClusterEvent::Log(format!(
            "Marking node {id} as failing (quorum reached)."
        )));
        self.events.push(ClusterEvent::NodeFailed(*id));
        // Replicas broadcast too: the reports came from primaries anyway.
        let msg = self.message(Body::Fail { node: *id });
        self.broadcast(&msg);
        self.chores.save_and_update();
    }

    /// A FAIL message from a known sender: believe it.
    pub(crate) fn fail_message_received(&mut self, id: &NodeId) {
        let now = self.now;
        let Some(node) = self.view.lookup(id.as_bytes()).map(|n| n.id()) else {
            return;
        };
        let node = self.view.node_mut(&node).expect("looked up");
        if node.flags.intersects(NodeFlags::FAIL | NodeFlags::MYSELF) {
            return;
        }
        node.flags.insert(NodeFlags::FAIL);
        node.flags.remove(NodeFlags::PFAIL);
        node.fail_time = now;
        self.events.push(ClusterEvent::NodeFailed(*id));
        self.chores.save_and_update();
    }

    /// A PONG arrived on our outbound link `link`: the node answers.
    pub(crate) fn pong_received_on(&mut self, link: LinkId) {
        let now = self.now;
        let Some(l) = self.links.get_mut(link) else {
            return;
        };
        if let Some(sent) = l.last_ping_sent {
            l.rtt_ms = Some(now.since(sent));
        }
        l.last_pong_received = Some(now);
        let Some(id) = l.node else { return };
        let Some(node) = self.view.node_mut(&id) else {
            return;
        };
        node.pong_received = now;
        node.ping_sent = shoal_types::Millis(0);
        if node.is_timed_out() {
            node.flags.remove(NodeFlags::PFAIL);
            self.chores.save_and_update();
        } else if node.is_failed() {
            self.clear_failure_if_needed(&id);
        }
    }

    /// Undoes FAIL for a node that answers again, when that is safe.
    fn clear_failure_if_needed(&mut self, id: &NodeId) {
        let now = self.now;
        let undo_after = self.config.node_timeout_ms * 2;
        let slots = self.view.slot_count_of(id);
        let Some(node) = self.view.node_mut(id) else {
            return;
        };
        if node.is_replica() || slots == 0 {
            node.flags.remove(NodeFlags::FAIL);
            let what = if node.is_replica() {
                "replica"
            } else {
                "master without slots"
            };
            self.events.push(ClusterEvent::Log(format!(
                "Clear FAIL state for node {id}: {what} is reachable again."
            )));
            self.chores.save_and_update();
            return;
        }
        if node.is_primary() && now.since(node.fail_time) > undo_after {
            node.flags.remove(NodeFlags::FAIL);
            self.events.push(ClusterEvent::Log(format!(
                "Clear FAIL state for node {id}: is reachable again and nobody is serving its slots after some time."
            )));
            self.chores.save_and_update();
        }
    }
}
