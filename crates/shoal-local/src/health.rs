//! Whether a node considers the cluster whole: `CLUSTER INFO` and
//! `CLUSTER NODES` of one node boiled down to the few facts shoal-local
//! waits for, and the wait itself, which names the laggard on timeout.

use crate::cluster_dir::ClusterDir;
use crate::connection::{info_field, parse_info, Connection};
use crate::failure::Failure;
use crate::interrupt::Interrupt;
use crate::layout::SLOT_COUNT;
use crate::process::{interrupted, POLL};
use crate::topology::parse_nodes;
use std::time::Instant;

/// What one node reports about the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    /// `cluster_state` (`ok` or `fail`).
    pub state: String,
    /// `cluster_slots_assigned`.
    pub slots_assigned: u32,
    /// Nodes in its table, handshakes excluded.
    pub known_nodes: usize,
    /// Nodes it sees as replicas.
    pub replicas: usize,
    /// Nodes it has a live bus link to, itself included.
    pub connected: usize,
}

/// What the cluster must look like from every node.
#[derive(Debug, Clone, Copy)]
pub struct Expected {
    /// Every node of the cluster.
    pub nodes: usize,
    /// The replicas, when the roles are known (at creation); after a
    /// restart failovers may have changed them, so `None`.
    pub replicas: Option<usize>,
}

impl Health {
    /// Asks the node on `port`; `Err` says why it could not answer.
    pub fn probe(port: u16) -> Result<Health, String> {
        let mut c = Connection::open(port).map_err(|e| format!("cannot connect: {e}"))?;
        let info = parse_info(&c.call_text(&["CLUSTER", "INFO"])?);
        let nodes = parse_nodes(&c.call_text(&["CLUSTER", "NODES"])?);
        let known: Vec<_> = nodes.iter().filter(|n| !n.in_handshake()).collect();
        Ok(Health {
            state: info_field(&info, "cluster_state")
                .unwrap_or("?")
                .to_string(),
            slots_assigned: info_field(&info, "cluster_slots_assigned")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            known_nodes: known.len(),
            replicas: known.iter().filter(|n| n.is_replica()).count(),
            connected: known.iter().filter(|n| n.connected).count(),
        })
    }

    /// True when the node knows every other node and links to all of them.
    pub fn knows_all(&self, expected: &Expected) -> bool {
        self.known_nodes == expected.nodes && self.connected == expected.nodes
    }

    /// True when the node serves the complete cluster as expected.
    pub fn is_whole(&self, expected: &Expected) -> bool {
        self.state == "ok"
            && self.slots_assigned == SLOT_COUNT
            && self.knows_all(expected)
            && expected.replicas.is_none_or(|r| r == self.replicas)
    }

    /// "cluster_state:fail, 16384 slots assigned, 6 of 6 nodes known".
    pub fn describe(&self, expected: &Expected) -> String {
        format!(
            "cluster_state:{}, {} slots assigned, {} of {} nodes known, {} linked",
            self.state, self.slots_assigned, self.known_nodes, expected.nodes, self.connected
        )
    }
}

/// Polls every port until `done` holds for each, or fails at `deadline`
/// naming the first node that still falls short and its log.
pub fn wait_for_all(
    ports: &[u16],
    expected: &Expected,
    goal: &str,
    done: impl Fn(&Health, &Expected) -> bool,
    dir: &ClusterDir,
    deadline: Instant,
    interrupt: &Interrupt,
) -> Result<(), Failure> {
    let mut pending: Vec<u16> = ports.to_vec();
    loop {
        // A node that reached the goal once is not asked again: the goal
        // is a milestone, and the final check covers every node anyway.
        pending.retain(|&p| !matches!(Health::probe(p), Ok(h) if done(&h, expected)));
        if pending.is_empty() {
            return Ok(());
        }
        if interrupt.is_set() {
            return Err(interrupted());
        }
        if Instant::now() >= deadline {
            let port = pending[0];
            let seen = match Health::probe(port) {
                Ok(h) => h.describe(expected),
                Err(e) => e,
            };
            return Err(Failure::new(
                format!("node 127.0.0.1:{port} did not {goal} in time (it reports {seen})"),
                format!(
                    "read its log, {}, and retry with a longer --timeout",
                    dir.log_path(port).display()
                ),
            ));
        }
        std::thread::sleep(POLL);
    }
}
