//! A node adopts a slot claim only from a higher configEpoch.
//!
//! For every node the checker keeps a snapshot of its slot table (owner,
//! owner's configEpoch, whether the owner still claims the slot). After a
//! step that changed the table, every slot whose owner changed from `A` to
//! `B` must have `epoch(B) after > epoch(A) before`, unless the slot was
//! unassigned or unclaimed before (then any claimant may take it, as Redis
//! allows). A slot losing its owner (a primary turned replica, a node
//! deleted) is not an adoption.
//!
//! Every change of slot owners or of a node's configEpoch makes the node
//! save nodes.conf, so the snapshot is refreshed only on steps that
//! persisted, and then only if the owners' (slot count, configEpoch)
//! fingerprint moved. The "not claimed" bit can change without a save; a
//! stale bit could only make this checker stricter, never miss a bad
//! adoption.

use shoal_cluster::output::Output;
use shoal_cluster::view::ClusterView;
use shoal_types::{NodeId, Slot};

use super::{Boot, Invariant, Step};

const SLOTS: u16 = 16384;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Run {
    last: u16,
    owner: Option<NodeId>,
    epoch: u64,
    unclaimed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot {
    fingerprint: Vec<(NodeId, usize, u64)>,
    runs: Vec<Run>,
}

fn fingerprint(view: &ClusterView) -> Vec<(NodeId, usize, u64)> {
    view.nodes()
        .filter_map(|n| {
            let count = view.slot_count_of(&n.id());
            (count > 0).then(|| (n.id(), count, n.config_epoch.0))
        })
        .collect()
}

fn slot_state(view: &ClusterView, slot: Slot) -> (Option<NodeId>, u64, bool) {
    match view.slot_owner(slot) {
        Some(o) => (
            Some(o.id()),
            o.config_epoch.0,
            view.owner_not_claiming(slot),
        ),
        None => (None, 0, true),
    }
}

fn snapshot(view: &ClusterView) -> Snapshot {
    let mut runs: Vec<Run> = Vec::new();
    for s in 0..SLOTS {
        let (owner, epoch, unclaimed) = slot_state(view, Slot::new(s).expect("in range"));
        match runs.last_mut() {
            Some(r) if r.owner == owner && r.epoch == epoch && r.unclaimed == unclaimed => {
                r.last = s;
            }
            _ => runs.push(Run {
                last: s,
                owner,
                epoch,
                unclaimed,
            }),
        }
    }
    Snapshot {
        fingerprint: fingerprint(view),
        runs,
    }
}

/// See the module docs.
pub struct ClaimsNeedHigherEpoch {
    nodes: Vec<Option<Snapshot>>,
}

impl ClaimsNeedHigherEpoch {
    /// For `nodes` nodes.
    pub fn new(nodes: usize) -> ClaimsNeedHigherEpoch {
        ClaimsNeedHigherEpoch {
            nodes: vec![None; nodes],
        }
    }
}

impl Invariant for ClaimsNeedHigherEpoch {
    fn name(&self) -> &'static str {
        "claims-need-higher-epoch"
    }

    fn check(&mut self, step: &Step<'_>) -> Result<(), String> {
        let view = step.view;
        let slot_entry = &mut self.nodes[step.node];
        let before = match (step.boot, slot_entry.as_ref()) {
            (Boot::Running, Some(b)) => b,
            _ => {
                *slot_entry = Some(snapshot(view));
                return Ok(());
            }
        };
        if !step
            .outputs
            .iter()
            .any(|o| matches!(o, Output::PersistConfig { .. }))
        {
            return Ok(());
        }
        if before.fingerprint == fingerprint(view) {
            return Ok(());
        }
        let mut run = 0;
        for s in 0..SLOTS {
            while before.runs[run].last < s {
                run += 1;
            }
            let was = &before.runs[run];
            let slot = Slot::new(s).expect("in range");
            let (owner, epoch, _) = slot_state(view, slot);
            let Some(new_owner) = owner else { continue };
            if owner == was.owner || was.owner.is_none() || was.unclaimed {
                continue;
            }
            if epoch <= was.epoch {
                let old = was.owner.expect("checked above");
                return Err(format!(
                    "n{} gave slot {s} to {} (configEpoch {epoch}) over {} (configEpoch {})",
                    step.node,
                    step.name(&new_owner),
                    step.name(&old),
                    was.epoch
                ));
            }
        }
        *slot_entry = Some(snapshot(view));
        Ok(())
    }
}
