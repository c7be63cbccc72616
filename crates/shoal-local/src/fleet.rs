//! The nodes this shoal-local started, as one value: stopping them is the
//! default on every path out of `start` (error, panic, Ctrl-C), and only
//! `--detach` after a successful start lets them outlive shoal-local.

use crate::cluster_dir::ClusterDir;
use crate::process::{stop_node, NodeProcess, Stopped};
use std::process::Child;
use std::time::Duration;

/// Children of this process, one per port; stopped on drop unless
/// released.
pub struct Fleet {
    dir: ClusterDir,
    grace: Duration,
    nodes: Vec<(u16, Child)>,
}

impl Fleet {
    /// No nodes yet; `grace` is how long each stop step waits.
    pub fn new(dir: ClusterDir, grace: Duration) -> Fleet {
        Fleet {
            dir,
            grace,
            nodes: Vec::new(),
        }
    }

    /// Takes charge of a started node.
    pub fn push(&mut self, port: u16, child: Child) {
        self.nodes.push((port, child));
    }

    /// The nodes, for waiting on them.
    pub fn nodes_mut(&mut self) -> &mut [(u16, Child)] {
        &mut self.nodes
    }

    /// Stops every node (all at once) and reports each, in port order.
    pub fn stop_all(&mut self) -> Vec<(u16, Stopped)> {
        let grace = self.grace;
        let results = stop_in_parallel(
            self.nodes
                .iter_mut()
                .map(|(port, child)| (*port, NodeProcess::Child(child)))
                .collect(),
            grace,
        );
        for (port, outcome) in &results {
            if *outcome != Stopped::Stuck {
                self.dir.forget_pid(*port);
            }
        }
        self.nodes.clear();
        results
    }

    /// Lets the nodes run on after this process exits (`--detach`).
    pub fn release(mut self) {
        self.nodes.clear();
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        if !self.nodes.is_empty() {
            println!("Stopping the {} nodes started so far...", self.nodes.len());
            for (port, outcome) in self.stop_all() {
                println!("  127.0.0.1:{port} {}", outcome.describe());
            }
        }
    }
}

/// Stops the given nodes concurrently, so one slow node does not make the
/// others wait; results come back in the order given.
pub fn stop_in_parallel(
    nodes: Vec<(u16, NodeProcess<'_>)>,
    grace: Duration,
) -> Vec<(u16, Stopped)> {
    std::thread::scope(|s| {
        let handles: Vec<_> = nodes
            .into_iter()
            .map(|(port, process)| (port, s.spawn(move || stop_node(port, process, grace))))
            .collect();
        handles
            .into_iter()
            .map(|(port, h)| (port, h.join().unwrap_or(Stopped::Stuck)))
            .collect()
    })
}
