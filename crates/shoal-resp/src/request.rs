//! The server-side request decoder: client bytes in, one command's
//! arguments out, with Redis 7.0's limits and exact error texts.
//!
//! Clients send either multibulk requests or inline lines:
//!
//! ```text
//! *3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n      multibulk: count, then $len + data per argument
//! SET k "two words"\r\n                          inline: split like a shell, with quotes and escapes
//! ```
//!
//! The decoder is incremental and allocation-free in steady state: a
//! [`RequestParser`] remembers how far it got in a request that has not fully
//! arrived, multibulk arguments are ranges into the caller's buffer, and
//! inline arguments, once unquoted, land in a scratch area that [`Argv`]
//! reuses.
//!
//! What it reproduces from Redis, beyond the obvious (each point checked
//! against redis-server 7.0.15, see the tests):
//! - numbers follow Redis's strict integer parser: no `+`, no leading zeros,
//!   at most 20 characters; `*0`, `*-1` and any other count `<= 0` is an
//!   empty request that runs nothing;
//! - the byte after a header's `\r` and the two bytes after a bulk's data are
//!   skipped without checking that they are `\n` / `\r\n`;
//! - line terminators are searched the way C's `strchr` searches Redis's
//!   NUL-terminated buffer, so a NUL byte before the terminator means the
//!   line never ends (until the 64 KiB limit turns that into an error).
//!
//! What it does not do: run anything, know command names, know whether the
//! peer is a primary streaming replication (the caller picks the limits and
//! rejects inline requests from a primary), or enforce the query buffer limit.

use std::borrow::Cow;
use std::fmt;

use crate::reply::ReplyBuf;

/// Longest header line Redis waits for before giving up (its
/// `PROTO_INLINE_MAX_SIZE`, 64 KiB): an inline request, a `*<count>` line or
/// a `$<len>` line with no terminator in more than this many bytes is an error.
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// Redis's default `proto-max-bulk-len`, 512 MiB.
pub const DEFAULT_MAX_BULK_LEN: u64 = 512 * 1024 * 1024;

/// Most arguments a multibulk request may announce before the client
/// authenticated (when authentication is required).
pub const UNAUTHENTICATED_MAX_ARGS: i64 = 10;

/// Longest bulk argument allowed before the client authenticated.
pub const UNAUTHENTICATED_MAX_BULK_LEN: i64 = 16 * 1024;

/// Redis stores the argument count in a C `int`.
const MAX_MULTIBULK_LEN: i64 = i32::MAX as i64;

/// Redis's integer parser rejects strings of this many bytes or more.
const NUMBER_TEXT_LIMIT: usize = 21;

/// How many argument slots to reserve up front at most: a hostile `*N`
/// must not make us allocate for `N` arguments that never arrive.
const PREALLOCATED_ARGS_MAX: usize = 1024;

/// Limits that depend on the server's configuration and the client's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLimits {
    /// `proto-max-bulk-len`: the longest bulk argument accepted, in bytes.
    /// A primary's replication stream is not limited in Redis; pass
    /// `u64::MAX` for it.
    pub max_bulk_len: u64,
    /// False while the client still has to authenticate (a password is set
    /// and it has not sent `AUTH`); then requests are capped at
    /// [`UNAUTHENTICATED_MAX_ARGS`] arguments of
    /// [`UNAUTHENTICATED_MAX_BULK_LEN`] bytes. True when no authentication
    /// is required, as for Redis's default user without a password.
    pub authenticated: bool,
}

impl Default for RequestLimits {
    /// Redis's defaults: 512 MiB bulks, no password configured.
    fn default() -> Self {
        RequestLimits {
            max_bulk_len: DEFAULT_MAX_BULK_LEN,
            authenticated: true,
        }
    }
}

/// Which protocol error a request hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtocolErrorKind {
    /// An inline request with no newline in more than 64 KiB.
    TooBigInlineRequest,
    /// An inline request with an unterminated quote, or a closing quote
    /// followed by something other than a space.
    UnbalancedQuotes,
    /// A `*<count>` line with no `\r` in more than 64 KiB.
    TooBigMultibulkCount,
    /// A `*<count>` that is not an integer or is above `i32::MAX`.
    InvalidMultibulkLength,
    /// A count above 10 from a client that has not authenticated.
    UnauthenticatedMultibulkLength,
    /// A `$<len>` line with no `\r` in more than 64 KiB.
    TooBigBulkCount,
    /// An argument header that does not start with `$`; `got` is the byte
    /// found instead (never NUL: a NUL stops the line search first).
    ExpectedDollar {
        /// The first byte of the header line.
        got: u8,
    },
    /// A `$<len>` that is not an integer, is negative or is above
    /// `max_bulk_len`.
    InvalidBulkLength,
    /// A bulk longer than 16 KiB from a client that has not authenticated.
    UnauthenticatedBulkLength,
}

/// A malformed request. The connection answers `-ERR <message>` and is
/// closed; the parser holds no useful state afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolError {
    kind: ProtocolErrorKind,
}

impl ProtocolError {
    fn new(kind: ProtocolErrorKind) -> ProtocolError {
        ProtocolError { kind }
    }

    /// Which error this is.
    pub fn kind(&self) -> ProtocolErrorKind {
        self.kind
    }

    /// The exact bytes Redis sends after `-ERR `, without the final CRLF.
    ///
    /// Only [`ProtocolErrorKind::ExpectedDollar`] varies: the offending
    /// byte is sent raw (even when it is not UTF-8), except that CR and LF
    /// become spaces because Redis keeps error replies on one line.
    pub fn message_bytes(&self) -> Cow<'static, [u8]> {
        use ProtocolErrorKind::*;
        let text: &'static str = match self.kind {
            TooBigInlineRequest => "Protocol error: too big inline request",
            UnbalancedQuotes => "Protocol error: unbalanced quotes in request",
            TooBigMultibulkCount => "Protocol error: too big mbulk count string",
            InvalidMultibulkLength => "Protocol error: invalid multibulk length",
            UnauthenticatedMultibulkLength => "Protocol error: unauthenticated multibulk length",
            TooBigBulkCount => "Protocol error: too big bulk count string",
            InvalidBulkLength => "Protocol error: invalid bulk length",
            UnauthenticatedBulkLength => "Protocol error: unauthenticated bulk length",
            ExpectedDollar { got } => {
                let shown = if got == b'\r' || got == b'\n' {
                    b' '
                } else {
                    got
                };
                let mut text = b"Protocol error: expected '$', got '".to_vec();
                text.push(shown);
                text.push(b'\'');
                return Cow::Owned(text);
            }
        };
        Cow::Borrowed(text.as_bytes())
    }

    /// The text after `-ERR `, e.g. `Protocol error: invalid multibulk
    /// length`. A non-UTF-8 byte in [`ProtocolErrorKind::ExpectedDollar`]
    /// shows as U+FFFD here; use [`ProtocolError::write_reply`] to send
    /// Redis's exact bytes.
    pub fn message(&self) -> Cow<'static, str> {
        match self.message_bytes() {
            Cow::Borrowed(b) => {
                Cow::Borrowed(std::str::from_utf8(b).expect("fixed messages are ASCII"))
            }
            Cow::Owned(b) => Cow::Owned(String::from_utf8_lossy(&b).into_owned()),
        }
    }

    /// Appends the full error reply, `-ERR <message>\r\n`, byte for byte as
    /// Redis sends it (same bytes in RESP2 and RESP3).
    pub fn write_reply(&self, out: &mut ReplyBuf) {
        out.raw(b"-ERR ");
        out.raw(&self.message_bytes());
        out.raw(b"\r\n");
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for ProtocolError {}

/// What one call of [`RequestParser::parse`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parsed {
    /// A whole command: its arguments are `argv.args(buf)`. Drop `consumed`
    /// bytes from the front of the input after running it.
    Command {
        /// Bytes the command took, terminators included.
        consumed: usize,
    },
    /// A request with nothing to run (an empty inline line, `*0`, `*-1` or
    /// any count below zero): drop `consumed` bytes and parse on.
    Skipped {
        /// Bytes the empty request took.
        consumed: usize,
    },
    /// The request has not fully arrived. Call again with the same buffer
    /// start once more bytes are appended.
    Incomplete {
        /// Bytes known to be still missing (the rest of a bulk whose length
        /// was read), or 0 when unknown. A capacity hint for big arguments.
        needed: usize,
    },
}

/// Where one argument lies in its backing bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: usize,
    end: usize,
}

/// The arguments of the last parsed command, reused from command to command
/// so parsing does not allocate once its vectors have grown.
///
/// Multibulk arguments are ranges into the input buffer, so they are read
/// with the same buffer that was parsed: [`Argv::args`]. Inline arguments
/// (unquoted, unescaped) are kept in a scratch area here.
#[derive(Debug, Clone, Default)]
pub struct Argv {
    spans: Vec<Span>,
    scratch: Vec<u8>,
    /// True when the spans point into `scratch` instead of the input.
    inline: bool,
}

impl Argv {
    /// An empty argument vector.
    pub fn new() -> Argv {
        Argv::default()
    }

    /// Number of arguments held.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when no arguments are held.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The arguments, read out of `buf`, which must be the buffer passed to
    /// the [`RequestParser::parse`] call that returned [`Parsed::Command`]
    /// (the same start; bytes appended since then do not matter).
    pub fn args<'a>(&'a self, buf: &'a [u8]) -> Args<'a> {
        Args {
            data: if self.inline { &self.scratch } else { buf },
            spans: &self.spans,
        }
    }

    /// Heap bytes held, for client memory accounting.
    pub fn heap_size(&self) -> usize {
        self.spans.capacity() * std::mem::size_of::<Span>() + self.scratch.capacity()
    }

    /// Gives back capacity beyond what the current arguments need, keeping
    /// a small floor, after one huge command grew the vectors. Safe at any
    /// time, also between two calls of a partially parsed request.
    pub fn shrink(&mut self) {
        const KEEP_SPANS: usize = 16;
        const KEEP_SCRATCH: usize = 1024;
        if self.spans.capacity() > KEEP_SPANS.max(self.spans.len()) {
            self.spans.shrink_to(KEEP_SPANS);
        }
        if self.scratch.capacity() > KEEP_SCRATCH.max(self.scratch.len()) {
            self.scratch.shrink_to(KEEP_SCRATCH);
        }
    }

    fn clear(&mut self) {
        self.spans.clear();
        self.scratch.clear();
        self.inline = false;
    }
}

/// A borrowed view of a command's arguments. Copying it is free.
#[derive(Clone, Copy)]
pub struct Args<'a> {
    data: &'a [u8],
    spans: &'a [Span],
}

impl<'a> Args<'a> {
    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Argument `i`.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn get(&self, i: usize) -> &'a [u8] {
        let Span { start, end } = self.spans[i];
        &self.data[start..end]
    }

    /// The arguments in order.
    pub fn iter(&self) -> ArgsIter<'a> {
        ArgsIter {
            data: self.data,
            spans: self.spans.iter(),
        }
    }

    /// An owned, compact copy, for commands that outlive the input buffer
    /// (queued in `MULTI`, blocked clients).
    pub fn to_owned(&self) -> OwnedArgs {
        let total = self.spans.iter().map(|s| s.end - s.start).sum();
        OwnedArgs::collect(self.iter(), self.len(), total)
    }

    /// The arguments from index `n` on; empty when `n >= self.len()`.
    pub fn skip(&self, n: usize) -> Args<'a> {
        Args {
            data: self.data,
            spans: self.spans.get(n..).unwrap_or(&[]),
        }
    }
}

impl<'a> IntoIterator for Args<'a> {
    type Item = &'a [u8];
    type IntoIter = ArgsIter<'a>;

    fn into_iter(self) -> ArgsIter<'a> {
        self.iter()
    }
}

/// Iterator over a command's arguments, from [`Args::iter`].
#[derive(Debug, Clone)]
pub struct ArgsIter<'a> {
    data: &'a [u8],
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> Iterator for ArgsIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        self.spans.next().map(|s| &self.data[s.start..s.end])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl DoubleEndedIterator for ArgsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.spans.next_back().map(|s| &self.data[s.start..s.end])
    }
}

impl ExactSizeIterator for ArgsIter<'_> {}

impl PartialEq for Args<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Eq for Args<'_> {}

impl fmt::Debug for Args<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|a| a.escape_ascii().to_string()))
            .finish()
    }
}

/// An owned copy of a command's arguments: one byte buffer holding them
/// back to back, plus their spans.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct OwnedArgs {
    data: Box<[u8]>,
    spans: Box<[Span]>,
}

impl OwnedArgs {
    /// Copies `args`.
    pub fn from_slices(args: &[&[u8]]) -> OwnedArgs {
        let total = args.iter().map(|a| a.len()).sum();
        OwnedArgs::collect(args.iter().copied(), args.len(), total)
    }

    fn collect<'x>(args: impl Iterator<Item = &'x [u8]>, count: usize, total: usize) -> OwnedArgs {
        let mut data = Vec::with_capacity(total);
        let mut spans = Vec::with_capacity(count);
        for a in args {
            let start = data.len();
            data.extend_from_slice(a);
            spans.push(Span {
                start,
                end: data.len(),
            });
        }
        OwnedArgs {
            data: data.into_boxed_slice(),
            spans: spans.into_boxed_slice(),
        }
    }

    /// A borrowed view of the arguments.
    pub fn args(&self) -> Args<'_> {
        Args {
            data: &self.data,
            spans: &self.spans,
        }
    }

    /// Heap bytes held, for memory accounting.
    pub fn heap_size(&self) -> usize {
        self.data.len() + self.spans.len() * std::mem::size_of::<Span>()
    }
}

impl fmt::Debug for OwnedArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.args(), f)
    }
}

impl From<Args<'_>> for OwnedArgs {
    fn from(args: Args<'_>) -> OwnedArgs {
        args.to_owned()
    }
}

/// Where the parser is inside the current request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Stage {
    /// Between requests: the next byte starts a new one.
    #[default]
    Idle,
    /// Reading an inline line.
    Inline,
    /// Reading the `*<count>` line.
    Count,
    /// Reading `$<len>` headers and bulk data.
    Bulks,
}

/// Incremental request decoder, one per connection.
///
/// # Calling contract
/// - Keep the connection's unconsumed input in one buffer and always pass
///   it from its first unconsumed byte; bytes may be appended between calls.
/// - Pass the same [`Argv`] every time: a request that arrives in several
///   reads accumulates its arguments there.
/// - After [`Parsed::Command`] or [`Parsed::Skipped`], drop `consumed`
///   bytes (after running the command) before the next call.
/// - After [`Parsed::Incomplete`], call again when more bytes arrived. The
///   parser resumes where it stopped, so a big request arriving in many
///   small reads costs time linear in its size.
/// - After an error, send the reply ([`ProtocolError::write_reply`]) and
///   close the connection.
///
/// The 64 KiB limits on unterminated lines are checked against whatever
/// has arrived when `parse` is called. Redis checks after each read of at
/// most 16 KiB, so it accepts a longer inline line whose newline comes in
/// the read that crosses 64 KiB (redis-server 7.0 answered a 70000-byte
/// `ECHO` line sent in one write); reading in 16 KiB chunks matches it.
#[derive(Debug, Clone, Default)]
pub struct RequestParser {
    stage: Stage,
    /// Offset, from the request's first byte, of the line or bulk being read.
    pos: usize,
    /// Bytes from `pos` already searched without finding the terminator.
    scanned: usize,
    /// A NUL came before the terminator. Redis looks for line ends with C
    /// `strchr`, which stops at NUL, so this line can only end in the 64 KiB
    /// error.
    stuck_on_nul: bool,
    /// Arguments of the multibulk request still to read.
    remaining: usize,
    /// Length of the bulk whose `$<len>` line was read; its data is pending.
    bulk_len: Option<usize>,
    /// The buffer length seen by the previous call of this request.
    seen: usize,
    /// Bytes examined by line searches, to test that resuming does not rescan.
    #[cfg(test)]
    examined: usize,
}

impl RequestParser {
    /// A parser at the start of a connection.
    pub fn new() -> RequestParser {
        RequestParser::default()
    }

    /// Forgets a partially read request (the next byte starts a new one).
    pub fn reset(&mut self) {
        self.stage = Stage::Idle;
        self.pos = 0;
        self.scanned = 0;
        self.stuck_on_nul = false;
        self.remaining = 0;
        self.bulk_len = None;
        self.seen = 0;
    }

    /// Parses the next request from `buf`, filling `argv`. See the type's
    /// calling contract.
    pub fn parse(
        &mut self,
        buf: &[u8],
        limits: &RequestLimits,
        argv: &mut Argv,
    ) -> Result<Parsed, ProtocolError> {
        if buf.len() < self.seen {
            // The caller broke the contract (input shrank mid-request).
            // Starting over keeps every offset in range.
            debug_assert!(false, "request input shrank between calls");
            self.reset();
        }
        if self.stage == Stage::Idle {
            argv.clear();
            let Some(&first) = buf.first() else {
                return Ok(Parsed::Incomplete { needed: 0 });
            };
            self.stage = if first == b'*' {
                Stage::Count
            } else {
                Stage::Inline
            };
        }
        self.seen = buf.len();
        let result = match self.stage {
            Stage::Inline => self.parse_inline(buf, argv),
            Stage::Count => self.parse_count(buf, limits, argv),
            Stage::Bulks => self.parse_bulks(buf, limits, argv),
            Stage::Idle => unreachable!("stage was set above"),
        };
        if !matches!(result, Ok(Parsed::Incomplete { .. })) {
            self.reset();
        }
        result
    }

    /// Finds `term` at or after `self.pos`, resuming the previous search.
    /// A NUL before it counts as "not found", now and forever (see
    /// `stuck_on_nul`).
    fn find_terminator(&mut self, buf: &[u8], term: u8) -> Option<usize> {
        if self.stuck_on_nul {
            return None;
        }
        let from = self.pos + self.scanned;
        let rest = &buf[from..];
        let hit = memchr::memchr2(term, 0, rest);
        #[cfg(test)]
        {
            self.examined += hit.map_or(rest.len(), |i| i + 1);
        }
        match hit {
            Some(i) if rest[i] == term => {
                // Resume here if the line turns out to be incomplete.
                self.scanned = from + i - self.pos;
                Some(from + i)
            }
            Some(_) => {
                self.stuck_on_nul = true;
                None
            }
            None => {
                self.scanned = buf.len() - self.pos;
                None
            }
        }
    }

    /// Moves on to the line or bulk starting at `pos`.
    fn advance_to(&mut self, pos: usize) {
        self.pos = pos;
        self.scanned = 0;
        self.stuck_on_nul = false;
    }

    fn parse_inline(&mut self, buf: &[u8], argv: &mut Argv) -> Result<Parsed, ProtocolError> {
        let Some(newline) = self.find_terminator(buf, b'\n') else {
            if buf.len() > INLINE_MAX_SIZE {
                return Err(ProtocolError::new(ProtocolErrorKind::TooBigInlineRequest));
            }
            return Ok(Parsed::Incomplete { needed: 0 });
        };
        // Both "\r\n" and a bare "\n" end a line.
        let line_end = if newline > 0 && buf[newline - 1] == b'\r' {
            newline - 1
        } else {
            newline
        };
        argv.inline = true;
        split_inline(&buf[..line_end], &mut argv.scratch, &mut argv.spans)
            .map_err(|Unbalanced| ProtocolError::new(ProtocolErrorKind::UnbalancedQuotes))?;
        let consumed = newline + 1;
        Ok(if argv.spans.is_empty() {
            Parsed::Skipped { consumed }
        } else {
            Parsed::Command { consumed }
        })
    }

    fn parse_count(
        &mut self,
        buf: &[u8],
        limits: &RequestLimits,
        argv: &mut Argv,
    ) -> Result<Parsed, ProtocolError> {
        use ProtocolErrorKind::*;
        let Some(cr) = self.find_terminator(buf, b'\r') else {
            if buf.len() - self.pos > INLINE_MAX_SIZE {
                return Err(ProtocolError::new(TooBigMultibulkCount));
            }
            return Ok(Parsed::Incomplete { needed: 0 });
        };
        // One byte must follow the '\r'; Redis skips it unchecked.
        if cr + 2 > buf.len() {
            return Ok(Parsed::Incomplete { needed: 1 });
        }
        let count = match parse_redis_integer(&buf[self.pos + 1..cr]) {
            Some(n) if n <= MAX_MULTIBULK_LEN => n,
            _ => return Err(ProtocolError::new(InvalidMultibulkLength)),
        };
        if count > UNAUTHENTICATED_MAX_ARGS && !limits.authenticated {
            return Err(ProtocolError::new(UnauthenticatedMultibulkLength));
        }
        self.advance_to(cr + 2);
        if count <= 0 {
            return Ok(Parsed::Skipped { consumed: self.pos });
        }
        let count = usize::try_from(count).expect("0 < count <= i32::MAX fits usize");
        self.remaining = count;
        self.bulk_len = None;
        argv.spans.reserve(count.min(PREALLOCATED_ARGS_MAX));
        self.stage = Stage::Bulks;
        self.parse_bulks(buf, limits, argv)
    }

    fn parse_bulks(
        &mut self,
        buf: &[u8],
        limits: &RequestLimits,
        argv: &mut Argv,
    ) -> Result<Parsed, ProtocolError> {
        use ProtocolErrorKind::*;
        while self.remaining > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let Some(cr) = self.find_terminator(buf, b'\r') else {
                        if buf.len() - self.pos > INLINE_MAX_SIZE {
                            return Err(ProtocolError::new(TooBigBulkCount));
                        }
                        return Ok(Parsed::Incomplete { needed: 0 });
                    };
                    if cr + 2 > buf.len() {
                        return Ok(Parsed::Incomplete { needed: 1 });
                    }
                    let first = buf[self.pos];
                    if first != b'$' {
                        return Err(ProtocolError::new(ExpectedDollar { got: first }));
                    }
                    let len = match parse_redis_integer(&buf[self.pos + 1..cr]) {
                        Some(n) if n >= 0 && n.unsigned_abs() <= limits.max_bulk_len => n,
                        _ => return Err(ProtocolError::new(InvalidBulkLength)),
                    };
                    if len > UNAUTHENTICATED_MAX_BULK_LEN && !limits.authenticated {
                        return Err(ProtocolError::new(UnauthenticatedBulkLength));
                    }
                    let len =
                        usize::try_from(len).map_err(|_| ProtocolError::new(InvalidBulkLength))?;
                    self.advance_to(cr + 2);
                    self.bulk_len = Some(len);
                    len
                }
            };
            // The data and two trailing bytes, which Redis skips unchecked.
            let end = self.pos.saturating_add(len).saturating_add(2);
            if buf.len() < end {
                return Ok(Parsed::Incomplete {
                    needed: end - buf.len(),
                });
            }
            argv.spans.push(Span {
                start: self.pos,
                end: self.pos + len,
            });
            self.advance_to(end);
            self.bulk_len = None;
            self.remaining -= 1;
        }
        Ok(Parsed::Command { consumed: self.pos })
    }
}

/// Parses a decimal integer as Redis's `string2ll` does: an optional `-`,
/// no `+`, no spaces, no leading zeros, fewer than 21 bytes, within `i64`.
fn parse_redis_integer(s: &[u8]) -> Option<i64> {
    if s.is_empty() || s.len() >= NUMBER_TEXT_LIMIT {
        return None;
    }
    if s == b"0" {
        return Some(0);
    }
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        _ => (false, s),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        // -2^63 is the one magnitude that has no positive i64.
        match value.cmp(&(1u64 << 63)) {
            std::cmp::Ordering::Greater => None,
            std::cmp::Ordering::Equal => Some(i64::MIN),
            std::cmp::Ordering::Less => Some(-(value as i64)),
        }
    } else {
        i64::try_from(value).ok()
    }
}

/// An inline line with an unterminated quote or a closing quote glued to
/// the next token.
struct Unbalanced;

/// `isspace` in the C locale, which Redis uses to skip blanks between
/// arguments and to check what follows a closing quote.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Splits an inline line into arguments the way Redis's argument splitter
/// does, appending their bytes to `scratch` and their spans to `spans`.
///
/// - Blanks between arguments are C `isspace` bytes; an unquoted argument
///   ends only at space, tab, CR or LF (so vertical tab and form feed are
///   part of it).
/// - A `"` or `'` anywhere in an unquoted argument opens a quote; the
///   argument ends with the closing quote, which must be followed by a
///   blank or the end of the line.
/// - Inside double quotes: `\xHH` is a byte; `\n \r \t \b \a` are control
///   characters; a backslash before anything else yields that character.
///   Inside single quotes only `\'` is an escape.
///
/// `line` never holds NUL (the line search stops at one), so the end of the
/// slice plays the part of C's string terminator.
fn split_inline(
    line: &[u8],
    scratch: &mut Vec<u8>,
    spans: &mut Vec<Span>,
) -> Result<(), Unbalanced> {
    let at = |i: usize| line.get(i).copied();
    let mut p = 0;
    loop {
        while p < line.len() && is_c_space(line[p]) {
            p += 1;
        }
        if p == line.len() {
            return Ok(());
        }
        let start = scratch.len();
        let (mut in_double, mut in_single) = (false, false);
        loop {
            let Some(c) = at(p) else {
                if in_double || in_single {
                    return Err(Unbalanced);
                }
                break;
            };
            if in_double {
                if c == b'\\' && at(p + 1) == Some(b'x') {
                    if let (Some(hi), Some(lo)) =
                        (at(p + 2).and_then(hex_value), at(p + 3).and_then(hex_value))
                    {
                        scratch.push(hi * 16 + lo);
                        p += 4;
                        continue;
                    }
                }
                if c == b'\\' && p + 1 < line.len() {
                    scratch.push(match line[p + 1] {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                    p += 2;
                } else if c == b'"' {
                    if at(p + 1).is_some_and(|n| !is_c_space(n)) {
                        return Err(Unbalanced);
                    }
                    p += 1;
                    break;
                } else {
                    scratch.push(c);
                    p += 1;
                }
            } else if in_single {
                if c == b'\\' && at(p + 1) == Some(b'\'') {
                    scratch.push(b'\'');
                    p += 2;
                } else if c == b'\'' {
                    if at(p + 1).is_some_and(|n| !is_c_space(n)) {
                        return Err(Unbalanced);
                    }
                    p += 1;
                    break;
                } else {
                    scratch.push(c);
                    p += 1;
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        p += 1;
                        break;
                    }
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    _ => scratch.push(c),
                }
                p += 1;
            }
        }
        spans.push(Span {
            start,
            end: scratch.len(),
        });
    }
}

#[cfg(test)]
#[path = "request_test.rs"]
pub(crate) mod tests;
