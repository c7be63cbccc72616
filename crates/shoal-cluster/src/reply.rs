//! A small reply tree for the structured CLUSTER replies.
//!
//! CLUSTER SLOTS, SHARDS, LINKS and REPLICAS are nested arrays and maps whose
//! RESP2 and RESP3 encodings differ (a map is `%n` in RESP3 and a flat array
//! of `2n` elements in RESP2). The builders in [`crate::texts`] return a
//! [`ReplyValue`]; [`ReplyValue::write_to`] encodes it into a client's
//! [`ReplyBuf`], which knows the protocol.
//!
//! This is not a general RESP value type (shoal-resp has that); it holds
//! just the shapes the cluster replies need. Errors are not values here:
//! they travel as `Err` (see [`crate::commands::ClusterError`]).

use shoal_resp::ReplyBuf;

/// One reply, possibly nested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyValue {
    /// A status reply, `+<text>` (`OK`, `BUMPED 4`).
    Status(String),
    /// An integer, `:<n>`.
    Int(i64),
    /// A bulk string.
    Bulk(Vec<u8>),
    /// The null reply (`$-1` in RESP2, `_` in RESP3).
    Null,
    /// Text sent as a bulk string in RESP2 and as a `txt` verbatim string in
    /// RESP3 (CLUSTER NODES, CLUSTER INFO).
    Verbatim(String),
    /// An array.
    Array(Vec<ReplyValue>),
    /// A map with bulk-string keys, in order (a flat array in RESP2).
    Map(Vec<(&'static str, ReplyValue)>),
}

impl ReplyValue {
    /// `+OK`.
    pub fn ok() -> ReplyValue {
        ReplyValue::Status("OK".to_string())
    }

    /// A bulk string from text.
    pub fn bulk_str(s: &str) -> ReplyValue {
        ReplyValue::Bulk(s.as_bytes().to_vec())
    }

    /// Appends the encoding of this value to `out`, in `out`'s protocol.
    pub fn write_to(&self, out: &mut ReplyBuf) {
        match self {
            ReplyValue::Status(s) if s == "OK" => out.ok(),
            ReplyValue::Status(s) => out.simple(s),
            ReplyValue::Int(n) => out.integer(*n),
            ReplyValue::Bulk(b) => out.bulk(b),
            ReplyValue::Null => out.null(),
            ReplyValue::Verbatim(t) => out.verbatim("txt", t.as_bytes()),
            ReplyValue::Array(items) => {
                out.array(items.len());
                for item in items {
                    item.write_to(out);
                }
            }
            ReplyValue::Map(pairs) => {
                out.map(pairs.len());
                for (k, v) in pairs {
                    out.bulk(k.as_bytes());
                    v.write_to(out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoal_resp::Protocol;

    fn encode(v: &ReplyValue, proto: Protocol) -> String {
        let mut b = ReplyBuf::with_protocol(proto);
        v.write_to(&mut b);
        String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn maps_flatten_in_resp2() {
        let v = ReplyValue::Array(vec![
            ReplyValue::Int(1),
            ReplyValue::Map(vec![
                ("ip", ReplyValue::bulk_str("::1")),
                ("x", ReplyValue::Null),
            ]),
        ]);
        assert_eq!(
            encode(&v, Protocol::Resp2),
            "*2\r\n:1\r\n*4\r\n$2\r\nip\r\n$3\r\n::1\r\n$1\r\nx\r\n$-1\r\n"
        );
        assert_eq!(
            encode(&v, Protocol::Resp3),
            "*2\r\n:1\r\n%2\r\n$2\r\nip\r\n$3\r\n::1\r\n$1\r\nx\r\n_\r\n"
        );
    }

    #[test]
    fn verbatim_is_bulk_in_resp2() {
        let v = ReplyValue::Verbatim("a\n".into());
        assert_eq!(encode(&v, Protocol::Resp2), "$2\r\na\n\r\n");
        assert_eq!(encode(&v, Protocol::Resp3), "=6\r\ntxt:a\n\r\n");
        assert_eq!(encode(&ReplyValue::ok(), Protocol::Resp3), "+OK\r\n");
    }
}
