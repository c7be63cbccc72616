//! MIGRATE, DUMP and RESTORE between shoal-server and a real redis-server
//! 7.0: payloads cross both ways, all value types, KEYS, COPY, REPLACE,
//! AUTH, and the error replies.

mod common;

use common::{start_redis, start_shoal, Conn, ServerProcess};
use shoal_resp::frame::Frame;

/// Fills `c` with one key of each type and shape under `{t}` names.
fn fill(c: &mut Conn) {
    for line in [
        "SET {t}str hello",
        "SET {t}int 12345",
        "RPUSH {t}list a b 1 -5 70000",
        "HSET {t}hash f1 v1 f2 2",
        "SADD {t}iset 1 2 3 -100",
        "SADD {t}sset a b c",
        "ZADD {t}zset 1.5 a 2 b -3 c",
    ] {
        c.call(line);
    }
    let mut big = vec!["RPUSH", "{t}biglist"];
    let items: Vec<String> = (0..2000).map(|i| format!("item-{i}")).collect();
    big.extend(items.iter().map(String::as_str));
    c.call_raw(&big);
    let mut h = vec!["HSET".to_string(), "{t}bighash".to_string()];
    for i in 0..700 {
        h.push(format!("field{i}"));
        h.push(format!("value{i}"));
    }
    c.call_raw(&h.iter().map(String::as_str).collect::<Vec<_>>());
    let mut z = vec!["ZADD".to_string(), "{t}bigzset".to_string()];
    for i in 0..300 {
        z.push(format!("{}", i as f64 * 0.25));
        z.push(format!("m{i}"));
    }
    c.call_raw(&z.iter().map(String::as_str).collect::<Vec<_>>());
    c.call("SET {t}ttl v");
    c.call("PEXPIRE {t}ttl 100000");
}

const KEYS: [&str; 11] = [
    "{t}str",
    "{t}int",
    "{t}list",
    "{t}hash",
    "{t}iset",
    "{t}sset",
    "{t}zset",
    "{t}biglist",
    "{t}bighash",
    "{t}bigzset",
    "{t}ttl",
];

/// A type-independent read of a key's contents (sorted where unordered).
fn read(c: &mut Conn, key: &str) -> String {
    let ty = c.call_raw(&["TYPE", key]);
    let body = match ty.trim() {
        "+string" => c.call_raw(&["GET", key]),
        "+list" => c.call_raw(&["LRANGE", key, "0", "-1"]),
        "+hash" => sorted(c.call_raw(&["HGETALL", key])),
        "+set" => sorted(c.call_raw(&["SMEMBERS", key])),
        "+zset" => c.call_raw(&["ZRANGE", key, "0", "-1", "WITHSCORES"]),
        other => other.to_string(),
    };
    format!("{ty}{body}")
}

fn sorted(reply: String) -> String {
    let mut lines: Vec<&str> = reply.split("\r\n").collect();
    lines.sort_unstable();
    lines.join("|")
}

fn snapshot(c: &mut Conn) -> Vec<String> {
    KEYS.iter().map(|k| read(c, k)).collect()
}

fn bulk(f: Frame) -> Vec<u8> {
    match f {
        Frame::Bulk(b) => b.to_vec(),
        other => panic!("not a bulk: {other:?}"),
    }
}

fn migrate(from: &mut Conn, to: &ServerProcess, extra: &[&str]) -> String {
    let port = to.port.to_string();
    let mut args = vec!["MIGRATE", "127.0.0.1", &port, "", "0", "5000"];
    args.extend_from_slice(extra);
    from.call_raw(&args)
}

fn keys_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = extra.to_vec();
    v.push("KEYS");
    v.extend(KEYS);
    v
}

#[test]
fn dump_payloads_cross_both_ways() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    fill(&mut s);
    fill(&mut r);
    let want = snapshot(&mut r);
    assert_eq!(snapshot(&mut s), want);
    for key in KEYS {
        // Shoal's payload into Redis, Redis's into Shoal.
        let ours = bulk(s.call(&format!("DUMP {key}")));
        let theirs = bulk(r.call(&format!("DUMP {key}")));
        let copy = format!("{key}:copy");
        r.send(&[b"RESTORE", copy.as_bytes(), b"0", &ours]);
        assert_eq!(r.read_raw(), b"+OK\r\n", "redis restoring shoal's {key}");
        s.send(&[b"RESTORE", copy.as_bytes(), b"0", &theirs]);
        assert_eq!(s.read_raw(), b"+OK\r\n", "shoal restoring redis's {key}");
        let want = read(&mut r, key);
        assert_eq!(read(&mut r, &copy), want, "{key} in redis");
        assert_eq!(read(&mut s, &copy), want, "{key} in shoal");
        let enc = r.call_raw(&["OBJECT", "ENCODING", &copy]);
        assert_eq!(
            s.call_raw(&["OBJECT", "ENCODING", &copy]),
            enc,
            "{key} encoding"
        );
    }
}

#[test]
fn migrate_moves_every_type_to_redis_and_back() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    fill(&mut s);
    let want = snapshot(&mut s);
    assert_eq!(migrate(&mut s, &redis, &keys_args(&[])), "+OK\r\n");
    assert_eq!(s.call_raw(&["DBSIZE"]), ":0\r\n");
    assert_eq!(snapshot(&mut r), want);
    let ttl: i64 = r.call_raw(&["PTTL", "{t}ttl"])[1..].trim().parse().unwrap();
    assert!(ttl > 90_000 && ttl <= 100_000, "{ttl}");
    // And back, one key at a time with the single-key form.
    let port = shoal.port.to_string();
    for key in KEYS {
        assert_eq!(
            r.call_raw(&["MIGRATE", "127.0.0.1", &port, key, "0", "5000"]),
            "+OK\r\n",
            "{key}"
        );
    }
    assert_eq!(snapshot(&mut s), want);
    assert_eq!(r.call_raw(&["DBSIZE"]), ":0\r\n");
}

#[test]
fn copy_keeps_and_replace_overwrites() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    fill(&mut s);
    r.call("SET {t}str other");
    let reply = migrate(&mut s, &redis, &keys_args(&["COPY"]));
    assert_eq!(
        reply,
        "-ERR Target instance replied with error: BUSYKEY Target key name already exists.\r\n"
    );
    // The other keys did go, and COPY kept them here.
    assert_eq!(r.call_raw(&["GET", "{t}int"]), "$5\r\n12345\r\n");
    assert_eq!(s.call_raw(&["EXISTS", "{t}int"]), ":1\r\n");
    assert_eq!(
        migrate(&mut s, &redis, &keys_args(&["COPY", "REPLACE"])),
        "+OK\r\n"
    );
    assert_eq!(r.call_raw(&["GET", "{t}str"]), "$5\r\nhello\r\n");
    assert_eq!(s.call_raw(&["DBSIZE"]), format!(":{}\r\n", KEYS.len()));
}

#[test]
fn auth_and_auth2_reach_a_protected_target() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&["--requirepass", "sekret"]);
    let mut s = shoal.connect();
    s.call("SET a 1");
    s.call("SET b 2");
    let port = redis.port.to_string();
    let no_auth = s.call_raw(&["MIGRATE", "127.0.0.1", &port, "a", "0", "5000"]);
    assert!(
        no_auth.starts_with("-ERR Target instance replied with error: NOAUTH"),
        "{no_auth}"
    );
    let wrong = s.call_raw(&[
        "MIGRATE",
        "127.0.0.1",
        &port,
        "a",
        "0",
        "5000",
        "AUTH",
        "bad",
    ]);
    assert!(
        wrong.starts_with("-ERR Target instance replied with error: WRONGPASS"),
        "{wrong}"
    );
    assert_eq!(s.call_raw(&["EXISTS", "a"]), ":1\r\n");
    let ok = s.call_raw(&[
        "MIGRATE",
        "127.0.0.1",
        &port,
        "a",
        "0",
        "5000",
        "AUTH",
        "sekret",
    ]);
    assert_eq!(ok, "+OK\r\n");
    let ok2 = s.call_raw(&[
        "MIGRATE",
        "127.0.0.1",
        &port,
        "b",
        "0",
        "5000",
        "AUTH2",
        "default",
        "sekret",
    ]);
    assert_eq!(ok2, "+OK\r\n");
    let mut r = redis.connect();
    r.call("AUTH sekret");
    assert_eq!(
        r.call_raw(&["MGET", "a", "b"]),
        "*2\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
}

#[test]
fn errors_match_redis() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let mut s = shoal.connect();
    let mut r = redis.connect();
    let port = redis.port.to_string();
    // A port nobody listens on: the free port of a process we stop.
    let dead_port = {
        let gone = start_redis(&[]);
        gone.port.to_string()
    };
    for c in [&mut s, &mut r] {
        c.call("SET k v");
    }
    let cases: Vec<Vec<&str>> = vec![
        vec!["MIGRATE", "127.0.0.1", &port, "nokey", "0", "1000"],
        vec!["MIGRATE", "127.0.0.1", &port, "k", "0", "1000", "KEYS", "k"],
        vec!["MIGRATE", "127.0.0.1", &port, "k", "0", "1000", "BOGUS"],
        vec!["MIGRATE", "127.0.0.1", &port, "k", "0", "1000", "AUTH"],
        vec!["MIGRATE", "127.0.0.1", &port, "k", "x", "1000"],
        vec!["MIGRATE", "127.0.0.1", &port, "k", "0", "x"],
        vec![
            "MIGRATE",
            "127.0.0.1",
            &port,
            "",
            "0",
            "1000",
            "KEYS",
            "nokey",
        ],
    ];
    for args in &cases {
        assert_eq!(s.call_raw(args), r.call_raw(args), "{args:?}");
    }
    let dead = ["MIGRATE", "127.0.0.1", dead_port.as_str(), "k", "0", "500"];
    let ours = s.call_raw(&dead);
    assert!(ours.starts_with("-IOERR error or timeout "), "{ours}");
    assert_eq!(s.call_raw(&["EXISTS", "k"]), ":1\r\n");
}
