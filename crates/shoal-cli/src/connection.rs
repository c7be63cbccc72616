//! One blocking connection to a server: TCP or a Unix socket, requests out
//! as RESP arrays of bulk strings, replies in as [`Frame`]s (both through
//! `shoal-resp`).
//!
//! Errors carry the text redis-cli (through hiredis) shows for them:
//! `Connection refused`, `Server closed the connection`, a resolver message
//! for an unknown host. A read interrupted by Ctrl-C while the session
//! waits on MONITOR or SUBSCRIBE ends as [`ConnError::Aborted`] (see
//! [`crate::signals`]).
//!
//! Nothing here knows about commands, AUTH or redirections.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

use shoal_resp::frame::{decode, encode_command, Frame, FrameError};

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A host name or address, and a port.
    Tcp {
        /// Host name or IP address (IPv6 without brackets).
        host: String,
        /// Port.
        port: u16,
    },
    /// A Unix socket path.
    Unix(Vec<u8>),
}

impl Endpoint {
    /// The address as the prompt shows it: `host:port`, `[v6]:port`, or
    /// `redis <path>` for a socket (redis-cli's wording, kept for tools
    /// that read prompts).
    pub fn prompt_text(&self) -> String {
        match self {
            Endpoint::Tcp { host, port } if host.contains(':') => format!("[{host}]:{port}"),
            Endpoint::Tcp { host, port } => format!("{host}:{port}"),
            Endpoint::Unix(path) => format!("redis {}", String::from_utf8_lossy(path)),
        }
    }

    /// The address as connection errors name it: `host:port` or the path.
    pub fn error_text(&self) -> String {
        match self {
            Endpoint::Tcp { host, port } => format!("{host}:{port}"),
            Endpoint::Unix(path) => String::from_utf8_lossy(path).into_owned(),
        }
    }
}

/// A failed connection, read or write.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    /// The socket failed; the message is the system's (`Connection refused`).
    #[error("{}", describe(.0))]
    Io(#[source] io::Error),
    /// The server closed the connection.
    #[error("Server closed the connection")]
    Closed,
    /// The reply could not be decoded; the connection is unusable.
    #[error("Protocol error: {0}")]
    Protocol(#[from] FrameError),
    /// Ctrl-C interrupted a wait for replies.
    #[error("Interrupted")]
    Aborted,
}

/// An io::Error's message without Rust's `(os error N)` suffix and the
/// resolver's prefix, so it reads as the C library's `strerror` would.
pub fn describe(err: &io::Error) -> String {
    let text = err.to_string();
    let text = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text);
    match text.find(" (os error ") {
        Some(at) => text[..at].to_owned(),
        None => text.to_owned(),
    }
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }

    /// Reads what is already waiting, failing with `WouldBlock` rather
    /// than waiting.
    fn read_now(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        use std::os::fd::AsRawFd;
        let fd = match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
        };
        // SAFETY: recv into a live buffer of the given length on a socket
        // we own; MSG_DONTWAIT makes this one call non-blocking.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), libc::MSG_DONTWAIT) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(n as usize)
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.write_all(buf),
            Stream::Unix(s) => s.write_all(buf),
        }
    }
}

/// Bytes asked for by one read.
const CHUNK: usize = 256 * 1024;

/// An open connection and the bytes read but not yet decoded.
pub struct Connection {
    stream: Stream,
    buffer: Vec<u8>,
    /// Where each read lands before it is appended to `buffer`: allocated
    /// (zeroed) once, so a read does not clear [`CHUNK`] bytes first,
    /// which cost more than the round trip itself for short replies.
    chunk: Box<[u8]>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

/// Turns keep-alive on, so a long command on a dead link is noticed. A
/// failure only loses that, so it is ignored.
fn keep_alive(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: setsockopt on a socket we own, with a pointer to a live int
    // and its exact size.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_KEEPALIVE,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}

impl Connection {
    /// Connects, trying every address the host resolves to.
    pub fn open(endpoint: &Endpoint) -> Result<Connection, ConnError> {
        let stream = match endpoint {
            Endpoint::Tcp { host, port } => {
                let stream = TcpStream::connect((host.as_str(), *port)).map_err(ConnError::Io)?;
                // Requests are written whole; waiting to coalesce them only
                // adds latency.
                let _ = stream.set_nodelay(true);
                keep_alive(&stream);
                Stream::Tcp(stream)
            }
            Endpoint::Unix(path) => {
                use std::os::unix::ffi::OsStrExt;
                let path = std::ffi::OsStr::from_bytes(path);
                Stream::Unix(UnixStream::connect(path).map_err(ConnError::Io)?)
            }
        };
        Ok(Connection {
            stream,
            buffer: Vec::with_capacity(16 * 1024),
            chunk: vec![0; CHUNK].into_boxed_slice(),
        })
    }

    /// Sends one command.
    pub fn send<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(), ConnError> {
        let mut out = Vec::new();
        encode_command(args, &mut out);
        self.stream.write_all(&out).map_err(ConnError::Io)
    }

    /// Waits for the next frame.
    ///
    /// A large reply arrives over many reads, and the decoder checks a
    /// frame from its first byte each time it is called. So after each
    /// blocking read, whatever else is already waiting is taken too (without
    /// blocking) until the buffer has doubled since the last check: a reply
    /// of n bytes is checked O(log n) times instead of once per read.
    pub fn read_frame(&mut self) -> Result<Frame, ConnError> {
        let mut checked = 0;
        let mut closed = false;
        loop {
            if self.buffer.len() > checked {
                if let Some((frame, used)) = decode(&self.buffer)? {
                    self.buffer.drain(..used);
                    return Ok(frame);
                }
                checked = self.buffer.len();
            }
            if closed {
                return Err(ConnError::Closed);
            }
            if crate::signals::take_abort() {
                return Err(ConnError::Aborted);
            }
            if self.fill(true)? == 0 {
                return Err(ConnError::Closed);
            }
            while self.buffer.len() < checked.saturating_mul(2) {
                match self.fill(false) {
                    Ok(0) => {
                        closed = true;
                        break;
                    }
                    Ok(_) => {}
                    Err(ConnError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) => return Err(e),
                }
            }
        }
    }

    /// One read into the buffer; 0 means the peer closed. Without
    /// `blocking`, a read that would wait fails with `WouldBlock`.
    fn fill(&mut self, blocking: bool) -> Result<usize, ConnError> {
        let n = loop {
            let got = if blocking {
                self.stream.read(&mut self.chunk)
            } else {
                self.stream.read_now(&mut self.chunk)
            };
            match got {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                    if crate::signals::take_abort() {
                        return Err(ConnError::Aborted);
                    }
                }
                Err(e) => return Err(ConnError::Io(e)),
                Ok(n) => break n,
            }
        };
        self.buffer.extend_from_slice(&self.chunk[..n]);
        Ok(n)
    }

    /// Sends a command and waits for its reply.
    pub fn call<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Frame, ConnError> {
        self.send(args)?;
        self.read_frame()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn messages_read_like_the_c_library() {
        let err = io::Error::from_raw_os_error(libc::ECONNREFUSED);
        assert_eq!(describe(&err), "Connection refused");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = Connection::open(&Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "Connection refused");
    }

    #[test]
    fn replies_arriving_in_pieces_make_whole_frames() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            let mut request = [0u8; 64];
            let n = peer.read(&mut request).unwrap();
            assert_eq!(&request[..n], b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
            for piece in [&b"*2\r\n$3\r\nab"[..], b"c\r\n:4", b"2\r\n+OK\r\n"] {
                peer.write_all(piece).unwrap();
                peer.flush().unwrap();
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        });
        let mut conn = Connection::open(&Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
        let reply = conn.call(&["GET", "k"]).unwrap();
        assert_eq!(
            reply,
            Frame::Array(vec![Frame::bulk("abc"), Frame::Integer(42)])
        );
        assert_eq!(conn.read_frame().unwrap(), Frame::simple("OK"));
        server.join().unwrap();
        assert!(matches!(conn.read_frame(), Err(ConnError::Closed)));
    }

    #[test]
    fn a_large_reply_in_many_writes_decodes_whole() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let count = 200_000;
        let mut wire = format!("*{count}\r\n").into_bytes();
        for i in 0..count {
            let item = format!("element-{i}");
            wire.extend_from_slice(format!("${}\r\n{item}\r\n", item.len()).as_bytes());
        }
        wire.extend_from_slice(b":7\r\n");
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            for piece in wire.chunks(1000) {
                peer.write_all(piece).unwrap();
            }
        });
        let mut conn = Connection::open(&Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port,
        })
        .unwrap();
        let Frame::Array(items) = conn.read_frame().unwrap() else {
            panic!("an array");
        };
        assert_eq!(items.len(), count);
        assert_eq!(
            items[count - 1],
            Frame::bulk(format!("element-{}", count - 1))
        );
        // What followed the array is kept for the next read.
        assert_eq!(conn.read_frame().unwrap(), Frame::Integer(7));
        server.join().unwrap();
    }

    #[test]
    fn prompts_bracket_ipv6_hosts() {
        let v6 = Endpoint::Tcp {
            host: "::1".into(),
            port: 7000,
        };
        assert_eq!(v6.prompt_text(), "[::1]:7000");
        assert_eq!(v6.error_text(), "::1:7000");
        assert_eq!(
            Endpoint::Unix(b"/tmp/s".to_vec()).prompt_text(),
            "redis /tmp/s"
        );
    }
}
