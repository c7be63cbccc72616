//! Shared harness for the integration tests: real `redis-server`s on free
//! loopback ports (killed by a guard even when a test panics), runs of
//! `shoal-cli` and the reference `redis-cli` piped or in a pseudo-terminal,
//! and a small terminal model that turns what an interactive session wrote
//! into the screen a person would see, so the two line editors (linenoise
//! and rustyline), which draw differently, can be compared by their result.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary under test.
pub fn shoal_cli() -> &'static str {
    env!("CARGO_BIN_EXE_shoal-cli")
}

/// A reference program (`redis-server`, `redis-cli`); the tests cannot run
/// without them.
pub fn reference(name: &str) -> String {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "{name} not found on PATH: these tests compare shoal-cli with Redis 7.0's own tools \
         (Debian: apt-get install redis-server redis-tools)"
    );
    name.to_owned()
}

/// A loopback port nobody listens on (nor on port + 10000, which a cluster
/// node's bus takes). Both lie below the kernel's ephemeral range (32768
/// and up on Linux), so an outgoing connection of some other program cannot
/// take them between this check and the server's bind; a per-process
/// counter keeps tests running in parallel from getting the same one, and
/// the process id spreads test binaries running at once apart.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20000;
    const COUNT: u32 = 2700; // bus ports up to 32699
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

/// Starts a server with `spawn(port)` on a port from [`free_port`] and
/// waits until it accepts connections. When the child exits first (another
/// program took the port meanwhile), tries again on another port.
pub fn start_on_free_port<T>(
    what: &str,
    mut spawn: impl FnMut(u16) -> T,
    child: impl Fn(&mut T) -> &mut Child,
) -> T {
    for _ in 0..5 {
        let port = free_port();
        let mut server = spawn(port);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if child(&mut server).try_wait().ok().flatten().is_some() {
                break; // exited: the port was taken after all
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("{what} exited at start on five ports in a row");
}

/// Polls `check` every 20 ms until it holds or `limit` passes.
pub fn wait_for(limit: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Encodes a command as RESP.
fn resp(args: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n{a}\r\n", a.len()).as_bytes());
    }
    out
}

/// Sends one command on a fresh connection and returns the raw reply
/// bytes (enough for the short replies of setup commands).
pub fn raw_command(port: u16, args: &[&str]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(&resp(args)).unwrap();
    let mut reply = vec![0u8; 64 * 1024];
    let n = stream.read(&mut reply).expect("a reply");
    reply.truncate(n);
    reply
}

/// Sends commands on one connection, each after the previous reply (for
/// sequences such as ASKING then DEL), and returns the last reply.
pub fn raw_session(port: u16, commands: &[&[&str]]) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the test server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut reply = Vec::new();
    for args in commands {
        stream.write_all(&resp(args)).unwrap();
        reply = vec![0u8; 64 * 1024];
        let n = stream.read(&mut reply).expect("a reply");
        reply.truncate(n);
    }
    reply
}

/// A redis-server child, killed when dropped.
pub struct RedisServer {
    pub port: u16,
    child: Child,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts a standalone server on a free port and waits until it accepts
    /// connections.
    pub fn start(extra: &[&str]) -> RedisServer {
        start_on_free_port(
            "redis-server to answer",
            |port| RedisServer::spawn(port, extra),
            |s| &mut s.child,
        )
    }

    /// Starts a server on `port` and waits until it accepts connections.
    pub fn start_on(port: u16, extra: &[&str]) -> RedisServer {
        let server = RedisServer::spawn(port, extra);
        wait_for(Duration::from_secs(10), "redis-server to answer", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        server
    }

    /// Starts a server on `port`, not waiting.
    fn spawn(port: u16, extra: &[&str]) -> RedisServer {
        let dir =
            std::env::temp_dir().join(format!("shoal-cli-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            dir.to_str().unwrap(),
            "--enable-debug-command",
            "yes",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let child = Command::new(reference("redis-server"))
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start redis-server");
        RedisServer { port, child, dir }
    }

    /// Runs setup commands, asserting none fails.
    pub fn run(&self, commands: &[&[&str]]) {
        for args in commands {
            let reply = raw_command(self.port, args);
            assert!(
                !reply.starts_with(b"-"),
                "{args:?}: {}",
                String::from_utf8_lossy(&reply)
            );
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Three cluster-enabled redis-servers joined by `redis-cli --cluster
/// create` (no replicas), all killed when dropped.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    pub fn start() -> RedisCluster {
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start(&["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"])
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let out = Command::new(reference("redis-cli"))
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-yes", "--cluster-replicas", "0"])
            .stdin(Stdio::null())
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            out.status.success(),
            "cluster create: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = RedisCluster { nodes };
        for node in &cluster.nodes {
            wait_for(Duration::from_secs(20), "cluster_state:ok", || {
                let info = raw_command(node.port, &["CLUSTER", "INFO"]);
                String::from_utf8_lossy(&info).contains("cluster_state:ok")
            });
        }
        cluster
    }

    /// The node serving `slot`, from CLUSTER SLOTS as node 0 sees it.
    pub fn port_of_slot(&self, slot: u16) -> u16 {
        let out = Command::new(reference("redis-cli"))
            .args(["-p", &self.nodes[0].port.to_string(), "cluster", "slots"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        // Raw output: start, end, then per node ip, port, id (, hostname map).
        let mut i = 0;
        while i + 4 < lines.len() {
            let (start, end): (u16, u16) =
                (lines[i].parse().unwrap(), lines[i + 1].parse().unwrap());
            let port: u16 = lines[i + 3].parse().unwrap();
            if (start..=end).contains(&slot) {
                return port;
            }
            i += 6;
        }
        panic!("slot {slot} not found in {text}");
    }
}

/// Runs a program with `args`, `input` on stdin, and captures stdout and
/// stderr (not a terminal).
pub fn run_piped(program: &str, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .env("SHOALCLI_HISTFILE", "/dev/null")
        .env("REDISCLI_HISTFILE", "/dev/null")
        .env_remove("FAKETTY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let guard = ChildGuard(Some(child));
    let output = guard.wait_output(Duration::from_secs(30));
    writer.join().unwrap();
    output
}

/// Kills its child when dropped, unless it was waited for.
pub struct ChildGuard(pub Option<Child>);

impl ChildGuard {
    /// Waits for the child to exit (killed past `limit`) and returns what
    /// it wrote. Its pipes are read meanwhile: a child writing more than a
    /// pipe holds would otherwise block forever.
    pub fn wait_output(mut self, limit: Duration) -> Output {
        fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
            std::thread::spawn(move || {
                let mut out = Vec::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_end(&mut out);
                }
                out
            })
        }
        let child = self.0.as_mut().unwrap();
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            // On failure the guard's drop kills the child, which ends the
            // readers.
            assert!(
                Instant::now() < deadline,
                "child did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        self.0.take();
        Output {
            status,
            stdout: stdout.join().unwrap(),
            stderr: stderr.join().unwrap(),
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A program running in a pseudo-terminal 200 columns wide: stdin, stdout
/// and stderr are all the terminal, as when a person runs it. Killed when
/// dropped.
pub struct Pty {
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    child: ChildGuard,
}

impl Pty {
    pub fn spawn(program: &str, args: &[&str], env: &[(&str, &str)]) -> Pty {
        let (mut master_fd, mut slave_fd) = (0, 0);
        let size = libc::winsize {
            ws_row: 50,
            ws_col: SCREEN_WIDTH as u16,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into the ints given; the
        // name and termios arguments may be null.
        let rc = unsafe {
            libc::openpty(
                &mut master_fd,
                &mut slave_fd,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(rc, 0, "openpty");
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) = unsafe {
            (
                OwnedFd::from_raw_fd(master_fd),
                OwnedFd::from_raw_fd(slave_fd),
            )
        };
        let mut command = Command::new(program);
        command
            .args(args)
            .env("TERM", "xterm")
            .env("SHOALCLI_HISTFILE", "/dev/null")
            .env("REDISCLI_HISTFILE", "/dev/null")
            .env("SHOALCLI_RCFILE", "/dev/null")
            .env("REDISCLI_RCFILE", "/dev/null")
            .env_remove("FAKETTY")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (k, v) in env {
            command.env(k, v);
        }
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: setsid and ioctl are async-signal-safe; the child gets
            // its own session with the terminal as controlling terminal, so
            // Ctrl-C typed there signals it.
            unsafe {
                command.pre_exec(|| {
                    libc::setsid();
                    libc::ioctl(0, libc::TIOCSCTTY as _, 0);
                    Ok(())
                });
            }
        }
        let child = command.spawn().expect("spawn in a pty");
        drop(command);
        let master = std::fs::File::from(master);
        let output = Arc::new(Mutex::new(Vec::new()));
        let mut reading = master.try_clone().unwrap();
        let sink = output.clone();
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once the child and its terminal are gone.
            while let Ok(n) = reading.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Pty {
            master,
            output,
            reader: Some(reader),
            child: ChildGuard(Some(child)),
        }
    }

    /// Everything written so far.
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// Types `text`.
    pub fn type_text(&mut self, text: &str) {
        self.master.write_all(text.as_bytes()).unwrap();
    }

    /// Waits until the output stops growing for `quiet` (and at least
    /// something new arrived since `since` bytes, within the limit).
    pub fn settle(&self, since: usize, quiet: Duration) {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = self.output().len();
        let mut stable_since = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(20));
            let now = self.output().len();
            if now != last {
                last = now;
                stable_since = Instant::now();
            } else if now > since && stable_since.elapsed() >= quiet {
                return;
            }
            if Instant::now() > deadline {
                return;
            }
        }
    }

    /// Types a line and waits for the program to answer it.
    pub fn line(&mut self, text: &str) {
        let before = self.output().len();
        self.type_text(text);
        self.type_text("\r");
        self.wait_prompt(before);
    }

    /// Waits until, after `since` bytes, the screen's last line is a
    /// prompt (ends in `>`) that has stayed put for 150 ms, or the program
    /// has exited. Gives up after 15 s (the assertions then say what was
    /// on the screen).
    pub fn wait_prompt(&mut self, since: usize) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last_len = 0;
        let mut stable_since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
            let out = self.output();
            if out.len() != last_len {
                last_len = out.len();
                stable_since = Instant::now();
                continue;
            }
            let exited = self
                .child
                .0
                .as_mut()
                .is_none_or(|c| c.try_wait().ok().flatten().is_some());
            if exited {
                return;
            }
            let at_prompt = out.len() > since && render_screen(&out).ends_with('>');
            if at_prompt && stable_since.elapsed() >= Duration::from_millis(150) {
                return;
            }
        }
    }

    /// Waits for the program to exit and returns all its output.
    pub fn finish(self) -> Vec<u8> {
        self.finish_within(Duration::from_secs(20))
    }

    /// [`Pty::finish`] for a program that may run up to `limit`.
    pub fn finish_within(mut self, limit: Duration) -> Vec<u8> {
        let child = self.child.0.as_mut().unwrap();
        let deadline = Instant::now() + limit;
        while child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "program in the pty did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
        self.child.0.take();
        if let Some(reader) = self.reader.take() {
            // The reader ends when the terminal's last writer is gone.
            let _ = reader.join();
        }
        self.output()
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // ChildGuard kills the child; the reader then sees EIO and ends.
        if let Some(child) = self.child.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs a one-shot command in a pty and returns its raw terminal output.
pub fn run_pty(program: &str, args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    Pty::spawn(program, args, env).finish()
}

/// Columns of the terminal [`Pty`] opens.
pub const SCREEN_WIDTH: usize = 200;

/// The screen a terminal [`SCREEN_WIDTH`] columns wide shows after `bytes`:
/// enough of a VT100 for line editors (CR, LF, backspace, cursor moves,
/// erase in line/display, wrapping at the right margin, SGR ignored).
/// Trailing blanks are trimmed; empty lines at the end dropped.
pub fn render_screen(bytes: &[u8]) -> String {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let text = String::from_utf8_lossy(bytes);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let ensure = |lines: &mut Vec<Vec<char>>, row: usize| {
        while lines.len() <= row {
            lines.push(Vec::new());
        }
    };
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                ensure(&mut lines, row);
            }
            '\x08' => col = col.saturating_sub(1),
            '\x07' => {}
            '\x1b' => {
                if chars.get(i) != Some(&'[') {
                    i += 1;
                    continue;
                }
                i += 1;
                let start = i;
                while i < chars.len() && !chars[i].is_ascii_alphabetic() && chars[i] != '~' {
                    i += 1;
                }
                let params: String = chars[start..i.min(chars.len())].iter().collect();
                let Some(&cmd) = chars.get(i) else { break };
                i += 1;
                let private = params.starts_with('?');
                let n = params
                    .trim_start_matches('?')
                    .split(';')
                    .next()
                    .and_then(|p| p.parse::<usize>().ok());
                match cmd {
                    'C' => col += n.unwrap_or(1).max(1),
                    'D' => col = col.saturating_sub(n.unwrap_or(1).max(1)),
                    'A' => row = row.saturating_sub(n.unwrap_or(1).max(1)),
                    'B' => {
                        row += n.unwrap_or(1).max(1);
                        ensure(&mut lines, row);
                    }
                    'G' => col = n.unwrap_or(1).max(1) - 1,
                    'K' => {
                        let line = &mut lines[row];
                        match n.unwrap_or(0) {
                            0 => line.truncate(col),
                            1 => (0..col.min(line.len())).for_each(|x| line[x] = ' '),
                            _ => line.clear(),
                        }
                    }
                    'J' if !private => {
                        if n.unwrap_or(0) == 2 {
                            lines = vec![Vec::new()];
                            row = 0;
                            col = 0;
                        } else {
                            lines[row].truncate(col);
                            lines.truncate(row + 1);
                        }
                    }
                    'H' => {
                        row = 0;
                        col = 0;
                    }
                    _ => {}
                }
            }
            c => {
                if col >= SCREEN_WIDTH {
                    // Writing past the last column wraps to the next row.
                    col = 0;
                    row += 1;
                }
                ensure(&mut lines, row);
                let line = &mut lines[row];
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
        }
    }
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_owned())
        .collect();
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// Output as text for assertion messages.
pub fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
