//! Collection values: lists, hashes, sets and sorted sets.
//!
//! Each type picks a compact encoding while small and a scalable one when
//! large, with the thresholds of Redis's `*-max-listpack-*` settings, and
//! reports the encoding under Redis's names for `OBJECT ENCODING`.

mod dense;
mod hash;
mod list;
mod set;
mod zset;

pub use hash::HashValue;
pub use list::ListValue;
pub use set::SetValue;
pub use zset::{LexBound, LexRange, ScoreRange, Upsert, ZRange, ZSetLimits, ZSetValue};
