//! currentEpoch never decreases, and neither does a node's own configEpoch.
//!
//! Within one process lifetime both are checked step by step. Across a
//! restart the check is what the protocol needs rather than what Redis
//! keeps: a currentEpoch learnt from a peer's header is not saved (Redis
//! 7.0 does not save it either; gossip brings it back), so the restarted
//! value may be lower than the last one in memory. What must survive is
//! every epoch the node *acted on* — an election it started (the epoch in
//! its FAILOVER_AUTH_REQUEST), a vote it gave (its FAILOVER_AUTH_ACK), its
//! own configEpoch as a primary in any message it sent — since each of
//! those is fsynced before the message leaves. So after a restart:
//! `currentEpoch ≥` the greatest acted-on epoch, `lastVoteEpoch ≥` the
//! greatest epoch it voted in, and a node restarting as a primary has a
//! configEpoch no lower than the last one it advertised as a primary.

use shoal_cluster::wire::MessageType;

use super::{header_of, Boot, Invariant, Step};

#[derive(Debug, Clone, Copy, Default)]
struct History {
    /// currentEpoch after the last step of the running process.
    current: Option<u64>,
    /// Own configEpoch after the last step of the running process.
    config: Option<u64>,
    /// Greatest epoch acted on (requested, voted, advertised as primary).
    acted: u64,
    /// Greatest epoch voted in.
    voted: u64,
    /// Greatest own configEpoch advertised while a primary.
    advertised_config: u64,
}

/// See the module docs.
pub struct EpochsNeverGoBack {
    nodes: Vec<History>,
}

impl EpochsNeverGoBack {
    /// For `nodes` nodes.
    pub fn new(nodes: usize) -> EpochsNeverGoBack {
        EpochsNeverGoBack {
            nodes: vec![History::default(); nodes],
        }
    }
}

impl Invariant for EpochsNeverGoBack {
    fn name(&self) -> &'static str {
        "epochs-never-go-back"
    }

    fn check(&mut self, step: &Step<'_>) -> Result<(), String> {
        let h = &mut self.nodes[step.node];
        let view = step.view;
        let current = view.current_epoch.0;
        let me = view.myself();
        let config = me.config_epoch.0;
        match step.boot {
            Boot::Restarted => {
                if current < h.acted {
                    return Err(format!(
                        "n{} restarted with currentEpoch {current} below epoch {} it acted on",
                        step.node, h.acted
                    ));
                }
                if view.last_vote_epoch.0 < h.voted {
                    return Err(format!(
                        "n{} restarted with lastVoteEpoch {} below epoch {} it voted in",
                        step.node, view.last_vote_epoch, h.voted
                    ));
                }
                if me.is_primary() && config < h.advertised_config {
                    return Err(format!(
                        "n{} restarted as a primary with configEpoch {config} below {} it advertised",
                        step.node, h.advertised_config
                    ));
                }
            }
            Boot::Fresh => {}
            Boot::Running => {
                if let Some(before) = h.current.filter(|&b| current < b) {
                    return Err(format!(
                        "n{} currentEpoch went from {before} to {current}",
                        step.node
                    ));
                }
                if let Some(before) = h.config.filter(|&b| config < b) {
                    return Err(format!(
                        "n{} own configEpoch went from {before} to {config}",
                        step.node
                    ));
                }
            }
        }
        // A restarted replica loads configEpoch 0 (as Redis's loader does):
        // the within-lifetime check starts again from what was loaded.
        h.current = Some(current);
        h.config = Some(config);
        for s in step.sent {
            match s.kind {
                Some(MessageType::FailoverAuthRequest) | Some(MessageType::FailoverAuthAck) => {
                    let Some(hdr) = header_of(s.bytes) else {
                        return Err(format!("n{} sent an undecodable frame", step.node));
                    };
                    h.acted = h.acted.max(hdr.current_epoch.0);
                    if s.kind == Some(MessageType::FailoverAuthAck) {
                        h.voted = h.voted.max(hdr.current_epoch.0);
                    }
                }
                _ => {}
            }
        }
        if !step.sent.is_empty() && me.is_primary() {
            h.acted = h.acted.max(config);
            h.advertised_config = h.advertised_config.max(config);
        }
        Ok(())
    }
}
