//! The command line: `shoal-local [--dir D] <start|status|stop|clean>`,
//! parsed by clap. Layout flags of `start` are optional on purpose: a
//! flag the user did not type must not count as a change when an existing
//! cluster is restarted, so defaults are applied later, in `layout`.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The directory used when `--dir` is not given, relative to the current
/// directory (so a clone keeps its cluster next to its sources).
pub const DEFAULT_DIR: &str = ".shoal-cluster";

/// Start, inspect, stop and remove a Shoal cluster on this machine.
#[derive(Debug, Parser)]
#[command(
    name = "shoal-local",
    version,
    about = "Start, inspect, stop and remove a Shoal cluster on this machine",
    long_about = "Start, inspect, stop and remove a Shoal cluster on this machine.\n\n\
        `shoal-local start` runs 3 primaries and 3 replicas on 127.0.0.1:7000-7005, \
        joins them into one cluster and prints how to connect. Every node keeps its \
        files in <DIR>/<port>/ (nodes.conf, server.log, server.pid).",
    after_help = "Examples:\n  \
        shoal-local start                      3 primaries + 3 replicas on 7000-7005, Ctrl-C stops them\n  \
        shoal-local start --detach             the same, left running in the background\n  \
        shoal-local status                     which nodes run, their roles and slots\n  \
        shoal-local stop                       stop every node of the cluster\n  \
        shoal-local clean                      stop, then remove ./.shoal-cluster"
)]
pub struct Cli {
    /// Directory holding the cluster's files, one folder per node.
    #[arg(long, global = true, value_name = "DIR", default_value = DEFAULT_DIR)]
    pub dir: PathBuf,

    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Action {
    /// Start the cluster: create it, or restart the nodes of an earlier run
    /// from their nodes.conf.
    #[command(long_about = "Start the cluster.\n\n\
        With no cluster in DIR, spawns the shoal-server nodes, joins them \
        (CLUSTER MEET), splits the 16384 slots evenly over the primaries \
        (CLUSTER ADDSLOTSRANGE), attaches the replicas (CLUSTER REPLICATE) \
        and waits until every node reports cluster_state:ok.\n\n\
        When DIR holds a cluster of an earlier run, restarts its nodes with \
        the ports recorded there; they rejoin from their nodes.conf. Keys are \
        not kept across restarts (persistence is off).\n\n\
        Replicas are cluster members that take over their primary's slots on \
        failover; Shoal does not copy data to them yet.")]
    Start(StartArgs),

    /// Show each node of DIR: running or not, role, slots, cluster_state.
    #[command(
        long_about = "Show each node of DIR: running or not, pid, role, slots, cluster_state.\n\n\
        Exits 0 only when every node runs and reports cluster_state:ok, 1 otherwise."
    )]
    Status,

    /// Stop every node of DIR (SHUTDOWN, then SIGTERM, then SIGKILL).
    Stop(StopArgs),

    /// Stop every node of DIR, then remove DIR (only a DIR that shoal-local
    /// created).
    Clean(StopArgs),
}

/// Flags of `start`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Number of primaries, which share the 16384 slots evenly [default: 3].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub primaries: Option<u16>,

    /// Replicas attached to each primary [default: 1].
    #[arg(long, value_name = "R")]
    pub replicas_per_primary: Option<u16>,

    /// Port of the first node; node i listens on P+i, its cluster bus on
    /// P+i+10000 [default: 7000].
    #[arg(long, value_name = "P", value_parser = clap::value_parser!(u16).range(1..))]
    pub base_port: Option<u16>,

    /// cluster-node-timeout of every node, in milliseconds: how long a node
    /// may be unreachable before failover starts [default: 5000].
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    pub node_timeout: Option<u64>,

    /// The shoal-server binary [default: the one next to shoal-local, else
    /// shoal-server on PATH].
    #[arg(long, value_name = "PATH")]
    pub server: Option<PathBuf>,

    /// Stay attached; Ctrl-C stops every node (the default).
    #[arg(long, conflicts_with = "detach")]
    pub foreground: bool,

    /// Return once the cluster is ready and leave the nodes running;
    /// `shoal-local stop` stops them.
    #[arg(long)]
    pub detach: bool,

    /// Seconds to wait for the nodes to start and for cluster_state:ok.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    pub timeout: u64,
}

/// Flags of `stop` and `clean`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Seconds a node gets after SHUTDOWN, and again after SIGTERM, before
    /// it is sent SIGKILL.
    #[arg(long, value_name = "SECS", default_value_t = 5)]
    pub timeout: u64,
}
