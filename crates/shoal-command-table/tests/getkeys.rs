//! `key_positions` against COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS replies
//! captured from Redis 7.0.15 (`tests/data/getkeys.resp`, written by
//! `gen/capture.py`): key lists, flags and every error line, byte for byte.
//!
//! EVAL and XREAD are not served yet, so their specs are written out here
//! (facts from Redis 7.0's COMMAND INFO) to exercise the numkeys, keyword-limit
//! and `unknown`-spec paths the way those commands will use them.

mod common;

use common::{data, encode, Reader, Resp};
use proptest::prelude::*;
use shoal_command_table::reply::key_flags_reply;
use shoal_command_table::{
    all_with_subcommands, command_getkeys, command_getkeys_and_flags, flags as f, key_flags as k,
    key_positions, key_positions_and_flags, lookup, lookup_call, lookup_fullname, BeginSearch,
    CommandDocs, CommandSpec, FindKeys, GetKeys, KeyError, KeySpec,
};

static NO_DOCS: CommandDocs = CommandDocs {
    summary: "",
    since: "",
    group: "",
    complexity: None,
    doc_flags: 0,
    deprecated_since: None,
    replaced_by: None,
    history: &[],
    arguments: &[],
};

static EVAL: CommandSpec = CommandSpec {
    name: "eval",
    arity: -3,
    flags: f::NOSCRIPT | f::STALE | f::SKIP_MONITOR | f::NO_MANDATORY_KEYS | f::MOVABLEKEYS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    acl_categories: &["@slow", "@scripting"],
    tips: &[],
    key_specs: &[KeySpec {
        flags: k::RW | k::ACCESS | k::UPDATE,
        begin_search: BeginSearch::Index(2),
        find_keys: FindKeys::Keynum {
            keynum_index: 0,
            first_key: 1,
            key_step: 1,
        },
        notes: None,
    }],
    subcommands: &[],
    docs: &NO_DOCS,
    getkeys: GetKeys::Numkeys {
        store: 0,
        count: 2,
        first: 3,
    },
    id: u16::MAX,
};

static XREAD: CommandSpec = CommandSpec {
    name: "xread",
    arity: -4,
    flags: f::READONLY | f::BLOCKING | f::MOVABLEKEYS,
    first_key: 0,
    last_key: 0,
    key_step: 0,
    acl_categories: &[],
    tips: &[],
    key_specs: &[KeySpec {
        flags: k::RO | k::ACCESS,
        begin_search: BeginSearch::Keyword {
            keyword: "STREAMS",
            start_from: 1,
        },
        find_keys: FindKeys::Range {
            last_key: -1,
            key_step: 1,
            limit: 2,
        },
        notes: None,
    }],
    subcommands: &[],
    docs: &NO_DOCS,
    getkeys: GetKeys::Xread,
    id: u16::MAX,
};

fn bulk(s: &[u8]) -> Vec<u8> {
    let mut out = format!("${}\r\n", s.len()).into_bytes();
    out.extend_from_slice(s);
    out.extend_from_slice(b"\r\n");
    out
}

fn error(e: KeyError) -> Vec<u8> {
    format!("-{}\r\n", e.message()).into_bytes()
}

/// Our RESP2 replies to COMMAND GETKEYS and GETKEYSANDFLAGS for `args`.
fn our_replies(args: &[Vec<u8>]) -> (Vec<u8>, Vec<u8>) {
    let local = match args[0].to_ascii_lowercase().as_slice() {
        b"eval" => Some(&EVAL),
        b"xread" => Some(&XREAD),
        _ => None,
    };
    let (mut positions, mut with_flags) = (Vec::new(), Vec::new());
    let (keys, keys_flags) = match local {
        Some(spec) => {
            assert!(
                lookup(&args[0]).is_none(),
                "{} is served now: drop its local spec",
                spec.name
            );
            (
                key_positions(spec, args, &mut positions),
                key_positions_and_flags(spec, args, &mut with_flags),
            )
        }
        None => (
            command_getkeys(args, &mut positions).map(drop),
            command_getkeys_and_flags(args, &mut with_flags).map(drop),
        ),
    };
    let plain = match keys {
        Err(e) => error(e),
        Ok(()) => {
            let mut out = format!("*{}\r\n", positions.len()).into_bytes();
            for &p in &positions {
                out.extend(bulk(&args[p]));
            }
            out
        }
    };
    let flagged = match keys_flags {
        Err(e) => error(e),
        Ok(()) => {
            let mut out = format!("*{}\r\n", with_flags.len()).into_bytes();
            for &(p, flags) in &with_flags {
                out.extend_from_slice(b"*2\r\n");
                out.extend(bulk(&args[p]));
                encode(&key_flags_reply(flags), false, &mut out);
            }
            out
        }
    };
    (plain, flagged)
}

#[test]
fn getkeys_matches_redis_on_captured_calls() {
    let captured = data("getkeys.resp");
    let mut reader = Reader::new(&captured);
    let mut cases = 0;
    while !reader.at_end() {
        let (request, _) = reader.next_raw();
        let (_, expected_keys) = reader.next_raw();
        let (_, expected_flags) = reader.next_raw();
        let Resp::Array(items) = request else {
            panic!("request is an array")
        };
        let args: Vec<Vec<u8>> = items
            .into_iter()
            .map(|a| match a {
                Resp::Bulk(b) => b,
                other => panic!("{other:?}"),
            })
            .collect();
        let shown = args
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        if expected_keys.starts_with(b"-ERR wrong number of arguments for 'command|getkeys'") {
            // COMMAND GETKEYS's own arity, checked by the dispatcher before the table is asked.
            let getkeys = lookup_fullname(b"command|getkeys").unwrap();
            assert!(
                !shoal_command_table::arity_ok(getkeys, args.len() + 2),
                "{shown}"
            );
            continue;
        }
        let (keys, flags) = our_replies(&args);
        assert!(
            keys == expected_keys,
            "GETKEYS {shown}\n ours:  {:?}\n redis: {:?}",
            String::from_utf8_lossy(&keys),
            String::from_utf8_lossy(expected_keys)
        );
        assert!(
            flags == expected_flags,
            "GETKEYSANDFLAGS {shown}\n ours:  {:?}\n redis: {:?}",
            String::from_utf8_lossy(&flags),
            String::from_utf8_lossy(expected_flags)
        );
        cases += 1;
    }
    assert!(cases >= 60, "only {cases} cases compared");
}

#[test]
fn cluster_routing_keys_for_common_calls() {
    let mut out = Vec::new();
    let spec = lookup(b"MSET").unwrap();
    key_positions(spec, &["MSET", "a", "1", "b", "2"], &mut out).unwrap();
    assert_eq!(out, [1, 3]);
    let spec = lookup(b"zunionstore").unwrap();
    key_positions(
        spec,
        &[&b"ZUNIONSTORE"[..], b"d", b"2", b"a", b"b"],
        &mut out,
    )
    .unwrap();
    assert_eq!(out, [1, 3, 4]);
    let spec = lookup(b"ping").unwrap();
    assert_eq!(
        key_positions(spec, &["PING"], &mut out),
        Err(KeyError::NoKeyArguments)
    );
    let call = ["OBJECT", "ENCODING", "k"];
    key_positions(lookup_call(&call).unwrap(), &call, &mut out).unwrap();
    assert_eq!(out, [2]);
}

#[test]
fn eval_with_zero_keys_has_no_keys_and_no_error() {
    let mut out = vec![99];
    assert_eq!(
        key_positions(&EVAL, &["EVAL", "return 1", "0"], &mut out),
        Ok(())
    );
    assert!(out.is_empty());
}

fn arb_arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"0".to_vec()),
        Just(b"1".to_vec()),
        Just(b"2".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"KEYS".to_vec()),
        Just(b"STREAMS".to_vec()),
        Just(b"STORE".to_vec()),
        Just(b"get".to_vec()),
        Just(b"".to_vec()),
        proptest::collection::vec(any::<u8>(), 0..6),
    ]
}

proptest! {
    /// Any call to any command: no panic, positions inside the call, flags and
    /// plain positions agree, and an error leaves no keys behind.
    #[test]
    fn key_positions_are_total_and_in_bounds(
        which in 0usize..1000,
        rest in proptest::collection::vec(arb_arg(), 0..10),
    ) {
        let specs: Vec<&CommandSpec> =
            all_with_subcommands().iter().copied().chain([&EVAL, &XREAD]).collect();
        let spec = specs[which % specs.len()];
        let mut args: Vec<Vec<u8>> = spec.name.split('|').map(|s| s.as_bytes().to_vec()).collect();
        args.extend(rest);
        let (mut plain, mut flagged) = (Vec::new(), Vec::new());
        let a = key_positions(spec, &args, &mut plain);
        let b = key_positions_and_flags(spec, &args, &mut flagged);
        prop_assert_eq!(a, b);
        prop_assert_eq!(&plain, &flagged.iter().map(|(p, _)| *p).collect::<Vec<_>>());
        prop_assert!(plain.iter().all(|&p| p >= 1 && p < args.len()));
        if a.is_err() {
            prop_assert!(plain.is_empty());
        }
    }
}

fn routing(call: &[&str]) -> Vec<usize> {
    let spec = lookup_call(call).unwrap();
    let mut out = vec![99];
    shoal_command_table::routing_key_positions(spec, call, &mut out);
    out
}

#[test]
fn routing_uses_the_legacy_range_or_the_command_procedure() {
    assert_eq!(routing(&["GET", "k"]), [1]);
    assert_eq!(routing(&["MSET", "a", "1", "b", "2"]), [1, 3]);
    assert_eq!(routing(&["MSET", "a", "1", "b"]), [1, 3]);
    assert_eq!(routing(&["BLPOP", "a", "b", "0"]), [1, 2]);
    assert_eq!(routing(&["RENAME", "a", "b"]), [1, 2]);
    assert_eq!(routing(&["OBJECT", "ENCODING", "k"]), [2]);
    assert_eq!(routing(&["MEMORY", "USAGE", "k"]), [2]);
    // Shard channels are routed like keys, though GETKEYS does not list them.
    assert_eq!(routing(&["SPUBLISH", "ch", "msg"]), [1]);
    assert_eq!(routing(&["SSUBSCRIBE", "a", "b"]), [1, 2]);
    assert_eq!(routing(&["SUNSUBSCRIBE"]), Vec::<usize>::new());
    // Numkeys procedures: sources first, destination last; a bad count gives no keys.
    assert_eq!(routing(&["ZUNIONSTORE", "d", "2", "a", "b"]), [3, 4, 1]);
    assert_eq!(routing(&["LMPOP", "2", "a", "b", "LEFT"]), [2, 3]);
    assert_eq!(routing(&["LMPOP", "0", "a", "LEFT"]), Vec::<usize>::new());
    assert_eq!(routing(&["SET", "k", "v", "GET"]), [1]);
    assert_eq!(
        routing(&["MIGRATE", "h", "1", "", "0", "5", "KEYS", "a", "b"]),
        [7, 8]
    );
    assert_eq!(
        routing(&["MIGRATE", "h", "1", "k", "0", "5", "KEYS", "a"]),
        Vec::<usize>::new()
    );
    assert_eq!(routing(&["PING"]), Vec::<usize>::new());
    assert_eq!(routing(&["PUBLISH", "ch", "m"]), Vec::<usize>::new());
    assert_eq!(routing(&["CLUSTER", "KEYSLOT", "k"]), Vec::<usize>::new());
}
