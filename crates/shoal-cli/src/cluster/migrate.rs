//! Moving one hash slot between two primaries, the routine `reshard`,
//! `rebalance` and `fix` share, and the pieces around it: SETSLOT, the
//! transaction that gives a slot to a node, the reshard plan (which slots
//! each source gives up), and the progress report.
//!
//! A move follows redis-cli 7.0's order: `CLUSTER SETSLOT <slot>
//! IMPORTING <source>` on the target, `MIGRATING <target>` on the source,
//! then batches of `CLUSTER GETKEYSINSLOT` and `MIGRATE host port "" 0
//! timeout [REPLACE] [AUTH ...] KEYS ...` until the slot is empty, and
//! last `SETSLOT <slot> NODE <target>` on the target, the source, and every
//! other primary. A "cold" move skips the SETSLOT steps (used by `fix`,
//! which arranges the slot states itself).

use std::cell::Cell;
use std::io::Write;

use shoal_resp::frame::Frame;

use super::manager::{error_of, Manager};

/// Default `--cluster-timeout` for MIGRATE, in milliseconds.
pub const DEFAULT_TIMEOUT: i64 = 60000;
/// Default `--cluster-pipeline`: keys per GETKEYSINSLOT / MIGRATE.
pub const DEFAULT_PIPELINE: i64 = 10;

/// How a slot is moved.
#[derive(Debug, Clone, Copy, Default)]
pub struct MoveOpts {
    /// A dot per key moved.
    pub verbose: bool,
    /// Only move keys: no SETSLOT before or after.
    pub cold: bool,
    /// Record the new owner in the manager's node model.
    pub update: bool,
    /// No "Moving slot" line.
    pub quiet: bool,
}

/// A command's outcome: the reply, or `Err(Some(text))` for an error
/// reply, `Err(None)` when the connection failed.
pub type Reply = Result<Frame, Option<String>>;

/// Sends `args` to node `i`.
pub fn call<A: AsRef<[u8]>>(m: &mut Manager, i: usize, args: &[A]) -> Reply {
    match m.nodes[i].command(args) {
        Some(frame) => match error_of(&frame) {
            Some(e) => Err(Some(e)),
            None => Ok(frame),
        },
        None => Err(None),
    }
}

/// Sends `args` to node `i`, printing an error reply; `None` on failure.
pub fn call_printed<A: AsRef<[u8]>>(m: &mut Manager, i: usize, args: &[A]) -> Option<Frame> {
    match call(m, i, args) {
        Ok(f) => Some(f),
        Err(Some(e)) => {
            m.reply_error(&m.nodes[i], &e);
            None
        }
        Err(None) => None,
    }
}

/// `CLUSTER SETSLOT <slot> <status> <id>` on node `i`, error not printed.
pub fn set_slot(
    m: &mut Manager,
    i: usize,
    slot: usize,
    status: &str,
    id: &str,
) -> Result<(), Option<String>> {
    let slot = slot.to_string();
    call(m, i, &["CLUSTER", "SETSLOT", &slot, status, id]).map(|_| ())
}

/// [`set_slot`], printing an error reply; `true` on success.
pub fn set_slot_printed(m: &mut Manager, i: usize, slot: usize, status: &str, id: &str) -> bool {
    let slot = slot.to_string();
    call_printed(m, i, &["CLUSTER", "SETSLOT", &slot, status, id]).is_some()
}

/// `CLUSTER SETSLOT <slot> STABLE` on node `i`.
pub fn clear_slot_status(m: &mut Manager, i: usize, slot: usize) -> bool {
    let slot = slot.to_string();
    call_printed(m, i, &["CLUSTER", "SETSLOT", &slot, "STABLE"]).is_some()
}

/// `CLUSTER COUNTKEYSINSLOT` on node `i`; `None` on failure (printed).
pub fn count_keys(m: &mut Manager, i: usize, slot: usize) -> Option<i64> {
    let slot = slot.to_string();
    match call_printed(m, i, &["CLUSTER", "COUNTKEYSINSLOT", &slot])? {
        Frame::Integer(n) => Some(n),
        _ => None,
    }
}

/// Gives `slot` to node `i` in one transaction: DELSLOTS (its error
/// ignored), ADDSLOTS, SETSLOT STABLE when `clear`, BUMPEPOCH. Only an
/// ADDSLOTS failure counts.
pub fn set_slot_owner(m: &mut Manager, i: usize, slot: usize, clear: bool) -> bool {
    let s = slot.to_string();
    if call_printed(m, i, &["MULTI"]).is_none() {
        return false;
    }
    let mut queued: Vec<Vec<&str>> = vec![
        vec!["CLUSTER", "DELSLOTS", &s],
        vec!["CLUSTER", "ADDSLOTS", &s],
    ];
    if clear {
        queued.push(vec!["CLUSTER", "SETSLOT", &s, "STABLE"]);
    }
    queued.push(vec!["CLUSTER", "BUMPEPOCH"]);
    for cmd in &queued {
        if m.nodes[i].command(cmd).is_none() {
            return false;
        }
    }
    match call_printed(m, i, &["EXEC"]) {
        Some(Frame::Array(items)) => match items.get(1).and_then(error_of) {
            Some(e) => {
                m.reply_error(&m.nodes[i], &e);
                false
            }
            None => true,
        },
        _ => false,
    }
}

/// Which node serves `slot` according to node `i` (CLUSTER SLOTS):
/// `Ok(None)` when nobody does.
fn slot_owner(m: &mut Manager, i: usize, slot: usize) -> Result<Option<String>, Option<String>> {
    let Frame::Array(ranges) = call(m, i, &["CLUSTER", "SLOTS"])? else {
        return Ok(None);
    };
    for range in ranges {
        let Frame::Array(parts) = range else { continue };
        let (Some(Frame::Integer(a)), Some(Frame::Integer(b))) = (parts.first(), parts.get(1))
        else {
            continue;
        };
        if (*a..=*b).contains(&(slot as i64)) {
            let id = match parts.get(2) {
                Some(Frame::Array(node)) => node.get(2).and_then(super::manager::text_of),
                _ => None,
            };
            return Ok(Some(id.unwrap_or_default()));
        }
    }
    Ok(None)
}

/// `MIGRATE` of `keys` from node `src` to node `dst`.
fn migrate(
    m: &mut Manager,
    src: usize,
    dst: usize,
    keys: &[Vec<u8>],
    replace: bool,
) -> Option<Reply> {
    let timeout = m.opts.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut args: Vec<Vec<u8>> = vec![
        b"MIGRATE".to_vec(),
        m.nodes[dst].ip.clone().into_bytes(),
        m.nodes[dst].port.to_string().into_bytes(),
        Vec::new(),
        b"0".to_vec(),
        timeout.to_string().into_bytes(),
    ];
    if replace {
        args.push(b"REPLACE".to_vec());
    }
    if let Some((user, pass)) = &m.auth {
        match user {
            Some(user) => args.extend([b"AUTH2".to_vec(), user.clone(), pass.clone()]),
            None => args.extend([b"AUTH".to_vec(), pass.clone()]),
        }
    }
    args.push(b"KEYS".to_vec());
    args.extend(keys.iter().cloned());
    match call(m, src, &args) {
        Err(None) => None,
        other => Some(other),
    }
}

/// The keys of `keys` whose values differ on the two nodes (DEBUG
/// DIGEST-VALUE); `None` when the check itself fails.
fn differing_keys(m: &mut Manager, a: usize, b: usize, keys: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    let mut args: Vec<Vec<u8>> = vec![b"DEBUG".to_vec(), b"DIGEST-VALUE".to_vec()];
    args.extend(keys.iter().cloned());
    let digests = |f: Frame| -> Option<Vec<String>> {
        match f {
            Frame::Array(items) => items.iter().map(super::manager::text_of).collect(),
            _ => None,
        }
    };
    let da = digests(call(m, a, &args).ok()?)?;
    let db = digests(call(m, b, &args).ok()?)?;
    let zero = "0".repeat(40);
    Some(
        keys.iter()
            .zip(da.iter().zip(&db))
            .filter(|(_, (x, y))| **x != zero && **y != zero && x != y)
            .map(|(k, _)| k.clone())
            .collect(),
    )
}

/// Moves every key of `slot` from node `src` to node `dst`, a batch of
/// `--cluster-pipeline` keys at a time; returns how many were moved.
pub fn migrate_keys_in_slot(
    m: &mut Manager,
    src: usize,
    dst: usize,
    slot: usize,
    verbose: bool,
) -> Result<u64, Option<String>> {
    let pipeline = m.opts.pipeline.unwrap_or(DEFAULT_PIPELINE).to_string();
    let replace_opt = m.has_flag("--cluster-replace");
    let slot_text = slot.to_string();
    let mut moved = 0u64;
    loop {
        let keys: Vec<Vec<u8>> =
            match call(m, src, &["CLUSTER", "GETKEYSINSLOT", &slot_text, &pipeline]) {
                Ok(Frame::Array(items)) => items
                    .into_iter()
                    .filter_map(|k| match k {
                        Frame::Bulk(b) | Frame::Simple(b) => Some(b),
                        _ => None,
                    })
                    .collect(),
                Ok(_) => return Err(None),
                Err(Some(e)) => {
                    m.reply_error(&m.nodes[src], &e);
                    return Err(Some(e));
                }
                Err(None) => return Err(None),
            };
        if keys.is_empty() {
            break;
        }
        let Some(first) = migrate(m, src, dst, &keys, false) else {
            return Err(None);
        };
        if let Err(Some(e)) = first {
            let busy = e.contains("BUSYKEY");
            let mut not_served = false;
            if !busy {
                match slot_owner(m, src, slot) {
                    Ok(None) => not_served = true,
                    Ok(Some(_)) | Err(None) => {}
                    Err(Some(oe)) => m.reply_error(&m.nodes[src], &oe),
                }
            }
            let retried = if busy || not_served {
                if m.fix && not_served {
                    m.warn(&format!(
                        "*** Slot was not served, setting owner to node {}:{}.",
                        m.nodes[dst].ip, m.nodes[dst].port
                    ));
                    let dst_name = m.nodes[dst].name.clone();
                    let _ = set_slot(m, src, slot, "node", &dst_name);
                }
                if busy {
                    m.warn("\n*** Target key exists");
                    if !replace_opt {
                        m.warn("*** Checking key values on both nodes...");
                        let Some(diffs) = differing_keys(m, src, dst, &keys) else {
                            m.err("*** Value check failed!");
                            return Err(Some(e));
                        };
                        if !diffs.is_empty() {
                            let mut text = format!(
                                "*** Found {} key(s) in both source node and target node having different values.\n    Source node: {}:{}\n    Target node: {}:{}\n    Keys(s):\n",
                                diffs.len(),
                                m.nodes[src].ip,
                                m.nodes[src].port,
                                m.nodes[dst].ip,
                                m.nodes[dst].port
                            );
                            for k in &diffs {
                                text.push_str(&format!("    - {}\n", String::from_utf8_lossy(k)));
                            }
                            text.push_str("Please fix the above key(s) manually and try again or relaunch the command \nwith --cluster-replace option to force key overriding.");
                            m.err(&text);
                            return Err(Some(e));
                        }
                    }
                    m.warn("*** Replacing target keys...");
                }
                migrate(m, src, dst, &keys, busy)
            } else {
                Some(Err(Some(e)))
            };
            match retried {
                Some(Ok(_)) => {}
                Some(Err(Some(e))) => {
                    println!();
                    m.reply_error(&m.nodes[src], &e);
                    return Err(Some(e));
                }
                Some(Err(None)) | None => return Err(None),
            }
        }
        moved += keys.len() as u64;
        if verbose {
            print!("{}", ".".repeat(keys.len()));
            let _ = std::io::stdout().flush();
        }
    }
    Ok(moved)
}

/// Moves `slot` from node `src` to node `dst`; returns the keys moved.
/// Errors are returned, not printed (the caller says what failed).
pub fn move_slot(
    m: &mut Manager,
    src: usize,
    dst: usize,
    slot: usize,
    opts: MoveOpts,
) -> Result<u64, Option<String>> {
    if !opts.quiet {
        m.progress.clear();
        print!(
            "Moving slot {slot} from {}:{} to {}:{}: ",
            m.nodes[src].ip, m.nodes[src].port, m.nodes[dst].ip, m.nodes[dst].port
        );
        let _ = std::io::stdout().flush();
    }
    let src_name = m.nodes[src].name.clone();
    let dst_name = m.nodes[dst].name.clone();
    if !opts.cold {
        set_slot(m, dst, slot, "importing", &src_name)?;
        set_slot(m, src, slot, "migrating", &dst_name)?;
    }
    let moved = migrate_keys_in_slot(m, src, dst, slot, opts.verbose);
    if !opts.quiet {
        println!();
    }
    let moved = moved?;
    m.progress.add_keys(moved);
    if !opts.cold {
        // The target first: it spreads the news, and a slot never ends up
        // without an owner if something fails afterwards.
        set_slot(m, dst, slot, "node", &dst_name)?;
        match set_slot(m, src, slot, "node", &dst_name) {
            // The source gave its last slot away and became a replica.
            Err(Some(e)) if e.starts_with("ERR Please use SETSLOT only with masters.") => {}
            other => other?,
        }
        for i in 0..m.nodes.len() {
            if i == src || i == dst || m.nodes[i].is_replica() {
                continue;
            }
            set_slot(m, i, slot, "node", &dst_name)?;
        }
    }
    if opts.update {
        if m.nodes[src].slots[slot] {
            m.nodes[src].slots[slot] = false;
            m.nodes[src].slots_count -= 1;
        }
        if !m.nodes[dst].slots[slot] {
            m.nodes[dst].slots[slot] = true;
            m.nodes[dst].slots_count += 1;
        }
    }
    Ok(moved)
}

/// The reshard plan: `(source node, slot)` pairs, `numslots` at most.
/// Sources give in proportion to the slots they have, the biggest first
/// (its share rounded up, the others' rounded down), lowest slots first.
pub fn reshard_table(m: &Manager, sources: &[usize], numslots: usize) -> Vec<(usize, usize)> {
    let total: usize = sources.iter().map(|&s| m.nodes[s].slots_count).sum();
    let mut sorted = sources.to_vec();
    sorted.sort_by(|a, b| m.nodes[*b].slots_count.cmp(&m.nodes[*a].slots_count));
    let mut plan = Vec::new();
    for (k, &s) in sorted.iter().enumerate() {
        let share = numslots as f32 / total as f32 * m.nodes[s].slots_count as f32;
        let max = if k == 0 { share.ceil() } else { share.floor() } as usize;
        let mut count = 0;
        for (slot, &owned) in m.nodes[s].slots.iter().enumerate() {
            if !owned {
                continue;
            }
            if count >= max || plan.len() >= numslots {
                break;
            }
            plan.push((s, slot));
            count += 1;
        }
    }
    plan
}

/// Whether standard output is a terminal.
pub fn stdout_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(1) == 1 }
}

/// Shoal's progress line for long work (reshard, rebalance, fix): `slot
/// i/n, keys moved k`. On a terminal it is redrawn in place and erased
/// before any other output of the manager (its log lines call
/// [`Progress::clear`]); when the output is piped, each [`Progress::show`]
/// writes one plain line. Interior mutability lets the manager's printing,
/// which borrows it shared, erase the line.
pub struct Progress {
    tty: bool,
    shown: Cell<bool>,
    done: Cell<usize>,
    total: Cell<usize>,
    keys: Cell<u64>,
}

impl Progress {
    /// A progress reporter for standard output.
    pub fn new() -> Progress {
        Progress {
            tty: stdout_is_tty(),
            shown: Cell::new(false),
            done: Cell::new(0),
            total: Cell::new(0),
            keys: Cell::new(0),
        }
    }

    /// Whether the line is redrawn in place.
    pub fn in_place(&self) -> bool {
        self.tty
    }

    /// The line for `done` of `total` slots and `keys` keys.
    pub fn line(done: usize, total: usize, keys: u64) -> String {
        format!("slot {done}/{total}, keys moved {keys}")
    }

    /// Starts counting a piece of work of `total` slots.
    pub fn start(&self, total: usize) {
        self.done.set(0);
        self.total.set(total);
        self.keys.set(0);
    }

    /// Counts keys moved (by [`move_slot`]).
    pub fn add_keys(&self, n: u64) {
        self.keys.set(self.keys.get() + n);
    }

    /// Counts one slot done, without showing it.
    pub fn advance(&self) {
        self.done.set(self.done.get() + 1);
    }

    /// Counts one slot done and shows the line.
    pub fn step(&self) {
        self.advance();
        self.show();
    }

    /// Shows the current line.
    pub fn show(&self) {
        let line = Self::line(self.done.get(), self.total.get(), self.keys.get());
        let mut out = std::io::stdout().lock();
        if self.tty {
            let _ = write!(out, "\r\x1b[K{line}");
            self.shown.set(true);
        } else {
            let _ = writeln!(out, "{line}");
        }
        let _ = out.flush();
    }

    /// Erases the in-place line before other output.
    pub fn clear(&self) {
        if self.shown.replace(false) {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\r\x1b[K");
            let _ = out.flush();
        }
    }

    /// Leaves the last line on screen.
    pub fn finish(&self) {
        if self.shown.replace(false) {
            println!();
        }
    }
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args::Options;
    use crate::cluster::manager::Node;

    fn manager_with(counts: &[(usize, usize)]) -> Manager {
        let mut m = Manager::new(&Options::new(false));
        for (i, &(start, n)) in counts.iter().enumerate() {
            let mut node = Node::new("127.0.0.1", 7000 + i as u16, 0);
            for s in start..start + n {
                node.slots[s] = true;
            }
            node.slots_count = n;
            m.nodes.push(node);
        }
        m
    }

    #[test]
    fn plan_takes_from_sources_in_proportion() {
        let m = manager_with(&[(0, 5461), (5461, 5462), (10923, 5461)]);
        let plan = reshard_table(&m, &[0], 100);
        assert_eq!(plan.len(), 100);
        assert!(plan
            .iter()
            .enumerate()
            .all(|(k, &(s, slot))| s == 0 && slot == k));
        // Two sources: the bigger one first, share rounded up.
        let plan = reshard_table(&m, &[0, 1], 101);
        assert_eq!(plan.len(), 101);
        assert_eq!(plan[0], (1, 5461));
        assert_eq!(plan.iter().filter(|(s, _)| *s == 1).count(), 51);
        assert_eq!(plan.iter().filter(|(s, _)| *s == 0).count(), 50);
    }

    #[test]
    fn progress_line_reads_as_documented() {
        assert_eq!(Progress::line(3, 100, 42), "slot 3/100, keys moved 42");
    }
}
