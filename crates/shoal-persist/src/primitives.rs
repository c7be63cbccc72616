//! RDB lengths and strings, the building blocks of every object encoding.
//!
//! ```text
//! length:  00LLLLLL                     6-bit length
//!          01LLLLLL LLLLLLLL            14-bit length, big-endian
//!          10000000 <u32 big-endian>    32-bit length
//!          10000001 <u64 big-endian>    64-bit length
//!          11EEEEEE                     a string in special encoding E:
//!              0: i8, 1: i16 LE, 2: i32 LE, 3: LZF (clen, len, data)
//! string:  length, then that many bytes; or a special encoding
//! ```

use crate::error::DecodeError;
use crate::lzf;
use shoal_keyspace::parse_canonical_i64;

const ENC_INT8: u8 = 0;
const ENC_INT16: u8 = 1;
const ENC_INT32: u8 = 2;
const ENC_LZF: u8 = 3;

/// A cursor over input bytes; every read checks bounds.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// A decoded RDB string: integer-encoded strings stay integers, so a
/// caller can keep Redis's `int` encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RdbString<'a> {
    /// One of the integer encodings.
    Int(i64),
    /// Bytes stored as they are.
    Bytes(&'a [u8]),
    /// Bytes that were LZF-compressed.
    Owned(Vec<u8>),
}

impl RdbString<'_> {
    /// The string's bytes (integers in decimal).
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            RdbString::Int(n) => itoa::Buffer::new().format(n).as_bytes().to_vec(),
            RdbString::Bytes(b) => b.to_vec(),
            RdbString::Owned(v) => v,
        }
    }

    /// Calls `f` with the string's bytes, formatting integers on the stack.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            RdbString::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            RdbString::Bytes(b) => f(b),
            RdbString::Owned(v) => f(v),
        }
    }
}

impl<'a> Input<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a [u8]) -> Input<'a> {
        Input { buf, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// Reads one byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    /// Reads `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(DecodeError::Truncated);
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Reads an 8-byte little-endian double (ZSET_2 scores).
    pub fn f64_le(&mut self) -> Result<f64, DecodeError> {
        let b = self.take(8)?;
        Ok(f64::from_le_bytes(b.try_into().expect("took 8 bytes")))
    }

    /// Reads a length; `Err(Invalid)` for the special string encodings.
    pub fn length(&mut self) -> Result<u64, DecodeError> {
        match self.length_or_encoding()? {
            Length::Len(n) => Ok(n),
            Length::Encoded(_) => Err(DecodeError::Invalid(
                "encoded string where a length belongs",
            )),
        }
    }

    /// Reads a length that counts items or bytes in memory.
    pub fn length_usize(&mut self) -> Result<usize, DecodeError> {
        usize::try_from(self.length()?).map_err(|_| DecodeError::Invalid("length too large"))
    }

    fn length_or_encoding(&mut self) -> Result<Length, DecodeError> {
        let first = self.u8()?;
        Ok(match first >> 6 {
            0 => Length::Len((first & 0x3f) as u64),
            1 => Length::Len((((first & 0x3f) as u64) << 8) | self.u8()? as u64),
            2 => match first {
                0x80 => {
                    let b = self.take(4)?;
                    Length::Len(u32::from_be_bytes(b.try_into().expect("took 4")) as u64)
                }
                0x81 => {
                    let b = self.take(8)?;
                    Length::Len(u64::from_be_bytes(b.try_into().expect("took 8")))
                }
                _ => return Err(DecodeError::Invalid("length prefix")),
            },
            _ => Length::Encoded(first & 0x3f),
        })
    }

    /// Reads a string in any of its encodings.
    pub fn string(&mut self) -> Result<RdbString<'a>, DecodeError> {
        match self.length_or_encoding()? {
            Length::Len(n) => {
                let n = usize::try_from(n).map_err(|_| DecodeError::Truncated)?;
                Ok(RdbString::Bytes(self.take(n)?))
            }
            Length::Encoded(ENC_INT8) => Ok(RdbString::Int(self.u8()? as i8 as i64)),
            Length::Encoded(ENC_INT16) => {
                let b = self.take(2)?;
                Ok(RdbString::Int(i16::from_le_bytes([b[0], b[1]]) as i64))
            }
            Length::Encoded(ENC_INT32) => {
                let b = self.take(4)?;
                Ok(RdbString::Int(
                    i32::from_le_bytes(b.try_into().expect("took 4")) as i64,
                ))
            }
            Length::Encoded(ENC_LZF) => {
                let compressed_len = self.length_usize()?;
                let len = self.length_usize()?;
                let data = self.take(compressed_len)?;
                Ok(RdbString::Owned(lzf::decompress(data, len)?))
            }
            Length::Encoded(_) => Err(DecodeError::Invalid("string encoding")),
        }
    }

    /// Reads a string and returns its bytes (blobs: listpacks, intsets).
    pub fn blob(&mut self) -> Result<std::borrow::Cow<'a, [u8]>, DecodeError> {
        Ok(match self.string()? {
            RdbString::Bytes(b) => std::borrow::Cow::Borrowed(b),
            RdbString::Owned(v) => std::borrow::Cow::Owned(v),
            RdbString::Int(_) => return Err(DecodeError::Invalid("integer where a blob belongs")),
        })
    }
}

enum Length {
    Len(u64),
    Encoded(u8),
}

/// Appends an RDB length.
pub fn put_length(out: &mut Vec<u8>, len: u64) {
    if len < 1 << 6 {
        out.push(len as u8);
    } else if len < 1 << 14 {
        out.push(0x40 | (len >> 8) as u8);
        out.push(len as u8);
    } else if len <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

/// Appends `n` in the smallest integer string encoding, if it fits 32 bits.
fn put_int_encoded(out: &mut Vec<u8>, n: i64) -> bool {
    if let Ok(v) = i8::try_from(n) {
        out.extend_from_slice(&[0xC0 | ENC_INT8, v as u8]);
    } else if let Ok(v) = i16::try_from(n) {
        out.push(0xC0 | ENC_INT16);
        out.extend_from_slice(&v.to_le_bytes());
    } else if let Ok(v) = i32::try_from(n) {
        out.push(0xC0 | ENC_INT32);
        out.extend_from_slice(&v.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends an integer string: integer-encoded when it fits 32 bits, else
/// its decimal digits (as Redis saves `int`-encoded strings).
pub fn put_int_string(out: &mut Vec<u8>, n: i64) {
    if !put_int_encoded(out, n) {
        put_raw_string(out, itoa::Buffer::new().format(n).as_bytes());
    }
}

/// Appends a string, integer-encoded when it is a short canonical integer
/// that fits 32 bits (as Redis does for strings of at most 11 bytes).
pub fn put_string(out: &mut Vec<u8>, s: &[u8]) {
    if s.len() <= 11 {
        if let Some(n) = parse_canonical_i64(s) {
            if put_int_encoded(out, n) {
                return;
            }
        }
    }
    put_raw_string(out, s);
}

/// Appends a string as length plus bytes, never integer-encoded (blobs).
pub fn put_raw_string(out: &mut Vec<u8>, s: &[u8]) {
    put_length(out, s.len() as u64);
    out.extend_from_slice(s);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip_at_every_boundary() {
        for n in [
            0,
            63,
            64,
            16383,
            16384,
            u32::MAX as u64,
            u32::MAX as u64 + 1,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            put_length(&mut out, n);
            let mut input = Input::new(&out);
            assert_eq!(input.length().unwrap(), n);
            assert_eq!(input.remaining(), 0);
        }
    }

    #[test]
    fn short_integers_are_integer_encoded() {
        let mut out = Vec::new();
        put_string(&mut out, b"12345");
        assert_eq!(out, [0xC1, 0x39, 0x30]);
        out.clear();
        put_string(&mut out, b"012");
        assert_eq!(out, [3, b'0', b'1', b'2']);
        out.clear();
        put_int_string(&mut out, -7);
        assert_eq!(out, [0xC0, 0xF9]);
        assert_eq!(Input::new(&out).string().unwrap(), RdbString::Int(-7));
    }

    #[test]
    fn a_huge_length_is_truncation_not_allocation() {
        let mut out = vec![];
        put_length(&mut out, u64::MAX);
        assert_eq!(Input::new(&out).string(), Err(DecodeError::Truncated));
    }
}
