//! The 2256-byte header every bus message starts with.
//!
//! [`Header`] holds what the sender says about itself. The fields that
//! describe the message rather than the sender (total length, type, gossip
//! count, extension count, the extension-data bit) are not stored: the
//! encoder derives them from the body, and the decoder checks them against
//! the body. Reserved bytes and `mflags[1..3]` are written as zeros and
//! ignored on read, as every Redis version does.

use shoal_types::{Epoch, NodeId, NODE_ID_LEN};

use super::field::{array, be_u16, be_u64};
use super::flags::{ClusterState, MessageFlags, NodeFlags};
use super::ip::{IpString, IP_FIELD_LEN};
use super::slots::{SlotBitmap, SLOT_BITMAP_LEN};

/// The four bytes every message starts with.
pub const SIGNATURE: [u8; 4] = *b"RCmb";

/// The only protocol version any Redis release has sent (7.0 through
/// Valkey 8); messages with another version are ignored.
pub const PROTOCOL_VERSION: u16 = 1;

/// Length of the header, which is also the shortest valid message.
pub const HEADER_LEN: usize = 2256;

// Offsets of the fields (spec section 2.2). Redis pins the same numbers with
// static asserts in every version.
const OFF_TOTLEN: usize = 4;
const OFF_VERSION: usize = 8;
const OFF_PORT: usize = 10;
const OFF_TYPE: usize = 12;
const OFF_COUNT: usize = 14;
const OFF_CURRENT_EPOCH: usize = 16;
const OFF_CONFIG_EPOCH: usize = 24;
const OFF_OFFSET: usize = 32;
const OFF_SENDER: usize = 40;
const OFF_SLOTS: usize = 80;
const OFF_PRIMARY: usize = 2128;
const OFF_MYIP: usize = 2168;
const OFF_EXTENSIONS: usize = 2214;
const RESERVED_LEN: usize = 30;
const OFF_PPORT: usize = 2246;
const OFF_CPORT: usize = 2248;
const OFF_FLAGS: usize = 2250;
const OFF_STATE: usize = 2252;
const OFF_MFLAGS: usize = 2253;

/// What the sender says about itself, repeated on every message type so
/// that any message from a known sender refreshes the receiver's view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Sender's name.
    pub sender: NodeId,
    /// Sender's `currentEpoch`.
    pub current_epoch: Epoch,
    /// The sender's `configEpoch` if it is a primary, its primary's if it
    /// is a replica. On FAILOVER_AUTH_REQUEST: the failing primary's.
    pub config_epoch: Epoch,
    /// Replication offset: a primary's own, a replica's processed offset.
    pub repl_offset: u64,
    /// Announced IP (`cluster-announce-ip`); empty tells the receiver to
    /// use the TCP peer address.
    pub myip: IpString,
    /// Announced client port (the TLS port in TLS cluster mode).
    pub port: u16,
    /// Announced cluster bus port.
    pub cport: u16,
    /// Plaintext client port in TLS cluster mode, else 0.
    pub pport: u16,
    /// The sender's own flags, MYSELF included.
    pub flags: NodeFlags,
    /// Sender's view of the cluster state (ignored by 7.0 receivers).
    pub state: ClusterState,
    /// First byte of `mflags`, without the extension-data bit.
    pub mflags: MessageFlags,
    /// Slots of the sender if it is a primary, of its primary if it is a
    /// replica (empty when a replica does not know its primary).
    pub slots: SlotBitmap,
    /// The wire's `slaveof`: the sender's primary, `None` (40 zero bytes)
    /// when the sender is a primary or has no known primary. Receivers take
    /// the sender's role from this field, not from `flags`.
    pub replica_of: Option<NodeId>,
}

impl Header {
    /// A header with every field zero or empty except the sender's name:
    /// a starting point for tests and builders.
    pub fn new(sender: NodeId) -> Header {
        Header {
            sender,
            current_epoch: Epoch(0),
            config_epoch: Epoch(0),
            repl_offset: 0,
            myip: IpString::EMPTY,
            port: 0,
            cport: 0,
            pport: 0,
            flags: NodeFlags::empty(),
            state: ClusterState::Ok,
            mflags: MessageFlags::empty(),
            slots: SlotBitmap::new(),
            replica_of: None,
        }
    }
}

/// The per-message fields of the header, as read off the wire before the
/// body is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Framing {
    pub(crate) totlen: u32,
    pub(crate) version: u16,
    pub(crate) type_code: u16,
    pub(crate) count: u16,
    pub(crate) extensions: u16,
    pub(crate) ext_data: bool,
}

impl Framing {
    /// Reads the per-message fields. `packet` must hold at least the header;
    /// shorter input reads as zeros (see `field`).
    pub(crate) fn read(packet: &[u8]) -> Framing {
        Framing {
            totlen: super::field::be_u32(packet, OFF_TOTLEN),
            version: be_u16(packet, OFF_VERSION),
            type_code: be_u16(packet, OFF_TYPE),
            count: be_u16(packet, OFF_COUNT),
            extensions: be_u16(packet, OFF_EXTENSIONS),
            ext_data: array::<1>(packet, OFF_MFLAGS)[0] & MessageFlags::EXT_DATA.bits() != 0,
        }
    }
}

impl Header {
    /// Reads the sender's fields from the first [`HEADER_LEN`] bytes.
    pub(crate) fn decode(packet: &[u8; HEADER_LEN]) -> Header {
        let primary = NodeId::from_raw(array::<NODE_ID_LEN>(packet, OFF_PRIMARY));
        let mut mflags = MessageFlags::from_bits(array::<1>(packet, OFF_MFLAGS)[0]);
        mflags.remove(MessageFlags::EXT_DATA);
        Header {
            sender: NodeId::from_raw(array(packet, OFF_SENDER)),
            current_epoch: Epoch(be_u64(packet, OFF_CURRENT_EPOCH)),
            config_epoch: Epoch(be_u64(packet, OFF_CONFIG_EPOCH)),
            repl_offset: be_u64(packet, OFF_OFFSET),
            myip: IpString::decode(&array::<IP_FIELD_LEN>(packet, OFF_MYIP)),
            port: be_u16(packet, OFF_PORT),
            cport: be_u16(packet, OFF_CPORT),
            pport: be_u16(packet, OFF_PPORT),
            flags: NodeFlags::from_bits(be_u16(packet, OFF_FLAGS)),
            state: ClusterState::from_byte(array::<1>(packet, OFF_STATE)[0]),
            mflags,
            slots: SlotBitmap::from_bytes(array::<SLOT_BITMAP_LEN>(packet, OFF_SLOTS)),
            // An all-zero name is how the wire says "no primary".
            replica_of: (!primary.is_null()).then_some(primary),
        }
    }

    /// Appends the 2256 header bytes; `framing.version` is ignored (always
    /// [`PROTOCOL_VERSION`]).
    pub(crate) fn encode(&self, framing: &Framing, out: &mut Vec<u8>) {
        let start = out.len();
        out.extend_from_slice(&SIGNATURE);
        out.extend_from_slice(&framing.totlen.to_be_bytes());
        out.extend_from_slice(&PROTOCOL_VERSION.to_be_bytes());
        out.extend_from_slice(&self.port.to_be_bytes());
        out.extend_from_slice(&framing.type_code.to_be_bytes());
        out.extend_from_slice(&framing.count.to_be_bytes());
        out.extend_from_slice(&self.current_epoch.0.to_be_bytes());
        out.extend_from_slice(&self.config_epoch.0.to_be_bytes());
        out.extend_from_slice(&self.repl_offset.to_be_bytes());
        out.extend_from_slice(self.sender.as_bytes());
        out.extend_from_slice(self.slots.as_bytes());
        out.extend_from_slice(self.replica_of.unwrap_or(NodeId::NULL).as_bytes());
        self.myip.encode(out);
        out.extend_from_slice(&framing.extensions.to_be_bytes());
        out.extend_from_slice(&[0; RESERVED_LEN]);
        out.extend_from_slice(&self.pport.to_be_bytes());
        out.extend_from_slice(&self.cport.to_be_bytes());
        out.extend_from_slice(&self.flags.bits().to_be_bytes());
        out.push(self.state.to_byte());
        let mut mflags = self.mflags;
        mflags.remove(MessageFlags::EXT_DATA);
        if framing.ext_data {
            mflags.insert(MessageFlags::EXT_DATA);
        }
        out.extend_from_slice(&[mflags.bits(), 0, 0]);
        debug_assert_eq!(out.len() - start, HEADER_LEN, "header layout drifted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_add_up_to_the_header_length() {
        assert_eq!(OFF_SENDER + NODE_ID_LEN, OFF_SLOTS);
        assert_eq!(OFF_SLOTS + SLOT_BITMAP_LEN, OFF_PRIMARY);
        assert_eq!(OFF_PRIMARY + NODE_ID_LEN, OFF_MYIP);
        assert_eq!(OFF_MYIP + IP_FIELD_LEN, OFF_EXTENSIONS);
        assert_eq!(OFF_EXTENSIONS + 2 + RESERVED_LEN, OFF_PPORT);
        assert_eq!(OFF_MFLAGS + 3, HEADER_LEN);
    }

    #[test]
    fn encode_then_decode_keeps_every_sender_field() {
        let mut header = Header::new(NodeId::from_random([7; 20]));
        header.current_epoch = Epoch(u64::MAX);
        header.config_epoch = Epoch(3);
        header.repl_offset = 0x0102_0304_0506_0708;
        header.myip = IpString::try_from("::1").expect("short text");
        header.port = 7000;
        header.cport = 17000;
        header.pport = 6379;
        header.flags = NodeFlags::REPLICA | NodeFlags::MYSELF;
        header.state = ClusterState::Fail;
        header.mflags = MessageFlags::PAUSED | MessageFlags::FORCEACK;
        header.replica_of = Some(NodeId::from_random([9; 20]));
        let framing = Framing {
            totlen: HEADER_LEN as u32,
            version: PROTOCOL_VERSION,
            type_code: 5,
            count: 0,
            extensions: 0,
            ext_data: false,
        };
        let mut out = Vec::new();
        header.encode(&framing, &mut out);
        let fixed: &[u8; HEADER_LEN] = out.as_slice().try_into().expect("encoder wrote 2256 bytes");
        assert_eq!(Header::decode(fixed), header);
        assert_eq!(Framing::read(&out), framing);
    }
}
