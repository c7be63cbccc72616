//! The command pipeline: from parsed arguments to a reply.
//!
//! ```text
//! input bytes ─▶ RequestParser ─▶ Args ─▶ lookup ─▶ arity ─▶ auth ─▶ MULTI queue?
//!     ─▶ pub/sub context ─▶ maxmemory ─▶ call ─▶ watch / blocked-key signals
//! ```
//!
//! `call` is where a command runs: keyspace commands get an `ExecCtx` built
//! from disjoint fields of the server (no lock, no copy), server commands
//! get the whole server.

use crate::client::{Blocked, ReplyMode};
use crate::commands::{CommandRef, Exec};
use crate::server::Server;
use shoal_command_table::flags;
use shoal_commands::{errors, BlockRequest, ExecCtx, Outcome, TimeoutReply};
use shoal_resp::request::{Args, Parsed, RequestLimits};
use std::time::Instant;

/// Arguments allowed in RESP2 subscribed mode.
const PUBSUB_ALLOWED: &[&str] = &[
    "subscribe",
    "unsubscribe",
    "psubscribe",
    "punsubscribe",
    "ssubscribe",
    "sunsubscribe",
    "ping",
    "quit",
    "reset",
];

impl Server {
    /// Parses and runs every complete command in a client's input buffer.
    pub(crate) fn process_input(&mut self, idx: usize) {
        let (mut query, mut argv, mut parser) = {
            let c = &mut self.clients[idx];
            c.query_lent = Some((c.query.len(), c.query.capacity()));
            (
                std::mem::take(&mut c.query),
                std::mem::take(&mut c.argv),
                std::mem::take(&mut c.parser),
            )
        };
        let mut pos = 0;
        let mut ran_any = false;
        // One clock reading per batch of pipelined commands: they arrived
        // together, and expiry decisions within a batch agree.
        self.now_ms = crate::server::unix_ms();
        loop {
            let Some(c) = self.clients.get(idx) else {
                return;
            };
            if c.blocked.is_some() || c.close_after_reply || pos >= query.len() {
                break;
            }
            if self.pause_blocks(idx) {
                break;
            }
            let limits = RequestLimits {
                max_bulk_len: self.settings.proto_max_bulk_len,
                authenticated: c.authenticated,
            };
            match parser.parse(&query[pos..], &limits, &mut argv) {
                Ok(Parsed::Command { consumed }) => {
                    let args = argv.args(&query[pos..]);
                    self.execute(idx, args);
                    ran_any = true;
                    pos += consumed;
                }
                Ok(Parsed::Skipped { consumed }) => pos += consumed,
                Ok(Parsed::Incomplete { needed }) => {
                    if needed > 0 {
                        query.reserve(needed);
                    }
                    break;
                }
                Err(e) => {
                    let c = &mut self.clients[idx];
                    crate::verbose!(
                        "Protocol error ({}) from client: id={} addr={}",
                        e.message(),
                        c.id,
                        c.addr
                    );
                    e.write_reply(&mut c.reply);
                    c.close_after_reply = true;
                    pos = query.len();
                    break;
                }
            }
        }
        if let Some(c) = self.clients.get_mut(idx) {
            query.drain(..pos);
            c.query = query;
            c.query_lent = None;
            c.argv = argv;
            c.parser = parser;
            if ran_any || !c.reply.is_empty() {
                self.queue_write(idx);
            }
        }
    }

    /// True when CLIENT PAUSE holds this client's next command back.
    fn pause_blocks(&self, idx: usize) -> bool {
        let Some(p) = self.pause else {
            return false;
        };
        if self.now_ms >= p.until_ms {
            return false;
        }
        if !p.writes_only {
            return true;
        }
        // In WRITE mode only commands that may write wait.
        let c = &self.clients[idx];
        let Some(name) = peek_command_name(&c.query) else {
            return false;
        };
        match self.registry.lookup(&name) {
            Some(r) => {
                let f = self.registry.get(r).spec.flags;
                f & (flags::WRITE | flags::MAY_REPLICATE) != 0
            }
            None => false,
        }
    }

    /// Runs one command from a client.
    pub(crate) fn execute(&mut self, idx: usize, args: Args<'_>) {
        let c = &mut self.clients[idx];
        c.last_interaction_ms = self.now_ms;
        // CLIENT REPLY SKIP arms for the command after the one that set it.
        match c.reply_mode {
            ReplyMode::SkipNext => c.reply_mode = ReplyMode::Skip,
            ReplyMode::Skip => c.reply_mode = ReplyMode::On,
            _ => {}
        }
        let reply_start = c.reply.len();
        self.execute_inner(idx, args);
        if let Some(c) = self.clients.get_mut(idx) {
            if matches!(c.reply_mode, ReplyMode::Off | ReplyMode::Skip) {
                c.reply.truncate(reply_start);
            }
            // CLIENT CACHING covers the next command only (all of a
            // transaction, and not the CLIENT commands themselves).
            if c.tracking.caching
                && c.multi.is_none()
                && !args.get(0).eq_ignore_ascii_case(b"client")
            {
                c.tracking.caching = false;
            }
        }
        // The client's own invalidations follow its reply.
        self.tracking_send_deferred();
    }

    fn execute_inner(&mut self, idx: usize, args: Args<'_>) {
        let name = args.get(0);
        let Some(mut cmd) = self.registry.lookup(name) else {
            self.reject(
                idx,
                None,
                errors::unknown_command(name, args.skip(1).iter().take(16)),
            );
            return;
        };
        // CLUSTER BUS is Shoal's own extension: no Redis subcommand to
        // resolve it against.
        if args.len() >= 2
            && name.eq_ignore_ascii_case(b"cluster")
            && args.get(1).eq_ignore_ascii_case(b"bus")
        {
            crate::cluster_mode::cluster(self, idx, args);
            return;
        }
        // Containers: pick the subcommand.
        if matches!(self.registry.get(cmd).exec, Exec::Container) {
            let spec = self.registry.get(cmd).spec;
            if args.len() < 2 {
                self.reject(idx, Some(cmd), errors::wrong_arity(spec.name));
                return;
            }
            match self.registry.lookup_subcommand(cmd, args.get(1)) {
                Some(sub) => cmd = sub,
                None => {
                    let upper = spec.name.to_ascii_uppercase();
                    self.reject(
                        idx,
                        Some(cmd),
                        errors::unknown_subcommand(args.get(1), &upper),
                    );
                    return;
                }
            }
        }
        let spec = self.registry.get(cmd).spec;
        let argc = args.len() as i32;
        if (spec.arity > 0 && argc != spec.arity) || argc < -spec.arity {
            self.reject(idx, Some(cmd), errors::wrong_arity(spec.name));
            return;
        }
        let c = &self.clients[idx];
        if !c.authenticated && spec.flags & flags::NO_AUTH == 0 {
            self.reject(idx, Some(cmd), "NOAUTH Authentication required.".into());
            return;
        }
        if self.cluster.is_some() {
            let routed = crate::cluster_mode::check_route(self, idx, spec, args);
            // ASKING lasts for one command (MULTI keeps it for the queue).
            let c = &mut self.clients[idx];
            if spec.name != "asking" && c.multi.is_none() {
                c.asking = false;
            }
            if let Err(e) = routed {
                if spec.name == "exec" {
                    // A refused EXEC ends the transaction, as in Redis.
                    self.clients[idx].multi = None;
                    self.unwatch_all(idx);
                }
                self.reject(idx, Some(cmd), e);
                return;
            }
        }
        let c = &self.clients[idx];
        if c.multi.is_some()
            && !matches!(
                spec.name,
                "exec" | "discard" | "multi" | "watch" | "quit" | "reset"
            )
        {
            if spec.flags & flags::NO_MULTI != 0 {
                let msg = "ERR Command not allowed inside a transaction".to_string();
                self.reject(idx, Some(cmd), msg);
                return;
            }
            let c = &mut self.clients[idx];
            c.multi
                .as_mut()
                .expect("checked")
                .queued
                .push((cmd, args.to_owned()));
            c.reply.simple("QUEUED");
            return;
        }
        if c.in_pubsub_context() && !PUBSUB_ALLOWED.contains(&spec.name) {
            let msg = format!(
                "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
                spec.name
            );
            self.reject(idx, Some(cmd), msg);
            return;
        }
        if matches!(self.registry.get(cmd).exec, Exec::Unsupported) {
            let msg = format!("ERR command '{}' is not supported by Shoal yet", spec.name);
            self.reject(idx, Some(cmd), msg);
            return;
        }
        if self.settings.maxmemory > 0 && spec.flags & flags::DENYOOM != 0 && !self.make_room() {
            self.reject(idx, Some(cmd), errors::OOM.into());
            return;
        }
        self.call(idx, cmd, args, true);
    }

    /// Replies with an error for a command that was not run; inside MULTI
    /// the transaction is then doomed, as Redis does.
    fn reject(&mut self, idx: usize, cmd: Option<CommandRef>, msg: String) {
        if let Some(r) = cmd {
            self.registry.get_mut(r).rejected_calls += 1;
        }
        self.stats.total_error_replies += 1;
        self.stats.count_error(&msg);
        let c = &mut self.clients[idx];
        if let Some(m) = c.multi.as_mut() {
            m.aborted = true;
        }
        c.reply.error(&msg);
    }

    /// Runs a resolved, checked command and does the bookkeeping after it.
    pub(crate) fn call(
        &mut self,
        idx: usize,
        cmd: CommandRef,
        args: Args<'_>,
        may_block: bool,
    ) -> Outcome {
        let started = Instant::now();
        let exec = self.registry.get(cmd).exec;
        let outer_client = self.executing_client.replace(self.clients[idx].id);
        // Set before running, so CLIENT LIST/INFO show the running command.
        self.clients[idx].last_command = self.registry.get(cmd).spec.name;
        let reply_start = self.clients[idx].reply.len();
        let outcome = match exec {
            Exec::Keyspace(handler) => {
                let c = &mut self.clients[idx];
                let mut ctx = ExecCtx {
                    dbs: &mut self.dbs,
                    db: c.db,
                    out: &mut c.reply,
                    now_ms: self.now_ms,
                    rng: &mut self.rng,
                    settings: &self.exec_settings,
                    dirty: 0,
                    may_block: may_block && c.multi.is_none(),
                };
                let outcome = handler(&mut ctx, args);
                self.dirty += ctx.dirty;
                outcome
            }
            Exec::Server(handler) => {
                handler(self, idx, args);
                Outcome::Done
            }
            Exec::Container | Exec::Unsupported => unreachable!("resolved before call"),
        };
        let elapsed_us = started.elapsed().as_micros() as u64;
        let spec = self.registry.get(cmd).spec;
        let failed = self
            .clients
            .get(idx)
            .is_some_and(|c| c.reply.as_bytes().get(reply_start) == Some(&b'-'));
        {
            let track_latency =
                self.settings.latency_tracking && !matches!(outcome, Outcome::Block(_));
            let entry = self.registry.get_mut(cmd);
            entry.calls += 1;
            entry.usec += elapsed_us;
            if failed {
                entry.failed_calls += 1;
            }
            if track_latency {
                entry
                    .latency
                    .get_or_insert_with(Default::default)
                    .record(elapsed_us * 1000);
            }
        }
        self.stats.total_commands_processed += 1;
        if failed {
            self.stats.total_error_replies += 1;
            if let Some(c) = self.clients.get(idx) {
                let text = &c.reply.as_bytes()[reply_start + 1..];
                let end = text
                    .iter()
                    .position(|&b| b == b' ' || b == b'\r')
                    .unwrap_or(text.len());
                let prefix = String::from_utf8_lossy(&text[..end]).into_owned();
                self.stats.count_error_prefix(&prefix);
            }
        }
        if let Some(c) = self.clients.get_mut(idx) {
            c.commands_processed += 1;
        }
        let threshold_ms = self.settings.latency_monitor_threshold;
        if threshold_ms > 0 && elapsed_us / 1000 >= threshold_ms {
            let event = if spec.flags & flags::FAST != 0 {
                "fast-command"
            } else {
                "command"
            };
            self.latency_add(event, elapsed_us / 1000);
        }
        if elapsed_us as i64 >= self.settings.slowlog_log_slower_than
            && self.settings.slowlog_log_slower_than >= 0
        {
            self.slowlog_push(idx, args, elapsed_us);
        }
        if !self.monitors.is_empty() && spec.flags & (flags::SKIP_MONITOR | flags::ADMIN) == 0 {
            self.feed_monitors(idx, args);
        }
        if let Outcome::Block(req) = &outcome {
            self.block_client(idx, cmd, args, req);
        }
        if spec.flags & flags::READONLY != 0 && self.tracking.clients > 0 {
            self.tracking_remember(idx, args);
        }
        // Inside a delivery (a blocked client being served) the signals wait
        // for the delivery loop: re-entering would serve the same client
        // again before it is marked unblocked.
        if (self.interest_count > 0 || self.tracking_active()) && !self.delivering_signals {
            self.deliver_signals();
        }
        self.executing_client = outer_client;
        outcome
    }

    /// Evicts keys until memory is under `maxmemory`; false if it cannot.
    fn make_room(&mut self) -> bool {
        let limit = self.settings.maxmemory as usize;
        let policy = self.settings.maxmemory_policy;
        let mut guard = 0;
        while crate::alloc::used_memory() > limit {
            guard += 1;
            if guard > 10_000 {
                return false;
            }
            let Some((db, key)) = self.eviction_pool.choose(
                &mut self.dbs,
                policy,
                self.settings.maxmemory_samples,
                self.now_ms,
                &mut self.rng,
            ) else {
                return false;
            };
            if self.dbs[db].remove(&key, self.now_ms).is_some() {
                self.dbs[db].stats.evicted_keys += 1;
            }
        }
        true
    }

    /// Parks a client on keys.
    fn block_client(&mut self, idx: usize, cmd: CommandRef, args: Args<'_>, req: &BlockRequest) {
        let c = &mut self.clients[idx];
        if c.blocked.is_some() {
            // Re-run of an already blocked client: it keeps its place.
            return;
        }
        let id = c.id;
        let db = c.db;
        let keys = req.keys.clone();
        let deadline_ms = req.deadline_ms;
        for key in &keys {
            self.blocked_keys
                .entry((db, key.clone()))
                .or_default()
                .push_back(id);
            self.dbs[db].add_interest(key);
            self.interest_count += 1;
        }
        if let Some(d) = deadline_ms {
            self.block_deadlines.insert((d, id));
        }
        self.stats.blocked_clients += 1;
        self.clients[idx].blocked = Some(Blocked {
            command: cmd,
            args: args.to_owned(),
            db,
            keys,
            deadline_ms,
            timeout_reply: req.timeout_reply,
            waits_for: req.waits_for,
        });
    }

    /// Releases a blocked client's registrations (not its reply).
    pub(crate) fn unblock_client(&mut self, idx: usize) {
        let Some(b) = self.clients.get_mut(idx).and_then(|c| c.blocked.take()) else {
            return;
        };
        let id = self.clients[idx].id;
        for key in &b.keys {
            let slot = (b.db, key.clone());
            if let Some(q) = self.blocked_keys.get_mut(&slot) {
                q.retain(|&x| x != id);
                if q.is_empty() {
                    self.blocked_keys.remove(&slot);
                }
            }
            self.dbs[b.db].remove_interest(key);
            self.interest_count -= 1;
        }
        if let Some(d) = b.deadline_ms {
            self.block_deadlines.remove(&(d, id));
        }
        self.stats.blocked_clients -= 1;
        self.pending_input.push(idx);
        self.queue_write(idx);
    }

    /// Ends a blocked wait with its timeout reply (or an error).
    pub(crate) fn unblock_with_timeout(&mut self, idx: usize, error: Option<&str>) {
        let Some(b) = self.clients.get(idx).and_then(|c| c.blocked.as_ref()) else {
            return;
        };
        let timeout_reply = b.timeout_reply;
        self.unblock_client(idx);
        let c = &mut self.clients[idx];
        match error {
            Some(e) => c.reply.error(e),
            None => match timeout_reply {
                TimeoutReply::NullArray => c.reply.null_array(),
                TimeoutReply::NullBulk => c.reply.null(),
            },
        }
    }

    /// Times out blocked clients whose deadline passed.
    pub(crate) fn expire_blocked(&mut self) {
        while let Some(&(deadline, id)) = self.block_deadlines.first() {
            if deadline > self.now_ms {
                break;
            }
            self.block_deadlines.pop_first();
            if let Some(&idx) = self.client_index.get(&id) {
                // Put the deadline back so unblock_client's removal is a no-op.
                self.unblock_with_timeout(idx, None);
            }
        }
    }

    /// Routes keys changed by the last command to WATCHers and blocked
    /// clients.
    pub(crate) fn deliver_signals(&mut self) {
        self.delivering_signals = true;
        self.deliver_signal_rounds();
        self.delivering_signals = false;
    }

    fn deliver_signal_rounds(&mut self) {
        for _round in 0..64 {
            let mut any = false;
            for db in 0..self.dbs.len() {
                if !self.dbs[db].has_signals() {
                    continue;
                }
                any = true;
                let keys = self.dbs[db].take_signals();
                for key in keys {
                    if self.tracking_active() {
                        self.tracking_invalidate(key.as_bytes(), self.executing_client);
                    }
                    let slot = (db, key.as_bytes().to_vec());
                    if let Some(watchers) = self.watched_keys.get(&slot) {
                        for id in watchers.clone() {
                            if let Some(&i) = self.client_index.get(&id) {
                                self.clients[i].watch_dirty = true;
                            }
                        }
                    }
                    if self.blocked_keys.contains_key(&slot) {
                        self.serve_blocked(&slot);
                    }
                }
            }
            if !any {
                return;
            }
        }
    }

    /// Re-runs the commands of clients blocked on a key, first come first
    /// served, until one blocks again or none are left.
    fn serve_blocked(&mut self, slot: &(usize, Vec<u8>)) {
        let Some(queue) = self.blocked_keys.get(slot) else {
            return;
        };
        for id in queue.clone() {
            let Some(&idx) = self.client_index.get(&id) else {
                continue;
            };
            let Some(b) = self.clients[idx].blocked.as_ref() else {
                continue;
            };
            let cmd = b.command;
            // A key that now holds another type does not serve this waiter:
            // it stays blocked, as in Redis (no WRONGTYPE to a waiting client).
            if let Some(e) = self.dbs[slot.0].peek_ref(&slot.1) {
                if e.value.value_type() != b.waits_for {
                    continue;
                }
            }
            let args = b.args.clone();
            let saved_db = self.clients[idx].db;
            self.clients[idx].db = b.db;
            let outcome = self.call(idx, cmd, args.args(), true);
            self.clients[idx].db = saved_db;
            match outcome {
                Outcome::Done => self.unblock_client(idx),
                Outcome::Block(_) => break,
            }
        }
    }

    /// Removes every WATCH of a client.
    pub(crate) fn unwatch_all(&mut self, idx: usize) {
        let Some(c) = self.clients.get_mut(idx) else {
            return;
        };
        let watched = std::mem::take(&mut c.watched);
        let id = c.id;
        c.watch_dirty = false;
        for (db, key) in watched {
            self.dbs[db].remove_interest(&key);
            self.interest_count -= 1;
            let slot = (db, key);
            if let Some(list) = self.watched_keys.get_mut(&slot) {
                list.retain(|&x| x != id);
                if list.is_empty() {
                    self.watched_keys.remove(&slot);
                }
            }
        }
    }

    /// Records a latency sample for LATENCY LATEST/HISTORY: one per second
    /// per event (the worst), the last 160 kept, as Redis keeps them.
    pub(crate) fn latency_add(&mut self, event: &'static str, ms: u64) {
        let now_s = self.now_ms / 1000;
        let (samples, max) = self.latency.entry(event).or_default();
        *max = (*max).max(ms);
        match samples.back_mut() {
            Some((t, l)) if *t == now_s => *l = (*l).max(ms),
            _ => {
                samples.push_back((now_s, ms));
                if samples.len() > 160 {
                    samples.pop_front();
                }
            }
        }
    }

    fn slowlog_push(&mut self, idx: usize, args: Args<'_>, duration_us: u64) {
        const MAX_ARGS: usize = 32;
        const MAX_ARG_LEN: usize = 128;
        let mut kept: Vec<Vec<u8>> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            if i == MAX_ARGS - 1 && args.len() > MAX_ARGS {
                kept.push(
                    format!("... ({} more arguments)", args.len() - MAX_ARGS + 1).into_bytes(),
                );
                break;
            }
            if a.len() > MAX_ARG_LEN {
                let mut v = a[..MAX_ARG_LEN].to_vec();
                v.extend_from_slice(
                    format!("... ({} more bytes)", a.len() - MAX_ARG_LEN).as_bytes(),
                );
                kept.push(v);
            } else {
                kept.push(a.to_vec());
            }
        }
        let (peer, name) = self
            .clients
            .get(idx)
            .map(|c| (c.addr.to_string(), c.name.clone().unwrap_or_default()))
            .unwrap_or_default();
        self.slowlog.push_front(crate::server::SlowlogEntry {
            id: self.slowlog_next_id,
            time_s: self.now_ms / 1000,
            duration_us,
            args: kept,
            peer,
            name,
        });
        self.slowlog_next_id += 1;
        while self.slowlog.len() > self.settings.slowlog_max_len {
            self.slowlog.pop_back();
        }
    }

    fn feed_monitors(&mut self, idx: usize, args: Args<'_>) {
        let (db, addr) = match self.clients.get(idx) {
            Some(c) => (c.db, c.addr.to_string()),
            None => return,
        };
        let us = crate::server::unix_us();
        let mut line = format!("{}.{:06} [{} {}]", us / 1_000_000, us % 1_000_000, db, addr);
        for a in args.iter() {
            line.push_str(" \"");
            for &b in a {
                match b {
                    b'"' => line.push_str("\\\""),
                    b'\\' => line.push_str("\\\\"),
                    b'\n' => line.push_str("\\n"),
                    b'\r' => line.push_str("\\r"),
                    b'\t' => line.push_str("\\t"),
                    0x07 => line.push_str("\\a"),
                    0x08 => line.push_str("\\b"),
                    0x20..=0x7e => line.push(b as char),
                    _ => line.push_str(&format!("\\x{b:02x}")),
                }
            }
            line.push('"');
        }
        for id in self.monitors.clone() {
            if let Some(&m) = self.client_index.get(&id) {
                self.clients[m].reply.simple(&line);
                self.queue_write(m);
            }
        }
    }
}

/// The command name at the start of unparsed input, if complete enough.
fn peek_command_name(query: &[u8]) -> Option<Vec<u8>> {
    if query.first() == Some(&b'*') {
        let nl = query.iter().position(|&b| b == b'\n')?;
        let rest = &query[nl + 1..];
        if rest.first() != Some(&b'$') {
            return None;
        }
        let nl2 = rest.iter().position(|&b| b == b'\n')?;
        let len: usize = std::str::from_utf8(&rest[1..nl2.saturating_sub(1)])
            .ok()?
            .parse()
            .ok()?;
        rest.get(nl2 + 1..nl2 + 1 + len).map(<[u8]>::to_vec)
    } else {
        let end = query
            .iter()
            .position(|&b| b == b' ' || b == b'\r' || b == b'\n')?;
        Some(query[..end].to_vec())
    }
}
