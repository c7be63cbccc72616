//! `-c` against a real three-node Redis cluster: MOVED and ASK followed as
//! redis-cli 7.0 follows them, with the same `-> Redirected to slot [n]
//! located at host:port` line on a terminal, the prompt moving to the new
//! node, and the same output when piped or run one-shot.

mod common;

use common::*;

/// The slot of `fullstack` (CLUSTER KEYSLOT fullstack).
const FULLSTACK_SLOT: u16 = 15274;

fn cluster_session(program: &str, port: u16, lines: &[&str]) -> String {
    let args = ["-c".to_owned(), "-p".to_owned(), port.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(program, &args, &[("SHOALCLI_NO_ADVICE", "1")]);
    pty.wait_prompt(0);
    for line in lines {
        pty.line(line);
    }
    pty.line("quit");
    render_screen(&pty.finish())
}

#[test]
fn redirections_match_redis_cli() {
    let cluster = RedisCluster::start();
    let owner = cluster.port_of_slot(FULLSTACK_SLOT);
    let start = cluster
        .nodes
        .iter()
        .map(|n| n.port)
        .find(|&p| p != owner)
        .expect("three nodes");

    // On a terminal: the redirect line, then the reply, then a prompt on
    // the owner.
    let lines = [
        "set fullstack good",
        "get fullstack",
        "mset a 1 b 2",
        "get fullstack",
    ];
    let reset = |c: &RedisCluster| {
        for node in &c.nodes {
            node.run(&[&["FLUSHALL"]]);
        }
    };
    reset(&cluster);
    let actual = cluster_session(shoal_cli(), start, &lines);
    let screen: Vec<&str> = actual.lines().collect();
    assert_eq!(
        &screen[..4],
        &[
            format!("127.0.0.1:{start}> set fullstack good").as_str(),
            format!("-> Redirected to slot [{FULLSTACK_SLOT}] located at 127.0.0.1:{owner}")
                .as_str(),
            "OK",
            format!("127.0.0.1:{owner}> get fullstack").as_str(),
        ],
        "{actual}"
    );
    reset(&cluster);
    let expected = cluster_session(&reference("redis-cli"), start, &lines);
    assert_eq!(
        actual, expected,
        "--- shoal-cli:\n{actual}\n--- redis-cli:\n{expected}"
    );

    // Piped commands are still an interactive session: the line is printed.
    let args = ["-c".to_owned(), "-p".to_owned(), start.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let script = b"set fullstack x\nget fullstack\nget a\n";
    reset(&cluster);
    let expected = run_piped(&reference("redis-cli"), &args, script);
    reset(&cluster);
    let actual = run_piped(shoal_cli(), &args, script);
    assert_eq!(show(&actual.stdout), show(&expected.stdout));
    assert!(show(&actual.stdout).starts_with("-> Redirected to slot [15274]"));

    // One-shot: followed silently.
    for extra in [
        &["set", "fullstack", "y"][..],
        &["get", "fullstack"],
        &["-e", "mset", "a", "1", "b", "2"],
    ] {
        let mut all = args.clone();
        all.extend_from_slice(extra);
        let expected = run_piped(&reference("redis-cli"), &all, b"");
        let actual = run_piped(shoal_cli(), &all, b"");
        assert_eq!(show(&actual.stdout), show(&expected.stdout), "{all:?}");
        assert_eq!(show(&actual.stderr), show(&expected.stderr), "{all:?}");
        assert_eq!(actual.status.code(), expected.status.code(), "{all:?}");
        let expected = run_pty(
            &reference("redis-cli"),
            &all,
            &[("SHOALCLI_NO_ADVICE", "1")],
        );
        let actual = run_pty(shoal_cli(), &all, &[("SHOALCLI_NO_ADVICE", "1")]);
        assert_eq!(show(&actual), show(&expected), "{all:?} in a pty");
    }

    // Without -c the MOVED error is shown as it is.
    let plain = [
        "-p".to_owned(),
        start.to_string(),
        "get".to_owned(),
        "fullstack".to_owned(),
    ];
    let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
    let expected = run_piped(&reference("redis-cli"), &plain, b"");
    let actual = run_piped(shoal_cli(), &plain, b"");
    assert_eq!(show(&actual.stdout), show(&expected.stdout));
    assert_eq!(
        show(&actual.stdout),
        format!("MOVED {FULLSTACK_SLOT} 127.0.0.1:{owner}\n\n")
    );
}

#[test]
fn ask_sends_asking_to_the_importing_node() {
    let cluster = RedisCluster::start();
    // Migrate the slot of `askkey` from its owner to another node, half-way:
    // a key the owner does not have is then asked for at the target.
    let slot = 7898; // CLUSTER KEYSLOT askkey
    let source = cluster.port_of_slot(slot);
    let target = cluster
        .nodes
        .iter()
        .map(|n| n.port)
        .find(|&p| p != source)
        .unwrap();
    let id = |port: u16| {
        let reply = raw_command(port, &["CLUSTER", "MYID"]);
        let text = show(&reply);
        text.lines().nth(1).unwrap().to_owned()
    };
    let (source_id, target_id) = (id(source), id(target));
    let slot_text = slot.to_string();
    cluster
        .nodes
        .iter()
        .find(|n| n.port == target)
        .unwrap()
        .run(&[&["CLUSTER", "SETSLOT", &slot_text, "IMPORTING", &source_id]]);
    cluster
        .nodes
        .iter()
        .find(|n| n.port == source)
        .unwrap()
        .run(&[&["CLUSTER", "SETSLOT", &slot_text, "MIGRATING", &target_id]]);

    let lines = ["get askkey", "set askkey v", "get askkey"];
    let forget = || raw_session(target, &[&["ASKING"], &["DEL", "askkey"]]);
    forget();
    let actual = cluster_session(shoal_cli(), source, &lines);
    let screen: Vec<&str> = actual.lines().collect();
    assert_eq!(
        screen[1],
        format!("-> Redirected to slot [{slot}] located at 127.0.0.1:{target}")
    );
    // ASKING went first, or the target would have answered MOVED.
    assert_eq!(screen[2], "(nil)", "{actual}");
    forget();
    let expected = cluster_session(&reference("redis-cli"), source, &lines);
    assert_eq!(
        actual, expected,
        "--- shoal-cli:\n{actual}\n--- redis-cli:\n{expected}"
    );
}
