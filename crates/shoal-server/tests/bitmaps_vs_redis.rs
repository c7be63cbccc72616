//! The bit commands (SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
//! BITFIELD_RO) against a live redis-server 7.0: a seeded generator sends
//! the same sequence to both, and every reply must be byte-identical, as
//! must every key's final value.
//!
//! The generator aims at the edges: offsets around byte boundaries and
//! past the end, negative and inverted ranges, BYTE/BIT units, all field
//! widths with `#` offsets and every overflow mode, the offset limit
//! (proto-max-bulk-len, 1mb here, so the largest strings stay small), integer-encoded
//! strings, wrong types, missing keys, and malformed arguments.

mod common;

use common::{start_redis, start_shoal, Conn};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const KEYS: [&str; 4] = ["b1", "b2", "b3", "missing"];

struct Gen {
    rng: SmallRng,
}

impl Gen {
    fn key(&mut self) -> String {
        match self.rng.random_range(0..25) {
            0 => "list".into(),
            1 => "num".into(),
            _ => KEYS[self.rng.random_range(0..KEYS.len())].into(),
        }
    }

    fn offset(&mut self) -> String {
        match self.rng.random_range(0..30) {
            0 => "-1".into(),
            1 => "x".into(),
            // The limit is proto-max-bulk-len bytes (1mb here) in bits.
            2 => "8388608".into(),
            3 => "8388607".into(),
            _ => self.rng.random_range(0..200u32).to_string(),
        }
    }

    fn index(&mut self) -> String {
        match self.rng.random_range(0..20) {
            0 => "nan".into(),
            1 => "-9223372036854775808".into(),
            _ => self.rng.random_range(-40..40i64).to_string(),
        }
    }

    fn unit(&mut self) -> Option<&'static str> {
        match self.rng.random_range(0..6) {
            0 | 1 => None,
            2 => Some("BIT"),
            3 => Some("byte"),
            4 => Some("bit"),
            _ => Some("bits"),
        }
    }

    fn field_type(&mut self) -> String {
        match self.rng.random_range(0..20) {
            0 => "u64".into(),
            1 => "i65".into(),
            2 => "x8".into(),
            3 => "i0".into(),
            4 => "i64".into(),
            5 => "u63".into(),
            _ => {
                let sign = if self.rng.random_bool(0.5) { "i" } else { "u" };
                format!("{sign}{}", self.rng.random_range(1..17))
            }
        }
    }

    fn field_offset(&mut self) -> String {
        if self.rng.random_bool(0.3) {
            format!("#{}", self.rng.random_range(0..12))
        } else {
            self.offset()
        }
    }

    fn value(&mut self) -> String {
        match self.rng.random_range(0..12) {
            0 => "9223372036854775807".into(),
            1 => "-9223372036854775808".into(),
            2 => "1.5".into(),
            _ => self.rng.random_range(-300..300i64).to_string(),
        }
    }

    fn command(&mut self) -> Vec<String> {
        let mut c: Vec<String> = Vec::new();
        match self.rng.random_range(0..20) {
            0..=3 => {
                let bit = match self.rng.random_range(0..12) {
                    0 => "2".into(),
                    1 => "-1".into(),
                    n => (n % 2).to_string(),
                };
                c.extend(["SETBIT".into(), self.key(), self.offset(), bit]);
            }
            4..=5 => c.extend(["GETBIT".into(), self.key(), self.offset()]),
            6..=8 => {
                c.extend(["BITCOUNT".into(), self.key()]);
                match self.rng.random_range(0..5) {
                    0 => {}
                    1 => c.push(self.index()),
                    _ => {
                        c.push(self.index());
                        c.push(self.index());
                        c.extend(self.unit().map(String::from));
                    }
                }
            }
            9..=11 => {
                let bit = match self.rng.random_range(0..10) {
                    0 => "2".into(),
                    1 => "x".into(),
                    n => (n % 2).to_string(),
                };
                c.extend(["BITPOS".into(), self.key(), bit]);
                let extra = self.rng.random_range(0..4);
                if extra >= 1 {
                    c.push(self.index());
                }
                if extra >= 2 {
                    c.push(self.index());
                }
                if extra >= 3 {
                    c.extend(self.unit().map(String::from));
                }
            }
            12..=13 => {
                let op = ["AND", "or", "XOR", "NOT", "NAND"][self.rng.random_range(0..5)];
                c.extend(["BITOP".into(), op.into(), self.key()]);
                for _ in 0..self.rng.random_range(1..4) {
                    c.push(self.key());
                }
            }
            14 => {
                let value = ["", "a", "hello", "12345", "\u{ff}\u{0}"][self.rng.random_range(0..5)];
                c.extend(["SET".into(), self.key(), value.into()]);
            }
            _ => {
                let ro = self.rng.random_range(0..5) == 0;
                c.extend([
                    if ro { "BITFIELD_RO" } else { "BITFIELD" }.into(),
                    self.key(),
                ]);
                for _ in 0..self.rng.random_range(0..4) {
                    match self.rng.random_range(0..10) {
                        0..=2 => c.extend(["GET".into(), self.field_type(), self.field_offset()]),
                        3..=4 => c.extend([
                            "SET".into(),
                            self.field_type(),
                            self.field_offset(),
                            self.value(),
                        ]),
                        5..=7 => c.extend([
                            "INCRBY".into(),
                            self.field_type(),
                            self.field_offset(),
                            self.value(),
                        ]),
                        8 => {
                            let mode =
                                ["WRAP", "sat", "FAIL", "bogus"][self.rng.random_range(0..4)];
                            c.extend(["OVERFLOW".into(), mode.into()]);
                        }
                        _ => c.push("GET".into()),
                    }
                }
            }
        }
        c
    }
}

fn call(conn: &mut Conn, cmd: &[String]) -> String {
    let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
    conn.call_raw(&args)
}

#[test]
fn bit_commands_match_redis_reply_for_reply() {
    let limit = ["--proto-max-bulk-len", "1mb"];
    let shoal = start_shoal(&limit);
    let redis = start_redis(&limit);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    for seed in 0..12u64 {
        for conn in [&mut s, &mut r] {
            conn.call_raw(&["FLUSHALL"]);
            conn.call_raw(&["RPUSH", "list", "a"]);
            conn.call_raw(&["SET", "num", "1234"]);
        }
        let mut gen = Gen {
            rng: SmallRng::seed_from_u64(seed),
        };
        for step in 0..400 {
            let cmd = gen.command();
            let (ours, theirs) = (call(&mut s, &cmd), call(&mut r, &cmd));
            assert_eq!(ours, theirs, "seed {seed} step {step}: {}", cmd.join(" "));
        }
        for key in KEYS.iter().chain(&["num"]) {
            let get = |c: &mut Conn| c.call_raw(&["GET", key]);
            assert_eq!(
                get(&mut s),
                get(&mut r),
                "seed {seed}: final value of {key}"
            );
        }
    }
}
