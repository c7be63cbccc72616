//! Differential tests: the same commands against shoal-server and a real
//! redis-server 7.0, reply bytes compared exactly.

mod common;

use common::{start_redis, start_shoal, Conn, ServerProcess};

/// Runs each command on both servers and asserts identical replies.
fn parity(script: &[&str]) {
    let shoal = start_shoal(&["--enable-debug-command", "yes"]);
    let redis = start_redis(&["--enable-debug-command", "yes"]);
    let (mut a, mut b) = (shoal.connect(), redis.connect());
    for line in script {
        let args = split_args(line);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut got = a.call_raw(&refs);
        let mut want = b.call_raw(&refs);
        if line.starts_with("CONFIG GET") {
            // Redis lists matches in its hash-table order: compare as maps.
            got = sorted_pairs(&got);
            want = sorted_pairs(&want);
        }
        if line.starts_with("HELLO") {
            // Client ids differ between servers; everything else must not.
            got = mask_hello_id(&got);
            want = mask_hello_id(&want);
        }
        assert_eq!(
            got, want,
            "reply to {line:?} differs (left: shoal, right: redis)"
        );
    }
}

/// A flat name/value array reply, with its pairs sorted by name.
fn sorted_pairs(reply: &str) -> String {
    use shoal_resp::frame::{decode, Frame};
    match decode(reply.as_bytes()) {
        Ok(Some((Frame::Array(items), _))) => {
            let mut pairs: Vec<String> = items.chunks(2).map(|p| format!("{:?}", p)).collect();
            pairs.sort();
            pairs.join("\n")
        }
        _ => reply.to_string(),
    }
}

/// Replaces the value after the `id` field of a HELLO reply.
fn mask_hello_id(reply: &str) -> String {
    match reply.find("$2\r\nid\r\n:") {
        Some(at) => {
            let start = at + "$2\r\nid\r\n:".len();
            let end = start + reply[start..].find("\r\n").unwrap_or(0);
            format!("{}N{}", &reply[..start], &reply[end..])
        }
        None => reply.to_string(),
    }
}

/// Splits on spaces; `''` stands for an empty argument.
fn split_args(line: &str) -> Vec<String> {
    line.split(' ')
        .map(|s| {
            if s == "''" {
                String::new()
            } else {
                s.to_string()
            }
        })
        .collect()
}

#[test]
fn string_commands_match_redis() {
    parity(&[
        "SET k v",
        "GET k",
        "GET missing",
        "SET k v NX",
        "SET k v2 XX GET",
        "SET k v3 GET NX",
        "SET k v EX 0",
        "SET k v EX abc",
        "SET k v PX 100 EX 100",
        "SET k v KEEPTTL EX 10",
        "SET k v FOO",
        "SETNX k x",
        "SETNX k2 x",
        "SETEX k3 -1 v",
        "PSETEX k3 0 v",
        "MSET a 1 b 2 c 3",
        "MSET a",
        "MGET a b c d",
        "MSETNX a 1 z 1",
        "MSETNX y 1 z 1",
        "GETSET a 10",
        "GETDEL a",
        "GETDEL a",
        "GETEX b PX 100000",
        "GETEX b PERSIST",
        "GETEX b EX 1 PX 1",
        "APPEND s hello",
        "APPEND s world",
        "STRLEN s",
        "STRLEN nokey",
        "INCR n",
        "INCRBY n 10",
        "DECR n",
        "DECRBY n 5",
        "DECRBY n -9223372036854775808",
        "INCRBY n 9223372036854775807",
        "INCR s",
        "INCRBY n 1.5",
        "SET big 9223372036854775807",
        "INCR big",
        "INCRBYFLOAT f 0.1",
        "INCRBYFLOAT f 10.5",
        "INCRBYFLOAT f -10.6",
        "INCRBYFLOAT g 0.1",
        "INCRBYFLOAT g 0.2",
        "SET bigf 1e308",
        "INCRBYFLOAT bigf 1e308",
        "INCRBYFLOAT g 5.0e3",
        "INCRBYFLOAT f abc",
        "INCRBYFLOAT s 1",
        "GETRANGE s 0 4",
        "GETRANGE s -5 -1",
        "GETRANGE s 5 1",
        "GETRANGE s -1 -5",
        "GETRANGE s 0 1000",
        "GETRANGE nokey 0 1",
        "SUBSTR s 1 3",
        "SETRANGE s 5 _",
        "SETRANGE s -1 x",
        "SETRANGE new 3 abc",
        "GET new",
        "SETRANGE empty 0 ''",
        "EXISTS empty",
        "MSET key1 ohmytext key2 mynewtext",
        "LCS key1 key2",
        "LCS key1 key2 LEN",
        "LCS key1 key2 IDX",
        "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
        "LCS key1 key2 LEN IDX",
        "OBJECT ENCODING n",
        "OBJECT ENCODING s",
        "OBJECT ENCODING key1",
        "SET long aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "OBJECT ENCODING long",
        "OBJECT ENCODING nokey",
        "OBJECT REFCOUNT n",
        "OBJECT FREQ n",
        "OBJECT FOO n",
        "OBJECT ENCODING",
    ]);
}

#[test]
fn key_commands_match_redis() {
    parity(&[
        "MSET a 1 b 2 c 3",
        "EXISTS a b nokey a",
        "DEL a nokey",
        "UNLINK b",
        "TOUCH c nokey",
        "TYPE c",
        "TYPE nokey",
        "TTL c",
        "PTTL nokey",
        "EXPIRE c 100 XX",
        "EXPIRE c 100 NX",
        "EXPIRE c 50 GT",
        "EXPIRE c 500 GT",
        "EXPIRE c 10 LT",
        "TTL c",
        "EXPIRE c 10 NX XX",
        "EXPIRE c 10 GT LT",
        "EXPIRE c 10 BOGUS",
        "EXPIRE c abc",
        "EXPIRE c 99999999999999999",
        "PEXPIRE c 9223372036854775807",
        "EXPIREAT c 4102444800",
        "EXPIRETIME c",
        "PEXPIRETIME c",
        "EXPIRETIME nokey",
        "PERSIST c",
        "PERSIST c",
        "EXPIRETIME c",
        "EXPIRE c -1",
        "EXISTS c",
        "RENAME nokey x",
        "SET r 1",
        "RENAME r r",
        "RENAMENX r r",
        "RENAME r r2",
        "SET r3 x",
        "RENAMENX r2 r3",
        "COPY r2 r2",
        "COPY r2 r4",
        "COPY r2 r4",
        "COPY r2 r4 REPLACE",
        "COPY r2 r5 DB 1",
        "COPY r2 r5 DB 16",
        "COPY r2 r5 DB x",
        "COPY r2 r5 FOO",
        "MOVE r2 0",
        "MOVE r2 16",
        "MOVE r2 1",
        "MOVE r2 1",
        "DBSIZE",
        "SELECT 1",
        "DBSIZE",
        "SELECT 16",
        "SELECT x",
        "SWAPDB 0 1",
        "SWAPDB a 1",
        "SWAPDB 0 b",
        "SWAPDB 0 99",
        "DBSIZE",
        "FLUSHDB",
        "FLUSHDB FOO",
        "FLUSHALL",
        "DBSIZE",
        "SCAN 0 COUNT 0",
        "SCAN abc",
        "SCAN 0 MATCH",
        "KEYS *",
        "RANDOMKEY",
    ]);
}

#[test]
fn connection_and_errors_match_redis() {
    parity(&[
        "PING",
        "PING hello",
        "PING a b",
        "ECHO hi",
        "ECHO",
        "GET",
        "NOSUCHCOMMAND a b",
        "CLIENT FOO",
        "CLIENT SETNAME my-name",
        "CLIENT GETNAME",
        "CLIENT SETNAME 'bad name'",
        "CLIENT REPLY BOGUS",
        "CLIENT NO-EVICT maybe",
        "CLIENT KILL 1.2.3.4:5",
        "CLIENT UNBLOCK 999999",
        "CLIENT PAUSE abc",
        "CONFIG FOO",
        "AUTH pass",
        "AUTH a b c",
        "HELLO 4",
        "HELLO x",
        "MULTI",
        "MULTI",
        "SET a 1",
        "GET",
        "EXEC",
        "EXEC",
        "DISCARD",
        "MULTI",
        "SET a 1",
        "INCR a",
        "GET a",
        "EXEC",
        "WATCH a",
        "MULTI",
        "WATCH b",
        "DISCARD",
        "UNWATCH",
        "DEBUG FOO",
        "DEBUG SLEEP 0",
        "WAIT 0 0",
        "TIME a",
        "LASTSAVE a",
        "DBSIZE a",
        "COMMAND GETKEYS SET a b",
        "COMMAND GETKEYS MSET a 1 b 2",
        "COMMAND GETKEYS GET",
        "COMMAND GETKEYS PING",
        "COMMAND GETKEYS NOSUCH a",
        "COMMAND INFO get incr mget",
        "COMMAND INFO nosuch",
        "PUBSUB NUMSUB a b",
        "PUBSUB NUMPAT",
        "PUBSUB CHANNELS",
        "PUBLISH ch msg",
        "UNSUBSCRIBE",
        "PUNSUBSCRIBE",
        "SLOWLOG LEN",
        "SLOWLOG GET -5",
        "LATENCY LATEST",
        "QUIT",
    ]);
}

#[test]
fn config_commands_match_redis() {
    parity(&[
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 10mb",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory abc",
        "CONFIG SET nosuch 1",
        "CONFIG SET maxmemory-policy allkeys-lru maxmemory-samples 7",
        "CONFIG GET maxmemory-*",
        "CONFIG SET maxmemory-policy bogus",
        "CONFIG SET maxmemory 1 maxmemory 2",
        "CONFIG SET hz",
        "CONFIG GET save appendonly",
        "CONFIG GET slaveof replicaof",
        "CONFIG GET hash-max-ziplist-entries",
        "CONFIG SET daemonize yes",
        "CONFIG GET nosuch*",
        "CONFIG RESETSTAT",
        "CONFIG SET maxmemory 0",
    ]);
}

#[test]
fn resp3_replies_match_redis() {
    parity(&[
        "HELLO 3 SETNAME x",
        "SET k 1.5",
        "GET missing",
        "INCRBYFLOAT k 1",
        "CONFIG GET maxmemory",
        "COMMAND INFO get",
        "MSET key1 ohmytext key2 mynewtext",
        "LCS key1 key2 IDX",
        "SUBSCRIBE a",
        "PING",
        "UNSUBSCRIBE a",
        "UNSUBSCRIBE",
        "PUBSUB NUMSUB a b",
        "PUBSUB SHARDNUMSUB a",
        "PUBSUB CHANNELS",
        "SLOWLOG GET 0",
        "OBJECT ENCODING k",
        "COMMAND GETKEYSANDFLAGS SET a b",
        "CLIENT GETNAME",
        "HELLO 2",
        "GET missing",
    ]);
}

#[test]
fn pubsub_context_and_messages_match_redis() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let run = |port_of: &common::ServerProcess| -> Vec<String> {
        let mut sub = port_of.connect();
        let mut publ = port_of.connect();
        let mut out = vec![
            sub.call_raw(&["SUBSCRIBE", "news", "sport"]),
            sub.call_raw(&["PSUBSCRIBE", "n*"]),
            sub.call_raw(&["GET", "x"]),
            sub.call_raw(&["PING"]),
        ];
        out.push(sub.call_raw(&["PING", "hi"]));
        out.push(publ.call_raw(&["PUBLISH", "news", "hello"]));
        // message to the channel, then to the pattern
        out.push(String::from_utf8_lossy(&sub.read_raw()).into_owned());
        out.push(String::from_utf8_lossy(&sub.read_raw()).into_owned());
        out.push(publ.call_raw(&["PUBSUB", "NUMSUB", "news", "sport", "none"]));
        out.push(publ.call_raw(&["PUBSUB", "NUMPAT"]));
        out.push(publ.call_raw(&["PUBSUB", "CHANNELS"]));
        out.push(sub.call_raw(&["UNSUBSCRIBE", "news"]));
        out.push(sub.call_raw(&["PUNSUBSCRIBE"]));
        out.push(sub.call_raw(&["RESET"]));
        out.push(sub.call_raw(&["GET", "x"]));
        out
    };
    let got = run(&shoal);
    let want = run(&redis);
    // PUBSUB CHANNELS order is unspecified in Redis: compare as sets.
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        if i == 10 {
            let mut gl: Vec<&str> = g.split("\r\n").collect();
            let mut wl: Vec<&str> = w.split("\r\n").collect();
            gl.sort();
            wl.sort();
            assert_eq!(gl, wl, "PUBSUB CHANNELS");
        } else {
            assert_eq!(g, w, "step {i}");
        }
    }
}

#[test]
fn protocol_errors_match_redis_and_close_the_connection() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let cases: &[&[u8]] = &[
        b"*abc\r\n",
        b"*2\r\n$3\r\nGET\r\n+x\r\n",
        b"*1\r\n$-5\r\n",
        b"*1\r\n$abc\r\n",
        b"\"unbalanced\r\n",
        b"*3000000000\r\n",
    ];
    for case in cases {
        let mut outputs = Vec::new();
        for server in [&shoal, &redis] {
            let mut c: Conn = server.connect();
            c.send_raw(case);
            let reply = String::from_utf8_lossy(&c.read_raw()).into_owned();
            let closed = c.is_closed();
            outputs.push((reply, closed));
        }
        assert_eq!(
            outputs[0],
            outputs[1],
            "input {:?}",
            String::from_utf8_lossy(case)
        );
        // The node keeps serving others.
        assert_eq!(shoal.connect().call_raw(&["PING"]), "+PONG\r\n");
    }
}

#[test]
fn inline_commands_and_pipelining_match_redis() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let input = b"SET a \"hello world\"\r\nGET a\nINCR n\r\n*2\r\n$3\r\nGET\r\n$1\r\nn\r\nECHO 'it\\'s'\r\nECHO \"\\x41\\n\"\r\n\r\nPING\r\n";
    let mut outs = Vec::new();
    for server in [&shoal, &redis] {
        let mut c = server.connect();
        c.send_raw(input);
        let mut replies = Vec::new();
        for _ in 0..7 {
            replies.push(String::from_utf8_lossy(&c.read_raw()).into_owned());
        }
        outs.push(replies);
    }
    assert_eq!(outs[0], outs[1]);
}

/// keyspace_hits/misses count read lookups only, as Redis counts them:
/// write commands that read the key (LPOP, HDEL, SMOVE, ZREMRANGEBYSCORE,
/// SETRANGE...) count nothing, reads inside writes (SET ... GET, COPY's
/// source, SINTERSTORE's sources) and OBJECT count. Compared command by
/// command, so a failure names the command.
#[test]
fn keyspace_hit_and_miss_counters_match_redis() {
    let script = "
        SET s 1
        GET s
        GET nokey
        INCR s
        INCR new
        DECR new2
        INCRBYFLOAT f 1.5
        APPEND s x
        MGET s nokey new
        EXISTS s
        STRLEN s
        TYPE s
        TTL s
        SET str hello
        GETDEL str
        SET str hello
        GETEX str
        GETSET str x
        SET str y GET
        SET str z NX
        SET str z XX
        SETRANGE str 0 a
        GETRANGE str 0 1
        SETNX str q
        COPY str str2
        OBJECT ENCODING str
        OBJECT FREQ nokey
        SETBIT bits 7 1
        SETBIT bits 9 1
        GETBIT bits 7
        GETBIT nobits 7
        BITCOUNT bits
        BITCOUNT nobits 0 -1
        BITPOS bits 1
        BITOP OR bits2 bits nobits
        BITFIELD bits GET u8 0
        BITFIELD bits INCRBY u8 0 1
        BITFIELD_RO nobits GET u8 0
        SORT l ALPHA
        SORT l BY nosort GET nokey_* GET #
        SORT l ALPHA BY w_* STORE sorted
        PFADD hll a b c
        PFCOUNT hll
        PFCOUNT hll nohll
        PFMERGE hll2 hll nohll
        RPUSH l a b c d e f g
        LPOP l
        RPOP l
        LPOP nol
        LREM l 1 a
        LSET l 0 z
        LTRIM l 0 10
        LINSERT l BEFORE z y
        LPUSHX l q
        LPUSHX nol q
        LMOVE l l2 LEFT RIGHT
        RPOPLPUSH l l2
        RPOPLPUSH nol l2
        LMPOP 2 nol l LEFT
        BLPOP nol l 0.01
        LPOS l z
        LINDEX l 0
        LRANGE l 0 -1
        LLEN l
        HSET h a 1 b 2
        HDEL h a
        HDEL noh a
        HINCRBY h b 1
        HINCRBYFLOAT h b 1.5
        HSETNX h c 3
        HGET h b
        HGET noh b
        HGETALL h
        HLEN h
        SADD s1 a b c d
        SADD s2 c d e
        SREM s1 a
        SREM nos a
        SPOP nos
        SMOVE s1 s3 b
        SMOVE nos s3 b
        SINTERSTORE d s1 s2
        SUNIONSTORE d s1 s2 nos
        SDIFFSTORE d s1 s2
        SINTER s1 s2
        SINTERCARD 2 s1 s2
        SISMEMBER s1 c
        SMEMBERS s1
        ZADD z 1 a 2 b 3 c 4 d 5 e 6 f 7 g
        ZREM z a
        ZINCRBY z 1 b
        ZPOPMIN z
        ZPOPMAX z
        BZPOPMIN noz z 0.01
        ZMPOP 2 noz z MIN
        ZUNIONSTORE zd 2 z s1
        ZINTERSTORE zd 2 z s1
        ZRANGESTORE zd z 0 -1
        ZREMRANGEBYRANK z 0 0
        ZREMRANGEBYSCORE noz 0 1
        ZREMRANGEBYLEX z - +
        ZSCORE z m
        ZRANGE z 0 -1
        ZCARD z
        DEL s
    ";
    let mut per_server = Vec::new();
    for server in [start_shoal(&[]), start_redis(&[])] {
        let mut c = server.connect();
        let counters = |c: &mut Conn| {
            let info = c.call_raw(&["INFO", "stats"]);
            let pick = |f: &str| -> i64 {
                info.lines()
                    .find_map(|l| l.strip_prefix(&format!("{f}:")))
                    .and_then(|v| v.trim().parse().ok())
                    .expect("INFO stats field")
            };
            (pick("keyspace_hits"), pick("keyspace_misses"))
        };
        let mut deltas = Vec::new();
        for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let before = counters(&mut c);
            let args: Vec<&str> = line.split_whitespace().collect();
            c.call_raw(&args);
            let after = counters(&mut c);
            deltas.push(format!(
                "{line}: hits +{} misses +{}",
                after.0 - before.0,
                after.1 - before.1
            ));
        }
        per_server.push(deltas);
    }
    for (shoal, redis) in per_server[0].iter().zip(&per_server[1]) {
        assert_eq!(shoal, redis, "(shoal, redis)");
    }
}

/// CLIENT LIST shows the running client's query buffer as Redis does (the
/// command being run is still in it), not the empty buffer left while the
/// commands run.
#[test]
fn client_list_shows_the_running_clients_query_buffer() {
    let mut qbufs = Vec::new();
    for server in [start_shoal(&[]), start_redis(&[])] {
        let mut c = server.connect();
        let line = c.call_raw(&["CLIENT", "INFO"]);
        let qbuf = line
            .split_whitespace()
            .find(|f| f.starts_with("qbuf="))
            .unwrap_or_else(|| panic!("no qbuf in {line}"))
            .to_string();
        qbufs.push(qbuf);
    }
    assert_eq!(qbufs[0], qbufs[1], "(shoal, redis)");
    assert_eq!(qbufs[0], "qbuf=26");
}

/// COMMAND LIST names subcommands too (`client|list`), as Redis 7.0 does,
/// every name it gives is one Redis gives, and its filters agree with
/// Redis's on what both serve; COMMAND DOCS finds subcommands by full name.
#[test]
fn command_list_names_subcommands_like_redis() {
    let list = |c: &mut Conn, args: &[&str]| -> std::collections::BTreeSet<String> {
        let mut full = vec!["COMMAND", "LIST"];
        full.extend_from_slice(args);
        match c.call(&full.join(" ")) {
            shoal_resp::frame::Frame::Array(items) => items
                .into_iter()
                .map(|f| match f {
                    shoal_resp::frame::Frame::Bulk(b) => String::from_utf8(b).unwrap(),
                    other => panic!("{other:?}"),
                })
                .collect(),
            other => panic!("COMMAND LIST replied {other:?}"),
        }
    };
    let (shoal, redis) = (start_shoal(&[]), start_redis(&[]));
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    let ours = list(&mut s, &[]);
    let theirs = list(&mut r, &[]);
    assert!(
        ours.contains("client|list") && ours.contains("config|get"),
        "{ours:?}"
    );
    let unknown: Vec<_> = ours.difference(&theirs).collect();
    assert!(unknown.is_empty(), "names Redis does not have: {unknown:?}");
    for filter in [
        &["FILTERBY", "PATTERN", "config*"][..],
        &["FILTERBY", "ACLCAT", "hyperloglog"],
    ] {
        assert_eq!(list(&mut s, filter), list(&mut r, filter), "{filter:?}");
    }
    // Subcommands by full name have docs too (texts are our own).
    let docs = s.call_raw(&["COMMAND", "DOCS", "config|get"]);
    assert!(docs.starts_with("*2\r\n$10\r\nconfig|get\r\n"), "{docs}");
}

/// INFO's clients, memory and stats sections name the fields Redis 7.0 names, in
/// its order (monitoring tools parse them); Shoal adds two of its own at
/// the end of stats.
#[test]
fn info_sections_name_the_fields_redis_names() {
    let fields = |server: &ServerProcess, section: &str| -> Vec<String> {
        let text = server.connect().call_raw(&["INFO", section]);
        text.lines()
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string()))
            .filter(|k| !k.starts_with('$'))
            .collect()
    };
    let (shoal, redis) = (start_shoal(&[]), start_redis(&[]));
    assert_eq!(fields(&shoal, "clients"), fields(&redis, "clients"));
    assert_eq!(fields(&shoal, "memory"), fields(&redis, "memory"));
    let mut ours = fields(&shoal, "stats");
    let extras = [
        "client_query_buffer_limit_disconnections",
        "client_output_buffer_limit_disconnections",
    ];
    assert_eq!(ours.split_off(ours.len() - extras.len()), extras);
    assert_eq!(ours, fields(&redis, "stats"));
}

/// Administrative commands Shoal answers as a Redis 7.0 server without
/// modules or replicas answers them, byte for byte.
#[test]
fn admin_commands_without_modules_or_replicas_reply_as_redis() {
    let commands: &[&[&str]] = &[
        &["MEMORY", "PURGE"],
        &["MODULE", "LIST"],
        &["MODULE", "LOAD", "/nonexistent/module.so"],
        &["MODULE", "LOADEX", "/nonexistent/module.so", "ARGS", "x"],
        &["MODULE", "UNLOAD", "nosuch"],
        &["FAILOVER"],
        &["FAILOVER", "ABORT"],
        &["FAILOVER", "TIMEOUT", "0"],
        &["FAILOVER", "TIMEOUT", "x"],
        &["FAILOVER", "TO", "127.0.0.1", "x"],
        &[
            "FAILOVER",
            "TO",
            "127.0.0.1",
            "6380",
            "FORCE",
            "TIMEOUT",
            "10",
        ],
        &["FAILOVER", "BOGUS"],
        &["LOLWUT"],
        &["LOLWUT", "VERSION", "x"],
    ];
    for config in [&[][..], &["--enable-module-command", "yes"]] {
        let mut replies = Vec::new();
        for server in [start_shoal(config), start_redis(config)] {
            let mut c = server.connect();
            replies.push(
                commands
                    .iter()
                    .map(|cmd| c.call_raw(cmd))
                    .collect::<Vec<_>>(),
            );
        }
        for (i, cmd) in commands.iter().enumerate() {
            assert_eq!(replies[0][i], replies[1][i], "{config:?} {cmd:?}");
        }
    }
}

/// Latency tracking: INFO latencystats and LATENCY HISTOGRAM report the
/// same commands, call counts and shapes as Redis (the timings differ).
#[test]
fn latency_tracking_reports_the_commands_and_calls_redis_reports() {
    let shape = |server: &ServerProcess| -> (Vec<String>, String) {
        let mut c = server.connect();
        c.call_raw(&[
            "CONFIG",
            "SET",
            "latency-tracking-info-percentiles",
            "50 99.9 100",
        ]);
        c.call_raw(&["CONFIG", "RESETSTAT"]);
        for _ in 0..3 {
            c.call_raw(&["SET", "k", "v"]);
            c.call_raw(&["GET", "k"]);
        }
        c.call_raw(&["CLIENT", "ID"]);
        let info = c.call_raw(&["INFO", "latencystats"]);
        let mut lines: Vec<String> = info
            .lines()
            .filter(|l| l.starts_with("latency_percentiles_usec_"))
            .map(|l| {
                // Keep the names; check each value is a 3-decimal number.
                let (name, values) = l.split_once(':').unwrap();
                let labels: Vec<&str> = values
                    .trim()
                    .split(',')
                    .map(|kv| {
                        let (label, v) = kv.split_once('=').unwrap();
                        let (int, frac) = v.split_once('.').unwrap();
                        assert!(int.parse::<u64>().is_ok() && frac.len() == 3, "{l}");
                        label
                    })
                    .collect();
                format!("{name}:{}", labels.join(","))
            })
            .collect();
        lines.sort();
        let hist = c.call("LATENCY HISTOGRAM set get client|id nosuch");
        let calls = match hist {
            shoal_resp::frame::Frame::Array(items) => items
                .chunks(2)
                .map(|kv| match (&kv[0], &kv[1]) {
                    (shoal_resp::frame::Frame::Bulk(name), shoal_resp::frame::Frame::Array(m)) => {
                        format!("{}={:?}", String::from_utf8_lossy(name), m[1])
                    }
                    other => panic!("{other:?}"),
                })
                .collect::<Vec<_>>()
                .join(" "),
            other => panic!("LATENCY HISTOGRAM replied {other:?}"),
        };
        (lines, calls)
    };
    let (shoal, redis) = (start_shoal(&[]), start_redis(&[]));
    assert_eq!(shape(&shoal), shape(&redis));
}
