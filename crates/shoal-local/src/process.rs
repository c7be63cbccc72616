//! The shoal-server processes: finding the binary, spawning a node with
//! the flags a local cluster needs, telling whether a recorded pid is
//! still that node, and stopping a node politely, then firmly.
//!
//! Nodes run in a session of their own, so Ctrl-C in the terminal reaches
//! only shoal-local, which then stops them in order, and closing the
//! terminal does not kill nodes left running by `start --detach`.

use crate::cluster_dir::ClusterDir;
use crate::connection::Connection;
use crate::failure::Failure;
use crate::interrupt::Interrupt;
use shoal_resp::frame::Frame;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Name of the server binary.
pub const SERVER_NAME: &str = "shoal-server";

/// How often waits poll.
pub const POLL: Duration = Duration::from_millis(100);

/// Finds the server: `explicit` if given (a bare name is looked up on
/// PATH), else the `shoal-server` next to this executable, else on PATH.
pub fn locate_server(explicit: Option<&Path>) -> Result<PathBuf, Failure> {
    if let Some(p) = explicit {
        let found = if p.components().count() == 1 {
            search_path(&p.to_string_lossy())
        } else {
            Some(p.to_path_buf())
        };
        return match found {
            Some(f) if f.is_file() => Ok(f),
            _ => Err(Failure::new(
                format!("server binary {} not found", p.display()),
                "pass the path of a built shoal-server to --server, e.g. --server target/release/shoal-server",
            )),
        };
    }
    let beside = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(SERVER_NAME)));
    if let Some(b) = beside.as_ref().filter(|b| b.is_file()) {
        return Ok(b.clone());
    }
    search_path(SERVER_NAME).ok_or_else(|| {
        let place = beside
            .and_then(|b| b.parent().map(|d| d.display().to_string()))
            .unwrap_or_else(|| "this program's directory".into());
        Failure::new(
            format!("{SERVER_NAME} not found in {place} nor on PATH"),
            "build it with `cargo build --release` (it lands in target/release/), or pass --server PATH",
        )
    })
}

/// `name` in a directory of PATH, if there is one.
pub fn search_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|c| c.is_file())
}

/// True if 127.0.0.1:`port` can be bound right now.
pub fn port_is_free(port: u16) -> bool {
    TcpListener::bind(("127.0.0.1", port)).is_ok()
}

/// Spawns the node on `port` in its folder of `dir`. It logs to
/// `server.log` there, with persistence off, and reads or writes its
/// cluster membership in `nodes.conf` there.
pub fn spawn_node(
    server: &Path,
    dir: &ClusterDir,
    port: u16,
    node_timeout_ms: u64,
) -> Result<Child, Failure> {
    dir.create_node_dir(port)?;
    let node_dir = absolute(&dir.node_dir(port));
    let log_path = node_dir.join("server.log");
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| {
            Failure::new(
                format!("cannot open {}: {e}", log_path.display()),
                "check the permissions of --dir",
            )
        })?;
    let log_err = log
        .try_clone()
        .map_err(|e| Failure::new(format!("cannot open {}: {e}", log_path.display()), "retry"))?;
    let mut cmd = Command::new(server);
    cmd.current_dir(&node_dir)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
        ])
        .args(["--cluster-node-timeout", &node_timeout_ms.to_string()])
        .arg("--dir")
        .arg(&node_dir)
        .arg("--logfile")
        .arg(&log_path)
        .args(["--appendonly", "no", "--save", ""])
        .stdin(Stdio::null())
        // Anything the server prints before its log is set up (a bad flag,
        // a panic) lands in the same log.
        .stdout(log)
        .stderr(log_err);
    // SAFETY: setsid is async-signal-safe and touches no memory of the
    // parent, which is all a pre_exec hook may do between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            libc::setsid();
            Ok(())
        });
    }
    let child = cmd.spawn().map_err(|e| {
        Failure::new(
            format!("cannot run {}: {e}", server.display()),
            "pass a working shoal-server binary with --server PATH",
        )
    })?;
    dir.record_pid(port, child.id())?;
    Ok(child)
}

/// Waits until the node answers PING. Fails, quoting its log, if the
/// process exits first or the deadline passes.
pub fn wait_until_serving(
    child: &mut Child,
    dir: &ClusterDir,
    port: u16,
    deadline: Instant,
    interrupt: &Interrupt,
) -> Result<(), Failure> {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let last = dir
                .last_log_line(port)
                .unwrap_or_else(|| "no log line".into());
            return Err(Failure::new(
                format!("the node on port {port} exited at startup ({status}): {last}"),
                format!("read {}", dir.log_path(port).display()),
            ));
        }
        if let Ok(mut c) = Connection::open(port) {
            if let Ok(Frame::Simple(s)) = c.call(&["PING"]) {
                if s == b"PONG" {
                    return Ok(());
                }
            }
        }
        if interrupt.is_set() {
            return Err(interrupted());
        }
        if Instant::now() >= deadline {
            return Err(Failure::new(
                format!("the node on port {port} did not answer PING in time"),
                format!(
                    "read {}, or give it longer with --timeout",
                    dir.log_path(port).display()
                ),
            ));
        }
        std::thread::sleep(POLL);
    }
}

/// The failure reported when Ctrl-C (or SIGTERM, SIGHUP) cut a wait short.
pub fn interrupted() -> Failure {
    Failure::new("interrupted", "run `shoal-local start` again when ready")
}

/// A node process: a child of this shoal-local, or a pid recorded by an
/// earlier one.
pub enum NodeProcess<'a> {
    /// Spawned by this process (it must be reaped here).
    Child(&'a mut Child),
    /// Started by another run; identified by pid and port.
    Recorded {
        /// The pid in server.pid.
        pid: u32,
        /// The node's port, to recognise a reused pid.
        port: u16,
    },
}

impl NodeProcess<'_> {
    /// True while the process runs.
    pub fn is_running(&mut self) -> bool {
        match self {
            NodeProcess::Child(c) => matches!(c.try_wait(), Ok(None)),
            NodeProcess::Recorded { pid, port } => is_node_process(*pid, *port),
        }
    }

    fn pid(&self) -> u32 {
        match self {
            NodeProcess::Child(c) => c.id(),
            NodeProcess::Recorded { pid, .. } => *pid,
        }
    }
}

/// How a node ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// It was not running.
    Already,
    /// It obeyed SHUTDOWN.
    Shutdown,
    /// It needed SIGTERM.
    Terminated,
    /// It needed SIGKILL.
    Killed,
    /// It survived even SIGKILL (should not happen).
    Stuck,
}

impl Stopped {
    /// The word printed after the node's address.
    pub fn describe(self) -> &'static str {
        match self {
            Stopped::Already => "was not running",
            Stopped::Shutdown => "stopped",
            Stopped::Terminated => "stopped (needed SIGTERM)",
            Stopped::Killed => "killed (ignored SHUTDOWN and SIGTERM)",
            Stopped::Stuck => "still running after SIGKILL",
        }
    }
}

/// Stops the node on `port`: SHUTDOWN NOSAVE over RESP, then SIGTERM, then
/// SIGKILL, each after `grace` without exit.
pub fn stop_node(port: u16, mut process: NodeProcess<'_>, grace: Duration) -> Stopped {
    if !process.is_running() {
        return Stopped::Already;
    }
    // Nothing is persisted (save '' and appendonly no), so NOSAVE loses
    // nothing and skips any save attempt. The reply is usually the closed
    // connection itself, so it is not checked.
    if let Ok(mut c) = Connection::open(port) {
        let _ = c.call(&["SHUTDOWN", "NOSAVE"]);
    }
    if wait_for_exit(&mut process, grace) {
        return Stopped::Shutdown;
    }
    signal(process.pid(), libc::SIGTERM);
    if wait_for_exit(&mut process, grace) {
        return Stopped::Terminated;
    }
    signal(process.pid(), libc::SIGKILL);
    if wait_for_exit(&mut process, Duration::from_secs(5)) {
        return Stopped::Killed;
    }
    Stopped::Stuck
}

fn wait_for_exit(process: &mut NodeProcess<'_>, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if !process.is_running() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill(2) has no memory-safety preconditions.
        unsafe {
            libc::kill(pid, sig);
        }
    }
}

/// True if `pid` is a live process serving `port`. On Linux the command
/// line must carry `--port <port>`, so a pid reused by another program
/// after a crash is never signalled; zombies count as gone.
pub fn is_node_process(pid: u32, port: u16) -> bool {
    let proc_dir = PathBuf::from(format!("/proc/{pid}"));
    if Path::new("/proc/self").exists() {
        let Ok(stat) = std::fs::read_to_string(proc_dir.join("stat")) else {
            return false;
        };
        // The state letter follows the parenthesised command name, which
        // may itself contain spaces or parentheses.
        let state = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next());
        if matches!(state, Some("Z") | Some("X") | None) {
            return false;
        }
        let Ok(cmdline) = std::fs::read(proc_dir.join("cmdline")) else {
            return false;
        };
        let port = port.to_string();
        let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
        return args
            .windows(2)
            .any(|w| w[0] == b"--port" && w[1] == port.as_bytes());
    }
    // Without /proc, the best check left is whether the pid exists.
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: kill(2) with signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

/// `path` made absolute against the current directory, without resolving
/// symlinks (the folder may not exist yet).
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_not_mistaken_for_a_node() {
        assert!(!is_node_process(std::process::id(), 7000));
        assert!(!is_node_process(u32::MAX - 1, 7000));
    }

    #[test]
    fn a_missing_server_binary_names_the_next_step() {
        let err = locate_server(Some(Path::new("/nonexistent/shoal-server"))).unwrap_err();
        assert!(err.next.contains("--server"), "{err}");
        let err = locate_server(Some(Path::new("no-such-binary-shoal"))).unwrap_err();
        assert!(err.what.contains("no-such-binary-shoal"), "{err}");
    }
}
