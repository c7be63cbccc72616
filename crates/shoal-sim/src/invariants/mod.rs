//! Safety invariants, one module per property, checked after every step
//! of every node (and once at quiescence for the one that needs settled
//! gossip).
//!
//! Each checker sees the node's view after the step, the outputs of the
//! step (with the destination of every message the world routed), and
//! keeps whatever history it needs itself, per node and across restarts:
//! the nodes forget when they crash, the checkers do not.
//!
//! | module | property |
//! | --- | --- |
//! | [`epochs`] | currentEpoch never decreases; across a restart it is at least every epoch the node acted on; a node's own configEpoch never decreases |
//! | [`votes`] | a primary votes at most once per epoch, across restarts too |
//! | [`slot_claims`] | a node adopts a slot claim only from a higher configEpoch |
//! | [`fail_quorum`] | a node flags FAIL by itself only with reports from a majority of primaries |
//! | [`owner_epochs`] | at quiescence, no two slot owners share a configEpoch |

pub mod epochs;
pub mod fail_quorum;
pub mod owner_epochs;
pub mod slot_claims;
pub mod votes;

use std::collections::BTreeMap;
use std::fmt;

use shoal_cluster::output::Output;
use shoal_cluster::view::ClusterView;
use shoal_cluster::wire::MessageType;
use shoal_types::{Millis, NodeId};

/// How the node came to be in this step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boot {
    /// An ordinary step of a running process.
    Running,
    /// A process started without nodes.conf (the first start).
    Fresh,
    /// A process restarted from its nodes.conf; no input handled yet.
    Restarted,
}

/// One message the step sent, as routed by the world.
#[derive(Debug, Clone, Copy)]
pub struct Sent<'a> {
    /// The node at the other end of the connection, if it still exists.
    pub to: Option<usize>,
    /// The message type (bytes 12-13 of the frame).
    pub kind: Option<MessageType>,
    /// The frame.
    pub bytes: &'a [u8],
}

/// What a checker sees of one step.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// World time.
    pub now: Millis,
    /// The node's own clock.
    pub local_now: Millis,
    /// The node.
    pub node: usize,
    /// Its view after the step.
    pub view: &'a ClusterView,
    /// The step's outputs, in order.
    pub outputs: &'a [Output],
    /// The messages among the outputs.
    pub sent: &'a [Sent<'a>],
    /// The type of the packet this step handled, if it handled one.
    pub input: Option<MessageType>,
    /// Fresh start, restart, or an ordinary step.
    pub boot: Boot,
    /// The cluster size the node had before the step.
    pub size_before: usize,
    /// `cluster-node-timeout`, ms.
    pub node_timeout_ms: u64,
    /// Node id → index, for messages.
    pub names: &'a BTreeMap<NodeId, usize>,
}

impl Step<'_> {
    /// `nX` for a node id, or its first characters if unknown.
    pub fn name(&self, id: &NodeId) -> String {
        match self.names.get(id) {
            Some(i) => format!("n{i}"),
            None => id.as_str()[..8].to_string(),
        }
    }
}

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The invariant's name.
    pub invariant: &'static str,
    /// What happened, with node names and epochs.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.invariant, self.message)
    }
}

/// One property checked after every step.
pub trait Invariant {
    /// A short name for reports.
    fn name(&self) -> &'static str;
    /// Checks one step; `Err` describes the violation.
    fn check(&mut self, step: &Step<'_>) -> Result<(), String>;
}

/// Every per-step checker.
pub struct Checkers {
    list: Vec<Box<dyn Invariant>>,
}

impl Checkers {
    /// All checkers, for `nodes` nodes.
    pub fn new(nodes: usize) -> Checkers {
        Checkers {
            list: vec![
                Box::new(epochs::EpochsNeverGoBack::new(nodes)),
                Box::new(votes::OneVotePerEpoch::default()),
                Box::new(slot_claims::ClaimsNeedHigherEpoch::new(nodes)),
                Box::new(fail_quorum::FailNeedsMajority),
            ],
        }
    }

    /// Runs every checker on `step`; the first violation found.
    pub fn check(&mut self, step: &Step<'_>) -> Result<(), Violation> {
        for c in &mut self.list {
            c.check(step).map_err(|message| Violation {
                invariant: c.name(),
                message,
            })?;
        }
        Ok(())
    }
}

/// The header of a frame, if it decodes.
pub(crate) fn header_of(bytes: &[u8]) -> Option<shoal_cluster::wire::Header> {
    shoal_cluster::wire::decode(bytes).ok().map(|m| m.header)
}
