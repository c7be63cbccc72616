//! The simulator in CI: a fixed list of seeds, a few fresh ones (printed,
//! so a failure can be replayed), one 100-node scenario, and the
//! determinism check. Sized for a debug build on two cores; the long
//! soak is `shoal-sim --soak --seconds N` (see the crate README).

use std::time::{SystemTime, UNIX_EPOCH};

use shoal_sim::simulation::{run, Report, RunOptions};
use shoal_sim::Scenario;

/// Seeds that once found something, or cover a corner; kept forever.
const FIXED_SEEDS: &[u64] = &[1, 2, 3, 7, 16, 20, 29, 336];

/// A rough cost of a scenario in a debug build: messages grow with the
/// square of the node count and the inverse of the node timeout.
fn cost(s: &Scenario) -> u64 {
    let n = s.node_count() as u64;
    n * n * (s.fault_phase_ms + 60_000) / s.node_timeout_ms
}

/// Fresh seeds are drawn until this many cheap ones are found; expensive
/// scenarios are left to the soak.
const FRESH_SEEDS: usize = 3;
const FRESH_COST_MAX: u64 = 20_000;

fn check(report: &Report, replay: &str) {
    if let Some(f) = &report.failure {
        for line in &report.tail {
            eprintln!("  {line}");
        }
        panic!(
            "seed {} failed in {}: {}\nreplay: {replay}",
            report.scenario.seed, f.phase, f.what
        );
    }
}

fn run_seed(seed: u64) -> Report {
    let s = Scenario::from_seed(seed);
    let r = run(&s, &RunOptions::default());
    println!(
        "seed {seed}: {} hash={:016x} sim={}ms steps={} failover={:?}",
        if r.failure.is_none() { "pass" } else { "FAIL" },
        r.trace_hash,
        r.sim_ms,
        r.steps,
        r.failover
    );
    check(
        &r,
        &format!("cargo run -p shoal-sim --release -- --seed {seed}"),
    );
    r
}

#[test]
fn fixed_seeds_pass() {
    for &seed in FIXED_SEEDS {
        run_seed(seed);
    }
}

#[test]
fn fresh_seeds_pass() {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let mut found = 0;
    let mut candidate = shoal_sim::world::child_seed(nanos, 7, 0);
    while found < FRESH_SEEDS {
        candidate = shoal_sim::world::child_seed(candidate, 7, 1);
        if cost(&Scenario::from_seed(candidate)) > FRESH_COST_MAX {
            continue;
        }
        println!("fresh seed {candidate}");
        run_seed(candidate);
        found += 1;
    }
}

#[test]
fn same_seed_same_trace_hash() {
    let s = Scenario::from_seed(16);
    let a = run(&s, &RunOptions::default());
    let b = run(&s, &RunOptions::default());
    assert_eq!(a.trace_hash, b.trace_hash);
    assert_eq!(a.tail, b.tail);
    assert_ne!(
        a.trace_hash,
        run(&Scenario::from_seed(17), &RunOptions::default()).trace_hash
    );
}

#[test]
fn a_hundred_nodes_bootstrap_and_fail_over() {
    let mut s = Scenario::from_seed(100).with_nodes(100);
    s.node_timeout_ms = 5_000;
    let opts = RunOptions {
        faults: false,
        ..RunOptions::default()
    };
    let r = run(&s, &opts);
    println!(
        "100 nodes: bootstrap {}ms, failover {:?}, steps {}, sim {}ms",
        r.bootstrap_ms, r.failover, r.steps, r.sim_ms
    );
    check(&r, "cargo test -p shoal-sim --test seeds a_hundred_nodes");
    assert!(r.failover.is_some_and(|f| f.to_ok_ms.is_some()));
}
