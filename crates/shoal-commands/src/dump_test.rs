//! Harness tests of DUMP and RESTORE. Error texts were recorded from
//! redis-server 7.0.15.

use crate::testing::Harness;
use shoal_keyspace::AccessPolicy;

/// The payload of `key`: DUMP's reply length checked, the bytes taken from
/// the value itself (the harness returns replies as lossy UTF-8).
fn dump(h: &mut Harness, key: &str) -> Vec<u8> {
    let (reply, _) = h.run_args(&[b"DUMP", key.as_bytes()]);
    let n: usize = reply[1..reply.find("\r\n").unwrap()].parse().unwrap();
    let v = h.dbs[0].peek_ref(key.as_bytes()).unwrap().value.clone();
    let bytes = shoal_persist::dump_value(&v);
    assert_eq!(bytes.len(), n);
    bytes
}

fn restore(h: &mut Harness, key: &str, ttl: &str, payload: &[u8], opts: &[&str]) -> String {
    let mut args: Vec<&[u8]> = vec![b"RESTORE", key.as_bytes(), ttl.as_bytes(), payload];
    args.extend(opts.iter().map(|o| o.as_bytes()));
    h.run_args(&args).0
}

#[test]
fn dump_of_a_missing_key_is_nil() {
    let mut h = Harness::new();
    assert_eq!(h.run("DUMP nope"), "$-1\r\n");
}

#[test]
fn dump_of_a_string_is_the_redis_payload() {
    let mut h = Harness::new();
    h.run("SET k hello");
    assert_eq!(
        h.run("DUMP k"),
        "$17\r\n\u{0}\u{5}hello\n\u{0}cr\u{FFFD}ve4 \n\r\n"
    );
}

#[test]
fn every_type_restores_under_a_new_name() {
    let mut h = Harness::new();
    h.run("RPUSH l a b 3");
    h.run("HSET h f v g 1");
    h.run("SADD s 1 2 x");
    h.run("ZADD z 1.5 a 2 b");
    h.run("SET n 42");
    for key in ["l", "h", "s", "z", "n"] {
        let p = dump(&mut h, key);
        let copy = format!("{key}2");
        assert_eq!(restore(&mut h, &copy, "0", &p, &[]), "+OK\r\n", "{key}");
        assert_eq!(dump(&mut h, &copy), p, "{key}");
    }
    assert_eq!(
        h.run("LRANGE l2 0 -1"),
        "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\n3\r\n"
    );
    assert_eq!(h.run("ZSCORE z2 a"), "$3\r\n1.5\r\n");
    assert_eq!(h.run("OBJECT ENCODING s2"), "$9\r\nhashtable\r\n");
}

#[test]
fn errors_come_in_redis_order() {
    let mut h = Harness::new();
    h.run("SET k v");
    let p = dump(&mut h, "k");
    assert_eq!(
        restore(&mut h, "k", "0", &p, &[]),
        "-BUSYKEY Target key name already exists.\r\n"
    );
    // Options are checked before the key.
    assert_eq!(
        restore(&mut h, "k", "0", &p, &["foo"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "-1", &p, &[]),
        "-ERR Invalid TTL value, must be >= 0\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "abc", &p, &[]),
        "-ERR value is not an integer or out of range\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &[]),
        "-ERR DUMP payload version or checksum are wrong\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &["idletime"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &["idletime", "-1"]),
        "-ERR Invalid IDLETIME value, must be >= 0\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &["freq", "256"]),
        "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &["idletime", "1", "freq", "1"]),
        "-ERR syntax error\r\n"
    );
    assert_eq!(
        restore(&mut h, "n", "0", b"x", &["idletime", "abc"]),
        "-ERR value is not an integer or out of range\r\n"
    );
    // An empty list with a valid footer.
    let mut empty = vec![18u8, 0, 10, 0];
    let crc = crc::Crc::<u64>::new(&crc::CRC_64_REDIS).checksum(&empty);
    empty.extend_from_slice(&crc.to_le_bytes());
    assert_eq!(
        restore(&mut h, "n", "0", &empty, &[]),
        "-ERR Bad data format\r\n"
    );
}

#[test]
fn replace_ttl_and_absttl() {
    let mut h = Harness::new();
    h.run("SET k old");
    h.run("SET src new");
    let p = dump(&mut h, "src");
    assert_eq!(restore(&mut h, "k", "5000", &p, &["REPLACE"]), "+OK\r\n");
    assert_eq!(h.run("GET k"), "$3\r\nnew\r\n");
    assert_eq!(h.run("PTTL k"), ":5000\r\n");
    let at = (h.now_ms + 9000).to_string();
    assert_eq!(restore(&mut h, "a", &at, &p, &["ABSTTL"]), "+OK\r\n");
    assert_eq!(h.run("PTTL a"), ":9000\r\n");
    // Already expired: OK, and a replaced key is gone.
    let past = (h.now_ms - 1).to_string();
    assert_eq!(
        restore(&mut h, "k", &past, &p, &["ABSTTL", "REPLACE"]),
        "+OK\r\n"
    );
    assert_eq!(h.run("EXISTS k"), ":0\r\n");
}

#[test]
fn idletime_and_freq_set_the_access_field() {
    let mut h = Harness::new();
    h.run("SET src v");
    let p = dump(&mut h, "src");
    assert_eq!(
        restore(&mut h, "k", "0", &p, &["IDLETIME", "100"]),
        "+OK\r\n"
    );
    assert_eq!(h.run("OBJECT IDLETIME k"), ":100\r\n");
    for db in &mut h.dbs {
        db.set_access_policy(AccessPolicy::Lfu {
            log_factor: 10,
            decay_time_min: 1,
        });
    }
    assert_eq!(restore(&mut h, "f", "0", &p, &["FREQ", "77"]), "+OK\r\n");
    assert_eq!(h.run("OBJECT FREQ f"), ":77\r\n");
}

#[test]
fn restore_asking_is_restore() {
    let mut h = Harness::new();
    h.run("SET src v");
    let p = dump(&mut h, "src");
    assert_eq!(
        h.run_args(&[b"RESTORE-ASKING", b"k", b"0", &p]).0,
        "+OK\r\n"
    );
    assert_eq!(h.run("GET k"), "$1\r\nv\r\n");
}
