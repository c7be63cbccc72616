//! List commands: pushes and pops at both ends, access by index and by
//! value, moves between lists, and the blocking pops.
//!
//! Replies, errors and the order of checks follow Redis 7.0 (an argument
//! error may win over a missing key or the other way round, per command).
//! A list that becomes empty is deleted. In-place changes call
//! [`shoal_keyspace::Db::signal`] so blocked clients and WATCH see them.
//!
//! Blocking commands serve at once when they can; otherwise they return
//! [`Outcome::Block`] and the server re-runs them, in blocking order, when
//! one of their keys changes. Inside MULTI they answer the timeout reply at
//! once, as Redis does for clients that may not block.

use crate::ctx::{BlockRequest, ExecCtx, Outcome, TimeoutReply};
use crate::dispatch::Handler;
use crate::errors;
use crate::long_double::LongDouble;
use crate::parse::{self, eq_ignore_case};
use crate::typed::Intent;
use rand::rngs::SmallRng;
use shoal_keyspace::collections::ListValue;
use shoal_keyspace::{Db, SmallBytes, Value};
use shoal_resp::request::Args;
use shoal_resp::ReplyBuf;

/// The handler of a command of this family, by lowercase name.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "lpush" => lpush,
        "rpush" => rpush,
        "lpushx" => lpushx,
        "rpushx" => rpushx,
        "lpop" => lpop,
        "rpop" => rpop,
        "llen" => llen,
        "lrange" => lrange,
        "lindex" => lindex,
        "lset" => lset,
        "linsert" => linsert,
        "lrem" => lrem,
        "ltrim" => ltrim,
        "lpos" => lpos,
        "lmove" => lmove,
        "rpoplpush" => rpoplpush,
        "lmpop" => lmpop,
        "blpop" => blpop,
        "brpop" => brpop,
        "blmove" => blmove,
        "brpoplpush" => brpoplpush,
        "blmpop" => blmpop,
        _ => return None,
    };
    Some(h)
}

/// Which end of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Left,
    Right,
}

impl End {
    /// Parses `LEFT`/`RIGHT` (any case).
    fn parse(arg: &[u8]) -> Option<End> {
        if eq_ignore_case(arg, "left") {
            Some(End::Left)
        } else if eq_ignore_case(arg, "right") {
            Some(End::Right)
        } else {
            None
        }
    }
}

/// Parses a blocking timeout in seconds (fractions allowed) into an
/// absolute deadline in ms, `None` meaning forever.
///
/// Redis computes `ceil(timeout * 1000)` in `long double` and converts it
/// to a 64-bit integer, so this does too: `-0.0001` is 0 (forever), and
/// values too large for the conversion (`1e300`, `inf`) come out negative
/// and are refused as such. A deadline that overflows is already due.
pub fn block_deadline(arg: &[u8], now_ms: u64) -> Result<Option<u64>, &'static str> {
    let seconds = LongDouble::parse(arg).ok_or(errors::TIMEOUT_NOT_FLOAT)?;
    let ms = seconds.mul_u32(1000).ceil_to_i64();
    if ms < 0 {
        return Err(errors::TIMEOUT_NEGATIVE);
    }
    if ms == 0 {
        return Ok(None);
    }
    let at = ms.wrapping_add(now_ms as i64);
    Ok(Some(if at < 0 { now_ms } else { at as u64 }))
}

/// Parses an integer argument, replying the standard error if it is not one.
fn int_arg(out: &mut ReplyBuf, arg: &[u8]) -> Option<i64> {
    let n = parse::int(arg);
    if n.is_none() {
        out.error(errors::NOT_INTEGER);
    }
    n
}

/// Parses the `start stop` arguments of LRANGE and LTRIM.
fn range_args(out: &mut ReplyBuf, args: Args<'_>) -> Option<(i64, i64)> {
    Some((int_arg(out, args.get(2))?, int_arg(out, args.get(3))?))
}

/// Parses a count that must be a non-negative integer, replying `msg` for
/// anything else (Redis uses one message for both cases).
fn non_negative_arg(out: &mut ReplyBuf, arg: &[u8], msg: &str) -> Option<i64> {
    match parse::int(arg) {
        Some(n) if n >= 0 => Some(n),
        _ => {
            out.error(msg);
            None
        }
    }
}

/// Resolves Redis's inclusive `start..=end` with negative indexes counted
/// from the tail; `None` when the range is empty.
fn resolve_range(start: i64, end: i64, len: usize) -> Option<(usize, usize)> {
    let len = len as i64;
    let mut start = if start < 0 {
        start.saturating_add(len)
    } else {
        start
    };
    let mut end = if end < 0 {
        end.saturating_add(len)
    } else {
        end
    };
    if start < 0 {
        start = 0;
    }
    if start > end || start >= len {
        return None;
    }
    if end >= len {
        end = len - 1;
    }
    Some((start as usize, end as usize))
}

/// Writes the elements `start..=end` as an array, tail first if `reverse`.
fn reply_range(out: &mut ReplyBuf, list: &ListValue, start: usize, end: usize, reverse: bool) {
    out.array(end - start + 1);
    if reverse {
        for item in list.range(start, end).rev() {
            out.bulk(item);
        }
    } else {
        for item in list.range(start, end) {
            out.bulk(item);
        }
    }
}

/// The list under `key`, as Redis's `lookupKey...OrReply` with a type
/// check: `None` once `on_missing` has written the reply for a missing key,
/// or WRONGTYPE has been written.
fn lookup_list<'a>(
    db: &'a mut Db,
    out: &mut ReplyBuf,
    key: &[u8],
    now_ms: u64,
    rng: &mut SmallRng,
    intent: Intent,
    on_missing: impl FnOnce(&mut ReplyBuf),
) -> Option<&'a mut ListValue> {
    crate::typed::lookup(db, out, key, now_ms, rng, intent, on_missing, |v| match v {
        Value::List(l) => Some(&mut **l),
        _ => None,
    })
}

fn push_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, end: End, only_existing: bool) -> Outcome {
    let key = args.get(1);
    let fill = ctx.settings.list_max_listpack_size;
    let db = &mut ctx.dbs[ctx.db];
    let list = if only_existing {
        lookup_list(
            db,
            ctx.out,
            key,
            ctx.now_ms,
            ctx.rng,
            Intent::Write,
            |out| out.integer(0),
        )
    } else {
        let make = || Value::List(Box::default());
        crate::typed::for_write(db, ctx.out, key, ctx.now_ms, ctx.rng, make, |v| match v {
            Value::List(l) => Some(&mut **l),
            _ => None,
        })
    };
    let Some(list) = list else {
        return Outcome::Done;
    };
    for item in args.skip(2).iter() {
        match end {
            End::Left => list.push_front(item, fill),
            End::Right => list.push_back(item, fill),
        }
    }
    let len = list.len();
    db.signal(key);
    ctx.dirty += args.len() as u64 - 2;
    ctx.out.integer(len as i64);
    Outcome::Done
}

/// LPUSH key element [element ...]
pub fn lpush(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    push_generic(ctx, args, End::Left, false)
}

/// RPUSH key element [element ...]
pub fn rpush(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    push_generic(ctx, args, End::Right, false)
}

/// LPUSHX key element [element ...]
pub fn lpushx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    push_generic(ctx, args, End::Left, true)
}

/// RPUSHX key element [element ...]
pub fn rpushx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    push_generic(ctx, args, End::Right, true)
}

/// Deletes `key` if its list became empty, else signals the change.
fn finish_removal(ctx: &mut ExecCtx<'_>, key: &[u8], now_empty: bool) {
    let db = &mut ctx.dbs[ctx.db];
    if now_empty {
        db.remove(key, ctx.now_ms);
    } else {
        db.signal(key);
    }
}

/// Pops one element from `end` and writes it as a bulk reply.
fn pop_one_reply(out: &mut ReplyBuf, list: &mut ListValue, end: End) {
    let popped = match end {
        End::Left => list.pop_front_with(|item| out.bulk(item)),
        End::Right => list.pop_back_with(|item| out.bulk(item)),
    };
    assert!(popped.is_some(), "stored lists are never empty");
}

/// Pops up to `count` elements from `end`, writing them (in pop order) as
/// an array; returns how many.
fn pop_many_reply(out: &mut ReplyBuf, list: &mut ListValue, end: End, count: usize) -> usize {
    let n = count.min(list.len());
    let len = list.len();
    match end {
        End::Left => {
            reply_range(out, list, 0, n - 1, false);
            list.trim(n, 0);
        }
        End::Right => {
            reply_range(out, list, len - n, len - 1, true);
            list.trim(0, n);
        }
    }
    n
}

fn pop_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, end: End) -> Outcome {
    let name = if end == End::Left { "lpop" } else { "rpop" };
    if args.len() > 3 {
        ctx.out.error(&errors::wrong_arity(name));
        return Outcome::Done;
    }
    let count = if args.len() == 3 {
        match non_negative_arg(ctx.out, args.get(2), errors::OUT_OF_RANGE_POSITIVE) {
            Some(n) => Some(n as usize),
            None => return Outcome::Done,
        }
    } else {
        None
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let Some(list) = lookup_list(
        db,
        ctx.out,
        key,
        ctx.now_ms,
        ctx.rng,
        Intent::Write,
        |out| match count {
            Some(_) => out.null_array(),
            None => out.null(),
        },
    ) else {
        return Outcome::Done;
    };
    let popped = match count {
        Some(0) => {
            ctx.out.empty_array();
            return Outcome::Done;
        }
        None => {
            pop_one_reply(ctx.out, list, end);
            1
        }
        Some(n) => pop_many_reply(ctx.out, list, end, n),
    };
    let empty = list.is_empty();
    ctx.dirty += popped as u64;
    finish_removal(ctx, key, empty);
    Outcome::Done
}

/// LPOP key [count]
pub fn lpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    pop_generic(ctx, args, End::Left)
}

/// RPOP key [count]
pub fn rpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    pop_generic(ctx, args, End::Right)
}

/// LLEN key
pub fn llen(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match ctx.dbs[ctx.db].get(args.get(1), ctx.now_ms, ctx.rng) {
        None => ctx.out.integer(0),
        Some(Value::List(l)) => ctx.out.integer(l.len() as i64),
        Some(_) => ctx.out.error(errors::WRONGTYPE),
    }
    Outcome::Done
}

/// LRANGE key start stop
pub fn lrange(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some((start, end)) = range_args(ctx.out, args) else {
        return Outcome::Done;
    };
    match ctx.dbs[ctx.db].get(args.get(1), ctx.now_ms, ctx.rng) {
        None => ctx.out.empty_array(),
        Some(Value::List(l)) => match resolve_range(start, end, l.len()) {
            Some((s, e)) => reply_range(ctx.out, l, s, e, false),
            None => ctx.out.empty_array(),
        },
        Some(_) => ctx.out.error(errors::WRONGTYPE),
    }
    Outcome::Done
}

/// Turns a possibly negative index into a position, if within `len`.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let i = if index < 0 {
        index.checked_add(len as i64)?
    } else {
        index
    };
    (i >= 0 && (i as u64) < len as u64).then_some(i as usize)
}

/// LINDEX key index
pub fn lindex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(list) = lookup_list(
        &mut ctx.dbs[ctx.db],
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| out.null(),
    ) else {
        return Outcome::Done;
    };
    let Some(index) = int_arg(ctx.out, args.get(2)) else {
        return Outcome::Done;
    };
    match resolve_index(index, list.len()).and_then(|i| list.get(i)) {
        Some(item) => ctx.out.bulk(item),
        None => ctx.out.null(),
    }
    Outcome::Done
}

/// LSET key index element
pub fn lset(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let fill = ctx.settings.list_max_listpack_size;
    let db = &mut ctx.dbs[ctx.db];
    let Some(list) = lookup_list(
        db,
        ctx.out,
        key,
        ctx.now_ms,
        ctx.rng,
        Intent::Write,
        |out| out.error(errors::NO_SUCH_KEY),
    ) else {
        return Outcome::Done;
    };
    let Some(index) = int_arg(ctx.out, args.get(2)) else {
        return Outcome::Done;
    };
    match resolve_index(index, list.len()) {
        Some(i) => {
            list.set(i, args.get(3), fill);
            db.signal(key);
            ctx.dirty += 1;
            ctx.out.ok();
        }
        None => ctx.out.error(errors::INDEX_OUT_OF_RANGE),
    }
    Outcome::Done
}

/// LINSERT key BEFORE|AFTER pivot element
pub fn linsert(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let after = if eq_ignore_case(args.get(2), "after") {
        true
    } else if eq_ignore_case(args.get(2), "before") {
        false
    } else {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    };
    let key = args.get(1);
    let fill = ctx.settings.list_max_listpack_size;
    let db = &mut ctx.dbs[ctx.db];
    let Some(list) = lookup_list(
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
    let pivot = args.get(3);
    let Some(at) = list.iter().position(|item| item == pivot) else {
        ctx.out.integer(-1);
        return Outcome::Done;
    };
    list.insert(at + after as usize, args.get(4), fill);
    let len = list.len();
    db.signal(key);
    ctx.dirty += 1;
    ctx.out.integer(len as i64);
    Outcome::Done
}

/// LREM key count element
pub fn lrem(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(count) = int_arg(ctx.out, args.get(2)) else {
        return Outcome::Done;
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let Some(list) = lookup_list(
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
    let limit = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
    let removed = list.remove_matching(args.get(3), limit, count < 0);
    let empty = list.is_empty();
    if removed > 0 {
        ctx.dirty += removed as u64;
        finish_removal(ctx, key, empty);
    }
    ctx.out.integer(removed as i64);
    Outcome::Done
}

/// LTRIM key start stop
pub fn ltrim(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some((start, end)) = range_args(ctx.out, args) else {
        return Outcome::Done;
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let Some(list) = lookup_list(
        db,
        ctx.out,
        key,
        ctx.now_ms,
        ctx.rng,
        Intent::Write,
        |out| out.ok(),
    ) else {
        return Outcome::Done;
    };
    let len = list.len();
    let (front, back) = match resolve_range(start, end, len) {
        Some((s, e)) => (s, len - 1 - e),
        None => (len, 0),
    };
    list.trim(front, back);
    let empty = list.is_empty();
    ctx.dirty += (front + back) as u64;
    // Redis signals the key even when nothing was trimmed.
    finish_removal(ctx, key, empty);
    ctx.out.ok();
    Outcome::Done
}

/// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
pub fn lpos(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut i = 3;
    while i < args.len() {
        let opt = args.get(i);
        let has_value = i + 1 < args.len();
        if eq_ignore_case(opt, "rank") && has_value {
            let Some(r) = int_arg(ctx.out, args.get(i + 1)) else {
                return Outcome::Done;
            };
            if r == 0 {
                ctx.out.error(errors::LPOS_RANK_ZERO);
                return Outcome::Done;
            }
            rank = r;
        } else if eq_ignore_case(opt, "count") && has_value {
            match non_negative_arg(ctx.out, args.get(i + 1), errors::LPOS_COUNT_NEGATIVE) {
                Some(n) => count = Some(n),
                None => return Outcome::Done,
            }
        } else if eq_ignore_case(opt, "maxlen") && has_value {
            match non_negative_arg(ctx.out, args.get(i + 1), errors::LPOS_MAXLEN_NEGATIVE) {
                Some(n) => maxlen = n,
                None => return Outcome::Done,
            }
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        i += 2;
    }
    let from_tail = rank < 0;
    // Redis negates the rank in a C long, so i64::MIN stays negative and
    // then matches from the first hit on: wrapping keeps that behaviour.
    let rank = if from_tail { rank.wrapping_neg() } else { rank };
    let Some(list) = lookup_list(
        &mut ctx.dbs[ctx.db],
        ctx.out,
        args.get(1),
        ctx.now_ms,
        ctx.rng,
        Intent::Read,
        |out| match count {
            Some(_) => out.empty_array(),
            None => out.null(),
        },
    ) else {
        return Outcome::Done;
    };
    let element = args.get(2);
    let len = list.len();
    let scan_limit = if maxlen == 0 {
        usize::MAX
    } else {
        maxlen as usize
    };
    let out = &mut *ctx.out;
    let deferred = count.map(|_| out.defer());
    let mut matches: i64 = 0;
    let mut found: Option<usize> = None;
    let mut reported = 0usize;
    let mut visit = |steps: usize, item: &[u8]| -> bool {
        if item != element {
            return true;
        }
        matches += 1;
        if matches < rank {
            return true;
        }
        let index = if from_tail { len - 1 - steps } else { steps };
        match count {
            Some(c) => {
                out.integer(index as i64);
                reported += 1;
                c == 0 || matches.wrapping_sub(rank).wrapping_add(1) < c
            }
            None => {
                found = Some(index);
                false
            }
        }
    };
    if from_tail {
        for (steps, item) in list.iter().rev().enumerate().take(scan_limit) {
            if !visit(steps, item) {
                break;
            }
        }
    } else {
        for (steps, item) in list.iter().enumerate().take(scan_limit) {
            if !visit(steps, item) {
                break;
            }
        }
    }
    match deferred {
        Some(d) => out.finish_array(d, reported),
        None => match found {
            Some(index) => out.integer(index as i64),
            None => out.null(),
        },
    }
    Outcome::Done
}

/// Checks that `key` is absent or a list; replies WRONGTYPE otherwise.
fn check_list_or_missing(ctx: &mut ExecCtx<'_>, key: &[u8]) -> bool {
    match ctx.dbs[ctx.db].get_mut_for_write(key, ctx.now_ms, ctx.rng) {
        Some(Value::List(_)) | None => true,
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            false
        }
    }
}

/// The shared part of LMOVE, RPOPLPUSH and their blocking forms once the
/// source is known to be a non-empty list: checks the destination, moves
/// one element and replies with it.
fn move_element(ctx: &mut ExecCtx<'_>, src: &[u8], dst: &[u8], from: End, to: End) -> Outcome {
    if !check_list_or_missing(ctx, dst) {
        return Outcome::Done;
    }
    let fill = ctx.settings.list_max_listpack_size;
    let db = &mut ctx.dbs[ctx.db];
    let Some(Value::List(list)) = db.get_mut_for_write(src, ctx.now_ms, ctx.rng) else {
        unreachable!("the caller found a list under the source key");
    };
    let pop = |item: &[u8]| SmallBytes::new(item);
    let item = match from {
        End::Left => list.pop_front_with(pop),
        End::Right => list.pop_back_with(pop),
    }
    .expect("stored lists are never empty");
    if src == dst {
        // A rotation: the list never becomes empty in between.
        match to {
            End::Left => list.push_front(item.as_bytes(), fill),
            End::Right => list.push_back(item.as_bytes(), fill),
        }
        db.signal(src);
    } else {
        if list.is_empty() {
            db.remove(src, ctx.now_ms);
        } else {
            db.signal(src);
        }
        let value = db
            .get_or_insert_with(dst, ctx.now_ms, ctx.rng, || Value::List(Box::default()))
            .0;
        let Value::List(target) = value else {
            unreachable!("the destination was checked to be a list or missing");
        };
        match to {
            End::Left => target.push_front(item.as_bytes(), fill),
            End::Right => target.push_back(item.as_bytes(), fill),
        }
        db.signal(dst);
    }
    ctx.dirty += 1;
    ctx.out.bulk(item.as_bytes());
    Outcome::Done
}

/// Looks up the source of a move: `Ok(true)` when it holds a list,
/// `Ok(false)` when missing, `Err` (WRONGTYPE written) otherwise.
fn move_source(ctx: &mut ExecCtx<'_>, src: &[u8]) -> Result<bool, ()> {
    match ctx.dbs[ctx.db].get_mut_for_write(src, ctx.now_ms, ctx.rng) {
        None => Ok(false),
        Some(Value::List(_)) => Ok(true),
        Some(_) => {
            ctx.out.error(errors::WRONGTYPE);
            Err(())
        }
    }
}

fn lmove_generic(ctx: &mut ExecCtx<'_>, src: &[u8], dst: &[u8], from: End, to: End) -> Outcome {
    match move_source(ctx, src) {
        Err(()) => Outcome::Done,
        Ok(false) => {
            ctx.out.null();
            Outcome::Done
        }
        Ok(true) => move_element(ctx, src, dst, from, to),
    }
}

/// Parses the two `LEFT|RIGHT` arguments at `at` and `at + 1`.
fn parse_ends(out: &mut ReplyBuf, args: Args<'_>, at: usize) -> Option<(End, End)> {
    match (End::parse(args.get(at)), End::parse(args.get(at + 1))) {
        (Some(from), Some(to)) => Some((from, to)),
        _ => {
            out.error(errors::SYNTAX);
            None
        }
    }
}

/// LMOVE source destination LEFT|RIGHT LEFT|RIGHT
pub fn lmove(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some((from, to)) = parse_ends(ctx.out, args, 3) else {
        return Outcome::Done;
    };
    lmove_generic(ctx, args.get(1), args.get(2), from, to)
}

/// RPOPLPUSH source destination
pub fn rpoplpush(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    lmove_generic(ctx, args.get(1), args.get(2), End::Right, End::Left)
}

/// A run of key arguments: `args[from..to]`.
#[derive(Clone, Copy)]
struct Keys<'a> {
    args: Args<'a>,
    from: usize,
    to: usize,
}

impl<'a> Keys<'a> {
    fn iter(self) -> impl Iterator<Item = &'a [u8]> {
        (self.from..self.to).map(move |i| self.args.get(i))
    }
}

/// The parsed `numkeys key... LEFT|RIGHT [COUNT n]` of LMPOP and BLMPOP.
struct MultiPop<'a> {
    keys: Keys<'a>,
    end: End,
    /// 1 when COUNT was not given (the reply is still an array).
    count: usize,
}

/// Parses the LMPOP arguments starting at `numkeys_at`, replying errors.
fn parse_multi_pop<'a>(
    out: &mut ReplyBuf,
    args: Args<'a>,
    numkeys_at: usize,
) -> Option<MultiPop<'a>> {
    let numkeys = match parse::int(args.get(numkeys_at)) {
        Some(n) if n >= 1 => n as u64,
        _ => {
            out.error(errors::NUMKEYS_NOT_POSITIVE);
            return None;
        }
    };
    let end_at = (numkeys_at as u64 + 1).checked_add(numkeys);
    let end_at = match end_at {
        Some(at) if at < args.len() as u64 => at as usize,
        _ => {
            out.error(errors::SYNTAX);
            return None;
        }
    };
    let Some(end) = End::parse(args.get(end_at)) else {
        out.error(errors::SYNTAX);
        return None;
    };
    let mut count: Option<usize> = None;
    let mut i = end_at + 1;
    while i < args.len() {
        if count.is_none() && eq_ignore_case(args.get(i), "count") && i + 1 < args.len() {
            match parse::int(args.get(i + 1)) {
                Some(n) if n >= 1 => count = Some(n as usize),
                _ => {
                    out.error(errors::COUNT_NOT_POSITIVE);
                    return None;
                }
            }
            i += 2;
        } else {
            out.error(errors::SYNTAX);
            return None;
        }
    }
    let keys = Keys {
        args,
        from: numkeys_at + 1,
        to: end_at,
    };
    Some(MultiPop {
        keys,
        end,
        count: count.unwrap_or(1),
    })
}

/// Serves a pop from the first non-empty list among `keys`. `count`
/// `None` replies `[key, element]` (BLPOP), `Some(n)` replies
/// `[key, [elements]]` (LMPOP). Returns false, having written nothing,
/// when every key is missing; true once a reply (or an error) is written.
fn pop_first_nonempty(
    ctx: &mut ExecCtx<'_>,
    keys: Keys<'_>,
    end: End,
    count: Option<usize>,
) -> bool {
    for key in keys.iter() {
        let db = &mut ctx.dbs[ctx.db];
        let list = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
            None => continue,
            Some(Value::List(l)) => l,
            Some(_) => {
                ctx.out.error(errors::WRONGTYPE);
                return true;
            }
        };
        ctx.out.array(2);
        ctx.out.bulk(key);
        let popped = match count {
            None => {
                pop_one_reply(ctx.out, list, end);
                1
            }
            Some(n) => pop_many_reply(ctx.out, list, end, n),
        };
        let empty = list.is_empty();
        ctx.dirty += popped as u64;
        finish_removal(ctx, key, empty);
        return true;
    }
    false
}

/// LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn lmpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(mp) = parse_multi_pop(ctx.out, args, 1) else {
        return Outcome::Done;
    };
    if !pop_first_nonempty(ctx, mp.keys, mp.end, Some(mp.count)) {
        ctx.out.null_array();
    }
    Outcome::Done
}

/// Ends a blocking command that found nothing to serve: blocks, or
/// answers the timeout reply at once when blocking is not allowed.
fn block_or_timeout(
    ctx: &mut ExecCtx<'_>,
    keys: Keys<'_>,
    deadline_ms: Option<u64>,
    reply: TimeoutReply,
) -> Outcome {
    if !ctx.may_block {
        match reply {
            TimeoutReply::NullArray => ctx.out.null_array(),
            TimeoutReply::NullBulk => ctx.out.null(),
        }
        return Outcome::Done;
    }
    // A key named twice is waited on once, as Redis registers it once.
    let mut unique: Vec<Vec<u8>> = Vec::new();
    for key in keys.iter() {
        if !unique.iter().any(|k| k == key) {
            unique.push(key.to_vec());
        }
    }
    Outcome::Block(BlockRequest {
        keys: unique,
        deadline_ms,
        timeout_reply: reply,
        waits_for: shoal_keyspace::ValueType::List,
    })
}

/// Parses a timeout argument, replying the error if it is invalid.
fn deadline_arg(ctx: &mut ExecCtx<'_>, arg: &[u8]) -> Result<Option<u64>, ()> {
    block_deadline(arg, ctx.now_ms).map_err(|e| ctx.out.error(e))
}

fn blocking_pop(ctx: &mut ExecCtx<'_>, args: Args<'_>, end: End) -> Outcome {
    let Ok(deadline) = deadline_arg(ctx, args.get(args.len() - 1)) else {
        return Outcome::Done;
    };
    let keys = Keys {
        args,
        from: 1,
        to: args.len() - 1,
    };
    if pop_first_nonempty(ctx, keys, end, None) {
        return Outcome::Done;
    }
    block_or_timeout(ctx, keys, deadline, TimeoutReply::NullArray)
}

/// BLPOP key [key ...] timeout
pub fn blpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    blocking_pop(ctx, args, End::Left)
}

/// BRPOP key [key ...] timeout
pub fn brpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    blocking_pop(ctx, args, End::Right)
}

/// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]
pub fn blmpop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(mp) = parse_multi_pop(ctx.out, args, 2) else {
        return Outcome::Done;
    };
    let Ok(deadline) = deadline_arg(ctx, args.get(1)) else {
        return Outcome::Done;
    };
    if pop_first_nonempty(ctx, mp.keys, mp.end, Some(mp.count)) {
        return Outcome::Done;
    }
    block_or_timeout(ctx, mp.keys, deadline, TimeoutReply::NullArray)
}

fn blocking_move(
    ctx: &mut ExecCtx<'_>,
    args: Args<'_>,
    from: End,
    to: End,
    deadline: Option<u64>,
) -> Outcome {
    let (src, dst) = (args.get(1), args.get(2));
    match move_source(ctx, src) {
        Err(()) => Outcome::Done,
        Ok(true) => move_element(ctx, src, dst, from, to),
        Ok(false) => block_or_timeout(
            ctx,
            Keys {
                args,
                from: 1,
                to: 2,
            },
            deadline,
            TimeoutReply::NullBulk,
        ),
    }
}

/// BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout
pub fn blmove(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some((from, to)) = parse_ends(ctx.out, args, 3) else {
        return Outcome::Done;
    };
    let Ok(deadline) = deadline_arg(ctx, args.get(5)) else {
        return Outcome::Done;
    };
    blocking_move(ctx, args, from, to, deadline)
}

/// BRPOPLPUSH source destination timeout
pub fn brpoplpush(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Ok(deadline) = deadline_arg(ctx, args.get(3)) else {
        return Outcome::Done;
    };
    blocking_move(ctx, args, End::Right, End::Left, deadline)
}

#[cfg(test)]
#[path = "lists_test.rs"]
pub(crate) mod tests;
