//! Harness tests of the sorted set commands. The expected replies of the
//! table-style tests were recorded from redis-server 7.0.15; `_listpack`
//! and `_skiplist` pairs run the same commands with the default limits and
//! with `zset-max-listpack-entries 0`, so both encodings are held to them.

use crate::ctx::{Outcome, TimeoutReply};
use crate::testing::Harness;
use shoal_resp::Protocol;
use std::collections::BTreeSet;

/// The two sorted-set encodings the behaviour tests run under: compact
/// (listpack), and always a skiplist (`zset-max-listpack-entries 0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Listpack,
    Skiplist,
}

impl Enc {
    fn harness(self) -> Harness {
        let mut h = Harness::new();
        if self == Enc::Skiplist {
            h.settings.zset_max_listpack_entries = 0;
        }
        h
    }

    /// OBJECT ENCODING's reply for a sorted set in this encoding.
    fn reply(self) -> String {
        let name = match self {
            Enc::Listpack => "listpack",
            Enc::Skiplist => "skiplist",
        };
        format!("$8\r\n{name}\r\n")
    }
}

/// The bulk strings of a flat RESP reply, in order.
fn bulks(reply: &str) -> Vec<String> {
    let mut lines = reply.split("\r\n");
    let mut out = Vec::new();
    while let Some(l) = lines.next() {
        if l.starts_with('$') && l != "$-1" {
            out.push(lines.next().unwrap().to_string());
        }
    }
    out
}

#[test]
fn blocking_pops_block_on_empty_keys_and_serve_at_once_otherwise() {
    let mut h = Harness::new();
    let (reply, outcome) = h.run_args(&[b"bzpopmin", b"a", b"b", b"1.5"]);
    assert_eq!(reply, "");
    assert_eq!(
        outcome,
        Outcome::Block(crate::BlockRequest {
            keys: vec![b"a".to_vec(), b"b".to_vec()],
            deadline_ms: Some(h.now_ms + 1500),
            timeout_reply: TimeoutReply::NullArray,
            waits_for: shoal_keyspace::ValueType::ZSet,
        })
    );
    let (_, outcome) = h.run_args(&[b"bzmpop", b"0", b"1", b"a", b"max"]);
    assert!(matches!(outcome, Outcome::Block(ref r) if r.deadline_ms.is_none()));
    // Once a key has members, the same command (as the server re-runs it)
    // answers.
    h.run("zadd b 1 x 2 y");
    assert_eq!(
        h.run("bzpopmin a b 1.5"),
        "*3\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("bzmpop 0 2 a b max"),
        "*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n"
    );
    // Inside MULTI they cannot block: a timeout reply at once.
    h.may_block = false;
    assert_eq!(h.run("bzpopmax a b 0"), "*-1\r\n");
    assert_eq!(h.run("bzmpop 0 1 a min"), "*-1\r\n");
}

#[test]
fn zrandmember_picks_members_of_the_set() {
    for entries in [128, 0] {
        let mut h = Harness::new();
        h.settings.zset_max_listpack_entries = entries;
        let names: Vec<String> = (0..60).map(|i| format!("m{i}")).collect();
        let mut line = String::from("zadd z");
        for (i, n) in names.iter().enumerate() {
            line.push_str(&format!(" {i} {n}"));
        }
        h.run(&line);
        let all: BTreeSet<String> = names.iter().cloned().collect();
        for count in [1usize, 7, 25, 59] {
            let got = bulks(&h.run(&format!("zrandmember z {count}")));
            assert_eq!(got.len(), count);
            let distinct: BTreeSet<String> = got.into_iter().collect();
            assert_eq!(distinct.len(), count);
            assert!(distinct.is_subset(&all));
        }
        // With scores: each member comes with its own score.
        let got = bulks(&h.run("zrandmember z -100 withscores"));
        assert_eq!(got.len(), 200);
        for pair in got.chunks(2) {
            assert_eq!(pair[0], format!("m{}", pair[1]));
        }
        let one = h.run("zrandmember z");
        assert!(all.contains(&bulks(&one)[0]));
    }
}

#[test]
fn large_sets_rank_and_range_like_small_ones() {
    // The same 300 members in both encodings give the same answers.
    let mut small = Harness::new();
    small.settings.zset_max_listpack_entries = 1000;
    let mut large = Harness::new();
    large.settings.zset_max_listpack_entries = 0;
    let mut line = String::from("zadd z");
    for i in 0..300 {
        line.push_str(&format!(" {} m{:03}", (i * 7919) % 101, i));
    }
    for h in [&mut small, &mut large] {
        h.run(&line);
    }
    assert_eq!(small.run("object encoding z"), "$8\r\nlistpack\r\n");
    assert_eq!(large.run("object encoding z"), "$8\r\nskiplist\r\n");
    let queries = [
        "zrange z 0 -1 withscores",
        "zrange z 17 140 rev withscores",
        "zrange z 10 (50 byscore limit 3 40",
        "zrange z 90 (10 byscore rev withscores limit 2 7",
        "zcount z (20 77",
        "zrank z m150",
        "zrevrank z m150",
        "zremrangebyscore z 30 40",
        "zremrangebyrank z 5 25",
        "zpopmax z 3",
        "zrange z 0 -1 withscores",
        "zunion 1 z withscores",
        "zinterstore d 2 z z weights 1 2",
        "zrange d 0 -1 withscores",
    ];
    for q in queries {
        assert_eq!(small.run(q), large.run(q), "{q}");
    }
}

fn zadd_options(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(
        h.run("zadd z nx xx 1 a"),
        "-ERR XX and NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        h.run("zadd z nx gt 1 a"),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        h.run("zadd z gt lt 1 a"),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        h.run("zadd z xx gt lt 1 a"),
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n"
    );
    assert_eq!(
        h.run("zadd z incr 1 a 2 b"),
        "-ERR INCR option supports a single increment-element pair\r\n"
    );
    assert_eq!(h.run("zadd z 1 a 2"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zadd z 1 a x b"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        h.run("zadd z incr nx x a"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zadd str 1 a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zadd str x a"), "-ERR value is not a valid float\r\n");
    assert_eq!(
        h.run("zadd str nx xx 1 a"),
        "-ERR XX and NX options at the same time are not compatible\r\n"
    );
    assert_eq!(h.run("zadd z xx 1 a"), ":0\r\n");
    assert_eq!(h.run("exists z"), ":0\r\n");
    assert_eq!(h.run("zadd z xx incr 1 a"), "$-1\r\n");
    assert_eq!(h.run("exists z"), ":0\r\n");
    assert_eq!(h.run("zadd z 1 a 2 b"), ":2\r\n");
    assert_eq!(h.run("zadd z ch 1 a 3 b 4 c"), ":2\r\n");
    assert_eq!(h.run("zadd z gt ch 0 a 5 b"), ":1\r\n");
    assert_eq!(h.run("zadd z lt incr 1 a"), "$-1\r\n");
    assert_eq!(h.run("zadd z gt incr 1 a"), "$1\r\n2\r\n");
    assert_eq!(h.run("zadd z nx incr 1 a"), "$-1\r\n");
    assert_eq!(h.run("zadd z incr inf a"), "$3\r\ninf\r\n");
    assert_eq!(
        h.run("zadd z incr -inf a"),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(h.run("zscore z a"), "$3\r\ninf\r\n");
    assert_eq!(h.run("zincrby z 1 a"), "$3\r\ninf\r\n");
    assert_eq!(
        h.run("zincrby z x a"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(h.run("zincrby z nx a"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zincrby nokey 5 q"), "$1\r\n5\r\n");
    assert_eq!(
        h.run("zincrby z -inf a"),
        "-ERR resulting score is not a number (NaN)\r\n"
    );
    assert_eq!(
        h.run("zincrby str 1 a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrange z 0 -1 withscores"),
        "*6\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n$1\r\na\r\n$3\r\ninf\r\n"
    );
    assert_eq!(h.run("zadd z incr 1 newm"), "$1\r\n1\r\n");
    assert_eq!(h.run("zadd z xx ch 9 newm 7 notexist"), ":1\r\n");
    assert_eq!(h.run("zadd z lt ch 1 newm 100 b"), ":1\r\n");
    assert_eq!(h.run("zadd z gt xx ch 10 newm 1 c"), ":1\r\n");
    assert_eq!(h.run("zadd z GT XX CH 10 newm 1 c"), ":0\r\n");
    assert_eq!(h.run("zrange z 0 -1 withscores"), "*8\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n$4\r\nnewm\r\n$2\r\n10\r\n$1\r\na\r\n$3\r\ninf\r\n");
    assert_eq!(h.run("zadd z 1.5 d 1e3 e -2.5e-3 f"), ":3\r\n");
    assert_eq!(h.run("zrange z 0 -1 withscores"), "*14\r\n$1\r\nf\r\n$22\r\n-0.0025000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n$4\r\nnewm\r\n$2\r\n10\r\n$1\r\ne\r\n$4\r\n1000\r\n$1\r\na\r\n$3\r\ninf\r\n");
    assert_eq!(h.run("zadd z 0 g -0 h"), ":2\r\n");
    // A listpack stores -0 as 0; a skiplist keeps the sign.
    let negative_zero = match enc {
        Enc::Listpack => "$1\r\n0\r\n",
        Enc::Skiplist => "$2\r\n-0\r\n",
    };
    assert_eq!(h.run("zscore z h"), negative_zero);
    assert_eq!(h.run("zscore z g"), "$1\r\n0\r\n");
    assert_eq!(h.run("zadd z -0 g"), ":0\r\n");
    assert_eq!(h.run("zscore z g"), "$1\r\n0\r\n");
    assert_eq!(h.run("zadd z 1.1 a"), ":0\r\n");
    assert_eq!(h.run("zscore z a"), "$18\r\n1.1000000000000001\r\n");
    assert_eq!(h.run("zadd z 0x10 hex"), ":1\r\n");
    assert_eq!(h.run("zscore z hex"), "$2\r\n16\r\n");
    assert_eq!(
        h.run("zadd z 1e400 x"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(h.run("zadd z nan x"), "-ERR value is not a valid float\r\n");
    assert_eq!(h.run("zadd z INFINITY y"), ":1\r\n");
    assert_eq!(h.run("zscore z y"), "$3\r\ninf\r\n");
    assert_eq!(h.run("zadd z -Infinity y"), ":0\r\n");
    assert_eq!(h.run("zscore z y"), "$4\r\n-inf\r\n");
    assert_eq!(h.run("zadd z 1. y"), ":0\r\n");
    assert_eq!(h.run("zadd z .5 y"), ":0\r\n");
    assert_eq!(h.run("zscore z y"), "$3\r\n0.5\r\n");
    assert_eq!(h.run("zadd z . y"), "-ERR value is not a valid float\r\n");
    assert_eq!(h.run("zadd z 1e y"), "-ERR value is not a valid float\r\n");
    assert_eq!(h.run("zadd z 4.9e-324 tiny"), ":1\r\n");
    assert_eq!(h.run("zscore z tiny"), "$23\r\n4.9406564584124654e-324\r\n");
    assert_eq!(
        h.run("zadd z 1e-400 x"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(h.run("zadd z 123456789012345678 big"), ":1\r\n");
    assert_eq!(h.run("zscore z big"), "$22\r\n1.2345678901234568e+17\r\n");
    assert_eq!(h.run("zadd z 0.1 a 0.2 b"), ":0\r\n");
    assert_eq!(h.run("zincrby z 0.2 a"), "$19\r\n0.30000000000000004\r\n");
    assert_eq!(h.run("zcard z"), ":13\r\n");
    assert_eq!(h.run("zcard nokey"), ":1\r\n");
    assert_eq!(
        h.run("zcard str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("object encoding z"), enc.reply());
}

#[test]
fn zadd_options_listpack() {
    zadd_options(Enc::Listpack);
}

#[test]
fn zadd_options_skiplist() {
    zadd_options(Enc::Skiplist);
}

fn zrem_and_scores(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(h.run("zrem z a x"), ":1\r\n");
    assert_eq!(h.run("zrem z x"), ":0\r\n");
    assert_eq!(h.run("zrem nokey a"), ":0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zrem str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zscore z b"), "$1\r\n2\r\n");
    assert_eq!(h.run("zscore z a"), "$-1\r\n");
    assert_eq!(h.run("zscore nokey a"), "$-1\r\n");
    assert_eq!(
        h.run("zscore str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zmscore z b a c"),
        "*3\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zmscore nokey a b"), "*2\r\n$-1\r\n$-1\r\n");
    assert_eq!(
        h.run("zmscore str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zrank z b"), ":0\r\n");
    assert_eq!(h.run("zrank z c"), ":1\r\n");
    assert_eq!(h.run("zrank z a"), "$-1\r\n");
    assert_eq!(h.run("zrank nokey a"), "$-1\r\n");
    assert_eq!(
        h.run("zrank str a"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zrevrank z b"), ":1\r\n");
    assert_eq!(h.run("zrevrank z c"), ":0\r\n");
    assert_eq!(h.run("zrevrank nokey a"), "$-1\r\n");
    assert_eq!(h.run("zrem z b c"), ":2\r\n");
    assert_eq!(h.run("exists z"), ":0\r\n");
}

#[test]
fn zrem_and_scores_listpack() {
    zrem_and_scores(Enc::Listpack);
}

#[test]
fn zrem_and_scores_skiplist() {
    zrem_and_scores(Enc::Skiplist);
}

fn ranges_by_rank(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e"), ":5\r\n");
    assert_eq!(
        h.run("zrange z 0 -1"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z 0 -1 withscores"), "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(
        h.run("zrange z 1 3 withscores"),
        "*6\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(h.run("zrange z -2 -1"), "*2\r\n$1\r\nd\r\n$1\r\ne\r\n");
    assert_eq!(
        h.run("zrange z -100 100"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z 10 20"), "*0\r\n");
    assert_eq!(h.run("zrange z 3 2"), "*0\r\n");
    assert_eq!(h.run("zrange z 0 0"), "*1\r\n$1\r\na\r\n");
    assert_eq!(h.run("zrange z -1 -1"), "*1\r\n$1\r\ne\r\n");
    assert_eq!(
        h.run("zrange z 0 -1 rev"),
        "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        h.run("zrange z 0 1 rev withscores"),
        "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("zrange z 0 x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("zrange z x 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zrange z 0 -1 limit 0 1"), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(
        h.run("zrange z 0 -1 limit 0 -1"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zrange z 0 -1 limit x -1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zrange z 0 -1 rev rev"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrange z 0 -1 WITHSCORES withscores"), "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(h.run("zrange z 0 -1 foo"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrange z 0 -1 limit 1"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrange nokey 0 -1 withscores"), "*0\r\n");
    assert_eq!(
        h.run("zrange nokey 0 x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zrange nokey 0 -1 limit 0 1"), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(
        h.run("zrevrange z 0 1 withscores"),
        "*4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("zrevrange z 0 -1"),
        "*5\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("zrevrange z -2 -1"), "*2\r\n$1\r\nb\r\n$1\r\na\r\n");
    assert_eq!(h.run("zrevrange z 0 1 limit 0 1"), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(h.run("zrevrange z 0 1 rev"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrevrange z 0 1 byscore"), "-ERR syntax error\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zrange str 0 -1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrange str 0 x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("zrevrange str 0 -1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrange z 9223372036854775807 -9223372036854775808"),
        "*0\r\n"
    );
    assert_eq!(
        h.run("zrange z -9223372036854775808 9223372036854775807"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
}

#[test]
fn ranges_by_rank_listpack() {
    ranges_by_rank(Enc::Listpack);
}

#[test]
fn ranges_by_rank_skiplist() {
    ranges_by_rank(Enc::Skiplist);
}

fn ranges_by_score(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e"), ":5\r\n");
    assert_eq!(
        h.run("zrange z 1 3 byscore"),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("zrange z (1 3 byscore"),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("zrange z (1 (3 byscore withscores"),
        "*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        h.run("zrange z -inf +inf byscore"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z 3 1 byscore"), "*0\r\n");
    assert_eq!(h.run("zrange z 5 1 byscore rev withscores"), "*10\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(
        h.run("zrange z (5 1 byscore rev"),
        "*4\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        h.run("zrange z 5 1 byscore rev limit 1 2 withscores"),
        "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zrange z -inf +inf byscore limit -1 2"), "*0\r\n");
    assert_eq!(
        h.run("zrange z -inf +inf byscore limit 1 -1"),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z -inf +inf byscore limit 1 0"), "*0\r\n");
    assert_eq!(h.run("zrange z -inf +inf byscore limit 5 1"), "*0\r\n");
    assert_eq!(
        h.run("zrange z -inf +inf byscore limit 4 1"),
        "*1\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z -inf +inf byscore limit 4 10 rev"), "*0\r\n");
    assert_eq!(
        h.run("zrange z +inf -inf byscore rev limit 1 2"),
        "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("zrange z +inf -inf byscore rev limit 4 2"),
        "*1\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("zrange z +inf -inf byscore rev limit 5 2"), "*0\r\n");
    assert_eq!(
        h.run("zrange z (1 3 byscore limit 1 x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("zrange z (1 3 byscore limit 1"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("zrange z x 3 byscore"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        h.run("zrange z 1 nan byscore"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        h.run("zrange z (x 3 byscore"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(h.run("zrange z 1e400 inf byscore"), "*0\r\n");
    assert_eq!(
        h.run("zrange z ( 10 byscore"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zrange z 2.5 4.5 byscore"),
        "*2\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(
        h.run("zrange z 0x2 0x3 byscore"),
        "*2\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(h.run("zrange z (2 (2 byscore"), "*0\r\n");
    assert_eq!(h.run("zrange z 2 2 byscore"), "*1\r\n$1\r\nb\r\n");
    assert_eq!(
        h.run("zrangebyscore z 1 3 withscores limit 0 2"),
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("zrangebyscore z 1 3 rev"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrangebyscore z 1 3 bylex"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zrangebyscore z 1 3 limit 1 1"), "*1\r\n$1\r\nb\r\n");
    assert_eq!(h.run("zrangebyscore z -inf (2"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("zrevrangebyscore z 3 1"),
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("zrevrangebyscore z 1 3"), "*0\r\n");
    assert_eq!(
        h.run("zrevrangebyscore z +inf -inf withscores limit 1 2"),
        "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zrevrangebyscore z (3 (1"), "*1\r\n$1\r\nb\r\n");
    assert_eq!(h.run("zcount z (1 3"), ":2\r\n");
    assert_eq!(h.run("zcount z -inf +inf"), ":5\r\n");
    assert_eq!(h.run("zcount z 3 1"), ":0\r\n");
    assert_eq!(h.run("zcount z x 3"), "-ERR min or max is not a float\r\n");
    assert_eq!(
        h.run("zcount nokey x 3"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(h.run("zcount nokey 1 3"), ":0\r\n");
    assert_eq!(h.run("zcount z (3 (3"), ":0\r\n");
    assert_eq!(h.run("zcount z 3 3"), ":1\r\n");
    assert_eq!(h.run("zcount z (0 (1"), ":0\r\n");
    assert_eq!(h.run("zcount z (5 inf"), ":0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zcount str 1 2"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zcount str x 2"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(
        h.run("zrangebyscore str 1 2"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zrangebyscore nokey 1 2"), "*0\r\n");
    assert_eq!(
        h.run("zrangebyscore nokey x 2"),
        "-ERR min or max is not a float\r\n"
    );
}

#[test]
fn ranges_by_score_listpack() {
    ranges_by_score(Enc::Listpack);
}

#[test]
fn ranges_by_score_skiplist() {
    ranges_by_score(Enc::Skiplist);
}

fn ranges_by_lex(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 0 a 0 b 0 c 0 d 0 e 0 ab"), ":6\r\n");
    assert_eq!(
        h.run("zrange z [a [c bylex"),
        "*4\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("zrange z [c [a bylex rev"),
        "*4\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\nab\r\n$1\r\na\r\n"
    );
    assert_eq!(
        h.run("zrange z a c bylex"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        h.run("zrange z - + bylex"),
        "*6\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zrange z - + bylex limit 1 2"),
        "*2\r\n$2\r\nab\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        h.run("zrange z - + bylex limit 1 -5"),
        "*5\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("zrange z - + bylex limit -1 2"), "*0\r\n");
    assert_eq!(h.run("zrange z + - bylex"), "*0\r\n");
    assert_eq!(
        h.run("zrange z + - bylex rev"),
        "*6\r\n$1\r\ne\r\n$1\r\nd\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\nab\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("zrange z - - bylex"), "*0\r\n");
    assert_eq!(h.run("zrange z + + bylex"), "*0\r\n");
    assert_eq!(h.run("zrange z (a (a bylex"), "*0\r\n");
    assert_eq!(h.run("zrange z [a [a bylex"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("zrange z [ + bylex"),
        "*6\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zrange z ( + bylex"),
        "*6\r\n$1\r\na\r\n$2\r\nab\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zrange z (a [b bylex"),
        "*2\r\n$2\r\nab\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        h.run("zrange z [aa (c bylex"),
        "*2\r\n$2\r\nab\r\n$1\r\nb\r\n"
    );
    assert_eq!(h.run("zrange z [c - bylex"), "*0\r\n");
    assert_eq!(
        h.run("zrange z - + bylex withscores"),
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_eq!(
        h.run("zrangebylex z - + withscores"),
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"
    );
    assert_eq!(
        h.run("zrangebylex z - + limit 1 2"),
        "*2\r\n$2\r\nab\r\n$1\r\nb\r\n"
    );
    assert_eq!(
        h.run("zrevrangebylex z + - limit 1 2"),
        "*2\r\n$1\r\nd\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("zrevrangebylex z [c (a"),
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$2\r\nab\r\n"
    );
    assert_eq!(h.run("zrevrangebylex z + - limit 10 2"), "*0\r\n");
    assert_eq!(
        h.run("zrangebylex z a b"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        h.run("zrangebylex z -a +"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(
        h.run("zrangebylex z 1 2"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(h.run("zrangebylex nokey - +"), "*0\r\n");
    assert_eq!(
        h.run("zrangebylex nokey a b"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(h.run("zlexcount z - +"), ":6\r\n");
    assert_eq!(h.run("zlexcount z [b (d"), ":2\r\n");
    assert_eq!(h.run("zlexcount z [e [a"), ":0\r\n");
    assert_eq!(
        h.run("zlexcount z x y"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(h.run("zlexcount nokey - +"), ":0\r\n");
    assert_eq!(
        h.run("zlexcount nokey x y"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zlexcount str - +"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrangebylex str - +"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
}

#[test]
fn ranges_by_lex_listpack() {
    ranges_by_lex(Enc::Listpack);
}

#[test]
fn ranges_by_lex_skiplist() {
    ranges_by_lex(Enc::Skiplist);
}

#[test]
fn lex_ranges_over_mixed_scores_follow_the_listpack() {
    let mut h = Harness::new();
    assert_eq!(h.run("zadd z 1 c 2 a 3 b 4 d"), ":4\r\n");
    assert_eq!(h.run("zrangebylex z [a [b"), "*0\r\n");
    assert_eq!(h.run("zrangebylex z - [b"), "*0\r\n");
    assert_eq!(h.run("zrangebylex z [a + limit 1 1"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("zrangebylex z [a [d limit 2 5"),
        "*2\r\n$1\r\nb\r\n$1\r\nd\r\n"
    );
    assert_eq!(h.run("zrevrangebylex z [b [a"), "*0\r\n");
    assert_eq!(
        h.run("zrevrangebylex z [d [a limit 1 5"),
        "*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n"
    );
    assert_eq!(h.run("zlexcount z [a [b"), ":0\r\n");
    assert_eq!(h.run("zlexcount z [c [d"), ":4\r\n");
    assert_eq!(h.run("zlexcount z - +"), ":4\r\n");
    assert_eq!(h.run("zremrangebylex z [a [b"), ":0\r\n");
    assert_eq!(
        h.run("zrange z 0 -1"),
        "*4\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n"
    );
}

fn zrangestore_stores_ranges(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e"), ":5\r\n");
    assert_eq!(
        h.run("zrangestore dst z 0 -1 withscores"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zrangestore dst z 0 -1"), ":5\r\n");
    assert_eq!(h.run("zrange dst 0 -1 withscores"), "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(h.run("object encoding dst"), enc.reply());
    assert_eq!(h.run("zrangestore dst nokey 0 -1"), ":0\r\n");
    assert_eq!(h.run("exists dst"), ":0\r\n");
    assert_eq!(h.run("zrangestore dst z 2 2"), ":1\r\n");
    assert_eq!(h.run("zrangestore dst z 10 20"), ":0\r\n");
    assert_eq!(h.run("exists dst"), ":0\r\n");
    assert_eq!(h.run("zrangestore dst z 1 3 byscore rev"), ":0\r\n");
    assert_eq!(h.run("zrangestore dst z 3 1 byscore rev"), ":3\r\n");
    assert_eq!(
        h.run("zrange dst 0 -1 withscores"),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zrangestore dst z [b [d bylex"), ":3\r\n");
    assert_eq!(
        h.run("zrange dst 0 -1"),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
    );
    assert_eq!(h.run("zrangestore dst z - + bylex limit 1 1"), ":1\r\n");
    assert_eq!(h.run("zrange dst 0 -1"), "*1\r\n$1\r\nb\r\n");
    assert_eq!(h.run("zrangestore dst z 0 -1 limit 0 1"), "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n");
    assert_eq!(h.run("zrangestore dst z 0 -1 rev"), ":5\r\n");
    assert_eq!(
        h.run("zrange dst 0 -1"),
        "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("set str x"), "+OK\r\n");
    assert_eq!(
        h.run("zrangestore dst str 0 -1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zrangestore str z 0 -1"), ":5\r\n");
    assert_eq!(h.run("type str"), "+zset\r\n");
    assert_eq!(h.run("zrangestore z z 1 2"), ":2\r\n");
    assert_eq!(
        h.run("zrange z 0 -1 withscores"),
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
}

#[test]
fn zrangestore_stores_ranges_listpack() {
    zrangestore_stores_ranges(Enc::Listpack);
}

#[test]
fn zrangestore_stores_ranges_skiplist() {
    zrangestore_stores_ranges(Enc::Skiplist);
}

fn zremrange(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e 6 f"), ":6\r\n");
    assert_eq!(
        h.run("zremrangebyrank z x 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zremrangebyrank z 0 0"), ":1\r\n");
    assert_eq!(h.run("zremrangebyrank z -1 -1"), ":1\r\n");
    assert_eq!(h.run("zremrangebyrank z 5 10"), ":0\r\n");
    assert_eq!(h.run("zremrangebyrank z 2 1"), ":0\r\n");
    assert_eq!(
        h.run("zrange z 0 -1"),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zremrangebyscore z x 1"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(h.run("zremrangebyscore z (2 3"), ":1\r\n");
    assert_eq!(h.run("zremrangebyscore z 10 20"), ":0\r\n");
    assert_eq!(
        h.run("zrange z 0 -1"),
        "*3\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(
        h.run("zremrangebylex z x 1"),
        "-ERR min or max not valid string range item\r\n"
    );
    assert_eq!(h.run("zadd w 0 a 0 b 0 c 0 d"), ":4\r\n");
    assert_eq!(h.run("zremrangebylex w [b (d"), ":2\r\n");
    assert_eq!(h.run("zrange w 0 -1"), "*2\r\n$1\r\na\r\n$1\r\nd\r\n");
    assert_eq!(h.run("zremrangebylex w - +"), ":2\r\n");
    assert_eq!(h.run("exists w"), ":0\r\n");
    assert_eq!(h.run("zremrangebyrank z 0 -1"), ":3\r\n");
    assert_eq!(h.run("exists z"), ":0\r\n");
    assert_eq!(h.run("zremrangebyrank nokey 0 1"), ":0\r\n");
    assert_eq!(h.run("zremrangebyscore nokey 0 1"), ":0\r\n");
    assert_eq!(h.run("zremrangebylex nokey - +"), ":0\r\n");
    assert_eq!(
        h.run("zremrangebyscore nokey x 1"),
        "-ERR min or max is not a float\r\n"
    );
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zremrangebyrank str 0 1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zremrangebyscore str 0 1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zremrangebylex str - +"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zremrangebyrank str x 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn zremrange_listpack() {
    zremrange(Enc::Listpack);
}

#[test]
fn zremrange_skiplist() {
    zremrange(Enc::Skiplist);
}

fn algebra(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z1 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(h.run("zadd z2 10 b 20 c 30 d"), ":3\r\n");
    assert_eq!(h.run("sadd s c d e"), ":3\r\n");
    assert_eq!(h.run("set str x"), "+OK\r\n");
    assert_eq!(
        h.run("zunion 0 z1"),
        "-ERR at least 1 input key is needed for 'zunion' command\r\n"
    );
    assert_eq!(
        h.run("zunionstore dst 0 z1"),
        "-ERR at least 1 input key is needed for 'zunionstore' command\r\n"
    );
    assert_eq!(
        h.run("zinterstore dst -1 z1"),
        "-ERR at least 1 input key is needed for 'zinterstore' command\r\n"
    );
    assert_eq!(
        h.run("zdiffstore dst 0 z1"),
        "-ERR at least 1 input key is needed for 'zdiffstore' command\r\n"
    );
    assert_eq!(
        h.run("zintercard 0 z1"),
        "-ERR at least 1 input key is needed for 'zintercard' command\r\n"
    );
    assert_eq!(
        h.run("zintercard x z1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("zunion x z1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zunion 3 z1 z2"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zunion 1 str weights x"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zunion 2 z1 nokey weights 1 x"),
        "-ERR weight value is not a float\r\n"
    );
    assert_eq!(h.run("zunion 2 z1 z2 weights 1"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zunion 2 z1 z2 weights 1 2 withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n22\r\n$1\r\nc\r\n$2\r\n43\r\n$1\r\nd\r\n$2\r\n60\r\n");
    assert_eq!(
        h.run("zunion 2 z1 z2 aggregate foo"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zunion 2 z1 z2 aggregate"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zunion 2 z1 z2 aggregate min withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(h.run("zunion 2 z1 z2 aggregate max withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n10\r\n$1\r\nc\r\n$2\r\n20\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(h.run("zunion 2 z1 z2 AGGREGATE SUM WEIGHTS 2 2 WITHSCORES"), "*8\r\n$1\r\na\r\n$1\r\n2\r\n$1\r\nb\r\n$2\r\n24\r\n$1\r\nc\r\n$2\r\n46\r\n$1\r\nd\r\n$2\r\n60\r\n");
    assert_eq!(h.run("zunion 2 z1 s withscores"), "*10\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n");
    assert_eq!(
        h.run("zinter 3 z1 z2 s withscores"),
        "*2\r\n$1\r\nc\r\n$2\r\n24\r\n"
    );
    assert_eq!(
        h.run("zinter 2 z1 z2 weights 2 3 aggregate sum withscores"),
        "*4\r\n$1\r\nb\r\n$2\r\n34\r\n$1\r\nc\r\n$2\r\n66\r\n"
    );
    assert_eq!(
        h.run("zinter 2 z1 z2 aggregate min withscores"),
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zinter 2 z1 nokey withscores"), "*0\r\n");
    assert_eq!(
        h.run("zinter 1 s withscores"),
        "*6\r\n$1\r\nc\r\n$1\r\n1\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("zdiff 2 z1 z2 withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("zdiff 2 z1 z1"), "*0\r\n");
    assert_eq!(h.run("zdiff 2 nokey z1"), "*0\r\n");
    assert_eq!(
        h.run("zdiff 2 z1 nokey withscores"),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zdiff 3 z1 z2 s"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("zdiff 2 s z1 withscores"),
        "*4\r\n$1\r\nd\r\n$1\r\n1\r\n$1\r\ne\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("zdiff 2 z1 z2 weights 1 1"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zdiff 2 z1 z2 aggregate sum"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("zdiffstore dst 2 z1 z2 withscores"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("zunionstore dst 2 z1 z2 withscores"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zintercard 2 z1 z2"), ":2\r\n");
    assert_eq!(h.run("zintercard 2 z1 z2 limit 1"), ":1\r\n");
    assert_eq!(h.run("zintercard 2 z1 z2 limit 0"), ":2\r\n");
    assert_eq!(
        h.run("zintercard 2 z1 z2 limit -1"),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        h.run("zintercard 2 z1 z2 limit x"),
        "-ERR LIMIT can't be negative\r\n"
    );
    assert_eq!(
        h.run("zintercard 2 z1 z2 withscores"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("zintercard 2 z1 z2 weights 1 1"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zintercard 2 z1 nokey"), ":0\r\n");
    assert_eq!(h.run("zintercard 2 z1 s"), ":1\r\n");
    assert_eq!(
        h.run("zunion 1 z1 weights inf withscores"),
        "*6\r\n$1\r\na\r\n$3\r\ninf\r\n$1\r\nb\r\n$3\r\ninf\r\n$1\r\nc\r\n$3\r\ninf\r\n"
    );
    assert_eq!(h.run("zadd zinf 1 a"), ":1\r\n");
    assert_eq!(h.run("zadd zninf -inf a"), ":1\r\n");
    assert_eq!(
        h.run("zunion 2 zinf zninf weights inf 1 withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        h.run("zinter 2 zinf zninf weights inf 1 withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        h.run("zinter 2 zinf zninf weights inf 1 aggregate min withscores"),
        "*2\r\n$1\r\na\r\n$4\r\n-inf\r\n"
    );
    assert_eq!(
        h.run("zinter 2 zinf zninf weights 0 inf aggregate max withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        h.run("zunion 1 zinf weights 0 withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n0\r\n"
    );
    assert_eq!(h.run("zadd zi inf x"), ":1\r\n");
    assert_eq!(
        h.run("zunion 1 zi weights 0 withscores"),
        "*2\r\n$1\r\nx\r\n$1\r\n0\r\n"
    );
    assert_eq!(
        h.run("zinter 2 zi zi weights 0 1 aggregate min withscores"),
        "*2\r\n$1\r\nx\r\n$1\r\n0\r\n"
    );
    assert_eq!(h.run("zunionstore dst 2 z1 z2"), ":4\r\n");
    assert_eq!(h.run("zrange dst 0 -1 withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(h.run("object encoding dst"), enc.reply());
    assert_eq!(h.run("zinterstore dst 2 z1 z2 weights 1 -1"), ":2\r\n");
    assert_eq!(
        h.run("zrange dst 0 -1 withscores"),
        "*4\r\n$1\r\nc\r\n$3\r\n-17\r\n$1\r\nb\r\n$2\r\n-8\r\n"
    );
    assert_eq!(h.run("zdiffstore dst 2 z1 z2"), ":1\r\n");
    assert_eq!(
        h.run("zrange dst 0 -1 withscores"),
        "*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("zinterstore dst 2 z1 nokey"), ":0\r\n");
    assert_eq!(h.run("exists dst"), ":0\r\n");
    assert_eq!(h.run("zunion 2 z1 z2 withscores withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(
        h.run("zunion 2 z1 str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zinter 2 nokey str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zunionstore z1 2 z1 z2"), ":4\r\n");
    assert_eq!(h.run("zrange z1 0 -1 withscores"), "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$2\r\n12\r\n$1\r\nc\r\n$2\r\n23\r\n$1\r\nd\r\n$2\r\n30\r\n");
    assert_eq!(h.run("zunion 1 nokey"), "*0\r\n");
    assert_eq!(h.run("zunionstore dst 1 nokey"), ":0\r\n");
    assert_eq!(h.run("exists dst"), ":0\r\n");
    assert_eq!(h.run("zunionstore str 1 z2"), ":3\r\n");
    assert_eq!(h.run("type str"), "+zset\r\n");
}

#[test]
fn algebra_listpack() {
    algebra(Enc::Listpack);
}

#[test]
fn algebra_skiplist() {
    algebra(Enc::Skiplist);
}

fn pops(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e"), ":5\r\n");
    assert_eq!(h.run("zpopmin z"), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(h.run("zpopmax z"), "*2\r\n$1\r\ne\r\n$1\r\n5\r\n");
    assert_eq!(
        h.run("zpopmin z 2"),
        "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("zpopmax z 0"), "*0\r\n");
    assert_eq!(
        h.run("zpopmin z -1"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        h.run("zpopmin z x"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(h.run("zpopmin z 1 2"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zpopmax z 10"), "*2\r\n$1\r\nd\r\n$1\r\n4\r\n");
    assert_eq!(h.run("exists z"), ":0\r\n");
    assert_eq!(h.run("zpopmin nokey"), "*0\r\n");
    assert_eq!(h.run("zpopmin nokey 2"), "*0\r\n");
    assert_eq!(
        h.run("zpopmin nokey -2"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zpopmin str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zpopmax str 2"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(
        h.run("zmpop 1 z min"),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("zmpop 1 z max count 5"),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("zmpop 1 z max count 5"), "*-1\r\n");
    assert_eq!(
        h.run("zmpop 0 z min"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("zmpop x z min"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(h.run("zmpop 1 z foo"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zmpop 1 z min count 0"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("zmpop 1 z min count x"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("zmpop 1 z min count 1 count 1"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zmpop 2 z min"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zmpop 1 z min foo"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zmpop 2 nokey str min"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zmpop 2 str z min"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(h.run("zmpop 2 nokey z max count 10"), "*2\r\n$1\r\nz\r\n*3\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n");
    assert_eq!(h.run("zadd z 1 a 2 b"), ":2\r\n");
    assert_eq!(
        h.run("bzpopmin nokey z 0"),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("bzpopmax z 0"),
        "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        h.run("bzpopmin z x"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(h.run("bzpopmin z -1"), "-ERR timeout is negative\r\n");
    assert_eq!(
        h.run("bzpopmin str 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("bzpopmin z inf"), "-ERR timeout is negative\r\n");
    assert_eq!(h.run("bzpopmin z 1e400"), "-ERR timeout is negative\r\n");
    assert_eq!(
        h.run("bzmpop x 1 z min"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        h.run("bzmpop 0 0 z min"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("bzmpop x 0 z min"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(h.run("bzmpop x 1 z foo"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("bzmpop 0 1 str min"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(
        h.run("bzmpop 0 2 nokey z max count 2"),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        h.run("bzmpop 0 1 z min count 5"),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("zpopmin z 0"), "*0\r\n");
}

#[test]
fn pops_listpack() {
    pops(Enc::Listpack);
}

#[test]
fn pops_skiplist() {
    pops(Enc::Skiplist);
}

fn pops_in_resp3(enc: Enc) {
    let mut h = enc.harness();
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("zadd z 1 a 2 b 3 c 4 d 5 e"), ":5\r\n");
    assert_eq!(h.run("zpopmin z"), "*2\r\n$1\r\na\r\n,1\r\n");
    assert_eq!(h.run("zpopmin z 1"), "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    assert_eq!(h.run("zpopmin z 0"), "*0\r\n");
    assert_eq!(h.run("zpopmin nokey"), "*0\r\n");
    assert_eq!(h.run("zpopmin nokey 2"), "*0\r\n");
    assert_eq!(
        h.run("zpopmax z 2"),
        "*2\r\n*2\r\n$1\r\ne\r\n,5\r\n*2\r\n$1\r\nd\r\n,4\r\n"
    );
    assert_eq!(
        h.run("zmpop 1 z min"),
        "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(h.run("zmpop 1 z max count 5"), "_\r\n");
    assert_eq!(h.run("zmpop 1 z max count 5"), "_\r\n");
    assert_eq!(h.run("zadd z 1 a"), ":1\r\n");
    assert_eq!(
        h.run("bzpopmin nokey z 0"),
        "*3\r\n$1\r\nz\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(h.run("zadd z 1 a 2.5 b"), ":2\r\n");
    assert_eq!(
        h.run("bzmpop 0 1 z min count 2"),
        "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2.5\r\n"
    );
    assert_eq!(h.run("zmpop 1 z min"), "_\r\n");
}

#[test]
fn pops_in_resp3_listpack() {
    pops_in_resp3(Enc::Listpack);
}

#[test]
fn pops_in_resp3_skiplist() {
    pops_in_resp3(Enc::Skiplist);
}

fn replies_in_resp3(enc: Enc) {
    let mut h = enc.harness();
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(
        h.run("zrange z 0 1 withscores"),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(h.run("zrange z 0 1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    assert_eq!(
        h.run("zrangebyscore z 1 2 withscores"),
        "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(
        h.run("zrange z (1 +inf byscore withscores limit 0 1"),
        "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n"
    );
    assert_eq!(h.run("zrange nokey 0 1 withscores"), "*0\r\n");
    assert_eq!(h.run("zrange z 9 10 withscores"), "*0\r\n");
    assert_eq!(
        h.run("zunion 1 z withscores"),
        "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(
        h.run("zinter 1 z withscores"),
        "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(
        h.run("zdiff 1 z withscores"),
        "*3\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\nc\r\n,3\r\n"
    );
    assert_eq!(
        h.run("zrandmember z 3 withscores"),
        "*3\r\n*2\r\n$1\r\nc\r\n,3\r\n*2\r\n$1\r\nb\r\n,2\r\n*2\r\n$1\r\na\r\n,1\r\n"
    );
    assert_eq!(h.run("zrandmember nokey"), "_\r\n");
    assert_eq!(h.run("zrandmember nokey 1"), "*0\r\n");
    assert_eq!(h.run("zscore z c"), ",3\r\n");
    assert_eq!(h.run("zscore z nope"), "_\r\n");
    assert_eq!(h.run("zmscore z c nope"), "*2\r\n,3\r\n_\r\n");
    assert_eq!(h.run("zmscore nokey a"), "*1\r\n_\r\n");
    assert_eq!(h.run("zincrby z 1.5 c"), ",4.5\r\n");
    assert_eq!(h.run("zadd z incr 1 c"), ",5.5\r\n");
    assert_eq!(h.run("zadd z xx incr 1 nope"), "_\r\n");
    assert_eq!(h.run("zadd z incr inf c"), ",inf\r\n");
    assert_eq!(h.run("zscore z c"), ",inf\r\n");
    assert_eq!(h.run("zrank z c"), ":2\r\n");
    assert_eq!(h.run("zrank z nope"), "_\r\n");
    assert_eq!(h.run("zrevrank z a"), ":2\r\n");
}

#[test]
fn replies_in_resp3_listpack() {
    replies_in_resp3(Enc::Listpack);
}

#[test]
fn replies_in_resp3_skiplist() {
    replies_in_resp3(Enc::Skiplist);
}

fn zrandmember_fixed_cases(enc: Enc) {
    let mut h = enc.harness();
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(
        h.run("zrandmember z x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zrandmember z 1 foo"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zrandmember z 1 withscores x"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("zrandmember z -9223372036854775808"), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    assert_eq!(h.run("zrandmember z -9223372036854775808 withscores"), "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n");
    assert_eq!(
        h.run("zrandmember z 5000000000000000000 withscores"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        h.run("zrandmember z -5000000000000000000 withscores"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(h.run("zrandmember z 0 withscores"), "*0\r\n");
    assert_eq!(h.run("zrandmember z 0"), "*0\r\n");
    assert_eq!(
        h.run("zrandmember z 3"),
        "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(
        h.run("zrandmember z 3 withscores"),
        "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("zrandmember z 10 WITHSCORES"),
        "*6\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zrandmember str"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrandmember str 1"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zrandmember str x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zrandmember nokey 0 withscores"), "*0\r\n");
    assert_eq!(h.run("zrandmember nokey -5"), "*0\r\n");
    assert_eq!(h.run("zrandmember nokey"), "$-1\r\n");
    assert_eq!(h.run("zadd one 7 only"), ":1\r\n");
    assert_eq!(h.run("zrandmember one"), "$4\r\nonly\r\n");
    assert_eq!(
        h.run("zrandmember one -2 withscores"),
        "*4\r\n$4\r\nonly\r\n$1\r\n7\r\n$4\r\nonly\r\n$1\r\n7\r\n"
    );
    assert_eq!(
        h.run("zrandmember one 1 withscores"),
        "*2\r\n$4\r\nonly\r\n$1\r\n7\r\n"
    );
}

#[test]
fn zrandmember_fixed_cases_listpack() {
    zrandmember_fixed_cases(Enc::Listpack);
}

#[test]
fn zrandmember_fixed_cases_skiplist() {
    zrandmember_fixed_cases(Enc::Skiplist);
}

#[test]
fn zscan_shows_listpack_text() {
    let mut h = Harness::new();
    assert_eq!(
        h.run("zadd z 1 a 2 b 1e17 c 1.5 d -3 e 1e19 f inf g 1.1 h"),
        ":8\r\n"
    );
    assert_eq!(h.run("zscan z 0"), "*2\r\n$1\r\n0\r\n*16\r\n$1\r\ne\r\n$2\r\n-3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nh\r\n$18\r\n1.1000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$18\r\n100000000000000000\r\n$1\r\nf\r\n$5\r\n1e+19\r\n$1\r\ng\r\n$3\r\ninf\r\n");
    assert_eq!(
        h.run("zscan z 0 match b*"),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("zscan z 0 MATCH * COUNT 1"), "*2\r\n$1\r\n0\r\n*16\r\n$1\r\ne\r\n$2\r\n-3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nh\r\n$18\r\n1.1000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$18\r\n100000000000000000\r\n$1\r\nf\r\n$5\r\n1e+19\r\n$1\r\ng\r\n$3\r\ninf\r\n");
    assert_eq!(h.run("zscan z 5"), "*2\r\n$1\r\n0\r\n*16\r\n$1\r\ne\r\n$2\r\n-3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nh\r\n$18\r\n1.1000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$18\r\n100000000000000000\r\n$1\r\nf\r\n$5\r\n1e+19\r\n$1\r\ng\r\n$3\r\ninf\r\n");
    assert_eq!(h.run("zscan z x"), "-ERR invalid cursor\r\n");
    assert_eq!(h.run("zscan z -1"), "*2\r\n$1\r\n0\r\n*16\r\n$1\r\ne\r\n$2\r\n-3\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nh\r\n$18\r\n1.1000000000000001\r\n$1\r\nd\r\n$3\r\n1.5\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$18\r\n100000000000000000\r\n$1\r\nf\r\n$5\r\n1e+19\r\n$1\r\ng\r\n$3\r\ninf\r\n");
    assert_eq!(h.run("zscan z 0 count 0"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("zscan z 0 count x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("zscan z 0 novalues"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zscan z 0 type zset"), "-ERR syntax error\r\n");
    assert_eq!(h.run("zscan nokey 0 count 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("zscan nokey 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("set str v"), "+OK\r\n");
    assert_eq!(
        h.run("zscan str 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(
        h.run("zscan str 0 count 0"),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(h.run("zscan str x"), "-ERR invalid cursor\r\n");
    h.settings.zset_max_listpack_entries = 0;
    assert_eq!(h.run("zadd big 1e17 c"), ":1\r\n");
    assert_eq!(
        h.run("zscan big 0"),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nc\r\n$5\r\n1e+17\r\n"
    );
    assert_eq!(h.run("zadd big2 -0 z"), ":1\r\n");
    assert_eq!(
        h.run("zscan big2 0"),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nz\r\n$2\r\n-0\r\n"
    );
    assert_eq!(h.run("zadd big3 1.1 h"), ":1\r\n");
    assert_eq!(
        h.run("zscan big3 0 match h"),
        "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nh\r\n$18\r\n1.1000000000000001\r\n"
    );
}

#[test]
fn encodings_follow_the_limits() {
    let mut h = Harness::new();
    h.settings.zset_max_listpack_entries = 3;
    assert_eq!(h.run("zadd z 1 a 2 b 3 c"), ":3\r\n");
    assert_eq!(h.run("object encoding z"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zadd z 4 d"), ":1\r\n");
    assert_eq!(h.run("object encoding z"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zrem z a b c"), ":3\r\n");
    assert_eq!(h.run("object encoding z"), "$8\r\nskiplist\r\n");
    h.settings.zset_max_listpack_value = 5;
    assert_eq!(h.run("zadd w 1 abcdef"), ":1\r\n");
    assert_eq!(h.run("object encoding w"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zadd v 1 abcde"), ":1\r\n");
    assert_eq!(h.run("object encoding v"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zadd v 2 abcdef"), ":1\r\n");
    assert_eq!(h.run("object encoding v"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zunionstore u 1 z"), ":1\r\n");
    assert_eq!(h.run("object encoding u"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zunionstore u 1 w"), ":1\r\n");
    assert_eq!(h.run("object encoding u"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zinterstore u 2 v v"), ":2\r\n");
    assert_eq!(h.run("object encoding u"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zrangestore r z 0 -1"), ":1\r\n");
    assert_eq!(h.run("object encoding r"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zrangestore r2 w 0 -1"), ":1\r\n");
    assert_eq!(h.run("object encoding r2"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zadd m 1 a 2 b"), ":2\r\n");
    assert_eq!(h.run("zadd m 3 c 4 d"), ":2\r\n");
    assert_eq!(h.run("object encoding m"), "$8\r\nskiplist\r\n");
    h.settings.zset_max_listpack_entries = 0;
    assert_eq!(h.run("zadd x 1 a"), ":1\r\n");
    assert_eq!(h.run("object encoding x"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zincrby y 1 a"), "$1\r\n1\r\n");
    assert_eq!(h.run("object encoding y"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zadd x2 xx 1 a"), ":0\r\n");
    assert_eq!(h.run("exists x2"), ":0\r\n");
}

#[test]
fn negative_zero_survives_where_redis_keeps_a_skiplist() {
    let mut h = Harness::new();
    h.settings.zset_max_listpack_entries = 0;
    assert_eq!(h.run("zadd z -0 a 1 b 2 c"), ":3\r\n");
    assert_eq!(h.run("zscore z a"), "$2\r\n-0\r\n");
    h.settings.zset_max_listpack_entries = 2;
    assert_eq!(h.run("zrangestore d z 0 -1"), ":3\r\n");
    assert_eq!(h.run("object encoding d"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zscore d a"), "$2\r\n-0\r\n");
    assert_eq!(h.run("zrangestore d2 z 0 1"), ":2\r\n");
    assert_eq!(h.run("object encoding d2"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zscore d2 a"), "$1\r\n0\r\n");
    assert_eq!(h.run("zrangestore d3 z -inf +inf byscore"), ":3\r\n");
    assert_eq!(h.run("object encoding d3"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zscore d3 a"), "$1\r\n0\r\n");
    assert_eq!(h.run("zunionstore u 1 z"), ":3\r\n");
    assert_eq!(h.run("object encoding u"), "$8\r\nskiplist\r\n");
    assert_eq!(h.run("zscore u a"), "$2\r\n-0\r\n");
    assert_eq!(h.run("zunionstore u2 1 d2"), ":2\r\n");
    assert_eq!(h.run("object encoding u2"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("zscore u2 a"), "$1\r\n0\r\n");
    assert_eq!(
        h.run("zunion 1 z withscores"),
        "*6\r\n$1\r\na\r\n$2\r\n-0\r\n$1\r\nb\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("zadd z 0 a"), ":0\r\n");
    assert_eq!(h.run("zscore z a"), "$2\r\n-0\r\n");
    assert_eq!(h.run("zincrby z 0 a"), "$1\r\n0\r\n");
    assert_eq!(h.run("zadd z incr 1 b"), "$1\r\n2\r\n");
}
