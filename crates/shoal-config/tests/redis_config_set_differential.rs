//! Sends the same CONFIG SET commands to a real redis-server 7.0 and to our [`Config`],
//! and compares the replies and the values CONFIG GET shows afterwards. Skipped (with a
//! note) when `redis-server` is not on PATH.
//!
//! The server listens on 127.0.0.1 at a free port, runs in a temporary directory with
//! snapshots off, and is killed when the test ends, even on panic. Commands that would
//! move its listener, lock the test out or start background work are left out.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shoal_config::{load, parse_command_line, Config, Invocation, MemoryHost, SetContext};

struct Server {
    child: Child,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Reply {
    Status(String),
    Error(String),
    Int(i64),
    Bulk(Option<Vec<u8>>),
    Array(Vec<Reply>),
}

struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn call(&mut self, args: &[&[u8]]) -> Reply {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer.write_all(&out).expect("send");
        self.read()
    }

    fn read(&mut self) -> Reply {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("read reply");
        let body = line.trim_end_matches("\r\n").to_string();
        let (kind, rest) = body.split_at(1);
        match kind {
            "+" => Reply::Status(rest.to_string()),
            "-" => Reply::Error(rest.to_string()),
            ":" => Reply::Int(rest.parse().expect("int")),
            "$" => {
                let n: i64 = rest.parse().expect("bulk len");
                if n < 0 {
                    return Reply::Bulk(None);
                }
                let mut buf = vec![0; n as usize + 2];
                self.reader.read_exact(&mut buf).expect("bulk");
                buf.truncate(n as usize);
                Reply::Bulk(Some(buf))
            }
            "*" => {
                let n: usize = rest.parse().expect("array len");
                Reply::Array((0..n).map(|_| self.read()).collect())
            }
            other => panic!("unexpected reply type {other:?}"),
        }
    }

    fn config_get(&mut self, pattern: &str) -> BTreeMap<String, Vec<u8>> {
        let Reply::Array(items) = self.call(&[b"CONFIG", b"GET", pattern.as_bytes()]) else {
            panic!("CONFIG GET")
        };
        items
            .chunks(2)
            .map(|kv| match kv {
                [Reply::Bulk(Some(k)), Reply::Bulk(Some(v))] => {
                    (String::from_utf8_lossy(k).into_owned(), v.clone())
                }
                other => panic!("bad CONFIG GET pair {other:?}"),
            })
            .collect()
    }
}

fn start_redis(port: &str, args: &[String]) -> Option<(Server, Client)> {
    if !Command::new("redis-server")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        eprintln!("redis-server not found: differential test skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("shoal-config-set-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let child = Command::new("redis-server")
        .args(args)
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn redis-server");
    let server = Server { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(stream) = TcpStream::connect(format!("127.0.0.1:{port}")) {
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .expect("timeout");
            let reader = BufReader::new(stream.try_clone().expect("clone"));
            return Some((
                server,
                Client {
                    writer: stream,
                    reader,
                },
            ));
        }
        assert!(Instant::now() < deadline, "redis-server did not start");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// CONFIG SET calls, each a list of name/value pairs. Values that would move the listener,
/// change passwords, or make the server fork or write files are avoided.
const CASES: &[&[(&str, &str)]] = &[
    &[("maxmemory", "1mb")],
    &[("maxmemory", "1zb")],
    &[("maxmemory", "")],
    &[("maxmemory", "mb")],
    &[("maxmemory", "99999999999999999999999")],
    &[("maxmemory", "1.5mb")],
    &[("maxmemory", "0")],
    &[("MAXMEMORY", "abc")],
    &[("foo", "bar")],
    &[("foo", "bar"), ("maxmemory", "1")],
    &[("hz", "100000")],
    &[("hz", "0")],
    &[("hz", "abc")],
    &[("hz", "-1")],
    &[("hz", "10")],
    &[("daemonize", "yes")],
    &[("maxmemory", "1mb"), ("maxmemory", "2mb")],
    &[("maxmemory", "1mb"), ("MAXMEMORY", "2mb")],
    &[("replica-priority", "1"), ("slave-priority", "2")],
    &[("maxmemory-policy", "bogus")],
    &[("maxmemory-policy", "ALLKEYS-LRU")],
    &[("appendfsync", "bogus")],
    &[("loglevel", "bogus")],
    &[("loglevel", "WARNING")],
    &[("loglevel", "notice")],
    &[("activedefrag", "maybe")],
    &[("protected-mode", "maybe")],
    &[("databases", "3")],
    &[("slave-read-only", "maybe")],
    &[("slave-read-only", "no")],
    &[("save", "abc")],
    &[("save", "1")],
    &[("save", "1 2 3")],
    &[("save", "900  1")],
    &[("save", "900 1 ")],
    &[("save", "900 ")],
    &[("save", "0900 01")],
    &[("save", "900 1 300 10")],
    &[("save", "1 1"), ("save", "2 2")],
    &[("save", "")],
    &[("client-output-buffer-limit", "foo 1 2 3")],
    &[("client-output-buffer-limit", "normal 1 2")],
    &[("client-output-buffer-limit", "master 1 2 3")],
    &[("client-output-buffer-limit", "pubsub 1mb 2mb 3")],
    &[(
        "client-output-buffer-limit",
        "replica 300mb 70mb 61 pubsub 1 2 -1",
    )],
    &[("client-output-buffer-limit", "replica 300mb 70mb 61")],
    &[("client-output-buffer-limit", "")],
    &[("notify-keyspace-events", "Q")],
    &[("notify-keyspace-events", "KEA")],
    &[("notify-keyspace-events", "Kx$m")],
    &[("notify-keyspace-events", "g$lshzxetd")],
    &[("notify-keyspace-events", "An")],
    &[("notify-keyspace-events", "")],
    &[("dir", "/tmp")],
    &[("dbfilename", "a/b")],
    &[("slaveof", "a 1")],
    &[("replicaof", "no one")],
    &[("timeout", "2147483648")],
    &[("timeout", "5")],
    &[("oom-score-adj-values", "1 2")],
    &[("oom-score-adj-values", "1 2 9999")],
    &[("oom-score-adj-values", "10 20 30")],
    &[("oom-score-adj", "relative")],
    &[("oom-score-adj", "no")],
    &[("maxmemory-clients", "200%")],
    &[("maxmemory-clients", "50%")],
    &[("maxmemory-clients", "0%")],
    &[("maxmemory-clients", "1mb")],
    &[("maxmemory-clients", "x")],
    &[("maxmemory-clients", "0")],
    &[("cluster-announce-hostname", "a_b")],
    &[("cluster-announce-hostname", "host-1.example")],
    &[("cluster-announce-hostname", "")],
    &[("list-max-ziplist-size", "-3")],
    &[("list-max-listpack-size", "0x10")],
    &[("enable-debug-command", "yes")],
    &[("port", "abc")],
    &[("port", "06379")],
    &[("port", "+1")],
    &[("port", "-0")],
    &[("port", "65536")],
    &[("proto-max-bulk-len", "18446744073709551615")],
    &[("proto-max-bulk-len", "1mb")],
    &[("maxclients", "-1")],
    &[("maxclients", "5000")],
    &[("hash-max-listpack-value", "-1")],
    &[("hash-max-ziplist-value", "128")],
    &[("shutdown-on-sigint", "save now")],
    &[("shutdown-on-sigint", "save nosave")],
    &[("shutdown-on-sigint", "")],
    &[("shutdown-on-sigint", "NOW force")],
    &[("shutdown-on-sigint", "default")],
    &[("latency-tracking-info-percentiles", "50 99.9 100 0.001")],
    &[("latency-tracking-info-percentiles", "1e2")],
    &[("latency-tracking-info-percentiles", "101")],
    &[("latency-tracking-info-percentiles", "x")],
    &[("latency-tracking-info-percentiles", "")],
    &[("latency-tracking-info-percentiles", "50 99 99.9")],
    &[("unixsocketperm", "700")],
    &[("lua-time-limit", "6000")],
    &[("busy-reply-threshold", "abc")],
    &[("min-slaves-to-write", "1")],
    &[("min-replicas-to-write", "0")],
    &[("masterauth", "secret")],
    &[("masterauth", "")],
    &[("replica-announce-ip", "1.2.3.4")],
    &[("bind-source-addr", "127.0.0.1")],
    &[("ignore-warnings", "ARM64-COW-BUG")],
    &[("proc-title-template", "{title}")],
    &[("proc-title-template", "{nosuch}")],
    &[("proc-title-template", "{title} {port}")],
    &[("appendfilename", "x")],
    &[("key-load-delay", "5")],
    &[("key-load-delay", "0")],
    &[("watchdog-period", "abc")],
    &[("acl-pubsub-default", "allchannels")],
    &[("sanitize-dump-payload", "clients")],
    &[("repl-diskless-load", "swapdb")],
    &[("cluster-preferred-endpoint-type", "hostname")],
    &[("stream-node-max-bytes", "4kb")],
    &[("active-defrag-ignore-bytes", "0")],
    &[("tcp-keepalive", "60")],
    &[("cluster-node-timeout", "5000")],
    &[("slowlog-log-slower-than", "-1")],
    &[("slowlog-log-slower-than", "-2")],
    &[("repl-backlog-size", "2mb")],
    &[("repl-backlog-size", "1536")],
    &[("watchdog-period", "0")],
    &[("auto-aof-rewrite-min-size", "32mb")],
    &[
        ("lfu-log-factor", "11"),
        ("lfu-decay-time", "2"),
        ("hz", "20"),
    ],
    &[("lfu-log-factor", "12"), ("save", "x"), ("hz", "30")],
];

fn ours_reply(result: Result<Vec<shoal_config::Changed>, String>) -> Reply {
    match result {
        Ok(_) => Reply::Status("OK".into()),
        Err(e) => Reply::Error(e),
    }
}

#[test]
fn config_set_and_get_behave_like_redis() {
    let port = free_port().to_string();
    let args: Vec<String> = [
        "--port",
        &port,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let Some((server, mut redis)) = start_redis(&port, &args) else {
        return;
    };

    let Invocation::Run(cmdline) = parse_command_line(&args) else {
        panic!("run")
    };
    let mut host = MemoryHost::new();
    let mut ours: Config = load(&cmdline, &mut host).expect("load");
    // The server runs in its own directory; ours learns it as the binary would.
    let cwd = std::fs::canonicalize(&server.dir).expect("canonical dir");
    ours.set_working_dir(cwd.into_os_string().into_encoded_bytes());

    let mut mismatches = Vec::new();
    for case in CASES {
        let mut cmd: Vec<&[u8]> = vec![b"CONFIG", b"SET"];
        for (k, v) in *case {
            cmd.push(k.as_bytes());
            cmd.push(v.as_bytes());
        }
        let want = redis.call(&cmd);
        let pairs: Vec<(&[u8], &[u8])> = case
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        let mut ctx = SetContext {
            client_is_local: true,
            loading: false,
            host: &mut host,
        };
        let got = ours_reply(ours.config_set(&pairs, &mut ctx));
        if got != want {
            mismatches.push(format!("CONFIG SET {case:?}: redis {want:?}, ours {got:?}"));
        }
        for (name, _) in *case {
            let want = redis.call(&[b"CONFIG", b"GET", name.as_bytes()]);
            let got = Reply::Array(
                ours.config_get(&[name.as_bytes()])
                    .into_iter()
                    .flat_map(|(k, v)| [Reply::Bulk(Some(k.into_bytes())), Reply::Bulk(Some(v))])
                    .collect(),
            );
            if got != want {
                mismatches.push(format!(
                    "after {case:?}, CONFIG GET {name}: redis {want:?}, ours {got:?}"
                ));
            }
        }
    }

    // Every directive and alias set to the value it already has: checks which ones are
    // immutable or protected, and that each printed value parses back. `bind` is left
    // out because Redis rebinds its listener even for the same addresses.
    for found in shoal_config::DIRECTIVES
        .iter()
        .flat_map(|d| std::iter::once(d.name).chain(d.alias))
    {
        if found == "bind" {
            continue;
        }
        let Reply::Array(items) = redis.call(&[b"CONFIG", b"GET", found.as_bytes()]) else {
            panic!("get")
        };
        let Some(Reply::Bulk(Some(current))) = items.get(1) else {
            panic!("no value for {found}")
        };
        let want = redis.call(&[b"CONFIG", b"SET", found.as_bytes(), current]);
        let mut ctx = SetContext {
            client_is_local: true,
            loading: false,
            host: &mut host,
        };
        let got = ours_reply(ours.config_set(&[(found.as_bytes(), current)], &mut ctx));
        if got != want {
            mismatches.push(format!(
                "CONFIG SET {found} (unchanged value): redis {want:?}, ours {got:?}"
            ));
        }
    }

    let want = redis.config_get("*");
    let got: BTreeMap<String, Vec<u8>> = ours.config_get(&[b"*"]).into_iter().collect();
    for (k, v) in &want {
        if got.get(k) != Some(v) {
            mismatches.push(format!(
                "final CONFIG GET * {k}: redis {:?}, ours {:?}",
                String::from_utf8_lossy(v),
                got.get(k).map(|v| String::from_utf8_lossy(v).into_owned())
            ));
        }
    }
    assert_eq!(got.len(), want.len(), "same number of names");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Lines after the rewrite signature, sorted: Redis appends them in hash order.
fn split_rewrite(text: &str) -> (String, Vec<String>) {
    match text.split_once("# Generated by CONFIG REWRITE\n") {
        Some((head, tail)) => {
            // Redis regenerates ACL users from its ACL state; Shoal keeps `user` lines as
            // they were, so generated `user` lines are not compared.
            let mut lines: Vec<String> = tail
                .lines()
                .filter(|l| !l.starts_with("user "))
                .map(str::to_string)
                .collect();
            lines.sort();
            (head.to_string(), lines)
        }
        None => (text.to_string(), Vec::new()),
    }
}

#[test]
fn config_rewrite_produces_the_same_file_as_redis() {
    let port = free_port().to_string();
    let old = format!(
        "# test config\nport {port}\nbind 127.0.0.1\nsave \"\"\nappendonly no\n\nslave-priority 50\n\n\n\
         maxmemory 100mb\nmaxmemory 200mb\nunixsocketperm 700\nrename-command DEBUG \"\"\n\
         lua-replicate-commands yes\n  hz   15  \nmasterauth secret\nnotify-keyspace-events \"\"\n\
         oom-score-adj-values 0 200 800\nlist-max-ziplist-size -3\n"
    );
    struct RemoveOnDrop(PathBuf);
    impl Drop for RemoveOnDrop {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    let dir = RemoveOnDrop(
        std::env::temp_dir().join(format!("shoal-config-rewrite-{}", std::process::id())),
    );
    std::fs::create_dir_all(&dir.0).expect("temp dir");
    let conf = dir.0.join("redis.conf");
    std::fs::write(&conf, &old).expect("write conf");
    let args = vec![
        conf.to_string_lossy().into_owned(),
        "--port".to_string(),
        port.clone(),
    ];
    let Some((server, mut redis)) = start_redis(&port, &args) else {
        return;
    };

    let mut host = MemoryHost::new().with_file("/redis.conf", &old);
    let Invocation::Run(cmdline) = parse_command_line(&["/redis.conf", "--port", &port]) else {
        panic!("run")
    };
    let mut ours = load(&cmdline, &mut host).expect("load");
    let cwd = std::fs::canonicalize(&server.dir).expect("canonical dir");
    ours.set_working_dir(cwd.into_os_string().into_encoded_bytes());

    let sets: &[(&str, &str)] = &[
        ("save", "100 2 200 3"),
        ("maxmemory", "3gb"),
        ("hz", "20"),
        ("replica-priority", "2"),
        ("notify-keyspace-events", "Ex"),
        ("masterauth", ""),
        (
            "client-output-buffer-limit",
            "pubsub 1 2 3 normal 1mb 2mb 3",
        ),
        ("latency-tracking-info-percentiles", ""),
        ("maxmemory-clients", "50%"),
        ("cluster-announce-hostname", "foo"),
        ("oom-score-adj-values", "1 2 3"),
        ("shutdown-on-sigterm", "save now"),
        ("repl-backlog-size", "1536"),
        ("slowlog-log-slower-than", "-1"),
        ("ignore-warnings", "a \"quoted\" value"),
    ];
    for (k, v) in sets {
        assert_eq!(
            redis.call(&[b"CONFIG", b"SET", k.as_bytes(), v.as_bytes()]),
            Reply::Status("OK".into()),
            "{k}"
        );
        let mut ctx = SetContext {
            client_is_local: true,
            loading: false,
            host: &mut host,
        };
        ours.config_set(&[(k.as_bytes(), v.as_bytes())], &mut ctx)
            .expect(k);
    }
    assert_eq!(
        redis.call(&[b"CONFIG", b"REWRITE"]),
        Reply::Status("OK".into())
    );
    let want = std::fs::read_to_string(&conf).expect("read rewritten");
    let got = String::from_utf8(ours.rewrite(old.as_bytes())).expect("utf8");
    drop(server);
    assert_eq!(
        split_rewrite(&got),
        split_rewrite(&want),
        "\nours:\n{got}\nredis:\n{want}"
    );
}

/// The redis.conf Debian ships (Redis's own example file with distribution paths) loads
/// into the same values in both, overriding only what would daemonize the server, touch
/// system paths or listen on a fixed port.
#[test]
fn the_distribution_redis_conf_loads_like_redis() {
    let Ok(text) = std::fs::read("/etc/redis/redis.conf") else {
        eprintln!("/etc/redis/redis.conf not readable: test skipped");
        return;
    };
    let port = free_port().to_string();
    let overrides: Vec<String> = [
        "--port",
        &port,
        "--bind",
        "127.0.0.1",
        "--daemonize",
        "no",
        "--pidfile",
        "",
        "--logfile",
        "",
        "--supervised",
        "no",
        "--save",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut args = vec!["/etc/redis/redis.conf".to_string()];
    args.extend(overrides.iter().cloned());
    // The file says `dir /var/lib/redis`; run there only if it exists, else skip.
    if !std::path::Path::new("/var/lib/redis").is_dir() {
        eprintln!("/var/lib/redis missing: test skipped");
        return;
    }
    let Some((_server, mut redis)) = start_redis(&port, &args) else {
        return;
    };

    let mut host = MemoryHost::new();
    host.files.insert(b"/etc/redis/redis.conf".to_vec(), text);
    let Invocation::Run(cmdline) = parse_command_line(&args) else {
        panic!("run")
    };
    let ours = load(&cmdline, &mut host).expect("the distribution redis.conf loads");

    let want = redis.config_get("*");
    let got: BTreeMap<String, Vec<u8>> = ours.config_get(&[b"*"]).into_iter().collect();
    let mut diffs = Vec::new();
    for (k, v) in &want {
        if got.get(k) != Some(v) {
            diffs.push(format!(
                "{k}: redis {:?}, ours {:?}",
                String::from_utf8_lossy(v),
                got.get(k).map(|v| String::from_utf8_lossy(v).into_owned())
            ));
        }
    }
    assert_eq!(got.len(), want.len());
    assert!(diffs.is_empty(), "{}", diffs.join("\n"));
    assert!(
        ours.kept_directives_in_use()
            .iter()
            .any(|k| k.name == "list-compress-depth"),
        "a kept directive set by the file is reported"
    );
}
