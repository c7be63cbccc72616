//! A deterministic simulator for the Shoal cluster bus.
//!
//! Many production [`shoal_cluster::node::ClusterNode`]s run in one thread
//! on simulated time; every choice (scenario, network, faults, node RNGs)
//! comes from one seed, so a seed replays a run exactly (same commit, same
//! `Cargo.lock`). Models: TigerBeetle's VOPR and FoundationDB's simulation.
//!
//! Layout, one job a module:
//! - [`scenario`]: seed → cluster shape and fault rates (swarm testing);
//! - [`clock`]: world time and each node's drifting clock;
//! - [`network`]: connections, loss, delay, duplication, reordering,
//!   partitions;
//! - [`disk`]: each node's nodes.conf with fsync semantics;
//! - [`frames`]: frames in flight, packed (zero runs as counts);
//! - [`faults`]: the fault schedule (crashes, restarts, pauses, partitions);
//! - [`world`]: the nodes, the event queue, routing of outputs;
//! - [`invariants`]: safety properties checked after every step;
//! - [`liveness`]: what "recovered" means after the faults stop;
//! - [`trace`]: one compact line per state change, and the run's hash;
//! - [`simulation`]: the phases of a run and its [`simulation::Report`];
//! - [`bench`]: convergence, bus traffic and speed for N nodes.
//!
//! What it does not do: run keys, replication or clients. The nodes are
//! bus state machines; the data path is out of scope here.

pub mod bench;
pub mod clock;
pub mod disk;
pub mod faults;
pub mod frames;
pub mod invariants;
pub mod liveness;
pub mod network;
pub mod scenario;
pub mod simulation;
pub mod trace;
pub mod world;

pub use scenario::Scenario;
pub use simulation::{run, Report, RunOptions};
