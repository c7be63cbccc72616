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
pub const LCS_LEN_AND_IDX: &str =
    "ERR If you want both the length and indexes, please just use IDX.";
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
    let mut s = format!(
        "ERR unknown command '{}', with args beginning with: ",
        clip(name)
    );
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

// ---- Sets and sorted sets -------------------------------------------------

/// A count that must not be negative (SPOP, ZPOPMIN/ZPOPMAX).
pub const OUT_OF_RANGE_POSITIVE: &str = "ERR value is out of range, must be positive";
/// SRANDMEMBER/ZRANDMEMBER with a count of `i64::MIN`.
pub const OUT_OF_RANGE_COUNT: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
/// ZRANDMEMBER ... WITHSCORES with a count whose pairs would overflow.
pub const OUT_OF_RANGE: &str = "ERR value is out of range";
/// SINTERCARD, ZMPOP, BZMPOP with a numkeys below 1 (or not a number).
pub const NUMKEYS_NOT_POSITIVE: &str = "ERR numkeys should be greater than 0";
/// SINTERCARD with a numkeys beyond the arguments.
pub const NUMKEYS_TOO_MANY: &str = "ERR Number of keys can't be greater than number of args";
/// SINTERCARD/ZINTERCARD with a negative LIMIT.
pub const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";
/// ZMPOP/BZMPOP with a COUNT below 1.
pub const COUNT_NOT_POSITIVE: &str = "ERR count should be greater than 0";
/// ZADD NX XX.
pub const ZADD_NX_XX: &str = "ERR XX and NX options at the same time are not compatible";
/// ZADD with two of GT, LT, NX.
pub const ZADD_GT_LT_NX: &str = "ERR GT, LT, and/or NX options at the same time are not compatible";
/// ZADD INCR with several pairs.
pub const ZADD_INCR_PAIRS: &str = "ERR INCR option supports a single increment-element pair";
/// A score computation that gave NaN (inf + -inf).
pub const SCORE_NAN: &str = "ERR resulting score is not a number (NaN)";
/// A score range end that is not a float.
pub const MIN_MAX_NOT_FLOAT: &str = "ERR min or max is not a float";
/// A lex range end that is not `-`, `+`, `[x` or `(x`.
pub const MIN_MAX_NOT_LEX: &str = "ERR min or max not valid string range item";
/// ZRANGE with LIMIT but neither BYSCORE nor BYLEX.
pub const ZRANGE_LIMIT_NEEDS_BY: &str =
    "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX";
/// ZRANGE BYLEX WITHSCORES.
pub const ZRANGE_BYLEX_WITHSCORES: &str =
    "ERR syntax error, WITHSCORES not supported in combination with BYLEX";
/// ZUNION/ZINTER WEIGHTS with a weight that is not a float.
pub const WEIGHT_NOT_FLOAT: &str = "ERR weight value is not a float";

/// `ERR at least 1 input key is needed for '<cmd>' command` (ZUNION and
/// friends with numkeys below 1).
pub fn at_least_one_key(command: &str) -> String {
    format!("ERR at least 1 input key is needed for '{command}' command")
}

// ---- Lists and hashes -----------------------------------------------------

/// LSET with an index outside the list.
pub const INDEX_OUT_OF_RANGE: &str = "ERR index out of range";
/// LPOS RANK 0.
pub const LPOS_RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
/// LPOS COUNT below 0 (or not a number).
pub const LPOS_COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
/// LPOS MAXLEN below 0 (or not a number).
pub const LPOS_MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
/// HINCRBY on a field whose value is not an integer.
pub const HASH_VALUE_NOT_INTEGER: &str = "ERR hash value is not an integer";
/// HINCRBYFLOAT on a field whose value is not a float.
pub const HASH_VALUE_NOT_FLOAT: &str = "ERR hash value is not a float";
/// HINCRBYFLOAT with an infinite increment.
pub const VALUE_NAN_OR_INF: &str = "ERR value is NaN or Infinity";

/// RESTORE onto an existing key without REPLACE.
pub const BUSYKEY: &str = "BUSYKEY Target key name already exists.";
/// RESTORE with a negative TTL.
pub const RESTORE_BAD_TTL: &str = "ERR Invalid TTL value, must be >= 0";
/// RESTORE ... IDLETIME with a negative value.
pub const RESTORE_BAD_IDLETIME: &str = "ERR Invalid IDLETIME value, must be >= 0";
/// RESTORE ... FREQ outside 0..=255.
pub const RESTORE_BAD_FREQ: &str = "ERR Invalid FREQ value, must be >= 0 and <= 255";
/// A DUMP payload too short, from a newer RDB version, or with a bad CRC.
pub const DUMP_CHECKSUM: &str = "ERR DUMP payload version or checksum are wrong";
/// A DUMP payload whose value does not decode.
pub const BAD_DATA_FORMAT: &str = "ERR Bad data format";
