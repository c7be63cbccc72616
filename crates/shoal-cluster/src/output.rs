//! What the bus state machine asks the driver to do: [`Output`], and the
//! notifications for the rest of the node: [`ClusterEvent`].
//!
//! Outputs are commands, in the order they must run. In particular a
//! [`Output::PersistConfig`] comes before every [`Output::Send`] produced by
//! the same call, so a vote, an election epoch or a bumped configEpoch is
//! on disk before any message that depends on it leaves (spec 3.16).

use shoal_types::{Millis, NodeId, Slot};

use crate::links::LinkId;
use crate::view::ClusterState;

/// One command for the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Open a TCP connection to `ip:port` (a bus port) and report
    /// [`crate::input::Input::Connected`] or
    /// [`crate::input::Input::ConnectFailed`] for `link`.
    Connect {
        /// The core's id for the new outbound link.
        link: LinkId,
        /// The peer's IP as text.
        ip: String,
        /// The peer's bus port.
        port: u16,
    },
    /// Write these bytes (one encoded message) to `link`. Only ever issued
    /// for connected links.
    Send {
        /// Where to write.
        link: LinkId,
        /// One complete frame.
        bytes: Vec<u8>,
    },
    /// Close `link` and forget it; don't report [`crate::input::Input::Closed`]
    /// for it.
    Close(LinkId),
    /// Write `text` as nodes.conf (then fsync if `fsync`) before running
    /// the outputs that follow.
    PersistConfig {
        /// Whether the write must be fsynced before going on.
        fsync: bool,
        /// The whole nodes.conf content.
        text: String,
    },
    /// Something the rest of the node must act on.
    Event(ClusterEvent),
}

/// Notifications for the node that embeds the bus (replication, keyspace,
/// pub/sub, logging).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterEvent {
    /// `cluster_state` changed.
    StateChanged(ClusterState),
    /// This node is a replica of `primary` (new, or its address changed):
    /// replicate from `ip:port`.
    ReplicateFrom {
        /// The primary's id.
        primary: NodeId,
        /// Its IP.
        ip: String,
        /// Its client port.
        port: u16,
    },
    /// This node became a primary (won an election, TAKEOVER, or an UPDATE
    /// told it): stop replicating, keep the data.
    BecamePrimary,
    /// CLUSTER RESET on a replica: stop replicating and empty the dataset.
    StopReplicationAndFlush,
    /// `node` was marked FAIL here (by quorum or by a FAIL message).
    NodeFailed(NodeId),
    /// This node lost these slots to a newer owner while staying a primary:
    /// delete their keys.
    DeleteKeysInSlots(Vec<Slot>),
    /// These slots stopped being served by this node's shard: drop the
    /// shard-channel subscriptions that hash to them.
    DropShardChannels(Vec<Slot>),
    /// A PUBLISH (`sharded: false`) or SPUBLISH from another node: deliver
    /// to local subscribers of that kind, if any.
    Published {
        /// The channel.
        channel: Vec<u8>,
        /// The message.
        message: Vec<u8>,
        /// Shard channel (SPUBLISH) rather than a global one.
        sharded: bool,
    },
    /// A MODULE message from a known node.
    ModuleMessage {
        /// The sending node.
        sender: NodeId,
        /// The module id as the sender wrote it.
        module_id: u64,
        /// The module's message type.
        module_type: u8,
        /// The payload.
        payload: Vec<u8>,
    },
    /// A manual failover started here as the primary: refuse client writes
    /// until `until` or until [`ClusterEvent::ResumeWrites`].
    PauseWrites {
        /// End of the pause.
        until: Millis,
    },
    /// The manual failover that paused writes ended.
    ResumeWrites,
    /// A line for the server log, as Redis would log it.
    Log(String),
}
