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
use shoal_cluster::slots::SlotRange;
use shoal_cluster::view::ClusterView;
use shoal_types::NodeId;

use super::{Boot, Invariant, Step};

const SLOTS: u16 = 16384;

/// Slots `previous run's last + 1 ..= last` have this owner, its
/// configEpoch and the owner's "not claimed" bit (unassigned slots count as
/// unclaimed, with epoch 0).
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

/// (id, slot count, configEpoch) of every node owning slots, table order.
fn fingerprint(view: &ClusterView) -> Vec<(NodeId, usize, u64)> {
    view.nodes_with_slot_counts()
        .filter(|&(_, count)| count > 0)
        .map(|(n, count)| (n.id(), count, n.config_epoch.0))
        .collect()
}

/// `fingerprint(view) == fp`, without building it.
fn same_fingerprint(fp: &[(NodeId, usize, u64)], view: &ClusterView) -> bool {
    let mut kept = fp.iter();
    for (n, count) in view.nodes_with_slot_counts() {
        if count == 0 {
            continue;
        }
        match kept.next() {
            Some(&(id, c, e)) if id == n.id() && c == count && e == n.config_epoch.0 => {}
            _ => return false,
        }
    }
    kept.next().is_none()
}

/// Every assigned slot run with its owner and the owner's configEpoch.
fn owned_runs(view: &ClusterView) -> Vec<(SlotRange, NodeId, u64)> {
    view.owned_ranges()
        .into_iter()
        .map(|(r, id)| {
            let epoch = view.node(&id).map_or(0, |n| n.config_epoch.0);
            (r, id, epoch)
        })
        .collect()
}

fn push_run(runs: &mut Vec<Run>, run: Run) {
    match runs.last_mut() {
        Some(r) if r.owner == run.owner && r.epoch == run.epoch && r.unclaimed == run.unclaimed => {
            r.last = run.last;
        }
        _ => runs.push(run),
    }
}

/// The slot table as runs, from the view's owner runs (`owned`, from
/// [`owned_runs`]) and "not claimed" runs (no per-slot pass: this runs
/// for every change of slot owners).
fn snapshot(view: &ClusterView, owned: &[(SlotRange, NodeId, u64)]) -> Snapshot {
    let unclaimed = view.not_claiming_ranges();
    let mut u = 0;
    let mut runs: Vec<Run> = Vec::new();
    let mut next: u32 = 0;
    for &(range, owner, epoch) in owned {
        let (start, end) = (u32::from(range.start.get()), u32::from(range.end.get()));
        if next < start {
            push_run(
                &mut runs,
                Run {
                    last: (start - 1) as u16,
                    owner: None,
                    epoch: 0,
                    unclaimed: true,
                },
            );
        }
        let mut x = start;
        while x <= end {
            while u < unclaimed.len() && u32::from(unclaimed[u].end.get()) < x {
                u += 1;
            }
            let (last, bit) = match unclaimed.get(u) {
                Some(r) if u32::from(r.start.get()) <= x => (end.min(r.end.get().into()), true),
                Some(r) => (end.min(u32::from(r.start.get()) - 1), false),
                None => (end, false),
            };
            push_run(
                &mut runs,
                Run {
                    last: last as u16,
                    owner: Some(owner),
                    epoch,
                    unclaimed: bit,
                },
            );
            x = last + 1;
        }
        next = end + 1;
    }
    if next < u32::from(SLOTS) {
        push_run(
            &mut runs,
            Run {
                last: SLOTS - 1,
                owner: None,
                epoch: 0,
                unclaimed: true,
            },
        );
    }
    Snapshot {
        fingerprint: fingerprint(view),
        runs,
    }
}

/// The first slot (ascending) whose owner changed from a claiming owner
/// to one without a higher configEpoch than that owner had: (slot, new
/// owner, its epoch, old run).
fn first_bad_adoption<'a>(
    before: &'a [Run],
    owned: &[(SlotRange, NodeId, u64)],
) -> Option<(u16, NodeId, u64, &'a Run)> {
    let mut i = 0;
    for &(range, owner, epoch) in owned {
        let (start, end) = (range.start.get(), range.end.get());
        let mut x = start;
        loop {
            while before[i].last < x {
                i += 1;
            }
            let was = &before[i];
            let adopted = was.owner.is_some_and(|w| w != owner) && !was.unclaimed;
            if adopted && epoch <= was.epoch {
                return Some((x, owner, epoch, was));
            }
            if was.last >= end {
                break;
            }
            x = was.last + 1;
        }
    }
    None
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
                *slot_entry = Some(snapshot(view, &owned_runs(view)));
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
        if same_fingerprint(&before.fingerprint, view) {
            return Ok(());
        }
        let owned = owned_runs(view);
        if let Some((s, new_owner, epoch, was)) = first_bad_adoption(&before.runs, &owned) {
            let old = was.owner.expect("an adoption has an old owner");
            return Err(format!(
                "n{} gave slot {s} to {} (configEpoch {epoch}) over {} (configEpoch {})",
                step.node,
                step.name(&new_owner),
                step.name(&old),
                was.epoch
            ));
        }
        *slot_entry = Some(snapshot(view, &owned));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use shoal_cluster::view::{ClusterView, Node, NodeFlags};
    use shoal_types::{Epoch, Millis, NodeId, Slot};

    use super::*;

    fn id(n: u8) -> NodeId {
        NodeId::from_random([n; 20])
    }

    /// A view of nodes 1..=5 with random owners, epochs and "not claimed"
    /// bits, owners in runs of random length.
    fn random_view(rng: &mut ChaCha8Rng) -> ClusterView {
        let mut view = ClusterView::fresh(id(1), Millis(0));
        for n in 2..=5 {
            let mut node = Node::new(id(n));
            node.flags = NodeFlags::PRIMARY;
            view.add_node(node).unwrap();
        }
        for n in 1..=5 {
            view.node_mut(&id(n)).unwrap().config_epoch = Epoch(rng.random_range(0..4));
        }
        let mut s = 0u32;
        while s < u32::from(SLOTS) {
            let len = rng.random_range(1..3000u32);
            let owner = rng.random_range(0..=5u8);
            for x in s..(s + len).min(u32::from(SLOTS)) {
                let slot = Slot::new(x as u16).unwrap();
                if owner > 0 {
                    view.assign_slot(slot, &id(owner)).unwrap();
                }
                if rng.random_range(0..4) == 0 {
                    view.set_owner_not_claiming(slot, true);
                }
            }
            s += len;
        }
        view
    }

    /// The checker's per-slot reading, written out slot by slot.
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

    fn state_in(runs: &[Run], s: u16) -> (Option<NodeId>, u64, bool) {
        let r = runs.iter().find(|r| r.last >= s).unwrap();
        (r.owner, r.epoch, r.unclaimed)
    }

    #[test]
    fn runs_and_adoptions_match_a_slot_by_slot_reading() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut found = 0;
        for _ in 0..40 {
            let a = random_view(&mut rng);
            let b = random_view(&mut rng);
            let snap = snapshot(&a, &owned_runs(&a));
            assert!(same_fingerprint(&snap.fingerprint, &a));
            for s in 0..SLOTS {
                assert_eq!(
                    state_in(&snap.runs, s),
                    slot_state(&a, Slot::new(s).unwrap())
                );
            }
            let naive = (0..SLOTS).find_map(|s| {
                let was = state_in(&snap.runs, s);
                let (owner, epoch, _) = slot_state(&b, Slot::new(s).unwrap());
                let new_owner = owner?;
                if owner == was.0 || was.0.is_none() || was.2 {
                    return None;
                }
                (epoch <= was.1).then_some((s, new_owner, epoch))
            });
            let fast =
                first_bad_adoption(&snap.runs, &owned_runs(&b)).map(|(s, o, e, _)| (s, o, e));
            assert_eq!(fast, naive);
            found += usize::from(naive.is_some());
        }
        // Both outcomes were exercised.
        assert!(found > 0 && found < 40, "{found}");
    }
}
