//! One incoming frame, start to finish (spec 2.13 and 3.4): decode, count,
//! find the sender, epochs, PONG reply, handshake completion and renaming,
//! address changes, liveness, role, slots and UPDATEs, configEpoch
//! collision, gossip, then the type-specific part.
//!
//! ```text
//! frame ─► decode ─► Err: close the link (framing lost) or drop (counted)
//!            │
//!            ▼
//!   sender = link's node, or the header's name if known
//!   epochs, offset (known, non-handshake sender)
//!   PING/MEET: learn own IP, MEET from unknown → handshake node, reply PONG
//!   PING/PONG/MEET on an outbound link: finish handshake / detect renames
//!   PONG on outbound: pong_received, clear PFAIL / maybe FAIL
//!   role, slots (3.9), UPDATE to stale claimers, collision, gossip
//!   FAIL / PUBLISH / AUTH_REQUEST / AUTH_ACK / MFSTART / UPDATE / MODULE
//! ```
//!
//! What it does not do: framing (the driver cuts frames with
//! [`crate::wire::next_frame`]).

use shoal_types::NodeId;

use crate::links::LinkId;
use crate::node::{ClusterNode, PingKind};
use crate::output::ClusterEvent;
use crate::view::{Node, NodeFlags};
use crate::wire::{decode, Body, BusMessage, Header, MessageType, HEADER_LEN};

impl ClusterNode {
    /// Handles one frame read from `link`.
    pub(crate) fn receive(&mut self, link: LinkId, bytes: &[u8]) {
        if self.links.get(link).is_none() {
            self.errors.unknown_link_inputs += 1;
            return;
        }
        // Redis counts a message by its type before validating it.
        if bytes.len() >= 14 {
            let code = u16::from_be_bytes([bytes[12], bytes[13]]);
            if let Some(t) = MessageType::from_code(code) {
                self.stats.received[t.code() as usize] += 1;
            }
            if let Some(l) = self.links.get_mut(link) {
                l.received.count(code, bytes.len());
            }
        }
        let msg = match decode(bytes) {
            Ok(msg) => msg,
            Err(e) if e.closes_link() => {
                self.errors.links_closed_on_bad_frame += 1;
                self.close_link(link);
                return;
            }
            Err(_) => {
                self.errors.messages_dropped += 1;
                return;
            }
        };
        debug_assert!(bytes.len() >= HEADER_LEN);
        self.process(link, msg);
    }

    /// The processing order of spec 3.4 for a decoded message.
    fn process(&mut self, link_id: LinkId, msg: BusMessage) {
        let now = self.now;
        let BusMessage { header: hdr, body } = msg;
        let link = self.links.get(link_id).expect("checked by receive");
        let inbound = link.is_inbound();
        let link_node = link.node;
        let me = self.view.myself_id();

        // 1. The sender.
        let mut sender = match link_node {
            Some(n) if self.view.node(&n).is_some_and(|n| !n.in_handshake()) => Some(n),
            _ => {
                let found = self.view.lookup(hdr.sender.as_bytes()).map(|n| n.id());
                if let (Some(s), None) = (found, link_node) {
                    if inbound {
                        if let Some(old) = self.links.attach_inbound(link_id, s) {
                            self.close_link(old);
                        }
                    }
                }
                found
            }
        };
        if sender == Some(me) {
            // A peer using our own name is not someone we know.
            sender = None;
        }
        if let Some(n) = sender.and_then(|s| self.view.node_mut(&s)) {
            n.data_received = now;
        }

        // 2. Epochs and offset.
        let known = sender.filter(|s| self.view.node(s).is_some_and(|n| !n.in_handshake()));
        if let Some(s) = known {
            if hdr.current_epoch > self.view.current_epoch {
                self.view.current_epoch = hdr.current_epoch;
            }
            let n = self.view.node_mut(&s).expect("known sender");
            if hdr.config_epoch > n.config_epoch {
                n.config_epoch = hdr.config_epoch;
                self.chores.save_fsync();
            }
            n.repl_offset = hdr.repl_offset;
            n.repl_offset_time = now;
            self.note_paused_primary_offset(&s, &hdr);
        }

        let kind = body.message_type();
        let is_ping = kind == Some(MessageType::Ping);
        let is_meet = kind == Some(MessageType::Meet);
        let is_pong = kind == Some(MessageType::Pong);

        // 3. PING and MEET: learn our own IP, maybe start a handshake, reply.
        if is_ping || is_meet {
            self.learn_own_ip(link_id, is_meet);
            if sender.is_none() && is_meet {
                self.add_handshake_node_for(link_id, &hdr);
                if let Some((gossip, _)) = body.gossip_and_extensions() {
                    self.process_gossip(None, gossip);
                }
            }
            self.send_ping(link_id, PingKind::Pong);
        }

        if let Some((gossip, extensions)) = body.gossip_and_extensions() {
            // 4. On our outbound link: complete a handshake or notice that the
            //    peer at this address is someone else now.
            if !inbound {
                let Some(ln) = link_node else { return };
                let Some(node) = self.view.node(&ln) else {
                    return;
                };
                if node.in_handshake() {
                    if let Some(s) = sender {
                        // We already know this node: keep its entry, maybe with
                        // the address we just reached it at, and drop the
                        // placeholder (and this link with it).
                        if self.update_address_if_needed(&s, link_id, &hdr) {
                            self.chores.save_and_update();
                        }
                        self.delete_node(&ln);
                        return;
                    }
                    if !self.complete_handshake(&ln, &hdr) {
                        self.delete_node(&ln);
                        return;
                    }
                } else if ln != hdr.sender {
                    let node = self.view.node_mut(&ln).expect("looked up");
                    node.flags.insert(NodeFlags::NOADDR);
                    node.ip.clear();
                    node.port = 0;
                    node.pport = 0;
                    node.cport = 0;
                    self.close_link(link_id);
                    self.chores.save = true;
                    return;
                }
            }

            // 5. NOFAILOVER is whatever the sender says now.
            if let Some(n) = sender.and_then(|s| self.view.node_mut(&s)) {
                let nofailover = hdr.flags.contains(NodeFlags::NOFAILOVER);
                if nofailover != n.flags.contains(NodeFlags::NOFAILOVER) {
                    if nofailover {
                        n.flags.insert(NodeFlags::NOFAILOVER);
                    } else {
                        n.flags.remove(NodeFlags::NOFAILOVER);
                    }
                }
            }

            // 6. A PING from elsewhere than our outbound link may carry a new
            //    address.
            if let Some(s) = sender {
                if is_ping
                    && self.view.node(&s).is_some_and(|n| !n.in_handshake())
                    && self.update_address_if_needed(&s, link_id, &hdr)
                {
                    self.chores.save_and_update();
                }
            }

            // 7. A PONG on our outbound link: the node is alive.
            if !inbound && is_pong {
                self.pong_received_on(link_id);
            }

            if let Some(s) = sender {
                // 8. Role.
                self.apply_sender_role(&s, &hdr);
                // 9. Slots.
                self.apply_sender_slots(&s, &hdr);
                // 10. configEpoch collision.
                self.handle_config_epoch_collision(&s, &hdr);
                // 11. Gossip and extensions.
                self.process_gossip(Some(s), gossip);
                self.process_extensions(&s, extensions);
            }
            return;
        }

        // 12. The other types.
        match body {
            Body::Fail { node } => {
                if sender.is_some() {
                    self.fail_message_received(&node);
                }
            }
            Body::Publish { channel, message } | Body::PublishShard { channel, message } => {
                if sender.is_some() {
                    self.events.push(ClusterEvent::Published {
                        channel,
                        message,
                        sharded: kind == Some(MessageType::PublishShard),
                    });
                }
            }
            Body::FailoverAuthRequest => {
                if let Some(s) = sender {
                    self.consider_vote(&s, &hdr);
                }
            }
            Body::FailoverAuthAck => {
                if let Some(s) = sender {
                    self.count_vote(&s, &hdr);
                }
            }
            Body::MfStart => {
                if let Some(s) = sender {
                    self.manual_failover_requested(&s, link_id);
                }
            }
            Body::Update {
                config_epoch,
                node,
                slots,
            } => {
                if sender.is_some() {
                    self.update_received(&node, config_epoch, &slots);
                }
            }
            Body::Module {
                module_id,
                module_type,
                payload,
            } => {
                if let Some(s) = sender {
                    self.events.push(ClusterEvent::ModuleMessage {
                        sender: s,
                        module_id,
                        module_type,
                        payload,
                    });
                }
            }
            Body::Unknown { type_code, .. } => {
                self.events.push(ClusterEvent::Log(format!(
                    "Received unknown packet type: {type_code}"
                )));
            }
            Body::Ping { .. } | Body::Pong { .. } | Body::Meet { .. } => {
                unreachable!("handled above")
            }
        }
    }

    /// A MEET (or a PING while our IP is unknown) tells us the address
    /// peers reach us at, unless we announce one.
    fn learn_own_ip(&mut self, link: LinkId, is_meet: bool) {
        if self.config.announce_ip.is_some() {
            return;
        }
        let Some(local) = self.links.get(link).map(|l| l.local_ip.clone()) else {
            return;
        };
        let me = self.view.myself_mut();
        if (is_meet || me.ip.is_empty()) && !local.is_empty() && local != me.ip {
            me.ip = local;
            self.events.push(ClusterEvent::Log(format!(
                "IP address for this node updated to {}",
                self.view.myself().ip
            )));
            self.chores.save = true;
        }
    }

    /// A MEET from an unknown node: add it as a handshake node with a
    /// random name; our cron will connect and PING it.
    fn add_handshake_node_for(&mut self, link: LinkId, hdr: &Header) {
        let ip = match hdr.myip.as_str() {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => self
                .links
                .get(link)
                .map(|l| l.peer_ip.clone())
                .unwrap_or_default(),
        };
        let mut node = Node::new(self.random_node_id());
        node.flags = NodeFlags::HANDSHAKE;
        node.ip = ip;
        node.port = hdr.port;
        node.pport = hdr.pport;
        node.cport = hdr.cport;
        node.created = self.now;
        if self.view.add_node(node).is_ok() {
            self.chores.save = true;
        }
    }

    /// The first PONG from a handshake node: give it its real name and
    /// role. Returns false if the name is unusable.
    fn complete_handshake(&mut self, placeholder: &NodeId, hdr: &Header) -> bool {
        if NodeId::parse(hdr.sender.as_bytes()).is_err() {
            return false;
        }
        if self.view.rename_node(placeholder, hdr.sender).is_err() {
            return false;
        }
        self.links.rename_node(placeholder, hdr.sender);
        let node = self.view.node_mut(&hdr.sender).expect("just renamed");
        node.flags.remove(NodeFlags::HANDSHAKE);
        node.flags.insert(NodeFlags::from_bits(
            hdr.flags.bits() & (NodeFlags::PRIMARY | NodeFlags::REPLICA).bits(),
        ));
        self.chores.save = true;
        true
    }

    /// Stores the address a node's message came from if it differs from
    /// what we have, reconnecting our outbound link (Redis's address
    /// update). Never for the node's own outbound link.
    pub(crate) fn update_address_if_needed(
        &mut self,
        node_id: &NodeId,
        link: LinkId,
        hdr: &Header,
    ) -> bool {
        if self.links.outbound(node_id) == Some(link) {
            return false;
        }
        let ip = match hdr.myip.as_str() {
            Some(ip) if !ip.is_empty() => ip.to_string(),
            _ => match self.links.get(link) {
                Some(l) if !l.peer_ip.is_empty() => l.peer_ip.clone(),
                _ => return false,
            },
        };
        let Some(node) = self.view.node_mut(node_id) else {
            return false;
        };
        if node.port == hdr.port
            && node.cport == hdr.cport
            && node.pport == hdr.pport
            && node.ip == ip
        {
            return false;
        }
        node.ip = ip;
        node.port = hdr.port;
        node.pport = hdr.pport;
        node.cport = hdr.cport;
        node.flags.remove(NodeFlags::NOADDR);
        let line = format!(
            "Address updated for node {}, now {}:{}",
            node_id, node.ip, node.port
        );
        self.events.push(ClusterEvent::Log(line));
        if let Some(out) = self.links.outbound(node_id) {
            self.close_link(out);
        }
        // A replica of this node re-points replication through the role
        // announcement at the end of the call.
        true
    }

    /// Step 8: the sender's role comes from the header's primary field.
    fn apply_sender_role(&mut self, s: &NodeId, hdr: &Header) {
        match hdr.replica_of {
            None => {
                if self.view.node(s).is_some_and(|n| !n.is_primary()) {
                    self.view
                        .set_node_as_primary(s)
                        .expect("sender is in the table");
                    self.chores.save_and_update();
                }
            }
            Some(p) => {
                let primary = self.view.lookup(p.as_bytes()).map(|n| n.id());
                if self.view.node(s).is_some_and(|n| n.is_primary()) {
                    // A primary turned into a replica.
                    self.view.unassign_slots_of(s);
                    let n = self.view.node_mut(s).expect("sender is in the table");
                    n.flags.remove(NodeFlags::PRIMARY | NodeFlags::MIGRATE_TO);
                    n.flags.insert(NodeFlags::REPLICA);
                    self.chores.save_and_update();
                }
                if let Some(p) = primary {
                    let current = self.view.node(s).and_then(|n| n.primary());
                    if current != Some(p) && p != *s && self.view.attach_replica(s, &p).is_ok() {
                        self.chores.save = true;
                    }
                }
            }
        }
    }
}
