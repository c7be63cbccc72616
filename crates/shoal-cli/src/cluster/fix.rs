//! `--cluster fix host:port [--cluster-search-multiple-owners]
//! [--cluster-fix-with-unreachable-masters]`: the check of `check`, with
//! repairs.
//!
//! The check ([`Manager::check_cluster`]) calls in here when
//! [`Manager::fix`] is set:
//! - an open slot (migrating or importing left over, e.g. by an interrupted
//!   reshard) is finished or closed as redis-cli 7.0 decides: one node
//!   migrating and one importing, the move is finished; only importing
//!   nodes, their keys go to the owner; one migrating and several
//!   importing, the move goes to the intended target or the slot is
//!   closed; only a migrating node without keys (or owning the slot), the
//!   slot is closed;
//! - an uncovered slot is given to the one node holding keys of it, to the
//!   node holding most when several do (the others' keys moved there), or
//!   to a random primary when none does, each kind after a confirmation
//!   that `--cluster-yes` does not answer (as in redis-cli);
//! - with `--cluster-search-multiple-owners` (also honoured by `check`),
//!   slots claimed by several primaries are given to one.
//!
//! With primaries unreachable, the repairs are refused unless
//! `--cluster-fix-with-unreachable-masters` is given. Shoal adds its
//! progress line (see [`super::migrate::Progress`]) after each open or
//! uncovered slot fixed, counting the keys moved.

use std::collections::BTreeMap;

use shoal_resp::frame::Frame;

use super::manager::{
    confirm, host_from_args, slots_string, Manager, Node, INVALID_HOST_ARG, SLOTS,
};
use super::migrate::{
    call_printed, clear_slot_status, count_keys, move_slot, set_slot_owner, set_slot_printed,
    MoveOpts,
};
use crate::args::Options;

/// Runs `fix`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    m.fix = true;
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    m.show_cluster_info();
    m.check_cluster(false)
}

/// Stops the run when primaries are unreachable and the user did not
/// accept the risk (redis-cli exits with code 1 here).
fn refuse_with_unreachable(m: &Manager, what: &str) {
    if m.unreachable_masters > 0 && !m.has_flag("--cluster-fix-with-unreachable-masters") {
        m.warn(&format!(
            "*** Fixing {what} with {} unreachable masters is dangerous: redis-cli will assume that slots about masters that are not reachable are not covered, and will try to reassign them to the reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to proceed use the --cluster-fix-with-unreachable-masters option.",
            m.unreachable_masters
        ));
        std::process::exit(1);
    }
}

fn is_primary(m: &Manager, i: usize) -> bool {
    !m.nodes[i].is_replica() && m.nodes[i].replicate.is_none()
}

/// Among `candidates`, the primary with most keys in `slot` (the first on
/// ties); `None` when asking fails.
fn most_keys(m: &mut Manager, candidates: &[usize], slot: usize) -> Option<usize> {
    let mut best: Option<(usize, i64)> = None;
    for &i in candidates {
        if !is_primary(m, i) {
            continue;
        }
        let n = count_keys(m, i, slot)?;
        if best.is_none_or(|(_, k)| n > k) {
            best = Some((i, n));
        }
    }
    best.map(|(i, _)| i)
}

fn addr_list(m: &Manager, nodes: &[usize]) -> String {
    nodes
        .iter()
        .map(|&i| m.nodes[i].addr())
        .collect::<Vec<_>>()
        .join(",")
}

fn slot_listed(list: &[(String, String)], slot: usize) -> Option<String> {
    list.iter()
        .find(|(s, _)| crate::uri::atoi(s.as_bytes()) as usize == slot)
        .map(|(_, id)| id.clone())
}

/// Repairs an open slot; `true` when it was fixed.
pub fn fix_open_slot(m: &mut Manager, slot: usize) -> bool {
    refuse_with_unreachable(m, "open slots");
    m.info(&format!(">>> Fixing open slot {slot}"));
    let primaries: Vec<usize> = (0..m.nodes.len())
        .filter(|&i| !m.nodes[i].is_replica())
        .collect();
    // Nodes claiming the slot, or holding keys of it.
    let mut owners: Vec<usize> = Vec::new();
    for &i in &primaries {
        if m.nodes[i].slots[slot] {
            owners.push(i);
            continue;
        }
        let Some(n) = count_keys(m, i, slot) else {
            return false;
        };
        if n > 0 {
            m.warn(&format!(
                "*** Found keys about slot {slot} in non-owner node {}:{}!",
                m.nodes[i].ip, m.nodes[i].port
            ));
            owners.push(i);
        }
    }
    let mut owner = if owners.len() == 1 {
        Some(owners[0])
    } else {
        None
    };
    let mut migrating: Vec<usize> = Vec::new();
    let mut importing: Vec<usize> = Vec::new();
    for &i in &primaries {
        if slot_listed(&m.nodes[i].migrating, slot).is_some() {
            migrating.push(i);
        } else if slot_listed(&m.nodes[i].importing, slot).is_some() {
            importing.push(i);
        } else if owner != Some(i) {
            let Some(n) = count_keys(m, i, slot) else {
                return false;
            };
            if n > 0 {
                m.warn(&format!(
                    "*** Found keys about slot {slot} in node {}:{}!",
                    m.nodes[i].ip, m.nodes[i].port
                ));
                importing.push(i);
            }
        }
    }
    let migrating_str = addr_list(m, &migrating);
    let importing_str = addr_list(m, &importing);
    if !migrating.is_empty() {
        println!("Set as migrating in: {migrating_str}");
    }
    if !importing.is_empty() {
        println!("Set as importing in: {importing_str}");
    }

    if owner.is_none() {
        m.info(">>> No single clear owner for the slot, selecting an owner by # of keys...");
        let all: Vec<usize> = (0..m.nodes.len()).collect();
        let Some(o) = most_keys(m, &all, slot) else {
            m.err("[ERR] Can't select a slot owner. Impossible to fix.");
            return false;
        };
        m.warn(&format!(
            "*** Configuring {}:{} as the slot owner",
            m.nodes[o].ip, m.nodes[o].port
        ));
        if !clear_slot_status(m, o, slot) || !set_slot_owner(m, o, slot, false) {
            return false;
        }
        if !m.nodes[o].slots[slot] {
            m.nodes[o].slots[slot] = true;
            m.nodes[o].slots_count += 1;
        }
        migrating.retain(|&i| i != o);
        importing.retain(|&i| i != o);
        owner = Some(o);
    }
    let owner = owner.expect("an owner was chosen above");

    // Several owners: one keeps the slot, the others import it.
    if owners.len() > 1 {
        let owner_name = m.nodes[owner].name.clone();
        for &i in &owners {
            if i == owner {
                continue;
            }
            if !del_slot(m, i, slot) {
                return false;
            }
            if m.nodes[i].slots[slot] {
                m.nodes[i].slots[slot] = false;
                m.nodes[i].slots_count -= 1;
            }
            if !set_slot_printed(m, i, slot, "node", &owner_name)
                || !set_slot_printed(m, i, slot, "importing", &owner_name)
            {
                return false;
            }
            importing.retain(|&x| x != i);
            importing.push(i);
            migrating.retain(|&x| x != i);
        }
    }

    let verbose = MoveOpts {
        verbose: true,
        ..MoveOpts::default()
    };
    if migrating.len() == 1 && importing.len() == 1 {
        let (src, dst) = (migrating[0], importing[0]);
        m.info(&format!(
            ">>> Case 1: Moving slot {slot} from {}:{} to {}:{}",
            m.nodes[src].ip, m.nodes[src].port, m.nodes[dst].ip, m.nodes[dst].port
        ));
        let opts = MoveOpts {
            update: true,
            ..verbose
        };
        return {
            let r = move_slot(m, src, dst, slot, opts);
            moved_ok(m, r, src)
        };
    }
    if migrating.is_empty() && !importing.is_empty() {
        m.info(&format!(
            ">>> Case 2: Moving all the {slot} slot keys to its owner {}:{}",
            m.nodes[owner].ip, m.nodes[owner].port
        ));
        let opts = MoveOpts {
            cold: true,
            ..verbose
        };
        for &i in &importing {
            if i == owner {
                continue;
            }
            if !{
                let r = move_slot(m, i, owner, slot, opts);
                moved_ok(m, r, i)
            } {
                return false;
            }
            m.info(&format!(
                ">>> Setting {slot} as STABLE in {}:{}",
                m.nodes[i].ip, m.nodes[i].port
            ));
            if !clear_slot_status(m, i, slot) {
                return false;
            }
        }
        let owner_name = m.nodes[owner].name.clone();
        for i in 0..m.nodes.len() {
            if i == owner || m.nodes[i].is_replica() {
                continue;
            }
            if !set_slot_printed(m, i, slot, "NODE", &owner_name) {
                return false;
            }
        }
        return true;
    }
    if migrating.len() == 1 && importing.len() > 1 {
        let src = migrating[0];
        let target_id = slot_listed(&m.nodes[src].migrating, slot).unwrap_or_default();
        let mut dst = None;
        for &i in &importing {
            match count_keys(m, i, slot) {
                Some(n) if n > 0 => return unhandled(m, &migrating_str, &importing_str, owner),
                None => return unhandled(m, &migrating_str, &importing_str, owner),
                Some(_) => {}
            }
            if m.nodes[i].name == target_id {
                dst = Some(i);
            }
        }
        if let Some(dst) = dst {
            m.info(&format!(
                ">>> Case 3: Moving slot {slot} from {}:{} to {}:{} and closing it on all the other importing nodes.",
                m.nodes[src].ip, m.nodes[src].port, m.nodes[dst].ip, m.nodes[dst].port
            ));
            if !{
                let r = move_slot(m, src, dst, slot, verbose);
                moved_ok(m, r, src)
            } {
                return false;
            }
            return importing
                .iter()
                .filter(|&&i| i != dst)
                .all(|&i| clear_slot_status(m, i, slot));
        }
        m.info(&format!(
            ">>> Case 3: Closing slot {slot} on both migrating and importing nodes."
        ));
        return clear_slot_status(m, src, slot)
            && importing.iter().all(|&i| clear_slot_status(m, i, slot));
    }
    let mut close = importing.is_empty() && migrating.len() == 1;
    if close {
        let n = migrating[0];
        if owner != n {
            let s = slot.to_string();
            match call_printed(m, n, &["CLUSTER", "GETKEYSINSLOT", &s, "10"]) {
                Some(Frame::Array(keys)) => close = keys.is_empty(),
                Some(_) => {}
                None => return false,
            }
        }
    }
    if close {
        let n = migrating[0];
        m.info(&format!(
            ">>> Case 4: Closing slot {slot} on {}:{}",
            m.nodes[n].ip, m.nodes[n].port
        ));
        return clear_slot_status(m, n, slot);
    }
    unhandled(m, &migrating_str, &importing_str, owner)
}

fn unhandled(m: &Manager, migrating: &str, importing: &str, owner: usize) -> bool {
    m.err(&format!(
        "[ERR] Sorry, redis-cli can't fix this slot yet (work in progress). Slot is set as migrating in {migrating}, as importing in {importing}, owner is {}:{}",
        m.nodes[owner].ip, m.nodes[owner].port
    ));
    false
}

/// A move's outcome, an error reply printed as the node's.
fn moved_ok(m: &Manager, result: Result<u64, Option<String>>, node: usize) -> bool {
    match result {
        Ok(_) => true,
        Err(Some(e)) => {
            m.reply_error(&m.nodes[node], &e);
            false
        }
        Err(None) => false,
    }
}

/// `CLUSTER DELSLOTS <slot>` on node `i`; an error is ignored when the
/// node sees the slot unassigned anyway.
fn del_slot(m: &mut Manager, i: usize, slot: usize) -> bool {
    let s = slot.to_string();
    match super::migrate::call(m, i, &["CLUSTER", "DELSLOTS", &s]) {
        Ok(_) => true,
        Err(None) => false,
        Err(Some(e)) => {
            if e.contains("already unassigned") || e.contains("is not assigned") {
                return true;
            }
            m.reply_error(&m.nodes[i], &e);
            false
        }
    }
}

/// A pseudo-random index below `n` (the clock's nanoseconds).
fn random_below(n: usize) -> usize {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as usize ^ d.as_secs() as usize);
    nanos % n.max(1)
}

/// Assigns each of `slots` to the node `owner` picks for it, with the
/// progress line; false (stopping there) when a node refuses.
fn cover_slots(m: &mut Manager, slots: &[usize], mut owner: impl FnMut(usize) -> usize) -> bool {
    m.progress.start(slots.len());
    for &slot in slots {
        let n = owner(slot);
        m.info(&format!(
            ">>> Covering slot {slot} with {}:{}",
            m.nodes[n].ip, m.nodes[n].port
        ));
        if !set_slot_owner(m, n, slot, false) {
            return false;
        }
        claim_slot(m, n, slot);
        m.progress.step();
    }
    m.progress.finish();
    true
}

/// Records in the loaded picture that node `i` now owns `slot`.
fn claim_slot(m: &mut Manager, i: usize, slot: usize) {
    if !m.nodes[i].slots[slot] {
        m.nodes[i].slots[slot] = true;
        m.nodes[i].slots_count += 1;
    }
}

/// Gives every uncovered slot an owner; returns how many were fixed, or
/// -1 on failure.
pub fn fix_slots_coverage(m: &mut Manager, covered: &[bool]) -> i64 {
    refuse_with_unreachable(m, "slots coverage");
    m.info(">>> Fixing slots coverage...");
    // Uncovered slot -> primaries holding keys of it.
    let mut uncovered: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for slot in (0..SLOTS).filter(|&s| !covered[s]) {
        let mut holders = Vec::new();
        let s = slot.to_string();
        for i in 0..m.nodes.len() {
            if !is_primary(m, i) {
                continue;
            }
            match call_printed(m, i, &["CLUSTER", "GETKEYSINSLOT", &s, "1"]) {
                Some(Frame::Array(keys)) => {
                    if !keys.is_empty() {
                        holders.push(i);
                    }
                }
                _ => return -1,
            }
        }
        uncovered.insert(slot, holders);
    }
    let pick = |k: fn(usize) -> bool| -> Vec<usize> {
        uncovered
            .iter()
            .filter(|(_, h)| k(h.len()))
            .map(|(s, _)| *s)
            .collect()
    };
    let none = pick(|n| n == 0);
    let single = pick(|n| n == 1);
    let multi = pick(|n| n > 1);
    let list = |slots: &[usize]| {
        let mut set = vec![false; SLOTS];
        slots.iter().for_each(|&s| set[s] = true);
        slots_string(&set)
    };
    let mut fixed = 0i64;
    if !none.is_empty() {
        println!("The following uncovered slots have no keys across the cluster:");
        println!("{}", list(&none));
        if confirm("Fix these slots by covering with a random node?", false) {
            let primaries: Vec<usize> = (0..m.nodes.len())
                .filter(|&i| !m.nodes[i].is_replica())
                .collect();
            let owner = |_: usize| primaries[random_below(primaries.len())];
            if !cover_slots(m, &none, owner) {
                return -1;
            }
            fixed += none.len() as i64;
        }
    }
    if !single.is_empty() {
        println!("The following uncovered slots have keys in just one node:");
        println!("{}", list(&single));
        if confirm("Fix these slots by covering with those nodes?", false) {
            if !cover_slots(m, &single, |slot| uncovered[&slot][0]) {
                return -1;
            }
            fixed += single.len() as i64;
        }
    }
    if !multi.is_empty() {
        println!("The following uncovered slots have keys in multiple nodes:");
        println!("{}", list(&multi));
        if confirm("Fix these slots by moving keys into a single node?", false) {
            m.progress.start(multi.len());
            for &slot in &multi {
                let holders = uncovered[&slot].clone();
                let Some(target) = most_keys(m, &holders, slot) else {
                    return -1;
                };
                m.info(&format!(
                    ">>> Covering slot {slot} moving keys to {}:{}",
                    m.nodes[target].ip, m.nodes[target].port
                ));
                if !set_slot_owner(m, target, slot, true) {
                    return -1;
                }
                claim_slot(m, target, slot);
                let target_name = m.nodes[target].name.clone();
                for &src in &holders {
                    if src == target {
                        continue;
                    }
                    if !set_slot_printed(m, src, slot, "NODE", &target_name)
                        || !set_slot_printed(m, src, slot, "IMPORTING", &target_name)
                    {
                        return -1;
                    }
                    let opts = MoveOpts {
                        verbose: true,
                        cold: true,
                        ..MoveOpts::default()
                    };
                    if !{
                        let r = move_slot(m, src, target, slot, opts);
                        moved_ok(m, r, src)
                    } || !clear_slot_status(m, src, slot)
                    {
                        return -1;
                    }
                }
                fixed += 1;
                m.progress.step();
            }
            m.progress.finish();
        }
    }
    fixed
}

/// `--cluster-search-multiple-owners`: reports (and, fixing, repairs)
/// slots that several primaries claim or hold keys of; `true` when none
/// is left.
pub fn check_multiple_owners(m: &mut Manager) -> bool {
    m.info(">>> Check for multiple slot owners...");
    let mut result = true;
    let mut found = 0;
    for slot in 0..SLOTS {
        let mut owners = Vec::new();
        for i in 0..m.nodes.len() {
            if m.nodes[i].is_replica() {
                continue;
            }
            if m.nodes[i].slots[slot] || count_keys(m, i, slot).is_some_and(|n| n > 0) {
                owners.push(i);
            }
        }
        if owners.len() <= 1 {
            continue;
        }
        result = false;
        let mut text = format!("[WARNING] Slot {slot} has {} owners:", owners.len());
        for &i in &owners {
            text.push_str(&format!("\n    {}:{}", m.nodes[i].ip, m.nodes[i].port));
        }
        m.err(&text);
        found += 1;
        if m.fix {
            result = fix_multiple_owners(m, slot, &owners);
            if !result {
                m.err(&format!("Failed to fix multiple owners for slot {slot}"));
                break;
            }
            found -= 1;
        }
    }
    if found == 0 {
        m.ok("[OK] No multiple owners found.");
    }
    result
}

/// Gives `slot` to the owner with most keys; the other primaries drop it
/// and send it their keys.
fn fix_multiple_owners(m: &mut Manager, slot: usize, owners: &[usize]) -> bool {
    m.info(&format!(">>> Fixing multiple owners for slot {slot}..."));
    let owner = most_keys(m, owners, slot).unwrap_or(owners[0]);
    m.info(&format!(
        ">>> Setting slot {slot} owner: {}:{}",
        m.nodes[owner].ip, m.nodes[owner].port
    ));
    if !set_slot_owner(m, owner, slot, false) {
        return false;
    }
    let owner_name = m.nodes[owner].name.clone();
    let mut success = false;
    for i in 0..m.nodes.len() {
        if i == owner || m.nodes[i].is_replica() {
            continue;
        }
        let Some(count) = count_keys(m, i, slot) else {
            return false;
        };
        success = true;
        del_slot(m, i, slot);
        if !set_slot_printed(m, i, slot, "node", &owner_name) {
            return false;
        }
        if count > 0 {
            let opts = MoveOpts {
                verbose: true,
                cold: true,
                ..MoveOpts::default()
            };
            success = {
                let r = move_slot(m, i, owner, slot, opts);
                moved_ok(m, r, i)
            };
            if !success {
                break;
            }
        }
    }
    success
}
