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
//! [`unmet`] names the first condition that does not hold yet;
//! [`recovered`] is the same test as a yes/no, cheapest conditions first,
//! which is what the simulation polls.

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

/// `unmet(world).is_none()`, with the conditions tested cheapest first:
/// this is polled every 100 simulated ms, and the first condition of
/// [`unmet`] costs a lookup for every pair of nodes.
pub fn recovered(world: &World) -> bool {
    let yes = all_conditions_hold(world);
    debug_assert_eq!(yes, unmet(world).is_none(), "recovered agrees with unmet");
    yes
}

fn all_conditions_hold(world: &World) -> bool {
    let views = world.views();
    let Some(&(_, first)) = views.first() else {
        return false;
    };
    if views.iter().any(|(_, v)| v.state != ClusterState::Ok) {
        return false;
    }
    if first.assigned_slot_count() != 16384 {
        return false;
    }
    let map = first.owned_ranges();
    if views[1..].iter().any(|(_, v)| v.owned_ranges() != map) {
        return false;
    }
    let owners_run = map.iter().all(|(_, owner)| {
        world
            .names
            .get(owner)
            .is_some_and(|&j| world.nodes[j].is_up())
    });
    owners_run
        && views.iter().all(|&(_, view)| {
            views.iter().all(|&(j, _)| {
                view.node(&world.nodes[j].id)
                    .is_some_and(|n| !n.in_handshake() && !n.is_failed())
            })
        })
}

/// True when every running node knows every other running node by name
/// (no handshake left): the end of the meeting part of a bootstrap.
pub fn all_know_all(world: &World) -> bool {
    let views = world.views();
    // Cheap necessary condition first: enough non-handshake nodes in every
    // view (the full test below looks every pair up).
    let enough = |view: &shoal_cluster::view::ClusterView| {
        view.node_count() >= views.len()
            && view.nodes().filter(|n| !n.in_handshake()).count() >= views.len()
    };
    if !views.iter().all(|&(_, view)| enough(view)) {
        return false;
    }
    views.iter().all(|&(_, view)| {
        view.node_count() >= views.len()
            && views.iter().all(|&(j, _)| {
                view.node(&world.nodes[j].id)
                    .is_some_and(|n| !n.in_handshake())
            })
    })
}
