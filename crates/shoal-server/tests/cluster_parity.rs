//! Cluster mode of a single node against redis-server 7.0 in cluster mode:
//! both load the same nodes.conf (three primaries, an open migration and an
//! open import), then answer the same commands; replies compared exactly.
//! The other two nodes are not running: routing needs only the slot map.

mod common;

use common::{free_port, run, start_shoal, wait_for, ServerProcess};
use shoal_types::key_hash_slot;

const ME: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccccccccccc";

/// A key whose slot is `slot`, made of `prefix` and a counter.
fn key_in_slot(slot: u16, prefix: &str) -> String {
    (0..1_000_000)
        .map(|i| format!("{prefix}{i}"))
        .find(|k| key_hash_slot(k.as_bytes()) == slot)
        .expect("some key hashes to every slot")
}

fn nodes_conf(my_port: u16, b_port: u16, c_port: u16) -> String {
    format!(
        "{ME} 127.0.0.1:{my_port}@{} myself,master - 0 0 1 connected 0-5460 [5000->-{B}] [6000-<-{B}]\n\
         {B} 127.0.0.1:{b_port}@{} master - 0 0 2 connected 5461-10922\n\
         {C} 127.0.0.1:{c_port}@{} master - 0 0 3 connected 10923-16383\n\
         vars currentEpoch 3 lastVoteEpoch 0\n",
        my_port + 10000,
        b_port + 10000,
        c_port + 10000
    )
}

/// Starts a server whose nodes.conf is written before it starts.
fn start_with_conf(
    start: fn(&[&str]) -> ServerProcess,
    conf_dir: &std::path::Path,
) -> ServerProcess {
    let conf = conf_dir.join("nodes.conf");
    let conf = conf.to_str().unwrap().to_string();
    start(&[
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        &conf,
        "--cluster-node-timeout",
        "60000",
    ])
}

#[test]
fn routing_and_cluster_commands_match_redis() {
    let (b_port, c_port) = (free_port(), free_port());
    let mut replies: Vec<Vec<String>> = Vec::new();
    let moved_key = key_in_slot(12182, "k");
    let local_key = key_in_slot(100, "k");
    let migrating_key = key_in_slot(5000, "m");
    let migrating_key2 = key_in_slot(5000, "n");
    let importing_key = key_in_slot(6000, "i");
    for which in ["shoal", "redis"] {
        let dir = std::env::temp_dir().join(format!(
            "shoal-cluster-parity-{which}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // The port goes into nodes.conf before the server starts, so pick
        // it here and have the server use exactly that.
        let port = free_port();
        std::fs::write(dir.join("nodes.conf"), nodes_conf(port, b_port, c_port)).unwrap();
        let server = if which == "shoal" {
            start_on(port, env!("CARGO_BIN_EXE_shoal-server"), &dir)
        } else {
            start_on(port, "redis-server", &dir)
        };
        let mut c = common::Conn::connect(port);
        // Redis keeps a new primary unwritable for 2 s after start.
        assert!(wait_for(10, || c
            .call_raw(&["CLUSTER", "INFO"])
            .contains("cluster_state:ok")));
        let script: Vec<Vec<String>> = vec![
            vec!["SET".into(), local_key.clone(), "v".into()],
            vec!["GET".into(), moved_key.clone()],
            vec!["SET".into(), moved_key.clone(), "v".into()],
            vec![
                "MSET".into(),
                local_key.clone(),
                "1".into(),
                moved_key.clone(),
                "2".into(),
            ],
            vec!["GET".into(), migrating_key.clone()],
            vec!["SET".into(), migrating_key.clone(), "here".into()],
            vec!["GET".into(), migrating_key.clone()],
            vec!["MGET".into(), migrating_key.clone(), migrating_key2.clone()],
            vec!["GET".into(), importing_key.clone()],
            vec!["ASKING".into()],
            vec!["GET".into(), importing_key.clone()],
            vec!["GET".into(), importing_key.clone()],
            vec!["READONLY".into()],
            vec!["GET".into(), moved_key.clone()],
            vec!["READWRITE".into()],
            vec!["PING".into()],
            vec!["PUBLISH".into(), "ch".into(), "m".into()],
            vec!["SELECT".into(), "1".into()],
            vec!["MOVE".into(), local_key.clone(), "1".into()],
            vec!["SWAPDB".into(), "0".into(), "1".into()],
            vec!["CLUSTER".into(), "KEYSLOT".into(), "fullstack".into()],
            vec!["CLUSTER".into(), "COUNTKEYSINSLOT".into(), "100".into()],
            vec![
                "CLUSTER".into(),
                "GETKEYSINSLOT".into(),
                "100".into(),
                "10".into(),
            ],
            vec!["CLUSTER".into(), "MYID".into()],
            vec!["CLUSTER".into(), "SLOTS".into()],
            // (CLUSTER SHARDS lists shards in Redis's hash-table order,
            // which changes every run: not comparable byte for byte.)
            vec!["CLUSTER".into(), "ADDSLOTS".into(), "100".into()],
            vec!["CLUSTER".into(), "ADDSLOTS".into(), "99999".into()],
            vec!["CLUSTER".into(), "DELSLOTS".into(), "9000".into()],
            vec![
                "CLUSTER".into(),
                "SETSLOT".into(),
                "100".into(),
                "NODE".into(),
                B.into(),
            ],
            vec![
                "CLUSTER".into(),
                "SETSLOT".into(),
                "200".into(),
                "MIGRATING".into(),
                C.into(),
            ],
            vec![
                "CLUSTER".into(),
                "SETSLOT".into(),
                "200".into(),
                "STABLE".into(),
            ],
            vec!["CLUSTER".into(), "COUNT-FAILURE-REPORTS".into(), B.into()],
            vec!["CLUSTER".into(), "REPLICAS".into(), B.into()],
            vec!["CLUSTER".into(), "BOGUS".into()],
            vec!["MULTI".into()],
            vec!["SET".into(), key_in_slot(300, "x"), "1".into()],
            vec!["SET".into(), key_in_slot(400, "x"), "2".into()],
            vec!["EXEC".into()],
            vec!["MULTI".into()],
            vec!["SET".into(), key_in_slot(300, "x"), "3".into()],
            vec!["GET".into(), key_in_slot(300, "x")],
            vec!["EXEC".into()],
            vec!["CLUSTER".into(), "INFO".into()],
        ];
        let mut got = Vec::new();
        for cmd in &script {
            let refs: Vec<&str> = cmd.iter().map(String::as_str).collect();
            got.push(c.call_raw(&refs));
        }
        // CLUSTER SLOTS and SHARDS name this node by its port, which
        // differs between the two runs: normalise it.
        let got: Vec<String> = got
            .into_iter()
            .map(|r| r.replace(&port.to_string(), "PORT"))
            .map(|r| without_message_counters(&r))
            .collect();
        replies.push(got);
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }
    for (i, (s, r)) in replies[0].iter().zip(&replies[1]).enumerate() {
        assert_eq!(s, r, "step {i} (left: shoal, right: redis)");
    }
}

/// CLUSTER INFO without its bus message counters (which depend on how many
/// PINGs each server has tried by then) and without the bulk header.
fn without_message_counters(reply: &str) -> String {
    if !reply.contains("cluster_state:") {
        return reply.to_string();
    }
    reply
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.starts_with("cluster_stats_messages"))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// Starts `bin` on a given port in `dir` (nodes.conf already there).
fn start_on(port: u16, bin: &str, dir: &std::path::Path) -> ServerProcess {
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    let child = std::process::Command::new(bin)
        .current_dir(dir)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--cluster-enabled",
            "yes",
            "--cluster-node-timeout",
            "60000",
        ])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .expect("start server");
    let p = ServerProcess {
        child,
        port,
        dir: dir.join("unused"),
        name: "cluster-node",
    };
    assert!(
        wait_for(10, || std::net::TcpStream::connect(("127.0.0.1", port))
            .is_ok()),
        "{bin} did not start"
    );
    p
}

#[test]
fn nodes_conf_survives_restart_byte_for_byte_and_corruption_is_refused() {
    let s = start_shoal(&["--cluster-enabled", "yes"]);
    let mut c = s.connect();
    assert_eq!(
        c.call_raw(&["CLUSTER", "ADDSLOTSRANGE", "0", "100", "200", "300"]),
        "+OK\r\n"
    );
    let reply = c.call_raw(&["CLUSTER", "SETSLOT", "50", "MIGRATING", ME]);
    assert!(reply.starts_with('-'), "{reply}");
    let id = match c.call("CLUSTER MYID") {
        shoal_resp::frame::Frame::Bulk(b) => String::from_utf8(b).unwrap(),
        f => panic!("{f:?}"),
    };
    let conf_path = s.dir.join("nodes.conf");
    let before = std::fs::read_to_string(&conf_path).unwrap();
    assert!(
        before.contains(&id) && before.contains("0-100 200-300"),
        "{before}"
    );
    assert!(
        before.ends_with("vars currentEpoch 0 lastVoteEpoch 0\n"),
        "{before}"
    );
    // A second process may not use the same file.
    let dir = s.dir.to_str().unwrap().to_string();
    let (ok, out) = run(
        env!("CARGO_BIN_EXE_shoal-server"),
        &[
            "--port",
            &free_port().to_string(),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            &format!("{dir}/nodes.conf"),
        ],
        None,
    );
    assert!(!ok && out.contains("already used by a different"), "{out}");
    drop(c);
    // Restart on the same file: same identity, same bytes.
    let port = s.port;
    let saved_dir = s.dir.clone();
    let conf_copy = std::env::temp_dir().join(format!("shoal-nodes-copy-{}", std::process::id()));
    std::fs::copy(&conf_path, &conf_copy).unwrap();
    drop(s);
    std::fs::create_dir_all(&saved_dir).unwrap();
    let s2 = start_with_conf(start_shoal, &saved_dir_with(&conf_copy));
    let mut c2 = s2.connect();
    let id2 = match c2.call("CLUSTER MYID") {
        shoal_resp::frame::Frame::Bulk(b) => String::from_utf8(b).unwrap(),
        f => panic!("{f:?}"),
    };
    assert_eq!(id, id2, "identity lost across restart");
    let after = std::fs::read_to_string(saved_dir_with(&conf_copy).join("nodes.conf")).unwrap();
    let strip_ports = |t: &str| {
        t.replace(&format!(":{port}@{}", port + 10000), ":P@B")
            .replace(&format!(":{}@{}", s2.port, s2.port + 10000), ":P@B")
    };
    assert_eq!(strip_ports(&before), strip_ports(&after));
    // A corrupt file stops the server with a message naming the line.
    let bad_dir = std::env::temp_dir().join(format!("shoal-badconf-{}", std::process::id()));
    std::fs::create_dir_all(&bad_dir).unwrap();
    std::fs::write(
        bad_dir.join("nodes.conf"),
        format!(
            "{}\nthis is not a node line\n",
            after.lines().next().unwrap()
        ),
    )
    .unwrap();
    let (ok, out) = run(
        env!("CARGO_BIN_EXE_shoal-server"),
        &[
            "--port",
            &free_port().to_string(),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            bad_dir.join("nodes.conf").to_str().unwrap(),
        ],
        None,
    );
    assert!(!ok && out.contains("line 2"), "{out}");
    let _ = std::fs::remove_dir_all(&bad_dir);
}

fn saved_dir_with(conf: &std::path::Path) -> std::path::PathBuf {
    let dir = conf.with_extension("dir");
    std::fs::create_dir_all(&dir).unwrap();
    if !dir.join("nodes.conf").exists() {
        std::fs::copy(conf, dir.join("nodes.conf")).unwrap();
    }
    dir
}
