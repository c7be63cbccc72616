//! Placeholder: the zset type is being written.

/// A zset value.
#[derive(Debug, Clone, Default)]
pub struct ZSetValue {
    len: usize,
}

impl ZSetValue {
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
