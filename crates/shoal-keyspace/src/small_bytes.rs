//! A byte string that stores short contents inline.
//!
//! Keys and hash fields are mostly short; keeping up to 22 bytes inside the
//! 24-byte value saves an allocation and a pointer chase per key.

use std::fmt;

/// Longest content kept inline.
pub const INLINE_CAP: usize = 22;

/// An immutable byte string, inline up to [`INLINE_CAP`] bytes.
#[derive(Clone)]
pub enum SmallBytes {
    /// Contents stored in place: `data[..len]`.
    Inline {
        /// Number of bytes used in `data`.
        len: u8,
        /// The bytes; the tail past `len` is zero.
        data: [u8; INLINE_CAP],
    },
    /// Contents on the heap.
    Heap(Box<[u8]>),
}

impl SmallBytes {
    /// Copies `bytes`.
    pub fn new(bytes: &[u8]) -> SmallBytes {
        if bytes.len() <= INLINE_CAP {
            let mut data = [0u8; INLINE_CAP];
            data[..bytes.len()].copy_from_slice(bytes);
            SmallBytes::Inline {
                len: bytes.len() as u8,
                data,
            }
        } else {
            SmallBytes::Heap(bytes.into())
        }
    }

    /// Takes ownership of `bytes`, moving short ones inline.
    pub fn from_vec(bytes: Vec<u8>) -> SmallBytes {
        if bytes.len() <= INLINE_CAP {
            SmallBytes::new(&bytes)
        } else {
            SmallBytes::Heap(bytes.into_boxed_slice())
        }
    }

    /// The contents.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            SmallBytes::Inline { len, data } => &data[..*len as usize],
            SmallBytes::Heap(b) => b,
        }
    }

    /// Length in bytes.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            SmallBytes::Inline { len, .. } => *len as usize,
            SmallBytes::Heap(b) => b.len(),
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes allocated on the heap for this value (0 when inline).
    pub fn heap_size(&self) -> usize {
        match self {
            SmallBytes::Inline { .. } => 0,
            SmallBytes::Heap(b) => b.len(),
        }
    }
}

impl PartialEq for SmallBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for SmallBytes {}

impl PartialOrd for SmallBytes {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SmallBytes {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl std::hash::Hash for SmallBytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl std::borrow::Borrow<[u8]> for SmallBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for SmallBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl From<&[u8]> for SmallBytes {
    fn from(b: &[u8]) -> Self {
        SmallBytes::new(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_three_words() {
        assert_eq!(std::mem::size_of::<SmallBytes>(), 24);
    }

    #[test]
    fn short_contents_stay_inline_and_long_go_to_heap() {
        let s = SmallBytes::new(b"key:123456");
        assert!(matches!(s, SmallBytes::Inline { .. }));
        assert_eq!(s.as_bytes(), b"key:123456");
        let long = vec![7u8; 23];
        let l = SmallBytes::new(&long);
        assert!(matches!(l, SmallBytes::Heap(_)));
        assert_eq!(l.as_bytes(), &long[..]);
        assert_eq!(
            SmallBytes::from_vec(b"abc".to_vec()),
            SmallBytes::new(b"abc")
        );
    }
}
