//! Typed key lookups shared by the collection families: the value under a
//! key as one type, or WRONGTYPE written and `None`.
//!
//! As in Redis, a read lookup counts a keyspace hit or miss and a write
//! lookup counts neither (LPOP, HDEL and SREM are writes even though they
//! read the key), so INFO's keyspace_hits/misses mean the same on both.

use crate::errors;
use rand::rngs::SmallRng;
use shoal_keyspace::{Db, Value};
use shoal_resp::ReplyBuf;

/// Why a command looks a key up: Redis's `lookupKeyRead` or
/// `lookupKeyWrite`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Intent {
    /// The command only reads the key: counts a keyspace hit or miss.
    Read,
    /// The command may change the key: counts neither.
    Write,
}

/// Looks `key` up with the statistics `intent` calls for; expires it
/// lazily and records the access either way.
pub(crate) fn get_mut<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    intent: Intent,
) -> Option<&'a mut Value> {
    match intent {
        Intent::Read => db.get_mut(key, now_ms, rng),
        Intent::Write => db.get_mut_for_write(key, now_ms, rng),
    }
}

/// The value under `key` as the type `pick` selects, as Redis's
/// `lookupKey{Read,Write}OrReply` with a type check: `None` once
/// `on_missing` has written the reply for a missing key, or WRONGTYPE has
/// been written.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lookup<'a, T: ?Sized>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    intent: Intent,
    on_missing: impl FnOnce(&mut ReplyBuf),
    pick: impl FnOnce(&'a mut Value) -> Option<&'a mut T>,
) -> Option<&'a mut T> {
    match get_mut(db, key, now_ms, rng, intent) {
        Some(v) => pick(v).or_else(|| {
            out.error(errors::WRONGTYPE);
            None
        }),
        None => {
            on_missing(out);
            None
        }
    }
}

/// The value under `key` for a write, created with `make` if missing, as
/// the type `pick` selects; `None` after writing WRONGTYPE. The caller
/// signals the key once it changed.
pub(crate) fn for_write<'a, T: ?Sized>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    make: impl FnOnce() -> Value,
    pick: impl FnOnce(&'a mut Value) -> Option<&'a mut T>,
) -> Option<&'a mut T> {
    pick(db.get_or_insert_with(key, now_ms, rng, make).0).or_else(|| {
        out.error(errors::WRONGTYPE);
        None
    })
}
