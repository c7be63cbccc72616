//! The server's typed view of its configuration.
//!
//! Built from the effective configuration (file plus command line plus
//! CONFIG SET) through a name lookup, so this module does not depend on
//! how the configuration is stored.

use shoal_commands::Settings;
use shoal_keyspace::eviction::EvictionPolicy;
use shoal_keyspace::AccessPolicy;

/// Settings the server acts on.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// `port`
    pub port: u16,
    /// `bind`
    pub bind: Vec<String>,
    /// `tcp-backlog`
    pub tcp_backlog: u32,
    /// `databases`
    pub databases: usize,
    /// `requirepass` (None when empty).
    pub requirepass: Option<Vec<u8>>,
    /// `maxclients`
    pub maxclients: usize,
    /// `timeout` in seconds (0: never).
    pub timeout_s: u64,
    /// `hz`
    pub hz: u32,
    /// `maxmemory` in bytes (0: no limit).
    pub maxmemory: u64,
    /// `maxmemory-policy`
    pub maxmemory_policy: EvictionPolicy,
    /// `maxmemory-samples`
    pub maxmemory_samples: usize,
    /// `lfu-log-factor`
    pub lfu_log_factor: u32,
    /// `lfu-decay-time`
    pub lfu_decay_time: u32,
    /// `active-expire-effort`
    pub active_expire_effort: u32,
    /// `proto-max-bulk-len`
    pub proto_max_bulk_len: u64,
    /// `client-query-buffer-limit`
    pub client_query_buffer_limit: usize,
    /// `client-output-buffer-limit`, per [`OutputClass`].
    pub client_output_buffer_limits: [OutputLimit; 3],
    /// `slowlog-log-slower-than` (µs; negative disables)
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`
    pub slowlog_max_len: usize,
    /// `latency-monitor-threshold` (ms; 0 disables)
    pub latency_monitor_threshold: u64,
    /// `enable-debug-command`: "no", "yes" or "local".
    pub enable_debug_command: String,
    /// `pidfile`
    pub pidfile: Option<String>,
    /// `logfile` (empty: standard output).
    pub logfile: String,
    /// `loglevel`
    pub log_level: crate::log::Level,
    /// `daemonize`
    pub daemonize: bool,
    /// `dir`
    pub dir: String,
    /// `cluster-enabled`
    pub cluster_enabled: bool,
    /// `cluster-config-file`
    pub cluster_config_file: String,
    /// `cluster-node-timeout` in ms.
    pub cluster_node_timeout_ms: u64,
    /// `cluster-port` (0: port + 10000).
    pub cluster_port: u16,
    /// `cluster-require-full-coverage`
    pub cluster_require_full_coverage: bool,
    /// `cluster-allow-reads-when-down`
    pub cluster_allow_reads_when_down: bool,
    /// `list-max-listpack-size`
    pub list_max_listpack_size: i64,
    /// `hash-max-listpack-entries`
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`
    pub hash_max_listpack_value: usize,
    /// `set-max-intset-entries`
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`
    pub zset_max_listpack_value: usize,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            port: 6379,
            bind: vec!["127.0.0.1".into()],
            tcp_backlog: 511,
            databases: 16,
            requirepass: None,
            maxclients: 10_000,
            timeout_s: 0,
            hz: 10,
            maxmemory: 0,
            maxmemory_policy: EvictionPolicy::NoEviction,
            maxmemory_samples: 5,
            lfu_log_factor: 10,
            lfu_decay_time: 1,
            active_expire_effort: 1,
            proto_max_bulk_len: 512 * 1024 * 1024,
            client_query_buffer_limit: 1024 * 1024 * 1024,
            client_output_buffer_limits: [
                OutputLimit::NONE,
                OutputLimit {
                    hard_bytes: 256 << 20,
                    soft_bytes: 64 << 20,
                    soft_ms: 60_000,
                },
                OutputLimit {
                    hard_bytes: 32 << 20,
                    soft_bytes: 8 << 20,
                    soft_ms: 60_000,
                },
            ],
            slowlog_log_slower_than: 10_000,
            slowlog_max_len: 128,
            latency_monitor_threshold: 0,
            enable_debug_command: "no".into(),
            pidfile: None,
            logfile: String::new(),
            log_level: crate::log::Level::Notice,
            daemonize: false,
            dir: ".".into(),
            cluster_enabled: false,
            cluster_config_file: "nodes.conf".into(),
            cluster_node_timeout_ms: 15_000,
            cluster_port: 0,
            cluster_require_full_coverage: true,
            cluster_allow_reads_when_down: false,
            list_max_listpack_size: -2,
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
        }
    }
}

impl ServerSettings {
    /// Reads every setting through `get`, which returns a directive's
    /// current value as CONFIG GET prints it (memory values in bytes).
    /// Missing or unparsable values keep their defaults.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> ServerSettings {
        let mut s = ServerSettings::default();
        let num = |name: &str| get(name).and_then(|v| v.trim().parse::<i64>().ok());
        if let Some(v) = num("port") {
            s.port = v as u16;
        }
        if let Some(v) = get("bind") {
            // "*" is every IPv4 address, "::*" every IPv6 one; a leading "-"
            // marks an address that may be unavailable (kept as the prefix).
            let addrs: Vec<String> = v
                .split_whitespace()
                .map(|a| {
                    let (opt, host) = match a.strip_prefix('-') {
                        Some(h) => ("-", h),
                        None => ("", a),
                    };
                    let host = match host {
                        "*" => "0.0.0.0",
                        "::*" => "::",
                        h => h,
                    };
                    format!("{opt}{host}")
                })
                .collect();
            if !addrs.is_empty() {
                s.bind = addrs;
            }
        }
        if let Some(v) = num("tcp-backlog") {
            s.tcp_backlog = v.max(1) as u32;
        }
        if let Some(v) = num("databases") {
            s.databases = v.max(1) as usize;
        }
        if let Some(v) = get("requirepass") {
            s.requirepass = (!v.is_empty()).then(|| v.into_bytes());
        }
        if let Some(v) = num("maxclients") {
            s.maxclients = v.max(1) as usize;
        }
        if let Some(v) = num("timeout") {
            s.timeout_s = v.max(0) as u64;
        }
        if let Some(v) = num("hz") {
            s.hz = v.clamp(1, 500) as u32;
        }
        if let Some(v) = num("maxmemory") {
            s.maxmemory = v.max(0) as u64;
        }
        if let Some(p) = get("maxmemory-policy").and_then(|v| EvictionPolicy::from_name(&v)) {
            s.maxmemory_policy = p;
        }
        if let Some(v) = num("maxmemory-samples") {
            s.maxmemory_samples = v.max(1) as usize;
        }
        if let Some(v) = num("lfu-log-factor") {
            s.lfu_log_factor = v.max(0) as u32;
        }
        if let Some(v) = num("lfu-decay-time") {
            s.lfu_decay_time = v.max(0) as u32;
        }
        if let Some(v) = num("active-expire-effort") {
            s.active_expire_effort = v.clamp(1, 10) as u32;
        }
        if let Some(v) = num("proto-max-bulk-len") {
            s.proto_max_bulk_len = v.max(1) as u64;
        }
        if let Some(v) = num("client-query-buffer-limit") {
            s.client_query_buffer_limit = v.max(1) as usize;
        }
        if let Some(v) = get("client-output-buffer-limit") {
            apply_output_limits(&v, &mut s.client_output_buffer_limits);
        }
        if let Some(v) = num("slowlog-log-slower-than") {
            s.slowlog_log_slower_than = v;
        }
        if let Some(v) = num("slowlog-max-len") {
            s.slowlog_max_len = v.max(0) as usize;
        }
        if let Some(v) = num("latency-monitor-threshold") {
            s.latency_monitor_threshold = v.max(0) as u64;
        }
        if let Some(v) = get("enable-debug-command") {
            s.enable_debug_command = v;
        }
        if let Some(v) = get("pidfile") {
            s.pidfile = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = get("logfile") {
            s.logfile = v;
        }
        if let Some(l) = get("loglevel").and_then(|v| crate::log::Level::from_name(&v)) {
            s.log_level = l;
        }
        if let Some(v) = get("daemonize") {
            s.daemonize = v == "yes";
        }
        if let Some(v) = get("dir") {
            s.dir = v;
        }
        if let Some(v) = get("cluster-enabled") {
            s.cluster_enabled = v == "yes";
        }
        if let Some(v) = get("cluster-config-file") {
            if !v.is_empty() {
                s.cluster_config_file = v;
            }
        }
        if let Some(v) = num("cluster-node-timeout") {
            s.cluster_node_timeout_ms = v.max(1) as u64;
        }
        if let Some(v) = num("cluster-port") {
            s.cluster_port = v.clamp(0, 65535) as u16;
        }
        if let Some(v) = get("cluster-require-full-coverage") {
            s.cluster_require_full_coverage = v != "no";
        }
        if let Some(v) = get("cluster-allow-reads-when-down") {
            s.cluster_allow_reads_when_down = v == "yes";
        }
        if let Some(v) = num("list-max-listpack-size") {
            s.list_max_listpack_size = v;
        }
        if let Some(v) = num("hash-max-listpack-entries") {
            s.hash_max_listpack_entries = v.max(0) as usize;
        }
        if let Some(v) = num("hash-max-listpack-value") {
            s.hash_max_listpack_value = v.max(0) as usize;
        }
        if let Some(v) = num("set-max-intset-entries") {
            s.set_max_intset_entries = v.max(0) as usize;
        }
        if let Some(v) = num("zset-max-listpack-entries") {
            s.zset_max_listpack_entries = v.max(0) as usize;
        }
        if let Some(v) = num("zset-max-listpack-value") {
            s.zset_max_listpack_value = v.max(0) as usize;
        }
        s
    }

    /// The cluster bus port: `cluster-port`, or the data port + 10000.
    pub fn cluster_bus_port(&self) -> u16 {
        if self.cluster_port != 0 {
            self.cluster_port
        } else {
            self.port.wrapping_add(10000)
        }
    }

    /// The subset the command layer reads.
    pub fn exec_settings(&self) -> Settings {
        Settings {
            proto_max_bulk_len: self.proto_max_bulk_len,
            list_max_listpack_size: self.list_max_listpack_size,
            hash_max_listpack_entries: self.hash_max_listpack_entries,
            hash_max_listpack_value: self.hash_max_listpack_value,
            set_max_intset_entries: self.set_max_intset_entries,
            zset_max_listpack_entries: self.zset_max_listpack_entries,
            zset_max_listpack_value: self.zset_max_listpack_value,
            cluster_enabled: self.cluster_enabled,
        }
    }

    /// What the entries' access field should track under the policy.
    pub fn access_policy(&self) -> AccessPolicy {
        if self.maxmemory_policy.is_lfu() {
            AccessPolicy::Lfu {
                log_factor: self.lfu_log_factor,
                decay_time_min: self.lfu_decay_time,
            }
        } else {
            AccessPolicy::Lru
        }
    }
}

/// The client classes `client-output-buffer-limit` distinguishes, in the
/// order of its CONFIG GET form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputClass {
    /// Every client that is neither of the others (MONITOR included).
    Normal = 0,
    /// Replicas (none yet: Shoal does not replicate).
    Replica = 1,
    /// Clients subscribed to at least one channel, pattern or shard channel.
    PubSub = 2,
}

/// One class's output buffer limit: disconnect at `hard_bytes`, or after
/// staying at `soft_bytes` or more for longer than `soft_ms` (0 bytes: no
/// such limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimit {
    /// Hard limit in bytes (0: none).
    pub hard_bytes: u64,
    /// Soft limit in bytes (0: none).
    pub soft_bytes: u64,
    /// How long the soft limit may be exceeded, ms.
    pub soft_ms: u64,
}

impl OutputLimit {
    /// No limit at all (the `normal` class's default).
    pub const NONE: OutputLimit = OutputLimit {
        hard_bytes: 0,
        soft_bytes: 0,
        soft_ms: 0,
    };
}

/// Reads CONFIG GET's form, `normal 0 0 0 slave 268435456 67108864 60
/// pubsub 33554432 8388608 60`, into `limits`; words it cannot read leave
/// that class as it was (shoal-config validated the value already).
fn apply_output_limits(text: &str, limits: &mut [OutputLimit; 3]) {
    let words: Vec<&str> = text.split_whitespace().collect();
    for group in words.chunks_exact(4) {
        let class = match group[0] {
            "normal" => OutputClass::Normal,
            "slave" | "replica" => OutputClass::Replica,
            "pubsub" => OutputClass::PubSub,
            _ => continue,
        };
        let num = |w: &str| w.parse::<u64>().ok();
        if let (Some(hard), Some(soft), Some(secs)) = (num(group[1]), num(group[2]), num(group[3]))
        {
            limits[class as usize] = OutputLimit {
                hard_bytes: hard,
                soft_bytes: soft,
                soft_ms: secs.saturating_mul(1000),
            };
        }
    }
}

#[cfg(test)]
mod output_limit_tests {
    use super::*;

    #[test]
    fn config_get_form_sets_every_class() {
        let mut limits = ServerSettings::default().client_output_buffer_limits;
        apply_output_limits("normal 1 2 3 slave 0 0 0 pubsub 1024 512 10", &mut limits);
        assert_eq!(
            limits[OutputClass::Normal as usize],
            OutputLimit {
                hard_bytes: 1,
                soft_bytes: 2,
                soft_ms: 3000
            }
        );
        assert_eq!(limits[OutputClass::Replica as usize], OutputLimit::NONE);
        assert_eq!(
            limits[OutputClass::PubSub as usize],
            OutputLimit {
                hard_bytes: 1024,
                soft_bytes: 512,
                soft_ms: 10_000
            }
        );
    }
}
