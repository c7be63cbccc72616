//! Intsets: the sorted integer array Redis uses for small all-integer sets.
//!
//! ```text
//! <width: u32 LE, 2 | 4 | 8> <count: u32 LE> <count integers of width bytes, LE, ascending>
//! ```

use crate::error::DecodeError;

/// Encodes `values` (any order, no duplicates) with the narrowest width
/// that holds them all.
pub fn encode(values: &[i64]) -> Vec<u8> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let width: usize = if sorted.iter().all(|&v| i16::try_from(v).is_ok()) {
        2
    } else if sorted.iter().all(|&v| i32::try_from(v).is_ok()) {
        4
    } else {
        8
    };
    let mut out = Vec::with_capacity(8 + width * sorted.len());
    out.extend_from_slice(&(width as u32).to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u32).to_le_bytes());
    for v in sorted {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// Decodes an intset, checking width, size and strict ascending order.
pub fn decode(blob: &[u8]) -> Result<Vec<i64>, DecodeError> {
    const BAD: DecodeError = DecodeError::Corrupt("intset");
    let header = blob.get(..8).ok_or(BAD)?;
    let width = u32::from_le_bytes(header[0..4].try_into().expect("4 bytes")) as usize;
    let count = u32::from_le_bytes(header[4..8].try_into().expect("4 bytes")) as usize;
    if !matches!(width, 2 | 4 | 8) || count.checked_mul(width) != Some(blob.len() - 8) {
        return Err(BAD);
    }
    let mut out: Vec<i64> = Vec::with_capacity(count);
    for chunk in blob[8..].chunks_exact(width) {
        let v = match width {
            2 => i16::from_le_bytes(chunk.try_into().expect("2 bytes")) as i64,
            4 => i32::from_le_bytes(chunk.try_into().expect("4 bytes")) as i64,
            _ => i64::from_le_bytes(chunk.try_into().expect("8 bytes")),
        };
        if out.last().is_some_and(|&last| last >= v) {
            return Err(BAD);
        }
        out.push(v);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn width_follows_the_widest_member() {
        assert_eq!(&encode(&[3, 1, 2])[..4], &[2, 0, 0, 0]);
        assert_eq!(&encode(&[1, 70000])[..4], &[4, 0, 0, 0]);
        assert_eq!(&encode(&[1, -5_000_000_000])[..4], &[8, 0, 0, 0]);
        assert_eq!(
            decode(&encode(&[3, -1, 70000])).unwrap(),
            vec![-1, 3, 70000]
        );
    }

    #[test]
    fn unsorted_or_misaligned_sets_are_corrupt() {
        let mut b = encode(&[1, 2]);
        b.swap(8, 10);
        assert!(decode(&b).is_err());
        assert!(decode(&encode(&[1, 2])[..11]).is_err());
        assert!(decode(&[3, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
