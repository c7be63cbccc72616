//! The cluster as this node sees it: a plain data structure.
//!
//! [`ClusterView`] holds the node table (one [`Node`] per known node, in
//! table order), `currentEpoch` and `lastVoteEpoch`, the owner of every
//! slot, the per-slot migrating/importing marks, and the derived cluster
//! state. Its methods are the table operations Redis 7.0 performs on
//! `server.cluster` (add, delete, rename a node, attach a replica, assign
//! a slot, bump the configEpoch...), with the same side effects on the
//! rest of the table (deleting a node frees its slots, detaches its
//! replicas, drops its failure reports).
//!
//! What it does not do: decide anything. No timers, no gossip, no failure
//! detection, no elections: the cluster-bus state machine calls these
//! operations, and the CLUSTER commands ([`crate::commands`]) too. Time
//! only enters as a parameter ([`Millis`]). Nothing here is persisted by
//! itself; [`crate::nodes_conf`] renders and parses the persisted part.
//!
//! # Table order
//!
//! Redis iterates its node dictionary in hash order, which differs between
//! processes. The view keeps insertion order instead (a removal keeps the
//! order of the rest), and every text it renders lists nodes in that order.
//! A view parsed from a nodes.conf file therefore renders its lines in the
//! file's order.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use shoal_types::{Epoch, Millis, NodeId, Slot, NODE_ID_LEN, SLOT_COUNT};

use crate::slots::{all_slots, ranges_of, SlotBitmap, SlotRange, SlotTable};

pub use crate::wire::NodeFlags;

/// A map keyed by node id for lookups only (never iterated where order
/// matters). Node ids are random hex, so a fast hash with a fixed seed
/// spreads them well and keeps runs reproducible; a B-tree lookup costs a
/// 40-byte comparison per level, and these lookups run for every gossip
/// entry and for every node the cron visits.
pub(crate) type IdMap<V> = HashMap<NodeId, V, foldhash::fast::FixedState>;

/// The flags CLUSTER NODES prints, in its order, with their names. MEET and
/// MIGRATE_TO are never printed; the names say `master`/`slave` because
/// those are Redis's bytes.
pub const PRINTED_FLAGS: [(NodeFlags, &str); 8] = [
    (NodeFlags::MYSELF, "myself"),
    (NodeFlags::PRIMARY, "master"),
    (NodeFlags::REPLICA, "slave"),
    (NodeFlags::PFAIL, "fail?"),
    (NodeFlags::FAIL, "fail"),
    (NodeFlags::HANDSHAKE, "handshake"),
    (NodeFlags::NOADDR, "noaddr"),
    (NodeFlags::NOFAILOVER, "nofailover"),
];

/// The comma-separated CLUSTER NODES form of `flags` (`myself,master`),
/// `noflags` when no printed flag is set.
pub fn flags_text(flags: NodeFlags) -> String {
    let names: Vec<&str> = PRINTED_FLAGS
        .iter()
        .filter(|(f, _)| flags.contains(*f))
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        "noflags".to_string()
    } else {
        names.join(",")
    }
}

/// The flag for a CLUSTER NODES / nodes.conf flag name, ASCII case ignored
/// as the 7.0 loader does; `noflags` gives the empty set.
pub fn flag_by_name(name: &str) -> Option<NodeFlags> {
    if name.eq_ignore_ascii_case("noflags") {
        return Some(NodeFlags::empty());
    }
    PRINTED_FLAGS
        .iter()
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(f, _)| *f)
}

/// Whether this node has an outbound bus link to a node (the `connected` /
/// `disconnected` field of CLUSTER NODES; `myself` always prints
/// `connected`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkState {
    /// An outbound link exists.
    Connected,
    /// No outbound link.
    #[default]
    Disconnected,
}

/// One failure report: `reporter` (a primary) said at `time` that the node
/// is PFAIL or FAIL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureReport {
    /// The primary that gossiped the failure.
    pub reporter: NodeId,
    /// When the report was last received or refreshed.
    pub time: Millis,
}

/// One known node.
///
/// The id and the primary link are private because other parts of the
/// view depend on them (the id index, the replica lists); change them with
/// [`ClusterView::rename_node`], [`ClusterView::attach_replica`] and
/// friends. Everything else is plain data.
///
/// Fields marked "not persisted" are runtime state: nodes.conf does not
/// carry them, so a parsed view has their defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    id: NodeId,
    primary: Option<NodeId>,
    /// IP as text (IPv6 without brackets); empty while unknown.
    pub ip: String,
    /// Client port (the TLS port in a TLS cluster).
    pub port: u16,
    /// Cluster bus port.
    pub cport: u16,
    /// Plaintext client port in a TLS cluster, 0 if none. Not persisted.
    pub pport: u16,
    /// Announced hostname; empty for none.
    pub hostname: String,
    /// Role and health flags.
    pub flags: NodeFlags,
    /// The node's configEpoch. For a replica this is stale (the texts
    /// print its primary's); the nodes.conf loader sets it to 0.
    pub config_epoch: Epoch,
    /// When the outstanding PING was sent, 0 if none.
    pub ping_sent: Millis,
    /// When the last PONG was received.
    pub pong_received: Millis,
    /// Outbound link state.
    pub link: LinkState,
    /// When the node was added to the table (handshake timeout). Not persisted.
    pub created: Millis,
    /// Last message of any kind from the node. Not persisted.
    pub data_received: Millis,
    /// When FAIL was set. Not persisted.
    pub fail_time: Millis,
    /// Last vote this node gave to a replica of this primary. Not persisted.
    pub voted_time: Millis,
    /// Since when this primary has had no working replica. Not persisted.
    pub orphaned_time: Millis,
    /// Last replication offset heard of (replicas and primaries). Not persisted.
    pub repl_offset: u64,
    /// When `repl_offset` was updated. Not persisted.
    pub repl_offset_time: Millis,
    /// Failure reports about this node from primaries. Not persisted.
    pub failure_reports: Vec<FailureReport>,
}

impl Node {
    /// A node with `id` and everything else empty: no flags (`noflags`),
    /// no address, epoch 0, disconnected. This is what Redis creates for a
    /// node it only knows by name.
    pub fn new(id: NodeId) -> Node {
        Node {
            id,
            primary: None,
            ip: String::new(),
            port: 0,
            cport: 0,
            pport: 0,
            hostname: String::new(),
            flags: NodeFlags::empty(),
            config_epoch: Epoch(0),
            ping_sent: Millis(0),
            pong_received: Millis(0),
            link: LinkState::Disconnected,
            created: Millis(0),
            data_received: Millis(0),
            fail_time: Millis(0),
            voted_time: Millis(0),
            orphaned_time: Millis(0),
            repl_offset: 0,
            repl_offset_time: Millis(0),
            failure_reports: Vec::new(),
        }
    }

    /// The node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The primary this node replicates, if known.
    pub fn primary(&self) -> Option<NodeId> {
        self.primary
    }

    /// Flagged `master`.
    pub fn is_primary(&self) -> bool {
        self.flags.contains(NodeFlags::PRIMARY)
    }

    /// Flagged `slave`.
    pub fn is_replica(&self) -> bool {
        self.flags.contains(NodeFlags::REPLICA)
    }

    /// Flagged `myself`.
    pub fn is_myself(&self) -> bool {
        self.flags.contains(NodeFlags::MYSELF)
    }

    /// Flagged `fail`.
    pub fn is_failed(&self) -> bool {
        self.flags.contains(NodeFlags::FAIL)
    }

    /// Flagged `fail?`.
    pub fn is_timed_out(&self) -> bool {
        self.flags.contains(NodeFlags::PFAIL)
    }

    /// Flagged `handshake`.
    pub fn in_handshake(&self) -> bool {
        self.flags.contains(NodeFlags::HANDSHAKE)
    }

    /// Drops failure reports older than `validity_ms` (Redis uses twice the
    /// node timeout).
    pub fn prune_failure_reports(&mut self, now: Millis, validity_ms: u64) {
        self.failure_reports
            .retain(|r| now.0.saturating_sub(r.time.0) <= validity_ms);
    }

    /// Adds a report from `reporter`, or refreshes its time. Returns true if
    /// the report is new.
    pub fn add_failure_report(&mut self, reporter: NodeId, now: Millis) -> bool {
        if let Some(r) = self
            .failure_reports
            .iter_mut()
            .find(|r| r.reporter == reporter)
        {
            r.time = now;
            false
        } else {
            self.failure_reports.push(FailureReport {
                reporter,
                time: now,
            });
            true
        }
    }

    /// Removes the report from `reporter`. Returns true if there was one.
    pub fn remove_failure_report(&mut self, reporter: &NodeId) -> bool {
        let before = self.failure_reports.len();
        self.failure_reports.retain(|r| r.reporter != *reporter);
        self.failure_reports.len() != before
    }
}

/// Every node's slot runs, by table position
/// ([`ClusterView::slot_ranges_by_position`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct RangesByPosition {
    ranges: Vec<SlotRange>,
    spans: Vec<(u32, u32)>,
}

impl RangesByPosition {
    /// The runs of the node at `pos`, ascending (empty past the table).
    pub(crate) fn of(&self, pos: usize) -> &[SlotRange] {
        self.spans
            .get(pos)
            .map_or(&[][..], |&(a, b)| &self.ranges[a as usize..b as usize])
    }
}

/// The cluster state as CLUSTER INFO prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClusterState {
    /// Serving queries.
    Ok,
    /// Refusing keyed queries (a fresh node starts here).
    #[default]
    Fail,
}

impl ClusterState {
    /// `ok` or `fail`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterState::Ok => "ok",
            ClusterState::Fail => "fail",
        }
    }
}

/// A slot this node is moving: the migrating/importing marks of
/// CLUSTER SETSLOT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenSlot {
    /// Keys of the slot are moving from here to this node.
    Migrating(NodeId),
    /// Keys of the slot are moving from this node to here.
    Importing(NodeId),
}

/// The slot-coverage and majority part of Redis's state computation
/// (spec 3.13, rule 2), without its timing rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StateAssessment {
    /// The state the rules ask for before the writable and rejoin delays.
    pub state: ClusterState,
    /// Primaries serving at least one slot (the cluster size).
    pub size: usize,
    /// Primaries with slots that are neither FAIL nor PFAIL.
    pub reachable_primaries: usize,
    /// True when `reachable_primaries < size / 2 + 1` (this node is with the
    /// minority).
    pub in_minority: bool,
}

/// Why a view operation was refused. The view is unchanged in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewError {
    /// No node has this id.
    #[error("unknown node {0}")]
    UnknownNode(NodeId),
    /// A node with this id is already in the table.
    #[error("node {0} is already known")]
    DuplicateNode(NodeId),
    /// The operation cannot apply to the local node (delete it, make it its
    /// own primary...).
    #[error("operation not allowed on myself")]
    Myself,
    /// A second node flagged `myself` was offered.
    #[error("node {0} claims to be myself")]
    SecondMyself(NodeId),
    /// The slot already has an owner.
    #[error("slot {0} is already assigned")]
    SlotBusy(Slot),
    /// The node table is full (more than 65534 nodes).
    #[error("node table is full")]
    TableFull,
}

/// This node's picture of the cluster.
///
/// Invariants (checked by the methods, relied on by the renderers):
/// exactly one node is flagged `myself` and it is [`ClusterView::myself_id`];
/// node ids are unique; every slot owner, migration target and import
/// source is in the table; a node's `primary`, if set, is in the table.
#[derive(Clone, PartialEq, Eq)]
pub struct ClusterView {
    myself: NodeId,
    /// The cluster-wide logical clock. Persisted (`vars` line).
    pub current_epoch: Epoch,
    /// The epoch this node last voted in. Persisted (`vars` line).
    pub last_vote_epoch: Epoch,
    /// The state CLUSTER INFO reports and routing obeys; the state machine
    /// sets it (see [`ClusterView::assess_state`]). Not persisted.
    pub state: ClusterState,
    /// The cluster size last computed with the state (1 on a fresh node, as
    /// in Redis). Not persisted.
    pub size: usize,
    nodes: Vec<Node>,
    /// Node id → position in `nodes`. Only looked up, never iterated in
    /// an order that matters, so a hash map with a fixed seed: lookups run
    /// for every gossip entry and every node the cron visits.
    index: IdMap<usize>,
    owners: SlotTable,
    owned_counts: Vec<usize>,
    migrating_to: SlotTable,
    importing_from: SlotTable,
    not_claimed: SlotBitmap,
}

impl ClusterView {
    /// A view holding only `myself`, which gets the `myself` flag. Epochs
    /// 0, state fail, size 1.
    pub fn new(mut myself: Node) -> ClusterView {
        myself.flags.insert(NodeFlags::MYSELF);
        myself.primary = None;
        let id = myself.id;
        let mut index = IdMap::default();
        index.insert(id, 0);
        ClusterView {
            myself: id,
            current_epoch: Epoch(0),
            last_vote_epoch: Epoch(0),
            state: ClusterState::Fail,
            size: 1,
            nodes: vec![myself],
            index,
            owners: SlotTable::new(),
            owned_counts: vec![0],
            migrating_to: SlotTable::new(),
            importing_from: SlotTable::new(),
            not_claimed: SlotBitmap::new(),
        }
    }

    /// A view whose table is `nodes` in this order, `nodes[myself]` being
    /// the local node (the nodes.conf loader keeps the file's order).
    /// Primary links are dropped and no slot is assigned. Ids must be
    /// unique and only `nodes[myself]` may carry the `myself` flag.
    pub(crate) fn with_table(nodes: Vec<Node>, myself: usize) -> Result<ClusterView, ViewError> {
        let mut view = ClusterView::new(Node::new(nodes[myself].id));
        view.nodes.clear();
        view.index.clear();
        view.owned_counts.clear();
        for (i, mut n) in nodes.into_iter().enumerate() {
            if i == myself {
                n.flags.insert(NodeFlags::MYSELF);
                n.primary = None;
                view.index.insert(n.id, view.nodes.len());
                view.nodes.push(n);
                view.owned_counts.push(0);
            } else {
                view.add_node(n)?;
            }
        }
        Ok(view)
    }

    /// The view of a node starting without nodes.conf: one primary named
    /// `id`, address unknown, created at `now`.
    pub fn fresh(id: NodeId, now: Millis) -> ClusterView {
        let mut n = Node::new(id);
        n.flags = NodeFlags::MYSELF | NodeFlags::PRIMARY;
        n.created = now;
        ClusterView::new(n)
    }

    // ---- the node table ----

    /// True when `other` routes every command as `self` does: the same
    /// state, slot owners, migrations and imports, and the same nodes at
    /// the same addresses in the same roles. The liveness bookkeeping
    /// (ping and pong times, links, failure reports, offsets) is left out:
    /// it changes with every message and routing never reads it.
    pub fn routes_like(&self, other: &ClusterView) -> bool {
        let same_node = |a: &Node, b: &Node| {
            a.id == b.id
                && a.primary == b.primary
                && a.ip == b.ip
                && a.port == b.port
                && a.cport == b.cport
                && a.pport == b.pport
                && a.hostname == b.hostname
                && a.flags == b.flags
                && a.config_epoch == b.config_epoch
        };
        self.myself == other.myself
            && self.state == other.state
            && self.size == other.size
            && self.current_epoch == other.current_epoch
            && self.owners == other.owners
            && self.migrating_to == other.migrating_to
            && self.importing_from == other.importing_from
            && self.nodes.len() == other.nodes.len()
            && self
                .nodes
                .iter()
                .zip(&other.nodes)
                .all(|(a, b)| same_node(a, b))
    }

    /// The local node's id.
    pub fn myself_id(&self) -> NodeId {
        self.myself
    }

    /// The local node.
    pub fn myself(&self) -> &Node {
        &self.nodes[self.index[&self.myself]]
    }

    /// The local node, mutable.
    pub fn myself_mut(&mut self) -> &mut Node {
        let i = self.index[&self.myself];
        &mut self.nodes[i]
    }

    /// The node with `id`.
    pub fn node(&self, id: &NodeId) -> Option<&Node> {
        self.index.get(id).map(|&i| &self.nodes[i])
    }

    /// The node with `id`, mutable.
    pub fn node_mut(&mut self, id: &NodeId) -> Option<&mut Node> {
        self.index.get(id).map(|&i| &mut self.nodes[i])
    }

    /// The position of the node with `id` in table order (the order of
    /// [`ClusterView::nodes`]).
    pub fn position(&self, id: &NodeId) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// True when a node has this id.
    pub fn contains(&self, id: &NodeId) -> bool {
        self.index.contains_key(id)
    }

    /// Looks a node up by a name given as raw bytes (a command argument or a
    /// wire field). Like Redis, a name that is not 40 characters of `a-z0-9`
    /// finds nothing.
    pub fn lookup(&self, name: &[u8]) -> Option<&Node> {
        if name.len() != NODE_ID_LEN {
            return None;
        }
        NodeId::parse(name).ok().and_then(|id| self.node(&id))
    }

    /// All nodes in table order (handshake nodes included).
    pub fn nodes(&self) -> impl Iterator<Item = &Node> + '_ {
        self.nodes.iter()
    }

    /// All nodes in table order, mutable.
    pub fn nodes_mut(&mut self) -> impl Iterator<Item = &mut Node> + '_ {
        self.nodes.iter_mut()
    }

    /// Number of known nodes, myself and handshake nodes included (CLUSTER
    /// INFO's `cluster_known_nodes`).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Adds `node` at the end of the table. Its primary link is dropped
    /// (attach it afterwards with [`ClusterView::attach_replica`]).
    pub fn add_node(&mut self, mut node: Node) -> Result<(), ViewError> {
        if self.index.contains_key(&node.id) {
            return Err(ViewError::DuplicateNode(node.id));
        }
        if node.is_myself() {
            return Err(ViewError::SecondMyself(node.id));
        }
        if self.nodes.len() > SlotTable::MAX_INDEX {
            return Err(ViewError::TableFull);
        }
        node.primary = None;
        self.index.insert(node.id, self.nodes.len());
        self.nodes.push(node);
        self.owned_counts.push(0);
        Ok(())
    }

    /// Deletes a node the way Redis does when it forgets one: its slots
    /// become unassigned, migrations to or from it are closed, its failure
    /// reports about other nodes are dropped, its replicas lose their
    /// primary (they keep the `slave` flag), and it leaves its primary's
    /// replica list. Returns the removed node. Refuses myself.
    pub fn remove_node(&mut self, id: &NodeId) -> Result<Node, ViewError> {
        let &pos = self.index.get(id).ok_or(ViewError::UnknownNode(*id))?;
        if *id == self.myself {
            return Err(ViewError::Myself);
        }
        // Leave the primary's replica list first, while the link is intact.
        if self.nodes[pos].is_replica() && self.nodes[pos].primary.is_some() {
            self.detach_replica(id);
        }
        for other in self.nodes.iter_mut() {
            if other.primary == Some(*id) {
                other.primary = None;
            }
            other.remove_failure_report(id);
        }
        self.owners.forget_index(pos);
        self.migrating_to.forget_index(pos);
        self.importing_from.forget_index(pos);
        self.owned_counts.remove(pos);
        let node = self.nodes.remove(pos);
        self.index.remove(id);
        for v in self.index.values_mut() {
            if *v > pos {
                *v -= 1;
            }
        }
        Ok(node)
    }

    /// Gives node `old` the id `new` (a handshake node learning the real
    /// name of its peer; a hard reset renaming myself). References to it
    /// (replicas' primary, failure reports) follow. Slots and migrations
    /// stay with the node.
    pub fn rename_node(&mut self, old: &NodeId, new: NodeId) -> Result<(), ViewError> {
        let &pos = self.index.get(old).ok_or(ViewError::UnknownNode(*old))?;
        if *old == new {
            return Ok(());
        }
        if self.index.contains_key(&new) {
            return Err(ViewError::DuplicateNode(new));
        }
        self.index.remove(old);
        self.index.insert(new, pos);
        self.nodes[pos].id = new;
        for n in self.nodes.iter_mut() {
            if n.primary == Some(*old) {
                n.primary = Some(new);
            }
            for r in n.failure_reports.iter_mut() {
                if r.reporter == *old {
                    r.reporter = new;
                }
            }
        }
        if self.myself == *old {
            self.myself = new;
        }
        Ok(())
    }

    /// Starts a handshake with `ip:port@cport` (CLUSTER MEET, after the
    /// address was validated and normalised): adds a node named
    /// `placeholder` flagged `handshake` and MEET, created at `now`.
    /// Returns false, and adds nothing, when a handshake with the same
    /// address is already in progress (IP compared ignoring ASCII case).
    pub fn start_handshake(
        &mut self,
        ip: &str,
        port: u16,
        cport: u16,
        placeholder: NodeId,
        now: Millis,
    ) -> Result<bool, ViewError> {
        let pending = self.nodes.iter().any(|n| {
            n.in_handshake() && n.ip.eq_ignore_ascii_case(ip) && n.port == port && n.cport == cport
        });
        if pending {
            return Ok(false);
        }
        let mut n = Node::new(placeholder);
        n.flags = NodeFlags::HANDSHAKE | NodeFlags::MEET;
        n.ip = ip.to_string();
        n.port = port;
        n.cport = cport;
        n.created = now;
        self.add_node(n)?;
        Ok(true)
    }

    // ---- roles ----

    /// The replicas of `primary` (nodes whose primary it is), in table
    /// order. Redis lists them in the order they attached; the two orders
    /// agree for a view loaded from nodes.conf.
    pub fn replicas_of<'a>(&'a self, primary: &'a NodeId) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes
            .iter()
            .filter(move |n| n.primary.as_ref() == Some(primary))
    }

    /// Number of replicas of `primary`.
    pub fn replica_count(&self, primary: &NodeId) -> usize {
        self.replicas_of(primary).count()
    }

    /// For every node, in table order, how many of its replicas pass
    /// `counted`: [`ClusterView::replicas_of`] filtered and counted for all
    /// nodes at once, in one pass instead of one pass per primary.
    pub fn replica_counts(&self, mut counted: impl FnMut(&Node) -> bool) -> Vec<usize> {
        let mut counts = vec![0; self.nodes.len()];
        for n in &self.nodes {
            if let Some(p) = n.primary.and_then(|p| self.index.get(&p)) {
                if counted(n) {
                    counts[*p] += 1;
                }
            }
        }
        counts
    }

    /// Records that `replica` replicates `primary` (Redis's "add slave"):
    /// leaves its previous primary first, sets MIGRATE_TO on `primary`.
    /// Role flags are left to the caller.
    pub fn attach_replica(&mut self, replica: &NodeId, primary: &NodeId) -> Result<(), ViewError> {
        if !self.contains(primary) {
            return Err(ViewError::UnknownNode(*primary));
        }
        if !self.contains(replica) {
            return Err(ViewError::UnknownNode(*replica));
        }
        if replica == primary {
            return Err(ViewError::Myself);
        }
        if self.node(replica).and_then(|n| n.primary) == Some(*primary) {
            return Ok(());
        }
        self.detach_replica(replica);
        self.node_mut(replica).expect("checked above").primary = Some(*primary);
        self.node_mut(primary)
            .expect("checked above")
            .flags
            .insert(NodeFlags::MIGRATE_TO);
        Ok(())
    }

    /// Forgets whom `replica` replicates (Redis's "remove slave"); the old
    /// primary loses MIGRATE_TO when this was its last replica. Returns the
    /// old primary.
    pub fn detach_replica(&mut self, replica: &NodeId) -> Option<NodeId> {
        let old = self.node_mut(replica)?.primary.take()?;
        if self.replica_count(&old) == 0 {
            if let Some(p) = self.node_mut(&old) {
                p.flags.remove(NodeFlags::MIGRATE_TO);
            }
        }
        Some(old)
    }

    /// Turns a node into a primary (Redis's "set node as master"): nothing
    /// if it is already flagged `master`; otherwise it leaves its primary
    /// (and, unless it is myself, becomes a replica-migration target),
    /// loses `slave` and gains `master`.
    pub fn set_node_as_primary(&mut self, id: &NodeId) -> Result<(), ViewError> {
        let node = self.node(id).ok_or(ViewError::UnknownNode(*id))?;
        if node.is_primary() {
            return Ok(());
        }
        let had_primary = node.primary.is_some();
        if had_primary {
            self.detach_replica(id);
        }
        let is_myself = *id == self.myself;
        let n = self.node_mut(id).expect("checked above");
        if had_primary && !is_myself {
            n.flags.insert(NodeFlags::MIGRATE_TO);
        }
        n.flags.remove(NodeFlags::REPLICA);
        n.flags.insert(NodeFlags::PRIMARY);
        n.primary = None;
        Ok(())
    }

    /// Makes myself a replica of `primary`, the view part of Redis's "set
    /// master" (CLUSTER REPLICATE, losing the last slot): a primary myself
    /// loses `master`/MIGRATE_TO, gains `slave` and closes all its open
    /// slots; a replica myself just changes primary. Myself must own no
    /// slots (asserted: every caller checks it first).
    pub fn set_myself_replica_of(&mut self, primary: &NodeId) -> Result<(), ViewError> {
        if *primary == self.myself {
            return Err(ViewError::Myself);
        }
        if !self.contains(primary) {
            return Err(ViewError::UnknownNode(*primary));
        }
        let me = self.myself;
        assert_eq!(
            self.slot_count_of(&me),
            0,
            "a node with slots cannot become a replica"
        );
        if self.myself().is_primary() {
            let m = self.myself_mut();
            m.flags.remove(NodeFlags::PRIMARY | NodeFlags::MIGRATE_TO);
            m.flags.insert(NodeFlags::REPLICA);
            self.close_all_slots();
        }
        self.attach_replica(&me, primary)
    }

    // ---- slots ----

    /// The node owning `slot`.
    pub fn slot_owner(&self, slot: Slot) -> Option<&Node> {
        self.owners.get(slot).map(|i| &self.nodes[i])
    }

    /// The id of the node owning `slot`.
    pub fn slot_owner_id(&self, slot: Slot) -> Option<NodeId> {
        self.slot_owner(slot).map(|n| n.id)
    }

    /// True when `id` owns `slot`.
    pub fn owns_slot(&self, id: &NodeId, slot: Slot) -> bool {
        self.owners
            .get(slot)
            .is_some_and(|i| self.nodes[i].id == *id)
    }

    /// True when myself owns `slot`.
    pub fn i_own_slot(&self, slot: Slot) -> bool {
        self.owns_slot(&self.myself, slot)
    }

    /// Gives an unassigned `slot` to `id` (Redis's "add slot": refused if the
    /// slot has an owner).
    pub fn assign_slot(&mut self, slot: Slot, id: &NodeId) -> Result<(), ViewError> {
        let &pos = self.index.get(id).ok_or(ViewError::UnknownNode(*id))?;
        if self.owners.get(slot).is_some() {
            return Err(ViewError::SlotBusy(slot));
        }
        self.owners.set(slot, Some(pos));
        self.owned_counts[pos] += 1;
        Ok(())
    }

    /// Makes `slot` unassigned; returns its previous owner.
    pub fn unassign_slot(&mut self, slot: Slot) -> Option<NodeId> {
        let pos = self.owners.get(slot)?;
        self.owners.set(slot, None);
        self.owned_counts[pos] -= 1;
        Some(self.nodes[pos].id)
    }

    /// Moves `slot` to `id` whoever owned it (unassign, then assign).
    pub fn reassign_slot(&mut self, slot: Slot, id: &NodeId) -> Result<(), ViewError> {
        if !self.contains(id) {
            return Err(ViewError::UnknownNode(*id));
        }
        self.unassign_slot(slot);
        self.assign_slot(slot, id)
    }

    /// Unassigns every slot of `id`; returns how many it had.
    pub fn unassign_slots_of(&mut self, id: &NodeId) -> usize {
        let Some(&pos) = self.index.get(id) else {
            return 0;
        };
        let slots: Vec<Slot> = self.owners.slots_with(pos).collect();
        for &s in &slots {
            self.unassign_slot(s);
        }
        slots.len()
    }

    /// Number of slots `id` owns.
    pub fn slot_count_of(&self, id: &NodeId) -> usize {
        self.index.get(id).map_or(0, |&i| self.owned_counts[i])
    }

    /// The node at table position `pos`, with the number of slots it owns.
    pub fn node_at(&self, pos: usize) -> Option<(&Node, usize)> {
        Some((self.nodes.get(pos)?, self.owned_counts[pos]))
    }

    /// The node at table position `pos`, mutable.
    pub fn node_at_mut(&mut self, pos: usize) -> Option<&mut Node> {
        self.nodes.get_mut(pos)
    }

    /// Every node in table order with the number of slots it owns.
    pub fn nodes_with_slot_counts(&self) -> impl Iterator<Item = (&Node, usize)> + '_ {
        self.nodes.iter().zip(self.owned_counts.iter().copied())
    }

    /// Number of slots with an owner.
    pub fn assigned_slot_count(&self) -> usize {
        self.owned_counts.iter().sum()
    }

    /// The slots of `id` as maximal ascending runs.
    pub fn slot_ranges_of(&self, id: &NodeId) -> Vec<SlotRange> {
        match self.index.get(id) {
            Some(&pos) if self.owned_counts[pos] > 0 => ranges_of(self.owners.slots_with(pos)),
            _ => Vec::new(),
        }
    }

    /// Every node's slots as maximal ascending runs, from one pass over the
    /// slot table (nodes without slots are absent).
    pub fn slot_ranges_by_node(&self) -> BTreeMap<NodeId, Vec<SlotRange>> {
        let mut out: BTreeMap<NodeId, Vec<SlotRange>> = BTreeMap::new();
        for (range, owner) in self.owned_ranges() {
            out.entry(owner).or_default().push(range);
        }
        out
    }

    /// Every node's slots as maximal ascending runs, by table position
    /// (shorter than the table when the last nodes own nothing).
    pub(crate) fn slot_ranges_by_position(&self) -> RangesByPosition {
        let runs = self.owned_runs();
        // Counting sort by position: two allocations, whatever the number
        // of owners.
        let mut spans = vec![(0u32, 0u32); self.nodes.len()];
        let mut counts = vec![0u32; self.nodes.len()];
        for &(_, pos) in &runs {
            counts[pos] += 1;
        }
        let mut next = 0;
        for (span, count) in spans.iter_mut().zip(&counts) {
            *span = (next, next + count);
            next += count;
        }
        let mut ranges = vec![SlotRange::single(crate::slots::slot_unchecked(0)); runs.len()];
        let mut fill: Vec<u32> = spans.iter().map(|s| s.0).collect();
        for (range, pos) in runs {
            ranges[fill[pos] as usize] = range;
            fill[pos] += 1;
        }
        RangesByPosition { ranges, spans }
    }

    /// A number that changes whenever slot ownership (or the node
    /// positions it refers to) changes: bitmaps computed under one
    /// generation stay valid until it moves.
    pub fn slots_generation(&self) -> u64 {
        self.owners.generation()
    }

    /// A number that changes whenever the slots of `id` (or its position)
    /// may have changed: its bitmap can be kept while this stays the same.
    pub fn slots_version_of(&self, id: &NodeId) -> Option<u64> {
        self.index.get(id).map(|&pos| self.owners.version_of(pos))
    }

    /// True when `claimed` (bus bitmap bytes) holds exactly the slots of
    /// `id` (none if `id` is unknown): `slot_bitmap_of(id)` compared with
    /// `claimed`, without building it.
    pub fn owns_exactly(&self, id: &NodeId, claimed: &[u8; SLOT_COUNT / 8]) -> bool {
        let (pos, count) = match self.index.get(id) {
            Some(&pos) => (pos, self.owned_counts[pos]),
            None => (usize::MAX, 0),
        };
        let mut seen = 0;
        for (byte, &bits) in claimed.iter().enumerate() {
            if bits == 0 {
                continue;
            }
            for bit in 0..8 {
                if bits & (1 << bit) == 0 {
                    continue;
                }
                let slot = crate::slots::slot_unchecked((byte * 8 + bit) as u16);
                if self.owners.get(slot) != Some(pos) {
                    return false;
                }
                seen += 1;
            }
        }
        seen == count
    }

    /// The slots of `id` as a bus bitmap.
    pub fn slot_bitmap_of(&self, id: &NodeId) -> SlotBitmap {
        match self.index.get(id) {
            Some(&pos) if self.owned_counts[pos] > 0 => SlotBitmap(self.owners.bitmap_of(pos)),
            _ => SlotBitmap::new(),
        }
    }

    /// Every assigned slot as maximal runs of one owner, in slot order (the
    /// rows of CLUSTER SLOTS).
    pub fn owned_ranges(&self) -> Vec<(SlotRange, NodeId)> {
        self.owned_runs()
            .into_iter()
            .map(|(r, p)| (r, self.nodes[p].id))
            .collect()
    }

    /// [`ClusterView::owned_ranges`] with owners as table positions.
    fn owned_runs(&self) -> Vec<(SlotRange, usize)> {
        let mut out: Vec<(SlotRange, usize)> = Vec::new();
        for (slot, pos) in self.owners.entries() {
            match out.last_mut() {
                Some((r, p)) if *p == pos && r.end.get() + 1 == slot.get() => r.end = slot,
                _ => out.push((SlotRange::single(slot), pos)),
            }
        }
        out
    }

    /// True when the owner of `slot` stopped claiming it in its messages
    /// (Redis's "owner not claiming slot" bit; spec 3.9).
    pub fn owner_not_claiming(&self, slot: Slot) -> bool {
        self.not_claimed.contains(slot)
    }

    /// The slots whose "owner not claiming" bit is set, as maximal runs.
    pub fn not_claiming_ranges(&self) -> Vec<SlotRange> {
        self.not_claimed.ranges()
    }

    /// Sets or clears the "owner not claiming" bit of `slot`.
    pub fn set_owner_not_claiming(&mut self, slot: Slot, on: bool) {
        if on {
            self.not_claimed.insert(slot)
        } else {
            self.not_claimed.remove(slot)
        }
    }

    /// True when `slot` is free for any claimant: unassigned, or its owner
    /// is not claiming it.
    pub fn slot_unclaimed(&self, slot: Slot) -> bool {
        self.owners.get(slot).is_none() || self.owner_not_claiming(slot)
    }

    // ---- migrations ----

    /// Where `slot` is migrating to, if this node is migrating it.
    pub fn migrating_to(&self, slot: Slot) -> Option<NodeId> {
        self.migrating_to.get(slot).map(|i| self.nodes[i].id)
    }

    /// Where `slot` is imported from, if this node is importing it.
    pub fn importing_from(&self, slot: Slot) -> Option<NodeId> {
        self.importing_from.get(slot).map(|i| self.nodes[i].id)
    }

    /// Sets (or clears, with `None`) the migration target of `slot`.
    pub fn set_migrating(&mut self, slot: Slot, to: Option<&NodeId>) -> Result<(), ViewError> {
        let pos = self.position_of(to)?;
        self.migrating_to.set(slot, pos);
        Ok(())
    }

    /// Sets (or clears, with `None`) the import source of `slot`.
    pub fn set_importing(&mut self, slot: Slot, from: Option<&NodeId>) -> Result<(), ViewError> {
        let pos = self.position_of(from)?;
        self.importing_from.set(slot, pos);
        Ok(())
    }

    /// Clears every migrating and importing mark.
    pub fn close_all_slots(&mut self) {
        self.migrating_to.clear();
        self.importing_from.clear();
    }

    /// True when some slot has a migrating or importing mark.
    pub fn has_open_slots(&self) -> bool {
        !(self.migrating_to.is_empty() && self.importing_from.is_empty())
    }

    /// Slots with a migration mark, ascending, as CLUSTER NODES prints them
    /// on the `myself` line: migrating wins when a slot has both marks.
    pub fn open_slots(&self) -> Vec<(Slot, OpenSlot)> {
        let mut out = Vec::new();
        for slot in all_slots() {
            if let Some(to) = self.migrating_to(slot) {
                out.push((slot, OpenSlot::Migrating(to)));
            } else if let Some(from) = self.importing_from(slot) {
                out.push((slot, OpenSlot::Importing(from)));
            }
        }
        out
    }

    fn position_of(&self, id: Option<&NodeId>) -> Result<Option<usize>, ViewError> {
        match id {
            None => Ok(None),
            Some(id) => self
                .index
                .get(id)
                .map(|&p| Some(p))
                .ok_or(ViewError::UnknownNode(*id)),
        }
    }

    // ---- epochs ----

    /// The configEpoch the texts print for `node`: its primary's for a
    /// replica with a known primary, else its own.
    pub fn effective_config_epoch(&self, node: &Node) -> Epoch {
        match node.primary {
            Some(p) if node.is_replica() => {
                self.node(&p).map_or(node.config_epoch, |p| p.config_epoch)
            }
            _ => node.config_epoch,
        }
    }

    /// The greatest configEpoch of any node, or `current_epoch` if larger.
    pub fn max_config_epoch(&self) -> Epoch {
        self.nodes
            .iter()
            .map(|n| n.config_epoch)
            .max()
            .unwrap_or_default()
            .max(self.current_epoch)
    }

    /// Redis's bump without consensus: if myself's configEpoch is 0 or is not
    /// the greatest epoch known, `current_epoch += 1` and myself takes it.
    /// Returns true when it bumped (the caller must then save nodes.conf
    /// with fsync before anything leaves).
    pub fn bump_config_epoch_without_consensus(&mut self) -> bool {
        let max = self.max_config_epoch();
        let mine = self.myself().config_epoch;
        if mine == Epoch(0) || mine != max {
            self.current_epoch = Epoch(self.current_epoch.0 + 1);
            let e = self.current_epoch;
            self.myself_mut().config_epoch = e;
            true
        } else {
            false
        }
    }

    // ---- state ----

    /// Primaries (flagged `master`) serving at least one slot.
    pub fn primaries_with_slots(&self) -> usize {
        self.nodes
            .iter()
            .zip(&self.owned_counts)
            .filter(|(n, &c)| n.is_primary() && c > 0)
            .count()
    }

    /// Applies the coverage and majority rules of the state computation
    /// (spec 3.13, rule 2). The caller adds the writable delay and the
    /// rejoin delay, then stores `state` and `size` in the view.
    pub fn assess_state(&self, require_full_coverage: bool) -> StateAssessment {
        let mut state = ClusterState::Ok;
        // "Some slot has no owner or a FAIL owner", counted per node rather
        // than per slot: this runs at every cron while the state is fail.
        if require_full_coverage
            && (self.assigned_slot_count() < SLOT_COUNT
                || self
                    .nodes
                    .iter()
                    .zip(&self.owned_counts)
                    .any(|(n, &c)| c > 0 && n.is_failed()))
        {
            state = ClusterState::Fail;
        }
        let mut size = 0;
        let mut reachable = 0;
        for (n, &count) in self.nodes.iter().zip(&self.owned_counts) {
            if n.is_primary() && count > 0 {
                size += 1;
                if !n.flags.intersects(NodeFlags::FAIL | NodeFlags::PFAIL) {
                    reachable += 1;
                }
            }
        }
        let in_minority = reachable < size / 2 + 1;
        if in_minority {
            state = ClusterState::Fail;
        }
        StateAssessment {
            state,
            size,
            reachable_primaries: reachable,
            in_minority,
        }
    }

    // ---- reset ----

    /// The view part of CLUSTER RESET (Redis's reset): myself becomes a
    /// primary, open slots close, every slot is unassigned and every other
    /// node forgotten. With `hard_reset_id`, also zero the epochs and rename
    /// myself to that id. Returns true if myself was a replica (the caller
    /// must stop replicating and empty the dataset).
    pub fn reset(&mut self, hard_reset_id: Option<NodeId>) -> bool {
        let me = self.myself;
        let was_replica = self.myself().is_replica();
        if was_replica {
            self.set_node_as_primary(&me)
                .expect("myself is always in the table");
        }
        self.close_all_slots();
        for slot in all_slots() {
            self.unassign_slot(slot);
        }
        let others: Vec<NodeId> = self
            .nodes
            .iter()
            .map(|n| n.id)
            .filter(|id| *id != me)
            .collect();
        for id in others {
            self.remove_node(&id)
                .expect("listed from the table, not myself");
        }
        if let Some(new_id) = hard_reset_id {
            self.current_epoch = Epoch(0);
            self.last_vote_epoch = Epoch(0);
            self.myself_mut().config_epoch = Epoch(0);
            self.rename_node(&me, new_id)
                .expect("myself is alone in the table, so the new id is free");
        }
        was_replica
    }

    /// Asserts the view's invariants (for tests and debug builds).
    pub fn check_invariants(&self) {
        assert_eq!(self.nodes.len(), self.index.len());
        assert_eq!(self.nodes.len(), self.owned_counts.len());
        let mut myselves = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            assert_eq!(self.index.get(&n.id), Some(&i), "index of {}", n.id);
            if n.is_myself() {
                myselves += 1;
                assert_eq!(n.id, self.myself);
            }
            if let Some(p) = n.primary {
                assert!(self.contains(&p), "primary {p} of {} is unknown", n.id);
            }
            assert_eq!(self.owners.slots_with(i).count(), self.owned_counts[i]);
        }
        assert_eq!(myselves, 1);
    }
}

/// A summary: nodes with their ranges, and the open slots. (The full slot
/// tables would be 16384 lines.)
impl fmt::Debug for ClusterView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "ClusterView {{ myself: {}, current_epoch: {}, last_vote_epoch: {}, state: {:?}, size: {}",
            self.myself, self.current_epoch, self.last_vote_epoch, self.state, self.size
        )?;
        for n in &self.nodes {
            let ranges: Vec<String> = self
                .slot_ranges_of(&n.id)
                .iter()
                .map(|r| r.to_string())
                .collect();
            writeln!(f, "  {n:?} slots=[{}]", ranges.join(" "))?;
        }
        writeln!(f, "  open slots: {:?}", self.open_slots())?;
        let not_claimed: Vec<String> = ranges_of(self.not_claimed.iter())
            .iter()
            .map(|r| r.to_string())
            .collect();
        write!(f, "  not claimed: [{}] }}", not_claimed.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
    }

    fn s(n: u16) -> Slot {
        Slot::new(n).unwrap()
    }

    fn primary(c: char) -> Node {
        let mut n = Node::new(id(c));
        n.flags = NodeFlags::PRIMARY;
        n
    }

    fn three_primaries() -> ClusterView {
        let mut v = ClusterView::fresh(id('a'), Millis(0));
        v.add_node(primary('b')).unwrap();
        v.add_node(primary('c')).unwrap();
        for n in 0..5461 {
            v.assign_slot(s(n), &id('a')).unwrap();
        }
        for n in 5461..10923 {
            v.assign_slot(s(n), &id('b')).unwrap();
        }
        for n in 10923..16384 {
            v.assign_slot(s(n), &id('c')).unwrap();
        }
        v
    }

    #[test]
    fn liveness_updates_do_not_change_routing_but_slot_moves_do() {
        let v = three_primaries();
        let mut pinged = v.clone();
        let b = pinged.node_mut(&id('b')).unwrap();
        b.ping_sent = Millis(10);
        b.pong_received = Millis(20);
        b.data_received = Millis(20);
        assert!(pinged != v && pinged.routes_like(&v));
        let mut moved = v.clone();
        moved.unassign_slot(s(0));
        moved.assign_slot(s(0), &id('b')).unwrap();
        assert!(!moved.routes_like(&v));
        let mut failed = v.clone();
        failed.node_mut(&id('c')).unwrap().flags |= NodeFlags::FAIL;
        assert!(!failed.routes_like(&v));
    }

    #[test]
    fn flags_print_in_redis_order() {
        let f = NodeFlags::NOFAILOVER | NodeFlags::REPLICA | NodeFlags::MYSELF | NodeFlags::MEET;
        assert_eq!(flags_text(f), "myself,slave,nofailover");
        assert_eq!(flags_text(NodeFlags::empty()), "noflags");
        assert_eq!(flags_text(NodeFlags::MIGRATE_TO), "noflags");
        assert_eq!(flag_by_name("FAIL?"), Some(NodeFlags::PFAIL));
        assert_eq!(flag_by_name("meet"), None);
    }

    #[test]
    fn removing_a_node_frees_its_slots_and_detaches_replicas() {
        let mut v = three_primaries();
        let mut r = Node::new(id('d'));
        r.flags = NodeFlags::REPLICA;
        v.add_node(r).unwrap();
        v.attach_replica(&id('d'), &id('b')).unwrap();
        assert!(v
            .node(&id('b'))
            .unwrap()
            .flags
            .contains(NodeFlags::MIGRATE_TO));
        v.set_migrating(s(1), Some(&id('b'))).unwrap();
        v.set_importing(s(6000), Some(&id('c'))).unwrap();
        v.node_mut(&id('c'))
            .unwrap()
            .add_failure_report(id('b'), Millis(5));

        let removed = v.remove_node(&id('b')).unwrap();
        assert_eq!(removed.id(), id('b'));
        v.check_invariants();
        assert_eq!(v.slot_owner_id(s(6000)), None);
        assert_eq!(v.slot_owner_id(s(16000)), Some(id('c')));
        assert_eq!(v.migrating_to(s(1)), None);
        assert_eq!(v.importing_from(s(6000)), Some(id('c')));
        assert_eq!(v.node(&id('d')).unwrap().primary(), None);
        assert!(v.node(&id('d')).unwrap().is_replica());
        assert!(v.node(&id('c')).unwrap().failure_reports.is_empty());
        assert_eq!(v.assigned_slot_count(), 16384 - 5462);
        assert_eq!(v.remove_node(&id('a')), Err(ViewError::Myself));
    }

    #[test]
    fn detaching_the_last_replica_clears_migrate_to() {
        let mut v = three_primaries();
        let mut r = Node::new(id('d'));
        r.flags = NodeFlags::REPLICA;
        v.add_node(r).unwrap();
        v.attach_replica(&id('d'), &id('b')).unwrap();
        v.attach_replica(&id('d'), &id('c')).unwrap();
        assert!(!v
            .node(&id('b'))
            .unwrap()
            .flags
            .contains(NodeFlags::MIGRATE_TO));
        assert!(v
            .node(&id('c'))
            .unwrap()
            .flags
            .contains(NodeFlags::MIGRATE_TO));
        assert_eq!(
            v.replicas_of(&id('c')).map(|n| n.id()).collect::<Vec<_>>(),
            [id('d')]
        );
    }

    #[test]
    fn rename_moves_references() {
        let mut v = three_primaries();
        let mut r = Node::new(id('d'));
        r.flags = NodeFlags::REPLICA;
        v.add_node(r).unwrap();
        v.attach_replica(&id('d'), &id('b')).unwrap();
        v.rename_node(&id('b'), id('e')).unwrap();
        v.check_invariants();
        assert_eq!(v.node(&id('d')).unwrap().primary(), Some(id('e')));
        assert_eq!(v.slot_owner_id(s(6000)), Some(id('e')));
        assert!(v.node(&id('b')).is_none());
        assert_eq!(
            v.rename_node(&id('e'), id('c')),
            Err(ViewError::DuplicateNode(id('c')))
        );
    }

    #[test]
    fn owned_ranges_split_on_owner_change_and_gaps() {
        let mut v = three_primaries();
        v.unassign_slot(s(100));
        v.reassign_slot(s(200), &id('c')).unwrap();
        let ranges: Vec<(String, NodeId)> = v
            .owned_ranges()
            .into_iter()
            .map(|(r, n)| (r.to_string(), n))
            .collect();
        assert_eq!(
            ranges,
            [
                ("0-99".to_string(), id('a')),
                ("101-199".to_string(), id('a')),
                ("200".to_string(), id('c')),
                ("201-5460".to_string(), id('a')),
                ("5461-10922".to_string(), id('b')),
                ("10923-16383".to_string(), id('c')),
            ]
        );
        assert_eq!(v.slot_count_of(&id('a')), 5459);
        assert_eq!(v.slot_bitmap_of(&id('c')).count(), 5462);
    }

    #[test]
    fn owns_exactly_and_slot_versions_follow_the_slots_of_one_node() {
        let mut v = three_primaries();
        for n in ['a', 'b', 'c', 'z'] {
            let bitmap = v.slot_bitmap_of(&id(n));
            assert!(v.owns_exactly(&id(n), &bitmap.0), "{n}");
            let mut more = bitmap.clone();
            more.insert(Slot::new(100).unwrap());
            assert_eq!(v.owns_exactly(&id(n), &more.0), n == 'a', "{n}");
            let first = bitmap.iter().next();
            if let Some(first) = first {
                let mut fewer = bitmap.clone();
                fewer.remove(first);
                assert!(!v.owns_exactly(&id(n), &fewer.0), "{n}");
            }
        }
        let (a, b, c) = (
            v.slots_version_of(&id('a')),
            v.slots_version_of(&id('b')),
            v.slots_version_of(&id('c')),
        );
        assert_eq!(v.slots_version_of(&id('z')), None);
        v.reassign_slot(Slot::new(0).unwrap(), &id('b')).unwrap();
        assert_ne!(v.slots_version_of(&id('a')), a);
        assert_ne!(v.slots_version_of(&id('b')), b);
        assert_eq!(v.slots_version_of(&id('c')), c);
        let c = v.slots_version_of(&id('c'));
        v.remove_node(&id('b')).unwrap();
        assert_ne!(v.slots_version_of(&id('c')), c, "positions moved");
    }

    #[test]
    fn bump_takes_a_new_epoch_only_when_not_already_greatest() {
        let mut v = three_primaries();
        v.myself_mut().config_epoch = Epoch(1);
        v.node_mut(&id('b')).unwrap().config_epoch = Epoch(2);
        v.current_epoch = Epoch(3);
        assert!(v.bump_config_epoch_without_consensus());
        assert_eq!(
            (v.current_epoch, v.myself().config_epoch),
            (Epoch(4), Epoch(4))
        );
        assert!(!v.bump_config_epoch_without_consensus());
        // A zero epoch always bumps, even when everything else is zero.
        let mut lone = ClusterView::fresh(id('a'), Millis(0));
        assert!(lone.bump_config_epoch_without_consensus());
        assert_eq!(lone.myself().config_epoch, Epoch(1));
    }

    #[test]
    fn state_needs_coverage_and_a_majority() {
        let mut v = three_primaries();
        let a = v.assess_state(true);
        assert_eq!(
            (a.state, a.size, a.reachable_primaries),
            (ClusterState::Ok, 3, 3)
        );
        v.node_mut(&id('b')).unwrap().flags.insert(NodeFlags::PFAIL);
        assert_eq!(v.assess_state(true).state, ClusterState::Ok);
        v.node_mut(&id('c')).unwrap().flags.insert(NodeFlags::FAIL);
        let a = v.assess_state(false);
        assert!(a.in_minority);
        assert_eq!(a.state, ClusterState::Fail);
        let mut v = three_primaries();
        v.unassign_slot(s(7));
        assert_eq!(v.assess_state(true).state, ClusterState::Fail);
        assert_eq!(v.assess_state(false).state, ClusterState::Ok);
    }

    #[test]
    fn becoming_a_replica_closes_slots_and_reset_undoes_it() {
        let mut v = three_primaries();
        v.unassign_slots_of(&id('a'));
        v.set_importing(s(7000), Some(&id('b'))).unwrap();
        v.set_myself_replica_of(&id('b')).unwrap();
        assert!(v.myself().is_replica());
        assert!(!v.myself().is_primary());
        assert_eq!(v.importing_from(s(7000)), None);
        assert_eq!(v.myself().primary(), Some(id('b')));
        v.current_epoch = Epoch(9);
        assert!(v.reset(Some(id('z'))));
        v.check_invariants();
        assert_eq!(v.node_count(), 1);
        assert_eq!(v.myself_id(), id('z'));
        assert!(v.myself().is_primary() && !v.myself().is_replica());
        assert_eq!(v.current_epoch, Epoch(0));
        assert_eq!(v.assigned_slot_count(), 0);
    }

    #[test]
    fn handshake_is_not_started_twice_for_one_address() {
        let mut v = ClusterView::fresh(id('a'), Millis(0));
        assert!(v
            .start_handshake("127.0.0.1", 7000, 17000, id('x'), Millis(3))
            .unwrap());
        assert!(!v
            .start_handshake("127.0.0.1", 7000, 17000, id('y'), Millis(4))
            .unwrap());
        assert!(v
            .start_handshake("127.0.0.1", 7000, 17001, id('y'), Millis(4))
            .unwrap());
        let n = v.node(&id('x')).unwrap();
        assert!(n.in_handshake() && n.flags.contains(NodeFlags::MEET));
        assert_eq!(n.created, Millis(3));
    }

    #[test]
    fn failure_reports_expire() {
        let mut n = Node::new(id('a'));
        assert!(n.add_failure_report(id('b'), Millis(100)));
        assert!(!n.add_failure_report(id('b'), Millis(200)));
        assert!(n.add_failure_report(id('c'), Millis(50)));
        n.prune_failure_reports(Millis(1100), 1000);
        assert_eq!(n.failure_reports.len(), 1);
        assert_eq!(n.failure_reports[0].reporter, id('b'));
    }

    #[test]
    fn lookup_rejects_malformed_names() {
        let v = three_primaries();
        assert!(v.lookup(b"nope").is_none());
        assert!(v.lookup("B".repeat(40).as_bytes()).is_none());
        assert!(v.lookup("b".repeat(40).as_bytes()).is_some());
    }
}
