//! The fault schedule of the fault phase: when the next fault starts, what
//! it is, and when it ends.
//!
//! Faults arrive as one Poisson process (the sum of the scenario's rates);
//! each arrival picks its kind in proportion to the rates, then a victim
//! and a duration from the planner's own random stream. Ends are scheduled
//! with the start: a restart after a crash (unless the crash is for good),
//! the end of a partition. A pause carries its own end.
//!
//! The planner keeps the cluster recoverable, so that the liveness phase
//! can demand recovery: at most a third of the nodes down at once, one
//! partition at a time, and a crash for good only if the node's shard keeps
//! a member and at most `(primaries - 1) / 2` nodes are gone for good (so a
//! majority of primaries can still vote). The world says which nodes may
//! go for good ([`FaultContext::may_lose_for_good`]).
//!
//! What it does not do: apply faults. The world does ([`crate::world`]).

use std::collections::BTreeSet;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use shoal_types::Millis;

use crate::network::Partition;
use crate::scenario::{FaultRates, Scenario};

/// One fault to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultAction {
    /// The process dies; its disk loses unsynced writes if asked.
    Crash {
        /// The victim.
        node: usize,
        /// Power-loss style: nodes.conf writes not fsynced are gone.
        lose_unsynced: bool,
        /// It never comes back.
        permanent: bool,
    },
    /// A crashed process starts again from its nodes.conf.
    Restart {
        /// The node.
        node: usize,
    },
    /// The process stops handling anything until `until`.
    Pause {
        /// The node.
        node: usize,
        /// World time the pause ends.
        until: Millis,
    },
    /// A partition starts (replacing none: one at a time).
    Partition(Partition),
    /// The partition in force ends.
    HealPartition,
}

/// What the planner needs to know about the world.
#[derive(Debug, Clone)]
pub struct FaultContext {
    /// Nodes whose process runs.
    pub up: Vec<bool>,
    /// Nodes that may crash for good now without making recovery
    /// impossible (computed by the world from the views).
    pub may_lose_for_good: Vec<bool>,
    /// Nodes already gone for good.
    pub gone_for_good: usize,
    /// Number of shards.
    pub primaries: usize,
    /// A partition is in force.
    pub partitioned: bool,
}

/// The random fault schedule of one run.
pub struct FaultPlanner {
    rng: ChaCha8Rng,
    rates: FaultRates,
    timeout_ms: u64,
    lose_unsynced: f64,
    permanent: f64,
}

impl FaultPlanner {
    /// The planner of `scenario`, drawing from `seed`.
    pub fn new(scenario: &Scenario, seed: u64) -> FaultPlanner {
        FaultPlanner {
            rng: ChaCha8Rng::seed_from_u64(seed),
            rates: scenario.rates,
            timeout_ms: scenario.node_timeout_ms,
            lose_unsynced: scenario.lose_unsynced,
            permanent: scenario.permanent_crash,
        }
    }

    fn total_rate(&self) -> f64 {
        self.rates.crashes_per_min + self.rates.pauses_per_min + self.rates.partitions_per_min
    }

    /// When the next fault arrives after `now`, if faults are on at all.
    pub fn next_arrival(&mut self, now: Millis) -> Option<Millis> {
        let rate = self.total_rate();
        if rate <= 0.0 {
            return None;
        }
        let mean_ms = 60_000.0 / rate;
        let u: f64 = self.rng.random_range(f64::MIN_POSITIVE..1.0);
        Some(now.plus((-mean_ms * u.ln()).min(mean_ms * 20.0) as u64 + 1))
    }

    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        self.rng.random_range(lo..=hi.max(lo))
    }

    /// The faults of an arrival at `now`: what starts now and what ends
    /// later, as `(when, action)`. May be empty (the pick was not allowed).
    pub fn arrival(&mut self, now: Millis, ctx: &FaultContext) -> Vec<(Millis, FaultAction)> {
        let n = ctx.up.len();
        let t = self.timeout_ms;
        let pick = self.rng.random_range(0.0..self.total_rate());
        let up: Vec<usize> = (0..n).filter(|&i| ctx.up[i]).collect();
        if pick < self.rates.crashes_per_min {
            let down = n - up.len();
            if up.is_empty() || down + 1 > (n / 3).max(1) {
                return Vec::new();
            }
            let node = up[self.rng.random_range(0..up.len())];
            let lose_unsynced = self.rng.random_bool(self.lose_unsynced);
            let permanent = self.rng.random_bool(self.permanent)
                && ctx.may_lose_for_good[node]
                && ctx.gone_for_good < ctx.primaries.saturating_sub(1) / 2;
            let mut out = vec![(
                now,
                FaultAction::Crash {
                    node,
                    lose_unsynced,
                    permanent,
                },
            )];
            if !permanent {
                let back = self.between(t / 2, t * 4);
                out.push((now.plus(back), FaultAction::Restart { node }));
            }
            out
        } else if pick < self.rates.crashes_per_min + self.rates.pauses_per_min {
            if up.is_empty() {
                return Vec::new();
            }
            let node = up[self.rng.random_range(0..up.len())];
            let until = now.plus(self.between(t / 4, t * 2));
            vec![(now, FaultAction::Pause { node, until })]
        } else {
            if ctx.partitioned || n < 2 {
                return Vec::new();
            }
            let minority = ((n - 1) / 2).max(1);
            let partition = match self.rng.random_range(0..3) {
                0 => Partition::Isolate(self.rng.random_range(0..n)),
                k => {
                    let size = self.rng.random_range(1..=minority);
                    let mut side = BTreeSet::new();
                    while side.len() < size {
                        side.insert(self.rng.random_range(0..n));
                    }
                    if k == 1 {
                        Partition::Split(side)
                    } else {
                        Partition::OneWay(side)
                    }
                }
            };
            let end = now.plus(self.between(t, t * 6));
            vec![
                (now, FaultAction::Partition(partition)),
                (end, FaultAction::HealPartition),
            ]
        }
    }
}
