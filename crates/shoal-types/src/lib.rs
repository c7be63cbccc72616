//! Shared vocabulary of Shoal: the types every other crate speaks in.
//!
//! Hash slots and the key-to-slot function, node identities, epochs and
//! time. Nothing here does IO, reads the clock or draws randomness: callers
//! pass those in.

pub mod glob;
mod int;
mod node_id;
mod slot;
mod time;

pub use glob::glob_match;
pub use int::parse_redis_i64;
pub use node_id::{NodeId, NodeIdError, NODE_ID_LEN};
pub use slot::{key_hash_slot, Slot, SLOT_COUNT};
pub use time::Millis;

/// A cluster epoch (`currentEpoch`, `configEpoch`, `lastVoteEpoch`).
///
/// Epochs only ever grow; they order competing claims on slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Epoch(pub u64);

impl std::fmt::Display for Epoch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
