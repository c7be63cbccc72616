//! Typed getters: by name for any directive (`config.get_u64("maxmemory")`), and one
//! method per directive the server implements (`config.maxmemory()`).
//!
//! The per-directive methods find their slot at compile time, so they cost an index, and
//! a misspelt name fails the build. Their return types fit the bounds Redis enforces, so
//! the conversions cannot fail.

use crate::config::Config;
use crate::table::{index_of, lookup, Kind, DIRECTIVES};
use crate::value::{ClientClass, KeyspaceEvents, OutputBufferLimit, SavePoint, Value};

/// `loglevel`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Everything.
    Debug,
    /// Many rarely useful lines.
    Verbose,
    /// Moderately verbose (default).
    Notice,
    /// Only important messages.
    Warning,
}

/// `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxmemoryPolicy {
    /// Evict approximately least recently used keys among those with an expire.
    VolatileLru,
    /// Evict approximately least frequently used keys among those with an expire.
    VolatileLfu,
    /// Evict random keys among those with an expire.
    VolatileRandom,
    /// Evict the keys with the nearest expire time.
    VolatileTtl,
    /// Evict approximately least recently used keys.
    AllkeysLru,
    /// Evict approximately least frequently used keys.
    AllkeysLfu,
    /// Evict random keys.
    AllkeysRandom,
    /// Evict nothing; refuse writes that need memory (default).
    NoEviction,
}

/// `enable-debug-command` (and the other `enable-*` directives).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProtectedAction {
    /// Refused for every client (default).
    No,
    /// Allowed for every client.
    Yes,
    /// Allowed for clients on loopback or a unix socket.
    Local,
}

macro_rules! number_accessors {
    ($($(#[$doc:meta])* $method:ident -> $ty:ty = $name:literal;)*) => {$(
        $(#[$doc])*
        pub fn $method(&self) -> $ty {
            const INDEX: usize = index_of($name);
            <$ty>::try_from(self.number_at(INDEX)).expect("the table's bounds fit the accessor type")
        }
    )*};
}

macro_rules! bool_accessors {
    ($($(#[$doc:meta])* $method:ident = $name:literal;)*) => {$(
        $(#[$doc])*
        pub fn $method(&self) -> bool {
            const INDEX: usize = index_of($name);
            self.bool_at(INDEX)
        }
    )*};
}

impl Config {
    fn number_at(&self, index: usize) -> i128 {
        match self.values[index] {
            Value::Number(v) => v,
            _ => unreachable!("{} is numeric", DIRECTIVES[index].name),
        }
    }

    fn bool_at(&self, index: usize) -> bool {
        match self.values[index] {
            Value::Bool(v) => v,
            _ => unreachable!("{} is yes/no", DIRECTIVES[index].name),
        }
    }

    fn enum_at(&self, index: usize) -> u32 {
        match self.values[index] {
            Value::Enum(v) => v,
            _ => unreachable!("{} is an enum", DIRECTIVES[index].name),
        }
    }

    fn string_at(&self, index: usize) -> Option<&[u8]> {
        match &self.values[index] {
            Value::String(v) => v.as_deref(),
            _ => unreachable!("{} is a string", DIRECTIVES[index].name),
        }
    }

    /// A yes/no directive by name or alias; `None` if unknown or not yes/no.
    pub fn get_bool(&self, name: &str) -> Option<bool> {
        match self.values[lookup(name.as_bytes())?.index] {
            Value::Bool(v) => Some(v),
            _ => None,
        }
    }

    /// A numeric directive by name or alias; `None` if unknown, not numeric, or outside
    /// i64 (only a `maxmemory`-like value above 2^63 is). Percentages read as negative,
    /// as Redis stores them (`maxmemory-clients 50%` is -50).
    pub fn get_i64(&self, name: &str) -> Option<i64> {
        match self.values[lookup(name.as_bytes())?.index] {
            Value::Number(v) => i64::try_from(v).ok(),
            _ => None,
        }
    }

    /// A numeric directive by name or alias; `None` if unknown, not numeric, or negative.
    pub fn get_u64(&self, name: &str) -> Option<u64> {
        match self.values[lookup(name.as_bytes())?.index] {
            Value::Number(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// A string directive by name or alias (empty if unset); `None` if unknown or not a
    /// string.
    pub fn get_string(&self, name: &str) -> Option<&[u8]> {
        match &self.values[lookup(name.as_bytes())?.index] {
            Value::String(v) => Some(v.as_deref().unwrap_or_default()),
            _ => None,
        }
    }

    /// An enum directive's current name (`"allkeys-lru"`); `None` if unknown or not an enum.
    pub fn get_enum(&self, name: &str) -> Option<String> {
        let found = lookup(name.as_bytes())?;
        match (&found.directive().kind, &self.values[found.index]) {
            (Kind::Enum(spec), Value::Enum(v)) => Some(crate::value::format_enum(spec, *v)),
            _ => None,
        }
    }

    number_accessors! {
        /// `port`: TCP port for clients; 0 means no TCP listener.
        port -> u16 = "port";
        /// `tcp-backlog`: the listen(2) backlog.
        tcp_backlog -> u32 = "tcp-backlog";
        /// `databases`.
        databases -> u32 = "databases";
        /// `maxmemory` in bytes; 0 means no limit.
        maxmemory -> u64 = "maxmemory";
        /// `maxmemory-samples`.
        maxmemory_samples -> u32 = "maxmemory-samples";
        /// `maxclients`.
        maxclients -> u32 = "maxclients";
        /// `timeout`: idle seconds before a client is closed; 0 means never.
        timeout_secs -> u32 = "timeout";
        /// `tcp-keepalive` in seconds; 0 means off.
        tcp_keepalive_secs -> u32 = "tcp-keepalive";
        /// `proto-max-bulk-len` in bytes.
        proto_max_bulk_len -> u64 = "proto-max-bulk-len";
        /// `client-query-buffer-limit` in bytes.
        client_query_buffer_limit -> u64 = "client-query-buffer-limit";
        /// `cluster-node-timeout` in milliseconds.
        cluster_node_timeout_ms -> u64 = "cluster-node-timeout";
        /// `cluster-port`: bus port; 0 means client port + 10000.
        cluster_port -> u16 = "cluster-port";
        /// `cluster-announce-port`; 0 means the real port.
        cluster_announce_port -> u16 = "cluster-announce-port";
        /// `cluster-announce-bus-port`; 0 means the real bus port.
        cluster_announce_bus_port -> u16 = "cluster-announce-bus-port";
        /// `cluster-replica-validity-factor`; 0 means replicas always try to fail over.
        cluster_replica_validity_factor -> u32 = "cluster-replica-validity-factor";
        /// `cluster-migration-barrier`.
        cluster_migration_barrier -> u32 = "cluster-migration-barrier";
        /// `hz`, already within 1..=500.
        hz -> u32 = "hz";
        /// `lfu-log-factor`: how slowly the LFU counter grows.
        lfu_log_factor -> u32 = "lfu-log-factor";
        /// `lfu-decay-time` in minutes per halving of the LFU counter.
        lfu_decay_time -> u32 = "lfu-decay-time";
        /// `active-expire-effort`, 1..=10.
        active_expire_effort -> u32 = "active-expire-effort";
        /// `slowlog-log-slower-than` in microseconds; negative disables the slow log.
        slowlog_log_slower_than_us -> i64 = "slowlog-log-slower-than";
        /// `slowlog-max-len`.
        slowlog_max_len -> u64 = "slowlog-max-len";
        /// `latency-monitor-threshold` in milliseconds; 0 means off.
        latency_monitor_threshold_ms -> u64 = "latency-monitor-threshold";
        /// `list-max-listpack-size`: positive is entries per node, -1..-5 is 4..64 KiB.
        list_max_listpack_size -> i32 = "list-max-listpack-size";
        /// `hash-max-listpack-entries`.
        hash_max_listpack_entries -> u64 = "hash-max-listpack-entries";
        /// `hash-max-listpack-value` in bytes.
        hash_max_listpack_value -> u64 = "hash-max-listpack-value";
        /// `set-max-intset-entries`.
        set_max_intset_entries -> u64 = "set-max-intset-entries";
        /// `zset-max-listpack-entries`.
        zset_max_listpack_entries -> u64 = "zset-max-listpack-entries";
        /// `zset-max-listpack-value` in bytes.
        zset_max_listpack_value -> u64 = "zset-max-listpack-value";
        /// `hll-sparse-max-bytes`: the largest sparse HyperLogLog, in bytes.
        hll_sparse_max_bytes -> u64 = "hll-sparse-max-bytes";
        /// `tracking-table-max-keys`: keys remembered for client-side caching (0: no limit).
        tracking_table_max_keys -> u64 = "tracking-table-max-keys";
    }

    bool_accessors! {
        /// `daemonize`.
        daemonize = "daemonize";
        /// `cluster-enabled`.
        cluster_enabled = "cluster-enabled";
        /// `cluster-require-full-coverage`.
        cluster_require_full_coverage = "cluster-require-full-coverage";
        /// `cluster-allow-reads-when-down`.
        cluster_allow_reads_when_down = "cluster-allow-reads-when-down";
        /// `cluster-allow-replica-migration`.
        cluster_allow_replica_migration = "cluster-allow-replica-migration";
        /// `cluster-replica-no-failover`.
        cluster_replica_no_failover = "cluster-replica-no-failover";
        /// `appendonly`.
        appendonly = "appendonly";
        /// `dynamic-hz`.
        dynamic_hz = "dynamic-hz";
        /// `latency-tracking`: per-command latency histograms.
        latency_tracking = "latency-tracking";
        /// `lazyfree-lazy-eviction`.
        lazyfree_lazy_eviction = "lazyfree-lazy-eviction";
        /// `lazyfree-lazy-expire`.
        lazyfree_lazy_expire = "lazyfree-lazy-expire";
        /// `lazyfree-lazy-server-del`.
        lazyfree_lazy_server_del = "lazyfree-lazy-server-del";
        /// `lazyfree-lazy-user-del`.
        lazyfree_lazy_user_del = "lazyfree-lazy-user-del";
        /// `lazyfree-lazy-user-flush`.
        lazyfree_lazy_user_flush = "lazyfree-lazy-user-flush";
    }

    /// `bind`: addresses to listen on (empty: none).
    pub fn bind(&self) -> &[Vec<u8>] {
        match &self.values[index_of("bind")] {
            Value::Bind(addrs) => addrs,
            _ => unreachable!("bind holds addresses"),
        }
    }

    /// `dir`: the absolute working directory (empty until known).
    pub fn dir(&self) -> &[u8] {
        match &self.values[index_of("dir")] {
            Value::Dir(p) => p,
            _ => unreachable!("dir holds a path"),
        }
    }

    /// `dbfilename`.
    pub fn dbfilename(&self) -> &[u8] {
        self.string_at(index_of("dbfilename")).unwrap_or_default()
    }

    /// `logfile`: empty means standard output.
    pub fn logfile(&self) -> &[u8] {
        self.string_at(index_of("logfile")).unwrap_or_default()
    }

    /// `pidfile`, if set.
    pub fn pidfile(&self) -> Option<&[u8]> {
        self.string_at(index_of("pidfile"))
    }

    /// `requirepass`, if set.
    pub fn requirepass(&self) -> Option<&[u8]> {
        self.string_at(index_of("requirepass"))
    }

    /// `cluster-config-file`.
    pub fn cluster_config_file(&self) -> &[u8] {
        self.string_at(index_of("cluster-config-file"))
            .unwrap_or_default()
    }

    /// `cluster-announce-ip`, if set.
    pub fn cluster_announce_ip(&self) -> Option<&[u8]> {
        self.string_at(index_of("cluster-announce-ip"))
    }

    /// `cluster-announce-hostname`, if set.
    pub fn cluster_announce_hostname(&self) -> Option<&[u8]> {
        self.string_at(index_of("cluster-announce-hostname"))
    }

    /// `loglevel`.
    pub fn loglevel(&self) -> LogLevel {
        match self.enum_at(index_of("loglevel")) {
            0 => LogLevel::Debug,
            1 => LogLevel::Verbose,
            2 => LogLevel::Notice,
            _ => LogLevel::Warning,
        }
    }

    /// `maxmemory-policy`.
    pub fn maxmemory_policy(&self) -> MaxmemoryPolicy {
        match self.enum_at(index_of("maxmemory-policy")) {
            0 => MaxmemoryPolicy::VolatileLru,
            1 => MaxmemoryPolicy::VolatileLfu,
            2 => MaxmemoryPolicy::VolatileRandom,
            3 => MaxmemoryPolicy::VolatileTtl,
            4 => MaxmemoryPolicy::AllkeysLru,
            5 => MaxmemoryPolicy::AllkeysLfu,
            6 => MaxmemoryPolicy::AllkeysRandom,
            _ => MaxmemoryPolicy::NoEviction,
        }
    }

    /// `enable-module-command`.
    pub fn enable_module_command(&self) -> ProtectedAction {
        match self.enum_at(index_of("enable-module-command")) {
            1 => ProtectedAction::Yes,
            2 => ProtectedAction::Local,
            _ => ProtectedAction::No,
        }
    }

    /// `enable-debug-command`.
    pub fn enable_debug_command(&self) -> ProtectedAction {
        match self.enum_at(index_of("enable-debug-command")) {
            1 => ProtectedAction::Yes,
            2 => ProtectedAction::Local,
            _ => ProtectedAction::No,
        }
    }

    /// `latency-tracking-info-percentiles`: the percentiles INFO
    /// latencystats reports.
    pub fn latency_tracking_info_percentiles(&self) -> &[f64] {
        match &self.values[index_of("latency-tracking-info-percentiles")] {
            Value::Percentiles(p) => p,
            _ => unreachable!("latency-tracking-info-percentiles holds percentiles"),
        }
    }

    /// `save`: the RDB save points (empty: no automatic snapshots).
    pub fn save_points(&self) -> &[SavePoint] {
        match &self.values[index_of("save")] {
            Value::Save(points) => points,
            _ => unreachable!("save holds save points"),
        }
    }

    /// `replicaof`: the primary's host and port, if this node is a replica.
    pub fn replica_of(&self) -> Option<(&[u8], u16)> {
        match &self.values[index_of("replicaof")] {
            Value::ReplicaOf(Some((host, port))) => Some((
                host.as_slice(),
                u16::try_from(*port).expect("replicaof ports are checked to 0..=65535"),
            )),
            _ => None,
        }
    }

    /// `notify-keyspace-events`.
    pub fn notify_keyspace_events(&self) -> KeyspaceEvents {
        match self.values[index_of("notify-keyspace-events")] {
            Value::NotifyKeyspaceEvents(flags) => KeyspaceEvents(flags),
            _ => unreachable!("notify-keyspace-events holds flags"),
        }
    }

    /// `client-output-buffer-limit` for one client class.
    pub fn client_output_buffer_limit(&self, class: ClientClass) -> OutputBufferLimit {
        match &self.values[index_of("client-output-buffer-limit")] {
            Value::ClientOutputBufferLimit(limits) => limits[class as usize],
            _ => unreachable!("client-output-buffer-limit holds limits"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::MemoryHost;

    #[test]
    fn defaults_through_typed_getters() {
        let c = Config::new();
        assert_eq!(c.port(), 6379);
        assert_eq!(c.databases(), 16);
        assert_eq!(c.maxmemory(), 0);
        assert_eq!(c.maxmemory_policy(), MaxmemoryPolicy::NoEviction);
        assert_eq!(c.loglevel(), LogLevel::Notice);
        assert_eq!(c.maxclients(), 10000);
        assert_eq!(c.hz(), 10);
        assert_eq!(c.proto_max_bulk_len(), 512 << 20);
        assert_eq!(c.client_query_buffer_limit(), 1 << 30);
        assert_eq!(c.cluster_node_timeout_ms(), 15000);
        assert_eq!(c.cluster_config_file(), b"nodes.conf");
        assert_eq!(c.dbfilename(), b"dump.rdb");
        assert_eq!(c.list_max_listpack_size(), -2);
        assert_eq!(c.slowlog_log_slower_than_us(), 10000);
        assert_eq!(c.bind(), [b"*".to_vec(), b"-::*".to_vec()]);
        assert_eq!(c.save_points().len(), 3);
        assert_eq!(c.requirepass(), None);
        assert_eq!(c.pidfile(), None);
        assert_eq!(c.replica_of(), None);
        assert_eq!(c.enable_debug_command(), ProtectedAction::No);
        assert!(!c.cluster_enabled());
        assert!(c.cluster_require_full_coverage());
        assert_eq!(
            c.client_output_buffer_limit(ClientClass::Replica)
                .hard_bytes,
            256 << 20
        );
    }

    #[test]
    fn by_name_getters() {
        let mut c = Config::new();
        c.load_text(
            b"maxmemory 2mb\nslaveof h 7000\nmaxmemory-clients 5%\nloglevel WARNING\n",
            &mut MemoryHost::new(),
        )
        .unwrap();
        assert_eq!(c.get_u64("maxmemory"), Some(2 << 20));
        assert_eq!(c.get_i64("maxmemory-clients"), Some(-5));
        assert_eq!(c.get_u64("maxmemory-clients"), None);
        assert_eq!(c.get_bool("slave-read-only"), Some(true));
        assert_eq!(c.get_string("dbfilename"), Some(&b"dump.rdb"[..]));
        assert_eq!(c.get_string("masterauth"), Some(&b""[..]));
        assert_eq!(c.get_enum("loglevel").as_deref(), Some("warning"));
        assert_eq!(c.get_u64("nosuch"), None);
        assert_eq!(c.get_bool("maxmemory"), None);
        assert_eq!(c.replica_of(), Some((&b"h"[..], 7000)));
        assert_eq!(c.loglevel(), LogLevel::Warning);
    }
}
