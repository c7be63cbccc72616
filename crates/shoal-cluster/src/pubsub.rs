//! Pub/Sub propagation (spec 3.15): a PUBLISH goes to every node we have
//! an outbound link to; an SPUBLISH goes to the other nodes of this node's
//! shard (its primary and that primary's replicas).
//!
//! Receiving is in [`crate::receive`]: a PUBLISH or PUBLISHSHARD from a
//! known sender becomes [`crate::output::ClusterEvent::Published`].

use shoal_types::NodeId;

use crate::links::LinkId;
use crate::node::ClusterNode;
use crate::wire::Body;

impl ClusterNode {
    /// Propagates a local PUBLISH (`sharded: false`) or SPUBLISH.
    pub(crate) fn propagate_publish(&mut self, channel: Vec<u8>, message: Vec<u8>, sharded: bool) {
        if !sharded {
            let msg = self.message(Body::Publish { channel, message });
            self.broadcast(&msg);
            return;
        }
        let me = self.view.myself();
        let shard_primary = if me.is_primary() {
            Some(me.id())
        } else {
            me.primary()
        };
        let Some(primary) = shard_primary else {
            return;
        };
        let my_id = me.id();
        let members: Vec<NodeId> = std::iter::once(primary)
            .chain(self.view.replicas_of(&primary).map(|r| r.id()))
            .filter(|id| *id != my_id)
            .collect();
        let links: Vec<LinkId> = members
            .iter()
            .filter_map(|id| self.links.outbound(id))
            .collect();
        if links.is_empty() {
            return;
        }
        let msg = self.message(Body::PublishShard { channel, message });
        for link in links {
            self.send(link, &msg);
        }
    }
}
