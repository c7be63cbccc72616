//! Key-spec flags: the bitset in [`KeySpec::flags`](crate::KeySpec::flags), also
//! reported per key by COMMAND GETKEYSANDFLAGS.
//!
//! Bits are in the order Redis 7.0 prints them, so [`names`] yields Redis's order.

/// Read-only access to the key's value.
pub const RO: u32 = 1 << 0;
/// Read-write access.
pub const RW: u32 = 1 << 1;
/// Overwrite: the value is replaced without being read.
pub const OW: u32 = 1 << 2;
/// The key is removed.
pub const RM: u32 = 1 << 3;
/// User data is returned, copied or otherwise exposed.
pub const ACCESS: u32 = 1 << 4;
/// Existing data is updated.
pub const UPDATE: u32 = 1 << 5;
/// Data is added, nothing existing changes.
pub const INSERT: u32 = 1 << 6;
/// Data is removed.
pub const DELETE: u32 = 1 << 7;
/// The argument is not a key (a shard channel) but is routed like one.
pub const NOT_KEY: u32 = 1 << 8;
/// The spec may miss some keys; the command's own parser must be used as well.
pub const INCOMPLETE: u32 = 1 << 9;
/// The flags depend on the arguments.
pub const VARIABLE_FLAGS: u32 = 1 << 10;

const NAMES: [&str; 11] = [
    "RO",
    "RW",
    "OW",
    "RM",
    "access",
    "update",
    "insert",
    "delete",
    "not_key",
    "incomplete",
    "variable_flags",
];

/// The names Redis prints for `flags`, in Redis's order.
pub fn names(flags: u32) -> impl Iterator<Item = &'static str> {
    (0..NAMES.len())
        .filter(move |bit| flags & (1 << bit) != 0)
        .map(|bit| NAMES[bit])
}

/// The flag bit Redis prints as `name`, if any.
pub fn from_name(name: &str) -> Option<u32> {
    NAMES.iter().position(|n| *n == name).map(|bit| 1 << bit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_in_redis_order() {
        assert_eq!(
            names(UPDATE | RW | ACCESS).collect::<Vec<_>>(),
            ["RW", "access", "update"]
        );
        assert_eq!(from_name("not_key"), Some(NOT_KEY));
    }
}
