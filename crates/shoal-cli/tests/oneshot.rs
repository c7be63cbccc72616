//! One-shot use (`shoal-cli [options] command args...`) and commands piped
//! on stdin, compared byte for byte with redis-cli 7.0 against the same
//! redis-server, with the same data: stdout, stderr and exit code when
//! piped, and everything the terminal receives when run in a pty.

mod common;

use common::*;

/// Puts the same data in the server before each run.
fn seed(server: &RedisServer) {
    server.run(&[
        &["FLUSHALL"],
        &["SET", "k", "v"],
        &[
            "RPUSH", "big", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
        ],
        &["XADD", "s", "1-1", "a", "1", "b", "2"],
        &["XADD", "s", "1-2", "c", "3"],
        &["HSET", "h", "f1", "v1", "f2", "v2"],
        &["RPUSH", "l", "a", "b c", "x\"y\\z"],
        // Control and non-ASCII bytes, written through Lua's \ddd escapes.
        &[
            "EVAL",
            "return redis.call('rpush', KEYS[1], '\\10\\t\\1\\255\\195\\169')",
            "1",
            "l",
        ],
    ]);
}

fn port_args(server: &RedisServer, args: &[&str]) -> Vec<String> {
    let mut all = vec!["-p".to_owned(), server.port.to_string()];
    all.extend(args.iter().map(|s| s.to_string()));
    all
}

/// Runs `args` with both clients, piped, and asserts identical stdout,
/// stderr and exit status.
fn same_piped(server: &RedisServer, args: &[&str], input: &[u8]) {
    let args = port_args(server, args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    seed(server);
    let expected = run_piped(&reference("redis-cli"), &args, input);
    seed(server);
    let actual = run_piped(shoal_cli(), &args, input);
    assert_eq!(
        show(&actual.stdout),
        show(&expected.stdout),
        "stdout of {args:?}"
    );
    assert_eq!(actual.stdout, expected.stdout, "stdout bytes of {args:?}");
    assert_eq!(
        show(&actual.stderr),
        show(&expected.stderr),
        "stderr of {args:?}"
    );
    assert_eq!(
        actual.status.code(),
        expected.status.code(),
        "exit code of {args:?}"
    );
}

/// Runs `args` with both clients in a terminal and asserts they write the
/// same bytes to it.
fn same_in_pty(server: &RedisServer, args: &[&str]) {
    let args = port_args(server, args);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let env = [("SHOALCLI_NO_ADVICE", "1")];
    seed(server);
    let expected = run_pty(&reference("redis-cli"), &args, &env);
    seed(server);
    let actual = run_pty(shoal_cli(), &args, &env);
    assert_eq!(
        show(&actual),
        show(&expected),
        "terminal output of {args:?}"
    );
}

/// Commands whose output shapes cover every reply type and nesting.
const SHAPES: &[&[&str]] = &[
    &["set", "k2", "v"],
    &["get", "k"],
    &["get", "nokey"],
    &["incr", "counter"],
    &["lrange", "big", "0", "-1"],
    &["lrange", "nolist", "0", "-1"],
    &["lrange", "l", "0", "-1"],
    &["xrange", "s", "-", "+"],
    &["hgetall", "h"],
    &["-3", "hgetall", "h"],
    &["-3", "hgetall", "nokey"],
    &["-3", "smembers", "noset"],
    &["-3", "xread", "streams", "s", "0"],
    &["command", "info", "get"],
    &["foo", "bar"],
    &[
        "eval",
        "return {1,{},{2,{3,{}}},redis.error_reply('ERR boom'),false}",
        "0",
    ],
    &[
        "-3",
        "eval",
        "redis.setresp(3); return {map={a={{1,2}}, b={map={x=1}}}}",
        "0",
    ],
    &[
        "-3",
        "eval",
        "redis.setresp(3); return {1, {set={}}, true, false, {double=1.5}}",
        "0",
    ],
    &["-3", "debug", "protocol", "map"],
    &["-3", "debug", "protocol", "set"],
    &["-3", "debug", "protocol", "double"],
    &["-3", "debug", "protocol", "verbatim"],
    &["-3", "debug", "protocol", "null"],
    &["-3", "debug", "protocol", "true"],
    &["-3", "debug", "protocol", "push"],
    &["debug", "protocol", "verbatim"],
    &["info", "keyspace"],
    &["type", "h"],
];

#[test]
fn reply_shapes_match_redis_cli_when_piped() {
    let server = RedisServer::start(&[]);
    for args in SHAPES {
        same_piped(&server, args, b"");
    }
}

#[test]
fn reply_shapes_match_redis_cli_on_a_terminal() {
    let server = RedisServer::start(&[]);
    for args in SHAPES {
        same_in_pty(&server, args);
    }
}

#[test]
fn output_options_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let cases: &[&[&str]] = &[
        &["--no-raw", "lrange", "l", "0", "-1"],
        &["--no-raw", "-3", "xread", "streams", "s", "0"],
        &["--raw", "lrange", "l", "0", "-1"],
        &["--csv", "lrange", "l", "0", "-1"],
        &["--csv", "-3", "hgetall", "h"],
        &["--json", "hgetall", "h"],
        &["--json", "lrange", "l", "0", "-1"],
        &["--quoted-json", "lrange", "l", "0", "-1"],
        &["-2", "--json", "hgetall", "h"],
        &["-d", ",", "-D", ";", "lrange", "big", "0", "-1"],
        &["-e", "foo"],
        &["-e", "get", "k"],
        &["-r", "3", "incr", "n"],
        &["-r", "2", "-i", "0.05", "ping"],
        &["-n", "3", "incr", "n"],
        &["-a", "wrong", "ping"],
        &["-a", "wrong", "--no-auth-warning", "ping"],
        &["--quoted-input", "set", "\"a\\x41\"", "b"],
        &["help", "get"],
        &["help", "@hyperloglog"],
        &["help", "client", "no-evict"],
    ];
    for args in cases {
        same_piped(&server, args, b"");
    }
    same_in_pty(&server, &["--raw", "lrange", "l", "0", "-1"]);
    same_in_pty(&server, &["-e", "foo"]);
    same_in_pty(&server, &["help", "set"]);
}

#[test]
fn uri_and_stdin_arguments_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let uri = format!("redis://127.0.0.1:{}/2", server.port);
    same_piped(&server, &["-u", &uri, "incr", "n"], b"");
    same_piped(&server, &["-x", "set", "xk"], b"hello\nworld\n");
    same_piped(&server, &["-X", "tag", "set", "xt", "tag"], b"tagged");
    same_piped(&server, &["-X", "tag", "set", "xt", "nomatch"], b"tagged");
}

#[test]
fn commands_on_stdin_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let script = b"set a 1\nget a\n\n   \nincr a\nfoo\n\"unterminated\nlrange l 0 -1\n3 incr a\nselect 2\nget a\nmulti\nset b 2\nlpush b x\nexec\nhgetall h\nquit\nget a\n";
    same_piped(&server, &[], script);
    same_piped(&server, &["--no-raw"], script);
    same_piped(&server, &["-3", "--no-raw"], b"hgetall h\nsmembers nope\n");
}

#[test]
fn command_line_errors_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let dead = free_port().to_string();
    for args in [
        vec!["--bogus", "ping"],
        vec!["-p"],
        vec!["-2", "-3", "ping"],
        vec!["-c", "-s", "/tmp/nope.sock", "ping"],
        vec!["-u", "http://x", "ping"],
        vec!["--cluster", "nosuch"],
        vec!["--cluster", "create", "127.0.0.1:1"],
        vec!["-p", dead.as_str(), "ping"],
    ] {
        same_piped(&server, &args, b"");
    }
    same_in_pty(&server, &["-p", dead.as_str(), "ping"]);
}

#[test]
fn unwritten_cluster_subcommands_say_they_are_not_implemented() {
    let out = run_piped(shoal_cli(), &["--cluster", "import", "127.0.0.1:7000"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        show(&out.stderr).contains("not implemented yet"),
        "{}",
        show(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn version_and_help_exit_zero() {
    let out = run_piped(shoal_cli(), &["--version"], b"");
    assert_eq!(
        show(&out.stdout),
        format!("shoal-cli {}\n", env!("CARGO_PKG_VERSION"))
    );
    let out = run_piped(shoal_cli(), &["--help"], b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(show(&out.stdout).starts_with("shoal-cli "));
    assert!(show(&out.stdout).contains("Usage: shoal-cli [OPTIONS] [cmd [arg [arg ...]]]"));
    let out = run_piped(shoal_cli(), &["-p", "7000", "-h"], b"");
    assert_eq!(
        out.status.code(),
        Some(0),
        "-h as the last argument asks for help"
    );
}

#[test]
fn a_refused_connection_gets_a_hint_on_a_terminal() {
    let dead = free_port().to_string();
    let out = run_pty(shoal_cli(), &["-p", &dead, "ping"], &[]);
    let text = show(&out);
    assert!(
        text.starts_with(&format!(
            "Could not connect to Redis at 127.0.0.1:{dead}: Connection refused\r\nhint: "
        )),
        "{text}"
    );
    // Piped, stderr carries redis-cli's line only.
    let out = run_piped(shoal_cli(), &["-p", &dead, "ping"], b"");
    assert_eq!(
        show(&out.stderr),
        format!("Could not connect to Redis at 127.0.0.1:{dead}: Connection refused\n")
    );
}
