//! The bus connections of one node: [`LinkTable`].
//!
//! As in Redis 7.0, a node keeps one *outbound* link to every other known
//! node (it sends its PINGs, MEETs and broadcasts there) and accepts
//! *inbound* links from peers (it answers on the link a request came in
//! on). An outbound link belongs to its node from the start; an inbound
//! link is tied to a node when the first message from a known sender
//! arrives on it, and a second inbound link from the same node replaces the
//! first.
//!
//! The table is bookkeeping only: ids, which node a link belongs to,
//! per-link counters for CLUSTER LINKS and `CLUSTER BUS LIST`, and the
//! messages waiting for an outbound connection to complete. Opening,
//! writing and closing sockets is the driver's work, asked for with
//! [`crate::output::Output`].

use std::collections::BTreeMap;

use shoal_types::{Millis, NodeId};

use crate::view::IdMap;

/// Identifies one connection. The core numbers the outbound links it asks
/// the driver to open; the driver numbers the inbound links it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LinkId {
    /// A connection this node opened (its number is chosen by the core).
    Outbound(u64),
    /// A connection a peer opened (its number is chosen by the driver).
    Inbound(u64),
}

impl LinkId {
    /// True for [`LinkId::Inbound`].
    pub fn is_inbound(self) -> bool {
        matches!(self, LinkId::Inbound(_))
    }
}

/// Number of per-type counters: the 11 types of 7.0, then one for all
/// unknown types.
pub const LINK_COUNTER_TYPES: usize = 12;

/// Traffic counters of one direction of one link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkCounters {
    /// Messages by type code (index 11 counts unknown types).
    pub messages: [u64; LINK_COUNTER_TYPES],
    /// Bytes, whole frames.
    pub bytes: u64,
}

impl LinkCounters {
    pub(crate) fn count(&mut self, type_code: u16, len: usize) {
        let i = (type_code as usize).min(LINK_COUNTER_TYPES - 1);
        self.messages[i] += 1;
        self.bytes += len as u64;
    }
}

/// One connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Its id.
    pub id: LinkId,
    /// The node it belongs to: always set for outbound links, set for an
    /// inbound link once a known sender spoke on it.
    pub node: Option<NodeId>,
    /// When the link was created (connect started, or accepted).
    pub created: Millis,
    /// Outbound: the connection completed. Inbound: always true.
    pub connected: bool,
    /// The peer's IP (inbound links; for outbound links the address dialled).
    pub peer_ip: String,
    /// Outbound links: the bus port dialled (0 for inbound links).
    pub peer_port: u16,
    /// Our IP on this connection, if the driver told us (inbound links).
    pub local_ip: String,
    /// When the last PING went out on this link.
    pub last_ping_sent: Option<Millis>,
    /// When the last PONG came in on this link.
    pub last_pong_received: Option<Millis>,
    /// Round trip of the last PING answered on this link, in ms.
    pub rtt_ms: Option<u64>,
    /// Traffic out.
    pub sent: LinkCounters,
    /// Traffic in.
    pub received: LinkCounters,
    /// Frames queued while an outbound connection is still being set up.
    pub(crate) pending: Vec<Vec<u8>>,
}

impl Link {
    fn new(id: LinkId, node: Option<NodeId>, now: Millis, connected: bool) -> Link {
        Link {
            id,
            node,
            created: now,
            connected,
            peer_ip: String::new(),
            peer_port: 0,
            local_ip: String::new(),
            last_ping_sent: None,
            last_pong_received: None,
            rtt_ms: None,
            sent: LinkCounters::default(),
            received: LinkCounters::default(),
            pending: Vec::new(),
        }
    }

    /// True for inbound links.
    pub fn is_inbound(&self) -> bool {
        self.id.is_inbound()
    }

    /// Bytes waiting for the connection to complete.
    pub fn pending_bytes(&self) -> u64 {
        self.pending.iter().map(|f| f.len() as u64).sum()
    }
}

/// All links of a node, by id, with the node → link indexes.
#[derive(Debug, Clone, Default)]
pub struct LinkTable {
    links: BTreeMap<LinkId, Link>,
    /// Node → its outbound link (looked up, never iterated).
    outbound_of: IdMap<LinkId>,
    /// Node → its inbound link (looked up, never iterated).
    inbound_of: IdMap<LinkId>,
    next_outbound: u64,
}

impl LinkTable {
    /// Creates the outbound link of `node` (connecting) and returns its id.
    /// The node must not have one already.
    pub(crate) fn open_outbound(
        &mut self,
        node: NodeId,
        ip: &str,
        port: u16,
        now: Millis,
    ) -> LinkId {
        assert!(
            !self.outbound_of.contains_key(&node),
            "node {node} already has an outbound link"
        );
        self.next_outbound += 1;
        let id = LinkId::Outbound(self.next_outbound);
        let mut link = Link::new(id, Some(node), now, false);
        link.peer_ip = ip.to_string();
        link.peer_port = port;
        self.links.insert(id, link);
        self.outbound_of.insert(node, id);
        id
    }

    /// Records an accepted connection. Returns false (and changes nothing)
    /// if the id is in use or not an inbound id.
    pub(crate) fn accept(
        &mut self,
        id: LinkId,
        peer_ip: &str,
        local_ip: &str,
        now: Millis,
    ) -> bool {
        if !id.is_inbound() || self.links.contains_key(&id) {
            return false;
        }
        let mut link = Link::new(id, None, now, true);
        link.peer_ip = peer_ip.to_string();
        link.local_ip = local_ip.to_string();
        self.links.insert(id, link);
        true
    }

    /// Ties an inbound link to `node`. Returns the node's previous inbound
    /// link, which the caller must close.
    pub(crate) fn attach_inbound(&mut self, id: LinkId, node: NodeId) -> Option<LinkId> {
        let link = self.links.get_mut(&id)?;
        debug_assert!(link.is_inbound() && link.node.is_none());
        link.node = Some(node);
        let old = self.inbound_of.insert(node, id);
        if let Some(old) = old {
            if let Some(l) = self.links.get_mut(&old) {
                // The caller closes it; make sure the index no longer points there.
                l.node = None;
            }
        }
        old.filter(|o| *o != id)
    }

    /// Removes a link and its index entries.
    pub(crate) fn remove(&mut self, id: LinkId) -> Option<Link> {
        let link = self.links.remove(&id)?;
        if let Some(node) = link.node {
            let index = if id.is_inbound() {
                &mut self.inbound_of
            } else {
                &mut self.outbound_of
            };
            if index.get(&node) == Some(&id) {
                index.remove(&node);
            }
        }
        Some(link)
    }

    /// A node was renamed (handshake completed): its links follow.
    pub(crate) fn rename_node(&mut self, old: &NodeId, new: NodeId) {
        for index in [&mut self.outbound_of, &mut self.inbound_of] {
            if let Some(id) = index.remove(old) {
                index.insert(new, id);
            }
        }
        for link in self.links.values_mut() {
            if link.node == Some(*old) {
                link.node = Some(new);
            }
        }
    }

    /// The link with this id.
    pub fn get(&self, id: LinkId) -> Option<&Link> {
        self.links.get(&id)
    }

    pub(crate) fn get_mut(&mut self, id: LinkId) -> Option<&mut Link> {
        self.links.get_mut(&id)
    }

    /// The outbound link of `node`.
    pub fn outbound(&self, node: &NodeId) -> Option<LinkId> {
        self.outbound_of.get(node).copied()
    }

    /// The inbound link tied to `node`.
    pub fn inbound(&self, node: &NodeId) -> Option<LinkId> {
        self.inbound_of.get(node).copied()
    }

    /// Both links of `node` (outbound first).
    pub(crate) fn links_of(&self, node: &NodeId) -> Vec<LinkId> {
        self.outbound(node)
            .into_iter()
            .chain(self.inbound(node))
            .collect()
    }

    /// Every link, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Link> + '_ {
        self.links.values()
    }

    /// Number of links.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// True when there is no link.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
    }

    #[test]
    fn a_second_inbound_link_replaces_the_first() {
        let mut t = LinkTable::default();
        assert!(t.accept(LinkId::Inbound(1), "10.0.0.1", "10.0.0.2", Millis(5)));
        assert!(t.accept(LinkId::Inbound(2), "10.0.0.1", "10.0.0.2", Millis(6)));
        assert!(!t.accept(LinkId::Inbound(2), "x", "y", Millis(6)));
        assert!(!t.accept(LinkId::Outbound(9), "x", "y", Millis(6)));
        assert_eq!(t.attach_inbound(LinkId::Inbound(1), id('a')), None);
        assert_eq!(
            t.attach_inbound(LinkId::Inbound(2), id('a')),
            Some(LinkId::Inbound(1))
        );
        assert_eq!(t.inbound(&id('a')), Some(LinkId::Inbound(2)));
        t.remove(LinkId::Inbound(1));
        assert_eq!(t.inbound(&id('a')), Some(LinkId::Inbound(2)));
    }

    #[test]
    fn outbound_links_follow_a_rename_and_leave_on_removal() {
        let mut t = LinkTable::default();
        let l = t.open_outbound(id('a'), "10.0.0.1", 17000, Millis(1));
        assert_eq!(l, LinkId::Outbound(1));
        t.rename_node(&id('a'), id('b'));
        assert_eq!(t.outbound(&id('b')), Some(l));
        assert_eq!(t.get(l).unwrap().node, Some(id('b')));
        assert_eq!(t.links_of(&id('b')), vec![l]);
        t.remove(l);
        assert_eq!(t.outbound(&id('b')), None);
        assert!(t.is_empty());
    }
}
