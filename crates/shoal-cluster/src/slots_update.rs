//! Slot ownership from claims (spec 3.9): a primary's claim wins a slot
//! only over an owner with a smaller configEpoch (or an unassigned or
//! unclaimed slot); a node claiming slots that a newer owner holds gets an
//! UPDATE about that owner; a primary that lost all its slots to one
//! claimant becomes its replica.
//!
//! ```text
//!   A (epoch 5, claims 0-99) ──PING──► B: owner of 0-99 is C (epoch 9)
//!   B ──UPDATE{C, epoch 9, C's slots}──► A
//!   A: C's epoch 9 > 5, take 0-99 away from A; A has no slots left
//!      → A becomes a replica of C
//! ```
//!
//! What it does not do: delete keys (it asks with
//! [`ClusterEvent::DeleteKeysInSlots`]) or replicate.

use shoal_types::{Epoch, NodeId, Slot};

use crate::links::LinkId;
use crate::node::ClusterNode;
use crate::output::ClusterEvent;
use crate::slots::slot_unchecked;
use crate::wire::{Body, Header, SlotBitmap};

impl ClusterNode {
    /// Step 9 of message processing: compare the sender's claimed slots
    /// with ours; adopt newer claims of a primary, and tell a stale claimer
    /// about the newer owner.
    pub(crate) fn apply_sender_slots(&mut self, s: &NodeId, hdr: &Header) {
        let Some(sender) = self.view.node(s) else {
            return;
        };
        let sender_is_primary = sender.is_primary();
        let sender_master = if sender_is_primary {
            Some(*s)
        } else {
            sender.primary()
        };
        let Some(master) = sender_master else {
            return;
        };
        let dirty = !self.view.owns_exactly(&master, hdr.slots.as_bytes());
        if !dirty {
            return;
        }
        if sender_is_primary {
            self.update_slots_config_with(s, hdr.config_epoch, &hdr.slots);
        }
        // One UPDATE per message, about the first newer owner found.
        let newer_owner = hdr.slots.iter().find_map(|slot| {
            let owner = self.view.slot_owner(slot)?;
            if owner.id() == *s || self.view.slot_unclaimed(slot) {
                return None;
            }
            (owner.config_epoch > hdr.config_epoch).then_some(owner.id())
        });
        if let (Some(owner), Some(link)) = (newer_owner, self.links.outbound(s)) {
            self.send_update(link, &owner);
        }
    }

    /// Sends an UPDATE describing `owner` (its epoch and the slots it still
    /// claims) on `link`.
    pub(crate) fn send_update(&mut self, link: LinkId, owner: &NodeId) {
        let Some(node) = self.view.node(owner) else {
            return;
        };
        let mut slots = SlotBitmap::new();
        for slot in self.view.slot_bitmap_of(owner).iter() {
            if !self.view.owner_not_claiming(slot) {
                slots.insert(slot);
            }
        }
        let body = Body::Update {
            config_epoch: node.config_epoch,
            node: *owner,
            slots,
        };
        let msg = self.message(body);
        self.send(link, &msg);
    }

    /// An UPDATE from a known sender about `id`.
    pub(crate) fn update_received(&mut self, id: &NodeId, epoch: Epoch, slots: &SlotBitmap) {
        let Some(node) = self.view.lookup(id.as_bytes()).map(|n| n.id()) else {
            return;
        };
        if self
            .view
            .node(&node)
            .is_none_or(|n| n.config_epoch >= epoch)
        {
            return;
        }
        if self.view.node(&node).is_some_and(|n| n.is_replica()) {
            self.view
                .set_node_as_primary(&node)
                .expect("node is in the table");
        }
        self.view.node_mut(&node).expect("looked up").config_epoch = epoch;
        self.chores.save_fsync();
        self.update_slots_config_with(&node, epoch, slots);
    }

    /// Applies `claimant`'s claim on `claimed` slots with configEpoch
    /// `epoch` (Redis's slot-config update).
    pub(crate) fn update_slots_config_with(
        &mut self,
        claimant: &NodeId,
        epoch: Epoch,
        claimed: &SlotBitmap,
    ) {
        let me = self.view.myself_id();
        if *claimant == me {
            self.events.push(ClusterEvent::Log(
                "Discarding UPDATE message about myself.".to_string(),
            ));
            return;
        }
        let my_shard = if self.view.myself().is_primary() {
            Some(me)
        } else {
            self.view.myself().primary()
        };
        let mut new_primary = false;
        let mut claimed_count = 0usize;
        let mut taken_from_us = 0usize;
        let mut lost_with_keys: Vec<Slot> = Vec::new();
        let mut lost_by_shard: Vec<Slot> = Vec::new();
        // Only slots the claimant claims or holds can change; skip the
        // others eight at a time (most bytes of both bitmaps are zero when
        // there are many primaries). The claimant's holdings are read
        // before the loop, which changes only the slot it is looking at.
        let held = self.view.slot_bitmap_of(claimant);
        let busy_bytes = claimed
            .as_bytes()
            .iter()
            .zip(held.0.iter())
            .enumerate()
            .filter(|(_, (c, h))| **c | **h != 0)
            .map(|(byte, _)| byte);
        let slots =
            busy_bytes.flat_map(|byte| (byte * 8..byte * 8 + 8).map(|s| slot_unchecked(s as u16)));
        for slot in slots {
            let owner = self.view.slot_owner_id(slot);
            if claimed.contains(slot) {
                claimed_count += 1;
                if owner == Some(*claimant) {
                    self.view.set_owner_not_claiming(slot, false);
                    continue;
                }
                if self.view.importing_from(slot).is_some() {
                    // Imports are closed by the operator, not by gossip.
                    continue;
                }
                let wins = self.view.slot_unclaimed(slot)
                    || self
                        .view
                        .slot_owner(slot)
                        .is_some_and(|o| o.config_epoch < epoch);
                if !wins {
                    continue;
                }
                if owner == Some(me) {
                    lost_with_keys.push(slot);
                }
                if owner.is_some() && owner == my_shard {
                    new_primary = true;
                    taken_from_us += 1;
                    lost_by_shard.push(slot);
                }
                self.view
                    .reassign_slot(slot, claimant)
                    .expect("claimant is in the table");
                self.view.set_owner_not_claiming(slot, false);
                self.chores.save_fsync();
                self.chores.update_state = true;
            } else if owner == Some(*claimant) {
                // Keep the binding, but stop vouching for it in UPDATEs.
                self.view.set_owner_not_claiming(slot, true);
            }
        }
        if !lost_by_shard.is_empty() {
            self.events
                .push(ClusterEvent::DropShardChannels(lost_by_shard));
        }

        let shard_empty = my_shard.is_some_and(|m| self.view.slot_count_of(&m) == 0);
        let my_primary = self.view.myself().primary();
        let grand_primary = my_primary
            .and_then(|p| self.view.node(&p))
            .and_then(|p| p.primary())
            .filter(|g| *g != me);
        if new_primary
            && shard_empty
            && (self.config.allow_replica_migration || claimed_count == taken_from_us)
        {
            self.events.push(ClusterEvent::Log(format!(
                "Configuration change detected. Reconfiguring myself as a replica of {claimant}"
            )));
            self.become_replica_of(claimant);
        } else if let (true, Some(g)) = (self.view.myself().is_replica(), grand_primary) {
            self.events.push(ClusterEvent::Log(format!(
                "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster {g}"
            )));
            self.become_replica_of(&g);
        } else if !lost_with_keys.is_empty() {
            self.events
                .push(ClusterEvent::DeleteKeysInSlots(lost_with_keys));
        }
    }

    /// Makes myself a replica of `primary` (Redis's "set master"); the
    /// replication change is announced at the end of the call.
    pub(crate) fn become_replica_of(&mut self, primary: &NodeId) {
        if self.view.set_myself_replica_of(primary).is_err() {
            return;
        }
        self.reset_manual_failover();
        self.chores.save_fsync();
        self.chores.update_state = true;
    }
}
