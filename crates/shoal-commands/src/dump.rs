//! DUMP, RESTORE and RESTORE-ASKING: values moved as Redis 7.0 DUMP
//! payloads (see `shoal_persist::dump` for the bytes).
//!
//! RESTORE-ASKING is RESTORE under another name; the only difference, that
//! an importing node serves it without a preceding ASKING, comes from its
//! command-table flag and is handled by routing. MIGRATE needs a socket
//! and lives in the server.

use crate::ctx::{ExecCtx, Outcome, Settings};
use crate::dispatch::Handler;
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::access::{lfu_access_with_counter, lru_access_idle};
use shoal_keyspace::{AccessPolicy, Ttl};
use shoal_persist::{dump_value, restore_value, Limits, RestoreError};
use shoal_resp::request::Args;

/// The handler of a command of this family, by lowercase name.
pub fn handler(name: &str) -> Option<Handler> {
    let h: Handler = match name {
        "dump" => dump,
        "restore" | "restore-asking" => restore,
        _ => return None,
    };
    Some(h)
}

/// The decoding thresholds matching the current settings.
pub fn limits(settings: &Settings) -> Limits {
    Limits {
        list_max_listpack_size: settings.list_max_listpack_size,
        hash_max_listpack_entries: settings.hash_max_listpack_entries,
        hash_max_listpack_value: settings.hash_max_listpack_value,
        set_max_intset_entries: settings.set_max_intset_entries,
        zset_max_listpack_entries: settings.zset_max_listpack_entries,
        zset_max_listpack_value: settings.zset_max_listpack_value,
    }
}

/// DUMP key: the payload, or nil for a missing key.
pub fn dump(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let now = ctx.now_ms;
    match ctx.dbs[ctx.db].get(args.get(1), now, ctx.rng) {
        Some(v) => {
            let payload = dump_value(v);
            ctx.out.bulk(&payload);
        }
        None => ctx.out.null(),
    }
    Outcome::Done
}

/// What RESTORE sets the access field to.
#[derive(Clone, Copy)]
enum Access {
    Default,
    IdleSeconds(u64),
    Freq(u8),
}

/// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f]
///
/// Checks run in Redis's order: options, then an existing key, then the
/// TTL, then the payload footer, then the value itself.
pub fn restore(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let (mut replace, mut absttl) = (false, false);
    let mut access = Access::Default;
    let mut i = 4;
    while i < args.len() {
        let a = args.get(i);
        let has_value = i + 1 < args.len();
        if eq_ignore_case(a, "replace") {
            replace = true;
        } else if eq_ignore_case(a, "absttl") {
            absttl = true;
        } else if eq_ignore_case(a, "idletime") && has_value && !matches!(access, Access::Freq(_)) {
            let Some(idle) = parse::int(args.get(i + 1)) else {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            };
            if idle < 0 {
                ctx.out.error(errors::RESTORE_BAD_IDLETIME);
                return Outcome::Done;
            }
            access = Access::IdleSeconds(idle as u64);
            i += 1;
        } else if eq_ignore_case(a, "freq")
            && has_value
            && !matches!(access, Access::IdleSeconds(_))
        {
            let Some(freq) = parse::int(args.get(i + 1)) else {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            };
            let Ok(freq) = u8::try_from(freq) else {
                ctx.out.error(errors::RESTORE_BAD_FREQ);
                return Outcome::Done;
            };
            access = Access::Freq(freq);
            i += 1;
        } else {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        i += 1;
    }
    let key = args.get(1);
    let now = ctx.now_ms;
    if !replace && ctx.dbs[ctx.db].contains(key, now) {
        ctx.out.error(errors::BUSYKEY);
        return Outcome::Done;
    }
    let ttl = match parse::int(args.get(2)) {
        None => {
            ctx.out.error(errors::NOT_INTEGER);
            return Outcome::Done;
        }
        Some(t) if t < 0 => {
            ctx.out.error(errors::RESTORE_BAD_TTL);
            return Outcome::Done;
        }
        Some(t) => t as u64,
    };
    let value = match restore_value(args.get(3), &limits(ctx.settings)) {
        Ok(v) => v,
        Err(RestoreError::VersionOrChecksum) => {
            ctx.out.error(errors::DUMP_CHECKSUM);
            return Outcome::Done;
        }
        Err(RestoreError::BadData(_)) => {
            ctx.out.error(errors::BAD_DATA_FORMAT);
            return Outcome::Done;
        }
    };
    let db = &mut ctx.dbs[ctx.db];
    let deleted = replace && db.remove(key, now).is_some();
    let expire_at = match ttl {
        0 => None,
        t if absttl => Some(t),
        t => Some(t.saturating_add(now)),
    };
    if expire_at.is_some_and(|at| at <= now) {
        // Already expired: nothing is created; a replaced key stays deleted.
        if deleted {
            ctx.dirty += 1;
        }
        ctx.out.ok();
        return Outcome::Done;
    }
    db.set(key, value, expire_at.map_or(Ttl::Clear, Ttl::At), now);
    let policy = db.access_policy();
    if let Some(entry) = db.peek_mut(key, now) {
        match (access, policy) {
            (Access::IdleSeconds(s), AccessPolicy::Lru) => {
                entry.set_access(lru_access_idle(now, s.saturating_mul(1000)))
            }
            (Access::Freq(f), AccessPolicy::Lfu { .. }) => {
                entry.set_access(lfu_access_with_counter(now, f))
            }
            _ => {}
        }
    }
    ctx.dirty += 1;
    ctx.out.ok();
    Outcome::Done
}

#[cfg(test)]
#[path = "dump_test.rs"]
mod tests;
