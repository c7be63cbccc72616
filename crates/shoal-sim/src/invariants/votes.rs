//! A primary votes at most once per epoch, across restarts too, so no
//! epoch can have two winners.
//!
//! Votes are read from what leaves the node: every FAILOVER_AUTH_ACK it
//! sends, whose header carries the epoch voted in (the voter's
//! currentEpoch, equal to its lastVoteEpoch at that moment). The record
//! lives here, not in the node, so it survives crashes.

use std::collections::BTreeMap;

use shoal_cluster::wire::MessageType;

use super::{header_of, Invariant, Step};

/// See the module docs.
#[derive(Debug, Default)]
pub struct OneVotePerEpoch {
    /// (voter, epoch) → the candidate it went to.
    votes: BTreeMap<(usize, u64), Option<usize>>,
}

impl Invariant for OneVotePerEpoch {
    fn name(&self) -> &'static str {
        "one-vote-per-epoch"
    }

    fn check(&mut self, step: &Step<'_>) -> Result<(), String> {
        for s in step.sent {
            if s.kind != Some(MessageType::FailoverAuthAck) {
                continue;
            }
            let Some(hdr) = header_of(s.bytes) else {
                return Err(format!("n{} sent an undecodable AUTH_ACK", step.node));
            };
            let epoch = hdr.current_epoch.0;
            if let Some(first) = self.votes.insert((step.node, epoch), s.to) {
                let name = |c: Option<usize>| c.map_or("?".to_string(), |c| format!("n{c}"));
                return Err(format!(
                    "n{} voted twice in epoch {epoch}: for {} and for {}",
                    step.node,
                    name(first),
                    name(s.to)
                ));
            }
        }
        Ok(())
    }
}
