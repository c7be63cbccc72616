//! ZRANGE and its relatives: ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE,
//! Z[REV]RANGEBYLEX, and ZREMRANGEBYRANK/BYSCORE/BYLEX.
//!
//! All of them run through one parser, as in Redis, so each form accepts
//! exactly the options Redis accepts and fails with the same error first.
//! Score and lex ranges find their first element the way the encoding
//! does in Redis, skip OFFSET elements without looking at them, then take
//! elements while they stay inside the range, up to LIMIT.

use super::query::{lex_range, score_range};
use super::{limits, pairs_header, read, reply_pair, store, write, WrongType};
use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::collections::{ZRange, ZSetValue};
use shoal_resp::request::Args;
use shoal_resp::ReplyBuf;

#[derive(Clone, Copy, PartialEq, Eq)]
enum By {
    Auto,
    Rank,
    Score,
    Lex,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Auto,
    Forward,
    Reverse,
}

/// ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
pub fn zrange(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Auto, Direction::Auto)
}

/// ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]
pub fn zrangestore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 2, Some(args.get(1)), By::Auto, Direction::Auto)
}

/// ZREVRANGE key start stop [WITHSCORES]
pub fn zrevrange(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Rank, Direction::Reverse)
}

/// ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
pub fn zrangebyscore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Score, Direction::Forward)
}

/// ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count]
pub fn zrevrangebyscore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Score, Direction::Reverse)
}

/// ZRANGEBYLEX key min max [LIMIT offset count]
pub fn zrangebylex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Lex, Direction::Forward)
}

/// ZREVRANGEBYLEX key max min [LIMIT offset count]
pub fn zrevrangebylex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    range_generic(ctx, args, 1, None, By::Lex, Direction::Reverse)
}

/// Where the elements of a range go.
enum Sink<'o> {
    /// To the client, as they are found.
    Client {
        out: &'o mut ReplyBuf,
        withscores: bool,
    },
    /// Into a new sorted set (ZRANGESTORE).
    Store(Vec<(Vec<u8>, f64)>),
}

impl Sink<'_> {
    fn emit(&mut self, member: &[u8], score: f64) {
        match self {
            Sink::Client { out, withscores } => reply_pair(out, member, score, *withscores),
            Sink::Store(v) => v.push((member.to_vec(), score)),
        }
    }
}

/// What the range arguments said.
enum Parsed {
    Rank(i64, i64),
    Range(ZRange),
}

fn range_generic(
    ctx: &mut ExecCtx<'_>,
    args: Args<'_>,
    key_at: usize,
    dst: Option<&[u8]>,
    mut by: By,
    mut direction: Direction,
) -> Outcome {
    let store_mode = dst.is_some();
    let (mut min_at, mut max_at) = (key_at + 1, key_at + 2);
    let mut withscores = false;
    let (mut offset, mut limit) = (0i64, -1i64);
    let mut j = key_at + 3;
    while j < args.len() {
        let a = args.get(j);
        let left = args.len() - j - 1;
        if !store_mode && eq_ignore_case(a, "withscores") {
            withscores = true;
        } else if eq_ignore_case(a, "limit") && left >= 2 {
            match (parse::int(args.get(j + 1)), parse::int(args.get(j + 2))) {
                (Some(o), Some(l)) => (offset, limit) = (o, l),
                _ => {
                    ctx.out.error(errors::NOT_INTEGER);
                    return Outcome::Done;
                }
            }
            j += 2;
        } else if direction == Direction::Auto && eq_ignore_case(a, "rev") {
            direction = Direction::Reverse;
        } else if by == By::Auto && eq_ignore_case(a, "bylex") {
            by = By::Lex;
        } else if by == By::Auto && eq_ignore_case(a, "byscore") {
            by = By::Score;
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        j += 1;
    }
    let reverse = direction == Direction::Reverse;
    if by == By::Auto {
        by = By::Rank;
    }
    // Redis tells LIMIT apart by its count differing from the default -1.
    if limit != -1 && by == By::Rank {
        ctx.out.error(errors::ZRANGE_LIMIT_NEEDS_BY);
        return Outcome::Done;
    }
    if withscores && by == By::Lex {
        ctx.out.error(errors::ZRANGE_BYLEX_WITHSCORES);
        return Outcome::Done;
    }
    if reverse && by != By::Rank {
        // The reverse forms name the upper end first.
        std::mem::swap(&mut min_at, &mut max_at);
    }
    let parsed = match by {
        By::Rank => match (parse::int(args.get(min_at)), parse::int(args.get(max_at))) {
            (Some(a), Some(b)) => Parsed::Rank(a, b),
            _ => {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            }
        },
        By::Score => match score_range(args.get(min_at), args.get(max_at)) {
            Some(r) => Parsed::Range(r),
            None => {
                ctx.out.error(errors::MIN_MAX_NOT_FLOAT);
                return Outcome::Done;
            }
        },
        By::Lex | By::Auto => match lex_range(args.get(min_at), args.get(max_at)) {
            Some(r) => Parsed::Range(r),
            None => {
                ctx.out.error(errors::MIN_MAX_NOT_LEX);
                return Outcome::Done;
            }
        },
    };
    let key = args.get(key_at);
    let zset = match read(&mut ctx.dbs[ctx.db], key, ctx.now_ms, ctx.rng) {
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(z) => z,
    };
    let Some(zset) = zset else {
        match dst {
            Some(dst) => store(ctx, dst, ZSetValue::new()),
            None => ctx.out.empty_array(),
        }
        return Outcome::Done;
    };
    let mut sink = match dst {
        Some(_) => Sink::Store(Vec::new()),
        None => Sink::Client {
            out: &mut *ctx.out,
            withscores,
        },
    };
    // How many elements the range holds, when known before walking it.
    let mut known_len = 0;
    match parsed {
        Parsed::Rank(start, end) => {
            known_len = clamp_ranks(start, end, zset.len()).map_or(0, |(s, e)| e - s + 1);
            by_rank(zset, start, end, reverse, &mut sink);
        }
        Parsed::Range(range) => {
            let is_score = matches!(range, ZRange::Score(_));
            by_range(zset, &range, is_score, offset, limit, reverse, &mut sink);
        }
    }
    let found = match sink {
        Sink::Store(found) => found,
        Sink::Client { .. } => return Outcome::Done,
    };
    if let Some(dst) = dst {
        let limits = limits(ctx.settings);
        // Like Redis, start in the large encoding when a rank range says
        // up front that the result will not fit the compact one (which
        // shows: the compact encoding would turn a -0 score into 0).
        let mut result = if known_len > limits.max_listpack_entries {
            ZSetValue::new_large()
        } else {
            ZSetValue::new()
        };
        for (m, s) in &found {
            result.insert(m, *s, limits);
        }
        store(ctx, dst, result);
    }
    Outcome::Done
}

/// Clamps Redis-style rank arguments (negative counts from the end) to
/// `0..len`; `None` when the range is empty.
pub(crate) fn clamp_ranks(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let start = if start < 0 {
        (start + len).max(0)
    } else {
        start
    };
    let end = if end < 0 { end + len } else { end };
    if start > end || start >= len {
        return None;
    }
    Some((start as usize, end.min(len - 1) as usize))
}

fn by_rank(zset: &ZSetValue, start: i64, end: i64, reverse: bool, sink: &mut Sink<'_>) {
    let Some((start, end)) = clamp_ranks(start, end, zset.len()) else {
        if let Sink::Client { out, .. } = sink {
            out.empty_array();
        }
        return;
    };
    let n = end - start + 1;
    if let Sink::Client { out, withscores } = sink {
        pairs_header(out, n, *withscores);
    }
    let first = if reverse {
        zset.len() - 1 - start
    } else {
        start
    };
    let mut left = n;
    zset.walk(first, reverse, |m, s| {
        sink.emit(m, s);
        left -= 1;
        left > 0
    });
}

fn by_range(
    zset: &ZSetValue,
    range: &ZRange,
    is_score: bool,
    offset: i64,
    limit: i64,
    reverse: bool,
    sink: &mut Sink<'_>,
) {
    let deferred = match sink {
        Sink::Client { out, .. } => Some(out.defer()),
        Sink::Store(_) => None,
    };
    let mut count = 0usize;
    // A negative offset walks Redis off the end of the set: nothing.
    let offset_fits =
        offset >= 0 && !(is_score && offset > 0 && offset as u64 >= zset.len() as u64);
    let start = if !offset_fits {
        None
    } else if reverse {
        zset.range_last(range)
            .and_then(|s| s.checked_sub(offset as usize))
    } else {
        zset.range_first(range)
            .map(|s| s.saturating_add(offset as usize))
    };
    if let Some(start) = start {
        let mut left = limit;
        zset.walk(start, reverse, |m, s| {
            if left == 0 {
                return false;
            }
            let inside = if reverse {
                range.gte_min(m, s)
            } else {
                range.lte_max(m, s)
            };
            if !inside {
                return false;
            }
            sink.emit(m, s);
            count += 1;
            left -= 1;
            true
        });
    }
    if let (Some(d), Sink::Client { out, withscores }) = (deferred, sink) {
        let n = if *withscores && !out.is_resp3() {
            2 * count
        } else {
            count
        };
        out.finish_array(d, n);
    }
}

#[derive(Clone, Copy)]
enum RemoveBy {
    Rank,
    Score,
    Lex,
}

fn remrange_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, by: RemoveBy) -> Outcome {
    let parsed = match by {
        RemoveBy::Rank => match (parse::int(args.get(2)), parse::int(args.get(3))) {
            (Some(a), Some(b)) => Parsed::Rank(a, b),
            _ => {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            }
        },
        RemoveBy::Score => match score_range(args.get(2), args.get(3)) {
            Some(r) => Parsed::Range(r),
            None => {
                ctx.out.error(errors::MIN_MAX_NOT_FLOAT);
                return Outcome::Done;
            }
        },
        RemoveBy::Lex => match lex_range(args.get(2), args.get(3)) {
            Some(r) => Parsed::Range(r),
            None => {
                ctx.out.error(errors::MIN_MAX_NOT_LEX);
                return Outcome::Done;
            }
        },
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let zset = match write(db, key, ctx.now_ms, ctx.rng) {
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(None) => {
            ctx.out.integer(0);
            return Outcome::Done;
        }
        Ok(Some(z)) => z,
    };
    let deleted = match parsed {
        Parsed::Rank(start, end) => match clamp_ranks(start, end, zset.len()) {
            Some((start, end)) => zset.remove_ranks(start, end + 1),
            None => 0,
        },
        Parsed::Range(range) => zset.remove_range(&range),
    };
    if zset.is_empty() {
        db.remove(key, ctx.now_ms);
    } else if deleted > 0 {
        db.signal(key);
    }
    ctx.dirty += deleted as u64;
    ctx.out.integer(deleted as i64);
    Outcome::Done
}

/// ZREMRANGEBYRANK key start stop
pub fn zremrangebyrank(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    remrange_generic(ctx, args, RemoveBy::Rank)
}

/// ZREMRANGEBYSCORE key min max
pub fn zremrangebyscore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    remrange_generic(ctx, args, RemoveBy::Score)
}

/// ZREMRANGEBYLEX key min max
pub fn zremrangebylex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    remrange_generic(ctx, args, RemoveBy::Lex)
}
