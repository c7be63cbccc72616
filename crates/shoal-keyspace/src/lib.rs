//! The keyspace of a Shoal node: values, databases, expiry and eviction.
//!
//! A [`Db`] holds the keys of one logical database in 16384 per-slot tables
//! and an ordered index of expiry times. Values are strings (with Redis's
//! integer, embedded and raw forms) and the collection types.
//!
//! Synchronous and single-owner: one thread owns a `Db` and runs each
//! command to completion on it, so nothing here locks. No IO, no clock
//! (every operation takes `now_ms`), randomness passed in by the caller.

pub mod access;
pub mod collections;
mod db;
pub mod eviction;
mod slot_counts;
pub mod small_bytes;
mod table;
pub mod value;

pub use access::AccessPolicy;
pub use db::{Db, DbStats, ExpireReport, Ttl};
pub use small_bytes::SmallBytes;
pub use table::{Entry, NO_EXPIRY};
pub use value::{parse_canonical_i64, StrRef, Value, ValueType};
