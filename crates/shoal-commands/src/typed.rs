//! Typed key lookups shared by the collection families: the value under a
//! key as one type, or WRONGTYPE written and `None`.

use crate::errors;
use rand::rngs::SmallRng;
use shoal_keyspace::{Db, Value};
use shoal_resp::ReplyBuf;

/// The value under `key` as the type `pick` selects, as Redis's
/// `lookupKey...OrReply` with a type check: `None` once `on_missing` has
/// written the reply for a missing key, or WRONGTYPE has been written.
pub(crate) fn lookup<'a, T: ?Sized>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    on_missing: impl FnOnce(&mut ReplyBuf),
    pick: impl FnOnce(&'a mut Value) -> Option<&'a mut T>,
) -> Option<&'a mut T> {
    match db.get_mut(key, now_ms, rng) {
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
