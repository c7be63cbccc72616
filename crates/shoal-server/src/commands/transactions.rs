//! MULTI/EXEC/DISCARD/WATCH/UNWATCH, and the whole-db commands that must
//! invalidate WATCHes (FLUSHDB, FLUSHALL, SWAPDB).

use crate::client::MultiState;
use crate::server::Server;
use shoal_commands::{errors, ExecCtx};
use shoal_resp::request::Args;

/// MULTI
pub fn multi(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    if c.multi.is_some() {
        c.reply.error("ERR MULTI calls can not be nested");
        return;
    }
    c.multi = Some(MultiState::default());
    c.reply.ok();
}

/// DISCARD
pub fn discard(s: &mut Server, idx: usize, _args: Args<'_>) {
    if s.clients[idx].multi.take().is_none() {
        s.clients[idx].reply.error("ERR DISCARD without MULTI");
        return;
    }
    s.unwatch_all(idx);
    s.clients[idx].reply.ok();
}

/// EXEC
pub fn exec(s: &mut Server, idx: usize, _args: Args<'_>) {
    let Some(state) = s.clients[idx].multi.take() else {
        s.clients[idx].reply.error("ERR EXEC without MULTI");
        return;
    };
    let dirty = s.clients[idx].watch_dirty;
    s.unwatch_all(idx);
    if state.aborted {
        s.clients[idx]
            .reply
            .error("EXECABORT Transaction discarded because of previous errors.");
        return;
    }
    if dirty {
        s.clients[idx].reply.null_array();
        return;
    }
    s.clients[idx].reply.array(state.queued.len());
    for (cmd, args) in &state.queued {
        // Commands in a transaction never block (may_block = false).
        s.call(idx, *cmd, args.args(), false);
        if !s.clients.contains(idx) {
            return;
        }
    }
}

/// WATCH key [key ...]
pub fn watch(s: &mut Server, idx: usize, args: Args<'_>) {
    if s.clients[idx].multi.is_some() {
        s.clients[idx]
            .reply
            .error("ERR WATCH inside MULTI is not allowed");
        return;
    }
    let db = s.clients[idx].db;
    let id = s.clients[idx].id;
    for key in args.skip(1).iter() {
        let already = s.clients[idx]
            .watched
            .iter()
            .any(|(d, k)| *d == db && k == key);
        if already {
            continue;
        }
        s.clients[idx].watched.push((db, key.to_vec()));
        s.watched_keys
            .entry((db, key.to_vec()))
            .or_default()
            .push(id);
        s.dbs[db].add_interest(key);
        s.interest_count += 1;
    }
    s.clients[idx].reply.ok();
}

/// UNWATCH
pub fn unwatch(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.unwatch_all(idx);
    s.clients[idx].reply.ok();
}

/// Marks WATCHers of keys in `db` dirty, for keys that exist now or in
/// `also` (the db's contents after a SWAPDB), as Redis does when a whole
/// db is flushed or swapped.
fn touch_watched_in_db(s: &mut Server, db: usize, other: Option<usize>) {
    let now = s.now_ms;
    let keys: Vec<(usize, Vec<u8>)> = s
        .watched_keys
        .keys()
        .filter(|(d, _)| *d == db)
        .cloned()
        .collect();
    for slot in keys {
        let exists = s.dbs[db].contains(&slot.1, now)
            || other.is_some_and(|o| s.dbs[o].contains(&slot.1, now));
        if exists {
            for id in s.watched_keys.get(&slot).cloned().unwrap_or_default() {
                if let Some(&i) = s.client_index.get(&id) {
                    s.clients[i].watch_dirty = true;
                }
            }
        }
    }
}

fn run_keyspace(s: &mut Server, idx: usize, args: Args<'_>, handler: shoal_commands::Handler) {
    let c = &mut s.clients[idx];
    let mut ctx = ExecCtx {
        dbs: &mut s.dbs,
        db: c.db,
        out: &mut c.reply,
        now_ms: s.now_ms,
        rng: &mut s.rng,
        settings: &s.exec_settings,
        dirty: 0,
        may_block: false,
    };
    handler(&mut ctx, args);
    s.dirty += ctx.dirty;
}

/// Runs FLUSHDB or FLUSHALL; once it succeeded, every tracking client is
/// told to drop its whole cache (Redis's signalFlushedDb).
fn run_flush(s: &mut Server, idx: usize, args: Args<'_>, handler: shoal_commands::Handler) {
    let before = s.clients[idx].reply.len();
    run_keyspace(s, idx, args, handler);
    let c = &s.clients[idx];
    if c.reply.as_bytes().get(before..) == Some(&b"+OK\r\n"[..]) {
        s.tracking_flush(c.id);
    }
}

/// FLUSHDB [ASYNC|SYNC]
pub fn flushdb(s: &mut Server, idx: usize, args: Args<'_>) {
    let db = s.clients[idx].db;
    if args.len() <= 2 {
        touch_watched_in_db(s, db, None);
    }
    run_flush(s, idx, args, shoal_commands::keys::flushdb);
}

/// FLUSHALL [ASYNC|SYNC]
pub fn flushall(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() <= 2 {
        for db in 0..s.dbs.len() {
            touch_watched_in_db(s, db, None);
        }
    }
    run_flush(s, idx, args, shoal_commands::keys::flushall);
}

/// SWAPDB index1 index2
pub fn swapdb(s: &mut Server, idx: usize, args: Args<'_>) {
    if s.settings.cluster_enabled {
        s.clients[idx]
            .reply
            .error("ERR SWAPDB is not allowed in cluster mode");
        return;
    }
    let n = s.dbs.len() as i64;
    if let (Some(a), Some(b)) = (
        shoal_commands::parse::int(args.get(1)),
        shoal_commands::parse::int(args.get(2)),
    ) {
        if (0..n).contains(&a) && (0..n).contains(&b) && a != b {
            touch_watched_in_db(s, a as usize, Some(b as usize));
            touch_watched_in_db(s, b as usize, Some(a as usize));
        }
    }
    let _ = errors::SYNTAX;
    run_keyspace(s, idx, args, shoal_commands::keys::swapdb);
}
