//! The world: N production [`ClusterNode`]s, their clocks and disks, the
//! network, and one event queue ordered by `(world time, sequence)`.
//!
//! A step pops the earliest event, sets the world clock to it, hands the
//! node its input at the node's own (drifting) time, and carries out the
//! outputs in order: nodes.conf writes to the disk, messages to the network
//! (which schedules their arrival), events to the trace. Then every
//! invariant checks the step, the node's summary line is updated if it
//! changed, and the node's timer is re-armed from `next_deadline()`.
//! Equal times are broken by the sequence number, so a seed replays
//! exactly; nothing here reads the wall clock or iterates a hash map.
//!
//! ```text
//!  Output::Connect ──► SYN: Accepted at the peer (+d1), Connected here (+d1+d2)
//!                      refused/unreachable: ConnectFailed here
//!  Output::Send    ──► one frame (checked with next_frame) → Packet at the peer
//!                      after the link's delay (retransmitted, doubled, reordered
//!                      per profile); held while a partition cuts the path; a
//!                      reset closes both ends; a peer end already gone answers RST
//!  Output::Close   ──► FIN: Closed at the peer, if the path is open
//!  crash           ──► RST to every peer that can hear it; in-flight input dropped
//!  pause           ──► the node's input waits until the pause ends
//! ```
//!
//! What it does not do: decide the schedule of faults ([`crate::faults`])
//! or the phases of a run ([`crate::simulation`]).

use std::collections::BTreeMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoal_cluster::commands::{ClusterError, Keyspace, Outcome};
use shoal_cluster::config::ClusterConfig;
use shoal_cluster::input::Input;
use shoal_cluster::links::LinkId;
use shoal_cluster::node::ClusterNode;
use shoal_cluster::nodes_conf::{parse_nodes_conf, render_nodes_conf};
use shoal_cluster::output::{ClusterEvent, Output};
use shoal_cluster::view::{ClusterState, ClusterView};
use shoal_cluster::wire::{next_frame, MessageType};
use shoal_types::{Millis, NodeId, Slot};

use crate::clock::NodeClock;
use crate::disk::SimDisk;
use crate::faults::{FaultAction, FaultContext, FaultPlanner};
use crate::frames::PackedFrame;
use crate::invariants::{Boot, Checkers, Sent, Step, Violation};
use crate::network::{ConnId, SimNetwork, Transmission};
use crate::scenario::Scenario;
use crate::trace::{NodeSummary, Trace};

/// A keyspace with no keys: the simulator runs the bus only.
struct NoKeys;

impl Keyspace for NoKeys {
    fn count_keys_in_slot(&self, _slot: Slot) -> u64 {
        0
    }
    fn keys_in_slot(&self, _slot: Slot, _max: u64) -> Vec<Vec<u8>> {
        Vec::new()
    }
    fn is_empty(&self) -> bool {
        true
    }
}

/// A child seed: `root` mixed with a tag and a number (SplitMix64).
pub fn child_seed(root: u64, tag: u64, n: u64) -> u64 {
    let mut z = root
        .wrapping_add(tag.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(n.wrapping_mul(0xd1b5_4a32_d192_ed03));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// One simulated machine: the process (absent while crashed), its
/// configuration, clock and disk.
pub struct SimNode {
    /// The running process, `None` while crashed.
    pub node: Option<ClusterNode>,
    /// Its configuration (kept across restarts).
    pub config: ClusterConfig,
    /// Its clock.
    pub clock: NodeClock,
    /// Its nodes.conf.
    pub disk: SimDisk,
    /// Bumped at every crash; input for an older incarnation is dropped.
    pub incarnation: u64,
    /// The process handles nothing until then.
    pub paused_until: Option<Millis>,
    /// Crashed and never coming back.
    pub gone_for_good: bool,
    /// Its IP.
    pub ip: String,
    /// The id it had at its first start (a restart keeps it).
    pub id: NodeId,
    timer_at: Option<Millis>,
    summary: Option<NodeSummary>,
}

impl SimNode {
    /// True while the process runs.
    pub fn is_up(&self) -> bool {
        self.node.is_some()
    }

    /// Its view, if up.
    pub fn view(&self) -> Option<&ClusterView> {
        self.node.as_ref().map(|n| n.view())
    }
}

#[derive(Debug)]
enum Event {
    Tick {
        node: usize,
    },
    Deliver {
        node: usize,
        incarnation: u64,
        conn: Option<(ConnId, LinkId)>,
        input: Input,
    },
    /// A frame on its way, packed ([`crate::frames`]); delivered as
    /// `Deliver` with `Input::Packet`.
    Frame {
        node: usize,
        incarnation: u64,
        conn: (ConnId, LinkId),
        frame: PackedFrame,
    },
    Fault(FaultAction),
    FaultArrival,
}

/// Things observed for the failover measurements.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// First time any node flagged each node FAIL.
    pub first_fail: BTreeMap<NodeId, Millis>,
    /// Nodes that became primary, with the time.
    pub promotions: Vec<(Millis, usize)>,
}

/// The whole simulated cluster.
pub struct World {
    /// World time.
    pub now: Millis,
    /// The machines.
    pub nodes: Vec<SimNode>,
    /// The network.
    pub net: SimNetwork,
    /// Compact lines and the run's hash.
    pub trace: Trace,
    /// Node id → index.
    pub names: BTreeMap<NodeId, usize>,
    /// The first broken invariant, if any (the run stops there).
    pub violation: Option<Violation>,
    /// Steps taken.
    pub steps: u64,
    /// What the failover measurements need.
    pub observed: Observations,
    /// Run invariant checkers after every step.
    pub check_invariants: bool,
    queue: BTreeMap<(Millis, u64), Event>,
    seq: u64,
    /// Messages waiting for a partition to end: (sender, its link, the
    /// connection, frame).
    held: Vec<(usize, LinkId, ConnId, Vec<u8>)>,
    seed: u64,
    checkers: Checkers,
    planner: Option<FaultPlanner>,
    faults_until: Millis,
    node_timeout_ms: u64,
    primaries: usize,
}

impl World {
    /// The nodes of `scenario`, started fresh at world time 0, each knowing
    /// only itself, on a healthy network.
    pub fn new(scenario: &Scenario, verbose: bool) -> World {
        let n = scenario.node_count();
        let seed = scenario.seed;
        let mut rng = ChaCha8Rng::seed_from_u64(child_seed(seed, 1, 0));
        let mut world = World {
            now: Millis(0),
            nodes: Vec::with_capacity(n),
            net: SimNetwork::new(n, child_seed(seed, 2, 0), scenario.link_spread),
            trace: Trace::new(verbose),
            names: BTreeMap::new(),
            violation: None,
            steps: 0,
            observed: Observations::default(),
            check_invariants: true,
            queue: BTreeMap::new(),
            seq: 0,
            held: Vec::new(),
            seed,
            checkers: Checkers::new(n),
            planner: None,
            faults_until: Millis(0),
            node_timeout_ms: scenario.node_timeout_ms,
            primaries: scenario.primaries,
        };
        for i in 0..n {
            let drift = if scenario.drift_ppm_max > 0 {
                rng.random_range(-scenario.drift_ppm_max..=scenario.drift_ppm_max)
            } else {
                0
            };
            let clock = NodeClock::new(rng.random_range(0..=scenario.clock_offset_max_ms), drift);
            let mut config = ClusterConfig::new(30_000 + i as u16);
            config.cluster_port = 40_000 + i as u16;
            config.node_timeout_ms = scenario.node_timeout_ms;
            let ip = Self::ip_of(i);
            world.net.register(i, ip.clone(), config.cluster_port);
            let node = ClusterNode::new(
                config.clone(),
                None,
                child_seed(seed, 3, i as u64),
                clock.local(Millis(0)),
            );
            let id = node.myself_id();
            world.names.insert(id, i);
            // The server writes nodes.conf (with fsync) as it starts.
            let mut disk = SimDisk::default();
            disk.write(render_nodes_conf(node.view()), true);
            world.nodes.push(SimNode {
                node: Some(node),
                config,
                clock,
                disk,
                incarnation: 0,
                paused_until: None,
                gone_for_good: false,
                ip,
                id,
                timer_at: None,
                summary: None,
            });
        }
        for i in 0..n {
            let id = world.nodes[i].id;
            world.trace.line(
                Millis(0),
                "world",
                format_args!(
                    "start n{i} {} drift={}ppm",
                    &id.as_str()[..8],
                    world.nodes[i].clock.drift_ppm
                ),
            );
            world.after_step(i, Vec::new(), None, Boot::Fresh, None);
        }
        world
    }

    /// The IP of node `i`.
    pub fn ip_of(i: usize) -> String {
        format!("10.0.{}.{}", i / 250, i % 250 + 1)
    }

    /// Number of machines.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True with no machine at all.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Indexes of the running processes.
    pub fn up(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_up())
            .collect()
    }

    /// Node `i`'s process (panics while crashed).
    pub fn node(&self, i: usize) -> &ClusterNode {
        self.nodes[i].node.as_ref().expect("node is up")
    }

    fn push(&mut self, at: Millis, event: Event) {
        self.seq += 1;
        self.queue.insert((at, self.seq), event);
    }

    /// Runs `CLUSTER <args...>` on node `i` now.
    pub fn command(&mut self, i: usize, args: &[&str]) -> Result<Outcome, ClusterError> {
        let mut argv: Vec<&str> = vec!["CLUSTER"];
        argv.extend_from_slice(args);
        let local = self.nodes[i].clock.local(self.now);
        let mut out = Vec::new();
        let node = self.nodes[i]
            .node
            .as_mut()
            .expect("commands go to running nodes");
        let size_before = node.view().size;
        let result = node.execute_command(local, &argv, &NoKeys, &mut out);
        self.trace.line(
            self.now,
            &format!("n{i}"),
            format_args!("CLUSTER {}", args.join(" ")),
        );
        self.after_step(i, out, None, Boot::Running, Some(size_before));
        result
    }

    /// Starts the fault phase: the network takes the scenario's profile
    /// and faults arrive until `until`.
    pub fn start_faults(&mut self, scenario: &Scenario, until: Millis) {
        self.net.profile = scenario.link;
        self.faults_until = until;
        let mut planner = FaultPlanner::new(scenario, child_seed(self.seed, 4, 0));
        if let Some(at) = planner.next_arrival(self.now).filter(|&t| t < until) {
            self.push(at, Event::FaultArrival);
        }
        self.planner = Some(planner);
        self.trace.line(self.now, "world", "fault phase starts");
    }

    /// Ends the fault phase: no new faults, the network turns healthy,
    /// the partition ends, crashed nodes (not gone for good) restart.
    /// Pauses in progress run out.
    pub fn heal(&mut self) {
        self.planner = None;
        self.net.profile = crate::scenario::LinkProfile::healthy();
        self.queue
            .retain(|_, e| !matches!(e, Event::Fault(_) | Event::FaultArrival));
        self.trace.line(self.now, "world", "heal: faults stop");
        self.apply(FaultAction::HealPartition);
        for i in 0..self.nodes.len() {
            if !self.nodes[i].is_up() && !self.nodes[i].gone_for_good {
                self.apply(FaultAction::Restart { node: i });
            }
        }
    }

    /// Applies one fault now.
    pub fn apply(&mut self, action: FaultAction) {
        match action {
            FaultAction::Crash {
                node,
                lose_unsynced,
                permanent,
            } => self.crash(node, lose_unsynced, permanent),
            FaultAction::Restart { node } => self.restart(node),
            FaultAction::Pause { node, until } => {
                if self.nodes[node].is_up() {
                    let until = self.nodes[node]
                        .paused_until
                        .map_or(until, |u| u.max(until));
                    self.nodes[node].paused_until = Some(until);
                    self.trace.line(
                        self.now,
                        "world",
                        format_args!("pause n{node} for {}ms", until.since(self.now)),
                    );
                }
            }
            FaultAction::Partition(p) => {
                self.trace.line(
                    self.now,
                    "world",
                    format_args!("partition: {}", p.describe()),
                );
                self.net.partition = Some(p);
                self.release_held();
            }
            FaultAction::HealPartition => {
                if self.net.partition.take().is_some() {
                    self.trace.line(self.now, "world", "partition heals");
                }
                self.release_held();
            }
        }
    }

    /// Kills node `i`'s process.
    pub fn crash(&mut self, i: usize, lose_unsynced: bool, permanent: bool) {
        if !self.nodes[i].is_up() {
            return;
        }
        self.trace.line(
            self.now,
            "world",
            format_args!(
                "crash n{i}{}{}",
                if lose_unsynced {
                    " (lose unsynced)"
                } else {
                    ""
                },
                if permanent { " for good" } else { "" }
            ),
        );
        let sim = &mut self.nodes[i];
        sim.node = None;
        sim.incarnation += 1;
        sim.disk.crash(lose_unsynced);
        sim.paused_until = None;
        sim.timer_at = None;
        sim.summary = None;
        sim.gone_for_good = permanent;
        for (conn, link) in self.net.open_ends_of(i) {
            let peer = self.net.peer(conn, i, link);
            self.net.close_end(conn, i, link);
            if let Some(p) = peer.filter(|p| p.open && self.net.path_open(i, p.node)) {
                let at = self.now.plus(self.net.delay(i, p.node));
                self.deliver_at(at, p.node, Some((conn, p.link)), Input::Closed(p.link));
            }
        }
    }

    /// Starts node `i` again from its nodes.conf.
    pub fn restart(&mut self, i: usize) {
        if self.nodes[i].is_up() || self.nodes[i].gone_for_good {
            return;
        }
        let text = self.nodes[i]
            .disk
            .read()
            .expect("written at first start")
            .to_string();
        let loaded = match parse_nodes_conf(text.as_bytes()) {
            Ok(l) => l,
            Err(e) => {
                self.violation = Some(Violation {
                    invariant: "nodes-conf-loads",
                    message: format!("n{i} cannot load its own nodes.conf: {e}"),
                });
                return;
            }
        };
        let sim = &mut self.nodes[i];
        let local = sim.clock.local(self.now);
        let node = ClusterNode::new(
            sim.config.clone(),
            Some(loaded.view),
            child_seed(self.seed, 5, (i as u64) << 20 | sim.incarnation),
            local,
        );
        assert_eq!(node.myself_id(), sim.id, "nodes.conf keeps the node's name");
        sim.node = Some(node);
        self.trace
            .line(self.now, "world", format_args!("restart n{i}"));
        self.after_step(i, Vec::new(), None, Boot::Restarted, None);
    }

    fn deliver_at(
        &mut self,
        at: Millis,
        node: usize,
        conn: Option<(ConnId, LinkId)>,
        input: Input,
    ) {
        let incarnation = self.nodes[node].incarnation;
        self.push(
            at,
            Event::Deliver {
                node,
                incarnation,
                conn,
                input,
            },
        );
    }

    /// Time of the next event, if any.
    pub fn next_event_time(&self) -> Option<Millis> {
        self.queue.first_key_value().map(|(k, _)| k.0)
    }

    /// Handles every event due at or before `t`, then sets the clock to
    /// `t`. Stops early (clock where it was) at a violation.
    pub fn advance_to(&mut self, t: Millis) {
        while self.violation.is_none() {
            match self.queue.first_key_value() {
                Some((&(at, _), _)) if at <= t => {
                    let (key, event) = self.queue.pop_first().expect("peeked");
                    self.now = self.now.max(key.0);
                    self.dispatch(key.0, event);
                }
                _ => break,
            }
        }
        if self.violation.is_none() {
            self.now = self.now.max(t);
        }
    }

    /// Runs until `done(world)` holds (checked every `every_ms`) or world
    /// time reaches `deadline`. Returns whether `done` held; false at once
    /// on a violation.
    pub fn run_until(
        &mut self,
        deadline: Millis,
        every_ms: u64,
        mut done: impl FnMut(&World) -> bool,
    ) -> bool {
        loop {
            if self.violation.is_some() {
                return false;
            }
            if done(self) {
                return true;
            }
            if self.now >= deadline {
                return false;
            }
            let next = self.now.plus(every_ms).min(deadline);
            self.advance_to(next);
        }
    }

    fn dispatch(&mut self, at: Millis, event: Event) {
        match event {
            Event::Tick { node } => {
                let sim = &mut self.nodes[node];
                if !sim.is_up() || sim.timer_at != Some(at) {
                    return;
                }
                if let Some(until) = sim.paused_until.filter(|&u| u > at) {
                    sim.timer_at = Some(until);
                    self.push(until, Event::Tick { node });
                    return;
                }
                sim.timer_at = None;
                self.handle(node, Input::Tick, None);
            }
            Event::Deliver {
                node,
                incarnation,
                conn,
                input,
            } => {
                let sim = &self.nodes[node];
                if !sim.is_up() || sim.incarnation != incarnation {
                    return;
                }
                if let Some(until) = sim.paused_until.filter(|&u| u > at) {
                    self.push(
                        until,
                        Event::Deliver {
                            node,
                            incarnation,
                            conn,
                            input,
                        },
                    );
                    return;
                }
                if let Some((c, link)) = conn {
                    if !self.net.end_open(c, node, link) {
                        return;
                    }
                    if matches!(input, Input::Closed(_)) {
                        self.net.close_end(c, node, link);
                    }
                }
                let kind = match &input {
                    Input::Packet { bytes, .. } => frame_type(bytes),
                    _ => None,
                };
                self.handle(node, input, kind);
            }
            Event::Frame {
                node,
                incarnation,
                conn,
                frame,
            } => {
                let input = Input::Packet {
                    link: conn.1,
                    bytes: frame.unpack(),
                };
                let event = Event::Deliver {
                    node,
                    incarnation,
                    conn: Some(conn),
                    input,
                };
                self.dispatch(at, event);
            }
            Event::Fault(action) => self.apply(action),
            Event::FaultArrival => {
                if self.now >= self.faults_until {
                    return;
                }
                let ctx = self.fault_context();
                let Some(planner) = self.planner.as_mut() else {
                    return;
                };
                let actions = planner.arrival(self.now, &ctx);
                let next = planner
                    .next_arrival(self.now)
                    .filter(|&t| t < self.faults_until);
                for (when, action) in actions {
                    if when <= self.now {
                        self.apply(action);
                    } else {
                        self.push(when, Event::Fault(action));
                    }
                }
                if let Some(t) = next {
                    self.push(t, Event::FaultArrival);
                }
            }
        }
    }

    /// What the fault planner needs: who is up, and who may crash for
    /// good (a replica, or a primary with a replica not gone for good).
    fn fault_context(&self) -> FaultContext {
        let up: Vec<bool> = self.nodes.iter().map(|n| n.is_up()).collect();
        let gone: Vec<bool> = self.nodes.iter().map(|n| n.gone_for_good).collect();
        let may_lose_for_good = (0..self.nodes.len())
            .map(|i| {
                let Some(view) = self.nodes[i].view() else {
                    return false;
                };
                let me = view.myself();
                let alive = |id: &NodeId| self.names.get(id).is_some_and(|&j| !gone[j] && up[j]);
                // The shard must keep a member that is not gone for good.
                let shard = if me.is_replica() {
                    match me.primary() {
                        Some(p) => p,
                        None => return false,
                    }
                } else if view.slot_count_of(&me.id()) > 0 {
                    me.id()
                } else {
                    return false;
                };
                (shard != me.id() && alive(&shard))
                    || view
                        .replicas_of(&shard)
                        .any(|r| r.id() != me.id() && alive(&r.id()))
            })
            .collect();
        FaultContext {
            up,
            may_lose_for_good,
            gone_for_good: gone.iter().filter(|&&g| g).count(),
            primaries: self.primaries,
            partitioned: self.net.partition.is_some(),
        }
    }

    fn handle(&mut self, i: usize, input: Input, kind: Option<MessageType>) {
        let sim = &mut self.nodes[i];
        let local = sim.clock.local(self.now);
        let node = sim.node.as_mut().expect("checked by the caller");
        let size_before = node.view().size;
        let mut out = Vec::new();
        node.handle(local, input, &mut out);
        self.after_step(i, out, kind, Boot::Running, Some(size_before));
    }

    /// Carries out a step's outputs, checks the invariants, traces the
    /// node's summary and re-arms its timer.
    fn after_step(
        &mut self,
        i: usize,
        out: Vec<Output>,
        input: Option<MessageType>,
        boot: Boot,
        size_before: Option<usize>,
    ) {
        self.steps += 1;
        let mut sent_meta: Vec<(usize, Option<usize>, Option<MessageType>)> = Vec::new();
        let mut bytes_out = 0u64;
        for (k, o) in out.iter().enumerate() {
            match o {
                Output::Connect { link, ip, port } => self.connect(i, *link, ip, *port),
                Output::Send { link, bytes } => {
                    let frame = next_frame(bytes)
                        .expect("the encoder writes valid framing")
                        .expect("a whole frame");
                    assert_eq!(frame.len(), bytes.len(), "one Send is one frame");
                    bytes_out += bytes.len() as u64;
                    let to = self.send(i, *link, bytes);
                    sent_meta.push((k, to, frame_type(bytes)));
                }
                Output::Close(link) => self.close(i, *link),
                Output::PersistConfig { fsync, text } => {
                    self.nodes[i].disk.write(text.clone(), *fsync);
                }
                Output::Event(e) => self.observe(i, e),
            }
        }
        if self.check_invariants {
            if let Some(view) = self.nodes[i].view() {
                let sent: Vec<Sent<'_>> = sent_meta
                    .iter()
                    .map(|&(k, to, kind)| Sent {
                        to,
                        kind,
                        bytes: match &out[k] {
                            Output::Send { bytes, .. } => bytes,
                            _ => unreachable!("indexes of sends"),
                        },
                    })
                    .collect();
                let step = Step {
                    now: self.now,
                    local_now: self.nodes[i].clock.local(self.now),
                    node: i,
                    view,
                    outputs: &out,
                    sent: &sent,
                    input,
                    boot,
                    size_before: size_before.unwrap_or(view.size),
                    node_timeout_ms: self.node_timeout_ms,
                    names: &self.names,
                };
                if let Err(v) = self.checkers.check(&step) {
                    self.trace
                        .line(self.now, "world", format_args!("VIOLATION {v}"));
                    self.violation = Some(v);
                }
            }
        }
        if let Some(view) = self.nodes[i].view() {
            let summary = NodeSummary::of(view, &self.names);
            if self.nodes[i].summary != Some(summary) {
                self.nodes[i].summary = Some(summary);
                self.trace.line(self.now, &format!("n{i}"), summary);
            }
        }
        self.trace.mix(&[
            self.now.0,
            i as u64,
            input.map_or(99, |t| u64::from(t.code())),
            out.len() as u64,
            bytes_out,
        ]);
        self.arm_timer(i);
    }

    fn arm_timer(&mut self, i: usize) {
        let sim = &mut self.nodes[i];
        let Some(node) = sim.node.as_ref() else {
            return;
        };
        let Some(deadline) = node.next_deadline() else {
            return;
        };
        let at = sim.clock.world_time_of(deadline).max(self.now);
        if sim.timer_at.is_some_and(|t| t <= at) {
            return;
        }
        sim.timer_at = Some(at);
        self.push(at, Event::Tick { node: i });
    }

    fn observe(&mut self, i: usize, e: &ClusterEvent) {
        match e {
            ClusterEvent::NodeFailed(id) => {
                self.observed.first_fail.entry(*id).or_insert(self.now);
                let name = self
                    .names
                    .get(id)
                    .map_or_else(|| id.as_str()[..8].to_string(), |j| format!("n{j}"));
                self.trace.line(
                    self.now,
                    &format!("n{i}"),
                    format_args!("flags {name} FAIL"),
                );
            }
            ClusterEvent::BecamePrimary => {
                self.observed.promotions.push((self.now, i));
            }
            _ => {}
        }
    }

    fn connect(&mut self, i: usize, link: LinkId, ip: &str, port: u16) {
        let target = self.net.lookup(ip, port);
        let reachable = target.filter(|&b| {
            self.nodes[b].is_up() && self.net.path_open(i, b) && self.net.path_open(b, i)
        });
        match reachable {
            Some(b) => {
                let (conn, lb) = self.net.open(i, link, b);
                let d1 = self.net.delay(i, b);
                let d2 = self.net.delay(b, i);
                let accepted = Input::Accepted {
                    link: lb,
                    peer_ip: self.nodes[i].ip.clone(),
                    local_ip: self.nodes[b].ip.clone(),
                };
                self.deliver_at(self.now.plus(d1), b, Some((conn, lb)), accepted);
                self.deliver_at(
                    self.now.plus(d1 + d2),
                    i,
                    Some((conn, link)),
                    Input::Connected(link),
                );
            }
            None => {
                // A crashed host refuses at once; a partition makes the
                // connect time out.
                let wait = match target {
                    Some(b) if self.nodes[b].is_up() => (self.node_timeout_ms / 2).max(500),
                    Some(b) => 2 * self.net.delay(i, b),
                    None => 1,
                };
                self.deliver_at(self.now.plus(wait), i, None, Input::ConnectFailed(link));
            }
        }
    }

    /// Sends one frame; returns the node at the other end.
    fn send(&mut self, i: usize, link: LinkId, bytes: &[u8]) -> Option<usize> {
        let conn = self.net.conn_of(i, link)?;
        let peer = self.net.peer(conn, i, link)?;
        if !self.net.path_open(i, peer.node) {
            // TCP keeps retransmitting; it arrives once the path opens.
            self.held.push((i, link, conn, bytes.to_vec()));
            return Some(peer.node);
        }
        if !peer.open {
            // The other side is gone: its host answers with a reset.
            if self.net.path_open(peer.node, i) {
                let at = self.now.plus(2 * self.net.delay(i, peer.node));
                self.deliver_at(at, i, Some((conn, link)), Input::Closed(link));
            }
            return Some(peer.node);
        }
        match self
            .net
            .transmit(conn, (i, link), peer.node, self.now, bytes.len())
        {
            Transmission::Arrives(arrivals) => {
                let frame = PackedFrame::pack(bytes);
                let incarnation = self.nodes[peer.node].incarnation;
                for at in arrivals {
                    let event = Event::Frame {
                        node: peer.node,
                        incarnation,
                        conn: (conn, peer.link),
                        frame: frame.clone(),
                    };
                    self.push(at, event);
                }
            }
            Transmission::Reset => {
                let d = self.net.delay(i, peer.node);
                self.deliver_at(self.now.plus(d), i, Some((conn, link)), Input::Closed(link));
                self.deliver_at(
                    self.now.plus(d),
                    peer.node,
                    Some((conn, peer.link)),
                    Input::Closed(peer.link),
                );
            }
        }
        Some(peer.node)
    }

    /// Sends again, in their order, the held messages whose path is open
    /// now (the partition changed or ended).
    fn release_held(&mut self) {
        let held = std::mem::take(&mut self.held);
        for (i, link, conn, bytes) in held {
            // Link ids are reused after a restart: same connection only.
            if self.net.conn_of(i, link) == Some(conn) {
                self.send(i, link, &bytes);
            }
        }
    }

    fn close(&mut self, i: usize, link: LinkId) {
        let Some(conn) = self.net.conn_of(i, link) else {
            return;
        };
        let peer = self.net.peer(conn, i, link);
        self.net.close_end(conn, i, link);
        if let Some(p) = peer.filter(|p| p.open && self.net.path_open(i, p.node)) {
            let at = self.now.plus(self.net.delay(i, p.node));
            self.deliver_at(at, p.node, Some((conn, p.link)), Input::Closed(p.link));
        }
    }

    /// The views of every running node, with their indexes.
    pub fn views(&self) -> Vec<(usize, &ClusterView)> {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.view().map(|v| (i, v)))
            .collect()
    }

    /// Running nodes reporting `cluster_state:ok`.
    pub fn ok_count(&self) -> usize {
        self.views()
            .iter()
            .filter(|(_, v)| v.state == ClusterState::Ok)
            .count()
    }
}

/// The message type of a frame (bytes 12-13), if known.
pub fn frame_type(bytes: &[u8]) -> Option<MessageType> {
    if bytes.len() < 14 {
        return None;
    }
    MessageType::from_code(u16::from_be_bytes([bytes[12], bytes[13]]))
}
