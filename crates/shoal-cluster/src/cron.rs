//! The cluster cron (spec 3.2), run every [`crate::node::CRON_PERIOD_MS`]:
//! drop stale handshakes, (re)connect outbound links, ping a random node
//! once a second, ping nodes not heard from for half the node timeout,
//! reconnect silent links, flag PFAIL, then the replica's failover steps
//! and the state recomputation.
//!
//! What it does not do: process replies (that is [`crate::receive`]) or
//! decide FAIL (that needs reports from other primaries, [`crate::failure`]).

use rand::Rng;
use shoal_types::{Millis, NodeId};

use crate::node::{ClusterNode, PingKind};
use crate::output::Output;
use crate::view::{ClusterState, LinkState, NodeFlags};

/// Random candidates examined by the once-a-second PING.
const RANDOM_PING_CANDIDATES: usize = 5;

impl ClusterNode {
    /// One cron run at `self.now`.
    pub(crate) fn run_cron(&mut self) {
        let now = self.now;
        let timeout = self.config.node_timeout_ms;
        self.cron.iteration += 1;
        self.refresh_myself();

        // 1. Handshake expiry and reconnects; count PFAIL nodes for gossip.
        let handshake_timeout = self.config.handshake_timeout_ms();
        let mut pfail = 0;
        // By table position: only the node at hand can leave the table, and
        // then the next one takes its position.
        let mut pos = 0;
        while let Some((node, _)) = self.view.node_at(pos) {
            if node.flags.intersects(NodeFlags::MYSELF | NodeFlags::NOADDR) {
                pos += 1;
                continue;
            }
            if node.is_timed_out() {
                pfail += 1;
            }
            let id = node.id();
            if node.in_handshake() && now.since(node.created) > handshake_timeout {
                self.delete_node(&id);
                if self.view.contains(&id) {
                    pos += 1;
                }
                continue;
            }
            // `link` mirrors the link table (it is set where an outbound
            // link opens and cleared where one is dropped, and a loaded
            // view starts disconnected), so the table is only consulted
            // for nodes without one.
            debug_assert_eq!(
                node.link == LinkState::Connected,
                self.links.outbound(&id).is_some(),
                "link state of {id} mirrors the link table"
            );
            if node.link != LinkState::Connected && self.links.outbound(&id).is_none() {
                let (ip, port) = (node.ip.clone(), node.cport);
                let link = self.links.open_outbound(id, &ip, port, now);
                self.view.node_at_mut(pos).expect("listed above").link = LinkState::Connected;
                self.net.push(Output::Connect { link, ip, port });
            }
            pos += 1;
        }
        self.cron.pfail_nodes = pfail;

        // 2. Once a second: PING the node with the oldest PONG among a few
        //    random ones.
        if self.cron.iteration % 10 == 0 {
            let count = self.view.node_count();
            let mut best: Option<(Millis, NodeId)> = None;
            for _ in 0..RANDOM_PING_CANDIDATES {
                let i = self.rng.random_range(0..count);
                let node = self.view.nodes().nth(i).expect("index below count");
                if self.links.outbound(&node.id()).is_none() || node.ping_sent != Millis(0) {
                    continue;
                }
                if node
                    .flags
                    .intersects(NodeFlags::MYSELF | NodeFlags::HANDSHAKE)
                {
                    continue;
                }
                if best.is_none_or(|(pong, _)| pong > node.pong_received) {
                    best = Some((node.pong_received, node.id()));
                }
            }
            if let Some((_, id)) = best {
                let link = self.links.outbound(&id).expect("checked above");
                self.send_ping(link, PingKind::Ping);
            }
        }

        // 3. Per node: silent links, overdue PINGs, manual-failover PINGs,
        //    PFAIL.
        let mut update_state = false;
        // The replica of a manual failover this primary is pinging.
        let manual_replica = if self.view.myself().is_primary() && self.manual.end.is_some() {
            self.manual.replica
        } else {
            None
        };
        // By table position: nothing below adds or removes nodes.
        for pos in 0..self.view.node_count() {
            let (node, _) = self.view.node_at(pos).expect("below the count");
            if node
                .flags
                .intersects(NodeFlags::MYSELF | NodeFlags::NOADDR | NodeFlags::HANDSHAKE)
            {
                continue;
            }
            let id = node.id();
            let ping_sent = node.ping_sent;
            let ping_delay = now.since(ping_sent);
            let data_delay = now.since(node.data_received);
            let pong_age = now.since(node.pong_received);
            // Most nodes need nothing from their link this run; look it up
            // only for a silent link, an overdue PING or a manual failover.
            let silent =
                ping_sent != Millis(0) && ping_delay > timeout / 2 && data_delay > timeout / 2;
            let ping_due = ping_sent == Millis(0) && pong_age > timeout / 2;
            if silent || ping_due || manual_replica == Some(id) {
                let mut link = self.links.outbound(&id);
                if let Some(l) = link.and_then(|l| self.links.get(l)) {
                    let link_age = now.since(l.created);
                    if link_age > timeout && silent {
                        // Nothing at all heard for a while: maybe the
                        // connection is the problem. Reconnect on the next run.
                        self.close_link(l.id);
                        link = None;
                    }
                }
                if let Some(l) = link {
                    if ping_due {
                        self.send_ping(l, PingKind::Ping);
                        continue;
                    }
                    if manual_replica == Some(id) {
                        self.send_ping(l, PingKind::Ping);
                        continue;
                    }
                }
            }
            if ping_sent == Millis(0) {
                continue;
            }
            if ping_delay.min(data_delay) > timeout {
                let node = self.view.node_at_mut(pos).expect("below the count");
                if !node.flags.intersects(NodeFlags::PFAIL | NodeFlags::FAIL) {
                    node.flags.insert(NodeFlags::PFAIL);
                    update_state = true;
                }
            }
        }

        // 4. Replica duties.
        self.check_manual_failover_timeout();
        if self.view.myself().is_replica() {
            self.handle_manual_failover();
            self.handle_replica_failover();
            self.handle_replica_migration();
        }

        // 5. State.
        if update_state || self.view.state == ClusterState::Fail {
            self.update_state();
        }
    }
}
