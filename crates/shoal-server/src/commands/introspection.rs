//! Commands that describe the server: INFO, COMMAND, SLOWLOG, LATENCY,
//! MEMORY, OBJECT HELP.

use super::connection::{help_reply, COMPAT_VERSION};
use super::Exec;
use crate::server::Server;
use shoal_command_table::{self as table, CommandSpec, DocValue};
use shoal_commands::{errors, parse};
use shoal_resp::request::Args;
use shoal_resp::ReplyBuf;
use std::fmt::Write;

/// Sections INFO prints with no argument or `default`.
const DEFAULT_SECTIONS: &[&str] = &[
    "server",
    "clients",
    "memory",
    "persistence",
    "stats",
    "replication",
    "cpu",
    "modules",
    "errorstats",
    "cluster",
    "keyspace",
];

/// Sections added by `all` (and `everything`).
const EXTRA_SECTIONS: &[&str] = &["commandstats", "latencystats"];

/// INFO [section ...]
pub fn info(s: &mut Server, idx: usize, args: Args<'_>) {
    let mut wanted: Vec<String> = Vec::new();
    for a in args.skip(1).iter() {
        let a = String::from_utf8_lossy(a).to_ascii_lowercase();
        match a.as_str() {
            "default" => wanted.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string())),
            "all" | "everything" => {
                wanted.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string()));
                wanted.extend(EXTRA_SECTIONS.iter().map(|s| s.to_string()));
            }
            _ => wanted.push(a),
        }
    }
    if args.len() == 1 {
        wanted.extend(DEFAULT_SECTIONS.iter().map(|s| s.to_string()));
    }
    let mut text = String::new();
    let order = DEFAULT_SECTIONS.iter().chain(EXTRA_SECTIONS);
    for section in order {
        if !wanted.iter().any(|w| w == section) {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        render_section(s, section, &mut text);
    }
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

pub(crate) fn human_bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1024.0 {
        format!("{}B", n as u64)
    } else if n < 1024.0 * 1024.0 {
        format!("{:.2}K", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2}M", n / 1024.0 / 1024.0)
    } else {
        format!("{:.2}G", n / 1024.0 / 1024.0 / 1024.0)
    }
}

fn cpu_times() -> (f64, f64) {
    // SAFETY: getrusage fills the struct we pass; all-zero is a valid start.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointer to a rusage struct.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(ru.ru_stime), t(ru.ru_utime))
}

fn render_section(s: &Server, section: &str, t: &mut String) {
    let now = s.now_ms;
    match section {
        "server" => {
            let uptime = now.saturating_sub(s.start_ms) / 1000;
            let mode = if s.settings.cluster_enabled {
                "cluster"
            } else {
                "standalone"
            };
            let _ = write!(
                t,
                "# Server\r\nredis_version:{COMPAT_VERSION}\r\nshoal_version:{}\r\nredis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\nredis_mode:{mode}\r\nos:{} {}\r\narch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\natomicvar_api:c11-builtin\r\ngcc_version:0.0.0\r\nprocess_id:{}\r\nprocess_supervised:no\r\nrun_id:{}\r\ntcp_port:{}\r\nserver_time_usec:{}\r\nuptime_in_seconds:{uptime}\r\nuptime_in_days:{}\r\nhz:{}\r\nconfigured_hz:{}\r\nlru_clock:{}\r\nexecutable:{}\r\nconfig_file:{}\r\nio_threads_active:0\r\n",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH,
                std::process::id(),
                s.run_id,
                s.settings.port,
                crate::server::unix_us(),
                uptime / 86400,
                s.settings.hz,
                s.settings.hz,
                shoal_keyspace::access::lru_clock(now),
                s.executable,
                s.config_file.as_deref().unwrap_or(""),
            );
        }
        "clients" => {
            let _ = write!(
                t,
                "# Clients\r\nconnected_clients:{}\r\ncluster_connections:0\r\nmaxclients:{}\r\nclient_recent_max_input_buffer:{}\r\nclient_recent_max_output_buffer:{}\r\nblocked_clients:{}\r\ntracking_clients:{}\r\nclients_in_timeout_table:{}\r\n",
                s.clients.len(),
                s.settings.maxclients,
                s.clients.iter().map(|(_, c)| c.query.capacity()).max().unwrap_or(0),
                s.clients.iter().map(|(_, c)| c.reply.capacity()).max().unwrap_or(0),
                s.stats.blocked_clients,
                s.tracking.clients,
                s.block_deadlines.len(),
            );
        }
        "memory" => super::memory::info_section(s, t),
        "persistence" => {
            let _ = write!(
                t,
                "# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:{}\r\nrdb_bgsave_in_progress:0\r\nrdb_last_save_time:{}\r\nrdb_last_bgsave_status:ok\r\nrdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\nrdb_saves:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\naof_rewrite_scheduled:0\r\naof_last_rewrite_time_sec:-1\r\naof_current_rewrite_time_sec:-1\r\naof_last_bgrewrite_status:ok\r\naof_rewrites:0\r\naof_last_write_status:ok\r\n",
                s.dirty, s.lastsave_s,
            );
        }
        "stats" => {
            let (mut expired, mut evicted, mut hits, mut misses) = (0, 0, 0, 0);
            for db in &s.dbs {
                expired += db.stats.expired_keys;
                evicted += db.stats.evicted_keys;
                hits += db.stats.keyspace_hits;
                misses += db.stats.keyspace_misses;
            }
            let st = &s.stats;
            let _ = write!(
                t,
                "# Stats\r\ntotal_connections_received:{}\r\ntotal_commands_processed:{}\r\ninstantaneous_ops_per_sec:{}\r\ntotal_net_input_bytes:{}\r\ntotal_net_output_bytes:{}\r\ntotal_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\ninstantaneous_input_kbps:{:.2}\r\ninstantaneous_output_kbps:{:.2}\r\ninstantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\nrejected_connections:{}\r\nsync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\nexpired_keys:{expired}\r\nexpired_stale_perc:0.00\r\nexpired_time_cap_reached_count:0\r\nexpire_cycle_cpu_milliseconds:0\r\nevicted_keys:{evicted}\r\nevicted_clients:0\r\ntotal_eviction_exceeded_time:0\r\ncurrent_eviction_exceeded_time:0\r\nkeyspace_hits:{hits}\r\nkeyspace_misses:{misses}\r\npubsub_channels:{}\r\npubsub_patterns:{}\r\npubsubshard_channels:{}\r\nlatest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\nslave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\nactive_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\ncurrent_active_defrag_time:0\r\ntracking_total_keys:{}\r\ntracking_total_items:{}\r\ntracking_total_prefixes:{}\r\nunexpected_error_replies:0\r\ntotal_error_replies:{}\r\ndump_payload_sanitizations:0\r\ntotal_reads_processed:{}\r\ntotal_writes_processed:{}\r\nio_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\nreply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\nclient_query_buffer_limit_disconnections:{}\r\nclient_output_buffer_limit_disconnections:{}\r\n",
                st.total_connections_received,
                st.total_commands_processed,
                st.instantaneous_ops_per_sec,
                st.net_input_bytes,
                st.net_output_bytes,
                st.instantaneous_input_kbps,
                st.instantaneous_output_kbps,
                st.rejected_connections,
                s.channels.len(),
                s.patterns.len(),
                s.shard_channels.len(),
                s.tracking.total_keys(),
                s.tracking.total_items(),
                s.tracking.total_prefixes(),
                st.total_error_replies,
                st.total_reads_processed,
                st.total_writes_processed,
                st.client_query_buffer_limit_disconnections,
                st.client_output_buffer_limit_disconnections,
            );
        }
        "replication" => {
            let _ = write!(
                t,
                "# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_replid:{}\r\nmaster_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\nsecond_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\nrepl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n",
                s.run_id
            );
        }
        "cpu" => {
            let (sys, user) = cpu_times();
            let _ = write!(
                t,
                "# CPU\r\nused_cpu_sys:{sys:.6}\r\nused_cpu_user:{user:.6}\r\nused_cpu_sys_children:0.000000\r\nused_cpu_user_children:0.000000\r\nused_cpu_sys_main_thread:{sys:.6}\r\nused_cpu_user_main_thread:{user:.6}\r\n"
            );
        }
        "modules" => t.push_str("# Modules\r\n"),
        "errorstats" => {
            t.push_str("# Errorstats\r\n");
            for (prefix, n) in &s.stats.errors_by_prefix {
                let _ = write!(t, "errorstat_{prefix}:count={n}\r\n");
            }
        }
        "cluster" => {
            let _ = write!(
                t,
                "# Cluster\r\ncluster_enabled:{}\r\n",
                s.settings.cluster_enabled as u8
            );
        }
        "keyspace" => {
            t.push_str("# Keyspace\r\n");
            for (i, db) in s.dbs.iter().enumerate() {
                if !db.is_empty() {
                    let _ = write!(
                        t,
                        "db{i}:keys={},expires={},avg_ttl={}\r\n",
                        db.len(),
                        db.volatile_len(),
                        db.avg_ttl_ms(now)
                    );
                }
            }
        }
        "commandstats" => {
            t.push_str("# Commandstats\r\n");
            for c in s
                .registry
                .iter()
                .filter(|c| c.calls > 0 || c.rejected_calls > 0)
            {
                let per = if c.calls > 0 {
                    c.usec as f64 / c.calls as f64
                } else {
                    0.0
                };
                let _ = write!(
                    t,
                    "cmdstat_{}:calls={},usec={},usec_per_call={per:.2},rejected_calls={},failed_calls={}\r\n",
                    c.spec.name, c.calls, c.usec, c.rejected_calls, c.failed_calls
                );
            }
        }
        "latencystats" => {
            t.push_str("# Latencystats\r\n");
            for c in s.registry.iter() {
                let Some(h) = &c.latency else {
                    continue;
                };
                let _ = write!(t, "latency_percentiles_usec_{}:", c.spec.name);
                for (i, &p) in s
                    .settings
                    .latency_tracking_info_percentiles
                    .iter()
                    .enumerate()
                {
                    if i > 0 {
                        t.push(',');
                    }
                    let _ = write!(
                        t,
                        "p{}={:.3}",
                        crate::latency_histogram::percentile_label(p),
                        h.value_at_percentile(p) as f64 / 1000.0
                    );
                }
                t.push_str("\r\n");
            }
        }
        _ => {}
    }
}

pub(crate) fn total_system_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| {
                    l.split_whitespace()
                        .nth(1)
                        .and_then(|v| v.parse::<u64>().ok())
                })
        })
        .map_or(0, |kb| kb * 1024)
}

/// Writes a command-table reply value.
pub fn write_doc(out: &mut ReplyBuf, v: &DocValue) {
    match v {
        DocValue::Str(s) => out.bulk(s.as_bytes()),
        DocValue::Status(s) => out.simple(s),
        DocValue::Int(n) => out.integer(*n),
        DocValue::Array(items) => {
            out.array(items.len());
            items.iter().for_each(|i| write_doc(out, i));
        }
        DocValue::Set(items) => {
            out.set(items.len());
            items.iter().for_each(|i| write_doc(out, i));
        }
        DocValue::Map(pairs) => {
            out.map(pairs.len());
            for (k, v) in pairs {
                out.bulk(k.as_bytes());
                write_doc(out, v);
            }
        }
        DocValue::Null => out.null(),
    }
}

/// True when Shoal runs this command (COMMAND lists only those).
/// True when this server runs `spec` (a command or a subcommand).
fn served(s: &Server, spec: &CommandSpec) -> bool {
    !matches!(s.registry.get(spec.id).exec, Exec::Unsupported)
}

fn served_commands(s: &Server) -> Vec<&'static CommandSpec> {
    table::all().iter().filter(|c| served(s, c)).collect()
}

/// COMMAND
pub fn command(s: &mut Server, idx: usize, _args: Args<'_>) {
    let cmds = served_commands(s);
    let r = &mut s.clients[idx].reply;
    r.array(cmds.len());
    for c in cmds {
        write_doc(r, &table::command_info_reply(c));
    }
}

/// COMMAND COUNT
pub fn command_count(s: &mut Server, idx: usize, _args: Args<'_>) {
    let n = served_commands(s).len();
    s.clients[idx].reply.integer(n as i64);
}

/// COMMAND INFO [command-name ...]
pub fn command_info(s: &mut Server, idx: usize, args: Args<'_>) {
    let specs: Vec<Option<&'static CommandSpec>> = if args.len() == 2 {
        served_commands(s).into_iter().map(Some).collect()
    } else {
        args.skip(2)
            .iter()
            .map(|n| table::lookup_fullname(n).filter(|c| served(s, c)))
            .collect()
    };
    let r = &mut s.clients[idx].reply;
    r.array(specs.len());
    for spec in specs {
        match spec {
            Some(c) => write_doc(r, &table::command_info_reply(c)),
            None => r.null(),
        }
    }
}

/// COMMAND DOCS [command-name ...]
pub fn command_docs(s: &mut Server, idx: usize, args: Args<'_>) {
    let specs: Vec<&'static CommandSpec> = if args.len() == 2 {
        served_commands(s)
    } else {
        args.skip(2)
            .iter()
            .filter_map(|n| table::lookup_fullname(n).filter(|c| served(s, c)))
            .collect()
    };
    let r = &mut s.clients[idx].reply;
    r.map(specs.len());
    for c in specs {
        r.bulk(c.name.as_bytes());
        write_doc(r, &table::command_docs_reply(c));
    }
}

/// COMMAND LIST [FILTERBY MODULE name|ACLCAT cat|PATTERN pattern]
pub fn command_list(s: &mut Server, idx: usize, args: Args<'_>) {
    let mut names: Vec<&'static str> = Vec::new();
    let filter = if args.len() == 5 && parse::eq_ignore_case(args.get(2), "filterby") {
        Some((args.get(3).to_ascii_lowercase(), args.get(4).to_vec()))
    } else if args.len() == 2 {
        None
    } else {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    };
    for c in served_commands(s) {
        let all = std::iter::once(c).chain(c.subcommands.iter().filter(|sc| served(s, sc)));
        for spec in all {
            let keep = match &filter {
                None => true,
                Some((kind, value)) => match kind.as_slice() {
                    b"module" => false,
                    b"aclcat" => spec.acl_categories.iter().any(|cat| {
                        cat.trim_start_matches('@')
                            .as_bytes()
                            .eq_ignore_ascii_case(value)
                    }),
                    b"pattern" => shoal_types::glob_match(value, spec.name.as_bytes(), true),
                    _ => {
                        s.clients[idx].reply.error(errors::SYNTAX);
                        return;
                    }
                },
            };
            if keep {
                names.push(spec.name);
            }
        }
    }
    let r = &mut s.clients[idx].reply;
    r.array(names.len());
    for n in names {
        r.bulk(n.as_bytes());
    }
}

/// COMMAND GETKEYS command [arg ...]
pub fn command_getkeys(s: &mut Server, idx: usize, args: Args<'_>) {
    let call: Vec<&[u8]> = args.skip(2).iter().collect();
    let mut out = Vec::new();
    let r = &mut s.clients[idx].reply;
    match table::command_getkeys(&call, &mut out) {
        Ok(_) => {
            r.array(out.len());
            for i in out {
                r.bulk(call[i]);
            }
        }
        Err(e) => r.error(e.message()),
    }
}

/// COMMAND GETKEYSANDFLAGS command [arg ...]
pub fn command_getkeysandflags(s: &mut Server, idx: usize, args: Args<'_>) {
    let call: Vec<&[u8]> = args.skip(2).iter().collect();
    let mut out = Vec::new();
    let r = &mut s.clients[idx].reply;
    match table::command_getkeys_and_flags(&call, &mut out) {
        Ok(_) => {
            r.array(out.len());
            for (i, flags) in out {
                r.array(2);
                r.bulk(call[i]);
                let names: Vec<&str> = table::key_flags::names(flags).collect();
                r.set(names.len());
                for n in names {
                    r.simple(n);
                }
            }
        }
        Err(e) => r.error(e.message()),
    }
}

/// COMMAND HELP
pub fn command_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "COMMAND",
        &[
            "(no subcommand)",
            "    Describe every command served.",
            "COUNT",
            "    Number of commands served.",
            "INFO [<command-name> ...]",
            "    Describe the named commands (all when none is named).",
            "DOCS [<command-name> ...]",
            "    Documentation of the named commands (all when none is named).",
            "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
            "    Names of the commands served, optionally filtered.",
            "GETKEYS <full-command>",
            "    The keys of a complete call.",
            "GETKEYSANDFLAGS <full-command>",
            "    The keys of a complete call, each with its key flags.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// OBJECT HELP
pub fn object_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "OBJECT",
        &[
            "ENCODING <key>",
            "    How the value of <key> is stored.",
            "FREQ <key>",
            "    Access frequency counter of <key> (LFU policies only).",
            "IDLETIME <key>",
            "    Seconds since <key> was last read or written (LRU policies only).",
            "REFCOUNT <key>",
            "    Reference count of the value of <key>.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// SLOWLOG GET [count]
pub fn slowlog_get(s: &mut Server, idx: usize, args: Args<'_>) {
    let count = if args.len() == 3 {
        match parse::int(args.get(2)) {
            Some(n) if n >= -1 => {
                if n == -1 {
                    usize::MAX
                } else {
                    n as usize
                }
            }
            _ => {
                s.clients[idx]
                    .reply
                    .error("ERR count should be greater than or equal to -1");
                return;
            }
        }
    } else {
        10
    };
    let entries: Vec<_> = s.slowlog.iter().take(count).cloned().collect();
    let r = &mut s.clients[idx].reply;
    r.array(entries.len());
    for e in entries {
        r.array(6);
        r.integer(e.id as i64);
        r.integer(e.time_s as i64);
        r.integer(e.duration_us as i64);
        r.array(e.args.len());
        for a in &e.args {
            r.bulk(a);
        }
        r.bulk(e.peer.as_bytes());
        r.bulk(&e.name);
    }
}

/// SLOWLOG LEN
pub fn slowlog_len(s: &mut Server, idx: usize, _args: Args<'_>) {
    let n = s.slowlog.len();
    s.clients[idx].reply.integer(n as i64);
}

/// SLOWLOG RESET
pub fn slowlog_reset(s: &mut Server, idx: usize, _args: Args<'_>) {
    s.slowlog.clear();
    s.clients[idx].reply.ok();
}

/// SLOWLOG HELP
pub fn slowlog_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "SLOWLOG",
        &[
            "GET [<count>]",
            "    The newest <count> entries (10 by default, -1 for all).",
            "LEN",
            "    Number of entries held.",
            "RESET",
            "    Drop every entry.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// LATENCY LATEST
pub fn latency_latest(s: &mut Server, idx: usize, _args: Args<'_>) {
    let mut events: Vec<(&'static str, u64, u64, u64)> = s
        .latency
        .iter()
        .filter_map(|(name, (samples, max))| samples.back().map(|&(t, l)| (*name, t, l, *max)))
        .collect();
    events.sort();
    let r = &mut s.clients[idx].reply;
    r.array(events.len());
    for (name, t, l, max) in events {
        r.array(4);
        r.bulk(name.as_bytes());
        r.integer(t as i64);
        r.integer(l as i64);
        r.integer(max as i64);
    }
}

/// LATENCY HISTORY event
pub fn latency_history(s: &mut Server, idx: usize, args: Args<'_>) {
    let name = String::from_utf8_lossy(args.get(2)).into_owned();
    let samples: Vec<(u64, u64)> = s
        .latency
        .get(name.as_str())
        .map(|(v, _)| v.iter().copied().collect())
        .unwrap_or_default();
    let r = &mut s.clients[idx].reply;
    r.array(samples.len());
    for (t, l) in samples {
        r.array(2);
        r.integer(t as i64);
        r.integer(l as i64);
    }
}

/// LATENCY RESET [event ...]
pub fn latency_reset(s: &mut Server, idx: usize, args: Args<'_>) {
    let n = if args.len() == 2 {
        let n = s.latency.len();
        s.latency.clear();
        n
    } else {
        let names: Vec<String> = args
            .skip(2)
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        let before = s.latency.len();
        s.latency.retain(|k, _| !names.iter().any(|n| n == k));
        before - s.latency.len()
    };
    s.clients[idx].reply.integer(n as i64);
}

/// LATENCY DOCTOR
pub fn latency_doctor(s: &mut Server, idx: usize, _args: Args<'_>) {
    let text = if s.latency.is_empty() {
        "No latency spikes were recorded: either latency monitoring is off (latency-monitor-threshold 0) or no event went over the threshold.\n".to_string()
    } else {
        let mut t = String::from("Latency events recorded:\n");
        for (name, (samples, max)) in &s.latency {
            let _ = writeln!(t, "- {name}: {} samples, worst {max} ms", samples.len());
        }
        t
    };
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

/// LATENCY HELP
pub fn latency_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "LATENCY",
        &[
            "DOCTOR",
            "    A human readable summary of latency events.",
            "LATEST",
            "    The latest sample and the maximum of every event.",
            "HISTORY <event>",
            "    The samples of one event as (time, latency) pairs.",
            "RESET [<event> ...]",
            "    Drop the samples of the events given, or of all.",
            "HISTOGRAM [<command> ...]",
            "    The calls and cumulative latency distribution of the commands given, or of all.",
            "HELP",
            "    Print this help.",
        ],
    );
}

/// LATENCY HISTOGRAM [command ...]: each command's calls and cumulative
/// latency distribution (µs), all commands with data when none is named.
pub fn latency_histogram(s: &mut Server, idx: usize, args: Args<'_>) {
    let mut picked: Vec<crate::commands::CommandRef> = Vec::new();
    if args.len() == 2 {
        picked.extend(
            s.registry
                .iter()
                .filter(|c| c.latency.is_some())
                .map(|c| c.spec.id),
        );
    } else {
        for name in args.skip(2).iter() {
            let Some(spec) = table::lookup_fullname(name) else {
                continue;
            };
            for sp in std::iter::once(spec).chain(spec.subcommands.iter()) {
                if s.registry.get(sp.id).latency.is_some() {
                    picked.push(sp.id);
                }
            }
        }
    }
    // (name, calls, cumulative distribution)
    type Entry = (&'static str, u64, Vec<(u64, u64)>);
    let entries: Vec<Entry> = picked
        .iter()
        .filter_map(|&r| {
            let c = s.registry.get(r);
            c.latency
                .as_ref()
                .map(|h| (c.spec.name, h.total(), h.cumulative_usec()))
        })
        .collect();
    let out = &mut s.clients[idx].reply;
    out.map(entries.len());
    for (name, calls, steps) in entries {
        out.bulk(name.as_bytes());
        out.map(2);
        out.bulk(b"calls");
        out.integer(calls as i64);
        out.bulk(b"histogram_usec");
        out.map(steps.len());
        for (us, count) in steps {
            out.integer(us as i64);
            out.integer(count as i64);
        }
    }
}

/// MEMORY USAGE key [SAMPLES count]
pub fn memory_usage(s: &mut Server, idx: usize, args: Args<'_>) {
    if args.len() != 3 && !(args.len() == 5 && parse::eq_ignore_case(args.get(3), "samples")) {
        s.clients[idx].reply.error(errors::SYNTAX);
        return;
    }
    let db = s.clients[idx].db;
    let now = s.now_ms;
    let usage = s.dbs[db].peek(args.get(2), now).map(|e| {
        std::mem::size_of::<shoal_keyspace::Entry>()
            + e.key().len().saturating_sub(22)
            + e.value.heap_size()
    });
    match usage {
        Some(n) => s.clients[idx].reply.integer(n as i64),
        None => s.clients[idx].reply.null(),
    }
}
