//! The set type, in Redis 7.0's two encodings.
//!
//! - `intset`: every member is a canonical 64-bit integer (as Redis's
//!   `string2ll` reads it) and there are at most `set-max-intset-entries`
//!   of them. Members are kept sorted, so a walk yields them ascending,
//!   as Redis's SMEMBERS of an intset does.
//! - `hashtable`: anything else, in a [`DenseMap`] (O(1) membership, O(1)
//!   uniform random member, a SSCAN cursor that misses nothing).
//!
//! A set converts from `intset` to `hashtable` when a non-integer member
//! arrives or it outgrows the limit, and never back (Redis 7.0 neither;
//! the `listpack` set encoding came with 7.2). Sets built by a command
//! (SINTERSTORE, SUNIONSTORE, SPOP's rebuild...) start as an empty intset
//! and go through the same rule, which is how Redis picks their encoding.

mod intset;

use super::dense::{hash_member, DenseMap};
use crate::small_bytes::SmallBytes;
use crate::value::{parse_canonical_i64, StrRef};
use intset::IntSet;
use rand::Rng;

/// Redis caps the intset limit at 2^30 entries whatever the config says.
const INTSET_HARD_LIMIT: usize = 1 << 30;

/// A set value.
#[derive(Debug, Clone)]
pub struct SetValue {
    repr: Repr,
}

#[derive(Debug, Clone)]
enum Repr {
    Ints(IntSet),
    Table(DenseMap<()>),
}

impl Default for SetValue {
    fn default() -> Self {
        SetValue::new_intset()
    }
}

fn int_bytes(n: i64) -> SmallBytes {
    SmallBytes::new(itoa::Buffer::new().format(n).as_bytes())
}

impl SetValue {
    /// An empty set in the `intset` encoding: the start of every set a
    /// command computes.
    pub fn new_intset() -> SetValue {
        SetValue {
            repr: Repr::Ints(IntSet::default()),
        }
    }

    /// An empty set in the encoding Redis picks for a new key whose first
    /// member is `first` (SADD, SMOVE): `intset` for an integer, else
    /// `hashtable`.
    pub fn for_first_member(first: &[u8]) -> SetValue {
        if parse_canonical_i64(first).is_some() {
            SetValue::new_intset()
        } else {
            SetValue {
                repr: Repr::Table(DenseMap::default()),
            }
        }
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        match &self.repr {
            Repr::Ints(s) => s.len(),
            Repr::Table(t) => t.len(),
        }
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        match &self.repr {
            Repr::Ints(_) => "intset",
            Repr::Table(_) => "hashtable",
        }
    }

    /// True while the set is an intset.
    pub fn is_intset(&self) -> bool {
        matches!(self.repr, Repr::Ints(_))
    }

    /// Approximate heap bytes.
    pub fn heap_size(&self) -> usize {
        match &self.repr {
            Repr::Ints(s) => s.heap_size(),
            Repr::Table(t) => t.heap_size(),
        }
    }

    /// Adds `member`; false if it was already there. `max_intset_entries`
    /// is `set-max-intset-entries`.
    pub fn add(&mut self, member: &[u8], max_intset_entries: usize) -> bool {
        match &mut self.repr {
            Repr::Ints(s) => match parse_canonical_i64(member) {
                Some(n) => {
                    if !s.insert(n) {
                        return false;
                    }
                    if s.len() > max_intset_entries.min(INTSET_HARD_LIMIT) {
                        self.convert_to_table(0);
                    }
                    true
                }
                None => {
                    self.convert_to_table(1);
                    self.table_mut().push(SmallBytes::new(member), ());
                    true
                }
            },
            Repr::Table(t) => {
                let hash = hash_member(member);
                if t.find_hashed(hash, member).is_some() {
                    return false;
                }
                t.push_hashed(hash, SmallBytes::new(member), ());
                true
            }
        }
    }

    fn table_mut(&mut self) -> &mut DenseMap<()> {
        match &mut self.repr {
            Repr::Table(t) => t,
            Repr::Ints(_) => unreachable!("converted to a table just before"),
        }
    }

    fn convert_to_table(&mut self, extra: usize) {
        let Repr::Ints(s) = &self.repr else {
            return;
        };
        let mut t = DenseMap::with_capacity(s.len() + extra);
        for i in 0..s.len() {
            t.push(int_bytes(s.get(i)), ());
        }
        self.repr = Repr::Table(t);
    }

    /// Removes `member`; false if it was absent.
    pub fn remove(&mut self, member: &[u8]) -> bool {
        match &mut self.repr {
            Repr::Ints(s) => parse_canonical_i64(member).is_some_and(|n| s.remove(n)),
            Repr::Table(t) => match t.find(member) {
                Some(pos) => {
                    t.swap_remove(pos);
                    true
                }
                None => false,
            },
        }
    }

    /// True when `member` is in the set.
    pub fn contains(&self, member: &[u8]) -> bool {
        match &self.repr {
            Repr::Ints(s) => parse_canonical_i64(member).is_some_and(|n| s.contains(n)),
            Repr::Table(t) => t.find(member).is_some(),
        }
    }

    /// The member at position `i` of the walk order (0..len).
    pub fn get(&self, i: usize) -> StrRef<'_> {
        match &self.repr {
            Repr::Ints(s) => StrRef::Int(s.get(i)),
            Repr::Table(t) => StrRef::Bytes(t.member(i)),
        }
    }

    /// Removes the member at position `i` and returns it.
    pub fn remove_at(&mut self, i: usize) -> Vec<u8> {
        match &mut self.repr {
            Repr::Ints(s) => itoa::Buffer::new()
                .format(s.remove_at(i))
                .as_bytes()
                .to_vec(),
            Repr::Table(t) => t.swap_remove(i).0.as_bytes().to_vec(),
        }
    }

    /// A uniformly random position (0..len); the set must not be empty.
    pub fn random_index(&self, rng: &mut impl Rng) -> usize {
        assert!(!self.is_empty(), "random member of an empty set");
        rng.random_range(0..self.len())
    }

    /// Every member, in walk order (ascending for an intset).
    pub fn iter(&self) -> impl Iterator<Item = StrRef<'_>> + '_ {
        (0..self.len()).map(move |i| self.get(i))
    }

    /// One SSCAN step: an intset is returned whole (cursor 0), as Redis
    /// does for its compact encodings; a table about `count` members at a
    /// time. Returns the next cursor, 0 when done.
    pub fn scan(&self, cursor: u64, count: usize, mut visit: impl FnMut(StrRef<'_>)) -> u64 {
        match &self.repr {
            Repr::Ints(s) => {
                for i in 0..s.len() {
                    visit(StrRef::Int(s.get(i)));
                }
                0
            }
            Repr::Table(t) => t.scan(cursor, count, |m, _| visit(StrRef::Bytes(m))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn members(s: &SetValue) -> BTreeSet<Vec<u8>> {
        s.iter().map(|m| m.to_vec()).collect()
    }

    #[test]
    fn encodings_follow_redis_rules() {
        let mut s = SetValue::for_first_member(b"1");
        assert_eq!(s.encoding_name(), "intset");
        assert!(s.add(b"3", 512));
        assert!(s.add(b"-2", 512));
        assert!(!s.add(b"3", 512));
        let walk: Vec<Vec<u8>> = s.iter().map(|m| m.to_vec()).collect();
        assert_eq!(walk, vec![b"-2".to_vec(), b"3".to_vec()]);
        assert!(s.add(b"01", 512));
        assert_eq!(s.encoding_name(), "hashtable");
        assert!(s.contains(b"3") && s.contains(b"01") && !s.contains(b"1"));
        assert_eq!(
            SetValue::for_first_member(b"a").encoding_name(),
            "hashtable"
        );
        let mut big = SetValue::new_intset();
        for i in 0..4 {
            big.add(i.to_string().as_bytes(), 4);
        }
        assert_eq!(big.encoding_name(), "intset");
        big.add(b"4", 4);
        assert_eq!(big.encoding_name(), "hashtable");
        assert_eq!(big.len(), 5);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u8, bool),
        Remove(u8, bool),
        RemoveAt(usize),
    }

    fn member(n: u8, text: bool) -> Vec<u8> {
        if text {
            format!("m{n}").into_bytes()
        } else {
            format!("{}", n as i64 * 1_000_003 - 100_000).into_bytes()
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<u8>(), prop::bool::weighted(0.1)).prop_map(|(n, t)| Op::Add(n, t)),
            2 => (any::<u8>(), prop::bool::weighted(0.1)).prop_map(|(n, t)| Op::Remove(n, t)),
            1 => any::<usize>().prop_map(Op::RemoveAt),
        ]
    }

    proptest! {
        #[test]
        fn behaves_like_a_btreeset(ops in prop::collection::vec(op(), 1..400), limit in 0usize..40) {
            let mut s = SetValue::new_intset();
            let mut model: BTreeSet<Vec<u8>> = BTreeSet::new();
            for op in ops {
                match op {
                    Op::Add(n, t) => {
                        let m = member(n, t);
                        prop_assert_eq!(s.add(&m, limit), model.insert(m));
                    }
                    Op::Remove(n, t) => {
                        let m = member(n, t);
                        prop_assert_eq!(s.remove(&m), model.remove(&m));
                    }
                    Op::RemoveAt(i) => {
                        if !model.is_empty() {
                            let gone = s.remove_at(i % s.len());
                            prop_assert!(model.remove(&gone));
                        }
                    }
                }
                prop_assert_eq!(s.len(), model.len());
                let all_ints = model.iter().all(|m| parse_canonical_i64(m).is_some());
                if !all_ints || model.len() > limit {
                    prop_assert_eq!(s.encoding_name(), "hashtable");
                }
                if s.is_intset() {
                    let walk: Vec<i64> = s.iter().map(|m| match m { StrRef::Int(n) => n, StrRef::Bytes(_) => unreachable!() }).collect();
                    prop_assert!(walk.windows(2).all(|w| w[0] < w[1]));
                }
            }
            prop_assert_eq!(members(&s), model.clone());
            for m in &model {
                prop_assert!(s.contains(m));
            }
        }
    }
}
