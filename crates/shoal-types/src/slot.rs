//! Hash slots: the 16384 buckets keys are sharded into.
//!
//! The slot of a key is CRC-16/XMODEM of its hashed part, masked to 14
//! bits. The hashed part is the whole key, unless the key holds a
//! non-empty `{tag}`: then only the bytes between the first `{` and the
//! first `}` after it (Redis Cluster's hash-tag rule).

use crc::{Crc, CRC_16_XMODEM};

/// Number of hash slots in a cluster.
pub const SLOT_COUNT: usize = 16384;

const XMODEM: Crc<u16> = Crc::<u16>::new(&CRC_16_XMODEM);

/// A hash slot number, always below [`SLOT_COUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Slot(u16);

impl Slot {
    /// The slot `n`, or `None` when `n` is not below [`SLOT_COUNT`].
    pub fn new(n: u16) -> Option<Slot> {
        ((n as usize) < SLOT_COUNT).then_some(Slot(n))
    }

    /// The slot of `key`.
    pub fn of_key(key: &[u8]) -> Slot {
        Slot(key_hash_slot(key))
    }

    /// The slot number as an index into per-slot tables.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The slot number.
    pub fn get(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The hash slot (0..16384) that `key` belongs to.
pub fn key_hash_slot(key: &[u8]) -> u16 {
    XMODEM.checksum(hashed_part(key)) & (SLOT_COUNT as u16 - 1)
}

/// The bytes of `key` that decide its slot (see the module docs).
fn hashed_part(key: &[u8]) -> &[u8] {
    let Some(open) = memchr_byte(b'{', key) else {
        return key;
    };
    let after = &key[open + 1..];
    match memchr_byte(b'}', after) {
        Some(close) if close > 0 => &after[..close],
        _ => key,
    }
}

fn memchr_byte(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn crc_check_value_is_xmodem() {
        assert_eq!(XMODEM.checksum(b"123456789"), 0x31C3);
    }

    /// The spec's table, every row confirmed with CLUSTER KEYSLOT on redis-server 7.0.
    #[test]
    fn slots_match_redis_for_spec_examples() {
        let cases: &[(&[u8], u16)] = &[
            (b"fullstack", 15274),
            (b"123456789", 12739),
            (b"foo", 12182),
            (b"bar", 5061),
            (b"hello", 866),
            (b"", 0),
            (b"{user1000}.following", 3443),
            (b"{user1000}.followers", 3443),
            (b"foo{bar}{zap}", 5061),
            (b"foo{}{bar}", 8363),
            (b"foo{{bar}}zap", 4015),
            (b"{{}}", 4092),
            (b"{}", 15257),
            (b"{}bar", 6479),
            (b"{", 4092),
            (b"}", 12090),
            (b"a{b", 13340),
            (b"a}b{c}", 7365),
            (b"x}{y}", 12222),
            (b"{user}{other}", 5474),
            (b"{a}", 15495),
            (b"a{b}c", 3300),
            (b"key:{x}:y", 16287),
        ];
        for (key, slot) in cases {
            assert_eq!(
                key_hash_slot(key),
                *slot,
                "key {:?}",
                String::from_utf8_lossy(key)
            );
        }
    }

    proptest! {
        #[test]
        fn slot_is_always_in_range(key in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert!((key_hash_slot(&key) as usize) < SLOT_COUNT);
        }

        #[test]
        fn keys_sharing_a_tag_share_a_slot(tag in "[a-z0-9]{1,8}", a in "[a-z]{0,5}", b in "[a-z]{0,5}") {
            let k1 = format!("{a}{{{tag}}}x");
            let k2 = format!("{{{tag}}}{b}");
            prop_assert_eq!(key_hash_slot(k1.as_bytes()), key_hash_slot(k2.as_bytes()));
        }
    }
}
