//! configEpoch collisions (spec 3.8).
//!
//! Two primaries must never share a configEpoch, or a slot claimed by both
//! could never be settled. When a primary hears another primary with its
//! own configEpoch, the one with the smaller name takes a fresh epoch
//! (`currentEpoch + 1`), saved with fsync before any message carries it;
//! the greatest name never moves. Repeated meetings make all epochs
//! distinct.
//!
//! The other epoch rules live where they happen: raising currentEpoch from
//! headers in [`crate::receive`], election epochs in [`crate::failover`],
//! bumps without consensus in [`crate::view::ClusterView`].

use shoal_types::{Epoch, NodeId};

use crate::node::ClusterNode;
use crate::output::ClusterEvent;
use crate::wire::Header;

impl ClusterNode {
    /// Resolves a configEpoch shared by myself and the primary `sender`.
    pub(crate) fn handle_config_epoch_collision(&mut self, sender: &NodeId, hdr: &Header) {
        let me = self.view.myself();
        let Some(s) = self.view.node(sender) else {
            return;
        };
        if !me.is_primary() || !s.is_primary() {
            return;
        }
        if hdr.config_epoch != me.config_epoch || s.config_epoch != me.config_epoch {
            return;
        }
        // Only the node with the smaller name moves.
        if sender.as_bytes() <= me.id().as_bytes() {
            return;
        }
        self.view.current_epoch = Epoch(self.view.current_epoch.0 + 1);
        let epoch = self.view.current_epoch;
        self.view.myself_mut().config_epoch = epoch;
        self.chores.save_fsync();
        self.events.push(ClusterEvent::Log(format!(
            "WARNING: configEpoch collision with node {sender}. configEpoch set to {epoch}"
        )));
    }
}
