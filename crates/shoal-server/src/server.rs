//! The data-path event loop: one thread owns the keyspace and every client
//! connection, as redis-server does.
//!
//! Each wake-up reads all readable sockets, parses every complete command
//! in each input buffer, runs them in place and appends the replies to the
//! client's output buffer; before sleeping again it writes each output
//! buffer once. No lock is taken per command and nothing crosses threads
//! on the hot path. Periodic work (active expiry, statistics, timeouts)
//! runs from a cron at `hz` times per second.

use crate::client::Client;
use crate::commands::Registry;
use crate::settings::ServerSettings;
use crate::stats::Stats;
use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};
use rand::rngs::SmallRng;
use rand::SeedableRng;
use shoal_commands::Settings;
use shoal_keyspace::eviction::EvictionPool;
use shoal_keyspace::Db;
use slab::Slab;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Tokens at the top of the range are listeners; clients use their slab index.
const LISTENER_TOKEN_BASE: usize = usize::MAX - 64;
/// Wakes the loop when the cluster bus thread has events for it.
const WAKER_TOKEN: usize = LISTENER_TOKEN_BASE - 1;

/// Unix time in milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Unix time in microseconds.
pub fn unix_us() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// How a shutdown was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShutdownRequest {
    /// SIGTERM/SIGINT or SHUTDOWN: stop after flushing replies.
    Graceful,
}

/// A paused-clients window (CLIENT PAUSE).
#[derive(Debug, Clone, Copy)]
pub struct Pause {
    /// Until when, Unix ms.
    pub until_ms: u64,
    /// Only writes are paused (`WRITE` mode).
    pub writes_only: bool,
}

/// One LATENCY event's `(unix seconds, ms)` samples and the worst latency.
pub type LatencySeries = (VecDeque<(u64, u64)>, u64);

/// A slow command record (SLOWLOG).
#[derive(Debug, Clone)]
pub struct SlowlogEntry {
    /// Unique increasing id.
    pub id: u64,
    /// Unix time in seconds when it ran.
    pub time_s: u64,
    /// Duration in microseconds.
    pub duration_us: u64,
    /// Arguments, trimmed as Redis trims them.
    pub args: Vec<Vec<u8>>,
    /// Client address.
    pub peer: String,
    /// Client name.
    pub name: Vec<u8>,
}

/// The server: everything the data thread owns.
pub struct Server {
    pub(crate) poll: Poll,
    listeners: Vec<TcpListener>,
    /// Connected clients by slab index (the mio token).
    pub(crate) clients: Slab<Client>,
    /// Client id to slab index.
    pub(crate) client_index: HashMap<u64, usize>,
    pub(crate) next_client_id: u64,
    /// The logical databases.
    pub(crate) dbs: Vec<Db>,
    /// Settings the command layer reads.
    pub(crate) exec_settings: Settings,
    /// Typed server configuration.
    pub(crate) settings: ServerSettings,
    /// The effective configuration (CONFIG GET/SET).
    pub(crate) config: shoal_config::Config,
    /// Source of randomness for commands.
    pub(crate) rng: SmallRng,
    /// Counters for INFO.
    pub(crate) stats: Stats,
    /// Current Unix time in ms, refreshed each loop iteration and batch.
    pub(crate) now_ms: u64,
    /// All commands.
    pub(crate) registry: Registry,
    /// channel -> subscribed client ids, in subscription order.
    pub(crate) channels: HashMap<Vec<u8>, Vec<u64>>,
    /// pattern -> subscribed client ids.
    pub(crate) patterns: HashMap<Vec<u8>, Vec<u64>>,
    /// shard channel -> subscribed client ids.
    pub(crate) shard_channels: HashMap<Vec<u8>, Vec<u64>>,
    /// (db, key) -> clients WATCHing it.
    pub(crate) watched_keys: HashMap<(usize, Vec<u8>), Vec<u64>>,
    /// (db, key) -> clients blocked on it, first come first served.
    pub(crate) blocked_keys: HashMap<(usize, Vec<u8>), VecDeque<u64>>,
    /// (deadline, client id) of blocked clients with a timeout.
    pub(crate) block_deadlines: BTreeSet<(u64, u64)>,
    /// Clients with output to write before the next sleep.
    pub(crate) pending_writes: Vec<usize>,
    /// Clients whose buffered input must be processed again (unblocked).
    pub(crate) pending_input: Vec<usize>,
    /// Clients to close once this iteration ends.
    pub(crate) pending_close: Vec<usize>,
    /// Ids of clients in MONITOR mode.
    pub(crate) monitors: Vec<u64>,
    /// Eviction candidates between evictions.
    pub(crate) eviction_pool: EvictionPool,
    /// SLOWLOG entries, newest first.
    pub(crate) slowlog: VecDeque<SlowlogEntry>,
    pub(crate) slowlog_next_id: u64,
    /// LATENCY: event -> its samples and the worst seen.
    pub(crate) latency: HashMap<&'static str, LatencySeries>,
    /// CLIENT PAUSE state.
    pub(crate) pause: Option<Pause>,
    /// Set by signal handlers.
    pub(crate) signal_shutdown: Arc<AtomicBool>,
    /// Set by SHUTDOWN.
    pub(crate) shutdown: Option<ShutdownRequest>,
    /// Unix ms when the server started.
    pub(crate) start_ms: u64,
    /// `used_memory` once the server was ready (MEMORY STATS startup).
    pub(crate) startup_memory: u64,
    /// Changes since start (no persistence yet: "since last save").
    pub(crate) dirty: u64,
    /// Unix seconds of the last successful save (start time until one runs).
    pub(crate) lastsave_s: u64,
    /// Unix ms of the next cron run.
    next_cron_ms: u64,
    /// Sum of interest registrations (watch + block): zero means the
    /// post-command signal check can be skipped.
    pub(crate) interest_count: usize,
    /// Bound addresses (INFO, CLIENT LIST laddr).
    pub(crate) bound: Vec<SocketAddr>,
    /// The executable path and config file, for INFO.
    pub(crate) executable: String,
    /// Config file path, for INFO and CONFIG REWRITE.
    pub(crate) config_file: Option<String>,
    /// A per-run random id (INFO run_id).
    pub(crate) run_id: String,
    /// Cluster state, when `cluster-enabled yes`.
    pub(crate) cluster: Option<crate::cluster_mode::ClusterMode>,
    /// Set while signalled keys are being delivered to blocked clients.
    pub(crate) delivering_signals: bool,
    /// Client-side caching state.
    pub(crate) tracking: crate::tracking::TrackingTable,
    /// Id of the client whose command is running (the changer of the keys
    /// it signals).
    pub(crate) executing_client: Option<u64>,
}

impl Server {
    /// Binds the listeners and prepares the databases.
    pub fn new(
        settings: ServerSettings,
        config: shoal_config::Config,
        config_file: Option<String>,
        signal_shutdown: Arc<AtomicBool>,
    ) -> io::Result<Server> {
        let poll = Poll::new()?;
        let (listeners, bound) = open_listeners(&poll, &settings)?;
        let seed = entropy_seed();
        let now_ms = unix_ms();
        let mut rng = SmallRng::seed_from_u64(seed);
        // Big hashes and sets key their tables with a per-process secret so
        // clients cannot force collisions.
        shoal_keyspace::collections::HashValue::set_table_seed(rand::Rng::random(&mut rng));
        let dbs = (0..settings.databases)
            .map(|_| Db::new(rand::Rng::random(&mut rng)))
            .collect();
        let run_id = (0..40)
            .map(|_| char::from(b"0123456789abcdef"[rand::Rng::random_range(&mut rng, 0..16)]))
            .collect();
        let mut server = Server {
            poll,
            listeners,
            clients: Slab::with_capacity(64),
            client_index: HashMap::new(),
            next_client_id: 1,
            dbs,
            exec_settings: Settings::default(),
            settings,
            config,
            rng,
            stats: Stats::default(),
            now_ms,
            registry: Registry::new(),
            channels: HashMap::new(),
            patterns: HashMap::new(),
            shard_channels: HashMap::new(),
            watched_keys: HashMap::new(),
            blocked_keys: HashMap::new(),
            block_deadlines: BTreeSet::new(),
            pending_writes: Vec::new(),
            pending_input: Vec::new(),
            pending_close: Vec::new(),
            monitors: Vec::new(),
            eviction_pool: EvictionPool::new(),
            slowlog: VecDeque::new(),
            slowlog_next_id: 0,
            latency: HashMap::new(),
            pause: None,
            signal_shutdown,
            shutdown: None,
            start_ms: now_ms,
            startup_memory: 0,
            dirty: 0,
            lastsave_s: now_ms / 1000,
            next_cron_ms: now_ms,
            interest_count: 0,
            bound,
            executable: std::env::current_exe()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
            config_file,
            run_id,
            cluster: None,
            delivering_signals: false,
            tracking: Default::default(),
            executing_client: None,
        };
        server.apply_settings();
        if server.settings.cluster_enabled {
            let waker = Arc::new(mio::Waker::new(server.poll.registry(), Token(WAKER_TOKEN))?);
            let seed = rand::Rng::random(&mut server.rng);
            let config = &server.config;
            let lookup = |name: &str| {
                config
                    .get(name)
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
            };
            let mode =
                crate::cluster_mode::ClusterMode::start(&server.settings, lookup, seed, waker)
                    .map_err(io::Error::other)?;
            server.cluster = Some(mode);
        }
        server.startup_memory = crate::alloc::used_memory() as u64;
        Ok(server)
    }

    /// Addresses the server listens on.
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.bound
    }

    /// Pushes the typed settings into the places that cache them.
    pub(crate) fn apply_settings(&mut self) {
        self.exec_settings = self.settings.exec_settings();
        let policy = self.settings.access_policy();
        for db in &mut self.dbs {
            db.set_access_policy(policy);
        }
    }

    /// Runs until shutdown.
    pub fn run(&mut self) -> io::Result<()> {
        let mut events = Events::with_capacity(1024);
        loop {
            let timeout = self.poll_timeout();
            if let Err(e) = self.poll.poll(&mut events, Some(timeout)) {
                if e.kind() != io::ErrorKind::Interrupted {
                    return Err(e);
                }
            }
            self.now_ms = unix_ms();
            for event in events.iter() {
                let token = event.token().0;
                if token == WAKER_TOKEN {
                    continue;
                }
                if token >= LISTENER_TOKEN_BASE {
                    self.accept(token - LISTENER_TOKEN_BASE);
                    continue;
                }
                if !self.clients.contains(token) {
                    continue;
                }
                if event.is_readable() || event.is_read_closed() || event.is_error() {
                    self.read_from(token, event.is_read_closed() || event.is_error());
                }
                if event.is_writable() && self.clients.contains(token) {
                    self.queue_write(token);
                }
            }
            if self.cluster.is_some() {
                self.drain_cluster_events();
            }
            self.process_pending_input();
            if self.now_ms >= self.next_cron_ms {
                self.cron();
            }
            self.expire_blocked();
            self.tracking_send_deferred();
            self.tracking_broadcast();
            self.flush_writes();
            self.close_pending();
            if self.signal_shutdown.load(Ordering::Relaxed) && self.shutdown.is_none() {
                crate::warning!("Received SIGTERM scheduling shutdown...");
                self.shutdown = Some(ShutdownRequest::Graceful);
            }
            if self.shutdown.is_some() {
                self.finish_shutdown();
                return Ok(());
            }
        }
    }

    fn poll_timeout(&self) -> Duration {
        if !self.pending_input.is_empty() {
            return Duration::ZERO;
        }
        let mut until = self.next_cron_ms;
        if let Some(&(deadline, _)) = self.block_deadlines.first() {
            until = until.min(deadline);
        }
        let now = unix_ms();
        Duration::from_millis(until.saturating_sub(now).min(1000))
    }

    fn accept(&mut self, listener: usize) {
        loop {
            let (mut stream, addr) = match self.listeners[listener].accept() {
                Ok(s) => s,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    crate::warning!("Accepting client connection: {e}");
                    return;
                }
            };
            if self.clients.len() >= self.settings.maxclients {
                use std::io::Write;
                let _ = stream.write_all(b"-ERR max number of clients reached\r\n");
                self.stats.rejected_connections += 1;
                continue;
            }
            let _ = stream.set_nodelay(true);
            let entry = self.clients.vacant_entry();
            let idx = entry.key();
            if idx >= WAKER_TOKEN {
                return;
            }
            // Writable interest is added only while output is pending, as
            // Redis installs its write handler: no wake-up per reply.
            if let Err(e) =
                self.poll
                    .registry()
                    .register(&mut stream, Token(idx), Interest::READABLE)
            {
                crate::warning!("Registering client socket: {e}");
                continue;
            }
            let id = self.next_client_id;
            self.next_client_id += 1;
            let authenticated = self.settings.requirepass.is_none();
            entry.insert(Client::new(id, stream, addr, self.now_ms, authenticated));
            self.client_index.insert(id, idx);
            self.stats.total_connections_received += 1;
            crate::verbose!("Accepted {addr}");
        }
    }

    /// Reads everything available from a client, then runs its commands.
    fn read_from(&mut self, idx: usize, peer_closed: bool) {
        const READ_CHUNK: usize = 16 * 1024;
        loop {
            let c = &mut self.clients[idx];
            if c.query.capacity() - c.query.len() < READ_CHUNK {
                c.query.reserve(READ_CHUNK);
            }
            let spare = c.query.spare_capacity_mut();
            let fd = std::os::fd::AsRawFd::as_raw_fd(&c.stream);
            // SAFETY: `spare` is writable memory owned by the vector; read(2)
            // writes at most its length, and we only extend the length by
            // the number of bytes it reports as written.
            let room = spare.len();
            let n = unsafe { libc::read(fd, spare.as_mut_ptr().cast(), room) };
            if n > 0 {
                let n = n as usize;
                // SAFETY: read(2) initialised these n bytes.
                unsafe { c.query.set_len(c.query.len() + n) };
                c.bytes_read += n as u64;
                self.stats.net_input_bytes += n as u64;
                self.stats.total_reads_processed += 1;
                if c.query.len() > self.settings.client_query_buffer_limit {
                    crate::warning!(
                        "Closing client that reached max query buffer length: id={} addr={} qbuf={}",
                        c.id,
                        c.addr,
                        c.query.len()
                    );
                    self.stats.client_query_buffer_limit_disconnections += 1;
                    self.close_client(idx);
                    return;
                }
                if n < room && !peer_closed {
                    // The socket had less than we could take: it is drained,
                    // and the next arrival raises a new edge. Saves the read
                    // that would only say EAGAIN.
                    break;
                }
                continue;
            }
            if n == 0 {
                self.close_client(idx);
                return;
            }
            let err = io::Error::last_os_error();
            match err.kind() {
                io::ErrorKind::WouldBlock => break,
                io::ErrorKind::Interrupted => continue,
                _ => {
                    crate::verbose!("Reading from client: {err}");
                    self.close_client(idx);
                    return;
                }
            }
        }
        self.process_input(idx);
    }

    fn process_pending_input(&mut self) {
        let mut rounds = 0;
        while !self.pending_input.is_empty() && rounds < 16 {
            rounds += 1;
            let pending = std::mem::take(&mut self.pending_input);
            for idx in pending {
                if self.clients.contains(idx) {
                    self.process_input(idx);
                }
            }
        }
    }

    /// Marks a client as having output to write before sleeping.
    #[inline]
    pub(crate) fn queue_write(&mut self, idx: usize) {
        let c = &mut self.clients[idx];
        if !c.write_queued {
            c.write_queued = true;
            self.pending_writes.push(idx);
        }
    }

    fn flush_writes(&mut self) {
        let pending = std::mem::take(&mut self.pending_writes);
        for idx in pending {
            if !self.clients.contains(idx) {
                continue;
            }
            self.clients[idx].write_queued = false;
            self.write_to(idx);
        }
    }

    /// Writes as much of a client's output as the socket takes.
    fn write_to(&mut self, idx: usize) {
        use std::io::Write;
        let c = &mut self.clients[idx];
        let mut written = 0;
        while written < c.reply.len() {
            match c.stream.write(&c.reply.as_bytes()[written..]) {
                Ok(0) => break,
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => {
                    self.close_client(idx);
                    return;
                }
            }
        }
        c.reply.consume(written);
        c.bytes_written += written as u64;
        self.stats.net_output_bytes += written as u64;
        if written > 0 {
            self.stats.total_writes_processed += 1;
        }
        // client-output-buffer-limit, checked once the socket has taken what
        // it can (Redis checks on every append; here a client may overshoot
        // by one loop iteration's output before it is dropped).
        let limit = self.settings.client_output_buffer_limits[c.output_class() as usize];
        if c.output_over_limit(limit, self.now_ms) {
            let desc =
                crate::commands::connection::client_line(self, &self.clients[idx], self.now_ms);
            crate::warning!(
                "Client {desc} scheduled to be closed ASAP for overcoming of output buffer limits."
            );
            self.stats.client_output_buffer_limit_disconnections += 1;
            self.close_client(idx);
            return;
        }
        let c = &mut self.clients[idx];
        let pending = !c.reply.is_empty();
        if pending != c.wants_writable {
            c.wants_writable = pending;
            let interest = if pending {
                Interest::READABLE | Interest::WRITABLE
            } else {
                Interest::READABLE
            };
            let _ = self
                .poll
                .registry()
                .reregister(&mut c.stream, Token(idx), interest);
        }
        if !pending {
            c.reply.shrink_if_idle(16 * 1024);
            if c.close_after_reply {
                self.pending_close.push(idx);
            }
        }
    }

    fn close_pending(&mut self) {
        let pending = std::mem::take(&mut self.pending_close);
        for idx in pending {
            if self.clients.contains(idx) {
                self.close_client(idx);
            }
        }
    }

    /// Disconnects a client and forgets everything it registered.
    pub(crate) fn close_client(&mut self, idx: usize) {
        if !self.clients.contains(idx) {
            return;
        }
        self.unwatch_all(idx);
        self.unblock_client(idx);
        self.unsubscribe_everything(idx);
        self.disable_tracking(idx);
        let mut c = self.clients.remove(idx);
        let _ = self.poll.registry().deregister(&mut c.stream);
        self.client_index.remove(&c.id);
        self.monitors.retain(|&id| id != c.id);
        crate::verbose!("Client closed connection id={} addr={}", c.id, c.addr);
    }

    /// Periodic work, `hz` times per second.
    fn cron(&mut self) {
        let period = 1000 / self.settings.hz.clamp(1, 500) as u64;
        self.next_cron_ms = self.now_ms + period;
        crate::alloc::observe_peak();
        // Active expiry: a bounded amount of work per tick, more when many
        // keys are due (the budget grows with active-expire-effort).
        let budget = 200 * self.settings.active_expire_effort.max(1) as usize;
        for i in 0..self.dbs.len() {
            let report = self.dbs[i].expire_due(self.now_ms, budget);
            if report.expired > 0 {
                self.stats.expired_stale_perc_hint = report.more_due;
            }
        }
        self.deliver_signals();
        self.tracking_limit();
        if let Some(p) = self.pause {
            if self.now_ms >= p.until_ms {
                self.pause = None;
                self.pending_input
                    .extend(self.clients.iter().map(|(i, _)| i));
            }
        }
        if self.settings.timeout_s > 0 {
            let limit_ms = self.settings.timeout_s * 1000;
            let idle: Vec<usize> = self
                .clients
                .iter()
                .filter(|(_, c)| {
                    c.blocked.is_none()
                        && c.subscription_count() == 0
                        && !c.monitor
                        && self.now_ms.saturating_sub(c.last_interaction_ms) > limit_ms
                })
                .map(|(i, _)| i)
                .collect();
            for idx in idle {
                crate::verbose!("Closing idle client");
                self.close_client(idx);
            }
        }
        self.stats.sample_instantaneous(self.now_ms);
    }

    fn finish_shutdown(&mut self) {
        crate::notice!("User requested shutdown...");
        self.flush_writes();
        if let Some(pidfile) = &self.settings.pidfile {
            let _ = std::fs::remove_file(pidfile);
        }
        crate::warning!("Shoal is now ready to exit, bye bye...");
    }
}

/// Binds every `bind` address on `port` and registers the listeners.
fn open_listeners(
    poll: &Poll,
    settings: &ServerSettings,
) -> io::Result<(Vec<TcpListener>, Vec<SocketAddr>)> {
    let mut listeners = Vec::new();
    let mut bound = Vec::new();
    for bind in settings.bind.iter() {
        let (optional, host) = match bind.strip_prefix('-') {
            Some(h) => (true, h),
            None => (false, bind.as_str()),
        };
        let addr: SocketAddr = format!("{}:{}", bracket_v6(host), settings.port)
            .parse()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("{host}: {e}")))?;
        let mut l = match bind_listener(addr, settings.tcp_backlog) {
            Ok(l) => l,
            Err(_) if optional => continue,
            Err(e) => return Err(io::Error::new(e.kind(), format!("{addr}: {e}"))),
        };
        bound.push(l.local_addr()?);
        let token = Token(LISTENER_TOKEN_BASE + listeners.len());
        poll.registry()
            .register(&mut l, token, Interest::READABLE)?;
        listeners.push(l);
    }
    Ok((listeners, bound))
}

impl Server {
    /// Replaces the listeners after `port` or `bind` changed (CONFIG SET);
    /// on failure the old ones stay.
    pub(crate) fn rebind(&mut self, next: &ServerSettings) -> Result<(), String> {
        let mut old = std::mem::take(&mut self.listeners);
        for l in &mut old {
            let _ = self.poll.registry().deregister(l);
        }
        match open_listeners(&self.poll, next) {
            Ok((listeners, bound)) => {
                self.listeners = listeners;
                self.bound = bound;
                Ok(())
            }
            Err(e) => {
                for (i, l) in old.iter_mut().enumerate() {
                    let _ = self.poll.registry().register(
                        l,
                        Token(LISTENER_TOKEN_BASE + i),
                        Interest::READABLE,
                    );
                }
                self.listeners = old;
                Err(format!("Unable to listen on this port: {e}"))
            }
        }
    }
}

fn bracket_v6(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn bind_listener(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    // mio's own bind uses a fixed backlog; build the socket by hand so
    // `tcp-backlog` is honoured and SO_REUSEADDR is set as Redis sets it.
    let domain = if addr.is_ipv4() {
        libc::AF_INET
    } else {
        libc::AF_INET6
    };
    // SAFETY: plain socket syscalls on a descriptor we own; every error is
    // checked and the descriptor is closed on failure.
    unsafe {
        let fd = libc::socket(
            domain,
            libc::SOCK_STREAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            0,
        );
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        let one: libc::c_int = 1;
        libc::setsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_REUSEADDR,
            (&one as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
        let (storage, len) = sockaddr_of(addr);
        if libc::bind(fd, (&storage as *const libc::sockaddr_storage).cast(), len) < 0
            || libc::listen(fd, backlog as libc::c_int) < 0
        {
            let e = io::Error::last_os_error();
            libc::close(fd);
            return Err(e);
        }
        Ok(TcpListener::from_std(std::os::fd::FromRawFd::from_raw_fd(
            fd,
        )))
    }
}

fn sockaddr_of(addr: SocketAddr) -> (libc::sockaddr_storage, libc::socklen_t) {
    // SAFETY: sockaddr_storage is plain data; all-zero is a valid value.
    let mut storage: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
    let len = match addr {
        SocketAddr::V4(a) => {
            let sin = libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: a.port().to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from_ne_bytes(a.ip().octets()),
                },
                sin_zero: [0; 8],
            };
            // SAFETY: sockaddr_in fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin) };
            std::mem::size_of::<libc::sockaddr_in>()
        }
        SocketAddr::V6(a) => {
            let sin6 = libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: a.port().to_be(),
                sin6_flowinfo: a.flowinfo(),
                sin6_addr: libc::in6_addr {
                    s6_addr: a.ip().octets(),
                },
                sin6_scope_id: a.scope_id(),
            };
            // SAFETY: sockaddr_in6 fits in sockaddr_storage.
            unsafe { std::ptr::write((&mut storage as *mut libc::sockaddr_storage).cast(), sin6) };
            std::mem::size_of::<libc::sockaddr_in6>()
        }
    };
    (storage, len as libc::socklen_t)
}

fn entropy_seed() -> u64 {
    let mut buf = [0u8; 8];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        if f.read_exact(&mut buf).is_ok() {
            return u64::from_ne_bytes(buf);
        }
    }
    unix_us() ^ (std::process::id() as u64) << 32
}
