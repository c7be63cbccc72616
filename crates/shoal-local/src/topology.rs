//! The cluster as one node sees it, parsed from `CLUSTER NODES`, and the
//! words shoal-local prints for it (role, slots).
//!
//! ```text
//! <id> <ip>:<port>@<bus-port>[,<hostname>] <flags> <primary-id|-> <ping-sent> <pong-recv> <config-epoch> <link-state> [<slot-range> ...]
//! ```
//!
//! Flags keep Redis's spelling (`master`, `slave`), since that is what the
//! nodes send; the output says primary and replica.

/// One line of `CLUSTER NODES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// The 40-character node id.
    pub id: String,
    /// `ip:port` of the data port.
    pub addr: String,
    /// The data port, 0 if the address has none yet.
    pub port: u16,
    /// The flags, e.g. `myself`, `master`, `slave`, `fail?`, `handshake`.
    pub flags: Vec<String>,
    /// The primary's id, for a replica.
    pub primary_id: Option<String>,
    /// True when the bus link to this node is up (`connected`).
    pub connected: bool,
    /// Owned slots and ranges as written (`0-5460`, `42`); slots being
    /// migrated or imported (`[...]`) are left out.
    pub slots: Vec<String>,
}

impl NodeEntry {
    /// True for a replica (`slave` flag).
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave")
    }

    /// True while the bus handshake with this node is not done.
    pub fn in_handshake(&self) -> bool {
        self.has_flag("handshake") || self.has_flag("noaddr")
    }

    /// `fail` or `fail?` as the observer's verdict, if any.
    pub fn failure_flag(&self) -> Option<&str> {
        self.flags
            .iter()
            .map(String::as_str)
            .find(|f| *f == "fail" || *f == "fail?")
    }

    /// True if the flag is present.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Number of slots owned.
    pub fn slot_count(&self) -> u32 {
        self.slots
            .iter()
            .map(|s| match s.split_once('-') {
                Some((a, b)) => match (a.parse::<u32>(), b.parse::<u32>()) {
                    (Ok(a), Ok(b)) if b >= a => b - a + 1,
                    _ => 0,
                },
                None => u32::from(s.parse::<u32>().is_ok()),
            })
            .sum()
    }
}

/// Parses the `CLUSTER NODES` text; malformed lines are skipped.
pub fn parse_nodes(text: &str) -> Vec<NodeEntry> {
    text.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<NodeEntry> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 8 {
        return None;
    }
    // `ip:port@busport,hostname`: the data address ends at `@`.
    let addr = fields[1].split(['@', ',']).next().unwrap_or("").to_string();
    let port = addr
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(0);
    Some(NodeEntry {
        id: fields[0].to_string(),
        addr,
        port,
        flags: fields[2].split(',').map(str::to_string).collect(),
        primary_id: (fields[3] != "-").then(|| fields[3].to_string()),
        connected: fields[7] == "connected",
        slots: fields[8..]
            .iter()
            .filter(|s| !s.starts_with('['))
            .map(|s| s.to_string())
            .collect(),
    })
}

/// "primary", "replica of 127.0.0.1:7000", plus the observer's failure
/// verdict if there is one.
pub fn role_text(entry: &NodeEntry, all: &[NodeEntry]) -> String {
    let mut role = if entry.is_replica() {
        let primary = entry.primary_id.as_deref().unwrap_or("?");
        let shown = all
            .iter()
            .find(|n| n.id == primary)
            .map(|n| n.addr.clone())
            .unwrap_or_else(|| primary.chars().take(8).collect());
        format!("replica of {shown}")
    } else {
        "primary".to_string()
    };
    if let Some(f) = entry.failure_flag() {
        role.push_str(&format!(" ({f})"));
    }
    role
}

/// "0-5460 (5461 slots)", or "-" for none.
pub fn slots_text(entry: &NodeEntry) -> String {
    if entry.slots.is_empty() {
        return "-".to_string();
    }
    let n = entry.slot_count();
    format!(
        "{} ({n} slot{})",
        entry.slots.join(","),
        if n == 1 { "" } else { "s" }
    )
}

/// Lays out rows under headers in left-aligned columns two spaces apart.
pub fn render_table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                l.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODES: &str = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:7004@17004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:7002@17002,host-b master - 0 1426238316232 2 connected 5461-10922
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 [5461->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:7005@17005 slave,fail? 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 1426238316232 1426238316232 5 disconnected
";

    #[test]
    fn node_lines_give_address_role_and_slots() {
        let nodes = parse_nodes(NODES);
        assert_eq!(nodes.len(), 4);
        let me = &nodes[2];
        assert!(me.has_flag("myself") && !me.is_replica());
        assert_eq!((me.addr.as_str(), me.port), ("127.0.0.1:7000", 7000));
        assert_eq!(me.slots, vec!["0-5460"]);
        assert_eq!(slots_text(me), "0-5460 (5461 slots)");
        assert_eq!(nodes[1].addr, "127.0.0.1:7002");
        assert_eq!(role_text(&nodes[0], &nodes), "replica of 127.0.0.1:7000");
        assert_eq!(
            role_text(&nodes[3], &nodes),
            "replica of 127.0.0.1:7002 (fail?)"
        );
        assert!(!nodes[3].connected);
        assert_eq!(slots_text(&nodes[0]), "-");
    }

    #[test]
    fn single_slots_and_ranges_are_counted() {
        let e = parse_nodes("a 127.0.0.1:1@2 master - 0 0 1 connected 1 3-5 9\n").remove(0);
        assert_eq!(e.slot_count(), 5);
        assert_eq!(slots_text(&e), "1,3-5,9 (5 slots)");
    }

    #[test]
    fn tables_align_columns_and_trim_trailing_space() {
        let t = render_table(&["A", "LONGER"], &[vec!["wide cell".into(), "x".into()]]);
        assert_eq!(t, "A          LONGER\nwide cell  x\n");
    }
}
