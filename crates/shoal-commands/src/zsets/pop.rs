//! ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP.
//!
//! The reply shapes differ by command and protocol exactly as in Redis 7.0:
//!
//! ```text
//! ZPOPMIN k          flat [m, s]                 (both protocols)
//! ZPOPMIN k 2        flat [m, s, m, s] / RESP3 [[m, s], [m, s]]
//! BZPOPMIN k 0       flat [key, m, s]            (both protocols)
//! ZMPOP / BZMPOP     [key, [[m, s], ...]]        (both protocols)
//! ```
//!
//! A blocking command with nothing to pop parks the client on all its keys
//! ([`Outcome::Block`]); the server runs it again when one of them changes.

use crate::ctx::{BlockRequest, ExecCtx, Outcome, TimeoutReply};
use crate::errors;
use crate::long_double::LongDouble;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::Value;
use shoal_resp::request::Args;

/// How a pop reply is laid out.
#[derive(Clone, Copy)]
struct Shape {
    /// Put the key name first (the blocking forms and ZMPOP).
    with_key: bool,
    /// `[member, score]` pairs instead of a flat list.
    nested: bool,
    /// Reply a null array, not an empty one, when nothing can be popped.
    null_when_empty: bool,
}

/// Pops from the first existing key of `keys` and writes the reply.
/// `count` is `None` for the single-element forms.
fn pop_generic(
    ctx: &mut ExecCtx<'_>,
    keys: &[&[u8]],
    max: bool,
    count: Option<usize>,
    shape: Shape,
) {
    let db = &mut ctx.dbs[ctx.db];
    let out = &mut *ctx.out;
    let mut popped = None;
    for &key in keys {
        let zset = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
            None => continue,
            Some(Value::ZSet(z)) => z,
            Some(_) => {
                out.error(errors::WRONGTYPE);
                return;
            }
        };
        if count == Some(0) {
            out.empty_array();
            return;
        }
        let n = count.unwrap_or(1).min(zset.len());
        match (shape.with_key, shape.nested) {
            (false, false) => out.array(2 * n),
            (false, true) => out.array(n),
            (true, false) => {
                out.array(2 * n + 1);
                out.bulk(key);
            }
            (true, true) => {
                out.array(2);
                out.bulk(key);
                out.array(n);
            }
        }
        for _ in 0..n {
            let (m, s) = zset.pop(max).expect("n is at most the set's size");
            if shape.nested {
                out.array(2);
            }
            out.bulk(&m);
            out.double(s);
        }
        popped = Some((key, n, zset.is_empty()));
        break;
    }
    let Some((key, n, emptied)) = popped else {
        if shape.null_when_empty {
            out.null_array();
        } else {
            out.empty_array();
        }
        return;
    };
    if emptied {
        db.remove(key, ctx.now_ms);
    } else {
        db.signal(key);
    }
    ctx.dirty += n as u64;
}

fn zpop_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, max: bool) -> Outcome {
    if args.len() > 3 {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let count = if args.len() == 3 {
        match parse::int(args.get(2)) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => {
                ctx.out.error(errors::OUT_OF_RANGE_POSITIVE);
                return Outcome::Done;
            }
        }
    } else {
        None
    };
    let shape = Shape {
        with_key: false,
        nested: ctx.out.is_resp3() && count.is_some(),
        null_when_empty: false,
    };
    pop_generic(ctx, &[args.get(1)], max, count, shape);
    Outcome::Done
}

/// ZPOPMIN key [count]
pub fn zpopmin(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    zpop_generic(ctx, args, false)
}

/// ZPOPMAX key [count]
pub fn zpopmax(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    zpop_generic(ctx, args, true)
}

/// Parses a blocking timeout in seconds as Redis does (`strtold`, times
/// 1000, rounded up, with the x87 conversion for huge values) into an
/// absolute deadline; `None` waits forever.
fn deadline(arg: &[u8], now_ms: u64) -> Result<Option<u64>, &'static str> {
    let Some(seconds) = LongDouble::parse(arg) else {
        return Err(errors::TIMEOUT_NOT_FLOAT);
    };
    let ms = seconds.mul_u32(1000).ceil_to_i64();
    if ms < 0 {
        return Err(errors::TIMEOUT_NEGATIVE);
    }
    Ok((ms > 0).then(|| now_ms.saturating_add(ms as u64)))
}

/// The blocking forms: pop now if a key has members, else block (or, when
/// blocking is not allowed, reply as a timeout would).
fn blocking_generic(
    ctx: &mut ExecCtx<'_>,
    keys: &[&[u8]],
    timeout: &[u8],
    max: bool,
    count: Option<usize>,
    shape: Shape,
) -> Outcome {
    let deadline_ms = match deadline(timeout, ctx.now_ms) {
        Ok(d) => d,
        Err(e) => {
            ctx.out.error(e);
            return Outcome::Done;
        }
    };
    let db = &mut ctx.dbs[ctx.db];
    for &key in keys {
        match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
            None => continue,
            Some(Value::ZSet(z)) if z.is_empty() => continue,
            Some(Value::ZSet(_)) => {
                pop_generic(ctx, &[key], max, count, shape);
                return Outcome::Done;
            }
            Some(_) => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
        }
    }
    if !ctx.may_block {
        ctx.out.null_array();
        return Outcome::Done;
    }
    Outcome::Block(BlockRequest {
        keys: keys.iter().map(|k| k.to_vec()).collect(),
        deadline_ms,
        timeout_reply: TimeoutReply::NullArray,
        waits_for: shoal_keyspace::ValueType::ZSet,
    })
}

/// BZPOPMIN key [key ...] timeout
pub fn bzpopmin(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    bzpop_generic(ctx, args, false)
}

/// BZPOPMAX key [key ...] timeout
pub fn bzpopmax(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    bzpop_generic(ctx, args, true)
}

fn bzpop_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, max: bool) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(1).take(args.len() - 2).collect();
    let shape = Shape {
        with_key: true,
        nested: false,
        null_when_empty: false,
    };
    blocking_generic(ctx, &keys, args.get(args.len() - 1), max, None, shape)
}

/// The parsed tail of ZMPOP/BZMPOP: keys, side and count.
struct MpopArgs<'a> {
    keys: Vec<&'a [u8]>,
    max: bool,
    count: usize,
}

/// Parses `numkeys key [key ...] MIN|MAX [COUNT count]` starting at
/// argument `numkeys_at`.
fn parse_mpop(args: Args<'_>, numkeys_at: usize) -> Result<MpopArgs<'_>, &'static str> {
    let numkeys = match parse::int(args.get(numkeys_at)) {
        Some(n) if n >= 1 => n as u64,
        _ => return Err(errors::NUMKEYS_NOT_POSITIVE),
    };
    let where_at = numkeys_at as u64 + numkeys + 1;
    if where_at >= args.len() as u64 {
        return Err(errors::SYNTAX);
    }
    let where_at = where_at as usize;
    let side = args.get(where_at);
    let max = if eq_ignore_case(side, "min") {
        false
    } else if eq_ignore_case(side, "max") {
        true
    } else {
        return Err(errors::SYNTAX);
    };
    let mut count = None;
    let mut j = where_at + 1;
    while j < args.len() {
        if count.is_none() && eq_ignore_case(args.get(j), "count") && j + 1 < args.len() {
            match parse::int(args.get(j + 1)) {
                Some(n) if n >= 1 => count = Some(n as usize),
                _ => return Err(errors::COUNT_NOT_POSITIVE),
            }
            j += 2;
        } else {
            return Err(errors::SYNTAX);
        }
    }
    Ok(MpopArgs {
        keys: args
            .iter()
            .skip(numkeys_at + 1)
            .take(numkeys as usize)
            .collect(),
        max,
        count: count.unwrap_or(1),
    })
}

const MPOP_SHAPE: Shape = Shape {
    with_key: true,
    nested: true,
    null_when_empty: true,
};

/// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count]
pub fn zmpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match parse_mpop(args, 1) {
        Ok(p) => pop_generic(ctx, &p.keys, p.max, Some(p.count), MPOP_SHAPE),
        Err(e) => ctx.out.error(e),
    }
    Outcome::Done
}

/// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]
pub fn bzmpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match parse_mpop(args, 2) {
        Ok(p) => blocking_generic(ctx, &p.keys, args.get(1), p.max, Some(p.count), MPOP_SHAPE),
        Err(e) => {
            ctx.out.error(e);
            Outcome::Done
        }
    }
}
