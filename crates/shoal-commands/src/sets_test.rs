//! Harness tests of the set commands. The expected replies of the
//! table-style tests were recorded from redis-server 7.0.15 (orders that
//! Redis leaves unspecified are avoided or checked as invariants).

use crate::testing::Harness;
use shoal_resp::Protocol;
use std::collections::BTreeSet;

/// Splits a RESP reply of bulk strings (in an array or set) into members.
fn bulks(reply: &str) -> Vec<String> {
    let mut lines = reply.split("\r\n");
    let header = lines.next().unwrap();
    assert!(
        header.starts_with('*') || header.starts_with('~'),
        "{reply:?}"
    );
    let mut out = Vec::new();
    while let Some(l) = lines.next() {
        if l.starts_with('$') {
            out.push(lines.next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn intset_limit_comes_from_the_settings() {
    let mut h = Harness::new();
    h.settings.set_max_intset_entries = 3;
    assert_eq!(h.run("sadd s 1 2 3"), ":3\r\n");
    assert_eq!(h.run("object encoding s"), "$6\r\nintset\r\n");
    assert_eq!(h.run("sadd s 4"), ":1\r\n");
    assert_eq!(h.run("object encoding s"), "$9\r\nhashtable\r\n");
    h.settings.set_max_intset_entries = 0;
    assert_eq!(h.run("sadd z 1"), ":1\r\n");
    assert_eq!(h.run("object encoding z"), "$9\r\nhashtable\r\n");
}

#[test]
fn spop_and_srandmember_pick_members_of_the_set() {
    let mut h = Harness::new();
    let all: BTreeSet<String> = (0..50).map(|i| format!("m{i}")).collect();
    let line = format!(
        "sadd s {}",
        all.iter().cloned().collect::<Vec<_>>().join(" ")
    );
    assert_eq!(h.run(&line), ":50\r\n");
    // Distinct members for a positive count, repeats allowed for a negative one.
    for count in [1usize, 5, 20, 40, 49] {
        let got = bulks(&h.run(&format!("srandmember s {count}")));
        assert_eq!(got.len(), count);
        let set: BTreeSet<String> = got.into_iter().collect();
        assert_eq!(set.len(), count);
        assert!(set.is_subset(&all));
    }
    let got = bulks(&h.run("srandmember s -200"));
    assert_eq!(got.len(), 200);
    assert!(got.iter().all(|m| all.contains(m)));
    assert_eq!(h.run("scard s"), ":50\r\n");
    // Pops remove what they return, by both of Redis's strategies.
    let mut left = all.clone();
    for count in [3usize, 40] {
        let got = bulks(&h.run(&format!("spop s {count}")));
        assert_eq!(got.len(), count);
        for m in &got {
            assert!(left.remove(m), "{m} popped twice or never there");
        }
        assert_eq!(h.run("scard s"), format!(":{}\r\n", left.len()));
        for m in &left {
            assert_eq!(h.run(&format!("sismember s {m}")), ":1\r\n");
        }
    }
    let one = bulks(&format!("*1\r\n{}", h.run("spop s")));
    assert!(left.remove(&one[0]));
    let rest: BTreeSet<String> = bulks(&h.run("spop s 100")).into_iter().collect();
    assert_eq!(rest, left);
    assert_eq!(h.run("exists s"), ":0\r\n");
}

#[test]
fn spop_rebuild_picks_the_encoding_of_what_stays() {
    // Popping most of a set rebuilds it from the members that stay: only
    // integers stay here, so the rebuilt set is an intset, as in Redis.
    let mut h = Harness::new();
    h.run("sadd s 1 2 3 4 5 6 7 8 9 10 11 12");
    h.run("srem s 2 3 4 5 6 7 8 9 10 11 12");
    h.run("sadd s a b c d e f g h i j k");
    assert_eq!(h.run("object encoding s"), "$9\r\nhashtable\r\n");
    // 12 members, 11 popped: one stays. Retry until the survivor is "1".
    for seed in 0..200u64 {
        let mut h2 = Harness::new();
        h2.rng = rand::SeedableRng::seed_from_u64(seed);
        h2.run("sadd s 1 a b c d e f g h i j k");
        let popped = bulks(&h2.run("spop s 11"));
        assert_eq!(popped.len(), 11);
        if !popped.contains(&"1".to_string()) {
            assert_eq!(h2.run("smembers s"), "*1\r\n$1\r\n1\r\n");
            assert_eq!(h2.run("object encoding s"), "$6\r\nintset\r\n");
            return;
        }
    }
    panic!("no seed left the integer member");
}

#[test]
fn writes_count_as_changes_and_empty_sets_vanish() {
    let mut h = Harness::new();
    h.run("sadd s a b");
    assert_eq!(h.run("srem s a b c"), ":2\r\n");
    assert_eq!(h.run("type s"), "+none\r\n");
    h.run("sadd s a");
    assert_eq!(h.run("smove s t a"), ":1\r\n");
    assert_eq!(h.run("type s"), "+none\r\n");
    assert_eq!(h.run("type t"), "+set\r\n");
}

#[test]
fn membership_and_encodings() {
    let mut h = Harness::new();
    assert_eq!(h.run("sadd s 3 1 2 -5 10"), ":5\r\n");
    assert_eq!(
        h.run("smembers s"),
        "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"
    );
    assert_eq!(h.run("object encoding s"), "$6\r\nintset\r\n");
    assert_eq!(h.run("sadd s 3 4"), ":1\r\n");
    assert_eq!(h.run("scard s"), ":6\r\n");
    assert_eq!(h.run("sismember s 4"), ":1\r\n");
    assert_eq!(h.run("sismember s 04"), ":0\r\n");
    assert_eq!(h.run("sismember nokey a"), ":0\r\n");
    assert_eq!(h.run("smismember s 1 9 4"), "*3\r\n:1\r\n:0\r\n:1\r\n");
    assert_eq!(h.run("smismember nokey a b"), "*2\r\n:0\r\n:0\r\n");
    assert_eq!(h.run("srem s 1 9 10"), ":2\r\n");
    assert_eq!(
        h.run("smembers s"),
        "*4\r\n$2\r\n-5\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
    );
    assert_eq!(h.run("sadd s x"), ":1\r\n");
    assert_eq!(h.run("object encoding s"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("scard s"), ":5\r\n");
    assert_eq!(h.run("srem s x 2 3 4 -5"), ":5\r\n");
    assert_eq!(h.run("exists s"), ":0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("sadd str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("srem str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("scard str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sismember str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("smismember str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("smembers str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("srem nokey a"), ":0\r\n");
    assert_eq!(h.run("scard nokey"), ":0\r\n");
    assert_eq!(h.run("smembers nokey"), "*0\r\n");
    assert_eq!(
        h.run("sadd n -9223372036854775808 9223372036854775807 0"),
        ":3\r\n"
    );
    assert_eq!(
        h.run("smembers n"),
        "*3\r\n$20\r\n-9223372036854775808\r\n$1\r\n0\r\n$19\r\n9223372036854775807\r\n"
    );
    assert_eq!(h.run("object encoding n"), "$6\r\nintset\r\n");
    assert_eq!(h.run("sadd n 9223372036854775808"), ":1\r\n");
    assert_eq!(h.run("object encoding n"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("sadd h 1 a"), ":2\r\n");
    assert_eq!(h.run("object encoding h"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("sadd h2 a 1"), ":2\r\n");
    assert_eq!(h.run("object encoding h2"), "$9\r\nhashtable\r\n");
}

#[test]
fn algebra() {
    let mut h = Harness::new();
    assert_eq!(h.run("sadd a 1 2 3 4"), ":4\r\n");
    assert_eq!(h.run("sadd b 3 4 5"), ":3\r\n");
    assert_eq!(h.run("sadd c 4 5 6 x"), ":4\r\n");
    assert_eq!(h.run("sinter a b"), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    assert_eq!(h.run("sinter a b c"), "*1\r\n$1\r\n4\r\n");
    assert_eq!(h.run("sinter a nokey"), "*0\r\n");
    assert_eq!(h.run("sinter nokey a"), "*0\r\n");
    assert_eq!(
        h.run("sinter a a"),
        "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("sunion a b"),
        "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n"
    );
    assert_eq!(h.run("sdiff a b"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(h.run("sdiff a b c"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(h.run("sdiff a a"), "*0\r\n");
    assert_eq!(h.run("sdiff a b a"), "*0\r\n");
    assert_eq!(h.run("sdiff nokey a"), "*0\r\n");
    assert_eq!(
        h.run("sdiff a nokey"),
        "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n"
    );
    assert_eq!(h.run("sinterstore d a b"), ":2\r\n");
    assert_eq!(h.run("smembers d"), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
    assert_eq!(h.run("object encoding d"), "$6\r\nintset\r\n");
    assert_eq!(h.run("sunionstore d a b"), ":5\r\n");
    assert_eq!(
        h.run("smembers d"),
        "*5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n"
    );
    assert_eq!(h.run("sdiffstore d a b"), ":2\r\n");
    assert_eq!(h.run("smembers d"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(h.run("sinterstore d a nokey"), ":0\r\n");
    assert_eq!(h.run("exists d"), ":0\r\n");
    assert_eq!(h.run("sunionstore d nokey"), ":0\r\n");
    assert_eq!(h.run("exists d"), ":0\r\n");
    assert_eq!(h.run("sunionstore d a c"), ":7\r\n");
    assert_eq!(h.run("scard d"), ":7\r\n");
    assert_eq!(h.run("object encoding d"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("sinterstore d c c"), ":4\r\n");
    assert_eq!(h.run("scard d"), ":4\r\n");
    assert_eq!(h.run("object encoding d"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("sdiffstore d a a"), ":0\r\n");
    assert_eq!(h.run("exists d"), ":0\r\n");
    assert_eq!(h.run("sintercard 2 a b"), ":2\r\n");
    assert_eq!(h.run("sintercard 2 a b limit 1"), ":1\r\n");
    assert_eq!(h.run("sintercard 2 a b limit 0"), ":2\r\n");
    assert_eq!(h.run("sintercard 1 a limit 3"), ":3\r\n");
    assert_eq!(h.run("sintercard 2 a nokey"), ":0\r\n");
    assert_eq!(
        h.run("sintercard 0 a"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("sintercard -1 a"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("sintercard x a"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("sintercard 3 a b"),
        "-ERR Number of keys can't be greater than number of args\r\n"
    );
    assert_eq!(
        h.run("sintercard 2 a b limit -1"),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        h.run("sintercard 2 a b limit x"),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(h.run("sintercard 2 a b limit"), "-ERR syntax error\r\n");
    assert_eq!(h.run("sintercard 2 a b foo 1"), "-ERR syntax error\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("sinter a str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sinter nokey str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sunion a str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sdiff nokey str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sinterstore d str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sunionstore d a str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("sdiffstore str a b"), ":2\r\n");
    assert_eq!(h.run("type str"), "+set\r\n");
    assert_eq!(h.run("smembers str"), "*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
    assert_eq!(h.run("sadd a2 1 2 3 x"), ":4\r\n");
    assert_eq!(h.run("sadd e1 x"), ":1\r\n");
    assert_eq!(h.run("sadd e2 y"), ":1\r\n");
    assert_eq!(h.run("sadd e3 z"), ":1\r\n");
    assert_eq!(h.run("sdiffstore d a2 e1 e2 e3"), ":3\r\n");
    assert_eq!(h.run("scard d"), ":3\r\n");
    assert_eq!(h.run("sismember d x"), ":0\r\n");
    assert_eq!(h.run("object encoding d"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("sdiffstore d a2 e1"), ":3\r\n");
    assert_eq!(
        h.run("smembers d"),
        "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("object encoding d"), "$6\r\nintset\r\n");
}

#[test]
fn smove_moves_between_sets() {
    let mut h = Harness::new();
    assert_eq!(h.run("sadd src 1 2 a"), ":3\r\n");
    assert_eq!(h.run("sadd dst 3"), ":1\r\n");
    assert_eq!(h.run("smove src dst 1"), ":1\r\n");
    assert_eq!(h.run("smembers dst"), "*2\r\n$1\r\n1\r\n$1\r\n3\r\n");
    assert_eq!(h.run("object encoding dst"), "$6\r\nintset\r\n");
    assert_eq!(h.run("smove src dst a"), ":1\r\n");
    assert_eq!(h.run("object encoding dst"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("scard dst"), ":3\r\n");
    assert_eq!(h.run("smove src dst nope"), ":0\r\n");
    assert_eq!(h.run("smove src newdst 2"), ":1\r\n");
    assert_eq!(h.run("exists src"), ":0\r\n");
    assert_eq!(h.run("smembers newdst"), "*1\r\n$1\r\n2\r\n");
    assert_eq!(h.run("object encoding newdst"), "$6\r\nintset\r\n");
    assert_eq!(h.run("smove nokey dst 1"), ":0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("smove str dst 3"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("smove dst str 3"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("smove nokey str 3"), ":0\r\n");
    assert_eq!(h.run("sadd x 5"), ":1\r\n");
    assert_eq!(h.run("smove x x 5"), ":1\r\n");
    assert_eq!(h.run("smove x x 6"), ":0\r\n");
    assert_eq!(h.run("smove x y 5"), ":1\r\n");
    assert_eq!(h.run("exists x"), ":0\r\n");
    assert_eq!(h.run("smembers y"), "*1\r\n$1\r\n5\r\n");
}

#[test]
fn pop_and_random_fixed_cases() {
    let mut h = Harness::new();
    assert_eq!(h.run("spop nokey"), "$-1\r\n");
    assert_eq!(h.run("spop nokey 3"), "*0\r\n");
    assert_eq!(
        h.run("spop nokey -1"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        h.run("spop nokey x"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(h.run("sadd s 1"), ":1\r\n");
    assert_eq!(h.run("spop s 0"), "*0\r\n");
    assert_eq!(h.run("spop s 1 2"), "-ERR syntax error\r\n");
    assert_eq!(h.run("spop s 5"), "*1\r\n$1\r\n1\r\n");
    assert_eq!(h.run("exists s"), ":0\r\n");
    assert_eq!(h.run("sadd s 7"), ":1\r\n");
    assert_eq!(h.run("spop s"), "$1\r\n7\r\n");
    assert_eq!(h.run("exists s"), ":0\r\n");
    assert_eq!(h.run("srandmember nokey"), "$-1\r\n");
    assert_eq!(h.run("srandmember nokey 3"), "*0\r\n");
    assert_eq!(h.run("srandmember nokey -3"), "*0\r\n");
    assert_eq!(
        h.run("srandmember nokey x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("srandmember nokey -9223372036854775808"), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    assert_eq!(h.run("sadd s 1 2 3"), ":3\r\n");
    assert_eq!(h.run("srandmember s 0"), "*0\r\n");
    assert_eq!(h.run("srandmember s 1 2"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("srandmember s 3"),
        "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("srandmember s 10"),
        "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("sadd one only"), ":1\r\n");
    assert_eq!(h.run("srandmember one"), "$4\r\nonly\r\n");
    assert_eq!(
        h.run("srandmember one -3"),
        "*3\r\n$4\r\nonly\r\n$4\r\nonly\r\n$4\r\nonly\r\n"
    );
    assert_eq!(h.run("srandmember one 1"), "*1\r\n$4\r\nonly\r\n");
    assert_eq!(h.run("spop one 1"), "*1\r\n$4\r\nonly\r\n");
    assert_eq!(h.run("exists one"), ":0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("spop str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("spop str 2"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("spop str -2"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        h.run("srandmember str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("srandmember str 2"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn set_replies_in_resp3() {
    let mut h = Harness::new();
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("sadd s 1 2 3"), ":3\r\n");
    assert_eq!(
        h.run("smembers s"),
        "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("sinter s nokey"), "~0\r\n");
    assert_eq!(h.run("sunion s"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_eq!(h.run("sdiff s"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_eq!(h.run("spop nokey 2"), "~0\r\n");
    assert_eq!(h.run("spop nokey"), "_\r\n");
    assert_eq!(h.run("spop s 0"), "~0\r\n");
    assert_eq!(h.run("spop s 3"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    assert_eq!(h.run("sadd s 5"), ":1\r\n");
    assert_eq!(h.run("smembers nokey"), "~0\r\n");
    assert_eq!(h.run("srandmember s 5"), "*1\r\n$1\r\n5\r\n");
    assert_eq!(h.run("srandmember s -2"), "*2\r\n$1\r\n5\r\n$1\r\n5\r\n");
    assert_eq!(h.run("srandmember nokey 2"), "*0\r\n");
    assert_eq!(h.run("srandmember nokey"), "_\r\n");
    assert_eq!(h.run("sismember s 5"), ":1\r\n");
    assert_eq!(h.run("smismember s 5 6"), "*2\r\n:1\r\n:0\r\n");
    assert_eq!(h.run("sscan s 0"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n5\r\n");
    assert_eq!(h.run("sintercard 1 s"), ":1\r\n");
}

#[test]
fn sscan_options_and_errors() {
    let mut h = Harness::new();
    assert_eq!(h.run("sadd s 1 2 3"), ":3\r\n");
    assert_eq!(
        h.run("sscan s 0"),
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("sscan s 0 match 1*"),
        "*2\r\n$1\r\n0\r\n*1\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("sscan s 0 MATCH * COUNT 1"),
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("sscan s 0 count 1"),
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("sscan s x"), "-ERR invalid cursor\r\n");
    assert_eq!(
        h.run("sscan s -1"),
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("sscan s +0"),
        "*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("sscan s 18446744073709551616"),
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(h.run("sscan s -"), "-ERR invalid cursor\r\n");
    assert_eq!(h.run("sscan nokey 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("sscan nokey 0 count 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("sscan s 0 count 0"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("sscan s 0 count x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("sscan s 0 count"), "-ERR syntax error\r\n");
    assert_eq!(h.run("sscan s 0 type string"), "-ERR syntax error\r\n");
    assert_eq!(h.run("sscan s 0 match"), "-ERR syntax error\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("sscan str 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("sscan str 0 count 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("sscan str x"), "-ERR invalid cursor\r\n");
    assert_eq!(h.run("sadd t a"), ":1\r\n");
    assert_eq!(h.run("sscan t 0"), "*2\r\n$1\r\n0\r\n*1\r\n$1\r\na\r\n");
    assert_eq!(h.run("sscan t 0 match b"), "*2\r\n$1\r\n0\r\n*0\r\n");
}
