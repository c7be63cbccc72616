//! LZF decompression, for RDB strings Redis stored compressed.
//!
//! The format is a sequence of runs, each opened by a control byte:
//!
//! ```text
//! 000LLLLL <L+1 literal bytes>            literal run, 1..=32 bytes
//! LLLOOOOO OOOOOOOO                       back-reference, L in 1..=6
//! 111OOOOO LLLLLLLL OOOOOOOO              back-reference, length 7 + L
//! ```
//!
//! A back-reference copies `length + 2` bytes starting `offset + 1` bytes
//! before the current end of the output (copies may overlap themselves).
//! Compression is not implemented: Shoal writes strings uncompressed.

use crate::error::DecodeError;

/// Expands `input`, which must produce exactly `expected_len` bytes.
pub fn decompress(input: &[u8], expected_len: usize) -> Result<Vec<u8>, DecodeError> {
    // Each input byte yields at most 264 / 2 output bytes, so a claim
    // beyond that is corrupt; refusing it early bounds the allocation.
    if expected_len > input.len().saturating_mul(132) {
        return Err(DecodeError::Lzf);
    }
    let mut out = Vec::with_capacity(expected_len);
    let mut i = 0;
    while i < input.len() {
        let ctrl = input[i] as usize;
        i += 1;
        if ctrl < 32 {
            let run = ctrl + 1;
            let lit = input.get(i..i + run).ok_or(DecodeError::Lzf)?;
            if out.len() + run > expected_len {
                return Err(DecodeError::Lzf);
            }
            out.extend_from_slice(lit);
            i += run;
        } else {
            let mut len = ctrl >> 5;
            if len == 7 {
                len += *input.get(i).ok_or(DecodeError::Lzf)? as usize;
                i += 1;
            }
            let low = *input.get(i).ok_or(DecodeError::Lzf)? as usize;
            i += 1;
            let back = ((ctrl & 0x1f) << 8) + low + 1;
            let len = len + 2;
            if back > out.len() || out.len() + len > expected_len {
                return Err(DecodeError::Lzf);
            }
            let start = out.len() - back;
            for k in 0..len {
                let b = out[start + k];
                out.push(b);
            }
        }
    }
    if out.len() != expected_len {
        return Err(DecodeError::Lzf);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_overlapping_reference_expand() {
        // "ab" literal, then a reference one back... copying "ab" x3.
        let input = [1, b'a', b'b', (4 << 5), 1];
        assert_eq!(decompress(&input, 8).unwrap(), b"abababab");
    }

    #[test]
    fn references_before_the_start_are_rejected() {
        assert_eq!(decompress(&[0, b'a', 0x20, 5], 4), Err(DecodeError::Lzf));
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert_eq!(decompress(&[1, b'a', b'b'], 3), Err(DecodeError::Lzf));
        assert_eq!(decompress(&[1, b'a', b'b'], 1), Err(DecodeError::Lzf));
    }
}
