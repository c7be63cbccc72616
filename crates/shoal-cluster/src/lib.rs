//! The Redis Cluster protocol for a Shoal node, sans IO.
//!
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
//! Nothing here opens sockets, reads clocks or touches files.

pub mod commands;
pub mod nodes_conf;
pub mod reply;
pub mod routing;
pub mod slots;
pub mod texts;
pub mod view;
pub mod wire;
