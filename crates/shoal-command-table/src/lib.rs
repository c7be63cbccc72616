//! The static table of every command Shoal serves, with the facts Redis 7.0
//! publishes about each one through `COMMAND`: arity, flags, legacy key
//! positions, ACL categories, tips, key specifications, subcommands and the
//! COMMAND DOCS tree. It executes nothing.
//!
//! Cluster clients (redis-py, go-redis) route by these facts, so they are
//! Redis 7.0.15's exactly: `gen/capture.py` asks a real server and
//! `gen/gen_table.py` writes `src/table.rs` from the answers. The free texts
//! (summaries, complexities, history notes, key-spec notes, replacements) are
//! our own words, from `gen/prose.toml`. `gen/README.md` says how to add a command.
//!
//! # Layout
//!
//! - [`spec`]: the types ([`CommandSpec`], [`KeySpec`], [`CommandDocs`], ...).
//! - [`flags`], [`key_flags`], [`doc_flags`]: the flag bitsets and their printed names.
//! - [`lookup`] and friends: name to command, case-insensitive, allocation-free.
//! - [`key_positions`]: the keys of a concrete call, as COMMAND GETKEYS reports
//!   them; [`routing_key_positions`]: the arguments cluster redirection hashes.
//! - [`reply`]: COMMAND INFO and COMMAND DOCS entries as a [`DocValue`] tree.
//! - `table` (private, generated): the data.

#![deny(missing_docs)]

pub mod doc_flags;
pub mod flags;
pub mod key_flags;
mod keys;
mod lookup;
pub mod reply;
pub mod spec;
mod table;

pub use keys::{
    arity_ok, command_getkeys, command_getkeys_and_flags, key_positions, key_positions_and_flags,
    routing_key_positions, KeyError,
};
pub use lookup::{
    all, all_with_subcommands, by_id, lookup, lookup_call, lookup_fullname, lookup_subcommand,
};
pub use reply::{command_docs_reply, command_info_reply, DocValue};
pub use spec::{
    ArgDoc, ArgType, BeginSearch, CommandDocs, CommandSpec, FindKeys, GetKeys, KeySpec,
};
