//! A complete RESP3 value ([`Frame`]) with its decoder and encoder, for the
//! client side: shoal-cli, tests, replication handshakes.
//!
//! ```text
//! +OK\r\n            Simple        -ERR x\r\n        Error
//! :42\r\n            Integer       $3\r\nfoo\r\n    Bulk      ($-1\r\n and _\r\n: Null)
//! *2\r\n...          Array         *-1\r\n           NullArray
//! %1\r\n<k><v>       Map           ~2\r\n...         Set       >3\r\n...  Push
//! ,1.5\r\n           Double        #t\r\n            Boolean   (123\r\n   BigNumber
//! =7\r\ntxt:abc\r\n  Verbatim      !5\r\nERR x\r\n   BlobError
//! |1\r\n<k><v><value>  Attribute: kept, wrapped around the value it annotates
//! ```
//!
//! The decoder also accepts RESP3's streamed forms (`$?` with `;` chunks,
//! and `*?`, `%?`, `~?` closed by `.`), which Redis 7.0 never sends; they
//! come out as ordinary [`Frame::Bulk`], [`Frame::Array`], [`Frame::Map`]
//! and [`Frame::Set`].
//!
//! Decoding runs in two passes: a check that walks the bytes without
//! allocating (so "not enough bytes yet" costs no allocation), then a build
//! pass that allocates knowing every element is there, so a hostile count
//! cannot reserve more memory than the input's size. Nesting depth and
//! bulk lengths are limited ([`DecodeLimits`]). A frame that arrives in many
//! pieces is re-checked from its start on each call; callers should decode
//! after each read, not after each byte.
//!
//! This module does not parse requests on the server (see
//! [`crate::request`], which follows Redis's own, laxer rules), nor render
//! frames for humans (shoal-cli does that).

use crate::reply::Protocol;

/// Default deepest nesting accepted by [`decode`]: deeper input is an error,
/// not a stack overflow. Redis's own replies nest a few levels; 128 leaves
/// room for scripts returning nested tables while a debug build's decoder
/// still fits well inside a 2 MiB thread stack.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// Default longest bulk accepted by [`decode`], as Redis's
/// `proto-max-bulk-len` (512 MiB).
pub const DEFAULT_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// A RESP2 or RESP3 value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// `+<text>`: a status reply. Must not contain CR to be encodable.
    Simple(Vec<u8>),
    /// `-<text>`: an error reply, text starting with its code (`ERR ...`).
    Error(Vec<u8>),
    /// `:<n>`.
    Integer(i64),
    /// `$<len>` and data.
    Bulk(Vec<u8>),
    /// The null value: `_` in RESP3, `$-1` in RESP2 (both decode to this).
    Null,
    /// `*-1`, RESP2's null array (RESP3 servers send `_`, i.e. [`Frame::Null`]).
    NullArray,
    /// `*<n>` and `n` values.
    Array(Vec<Frame>),
    /// `%<n>` and `n` key-value pairs, in wire order.
    Map(Vec<(Frame, Frame)>),
    /// `~<n>` and `n` members, in wire order.
    Set(Vec<Frame>),
    /// `><n>`: an out-of-band message (pub/sub, invalidation).
    Push(Vec<Frame>),
    /// `,<text>`: a double, kept as the text sent (`1.5`, `inf`, `-inf`,
    /// `nan`) so nothing is lost to rounding.
    Double(String),
    /// `#t` / `#f`.
    Boolean(bool),
    /// `(<digits>`: an integer of any size, as sent.
    BigNumber(String),
    /// `=<len>` and `<format>:<text>`: text with a three-byte format such
    /// as `txt` or `mkd`. The format must be three bytes to be encodable.
    Verbatim {
        /// The format, e.g. `txt`.
        format: String,
        /// The text after `<format>:`.
        text: Vec<u8>,
    },
    /// `!<len>` and data: an error that may span lines.
    BlobError(Vec<u8>),
    /// `|<n>` and `n` pairs of out-of-band information about the value that
    /// follows; the decoder keeps both, the pairs wrapped around the value.
    Attribute {
        /// The attribute pairs.
        attributes: Vec<(Frame, Frame)>,
        /// The value they annotate.
        value: Box<Frame>,
    },
}

impl Frame {
    /// A simple string frame.
    pub fn simple(text: &str) -> Frame {
        Frame::Simple(text.as_bytes().to_vec())
    }

    /// An error frame; `text` starts with the error code (`ERR ...`).
    pub fn error(text: &str) -> Frame {
        Frame::Error(text.as_bytes().to_vec())
    }

    /// A bulk string frame.
    pub fn bulk(data: impl AsRef<[u8]>) -> Frame {
        Frame::Bulk(data.as_ref().to_vec())
    }

    /// True for [`Frame::Error`] and [`Frame::BlobError`].
    pub fn is_error(&self) -> bool {
        matches!(self, Frame::Error(_) | Frame::BlobError(_))
    }
}

/// Malformed input. The stream cannot be resynchronised after it: drop the
/// connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// A frame started with a byte that is no RESP type.
    #[error("unknown RESP type byte 0x{byte:02x} at offset {offset}")]
    UnknownType {
        /// The byte found.
        byte: u8,
        /// Its offset in the input.
        offset: usize,
    },
    /// A header, number, terminator or payload that breaks the format.
    #[error("invalid {what} at offset {offset}")]
    Invalid {
        /// What was wrong, e.g. `length`, `line ending`.
        what: &'static str,
        /// Offset of the offending frame part in the input.
        offset: usize,
    },
    /// Aggregates nested deeper than [`DecodeLimits::max_depth`].
    #[error("frames nested deeper than {limit} levels")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// A bulk longer than [`DecodeLimits::max_bulk_len`].
    #[error("bulk of {len} bytes is over the limit of {limit}")]
    TooLarge {
        /// The announced length.
        len: u64,
        /// The limit in force.
        limit: u64,
    },
}

/// Bounds that keep hostile input from exhausting the stack or memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Deepest nesting of aggregates (and attributes) accepted.
    pub max_depth: usize,
    /// Longest bulk (or streamed string in total) accepted, in bytes.
    pub max_bulk_len: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits {
            max_depth: DEFAULT_MAX_DEPTH,
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
        }
    }
}

/// Decodes the first frame of `buf` with the default limits.
///
/// `Ok(Some((frame, n)))`: a frame taking the first `n` bytes.
/// `Ok(None)`: `buf` holds only the start of a frame; call again with more.
pub fn decode(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    decode_with(buf, &DecodeLimits::default())
}

/// Decodes the first frame of `buf` within `limits`; see [`decode`].
pub fn decode_with(
    buf: &[u8],
    limits: &DecodeLimits,
) -> Result<Option<(Frame, usize)>, FrameError> {
    let decoder = Decoder { buf, limits };
    let Some((_, end)) = decoder.value::<false>(0, 0)? else {
        return Ok(None);
    };
    let (frame, built_end) = decoder
        .value::<true>(0, 0)?
        .expect("the checking pass found a whole frame in the same bytes");
    assert_eq!(end, built_end, "both passes walk the same bytes");
    Ok(Some((frame, end)))
}

/// Walks one frame. With `BUILD == false` it only checks and measures,
/// returning [`Frame::Null`] placeholders and allocating nothing.
struct Decoder<'a> {
    buf: &'a [u8],
    limits: &'a DecodeLimits,
}

type Step<T> = Result<Option<(T, usize)>, FrameError>;

fn invalid<T>(what: &'static str, offset: usize) -> Result<T, FrameError> {
    Err(FrameError::Invalid { what, offset })
}

/// Evaluates `make` only in the build pass.
fn built<const BUILD: bool>(make: impl FnOnce() -> Frame) -> Frame {
    if BUILD {
        make()
    } else {
        Frame::Null
    }
}

impl<'a> Decoder<'a> {
    /// The line starting at `pos`, without its CRLF, and the offset after it.
    fn line(&self, pos: usize) -> Step<&'a [u8]> {
        let rest = self.buf.get(pos..).unwrap_or(&[]);
        let Some(cr) = memchr::memchr(b'\r', rest) else {
            return Ok(None);
        };
        match rest.get(cr + 1) {
            None => Ok(None),
            Some(b'\n') => Ok(Some((&rest[..cr], pos + cr + 2))),
            Some(_) => invalid("line ending", pos + cr),
        }
    }

    /// `len` bytes of payload at `pos` followed by CRLF.
    fn payload(&self, pos: usize, len: u64) -> Step<&'a [u8]> {
        if len > self.limits.max_bulk_len {
            return Err(FrameError::TooLarge {
                len,
                limit: self.limits.max_bulk_len,
            });
        }
        let available = self.buf.len().saturating_sub(pos);
        // Compared as u64 so an absurd length cannot overflow usize math.
        if (available as u64) < len.saturating_add(2) {
            return Ok(None);
        }
        let len = len as usize;
        let end = pos + len;
        if &self.buf[end..end + 2] != b"\r\n" {
            return invalid("payload terminator", end);
        }
        Ok(Some((&self.buf[pos..end], end + 2)))
    }

    fn value<const BUILD: bool>(&self, pos: usize, depth: usize) -> Step<Frame> {
        let Some(&kind) = self.buf.get(pos) else {
            return Ok(None);
        };
        if matches!(kind, b'*' | b'%' | b'~' | b'>' | b'|') && depth >= self.limits.max_depth {
            return Err(FrameError::TooDeep {
                limit: self.limits.max_depth,
            });
        }
        let Some((line, next)) = self.line(pos + 1)? else {
            return Ok(None);
        };
        match kind {
            b'*' | b'%' | b'~' | b'>' | b'|' => {
                self.aggregate::<BUILD>(kind, line, next, pos, depth + 1)
            }
            _ => self.scalar::<BUILD>(kind, line, pos, next),
        }
    }

    /// A frame that holds no other frames. Kept out of [`Decoder::value`]
    /// so the recursion's stack frames stay small.
    #[inline(never)]
    fn scalar<const BUILD: bool>(
        &self,
        kind: u8,
        line: &'a [u8],
        pos: usize,
        next: usize,
    ) -> Step<Frame> {
        let frame = match kind {
            b'+' => built::<BUILD>(|| Frame::Simple(line.to_vec())),
            b'-' => built::<BUILD>(|| Frame::Error(line.to_vec())),
            b':' => {
                let n = parse_integer(line).ok_or(FrameError::Invalid {
                    what: "integer",
                    offset: pos,
                })?;
                Frame::Integer(n)
            }
            b'_' => {
                if !line.is_empty() {
                    return invalid("null", pos);
                }
                Frame::Null
            }
            b'#' => match line {
                b"t" => Frame::Boolean(true),
                b"f" => Frame::Boolean(false),
                _ => return invalid("boolean", pos),
            },
            b',' => {
                let text = std::str::from_utf8(line)
                    .ok()
                    .filter(|t| t.parse::<f64>().is_ok())
                    .ok_or(FrameError::Invalid {
                        what: "double",
                        offset: pos,
                    })?;
                built::<BUILD>(|| Frame::Double(text.to_owned()))
            }
            b'(' => {
                let digits = match line {
                    [b'-' | b'+', rest @ ..] => rest,
                    _ => line,
                };
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return invalid("big number", pos);
                }
                built::<BUILD>(|| {
                    Frame::BigNumber(String::from_utf8(line.to_vec()).expect("checked to be ASCII"))
                })
            }
            b'$' if line == b"?" => return self.streamed_string::<BUILD>(next),
            b'$' | b'!' | b'=' => {
                let len = parse_integer(line).ok_or(FrameError::Invalid {
                    what: "length",
                    offset: pos,
                })?;
                if len == -1 && kind == b'$' {
                    return Ok(Some((Frame::Null, next)));
                }
                let Ok(len) = u64::try_from(len) else {
                    return invalid("length", pos);
                };
                let Some((data, end)) = self.payload(next, len)? else {
                    return Ok(None);
                };
                let frame = match kind {
                    b'$' => built::<BUILD>(|| Frame::Bulk(data.to_vec())),
                    b'!' => built::<BUILD>(|| Frame::BlobError(data.to_vec())),
                    _ => {
                        if data.len() < 4 || data[3] != b':' {
                            return invalid("verbatim string", pos);
                        }
                        let Ok(format) = std::str::from_utf8(&data[..3]) else {
                            return invalid("verbatim format", pos);
                        };
                        built::<BUILD>(|| Frame::Verbatim {
                            format: format.to_owned(),
                            text: data[4..].to_vec(),
                        })
                    }
                };
                return Ok(Some((frame, end)));
            }
            b'.' => return invalid("end marker outside a streamed aggregate", pos),
            b';' => return invalid("chunk outside a streamed string", pos),
            byte => return Err(FrameError::UnknownType { byte, offset: pos }),
        };
        Ok(Some((frame, next)))
    }

    /// An aggregate whose header line `line` (after the type byte `kind` at
    /// `start`) ended at `pos`. `depth` is the depth of its elements.
    fn aggregate<const BUILD: bool>(
        &self,
        kind: u8,
        line: &[u8],
        pos: usize,
        start: usize,
        depth: usize,
    ) -> Step<Frame> {
        if line == b"?" && matches!(kind, b'*' | b'%' | b'~') {
            return self.streamed_aggregate::<BUILD>(kind, pos, depth);
        }
        let count = parse_integer(line).ok_or(FrameError::Invalid {
            what: "aggregate length",
            offset: start,
        })?;
        if count == -1 && kind == b'*' {
            return Ok(Some((Frame::NullArray, pos)));
        }
        let Ok(count) = u64::try_from(count) else {
            return invalid("aggregate length", start);
        };
        match kind {
            b'%' | b'|' => {
                let Some((pairs, end)) = self.pairs::<BUILD>(pos, count, depth)? else {
                    return Ok(None);
                };
                if kind == b'%' {
                    return Ok(Some((built::<BUILD>(|| Frame::Map(pairs)), end)));
                }
                // The annotated value counts one level deeper, like the
                // pairs, so a chain of attributes is bounded by max_depth.
                let Some((value, end)) = self.value::<BUILD>(end, depth)? else {
                    return Ok(None);
                };
                let frame = built::<BUILD>(|| Frame::Attribute {
                    attributes: pairs,
                    value: Box::new(value),
                });
                Ok(Some((frame, end)))
            }
            _ => {
                let Some((items, end)) = self.items::<BUILD>(pos, count, depth)? else {
                    return Ok(None);
                };
                let frame = built::<BUILD>(|| match kind {
                    b'*' => Frame::Array(items),
                    b'~' => Frame::Set(items),
                    _ => Frame::Push(items),
                });
                Ok(Some((frame, end)))
            }
        }
    }

    /// Room to reserve for `count` elements: the checking pass proved they
    /// are all present, and each takes at least three bytes; the cap only
    /// guards against a bug turning into a huge allocation.
    fn capacity(&self, count: u64, pos: usize) -> usize {
        let room = self.buf.len().saturating_sub(pos) / 3;
        usize::try_from(count).unwrap_or(usize::MAX).min(room)
    }

    fn items<const BUILD: bool>(
        &self,
        mut pos: usize,
        count: u64,
        depth: usize,
    ) -> Step<Vec<Frame>> {
        let mut items = if BUILD {
            Vec::with_capacity(self.capacity(count, pos))
        } else {
            Vec::new()
        };
        // A huge count ends by running out of bytes, one element at a time.
        for _ in 0..count {
            let Some((item, next)) = self.value::<BUILD>(pos, depth)? else {
                return Ok(None);
            };
            if BUILD {
                items.push(item);
            }
            pos = next;
        }
        Ok(Some((items, pos)))
    }

    fn pairs<const BUILD: bool>(
        &self,
        mut pos: usize,
        count: u64,
        depth: usize,
    ) -> Step<Vec<(Frame, Frame)>> {
        let mut pairs = if BUILD {
            Vec::with_capacity(self.capacity(count, pos) / 2)
        } else {
            Vec::new()
        };
        for _ in 0..count {
            let Some((key, next)) = self.value::<BUILD>(pos, depth)? else {
                return Ok(None);
            };
            let Some((value, next)) = self.value::<BUILD>(next, depth)? else {
                return Ok(None);
            };
            if BUILD {
                pairs.push((key, value));
            }
            pos = next;
        }
        Ok(Some((pairs, pos)))
    }

    /// If an end marker `.\r\n` starts at `pos`, the offset after it.
    fn end_marker(&self, pos: usize) -> Result<Option<Option<usize>>, FrameError> {
        match self.buf.get(pos) {
            None => Ok(None),
            Some(b'.') => match self.line(pos + 1)? {
                None => Ok(None),
                Some(([], next)) => Ok(Some(Some(next))),
                Some(_) => invalid("end marker", pos),
            },
            Some(_) => Ok(Some(None)),
        }
    }

    /// `*?`, `%?`, `~?`: elements until `.\r\n`.
    fn streamed_aggregate<const BUILD: bool>(
        &self,
        kind: u8,
        mut pos: usize,
        depth: usize,
    ) -> Step<Frame> {
        let mut items = Vec::new();
        let mut pairs = Vec::new();
        loop {
            let Some(end) = self.end_marker(pos)? else {
                return Ok(None);
            };
            if let Some(end) = end {
                let frame = built::<BUILD>(|| match kind {
                    b'*' => Frame::Array(items),
                    b'~' => Frame::Set(items),
                    _ => Frame::Map(pairs),
                });
                return Ok(Some((frame, end)));
            }
            let Some((item, next)) = self.value::<BUILD>(pos, depth)? else {
                return Ok(None);
            };
            pos = next;
            if kind == b'%' {
                let Some((value, next)) = self.value::<BUILD>(pos, depth)? else {
                    return Ok(None);
                };
                pos = next;
                if BUILD {
                    pairs.push((item, value));
                }
            } else if BUILD {
                items.push(item);
            }
        }
    }

    /// `$?`: `;<len>` chunks until `;0`.
    fn streamed_string<const BUILD: bool>(&self, mut pos: usize) -> Step<Frame> {
        let mut data = Vec::new();
        let mut total: u64 = 0;
        loop {
            match self.buf.get(pos) {
                None => return Ok(None),
                Some(b';') => {}
                Some(_) => return invalid("string chunk", pos),
            }
            let Some((line, next)) = self.line(pos + 1)? else {
                return Ok(None);
            };
            let len = parse_integer(line)
                .and_then(|n| u64::try_from(n).ok())
                .ok_or(FrameError::Invalid {
                    what: "chunk length",
                    offset: pos,
                })?;
            if len == 0 {
                return Ok(Some((built::<BUILD>(|| Frame::Bulk(data)), next)));
            }
            total = total.saturating_add(len);
            if total > self.limits.max_bulk_len {
                return Err(FrameError::TooLarge {
                    len: total,
                    limit: self.limits.max_bulk_len,
                });
            }
            let Some((chunk, end)) = self.payload(next, len)? else {
                return Ok(None);
            };
            if BUILD {
                data.extend_from_slice(chunk);
            }
            pos = end;
        }
    }
}

/// A signed decimal in `i64`, as in RESP headers and integers.
fn parse_integer(s: &[u8]) -> Option<i64> {
    // from_utf8 cannot fail on the digits and signs parse accepts; it only
    // rejects what parse would reject anyway.
    std::str::from_utf8(s).ok()?.parse().ok()
}

fn header(out: &mut Vec<u8>, prefix: u8, n: usize) {
    out.push(prefix);
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn line(out: &mut Vec<u8>, prefix: u8, text: &[u8]) {
    out.push(prefix);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

fn blob(out: &mut Vec<u8>, prefix: u8, data: &[u8]) {
    header(out, prefix, data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// Appends `frame` in RESP3. [`decode`] gives back an equal frame, except
/// that a [`Frame::Simple`], [`Frame::Error`] or [`Frame::Double`] holding
/// CR, or a [`Frame::Verbatim`] whose format is not three bytes, encodes to
/// bytes that mean something else.
pub fn encode(frame: &Frame, out: &mut Vec<u8>) {
    encode_as(frame, Protocol::Resp3, out);
}

/// Appends `frame` in the given protocol. RESP2 has fewer types, so the
/// RESP3 ones are written as Redis writes them to a RESP2 client: maps as
/// flat arrays, sets and pushes as arrays, null as `$-1`, doubles, big
/// numbers and verbatim text as bulks, booleans as `:1`/`:0`, blob errors as
/// simple errors (line breaks turned into spaces); attributes are dropped.
pub fn encode_as(frame: &Frame, proto: Protocol, out: &mut Vec<u8>) {
    let resp3 = proto == Protocol::Resp3;
    match frame {
        Frame::Simple(s) => line(out, b'+', s),
        Frame::Error(s) => line(out, b'-', s),
        Frame::Integer(n) => {
            out.push(b':');
            out.extend_from_slice(itoa::Buffer::new().format(*n).as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        Frame::Bulk(b) => blob(out, b'$', b),
        Frame::Null if resp3 => out.extend_from_slice(b"_\r\n"),
        Frame::Null => out.extend_from_slice(b"$-1\r\n"),
        Frame::NullArray => out.extend_from_slice(b"*-1\r\n"),
        Frame::Array(items) => {
            header(out, b'*', items.len());
            items.iter().for_each(|f| encode_as(f, proto, out));
        }
        Frame::Set(items) | Frame::Push(items) => {
            let prefix = match (frame, resp3) {
                (_, false) => b'*',
                (Frame::Set(_), true) => b'~',
                _ => b'>',
            };
            header(out, prefix, items.len());
            items.iter().for_each(|f| encode_as(f, proto, out));
        }
        Frame::Map(pairs) => {
            if resp3 {
                header(out, b'%', pairs.len());
            } else {
                header(out, b'*', 2 * pairs.len());
            }
            for (k, v) in pairs {
                encode_as(k, proto, out);
                encode_as(v, proto, out);
            }
        }
        Frame::Double(text) if resp3 => line(out, b',', text.as_bytes()),
        Frame::BigNumber(text) if resp3 => line(out, b'(', text.as_bytes()),
        Frame::Double(text) | Frame::BigNumber(text) => blob(out, b'$', text.as_bytes()),
        Frame::Boolean(b) => out.extend_from_slice(match (resp3, b) {
            (true, true) => b"#t\r\n",
            (true, false) => b"#f\r\n",
            (false, true) => b":1\r\n",
            (false, false) => b":0\r\n",
        }),
        Frame::Verbatim { format, text } if resp3 => {
            header(out, b'=', format.len() + 1 + text.len());
            out.extend_from_slice(format.as_bytes());
            out.push(b':');
            out.extend_from_slice(text);
            out.extend_from_slice(b"\r\n");
        }
        Frame::Verbatim { text, .. } => blob(out, b'$', text),
        Frame::BlobError(b) if resp3 => blob(out, b'!', b),
        Frame::BlobError(b) => {
            out.push(b'-');
            out.extend(
                b.iter()
                    .map(|&c| if c == b'\r' || c == b'\n' { b' ' } else { c }),
            );
            out.extend_from_slice(b"\r\n");
        }
        Frame::Attribute { attributes, value } => {
            if resp3 {
                header(out, b'|', attributes.len());
                for (k, v) in attributes {
                    encode_as(k, proto, out);
                    encode_as(v, proto, out);
                }
            }
            encode_as(value, proto, out);
        }
    }
}

/// Appends a request as a client sends it: an array of bulk strings.
///
/// ```text
/// *2\r\n$3\r\nGET\r\n$1\r\nk\r\n
/// ```
pub fn encode_command<A: AsRef<[u8]>>(args: &[A], out: &mut Vec<u8>) {
    let payload: usize = args.iter().map(|a| a.as_ref().len() + 16).sum();
    out.reserve(payload + 16);
    header(out, b'*', args.len());
    for a in args {
        blob(out, b'$', a.as_ref());
    }
}

#[cfg(test)]
#[path = "frame_test.rs"]
mod tests;
