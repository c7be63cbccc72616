//! The cluster bus driver: a thread of its own that runs the sans-IO
//! [`ClusterNode`] over real sockets.
//!
//! ```text
//!  data thread                      bus thread
//!  ───────────                      ──────────
//!  CLUSTER ... ──Request::Command──► ClusterNode::execute_command
//!              ◄─────reply + view── (persist first, then send)
//!  PUBLISH ─────Request::Publish───► Input::Publish
//!  routing uses the latest view ◄── Event::View  (when routing would change)
//!  local delivery ◄──────────────── Event::Published, DeleteKeysInSlots...
//!                                    sockets on port+10000 ◄──► peers
//! ```
//!
//! The bus keeps its own event loop so PINGs are answered however busy the
//! data path is: a slow command never gets this node marked PFAIL. The
//! driver makes no protocol decisions: it reads frames, feeds inputs, runs
//! the outputs in order (nodes.conf written, and fsynced when asked, before
//! the sends that follow) and sleeps until the next deadline.

use crate::nodes_file::NodesFile;
use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use shoal_cluster::commands::{Keyspace, Outcome};
use shoal_cluster::config::ClusterConfig;
use shoal_cluster::input::Input;
use shoal_cluster::links::LinkId;
use shoal_cluster::node::ClusterNode;
use shoal_cluster::output::{ClusterEvent, Output};
use shoal_cluster::reply::ReplyValue;
use shoal_cluster::view::ClusterView;
use shoal_cluster::wire::next_frame;
use shoal_types::{Millis, Slot};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::time::Duration;

const LISTENER: Token = Token(0);
const WAKER: Token = Token(1);
const FIRST_LINK_TOKEN: usize = 2;
/// Bytes a link may hold unsent before it is considered stuck.
const MAX_PENDING_WRITE: usize = 64 * 1024 * 1024;

/// What the data thread asks of the bus thread.
pub enum Request {
    /// A CLUSTER subcommand; the reply comes back on `reply`.
    Command {
        /// The whole command line (`CLUSTER`, subcommand, arguments).
        argv: Vec<Vec<u8>>,
        /// Keyspace facts the command may need.
        keys: KeyFacts,
        /// Where to send the answer.
        reply: SyncSender<CommandReply>,
    },
    /// A PUBLISH or SPUBLISH to spread over the bus.
    Publish {
        /// Channel.
        channel: Vec<u8>,
        /// Payload.
        message: Vec<u8>,
        /// SPUBLISH (stays in the slot's shard).
        sharded: bool,
    },
    /// CONFIG SET changed cluster settings.
    Reconfigure {
        /// `cluster-node-timeout`.
        node_timeout_ms: u64,
        /// `cluster-require-full-coverage`.
        require_full_coverage: bool,
        /// `cluster-allow-reads-when-down`.
        allow_reads_when_down: bool,
    },
    /// Shoal's CLUSTER BUS LIST.
    BusList {
        /// Where to send the rows.
        reply: SyncSender<String>,
    },
    /// Stop the thread.
    Shutdown,
}

/// The answer to a CLUSTER command.
pub struct CommandReply {
    /// The reply, or the error line.
    pub result: Result<ReplyValue, String>,
    /// The view after the command.
    pub view: PublishedView,
}

/// A view as the bus thread hands it over, numbered in the order it was
/// taken. Views reach the data thread by two paths, [`Event::View`] and
/// [`CommandReply`], and an event queued before a command ran is read
/// after that command's reply: the number tells the older one, which must
/// not replace the newer (it would undo the command for routing).
#[derive(Clone)]
pub struct PublishedView {
    /// Grows by one with each view taken.
    pub seq: u64,
    /// The view.
    pub view: Arc<ClusterView>,
}

/// The view the data thread routes with: the newest it was given.
pub struct LatestView {
    seq: u64,
    view: Arc<ClusterView>,
}

impl LatestView {
    /// Starts with the bus thread's first view.
    pub fn new(first: PublishedView) -> LatestView {
        LatestView {
            seq: first.seq,
            view: first.view,
        }
    }

    /// Takes `p` unless a newer view is already in use.
    pub fn offer(&mut self, p: PublishedView) {
        if p.seq > self.seq {
            self.seq = p.seq;
            self.view = p.view;
        }
    }

    /// The view.
    pub fn get(&self) -> &Arc<ClusterView> {
        &self.view
    }
}

/// What the bus thread tells the data thread.
pub enum Event {
    /// The cluster view changed: routing uses this one from now on (unless
    /// a newer one came with a command's reply meanwhile).
    View(PublishedView),
    /// A message published on another node, to deliver to local subscribers.
    Published {
        /// Channel.
        channel: Vec<u8>,
        /// Payload.
        message: Vec<u8>,
        /// Shard channel.
        sharded: bool,
    },
    /// Keys in these slots must go (the slots were lost).
    DeleteKeysInSlots(Vec<Slot>),
    /// Shard channels hashing to these slots are no longer served here.
    DropShardChannels(Vec<Slot>),
    /// Pause writes until the given Unix ms (manual failover).
    PauseWrites(u64),
    /// Writes may resume.
    ResumeWrites,
}

/// Keyspace facts a CLUSTER command may need, gathered on the data thread
/// before the command crosses to the bus thread: the key count of db 0 and
/// of the slot the command names (CLUSTER SETSLOT / COUNTKEYSINSLOT).
#[derive(Clone, Default)]
pub struct KeyFacts {
    /// Keys in db 0.
    pub total: u64,
    /// The slot named by the command and its key count.
    pub slot: Option<(u16, u64)>,
}

impl Keyspace for KeyFacts {
    fn count_keys_in_slot(&self, slot: Slot) -> u64 {
        match self.slot {
            Some((s, n)) if s == slot.get() => n,
            _ => 0,
        }
    }
    fn keys_in_slot(&self, _slot: Slot, _max: u64) -> Vec<Vec<u8>> {
        // GETKEYSINSLOT is answered on the data thread, which has the keys.
        Vec::new()
    }
    fn is_empty(&self) -> bool {
        self.total == 0
    }
}

/// The data thread's handle on the bus thread.
pub struct BusHandle {
    requests: Sender<Request>,
    waker: Arc<Waker>,
    /// Events from the bus thread.
    pub events: Receiver<Event>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BusHandle {
    /// Sends a request and wakes the bus thread.
    pub fn send(&self, r: Request) {
        if self.requests.send(r).is_ok() {
            let _ = self.waker.wake();
        }
    }

    /// Runs a CLUSTER command on the bus thread and waits for its reply.
    pub fn command(&self, argv: Vec<Vec<u8>>, keys: KeyFacts) -> Option<CommandReply> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(Request::Command {
            argv,
            keys,
            reply: tx,
        });
        rx.recv().ok()
    }

    /// Shoal's CLUSTER BUS LIST text.
    pub fn bus_list(&self) -> Option<String> {
        let (tx, rx) = mpsc::sync_channel(1);
        self.send(Request::BusList { reply: tx });
        rx.recv().ok()
    }
}

impl Drop for BusHandle {
    fn drop(&mut self) {
        self.send(Request::Shutdown);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Starts the bus thread. `data_waker` wakes the data thread when events
/// are queued for it. Returns the handle and the first view.
pub fn start(
    config: ClusterConfig,
    bind: &[String],
    restored: Option<ClusterView>,
    mut file: NodesFile,
    seed: u64,
    data_waker: Arc<Waker>,
) -> io::Result<(BusHandle, PublishedView)> {
    let poll = Poll::new()?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
    let bus_port = if config.cluster_port != 0 {
        config.cluster_port
    } else {
        config.port.wrapping_add(10000)
    };
    let host = bind
        .iter()
        .map(|b| b.trim_start_matches('-'))
        .find(|b| !b.contains(':'))
        .unwrap_or("0.0.0.0")
        .to_string();
    let addr: SocketAddr = format!("{host}:{bus_port}")
        .parse()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{host}: {e}")))?;
    let mut listener = TcpListener::bind(addr)
        .map_err(|e| io::Error::new(e.kind(), format!("cluster bus port {addr}: {e}")))?;
    poll.registry()
        .register(&mut listener, LISTENER, Interest::READABLE)?;
    let now = Millis(crate::server::unix_ms());
    let node = ClusterNode::new(config, restored, seed, now);
    file.save_view(node.view(), true)
        .map_err(io::Error::other)?;
    let first_view = PublishedView {
        seq: 0,
        view: Arc::new(node.view().clone()),
    };
    let (req_tx, req_rx) = mpsc::channel();
    let (ev_tx, ev_rx) = mpsc::channel();
    let mut driver = Driver {
        poll,
        listener,
        node,
        links: HashMap::new(),
        tokens: HashMap::new(),
        next_token: FIRST_LINK_TOKEN,
        next_inbound: 1,
        requests: req_rx,
        events: ev_tx,
        data_waker,
        file,
        pending_inputs: VecDeque::new(),
        view_dirty: false,
        last_view: first_view.clone(),
    };
    let thread = std::thread::Builder::new()
        .name("shoal-bus".into())
        .spawn(move || driver.run())?;
    Ok((
        BusHandle {
            requests: req_tx,
            waker,
            events: ev_rx,
            thread: Some(thread),
        },
        first_view,
    ))
}

struct Conn {
    stream: TcpStream,
    token: Token,
    rbuf: Vec<u8>,
    wbuf: Vec<u8>,
    connecting: bool,
}

struct Driver {
    poll: Poll,
    listener: TcpListener,
    node: ClusterNode,
    links: HashMap<LinkId, Conn>,
    tokens: HashMap<Token, LinkId>,
    next_token: usize,
    next_inbound: u64,
    requests: Receiver<Request>,
    events: Sender<Event>,
    data_waker: Arc<Waker>,
    file: NodesFile,
    pending_inputs: VecDeque<Input>,
    view_dirty: bool,
    /// The view last handed over (by event or with a command's reply).
    last_view: PublishedView,
}

/// `ping:3,pong:4` for the message types with a non-zero count.
fn by_type(counts: &[u64]) -> String {
    const NAMES: [&str; 12] = [
        "ping",
        "pong",
        "meet",
        "fail",
        "publish",
        "auth-req",
        "auth-ack",
        "update",
        "mfstart",
        "module",
        "publishshard",
        "unknown",
    ];
    let parts: Vec<String> = counts
        .iter()
        .enumerate()
        .filter(|(_, &n)| n > 0)
        .map(|(i, n)| format!("{}:{n}", NAMES.get(i).copied().unwrap_or("unknown")))
        .collect();
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(",")
    }
}

fn now() -> Millis {
    Millis(crate::server::unix_ms())
}

impl Driver {
    fn run(&mut self) {
        let mut events = Events::with_capacity(256);
        loop {
            let timeout = self
                .node
                .next_deadline()
                .map(|d| Duration::from_millis(d.0.saturating_sub(now().0).min(100)))
                .unwrap_or(Duration::from_millis(100));
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() != io::ErrorKind::Interrupted {
                    crate::warning!("Cluster bus poll failed: {e}");
                    return;
                }
            }
            for ev in events.iter() {
                match ev.token() {
                    LISTENER => self.accept(),
                    WAKER => {}
                    t => self.on_link_event(
                        t,
                        ev.is_readable() || ev.is_read_closed() || ev.is_error(),
                        ev.is_writable(),
                    ),
                }
            }
            if !self.drain_requests() {
                return;
            }
            self.feed(Input::Tick);
            self.publish_view_if_changed();
        }
    }

    /// Feeds an input and every input its outputs cause.
    fn feed(&mut self, input: Input) {
        self.pending_inputs.push_back(input);
        while let Some(input) = self.pending_inputs.pop_front() {
            let mut out = Vec::new();
            self.node.handle(now(), input, &mut out);
            self.run_outputs(out);
        }
    }

    fn run_outputs(&mut self, out: Vec<Output>) {
        for o in out {
            match o {
                Output::PersistConfig { fsync, text } => {
                    if let Err(e) = self.file.save_text(&text, fsync) {
                        crate::warning!("{e}");
                    }
                    self.view_dirty = true;
                }
                Output::Connect { link, ip, port } => self.connect(link, &ip, port),
                Output::Send { link, bytes } => self.send(link, &bytes),
                Output::Close(link) => self.drop_link(link),
                Output::Event(e) => self.on_event(e),
            }
        }
    }

    fn on_event(&mut self, e: ClusterEvent) {
        let forward = match e {
            ClusterEvent::StateChanged(_)
            | ClusterEvent::NodeFailed(_)
            | ClusterEvent::BecamePrimary => {
                self.view_dirty = true;
                None
            }
            ClusterEvent::Published {
                channel,
                message,
                sharded,
            } => Some(Event::Published {
                channel,
                message,
                sharded,
            }),
            ClusterEvent::DeleteKeysInSlots(s) => Some(Event::DeleteKeysInSlots(s)),
            ClusterEvent::DropShardChannels(s) => Some(Event::DropShardChannels(s)),
            ClusterEvent::PauseWrites { until } => Some(Event::PauseWrites(until.0)),
            ClusterEvent::ResumeWrites => Some(Event::ResumeWrites),
            ClusterEvent::Log(line) => {
                crate::notice!("{line}");
                None
            }
            ClusterEvent::ReplicateFrom { primary, ip, port } => {
                crate::notice!(
                    "Cluster asks this node to replicate {primary} at {ip}:{port}; replication is not implemented in Shoal yet"
                );
                self.view_dirty = true;
                None
            }
            ClusterEvent::StopReplicationAndFlush | ClusterEvent::ModuleMessage { .. } => None,
        };
        if let Some(ev) = forward {
            self.notify_data(ev);
        }
    }

    fn notify_data(&mut self, ev: Event) {
        if self.events.send(ev).is_ok() {
            let _ = self.data_waker.wake();
        }
    }

    /// The current view, numbered after the last one handed over.
    fn take_view(&mut self) -> PublishedView {
        self.view_dirty = false;
        self.last_view = PublishedView {
            seq: self.last_view.seq + 1,
            view: Arc::new(self.node.view().clone()),
        };
        self.last_view.clone()
    }

    fn publish_view_if_changed(&mut self) {
        // Every PING and PONG updates liveness times in the view; only what
        // routing reads is worth a clone and a hand-over.
        if self.view_dirty || !self.last_view.view.routes_like(self.node.view()) {
            let v = self.take_view();
            self.notify_data(Event::View(v));
        }
    }

    /// Handles queued requests; false when the thread must stop.
    fn drain_requests(&mut self) -> bool {
        while let Ok(r) = self.requests.try_recv() {
            match r {
                Request::Shutdown => return false,
                Request::Publish {
                    channel,
                    message,
                    sharded,
                } => self.feed(Input::Publish {
                    channel,
                    message,
                    sharded,
                }),
                Request::Command { argv, keys, reply } => {
                    let mut out = Vec::new();
                    let result = self.node.execute_command(now(), &argv, &keys, &mut out);
                    // The reply leaves only after the outputs (persist first).
                    self.run_outputs(out);
                    while let Some(input) = self.pending_inputs.pop_front() {
                        let mut more = Vec::new();
                        self.node.handle(now(), input, &mut more);
                        self.run_outputs(more);
                    }
                    let result = match result {
                        Ok(Outcome::Done(done)) => Ok(done.reply),
                        Ok(Outcome::Delegated(_)) => Err("HELP".into()),
                        Err(e) => Err(e.to_string()),
                    };
                    let view = self.take_view();
                    let _ = reply.send(CommandReply { result, view });
                }
                Request::Reconfigure {
                    node_timeout_ms,
                    require_full_coverage,
                    allow_reads_when_down,
                } => {
                    let mut c = self.node.config().clone();
                    c.node_timeout_ms = node_timeout_ms;
                    c.require_full_coverage = require_full_coverage;
                    c.allow_reads_when_down = allow_reads_when_down;
                    self.node.set_config(c);
                }
                Request::BusList { reply } => {
                    let _ = reply.send(self.bus_list());
                }
            }
        }
        true
    }

    fn register(&mut self, link: LinkId, mut stream: TcpStream, connecting: bool) {
        let token = Token(self.next_token);
        self.next_token += 1;
        if let Err(e) = self.poll.registry().register(
            &mut stream,
            token,
            Interest::READABLE | Interest::WRITABLE,
        ) {
            crate::warning!("Cluster bus: registering a link failed: {e}");
            return;
        }
        self.tokens.insert(token, link);
        self.links.insert(
            link,
            Conn {
                stream,
                token,
                rbuf: Vec::new(),
                wbuf: Vec::new(),
                connecting,
            },
        );
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let local_ip = stream
                        .local_addr()
                        .map(|a| a.ip().to_string())
                        .unwrap_or_default();
                    let link = LinkId::Inbound(self.next_inbound);
                    self.next_inbound += 1;
                    self.register(link, stream, false);
                    self.feed(Input::Accepted {
                        link,
                        peer_ip: peer.ip().to_string(),
                        local_ip,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    crate::warning!("Cluster bus accept: {e}");
                    return;
                }
            }
        }
    }

    fn connect(&mut self, link: LinkId, ip: &str, port: u16) {
        let addr: Result<SocketAddr, _> = if ip.contains(':') {
            format!("[{ip}]:{port}").parse()
        } else {
            format!("{ip}:{port}").parse()
        };
        match addr
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
            .and_then(TcpStream::connect)
        {
            Ok(stream) => {
                let _ = stream.set_nodelay(true);
                self.register(link, stream, true);
            }
            Err(_) => self.pending_inputs.push_back(Input::ConnectFailed(link)),
        }
    }

    fn send(&mut self, link: LinkId, bytes: &[u8]) {
        let Some(c) = self.links.get_mut(&link) else {
            return;
        };
        c.wbuf.extend_from_slice(bytes);
        if c.wbuf.len() > MAX_PENDING_WRITE {
            crate::warning!(
                "Cluster bus: dropping a link with {} unsent bytes",
                c.wbuf.len()
            );
            self.drop_link(link);
            self.pending_inputs.push_back(Input::Closed(link));
            return;
        }
        self.flush(link);
    }

    fn flush(&mut self, link: LinkId) {
        let Some(c) = self.links.get_mut(&link) else {
            return;
        };
        if c.connecting {
            return;
        }
        let mut written = 0;
        while written < c.wbuf.len() {
            match c.stream.write(&c.wbuf[written..]) {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.drop_link(link);
                    self.pending_inputs.push_back(Input::Closed(link));
                    return;
                }
            }
        }
        c.wbuf.drain(..written);
    }

    fn drop_link(&mut self, link: LinkId) {
        if let Some(mut c) = self.links.remove(&link) {
            let _ = self.poll.registry().deregister(&mut c.stream);
            self.tokens.remove(&c.token);
        }
    }

    fn on_link_event(&mut self, token: Token, readable: bool, writable: bool) {
        let Some(&link) = self.tokens.get(&token) else {
            return;
        };
        if writable {
            let c = self.links.get_mut(&link).expect("token maps to a link");
            if c.connecting {
                let failed =
                    c.stream.take_error().ok().flatten().is_some() || c.stream.peer_addr().is_err();
                if failed {
                    self.drop_link(link);
                    self.feed(Input::ConnectFailed(link));
                    return;
                }
                c.connecting = false;
                self.feed(Input::Connected(link));
            }
            self.flush(link);
            self.feed_pending();
        }
        if readable {
            self.read(link);
        }
    }

    fn feed_pending(&mut self) {
        if let Some(input) = self.pending_inputs.pop_front() {
            self.feed(input);
        }
    }

    fn read(&mut self, link: LinkId) {
        let mut closed = false;
        {
            let Some(c) = self.links.get_mut(&link) else {
                return;
            };
            if c.connecting {
                return;
            }
            let mut chunk = [0u8; 16 * 1024];
            loop {
                match c.stream.read(&mut chunk) {
                    Ok(0) => {
                        closed = true;
                        break;
                    }
                    Ok(n) => c.rbuf.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(_) => {
                        closed = true;
                        break;
                    }
                }
            }
        }
        // Hand every complete frame to the state machine, in order.
        loop {
            let Some(c) = self.links.get_mut(&link) else {
                return;
            };
            match next_frame(&c.rbuf) {
                Ok(Some(frame)) => {
                    let n = frame.len();
                    let bytes = frame.to_vec();
                    c.rbuf.drain(..n);
                    self.feed(Input::Packet { link, bytes });
                }
                Ok(None) => break,
                Err(_) => {
                    // Framing lost: hand the broken bytes to the core so it
                    // counts and closes the link itself.
                    let bytes = std::mem::take(&mut c.rbuf);
                    self.feed(Input::Packet { link, bytes });
                    if self.links.contains_key(&link) {
                        self.drop_link(link);
                        self.feed(Input::Closed(link));
                    }
                    return;
                }
            }
        }
        if closed && self.links.contains_key(&link) {
            self.drop_link(link);
            self.feed(Input::Closed(link));
        }
    }

    /// Shoal's CLUSTER BUS LIST: one line per link.
    fn bus_list(&self) -> String {
        let now = now();
        let view = self.node.view();
        let mut rows: BTreeMap<String, String> = BTreeMap::new();
        for link in self.node.links().iter() {
            let peer = link
                .node
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into());
            let reports = link
                .node
                .and_then(|n| view.node(&n))
                .map(|n| n.failure_reports.len())
                .unwrap_or(0);
            let age = now.since(link.created);
            let fmt_ago =
                |t: Option<Millis>| t.map_or("-".to_string(), |t| format!("{}", now.since(t)));
            let pending = self.links.get(&link.id).map_or(0, |c| c.wbuf.len());
            let row = format!(
                "peer={} addr={}:{} dir={} age_ms={} state={} ping_sent_ms_ago={} pong_recv_ms_ago={} rtt_ms={} sent_msgs={} sent_bytes={} recv_msgs={} recv_bytes={} send_pending={} failure_reports={} sent_by_type={} recv_by_type={}",
                peer,
                link.peer_ip,
                link.peer_port,
                if link.id.is_inbound() { "from" } else { "to" },
                age,
                if link.connected { "connected" } else { "connecting" },
                fmt_ago(link.last_ping_sent),
                fmt_ago(link.last_pong_received),
                link.rtt_ms.map_or("-".to_string(), |r| r.to_string()),
                link.sent.messages.iter().sum::<u64>(),
                link.sent.bytes,
                link.received.messages.iter().sum::<u64>(),
                link.received.bytes,
                pending,
                reports,
                by_type(&link.sent.messages),
                by_type(&link.received.messages),
            );
            rows.insert(format!("{peer}{:?}", link.id), row);
        }
        let mut text = String::new();
        for row in rows.values() {
            text.push_str(row);
            text.push('\n');
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoal_cluster::view::Node;
    use shoal_types::{Epoch, NodeId};

    fn view(epoch: u64) -> Arc<ClusterView> {
        let mut v = ClusterView::new(Node::new(NodeId::from_random([7; 20])));
        v.current_epoch = Epoch(epoch);
        Arc::new(v)
    }

    fn published(seq: u64) -> PublishedView {
        PublishedView {
            seq,
            view: view(seq),
        }
    }

    #[test]
    fn an_older_view_never_replaces_a_newer_one() {
        let mut latest = LatestView::new(published(0));
        // A command's reply (view 5) is read before the event queued ahead
        // of the command (view 4): the command's view stays.
        latest.offer(published(5));
        latest.offer(published(4));
        assert_eq!(latest.get().current_epoch, Epoch(5));
        latest.offer(published(6));
        assert_eq!(latest.get().current_epoch, Epoch(6));
        latest.offer(published(6));
        assert_eq!(latest.get().current_epoch, Epoch(6));
    }
}
