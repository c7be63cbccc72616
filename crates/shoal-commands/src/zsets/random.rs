//! ZRANDMEMBER.
//!
//! Picks are uniform: a random storage slot, O(1) in both encodings. A
//! positive count returns distinct members (the whole set, highest first,
//! when the count covers it, as Redis does); a negative count may repeat.

use super::{pairs_header, read, reply_pair, WrongType};
use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use crate::sets::distinct_positions;
use shoal_resp::request::Args;

/// ZRANDMEMBER key [count [WITHSCORES]]
pub fn zrandmember(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() < 3 {
        let (out, rng) = (&mut *ctx.out, &mut *ctx.rng);
        match read(&mut ctx.dbs[ctx.db], args.get(1), ctx.now_ms, rng) {
            Err(WrongType) => out.error(errors::WRONGTYPE),
            Ok(None) => out.null(),
            Ok(Some(z)) => out.bulk(z.slot(z.random_slot(rng)).0),
        }
        return Outcome::Done;
    }
    let count = match parse::int(args.get(2)) {
        None => {
            ctx.out.error(errors::NOT_INTEGER);
            return Outcome::Done;
        }
        Some(i64::MIN) => {
            ctx.out.error(errors::OUT_OF_RANGE_COUNT);
            return Outcome::Done;
        }
        Some(n) => n,
    };
    if args.len() > 4 || (args.len() == 4 && !eq_ignore_case(args.get(3), "withscores")) {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let withscores = args.len() == 4;
    // Redis refuses counts whose member+score pairs would overflow a long.
    if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        ctx.out.error(errors::OUT_OF_RANGE);
        return Outcome::Done;
    }
    let (out, rng) = (&mut *ctx.out, &mut *ctx.rng);
    let zset = match read(&mut ctx.dbs[ctx.db], args.get(1), ctx.now_ms, rng) {
        Err(WrongType) => {
            out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(None) => {
            out.empty_array();
            return Outcome::Done;
        }
        Ok(Some(z)) => z,
    };
    if count == 0 {
        out.empty_array();
        return Outcome::Done;
    }
    let wanted = count.unsigned_abs() as usize;
    let size = zset.len();
    // A compact set reaches a slot by walking; list it once instead.
    let mut listed: Vec<(&[u8], f64)> = Vec::new();
    if zset.is_compact() && wanted > 1 {
        listed.reserve(size);
        zset.for_each(|m, s| listed.push((m, s)));
    }
    let pick = |i: usize| {
        if listed.is_empty() {
            zset.slot(i)
        } else {
            listed[i]
        }
    };
    if count < 0 || wanted == 1 {
        pairs_header(out, wanted, withscores);
        for _ in 0..wanted {
            let (m, s) = pick(zset.random_slot(rng));
            reply_pair(out, m, s, withscores);
        }
        return Outcome::Done;
    }
    if wanted >= size {
        // Redis walks sorted sets from the top here, so the whole set
        // comes back in descending order.
        pairs_header(out, size, withscores);
        zset.walk(size - 1, true, |m, s| {
            reply_pair(out, m, s, withscores);
            true
        });
        return Outcome::Done;
    }
    pairs_header(out, wanted, withscores);
    for i in distinct_positions(size, wanted, rng) {
        let (m, s) = pick(i);
        reply_pair(out, m, s, withscores);
    }
    Outcome::Done
}
