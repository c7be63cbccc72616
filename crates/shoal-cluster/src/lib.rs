//! The Redis Cluster protocol for a Shoal node, sans IO.
//!
//! Data and formats:
//! - [`wire`]: encode/decode of every Redis 7.0 cluster-bus message, byte
//!   for byte, with the receiver's validation rules.
//! - [`view`]: the cluster as this node sees it (nodes, flags, epochs, the
//!   slot table), a plain data structure; [`slots`] holds its slot types.
//! - [`nodes_conf`]: the `nodes.conf` text format, render and parse.
//! - [`texts`]: CLUSTER NODES / INFO / SLOTS / SHARDS / LINKS built from the
//!   view; [`reply`] is the small reply tree the structured ones return.
//! - [`commands`]: the CLUSTER subcommands that read or change the view,
//!   with Redis 7.0's exact replies and errors.
//! - [`routing`]: where a keyed command must run (local, MOVED, ASK,
//!   TRYAGAIN, CROSSSLOT, CLUSTERDOWN).
//!
//! The bus state machine, [`node::ClusterNode`] (driven with [`input::Input`],
//! answering with [`output::Output`]; see its module for the calling
//! contract), split by job:
//! - [`config`], [`links`]: its options and its connections;
//! - [`cron`], [`gossip`], [`receive`]: the 100 ms cron, building and
//!   reading PING/PONG/MEET, the processing order of incoming messages;
//! - [`failure`], [`epochs`], [`slots_update`], [`state_eval`]: PFAIL/FAIL,
//!   configEpoch collisions, slot claims and UPDATE, cluster state;
//! - [`failover`], [`replica_migration`]: elections, votes, manual failover,
//!   replicas moving to orphaned primaries;
//! - [`pubsub`], [`cluster_command`]: PUBLISH propagation, CLUSTER commands
//!   against the running node.
//! - `testing` (feature `testing`): an in-memory network of nodes with a
//!   fake clock, for scenario tests and the simulator.
//!
//! Nothing here opens sockets, reads clocks, draws unseeded randomness or
//! touches files.

pub mod cluster_command;
pub mod commands;
pub mod config;
pub mod cron;
pub mod epochs;
pub mod failover;
pub mod failure;
pub mod gossip;
pub mod input;
pub mod links;
pub mod node;
pub mod nodes_conf;
pub mod output;
pub mod pubsub;
pub mod receive;
pub mod replica_migration;
pub mod reply;
pub mod routing;
pub mod slots;
pub mod slots_update;
pub mod state_eval;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod texts;
pub mod view;
pub mod wire;

#[cfg(test)]
mod node_test;
#[cfg(test)]
mod scenario_test;
