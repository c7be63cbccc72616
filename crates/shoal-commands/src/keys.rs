//! Generic key commands: existence, deletion, expiry, renaming, iteration.

use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::access::{lfu_decayed_counter, lru_idle_ms};
use shoal_keyspace::{AccessPolicy, Ttl, Value, ValueType};
use shoal_resp::request::Args;
use shoal_types::glob_match;

/// DEL key [key ...] (and UNLINK, which frees big values in the background
/// in Redis; here both drop the value after the reply is built).
pub fn del(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let mut removed = 0;
    for key in args.skip(1).iter() {
        if db.remove(key, ctx.now_ms).is_some() {
            removed += 1;
        }
    }
    ctx.dirty += removed;
    ctx.out.integer(removed as i64);
    Outcome::Done
}

/// EXISTS key [key ...]: counts repeats, as Redis does.
pub fn exists(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let n = args
        .skip(1)
        .iter()
        .filter(|k| db.peek_counted(k, ctx.now_ms).is_some())
        .count();
    ctx.out.integer(n as i64);
    Outcome::Done
}

/// TOUCH key [key ...]
pub fn touch(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let db = &mut ctx.dbs[ctx.db];
    let n = args
        .skip(1)
        .iter()
        .filter(|k| db.get(k, ctx.now_ms, ctx.rng).is_some())
        .count();
    ctx.out.integer(n as i64);
    Outcome::Done
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireBase {
    Relative,
    Absolute,
}

fn expire_generic(
    ctx: &mut ExecCtx<'_>,
    args: Args<'_>,
    unit_ms: i64,
    base: ExpireBase,
    command: &str,
) -> Outcome {
    let (mut nx, mut xx, mut gt, mut lt) = (false, false, false, false);
    for opt in args.skip(3).iter() {
        if eq_ignore_case(opt, "nx") {
            nx = true;
        } else if eq_ignore_case(opt, "xx") {
            xx = true;
        } else if eq_ignore_case(opt, "gt") {
            gt = true;
        } else if eq_ignore_case(opt, "lt") {
            lt = true;
        } else {
            ctx.out.error(&format!(
                "ERR Unsupported option {}",
                String::from_utf8_lossy(opt)
            ));
            return Outcome::Done;
        }
    }
    if nx && (xx || gt || lt) {
        ctx.out.error(errors::EXPIRE_NX_CONFLICT);
        return Outcome::Done;
    }
    if gt && lt {
        ctx.out.error(errors::EXPIRE_GT_LT_CONFLICT);
        return Outcome::Done;
    }
    let Some(when) = parse::int(args.get(2)) else {
        ctx.out.error(errors::NOT_INTEGER);
        return Outcome::Done;
    };
    let Some(when) = when.checked_mul(unit_ms) else {
        ctx.out.error(&errors::invalid_expire(command));
        return Outcome::Done;
    };
    let base_ms = match base {
        ExpireBase::Relative => ctx.now_ms as i64,
        ExpireBase::Absolute => 0,
    };
    let Some(at) = when.checked_add(base_ms) else {
        ctx.out.error(&errors::invalid_expire(command));
        return Outcome::Done;
    };
    let key = args.get(1);
    let db = &mut ctx.dbs[ctx.db];
    let Some(current) = db.expire_at(key, ctx.now_ms) else {
        ctx.out.integer(0);
        return Outcome::Done;
    };
    let allowed = match current {
        None => !xx && !gt,
        // GT: only a later expiry; LT: only an earlier one.
        Some(cur) => !nx && (!gt || at > cur as i64) && (!lt || at < cur as i64),
    };
    if !allowed {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    if at <= ctx.now_ms as i64 {
        db.remove(key, ctx.now_ms);
    } else {
        db.set_expire(key, at as u64, ctx.now_ms);
    }
    ctx.dirty += 1;
    ctx.out.integer(1);
    Outcome::Done
}

/// EXPIRE key seconds [NX|XX|GT|LT]
pub fn expire(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    expire_generic(ctx, args, 1000, ExpireBase::Relative, "expire")
}

/// PEXPIRE key milliseconds [NX|XX|GT|LT]
pub fn pexpire(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    expire_generic(ctx, args, 1, ExpireBase::Relative, "pexpire")
}

/// EXPIREAT key unix-seconds [NX|XX|GT|LT]
pub fn expireat(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    expire_generic(ctx, args, 1000, ExpireBase::Absolute, "expireat")
}

/// PEXPIREAT key unix-ms [NX|XX|GT|LT]
pub fn pexpireat(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    expire_generic(ctx, args, 1, ExpireBase::Absolute, "pexpireat")
}

#[derive(Clone, Copy)]
enum TtlForm {
    RemainingSeconds,
    RemainingMs,
    AbsoluteSeconds,
    AbsoluteMs,
}

fn ttl_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, form: TtlForm) -> Outcome {
    let now = ctx.now_ms;
    let reply = match ctx.dbs[ctx.db]
        .peek_counted(args.get(1), now)
        .map(|e| e.expire_at())
    {
        None => -2,
        Some(None) => -1,
        Some(Some(at)) => {
            let remaining = at.saturating_sub(now) as i64;
            match form {
                TtlForm::RemainingSeconds => (remaining + 500) / 1000,
                TtlForm::RemainingMs => remaining,
                TtlForm::AbsoluteSeconds => (at / 1000) as i64,
                TtlForm::AbsoluteMs => at as i64,
            }
        }
    };
    ctx.out.integer(reply);
    Outcome::Done
}

/// TTL key
pub fn ttl(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    ttl_generic(ctx, args, TtlForm::RemainingSeconds)
}

/// PTTL key
pub fn pttl(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    ttl_generic(ctx, args, TtlForm::RemainingMs)
}

/// EXPIRETIME key
pub fn expiretime(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    ttl_generic(ctx, args, TtlForm::AbsoluteSeconds)
}

/// PEXPIRETIME key
pub fn pexpiretime(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    ttl_generic(ctx, args, TtlForm::AbsoluteMs)
}

/// PERSIST key
pub fn persist(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let removed = ctx.dbs[ctx.db].persist(args.get(1), ctx.now_ms);
    if removed {
        ctx.dirty += 1;
    }
    ctx.out.integer(removed as i64);
    Outcome::Done
}

/// TYPE key
pub fn type_(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let name = ctx.dbs[ctx.db]
        .peek_counted(args.get(1), ctx.now_ms)
        .map_or("none", |e| e.value.value_type().name());
    ctx.out.simple(name);
    Outcome::Done
}

fn rename_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, nx: bool) -> Outcome {
    let (src, dst) = (args.get(1), args.get(2));
    let db = &mut ctx.dbs[ctx.db];
    let Some(expire) = db.expire_at(src, ctx.now_ms) else {
        ctx.out.error(errors::NO_SUCH_KEY);
        return Outcome::Done;
    };
    if src == dst {
        if nx {
            ctx.out.integer(0);
        } else {
            ctx.out.ok();
        }
        return Outcome::Done;
    }
    if nx && db.contains(dst, ctx.now_ms) {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    let value = db.remove(src, ctx.now_ms).expect("src exists");
    let ttl = expire.map_or(Ttl::Clear, Ttl::At);
    db.set(dst, value, ttl, ctx.now_ms);
    ctx.dirty += 1;
    if nx {
        ctx.out.integer(1);
    } else {
        ctx.out.ok();
    }
    Outcome::Done
}

/// RENAME key newkey
pub fn rename(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    rename_generic(ctx, args, false)
}

/// RENAMENX key newkey
pub fn renamenx(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    rename_generic(ctx, args, true)
}

/// Parses a db index argument for COPY/MOVE.
fn db_index(arg: &[u8], databases: usize) -> Result<usize, &'static str> {
    match parse::int(arg) {
        None => Err(errors::NOT_INTEGER),
        Some(n) if n < 0 || n as usize >= databases => Err(errors::DB_OUT_OF_RANGE),
        Some(n) => Ok(n as usize),
    }
}

/// COPY source destination [DB index] [REPLACE]
pub fn copy(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (src, dst) = (args.get(1), args.get(2));
    let mut target = ctx.db;
    let mut replace = false;
    let mut i = 3;
    while i < args.len() {
        let a = args.get(i);
        if eq_ignore_case(a, "replace") {
            replace = true;
        } else if eq_ignore_case(a, "db") && i + 1 < args.len() {
            if ctx.settings.cluster_enabled {
                ctx.out
                    .error("ERR Copying to another database is not allowed in cluster mode");
                return Outcome::Done;
            }
            match db_index(args.get(i + 1), ctx.dbs.len()) {
                Ok(n) => target = n,
                Err(e) => {
                    ctx.out.error(e);
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
    if src == dst && target == ctx.db {
        ctx.out.error(errors::SAME_OBJECT);
        return Outcome::Done;
    }
    let now = ctx.now_ms;
    // A read lookup of the source, as Redis's COPY: counted, access recorded.
    let Some(entry) = ctx.dbs[ctx.db].get_entry_mut(src, now, ctx.rng) else {
        ctx.out.integer(0);
        return Outcome::Done;
    };
    let value = entry.value.clone();
    let ttl = entry.expire_at().map_or(Ttl::Clear, Ttl::At);
    let dest = &mut ctx.dbs[target];
    if !replace && dest.contains(dst, now) {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    dest.set(dst, value, ttl, now);
    ctx.dirty += 1;
    ctx.out.integer(1);
    Outcome::Done
}

/// MOVE key db
pub fn move_(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if ctx.settings.cluster_enabled {
        ctx.out.error("ERR MOVE is not allowed in cluster mode");
        return Outcome::Done;
    }
    let key = args.get(1);
    let target = match db_index(args.get(2), ctx.dbs.len()) {
        Ok(n) => n,
        Err(e) => {
            ctx.out.error(e);
            return Outcome::Done;
        }
    };
    if target == ctx.db {
        ctx.out.error(errors::SAME_OBJECT);
        return Outcome::Done;
    }
    let now = ctx.now_ms;
    let Some(expire) = ctx.dbs[ctx.db].expire_at(key, now) else {
        ctx.out.integer(0);
        return Outcome::Done;
    };
    if ctx.dbs[target].contains(key, now) {
        ctx.out.integer(0);
        return Outcome::Done;
    }
    let value = ctx.dbs[ctx.db].remove(key, now).expect("key exists");
    ctx.dbs[target].set(key, value, expire.map_or(Ttl::Clear, Ttl::At), now);
    ctx.dirty += 1;
    ctx.out.integer(1);
    Outcome::Done
}

/// KEYS pattern
pub fn keys(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let pattern = args.get(1);
    let match_all = pattern == b"*";
    let out = &mut *ctx.out;
    let deferred = out.defer();
    let mut n = 0;
    ctx.dbs[ctx.db].for_each_key(ctx.now_ms, |k| {
        if match_all || glob_match(pattern, k, false) {
            out.bulk(k);
            n += 1;
        }
    });
    out.finish_array(deferred, n);
    Outcome::Done
}

/// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
pub fn scan(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(cursor) = parse::uint(args.get(1)) else {
        ctx.out.error(errors::INVALID_CURSOR);
        return Outcome::Done;
    };
    let mut pattern: Option<&[u8]> = None;
    let mut count: usize = 10;
    let mut type_filter: Option<Option<ValueType>> = None;
    let mut i = 2;
    while i < args.len() {
        let a = args.get(i);
        let has_value = i + 1 < args.len();
        if eq_ignore_case(a, "count") && has_value {
            match parse::int(args.get(i + 1)) {
                None => {
                    ctx.out.error(errors::NOT_INTEGER);
                    return Outcome::Done;
                }
                Some(n) if n < 1 => {
                    ctx.out.error(errors::SYNTAX);
                    return Outcome::Done;
                }
                Some(n) => count = n as usize,
            }
        } else if eq_ignore_case(a, "match") && has_value {
            let p = args.get(i + 1);
            pattern = (p != b"*").then_some(p);
        } else if eq_ignore_case(a, "type") && has_value {
            // An unknown type name matches nothing, as in Redis 7.0.
            type_filter = Some(ValueType::from_name(args.get(i + 1)));
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        i += 2;
    }
    let mut found: Vec<Vec<u8>> = Vec::new();
    let next = ctx.dbs[ctx.db].scan(cursor, count, ctx.now_ms, |e| {
        if let Some(p) = pattern {
            if !glob_match(p, e.key(), false) {
                return;
            }
        }
        if let Some(t) = type_filter {
            if t != Some(e.value.value_type()) {
                return;
            }
        }
        found.push(e.key().to_vec());
    });
    ctx.out.array(2);
    ctx.out.bulk(itoa::Buffer::new().format(next).as_bytes());
    ctx.out.array(found.len());
    for k in &found {
        ctx.out.bulk(k);
    }
    Outcome::Done
}

/// DBSIZE
pub fn dbsize(ctx: &mut ExecCtx<'_>, _args: Args<'_>) -> Outcome {
    let n = ctx.dbs[ctx.db].len();
    ctx.out.integer(n as i64);
    Outcome::Done
}

/// Parses the optional `ASYNC|SYNC` of FLUSHDB/FLUSHALL.
fn flush_mode(args: Args<'_>) -> Result<(), ()> {
    match args.len() {
        1 => Ok(()),
        2 if eq_ignore_case(args.get(1), "async") || eq_ignore_case(args.get(1), "sync") => Ok(()),
        _ => Err(()),
    }
}

/// FLUSHDB [ASYNC|SYNC]
pub fn flushdb(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if flush_mode(args).is_err() {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    let dropped = ctx.dbs[ctx.db].clear();
    ctx.dirty += dropped.len() as u64;
    ctx.out.ok();
    Outcome::Done
}

/// FLUSHALL [ASYNC|SYNC]
pub fn flushall(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    if flush_mode(args).is_err() {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    }
    for db in ctx.dbs.iter_mut() {
        ctx.dirty += db.clear().len() as u64;
    }
    // FLUSHALL always counts as a change, even on an empty dataset.
    ctx.dirty += 1;
    ctx.out.ok();
    Outcome::Done
}

/// SWAPDB index1 index2
pub fn swapdb(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (Some(a), Some(b)) = (parse::int(args.get(1)), parse::int(args.get(2))) else {
        let which = if parse::int(args.get(1)).is_none() {
            "ERR invalid first DB index"
        } else {
            "ERR invalid second DB index"
        };
        ctx.out.error(which);
        return Outcome::Done;
    };
    let n = ctx.dbs.len() as i64;
    if a < 0 || a >= n || b < 0 || b >= n {
        ctx.out.error(errors::DB_OUT_OF_RANGE);
        return Outcome::Done;
    }
    let (a, b) = (a as usize, b as usize);
    if a != b {
        let (lo, hi) = (a.min(b), a.max(b));
        let (left, right) = ctx.dbs.split_at_mut(hi);
        left[lo].swap_contents(&mut right[0]);
        ctx.dirty += 1;
    }
    ctx.out.ok();
    Outcome::Done
}

/// RANDOMKEY
pub fn randomkey(ctx: &mut ExecCtx<'_>, _args: Args<'_>) -> Outcome {
    match ctx.dbs[ctx.db].random_key(ctx.now_ms, ctx.rng) {
        Some(k) => ctx.out.bulk(&k),
        None => ctx.out.null(),
    }
    Outcome::Done
}

/// Redis reports this refcount for its shared small integers.
const SHARED_REFCOUNT: i64 = i32::MAX as i64;

/// OBJECT ENCODING|REFCOUNT|IDLETIME|FREQ key (HELP is served by the server).
pub fn object(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let sub = args.get(1);
    let now = ctx.now_ms;
    let db = &mut ctx.dbs[ctx.db];
    let policy = db.access_policy();
    // Counted as a read, but OBJECT must not disturb the access data it
    // reports (Redis's LOOKUP_NOTOUCH).
    let Some(entry) = db.peek_counted(args.get(2), now) else {
        ctx.out.null();
        return Outcome::Done;
    };
    if eq_ignore_case(sub, "encoding") {
        ctx.out.bulk(entry.value.encoding_name().as_bytes());
    } else if eq_ignore_case(sub, "refcount") {
        let shared = matches!(entry.value, Value::Int(n) if (0..10_000).contains(&n));
        ctx.out.integer(if shared { SHARED_REFCOUNT } else { 1 });
    } else if eq_ignore_case(sub, "idletime") {
        match policy {
            AccessPolicy::Lru => ctx
                .out
                .integer((lru_idle_ms(entry.access(), now) / 1000) as i64),
            AccessPolicy::Lfu { .. } => ctx.out.error(errors::NO_LRU),
        }
    } else if eq_ignore_case(sub, "freq") {
        match policy {
            AccessPolicy::Lfu { decay_time_min, .. } => {
                ctx.out
                    .integer(lfu_decayed_counter(entry.access(), decay_time_min, now) as i64)
            }
            AccessPolicy::Lru => ctx.out.error(errors::NO_LFU),
        }
    } else {
        ctx.out.error(&errors::unknown_subcommand(sub, "OBJECT"));
    }
    Outcome::Done
}
