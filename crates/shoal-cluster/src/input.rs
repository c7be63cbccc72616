//! What the driver feeds the bus state machine: [`Input`].
//!
//! Each input is one thing the driver observed (a timer fired, a socket
//! connected, a frame arrived, the replication layer moved on). The driver
//! passes the time it observed it at to [`crate::node::ClusterNode::handle`];
//! nothing here carries a clock reading of its own.
//!
//! CLUSTER commands do not go through [`Input`]: they need a reply, so they
//! have their own entry point, [`crate::node::ClusterNode::execute_command`].

use shoal_types::Millis;

use crate::links::LinkId;

/// One observation for [`crate::node::ClusterNode::handle`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A timer fired. Early, late or repeated ticks are harmless: the
    /// cron runs when its deadline ([`crate::node::ClusterNode::next_deadline`])
    /// has passed and ignores the tick otherwise.
    Tick,
    /// The bus listener accepted a connection. The driver picks `link`
    /// (an [`LinkId::Inbound`] not in use).
    Accepted {
        /// The driver's id for the new connection.
        link: LinkId,
        /// The peer's IP as text (IPv6 without brackets).
        peer_ip: String,
        /// Our own IP on this connection: a MEET tells a node which of its
        /// addresses its peers use.
        local_ip: String,
    },
    /// An outbound connection asked for with [`crate::output::Output::Connect`]
    /// is established.
    Connected(LinkId),
    /// An outbound connection could not be established. The link is gone;
    /// the cron retries on its next run.
    ConnectFailed(LinkId),
    /// The peer closed the connection, or reading/writing failed. Not to be
    /// reported for links the core closed itself ([`crate::output::Output::Close`]);
    /// unknown links are ignored anyway.
    Closed(LinkId),
    /// One complete frame read from `link` (cut with [`crate::wire::next_frame`]).
    /// When `next_frame` itself fails, the driver reports the error as a
    /// packet anyway (the bytes it has) or just closes the link and sends
    /// [`Input::Closed`].
    Packet {
        /// The link the frame arrived on.
        link: LinkId,
        /// Exactly one frame, `RCmb` prefix included.
        bytes: Vec<u8>,
    },
    /// The replication layer's current facts, sent whenever they change
    /// (at least when the offset moves). The bus puts the offset in every
    /// header, ranks replicas by it, and uses `primary_last_seen` to decide
    /// whether a replica's data is fresh enough to fail over.
    Replication(ReplicationStatus),
    /// A client ran PUBLISH (`sharded: false`) or SPUBLISH (`sharded: true`)
    /// here; propagate it to the other nodes (spec 3.15). Local delivery is
    /// the caller's business.
    Publish {
        /// The channel.
        channel: Vec<u8>,
        /// The message.
        message: Vec<u8>,
        /// SPUBLISH: only the nodes of this node's shard get it.
        sharded: bool,
    },
}

/// What the bus needs to know about replication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReplicationStatus {
    /// A primary's replication offset, or the offset a replica processed.
    pub offset: u64,
    /// Replica only: while connected to its primary, when it last heard
    /// from it; while disconnected, since when. `None` (the default) means
    /// unknown, and then the data is taken as fresh.
    pub primary_last_seen: Option<Millis>,
}
