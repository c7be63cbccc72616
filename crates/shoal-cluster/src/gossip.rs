//! Building PING/PONG/MEET (header, gossip selection, hostname extension)
//! and reading the gossip section of incoming ones (spec 3.3 and 3.6).
//!
//! Gossip selection follows 7.0: about a tenth of the known nodes (at least
//! three) drawn at random, skipping myself, handshake and address-less
//! nodes and disconnected nodes without slots; then every PFAIL node, so
//! that failure reports spread fast. The draws come from the node's seeded
//! RNG.
//!
//! What it does not do: decide when to ping (that is [`crate::cron`]) or
//! what a report means for the failure state ([`crate::failure`]).

use shoal_types::{Millis, NodeId};

use crate::links::LinkId;
use crate::node::{stamp, ClusterNode, PingKind};
use crate::view::{ClusterState, Node, NodeFlags};
use crate::wire::{
    self, Body, BusMessage, GossipEntry, Header, IpString, MessageFlags, PingExt, SlotBitmap,
};

use rand::Rng;

/// A gossip timestamp: Redis sends whole seconds of its millisecond clock.
fn secs(t: Millis) -> u32 {
    (t.0 / 1000) as u32
}

/// The IP field of a node, empty when the text does not fit.
pub(crate) fn ip_field(ip: &str) -> IpString {
    IpString::new(ip.as_bytes()).unwrap_or(IpString::EMPTY)
}

impl ClusterNode {
    /// The header every message of this node starts with (spec 2.2):
    /// a replica speaks for its primary's slots and configEpoch.
    pub(crate) fn build_header(&self) -> Header {
        let me = self.view.myself();
        let primary = if me.is_replica() {
            me.primary().and_then(|p| self.view.node(&p))
        } else {
            None
        };
        let master: &Node = primary.unwrap_or(me);
        let mut header = Header::new(me.id());
        header.current_epoch = self.view.current_epoch;
        header.config_epoch = master.config_epoch;
        header.repl_offset = self.replication.offset;
        if let Some(ip) = &self.config.announce_ip {
            header.myip = ip_field(ip);
        }
        header.port = self.config.announced_port();
        header.cport = self.config.announced_cport();
        header.pport = self.config.pport;
        header.flags = me.flags;
        header.state = match self.view.state {
            ClusterState::Ok => wire::ClusterState::Ok,
            ClusterState::Fail => wire::ClusterState::Fail,
        };
        if me.is_primary() && self.manual.end.is_some() {
            header.mflags.insert(MessageFlags::PAUSED);
        }
        header.slots = SlotBitmap::from_bytes(self.slot_bitmap(&master.id()).0);
        header.replica_of = if me.is_replica() { me.primary() } else { None };
        header
    }

    /// A header-only or fixed-body message from this node.
    pub(crate) fn message(&self, body: Body) -> BusMessage {
        BusMessage {
            header: self.build_header(),
            body,
        }
    }

    /// The gossip entry describing `node`.
    fn gossip_entry(node: &Node) -> GossipEntry {
        GossipEntry {
            node: node.id(),
            ping_sent_secs: secs(node.ping_sent),
            pong_received_secs: secs(node.pong_received),
            ip: ip_field(&node.ip),
            port: node.port,
            cport: node.cport,
            flags: node.flags,
            pport: node.pport,
        }
    }

    /// Picks the gossip entries for one PING/PONG/MEET (spec 3.3).
    pub(crate) fn select_gossip(&mut self) -> Vec<GossipEntry> {
        let total = self.view.node_count() as i64;
        let mut fresh = total - 2;
        let wanted = (total / 10).max(3).min(fresh);
        let mut entries: Vec<GossipEntry> = Vec::new();
        // Table positions already picked (ids are unique in the table).
        let mut picked = vec![false; total.max(0) as usize];
        let mut iterations = wanted.max(0) * 3;
        while fresh > 0 && (entries.len() as i64) < wanted && iterations > 0 {
            iterations -= 1;
            let i = self.rng.random_range(0..total as usize);
            let Some((node, slots)) = self.view.node_at(i) else {
                break;
            };
            if node.is_myself() || node.is_timed_out() {
                continue;
            }
            if node
                .flags
                .intersects(NodeFlags::HANDSHAKE | NodeFlags::NOADDR)
                || (slots == 0 && self.links.outbound(&node.id()).is_none())
            {
                fresh -= 1;
                continue;
            }
            if picked[i] {
                continue;
            }
            picked[i] = true;
            entries.push(Self::gossip_entry(node));
            fresh -= 1;
        }
        let mut pfail_wanted = self.cron.pfail_nodes;
        for node in self.view.nodes() {
            if pfail_wanted == 0 {
                break;
            }
            if node
                .flags
                .intersects(NodeFlags::HANDSHAKE | NodeFlags::NOADDR)
                || !node.is_timed_out()
            {
                continue;
            }
            entries.push(Self::gossip_entry(node));
            pfail_wanted -= 1;
        }
        entries
    }

    /// Builds and sends a PING, PONG or MEET on `link`. A PING on an
    /// outbound link starts the wait for its PONG (`ping_sent`).
    pub(crate) fn send_ping(&mut self, link: LinkId, kind: PingKind) {
        let Some(l) = self.links.get(link) else {
            return;
        };
        let inbound = l.is_inbound();
        let node = l.node;
        if !inbound && kind == PingKind::Ping {
            let now = self.now;
            if let Some(n) = node.and_then(|n| self.view.node_mut(&n)) {
                n.ping_sent = stamp(now);
            }
            if let Some(l) = self.links.get_mut(link) {
                l.last_ping_sent = Some(now);
            }
        }
        let header = self.build_header();
        let gossip = self.select_gossip();
        let mut extensions = Vec::new();
        if !self.view.myself().hostname.is_empty() {
            extensions.push(PingExt::Hostname(
                self.view.myself().hostname.as_bytes().to_vec(),
            ));
        }
        let body = match kind {
            PingKind::Ping => Body::Ping { gossip, extensions },
            PingKind::Pong => Body::Pong { gossip, extensions },
            PingKind::Meet => Body::Meet { gossip, extensions },
        };
        self.send(link, &BusMessage { header, body });
    }

    /// Sends a PONG to every node with an outbound link (not myself, not
    /// in handshake); with `local_replicas_only`, only to replicas of my
    /// primary (or of myself).
    pub(crate) fn broadcast_pong(&mut self, local_replicas_only: bool) {
        let me = self.view.myself();
        let my_primary = me.primary();
        let my_id = me.id();
        let targets: Vec<LinkId> = self
            .view
            .nodes()
            .filter(|n| !n.is_myself() && !n.in_handshake())
            .filter(|n| {
                !local_replicas_only
                    || (n.is_replica()
                        && n.primary()
                            .is_some_and(|p| p == my_id || Some(p) == my_primary))
            })
            .filter_map(|n| self.links.outbound(&n.id()))
            .collect();
        for link in targets {
            self.send_ping(link, PingKind::Pong);
        }
    }

    /// Reads the gossip section of a PING/PONG/MEET (spec 3.6). `sender` is
    /// the known sender, if any; with an unknown sender nothing is added.
    pub(crate) fn process_gossip(&mut self, sender: Option<NodeId>, entries: &[GossipEntry]) {
        let now = self.now;
        let validity = self.config.node_timeout_ms * 2;
        let sender_is_primary = sender
            .and_then(|s| self.view.node(&s))
            .is_some_and(|s| s.is_primary());
        let me = self.view.myself_id();
        for g in entries {
            let flags = g.flags;
            let reported_down = flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL);
            let known = self.view.lookup(g.node.as_bytes()).map(|n| n.id());
            let Some(id) = known else {
                self.add_gossiped_node(sender, g);
                continue;
            };
            if let Some(sender) = sender.filter(|_| sender_is_primary) {
                if id != me {
                    if reported_down {
                        let node = self.view.node_mut(&id).expect("looked up");
                        node.add_failure_report(sender, now);
                        self.mark_failing_if_needed(&id);
                    } else {
                        let node = self.view.node_mut(&id).expect("looked up");
                        node.remove_failure_report(&sender);
                    }
                }
            }
            let node = self.view.node_mut(&id).expect("looked up");
            node.prune_failure_reports(now, validity);
            if !reported_down && node.ping_sent == Millis(0) && node.failure_reports.is_empty() {
                // Trust a fresher pong seen by a peer, but not one from the
                // future (half a second of clock skew allowed).
                let pong = Millis(u64::from(g.pong_received_secs) * 1000);
                if pong.0 <= now.0 + 500 && pong > node.pong_received {
                    node.pong_received = pong;
                }
            }
            let ip = g.ip.as_str().unwrap_or("");
            let address_differs = |node: &Node| {
                !node.ip.eq_ignore_ascii_case(ip) || node.port != g.port || node.cport != g.cport
            };
            if node.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL)
                && !flags.contains(NodeFlags::NOADDR)
                && !reported_down
                && address_differs(node)
            {
                // Someone reaches it at another address: try that one.
                node.ip = ip.to_string();
                node.port = g.port;
                node.pport = g.pport;
                node.cport = g.cport;
                node.flags.remove(NodeFlags::NOADDR);
                if let Some(link) = self.links.outbound(&id) {
                    self.close_link(link);
                }
                self.chores.save = true;
            }
        }
    }

    /// Adds a node first heard of in gossip from a known sender, with the
    /// entry's flags as they are, unless it has no address or was forgotten
    /// recently.
    fn add_gossiped_node(&mut self, sender: Option<NodeId>, g: &GossipEntry) {
        if sender.is_none() || g.flags.contains(NodeFlags::NOADDR) {
            return;
        }
        if NodeId::parse(g.node.as_bytes()).is_err() || self.blacklisted(&g.node) {
            return;
        }
        let mut node = Node::new(g.node);
        let mut flags = g.flags;
        // MYSELF can only describe the local node; never take it from a peer.
        flags.remove(NodeFlags::MYSELF);
        node.flags = flags;
        node.ip = g.ip.as_str().unwrap_or("").to_string();
        node.port = g.port;
        node.pport = g.pport;
        node.cport = g.cport;
        node.created = self.now;
        if self.view.add_node(node).is_ok() {
            self.chores.save = true;
        }
    }

    /// Reads the ping extensions of a known sender: the hostname is taken
    /// from a hostname extension and cleared when there is none.
    pub(crate) fn process_extensions(&mut self, sender: &NodeId, extensions: &[PingExt]) {
        let mut hostname: Option<&[u8]> = None;
        for ext in extensions {
            if let PingExt::Hostname(h) = ext {
                hostname = Some(h);
            }
        }
        let text = hostname
            .map(|h| String::from_utf8_lossy(h).into_owned())
            .unwrap_or_default();
        if let Some(node) = self.view.node_mut(sender) {
            if node.hostname != text {
                node.hostname = text;
                self.chores.save = true;
            }
        }
    }
}
