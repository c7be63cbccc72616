//! Sorted set commands.
//!
//! - [`update`]: ZADD (NX XX GT LT CH INCR), ZINCRBY, ZREM.
//! - [`query`]: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT ZSCAN.
//! - [`range`]: ZRANGE in all its forms, ZRANGESTORE, the deprecated
//!   ZREVRANGE/ZRANGEBYSCORE/ZRANGEBYLEX family, ZREMRANGEBY*.
//! - [`algebra`]: ZUNION ZINTER ZDIFF (and STORE forms), ZINTERCARD.
//! - [`pop`]: ZPOPMIN ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX BZMPOP.
//! - [`random`]: random members (ZRANDMEMBER).
//! - [`score`]: Redis's exact number parsing and listpack score text.
//!
//! Errors are checked in Redis's order (argument syntax, then numbers, then
//! the key's type), since clients see which comes first. Scores in replies
//! are doubles (`%.17g`, RESP3 `,`); WITHSCORES replies are flat in RESP2
//! and `[member, score]` pairs in RESP3, as in Redis 7.0.

pub mod algebra;
pub mod pop;
pub mod query;
pub mod random;
pub mod range;
mod score;
pub mod update;

#[cfg(test)]
mod tests;

use crate::ctx::Settings;
use crate::dispatch::Handler;
use rand::Rng;
use shoal_keyspace::collections::{ZSetLimits, ZSetValue};
use shoal_keyspace::{Db, Value};
use shoal_resp::ReplyBuf;

/// The handler of a command of this family, by lowercase name.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "zadd" => update::zadd,
        "zincrby" => update::zincrby,
        "zrem" => update::zrem,
        "zcard" => query::zcard,
        "zscore" => query::zscore,
        "zmscore" => query::zmscore,
        "zrank" => query::zrank,
        "zrevrank" => query::zrevrank,
        "zcount" => query::zcount,
        "zlexcount" => query::zlexcount,
        "zscan" => query::zscan,
        "zrange" => range::zrange,
        "zrangestore" => range::zrangestore,
        "zrevrange" => range::zrevrange,
        "zrangebyscore" => range::zrangebyscore,
        "zrevrangebyscore" => range::zrevrangebyscore,
        "zrangebylex" => range::zrangebylex,
        "zrevrangebylex" => range::zrevrangebylex,
        "zremrangebyrank" => range::zremrangebyrank,
        "zremrangebyscore" => range::zremrangebyscore,
        "zremrangebylex" => range::zremrangebylex,
        "zunion" => algebra::zunion,
        "zinter" => algebra::zinter,
        "zdiff" => algebra::zdiff,
        "zunionstore" => algebra::zunionstore,
        "zinterstore" => algebra::zinterstore,
        "zdiffstore" => algebra::zdiffstore,
        "zintercard" => algebra::zintercard,
        "zpopmin" => pop::zpopmin,
        "zpopmax" => pop::zpopmax,
        "bzpopmin" => pop::bzpopmin,
        "bzpopmax" => pop::bzpopmax,
        "zmpop" => pop::zmpop,
        "bzmpop" => pop::bzmpop,
        "zrandmember" => random::zrandmember,
        _ => return None,
    };
    Some(h)
}

/// The compact-encoding limits from the settings.
pub(crate) fn limits(s: &Settings) -> ZSetLimits {
    ZSetLimits {
        max_listpack_entries: s.zset_max_listpack_entries,
        max_listpack_value: s.zset_max_listpack_value,
    }
}

pub(crate) use crate::sets::WrongType;

/// Looks `key` up as a sorted set for reading.
pub(crate) fn read<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
    rng: &mut impl Rng,
) -> Result<Option<&'a ZSetValue>, WrongType> {
    match db.get(key, now_ms, rng) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(WrongType),
    }
}

/// Looks `key` up as a sorted set for modification (a write lookup: no
/// keyspace hit or miss counted).
pub(crate) fn write<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
    rng: &mut impl Rng,
) -> Result<Option<&'a mut ZSetValue>, WrongType> {
    match db.get_mut_for_write(key, now_ms, rng) {
        None => Ok(None),
        Some(Value::ZSet(z)) => Ok(Some(z)),
        Some(_) => Err(WrongType),
    }
}

/// The array header for `n` elements, each with its score when
/// `withscores`: flat (`2n`) in RESP2, `n` pairs in RESP3.
pub(crate) fn pairs_header(out: &mut ReplyBuf, n: usize, withscores: bool) {
    if withscores && !out.is_resp3() {
        out.array(2 * n);
    } else {
        out.array(n);
    }
}

/// One element of a WITHSCORES-style reply (see [`pairs_header`]).
#[inline]
pub(crate) fn reply_pair(out: &mut ReplyBuf, member: &[u8], score: f64, withscores: bool) {
    if withscores && out.is_resp3() {
        out.array(2);
    }
    out.bulk(member);
    if withscores {
        out.double(score);
    }
}

/// Stores a computed sorted set under `dst`, or deletes `dst` when it is
/// empty, and replies with the size (the STORE commands' tail).
pub(crate) fn store(ctx: &mut crate::ExecCtx<'_>, dst: &[u8], zset: ZSetValue) {
    let db = &mut ctx.dbs[ctx.db];
    if zset.is_empty() {
        if db.remove(dst, ctx.now_ms).is_some() {
            ctx.dirty += 1;
        }
        ctx.out.integer(0);
        return;
    }
    let n = zset.len();
    db.set(
        dst,
        Value::ZSet(Box::new(zset)),
        shoal_keyspace::Ttl::Clear,
        ctx.now_ms,
    );
    ctx.dirty += 1;
    ctx.out.integer(n as i64);
}
