//! The newcomer's path end to end: `shoal-local start` brings up a Shoal
//! cluster, `shoal-cli -c` on a terminal follows the redirect with
//! redis-cli's exact line, `shoal-local stop` ends it.

mod common;

use common::{free_port, render_screen, shoal_cli, Pty};
use std::path::PathBuf;
use std::process::Command;

/// A binary of the workspace next to shoal-cli, built if missing.
fn sibling(name: &str) -> PathBuf {
    let bin = PathBuf::from(shoal_cli()).parent().unwrap().join(name);
    if !bin.is_file() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", name])
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p {name} failed");
    }
    bin
}

/// Stops the cluster and removes its directory, even when the test fails.
struct LocalCluster {
    dir: PathBuf,
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        let _ = Command::new(sibling("shoal-local"))
            .args(["--dir", self.dir.to_str().unwrap(), "clean"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A base port with three consecutive data ports and their bus ports free.
fn free_base() -> u16 {
    for _ in 0..200 {
        let base = free_port();
        if base > 50000 {
            continue;
        }
        let ok = (0..3).all(|i| {
            std::net::TcpListener::bind(("127.0.0.1", base + i)).is_ok()
                && std::net::TcpListener::bind(("127.0.0.1", base + i + 10000)).is_ok()
        });
        if ok {
            return base;
        }
    }
    panic!("no free port range");
}

#[test]
fn shoal_local_cluster_then_shoal_cli_redirect_line() {
    let base = free_base();
    let dir = std::env::temp_dir().join(format!("shoal-local-e2e-{}-{base}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let guard = LocalCluster { dir: dir.clone() };
    let out = Command::new(sibling("shoal-local"))
        .args(["--dir", dir.to_str().unwrap(), "start", "--detach"])
        .args(["--primaries", "3", "--replicas-per-primary", "0"])
        .args(["--base-port", &base.to_string()])
        .args(["--server", sibling("shoal-server").to_str().unwrap()])
        .output()
        .expect("run shoal-local");
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(log.contains("cluster_state:ok"), "{log}");
    // Slots are split as redis-cli splits them: 15274 is on the third node.
    let owner = base + 2;
    let args = ["-c".to_owned(), "-p".to_owned(), base.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(shoal_cli(), &args, &[("SHOALCLI_NO_ADVICE", "1")]);
    pty.wait_prompt(0);
    pty.line("set fullstack good");
    pty.line("get fullstack");
    pty.line("quit");
    let screen = render_screen(&pty.finish());
    let lines: Vec<&str> = screen.lines().collect();
    assert_eq!(
        &lines[..5],
        &[
            format!("127.0.0.1:{base}> set fullstack good").as_str(),
            format!("-> Redirected to slot [15274] located at 127.0.0.1:{owner}").as_str(),
            "OK",
            format!("127.0.0.1:{owner}> get fullstack").as_str(),
            "\"good\"",
        ],
        "{screen}"
    );
    let out = Command::new(sibling("shoal-local"))
        .args(["--dir", dir.to_str().unwrap(), "stop"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", base)).is_err(),
        "a node still answers after stop"
    );
    drop(guard);
}
