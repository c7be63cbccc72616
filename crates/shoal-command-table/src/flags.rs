//! Command flags: the bitset in [`CommandSpec::flags`](crate::CommandSpec::flags).
//!
//! The flags COMMAND INFO prints take the low bits, in the order Redis 7.0 prints
//! them, so [`names`] yields them in Redis's order by walking the bits upwards.
//! Flags that Redis 7.0 keeps but never prints (`may_replicate`, `sentinel`,
//! `only_sentinel`, `protected`, `touches_arbitrary_keys`) sit above bit 32 and
//! are skipped by [`names`].

/// The command may modify the data set.
pub const WRITE: u64 = 1 << 0;
/// The command only reads data.
pub const READONLY: u64 = 1 << 1;
/// The command may grow memory use, so it is refused when `maxmemory` is reached.
pub const DENYOOM: u64 = 1 << 2;
/// The command is implemented by a module (never set in Shoal's table).
pub const MODULE: u64 = 1 << 3;
/// An administrative command.
pub const ADMIN: u64 = 1 << 4;
/// A pub/sub command.
pub const PUBSUB: u64 = 1 << 5;
/// Not allowed inside scripts.
pub const NOSCRIPT: u64 = 1 << 6;
/// The command may block the client.
pub const BLOCKING: u64 = 1 << 7;
/// Allowed while the data set is loading.
pub const LOADING: u64 = 1 << 8;
/// Allowed on a replica whose data is stale.
pub const STALE: u64 = 1 << 9;
/// Not shown to MONITOR clients.
pub const SKIP_MONITOR: u64 = 1 << 10;
/// Not recorded in the slow log.
pub const SKIP_SLOWLOG: u64 = 1 << 11;
/// Accepted for an importing slot when the client sent ASKING (or is a primary).
pub const ASKING: u64 = 1 << 12;
/// Runs in constant or logarithmic time.
pub const FAST: u64 = 1 << 13;
/// Allowed before the client authenticates.
pub const NO_AUTH: u64 = 1 << 14;
/// The command may run without any of its optional keys.
pub const NO_MANDATORY_KEYS: u64 = 1 << 15;
/// Refused while an asynchronous replica load is in progress.
pub const NO_ASYNC_LOADING: u64 = 1 << 16;
/// Not allowed inside MULTI.
pub const NO_MULTI: u64 = 1 << 17;
/// The key positions depend on the arguments (first/last/step do not tell them all).
pub const MOVABLEKEYS: u64 = 1 << 18;
/// Allowed while a script or function is busy.
pub const ALLOW_BUSY: u64 = 1 << 19;

/// Number of printed flags; they occupy bits `0..PRINTED`.
const PRINTED: u32 = 20;

/// Not printed: the command may propagate writes (PUBLISH, for example).
pub const MAY_REPLICATE: u64 = 1 << 32;
/// Not printed: also served by a Sentinel.
pub const SENTINEL: u64 = 1 << 33;
/// Not printed: served only by a Sentinel.
pub const ONLY_SENTINEL: u64 = 1 << 34;
/// Not printed: refused unless debug commands are enabled (DEBUG).
pub const PROTECTED: u64 = 1 << 35;
/// Not printed: may touch keys not named in its arguments (SCAN, RANDOMKEY).
pub const TOUCHES_ARBITRARY_KEYS: u64 = 1 << 36;

const NAMES: [&str; PRINTED as usize] = [
    "write",
    "readonly",
    "denyoom",
    "module",
    "admin",
    "pubsub",
    "noscript",
    "blocking",
    "loading",
    "stale",
    "skip_monitor",
    "skip_slowlog",
    "asking",
    "fast",
    "no_auth",
    "no_mandatory_keys",
    "no_async_loading",
    "no_multi",
    "movablekeys",
    "allow_busy",
];

const HIDDEN: [(u64, &str); 5] = [
    (MAY_REPLICATE, "may_replicate"),
    (SENTINEL, "sentinel"),
    (ONLY_SENTINEL, "only_sentinel"),
    (PROTECTED, "protected"),
    (TOUCHES_ARBITRARY_KEYS, "touches_arbitrary_keys"),
];

/// The names COMMAND INFO prints for `flags`, in Redis's order. Hidden flags are skipped.
pub fn names(flags: u64) -> impl Iterator<Item = &'static str> {
    (0..PRINTED)
        .filter(move |bit| flags & (1 << bit) != 0)
        .map(|bit| NAMES[bit as usize])
}

/// The flag bit named `name` (printed or hidden, lowercase), if any.
pub fn from_name(name: &str) -> Option<u64> {
    if let Some(bit) = NAMES.iter().position(|n| *n == name) {
        return Some(1 << bit);
    }
    HIDDEN.iter().find(|(_, n)| *n == name).map(|(f, _)| *f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_redis_order_and_skip_hidden_flags() {
        let f = MOVABLEKEYS | WRITE | FAST | MAY_REPLICATE | DENYOOM;
        assert_eq!(
            names(f).collect::<Vec<_>>(),
            ["write", "denyoom", "fast", "movablekeys"]
        );
        assert_eq!(names(0).count(), 0);
    }

    #[test]
    fn from_name_inverts_names() {
        for (bit, name) in NAMES.iter().enumerate() {
            assert_eq!(from_name(name), Some(1 << bit));
        }
        assert_eq!(from_name("sentinel"), Some(SENTINEL));
        assert_eq!(from_name("nope"), None);
    }
}
