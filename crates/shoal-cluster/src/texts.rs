//! The read-only CLUSTER replies, built from the view: NODES, INFO, SLOTS,
//! SHARDS, LINKS and the node line shared with nodes.conf.
//!
//! Text replies (NODES, INFO) are returned as `String`s in Redis 7.0's
//! exact format; structured replies (SLOTS, SHARDS, LINKS) as a
//! [`ReplyValue`] tree, which the server encodes for the client's protocol
//! with [`ReplyValue::write_to`].
//!
//! Facts the view does not hold arrive as parameters: bus message counters
//! ([`BusStats`]), this node's replication offset, how endpoints are
//! advertised ([`EndpointOptions`]) and link details ([`LinkInfo`]).
//! Nothing here mutates the view or reads a clock.
//!
//! # CLUSTER NODES line
//!
//! ```text
//! <id> <ip>:<port>@<cport>[,<hostname>] <flags> <primary id|-> <ping_sent> <pong_received> <configEpoch> <connected|disconnected> [<slot ranges>...] [<open slots>...]
//! ```
//!
//! Open slots (`[N->-id]` migrating, `[N-<-id]` importing) appear only on
//! the `myself` line. A replica prints its primary's configEpoch.

use std::fmt::Write as _;

use shoal_types::Slot;

use crate::reply::ReplyValue;
use crate::slots::SlotRange;
use crate::view::{flags_text, ClusterView, LinkState, Node, OpenSlot};

/// How nodes are named to clients (`cluster-preferred-endpoint-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EndpointType {
    /// The node's IP (the default).
    #[default]
    Ip,
    /// The announced hostname, `?` when a node has none.
    Hostname,
    /// No endpoint: null in CLUSTER SLOTS, empty text elsewhere.
    UnknownEndpoint,
}

/// What the replies need to know about endpoints and TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EndpointOptions {
    /// `cluster-preferred-endpoint-type`.
    pub preferred: EndpointType,
    /// `tls-cluster yes`: nodes' `port` is their TLS port.
    pub tls_cluster: bool,
    /// The asking client is connected over TLS.
    pub client_uses_tls: bool,
}

impl EndpointOptions {
    /// True when a plaintext client of a TLS cluster must be told the
    /// plaintext ports (`pport`) instead of the TLS ones.
    pub fn use_pport(&self) -> bool {
        self.tls_cluster && !self.client_uses_tls
    }

    /// The port to give a client for `node`.
    pub fn client_port(&self, node: &Node) -> u16 {
        if self.use_pport() && node.pport != 0 {
            node.pport
        } else {
            node.port
        }
    }

    /// The endpoint text of `node` (CLUSTER SHARDS and redirections): its
    /// IP, its hostname or `?`, or an empty string.
    pub fn endpoint<'a>(&self, node: &'a Node) -> &'a str {
        match self.preferred {
            EndpointType::Ip => &node.ip,
            EndpointType::Hostname if node.hostname.is_empty() => "?",
            EndpointType::Hostname => &node.hostname,
            EndpointType::UnknownEndpoint => "",
        }
    }
}

/// Number of bus message types 7.0 counts.
pub const MESSAGE_TYPE_COUNT: usize = 11;

/// Bus message type names by type code, as CLUSTER INFO prints them.
pub const MESSAGE_TYPE_NAMES: [&str; MESSAGE_TYPE_COUNT] = [
    "ping",
    "pong",
    "meet",
    "fail",
    "publish",
    "auth-req",
    "auth-ack",
    "update",
    "mfstart",
    "module",
    "publishshard",
];

/// Bus counters for CLUSTER INFO, indexed by message type code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BusStats {
    /// Messages sent, per type.
    pub sent: [u64; MESSAGE_TYPE_COUNT],
    /// Messages received, per type.
    pub received: [u64; MESSAGE_TYPE_COUNT],
    /// Links closed for exceeding `cluster-link-sendbuf-limit`.
    pub links_buffer_limit_exceeded: u64,
}

/// Appends the CLUSTER NODES line of `node` to `out`, without the final
/// newline. `use_pport` prints plaintext ports (a plaintext client of a
/// TLS cluster); nodes.conf never does.
pub fn write_node_line(view: &ClusterView, node: &Node, use_pport: bool, out: &mut String) {
    let ranges = view.slot_ranges_of(&node.id());
    let open = if node.is_myself() {
        view.open_slots()
    } else {
        Vec::new()
    };
    write_line(view, node, &ranges, &open, use_pport, out);
}

/// The node lines of `nodes`, each ending in `\n`, computing slot ranges
/// and open slots once for all of them.
pub(crate) fn write_node_lines<'a>(
    view: &'a ClusterView,
    nodes: impl Iterator<Item = &'a Node>,
    use_pport: bool,
    out: &mut String,
) {
    let ranges = view.slot_ranges_by_node();
    let open = view.open_slots();
    for node in nodes {
        let mine = ranges.get(&node.id()).map_or(&[][..], Vec::as_slice);
        let open = if node.is_myself() { &open[..] } else { &[] };
        write_line(view, node, mine, open, use_pport, out);
        out.push('\n');
    }
}

pub(crate) fn write_line(
    view: &ClusterView,
    node: &Node,
    ranges: &[SlotRange],
    open: &[(Slot, OpenSlot)],
    use_pport: bool,
    out: &mut String,
) {
    let port = if use_pport && node.pport != 0 {
        node.pport
    } else {
        node.port
    };
    out.push_str(node.id().as_str());
    let _ = write!(out, " {}:{}@{}", node.ip, port, node.cport);
    if !node.hostname.is_empty() {
        out.push(',');
        out.push_str(&node.hostname);
    }
    let _ = write!(out, " {} ", flags_text(node.flags));
    match node.primary() {
        Some(p) => out.push_str(p.as_str()),
        None => out.push('-'),
    }
    let connected = node.link == LinkState::Connected || node.is_myself();
    let _ = write!(
        out,
        " {} {} {} {}",
        node.ping_sent.0,
        node.pong_received.0,
        view.effective_config_epoch(node),
        if connected {
            "connected"
        } else {
            "disconnected"
        }
    );
    for r in ranges {
        let _ = write!(out, " {r}");
    }
    // Only the myself line carries the migration marks.
    for (slot, mark) in open {
        match mark {
            OpenSlot::Migrating(to) => {
                let _ = write!(out, " [{slot}->-{to}]");
            }
            OpenSlot::Importing(from) => {
                let _ = write!(out, " [{slot}-<-{from}]");
            }
        }
    }
}

/// The CLUSTER NODES text: one line per node in table order, each ending in
/// `\n`, handshake nodes included. Send it with [`ReplyValue::Verbatim`].
pub fn cluster_nodes_text(view: &ClusterView, use_pport: bool) -> String {
    let mut out = String::new();
    write_node_lines(view, view.nodes(), use_pport, &mut out);
    out
}

/// The CLUSTER REPLICAS reply for a primary: the node lines of its replicas
/// as bulk strings without a newline.
pub fn cluster_replicas_reply(view: &ClusterView, primary: &Node, use_pport: bool) -> ReplyValue {
    let primary_id = primary.id();
    ReplyValue::Array(
        view.replicas_of(&primary_id)
            .map(|r| {
                let mut line = String::new();
                write_node_line(view, r, use_pport, &mut line);
                ReplyValue::Bulk(line.into_bytes())
            })
            .collect(),
    )
}

/// The CLUSTER INFO text (`key:value\r\n` lines in 7.0's order). Counters
/// of message types never sent or received are omitted, as Redis does.
pub fn cluster_info_text(view: &ClusterView, stats: &BusStats) -> String {
    let (mut ok, mut pfail, mut fail, mut assigned) = (0, 0, 0, 0);
    for (range, owner) in view.owned_ranges() {
        let n = range.len();
        assigned += n;
        let owner = view.node(&owner).expect("slot owners are in the table");
        if owner.is_failed() {
            fail += n;
        } else if owner.is_timed_out() {
            pfail += n;
        } else {
            ok += n;
        }
    }
    let mut out = String::with_capacity(512);
    let _ = write!(
        out,
        "cluster_state:{}\r\ncluster_slots_assigned:{assigned}\r\ncluster_slots_ok:{ok}\r\n\
         cluster_slots_pfail:{pfail}\r\ncluster_slots_fail:{fail}\r\ncluster_known_nodes:{}\r\n\
         cluster_size:{}\r\ncluster_current_epoch:{}\r\ncluster_my_epoch:{}\r\n",
        view.state.as_str(),
        view.node_count(),
        view.size,
        view.current_epoch,
        view.effective_config_epoch(view.myself()),
    );
    for (counts, dir) in [(&stats.sent, "sent"), (&stats.received, "received")] {
        let mut total = 0u64;
        for (name, &n) in MESSAGE_TYPE_NAMES.iter().zip(counts.iter()) {
            if n != 0 {
                total += n;
                let _ = write!(out, "cluster_stats_messages_{name}_{dir}:{n}\r\n");
            }
        }
        let _ = write!(out, "cluster_stats_messages_{dir}:{total}\r\n");
    }
    let _ = write!(
        out,
        "total_cluster_links_buffer_limit_exceeded:{}\r\n",
        stats.links_buffer_limit_exceeded
    );
    out
}

/// The replication offset to report for `node`: the caller's for myself
/// (nodes do not track their own offset in the table), else the last one
/// heard.
fn offset_of(node: &Node, my_repl_offset: u64) -> u64 {
    if node.is_myself() {
        my_repl_offset
    } else {
        node.repl_offset
    }
}

/// One node of a CLUSTER SLOTS range: `[endpoint, port, id, metadata]`.
fn slots_node_entry(node: &Node, opts: &EndpointOptions) -> ReplyValue {
    let endpoint = match opts.preferred {
        EndpointType::Ip => ReplyValue::bulk_str(&node.ip),
        EndpointType::Hostname if node.hostname.is_empty() => ReplyValue::bulk_str("?"),
        EndpointType::Hostname => ReplyValue::bulk_str(&node.hostname),
        EndpointType::UnknownEndpoint => ReplyValue::Null,
    };
    // Metadata: whatever is known about the node besides the endpoint.
    let mut meta = Vec::new();
    if opts.preferred != EndpointType::Ip {
        meta.push(("ip", ReplyValue::bulk_str(&node.ip)));
    }
    if opts.preferred != EndpointType::Hostname && !node.hostname.is_empty() {
        meta.push(("hostname", ReplyValue::bulk_str(&node.hostname)));
    }
    ReplyValue::Array(vec![
        endpoint,
        ReplyValue::Int(opts.client_port(node) as i64),
        ReplyValue::bulk_str(node.id().as_str()),
        ReplyValue::Map(meta),
    ])
}

/// The CLUSTER SLOTS reply: one entry per maximal run of slots with one
/// owner, in slot order: `[start, end, owner, replica...]`. Replicas are
/// listed when not FAIL and with a non-zero known replication offset
/// (`my_repl_offset` stands for myself).
pub fn cluster_slots(
    view: &ClusterView,
    opts: &EndpointOptions,
    my_repl_offset: u64,
) -> ReplyValue {
    let mut rows = Vec::new();
    for (range, owner_id) in view.owned_ranges() {
        let owner = view.node(&owner_id).expect("slot owners are in the table");
        let mut row = vec![
            ReplyValue::Int(range.start.get() as i64),
            ReplyValue::Int(range.end.get() as i64),
            slots_node_entry(owner, opts),
        ];
        for r in view.replicas_of(&owner_id) {
            if !r.is_failed() && offset_of(r, my_repl_offset) != 0 {
                row.push(slots_node_entry(r, opts));
            }
        }
        rows.push(ReplyValue::Array(row));
    }
    ReplyValue::Array(rows)
}

/// One node map of CLUSTER SHARDS.
fn shard_node_entry(node: &Node, opts: &EndpointOptions, my_repl_offset: u64) -> ReplyValue {
    let mut m = vec![("id", ReplyValue::bulk_str(node.id().as_str()))];
    // In a TLS cluster `port` holds the TLS port and `pport` the plaintext one.
    let (plain, tls) = if opts.tls_cluster {
        (node.pport, node.port)
    } else {
        (node.port, 0)
    };
    if plain != 0 {
        m.push(("port", ReplyValue::Int(plain as i64)));
    }
    if tls != 0 {
        m.push(("tls-port", ReplyValue::Int(tls as i64)));
    }
    m.push(("ip", ReplyValue::bulk_str(&node.ip)));
    m.push(("endpoint", ReplyValue::bulk_str(opts.endpoint(node))));
    if !node.hostname.is_empty() {
        m.push(("hostname", ReplyValue::bulk_str(&node.hostname)));
    }
    let offset = offset_of(node, my_repl_offset);
    m.push((
        "role",
        ReplyValue::bulk_str(if node.is_replica() {
            "replica"
        } else {
            "master"
        }),
    ));
    m.push(("replication-offset", ReplyValue::Int(offset as i64)));
    let health = if node.is_failed() {
        "fail"
    } else if node.is_replica() && offset == 0 {
        "loading"
    } else {
        "online"
    };
    m.push(("health", ReplyValue::bulk_str(health)));
    ReplyValue::Map(m)
}

/// The CLUSTER SHARDS reply: one map per node flagged `master`, in table
/// order (slot-less primaries included), each with `slots` (flat
/// start/end pairs) and `nodes` (the primary, then its replicas).
pub fn cluster_shards(
    view: &ClusterView,
    opts: &EndpointOptions,
    my_repl_offset: u64,
) -> ReplyValue {
    let ranges = view.slot_ranges_by_node();
    let mut shards = Vec::new();
    for primary in view.nodes().filter(|n| n.is_primary()) {
        let id = primary.id();
        let mut slots = Vec::new();
        for r in ranges.get(&id).into_iter().flatten() {
            slots.push(ReplyValue::Int(r.start.get() as i64));
            slots.push(ReplyValue::Int(r.end.get() as i64));
        }
        let mut nodes = vec![shard_node_entry(primary, opts, my_repl_offset)];
        nodes.extend(
            view.replicas_of(&id)
                .map(|r| shard_node_entry(r, opts, my_repl_offset)),
        );
        shards.push(ReplyValue::Map(vec![
            ("slots", ReplyValue::Array(slots)),
            ("nodes", ReplyValue::Array(nodes)),
        ]));
    }
    ReplyValue::Array(shards)
}

/// One bus link, as the driver knows it (CLUSTER LINKS).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    /// True for a link the peer opened (`from`), false for ours (`to`).
    pub inbound: bool,
    /// The peer's id.
    pub node: shoal_types::NodeId,
    /// When the link was created (ms).
    pub created: shoal_types::Millis,
    /// Registered read interest.
    pub reading: bool,
    /// Registered write interest.
    pub writing: bool,
    /// Bytes allocated for the send buffer.
    pub send_buffer_allocated: u64,
    /// Bytes queued in the send buffer.
    pub send_buffer_used: u64,
}

/// The CLUSTER LINKS reply: one map per link, in the order given.
pub fn cluster_links(links: &[LinkInfo]) -> ReplyValue {
    ReplyValue::Array(
        links
            .iter()
            .map(|l| {
                let events = match (l.reading, l.writing) {
                    (true, true) => "rw",
                    (true, false) => "r",
                    (false, true) => "w",
                    (false, false) => "",
                };
                ReplyValue::Map(vec![
                    (
                        "direction",
                        ReplyValue::bulk_str(if l.inbound { "from" } else { "to" }),
                    ),
                    ("node", ReplyValue::bulk_str(l.node.as_str())),
                    ("create-time", ReplyValue::Int(l.created.0 as i64)),
                    ("events", ReplyValue::bulk_str(events)),
                    (
                        "send-buffer-allocated",
                        ReplyValue::Int(l.send_buffer_allocated as i64),
                    ),
                    (
                        "send-buffer-used",
                        ReplyValue::Int(l.send_buffer_used as i64),
                    ),
                ])
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::NodeFlags;
    use shoal_types::{Epoch, Millis, NodeId};

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
    }

    fn small_view() -> ClusterView {
        let mut me = Node::new(id('a'));
        me.flags = NodeFlags::PRIMARY;
        me.ip = "127.0.0.1".into();
        me.port = 7000;
        me.cport = 17000;
        me.config_epoch = Epoch(1);
        let mut v = ClusterView::new(me);
        let mut r = Node::new(id('b'));
        r.flags = NodeFlags::REPLICA | NodeFlags::PFAIL;
        r.ip = "::1".into();
        r.port = 7001;
        r.cport = 17001;
        r.pport = 6001;
        r.hostname = "h".into();
        r.config_epoch = Epoch(7);
        r.ping_sent = Millis(5);
        r.pong_received = Millis(6);
        v.add_node(r).unwrap();
        v.attach_replica(&id('b'), &id('a')).unwrap();
        for n in [0, 1, 2, 5] {
            v.assign_slot(Slot::new(n).unwrap(), &id('a')).unwrap();
        }
        v.set_migrating(Slot::new(2).unwrap(), Some(&id('b')))
            .unwrap();
        v.set_importing(Slot::new(2).unwrap(), Some(&id('b')))
            .unwrap();
        v.set_importing(Slot::new(9).unwrap(), Some(&id('b')))
            .unwrap();
        v
    }

    #[test]
    fn node_lines_follow_the_redis_layout() {
        let v = small_view();
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        assert_eq!(
            cluster_nodes_text(&v, false),
            format!(
                "{a} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-2 5 [2->-{b}] [9-<-{b}]\n\
                 {b} ::1:7001@17001,h slave,fail? {a} 5 6 1 disconnected\n"
            )
        );
        assert!(cluster_nodes_text(&v, true).contains("::1:6001@17001,h"));
    }

    #[test]
    fn info_counts_slots_by_owner_health() {
        let mut v = small_view();
        v.node_mut(&id('b')).unwrap().flags = NodeFlags::PRIMARY | NodeFlags::FAIL;
        v.reassign_slot(Slot::new(5).unwrap(), &id('b')).unwrap();
        let mut stats = BusStats::default();
        stats.sent[1] = 3;
        stats.received[10] = 2;
        let text = cluster_info_text(&v, &stats);
        assert!(text.starts_with(
            "cluster_state:fail\r\ncluster_slots_assigned:4\r\ncluster_slots_ok:3\r\n\
             cluster_slots_pfail:0\r\ncluster_slots_fail:1\r\ncluster_known_nodes:2\r\ncluster_size:1\r\n"
        ));
        assert!(text.ends_with(
            "cluster_stats_messages_pong_sent:3\r\ncluster_stats_messages_sent:3\r\n\
             cluster_stats_messages_publishshard_received:2\r\ncluster_stats_messages_received:2\r\n\
             total_cluster_links_buffer_limit_exceeded:0\r\n"
        ));
    }

    #[test]
    fn slots_hide_replicas_without_offset_and_show_metadata() {
        let mut v = small_view();
        let opts = EndpointOptions::default();
        let ReplyValue::Array(rows) = cluster_slots(&v, &opts, 0) else {
            panic!()
        };
        assert_eq!(rows.len(), 2);
        let ReplyValue::Array(row) = &rows[0] else {
            panic!()
        };
        assert_eq!(row.len(), 3, "replica with offset 0 is hidden");
        v.node_mut(&id('b')).unwrap().repl_offset = 10;
        let ReplyValue::Array(rows) = cluster_slots(&v, &opts, 0) else {
            panic!()
        };
        let ReplyValue::Array(row) = &rows[1] else {
            panic!()
        };
        assert_eq!(row.len(), 4);
        assert_eq!(
            row[3],
            ReplyValue::Array(vec![
                ReplyValue::bulk_str("::1"),
                ReplyValue::Int(7001),
                ReplyValue::bulk_str(&"b".repeat(40)),
                ReplyValue::Map(vec![("hostname", ReplyValue::bulk_str("h"))]),
            ])
        );
        let hostname = EndpointOptions {
            preferred: EndpointType::Hostname,
            ..opts
        };
        let ReplyValue::Array(rows) = cluster_slots(&v, &hostname, 0) else {
            panic!()
        };
        let ReplyValue::Array(row) = &rows[0] else {
            panic!()
        };
        let ReplyValue::Array(owner) = &row[2] else {
            panic!()
        };
        assert_eq!(owner[0], ReplyValue::bulk_str("?"));
        assert_eq!(
            owner[3],
            ReplyValue::Map(vec![("ip", ReplyValue::bulk_str("127.0.0.1"))])
        );
    }

    #[test]
    fn shards_in_a_tls_cluster_report_both_ports() {
        let v = small_view();
        let opts = EndpointOptions {
            tls_cluster: true,
            ..Default::default()
        };
        let ReplyValue::Array(shards) = cluster_shards(&v, &opts, 42) else {
            panic!()
        };
        assert_eq!(shards.len(), 1);
        let ReplyValue::Map(shard) = &shards[0] else {
            panic!()
        };
        let ReplyValue::Array(nodes) = &shard[1].1 else {
            panic!()
        };
        let ReplyValue::Map(primary) = &nodes[0] else {
            panic!()
        };
        let keys: Vec<&str> = primary.iter().map(|(k, _)| *k).collect();
        // pport 0 on the primary: no plaintext port line.
        assert_eq!(
            keys,
            [
                "id",
                "tls-port",
                "ip",
                "endpoint",
                "role",
                "replication-offset",
                "health"
            ]
        );
        let ReplyValue::Map(replica) = &nodes[1] else {
            panic!()
        };
        assert_eq!(replica[1], ("port", ReplyValue::Int(6001)));
        assert_eq!(replica[2], ("tls-port", ReplyValue::Int(7001)));
        assert_eq!(replica.last().unwrap().1, ReplyValue::bulk_str("loading"));
    }
}
