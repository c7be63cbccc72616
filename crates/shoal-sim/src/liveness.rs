//! What "recovered" means, checked after the faults stop (TigerBeetle's
//! second phase): the simulation heals the network, restarts the crashed
//! nodes that are not gone for good, and then requires, within a bound of
//! simulated time:
//!
//! 1. every running node knows every running node by its real name, and
//!    none flags another running node FAIL;
//! 2. one slot map: every running node has the same owner for every slot;
//! 3. all slots covered, by running nodes (so every failed primary with a
//!    live replica was replaced);
//! 4. `cluster_state:ok` everywhere.
//!
//! [`unmet`] names the first condition that does not hold yet; the
//! simulation polls it.

use shoal_cluster::view::ClusterState;

use crate::world::World;

/// The first unmet liveness condition, or `None` when all hold.
pub fn unmet(world: &World) -> Option<String> {
    let views = world.views();
    let Some(&(first_i, first)) = views.first() else {
        return Some("no node is running".to_string());
    };
    for &(i, view) in &views {
        for &(j, _) in &views {
            let id = world.nodes[j].id;
            match view.node(&id) {
                None => return Some(format!("n{i} does not know n{j}")),
                Some(n) if n.in_handshake() => {
                    return Some(format!("n{i} is still in handshake with n{j}"))
                }
                Some(n) if n.is_failed() => return Some(format!("n{i} still flags n{j} FAIL")),
                Some(_) => {}
            }
        }
    }
    let map = first.owned_ranges();
    for &(i, view) in &views[1..] {
        if view.owned_ranges() != map {
            return Some(format!("n{first_i} and n{i} have different slot maps"));
        }
    }
    let assigned = first.assigned_slot_count();
    if assigned != 16384 {
        return Some(format!("only {assigned} of 16384 slots are assigned"));
    }
    for (range, owner) in &map {
        let running = world
            .names
            .get(owner)
            .is_some_and(|&j| world.nodes[j].is_up());
        if !running {
            return Some(format!(
                "slots {}-{} belong to {}, which is down",
                range.start,
                range.end,
                world
                    .names
                    .get(owner)
                    .map_or_else(|| owner.to_string(), |j| format!("n{j}"))
            ));
        }
    }
    for &(i, view) in &views {
        if view.state != ClusterState::Ok {
            return Some(format!("n{i} reports cluster_state:fail"));
        }
    }
    None
}

/// True when every running node knows every other running node by name
/// (no handshake left): the end of the meeting part of a bootstrap.
pub fn all_know_all(world: &World) -> bool {
    let views = world.views();
    views.iter().all(|&(_, view)| {
        view.node_count() >= views.len()
            && views.iter().all(|&(j, _)| {
                view.node(&world.nodes[j].id)
                    .is_some_and(|n| !n.in_handshake())
            })
    })
}
