//! Runs real redis-server 7.0 with bad configurations and checks that our loader fails the
//! same way, with the same message. Skipped (with a note) when `redis-server` is not on
//! PATH. Every case fails while reading the configuration, so no server ever starts;
//! `--port 0` is passed first anyway, and a process still alive after 5 s is killed.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shoal_config::{absolute_config_path, load, parse_command_line, Host, Invocation, LoadError};

/// A host over the real file system that never changes the test's working directory.
struct FsHost {
    stdin: Vec<u8>,
}

impl Host for FsHost {
    fn read_config_file(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        let path = std::str::from_utf8(path).map_err(|e| e.to_string())?;
        std::fs::read(path).map_err(os_reason)
    }
    fn read_stdin(&mut self) -> Result<Vec<u8>, String> {
        Ok(self.stdin.clone())
    }
    fn change_dir(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        let path = std::str::from_utf8(path).map_err(|e| e.to_string())?;
        let meta = std::fs::metadata(path).map_err(os_reason)?;
        if !meta.is_dir() {
            return Err("Not a directory".into());
        }
        Ok(std::fs::canonicalize(path)
            .map_err(os_reason)?
            .into_os_string()
            .into_encoded_bytes())
    }
    fn check_logfile(&mut self, path: &[u8]) -> Result<(), String> {
        let path = std::str::from_utf8(path).map_err(|e| e.to_string())?;
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .map(drop)
            .map_err(os_reason)
    }
}

/// The OS message without Rust's " (os error N)" suffix, as strerror prints it.
fn os_reason(e: std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn redis_available() -> bool {
    Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs redis-server; returns (exit code, stdout, stderr).
fn run_redis(args: &[String], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new("redis-server")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn redis-server");
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin)
        .expect("write stdin");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            break;
        }
        if Instant::now() > deadline {
            child.kill().expect("kill");
            panic!("redis-server {args:?} did not stop: the case is not an error");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ours(args: &[String], stdin: &[u8]) -> LoadError {
    let Invocation::Run(mut cmd) = parse_command_line(args) else {
        panic!("not a run: {args:?}")
    };
    // As the binary does (and Redis before loading): name the config file absolutely.
    let cwd = std::env::current_dir()
        .expect("cwd")
        .into_os_string()
        .into_encoded_bytes();
    cmd.config_file = cmd.config_file.map(|f| absolute_config_path(&cwd, &f));
    match load(
        &cmd,
        &mut FsHost {
            stdin: stdin.to_vec(),
        },
    ) {
        Ok(_) => panic!("{args:?} loaded without error"),
        Err(e) => e,
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let p = std::env::temp_dir().join(format!("shoal-config-diff-{}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    fn file(&self, name: &str, text: &str) -> String {
        let p = self.0.join(name);
        std::fs::write(&p, text).expect("write temp file");
        p.to_string_lossy().into_owned()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bad_configurations_fail_like_redis() {
    if !redis_available() {
        eprintln!("redis-server not found: differential test skipped");
        return;
    }
    let dir = TempDir::new();
    let bad_quote = dir.file("bad-quote.conf", "port 0\n  # comment\n\nhz 5\nfoo \"bar\n");
    let includes_bad = dir.file("includes.conf", &format!("port 0\ninclude {bad_quote}\n"));
    let no_newline = dir.file("no-newline.conf", "port 0\nsave 900 1");
    let sentinel = dir.file("sentinel.conf", "port 0\nsentinel\nsentinel monitor x\n");
    let many_bind: Vec<String> = (1..=17).map(|i| format!("127.0.0.{i}")).collect();
    let mut cases: Vec<(Vec<String>, &[u8])> = vec![
        (strings(&["--foo", "bar"]), b""),
        (strings(&["--port", "abc"]), b""),
        (strings(&["--maxmemory", "1zb"]), b""),
        (strings(&["--port", "1", "2"]), b""),
        (strings(&["--port", "1 2"]), b""),
        (strings(&["--save", "abc"]), b""),
        (strings(&["--save", "1", "--port"]), b""),
        (strings(&["--daemonize", "maybe"]), b""),
        (strings(&["--maxmemory-policy", "x"]), b""),
        (strings(&["--rename-command", "foo"]), b""),
        (strings(&["--loglevel"]), b""),
        (
            strings(&["--cluster-enabled", "yes", "--replicaof", "127.0.0.1", "1"]),
            b"",
        ),
        (strings(&["--list-max-ziplist-entries"]), b""),
        (strings(&["--dbfilename", "a/b"]), b""),
        (strings(&["--appendfilename", ""]), b""),
        (strings(&["--appenddirname", "x/y"]), b""),
        (strings(&["--cluster-announce-hostname", "a_b"]), b""),
        (
            strings(&["--client-output-buffer-limit", "normal 1 2"]),
            b"",
        ),
        (
            strings(&["--client-output-buffer-limit", "master 1 2 3"]),
            b"",
        ),
        (strings(&["--oom-score-adj-values", "1 2"]), b""),
        (strings(&["--oom-score-adj-values", "1 2 9999"]), b""),
        (strings(&["--notify-keyspace-events", "Q"]), b""),
        (strings(&["--shutdown-on-sigint", "save nosave"]), b""),
        (strings(&["--shutdown-on-sigint", "save", "bogus"]), b""),
        (strings(&["--unixsocketperm", "999"]), b""),
        (strings(&["--unixsocketperm", "9"]), b""),
        (strings(&["--maxmemory-clients", "200%"]), b""),
        (strings(&["--maxmemory-clients", "abc"]), b""),
        (
            strings(&["--latency-tracking-info-percentiles", "101"]),
            b"",
        ),
        (strings(&["--latency-tracking-info-percentiles", "x"]), b""),
        (strings(&["--replicaof", "h", "x"]), b""),
        (strings(&["--replicaof", "h"]), b""),
        (strings(&["--maxclients", "-1"]), b""),
        (strings(&["--proto-max-bulk-len", "100"]), b""),
        (strings(&["--hz", "-1"]), b""),
        (strings(&["--timeout", "2147483648"]), b""),
        (strings(&["--proc-title-template", "{nosuch}"]), b""),
        (strings(&["--proc-title-template", "{title}"]), b""),
        (strings(&["--requirepass", "a\"b", "--foo"]), b""),
        (strings(&["--dir", "/nonexistent-shoal-dir"]), b""),
        (strings(&["--logfile", "/nonexistent-shoal-dir/x.log"]), b""),
        (strings(&["mymod.opt"]), b""),
        (strings(&["--mymod.opt"]), b""),
        (strings(&["-", "--hz", "5", "--bar"]), b"port 0\nhz 5\n"),
        (strings(&["--hz", "5", "--bar", "-"]), b"tcp-backlog 10\n"),
        (vec![bad_quote.clone()], b""),
        (vec![sentinel], b""),
        (vec![includes_bad], b""),
        (vec![no_newline, "--foo".into()], b""),
        (vec![bad_quote, "--hz".into(), "5".into()], b""),
    ];
    let mut bind = strings(&["--bind"]);
    bind.extend(many_bind);
    cases.push((bind, b""));

    let mut mismatches = Vec::new();
    for (args, stdin) in &cases {
        let mut full = strings(&["--port", "0"]);
        if args
            .first()
            .is_some_and(|a| !a.starts_with('-') || a == "-")
        {
            // A config file or `-` must stay the first argument.
            full = args.clone();
            full.splice(1..1, strings(&["--port", "0"]));
        } else {
            full.extend(args.iter().cloned());
        }
        let (code, stdout, stderr) = run_redis(&full, stdin);
        let err = ours(&full, stdin);
        let report = err.report("Redis 7.0.15");
        let same = match err {
            // Redis logs this one through its logger, on stdout with a timestamp prefix.
            LoadError::CantOpen { .. } => stdout.contains(&report),
            _ => stderr == report,
        };
        if code != 1 || !same {
            mismatches.push(format!(
                "{full:?}\n  redis (exit {code}): {stderr:?} {stdout:?}\n  ours: {report:?}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} cases differ:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
