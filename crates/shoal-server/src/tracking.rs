//! Client-side caching: CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO
//! and the invalidation messages, as Redis 7.0 sends them.
//!
//! Default mode: after a read-only command of a tracking client, the keys
//! it read are remembered with its id; the first change to such a key
//! sends each remembered client one `invalidate` message and forgets the
//! key. BCAST mode: a client subscribes to key prefixes (all keys when
//! none is given), and every change to a matching key is reported once per
//! event-loop iteration, keys of a prefix together. Messages go to the
//! client itself in RESP3 (a push), or to the client named by REDIRECT: as
//! a push in RESP3, as a `__redis__:invalidate` pub/sub message to a RESP2
//! subscriber. A client's own invalidations wait until its command's reply
//! is written (after EXEC, for a transaction); NOLOOP drops them.
//!
//! Keys are tracked by name across databases, as in Redis.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use shoal_command_table as table;
use shoal_commands::errors;
use shoal_resp::request::Args;

use crate::server::Server;
use shoal_commands::parse::eq_ignore_case;

/// A client's tracking settings (off by default).
#[derive(Debug, Clone, Default)]
pub struct ClientTracking {
    /// CLIENT TRACKING ON.
    pub on: bool,
    /// Broadcast mode.
    pub bcast: bool,
    /// OPTIN: only keys read right after CLIENT CACHING YES are tracked.
    pub optin: bool,
    /// OPTOUT: keys read right after CLIENT CACHING NO are not tracked.
    pub optout: bool,
    /// Changes the client makes itself are not reported to it.
    pub noloop: bool,
    /// CLIENT CACHING was given for the next command.
    pub caching: bool,
    /// The redirect target has gone away.
    pub broken_redirect: bool,
    /// Client id invalidations go to (0: the client itself).
    pub redirect: u64,
    /// BCAST prefixes.
    pub prefixes: BTreeSet<Vec<u8>>,
}

/// Keys changed under one BCAST prefix since the last broadcast.
#[derive(Debug, Default)]
struct Prefix {
    clients: BTreeSet<u64>,
    /// Changed key -> the client that changed it last (none: the server).
    keys: BTreeMap<Vec<u8>, Option<u64>>,
}

/// What an invalidation message carries.
enum Payload<'a> {
    /// One key.
    Key(&'a [u8]),
    /// An encoded array of keys (a broadcast).
    Encoded(&'a [u8]),
    /// Everything (FLUSHDB, FLUSHALL): a null in the tracking client's
    /// protocol.
    All,
}

/// The server-wide tracking state.
#[derive(Debug, Default)]
pub struct TrackingTable {
    /// Key -> ids of the clients that may have cached it.
    keys: HashMap<Vec<u8>, BTreeSet<u64>>,
    /// Client ids stored over all keys (INFO tracking_total_items).
    items: usize,
    prefixes: BTreeMap<Vec<u8>, Prefix>,
    /// Clients with tracking on.
    pub clients: usize,
    /// Invalidations for a client whose command is still running: (client
    /// id, key; `None` for all keys), sent once its reply is written.
    deferred: Vec<(u64, Option<Vec<u8>>)>,
    /// Consecutive crons that found the table over its limit.
    over_limit_rounds: usize,
}

impl TrackingTable {
    /// Keys remembered (INFO tracking_total_keys).
    pub fn total_keys(&self) -> usize {
        self.keys.len()
    }

    /// Client ids remembered over all keys (INFO tracking_total_items).
    pub fn total_items(&self) -> usize {
        self.items
    }

    /// BCAST prefixes in use (INFO tracking_total_prefixes).
    pub fn total_prefixes(&self) -> usize {
        self.prefixes.len()
    }
}

/// Two prefixes overlap when one starts the other.
fn overlaps(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

impl Server {
    /// True when a change to any key may concern a tracking client.
    pub(crate) fn tracking_active(&self) -> bool {
        self.tracking.clients > 0 || !self.tracking.keys.is_empty()
    }

    /// Keeps every database reporting changed keys while tracking is on.
    fn update_signal_all(&mut self) {
        let all = self.tracking_active();
        for db in &mut self.dbs {
            db.set_signal_all(all);
        }
    }

    /// Remembers the keys a read-only command of client `idx` read.
    pub(crate) fn tracking_remember(&mut self, idx: usize, args: Args<'_>) {
        let Some(c) = self.clients.get(idx) else {
            return;
        };
        let t = &c.tracking;
        if !t.on || t.bcast || (t.optin && !t.caching) || (t.optout && t.caching) {
            return;
        }
        let id = c.id;
        let call: Vec<&[u8]> = args.iter().collect();
        let mut positions = Vec::new();
        if table::command_getkeys(&call, &mut positions).is_err() {
            return;
        }
        for pos in positions {
            let ids = self.tracking.keys.entry(call[pos].to_vec()).or_default();
            if ids.insert(id) {
                self.tracking.items += 1;
            }
        }
    }

    /// A key changed (by client `by`, or by the server: expiry).
    pub(crate) fn tracking_invalidate(&mut self, key: &[u8], by: Option<u64>) {
        for (prefix, p) in self.tracking.prefixes.iter_mut() {
            if key.starts_with(prefix) {
                p.keys.insert(key.to_vec(), by);
            }
        }
        let Some(ids) = self.tracking.keys.remove(key) else {
            return;
        };
        self.tracking.items -= ids.len();
        for id in ids {
            let Some(&i) = self.client_index.get(&id) else {
                continue;
            };
            let t = &self.clients[i].tracking;
            // A client that moved to BCAST since does not get the key.
            if !t.on || t.bcast || (t.noloop && by == Some(id)) {
                continue;
            }
            if by == Some(id) {
                self.tracking.deferred.push((id, Some(key.to_vec())));
            } else {
                self.send_tracking(i, Payload::Key(key));
            }
        }
    }

    /// FLUSHDB/FLUSHALL by client `by`: every tracking client drops all its
    /// cached keys.
    pub(crate) fn tracking_flush(&mut self, by: u64) {
        if self.tracking.clients > 0 {
            let targets: Vec<(usize, u64)> = self
                .clients
                .iter()
                .filter(|(_, c)| c.tracking.on)
                .map(|(i, c)| (i, c.id))
                .collect();
            for (i, id) in targets {
                if id == by {
                    self.tracking.deferred.push((id, None));
                } else {
                    self.send_tracking(i, Payload::All);
                }
            }
        }
        self.tracking.keys.clear();
        self.tracking.items = 0;
        self.update_signal_all();
    }

    /// Sends the invalidations held back for clients whose commands ran.
    #[inline]
    pub(crate) fn tracking_send_deferred(&mut self) {
        if !self.tracking.deferred.is_empty() {
            self.send_deferred_now();
        }
    }

    fn send_deferred_now(&mut self) {
        for (id, key) in std::mem::take(&mut self.tracking.deferred) {
            let Some(&i) = self.client_index.get(&id) else {
                continue;
            };
            match &key {
                Some(k) => self.send_tracking(i, Payload::Key(k)),
                None => self.send_tracking(i, Payload::All),
            }
        }
    }

    /// Sends BCAST clients the keys changed under their prefixes since the
    /// last call (once per event-loop iteration).
    pub(crate) fn tracking_broadcast(&mut self) {
        if self.tracking.prefixes.values().all(|p| p.keys.is_empty()) {
            return;
        }
        let mut prefixes = std::mem::take(&mut self.tracking.prefixes);
        for p in prefixes.values_mut() {
            if p.keys.is_empty() {
                continue;
            }
            let everything = encode_keys(p.keys.keys());
            for &id in &p.clients {
                let Some(&i) = self.client_index.get(&id) else {
                    continue;
                };
                if self.clients[i].tracking.noloop {
                    let own: Vec<&Vec<u8>> = p
                        .keys
                        .iter()
                        .filter(|(_, by)| **by != Some(id))
                        .map(|(k, _)| k)
                        .collect();
                    if own.is_empty() {
                        continue;
                    }
                    let encoded = encode_keys(own.into_iter());
                    self.send_tracking(i, Payload::Encoded(&encoded));
                } else {
                    self.send_tracking(i, Payload::Encoded(&everything));
                }
            }
            p.keys.clear();
        }
        self.tracking.prefixes = prefixes;
    }

    /// Drops keys over `tracking-table-max-keys`, invalidating them, with
    /// more effort each cron the table stays over (as Redis).
    pub(crate) fn tracking_limit(&mut self) {
        let max = self.settings.tracking_table_max_keys;
        if max == 0 || self.tracking.keys.len() <= max {
            self.tracking.over_limit_rounds = 0;
            return;
        }
        let effort = 100 * (self.tracking.over_limit_rounds + 1);
        let victims: Vec<Vec<u8>> = self.tracking.keys.keys().take(effort).cloned().collect();
        for key in victims {
            self.tracking_invalidate(&key, None);
            if self.tracking.keys.len() <= max {
                self.tracking.over_limit_rounds = 0;
                return;
            }
        }
        self.tracking.over_limit_rounds += 1;
    }

    /// Writes one invalidation message for tracking client `i`, to it or
    /// to its redirect target.
    fn send_tracking(&mut self, i: usize, payload: Payload<'_>) {
        let (redirect, own_resp3) = {
            let c = &self.clients[i];
            (c.tracking.redirect, c.reply.is_resp3())
        };
        // A flush is announced with a null in the tracking client's own
        // protocol, even when redirected.
        let null: &[u8] = if own_resp3 { b"_\r\n" } else { b"$-1\r\n" };
        let mut target = i;
        let mut redirected = false;
        if redirect != 0 {
            match self.client_index.get(&redirect) {
                Some(&r) => {
                    target = r;
                    redirected = true;
                }
                None => {
                    let c = &mut self.clients[i];
                    c.tracking.broken_redirect = true;
                    if own_resp3 {
                        c.reply.push(2);
                        c.reply.bulk(b"tracking-redir-broken");
                        c.reply.integer(redirect as i64);
                        self.queue_write(i);
                    }
                    return;
                }
            }
        }
        let t = &mut self.clients[target];
        if t.reply.is_resp3() {
            t.reply.push(2);
            t.reply.bulk(b"invalidate");
        } else if redirected && t.subscription_count() + t.shard_channels.len() > 0 {
            t.reply.array(3);
            t.reply.bulk(b"message");
            t.reply.bulk(b"__redis__:invalidate");
        } else {
            // RESP2 without a subscriber to redirect to: nowhere to send.
            return;
        }
        match payload {
            Payload::Key(k) => {
                t.reply.array(1);
                t.reply.bulk(k);
            }
            Payload::Encoded(bytes) => t.reply.raw(bytes),
            Payload::All => t.reply.raw(null),
        }
        self.queue_write(target);
    }

    /// Turns tracking off for client `idx` (CLIENT TRACKING OFF, RESET,
    /// disconnection).
    pub(crate) fn disable_tracking(&mut self, idx: usize) {
        let c = &mut self.clients[idx];
        if !c.tracking.on {
            return;
        }
        let id = c.id;
        let prefixes = std::mem::take(&mut c.tracking.prefixes);
        c.tracking = ClientTracking::default();
        for prefix in prefixes {
            if let Some(p) = self.tracking.prefixes.get_mut(&prefix) {
                p.clients.remove(&id);
                if p.clients.is_empty() {
                    self.tracking.prefixes.remove(&prefix);
                }
            }
        }
        self.tracking.clients -= 1;
        if self.tracking.clients == 0 {
            // Nobody is left to notify: drop the remembered keys, so the
            // keyspaces stop reporting every change.
            self.tracking.keys.clear();
            self.tracking.items = 0;
        }
        self.update_signal_all();
    }
}

/// An array of bulk keys, as one encoded reply.
fn encode_keys<'a>(keys: impl Iterator<Item = &'a Vec<u8>> + Clone) -> Vec<u8> {
    let n = keys.clone().count();
    let mut out = format!("*{n}\r\n").into_bytes();
    for k in keys {
        out.extend_from_slice(format!("${}\r\n", k.len()).as_bytes());
        out.extend_from_slice(k);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN]
/// [OPTOUT] [NOLOOP]
pub fn client_tracking(s: &mut Server, idx: usize, args: Args<'_>) {
    let (mut redirect, mut bcast, mut optin, mut optout, mut noloop) =
        (0u64, false, false, false, false);
    let mut prefixes: Vec<&[u8]> = Vec::new();
    let mut j = 3;
    while j < args.len() {
        let a = args.get(j);
        let more = j + 1 < args.len();
        if eq_ignore_case(a, "redirect") && more {
            j += 1;
            if redirect != 0 {
                s.clients[idx]
                    .reply
                    .error("ERR A client can only redirect to a single other client");
                return;
            }
            let Some(id) = shoal_types::parse_redis_i64(args.get(j)) else {
                s.clients[idx].reply.error(errors::NOT_INTEGER);
                return;
            };
            if !s.client_index.contains_key(&(id as u64)) {
                s.clients[idx]
                    .reply
                    .error("ERR The client ID you want redirect to does not exist");
                return;
            }
            redirect = id as u64;
        } else if eq_ignore_case(a, "bcast") {
            bcast = true;
        } else if eq_ignore_case(a, "optin") {
            optin = true;
        } else if eq_ignore_case(a, "optout") {
            optout = true;
        } else if eq_ignore_case(a, "noloop") {
            noloop = true;
        } else if eq_ignore_case(a, "prefix") && more {
            j += 1;
            prefixes.push(args.get(j));
        } else {
            s.clients[idx].reply.error(errors::SYNTAX);
            return;
        }
        j += 1;
    }
    let mode = args.get(2);
    if eq_ignore_case(mode, "off") {
        s.disable_tracking(idx);
        s.clients[idx].reply.ok();
        return;
    }
    if !eq_ignore_case(mode, "on") {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    }
    let current = s.clients[idx].tracking.clone();
    let refusal = if !bcast && !prefixes.is_empty() {
        Some("ERR PREFIX option requires BCAST mode to be enabled".to_string())
    } else if current.on && current.bcast != bcast {
        Some("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.".to_string())
    } else if bcast && (optin || optout) {
        Some("ERR OPTIN and OPTOUT are not compatible with BCAST".to_string())
    } else if optin && optout {
        Some("ERR You can't specify both OPTIN mode and OPTOUT mode".to_string())
    } else if (optin && current.optout) || (optout && current.optin) {
        Some("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.".to_string())
    } else if bcast {
        prefix_collision(&current.prefixes, &prefixes)
    } else {
        None
    };
    if let Some(e) = refusal {
        s.clients[idx].reply.error(&e);
        return;
    }
    let id = s.clients[idx].id;
    let c = &mut s.clients[idx];
    if !c.tracking.on {
        s.tracking.clients += 1;
    }
    let c = &mut s.clients[idx];
    c.tracking.on = true;
    c.tracking.broken_redirect = false;
    c.tracking.redirect = redirect;
    c.tracking.bcast = bcast;
    c.tracking.optin = optin;
    c.tracking.optout = optout;
    c.tracking.noloop = noloop;
    if bcast {
        let wanted: Vec<Vec<u8>> = if prefixes.is_empty() {
            vec![Vec::new()]
        } else {
            prefixes.iter().map(|p| p.to_vec()).collect()
        };
        for prefix in wanted {
            s.tracking
                .prefixes
                .entry(prefix.clone())
                .or_default()
                .clients
                .insert(id);
            s.clients[idx].tracking.prefixes.insert(prefix);
        }
    }
    s.update_signal_all();
    s.clients[idx].reply.ok();
}

/// The error for BCAST prefixes that overlap each other or the client's
/// current ones, as Redis words it.
fn prefix_collision(current: &BTreeSet<Vec<u8>>, new: &[&[u8]]) -> Option<String> {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for (i, p) in new.iter().enumerate() {
        if let Some(existing) = current.iter().find(|e| overlaps(e, p)) {
            return Some(format!(
                "ERR Prefix '{}' overlaps with an existing prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(existing)
            ));
        }
        if let Some(other) = new[i + 1..].iter().find(|o| overlaps(p, o)) {
            return Some(format!(
                "ERR Prefix '{}' overlaps with another provided prefix '{}'. Prefixes for a single client must not overlap.",
                text(p),
                text(other)
            ));
        }
    }
    None
}

/// CLIENT CACHING YES|NO
pub fn client_caching(s: &mut Server, idx: usize, args: Args<'_>) {
    let c = &mut s.clients[idx];
    if !c.tracking.on {
        c.reply.error("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
        return;
    }
    let opt = args.get(2);
    if eq_ignore_case(opt, "yes") {
        if !c.tracking.optin {
            c.reply.error(
                "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.",
            );
            return;
        }
    } else if eq_ignore_case(opt, "no") {
        if !c.tracking.optout {
            c.reply.error(
                "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.",
            );
            return;
        }
    } else {
        c.reply.error(errors::SYNTAX);
        return;
    }
    c.tracking.caching = true;
    c.reply.ok();
}

/// CLIENT GETREDIR
pub fn client_getredir(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    let v = if c.tracking.on {
        c.tracking.redirect as i64
    } else {
        -1
    };
    c.reply.integer(v);
}

/// CLIENT TRACKINGINFO
pub fn client_trackinginfo(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    let t = &c.tracking;
    let mut flags: Vec<&str> = vec![if t.on { "on" } else { "off" }];
    if t.bcast {
        flags.push("bcast");
    }
    if t.optin {
        flags.push("optin");
        if t.caching {
            flags.push("caching-yes");
        }
    }
    if t.optout {
        flags.push("optout");
        if t.caching {
            flags.push("caching-no");
        }
    }
    if t.noloop {
        flags.push("noloop");
    }
    if t.broken_redirect {
        flags.push("broken_redirect");
    }
    let redirect = if t.on { t.redirect as i64 } else { -1 };
    let prefixes: Vec<Vec<u8>> = t.prefixes.iter().cloned().collect();
    let r = &mut c.reply;
    r.map(3);
    r.bulk(b"flags");
    r.set(flags.len());
    for f in flags {
        r.bulk(f.as_bytes());
    }
    r.bulk(b"redirect");
    r.integer(redirect);
    r.bulk(b"prefixes");
    r.array(prefixes.len());
    for p in prefixes {
        r.bulk(&p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_overlap_when_one_starts_the_other() {
        assert!(overlaps(b"user:", b"user:1"));
        assert!(overlaps(b"", b"anything"));
        assert!(!overlaps(b"user:", b"users"));
        let current: BTreeSet<Vec<u8>> = [b"a:".to_vec()].into();
        assert!(prefix_collision(&current, &[b"a:b"])
            .unwrap()
            .contains("existing prefix 'a:'"));
        assert!(prefix_collision(&BTreeSet::new(), &[b"x", b"xy"])
            .unwrap()
            .contains("another provided prefix 'xy'"));
        assert!(prefix_collision(&current, &[b"b:"]).is_none());
    }

    #[test]
    fn broadcast_keys_encode_as_one_array() {
        let keys = [b"a".to_vec(), b"bc".to_vec()];
        assert_eq!(encode_keys(keys.iter()), b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
    }
}
