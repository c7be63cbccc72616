//! Where the memory goes: INFO memory, MEMORY STATS, MEMORY DOCTOR,
//! MEMORY MALLOC-STATS and MEMORY PURGE, with Redis 7.0's field names.
//!
//! `used_memory` is the counting allocator's exact total. The allocator's
//! own view (allocated, active, resident) comes from jemalloc's statistics
//! when it keeps them, and from that total and the RSS (/proc) otherwise. Overhead is what the server holds besides the dataset:
//! its memory at startup, client buffers, and the keyspace indexes
//! (estimated per key, since Shoal's indexes are not Redis's hash tables).
//! Shoal has no replication backlog, AOF buffer or scripting engine, so
//! those fields are 0.

use std::fmt::Write;

use shoal_resp::request::Args;

use super::connection::help_reply;
use crate::server::Server;

/// Index bytes per key: a slot-table entry and its hash.
const INDEX_BYTES_PER_KEY: usize = 16;
/// Bytes per key with an expiry: its entry in the expiry index.
const EXPIRY_INDEX_BYTES_PER_KEY: usize = 48;

/// One reading of the memory figures.
pub(crate) struct Report {
    pub used: u64,
    pub peak: u64,
    pub startup: u64,
    pub rss: u64,
    pub allocator_allocated: u64,
    pub allocator_active: u64,
    pub allocator_resident: u64,
    pub clients_normal: u64,
    /// (db index, index overhead, expiry overhead) of non-empty dbs.
    pub dbs: Vec<(usize, u64, u64)>,
    pub keys: u64,
}

impl Report {
    pub(crate) fn take(s: &Server) -> Report {
        let used = crate::alloc::used_memory() as u64;
        let rss = crate::alloc::rss_bytes() as u64;
        // jemalloc is built without its statistics (they cost every
        // allocation); its allocated bytes are then our counter's, and its
        // active and resident pages are bounded by the RSS.
        let (allocated, active, resident) = match crate::alloc::allocator_stats() {
            (0, 0, 0) => (used, rss, rss),
            stats => stats,
        };
        let clients_normal = s
            .clients
            .iter()
            .map(|(_, c)| {
                (c.query.capacity() + c.reply.capacity() + std::mem::size_of_val(c)) as u64
            })
            .sum();
        let dbs = s
            .dbs
            .iter()
            .enumerate()
            .filter(|(_, db)| !db.is_empty())
            .map(|(i, db)| {
                (
                    i,
                    (db.len() * INDEX_BYTES_PER_KEY) as u64,
                    (db.volatile_len() * EXPIRY_INDEX_BYTES_PER_KEY) as u64,
                )
            })
            .collect();
        Report {
            used,
            peak: (crate::alloc::peak_memory() as u64).max(used),
            startup: s.startup_memory,
            rss,
            allocator_allocated: allocated,
            allocator_active: active,
            allocator_resident: resident,
            clients_normal,
            dbs,
            keys: s.dbs.iter().map(|db| db.len() as u64).sum(),
        }
    }

    pub(crate) fn overhead(&self) -> u64 {
        let indexes: u64 = self.dbs.iter().map(|&(_, main, exp)| main + exp).sum();
        (self.startup + self.clients_normal + indexes).min(self.used)
    }

    pub(crate) fn dataset(&self) -> u64 {
        self.used - self.overhead()
    }

    fn ratio(a: u64, b: u64) -> f64 {
        if b == 0 {
            0.0
        } else {
            a as f64 / b as f64
        }
    }

    /// How much each layer holds beyond the one below, as (ratio, bytes):
    /// allocator active over allocated, resident over active, RSS over
    /// resident, and RSS over `used_memory`.
    pub(crate) fn gaps(&self) -> [(f64, i64); 4] {
        let gap = |over: u64, under: u64| (Self::ratio(over, under), over as i64 - under as i64);
        [
            gap(self.allocator_active, self.allocator_allocated),
            gap(self.allocator_resident, self.allocator_active),
            gap(self.rss, self.allocator_resident),
            gap(self.rss, self.used),
        ]
    }

    pub(crate) fn dataset_percentage(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup);
        Self::ratio(self.dataset() * 100, net).min(100.0)
    }

    pub(crate) fn peak_percentage(&self) -> f64 {
        Self::ratio(self.used * 100, self.peak)
    }
}

fn human(n: u64) -> String {
    super::introspection::human_bytes(n)
}

/// The `# Memory` section of INFO, in Redis 7.0's field order.
pub(crate) fn info_section(s: &Server, t: &mut String) {
    let r = Report::take(s);
    let gaps = r.gaps();
    let _ = write!(
        t,
        "# Memory\r\nused_memory:{}\r\nused_memory_human:{}\r\nused_memory_rss:{}\r\nused_memory_rss_human:{}\r\n\
used_memory_peak:{}\r\nused_memory_peak_human:{}\r\nused_memory_peak_perc:{:.2}%\r\nused_memory_overhead:{}\r\n\
used_memory_startup:{}\r\nused_memory_dataset:{}\r\nused_memory_dataset_perc:{:.2}%\r\nallocator_allocated:{}\r\n\
allocator_active:{}\r\nallocator_resident:{}\r\ntotal_system_memory:{}\r\ntotal_system_memory_human:{}\r\n\
used_memory_lua:0\r\nused_memory_vm_eval:0\r\nused_memory_lua_human:0B\r\nused_memory_scripts_eval:0\r\n\
number_of_cached_scripts:0\r\nnumber_of_functions:0\r\nnumber_of_libraries:0\r\nused_memory_vm_functions:0\r\n\
used_memory_vm_total:0\r\nused_memory_vm_total_human:0B\r\nused_memory_functions:0\r\nused_memory_scripts:0\r\n\
used_memory_scripts_human:0B\r\nmaxmemory:{}\r\nmaxmemory_human:{}\r\nmaxmemory_policy:{}\r\n\
allocator_frag_ratio:{:.2}\r\nallocator_frag_bytes:{}\r\nallocator_rss_ratio:{:.2}\r\nallocator_rss_bytes:{}\r\n\
rss_overhead_ratio:{:.2}\r\nrss_overhead_bytes:{}\r\nmem_fragmentation_ratio:{:.2}\r\nmem_fragmentation_bytes:{}\r\n\
mem_not_counted_for_evict:0\r\nmem_replication_backlog:0\r\nmem_total_replication_buffers:0\r\nmem_clients_slaves:0\r\n\
mem_clients_normal:{}\r\nmem_cluster_links:0\r\nmem_aof_buffer:0\r\nmem_allocator:jemalloc-5.3.0\r\n\
active_defrag_running:0\r\nlazyfree_pending_objects:0\r\nlazyfreed_objects:0\r\n",
        r.used,
        human(r.used),
        r.rss,
        human(r.rss),
        r.peak,
        human(r.peak),
        r.peak_percentage(),
        r.overhead(),
        r.startup,
        r.dataset(),
        r.dataset_percentage(),
        r.allocator_allocated,
        r.allocator_active,
        r.allocator_resident,
        super::introspection::total_system_memory(),
        human(super::introspection::total_system_memory()),
        s.settings.maxmemory,
        human(s.settings.maxmemory),
        s.settings.maxmemory_policy.name(),
        gaps[0].0,
        gaps[0].1,
        gaps[1].0,
        gaps[1].1,
        gaps[2].0,
        gaps[2].1,
        gaps[3].0,
        gaps[3].1,
        r.clients_normal,
    );
}

/// MEMORY STATS
pub fn memory_stats(s: &mut Server, idx: usize, _args: Args<'_>) {
    let r = Report::take(s);
    let resp3 = s.clients[idx].reply.is_resp3();
    let out = &mut s.clients[idx].reply;
    let int = |out: &mut shoal_resp::ReplyBuf, name: &str, v: i64| {
        out.bulk(name.as_bytes());
        out.integer(v);
    };
    let double = |out: &mut shoal_resp::ReplyBuf, name: &str, v: f64| {
        out.bulk(name.as_bytes());
        out.double(v);
    };
    let _ = resp3;
    out.map(27 + r.dbs.len());
    int(out, "peak.allocated", r.peak as i64);
    int(out, "total.allocated", r.used as i64);
    int(out, "startup.allocated", r.startup as i64);
    int(out, "replication.backlog", 0);
    int(out, "clients.slaves", 0);
    int(out, "clients.normal", r.clients_normal as i64);
    int(out, "cluster.links", 0);
    int(out, "aof.buffer", 0);
    int(out, "lua.caches", 0);
    int(out, "functions.caches", 0);
    for &(i, main, expires) in &r.dbs {
        out.bulk(format!("db.{i}").as_bytes());
        out.map(3);
        int(out, "overhead.hashtable.main", main as i64);
        int(out, "overhead.hashtable.expires", expires as i64);
        int(out, "overhead.hashtable.slot-to-keys", 0);
    }
    int(out, "overhead.total", r.overhead() as i64);
    int(out, "keys.count", r.keys as i64);
    int(
        out,
        "keys.bytes-per-key",
        r.used
            .saturating_sub(r.startup)
            .checked_div(r.keys)
            .unwrap_or(0) as i64,
    );
    int(out, "dataset.bytes", r.dataset() as i64);
    double(out, "dataset.percentage", r.dataset_percentage());
    double(out, "peak.percentage", r.peak_percentage());
    int(out, "allocator.allocated", r.allocator_allocated as i64);
    int(out, "allocator.active", r.allocator_active as i64);
    int(out, "allocator.resident", r.allocator_resident as i64);
    let names = [
        (
            "allocator-fragmentation.ratio",
            "allocator-fragmentation.bytes",
        ),
        ("allocator-rss.ratio", "allocator-rss.bytes"),
        ("rss-overhead.ratio", "rss-overhead.bytes"),
        ("fragmentation", "fragmentation.bytes"),
    ];
    for ((ratio_name, bytes_name), (ratio, bytes)) in names.into_iter().zip(r.gaps()) {
        double(out, ratio_name, ratio);
        int(out, bytes_name, bytes);
    }
}

/// MEMORY DOCTOR: a verdict on the same figures, on the conditions Redis
/// checks (in our own words).
pub fn memory_doctor(s: &mut Server, idx: usize, _args: Args<'_>) {
    let r = Report::take(s);
    let text = if r.used < 5 * 1024 * 1024 {
        "This instance holds too little data (under 5 MB) for a memory diagnosis. Add data and ask again.\n".to_string()
    } else {
        let mut issues = Vec::new();
        if r.peak as f64 / r.used as f64 > 1.5 {
            issues.push(" * Peak memory: this instance once used more than 1.5 times the memory it uses now. The allocator keeps most of that memory, so the RSS and the fragmentation ratio stay high; new data will reuse it. MEMORY PURGE may return some of it to the system.\n\n");
        }
        if Report::ratio(r.allocator_active, r.allocator_allocated) > 1.1
            && r.allocator_active - r.allocator_allocated > 10 << 20
        {
            issues.push(" * Allocator fragmentation: the allocator holds more than 1.1 times the memory in use, usually after a memory peak or a workload that frees objects of many sizes.\n\n");
        }
        if issues.is_empty() {
            "No memory issue found in this instance.\n".to_string()
        } else {
            let mut t = String::from("Memory issues found in this instance:\n\n");
            for i in issues {
                t.push_str(i);
            }
            t
        }
    };
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

/// MEMORY MALLOC-STATS
pub fn memory_malloc_stats(s: &mut Server, idx: usize, _args: Args<'_>) {
    let text = crate::alloc::malloc_stats();
    s.clients[idx].reply.verbatim("txt", text.as_bytes());
}

/// MEMORY PURGE
pub fn memory_purge(s: &mut Server, idx: usize, _args: Args<'_>) {
    crate::alloc::purge();
    s.clients[idx].reply.ok();
}

/// MEMORY HELP
pub fn memory_help(s: &mut Server, idx: usize, _args: Args<'_>) {
    help_reply(
        s,
        idx,
        "MEMORY",
        &[
            "DOCTOR",
            "    Report memory problems found in this server.",
            "MALLOC-STATS",
            "    Return the memory allocator's own statistics report.",
            "PURGE",
            "    Ask the allocator to return unused dirty pages to the system.",
            "STATS",
            "    Return where this server's memory goes.",
            "USAGE <key> [SAMPLES <count>]",
            "    Return the bytes used by <key> and its value; collections are",
            "    sampled <count> times (default: 5, 0 means every element).",
            "HELP",
            "    Print this help.",
        ],
    );
}
