//! `--cluster map host:port`: Shoal's own picture of a cluster in the
//! terminal — which primary serves which slots, its replicas, node health,
//! and the cluster bus links that are down.
//!
//! Everything comes from the given node's CLUSTER NODES (so failed nodes
//! are shown too, unlike `check`), plus `CLUSTER BUS LIST` from every node
//! that answers: one line per link, `peer=<id> addr=<ip:port> dir=to|from
//! ... state=<connected|connecting> ...`. A node that does not know that
//! command (a real Redis node) is listed as not reporting its links.
//!
//! ```text
//! >>> Slot map (using node 127.0.0.1:7000)
//!         0               4096            8192            12288          16383
//! slots   AAAAAAAAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCCCCCCC
//!         (one mark = 256 slots; . unassigned, * shared)
//! A  M: 07c37dfe... 127.0.0.1:7000  5461 slots [0-5460]  ok
//!      S: e7d1eecc... 127.0.0.1:7003  ok
//! ...
//! >>> Bus links
//! 127.0.0.1:7000  6 links, all connected
//! [OK] All nodes are healthy and all reported links are connected.
//! ```
//!
//! Exit code 0 when every node is healthy and every reported link is
//! connected, 1 otherwise (or when the node cannot be read).

use shoal_resp::frame::Frame;

use super::manager::{
    error_of, host_from_args, parse_address, ranges, text_of, Manager, Node, INVALID_HOST_ARG,
    SLOTS,
};
use crate::args::Options;

/// Columns of the slot bar.
const COLUMNS: usize = 64;
/// Marks for primaries, in order.
const MARKS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// One node as the starting node lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapNode {
    /// Node id.
    pub id: String,
    /// `ip:port`.
    pub addr: String,
    /// Flags, `myself` removed.
    pub flags: Vec<String>,
    /// Primary id for a replica.
    pub primary: Option<String>,
    /// `connected` / `disconnected`.
    pub link: String,
    /// Slots served (open-slot words ignored).
    pub slots: Vec<bool>,
}

impl MapNode {
    fn is_replica(&self) -> bool {
        self.flags.iter().any(|f| f == "slave")
    }

    /// `ok`, or the problems: failed, suspected, handshake, no address,
    /// link down.
    pub fn health(&self) -> String {
        let mut problems: Vec<&str> = Vec::new();
        for f in &self.flags {
            match f.as_str() {
                "fail" => problems.push("FAIL"),
                "fail?" => problems.push("PFAIL (suspected)"),
                "handshake" => problems.push("handshake"),
                "noaddr" => problems.push("no address"),
                _ => {}
            }
        }
        if self.link == "disconnected" && !self.flags.iter().any(|f| f == "myself") {
            problems.push("link disconnected");
        }
        if problems.is_empty() {
            "ok".into()
        } else {
            problems.join(", ")
        }
    }
}

/// Parses CLUSTER NODES text.
pub fn parse_nodes(text: &str) -> Vec<MapNode> {
    let mut out = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.len() < 8 {
            continue;
        }
        let addr = match parse_address(fields[1]) {
            Some((ip, port, _)) => format!("{ip}:{port}"),
            None => fields[1].to_owned(),
        };
        let flags: Vec<String> = fields[2].split(',').map(str::to_owned).collect();
        let mut slots = vec![false; SLOTS];
        for def in &fields[8..] {
            if def.starts_with('[') || def.is_empty() {
                continue;
            }
            let (a, b) = def.split_once('-').unwrap_or((def, def));
            let (a, b) = (
                crate::uri::atoi(a.as_bytes()),
                crate::uri::atoi(b.as_bytes()),
            );
            for s in a.max(0)..=b.min(SLOTS as i64 - 1) {
                slots[s as usize] = true;
            }
        }
        out.push(MapNode {
            id: fields[0].to_owned(),
            addr,
            primary: (fields[3] != "-").then(|| fields[3].to_owned()),
            link: fields[7].to_owned(),
            flags,
            slots,
        });
    }
    out
}

/// What one node said about its bus links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkReport {
    /// The node could not be reached.
    Unreachable(String),
    /// The node does not have `CLUSTER BUS LIST` (e.g. Redis).
    NotSupported,
    /// The links, one `key=value ...` line each.
    Links(Vec<String>),
}

/// A `key=value` field of a BUS LIST line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ')
        .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
}

/// Draws the map. Returns the text and whether all is healthy.
pub fn render(
    start: &str,
    nodes: &[MapNode],
    links: &[(String, LinkReport)],
    color: bool,
) -> (String, bool) {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    let mut healthy = true;
    out.push_str(&paint(
        "29;1m",
        &format!(">>> Slot map (using node {start})"),
    ));
    out.push('\n');

    // Primaries with slots, by first slot; each gets a mark.
    let mut primaries: Vec<&MapNode> = nodes
        .iter()
        .filter(|n| !n.is_replica() && n.slots.iter().any(|s| *s))
        .collect();
    primaries.sort_by_key(|n| n.slots.iter().position(|s| *s));
    let mark_of = |i: usize| MARKS.get(i).copied().unwrap_or(b'#') as char;

    let mut owner: Vec<Option<usize>> = vec![None; SLOTS];
    let mut shared = vec![false; SLOTS];
    for (i, p) in primaries.iter().enumerate() {
        for (s, on) in p.slots.iter().enumerate() {
            if *on {
                if owner[s].is_some() {
                    shared[s] = true;
                }
                owner[s] = Some(i);
            }
        }
    }
    let per = SLOTS / COLUMNS;
    let mut scale = String::from("        ");
    for label in ["0", "4096", "8192", "12288"] {
        scale.push_str(&format!("{label:<16}"));
    }
    out.push_str(scale.trim_end());
    out.push_str(&format!(
        "{:>width$}\n",
        "16383",
        width = 8 + COLUMNS - scale.trim_end().len()
    ));
    let mut bar = String::from("slots   ");
    for c in 0..COLUMNS {
        let cell = c * per..(c + 1) * per;
        let mut counts = vec![0usize; primaries.len()];
        let mut empty = 0;
        for s in cell.clone() {
            match owner[s] {
                Some(o) => counts[o] += 1,
                None => empty += 1,
            }
        }
        let majority = (0..counts.len())
            .filter(|&o| counts[o] > 0)
            .max_by_key(|&o| counts[o]);
        let ch = if cell.clone().any(|s| shared[s]) {
            '*'
        } else {
            match majority {
                None => '.',
                // Partly unassigned: lower case.
                Some(o) if empty > 0 => mark_of(o).to_ascii_lowercase(),
                Some(o) => mark_of(o),
            }
        };
        bar.push(ch);
    }
    out.push_str(&bar);
    out.push('\n');
    out.push_str(&format!(
        "        (one mark = {per} slots, shown as its main owner; lower case: partly\n        unassigned; . unassigned; * claimed by two primaries)\n"
    ));
    let unassigned = owner.iter().filter(|o| o.is_none()).count();
    if unassigned > 0 {
        healthy = false;
        let mut missing = vec![false; SLOTS];
        for (s, o) in owner.iter().enumerate() {
            missing[s] = o.is_none();
        }
        out.push_str(&paint(
            "31;1m",
            &format!(
                "[ERR] {unassigned} slots are not served: {}",
                range_text(&missing)
            ),
        ));
        out.push('\n');
    }

    let short = |id: &str| format!("{}...", id.chars().take(8).collect::<String>());
    let replicas_of = |id: &str| -> Vec<&MapNode> {
        nodes
            .iter()
            .filter(|n| n.is_replica() && n.primary.as_deref() == Some(id))
            .collect()
    };
    let health_line = |n: &MapNode, healthy: &mut bool| {
        let h = n.health();
        if h == "ok" {
            paint("32;1m", "ok")
        } else {
            *healthy = false;
            paint("31;1m", &h)
        }
    };
    for (i, p) in primaries.iter().enumerate() {
        let count = p.slots.iter().filter(|s| **s).count();
        let h = health_line(p, &mut healthy);
        out.push_str(&format!(
            "{}  M: {} {}  {count} slots {}  {h}\n",
            mark_of(i),
            short(&p.id),
            p.addr,
            range_text(&p.slots)
        ));
        for r in replicas_of(&p.id) {
            let h = health_line(r, &mut healthy);
            out.push_str(&format!("     S: {} {}  {h}\n", short(&r.id), r.addr));
        }
    }
    let listed: Vec<&str> = primaries
        .iter()
        .flat_map(|p| {
            std::iter::once(p.id.as_str())
                .chain(replicas_of(&p.id).into_iter().map(|r| r.id.as_str()))
        })
        .collect();
    let rest: Vec<&MapNode> = nodes
        .iter()
        .filter(|n| !listed.contains(&n.id.as_str()))
        .collect();
    if !rest.is_empty() {
        out.push_str("   Nodes serving no slots:\n");
        for n in rest {
            let h = health_line(n, &mut healthy);
            let role = if n.is_replica() {
                format!(
                    "S: {} {}  replicates {}",
                    short(&n.id),
                    n.addr,
                    n.primary.as_deref().map(short).unwrap_or_default()
                )
            } else {
                format!("M: {} {}", short(&n.id), n.addr)
            };
            out.push_str(&format!("   {role}  {h}\n"));
        }
    }

    out.push_str(&paint("29;1m", ">>> Bus links"));
    out.push('\n');
    let mut reported = 0;
    let mut down_total = 0;
    for (addr, report) in links {
        match report {
            LinkReport::Unreachable(e) => {
                healthy = false;
                out.push_str(&paint("31;1m", &format!("{addr}  [ERR] unreachable: {e}")));
                out.push('\n');
            }
            LinkReport::NotSupported => {
                out.push_str(&format!(
                    "{addr}  (does not report its links: no CLUSTER BUS LIST)\n"
                ));
            }
            LinkReport::Links(lines) => {
                reported += 1;
                let down: Vec<&String> = lines
                    .iter()
                    .filter(|l| field(l, "state") != Some("connected"))
                    .collect();
                if down.is_empty() {
                    out.push_str(&format!("{addr}  {} links, all connected\n", lines.len()));
                    continue;
                }
                healthy = false;
                down_total += down.len();
                out.push_str(&format!(
                    "{addr}  {} links, {} down:\n",
                    lines.len(),
                    down.len()
                ));
                for l in down {
                    let arrow = if field(l, "dir") == Some("from") {
                        "<-"
                    } else {
                        "->"
                    };
                    let peer = field(l, "peer").unwrap_or("-");
                    let peer = if peer == "-" {
                        peer.to_owned()
                    } else {
                        short(peer)
                    };
                    out.push_str(&paint(
                        "33;1m",
                        &format!(
                            "    {arrow} {} ({peer}) state={}",
                            field(l, "addr").unwrap_or("?"),
                            field(l, "state").unwrap_or("?")
                        ),
                    ));
                    out.push('\n');
                }
            }
        }
    }
    if healthy {
        out.push_str(&paint(
            "32;1m",
            "[OK] All nodes are healthy and all reported links are connected.",
        ));
    } else {
        out.push_str(&paint(
            "33;1m",
            &format!("[WARNING] Problems found ({down_total} bus link(s) down, {reported} node(s) reporting links)."),
        ));
    }
    out.push('\n');
    (out, healthy)
}

/// `0-5460,7000` for the set bits.
fn range_text(slots: &[bool]) -> String {
    ranges(slots)
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Runs `map`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let m = Manager::new(options);
    let mut start = Node::new(&ip, port, 0);
    if !m.connect(&mut start) {
        return false;
    }
    match Manager::is_cluster(&mut start) {
        Ok(true) => {}
        Ok(false) => {
            m.not_cluster_error(&start, None);
            return false;
        }
        Err(e) => {
            m.not_cluster_error(&start, e);
            return false;
        }
    }
    let text = match start.command(&["CLUSTER", "NODES"]) {
        Some(f) => match (text_of(&f), error_of(&f)) {
            (Some(t), _) => t,
            (None, Some(e)) => {
                m.reply_error(&start, &e);
                return false;
            }
            _ => return false,
        },
        None => return false,
    };
    let nodes = parse_nodes(&text);
    let mut links = Vec::new();
    for n in &nodes {
        if n.flags.iter().any(|f| f == "noaddr" || f == "handshake") {
            continue;
        }
        links.push((n.addr.clone(), bus_list(&m, n)));
    }
    let (out, healthy) = render(&format!("{ip}:{port}"), &nodes, &links, m.color);
    print!("{out}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    healthy
}

/// Asks one node for its links.
fn bus_list(m: &Manager, n: &MapNode) -> LinkReport {
    let Some((ip, port, _)) = parse_address(&n.addr) else {
        return LinkReport::Unreachable("bad address".into());
    };
    let endpoint = crate::connection::Endpoint::Tcp { host: ip, port };
    let mut conn = match crate::connection::Connection::open(&endpoint) {
        Ok(c) => c,
        Err(e) => return LinkReport::Unreachable(e.to_string()),
    };
    if let Some((user, pass)) = &m.auth {
        let mut args: Vec<Vec<u8>> = vec![b"AUTH".to_vec()];
        args.extend(user.iter().cloned());
        args.push(pass.clone());
        match conn.call(&args) {
            Ok(Frame::Error(e)) => {
                return LinkReport::Unreachable(String::from_utf8_lossy(&e).into_owned())
            }
            Err(e) => return LinkReport::Unreachable(e.to_string()),
            Ok(_) => {}
        }
    }
    match conn.call(&["CLUSTER", "BUS", "LIST"]) {
        Ok(f) => match text_of(&f) {
            Some(t) => LinkReport::Links(
                t.lines()
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
            None => LinkReport::NotSupported,
        },
        Err(e) => LinkReport::Unreachable(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
aaaaaaaa11111111111111111111111111111111 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191
bbbbbbbb22222222222222222222222222222222 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16000
cccccccc33333333333333333333333333333333 127.0.0.1:7002@17002 slave aaaaaaaa11111111111111111111111111111111 0 0 1 disconnected
dddddddd44444444444444444444444444444444 127.0.0.1:7003@17003 master,fail - 0 0 3 disconnected
";

    #[test]
    fn the_map_shows_owners_gaps_and_problems() {
        let nodes = parse_nodes(NODES);
        assert_eq!(nodes.len(), 4);
        let links = vec![
            (
                "127.0.0.1:7000".to_owned(),
                LinkReport::Links(vec![
                    "peer=bbbbbbbb22222222222222222222222222222222 addr=127.0.0.1:17001 dir=to age_ms=5 state=connected".into(),
                    "peer=cccccccc33333333333333333333333333333333 addr=127.0.0.1:17002 dir=to age_ms=5 state=connecting".into(),
                ]),
            ),
            ("127.0.0.1:7001".to_owned(), LinkReport::NotSupported),
        ];
        let (text, healthy) = render("127.0.0.1:7000", &nodes, &links, false);
        assert!(!healthy);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], ">>> Slot map (using node 127.0.0.1:7000)");
        let bar = lines[2].strip_prefix("slots   ").unwrap();
        assert_eq!(bar.len(), COLUMNS);
        assert_eq!(&bar[..32], "A".repeat(32));
        assert_eq!(&bar[32..62], "B".repeat(30));
        // 16000 ends inside the 63rd mark; the last mark is unassigned.
        assert_eq!(&bar[62..], "b.");
        assert!(
            text.contains("[ERR] 383 slots are not served: 16001-16383"),
            "{text}"
        );
        assert!(
            text.contains("A  M: aaaaaaaa... 127.0.0.1:7000  8192 slots 0-8191  ok"),
            "{text}"
        );
        assert!(
            text.contains("     S: cccccccc... 127.0.0.1:7002  link disconnected"),
            "{text}"
        );
        assert!(
            text.contains("   M: dddddddd... 127.0.0.1:7003  FAIL, link disconnected"),
            "{text}"
        );
        assert!(
            text.contains("    -> 127.0.0.1:17002 (cccccccc...) state=connecting"),
            "{text}"
        );
        assert!(
            text.contains("127.0.0.1:7001  (does not report its links"),
            "{text}"
        );
        assert!(
            text.ends_with("1 bus link(s) down, 1 node(s) reporting links).\n"),
            "{text}"
        );
    }

    #[test]
    fn a_healthy_cluster_says_ok() {
        let text = NODES
            .lines()
            .take(1)
            .collect::<Vec<_>>()
            .join("\n")
            .replace("0-8191", "0-16383");
        let nodes = parse_nodes(&text);
        let (out, healthy) = render("x:1", &nodes, &[], false);
        assert!(healthy, "{out}");
        assert!(out.contains(&"A".repeat(COLUMNS)));
    }
}
