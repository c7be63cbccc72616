//! Node identities: the 40-character names cluster nodes know each other by.

/// Length of a node id in bytes.
pub const NODE_ID_LEN: usize = 40;

/// A cluster node's name: 40 ASCII characters.
///
/// Generated ids use lowercase hex; ids accepted from peers may use any of
/// `a-z0-9` (Redis's own acceptance rule), so that is what this type holds.
#[derive(Clone, Copy)]
pub struct NodeId([u8; NODE_ID_LEN]);

// Comparisons as five big-endian words: the same results as comparing the
// bytes, without a call to memcmp. Ids are compared in every lookup of a
// node (hash-map probes, B-tree searches), many times per bus message.
impl NodeId {
    #[inline]
    fn words(&self) -> [u64; NODE_ID_LEN / 8] {
        let mut words = [0u64; NODE_ID_LEN / 8];
        for (w, chunk) in words.iter_mut().zip(self.0.chunks_exact(8)) {
            *w = u64::from_be_bytes(chunk.try_into().expect("chunks of eight"));
        }
        words
    }
}

impl PartialEq for NodeId {
    #[inline]
    fn eq(&self, other: &NodeId) -> bool {
        let (a, b) = (self.words(), other.words());
        a.iter().zip(&b).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for NodeId {}

impl PartialOrd for NodeId {
    #[inline]
    fn partial_cmp(&self, other: &NodeId) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for NodeId {
    #[inline]
    fn cmp(&self, other: &NodeId) -> std::cmp::Ordering {
        let (a, b) = (self.words(), other.words());
        for (x, y) in a.iter().zip(&b) {
            if x != y {
                return x.cmp(y);
            }
        }
        std::cmp::Ordering::Equal
    }
}

impl std::hash::Hash for NodeId {
    #[inline]
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // What the derive did: the bytes, as an array.
        self.0.hash(state);
    }
}

/// Why a byte string is not a node id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeIdError {
    /// Not exactly 40 bytes long.
    WrongLength(usize),
    /// A byte outside `a-z0-9`.
    BadCharacter(u8),
}

impl std::fmt::Display for NodeIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeIdError::WrongLength(n) => write!(f, "node id must be 40 characters, not {n}"),
            NodeIdError::BadCharacter(b) => write!(f, "node id has invalid character 0x{b:02x}"),
        }
    }
}

impl std::error::Error for NodeIdError {}

impl NodeId {
    /// The all-zero name a header carries when a node has no master.
    pub const NULL: NodeId = NodeId([0; NODE_ID_LEN]);

    /// Parses a node id, accepting what Redis accepts: 40 bytes of `a-z0-9`.
    pub fn parse(bytes: &[u8]) -> Result<NodeId, NodeIdError> {
        if bytes.len() != NODE_ID_LEN {
            return Err(NodeIdError::WrongLength(bytes.len()));
        }
        if let Some(&b) = bytes
            .iter()
            .find(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit()))
        {
            return Err(NodeIdError::BadCharacter(b));
        }
        let mut id = [0u8; NODE_ID_LEN];
        id.copy_from_slice(bytes);
        Ok(NodeId(id))
    }

    /// Wraps raw wire bytes without validation (a null name is all zeros).
    pub fn from_raw(raw: [u8; NODE_ID_LEN]) -> NodeId {
        NodeId(raw)
    }

    /// A fresh random id in lowercase hex, from 20 caller-supplied random bytes.
    pub fn from_random(random: [u8; NODE_ID_LEN / 2]) -> NodeId {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut id = [0u8; NODE_ID_LEN];
        for (i, byte) in random.iter().enumerate() {
            id[2 * i] = HEX[(byte >> 4) as usize];
            id[2 * i + 1] = HEX[(byte & 0xf) as usize];
        }
        NodeId(id)
    }

    /// True for the all-zero name.
    pub fn is_null(&self) -> bool {
        self.0 == [0; NODE_ID_LEN]
    }

    /// The raw 40 bytes.
    pub fn as_bytes(&self) -> &[u8; NODE_ID_LEN] {
        &self.0
    }

    /// The id as text (lossy only for a raw id that is not ASCII).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("<non-ascii node id>")
    }
}

impl std::fmt::Display for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for NodeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NodeId({})", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_redis_alphabet_and_rejects_uppercase() {
        let ok = "abcdefghijklmnopqrstuvwxyz0123456789abcd";
        assert!(NodeId::parse(ok.as_bytes()).is_ok());
        let upper = "Abcdefghijklmnopqrstuvwxyz0123456789abcd";
        assert_eq!(
            NodeId::parse(upper.as_bytes()),
            Err(NodeIdError::BadCharacter(b'A'))
        );
        assert_eq!(NodeId::parse(b"abc"), Err(NodeIdError::WrongLength(3)));
    }

    #[test]
    fn ids_compare_as_their_bytes() {
        let mut ids = Vec::new();
        for a in [0u8, 1, 0x7f, 0x80, 0xfe, 0xff] {
            for at in [0, 7, 8, 19] {
                let mut raw = [0x55u8; 20];
                raw[at] = a;
                ids.push(NodeId::from_random(raw));
            }
        }
        ids.push(NodeId::NULL);
        for x in &ids {
            for y in &ids {
                assert_eq!(x.cmp(y), x.as_bytes().cmp(y.as_bytes()), "{x} vs {y}");
                assert_eq!(x == y, x.as_bytes() == y.as_bytes());
            }
        }
    }

    #[test]
    fn random_ids_are_lowercase_hex() {
        let id = NodeId::from_random([0xab; 20]);
        assert_eq!(id.as_str(), "ab".repeat(20));
        assert!(NodeId::parse(id.as_bytes()).is_ok());
    }
}
