//! Pub/sub: channels, patterns and shard channels on this node.
//!
//! Messages are written straight into subscribers' output buffers (push
//! frames in RESP3, arrays in RESP2) and sent before the loop sleeps.

use crate::server::Server;
use shoal_commands::parse;
use shoal_resp::request::Args;
use shoal_types::glob_match;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Channel,
    Pattern,
    Shard,
}

impl Kind {
    fn names(self) -> (&'static [u8], &'static [u8]) {
        match self {
            Kind::Channel => (b"subscribe", b"unsubscribe"),
            Kind::Pattern => (b"psubscribe", b"punsubscribe"),
            Kind::Shard => (b"ssubscribe", b"sunsubscribe"),
        }
    }
}

fn registry(s: &mut Server, kind: Kind) -> &mut HashMap<Vec<u8>, Vec<u64>> {
    match kind {
        Kind::Channel => &mut s.channels,
        Kind::Pattern => &mut s.patterns,
        Kind::Shard => &mut s.shard_channels,
    }
}

fn client_set(s: &mut Server, idx: usize, kind: Kind) -> &mut std::collections::BTreeSet<Vec<u8>> {
    let c = &mut s.clients[idx];
    match kind {
        Kind::Channel => &mut c.channels,
        Kind::Pattern => &mut c.patterns,
        Kind::Shard => &mut c.shard_channels,
    }
}

fn count_for(s: &Server, idx: usize, kind: Kind) -> usize {
    let c = &s.clients[idx];
    match kind {
        // Shard subscriptions are counted apart from the others, as in Redis.
        Kind::Shard => c.shard_channels.len(),
        _ => c.channels.len() + c.patterns.len(),
    }
}

fn subscribe_generic(s: &mut Server, idx: usize, args: Args<'_>, kind: Kind) {
    if s.clients[idx].multi.is_some() && kind != Kind::Channel {
        // Redis refuses (S|P)SUBSCRIBE inside MULTI only through the command
        // flags; plain SUBSCRIBE in MULTI is allowed and so it is here.
    }
    let id = s.clients[idx].id;
    for ch in args.skip(1).iter() {
        if client_set(s, idx, kind).insert(ch.to_vec()) {
            registry(s, kind).entry(ch.to_vec()).or_default().push(id);
        }
        let n = count_for(s, idx, kind);
        let r = &mut s.clients[idx].reply;
        r.push(3);
        r.bulk(kind.names().0);
        r.bulk(ch);
        r.integer(n as i64);
    }
}

fn remove_subscription(s: &mut Server, idx: usize, kind: Kind, ch: &[u8]) -> bool {
    if !client_set(s, idx, kind).remove(ch) {
        return false;
    }
    let id = s.clients[idx].id;
    let reg = registry(s, kind);
    if let Some(list) = reg.get_mut(ch) {
        list.retain(|&x| x != id);
        if list.is_empty() {
            reg.remove(ch);
        }
    }
    true
}

fn unsubscribe_generic(s: &mut Server, idx: usize, args: Args<'_>, kind: Kind) {
    let targets: Vec<Vec<u8>> = if args.len() > 1 {
        args.skip(1).iter().map(<[u8]>::to_vec).collect()
    } else {
        client_set(s, idx, kind).iter().cloned().collect()
    };
    if targets.is_empty() {
        let n = count_for(s, idx, kind);
        let r = &mut s.clients[idx].reply;
        r.push(3);
        r.bulk(kind.names().1);
        r.null();
        r.integer(n as i64);
        return;
    }
    for ch in targets {
        remove_subscription(s, idx, kind, &ch);
        let n = count_for(s, idx, kind);
        let r = &mut s.clients[idx].reply;
        r.push(3);
        r.bulk(kind.names().1);
        r.bulk(&ch);
        r.integer(n as i64);
    }
}

/// SUBSCRIBE channel [channel ...]
pub fn subscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    subscribe_generic(s, idx, args, Kind::Channel);
}

/// UNSUBSCRIBE [channel ...]
pub fn unsubscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    unsubscribe_generic(s, idx, args, Kind::Channel);
}

/// PSUBSCRIBE pattern [pattern ...]
pub fn psubscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    subscribe_generic(s, idx, args, Kind::Pattern);
}

/// PUNSUBSCRIBE [pattern ...]
pub fn punsubscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    unsubscribe_generic(s, idx, args, Kind::Pattern);
}

/// SSUBSCRIBE shardchannel [shardchannel ...]
pub fn ssubscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    subscribe_generic(s, idx, args, Kind::Shard);
}

/// SUNSUBSCRIBE [shardchannel ...]
pub fn sunsubscribe(s: &mut Server, idx: usize, args: Args<'_>) {
    unsubscribe_generic(s, idx, args, Kind::Shard);
}

impl Server {
    /// Drops every subscription of a client (on close and RESET).
    pub(crate) fn unsubscribe_everything(&mut self, idx: usize) {
        for kind in [Kind::Channel, Kind::Pattern, Kind::Shard] {
            let all: Vec<Vec<u8>> = client_set(self, idx, kind).iter().cloned().collect();
            for ch in all {
                remove_subscription(self, idx, kind, &ch);
            }
        }
    }

    /// Delivers a message to local subscribers; returns how many got it.
    pub(crate) fn publish_local(&mut self, channel: &[u8], message: &[u8], shard: bool) -> usize {
        let mut receivers = 0;
        let direct = if shard {
            self.shard_channels.get(channel).cloned()
        } else {
            self.channels.get(channel).cloned()
        };
        for id in direct.unwrap_or_default() {
            if let Some(&i) = self.client_index.get(&id) {
                let r = &mut self.clients[i].reply;
                r.push(3);
                r.bulk(if shard { b"smessage" } else { b"message" });
                r.bulk(channel);
                r.bulk(message);
                self.queue_write(i);
                receivers += 1;
            }
        }
        if !shard && !self.patterns.is_empty() {
            let matching: Vec<(Vec<u8>, Vec<u64>)> = self
                .patterns
                .iter()
                .filter(|(p, _)| glob_match(p, channel, false))
                .map(|(p, ids)| (p.clone(), ids.clone()))
                .collect();
            for (pattern, ids) in matching {
                for id in ids {
                    if let Some(&i) = self.client_index.get(&id) {
                        let r = &mut self.clients[i].reply;
                        r.push(4);
                        r.bulk(b"pmessage");
                        r.bulk(&pattern);
                        r.bulk(channel);
                        r.bulk(message);
                        self.queue_write(i);
                        receivers += 1;
                    }
                }
            }
        }
        self.stats.pubsub_messages += receivers as u64;
        receivers
    }
}

/// PUBLISH channel message (in cluster mode also sent to every node; the
/// count is of this node's receivers, as in Redis).
pub fn publish(s: &mut Server, idx: usize, args: Args<'_>) {
    let n = s.publish_local(args.get(1), args.get(2), false);
    s.publish_cluster(args.get(1), args.get(2), false);
    s.clients[idx].reply.integer(n as i64);
}

/// SPUBLISH shardchannel message (in cluster mode also sent to the other
/// nodes of the slot's shard).
pub fn spublish(s: &mut Server, idx: usize, args: Args<'_>) {
    let n = s.publish_local(args.get(1), args.get(2), true);
    s.publish_cluster(args.get(1), args.get(2), true);
    s.clients[idx].reply.integer(n as i64);
}

fn channels_reply(s: &mut Server, idx: usize, args: Args<'_>, shard: bool) {
    let pattern = (args.len() > 2).then(|| args.get(2));
    let reg = if shard {
        &s.shard_channels
    } else {
        &s.channels
    };
    let mut names: Vec<Vec<u8>> = reg
        .keys()
        .filter(|c| pattern.is_none_or(|p| glob_match(p, c, false)))
        .cloned()
        .collect();
    names.sort();
    let r = &mut s.clients[idx].reply;
    r.array(names.len());
    for n in &names {
        r.bulk(n);
    }
}

/// PUBSUB CHANNELS [pattern]
pub fn pubsub_channels(s: &mut Server, idx: usize, args: Args<'_>) {
    channels_reply(s, idx, args, false);
}

/// PUBSUB SHARDCHANNELS [pattern]
pub fn pubsub_shardchannels(s: &mut Server, idx: usize, args: Args<'_>) {
    channels_reply(s, idx, args, true);
}

fn numsub_reply(s: &mut Server, idx: usize, args: Args<'_>, shard: bool) {
    let counts: Vec<(Vec<u8>, usize)> = args
        .skip(2)
        .iter()
        .map(|ch| {
            let reg = if shard {
                &s.shard_channels
            } else {
                &s.channels
            };
            (ch.to_vec(), reg.get(ch).map_or(0, Vec::len))
        })
        .collect();
    // A flat array in RESP3 too: Redis 7.0 does not send a map here.
    let r = &mut s.clients[idx].reply;
    r.array(counts.len() * 2);
    for (ch, n) in counts {
        r.bulk(&ch);
        r.integer(n as i64);
    }
}

/// PUBSUB NUMSUB [channel ...]
pub fn pubsub_numsub(s: &mut Server, idx: usize, args: Args<'_>) {
    numsub_reply(s, idx, args, false);
}

/// PUBSUB SHARDNUMSUB [shardchannel ...]
pub fn pubsub_shardnumsub(s: &mut Server, idx: usize, args: Args<'_>) {
    numsub_reply(s, idx, args, true);
}

/// PUBSUB NUMPAT
pub fn pubsub_numpat(s: &mut Server, idx: usize, _args: Args<'_>) {
    let n = s.patterns.len();
    s.clients[idx].reply.integer(n as i64);
}

/// PUBSUB HELP
pub fn pubsub_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    let _ = parse::eq_ignore_case;
    super::connection::help_reply(
        s,
        idx,
        "PUBSUB",
        &[
            "CHANNELS [<pattern>]",
            "    List channels with at least one subscriber, optionally filtered by a glob.",
            "NUMPAT",
            "    Count pattern subscriptions.",
            "NUMSUB [<channel> ...]",
            "    Subscriber count of each channel given (pattern subscribers not included).",
            "SHARDCHANNELS [<pattern>]",
            "    List shard channels with at least one subscriber, optionally filtered.",
            "SHARDNUMSUB [<shardchannel> ...]",
            "    Subscriber count of each shard channel given.",
            "HELP",
            "    Print this help.",
        ],
    );
}
