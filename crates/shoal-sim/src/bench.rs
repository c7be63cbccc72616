//! Benchmarks: for N nodes on a healthy network, the simulated time from
//! the first MEET to "ok everywhere", the bus traffic per node per second
//! once settled, and how fast the simulator runs (simulated seconds per
//! real second, invariant checks included unless turned off).
//!
//! This is a driver, outside the world: it reads the wall clock to time
//! itself, which the world never does.

use std::time::Instant;

use crate::scenario::Scenario;
use crate::simulation::bootstrap;
use crate::world::World;

/// One benchmark row.
#[derive(Debug, Clone, PartialEq)]
pub struct BenchRow {
    /// Nodes.
    pub nodes: usize,
    /// Primaries among them.
    pub primaries: usize,
    /// `cluster-node-timeout`, ms.
    pub node_timeout_ms: u64,
    /// Simulated ms from the first MEET to ok everywhere (None: failed).
    pub converge_ms: Option<u64>,
    /// Bus bytes sent per node per simulated second, settled.
    pub bytes_per_node_s: f64,
    /// Bus messages sent per node per simulated second, settled.
    pub messages_per_node_s: f64,
    /// Simulated seconds per real second over the whole run.
    pub speed: f64,
    /// Real seconds the row took.
    pub real_s: f64,
}

/// Runs one row: bootstrap `nodes` nodes, then `window_ms` of settled
/// traffic.
pub fn bench_row(
    seed: u64,
    nodes: usize,
    node_timeout_ms: u64,
    window_ms: u64,
    check_invariants: bool,
) -> BenchRow {
    let mut scenario = Scenario::from_seed(seed).with_nodes(nodes);
    scenario.node_timeout_ms = node_timeout_ms;
    let start = Instant::now();
    let mut world = World::new(&scenario, false);
    world.check_invariants = check_invariants;
    let converge_ms = bootstrap(&mut world, &scenario).ok();
    let (bytes0, msgs0, t0) = (world.net.stats.bytes, world.net.stats.messages, world.now);
    world.advance_to(t0.plus(window_ms));
    let secs = window_ms as f64 / 1000.0;
    let per_node_s = |v: u64| v as f64 / nodes as f64 / secs;
    let real_s = start.elapsed().as_secs_f64();
    BenchRow {
        nodes,
        primaries: scenario.primaries,
        node_timeout_ms,
        converge_ms,
        bytes_per_node_s: per_node_s(world.net.stats.bytes - bytes0),
        messages_per_node_s: per_node_s(world.net.stats.messages - msgs0),
        speed: world.now.0 as f64 / 1000.0 / real_s,
        real_s,
    }
}

/// The markdown table of `rows`.
pub fn markdown(rows: &[BenchRow]) -> String {
    let mut s = String::from(
        "| nodes | primaries | node timeout | convergence (sim s) | bus bytes/node/s | msgs/node/s | speed (sim s / real s) | real s |\n\
         |---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in rows {
        let conv = r.converge_ms.map_or("did not converge".to_string(), |ms| {
            format!("{:.1}", ms as f64 / 1000.0)
        });
        s.push_str(&format!(
            "| {} | {} | {} ms | {} | {:.0} | {:.1} | {:.2} | {:.1} |\n",
            r.nodes,
            r.primaries,
            r.node_timeout_ms,
            conv,
            r.bytes_per_node_s,
            r.messages_per_node_s,
            r.speed,
            r.real_s
        ));
    }
    s
}
