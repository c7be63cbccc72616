//! Seed → scenario ("swarm testing"): the shape of the cluster and the
//! fault rates are drawn from the seed, so different seeds explore
//! different corners (many tiny clusters with heavy loss, a few bigger
//! ones with long partitions...) instead of one average mix.
//!
//! What it does not do: schedule faults ([`crate::faults`]) or run
//! anything. A scenario is plain data; [`Scenario::describe`] prints it
//! on one line.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Per-link network behaviour: a probability per message, a delay
/// distribution, and whether one connection may reorder its messages.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LinkProfile {
    /// Chance that a message is lost.
    pub loss: f64,
    /// Chance that a message is delivered twice.
    pub duplicate: f64,
    /// Smallest one-way delay, ms.
    pub delay_min_ms: u64,
    /// Mean of the exponential tail added to the minimum, ms.
    pub delay_tail_mean_ms: f64,
    /// Messages of one connection may overtake each other (TCP would not
    /// let them; the loss model is harsher than TCP anyway).
    pub reorder: bool,
}

impl LinkProfile {
    /// A clean network: no loss, no duplicates, about a millisecond, FIFO.
    pub fn healthy() -> LinkProfile {
        LinkProfile {
            loss: 0.0,
            duplicate: 0.0,
            delay_min_ms: 1,
            delay_tail_mean_ms: 1.0,
            reorder: false,
        }
    }
}

/// How often each kind of fault starts during the fault phase, per
/// simulated minute (a Poisson process per kind).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FaultRates {
    /// Process crashes (with restart, or for good).
    pub crashes_per_min: f64,
    /// Pauses (the process stops answering for a while).
    pub pauses_per_min: f64,
    /// Partitions (isolate one, split a minority, one-way).
    pub partitions_per_min: f64,
}

/// Everything a run needs besides the seed's later draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The seed (also the root of every other random stream).
    pub seed: u64,
    /// Number of primaries (shards).
    pub primaries: usize,
    /// Replicas of each primary, by shard.
    pub replicas: Vec<usize>,
    /// `cluster-node-timeout`, ms.
    pub node_timeout_ms: u64,
    /// The network during the fault phase.
    pub link: LinkProfile,
    /// Per-node link quality spread: a node's multiplier on loss, duplication
    /// and tail delay is drawn from `1 ± spread`.
    pub link_spread: f64,
    /// Fault rates during the fault phase.
    pub rates: FaultRates,
    /// Chance that a crash also loses the nodes.conf writes not yet fsynced.
    pub lose_unsynced: f64,
    /// Chance that a crash is for good (when the cluster can afford it).
    pub permanent_crash: f64,
    /// Largest clock drift, ppm (each node draws within ±this).
    pub drift_ppm_max: i32,
    /// Largest clock offset between nodes, ms.
    pub clock_offset_max_ms: u64,
    /// Length of the fault phase, simulated ms.
    pub fault_phase_ms: u64,
}

impl Scenario {
    /// The scenario of `seed`.
    pub fn from_seed(seed: u64) -> Scenario {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5ce9_a410);
        let primaries = rng.random_range(3..=7);
        let max_replicas = rng.random_range(0..=2usize);
        let replicas = (0..primaries)
            .map(|_| rng.random_range(0..=max_replicas))
            .collect();
        let node_timeout_ms = [500, 1000, 2000, 3000, 5000][rng.random_range(0..5)];
        // Swarm: each fault kind is switched off entirely in some runs.
        let maybe = |rng: &mut ChaCha8Rng, hi: f64| {
            if rng.random_bool(0.3) {
                0.0
            } else {
                rng.random_range(0.0..hi)
            }
        };
        let link = LinkProfile {
            loss: maybe(&mut rng, 0.15),
            duplicate: maybe(&mut rng, 0.05),
            delay_min_ms: rng.random_range(0..=5),
            delay_tail_mean_ms: maybe(&mut rng, 40.0),
            reorder: rng.random_bool(0.5),
        };
        let rates = FaultRates {
            crashes_per_min: maybe(&mut rng, 12.0),
            pauses_per_min: maybe(&mut rng, 10.0),
            partitions_per_min: maybe(&mut rng, 8.0),
        };
        Scenario {
            seed,
            primaries,
            replicas,
            node_timeout_ms,
            link,
            link_spread: rng.random_range(0.0..0.9),
            rates,
            lose_unsynced: rng.random_range(0.0..1.0),
            permanent_crash: maybe(&mut rng, 0.5),
            drift_ppm_max: [0, 100, 1000, 20_000][rng.random_range(0..4)],
            clock_offset_max_ms: rng.random_range(0..=400),
            fault_phase_ms: rng.random_range(20_000..=90_000),
        }
    }

    /// The same scenario reshaped to `nodes` nodes: `nodes / (r + 1)`
    /// primaries with `r` replicas each (the remainder as extra replicas),
    /// where `r` is 1 unless `nodes` is below 6.
    pub fn with_nodes(mut self, nodes: usize) -> Scenario {
        assert!(nodes >= 1, "a cluster needs a node");
        let per_shard = if nodes >= 6 { 2 } else { 1 };
        self.primaries = (nodes / per_shard).max(1);
        self.replicas = vec![per_shard - 1; self.primaries];
        let extra = nodes - self.primaries * per_shard;
        for i in 0..extra {
            self.replicas[i % self.primaries] += 1;
        }
        self
    }

    /// Total number of nodes.
    pub fn node_count(&self) -> usize {
        self.primaries + self.replicas.iter().sum::<usize>()
    }

    /// Shard (primary index) of every node: primaries are nodes
    /// `0..primaries`, then the replicas of shard 0, of shard 1, ...
    pub fn shard_of(&self) -> Vec<usize> {
        let mut shard: Vec<usize> = (0..self.primaries).collect();
        for (p, &r) in self.replicas.iter().enumerate() {
            shard.extend(std::iter::repeat_n(p, r));
        }
        shard
    }

    /// One line describing the scenario.
    pub fn describe(&self) -> String {
        format!(
            "nodes={} primaries={} replicas={:?} timeout={}ms loss={:.3} dup={:.3} \
             delay={}+exp({:.1})ms reorder={} spread={:.2} crash/min={:.2} pause/min={:.2} \
             partition/min={:.2} lose_unsynced={:.2} permanent={:.2} drift=±{}ppm \
             offset<={}ms faults={}ms",
            self.node_count(),
            self.primaries,
            self.replicas,
            self.node_timeout_ms,
            self.link.loss,
            self.link.duplicate,
            self.link.delay_min_ms,
            self.link.delay_tail_mean_ms,
            self.link.reorder,
            self.link_spread,
            self.rates.crashes_per_min,
            self.rates.pauses_per_min,
            self.rates.partitions_per_min,
            self.lose_unsynced,
            self.permanent_crash,
            self.drift_ppm_max,
            self.clock_offset_max_ms,
            self.fault_phase_ms,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_always_gives_the_same_scenario() {
        assert_eq!(Scenario::from_seed(7), Scenario::from_seed(7));
        assert_ne!(Scenario::from_seed(7), Scenario::from_seed(8));
    }

    #[test]
    fn reshaping_keeps_the_node_count() {
        for n in [1, 2, 3, 5, 6, 7, 10, 101] {
            let s = Scenario::from_seed(1).with_nodes(n);
            assert_eq!(s.node_count(), n);
            assert_eq!(s.shard_of().len(), n);
        }
    }
}
