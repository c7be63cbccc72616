//! Executes Redis commands against a keyspace and writes Redis-exact
//! replies.
//!
//! - [`dispatch`]: the handler of each keyspace command by name.
//! - [`strings`], [`bitmaps`], [`keys`], and the collection modules: the
//!   commands.
//! - [`dump`]: DUMP, RESTORE and RESTORE-ASKING.
//! - [`errors`]: every client-visible error text, checked against Redis 7.0.
//! - [`ctx`]: what a command runs against ([`ExecCtx`]) and how it ends
//!   ([`Outcome`]).
//!
//! Handlers are plain functions: no IO, no clock (the time comes in the
//! context), no knowledge of connections. Connection, server and cluster
//! commands (CLIENT, CONFIG, SUBSCRIBE, MULTI, CLUSTER ...) are the
//! server's, since they need its state.

pub mod bitmaps;
pub mod ctx;
pub mod dispatch;
pub mod dump;
pub mod errors;
pub mod geo;
pub mod hashes;
pub mod hyperloglog;
pub mod keys;
pub mod lcs;
pub mod lists;
pub mod long_double;
pub mod parse;
pub mod sets;
pub mod sort;
pub mod strings;
pub mod testing;
mod typed;
pub mod zsets;

pub use ctx::{BlockRequest, ExecCtx, Outcome, Settings, TimeoutReply};
pub use dispatch::{keyspace_handler, Handler};

/// Handlers of the collection commands (lists, hashes, sets, sorted sets).
fn collection_handler(name: &str) -> Option<Handler> {
    lists::handler(name)
        .or_else(|| hashes::handler(name))
        .or_else(|| sets::handler(name))
        .or_else(|| zsets::handler(name))
        .or_else(|| dump::handler(name))
}
