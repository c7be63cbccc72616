//! Test helpers: a tiny RESP parser and encoder, the DocValue encoder, and the
//! masking of free text that `gen/capture.py` applied to the captured replies.

#![allow(dead_code)]

use shoal_command_table::DocValue;

/// What `gen/capture.py` put in place of Redis's free text.
pub const MASK: &str = "(masked)";

/// A typed RESP value, as read from captured bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resp {
    Bulk(Vec<u8>),
    Status(String),
    Error(String),
    Int(i64),
    Array(Vec<Resp>),
    Set(Vec<Resp>),
    Map(Vec<(Resp, Resp)>),
    Null,
}

/// Reads consecutive RESP values from a byte buffer.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.buf.len()
    }

    /// The next value and its exact bytes.
    pub fn next_raw(&mut self) -> (Resp, &'a [u8]) {
        let start = self.pos;
        let v = self.value();
        (v, &self.buf[start..self.pos])
    }

    fn line(&mut self) -> &'a [u8] {
        let rest = &self.buf[self.pos..];
        let end = rest.windows(2).position(|w| w == b"\r\n").expect("CRLF");
        self.pos += end + 2;
        &rest[..end]
    }

    fn int(s: &[u8]) -> i64 {
        std::str::from_utf8(s).unwrap().parse().unwrap()
    }

    fn value(&mut self) -> Resp {
        let line = self.line();
        let (kind, rest) = (line[0], &line[1..]);
        let text = || String::from_utf8(rest.to_vec()).unwrap();
        match kind {
            b'+' => Resp::Status(text()),
            b'-' => Resp::Error(text()),
            b':' => Resp::Int(Self::int(rest)),
            b'_' => Resp::Null,
            b'$' => {
                let n = Self::int(rest);
                if n < 0 {
                    return Resp::Null;
                }
                let n = n as usize;
                let data = self.buf[self.pos..self.pos + n].to_vec();
                assert_eq!(&self.buf[self.pos + n..self.pos + n + 2], b"\r\n");
                self.pos += n + 2;
                Resp::Bulk(data)
            }
            b'*' | b'~' => {
                let n = Self::int(rest);
                if n < 0 {
                    return Resp::Null;
                }
                let items = (0..n).map(|_| self.value()).collect();
                if kind == b'*' {
                    Resp::Array(items)
                } else {
                    Resp::Set(items)
                }
            }
            b'%' => Resp::Map(
                (0..Self::int(rest))
                    .map(|_| (self.value(), self.value()))
                    .collect(),
            ),
            other => panic!("unexpected RESP type byte {:?}", other as char),
        }
    }
}

/// Encodes a DocValue in RESP2 (`resp3 == false`) or RESP3, as Redis would.
pub fn encode(v: &DocValue, resp3: bool, out: &mut Vec<u8>) {
    match v {
        DocValue::Str(s) => {
            out.extend_from_slice(format!("${}\r\n", s.len()).as_bytes());
            out.extend_from_slice(s.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        DocValue::Status(s) => out.extend_from_slice(format!("+{s}\r\n").as_bytes()),
        DocValue::Int(i) => out.extend_from_slice(format!(":{i}\r\n").as_bytes()),
        DocValue::Null => out.extend_from_slice(if resp3 { b"_\r\n" } else { b"$-1\r\n" }),
        DocValue::Array(items) | DocValue::Set(items) => {
            let kind = if resp3 && matches!(v, DocValue::Set(_)) {
                '~'
            } else {
                '*'
            };
            out.extend_from_slice(format!("{kind}{}\r\n", items.len()).as_bytes());
            for item in items {
                encode(item, resp3, out);
            }
        }
        DocValue::Map(pairs) => {
            if resp3 {
                out.extend_from_slice(format!("%{}\r\n", pairs.len()).as_bytes());
            } else {
                out.extend_from_slice(format!("*{}\r\n", pairs.len() * 2).as_bytes());
            }
            for (k, v) in pairs {
                encode(&DocValue::Str(k), resp3, out);
                encode(v, resp3, out);
            }
        }
    }
}

fn masked(v: &DocValue) -> DocValue {
    match v {
        DocValue::Str(_) => DocValue::Str(MASK),
        other => panic!("free text expected, found {other:?}"),
    }
}

/// Masks the key-spec notes in a COMMAND INFO entry, as capture.py did.
pub fn mask_info(v: &DocValue) -> DocValue {
    let DocValue::Array(items) = v else {
        panic!("info entry is an array")
    };
    let mut items = items.clone();
    if let DocValue::Set(specs) = &items[8] {
        let specs = specs
            .iter()
            .map(|spec| match spec {
                DocValue::Map(kv) => DocValue::Map(
                    kv.iter()
                        .map(|(k, v)| (*k, if *k == "notes" { masked(v) } else { v.clone() }))
                        .collect(),
                ),
                other => panic!("key spec is a map, found {other:?}"),
            })
            .collect();
        items[8] = DocValue::Set(specs);
    }
    if let DocValue::Array(subs) = &items[9] {
        items[9] = DocValue::Array(subs.iter().map(mask_info).collect());
    }
    DocValue::Array(items)
}

/// Masks summary, complexity, replaced_by and history texts in a COMMAND DOCS map.
pub fn mask_docs(v: &DocValue) -> DocValue {
    let DocValue::Map(kv) = v else {
        panic!("docs entry is a map")
    };
    DocValue::Map(
        kv.iter()
            .map(|(k, v)| {
                let v = match *k {
                    "summary" | "complexity" | "replaced_by" => masked(v),
                    "history" => match v {
                        DocValue::Set(entries) => DocValue::Set(
                            entries
                                .iter()
                                .map(|e| match e {
                                    DocValue::Array(pair) => {
                                        DocValue::Array(vec![pair[0].clone(), masked(&pair[1])])
                                    }
                                    other => panic!("history entry {other:?}"),
                                })
                                .collect(),
                        ),
                        other => panic!("history {other:?}"),
                    },
                    "subcommands" => match v {
                        DocValue::Map(subs) => {
                            DocValue::Map(subs.iter().map(|(n, d)| (*n, mask_docs(d))).collect())
                        }
                        other => panic!("subcommands {other:?}"),
                    },
                    _ => v.clone(),
                };
                (*k, v)
            })
            .collect(),
    )
}

/// Reads a file of `tests/data/`.
pub fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
