//! The cluster manager's shared model: one [`Node`] per server taking part
//! (its connection, id, address, role and the slots it serves), the list of
//! nodes a subcommand works on ([`Manager`]), and the steps several
//! subcommands share: loading the whole cluster from one node, the node
//! listing (`M:` / `S:` blocks), the consistency check, the wait for nodes
//! to agree (the row of dots), and the full check with its `[OK]` / `[ERR]`
//! / `[WARNING]` lines.
//!
//! Everything is printed on standard output, as redis-cli 7.0 prints it;
//! only connection failures and argument errors go to standard error. When
//! `TERM` names an xterm, each log line is wrapped in the same colour
//! escapes redis-cli uses, so the two tools look alike in a terminal.

use std::collections::BTreeMap;
use std::io::Write;

use shoal_resp::frame::Frame;

use crate::args::Options;
use crate::connection::{Connection, Endpoint};

/// Slots in a cluster.
pub const SLOTS: usize = 16384;

/// The message printed for an address argument that does not parse.
pub const INVALID_HOST_ARG: &str = "[ERR] Invalid arguments: you need to pass either a valid address (ie. 120.0.0.1:7000) or space separated IP and port (ie. 120.0.0.1 7000)";

/// How a log line is coloured on a colour terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `>>>` progress lines: bold.
    Info,
    /// Warnings: yellow.
    Warn,
    /// Errors: red.
    Err,
    /// `[OK]` lines: green.
    Ok,
}

impl Level {
    fn escape(self) -> &'static str {
        match self {
            Level::Info => "29;1m",
            Level::Warn => "33;1m",
            Level::Err => "31;1m",
            Level::Ok => "32;1m",
        }
    }
}

/// Whether `TERM` asks for colours (redis-cli's test: it contains "xterm").
pub fn color_terminal() -> bool {
    std::env::var("TERM").is_ok_and(|t| t.contains("xterm"))
}

/// Splits `ip:port[@busport[,hostname]]`. `None` without a colon.
pub fn parse_address(addr: &str) -> Option<(String, u16, u16)> {
    let (addr, bus) = match addr.rfind('@') {
        Some(at) => (
            &addr[..at],
            crate::uri::atoi(&addr.as_bytes()[at + 1..]) as u16,
        ),
        None => (addr, 0),
    };
    let colon = addr.rfind(':')?;
    let port = crate::uri::atoi(&addr.as_bytes()[colon + 1..]) as u16;
    Some((addr[..colon].to_owned(), port, bus))
}

/// The host and port from a subcommand's first arguments: `host:port`, or
/// `host port` when there are two or more words. `None` when either part is
/// missing or the port is 0.
pub fn host_from_args(args: &[Vec<u8>]) -> Option<(String, u16)> {
    let (ip, port) = if args.len() == 1 {
        let text = String::from_utf8_lossy(&args[0]).into_owned();
        let (ip, port, _) = parse_address(&text)?;
        (ip, port)
    } else {
        let ip = String::from_utf8_lossy(args.first()?).into_owned();
        (ip, crate::uri::atoi(args.get(1)?) as u16)
    };
    if ip.is_empty() || port == 0 {
        return None;
    }
    Some((ip, port))
}

/// The text of a status, bulk or verbatim reply.
pub fn text_of(frame: &Frame) -> Option<String> {
    match frame {
        Frame::Simple(t) | Frame::Bulk(t) | Frame::Verbatim { text: t, .. } => {
            Some(String::from_utf8_lossy(t).into_owned())
        }
        _ => None,
    }
}

/// The text of an error reply.
pub fn error_of(frame: &Frame) -> Option<String> {
    match frame {
        Frame::Error(t) | Frame::BlobError(t) => Some(String::from_utf8_lossy(t).into_owned()),
        _ => None,
    }
}

/// A numeric `field:value` line of an INFO-style text; 0 when absent.
pub fn info_field(text: &str, field: &str) -> i64 {
    text.split("\r\n")
        .flat_map(|l| l.split('\n'))
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .map_or(0, |v| crate::uri::atoi(v.as_bytes()))
}

/// The node is a replica.
pub const FLAG_SLAVE: u32 = 1 << 1;
/// The node was found in another node's table.
pub const FLAG_FRIEND: u32 = 1 << 2;
/// `noaddr`.
pub const FLAG_NOADDR: u32 = 1 << 3;
/// `disconnected`.
pub const FLAG_DISCONNECT: u32 = 1 << 4;
/// `fail`.
pub const FLAG_FAIL: u32 = 1 << 5;
const FLAG_MYSELF: u32 = 1;

/// One server of the cluster as the manager knows it.
pub struct Node {
    /// The open connection, once connected.
    pub conn: Option<Connection>,
    /// The 40-character node id (empty until loaded).
    pub name: String,
    /// Address as given or as announced.
    pub ip: String,
    /// Client port.
    pub port: u16,
    /// Cluster bus port.
    pub bus_port: u16,
    /// `FLAG_*` bits.
    pub flags: u32,
    /// The flags as the node itself lists them (`myself,master`).
    pub flags_str: Vec<String>,
    /// The primary's id, for a replica (or a planned replica).
    pub replicate: Option<String>,
    /// Which slots the node serves.
    pub slots: Vec<bool>,
    /// How many.
    pub slots_count: usize,
    /// `(slot, target id)` for slots being migrated away.
    pub migrating: Vec<(String, String)>,
    /// `(slot, source id)` for slots being imported.
    pub importing: Vec<(String, String)>,
    /// Replicas known for this primary.
    pub replicas_count: usize,
    /// A planned configuration not yet sent.
    pub dirty: bool,
    /// The config epoch listed in CLUSTER NODES.
    pub config_epoch: u64,
}

impl Node {
    /// A node not yet connected.
    pub fn new(ip: &str, port: u16, bus_port: u16) -> Node {
        Node {
            conn: None,
            name: String::new(),
            ip: ip.to_owned(),
            port,
            bus_port: if bus_port != 0 {
                bus_port
            } else {
                port.wrapping_add(10000)
            },
            flags: 0,
            flags_str: Vec::new(),
            replicate: None,
            slots: vec![false; SLOTS],
            slots_count: 0,
            migrating: Vec::new(),
            importing: Vec::new(),
            replicas_count: 0,
            dirty: false,
            config_epoch: 0,
        }
    }

    /// A replica.
    pub fn is_replica(&self) -> bool {
        self.flags & FLAG_SLAVE != 0
    }

    /// `ip:port`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.ip, self.port)
    }

    /// Sends a command and returns the reply; `None` when the connection
    /// failed (or was never opened).
    pub fn command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Option<Frame> {
        let conn = self.conn.as_mut()?;
        match conn.call(args) {
            Ok(frame) => Some(frame),
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }

    /// The slot list as redis-cli prints it: `[0-5460],[7000]`.
    pub fn slots_string(&self) -> String {
        slots_string(&self.slots)
    }

    fn reset_slots(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = false);
        self.slots_count = 0;
    }
}

/// `[a-b],[c]` ranges of the set bits of `slots`.
pub fn slots_string(slots: &[bool]) -> String {
    let mut out = String::new();
    for (start, end) in ranges(slots) {
        if !out.is_empty() {
            out.push(',');
        }
        if start == end {
            out.push_str(&format!("[{start}]"));
        } else {
            out.push_str(&format!("[{start}-{end}]"));
        }
    }
    out
}

/// The inclusive ranges of set bits.
pub fn ranges(slots: &[bool]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &on) in slots.iter().enumerate() {
        match (on, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, i - 1));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, slots.len() - 1));
    }
    out
}

/// The nodes a subcommand works on, and how it prints.
pub struct Manager {
    /// The nodes, the starting one first.
    pub nodes: Vec<Node>,
    /// Colour escapes on.
    pub color: bool,
    /// `(user, password)` for AUTH on each connection.
    pub auth: Option<(Option<Vec<u8>>, Vec<u8>)>,
    /// Errors met by the check.
    pub errors: Vec<String>,
    /// Primaries that could not be loaded.
    pub unreachable_masters: usize,
    /// The `--cluster-*` options of this run.
    pub opts: super::ClusterOptions,
    /// `--verbose`.
    pub verbose: bool,
    /// Running as `fix`: the check repairs what it finds.
    pub fix: bool,
    /// The progress line of reshard, rebalance and fix.
    pub progress: super::migrate::Progress,
}

impl Manager {
    /// A manager with the connection settings of `options`.
    pub fn new(options: &Options) -> Manager {
        Manager {
            nodes: Vec::new(),
            color: color_terminal(),
            auth: options.password.clone().map(|p| (options.user.clone(), p)),
            errors: Vec::new(),
            unreachable_masters: 0,
            opts: options.cluster.clone(),
            verbose: options.verbose,
            fix: false,
            progress: super::migrate::Progress::new(),
        }
    }

    /// Whether the flag option `name` (`--cluster-replace`, ...) was given.
    pub fn has_flag(&self, name: &str) -> bool {
        self.opts.flags.iter().any(|f| f == name)
    }

    /// Prints `text` at `level` (stdout, coloured on a colour terminal).
    pub fn log(&self, level: Level, text: &str) {
        self.progress.clear();
        let mut out = std::io::stdout().lock();
        if self.color {
            let _ = write!(out, "\x1b[{}{}\x1b[0m", level.escape(), text);
        } else {
            let _ = write!(out, "{text}");
        }
        let _ = out.flush();
    }

    /// A `>>>` line (`text` without its newline).
    pub fn info(&self, text: &str) {
        self.log(Level::Info, &format!("{text}\n"));
    }

    /// A green line.
    pub fn ok(&self, text: &str) {
        self.log(Level::Ok, &format!("{text}\n"));
    }

    /// A yellow line.
    pub fn warn(&self, text: &str) {
        self.log(Level::Warn, &format!("{text}\n"));
    }

    /// A red line.
    pub fn err(&self, text: &str) {
        self.log(Level::Err, &format!("{text}\n"));
    }

    /// `Node ip:port replied with error:` and the error.
    pub fn reply_error(&self, node: &Node, err: &str) {
        self.err(&format!(
            "Node {}:{} replied with error:\n{err}",
            node.ip, node.port
        ));
    }

    /// Records a check error and prints it.
    pub fn on_error(&mut self, text: String) {
        self.err(&text);
        self.errors.push(text);
    }

    /// Connects `node` (and authenticates). Failures are printed.
    pub fn connect(&self, node: &mut Node) -> bool {
        let endpoint = Endpoint::Tcp {
            host: node.ip.clone(),
            port: node.port,
        };
        match Connection::open(&endpoint) {
            Ok(conn) => node.conn = Some(conn),
            Err(e) => {
                eprintln!(
                    "Could not connect to Redis at {}:{}: {e}",
                    node.ip, node.port
                );
                return false;
            }
        }
        if let Some((user, pass)) = &self.auth {
            let mut args: Vec<Vec<u8>> = vec![b"AUTH".to_vec()];
            args.extend(user.iter().cloned());
            args.push(pass.clone());
            match node.command(&args) {
                Some(Frame::Error(e)) => {
                    self.reply_error(node, &String::from_utf8_lossy(&e));
                    return false;
                }
                None => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// Sends a command, printing an error reply as redis-cli does.
    /// `true` for a reply that is not an error.
    pub fn checked(&self, node: &mut Node, args: &[&str]) -> bool {
        match node.command(args) {
            Some(Frame::Error(e)) => {
                self.reply_error(node, &String::from_utf8_lossy(&e));
                false
            }
            Some(_) => true,
            None => false,
        }
    }

    /// The node's INFO text; `Err(Some(e))` for an error reply.
    fn info_text(node: &mut Node) -> Result<String, Option<String>> {
        match node.command(&["INFO"]) {
            Some(Frame::Error(e)) => Err(Some(String::from_utf8_lossy(&e).into_owned())),
            Some(f) => text_of(&f).ok_or(None),
            None => Err(None),
        }
    }

    /// Whether INFO says `cluster_enabled:1`.
    pub fn is_cluster(node: &mut Node) -> Result<bool, Option<String>> {
        Ok(info_field(&Self::info_text(node)?, "cluster_enabled") != 0)
    }

    /// `[ERR] Node ip:port is not configured as a cluster node.`
    pub fn not_cluster_error(&self, node: &Node, err: Option<String>) {
        let msg = err.unwrap_or_else(|| "is not configured as a cluster node.".into());
        self.err(&format!("[ERR] Node {}:{} {msg}", node.ip, node.port));
    }

    /// `[ERR] Node ip:port is not empty. ...`
    pub fn not_empty_error(&self, node: &Node, err: Option<String>) {
        let msg = err.unwrap_or_else(|| {
            "is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0.".into()
        });
        self.err(&format!("[ERR] Node {}:{} {msg}", node.ip, node.port));
    }

    /// A node is empty when it has no key in db 0 and knows no other node.
    pub fn is_empty(node: &mut Node) -> Result<bool, Option<String>> {
        let info = Self::info_text(node)?;
        if info.contains("db0:") {
            return Ok(false);
        }
        match node.command(&["CLUSTER", "INFO"]) {
            Some(Frame::Error(e)) => Err(Some(String::from_utf8_lossy(&e).into_owned())),
            Some(f) => Ok(info_field(&text_of(&f).unwrap_or_default(), "cluster_known_nodes") == 1),
            None => Ok(false),
        }
    }

    /// Reads the node's own line of CLUSTER NODES into `node` (id, flags,
    /// slots, open slots); with `friends`, also returns every other node
    /// listed, not yet connected. `Err(Some(e))` for an error reply.
    pub fn load_info(node: &mut Node, friends: bool) -> Result<Vec<Node>, Option<String>> {
        let text = match node.command(&["CLUSTER", "NODES"]) {
            Some(Frame::Error(e)) => return Err(Some(String::from_utf8_lossy(&e).into_owned())),
            Some(f) => text_of(&f).ok_or(None)?,
            None => return Err(None),
        };
        let mut others = Vec::new();
        for line in text.split('\n').filter(|l| !l.is_empty()) {
            let fields: Vec<&str> = line.split(' ').collect();
            if fields.len() < 3 {
                return Err(None);
            }
            let Some((ip, port, bus)) = parse_address(fields[1]) else {
                eprintln!("Error: invalid CLUSTER NODES reply");
                return Err(None);
            };
            let myself = fields[2].contains("myself");
            let mut friend = None;
            let current: &mut Node = if myself {
                node.bus_port = bus;
                node.flags |= FLAG_MYSELF;
                node.reset_slots();
                node.migrating.clear();
                node.importing.clear();
                for def in fields.iter().skip(8) {
                    parse_slot_def(node, def);
                }
                node.dirty = false;
                node
            } else if !friends {
                continue;
            } else {
                let mut new = Node::new(&ip, port, bus);
                new.flags |= FLAG_FRIEND;
                friend.insert(new)
            };
            current.name = fields[0].to_owned();
            current.flags_str.clear();
            for flag in fields[2].split(',').filter(|f| !f.is_empty()) {
                match flag {
                    "noaddr" => current.flags |= FLAG_NOADDR,
                    "disconnected" => current.flags |= FLAG_DISCONNECT,
                    "fail" => current.flags |= FLAG_FAIL,
                    "slave" => {
                        current.flags |= FLAG_SLAVE;
                        if let Some(id) = fields.get(3) {
                            current.replicate = Some((*id).to_owned());
                        }
                    }
                    _ => {}
                }
                current.flags_str.push(flag.to_owned());
            }
            if let Some(epoch) = fields.get(6) {
                current.config_epoch = crate::uri::atoi(epoch.as_bytes()) as u64;
            }
            if let Some(friend) = friend {
                others.push(friend);
            }
        }
        Ok(others)
    }

    /// Loads the whole cluster as `node` sees it: `node` first, then every
    /// node it knows that answers and is not failed. Problems are printed;
    /// `false` when the starting node itself cannot be used.
    pub fn load_from_node(&mut self, mut node: Node) -> bool {
        if node.conn.is_none() && !self.connect(&mut node) {
            return false;
        }
        match Self::is_cluster(&mut node) {
            Ok(true) => {}
            Ok(false) => {
                self.not_cluster_error(&node, None);
                return false;
            }
            Err(e) => {
                self.not_cluster_error(&node, e);
                return false;
            }
        }
        let friends = match Self::load_info(&mut node, true) {
            Ok(f) => f,
            Err(e) => {
                if let Some(e) = e {
                    self.reply_error(&node, &e);
                }
                return false;
            }
        };
        self.nodes = vec![node];
        for mut friend in friends {
            let mut valid = !friend.ip.is_empty() && friend.port != 0;
            if valid && friend.conn.is_none() && !self.connect(&mut friend) {
                valid = false;
            }
            if valid {
                match Self::load_info(&mut friend, false) {
                    Ok(_) => {
                        if friend.flags & (FLAG_NOADDR | FLAG_DISCONNECT | FLAG_FAIL) != 0 {
                            valid = false;
                        }
                    }
                    Err(_) => {
                        self.err(&format!(
                            "[ERR] Unable to load info for node {}:{}",
                            friend.ip, friend.port
                        ));
                        valid = false;
                    }
                }
            }
            if valid {
                self.nodes.push(friend);
            } else if !friend.is_replica() {
                self.unreachable_masters += 1;
            }
        }
        self.count_replicas();
        true
    }

    fn count_replicas(&mut self) {
        let mut warnings = Vec::new();
        for i in 0..self.nodes.len() {
            let Some(primary) = self.nodes[i].replicate.clone() else {
                continue;
            };
            match self.nodes.iter().position(|n| n.name == primary) {
                Some(p) => self.nodes[p].replicas_count += 1,
                None => warnings.push(format!(
                    "*** WARNING: {}:{} claims to be slave of unknown node ID {}.",
                    self.nodes[i].ip, self.nodes[i].port, primary
                )),
            }
        }
        for w in warnings {
            self.warn(&w);
        }
    }

    /// The node with this id (case-insensitive).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        self.nodes
            .iter()
            .position(|n| !n.name.is_empty() && n.name == lower)
    }

    /// The primary with the fewest replicas (the first one on ties).
    pub fn least_replicas(&self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.is_replica() {
                continue;
            }
            if best.is_none_or(|b| n.replicas_count < self.nodes[b].replicas_count) {
                best = Some(i);
            }
        }
        best
    }

    /// The `M:` / `S:` block for one node.
    pub fn node_info(node: &Node, indent: usize) -> String {
        let spaces = " ".repeat(indent);
        let mut info = spaces.clone();
        let role = if node.is_replica() { "S" } else { "M" };
        if node.dirty && node.replicate.is_some() {
            info.push_str(&format!("S: {} {}:{}", node.name, node.ip, node.port));
        } else {
            let flags: Vec<&str> = node
                .flags_str
                .iter()
                .map(String::as_str)
                .filter(|f| *f != "myself")
                .collect();
            info.push_str(&format!(
                "{role}: {} {}:{}\n{spaces}   slots:{} ({} slots) {}",
                node.name,
                node.ip,
                node.port,
                node.slots_string(),
                node.slots_count,
                flags.join(",")
            ));
        }
        if let Some(primary) = &node.replicate {
            info.push_str(&format!("\n{spaces}   replicates {primary}"));
        } else if node.replicas_count > 0 {
            info.push_str(&format!(
                "\n{spaces}   {} additional replica(s)",
                node.replicas_count
            ));
        }
        info
    }

    /// Prints every node's block.
    pub fn show_nodes(&self) {
        let mut out = std::io::stdout().lock();
        for node in &self.nodes {
            let _ = writeln!(out, "{}", Self::node_info(node, 0));
        }
        let _ = out.flush();
    }

    /// One line per primary with its keys, slots and replicas, then the
    /// totals (`--cluster info`, and the start of `--cluster check`).
    pub fn show_cluster_info(&mut self) {
        let mut masters = 0;
        let mut keys: i64 = 0;
        for i in 0..self.nodes.len() {
            if self.nodes[i].is_replica() || self.nodes[i].name.is_empty() {
                continue;
            }
            let name = self.nodes[i].name.clone();
            let replicas = self
                .nodes
                .iter()
                .filter(|n| n.is_replica() && n.replicate.as_deref() == Some(name.as_str()))
                .count();
            let reply = self.nodes[i].command(&["DBSIZE"]);
            let dbsize = match reply {
                Some(Frame::Integer(n)) => n,
                other => {
                    let err = other.as_ref().and_then(error_of).unwrap_or_default();
                    self.reply_error(&self.nodes[i], &err);
                    return;
                }
            };
            let node = &self.nodes[i];
            let short: String = name.chars().take(8).collect();
            println!(
                "{}:{} ({short}...) -> {dbsize} keys | {} slots | {replicas} slaves.",
                node.ip, node.port, node.slots_count
            );
            masters += 1;
            keys += dbsize;
        }
        self.ok(&format!("[OK] {keys} keys in {masters} masters."));
        let per_slot = keys as f32 / SLOTS as f32;
        println!("{per_slot:.2} keys per slot on average.");
        let _ = std::io::stdout().flush();
    }

    /// Whether every node lists the same slot owners. With one node,
    /// always; when no node serves a slot, never.
    pub fn is_config_consistent(&mut self) -> bool {
        if self.nodes.len() <= 1 {
            return true;
        }
        let mut first: Option<String> = None;
        for node in &mut self.nodes {
            let Some(sig) = config_signature(node) else {
                return false;
            };
            match &first {
                None => first = Some(sig),
                Some(f) if *f != sig => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// For each address some node cannot reach, the nodes that cannot.
    pub fn link_status(&mut self) -> Vec<(String, Vec<String>)> {
        let mut status: Vec<(String, Vec<String>)> = Vec::new();
        for node in &mut self.nodes {
            let me = node.addr();
            let text = match node.command(&["CLUSTER", "NODES"]) {
                Some(f) => match text_of(&f) {
                    Some(t) => t,
                    None => continue,
                },
                None => continue,
            };
            for line in text.split('\n') {
                let fields: Vec<&str> = line.split(' ').collect();
                if fields.len() < 8 || fields[2].contains("myself") {
                    continue;
                }
                let down = fields[2].contains("disconnected")
                    || fields[7].contains("disconnected")
                    || fields[2].contains("handshake");
                if !down {
                    continue;
                }
                let addr = fields[1].to_owned();
                match status.iter_mut().find(|(a, _)| *a == addr) {
                    Some((_, from)) => from.push(me.clone()),
                    None => status.push((addr, vec![me.clone()])),
                }
            }
        }
        status
    }

    /// Waits, printing a dot a second, until every node agrees; after a
    /// while, says which bus links seem down, and goes on waiting.
    pub fn wait_for_join(&mut self) {
        println!("Waiting for the cluster to join");
        let check_after = 20 + (self.nodes.len() as f32 * 0.15) as usize;
        let mut counter = 0;
        while !self.is_config_consistent() {
            print!(".");
            let _ = std::io::stdout().flush();
            std::thread::sleep(std::time::Duration::from_secs(1));
            counter += 1;
            if counter > check_after {
                let status = self.link_status();
                if !status.is_empty() {
                    println!();
                    self.err(&format!(
                        "Warning: {} node(s) may be unreachable",
                        status.len()
                    ));
                    for (addr, from) in status {
                        match parse_address(&addr) {
                            Some((ip, _, bus)) if bus != 0 => self.err(&format!(
                                " - The port {bus} of node {ip} may be unreachable from:"
                            )),
                            _ => self.err(&format!(" - Node {addr} may be unreachable from:")),
                        }
                        for f in from {
                            self.err(&format!("   {f}"));
                        }
                        self.err(
                            "Cluster bus ports must be reachable by every node.\nRemember that cluster bus ports are different from standard instance ports.",
                        );
                    }
                }
                counter = 0;
            }
        }
        println!();
    }

    /// The full check: node listing (unless `quiet`), agreement, open
    /// slots, coverage. `true` when all is well.
    pub fn check_cluster(&mut self, quiet: bool) -> bool {
        let Some(first) = self.nodes.first() else {
            return false;
        };
        self.info(&format!(
            ">>> Performing Cluster Check (using node {}:{})",
            first.ip, first.port
        ));
        let mut result = true;
        if !quiet {
            self.show_nodes();
        }
        if !self.is_config_consistent() {
            self.on_error("[ERR] Nodes don't agree about configuration!".into());
            result = false;
        } else {
            self.ok("[OK] All nodes agree about slots configuration.");
        }
        self.info(">>> Check for open slots...");
        let mut open: BTreeMap<usize, ()> = BTreeMap::new();
        let mut open_order: Vec<String> = Vec::new();
        let mut messages = Vec::new();
        for n in &self.nodes {
            for (list, what) in [(&n.migrating, "migrating"), (&n.importing, "importing")] {
                if list.is_empty() {
                    continue;
                }
                let slots: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
                for s in &slots {
                    let key = crate::uri::atoi(s.as_bytes()) as usize;
                    if open.insert(key, ()).is_none() {
                        open_order.push((*s).to_owned());
                    }
                }
                messages.push(format!(
                    "[WARNING] Node {}:{} has slots in {what} state {}.",
                    n.ip,
                    n.port,
                    slots.join(",")
                ));
            }
        }
        for m in messages {
            self.on_error(m);
        }
        if !open_order.is_empty() {
            result = false;
            self.err(&format!(
                "[WARNING] The following slots are open: {}.",
                open_order.join(",")
            ));
            if self.fix {
                self.progress.start(open_order.len());
                for slot in &open_order {
                    result =
                        super::fix::fix_open_slot(self, crate::uri::atoi(slot.as_bytes()) as usize);
                    if !result {
                        break;
                    }
                    self.progress.step();
                }
                self.progress.finish();
            }
        }
        self.info(">>> Check slots coverage...");
        let mut covered = vec![false; SLOTS];
        for n in &self.nodes {
            for (c, s) in covered.iter_mut().zip(&n.slots) {
                *c |= *s;
            }
        }
        if covered.iter().all(|c| *c) {
            self.ok(&format!("[OK] All {SLOTS} slots covered."));
        } else {
            self.on_error(format!(
                "[ERR] Not all {SLOTS} slots are covered by nodes.\n"
            ));
            result = false;
            if self.fix && super::fix::fix_slots_coverage(self, &covered) > 0 {
                result = true;
            }
        }
        if self.has_flag("--cluster-search-multiple-owners")
            && !super::fix::check_multiple_owners(self)
        {
            result = false;
        }
        result
    }
}

/// Applies one slot word of a CLUSTER NODES line to `node`.
fn parse_slot_def(node: &mut Node, def: &str) {
    if let Some(inner) = def.strip_prefix('[') {
        let inner = inner.trim_end_matches(']');
        if let Some((slot, dst)) = inner.split_once("->-") {
            node.migrating.push((slot.to_owned(), dst.to_owned()));
        } else if let Some((slot, src)) = inner.split_once("-<-") {
            node.importing.push((slot.to_owned(), src.to_owned()));
        }
    } else if let Some((a, b)) = def.split_once('-') {
        let (a, b) = (
            crate::uri::atoi(a.as_bytes()),
            crate::uri::atoi(b.as_bytes()),
        );
        for s in a.max(0)..=b.min(SLOTS as i64 - 1) {
            if !node.slots[s as usize] {
                node.slots[s as usize] = true;
                node.slots_count += 1;
            }
        }
    } else if !def.is_empty() {
        let s = crate::uri::atoi(def.as_bytes());
        if (0..SLOTS as i64).contains(&s) && !node.slots[s as usize] {
            node.slots[s as usize] = true;
            node.slots_count += 1;
        }
    }
}

/// What a node says about slot owners, in a form two nodes can compare:
/// `id:slots` for each node serving slots, sorted. `None` when the node
/// does not answer or no node serves any slot.
pub fn config_signature(node: &mut Node) -> Option<String> {
    let text = text_of(&node.command(&["CLUSTER", "NODES"])?)?;
    let mut configs = Vec::new();
    for line in text.split('\n') {
        let fields: Vec<&str> = line.split(' ').collect();
        if fields.len() < 9 {
            continue;
        }
        let mut slots: Vec<&str> = fields[8..]
            .iter()
            .copied()
            .filter(|s| !s.is_empty() && !s.starts_with('['))
            .collect();
        if slots.is_empty() {
            continue;
        }
        slots.sort_unstable();
        configs.push(format!("{}:{}", fields[0], slots.join(",")));
    }
    if configs.is_empty() {
        return None;
    }
    configs.sort_unstable();
    Some(configs.join("|"))
}

/// Resolves a host name to the IP address text CLUSTER MEET needs.
pub fn resolve(host: &str) -> Option<String> {
    use std::net::ToSocketAddrs;
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Some(host.to_owned());
    }
    (host, 0)
        .to_socket_addrs()
        .ok()?
        .next()
        .map(|a| a.ip().to_string())
}

/// Reads a confirmation from stdin: `true` for `yes` (redis-cli reads up to
/// four bytes and compares the first three).
pub fn confirm(msg: &str, yes: bool) -> bool {
    if yes {
        return true;
    }
    print!("{msg} (type 'yes' to accept): ");
    let _ = std::io::stdout().flush();
    let mut buf = [0u8; 4];
    // SAFETY: read(2) into a live 4-byte buffer from fd 0.
    let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
    n >= 3 && &buf[..3] == b"yes"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slot_strings_are_ranges() {
        let mut slots = vec![false; SLOTS];
        for s in (0..=5).chain([7]).chain(16380..SLOTS) {
            slots[s] = true;
        }
        assert_eq!(slots_string(&slots), "[0-5],[7],[16380-16383]");
        assert_eq!(slots_string(&vec![false; SLOTS]), "");
    }

    #[test]
    fn addresses_parse_like_redis_cli() {
        assert_eq!(
            parse_address("127.0.0.1:7000@17000,host"),
            Some(("127.0.0.1".into(), 7000, 17000))
        );
        assert_eq!(parse_address("::1:7000"), Some(("::1".into(), 7000, 0)));
        assert_eq!(parse_address("nocolon"), None);
        let args = |w: &[&str]| w.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(host_from_args(&args(&["h", "7"])), Some(("h".into(), 7)));
        assert_eq!(host_from_args(&args(&["h:0"])), None);
    }

    #[test]
    fn signatures_ignore_order_and_open_slots() {
        let mut a = Node::new("x", 1, 0);
        parse_slot_def(&mut a, "0-9");
        parse_slot_def(&mut a, "12");
        parse_slot_def(&mut a, "[5->-abc]");
        assert_eq!(a.slots_count, 11);
        assert_eq!(a.migrating, vec![("5".to_owned(), "abc".to_owned())]);
        let info = "# Cluster\r\ncluster_enabled:1\r\ncluster_known_nodes:3\r\n";
        assert_eq!(info_field(info, "cluster_enabled"), 1);
        assert_eq!(info_field(info, "cluster_known_nodes"), 3);
        assert_eq!(info_field(info, "nope"), 0);
    }
}
