//! Talks to a real redis-server 7.0 over its cluster bus with messages from
//! our encoder, and decodes its replies. Skipped (with a note on stderr)
//! when `redis-server` or `redis-cli` is not on the PATH.
//!
//! The test plays a cluster node: it MEETs the server, answers the server's
//! PING on the link the server opens back, and then checks with
//! `CLUSTER NODES` that the server adopted our name, role and hostname.
//! It also replays two of the receiver rules of spec 2.13 live (a wrong
//! version gets no reply; unknown and 7.2 extension types are skipped).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use shoal_cluster::wire::{
    decode, encode, next_frame, Body, BusMessage, GossipEntry, Header, IpString, NodeFlags,
    PingExt, ShardId,
};
use shoal_types::NodeId;

const HOSTNAME: &[u8] = b"shoal-test.example";
const DEADLINE: Duration = Duration::from_secs(10);

/// A redis-server child, killed and cleaned up on drop (even on panic).
struct Redis {
    child: Child,
    dir: PathBuf,
    port: u16,
    bus_port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = free_port();
        let bus_port = free_port();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("shoal-wire-live-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args([
                "--cluster-enabled",
                "yes",
                "--cluster-port",
                &bus_port.to_string(),
            ])
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
        let redis = Redis {
            child,
            dir,
            port,
            bus_port,
        };
        wait_until("redis-server answers PING", || {
            redis.cli(&["PING"]) == "PONG"
        });
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

    /// Our line of CLUSTER NODES, if the server lists us under our name.
    fn our_line(&self, me: &NodeId) -> Option<String> {
        self.cli(&["CLUSTER", "NODES"])
            .lines()
            .find(|line| line.starts_with(me.as_str()))
            .map(str::to_string)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting for: {what}");
        std::thread::sleep(Duration::from_millis(50));
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

/// One bus connection with its receive buffer.
struct Link {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Link {
    fn new(stream: TcpStream) -> Link {
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .expect("set read timeout");
        Link {
            stream,
            buf: Vec::new(),
        }
    }

    fn send(&mut self, msg: &BusMessage) {
        let mut bytes = Vec::new();
        encode(msg, &mut bytes);
        self.send_raw(&bytes);
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write to redis bus");
    }

    /// The next message, or `None` if none arrives within `wait`.
    fn recv_within(&mut self, wait: Duration) -> Option<BusMessage> {
        let start = Instant::now();
        loop {
            if let Some(frame) = next_frame(&self.buf).expect("redis frames correctly") {
                let len = frame.len();
                let msg = decode(frame).expect("redis sends valid messages");
                self.buf.drain(..len);
                return Some(msg);
            }
            if start.elapsed() >= wait {
                return None;
            }
            let mut chunk = [0u8; 8192];
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("redis closed the bus link"),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                Err(e) => panic!("bus read failed: {e}"),
            }
        }
    }

    fn recv(&mut self) -> BusMessage {
        self.recv_within(DEADLINE)
            .expect("a message from redis in time")
    }
}

fn gossip_and_exts(body: &Body) -> (usize, Vec<PingExt>) {
    let (gossip, exts) = body.gossip_and_extensions().expect("a PING/PONG/MEET");
    (gossip.len(), exts.to_vec())
}

#[test]
fn redis_accepts_our_messages_and_we_decode_its_replies() {
    assert!(
        tools_present(),
        "redis-server and redis-cli are required (apt-get install redis-server redis-tools)"
    );
    let redis = Redis::start();
    let redis_id = redis.cli(&["CLUSTER", "MYID"]);

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind our bus port");
    let our_cport = listener.local_addr().expect("local addr").port();
    let me = NodeId::from_random(*b"shoal-wire-live-test");
    let mut header = Header::new(me);
    header.port = free_port();
    header.cport = our_cport;
    header.flags = NodeFlags::PRIMARY | NodeFlags::MYSELF;
    let hostname = PingExt::Hostname(HOSTNAME.to_vec());
    let ping_with = |extensions: Vec<PingExt>| BusMessage {
        header: header.clone(),
        body: Body::Ping {
            gossip: vec![],
            extensions,
        },
    };

    // 1. MEET, with a gossip entry about a node the server does not know
    //    (ignored: the sender is unknown) and our hostname.
    let mut out = Link::new(
        TcpStream::connect(("127.0.0.1", redis.bus_port)).expect("connect to the redis bus"),
    );
    out.send(&BusMessage {
        header: header.clone(),
        body: Body::Meet {
            gossip: vec![GossipEntry {
                node: NodeId::from_random([0x42; 20]),
                ping_sent_secs: 0,
                pong_received_secs: 0,
                ip: IpString::try_from("127.0.0.1").expect("short"),
                port: 1,
                cport: 2,
                flags: NodeFlags::PRIMARY,
                pport: 0,
            }],
            extensions: vec![hostname.clone()],
        },
    });
    let pong = out.recv();
    assert!(
        matches!(pong.body, Body::Pong { .. }),
        "MEET answered by {:?}",
        pong.body
    );
    assert_eq!(pong.header.sender.as_str(), redis_id);
    assert_eq!(
        (pong.header.port, pong.header.cport),
        (redis.port, redis.bus_port)
    );
    assert!(pong
        .header
        .flags
        .contains(NodeFlags::PRIMARY | NodeFlags::MYSELF));
    assert_eq!(pong.header.replica_of, None);
    // The server announces no hostname, so it sends no extension.
    assert_eq!(gossip_and_exts(&pong.body).1, vec![]);

    // 2. The server connects back to our announced bus port and PINGs; our
    //    PONG completes its handshake with us.
    listener.set_nonblocking(true).expect("nonblocking accept");
    let mut inbound = None;
    wait_until("redis connects to our bus port", || {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking stream");
                inbound = Some(stream);
                true
            }
            Err(_) => false,
        }
    });
    let mut inbound = Link::new(inbound.expect("accepted"));
    let ping = inbound.recv();
    assert!(
        matches!(ping.body, Body::Ping { .. } | Body::Meet { .. }),
        "got {:?}",
        ping.body
    );
    assert_eq!(ping.header.sender.as_str(), redis_id);
    inbound.send(&BusMessage {
        header: header.clone(),
        body: Body::Pong {
            gossip: vec![],
            extensions: vec![hostname.clone()],
        },
    });

    // 3. Now known by name: a PING carrying the hostname makes it stick.
    out.send(&ping_with(vec![hostname.clone()]));
    assert!(matches!(out.recv().body, Body::Pong { .. }));
    wait_until("CLUSTER NODES lists us with our hostname", || {
        redis.our_line(&me).is_some_and(|line| {
            line.contains(&format!(",{}", String::from_utf8_lossy(HOSTNAME)))
                && line.contains(" master ")
                && !line.contains("handshake")
        })
    });

    // 4. Spec 2.13: a wrong version is dropped without reply, link kept.
    let mut bad = Vec::new();
    encode(&ping_with(vec![hostname.clone()]), &mut bad);
    bad[8..10].copy_from_slice(&2u16.to_be_bytes());
    out.send_raw(&bad);
    out.send(&ping_with(vec![hostname.clone()]));
    assert!(matches!(out.recv().body, Body::Pong { .. }));
    assert!(
        out.recv_within(Duration::from_millis(500)).is_none(),
        "the version-2 PING was answered too"
    );

    // 5. Unknown and 7.2 extension types are skipped by 7.0, not refused.
    out.send(&ping_with(vec![
        PingExt::ShardId(ShardId(*NodeId::from_random([7; 20]).as_bytes())),
        PingExt::ForgottenNode {
            node: NodeId::from_random([8; 20]),
            ttl_secs: 30,
        },
        PingExt::HumanNodename(b"human".to_vec()),
        PingExt::Unknown {
            ext_type: 77,
            data: vec![1; 16],
        },
        hostname.clone(),
    ]));
    assert!(matches!(out.recv().body, Body::Pong { .. }));
    assert!(redis
        .our_line(&me)
        .is_some_and(|l| l.contains(",shoal-test.example")));

    // 6. A PING without the hostname extension clears the hostname.
    out.send(&ping_with(vec![]));
    assert!(matches!(out.recv().body, Body::Pong { .. }));
    wait_until("hostname cleared", || {
        redis
            .our_line(&me)
            .is_some_and(|line| !line.contains(",shoal-test.example"))
    });
}
