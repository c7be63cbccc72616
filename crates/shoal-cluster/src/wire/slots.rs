//! The 2048-byte slot bitmap carried by every header and by UPDATE.
//!
//! Only the wire representation lives here; which node owns which slot is
//! the cluster view's business.

use std::fmt;

use shoal_types::{Slot, SLOT_COUNT};

/// Size of a slot bitmap on the wire: one bit per slot.
pub const SLOT_BITMAP_LEN: usize = SLOT_COUNT / 8;

/// A set of slots in wire form: slot `s` is bit `s % 8` (least significant
/// bit first) of byte `s / 8`.
///
/// Boxed because it is 2 KiB and headers get moved around.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SlotBitmap(Box<[u8; SLOT_BITMAP_LEN]>);

impl SlotBitmap {
    /// The empty set.
    pub fn new() -> SlotBitmap {
        SlotBitmap(Box::new([0; SLOT_BITMAP_LEN]))
    }

    /// Wraps bitmap bytes as they appear on the wire.
    pub fn from_bytes(bytes: [u8; SLOT_BITMAP_LEN]) -> SlotBitmap {
        SlotBitmap(Box::new(bytes))
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8; SLOT_BITMAP_LEN] {
        &self.0
    }

    /// Whether `slot` is in the set.
    pub fn contains(&self, slot: Slot) -> bool {
        let i = slot.index();
        self.0[i / 8] & (1 << (i % 8)) != 0
    }

    /// Adds `slot`.
    pub fn insert(&mut self, slot: Slot) {
        let i = slot.index();
        self.0[i / 8] |= 1 << (i % 8);
    }

    /// Removes `slot`.
    pub fn remove(&mut self, slot: Slot) {
        let i = slot.index();
        self.0[i / 8] &= !(1 << (i % 8));
    }

    /// Adds every slot from `first` to `last`, both included (nothing if
    /// `first > last`).
    pub fn insert_range(&mut self, first: Slot, last: Slot) {
        for n in first.get()..=last.get() {
            if let Some(slot) = Slot::new(n) {
                self.insert(slot);
            }
        }
    }

    /// True when no slot is set.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&b| b == 0)
    }

    /// Number of slots in the set.
    pub fn len(&self) -> usize {
        self.0.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The slots in the set, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = Slot> + '_ {
        // Whole zero bytes are skipped: with many primaries most are.
        self.0
            .iter()
            .enumerate()
            .filter(|(_, &b)| b != 0)
            .flat_map(|(byte, &b)| {
                (0..8u16)
                    .filter(move |bit| b & (1 << bit) != 0)
                    .filter_map(move |bit| Slot::new(byte as u16 * 8 + bit))
            })
    }

    /// The set as maximal runs `(first, last)` of consecutive slots.
    pub fn ranges(&self) -> Vec<(Slot, Slot)> {
        let mut out: Vec<(Slot, Slot)> = Vec::new();
        for slot in self.iter() {
            match out.last_mut() {
                Some((_, last)) if last.get() + 1 == slot.get() => *last = slot,
                _ => out.push((slot, slot)),
            }
        }
        out
    }
}

impl Default for SlotBitmap {
    fn default() -> SlotBitmap {
        SlotBitmap::new()
    }
}

impl FromIterator<Slot> for SlotBitmap {
    fn from_iter<I: IntoIterator<Item = Slot>>(iter: I) -> SlotBitmap {
        let mut bitmap = SlotBitmap::new();
        for slot in iter {
            bitmap.insert(slot);
        }
        bitmap
    }
}

/// Prints ranges (`SlotBitmap[0-5460, 7000]`): 2048 raw bytes would drown
/// a failing test's output.
impl fmt::Debug for SlotBitmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SlotBitmap[")?;
        for (i, (first, last)) in self.ranges().into_iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            if first == last {
                write!(f, "{first}")?;
            } else {
                write!(f, "{first}-{last}")?;
            }
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(n: u16) -> Slot {
        Slot::new(n).expect("test slots are below 16384")
    }

    #[test]
    fn bit_order_matches_the_captured_bitmap() {
        // Slots 10923..=16383: byte 1365 holds 10923..10927 in bits 3..7.
        let mut bitmap = SlotBitmap::new();
        bitmap.insert_range(slot(10923), slot(16383));
        let bytes = bitmap.as_bytes();
        assert_eq!(bytes[1364], 0);
        assert_eq!(bytes[1365], 0xf8);
        assert!(bytes[1366..].iter().all(|&b| b == 0xff));
        assert_eq!(bitmap.len(), 16384 - 10923);
    }

    #[test]
    fn insert_remove_and_ranges_agree() {
        let mut bitmap: SlotBitmap = [0, 1, 2, 5, 16383].into_iter().map(slot).collect();
        bitmap.remove(slot(1));
        assert!(!bitmap.contains(slot(1)));
        assert_eq!(
            bitmap.ranges(),
            vec![
                (slot(0), slot(0)),
                (slot(2), slot(2)),
                (slot(5), slot(5)),
                (slot(16383), slot(16383))
            ]
        );
        assert_eq!(format!("{bitmap:?}"), "SlotBitmap[0, 2, 5, 16383]");
        bitmap.insert_range(slot(3), slot(4));
        assert_eq!(format!("{bitmap:?}"), "SlotBitmap[0, 2-5, 16383]");
        assert!(SlotBitmap::new().is_empty());
    }
}
