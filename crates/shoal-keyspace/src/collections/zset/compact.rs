//! The compact (`listpack`) encoding of small sorted sets: one byte buffer
//! of entries sorted by `(score, member)`.
//!
//! ```text
//! entry := member_len (LEB128) | member bytes | score
//! score := 0..=250             the integer itself, one byte
//!        | 251 i16 (LE)        other integers of 16 bits
//!        | 252 i32 (LE)        other integers of 32 bits
//!        | 253 f64 (LE)        anything else
//! ```
//!
//! A member of a few bytes with a small integer score costs 6 or 7 bytes,
//! less than Redis's listpack. Everything is a linear walk, which at the
//! sizes this encoding is used for (128 entries by default) costs less
//! than hashing. Scores are stored as given; the caller has already turned
//! `-0` into `0` as a listpack would.

use std::cmp::Ordering;

const TAG_I16: u8 = 251;
const TAG_I32: u8 = 252;
const TAG_F64: u8 = 253;

/// Entries in one buffer, sorted.
#[derive(Debug, Clone, Default)]
pub(crate) struct Compact {
    buf: Vec<u8>,
    len: u32,
}

/// Reads the entry at `pos`: its member, its score and where the next one
/// starts.
#[inline]
fn decode(buf: &[u8], pos: usize) -> (&[u8], f64, usize) {
    let mut p = pos;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let b = buf[p];
        p += 1;
        len |= ((b & 0x7f) as usize) << shift;
        if b < 0x80 {
            break;
        }
        shift += 7;
    }
    let member = &buf[p..p + len];
    p += len;
    let tag = buf[p];
    p += 1;
    let score = match tag {
        TAG_I16 => {
            p += 2;
            i16::from_le_bytes([buf[p - 2], buf[p - 1]]) as f64
        }
        TAG_I32 => {
            p += 4;
            i32::from_le_bytes(buf[p - 4..p].try_into().expect("four bytes")) as f64
        }
        TAG_F64 => {
            p += 8;
            f64::from_le_bytes(buf[p - 8..p].try_into().expect("eight bytes"))
        }
        small => small as f64,
    };
    (member, score, p)
}

/// Appends the encoding of an entry to `out`.
fn encode(member: &[u8], score: f64, out: &mut Vec<u8>) {
    let mut len = member.len();
    loop {
        let b = (len & 0x7f) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(member);
    let as_int = score as i32;
    if as_int as f64 == score && !(score == 0.0 && score.is_sign_negative()) {
        if (0..=250).contains(&as_int) {
            out.push(as_int as u8);
        } else if let Ok(v) = i16::try_from(as_int) {
            out.push(TAG_I16);
            out.extend_from_slice(&v.to_le_bytes());
        } else {
            out.push(TAG_I32);
            out.extend_from_slice(&as_int.to_le_bytes());
        }
    } else {
        out.push(TAG_F64);
        out.extend_from_slice(&score.to_le_bytes());
    }
}

#[inline]
fn cmp_key(score: f64, member: &[u8], e_score: f64, e_member: &[u8]) -> Ordering {
    match score
        .partial_cmp(&e_score)
        .expect("sorted set scores are never NaN")
    {
        Ordering::Equal => member.cmp(e_member),
        o => o,
    }
}

/// Walks the entries in order.
pub(crate) struct Entries<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Entries<'a> {
    /// Byte offset of the next entry.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (&'a [u8], f64);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let (m, s, next) = decode(self.buf, self.pos);
        self.pos = next;
        Some((m, s))
    }
}

impl Compact {
    /// Number of entries.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The entries in ascending order.
    #[inline]
    pub(crate) fn iter(&self) -> Entries<'_> {
        Entries {
            buf: &self.buf,
            pos: 0,
        }
    }

    /// Rank, byte offset and score of `member`.
    pub(crate) fn find(&self, member: &[u8]) -> Option<(usize, usize, f64)> {
        let mut it = self.iter();
        let mut rank = 0;
        loop {
            let at = it.offset();
            let (m, s) = it.next()?;
            if m == member {
                return Some((rank, at, s));
            }
            rank += 1;
        }
    }

    /// Byte offset of the entry at `rank` (the buffer's end for `len`).
    pub(crate) fn offset_of(&self, rank: usize) -> usize {
        let mut it = self.iter();
        for _ in 0..rank {
            it.next();
        }
        it.offset()
    }

    /// The entry at `rank`.
    pub(crate) fn get(&self, rank: usize) -> Option<(&[u8], f64)> {
        self.iter().nth(rank)
    }

    /// Byte offsets of every entry, for walking backwards.
    pub(crate) fn offsets(&self) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.len());
        let mut it = self.iter();
        while it.offset() < self.buf.len() {
            out.push(it.offset());
            it.next();
        }
        out
    }

    /// The entry at byte offset `at`.
    #[inline]
    pub(crate) fn at(&self, at: usize) -> (&[u8], f64) {
        let (m, s, _) = decode(&self.buf, at);
        (m, s)
    }

    /// Inserts an entry for a member that is not present.
    pub(crate) fn insert(&mut self, member: &[u8], score: f64) {
        let mut it = self.iter();
        let mut at = it.offset();
        while let Some((m, s)) = it.next() {
            if cmp_key(score, member, s, m) == Ordering::Less {
                break;
            }
            at = it.offset();
        }
        // The entry takes at most 5 length bytes and 9 score bytes.
        let most = member.len() + 14;
        if self.buf.len() + most > self.buf.capacity() {
            // Grow by a quarter: small sets are many, and their spare
            // capacity would add up.
            let want = self.buf.len() + (self.buf.len() / 4).max(most).max(16);
            let fits = super::super::dense::size_class(want);
            self.buf.reserve_exact(fits - self.buf.len());
        }
        // Encode at the end, then rotate it into place: no temporary.
        let old_len = self.buf.len();
        encode(member, score, &mut self.buf);
        let entry_len = self.buf.len() - old_len;
        self.buf[at..].rotate_right(entry_len);
        self.len += 1;
    }

    /// Appends an entry that sorts after every present one.
    pub(crate) fn push_last(&mut self, member: &[u8], score: f64) {
        encode(member, score, &mut self.buf);
        self.len += 1;
    }

    /// Removes the entry at byte offset `at`.
    pub(crate) fn remove_at(&mut self, at: usize) {
        let (_, _, end) = decode(&self.buf, at);
        self.buf.drain(at..end);
        self.len -= 1;
    }

    /// Removes the entries with ranks in `start..end`.
    pub(crate) fn remove_ranks(&mut self, start: usize, end: usize) {
        let from = self.offset_of(start);
        let mut it = Entries {
            buf: &self.buf,
            pos: from,
        };
        for _ in start..end {
            it.next();
        }
        let to = it.offset();
        self.buf.drain(from..to);
        self.len -= (end - start) as u32;
        if self.buf.capacity() > 64 && self.buf.len() < self.buf.capacity() / 2 {
            self.buf.shrink_to_fit();
        }
    }

    /// Heap bytes held.
    pub(crate) fn heap_size(&self) -> usize {
        self.buf.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_in_order() {
        let mut c = Compact::default();
        let long = vec![b'x'; 300];
        let cases: Vec<(Vec<u8>, f64)> = vec![
            (b"a".to_vec(), 0.0),
            (b"b".to_vec(), 250.0),
            (b"c".to_vec(), 251.0),
            (b"d".to_vec(), -1.0),
            (b"e".to_vec(), 70_000.0),
            (b"f".to_vec(), -3e9),
            (b"g".to_vec(), 1.5),
            (b"h".to_vec(), f64::INFINITY),
            (b"".to_vec(), f64::NEG_INFINITY),
            (long.clone(), 7.0),
        ];
        for (m, s) in &cases {
            c.insert(m, *s);
        }
        let mut want = cases.clone();
        want.sort_by(|a, b| cmp_key(a.1, &a.0, b.1, &b.0));
        let got: Vec<(Vec<u8>, f64)> = c.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        assert_eq!(got, want);
        assert_eq!(c.len(), cases.len());
        assert_eq!(c.find(&long).map(|(_, _, s)| s), Some(7.0));
        let offs = c.offsets();
        assert_eq!(offs.len(), c.len());
        assert_eq!(c.at(offs[3]), c.get(3).unwrap());
        c.remove_ranks(2, 5);
        assert_eq!(c.len(), cases.len() - 3);
        let after: Vec<(Vec<u8>, f64)> = c.iter().map(|(m, s)| (m.to_vec(), s)).collect();
        let mut expect = want.clone();
        expect.drain(2..5);
        assert_eq!(after, expect);
    }
}
