//! The server's typed view of its configuration: the values the data
//! loop reads per command or per tick, copied out of the effective
//! configuration (file, command line, CONFIG SET) by shoal-config's typed
//! accessors. The defaults are shoal-config's table; none are kept here.

use shoal_commands::Settings;
use shoal_config::{
    ClientClass, Config, LogLevel, MaxmemoryPolicy, OutputBufferLimit, ProtectedAction,
};
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
    /// `client-output-buffer-limit`, indexed by [`ClientClass`].
    pub client_output_buffer_limits: [OutputBufferLimit; 3],
    /// `slowlog-log-slower-than` (µs; negative disables)
    pub slowlog_log_slower_than: i64,
    /// `slowlog-max-len`
    pub slowlog_max_len: usize,
    /// `latency-monitor-threshold` (ms; 0 disables)
    pub latency_monitor_threshold: u64,
    /// `enable-debug-command`.
    pub enable_debug_command: ProtectedAction,
    /// `enable-module-command`.
    pub enable_module_command: ProtectedAction,
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
    /// `hll-sparse-max-bytes`
    pub hll_sparse_max_bytes: usize,
    /// `tracking-table-max-keys` (0: no limit).
    pub tracking_table_max_keys: usize,
    /// `latency-tracking`
    pub latency_tracking: bool,
    /// `latency-tracking-info-percentiles`
    pub latency_tracking_info_percentiles: Vec<f64>,
}

impl Default for ServerSettings {
    /// The settings of a configuration with every directive at its default.
    fn default() -> Self {
        ServerSettings::from_config(&Config::new())
    }
}

impl ServerSettings {
    /// Copies the values the server acts on out of `config`.
    pub fn from_config(config: &Config) -> ServerSettings {
        let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
        let limit = |class| config.client_output_buffer_limit(class);
        ServerSettings {
            port: config.port(),
            bind: config
                .bind()
                .iter()
                .map(|a| listen_address(&text(a)))
                .collect(),
            tcp_backlog: config.tcp_backlog(),
            databases: config.databases() as usize,
            requirepass: config
                .requirepass()
                .filter(|p| !p.is_empty())
                .map(<[u8]>::to_vec),
            maxclients: config.maxclients() as usize,
            timeout_s: u64::from(config.timeout_secs()),
            hz: config.hz(),
            maxmemory: config.maxmemory(),
            maxmemory_policy: eviction_policy(config.maxmemory_policy()),
            maxmemory_samples: config.maxmemory_samples() as usize,
            lfu_log_factor: config.lfu_log_factor(),
            lfu_decay_time: config.lfu_decay_time(),
            active_expire_effort: config.active_expire_effort(),
            proto_max_bulk_len: config.proto_max_bulk_len(),
            client_query_buffer_limit: config.client_query_buffer_limit() as usize,
            client_output_buffer_limits: [
                limit(ClientClass::Normal),
                limit(ClientClass::Replica),
                limit(ClientClass::Pubsub),
            ],
            slowlog_log_slower_than: config.slowlog_log_slower_than_us(),
            slowlog_max_len: config.slowlog_max_len() as usize,
            latency_monitor_threshold: config.latency_monitor_threshold_ms(),
            enable_debug_command: config.enable_debug_command(),
            enable_module_command: config.enable_module_command(),
            pidfile: config.pidfile().filter(|p| !p.is_empty()).map(text),
            logfile: text(config.logfile()),
            log_level: match config.loglevel() {
                LogLevel::Debug => crate::log::Level::Debug,
                LogLevel::Verbose => crate::log::Level::Verbose,
                LogLevel::Notice => crate::log::Level::Notice,
                LogLevel::Warning => crate::log::Level::Warning,
            },
            daemonize: config.daemonize(),
            dir: text(config.dir()),
            cluster_enabled: config.cluster_enabled(),
            cluster_config_file: text(config.cluster_config_file()),
            cluster_node_timeout_ms: config.cluster_node_timeout_ms(),
            cluster_port: config.cluster_port(),
            cluster_require_full_coverage: config.cluster_require_full_coverage(),
            cluster_allow_reads_when_down: config.cluster_allow_reads_when_down(),
            list_max_listpack_size: i64::from(config.list_max_listpack_size()),
            hash_max_listpack_entries: config.hash_max_listpack_entries() as usize,
            hash_max_listpack_value: config.hash_max_listpack_value() as usize,
            set_max_intset_entries: config.set_max_intset_entries() as usize,
            zset_max_listpack_entries: config.zset_max_listpack_entries() as usize,
            zset_max_listpack_value: config.zset_max_listpack_value() as usize,
            hll_sparse_max_bytes: config.hll_sparse_max_bytes() as usize,
            tracking_table_max_keys: config.tracking_table_max_keys() as usize,
            latency_tracking: config.latency_tracking(),
            latency_tracking_info_percentiles: config.latency_tracking_info_percentiles().to_vec(),
        }
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
            hll_sparse_max_bytes: self.hll_sparse_max_bytes,
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

/// A `bind` address as the listener takes it: `*` is every IPv4 address,
/// `::*` every IPv6 one; a leading `-` (the address may be unavailable)
/// is kept.
fn listen_address(addr: &str) -> String {
    let (optional, host) = match addr.strip_prefix('-') {
        Some(h) => ("-", h),
        None => ("", addr),
    };
    let host = match host {
        "*" => "0.0.0.0",
        "::*" => "::",
        h => h,
    };
    format!("{optional}{host}")
}

fn eviction_policy(policy: MaxmemoryPolicy) -> EvictionPolicy {
    match policy {
        MaxmemoryPolicy::VolatileLru => EvictionPolicy::VolatileLru,
        MaxmemoryPolicy::VolatileLfu => EvictionPolicy::VolatileLfu,
        MaxmemoryPolicy::VolatileRandom => EvictionPolicy::VolatileRandom,
        MaxmemoryPolicy::VolatileTtl => EvictionPolicy::VolatileTtl,
        MaxmemoryPolicy::AllkeysLru => EvictionPolicy::AllKeysLru,
        MaxmemoryPolicy::AllkeysLfu => EvictionPolicy::AllKeysLfu,
        MaxmemoryPolicy::AllkeysRandom => EvictionPolicy::AllKeysRandom,
        MaxmemoryPolicy::NoEviction => EvictionPolicy::NoEviction,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoal_config::{MemoryHost, SetContext};

    fn configured(pairs: &[(&str, &str)]) -> ServerSettings {
        let mut config = Config::new();
        let mut host = MemoryHost::default();
        let mut ctx = SetContext {
            client_is_local: true,
            loading: true,
            host: &mut host,
        };
        let pairs: Vec<(&[u8], &[u8])> = pairs
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_bytes()))
            .collect();
        config.config_set(&pairs, &mut ctx).expect("valid settings");
        ServerSettings::from_config(&config)
    }

    #[test]
    fn defaults_are_redis_defaults() {
        let s = ServerSettings::default();
        assert_eq!(
            (s.port, s.tcp_backlog, s.databases, s.hz),
            (6379, 511, 16, 10)
        );
        assert_eq!(s.maxmemory_policy, EvictionPolicy::NoEviction);
        assert_eq!(
            s.client_output_buffer_limits[ClientClass::Normal as usize].hard_bytes,
            0
        );
        assert_eq!(
            s.client_output_buffer_limits[ClientClass::Pubsub as usize],
            OutputBufferLimit {
                hard_bytes: 32 << 20,
                soft_bytes: 8 << 20,
                soft_seconds: 60
            }
        );
        assert_eq!(s.list_max_listpack_size, -2);
        assert_eq!(s.requirepass, None);
    }

    #[test]
    fn set_values_reach_the_settings() {
        let s = configured(&[
            ("maxmemory-policy", "allkeys-lfu"),
            ("lfu-log-factor", "7"),
            ("client-output-buffer-limit", "pubsub 1mb 512kb 10"),
            ("bind", "* -::*"),
        ]);
        assert_eq!(s.maxmemory_policy, EvictionPolicy::AllKeysLfu);
        assert_eq!(
            s.access_policy(),
            AccessPolicy::Lfu {
                log_factor: 7,
                decay_time_min: 1
            }
        );
        assert_eq!(
            s.client_output_buffer_limits[ClientClass::Pubsub as usize],
            OutputBufferLimit {
                hard_bytes: 1 << 20,
                soft_bytes: 512 << 10,
                soft_seconds: 10
            }
        );
        assert_eq!(s.bind, ["0.0.0.0", "-::"]);
    }
}
