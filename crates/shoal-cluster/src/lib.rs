//! The Redis Cluster protocol for a Shoal node, sans IO.
//!
//! - [`wire`]: encode/decode of every Redis 7.0 cluster-bus message, byte
//!   for byte, with the receiver's validation rules.
//! - [`view`]: the cluster as this node sees it (nodes, flags, epochs, the
//!   slot table), a plain data structure.
//! - [`nodes_conf`]: the `nodes.conf` text format, render and parse.
//!
//! Nothing here opens sockets, reads clocks or touches files.

pub mod nodes_conf;
pub mod view;
pub mod wire;
