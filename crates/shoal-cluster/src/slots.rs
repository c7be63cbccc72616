//! Slot ranges and the per-slot tables of the cluster view.
//!
//! [`SlotRange`] is an inclusive run of slots, written `A-B` (or `N` for a
//! single slot) as in CLUSTER NODES and nodes.conf. [`SlotTable`] maps each
//! of the 16384 slots to a small node index, the compact form the view
//! keeps its owner and migration tables in.
//!
//! Nothing here knows about nodes, epochs or the wire; the view gives the
//! indexes their meaning.

use std::fmt;

use shoal_types::{Slot, SLOT_COUNT};

/// An inclusive run of slots `start..=end`, `start <= end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SlotRange {
    /// First slot of the run.
    pub start: Slot,
    /// Last slot of the run (inclusive).
    pub end: Slot,
}

impl SlotRange {
    /// The run `start..=end`, or `None` if `start > end`.
    pub fn new(start: Slot, end: Slot) -> Option<SlotRange> {
        (start <= end).then_some(SlotRange { start, end })
    }

    /// The run holding only `slot`.
    pub fn single(slot: Slot) -> SlotRange {
        SlotRange {
            start: slot,
            end: slot,
        }
    }

    /// Number of slots in the run (at least 1).
    pub fn len(&self) -> usize {
        self.end.index() - self.start.index() + 1
    }

    /// Always false: a range holds at least one slot. (Here for clippy's
    /// `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }

    /// True when `slot` is inside the run.
    pub fn contains(&self, slot: Slot) -> bool {
        self.start <= slot && slot <= self.end
    }

    /// The slots of the run, ascending.
    pub fn slots(&self) -> impl Iterator<Item = Slot> {
        (self.start.get()..=self.end.get()).map(slot_unchecked)
    }
}

/// `A-B`, or `N` when the run is a single slot (the CLUSTER NODES form).
impl fmt::Display for SlotRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            write!(f, "{}", self.start)
        } else {
            write!(f, "{}-{}", self.start, self.end)
        }
    }
}

/// Coalesces ascending, distinct slots into maximal runs.
///
/// Input that is not ascending still yields valid ranges, only more of them.
pub fn ranges_of(slots: impl IntoIterator<Item = Slot>) -> Vec<SlotRange> {
    let mut out: Vec<SlotRange> = Vec::new();
    for slot in slots {
        match out.last_mut() {
            Some(last) if last.end.get().checked_add(1) == Some(slot.get()) => last.end = slot,
            _ => out.push(SlotRange::single(slot)),
        }
    }
    out
}

/// Slot `n` for `n` known to be below [`SLOT_COUNT`].
pub(crate) fn slot_unchecked(n: u16) -> Slot {
    Slot::new(n).expect("callers only pass numbers below SLOT_COUNT")
}

/// Every slot, ascending.
pub(crate) fn all_slots() -> impl Iterator<Item = Slot> {
    (0..SLOT_COUNT as u16).map(slot_unchecked)
}

/// A per-slot table of optional small indexes (2 bytes a slot, 32 KiB).
///
/// Used by the view for "owner of slot", "migrating to" and "importing
/// from"; the index is a position in the view's node table.
#[derive(Clone)]
pub(crate) struct SlotTable {
    cells: Box<[u16]>,
    /// Bumped by every change, so derived data (bitmaps) can be cached.
    generation: u64,
    /// Cells holding an index.
    filled: usize,
    /// Per index: the generation of the last change of a cell to or from
    /// that index.
    changed_at: Vec<u64>,
    /// The generation at which every index was last renumbered or cleared.
    renumbered_at: u64,
}

// Equality is about the contents; how many changes led there is not.
impl PartialEq for SlotTable {
    fn eq(&self, other: &Self) -> bool {
        self.cells == other.cells
    }
}

impl Eq for SlotTable {}

impl SlotTable {
    /// Sentinel for "no node"; node tables never grow this large.
    const NONE: u16 = u16::MAX;

    /// Largest index a cell can hold.
    pub(crate) const MAX_INDEX: usize = (u16::MAX - 1) as usize;

    pub(crate) fn new() -> SlotTable {
        SlotTable {
            cells: vec![Self::NONE; SLOT_COUNT].into_boxed_slice(),
            generation: 0,
            filled: 0,
            changed_at: Vec::new(),
            renumbered_at: 0,
        }
    }

    pub(crate) fn get(&self, slot: Slot) -> Option<usize> {
        let v = self.cells[slot.index()];
        (v != Self::NONE).then_some(v as usize)
    }

    /// Changes so far (see the field).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// A number that changes whenever the set of cells holding `index`
    /// may have changed (and only then, except for renumbering): data
    /// derived from those cells can be kept while it stays the same.
    pub(crate) fn version_of(&self, index: usize) -> u64 {
        let changed = self.changed_at.get(index).copied().unwrap_or(0);
        changed.max(self.renumbered_at)
    }

    fn note_change(&mut self, index: usize) {
        if self.changed_at.len() <= index {
            self.changed_at.resize(index + 1, 0);
        }
        self.changed_at[index] = self.generation;
    }

    /// True when no cell holds an index.
    pub(crate) fn is_empty(&self) -> bool {
        self.filled == 0
    }

    pub(crate) fn set(&mut self, slot: Slot, value: Option<usize>) {
        self.generation += 1;
        let old = self.cells[slot.index()];
        let was_filled = old != Self::NONE;
        self.filled = self.filled + usize::from(value.is_some()) - usize::from(was_filled);
        if was_filled {
            self.note_change(old as usize);
        }
        if let Some(i) = value {
            self.note_change(i);
        }
        self.cells[slot.index()] = match value {
            Some(i) => {
                assert!(
                    i <= Self::MAX_INDEX,
                    "node index {i} does not fit a slot table"
                );
                i as u16
            }
            None => Self::NONE,
        };
    }

    pub(crate) fn clear(&mut self) {
        self.generation += 1;
        self.renumbered_at = self.generation;
        self.filled = 0;
        self.cells.fill(Self::NONE);
    }

    /// Slots whose cell holds `index`, ascending.
    pub(crate) fn slots_with(&self, index: usize) -> impl Iterator<Item = Slot> + '_ {
        self.cells
            .iter()
            .enumerate()
            .filter(move |(_, &v)| v as usize == index && v != Self::NONE)
            .map(|(s, _)| slot_unchecked(s as u16))
    }

    /// The slots whose cell holds `index`, as bus bitmap bytes (bit
    /// `s % 8` of byte `s / 8`). One pass over the cells, eight at a time:
    /// this runs for every message header, so it avoids the per-slot
    /// iterator of [`SlotTable::slots_with`].
    pub(crate) fn bitmap_of(&self, index: usize) -> [u8; SLOT_COUNT / 8] {
        let mut out = [0u8; SLOT_COUNT / 8];
        if index > Self::MAX_INDEX {
            return out;
        }
        let want = index as u16;
        for (byte, cells) in out.iter_mut().zip(self.cells.chunks_exact(8)) {
            let mut b = 0u8;
            for (bit, &cell) in cells.iter().enumerate() {
                b |= u8::from(cell == want) << bit;
            }
            *byte = b;
        }
        out
    }

    /// All set cells as `(slot, index)`, ascending by slot.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (Slot, usize)> + '_ {
        self.cells
            .iter()
            .enumerate()
            .filter(|(_, &v)| v != Self::NONE)
            .map(|(s, &v)| (slot_unchecked(s as u16), v as usize))
    }

    /// Rewrites indexes after the node at `removed` left the table: cells
    /// pointing at it become empty, cells above it move down by one.
    pub(crate) fn forget_index(&mut self, removed: usize) {
        self.generation += 1;
        self.renumbered_at = self.generation;
        for cell in self.cells.iter_mut() {
            if *cell == Self::NONE {
                continue;
            }
            let v = *cell as usize;
            if v == removed {
                *cell = Self::NONE;
                self.filled -= 1;
            } else if v > removed {
                *cell -= 1;
            }
        }
    }
}

/// A set of slots as a bitmap, 2048 bytes, bit `s % 8` of byte `s / 8` for
/// slot `s` (the cluster bus layout, least significant bit first).
#[derive(Clone, PartialEq, Eq)]
pub struct SlotBitmap(pub [u8; SLOT_COUNT / 8]);

impl SlotBitmap {
    /// The empty set.
    pub fn new() -> SlotBitmap {
        SlotBitmap([0; SLOT_COUNT / 8])
    }

    /// True when `slot` is in the set.
    pub fn contains(&self, slot: Slot) -> bool {
        self.0[slot.index() / 8] & (1 << (slot.index() % 8)) != 0
    }

    /// Adds `slot`.
    pub fn insert(&mut self, slot: Slot) {
        self.0[slot.index() / 8] |= 1 << (slot.index() % 8);
    }

    /// Removes `slot`.
    pub fn remove(&mut self, slot: Slot) {
        self.0[slot.index() / 8] &= !(1 << (slot.index() % 8));
    }

    /// Number of slots in the set.
    pub fn count(&self) -> usize {
        self.0.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The slots in the set, ascending.
    pub fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        all_slots().filter(|&s| self.contains(s))
    }

    /// The set as maximal ascending runs; zero bytes are skipped whole.
    pub fn ranges(&self) -> Vec<SlotRange> {
        let set = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, &b)| b != 0)
            .flat_map(|(byte, &b)| {
                (0..8u16)
                    .filter(move |bit| b & (1 << bit) != 0)
                    .map(move |bit| slot_unchecked(byte as u16 * 8 + bit))
            });
        ranges_of(set)
    }
}

impl Default for SlotBitmap {
    fn default() -> Self {
        SlotBitmap::new()
    }
}

impl fmt::Debug for SlotBitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ranges: Vec<String> = ranges_of(self.iter())
            .iter()
            .map(|r| r.to_string())
            .collect();
        write!(f, "SlotBitmap[{}]", ranges.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(n: u16) -> Slot {
        Slot::new(n).unwrap()
    }

    #[test]
    fn ranges_coalesce_consecutive_slots() {
        let r = ranges_of([0, 1, 2, 5, 7, 8, 16383].map(s));
        let text: Vec<String> = r.iter().map(|r| r.to_string()).collect();
        assert_eq!(text, ["0-2", "5", "7-8", "16383"]);
        assert_eq!(r[0].len(), 3);
    }

    #[test]
    fn bitmap_of_matches_slots_with() {
        let mut t = SlotTable::new();
        for n in [0u16, 7, 8, 9, 100, 16383] {
            t.set(slot_unchecked(n), Some(3));
        }
        t.set(slot_unchecked(5), Some(2));
        for index in [2, 3, 4, SlotTable::MAX_INDEX + 1] {
            let mut expected = SlotBitmap::new();
            for s in t.slots_with(index) {
                expected.insert(s);
            }
            assert_eq!(t.bitmap_of(index), expected.0, "index {index}");
        }
    }

    #[test]
    fn slot_table_forgets_and_shifts_indexes() {
        let mut t = SlotTable::new();
        t.set(s(1), Some(0));
        t.set(s(2), Some(1));
        t.set(s(3), Some(2));
        t.forget_index(1);
        assert_eq!(t.get(s(1)), Some(0));
        assert_eq!(t.get(s(2)), None);
        assert_eq!(t.get(s(3)), Some(1));
        assert_eq!(t.slots_with(1).collect::<Vec<_>>(), [s(3)]);
    }

    #[test]
    fn bitmap_ranges_are_the_runs_of_its_slots() {
        let mut b = SlotBitmap::new();
        assert!(b.ranges().is_empty());
        for n in [0u16, 1, 2, 7, 8, 9, 100, 16382, 16383] {
            b.insert(s(n));
        }
        assert_eq!(b.ranges(), ranges_of(b.iter()));
        assert_eq!(b.ranges().len(), 4);
    }

    #[test]
    fn bitmap_is_lsb_first_like_the_bus() {
        let mut b = SlotBitmap::new();
        for n in 10923..16384 {
            b.insert(s(n));
        }
        // The bus capture in the spec: byte 1365 is 0xF8 for slots 10923...
        assert_eq!(b.0[1365], 0xF8);
        assert_eq!(b.count(), 16384 - 10923);
        b.remove(s(10923));
        assert!(!b.contains(s(10923)));
        assert!(b.contains(s(10924)));
    }
}
