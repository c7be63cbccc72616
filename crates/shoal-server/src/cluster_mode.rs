//! Cluster mode on the data path: this node's cluster view, its nodes.conf,
//! the CLUSTER command and the routing check every keyed command passes.
//!
//! The view lives on the data thread for now; when the cluster bus lands it
//! moves to the bus thread and this module keeps a mirror for routing.
//! nodes.conf is written atomically (temp file, fsync, rename, fsync of
//! the directory) and locked with `flock` so a second process cannot use
//! the same file, as Redis does.

use crate::server::Server;
use shoal_cluster::commands::{self, CommandContext, Delegated, Keyspace, Outcome};
use shoal_cluster::nodes_conf::{parse_nodes_conf, prepare_loaded_view, render_nodes_conf};
use shoal_cluster::routing::{self, CommandKind, Route, RouteFlags, RoutingConfig};
use shoal_cluster::texts::{BusStats, EndpointOptions};
use shoal_cluster::view::ClusterView;
use shoal_command_table::{flags, CommandSpec};
use shoal_keyspace::Db;
use shoal_resp::request::Args;
use shoal_types::{Millis, NodeId, Slot};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// This node's cluster state as the data path sees it.
pub struct ClusterMode {
    /// The cluster as this node sees it.
    pub view: ClusterView,
    path: PathBuf,
    lock: File,
    /// Bus counters (zero until the bus runs).
    pub bus_stats: BusStats,
    /// `cluster-require-full-coverage`.
    pub require_full_coverage: bool,
    /// `cluster-allow-reads-when-down`.
    pub allow_reads_when_down: bool,
    /// `cluster-node-timeout` in ms.
    pub node_timeout_ms: u64,
}

/// Why cluster mode could not start.
#[derive(Debug)]
pub struct StartError(pub String);

impl ClusterMode {
    /// Loads or creates nodes.conf at `path` and locks it.
    pub fn start(
        path: &Path,
        port: u16,
        cport: u16,
        now_ms: u64,
        random: &mut impl FnMut() -> [u8; 20],
    ) -> Result<ClusterMode, StartError> {
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| StartError(format!("Can't open {} in order to acquire a lock: {e}", path.display())))?;
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(StartError(format!(
                "Sorry, the cluster configuration file {} is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.",
                path.display()
            )));
        }
        let text = std::fs::read(path)
            .map_err(|e| StartError(format!("Can't read {}: {e}", path.display())))?;
        let now = Millis(now_ms);
        let (mut view, fresh) = if text.iter().all(|b| b.is_ascii_whitespace()) {
            (ClusterView::fresh(NodeId::from_random(random()), now), true)
        } else {
            match parse_nodes_conf(&text) {
                Ok(loaded) => {
                    for w in &loaded.warnings {
                        crate::warning!("{w}");
                    }
                    let mut v = loaded.view;
                    prepare_loaded_view(&mut v, now);
                    (v, false)
                }
                Err(e) => {
                    return Err(StartError(format!(
                        "Unrecoverable error: {e} in {}. Refusing to start rather than forget the cluster.",
                        path.display()
                    )))
                }
            }
        };
        {
            let me = view.myself_mut();
            me.port = port;
            me.cport = cport;
        }
        if fresh {
            crate::notice!("No cluster configuration found, I'm {}", view.myself_id());
        } else {
            crate::notice!("Node configuration loaded, I'm {}", view.myself_id());
        }
        let mut mode = ClusterMode {
            view,
            path: path.to_path_buf(),
            lock,
            bus_stats: BusStats::default(),
            require_full_coverage: true,
            allow_reads_when_down: false,
            node_timeout_ms: 15_000,
        };
        mode.update_state();
        mode.save(true).map_err(StartError)?;
        Ok(mode)
    }

    /// Recomputes ok/fail (without the bus there are no timing delays).
    pub fn update_state(&mut self) {
        let a = self.view.assess_state(self.require_full_coverage);
        self.view.state = a.state;
        self.view.size = a.size;
    }

    /// Writes nodes.conf atomically; with `fsync` it is durable on return.
    ///
    /// The rename puts a new file at the path, so the lock is taken again on
    /// it: the lock must follow the name a second process would open.
    pub fn save(&mut self, fsync: bool) -> Result<(), String> {
        let text = render_nodes_conf(&self.view);
        let dir = self.path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let tmp = dir.join(format!(
            "{}.tmp-{}",
            self.path.file_name().and_then(|n| n.to_str()).unwrap_or("nodes.conf"),
            std::process::id()
        ));
        let result = (|| -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            if fsync {
                f.sync_all()?;
            }
            // Lock the new file before it takes the name.
            // SAFETY: flock on a descriptor we own.
            if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            std::fs::rename(&tmp, &self.path)?;
            if fsync {
                File::open(dir)?.sync_all()?;
            }
            self.lock = f;
            Ok(())
        })();
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("Error writing the cluster configuration file {}: {e}", self.path.display())
        })
    }
}

/// The keyspace facts CLUSTER commands need, from db 0.
struct DbKeyspace<'a>(&'a Db);

impl Keyspace for DbKeyspace<'_> {
    fn count_keys_in_slot(&self, slot: Slot) -> u64 {
        self.0.slot_len(slot.get()) as u64
    }
    fn keys_in_slot(&self, slot: Slot, max: u64) -> Vec<Vec<u8>> {
        self.0.keys_in_slot(slot.get(), max.min(usize::MAX as u64) as usize)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// CLUSTER <subcommand> [...]
pub fn cluster(s: &mut Server, idx: usize, args: Args<'_>) {
    let Some(mut mode) = s.cluster.take() else {
        s.clients[idx]
            .reply
            .error("ERR This instance has cluster support disabled");
        return;
    };
    cluster_with(s, idx, args, &mut mode);
    s.cluster = Some(mode);
}

fn cluster_with(s: &mut Server, idx: usize, args: Args<'_>, mode: &mut ClusterMode) {
    let sub = args.get(1).to_ascii_lowercase();
    if matches!(sub.as_slice(), b"meet" | b"replicate" | b"failover") {
        let msg = format!(
            "ERR CLUSTER {} needs the cluster bus, which this Shoal build does not run yet",
            String::from_utf8_lossy(&sub).to_ascii_uppercase()
        );
        s.clients[idx].reply.error(&msg);
        return;
    }
    let argv: Vec<&[u8]> = args.iter().collect();
    let keyspace = DbKeyspace(&s.dbs[0]);
    let rng = &mut s.rng;
    let mut random_id = || NodeId::from_random(rand::Rng::random(rng));
    let mut ctx = CommandContext {
        now: Millis(s.now_ms),
        keyspace: &keyspace,
        node_timeout_ms: mode.node_timeout_ms,
        allow_replica_migration: true,
        endpoints: EndpointOptions::default(),
        my_repl_offset: 0,
        bus_stats: &mode.bus_stats,
        random_node_id: &mut random_id,
    };
    let result = commands::execute(&mut mode.view, &argv, &mut ctx);
    let out = &mut s.clients[idx].reply;
    match result {
        Err(e) => out.error(&e.to_string()),
        Ok(Outcome::Done(done)) => {
            for effect in &done.effects {
                if let commands::Effect::Log(line) = effect {
                    crate::warning!("{line}");
                }
            }
            if done.todo.update_state {
                mode.update_state();
            }
            if done.todo.save_config {
                if let Err(e) = mode.save(done.todo.fsync_config) {
                    crate::warning!("{e}");
                }
            }
            done.reply.write_to(out);
        }
        Ok(Outcome::Delegated(d)) => match d {
            Delegated::SaveConfig => match mode.save(true) {
                Ok(()) => out.ok(),
                Err(e) => out.error(&format!("ERR error saving the cluster node config: {e}")),
            },
            Delegated::Links => out.empty_array(),
            Delegated::Help => write_help(out),
            Delegated::Failover(_) => out.error("ERR CLUSTER FAILOVER needs the cluster bus"),
        },
    }
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
    let argv: Vec<&[u8]> = args.iter().collect();
    let mut positions = Vec::new();
    shoal_command_table::routing_key_positions(spec, &argv, &mut positions);
    if positions.is_empty() {
        return Ok(());
    }
    let keys: Vec<&[u8]> = positions.iter().map(|&i| argv[i]).collect();
    let client = &s.clients[idx];
    let route_flags = RouteFlags {
        kind,
        is_write: spec.flags & flags::WRITE != 0,
        queued_write: false,
        asking: client.asking || spec.name == "restore-asking",
        readonly: client.readonly,
    };
    let cfg = RoutingConfig {
        allow_reads_when_down: mode.allow_reads_when_down,
        ..RoutingConfig::default()
    };
    let db = &s.dbs[0];
    let route = routing::route(&mode.view, &keys, &route_flags, &cfg, |k: &[u8]| {
        db.peek_ref(k).is_some_and(|e| !e.is_expired(s.now_ms))
    });
    match route {
        Route::Local { .. } => Ok(()),
        other => Err(other.error_text().unwrap_or_default()),
    }
}
