//! The sorted set type, in Redis's two encodings.
//!
//! - `listpack` (compact): one byte buffer of `(member, score)` entries
//!   sorted by score, then member ([`compact::Compact`]), used while the
//!   set has at most `zset-max-listpack-entries` members of at most
//!   `zset-max-listpack-value` bytes. Lookups walk it, as Redis's listpack
//!   does; at 128 entries that beats hashing, and an entry takes about as
//!   many bytes as its member plus two.
//! - `skiplist` (large): a [`DenseMap`] from member to score (O(1) ZSCORE,
//!   O(1) random member, a ZSCAN cursor that misses nothing) plus an
//!   order-statistic B+tree ([`tree::OrderTree`]) over the same members for
//!   O(log n) rank, range and update. It answers every question Redis's
//!   skiplist does, in about two thirds of its memory per member.
//!
//! A set moves to the large encoding when an insert breaks a limit, and
//! back only when a STORE command rebuilds it ([`ZSetValue::shrink_if_fits`],
//! as Redis converts ZUNIONSTORE/ZINTERSTORE/ZDIFFSTORE results).
//!
//! Two listpack habits show through and are kept: a listpack stores a
//! score of `-0` as the integer 0 (so it reads back as `0`), and ZSCAN of a
//! listpack returns the scores as stored text (integers without exponent).
//! Finding the ends of a range follows the listpack's linear walk, so
//! lex ranges over members with different scores give Redis's answers too.

mod compact;
mod tree;

use super::dense::{hash_member, DenseMap};
use crate::small_bytes::SmallBytes;
use compact::Compact;
use rand::Rng;
use std::cmp::Ordering;
use tree::OrderTree;

/// The limits of the compact encoding (`zset-max-listpack-*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZSetLimits {
    /// `zset-max-listpack-entries`.
    pub max_listpack_entries: usize,
    /// `zset-max-listpack-value`: the longest member, in bytes.
    pub max_listpack_value: usize,
}

impl Default for ZSetLimits {
    fn default() -> Self {
        ZSetLimits {
            max_listpack_entries: 128,
            max_listpack_value: 64,
        }
    }
}

/// A score interval, each end open or closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreRange {
    /// Lower end.
    pub min: f64,
    /// True when `min` itself is excluded.
    pub min_exclusive: bool,
    /// Upper end.
    pub max: f64,
    /// True when `max` itself is excluded.
    pub max_exclusive: bool,
}

impl ScoreRange {
    /// True when `score` is not below the lower end.
    #[inline]
    pub fn gte_min(&self, score: f64) -> bool {
        if self.min_exclusive {
            score > self.min
        } else {
            score >= self.min
        }
    }

    /// True when `score` is not above the upper end.
    #[inline]
    pub fn lte_max(&self, score: f64) -> bool {
        if self.max_exclusive {
            score < self.max
        } else {
            score <= self.max
        }
    }

    /// True for intervals that can hold nothing.
    pub fn is_void(&self) -> bool {
        self.min > self.max || (self.min == self.max && (self.min_exclusive || self.max_exclusive))
    }
}

/// One end of a lexicographic range (`-`, `+`, `[x`, `(x`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexBound {
    /// `-`: below every string.
    NegInf,
    /// `+`: above every string.
    PosInf,
    /// `[x`: `x` included.
    Inclusive(Vec<u8>),
    /// `(x`: `x` excluded.
    Exclusive(Vec<u8>),
}

impl LexBound {
    /// Orders two bounds as Redis's `sdscmplex` does: `-` below all, `+`
    /// above all, strings bytewise.
    fn cmp_bound(&self, other: &LexBound) -> Ordering {
        use LexBound::*;
        match (self, other) {
            (NegInf, NegInf) | (PosInf, PosInf) => Ordering::Equal,
            (NegInf, _) | (_, PosInf) => Ordering::Less,
            (PosInf, _) | (_, NegInf) => Ordering::Greater,
            (Inclusive(a) | Exclusive(a), Inclusive(b) | Exclusive(b)) => a.cmp(b),
        }
    }

    /// Both infinities count as exclusive, as in Redis.
    fn exclusive(&self) -> bool {
        !matches!(self, LexBound::Inclusive(_))
    }
}

/// A lexicographic member interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexRange {
    /// Lower end.
    pub min: LexBound,
    /// Upper end.
    pub max: LexBound,
}

impl LexRange {
    /// True when `member` is not below the lower end.
    pub fn gte_min(&self, member: &[u8]) -> bool {
        match &self.min {
            LexBound::NegInf => true,
            LexBound::PosInf => false,
            LexBound::Inclusive(b) => member >= b.as_slice(),
            LexBound::Exclusive(b) => member > b.as_slice(),
        }
    }

    /// True when `member` is not above the upper end.
    pub fn lte_max(&self, member: &[u8]) -> bool {
        match &self.max {
            LexBound::PosInf => true,
            LexBound::NegInf => false,
            LexBound::Inclusive(b) => member <= b.as_slice(),
            LexBound::Exclusive(b) => member < b.as_slice(),
        }
    }

    /// True for intervals that can hold nothing.
    pub fn is_void(&self) -> bool {
        match self.min.cmp_bound(&self.max) {
            Ordering::Greater => true,
            Ordering::Equal => self.min.exclusive() || self.max.exclusive(),
            Ordering::Less => false,
        }
    }
}

/// A range by score or by member.
#[derive(Debug, Clone, PartialEq)]
pub enum ZRange {
    /// ZRANGEBYSCORE-style.
    Score(ScoreRange),
    /// ZRANGEBYLEX-style.
    Lex(LexRange),
}

impl ZRange {
    /// True when the element is not below the lower end.
    #[inline]
    pub fn gte_min(&self, member: &[u8], score: f64) -> bool {
        match self {
            ZRange::Score(r) => r.gte_min(score),
            ZRange::Lex(r) => r.gte_min(member),
        }
    }

    /// True when the element is not above the upper end.
    #[inline]
    pub fn lte_max(&self, member: &[u8], score: f64) -> bool {
        match self {
            ZRange::Score(r) => r.lte_max(score),
            ZRange::Lex(r) => r.lte_max(member),
        }
    }

    fn is_void(&self) -> bool {
        match self {
            ZRange::Score(r) => r.is_void(),
            ZRange::Lex(r) => r.is_void(),
        }
    }
}

/// What [`ZSetValue::upsert`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// The member was new and is now in the set.
    Added,
    /// The member's score changed.
    Updated,
    /// The decision kept the member's score as it was.
    Unchanged,
    /// The decision was to do nothing.
    Skipped,
}

#[derive(Debug, Clone)]
struct Large {
    map: DenseMap<f64>,
    tree: OrderTree,
}

#[derive(Debug, Clone)]
enum Repr {
    Small(Compact),
    Large(Box<Large>),
}

/// A sorted set value.
#[derive(Debug, Clone)]
pub struct ZSetValue {
    repr: Repr,
}

impl Default for ZSetValue {
    fn default() -> Self {
        ZSetValue::new()
    }
}

/// The listpack keeps scores that are whole numbers as integers, so `-0`
/// comes back as `0`.
#[inline]
fn compact_score(score: f64) -> f64 {
    if score == 0.0 {
        0.0
    } else {
        score
    }
}

impl Large {
    fn with_capacity(n: usize) -> Large {
        Large {
            map: DenseMap::with_capacity(n),
            tree: OrderTree::new(),
        }
    }

    fn insert_new(&mut self, hash: u64, member: &[u8], score: f64) {
        let pos = self.map.push_hashed(hash, SmallBytes::new(member), score);
        let map = &self.map;
        self.tree
            .insert(score, pos as u32, &|id| map.member(id as usize));
    }

    fn set_score(&mut self, pos: usize, score: f64) {
        let old = *self.map.value(pos);
        {
            let map = &self.map;
            let removed = self
                .tree
                .remove(old, pos as u32, &|id| map.member(id as usize));
            assert!(removed, "every member is in the tree");
        }
        *self.map.value_mut(pos) = score;
        let map = &self.map;
        self.tree
            .insert(score, pos as u32, &|id| map.member(id as usize));
    }

    /// Removes the member at map position `pos`; only the entry at the last
    /// position changes position (it moves to `pos`).
    fn remove_at(&mut self, pos: usize) -> (SmallBytes, f64) {
        let map = &self.map;
        let members = |id: u32| map.member(id as usize);
        let score = *map.value(pos);
        let removed = self.tree.remove(score, pos as u32, &members);
        assert!(removed, "every member is in the tree");
        let last = map.len() - 1;
        if pos != last {
            self.tree
                .relabel(*map.value(last), last as u32, pos as u32, &members);
        }
        self.map.swap_remove(pos)
    }

    fn entry(&self, rank: usize) -> Option<(&[u8], f64)> {
        let (score, id) = self.tree.get(rank)?;
        Some((self.map.member(id as usize), score))
    }

    /// Rank of the first element not below the range's lower end.
    fn lower_rank(&self, range: &ZRange) -> usize {
        let map = &self.map;
        match range {
            ZRange::Score(r) => self.tree.count_scores_below(r.min, r.min_exclusive),
            ZRange::Lex(r) => match &r.min {
                LexBound::NegInf => 0,
                LexBound::PosInf => self.tree.len(),
                LexBound::Inclusive(b) => self
                    .tree
                    .count_members_below(b, false, &|id| map.member(id as usize)),
                LexBound::Exclusive(b) => self
                    .tree
                    .count_members_below(b, true, &|id| map.member(id as usize)),
            },
        }
    }

    /// Number of elements not above the range's upper end.
    fn upper_rank(&self, range: &ZRange) -> usize {
        let map = &self.map;
        match range {
            ZRange::Score(r) => self.tree.count_scores_below(r.max, !r.max_exclusive),
            ZRange::Lex(r) => match &r.max {
                LexBound::NegInf => 0,
                LexBound::PosInf => self.tree.len(),
                LexBound::Inclusive(b) => self
                    .tree
                    .count_members_below(b, true, &|id| map.member(id as usize)),
                LexBound::Exclusive(b) => self
                    .tree
                    .count_members_below(b, false, &|id| map.member(id as usize)),
            },
        }
    }
}

impl ZSetValue {
    /// An empty set in the compact encoding.
    pub fn new() -> ZSetValue {
        ZSetValue {
            repr: Repr::Small(Compact::default()),
        }
    }

    /// An empty set in the large (`skiplist`) encoding, where commands that
    /// know their result will not fit the compact one start (ZRANGESTORE).
    pub fn new_large() -> ZSetValue {
        ZSetValue {
            repr: Repr::Large(Box::new(Large::with_capacity(0))),
        }
    }

    /// An empty set in the encoding Redis gives a key created by ZADD whose
    /// first member is `first_member_len` bytes long.
    pub fn for_new_key(limits: ZSetLimits, first_member_len: usize) -> ZSetValue {
        if limits.max_listpack_entries == 0 || first_member_len > limits.max_listpack_value {
            ZSetValue::new_large()
        } else {
            ZSetValue::new()
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Small(v) => v.len(),
            Repr::Large(l) => l.map.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True in the compact (`listpack`) encoding.
    pub fn is_compact(&self) -> bool {
        matches!(self.repr, Repr::Small(_))
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        match &self.repr {
            Repr::Small(_) => "listpack",
            Repr::Large(_) => "skiplist",
        }
    }

    /// Approximate heap bytes.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Small(c) => c.heap_size(),
            Repr::Large(l) => {
                let leaves = l.tree.len().div_ceil(tree::LEAF_CAP / 2 + 1).max(1);
                std::mem::size_of::<Large>()
                    + l.map.heap_size()
                    + leaves * (tree::LEAF_CAP * 12 + 8)
            }
        }
    }

    /// The score of `member`.
    pub fn score(&self, member: &[u8]) -> Option<f64> {
        match &self.repr {
            Repr::Small(c) => c.find(member).map(|(_, _, s)| s),
            Repr::Large(l) => l.map.find(member).map(|pos| *l.map.value(pos)),
        }
    }

    /// Adds or updates `member` after asking `decide` what to do, with a
    /// single lookup: `decide` gets the current score (`None` when absent)
    /// and returns the score to store, or `None` to leave things as they
    /// are. Switches to the large encoding when the insert breaks `limits`.
    pub fn upsert(
        &mut self,
        member: &[u8],
        limits: ZSetLimits,
        decide: impl FnOnce(Option<f64>) -> Option<f64>,
    ) -> Upsert {
        match &mut self.repr {
            Repr::Small(c) => {
                if let Some((_, at, current)) = c.find(member) {
                    let Some(new) = decide(Some(current)) else {
                        return Upsert::Skipped;
                    };
                    if new == current {
                        return Upsert::Unchanged;
                    }
                    c.remove_at(at);
                    c.insert(member, compact_score(new));
                    return Upsert::Updated;
                }
                let Some(score) = decide(None) else {
                    return Upsert::Skipped;
                };
                if c.len() < limits.max_listpack_entries
                    && member.len() <= limits.max_listpack_value
                {
                    c.insert(member, compact_score(score));
                    return Upsert::Added;
                }
                self.convert_to_large(1);
                let Repr::Large(l) = &mut self.repr else {
                    unreachable!("just converted")
                };
                l.insert_new(hash_member(member), member, score);
                Upsert::Added
            }
            Repr::Large(l) => {
                let hash = hash_member(member);
                match l.map.find_hashed(hash, member) {
                    Some(pos) => {
                        let current = *l.map.value(pos);
                        let Some(new) = decide(Some(current)) else {
                            return Upsert::Skipped;
                        };
                        if new == current {
                            return Upsert::Unchanged;
                        }
                        l.set_score(pos, new);
                        Upsert::Updated
                    }
                    None => {
                        let Some(score) = decide(None) else {
                            return Upsert::Skipped;
                        };
                        l.insert_new(hash, member, score);
                        Upsert::Added
                    }
                }
            }
        }
    }

    /// Sets `member`'s score, adding it if absent; true if it was added.
    pub fn insert(&mut self, member: &[u8], score: f64, limits: ZSetLimits) -> bool {
        self.upsert(member, limits, |_| Some(score)) == Upsert::Added
    }

    fn convert_to_large(&mut self, extra: usize) {
        let Repr::Small(c) = &self.repr else {
            return;
        };
        let mut large = Large::with_capacity(c.len() + extra);
        // Already in order: every tree insert is an append.
        for (m, s) in c.iter() {
            let pos = large.map.push(SmallBytes::new(m), s);
            let map = &large.map;
            large
                .tree
                .insert(s, pos as u32, &|id| map.member(id as usize));
        }
        self.repr = Repr::Large(Box::new(large));
    }

    /// Moves a large set back to the compact encoding when it fits the
    /// limits (what Redis does to the result of a STORE command).
    pub fn shrink_if_fits(&mut self, limits: ZSetLimits) {
        let Repr::Large(l) = &self.repr else {
            return;
        };
        if l.map.len() > limits.max_listpack_entries
            || l.map
                .entries()
                .iter()
                .any(|(m, _)| m.len() > limits.max_listpack_value)
        {
            return;
        }
        let mut c = Compact::default();
        l.tree.walk(0, false, &mut |score, id| {
            c.push_last(l.map.member(id as usize), compact_score(score));
            true
        });
        self.repr = Repr::Small(c);
    }

    /// Removes `member`; returns its score if it was there.
    pub fn remove(&mut self, member: &[u8]) -> Option<f64> {
        match &mut self.repr {
            Repr::Small(c) => {
                let (_, at, score) = c.find(member)?;
                c.remove_at(at);
                Some(score)
            }
            Repr::Large(l) => {
                let pos = l.map.find(member)?;
                Some(l.remove_at(pos).1)
            }
        }
    }

    /// 0-based rank of `member` in ascending order.
    pub fn rank(&self, member: &[u8]) -> Option<usize> {
        match &self.repr {
            Repr::Small(c) => c.find(member).map(|(rank, _, _)| rank),
            Repr::Large(l) => {
                let pos = l.map.find(member)?;
                let map = &l.map;
                Some(
                    l.tree
                        .rank(*map.value(pos), member, &|id| map.member(id as usize)),
                )
            }
        }
    }

    /// The element at `rank` (ascending, 0-based) as `(member, score)`.
    pub fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        match &self.repr {
            Repr::Small(c) => c.get(rank),
            Repr::Large(l) => l.entry(rank),
        }
    }

    /// Calls `f(member, score)` from rank `start` upwards (downwards when
    /// `reverse`) until it returns false or the set ends: O(log n) to
    /// start, O(1) per element.
    pub fn walk<'a>(
        &'a self,
        start: usize,
        reverse: bool,
        mut f: impl FnMut(&'a [u8], f64) -> bool,
    ) {
        match &self.repr {
            Repr::Small(c) => {
                if start >= c.len() {
                    return;
                }
                if reverse {
                    for &at in c.offsets()[..=start].iter().rev() {
                        let (m, s) = c.at(at);
                        if !f(m, s) {
                            return;
                        }
                    }
                } else {
                    for (m, s) in c.iter().skip(start) {
                        if !f(m, s) {
                            return;
                        }
                    }
                }
            }
            Repr::Large(l) => {
                let map = &l.map;
                l.tree.walk(start, reverse, &mut |score, id| {
                    f(map.member(id as usize), score)
                });
            }
        }
    }

    /// Calls `f(member, score)` for every element in ascending order.
    pub fn for_each<'a>(&'a self, mut f: impl FnMut(&'a [u8], f64)) {
        self.walk(0, false, |m, s| {
            f(m, s);
            true
        });
    }

    /// Rank of the first element in `range`, found as Redis finds it: by a
    /// forward walk in the compact encoding, by a search in the large one.
    pub fn range_first(&self, range: &ZRange) -> Option<usize> {
        if !self.range_may_overlap(range) {
            return None;
        }
        match &self.repr {
            Repr::Small(c) => {
                let (i, (m, s)) = c
                    .iter()
                    .enumerate()
                    .find(|(_, (m, s))| range.gte_min(m, *s))?;
                range.lte_max(m, s).then_some(i)
            }
            Repr::Large(l) => {
                let i = l.lower_rank(range);
                let (m, s) = l.entry(i)?;
                range.lte_max(m, s).then_some(i)
            }
        }
    }

    /// Rank of the last element in `range`, found as Redis finds it.
    pub fn range_last(&self, range: &ZRange) -> Option<usize> {
        if !self.range_may_overlap(range) {
            return None;
        }
        match &self.repr {
            Repr::Small(c) => {
                let offsets = c.offsets();
                let i = offsets.iter().rposition(|&at| {
                    let (m, s) = c.at(at);
                    range.lte_max(m, s)
                })?;
                let (m, s) = c.at(offsets[i]);
                range.gte_min(m, s).then_some(i)
            }
            Repr::Large(l) => {
                let i = l.upper_rank(range).checked_sub(1)?;
                let (m, s) = l.entry(i)?;
                range.gte_min(m, s).then_some(i)
            }
        }
    }

    /// Redis's quick rejection: the range is void, or lies wholly past
    /// either end of the set.
    fn range_may_overlap(&self, range: &ZRange) -> bool {
        if range.is_void() || self.is_empty() {
            return false;
        }
        let (first_m, first_s) = self.get(0).expect("not empty");
        let (last_m, last_s) = self.get(self.len() - 1).expect("not empty");
        range.gte_min(last_m, last_s) && range.lte_max(first_m, first_s)
    }

    /// Number of elements in `range` (ZCOUNT, ZLEXCOUNT).
    pub fn count_in_range(&self, range: &ZRange) -> usize {
        let Some(first) = self.range_first(range) else {
            return 0;
        };
        match &self.repr {
            Repr::Small(c) => c
                .iter()
                .skip(first)
                .take_while(|(m, s)| range.lte_max(m, *s))
                .count(),
            Repr::Large(_) => match self.range_last(range) {
                Some(last) => (last + 1).saturating_sub(first),
                None => self.len() - first,
            },
        }
    }

    /// Removes the elements in `range` (ZREMRANGEBYSCORE/BYLEX): from the
    /// first one, onwards while they stay below the upper end. Returns how
    /// many.
    pub fn remove_range(&mut self, range: &ZRange) -> usize {
        let Some(first) = self.range_first(range) else {
            return 0;
        };
        let mut end = first;
        self.walk(first, false, |m, s| {
            if range.lte_max(m, s) {
                end += 1;
                true
            } else {
                false
            }
        });
        self.remove_ranks(first, end)
    }

    /// Removes the elements with ranks in `start..end`; returns how many.
    pub fn remove_ranks(&mut self, start: usize, end: usize) -> usize {
        let end = end.min(self.len());
        if start >= end {
            return 0;
        }
        match &mut self.repr {
            Repr::Small(c) => c.remove_ranks(start, end),
            Repr::Large(l) => {
                let mut ids = Vec::with_capacity(end - start);
                l.tree.walk(start, false, &mut |_, id| {
                    ids.push(id as usize);
                    ids.len() < end - start
                });
                // Highest positions first: a removal only moves the entry
                // at the last position, which is then never one still to go.
                ids.sort_unstable_by(|a, b| b.cmp(a));
                for pos in ids {
                    l.remove_at(pos);
                }
            }
        }
        end - start
    }

    /// Removes and returns the lowest (or, with `max`, highest) element.
    pub fn pop(&mut self, max: bool) -> Option<(Vec<u8>, f64)> {
        match &mut self.repr {
            Repr::Small(c) => {
                let rank = if max { c.len().checked_sub(1)? } else { 0 };
                let (m, s) = c.get(rank)?;
                let popped = (m.to_vec(), s);
                c.remove_ranks(rank, rank + 1);
                Some(popped)
            }
            Repr::Large(l) => {
                let rank = if max { l.map.len().checked_sub(1)? } else { 0 };
                let (_, id) = l.tree.get(rank)?;
                let (m, s) = l.remove_at(id as usize);
                Some((m.as_bytes().to_vec(), s))
            }
        }
    }

    /// A uniformly random slot for [`ZSetValue::slot`]; the set must not be
    /// empty.
    pub fn random_slot(&self, rng: &mut impl Rng) -> usize {
        assert!(!self.is_empty(), "random member of an empty sorted set");
        rng.random_range(0..self.len())
    }

    /// The element in storage slot `i` (0..len): rank order in the compact
    /// encoding (O(len)), member-table order in the large one (O(1)).
    pub fn slot(&self, i: usize) -> (&[u8], f64) {
        match &self.repr {
            Repr::Small(c) => c.get(i).expect("slot below the set's size"),
            Repr::Large(l) => (l.map.member(i), *l.map.value(i)),
        }
    }

    /// One ZSCAN step. The compact encoding is returned whole (cursor 0),
    /// as Redis does; the large one about `count` members at a time.
    /// `visit` gets the member, its score, and whether the set is compact
    /// (Redis then prints the score as the listpack stored it).
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(&[u8], f64, bool)) -> u64 {
        match &self.repr {
            Repr::Small(c) => {
                for (m, s) in c.iter() {
                    visit(m, s, true);
                }
                0
            }
            Repr::Large(l) => l.map.scan(cursor, count, |m, &s| visit(m, s, false)),
        }
    }
}

#[cfg(test)]
mod tests;
