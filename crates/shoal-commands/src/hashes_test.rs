//! Unit tests of the hash commands.
//!
//! The scripted tests' expected replies were produced by redis-server
//! 7.0.15 running the same command lines (RESP2 unless noted).

use crate::testing::Harness;
use shoal_resp::Protocol;

const WRONGTYPE_REPLY: &str =
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

#[test]
fn hset_hget_and_friends() {
    let mut h = Harness::new();
    assert_eq!(h.run("HSET h a 1 b 2"), ":2\r\n");
    assert_eq!(h.run("HSET h a 10 c 3"), ":1\r\n");
    assert_eq!(h.run("HGET h a"), "$2\r\n10\r\n");
    assert_eq!(h.run("HGET h zz"), "$-1\r\n");
    assert_eq!(h.run("HGET nokey a"), "$-1\r\n");
    assert_eq!(h.run("HMSET h d 4 e 5"), "+OK\r\n");
    assert_eq!(
        h.run("HMSET h d"),
        "-ERR wrong number of arguments for 'hmset' command\r\n"
    );
    assert_eq!(
        h.run("HSET h d"),
        "-ERR wrong number of arguments for 'hset' command\r\n"
    );
    assert_eq!(
        h.run("HSET h d 4 e"),
        "-ERR wrong number of arguments for 'hset' command\r\n"
    );
    assert_eq!(
        h.run("HMGET h a zz c"),
        "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("HMGET nokey a b"), "*2\r\n$-1\r\n$-1\r\n");
    assert_eq!(h.run("HLEN h"), ":5\r\n");
    assert_eq!(h.run("HLEN nokey"), ":0\r\n");
    assert_eq!(h.run("HSTRLEN h a"), ":2\r\n");
    assert_eq!(h.run("HSTRLEN h zz"), ":0\r\n");
    assert_eq!(h.run("HSTRLEN nokey a"), ":0\r\n");
    assert_eq!(h.run("HEXISTS h a"), ":1\r\n");
    assert_eq!(h.run("HEXISTS h zz"), ":0\r\n");
    assert_eq!(h.run("HEXISTS nokey a"), ":0\r\n");
    assert_eq!(h.run("HSETNX h a 99"), ":0\r\n");
    assert_eq!(h.run("HSETNX h f 6"), ":1\r\n");
    assert_eq!(h.run("HSETNX nokey2 f 6"), ":1\r\n");
    assert_eq!(h.run("HGET h a"), "$2\r\n10\r\n");
    assert_eq!(
        h.run("HGETALL h"),
        "*12\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n$1\r\nf\r\n$1\r\n6\r\n"
    );
    assert_eq!(
        h.run("HKEYS h"),
        "*6\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n$1\r\ne\r\n$1\r\nf\r\n"
    );
    assert_eq!(
        h.run("HVALS h"),
        "*6\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n"
    );
    assert_eq!(h.run("HGETALL nokey"), "*0\r\n");
    assert_eq!(h.run("HKEYS nokey"), "*0\r\n");
    assert_eq!(h.run("HVALS nokey"), "*0\r\n");
    assert_eq!(h.run("OBJECT ENCODING h"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("TYPE h"), "+hash\r\n");
}

#[test]
fn hdel_removes_fields_and_empty_hashes() {
    let mut h = Harness::new();
    assert_eq!(h.run("HSET h a 1 b 2 c 3"), ":3\r\n");
    assert_eq!(h.run("HDEL h a zz"), ":1\r\n");
    assert_eq!(h.run("HDEL h zz"), ":0\r\n");
    assert_eq!(h.run("HDEL nokey a"), ":0\r\n");
    assert_eq!(h.run("HDEL h b c a"), ":2\r\n");
    assert_eq!(h.run("EXISTS h"), ":0\r\n");
    assert_eq!(h.run("HSET h a 1"), ":1\r\n");
    assert_eq!(h.run("HDEL h a a"), ":1\r\n");
    assert_eq!(h.run("EXISTS h"), ":0\r\n");
}

#[test]
fn wrong_type_everywhere() {
    let mut h = Harness::new();
    assert_eq!(h.run("SET s v"), "+OK\r\n");
    assert_eq!(h.run("HSET s a 1"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HMSET s a 1"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HSETNX s a 1"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HGET s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HMGET s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HDEL s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HLEN s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HSTRLEN s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HEXISTS s a"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HKEYS s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HVALS s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HGETALL s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HINCRBY s a 1"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("HINCRBY s a x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT s a 1"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("HINCRBYFLOAT s a x"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT s a inf"),
        "-ERR value is NaN or Infinity\r\n"
    );
    assert_eq!(h.run("HRANDFIELD s"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HRANDFIELD s 1"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HRANDFIELD s 0"), WRONGTYPE_REPLY);
    assert_eq!(
        h.run("HRANDFIELD s x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("HSCAN s 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("HSCAN s x"), "-ERR invalid cursor\r\n");
    assert_eq!(h.run("HSCAN s 0 COUNT 0"), WRONGTYPE_REPLY);
    assert_eq!(h.run("RPUSH l a"), ":1\r\n");
    assert_eq!(h.run("HGET l a"), WRONGTYPE_REPLY);
}

#[test]
fn hincrby_checks_integers_and_overflow() {
    let mut h = Harness::new();
    assert_eq!(h.run("HINCRBY h a 5"), ":5\r\n");
    assert_eq!(h.run("HINCRBY h a -10"), ":-5\r\n");
    assert_eq!(
        h.run("HINCRBY h a x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h a 1.5"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h a 01"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        h.run("HSET h s abc t 0012 u 9223372036854775807 v -9223372036854775808 w -0 x 1.0"),
        ":6\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h s 1"),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h t 1"),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h u 1"),
        "-ERR increment or decrement would overflow\r\n"
    );
    assert_eq!(h.run("HINCRBY h u 0"), ":9223372036854775807\r\n");
    assert_eq!(h.run("HINCRBY h u -1"), ":9223372036854775806\r\n");
    assert_eq!(
        h.run("HINCRBY h v -1"),
        "-ERR increment or decrement would overflow\r\n"
    );
    assert_eq!(h.run("HINCRBY h v 1"), ":-9223372036854775807\r\n");
    assert_eq!(
        h.run("HINCRBY h w 1"),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h x 1"),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h new -9223372036854775808"),
        ":-9223372036854775808\r\n"
    );
    assert_eq!(
        h.run("HINCRBY h new -1"),
        "-ERR increment or decrement would overflow\r\n"
    );
    assert_eq!(
        h.run("HGETALL h"),
        "*16\r\n$1\r\na\r\n$2\r\n-5\r\n$1\r\ns\r\n$3\r\nabc\r\n$1\r\nt\r\n$4\r\n0012\r\n$1\r\nu\r\n$19\r\n9223372036854775806\r\n$1\r\nv\r\n$20\r\n-9223372036854775807\r\n$1\r\nw\r\n$2\r\n-0\r\n$1\r\nx\r\n$3\r\n1.0\r\n$3\r\nnew\r\n$20\r\n-9223372036854775808\r\n"
    );
}

#[test]
fn hincrbyfloat_formats_like_long_double() {
    let mut h = Harness::new();
    assert_eq!(h.run("HINCRBYFLOAT h a 0.1"), "$3\r\n0.1\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h a 0.2"), "$3\r\n0.3\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h b 10.5"), "$4\r\n10.5\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h b 0.1"), "$4\r\n10.6\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h c 1e20"),
        "$21\r\n100000000000000000000\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h d 3.0e3"), "$4\r\n3000\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h e 1.23456789012345678901"),
        "$19\r\n1.23456789012345679\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h f 1e-20"), "$1\r\n0\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h g -0.000000000000000001"),
        "$1\r\n0\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h i 0x1p-2"), "$4\r\n0.25\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h i .5"), "$4\r\n0.75\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h j 5."), "$1\r\n5\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h j +3"), "$1\r\n8\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h k 123456789012345678901234567890"),
        "$30\r\n123456789012345678899921813504\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h k 0.1"),
        "$30\r\n123456789012345678899921813504\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h l -5"), "$2\r\n-5\r\n");
    assert_eq!(h.run("HINCRBYFLOAT h l 2.5"), "$4\r\n-2.5\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h m 0.000000000000000015"),
        "$19\r\n0.00000000000000002\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a inf"),
        "-ERR value is NaN or Infinity\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a -infinity"),
        "-ERR value is NaN or Infinity\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a nan"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a 1e"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a 1e5000"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(
        h.run("HINCRBYFLOAT h a abc"),
        "-ERR value is not a valid float\r\n"
    );
    assert_eq!(h.run("HSET h s abc t 0012 u inf v 1e4000"), ":4\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h s 1"),
        "-ERR hash value is not a float\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h t 1"), "$2\r\n13\r\n");
    assert_eq!(
        h.run("HINCRBYFLOAT h u 1"),
        "-ERR increment would produce NaN or Infinity\r\n"
    );
    assert_eq!(h.run("HINCRBYFLOAT h v -1e4000"), "$1\r\n0\r\n");
    assert_eq!(h.run("HGET h a"), "$3\r\n0.3\r\n");
    assert_eq!(
        h.run("HGET h k"),
        "$30\r\n123456789012345678899921813504\r\n"
    );
}

#[test]
fn hrandfield_edges_without_randomness() {
    let mut h = Harness::new();
    assert_eq!(h.run("HRANDFIELD nokey"), "$-1\r\n");
    assert_eq!(h.run("HRANDFIELD nokey 5"), "*0\r\n");
    assert_eq!(h.run("HRANDFIELD nokey -5 WITHVALUES"), "*0\r\n");
    assert_eq!(h.run("HSET h a 1"), ":1\r\n");
    assert_eq!(h.run("HRANDFIELD h"), "$1\r\na\r\n");
    assert_eq!(h.run("HRANDFIELD h 1"), "*1\r\n$1\r\na\r\n");
    assert_eq!(
        h.run("HRANDFIELD h -3"),
        "*3\r\n$1\r\na\r\n$1\r\na\r\n$1\r\na\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h -2 WITHVALUES"),
        "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("HRANDFIELD h 0"), "*0\r\n");
    assert_eq!(h.run("HRANDFIELD h 0 WITHVALUES"), "*0\r\n");
    assert_eq!(h.run("HSET h b 2 c 3"), ":2\r\n");
    assert_eq!(
        h.run("HRANDFIELD h 3"),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h 100 WITHVALUES"),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("HRANDFIELD h 1 WITHVALUE"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("HRANDFIELD h 1 WITHVALUES x"),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h -9223372036854775808"),
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h 9223372036854775807 WITHVALUES"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h -4611686018427387904 WITHVALUES"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h 4611686018427387904 WITHVALUES"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h 4611686018427387903 WITHVALUES"),
        "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD nokey 4611686018427387904 WITHVALUES"),
        "-ERR value is out of range\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD nokey x"),
        "-ERR value is not an integer or out of range\r\n"
    );
}

#[test]
fn hscan_small_hashes_return_everything() {
    let mut h = Harness::new();
    assert_eq!(h.run("HSET h a 1 b 2 c 3 ab 4"), ":4\r\n");
    assert_eq!(
        h.run("HSCAN h 0"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h 0 COUNT 1"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h 0 MATCH a*"),
        "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h 0 match *b count 100"),
        "*2\r\n$1\r\n0\r\n*4\r\n$1\r\nb\r\n$1\r\n2\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h 0 MATCH *"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h -1"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(
        h.run("HSCAN h +5"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(h.run("HSCAN h -"), "-ERR invalid cursor\r\n");
    assert_eq!(
        h.run("HSCAN h 18446744073709551616"),
        "-ERR invalid cursor\r\n"
    );
    assert_eq!(
        h.run("HSCAN h 18446744073709551615"),
        "*2\r\n$1\r\n0\r\n*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$2\r\nab\r\n$1\r\n4\r\n"
    );
    assert_eq!(h.run("HSCAN h x"), "-ERR invalid cursor\r\n");
    assert_eq!(h.run("HSCAN h 0 COUNT 0"), "-ERR syntax error\r\n");
    assert_eq!(h.run("HSCAN h 0 COUNT -1"), "-ERR syntax error\r\n");
    assert_eq!(
        h.run("HSCAN h 0 COUNT x"),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(h.run("HSCAN h 0 NOVALUES"), "-ERR syntax error\r\n");
    assert_eq!(h.run("HSCAN h 0 MATCH"), "-ERR syntax error\r\n");
    assert_eq!(h.run("HSCAN h 0 FOO bar"), "-ERR syntax error\r\n");
    assert_eq!(h.run("HSCAN nokey 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("HSCAN nokey 0 COUNT 0"), "*2\r\n$1\r\n0\r\n*0\r\n");
    assert_eq!(h.run("HSCAN nokey x"), "-ERR invalid cursor\r\n");
}

#[test]
fn encoding_switches_on_size_and_length() {
    let mut h = Harness::new();
    h.settings.hash_max_listpack_entries = 3;
    h.settings.hash_max_listpack_value = 4;
    assert_eq!(h.run("HSET h a 1 b 2 c 3"), ":3\r\n");
    assert_eq!(h.run("OBJECT ENCODING h"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("HSET h d 4"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING h"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HDEL h a b c"), ":3\r\n");
    assert_eq!(h.run("OBJECT ENCODING h"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HSET v a 1234"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING v"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("HSET v a 12345"), ":0\r\n");
    assert_eq!(h.run("OBJECT ENCODING v"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HSET f abcd 1"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING f"), "$8\r\nlistpack\r\n");
    assert_eq!(h.run("HSET f abcde 1"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING f"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HSETNX n abcde 1"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING n"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HSET i x 1"), ":1\r\n");
    assert_eq!(h.run("HINCRBY i x 9999"), ":10000\r\n");
    assert_eq!(h.run("OBJECT ENCODING i"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HINCRBYFLOAT i x 0.5"), "$7\r\n10000.5\r\n");
    assert_eq!(h.run("OBJECT ENCODING i"), "$9\r\nhashtable\r\n");
    assert_eq!(h.run("HGET i x"), "$7\r\n10000.5\r\n");
    h.settings.hash_max_listpack_entries = 0;
    assert_eq!(h.run("HSET z a 1"), ":1\r\n");
    assert_eq!(h.run("OBJECT ENCODING z"), "$9\r\nhashtable\r\n");
}

#[test]
fn resp3_maps_and_pairs() {
    let mut h = Harness::new();
    h.protocol = Protocol::Resp3;
    assert_eq!(h.run("HGETALL nokey"), "%0\r\n");
    assert_eq!(h.run("HSET h a 1 b 2"), ":2\r\n");
    assert_eq!(
        h.run("HGETALL h"),
        "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD h 5 WITHVALUES"),
        "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
    assert_eq!(h.run("HSET one a 1"), ":1\r\n");
    assert_eq!(
        h.run("HRANDFIELD one 1 WITHVALUES"),
        "*1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(
        h.run("HRANDFIELD one -2 WITHVALUES"),
        "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n"
    );
    assert_eq!(h.run("HRANDFIELD one -2"), "*2\r\n$1\r\na\r\n$1\r\na\r\n");
    assert_eq!(h.run("HGET h zz"), "_\r\n");
    assert_eq!(h.run("HMGET h a zz"), "*2\r\n$1\r\n1\r\n_\r\n");
    assert_eq!(h.run("HRANDFIELD nokey"), "_\r\n");
    assert_eq!(h.run("HRANDFIELD nokey 1 WITHVALUES"), "*0\r\n");
    assert_eq!(
        h.run("HSCAN h 0"),
        "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"
    );
}
/// Splits a RESP2 array of bulk strings into its elements.
fn bulks(reply: &str) -> Vec<String> {
    let mut lines = reply.split("\r\n");
    let header = lines.next().expect("a reply");
    assert!(header.starts_with('*'), "{reply}");
    let n: usize = header[1..].parse().expect("array length");
    let mut items = Vec::with_capacity(n);
    for _ in 0..n {
        let len = lines.next().expect("bulk header");
        assert!(len.starts_with('$'), "{reply}");
        items.push(lines.next().expect("bulk body").to_string());
    }
    items
}

/// A harness holding `h` with `n` fields `f<i>` = `v<i>`.
fn hash_with(n: usize) -> Harness {
    let mut h = Harness::new();
    for i in 0..n {
        h.run(&format!("HSET h f{i} v{i}"));
    }
    h
}

#[test]
fn hrandfield_positive_counts_are_distinct_fields() {
    for (size, expect_encoding) in [(10usize, "listpack"), (300, "hashtable")] {
        let mut h = hash_with(size);
        assert_eq!(
            h.run("OBJECT ENCODING h"),
            format!("${}\r\n{expect_encoding}\r\n", expect_encoding.len())
        );
        for count in [1usize, 2, size / 3, size / 2, size - 1] {
            for _ in 0..20 {
                let got = bulks(&h.run(&format!("HRANDFIELD h {count}")));
                assert_eq!(got.len(), count);
                let distinct: std::collections::HashSet<&String> = got.iter().collect();
                assert_eq!(distinct.len(), count, "no repeats: {got:?}");
                assert!(got
                    .iter()
                    .all(|f| f.starts_with('f') && f[1..].parse::<usize>().unwrap() < size));
            }
        }
        let pairs = bulks(&h.run(&format!("HRANDFIELD h {} WITHVALUES", size / 2)));
        assert_eq!(pairs.len(), size / 2 * 2);
        for p in pairs.chunks(2) {
            assert_eq!(
                p[1],
                format!("v{}", &p[0][1..]),
                "value belongs to its field"
            );
        }
    }
}

#[test]
fn hrandfield_negative_counts_repeat_and_cover_the_hash() {
    for size in [3usize, 200] {
        let mut h = hash_with(size);
        let got = bulks(&h.run(&format!("HRANDFIELD h -{}", size * 20)));
        assert_eq!(got.len(), size * 20);
        let distinct: std::collections::HashSet<&String> = got.iter().collect();
        assert!(distinct.len() < got.len(), "repeats happen");
        assert!(distinct.len() > size / 2, "picks spread over the hash");
        let pairs = bulks(&h.run("HRANDFIELD h -50 WITHVALUES"));
        assert_eq!(pairs.len(), 100);
        for p in pairs.chunks(2) {
            assert_eq!(p[1], format!("v{}", &p[0][1..]));
        }
    }
    // A single-field hash makes the repeats visible exactly.
    let mut h = hash_with(1);
    assert_eq!(
        h.run("HRANDFIELD h -3"),
        "*3\r\n$2\r\nf0\r\n$2\r\nf0\r\n$2\r\nf0\r\n"
    );
    h.protocol = Protocol::Resp3;
    assert_eq!(
        h.run("HRANDFIELD h -2 WITHVALUES"),
        "*2\r\n*2\r\n$2\r\nf0\r\n$2\r\nv0\r\n*2\r\n$2\r\nf0\r\n$2\r\nv0\r\n"
    );
}

#[test]
fn hrandfield_single_picks_every_field_eventually() {
    let mut h = hash_with(5);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        seen.insert(h.run("HRANDFIELD h"));
    }
    assert_eq!(seen.len(), 5);
}

#[test]
fn hscan_on_a_table_visits_every_field_in_count_sized_steps() {
    let mut h = hash_with(1000);
    let mut cursor = "0".to_string();
    let mut seen = std::collections::HashSet::new();
    let mut calls = 0;
    loop {
        let reply = h.run(&format!("HSCAN h {cursor} COUNT 50"));
        // *2, $n, cursor, *m, pairs...
        let mut parts = reply.splitn(4, "\r\n");
        assert_eq!(parts.next(), Some("*2"));
        parts.next();
        cursor = parts.next().unwrap().to_string();
        let items = bulks(parts.next().unwrap());
        assert!(items.len() <= 100);
        for p in items.chunks(2) {
            assert_eq!(p[1], format!("v{}", &p[0][1..]));
            seen.insert(p[0].clone());
        }
        calls += 1;
        if cursor == "0" {
            break;
        }
    }
    assert_eq!(seen.len(), 1000);
    assert_eq!(calls, 20);
    let matched = h.run("HSCAN h 0 COUNT 2000 MATCH f99*");
    let items = bulks(matched.splitn(4, "\r\n").nth(3).unwrap());
    let mut fields: Vec<&String> = items.iter().step_by(2).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec!["f99", "f990", "f991", "f992", "f993", "f994", "f995", "f996", "f997", "f998", "f999"]
    );
}

#[test]
fn changes_are_counted_and_signalled() {
    // Counts read from INFO's rdb_changes_since_last_save on redis-server
    // 7.0.15 around the same commands.
    let mut h = Harness::new();
    h.dbs[0].add_interest(b"h");
    for (line, changes, signals) in [
        ("HSET h a 1 a 2 b 3", 3, true),
        ("HSET h a 1", 1, true),
        ("HMSET h a 1", 1, true),
        ("HSETNX h a 1", 0, false),
        ("HSETNX h n 1", 1, true),
        ("HDEL h a zz b", 2, true),
        ("HINCRBY h c 1", 1, true),
        ("HINCRBYFLOAT h c 1.5", 1, true),
        ("HDEL h zz", 0, false),
        ("HDEL h c n", 2, true),
        ("HDEL h c", 0, false),
    ] {
        assert_eq!(
            crate::lists::tests::run_counting_changes(&mut h, line).1,
            changes,
            "{line}"
        );
        assert_eq!(!h.dbs[0].take_signals().is_empty(), signals, "{line}");
    }
}

#[test]
fn big_hashes_keep_working_after_conversion() {
    let mut h = hash_with(500);
    assert_eq!(h.run("HLEN h"), ":500\r\n");
    assert_eq!(h.run("HGET h f321"), "$4\r\nv321\r\n");
    for i in (0..500).step_by(2) {
        assert_eq!(h.run(&format!("HDEL h f{i}")), ":1\r\n");
    }
    assert_eq!(h.run("HLEN h"), ":250\r\n");
    assert_eq!(h.run("HEXISTS h f320"), ":0\r\n");
    assert_eq!(h.run("HSTRLEN h f321"), ":4\r\n");
    assert_eq!(
        h.run("HINCRBY h f321 1"),
        "-ERR hash value is not an integer\r\n"
    );
    assert_eq!(h.run("HINCRBY h n 7"), ":7\r\n");
    assert_eq!(h.run("OBJECT ENCODING h"), "$9\r\nhashtable\r\n");
    let mut keys = bulks(&h.run("HKEYS h"));
    keys.sort();
    let mut want: Vec<String> = (1..500).step_by(2).map(|i| format!("f{i}")).collect();
    want.push("n".into());
    want.sort();
    assert_eq!(keys, want);
}
