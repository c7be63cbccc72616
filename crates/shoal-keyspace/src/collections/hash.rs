//! Placeholder: the hash type is being written.

/// A hash value.
#[derive(Debug, Clone, Default)]
pub struct HashValue {
    len: usize,
}

impl HashValue {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The encoding name OBJECT ENCODING reports.
    pub fn encoding_name(&self) -> &'static str {
        "listpack"
    }

    /// Approximate heap bytes.
    pub fn heap_size(&self) -> usize {
        0
    }
}
