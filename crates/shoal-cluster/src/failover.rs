//! Replica election, voting and manual failover (spec 3.10 and 3.11).
//!
//! ```text
//! replica R (primary M is FAIL)               primaries with slots
//!   schedule: now + 500 + rand(0..500) + rank×1000 ms
//!   PONG to M's other replicas (share offset)
//!   ... delay passes ...
//!   currentEpoch += 1, persist(fsync)
//!   AUTH_REQUEST(epoch) ─────────────────────► vote if: epoch ≥ mine, no vote yet in
//!                                              this epoch, M is FAIL (or FORCEACK),
//!                                              no vote for M's replicas for 2×timeout,
//!                                              no claimed slot has a newer owner
//!                                              lastVoteEpoch = epoch, persist(fsync)
//!   ◄────────────────────────────────────────── AUTH_ACK
//!   votes ≥ size/2+1: configEpoch = epoch, take M's slots,
//!   persist(fsync), PONG to everyone
//! ```
//!
//! Manual failover: CLUSTER FAILOVER on R sends MFSTART to M; M pauses
//! writes, marks its messages PAUSED and PINGs R every cron; once R has
//! processed M's paused offset it runs the election at once with FORCEACK.
//! FORCE skips M; TAKEOVER skips the vote.
//!
//! Every "persist before send" above comes from the before-sleep save: the
//! save is emitted before the sends of the same call.

use shoal_types::{Epoch, Millis, NodeId};

use rand::Rng;

use crate::commands::FailoverMode;
use crate::links::LinkId;
use crate::node::{stamp, ClusterNode, PingKind};
use crate::output::ClusterEvent;
use crate::view::NodeFlags;
use crate::wire::{Body, Header, MessageFlags};

/// How long a manual failover may take.
pub const MANUAL_FAILOVER_TIMEOUT_MS: u64 = 5000;

/// The primary pauses writes this many times the manual failover timeout.
const MANUAL_FAILOVER_PAUSE_MULT: u64 = 2;

/// The replica side of an election.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Election {
    /// When the (next) election starts; `None` before the first one.
    pub auth_time: Option<Millis>,
    /// Votes received for `auth_epoch`.
    pub auth_count: usize,
    /// The vote request went out.
    pub auth_sent: bool,
    /// This replica's rank when the election was scheduled.
    pub auth_rank: usize,
    /// The epoch of the current election.
    pub auth_epoch: Epoch,
}

/// Manual failover state, on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ManualFailover {
    /// Deadline of the manual failover in progress.
    pub end: Option<Millis>,
    /// Replica: the election may start.
    pub can_start: bool,
    /// Primary: the replica that asked.
    pub replica: Option<NodeId>,
    /// Replica: the primary's offset once it paused.
    pub primary_offset: Option<u64>,
}

impl ClusterNode {
    /// The election state (for tests and introspection).
    pub fn election(&self) -> &Election {
        &self.election
    }

    /// The manual failover state.
    pub fn manual_failover(&self) -> &ManualFailover {
        &self.manual
    }

    /// How many other replicas of my primary (that may fail over) have
    /// seen more of the replication stream than I have.
    fn replica_rank(&self) -> usize {
        let me = self.view.myself();
        let Some(primary) = me.primary() else {
            return 0;
        };
        let mine = self.replication.offset;
        self.view
            .replicas_of(&primary)
            .filter(|r| r.id() != me.id())
            .filter(|r| !r.flags.contains(NodeFlags::NOFAILOVER))
            .filter(|r| r.repl_offset > mine)
            .count()
    }

    /// The replica's election step, run by the cron and when a vote
    /// arrives.
    pub(crate) fn handle_replica_failover(&mut self) {
        let now = self.now;
        let timeout = self.config.node_timeout_ms;
        let quorum = self.view.size / 2 + 1;
        let manual = self.manual.end.is_some() && self.manual.can_start;
        let auth_timeout = (timeout * 2).max(2000) as i64;
        let retry_time = auth_timeout * 2;

        let me = self.view.myself();
        let primary = me.primary().and_then(|p| self.view.node(&p));
        let Some(primary) = primary.filter(|_| me.is_replica()) else {
            return;
        };
        let may_fail_over = manual || (primary.is_failed() && !self.config.replica_no_failover);
        if !may_fail_over || self.view.slot_count_of(&primary.id()) == 0 {
            return;
        }

        // Is our data recent enough? The time the primary has been down for
        // is the baseline and does not count.
        let mut data_age = self
            .replication
            .primary_last_seen
            .map_or(0, |t| now.since(t));
        if data_age > timeout {
            data_age -= timeout;
        }
        let factor = self.config.replica_validity_factor;
        if factor != 0
            && data_age > self.config.repl_ping_replica_period_s * 1000 + timeout * factor
            && !manual
        {
            return;
        }

        let auth_age = self
            .election
            .auth_time
            .map_or(i64::MAX, |t| now.0 as i64 - t.0 as i64);
        if auth_age > retry_time {
            let rank = self.replica_rank();
            let jitter: u64 = self.rng.random_range(0..500);
            let mut start = now.plus(500 + jitter + rank as u64 * 1000);
            let mut rank = rank;
            if self.manual.end.is_some() {
                start = now;
                rank = 0;
                self.chores.handle_failover = true;
            }
            self.election = Election {
                auth_time: Some(start),
                auth_count: 0,
                auth_sent: false,
                auth_rank: rank,
                auth_epoch: self.election.auth_epoch,
            };
            self.events.push(ClusterEvent::Log(format!(
                "Start of election delayed for {} milliseconds (rank #{rank}, offset {}).",
                start.since(now),
                self.replication.offset
            )));
            // Let the other replicas of our primary know our offset.
            self.broadcast_pong(true);
            return;
        }

        let auth_time = self.election.auth_time.expect("set when scheduled");
        if !self.election.auth_sent && self.manual.end.is_none() {
            let rank = self.replica_rank();
            if rank > self.election.auth_rank {
                let added = (rank - self.election.auth_rank) as u64 * 1000;
                self.election.auth_time = Some(auth_time.plus(added));
                self.election.auth_rank = rank;
                self.events.push(ClusterEvent::Log(format!(
                    "Replica rank updated to #{rank}, added {added} milliseconds of delay."
                )));
            }
        }
        let auth_time = self.election.auth_time.expect("set when scheduled");
        if now < auth_time {
            return;
        }
        if auth_age > auth_timeout {
            return;
        }

        if !self.election.auth_sent {
            self.view.current_epoch = Epoch(self.view.current_epoch.0 + 1);
            self.election.auth_epoch = self.view.current_epoch;
            self.election.auth_sent = true;
            self.events.push(ClusterEvent::Log(format!(
                "Starting a failover election for epoch {}.",
                self.view.current_epoch
            )));
            let mut msg = self.message(Body::FailoverAuthRequest);
            if self.manual.end.is_some() {
                msg.header.mflags.insert(MessageFlags::FORCEACK);
            }
            self.broadcast(&msg);
            // The epoch is durable before the request leaves (before-sleep
            // save comes first in the outputs).
            self.chores.save_fsync();
            self.chores.update_state = true;
            return;
        }

        if self.election.auth_count >= quorum {
            self.events.push(ClusterEvent::Log(
                "Failover election won: I'm the new master.".to_string(),
            ));
            let epoch = self.election.auth_epoch;
            if self.view.myself().config_epoch < epoch {
                self.view.myself_mut().config_epoch = epoch;
                self.events.push(ClusterEvent::Log(format!(
                    "configEpoch set to {epoch} after successful failover"
                )));
            }
            self.replace_my_primary();
        }
    }

    /// Becomes a primary with all the slots of my old primary, and tells
    /// everyone (the end of every failover).
    pub(crate) fn replace_my_primary(&mut self) {
        let me = self.view.myself_id();
        let Some(old) = self.view.myself().primary() else {
            return;
        };
        if self.view.myself().is_primary() {
            return;
        }
        self.view
            .set_node_as_primary(&me)
            .expect("myself is in the table");
        let slots: Vec<_> = self.view.slot_bitmap_of(&old).iter().collect();
        for slot in slots {
            self.view
                .reassign_slot(slot, &me)
                .expect("myself is in the table");
        }
        self.update_state();
        self.chores.save_fsync();
        self.broadcast_pong(false);
        self.reset_manual_failover();
    }

    /// A FAILOVER_AUTH_REQUEST from known node `requester`: vote if every
    /// rule allows it.
    pub(crate) fn consider_vote(&mut self, requester: &NodeId, hdr: &Header) {
        let now = self.now;
        let me = self.view.myself();
        if !me.is_primary() || self.view.slot_count_of(&me.id()) == 0 {
            return;
        }
        let deny = |node: &mut ClusterNode, why: String| {
            node.events.push(ClusterEvent::Log(format!(
                "Failover auth denied to {requester}: {why}"
            )));
        };
        if hdr.current_epoch < self.view.current_epoch {
            let why = format!(
                "reqEpoch ({}) < curEpoch({})",
                hdr.current_epoch, self.view.current_epoch
            );
            return deny(self, why);
        }
        if self.view.last_vote_epoch == self.view.current_epoch {
            let why = format!("already voted for epoch {}", self.view.current_epoch);
            return deny(self, why);
        }
        let Some(r) = self.view.node(requester) else {
            return;
        };
        if r.is_primary() {
            return deny(self, "it is a master node".to_string());
        }
        let Some(primary) = r.primary().and_then(|p| self.view.node(&p)) else {
            return deny(self, "I don't know its master".to_string());
        };
        if !primary.is_failed() && !hdr.mflags.contains(MessageFlags::FORCEACK) {
            return deny(self, "its master is up".to_string());
        }
        let primary_id = primary.id();
        let window = self.config.node_timeout_ms * 2;
        if primary.voted_time != Millis(0) && now.since(primary.voted_time) < window {
            let why = format!(
                "can't vote about this master before {} milliseconds",
                window - now.since(primary.voted_time)
            );
            return deny(self, why);
        }
        for slot in hdr.slots.iter() {
            if self.view.slot_unclaimed(slot) {
                continue;
            }
            let owner_epoch = self
                .view
                .slot_owner(slot)
                .map_or(Epoch(0), |o| o.config_epoch);
            if owner_epoch > hdr.config_epoch {
                let why = format!(
                    "slot {slot} epoch ({owner_epoch}) > reqEpoch ({})",
                    hdr.config_epoch
                );
                return deny(self, why);
            }
        }
        self.view.last_vote_epoch = self.view.current_epoch;
        self.view
            .node_mut(&primary_id)
            .expect("looked up")
            .voted_time = stamp(now);
        self.chores.save_fsync();
        if let Some(link) = self.links.outbound(requester) {
            let msg = self.message(Body::FailoverAuthAck);
            self.send(link, &msg);
        }
        self.events.push(ClusterEvent::Log(format!(
            "Failover auth granted to {requester} for epoch {}",
            self.view.current_epoch
        )));
    }

    /// A FAILOVER_AUTH_ACK: count it if it comes from a primary with slots
    /// and is for our election (or a later epoch).
    pub(crate) fn count_vote(&mut self, voter: &NodeId, hdr: &Header) {
        let Some(v) = self.view.node(voter) else {
            return;
        };
        if v.is_primary()
            && self.view.slot_count_of(voter) > 0
            && hdr.current_epoch >= self.election.auth_epoch
        {
            self.election.auth_count += 1;
            self.chores.handle_failover = true;
        }
    }

    // ---- manual failover ----

    /// Ends any manual failover; a primary that paused writes resumes them.
    pub(crate) fn reset_manual_failover(&mut self) {
        if self.manual.replica.is_some() {
            self.events.push(ClusterEvent::ResumeWrites);
        }
        self.manual = ManualFailover::default();
    }

    /// Aborts a manual failover past its deadline.
    pub(crate) fn check_manual_failover_timeout(&mut self) {
        if self.manual.end.is_some_and(|end| end < self.now) {
            self.events
                .push(ClusterEvent::Log("Manual failover timed out.".to_string()));
            self.reset_manual_failover();
        }
    }

    /// CLUSTER FAILOVER on this replica (preconditions checked by
    /// [`crate::commands`]).
    pub(crate) fn start_manual_failover(&mut self, mode: FailoverMode) {
        self.reset_manual_failover();
        self.manual.end = Some(self.now.plus(MANUAL_FAILOVER_TIMEOUT_MS));
        match mode {
            FailoverMode::Takeover => {
                self.events.push(ClusterEvent::Log(
                    "Taking over the master (user request).".to_string(),
                ));
                if self.view.bump_config_epoch_without_consensus() {
                    self.chores.save_fsync();
                    let epoch = self.view.myself().config_epoch;
                    self.events
                        .push(ClusterEvent::Log(format!("New configEpoch set to {epoch}")));
                }
                self.replace_my_primary();
            }
            FailoverMode::Force => {
                self.events.push(ClusterEvent::Log(
                    "Forced failover user request accepted.".to_string(),
                ));
                self.manual.can_start = true;
            }
            FailoverMode::Default => {
                self.events.push(ClusterEvent::Log(
                    "Manual failover user request accepted.".to_string(),
                ));
                let primary = self.view.myself().primary();
                if let Some(link) = primary.and_then(|p| self.links.outbound(&p)) {
                    let msg = self.message(Body::MfStart);
                    self.send(link, &msg);
                }
            }
        }
    }

    /// MFSTART from `sender` on `link`: if it is one of my replicas, pause
    /// writes and start PINGing it with my offset.
    pub(crate) fn manual_failover_requested(&mut self, sender: &NodeId, link: LinkId) {
        let me = self.view.myself_id();
        if self.view.node(sender).and_then(|n| n.primary()) != Some(me) {
            return;
        }
        self.reset_manual_failover();
        let now = self.now;
        self.manual.end = Some(now.plus(MANUAL_FAILOVER_TIMEOUT_MS));
        self.manual.replica = Some(*sender);
        self.events.push(ClusterEvent::PauseWrites {
            until: now.plus(MANUAL_FAILOVER_TIMEOUT_MS * MANUAL_FAILOVER_PAUSE_MULT),
        });
        self.events.push(ClusterEvent::Log(format!(
            "Manual failover requested by replica {sender}."
        )));
        self.send_ping(link, PingKind::Ping);
    }

    /// Replica in a manual failover: the first PAUSED message from our
    /// primary gives the offset to catch up to.
    pub(crate) fn note_paused_primary_offset(&mut self, sender: &NodeId, hdr: &Header) {
        let me = self.view.myself();
        if self.manual.end.is_some()
            && me.is_replica()
            && me.primary() == Some(*sender)
            && hdr.mflags.contains(MessageFlags::PAUSED)
            && self.manual.primary_offset.is_none()
        {
            self.manual.primary_offset = Some(hdr.repl_offset);
            self.chores.handle_manual_failover = true;
            self.events.push(ClusterEvent::Log(format!(
                "Received replication offset for paused master manual failover: {}",
                hdr.repl_offset
            )));
        }
    }

    /// Replica in a manual failover: may the election start yet?
    pub(crate) fn handle_manual_failover(&mut self) {
        if self.manual.end.is_none() || self.manual.can_start {
            return;
        }
        let Some(offset) = self.manual.primary_offset else {
            return;
        };
        if offset == self.replication.offset {
            self.manual.can_start = true;
            self.chores.handle_failover = true;
            self.events.push(ClusterEvent::Log(
                "All master replication stream processed, manual failover can start.".to_string(),
            ));
        }
    }
}
