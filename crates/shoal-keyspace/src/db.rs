//! A database: the keys of one logical db (SELECT 0..15), stored per slot.
//!
//! Keys are kept in 16384 per-slot tables so that counting, listing and
//! dropping the keys of one slot costs only that slot (cluster resharding
//! does all three). Expiry is exact: every key with a TTL also sits in an
//! ordered index by expiry time, so the active expiry pass removes exactly
//! the keys that are due, oldest first, without sampling.
//!
//! The caller passes the time (`now_ms`, Unix milliseconds) into every
//! operation; nothing here reads a clock.

use crate::access::{self, AccessPolicy};
use crate::slot_counts::SlotCounts;
use crate::small_bytes::SmallBytes;
use crate::table::{Entry, SlotTable, NO_EXPIRY};
use crate::value::Value;
use foldhash::fast::FixedState;
use rand::Rng;
use shoal_types::{key_hash_slot, SLOT_COUNT};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// How an overwrite treats the key's existing TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ttl {
    /// Remove any TTL (a plain `SET`).
    Clear,
    /// Keep the existing TTL (`SET ... KEEPTTL`, in-place updates).
    Keep,
    /// Expire at this absolute Unix time in ms.
    At(u64),
}

/// Counters a db keeps for INFO.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DbStats {
    /// Keys removed because their TTL passed.
    pub expired_keys: u64,
    /// Keys removed to respect `maxmemory`.
    pub evicted_keys: u64,
    /// Successful key lookups by commands.
    pub keyspace_hits: u64,
    /// Lookups of missing keys by commands.
    pub keyspace_misses: u64,
}

/// What an active expiry pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpireReport {
    /// Keys removed.
    pub expired: usize,
    /// True when more due keys remain (the budget ran out).
    pub more_due: bool,
}

/// The keys of one logical database.
pub struct Db {
    slots: Vec<SlotTable>, // empty until the first key arrives
    counts: SlotCounts,
    key_count: usize,
    volatile: BTreeSet<(u64, SmallBytes)>,
    hasher: FixedState,
    access: AccessPolicy,
    interest: HashMap<SmallBytes, u32>,
    /// Report every changed key, interest or not (client-side caching is
    /// on somewhere).
    signal_all: bool,
    signals: Vec<SmallBytes>,
    /// Counters for INFO.
    pub stats: DbStats,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("keys", &self.key_count)
            .field("volatile", &self.volatile.len())
            .finish()
    }
}

impl Db {
    /// An empty db. `hash_seed` keys the table hash (pick it at random in
    /// production so clients cannot force collisions).
    pub fn new(hash_seed: u64) -> Db {
        Db {
            slots: Vec::new(),
            counts: SlotCounts::default(),
            key_count: 0,
            volatile: BTreeSet::new(),
            hasher: FixedState::with_seed(hash_seed),
            access: AccessPolicy::Lru,
            interest: HashMap::new(),
            signal_all: false,
            signals: Vec::new(),
            stats: DbStats::default(),
        }
    }

    /// Sets what lookups record in each key's access field.
    pub fn set_access_policy(&mut self, policy: AccessPolicy) {
        self.access = policy;
    }

    /// The current access policy.
    pub fn access_policy(&self) -> AccessPolicy {
        self.access
    }

    /// Number of keys (including expired keys not yet removed).
    pub fn len(&self) -> usize {
        self.key_count
    }

    /// True when the db holds no keys.
    pub fn is_empty(&self) -> bool {
        self.key_count == 0
    }

    /// Number of keys with a TTL.
    pub fn volatile_len(&self) -> usize {
        self.volatile.len()
    }

    /// Average remaining TTL in ms over keys with a TTL (0 when none), as
    /// INFO keyspace's `avg_ttl`.
    pub fn avg_ttl_ms(&self, now_ms: u64) -> u64 {
        if self.volatile.is_empty() {
            return 0;
        }
        let sum: u128 = self
            .volatile
            .iter()
            .take(1000)
            .map(|(at, _)| at.saturating_sub(now_ms) as u128)
            .sum();
        (sum / self.volatile.len().min(1000) as u128) as u64
    }

    #[inline]
    fn locate(&self, key: &[u8]) -> (usize, u64) {
        (key_hash_slot(key) as usize, self.hasher.hash_one(key))
    }

    fn ensure_slots(&mut self) {
        if self.slots.is_empty() {
            self.slots.resize_with(SLOT_COUNT, SlotTable::default);
        }
    }

    /// Finds `key`, removing it first if it has expired. Does not count
    /// hits or touch the access field.
    #[inline]
    fn find_live(&mut self, key: &[u8], now_ms: u64) -> Option<(usize, usize)> {
        if self.key_count == 0 {
            return None;
        }
        let (slot, hash) = self.locate(key);
        let table = &self.slots[slot];
        let pos = table.find(hash, key)?;
        if table.entry(pos).is_expired(now_ms) {
            self.remove_at(slot, pos);
            self.stats.expired_keys += 1;
            self.signal(key);
            return None;
        }
        Some((slot, pos))
    }

    #[inline]
    fn touch(&mut self, slot: usize, pos: usize, now_ms: u64, rng: &mut impl Rng) {
        let policy = self.access;
        let e = self.slots[slot].entry_mut(pos);
        e.access = match policy {
            AccessPolicy::Lru => access::lru_clock(now_ms),
            lfu => access::record_access(lfu, e.access, now_ms, rng),
        };
    }

    /// Looks `key` up for a command: expires it lazily, counts a hit or a
    /// miss, and records the access.
    #[inline]
    pub fn get(&mut self, key: &[u8], now_ms: u64, rng: &mut impl Rng) -> Option<&Value> {
        self.get_entry_mut(key, now_ms, rng).map(|e| &e.value)
    }

    /// As [`Db::get`], for modification (counts a hit or miss: commands
    /// read through it too).
    #[inline]
    pub fn get_mut(&mut self, key: &[u8], now_ms: u64, rng: &mut impl Rng) -> Option<&mut Value> {
        self.get_entry_mut(key, now_ms, rng).map(|e| &mut e.value)
    }

    /// Looks `key` up for a write that does not read it first (INCR,
    /// APPEND): records the access but, like Redis's write lookups, counts
    /// no keyspace hit or miss.
    pub fn get_mut_for_write(
        &mut self,
        key: &[u8],
        now_ms: u64,
        rng: &mut impl Rng,
    ) -> Option<&mut Value> {
        let (slot, pos) = self.find_live(key, now_ms)?;
        self.touch(slot, pos, now_ms, rng);
        Some(&mut self.slots[slot].entry_mut(pos).value)
    }

    /// Looks `key` up as a read that must not update its access time
    /// (EXISTS, TYPE, TTL): expires it lazily and counts a hit or miss.
    pub fn peek_counted(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        match self.find_live(key, now_ms) {
            Some((slot, pos)) => {
                self.stats.keyspace_hits += 1;
                Some(self.slots[slot].entry(pos))
            }
            None => {
                self.stats.keyspace_misses += 1;
                None
            }
        }
    }

    /// As [`Db::get`], giving the whole entry.
    #[inline]
    pub fn get_entry_mut(
        &mut self,
        key: &[u8],
        now_ms: u64,
        rng: &mut impl Rng,
    ) -> Option<&mut Entry> {
        match self.find_live(key, now_ms) {
            Some((slot, pos)) => {
                self.stats.keyspace_hits += 1;
                self.touch(slot, pos, now_ms, rng);
                Some(self.slots[slot].entry_mut(pos))
            }
            None => {
                self.stats.keyspace_misses += 1;
                None
            }
        }
    }

    /// Looks `key` up without counting or recording an access (TYPE, TTL,
    /// OBJECT, EXISTS-style checks), still expiring it lazily.
    pub fn peek(&mut self, key: &[u8], now_ms: u64) -> Option<&Entry> {
        let (slot, pos) = self.find_live(key, now_ms)?;
        Some(self.slots[slot].entry(pos))
    }

    /// As [`Db::peek`], for modification without an access record.
    pub fn peek_mut(&mut self, key: &[u8], now_ms: u64) -> Option<&mut Entry> {
        let (slot, pos) = self.find_live(key, now_ms)?;
        Some(self.slots[slot].entry_mut(pos))
    }

    /// True when `key` exists (and has not expired).
    pub fn contains(&mut self, key: &[u8], now_ms: u64) -> bool {
        self.find_live(key, now_ms).is_some()
    }

    /// Stores `value` under `key`, replacing any old value, and returns the
    /// old value. `ttl` says what happens to the expiry.
    pub fn set(&mut self, key: &[u8], value: Value, ttl: Ttl, now_ms: u64) -> Option<Value> {
        self.ensure_slots();
        let (slot, hash) = self.locate(key);
        let old = match self.slots[slot].find(hash, key) {
            Some(pos) => {
                let expired = self.slots[slot].entry(pos).is_expired(now_ms);
                let old_at = self.slots[slot].entry(pos).expire_at;
                let new_at = match ttl {
                    Ttl::Clear => NO_EXPIRY,
                    Ttl::Keep if expired => NO_EXPIRY,
                    Ttl::Keep => old_at,
                    Ttl::At(at) => at,
                };
                if old_at != new_at {
                    self.reindex_expiry(key, old_at, new_at);
                }
                let access = access::initial_access(self.access, now_ms);
                let e = self.slots[slot].entry_mut(pos);
                e.expire_at = new_at;
                e.access = access;
                let old = std::mem::replace(&mut e.value, value);
                if expired {
                    self.stats.expired_keys += 1;
                    None
                } else {
                    Some(old)
                }
            }
            None => {
                let expire_at = match ttl {
                    Ttl::At(at) => at,
                    _ => NO_EXPIRY,
                };
                self.insert_new(slot, hash, key, value, expire_at, now_ms);
                None
            }
        };
        self.signal(key);
        old
    }

    fn insert_new(
        &mut self,
        slot: usize,
        hash: u64,
        key: &[u8],
        value: Value,
        expire_at: u64,
        now_ms: u64,
    ) -> usize {
        let key = SmallBytes::new(key);
        if expire_at != NO_EXPIRY {
            self.volatile.insert((expire_at, key.clone()));
        }
        let entry = Entry {
            key,
            value,
            expire_at,
            access: access::initial_access(self.access, now_ms),
        };
        let pos = self.slots[slot].insert_new(hash, entry, &self.hasher);
        self.counts.add(slot, 1);
        self.key_count += 1;
        pos
    }

    /// Returns the value under `key`, creating it with `make` if absent
    /// (LPUSH, SADD, HSET on a new key). The flag says whether it was made.
    pub fn get_or_insert_with(
        &mut self,
        key: &[u8],
        now_ms: u64,
        rng: &mut impl Rng,
        make: impl FnOnce() -> Value,
    ) -> (&mut Value, bool) {
        self.ensure_slots();
        // A write lookup: no keyspace hit or miss is counted, as in Redis.
        let (slot, pos, created) = match self.find_live(key, now_ms) {
            Some((slot, pos)) => {
                self.touch(slot, pos, now_ms, rng);
                (slot, pos, false)
            }
            None => {
                let (slot, hash) = self.locate(key);
                let pos = self.insert_new(slot, hash, key, make(), NO_EXPIRY, now_ms);
                (slot, pos, true)
            }
        };
        (&mut self.slots[slot].entry_mut(pos).value, created)
    }

    /// Removes `key`; returns its value if it existed and had not expired.
    pub fn remove(&mut self, key: &[u8], now_ms: u64) -> Option<Value> {
        let (slot, pos) = self.find_live(key, now_ms)?;
        let entry = self.remove_at(slot, pos);
        self.signal(key);
        Some(entry.value)
    }

    fn remove_at(&mut self, slot: usize, pos: usize) -> Entry {
        let entry = self.slots[slot].swap_remove(pos, &self.hasher);
        if entry.expire_at != NO_EXPIRY {
            self.volatile.remove(&(entry.expire_at, entry.key.clone()));
        }
        self.counts.add(slot, -1);
        self.key_count -= 1;
        entry
    }

    fn reindex_expiry(&mut self, key: &[u8], old_at: u64, new_at: u64) {
        let key = SmallBytes::new(key);
        if old_at != NO_EXPIRY {
            self.volatile.remove(&(old_at, key.clone()));
        }
        if new_at != NO_EXPIRY {
            self.volatile.insert((new_at, key));
        }
    }

    /// The absolute expiry (ms) of `key`: `None` if the key is missing,
    /// `Some(None)` if it has no TTL.
    pub fn expire_at(&mut self, key: &[u8], now_ms: u64) -> Option<Option<u64>> {
        self.peek(key, now_ms).map(|e| e.expire_at())
    }

    /// Sets the absolute expiry of an existing key; false if it is missing.
    /// A time at or before `now_ms` is stored as is: the caller decides
    /// whether that means deleting the key (as EXPIRE with a past time does).
    pub fn set_expire(&mut self, key: &[u8], at_ms: u64, now_ms: u64) -> bool {
        let Some((slot, pos)) = self.find_live(key, now_ms) else {
            return false;
        };
        let old = self.slots[slot].entry(pos).expire_at;
        if old != at_ms {
            self.reindex_expiry(key, old, at_ms);
            self.slots[slot].entry_mut(pos).expire_at = at_ms;
        }
        self.signal(key);
        true
    }

    /// Removes the TTL of `key`; true if it had one.
    pub fn persist(&mut self, key: &[u8], now_ms: u64) -> bool {
        let Some((slot, pos)) = self.find_live(key, now_ms) else {
            return false;
        };
        let old = self.slots[slot].entry(pos).expire_at;
        if old == NO_EXPIRY {
            return false;
        }
        self.reindex_expiry(key, old, NO_EXPIRY);
        self.slots[slot].entry_mut(pos).expire_at = NO_EXPIRY;
        self.signal(key);
        true
    }

    /// Removes keys whose TTL has passed, earliest first, at most
    /// `max_keys` of them.
    pub fn expire_due(&mut self, now_ms: u64, max_keys: usize) -> ExpireReport {
        let mut report = ExpireReport::default();
        while let Some((at, _)) = self.volatile.first() {
            if *at > now_ms {
                return report;
            }
            if report.expired == max_keys {
                report.more_due = true;
                return report;
            }
            let (_, key) = self.volatile.pop_first().expect("first() was Some");
            let (slot, hash) = self.locate(key.as_bytes());
            if let Some(pos) = self.slots[slot].find(hash, key.as_bytes()) {
                // Already out of the volatile index: clear the field so
                // remove_at does not look for it there again.
                self.slots[slot].entry_mut(pos).expire_at = NO_EXPIRY;
                self.remove_at(slot, pos);
                self.stats.expired_keys += 1;
                report.expired += 1;
                self.signal(key.as_bytes());
            }
        }
        report
    }

    /// Drops every key; returns the dropped entries so that big values can
    /// be freed off the main thread.
    pub fn clear(&mut self) -> Vec<Entry> {
        let mut dropped = Vec::with_capacity(self.key_count);
        for table in &mut self.slots {
            if table.len() > 0 {
                dropped.extend(table.take_all());
            }
        }
        self.slots = Vec::new();
        self.counts.clear();
        self.key_count = 0;
        self.volatile.clear();
        dropped
    }

    /// Number of keys in `slot`.
    pub fn slot_len(&self, slot: u16) -> usize {
        self.slots.get(slot as usize).map_or(0, SlotTable::len)
    }

    /// Up to `max` keys of `slot`.
    pub fn keys_in_slot(&self, slot: u16, max: usize) -> Vec<Vec<u8>> {
        self.slots.get(slot as usize).map_or_else(Vec::new, |t| {
            t.entries()
                .iter()
                .take(max)
                .map(|e| e.key().to_vec())
                .collect()
        })
    }

    /// Removes every key of `slot`; returns how many.
    pub fn clear_slot(&mut self, slot: u16) -> usize {
        let Some(table) = self.slots.get_mut(slot as usize) else {
            return 0;
        };
        let entries = table.take_all();
        for e in &entries {
            if e.expire_at != NO_EXPIRY {
                self.volatile.remove(&(e.expire_at, e.key.clone()));
            }
            self.counts.add(slot as usize, -1);
        }
        self.key_count -= entries.len();
        entries.len()
    }

    /// A uniformly random live key, or `None` when the db is empty.
    pub fn random_key(&mut self, now_ms: u64, rng: &mut impl Rng) -> Option<Vec<u8>> {
        // Expired keys met on the way are removed; bound the attempts so a
        // db full of expired keys cannot spin forever (Redis does the same).
        for _ in 0..100 {
            if self.key_count == 0 {
                return None;
            }
            let n = rng.random_range(0..self.key_count as u64);
            let (slot, pos) = self.counts.find(n);
            let entry = self.slots[slot].entry(pos);
            if !entry.is_expired(now_ms) {
                return Some(entry.key().to_vec());
            }
            let key = entry.key().to_vec();
            self.find_live(&key, now_ms);
        }
        None
    }

    /// A random entry (expired or not), for eviction sampling.
    pub fn random_entry(&self, rng: &mut impl Rng) -> Option<&Entry> {
        if self.key_count == 0 {
            return None;
        }
        let n = rng.random_range(0..self.key_count as u64);
        let (slot, pos) = self.counts.find(n);
        Some(self.slots[slot].entry(pos))
    }

    /// A random key with a TTL, roughly uniform (by expiry time).
    pub fn random_volatile_key(&self, rng: &mut impl Rng) -> Option<&[u8]> {
        let first = self.volatile.first()?.0;
        let last = self.volatile.last()?.0;
        let pick = rng.random_range(first..=last);
        let (_, key) = self
            .volatile
            .range((pick, SmallBytes::new(b""))..)
            .next()
            .or_else(|| self.volatile.first())?;
        Some(key.as_bytes())
    }

    /// The nearest expiry time and its key.
    pub fn soonest_expiring(&self) -> Option<(u64, &[u8])> {
        self.volatile.first().map(|(at, k)| (*at, k.as_bytes()))
    }

    /// Looks `key` up without any side effect (no lazy expiry, no stats).
    pub fn peek_ref(&self, key: &[u8]) -> Option<&Entry> {
        if self.key_count == 0 {
            return None;
        }
        let (slot, hash) = self.locate(key);
        let table = &self.slots[slot];
        table.find(hash, key).map(|pos| table.entry(pos))
    }

    /// Visits keys for SCAN starting at `cursor`, until about `count`
    /// entries were visited; returns the cursor to continue from (0 when
    /// the scan is complete). Expired keys are skipped and removed.
    ///
    /// The cursor holds the slot in its low 14 bits and, above them, how
    /// many entries of that slot are still to visit (0: the slot was not
    /// started). Each slot is walked from its end towards index 0, which is
    /// what makes the scan miss nothing (see the `table` module).
    pub fn scan(
        &mut self,
        cursor: u64,
        count: usize,
        now_ms: u64,
        mut visit: impl FnMut(&Entry),
    ) -> u64 {
        if self.slots.is_empty() {
            return 0;
        }
        let mut slot = (cursor & (SLOT_COUNT as u64 - 1)) as usize;
        let mut remaining = cursor >> 14;
        let mut visited = 0usize;
        let mut expired: Vec<Vec<u8>> = Vec::new();
        let next = loop {
            let table = &self.slots[slot];
            let mut i = if remaining == 0 {
                table.len()
            } else {
                (remaining as usize).min(table.len())
            };
            while i > 0 && visited < count.max(1) {
                i -= 1;
                let e = table.entry(i);
                visited += 1;
                if e.is_expired(now_ms) {
                    expired.push(e.key().to_vec());
                } else {
                    visit(e);
                }
            }
            if i > 0 {
                break slot as u64 | ((i as u64) << 14);
            }
            slot += 1;
            remaining = 0;
            if slot == SLOT_COUNT {
                break 0;
            }
            if visited >= count.max(1) {
                break slot as u64;
            }
        };
        for key in expired {
            self.find_live(&key, now_ms);
        }
        next
    }

    /// Calls `f` for every live key (KEYS). Expired keys are skipped.
    pub fn for_each_key(&self, now_ms: u64, mut f: impl FnMut(&[u8])) {
        for table in &self.slots {
            for e in table.entries() {
                if !e.is_expired(now_ms) {
                    f(e.key());
                }
            }
        }
    }

    /// Heap bytes of the table structures (for MEMORY STATS-style reports).
    pub fn overhead_bytes(&self) -> usize {
        self.slots
            .iter()
            .map(SlotTable::overhead_bytes)
            .sum::<usize>()
            + self.slots.capacity() * std::mem::size_of::<SlotTable>()
    }

    /// Registers interest in changes to `key` (a WATCH or a blocked client);
    /// changes to it are then reported by [`Db::take_signals`].
    pub fn add_interest(&mut self, key: &[u8]) {
        *self.interest.entry(SmallBytes::new(key)).or_insert(0) += 1;
    }

    /// Drops one registration made by [`Db::add_interest`].
    pub fn remove_interest(&mut self, key: &[u8]) {
        if let Some(n) = self.interest.get_mut(key) {
            *n -= 1;
            if *n == 0 {
                self.interest.remove(key);
            }
        }
    }

    /// Records that `key` changed, if anyone registered interest in it.
    /// Commands that modify a value in place call this themselves.
    #[inline]
    pub fn signal(&mut self, key: &[u8]) {
        if self.signal_all || (!self.interest.is_empty() && self.interest.contains_key(key)) {
            self.signals.push(SmallBytes::new(key));
        }
    }

    /// Reports every changed key from now on (`true`), or only keys with
    /// registered interest (`false`).
    pub fn set_signal_all(&mut self, all: bool) {
        self.signal_all = all;
    }

    /// True when some signalled keys wait to be taken.
    pub fn has_signals(&self) -> bool {
        !self.signals.is_empty()
    }

    /// Takes the keys changed since the last call (with repeats).
    pub fn take_signals(&mut self) -> Vec<SmallBytes> {
        std::mem::take(&mut self.signals)
    }

    /// Swaps the contents of two dbs, keeping each one's interest
    /// registrations and statistics in place (SWAPDB: clients watching a
    /// key in db 0 keep watching db 0).
    pub fn swap_contents(&mut self, other: &mut Db) {
        std::mem::swap(&mut self.slots, &mut other.slots);
        std::mem::swap(&mut self.counts, &mut other.counts);
        std::mem::swap(&mut self.key_count, &mut other.key_count);
        std::mem::swap(&mut self.volatile, &mut other.volatile);
        std::mem::swap(&mut self.hasher, &mut other.hasher);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};
    use std::collections::BTreeSet as Set;

    fn rng() -> SmallRng {
        SmallRng::seed_from_u64(42)
    }

    #[test]
    fn set_get_remove() {
        let mut db = Db::new(1);
        let mut r = rng();
        assert!(db.set(b"a", Value::string(b"1"), Ttl::Clear, 0).is_none());
        assert!(db.get(b"a", 0, &mut r).is_some());
        assert_eq!(db.len(), 1);
        assert!(db.set(b"a", Value::string(b"2"), Ttl::Clear, 0).is_some());
        assert_eq!(db.len(), 1);
        assert!(db.remove(b"a", 0).is_some());
        assert!(db.get(b"a", 0, &mut r).is_none());
        assert!(db.is_empty());
        assert_eq!(db.stats.keyspace_hits, 1);
        assert_eq!(db.stats.keyspace_misses, 1);
    }

    #[test]
    fn expired_keys_vanish_lazily_and_actively() {
        let mut db = Db::new(1);
        let mut r = rng();
        db.set(b"lazy", Value::string(b"x"), Ttl::At(100), 0);
        db.set(b"active", Value::string(b"x"), Ttl::At(150), 0);
        db.set(b"later", Value::string(b"x"), Ttl::At(1000), 0);
        db.set(b"forever", Value::string(b"x"), Ttl::Clear, 0);
        assert_eq!(db.volatile_len(), 3);
        assert!(db.get(b"lazy", 99, &mut r).is_some());
        assert!(db.get(b"lazy", 100, &mut r).is_none());
        let report = db.expire_due(200, 10);
        assert_eq!(report.expired, 1);
        assert!(!report.more_due);
        assert_eq!(db.len(), 2);
        assert_eq!(db.volatile_len(), 1);
        assert_eq!(db.stats.expired_keys, 2);
    }

    #[test]
    fn ttl_rules_on_overwrite() {
        let mut db = Db::new(1);
        db.set(b"k", Value::string(b"x"), Ttl::At(500), 0);
        db.set(b"k", Value::string(b"y"), Ttl::Keep, 0);
        assert_eq!(db.expire_at(b"k", 0), Some(Some(500)));
        db.set(b"k", Value::string(b"z"), Ttl::Clear, 0);
        assert_eq!(db.expire_at(b"k", 0), Some(None));
        assert_eq!(db.volatile_len(), 0);
        assert!(db.set_expire(b"k", 700, 0));
        assert!(db.persist(b"k", 0));
        assert!(!db.persist(b"k", 0));
        assert_eq!(db.volatile_len(), 0);
    }

    #[test]
    fn scan_visits_every_key_despite_deletions_between_calls() {
        let mut db = Db::new(3);
        let mut r = rng();
        let keys: Vec<Vec<u8>> = (0..5000).map(|i| format!("key:{i}").into_bytes()).collect();
        for k in &keys {
            db.set(k, Value::string(b"v"), Ttl::Clear, 0);
        }
        // Keys that stay for the whole scan must all be seen.
        let stable: Set<Vec<u8>> = keys.iter().filter(|k| k[4] != b'7').cloned().collect();
        let mut seen = Set::new();
        let mut cursor = 0;
        let mut round = 0;
        loop {
            cursor = db.scan(cursor, 10, 0, |e| {
                seen.insert(e.key().to_vec());
            });
            // Delete a few of the non-stable keys as the scan goes.
            for k in keys.iter().filter(|k| k[4] == b'7').skip(round * 3).take(3) {
                db.remove(k, 0);
            }
            round += 1;
            if cursor == 0 {
                break;
            }
        }
        assert!(stable.is_subset(&seen));
        let _ = r.random::<u8>();
    }

    #[test]
    fn random_key_finds_keys_and_per_slot_counts_hold() {
        let mut db = Db::new(9);
        let mut r = rng();
        assert!(db.random_key(0, &mut r).is_none());
        for i in 0..100 {
            db.set(
                format!("{{tag}}{i}").as_bytes(),
                Value::string(b"v"),
                Ttl::Clear,
                0,
            );
        }
        db.set(b"other", Value::string(b"v"), Ttl::Clear, 0);
        let slot = key_hash_slot(b"{tag}");
        assert_eq!(db.slot_len(slot), 100);
        assert_eq!(db.keys_in_slot(slot, 5).len(), 5);
        let k = db.random_key(0, &mut r).unwrap();
        assert!(db.contains(&k, 0));
        assert_eq!(db.clear_slot(slot), 100);
        assert_eq!(db.len(), 1);
        assert_eq!(db.random_key(0, &mut r).unwrap(), b"other".to_vec());
    }

    #[test]
    fn signals_report_only_registered_keys() {
        let mut db = Db::new(1);
        db.add_interest(b"w");
        db.set(b"w", Value::string(b"1"), Ttl::Clear, 0);
        db.set(b"x", Value::string(b"1"), Ttl::Clear, 0);
        let s = db.take_signals();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].as_bytes(), b"w");
        db.remove_interest(b"w");
        db.remove(b"w", 0);
        assert!(!db.has_signals());
    }
}
