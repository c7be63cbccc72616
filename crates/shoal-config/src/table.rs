//! The directive table: every configuration directive Redis 7.0 knows, with its aliases,
//! type, limits, default, flags, and whether Shoal acts on it or only keeps it.
//!
//! Facts come from the real redis-server 7.0.15 (`CONFIG GET *` after a default start,
//! captured in `tests/data/redis-7.0-config-get-all.txt`) and from the limits Redis 7.0
//! enforces when a value is set. The table is sorted by name, which is also the order
//! CONFIG GET replies in (Redis replies in hash order, which no client can rely on).
//!
//! Directives that exist only in a config file (`include`, `rename-command`, `user`,
//! `loadmodule`, `sentinel`, module settings such as `mymod.opt`) are not in the table:
//! CONFIG GET/SET do not know them either. See [`FILE_ONLY_DIRECTIVES`].

use std::collections::HashMap;
use std::sync::OnceLock;

/// Whether Shoal acts on a directive or only stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// The server reads this value and behaves accordingly.
    Implemented,
    /// Accepted, validated, shown by CONFIG GET and rewritten, but with no effect; the
    /// server logs it once when it is set (see [`crate::Config::kept_directives_in_use`]).
    Kept,
}

/// Behaviour flags of a directive, mirroring Redis 7.0's per-config flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags(u16);

impl Flags {
    /// No flag: modifiable at runtime by CONFIG SET.
    pub const NONE: Flags = Flags(0);
    /// Only settable at startup; CONFIG SET refuses it.
    pub const IMMUTABLE: Flags = Flags(1 << 0);
    /// Holds a secret: the server must redact it from slowlog, MONITOR and logs.
    pub const SENSITIVE: Flags = Flags(1 << 1);
    /// Listed by Redis's `DEBUG` config dump; informational.
    pub const DEBUG: Flags = Flags(1 << 2);
    /// Takes several words (`save 3600 1 300 100`).
    pub const MULTI_ARG: Flags = Flags(1 << 3);
    /// Not matched by CONFIG GET patterns, only by its exact name.
    pub const HIDDEN: Flags = Flags(1 << 4);
    /// CONFIG SET refuses it unless `enable-protected-configs` allows the client.
    pub const PROTECTED: Flags = Flags(1 << 5);
    /// CONFIG SET refuses it with `-LOADING` while the dataset is loading.
    pub const DENY_LOADING: Flags = Flags(1 << 6);
    /// Setting it to the same value still counts as a change (files that may have changed
    /// on disk, such as TLS certificates).
    pub const VOLATILE: Flags = Flags(1 << 7);

    /// Whether every flag in `other` is set in `self`.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    const fn with(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
}

/// The C type Redis stores a number in; it decides how bounds are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CType {
    /// `int`.
    Int,
    /// `unsigned int`.
    UInt,
    /// `unsigned long`.
    ULong,
    /// `long long`.
    LongLong,
    /// `unsigned long long`.
    ULongLong,
    /// `size_t`.
    SizeT,
    /// `ssize_t`.
    SSizeT,
    /// `off_t`.
    OffT,
    /// `time_t`.
    TimeT,
}

impl CType {
    /// Redis checks bounds with unsigned arithmetic for these three types only, so `-1`
    /// becomes a huge number and fails as "must be between"; for the others it stays -1.
    pub(crate) const fn unsigned_bounds(self) -> bool {
        matches!(self, CType::UInt | CType::ULongLong | CType::SizeT)
    }
}

/// How a number is written in a config file and printed by CONFIG GET.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// A strict decimal integer.
    Integer,
    /// A byte count with optional unit (`1gb`, `100mb`, `64k`).
    Memory,
    /// A byte count, or a percentage of maxmemory written `N%` (stored negated).
    MemoryOrPercent,
    /// Octal digits (`unixsocketperm 700`).
    Octal,
}

/// A numeric directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberSpec {
    /// Storage type in Redis, which decides signed or unsigned bound checks.
    pub c_type: CType,
    /// Smallest accepted value.
    pub min: i128,
    /// Largest accepted value.
    pub max: i128,
    /// Value at startup.
    pub default: i128,
    /// Accepted spellings.
    pub format: NumberFormat,
}

/// An enumerated directive; names compare case-insensitively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnumSpec {
    /// Names and values, in the order error messages list them. Two names may share a
    /// value (`oom-score-adj yes`/`relative`); the first one is printed.
    pub values: &'static [(&'static str, u32)],
    /// Value at startup.
    pub default: u32,
    /// The directive takes several names whose values are OR-ed (`shutdown-on-sigterm save now`).
    pub set_of_flags: bool,
}

/// A string directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StringSpec {
    /// Value at startup; `None` is "unset", printed as an empty string.
    pub default: Option<&'static str>,
    /// Setting `""` means unset (the directive disappears on CONFIG REWRITE).
    pub empty_is_unset: bool,
    /// The value may hold any bytes; otherwise, as in C, it ends at the first NUL.
    pub binary: bool,
}

/// Directives with their own syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// Working directory; CONFIG GET prints the absolute path.
    Dir,
    /// RDB save points: `save <seconds> <changes> [...]` or `save ""`.
    Save,
    /// `<class> <hard> <soft> <soft-seconds>` for normal, replica and pubsub clients.
    ClientOutputBufferLimit,
    /// Three oom_score_adj values for primary, replica and background child.
    OomScoreAdjValues,
    /// Keyspace notification classes, `KEA` style.
    NotifyKeyspaceEvents,
    /// Up to 16 listen addresses.
    Bind,
    /// `<host> <port>` of the primary, or `no one`.
    ReplicaOf,
    /// Percentiles INFO latencystats reports.
    LatencyTrackingInfoPercentiles,
}

/// The type of a directive, with its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `yes` or `no`.
    Bool {
        /// Value at startup.
        default: bool,
    },
    /// An integer or a byte count.
    Number(NumberSpec),
    /// One of a fixed set of names.
    Enum(EnumSpec),
    /// Free text.
    String(StringSpec),
    /// A directive with its own syntax.
    Special(Special),
}

/// Extra validation some directives apply after parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// No extra check.
    None,
    /// `dbfilename`: a bare file name.
    DbFilename,
    /// `appendfilename`: a non-empty bare file name.
    AofFilename,
    /// `appenddirname`: a non-empty bare directory name.
    AofDirname,
    /// `cluster-announce-hostname`: letters, digits, `-` and `.`, under 256 bytes.
    Hostname,
    /// `proc-title-template`: known `{variables}` and a non-empty expansion.
    ProcTitleTemplate,
    /// `shutdown-on-sig*`: not `save` and `nosave` together.
    ShutdownFlags,
}

/// One configuration directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Directive {
    /// Canonical name (lower case).
    pub name: &'static str,
    /// Older name still accepted everywhere (`slaveof` for `replicaof`); CONFIG GET lists
    /// it as a separate entry, as Redis 7.0 does.
    pub alias: Option<&'static str>,
    /// Behaviour flags.
    pub flags: Flags,
    /// Type and default.
    pub kind: Kind,
    /// Extra validation.
    pub check: Check,
    /// Whether Shoal acts on it.
    pub support: Support,
}

impl Directive {
    const fn new(name: &'static str, kind: Kind) -> Directive {
        Directive {
            name,
            alias: None,
            flags: Flags::NONE,
            kind,
            check: Check::None,
            support: Support::Kept,
        }
    }
    const fn alias(mut self, alias: &'static str) -> Directive {
        self.alias = Some(alias);
        self
    }
    const fn flag(mut self, flag: Flags) -> Directive {
        self.flags = self.flags.with(flag);
        self
    }
    const fn immutable(self) -> Directive {
        self.flag(Flags::IMMUTABLE)
    }
    const fn debug(self) -> Directive {
        self.flag(Flags::DEBUG)
    }
    const fn hidden(self) -> Directive {
        self.flag(Flags::HIDDEN)
    }
    const fn volatile(self) -> Directive {
        self.flag(Flags::VOLATILE)
    }
    const fn check(mut self, check: Check) -> Directive {
        self.check = check;
        self
    }
    const fn implemented(mut self) -> Directive {
        self.support = Support::Implemented;
        self
    }

    /// Whether CONFIG SET refuses this directive outright.
    pub const fn is_immutable(&self) -> bool {
        self.flags.contains(Flags::IMMUTABLE)
    }

    /// Whether the value must be redacted from logs, slowlog and MONITOR.
    pub const fn is_sensitive(&self) -> bool {
        self.flags.contains(Flags::SENSITIVE)
    }

    /// Whether the directive takes several words.
    pub const fn is_multi_arg(&self) -> bool {
        self.flags.contains(Flags::MULTI_ARG)
    }

    /// Whether CONFIG GET patterns skip it.
    pub const fn is_hidden(&self) -> bool {
        self.flags.contains(Flags::HIDDEN)
    }
}

const INT_MAX: i128 = i32::MAX as i128;
const INT_MIN: i128 = i32::MIN as i128;
const UINT_MAX: i128 = u32::MAX as i128;
const LONG_MAX: i128 = i64::MAX as i128;
const ULLONG_MAX: i128 = u64::MAX as i128;
const MB: i128 = 1024 * 1024;

const fn boolean(name: &'static str, default: bool) -> Directive {
    Directive::new(name, Kind::Bool { default })
}

const fn number(
    name: &'static str,
    c_type: CType,
    min: i128,
    max: i128,
    default: i128,
    format: NumberFormat,
) -> Directive {
    Directive::new(
        name,
        Kind::Number(NumberSpec {
            c_type,
            min,
            max,
            default,
            format,
        }),
    )
}

const fn int(name: &'static str, c_type: CType, min: i128, max: i128, default: i128) -> Directive {
    number(name, c_type, min, max, default, NumberFormat::Integer)
}

const fn memory(
    name: &'static str,
    c_type: CType,
    min: i128,
    max: i128,
    default: i128,
) -> Directive {
    number(name, c_type, min, max, default, NumberFormat::Memory)
}

/// A string whose `""` means unset and whose default is unset.
const fn optional_string(name: &'static str) -> Directive {
    Directive::new(
        name,
        Kind::String(StringSpec {
            default: None,
            empty_is_unset: true,
            binary: false,
        }),
    )
}

/// A string that may be empty, with a default.
const fn string(name: &'static str, default: &'static str) -> Directive {
    Directive::new(
        name,
        Kind::String(StringSpec {
            default: Some(default),
            empty_is_unset: false,
            binary: false,
        }),
    )
}

/// A secret that may hold any bytes; `""` means unset.
const fn secret(name: &'static str) -> Directive {
    Directive::new(
        name,
        Kind::String(StringSpec {
            default: None,
            empty_is_unset: true,
            binary: true,
        }),
    )
    .flag(Flags::SENSITIVE)
}

const fn bytes_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

const fn enumeration(
    name: &'static str,
    values: &'static [(&'static str, u32)],
    default: &str,
) -> Directive {
    let mut i = 0;
    while i < values.len() {
        if bytes_eq(values[i].0, default) {
            return Directive::new(
                name,
                Kind::Enum(EnumSpec {
                    values,
                    default: values[i].1,
                    set_of_flags: false,
                }),
            );
        }
        i += 1;
    }
    panic!("enum default is not one of its values");
}

const fn special(name: &'static str, which: Special) -> Directive {
    Directive::new(name, Kind::Special(which))
}

/// Values of `loglevel`.
pub const LOGLEVELS: &[(&str, u32)] =
    &[("debug", 0), ("verbose", 1), ("notice", 2), ("warning", 3)];
/// Values of `maxmemory-policy`.
pub const MAXMEMORY_POLICIES: &[(&str, u32)] = &[
    ("volatile-lru", 0),
    ("volatile-lfu", 1),
    ("volatile-random", 2),
    ("volatile-ttl", 3),
    ("allkeys-lru", 4),
    ("allkeys-lfu", 5),
    ("allkeys-random", 6),
    ("noeviction", 7),
];
/// Values of `enable-debug-command`, `enable-module-command`, `enable-protected-configs`.
pub const PROTECTED_ACTIONS: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("local", 2)];
/// Values of `appendfsync`.
pub const APPENDFSYNC: &[(&str, u32)] = &[("everysec", 0), ("always", 1), ("no", 2)];
/// Values of `supervised`.
const SUPERVISED: &[(&str, u32)] = &[("upstart", 0), ("systemd", 1), ("auto", 2), ("no", 3)];
/// Values of `syslog-facility`.
const SYSLOG_FACILITIES: &[(&str, u32)] = &[
    ("user", 0),
    ("local0", 1),
    ("local1", 2),
    ("local2", 3),
    ("local3", 4),
    ("local4", 5),
    ("local5", 6),
    ("local6", 7),
    ("local7", 8),
];
const REPL_DISKLESS_LOAD: &[(&str, u32)] = &[("disabled", 0), ("on-empty-db", 1), ("swapdb", 2)];
const OOM_SCORE_ADJ: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("relative", 1), ("absolute", 2)];
const ACL_PUBSUB_DEFAULT: &[(&str, u32)] = &[("allchannels", 8), ("resetchannels", 0)];
const SANITIZE_DUMP_PAYLOAD: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("clients", 2)];
/// Values of `cluster-preferred-endpoint-type`.
pub const ENDPOINT_TYPES: &[(&str, u32)] = &[("ip", 0), ("hostname", 1), ("unknown-endpoint", 2)];
const PROPAGATION_ERROR_BEHAVIOR: &[(&str, u32)] =
    &[("ignore", 0), ("panic", 1), ("panic-on-replicas", 2)];
/// Flag values of `shutdown-on-sigint` / `shutdown-on-sigterm` (OR-ed together).
pub const SHUTDOWN_FLAGS: &[(&str, u32)] = &[
    ("default", 0),
    ("save", 1),
    ("nosave", 2),
    ("now", 4),
    ("force", 8),
];
const TLS_AUTH_CLIENTS: &[(&str, u32)] = &[("no", 0), ("yes", 1), ("optional", 2)];

const fn shutdown_on(name: &'static str) -> Directive {
    Directive::new(
        name,
        Kind::Enum(EnumSpec {
            values: SHUTDOWN_FLAGS,
            default: 0,
            set_of_flags: true,
        }),
    )
    .flag(Flags::MULTI_ARG)
    .check(Check::ShutdownFlags)
}

use CType::*;

/// Every Redis 7.0 configuration directive, sorted by canonical name.
pub const DIRECTIVES: &[Directive] = &[
    enumeration("acl-pubsub-default", ACL_PUBSUB_DEFAULT, "resetchannels"),
    string("aclfile", "").immutable(),
    number(
        "acllog-max-len",
        ULong,
        0,
        LONG_MAX,
        128,
        NumberFormat::Integer,
    ),
    int("active-defrag-cycle-max", Int, 1, 99, 25),
    int("active-defrag-cycle-min", Int, 1, 99, 1),
    memory("active-defrag-ignore-bytes", SizeT, 1, LONG_MAX, 100 * MB),
    int("active-defrag-max-scan-fields", ULong, 1, LONG_MAX, 1000),
    int("active-defrag-threshold-lower", Int, 0, 1000, 10),
    int("active-defrag-threshold-upper", Int, 0, 1000, 100),
    int("active-expire-effort", Int, 1, 10, 1).implemented(),
    boolean("activedefrag", false).debug(),
    boolean("activerehashing", true),
    boolean("always-show-logo", false).immutable(),
    boolean("aof-disable-auto-gc", false),
    boolean("aof-load-truncated", true),
    boolean("aof-rewrite-incremental-fsync", true),
    boolean("aof-timestamp-enabled", false),
    boolean("aof-use-rdb-preamble", true),
    optional_string("aof_rewrite_cpulist").immutable(),
    string("appenddirname", "appendonlydir")
        .immutable()
        .check(Check::AofDirname),
    string("appendfilename", "appendonly.aof")
        .immutable()
        .check(Check::AofFilename),
    enumeration("appendfsync", APPENDFSYNC, "everysec"),
    boolean("appendonly", false)
        .flag(Flags::DENY_LOADING)
        .implemented(),
    memory("auto-aof-rewrite-min-size", OffT, 0, LONG_MAX, 64 * MB),
    int("auto-aof-rewrite-percentage", Int, 0, INT_MAX, 100),
    optional_string("bgsave_cpulist").immutable(),
    special("bind", Special::Bind)
        .flag(Flags::MULTI_ARG)
        .implemented(),
    optional_string("bind-source-addr"),
    optional_string("bio_cpulist").immutable(),
    int("busy-reply-threshold", LongLong, 0, LONG_MAX, 5000).alias("lua-time-limit"),
    special(
        "client-output-buffer-limit",
        Special::ClientOutputBufferLimit,
    )
    .flag(Flags::MULTI_ARG)
    .implemented(),
    memory("client-query-buffer-limit", SizeT, MB, LONG_MAX, 1024 * MB)
        .debug()
        .implemented(),
    boolean("cluster-allow-pubsubshard-when-down", true),
    boolean("cluster-allow-reads-when-down", false).implemented(),
    boolean("cluster-allow-replica-migration", true).implemented(),
    int("cluster-announce-bus-port", Int, 0, 65535, 0).implemented(),
    optional_string("cluster-announce-hostname")
        .check(Check::Hostname)
        .implemented(),
    optional_string("cluster-announce-ip").implemented(),
    int("cluster-announce-port", Int, 0, 65535, 0).implemented(),
    int("cluster-announce-tls-port", Int, 0, 65535, 0),
    string("cluster-config-file", "nodes.conf")
        .immutable()
        .implemented(),
    boolean("cluster-enabled", false).immutable().implemented(),
    memory("cluster-link-sendbuf-limit", ULongLong, 0, ULLONG_MAX, 0),
    int("cluster-migration-barrier", Int, 0, INT_MAX, 1).implemented(),
    int("cluster-node-timeout", LongLong, 0, LONG_MAX, 15000).implemented(),
    int("cluster-port", Int, 0, 65535, 0)
        .immutable()
        .implemented(),
    enumeration("cluster-preferred-endpoint-type", ENDPOINT_TYPES, "ip"),
    boolean("cluster-replica-no-failover", false).alias("cluster-slave-no-failover"),
    int("cluster-replica-validity-factor", Int, 0, INT_MAX, 10)
        .alias("cluster-slave-validity-factor")
        .implemented(),
    boolean("cluster-require-full-coverage", true).implemented(),
    boolean("crash-log-enabled", true),
    boolean("crash-memcheck-enabled", true),
    boolean("daemonize", false).immutable().implemented(),
    int("databases", Int, 1, INT_MAX, 16)
        .immutable()
        .implemented(),
    string("dbfilename", "dump.rdb")
        .flag(Flags::PROTECTED)
        .check(Check::DbFilename)
        .implemented(),
    special("dir", Special::Dir)
        .flag(Flags::PROTECTED)
        .flag(Flags::DENY_LOADING)
        .implemented(),
    boolean("disable-thp", true).immutable(),
    boolean("dynamic-hz", true).implemented(),
    enumeration("enable-debug-command", PROTECTED_ACTIONS, "no")
        .immutable()
        .implemented(),
    enumeration("enable-module-command", PROTECTED_ACTIONS, "no")
        .immutable()
        .implemented(),
    enumeration("enable-protected-configs", PROTECTED_ACTIONS, "no").immutable(),
    int("hash-max-listpack-entries", SizeT, 0, LONG_MAX, 512)
        .alias("hash-max-ziplist-entries")
        .implemented(),
    memory("hash-max-listpack-value", SizeT, 0, LONG_MAX, 64)
        .alias("hash-max-ziplist-value")
        .implemented(),
    memory("hll-sparse-max-bytes", SizeT, 0, LONG_MAX, 3000).implemented(),
    int("hz", Int, 0, INT_MAX, 10).implemented(),
    string("ignore-warnings", ""),
    int("io-threads", Int, 1, 128, 1).debug().immutable(),
    boolean("io-threads-do-reads", false).debug().immutable(),
    boolean("jemalloc-bg-thread", true),
    int("key-load-delay", Int, INT_MIN, INT_MAX, 0).hidden(),
    int("latency-monitor-threshold", LongLong, 0, LONG_MAX, 0).implemented(),
    boolean("latency-tracking", true).implemented(),
    special(
        "latency-tracking-info-percentiles",
        Special::LatencyTrackingInfoPercentiles,
    )
    .flag(Flags::MULTI_ARG)
    .implemented(),
    boolean("lazyfree-lazy-eviction", false)
        .debug()
        .implemented(),
    boolean("lazyfree-lazy-expire", false).debug().implemented(),
    boolean("lazyfree-lazy-server-del", false)
        .debug()
        .implemented(),
    boolean("lazyfree-lazy-user-del", false)
        .debug()
        .implemented(),
    boolean("lazyfree-lazy-user-flush", false)
        .debug()
        .implemented(),
    int("lfu-decay-time", Int, 0, INT_MAX, 1).implemented(),
    int("lfu-log-factor", Int, 0, INT_MAX, 10).implemented(),
    int("list-compress-depth", Int, 0, INT_MAX, 0).debug(),
    int("list-max-listpack-size", Int, INT_MIN, INT_MAX, -2)
        .alias("list-max-ziplist-size")
        .implemented(),
    int(
        "loading-process-events-interval-bytes",
        OffT,
        1024,
        INT_MAX,
        2 * MB,
    )
    .hidden(),
    string("logfile", "").immutable().implemented(),
    enumeration("loglevel", LOGLEVELS, "notice").implemented(),
    secret("masterauth"),
    secret("masteruser"),
    number(
        "maxclients",
        UInt,
        1,
        UINT_MAX,
        10000,
        NumberFormat::Integer,
    )
    .implemented(),
    memory("maxmemory", ULongLong, 0, ULLONG_MAX, 0).implemented(),
    number(
        "maxmemory-clients",
        SSizeT,
        -100,
        LONG_MAX,
        0,
        NumberFormat::MemoryOrPercent,
    ),
    int("maxmemory-eviction-tenacity", Int, 0, 100, 10),
    enumeration("maxmemory-policy", MAXMEMORY_POLICIES, "noeviction").implemented(),
    int("maxmemory-samples", Int, 1, INT_MAX, 5).implemented(),
    int("min-replicas-max-lag", Int, 0, INT_MAX, 10).alias("min-slaves-max-lag"),
    int("min-replicas-to-write", Int, 0, INT_MAX, 0).alias("min-slaves-to-write"),
    boolean("no-appendfsync-on-rewrite", false),
    special("notify-keyspace-events", Special::NotifyKeyspaceEvents),
    enumeration("oom-score-adj", OOM_SCORE_ADJ, "no"),
    special("oom-score-adj-values", Special::OomScoreAdjValues).flag(Flags::MULTI_ARG),
    optional_string("pidfile").immutable().implemented(),
    int("port", Int, 0, 65535, 6379).implemented(),
    string("proc-title-template", "{title} {listen-addr} {server-mode}")
        .check(Check::ProcTitleTemplate),
    enumeration(
        "propagation-error-behavior",
        PROPAGATION_ERROR_BEHAVIOR,
        "ignore",
    ),
    boolean("protected-mode", true),
    memory("proto-max-bulk-len", LongLong, MB, LONG_MAX, 512 * MB)
        .debug()
        .implemented(),
    boolean("rdb-del-sync-files", false),
    int("rdb-key-save-delay", Int, INT_MIN, INT_MAX, 0).hidden(),
    boolean("rdb-save-incremental-fsync", true),
    boolean("rdbchecksum", true).immutable(),
    boolean("rdbcompression", true),
    memory("repl-backlog-size", LongLong, 1, LONG_MAX, MB),
    int("repl-backlog-ttl", TimeT, 0, LONG_MAX, 3600),
    boolean("repl-disable-tcp-nodelay", false),
    enumeration("repl-diskless-load", REPL_DISKLESS_LOAD, "disabled")
        .debug()
        .flag(Flags::DENY_LOADING),
    boolean("repl-diskless-sync", true).debug(),
    int("repl-diskless-sync-delay", Int, 0, INT_MAX, 5),
    int("repl-diskless-sync-max-replicas", Int, 0, INT_MAX, 0),
    int("repl-ping-replica-period", Int, 1, INT_MAX, 10).alias("repl-ping-slave-period"),
    int("repl-timeout", Int, 1, INT_MAX, 60),
    optional_string("replica-announce-ip").alias("slave-announce-ip"),
    int("replica-announce-port", Int, 0, 65535, 0).alias("slave-announce-port"),
    boolean("replica-announced", true),
    boolean("replica-ignore-disk-write-errors", false),
    boolean("replica-ignore-maxmemory", true).alias("slave-ignore-maxmemory"),
    boolean("replica-lazy-flush", false).alias("slave-lazy-flush"),
    int("replica-priority", Int, 0, INT_MAX, 100).alias("slave-priority"),
    boolean("replica-read-only", true)
        .alias("slave-read-only")
        .debug(),
    boolean("replica-serve-stale-data", true).alias("slave-serve-stale-data"),
    special("replicaof", Special::ReplicaOf)
        .alias("slaveof")
        .immutable()
        .flag(Flags::MULTI_ARG),
    secret("requirepass").implemented(),
    enumeration("sanitize-dump-payload", SANITIZE_DUMP_PAYLOAD, "no").debug(),
    special("save", Special::Save)
        .flag(Flags::MULTI_ARG)
        .implemented(),
    optional_string("server_cpulist").immutable(),
    int("set-max-intset-entries", SizeT, 0, LONG_MAX, 512).implemented(),
    boolean("set-proc-title", true).immutable(),
    shutdown_on("shutdown-on-sigint"),
    shutdown_on("shutdown-on-sigterm"),
    int("shutdown-timeout", Int, 0, INT_MAX, 10),
    int("slowlog-log-slower-than", LongLong, -1, LONG_MAX, 10000).implemented(),
    number(
        "slowlog-max-len",
        ULong,
        0,
        LONG_MAX,
        128,
        NumberFormat::Integer,
    )
    .implemented(),
    number(
        "socket-mark-id",
        UInt,
        0,
        UINT_MAX,
        0,
        NumberFormat::Integer,
    )
    .immutable(),
    boolean("stop-writes-on-bgsave-error", true),
    memory("stream-node-max-bytes", SizeT, 0, LONG_MAX, 4096),
    int("stream-node-max-entries", LongLong, 0, LONG_MAX, 100),
    enumeration("supervised", SUPERVISED, "no").immutable(),
    boolean("syslog-enabled", false).immutable(),
    enumeration("syslog-facility", SYSLOG_FACILITIES, "local0").immutable(),
    string("syslog-ident", "redis").immutable(),
    int("tcp-backlog", Int, 0, INT_MAX, 511)
        .immutable()
        .implemented(),
    int("tcp-keepalive", Int, 0, INT_MAX, 300).implemented(),
    int("timeout", Int, 0, INT_MAX, 0).implemented(),
    enumeration("tls-auth-clients", TLS_AUTH_CLIENTS, "yes"),
    optional_string("tls-ca-cert-dir").volatile(),
    optional_string("tls-ca-cert-file").volatile(),
    optional_string("tls-cert-file").volatile(),
    optional_string("tls-ciphers"),
    optional_string("tls-ciphersuites"),
    optional_string("tls-client-cert-file").volatile(),
    optional_string("tls-client-key-file").volatile(),
    optional_string("tls-client-key-file-pass"),
    boolean("tls-cluster", false),
    optional_string("tls-dh-params-file").volatile(),
    optional_string("tls-key-file").volatile(),
    optional_string("tls-key-file-pass"),
    int("tls-port", Int, 0, 65535, 0),
    boolean("tls-prefer-server-ciphers", false),
    optional_string("tls-protocols"),
    boolean("tls-replication", false),
    int("tls-session-cache-size", Int, 0, INT_MAX, 20 * 1024),
    int("tls-session-cache-timeout", Int, 0, INT_MAX, 300),
    boolean("tls-session-caching", true),
    int("tracking-table-max-keys", SizeT, 0, LONG_MAX, 1_000_000).implemented(),
    optional_string("unixsocket").immutable(),
    number("unixsocketperm", UInt, 0, 0o777, 0, NumberFormat::Octal).immutable(),
    boolean("use-exit-on-panic", false).hidden(),
    int("watchdog-period", Int, 0, INT_MAX, 0).hidden(),
    int("zset-max-listpack-entries", SizeT, 0, LONG_MAX, 128)
        .alias("zset-max-ziplist-entries")
        .implemented(),
    memory("zset-max-listpack-value", SizeT, 0, LONG_MAX, 64)
        .alias("zset-max-ziplist-value")
        .implemented(),
];

/// A directive accepted only in a config file or on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileOnlyDirective {
    /// Name as written in redis.conf.
    pub name: &'static str,
    /// Whether Shoal acts on it.
    pub support: Support,
    /// What Shoal does with it.
    pub note: &'static str,
}

/// Directives that exist only in config files, in the order redis.conf documents them.
pub const FILE_ONLY_DIRECTIVES: &[FileOnlyDirective] = &[
    FileOnlyDirective {
        name: "include",
        support: Support::Implemented,
        note: "reads another file through the host, in place, glob patterns included",
    },
    FileOnlyDirective {
        name: "rename-command",
        support: Support::Kept,
        note: "passed to the host; listed by Config::renamed_commands",
    },
    FileOnlyDirective {
        name: "user",
        support: Support::Kept,
        note: "ACL users are stored verbatim; listed by Config::users",
    },
    FileOnlyDirective {
        name: "loadmodule",
        support: Support::Kept,
        note: "modules are not loaded; listed by Config::modules",
    },
    FileOnlyDirective {
        name: "sentinel",
        support: Support::Kept,
        note:
            "a bare `sentinel` line is accepted; with arguments it fails as outside sentinel mode",
    },
    FileOnlyDirective {
        name: "<module>.<name>",
        support: Support::Kept,
        note: "module settings are stored; listed by Config::module_configs",
    },
];

/// Directives Redis 7.0 still accepts in a file (with exactly one argument) and ignores.
pub const DEPRECATED_DIRECTIVES: &[&str] = &[
    "list-max-ziplist-entries",
    "list-max-ziplist-value",
    "lua-replicate-commands",
];

/// Index into [`DIRECTIVES`] of the directive named `name` (canonical name only);
/// evaluated at compile time by the typed accessors, so a typo fails the build.
pub(crate) const fn index_of(name: &str) -> usize {
    let mut i = 0;
    while i < DIRECTIVES.len() {
        if bytes_eq(DIRECTIVES[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("no such directive");
}

/// How a name was found in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    /// Index into [`DIRECTIVES`].
    pub index: usize,
    /// The name used was the alias, not the canonical name.
    pub via_alias: bool,
}

impl Found {
    /// The directive found.
    pub fn directive(self) -> &'static Directive {
        &DIRECTIVES[self.index]
    }

    /// The name that was matched, in lower case: the alias when looked up by alias.
    pub fn name(self) -> &'static str {
        let d = self.directive();
        if self.via_alias {
            d.alias.unwrap_or(d.name)
        } else {
            d.name
        }
    }
}

fn name_index() -> &'static HashMap<&'static str, Found> {
    static INDEX: OnceLock<HashMap<&'static str, Found>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut map = HashMap::new();
        for (index, d) in DIRECTIVES.iter().enumerate() {
            map.insert(
                d.name,
                Found {
                    index,
                    via_alias: false,
                },
            );
            if let Some(alias) = d.alias {
                map.insert(
                    alias,
                    Found {
                        index,
                        via_alias: true,
                    },
                );
            }
        }
        map
    })
}

/// Finds a directive by name or alias, ignoring ASCII case, as Redis does everywhere.
pub fn lookup(name: &[u8]) -> Option<Found> {
    let lower = name.to_ascii_lowercase();
    let lower = std::str::from_utf8(&lower).ok()?;
    name_index().get(lower).copied()
}

/// All names CONFIG GET can list: each directive's canonical name then its alias, in
/// table order, hidden directives included (callers filter them).
pub(crate) fn all_names() -> impl Iterator<Item = Found> {
    DIRECTIVES.iter().enumerate().flat_map(|(index, d)| {
        let alias = d.alias.map(|_| Found {
            index,
            via_alias: true,
        });
        std::iter::once(Found {
            index,
            via_alias: false,
        })
        .chain(alias)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_names_are_unique() {
        for pair in DIRECTIVES.windows(2) {
            assert!(
                pair[0].name < pair[1].name,
                "{} before {}",
                pair[0].name,
                pair[1].name
            );
        }
        let mut names: Vec<&str> = DIRECTIVES
            .iter()
            .flat_map(|d| std::iter::once(d.name).chain(d.alias))
            .collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total);
    }

    #[test]
    fn redis_7_0_has_178_directives_and_19_aliases() {
        assert_eq!(DIRECTIVES.len(), 178);
        assert_eq!(DIRECTIVES.iter().filter(|d| d.alias.is_some()).count(), 19);
        assert_eq!(DIRECTIVES.iter().filter(|d| d.is_hidden()).count(), 5);
    }

    #[test]
    fn lookup_is_case_insensitive_and_knows_aliases() {
        let f = lookup(b"SlaveOf").unwrap();
        assert!(f.via_alias);
        assert_eq!(f.directive().name, "replicaof");
        assert_eq!(f.name(), "slaveof");
        assert!(!lookup(b"MAXMEMORY").unwrap().via_alias);
        assert!(lookup(b"nosuch").is_none());
        assert!(lookup(b"include").is_none());
    }

    #[test]
    fn defaults_are_within_bounds() {
        for d in DIRECTIVES {
            if let Kind::Number(n) = d.kind {
                assert!(n.min <= n.default && n.default <= n.max, "{}", d.name);
            }
        }
    }

    #[test]
    fn compile_time_index_finds_names() {
        assert_eq!(DIRECTIVES[index_of("port")].name, "port");
        assert_eq!(
            DIRECTIVES[index_of("zset-max-listpack-value")].name,
            "zset-max-listpack-value"
        );
    }
}
