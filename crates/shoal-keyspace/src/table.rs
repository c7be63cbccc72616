//! One slot's keys: a dense vector of entries plus a hash index into it.
//!
//! Entries live contiguously in a `Vec`; the index maps a key's hash to the
//! entry's position. Deleting swaps the last entry into the hole. This
//! layout gives three things a plain hash map does not:
//!
//! - a uniformly random entry in O(1) (RANDOMKEY, eviction sampling);
//! - a SCAN cursor that never misses a key present for the whole scan:
//!   scanning from the end towards 0, an entry only ever moves down, into a
//!   hole, when the last entry fills it, and the last entry was already
//!   visited (a key may be reported twice, which SCAN allows);
//! - no per-key allocation for short keys and values.

use crate::small_bytes::SmallBytes;
use crate::value::Value;
use foldhash::fast::FixedState;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Expiry time meaning "never".
pub const NO_EXPIRY: u64 = 0;

/// A key with its value and metadata.
#[derive(Debug, Clone)]
pub struct Entry {
    pub(crate) key: SmallBytes,
    /// The value.
    pub value: Value,
    /// Absolute expiry in Unix milliseconds, or [`NO_EXPIRY`].
    pub(crate) expire_at: u64,
    /// LRU clock or LFU counter, as the eviction policy keeps it.
    pub(crate) access: u32,
}

impl Entry {
    /// The key.
    pub fn key(&self) -> &[u8] {
        self.key.as_bytes()
    }

    /// Overwrites the LRU clock or LFU counter field (RESTORE's IDLETIME
    /// and FREQ); build the value with [`crate::access::lru_access_idle`]
    /// or [`crate::access::lfu_access_with_counter`].
    pub fn set_access(&mut self, access: u32) {
        self.access = access;
    }

    /// Absolute expiry time in ms, if any.
    pub fn expire_at(&self) -> Option<u64> {
        (self.expire_at != NO_EXPIRY).then_some(self.expire_at)
    }

    /// True when the entry has an expiry at or before `now_ms`.
    #[inline]
    pub fn is_expired(&self, now_ms: u64) -> bool {
        self.expire_at != NO_EXPIRY && self.expire_at <= now_ms
    }

    /// The raw access field (LRU clock or LFU counter).
    pub fn access(&self) -> u32 {
        self.access
    }
}

/// The keys of one hash slot.
#[derive(Debug, Default)]
pub(crate) struct SlotTable {
    entries: Vec<Entry>,
    index: HashTable<u32>,
}

impl SlotTable {
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    #[inline]
    pub(crate) fn find(&self, hash: u64, key: &[u8]) -> Option<usize> {
        let entries = &self.entries;
        self.index
            .find(hash, |&i| entries[i as usize].key.as_bytes() == key)
            .map(|&i| i as usize)
    }

    #[inline]
    pub(crate) fn entry(&self, pos: usize) -> &Entry {
        &self.entries[pos]
    }

    #[inline]
    pub(crate) fn entry_mut(&mut self, pos: usize) -> &mut Entry {
        &mut self.entries[pos]
    }

    pub(crate) fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Appends an entry whose key is known to be absent; returns its position.
    pub(crate) fn insert_new(&mut self, hash: u64, entry: Entry, hasher: &FixedState) -> usize {
        let pos = self.entries.len();
        assert!(pos < u32::MAX as usize, "a slot holds fewer than 2^32 keys");
        if self.entries.len() == self.entries.capacity() {
            // Grow by a quarter rather than doubling: keys are the bulk of
            // memory and a table rarely shrinks back.
            let extra = (self.entries.capacity() / 4).max(4);
            self.entries.reserve_exact(extra);
        }
        self.entries.push(entry);
        let entries = &self.entries;
        self.index.insert_unique(hash, pos as u32, |&i| {
            hasher.hash_one(entries[i as usize].key.as_bytes())
        });
        pos
    }

    /// Removes the entry at `pos`; the last entry takes its place.
    pub(crate) fn swap_remove(&mut self, pos: usize, hasher: &FixedState) -> Entry {
        let last = self.entries.len() - 1;
        let hash = hasher.hash_one(self.entries[pos].key.as_bytes());
        match self.index.find_entry(hash, |&i| i as usize == pos) {
            Ok(found) => {
                found.remove();
            }
            Err(_) => unreachable!("every entry has an index slot"),
        }
        if pos != last {
            let moved_hash = hasher.hash_one(self.entries[last].key.as_bytes());
            let slot = self
                .index
                .find_mut(moved_hash, |&i| i as usize == last)
                .expect("every entry has an index slot");
            *slot = pos as u32;
        }
        let removed = self.entries.swap_remove(pos);
        self.maybe_shrink(hasher);
        removed
    }

    fn maybe_shrink(&mut self, hasher: &FixedState) {
        if self.entries.is_empty() {
            // An emptied slot gives all its memory back: with 16384 slots,
            // small leftovers add up (and eviction counts on them).
            *self = SlotTable::default();
            return;
        }
        let cap = self.entries.capacity();
        if cap > 16 && self.entries.len() < cap / 4 {
            self.entries.shrink_to(self.entries.len() * 2);
            let entries = &self.entries;
            self.index.shrink_to(entries.len(), |&i| {
                hasher.hash_one(entries[i as usize].key.as_bytes())
            });
        }
    }

    /// Drops every entry and returns them (so large values can be freed
    /// elsewhere).
    pub(crate) fn take_all(&mut self) -> Vec<Entry> {
        self.index = HashTable::new();
        std::mem::take(&mut self.entries)
    }

    /// Heap bytes held by the table structure itself (not the values).
    pub(crate) fn overhead_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.index.capacity() * (std::mem::size_of::<u32>() + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: &str) -> Entry {
        Entry {
            key: SmallBytes::new(k.as_bytes()),
            value: Value::string(b"v"),
            expire_at: NO_EXPIRY,
            access: 0,
        }
    }

    #[test]
    fn entry_is_compact() {
        assert!(std::mem::size_of::<Entry>() <= 64);
    }

    #[test]
    fn insert_find_remove_keep_index_consistent() {
        let h = FixedState::with_seed(7);
        let mut t = SlotTable::default();
        let keys: Vec<String> = (0..200).map(|i| format!("k{i}")).collect();
        for k in &keys {
            t.insert_new(h.hash_one(k.as_bytes()), entry(k), &h);
        }
        for (n, k) in keys.iter().enumerate() {
            if n % 3 == 0 {
                let pos = t.find(h.hash_one(k.as_bytes()), k.as_bytes()).unwrap();
                let removed = t.swap_remove(pos, &h);
                assert_eq!(removed.key(), k.as_bytes());
            }
        }
        for (n, k) in keys.iter().enumerate() {
            let found = t.find(h.hash_one(k.as_bytes()), k.as_bytes());
            assert_eq!(found.is_some(), n % 3 != 0, "{k}");
            if let Some(pos) = found {
                assert_eq!(t.entry(pos).key(), k.as_bytes());
            }
        }
        assert_eq!(t.len(), keys.len() - keys.len().div_ceil(3));
    }
}
