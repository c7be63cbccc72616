//! Where a keyed command must run: here, or redirected, or refused.
//!
//! [`route`] is Redis 7.0's per-command cluster check (spec section 5) as a
//! pure function of the view, the command's keys and a few flags. The
//! caller supplies whether a key exists locally (only asked while the
//! slot is migrating or importing). [`Route::error_text`] holds every
//! client-visible text of this decision: `MOVED`, `ASK`, `TRYAGAIN`,
//! `CROSSSLOT` and the three `CLUSTERDOWN` forms.
//!
//! ```text
//! keys ──► first key's slot unassigned? ── CLUSTERDOWN Hash slot not served
//!      ──► other key in another slot?   ── CROSSSLOT
//!      ──► no keys                      ── local
//!      ──► cluster down?                ── CLUSTERDOWN (unless reads allowed)
//!      ──► MIGRATE on an open slot      ── local
//!      ──► migrating, a key missing     ── TRYAGAIN if some key present, else ASK target
//!      ──► importing and ASKING         ── TRYAGAIN if several keys and one missing, else local
//!      ──► READONLY read on my primary's slot (replica) ── local
//!      ──► owner is not me              ── MOVED owner
//! ```
//!
//! What it does not do: find the keys of a command (the command table
//! does), clear the one-shot ASKING flag, or abort a MULTI; the caller
//! handles those around the decision. Commands sent by this node's primary
//! or replayed from the AOF are not routed at all.

use shoal_types::{NodeId, Slot};

use crate::texts::EndpointOptions;
use crate::view::{ClusterState, ClusterView};

/// What kind of command is being routed; a few rules single them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommandKind {
    /// Any other keyed command (or EXEC over the queued commands).
    #[default]
    Regular,
    /// MIGRATE: always runs here while its slot is migrating or importing.
    Migrate,
    /// SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH: channels are not looked up, and
    /// they may run while the cluster is down
    /// (`cluster-allow-pubsubshard-when-down`).
    ShardPubSub,
}

/// Facts about the command and the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RouteFlags {
    /// Which rules apply.
    pub kind: CommandKind,
    /// The command has the `write` flag (for EXEC: EXEC's own flags, so
    /// false).
    pub is_write: bool,
    /// EXEC only: some queued command has the `write` flag.
    pub queued_write: bool,
    /// The client sent ASKING, or the command has the `asking` flag
    /// (RESTORE-ASKING).
    pub asking: bool,
    /// The client sent READONLY.
    pub readonly: bool,
}

/// The configuration routing obeys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoutingConfig {
    /// `cluster-allow-reads-when-down` (default no).
    pub allow_reads_when_down: bool,
    /// `cluster-allow-pubsubshard-when-down` (default yes).
    pub allow_pubsubshard_when_down: bool,
    /// How redirections name the target node.
    pub endpoints: EndpointOptions,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        RoutingConfig {
            allow_reads_when_down: false,
            allow_pubsubshard_when_down: true,
            endpoints: EndpointOptions::default(),
        }
    }
}

/// Why a command is refused with CLUSTERDOWN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownReason {
    /// The key's slot has no owner.
    SlotUnassigned,
    /// The cluster state is fail.
    ClusterDown,
    /// The cluster state is fail; reads are allowed but this is a write.
    WritesRefused,
}

/// The routing decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Run the command here. `slot` is the keys' slot (none without keys).
    Local {
        /// The slot of the command's keys.
        slot: Option<Slot>,
    },
    /// The slot lives elsewhere; the client should update its map.
    Moved {
        /// The slot.
        slot: Slot,
        /// The owner, named by its preferred endpoint.
        endpoint: String,
        /// The owner's client port.
        port: u16,
    },
    /// The slot is moving; ask the target this once.
    Ask {
        /// The slot.
        slot: Slot,
        /// The migration target, named by its preferred endpoint.
        endpoint: String,
        /// The target's client port.
        port: u16,
    },
    /// Several keys of a slot that is moving, some on each side.
    TryAgain,
    /// Keys in different slots.
    CrossSlot,
    /// Refused while the cluster is down or the slot unassigned.
    ClusterDown(DownReason),
}

impl Route {
    /// The error text to send (after `-`), or `None` for [`Route::Local`].
    pub fn error_text(&self) -> Option<String> {
        Some(match self {
            Route::Local { .. } => return None,
            Route::Moved {
                slot,
                endpoint,
                port,
            } => format!("MOVED {slot} {endpoint}:{port}"),
            Route::Ask {
                slot,
                endpoint,
                port,
            } => format!("ASK {slot} {endpoint}:{port}"),
            Route::TryAgain => {
                "TRYAGAIN Multiple keys request during rehashing of slot".to_string()
            }
            Route::CrossSlot => "CROSSSLOT Keys in request don't hash to the same slot".to_string(),
            Route::ClusterDown(DownReason::ClusterDown) => {
                "CLUSTERDOWN The cluster is down".to_string()
            }
            Route::ClusterDown(DownReason::WritesRefused) => {
                "CLUSTERDOWN The cluster is down and only accepts read commands".to_string()
            }
            Route::ClusterDown(DownReason::SlotUnassigned) => {
                "CLUSTERDOWN Hash slot not served".to_string()
            }
        })
    }

    /// True for [`Route::Local`].
    pub fn is_local(&self) -> bool {
        matches!(self, Route::Local { .. })
    }
}

/// Decides where a command with `keys` runs (all keys of the command, or
/// of every queued command for EXEC, in order; channels for shard
/// Pub/Sub).
///
/// `key_exists` is asked about keys of a migrating or importing slot only;
/// it must treat logically expired keys as missing, without deleting them.
pub fn route<K: AsRef<[u8]>>(
    view: &ClusterView,
    keys: impl IntoIterator<Item = K>,
    flags: &RouteFlags,
    config: &RoutingConfig,
    mut key_exists: impl FnMut(&[u8]) -> bool,
) -> Route {
    let me = view.myself_id();
    let mut first: Option<K> = None;
    let mut slot = Slot::default();
    let mut owner: Option<NodeId> = None;
    let (mut migrating, mut importing, mut multiple_keys) = (false, false, false);
    let (mut missing, mut existing) = (0usize, 0usize);

    for key in keys {
        let k = key.as_ref();
        let key_slot = Slot::of_key(k);
        match &first {
            None => {
                slot = key_slot;
                let Some(o) = view.slot_owner_id(slot) else {
                    return Route::ClusterDown(DownReason::SlotUnassigned);
                };
                owner = Some(o);
                if o == me && view.migrating_to(slot).is_some() {
                    migrating = true;
                } else if view.importing_from(slot).is_some() {
                    importing = true;
                }
            }
            Some(f) if f.as_ref() != k => {
                if key_slot != slot {
                    return Route::CrossSlot;
                }
                multiple_keys = true;
            }
            Some(_) => {}
        }
        // Shard channels keep being served by the source until the slot is
        // handed over, so their presence is not counted.
        if (migrating || importing) && flags.kind != CommandKind::ShardPubSub {
            if key_exists(k) {
                existing += 1;
            } else {
                missing += 1;
            }
        }
        if first.is_none() {
            first = Some(key);
        }
    }

    let Some(owner) = owner else {
        return Route::Local { slot: None };
    };

    if view.state != ClusterState::Ok {
        if flags.kind == CommandKind::ShardPubSub {
            if !config.allow_pubsubshard_when_down {
                return Route::ClusterDown(DownReason::ClusterDown);
            }
        } else if !config.allow_reads_when_down {
            return Route::ClusterDown(DownReason::ClusterDown);
        } else if flags.is_write {
            return Route::ClusterDown(DownReason::WritesRefused);
        }
    }

    if (migrating || importing) && flags.kind == CommandKind::Migrate {
        return Route::Local { slot: Some(slot) };
    }

    if migrating && missing > 0 {
        if existing > 0 {
            return Route::TryAgain;
        }
        let target = view
            .migrating_to(slot)
            .expect("migrating was set from this mark");
        return redirect(view, target, slot, config, true);
    }

    if importing && flags.asking {
        if multiple_keys && missing > 0 {
            return Route::TryAgain;
        }
        return Route::Local { slot: Some(slot) };
    }

    // A replica serves reads of its primary's slots to READONLY clients.
    let writes = flags.is_write || flags.queued_write;
    let me_node = view.myself();
    if (flags.readonly || flags.kind == CommandKind::ShardPubSub)
        && !writes
        && me_node.is_replica()
        && me_node.primary() == Some(owner)
    {
        return Route::Local { slot: Some(slot) };
    }

    if owner != me {
        return redirect(view, owner, slot, config, false);
    }
    Route::Local { slot: Some(slot) }
}

fn redirect(
    view: &ClusterView,
    to: NodeId,
    slot: Slot,
    config: &RoutingConfig,
    ask: bool,
) -> Route {
    let node = view
        .node(&to)
        .expect("owners and migration targets are in the table");
    let endpoint = config.endpoints.endpoint(node).to_string();
    let port = config.endpoints.client_port(node);
    if ask {
        Route::Ask {
            slot,
            endpoint,
            port,
        }
    } else {
        Route::Moved {
            slot,
            endpoint,
            port,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::EndpointType;
    use crate::view::{Node, NodeFlags};
    use std::collections::BTreeSet;

    fn id(c: char) -> NodeId {
        NodeId::parse(c.to_string().repeat(40).as_bytes()).unwrap()
    }

    fn s(n: u16) -> Slot {
        Slot::new(n).unwrap()
    }

    /// Myself `a` owns 0..8191, `b` at 127.0.0.2:7001 the rest. Keys used:
    /// `bar` and `{bar}x` (slot 5061, mine), `foo` and `{foo}2` (12182, b's),
    /// `hello` (866).
    fn view() -> ClusterView {
        let mut me = Node::new(id('a'));
        me.flags = NodeFlags::PRIMARY;
        me.ip = "127.0.0.1".into();
        me.port = 7000;
        let mut v = ClusterView::new(me);
        let mut b = Node::new(id('b'));
        b.flags = NodeFlags::PRIMARY;
        b.ip = "127.0.0.2".into();
        b.port = 7001;
        b.pport = 6001;
        b.hostname = "b.example".into();
        v.add_node(b).unwrap();
        for n in 0..8192 {
            v.assign_slot(s(n), &id('a')).unwrap();
        }
        for n in 8192..16384 {
            v.assign_slot(s(n), &id('b')).unwrap();
        }
        v.state = ClusterState::Ok;
        v
    }

    fn go(v: &ClusterView, keys: &[&str], flags: RouteFlags, present: &[&str]) -> Route {
        go_with(v, keys, flags, RoutingConfig::default(), present)
    }

    fn go_with(
        v: &ClusterView,
        keys: &[&str],
        flags: RouteFlags,
        cfg: RoutingConfig,
        present: &[&str],
    ) -> Route {
        let present: BTreeSet<&[u8]> = present.iter().map(|k| k.as_bytes()).collect();
        route(v, keys.iter().map(|k| k.as_bytes()), &flags, &cfg, |k| {
            present.contains(k)
        })
    }

    fn text(r: &Route) -> String {
        r.error_text().unwrap()
    }

    const READ: RouteFlags = RouteFlags {
        kind: CommandKind::Regular,
        is_write: false,
        queued_write: false,
        asking: false,
        readonly: false,
    };
    const WRITE: RouteFlags = RouteFlags {
        is_write: true,
        ..READ
    };

    #[test]
    fn keyless_commands_run_here_even_when_down() {
        let mut v = view();
        v.state = ClusterState::Fail;
        assert_eq!(go(&v, &[], WRITE, &[]), Route::Local { slot: None });
    }

    #[test]
    fn own_slot_runs_here_other_slot_is_moved() {
        let v = view();
        assert_eq!(
            go(&v, &["bar"], READ, &[]),
            Route::Local {
                slot: Some(s(5061))
            }
        );
        let r = go(&v, &["foo"], READ, &[]);
        assert_eq!(text(&r), "MOVED 12182 127.0.0.2:7001");
    }

    #[test]
    fn redirects_follow_the_endpoint_type_and_tls_ports() {
        let v = view();
        let cfg = |preferred, tls_cluster| RoutingConfig {
            endpoints: EndpointOptions {
                preferred,
                tls_cluster,
                client_uses_tls: false,
            },
            ..RoutingConfig::default()
        };
        let r = go_with(&v, &["foo"], READ, cfg(EndpointType::Hostname, true), &[]);
        assert_eq!(text(&r), "MOVED 12182 b.example:6001");
        let r = go_with(
            &v,
            &["foo"],
            READ,
            cfg(EndpointType::UnknownEndpoint, false),
            &[],
        );
        assert_eq!(text(&r), "MOVED 12182 :7001");
    }

    #[test]
    fn unassigned_first_slot_beats_everything() {
        let mut v = view();
        v.unassign_slot(s(5061));
        let r = go(&v, &["bar", "foo"], READ, &[]);
        assert_eq!(text(&r), "CLUSTERDOWN Hash slot not served");
    }

    #[test]
    fn different_slots_are_crossslot_same_key_twice_is_not() {
        let v = view();
        assert_eq!(
            text(&go(&v, &["bar", "foo"], READ, &[])),
            "CROSSSLOT Keys in request don't hash to the same slot"
        );
        assert!(go(&v, &["bar", "bar", "{bar}x"], READ, &[]).is_local());
    }

    #[test]
    fn cluster_down_refuses_unless_reads_allowed() {
        let mut v = view();
        v.state = ClusterState::Fail;
        assert_eq!(
            text(&go(&v, &["foo"], READ, &[])),
            "CLUSTERDOWN The cluster is down"
        );
        let cfg = RoutingConfig {
            allow_reads_when_down: true,
            ..RoutingConfig::default()
        };
        assert_eq!(
            text(&go_with(&v, &["bar"], WRITE, cfg, &[])),
            "CLUSTERDOWN The cluster is down and only accepts read commands"
        );
        // Reads fall through to the normal rules: still MOVED elsewhere.
        assert_eq!(
            text(&go_with(&v, &["foo"], READ, cfg, &[])),
            "MOVED 12182 127.0.0.2:7001"
        );
        let shard = RouteFlags {
            kind: CommandKind::ShardPubSub,
            ..READ
        };
        assert!(
            go(&v, &["bar"], shard, &[]).is_local(),
            "shard pub/sub allowed when down by default"
        );
        let strict = RoutingConfig {
            allow_pubsubshard_when_down: false,
            ..RoutingConfig::default()
        };
        assert_eq!(
            text(&go_with(&v, &["bar"], shard, strict, &[])),
            "CLUSTERDOWN The cluster is down"
        );
    }

    #[test]
    fn migrating_slot_asks_or_retries_by_key_presence() {
        let mut v = view();
        v.set_migrating(s(5061), Some(&id('b'))).unwrap();
        assert!(
            go(&v, &["bar"], READ, &["bar"]).is_local(),
            "key present: served"
        );
        assert_eq!(
            text(&go(&v, &["bar"], READ, &[])),
            "ASK 5061 127.0.0.2:7001"
        );
        assert_eq!(
            text(&go(&v, &["bar", "{bar}x"], READ, &["bar"])),
            "TRYAGAIN Multiple keys request during rehashing of slot"
        );
        assert_eq!(
            text(&go(&v, &["bar", "{bar}x"], READ, &[])),
            "ASK 5061 127.0.0.2:7001"
        );
        let migrate = RouteFlags {
            kind: CommandKind::Migrate,
            ..WRITE
        };
        assert!(go(&v, &["bar"], migrate, &[]).is_local());
        let shard = RouteFlags {
            kind: CommandKind::ShardPubSub,
            ..READ
        };
        assert!(
            go(&v, &["bar"], shard, &[]).is_local(),
            "channels are not looked up"
        );
    }

    #[test]
    fn importing_slot_needs_asking() {
        let mut v = view();
        v.set_importing(s(12182), Some(&id('b'))).unwrap();
        assert_eq!(
            text(&go(&v, &["foo"], WRITE, &[])),
            "MOVED 12182 127.0.0.2:7001"
        );
        let asking = RouteFlags {
            asking: true,
            ..WRITE
        };
        assert_eq!(
            go(&v, &["foo"], asking, &[]),
            Route::Local {
                slot: Some(s(12182))
            }
        );
        assert_eq!(
            text(&go(&v, &["foo", "{foo}2"], asking, &["foo"])),
            "TRYAGAIN Multiple keys request during rehashing of slot"
        );
        assert!(go(&v, &["foo", "{foo}2"], asking, &["foo", "{foo}2"]).is_local());
        let migrate = RouteFlags {
            kind: CommandKind::Migrate,
            ..WRITE
        };
        assert!(go(&v, &["foo"], migrate, &[]).is_local());
    }

    #[test]
    fn readonly_replica_serves_reads_of_its_primary() {
        let mut v = view();
        let me = v.myself_id();
        v.unassign_slots_of(&me);
        v.reassign_slot(s(5061), &id('b')).unwrap();
        v.set_myself_replica_of(&id('b')).unwrap();
        let ro = RouteFlags {
            readonly: true,
            ..READ
        };
        assert!(go(&v, &["foo"], ro, &[]).is_local());
        assert_eq!(
            text(&go(&v, &["foo"], READ, &[])),
            "MOVED 12182 127.0.0.2:7001"
        );
        let ro_write = RouteFlags {
            readonly: true,
            ..WRITE
        };
        assert!(!go(&v, &["foo"], ro_write, &[]).is_local());
        let exec = RouteFlags {
            readonly: true,
            queued_write: true,
            ..READ
        };
        assert!(
            !go(&v, &["foo"], exec, &[]).is_local(),
            "EXEC with a queued write"
        );
        let mut c = Node::new(id('c'));
        c.flags = NodeFlags::PRIMARY;
        c.ip = "10.0.0.3".into();
        c.port = 7002;
        v.add_node(c).unwrap();
        v.reassign_slot(s(866), &id('c')).unwrap();
        assert_eq!(
            text(&go(&v, &["hello"], ro, &[])),
            "MOVED 866 10.0.0.3:7002",
            "another shard's key"
        );
    }
}
