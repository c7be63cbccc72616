//! Client-side caching (CLIENT TRACKING) against a live redis-server 7.0:
//! the same scenarios run on both, and what every connection receives
//! (replies and invalidation pushes, in order) must be byte-identical,
//! client ids aside.
//!
//! A scenario is a list of steps on named connections. Each step sends a
//! command and reads everything the connection has up to that command's
//! reply, so a push sent before the reply is part of the transcript in its
//! place; `sync` reads a connection's pending pushes by sending PING.

mod common;

use common::{start_redis, start_shoal, Conn, ServerProcess};
use shoal_resp::frame::{decode, Frame};
use std::collections::BTreeMap;

/// One step: on connection `who`, send `cmd` (`{id:x}` is replaced by the
/// client id of connection x) and record the frames read until its reply.
struct Step<'a> {
    who: &'a str,
    cmd: &'a str,
}

fn step<'a>(who: &'a str, cmd: &'a str) -> Step<'a> {
    Step { who, cmd }
}

/// Reads frames until one that is not a push (the reply); returns all.
fn read_until_reply(c: &mut Conn) -> Vec<Vec<u8>> {
    let mut frames = Vec::new();
    loop {
        let raw = c.read_raw();
        let is_push = matches!(decode(&raw), Ok(Some((Frame::Push(_), _))));
        let is_pubsub_message = raw.starts_with(b"*3\r\n$7\r\nmessage\r\n");
        frames.push(raw);
        if !is_push && !is_pubsub_message {
            return frames;
        }
    }
}

/// Runs `steps` on `server`; the transcript has one line per frame, with
/// every client id written as `<id:x>`.
fn run(server: &ServerProcess, steps: &[Step<'_>]) -> Vec<String> {
    let mut conns: BTreeMap<String, (Conn, i64)> = BTreeMap::new();
    // Ids outlive their connections: a broken redirect names a closed one.
    let mut all_ids: BTreeMap<String, i64> = BTreeMap::new();
    let mut transcript = Vec::new();
    for s in steps {
        if !conns.contains_key(s.who) {
            let mut c = server.connect();
            let id = match c.call("CLIENT ID") {
                Frame::Integer(n) => n,
                other => panic!("CLIENT ID replied {other:?}"),
            };
            conns.insert(s.who.to_string(), (c, id));
            all_ids.insert(s.who.to_string(), id);
        }
        let ids: Vec<(String, i64)> = all_ids.iter().map(|(k, id)| (k.clone(), *id)).collect();
        let mut line = s.cmd.to_string();
        for (name, id) in &ids {
            line = line.replace(&format!("{{id:{name}}}"), &id.to_string());
        }
        if let Some(ms) = s.cmd.strip_prefix("sleep ") {
            std::thread::sleep(std::time::Duration::from_millis(ms.parse().unwrap()));
            continue;
        }
        if s.cmd == "close" {
            conns.remove(s.who);
            transcript.push(format!("{} closed", s.who));
            continue;
        }
        let (c, _) = conns.get_mut(s.who).unwrap();
        let cmd = if line == "sync" {
            "PING".to_string()
        } else {
            line.clone()
        };
        let args: Vec<&[u8]> = cmd.split(' ').map(str::as_bytes).collect();
        c.send(&args);
        for frame in read_until_reply(c) {
            let text = comparable(&String::from_utf8_lossy(&frame), s.cmd, &ids);
            transcript.push(format!("{} {}: {}", s.who, s.cmd, text.escape_debug()));
        }
    }
    transcript
}

/// A frame as compared: client ids named where a reply carries one (HELLO,
/// the redirect of GETREDIR and TRACKINGINFO, a broken-redirect push), and a
/// CLIENT LIST line cut to its tracking fields (the rest is per server).
fn comparable(text: &str, cmd: &str, ids: &[(String, i64)]) -> String {
    if cmd.starts_with("CLIENT LIST") {
        return text
            .split_whitespace()
            .filter(|f| f.starts_with("flags=") || f.starts_with("redir="))
            .collect::<Vec<_>>()
            .join(" ");
    }
    let carries_id = cmd.contains("GETREDIR")
        || cmd.contains("TRACKINGINFO")
        || text.contains("tracking-redir-broken");
    let mut text = text.to_string();
    if cmd.starts_with("HELLO") {
        for (name, id) in ids {
            text = text.replace(
                &format!("id\r\n:{id}\r\n"),
                &format!("id\r\n:<id:{name}>\r\n"),
            );
        }
    }
    if carries_id {
        for (name, id) in ids {
            text = text.replace(&format!(":{id}\r\n"), &format!(":<id:{name}>\r\n"));
        }
    }
    text
}

fn compare(steps: &[Step<'_>]) {
    let (shoal, redis) = (start_shoal(&[]), start_redis(&[]));
    let ours = run(&shoal, steps);
    let theirs = run(&redis, steps);
    for (o, t) in ours.iter().zip(&theirs) {
        assert_eq!(o, t, "\nshoal: {ours:#?}\nredis: {theirs:#?}");
    }
    assert_eq!(
        ours.len(),
        theirs.len(),
        "\nshoal: {ours:#?}\nredis: {theirs:#?}"
    );
}

#[test]
fn default_mode_invalidates_once_and_after_the_writers_own_reply() {
    compare(&[
        step("a", "HELLO 3"),
        step("a", "CLIENT TRACKING ON"),
        step("a", "GET k"),
        step("a", "MGET k2 k3"),
        step("b", "SET k 1"),
        step("b", "SET k 2"), // forgotten after the first change: no second message
        step("a", "sync"),
        step("a", "GET k"),
        step("a", "SET k 3"), // its own change: the push follows the +OK
        step("a", "GET k2"),
        step("a", "MULTI"),
        step("a", "SET k2 x"),
        step("a", "GET k2"),
        step("a", "EXEC"), // the push follows the whole EXEC reply
        step("a", "sync"),
        step("a", "CLIENT TRACKING ON NOLOOP"),
        step("a", "GET k3"),
        step("a", "SET k3 y"), // NOLOOP: nothing
        step("a", "sync"),
        step("b", "SET e x PX 50"),
        step("a", "GET e"),
        step("a", "sleep 200"),
        step("b", "GET e"), // expired (actively or now): one message
        step("a", "sync"),
        step("a", "GET k4"),
        step("b", "FLUSHALL"),
        step("a", "sync"), // a flush invalidates everything: null
        step("a", "CLIENT TRACKINGINFO"),
        step("a", "CLIENT GETREDIR"),
        step("a", "CLIENT TRACKING OFF"),
        step("a", "CLIENT TRACKINGINFO"),
    ]);
}

#[test]
fn bcast_prefixes_and_optin_optout() {
    compare(&[
        step("a", "HELLO 3"),
        step("a", "CLIENT TRACKING ON BCAST PREFIX user: PREFIX obj:"),
        step("b", "SET user:1 a"),
        step("b", "SET other x"),
        step("b", "SET obj:9 b"),
        step("b", "MSET user:2 c obj:1 d"),
        step("a", "sync"),
        step("a", "CLIENT TRACKINGINFO"),
        step("a", "CLIENT TRACKING ON"), // cannot leave BCAST while on
        step("a", "CLIENT TRACKING ON BCAST PREFIX user:x"),
        step("c", "HELLO 3"),
        step("c", "CLIENT TRACKING ON OPTIN"),
        step("c", "GET plain"),
        step("c", "CLIENT CACHING YES"),
        step("c", "GET cached"),
        step("b", "SET plain 1"),
        step("b", "SET cached 1"),
        step("c", "sync"),
        step("c", "CLIENT CACHING NO"),
        step("d", "HELLO 3"),
        step("d", "CLIENT TRACKING ON OPTOUT"),
        step("d", "CLIENT CACHING NO"),
        step("d", "GET skipped"),
        step("d", "GET kept"),
        step("b", "SET skipped 1"),
        step("b", "SET kept 1"),
        step("d", "sync"),
        step("d", "CLIENT TRACKINGINFO"),
    ]);
}

#[test]
fn redirection_to_a_resp2_subscriber_and_a_broken_redirect() {
    compare(&[
        step("r", "SUBSCRIBE __redis__:invalidate"),
        step("a", "CLIENT TRACKING ON REDIRECT {id:r}"),
        step("a", "CLIENT GETREDIR"),
        step("a", "GET k"),
        step("b", "SET k 1"),
        step("r", "PING"),
        step("x", "HELLO 3"),
        step("y", "PING"),
        step("x", "CLIENT TRACKING ON REDIRECT {id:y}"),
        step("x", "GET j"),
        step("y", "close"),
        step("b", "SET j 1"),
        step("x", "sync"),
        step("x", "CLIENT TRACKINGINFO"),
    ]);
}

#[test]
fn tracking_errors_match_redis() {
    compare(&[
        step("a", "CLIENT TRACKING ON PREFIX x"),
        step("a", "CLIENT TRACKING ON BCAST OPTIN"),
        step("a", "CLIENT TRACKING ON OPTIN OPTOUT"),
        step("a", "CLIENT TRACKING ON REDIRECT 999999"),
        step("a", "CLIENT TRACKING ON REDIRECT x"),
        step("a", "CLIENT TRACKING ON BCAST PREFIX ab PREFIX a"),
        step("a", "CLIENT TRACKING MAYBE"),
        step("a", "CLIENT TRACKING ON BOGUS"),
        step("a", "CLIENT CACHING YES"),
        step("a", "CLIENT TRACKING ON OPTOUT"),
        step("a", "CLIENT CACHING YES"),
        step("a", "CLIENT CACHING MAYBE"),
        step("a", "CLIENT TRACKING ON OPTIN"),
        step("a", "CLIENT GETREDIR"),
        step("a", "CLIENT LIST ID {id:a}"),
        step("a", "RESET"),
        step("a", "CLIENT TRACKINGINFO"),
    ]);
}
