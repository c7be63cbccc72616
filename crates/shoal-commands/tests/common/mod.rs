//! The reference server for the differential tests: a redis-server child
//! on a free 127.0.0.1 port, and a raw RESP connection that returns each
//! reply's exact bytes.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A redis-server child, killed when dropped (also when a test panics).
pub struct RedisServer {
    child: Child,
    /// Its client port.
    pub port: u16,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts redis-server 7.0 with no persistence. The comparison is the
/// test, so a missing redis-server fails it rather than skipping it
/// (`.ci/run` installs Debian's `redis-server`).
pub fn start_redis() -> RedisServer {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--logfile",
            "",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server is required for this test (apt-get install redis-server)");
    let server = RedisServer { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return server;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("redis-server did not start listening on {port}");
}

/// A connection that sends commands and reads raw replies.
pub struct Conn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(port: u16) -> Conn {
        let s = TcpStream::connect(("127.0.0.1", port)).expect("connect to redis-server");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Conn {
            reader: BufReader::new(s.try_clone().unwrap()),
            writer: s,
        }
    }

    /// Sends one command as a multibulk request.
    pub fn send(&mut self, args: &[Vec<u8>]) {
        let mut req = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            req.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            req.extend_from_slice(a);
            req.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&req).expect("write to redis-server");
    }

    /// Reads one RESP2/RESP3 reply, whole, as raw bytes.
    pub fn read_reply(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        read_reply(&mut self.reader, &mut out);
        out
    }

    pub fn call(&mut self, args: &[Vec<u8>]) -> Vec<u8> {
        self.send(args);
        self.read_reply()
    }

    /// A space-separated command.
    pub fn call_str(&mut self, line: &str) -> Vec<u8> {
        let args: Vec<Vec<u8>> = line.split(' ').map(|a| a.as_bytes().to_vec()).collect();
        self.call(&args)
    }
}

/// Reads one RESP2/RESP3 reply, appending its raw bytes to `out`.
fn read_reply(r: &mut impl BufRead, out: &mut Vec<u8>) {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line)
        .expect("read from redis-server");
    assert!(line.ends_with(b"\r\n"), "truncated reply {line:?}");
    out.extend_from_slice(&line);
    let n: i64 = std::str::from_utf8(&line[1..line.len() - 2])
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    match line[0] {
        b'$' | b'=' | b'!' if n >= 0 => {
            let mut body = vec![0; n as usize + 2];
            r.read_exact(&mut body).expect("bulk body");
            out.extend_from_slice(&body);
        }
        b'*' | b'~' | b'>' if n > 0 => {
            for _ in 0..n {
                read_reply(r, out);
            }
        }
        b'%' | b'|' if n > 0 => {
            for _ in 0..2 * n {
                read_reply(r, out);
            }
        }
        _ => {}
    }
}
