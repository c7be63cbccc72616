//! A dense vector of members with a hash index into it: the storage behind
//! large sets (`hashtable`) and the member map of large sorted sets.
//!
//! This is the per-slot key table's layout (see `crate::table`) applied to
//! collection members: entries sit contiguously in a `Vec`, a `HashTable` of
//! `u32` positions finds them, and a removal moves the last entry into the
//! hole. That gives what SRANDMEMBER, SPOP, ZRANDMEMBER and the SCAN family
//! need:
//!
//! - a uniformly random member in O(1);
//! - a scan cursor (SSCAN/ZSCAN) that never misses a member present for the
//!   whole scan: walking from the end towards 0, an entry only ever moves
//!   down, and only from the last position, which was already visited;
//! - 24 bytes per member plus the value and about 8 bytes of index, with no
//!   allocation for members of up to 22 bytes.
//!
//! Member order is insertion order perturbed by removals; it never depends
//! on hash values, so the randomly seeded hash changes nothing observable.

use crate::small_bytes::SmallBytes;
use foldhash::fast::SeedableRandomState;
use foldhash::SharedSeed;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Per-table part of the hash seed; the process-wide part is random, so
/// clients cannot precompute colliding members.
const TABLE_SEED: u64 = 0x5e75_a11d_0c0f_fee5;

/// Rounds an allocation size up to the allocator's size class (jemalloc's:
/// four classes per power of two above 64 bytes), so that growing to the
/// rounded size uses memory the allocator would hand out anyway.
pub(crate) fn size_class(bytes: usize) -> usize {
    if bytes <= 64 {
        return bytes.next_multiple_of(16).max(8);
    }
    let group = 1usize << (bytes - 1).ilog2();
    bytes.next_multiple_of((group / 4).max(16))
}

/// Hashes a member.
#[inline]
pub(crate) fn hash_member(member: &[u8]) -> u64 {
    SeedableRandomState::with_seed(TABLE_SEED, SharedSeed::global_random()).hash_one(member)
}

/// Members with a value each, in a dense vector indexed by hash.
#[derive(Clone, Default)]
pub(crate) struct DenseMap<V> {
    entries: Vec<(SmallBytes, V)>,
    index: HashTable<u32>,
}

impl<V> DenseMap<V> {
    /// An empty map with room for `n` members.
    pub(crate) fn with_capacity(n: usize) -> Self {
        DenseMap {
            entries: Vec::with_capacity(n),
            index: HashTable::with_capacity(n),
        }
    }

    /// Number of members.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Position of `member`, whose hash is `hash`.
    #[inline]
    pub(crate) fn find_hashed(&self, hash: u64, member: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash, |&i| entries[i as usize].0.as_bytes() == member)
            .map(|&i| i as usize)
    }

    /// Position of `member`.
    #[inline]
    pub(crate) fn find(&self, member: &[u8]) -> Option<usize> {
        self.find_hashed(hash_member(member), member)
    }

    /// The member at `pos`.
    #[inline]
    pub(crate) fn member(&self, pos: usize) -> &[u8] {
        self.entries[pos].0.as_bytes()
    }

    /// The value at `pos`.
    #[inline]
    pub(crate) fn value(&self, pos: usize) -> &V {
        &self.entries[pos].1
    }

    /// The value at `pos`, for update.
    #[inline]
    pub(crate) fn value_mut(&mut self, pos: usize) -> &mut V {
        &mut self.entries[pos].1
    }

    /// Appends a member known to be absent, whose hash is `hash`; returns
    /// its position.
    pub(crate) fn push_hashed(&mut self, hash: u64, member: SmallBytes, value: V) -> usize {
        let pos = self.entries.len();
        assert!(
            pos < u32::MAX as usize,
            "a collection holds fewer than 2^32 members"
        );
        if self.entries.len() == self.entries.capacity() {
            // Grow by a quarter rather than doubling: members are most of
            // the memory of a big collection, and copying is cheap next to
            // it (as the key table grows too).
            let want = self.entries.capacity() + (self.entries.capacity() / 4).max(4);
            let size = std::mem::size_of::<(SmallBytes, V)>();
            let fits = size_class(want * size) / size;
            self.entries.reserve_exact(fits - self.entries.len());
        }
        self.entries.push((member, value));
        let entries = &self.entries;
        self.index.insert_unique(hash, pos as u32, |&i| {
            hash_member(entries[i as usize].0.as_bytes())
        });
        pos
    }

    /// Appends a member known to be absent; returns its position.
    pub(crate) fn push(&mut self, member: SmallBytes, value: V) -> usize {
        let hash = hash_member(member.as_bytes());
        self.push_hashed(hash, member, value)
    }

    /// Removes the entry at `pos`; the last entry moves into its place.
    pub(crate) fn swap_remove(&mut self, pos: usize) -> (SmallBytes, V) {
        let last = self.entries.len() - 1;
        let hash = hash_member(self.entries[pos].0.as_bytes());
        match self.index.find_entry(hash, |&i| i as usize == pos) {
            Ok(found) => {
                found.remove();
            }
            Err(_) => unreachable!("every entry has an index slot"),
        }
        if pos != last {
            let moved = hash_member(self.entries[last].0.as_bytes());
            let slot = self
                .index
                .find_mut(moved, |&i| i as usize == last)
                .expect("every entry has an index slot");
            *slot = pos as u32;
        }
        let removed = self.entries.swap_remove(pos);
        self.maybe_shrink();
        removed
    }

    fn maybe_shrink(&mut self) {
        let cap = self.entries.capacity();
        if cap > 64 && self.entries.len() < cap / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
            let entries = &self.entries;
            self.index.shrink_to(entries.len(), |&i| {
                hash_member(entries[i as usize].0.as_bytes())
            });
        }
    }

    /// The entries in storage order.
    #[inline]
    pub(crate) fn entries(&self) -> &[(SmallBytes, V)] {
        &self.entries
    }

    /// Visits entries for a SCAN call starting at `cursor` (0: a new scan),
    /// about `count` of them, and returns the cursor to continue from (0
    /// when done). The cursor counts the entries still to visit, walking
    /// from the end of the vector towards its start.
    pub(crate) fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], &V)) -> u64 {
        let len = self.entries.len();
        let mut i = if cursor == 0 {
            len
        } else {
            usize::try_from(cursor).unwrap_or(usize::MAX).min(len)
        };
        let mut visited = 0;
        while i > 0 && visited < count.max(1) {
            i -= 1;
            let (m, v) = &self.entries[i];
            visit(m.as_bytes(), v);
            visited += 1;
        }
        i as u64
    }

    /// Heap bytes owned (entries, index, long members).
    pub(crate) fn heap_size(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<(SmallBytes, V)>()
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
            + self
                .entries
                .iter()
                .map(|(m, _)| m.heap_size())
                .sum::<usize>()
    }
}

impl<V> std::fmt::Debug for DenseMap<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseMap")
            .field("len", &self.entries.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn members(n: usize) -> Vec<Vec<u8>> {
        (0..n).map(|i| format!("member:{i}").into_bytes()).collect()
    }

    #[test]
    fn size_classes_match_jemalloc() {
        let cases = [
            (1, 16),
            (17, 32),
            (65, 80),
            (100, 112),
            (129, 160),
            (760, 768),
            (1025, 1280),
            (26472, 28672),
        ];
        for (n, class) in cases {
            assert_eq!(size_class(n), class, "{n}");
        }
    }

    #[test]
    fn find_push_remove_keep_index_consistent() {
        let mut m: DenseMap<u64> = DenseMap::default();
        let all = members(500);
        for (i, k) in all.iter().enumerate() {
            assert_eq!(m.push(SmallBytes::new(k), i as u64), i);
        }
        for (i, k) in all.iter().enumerate() {
            if i % 3 == 0 {
                let pos = m.find(k).unwrap();
                let (gone, v) = m.swap_remove(pos);
                assert_eq!(gone.as_bytes(), &k[..]);
                assert_eq!(v, i as u64);
            }
        }
        for (i, k) in all.iter().enumerate() {
            match m.find(k) {
                Some(pos) => {
                    assert!(i % 3 != 0);
                    assert_eq!(m.member(pos), &k[..]);
                    assert_eq!(*m.value(pos), i as u64);
                }
                None => assert_eq!(i % 3, 0),
            }
        }
    }

    #[test]
    fn scan_never_misses_members_present_throughout() {
        let mut m: DenseMap<()> = DenseMap::default();
        let all = members(2000);
        for k in &all {
            m.push(SmallBytes::new(k), ());
        }
        let doomed: Vec<&Vec<u8>> = all.iter().filter(|k| k.ends_with(b"7")).collect();
        let stable: BTreeSet<Vec<u8>> =
            all.iter().filter(|k| !k.ends_with(b"7")).cloned().collect();
        let mut seen = BTreeSet::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = m.scan(cursor, 13, |k, _| {
                seen.insert(k.to_vec());
            });
            for k in doomed.iter().skip(round * 5).take(5) {
                if let Some(p) = m.find(k) {
                    m.swap_remove(p);
                }
            }
            // New members may or may not be seen; they must not disturb.
            m.push(SmallBytes::new(format!("new:{round}").as_bytes()), ());
            round += 1;
            if cursor == 0 {
                break;
            }
        }
        assert!(stable.is_subset(&seen));
    }
}
