//! Unit tests of the list commands.
//!
//! The scripted tests' expected replies were produced by redis-server
//! 7.0.15 running the same command lines (RESP2 unless noted).

use crate::ctx::{BlockRequest, Outcome, TimeoutReply};
use crate::testing::Harness;
use shoal_resp::Protocol;

const WRONGTYPE_REPLY: &str =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn pushes_return_the_new_length_and_keep_order() {
    let mut h = Harness::new();
    assert_eq!(h.run("LPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("RPUSH l d e"), ":5\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*5\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("LLEN l"), ":5\r\n");
    assert_eq!(h.run("LPUSHX nokey a"), ":0\r\n");
    assert_eq!(h.run("RPUSHX nokey a"), ":0\r\n");
    assert_eq!(h.run("EXISTS nokey"), ":0\r\n");
    assert_eq!(h.run("LPUSHX l x y"), ":7\r\n");
    assert_eq!(h.run("RPUSHX l z"), ":8\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*8\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nz\r\n"
    );
    assert_eq!(h.run("OBJECT ENCODING l"), "$9\r\nquicklist\r\n");
    assert_eq!(h.run("TYPE l"), "+list\r\n");
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LPUSH s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("RPUSHX s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LLEN s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LLEN nokey"), ":0\r\n");
}

#[test]
fn pops_with_and_without_count() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c d e"), ":5\r\n");
    assert_eq!(h.run("LPOP l"), "$1\r\na\r\n");
    assert_eq!(h.run("RPOP l"), "$1\r\ne\r\n");
    assert_eq!(h.run("LPOP l 2"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    assert_eq!(h.run("RPOP l 5"), "*1\r\n$1\r\nd\r\n");
    assert_eq!(h.run("EXISTS l"), ":0\r\n");
    assert_eq!(h.run("LPOP l"), "$-1\r\n");
    assert_eq!(h.run("LPOP l 0"), "*-1\r\n");
    assert_eq!(h.run("LPOP l 1"), "*-1\r\n");
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("LPOP l 0"), "*0\r\n");
    assert_eq!(h.run("RPOP l 0"), "*0\r\n");
    assert_eq!(h.run("RPOP l 1"), "*1\r\n$1\r\nc\r\n");
    assert_eq!(
        h.run("LPOP l -1"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        h.run("LPOP l abc"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(
        h.run("RPOP l 1 2"),
        "-ERR wrong number of arguments for 'rpop' command\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LPOP s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LPOP s 0"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("LPOP s -1"),
        "-ERR value is out of range, must be positive\r\n"
    );
    assert_eq!(h.run("LRANGE l 0 -1"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
}

#[test]
fn lrange_clamps_and_counts_from_the_tail() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c d e f"), ":6\r\n");
    assert_eq!(
        h.run("LRANGE l 0 2"),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(h.run("LRANGE l -2 -1"), "*2\r\n$1\r\ne\r\n$1\r\nf\r\n");
    assert_eq!(
        h.run("LRANGE l -100 100"),
        "*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
    );
    assert_eq!(h.run("LRANGE l 3 2"), "*0\r\n");
    assert_eq!(h.run("LRANGE l 5 5"), "*1\r\n$1\r\nf\r\n");
    assert_eq!(h.run("LRANGE l 6 10"), "*0\r\n");
    assert_eq!(h.run("LRANGE l -1 -2"), "*0\r\n");
    assert_eq!(h.run("LRANGE l 0 -7"), "*0\r\n");
    assert_eq!(h.run("LRANGE l -7 0"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("LRANGE l 9223372036854775807 -9223372036854775808"),
        "*0\r\n"
    );
    assert_eq!(
        h.run("LRANGE l -9223372036854775808 9223372036854775807"),
        "*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
    );
    assert_eq!(
        h.run("LRANGE l a 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("LRANGE l 1 b"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("LRANGE nokey 0 -1"), "*0\r\n");
    assert_eq!(
        h.run("LRANGE nokey a 0"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LRANGE s 0 -1"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("LRANGE s a 0"),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn lindex_and_lset_with_negative_indexes() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("LINDEX l 0"), "$1\r\na\r\n");
    assert_eq!(h.run("LINDEX l -1"), "$1\r\nc\r\n");
    assert_eq!(h.run("LINDEX l -3"), "$1\r\na\r\n");
    assert_eq!(h.run("LINDEX l -4"), "$-1\r\n");
    assert_eq!(h.run("LINDEX l 3"), "$-1\r\n");
    assert_eq!(h.run("LINDEX l -9223372036854775808"), "$-1\r\n");
    assert_eq!(
        h.run("LINDEX l abc"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("LINDEX nokey abc"), "$-1\r\n");
    assert_eq!(h.run("LSET l 1 B"), "+OK\r\n");
    assert_eq!(h.run("LSET l -1 C"), "+OK\r\n");
    assert_eq!(h.run("LSET l 3 x"), "-ERR index out of range\r\n");
    assert_eq!(h.run("LSET l -4 x"), "-ERR index out of range\r\n");
    assert_eq!(
        h.run("LSET l abc x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("LSET nokey 0 x"), "-ERR no such key\r\n");
    assert_eq!(h.run("LSET nokey abc x"), "-ERR no such key\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*3\r\n$1\r\na\r\n$1\r\nB\r\n$1\r\nC\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LINDEX s 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LINDEX s abc"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LSET s 0 x"), WRONGTYPE_REPLY);
}

#[test]
fn linsert_before_after_and_missing_pivot() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("LINSERT l BEFORE b x"), ":4\r\n");
    assert_eq!(h.run("LINSERT l after c y"), ":5\r\n");
    assert_eq!(h.run("LINSERT l AFTER a z"), ":6\r\n");
    assert_eq!(h.run("LINSERT l before nothere q"), ":-1\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*6\r\n$1\r\na\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\ny\r\n"
    );
    assert_eq!(h.run("LINSERT l middle a q"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LINSERT nokey before a b"), ":0\r\n");
    assert_eq!(h.run("LINSERT nokey middle a b"), "-ERR syntax error\r\n");
    assert_eq!(h.run("EXISTS nokey"), ":0\r\n");
    assert_eq!(h.run("RPUSH d a a a"), ":3\r\n");
    assert_eq!(h.run("LINSERT d after a b"), ":4\r\n");
    assert_eq!(
        h.run("LRANGE d 0 -1"),
        "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LINSERT s before a b"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LINSERT s middle a b"), "-ERR syntax error\r\n");
}

#[test]
fn lrem_counts_from_either_end() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b a c a b a"), ":7\r\n");
    assert_eq!(h.run("LREM l 2 a"), ":2\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*5\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("LREM l -1 b"), ":1\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("LREM l 0 a"), ":2\r\n");
    assert_eq!(h.run("LRANGE l 0 -1"), "*2\r\n$1\r\nb\r\n$1\r\nc\r\n");
    assert_eq!(h.run("LREM l 0 zz"), ":0\r\n");
    assert_eq!(h.run("LREM l 1 c"), ":1\r\n");
    assert_eq!(h.run("EXISTS l"), ":1\r\n");
    assert_eq!(h.run("LREM l 1 c"), ":0\r\n");
    assert_eq!(
        h.run("LREM l abc c"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("LREM nokey abc c"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("RPUSH m x y x"), ":3\r\n");
    assert_eq!(h.run("LREM m -9223372036854775808 x"), ":2\r\n");
    assert_eq!(h.run("LRANGE m 0 -1"), "*1\r\n$1\r\ny\r\n");
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LREM s 0 a"), WRONGTYPE_REPLY);
}

#[test]
fn ltrim_keeps_a_range_and_deletes_empty_lists() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c d e f"), ":6\r\n");
    assert_eq!(h.run("LTRIM l 1 -2"), "+OK\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("LTRIM l -100 100"), "+OK\r\n");
    assert_eq!(
        h.run("LRANGE l 0 -1"),
        "*4\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n"
    );
    assert_eq!(h.run("LTRIM l 1 1"), "+OK\r\n");
    assert_eq!(h.run("LRANGE l 0 -1"), "*1\r\n$1\r\nc\r\n");
    assert_eq!(h.run("LTRIM l 2 1"), "+OK\r\n");
    assert_eq!(h.run("EXISTS l"), ":0\r\n");
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("LTRIM l 5 10"), "+OK\r\n");
    assert_eq!(h.run("EXISTS l"), ":0\r\n");
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("LTRIM l -1 -3"), "+OK\r\n");
    assert_eq!(h.run("EXISTS l"), ":0\r\n");
    assert_eq!(h.run("LTRIM nokey 0 1"), "+OK\r\n");
    assert_eq!(
        h.run("LTRIM nokey a 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("LTRIM l a 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LTRIM s 0 1"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("LTRIM s a 1"),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn lpos_rank_count_maxlen() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c 1 2 3 c c"), ":8\r\n");
    assert_eq!(h.run("LPOS l c"), ":2\r\n");
    assert_eq!(h.run("LPOS l c RANK 2"), ":6\r\n");
    assert_eq!(h.run("LPOS l c RANK -1"), ":7\r\n");
    assert_eq!(h.run("LPOS l c RANK -3"), ":2\r\n");
    assert_eq!(h.run("LPOS l c RANK 4"), "$-1\r\n");
    assert_eq!(h.run("LPOS l c COUNT 0"), "*3\r\n:2\r\n:6\r\n:7\r\n");
    assert_eq!(h.run("LPOS l c COUNT 2"), "*2\r\n:2\r\n:6\r\n");
    assert_eq!(h.run("LPOS l c COUNT 2 RANK -1"), "*2\r\n:7\r\n:6\r\n");
    assert_eq!(h.run("LPOS l c RANK 2 COUNT 0"), "*2\r\n:6\r\n:7\r\n");
    assert_eq!(h.run("LPOS l c MAXLEN 3"), ":2\r\n");
    assert_eq!(h.run("LPOS l c MAXLEN 2"), "$-1\r\n");
    assert_eq!(h.run("LPOS l c COUNT 0 MAXLEN 7"), "*2\r\n:2\r\n:6\r\n");
    assert_eq!(h.run("LPOS l c COUNT 0 MAXLEN 1 RANK -1"), "*1\r\n:7\r\n");
    assert_eq!(h.run("LPOS l c RANK -9223372036854775808"), ":7\r\n");
    assert_eq!(
        h.run("LPOS l c RANK -9223372036854775808 COUNT 2"),
        "*3\r\n:7\r\n:6\r\n:2\r\n"
    );
    assert_eq!(h.run("LPOS l x"), "$-1\r\n");
    assert_eq!(h.run("LPOS l x COUNT 5"), "*0\r\n");
    assert_eq!(
        h.run("LPOS l c RANK 0"),
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"
    );
    assert_eq!(
        h.run("LPOS l c RANK abc"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("LPOS l c COUNT -1"),
        "-ERR COUNT can't be negative\r\n"
    );
    assert_eq!(
        h.run("LPOS l c COUNT abc"),
        "-ERR COUNT can't be negative\r\n"
    );
    assert_eq!(
        h.run("LPOS l c MAXLEN -1"),
        "-ERR MAXLEN can't be negative\r\n"
    );
    assert_eq!(
        h.run("LPOS l c MAXLEN abc"),
        "-ERR MAXLEN can't be negative\r\n"
    );
    assert_eq!(h.run("LPOS l c RANK"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LPOS l c FOO 1"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LPOS nokey c"), "$-1\r\n");
    assert_eq!(h.run("LPOS nokey c COUNT 1"), "*0\r\n");
    assert_eq!(
        h.run("LPOS nokey c RANK 0"),
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LPOS s c"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("LPOS s c RANK 0"),
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n"
    );
    assert_eq!(h.run("LPOS l 1"), ":3\r\n");
    assert_eq!(h.run("LPOS l 3 rank 1 count 1 maxlen 0"), "*1\r\n:5\r\n");
}

#[test]
fn lmove_and_rpoplpush_between_and_within_lists() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH src a b c"), ":3\r\n");
    assert_eq!(h.run("LMOVE src dst LEFT RIGHT"), "$1\r\na\r\n");
    assert_eq!(h.run("LMOVE src dst right left"), "$1\r\nc\r\n");
    assert_eq!(h.run("LRANGE src 0 -1"), "*1\r\n$1\r\nb\r\n");
    assert_eq!(h.run("LRANGE dst 0 -1"), "*2\r\n$1\r\nc\r\n$1\r\na\r\n");
    assert_eq!(h.run("RPOPLPUSH src dst"), "$1\r\nb\r\n");
    assert_eq!(h.run("EXISTS src"), ":0\r\n");
    assert_eq!(
        h.run("LRANGE dst 0 -1"),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("LMOVE dst dst LEFT RIGHT"), "$1\r\nb\r\n");
    assert_eq!(
        h.run("LRANGE dst 0 -1"),
        "*3\r\n$1\r\nc\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(h.run("RPOPLPUSH dst dst"), "$1\r\nb\r\n");
    assert_eq!(
        h.run("LRANGE dst 0 -1"),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
    assert_eq!(h.run("RPUSH one x"), ":1\r\n");
    assert_eq!(h.run("LMOVE one one left left"), "$1\r\nx\r\n");
    assert_eq!(h.run("LRANGE one 0 -1"), "*1\r\n$1\r\nx\r\n");
    assert_eq!(h.run("LMOVE nokey dst left left"), "$-1\r\n");
    assert_eq!(h.run("RPOPLPUSH nokey dst"), "$-1\r\n");
    assert_eq!(h.run("LMOVE src dst middle left"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LMOVE src dst left middle"), "-ERR syntax error\r\n");
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("LMOVE s dst left left"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LMOVE dst s left left"), WRONGTYPE_REPLY);
    assert_eq!(h.run("RPOPLPUSH dst s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("LMOVE nokey s left left"), "$-1\r\n");
    assert_eq!(
        h.run("LRANGE dst 0 -1"),
        "*3\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\na\r\n"
    );
}

#[test]
fn lmpop_pops_from_the_first_non_empty_list() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH b 1 2 3 4"), ":4\r\n");
    assert_eq!(
        h.run("LMPOP 2 a b LEFT"),
        "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("LMPOP 2 a b RIGHT COUNT 2"),
        "*2\r\n$1\r\nb\r\n*2\r\n$1\r\n4\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("LMPOP 2 a b left count 10"),
        "*2\r\n$1\r\nb\r\n*1\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("EXISTS b"), ":0\r\n");
    assert_eq!(h.run("LMPOP 2 a b LEFT"), "*-1\r\n");
    assert_eq!(
        h.run("LMPOP 0 a LEFT"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("LMPOP -1 a LEFT"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("LMPOP abc a LEFT"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(h.run("LMPOP 2 a LEFT"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LMPOP 1 a MIDDLE"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("LMPOP 1 a LEFT COUNT 0"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("LMPOP 1 a LEFT COUNT -1"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("LMPOP 1 a LEFT COUNT abc"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("LMPOP 1 a LEFT COUNT 1 COUNT 1"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("LMPOP 1 a LEFT FOO"), "-ERR syntax error\r\n");
    assert_eq!(h.run("LMPOP 1 a LEFT COUNT"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("LMPOP 9223372036854775807 a LEFT"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("RPUSH c x"), ":1\r\n");
    assert_eq!(
        h.run("LMPOP 2 c s LEFT"),
        "*2\r\n$1\r\nc\r\n*1\r\n$1\r\nx\r\n"
    );
    assert_eq!(h.run("LMPOP 2 s c LEFT"), WRONGTYPE_REPLY);
}

#[test]
fn blocking_pops_serve_at_once_when_data_is_there() {
    let mut h = Harness::new();
    assert_eq!(h.run("RPUSH l a b c"), ":3\r\n");
    assert_eq!(h.run("BLPOP nokey l 0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
    assert_eq!(h.run("BRPOP nokey l 0.5"), "*2\r\n$1\r\nl\r\n$1\r\nc\r\n");
    assert_eq!(
        h.run("BLMPOP 0 2 nokey l RIGHT COUNT 5"),
        "*2\r\n$1\r\nl\r\n*1\r\n$1\r\nb\r\n"
    );
    assert_eq!(h.run("EXISTS l"), ":0\r\n");
    assert_eq!(h.run("RPUSH l x y"), ":2\r\n");
    assert_eq!(h.run("BLMOVE l d LEFT RIGHT 0"), "$1\r\nx\r\n");
    assert_eq!(h.run("BRPOPLPUSH l d 1"), "$1\r\ny\r\n");
    assert_eq!(h.run("LRANGE d 0 -1"), "*2\r\n$1\r\ny\r\n$1\r\nx\r\n");
    assert_eq!(
        h.run("BLPOP l abc"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(h.run("BLPOP l -1"), "-ERR timeout is negative\r\n");
    assert_eq!(
        h.run("BLMPOP abc 1 l LEFT"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(h.run("BLMPOP -1 1 l LEFT"), "-ERR timeout is negative\r\n");
    assert_eq!(
        h.run("BLMPOP abc 1 l LEFT COUNT 0"),
        "-ERR count should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("BLMPOP 0 0 l LEFT"),
        "-ERR numkeys should be greater than 0\r\n"
    );
    assert_eq!(
        h.run("BLMOVE l d MIDDLE RIGHT abc"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("BLMOVE l d LEFT RIGHT abc"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(
        h.run("BRPOPLPUSH l d abc"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("BLPOP s 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("BLPOP nokey s 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("BLMOVE s d LEFT LEFT 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("RPUSH l z"), ":1\r\n");
    assert_eq!(h.run("BLMOVE l s LEFT LEFT 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("BLPOP l s 0"), "*2\r\n$1\r\nl\r\n$1\r\nz\r\n");
}

#[test]
fn resp3_nulls_and_arrays() {
    let mut h = Harness::new();
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("LPOP nokey"), "_\r\n");
    assert_eq!(h.run("LPOP nokey 1"), "_\r\n");
    assert_eq!(h.run("LINDEX nokey 0"), "_\r\n");
    assert_eq!(h.run("LPOS nokey a"), "_\r\n");
    assert_eq!(h.run("LMPOP 1 nokey LEFT"), "_\r\n");
    assert_eq!(h.run("RPUSH l a b"), ":2\r\n");
    assert_eq!(
        h.run("LMPOP 1 l LEFT COUNT 5"),
        "*2\r\n$1\r\nl\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
    );
    assert_eq!(h.run("LMOVE nokey d left left"), "_\r\n");
}
/// Runs one command like [`Harness::run`] and also returns how many
/// changes it counted (`server.dirty` in Redis).
pub(crate) fn run_counting_changes(h: &mut Harness, line: &str) -> (String, u64) {
    use crate::ctx::ExecCtx;
    use shoal_resp::request::OwnedArgs;
    use shoal_resp::ReplyBuf;
    let parts: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
    let name = line
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let handler = crate::dispatch::keyspace_handler(&name).expect("a keyspace command");
    let owned = OwnedArgs::from_slices(&parts);
    let mut out = ReplyBuf::with_protocol(h.protocol);
    let mut ctx = ExecCtx {
        dbs: &mut h.dbs,
        db: h.db,
        out: &mut out,
        now_ms: h.now_ms,
        rng: &mut h.rng,
        settings: &h.settings,
        dirty: 0,
        may_block: h.may_block,
    };
    handler(&mut ctx, owned.args());
    let dirty = ctx.dirty;
    (String::from_utf8_lossy(out.as_bytes()).into_owned(), dirty)
}

#[test]
fn changes_are_counted_as_redis_counts_them() {
    // Each count was read from INFO's rdb_changes_since_last_save on
    // redis-server 7.0.15 around the same command.
    let mut h = Harness::new();
    for (line, changes) in [
        ("RPUSH l a b c d e f", 6),
        ("LPUSH l x", 1),
        ("LPUSHX nokey x", 0),
        ("LPOP l", 1),
        ("LPOP l 3", 3),
        ("LPOP l 0", 0),
        ("RPUSH l a b c d", 4),
        ("LTRIM l 1 -1", 1),
        ("LTRIM l 0 -1", 0),
        ("LREM l 0 b", 1),
        ("LREM l 0 zz", 0),
        ("LSET l 0 q", 1),
        ("LINSERT l before q z", 1),
        ("LINSERT l before nothere z", 0),
        ("LMOVE l l left left", 1),
        ("RPOPLPUSH l m", 1),
        ("LMPOP 1 l left count 10", 5),
        ("BLPOP m 0", 1),
    ] {
        assert_eq!(run_counting_changes(&mut h, line).1, changes, "{line}");
    }
}

#[test]
fn in_place_changes_signal_the_key() {
    let mut h = Harness::new();
    h.dbs[0].add_interest(b"l");
    for line in [
        "RPUSH l a b c d",
        "LPUSHX l z",
        "LSET l 0 y",
        "LINSERT l after y x",
        "LREM l 1 x",
        "LTRIM l 0 -1",
        "LPOP l",
        "RPOP l 1",
        "LMOVE l l left right",
        "LMPOP 1 l left",
    ] {
        h.run(line);
        assert!(!h.dbs[0].take_signals().is_empty(), "{line} signals");
    }
    h.run("LINSERT l after nothere x");
    h.run("LREM l 0 nothere");
    h.run("LRANGE l 0 -1");
    assert!(h.dbs[0].take_signals().is_empty(), "no change, no signal");
}

#[test]
fn blocking_pops_block_on_empty_keys_with_a_deadline() {
    let mut h = Harness::new();
    let now = h.now_ms;
    let (reply, outcome) = h.run_args(&[b"BLPOP", b"a", b"b", b"1.5"]);
    assert_eq!(reply, "");
    assert_eq!(
        outcome,
        Outcome::Block(BlockRequest {
            keys: vec![b"a".to_vec(), b"b".to_vec()],
            deadline_ms: Some(now + 1500),
            timeout_reply: TimeoutReply::NullArray,
            waits_for: shoal_keyspace::ValueType::List,
        })
    );
    let (_, outcome) = h.run_args(&[b"BRPOP", b"a", b"b", b"a", b"0"]);
    match outcome {
        Outcome::Block(req) => {
            assert_eq!(
                req.keys,
                vec![b"a".to_vec(), b"b".to_vec()],
                "each key once"
            );
            assert_eq!(req.deadline_ms, None);
        }
        Outcome::Done => panic!("BRPOP should block"),
    }
    // A fraction of a millisecond rounds up; a tiny negative one is 0.
    let (_, outcome) = h.run_args(&[
        b"BLMPOP", b"0.0001", b"2", b"a", b"b", b"LEFT", b"COUNT", b"3",
    ]);
    match outcome {
        Outcome::Block(req) => {
            assert_eq!(req.keys, vec![b"a".to_vec(), b"b".to_vec()]);
            assert_eq!(req.deadline_ms, Some(now + 1));
        }
        Outcome::Done => panic!("BLMPOP should block"),
    }
    let (_, outcome) = h.run_args(&[b"BLPOP", b"a", b"-0.0001"]);
    assert!(matches!(
        outcome,
        Outcome::Block(BlockRequest {
            deadline_ms: None,
            ..
        })
    ));
    let (_, outcome) = h.run_args(&[b"BLMOVE", b"a", b"b", b"LEFT", b"RIGHT", b"2"]);
    assert_eq!(
        outcome,
        Outcome::Block(BlockRequest {
            keys: vec![b"a".to_vec()],
            deadline_ms: Some(now + 2000),
            timeout_reply: TimeoutReply::NullBulk,
            waits_for: shoal_keyspace::ValueType::List,
        })
    );
    let (_, outcome) = h.run_args(&[b"BRPOPLPUSH", b"a", b"b", b"0"]);
    assert!(matches!(
        outcome,
        Outcome::Block(BlockRequest {
            timeout_reply: TimeoutReply::NullBulk,
            ..
        })
    ));
    // Once data arrives, the re-run command is served.
    h.run("RPUSH b x y");
    let (reply, outcome) = h.run_args(&[b"BLPOP", b"a", b"b", b"1.5"]);
    assert_eq!(
        (reply.as_str(), outcome),
        ("*2\r\n$1\r\nb\r\n$1\r\nx\r\n", Outcome::Done)
    );
}

#[test]
fn blocking_pops_answer_the_timeout_reply_inside_multi() {
    // Verified on redis-server 7.0.15 with the commands queued in MULTI.
    let mut h = Harness::new();
    h.may_block = false;
    assert_eq!(h.run("BLPOP a 0"), "*-1\r\n");
    assert_eq!(h.run("BRPOP a 0"), "*-1\r\n");
    assert_eq!(h.run("BLMPOP 0 1 a LEFT"), "*-1\r\n");
    assert_eq!(h.run("BLMOVE a b LEFT RIGHT 0"), "$-1\r\n");
    assert_eq!(h.run("BRPOPLPUSH a b 0"), "$-1\r\n");
    assert_eq!(h.run("BLPOP k 1e300"), "-ERR timeout is negative\r\n");
    assert_eq!(h.run("BLPOP k inf"), "-ERR timeout is negative\r\n");
    assert_eq!(h.run("BLPOP k 9223372036854775"), "*-1\r\n");
    assert_eq!(
        h.run("BLPOP k 9223372036854776"),
        "-ERR timeout is negative\r\n"
    );
    assert_eq!(h.run("BLPOP k -0.0001"), "*-1\r\n");
    assert_eq!(
        h.run("BLPOP k abc"),
        "-ERR timeout is not a float or out of range\r\n"
    );
    assert_eq!(h.run("BLPOP k 0x10"), "*-1\r\n");
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("BLPOP a 0"), "_\r\n");
    assert_eq!(h.run("BLMOVE a b LEFT RIGHT 0"), "_\r\n");
}

#[test]
fn a_deadline_past_the_clock_range_is_already_due() {
    let mut h = Harness::new();
    let now = h.now_ms;
    let (_, outcome) = h.run_args(&[b"BLPOP", b"a", b"9223372036854775"]);
    assert!(
        matches!(outcome, Outcome::Block(BlockRequest { deadline_ms: Some(d), .. }) if d == now)
    );
}

#[test]
fn commands_work_across_many_small_chunks() {
    let mut h = Harness::new();
    h.settings.list_max_listpack_size = 2;
    let mut model: Vec<String> = Vec::new();
    for i in 0..50 {
        h.run(&format!("RPUSH l e{i}"));
        model.push(format!("e{i}"));
    }
    h.run("LINSERT l BEFORE e25 mid");
    model.insert(25, "mid".into());
    h.run("LSET l 40 changed");
    model[40] = "changed".into();
    assert_eq!(h.run("LREM l -1 e49"), ":1\r\n");
    model.pop();
    h.run("LTRIM l 3 -4");
    let model: Vec<String> = model[3..model.len() - 3].to_vec();
    let mut want = format!("*{}\r\n", model.len());
    for e in &model {
        want.push_str(&format!("${}\r\n{e}\r\n", e.len()));
    }
    assert_eq!(h.run("LRANGE l 0 -1"), want);
    for (i, e) in model.iter().enumerate() {
        assert_eq!(
            h.run(&format!("LINDEX l {i}")),
            format!("${}\r\n{e}\r\n", e.len())
        );
        assert_eq!(h.run(&format!("LPOS l {e}")), format!(":{i}\r\n"));
    }
}
