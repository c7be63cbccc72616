//! Shared test support: start shoal-server (and a reference redis-server)
//! on free 127.0.0.1 ports, talk raw RESP to them, stop them on drop.

#![allow(dead_code)]

use shoal_resp::frame::{decode, encode_command, Frame};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1 whose port + 10000 is free too (cluster
/// bus). Both come from below the kernel's ephemeral range (32768 and up),
/// so the many outgoing connections of running tests cannot take them
/// between this check and the server's bind: ports 13000-14999, buses
/// 23000-24999, apart from shoal-cli's tests (20000-22699). A per-process
/// counter keeps parallel tests apart; the process id spreads test binaries.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 13000;
    const COUNT: u32 = 2000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let spread = std::process::id().wrapping_mul(997);
    for _ in 0..COUNT {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (FIRST + spread.wrapping_add(n) % COUNT) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok()
            && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok()
        {
            return port;
        }
    }
    panic!("no free port pair between {FIRST} and {}", FIRST + COUNT);
}

/// A server process that is killed when dropped.
pub struct ServerProcess {
    pub child: Child,
    pub port: u16,
    pub dir: PathBuf,
    pub name: &'static str,
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl ServerProcess {
    /// A new connection.
    pub fn connect(&self) -> Conn {
        Conn::connect(self.port)
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("shoal-test-{tag}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn spawn(bin: &str, name: &'static str, extra: &[&str]) -> ServerProcess {
    let mut last_err = String::new();
    for _attempt in 0..5 {
        let port = free_port();
        let dir = temp_dir(name);
        let log = std::fs::File::create(dir.join("server.log")).unwrap();
        let mut cmd = Command::new(bin);
        cmd.current_dir(&dir)
            .arg("--port")
            .arg(port.to_string())
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        let child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => panic!("cannot start {bin}: {e}"),
        };
        let mut p = ServerProcess {
            child,
            port,
            dir,
            name,
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = p.child.try_wait() {
                last_err = p.log();
                break;
            }
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) {
                let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
                // PONG, or NOAUTH when a password is required: either way
                // the server is up and parsing commands.
                if s.write_all(b"PING\r\n").is_ok() {
                    let mut buf = [0u8; 7];
                    if s.read_exact(&mut buf).is_ok()
                        && (&buf == b"+PONG\r\n" || &buf == b"-NOAUTH")
                    {
                        return p;
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        last_err = format!("{last_err}\n{}", p.log());
    }
    panic!("{name} did not start: {last_err}");
}

/// Starts the shoal-server built by cargo with extra flags.
pub fn start_shoal(extra: &[&str]) -> ServerProcess {
    spawn(env!("CARGO_BIN_EXE_shoal-server"), "shoal", extra)
}

/// Starts Debian's redis-server 7.0, the reference.
pub fn start_redis(extra: &[&str]) -> ServerProcess {
    assert!(
        which("redis-server"),
        "redis-server is required for this test (apt-get install redis-server)"
    );
    spawn("redis-server", "redis", extra)
}

/// True when `prog` is on PATH.
pub fn which(prog: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {prog}"))
        .stdout(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A raw RESP connection.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    pub fn connect(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    /// Sends raw bytes.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    /// Sends a command as a multibulk request.
    pub fn send(&mut self, args: &[&[u8]]) {
        let mut out = Vec::new();
        encode_command(args, &mut out);
        self.send_raw(&out);
    }

    /// Reads the raw bytes of exactly one reply frame.
    pub fn read_raw(&mut self) -> Vec<u8> {
        loop {
            match decode(&self.buf) {
                Ok(Some((_, n))) => {
                    let raw = self.buf[..n].to_vec();
                    self.buf.drain(..n);
                    return raw;
                }
                Ok(None) => {}
                Err(e) => panic!("bad reply {e}: {:?}", String::from_utf8_lossy(&self.buf)),
            }
            let mut chunk = [0u8; 65536];
            let n = self.stream.read(&mut chunk).expect("read reply");
            assert!(n > 0, "connection closed while waiting for a reply");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Reads one reply frame.
    pub fn read(&mut self) -> Frame {
        let raw = self.read_raw();
        decode(&raw).unwrap().unwrap().0
    }

    /// Sends a command and returns its raw reply bytes as text.
    pub fn call_raw(&mut self, args: &[&str]) -> String {
        let a: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
        self.send(&a);
        String::from_utf8_lossy(&self.read_raw()).into_owned()
    }

    /// Sends a space-separated command and returns the reply frame.
    pub fn call(&mut self, line: &str) -> Frame {
        let a: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.send(&a);
        self.read()
    }

    /// True when the server closed the connection (reads EOF within 2 s).
    pub fn is_closed(&mut self) -> bool {
        self.stream
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let mut b = [0u8; 1024];
        loop {
            match self.stream.read(&mut b) {
                Ok(0) => return true,
                Ok(_) => continue,
                // A reset is a close too (the server closed with our
                // unread bytes still in its buffer).
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return true,
                Err(_) => return false,
            }
        }
    }
}

/// Polls `cond` until it holds or `secs` pass.
pub fn wait_for(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// Runs a program and returns (exit success, stdout and stderr). A program
/// still running after 60 s is killed and counts as a failure.
pub fn run(prog: &str, args: &[&str], stdin: Option<&[u8]>) -> (bool, String) {
    let child = Command::new(prog)
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {prog}: {e}"));
    let mut child = child;
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let pid = child.id();
    let watchdog = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
            // SAFETY: signal 0 only checks that the process exists.
            if unsafe { libc::kill(pid as i32, 0) } != 0 {
                return;
            }
        }
        // SAFETY: killing the child this helper started.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
    });
    let out = child.wait_with_output().unwrap();
    drop(watchdog);
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}
