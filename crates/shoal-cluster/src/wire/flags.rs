//! Bit sets and small enums of the header: node flags, message flags and
//! the cluster-state byte.
//!
//! Unknown bits are kept, not dropped: 7.2 and Valkey set node-flag bits a
//! 7.0 node ignores, and the state machine may want to see them. What each
//! flag means for the cluster is documented here only briefly; acting on
//! them is the state machine's job.

use std::fmt;
use std::ops::{BitOr, BitOrAssign};

/// Node flags as carried in the header (the sender's own) and in gossip
/// entries (the sender's view of another node).
///
/// The wire calls primaries "master" and replicas "slave"; the constant
/// names here use primary/replica.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NodeFlags(u16);

impl NodeFlags {
    /// The node is a primary (wire name `master`).
    pub const PRIMARY: NodeFlags = NodeFlags(1);
    /// The node is a replica (wire name `slave`).
    pub const REPLICA: NodeFlags = NodeFlags(2);
    /// The sender suspects the node is down (`fail?`).
    pub const PFAIL: NodeFlags = NodeFlags(4);
    /// The node is agreed to be down (`fail`).
    pub const FAIL: NodeFlags = NodeFlags(8);
    /// The entry is the sender itself; set in the header's flags.
    pub const MYSELF: NodeFlags = NodeFlags(16);
    /// Met but not yet answered with a PONG.
    pub const HANDSHAKE: NodeFlags = NodeFlags(32);
    /// Address unknown.
    pub const NOADDR: NodeFlags = NodeFlags(64);
    /// Send MEET rather than PING on the next connect.
    pub const MEET: NodeFlags = NodeFlags(128);
    /// A primary that is a valid target for replica migration.
    pub const MIGRATE_TO: NodeFlags = NodeFlags(256);
    /// A replica that will not start an automatic failover.
    pub const NOFAILOVER: NodeFlags = NodeFlags(512);
    /// Valkey: the node understands ping extensions. 7.0 ignores it.
    pub const EXTENSIONS_SUPPORTED: NodeFlags = NodeFlags(1024);
    /// Valkey: the node accepts "light" headers. A 7.0-compatible node must
    /// not set it, or Valkey peers send it messages 7.0 cannot parse.
    pub const LIGHT_HEADER_SUPPORTED: NodeFlags = NodeFlags(2048);

    const NAMES: [(NodeFlags, &'static str); 12] = [
        (NodeFlags::PRIMARY, "PRIMARY"),
        (NodeFlags::REPLICA, "REPLICA"),
        (NodeFlags::PFAIL, "PFAIL"),
        (NodeFlags::FAIL, "FAIL"),
        (NodeFlags::MYSELF, "MYSELF"),
        (NodeFlags::HANDSHAKE, "HANDSHAKE"),
        (NodeFlags::NOADDR, "NOADDR"),
        (NodeFlags::MEET, "MEET"),
        (NodeFlags::MIGRATE_TO, "MIGRATE_TO"),
        (NodeFlags::NOFAILOVER, "NOFAILOVER"),
        (NodeFlags::EXTENSIONS_SUPPORTED, "EXTENSIONS_SUPPORTED"),
        (NodeFlags::LIGHT_HEADER_SUPPORTED, "LIGHT_HEADER_SUPPORTED"),
    ];

    /// No flag set.
    pub const fn empty() -> NodeFlags {
        NodeFlags(0)
    }

    /// The flags with exactly these wire bits, unknown ones included.
    pub const fn from_bits(bits: u16) -> NodeFlags {
        NodeFlags(bits)
    }

    /// The wire bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// True if every bit of `other` is set in `self`.
    pub const fn contains(self, other: NodeFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// True if any bit of `other` is set in `self`.
    pub const fn intersects(self, other: NodeFlags) -> bool {
        self.0 & other.0 != 0
    }

    /// Sets the bits of `other`.
    pub fn insert(&mut self, other: NodeFlags) {
        self.0 |= other.0;
    }

    /// Clears the bits of `other`.
    pub fn remove(&mut self, other: NodeFlags) {
        self.0 &= !other.0;
    }

    /// True when no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl BitOr for NodeFlags {
    type Output = NodeFlags;

    fn bitor(self, rhs: NodeFlags) -> NodeFlags {
        NodeFlags(self.0 | rhs.0)
    }
}

impl BitOrAssign for NodeFlags {
    fn bitor_assign(&mut self, rhs: NodeFlags) {
        self.0 |= rhs.0;
    }
}

/// `PRIMARY|MYSELF|0x8000`: names for known bits, hex for the rest.
impl fmt::Debug for NodeFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| {
            let s = if first { "" } else { "|" };
            first = false;
            f.write_str(s)
        };
        for (flag, name) in NodeFlags::NAMES {
            if self.contains(flag) {
                sep(f)?;
                f.write_str(name)?;
                rest &= !flag.0;
            }
        }
        if rest != 0 {
            sep(f)?;
            write!(f, "{rest:#x}")?;
        }
        if self.0 == 0 {
            f.write_str("(none)")?;
        }
        Ok(())
    }
}

/// Message flags: the first byte of the header's `mflags`.
///
/// The extension-data bit is not kept here: [`encode`](super::encode) sets
/// it exactly when a PING/PONG/MEET carries extensions (as 7.0 does) and
/// [`decode`](super::decode) clears it after using it, so a message
/// compares equal before and after a round trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct MessageFlags(u8);

impl MessageFlags {
    /// The sender is a primary with a manual failover in progress.
    pub const PAUSED: MessageFlags = MessageFlags(0x01);
    /// On a FAILOVER_AUTH_REQUEST: a manual failover, so voters may vote
    /// even though the primary is not FAIL.
    pub const FORCEACK: MessageFlags = MessageFlags(0x02);
    /// Wire bit meaning "ping extensions follow"; managed by the codec.
    pub const EXT_DATA: MessageFlags = MessageFlags(0x04);

    /// No flag set.
    pub const fn empty() -> MessageFlags {
        MessageFlags(0)
    }

    /// The flags with exactly these wire bits.
    pub const fn from_bits(bits: u8) -> MessageFlags {
        MessageFlags(bits)
    }

    /// The wire bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// True if every bit of `other` is set in `self`.
    pub const fn contains(self, other: MessageFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the bits of `other`.
    pub fn insert(&mut self, other: MessageFlags) {
        self.0 |= other.0;
    }

    /// Clears the bits of `other`.
    pub fn remove(&mut self, other: MessageFlags) {
        self.0 &= !other.0;
    }
}

impl BitOr for MessageFlags {
    type Output = MessageFlags;

    fn bitor(self, rhs: MessageFlags) -> MessageFlags {
        MessageFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for MessageFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MessageFlags({:#04x})", self.0)
    }
}

/// The sender's cluster state byte. 7.0 receivers ignore it, but senders
/// fill it, so it is part of the exact bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ClusterState {
    /// Byte 0: every slot is served.
    #[default]
    Ok,
    /// Byte 1: the sender considers the cluster down.
    Fail,
}

impl ClusterState {
    /// The wire byte.
    pub fn to_byte(self) -> u8 {
        match self {
            ClusterState::Ok => 0,
            ClusterState::Fail => 1,
        }
    }

    /// Reads the wire byte; only 0 means ok, as in Redis's own state codes.
    pub fn from_byte(byte: u8) -> ClusterState {
        if byte == 0 {
            ClusterState::Ok
        } else {
            ClusterState::Fail
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_names_known_bits_and_shows_the_rest_in_hex() {
        let flags = NodeFlags::PRIMARY | NodeFlags::MYSELF | NodeFlags::from_bits(0x8000);
        assert_eq!(format!("{flags:?}"), "PRIMARY|MYSELF|0x8000");
        assert_eq!(format!("{:?}", NodeFlags::empty()), "(none)");
    }

    #[test]
    fn observed_header_flag_values() {
        // 273 and 18 are the values captured from 7.0 primaries and replicas.
        assert_eq!(
            (NodeFlags::PRIMARY | NodeFlags::MYSELF | NodeFlags::MIGRATE_TO).bits(),
            273
        );
        assert_eq!((NodeFlags::REPLICA | NodeFlags::MYSELF).bits(), 18);
        let mut flags = NodeFlags::from_bits(273);
        flags.remove(NodeFlags::MIGRATE_TO);
        assert!(flags.contains(NodeFlags::PRIMARY | NodeFlags::MYSELF));
        assert!(!flags.intersects(NodeFlags::REPLICA | NodeFlags::FAIL));
    }
}
