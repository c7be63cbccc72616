//! Differential test: random sequences of set and sorted set commands run
//! through the command layer (the test [`Harness`]) and through a real
//! redis-server 7.0, reply by reply.
//!
//! Replies are compared byte for byte, except where Redis leaves the order
//! unspecified (members of hashtable sets: both sides are sorted first) and
//! for random commands, whose output is checked for what must hold instead
//! (sizes, membership, scores). SPOP runs here only; its pops are then
//! applied to Redis with SREM, which must find every popped member.
//!
//! Each sequence runs three times: with Redis's default encoding limits,
//! with tiny limits (so sets and sorted sets change encoding all the time),
//! and in RESP3. The seed of a failing sequence is printed. Without
//! `redis-server` on the PATH the test prints a notice and passes.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use shoal_commands::testing::Harness;
use shoal_commands::Outcome;
use shoal_resp::Protocol;
use std::collections::{BTreeSet, HashSet};

mod common;
use common::{start_redis, Conn};

/// A parsed reply, enough to sort members and check random picks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Reply {
    Line(Vec<u8>),
    Bulk(Vec<u8>),
    Agg(u8, Vec<Reply>),
}

fn parse(bytes: &[u8]) -> Reply {
    let mut pos = 0;
    let r = parse_at(bytes, &mut pos);
    assert_eq!(pos, bytes.len(), "one reply");
    r
}

fn parse_at(b: &[u8], pos: &mut usize) -> Reply {
    let end = *pos
        + b[*pos..]
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("CRLF");
    let line = b[*pos..end].to_vec();
    *pos = end + 2;
    let n: i64 = std::str::from_utf8(&line[1..])
        .unwrap_or("0")
        .parse()
        .unwrap_or(-1);
    match line[0] {
        b'$' if n >= 0 => {
            let body = b[*pos..*pos + n as usize].to_vec();
            *pos += n as usize + 2;
            Reply::Bulk(body)
        }
        b'*' | b'~' if n >= 0 => Reply::Agg(line[0], (0..n).map(|_| parse_at(b, pos)).collect()),
        _ => Reply::Line(line),
    }
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).replace("\r\n", "⏎")
}

/// How a command's replies are compared.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Check {
    /// Byte for byte.
    Exact,
    /// The top-level members may come in any order.
    Unordered,
    /// SRANDMEMBER/ZRANDMEMBER: same shape, members really in the set.
    Random,
    /// SPOP: run here only, then replay the pops on Redis.
    Pop,
    /// SSCAN/ZSCAN: iterate to the end on both sides, compare the union.
    Scan,
    /// Blocking pops: Redis gets a tiny timeout; blocking here means a nil
    /// reply there.
    Blocking,
}

const SET_KEYS: &[&str] = &["s1", "s2", "s3"];
const ZSET_KEYS: &[&str] = &["z1", "z2", "z3"];
/// Sorted sets that only ever hold score 0, for the lex commands (lex
/// ranges over mixed scores are unspecified).
const LEX_KEYS: &[&str] = &["lz1", "lz2"];
const MEMBERS: &[&str] = &[
    "a", "b", "c", "d", "m1", "m2", "1", "2", "3", "10", "-5", "007", "zz",
];
const SCORES: &[&str] = &[
    "0", "1", "-1", "2.5", "-2.5", "1e3", "inf", "-inf", "0.1", "3", "7", "-0", "1.5e17",
];
const BAD_SCORES: &[&str] = &["abc", "nan", "1e", ""];
const BOUNDS: &[&str] = &[
    "-inf", "+inf", "0", "(0", "1", "(1", "2.5", "(2.5", "3", "(3", "10", "-1", "(-inf", "abc",
];
const LEX_BOUNDS: &[&str] = &[
    "-", "+", "[a", "(a", "[b", "(c", "[m1", "(zz", "[", "(", "a", "[1",
];

struct Gen {
    rng: SmallRng,
    long_member: String,
}

impl Gen {
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from.choose(&mut self.rng).expect("non-empty")
    }

    fn member(&mut self) -> String {
        if self.rng.random_bool(0.03) {
            self.long_member.clone()
        } else {
            self.pick(MEMBERS).to_string()
        }
    }

    fn members(&mut self, max: usize) -> Vec<String> {
        let n = self.rng.random_range(1..=max);
        (0..n).map(|_| self.member()).collect()
    }

    fn score(&mut self) -> String {
        if self.rng.random_bool(0.03) {
            self.pick(BAD_SCORES).to_string()
        } else {
            self.pick(SCORES).to_string()
        }
    }

    /// A key of the wanted kind, now and then one of another type.
    fn key(&mut self, kind: &[&'static str]) -> String {
        let r: f64 = self.rng.random();
        if r < 0.04 {
            "str".into()
        } else if r < 0.08 {
            self.pick(SET_KEYS).into()
        } else if r < 0.12 {
            self.pick(ZSET_KEYS).into()
        } else if r < 0.14 {
            "missing".into()
        } else {
            self.pick(kind).into()
        }
    }

    fn keys(&mut self, kind: &[&'static str], max: usize) -> Vec<String> {
        let n = self.rng.random_range(1..=max);
        (0..n).map(|_| self.key(kind)).collect()
    }

    fn count(&mut self) -> String {
        let c: i64 = *[-3i64, -1, 0, 1, 2, 3, 5, 50]
            .choose(&mut self.rng)
            .expect("non-empty");
        c.to_string()
    }

    /// One command line and how to check it.
    fn command(&mut self) -> (Vec<String>, Check) {
        let mut v: Vec<String> = Vec::new();
        macro_rules! push {
            ($($e:expr),*) => {{ $( v.push($e.to_string()); )* }};
        }
        let which = self.rng.random_range(0..52);
        let check = match which {
            0..=4 => {
                let k = self.key(SET_KEYS);
                push!("SADD", k);
                v.extend(self.members(5));
                Check::Exact
            }
            5..=6 => {
                let k = self.key(SET_KEYS);
                push!("SREM", k);
                v.extend(self.members(3));
                Check::Exact
            }
            7 => {
                let (c, k, m) = (
                    *["SCARD", "SISMEMBER", "SMISMEMBER"]
                        .choose(&mut self.rng)
                        .unwrap(),
                    self.key(SET_KEYS),
                    self.member(),
                );
                push!(c, k);
                if c != "SCARD" {
                    push!(m);
                }
                if c == "SMISMEMBER" {
                    v.extend(self.members(3));
                }
                Check::Exact
            }
            8 => {
                let k = self.key(SET_KEYS);
                push!("SMEMBERS", k);
                Check::Unordered
            }
            9..=10 => {
                let op = *["SINTER", "SUNION", "SDIFF"].choose(&mut self.rng).unwrap();
                push!(op);
                v.extend(self.keys(SET_KEYS, 3));
                Check::Unordered
            }
            11..=12 => {
                let op = *["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]
                    .choose(&mut self.rng)
                    .unwrap();
                let dst = self.key(SET_KEYS);
                push!(op, dst);
                v.extend(self.keys(SET_KEYS, 3));
                Check::Exact
            }
            13 => {
                let keys = self.keys(SET_KEYS, 3);
                push!("SINTERCARD", keys.len());
                v.extend(keys);
                if self.rng.random_bool(0.5) {
                    push!("LIMIT", self.rng.random_range(-1..4));
                }
                Check::Exact
            }
            14 => {
                let (a, b, m) = (self.key(SET_KEYS), self.key(SET_KEYS), self.member());
                push!("SMOVE", a, b, m);
                Check::Exact
            }
            15 => {
                let k = self.key(SET_KEYS);
                push!("SRANDMEMBER", k);
                if self.rng.random_bool(0.8) {
                    push!(self.count());
                }
                Check::Random
            }
            16 => {
                let k = self.key(SET_KEYS);
                push!("SPOP", k);
                if self.rng.random_bool(0.7) {
                    push!(self.count());
                }
                Check::Pop
            }
            17 => {
                let k = self.key(SET_KEYS);
                push!("SSCAN", k, "0");
                Check::Scan
            }
            18..=23 => {
                let lex = self.rng.random_bool(0.25);
                let k = if lex {
                    self.pick(LEX_KEYS).to_string()
                } else {
                    self.key(ZSET_KEYS)
                };
                push!("ZADD", k);
                if !lex {
                    for opt in ["NX", "XX", "GT", "LT", "CH", "INCR"] {
                        if self.rng.random_bool(0.1) {
                            push!(opt);
                        }
                    }
                }
                let pairs = if v.iter().any(|a| a == "INCR") {
                    1
                } else {
                    self.rng.random_range(1..4)
                };
                for _ in 0..pairs {
                    let s = if lex { "0".to_string() } else { self.score() };
                    push!(s, self.member());
                }
                Check::Exact
            }
            24 => {
                let (k, s, m) = (self.key(ZSET_KEYS), self.score(), self.member());
                push!("ZINCRBY", k, s, m);
                Check::Exact
            }
            25..=26 => {
                let k = if self.rng.random_bool(0.3) {
                    self.pick(LEX_KEYS).to_string()
                } else {
                    self.key(ZSET_KEYS)
                };
                push!("ZREM", k);
                v.extend(self.members(3));
                Check::Exact
            }
            27 => {
                let c = *["ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK"]
                    .choose(&mut self.rng)
                    .unwrap();
                let k = self.key(ZSET_KEYS);
                push!(c, k);
                if c != "ZCARD" {
                    push!(self.member());
                }
                if c == "ZMSCORE" {
                    v.extend(self.members(3));
                }
                Check::Exact
            }
            28 => {
                let (k, a, b) = (self.key(ZSET_KEYS), self.pick(BOUNDS), self.pick(BOUNDS));
                push!("ZCOUNT", k, a, b);
                Check::Exact
            }
            29 => {
                let (k, a, b) = (
                    self.pick(LEX_KEYS),
                    self.pick(LEX_BOUNDS),
                    self.pick(LEX_BOUNDS),
                );
                push!("ZLEXCOUNT", k, a, b);
                Check::Exact
            }
            30..=33 => {
                self.zrange(&mut v);
                Check::Exact
            }
            34 => {
                let c = *["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]
                    .choose(&mut self.rng)
                    .unwrap();
                let (k, a, b) = (self.key(ZSET_KEYS), self.pick(BOUNDS), self.pick(BOUNDS));
                push!(c, k, a, b);
                if self.rng.random_bool(0.4) {
                    push!("WITHSCORES");
                }
                if self.rng.random_bool(0.3) {
                    push!(
                        "LIMIT",
                        self.rng.random_range(-1..4),
                        self.rng.random_range(-1..4)
                    );
                }
                Check::Exact
            }
            35 => {
                let c = *["ZRANGEBYLEX", "ZREVRANGEBYLEX"]
                    .choose(&mut self.rng)
                    .unwrap();
                let (k, a, b) = (
                    self.pick(LEX_KEYS),
                    self.pick(LEX_BOUNDS),
                    self.pick(LEX_BOUNDS),
                );
                push!(c, k, a, b);
                if self.rng.random_bool(0.3) {
                    push!(
                        "LIMIT",
                        self.rng.random_range(-1..4),
                        self.rng.random_range(-1..4)
                    );
                }
                Check::Exact
            }
            36 => {
                let k = self.key(ZSET_KEYS);
                push!(
                    "ZREVRANGE",
                    k,
                    self.rng.random_range(-4..4),
                    self.rng.random_range(-4..4)
                );
                if self.rng.random_bool(0.5) {
                    push!("WITHSCORES");
                }
                Check::Exact
            }
            37 => {
                let c = self.rng.random_range(0..3);
                match c {
                    0 => {
                        let k = self.key(ZSET_KEYS);
                        push!(
                            "ZREMRANGEBYRANK",
                            k,
                            self.rng.random_range(-4..4),
                            self.rng.random_range(-4..4)
                        );
                    }
                    1 => {
                        let (k, a, b) = (self.key(ZSET_KEYS), self.pick(BOUNDS), self.pick(BOUNDS));
                        push!("ZREMRANGEBYSCORE", k, a, b);
                    }
                    _ => {
                        let (k, a, b) = (
                            self.pick(LEX_KEYS),
                            self.pick(LEX_BOUNDS),
                            self.pick(LEX_BOUNDS),
                        );
                        push!("ZREMRANGEBYLEX", k, a, b);
                    }
                }
                Check::Exact
            }
            38..=39 => {
                let c = *["ZPOPMIN", "ZPOPMAX"].choose(&mut self.rng).unwrap();
                let k = self.key(ZSET_KEYS);
                push!(c, k);
                if self.rng.random_bool(0.6) {
                    push!(self.count());
                }
                Check::Exact
            }
            40 => {
                let blocking = self.rng.random_bool(0.5);
                let keys = self.keys(ZSET_KEYS, 2);
                if blocking {
                    push!("BZMPOP", "0.01");
                } else {
                    push!("ZMPOP");
                }
                push!(keys.len());
                v.extend(keys);
                push!(*["MIN", "MAX", "min"].choose(&mut self.rng).unwrap());
                if self.rng.random_bool(0.5) {
                    push!("COUNT", self.rng.random_range(0..4));
                }
                if blocking {
                    Check::Blocking
                } else {
                    Check::Exact
                }
            }
            41 => {
                let c = *["BZPOPMIN", "BZPOPMAX"].choose(&mut self.rng).unwrap();
                push!(c);
                v.extend(self.keys(ZSET_KEYS, 2));
                push!("0.01");
                Check::Blocking
            }
            42 => {
                let k = self.key(ZSET_KEYS);
                push!("ZRANDMEMBER", k);
                if self.rng.random_bool(0.8) {
                    push!(self.count());
                    if self.rng.random_bool(0.5) {
                        push!("WITHSCORES");
                    }
                }
                Check::Random
            }
            43..=45 => {
                let op = *[
                    "ZUNION",
                    "ZINTER",
                    "ZDIFF",
                    "ZUNIONSTORE",
                    "ZINTERSTORE",
                    "ZDIFFSTORE",
                    "ZINTERCARD",
                ]
                .choose(&mut self.rng)
                .unwrap();
                let store = op.ends_with("STORE");
                let mut pool: Vec<&'static str> = ZSET_KEYS.to_vec();
                pool.extend_from_slice(SET_KEYS);
                let keys = self.keys(&pool, 3);
                push!(op);
                if store {
                    push!(self.key(ZSET_KEYS));
                }
                push!(keys.len());
                v.extend(keys.iter().cloned());
                let n = keys.len();
                if op != "ZDIFF" && op != "ZDIFFSTORE" && op != "ZINTERCARD" {
                    if self.rng.random_bool(0.4) {
                        push!("WEIGHTS");
                        for _ in 0..n {
                            push!(*["1", "2", "-1", "0", "0.5", "inf"]
                                .choose(&mut self.rng)
                                .unwrap());
                        }
                    }
                    if self.rng.random_bool(0.4) {
                        push!(
                            "AGGREGATE",
                            *["SUM", "MIN", "MAX"].choose(&mut self.rng).unwrap()
                        );
                    }
                }
                if op == "ZINTERCARD" && self.rng.random_bool(0.5) {
                    push!("LIMIT", self.rng.random_range(0..3));
                }
                if !store && op != "ZINTERCARD" && self.rng.random_bool(0.5) {
                    push!("WITHSCORES");
                }
                Check::Exact
            }
            46 => {
                let k = self.key(ZSET_KEYS);
                push!("ZSCAN", k, "0");
                Check::Scan
            }
            47 => {
                let mut pool: Vec<&'static str> = ZSET_KEYS.to_vec();
                pool.extend_from_slice(SET_KEYS);
                pool.extend_from_slice(LEX_KEYS);
                let k = self.pick(&pool);
                push!("OBJECT", "ENCODING", k);
                Check::Exact
            }
            48 => {
                let k = self.key(ZSET_KEYS);
                push!("TYPE", k);
                Check::Exact
            }
            49 => {
                let k = self.key(ZSET_KEYS);
                push!("DEL", k);
                Check::Exact
            }
            _ => {
                // Grow a set or sorted set past the encoding limits.
                if self.rng.random_bool(0.5) {
                    push!("SADD", self.pick(SET_KEYS));
                    for i in 0..self.rng.random_range(3..12) {
                        push!(self.rng.random_range(0..40) * if i % 5 == 4 { -1 } else { 1 });
                    }
                } else {
                    push!("ZADD", self.pick(ZSET_KEYS));
                    for _ in 0..self.rng.random_range(3..12) {
                        push!(
                            self.rng.random_range(-5..5),
                            format!("g{}", self.rng.random_range(0..30))
                        );
                    }
                }
                Check::Exact
            }
        };
        (v, check)
    }

    fn zrange(&mut self, v: &mut Vec<String>) {
        let store = self.rng.random_bool(0.2);
        let kind = self.rng.random_range(0..3);
        if store {
            v.push("ZRANGESTORE".into());
            v.push(self.key(ZSET_KEYS));
        } else {
            v.push("ZRANGE".into());
        }
        match kind {
            0 => {
                v.push(self.key(ZSET_KEYS));
                v.push(self.rng.random_range(-4..5).to_string());
                v.push(self.rng.random_range(-4..5).to_string());
            }
            1 => {
                v.push(self.key(ZSET_KEYS));
                v.push(self.pick(BOUNDS).into());
                v.push(self.pick(BOUNDS).into());
                v.push("BYSCORE".into());
            }
            _ => {
                v.push(self.pick(LEX_KEYS).into());
                v.push(self.pick(LEX_BOUNDS).into());
                v.push(self.pick(LEX_BOUNDS).into());
                v.push("BYLEX".into());
            }
        }
        if self.rng.random_bool(0.4) {
            v.push("REV".into());
        }
        if self.rng.random_bool(0.25) {
            v.push("LIMIT".into());
            v.push(self.rng.random_range(-1..4).to_string());
            v.push(self.rng.random_range(-1..4).to_string());
        }
        if !store && self.rng.random_bool(0.4) {
            v.push("WITHSCORES".into());
        }
    }
}

/// Runs one line through the harness.
fn local(h: &mut Harness, args: &[String]) -> (Vec<u8>, Outcome) {
    let refs: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
    let (reply, outcome) = h.run_args(&refs);
    (reply.into_bytes(), outcome)
}

/// The members listed in a flat reply (bulk strings, any nesting).
fn bulks_of(r: &Reply, out: &mut Vec<Vec<u8>>) {
    match r {
        Reply::Bulk(b) => out.push(b.clone()),
        Reply::Agg(_, items) => items.iter().for_each(|i| bulks_of(i, out)),
        Reply::Line(_) => {}
    }
}

fn sorted_top(r: &Reply) -> Reply {
    match r {
        Reply::Agg(k, items) => {
            let mut items = items.clone();
            items.sort();
            Reply::Agg(*k, items)
        }
        other => other.clone(),
    }
}

struct Run<'a> {
    h: Harness,
    redis: &'a mut Conn,
    resp3: bool,
    /// Keys whose encoding may differ after SPOP (which rebuilds a set
    /// from random survivors): OBJECT ENCODING is not compared for them.
    unsure: HashSet<String>,
    log: Vec<String>,
    /// Compared replies: (errors, others), to show the mix is useful.
    tally: (usize, usize),
}

impl Run<'_> {
    fn fail(&self, what: &str) -> ! {
        let keep = if std::env::var_os("SHOAL_DIFF_FULL_LOG").is_some() {
            usize::MAX
        } else {
            25
        };
        let tail: Vec<&String> = self.log.iter().rev().take(keep).collect();
        panic!(
            "{what}\nlast commands (newest first):\n{}",
            tail.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    fn step(&mut self, args: Vec<String>, check: Check) {
        self.log.push(args.join(" "));
        let raw: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        match check {
            Check::Exact | Check::Unordered => {
                let is_encoding = args[0] == "OBJECT";
                let (mine, _) = local(&mut self.h, &args);
                let theirs = self.redis.call(&raw);
                if is_encoding && self.unsure.contains(&args[2]) {
                    return;
                }
                if mine.starts_with(b"-") {
                    self.tally.0 += 1;
                } else {
                    self.tally.1 += 1;
                }
                let equal = if check == Check::Exact || mine.starts_with(b"-") {
                    mine == theirs
                } else {
                    sorted_top(&parse(&mine)) == sorted_top(&parse(&theirs))
                };
                if !equal {
                    self.fail(&format!(
                        "reply differs\n shoal: {}\n redis: {}",
                        show(&mine),
                        show(&theirs)
                    ));
                }
                if args[0] == "DEL" || args[0].ends_with("STORE") {
                    self.unsure.remove(&args[1]);
                }
            }
            Check::Random => self.random(&args, &raw),
            Check::Pop => self.pop(&args, &raw),
            Check::Scan => self.scan(&args),
            Check::Blocking => {
                let (mine, outcome) = local(&mut self.h, &args);
                let theirs = self.redis.call(&raw);
                let mine = if matches!(outcome, Outcome::Block(_)) {
                    if self.resp3 {
                        b"_\r\n".to_vec()
                    } else {
                        b"*-1\r\n".to_vec()
                    }
                } else {
                    mine
                };
                if mine != theirs {
                    self.fail(&format!(
                        "blocking reply differs\n shoal: {}\n redis: {}",
                        show(&mine),
                        show(&theirs)
                    ));
                }
            }
        }
    }

    fn random(&mut self, args: &[String], raw: &[Vec<u8>]) {
        let (mine, _) = local(&mut self.h, args);
        let theirs = self.redis.call(raw);
        if mine.starts_with(b"-")
            || theirs.starts_with(b"-")
            || args.len() == 2 && (mine.starts_with(b"$-1") || mine.starts_with(b"_"))
        {
            if mine != theirs {
                self.fail(&format!(
                    "reply differs\n shoal: {}\n redis: {}",
                    show(&mine),
                    show(&theirs)
                ));
            }
            return;
        }
        let (m, t) = (parse(&mine), parse(&theirs));
        let shape = |r: &Reply| match r {
            Reply::Agg(k, items) => (*k, items.len()),
            Reply::Bulk(_) => (b'$', 1),
            Reply::Line(l) => (l[0], 0),
        };
        if shape(&m) != shape(&t) {
            self.fail(&format!(
                "random reply shape differs\n shoal: {}\n redis: {}",
                show(&mine),
                show(&theirs)
            ));
        }
        // Every member (and score) we returned must be what Redis holds.
        let zset = args[0] == "ZRANDMEMBER";
        let withscores = args.iter().any(|a| a == "WITHSCORES");
        let mut items = Vec::new();
        bulks_of(&m, &mut items);
        let mut floats = Vec::new();
        if withscores && self.resp3 {
            // RESP3 scores are doubles, not bulks: collect them too.
            let text = String::from_utf8_lossy(&mine).to_string();
            floats = text
                .split("\r\n")
                .filter(|l| l.starts_with(','))
                .map(|l| l[1..].to_string())
                .collect();
        }
        let step = if withscores && !self.resp3 { 2 } else { 1 };
        for (i, chunk) in items.chunks(step).enumerate() {
            let member = chunk[0].clone();
            let query = if zset { "ZSCORE" } else { "SISMEMBER" };
            let answer =
                self.redis
                    .call(&[query.as_bytes().to_vec(), raw[1].clone(), member.clone()]);
            let ok = if zset {
                let score = if withscores {
                    if self.resp3 {
                        floats[i].clone().into_bytes()
                    } else {
                        chunk[1].clone()
                    }
                } else {
                    Vec::new()
                };
                match parse(&answer) {
                    Reply::Bulk(s) if !withscores || s == score => true,
                    Reply::Line(l) if self.resp3 && l[0] == b',' => {
                        !withscores || l[1..] == score[..]
                    }
                    _ => false,
                }
            } else {
                answer == b":1\r\n"
            };
            if !ok {
                self.fail(&format!(
                    "random pick {} not in Redis's set: {}",
                    show(&member),
                    show(&mine)
                ));
            }
        }
    }

    fn pop(&mut self, args: &[String], raw: &[Vec<u8>]) {
        let (mine, _) = local(&mut self.h, args);
        let r = parse(&mine);
        let popped: Vec<Vec<u8>> = match &r {
            Reply::Bulk(b) => vec![b.clone()],
            Reply::Agg(_, items) if !items.is_empty() => {
                let mut v = Vec::new();
                bulks_of(&r, &mut v);
                v
            }
            // Errors, nil and empty replies change nothing: Redis must agree.
            _ => {
                let theirs = self.redis.call(raw);
                if mine != theirs {
                    self.fail(&format!(
                        "reply differs\n shoal: {}\n redis: {}",
                        show(&mine),
                        show(&theirs)
                    ));
                }
                return;
            }
        };
        let distinct: BTreeSet<&Vec<u8>> = popped.iter().collect();
        if distinct.len() != popped.len() {
            self.fail(&format!("SPOP returned a member twice: {}", show(&mine)));
        }
        let mut srem = vec![b"SREM".to_vec(), raw[1].clone()];
        srem.extend(popped.iter().cloned());
        let removed = self.redis.call(&srem);
        if removed != format!(":{}\r\n", popped.len()).into_bytes() {
            self.fail(&format!(
                "SPOP returned members Redis does not have: {} (SREM said {})",
                show(&mine),
                show(&removed)
            ));
        }
        self.unsure.insert(args[1].clone());
    }

    fn scan(&mut self, args: &[String]) {
        let count = ["1", "3", "10", "100"][self.log.len() % 4];
        let mut results = Vec::new();
        for side in 0..2 {
            let mut cursor = b"0".to_vec();
            let mut seen: BTreeSet<Vec<Vec<u8>>> = BTreeSet::new();
            for _ in 0..10_000 {
                let line = vec![
                    args[0].as_bytes().to_vec(),
                    args[1].as_bytes().to_vec(),
                    cursor.clone(),
                    b"COUNT".to_vec(),
                    count.as_bytes().to_vec(),
                ];
                let reply = if side == 0 {
                    let strs: Vec<String> = line
                        .iter()
                        .map(|a| String::from_utf8(a.clone()).unwrap())
                        .collect();
                    local(&mut self.h, &strs).0
                } else {
                    self.redis.call(&line)
                };
                if reply.starts_with(b"-") {
                    seen.insert(vec![reply]);
                    break;
                }
                let Reply::Agg(_, parts) = parse(&reply) else {
                    unreachable!()
                };
                let Reply::Bulk(next) = &parts[0] else {
                    unreachable!()
                };
                let mut items = Vec::new();
                bulks_of(&parts[1], &mut items);
                let group = if args[0] == "ZSCAN" { 2 } else { 1 };
                for chunk in items.chunks(group) {
                    seen.insert(chunk.to_vec());
                }
                cursor = next.clone();
                if cursor == b"0" {
                    break;
                }
            }
            results.push(seen);
        }
        if results[0] != results[1] {
            let text = |r: &BTreeSet<Vec<Vec<u8>>>| {
                r.iter()
                    .map(|item| item.iter().map(|b| show(b)).collect::<Vec<_>>().join(" "))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            self.fail(&format!(
                "{} contents differ\n shoal: {}\n redis: {}",
                args[0],
                text(&results[0]),
                text(&results[1])
            ));
        }
    }

    /// Compares every key's type, encoding and contents.
    fn compare_state(&mut self) {
        let mut all: Vec<&str> = vec!["str", "missing"];
        all.extend_from_slice(SET_KEYS);
        all.extend_from_slice(ZSET_KEYS);
        all.extend_from_slice(LEX_KEYS);
        for k in all {
            let t = format!("TYPE {k}");
            let (mine, _) = local(
                &mut self.h,
                &t.split(' ').map(String::from).collect::<Vec<_>>(),
            );
            let theirs = self.redis.call_str(&t);
            if mine != theirs {
                self.fail(&format!(
                    "{t}: shoal {} redis {}",
                    show(&mine),
                    show(&theirs)
                ));
            }
            let mut checks = vec![];
            if !self.unsure.contains(k) {
                checks.push((format!("OBJECT ENCODING {k}"), Check::Exact));
            }
            if theirs.starts_with(b"+zset") {
                checks.push((format!("ZRANGE {k} 0 -1 WITHSCORES"), Check::Exact));
            } else if theirs.starts_with(b"+set") {
                checks.push((format!("SMEMBERS {k}"), Check::Unordered));
            }
            for (line, check) in checks {
                self.step(line.split(' ').map(String::from).collect(), check);
            }
        }
    }
}

#[test]
fn random_command_sequences_match_redis() {
    let server = start_redis();
    let seeds: Vec<u64> = match std::env::var("SHOAL_DIFF_SEED") {
        Ok(s) => vec![s.parse().expect("SHOAL_DIFF_SEED is a number")],
        Err(_) => (1..=8).collect(),
    };
    let steps: usize = std::env::var("SHOAL_DIFF_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut redis = Conn::open(server.port);
    for seed in seeds {
        for (phase, (entries, value, intset, resp3)) in
            [(128, 64, 512, false), (4, 8, 4, false), (6, 64, 5, true)]
                .into_iter()
                .enumerate()
        {
            assert_eq!(redis.call_str("HELLO 2").first(), Some(&b'*'));
            assert_eq!(redis.call_str("FLUSHALL"), b"+OK\r\n");
            for (name, v) in [
                ("zset-max-listpack-entries", entries),
                ("zset-max-listpack-value", value),
                ("set-max-intset-entries", intset),
            ] {
                assert_eq!(
                    redis.call_str(&format!("CONFIG SET {name} {v}")),
                    b"+OK\r\n"
                );
            }
            let mut h = Harness::new();
            h.settings.zset_max_listpack_entries = entries;
            h.settings.zset_max_listpack_value = value;
            h.settings.set_max_intset_entries = intset;
            if resp3 {
                redis.call_str("HELLO 3");
                h.protocol = Protocol::Resp3;
            }
            let mut gen = Gen {
                rng: SmallRng::seed_from_u64(seed * 1000 + phase as u64),
                long_member: "L".repeat(70),
            };
            let mut run = Run {
                h,
                redis: &mut redis,
                resp3,
                unsure: HashSet::new(),
                log: vec![format!(
                    "# seed {seed} phase {phase} (rerun with SHOAL_DIFF_SEED={seed})"
                )],
                tally: (0, 0),
            };
            // A string key for WRONGTYPE paths.
            run.step(vec!["SET".into(), "str".into(), "v".into()], Check::Exact);
            // SHOAL_DIFF_EVERY_STEP compares the whole keyspace after each
            // command, to find the first one that diverged.
            let every_step = std::env::var_os("SHOAL_DIFF_EVERY_STEP").is_some();
            for _ in 0..steps {
                let (args, check) = gen.command();
                run.step(args, check);
                if every_step {
                    run.compare_state();
                }
            }
            run.compare_state();
            println!(
                "seed {seed} phase {phase}: {} error replies, {} others matched",
                run.tally.0, run.tally.1
            );
        }
    }
    redis.call_str("HELLO 2");
    for (name, v) in [
        ("zset-max-listpack-entries", 128),
        ("zset-max-listpack-value", 64),
        ("set-max-intset-entries", 512),
    ] {
        redis.call_str(&format!("CONFIG SET {name} {v}"));
    }
}
