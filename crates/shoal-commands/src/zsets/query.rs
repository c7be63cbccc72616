//! Read-only sorted set queries: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT
//! ZLEXCOUNT ZSCAN.

use super::score::{listpack_score_text, parse_lex_bound, parse_score_bound};
use super::{read, WrongType};
use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::sets::{parse_cursor, parse_scan_options, reply_scan};
use shoal_keyspace::collections::{LexRange, ScoreRange, ZRange, ZSetValue};
use shoal_resp::request::Args;
use shoal_types::glob_match;

/// Runs `f` on the sorted set at `key` (None when missing), or replies
/// WRONGTYPE.
fn with_zset(
    ctx: &mut ExecCtx<'_>,
    key: &[u8],
    f: impl FnOnce(Option<&ZSetValue>, &mut shoal_resp::ReplyBuf),
) -> Outcome {
    let out = &mut *ctx.out;
    match read(&mut ctx.dbs[ctx.db], key, ctx.now_ms, ctx.rng) {
        Err(WrongType) => out.error(errors::WRONGTYPE),
        Ok(z) => f(z, out),
    }
    Outcome::Done
}

/// ZCARD key
pub fn zcard(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    with_zset(ctx, args.get(1), |z, out| {
        out.integer(z.map_or(0, ZSetValue::len) as i64)
    })
}

/// ZSCORE key member
pub fn zscore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    with_zset(ctx, args.get(1), |z, out| {
        match z.and_then(|z| z.score(args.get(2))) {
            Some(s) => out.double(s),
            None => out.null(),
        }
    })
}

/// ZMSCORE key member [member ...]
pub fn zmscore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    with_zset(ctx, args.get(1), |z, out| {
        out.array(args.len() - 2);
        for m in args.skip(2).iter() {
            match z.and_then(|z| z.score(m)) {
                Some(s) => out.double(s),
                None => out.null(),
            }
        }
    })
}

fn rank_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, reverse: bool) -> Outcome {
    with_zset(ctx, args.get(1), |z, out| {
        let rank = z.and_then(|z| {
            z.rank(args.get(2))
                .map(|r| if reverse { z.len() - 1 - r } else { r })
        });
        match rank {
            Some(r) => out.integer(r as i64),
            None => out.null(),
        }
    })
}

/// ZRANK key member
pub fn zrank(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    rank_generic(ctx, args, false)
}

/// ZREVRANK key member
pub fn zrevrank(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    rank_generic(ctx, args, true)
}

/// Parses `min max` as a score range (ZRANGEBYSCORE's ends).
pub(crate) fn score_range(min: &[u8], max: &[u8]) -> Option<ZRange> {
    let (min, min_exclusive) = parse_score_bound(min)?;
    let (max, max_exclusive) = parse_score_bound(max)?;
    Some(ZRange::Score(ScoreRange {
        min,
        min_exclusive,
        max,
        max_exclusive,
    }))
}

/// Parses `min max` as a lex range (ZRANGEBYLEX's ends).
pub(crate) fn lex_range(min: &[u8], max: &[u8]) -> Option<ZRange> {
    Some(ZRange::Lex(LexRange {
        min: parse_lex_bound(min)?,
        max: parse_lex_bound(max)?,
    }))
}

/// ZCOUNT key min max
pub fn zcount(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(range) = score_range(args.get(2), args.get(3)) else {
        ctx.out.error(errors::MIN_MAX_NOT_FLOAT);
        return Outcome::Done;
    };
    with_zset(ctx, args.get(1), |z, out| {
        out.integer(z.map_or(0, |z| z.count_in_range(&range)) as i64)
    })
}

/// ZLEXCOUNT key min max
pub fn zlexcount(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(range) = lex_range(args.get(2), args.get(3)) else {
        ctx.out.error(errors::MIN_MAX_NOT_LEX);
        return Outcome::Done;
    };
    with_zset(ctx, args.get(1), |z, out| {
        out.integer(z.map_or(0, |z| z.count_in_range(&range)) as i64)
    })
}

/// ZSCAN key cursor [MATCH pattern] [COUNT count]
pub fn zscan(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(cursor) = parse_cursor(args.get(2)) else {
        ctx.out.error(errors::INVALID_CURSOR);
        return Outcome::Done;
    };
    with_zset(ctx, args.get(1), |z, out| {
        // The key is looked up before the options are read, as in Redis.
        let Some(z) = z else {
            reply_scan(out, 0, &[]);
            return;
        };
        let opts = match parse_scan_options(args, 3) {
            Ok(o) => o,
            Err(e) => {
                out.error(e);
                return;
            }
        };
        let mut items = Vec::new();
        let next = z.scan(cursor, opts.count, |m, s, compact| {
            if opts.pattern.is_none_or(|p| glob_match(p, m, false)) {
                items.push(m.to_vec());
                // A listpack hands back the score text it stored.
                let text = if compact {
                    listpack_score_text(s)
                } else {
                    shoal_resp::double::format_double(s)
                };
                items.push(text.into_bytes());
            }
        });
        reply_scan(out, next, &items);
    })
}
