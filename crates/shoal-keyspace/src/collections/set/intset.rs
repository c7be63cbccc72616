//! A sorted array of integers in the narrowest width that holds them all:
//! the `intset` encoding of small all-integer sets.
//!
//! Like Redis's intset, the array widens (16 → 32 → 64 bits) when a value
//! needs it and never narrows again. Lookups are binary searches; inserts
//! and removals shift the tail, which is cheap at the sizes this encoding
//! is used for (`set-max-intset-entries`, 512 by default).

/// Integers kept sorted, ascending, without duplicates.
#[derive(Debug, Clone)]
pub(crate) enum IntSet {
    /// Every value fits in 16 bits.
    W16(Vec<i16>),
    /// Every value fits in 32 bits.
    W32(Vec<i32>),
    /// 64-bit values.
    W64(Vec<i64>),
}

impl Default for IntSet {
    fn default() -> Self {
        IntSet::W16(Vec::new())
    }
}

/// Width class of a value: 0 for 16 bits, 1 for 32, 2 for 64.
fn width_class(v: i64) -> u8 {
    if i16::try_from(v).is_ok() {
        0
    } else if i32::try_from(v).is_ok() {
        1
    } else {
        2
    }
}

/// Inserts `v` into a sorted vector; false if already present.
fn insert_sorted<T: Ord + Copy>(vec: &mut Vec<T>, v: T) -> bool {
    match vec.binary_search(&v) {
        Ok(_) => false,
        Err(pos) => {
            vec.insert(pos, v);
            true
        }
    }
}

/// Removes `v` from a sorted vector; false if absent.
fn remove_sorted<T: Ord + Copy>(vec: &mut Vec<T>, v: T) -> bool {
    match vec.binary_search(&v) {
        Ok(pos) => {
            vec.remove(pos);
            true
        }
        Err(_) => false,
    }
}

impl IntSet {
    /// Number of values.
    pub(crate) fn len(&self) -> usize {
        match self {
            IntSet::W16(v) => v.len(),
            IntSet::W32(v) => v.len(),
            IntSet::W64(v) => v.len(),
        }
    }

    fn class(&self) -> u8 {
        match self {
            IntSet::W16(_) => 0,
            IntSet::W32(_) => 1,
            IntSet::W64(_) => 2,
        }
    }

    /// The value at `i` in ascending order.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> i64 {
        match self {
            IntSet::W16(v) => v[i] as i64,
            IntSet::W32(v) => v[i] as i64,
            IntSet::W64(v) => v[i],
        }
    }

    /// True when `x` is present.
    pub(crate) fn contains(&self, x: i64) -> bool {
        if width_class(x) > self.class() {
            return false;
        }
        match self {
            IntSet::W16(v) => v.binary_search(&(x as i16)).is_ok(),
            IntSet::W32(v) => v.binary_search(&(x as i32)).is_ok(),
            IntSet::W64(v) => v.binary_search(&x).is_ok(),
        }
    }

    /// Adds `x`; false if it was present.
    pub(crate) fn insert(&mut self, x: i64) -> bool {
        if width_class(x) > self.class() {
            self.widen(width_class(x));
        }
        match self {
            IntSet::W16(v) => insert_sorted(v, x as i16),
            IntSet::W32(v) => insert_sorted(v, x as i32),
            IntSet::W64(v) => insert_sorted(v, x),
        }
    }

    /// Removes `x`; false if it was absent.
    pub(crate) fn remove(&mut self, x: i64) -> bool {
        if width_class(x) > self.class() {
            return false;
        }
        match self {
            IntSet::W16(v) => remove_sorted(v, x as i16),
            IntSet::W32(v) => remove_sorted(v, x as i32),
            IntSet::W64(v) => remove_sorted(v, x),
        }
    }

    /// Removes and returns the value at `i`.
    pub(crate) fn remove_at(&mut self, i: usize) -> i64 {
        match self {
            IntSet::W16(v) => v.remove(i) as i64,
            IntSet::W32(v) => v.remove(i) as i64,
            IntSet::W64(v) => v.remove(i),
        }
    }

    fn widen(&mut self, class: u8) {
        let all: Vec<i64> = (0..self.len()).map(|i| self.get(i)).collect();
        *self = match class {
            1 => IntSet::W32(all.iter().map(|&x| x as i32).collect()),
            _ => IntSet::W64(all),
        };
    }

    /// Heap bytes used.
    pub(crate) fn heap_size(&self) -> usize {
        match self {
            IntSet::W16(v) => v.capacity() * 2,
            IntSet::W32(v) => v.capacity() * 4,
            IntSet::W64(v) => v.capacity() * 8,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widens_as_values_grow_and_stays_sorted() {
        let mut s = IntSet::default();
        assert!(s.insert(5));
        assert!(s.insert(-3));
        assert!(!s.insert(5));
        assert!(matches!(s, IntSet::W16(_)));
        assert!(s.insert(70_000));
        assert!(matches!(s, IntSet::W32(_)));
        assert!(s.insert(i64::MIN));
        assert!(matches!(s, IntSet::W64(_)));
        let all: Vec<i64> = (0..s.len()).map(|i| s.get(i)).collect();
        assert_eq!(all, vec![i64::MIN, -3, 5, 70_000]);
        assert!(s.contains(70_000));
        assert!(!s.contains(4));
        assert!(s.remove(-3));
        assert!(!s.remove(-3));
        assert_eq!(s.remove_at(0), i64::MIN);
        assert_eq!(s.len(), 2);
        // A narrow set never holds a wide value.
        let narrow = IntSet::W16(vec![1, 2]);
        assert!(!narrow.contains(1 << 40));
    }
}
