//! SORT and SORT_RO against a live redis-server 7.0: a seeded generator
//! builds lists, sets and sorted sets with weight strings and hashes
//! beside them, sends the same SORT commands to both servers and compares
//! the replies byte for byte (and a STORE destination's contents).
//!
//! Two orders are Redis's implementation detail, not its contract: a set
//! left unsorted (`BY nosort` without STORE) comes in hash table order, so
//! only the reply's length is compared (a LIMIT picks different members);
//! ALPHA sorts BY a pattern tie on equal or missing weights, which Redis's
//! partial quicksort leaves in any order, so they are compared as
//! multisets, or by length when a LIMIT cuts through the ties.

mod common;

use common::{start_redis, start_shoal, wait_for, Conn};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use shoal_resp::frame::{decode, Frame};

struct Gen {
    rng: SmallRng,
}

impl Gen {
    fn element(&mut self) -> String {
        match self.rng.random_range(0..12) {
            0 => "abc".into(),
            1 => "-2.5".into(),
            2 => format!("e{}", self.rng.random_range(0..5)),
            3 => "1e3".into(),
            _ => self.rng.random_range(-20..40).to_string(),
        }
    }

    fn weight(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0 => "x".into(),
            1 => String::new(),
            2 => "1.25".into(),
            _ => self.rng.random_range(-5..5).to_string(),
        }
    }

    fn setup(&mut self) -> Vec<Vec<String>> {
        let mut cmds = Vec::new();
        let numeric = self.rng.random_bool(0.6);
        let mut elements = Vec::new();
        for _ in 0..self.rng.random_range(0..12) {
            let e = if numeric {
                self.rng.random_range(-20..40).to_string()
            } else {
                self.element()
            };
            elements.push(e);
        }
        for (i, e) in elements.iter().enumerate() {
            cmds.push(vec!["RPUSH".into(), "l".into(), e.clone()]);
            cmds.push(vec!["SADD".into(), "s".into(), e.clone()]);
            cmds.push(vec![
                "ZADD".into(),
                "z".into(),
                (i % 4).to_string(),
                e.clone(),
            ]);
            if self.rng.random_bool(0.8) {
                cmds.push(vec!["SET".into(), format!("w_{e}"), self.weight()]);
            }
            if self.rng.random_bool(0.7) {
                cmds.push(vec![
                    "HSET".into(),
                    format!("h_{e}"),
                    "f".into(),
                    self.weight(),
                ]);
            }
        }
        cmds.push(vec!["SET".into(), "str".into(), "v".into()]);
        cmds
    }

    /// A SORT command, and how its reply is compared.
    fn sort(&mut self) -> (Vec<String>, Compare) {
        let ro = self.rng.random_range(0..5) == 0;
        let key = ["l", "s", "z", "missing", "str"][self.rng.random_range(0..5)];
        let mut c: Vec<String> = vec![if ro { "SORT_RO" } else { "sort" }.into(), key.into()];
        let mut by = None;
        let (mut alpha, mut store, mut limit) = (false, false, false);
        // Once a BY names no key, the sort is off, whatever BY follows.
        let mut unsorted = false;
        for _ in 0..self.rng.random_range(0..5) {
            match self.rng.random_range(0..12) {
                0 | 1 => {
                    let p =
                        ["w_*", "h_*->f", "nosort", "w_*->", "h_*->g"][self.rng.random_range(0..5)];
                    by = Some(p);
                    unsorted |= !p.contains('*');
                    c.extend(["BY".into(), p.into()]);
                }
                2 | 3 => {
                    let p = ["#", "w_*", "h_*->f", "nokey_*", "const"][self.rng.random_range(0..5)];
                    c.extend(["GET".into(), p.into()]);
                }
                4 => {
                    let start = self.rng.random_range(-2..8).to_string();
                    let count = self.rng.random_range(-2..8).to_string();
                    limit = true;
                    c.extend(["LIMIT".into(), start, count]);
                }
                5 => c.push("DESC".into()),
                6 => c.push("asc".into()),
                7 | 8 => {
                    alpha = true;
                    c.push("ALPHA".into());
                }
                9 => {
                    store = true;
                    c.extend(["STORE".into(), "dst".into()]);
                }
                10 => c.push("LIMIT".into()),
                _ => c.push("bogus".into()),
            }
        }
        let ties = alpha && by.is_some_and(|p| p.contains('*'));
        let compare = if (key == "s" && unsorted && !store) || (ties && limit) {
            Compare::Length
        } else if ties {
            Compare::Multiset
        } else {
            Compare::Exact
        };
        (c, compare)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    Multiset,
    Length,
}

/// The reply as compared under `how`.
fn comparable(raw: Vec<u8>, how: Compare) -> Vec<u8> {
    match (how, decode(&raw)) {
        (Compare::Exact, _) => raw,
        (Compare::Multiset, Ok(Some((Frame::Array(mut items), _)))) => {
            items.sort_by_key(|f| format!("{f:?}"));
            format!("{items:?}").into_bytes()
        }
        (Compare::Length, Ok(Some((Frame::Array(items), _)))) => {
            format!("{} items", items.len()).into_bytes()
        }
        _ => raw,
    }
}

fn call(conn: &mut Conn, cmd: &[String]) -> Vec<u8> {
    let args: Vec<&[u8]> = cmd.iter().map(|s| s.as_bytes()).collect();
    conn.send(&args);
    conn.read_raw()
}

#[test]
fn sort_matches_redis_reply_for_reply() {
    let shoal = start_shoal(&[]);
    let redis = start_redis(&[]);
    let (mut s, mut r) = (shoal.connect(), redis.connect());
    for seed in 0..60u64 {
        let mut gen = Gen {
            rng: SmallRng::seed_from_u64(seed),
        };
        let setup = gen.setup();
        for conn in [&mut s, &mut r] {
            conn.call_raw(&["FLUSHALL"]);
            for cmd in &setup {
                call(conn, cmd);
            }
        }
        // How the STORE destination compares: as the command that wrote it.
        let mut dst_how = Compare::Exact;
        for step in 0..40 {
            let (cmd, how) = gen.sort();
            let ours = call(&mut s, &cmd);
            if ours.starts_with(b":") {
                dst_how = how; // this command stored
            }
            let ours = comparable(ours, how);
            let theirs = comparable(call(&mut r, &cmd), how);
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
                "seed {seed} step {step}: {}",
                cmd.join(" ")
            );
            let dst = |c: &mut Conn| {
                let raw = call(c, &["LRANGE".into(), "dst".into(), "0".into(), "-1".into()]);
                comparable(raw, dst_how)
            };
            assert_eq!(
                dst(&mut s),
                dst(&mut r),
                "seed {seed} step {step}: STORE of {}",
                cmd.join(" ")
            );
        }
    }
}

#[test]
fn sort_patterns_are_refused_in_cluster_mode_as_redis_refuses_them() {
    let shoal = start_shoal(&["--cluster-enabled", "yes"]);
    let redis = start_redis(&["--cluster-enabled", "yes"]);
    let mut replies = Vec::new();
    for server in [&shoal, &redis] {
        let mut c = server.connect();
        assert_eq!(
            c.call_raw(&["CLUSTER", "ADDSLOTSRANGE", "0", "16383"]),
            "+OK\r\n"
        );
        assert!(
            wait_for(10, || c
                .call_raw(&["CLUSTER", "INFO"])
                .contains("cluster_state:ok")),
            "{} never reached cluster_state:ok",
            server.name
        );
        c.call_raw(&["RPUSH", "l", "3", "1", "2"]);
        let mut got = Vec::new();
        for cmd in [
            &["SORT", "l", "BY", "w_*"][..],
            &["SORT", "l", "GET", "#"],
            &["SORT_RO", "l", "GET", "x"],
            &["SORT", "l", "BY", "nosort", "DESC"],
            &["SORT", "l"],
        ] {
            got.push(c.call_raw(cmd));
        }
        replies.push(got);
    }
    assert_eq!(replies[0], replies[1], "(shoal, redis)");
}
