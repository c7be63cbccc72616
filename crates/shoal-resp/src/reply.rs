//! The reply encoder: commands append replies to a client's output buffer.
//!
//! One [`ReplyBuf`] per client. It knows the protocol the client chose with
//! `HELLO`, so a command writes "a map of 3 entries" or "a null" once and the
//! buffer picks the bytes:
//!
//! ```text
//!            RESP2              RESP3
//! map(n)     *<2n>\r\n          %<n>\r\n
//! set(n)     *<n>\r\n           ~<n>\r\n
//! push(n)    *<n>\r\n           ><n>\r\n
//! null       $-1\r\n            _\r\n
//! null array *-1\r\n            _\r\n
//! double     $<len>\r\n<g>\r\n  ,<g>\r\n
//! boolean    :1\r\n / :0\r\n    #t\r\n / #f\r\n
//! verbatim   $<len>\r\n<txt>    =<len+4>\r\n<fmt>:<txt>\r\n
//! ```
//!
//! Writing never allocates beyond growing the buffer; integers are formatted
//! with `itoa`.

/// The protocol a connection speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, the default of every new connection.
    #[default]
    Resp2,
    /// RESP3, chosen with `HELLO 3`.
    Resp3,
}

impl Protocol {
    /// The protocol version number as `HELLO` reports it.
    pub fn version(self) -> i64 {
        match self {
            Protocol::Resp2 => 2,
            Protocol::Resp3 => 3,
        }
    }
}

/// A position in the buffer where a length will be filled in later, for
/// replies whose element count is only known after writing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a deferred length must be completed with ReplyBuf::finish_*"]
pub struct Deferred(usize);

/// A client's output buffer with the protocol it speaks.
#[derive(Debug, Default, Clone)]
pub struct ReplyBuf {
    buf: Vec<u8>,
    proto: Protocol,
}

impl ReplyBuf {
    /// An empty RESP2 buffer.
    pub fn new() -> ReplyBuf {
        ReplyBuf::default()
    }

    /// An empty buffer for `proto`.
    pub fn with_protocol(proto: Protocol) -> ReplyBuf {
        ReplyBuf {
            buf: Vec::new(),
            proto,
        }
    }

    /// The protocol replies are encoded in.
    pub fn protocol(&self) -> Protocol {
        self.proto
    }

    /// Switches protocol (after `HELLO`); later replies use the new encoding.
    pub fn set_protocol(&mut self, proto: Protocol) {
        self.proto = proto;
    }

    /// True when the client speaks RESP3.
    pub fn is_resp3(&self) -> bool {
        self.proto == Protocol::Resp3
    }

    /// The encoded bytes not yet taken.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// Number of encoded bytes held.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// True when nothing is waiting to be sent.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Drops everything after the first `len` bytes (to undo a partial reply).
    pub fn truncate(&mut self, len: usize) {
        self.buf.truncate(len);
    }

    /// Removes the first `n` bytes (they were written to the socket).
    pub fn consume(&mut self, n: usize) {
        if n >= self.buf.len() {
            self.buf.clear();
        } else {
            self.buf.drain(..n);
        }
    }

    /// Forgets all pending bytes.
    pub fn clear(&mut self) {
        self.buf.clear();
    }

    /// Gives back the allocation when a client's buffer grew large and is
    /// empty again, so an idle client does not pin a big buffer.
    pub fn shrink_if_idle(&mut self, keep_capacity: usize) {
        if self.buf.is_empty() && self.buf.capacity() > keep_capacity {
            self.buf = Vec::with_capacity(keep_capacity);
        }
    }

    /// Capacity of the underlying buffer, for memory accounting.
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Appends bytes that are already valid RESP (for example a reply
    /// produced by another buffer).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    fn header(&mut self, prefix: u8, n: i64) {
        self.buf.push(prefix);
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `+OK`.
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// A simple string `+<s>`; `s` must not contain CR or LF.
    pub fn simple(&mut self, s: &str) {
        debug_assert!(!s.contains(['\r', '\n']));
        self.buf.push(b'+');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An error reply. `msg` is the whole text after `-`, starting with its
    /// code (`ERR ...`, `WRONGTYPE ...`). Line breaks would end the reply
    /// early on the wire, so they are replaced by spaces, as Redis does.
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        if msg.contains(['\r', '\n']) {
            self.buf.extend(
                msg.bytes()
                    .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
            );
        } else {
            self.buf.extend_from_slice(msg.as_bytes());
        }
        self.buf.extend_from_slice(b"\r\n");
    }

    /// An integer `:<n>`.
    pub fn integer(&mut self, n: i64) {
        self.header(b':', n);
    }

    /// A bulk string.
    pub fn bulk(&mut self, s: &[u8]) {
        self.header(b'$', s.len() as i64);
        self.buf.extend_from_slice(s);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// A bulk string holding the decimal form of `n`.
    pub fn bulk_integer(&mut self, n: i64) {
        let mut b = itoa::Buffer::new();
        self.bulk(b.format(n).as_bytes());
    }

    /// The null reply: `$-1` in RESP2, `_` in RESP3.
    pub fn null(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"$-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// The null array: `*-1` in RESP2, `_` in RESP3 (timeouts of blocking
    /// commands, EXEC after a touched WATCH).
    pub fn null_array(&mut self) {
        match self.proto {
            Protocol::Resp2 => self.buf.extend_from_slice(b"*-1\r\n"),
            Protocol::Resp3 => self.buf.extend_from_slice(b"_\r\n"),
        }
    }

    /// An array header for `n` elements that follow.
    pub fn array(&mut self, n: usize) {
        self.header(b'*', n as i64);
    }

    /// A map header for `n` key-value pairs that follow (flattened to an
    /// array of `2n` in RESP2).
    pub fn map(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', 2 * n as i64),
            Protocol::Resp3 => self.header(b'%', n as i64),
        }
    }

    /// A set header for `n` members (an array in RESP2).
    pub fn set(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'~', n as i64),
        }
    }

    /// An out-of-band push header (pub/sub messages; an array in RESP2).
    pub fn push(&mut self, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.header(b'*', n as i64),
            Protocol::Resp3 => self.header(b'>', n as i64),
        }
    }

    /// A double: a bulk string in RESP2, `,` in RESP3, digits as `%.17g`.
    pub fn double(&mut self, d: f64) {
        let mut s = String::with_capacity(24);
        crate::double::write_double(&mut s, d);
        match self.proto {
            Protocol::Resp2 => self.bulk(s.as_bytes()),
            Protocol::Resp3 => {
                self.buf.push(b',');
                self.buf.extend_from_slice(s.as_bytes());
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// A boolean: `:1`/`:0` in RESP2, `#t`/`#f` in RESP3.
    pub fn boolean(&mut self, b: bool) {
        match (self.proto, b) {
            (Protocol::Resp2, true) => self.buf.extend_from_slice(b":1\r\n"),
            (Protocol::Resp2, false) => self.buf.extend_from_slice(b":0\r\n"),
            (Protocol::Resp3, true) => self.buf.extend_from_slice(b"#t\r\n"),
            (Protocol::Resp3, false) => self.buf.extend_from_slice(b"#f\r\n"),
        }
    }

    /// A verbatim string (`INFO`, `CLIENT LIST`...): plain bulk in RESP2,
    /// `=` with a three-letter format (`txt`) in RESP3.
    pub fn verbatim(&mut self, format: &str, text: &[u8]) {
        debug_assert_eq!(format.len(), 3);
        match self.proto {
            Protocol::Resp2 => self.bulk(text),
            Protocol::Resp3 => {
                self.header(b'=', (text.len() + 4) as i64);
                self.buf.extend_from_slice(format.as_bytes());
                self.buf.push(b':');
                self.buf.extend_from_slice(text);
                self.buf.extend_from_slice(b"\r\n");
            }
        }
    }

    /// An empty array.
    pub fn empty_array(&mut self) {
        self.buf.extend_from_slice(b"*0\r\n");
    }

    /// Starts a reply whose element count is not known yet. Elements are
    /// written after this call; [`ReplyBuf::finish_array`] (or `_map`,
    /// `_set`) then puts the header in front of them.
    pub fn defer(&mut self) -> Deferred {
        Deferred(self.buf.len())
    }

    /// Completes a deferred array of `n` elements.
    pub fn finish_array(&mut self, at: Deferred, n: usize) {
        self.insert_header(at, b'*', n as i64);
    }

    /// Completes a deferred map of `n` pairs.
    pub fn finish_map(&mut self, at: Deferred, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.insert_header(at, b'*', 2 * n as i64),
            Protocol::Resp3 => self.insert_header(at, b'%', n as i64),
        }
    }

    /// Completes a deferred set of `n` members.
    pub fn finish_set(&mut self, at: Deferred, n: usize) {
        match self.proto {
            Protocol::Resp2 => self.insert_header(at, b'*', n as i64),
            Protocol::Resp3 => self.insert_header(at, b'~', n as i64),
        }
    }

    fn insert_header(&mut self, at: Deferred, prefix: u8, n: i64) {
        let mut header = [0u8; 24];
        header[0] = prefix;
        let mut digits = itoa::Buffer::new();
        let d = digits.format(n).as_bytes();
        header[1..1 + d.len()].copy_from_slice(d);
        header[1 + d.len()..3 + d.len()].copy_from_slice(b"\r\n");
        let header = &header[..3 + d.len()];
        self.buf.splice(at.0..at.0, header.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(f: impl Fn(&mut ReplyBuf)) -> (String, String) {
        let mut r2 = ReplyBuf::with_protocol(Protocol::Resp2);
        let mut r3 = ReplyBuf::with_protocol(Protocol::Resp3);
        f(&mut r2);
        f(&mut r3);
        (
            String::from_utf8(r2.as_bytes().to_vec()).unwrap(),
            String::from_utf8(r3.as_bytes().to_vec()).unwrap(),
        )
    }

    #[test]
    fn encodings_differ_by_protocol_where_redis_differs() {
        assert_eq!(both(|r| r.null()), ("$-1\r\n".into(), "_\r\n".into()));
        assert_eq!(both(|r| r.null_array()), ("*-1\r\n".into(), "_\r\n".into()));
        assert_eq!(both(|r| r.map(2)), ("*4\r\n".into(), "%2\r\n".into()));
        assert_eq!(both(|r| r.set(3)), ("*3\r\n".into(), "~3\r\n".into()));
        assert_eq!(both(|r| r.push(3)), ("*3\r\n".into(), ">3\r\n".into()));
        assert_eq!(
            both(|r| r.double(1.5)),
            ("$3\r\n1.5\r\n".into(), ",1.5\r\n".into())
        );
        assert_eq!(
            both(|r| r.boolean(true)),
            (":1\r\n".into(), "#t\r\n".into())
        );
        assert_eq!(
            both(|r| r.verbatim("txt", b"hi")),
            ("$2\r\nhi\r\n".into(), "=6\r\ntxt:hi\r\n".into())
        );
    }

    #[test]
    fn plain_types_are_the_same_in_both() {
        let (a, b) = both(|r| {
            r.ok();
            r.integer(-42);
            r.bulk(b"foo");
            r.bulk_integer(12);
            r.error("ERR bad\r\nthing");
            r.array(1);
        });
        assert_eq!(a, b);
        assert_eq!(
            a,
            "+OK\r\n:-42\r\n$3\r\nfoo\r\n$2\r\n12\r\n-ERR bad  thing\r\n*1\r\n"
        );
    }

    #[test]
    fn deferred_headers_land_in_front_of_their_elements() {
        let mut r = ReplyBuf::with_protocol(Protocol::Resp3);
        r.ok();
        let d = r.defer();
        r.bulk(b"a");
        r.bulk(b"b");
        r.finish_map(d, 1);
        assert_eq!(r.as_bytes(), b"+OK\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n");
    }
}
