//! Cluster mode on the data path: the routing check every keyed command
//! passes, the CLUSTER command, and the events the bus thread sends.
//!
//! The cluster state machine runs on the bus thread ([`crate::bus`]). The
//! data thread keeps the newest view it was given (an `Arc`, swapped when a
//! newer one arrives) and routes against it: no lock and no cross-thread
//! call per command. CLUSTER commands, which are rare, are sent to the bus
//! thread and waited for; their reply carries the view after them, which
//! an older view still queued as an event must not replace (the views are
//! numbered: [`crate::bus::LatestView`]).

use crate::bus::{self, BusHandle, Event, KeyFacts, LatestView, Request};
use crate::nodes_file::NodesFile;
use crate::server::Server;
use crate::settings::ServerSettings;
use shoal_cluster::commands::parse_slot_arg;
use shoal_cluster::config::ClusterConfig;
use shoal_cluster::routing::{self, CommandKind, Route, RouteFlags, RoutingConfig};
use shoal_command_table::{flags, CommandSpec, GetKeys};
use shoal_resp::request::Args;
use std::path::Path;
use std::sync::Arc;

/// This node's cluster state as the data path sees it.
pub struct ClusterMode {
    /// The newest view the bus thread gave (by event or with a reply).
    pub view: LatestView,
    /// The bus thread.
    pub bus: BusHandle,
    /// `cluster-allow-reads-when-down`.
    pub allow_reads_when_down: bool,
}

impl ClusterMode {
    /// Loads (or creates) nodes.conf and starts the bus thread.
    pub fn start(
        settings: &ServerSettings,
        lookup: impl Fn(&str) -> Option<String>,
        seed: u64,
        data_waker: Arc<mio::Waker>,
    ) -> Result<ClusterMode, String> {
        let (file, restored) = NodesFile::open(Path::new(&settings.cluster_config_file))?;
        match &restored {
            Some(v) => crate::notice!("Node configuration loaded, I'm {}", v.myself_id()),
            None => crate::notice!("No cluster configuration found, creating a new node identity"),
        }
        let mut config = ClusterConfig::new(settings.port);
        config.cluster_port = settings.cluster_port;
        config.node_timeout_ms = settings.cluster_node_timeout_ms;
        config.require_full_coverage = settings.cluster_require_full_coverage;
        config.allow_reads_when_down = settings.cluster_allow_reads_when_down;
        if let Some(ip) = lookup("cluster-announce-ip").filter(|v| !v.is_empty()) {
            config.announce_ip = Some(ip);
        }
        if let Some(h) = lookup("cluster-announce-hostname") {
            config.announce_hostname = h;
        }
        let num = |n: &str| lookup(n).and_then(|v| v.parse::<u16>().ok()).unwrap_or(0);
        config.announce_port = num("cluster-announce-port");
        config.announce_bus_port = num("cluster-announce-bus-port");
        if let Some(v) = lookup("cluster-allow-replica-migration") {
            config.allow_replica_migration = v == "yes";
        }
        if let Some(v) = lookup("cluster-replica-no-failover") {
            config.replica_no_failover = v == "yes";
        }
        if let Some(v) = lookup("cluster-migration-barrier").and_then(|v| v.parse().ok()) {
            config.migration_barrier = v;
        }
        let (bus, view) = bus::start(config, &settings.bind, restored, file, seed, data_waker)
            .map_err(|e| e.to_string())?;
        crate::notice!("Cluster bus listening, I'm {}", view.view.myself_id());
        Ok(ClusterMode {
            view: LatestView::new(view),
            bus,
            allow_reads_when_down: settings.cluster_allow_reads_when_down,
        })
    }
}

impl Server {
    /// Applies what the bus thread reported since the last call.
    pub(crate) fn drain_cluster_events(&mut self) {
        let Some(mode) = self.cluster.as_mut() else {
            return;
        };
        let events: Vec<Event> = mode.bus.events.try_iter().collect();
        for ev in events {
            match ev {
                Event::View(v) => {
                    if let Some(m) = self.cluster.as_mut() {
                        m.view.offer(v);
                    }
                }
                Event::Published {
                    channel,
                    message,
                    sharded,
                } => {
                    self.publish_local(&channel, &message, sharded);
                }
                Event::DeleteKeysInSlots(slots) => {
                    for slot in slots {
                        let n = self.dbs[0].clear_slot(slot.get());
                        if n > 0 {
                            crate::notice!(
                                "Deleted {n} keys of slot {slot}, which this node no longer serves"
                            );
                        }
                    }
                }
                Event::DropShardChannels(_) => {}
                Event::PauseWrites(until_ms) => {
                    self.pause = Some(crate::server::Pause {
                        until_ms,
                        writes_only: true,
                    });
                }
                Event::ResumeWrites => {
                    self.pause = None;
                    let all: Vec<usize> = self.clients.iter().map(|(i, _)| i).collect();
                    self.pending_input.extend(all);
                }
            }
        }
    }

    /// Spreads a PUBLISH/SPUBLISH over the bus (cluster mode only).
    pub(crate) fn publish_cluster(&mut self, channel: &[u8], message: &[u8], sharded: bool) {
        if let Some(mode) = self.cluster.as_ref() {
            mode.bus.send(Request::Publish {
                channel: channel.to_vec(),
                message: message.to_vec(),
                sharded,
            });
        }
    }
}

/// CLUSTER <subcommand> [...]
pub fn cluster(s: &mut Server, idx: usize, args: Args<'_>) {
    if s.cluster.is_none() {
        s.clients[idx]
            .reply
            .error("ERR This instance has cluster support disabled");
        return;
    }
    let sub = args.get(1).to_ascii_lowercase();
    match sub.as_slice() {
        b"help" => write_help(&mut s.clients[idx].reply),
        b"getkeysinslot" => getkeysinslot(s, idx, args),
        b"bus" => bus_list(s, idx, args),
        _ => {
            let slot = (args.len() > 2)
                .then(|| shoal_commands::parse::int(args.get(2)))
                .flatten()
                .filter(|&n| (0..shoal_types::SLOT_COUNT as i64).contains(&n))
                .map(|n| (n as u16, s.dbs[0].slot_len(n as u16) as u64));
            let keys = KeyFacts {
                total: s.dbs[0].len() as u64,
                slot,
            };
            let argv: Vec<Vec<u8>> = args.iter().map(<[u8]>::to_vec).collect();
            let reply = s.cluster.as_ref().and_then(|m| m.bus.command(argv, keys));
            let Some(reply) = reply else {
                s.clients[idx]
                    .reply
                    .error("ERR the cluster bus thread is not running");
                return;
            };
            if let Some(m) = s.cluster.as_mut() {
                m.view.offer(reply.view);
            }
            let out = &mut s.clients[idx].reply;
            match reply.result {
                Ok(v) => v.write_to(out),
                Err(e) if e == "HELP" => write_help(out),
                Err(e) => out.error(&e),
            }
        }
    }
}

/// CLUSTER GETKEYSINSLOT slot count: answered here, where the keys are.
fn getkeysinslot(s: &mut Server, idx: usize, args: Args<'_>) {
    let out = &mut s.clients[idx].reply;
    if args.len() != 4 {
        out.error(&shoal_commands::errors::wrong_arity(
            "cluster|getkeysinslot",
        ));
        return;
    }
    let slot = match parse_slot_arg(args.get(2)) {
        Ok(slot) => slot,
        Err(e) => {
            out.error(&e.to_string());
            return;
        }
    };
    let Some(count) = shoal_commands::parse::int(args.get(3)).filter(|&n| n >= 0) else {
        out.error("ERR Invalid number of keys");
        return;
    };
    let keys = s.dbs[0].keys_in_slot(slot.get(), count as usize);
    out.array(keys.len());
    for k in keys {
        out.bulk(&k);
    }
}

/// CLUSTER BUS LIST: Shoal's view of every bus link (an extension; no
/// Redis command is changed by it).
fn bus_list(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() != 3 || !args.get(2).eq_ignore_ascii_case(b"list") {
        s.clients[idx]
            .reply
            .error("ERR Unknown CLUSTER BUS subcommand. Try CLUSTER BUS LIST.");
        return;
    }
    let text = s
        .cluster
        .as_ref()
        .and_then(|m| m.bus.bus_list())
        .unwrap_or_default();
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

fn write_help(out: &mut shoal_resp::ReplyBuf) {
    let lines: &[&str] = &[
        "CLUSTER <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "ADDSLOTS <slot> [<slot> ...]",
        "    Claim the given slots for this node.",
        "ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Claim every slot of the given inclusive ranges for this node.",
        "BUMPEPOCH",
        "    Move this node's config epoch ahead of every other one known.",
        "COUNT-FAILURE-REPORTS <node-id>",
        "    Failure reports held against a node.",
        "COUNTKEYSINSLOT <slot>",
        "    Keys stored here in a slot.",
        "DELSLOTS <slot> [<slot> ...]",
        "    Give up the given slots.",
        "DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
        "    Give up every slot of the given ranges.",
        "FLUSHSLOTS",
        "    Give up every slot of this node.",
        "FORGET <node-id>",
        "    Drop a node from this node's table (and keep it out for 60 s).",
        "GETKEYSINSLOT <slot> <count>",
        "    Up to <count> key names stored here in a slot.",
        "INFO",
        "    State and counters of the cluster as this node sees it.",
        "KEYSLOT <key>",
        "    The hash slot of a key.",
        "LINKS",
        "    The bus links of this node.",
        "MYID",
        "    This node's id.",
        "NODES",
        "    Every known node, one per line.",
        "REPLICAS <node-id>",
        "    The replicas of a primary, in NODES format.",
        "RESET [HARD|SOFT]",
        "    Forget the cluster and start over.",
        "SET-CONFIG-EPOCH <epoch>",
        "    Set this new node's config epoch.",
        "SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
        "    Change the state of a slot during resharding.",
        "SHARDS",
        "    Shards of the cluster with their slots and nodes.",
        "SLOTS",
        "    Slot ranges with the nodes serving them.",
        "HELP",
        "    Print this help.",
    ];
    out.array(lines.len());
    for l in lines {
        out.simple(l);
    }
}

/// ASKING
pub fn asking(s: &mut Server, idx: usize, _args: Args<'_>) {
    if s.cluster.is_none() {
        s.clients[idx]
            .reply
            .error("ERR This instance has cluster support disabled");
        return;
    }
    s.clients[idx].asking = true;
    s.clients[idx].reply.ok();
}

/// Where a keyed command must run. `Err` holds the error to reply.
pub fn check_route(
    s: &Server,
    idx: usize,
    spec: &CommandSpec,
    args: Args<'_>,
) -> Result<(), String> {
    let Some(mode) = s.cluster.as_ref() else {
        return Ok(());
    };
    let kind = match spec.name {
        "migrate" => CommandKind::Migrate,
        "spublish" | "ssubscribe" | "sunsubscribe" => CommandKind::ShardPubSub,
        _ => CommandKind::Regular,
    };
    let client = &s.clients[idx];
    let is_exec = spec.name == "exec";
    // Keyless commands (the legacy key range is empty and no key-finding
    // procedure applies) skip routing without collecting anything.
    if !is_exec && spec.first_key == 0 && spec.getkeys == GetKeys::Specs {
        return Ok(());
    }
    let mut keys: Vec<&[u8]> = Vec::new();
    let mut positions = Vec::new();
    let mut queued_write = false;
    if is_exec {
        // EXEC is routed by the keys of every queued command together, so
        // a transaction spanning slots is refused as a whole (CROSSSLOT).
        if let Some(m) = client.multi.as_ref() {
            for (cmd, qargs) in &m.queued {
                let qspec = s.registry.get(*cmd).spec;
                queued_write |= qspec.flags & flags::WRITE != 0;
                let qargv: Vec<&[u8]> = qargs.args().iter().collect();
                shoal_command_table::routing_key_positions(qspec, &qargv, &mut positions);
                keys.extend(positions.iter().map(|&i| qargv[i]));
            }
        }
    } else {
        let argv: Vec<&[u8]> = args.iter().collect();
        shoal_command_table::routing_key_positions(spec, &argv, &mut positions);
        keys.extend(positions.iter().map(|&i| argv[i]));
    }
    if keys.is_empty() {
        return Ok(());
    }
    let route_flags = RouteFlags {
        kind,
        is_write: spec.flags & flags::WRITE != 0,
        queued_write,
        asking: client.asking || spec.name == "restore-asking",
        readonly: client.readonly,
    };
    let cfg = RoutingConfig {
        allow_reads_when_down: mode.allow_reads_when_down,
        ..RoutingConfig::default()
    };
    let db = &s.dbs[0];
    let route = routing::route(mode.view.get(), &keys, &route_flags, &cfg, |k: &[u8]| {
        db.peek_ref(k).is_some_and(|e| !e.is_expired(s.now_ms))
    });
    match route {
        Route::Local { .. } => Ok(()),
        other => Err(other.error_text().unwrap_or_default()),
    }
}
