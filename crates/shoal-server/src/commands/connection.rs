//! Connection commands: PING ECHO SELECT AUTH HELLO QUIT RESET and CLIENT.

use crate::client::{Client, ReplyMode};
use crate::server::{Pause, Server};
use shoal_commands::{errors, parse};
use shoal_resp::request::Args;
use shoal_resp::Protocol;

/// The version Shoal reports where clients gate features on it: the Redis
/// release whose behaviour it implements.
pub const COMPAT_VERSION: &str = "7.0.15";

/// PING [message]
pub fn ping(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() > 2 {
        s.clients[idx].reply.error(&errors::wrong_arity("ping"));
        return;
    }
    let c = &mut s.clients[idx];
    if c.in_pubsub_context() {
        c.reply.array(2);
        c.reply.bulk(b"pong");
        c.reply
            .bulk(if args.len() == 2 { args.get(1) } else { b"" });
    } else if args.len() == 2 {
        c.reply.bulk(args.get(1));
    } else {
        c.reply.simple("PONG");
    }
}

/// ECHO message
pub fn echo(s: &mut Server, idx: usize, args: Args<'_>) {
    s.clients[idx].reply.bulk(args.get(1));
}

/// SELECT index
pub fn select(s: &mut Server, idx: usize, args: Args<'_>) {
    let c = &mut s.clients[idx];
    let Some(n) = parse::int(args.get(1)) else {
        c.reply.error(errors::NOT_INTEGER);
        return;
    };
    if s.settings.cluster_enabled && n != 0 {
        c.reply.error("ERR SELECT is not allowed in cluster mode");
        return;
    }
    if n < 0 || n as usize >= s.dbs.len() {
        c.reply.error(errors::DB_OUT_OF_RANGE);
        return;
    }
    c.db = n as usize;
    c.reply.ok();
}

/// Checks credentials for the default user; the error text on failure.
fn check_password(s: &Server, user: Option<&[u8]>, pass: &[u8]) -> Result<(), &'static str> {
    const WRONGPASS: &str = "WRONGPASS invalid username-password pair or user is disabled.";
    if user.is_some_and(|u| u != b"default") {
        return Err(WRONGPASS);
    }
    match &s.settings.requirepass {
        // With no password, the default user accepts any password only
        // through HELLO; AUTH reports the misconfiguration (handled there).
        None => Ok(()),
        Some(p) if p.as_slice() == pass => Ok(()),
        Some(_) => Err(WRONGPASS),
    }
}

/// AUTH [username] password
pub fn auth(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() > 3 {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    }
    let (user, pass) = if args.len() == 3 {
        (Some(args.get(1)), args.get(2))
    } else {
        (None, args.get(1))
    };
    if user.is_none() && s.settings.requirepass.is_none() {
        s.clients[idx].reply.error("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        return;
    }
    match check_password(s, user, pass) {
        Ok(()) => {
            let c = &mut s.clients[idx];
            c.authenticated = true;
            c.reply.ok();
        }
        Err(e) => {
            crate::verbose!("AUTH failed from {}", s.clients[idx].addr);
            s.clients[idx].reply.error(e)
        }
    }
}

/// HELLO [protover [AUTH username password] [SETNAME clientname]]
pub fn hello(s: &mut Server, idx: usize, args: Args<'_>) {
    let mut proto = None;
    let mut i = 1;
    if args.len() >= 2 {
        match parse::int(args.get(1)) {
            Some(2) => proto = Some(Protocol::Resp2),
            Some(3) => proto = Some(Protocol::Resp3),
            Some(_) => {
                s.clients[idx]
                    .reply
                    .error("NOPROTO unsupported protocol version");
                return;
            }
            None => {
                s.clients[idx]
                    .reply
                    .error("ERR Protocol version is not an integer or out of range");
                return;
            }
        }
        i = 2;
    }
    let mut auth: Option<(&[u8], &[u8])> = None;
    let mut setname: Option<&[u8]> = None;
    while i < args.len() {
        let a = args.get(i);
        let left = args.len() - i - 1;
        if parse::eq_ignore_case(a, "auth") && left >= 2 {
            auth = Some((args.get(i + 1), args.get(i + 2)));
            i += 3;
        } else if parse::eq_ignore_case(a, "setname") && left >= 1 {
            setname = Some(args.get(i + 1));
            i += 2;
        } else {
            let msg = format!(
                "ERR Syntax error in HELLO option '{}'",
                String::from_utf8_lossy(a)
            );
            s.clients[idx].reply.error(&msg);
            return;
        }
    }
    if let Some((user, pass)) = auth {
        if let Err(e) = check_password(s, Some(user), pass) {
            s.clients[idx].reply.error(e);
            return;
        }
        s.clients[idx].authenticated = true;
    }
    if !s.clients[idx].authenticated {
        s.clients[idx].reply.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if let Some(name) = setname {
        if let Err(e) = validate_client_name(name) {
            s.clients[idx].reply.error(e);
            return;
        }
        s.clients[idx].name = (!name.is_empty()).then(|| name.to_vec());
    }
    let mode = if s.settings.cluster_enabled {
        "cluster"
    } else {
        "standalone"
    };
    let c = &mut s.clients[idx];
    if let Some(p) = proto {
        c.reply.set_protocol(p);
    }
    let id = c.id as i64;
    let r = &mut c.reply;
    r.map(7);
    r.bulk(b"server");
    r.bulk(b"redis");
    r.bulk(b"version");
    r.bulk(COMPAT_VERSION.as_bytes());
    r.bulk(b"proto");
    r.integer(r.protocol().version());
    r.bulk(b"id");
    r.integer(id);
    r.bulk(b"mode");
    r.bulk(mode.as_bytes());
    r.bulk(b"role");
    r.bulk(b"master");
    r.bulk(b"modules");
    r.empty_array();
}

/// QUIT
pub fn quit(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    c.reply.ok();
    c.close_after_reply = true;
}

/// RESET: back to a fresh connection's state.
pub fn reset(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.unwatch_all(idx);
    s.disable_tracking(idx);
    s.unsubscribe_everything(idx);
    let id = s.clients[idx].id;
    s.monitors.retain(|&m| m != id);
    let needs_auth = s.settings.requirepass.is_some();
    let c = &mut s.clients[idx];
    c.multi = None;
    c.db = 0;
    c.name = None;
    c.reply_mode = ReplyMode::On;
    c.monitor = false;
    c.no_evict = false;
    c.reply.set_protocol(Protocol::Resp2);
    if needs_auth {
        c.authenticated = false;
    }
    c.reply.simple("RESET");
}

fn validate_client_name(name: &[u8]) -> Result<(), &'static str> {
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    Ok(())
}

/// CLIENT ID
pub fn client_id(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    c.reply.integer(c.id as i64);
}

/// CLIENT SETNAME name
pub fn client_setname(s: &mut Server, idx: usize, args: Args<'_>) {
    let name = args.get(2);
    let c = &mut s.clients[idx];
    match validate_client_name(name) {
        Ok(()) => {
            c.name = (!name.is_empty()).then(|| name.to_vec());
            c.reply.ok();
        }
        Err(e) => c.reply.error(e),
    }
}

/// CLIENT GETNAME
pub fn client_getname(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    match c.name.clone() {
        Some(n) => c.reply.bulk(&n),
        None => c.reply.null(),
    }
}

/// One CLIENT LIST line (without the newline), in Redis 7.0's field order.
pub fn client_line(s: &Server, c: &Client, now_ms: u64) -> String {
    let fd = std::os::fd::AsRawFd::as_raw_fd(&c.stream);
    let laddr = c.local_addr.map(|a| a.to_string()).unwrap_or_default();
    let multi = c.multi.as_ref().map_or(-1, |m| m.queued.len() as i64);
    // The running client's buffer is lent to the executor: report it as
    // it was when its commands started, as Redis does.
    let (qbuf, qbuf_cap) = c.query_lent.unwrap_or((c.query.len(), c.query.capacity()));
    let qbuf_free = qbuf_cap - qbuf;
    let omem = c.reply.capacity();
    let tot_mem = qbuf + qbuf_free + omem + std::mem::size_of::<Client>();
    let events = if c.reply.is_empty() { "r" } else { "rw" };
    let cmd = c.last_command;
    let _ = s;
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} events={} cmd={} user=default redir={} resp={}",
        c.id,
        c.addr,
        laddr,
        fd,
        String::from_utf8_lossy(c.name.as_deref().unwrap_or(b"")),
        now_ms.saturating_sub(c.created_ms) / 1000,
        now_ms.saturating_sub(c.last_interaction_ms) / 1000,
        c.flags_string(),
        c.db,
        c.channels.len(),
        c.patterns.len(),
        c.shard_channels.len(),
        multi,
        qbuf,
        qbuf_free,
        c.argv.heap_size(),
        c.multi.as_ref().map_or(0, |m| m.queued.iter().map(|(_, a)| a.heap_size()).sum::<usize>()),
        qbuf_cap,
        qbuf,
        0,
        0,
        omem,
        tot_mem,
        events,
        cmd,
        if c.tracking.on { c.tracking.redirect as i64 } else { -1 },
        c.reply.protocol().version()
    )
}

/// CLIENT LIST [TYPE type] [ID id ...]
pub fn client_list(s: &mut Server, idx: usize, args: Args<'_>) {
    let mut ids: Option<Vec<u64>> = None;
    let mut kind: Option<Vec<u8>> = None;
    let mut i = 2;
    while i < args.len() {
        let a = args.get(i);
        if parse::eq_ignore_case(a, "type") && i + 1 < args.len() {
            let t = args.get(i + 1).to_ascii_lowercase();
            if !matches!(
                t.as_slice(),
                b"normal" | b"master" | b"replica" | b"slave" | b"pubsub"
            ) {
                let msg = format!(
                    "ERR Unknown client type '{}'",
                    String::from_utf8_lossy(args.get(i + 1))
                );
                s.clients[idx].reply.error(&msg);
                return;
            }
            kind = Some(t);
            i += 2;
        } else if parse::eq_ignore_case(a, "id") && i + 1 < args.len() {
            let mut list = Vec::new();
            for a in args.skip(i + 1).iter() {
                match parse::int(a) {
                    Some(n) if n > 0 => list.push(n as u64),
                    _ => {
                        s.clients[idx].reply.error("ERR Invalid client ID");
                        return;
                    }
                }
            }
            ids = Some(list);
            i = args.len();
        } else {
            s.clients[idx].reply.error(errors::SYNTAX);
            return;
        }
    }
    let now = s.now_ms;
    let mut text = String::new();
    for (_, c) in s.clients.iter() {
        if let Some(ids) = &ids {
            if !ids.contains(&c.id) {
                continue;
            }
        }
        if let Some(k) = &kind {
            let is_pubsub = c.subscription_count() + c.shard_channels.len() > 0;
            let matches = match k.as_slice() {
                b"pubsub" => is_pubsub,
                b"normal" => !is_pubsub,
                _ => false,
            };
            if !matches {
                continue;
            }
        }
        text.push_str(&client_line(s, c, now));
        text.push('\n');
    }
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

/// CLIENT INFO
pub fn client_info(s: &mut Server, idx: usize, _args: Args<'_>) {
    let mut line = client_line(s, &s.clients[idx], s.now_ms);
    line.push('\n');
    s.clients[idx].reply.verbatim("txt", line.as_bytes());
}

/// CLIENT KILL addr:port | CLIENT KILL <filter> <value> ...
pub fn client_kill(s: &mut Server, idx: usize, args: Args<'_>) {
    let me = s.clients[idx].id;
    if args.len() == 3 {
        let addr = args.get(2);
        let target = s
            .clients
            .iter()
            .find(|(_, c)| c.addr.to_string().as_bytes() == addr)
            .map(|(i, _)| i);
        match target {
            Some(t) => {
                kill(s, t, me);
                s.clients[idx].reply.ok();
            }
            None => s.clients[idx].reply.error("ERR No such client"),
        }
        return;
    }
    if args.len() % 2 != 0 {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    }
    let (mut id, mut addr, mut laddr, mut kind, mut skipme, mut maxage) =
        (None, None, None, None, true, None);
    let mut i = 2;
    while i + 1 < args.len() {
        let (k, v) = (args.get(i), args.get(i + 1));
        if parse::eq_ignore_case(k, "id") {
            match parse::int(v) {
                Some(n) if n > 0 => id = Some(n as u64),
                _ => {
                    s.clients[idx]
                        .reply
                        .error("ERR client-id should be greater than 0");
                    return;
                }
            }
        } else if parse::eq_ignore_case(k, "addr") {
            addr = Some(v.to_vec());
        } else if parse::eq_ignore_case(k, "laddr") {
            laddr = Some(v.to_vec());
        } else if parse::eq_ignore_case(k, "type") {
            kind = Some(v.to_ascii_lowercase());
        } else if parse::eq_ignore_case(k, "user") {
            if v != b"default" {
                let msg = format!("ERR No such user '{}'", String::from_utf8_lossy(v));
                s.clients[idx].reply.error(&msg);
                return;
            }
        } else if parse::eq_ignore_case(k, "skipme") {
            if parse::eq_ignore_case(v, "yes") {
                skipme = true;
            } else if parse::eq_ignore_case(v, "no") {
                skipme = false;
            } else {
                s.clients[idx].reply.error(errors::SYNTAX);
                return;
            }
        } else if parse::eq_ignore_case(k, "maxage") {
            match parse::int(v) {
                Some(n) if n >= 0 => maxage = Some(n as u64),
                _ => {
                    s.clients[idx].reply.error(errors::SYNTAX);
                    return;
                }
            }
        } else {
            s.clients[idx].reply.error(errors::SYNTAX);
            return;
        }
        i += 2;
    }
    let now = s.now_ms;
    let targets: Vec<usize> = s
        .clients
        .iter()
        .filter(|(_, c)| {
            id.is_none_or(|x| c.id == x)
                && addr
                    .as_ref()
                    .is_none_or(|a| c.addr.to_string().as_bytes() == a.as_slice())
                && laddr.as_ref().is_none_or(|a| {
                    c.local_addr.map(|l| l.to_string().into_bytes()).as_deref()
                        == Some(a.as_slice())
                })
                && kind.as_ref().is_none_or(|k| match k.as_slice() {
                    b"normal" => c.subscription_count() == 0,
                    b"pubsub" => c.subscription_count() > 0,
                    _ => false,
                })
                && maxage.is_none_or(|m| now.saturating_sub(c.created_ms) / 1000 >= m)
                && !(skipme && c.id == me)
        })
        .map(|(i, _)| i)
        .collect();
    for &t in &targets {
        kill(s, t, me);
    }
    s.clients[idx].reply.integer(targets.len() as i64);
}

/// Kills a client: the caller itself is closed after its reply is sent.
fn kill(s: &mut Server, target: usize, me: u64) {
    if s.clients[target].id == me {
        s.clients[target].close_after_reply = true;
    } else {
        s.pending_close.push(target);
    }
}

/// CLIENT REPLY ON|OFF|SKIP
pub fn client_reply(s: &mut Server, idx: usize, args: Args<'_>) {
    let c = &mut s.clients[idx];
    let a = args.get(2);
    if parse::eq_ignore_case(a, "on") {
        c.reply_mode = ReplyMode::On;
        c.reply.ok();
    } else if parse::eq_ignore_case(a, "off") {
        c.reply_mode = ReplyMode::Off;
    } else if parse::eq_ignore_case(a, "skip") {
        if c.reply_mode != ReplyMode::Off {
            c.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        c.reply.error(errors::SYNTAX);
    }
}

/// CLIENT NO-EVICT ON|OFF
pub fn client_no_evict(s: &mut Server, idx: usize, args: Args<'_>) {
    let c = &mut s.clients[idx];
    let a = args.get(2);
    if parse::eq_ignore_case(a, "on") {
        c.no_evict = true;
        c.reply.ok();
    } else if parse::eq_ignore_case(a, "off") {
        c.no_evict = false;
        c.reply.ok();
    } else {
        c.reply.error(errors::SYNTAX);
    }
}

/// CLIENT PAUSE timeout [WRITE|ALL]
pub fn client_pause(s: &mut Server, idx: usize, args: Args<'_>) {
    let Some(ms) = parse::int(args.get(2)).filter(|&n| n >= 0) else {
        s.clients[idx].reply.error(errors::TIMEOUT_NOT_INTEGER);
        return;
    };
    let writes_only = match args.len() {
        3 => false,
        4 if parse::eq_ignore_case(args.get(3), "write") => true,
        4 if parse::eq_ignore_case(args.get(3), "all") => false,
        _ => {
            s.clients[idx].reply.error(errors::SYNTAX);
            return;
        }
    };
    let until_ms = s.now_ms.saturating_add(ms as u64);
    // A longer or stricter pause wins over one already in force.
    s.pause = Some(match s.pause {
        Some(p) => Pause {
            until_ms: p.until_ms.max(until_ms),
            writes_only: p.writes_only && writes_only,
        },
        None => Pause {
            until_ms,
            writes_only,
        },
    });
    s.clients[idx].reply.ok();
}

/// CLIENT UNPAUSE
pub fn client_unpause(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.pause = None;
    let all: Vec<usize> = s.clients.iter().map(|(i, _)| i).collect();
    s.pending_input.extend(all);
    s.clients[idx].reply.ok();
}

/// CLIENT UNBLOCK id [TIMEOUT|ERROR]
pub fn client_unblock(s: &mut Server, idx: usize, args: Args<'_>) {
    let Some(id) = parse::int(args.get(2)) else {
        s.clients[idx].reply.error(errors::NOT_INTEGER);
        return;
    };
    let error = match args.len() {
        3 => false,
        4 if parse::eq_ignore_case(args.get(3), "timeout") => false,
        4 if parse::eq_ignore_case(args.get(3), "error") => true,
        _ => {
            s.clients[idx]
                .reply
                .error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    };
    let target = s.client_index.get(&(id as u64)).copied();
    match target {
        Some(t) if s.clients[t].blocked.is_some() => {
            let msg = error.then_some("UNBLOCKED client unblocked via CLIENT UNBLOCK");
            s.unblock_with_timeout(t, msg);
            s.clients[idx].reply.integer(1);
        }
        _ => s.clients[idx].reply.integer(0),
    }
}

/// Writes a HELP reply: the header line and then the lines.
pub fn help_reply(s: &mut Server, idx: usize, command: &str, lines: &[&str]) {
    let r = &mut s.clients[idx].reply;
    r.array(lines.len() + 1);
    r.simple(&format!(
        "{command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:"
    ));
    for l in lines {
        r.simple(l);
    }
}

/// CLIENT HELP
pub fn client_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "CLIENT",
        &[
            "CACHING (YES|NO)",
            "    Track, or do not track, the keys read by the next command (OPTIN/OPTOUT modes).",
            "GETREDIR",
            "    Return the ID of the client that receives this connection's invalidations.",
            "ID",
            "    Return the ID of the current connection.",
            "INFO",
            "    Return information about the current client connection.",
            "GETNAME",
            "    Return the name of the current connection.",
            "KILL <ip:port>",
            "    Kill connection made from <ip:port>.",
            "KILL <option> <value> [<option> <value> [...]]",
            "    Kill connections. Options are: ID, ADDR, LADDR, TYPE, USER, SKIPME, MAXAGE.",
            "LIST [options ...]",
            "    Return information about client connections. Options: TYPE, ID.",
            "UNPAUSE",
            "    Stop the current client pause, resuming traffic.",
            "PAUSE <timeout> [WRITE|ALL]",
            "    Suspend clients for <timeout> milliseconds.",
            "REPLY (ON|OFF|SKIP)",
            "    Control the replies sent to the current connection.",
            "SETNAME <name>",
            "    Assign the name <name> to the current connection.",
            "UNBLOCK <clientid> [TIMEOUT|ERROR]",
            "    Unblock the specified blocked client.",
            "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
            "         [OPTIN] [OPTOUT] [NOLOOP]",
            "    Turn client-side caching invalidation messages on or off.",
            "TRACKINGINFO",
            "    Return the client-side caching settings of the current connection.",
            "NO-EVICT (ON|OFF)",
            "    Protect the current client connection from eviction.",
            "HELP",
            "    Print this help.",
        ],
    );
}
