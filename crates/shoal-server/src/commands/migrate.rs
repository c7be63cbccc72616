//! MIGRATE: moves keys to another node by sending it RESTORE commands with
//! DUMP payloads, then deletes them here.
//!
//! ```text
//! this node                                   target
//!   | connect (cached per host:port, 10 s idle)  |
//!   | AUTH [user] pass      (if given)           |
//!   | SELECT db             (new connection or   |
//!   |                        another db)         |
//!   | RESTORE[-ASKING] key ttl payload [REPLACE] |  one per key, pipelined
//!   |------------------------------------------->|
//!   |<-------------------- one reply line each --|
//!   | delete the acknowledged keys unless COPY   |
//! ```
//!
//! As in Redis the exchange is synchronous: the event loop waits on the
//! target for at most `timeout` ms per read or write. Cached connections
//! idle for more than 10 s are closed at the next MIGRATE (not by a timer).
//! Replication of the deletions is not done (Shoal has no replication
//! stream yet).

use crate::server::Server;
use shoal_commands::errors;
use shoal_commands::parse::{self, eq_ignore_case};
use shoal_resp::frame::encode_command;
use shoal_resp::request::Args;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// Idle time after which a cached connection is closed.
const CACHE_IDLE: Duration = Duration::from_secs(10);
/// Most connections kept at once.
const CACHE_MAX: usize = 64;
/// Write size per call, as Redis writes its buffer.
const WRITE_CHUNK: usize = 64 * 1024;

/// A cached connection to a target.
struct Cached {
    reader: BufReader<TcpStream>,
    /// Database the connection last SELECTed; `None` until the first.
    db: Option<i64>,
    last_use: Instant,
}

thread_local! {
    // The event loop is one thread, so a thread-local cache is the
    // server's cache without touching the server struct.
    static CACHE: RefCell<HashMap<String, Cached>> = RefCell::new(HashMap::new());
}

/// The options after `timeout`.
struct Options<'a> {
    copy: bool,
    replace: bool,
    user: Option<&'a [u8]>,
    password: Option<&'a [u8]>,
    keys: Vec<&'a [u8]>,
}

fn parse_options<'a>(args: &Args<'a>) -> Result<Options<'a>, &'static str> {
    let mut o = Options {
        copy: false,
        replace: false,
        user: None,
        password: None,
        keys: Vec::new(),
    };
    let mut keys_from = None;
    let mut i = 6;
    while i < args.len() {
        let a = args.get(i);
        let more = args.len() - i - 1;
        if eq_ignore_case(a, "copy") {
            o.copy = true;
        } else if eq_ignore_case(a, "replace") {
            o.replace = true;
        } else if eq_ignore_case(a, "auth") {
            if more == 0 {
                return Err(errors::SYNTAX);
            }
            o.password = Some(args.get(i + 1));
            i += 1;
        } else if eq_ignore_case(a, "auth2") {
            if more < 2 {
                return Err(errors::SYNTAX);
            }
            o.user = Some(args.get(i + 1));
            o.password = Some(args.get(i + 2));
            i += 2;
        } else if eq_ignore_case(a, "keys") {
            if !args.get(3).is_empty() {
                return Err("ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
            }
            keys_from = Some(i + 1);
            break;
        } else {
            return Err(errors::SYNTAX);
        }
        i += 1;
    }
    match keys_from {
        Some(from) => o.keys = (from..args.len()).map(|j| args.get(j)).collect(),
        None => o.keys = vec![args.get(3)],
    }
    Ok(o)
}

/// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
/// [AUTH password] [AUTH2 username password] [KEYS key ...]
pub fn migrate(s: &mut Server, idx: usize, args: Args<'_>) {
    let opts = match parse_options(&args) {
        Ok(o) => o,
        Err(e) => return s.clients[idx].reply.error(e),
    };
    let (Some(timeout_ms), Some(target_db)) = (parse::int(args.get(5)), parse::int(args.get(4)))
    else {
        return s.clients[idx].reply.error(errors::NOT_INTEGER);
    };
    let timeout = Duration::from_millis(if timeout_ms <= 0 {
        1000
    } else {
        timeout_ms as u64
    });
    let db = s.clients[idx].db;
    let now = s.now_ms;

    // The keys that exist, with their payloads and remaining TTLs.
    let mut batch: Vec<(&[u8], u64, Vec<u8>)> = Vec::new();
    for &key in &opts.keys {
        let Some(entry) = s.dbs[db].peek(key, now) else {
            continue;
        };
        let ttl = entry
            .expire_at()
            .map_or(0, |at| at.saturating_sub(now).max(1));
        batch.push((key, ttl, shoal_persist::dump_value(&entry.value)));
    }
    if batch.is_empty() {
        return s.clients[idx].reply.simple("NOKEY");
    }

    let host = String::from_utf8_lossy(args.get(1)).into_owned();
    let port = String::from_utf8_lossy(args.get(2)).into_owned();
    let restore_name: &[u8] = if s.settings.cluster_enabled {
        b"RESTORE-ASKING"
    } else {
        b"RESTORE"
    };
    let request = Request {
        opts: &opts,
        target_db,
        batch: &batch,
        restore_name,
    };
    let addr = format!("{host}:{port}");
    let result = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        cache.retain(|_, c| c.last_use.elapsed() < CACHE_IDLE);
        let mut retried = false;
        loop {
            if !cache.contains_key(&addr) {
                let Some(conn) = connect(&host, &port, timeout) else {
                    return Err(Failure::Connect);
                };
                if cache.len() >= CACHE_MAX {
                    // Drop the least recently used one.
                    if let Some(old) = cache
                        .iter()
                        .min_by_key(|(_, c)| c.last_use)
                        .map(|(k, _)| k.clone())
                    {
                        cache.remove(&old);
                    }
                }
                cache.insert(addr.clone(), conn);
            }
            let conn = cache.get_mut(&addr).expect("inserted above");
            conn.last_use = Instant::now();
            match exchange(conn, &request) {
                Ok(replies) => return Ok(replies),
                Err((failure, replied)) => {
                    cache.remove(&addr);
                    // A stale cached connection fails before any reply;
                    // try once more on a fresh one, unless it timed out.
                    let timed_out = matches!(failure, Failure::Timeout(_));
                    if !retried && replied == 0 && !timed_out {
                        retried = true;
                        continue;
                    }
                    return Err(failure);
                }
            }
        }
    });

    match result {
        Err(Failure::Connect) => s.clients[idx]
            .reply
            .error("IOERR error or timeout connecting to the client"),
        Err(Failure::Io(stage) | Failure::Timeout(stage)) => {
            let msg = format!("IOERR error or timeout {stage} target instance");
            s.clients[idx].reply.error(&msg)
        }
        Ok(replies) => {
            // A failed AUTH or SELECT counts against every key, as in
            // Redis: nothing is deleted then.
            let preamble_failed = replies.preamble_error.is_some();
            let mut first_error: Option<String> = replies.preamble_error;
            for ((key, _, _), reply) in batch.iter().zip(&replies.keys) {
                if let Some(e) = reply.strip_prefix('-') {
                    first_error.get_or_insert_with(|| e.to_string());
                } else if !opts.copy && !preamble_failed && s.dbs[db].remove(key, now).is_some() {
                    s.dirty += 1;
                }
            }
            match first_error {
                Some(e) => {
                    // A failed AUTH or SELECT leaves the db unknown.
                    CACHE.with(|c| {
                        if let Some(conn) = c.borrow_mut().get_mut(&addr) {
                            conn.db = None;
                        }
                    });
                    let msg = format!("ERR Target instance replied with error: {e}");
                    s.clients[idx].reply.error(&msg)
                }
                None => s.clients[idx].reply.ok(),
            }
        }
    }
}

/// What one exchange sends.
struct Request<'a> {
    opts: &'a Options<'a>,
    target_db: i64,
    batch: &'a [(&'a [u8], u64, Vec<u8>)],
    restore_name: &'a [u8],
}

/// The reply lines of one exchange.
struct Replies {
    /// The first error of AUTH or SELECT, without its `-`.
    preamble_error: Option<String>,
    /// One line per key, in order.
    keys: Vec<String>,
}

enum Failure {
    Connect,
    /// A socket error while "writing to" or "reading to" the target.
    Io(&'static str),
    /// A timeout, which is not retried.
    Timeout(&'static str),
}

fn connect(host: &str, port: &str, timeout: Duration) -> Option<Cached> {
    let port: u16 = port.parse().ok()?;
    let addr = (host, port).to_socket_addrs().ok()?.next()?;
    let stream = TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_nodelay(true).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    Some(Cached {
        reader: BufReader::new(stream),
        db: None,
        last_use: Instant::now(),
    })
}

fn classify(e: &io::Error, stage: &'static str) -> Failure {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Failure::Timeout(stage),
        _ => Failure::Io(stage),
    }
}

/// Sends the pipeline and reads every reply line. On failure, also says
/// how many replies had been read.
fn exchange(conn: &mut Cached, req: &Request<'_>) -> Result<Replies, (Failure, usize)> {
    let mut out = Vec::new();
    let mut expected_preamble = 0;
    if let Some(pass) = req.opts.password {
        match req.opts.user {
            Some(user) => encode_command(&[&b"AUTH"[..], user, pass], &mut out),
            None => encode_command(&[&b"AUTH"[..], pass], &mut out),
        }
        expected_preamble += 1;
    }
    let select = conn.db != Some(req.target_db);
    if select {
        let db = req.target_db.to_string();
        encode_command(&[&b"SELECT"[..], db.as_bytes()], &mut out);
        expected_preamble += 1;
    }
    for (key, ttl, payload) in req.batch {
        let ttl = ttl.to_string();
        let mut cmd: Vec<&[u8]> = vec![req.restore_name, key, ttl.as_bytes(), payload];
        if req.opts.replace {
            cmd.push(b"REPLACE");
        }
        encode_command(&cmd, &mut out);
    }
    const WRITING: &str = "writing to";
    const READING: &str = "reading to";
    for chunk in out.chunks(WRITE_CHUNK) {
        if let Err(e) = conn.reader.get_mut().write_all(chunk) {
            return Err((classify(&e, WRITING), 0));
        }
    }
    let mut replies = Replies {
        preamble_error: None,
        keys: Vec::with_capacity(req.batch.len()),
    };
    for (read, i) in (0..expected_preamble + req.batch.len()).enumerate() {
        let mut line = String::new();
        match conn.reader.read_line(&mut line) {
            Ok(0) => return Err((Failure::Io(READING), read)),
            Ok(_) => {}
            Err(e) => return Err((classify(&e, READING), read)),
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if i < expected_preamble {
            if let Some(e) = line.strip_prefix('-') {
                replies.preamble_error.get_or_insert_with(|| e.to_string());
            }
        } else {
            replies.keys.push(line);
        }
    }
    if select && replies.preamble_error.is_none() {
        conn.db = Some(req.target_db);
    }
    Ok(replies)
}
