//! A [`ClusterNode`] driven by a tiny blocking-socket driver meets a real
//! redis-server 7.0 on 127.0.0.1: both sides must list each other as
//! connected, gossip each other's slots, and reach `cluster_state:ok`.
//! Skipped (with a note on stderr) when `redis-server` or `redis-cli` is
//! missing.
//!
//! The driver is the shape the server's real driver will have: accept and
//! read sockets, cut frames, feed [`Input`]s with the wall clock, run the
//! [`Output`]s in order.

use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use shoal_cluster::commands::Keyspace;
use shoal_cluster::config::ClusterConfig;
use shoal_cluster::input::Input;
use shoal_cluster::links::LinkId;
use shoal_cluster::node::ClusterNode;
use shoal_cluster::output::Output;
use shoal_cluster::view::ClusterState;
use shoal_cluster::wire::next_frame;
use shoal_types::{Millis, Slot};

const DEADLINE: Duration = Duration::from_secs(20);

/// A redis-server child, killed and cleaned up on drop (even on panic).
struct Redis {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Redis {
    fn start(port: u16, bus_port: u16) -> Redis {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("shoal-bus-node-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--cluster-enabled", "yes"])
            .args(["--cluster-port", &bus_port.to_string()])
            .args(["--cluster-node-timeout", "3000"])
            .arg("--cluster-config-file")
            .arg(dir.join("nodes.conf"))
            .arg("--dir")
            .arg(&dir)
            .arg("--logfile")
            .arg(dir.join("log"))
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let redis = Redis { child, dir, port };
        let start = Instant::now();
        while redis.cli(&["PING"]) != "PONG" {
            assert!(start.elapsed() < DEADLINE, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn cli(&self, args: &[&str]) -> String {
        let out = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tools_present() -> bool {
    ["redis-server", "redis-cli"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn wall_clock() -> Millis {
    Millis(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_millis() as u64,
    )
}

struct NoKeys;

impl Keyspace for NoKeys {
    fn count_keys_in_slot(&self, _: Slot) -> u64 {
        0
    }
    fn keys_in_slot(&self, _: Slot, _: u64) -> Vec<Vec<u8>> {
        Vec::new()
    }
    fn is_empty(&self) -> bool {
        true
    }
}

/// One socket with its receive buffer.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

/// The thin driver: sockets in, inputs to the node, outputs to sockets.
struct Driver {
    node: ClusterNode,
    listener: TcpListener,
    conns: BTreeMap<LinkId, Conn>,
    next_inbound: u64,
}

impl Driver {
    fn run_outputs(&mut self, outputs: Vec<Output>) {
        let mut queue: std::collections::VecDeque<Output> = outputs.into();
        while let Some(o) = queue.pop_front() {
            match o {
                Output::Connect { link, ip, port } => {
                    let addr = format!("{ip}:{port}");
                    let connected = addr
                        .parse()
                        .ok()
                        .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(1)).ok());
                    let input = match connected {
                        Some(stream) => {
                            stream.set_nonblocking(true).expect("nonblocking");
                            self.conns.insert(
                                link,
                                Conn {
                                    stream,
                                    buf: Vec::new(),
                                },
                            );
                            Input::Connected(link)
                        }
                        None => Input::ConnectFailed(link),
                    };
                    let mut out = Vec::new();
                    self.node.handle(wall_clock(), input, &mut out);
                    queue.extend(out);
                }
                Output::Send { link, bytes } => {
                    if let Some(c) = self.conns.get_mut(&link) {
                        c.stream.set_nonblocking(false).expect("blocking write");
                        let ok = c.stream.write_all(&bytes).is_ok();
                        c.stream.set_nonblocking(true).expect("nonblocking");
                        if !ok {
                            self.conns.remove(&link);
                            let mut out = Vec::new();
                            self.node
                                .handle(wall_clock(), Input::Closed(link), &mut out);
                            queue.extend(out);
                        }
                    }
                }
                Output::Close(link) => {
                    self.conns.remove(&link);
                }
                Output::PersistConfig { .. } | Output::Event(_) => {}
            }
        }
    }

    fn input(&mut self, input: Input) {
        let mut out = Vec::new();
        self.node.handle(wall_clock(), input, &mut out);
        self.run_outputs(out);
    }

    /// One pass: accept, read, tick.
    fn poll(&mut self) {
        while let Ok((stream, peer)) = self.listener.accept() {
            stream.set_nonblocking(true).expect("nonblocking");
            let local = stream.local_addr().expect("local addr");
            self.next_inbound += 1;
            let link = LinkId::Inbound(self.next_inbound);
            self.conns.insert(
                link,
                Conn {
                    stream,
                    buf: Vec::new(),
                },
            );
            self.input(Input::Accepted {
                link,
                peer_ip: peer.ip().to_string(),
                local_ip: local.ip().to_string(),
            });
        }
        let ids: Vec<LinkId> = self.conns.keys().copied().collect();
        for link in ids {
            let mut frames = Vec::new();
            let mut closed = false;
            if let Some(c) = self.conns.get_mut(&link) {
                let mut chunk = [0u8; 16384];
                loop {
                    match c.stream.read(&mut chunk) {
                        Ok(0) => {
                            closed = true;
                            break;
                        }
                        Ok(n) => c.buf.extend_from_slice(&chunk[..n]),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                        Err(_) => {
                            closed = true;
                            break;
                        }
                    }
                }
                loop {
                    match next_frame(&c.buf) {
                        Ok(Some(frame)) => {
                            let len = frame.len();
                            frames.push(c.buf.drain(..len).collect::<Vec<u8>>());
                        }
                        Ok(None) => break,
                        Err(_) => {
                            // Framing lost: hand the bytes over, the node closes.
                            frames.push(std::mem::take(&mut c.buf));
                            break;
                        }
                    }
                }
            }
            for bytes in frames {
                if self.conns.contains_key(&link) {
                    self.input(Input::Packet { link, bytes });
                }
            }
            if closed && self.conns.remove(&link).is_some() {
                self.input(Input::Closed(link));
            }
        }
        self.input(Input::Tick);
    }

    fn command(&mut self, args: &[&str]) {
        let mut argv = vec!["CLUSTER"];
        argv.extend_from_slice(args);
        let mut out = Vec::new();
        self.node
            .execute_command(wall_clock(), &argv, &NoKeys, &mut out)
            .expect("command accepted");
        self.run_outputs(out);
    }
}

#[test]
fn our_node_and_redis_meet_share_slots_and_agree_the_cluster_is_ok() {
    assert!(
        tools_present(),
        "redis-server and redis-cli are required (apt-get install redis-server redis-tools)"
    );
    let (rport, rbus) = (free_port(), free_port());
    let redis = Redis::start(rport, rbus);
    let redis_id = redis.cli(&["CLUSTER", "MYID"]);

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind our bus port");
    listener.set_nonblocking(true).expect("nonblocking");
    let mut config = ClusterConfig::new(free_port());
    config.cluster_port = listener.local_addr().expect("addr").port();
    config.node_timeout_ms = 3000;
    config.announce_hostname = "shoal-node.example".to_string();
    let node = ClusterNode::new(config, None, 0x5eed, wall_clock());
    let me = node.myself_id().to_string();
    let mut d = Driver {
        node,
        listener,
        conns: BTreeMap::new(),
        next_inbound: 0,
    };

    d.command(&["ADDSLOTSRANGE", "0", "8191"]);
    assert_eq!(
        redis.cli(&["CLUSTER", "ADDSLOTSRANGE", "8192", "16383"]),
        "OK"
    );
    d.command(&["MEET", "127.0.0.1", &rport.to_string(), &rbus.to_string()]);

    let start = Instant::now();
    let mut last_check = Instant::now() - Duration::from_secs(1);
    loop {
        d.poll();
        if last_check.elapsed() >= Duration::from_millis(200) {
            last_check = Instant::now();
            let nodes = redis.cli(&["CLUSTER", "NODES"]);
            let ours = nodes
                .lines()
                .find(|l| l.starts_with(&me))
                .map(str::to_string);
            let theirs_ok = ours.as_deref().is_some_and(|l| {
                l.contains(" master ")
                    && l.contains(" connected 0-8191")
                    && l.contains(",shoal-node.example ")
                    && !l.contains("handshake")
            });
            let view = d.node.view();
            let them = view.lookup(redis_id.as_bytes());
            let ours_ok = them.is_some_and(|n| !n.in_handshake() && n.is_primary())
                && view
                    .slot_owner(Slot::new(16383).unwrap())
                    .is_some_and(|n| n.id().as_str() == redis_id)
                && view.nodes().all(|n| !n.in_handshake())
                && d.node.links().outbound(&them.unwrap().id()).is_some();
            let info = redis.cli(&["CLUSTER", "INFO"]);
            if theirs_ok
                && ours_ok
                && info.contains("cluster_state:ok")
                && view.state == ClusterState::Ok
            {
                break;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "no agreement in time.\nredis sees:\n{nodes}\n{info}\nwe see:\n{:?}",
                d.node.view()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // Our node learnt its address from redis's connection, and redis's
    // configEpoch collision rules left the two primaries distinct.
    let view = d.node.view();
    assert_eq!(view.myself().ip, "127.0.0.1");
    let theirs = view.lookup(redis_id.as_bytes()).expect("known");
    assert_ne!(theirs.config_epoch, view.myself().config_epoch);
    assert!(d.node.stats().received[1] > 0, "PONGs from redis");
    assert_eq!(d.node.error_counts().messages_dropped, 0);
}
