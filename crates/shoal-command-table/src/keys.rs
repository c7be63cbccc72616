//! Key positions of a concrete call: what COMMAND GETKEYS answers, and what
//! cluster routing hashes.
//!
//! Two searches, because Redis 7.0 has two:
//!
//! - [`key_positions`] is COMMAND GETKEYS. Shard channels (SPUBLISH...) are not keys
//!   here, and numkeys commands list the destination first (spec order).
//! - [`routing_key_positions`] is what cluster redirection hashes: the command's
//!   own procedure when it has one, else the legacy first/last/step range of
//!   COMMAND INFO. Shard channels count, so SPUBLISH routes by its channel.
//!
//! The GETKEYS search follows Redis 7.0: the key specs first, unless one of them has
//! `variable_flags` or none names real keys; if a spec cannot be applied (an
//! `unknown` or `incomplete` spec, a count that is not a plain integer, a range
//! running past the arguments) every key found so far is dropped and the
//! command's own procedure ([`GetKeys`]) decides. The error cases and their
//! messages are those of COMMAND GETKEYS on Redis 7.0.15, checked against
//! captured replies in `tests/getkeys.rs`.

use crate::key_flags::{ACCESS, DELETE, INCOMPLETE, NOT_KEY, OW, RO, RW, UPDATE, VARIABLE_FLAGS};
use crate::spec::{BeginSearch, CommandSpec, FindKeys, GetKeys};

/// Why a call has no key positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    /// COMMAND GETKEYS named no known command (or no known subcommand).
    InvalidCommand,
    /// The command never takes keys.
    NoKeyArguments,
    /// The argument count does not fit the command's arity.
    WrongArity,
    /// The arguments name no key (a bad count, a missing keyword...).
    InvalidArguments,
}

impl KeyError {
    /// The error line Redis 7.0 replies with to COMMAND GETKEYS, without `-` and CRLF.
    pub fn message(self) -> &'static str {
        match self {
            KeyError::InvalidCommand => "ERR Invalid command specified",
            KeyError::NoKeyArguments => "ERR The command has no key arguments",
            KeyError::WrongArity => "ERR Invalid number of arguments specified for command",
            KeyError::InvalidArguments => "ERR Invalid arguments specified for command",
        }
    }
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for KeyError {}

/// Where found keys go: positions only (the hot path), or positions with flags.
trait Sink {
    fn push(&mut self, pos: usize, flags: u32);
    fn len(&self) -> usize;
    fn truncate(&mut self, len: usize);
}

impl Sink for Vec<usize> {
    #[inline]
    fn push(&mut self, pos: usize, _flags: u32) {
        Vec::push(self, pos);
    }
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

impl Sink for Vec<(usize, u32)> {
    #[inline]
    fn push(&mut self, pos: usize, flags: u32) {
        Vec::push(self, (pos, flags));
    }
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// Fills `out` (cleared first) with the indexes in `args` of the keys of this
/// call, exactly as COMMAND GETKEYS lists them on Redis 7.0.
///
/// `args` is the whole call, command name included (and the subcommand name for
/// a subcommand: `spec` is then the subcommand, e.g. `object|encoding` for
/// `["OBJECT", "ENCODING", "k"]`, whose key is at index 2). The arity is checked
/// here too. A command flagged `no_mandatory_keys` (EVAL with zero keys) gives
/// `Ok` with `out` empty.
pub fn key_positions<A: AsRef<[u8]>>(
    spec: &CommandSpec,
    args: &[A],
    out: &mut Vec<usize>,
) -> Result<(), KeyError> {
    out.clear();
    find(spec, args, out)
}

/// Like [`key_positions`], with each key's [`crate::key_flags`] as COMMAND
/// GETKEYSANDFLAGS reports them (0 where Redis's own procedure gives none).
pub fn key_positions_and_flags<A: AsRef<[u8]>>(
    spec: &CommandSpec,
    args: &[A],
    out: &mut Vec<(usize, u32)>,
) -> Result<(), KeyError> {
    out.clear();
    find(spec, args, out)
}

/// COMMAND GETKEYS in full: `args` are the arguments after `COMMAND GETKEYS`
/// (the call to inspect); the command is resolved like Redis does, subcommand
/// included. The caller checks COMMAND GETKEYS's own arity (at least one argument).
pub fn command_getkeys<A: AsRef<[u8]>>(
    args: &[A],
    out: &mut Vec<usize>,
) -> Result<&'static CommandSpec, KeyError> {
    let spec = crate::lookup_call(args).ok_or(KeyError::InvalidCommand)?;
    key_positions(spec, args, out).map(|()| spec)
}

/// COMMAND GETKEYSANDFLAGS in full; see [`command_getkeys`].
pub fn command_getkeys_and_flags<A: AsRef<[u8]>>(
    args: &[A],
    out: &mut Vec<(usize, u32)>,
) -> Result<&'static CommandSpec, KeyError> {
    let spec = crate::lookup_call(args).ok_or(KeyError::InvalidCommand)?;
    key_positions_and_flags(spec, args, out).map(|()| spec)
}

/// Fills `out` (cleared first) with the argument indexes cluster redirection
/// hashes for this call, as Redis 7.0 picks them: the command's own procedure
/// ([`GetKeys`]) when it has one, else the legacy range ([`CommandSpec::first_key`],
/// `last_key`, `key_step`). Empty when the command has no keys or the call is
/// too short for its range. The caller has checked the arity; EXEC routes by the
/// keys of its queued commands, which is the caller's business too.
pub fn routing_key_positions<A: AsRef<[u8]>>(spec: &CommandSpec, args: &[A], out: &mut Vec<usize>) {
    out.clear();
    if spec.getkeys != GetKeys::Specs {
        from_procedure(spec.getkeys, args, out);
        return;
    }
    if spec.first_key <= 0 {
        return;
    }
    let argc = args.len() as i64;
    let first = i64::from(spec.first_key);
    let last = match i64::from(spec.last_key) {
        l if l >= 0 => l,
        l => argc + l,
    };
    let step = i64::from(spec.key_step.max(1));
    let mut i = first;
    while i <= last {
        if i >= argc {
            // Redis gives up on the whole range for a call shorter than it.
            out.clear();
            return;
        }
        out.push(i as usize);
        i += step;
    }
}

/// True when `args.len()` fits Redis's arity convention for `spec`.
#[inline]
pub fn arity_ok(spec: &CommandSpec, argc: usize) -> bool {
    let argc = i64::try_from(argc).unwrap_or(i64::MAX);
    let arity = i64::from(spec.arity);
    if arity >= 0 {
        argc == arity
    } else {
        argc >= -arity
    }
}

fn find<A: AsRef<[u8]>, S: Sink>(
    spec: &CommandSpec,
    args: &[A],
    out: &mut S,
) -> Result<(), KeyError> {
    if !spec.has_keys() {
        return Err(KeyError::NoKeyArguments);
    }
    if !arity_ok(spec, args.len()) {
        return Err(KeyError::WrongArity);
    }
    let real_keys = spec.key_specs.iter().any(|k| k.flags & NOT_KEY == 0);
    let variable = spec.key_specs.iter().any(|k| k.flags & VARIABLE_FLAGS != 0);
    let mut done = false;
    if real_keys && !variable {
        done = from_specs(spec, args, out);
        if !done {
            out.truncate(0);
        }
    }
    if !done {
        from_procedure(spec.getkeys, args, out);
    }
    if out.len() == 0 && !spec.has(crate::flags::NO_MANDATORY_KEYS) {
        return Err(KeyError::InvalidArguments);
    }
    Ok(())
}

/// Applies every key spec in order. False when one of them cannot be applied
/// (Redis then falls back to the command's procedure).
fn from_specs<A: AsRef<[u8]>, S: Sink>(spec: &CommandSpec, args: &[A], out: &mut S) -> bool {
    // Positions are i64 so that no count or offset read from the call can overflow.
    let argc = args.len() as i64;
    for ks in spec.key_specs {
        if ks.flags & NOT_KEY != 0 {
            continue;
        }
        let mut first = match ks.begin_search {
            BeginSearch::Index(i) => i64::from(i),
            BeginSearch::Keyword {
                keyword,
                start_from,
            } => {
                match find_keyword(args, keyword.as_bytes(), i64::from(start_from)) {
                    Some(i) => i + 1,
                    None => continue, // no keyword, no keys from this spec
                }
            }
            BeginSearch::Unknown => return false,
        };
        let (last, step) = match ks.find_keys {
            FindKeys::Range {
                last_key,
                key_step,
                limit,
            } => {
                let last_key = i64::from(last_key);
                let last = if last_key >= 0 {
                    first + last_key
                } else if limit == 0 {
                    argc + last_key
                } else {
                    // Only `last_key == -1` is meaningful with a limit (XREAD's STREAMS).
                    first + ((argc - first) / i64::from(limit) + last_key)
                };
                (last, i64::from(key_step))
            }
            FindKeys::Keynum {
                keynum_index,
                first_key,
                key_step,
            } => {
                if i64::from(keynum_index) >= argc {
                    return false;
                }
                let Some(count_arg) = usize::try_from(first + i64::from(keynum_index))
                    .ok()
                    .and_then(|i| args.get(i))
                else {
                    return false;
                };
                let Some(numkeys) = parse_i64_strict(count_arg.as_ref()) else {
                    return false;
                };
                if numkeys < 0 {
                    return false;
                }
                first += i64::from(first_key);
                // Redis keeps the count in a C int; a count past i32 range wraps there.
                (first + i64::from(numkeys as i32) - 1, i64::from(key_step))
            }
            FindKeys::Unknown => return false,
        };
        if last >= argc || last < first || first >= argc || step <= 0 {
            return false;
        }
        let mut i = first;
        while i <= last {
            out.push(i as usize, ks.flags);
            i += step;
        }
        if ks.flags & INCOMPLETE != 0 {
            return false;
        }
    }
    true
}

/// The index of `keyword` searched as Redis does: forwards from `start_from` up to
/// (not including) the last argument, or, when negative, backwards from
/// `argc + start_from` down to (not including) index 1.
fn find_keyword<A: AsRef<[u8]>>(args: &[A], keyword: &[u8], start_from: i64) -> Option<i64> {
    let argc = args.len() as i64;
    let (start, end) = if start_from > 0 {
        (start_from, argc - 1)
    } else {
        (argc + start_from, 1)
    };
    let mut i = start;
    while i != end {
        if i >= argc || i < 1 {
            break;
        }
        if args[i as usize].as_ref().eq_ignore_ascii_case(keyword) {
            return Some(i);
        }
        i += if start <= end { 1 } else { -1 };
    }
    None
}

/// The command's own key-finding procedure, as in Redis 7.0.
fn from_procedure<A: AsRef<[u8]>, S: Sink>(kind: GetKeys, args: &[A], out: &mut S) {
    let arg = |i: usize| args.get(i).map(|a| a.as_ref());
    let is = |i: usize, word: &str| arg(i).is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()));
    match kind {
        GetKeys::Specs => {}
        GetKeys::Set => {
            let with_get = (3..args.len()).any(|i| is(i, "get"));
            out.push(
                1,
                if with_get {
                    RW | ACCESS | UPDATE
                } else {
                    OW | UPDATE
                },
            );
        }
        GetKeys::Bitfield => {
            // Walks the operations as BITFIELD parses them; anything it
            // cannot read counts as a write, the safe side.
            let mut read_only = true;
            let mut i = 2;
            while i < args.len() {
                let remaining = args.len() - i - 1;
                if is(i, "get") && remaining >= 2 {
                    i += 3;
                } else if is(i, "overflow") && remaining >= 1 {
                    i += 2;
                } else {
                    read_only = false;
                    break;
                }
            }
            out.push(
                1,
                if read_only {
                    RO | ACCESS
                } else {
                    RW | ACCESS | UPDATE
                },
            );
        }
        GetKeys::Migrate => {
            let (mut first, mut num) = (3, 1);
            if args.len() > 6 {
                let mut i = 6;
                while i < args.len() {
                    if is(i, "keys") {
                        if arg(3).is_some_and(|k| !k.is_empty()) {
                            num = 0; // KEYS with a non-empty key argument: a syntax error
                        } else {
                            first = i + 1;
                            num = args.len() - first;
                        }
                        break;
                    }
                    if is(i, "auth") {
                        i += 1;
                    } else if is(i, "auth2") {
                        i += 2;
                    }
                    i += 1;
                }
            }
            for pos in first..first + num {
                out.push(pos, RW | ACCESS | DELETE);
            }
        }
        GetKeys::Numkeys {
            store,
            count,
            first,
        } => {
            let (store, count, first) = (store as usize, count as usize, first as usize);
            let num = i64::from(arg(count).map_or(0, atoi));
            let available = args.len().saturating_sub(first) as i64;
            if num < 1 || num > available {
                return;
            }
            for pos in first..first + num as usize {
                out.push(pos, 0);
            }
            if store != 0 {
                out.push(store, 0);
            }
        }
        GetKeys::Sort | GetKeys::SortRo => {
            out.push(1, RO | ACCESS);
            if kind == GetKeys::Sort {
                // The last STORE wins; LIMIT, GET and BY skip their values.
                let mut store = None;
                let mut i = 2;
                while i < args.len() {
                    if is(i, "limit") {
                        i += 2;
                    } else if is(i, "store") && i + 1 < args.len() {
                        store = Some(i + 1);
                    } else if is(i, "get") || is(i, "by") {
                        i += 1;
                    }
                    i += 1;
                }
                if let Some(pos) = store {
                    out.push(pos, OW | UPDATE);
                }
            }
        }
        GetKeys::Xread => {
            let mut streams = None;
            let mut i = 1;
            while i < args.len() {
                if is(i, "block") || is(i, "count") {
                    i += 1;
                } else if is(i, "group") {
                    i += 2;
                } else if is(i, "streams") {
                    streams = Some(i);
                    break;
                } else if !is(i, "noack") {
                    break;
                }
                i += 1;
            }
            let Some(streams) = streams else { return };
            let num = args.len() - streams - 1;
            if num == 0 || num % 2 != 0 {
                return;
            }
            for pos in streams + 1..streams + 1 + num / 2 {
                out.push(pos, 0);
            }
        }
    }
}

/// A strict integer as Redis's count arguments require: optional `-`, no leading
/// zeros (except "0" itself), no sign `+`, no spaces, within i64.
fn parse_i64_strict(s: &[u8]) -> Option<i64> {
    match s {
        [] => None,
        [b'0'] => Some(0),
        [b'-', digits @ ..] => parse_digits(digits)
            .and_then(|v| 0i128.checked_sub(v))
            .and_then(|v| i64::try_from(v).ok()),
        digits => parse_digits(digits).and_then(|v| i64::try_from(v).ok()),
    }
}

fn parse_digits(d: &[u8]) -> Option<i128> {
    if d.is_empty() || d[0] == b'0' || d.len() > 20 || !d.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(
        d.iter()
            .fold(0i128, |acc, &b| acc * 10 + i128::from(b - b'0')),
    )
}

/// C's `atoi` as Redis relies on it for counts: leading white space, an optional
/// sign, then digits up to the first other byte; nothing parsed is 0. Out of
/// range values saturate to the `long` bounds and then truncate to `int`, as
/// glibc's `(int)strtol(...)` does.
fn atoi(s: &[u8]) -> i32 {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r') {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut value: i128 = 0;
    while let Some(&b) = s.get(i).filter(|b| b.is_ascii_digit()) {
        value = (value * 10 + i128::from(b - b'0')).min(i128::from(i64::MAX) + 1);
        i += 1;
    }
    let value = if negative { -value } else { value };
    let long = value.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    long as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers_follow_redis() {
        assert_eq!(parse_i64_strict(b"0"), Some(0));
        assert_eq!(parse_i64_strict(b"12"), Some(12));
        assert_eq!(parse_i64_strict(b"-3"), Some(-3));
        assert_eq!(parse_i64_strict(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            &b""[..],
            b"-",
            b"-0",
            b"01",
            b"+1",
            b" 1",
            b"1 ",
            b"1x",
            b"9223372036854775808",
        ] {
            assert_eq!(
                parse_i64_strict(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn atoi_is_lenient_like_c() {
        assert_eq!(atoi(b"12abc"), 12);
        assert_eq!(atoi(b"  -7"), -7);
        assert_eq!(atoi(b"+5"), 5);
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b""), 0);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(atoi(b"99999999999999999999999"), -1);
    }

    #[test]
    fn error_messages_are_redis_lines() {
        assert_eq!(
            KeyError::WrongArity.to_string(),
            "ERR Invalid number of arguments specified for command"
        );
    }
}
