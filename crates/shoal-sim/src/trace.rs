//! The run's trace: one compact line per state change, and a hash of
//! everything that happened, for the determinism check.
//!
//! ```text
//!      12.345 n07   R(n02) cur=5 cfg=3 slots=0 fail     a node's summary changed
//!      12.400 n03   flags n07 FAIL                     an event of interest
//!      13.000 world crash n02 (lose unsynced)          a fault or a phase
//! ```
//!
//! Columns: world time in seconds (ms precision), who (a node `nNN` or
//! `world`), what. A node summary is: role (`P` primary, `R(nX)` replica
//! of nX), `cur` currentEpoch, `cfg` its own configEpoch, `slots` it
//! serves, and `cluster_state`.
//!
//! The hash (FNV-1a, 64 bits, written here so it never changes under us)
//! covers every line and every step's time, node, input and output sizes.
//! Same seed, same commit: same hash.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use shoal_cluster::view::{ClusterState, ClusterView};
use shoal_types::{Millis, NodeId};

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Lines kept for the failure report.
const TAIL_LINES: usize = 60;

/// The compact lines and the hash of one run.
#[derive(Debug, Clone)]
pub struct Trace {
    verbose: bool,
    hash: u64,
    tail: VecDeque<String>,
    lines: u64,
}

impl Trace {
    /// A trace that prints its lines as they come if `verbose`.
    pub fn new(verbose: bool) -> Trace {
        Trace {
            verbose,
            hash: FNV_OFFSET,
            tail: VecDeque::new(),
            lines: 0,
        }
    }

    fn mix_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(FNV_PRIME);
        }
    }

    /// Mixes numbers into the hash without printing anything.
    pub fn mix(&mut self, values: &[u64]) {
        for v in values {
            self.mix_bytes(&v.to_le_bytes());
        }
    }

    /// Records one line at world time `now`.
    pub fn line(&mut self, now: Millis, who: &str, what: impl fmt::Display) {
        let text = format!("{:>7}.{:03} {who:<5} {what}", now.0 / 1000, now.0 % 1000);
        self.mix_bytes(text.as_bytes());
        self.lines += 1;
        if self.verbose {
            println!("{text}");
        }
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(text);
    }

    /// The hash so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Lines recorded so far.
    pub fn line_count(&self) -> u64 {
        self.lines
    }

    /// The last lines (for failure reports).
    pub fn tail(&self) -> impl Iterator<Item = &String> + '_ {
        self.tail.iter()
    }
}

/// The state of one node that the trace follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSummary {
    /// Replica of this node index (`None`: primary, or primary unknown).
    pub replica_of: Option<Option<usize>>,
    /// currentEpoch.
    pub current_epoch: u64,
    /// Its own configEpoch.
    pub config_epoch: u64,
    /// Slots it serves (as a primary).
    pub slots: usize,
    /// `cluster_state:ok`.
    pub ok: bool,
}

impl NodeSummary {
    /// The summary of a node's own view; `index` names nodes.
    pub fn of(view: &ClusterView, index: &BTreeMap<NodeId, usize>) -> NodeSummary {
        let me = view.myself();
        NodeSummary {
            replica_of: me
                .is_replica()
                .then(|| me.primary().and_then(|p| index.get(&p).copied())),
            current_epoch: view.current_epoch.0,
            config_epoch: me.config_epoch.0,
            slots: view.slot_count_of(&me.id()),
            ok: view.state == ClusterState::Ok,
        }
    }
}

impl fmt::Display for NodeSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = match self.replica_of {
            None => "P".to_string(),
            Some(Some(p)) => format!("R(n{p})"),
            Some(None) => "R(?)".to_string(),
        };
        write!(
            f,
            "{role:<7} cur={} cfg={} slots={} {}",
            self.current_epoch,
            self.config_epoch,
            self.slots,
            if self.ok { "ok" } else { "fail" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_depends_on_every_line_and_on_their_order() {
        let mut a = Trace::new(false);
        let mut b = Trace::new(false);
        a.line(Millis(1), "n1", "x");
        a.line(Millis(2), "n2", "y");
        b.line(Millis(2), "n2", "y");
        b.line(Millis(1), "n1", "x");
        assert_ne!(a.hash(), b.hash());
        let mut c = Trace::new(false);
        c.line(Millis(1), "n1", "x");
        c.line(Millis(2), "n2", "y");
        assert_eq!(a.hash(), c.hash());
        assert_eq!(a.tail().next().unwrap(), "      0.001 n1    x");
    }
}
