//! Once gossip has settled, no two nodes own slots with the same
//! configEpoch.
//!
//! Checked at quiescence (after the liveness phase found one slot map
//! everywhere), over the views of every live node: within each view the
//! slot-owning primaries have distinct configEpochs, and across views no
//! slot is owned by two different nodes that carry the same configEpoch
//! (such a tie could never be settled by the "higher epoch wins" rule).
//! During the fault phase ties are legal and transient (two fresh
//! primaries, a collision being resolved), which is why this is not a
//! per-step check.

use std::collections::BTreeMap;

use shoal_cluster::view::ClusterView;
use shoal_types::{Epoch, NodeId, Slot};

/// Checks the views `(node index, view)` of every live node.
pub fn check_settled(views: &[(usize, &ClusterView)]) -> Result<(), String> {
    for (i, view) in views {
        let mut by_epoch: BTreeMap<Epoch, NodeId> = BTreeMap::new();
        for n in view.nodes() {
            if !n.is_primary() || view.slot_count_of(&n.id()) == 0 {
                continue;
            }
            if let Some(other) = by_epoch.insert(n.config_epoch, n.id()) {
                return Err(format!(
                    "n{i} sees {} and {} both owning slots with configEpoch {}",
                    &other.as_str()[..8],
                    &n.id().as_str()[..8],
                    n.config_epoch
                ));
            }
        }
    }
    for s in 0..16384u16 {
        let slot = Slot::new(s).expect("in range");
        let mut seen: BTreeMap<Epoch, NodeId> = BTreeMap::new();
        for (i, view) in views {
            let Some(owner) = view.slot_owner(slot) else {
                continue;
            };
            if let Some(other) = seen.insert(owner.config_epoch, owner.id()) {
                if other != owner.id() {
                    return Err(format!(
                        "slot {s}: n{i} says {} owns it with configEpoch {}, another view says {}",
                        &owner.id().as_str()[..8],
                        owner.config_epoch,
                        &other.as_str()[..8]
                    ));
                }
            }
        }
    }
    Ok(())
}
