//! Finding commands by name: the hot-path [`lookup`] used for every command a
//! client sends, plus the slower helpers COMMAND INFO / DOCS need.
//!
//! [`lookup`] hashes the name with a case-folding FNV-1a and probes an
//! open-addressing table that `gen/gen_table.py` lays out (it mirrors
//! [`name_hash`]), then confirms with a case-insensitive compare. No allocation.

use crate::spec::CommandSpec;
use crate::table::{BY_ID, COMMANDS, LOOKUP, LOOKUP_BITS, MAX_NAME_LEN};

/// 32-bit FNV-1a over the bytes with bit 5 set, so ASCII letters hash the same in
/// either case. Other bytes may collide with their bit-5 twin; the final compare
/// in [`lookup`] sorts that out. `gen/gen_table.py` computes the same function.
#[inline]
fn name_hash(name: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in name {
        h = (h ^ u32::from(b | 0x20)).wrapping_mul(0x0100_0193);
    }
    h
}

/// The top-level command named `name`, compared ASCII case-insensitively
/// (`b"get"`, `b"GET"`). Subcommands are found with [`lookup_subcommand`].
#[inline]
pub fn lookup(name: &[u8]) -> Option<&'static CommandSpec> {
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return None;
    }
    const MASK: usize = (1 << LOOKUP_BITS) - 1;
    let mut slot = name_hash(name) as usize & MASK;
    loop {
        let entry = LOOKUP[slot];
        if entry == 0 {
            return None;
        }
        let spec = &COMMANDS[usize::from(entry) - 1];
        if spec.name.len() == name.len() && spec.name.as_bytes().eq_ignore_ascii_case(name) {
            return Some(spec);
        }
        slot = (slot + 1) & MASK;
    }
}

/// The subcommand `sub` of `parent` (`lookup_subcommand(client, b"LIST")` gives
/// `client|list`), compared ASCII case-insensitively. `None` when `parent` has no
/// such subcommand or no subcommands at all.
pub fn lookup_subcommand(parent: &'static CommandSpec, sub: &[u8]) -> Option<&'static CommandSpec> {
    let skip = parent.name.len() + 1;
    parent.subcommands.iter().find(|s| {
        let short = &s.name.as_bytes()[skip..];
        short.len() == sub.len() && short.eq_ignore_ascii_case(sub)
    })
}

/// A command by full name as COMMAND INFO and COMMAND DOCS accept it: `"get"` or
/// `"client|list"`, case-insensitive. More than one `|` finds nothing, as in Redis.
pub fn lookup_fullname(name: &[u8]) -> Option<&'static CommandSpec> {
    match name.iter().position(|&b| b == b'|') {
        None => lookup(name),
        Some(i) => lookup_subcommand(lookup(&name[..i])?, &name[i + 1..]),
    }
}

/// The command a call resolves to, as Redis resolves `COMMAND GETKEYS cmd ...`:
/// `args[0]` names the command; when it has subcommands and `args[1]` exists, the
/// subcommand named by `args[1]` (or `None` if there is no such subcommand).
pub fn lookup_call<A: AsRef<[u8]>>(args: &[A]) -> Option<&'static CommandSpec> {
    let base = lookup(args.first()?.as_ref())?;
    match args.get(1) {
        Some(sub) if !base.subcommands.is_empty() => lookup_subcommand(base, sub.as_ref()),
        _ => Some(base),
    }
}

/// Every top-level command, in table order (COMMAND COUNT is its length).
pub fn all() -> &'static [CommandSpec] {
    &COMMANDS
}

/// Every command and subcommand, indexed by [`CommandSpec::id`]: the top-level
/// commands first, in [`all`] order, then the subcommands parent by parent.
pub fn all_with_subcommands() -> &'static [&'static CommandSpec] {
    &BY_ID
}

/// The command or subcommand whose [`CommandSpec::id`] is `id`.
pub fn by_id(id: u16) -> Option<&'static CommandSpec> {
    BY_ID.get(usize::from(id)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::LOOKUP_MAX_PROBE;

    // Probe sequences stay short, so a miss costs a few compares at most.
    const _: () = assert!(LOOKUP_MAX_PROBE < 16);

    #[test]
    fn every_command_is_found_in_any_case() {
        for spec in all() {
            assert!(std::ptr::eq(lookup(spec.name.as_bytes()).unwrap(), spec));
            let upper = spec.name.to_ascii_uppercase();
            assert!(std::ptr::eq(lookup(upper.as_bytes()).unwrap(), spec));
            assert!(std::ptr::eq(
                lookup_fullname(upper.as_bytes()).unwrap(),
                spec
            ));
            for sub in spec.subcommands {
                let short = sub.short_name().to_ascii_uppercase();
                assert!(std::ptr::eq(
                    lookup_subcommand(spec, short.as_bytes()).unwrap(),
                    sub
                ));
                assert!(std::ptr::eq(
                    lookup_fullname(sub.name.as_bytes()).unwrap(),
                    sub
                ));
            }
        }
    }

    #[test]
    fn unknown_names_are_not_found() {
        for name in [
            &b""[..],
            b"g",
            b"gett",
            b"ge",
            b"GET ",
            b"client|nosuch",
            b"nosuch|list",
        ] {
            assert!(
                lookup_fullname(name).is_none(),
                "{:?}",
                String::from_utf8_lossy(name)
            );
        }
        // Bit-5 twins hash alike but must not match: '-' (0x2d) and CR (0x0d).
        assert!(lookup(b"restore\x0dasking").is_none());
        assert!(lookup(b"client|list").is_none());
        assert!(lookup_fullname(b"client|list|x").is_none());
        assert!(lookup(&[b'a'; 300]).is_none());
    }

    #[test]
    fn ids_are_dense_and_match_positions() {
        assert_eq!(
            all_with_subcommands().len(),
            all().len() + all().iter().map(|c| c.subcommands.len()).sum::<usize>()
        );
        for (i, spec) in all_with_subcommands().iter().enumerate() {
            assert_eq!(usize::from(spec.id), i);
            assert!(std::ptr::eq(by_id(spec.id).unwrap(), *spec));
        }
        assert!(by_id(u16::MAX).is_none());
    }

    #[test]
    fn lookup_call_resolves_subcommands_like_redis() {
        assert_eq!(
            lookup_call(&["object", "Encoding", "k"]).unwrap().name,
            "object|encoding"
        );
        assert_eq!(lookup_call(&["OBJECT"]).unwrap().name, "object");
        assert!(lookup_call(&["object", "nosuch"]).is_none());
        assert_eq!(lookup_call(&["get", "k"]).unwrap().name, "get");
        assert!(lookup_call::<&str>(&[]).is_none());
    }
}
