//! shoal-server: the network driver of a Shoal node.
//!
//! Layout:
//! - [`server`]: the event loop that owns the keyspace and every client.
//! - [`exec`]: the command pipeline (lookup, checks, call, bookkeeping).
//! - [`commands`]: the registry and the server-level commands.
//! - [`client`]: per-connection state.
//! - [`tracking`]: client-side caching (CLIENT TRACKING) invalidations.
//! - [`latency_histogram`]: per-command latency distributions (INFO
//!   latencystats, LATENCY HISTOGRAM).
//! - [`settings`], [`config_glue`]: configuration as the server uses it.
//! - [`alloc`]: the counting allocator behind `used_memory`.
//! - [`log`]: Redis-style log lines.

pub mod alloc;
pub mod bus;
pub mod client;
pub mod cluster_mode;
pub mod commands;
pub mod config_glue;
pub mod exec;
pub mod latency_histogram;
pub mod log;
pub mod nodes_file;
pub mod server;
pub mod settings;
pub mod stats;
pub mod tracking;
