//! `shoal-cli --cluster ...` against real nodes, with redis-cli 7.0 as the
//! judge: clusters made by one tool are checked by the other, and where
//! the output is deterministic it must be the same bytes. Run on real
//! redis-server 7.0 nodes and on shoal-server nodes (built by the
//! workspace; built here when missing). Every server is stopped by a guard.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::*;

/// A shoal-server child in cluster mode, killed when dropped.
struct ShoalServer {
    port: u16,
    child: Child,
    dir: PathBuf,
}

fn shoal_server_binary() -> PathBuf {
    let dir = PathBuf::from(shoal_cli()).parent().unwrap().to_path_buf();
    let bin = dir.join("shoal-server");
    if !bin.is_file() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-p", "shoal-server"])
            .status()
            .expect("run cargo build -p shoal-server");
        assert!(status.success(), "cargo build -p shoal-server failed");
    }
    assert!(bin.is_file(), "no shoal-server at {}", bin.display());
    bin
}

impl ShoalServer {
    fn start() -> ShoalServer {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("shoal-cli-cm-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new(shoal_server_binary())
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
            ])
            .args(["--save", "", "--appendonly", "no"])
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start shoal-server");
        let server = ShoalServer { port, child, dir };
        wait_for(Duration::from_secs(10), "shoal-server to answer", || {
            std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        server
    }
}

impl Drop for ShoalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn redis_node() -> RedisServer {
    RedisServer::start(&["--cluster-enabled", "yes", "--cluster-node-timeout", "5000"])
}

/// Runs a tool without colours and with nothing on stdin.
fn tool(program: &str, args: &[String]) -> Output {
    let child = Command::new(program)
        .args(args)
        .env("TERM", "dumb")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let guard = ChildGuard(Some(child));
    guard.wait_output(Duration::from_secs(120))
}

fn cluster(program: &str, words: &[&str]) -> Output {
    let mut args = vec!["--cluster".to_owned()];
    args.extend(words.iter().map(|w| w.to_string()));
    tool(program, &args)
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Node ids replaced, and a line of wait dots made empty.
fn normalized(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut l = String::new();
        for word in line.split(' ') {
            if !l.is_empty() {
                l.push(' ');
            }
            let is_id = word.len() == 40 && word.bytes().all(|b| b.is_ascii_hexdigit());
            l.push_str(if is_id { "<ID>" } else { word });
        }
        if !l.is_empty() && l.bytes().all(|b| b == b'.') {
            l.clear();
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Everything up to the wait: the plan, which is deterministic.
fn plan_part(text: &str) -> String {
    let end = text
        .find("Waiting for the cluster to join")
        .expect("the wait line");
    normalized(&text[..end])
}

fn addresses(ports: &[u16]) -> Vec<String> {
    ports.iter().map(|p| format!("127.0.0.1:{p}")).collect()
}

fn create_args(ports: &[u16], replicas: usize) -> Vec<String> {
    let mut args = vec!["--cluster".to_owned(), "create".to_owned()];
    args.extend(addresses(ports));
    args.extend([
        "--cluster-replicas".to_owned(),
        replicas.to_string(),
        "--cluster-yes".to_owned(),
    ]);
    args
}

fn reset(ports: &[u16]) {
    for &p in ports {
        raw_command(p, &["FLUSHALL"]);
        let reply = raw_command(p, &["CLUSTER", "RESET", "HARD"]);
        assert!(
            reply.starts_with(b"+OK"),
            "{}",
            String::from_utf8_lossy(&reply)
        );
    }
}

/// `check` by both tools: both succeed, same bytes.
fn assert_checks_agree(port: u16) -> String {
    let addr = format!("127.0.0.1:{port}");
    let ours = cluster(shoal_cli(), &["check", &addr]);
    let theirs = cluster(&reference("redis-cli"), &["check", &addr]);
    assert!(
        theirs.status.success(),
        "redis-cli check:\n{}",
        text(&theirs)
    );
    assert!(ours.status.success(), "shoal-cli check:\n{}", text(&ours));
    assert_eq!(text(&ours), text(&theirs));
    text(&ours)
}

#[test]
fn create_and_check_agree_with_redis_cli_on_redis_nodes() {
    let nodes: Vec<RedisServer> = (0..6).map(|_| redis_node()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();

    // redis-cli makes the cluster; shoal-cli reads it the same way.
    let theirs = tool(&reference("redis-cli"), &create_args(&ports, 1));
    assert!(theirs.status.success(), "{}", text(&theirs));
    let check = assert_checks_agree(ports[0]);
    assert_eq!(
        check.matches("1 additional replica(s)").count(),
        3,
        "{check}"
    );
    let addr = format!("127.0.0.1:{}", ports[0]);
    for words in [
        vec!["info", addr.as_str()],
        vec!["call", addr.as_str(), "ECHO", "hi"],
    ] {
        let ours = cluster(shoal_cli(), &words);
        let reference_out = cluster(&reference("redis-cli"), &words);
        assert_eq!(text(&ours), text(&reference_out), "{words:?}");
        assert!(ours.status.success());
    }

    // shoal-cli makes it; redis-cli agrees, and the plan reads the same.
    reset(&ports);
    let ours = tool(shoal_cli(), &create_args(&ports, 1));
    assert!(ours.status.success(), "{}", text(&ours));
    assert_eq!(plan_part(&text(&ours)), plan_part(&text(&theirs)));
    assert!(text(&ours).contains("[OK] All 16384 slots covered."));
    let check = assert_checks_agree(ports[0]);
    assert_eq!(
        check.matches("slots: (0 slots) slave").count(),
        3,
        "{check}"
    );
}

#[test]
fn a_broken_cluster_fails_the_check_like_redis_cli() {
    let nodes: Vec<RedisServer> = (0..3).map(|_| redis_node()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    // Too few primaries: refused by both, same words.
    let args = create_args(&ports[..2], 0);
    let ours = tool(shoal_cli(), &args);
    let theirs = tool(&reference("redis-cli"), &args);
    assert_eq!(ours.status.code(), Some(1));
    assert_eq!(theirs.status.code(), Some(1));
    assert_eq!(text(&ours), text(&theirs));
    // A node with only part of the slots: coverage error, exit code 1.
    nodes[0].run(&[&["CLUSTER", "ADDSLOTSRANGE", "0", "100"]]);
    let addr = format!("127.0.0.1:{}", ports[0]);
    let ours = cluster(shoal_cli(), &["check", &addr]);
    let theirs = cluster(&reference("redis-cli"), &["check", &addr]);
    assert_eq!(theirs.status.code(), Some(1));
    assert_eq!(ours.status.code(), Some(1));
    assert_eq!(text(&ours), text(&theirs));
    assert!(text(&ours).contains("[ERR] Not all 16384 slots are covered by nodes."));
    // Not a cluster address at all.
    let ours = cluster(shoal_cli(), &["check", "nowhere"]);
    assert_eq!(ours.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&ours.stderr).starts_with("[ERR] Invalid arguments"));
}

#[test]
fn shoal_nodes_create_check_map_add_and_delete() {
    let nodes: Vec<ShoalServer> = (0..4).map(|_| ShoalServer::start()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let ours = tool(shoal_cli(), &create_args(&ports[..3], 0));
    assert!(ours.status.success(), "{}", text(&ours));
    let check = assert_checks_agree(ports[0]);
    assert_eq!(check.matches("M: ").count(), 3, "{check}");
    let addr = format!("127.0.0.1:{}", ports[0]);
    let info_ours = cluster(shoal_cli(), &["info", &addr]);
    assert_eq!(
        text(&info_ours),
        text(&cluster(&reference("redis-cli"), &["info", &addr]))
    );

    // The map: every slot served, three primaries, links all up.
    wait_for(Duration::from_secs(20), "all bus links up", || {
        cluster(shoal_cli(), &["map", &addr]).status.success()
    });
    let map = text(&cluster(shoal_cli(), &["map", &addr]));
    let bar = map
        .lines()
        .find_map(|l| l.strip_prefix("slots   "))
        .expect("a slot bar");
    assert_eq!(bar.len(), 64, "{map}");
    assert!(bar.bytes().all(|b| b"ABC".contains(&b)), "{map}");
    assert_eq!(
        map.lines().filter(|l| l.contains("  M: ")).count(),
        3,
        "{map}"
    );
    assert!(map.contains("links, all connected"), "{map}");
    assert!(map.contains("[OK] All nodes are healthy"), "{map}");

    // add-node as a replica, then del-node.
    let new_addr = format!("127.0.0.1:{}", ports[3]);
    let out = cluster(
        shoal_cli(),
        &["add-node", &new_addr, &addr, "--cluster-slave"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("[OK] New node added correctly."),
        "{}",
        text(&out)
    );
    let check = assert_checks_agree(ports[0]);
    assert!(check.contains("1 additional replica(s)"), "{check}");
    let id = String::from_utf8_lossy(&raw_command(ports[3], &["CLUSTER", "MYID"])).into_owned();
    let id = id.lines().nth(1).expect("a bulk reply").to_owned();
    // add-node returns once the new node met one member; the others learn
    // of it by gossip. del-node sends FORGET to every node, so wait until
    // all of them know it (redis-cli would fail the same way otherwise).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !ports[..3]
        .iter()
        .all(|&p| String::from_utf8_lossy(&raw_command(p, &["CLUSTER", "NODES"])).contains(&id))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the new node never became known to all"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = cluster(shoal_cli(), &["del-node", &addr, &id]);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        normalized(&text(&out)),
        format!(
            ">>> Removing node <ID> from cluster {addr}\n>>> Sending CLUSTER FORGET messages to the cluster...\n>>> Sending CLUSTER RESET SOFT to the deleted node.\n"
        )
    );
    let check = assert_checks_agree(ports[0]);
    assert!(!check.contains("additional replica"), "{check}");
}

#[test]
fn redis_nodes_map_without_bus_list() {
    let nodes: Vec<RedisServer> = (0..3).map(|_| redis_node()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let ours = tool(shoal_cli(), &create_args(&ports, 0));
    assert!(ours.status.success(), "{}", text(&ours));
    let addr = format!("127.0.0.1:{}", ports[0]);
    let out = cluster(shoal_cli(), &["map", &addr]);
    let map = text(&out);
    assert!(out.status.success(), "{map}");
    assert_eq!(
        map.matches("(does not report its links: no CLUSTER BUS LIST)")
            .count(),
        3,
        "{map}"
    );
}

// ---- reshard, fix, rebalance ----

/// Sets `key:0` .. `key:<n-1>` through a cluster-mode client.
fn write_keys(ports: &[u16], n: usize) {
    wait_for(
        Duration::from_secs(30),
        "cluster_state:ok everywhere",
        || {
            ports.iter().all(|&p| {
                String::from_utf8_lossy(&raw_command(p, &["CLUSTER", "INFO"]))
                    .contains("cluster_state:ok")
            })
        },
    );
    let port = ports[0];
    let input: String = (0..n).map(|i| format!("SET key:{i} value:{i}\n")).collect();
    let out = run_piped(
        &reference("redis-cli"),
        &["-c", "-p", &port.to_string()],
        input.as_bytes(),
    );
    let replies = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        replies.matches("OK").count(),
        n,
        "{}",
        replies.lines().next().unwrap_or_default()
    );
}

/// Reads every key back through `program -c` (redis-cli or shoal-cli).
fn assert_keys_readable(program: &str, port: u16, n: usize) {
    let input: String = (0..n).map(|i| format!("GET key:{i}\n")).collect();
    let out = run_piped(program, &["-c", "-p", &port.to_string()], input.as_bytes());
    let replies = String::from_utf8_lossy(&out.stdout);
    // redis-cli reports each redirection it follows; only values count.
    let got: Vec<&str> = replies
        .lines()
        .filter(|l| !l.starts_with("-> Redirected"))
        .collect();
    let wrong: Vec<(usize, &str)> = got
        .iter()
        .enumerate()
        .filter(|(i, v)| **v != format!("value:{i}"))
        .map(|(i, v)| (i, *v))
        .take(5)
        .collect();
    assert!(
        got.len() == n && wrong.is_empty(),
        "{program}: {} values, first wrong {wrong:?}; stderr {}",
        got.len(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn node_id(port: u16) -> String {
    let reply = String::from_utf8_lossy(&raw_command(port, &["CLUSTER", "MYID"])).into_owned();
    reply.lines().nth(1).expect("a bulk reply").to_owned()
}

/// redis-cli's check passes.
fn assert_reference_check(port: u16) -> String {
    let addr = format!("127.0.0.1:{port}");
    let out = cluster(&reference("redis-cli"), &["check", &addr]);
    assert!(out.status.success(), "redis-cli check:\n{}", text(&out));
    text(&out)
}

/// The slots each node of `ports` serves, as `check` lists them.
fn slot_layout(ports: &[u16]) -> Vec<String> {
    let check = assert_reference_check(ports[0]);
    ports
        .iter()
        .map(|p| {
            let marker = format!("127.0.0.1:{p}\n");
            let at = check.find(&marker).expect("node listed") + marker.len();
            check[at..].lines().next().unwrap().trim().to_owned()
        })
        .collect()
}

#[test]
fn shoal_nodes_reshard_and_fix() {
    let nodes: Vec<ShoalServer> = (0..4).map(|_| ShoalServer::start()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let out = tool(shoal_cli(), &create_args(&ports[..3], 0));
    assert!(out.status.success(), "{}", text(&out));
    assert_checks_agree(ports[0]);
    const KEYS: usize = 1000;
    write_keys(&ports[..3], KEYS);
    let addr = format!("127.0.0.1:{}", ports[0]);
    let ids: Vec<String> = ports.iter().map(|&p| node_id(p)).collect();

    // Reshard 100 slots from the first node to the second.
    let out = cluster(
        shoal_cli(),
        &[
            "reshard",
            &addr,
            "--cluster-from",
            &ids[0],
            "--cluster-to",
            &ids[1],
            "--cluster-slots",
            "100",
            "--cluster-yes",
            "--cluster-pipeline",
            "7",
        ],
    );
    let log = text(&out);
    assert!(
        out.status.success(),
        "{log}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(log.contains("\nReady to move 100 slots.\n"), "{log}");
    assert!(
        log.contains(&format!("    Moving slot 99 from {}\n", ids[0])),
        "{log}"
    );
    assert!(!log.contains("Moving slot 100 "), "{log}");
    assert!(
        log.contains(&format!(
            "Moving slot 0 from {addr} to 127.0.0.1:{}: ",
            ports[1]
        )),
        "{log}"
    );
    let moved_line = log
        .lines()
        .find(|l| l.starts_with("slot 100/100, keys moved "))
        .expect("the last progress line");
    let moved: usize = moved_line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(moved > 0 && moved < KEYS, "{moved_line}");
    // A dot per key moved.
    let dots: usize = log
        .lines()
        .filter(|l| l.starts_with("Moving slot ") && l.contains(": "))
        .map(|l| l.rsplit(": ").next().unwrap().len())
        .sum();
    assert_eq!(dots, moved, "{log}");
    let layout = slot_layout(&ports[..3]);
    assert!(
        layout[0].starts_with("slots:[100-5460] (5361 slots)"),
        "{layout:?}"
    );
    assert!(
        layout[1].starts_with("slots:[0-99],[5461-10922] (5562 slots)"),
        "{layout:?}"
    );
    assert_keys_readable(&reference("redis-cli"), ports[0], KEYS);
    assert_keys_readable(shoal_cli(), ports[2], KEYS);

    // An open slot in both states (an interrupted move): fix finishes it.
    let slot = "12000"; // served by the third node
    raw_command(
        ports[0],
        &["CLUSTER", "SETSLOT", slot, "IMPORTING", &ids[2]],
    );
    raw_command(
        ports[2],
        &["CLUSTER", "SETSLOT", slot, "MIGRATING", &ids[0]],
    );
    let check = cluster(shoal_cli(), &["check", &addr]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(text(&check).contains("[WARNING] The following slots are open: 12000."));
    let out = cluster(shoal_cli(), &["fix", &addr]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(log.contains(">>> Fixing open slot 12000\n"), "{log}");
    assert!(
        log.contains(&format!(
            ">>> Case 1: Moving slot 12000 from 127.0.0.1:{} to {addr}\n",
            ports[2]
        )),
        "{log}"
    );
    assert_reference_check(ports[0]);
    let layout = slot_layout(&ports[..3]);
    assert!(layout[0].contains("[12000]"), "{layout:?}");
    // Only migrating, on the owner: fix closes it.
    raw_command(
        ports[1],
        &["CLUSTER", "SETSLOT", "6000", "MIGRATING", &ids[2]],
    );
    let out = cluster(shoal_cli(), &["fix", &addr]);
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!(
            ">>> Case 4: Closing slot 6000 on 127.0.0.1:{}\n",
            ports[1]
        )),
        "{log}"
    );
    assert_checks_agree(ports[0]);
    assert_keys_readable(&reference("redis-cli"), ports[1], KEYS);
}

/// `rebalance --cluster-use-empty-masters` after `add-node` of an empty
/// primary, on shoal-server nodes.
#[test]
#[ignore = "80-130 s in a debug build and intermittently fails its final assertion after moving 4096 slots: under investigation (redis-cli rebalance against shoal-server nodes succeeds); run with --ignored"]
fn shoal_nodes_rebalance_onto_an_empty_master() {
    let nodes: Vec<ShoalServer> = (0..4).map(|_| ShoalServer::start()).collect();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let out = tool(shoal_cli(), &create_args(&ports[..3], 0));
    assert!(out.status.success(), "{}", text(&out));
    const KEYS: usize = 1000;
    write_keys(&ports[..3], KEYS);
    let addr = format!("127.0.0.1:{}", ports[0]);
    // An empty primary joins; rebalance gives it its share.
    let new_addr = format!("127.0.0.1:{}", ports[3]);
    let out = cluster(shoal_cli(), &["add-node", &new_addr, &addr]);
    assert!(out.status.success(), "{}", text(&out));
    wait_for(
        Duration::from_secs(30),
        "every node to know the new one",
        || {
            ports.iter().all(|&p| {
                let info =
                    String::from_utf8_lossy(&raw_command(p, &["CLUSTER", "INFO"])).into_owned();
                // A new primary reports fail until its rejoin delay (the
                // node timeout, at most 5 s) passes, as in Redis; keys
                // moved to it before that get CLUSTERDOWN.
                info.contains("cluster_known_nodes:4") && info.contains("cluster_state:ok")
            })
        },
    );
    let out = cluster(shoal_cli(), &["rebalance", &addr]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("*** No rebalancing needed! All nodes are within the 2.00% threshold."),
        "{}",
        text(&out)
    );
    let out = cluster(
        shoal_cli(),
        &[
            "rebalance",
            &addr,
            "--cluster-use-empty-masters",
            "--cluster-pipeline",
            "20",
        ],
    );
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(">>> Rebalancing across 4 nodes. Total weight = 4.00\n"),
        "{log}"
    );
    assert!(log.contains(&format!(" to {new_addr}\n")), "{log}");
    let layout = slot_layout(&ports);
    assert!(layout[3].contains("(4096 slots)"), "{layout:?}");
    assert_keys_readable(&reference("redis-cli"), ports[3], KEYS);
    assert_keys_readable(shoal_cli(), ports[0], KEYS);
}

/// The reshard of a real Redis cluster: shoal-cli leaves the same slot
/// layout as redis-cli, prints the same plan, and moves the keys.
#[test]
fn reshard_on_redis_nodes_matches_redis_cli() {
    let mut layouts = Vec::new();
    let mut plans = Vec::new();
    for program in [reference("redis-cli"), shoal_cli().to_owned()] {
        let nodes: Vec<RedisServer> = (0..3).map(|_| redis_node()).collect();
        let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
        let out = tool(&reference("redis-cli"), &create_args(&ports, 0));
        assert!(out.status.success(), "{}", text(&out));
        write_keys(&ports, 500);
        let ids: Vec<String> = ports.iter().map(|&p| node_id(p)).collect();
        let addr = format!("127.0.0.1:{}", ports[0]);
        let from = format!("{},{}", ids[0], ids[2]);
        let out = cluster(
            &program,
            &[
                "reshard",
                &addr,
                "--cluster-from",
                &from,
                "--cluster-to",
                &ids[1],
                "--cluster-slots",
                "301",
                "--cluster-yes",
            ],
        );
        let mut log = text(&out);
        assert!(out.status.success(), "{program}: {log}");
        for (k, p) in ports.iter().enumerate() {
            log = log.replace(&p.to_string(), &format!("<P{k}>"));
        }
        // The plan and the move lines, without Shoal's progress lines.
        // From the plan on: the check's listing before it follows the
        // order of CLUSTER NODES, which differs from cluster to cluster.
        let start = log.find("Ready to move").expect("the plan");
        let plan: Vec<String> = normalized(&log[start..])
            .lines()
            .filter(|l| !l.starts_with("slot "))
            .map(str::to_owned)
            .collect();
        plans.push(plan);
        layouts.push(slot_layout(&ports));
        assert_keys_readable(&reference("redis-cli"), ports[2], 500);
    }
    assert_eq!(layouts[0], layouts[1]);
    assert_eq!(plans[0], plans[1]);
}
