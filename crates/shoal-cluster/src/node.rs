//! [`ClusterNode`]: the sans-IO cluster-bus state machine of one node.
//!
//! It owns the [`ClusterView`], the [`LinkTable`], the configuration, a
//! seeded RNG and the bus counters. The behaviour lives in sibling modules,
//! each an `impl ClusterNode` block for one job of Redis 7.0's cluster code:
//!
//! | module | job |
//! | --- | --- |
//! | [`crate::cron`] | the 100 ms cron: reconnects, PING scheduling, PFAIL |
//! | [`crate::gossip`] | building headers and PING/PONG/MEET, reading gossip |
//! | [`crate::receive`] | the processing order of an incoming message |
//! | [`crate::failure`] | failure reports, PFAIL → FAIL, FAIL broadcast and clearing |
//! | [`crate::epochs`] | configEpoch collisions |
//! | [`crate::slots_update`] | slot claims from higher configEpochs, UPDATE messages |
//! | [`crate::failover`] | replica election, voting, manual failover |
//! | [`crate::state_eval`] | cluster state ok/fail with its delays |
//! | [`crate::pubsub`] | PUBLISH / PUBLISHSHARD propagation |
//! | [`crate::cluster_command`] | CLUSTER commands that need more than the view |
//!
//! What it does not do: sockets, timers, files, replication, keys. Those
//! are the driver's and the embedding node's; they talk to this type only
//! through [`Input`], [`Output`] and [`ClusterEvent`].
//!
//! # Calling contract
//!
//! ```text
//! driver                                   ClusterNode
//!   │ new(config, restored, seed, now) ──────►│
//!   │ handle(now, Input::Tick, out) ─────────►│ cron when due
//!   │ handle(now, Input::Packet{..}, out) ───►│ decode, process
//!   │ execute_command(now, argv, ks, out) ───►│ CLUSTER ..., returns the reply
//!   │◄── out: [PersistConfig?, Event*, Connect/Send/Close*] in order
//!   │ run every output in order (fsync before the sends that follow)
//!   │ sleep until next_deadline() or the next input
//! ```
//!
//! - Every call takes `now`, which must not go backwards. The clock may
//!   start anywhere (0 is fine): "never" is tracked explicitly, not as 0.
//! - Outputs of one call are appended to `out` in the order they must run:
//!   at most one [`Output::PersistConfig`] first (what Redis writes before
//!   its event loop sleeps), then events, then network commands. The driver
//!   must finish the persist (and its fsync when asked) before the sends.
//! - [`Output::Send`] only targets connected links; messages for a link
//!   still connecting are held here and flushed on [`Input::Connected`].
//! - Ids of inbound links are the driver's; ids of outbound links are
//!   chosen here ([`Output::Connect`]).
//! - Getters ([`ClusterNode::view`], [`ClusterNode::stats`],
//!   [`ClusterNode::links`]) can be called at any time; they never change
//!   anything.
//! - Determinism: the same seed, config, restored view and sequence of
//!   `(now, input)` produce the same outputs, byte for byte.

use std::collections::BTreeMap;

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoal_types::{Millis, NodeId, NODE_ID_LEN};

use crate::config::ClusterConfig;
use crate::failover::{Election, ManualFailover};
use crate::input::{Input, ReplicationStatus};
use crate::links::{Link, LinkId, LinkTable};
#[cfg(test)]
use crate::nodes_conf::render_nodes_conf;
use crate::nodes_conf::{prepare_loaded_view, NodesConfRenderer};
use crate::output::{ClusterEvent, Output};
use crate::state_eval::StateClock;
use crate::texts::{BusStats, LinkInfo};
use crate::view::{ClusterView, LinkState, NodeFlags};
use crate::wire::{encode, encoded_len, BusMessage};

/// The cron period: Redis runs its cluster cron ten times a second.
pub const CRON_PERIOD_MS: u64 = 100;

/// How long CLUSTER FORGET keeps a node from being re-added by gossip.
pub const BLACKLIST_TTL_MS: u64 = 60_000;

/// Counters of refused input, beyond the per-type message counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErrorCounts {
    /// Frames whose framing was broken: the link was closed.
    pub links_closed_on_bad_frame: u64,
    /// Messages dropped by the receiver's validation rules (link kept).
    pub messages_dropped: u64,
    /// Inputs naming a link this node does not know (ignored).
    pub unknown_link_inputs: u64,
}

/// What the node must do before it "sleeps" (at the end of every call),
/// Redis's before-sleep flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Chores {
    pub(crate) save: bool,
    pub(crate) fsync: bool,
    pub(crate) update_state: bool,
    pub(crate) handle_failover: bool,
    pub(crate) handle_manual_failover: bool,
}

impl Chores {
    /// Save nodes.conf (and recompute the state).
    pub(crate) fn save_and_update(&mut self) {
        self.save = true;
        self.update_state = true;
    }

    /// Save nodes.conf with fsync.
    pub(crate) fn save_fsync(&mut self) {
        self.save = true;
        self.fsync = true;
    }
}

/// The role last announced to the embedding node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AnnouncedRole {
    Primary,
    Replica {
        primary: NodeId,
        ip: String,
        port: u16,
    },
}

/// The cron's own state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CronState {
    /// When the next cron run is due.
    pub(crate) next: Millis,
    /// Runs so far (every 10th run pings a random node).
    pub(crate) iteration: u64,
    /// PFAIL nodes counted by the last run (they are all gossiped).
    pub(crate) pfail_nodes: usize,
}

/// One node's cluster-bus state machine. See the module docs for the
/// calling contract.
pub struct ClusterNode {
    pub(crate) config: ClusterConfig,
    pub(crate) view: ClusterView,
    pub(crate) links: LinkTable,
    pub(crate) rng: ChaCha8Rng,
    pub(crate) stats: BusStats,
    pub(crate) errors: ErrorCounts,
    /// Forgotten node → when it may be re-added.
    pub(crate) blacklist: BTreeMap<NodeId, Millis>,
    pub(crate) cron: CronState,
    pub(crate) election: Election,
    pub(crate) manual: ManualFailover,
    pub(crate) state_clock: StateClock,
    pub(crate) replication: ReplicationStatus,
    pub(crate) chores: Chores,
    /// Network commands of the current call, in order.
    pub(crate) net: Vec<Output>,
    /// Events of the current call, in order.
    pub(crate) events: Vec<ClusterEvent>,
    pub(crate) announced_role: Option<AnnouncedRole>,
    /// The `now` of the current call.
    pub(crate) now: Millis,
    /// The slot bitmap last put in a header: every message carries one,
    /// and computing it scans 16384 cells. Kept with its node and the
    /// slots version it was computed at.
    pub(crate) header_bitmap: std::cell::RefCell<Option<(NodeId, u64, crate::slots::SlotBitmap)>>,
    /// nodes.conf lines kept between saves.
    pub(crate) conf_renderer: NodesConfRenderer,
}

impl ClusterNode {
    /// A node starting at `now`: from a view loaded from nodes.conf
    /// (`restored`, as parsed; the loader's timing rules are applied here),
    /// or fresh, with a random name drawn from `rng_seed`.
    pub fn new(
        config: ClusterConfig,
        restored: Option<ClusterView>,
        rng_seed: u64,
        now: Millis,
    ) -> ClusterNode {
        let mut rng = ChaCha8Rng::seed_from_u64(rng_seed);
        let view = match restored {
            Some(mut v) => {
                prepare_loaded_view(&mut v, now);
                v
            }
            None => ClusterView::fresh(random_node_id(&mut rng), now),
        };
        let announced_role = view.myself().is_primary().then_some(AnnouncedRole::Primary);
        let mut node = ClusterNode {
            config,
            view,
            links: LinkTable::default(),
            rng,
            stats: BusStats::default(),
            errors: ErrorCounts::default(),
            blacklist: BTreeMap::new(),
            cron: CronState {
                next: now,
                iteration: 0,
                pfail_nodes: 0,
            },
            election: Election::default(),
            manual: ManualFailover::default(),
            state_clock: StateClock::default(),
            replication: ReplicationStatus::default(),
            chores: Chores::default(),
            net: Vec::new(),
            events: Vec::new(),
            announced_role,
            now,
            header_bitmap: std::cell::RefCell::new(None),
            conf_renderer: NodesConfRenderer::default(),
        };
        node.refresh_myself();
        node
    }

    /// The slot bitmap of `id`, kept while its slots have not changed
    /// (one node at a time: the header's primary).
    pub(crate) fn slot_bitmap(&self, id: &NodeId) -> crate::slots::SlotBitmap {
        let Some(version) = self.view.slots_version_of(id) else {
            return crate::slots::SlotBitmap::new();
        };
        let mut kept = self.header_bitmap.borrow_mut();
        match kept.as_ref() {
            Some((k, v, bitmap)) if k == id && *v == version => bitmap.clone(),
            _ => {
                let bitmap = self.view.slot_bitmap_of(id);
                *kept = Some((*id, version, bitmap.clone()));
                bitmap
            }
        }
    }

    /// Applies one input observed at `now`; the effects are appended to
    /// `out` in the order they must run.
    pub fn handle(&mut self, now: Millis, input: Input, out: &mut Vec<Output>) {
        self.now = now.max(self.now);
        match input {
            Input::Tick => {
                if self.now >= self.cron.next {
                    self.run_cron();
                    self.cron.next = self.now.plus(CRON_PERIOD_MS);
                }
            }
            Input::Accepted {
                link,
                peer_ip,
                local_ip,
            } => {
                if !self.links.accept(link, &peer_ip, &local_ip, self.now) {
                    self.errors.unknown_link_inputs += 1;
                }
            }
            Input::Connected(link) => self.link_connected(link),
            Input::ConnectFailed(link) => self.link_connect_failed(link),
            Input::Closed(link) => {
                if self.drop_link(link).is_none() {
                    self.errors.unknown_link_inputs += 1;
                }
            }
            Input::Packet { link, bytes } => self.receive(link, &bytes),
            Input::Replication(status) => {
                self.replication = status;
                if self.manual.end.is_some() {
                    self.chores.handle_manual_failover = true;
                }
            }
            Input::Publish {
                channel,
                message,
                sharded,
            } => self.propagate_publish(channel, message, sharded),
        }
        self.finish_call(out);
    }

    /// The earliest time at which [`Input::Tick`] has work to do.
    pub fn next_deadline(&self) -> Option<Millis> {
        Some(self.cron.next)
    }

    /// The cluster as this node sees it.
    pub fn view(&self) -> &ClusterView {
        &self.view
    }

    /// The configuration in force.
    pub fn config(&self) -> &ClusterConfig {
        &self.config
    }

    /// Replaces the configuration (CONFIG SET). Ports and announced
    /// values take effect in the next message built.
    pub fn set_config(&mut self, config: ClusterConfig) {
        self.config = config;
        self.refresh_myself();
    }

    /// This node's id.
    pub fn myself_id(&self) -> NodeId {
        self.view.myself_id()
    }

    /// Messages sent and received, per type (CLUSTER INFO).
    pub fn stats(&self) -> &BusStats {
        &self.stats
    }

    /// Refused input.
    pub fn error_counts(&self) -> &ErrorCounts {
        &self.errors
    }

    /// Every link with its counters (`CLUSTER BUS LIST`).
    pub fn links(&self) -> &LinkTable {
        &self.links
    }

    /// The rows of CLUSTER LINKS: for each node in table order, its
    /// outbound link then its inbound link. Links not yet tied to a node
    /// are not listed, as in Redis.
    pub fn link_infos(&self) -> Vec<LinkInfo> {
        let mut rows = Vec::new();
        for node in self.view.nodes() {
            for id in self.links.links_of(&node.id()) {
                if let Some(l) = self.links.get(id) {
                    rows.push(LinkInfo {
                        inbound: l.is_inbound(),
                        node: node.id(),
                        created: l.created,
                        reading: l.connected,
                        writing: !l.pending.is_empty(),
                        send_buffer_allocated: l.pending_bytes(),
                        send_buffer_used: l.pending_bytes(),
                    });
                }
            }
        }
        rows
    }

    // ---- internals shared by the behaviour modules ----

    /// Keeps myself's address fields in line with the configuration.
    pub(crate) fn refresh_myself(&mut self) {
        let port = self.config.announced_port();
        let cport = self.config.announced_cport();
        let pport = self.config.pport;
        let hostname = self.config.announce_hostname.clone();
        let announce_ip = self.config.announce_ip.clone();
        let me = self.view.myself_mut();
        me.port = port;
        me.cport = cport;
        me.pport = pport;
        me.hostname = hostname;
        if let Some(ip) = announce_ip {
            me.ip = ip;
        }
        if self.config.replica_no_failover {
            me.flags.insert(NodeFlags::NOFAILOVER);
        } else {
            me.flags.remove(NodeFlags::NOFAILOVER);
        }
    }

    /// A fresh random node id.
    pub(crate) fn random_node_id(&mut self) -> NodeId {
        random_node_id(&mut self.rng)
    }

    /// Encodes `msg` and sends it on `link` (or holds it until the link
    /// connects). Counts it.
    pub(crate) fn send(&mut self, link: LinkId, msg: &BusMessage) {
        let Some(l) = self.links.get_mut(link) else {
            return;
        };
        let mut bytes = Vec::with_capacity(encoded_len(msg));
        encode(msg, &mut bytes);
        let code = msg.body.type_code();
        if let Some(t) = msg.body.message_type() {
            self.stats.sent[t.code() as usize] += 1;
        }
        l.sent.count(code, bytes.len());
        if l.connected {
            self.net.push(Output::Send { link, bytes });
        } else {
            l.pending.push(bytes);
        }
    }

    /// Sends `msg` on the outbound link of every node except myself and
    /// handshake nodes (Redis's broadcast).
    pub(crate) fn broadcast(&mut self, msg: &BusMessage) {
        let targets: Vec<LinkId> = self
            .view
            .nodes()
            .filter(|n| !n.flags.intersects(NodeFlags::MYSELF | NodeFlags::HANDSHAKE))
            .filter_map(|n| self.links.outbound(&n.id()))
            .collect();
        for link in targets {
            self.send(link, msg);
        }
    }

    /// Forgets a link the driver already lost; returns it.
    pub(crate) fn drop_link(&mut self, id: LinkId) -> Option<Link> {
        let link = self.links.remove(id)?;
        if !id.is_inbound() {
            if let Some(n) = link.node.and_then(|n| self.view.node_mut(&n)) {
                n.link = LinkState::Disconnected;
            }
        }
        Some(link)
    }

    /// Closes a link: forgets it, discards what was queued for it in this
    /// call, and tells the driver.
    pub(crate) fn close_link(&mut self, id: LinkId) {
        if self.drop_link(id).is_none() {
            return;
        }
        self.net
            .retain(|o| !matches!(o, Output::Send { link, .. } if *link == id));
        self.net.push(Output::Close(id));
    }

    /// Deletes a node from the table (handshake timeout, duplicate
    /// handshake), closing its links.
    pub(crate) fn delete_node(&mut self, id: &NodeId) {
        for link in self.links.links_of(id) {
            self.close_link(link);
        }
        if self.view.remove_node(id).is_ok() {
            if self.manual.replica == Some(*id) {
                self.manual.replica = None;
            }
            self.chores.save_and_update();
        }
    }

    /// Closes the links of nodes that left the view (FORGET, RESET).
    pub(crate) fn close_links_of_departed_nodes(&mut self) {
        let stale: Vec<LinkId> = self
            .links
            .iter()
            .filter(|l| l.node.is_some_and(|n| !self.view.contains(&n)))
            .map(|l| l.id)
            .collect();
        for id in stale {
            self.close_link(id);
        }
    }

    /// An outbound connection completed: flush what waited for it, then
    /// greet the peer with a MEET (if we were asked to meet it) or a PING.
    fn link_connected(&mut self, id: LinkId) {
        let Some(link) = self.links.get_mut(id) else {
            self.errors.unknown_link_inputs += 1;
            return;
        };
        if link.is_inbound() || link.connected {
            return;
        }
        link.connected = true;
        for bytes in std::mem::take(&mut link.pending) {
            self.net.push(Output::Send { link: id, bytes });
        }
        let Some(node_id) = link.node else {
            return;
        };
        let Some(node) = self.view.node(&node_id) else {
            return;
        };
        let meet = node.flags.contains(NodeFlags::MEET);
        let old_ping_sent = node.ping_sent;
        self.send_ping(id, if meet { PingKind::Meet } else { PingKind::Ping });
        if let Some(n) = self.view.node_mut(&node_id) {
            // A PING outstanding from before the reconnect keeps its age, so
            // failure detection is not reset by reconnecting.
            if old_ping_sent != Millis(0) {
                n.ping_sent = old_ping_sent;
            }
            n.flags.remove(NodeFlags::MEET);
        }
    }

    /// An outbound connection failed. Like Redis's synchronous connect
    /// error, claim a PING was sent so that an unreachable node still times
    /// out into PFAIL.
    fn link_connect_failed(&mut self, id: LinkId) {
        let Some(link) = self.drop_link(id) else {
            self.errors.unknown_link_inputs += 1;
            return;
        };
        let now = self.now;
        if let Some(n) = link.node.and_then(|n| self.view.node_mut(&n)) {
            if n.ping_sent == Millis(0) {
                n.ping_sent = stamp(now);
            }
        }
    }

    /// Redis's before-sleep: failover steps asked for during this call,
    /// the state, the config save; then the outputs, persist first.
    pub(crate) fn finish_call(&mut self, out: &mut Vec<Output>) {
        if std::mem::take(&mut self.chores.handle_manual_failover) {
            self.handle_manual_failover();
        }
        if std::mem::take(&mut self.chores.handle_failover) {
            self.handle_replica_failover();
        }
        if std::mem::take(&mut self.chores.update_state) {
            self.update_state();
        }
        if self.chores.save {
            let text = self.conf_renderer.render(&self.view);
            #[cfg(test)]
            assert_eq!(
                text,
                render_nodes_conf(&self.view),
                "the kept lines render as the whole view does"
            );
            out.push(Output::PersistConfig {
                fsync: self.chores.fsync,
                text,
            });
            self.chores.save = false;
            self.chores.fsync = false;
        }
        self.announce_role();
        out.extend(self.events.drain(..).map(Output::Event));
        out.append(&mut self.net);
    }

    /// Tells the embedding node when this node's role or primary changed.
    fn announce_role(&mut self) {
        let me = self.view.myself();
        let role = if me.is_replica() {
            match me.primary().and_then(|p| self.view.node(&p)) {
                Some(p) if !p.ip.is_empty() => Some(AnnouncedRole::Replica {
                    primary: p.id(),
                    ip: p.ip.clone(),
                    port: p.port,
                }),
                // Wait until the primary's address is known.
                _ => None,
            }
        } else {
            Some(AnnouncedRole::Primary)
        };
        let Some(role) = role else { return };
        if self.announced_role.as_ref() == Some(&role) {
            return;
        }
        self.events.push(match &role {
            AnnouncedRole::Primary => ClusterEvent::BecamePrimary,
            AnnouncedRole::Replica { primary, ip, port } => ClusterEvent::ReplicateFrom {
                primary: *primary,
                ip: ip.clone(),
                port: *port,
            },
        });
        self.announced_role = Some(role);
    }

    /// Drops expired blacklist entries; true if `id` is still blacklisted.
    pub(crate) fn blacklisted(&mut self, id: &NodeId) -> bool {
        let now = self.now;
        self.blacklist.retain(|_, until| *until > now);
        self.blacklist.contains_key(id)
    }

    /// Keeps `id` out of the table for [`BLACKLIST_TTL_MS`].
    pub(crate) fn blacklist_node(&mut self, id: NodeId) {
        let until = self.now.plus(BLACKLIST_TTL_MS);
        self.blacklist.insert(id, until);
    }
}

/// Which greeting [`ClusterNode::send_ping`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PingKind {
    Ping,
    Pong,
    Meet,
}

/// `now` as a stored timestamp. The view uses 0 for "never" in its
/// time fields (ping sent, vote given, orphaned since), so a clock that
/// starts at 0 stores 1 instead.
pub(crate) fn stamp(now: Millis) -> Millis {
    Millis(now.0.max(1))
}

/// A random 40-character hex id.
fn random_node_id(rng: &mut ChaCha8Rng) -> NodeId {
    let mut raw = [0u8; NODE_ID_LEN / 2];
    rng.fill_bytes(&mut raw);
    NodeId::from_random(raw)
}
