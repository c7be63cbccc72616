//! Set commands: SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS SRANDMEMBER
//! SPOP SMOVE SINTER SINTERCARD SUNION SDIFF and their STORE forms, SSCAN.
//!
//! Replies follow Redis 7.0 to the byte: member lists of SMEMBERS, SINTER,
//! SUNION, SDIFF and SPOP-with-count are RESP3 sets, SRANDMEMBER's are
//! arrays. Where Redis's choice of algorithm shows (the encoding of a
//! stored SDIFF result, of a set SPOP rebuilt), the same algorithm is
//! chosen by the same rule. Random picks are uniform but are not Redis's
//! exact sequence.

use crate::ctx::{ExecCtx, Outcome};
use crate::dispatch::Handler;
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use rand::Rng;
use shoal_keyspace::collections::SetValue;
use shoal_keyspace::{Db, StrRef, Ttl, Value};
use shoal_resp::request::Args;
use shoal_resp::ReplyBuf;
use shoal_types::glob_match;
use std::collections::HashSet;

/// The handler of a command of this family, by lowercase name.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "sadd" => sadd,
        "srem" => srem,
        "scard" => scard,
        "sismember" => sismember,
        "smismember" => smismember,
        "smembers" => smembers,
        "srandmember" => srandmember,
        "spop" => spop,
        "smove" => smove,
        "sinter" => sinter,
        "sintercard" => sintercard,
        "sinterstore" => sinterstore,
        "sunion" => sunion,
        "sunionstore" => sunionstore,
        "sdiff" => sdiff,
        "sdiffstore" => sdiffstore,
        "sscan" => sscan,
        _ => return None,
    };
    Some(h)
}

/// The key holds another type; the WRONGTYPE reply is the caller's to write.
pub(crate) struct WrongType;

/// Looks `key` up as a set for reading.
fn read_set<'a>(ctx: &'a mut ExecCtx<'_>, key: &[u8]) -> Result<Option<&'a SetValue>, WrongType> {
    match ctx.dbs[ctx.db].get(key, ctx.now_ms, ctx.rng) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(WrongType),
    }
}

/// Looks `key` up as a set for modification (a write lookup: no keyspace
/// hit or miss counted).
fn write_set<'a>(
    db: &'a mut Db,
    key: &[u8],
    now_ms: u64,
    rng: &mut impl Rng,
) -> Result<Option<&'a mut SetValue>, WrongType> {
    match db.get_mut_for_write(key, now_ms, rng) {
        None => Ok(None),
        Some(Value::Set(s)) => Ok(Some(s)),
        Some(_) => Err(WrongType),
    }
}

/// Writes a member as a bulk string.
#[inline]
fn reply_member(out: &mut ReplyBuf, m: StrRef<'_>) {
    match m {
        StrRef::Int(n) => out.bulk_integer(n),
        StrRef::Bytes(b) => out.bulk(b),
    }
}

/// Looks up several keys as sets, as SINTER/SUNION/SDIFF do: lazily
/// expiring each and counting the lookup, stopping at the first key of
/// another type. Missing keys come back as `None`.
fn sets_of<'a>(
    db: &'a mut Db,
    keys: &[&[u8]],
    now_ms: u64,
    rng: &mut impl Rng,
) -> Result<Vec<Option<&'a SetValue>>, WrongType> {
    for &key in keys {
        match db.get(key, now_ms, rng) {
            None | Some(Value::Set(_)) => {}
            Some(_) => return Err(WrongType),
        }
    }
    let db: &'a Db = db;
    Ok(keys
        .iter()
        .map(|&k| match db.peek_ref(k).map(|e| &e.value) {
            Some(Value::Set(s)) => Some(&**s),
            _ => None,
        })
        .collect())
}

/// Stores a computed set under `dst` (deleting `dst` when it is empty) and
/// replies with its size, as the STORE commands do.
fn store_result(ctx: &mut ExecCtx<'_>, dst: &[u8], set: SetValue) {
    let db = &mut ctx.dbs[ctx.db];
    if set.is_empty() {
        if db.remove(dst, ctx.now_ms).is_some() {
            ctx.dirty += 1;
        }
        ctx.out.integer(0);
        return;
    }
    let n = set.len();
    db.set(dst, Value::Set(Box::new(set)), Ttl::Clear, ctx.now_ms);
    ctx.dirty += 1;
    ctx.out.integer(n as i64);
}

/// Replies with every member of `set` as a RESP3 set.
fn reply_set(out: &mut ReplyBuf, set: &SetValue) {
    out.set(set.len());
    for m in set.iter() {
        reply_member(out, m);
    }
}

/// SADD key member [member ...]
pub fn sadd(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let max = ctx.settings.set_max_intset_entries;
    let db = &mut ctx.dbs[ctx.db];
    let first = args.get(2);
    let (value, _) = db.get_or_insert_with(key, ctx.now_ms, ctx.rng, || {
        Value::Set(Box::new(SetValue::for_first_member(first)))
    });
    let Value::Set(set) = value else {
        ctx.out.error(errors::WRONGTYPE);
        return Outcome::Done;
    };
    let mut added = 0;
    for m in args.skip(2).iter() {
        if set.add(m, max) {
            added += 1;
        }
    }
    if added > 0 {
        db.signal(key);
    }
    ctx.dirty += added;
    ctx.out.integer(added as i64);
    Outcome::Done
}

/// SREM key member [member ...]
pub fn srem(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let set = match write_set(db, key, ctx.now_ms, ctx.rng) {
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(None) => {
            ctx.out.integer(0);
            return Outcome::Done;
        }
        Ok(Some(s)) => s,
    };
    let mut removed = 0;
    for m in args.skip(2).iter() {
        if set.remove(m) {
            removed += 1;
            if set.is_empty() {
                break;
            }
        }
    }
    let emptied = set.is_empty();
    if emptied {
        db.remove(key, ctx.now_ms);
    } else if removed > 0 {
        db.signal(key);
    }
    ctx.dirty += removed;
    ctx.out.integer(removed as i64);
    Outcome::Done
}

/// SCARD key
pub fn scard(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let n = match read_set(ctx, args.get(1)) {
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(s) => s.map_or(0, SetValue::len),
    };
    ctx.out.integer(n as i64);
    Outcome::Done
}

/// SISMEMBER key member
pub fn sismember(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let found = match read_set(ctx, args.get(1)) {
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(s) => s.is_some_and(|s| s.contains(args.get(2))),
    };
    ctx.out.integer(found as i64);
    Outcome::Done
}

/// SMISMEMBER key member [member ...]
pub fn smismember(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let set = match db.get(args.get(1), ctx.now_ms, ctx.rng) {
        None => None,
        Some(Value::Set(s)) => Some(s),
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    ctx.out.array(args.len() - 2);
    for m in args.skip(2).iter() {
        let found = set.is_some_and(|s| s.contains(m));
        ctx.out.integer(found as i64);
    }
    Outcome::Done
}

/// SMEMBERS key (Redis runs it as a one-key SINTER).
pub fn smembers(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    inter_generic(ctx, &[args.get(1)], InterOutput::Reply)
}

/// Parses a count as Redis's `getRangeLongFromObjectOrReply` with the
/// range `-LONG_MAX..=LONG_MAX`.
fn random_count(arg: &[u8]) -> Result<i64, &'static str> {
    match parse::int(arg) {
        None => Err(errors::NOT_INTEGER),
        Some(i64::MIN) => Err(errors::OUT_OF_RANGE_COUNT),
        Some(n) => Ok(n),
    }
}

/// Picks `count` distinct positions out of `0..len` (count < len).
pub(crate) fn distinct_positions(len: usize, count: usize, rng: &mut impl Rng) -> Vec<usize> {
    if count * 3 > len {
        // Close to the whole set: drop random positions until count remain.
        let mut all: Vec<usize> = (0..len).collect();
        while all.len() > count {
            let i = rng.random_range(0..all.len());
            all.swap_remove(i);
        }
        all
    } else {
        let mut picked = HashSet::with_capacity(count);
        let mut order = Vec::with_capacity(count);
        while order.len() < count {
            let i = rng.random_range(0..len);
            if picked.insert(i) {
                order.push(i);
            }
        }
        order
    }
}

/// SRANDMEMBER key [count]
pub fn srandmember(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() > 3 {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    if args.len() == 2 {
        let (db, out, rng) = (&mut ctx.dbs[ctx.db], &mut *ctx.out, &mut *ctx.rng);
        match db.get(args.get(1), ctx.now_ms, rng) {
            None => out.null(),
            Some(Value::Set(s)) => {
                let i = s.random_index(rng);
                reply_member(out, s.get(i));
            }
            Some(_) => out.error(errors::WRONGTYPE),
        }
        return Outcome::Done;
    }
    let count = match random_count(args.get(2)) {
        Ok(n) => n,
        Err(e) => {
            ctx.out.error(e);
            return Outcome::Done;
        }
    };
    let (db, out, rng) = (&mut ctx.dbs[ctx.db], &mut *ctx.out, &mut *ctx.rng);
    let set = match db.get(args.get(1), ctx.now_ms, rng) {
        None => {
            out.empty_array();
            return Outcome::Done;
        }
        Some(Value::Set(s)) => s,
        Some(_) => {
            out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    if count == 0 {
        out.empty_array();
        return Outcome::Done;
    }
    let size = set.len();
    let wanted = count.unsigned_abs() as usize;
    // Negative counts may repeat members, and so may a count of one.
    if count < 0 || wanted == 1 {
        out.array(wanted);
        for _ in 0..wanted {
            let i = set.random_index(rng);
            reply_member(out, set.get(i));
        }
        return Outcome::Done;
    }
    if wanted >= size {
        out.array(size);
        for m in set.iter() {
            reply_member(out, m);
        }
        return Outcome::Done;
    }
    out.array(wanted);
    for i in distinct_positions(size, wanted, rng) {
        reply_member(out, set.get(i));
    }
    Outcome::Done
}

/// Redis pops one by one while the part left is more than a fifth of what
/// is taken; otherwise it rebuilds the set from the part that stays.
const SPOP_MOVE_STRATEGY_MUL: usize = 5;

/// SPOP key [count]
pub fn spop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() > 3 {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let key = args.get(1);
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
    let max_intset = ctx.settings.set_max_intset_entries;
    let (db, out, rng) = (&mut ctx.dbs[ctx.db], &mut *ctx.out, &mut *ctx.rng);
    let set = match write_set(db, key, ctx.now_ms, rng) {
        Err(WrongType) => {
            out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Ok(None) => {
            match count {
                None => out.null(),
                Some(_) => out.set(0),
            }
            return Outcome::Done;
        }
        Ok(Some(s)) => s,
    };
    let Some(count) = count else {
        let i = set.random_index(rng);
        let m = set.remove_at(i);
        out.bulk(&m);
        if set.is_empty() {
            db.remove(key, ctx.now_ms);
        } else {
            db.signal(key);
        }
        ctx.dirty += 1;
        return Outcome::Done;
    };
    if count == 0 {
        out.set(0);
        return Outcome::Done;
    }
    let size = set.len();
    if count >= size {
        reply_set(out, set);
        db.remove(key, ctx.now_ms);
        ctx.dirty += size as u64;
        return Outcome::Done;
    }
    let remaining = size - count;
    out.set(count);
    if remaining * SPOP_MOVE_STRATEGY_MUL > count {
        for _ in 0..count {
            let i = set.random_index(rng);
            out.bulk(&set.remove_at(i));
        }
    } else {
        // Move the members that stay into a new set (which picks its own
        // encoding, as Redis's rebuilt set does) and return the others.
        let mut kept: Option<SetValue> = None;
        for _ in 0..remaining {
            let i = set.random_index(rng);
            let m = set.remove_at(i);
            kept.get_or_insert_with(|| SetValue::for_first_member(&m))
                .add(&m, max_intset);
        }
        for m in set.iter() {
            reply_member(out, m);
        }
        *set = kept.expect("at least one member stays");
    }
    db.signal(key);
    ctx.dirty += count as u64;
    Outcome::Done
}

/// SMOVE source destination member
pub fn smove(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (src, dst, member) = (args.get(1), args.get(2), args.get(3));
    let max_intset = ctx.settings.set_max_intset_entries;
    let db = &mut ctx.dbs[ctx.db];
    // Write lookups, as Redis's SMOVE: no keyspace hit or miss counted.
    let src_kind = db
        .get_mut_for_write(src, ctx.now_ms, ctx.rng)
        .map(|v| matches!(v, Value::Set(_)));
    let dst_kind = db
        .get_mut_for_write(dst, ctx.now_ms, ctx.rng)
        .map(|v| matches!(v, Value::Set(_)));
    match (src_kind, dst_kind) {
        (None, _) => {
            ctx.out.integer(0);
            return Outcome::Done;
        }
        (Some(false), _) | (_, Some(false)) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        _ => {}
    }
    let Ok(Some(set)) = write_set(db, src, ctx.now_ms, ctx.rng) else {
        unreachable!("the source was just found to be a set");
    };
    if src == dst {
        let found = set.contains(member);
        ctx.out.integer(found as i64);
        return Outcome::Done;
    }
    if !set.remove(member) {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    if set.is_empty() {
        db.remove(src, ctx.now_ms);
    } else {
        db.signal(src);
    }
    ctx.dirty += 1;
    let (value, _) = db.get_or_insert_with(dst, ctx.now_ms, ctx.rng, || {
        Value::Set(Box::new(SetValue::for_first_member(member)))
    });
    let Value::Set(target) = value else {
        unreachable!("the destination was just found to be a set or missing");
    };
    if target.add(member, max_intset) {
        db.signal(dst);
        ctx.dirty += 1;
    }
    ctx.out.integer(1);
    Outcome::Done
}

/// Where an intersection goes.
#[derive(Clone, Copy)]
enum InterOutput<'k> {
    /// Reply with the members.
    Reply,
    /// Reply with the count, stopping at a limit (0: none).
    Count(usize),
    /// Store under this key and reply with the count.
    Store(&'k [u8]),
}

/// SINTER, SMEMBERS, SINTERCARD and SINTERSTORE.
fn inter_generic(ctx: &mut ExecCtx<'_>, keys: &[&[u8]], output: InterOutput<'_>) -> Outcome {
    let max_intset = ctx.settings.set_max_intset_entries;
    let found = match sets_of(&mut ctx.dbs[ctx.db], keys, ctx.now_ms, ctx.rng) {
        Ok(f) => f,
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    // A missing key is an empty set, and so is the intersection.
    let Some(mut sets) = found.into_iter().collect::<Option<Vec<&SetValue>>>() else {
        match output {
            InterOutput::Reply => ctx.out.set(0),
            InterOutput::Count(_) => ctx.out.integer(0),
            InterOutput::Store(dst) => store_result(ctx, dst, SetValue::new_intset()),
        }
        return Outcome::Done;
    };
    sets.sort_by_key(|s| s.len());
    let (first, rest) = sets.split_first().expect("at least one key");
    let in_all = |m: StrRef<'_>| m.with_bytes(|b| rest.iter().all(|s| s.contains(b)));
    match output {
        InterOutput::Reply if rest.is_empty() => reply_set(ctx.out, first),
        InterOutput::Reply => {
            let out = &mut *ctx.out;
            let deferred = out.defer();
            let mut n = 0;
            for m in first.iter().filter(|&m| in_all(m)) {
                reply_member(out, m);
                n += 1;
            }
            out.finish_set(deferred, n);
        }
        InterOutput::Count(limit) => {
            let mut n = 0;
            for _ in first.iter().filter(|&m| in_all(m)) {
                n += 1;
                if limit > 0 && n >= limit {
                    break;
                }
            }
            ctx.out.integer(n as i64);
        }
        InterOutput::Store(dst) => {
            let mut result = SetValue::new_intset();
            for m in first.iter().filter(|&m| in_all(m)) {
                m.with_bytes(|b| result.add(b, max_intset));
            }
            store_result(ctx, dst, result);
        }
    }
    Outcome::Done
}

/// SINTER key [key ...]
pub fn sinter(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(1).collect();
    inter_generic(ctx, &keys, InterOutput::Reply)
}

/// SINTERSTORE destination key [key ...]
pub fn sinterstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(2).collect();
    inter_generic(ctx, &keys, InterOutput::Store(args.get(1)))
}

/// SINTERCARD numkeys key [key ...] [LIMIT limit]
pub fn sintercard(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let numkeys = match parse::int(args.get(1)) {
        Some(n) if n >= 1 => n as usize,
        _ => {
            ctx.out.error(errors::NUMKEYS_NOT_POSITIVE);
            return Outcome::Done;
        }
    };
    if numkeys > args.len() - 2 {
        ctx.out.error(errors::NUMKEYS_TOO_MANY);
        return Outcome::Done;
    }
    let mut limit = 0;
    let mut i = 2 + numkeys;
    while i < args.len() {
        if eq_ignore_case(args.get(i), "limit") && i + 1 < args.len() {
            match parse::int(args.get(i + 1)) {
                Some(n) if n >= 0 => limit = n as usize,
                _ => {
                    ctx.out.error(errors::LIMIT_NEGATIVE);
                    return Outcome::Done;
                }
            }
            i += 2;
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
    }
    let keys: Vec<&[u8]> = args.iter().skip(2).take(numkeys).collect();
    inter_generic(ctx, &keys, InterOutput::Count(limit))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum UnionOrDiff {
    Union,
    Diff,
}

/// SUNION, SDIFF and their STORE forms. The result is built as a new set
/// (starting as an intset, as Redis's does), then replied or stored.
fn union_diff(
    ctx: &mut ExecCtx<'_>,
    keys: &[&[u8]],
    dst: Option<&[u8]>,
    op: UnionOrDiff,
) -> Outcome {
    let max_intset = ctx.settings.set_max_intset_entries;
    let sets = match sets_of(&mut ctx.dbs[ctx.db], keys, ctx.now_ms, ctx.rng) {
        Ok(s) => s,
        Err(WrongType) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    let mut result = SetValue::new_intset();
    let add_all = |result: &mut SetValue, s: &SetValue| {
        for m in s.iter() {
            m.with_bytes(|b| result.add(b, max_intset));
        }
    };
    match op {
        UnionOrDiff::Union => {
            for s in sets.iter().flatten() {
                add_all(&mut result, s);
            }
        }
        UnionOrDiff::Diff => {
            // The first key named again means everything is subtracted.
            let same_key = sets[0].is_some()
                && keys[1..]
                    .iter()
                    .zip(&sets[1..])
                    .any(|(k, s)| s.is_some() && *k == keys[0]);
            if let (Some(first), false) = (sets[0], same_key) {
                // Redis's choice between its two algorithms decides the
                // result's encoding, so make the same choice.
                let present = sets.iter().flatten().count();
                let algo_one_work = present * first.len() / 2;
                let algo_two_work: usize = sets.iter().flatten().map(|s| s.len()).sum();
                if algo_one_work <= algo_two_work {
                    let others: Vec<&SetValue> = sets[1..].iter().flatten().copied().collect();
                    for m in first.iter() {
                        if !m.with_bytes(|b| others.iter().any(|o| o.contains(b))) {
                            m.with_bytes(|b| result.add(b, max_intset));
                        }
                    }
                } else {
                    add_all(&mut result, first);
                    for s in sets[1..].iter().flatten() {
                        if result.is_empty() {
                            break;
                        }
                        for m in s.iter() {
                            m.with_bytes(|b| result.remove(b));
                        }
                    }
                }
            }
        }
    }
    match dst {
        Some(dst) => store_result(ctx, dst, result),
        None => reply_set(ctx.out, &result),
    }
    Outcome::Done
}

/// SUNION key [key ...]
pub fn sunion(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(1).collect();
    union_diff(ctx, &keys, None, UnionOrDiff::Union)
}

/// SUNIONSTORE destination key [key ...]
pub fn sunionstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(2).collect();
    union_diff(ctx, &keys, Some(args.get(1)), UnionOrDiff::Union)
}

/// SDIFF key [key ...]
pub fn sdiff(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(1).collect();
    union_diff(ctx, &keys, None, UnionOrDiff::Diff)
}

/// SDIFFSTORE destination key [key ...]
pub fn sdiffstore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let keys: Vec<&[u8]> = args.iter().skip(2).collect();
    union_diff(ctx, &keys, Some(args.get(1)), UnionOrDiff::Diff)
}

/// Parses a SSCAN/ZSCAN cursor as Redis does with `strtoul`: an optional
/// sign (a minus wraps around), decimal digits, nothing else; no leading
/// space; the empty string reads as 0.
pub(crate) fn parse_cursor(arg: &[u8]) -> Option<u64> {
    if arg.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match arg[0] {
        b'-' => (true, &arg[1..]),
        b'+' => (false, &arg[1..]),
        _ => (false, arg),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((b - b'0') as u64)?;
    }
    Some(if negative { n.wrapping_neg() } else { n })
}

/// The options of SSCAN/ZSCAN (no TYPE: that is for the keyspace SCAN).
pub(crate) struct ScanOptions<'a> {
    /// COUNT, at least 1.
    pub count: usize,
    /// MATCH, unless it is `*`.
    pub pattern: Option<&'a [u8]>,
}

/// Parses `[MATCH pattern] [COUNT count]` from argument `from` on.
pub(crate) fn parse_scan_options(
    args: Args<'_>,
    from: usize,
) -> Result<ScanOptions<'_>, &'static str> {
    let mut opts = ScanOptions {
        count: 10,
        pattern: None,
    };
    let mut i = from;
    while i < args.len() {
        let has_value = i + 1 < args.len();
        if eq_ignore_case(args.get(i), "count") && has_value {
            match parse::int(args.get(i + 1)) {
                None => return Err(errors::NOT_INTEGER),
                Some(n) if n < 1 => return Err(errors::SYNTAX),
                Some(n) => opts.count = usize::try_from(n).unwrap_or(usize::MAX),
            }
        } else if eq_ignore_case(args.get(i), "match") && has_value {
            let p = args.get(i + 1);
            opts.pattern = (p != b"*").then_some(p);
        } else {
            return Err(errors::SYNTAX);
        }
        i += 2;
    }
    Ok(opts)
}

/// Writes the reply of an SSCAN/ZSCAN step.
pub(crate) fn reply_scan(out: &mut ReplyBuf, cursor: u64, items: &[Vec<u8>]) {
    out.array(2);
    out.bulk(itoa::Buffer::new().format(cursor).as_bytes());
    out.array(items.len());
    for item in items {
        out.bulk(item);
    }
}

/// SSCAN key cursor [MATCH pattern] [COUNT count]
pub fn sscan(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(cursor) = parse_cursor(args.get(2)) else {
        ctx.out.error(errors::INVALID_CURSOR);
        return Outcome::Done;
    };
    let db = &mut ctx.dbs[ctx.db];
    let set = match db.get(args.get(1), ctx.now_ms, ctx.rng) {
        None => {
            reply_scan(ctx.out, 0, &[]);
            return Outcome::Done;
        }
        Some(Value::Set(s)) => s,
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
    };
    let opts = match parse_scan_options(args, 3) {
        Ok(o) => o,
        Err(e) => {
            ctx.out.error(e);
            return Outcome::Done;
        }
    };
    let mut items = Vec::new();
    let next = set.scan(cursor, opts.count, |m| {
        let m = m.to_vec();
        if opts.pattern.is_none_or(|p| glob_match(p, &m, false)) {
            items.push(m);
        }
    });
    reply_scan(ctx.out, next, &items);
    Outcome::Done
}

#[cfg(test)]
#[path = "sets_test.rs"]
mod tests;
