//! Differential test of the list and hash commands against redis-server.
//!
//! A seeded generator produces command sequences over a few keys (lists,
//! hashes, a string for WRONGTYPE) with arguments chosen to hit edge cases:
//! negative and out-of-range indexes, zero and negative counts, floats in
//! many spellings, fields long enough to change a hash's encoding. Each
//! command runs through the [`Harness`] and against a real redis-server
//! 7.0, and the two replies must be byte-identical, with two exceptions:
//! the field order of a `hashtable`-encoded hash (HGETALL, HKEYS, HVALS,
//! HSCAN, HRANDFIELD with a count covering the hash) is compared as a set,
//! and HRANDFIELD's random picks are compared by reply length only.
//!
//! Blocking commands run inside MULTI on the server and with blocking
//! disallowed in the harness, so they answer at once on both sides.
//!
//! It needs `redis-server` on PATH (`.ci/run` installs it) and fails without.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use shoal_commands::testing::Harness;
use shoal_commands::Outcome;
use shoal_resp::Protocol;

mod common;
use common::{start_redis, Conn};

/// How two replies are compared.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Compare {
    Exact,
    /// Elements as a set when the hash is a table (pairs when `pairs`).
    HashOrder {
        pairs: bool,
    },
    /// HSCAN: the elements after the cursor, as a set of pairs.
    Scan,
    /// Random picks: only the first line (array length or error) must match.
    HeaderOnly,
}

/// One generated command.
struct Step {
    args: Vec<Vec<u8>>,
    compare: Compare,
    /// Runs inside MULTI on the server, with blocking disallowed here.
    blocking: bool,
}

const LISTS: [&str; 3] = ["l1", "l2", "l3"];
const HASHES: [&str; 2] = ["h1", "h2"];

struct Gen {
    rng: SmallRng,
}

impl Gen {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.rng.random_range(0..items.len())]
    }

    fn list_key(&mut self) -> &'static str {
        // Mostly lists, sometimes a hash, the string or a missing key.
        match self.rng.random_range(0..20) {
            0 => "str",
            1 => "h1",
            2 => "missing",
            _ => self.pick(&LISTS),
        }
    }

    fn hash_key(&mut self) -> &'static str {
        match self.rng.random_range(0..20) {
            0 => "str",
            1 => "l1",
            2 => "missing",
            _ => self.pick(&HASHES),
        }
    }

    fn element(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..30) {
            0 => Vec::new(),
            1 => vec![b'x'; self.rng.random_range(60..80)],
            2 => vec![b'y'; self.rng.random_range(200..3000)],
            3 => b"with space".to_vec(),
            _ => self
                .pick(&["a", "b", "c", "d", "1", "10", "-5", "e"])
                .as_bytes()
                .to_vec(),
        }
    }

    fn field(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..40) {
            0 => vec![b'F'; self.rng.random_range(60..70)],
            1 => Vec::new(),
            _ => format!("f{}", self.rng.random_range(0..12)).into_bytes(),
        }
    }

    fn hash_value(&mut self) -> Vec<u8> {
        match self.rng.random_range(0..12) {
            0 => vec![b'v'; self.rng.random_range(60..70)],
            1 => self.float_text(),
            2..=5 => self.rng.random_range(-100i64..100).to_string().into_bytes(),
            6 => self
                .pick(&[
                    "9223372036854775807",
                    "-9223372036854775808",
                    "0012",
                    "-0",
                    " 1",
                ])
                .as_bytes()
                .to_vec(),
            _ => self
                .pick(&["a", "b", "hello", "", "1.5", "inf"])
                .as_bytes()
                .to_vec(),
        }
    }

    fn index(&mut self) -> String {
        match self.rng.random_range(0..20) {
            0 => "9223372036854775807".into(),
            1 => "-9223372036854775808".into(),
            2 => "x".into(),
            3 => self.rng.random_range(-200i64..200).to_string(),
            _ => self.rng.random_range(-8i64..8).to_string(),
        }
    }

    fn float_text(&mut self) -> Vec<u8> {
        let s = match self.rng.random_range(0..14) {
            0 => format!("{}", self.rng.random_range(-1000i64..1000)),
            1 => format!("{:.3}", self.rng.random_range(-100.0f64..100.0)),
            2 => format!(
                "{}e{}",
                self.rng.random_range(-99i64..99),
                self.rng.random_range(-30i64..30)
            ),
            3 => format!("0.{}", self.rng.random_range(0u64..10u64.pow(18))),
            4 => format!("{:.17}", self.rng.random::<f64>()),
            5 => self
                .pick(&[
                    "inf", "-inf", "nan", "1e", ".5", "5.", "+3", "0x1p-3", "1e5000", "1e-5000",
                ])
                .into(),
            6 => format!(
                "{}.{}",
                self.rng.random_range(0u64..u64::MAX),
                self.rng.random_range(0u64..1000)
            ),
            _ => self
                .pick(&[
                    "0.1", "0.2", "-0.3", "1.1", "10.5", "3", "-1", "2.5e-1", "1e20",
                ])
                .into(),
        };
        s.into_bytes()
    }

    fn count(&mut self) -> String {
        match self.rng.random_range(0..12) {
            0 => "-1".into(),
            1 => "x".into(),
            2 => "0".into(),
            _ => self.rng.random_range(1..6).to_string(),
        }
    }

    fn end(&mut self) -> &'static str {
        self.pick(&["LEFT", "RIGHT", "left", "right", "middle"])
    }

    fn step(&mut self) -> Step {
        let mut blocking = false;
        let mut compare = Compare::Exact;
        let s = |v: &str| v.as_bytes().to_vec();
        let args: Vec<Vec<u8>> = match self.rng.random_range(0..62) {
            0..=5 => {
                let cmd = self.pick(&["LPUSH", "RPUSH", "LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]);
                let mut a = vec![s(cmd), s(self.list_key())];
                for _ in 0..self.rng.random_range(1..5) {
                    a.push(self.element());
                }
                a
            }
            6..=8 => {
                let cmd = self.pick(&["LPOP", "RPOP"]);
                let mut a = vec![s(cmd), s(self.list_key())];
                if self.rng.random_bool(0.5) {
                    a.push(s(&self.count()));
                }
                a
            }
            9 => vec![s("LLEN"), s(self.list_key())],
            10..=12 => vec![
                s("LRANGE"),
                s(self.list_key()),
                s(&self.index()),
                s(&self.index()),
            ],
            13 => vec![s("LINDEX"), s(self.list_key()), s(&self.index())],
            14 => vec![
                s("LSET"),
                s(self.list_key()),
                s(&self.index()),
                self.element(),
            ],
            15 => {
                let side = self.pick(&["BEFORE", "after", "AFTER", "sideways"]);
                vec![
                    s("LINSERT"),
                    s(self.list_key()),
                    s(side),
                    self.element(),
                    self.element(),
                ]
            }
            16 => {
                let n = self.rng.random_range(-3i64..4).to_string();
                vec![s("LREM"), s(self.list_key()), s(&n), self.element()]
            }
            17 => vec![
                s("LTRIM"),
                s(self.list_key()),
                s(&self.index()),
                s(&self.index()),
            ],
            18 | 19 => {
                let mut a = vec![s("LPOS"), s(self.list_key()), self.element()];
                for _ in 0..self.rng.random_range(0..3) {
                    match self.rng.random_range(0..3) {
                        0 => {
                            a.push(s("RANK"));
                            a.push(s(&self.rng.random_range(-3i64..4).to_string()));
                        }
                        1 => {
                            a.push(s("COUNT"));
                            a.push(s(&self.rng.random_range(-1i64..4).to_string()));
                        }
                        _ => {
                            a.push(s("MAXLEN"));
                            a.push(s(&self.rng.random_range(-1i64..6).to_string()));
                        }
                    }
                }
                a
            }
            20 => vec![
                s("LMOVE"),
                s(self.list_key()),
                s(self.list_key()),
                s(self.end()),
                s(self.end()),
            ],
            21 => vec![s("RPOPLPUSH"), s(self.list_key()), s(self.list_key())],
            22 | 23 => {
                let (name, lead) = if self.rng.random_bool(0.5) {
                    blocking = true;
                    ("BLMPOP", Some("0.01"))
                } else {
                    ("LMPOP", None)
                };
                let mut a = vec![s(name)];
                a.extend(lead.map(s));
                let n = self.rng.random_range(1..4);
                a.push(s(&if self.rng.random_range(0..15) == 0 {
                    "0".to_string()
                } else {
                    n.to_string()
                }));
                for _ in 0..n {
                    a.push(s(self.list_key()));
                }
                a.push(s(self.end()));
                if self.rng.random_bool(0.5) {
                    a.push(s("COUNT"));
                    a.push(s(&self.count()));
                }
                a
            }
            24 => {
                blocking = true;
                let cmd = self.pick(&["BLPOP", "BRPOP"]);
                let mut a = vec![s(cmd)];
                for _ in 0..self.rng.random_range(1..3) {
                    a.push(s(self.list_key()));
                }
                a.push(s(self.pick(&["0", "0.01", "-1", "x", "1e300"])));
                a
            }
            25 => {
                blocking = true;
                if self.rng.random_bool(0.5) {
                    vec![
                        s("BRPOPLPUSH"),
                        s(self.list_key()),
                        s(self.list_key()),
                        s("0"),
                    ]
                } else {
                    vec![
                        s("BLMOVE"),
                        s(self.list_key()),
                        s(self.list_key()),
                        s(self.end()),
                        s(self.end()),
                        s("0"),
                    ]
                }
            }
            26..=31 => {
                let cmd = self.pick(&["HSET", "HSET", "HMSET"]);
                let mut a = vec![s(cmd), s(self.hash_key())];
                for _ in 0..self.rng.random_range(1..4) {
                    a.push(self.field());
                    a.push(self.hash_value());
                }
                a
            }
            32 => vec![
                s("HSETNX"),
                s(self.hash_key()),
                self.field(),
                self.hash_value(),
            ],
            33 | 34 => vec![s("HGET"), s(self.hash_key()), self.field()],
            35 => {
                let mut a = vec![s("HMGET"), s(self.hash_key())];
                for _ in 0..self.rng.random_range(1..4) {
                    a.push(self.field());
                }
                a
            }
            36 | 37 => {
                let mut a = vec![s("HDEL"), s(self.hash_key())];
                for _ in 0..self.rng.random_range(1..4) {
                    a.push(self.field());
                }
                a
            }
            38 => vec![s("HLEN"), s(self.hash_key())],
            39 => vec![s("HSTRLEN"), s(self.hash_key()), self.field()],
            40 => vec![s("HEXISTS"), s(self.hash_key()), self.field()],
            41 => {
                compare = Compare::HashOrder { pairs: false };
                vec![s(self.pick(&["HKEYS", "HVALS"])), s(self.hash_key())]
            }
            42 | 43 => {
                compare = Compare::HashOrder { pairs: true };
                vec![s("HGETALL"), s(self.hash_key())]
            }
            44 | 45 => {
                let incr = match self.rng.random_range(0..8) {
                    0 => "9223372036854775807".to_string(),
                    1 => "-9223372036854775808".to_string(),
                    2 => "x".to_string(),
                    _ => self.rng.random_range(-50i64..50).to_string(),
                };
                vec![s("HINCRBY"), s(self.hash_key()), self.field(), s(&incr)]
            }
            46..=49 => vec![
                s("HINCRBYFLOAT"),
                s(self.hash_key()),
                self.field(),
                self.float_text(),
            ],
            50 | 51 => {
                let mut a = vec![s("HRANDFIELD"), s(self.hash_key())];
                if self.rng.random_bool(0.8) {
                    let c = match self.rng.random_range(0..6) {
                        0 => "0".to_string(),
                        1 => "x".to_string(),
                        2 => "-9223372036854775808".to_string(),
                        3 => "1000".to_string(),
                        _ => self.rng.random_range(-5i64..6).to_string(),
                    };
                    compare = if c == "1000" {
                        Compare::HashOrder { pairs: false }
                    } else {
                        Compare::HeaderOnly
                    };
                    a.push(s(&c));
                    if self.rng.random_bool(0.5) {
                        a.push(s(self.pick(&["WITHVALUES", "withvalues", "WITHVALUE"])));
                        if c == "1000" {
                            compare = Compare::HashOrder { pairs: true };
                        }
                    }
                } else {
                    compare = Compare::HeaderOnly;
                }
                a
            }
            52 | 53 => {
                compare = Compare::Scan;
                let mut a = vec![
                    s("HSCAN"),
                    s(self.hash_key()),
                    s(self.pick(&["0", "0", "x", "-1"])),
                ];
                if self.rng.random_bool(0.4) {
                    a.push(s("MATCH"));
                    a.push(s(self.pick(&["f1*", "*", "f?", "F*", "[a-f]*"])));
                }
                if self.rng.random_bool(0.3) {
                    a.push(s("COUNT"));
                    a.push(s(self.pick(&["1", "100", "0", "x"])));
                }
                a
            }
            54 => vec![
                s("OBJECT"),
                s("ENCODING"),
                s(self.pick(&["l1", "l2", "h1", "h2"])),
            ],
            55 => vec![s("TYPE"), s(self.pick(&["l1", "h1", "str", "missing"]))],
            56 => vec![
                s("DEL"),
                s(self.pick(&["l1", "l2", "l3", "h1", "h2", "str"])),
            ],
            57 => vec![s("SET"), s("str"), s("value")],
            58 => vec![s("EXISTS"), s(self.pick(&["l1", "l2", "l3", "h1", "h2"]))],
            _ => {
                let key = self.list_key();
                vec![s("LRANGE"), s(key), s("0"), s("-1")]
            }
        };
        Step {
            args,
            compare,
            blocking,
        }
    }
}

/// Splits a RESP2/RESP3 reply into its top-level header line and the
/// elements (each element's bytes, nested ones whole).
fn elements(reply: &[u8]) -> (Vec<u8>, Vec<Vec<u8>>) {
    fn one(buf: &[u8], pos: &mut usize) -> Vec<u8> {
        let start = *pos;
        let nl = buf[*pos..].iter().position(|&b| b == b'\n').expect("line") + *pos + 1;
        let kind = buf[*pos];
        let n: i64 = std::str::from_utf8(&buf[*pos + 1..nl - 2])
            .unwrap_or("0")
            .parse()
            .unwrap_or(0);
        *pos = nl;
        match kind {
            b'$' | b'=' if n >= 0 => *pos += n as usize + 2,
            b'*' | b'~' | b'%' | b'>' => {
                let n = if kind == b'%' { n * 2 } else { n };
                for _ in 0..n.max(0) {
                    one(buf, pos);
                }
            }
            _ => {}
        }
        buf[start..*pos].to_vec()
    }
    let nl = reply.iter().position(|&b| b == b'\n').expect("header") + 1;
    let header = reply[..nl].to_vec();
    let mut items = Vec::new();
    if matches!(reply[0], b'*' | b'~' | b'%' | b'>') {
        let mut pos = nl;
        while pos < reply.len() {
            items.push(one(reply, &mut pos));
        }
    }
    (header, items)
}

/// The elements, sorted, grouped in pairs when `pairs` (unless they are
/// pairs already, as RESP3 nests them).
fn as_sorted_set(items: Vec<Vec<u8>>, pairs: bool) -> Vec<Vec<u8>> {
    let nested = items.first().is_some_and(|i| i[0] == b'*');
    let mut groups: Vec<Vec<u8>> = if pairs && !nested {
        items.chunks(2).map(|c| c.concat()).collect()
    } else {
        items
    };
    groups.sort();
    groups
}

/// Every field/value pair of an HSCAN of `key` to the end, sorted.
fn full_scan(
    mut run: impl FnMut(&[Vec<u8>]) -> Vec<u8>,
    key: &[u8],
    extra: &[Vec<u8>],
) -> Vec<Vec<u8>> {
    let mut cursor = b"0".to_vec();
    let mut all = Vec::new();
    for _ in 0..10_000 {
        let mut args = vec![b"HSCAN".to_vec(), key.to_vec(), cursor.clone()];
        args.extend_from_slice(extra);
        let reply = run(&args);
        if reply[0] != b'*' {
            return vec![reply];
        }
        let (_, parts) = elements(&reply);
        // parts[0] is the cursor as a bulk string: "$<len>\r\n<cursor>\r\n".
        let text = &parts[0];
        let start = text.iter().position(|&b| b == b'\n').expect("bulk header") + 1;
        cursor = text[start..text.len() - 2].to_vec();
        let (_, items) = elements(&parts[1]);
        all.extend(items.chunks(2).map(|c| c.concat()));
        if cursor == b"0" {
            all.sort();
            all.dedup();
            return all;
        }
    }
    panic!("HSCAN did not finish");
}

/// What a random reply must share with Redis's: a bulk string's kind (not
/// its length, which depends on the pick), else the header line.
fn shape(reply: &[u8]) -> Vec<u8> {
    let (header, _) = elements(reply);
    if reply[0] == b'$' && header != b"$-1\r\n" {
        b"$".to_vec()
    } else {
        header
    }
}

fn show(args: &[Vec<u8>]) -> String {
    args.iter()
        .map(|a| String::from_utf8_lossy(&a[..a.len().min(40)]).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `steps` commands from `seed` under one configuration.
fn run_sequence(port: u16, seed: u64, protocol: Protocol, settings: &[(&str, i64)], steps: usize) {
    let mut client = Conn::open(port);
    client.call_str("FLUSHALL");
    if protocol == Protocol::Resp3 {
        client.call_str("HELLO 3");
    }
    let mut harness = Harness::new();
    harness.protocol = protocol;
    // Defaults first: the server keeps settings from earlier sequences.
    let defaults = [
        ("list-max-listpack-size", -2),
        ("hash-max-listpack-entries", 128),
        ("hash-max-listpack-value", 64),
    ];
    for &(name, value) in defaults.iter().chain(settings) {
        let reply = client.call_str(&format!("CONFIG SET {name} {value}"));
        assert_eq!(reply, b"+OK\r\n", "CONFIG SET {name}");
        match name {
            "list-max-listpack-size" => harness.settings.list_max_listpack_size = value,
            "hash-max-listpack-entries" => {
                harness.settings.hash_max_listpack_entries = value as usize
            }
            "hash-max-listpack-value" => harness.settings.hash_max_listpack_value = value as usize,
            _ => unreachable!("setting {name}"),
        }
    }
    let mut gen = Gen {
        rng: SmallRng::seed_from_u64(seed),
    };
    let trace = std::env::var_os("SHOAL_DIFF_TRACE").is_some();
    for n in 0..steps {
        let step = gen.step();
        let label = format!(
            "seed {seed} step {n} {protocol:?} {settings:?}: {}",
            show(&step.args)
        );
        if trace {
            eprintln!("{label}");
        }
        // Whether a hash is a table decides how its order is compared.
        let key_is_table = step.args.len() > 1
            && step.compare != Compare::Exact
            && client.call(&[
                b"OBJECT".to_vec(),
                b"ENCODING".to_vec(),
                step.args[1].clone(),
            ]) == b"$9\r\nhashtable\r\n";
        if step.compare == Compare::Scan && key_is_table && step.args[2] != b"0" {
            // Cursors are opaque and differ between implementations: from a
            // nonzero cursor only the validation can be compared.
            let refs: Vec<&[u8]> = step.args.iter().map(Vec::as_slice).collect();
            let ours = harness.run_args(&refs).0.into_bytes();
            let theirs = client.call(&step.args);
            let errors = |r: &[u8]| if r[0] == b'-' { Some(r.to_vec()) } else { None };
            assert_eq!(errors(&ours), errors(&theirs), "{label}");
            continue;
        }
        if step.compare == Compare::Scan && key_is_table {
            let extra = &step.args[3..];
            let theirs = full_scan(|a| client.call(a), &step.args[1], extra);
            let ours = full_scan(
                |a| {
                    let refs: Vec<&[u8]> = a.iter().map(Vec::as_slice).collect();
                    harness.run_args(&refs).0.into_bytes()
                },
                &step.args[1],
                extra,
            );
            assert_eq!(ours, theirs, "{label}");
            continue;
        }
        let theirs = if step.blocking {
            client.call_str("MULTI");
            client.send(&step.args);
            let queued = client.read_reply();
            let exec = client.call_str("EXEC");
            if queued[0] == b'-' {
                queued
            } else {
                let (_, mut items) = elements(&exec);
                items.pop().expect("one reply in EXEC")
            }
        } else {
            client.call(&step.args)
        };
        harness.may_block = !step.blocking;
        let refs: Vec<&[u8]> = step.args.iter().map(Vec::as_slice).collect();
        let (ours, outcome) = harness.run_args(&refs);
        assert_eq!(outcome, Outcome::Done, "{label}");
        let ours = ours.into_bytes();
        let same = match step.compare {
            _ if theirs.first() == Some(&b'-') || ours.first() == Some(&b'-') => ours == theirs,
            Compare::Exact | Compare::Scan => ours == theirs,
            Compare::HashOrder { .. } if !key_is_table => ours == theirs,
            Compare::HashOrder { pairs } => {
                let (h1, a) = elements(&ours);
                let (h2, b) = elements(&theirs);
                h1 == h2 && as_sorted_set(a, pairs) == as_sorted_set(b, pairs)
            }
            Compare::HeaderOnly => shape(&ours) == shape(&theirs),
        };
        assert!(
            same,
            "{label}\n ours:   {:?}\n redis:  {:?}",
            String::from_utf8_lossy(&ours[..ours.len().min(600)]),
            String::from_utf8_lossy(&theirs[..theirs.len().min(600)])
        );
    }
}

#[test]
fn lists_and_hashes_match_redis_server() {
    let server = start_redis();
    let configs: [&[(&str, i64)]; 4] = [
        &[],
        &[
            ("list-max-listpack-size", 1),
            ("hash-max-listpack-entries", 4),
            ("hash-max-listpack-value", 8),
        ],
        &[
            ("list-max-listpack-size", -1),
            ("hash-max-listpack-entries", 0),
        ],
        &[
            ("list-max-listpack-size", 3),
            ("hash-max-listpack-entries", 16),
            ("hash-max-listpack-value", 2),
        ],
    ];
    let seeds: u64 = std::env::var("SHOAL_DIFF_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for seed in 0..seeds {
        for (i, config) in configs.iter().enumerate() {
            let protocol = if (seed + i as u64) % 2 == 0 {
                Protocol::Resp2
            } else {
                Protocol::Resp3
            };
            run_sequence(server.port, seed * 100 + i as u64, protocol, config, 1500);
        }
    }
}
