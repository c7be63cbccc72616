//! The `nodes.conf` text format: render and parse, as Redis 7.0 writes and
//! reads it.
//!
//! ```text
//! <node line>\n          one per known node except handshake nodes, in table order;
//! ...                    a node line is exactly a CLUSTER NODES line
//! vars currentEpoch <u64> lastVoteEpoch <u64>\n
//! ```
//!
//! [`render_nodes_conf`] produces the bytes redis-server 7.0 would write for
//! the view. [`parse_nodes_conf`] reads them back, faithfully: ping/pong
//! times and the `connected` field keep their written values, so
//! `render(parse(text)) == text` for files Redis wrote. Redis's loader then
//! treats those fields as stale; call [`prepare_loaded_view`] with the
//! start time to get exactly the view a 7.0 node has after loading.
//!
//! Loading follows the 7.0 loader: lines split like shell arguments, blank
//! lines skipped, the `vars` line anywhere (unknown variables skipped with a
//! warning), at least 8 fields a node line, `ip:port[@cport][,hostname]`
//! with `cport = port + 10000` when absent, flag names in any case, a
//! primary or migration peer that has no line of its own created as an
//! empty node, a replica's configEpoch loaded as 0, slot fields `N`, `A-B`,
//! `[N->-id]`, `[N-<-id]`, and currentEpoch raised to the greatest
//! configEpoch. Where Redis would misread a malformed file (numbers read
//! with `atoi`, an IP overflowing its buffer, a second `myself` aborting
//! on an assertion) this parser refuses it with an error naming the line
//! and the problem.
//!
//! No file access here: the driver reads, writes, locks and fsyncs. Redis
//! treats a missing or zero-length file as "no configuration" and starts
//! fresh; the driver checks that before calling the parser (which would
//! reject empty text for lacking a `myself` line).

use std::fmt;

use shoal_types::{Epoch, Millis, NodeId, Slot};

use crate::slots::SlotRange;
use crate::texts::{write_line, write_node_lines};
use crate::view::{flag_by_name, ClusterView, LinkState, Node, OpenSlot, RangesByPosition};

/// The nodes.conf text for `view`, as redis-server 7.0 writes it.
pub fn render_nodes_conf(view: &ClusterView) -> String {
    let mut out = String::new();
    write_node_lines(
        view,
        view.nodes().filter(|n| !n.in_handshake()),
        false,
        &mut out,
    );
    write_vars_line(view, &mut out);
    out
}

fn write_vars_line(view: &ClusterView, out: &mut String) {
    out.push_str(&format!(
        "vars currentEpoch {} lastVoteEpoch {}\n",
        view.current_epoch, view.last_vote_epoch
    ));
}

/// Renders one node's nodes.conf again and again, as
/// [`render_nodes_conf`] does byte for byte, re-rendering only the lines
/// whose fields changed since the previous call.
///
/// A node saves its configuration whenever something persisted changes
/// (a node learnt, a role, an epoch, a slot), which during the start of a
/// large cluster happens a few times per known node; rendering every line
/// each time made saving quadratic in the cluster size. Each line is kept
/// with the fields it was rendered from and compared with the view's
/// before reuse; slot ranges are recomputed only when slot ownership
/// moved.
#[derive(Debug, Default)]
pub(crate) struct NodesConfRenderer {
    /// The slots generation of `ranges`, and every node's slot runs by
    /// table position.
    ranges: Option<(u64, RangesByPosition)>,
    /// The last line rendered at each table position.
    lines: Vec<Option<CachedLine>>,
}

/// One rendered line (with its newline) and what it was rendered from.
#[derive(Debug)]
struct CachedLine {
    key: LineKey,
    text: String,
}

/// Every input of a nodes.conf line ([`crate::texts::write_line`]).
#[derive(Debug, PartialEq, Eq)]
struct LineKey {
    id: NodeId,
    ip: String,
    port: u16,
    cport: u16,
    hostname: String,
    flags: crate::view::NodeFlags,
    primary: Option<NodeId>,
    ping_sent: Millis,
    pong_received: Millis,
    config_epoch: Epoch,
    link: LinkState,
    ranges: Vec<SlotRange>,
    open: Vec<(Slot, OpenSlot)>,
}

impl LineKey {
    fn matches(
        &self,
        node: &Node,
        epoch: Epoch,
        ranges: &[SlotRange],
        open: &[(Slot, OpenSlot)],
    ) -> bool {
        self.id == node.id()
            && self.port == node.port
            && self.cport == node.cport
            && self.flags == node.flags
            && self.ping_sent == node.ping_sent
            && self.pong_received == node.pong_received
            && self.config_epoch == epoch
            && self.link == node.link
            && self.primary == node.primary()
            && self.ip == node.ip
            && self.hostname == node.hostname
            && self.ranges == ranges
            && self.open == open
    }

    fn of(node: &Node, epoch: Epoch, ranges: &[SlotRange], open: &[(Slot, OpenSlot)]) -> LineKey {
        LineKey {
            id: node.id(),
            ip: node.ip.clone(),
            port: node.port,
            cport: node.cport,
            hostname: node.hostname.clone(),
            flags: node.flags,
            primary: node.primary(),
            ping_sent: node.ping_sent,
            pong_received: node.pong_received,
            config_epoch: epoch,
            link: node.link,
            ranges: ranges.to_vec(),
            open: open.to_vec(),
        }
    }
}

impl NodesConfRenderer {
    /// The nodes.conf text for `view`: exactly [`render_nodes_conf`].
    pub(crate) fn render(&mut self, view: &ClusterView) -> String {
        let generation = view.slots_generation();
        if self.ranges.as_ref().is_none_or(|(g, _)| *g != generation) {
            self.ranges = Some((generation, view.slot_ranges_by_position()));
        }
        let ranges = &self.ranges.as_ref().expect("just set").1;
        let open = if view.has_open_slots() {
            view.open_slots()
        } else {
            Vec::new()
        };
        self.lines.resize_with(view.node_count(), || None);
        let mut total = 0;
        for (pos, node) in view.nodes().enumerate() {
            if node.in_handshake() {
                continue;
            }
            let mine = ranges.of(pos);
            let open = if node.is_myself() { &open[..] } else { &[] };
            let epoch = view.effective_config_epoch(node);
            let cached = &mut self.lines[pos];
            if !cached
                .as_ref()
                .is_some_and(|c| c.key.matches(node, epoch, mine, open))
            {
                let mut text = String::new();
                write_line(view, node, mine, open, false, &mut text);
                text.push('\n');
                *cached = Some(CachedLine {
                    key: LineKey::of(node, epoch, mine, open),
                    text,
                });
            }
            total += cached.as_ref().map_or(0, |c| c.text.len());
        }
        self.lines.truncate(view.node_count());
        let mut out = String::with_capacity(total + 64);
        for (node, line) in view.nodes().zip(&self.lines) {
            if let (false, Some(line)) = (node.in_handshake(), line) {
                out.push_str(&line.text);
            }
        }
        write_vars_line(view, &mut out);
        out
    }
}

/// A parsed nodes.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedConfig {
    /// The view the file describes, with the file's ping/pong/link fields.
    pub view: ClusterView,
    /// Things Redis logs and skips (unknown `vars` variables), one a line.
    pub warnings: Vec<String>,
}

/// Why a nodes.conf cannot be loaded. The server must refuse to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodesConfError {
    /// 1-based line number, or `None` for a problem with the whole file.
    pub line: Option<usize>,
    /// What is wrong.
    pub problem: Problem,
}

impl fmt::Display for NodesConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(n) => write!(
                f,
                "corrupted cluster config file, line {n}: {}",
                self.problem
            ),
            None => write!(f, "corrupted cluster config file: {}", self.problem),
        }
    }
}

impl std::error::Error for NodesConfError {}

/// The problems [`NodesConfError`] reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A quote is not closed, or a closing quote is followed by a non-space.
    #[error("unbalanced quotes")]
    UnbalancedQuotes,
    /// The line is not UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// A `vars` line whose variables and values do not pair up.
    #[error("'vars' needs a value for every variable")]
    VarsUnpaired,
    /// A node line with fewer than 8 fields.
    #[error("a node line needs at least 8 fields, found {0}")]
    TooFewFields(usize),
    /// A node id that is not 40 characters of `a-z0-9`.
    #[error("invalid node id '{0}'")]
    BadNodeId(String),
    /// The address field has no `:`.
    #[error("invalid address '{0}'")]
    BadAddress(String),
    /// The IP does not fit Redis's 46-byte buffer.
    #[error("IP address '{0}' is too long")]
    IpTooLong(String),
    /// A field that must be a decimal number is not one (or is out of range).
    #[error("invalid {field} '{text}'")]
    BadNumber {
        /// Which field.
        field: &'static str,
        /// The text found.
        text: String,
    },
    /// A flag name Redis does not know.
    #[error("unknown flag '{0}'")]
    UnknownFlag(String),
    /// A second node flagged `myself`.
    #[error("node {0} is flagged myself, but another node already is")]
    SecondMyself(String),
    /// Two lines for one node id.
    #[error("node {0} appears on two lines")]
    DuplicateNode(String),
    /// A node named as its own primary.
    #[error("node {0} is named as its own primary")]
    OwnPrimary(String),
    /// A slot field that is not `N`, `A-B`, `[N->-id]` or `[N-<-id]`, or a
    /// slot number not below 16384.
    #[error("invalid slot field '{0}'")]
    BadSlot(String),
    /// No node is flagged `myself`.
    #[error("no node is flagged myself")]
    NoMyself,
}

fn err(line: usize, problem: Problem) -> NodesConfError {
    NodesConfError {
        line: Some(line),
        problem,
    }
}

/// One node line, parsed but not yet linked to the others.
struct NodeRecord {
    line: usize,
    node: Node,
    primary: Option<NodeId>,
    slots: Vec<SlotRange>,
    open: Vec<(Slot, bool, NodeId)>,
}

/// Parses a nodes.conf text (see the module docs for the rules).
pub fn parse_nodes_conf(text: &[u8]) -> Result<LoadedConfig, NodesConfError> {
    let mut records: Vec<NodeRecord> = Vec::new();
    let mut warnings = Vec::new();
    let mut current_epoch = Epoch(0);
    let mut last_vote_epoch = Epoch(0);

    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let line = i + 1;
        let args = split_args(raw).ok_or(err(line, Problem::UnbalancedQuotes))?;
        if args.is_empty() {
            continue;
        }
        let args: Vec<String> = args
            .into_iter()
            .map(String::from_utf8)
            .collect::<Result<_, _>>()
            .map_err(|_| err(line, Problem::NotUtf8))?;
        if args[0].eq_ignore_ascii_case("vars") {
            if args.len() % 2 == 0 {
                return Err(err(line, Problem::VarsUnpaired));
            }
            for pair in args[1..].chunks(2) {
                let (name, value) = (&pair[0], &pair[1]);
                let target = if name.eq_ignore_ascii_case("currentEpoch") {
                    &mut current_epoch
                } else if name.eq_ignore_ascii_case("lastVoteEpoch") {
                    &mut last_vote_epoch
                } else {
                    warnings.push(format!("Skipping unknown cluster config variable '{name}'"));
                    continue;
                };
                *target = Epoch(number(line, name_of_var(name), value)?);
            }
            continue;
        }
        records.push(parse_node_line(line, &args)?);
    }
    build_view(records, current_epoch, last_vote_epoch).map(|view| LoadedConfig { view, warnings })
}

fn name_of_var(name: &str) -> &'static str {
    if name.eq_ignore_ascii_case("currentEpoch") {
        "currentEpoch"
    } else {
        "lastVoteEpoch"
    }
}

/// Applies what the 7.0 loader does to the timing fields it reads: a
/// non-zero ping or pong time becomes `now`, a FAIL node failed `now`, every
/// node was created `now`, and no link exists yet.
pub fn prepare_loaded_view(view: &mut ClusterView, now: Millis) {
    for n in view.nodes_mut() {
        if n.ping_sent != Millis(0) {
            n.ping_sent = now;
        }
        if n.pong_received != Millis(0) {
            n.pong_received = now;
        }
        if n.is_failed() {
            n.fail_time = now;
        }
        n.created = now;
        n.link = LinkState::Disconnected;
    }
}

fn number(line: usize, field: &'static str, text: &str) -> Result<u64, NodesConfError> {
    let bad = || {
        err(
            line,
            Problem::BadNumber {
                field,
                text: text.to_string(),
            },
        )
    };
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse().map_err(|_| bad())
}

fn port(line: usize, field: &'static str, text: &str) -> Result<u16, NodesConfError> {
    let n = number(line, field, text)?;
    u16::try_from(n).map_err(|_| {
        err(
            line,
            Problem::BadNumber {
                field,
                text: text.to_string(),
            },
        )
    })
}

fn node_id(line: usize, text: &str) -> Result<NodeId, NodesConfError> {
    NodeId::parse(text.as_bytes()).map_err(|_| err(line, Problem::BadNodeId(text.to_string())))
}

fn slot_number(line: usize, field: &str, text: &str) -> Result<Slot, NodesConfError> {
    let bad = || err(line, Problem::BadSlot(field.to_string()));
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    text.parse::<u16>().ok().and_then(Slot::new).ok_or_else(bad)
}

/// Longest IP text Redis's 46-byte buffer holds (with its NUL).
const IP_TEXT_MAX: usize = 45;

fn parse_node_line(line: usize, args: &[String]) -> Result<NodeRecord, NodesConfError> {
    if args.len() < 8 {
        return Err(err(line, Problem::TooFewFields(args.len())));
    }
    let mut node = Node::new(node_id(line, &args[0])?);

    // ip:port[@cport][,hostname]; the hostname is cut at the first comma,
    // the port at the last colon (IPv6 addresses are written unbracketed).
    let (addr, hostname) = match args[1].split_once(',') {
        Some((a, h)) => (a, h),
        None => (args[1].as_str(), ""),
    };
    let (ip, ports) = addr
        .rsplit_once(':')
        .ok_or_else(|| err(line, Problem::BadAddress(args[1].clone())))?;
    if ip.len() > IP_TEXT_MAX {
        return Err(err(line, Problem::IpTooLong(ip.to_string())));
    }
    let (data_port, bus_port) = match ports.split_once('@') {
        Some((p, b)) => (port(line, "port", p)?, port(line, "bus port", b)?),
        None => {
            let p = port(line, "port", ports)?;
            // Files from before the bus port was written: the default offset.
            let b = p.checked_add(10000).ok_or_else(|| {
                err(
                    line,
                    Problem::BadNumber {
                        field: "port",
                        text: ports.to_string(),
                    },
                )
            })?;
            (p, b)
        }
    };
    node.ip = ip.to_string();
    node.hostname = hostname.to_string();
    node.port = data_port;
    node.cport = bus_port;

    for name in args[2].split(',') {
        let flag =
            flag_by_name(name).ok_or_else(|| err(line, Problem::UnknownFlag(name.to_string())))?;
        node.flags.insert(flag);
    }

    let primary = if args[3].starts_with('-') {
        None
    } else {
        Some(node_id(line, &args[3])?)
    };
    node.ping_sent = Millis(number(line, "ping_sent", &args[4])?);
    node.pong_received = Millis(number(line, "pong_received", &args[5])?);
    node.config_epoch = Epoch(number(line, "configEpoch", &args[6])?);
    // Redis ignores this field when loading; it is kept so the file renders
    // back to the same bytes (see `prepare_loaded_view`).
    node.link = if args[7] == "connected" {
        LinkState::Connected
    } else {
        LinkState::Disconnected
    };

    let mut slots = Vec::new();
    let mut open = Vec::new();
    for field in &args[8..] {
        if let Some(inner) = field.strip_prefix('[') {
            let bad = || err(line, Problem::BadSlot(field.clone()));
            let inner = inner.strip_suffix(']').ok_or_else(bad)?;
            let (slot_text, rest) = inner.split_once('-').ok_or_else(bad)?;
            let (migrating, peer) = if let Some(p) = rest.strip_prefix(">-") {
                (true, p)
            } else if let Some(p) = rest.strip_prefix("<-") {
                (false, p)
            } else {
                return Err(bad());
            };
            let slot = slot_number(line, field, slot_text)?;
            open.push((slot, migrating, node_id(line, peer)?));
        } else if let Some((a, b)) = field.split_once('-') {
            let (start, end) = (slot_number(line, field, a)?, slot_number(line, field, b)?);
            // A reversed range adds nothing, as in Redis.
            if let Some(r) = SlotRange::new(start, end) {
                slots.push(r);
            }
        } else {
            slots.push(SlotRange::single(slot_number(line, field, field)?));
        }
    }
    Ok(NodeRecord {
        line,
        node,
        primary,
        slots,
        open,
    })
}

fn build_view(
    records: Vec<NodeRecord>,
    current_epoch: Epoch,
    last_vote_epoch: Epoch,
) -> Result<ClusterView, NodesConfError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut myself = None;
    for (i, r) in records.iter().enumerate() {
        if !seen.insert(r.node.id()) {
            return Err(err(r.line, Problem::DuplicateNode(r.node.id().to_string())));
        }
        if r.node.is_myself() {
            if myself.is_some() {
                return Err(err(r.line, Problem::SecondMyself(r.node.id().to_string())));
            }
            myself = Some(i);
        }
        if r.primary == Some(r.node.id()) {
            return Err(err(r.line, Problem::OwnPrimary(r.node.id().to_string())));
        }
    }
    let myself = myself.ok_or(NodesConfError {
        line: None,
        problem: Problem::NoMyself,
    })?;

    // Peers named without a line of their own become empty nodes, after the
    // file's nodes, in order of first mention.
    let mut placeholders = Vec::new();
    for r in &records {
        let mentioned = r.primary.iter().chain(r.open.iter().map(|(_, _, id)| id));
        for id in mentioned {
            if seen.insert(*id) {
                placeholders.push(Node::new(*id));
            }
        }
    }
    let links: Vec<_> = records
        .iter()
        .map(|r| (r.node.id(), r.primary, r.slots.clone(), r.open.clone()))
        .collect();
    let mut nodes: Vec<Node> = records.into_iter().map(|r| r.node).collect();
    nodes.extend(placeholders);
    let mut view =
        ClusterView::with_table(nodes, myself).expect("ids were checked unique, one myself");

    for (id, primary, slots, open) in links {
        if let Some(p) = primary {
            view.attach_replica(&id, &p)
                .expect("both nodes are in the table");
            let n = view.node_mut(&id).expect("in the table");
            if n.is_replica() {
                // A replica's own configEpoch is stale; its primary's counts.
                n.config_epoch = Epoch(0);
            }
        }
        for r in slots {
            for s in r.slots() {
                // The first claim wins, as Redis's "add slot" refuses a busy slot.
                let _ = view.assign_slot(s, &id);
            }
        }
        for (slot, migrating, peer) in open {
            let result = if migrating {
                view.set_migrating(slot, Some(&peer))
            } else {
                view.set_importing(slot, Some(&peer))
            };
            result.expect("peers were added as placeholders");
        }
    }
    view.current_epoch = current_epoch;
    view.last_vote_epoch = last_vote_epoch;
    // Protection against hand edits: currentEpoch is never below a configEpoch.
    view.current_epoch = view.max_config_epoch();
    Ok(view)
}

/// Splits a line into arguments the way Redis splits config lines: blanks
/// separate arguments; `"..."` takes `\n \r \t \b \a \\ \"` and `\xHH`
/// escapes; `'...'` takes `\'`; a closing quote must be followed by a blank
/// or the end. Returns `None` for unbalanced quotes.
fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let is_blank = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_blank(line[i]) {
            i += 1;
        }
        if i == line.len() {
            return Some(out);
        }
        let mut cur = Vec::new();
        let (mut in_double, mut in_single) = (false, false);
        loop {
            let c = line.get(i).copied();
            if in_double {
                let c = c?;
                if c == b'\\' && line.get(i + 1) == Some(&b'x') {
                    let hex = |b: Option<&u8>| b.and_then(|b| (*b as char).to_digit(16));
                    if let (Some(h), Some(l)) = (hex(line.get(i + 2)), hex(line.get(i + 3))) {
                        cur.push((h * 16 + l) as u8);
                        i += 4;
                        continue;
                    }
                }
                if c == b'\\' && i + 1 < line.len() {
                    cur.push(match line[i + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    i += 2;
                    continue;
                }
                if c == b'"' {
                    // The closing quote must end the argument.
                    if line.get(i + 1).is_some_and(|&b| !is_blank(b)) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                cur.push(c);
                i += 1;
            } else if in_single {
                let c = c?;
                if c == b'\\' && line.get(i + 1) == Some(&b'\'') {
                    cur.push(b'\'');
                    i += 2;
                    continue;
                }
                if c == b'\'' {
                    if line.get(i + 1).is_some_and(|&b| !is_blank(b)) {
                        return None;
                    }
                    i += 1;
                    break;
                }
                cur.push(c);
                i += 1;
            } else {
                match c {
                    None => break,
                    Some(b) if is_blank(b) => break,
                    Some(b'"') => in_double = true,
                    Some(b'\'') => in_single = true,
                    Some(b) => cur.push(b),
                }
                i += 1;
            }
        }
        out.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::OpenSlot;

    const EXAMPLE: &str = "\
4c975bca3dbe357236914cd9a70592247922ad40 127.0.0.1:7103@17103 slave 1840d5044cdd1ef786143b6d285e9c45be3960c3 0 1795595838000 10 connected
1840d5044cdd1ef786143b6d285e9c45be3960c3 127.0.0.1:7102@17102,host-7102.example master - 0 1795595837000 10 connected 10923-16383
eec51ccafe6d75b3777f1599f84f73f5065180ec 127.0.0.1:7100@17100 myself,master - 0 1795595838000 8 connected 0-5060 5062-5460
vars currentEpoch 10 lastVoteEpoch 10
";

    fn parse(text: &str) -> Result<LoadedConfig, NodesConfError> {
        parse_nodes_conf(text.as_bytes())
    }

    fn problem(text: &str) -> (Option<usize>, Problem) {
        let e = parse(text).unwrap_err();
        (e.line, e.problem)
    }

    #[test]
    fn spec_example_round_trips_and_links_the_replica() {
        let loaded = parse(EXAMPLE).unwrap();
        let v = &loaded.view;
        v.check_invariants();
        assert_eq!(render_nodes_conf(v), EXAMPLE);
        let replica = v
            .lookup(b"4c975bca3dbe357236914cd9a70592247922ad40")
            .unwrap();
        assert_eq!(replica.config_epoch, Epoch(0), "replica epochs load as 0");
        assert_eq!(v.slot_count_of(&v.myself_id()), 5460);
        assert_eq!(v.current_epoch, Epoch(10));
        assert!(loaded.warnings.is_empty());
    }

    #[test]
    fn loader_accepts_what_redis_accepts() {
        let text = "\n  \nVARS currentepoch 3 lastVoteEpoch 1 futureVar 9\n\
            eec51ccafe6d75b3777f1599f84f73f5065180ec ::1:7100 MYSELF,Master - 0 0 2 connected 5 9-7 [7->-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n";
        let loaded = parse(text).unwrap();
        let v = &loaded.view;
        let me = v.myself();
        assert_eq!((me.ip.as_str(), me.port, me.cport), ("::1", 7100, 17100));
        assert_eq!(
            v.slot_count_of(&me.id()),
            1,
            "a reversed range adds nothing"
        );
        assert_eq!(
            v.node_count(),
            2,
            "the migration peer becomes an empty node"
        );
        let peer = v
            .lookup(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            .unwrap();
        assert_eq!(peer.flags, crate::view::NodeFlags::empty());
        assert_eq!(
            v.open_slots(),
            [(Slot::new(7).unwrap(), OpenSlot::Migrating(peer.id()))]
        );
        assert_eq!((v.current_epoch, v.last_vote_epoch), (Epoch(3), Epoch(1)));
        assert_eq!(
            loaded.warnings,
            ["Skipping unknown cluster config variable 'futureVar'"]
        );
    }

    #[test]
    fn current_epoch_is_raised_to_the_greatest_config_epoch() {
        let text =
            "eec51ccafe6d75b3777f1599f84f73f5065180ec :0@0 myself,master - 0 0 12 connected\n\
                    vars currentEpoch 3 lastVoteEpoch 0\n";
        assert_eq!(parse(text).unwrap().view.current_epoch, Epoch(12));
    }

    #[test]
    fn errors_name_the_line_and_problem() {
        let me = "eec51ccafe6d75b3777f1599f84f73f5065180ec";
        let cases: Vec<(String, (Option<usize>, Problem))> = vec![
            (
                format!("{me} :0@0 myself,master - 0 0\n"),
                (Some(1), Problem::TooFewFields(6)),
            ),
            (
                format!("\n{me} :0@0 myself,boss - 0 0 0 connected\n"),
                (Some(2), Problem::UnknownFlag("boss".into())),
            ),
            (
                format!("{me} nocolon myself - 0 0 0 connected\n"),
                (Some(1), Problem::BadAddress("nocolon".into())),
            ),
            (
                format!("{me} :x myself - 0 0 0 connected\n"),
                (
                    Some(1),
                    Problem::BadNumber {
                        field: "port",
                        text: "x".into(),
                    },
                ),
            ),
            (
                format!("{me} :1@70000 myself - 0 0 0 connected\n"),
                (
                    Some(1),
                    Problem::BadNumber {
                        field: "bus port",
                        text: "70000".into(),
                    },
                ),
            ),
            (
                format!("{me} :1@2 myself - 0 0 0 connected 16384\n"),
                (Some(1), Problem::BadSlot("16384".into())),
            ),
            (
                format!("{me} :1@2 myself - 0 0 0 connected [5-x-{me}]\n"),
                (Some(1), Problem::BadSlot(format!("[5-x-{me}]"))),
            ),
            (
                format!("{me} :1@2 myself - 0 0 0 connected \"5\n"),
                (Some(1), Problem::UnbalancedQuotes),
            ),
            (
                format!("{me} :1@2 myself ABC 0 0 0 connected\n"),
                (Some(1), Problem::BadNodeId("ABC".into())),
            ),
            (
                format!("{me} :1@2 myself,slave {me} 0 0 0 connected\n"),
                (Some(1), Problem::OwnPrimary(me.into())),
            ),
            (
                format!("{me} :1@2 myself - 0 0 0 c\n{me} :1@2 master - 0 0 0 c\n"),
                (Some(2), Problem::DuplicateNode(me.into())),
            ),
            (
                "vars currentEpoch 1 lastVoteEpoch\n".to_string(),
                (Some(1), Problem::VarsUnpaired),
            ),
            (
                "vars currentEpoch -1\n".to_string(),
                (
                    Some(1),
                    Problem::BadNumber {
                        field: "currentEpoch",
                        text: "-1".into(),
                    },
                ),
            ),
            (
                "vars currentEpoch 0 lastVoteEpoch 0\n".to_string(),
                (None, Problem::NoMyself),
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(problem(&text), expected, "for {text:?}");
        }
        let e = parse("vars currentEpoch x\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "corrupted cluster config file, line 1: invalid currentEpoch 'x'"
        );
    }

    #[test]
    fn split_args_handles_quotes_like_redis() {
        let s = |t: &str| {
            split_args(t.as_bytes()).map(|v| {
                v.into_iter()
                    .map(|a| String::from_utf8(a).unwrap())
                    .collect::<Vec<_>>()
            })
        };
        assert_eq!(
            s("  a  b\tc\r\n"),
            Some(vec!["a".into(), "b".into(), "c".into()])
        );
        assert_eq!(
            s(r#""x\x41\n" 'it\'s'"#),
            Some(vec!["xA\n".into(), "it's".into()])
        );
        assert_eq!(s(r#"ab"c d"e"#), None, "closing quote followed by a letter");
        assert_eq!(s(r#"ab"c d" e"#), Some(vec!["abc d".into(), "e".into()]));
        assert_eq!(s("'open"), None);
        assert_eq!(s(""), Some(vec![]));
    }

    #[test]
    fn prepare_restamps_like_the_loader() {
        let mut v = parse(EXAMPLE).unwrap().view;
        v.myself_mut().flags.insert(crate::view::NodeFlags::FAIL);
        prepare_loaded_view(&mut v, Millis(42));
        for n in v.nodes() {
            assert_eq!(n.pong_received, Millis(42));
            assert_eq!(n.ping_sent, Millis(0));
            assert_eq!(n.link, LinkState::Disconnected);
        }
        assert_eq!(v.myself().fail_time, Millis(42));
    }
}
