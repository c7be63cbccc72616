//! `shoal-sim`: run one seed, check determinism, soak through many seeds,
//! or benchmark. See the crate's README.md for the commands.
//!
//! The seed is printed first; on failure, the exact command that replays
//! the run is printed with the last trace lines. Fresh seeds come from the
//! wall clock here, in the driver; nothing inside the world reads it.

use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Parser, Subcommand};
use shoal_sim::bench::{bench_row, markdown};
use shoal_sim::simulation::{run, Report, RunOptions};
use shoal_sim::Scenario;

/// The allocator the server runs with. The nodes allocate a nodes.conf
/// text per save and a frame per message; glibc's malloc spent a fifth of
/// the 500-node run in its free-list search for those.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser, Debug)]
#[command(
    name = "shoal-sim",
    about = "Deterministic simulator for the Shoal cluster bus"
)]
struct Cli {
    /// The seed to run (default: a fresh one, printed).
    #[arg(long)]
    seed: Option<u64>,
    /// Override the scenario's node count (the shape then follows from it).
    #[arg(long)]
    nodes: Option<usize>,
    /// Don't print the trace lines, only the summary.
    #[arg(long)]
    quiet: bool,
    /// On failure, print CLUSTER NODES as every running node sees it.
    #[arg(long)]
    dump_views: bool,
    /// Run the seed twice and compare the trace hashes.
    #[arg(long)]
    check_determinism: bool,
    /// Run fresh seeds one after another until `--seconds` have passed.
    #[arg(long)]
    soak: bool,
    /// Soak duration in real seconds.
    #[arg(long, default_value_t = 600)]
    seconds: u64,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Convergence, bus traffic and simulator speed for N nodes, as a
    /// markdown table.
    Bench {
        /// Node counts, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10,100,500,1000")]
        nodes: Vec<usize>,
        /// `cluster-node-timeout` in ms.
        #[arg(long, default_value_t = 15_000)]
        timeout_ms: u64,
        /// Settled window measured for traffic, simulated seconds.
        #[arg(long, default_value_t = 30)]
        window_s: u64,
        /// Seed of the runs.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Skip the per-step invariant checks.
        #[arg(long)]
        no_invariants: bool,
    },
}

fn fresh_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    shoal_sim::world::child_seed(nanos, 0x5eed, u64::from(std::process::id()))
}

fn replay_command(seed: u64, nodes: Option<usize>) -> String {
    let mut cmd = format!("cargo run -p shoal-sim --release -- --seed {seed}");
    if let Some(n) = nodes {
        cmd.push_str(&format!(" --nodes {n}"));
    }
    cmd
}

fn scenario(seed: u64, nodes: Option<usize>) -> Scenario {
    let s = Scenario::from_seed(seed);
    match nodes {
        Some(n) => s.with_nodes(n),
        None => s,
    }
}

fn summary(r: &Report, real_s: f64) -> String {
    let fo = match r.failover {
        Some(f) => format!(
            "failover: FAIL {}ms, promoted {}ms, ok {}ms",
            f.to_fail_ms.map_or("-".into(), |v| v.to_string()),
            f.to_promotion_ms.map_or("-".into(), |v| v.to_string()),
            f.to_ok_ms.map_or("-".into(), |v| v.to_string())
        ),
        None => "failover: not measured".to_string(),
    };
    format!(
        "seed={} {} hash={:016x} sim={:.1}s steps={} msgs={} bootstrap={:.1}s recovery={} {fo} real={real_s:.1}s",
        r.scenario.seed,
        if r.failure.is_none() { "PASS" } else { "FAIL" },
        r.trace_hash,
        r.sim_ms as f64 / 1000.0,
        r.steps,
        r.messages,
        r.bootstrap_ms as f64 / 1000.0,
        r.recovery_ms.map_or("-".into(), |v| format!("{:.1}s", v as f64 / 1000.0)),
    )
}

fn report_failure(r: &Report, nodes: Option<usize>, dump_views: bool) {
    if let Some(f) = &r.failure {
        if dump_views {
            for (i, text) in &r.views {
                println!("n{i} sees:\n{text}");
            }
        }
        println!("last trace lines:");
        for l in &r.tail {
            println!("  {l}");
        }
        println!("FAILED in {}: {}", f.phase, f.what);
        println!("replay: {}", replay_command(r.scenario.seed, nodes));
    }
}

fn run_one(seed: u64, nodes: Option<usize>, verbose: bool) -> (Report, f64) {
    let s = scenario(seed, nodes);
    let opts = RunOptions {
        verbose,
        ..RunOptions::default()
    };
    let start = Instant::now();
    let r = run(&s, &opts);
    (r, start.elapsed().as_secs_f64())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Bench {
        nodes,
        timeout_ms,
        window_s,
        seed,
        no_invariants,
    }) = cli.command
    {
        let mut rows = Vec::new();
        for n in nodes {
            eprintln!("bench: {n} nodes...");
            let row = bench_row(seed, n, timeout_ms, window_s * 1000, !no_invariants);
            eprintln!("  {row:?}");
            rows.push(row);
        }
        print!("{}", markdown(&rows));
        return ExitCode::SUCCESS;
    }
    if cli.soak {
        let start = Instant::now();
        let mut runs = 0u64;
        let mut fo: Vec<u64> = Vec::new();
        while start.elapsed().as_secs() < cli.seconds {
            let seed = cli.seed.map_or_else(fresh_seed, |s| s + runs);
            println!("seed {seed}");
            let (r, real) = run_one(seed, cli.nodes, false);
            println!("{}", summary(&r, real));
            runs += 1;
            if r.failure.is_some() {
                report_failure(&r, cli.nodes, cli.dump_views);
                return ExitCode::FAILURE;
            }
            if let Some(ms) = r.failover.and_then(|f| f.to_ok_ms) {
                fo.push(ms);
            }
        }
        fo.sort_unstable();
        let median = fo.get(fo.len() / 2).copied().unwrap_or(0);
        println!(
            "soak: {runs} runs passed in {:.0}s; failover to ok median {median}ms over {} probes",
            start.elapsed().as_secs_f64(),
            fo.len()
        );
        return ExitCode::SUCCESS;
    }
    let seed = cli.seed.unwrap_or_else(fresh_seed);
    println!("seed {seed}");
    let s = scenario(seed, cli.nodes);
    println!("scenario: {}", s.describe());
    let (r, real) = run_one(seed, cli.nodes, !cli.quiet);
    println!("{}", summary(&r, real));
    if r.failure.is_some() {
        report_failure(&r, cli.nodes, cli.dump_views);
        return ExitCode::FAILURE;
    }
    if cli.check_determinism {
        let (again, _) = run_one(seed, cli.nodes, false);
        if again.trace_hash != r.trace_hash {
            println!(
                "NOT DETERMINISTIC: hash {:016x} then {:016x}",
                r.trace_hash, again.trace_hash
            );
            println!(
                "replay: {} --check-determinism",
                replay_command(seed, cli.nodes)
            );
            return ExitCode::FAILURE;
        }
        println!("deterministic: same hash twice");
    }
    ExitCode::SUCCESS
}
