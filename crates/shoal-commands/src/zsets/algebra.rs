//! ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD.
//!
//! Inputs may be sorted sets or plain sets (whose members score 1). The
//! arithmetic follows Redis step for step, because floating-point sums
//! depend on order: inputs are taken smallest first (a stable sort by
//! size), each contribution is `weight * score` with NaN read as 0, and
//! SUM turns `inf + -inf` into 0. A stored result gets the compact
//! encoding when it fits, as Redis converts it.

use super::score::parse_score;
use super::{limits, pairs_header, reply_pair, store};
use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::collections::{SetValue, ZSetLimits, ZSetValue};
use shoal_keyspace::{Db, Value};
use shoal_resp::request::Args;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Union,
    Inter,
    Diff,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    Sum,
    Min,
    Max,
}

/// Folds `value` into `target` as Redis's `zunionInterAggregate`.
#[inline]
fn aggregate(target: &mut f64, value: f64, how: Aggregate) {
    match how {
        Aggregate::Sum => {
            *target += value;
            if target.is_nan() {
                *target = 0.0;
            }
        }
        Aggregate::Min => {
            if value < *target {
                *target = value;
            }
        }
        Aggregate::Max => {
            if value > *target {
                *target = value;
            }
        }
    }
}

/// One input key.
#[derive(Clone, Copy)]
enum Source<'a> {
    Missing,
    Set(&'a SetValue),
    ZSet(&'a ZSetValue),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Source::Missing => 0,
            Source::Set(s) => s.len(),
            Source::ZSet(z) => z.len(),
        }
    }

    /// The member's score (1 in a plain set).
    fn find(&self, member: &[u8]) -> Option<f64> {
        match self {
            Source::Missing => None,
            Source::Set(s) => s.contains(member).then_some(1.0),
            Source::ZSet(z) => z.score(member),
        }
    }

    /// Every member with its score: sorted sets in rank order.
    fn for_each(&self, mut f: impl FnMut(&[u8], f64)) {
        match self {
            Source::Missing => {}
            Source::Set(s) => {
                for m in s.iter() {
                    m.with_bytes(|b| f(b, 1.0));
                }
            }
            Source::ZSet(z) => z.for_each(f),
        }
    }
}

/// ZUNION numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zunion(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(ctx, args, None, Op::Union, false, "zunion")
}

/// ZINTER numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX] [WITHSCORES]
pub fn zinter(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(ctx, args, None, Op::Inter, false, "zinter")
}

/// ZDIFF numkeys key [key ...] [WITHSCORES]
pub fn zdiff(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(ctx, args, None, Op::Diff, false, "zdiff")
}

/// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zunionstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(
        ctx,
        args,
        Some(args.get(1)),
        Op::Union,
        false,
        "zunionstore",
    )
}

/// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE SUM|MIN|MAX]
pub fn zinterstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(
        ctx,
        args,
        Some(args.get(1)),
        Op::Inter,
        false,
        "zinterstore",
    )
}

/// ZDIFFSTORE destination numkeys key [key ...]
pub fn zdiffstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(ctx, args, Some(args.get(1)), Op::Diff, false, "zdiffstore")
}

/// ZINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn zintercard(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    generic(ctx, args, None, Op::Inter, true, "zintercard")
}

/// Looks the input keys up in order (each lookup counts), stopping at the
/// first key that is neither a set nor a sorted set.
fn sources<'a>(
    db: &'a mut Db,
    keys: &[&[u8]],
    now_ms: u64,
    rng: &mut impl rand::Rng,
) -> Option<Vec<Source<'a>>> {
    for &k in keys {
        match db.get(k, now_ms, rng) {
            None | Some(Value::Set(_) | Value::ZSet(_)) => {}
            Some(_) => return None,
        }
    }
    let db: &'a Db = db;
    Some(
        keys.iter()
            .map(|&k| match db.peek_ref(k).map(|e| &e.value) {
                Some(Value::Set(s)) => Source::Set(s),
                Some(Value::ZSet(z)) => Source::ZSet(z),
                _ => Source::Missing,
            })
            .collect(),
    )
}

fn generic(
    ctx: &mut ExecCtx<'_>,
    args: Args<'_>,
    dst: Option<&[u8]>,
    op: Op,
    card_only: bool,
    command: &str,
) -> Outcome {
    let numkeys_at = if dst.is_some() { 2 } else { 1 };
    let Some(numkeys) = parse::int(args.get(numkeys_at)) else {
        ctx.out.error(errors::NOT_INTEGER);
        return Outcome::Done;
    };
    if numkeys < 1 {
        ctx.out.error(&errors::at_least_one_key(command));
        return Outcome::Done;
    }
    let first_key = numkeys_at + 1;
    if numkeys as u64 > (args.len() - first_key) as u64 {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let numkeys = numkeys as usize;
    let keys: Vec<&[u8]> = args.iter().skip(first_key).take(numkeys).collect();
    let limits = limits(ctx.settings);
    let (out, rng) = (&mut *ctx.out, &mut *ctx.rng);
    // Types are checked before the options are read, as in Redis.
    let Some(found) = sources(&mut ctx.dbs[ctx.db], &keys, ctx.now_ms, rng) else {
        out.error(errors::WRONGTYPE);
        return Outcome::Done;
    };
    let mut inputs: Vec<(Source<'_>, f64)> = found.into_iter().map(|s| (s, 1.0)).collect();
    let mut how = Aggregate::Sum;
    let mut withscores = false;
    let mut limit = 0usize;
    let mut j = first_key + numkeys;
    while j < args.len() {
        let remaining = args.len() - j;
        let a = args.get(j);
        if op != Op::Diff && !card_only && remaining > numkeys && eq_ignore_case(a, "weights") {
            for (i, input) in inputs.iter_mut().enumerate() {
                match parse_score(args.get(j + 1 + i)) {
                    Some(w) => input.1 = w,
                    None => {
                        out.error(errors::WEIGHT_NOT_FLOAT);
                        return Outcome::Done;
                    }
                }
            }
            j += 1 + numkeys;
        } else if op != Op::Diff && !card_only && remaining >= 2 && eq_ignore_case(a, "aggregate") {
            let v = args.get(j + 1);
            how = if eq_ignore_case(v, "sum") {
                Aggregate::Sum
            } else if eq_ignore_case(v, "min") {
                Aggregate::Min
            } else if eq_ignore_case(v, "max") {
                Aggregate::Max
            } else {
                out.error(errors::SYNTAX);
                return Outcome::Done;
            };
            j += 2;
        } else if dst.is_none() && !card_only && eq_ignore_case(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && eq_ignore_case(a, "limit") {
            match parse::int(args.get(j + 1)) {
                Some(n) if n >= 0 => limit = n as usize,
                _ => {
                    out.error(errors::LIMIT_NEGATIVE);
                    return Outcome::Done;
                }
            }
            j += 2;
        } else {
            out.error(errors::SYNTAX);
            return Outcome::Done;
        }
    }
    if op != Op::Diff {
        inputs.sort_by_key(|(s, _)| s.len());
    }
    let result: Vec<(f64, Vec<u8>)> = match op {
        Op::Inter if card_only => {
            out.integer(inter_count(&inputs, limit) as i64);
            return Outcome::Done;
        }
        Op::Inter => inter(&inputs, how),
        Op::Union => union(&inputs, how),
        Op::Diff => diff(&inputs, &keys),
    };
    let mut sorted = result;
    sorted.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .expect("result scores are never NaN")
            .then_with(|| a.1.cmp(&b.1))
    });
    match dst {
        Some(dst) => {
            let zset = build(&sorted, limits);
            store(ctx, dst, zset);
        }
        None => {
            pairs_header(out, sorted.len(), withscores);
            for (s, m) in &sorted {
                reply_pair(out, m, *s, withscores);
            }
        }
    }
    Outcome::Done
}

/// Members of the first (smallest) input found in all the others, with
/// their aggregated scores.
fn inter(inputs: &[(Source<'_>, f64)], how: Aggregate) -> Vec<(f64, Vec<u8>)> {
    let mut result = Vec::new();
    let ((first, w0), rest) = inputs.split_first().expect("at least one input");
    first.for_each(|m, s| {
        let mut score = w0 * s;
        if score.is_nan() {
            score = 0.0;
        }
        for (src, w) in rest {
            match src.find(m) {
                // Unlike ZUNION, Redis does not zero a NaN product here:
                // SUM zeroes the NaN sum, MIN and MAX ignore it.
                Some(v) => aggregate(&mut score, v * w, how),
                None => return,
            }
        }
        result.push((score, m.to_vec()));
    });
    result
}

/// ZINTERCARD: how many members of the smallest input are in all others,
/// stopping at `limit` (0: no limit).
fn inter_count(inputs: &[(Source<'_>, f64)], limit: usize) -> usize {
    let ((first, _), rest) = inputs.split_first().expect("at least one input");
    let mut n = 0;
    first.for_each(|m, _| {
        if (limit == 0 || n < limit) && rest.iter().all(|(src, _)| src.find(m).is_some()) {
            n += 1;
        }
    });
    n
}

fn union(inputs: &[(Source<'_>, f64)], how: Aggregate) -> Vec<(f64, Vec<u8>)> {
    let biggest = inputs.last().map_or(0, |(s, _)| s.len());
    let mut acc: HashMap<Vec<u8>, f64> = HashMap::with_capacity(biggest);
    for (src, w) in inputs {
        src.for_each(|m, s| {
            let mut score = w * s;
            if score.is_nan() {
                score = 0.0;
            }
            match acc.get_mut(m) {
                Some(target) => aggregate(target, score, how),
                None => {
                    acc.insert(m.to_vec(), score);
                }
            }
        });
    }
    acc.into_iter().map(|(m, s)| (s, m)).collect()
}

/// Members of the first input in none of the others, with the first
/// input's scores.
fn diff(inputs: &[(Source<'_>, f64)], keys: &[&[u8]]) -> Vec<(f64, Vec<u8>)> {
    let ((first, _), rest) = inputs.split_first().expect("at least one input");
    if first.len() == 0 {
        return Vec::new();
    }
    // The first key named again subtracts everything.
    if keys[1..].contains(&keys[0]) {
        return Vec::new();
    }
    let mut result = Vec::new();
    first.for_each(|m, s| {
        if rest.iter().all(|(src, _)| src.find(m).is_none()) {
            result.push((s, m.to_vec()));
        }
    });
    result
}

/// A sorted set holding `sorted` (in order), compact when it fits.
fn build(sorted: &[(f64, Vec<u8>)], limits: ZSetLimits) -> ZSetValue {
    let fits = sorted.len() <= limits.max_listpack_entries
        && sorted
            .iter()
            .all(|(_, m)| m.len() <= limits.max_listpack_value);
    let (mut z, l) = if fits {
        (ZSetValue::new(), limits)
    } else {
        let large = ZSetLimits {
            max_listpack_entries: 0,
            max_listpack_value: 0,
        };
        (ZSetValue::for_new_key(large, 0), large)
    };
    for (s, m) in sorted {
        z.insert(m, *s, l);
    }
    z
}
