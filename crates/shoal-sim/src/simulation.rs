//! One run, start to finish, in phases:
//!
//! ```text
//! bootstrap   SET-CONFIG-EPOCH on the primaries (as redis-cli does), MEET
//!             everyone to n0, wait until all know all; ADDSLOTSRANGE,
//!             REPLICATE; wait until the cluster is recovered (liveness).
//! faults      the scenario's network profile and fault schedule, for
//!             `fault_phase_ms`; invariants after every step (all phases).
//! heal        faults stop, partition ends, crashed nodes restart.
//! liveness    recovered within the bound; then the settled-epochs check.
//! probe       crash one primary that has a replica; time FAIL, promotion
//!             and state ok; recovered again within the bound.
//! ```
//!
//! The result is a [`Report`]: the trace hash, the failure if any (phase
//! and reason), the failover figures and traffic counters.

use shoal_cluster::texts::cluster_nodes_text;
use shoal_types::Millis;

use crate::faults::FaultAction;
use crate::invariants::owner_epochs;
use crate::liveness::{all_know_all, recovered, unmet};
use crate::scenario::Scenario;
use crate::world::World;

/// How a run is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// Print the trace lines as they come.
    pub verbose: bool,
    /// Run the fault phase (off for benchmarks).
    pub faults: bool,
    /// Measure a failover at the end.
    pub probe_failover: bool,
    /// Check the per-step invariants.
    pub check_invariants: bool,
}

impl Default for RunOptions {
    fn default() -> RunOptions {
        RunOptions {
            verbose: false,
            faults: true,
            probe_failover: true,
            check_invariants: true,
        }
    }
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The phase it failed in.
    pub phase: &'static str,
    /// What went wrong.
    pub what: String,
}

/// Simulated milliseconds from a primary's crash to each milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailoverTimes {
    /// First node flags it FAIL.
    pub to_fail_ms: Option<u64>,
    /// One of its replicas becomes primary.
    pub to_promotion_ms: Option<u64>,
    /// Every running node has the new owner and `cluster_state:ok`.
    pub to_ok_ms: Option<u64>,
}

/// The outcome of one run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The scenario run.
    pub scenario: Scenario,
    /// Hash of the trace.
    pub trace_hash: u64,
    /// The failure, if the run failed.
    pub failure: Option<Failure>,
    /// Simulated time at the end, ms.
    pub sim_ms: u64,
    /// Node steps taken.
    pub steps: u64,
    /// Simulated time the bootstrap took, ms.
    pub bootstrap_ms: u64,
    /// Simulated time from heal to recovered, ms.
    pub recovery_ms: Option<u64>,
    /// The failover probe's figures.
    pub failover: Option<FailoverTimes>,
    /// Bus messages and bytes handed to the network.
    pub messages: u64,
    /// Bus bytes handed to the network.
    pub bytes: u64,
    /// The last trace lines (for failure reports).
    pub tail: Vec<String>,
    /// On failure: CLUSTER NODES of every running node, by node index.
    pub views: Vec<(usize, String)>,
}

/// Generous bounds, in simulated ms.
fn bootstrap_bound_ms(nodes: usize, timeout_ms: u64) -> u64 {
    120_000 + nodes as u64 * 300 + 10 * timeout_ms
}

fn recovery_bound_ms(timeout_ms: u64) -> u64 {
    60_000 + 40 * timeout_ms
}

/// Runs `scenario` with `opts`.
pub fn run(scenario: &Scenario, opts: &RunOptions) -> Report {
    let mut world = World::new(scenario, opts.verbose);
    world.check_invariants = opts.check_invariants;
    let mut report = Report {
        scenario: scenario.clone(),
        trace_hash: 0,
        failure: None,
        sim_ms: 0,
        steps: 0,
        bootstrap_ms: 0,
        recovery_ms: None,
        failover: None,
        messages: 0,
        bytes: 0,
        tail: Vec::new(),
        views: Vec::new(),
    };
    let result = phases(&mut world, scenario, opts, &mut report);
    if let Err(mut f) = result {
        if let Some(v) = &world.violation {
            f = Failure {
                phase: f.phase,
                what: format!("invariant violated: {v}"),
            };
        }
        world.trace.line(
            world.now,
            "world",
            format_args!("FAILED in {}: {}", f.phase, f.what),
        );
        report.failure = Some(f);
        report.views = world
            .views()
            .into_iter()
            .map(|(i, v)| (i, cluster_nodes_text(v, false)))
            .collect();
    }
    report.trace_hash = world.trace.hash();
    report.sim_ms = world.now.0;
    report.steps = world.steps;
    report.messages = world.net.stats.messages;
    report.bytes = world.net.stats.bytes;
    report.tail = world.trace.tail().cloned().collect();
    report
}

fn fail(phase: &'static str, what: impl Into<String>) -> Failure {
    Failure {
        phase,
        what: what.into(),
    }
}

fn phases(
    world: &mut World,
    scenario: &Scenario,
    opts: &RunOptions,
    report: &mut Report,
) -> Result<(), Failure> {
    report.bootstrap_ms = bootstrap(world, scenario)?;
    let timeout = scenario.node_timeout_ms;
    if opts.faults {
        let until = world.now.plus(scenario.fault_phase_ms);
        world.start_faults(scenario, until);
        world.advance_to(until);
        if world.violation.is_some() {
            return Err(fail("faults", ""));
        }
        world.heal();
        let healed = world.now;
        let deadline = healed.plus(recovery_bound_ms(timeout));
        if !world.run_until(deadline, 100, recovered) {
            let why = unmet(world).unwrap_or_default();
            return Err(fail(
                "liveness",
                format!(
                    "not recovered {}ms after heal: {why}",
                    recovery_bound_ms(timeout)
                ),
            ));
        }
        report.recovery_ms = Some(world.now.since(healed));
        world.trace.line(
            world.now,
            "world",
            format_args!("recovered after {}ms", world.now.since(healed)),
        );
    }
    owner_epochs::check_settled(&world.views()).map_err(|e| fail("quiescence", e))?;
    if opts.probe_failover {
        report.failover = probe(world, scenario)?;
    }
    Ok(())
}

/// Meets everyone, assigns slots and replicas; returns the simulated ms
/// until the cluster was ok everywhere.
pub fn bootstrap(world: &mut World, scenario: &Scenario) -> Result<u64, Failure> {
    let n = world.len();
    let p = scenario.primaries;
    for i in 0..p {
        world
            .command(i, &["SET-CONFIG-EPOCH", &(i + 1).to_string()])
            .map_err(|e| fail("bootstrap", format!("SET-CONFIG-EPOCH on n{i}: {e}")))?;
    }
    let (ip0, port0, bus0) = (
        World::ip_of(0),
        world.nodes[0].config.port.to_string(),
        world.nodes[0].config.cluster_port.to_string(),
    );
    for i in 1..n {
        world
            .command(i, &["MEET", &ip0, &port0, &bus0])
            .map_err(|e| fail("bootstrap", format!("MEET on n{i}: {e}")))?;
    }
    let deadline = Millis(bootstrap_bound_ms(n, scenario.node_timeout_ms));
    if !world.run_until(deadline, 100, all_know_all) {
        return Err(fail("bootstrap", "nodes did not all meet in time"));
    }
    for i in 0..p {
        let first = 16384 * i / p;
        let last = 16384 * (i + 1) / p - 1;
        world
            .command(i, &["ADDSLOTSRANGE", &first.to_string(), &last.to_string()])
            .map_err(|e| fail("bootstrap", format!("ADDSLOTSRANGE on n{i}: {e}")))?;
    }
    let shard_of = scenario.shard_of();
    for (r, &shard) in shard_of.iter().enumerate().skip(p) {
        let primary = world.nodes[shard].id.to_string();
        world
            .command(r, &["REPLICATE", &primary])
            .map_err(|e| fail("bootstrap", format!("REPLICATE on n{r}: {e}")))?;
    }
    let roles_spread = |w: &World| {
        w.views().iter().all(|&(_, v)| {
            shard_of.iter().enumerate().skip(p).all(|(r, &s)| {
                v.node(&w.nodes[r].id)
                    .is_some_and(|n| n.primary() == Some(w.nodes[s].id))
            })
        })
    };
    if !world.run_until(deadline, 100, |w| recovered(w) && roles_spread(w)) {
        let why = unmet(world).unwrap_or_else(|| "replicas not known everywhere".into());
        return Err(fail("bootstrap", format!("cluster not ok in time: {why}")));
    }
    world
        .trace
        .line(world.now, "world", "bootstrap done: cluster ok everywhere");
    Ok(world.now.0)
}

/// Crashes one primary that has a running replica and times the failover.
fn probe(world: &mut World, scenario: &Scenario) -> Result<Option<FailoverTimes>, Failure> {
    if scenario.primaries < 3 {
        return Ok(None);
    }
    // A primary with slots and at least one running replica, as the
    // replicas themselves see it (the primary's own view may lag).
    let target = world.views().into_iter().find_map(|(i, v)| {
        let me = v.myself();
        if !me.is_primary() || v.slot_count_of(&me.id()) == 0 {
            return None;
        }
        let has_replica = world
            .views()
            .iter()
            .any(|&(_, rv)| rv.myself().primary() == Some(me.id()));
        has_replica.then_some((i, me.id()))
    });
    let Some((victim, victim_id)) = target else {
        return Ok(None);
    };
    let slots: Vec<_> = world.node(victim).view().slot_ranges_of(&victim_id);
    let first_slot = slots.first().expect("the victim has slots").start;
    world.observed.first_fail.remove(&victim_id);
    let promotions_before = world.observed.promotions.len();
    let t0 = world.now;
    world
        .trace
        .line(t0, "world", format_args!("probe: crash primary n{victim}"));
    world.apply(FaultAction::Crash {
        node: victim,
        lose_unsynced: false,
        permanent: true,
    });
    let bound = recovery_bound_ms(scenario.node_timeout_ms);
    // Done when every running node gives the victim's slots to the same
    // running node and reports ok.
    let new_owner = |w: &World| {
        let views = w.views();
        let owner = views.first()?.1.slot_owner_id(first_slot)?;
        let j = *w.names.get(&owner)?;
        let agreed = j != victim
            && w.nodes[j].is_up()
            && views.iter().all(|&(_, v)| {
                slots
                    .iter()
                    .all(|r| v.slot_owner_id(r.start) == Some(owner))
            });
        agreed.then_some(j)
    };
    let done = world.run_until(t0.plus(bound), 10, |w| {
        new_owner(w).is_some() && w.ok_count() == w.up().len()
    });
    let mut times = FailoverTimes {
        to_fail_ms: world
            .observed
            .first_fail
            .get(&victim_id)
            .map(|t| t.since(t0)),
        to_promotion_ms: new_owner(world).and_then(|j| {
            world.observed.promotions[promotions_before..]
                .iter()
                .find(|&&(_, p)| p == j)
                .map(|(t, _)| t.since(t0))
        }),
        to_ok_ms: None,
    };
    if !done {
        return Err(fail(
            "probe",
            format!("the replicas of n{victim} did not take over within {bound}ms"),
        ));
    }
    times.to_ok_ms = Some(world.now.since(t0));
    world.trace.line(
        world.now,
        "world",
        format_args!(
            "probe: FAIL after {}ms, promoted after {}ms, ok after {}ms",
            times.to_fail_ms.unwrap_or(0),
            times.to_promotion_ms.unwrap_or(0),
            times.to_ok_ms.unwrap_or(0)
        ),
    );
    let deadline = world.now.plus(bound);
    if !world.run_until(deadline, 100, recovered) {
        let why = unmet(world).unwrap_or_default();
        return Err(fail(
            "probe",
            format!("not recovered after the failover: {why}"),
        ));
    }
    owner_epochs::check_settled(&world.views()).map_err(|e| fail("quiescence", e))?;
    Ok(Some(times))
}
