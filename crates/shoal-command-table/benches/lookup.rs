//! Cost of the hot-path calls: `lookup` (every command a client sends) and
//! `key_positions` (every keyed command in cluster mode).
//!
//! Run with `cargo bench -p shoal-command-table`. Plain timing loops: no
//! benchmark framework, so the crate keeps no extra dependencies. Reports the
//! mean over many rounds of a mixed batch of names.

use std::hint::black_box;
use std::time::Instant;

use shoal_command_table::{key_positions, lookup};

fn time_per_op(label: &str, ops_per_round: usize, mut round: impl FnMut()) {
    for _ in 0..1_000 {
        round(); // warm up
    }
    let rounds = 200_000;
    let start = Instant::now();
    for _ in 0..rounds {
        round();
    }
    let ns = start.elapsed().as_nanos() as f64 / (rounds * ops_per_round) as f64;
    println!("{label:<40} {ns:>7.1} ns/op");
}

fn main() {
    let names: [&[u8]; 12] = [
        b"GET",
        b"set",
        b"HSET",
        b"zrangebyscore",
        b"EXPIRE",
        b"lpush",
        b"MGET",
        b"Client",
        b"restore-asking",
        b"PING",
        b"NOSUCHCMD",
        b"x",
    ];
    time_per_op("lookup (mixed case, 12 names)", names.len(), || {
        for n in names {
            black_box(lookup(black_box(n)));
        }
    });
    let get = lookup(b"get").unwrap();
    time_per_op("lookup(\"GET\")", 1, || {
        black_box(lookup(black_box(b"GET")));
    });
    let mut out = Vec::with_capacity(16);
    let call: [&[u8]; 2] = [b"GET", b"key"];
    time_per_op("key_positions(GET key)", 1, || {
        key_positions(get, black_box(&call), &mut out).unwrap();
        black_box(&out);
    });
    let mset = lookup(b"mset").unwrap();
    let call: [&[u8]; 7] = [b"MSET", b"a", b"1", b"b", b"2", b"c", b"3"];
    time_per_op("key_positions(MSET a 1 b 2 c 3)", 1, || {
        key_positions(mset, black_box(&call), &mut out).unwrap();
        black_box(&out);
    });
    let zu = lookup(b"zunionstore").unwrap();
    let call: [&[u8]; 5] = [b"ZUNIONSTORE", b"d", b"2", b"a", b"b"];
    time_per_op("key_positions(ZUNIONSTORE d 2 a b)", 1, || {
        key_positions(zu, black_box(&call), &mut out).unwrap();
        black_box(&out);
    });
}
