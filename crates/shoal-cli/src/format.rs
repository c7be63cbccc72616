//! Turns a reply [`Frame`] into the text redis-cli 7.0 prints for it.
//!
//! Four shapes, chosen by [`OutputMode`]:
//!
//! ```text
//! Standard (a terminal, or --no-raw)   Raw (a pipe, or --raw)
//! 1) "a"                               a
//! 2) (integer) 5                       5
//! 3) 1) "nested"                       nested
//!    2) (nil)                          (an empty line for the nil)
//! 1# "key" => "value"                  key value
//! (error) ERR bad                      ERR bad
//! ```
//!
//! plus `--csv` (`"a",5,NULL`) and `--json` / `--quoted-json`.
//!
//! Standard output numbers the elements of every aggregate (`)` for arrays
//! and pushes, `~` for sets, `#` for maps), right-aligns the numbers to the
//! width of the largest, and indents nested aggregates under their parent's
//! number. Bulk strings are quoted with C-style escapes ([`quote`]).
//!
//! Two RESP3 types redis-cli 7.0 cannot print are given a shape of our own:
//! a big number shows as `(big number) 123...` (redis-cli exits with
//! "Unknown reply type"), and an attribute shows only the value it annotates
//! (redis-cli reports a protocol error).
//!
//! This module only renders; deciding which mode applies (terminal or not,
//! commands such as INFO that always print raw) is the session's job.

use shoal_resp::frame::Frame;

/// How replies are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// Human-oriented: numbered, quoted, typed (`(integer) 1`).
    Standard,
    /// Values only, one per line (delimiters configurable with `-d`/`-D`).
    Raw,
    /// Comma-separated values, strings quoted.
    Csv,
    /// JSON, strings as UTF-8 with JSON escapes.
    Json,
    /// JSON, strings in ASCII with C-style escapes.
    QuotedJson,
}

/// The two raw-mode delimiters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delimiters {
    /// Between the elements of an aggregate (`-d`, default `\n`).
    pub element: Vec<u8>,
    /// After each whole reply (`-D`, default `\n`).
    pub reply: Vec<u8>,
}

impl Default for Delimiters {
    fn default() -> Self {
        Delimiters {
            element: b"\n".to_vec(),
            reply: b"\n".to_vec(),
        }
    }
}

/// Renders a whole reply in `mode`, with the trailing newline or reply
/// delimiter that mode adds.
pub fn reply(frame: &Frame, mode: OutputMode, delims: &Delimiters) -> Vec<u8> {
    let mut out = Vec::new();
    match mode {
        OutputMode::Standard => standard(&mut out, frame, ""),
        OutputMode::Raw => {
            raw(&mut out, frame, &delims.element);
            out.extend_from_slice(&delims.reply);
        }
        OutputMode::Csv => {
            csv(&mut out, frame);
            out.push(b'\n');
        }
        OutputMode::Json | OutputMode::QuotedJson => {
            json(&mut out, frame, mode == OutputMode::QuotedJson);
            out.push(b'\n');
        }
    }
    out
}

/// Renders a reply the way commands with free-form text replies (INFO,
/// CLIENT LIST, CLUSTER NODES...) are always printed: raw, with no reply
/// delimiter, whatever the output mode.
pub fn verbatim(frame: &Frame, delims: &Delimiters) -> Vec<u8> {
    let mut out = Vec::new();
    raw(&mut out, frame, &delims.element);
    out
}

/// Renders an out-of-band push message. In standard mode a client-tracking
/// invalidation reads `-> invalidate: 'k1', 'k2'`; anything else is
/// rendered like a reply.
pub fn push(frame: &Frame, mode: OutputMode, delims: &Delimiters) -> Vec<u8> {
    if mode == OutputMode::Standard {
        if let Some(keys) = invalidated_keys(frame) {
            let mut out = b"-> invalidate: ".to_vec();
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b", ");
                }
                out.push(b'\'');
                out.extend_from_slice(key);
                out.push(b'\'');
            }
            out.push(b'\n');
            return out;
        }
    }
    reply(frame, mode, delims)
}

/// The keys of an `invalidate` push whose second element is an array of
/// strings; `None` for any other frame (a flush invalidates with a null).
fn invalidated_keys(frame: &Frame) -> Option<Vec<&[u8]>> {
    let Frame::Push(items) = frame else {
        return None;
    };
    let [Frame::Bulk(kind), Frame::Array(keys)] = items.as_slice() else {
        return None;
    };
    if !kind.starts_with(b"invalidate") {
        return None;
    }
    keys.iter()
        .map(|k| match k {
            Frame::Bulk(k) => Some(k.as_slice()),
            _ => None,
        })
        .collect()
}

/// Appends `bytes` in double quotes with C-style escapes: `\\`, `\"`,
/// `\n`, `\r`, `\t`, `\a`, `\b`, printable ASCII as is, every other byte
/// as `\xHH` (lowercase hex).
pub fn quote_into(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'x',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]);
            }
        }
    }
    out.push(b'"');
}

/// `bytes` quoted as by [`quote_into`].
pub fn quote(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 2);
    quote_into(&mut out, bytes);
    out
}

/// Number of decimal digits in `n` (at least one).
fn digits(mut n: usize) -> usize {
    let mut width = 1;
    while n >= 10 {
        n /= 10;
        width += 1;
    }
    width
}

/// True when [`standard`] renders `frame` over more than one line, so a map
/// value starts on a line of its own to keep its numbers aligned.
fn is_multiline(frame: &Frame) -> bool {
    match frame {
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => match items.as_slice() {
            [] => false,
            [only] => is_multiline(only),
            _ => true,
        },
        Frame::Map(pairs) => match pairs.as_slice() {
            [] => false,
            [(_, value)] => is_multiline(value),
            _ => true,
        },
        Frame::Attribute { value, .. } => is_multiline(value),
        _ => false,
    }
}

/// The standard (terminal) rendering. `indent` is the run of spaces that
/// lines after the first must start with: the first line's position is
/// already taken by the parent's element number.
fn standard(out: &mut Vec<u8>, frame: &Frame, indent: &str) {
    match frame {
        Frame::Error(text) | Frame::BlobError(text) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Simple(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Integer(n) => {
            out.extend_from_slice(format!("(integer) {n}\n").as_bytes());
        }
        Frame::Double(text) => {
            out.extend_from_slice(format!("(double) {text}\n").as_bytes());
        }
        Frame::BigNumber(text) => {
            out.extend_from_slice(format!("(big number) {text}\n").as_bytes());
        }
        Frame::Bulk(data) => {
            quote_into(out, data);
            out.push(b'\n');
        }
        // Verbatim text is meant to be shown as written, so no quoting.
        Frame::Verbatim { text, .. } => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Null | Frame::NullArray => out.extend_from_slice(b"(nil)\n"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Frame::Attribute { value, .. } => standard(out, value, indent),
        Frame::Array(items) => elements(out, items, b')', b"(empty array)\n", indent),
        Frame::Set(items) => elements(out, items, b'~', b"(empty set)\n", indent),
        Frame::Push(items) => elements(out, items, b')', b"(empty push)\n", indent),
        Frame::Map(pairs) => {
            if pairs.is_empty() {
                out.extend_from_slice(b"(empty hash)\n");
                return;
            }
            let width = digits(pairs.len());
            let inner = format!("{indent}{}", " ".repeat(width + 2));
            for (i, (key, value)) in pairs.iter().enumerate() {
                number(out, i, width, b'#', indent);
                standard(out, key, &inner);
                // The key's rendering ends in a newline: the value goes on
                // the same line, after an arrow.
                out.pop();
                out.extend_from_slice(b" => ");
                if is_multiline(value) {
                    out.push(b'\n');
                    out.extend_from_slice(inner.as_bytes());
                }
                standard(out, value, &inner);
            }
        }
    }
}

/// The numbered elements of an array, set or push.
fn elements(out: &mut Vec<u8>, items: &[Frame], mark: u8, empty: &[u8], indent: &str) {
    if items.is_empty() {
        out.extend_from_slice(empty);
        return;
    }
    let width = digits(items.len());
    let inner = format!("{indent}{}", " ".repeat(width + 2));
    for (i, item) in items.iter().enumerate() {
        number(out, i, width, mark, indent);
        standard(out, item, &inner);
    }
}

/// `<indent><n right-aligned to width><mark> `; the first element gets no
/// indent, since its line already starts after the parent's number.
fn number(out: &mut Vec<u8>, index: usize, width: usize, mark: u8, indent: &str) {
    if index > 0 {
        out.extend_from_slice(indent.as_bytes());
    }
    out.extend_from_slice(format!("{:>width$}", index + 1).as_bytes());
    out.push(mark);
    out.push(b' ');
}

/// The raw rendering: values only.
fn raw(out: &mut Vec<u8>, frame: &Frame, element_delim: &[u8]) {
    match frame {
        Frame::Null | Frame::NullArray => {}
        Frame::Error(text) | Frame::BlobError(text) => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::Simple(data) | Frame::Bulk(data) | Frame::Verbatim { text: data, .. } => {
            out.extend_from_slice(data)
        }
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Frame::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Frame::Double(text) | Frame::BigNumber(text) => out.extend_from_slice(text.as_bytes()),
        Frame::Attribute { value, .. } => raw(out, value, element_delim),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(element_delim);
                }
                raw(out, item, element_delim);
            }
        }
        Frame::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(element_delim);
                }
                raw(out, key, element_delim);
                out.push(b' ');
                raw(out, value, element_delim);
            }
        }
    }
}

/// The `--csv` rendering: aggregates (maps too) flattened into one line.
fn csv(out: &mut Vec<u8>, frame: &Frame) {
    match frame {
        Frame::Error(text) | Frame::BlobError(text) => {
            out.extend_from_slice(b"ERROR,");
            quote_into(out, text);
        }
        Frame::Simple(data) | Frame::Bulk(data) | Frame::Verbatim { text: data, .. } => {
            quote_into(out, data)
        }
        Frame::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Frame::Double(text) | Frame::BigNumber(text) => out.extend_from_slice(text.as_bytes()),
        Frame::Null | Frame::NullArray => out.extend_from_slice(b"NULL"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Frame::Attribute { value, .. } => csv(out, value),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(out, item);
            }
        }
        Frame::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csv(out, key);
                out.push(b',');
                csv(out, value);
            }
        }
    }
}

/// A JSON string: UTF-8 passed through with JSON escapes (`--json`), or
/// [`quote`]'s ASCII form with its backslashes doubled (`--quoted-json`).
fn json_string(out: &mut Vec<u8>, data: &[u8], quoted: bool) {
    if quoted {
        for b in quote(data) {
            if b == b'\\' {
                out.extend_from_slice(b"\\\\");
            } else {
                out.push(b);
            }
        }
        return;
    }
    out.push(b'"');
    for &b in data {
        match b {
            b'\\' | b'"' => {
                out.push(b'\\');
                out.push(b);
            }
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// The `--json` / `--quoted-json` rendering.
fn json(out: &mut Vec<u8>, frame: &Frame, quoted: bool) {
    match frame {
        Frame::Error(text) | Frame::BlobError(text) => {
            out.extend_from_slice(b"error:");
            json_string(out, text, quoted);
        }
        Frame::Simple(data) | Frame::Bulk(data) | Frame::Verbatim { text: data, .. } => {
            json_string(out, data, quoted)
        }
        Frame::Integer(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Frame::Double(text) | Frame::BigNumber(text) => out.extend_from_slice(text.as_bytes()),
        Frame::Null | Frame::NullArray => out.extend_from_slice(b"null"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Frame::Attribute { value, .. } => json(out, value, quoted),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                json(out, item, quoted);
            }
            out.push(b']');
        }
        Frame::Map(pairs) => {
            out.push(b'{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                let is_text = matches!(
                    key,
                    Frame::Error(_)
                        | Frame::BlobError(_)
                        | Frame::Simple(_)
                        | Frame::Bulk(_)
                        | Frame::Verbatim { .. }
                );
                if is_text {
                    json(out, key, quoted);
                } else {
                    // JSON keys are strings: other key types are rendered,
                    // then wrapped in quotes unless already quoted.
                    let mut rendered = Vec::new();
                    json(&mut rendered, key, quoted);
                    if rendered.first() == Some(&b'"') {
                        out.extend_from_slice(&rendered);
                    } else {
                        out.push(b'"');
                        out.extend_from_slice(&rendered);
                        out.push(b'"');
                    }
                }
                out.push(b':');
                json(out, value, quoted);
            }
            out.push(b'}');
        }
    }
}

#[cfg(test)]
#[path = "format_test.rs"]
mod tests;
