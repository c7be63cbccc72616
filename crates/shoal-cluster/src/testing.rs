//! An in-memory network of [`ClusterNode`]s with a fake clock: small
//! enough for scenario tests, meant to be reused by the simulator.
//!
//! Every node gets the address `10.0.0.<i+1>`, client port `30000 + i`,
//! bus port `40000 + i`. Connections are pairs of link ids, one on each
//! side; every byte goes through the real encoder on the way out and the
//! real decoder on the way in (each [`Output::Send`] is checked to be
//! exactly one frame with [`crate::wire::next_frame`]). Deliveries take a
//! fixed latency and keep their order. Time jumps to the next delivery or
//! cron deadline, so minutes of cluster time take milliseconds.
//!
//! Faults: [`Network::kill`] (the process is gone: its connections reset,
//! connects to it fail), [`Network::restart`] (a new process from the
//! last persisted nodes.conf). No loss, reordering or partitions yet.
//!
//! What it is not: a simulator with a seed-driven schedule; that is
//! `shoal-sim`'s job.

use std::collections::{BTreeMap, VecDeque};

use shoal_types::{Millis, Slot};

use crate::commands::{ClusterError, Keyspace, Outcome};
use crate::config::ClusterConfig;
use crate::input::Input;
use crate::links::LinkId;
use crate::node::ClusterNode;
use crate::nodes_conf::parse_nodes_conf;
use crate::output::{ClusterEvent, Output};
use crate::view::ClusterState;
use crate::wire::next_frame;

/// A keyspace with no keys, for CLUSTER commands in tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmptyKeyspace;

impl Keyspace for EmptyKeyspace {
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

/// One scheduled input.
#[derive(Debug, Clone)]
struct Delivery {
    at: Millis,
    to: usize,
    input: Input,
}

/// N nodes, one clock, one wire.
pub struct Network {
    /// The current time.
    pub now: Millis,
    /// The nodes; `None` while killed.
    pub nodes: Vec<Option<ClusterNode>>,
    /// Each node's configuration (kept across restarts).
    pub configs: Vec<ClusterConfig>,
    /// The last nodes.conf each node persisted.
    pub persisted: Vec<Option<String>>,
    /// Every event each node emitted, in order.
    pub events: Vec<Vec<ClusterEvent>>,
    /// One-way delivery latency.
    pub latency_ms: u64,
    queue: VecDeque<Delivery>,
    /// (node, its link) → (peer node, peer's link).
    conns: BTreeMap<(usize, LinkId), (usize, LinkId)>,
    next_inbound: u64,
    seed: u64,
}

impl Network {
    /// `n` fresh nodes with node timeout `node_timeout_ms`, seeded from
    /// `seed`, starting at time 1000.
    pub fn new(n: usize, node_timeout_ms: u64, seed: u64) -> Network {
        let now = Millis(1000);
        let mut net = Network {
            now,
            nodes: Vec::new(),
            configs: Vec::new(),
            persisted: vec![None; n],
            events: vec![Vec::new(); n],
            latency_ms: 1,
            queue: VecDeque::new(),
            conns: BTreeMap::new(),
            next_inbound: 0,
            seed,
        };
        for i in 0..n {
            let mut config = ClusterConfig::new(Self::port(i));
            config.cluster_port = Self::bus_port(i);
            config.node_timeout_ms = node_timeout_ms;
            let node = ClusterNode::new(config.clone(), None, seed.wrapping_add(i as u64), now);
            net.configs.push(config);
            net.nodes.push(Some(node));
        }
        net
    }

    /// The IP of node `i`.
    pub fn ip(i: usize) -> String {
        format!("10.0.0.{}", i + 1)
    }

    /// The client port of node `i`.
    pub fn port(i: usize) -> u16 {
        30000 + i as u16
    }

    /// The bus port of node `i`.
    pub fn bus_port(i: usize) -> u16 {
        40000 + i as u16
    }

    /// Node `i` (panics if killed).
    pub fn node(&self, i: usize) -> &ClusterNode {
        self.nodes[i].as_ref().expect("node is alive")
    }

    /// Node `i`, mutable (panics if killed).
    pub fn node_mut(&mut self, i: usize) -> &mut ClusterNode {
        self.nodes[i].as_mut().expect("node is alive")
    }

    /// Indexes of the live nodes.
    pub fn alive(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_some())
            .collect()
    }

    /// Runs `CLUSTER <args...>` on node `i` and routes its outputs.
    pub fn command(&mut self, i: usize, args: &[&str]) -> Result<Outcome, ClusterError> {
        let mut argv: Vec<&str> = vec!["CLUSTER"];
        argv.extend_from_slice(args);
        let mut out = Vec::new();
        let now = self.now;
        let result = self.nodes[i]
            .as_mut()
            .expect("node is alive")
            .execute_command(now, &argv, &EmptyKeyspace, &mut out);
        self.route(i, out);
        result
    }

    /// Feeds `input` to node `i` now and routes its outputs.
    pub fn input(&mut self, i: usize, input: Input) {
        let now = self.now;
        let Some(node) = self.nodes[i].as_mut() else {
            return;
        };
        let mut out = Vec::new();
        node.handle(now, input, &mut out);
        self.route(i, out);
    }

    /// Carries out node `from`'s outputs.
    fn route(&mut self, from: usize, out: Vec<Output>) {
        let at = self.now.plus(self.latency_ms);
        for o in out {
            match o {
                Output::Connect { link, ip, port } => {
                    let target = (0..self.nodes.len()).find(|&j| {
                        self.nodes[j].is_some() && Self::ip(j) == ip && Self::bus_port(j) == port
                    });
                    match target {
                        Some(j) => {
                            self.next_inbound += 1;
                            let peer = LinkId::Inbound(self.next_inbound);
                            self.conns.insert((from, link), (j, peer));
                            self.conns.insert((j, peer), (from, link));
                            self.queue.push_back(Delivery {
                                at,
                                to: j,
                                input: Input::Accepted {
                                    link: peer,
                                    peer_ip: Self::ip(from),
                                    local_ip: Self::ip(j),
                                },
                            });
                            self.queue.push_back(Delivery {
                                at,
                                to: from,
                                input: Input::Connected(link),
                            });
                        }
                        None => self.queue.push_back(Delivery {
                            at,
                            to: from,
                            input: Input::ConnectFailed(link),
                        }),
                    }
                }
                Output::Send { link, bytes } => {
                    let frame = next_frame(&bytes)
                        .expect("the encoder writes valid framing")
                        .expect("a whole frame");
                    assert_eq!(frame.len(), bytes.len(), "one Send is one frame");
                    if let Some(&(j, peer)) = self.conns.get(&(from, link)) {
                        self.queue.push_back(Delivery {
                            at,
                            to: j,
                            input: Input::Packet { link: peer, bytes },
                        });
                    }
                }
                Output::Close(link) => {
                    if let Some((j, peer)) = self.conns.remove(&(from, link)) {
                        self.conns.remove(&(j, peer));
                        self.queue.push_back(Delivery {
                            at,
                            to: j,
                            input: Input::Closed(peer),
                        });
                    }
                }
                Output::PersistConfig { text, .. } => self.persisted[from] = Some(text),
                Output::Event(e) => self.events[from].push(e),
            }
        }
    }

    /// Advances to the next delivery or deadline and runs it. Returns false
    /// when nothing is left to do (never, while a node lives).
    pub fn step(&mut self) -> bool {
        let next_tick = self
            .alive()
            .into_iter()
            .filter_map(|i| self.node(i).next_deadline())
            .min();
        let next_msg = self.queue.front().map(|d| d.at);
        let next = match (next_tick, next_msg) {
            (Some(t), Some(m)) => t.min(m),
            (Some(t), None) => t,
            (None, Some(m)) => m,
            (None, None) => return false,
        };
        self.now = self.now.max(next);
        if next_msg.is_some_and(|m| m <= self.now) {
            let d = self.queue.pop_front().expect("front exists");
            self.input(d.to, d.input);
            return true;
        }
        for i in self.alive() {
            if self.node(i).next_deadline().is_some_and(|t| t <= self.now) {
                self.input(i, Input::Tick);
            }
        }
        true
    }

    /// Steps until `cond` holds or `max_ms` of simulated time pass. Returns
    /// whether `cond` held.
    pub fn run_until(&mut self, max_ms: u64, mut cond: impl FnMut(&Network) -> bool) -> bool {
        let deadline = self.now.plus(max_ms);
        while self.now <= deadline {
            if cond(self) {
                return true;
            }
            if !self.step() {
                break;
            }
        }
        cond(self)
    }

    /// Runs for `ms` of simulated time.
    pub fn run_for(&mut self, ms: u64) {
        let end = self.now.plus(ms);
        while self.now < end && self.step() {}
    }

    /// Kills node `i`: its connections reset, later connects fail, and
    /// everything it did not persist is lost.
    pub fn kill(&mut self, i: usize) {
        self.nodes[i] = None;
        let at = self.now.plus(self.latency_ms);
        let ends: Vec<((usize, LinkId), (usize, LinkId))> = self
            .conns
            .iter()
            .filter(|(k, v)| k.0 == i || v.0 == i)
            .map(|(k, v)| (*k, *v))
            .collect();
        for (a, b) in ends {
            self.conns.remove(&a);
            if a.0 != i {
                self.queue.push_back(Delivery {
                    at,
                    to: a.0,
                    input: Input::Closed(a.1),
                });
            }
            let _ = b;
        }
        self.queue.retain(|d| d.to != i);
    }

    /// Restarts node `i` from its last persisted nodes.conf.
    pub fn restart(&mut self, i: usize) {
        assert!(self.nodes[i].is_none(), "kill the node first");
        let text = self.persisted[i]
            .clone()
            .expect("the node persisted a config");
        let loaded = parse_nodes_conf(text.as_bytes()).expect("persisted config parses");
        let seed = self.seed.wrapping_add(1000 + i as u64);
        self.nodes[i] = Some(ClusterNode::new(
            self.configs[i].clone(),
            Some(loaded.view),
            seed,
            self.now,
        ));
    }

    /// True when every live node knows every other live node by its real
    /// name (no handshake left), and all of them are connected.
    pub fn all_know_all(&self) -> bool {
        let alive = self.alive();
        alive.iter().all(|&i| {
            let view = self.node(i).view();
            alive.iter().all(|&j| {
                let id = self.node(j).myself_id();
                view.node(&id).is_some_and(|n| !n.in_handshake())
            }) && view.nodes().all(|n| !n.in_handshake())
                && view.node_count() == alive.len()
        })
    }

    /// True when every live node reports `cluster_state:ok`.
    pub fn all_ok(&self) -> bool {
        self.alive()
            .iter()
            .all(|&i| self.node(i).view().state == ClusterState::Ok)
    }
}
