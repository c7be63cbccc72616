//! The error of every decoder in this crate.

/// Why bytes could not be decoded. Decoders take no state, so on error
/// nothing was changed anywhere; the partial result is dropped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The input ended before the value did.
    #[error("unexpected end of input")]
    Truncated,
    /// An RDB object type byte this decoder does not know.
    #[error("unsupported RDB object type {0}")]
    UnknownType(u8),
    /// A length or string encoding byte that is not defined.
    #[error("invalid encoding: {0}")]
    Invalid(&'static str),
    /// LZF data that does not expand to the announced length.
    #[error("corrupt LZF data")]
    Lzf,
    /// A listpack or intset blob whose structure is inconsistent.
    #[error("corrupt {0}")]
    Corrupt(&'static str),
    /// A collection with no elements (Redis refuses empty keys).
    #[error("empty collection")]
    Empty,
    /// The same field, member or element appears twice.
    #[error("duplicate element")]
    Duplicate,
    /// A sorted-set score that is NaN or does not parse.
    #[error("invalid score")]
    BadScore,
}
