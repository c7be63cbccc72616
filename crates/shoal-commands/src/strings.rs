//! String commands: GET SET and friends, counters, ranges, LCS.

use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::{StrRef, Ttl, Value};
use shoal_resp::request::Args;
use shoal_resp::ReplyBuf;

/// Writes a string value as a bulk reply.
#[inline]
pub(crate) fn reply_str(out: &mut ReplyBuf, s: StrRef<'_>) {
    match s {
        StrRef::Int(n) => out.bulk_integer(n),
        StrRef::Bytes(b) => out.bulk(b),
    }
}

/// GET key
pub fn get(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    match db.get(args.get(1), ctx.now_ms, ctx.rng) {
        None => ctx.out.null(),
        Some(v) => match v.as_str() {
            Some(s) => reply_str(ctx.out, s),
            None => ctx.out.error(errors::WRONGTYPE),
        },
    }
    Outcome::Done
}

/// Options shared by SET and GETEX.
#[derive(Debug, Default, Clone, Copy)]
struct SetOptions {
    nx: bool,
    xx: bool,
    get: bool,
    keep_ttl: bool,
    persist: bool,
    expire_at: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum OptionsFor {
    Set,
    GetEx,
}

/// Converts a relative or absolute EX/PX/EXAT/PXAT argument into an
/// absolute ms time with Redis's validity checks.
fn expire_arg(
    arg: &[u8],
    unit_ms: i64,
    absolute: bool,
    now_ms: u64,
    command: &str,
) -> Result<u64, String> {
    let n = parse::int(arg).ok_or_else(|| errors::NOT_INTEGER.to_string())?;
    if n <= 0 {
        return Err(errors::invalid_expire(command));
    }
    let ms = n
        .checked_mul(unit_ms)
        .ok_or_else(|| errors::invalid_expire(command))?;
    let at = if absolute {
        ms
    } else {
        ms.checked_add(now_ms as i64)
            .ok_or_else(|| errors::invalid_expire(command))?
    };
    Ok(at as u64)
}

fn parse_set_options(
    args: Args<'_>,
    from: usize,
    now_ms: u64,
    which: OptionsFor,
) -> Result<SetOptions, String> {
    let command = if which == OptionsFor::Set {
        "set"
    } else {
        "getex"
    };
    let mut o = SetOptions::default();
    let mut i = from;
    let mut have_expire = false;
    while i < args.len() {
        let a = args.get(i);
        let next = (i + 1 < args.len()).then(|| args.get(i + 1));
        if which == OptionsFor::Set && eq_ignore_case(a, "nx") && !o.xx {
            o.nx = true;
        } else if which == OptionsFor::Set && eq_ignore_case(a, "xx") && !o.nx {
            o.xx = true;
        } else if which == OptionsFor::Set && eq_ignore_case(a, "get") {
            o.get = true;
        } else if which == OptionsFor::Set
            && eq_ignore_case(a, "keepttl")
            && !have_expire
            && !o.persist
        {
            o.keep_ttl = true;
            have_expire = true;
        } else if which == OptionsFor::GetEx && eq_ignore_case(a, "persist") && !have_expire {
            o.persist = true;
            have_expire = true;
        } else if !have_expire && next.is_some() && !o.keep_ttl {
            let (unit, absolute) = if eq_ignore_case(a, "ex") {
                (1000, false)
            } else if eq_ignore_case(a, "px") {
                (1, false)
            } else if eq_ignore_case(a, "exat") {
                (1000, true)
            } else if eq_ignore_case(a, "pxat") {
                (1, true)
            } else {
                return Err(errors::SYNTAX.into());
            };
            o.expire_at = Some(expire_arg(
                next.unwrap_or_default(),
                unit,
                absolute,
                now_ms,
                command,
            )?);
            have_expire = true;
            i += 1;
        } else {
            return Err(errors::SYNTAX.into());
        }
        i += 1;
    }
    Ok(o)
}

/// SET key value [NX|XX] [GET] [EX s|PX ms|EXAT t|PXAT t|KEEPTTL]
pub fn set(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let opts = match parse_set_options(args, 3, ctx.now_ms, OptionsFor::Set) {
        Ok(o) => o,
        Err(e) => {
            ctx.out.error(&e);
            return Outcome::Done;
        }
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    // Plain SET never reads the old value: the hot path.
    if !opts.nx && !opts.xx && !opts.get {
        let ttl = match (opts.expire_at, opts.keep_ttl) {
            (Some(at), _) => Ttl::At(at),
            (None, true) => Ttl::Keep,
            (None, false) => Ttl::Clear,
        };
        db.set(key, Value::string(args.get(2)), ttl, ctx.now_ms);
        ctx.dirty += 1;
        ctx.out.ok();
        return Outcome::Done;
    }
    // SET ... GET reads the old value as GET does (a counted read lookup);
    // NX and XX only test for it (a write lookup, not counted).
    let old = if opts.get {
        db.get(key, ctx.now_ms, ctx.rng)
    } else {
        db.get_mut_for_write(key, ctx.now_ms, ctx.rng).map(|v| &*v)
    };
    let exists = old.is_some();
    if opts.get {
        match old.map(|v| v.as_str()) {
            Some(None) => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
            Some(Some(s)) => reply_str(ctx.out, s),
            None => ctx.out.null(),
        }
    }
    if (opts.nx && exists) || (opts.xx && !exists) {
        if !opts.get {
            ctx.out.null();
        }
        return Outcome::Done;
    }
    let ttl = match (opts.expire_at, opts.keep_ttl) {
        (Some(at), _) => Ttl::At(at),
        (None, true) => Ttl::Keep,
        (None, false) => Ttl::Clear,
    };
    db.set(key, Value::string(args.get(2)), ttl, ctx.now_ms);
    ctx.dirty += 1;
    if !opts.get {
        ctx.out.ok();
    }
    Outcome::Done
}

/// SETNX key value
pub fn setnx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    if db.contains(args.get(1), ctx.now_ms) {
        ctx.out.integer(0);
    } else {
        db.set(
            args.get(1),
            Value::string(args.get(2)),
            Ttl::Clear,
            ctx.now_ms,
        );
        ctx.dirty += 1;
        ctx.out.integer(1);
    }
    Outcome::Done
}

fn set_with_expire(ctx: &mut ExecCtx<'_>, args: Args<'_>, unit_ms: i64, command: &str) -> Outcome {
    match expire_arg(args.get(2), unit_ms, false, ctx.now_ms, command) {
        Ok(at) => {
            ctx.dbs[ctx.db].set(
                args.get(1),
                Value::string(args.get(3)),
                Ttl::At(at),
                ctx.now_ms,
            );
            ctx.dirty += 1;
            ctx.out.ok();
        }
        Err(e) => ctx.out.error(&e),
    }
    Outcome::Done
}

/// SETEX key seconds value
pub fn setex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    set_with_expire(ctx, args, 1000, "setex")
}

/// PSETEX key milliseconds value
pub fn psetex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    set_with_expire(ctx, args, 1, "psetex")
}

/// MGET key [key ...]
pub fn mget(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    ctx.out.array(args.len() - 1);
    let db = &mut ctx.dbs[ctx.db];
    for key in args.skip(1).iter() {
        match db.get(key, ctx.now_ms, ctx.rng).and_then(Value::as_str) {
            Some(s) => reply_str(ctx.out, s),
            None => ctx.out.null(),
        }
    }
    Outcome::Done
}

/// MSET key value [key value ...]
pub fn mset(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() % 2 == 0 {
        ctx.out.error(&errors::wrong_arity("mset"));
        return Outcome::Done;
    }
    let db = &mut ctx.dbs[ctx.db];
    let mut i = 1;
    while i < args.len() {
        db.set(
            args.get(i),
            Value::string(args.get(i + 1)),
            Ttl::Clear,
            ctx.now_ms,
        );
        i += 2;
    }
    ctx.dirty += (args.len() as u64 - 1) / 2;
    ctx.out.ok();
    Outcome::Done
}

/// MSETNX key value [key value ...]
pub fn msetnx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if args.len() % 2 == 0 {
        ctx.out.error(&errors::wrong_arity("msetnx"));
        return Outcome::Done;
    }
    let db = &mut ctx.dbs[ctx.db];
    let mut i = 1;
    while i < args.len() {
        if db.contains(args.get(i), ctx.now_ms) {
            ctx.out.integer(0);
            return Outcome::Done;
        }
        i += 2;
    }
    let mut i = 1;
    while i < args.len() {
        db.set(
            args.get(i),
            Value::string(args.get(i + 1)),
            Ttl::Clear,
            ctx.now_ms,
        );
        i += 2;
    }
    ctx.dirty += (args.len() as u64 - 1) / 2;
    ctx.out.integer(1);
    Outcome::Done
}

/// GETSET key value
pub fn getset(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    match db.get(args.get(1), ctx.now_ms, ctx.rng).map(Value::as_str) {
        Some(None) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Some(Some(s)) => reply_str(ctx.out, s),
        None => ctx.out.null(),
    }
    db.set(
        args.get(1),
        Value::string(args.get(2)),
        Ttl::Clear,
        ctx.now_ms,
    );
    ctx.dirty += 1;
    Outcome::Done
}

/// GETDEL key
pub fn getdel(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    match db.get(args.get(1), ctx.now_ms, ctx.rng).map(Value::as_str) {
        Some(None) => ctx.out.error(errors::WRONGTYPE),
        Some(Some(s)) => {
            reply_str(ctx.out, s);
            db.remove(args.get(1), ctx.now_ms);
            ctx.dirty += 1;
        }
        None => ctx.out.null(),
    }
    Outcome::Done
}

/// GETEX key [EX s|PX ms|EXAT t|PXAT t|PERSIST]
pub fn getex(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let opts = match parse_set_options(args, 2, ctx.now_ms, OptionsFor::GetEx) {
        Ok(o) => o,
        Err(e) => {
            ctx.out.error(&e);
            return Outcome::Done;
        }
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    match db.get(key, ctx.now_ms, ctx.rng).map(Value::as_str) {
        None => {
            ctx.out.null();
            return Outcome::Done;
        }
        Some(None) => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Some(Some(s)) => reply_str(ctx.out, s),
    }
    if let Some(at) = opts.expire_at {
        if at <= ctx.now_ms {
            db.remove(key, ctx.now_ms);
        } else {
            db.set_expire(key, at, ctx.now_ms);
        }
        ctx.dirty += 1;
    } else if opts.persist && db.persist(key, ctx.now_ms) {
        ctx.dirty += 1;
    }
    Outcome::Done
}

/// APPEND key value
pub fn append(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (key, tail) = (args.get(1), args.get(2));
    let max = ctx.settings.proto_max_bulk_len;
    let db = &mut ctx.dbs[ctx.db];
    let new_len = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
        None => {
            db.set(key, Value::string_no_int(tail), Ttl::Clear, ctx.now_ms);
            tail.len()
        }
        Some(v) => {
            let Some(cur) = v.as_str() else {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            };
            if (cur.len() + tail.len()) as u64 > max {
                ctx.out.error(errors::STRING_TOO_LONG);
                return Outcome::Done;
            }
            let buf = v.make_growable().expect("checked to be a string");
            buf.extend_from_slice(tail);
            let n = buf.len();
            db.signal(key);
            n
        }
    };
    ctx.dirty += 1;
    ctx.out.integer(new_len as i64);
    Outcome::Done
}

/// STRLEN key
pub fn strlen(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match ctx.dbs[ctx.db].get(args.get(1), ctx.now_ms, ctx.rng) {
        None => ctx.out.integer(0),
        Some(v) => match v.as_str() {
            Some(s) => ctx.out.integer(s.len() as i64),
            None => ctx.out.error(errors::WRONGTYPE),
        },
    }
    Outcome::Done
}

fn incr_by(ctx: &mut ExecCtx<'_>, key: &[u8], delta: i64) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let current = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
        None => None,
        Some(v) => match v.as_str() {
            None => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
            Some(StrRef::Int(n)) => Some((n, v)),
            Some(StrRef::Bytes(_)) => {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            }
        },
    };
    let base = current.as_ref().map_or(0, |(n, _)| *n);
    let Some(result) = base.checked_add(delta) else {
        ctx.out.error(errors::INCR_OVERFLOW);
        return Outcome::Done;
    };
    match current {
        Some((_, v)) => {
            *v = Value::Int(result);
            db.signal(key);
        }
        None => {
            db.set(key, Value::Int(result), Ttl::Clear, ctx.now_ms);
        }
    }
    ctx.dirty += 1;
    ctx.out.integer(result);
    Outcome::Done
}

/// INCR key
pub fn incr(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    incr_by(ctx, args.get(1), 1)
}

/// DECR key
pub fn decr(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    incr_by(ctx, args.get(1), -1)
}

/// INCRBY key increment
pub fn incrby(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match parse::int(args.get(2)) {
        Some(d) => incr_by(ctx, args.get(1), d),
        None => {
            ctx.out.error(errors::NOT_INTEGER);
            Outcome::Done
        }
    }
}

/// DECRBY key decrement
pub fn decrby(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    match parse::int(args.get(2)) {
        Some(i64::MIN) => {
            ctx.out.error(errors::DECR_OVERFLOW);
            Outcome::Done
        }
        Some(d) => incr_by(ctx, args.get(1), -d),
        None => {
            ctx.out.error(errors::NOT_INTEGER);
            Outcome::Done
        }
    }
}

/// INCRBYFLOAT key increment
///
/// Computed in 80-bit extended precision and printed as Redis prints its
/// `long double` (`%.17Lf`, trailing zeros dropped), so `0.1 + 0.2` is
/// `0.3` here as in Redis, not `0.30000000000000004`.
pub fn incrbyfloat(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    use crate::long_double::LongDouble;
    let key = args.get(1);
    let Some(delta) = LongDouble::parse(args.get(2)) else {
        ctx.out.error(errors::NOT_FLOAT);
        return Outcome::Done;
    };
    let db = &mut ctx.dbs[ctx.db];
    let base = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
        None => LongDouble::ZERO,
        Some(v) => match v.as_str() {
            None => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
            Some(StrRef::Int(n)) => LongDouble::from_i64(n),
            Some(StrRef::Bytes(b)) => match LongDouble::parse(b) {
                Some(f) => f,
                None => {
                    ctx.out.error(errors::NOT_FLOAT);
                    return Outcome::Done;
                }
            },
        },
    };
    let result = base + delta;
    if result.is_nan() || result.is_infinite() {
        ctx.out.error(errors::FLOAT_NAN_INF);
        return Outcome::Done;
    }
    let text = result.format_human();
    db.set(key, Value::string(text.as_bytes()), Ttl::Keep, ctx.now_ms);
    ctx.dirty += 1;
    ctx.out.bulk(text.as_bytes());
    Outcome::Done
}

/// GETRANGE key start end (and its old name SUBSTR)
pub fn getrange(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (Some(mut start), Some(mut end)) = (parse::int(args.get(2)), parse::int(args.get(3)))
    else {
        ctx.out.error(errors::NOT_INTEGER);
        return Outcome::Done;
    };
    let value = match ctx.dbs[ctx.db].get(args.get(1), ctx.now_ms, ctx.rng) {
        None => {
            ctx.out.bulk(b"");
            return Outcome::Done;
        }
        Some(v) => match v.as_str() {
            None => {
                ctx.out.error(errors::WRONGTYPE);
                return Outcome::Done;
            }
            Some(s) => s,
        },
    };
    let out = &mut *ctx.out;
    value.with_bytes(|s| {
        let len = s.len() as i64;
        if start < 0 && end < 0 && start > end {
            out.bulk(b"");
            return;
        }
        if start < 0 {
            start += len;
        }
        if end < 0 {
            end += len;
        }
        start = start.max(0);
        end = end.max(0);
        if end >= len {
            end = len - 1;
        }
        if start > end || len == 0 {
            out.bulk(b"");
        } else {
            out.bulk(&s[start as usize..=end as usize]);
        }
    });
    Outcome::Done
}

/// SETRANGE key offset value
pub fn setrange(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let key = args.get(1);
    let patch = args.get(3);
    let Some(offset) = parse::int(args.get(2)) else {
        ctx.out.error(errors::NOT_INTEGER);
        return Outcome::Done;
    };
    if offset < 0 {
        ctx.out.error(errors::OFFSET_OUT_OF_RANGE);
        return Outcome::Done;
    }
    let offset = offset as u64;
    let max = ctx.settings.proto_max_bulk_len;
    let db = &mut ctx.dbs[ctx.db];
    let exists = match db.get_mut_for_write(key, ctx.now_ms, ctx.rng) {
        None => false,
        Some(v) if v.as_str().is_none() => {
            ctx.out.error(errors::WRONGTYPE);
            return Outcome::Done;
        }
        Some(_) => true,
    };
    if !patch.is_empty() && offset + patch.len() as u64 > max {
        ctx.out.error(errors::STRING_TOO_LONG);
        return Outcome::Done;
    }
    if !exists {
        if patch.is_empty() {
            ctx.out.integer(0);
            return Outcome::Done;
        }
        let mut buf = vec![0u8; offset as usize];
        buf.extend_from_slice(patch);
        let n = buf.len();
        db.set(key, Value::Growable(Box::new(buf)), Ttl::Clear, ctx.now_ms);
        ctx.dirty += 1;
        ctx.out.integer(n as i64);
        return Outcome::Done;
    }
    let v = &mut db.peek_mut(key, ctx.now_ms).expect("checked above").value;
    if patch.is_empty() {
        let n = v.as_str().map_or(0, |s| s.len());
        ctx.out.integer(n as i64);
        return Outcome::Done;
    }
    let buf = v.make_growable().expect("checked to be a string");
    let end = offset as usize + patch.len();
    if buf.len() < end {
        buf.resize(end, 0);
    }
    buf[offset as usize..end].copy_from_slice(patch);
    let n = buf.len();
    db.signal(key);
    ctx.dirty += 1;
    ctx.out.integer(n as i64);
    Outcome::Done
}

/// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]
pub fn lcs(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (mut want_len, mut want_idx, mut with_match_len) = (false, false, false);
    let mut min_match_len: i64 = 0;
    let mut i = 3;
    while i < args.len() {
        let a = args.get(i);
        if eq_ignore_case(a, "idx") {
            want_idx = true;
        } else if eq_ignore_case(a, "len") {
            want_len = true;
        } else if eq_ignore_case(a, "withmatchlen") {
            with_match_len = true;
        } else if eq_ignore_case(a, "minmatchlen") && i + 1 < args.len() {
            match parse::int(args.get(i + 1)) {
                Some(n) => min_match_len = n.max(0),
                None => {
                    ctx.out.error(errors::NOT_INTEGER);
                    return Outcome::Done;
                }
            }
            i += 1;
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        i += 1;
    }
    let db = &mut ctx.dbs[ctx.db];
    let mut fetch = |key: &[u8]| -> Result<Vec<u8>, ()> {
        match db.get(key, ctx.now_ms, ctx.rng) {
            None => Ok(Vec::new()),
            Some(v) => v.as_str().map(|s| s.to_vec()).ok_or(()),
        }
    };
    let (Ok(a), Ok(b)) = (fetch(args.get(1)), fetch(args.get(2))) else {
        ctx.out.error(errors::LCS_NOT_STRINGS);
        return Outcome::Done;
    };
    if want_len && want_idx {
        ctx.out.error(errors::LCS_LEN_AND_IDX);
        return Outcome::Done;
    }
    let table = crate::lcs::Lcs::compute(&a, &b);
    if want_len {
        ctx.out.integer(table.len() as i64);
    } else if want_idx {
        let matches = table.matches(min_match_len as usize);
        ctx.out.map(2);
        ctx.out.bulk(b"matches");
        ctx.out.array(matches.len());
        for m in &matches {
            ctx.out.array(if with_match_len { 3 } else { 2 });
            ctx.out.array(2);
            ctx.out.integer(m.a.0 as i64);
            ctx.out.integer(m.a.1 as i64);
            ctx.out.array(2);
            ctx.out.integer(m.b.0 as i64);
            ctx.out.integer(m.b.1 as i64);
            if with_match_len {
                ctx.out.integer(m.len as i64);
            }
        }
        ctx.out.bulk(b"len");
        ctx.out.integer(table.len() as i64);
    } else {
        ctx.out.bulk(&table.sequence(&a));
    }
    Outcome::Done
}
