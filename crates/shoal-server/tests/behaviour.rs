//! Server behaviour over real connections: transactions across clients,
//! expiry, eviction, auth, limits, client management and shutdown.

mod common;

use common::{run, start_shoal, wait_for, Conn};
use shoal_resp::frame::Frame;
use std::time::Duration;

#[test]
fn watch_aborts_exec_when_another_client_writes() {
    let s = start_shoal(&[]);
    let (mut a, mut b) = (s.connect(), s.connect());
    assert_eq!(a.call_raw(&["SET", "k", "1"]), "+OK\r\n");
    assert_eq!(a.call_raw(&["WATCH", "k"]), "+OK\r\n");
    assert_eq!(b.call_raw(&["SET", "k", "2"]), "+OK\r\n");
    assert_eq!(a.call_raw(&["MULTI"]), "+OK\r\n");
    assert_eq!(a.call_raw(&["INCR", "k"]), "+QUEUED\r\n");
    assert_eq!(a.call_raw(&["EXEC"]), "*-1\r\n");
    // Without interference the transaction runs.
    a.call_raw(&["WATCH", "k"]);
    a.call_raw(&["MULTI"]);
    a.call_raw(&["INCR", "k"]);
    assert_eq!(a.call_raw(&["EXEC"]), "*1\r\n:3\r\n");
    // FLUSHALL touches watched keys that existed.
    a.call_raw(&["WATCH", "k"]);
    b.call_raw(&["FLUSHALL"]);
    a.call_raw(&["MULTI"]);
    a.call_raw(&["PING"]);
    assert_eq!(a.call_raw(&["EXEC"]), "*-1\r\n");
}

#[test]
fn queued_errors_abort_exec() {
    let s = start_shoal(&[]);
    let mut a = s.connect();
    a.call_raw(&["MULTI"]);
    assert_eq!(
        a.call_raw(&["SET", "a"]),
        "-ERR wrong number of arguments for 'set' command\r\n"
    );
    a.call_raw(&["SET", "a", "1"]);
    assert_eq!(
        a.call_raw(&["EXEC"]),
        "-EXECABORT Transaction discarded because of previous errors.\r\n"
    );
    assert_eq!(a.call_raw(&["GET", "a"]), "$-1\r\n");
}

#[test]
fn keys_expire_actively_without_being_read() {
    let s = start_shoal(&["--hz", "100"]);
    let mut c = s.connect();
    for i in 0..50 {
        c.call_raw(&["SET", &format!("k{i}"), "v", "PX", "50"]);
    }
    c.call_raw(&["SET", "keep", "v"]);
    assert!(
        wait_for(5, || c.call_raw(&["DBSIZE"]) == ":1\r\n"),
        "expired keys were not removed"
    );
    let info = c.call_raw(&["INFO", "stats"]);
    assert!(info.contains("expired_keys:50"), "{info}");
}

#[test]
fn maxmemory_noeviction_refuses_writes_with_redis_oom_error() {
    let s = start_shoal(&["--maxmemory", "1", "--maxmemory-policy", "noeviction"]);
    let mut c = s.connect();
    assert_eq!(
        c.call_raw(&["SET", "k", "v"]),
        "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    // Reads and deletes still work.
    assert_eq!(c.call_raw(&["GET", "k"]), "$-1\r\n");
    assert_eq!(c.call_raw(&["DEL", "k"]), ":0\r\n");
}

#[test]
fn allkeys_lru_evicts_to_stay_under_maxmemory() {
    let s = start_shoal(&["--maxmemory-policy", "allkeys-lru"]);
    let mut c = s.connect();
    let used: u64 = info_field(&mut c, "memory", "used_memory").parse().unwrap();
    let limit = used + 2 * 1024 * 1024;
    c.call_raw(&["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    let value = "x".repeat(1000);
    for i in 0..10_000 {
        let r = c.call_raw(&["SET", &format!("key:{i}"), &value]);
        assert_eq!(r, "+OK\r\n");
    }
    let evicted: u64 = info_field(&mut c, "stats", "evicted_keys").parse().unwrap();
    assert!(evicted > 0, "nothing evicted");
    let now_used: u64 = info_field(&mut c, "memory", "used_memory").parse().unwrap();
    assert!(
        now_used <= limit + 64 * 1024,
        "used {now_used} > limit {limit}"
    );
}

fn info_field(c: &mut Conn, section: &str, field: &str) -> String {
    let text = match c.call(&format!("INFO {section}")) {
        Frame::Bulk(b) => String::from_utf8(b).unwrap(),
        other => panic!("INFO replied {other:?}"),
    };
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in {text}"))
        .trim()
        .to_string()
}

#[test]
fn requirepass_gates_commands_until_auth() {
    let s = start_shoal(&["--requirepass", "secret"]);
    let mut c = s.connect();
    assert_eq!(
        c.call_raw(&["GET", "k"]),
        "-NOAUTH Authentication required.\r\n"
    );
    assert_eq!(
        c.call_raw(&["AUTH", "wrong"]),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n"
    );
    assert_eq!(c.call_raw(&["AUTH", "secret"]), "+OK\r\n");
    assert_eq!(c.call_raw(&["GET", "k"]), "$-1\r\n");
    let mut d = s.connect();
    assert_eq!(d.call_raw(&["AUTH", "default", "secret"]), "+OK\r\n");
    let mut e = s.connect();
    let hello = e.call("HELLO 3 AUTH default secret");
    assert!(matches!(hello, Frame::Map(_)), "{hello:?}");
}

#[test]
fn oversized_bulk_and_query_buffer_close_only_that_client() {
    let s = start_shoal(&[
        "--proto-max-bulk-len",
        "1mb",
        "--client-query-buffer-limit",
        "1mb",
    ]);
    let mut c = s.connect();
    c.send_raw(b"*2\r\n$3\r\nGET\r\n$2000000\r\n");
    assert_eq!(
        String::from_utf8_lossy(&c.read_raw()),
        "-ERR Protocol error: invalid bulk length\r\n"
    );
    assert!(c.is_closed());
    // An endless inline line hits the query buffer limit.
    let mut d = s.connect();
    let junk = vec![b'a'; 2 * 1024 * 1024];
    let _ = std::io::Write::write_all(&mut d.stream, &junk);
    assert!(d.is_closed());
    assert_eq!(s.connect().call_raw(&["PING"]), "+PONG\r\n");
}

#[test]
fn client_kill_list_and_names() {
    let s = start_shoal(&[]);
    let mut a = s.connect();
    let mut b = s.connect();
    b.call_raw(&["CLIENT", "SETNAME", "victim"]);
    let id = match b.call("CLIENT ID") {
        Frame::Integer(n) => n,
        f => panic!("{f:?}"),
    };
    let list = match a.call("CLIENT LIST") {
        Frame::Bulk(t) => String::from_utf8(t).unwrap(),
        f => panic!("{f:?}"),
    };
    assert!(
        list.contains(&format!("id={id} ")) && list.contains("name=victim"),
        "{list}"
    );
    assert_eq!(
        a.call_raw(&["CLIENT", "KILL", "ID", &id.to_string()]),
        ":1\r\n"
    );
    assert!(b.is_closed());
    assert_eq!(
        a.call_raw(&["CLIENT", "KILL", "ID", &id.to_string()]),
        ":0\r\n"
    );
}

#[test]
fn client_pause_holds_commands_until_it_ends() {
    let s = start_shoal(&[]);
    let mut a = s.connect();
    let mut b = s.connect();
    assert_eq!(a.call_raw(&["CLIENT", "PAUSE", "300"]), "+OK\r\n");
    let started = std::time::Instant::now();
    assert_eq!(b.call_raw(&["SET", "k", "v"]), "+OK\r\n");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "pause did not hold the client"
    );
}

#[test]
fn client_reply_off_and_skip() {
    let s = start_shoal(&[]);
    let mut c = s.connect();
    c.send(&[b"CLIENT", b"REPLY", b"SKIP"]);
    c.send(&[b"SET", b"a", b"1"]);
    assert_eq!(c.call_raw(&["GET", "a"]), "$1\r\n1\r\n");
    c.send(&[b"CLIENT", b"REPLY", b"OFF"]);
    c.send(&[b"SET", b"b", b"2"]);
    assert_eq!(c.call_raw(&["CLIENT", "REPLY", "ON"]), "+OK\r\n");
    assert_eq!(c.call_raw(&["GET", "b"]), "$1\r\n2\r\n");
}

#[test]
fn monitor_sees_commands_of_other_clients() {
    let s = start_shoal(&[]);
    let mut m = s.connect();
    assert_eq!(m.call_raw(&["MONITOR"]), "+OK\r\n");
    let mut c = s.connect();
    c.call_raw(&["SET", "watched", "va\"l"]);
    let line = String::from_utf8(m.read_raw()).unwrap();
    assert!(
        line.starts_with('+') && line.contains("\"SET\" \"watched\" \"va\\\"l\""),
        "{line}"
    );
}

#[test]
fn sigterm_shuts_down_cleanly() {
    let mut s = start_shoal(&[]);
    let pid = s.child.id() as i32;
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let mut status = None;
    for _ in 0..200 {
        if let Ok(Some(st)) = s.child.try_wait() {
            status = Some(st);
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let status = status.expect("server did not exit on SIGTERM");
    assert!(status.success(), "exit status {status:?}");
    assert!(s.log().contains("ready to exit"), "{}", s.log());
}

#[test]
fn shutdown_command_stops_the_server() {
    let mut s = start_shoal(&[]);
    let mut c = s.connect();
    c.send(&[b"SHUTDOWN", b"NOSAVE"]);
    assert!(c.is_closed());
    assert!(wait_for(5, || matches!(s.child.try_wait(), Ok(Some(_)))));
}

#[test]
fn redis_cli_and_redis_benchmark_work_against_shoal() {
    let s = start_shoal(&[]);
    let port = s.port.to_string();
    let (ok, out) = run(
        "redis-cli",
        &["-p", &port, "SET", "greeting", "hello"],
        None,
    );
    assert!(ok && out.trim() == "OK", "{out}");
    let (ok, out) = run("redis-cli", &["-p", &port, "GET", "greeting"], None);
    assert!(ok && out.trim() == "hello", "{out}");
    // Mass insertion with --pipe, as redis-cli documents it.
    let mut payload = Vec::new();
    for i in 0..1000 {
        let cmd = format!(
            "*3\r\n$3\r\nSET\r\n${}\r\nkey:{i}\r\n$1\r\nv\r\n",
            format!("key:{i}").len()
        );
        payload.extend_from_slice(cmd.as_bytes());
    }
    let (ok, out) = run("redis-cli", &["-p", &port, "--pipe"], Some(&payload));
    assert!(ok && out.contains("errors: 0, replies: 1000"), "{out}");
    let (ok, out) = run("redis-cli", &["-p", &port, "DBSIZE"], None);
    assert!(ok && out.trim() == "1001", "{out}");
    let (ok, out) = run(
        "redis-benchmark",
        &[
            "-p",
            &port,
            "-t",
            "set,get,incr,mset",
            "-n",
            "2000",
            "-c",
            "10",
            "-P",
            "4",
            "--csv",
        ],
        None,
    );
    assert!(ok, "{out}");
    for test in ["\"SET\"", "\"GET\"", "\"INCR\"", "\"MSET (10 keys)\""] {
        assert!(out.contains(test), "missing {test} in {out}");
    }
}

#[test]
fn config_file_then_command_line_overrides_and_kept_directives_are_logged() {
    let dir = std::env::temp_dir().join(format!("shoal-conf-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("shoal.conf");
    std::fs::write(
        &conf,
        "# a redis.conf written for Redis 7.0\nmaxmemory 100mb\nmaxmemory-policy allkeys-lfu\nactivedefrag yes\nhz 20\n",
    )
    .unwrap();
    let port = common::free_port();
    let log = dir.join("log.txt");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_shoal-server"))
        .arg(&conf)
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--hz",
            "50",
        ])
        .args(["--logfile", log.to_str().unwrap()])
        .spawn()
        .unwrap();
    let ok = wait_for(10, || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let result = std::panic::catch_unwind(|| {
        assert!(ok, "server did not start");
        let mut c = Conn::connect(port);
        let get = |c: &mut Conn, name: &str| c.call_raw(&["CONFIG", "GET", name]);
        assert!(get(&mut c, "maxmemory").contains("104857600"));
        assert!(get(&mut c, "maxmemory-policy").contains("allkeys-lfu"));
        assert!(
            get(&mut c, "hz").contains("$2\r\n50\r\n"),
            "command line wins over the file"
        );
        c.call_raw(&["SET", "k", "v"]);
        assert_eq!(
            c.call_raw(&["OBJECT", "FREQ", "k"]),
            ":5\r\n",
            "LFU policy is applied"
        );
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(
            text.contains("'activedefrag' is accepted but has no effect"),
            "{text}"
        );
        assert!(text.contains("Configuration loaded from"), "{text}");
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result.unwrap();
}

#[test]
fn unknown_or_malformed_options_exit_1_naming_them() {
    for (args, needle) in [
        (vec!["--nosuch", "x"], "'nosuch \"x\"'"),
        (vec!["--port", "abc"], "'port \"abc\"'"),
        (
            vec!["--maxmemory", "1zb"],
            "argument must be a memory value",
        ),
    ] {
        let (ok, out) = run(env!("CARGO_BIN_EXE_shoal-server"), &args, None);
        assert!(!ok, "{args:?} should fail");
        assert!(
            out.contains("FATAL CONFIG FILE ERROR") && out.contains(needle),
            "{out}"
        );
    }
    let (ok, out) = run(env!("CARGO_BIN_EXE_shoal-server"), &["--help"], None);
    assert!(ok && out.contains("Usage: shoal-server"), "{out}");
}

#[test]
fn slow_commands_reach_slowlog_and_latency_monitor() {
    let s = start_shoal(&[
        "--enable-debug-command",
        "yes",
        "--latency-monitor-threshold",
        "50",
        "--slowlog-log-slower-than",
        "10000",
    ]);
    let mut c = s.connect();
    assert_eq!(c.call_raw(&["DEBUG", "SLEEP", "0.1"]), "+OK\r\n");
    assert_eq!(c.call_raw(&["SLOWLOG", "LEN"]), ":1\r\n");
    let entry = c.call_raw(&["SLOWLOG", "GET"]);
    assert!(
        entry.contains("DEBUG") && entry.contains("SLEEP"),
        "{entry}"
    );
    let latest = c.call_raw(&["LATENCY", "LATEST"]);
    assert!(latest.contains("command"), "{latest}");
    assert_eq!(c.call_raw(&["LATENCY", "RESET"]), ":1\r\n");
    assert_eq!(c.call_raw(&["LATENCY", "LATEST"]), "*0\r\n");
}

#[test]
fn blocked_clients_are_served_first_come_first_served_one_element_each() {
    let s = start_shoal(&[]);
    let mut a = s.connect();
    let mut b = s.connect();
    let mut w = s.connect();
    a.send(&[b"BLPOP", b"q", b"0"]);
    std::thread::sleep(Duration::from_millis(100));
    b.send(&[b"BLPOP", b"q", b"0"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(w.call_raw(&["RPUSH", "q", "x", "y", "z"]), ":3\r\n");
    assert_eq!(
        String::from_utf8(a.read_raw()).unwrap(),
        "*2\r\n$1\r\nq\r\n$1\r\nx\r\n"
    );
    assert_eq!(
        String::from_utf8(b.read_raw()).unwrap(),
        "*2\r\n$1\r\nq\r\n$1\r\ny\r\n"
    );
    assert_eq!(w.call_raw(&["LRANGE", "q", "0", "-1"]), "*1\r\n$1\r\nz\r\n");
    // A push inside MULTI/EXEC wakes a blocked client too.
    let mut c = s.connect();
    c.send(&[b"BZPOPMIN", b"z", b"0.5"]);
    std::thread::sleep(Duration::from_millis(100));
    w.call_raw(&["MULTI"]);
    w.call_raw(&["ZADD", "z", "1", "m"]);
    assert_eq!(w.call_raw(&["EXEC"]), "*1\r\n:1\r\n");
    assert_eq!(
        String::from_utf8(c.read_raw()).unwrap(),
        "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n1\r\n"
    );
    // Fractional timeouts expire with the null reply.
    let started = std::time::Instant::now();
    assert_eq!(c.call_raw(&["BLPOP", "empty", "0.2"]), "*-1\r\n");
    assert!(started.elapsed() >= Duration::from_millis(150));
    // A key set to another type does not wake a list waiter with an error:
    // it keeps waiting, and a later push serves it.
    c.send(&[b"BLPOP", b"typed", b"0"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(w.call_raw(&["SET", "typed", "str"]), "+OK\r\n");
    assert_eq!(w.call_raw(&["DEL", "typed"]), ":1\r\n");
    assert_eq!(w.call_raw(&["RPUSH", "typed", "v"]), ":1\r\n");
    assert_eq!(
        String::from_utf8(c.read_raw()).unwrap(),
        "*2\r\n$5\r\ntyped\r\n$1\r\nv\r\n"
    );
    // CLIENT UNBLOCK ends a wait.
    let id = match c.call("CLIENT ID") {
        Frame::Integer(n) => n,
        f => panic!("{f:?}"),
    };
    c.send(&[b"BRPOP", b"empty", b"0"]);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        w.call_raw(&["CLIENT", "UNBLOCK", &id.to_string(), "ERROR"]),
        ":1\r\n"
    );
    assert_eq!(
        String::from_utf8(c.read_raw()).unwrap(),
        "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
}

/// Publishes `count` messages of `size` bytes to `channel`, pipelined.
fn publish_many(c: &mut Conn, channel: &str, size: usize, count: usize) {
    let payload = "x".repeat(size);
    let mut batch = Vec::new();
    for _ in 0..count {
        shoal_resp::frame::encode_command(
            &[b"PUBLISH", channel.as_bytes(), payload.as_bytes()],
            &mut batch,
        );
    }
    c.send_raw(&batch);
    for _ in 0..count {
        c.read_raw();
    }
}

#[test]
fn a_subscriber_that_stops_reading_is_dropped_at_its_output_limit() {
    let s = start_shoal(&["--client-output-buffer-limit", "pubsub 256kb 0 0"]);
    let mut slow = s.connect();
    slow.call_raw(&["SUBSCRIBE", "news"]);
    let mut reader = s.connect();
    reader.call_raw(&["SUBSCRIBE", "news"]);
    let mut publisher = s.connect();
    // 1 KiB at a time, far more than loopback's socket buffers hold: the
    // reader keeps up, the silent subscriber's output piles up on the node.
    let mut received = 0usize;
    for _ in 0..64 {
        publish_many(&mut publisher, "news", 1024, 512);
        for _ in 0..512 {
            reader.read_raw();
            received += 1;
        }
        if info_field(
            &mut publisher,
            "stats",
            "client_output_buffer_limit_disconnections",
        ) == "1"
        {
            break;
        }
    }
    assert_eq!(
        info_field(
            &mut publisher,
            "stats",
            "client_output_buffer_limit_disconnections"
        ),
        "1",
        "after {received} messages"
    );
    // Only the silent one went: the reader is still subscribed.
    assert_eq!(
        publisher.call_raw(&["PUBSUB", "NUMSUB", "news"]),
        "*2\r\n$4\r\nnews\r\n:1\r\n"
    );
    assert!(
        s.log().contains("for overcoming of output buffer limits"),
        "{}",
        s.log()
    );
    // Normal clients have no limit by default: a large reply still arrives.
    let mut c = s.connect();
    assert_eq!(c.call_raw(&["SET", "big", &"v".repeat(4 << 20)]), "+OK\r\n");
    assert_eq!(c.call_raw(&["GET", "big"]).len(), (4 << 20) + 12);
}

#[test]
fn the_soft_output_limit_allows_a_burst_for_its_seconds_only() {
    let s = start_shoal(&[]);
    let mut admin = s.connect();
    assert_eq!(
        admin.call_raw(&[
            "CONFIG",
            "SET",
            "client-output-buffer-limit",
            "pubsub 0 64kb 2"
        ]),
        "+OK\r\n"
    );
    let mut slow = s.connect();
    slow.call_raw(&["SUBSCRIBE", "news"]);
    let mut publisher = s.connect();
    let stat = |c: &mut Conn| info_field(c, "stats", "client_output_buffer_limit_disconnections");
    // Over the soft limit: tolerated at first...
    publish_many(&mut publisher, "news", 1024, 16 * 1024);
    assert_eq!(stat(&mut publisher), "0");
    // ...and dropped once it has lasted longer than its two seconds.
    std::thread::sleep(Duration::from_millis(2300));
    publish_many(&mut publisher, "news", 16, 1);
    assert_eq!(stat(&mut publisher), "1");
    assert_eq!(
        publisher.call_raw(&["PUBSUB", "NUMSUB", "news"]),
        "*2\r\n$4\r\nnews\r\n:0\r\n"
    );
}
