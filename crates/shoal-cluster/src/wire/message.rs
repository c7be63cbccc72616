//! The typed bus message: a [`Header`] and a [`Body`] per message type.
//!
//! These are plain values for the state machine to build and match on; the
//! byte layout of each body is in `codec.rs`.

use shoal_types::{Epoch, NodeId};

use super::extensions::PingExt;
use super::gossip::GossipEntry;
use super::header::Header;
use super::slots::SlotBitmap;

/// One cluster-bus message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusMessage {
    /// What the sender says about itself.
    pub header: Header,
    /// The type-specific part.
    pub body: Body,
}

/// The type-specific part of a message. The variant decides the type code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Type 0, sent periodically on outbound links; answered with a PONG.
    Ping {
        /// Entries about other nodes.
        gossip: Vec<GossipEntry>,
        /// Ping extensions (hostname, ...).
        extensions: Vec<PingExt>,
    },
    /// Type 1, the reply to PING and MEET; also broadcast after a config
    /// change.
    Pong {
        /// Entries about other nodes.
        gossip: Vec<GossipEntry>,
        /// Ping extensions (hostname, ...).
        extensions: Vec<PingExt>,
    },
    /// Type 2, the first message to a node added with CLUSTER MEET.
    Meet {
        /// Entries about other nodes.
        gossip: Vec<GossipEntry>,
        /// Ping extensions (hostname, ...).
        extensions: Vec<PingExt>,
    },
    /// Type 3: `node` is agreed to be down.
    Fail {
        /// The failed node.
        node: NodeId,
    },
    /// Type 4: a PUBLISH to forward to local subscribers.
    Publish {
        /// Channel name.
        channel: Vec<u8>,
        /// Message payload.
        message: Vec<u8>,
    },
    /// Type 5: a replica asks for a vote. The election epoch is the
    /// header's `current_epoch`; the failing primary's epoch and slots are
    /// the header's `config_epoch` and `slots`; `mflags` FORCEACK marks a
    /// manual failover.
    FailoverAuthRequest,
    /// Type 6: a primary grants its vote; the header's `current_epoch` is
    /// the epoch voted in.
    FailoverAuthAck,
    /// Type 7: the receiver advertises stale slots; here is the newer
    /// owner's config.
    Update {
        /// The owner's configEpoch.
        config_epoch: Epoch,
        /// The owner.
        node: NodeId,
        /// The owner's slots.
        slots: SlotBitmap,
    },
    /// Type 8: a replica asks its primary to start a manual failover.
    MfStart,
    /// Type 9: a module message.
    Module {
        /// The module id, as the sender's (little-endian) host wrote it.
        module_id: u64,
        /// The message type the module chose.
        module_type: u8,
        /// The payload.
        payload: Vec<u8>,
    },
    /// Type 10: an SPUBLISH to forward to local shard-channel subscribers.
    PublishShard {
        /// Channel name.
        channel: Vec<u8>,
        /// Message payload.
        message: Vec<u8>,
    },
    /// A type code 7.0 does not know (11 and above). Redis accepts it
    /// whatever its length, applies the header's epoch bookkeeping, then
    /// ignores it; the body is kept only so that the message re-encodes.
    /// Its header's `count` and `extensions` fields are written as zero.
    Unknown {
        /// The type code: from 11 to 0x7fff, since lower codes are known
        /// types and codes with bit 0x8000 are Valkey light headers.
        type_code: u16,
        /// Everything after the header.
        data: Vec<u8>,
    },
}

/// The message types 7.0 knows, with their wire codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum MessageType {
    /// 0
    Ping = 0,
    /// 1
    Pong = 1,
    /// 2
    Meet = 2,
    /// 3
    Fail = 3,
    /// 4
    Publish = 4,
    /// 5
    FailoverAuthRequest = 5,
    /// 6
    FailoverAuthAck = 6,
    /// 7
    Update = 7,
    /// 8
    MfStart = 8,
    /// 9
    Module = 9,
    /// 10
    PublishShard = 10,
}

impl MessageType {
    /// Every known type, in code order.
    pub const ALL: [MessageType; 11] = [
        MessageType::Ping,
        MessageType::Pong,
        MessageType::Meet,
        MessageType::Fail,
        MessageType::Publish,
        MessageType::FailoverAuthRequest,
        MessageType::FailoverAuthAck,
        MessageType::Update,
        MessageType::MfStart,
        MessageType::Module,
        MessageType::PublishShard,
    ];

    /// The wire code.
    pub fn code(self) -> u16 {
        self as u16
    }

    /// The type with this wire code, if 7.0 knows it.
    pub fn from_code(code: u16) -> Option<MessageType> {
        MessageType::ALL.get(code as usize).copied()
    }

    /// The name CLUSTER INFO uses for this type's counters
    /// (`cluster_stats_messages_<name>_sent`).
    pub fn stats_name(self) -> &'static str {
        match self {
            MessageType::Ping => "ping",
            MessageType::Pong => "pong",
            MessageType::Meet => "meet",
            MessageType::Fail => "fail",
            MessageType::Publish => "publish",
            MessageType::FailoverAuthRequest => "auth-req",
            MessageType::FailoverAuthAck => "auth-ack",
            MessageType::Update => "update",
            MessageType::MfStart => "mfstart",
            MessageType::Module => "module",
            MessageType::PublishShard => "publishshard",
        }
    }
}

impl Body {
    /// The wire type code.
    pub fn type_code(&self) -> u16 {
        match self.known_type() {
            Ok(t) => t.code(),
            Err(code) => code,
        }
    }

    /// The known type, or `None` for [`Body::Unknown`].
    pub fn message_type(&self) -> Option<MessageType> {
        self.known_type().ok()
    }

    /// The known type, or the raw code of an unknown one.
    fn known_type(&self) -> Result<MessageType, u16> {
        Ok(match self {
            Body::Ping { .. } => MessageType::Ping,
            Body::Pong { .. } => MessageType::Pong,
            Body::Meet { .. } => MessageType::Meet,
            Body::Fail { .. } => MessageType::Fail,
            Body::Publish { .. } => MessageType::Publish,
            Body::FailoverAuthRequest => MessageType::FailoverAuthRequest,
            Body::FailoverAuthAck => MessageType::FailoverAuthAck,
            Body::Update { .. } => MessageType::Update,
            Body::MfStart => MessageType::MfStart,
            Body::Module { .. } => MessageType::Module,
            Body::PublishShard { .. } => MessageType::PublishShard,
            Body::Unknown { type_code, .. } => return Err(*type_code),
        })
    }

    /// The gossip entries and extensions of a PING, PONG or MEET.
    pub fn gossip_and_extensions(&self) -> Option<(&[GossipEntry], &[PingExt])> {
        match self {
            Body::Ping { gossip, extensions }
            | Body::Pong { gossip, extensions }
            | Body::Meet { gossip, extensions } => Some((gossip, extensions)),
            _ => None,
        }
    }

    /// The hostname extension of a PING, PONG or MEET, if present. When
    /// several are present the last one wins, as in 7.0.
    pub fn hostname(&self) -> Option<&[u8]> {
        let (_, extensions) = self.gossip_and_extensions()?;
        extensions.iter().rev().find_map(|ext| match ext {
            PingExt::Hostname(name) => Some(name.as_slice()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_codes_round_trip() {
        for t in MessageType::ALL {
            assert_eq!(MessageType::from_code(t.code()), Some(t));
        }
        assert_eq!(MessageType::from_code(11), None);
        assert_eq!(
            Body::Unknown {
                type_code: 99,
                data: vec![]
            }
            .type_code(),
            99
        );
        assert_eq!(Body::MfStart.type_code(), 8);
    }

    #[test]
    fn last_hostname_extension_wins() {
        let body = Body::Pong {
            gossip: vec![],
            extensions: vec![
                PingExt::Hostname(b"a".to_vec()),
                PingExt::Unknown {
                    ext_type: 9,
                    data: vec![0; 8],
                },
                PingExt::Hostname(b"b".to_vec()),
            ],
        };
        assert_eq!(body.hostname(), Some(&b"b"[..]));
        assert_eq!(Body::FailoverAuthAck.hostname(), None);
    }
}
