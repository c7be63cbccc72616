//! The list type: a deque of packed chunks, like Redis's quicklist.
//!
//! Elements are packed back to back inside byte chunks of bounded size
//! (`list-max-listpack-size`: -1..-5 bound a chunk to 4..64 KiB, a positive
//! value to that many elements and 8 KiB), and the chunks sit in a
//! `VecDeque`. Each element costs its bytes plus a length before and after
//! it (one byte each below 128 bytes), so a chunk can be walked from either
//! end and a short element costs two bytes of overhead, as in a listpack:
//!
//! ```text
//! chunk: [len][bytes...][len'] [len][bytes...][len'] ...
//!        len  = LEB128 of the length (forward reading)
//!        len' = the same bytes reversed (backward reading)
//! ```
//!
//! Pushing and popping at either end touch one chunk (each chunk keeps free
//! room at its front as well as at its back). Access by index walks the
//! chunk counts from the nearer end, then the elements of one chunk, as
//! Redis does. Redis 7.0 reports every list as `quicklist`, whatever its
//! size, so there is no visible encoding switch; the chunking only bounds
//! the cost of edits in the middle and the memory per element.
//!
//! Not here: compression of inner nodes (`list-compress-depth`), integer
//! packing of numeric elements.

use std::collections::VecDeque;

/// Chunk byte limits for `list-max-listpack-size` -1 ..= -5.
const SIZE_LEVELS: [usize; 5] = [4096, 8192, 16384, 32768, 65536];
/// With a positive (element count) setting, chunks also stay this small.
const COUNT_MODE_MAX_BYTES: usize = 8192;
/// Redis counts this much per-element overhead when deciding whether an
/// element still fits a node; used the same way here.
const FIT_OVERHEAD: usize = 8;
/// Smallest buffer given to a new chunk, so a few short pushes do not
/// each reallocate.
const MIN_CHUNK_CAPACITY: usize = 32;

/// How full a chunk may get, from `list-max-listpack-size`.
#[derive(Debug, Clone, Copy)]
struct Fill {
    max_bytes: usize,
    max_count: usize,
}

impl Fill {
    fn from_setting(setting: i64) -> Fill {
        if setting < 0 {
            let level = ((-setting - 1) as usize).min(SIZE_LEVELS.len() - 1);
            Fill {
                max_bytes: SIZE_LEVELS[level],
                max_count: usize::MAX,
            }
        } else {
            Fill {
                max_bytes: COUNT_MODE_MAX_BYTES,
                max_count: setting as usize,
            }
        }
    }

    /// True when `chunk` may take another element of `encoded` bytes. An
    /// empty chunk takes anything, so an oversized element gets its own.
    fn admits(&self, chunk: &Chunk, encoded: usize) -> bool {
        chunk.count == 0
            || (chunk.bytes() + encoded + FIT_OVERHEAD <= self.max_bytes
                && (chunk.count as usize) < self.max_count)
    }
}

/// Bytes of the LEB128 form of `len`.
#[inline]
fn len_bytes(len: usize) -> usize {
    let bits = usize::BITS - (len | 1).leading_zeros();
    bits.div_ceil(7) as usize
}

/// Bytes an element of `len` bytes occupies in a chunk.
#[inline]
fn encoded_len(len: usize) -> usize {
    len + 2 * len_bytes(len)
}

/// Writes the encoded element into `out`, which is exactly
/// `encoded_len(item.len())` bytes long.
fn write_entry(out: &mut [u8], item: &[u8]) {
    let n = len_bytes(item.len());
    let mut v = item.len();
    for i in 0..n {
        let more = if i + 1 < n { 0x80 } else { 0 };
        let b = (v & 0x7f) as u8 | more;
        out[i] = b;
        // The trailer holds the same bytes in reverse order.
        out[out.len() - 1 - i] = b;
        v >>= 7;
    }
    out[n..n + item.len()].copy_from_slice(item);
}

/// Decodes the element starting at `pos`: (data start, data length, end).
#[inline]
fn read_forward(buf: &[u8], pos: usize) -> (usize, usize, usize) {
    let b = buf[pos];
    if b < 0x80 {
        let len = b as usize;
        return (pos + 1, len, pos + 2 + len);
    }
    let (mut len, mut shift, mut i) = (0usize, 0u32, pos);
    loop {
        let b = buf[i];
        len |= ((b & 0x7f) as usize) << shift;
        i += 1;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let n = i - pos;
    (i, len, i + len + n)
}

/// Decodes the element ending at `end`: (data start, data length, start).
#[inline]
fn read_backward(buf: &[u8], end: usize) -> (usize, usize, usize) {
    let b = buf[end - 1];
    if b < 0x80 {
        let len = b as usize;
        return (end - 1 - len, len, end - 2 - len);
    }
    let (mut len, mut shift, mut i) = (0usize, 0u32, end);
    loop {
        i -= 1;
        let b = buf[i];
        len |= ((b & 0x7f) as usize) << shift;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let n = end - i;
    let data_start = i - len;
    (data_start, len, data_start - n)
}

/// A run of packed elements in `buf[head..]`; the room before `head` and
/// after `buf.len()` takes pushes at the two ends.
#[derive(Debug, Clone, Default)]
struct Chunk {
    buf: Vec<u8>,
    head: usize,
    count: u32,
}

impl Chunk {
    #[inline]
    fn bytes(&self) -> usize {
        self.buf.len() - self.head
    }

    #[inline]
    fn item_at(&self, pos: usize) -> &[u8] {
        let (start, len, _) = read_forward(&self.buf, pos);
        &self.buf[start..start + len]
    }

    fn first(&self) -> &[u8] {
        self.item_at(self.head)
    }

    fn last(&self) -> &[u8] {
        let (start, len, _) = read_backward(&self.buf, self.buf.len());
        &self.buf[start..start + len]
    }

    /// Makes room for `extra` more bytes at the back, growing the buffer
    /// geometrically but not far past the chunk limit.
    fn reserve_back(&mut self, extra: usize, max_bytes: usize) {
        if self.buf.capacity() - self.buf.len() >= extra {
            return;
        }
        // A chunk used as a queue (push back, pop front) would otherwise
        // keep its popped prefix forever.
        if self.head > 0 && self.head >= self.bytes() {
            self.buf.copy_within(self.head.., 0);
            self.buf.truncate(self.bytes());
            self.head = 0;
            if self.buf.capacity() - self.buf.len() >= extra {
                return;
            }
        }
        let needed = self.buf.len() + extra;
        let target = (self.buf.capacity() * 2)
            .max(MIN_CHUNK_CAPACITY)
            .min(max_bytes + self.head)
            .max(needed);
        self.buf.reserve_exact(target - self.buf.len());
    }

    fn push_back(&mut self, item: &[u8], max_bytes: usize) {
        let n = encoded_len(item.len());
        self.reserve_back(n, max_bytes);
        let at = self.buf.len();
        self.buf.resize(at + n, 0);
        write_entry(&mut self.buf[at..], item);
        self.count += 1;
    }

    fn push_front(&mut self, item: &[u8], max_bytes: usize) {
        let n = encoded_len(item.len());
        if self.head < n {
            // Re-lay the data with a front gap about as large as the data
            // itself (bounded by the chunk limit), so repeated pushes at
            // the front cost amortized O(1).
            let data = self.bytes();
            let needed = data + n;
            let target = (needed * 2)
                .max(MIN_CHUNK_CAPACITY)
                .min(max_bytes)
                .max(needed);
            let gap = target - data;
            if self.buf.capacity() >= target && self.buf.len() <= target {
                self.buf.resize(target, 0);
                self.buf.copy_within(self.head..self.head + data, gap);
                self.buf.truncate(gap + data);
            } else {
                let mut fresh = Vec::with_capacity(target);
                fresh.resize(gap, 0);
                fresh.extend_from_slice(&self.buf[self.head..]);
                self.buf = fresh;
            }
            self.head = gap;
        }
        self.head -= n;
        let head = self.head;
        write_entry(&mut self.buf[head..head + n], item);
        self.count += 1;
    }

    fn pop_front(&mut self) {
        let (_, _, end) = read_forward(&self.buf, self.head);
        self.head = end;
        self.count -= 1;
        if self.count == 0 {
            self.buf.clear();
            self.head = 0;
        }
    }

    fn pop_back(&mut self) {
        let (_, _, start) = read_backward(&self.buf, self.buf.len());
        self.buf.truncate(start);
        self.count -= 1;
        if self.count == 0 {
            self.buf.clear();
            self.head = 0;
        }
    }

    /// Offset of the start of element `index` (which must exist), walking
    /// from the nearer end.
    fn offset_of(&self, index: usize) -> usize {
        let count = self.count as usize;
        debug_assert!(index < count);
        if index <= count / 2 {
            let mut pos = self.head;
            for _ in 0..index {
                pos = read_forward(&self.buf, pos).2;
            }
            pos
        } else {
            let mut end = self.buf.len();
            for _ in 0..count - index {
                end = read_backward(&self.buf, end).2;
            }
            end
        }
    }

    /// Replaces the bytes `start..end` (whole elements) with `with`.
    fn splice(&mut self, start: usize, end: usize, with: &[u8]) {
        self.buf.splice(start..end, with.iter().copied());
    }

    /// Splits off the second half of the elements into a new chunk, if
    /// there is more than one element.
    fn split_half(&mut self) -> Option<Chunk> {
        if self.count < 2 {
            return None;
        }
        let keep = self.count / 2;
        let at = self.offset_of(keep as usize);
        let tail = Chunk {
            buf: self.buf[at..].to_vec(),
            head: 0,
            count: self.count - keep,
        };
        self.buf.truncate(at);
        self.buf.shrink_to_fit();
        self.count = keep;
        Some(tail)
    }

    /// Removes the byte ranges (whole elements, ascending, disjoint).
    fn remove_ranges(&mut self, ranges: &[(usize, usize)]) {
        let Some(&(first, _)) = ranges.first() else {
            return;
        };
        let mut write = first;
        for (i, &(_, end)) in ranges.iter().enumerate() {
            let next = ranges.get(i + 1).map_or(self.buf.len(), |r| r.0);
            self.buf.copy_within(end..next, write);
            write += next - end;
        }
        self.buf.truncate(write);
        self.count -= ranges.len() as u32;
        if self.buf.capacity() > 64 && self.buf.len() < self.buf.capacity() / 4 {
            self.buf.shrink_to(self.buf.len() * 2);
        }
    }
}

/// A list value.
#[derive(Debug, Clone, Default)]
pub struct ListValue {
    chunks: VecDeque<Chunk>,
    len: usize,
}

impl ListValue {
    /// An empty list.
    pub fn new() -> ListValue {
        ListValue::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoding name OBJECT ENCODING reports (Redis 7.0 has only one).
    pub fn encoding_name(&self) -> &'static str {
        "quicklist"
    }

    /// Approximate heap bytes.
    pub fn heap_size(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Chunk>()
            + self.chunks.iter().map(|c| c.buf.capacity()).sum::<usize>()
    }

    /// Adds `item` at the head; `fill` is `list-max-listpack-size`.
    pub fn push_front(&mut self, item: &[u8], fill: i64) {
        let fill = Fill::from_setting(fill);
        let n = encoded_len(item.len());
        match self.chunks.front_mut() {
            Some(c) if fill.admits(c, n) => c.push_front(item, fill.max_bytes),
            _ => {
                let mut c = Chunk::default();
                c.push_front(item, fill.max_bytes);
                self.chunks.push_front(c);
            }
        }
        self.len += 1;
    }

    /// Adds `item` at the tail; `fill` is `list-max-listpack-size`.
    pub fn push_back(&mut self, item: &[u8], fill: i64) {
        let fill = Fill::from_setting(fill);
        let n = encoded_len(item.len());
        match self.chunks.back_mut() {
            Some(c) if fill.admits(c, n) => c.push_back(item, fill.max_bytes),
            _ => {
                let mut c = Chunk::default();
                c.push_back(item, fill.max_bytes);
                self.chunks.push_back(c);
            }
        }
        self.len += 1;
    }

    /// The first element.
    pub fn front(&self) -> Option<&[u8]> {
        self.chunks.front().map(Chunk::first)
    }

    /// The last element.
    pub fn back(&self) -> Option<&[u8]> {
        self.chunks.back().map(Chunk::last)
    }

    /// Removes the first element, handing it to `f` before it goes.
    pub fn pop_front_with<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let c = self.chunks.front_mut()?;
        let r = f(c.first());
        c.pop_front();
        if c.count == 0 {
            self.chunks.pop_front();
        }
        self.len -= 1;
        Some(r)
    }

    /// Removes the last element, handing it to `f` before it goes.
    pub fn pop_back_with<R>(&mut self, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let c = self.chunks.back_mut()?;
        let r = f(c.last());
        c.pop_back();
        if c.count == 0 {
            self.chunks.pop_back();
        }
        self.len -= 1;
        Some(r)
    }

    /// Finds element `index` (< len): (chunk, offset of its start).
    fn locate(&self, index: usize) -> (usize, usize) {
        debug_assert!(index < self.len);
        let (ci, local) = if index < self.len / 2 {
            let mut rest = index;
            let mut ci = 0;
            while rest >= self.chunks[ci].count as usize {
                rest -= self.chunks[ci].count as usize;
                ci += 1;
            }
            (ci, rest)
        } else {
            let mut from_end = self.len - index; // >= 1
            let mut ci = self.chunks.len() - 1;
            while from_end > self.chunks[ci].count as usize {
                from_end -= self.chunks[ci].count as usize;
                ci -= 1;
            }
            (ci, self.chunks[ci].count as usize - from_end)
        };
        (ci, self.chunks[ci].offset_of(local))
    }

    /// Element `index` (0-based from the head), if it exists.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        if index >= self.len {
            return None;
        }
        let (ci, pos) = self.locate(index);
        Some(self.chunks[ci].item_at(pos))
    }

    /// Replaces element `index`; false if there is no such element.
    pub fn set(&mut self, index: usize, item: &[u8], fill: i64) -> bool {
        if index >= self.len {
            return false;
        }
        let (ci, pos) = self.locate(index);
        let chunk = &mut self.chunks[ci];
        let end = read_forward(&chunk.buf, pos).2;
        let mut encoded = vec![0u8; encoded_len(item.len())];
        write_entry(&mut encoded, item);
        chunk.splice(pos, end, &encoded);
        self.split_if_oversized(ci, fill);
        true
    }

    /// Inserts `item` so that it becomes element `index` (`index == len`
    /// appends).
    pub fn insert(&mut self, index: usize, item: &[u8], fill: i64) {
        assert!(index <= self.len, "insert position within the list");
        if index == 0 {
            return self.push_front(item, fill);
        }
        if index == self.len {
            return self.push_back(item, fill);
        }
        let (ci, pos) = self.locate(index);
        let mut encoded = vec![0u8; encoded_len(item.len())];
        write_entry(&mut encoded, item);
        let chunk = &mut self.chunks[ci];
        chunk.splice(pos, pos, &encoded);
        chunk.count += 1;
        self.len += 1;
        self.split_if_oversized(ci, fill);
    }

    /// Keeps chunk `ci` under the size limit after an edit in its middle.
    fn split_if_oversized(&mut self, ci: usize, fill: i64) {
        let fill = Fill::from_setting(fill);
        let c = &mut self.chunks[ci];
        if c.bytes() > fill.max_bytes || c.count as usize > fill.max_count.max(1) {
            if let Some(tail) = c.split_half() {
                self.chunks.insert(ci + 1, tail);
            }
        }
    }

    /// Removes element `index` (which must exist).
    pub fn remove(&mut self, index: usize) {
        assert!(index < self.len, "remove position within the list");
        let (ci, pos) = self.locate(index);
        let chunk = &mut self.chunks[ci];
        let end = read_forward(&chunk.buf, pos).2;
        chunk.remove_ranges(&[(pos, end)]);
        if chunk.count == 0 {
            self.chunks.remove(ci);
        }
        self.len -= 1;
    }

    /// Removes `front` elements from the head and `back` from the tail
    /// (LTRIM, and popping many at once).
    pub fn trim(&mut self, mut front: usize, mut back: usize) {
        assert!(front + back <= self.len, "trim within the list");
        self.len -= front + back;
        while front > 0 {
            let c = self.chunks.front_mut().expect("elements remain to trim");
            if c.count as usize <= front {
                front -= c.count as usize;
                self.chunks.pop_front();
            } else {
                c.head = c.offset_of(front);
                c.count -= front as u32;
                front = 0;
            }
        }
        while back > 0 {
            let c = self.chunks.back_mut().expect("elements remain to trim");
            if c.count as usize <= back {
                back -= c.count as usize;
                self.chunks.pop_back();
            } else {
                let keep = c.count as usize - back;
                let at = c.offset_of(keep);
                c.buf.truncate(at);
                c.count = keep as u32;
                back = 0;
            }
        }
    }

    /// Removes up to `limit` elements equal to `item` (all when `limit` is
    /// 0), scanning from the tail when `from_back` (LREM). Returns how many
    /// went.
    pub fn remove_matching(&mut self, item: &[u8], limit: usize, from_back: bool) -> usize {
        let limit = if limit == 0 { usize::MAX } else { limit };
        let mut removed = 0;
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let order: Vec<usize> = if from_back {
            (0..self.chunks.len()).rev().collect()
        } else {
            (0..self.chunks.len()).collect()
        };
        let mut emptied = Vec::new();
        for ci in order {
            if removed == limit {
                break;
            }
            let c = &mut self.chunks[ci];
            ranges.clear();
            if from_back {
                let mut end = c.buf.len();
                while end > c.head && removed + ranges.len() < limit {
                    let (s, len, start) = read_backward(&c.buf, end);
                    if &c.buf[s..s + len] == item {
                        ranges.push((start, end));
                    }
                    end = start;
                }
                ranges.reverse();
            } else {
                let mut pos = c.head;
                while pos < c.buf.len() && removed + ranges.len() < limit {
                    let (s, len, end) = read_forward(&c.buf, pos);
                    if &c.buf[s..s + len] == item {
                        ranges.push((pos, end));
                    }
                    pos = end;
                }
            }
            removed += ranges.len();
            c.remove_ranges(&ranges);
            if c.count == 0 {
                emptied.push(ci);
            }
        }
        emptied.sort_unstable();
        for ci in emptied.into_iter().rev() {
            self.chunks.remove(ci);
        }
        self.len -= removed;
        removed
    }

    /// Iterates over all elements, head to tail (reversible).
    pub fn iter(&self) -> Iter<'_> {
        if self.len == 0 {
            return Iter::empty(&self.chunks);
        }
        self.range(0, self.len - 1)
    }

    /// Iterates over elements `start..=end` (both < len, start <= end).
    pub fn range(&self, start: usize, end: usize) -> Iter<'_> {
        assert!(start <= end && end < self.len, "range within the list");
        let (front_chunk, front_pos) = self.locate(start);
        let (back_chunk, back_pos) = self.locate(end);
        let back_end = read_forward(&self.chunks[back_chunk].buf, back_pos).2;
        Iter {
            chunks: &self.chunks,
            front_chunk,
            front_pos,
            back_chunk,
            back_end,
            remaining: end - start + 1,
        }
    }
}

/// An iterator over list elements; double-ended.
#[derive(Debug, Clone)]
pub struct Iter<'a> {
    chunks: &'a VecDeque<Chunk>,
    front_chunk: usize,
    front_pos: usize,
    back_chunk: usize,
    back_end: usize,
    remaining: usize,
}

impl<'a> Iter<'a> {
    fn empty(chunks: &'a VecDeque<Chunk>) -> Iter<'a> {
        Iter {
            chunks,
            front_chunk: 0,
            front_pos: 0,
            back_chunk: 0,
            back_end: 0,
            remaining: 0,
        }
    }
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let chunks = self.chunks;
        let c = &chunks[self.front_chunk];
        let (start, len, end) = read_forward(&c.buf, self.front_pos);
        if end == c.buf.len() && self.remaining > 0 {
            self.front_chunk += 1;
            self.front_pos = chunks[self.front_chunk].head;
        } else {
            self.front_pos = end;
        }
        Some(&c.buf[start..start + len])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl<'a> DoubleEndedIterator for Iter<'a> {
    #[inline]
    fn next_back(&mut self) -> Option<&'a [u8]> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let chunks = self.chunks;
        let c = &chunks[self.back_chunk];
        let (start, len, begin) = read_backward(&c.buf, self.back_end);
        if begin == c.head && self.remaining > 0 {
            self.back_chunk -= 1;
            self.back_end = chunks[self.back_chunk].buf.len();
        } else {
            self.back_end = begin;
        }
        Some(&c.buf[start..start + len])
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(l: &ListValue) -> Vec<Vec<u8>> {
        l.iter().map(<[u8]>::to_vec).collect()
    }

    /// Checks the chunk bookkeeping against the contents.
    fn check_invariants(l: &ListValue) {
        let mut total = 0;
        for c in &l.chunks {
            assert!(c.count > 0, "no empty chunks");
            let mut pos = c.head;
            let mut n = 0;
            while pos < c.buf.len() {
                pos = read_forward(&c.buf, pos).2;
                n += 1;
            }
            assert_eq!(pos, c.buf.len());
            assert_eq!(n, c.count as usize);
            total += n;
        }
        assert_eq!(total, l.len);
    }

    #[test]
    fn entries_read_the_same_from_both_ends() {
        for len in [0usize, 1, 127, 128, 300, 16383, 16384, 70000] {
            let item: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut buf = vec![0u8; encoded_len(len)];
            write_entry(&mut buf, &item);
            let (s, l, e) = read_forward(&buf, 0);
            assert_eq!((&buf[s..s + l], e), (&item[..], buf.len()));
            let (s, l, b) = read_backward(&buf, buf.len());
            assert_eq!((&buf[s..s + l], b), (&item[..], 0));
        }
        assert_eq!(encoded_len(16), 18, "short elements cost two bytes extra");
    }

    #[test]
    fn pushes_fill_chunks_up_to_the_size_limit() {
        let mut l = ListValue::new();
        for i in 0..10_000 {
            l.push_back(format!("{i:016}").as_bytes(), -2);
        }
        check_invariants(&l);
        for c in l.chunks.iter().take(l.chunks.len() - 1) {
            assert!(c.bytes() <= 8192 && c.bytes() > 8000, "{}", c.bytes());
        }
        // About 18 bytes per 16-byte element, like a listpack.
        assert!(l.heap_size() < 10_000 * 20, "{}", l.heap_size());
        let mut r = ListValue::new();
        for i in 0..10_000 {
            r.push_front(format!("{i:016}").as_bytes(), -2);
        }
        check_invariants(&r);
        assert!(r.heap_size() < 10_000 * 20, "{}", r.heap_size());
        assert_eq!(r.get(0).unwrap(), b"0000000000009999");
        assert_eq!(r.back().unwrap(), b"0000000000000000");
    }

    #[test]
    fn a_queue_does_not_keep_popped_bytes() {
        let mut l = ListValue::new();
        for i in 0..100_000 {
            l.push_back(format!("{i:08}").as_bytes(), -2);
            if i >= 10 {
                l.pop_front_with(|_| ()).unwrap();
            }
        }
        assert_eq!(l.len(), 10);
        assert!(l.heap_size() < 4096, "{}", l.heap_size());
    }

    #[test]
    fn oversized_elements_get_their_own_chunk() {
        let mut l = ListValue::new();
        l.push_back(b"a", -2);
        l.push_back(&[7u8; 20_000], -2);
        l.push_back(b"b", -2);
        check_invariants(&l);
        assert_eq!(l.chunks.len(), 3);
        assert_eq!(l.get(1).unwrap().len(), 20_000);
    }

    #[derive(Debug, Clone)]
    enum Op {
        PushFront(Vec<u8>),
        PushBack(Vec<u8>),
        PopFront,
        PopBack,
        Set(usize, Vec<u8>),
        Insert(usize, Vec<u8>),
        Remove(usize),
        Trim(usize, usize),
        RemoveMatching(Vec<u8>, usize, bool),
        Range(usize, usize),
    }

    fn item() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            8 => proptest::collection::vec(b'a'..b'd', 0..3),
            1 => proptest::collection::vec(any::<u8>(), 100..300),
        ]
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            item().prop_map(Op::PushFront),
            item().prop_map(Op::PushBack),
            Just(Op::PopFront),
            Just(Op::PopBack),
            (any::<usize>(), item()).prop_map(|(i, v)| Op::Set(i, v)),
            (any::<usize>(), item()).prop_map(|(i, v)| Op::Insert(i, v)),
            any::<usize>().prop_map(Op::Remove),
            (0usize..5, 0usize..5).prop_map(|(a, b)| Op::Trim(a, b)),
            (item(), 0usize..4, any::<bool>()).prop_map(|(v, n, b)| Op::RemoveMatching(v, n, b)),
            (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Op::Range(a, b)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn behaves_like_a_vecdeque(
            fill in prop_oneof![Just(-1i64), Just(1), Just(3), Just(0)],
            ops in proptest::collection::vec(op(), 1..200),
        ) {
            let mut list = ListValue::new();
            let mut model: VecDeque<Vec<u8>> = VecDeque::new();
            for op in ops {
                match op {
                    Op::PushFront(v) => { list.push_front(&v, fill); model.push_front(v); }
                    Op::PushBack(v) => { list.push_back(&v, fill); model.push_back(v); }
                    Op::PopFront => {
                        prop_assert_eq!(list.pop_front_with(<[u8]>::to_vec), model.pop_front());
                    }
                    Op::PopBack => {
                        prop_assert_eq!(list.pop_back_with(<[u8]>::to_vec), model.pop_back());
                    }
                    Op::Set(i, v) => {
                        let i = if model.is_empty() { i } else { i % (model.len() + 1) };
                        let ok = list.set(i, &v, fill);
                        prop_assert_eq!(ok, i < model.len());
                        if ok { model[i] = v; }
                    }
                    Op::Insert(i, v) => {
                        let i = i % (model.len() + 1);
                        list.insert(i, &v, fill);
                        model.insert(i, v);
                    }
                    Op::Remove(i) => {
                        if !model.is_empty() {
                            let i = i % model.len();
                            list.remove(i);
                            model.remove(i);
                        }
                    }
                    Op::Trim(a, b) => {
                        let a = a.min(model.len());
                        let b = b.min(model.len() - a);
                        list.trim(a, b);
                        model.drain(..a);
                        model.truncate(model.len() - b);
                    }
                    Op::RemoveMatching(v, limit, from_back) => {
                        let n = list.remove_matching(&v, limit, from_back);
                        let cap = if limit == 0 { usize::MAX } else { limit };
                        let mut hits: Vec<usize> =
                            model.iter().enumerate().filter(|(_, e)| **e == v).map(|(i, _)| i).collect();
                        if from_back { hits.reverse(); }
                        hits.truncate(cap);
                        hits.sort_unstable();
                        for i in hits.iter().rev() { model.remove(*i); }
                        prop_assert_eq!(n, hits.len());
                    }
                    Op::Range(a, b) => {
                        if !model.is_empty() {
                            let (a, b) = (a % model.len(), b % model.len());
                            let (a, b) = (a.min(b), a.max(b));
                            let fwd: Vec<Vec<u8>> = list.range(a, b).map(<[u8]>::to_vec).collect();
                            let want: Vec<Vec<u8>> = model.range(a..=b).cloned().collect();
                            prop_assert_eq!(&fwd, &want);
                            let mut back: Vec<Vec<u8>> = list.range(a, b).rev().map(<[u8]>::to_vec).collect();
                            back.reverse();
                            prop_assert_eq!(&back, &want);
                            // Meeting in the middle from both ends.
                            let mut it = list.range(a, b);
                            let mut mixed = Vec::new();
                            let mut tail = Vec::new();
                            while let Some(x) = it.next() {
                                mixed.push(x.to_vec());
                                match it.next_back() { Some(x) => tail.push(x.to_vec()), None => break }
                            }
                            tail.reverse();
                            mixed.extend(tail);
                            prop_assert_eq!(&mixed, &want);
                        }
                    }
                }
                check_invariants(&list);
                prop_assert_eq!(list.len(), model.len());
                prop_assert_eq!(list.front(), model.front().map(Vec::as_slice));
                prop_assert_eq!(list.back(), model.back().map(Vec::as_slice));
            }
            prop_assert_eq!(items(&list), model.iter().cloned().collect::<Vec<_>>());
            for (i, want) in model.iter().enumerate() {
                prop_assert_eq!(list.get(i), Some(want.as_slice()));
            }
            prop_assert_eq!(list.get(model.len()), None);
        }
    }
}
