//! One 104-byte gossip entry of a PING, PONG or MEET: the sender's view of
//! another node.
//!
//! Choosing which nodes to gossip about, and what to do with an entry, is
//! the state machine's job; this file only lays the entry out.
//!
//! ```text
//! offset  size  field
//!      0    40  node name
//!     40     4  ping_sent      (u32 BE, seconds)
//!     44     4  pong_received  (u32 BE, seconds)
//!     48    46  IP, NUL-terminated
//!     94     2  port   96 2 cport   98 2 flags   100 2 pport   102 2 reserved
//! ```

use shoal_types::NodeId;

use super::field::{array, be_u16, be_u32};
use super::flags::NodeFlags;
use super::ip::IpString;

/// Size of one gossip entry on the wire.
pub const GOSSIP_ENTRY_LEN: usize = 104;

/// What the sender knows about one other node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GossipEntry {
    /// The node described.
    pub node: NodeId,
    /// When the sender's outstanding PING to that node was sent, in
    /// **seconds** (the sender's milliseconds / 1000); 0 if none.
    pub ping_sent_secs: u32,
    /// When the sender last got a PONG from that node, in **seconds**.
    pub pong_received_secs: u32,
    /// The node's IP as the sender knows it.
    pub ip: IpString,
    /// Client port.
    pub port: u16,
    /// Cluster bus port.
    pub cport: u16,
    /// The sender's flags for that node (never MYSELF, HANDSHAKE or NOADDR
    /// from a 7.0 sender, since such nodes are not gossiped).
    pub flags: NodeFlags,
    /// Plaintext client port in TLS clusters, else 0.
    pub pport: u16,
}

impl GossipEntry {
    /// Reads one entry; the trailing reserved bytes are ignored.
    pub(crate) fn decode(entry: &[u8; GOSSIP_ENTRY_LEN]) -> GossipEntry {
        GossipEntry {
            node: NodeId::from_raw(array(entry, 0)),
            ping_sent_secs: be_u32(entry, 40),
            pong_received_secs: be_u32(entry, 44),
            ip: IpString::decode(&array(entry, 48)),
            port: be_u16(entry, 94),
            cport: be_u16(entry, 96),
            flags: NodeFlags::from_bits(be_u16(entry, 98)),
            pport: be_u16(entry, 100),
        }
    }

    /// Appends the 104-byte entry.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.node.as_bytes());
        out.extend_from_slice(&self.ping_sent_secs.to_be_bytes());
        out.extend_from_slice(&self.pong_received_secs.to_be_bytes());
        self.ip.encode(out);
        out.extend_from_slice(&self.port.to_be_bytes());
        out.extend_from_slice(&self.cport.to_be_bytes());
        out.extend_from_slice(&self.flags.bits().to_be_bytes());
        out.extend_from_slice(&self.pport.to_be_bytes());
        out.extend_from_slice(&[0, 0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The entry captured from a 7.0.15 PING (spec 2.15). The spec did not
    /// record the node's name, so a made-up one stands in for it.
    #[test]
    fn captured_entry_decodes_and_reencodes_exactly() {
        let name = b"0123456789abcdef0123456789abcdef01234567";
        let mut bytes = Vec::new();
        bytes.extend_from_slice(name);
        bytes.extend_from_slice(&[0x6b, 0x06, 0x9c, 0xcc, 0, 0, 0, 0]);
        bytes.extend_from_slice(b"127.0.0.1");
        bytes.extend_from_slice(&[0; 37]);
        bytes.extend_from_slice(&[0x1b, 0xc0, 0x42, 0xd0, 0x00, 0x01, 0, 0, 0, 0]);
        let fixed: &[u8; GOSSIP_ENTRY_LEN] = bytes.as_slice().try_into().expect("104 bytes");

        let entry = GossipEntry::decode(fixed);
        assert_eq!(entry.node.as_bytes(), name);
        assert_eq!(entry.ping_sent_secs, 1_795_595_468);
        assert_eq!(entry.pong_received_secs, 0);
        assert_eq!(entry.ip.as_str(), Some("127.0.0.1"));
        assert_eq!((entry.port, entry.cport, entry.pport), (7104, 17104, 0));
        assert_eq!(entry.flags, NodeFlags::PRIMARY);

        let mut out = Vec::new();
        entry.encode(&mut out);
        assert_eq!(out, bytes);
    }
}
