//! No node flags another FAIL by itself without failure reports from a
//! majority of primaries.
//!
//! A node flags FAIL in two ways: it reaches the quorum itself (while
//! reading gossip), or it believes a FAIL message. The second is checked
//! where the message came from. For the first, at the step where the node
//! announces [`ClusterEvent::NodeFailed`] while handling anything but a
//! FAIL message, this checker reads the failed node's entry in the view
//! after the step and requires: distinct reporters, none of them the node
//! itself or the failed node, every report younger than twice the node
//! timeout, and `reports + (1 if the node is a primary)` ≥ `size / 2 + 1`,
//! with `size` the cluster size the node had before the step.
//!
//! What cannot be checked from outside: that each reporter was a primary
//! when it reported (roles change afterwards), and that its gossip really
//! said PFAIL (the checker does not decode every gossip section).
//!
//! [`ClusterEvent::NodeFailed`]: shoal_cluster::output::ClusterEvent::NodeFailed

use std::collections::BTreeSet;

use shoal_cluster::output::{ClusterEvent, Output};
use shoal_cluster::wire::MessageType;

use super::{Invariant, Step};

/// See the module docs.
#[derive(Debug, Default)]
pub struct FailNeedsMajority;

impl Invariant for FailNeedsMajority {
    fn name(&self) -> &'static str {
        "fail-needs-majority"
    }

    fn check(&mut self, step: &Step<'_>) -> Result<(), String> {
        if step.input == Some(MessageType::Fail) {
            return Ok(());
        }
        for o in step.outputs {
            let Output::Event(ClusterEvent::NodeFailed(id)) = o else {
                continue;
            };
            let view = step.view;
            let me = view.myself();
            let Some(failed) = view.node(id) else {
                return Err(format!(
                    "n{} flagged {} FAIL but does not know it",
                    step.node,
                    step.name(id)
                ));
            };
            let validity = step.node_timeout_ms * 2;
            let mut reporters = BTreeSet::new();
            for r in &failed.failure_reports {
                if r.reporter == me.id() || r.reporter == *id {
                    return Err(format!(
                        "n{}: report about {} from {} itself",
                        step.node,
                        step.name(id),
                        step.name(&r.reporter)
                    ));
                }
                if step.local_now.since(r.time) > validity {
                    return Err(format!(
                        "n{}: stale report about {} from {}",
                        step.node,
                        step.name(id),
                        step.name(&r.reporter)
                    ));
                }
                if !reporters.insert(r.reporter) {
                    return Err(format!(
                        "n{}: two reports about {} from {}",
                        step.node,
                        step.name(id),
                        step.name(&r.reporter)
                    ));
                }
            }
            let votes = reporters.len() + usize::from(me.is_primary());
            let quorum = step.size_before / 2 + 1;
            if votes < quorum {
                return Err(format!(
                    "n{} flagged {} FAIL with {votes} reports (quorum {quorum} of size {})",
                    step.node,
                    step.name(id),
                    step.size_before
                ));
            }
        }
        Ok(())
    }
}
