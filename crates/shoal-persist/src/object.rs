//! A [`Value`] to and from its RDB object encoding: one type byte, then
//! the body that type defines.
//!
//! What Shoal writes, per value (the types a 7.0 DUMP shows):
//!
//! | value | type | body |
//! | --- | --- | --- |
//! | string | 0 `STRING` | an RDB string |
//! | list | 18 `LIST_QUICKLIST_2` | node count, then per node container 2 (packed) and a listpack |
//! | packed hash | 16 `HASH_LISTPACK` | listpack of field, value, ... |
//! | hash table | 4 `HASH` | pair count, then field and value strings |
//! | intset | 11 `SET_INTSET` | intset blob |
//! | set table | 2 `SET` | member count, then member strings |
//! | compact zset | 17 `ZSET_LISTPACK` | listpack of member, score, ... |
//! | skiplist zset | 5 `ZSET_2` | member count, then member string and f64 LE, highest score first |
//!
//! Decoding also accepts the plain `LIST` (1) and the old string-score
//! `ZSET` (3) and rebuilds each value with Shoal's encoding thresholds
//! ([`Limits`]), so the result has the `OBJECT ENCODING` Redis would give
//! it after loading.

use crate::error::DecodeError;
use crate::primitives::{put_int_string, put_length, put_raw_string, put_string, Input, RdbString};
use crate::{intset, listpack};
use shoal_keyspace::collections::{HashValue, ListValue, SetValue, ZSetLimits, ZSetValue};
use shoal_keyspace::{StrRef, Value};

/// RDB object type codes (RDB version 10) used here.
pub mod types {
    /// A string.
    pub const STRING: u8 = 0;
    /// A list as a plain sequence of strings.
    pub const LIST: u8 = 1;
    /// A set as a sequence of member strings.
    pub const SET: u8 = 2;
    /// A sorted set with scores as strings.
    pub const ZSET: u8 = 3;
    /// A hash as a sequence of field and value strings.
    pub const HASH: u8 = 4;
    /// A sorted set with binary scores.
    pub const ZSET_2: u8 = 5;
    /// A set as an intset blob.
    pub const SET_INTSET: u8 = 11;
    /// A hash as a listpack blob.
    pub const HASH_LISTPACK: u8 = 16;
    /// A sorted set as a listpack blob.
    pub const ZSET_LISTPACK: u8 = 17;
    /// A list as a sequence of listpack (or plain) nodes.
    pub const LIST_QUICKLIST_2: u8 = 18;
}

/// Quicklist node container: one element stored as a plain string.
const CONTAINER_PLAIN: u64 = 1;
/// Quicklist node container: a listpack of elements.
const CONTAINER_PACKED: u64 = 2;

/// Largest listpack Shoal writes per list node: Redis's default
/// `list-max-listpack-size -2` (8 KiB).
const LIST_NODE_BYTES_MAX: usize = 8 * 1024;

/// Encoding thresholds applied when building decoded values (the
/// `*-max-listpack-*` and `set-max-intset-entries` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `list-max-listpack-size`.
    pub list_max_listpack_size: i64,
    /// `hash-max-listpack-entries`.
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`.
    pub hash_max_listpack_value: usize,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`.
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`.
    pub zset_max_listpack_value: usize,
}

impl Default for Limits {
    /// Redis 7.0's defaults.
    fn default() -> Self {
        Limits {
            list_max_listpack_size: -2,
            hash_max_listpack_entries: 512,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
        }
    }
}

impl Limits {
    fn zset(&self) -> ZSetLimits {
        ZSetLimits {
            max_listpack_entries: self.zset_max_listpack_entries,
            max_listpack_value: self.zset_max_listpack_value,
        }
    }
}

/// Appends the type byte and body of `value`.
pub fn encode_object(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::List(l) => encode_list(l, out),
        Value::Hash(h) => encode_hash(h, out),
        Value::Set(s) => encode_set(s, out),
        Value::ZSet(z) => encode_zset(z, out),
        string => {
            out.push(types::STRING);
            match string.as_str().expect("every other variant is a string") {
                StrRef::Int(n) => put_int_string(out, n),
                StrRef::Bytes(b) => put_string(out, b),
            }
        }
    }
}

fn encode_list(list: &ListValue, out: &mut Vec<u8>) {
    let mut nodes: Vec<Vec<u8>> = Vec::new();
    let mut node = listpack::Writer::new();
    for item in list.iter() {
        if !node.is_empty() && node.byte_len() + item.len() + 11 > LIST_NODE_BYTES_MAX {
            nodes.push(std::mem::take(&mut node).finish());
        }
        node.push(item);
    }
    if !node.is_empty() {
        nodes.push(node.finish());
    }
    out.push(types::LIST_QUICKLIST_2);
    put_length(out, nodes.len() as u64);
    for blob in nodes {
        put_length(out, CONTAINER_PACKED);
        put_raw_string(out, &blob);
    }
}

fn encode_hash(hash: &HashValue, out: &mut Vec<u8>) {
    if hash.is_packed() {
        let mut lp = listpack::Writer::new();
        for (field, value) in hash.iter() {
            lp.push(field);
            lp.push(value);
        }
        out.push(types::HASH_LISTPACK);
        put_raw_string(out, &lp.finish());
    } else {
        out.push(types::HASH);
        put_length(out, hash.len() as u64);
        for (field, value) in hash.iter() {
            put_string(out, field);
            put_string(out, value);
        }
    }
}

fn encode_set(set: &SetValue, out: &mut Vec<u8>) {
    if set.is_intset() {
        let ints: Vec<i64> = set
            .iter()
            .map(|m| match m {
                StrRef::Int(n) => n,
                StrRef::Bytes(b) => shoal_keyspace::parse_canonical_i64(b)
                    .expect("an intset holds only canonical integers"),
            })
            .collect();
        out.push(types::SET_INTSET);
        put_raw_string(out, &intset::encode(&ints));
    } else {
        out.push(types::SET);
        put_length(out, set.len() as u64);
        for member in set.iter() {
            match member {
                StrRef::Int(n) => put_int_string(out, n),
                StrRef::Bytes(b) => put_string(out, b),
            }
        }
    }
}

fn encode_zset(zset: &ZSetValue, out: &mut Vec<u8>) {
    if zset.is_compact() {
        let mut lp = listpack::Writer::new();
        zset.for_each(|member, score| {
            lp.push(member);
            lp.push(score_string(score).as_bytes());
        });
        out.push(types::ZSET_LISTPACK);
        put_raw_string(out, &lp.finish());
    } else {
        let mut members: Vec<(&[u8], f64)> = Vec::with_capacity(zset.len());
        zset.for_each(|m, s| members.push((m, s)));
        out.push(types::ZSET_2);
        put_length(out, members.len() as u64);
        // Highest score first, as Redis writes them, so a loader can
        // insert each at the head of its skiplist.
        for (member, score) in members.into_iter().rev() {
            put_string(out, member);
            out.extend_from_slice(&score.to_le_bytes());
        }
    }
}

/// A score as Redis 7.0 puts it in a listpack: integral values of
/// magnitude below 2^52 as integers, `-0` for negative zero, the rest as
/// `%.17g`.
fn score_string(score: f64) -> String {
    const LIMIT: f64 = 4_503_599_627_370_496.0; // 2^52
    if score == 0.0 {
        return if score.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    if score.is_finite() && score > -LIMIT && score < LIMIT && score.fract() == 0.0 {
        return itoa::Buffer::new().format(score as i64).to_string();
    }
    shoal_resp::double::format_double(score)
}

/// Decodes one object: a type byte and its body, from `input`.
pub fn decode_object(input: &mut Input<'_>, limits: &Limits) -> Result<Value, DecodeError> {
    let kind = input.u8()?;
    let value = match kind {
        types::STRING => match input.string()? {
            RdbString::Int(n) => Value::Int(n),
            s => Value::string_from_vec(s.into_vec()),
        },
        types::LIST => {
            let n = input.length()?;
            let mut list = ListValue::new();
            for _ in 0..n {
                input
                    .string()?
                    .with_bytes(|b| list.push_back(b, limits.list_max_listpack_size));
            }
            Value::List(Box::new(list))
        }
        types::LIST_QUICKLIST_2 => Value::List(Box::new(decode_quicklist(input, limits)?)),
        types::HASH => {
            let n = input.length()?;
            let mut hash = HashValue::new();
            for _ in 0..n {
                let field = input.string()?.into_vec();
                let value = input.string()?;
                hash_insert(&mut hash, &field, &value.into_vec(), limits)?;
            }
            Value::Hash(Box::new(hash))
        }
        types::HASH_LISTPACK => {
            let blob = input.blob()?;
            let entries = listpack::decode(&blob)?;
            if entries.len() % 2 != 0 {
                return Err(DecodeError::Corrupt(
                    "hash listpack with an odd element count",
                ));
            }
            let mut hash = HashValue::new();
            for pair in entries.chunks_exact(2) {
                hash_insert(&mut hash, &pair[0].to_vec(), &pair[1].to_vec(), limits)?;
            }
            Value::Hash(Box::new(hash))
        }
        types::SET => {
            let n = input.length()?;
            let mut set = SetValue::new_intset();
            for _ in 0..n {
                let added = input
                    .string()?
                    .with_bytes(|m| set.add(m, limits.set_max_intset_entries));
                if !added {
                    return Err(DecodeError::Duplicate);
                }
            }
            Value::Set(Box::new(set))
        }
        types::SET_INTSET => {
            let blob = input.blob()?;
            let mut set = SetValue::new_intset();
            for n in intset::decode(&blob)? {
                set.add(
                    itoa::Buffer::new().format(n).as_bytes(),
                    limits.set_max_intset_entries,
                );
            }
            Value::Set(Box::new(set))
        }
        types::ZSET | types::ZSET_2 => {
            let n = input.length()?;
            let mut zset = ZSetValue::new();
            for _ in 0..n {
                let member = input.string()?.into_vec();
                let score = if kind == types::ZSET_2 {
                    input.f64_le()?
                } else {
                    string_score(input)?
                };
                zset_insert(&mut zset, &member, score, limits)?;
            }
            Value::ZSet(Box::new(zset))
        }
        types::ZSET_LISTPACK => {
            let blob = input.blob()?;
            let entries = listpack::decode(&blob)?;
            if entries.len() % 2 != 0 {
                return Err(DecodeError::Corrupt(
                    "zset listpack with an odd element count",
                ));
            }
            let mut zset = ZSetValue::new();
            for pair in entries.chunks_exact(2) {
                let score = match pair[1] {
                    listpack::Entry::Int(n) => n as f64,
                    listpack::Entry::Str(s) => parse_score(s)?,
                };
                zset_insert(&mut zset, &pair[0].to_vec(), score, limits)?;
            }
            Value::ZSet(Box::new(zset))
        }
        other => return Err(DecodeError::UnknownType(other)),
    };
    if value.element_count() == 0 {
        return Err(DecodeError::Empty);
    }
    Ok(value)
}

fn decode_quicklist(input: &mut Input<'_>, limits: &Limits) -> Result<ListValue, DecodeError> {
    let nodes = input.length()?;
    let mut list = ListValue::new();
    let fill = limits.list_max_listpack_size;
    for _ in 0..nodes {
        match input.length()? {
            CONTAINER_PLAIN => input.string()?.with_bytes(|b| list.push_back(b, fill)),
            CONTAINER_PACKED => {
                let blob = input.blob()?;
                // Empty nodes are skipped, as Redis skips them.
                for entry in listpack::decode(&blob)? {
                    entry.with_bytes(|b| list.push_back(b, fill));
                }
            }
            _ => return Err(DecodeError::Invalid("quicklist container")),
        }
    }
    Ok(list)
}

fn hash_insert(
    hash: &mut HashValue,
    field: &[u8],
    value: &[u8],
    limits: &Limits,
) -> Result<(), DecodeError> {
    let added = hash.set(
        field,
        value,
        limits.hash_max_listpack_entries,
        limits.hash_max_listpack_value,
    );
    if added {
        Ok(())
    } else {
        Err(DecodeError::Duplicate)
    }
}

fn zset_insert(
    zset: &mut ZSetValue,
    member: &[u8],
    score: f64,
    limits: &Limits,
) -> Result<(), DecodeError> {
    if score.is_nan() {
        return Err(DecodeError::BadScore);
    }
    if zset.is_empty() {
        // Start in the encoding the first member allows, as ZADD does.
        *zset = ZSetValue::for_new_key(limits.zset(), member.len());
    }
    if zset.insert(member, score, limits.zset()) {
        Ok(())
    } else {
        Err(DecodeError::Duplicate)
    }
}

/// Reads an old-style score: a length byte (253 NaN, 254 +inf, 255 -inf)
/// and that many ASCII bytes.
fn string_score(input: &mut Input<'_>) -> Result<f64, DecodeError> {
    match input.u8()? {
        253 => Ok(f64::NAN),
        254 => Ok(f64::INFINITY),
        255 => Ok(f64::NEG_INFINITY),
        n => parse_score(input.take(n as usize)?),
    }
}

fn parse_score(s: &[u8]) -> Result<f64, DecodeError> {
    let text = std::str::from_utf8(s).map_err(|_| DecodeError::BadScore)?;
    let v: f64 = text.parse().map_err(|_| DecodeError::BadScore)?;
    if v.is_nan() {
        return Err(DecodeError::BadScore);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listpack_scores_follow_redis_spelling() {
        assert_eq!(score_string(2.0), "2");
        assert_eq!(score_string(-0.0), "-0");
        assert_eq!(score_string(1.1), "1.1000000000000001");
        assert_eq!(score_string(1e20), "1e+20");
        assert_eq!(score_string(f64::INFINITY), "inf");
        assert_eq!(score_string(f64::NEG_INFINITY), "-inf");
        assert_eq!(score_string(0.5), "0.5");
    }
}
