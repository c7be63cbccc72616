//! The CLUSTER command: argument checks, Redis 7.0's exact replies and
//! errors, and the changes each subcommand makes to the view.
//!
//! [`execute`] takes the whole argv (`CLUSTER <sub> ...`) and either
//! finishes the subcommand ([`Outcome::Done`]: a reply, what must happen
//! before the reply leaves, and side effects for the rest of the node) or,
//! for subcommands that need machinery outside the view, validates the
//! arguments and hands over ([`Outcome::Delegated`]: FAILOVER, SAVECONFIG,
//! LINKS, HELP).
//!
//! Checks run in the order Redis runs them, so a command that is wrong in
//! two ways gets the same error as from redis-server. Every error leaves
//! the view untouched: Redis validates everything before changing anything.
//!
//! What this module does not do: touch the keyspace (facts about keys come
//! through [`Keyspace`]), write files, talk to peers, or check that cluster
//! mode is enabled (the server answers [`ClusterError::Disabled`] itself).
//!
//! # Persisting before replying
//!
//! Redis saves nodes.conf before the event loop sleeps, and replies are
//! written after that, so a client never sees `+OK` for a change that is
//! not on disk. [`Todo`] carries the same obligations: when `save_config`
//! is set, write nodes.conf (with fsync if `fsync_config`) before sending
//! the reply; when `update_state` is set, recompute the cluster state.

use std::net::IpAddr;

use shoal_types::{key_hash_slot, Epoch, Millis, NodeId, Slot, SLOT_COUNT};

use crate::reply::ReplyValue;
use crate::texts::{
    cluster_info_text, cluster_nodes_text, cluster_replicas_reply, cluster_shards, cluster_slots,
    BusStats, EndpointOptions,
};
use crate::view::ClusterView;

/// What the CLUSTER command needs to know about the keyspace (database 0,
/// the only one in cluster mode).
///
/// # Correctness requirements
///
/// Counts must include every key of the slot, expired-but-not-yet-deleted
/// ones included, as Redis's per-slot key index does.
pub trait Keyspace {
    /// Number of keys stored in `slot`.
    fn count_keys_in_slot(&self, slot: Slot) -> u64;
    /// Up to `max` key names of `slot`.
    fn keys_in_slot(&self, slot: Slot, max: u64) -> Vec<Vec<u8>>;
    /// True when the database holds no key at all.
    fn is_empty(&self) -> bool;
}

/// Everything besides the view that CLUSTER subcommands read.
pub struct CommandContext<'a> {
    /// Current time (failure-report expiry, handshake creation time).
    pub now: Millis,
    /// Facts about keys.
    pub keyspace: &'a dyn Keyspace,
    /// `cluster-node-timeout`; failure reports last twice as long.
    pub node_timeout_ms: u64,
    /// `cluster-allow-replica-migration`: a primary that gives away its last
    /// slot with SETSLOT NODE becomes a replica of the receiver.
    pub allow_replica_migration: bool,
    /// How endpoints and ports are shown to this client.
    pub endpoints: EndpointOptions,
    /// This node's replication offset (primary: its own; replica: what it
    /// processed), for CLUSTER SLOTS and SHARDS.
    pub my_repl_offset: u64,
    /// Bus counters for CLUSTER INFO.
    pub bus_stats: &'a BusStats,
    /// Draws a fresh random node id (CLUSTER MEET placeholders, RESET HARD).
    pub random_node_id: &'a mut dyn FnMut() -> NodeId,
}

/// Obligations to fulfil before the reply is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Todo {
    /// Write nodes.conf.
    pub save_config: bool,
    /// ...with fsync (an epoch or vote that must survive a crash).
    pub fsync_config: bool,
    /// Recompute the cluster state (ok/fail, size).
    pub update_state: bool,
}

impl Todo {
    const SAVE_AND_UPDATE: Todo = Todo {
        save_config: true,
        fsync_config: false,
        update_state: true,
    };

    fn merge(&mut self, other: Todo) {
        self.save_config |= other.save_config;
        self.fsync_config |= other.fsync_config;
        self.update_state |= other.update_state;
    }
}

/// Side effects for the parts of the node outside the view, in the order
/// they must run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Myself became a replica of `primary`: start replicating from it.
    StartReplication {
        /// The new primary.
        primary: NodeId,
    },
    /// Myself stopped being a replica (CLUSTER RESET): stop replicating and
    /// empty the dataset.
    StopReplicationAndFlush,
    /// Abandon any manual failover in progress.
    ResetManualFailover,
    /// Send a PONG to every node now (a closed import must spread fast).
    BroadcastPong,
    /// Keep `node` from being re-added by gossip for 60 s (CLUSTER FORGET).
    Blacklist(NodeId),
    /// These slots stopped being served by this node's shard: unsubscribe
    /// the shard channels (SSUBSCRIBE) that hash to them.
    DropShardChannels(Vec<Slot>),
    /// A line for the server log (warning level), as Redis logs it.
    Log(String),
}

/// A finished subcommand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    /// The reply to send (after `todo`).
    pub reply: ReplyValue,
    /// What to do before the reply leaves.
    pub todo: Todo,
    /// Effects outside the view, in order.
    pub effects: Vec<Effect>,
}

impl Done {
    fn reply(reply: ReplyValue) -> Done {
        Done {
            reply,
            todo: Todo::default(),
            effects: Vec::new(),
        }
    }

    fn ok(todo: Todo) -> Done {
        Done {
            reply: ReplyValue::ok(),
            todo,
            effects: Vec::new(),
        }
    }
}

/// The kind of CLUSTER FAILOVER asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverMode {
    /// Coordinated with the primary (MFSTART, wait for the offset).
    Default,
    /// Start the election without the primary.
    Force,
    /// Take the slots without an election.
    Takeover,
}

/// A subcommand whose arguments are valid but whose work happens outside
/// the view. The view is unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delegated {
    /// CLUSTER FAILOVER; the replica/primary preconditions were checked.
    Failover(FailoverMode),
    /// CLUSTER SAVECONFIG: write nodes.conf with fsync, reply `+OK` or
    /// [`ClusterError::SaveConfig`].
    SaveConfig,
    /// CLUSTER LINKS: reply with [`crate::texts::cluster_links`].
    Links,
    /// CLUSTER HELP.
    Help,
}

/// The result of a CLUSTER command that did not fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Handled here.
    Done(Done),
    /// Arguments checked; the caller does the work.
    Delegated(Delegated),
}

/// A CLUSTER error reply. `Display` gives the exact text after the `-`.
/// In every case the view is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClusterError {
    /// Cluster mode is off (the server sends this for every subcommand).
    #[error("ERR This instance has cluster support disabled")]
    Disabled,
    /// Argument count outside the subcommand's arity; holds `cluster|<sub>`.
    #[error("ERR wrong number of arguments for '{0}' command")]
    WrongArity(String),
    /// No such subcommand; holds the name as given.
    #[error("ERR unknown subcommand '{0}'. Try CLUSTER HELP.")]
    UnknownSubcommand(String),
    /// Within the arity but not a form the subcommand takes.
    #[error("ERR unknown subcommand or wrong number of arguments for '{0}'. Try CLUSTER HELP.")]
    SubcommandSyntax(String),
    /// A keyword argument that is not one of the allowed words.
    #[error("ERR syntax error")]
    Syntax,
    /// An argument that must be an integer is not one.
    #[error("ERR value is not an integer or out of range")]
    NotAnInteger,
    /// A slot argument outside 0..16383 or not a number.
    #[error("ERR Invalid or out of range slot")]
    InvalidSlot,
    /// COUNTKEYSINSLOT's slot outside 0..16383.
    #[error("ERR Invalid slot")]
    InvalidSlotNumber,
    /// GETKEYSINSLOT's slot out of range or count negative.
    #[error("ERR Invalid slot or number of keys")]
    InvalidSlotOrCount,
    /// ADDSLOTS of an assigned slot.
    #[error("ERR Slot {0} is already busy")]
    SlotBusy(u16),
    /// DELSLOTS of an unassigned slot.
    #[error("ERR Slot {0} is already unassigned")]
    SlotUnassigned(u16),
    /// A slot named twice in one command.
    #[error("ERR Slot {0} specified multiple times")]
    SlotRepeated(u16),
    /// A range with start > end.
    #[error("ERR start slot number {0} is greater than end slot number {1}")]
    RangeReversed(u16, u16),
    /// SETSLOT on a replica.
    #[error("ERR Please use SETSLOT only with masters.")]
    SetSlotOnReplica,
    /// SETSLOT MIGRATING of a slot myself does not own.
    #[error("ERR I'm not the owner of hash slot {0}")]
    NotSlotOwner(u16),
    /// SETSLOT IMPORTING of a slot myself owns.
    #[error("ERR I'm already the owner of hash slot {0}")]
    AlreadySlotOwner(u16),
    /// SETSLOT MIGRATING/IMPORTING naming an unknown node.
    #[error("ERR I don't know about node {0}")]
    NodeNotKnown(String),
    /// Any other subcommand naming an unknown node.
    #[error("ERR Unknown node {0}")]
    UnknownNode(String),
    /// SETSLOT naming a replica.
    #[error("ERR Target node is not a master")]
    TargetNotPrimary,
    /// SETSLOT NODE giving away a slot that still has keys here.
    #[error("ERR Can't assign hashslot {0} to a different node while I still hold keys for this hash slot.")]
    SlotHasKeys(u16),
    /// SETSLOT with an unknown action or the wrong argument count for it.
    #[error("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP")]
    BadSetSlotAction,
    /// SET-CONFIG-EPOCH with a negative epoch.
    #[error("ERR Invalid config epoch specified: {0}")]
    InvalidConfigEpoch(i64),
    /// SET-CONFIG-EPOCH on a node that knows other nodes.
    #[error(
        "ERR The user can assign a config epoch only when the node does not know any other node."
    )]
    ConfigEpochWithPeers,
    /// SET-CONFIG-EPOCH when myself's configEpoch is not 0.
    #[error("ERR Node config epoch is already non-zero")]
    ConfigEpochAlreadySet,
    /// FLUSHSLOTS with keys in the database.
    #[error("ERR DB must be empty to perform CLUSTER FLUSHSLOTS.")]
    FlushSlotsNotEmpty,
    /// RESET of a primary holding keys.
    #[error("ERR CLUSTER RESET can't be called with master nodes containing keys")]
    ResetWithKeys,
    /// REPLICAS/SLAVES of a replica.
    #[error("ERR The specified node is not a master")]
    NotAPrimary,
    /// FORGET myself.
    #[error("ERR I tried hard but I can't forget myself...")]
    ForgetMyself,
    /// FORGET my own primary.
    #[error("ERR Can't forget my master!")]
    ForgetMyPrimary,
    /// REPLICATE myself.
    #[error("ERR Can't replicate myself")]
    ReplicateMyself,
    /// REPLICATE a replica.
    #[error("ERR I can only replicate a master, not a replica.")]
    ReplicateReplica,
    /// REPLICATE on a primary with slots or keys.
    #[error("ERR To set a master the node must be empty and without assigned slots.")]
    ReplicateNotEmpty,
    /// FAILOVER on a primary.
    #[error("ERR You should send CLUSTER FAILOVER to a replica")]
    FailoverOnPrimary,
    /// FAILOVER on a replica whose primary is unknown.
    #[error("ERR I'm a replica but my master is unknown to me")]
    FailoverPrimaryUnknown,
    /// FAILOVER without FORCE while the primary is FAIL or unlinked.
    #[error("ERR Master is down or failed, please use CLUSTER FAILOVER FORCE")]
    FailoverPrimaryDown,
    /// MEET with a port that is not an integer.
    #[error("ERR Invalid TCP base port specified: {0}")]
    InvalidBasePort(String),
    /// MEET with a bus port that is not an integer.
    #[error("ERR Invalid TCP bus port specified: {0}")]
    InvalidBusPort(String),
    /// MEET with an IP that is not numeric IPv4/IPv6, or ports outside
    /// 1..65535; holds the IP and port arguments as given.
    #[error("ERR Invalid node address specified: {0}:{1}")]
    InvalidNodeAddress(String, String),
    /// SAVECONFIG failed (the server builds this one from its IO error).
    #[error("ERR error saving the cluster node config: {0}")]
    SaveConfig(String),
}

/// The CLUSTER subcommands of 7.0 with their arities (negative: at least
/// that many arguments), counting `CLUSTER` and the subcommand, as COMMAND
/// INFO reports them.
pub const SUBCOMMANDS: [(&str, i32); 27] = [
    ("addslots", -3),
    ("addslotsrange", -4),
    ("bumpepoch", 2),
    ("count-failure-reports", 3),
    ("countkeysinslot", 3),
    ("delslots", -3),
    ("delslotsrange", -4),
    ("failover", -2),
    ("flushslots", 2),
    ("forget", 3),
    ("getkeysinslot", 4),
    ("help", 2),
    ("info", 2),
    ("keyslot", 3),
    ("links", 2),
    ("meet", -4),
    ("myid", 2),
    ("nodes", 2),
    ("replicas", 3),
    ("replicate", 3),
    ("reset", -2),
    ("saveconfig", 2),
    ("set-config-epoch", 3),
    ("setslot", -4),
    ("shards", 2),
    ("slaves", 3),
    ("slots", 2),
];

/// Runs `CLUSTER <sub> [args...]` against the view. `argv[0]` is the
/// command name itself.
pub fn execute<A: AsRef<[u8]>>(
    view: &mut ClusterView,
    argv: &[A],
    ctx: &mut CommandContext<'_>,
) -> Result<Outcome, ClusterError> {
    let args: Vec<&[u8]> = argv.iter().map(|a| a.as_ref()).collect();
    if args.len() < 2 {
        return Err(ClusterError::WrongArity("cluster".to_string()));
    }
    let sub = args[1].to_ascii_lowercase();
    let Some(&(name, arity)) = SUBCOMMANDS
        .iter()
        .find(|(n, _)| n.as_bytes() == sub.as_slice())
    else {
        return Err(ClusterError::UnknownSubcommand(arg_text_max(args[1], 128)));
    };
    let argc = args.len();
    let arity_ok = if arity > 0 {
        argc == arity as usize
    } else {
        argc >= arity.unsigned_abs() as usize
    };
    if !arity_ok {
        return Err(ClusterError::WrongArity(format!("cluster|{name}")));
    }
    let syntax = || ClusterError::SubcommandSyntax(arg_text_max(args[1], 128));
    let done = |d: Done| Ok(Outcome::Done(d));

    match name {
        "help" => Ok(Outcome::Delegated(Delegated::Help)),
        "meet" if argc == 4 || argc == 5 => done(meet(view, &args, ctx)?),
        "nodes" => done(Done::reply(ReplyValue::Verbatim(cluster_nodes_text(
            view,
            ctx.endpoints.use_pport(),
        )))),
        "myid" => done(Done::reply(ReplyValue::bulk_str(view.myself_id().as_str()))),
        "slots" => done(Done::reply(cluster_slots(
            view,
            &ctx.endpoints,
            ctx.my_repl_offset,
        ))),
        "shards" => done(Done::reply(cluster_shards(
            view,
            &ctx.endpoints,
            ctx.my_repl_offset,
        ))),
        "flushslots" => {
            if !ctx.keyspace.is_empty() {
                return Err(ClusterError::FlushSlotsNotEmpty);
            }
            let me = view.myself_id();
            let slots: Vec<Slot> = view
                .slot_ranges_of(&me)
                .iter()
                .flat_map(|r| r.slots())
                .collect();
            let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
            unassign_slots(view, &slots, &mut d.effects);
            done(d)
        }
        "addslots" | "delslots" => done(add_or_del_slots(view, &args, name == "delslots")?),
        "addslotsrange" | "delslotsrange" => done(add_or_del_slot_ranges(
            view,
            &args,
            name == "delslotsrange",
        )?),
        "setslot" => done(setslot(view, &args, ctx)?),
        "bumpepoch" => {
            let bumped = view.bump_config_epoch_without_consensus();
            let epoch = view.myself().config_epoch;
            let mut d = Done::reply(ReplyValue::Status(format!(
                "{} {epoch}",
                if bumped { "BUMPED" } else { "STILL" }
            )));
            if bumped {
                d.todo = bump_todo();
                d.effects
                    .push(Effect::Log(format!("New configEpoch set to {epoch}")));
            }
            done(d)
        }
        "info" => done(Done::reply(ReplyValue::Verbatim(cluster_info_text(
            view,
            ctx.bus_stats,
        )))),
        "saveconfig" => Ok(Outcome::Delegated(Delegated::SaveConfig)),
        "keyslot" => done(Done::reply(ReplyValue::Int(key_hash_slot(args[2]) as i64))),
        "countkeysinslot" => {
            let slot = parse_i64(args[2]).ok_or(ClusterError::NotAnInteger)?;
            let slot = slot_in_range(slot).ok_or(ClusterError::InvalidSlotNumber)?;
            let n = ctx.keyspace.count_keys_in_slot(slot);
            done(Done::reply(ReplyValue::Int(n as i64)))
        }
        "getkeysinslot" => {
            let slot = parse_i64(args[2]).ok_or(ClusterError::NotAnInteger)?;
            let max = parse_i64(args[3]).ok_or(ClusterError::NotAnInteger)?;
            let slot = slot_in_range(slot).ok_or(ClusterError::InvalidSlotOrCount)?;
            if max < 0 {
                return Err(ClusterError::InvalidSlotOrCount);
            }
            let count = ctx.keyspace.count_keys_in_slot(slot).min(max as u64);
            let keys = ctx.keyspace.keys_in_slot(slot, count);
            done(Done::reply(ReplyValue::Array(
                keys.into_iter().map(ReplyValue::Bulk).collect(),
            )))
        }
        "forget" => done(forget(view, args[2])?),
        "replicate" => done(replicate(view, args[2], ctx)?),
        "slaves" | "replicas" => {
            let node = view
                .lookup(args[2])
                .ok_or_else(|| ClusterError::UnknownNode(arg_text(args[2])))?;
            if node.is_replica() {
                return Err(ClusterError::NotAPrimary);
            }
            done(Done::reply(cluster_replicas_reply(
                view,
                node,
                ctx.endpoints.use_pport(),
            )))
        }
        "count-failure-reports" => {
            let validity_ms = ctx.node_timeout_ms.saturating_mul(2);
            let now = ctx.now;
            let id = view
                .lookup(args[2])
                .map(|n| n.id())
                .ok_or_else(|| ClusterError::UnknownNode(arg_text(args[2])))?;
            let node = view.node_mut(&id).expect("just looked up");
            node.prune_failure_reports(now, validity_ms);
            done(Done::reply(ReplyValue::Int(
                node.failure_reports.len() as i64
            )))
        }
        "failover" if argc == 2 || argc == 3 => {
            let mode = match args.get(2) {
                None => FailoverMode::Default,
                Some(a) if a.eq_ignore_ascii_case(b"force") => FailoverMode::Force,
                Some(a) if a.eq_ignore_ascii_case(b"takeover") => FailoverMode::Takeover,
                Some(_) => return Err(ClusterError::Syntax),
            };
            let me = view.myself();
            if me.is_primary() {
                return Err(ClusterError::FailoverOnPrimary);
            }
            let primary = me
                .primary()
                .and_then(|p| view.node(&p))
                .ok_or(ClusterError::FailoverPrimaryUnknown)?;
            let unreachable =
                primary.is_failed() || primary.link == crate::view::LinkState::Disconnected;
            if mode == FailoverMode::Default && unreachable {
                return Err(ClusterError::FailoverPrimaryDown);
            }
            Ok(Outcome::Delegated(Delegated::Failover(mode)))
        }
        "set-config-epoch" => {
            let epoch = parse_i64(args[2]).ok_or(ClusterError::NotAnInteger)?;
            if epoch < 0 {
                return Err(ClusterError::InvalidConfigEpoch(epoch));
            }
            if view.node_count() > 1 {
                return Err(ClusterError::ConfigEpochWithPeers);
            }
            if view.myself().config_epoch != Epoch(0) {
                return Err(ClusterError::ConfigEpochAlreadySet);
            }
            let epoch = Epoch(epoch as u64);
            view.myself_mut().config_epoch = epoch;
            view.current_epoch = view.current_epoch.max(epoch);
            let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
            d.effects.push(Effect::Log(format!(
                "configEpoch set to {epoch} via CLUSTER SET-CONFIG-EPOCH"
            )));
            done(d)
        }
        "reset" if argc == 2 || argc == 3 => done(reset(view, args.get(2).copied(), ctx)?),
        "links" => Ok(Outcome::Delegated(Delegated::Links)),
        _ => Err(syntax()),
    }
}

/// Todo after a bump without consensus: the new epoch must be on disk
/// before any message carries it.
fn bump_todo() -> Todo {
    Todo {
        save_config: true,
        fsync_config: true,
        update_state: false,
    }
}

/// Redis's strict integer parse (`string2ll`): optional `-`, no `+`, no
/// leading zeros or blanks, at most 20 bytes, within i64.
pub fn parse_i64(text: &[u8]) -> Option<i64> {
    shoal_types::parse_redis_i64(text)
}

fn slot_in_range(n: i64) -> Option<Slot> {
    if (0..SLOT_COUNT as i64).contains(&n) {
        Slot::new(n as u16)
    } else {
        None
    }
}

/// A slot argument of ADDSLOTS, DELSLOTS, their ranges and SETSLOT.
pub fn parse_slot_arg(arg: &[u8]) -> Result<Slot, ClusterError> {
    parse_i64(arg)
        .and_then(slot_in_range)
        .ok_or(ClusterError::InvalidSlot)
}

/// An argument as Redis's `%s` prints it: up to the first NUL byte.
/// (Non-UTF-8 bytes become U+FFFD; Redis would echo them raw.)
fn arg_text(arg: &[u8]) -> String {
    let end = arg.iter().position(|&b| b == 0).unwrap_or(arg.len());
    String::from_utf8_lossy(&arg[..end]).into_owned()
}

/// `%.Ns`: at most `max` bytes.
fn arg_text_max(arg: &[u8], max: usize) -> String {
    arg_text(&arg[..arg.len().min(max)])
}

/// Marks slots of one ADDSLOTS/DELSLOTS command, refusing busy (or free)
/// and repeated ones, in Redis's order: state first, then repetition.
fn check_slots(
    view: &ClusterView,
    picked: &mut [bool],
    del: bool,
    slots: impl Iterator<Item = Slot>,
) -> Result<(), ClusterError> {
    for slot in slots {
        let assigned = view.slot_owner(slot).is_some();
        if del && !assigned {
            return Err(ClusterError::SlotUnassigned(slot.get()));
        }
        if !del && assigned {
            return Err(ClusterError::SlotBusy(slot.get()));
        }
        if std::mem::replace(&mut picked[slot.index()], true) {
            return Err(ClusterError::SlotRepeated(slot.get()));
        }
    }
    Ok(())
}

/// Applies a checked ADDSLOTS/DELSLOTS: importing marks of the slots are
/// cleared (myself is now the real owner, or nobody is).
fn apply_slots(view: &mut ClusterView, picked: &[bool], del: bool) -> Done {
    let me = view.myself_id();
    let slots: Vec<Slot> = picked
        .iter()
        .enumerate()
        .filter(|(_, &p)| p)
        .map(|(s, _)| Slot::new(s as u16).expect("index below SLOT_COUNT"))
        .collect();
    let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
    for &slot in &slots {
        view.set_importing(slot, None)
            .expect("clearing never fails");
    }
    if del {
        unassign_slots(view, &slots, &mut d.effects);
    } else {
        for &slot in &slots {
            view.assign_slot(slot, &me).expect("checked free above");
        }
    }
    d
}

fn add_or_del_slots(
    view: &mut ClusterView,
    args: &[&[u8]],
    del: bool,
) -> Result<Done, ClusterError> {
    let slots: Vec<Slot> = args[2..]
        .iter()
        .map(|a| parse_slot_arg(a))
        .collect::<Result<_, _>>()?;
    let mut picked = vec![false; SLOT_COUNT];
    check_slots(view, &mut picked, del, slots.into_iter())?;
    Ok(apply_slots(view, &picked, del))
}

fn add_or_del_slot_ranges(
    view: &mut ClusterView,
    args: &[&[u8]],
    del: bool,
) -> Result<Done, ClusterError> {
    if args.len() % 2 == 1 {
        let name = if del {
            "delslotsrange"
        } else {
            "addslotsrange"
        };
        return Err(ClusterError::WrongArity(format!("cluster|{name}")));
    }
    let mut picked = vec![false; SLOT_COUNT];
    for pair in args[2..].chunks(2) {
        let start = parse_slot_arg(pair[0])?;
        let end = parse_slot_arg(pair[1])?;
        if start > end {
            return Err(ClusterError::RangeReversed(start.get(), end.get()));
        }
        let range = (start.get()..=end.get()).map(|n| Slot::new(n).expect("within a valid range"));
        check_slots(view, &mut picked, del, range)?;
    }
    Ok(apply_slots(view, &picked, del))
}

/// Unassigns `slots`, noting those this node's shard served (their shard
/// channels must be dropped, as Redis does when a slot is deleted).
fn unassign_slots(view: &mut ClusterView, slots: &[Slot], effects: &mut Vec<Effect>) {
    let me = view.myself_id();
    let my_primary = view.myself().primary();
    let mut served = Vec::new();
    for &slot in slots {
        if let Some(owner) = view.unassign_slot(slot) {
            if owner == me || Some(owner) == my_primary {
                served.push(slot);
            }
        }
    }
    if !served.is_empty() {
        effects.push(Effect::DropShardChannels(served));
    }
}

fn setslot(
    view: &mut ClusterView,
    args: &[&[u8]],
    ctx: &mut CommandContext<'_>,
) -> Result<Done, ClusterError> {
    if view.myself().is_replica() {
        return Err(ClusterError::SetSlotOnReplica);
    }
    let slot = parse_slot_arg(args[2])?;
    let action = args[3].to_ascii_lowercase();
    let me = view.myself_id();
    let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
    // Resolves the node argument; `known` picks the error wording.
    let target = |view: &ClusterView, known: bool| -> Result<NodeId, ClusterError> {
        let n = view.lookup(args[4]).ok_or_else(|| {
            if known {
                ClusterError::NodeNotKnown(arg_text(args[4]))
            } else {
                ClusterError::UnknownNode(arg_text(args[4]))
            }
        })?;
        if n.is_replica() {
            return Err(ClusterError::TargetNotPrimary);
        }
        Ok(n.id())
    };
    match (action.as_slice(), args.len()) {
        (b"migrating", 5) => {
            if !view.owns_slot(&me, slot) {
                return Err(ClusterError::NotSlotOwner(slot.get()));
            }
            let to = target(view, true)?;
            view.set_migrating(slot, Some(&to))
                .expect("target is known");
        }
        (b"importing", 5) => {
            if view.owns_slot(&me, slot) {
                return Err(ClusterError::AlreadySlotOwner(slot.get()));
            }
            let from = target(view, true)?;
            view.set_importing(slot, Some(&from))
                .expect("source is known");
        }
        (b"stable", 4) => {
            view.set_importing(slot, None)
                .expect("clearing never fails");
            view.set_migrating(slot, None)
                .expect("clearing never fails");
        }
        (b"node", 5) => {
            let n = target(view, false)?;
            let keys = ctx.keyspace.count_keys_in_slot(slot);
            let was_mine = view.owns_slot(&me, slot);
            if was_mine && n != me && keys != 0 {
                return Err(ClusterError::SlotHasKeys(slot.get()));
            }
            // An emptied migrating slot handed to its new owner is done moving.
            if keys == 0 && view.migrating_to(slot).is_some() {
                view.set_migrating(slot, None)
                    .expect("clearing never fails");
            }
            unassign_slots(view, &[slot], &mut d.effects);
            view.assign_slot(slot, &n).expect("just unassigned");
            if was_mine && n != me && view.slot_count_of(&me) == 0 && ctx.allow_replica_migration {
                view.set_myself_replica_of(&n)
                    .expect("n is a known primary, not myself");
                d.effects.push(Effect::Log(format!(
                    "Configuration change detected. Reconfiguring myself as a replica of {n}"
                )));
                d.effects.push(Effect::StartReplication { primary: n });
                d.effects.push(Effect::ResetManualFailover);
                d.todo.fsync_config = true;
            }
            if n == me && view.importing_from(slot).is_some() {
                // A finished import needs a new configEpoch so the rest of the
                // cluster accepts the new owner; collisions are resolved later.
                if view.bump_config_epoch_without_consensus() {
                    d.todo.merge(bump_todo());
                    let epoch = view.myself().config_epoch;
                    d.effects
                        .push(Effect::Log(format!("New configEpoch set to {epoch}")));
                    d.effects.push(Effect::Log(format!(
                        "configEpoch updated after importing slot {slot}"
                    )));
                }
                view.set_importing(slot, None)
                    .expect("clearing never fails");
                d.effects.push(Effect::BroadcastPong);
            }
        }
        _ => return Err(ClusterError::BadSetSlotAction),
    }
    Ok(d)
}

fn meet(
    view: &mut ClusterView,
    args: &[&[u8]],
    ctx: &mut CommandContext<'_>,
) -> Result<Done, ClusterError> {
    let port =
        parse_i64(args[3]).ok_or_else(|| ClusterError::InvalidBasePort(arg_text(args[3])))?;
    let cport = match args.get(4) {
        Some(a) => parse_i64(a).ok_or_else(|| ClusterError::InvalidBusPort(arg_text(a)))?,
        None => port.saturating_add(10000),
    };
    let invalid = || ClusterError::InvalidNodeAddress(arg_text(args[2]), arg_text(args[3]));
    // Numeric IPv4/IPv6 only; the normalised text is what the node stores.
    let ip: IpAddr = std::str::from_utf8(args[2])
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(invalid)?;
    let valid_port = |p: i64| (1..=65535).contains(&p);
    if !valid_port(port) || !valid_port(cport) {
        return Err(invalid());
    }
    let placeholder = (ctx.random_node_id)();
    view.start_handshake(
        &ip.to_string(),
        port as u16,
        cport as u16,
        placeholder,
        ctx.now,
    )
    .expect("a fresh random id is not in the table");
    Ok(Done::reply(ReplyValue::ok()))
}

fn forget(view: &mut ClusterView, arg: &[u8]) -> Result<Done, ClusterError> {
    let id = view
        .lookup(arg)
        .map(|n| n.id())
        .ok_or_else(|| ClusterError::UnknownNode(arg_text(arg)))?;
    let me = view.myself();
    if id == me.id() {
        return Err(ClusterError::ForgetMyself);
    }
    if me.is_replica() && me.primary() == Some(id) {
        return Err(ClusterError::ForgetMyPrimary);
    }
    let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
    d.effects.push(Effect::Blacklist(id));
    view.remove_node(&id).expect("known and not myself");
    Ok(d)
}

fn replicate(
    view: &mut ClusterView,
    arg: &[u8],
    ctx: &CommandContext<'_>,
) -> Result<Done, ClusterError> {
    let n = view
        .lookup(arg)
        .ok_or_else(|| ClusterError::UnknownNode(arg_text(arg)))?;
    let id = n.id();
    if id == view.myself_id() {
        return Err(ClusterError::ReplicateMyself);
    }
    if n.is_replica() {
        return Err(ClusterError::ReplicateReplica);
    }
    let me = view.myself_id();
    if view.myself().is_primary() && (view.slot_count_of(&me) != 0 || !ctx.keyspace.is_empty()) {
        return Err(ClusterError::ReplicateNotEmpty);
    }
    view.set_myself_replica_of(&id)
        .expect("known, not myself, myself has no slots");
    let mut d = Done::ok(Todo::SAVE_AND_UPDATE);
    d.effects.push(Effect::StartReplication { primary: id });
    d.effects.push(Effect::ResetManualFailover);
    Ok(d)
}

fn reset(
    view: &mut ClusterView,
    mode: Option<&[u8]>,
    ctx: &mut CommandContext<'_>,
) -> Result<Done, ClusterError> {
    let hard = match mode {
        None => false,
        Some(m) if m.eq_ignore_ascii_case(b"hard") => true,
        Some(m) if m.eq_ignore_ascii_case(b"soft") => false,
        Some(_) => return Err(ClusterError::Syntax),
    };
    if view.myself().is_primary() && !ctx.keyspace.is_empty() {
        return Err(ClusterError::ResetWithKeys);
    }
    let mut d = Done::ok(Todo {
        save_config: true,
        fsync_config: true,
        update_state: true,
    });
    let was_replica = view.myself().is_replica();
    if was_replica {
        d.effects.push(Effect::StopReplicationAndFlush);
    }
    d.effects.push(Effect::ResetManualFailover);
    // Every slot goes; note the ones this node's shard served.
    let all: Vec<Slot> = view
        .owned_ranges()
        .iter()
        .flat_map(|(r, _)| r.slots())
        .collect();
    let me = view.myself_id();
    if was_replica {
        // Redis turns myself into a primary before deleting slots, so its
        // old primary's slots no longer count as served here.
        view.set_node_as_primary(&me)
            .expect("myself is in the table");
    }
    unassign_slots(view, &all, &mut d.effects);
    let new_id = hard.then(|| (ctx.random_node_id)());
    view.reset(new_id);
    if hard {
        d.effects.push(Effect::Log(
            "configEpoch set to 0 via CLUSTER RESET HARD".to_string(),
        ));
        d.effects.push(Effect::Log(format!(
            "Node hard reset, now I'm {}",
            view.myself_id()
        )));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::{LinkState, Node, NodeFlags};
    use std::collections::BTreeMap;

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
    }

    fn s(n: u16) -> Slot {
        Slot::new(n).unwrap()
    }

    /// Keys by slot.
    #[derive(Default)]
    struct Keys(BTreeMap<u16, Vec<Vec<u8>>>);

    impl Keyspace for Keys {
        fn count_keys_in_slot(&self, slot: Slot) -> u64 {
            self.0.get(&slot.get()).map_or(0, |k| k.len() as u64)
        }
        fn keys_in_slot(&self, slot: Slot, max: u64) -> Vec<Vec<u8>> {
            self.0.get(&slot.get()).map_or(Vec::new(), |k| {
                k.iter().take(max as usize).cloned().collect()
            })
        }
        fn is_empty(&self) -> bool {
            self.0.values().all(|k| k.is_empty())
        }
    }

    fn run(view: &mut ClusterView, keys: &Keys, line: &str) -> Result<Outcome, ClusterError> {
        let stats = BusStats::default();
        let mut next = || id('z');
        let mut ctx = CommandContext {
            now: Millis(1000),
            keyspace: keys,
            node_timeout_ms: 15000,
            allow_replica_migration: true,
            endpoints: EndpointOptions::default(),
            my_repl_offset: 0,
            bus_stats: &stats,
            random_node_id: &mut next,
        };
        let argv: Vec<&str> = line.split(' ').collect();
        execute(view, &argv, &mut ctx)
    }

    fn done(r: Result<Outcome, ClusterError>) -> Done {
        match r {
            Ok(Outcome::Done(d)) => d,
            other => panic!("expected Done, got {other:?}"),
        }
    }

    fn err(r: Result<Outcome, ClusterError>) -> String {
        r.unwrap_err().to_string()
    }

    fn two_primaries() -> ClusterView {
        let mut v = ClusterView::fresh(id('a'), Millis(0));
        v.myself_mut().config_epoch = Epoch(1);
        let mut b = Node::new(id('b'));
        b.flags = NodeFlags::PRIMARY;
        b.config_epoch = Epoch(2);
        b.link = LinkState::Connected;
        v.add_node(b).unwrap();
        v.current_epoch = Epoch(2);
        for n in 0..8192 {
            v.assign_slot(s(n), &id('a')).unwrap();
        }
        for n in 8192..16384 {
            v.assign_slot(s(n), &id('b')).unwrap();
        }
        v
    }

    #[test]
    fn parse_i64_matches_string2ll() {
        assert_eq!(parse_i64(b"0"), Some(0));
        assert_eq!(parse_i64(b"-5"), Some(-5));
        assert_eq!(parse_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"9223372036854775808",
            b"1a",
        ] {
            assert_eq!(parse_i64(bad), None, "{:?}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn arity_and_unknown_subcommands() {
        let mut v = two_primaries();
        let k = Keys::default();
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER")),
            "ERR wrong number of arguments for 'cluster' command"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER Nope x")),
            "ERR unknown subcommand 'Nope'. Try CLUSTER HELP."
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER SETSLOT 1")),
            "ERR wrong number of arguments for 'cluster|setslot' command"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER reset a b")),
            "ERR unknown subcommand or wrong number of arguments for 'reset'. Try CLUSTER HELP."
        );
        assert!(matches!(
            run(&mut v, &k, "cluster HELP"),
            Ok(Outcome::Delegated(Delegated::Help))
        ));
    }

    #[test]
    fn addslots_is_all_or_nothing() {
        let mut v = two_primaries();
        let k = Keys::default();
        v.unassign_slot(s(1));
        v.unassign_slot(s(2));
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER ADDSLOTS 1 2 3")),
            "ERR Slot 3 is already busy"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER ADDSLOTS 1 1")),
            "ERR Slot 1 specified multiple times"
        );
        assert_eq!(v.slot_owner_id(s(1)), None);
        v.set_importing(s(2), Some(&id('b'))).unwrap();
        let d = done(run(&mut v, &k, "CLUSTER ADDSLOTSRANGE 1 2"));
        assert_eq!(d.todo, Todo::SAVE_AND_UPDATE);
        assert_eq!(v.slot_owner_id(s(2)), Some(id('a')));
        assert_eq!(
            v.importing_from(s(2)),
            None,
            "owning a slot ends its import"
        );
    }

    #[test]
    fn delslots_reports_served_slots_for_shard_channels() {
        let mut v = two_primaries();
        let k = Keys::default();
        let d = done(run(&mut v, &k, "CLUSTER DELSLOTS 5 9000"));
        assert_eq!(d.effects, [Effect::DropShardChannels(vec![s(5)])]);
        assert_eq!(
            v.slot_owner_id(s(9000)),
            None,
            "any owner's slot can be deleted"
        );
    }

    #[test]
    fn setslot_node_to_myself_closes_the_import_with_a_new_epoch() {
        let mut v = two_primaries();
        let k = Keys::default();
        done(run(
            &mut v,
            &k,
            &format!("CLUSTER SETSLOT 9000 IMPORTING {}", id('b')),
        ));
        let d = done(run(
            &mut v,
            &k,
            &format!("CLUSTER SETSLOT 9000 NODE {}", id('a')),
        ));
        assert_eq!(v.slot_owner_id(s(9000)), Some(id('a')));
        assert_eq!(v.importing_from(s(9000)), None);
        assert_eq!(
            (v.myself().config_epoch, v.current_epoch),
            (Epoch(3), Epoch(3))
        );
        assert!(d.todo.save_config && d.todo.fsync_config && d.todo.update_state);
        assert_eq!(d.effects.last(), Some(&Effect::BroadcastPong));
    }

    #[test]
    fn setslot_node_giving_away_the_last_slot_makes_a_replica() {
        let mut v = ClusterView::fresh(id('a'), Millis(0));
        let mut b = Node::new(id('b'));
        b.flags = NodeFlags::PRIMARY;
        v.add_node(b).unwrap();
        v.assign_slot(s(7), &id('a')).unwrap();
        v.set_migrating(s(7), Some(&id('b'))).unwrap();
        let mut k = Keys::default();
        k.0.insert(7, vec![b"x".to_vec()]);
        assert_eq!(
            err(run(&mut v, &k, &format!("CLUSTER SETSLOT 7 NODE {}", id('b')))),
            "ERR Can't assign hashslot 7 to a different node while I still hold keys for this hash slot."
        );
        let k = Keys::default();
        let d = done(run(
            &mut v,
            &k,
            &format!("CLUSTER SETSLOT 7 NODE {}", id('b')),
        ));
        assert!(v.myself().is_replica());
        assert_eq!(v.myself().primary(), Some(id('b')));
        assert_eq!(v.migrating_to(s(7)), None);
        assert!(d
            .effects
            .contains(&Effect::StartReplication { primary: id('b') }));
        assert!(d.todo.fsync_config);
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER SETSLOT x STABLE")),
            "ERR Please use SETSLOT only with masters."
        );
    }

    #[test]
    fn replicas_failover_forget_and_replicate_preconditions() {
        let mut v = two_primaries();
        let k = Keys::default();
        let mut r = Node::new(id('c'));
        r.flags = NodeFlags::REPLICA;
        v.add_node(r).unwrap();
        v.attach_replica(&id('c'), &id('b')).unwrap();
        let d = done(run(&mut v, &k, &format!("CLUSTER REPLICAS {}", id('b'))));
        let ReplyValue::Array(lines) = d.reply else {
            panic!()
        };
        assert_eq!(lines.len(), 1);
        assert_eq!(
            err(run(&mut v, &k, &format!("CLUSTER SLAVES {}", id('c')))),
            "ERR The specified node is not a master"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER FAILOVER")),
            "ERR You should send CLUSTER FAILOVER to a replica"
        );
        assert_eq!(
            err(run(&mut v, &k, &format!("CLUSTER REPLICATE {}", id('c')))),
            "ERR I can only replicate a master, not a replica."
        );
        v.unassign_slots_of(&id('a'));
        done(run(&mut v, &k, &format!("CLUSTER REPLICATE {}", id('b'))));
        assert_eq!(
            err(run(&mut v, &k, &format!("CLUSTER FORGET {}", id('b')))),
            "ERR Can't forget my master!"
        );
        assert!(matches!(
            run(&mut v, &k, "CLUSTER FAILOVER takeover"),
            Ok(Outcome::Delegated(Delegated::Failover(
                FailoverMode::Takeover
            )))
        ));
        v.node_mut(&id('b')).unwrap().flags.insert(NodeFlags::FAIL);
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER FAILOVER")),
            "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE"
        );
        let d = done(run(&mut v, &k, &format!("CLUSTER FORGET {}", id('c'))));
        assert_eq!(d.effects, [Effect::Blacklist(id('c'))]);
        assert!(!v.contains(&id('c')));
    }

    #[test]
    fn meet_validates_and_normalises_the_address() {
        let mut v = ClusterView::fresh(id('a'), Millis(0));
        let k = Keys::default();
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER MEET localhost 7000")),
            "ERR Invalid node address specified: localhost:7000"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER MEET 1.2.3.4 60000")),
            "ERR Invalid node address specified: 1.2.3.4:60000"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER MEET 1.2.3.4 0 5")),
            "ERR Invalid node address specified: 1.2.3.4:0"
        );
        done(run(&mut v, &k, "CLUSTER MEET 0:0::1 7000"));
        let n = v.node(&id('z')).unwrap();
        assert_eq!((n.ip.as_str(), n.port, n.cport), ("::1", 7000, 17000));
        // A second MEET to the same address is accepted and adds nothing.
        done(run(&mut v, &k, "CLUSTER MEET ::1 7000"));
        assert_eq!(v.node_count(), 2);
    }

    #[test]
    fn reset_hard_renames_and_zeroes_epochs() {
        let mut v = two_primaries();
        let mut k = Keys::default();
        k.0.insert(3, vec![b"k".to_vec()]);
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER RESET")),
            "ERR CLUSTER RESET can't be called with master nodes containing keys"
        );
        assert_eq!(
            err(run(&mut v, &k, "CLUSTER RESET bogus")),
            "ERR syntax error"
        );
        let k = Keys::default();
        let d = done(run(&mut v, &k, "CLUSTER RESET HARD"));
        assert_eq!(v.myself_id(), id('z'));
        assert_eq!(
            (v.current_epoch, v.myself().config_epoch),
            (Epoch(0), Epoch(0))
        );
        assert_eq!(v.node_count(), 1);
        assert!(d.todo.fsync_config);
        assert!(matches!(d.effects[1], Effect::DropShardChannels(ref s) if s.len() == 8192));
    }

    #[test]
    fn count_failure_reports_drops_expired_ones() {
        let mut v = two_primaries();
        let k = Keys::default();
        let b = v.node_mut(&id('b')).unwrap();
        b.add_failure_report(id('a'), Millis(0));
        let d = done(run(
            &mut v,
            &k,
            &format!("CLUSTER COUNT-FAILURE-REPORTS {}", id('b')),
        ));
        assert_eq!(d.reply, ReplyValue::Int(1));
        v.node_mut(&id('b')).unwrap().failure_reports[0].time = Millis(0);
        // now = 1000 ms; validity 30000 ms: still counted. Expire it by hand.
        v.node_mut(&id('b'))
            .unwrap()
            .prune_failure_reports(Millis(40_000), 30_000);
        let d = done(run(
            &mut v,
            &k,
            &format!("CLUSTER COUNT-FAILURE-REPORTS {}", id('b')),
        ));
        assert_eq!(d.reply, ReplyValue::Int(0));
    }
}
