//! CLUSTER commands run against a live [`ClusterNode`]: [`crate::commands`]
//! does the argument checks and the view changes; this module supplies
//! what they need (time, random ids, counters) and carries out what they
//! leave to the bus: saving nodes.conf before the reply, the state,
//! blacklisting, PONG broadcasts, closing links of forgotten nodes, manual
//! failovers, SAVECONFIG and LINKS.
//!
//! # Contract
//!
//! [`ClusterNode::execute_command`] appends outputs to `out` like
//! [`ClusterNode::handle`] does. Run them (persist first) **before**
//! sending the returned reply, so a client never sees `+OK` for a change
//! that is not on disk.

use shoal_types::Millis;

use crate::commands::{
    self, ClusterError, CommandContext, Delegated, Done, Effect, Keyspace, Outcome, Todo,
};
use crate::node::{AnnouncedRole, ClusterNode};
use crate::output::{ClusterEvent, Output};
use crate::reply::ReplyValue;
use crate::texts::cluster_links;

impl ClusterNode {
    /// Runs `CLUSTER <sub> ...` (`argv[0]` is `CLUSTER`) at `now`. Only
    /// [`Delegated::Help`] comes back delegated; every other subcommand is
    /// finished here.
    pub fn execute_command<A: AsRef<[u8]>>(
        &mut self,
        now: Millis,
        argv: &[A],
        keyspace: &dyn Keyspace,
        out: &mut Vec<Output>,
    ) -> Result<Outcome, ClusterError> {
        self.now = now.max(self.now);
        let result = self.run_command(argv, keyspace);
        self.finish_call(out);
        result
    }

    fn run_command<A: AsRef<[u8]>>(
        &mut self,
        argv: &[A],
        keyspace: &dyn Keyspace,
    ) -> Result<Outcome, ClusterError> {
        let stats = self.stats;
        let rng = &mut self.rng;
        let mut random_id = || {
            use rand::RngCore;
            let mut raw = [0u8; 20];
            rng.fill_bytes(&mut raw);
            shoal_types::NodeId::from_random(raw)
        };
        let mut ctx = CommandContext {
            now: self.now,
            keyspace,
            node_timeout_ms: self.config.node_timeout_ms,
            allow_replica_migration: self.config.allow_replica_migration,
            endpoints: self.config.endpoints,
            my_repl_offset: self.replication.offset,
            bus_stats: &stats,
            random_node_id: &mut random_id,
        };
        let outcome = commands::execute(&mut self.view, argv, &mut ctx)?;
        match outcome {
            Outcome::Done(done) => {
                self.apply_done(&done);
                Ok(Outcome::Done(done))
            }
            Outcome::Delegated(Delegated::Failover(mode)) => {
                self.start_manual_failover(mode);
                Ok(Outcome::Done(done_ok()))
            }
            Outcome::Delegated(Delegated::SaveConfig) => {
                self.chores.save_fsync();
                Ok(Outcome::Done(done_ok()))
            }
            Outcome::Delegated(Delegated::Links) => Ok(Outcome::Done(Done {
                reply: cluster_links(&self.link_infos()),
                todo: Todo::default(),
                effects: Vec::new(),
            })),
            Outcome::Delegated(Delegated::Help) => Ok(Outcome::Delegated(Delegated::Help)),
        }
    }

    /// Carries out a finished subcommand's obligations and effects.
    fn apply_done(&mut self, done: &Done) {
        if done.todo.save_config {
            self.chores.save = true;
        }
        if done.todo.fsync_config {
            self.chores.fsync = true;
        }
        if done.todo.update_state {
            self.chores.update_state = true;
        }
        for effect in &done.effects {
            match effect {
                // The role announcement at the end of the call reports it.
                Effect::StartReplication { .. } => {}
                Effect::StopReplicationAndFlush => {
                    self.events.push(ClusterEvent::StopReplicationAndFlush);
                    self.announced_role = Some(AnnouncedRole::Primary);
                }
                Effect::ResetManualFailover => self.reset_manual_failover(),
                Effect::BroadcastPong => self.broadcast_pong(false),
                Effect::Blacklist(id) => self.blacklist_node(*id),
                Effect::DropShardChannels(slots) => self
                    .events
                    .push(ClusterEvent::DropShardChannels(slots.clone())),
                Effect::Log(line) => self.events.push(ClusterEvent::Log(line.clone())),
            }
        }
        // FORGET and RESET remove nodes; a hard RESET renames myself.
        self.close_links_of_departed_nodes();
        self.refresh_myself();
    }
}

fn done_ok() -> Done {
    Done {
        reply: ReplyValue::ok(),
        todo: Todo::default(),
        effects: Vec::new(),
    }
}
