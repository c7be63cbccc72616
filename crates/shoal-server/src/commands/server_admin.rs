//! Server administration: CONFIG, TIME, LASTSAVE, DEBUG, SHUTDOWN, MONITOR,
//! persistence triggers, ROLE, WAIT, READONLY/READWRITE.

use super::connection::help_reply;
use crate::server::{Server, ShutdownRequest};
use shoal_commands::{errors, parse};
use shoal_config::ProtectedAction;
use shoal_keyspace::{Ttl, Value};
use shoal_resp::request::Args;

/// CONFIG GET parameter [parameter ...]
pub fn config_get(s: &mut Server, idx: usize, args: Args<'_>) {
    let patterns: Vec<&[u8]> = args.skip(2).iter().collect();
    let pairs = s.config_get(&patterns);
    let r = &mut s.clients[idx].reply;
    r.map(pairs.len());
    for (k, v) in pairs {
        r.bulk(k.as_bytes());
        r.bulk(&v);
    }
}

/// CONFIG SET parameter value [parameter value ...]
pub fn config_set(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() % 2 != 0 {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    }
    let pairs: Vec<(&[u8], &[u8])> = (2..args.len())
        .step_by(2)
        .map(|i| (args.get(i), args.get(i + 1)))
        .collect();
    let local = s.clients[idx].addr.ip().is_loopback();
    match s.config_set(&pairs, local) {
        Ok(()) => s.clients[idx].reply.ok(),
        Err(e) => s.clients[idx].reply.error(&e),
    }
}

/// CONFIG RESETSTAT
pub fn config_resetstat(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.stats.reset();
    for c in s.registry.iter_mut() {
        c.calls = 0;
        c.usec = 0;
        c.rejected_calls = 0;
        c.failed_calls = 0;
        c.latency = None;
    }
    for db in &mut s.dbs {
        db.stats = Default::default();
    }
    s.clients[idx].reply.ok();
}

/// CONFIG REWRITE
pub fn config_rewrite(s: &mut Server, idx: usize, _args: Args<'_>) {
    match s.config_rewrite() {
        Ok(()) => s.clients[idx].reply.ok(),
        Err(e) => s.clients[idx].reply.error(&e),
    }
}

/// CONFIG HELP
pub fn config_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "CONFIG",
        &[
            "GET <pattern>",
            "    Values of the parameters matching the glob-style <pattern>.",
            "SET <directive> <value>",
            "    Change a parameter at run time.",
            "RESETSTAT",
            "    Zero the statistics INFO reports.",
            "REWRITE",
            "    Write the running configuration back to the config file.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// TIME
pub fn time(s: &mut Server, idx: usize, _args: Args<'_>) {
    let us = crate::server::unix_us();
    let r = &mut s.clients[idx].reply;
    r.array(2);
    r.bulk_integer((us / 1_000_000) as i64);
    r.bulk_integer((us % 1_000_000) as i64);
}

/// LASTSAVE
pub fn lastsave(s: &mut Server, idx: usize, _args: Args<'_>) {
    let t = s.lastsave_s;
    s.clients[idx].reply.integer(t as i64);
}

/// DEBUG subcommand [...]
pub fn debug(s: &mut Server, idx: usize, args: Args<'_>) {
    let local = s.clients[idx].addr.ip().is_loopback();
    let allowed = match s.settings.enable_debug_command {
        ProtectedAction::Yes => true,
        ProtectedAction::Local => local,
        ProtectedAction::No => false,
    };
    if !allowed {
        s.clients[idx].reply.error("ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
        return;
    }
    let sub = args.get(1).to_ascii_lowercase();
    match sub.as_slice() {
        b"sleep" if args.len() == 3 => {
            let secs = parse::float(args.get(2)).unwrap_or(0.0).max(0.0);
            std::thread::sleep(std::time::Duration::from_secs_f64(secs));
            s.clients[idx].reply.ok();
        }
        b"populate" if (3..=5).contains(&args.len()) => debug_populate(s, idx, args),
        b"set-active-expire" if args.len() == 3 => s.clients[idx].reply.ok(),
        b"object" if args.len() == 3 => {
            let db = s.clients[idx].db;
            let now = s.now_ms;
            let line = s.dbs[db].peek(args.get(2), now).map(|e| {
                format!(
                    "Value at:0x0 refcount:1 encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
                    e.value.encoding_name(),
                    e.value.as_str().map_or(0, |v| v.len()),
                    e.access(),
                    shoal_keyspace::access::lru_idle_ms(e.access(), now) / 1000
                )
            });
            match line {
                Some(l) => s.clients[idx].reply.simple(&l),
                None => s.clients[idx].reply.error("ERR no such key"),
            }
        }
        b"help" => help_reply(
            s,
            idx,
            "DEBUG",
            &[
                "OBJECT <key>",
                "    Low level details of the value of <key>.",
                "POPULATE <count> [<prefix>] [<size>]",
                "    Create <count> string keys <prefix>:<n> (prefix 'key', values 'value:<n>' or <size> bytes).",
                "SLEEP <seconds>",
                "    Block the server for <seconds> (decimals allowed).",
                "SET-ACTIVE-EXPIRE <0|1>",
                "    Accepted for compatibility; Shoal's expiry is always active.",
            ],
        ),
        _ => {
            let msg = errors::unknown_subcommand_or_arity(args.get(1), "DEBUG");
            s.clients[idx].reply.error(&msg);
        }
    }
}

fn debug_populate(s: &mut Server, idx: usize, args: Args<'_>) {
    let Some(count) = parse::int(args.get(2)).filter(|&n| n >= 0) else {
        s.clients[idx].reply.error(errors::NOT_INTEGER);
        return;
    };
    let prefix = if args.len() >= 4 {
        args.get(3).to_vec()
    } else {
        b"key".to_vec()
    };
    let size = if args.len() == 5 {
        match parse::int(args.get(4)) {
            Some(n) if n >= 0 => Some(n as usize),
            _ => {
                s.clients[idx].reply.error(errors::NOT_INTEGER);
                return;
            }
        }
    } else {
        None
    };
    let db = s.clients[idx].db;
    let now = s.now_ms;
    for i in 0..count {
        let mut key = prefix.clone();
        key.push(b':');
        key.extend_from_slice(itoa::Buffer::new().format(i).as_bytes());
        if s.dbs[db].contains(&key, now) {
            continue;
        }
        let mut value = format!("value:{i}").into_bytes();
        if let Some(n) = size {
            value.resize(n, 0);
        }
        s.dbs[db].set(&key, Value::string(&value), Ttl::Clear, now);
    }
    s.clients[idx].reply.ok();
}

/// SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]
pub fn shutdown(s: &mut Server, idx: usize, args: Args<'_>) {
    for a in args.skip(1).iter() {
        let ok = ["nosave", "save", "now", "force", "abort"]
            .iter()
            .any(|k| parse::eq_ignore_case(a, k));
        if !ok {
            s.clients[idx].reply.error(errors::SYNTAX);
            return;
        }
        if parse::eq_ignore_case(a, "abort") {
            s.clients[idx].reply.error("ERR No shutdown in progress.");
            return;
        }
    }
    // No reply on success: the connection closes, as with Redis.
    s.shutdown = Some(ShutdownRequest::Graceful);
}

/// MONITOR
pub fn monitor(s: &mut Server, idx: usize, _args: Args<'_>) {
    let c = &mut s.clients[idx];
    if c.monitor {
        c.reply.ok();
        return;
    }
    c.monitor = true;
    let id = c.id;
    c.reply.ok();
    s.monitors.push(id);
}

/// SAVE
pub fn save(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.clients[idx]
        .reply
        .error("ERR persistence is not implemented in Shoal yet");
}

/// BGSAVE [SCHEDULE]
pub fn bgsave(s: &mut Server, idx: usize, _args: Args<'_>) {
    save(s, idx, _args);
}

/// BGREWRITEAOF
pub fn bgrewriteaof(s: &mut Server, idx: usize, _args: Args<'_>) {
    save(s, idx, _args);
}

/// ROLE
pub fn role(s: &mut Server, idx: usize, _args: Args<'_>) {
    let r = &mut s.clients[idx].reply;
    r.array(3);
    r.bulk(b"master");
    r.integer(0);
    r.empty_array();
}

/// WAIT numreplicas timeout
pub fn wait(s: &mut Server, idx: usize, args: Args<'_>) {
    let (Some(_), Some(t)) = (parse::int(args.get(1)), parse::int(args.get(2))) else {
        s.clients[idx].reply.error(errors::NOT_INTEGER);
        return;
    };
    if t < 0 {
        s.clients[idx].reply.error(errors::TIMEOUT_NEGATIVE);
        return;
    }
    // No replicas yet: nothing to wait for.
    s.clients[idx].reply.integer(0);
}

/// READONLY
pub fn readonly(s: &mut Server, idx: usize, _args: Args<'_>) {
    if !s.settings.cluster_enabled {
        s.clients[idx]
            .reply
            .error("ERR This instance has cluster support disabled");
        return;
    }
    s.clients[idx].readonly = true;
    s.clients[idx].reply.ok();
}

/// READWRITE
pub fn readwrite(s: &mut Server, idx: usize, _args: Args<'_>) {
    if !s.settings.cluster_enabled {
        s.clients[idx]
            .reply
            .error("ERR This instance has cluster support disabled");
        return;
    }
    s.clients[idx].readonly = false;
    s.clients[idx].reply.ok();
}

/// MODULE HELP
pub fn module_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "MODULE",
        &[
            "LIST",
            "    Return the loaded modules (Shoal loads none).",
            "LOAD <path> [<arg> ...]",
            "    Load the module library at <path> with the given arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load the module library at <path> with configuration values and arguments.",
            "UNLOAD <name>",
            "    Unload the module called <name>.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// MODULE LIST: Shoal runs no modules.
pub fn module_list(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.clients[idx].reply.empty_array();
}

/// MODULE LOAD / LOADEX: Redis modules are shared objects written against
/// redis-server's internals; Shoal cannot load them, and says so in its
/// log as Redis logs a failed load.
pub fn module_load(s: &mut Server, idx: usize, args: Args<'_>) {
    if !module_command_allowed(s, idx) {
        return;
    }
    crate::warning!(
        "Module {} failed to load: Shoal does not load Redis modules",
        String::from_utf8_lossy(args.get(2))
    );
    s.clients[idx]
        .reply
        .error("ERR Error loading the extension. Please check the server logs.");
}

/// `enable-module-command` guards MODULE LOAD, LOADEX and UNLOAD, as
/// Redis's protected commands; false once the refusal is written.
fn module_command_allowed(s: &mut Server, idx: usize) -> bool {
    let local = s.clients[idx].addr.ip().is_loopback();
    let allowed = match s.settings.enable_module_command {
        ProtectedAction::Yes => true,
        ProtectedAction::Local => local,
        ProtectedAction::No => false,
    };
    if !allowed {
        s.clients[idx].reply.error("ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.");
    }
    allowed
}

/// MODULE UNLOAD name: no module is loaded.
pub fn module_unload(s: &mut Server, idx: usize, _args: Args<'_>) {
    if !module_command_allowed(s, idx) {
        return;
    }
    s.clients[idx]
        .reply
        .error("ERR Error unloading module: no such module with that name");
}

/// FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms]: Redis's checks in
/// its order; a standalone Shoal node never has connected replicas.
pub fn failover(s: &mut Server, idx: usize, args: Args<'_>) {
    let reply = &mut s.clients[idx].reply;
    if s.settings.cluster_enabled {
        reply.error(
            "ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.",
        );
        return;
    }
    if args.len() == 2 && parse::eq_ignore_case(args.get(1), "abort") {
        reply.error("ERR No failover in progress.");
        return;
    }
    let (mut timeout, mut to, mut force) = (0i64, false, false);
    let mut j = 1;
    while j < args.len() {
        let a = args.get(j);
        if parse::eq_ignore_case(a, "timeout") && j + 1 < args.len() && timeout == 0 {
            match parse::int(args.get(j + 1)) {
                None => {
                    reply.error(errors::NOT_INTEGER);
                    return;
                }
                Some(t) if t <= 0 => {
                    reply.error("ERR FAILOVER timeout must be greater than 0");
                    return;
                }
                Some(t) => timeout = t,
            }
            j += 1;
        } else if parse::eq_ignore_case(a, "to") && j + 2 < args.len() && !to {
            if parse::int(args.get(j + 2)).is_none() {
                reply.error(errors::NOT_INTEGER);
                return;
            }
            to = true;
            j += 2;
        } else if parse::eq_ignore_case(a, "force") && !force {
            force = true;
        } else {
            reply.error(errors::SYNTAX);
            return;
        }
        j += 1;
    }
    reply.error("ERR FAILOVER requires connected replicas.");
}

/// LOLWUT [VERSION version]: the server's version line (Redis 7.0's own
/// default output; the art of older versions is not drawn).
pub fn lolwut(s: &mut Server, idx: usize, args: Args<'_>) {
    let reply = &mut s.clients[idx].reply;
    if args.len() >= 3
        && parse::eq_ignore_case(args.get(1), "version")
        && parse::int(args.get(2)).is_none()
    {
        reply.error(errors::NOT_INTEGER);
        return;
    }
    let text = format!("Redis ver. {}\n", super::connection::COMPAT_VERSION);
    reply.verbatim("txt", text.as_bytes());
}
