//! Ping extensions: the typed records after the gossip entries of a PING,
//! PONG or MEET.
//!
//! ```text
//! offset  size        field
//!      0     4        length (u32 BE), header included, a multiple of 8
//!      4     2        type (u16 BE)
//!      6     2        unused, zero
//!      8     length-8 data, zero-padded
//! ```
//!
//! 7.0 defines only type 0, the announced hostname; 7.2 adds types 1-3 and
//! Valkey 8 types 4-5. A 7.0 node skips every type but 0 by its length, so
//! this file decodes 1-3 for the state machine's information but never
//! rejects a message because of their content: a record that does not have
//! the exact shape 7.2 writes is kept as [`PingExt::Unknown`], bytes intact.
//! Whether to act on any of them is not decided here.

use std::fmt;

use shoal_types::{NodeId, NODE_ID_LEN};

use super::error::WireError;
use super::field::{array, be_u16, be_u32, be_u64};

/// Size of an extension's own header.
pub const EXT_HEADER_LEN: usize = 8;

const TYPE_HOSTNAME: u16 = 0;
const TYPE_HUMAN_NODENAME: u16 = 1;
const TYPE_FORGOTTEN_NODE: u16 = 2;
const TYPE_SHARD_ID: u16 = 3;

/// Data size of a FORGOTTEN_NODE record: a node name and a u64 TTL.
const FORGOTTEN_NODE_DATA_LEN: usize = NODE_ID_LEN + 8;

/// A 7.2 shard id: 40 bytes, the same alphabet as node names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShardId(pub [u8; NODE_ID_LEN]);

impl fmt::Debug for ShardId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ShardId({})", String::from_utf8_lossy(&self.0))
    }
}

/// One ping extension.
///
/// Strings are held without their NUL. A string containing a NUL would be
/// cut there by every receiver, so don't build one. Keep each record under
/// 64 KiB: upstream 7.0 checks extension lengths through a 16-bit variable
/// and misreads longer ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PingExt {
    /// Type 0 (7.0): the sender's announced hostname. A PING/PONG/MEET
    /// from a known sender without this record clears the hostname the
    /// receiver stored, so senders repeat it in every such message.
    Hostname(Vec<u8>),
    /// Type 1 (7.2): the sender's human-readable node name.
    HumanNodename(Vec<u8>),
    /// Type 2 (7.2): a node the sender has forgotten (CLUSTER FORGET) and
    /// for how many more seconds it keeps it blacklisted.
    ForgottenNode {
        /// The forgotten node.
        node: NodeId,
        /// Remaining blacklist time in seconds.
        ttl_secs: u64,
    },
    /// Type 3 (7.2): the sender's shard id; 7.2 always sends it.
    ShardId(ShardId),
    /// Any other record, or a 7.2 record of an unexpected size, kept as it
    /// came: `data` is everything after the 8-byte record header, padding
    /// included. Build it with `data.len()` a multiple of 8; the encoder
    /// pads shorter data with zeros.
    Unknown {
        /// The record's type code.
        ext_type: u16,
        /// The record's data, padding included.
        data: Vec<u8>,
    },
}

impl PingExt {
    /// The type code on the wire.
    pub fn ext_type(&self) -> u16 {
        match self {
            PingExt::Hostname(_) => TYPE_HOSTNAME,
            PingExt::HumanNodename(_) => TYPE_HUMAN_NODENAME,
            PingExt::ForgottenNode { .. } => TYPE_FORGOTTEN_NODE,
            PingExt::ShardId(_) => TYPE_SHARD_ID,
            PingExt::Unknown { ext_type, .. } => *ext_type,
        }
    }

    /// Bytes this record takes on the wire, header and padding included.
    pub fn encoded_len(&self) -> usize {
        EXT_HEADER_LEN + pad8(self.data_len())
    }

    /// Data length before padding.
    fn data_len(&self) -> usize {
        match self {
            // The string and its terminator.
            PingExt::Hostname(s) | PingExt::HumanNodename(s) => s.len() + 1,
            PingExt::ForgottenNode { .. } => FORGOTTEN_NODE_DATA_LEN,
            PingExt::ShardId(_) => NODE_ID_LEN,
            PingExt::Unknown { data, .. } => data.len(),
        }
    }

    /// Appends the record. The caller has checked that the whole message,
    /// hence this record, fits the u32 length field.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        let len = self.encoded_len();
        let start = out.len();
        out.extend_from_slice(&(len as u32).to_be_bytes());
        out.extend_from_slice(&self.ext_type().to_be_bytes());
        out.extend_from_slice(&[0, 0]);
        match self {
            PingExt::Hostname(s) | PingExt::HumanNodename(s) => out.extend_from_slice(s),
            PingExt::ForgottenNode { node, ttl_secs } => {
                out.extend_from_slice(node.as_bytes());
                out.extend_from_slice(&ttl_secs.to_be_bytes());
            }
            PingExt::ShardId(id) => out.extend_from_slice(&id.0),
            PingExt::Unknown { data, .. } => out.extend_from_slice(data),
        }
        // The NUL of strings and all padding.
        out.resize(start + len, 0);
    }

    /// Interprets one record's data (padding included).
    fn decode(ext_type: u16, data: &[u8]) -> PingExt {
        match ext_type {
            TYPE_HOSTNAME => PingExt::Hostname(c_string(data).to_vec()),
            TYPE_HUMAN_NODENAME => PingExt::HumanNodename(c_string(data).to_vec()),
            TYPE_FORGOTTEN_NODE if data.len() == FORGOTTEN_NODE_DATA_LEN => {
                PingExt::ForgottenNode {
                    node: NodeId::from_raw(array(data, 0)),
                    ttl_secs: be_u64(data, NODE_ID_LEN),
                }
            }
            TYPE_SHARD_ID if data.len() == NODE_ID_LEN => PingExt::ShardId(ShardId(array(data, 0))),
            _ => PingExt::Unknown {
                ext_type,
                data: data.to_vec(),
            },
        }
    }
}

/// Rounds up to a multiple of 8, as every record is padded.
fn pad8(n: usize) -> usize {
    n.div_ceil(8) * 8
}

/// A NUL-terminated string: the bytes before the first NUL. A record with
/// no NUL at all is read to its end; 7.0 would read on past it, which we
/// cannot and should not mimic.
fn c_string(data: &[u8]) -> &[u8] {
    let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    &data[..end]
}

/// Walks `count` records at the start of `buf` (the bytes after the gossip
/// entries). Returns them and how many bytes they took; the caller checks
/// that nothing follows. `totlen` is only for error reports.
pub(crate) fn decode_all(
    buf: &[u8],
    count: u16,
    totlen: u32,
) -> Result<(Vec<PingExt>, usize), WireError> {
    let mut exts = Vec::new();
    let mut at = 0usize;
    for _ in 0..count {
        let remaining = buf.len() - at;
        if remaining < EXT_HEADER_LEN {
            // 7.0 would read the record header past the end; we stop here.
            return Err(WireError::ExtensionOverflow { totlen });
        }
        let length = be_u32(buf, at);
        // Zero passes 7.0's multiple-of-8 test but would loop on the same
        // record; Debian's build rejects it, and so do we, with anything
        // shorter than the record header.
        if length % 8 != 0 || (length as usize) < EXT_HEADER_LEN {
            return Err(WireError::BadExtensionLength { length });
        }
        if length as usize > remaining {
            return Err(WireError::ExtensionOverflow { totlen });
        }
        let ext_type = be_u16(buf, at + 4);
        let data = buf
            .get(at + EXT_HEADER_LEN..at + length as usize)
            .unwrap_or(&[]);
        exts.push(PingExt::decode(ext_type, data));
        at += length as usize;
    }
    Ok((exts, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(ext: &PingExt) -> Vec<u8> {
        let mut out = Vec::new();
        ext.encode(&mut out);
        out
    }

    #[test]
    fn hostname_length_follows_the_padding_rule() {
        // 8 + 8 * ceil((L + 1) / 8) for a hostname of L bytes.
        for (len, want) in [(1, 16), (7, 16), (8, 24), (15, 24), (16, 32), (255, 264)] {
            let ext = PingExt::Hostname(vec![b'h'; len]);
            assert_eq!(ext.encoded_len(), want, "hostname of {len} bytes");
            assert_eq!(encoded(&ext).len(), want);
        }
    }

    #[test]
    fn seven_two_records_have_their_fixed_sizes() {
        let forgotten = PingExt::ForgottenNode {
            node: NodeId::from_random([1; 20]),
            ttl_secs: 59,
        };
        assert_eq!(forgotten.encoded_len(), 56);
        assert_eq!(PingExt::ShardId(ShardId([b'a'; 40])).encoded_len(), 48);
    }

    #[test]
    fn records_of_unexpected_size_stay_unknown_with_their_bytes() {
        // A shard id record padded to 56 bytes: not what 7.2 writes.
        let mut bytes = vec![0, 0, 0, 56, 0, 3, 0, 0];
        bytes.extend_from_slice(&[b'a'; 48]);
        let (exts, used) = decode_all(&bytes, 1, 0).expect("valid record framing");
        assert_eq!(used, 56);
        assert_eq!(
            exts,
            vec![PingExt::Unknown {
                ext_type: 3,
                data: vec![b'a'; 48]
            }]
        );
        assert_eq!(encoded(&exts[0]), bytes);
    }

    #[test]
    fn hostname_without_terminator_is_read_to_the_record_end() {
        let mut bytes = vec![0, 0, 0, 16, 0, 0, 0, 0];
        bytes.extend_from_slice(b"abcdefgh");
        let (exts, _) = decode_all(&bytes, 1, 0).expect("valid record framing");
        assert_eq!(exts, vec![PingExt::Hostname(b"abcdefgh".to_vec())]);
    }

    #[test]
    fn header_only_record_is_accepted() {
        let bytes = [0, 0, 0, 8, 0, 77, 0, 0];
        let (exts, used) = decode_all(&bytes, 1, 0).expect("length 8 is legal");
        assert_eq!(used, 8);
        assert_eq!(
            exts,
            vec![PingExt::Unknown {
                ext_type: 77,
                data: vec![]
            }]
        );
    }
}
