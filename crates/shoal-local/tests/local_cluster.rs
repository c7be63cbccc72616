//! `shoal-local` end to end: the built binary starts real `shoal-server`
//! nodes on free 127.0.0.1 ports in a temporary directory, and the tests
//! check the cluster it made (cluster_state:ok everywhere, keys reachable
//! through MOVED), then `status`, `stop` and `clean`.
//!
//! The nodes are the workspace's own `shoal-server`, found next to the
//! `shoal-local` binary cargo built for this test. `cargo test --workspace`
//! builds it; with `cargo test -p shoal-local` the first test that needs
//! it runs `cargo build -p shoal-server` into the same target directory.
//!
//! Every test holds a guard that stops whatever its cluster started, even
//! when an assertion fails.

use shoal_resp::frame::{decode, encode_command, Frame};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const LOCAL: &str = env!("CARGO_BIN_EXE_shoal-local");

/// The `shoal-server` next to `shoal-local`, built on first use if absent.
fn ensure_server_built() -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let _one_at_a_time = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let profile_dir = Path::new(LOCAL)
        .parent()
        .expect("the binary lives in a profile directory");
    let server = profile_dir.join("shoal-server");
    if server.is_file() {
        return server;
    }
    let target_dir = profile_dir
        .parent()
        .expect("profile directories live in a target directory");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-p", "shoal-server"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target_dir);
    if profile_dir.file_name().is_some_and(|n| n == "release") {
        cmd.arg("--release");
    }
    let status = cmd.status().expect("run cargo to build shoal-server");
    assert!(
        status.success() && server.is_file(),
        "building shoal-server failed; run `cargo build -p shoal-server` (or `cargo test --workspace`)"
    );
    server
}

/// True if 127.0.0.1:`port` can be bound now.
fn free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// A first port P such that P..P+n and their bus ports (+10000) are free,
/// never handed out twice in this process (the tests run in parallel).
fn free_port_range(n: u16) -> u16 {
    static TAKEN: Mutex<Vec<u16>> = Mutex::new(Vec::new());
    let mut taken = TAKEN.lock().unwrap_or_else(|e| e.into_inner());
    // Start somewhere depending on the pid, so concurrent test processes
    // rarely probe the same ranges.
    let mut base = 20000 + (std::process::id() % 400) as u16 * 20;
    loop {
        let clashes = taken.iter().any(|&t| base < t + 20 && t < base + 20);
        if !clashes && (base..base + n).all(|p| free(p) && free(p + 10000)) {
            taken.push(base);
            return base;
        }
        base += 20;
        if base > 28000 {
            base = 20000;
        }
    }
}

/// Runs `shoal-local <args>` to completion.
fn local(args: &[&str]) -> Output {
    Command::new(LOCAL)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run shoal-local")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A pid that runs, as opposed to exited or a zombie left unreaped.
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !matches!(
            stat.rsplit_once(')')
                .and_then(|(_, r)| r.split_whitespace().next()),
            Some("Z") | Some("X")
        ),
        // SAFETY: signal 0 only checks that the pid exists.
        Err(_) => unsafe { libc::kill(pid as libc::pid_t, 0) == 0 },
    }
}

/// A cluster directory in a fresh temporary folder, torn down on drop:
/// `shoal-local stop`, then SIGKILL for any recorded pid still alive, then
/// the folder is removed.
struct LocalCluster {
    root: PathBuf,
    dir: PathBuf,
    base: u16,
    nodes: u16,
    pids_seen: BTreeSet<u32>,
    foreground: Option<Child>,
}

impl LocalCluster {
    fn new(tag: &str, nodes: u16) -> LocalCluster {
        ensure_server_built();
        let root =
            std::env::temp_dir().join(format!("shoal-local-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let dir = root.join("cluster");
        LocalCluster {
            root,
            dir,
            base: free_port_range(nodes),
            nodes,
            pids_seen: BTreeSet::new(),
            foreground: None,
        }
    }

    fn ports(&self) -> Vec<u16> {
        (self.base..self.base + self.nodes).collect()
    }

    fn dir_arg(&self) -> String {
        self.dir.to_string_lossy().into_owned()
    }

    /// `shoal-local <cmd> --dir <dir> <extra>`.
    fn run(&mut self, cmd: &str, extra: &[&str]) -> Output {
        let dir = self.dir_arg();
        let mut args = vec![cmd, "--dir", &dir];
        args.extend_from_slice(extra);
        let out = local(&args);
        self.remember_pids();
        out
    }

    /// `start --detach` with this cluster's ports and `layout` flags;
    /// asserts success.
    fn start_detached(&mut self, layout: &[&str]) -> String {
        let base = self.base.to_string();
        let mut args = vec!["--base-port", &base, "--node-timeout", "2000", "--detach"];
        args.extend_from_slice(layout);
        let out = self.run("start", &args);
        assert!(
            out.status.success(),
            "start failed:\n{}\n{}\n{}",
            text(&out.stdout),
            text(&out.stderr),
            self.logs()
        );
        text(&out.stdout)
    }

    /// The pids recorded in the directory now.
    fn recorded_pids(&self) -> Vec<u32> {
        self.ports()
            .iter()
            .filter_map(|p| {
                std::fs::read_to_string(self.dir.join(p.to_string()).join("server.pid")).ok()
            })
            .filter_map(|s| s.trim().parse().ok())
            .collect()
    }

    fn remember_pids(&mut self) {
        let pids = self.recorded_pids();
        self.pids_seen.extend(pids);
    }

    fn logs(&self) -> String {
        self.ports()
            .iter()
            .map(|p| {
                let log = std::fs::read_to_string(self.dir.join(p.to_string()).join("server.log"))
                    .unwrap_or_default();
                format!("--- node {p} ---\n{log}")
            })
            .collect()
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        if let Some(mut fg) = self.foreground.take() {
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe { libc::kill(fg.id() as libc::pid_t, libc::SIGINT) };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline && matches!(fg.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = fg.kill();
            let _ = fg.wait();
        }
        self.remember_pids();
        if self.dir.exists() {
            let _ = local(&["stop", "--dir", &self.dir_arg(), "--timeout", "2"]);
        }
        for &pid in &self.pids_seen {
            if alive(pid) {
                // SAFETY: as above.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
        }
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// A minimal RESP connection for checks.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(port: u16) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to a node");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        Conn {
            stream,
            buf: Vec::new(),
        }
    }

    fn call(&mut self, args: &[&str]) -> Frame {
        let mut out = Vec::new();
        encode_command(args, &mut out);
        self.stream.write_all(&out).unwrap();
        loop {
            if let Some((f, used)) = decode(&self.buf).expect("valid RESP") {
                self.buf.drain(..used);
                return f;
            }
            let mut chunk = [0u8; 4096];
            let n = self.stream.read(&mut chunk).expect("read a reply");
            assert!(n > 0, "node closed the connection");
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    fn text(&mut self, args: &[&str]) -> String {
        match self.call(args) {
            Frame::Bulk(b) | Frame::Simple(b) => String::from_utf8(b).unwrap(),
            Frame::Verbatim { text, .. } => String::from_utf8(text).unwrap(),
            f => panic!("{args:?} -> {f:?}"),
        }
    }
}

/// Sends a command to `port`, following MOVED as a cluster client does.
/// Returns the reply and how many redirects it took.
fn call_following_moved(mut port: u16, args: &[&str]) -> (Frame, usize) {
    for hops in 0..5 {
        match Conn::open(port).call(args) {
            Frame::Error(e) if e.starts_with(b"MOVED ") => {
                let e = String::from_utf8(e).unwrap();
                let addr = e.split(' ').nth(2).expect("MOVED <slot> <addr>");
                port = addr.rsplit_once(':').unwrap().1.parse().unwrap();
            }
            f => return (f, hops),
        }
    }
    panic!("too many redirects for {args:?}");
}

fn assert_cluster_ok_everywhere(c: &LocalCluster) {
    for p in c.ports() {
        let info = Conn::open(p).text(&["CLUSTER", "INFO"]);
        assert!(
            info.contains("cluster_state:ok"),
            "node {p}: {info}\n{}",
            c.logs()
        );
        assert!(
            info.contains(&format!("cluster_known_nodes:{}", c.nodes)),
            "node {p}: {info}"
        );
    }
}

fn node_ids(c: &LocalCluster) -> Vec<String> {
    c.ports()
        .iter()
        .map(|&p| Conn::open(p).text(&["CLUSTER", "MYID"]))
        .collect()
}

#[test]
fn start_creates_a_cluster_that_serves_keys_through_redirects_then_stop_and_clean_undo_it() {
    let mut c = LocalCluster::new("full", 6);
    let out = c.start_detached(&["--primaries", "3", "--replicas-per-primary", "1"]);
    assert!(out.contains("Cluster ready"), "{out}");
    assert!(
        out.contains("0-5460 (5461 slots)") && out.contains("10923-16383"),
        "{out}"
    );
    assert!(
        out.contains(&format!("replica of 127.0.0.1:{}", c.base)),
        "{out}"
    );
    assert!(
        out.contains("does not copy data"),
        "the replica caveat must be printed:\n{out}"
    );
    assert!(out.contains(&format!("-c -p {}", c.base)), "{out}");
    assert_cluster_ok_everywhere(&c);

    // Keys land on the primaries that own their slots, whichever node is
    // asked, and some requests must have needed a redirect.
    let ports = c.ports();
    let mut redirects = 0;
    for (i, key) in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
        .iter()
        .enumerate()
    {
        let value = format!("v{i}");
        let (reply, hops) = call_following_moved(ports[i % 3], &["SET", key, &value]);
        assert_eq!(reply, Frame::Simple(b"OK".to_vec()), "SET {key}");
        redirects += hops;
        let (reply, hops) = call_following_moved(ports[(i + 1) % 3], &["GET", key]);
        assert_eq!(reply, Frame::Bulk(value.into_bytes()), "GET {key}");
        redirects += hops;
    }
    assert!(
        redirects > 0,
        "no request was redirected; are the slots split?"
    );

    let status = c.run("status", &[]);
    let status_text = text(&status.stdout);
    assert!(
        status.status.success(),
        "{status_text}{}",
        text(&status.stderr)
    );
    assert!(
        status_text.contains("All 6 nodes run with cluster_state:ok"),
        "{status_text}"
    );
    assert_eq!(
        status_text.matches("replica of").count(),
        3,
        "{status_text}"
    );

    let pids = c.recorded_pids();
    assert_eq!(pids.len(), 6);
    let stop = c.run("stop", &[]);
    assert!(
        stop.status.success(),
        "{}{}",
        text(&stop.stdout),
        text(&stop.stderr)
    );
    for pid in &pids {
        assert!(!alive(*pid), "node pid {pid} survived stop");
    }
    assert!(c.recorded_pids().is_empty(), "stop leaves no pid files");
    let status = c.run("status", &[]);
    assert!(
        !status.status.success(),
        "status of a stopped cluster is not healthy"
    );
    assert!(
        text(&status.stdout).contains("No node is running"),
        "{}",
        text(&status.stdout)
    );

    let clean = c.run("clean", &[]);
    assert!(
        clean.status.success(),
        "{}{}",
        text(&clean.stdout),
        text(&clean.stderr)
    );
    assert!(!c.dir.exists(), "clean removes the directory");
}

#[test]
fn start_on_a_stopped_cluster_brings_the_same_nodes_back_from_nodes_conf() {
    let mut c = LocalCluster::new("restart", 3);
    c.start_detached(&["--primaries", "3", "--replicas-per-primary", "0"]);
    let ids = node_ids(&c);
    assert!(c.run("stop", &[]).status.success());

    // Layout flags that differ from the recorded cluster are noted, not
    // applied: the directory's cluster comes back as it was.
    let out = c.start_detached(&["--primaries", "2"]);
    assert!(out.contains("Restarting 3 shoal-server nodes"), "{out}");
    assert!(out.contains("restarting it as it was"), "{out}");
    assert_cluster_ok_everywhere(&c);
    assert_eq!(node_ids(&c), ids, "restarted nodes keep their identities");

    // A second start while it runs is refused in one line.
    let again = c.run("start", &["--detach"]);
    assert!(!again.status.success());
    let err = text(&again.stderr);
    assert!(
        err.contains("already running") && err.trim().lines().count() == 1,
        "{err}"
    );
}

#[test]
fn foreground_start_stops_every_node_on_ctrl_c() {
    let mut c = LocalCluster::new("fg", 3);
    let base = c.base.to_string();
    let mut child = Command::new(LOCAL)
        .args([
            "start",
            "--dir",
            &c.dir_arg(),
            "--base-port",
            &base,
            "--primaries",
            "3",
        ])
        .args(["--replicas-per-primary", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run shoal-local start");
    let stdout = child.stdout.take().unwrap();
    c.foreground = Some(child);

    let mut lines = BufReader::new(stdout).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("Ctrl-C stops all 3 nodes") {
            break;
        }
    }
    assert!(
        seen.contains("Ctrl-C stops all 3 nodes"),
        "start never got ready:\n{seen}\n{}",
        c.logs()
    );
    c.remember_pids();
    let pids = c.recorded_pids();
    assert_eq!(pids.len(), 3);
    assert_cluster_ok_everywhere(&c);

    let mut fg = c.foreground.take().unwrap();
    // SAFETY: kill(2) has no memory-safety preconditions.
    unsafe { libc::kill(fg.id() as libc::pid_t, libc::SIGINT) };
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = fg.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < deadline,
            "shoal-local did not exit after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(status.success(), "exit {status}: {rest:?}");
    assert_eq!(
        rest.iter().filter(|l| l.ends_with(" stopped")).count(),
        3,
        "{rest:?}"
    );
    for pid in pids {
        assert!(!alive(pid), "node pid {pid} survived Ctrl-C");
    }
    assert!(c.recorded_pids().is_empty());
}

#[test]
fn a_busy_port_fails_in_one_line_before_any_node_starts() {
    let mut c = LocalCluster::new("busy", 3);
    let _holder = TcpListener::bind(("127.0.0.1", c.base + 1)).expect("hold a port of the range");
    let base = c.base.to_string();
    let out = c.run(
        "start",
        &[
            "--base-port",
            &base,
            "--primaries",
            "3",
            "--replicas-per-primary",
            "0",
            "--detach",
        ],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "port {} on 127.0.0.1 is already in use",
            c.base + 1
        )),
        "{err}"
    );
    assert!(
        err.contains("--base-port"),
        "the error names the way out: {err}"
    );
    assert!(c.recorded_pids().is_empty(), "no node was started");
}

#[test]
fn a_missing_server_binary_fails_with_the_build_command() {
    let mut c = LocalCluster::new("noserver", 1);
    let out = c.run(
        "start",
        &["--server", "/nonexistent/shoal-server", "--detach"],
    );
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/shoal-server not found"), "{err}");
}

#[test]
fn clean_refuses_a_directory_shoal_local_did_not_create() {
    let mut c = LocalCluster::new("foreign", 1);
    std::fs::create_dir_all(&c.dir).unwrap();
    std::fs::write(c.dir.join("precious.txt"), "keep me").unwrap();
    let out = c.run("clean", &[]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not created by shoal-local"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        c.dir.join("precious.txt").is_file(),
        "clean must not touch a foreign directory"
    );
    let out = c.run("start", &["--detach"]);
    assert!(
        !out.status.success(),
        "start must not adopt a foreign directory"
    );
    assert!(c.dir.join("precious.txt").is_file());
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["start", "status", "stop", "clean"] {
        let out = local(&[sub, "--help"]);
        assert!(out.status.success(), "{sub} --help");
        assert!(
            text(&out.stdout).contains("--dir"),
            "{sub} --help lacks --dir:\n{}",
            text(&out.stdout)
        );
    }
    let out = local(&["start", "--help"]);
    let help = text(&out.stdout);
    for flag in [
        "--primaries",
        "--replicas-per-primary",
        "--base-port",
        "--node-timeout",
        "--server",
        "--foreground",
        "--detach",
    ] {
        assert!(help.contains(flag), "start --help lacks {flag}");
    }
}
