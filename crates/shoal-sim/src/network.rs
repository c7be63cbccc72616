//! The simulated network: connections between nodes, per-link faults
//! (loss, delay with a tail, duplication, reordering, resets) and
//! partitions.
//!
//! A connection is a pair of ends, one per node, each with the link id that
//! node uses for it (the caller's outbound id on one side, an inbound id
//! numbered here on the other). Either end can be closed on its own: a
//! close or a crash tells the peer only if the path is open at the time,
//! so partitions leave half-open connections behind, as real ones do.
//!
//! The bus runs over TCP, and the model keeps TCP's promise that a live
//! connection never silently drops a message: a packet lost on the way
//! costs a retransmission (the message arrives one to three timeouts of
//! 200, 400, 800 ms later), and a small share of losses (a tenth) breaks
//! the connection instead, which both ends then see as closed. Messages
//! sent across a partition wait for it to end (the world holds them), as
//! retransmitted segments would. Delay is `min + exponential tail`.
//! Arrivals on one direction of one connection keep their send order
//! unless the profile allows reordering; duplication and reordering are
//! harsher than TCP on purpose (they test that a replayed or late message
//! does no harm). A link's chances are the profile's, scaled by the
//! average quality of its two nodes, so some links are worse than others.
//!
//! What it does not do: bandwidth limits or frame splitting (the bus driver
//! frames messages; the simulator hands over one frame per packet).

use std::collections::{BTreeMap, BTreeSet};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoal_cluster::links::LinkId;
use shoal_types::Millis;

use crate::scenario::LinkProfile;

/// Identifies one connection for the lifetime of the world.
pub type ConnId = u64;

/// A partition: which directions are cut.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partition {
    /// One node cut from everyone, both ways.
    Isolate(usize),
    /// A minority cut from the rest, both ways.
    Split(BTreeSet<usize>),
    /// What these nodes send to the others is lost; they still hear the
    /// others (an asymmetric partition).
    OneWay(BTreeSet<usize>),
}

impl Partition {
    /// True if messages from `from` to `to` are lost.
    pub fn blocks(&self, from: usize, to: usize) -> bool {
        match self {
            Partition::Isolate(n) => (from == *n) != (to == *n),
            Partition::Split(side) => side.contains(&from) != side.contains(&to),
            Partition::OneWay(side) => side.contains(&from) && !side.contains(&to),
        }
    }

    /// A short description for the trace.
    pub fn describe(&self) -> String {
        let list = |s: &BTreeSet<usize>| {
            s.iter()
                .map(|n| format!("n{n}"))
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            Partition::Isolate(n) => format!("isolate n{n}"),
            Partition::Split(s) => format!("split {{{}}} | rest", list(s)),
            Partition::OneWay(s) => format!("one-way {{{}}} -/-> rest", list(s)),
        }
    }
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct End {
    /// The node holding it.
    pub node: usize,
    /// That node's id for the link.
    pub link: LinkId,
    /// Not yet closed on this side.
    pub open: bool,
}

#[derive(Debug, Clone)]
struct Conn {
    ends: [End; 2],
    /// Latest arrival scheduled towards each end (FIFO delivery).
    last_arrival: [Millis; 2],
}

/// Traffic counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetStats {
    /// Messages handed to the network.
    pub messages: u64,
    /// Bytes handed to the network.
    pub bytes: u64,
    /// Messages that needed a retransmission.
    pub retransmitted: u64,
    /// Connections broken by a loss.
    pub resets: u64,
    /// Extra copies delivered.
    pub duplicated: u64,
    /// Bytes sent, by sending node.
    pub bytes_by_node: Vec<u64>,
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transmission {
    /// It arrives at these times (two with a duplicate).
    Arrives(Vec<Millis>),
    /// The connection broke; the message is gone and both ends will see
    /// the connection closed.
    Reset,
}

/// All connections, the link profile in force and the partition, if any.
pub struct SimNetwork {
    /// The behaviour of every link right now.
    pub profile: LinkProfile,
    /// The partition in force.
    pub partition: Option<Partition>,
    /// Traffic so far.
    pub stats: NetStats,
    quality: Vec<f64>,
    conns: BTreeMap<ConnId, Conn>,
    by_end: BTreeMap<(usize, LinkId), ConnId>,
    next_conn: ConnId,
    next_inbound: Vec<u64>,
    addrs: BTreeMap<(String, u16), usize>,
    rng: ChaCha8Rng,
}

impl SimNetwork {
    /// A network for `nodes` nodes; link qualities drawn within `1 ± spread`.
    pub fn new(nodes: usize, seed: u64, spread: f64) -> SimNetwork {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let quality = (0..nodes)
            .map(|_| {
                if spread > 0.0 {
                    1.0 + rng.random_range(-spread..spread)
                } else {
                    1.0
                }
            })
            .collect();
        SimNetwork {
            profile: LinkProfile::healthy(),
            partition: None,
            stats: NetStats {
                bytes_by_node: vec![0; nodes],
                ..NetStats::default()
            },
            quality,
            conns: BTreeMap::new(),
            by_end: BTreeMap::new(),
            next_conn: 0,
            next_inbound: vec![0; nodes],
            addrs: BTreeMap::new(),
            rng,
        }
    }

    /// Node `node` listens for bus connections at `ip:port`.
    pub fn register(&mut self, node: usize, ip: String, port: u16) {
        self.addrs.insert((ip, port), node);
    }

    /// The node listening at `ip:port`.
    pub fn lookup(&self, ip: &str, port: u16) -> Option<usize> {
        self.addrs.get(&(ip.to_string(), port)).copied()
    }

    /// True unless a partition cuts `from → to`.
    pub fn path_open(&self, from: usize, to: usize) -> bool {
        self.partition.as_ref().is_none_or(|p| !p.blocks(from, to))
    }

    /// A one-way delay for a control packet (SYN, FIN, RST) from `from`
    /// to `to`.
    pub fn delay(&mut self, from: usize, to: usize) -> u64 {
        let q = self.link_quality(from, to);
        let mean = self.profile.delay_tail_mean_ms * q;
        let tail = if mean > 0.0 {
            let u: f64 = self.rng.random_range(f64::MIN_POSITIVE..1.0);
            (-mean * u.ln()).min(mean * 20.0) as u64
        } else {
            0
        };
        self.profile.delay_min_ms + tail
    }

    fn link_quality(&self, a: usize, b: usize) -> f64 {
        (self.quality[a] + self.quality[b]) / 2.0
    }

    /// Opens a connection from `a`'s outbound link `la` to node `b`;
    /// returns it and `b`'s inbound link id.
    pub fn open(&mut self, a: usize, la: LinkId, b: usize) -> (ConnId, LinkId) {
        self.next_inbound[b] += 1;
        let lb = LinkId::Inbound(self.next_inbound[b]);
        self.next_conn += 1;
        let id = self.next_conn;
        let end = |node, link| End {
            node,
            link,
            open: true,
        };
        self.conns.insert(
            id,
            Conn {
                ends: [end(a, la), end(b, lb)],
                last_arrival: [Millis(0); 2],
            },
        );
        self.by_end.insert((a, la), id);
        self.by_end.insert((b, lb), id);
        (id, lb)
    }

    /// The connection `node` knows as `link`, if that end is open.
    pub fn conn_of(&self, node: usize, link: LinkId) -> Option<ConnId> {
        self.by_end.get(&(node, link)).copied()
    }

    /// The end of `conn` opposite `node`'s end `link`.
    pub fn peer(&self, conn: ConnId, node: usize, link: LinkId) -> Option<End> {
        let c = self.conns.get(&conn)?;
        let mine = c
            .ends
            .iter()
            .position(|e| e.node == node && e.link == link)?;
        Some(c.ends[1 - mine])
    }

    /// True if `node`'s end `link` of `conn` is still open.
    pub fn end_open(&self, conn: ConnId, node: usize, link: LinkId) -> bool {
        self.conns.get(&conn).is_some_and(|c| {
            c.ends
                .iter()
                .any(|e| e.node == node && e.link == link && e.open)
        })
    }

    /// Closes `node`'s end `link` of `conn`; forgets the connection once
    /// both ends are closed.
    pub fn close_end(&mut self, conn: ConnId, node: usize, link: LinkId) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        for e in c.ends.iter_mut() {
            if e.node == node && e.link == link && e.open {
                e.open = false;
                self.by_end.remove(&(node, link));
            }
        }
        if c.ends.iter().all(|e| !e.open) {
            self.conns.remove(&conn);
        }
    }

    /// Every connection with an open end at `node`, with that end's link.
    pub fn open_ends_of(&self, node: usize) -> Vec<(ConnId, LinkId)> {
        self.by_end
            .range((node, LinkId::Outbound(0))..=(node, LinkId::Inbound(u64::MAX)))
            .map(|(&(_, link), &conn)| (conn, link))
            .collect()
    }

    /// What becomes of a `len`-byte message sent at `now` by `from` on its
    /// end `link` of `conn`, towards node `to`. The caller has checked
    /// that the path is open.
    pub fn transmit(
        &mut self,
        conn: ConnId,
        (from, link): (usize, LinkId),
        to: usize,
        now: Millis,
        len: usize,
    ) -> Transmission {
        self.stats.messages += 1;
        self.stats.bytes += len as u64;
        self.stats.bytes_by_node[from] += len as u64;
        let q = self.link_quality(from, to);
        let loss = (self.profile.loss * q).min(1.0);
        let mut retransmit_ms = 0;
        if loss > 0.0 && self.rng.random_bool(loss) {
            if self.rng.random_bool(0.1) {
                self.stats.resets += 1;
                return Transmission::Reset;
            }
            self.stats.retransmitted += 1;
            retransmit_ms = 200 << self.rng.random_range(0..3);
        }
        let dup = (self.profile.duplicate * q).min(1.0);
        let copies = if dup > 0.0 && self.rng.random_bool(dup) {
            self.stats.duplicated += 1;
            2
        } else {
            1
        };
        let mut arrivals = Vec::with_capacity(copies);
        for copy in 0..copies {
            let extra = if copy == 0 { retransmit_ms } else { 0 };
            let mut at = now.plus(self.delay(from, to) + extra);
            if let Some(c) = self.conns.get_mut(&conn) {
                // Index of the receiving end.
                let dir = usize::from(c.ends[0].node == from && c.ends[0].link == link);
                if !self.profile.reorder {
                    at = at.max(c.last_arrival[dir]);
                }
                c.last_arrival[dir] = c.last_arrival[dir].max(at);
            }
            arrivals.push(at);
        }
        Transmission::Arrives(arrivals)
    }

    /// Number of connections with at least one open end.
    pub fn conn_count(&self) -> usize {
        self.conns.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_cut_the_right_directions() {
        let iso = Partition::Isolate(2);
        assert!(iso.blocks(2, 0) && iso.blocks(0, 2) && !iso.blocks(0, 1));
        let one_way = Partition::OneWay([1].into_iter().collect());
        assert!(one_way.blocks(1, 0) && !one_way.blocks(0, 1));
        let split = Partition::Split([0, 1].into_iter().collect());
        assert!(split.blocks(0, 2) && split.blocks(2, 1) && !split.blocks(0, 1));
    }

    #[test]
    fn fifo_links_keep_send_order_despite_the_tail() {
        let mut net = SimNetwork::new(2, 9, 0.0);
        net.profile.delay_tail_mean_ms = 50.0;
        let (conn, _) = net.open(0, LinkId::Outbound(1), 1);
        let mut last = Millis(0);
        for t in 0..200 {
            let Transmission::Arrives(arrivals) =
                net.transmit(conn, (0, LinkId::Outbound(1)), 1, Millis(t), 10)
            else {
                panic!("no loss configured");
            };
            for at in arrivals {
                assert!(at >= last);
                last = at;
            }
        }
    }

    #[test]
    fn closing_both_ends_forgets_the_connection() {
        let mut net = SimNetwork::new(2, 1, 0.0);
        let (conn, lb) = net.open(0, LinkId::Outbound(1), 1);
        assert_eq!(net.open_ends_of(1), vec![(conn, lb)]);
        net.close_end(conn, 0, LinkId::Outbound(1));
        assert!(net.end_open(conn, 1, lb) && net.conn_count() == 1);
        net.close_end(conn, 1, lb);
        assert_eq!(net.conn_count(), 0);
    }
}
