//! Listpacks: the compact list blob Redis 7.0 embeds in RDB strings for
//! small hashes and sorted sets and for each node of a list.
//!
//! ```text
//! <total bytes: u32 LE> <element count: u16 LE, 65535 = unknown>
//! <entry> ... <0xFF>
//! entry: <encoding + data> <backlen: 1..=5 bytes>
//!   0xxxxxxx                       7-bit unsigned integer
//!   10LLLLLL <L bytes>             string up to 63 bytes
//!   110xxxxx xxxxxxxx              13-bit signed integer
//!   1110LLLL LLLLLLLL <L bytes>    string up to 4095 bytes
//!   11110000 <u32 LE len> <bytes>  longer string
//!   F1 / F2 / F3 / F4 <LE>         16 / 24 / 32 / 64-bit signed integer
//! backlen: the size of encoding + data in 7-bit groups; read from the
//!   end, each byte but the first has its high bit set
//! ```

use crate::error::DecodeError;
use shoal_keyspace::parse_canonical_i64;

const HEADER_LEN: usize = 6;
const EOF: u8 = 0xFF;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One decoded listpack element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    /// An integer-encoded element.
    Int(i64),
    /// A string element.
    Str(&'a [u8]),
}

impl Entry<'_> {
    /// Calls `f` with the element's bytes (integers in decimal).
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Entry::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            Entry::Str(s) => f(s),
        }
    }

    /// The element's bytes (integers in decimal).
    pub fn to_vec(&self) -> Vec<u8> {
        self.with_bytes(<[u8]>::to_vec)
    }
}

/// Builds a listpack blob.
#[derive(Debug, Clone)]
pub struct Writer {
    buf: Vec<u8>,
    count: usize,
}

impl Default for Writer {
    fn default() -> Self {
        Writer::new()
    }
}

impl Writer {
    /// An empty listpack.
    pub fn new() -> Writer {
        Writer {
            buf: vec![0; HEADER_LEN],
            count: 0,
        }
    }

    /// Elements appended so far.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True before the first element.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Size of the blob if finished now.
    pub fn byte_len(&self) -> usize {
        self.buf.len() + 1
    }

    /// Appends an element, integer-encoded when it is a canonical integer
    /// (as Redis stores such strings).
    pub fn push(&mut self, s: &[u8]) {
        match parse_canonical_i64(s) {
            Some(n) => self.push_int(n),
            None => self.push_str(s),
        }
    }

    /// Appends a string element.
    pub fn push_str(&mut self, s: &[u8]) {
        let start = self.buf.len();
        let n = s.len();
        if n < 64 {
            self.buf.push(0x80 | n as u8);
        } else if n < 4096 {
            self.buf.push(0xE0 | (n >> 8) as u8);
            self.buf.push(n as u8);
        } else {
            self.buf.push(0xF0);
            self.buf.extend_from_slice(&(n as u32).to_le_bytes());
        }
        self.buf.extend_from_slice(s);
        self.finish_entry(start);
    }

    /// Appends an integer element in its smallest encoding.
    pub fn push_int(&mut self, n: i64) {
        let start = self.buf.len();
        if (0..=127).contains(&n) {
            self.buf.push(n as u8);
        } else if (-4096..=4095).contains(&n) {
            let u = (n as u16) & 0x1fff;
            self.buf.push(0xC0 | (u >> 8) as u8);
            self.buf.push(u as u8);
        } else if let Ok(v) = i16::try_from(n) {
            self.buf.push(0xF1);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else if (-(1 << 23)..(1 << 23)).contains(&n) {
            self.buf.push(0xF2);
            self.buf.extend_from_slice(&(n as i32).to_le_bytes()[..3]);
        } else if let Ok(v) = i32::try_from(n) {
            self.buf.push(0xF3);
            self.buf.extend_from_slice(&v.to_le_bytes());
        } else {
            self.buf.push(0xF4);
            self.buf.extend_from_slice(&n.to_le_bytes());
        }
        self.finish_entry(start);
    }

    fn finish_entry(&mut self, start: usize) {
        let len = self.buf.len() - start;
        put_backlen(&mut self.buf, len);
        self.count += 1;
    }

    /// The finished blob.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf.push(EOF);
        let total = u32::try_from(self.buf.len()).expect("listpacks stay far below 4 GiB");
        self.buf[0..4].copy_from_slice(&total.to_le_bytes());
        let count = u16::try_from(self.count).unwrap_or(COUNT_UNKNOWN);
        self.buf[4..6].copy_from_slice(&count.to_le_bytes());
        self.buf
    }
}

/// Appends the back-length of an entry whose encoding and data take `len`
/// bytes: most significant 7-bit group first, every later byte flagged.
fn put_backlen(out: &mut Vec<u8>, len: usize) {
    let groups = backlen_size(len);
    for i in (0..groups).rev() {
        let bits = ((len >> (7 * i)) & 0x7f) as u8;
        out.push(if i == groups - 1 { bits } else { bits | 0x80 });
    }
}

fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2097150 => 3,
        2097151..=268435454 => 4,
        _ => 5,
    }
}

/// Decodes a whole listpack, checking its header, every entry's bounds and
/// back-length, the terminator, and the element count when recorded.
pub fn decode(blob: &[u8]) -> Result<Vec<Entry<'_>>, DecodeError> {
    const BAD: DecodeError = DecodeError::Corrupt("listpack");
    if blob.len() < HEADER_LEN + 1 {
        return Err(BAD);
    }
    let total = u32::from_le_bytes(blob[0..4].try_into().expect("4 bytes")) as usize;
    let count = u16::from_le_bytes([blob[4], blob[5]]);
    if total != blob.len() || blob[total - 1] != EOF {
        return Err(BAD);
    }
    let end = total - 1;
    let mut entries = Vec::with_capacity((count as usize).min(end / 2));
    let mut p = HEADER_LEN;
    while p < end {
        let (entry, len) = decode_entry(&blob[p..end]).ok_or(BAD)?;
        let backlen = backlen_size(len);
        let stored = blob.get(p + len..p + len + backlen).ok_or(BAD)?;
        if p + len + backlen > end || !backlen_matches(stored, len) {
            return Err(BAD);
        }
        entries.push(entry);
        p += len + backlen;
    }
    if count != COUNT_UNKNOWN && count as usize != entries.len() {
        return Err(BAD);
    }
    Ok(entries)
}

fn backlen_matches(stored: &[u8], len: usize) -> bool {
    let mut expect = Vec::with_capacity(5);
    put_backlen(&mut expect, len);
    stored == expect.as_slice()
}

/// Decodes the entry at the start of `b`: the element and the size of its
/// encoding and data (without the back-length).
fn decode_entry(b: &[u8]) -> Option<(Entry<'_>, usize)> {
    let first = *b.first()?;
    let int_le = |n: usize| -> Option<i64> {
        let bytes = b.get(1..1 + n)?;
        let mut v = [0u8; 8];
        v[..n].copy_from_slice(bytes);
        // Sign-extend from n bytes.
        let shift = 64 - 8 * n as u32;
        Some((i64::from_le_bytes(v) << shift) >> shift)
    };
    let string = |header: usize, len: usize| -> Option<(Entry<'_>, usize)> {
        let end = header.checked_add(len)?;
        Some((Entry::Str(b.get(header..end)?), end))
    };
    match first {
        0x00..=0x7F => Some((Entry::Int(first as i64), 1)),
        0x80..=0xBF => string(1, (first & 0x3f) as usize),
        0xC0..=0xDF => {
            let u = (((first & 0x1f) as i64) << 8) | *b.get(1)? as i64;
            let v = if u >= 1 << 12 { u - (1 << 13) } else { u };
            Some((Entry::Int(v), 2))
        }
        0xE0..=0xEF => string(2, (((first & 0x0f) as usize) << 8) | *b.get(1)? as usize),
        0xF0 => {
            let len = u32::from_le_bytes(b.get(1..5)?.try_into().ok()?) as usize;
            string(5, len)
        }
        0xF1 => Some((Entry::Int(int_le(2)?), 3)),
        0xF2 => Some((Entry::Int(int_le(3)?), 4)),
        0xF3 => Some((Entry::Int(int_le(4)?), 5)),
        0xF4 => Some((Entry::Int(int_le(8)?), 9)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn integers_take_the_smallest_encoding() {
        let cases: [(i64, &[u8]); 6] = [
            (5, &[5]),
            (-1, &[0xDF, 0xFF]),
            (4095, &[0xCF, 0xFF]),
            (30_000, &[0xF1, 0x30, 0x75]),
            (70000, &[0xF2, 0x70, 0x11, 0x01]),
            (
                5_000_000_000,
                &[0xF4, 0x00, 0xF2, 0x05, 0x2A, 0x01, 0, 0, 0],
            ),
        ];
        for (n, enc) in cases {
            let mut w = Writer::new();
            w.push_int(n);
            let blob = w.finish();
            assert_eq!(&blob[6..6 + enc.len()], enc, "{n}");
            assert_eq!(decode(&blob).unwrap(), vec![Entry::Int(n)]);
        }
    }

    #[test]
    fn a_wrong_count_is_corrupt() {
        let mut w = Writer::new();
        w.push(b"a");
        let mut blob = w.finish();
        blob[4] = 2;
        assert!(decode(&blob).is_err());
    }

    proptest! {
        #[test]
        fn elements_round_trip(items in proptest::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(|n| n.to_string().into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..5000),
            ], 0..20)) {
            let mut w = Writer::new();
            for i in &items {
                w.push(i);
            }
            let blob = w.finish();
            let back: Vec<Vec<u8>> = decode(&blob).unwrap().iter().map(Entry::to_vec).collect();
            prop_assert_eq!(back, items);
        }

        #[test]
        fn random_blobs_never_panic(blob in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&blob);
        }
    }
}
