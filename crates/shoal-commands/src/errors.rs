//! Every client-visible error text of the command layer, in one place.
//!
//! The texts are Redis 7.0's, checked against redis-server 7.0.15; clients
//! and tests match on them, so they are never built ad hoc elsewhere.

/// A value of the wrong type for the command.
pub const WRONGTYPE: &str = "WRONGTYPE Operation against a key holding the wrong kind of value";
/// Generic syntax error.
pub const SYNTAX: &str = "ERR syntax error";
/// An argument that should be an integer is not one.
pub const NOT_INTEGER: &str = "ERR value is not an integer or out of range";
/// An argument that should be a float is not one.
pub const NOT_FLOAT: &str = "ERR value is not a valid float";
/// INCR/INCRBY overflow.
pub const INCR_OVERFLOW: &str = "ERR increment or decrement would overflow";
/// DECRBY of i64::MIN.
pub const DECR_OVERFLOW: &str = "ERR decrement would overflow";
/// INCRBYFLOAT producing a non-finite value.
pub const FLOAT_NAN_INF: &str = "ERR increment would produce NaN or Infinity";
/// RENAME and friends on a missing key.
pub const NO_SUCH_KEY: &str = "ERR no such key";
/// GETRANGE/SETRANGE with a negative offset.
pub const OFFSET_OUT_OF_RANGE: &str = "ERR offset is out of range";
/// A string would grow past `proto-max-bulk-len`.
pub const STRING_TOO_LONG: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
/// SELECT/MOVE/COPY/SWAPDB with a db outside 0..databases.
pub const DB_OUT_OF_RANGE: &str = "ERR DB index is out of range";
/// COPY/MOVE onto itself.
pub const SAME_OBJECT: &str = "ERR source and destination objects are the same";
/// SCAN with a cursor that is not an unsigned integer.
pub const INVALID_CURSOR: &str = "ERR invalid cursor";
/// EXPIRE NX together with XX/GT/LT.
pub const EXPIRE_NX_CONFLICT: &str =
    "ERR NX and XX, GT or LT options at the same time are not compatible";
/// EXPIRE GT together with LT.
pub const EXPIRE_GT_LT_CONFLICT: &str = "ERR GT and LT options at the same time are not compatible";
/// OBJECT FREQ without an LFU policy.
pub const NO_LFU: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
/// OBJECT IDLETIME under an LFU policy.
pub const NO_LRU: &str = "ERR An LRU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
/// LCS on a non-string key.
pub const LCS_NOT_STRINGS: &str = "ERR The specified keys must contain string values";
/// LCS with both LEN and IDX.
pub const LCS_LEN_AND_IDX: &str = "ERR If you want both the length and indexes, please just use IDX.";
/// Writes refused under `maxmemory` with `noeviction`.
pub const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
/// A timeout argument that is not a number (blocking commands).
pub const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
/// A negative timeout.
pub const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";
/// A timeout argument that is not an integer (CLIENT PAUSE, WAIT).
pub const TIMEOUT_NOT_INTEGER: &str = "ERR timeout is not an integer or out of range";

/// `ERR invalid expire time in '<cmd>' command`.
pub fn invalid_expire(command: &str) -> String {
    format!("ERR invalid expire time in '{command}' command")
}

/// `ERR wrong number of arguments for '<cmd>' command`; `command` is the
/// full lowercase name (`config|get` for subcommands).
pub fn wrong_arity(command: &str) -> String {
    format!("ERR wrong number of arguments for '{command}' command")
}

/// `ERR unknown command '<name>', with args beginning with: '<a>' '<b>' `,
/// with the name and each argument cut to 128 bytes as Redis does.
pub fn unknown_command(name: &[u8], args: impl Iterator<Item = impl AsRef<[u8]>>) -> String {
    let mut s = format!("ERR unknown command '{}', with args beginning with: ", clip(name));
    for a in args {
        s.push('\'');
        s.push_str(&clip(a.as_ref()));
        s.push_str("' ");
    }
    s
}

/// `ERR unknown subcommand '<sub>'. Try <CMD> HELP.`
pub fn unknown_subcommand(sub: &[u8], command_upper: &str) -> String {
    format!(
        "ERR unknown subcommand '{}'. Try {command_upper} HELP.",
        clip(sub)
    )
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP.`
pub fn unknown_subcommand_or_arity(sub: &[u8], command_upper: &str) -> String {
    format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {command_upper} HELP.",
        clip(sub)
    )
}

fn clip(b: &[u8]) -> String {
    let b = &b[..b.len().min(128)];
    String::from_utf8_lossy(b).into_owned()
}
