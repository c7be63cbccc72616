//! Hash commands: field access, counters, whole-hash reads, random fields
//! and HSCAN.
//!
//! Replies, errors and the order of checks follow Redis 7.0. Hashes are
//! created by the first write and deleted when their last field goes; the
//! encoding switch (packed to table, never back) lives in
//! [`shoal_keyspace::collections::HashValue`] and is driven by the
//! `hash-max-listpack-*` settings. HINCRBYFLOAT computes in `long double`
//! like Redis (see [`crate::long_double`]), so its digits match.

use crate::ctx::{ExecCtx, Outcome};
use crate::dispatch::Handler;
use crate::errors;
use crate::long_double::LongDouble;
use crate::parse::{self, eq_ignore_case};
use crate::typed::Intent;
use rand::rngs::SmallRng;
use rand::Rng;
use shoal_keyspace::collections::HashValue;
use shoal_keyspace::{parse_canonical_i64, Db, Value};
use shoal_resp::request::Args;
use shoal_resp::{Protocol, ReplyBuf};
use shoal_types::glob_match;

/// The handler of a command of this family, by lowercase name.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "hset" => hset,
        "hmset" => hmset,
        "hsetnx" => hsetnx,
        "hget" => hget,
        "hmget" => hmget,
        "hdel" => hdel,
        "hlen" => hlen,
        "hstrlen" => hstrlen,
        "hexists" => hexists,
        "hkeys" => hkeys,
        "hvals" => hvals,
        "hgetall" => hgetall,
        "hincrby" => hincrby,
        "hincrbyfloat" => hincrbyfloat,
        "hrandfield" => hrandfield,
        "hscan" => hscan,
        _ => return None,
    };
    Some(h)
}

/// Parses a SCAN-family cursor as Redis does (`strtoul` in base 10): an
/// optional sign (a negative cursor wraps around), digits, nothing else,
/// no leading space, no overflow. The empty string is cursor 0.
pub fn scan_cursor(arg: &[u8]) -> Option<u64> {
    let (negative, digits) = match arg.first() {
        Some(b'-') => (true, &arg[1..]),
        Some(b'+') => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() {
        // strtoul consumed nothing: only a wholly empty argument passes.
        return arg.is_empty().then_some(0);
    }
    let mut n: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((d - b'0') as u64)?;
    }
    Some(if negative { n.wrapping_neg() } else { n })
}

/// The hash under `key`, as Redis's `lookupKey...OrReply` with a type
/// check: `None` once `on_missing` has written the reply for a missing key,
/// or WRONGTYPE has been written.
fn lookup_hash<'a>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    intent: Intent,
    on_missing: impl FnOnce(&mut ReplyBuf),
) -> Option<&'a mut HashValue> {
    crate::typed::lookup(db, out, key, now_ms, rng, intent, on_missing, |v| match v {
        Value::Hash(h) => Some(&mut **h),
        _ => None,
    })
}

/// The hash under `key` for a write, created empty if missing; `None`
/// after replying WRONGTYPE. The caller signals the key once it changed.
fn hash_for_write<'a>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
) -> Option<&'a mut HashValue> {
    let make = || Value::Hash(Box::default());
    crate::typed::for_write(db, out, key, now_ms, rng, make, |v| match v {
        Value::Hash(h) => Some(&mut **h),
        _ => None,
    })
}

fn hset_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, name: &str) -> Outcome {
    if args.len() % 2 == 1 {
        ctx.out.error(&errors::wrong_arity(name));
        return Outcome::Done;
    }
    let key = args.get(1);
    let (max_entries, max_value) = limits(ctx);
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = hash_for_write(db, ctx.out, key, ctx.now_ms, ctx.rng) else {
        return Outcome::Done;
    };
    let mut created = 0;
    let mut i = 2;
    while i < args.len() {
        created += hash.set(args.get(i), args.get(i + 1), max_entries, max_value) as i64;
        i += 2;
    }
    db.signal(key);
    ctx.dirty += (args.len() as u64 - 2) / 2;
    if name == "hset" {
        ctx.out.integer(created);
    } else {
        ctx.out.ok();
    }
    Outcome::Done
}

/// The `hash-max-listpack-entries` and `-value` settings.
fn limits(ctx: &ExecCtx<'_>) -> (usize, usize) {
    (
        ctx.settings.hash_max_listpack_entries,
        ctx.settings.hash_max_listpack_value,
    )
}

/// HSET key field value [field value ...]
pub fn hset(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    hset_generic(ctx, args, "hset")
}

/// HMSET key field value [field value ...]
pub fn hmset(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    hset_generic(ctx, args, "hmset")
}

/// HSETNX key field value
pub fn hsetnx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let (max_entries, max_value) = limits(ctx);
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = hash_for_write(db, ctx.out, key, ctx.now_ms, ctx.rng) else {
        return Outcome::Done;
    };
    if hash.contains(args.get(2)) {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    hash.set(args.get(2), args.get(3), max_entries, max_value);
    db.signal(key);
    ctx.dirty += 1;
    ctx.out.integer(1);
    Outcome::Done
}

/// HGET key field
pub fn hget(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = lookup_hash(
        db,
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| out.null(),
    ) else {
        return Outcome::Done;
    };
    match hash.get(args.get(2)) {
        Some(v) => ctx.out.bulk(v),
        None => ctx.out.null(),
    }
    Outcome::Done
}

/// HMGET key field [field ...]
pub fn hmget(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    // A missing key reads as an empty hash: one null per field.
    let hash = match ctx.dbs[ctx.db].get(args.get(1), ctx.now_ms, ctx.rng) {
        None => None,
        Some(Value::Hash(h)) => Some(h),
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    ctx.out.array(args.len() - 2);
    for field in args.skip(2).iter() {
        match hash.and_then(|h| h.get(field)) {
            Some(v) => ctx.out.bulk(v),
            None => ctx.out.null(),
        }
    }
    Outcome::Done
}

/// HDEL key field [field ...]
pub fn hdel(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = lookup_hash(
        db,
        ctx.out,
        key,
        ctx.now_ms,
        ctx.rng,
        Intent::Write,
        |out| out.integer(0),
    ) else {
        return Outcome::Done;
    };
    let mut deleted = 0;
    for field in args.skip(2).iter() {
        if hash.remove(field) {
            deleted += 1;
            if hash.is_empty() {
                break;
            }
        }
    }
    let empty = hash.is_empty();
    if deleted > 0 {
        if empty {
            db.remove(key, ctx.now_ms);
        } else {
            db.signal(key);
        }
        ctx.dirty += deleted;
    }
    ctx.out.integer(deleted as i64);
    Outcome::Done
}

/// HLEN key
pub fn hlen(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let zero = |out: &mut ReplyBuf| out.integer(0);
    if let Some(hash) = lookup_hash(
        db,
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        zero,
    ) {
        ctx.out.integer(hash.len() as i64);
    }
    Outcome::Done
}

/// HSTRLEN key field
pub fn hstrlen(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let zero = |out: &mut ReplyBuf| out.integer(0);
    if let Some(hash) = lookup_hash(
        db,
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        zero,
    ) {
        let n = hash.get(args.get(2)).map_or(0, <[u8]>::len);
        ctx.out.integer(n as i64);
    }
    Outcome::Done
}

/// HEXISTS key field
pub fn hexists(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let zero = |out: &mut ReplyBuf| out.integer(0);
    if let Some(hash) = lookup_hash(
        db,
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        zero,
    ) {
        let found = hash.contains(args.get(2));
        ctx.out.integer(found as i64);
    }
    Outcome::Done
}

/// What HKEYS, HVALS and HGETALL return.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Parts {
    Fields,
    Values,
    Both,
}

fn hgetall_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, parts: Parts) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let out = &mut *ctx.out;
    let Some(hash) = lookup_hash(
        db,
        out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| match parts {
            Parts::Both => out.map(0),
            _ => out.empty_array(),
        },
    ) else {
        return Outcome::Done;
    };
    match parts {
        Parts::Both => out.map(hash.len()),
        _ => out.array(hash.len()),
    }
    for (f, v) in hash.iter() {
        if parts != Parts::Values {
            out.bulk(f);
        }
        if parts != Parts::Fields {
            out.bulk(v);
        }
    }
    Outcome::Done
}

/// HKEYS key
pub fn hkeys(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    hgetall_generic(ctx, args, Parts::Fields)
}

/// HVALS key
pub fn hvals(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    hgetall_generic(ctx, args, Parts::Values)
}

/// HGETALL key
pub fn hgetall(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    hgetall_generic(ctx, args, Parts::Both)
}

/// HINCRBY key field increment
pub fn hincrby(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(incr) = parse::int(args.get(3)) else {
        ctx.out.error(errors::NOT_INTEGER);
        return Outcome::Done;
    };
    let (key, field) = (args.get(1), args.get(2));
    let (max_entries, max_value) = limits(ctx);
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = hash_for_write(db, ctx.out, key, ctx.now_ms, ctx.rng) else {
        return Outcome::Done;
    };
    let current = match hash.get(field) {
        None => 0,
        Some(v) => match parse_canonical_i64(v) {
            Some(n) => n,
            None => {
                ctx.out.error(errors::HASH_VALUE_NOT_INTEGER);
                return Outcome::Done;
            }
        },
    };
    let Some(result) = current.checked_add(incr) else {
        ctx.out.error(errors::INCR_OVERFLOW);
        return Outcome::Done;
    };
    let mut buf = itoa::Buffer::new();
    hash.set(field, buf.format(result).as_bytes(), max_entries, max_value);
    db.signal(key);
    ctx.dirty += 1;
    ctx.out.integer(result);
    Outcome::Done
}

/// HINCRBYFLOAT key field increment
pub fn hincrbyfloat(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(incr) = LongDouble::parse(args.get(3)) else {
        ctx.out.error(errors::NOT_FLOAT);
        return Outcome::Done;
    };
    if incr.is_infinite() {
        ctx.out.error(errors::VALUE_NAN_OR_INF);
        return Outcome::Done;
    }
    let (key, field) = (args.get(1), args.get(2));
    let (max_entries, max_value) = limits(ctx);
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = hash_for_write(db, ctx.out, key, ctx.now_ms, ctx.rng) else {
        return Outcome::Done;
    };
    let current = match hash.get(field) {
        None => LongDouble::ZERO,
        Some(v) => match LongDouble::parse(v) {
            Some(x) => x,
            None => {
                ctx.out.error(errors::HASH_VALUE_NOT_FLOAT);
                return Outcome::Done;
            }
        },
    };
    let result = current + incr;
    if result.is_nan() || result.is_infinite() {
        ctx.out.error(errors::FLOAT_NAN_INF);
        return Outcome::Done;
    }
    let text = result.format_human();
    hash.set(field, text.as_bytes(), max_entries, max_value);
    db.signal(key);
    ctx.dirty += 1;
    ctx.out.bulk(text.as_bytes());
    Outcome::Done
}

/// Writes one HRANDFIELD element: the field, or with values a pair (a
/// nested array in RESP3, flat in RESP2).
fn reply_pick(out: &mut ReplyBuf, field: &[u8], value: &[u8], with_values: bool) {
    if with_values && out.protocol() == Protocol::Resp3 {
        out.array(2);
    }
    out.bulk(field);
    if with_values {
        out.bulk(value);
    }
}

/// HRANDFIELD key [count [WITHVALUES]]
pub fn hrandfield(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() < 3 {
        let db = &mut ctx.dbs[ctx.db];
        match db.get(args.get(1), ctx.now_ms, ctx.rng) {
            None => ctx.out.null(),
            Some(Value::Hash(h)) => {
                let i = ctx.rng.random_range(0..h.len());
                let (f, _) = h.entry_at(i).expect("index below the length");
                ctx.out.bulk(f);
            }
            Some(_) => ctx.out.error(errors::WRONGTYPE),
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
    let with_values = match args.len() {
        3 => false,
        4 if eq_ignore_case(args.get(3), "withvalues") => true,
        _ => {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
    };
    // The reply length doubles with values; Redis refuses counts whose
    // double would not fit.
    if with_values && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        ctx.out.error(errors::OUT_OF_RANGE);
        return Outcome::Done;
    }
    let db = &mut ctx.dbs[ctx.db];
    let Some(hash) = lookup_hash(
        db,
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| out.empty_array(),
    ) else {
        return Outcome::Done;
    };
    let out = &mut *ctx.out;
    let rng = &mut *ctx.rng;
    let wanted = count.unsigned_abs();
    let size = hash.len();
    if wanted == 0 {
        out.empty_array();
        return Outcome::Done;
    }
    let flat = with_values && out.protocol() == Protocol::Resp2;
    // Positions are O(1) in a table; a packed hash is indexed once.
    let packed: Vec<(&[u8], &[u8])> = if hash.is_packed() {
        hash.iter().collect()
    } else {
        Vec::new()
    };
    let at = |i: usize| -> (&[u8], &[u8]) {
        if hash.is_packed() {
            packed[i]
        } else {
            hash.entry_at(i).expect("index below the length")
        }
    };
    if count < 0 || wanted == 1 {
        // Repeats allowed: independent uniform picks.
        out.array(if flat {
            wanted as usize * 2
        } else {
            wanted as usize
        });
        for _ in 0..wanted {
            let (f, v) = at(rng.random_range(0..size));
            reply_pick(out, f, v, with_values);
        }
        return Outcome::Done;
    }
    let wanted = wanted as usize;
    if wanted >= size {
        out.array(if flat { size * 2 } else { size });
        for (f, v) in hash.iter() {
            reply_pick(out, f, v, with_values);
        }
        return Outcome::Done;
    }
    out.array(if flat { wanted * 2 } else { wanted });
    // Distinct picks: a partial Fisher-Yates shuffle of the positions.
    // Building the position table is O(size), fine when the sample is a
    // large part of the hash; for small samples, rejection of repeats.
    if wanted * 3 > size {
        let mut positions: Vec<u32> = (0..size as u32).collect();
        for k in 0..wanted {
            let j = rng.random_range(k..size);
            positions.swap(k, j);
            let (f, v) = at(positions[k] as usize);
            reply_pick(out, f, v, with_values);
        }
    } else {
        let mut chosen = std::collections::HashSet::with_capacity(wanted);
        while chosen.len() < wanted {
            let i = rng.random_range(0..size);
            if chosen.insert(i) {
                let (f, v) = at(i);
                reply_pick(out, f, v, with_values);
            }
        }
    }
    Outcome::Done
}

/// HSCAN key cursor [MATCH pattern] [COUNT count]
pub fn hscan(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(cursor) = scan_cursor(args.get(2)) else {
        ctx.out.error(errors::INVALID_CURSOR);
        return Outcome::Done;
    };
    let out = &mut *ctx.out;
    let Some(hash) = lookup_hash(
        &mut ctx.dbs[ctx.db],
        out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| {
            out.array(2);
            out.bulk(b"0");
            out.empty_array();
        },
    ) else {
        return Outcome::Done;
    };
    // Options are checked only once the key is known to be a hash.
    let mut count = 10usize;
    let mut pattern: Option<&[u8]> = None;
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        let has_value = i + 1 < args.len();
        if eq_ignore_case(opt, "count") && has_value {
            match parse::int(args.get(i + 1)) {
                None => {
                    out.error(errors::NOT_INTEGER);
                    return Outcome::Done;
                }
                Some(n) if n < 1 => {
                    out.error(errors::SYNTAX);
                    return Outcome::Done;
                }
                Some(n) => count = n as usize,
            }
        } else if eq_ignore_case(opt, "match") && has_value {
            let p = args.get(i + 1);
            pattern = (p != b"*").then_some(p);
        } else {
            out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        i += 2;
    }
    // Collect first: the reply's length comes before its elements.
    let mut found: Vec<(&[u8], &[u8])> = Vec::new();
    let next = hash.scan(cursor, count, |f, v| {
        if pattern.is_none_or(|p| glob_match(p, f, false)) {
            found.push((f, v));
        }
    });
    out.array(2);
    out.bulk(itoa::Buffer::new().format(next).as_bytes());
    out.array(found.len() * 2);
    for (f, v) in found {
        out.bulk(f);
        out.bulk(v);
    }
    Outcome::Done
}

#[cfg(test)]
#[path = "hashes_test.rs"]
mod tests;
