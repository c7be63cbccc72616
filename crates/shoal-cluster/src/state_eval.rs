//! The cluster state, ok or fail (spec 3.13), with its two delays: a
//! primary keeps `fail` for [`WRITABLE_DELAY_MS`] after the first
//! evaluation (give the cluster time to reconfigure a rebooted primary),
//! and a primary that was with the minority keeps `fail` for the rejoin
//! delay after the partition heals.
//!
//! The coverage and majority rules themselves are
//! [`crate::view::ClusterView::assess_state`].

use shoal_types::Millis;

use crate::node::ClusterNode;
use crate::output::ClusterEvent;
use crate::view::ClusterState;

/// A failing primary does not turn ok during this long after the first
/// state evaluation.
pub const WRITABLE_DELAY_MS: u64 = 2000;

/// The timing part of the state computation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StateClock {
    /// The first evaluation.
    pub first_evaluation: Option<Millis>,
    /// The last evaluation that found this node with the minority.
    pub among_minority: Option<Millis>,
}

impl ClusterNode {
    /// Recomputes `cluster_state` and the cluster size.
    pub(crate) fn update_state(&mut self) {
        let now = self.now;
        self.chores.update_state = false;
        let first = *self.state_clock.first_evaluation.get_or_insert(now);
        let i_am_primary = self.view.myself().is_primary();
        if i_am_primary
            && self.view.state == ClusterState::Fail
            && now.since(first) < WRITABLE_DELAY_MS
        {
            return;
        }
        let assessment = self.view.assess_state(self.config.require_full_coverage);
        self.view.size = assessment.size;
        if assessment.in_minority {
            self.state_clock.among_minority = Some(now);
        }
        if assessment.state == self.view.state {
            return;
        }
        let rejoin_delay = self.config.rejoin_delay_ms();
        if assessment.state == ClusterState::Ok
            && i_am_primary
            && self
                .state_clock
                .among_minority
                .is_some_and(|t| now.since(t) < rejoin_delay)
        {
            return;
        }
        self.view.state = assessment.state;
        self.events.push(ClusterEvent::Log(format!(
            "Cluster state changed: {}",
            assessment.state.as_str()
        )));
        self.events
            .push(ClusterEvent::StateChanged(assessment.state));
    }
}
