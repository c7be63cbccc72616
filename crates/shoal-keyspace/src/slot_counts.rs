//! Key counts per slot with prefix sums (a Fenwick tree), so a uniformly
//! random key can be found in O(log slots) without walking 16384 tables.

use shoal_types::SLOT_COUNT;

/// Per-slot key counts supporting "which slot holds the n-th key".
#[derive(Debug, Clone)]
pub(crate) struct SlotCounts {
    tree: Box<[u32]>, // 1-based Fenwick tree over SLOT_COUNT slots
}

impl Default for SlotCounts {
    fn default() -> Self {
        SlotCounts {
            tree: vec![0u32; SLOT_COUNT + 1].into_boxed_slice(),
        }
    }
}

impl SlotCounts {
    /// Adds `delta` (+1 or -1) to `slot`'s count.
    #[inline]
    pub(crate) fn add(&mut self, slot: usize, delta: i32) {
        let mut i = slot + 1;
        while i <= SLOT_COUNT {
            self.tree[i] = self.tree[i].wrapping_add_signed(delta);
            i += i & i.wrapping_neg();
        }
    }

    /// The slot holding the `n`-th key (0-based) in slot order, and `n`'s
    /// offset within that slot. `n` must be below the total count.
    pub(crate) fn find(&self, mut n: u64) -> (usize, usize) {
        let mut pos = 0usize;
        let mut step = SLOT_COUNT; // power of two
        while step > 0 {
            let next = pos + step;
            if next <= SLOT_COUNT && (self.tree[next] as u64) <= n {
                n -= self.tree[next] as u64;
                pos = next;
            }
            step >>= 1;
        }
        (pos, n as usize)
    }

    pub(crate) fn clear(&mut self) {
        self.tree.iter_mut().for_each(|c| *c = 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_slot_of_the_nth_key() {
        let mut c = SlotCounts::default();
        for _ in 0..3 {
            c.add(5, 1);
        }
        c.add(100, 1);
        for _ in 0..2 {
            c.add(16383, 1);
        }
        assert_eq!(c.find(0), (5, 0));
        assert_eq!(c.find(2), (5, 2));
        assert_eq!(c.find(3), (100, 0));
        assert_eq!(c.find(4), (16383, 0));
        assert_eq!(c.find(5), (16383, 1));
        c.add(5, -1);
        assert_eq!(c.find(2), (100, 0));
    }
}
