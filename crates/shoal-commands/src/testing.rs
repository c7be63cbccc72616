//! A harness for unit tests of command handlers: run a command line
//! against in-memory dbs and get the reply bytes back.

use crate::ctx::{ExecCtx, Outcome, Settings};
use crate::dispatch::keyspace_handler;
use rand::rngs::SmallRng;
use rand::SeedableRng;
use shoal_keyspace::Db;
use shoal_resp::request::OwnedArgs;
use shoal_resp::{Protocol, ReplyBuf};

/// Databases, settings, a seeded RNG and a fixed clock.
pub struct Harness {
    /// The databases (16).
    pub dbs: Vec<Db>,
    /// Settings handed to commands.
    pub settings: Settings,
    /// Seeded randomness.
    pub rng: SmallRng,
    /// The time commands see, Unix ms.
    pub now_ms: u64,
    /// Protocol for replies.
    pub protocol: Protocol,
    /// Selected db.
    pub db: usize,
    /// Whether commands may block (false models MULTI).
    pub may_block: bool,
}

impl Default for Harness {
    fn default() -> Self {
        Harness {
            dbs: (0..16).map(|i| Db::new(i as u64)).collect(),
            settings: Settings::default(),
            rng: SmallRng::seed_from_u64(7),
            now_ms: 1_700_000_000_000,
            protocol: Protocol::Resp2,
            db: 0,
            may_block: true,
        }
    }
}

impl Harness {
    /// A fresh harness.
    pub fn new() -> Harness {
        Harness::default()
    }

    /// Runs one command (split on spaces) and returns the reply bytes and
    /// the outcome. Panics if the command has no keyspace handler.
    pub fn run_args(&mut self, args: &[&[u8]]) -> (String, Outcome) {
        let name = String::from_utf8_lossy(args[0]).to_ascii_lowercase();
        let sub = args
            .get(1)
            .map(|s| format!("{name}|{}", String::from_utf8_lossy(s).to_ascii_lowercase()));
        let handler = keyspace_handler(&name)
            .or_else(|| sub.as_deref().and_then(keyspace_handler))
            .unwrap_or_else(|| panic!("no keyspace handler for {name}"));
        let owned = OwnedArgs::from_slices(args);
        let mut out = ReplyBuf::with_protocol(self.protocol);
        let mut ctx = ExecCtx {
            dbs: &mut self.dbs,
            db: self.db,
            out: &mut out,
            now_ms: self.now_ms,
            rng: &mut self.rng,
            settings: &self.settings,
            dirty: 0,
            may_block: self.may_block,
        };
        let outcome = handler(&mut ctx, owned.args());
        (
            String::from_utf8_lossy(out.as_bytes()).into_owned(),
            outcome,
        )
    }

    /// Runs a command given as one space-separated string; returns the
    /// reply bytes as text (RESP, with CRLFs).
    pub fn run(&mut self, line: &str) -> String {
        let parts: Vec<&[u8]> = line.split(' ').map(str::as_bytes).collect();
        self.run_args(&parts).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_the_harness() {
        let mut h = Harness::new();
        assert_eq!(h.run("SET k 10"), "+OK\r\n");
        assert_eq!(h.run("INCRBY k 5"), ":15\r\n");
        assert_eq!(h.run("GET k"), "$2\r\n15\r\n");
        assert_eq!(h.run("APPEND k x"), ":3\r\n");
        assert_eq!(
            h.run("INCR k"),
            "-ERR value is not an integer or out of range\r\n"
        );
        assert_eq!(h.run("GETRANGE k 0 -2"), "$2\r\n15\r\n");
        assert_eq!(h.run("SET k v NX"), "$-1\r\n");
        assert_eq!(h.run("SET k v XX GET"), "$3\r\n15x\r\n");
        assert_eq!(
            h.run("SET k v EX 0"),
            "-ERR invalid expire time in 'set' command\r\n"
        );
        assert_eq!(h.run("INCRBYFLOAT f 0.1"), "$3\r\n0.1\r\n");
        assert_eq!(h.run("INCRBYFLOAT f 10.5"), "$4\r\n10.6\r\n");
        assert_eq!(h.run("SETRANGE s 3 ab"), ":5\r\n");
        assert_eq!(h.run("GET s"), "$5\r\n\0\0\0ab\r\n");
        assert_eq!(h.run("MSET a 1 b 2"), "+OK\r\n");
        assert_eq!(h.run("MGET a b c"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
        assert_eq!(h.run("MSETNX a 1 z 2"), ":0\r\n");
        assert_eq!(h.run("LCS a b"), "$0\r\n\r\n");
    }

    #[test]
    fn expiry_commands_follow_redis_rules() {
        let mut h = Harness::new();
        h.run("SET k v");
        assert_eq!(h.run("TTL k"), ":-1\r\n");
        assert_eq!(h.run("EXPIRE k 100 XX"), ":0\r\n");
        assert_eq!(h.run("EXPIRE k 100 NX"), ":1\r\n");
        assert_eq!(h.run("EXPIRE k 50 GT"), ":0\r\n");
        assert_eq!(h.run("EXPIRE k 200 GT"), ":1\r\n");
        assert_eq!(h.run("TTL k"), ":200\r\n");
        assert_eq!(
            h.run("EXPIRE k 10 NX XX"),
            "-ERR NX and XX, GT or LT options at the same time are not compatible\r\n"
        );
        assert_eq!(h.run("EXPIRE k 10 FOO"), "-ERR Unsupported option FOO\r\n");
        assert_eq!(h.run("PERSIST k"), ":1\r\n");
        assert_eq!(h.run("TTL nokey"), ":-2\r\n");
        assert_eq!(h.run("EXPIRE k -1"), ":1\r\n");
        assert_eq!(h.run("EXISTS k"), ":0\r\n");
        h.run("SET t v PX 100");
        h.now_ms += 100;
        assert_eq!(h.run("GET t"), "$-1\r\n");
    }

    #[test]
    fn rename_copy_move_and_scan() {
        let mut h = Harness::new();
        assert_eq!(h.run("RENAME a b"), "-ERR no such key\r\n");
        h.run("SET a 1");
        assert_eq!(h.run("RENAMENX a a"), ":0\r\n");
        assert_eq!(h.run("RENAME a b"), "+OK\r\n");
        assert_eq!(
            h.run("COPY b b"),
            "-ERR source and destination objects are the same\r\n"
        );
        assert_eq!(h.run("COPY b c DB 1"), ":1\r\n");
        assert_eq!(h.run("MOVE b 1"), ":1\r\n");
        assert_eq!(h.run("DBSIZE"), ":0\r\n");
        h.db = 1;
        assert_eq!(h.run("DBSIZE"), ":2\r\n");
        assert_eq!(h.run("SCAN 0 COUNT 0"), "-ERR syntax error\r\n");
        assert_eq!(h.run("SCAN x"), "-ERR invalid cursor\r\n");
        let r = h.run("SCAN 0 COUNT 100 MATCH c");
        assert_eq!(r, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nc\r\n");
        assert_eq!(h.run("TYPE c"), "+string\r\n");
        assert_eq!(h.run("OBJECT ENCODING c"), "$3\r\nint\r\n");
    }
}
