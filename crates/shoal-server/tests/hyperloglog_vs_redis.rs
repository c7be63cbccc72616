//! HyperLogLog against a live redis-server 7.0: the same generated PFADD,
//! PFCOUNT, PFMERGE and PFDEBUG commands go to both, and every reply and
//! every sketch's bytes (GET) must be identical, so a sketch made by one
//! server is read and extended by the other exactly as by itself.
//!
//! Some runs set a small `hll-sparse-max-bytes` on both servers so that
//! sparse sketches turn dense early; some corrupt a sketch with SETRANGE
//! or write a non-sketch string, to compare the error replies.

mod common;

use common::{start_redis, start_shoal, Conn};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

const KEYS: [&str; 4] = ["h1", "h2", "h3", "missing"];

struct Gen {
    rng: SmallRng,
    /// Elements are drawn from 0..universe, so counts stay comparable.
    universe: u32,
}

impl Gen {
    fn key(&mut self) -> String {
        match self.rng.random_range(0..30) {
            0 => "str".into(),
            1 => "list".into(),
            _ => KEYS[self.rng.random_range(0..KEYS.len())].into(),
        }
    }

    fn command(&mut self) -> Vec<String> {
        let mut c: Vec<String> = Vec::new();
        match self.rng.random_range(0..40) {
            0..=17 => {
                c.extend(["PFADD".into(), self.key()]);
                for _ in 0..self.rng.random_range(0..60) {
                    c.push(format!("e{}", self.rng.random_range(0..self.universe)));
                }
            }
            18..=25 => {
                c.push("PFCOUNT".into());
                for _ in 0..self.rng.random_range(1..4) {
                    c.push(self.key());
                }
            }
            26..=29 => {
                c.push("PFMERGE".into());
                for _ in 0..self.rng.random_range(1..4) {
                    c.push(self.key());
                }
            }
            30..=33 => {
                let sub = ["ENCODING", "DECODE", "GETREG", "TODENSE", "bogus"]
                    [self.rng.random_range(0..5)];
                c.extend(["PFDEBUG".into(), sub.into(), self.key()]);
            }
            34 => {
                // Corrupt a sketch: a byte of its sparse opcodes or header.
                let at = self.rng.random_range(0..24).to_string();
                let byte = ["\u{7f}", "A", "\u{0}"][self.rng.random_range(0..3)];
                c.extend(["SETRANGE".into(), self.key(), at, byte.into()]);
            }
            35 => c.extend(["SET".into(), "str".into(), "HYLL".into()]),
            _ => c.extend(["GET".into(), self.key()]),
        }
        c
    }
}

fn call(conn: &mut Conn, cmd: &[String]) -> Vec<u8> {
    let args: Vec<&[u8]> = cmd.iter().map(|s| s.as_bytes()).collect();
    conn.send(&args);
    conn.read_raw()
}

#[test]
fn hyperloglogs_match_redis_byte_for_byte() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    for seed in 0..16u64 {
        let mut rng = SmallRng::seed_from_u64(seed);
        let sparse_max = ["3000", "200", "0"][rng.random_range(0..3)];
        let universe = [50, 500, 20_000][rng.random_range(0..3)];
        for conn in [&mut s, &mut r] {
            conn.call_raw(&["FLUSHALL"]);
            conn.call_raw(&["CONFIG", "SET", "hll-sparse-max-bytes", sparse_max]);
            conn.call_raw(&["RPUSH", "list", "a"]);
        }
        let mut gen = Gen { rng, universe };
        for step in 0..250 {
            let cmd = gen.command();
            let (ours, theirs) = (call(&mut s, &cmd), call(&mut r, &cmd));
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "seed {seed} (sparse max {sparse_max}, universe {universe}) step {step}: {}",
                cmd.join(" ")
            );
        }
        for key in KEYS {
            let get = |c: &mut Conn| call(c, &["GET".into(), key.into()]);
            assert_eq!(get(&mut s), get(&mut r), "seed {seed}: bytes of {key}");
        }
    }
}

#[test]
fn a_sketch_moves_between_servers_and_keeps_counting() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    let mut add = Vec::from(["PFADD".to_string(), "h".into()]);
    add.extend((0..3000).map(|n| format!("user:{n}")));
    call(&mut r, &add);
    // Redis's dense sketch, restored on Shoal from Redis's DUMP payload.
    let dump = r.call("DUMP h");
    let shoal_resp::frame::Frame::Bulk(payload) = dump else {
        panic!("DUMP replied {dump:?}");
    };
    s.send(&[b"RESTORE", b"h", b"0", &payload]);
    assert_eq!(s.read_raw(), b"+OK\r\n");
    for conn in [&mut s, &mut r] {
        call(
            conn,
            &["PFADD".into(), "h".into(), "late".into(), "later".into()],
        );
    }
    let count = |c: &mut Conn| call(c, &["PFCOUNT".into(), "h".into()]);
    assert_eq!(count(&mut s), count(&mut r));
    let get = |c: &mut Conn| call(c, &["GET".into(), "h".into()]);
    assert_eq!(get(&mut s), get(&mut r));
}
