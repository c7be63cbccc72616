//! The value stored under a key.
//!
//! Strings come in the shapes Redis reports through `OBJECT ENCODING`:
//! canonical integers are stored as numbers (`int`), short strings inline
//! in the value itself, longer ones on the heap (`embstr` up to 44 bytes,
//! `raw` beyond, and always `raw` once modified in place by APPEND or
//! SETRANGE, which is also when a string gets spare capacity to grow).
//! Collections are boxed so every value is three words.

use crate::collections::{HashValue, ListValue, SetValue, ZSetValue};
use crate::small_bytes::INLINE_CAP;

/// Longest string Redis reports as `embstr`.
const EMBSTR_MAX: usize = 44;

/// A stored value.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string holding a canonical 64-bit integer.
    Int(i64),
    /// A short string stored in place: `data[..len]`.
    Inline {
        /// Bytes used.
        len: u8,
        /// Contents, zero past `len`.
        data: [u8; INLINE_CAP],
    },
    /// A string on the heap, exactly sized.
    Raw(Box<[u8]>),
    /// A string that was modified in place and may grow again.
    Growable(Box<Vec<u8>>),
    /// A list.
    List(Box<ListValue>),
    /// A hash.
    Hash(Box<HashValue>),
    /// A set.
    Set(Box<SetValue>),
    /// A sorted set.
    ZSet(Box<ZSetValue>),
}

/// The type of a value as `TYPE` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// `string`
    String,
    /// `list`
    List,
    /// `hash`
    Hash,
    /// `set`
    Set,
    /// `zset`
    ZSet,
}

impl ValueType {
    /// The name `TYPE` and `SCAN ... TYPE` use.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::String => "string",
            ValueType::List => "list",
            ValueType::Hash => "hash",
            ValueType::Set => "set",
            ValueType::ZSet => "zset",
        }
    }

    /// Parses a type name as `SCAN ... TYPE` accepts it (case-insensitive).
    pub fn from_name(name: &[u8]) -> Option<ValueType> {
        let lower = name.to_ascii_lowercase();
        Some(match lower.as_slice() {
            b"string" => ValueType::String,
            b"list" => ValueType::List,
            b"hash" => ValueType::Hash,
            b"set" => ValueType::Set,
            b"zset" => ValueType::ZSet,
            _ => return None,
        })
    }
}

/// A borrowed view of a string value: either its integer or its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrRef<'a> {
    /// An integer-encoded string.
    Int(i64),
    /// Plain bytes.
    Bytes(&'a [u8]),
}

impl StrRef<'_> {
    /// Length of the string form in bytes.
    pub fn len(&self) -> usize {
        match self {
            StrRef::Int(n) => itoa::Buffer::new().format(*n).len(),
            StrRef::Bytes(b) => b.len(),
        }
    }

    /// True for the empty string.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies the string form into a new vector.
    pub fn to_vec(&self) -> Vec<u8> {
        match self {
            StrRef::Int(n) => itoa::Buffer::new().format(*n).as_bytes().to_vec(),
            StrRef::Bytes(b) => b.to_vec(),
        }
    }

    /// Calls `f` with the string form, formatting integers on the stack.
    pub fn with_bytes<R>(&self, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            StrRef::Int(n) => f(itoa::Buffer::new().format(*n).as_bytes()),
            StrRef::Bytes(b) => f(b),
        }
    }
}

impl Value {
    /// A string value for `bytes`, integer-encoded when it is a canonical
    /// integer (as Redis does for strings of at most 20 characters).
    pub fn string(bytes: &[u8]) -> Value {
        if let Some(n) = parse_canonical_i64(bytes) {
            return Value::Int(n);
        }
        Value::string_no_int(bytes)
    }

    /// A string value for `bytes`, never integer-encoded.
    pub fn string_no_int(bytes: &[u8]) -> Value {
        if bytes.len() <= INLINE_CAP {
            let mut data = [0u8; INLINE_CAP];
            data[..bytes.len()].copy_from_slice(bytes);
            Value::Inline {
                len: bytes.len() as u8,
                data,
            }
        } else {
            Value::Raw(bytes.into())
        }
    }

    /// A string value taking ownership of `bytes`.
    pub fn string_from_vec(bytes: Vec<u8>) -> Value {
        if bytes.len() <= INLINE_CAP || parse_canonical_i64(&bytes).is_some() {
            Value::string(&bytes)
        } else {
            Value::Raw(bytes.into_boxed_slice())
        }
    }

    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Int(_) | Value::Inline { .. } | Value::Raw(_) | Value::Growable(_) => {
                ValueType::String
            }
            Value::List(_) => ValueType::List,
            Value::Hash(_) => ValueType::Hash,
            Value::Set(_) => ValueType::Set,
            Value::ZSet(_) => ValueType::ZSet,
        }
    }

    /// The string view, or `None` when the value is not a string.
    #[inline]
    pub fn as_str(&self) -> Option<StrRef<'_>> {
        match self {
            Value::Int(n) => Some(StrRef::Int(*n)),
            Value::Inline { len, data } => Some(StrRef::Bytes(&data[..*len as usize])),
            Value::Raw(b) => Some(StrRef::Bytes(b)),
            Value::Growable(v) => Some(StrRef::Bytes(v)),
            _ => None,
        }
    }

    /// Turns a string value into its growable form and returns its buffer,
    /// for in-place APPEND and SETRANGE. `None` if not a string.
    pub fn make_growable(&mut self) -> Option<&mut Vec<u8>> {
        let bytes = match self {
            Value::Growable(v) => return Some(&mut **v),
            Value::Int(_) | Value::Inline { .. } | Value::Raw(_) => {
                self.as_str().map(|s| s.to_vec()).unwrap_or_default()
            }
            _ => return None,
        };
        *self = Value::Growable(Box::new(bytes));
        match self {
            Value::Growable(v) => Some(&mut **v),
            _ => unreachable!("just assigned a growable string"),
        }
    }

    /// What `OBJECT ENCODING` reports.
    pub fn encoding_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::Inline { .. } => "embstr",
            Value::Raw(b) if b.len() <= EMBSTR_MAX => "embstr",
            Value::Raw(_) | Value::Growable(_) => "raw",
            Value::List(l) => l.encoding_name(),
            Value::Hash(h) => h.encoding_name(),
            Value::Set(s) => s.encoding_name(),
            Value::ZSet(z) => z.encoding_name(),
        }
    }

    /// Approximate heap bytes owned by the value (for `MEMORY USAGE`).
    pub fn heap_size(&self) -> usize {
        match self {
            Value::Int(_) | Value::Inline { .. } => 0,
            Value::Raw(b) => b.len(),
            Value::Growable(v) => v.capacity() + std::mem::size_of::<Vec<u8>>(),
            Value::List(l) => l.heap_size(),
            Value::Hash(h) => h.heap_size(),
            Value::Set(s) => s.heap_size(),
            Value::ZSet(z) => z.heap_size(),
        }
    }

    /// Number of elements of a collection, 1 for a string (used to decide
    /// whether freeing it is worth doing off the main thread).
    pub fn element_count(&self) -> usize {
        match self {
            Value::List(l) => l.len(),
            Value::Hash(h) => h.len(),
            Value::Set(s) => s.len(),
            Value::ZSet(z) => z.len(),
            _ => 1,
        }
    }
}

/// Parses `bytes` as Redis parses integers (`string2ll`): optional `-`,
/// no leading zeros, no `+`, no spaces, within `i64`.
pub fn parse_canonical_i64(bytes: &[u8]) -> Option<i64> {
    shoal_types::parse_redis_i64(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_three_words() {
        assert_eq!(std::mem::size_of::<Value>(), 24);
    }

    #[test]
    fn canonical_integers_parse_like_string2ll() {
        assert_eq!(parse_canonical_i64(b"0"), Some(0));
        assert_eq!(parse_canonical_i64(b"-1"), Some(-1));
        assert_eq!(parse_canonical_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_canonical_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b"9223372036854775808"[..],
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"",
            b"-",
            b"1a",
            b"1.0",
        ] {
            assert_eq!(
                parse_canonical_i64(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn strings_pick_redis_encodings() {
        assert_eq!(Value::string(b"123").encoding_name(), "int");
        assert_eq!(Value::string(b"0123").encoding_name(), "embstr");
        assert_eq!(Value::string(&[b'a'; 44]).encoding_name(), "embstr");
        assert_eq!(Value::string(&[b'a'; 45]).encoding_name(), "raw");
        let mut v = Value::string(b"abc");
        v.make_growable().unwrap().extend_from_slice(b"def");
        assert_eq!(v.encoding_name(), "raw");
        assert_eq!(v.as_str(), Some(StrRef::Bytes(b"abcdef")));
        assert_eq!(Value::string(b"-5").as_str(), Some(StrRef::Int(-5)));
    }
}
