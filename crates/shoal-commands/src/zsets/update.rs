//! ZADD, ZINCRBY and ZREM.

use super::score::parse_score;
use super::{limits, write, WrongType};
use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::eq_ignore_case;
use shoal_keyspace::collections::{Upsert, ZSetValue};
use shoal_keyspace::Value;
use shoal_resp::request::Args;

/// The options of ZADD (ZINCRBY is ZADD with INCR forced).
#[derive(Default, Clone, Copy)]
struct Flags {
    nx: bool,
    xx: bool,
    gt: bool,
    lt: bool,
    ch: bool,
    incr: bool,
}

/// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
pub fn zadd(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    add_generic(ctx, args, false)
}

/// ZINCRBY key increment member
pub fn zincrby(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    add_generic(ctx, args, true)
}

fn add_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, incr: bool) -> Outcome {
    let mut f = Flags {
        incr,
        ..Flags::default()
    };
    // Options run until the first argument that is not one (ZINCRBY too:
    // `ZINCRBY k nx m` is a syntax error in Redis, not a bad float).
    let mut idx = 2;
    while idx < args.len() {
        let a = args.get(idx);
        if eq_ignore_case(a, "nx") {
            f.nx = true;
        } else if eq_ignore_case(a, "xx") {
            f.xx = true;
        } else if eq_ignore_case(a, "ch") {
            f.ch = true;
        } else if eq_ignore_case(a, "incr") {
            f.incr = true;
        } else if eq_ignore_case(a, "gt") {
            f.gt = true;
        } else if eq_ignore_case(a, "lt") {
            f.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let rest = args.len() - idx;
    if rest == 0 || rest % 2 != 0 {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let pairs = rest / 2;
    if f.nx && f.xx {
        ctx.out.error(errors::ZADD_NX_XX);
        return Outcome::Done;
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        ctx.out.error(errors::ZADD_GT_LT_NX);
        return Outcome::Done;
    }
    if f.incr && pairs > 1 {
        ctx.out.error(errors::ZADD_INCR_PAIRS);
        return Outcome::Done;
    }
    // Every score is checked before anything changes.
    let mut scores = Vec::with_capacity(pairs);
    for j in 0..pairs {
        match parse_score(args.get(idx + 2 * j)) {
            Some(s) => scores.push(s),
            None => {
                ctx.out.error(errors::NOT_FLOAT);
                return Outcome::Done;
            }
        }
    }
    let key = args.get(1);
    let limits = limits(ctx.settings);
    let db = &mut ctx.dbs[ctx.db];
    let zset = if f.xx {
        // XX never creates the key.
        match write(db, key, ctx.now_ms, ctx.rng) {
            Err(WrongType) => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
            Ok(None) => {
                if f.incr {
                    ctx.out.null();
                } else {
                    ctx.out.integer(0);
                }
                return Outcome::Done;
            }
            Ok(Some(z)) => z,
        }
    } else {
        let first_len = args.get(idx + 1).len();
        let (value, _) = db.get_or_insert_with(key, ctx.now_ms, ctx.rng, || {
            Value::ZSet(Box::new(ZSetValue::for_new_key(limits, first_len)))
        });
        match value {
            Value::ZSet(z) => z,
            _ => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
        }
    };
    let (mut added, mut updated, mut processed) = (0u64, 0u64, 0u64);
    let mut last_score = 0.0;
    let mut nan = false;
    for (j, &score) in scores.iter().enumerate() {
        let member = args.get(idx + 2 * j + 1);
        let mut written = None;
        let outcome = zset.upsert(member, limits, |current| {
            let new = match current {
                None if f.xx => return None,
                None => score,
                Some(_) if f.nx => return None,
                Some(cur) => {
                    let new = if f.incr { cur + score } else { score };
                    if new.is_nan() {
                        nan = true;
                        return None;
                    }
                    if (f.lt && new >= cur) || (f.gt && new <= cur) {
                        return None;
                    }
                    new
                }
            };
            written = Some(new);
            Some(new)
        });
        if nan {
            break;
        }
        match outcome {
            Upsert::Added => added += 1,
            Upsert::Updated => updated += 1,
            Upsert::Unchanged | Upsert::Skipped => {}
        }
        if let Some(s) = written {
            processed += 1;
            last_score = s;
        }
    }
    if added + updated > 0 {
        db.signal(key);
    }
    if nan {
        // Only INCR can get here, with its single pair: nothing changed.
        ctx.out.error(errors::SCORE_NAN);
        return Outcome::Done;
    }
    ctx.dirty += added + updated;
    if f.incr {
        if processed > 0 {
            ctx.out.double(last_score);
        } else {
            ctx.out.null();
        }
    } else {
        let n = if f.ch { added + updated } else { added };
        ctx.out.integer(n as i64);
    }
    Outcome::Done
}

/// ZREM key member [member ...]
pub fn zrem(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
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
    let mut deleted = 0u64;
    for m in args.skip(2).iter() {
        if zset.remove(m).is_some() {
            deleted += 1;
        }
        if zset.is_empty() {
            break;
        }
    }
    if zset.is_empty() {
        db.remove(key, ctx.now_ms);
    } else if deleted > 0 {
        db.signal(key);
    }
    ctx.dirty += deleted;
    ctx.out.integer(deleted as i64);
    Outcome::Done
}
