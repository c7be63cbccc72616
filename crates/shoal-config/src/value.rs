//! Values of directives: parsing each type from its words, and printing it as CONFIG GET does.
//!
//! Parsing is pure: it turns words into a [`Value`] or an error message worded as Redis
//! words it. Effects that need more context (the `save` reset rule, `dir` changing the
//! process directory, checks that read other directives) live in [`crate::config`].

use std::borrow::Cow;

use crate::args::until_nul;
use crate::numbers::{
    c_strtoll, format_trimmed_double, parse_double, parse_memory, parse_strict_i64,
};
use crate::table::{EnumSpec, NumberFormat, NumberSpec};

/// An RDB save point: snapshot after `seconds` if at least `changes` writes happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavePoint {
    /// Seconds since the last save.
    pub seconds: i64,
    /// Writes since the last save (a C `int`, so huge values wrap as they do in Redis).
    pub changes: i32,
}

/// Client classes that have an output buffer limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientClass {
    /// Ordinary clients.
    Normal = 0,
    /// Replicas (`slave` in Redis's output).
    Replica = 1,
    /// Pub/Sub subscribers.
    Pubsub = 2,
}

/// Output buffer limit of one client class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputBufferLimit {
    /// Disconnect as soon as the buffer exceeds this many bytes (0 = no limit).
    pub hard_bytes: u64,
    /// Disconnect if the buffer stays above this many bytes ...
    pub soft_bytes: u64,
    /// ... for this many seconds.
    pub soft_seconds: i64,
}

/// Defaults of `client-output-buffer-limit`, indexed by [`ClientClass`].
pub const DEFAULT_OUTPUT_BUFFER_LIMITS: [OutputBufferLimit; 3] = [
    OutputBufferLimit {
        hard_bytes: 0,
        soft_bytes: 0,
        soft_seconds: 0,
    },
    OutputBufferLimit {
        hard_bytes: 256 << 20,
        soft_bytes: 64 << 20,
        soft_seconds: 60,
    },
    OutputBufferLimit {
        hard_bytes: 32 << 20,
        soft_bytes: 8 << 20,
        soft_seconds: 60,
    },
];

/// Default of `oom-score-adj-values`: primary, replica, background child.
pub const DEFAULT_OOM_SCORE_ADJ_VALUES: [i32; 3] = [0, 200, 800];

/// Default of `latency-tracking-info-percentiles`.
pub const DEFAULT_PERCENTILES: [f64; 3] = [50.0, 99.0, 99.9];

/// Default `save` points of a server started without any `save` directive.
pub const DEFAULT_SAVE_POINTS: [SavePoint; 3] = [
    SavePoint {
        seconds: 3600,
        changes: 1,
    },
    SavePoint {
        seconds: 300,
        changes: 100,
    },
    SavePoint {
        seconds: 60,
        changes: 10000,
    },
];

/// Default `bind` addresses: every IPv4 address, and every IPv6 address if available.
pub const DEFAULT_BIND: [&str; 2] = ["*", "-::*"];

/// Keyspace notification classes (`notify-keyspace-events`), as bit flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyspaceEvents(pub u32);

impl KeyspaceEvents {
    /// `K`: publish on `__keyspace@<db>__:<key>`.
    pub const KEYSPACE: u32 = 1 << 0;
    /// `E`: publish on `__keyevent@<db>__:<event>`.
    pub const KEYEVENT: u32 = 1 << 1;
    /// `g`: generic commands (DEL, EXPIRE, RENAME, ...).
    pub const GENERIC: u32 = 1 << 2;
    /// `$`: string commands.
    pub const STRING: u32 = 1 << 3;
    /// `l`: list commands.
    pub const LIST: u32 = 1 << 4;
    /// `s`: set commands.
    pub const SET: u32 = 1 << 5;
    /// `h`: hash commands.
    pub const HASH: u32 = 1 << 6;
    /// `z`: sorted set commands.
    pub const ZSET: u32 = 1 << 7;
    /// `x`: expired events.
    pub const EXPIRED: u32 = 1 << 8;
    /// `e`: evicted events.
    pub const EVICTED: u32 = 1 << 9;
    /// `t`: stream commands.
    pub const STREAM: u32 = 1 << 10;
    /// `m`: key misses (not part of `A`).
    pub const KEY_MISS: u32 = 1 << 11;
    /// `d`: module key types.
    pub const MODULE: u32 = 1 << 13;
    /// `n`: new keys (not part of `A`).
    pub const NEW: u32 = 1 << 14;
    /// `A`: alias for `g$lshzxetd`.
    pub const ALL: u32 = Self::GENERIC
        | Self::STRING
        | Self::LIST
        | Self::SET
        | Self::HASH
        | Self::ZSET
        | Self::EXPIRED
        | Self::EVICTED
        | Self::STREAM
        | Self::MODULE;

    /// Whether every class in `flags` is enabled.
    pub fn contains(self, flags: u32) -> bool {
        self.0 & flags == flags
    }
}

/// The current value of one directive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Bool(bool),
    /// The value as the C variable holds it (unsigned types are non-negative).
    Number(i128),
    Enum(u32),
    /// `None` is unset (NULL in Redis), printed as an empty string.
    String(Option<Vec<u8>>),
    /// Absolute working directory, or empty until the host tells it.
    Dir(Vec<u8>),
    Save(Vec<SavePoint>),
    ClientOutputBufferLimit([OutputBufferLimit; 3]),
    OomScoreAdjValues([i32; 3]),
    NotifyKeyspaceEvents(u32),
    Bind(Vec<Vec<u8>>),
    /// Primary host and port (port as parsed by `strtol`, already range-checked).
    ReplicaOf(Option<(Vec<u8>, i64)>),
    Percentiles(Vec<f64>),
}

pub(crate) type ParseError = Cow<'static, str>;

/// `yes`/`no`, any case.
pub(crate) fn parse_bool(arg: &[u8]) -> Result<bool, ParseError> {
    let arg = until_nul(arg);
    if arg.eq_ignore_ascii_case(b"yes") {
        Ok(true)
    } else if arg.eq_ignore_ascii_case(b"no") {
        Ok(false)
    } else {
        Err("argument must be 'yes' or 'no'".into())
    }
}

/// Redis formats these messages into a 256-byte buffer; keep the same cut.
fn bounded(msg: String) -> ParseError {
    let mut msg = msg;
    if msg.len() > 255 {
        msg.truncate(255);
    }
    Cow::Owned(msg)
}

/// A number in the spelling `spec.format` allows, then checked against the bounds with the
/// signedness of the C type Redis stores it in.
pub(crate) fn parse_number(spec: &NumberSpec, arg: &[u8]) -> Result<i128, ParseError> {
    let memory = matches!(
        spec.format,
        NumberFormat::Memory | NumberFormat::MemoryOrPercent
    );
    let percent = spec.format == NumberFormat::MemoryOrPercent;
    let mut parsed: Option<i64> = None;
    if memory {
        // Like C, a byte count above i64::MAX is reinterpreted as negative here.
        parsed = parse_memory(arg).map(|v| v as i64);
    }
    if parsed.is_none() && percent && arg.len() > 1 && arg.last() == Some(&b'%') {
        parsed = parse_strict_i64(&arg[..arg.len() - 1])
            .filter(|v| *v >= 0)
            .map(|v| -v);
    }
    if parsed.is_none() && spec.format == NumberFormat::Octal {
        let r = c_strtoll(arg, 8);
        if r.complete && !r.overflow {
            parsed = Some(r.value);
        }
    }
    if parsed.is_none() && spec.format == NumberFormat::Integer {
        parsed = parse_strict_i64(arg);
    }
    let Some(ll) = parsed else {
        return Err(match spec.format {
            NumberFormat::MemoryOrPercent => "argument must be a memory or percent value",
            NumberFormat::Memory => "argument must be a memory value",
            NumberFormat::Octal => "argument couldn't be parsed as an octal number",
            NumberFormat::Integer => "argument couldn't be parsed into an integer",
        }
        .into());
    };
    if spec.c_type.unsigned_bounds() {
        let u = i128::from(ll as u64);
        if u < spec.min || u > spec.max {
            return Err(if spec.format == NumberFormat::Octal {
                bounded(format!(
                    "argument must be between {:o} and {:o} inclusive",
                    spec.min, spec.max
                ))
            } else {
                bounded(format!(
                    "argument must be between {} and {} inclusive",
                    spec.min, spec.max
                ))
            });
        }
        Ok(u)
    } else if percent && ll < 0 {
        if i128::from(ll) < spec.min {
            return Err(bounded(format!(
                "percentage argument must be less or equal to {}",
                -spec.min
            )));
        }
        Ok(i128::from(ll))
    } else {
        let v = i128::from(ll);
        if v < spec.min || v > spec.max {
            return Err(bounded(format!(
                "argument must be between {} and {} inclusive",
                spec.min, spec.max
            )));
        }
        Ok(v)
    }
}

/// CONFIG GET form of a number.
pub(crate) fn format_number(spec: &NumberSpec, v: i128) -> String {
    match spec.format {
        NumberFormat::MemoryOrPercent if v < 0 => format!("{}%", -v),
        NumberFormat::Octal => format!("{v:o}"),
        _ => v.to_string(),
    }
}

fn enum_error(spec: &EnumSpec) -> ParseError {
    let names: Vec<&str> = spec.values.iter().map(|(n, _)| *n).collect();
    bounded(format!(
        "argument(s) must be one of the following: {}",
        names.join(", ")
    ))
}

/// One name (or, for flag sets, several names OR-ed), any case.
pub(crate) fn parse_enum(spec: &EnumSpec, args: &[&[u8]]) -> Result<u32, ParseError> {
    if args.is_empty() || (!spec.set_of_flags && args.len() != 1) {
        return Err(enum_error(spec));
    }
    let mut value = 0;
    for arg in args {
        let arg = until_nul(arg);
        let mut matched = false;
        for (name, v) in spec.values {
            if arg.eq_ignore_ascii_case(name.as_bytes()) {
                value |= v;
                matched = true;
            }
        }
        if !matched {
            return Err(enum_error(spec));
        }
    }
    Ok(value)
}

/// CONFIG GET form of an enum: the first name with exactly this value, or for flag sets
/// the names of the flags that make it up; `unknown` if nothing fits.
pub(crate) fn format_enum(spec: &EnumSpec, value: u32) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut unmatched = value;
    for (name, v) in spec.values {
        if *v == value {
            return (*name).to_string();
        }
        if spec.set_of_flags && *v != 0 && *v == unmatched & *v {
            names.push(name);
            unmatched &= !*v;
        }
    }
    if names.is_empty() || unmatched != 0 {
        return "unknown".to_string();
    }
    names.join(" ")
}

/// Validates `save` words: pairs of seconds (>= 1) and changes (>= 0), parsed leniently.
pub(crate) fn parse_save_points(args: &[&[u8]]) -> Result<Vec<SavePoint>, ParseError> {
    const INVALID: &str = "Invalid save parameters";
    if args.len() % 2 == 1 {
        return Err(INVALID.into());
    }
    let mut points = Vec::with_capacity(args.len() / 2);
    for pair in args.chunks_exact(2) {
        let seconds = c_strtoll(pair[0], 10);
        let changes = c_strtoll(pair[1], 10);
        if !seconds.complete || seconds.value < 1 || !changes.complete || changes.value < 0 {
            return Err(INVALID.into());
        }
        // Redis keeps `changes` in an int, truncating larger values.
        points.push(SavePoint {
            seconds: seconds.value,
            changes: changes.value as i32,
        });
    }
    Ok(points)
}

pub(crate) fn format_save_points(points: &[SavePoint]) -> String {
    let parts: Vec<String> = points
        .iter()
        .map(|p| format!("{} {}", p.seconds, p.changes))
        .collect();
    parts.join(" ")
}

fn client_class(name: &[u8]) -> Option<ClientClass> {
    let name = until_nul(name).to_ascii_lowercase();
    match name.as_slice() {
        b"normal" => Some(ClientClass::Normal),
        b"slave" | b"replica" => Some(ClientClass::Replica),
        b"pubsub" => Some(ClientClass::Pubsub),
        _ => None,
    }
}

/// Applies `<class> <hard> <soft> <seconds>` groups on top of `current`, all or nothing.
pub(crate) fn parse_output_buffer_limits(
    current: &[OutputBufferLimit; 3],
    args: &[&[u8]],
) -> Result<[OutputBufferLimit; 3], ParseError> {
    if args.len() % 4 != 0 {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut next = *current;
    for group in args.chunks_exact(4) {
        let Some(class) = client_class(group[0]) else {
            return Err("Invalid client class specified in buffer limit configuration.".into());
        };
        let hard = parse_memory(group[1]);
        let soft = parse_memory(group[2]);
        let secs = c_strtoll(group[3], 10);
        // Redis stores the seconds in an int before checking the sign.
        let secs_int = secs.value as i32;
        match (hard, soft) {
            (Some(hard_bytes), Some(soft_bytes)) if secs.complete && secs_int >= 0 => {
                next[class as usize] = OutputBufferLimit {
                    hard_bytes,
                    soft_bytes,
                    soft_seconds: i64::from(secs_int),
                };
            }
            _ => {
                return Err(
                    "Error in hard, soft or soft_seconds setting in buffer limit configuration."
                        .into(),
                );
            }
        }
    }
    Ok(next)
}

pub(crate) fn format_output_buffer_limits(limits: &[OutputBufferLimit; 3]) -> String {
    // Redis prints the replica class under its old name.
    let names = ["normal", "slave", "pubsub"];
    let parts: Vec<String> = limits
        .iter()
        .zip(names)
        .map(|(l, n)| format!("{n} {} {} {}", l.hard_bytes, l.soft_bytes, l.soft_seconds))
        .collect();
    parts.join(" ")
}

pub(crate) fn parse_oom_score_adj_values(args: &[&[u8]]) -> Result<[i32; 3], ParseError> {
    if args.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut values = [0i32; 3];
    for (slot, arg) in values.iter_mut().zip(args) {
        let r = c_strtoll(arg, 10);
        if !r.complete || !(-2000..=2000).contains(&r.value) {
            return Err(
                "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
            );
        }
        *slot = r.value as i32;
    }
    Ok(values)
}

pub(crate) fn parse_keyspace_events(arg: &[u8]) -> Result<u32, ParseError> {
    let mut flags = 0;
    for &c in until_nul(arg) {
        flags |= match c {
            b'A' => KeyspaceEvents::ALL,
            b'g' => KeyspaceEvents::GENERIC,
            b'$' => KeyspaceEvents::STRING,
            b'l' => KeyspaceEvents::LIST,
            b's' => KeyspaceEvents::SET,
            b'h' => KeyspaceEvents::HASH,
            b'z' => KeyspaceEvents::ZSET,
            b'x' => KeyspaceEvents::EXPIRED,
            b'e' => KeyspaceEvents::EVICTED,
            b'K' => KeyspaceEvents::KEYSPACE,
            b'E' => KeyspaceEvents::KEYEVENT,
            b't' => KeyspaceEvents::STREAM,
            b'm' => KeyspaceEvents::KEY_MISS,
            b'd' => KeyspaceEvents::MODULE,
            b'n' => KeyspaceEvents::NEW,
            _ => return Err("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.".into()),
        };
    }
    Ok(flags)
}

/// Canonical spelling: `A` when all of `g$lshzxetd` are on (then `n` is not shown, as in
/// Redis), else each class in a fixed order; then `K`, `E`, `m`.
pub(crate) fn format_keyspace_events(flags: u32) -> String {
    let mut s = String::new();
    if flags & KeyspaceEvents::ALL == KeyspaceEvents::ALL {
        s.push('A');
    } else {
        for (bit, c) in [
            (KeyspaceEvents::GENERIC, 'g'),
            (KeyspaceEvents::STRING, '$'),
            (KeyspaceEvents::LIST, 'l'),
            (KeyspaceEvents::SET, 's'),
            (KeyspaceEvents::HASH, 'h'),
            (KeyspaceEvents::ZSET, 'z'),
            (KeyspaceEvents::EXPIRED, 'x'),
            (KeyspaceEvents::EVICTED, 'e'),
            (KeyspaceEvents::STREAM, 't'),
            (KeyspaceEvents::MODULE, 'd'),
            (KeyspaceEvents::NEW, 'n'),
        ] {
            if flags & bit != 0 {
                s.push(c);
            }
        }
    }
    for (bit, c) in [
        (KeyspaceEvents::KEYSPACE, 'K'),
        (KeyspaceEvents::KEYEVENT, 'E'),
        (KeyspaceEvents::KEY_MISS, 'm'),
    ] {
        if flags & bit != 0 {
            s.push(c);
        }
    }
    s
}

pub(crate) fn parse_bind(args: &[&[u8]]) -> Result<Vec<Vec<u8>>, ParseError> {
    if args.len() > 16 {
        return Err("Too many bind addresses specified.".into());
    }
    if args.len() == 1 && args[0].is_empty() {
        return Ok(Vec::new());
    }
    Ok(args.iter().map(|a| until_nul(a).to_vec()).collect())
}

pub(crate) fn parse_replica_of(args: &[&[u8]]) -> Result<Option<(Vec<u8>, i64)>, ParseError> {
    if args.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if until_nul(args[0]).eq_ignore_ascii_case(b"no")
        && until_nul(args[1]).eq_ignore_ascii_case(b"one")
    {
        return Ok(None);
    }
    let port = c_strtoll(args[1], 10);
    if !port.complete || !(0..=65535).contains(&port.value) {
        return Err("Invalid master port".into());
    }
    Ok(Some((until_nul(args[0]).to_vec(), port.value)))
}

pub(crate) fn parse_percentiles(args: &[&[u8]]) -> Result<Vec<f64>, ParseError> {
    if args.len() == 1 && args[0].is_empty() {
        return Ok(Vec::new());
    }
    args.iter()
        .map(|a| {
            let v =
                parse_double(a).ok_or("Invalid latency-tracking-info-percentiles parameters")?;
            if !(0.0..=100.0).contains(&v) {
                return Err(
                    "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]",
                );
            }
            Ok(v)
        })
        .collect::<Result<Vec<f64>, &str>>()
        .map_err(Cow::Borrowed)
}

pub(crate) fn format_percentiles(values: &[f64]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format_trimmed_double(*v)).collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{lookup, Kind};

    fn spec(name: &str) -> NumberSpec {
        match lookup(name.as_bytes()).unwrap().directive().kind {
            Kind::Number(n) => n,
            _ => panic!("{name} is not a number"),
        }
    }

    fn enum_spec(name: &str) -> EnumSpec {
        match lookup(name.as_bytes()).unwrap().directive().kind {
            Kind::Enum(e) => e,
            _ => panic!("{name} is not an enum"),
        }
    }

    fn num(name: &str, arg: &str) -> Result<i128, String> {
        parse_number(&spec(name), arg.as_bytes()).map_err(|e| e.into_owned())
    }

    #[test]
    fn booleans() {
        assert!(parse_bool(b"YES").unwrap());
        assert!(!parse_bool(b"no").unwrap());
        assert_eq!(
            parse_bool(b"maybe").unwrap_err(),
            "argument must be 'yes' or 'no'"
        );
        assert!(parse_bool(b"1").is_err());
    }

    #[test]
    fn integers_and_their_errors() {
        assert_eq!(num("port", "7000").unwrap(), 7000);
        assert_eq!(
            num("port", "abc").unwrap_err(),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            num("port", "06379").unwrap_err(),
            "argument couldn't be parsed into an integer"
        );
        assert_eq!(
            num("port", "65536").unwrap_err(),
            "argument must be between 0 and 65535 inclusive"
        );
        assert_eq!(
            num("hz", "-1").unwrap_err(),
            "argument must be between 0 and 2147483647 inclusive"
        );
        assert_eq!(num("list-max-listpack-size", "-3").unwrap(), -3);
        assert_eq!(num("slowlog-log-slower-than", "-1").unwrap(), -1);
        // Unsigned storage turns -1 into a huge number before the bound check.
        assert_eq!(
            num("maxclients", "-1").unwrap_err(),
            "argument must be between 1 and 4294967295 inclusive"
        );
    }

    #[test]
    fn memory_values() {
        assert_eq!(num("maxmemory", "1gb").unwrap(), 1 << 30);
        assert_eq!(num("maxmemory", "1GB").unwrap(), 1 << 30);
        assert_eq!(num("maxmemory", "").unwrap(), 0);
        assert_eq!(
            num("maxmemory", "99999999999999999999999").unwrap(),
            u64::MAX as i128
        );
        assert_eq!(
            num("maxmemory", "1zb").unwrap_err(),
            "argument must be a memory value"
        );
        assert_eq!(
            num("maxmemory", "-1").unwrap_err(),
            "argument must be a memory value"
        );
        assert_eq!(
            num("maxmemory", "1.5mb").unwrap_err(),
            "argument must be a memory value"
        );
        assert_eq!(
            num("hash-max-listpack-value", "-1").unwrap_err(),
            "argument must be a memory value"
        );
        assert_eq!(
            num("proto-max-bulk-len", "18446744073709551615").unwrap_err(),
            "argument must be between 1048576 and 9223372036854775807 inclusive"
        );
    }

    #[test]
    fn percent_values() {
        assert_eq!(num("maxmemory-clients", "50%").unwrap(), -50);
        assert_eq!(num("maxmemory-clients", "0%").unwrap(), 0);
        assert_eq!(num("maxmemory-clients", "1mb").unwrap(), 1 << 20);
        assert_eq!(
            num("maxmemory-clients", "200%").unwrap_err(),
            "percentage argument must be less or equal to 100"
        );
        assert_eq!(
            num("maxmemory-clients", "x").unwrap_err(),
            "argument must be a memory or percent value"
        );
        assert_eq!(format_number(&spec("maxmemory-clients"), -50), "50%");
        assert_eq!(format_number(&spec("maxmemory-clients"), 0), "0");
    }

    #[test]
    fn octal_values() {
        assert_eq!(num("unixsocketperm", "700").unwrap(), 0o700);
        assert_eq!(num("unixsocketperm", "").unwrap(), 0);
        assert_eq!(
            num("unixsocketperm", "1000").unwrap_err(),
            "argument must be between 0 and 777 inclusive"
        );
        assert_eq!(
            num("unixsocketperm", "9").unwrap_err(),
            "argument couldn't be parsed as an octal number"
        );
        assert_eq!(format_number(&spec("unixsocketperm"), 0o700), "700");
    }

    #[test]
    fn enums() {
        let policy = enum_spec("maxmemory-policy");
        assert_eq!(
            format_enum(&policy, parse_enum(&policy, &[b"ALLKEYS-LRU"]).unwrap()),
            "allkeys-lru"
        );
        assert_eq!(
            parse_enum(&policy, &[b"bogus"]).unwrap_err(),
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, \
             volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
        );
        let oom = enum_spec("oom-score-adj");
        assert_eq!(
            format_enum(&oom, parse_enum(&oom, &[b"relative"]).unwrap()),
            "yes"
        );
        let shutdown = enum_spec("shutdown-on-sigint");
        let v = parse_enum(&shutdown, &[b"save", b"now"]).unwrap();
        assert_eq!(format_enum(&shutdown, v), "save now");
        assert_eq!(format_enum(&shutdown, 0), "default");
        assert!(parse_enum(&shutdown, &[]).is_err());
        assert!(parse_enum(&policy, &[b"noeviction", b"allkeys-lru"]).is_err());
    }

    #[test]
    fn save_points() {
        let p = parse_save_points(&[b"900", b"1", b"300", b"10"]).unwrap();
        assert_eq!(format_save_points(&p), "900 1 300 10");
        assert!(parse_save_points(&[b"abc"]).is_err());
        assert!(parse_save_points(&[b"0", b"1"]).is_err());
        assert!(parse_save_points(&[b"1", b"-1"]).is_err());
        // strtoll leniency: an empty change count is 0, leading zeros are fine.
        assert_eq!(
            parse_save_points(&[b"900", b""]).unwrap(),
            [SavePoint {
                seconds: 900,
                changes: 0
            }]
        );
        assert_eq!(
            parse_save_points(&[b"0900", b" 1"]).unwrap(),
            [SavePoint {
                seconds: 900,
                changes: 1
            }]
        );
        assert!(parse_save_points(&[b"", b"1"]).is_err());
    }

    #[test]
    fn output_buffer_limits() {
        let l = parse_output_buffer_limits(
            &DEFAULT_OUTPUT_BUFFER_LIMITS,
            &[b"normal", b"1mb", b"2mb", b"3"],
        )
        .unwrap();
        assert_eq!(
            format_output_buffer_limits(&l),
            "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
        );
        let l = parse_output_buffer_limits(
            &DEFAULT_OUTPUT_BUFFER_LIMITS,
            &[b"replica", b"1", b"2", b"3"],
        )
        .unwrap();
        assert_eq!(
            l[1],
            OutputBufferLimit {
                hard_bytes: 1,
                soft_bytes: 2,
                soft_seconds: 3
            }
        );
        assert_eq!(
            parse_output_buffer_limits(&l, &[b"master", b"1", b"2", b"3"]).unwrap_err(),
            "Invalid client class specified in buffer limit configuration."
        );
        assert_eq!(
            parse_output_buffer_limits(&l, &[b"normal", b"1", b"2"]).unwrap_err(),
            "Wrong number of arguments in buffer limit configuration."
        );
        assert_eq!(
            parse_output_buffer_limits(&l, &[b"normal", b"1", b"2", b"-3"]).unwrap_err(),
            "Error in hard, soft or soft_seconds setting in buffer limit configuration."
        );
    }

    #[test]
    fn keyspace_events() {
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"KEA").unwrap()),
            "AKE"
        );
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"Kx$m").unwrap()),
            "$xKm"
        );
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"g$lshzxet").unwrap()),
            "g$lshzxet"
        );
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"g$lshzxetd").unwrap()),
            "A"
        );
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"An").unwrap()),
            "A"
        );
        assert_eq!(
            format_keyspace_events(parse_keyspace_events(b"").unwrap()),
            ""
        );
        assert_eq!(
            parse_keyspace_events(b"Q").unwrap_err(),
            "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        );
    }

    #[test]
    fn replica_of_and_percentiles() {
        assert_eq!(parse_replica_of(&[b"NO", b"ONE"]).unwrap(), None);
        assert_eq!(
            parse_replica_of(&[b"h", b"7000"]).unwrap(),
            Some((b"h".to_vec(), 7000))
        );
        assert_eq!(
            parse_replica_of(&[b"h", b"x"]).unwrap_err(),
            "Invalid master port"
        );
        assert_eq!(
            parse_replica_of(&[b"h"]).unwrap_err(),
            "wrong number of arguments"
        );
        let p = parse_percentiles(&[b"50", b"99.9", b"100", b"0.001"]).unwrap();
        assert_eq!(format_percentiles(&p), "50 99.9 100 0.001");
        assert_eq!(
            format_percentiles(&parse_percentiles(&[b"1e2"]).unwrap()),
            "100"
        );
        assert!(parse_percentiles(&[b""]).unwrap().is_empty());
        assert!(parse_percentiles(&[b"101"]).is_err());
        assert!(parse_percentiles(&[b"x"]).is_err());
    }
}
