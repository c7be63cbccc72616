//! The interactive session in a terminal, compared with redis-cli's: the
//! same lines typed into both, and the resulting screens (prompts, replies,
//! messages) must be identical. The line editors differ (linenoise draws
//! with other escape sequences than rustyline), so screens are compared
//! after rendering, as a person would see them.

mod common;

use std::time::Duration;

use common::*;

/// Types `lines` into `program` running interactively against `port`,
/// then `quit`, and returns the rendered screen.
fn session_screen(
    program: &str,
    extra: &[&str],
    port: u16,
    lines: &[&str],
    env: &[(&str, &str)],
) -> String {
    let mut args = vec!["-p".to_owned(), port.to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut env = env.to_vec();
    env.push(("SHOALCLI_NO_ADVICE", "1"));
    let mut pty = Pty::spawn(program, &args, &env);
    pty.wait_prompt(0);
    for line in lines {
        pty.line(line);
    }
    pty.line("quit");
    let raw = pty.finish();
    if let Some(dir) = std::env::var_os("SHOAL_CLI_TEST_DUMP") {
        let name = std::path::Path::new(program)
            .file_name()
            .unwrap()
            .to_owned();
        let _ = std::fs::write(std::path::Path::new(&dir).join(name), &raw);
    }
    render_screen(&raw)
}

fn same_session(server: &RedisServer, extra: &[&str], lines: &[&str], reset: &[&[&str]]) {
    server.run(reset);
    // Messages that name the program itself name shoal-cli.
    let expected = session_screen(&reference("redis-cli"), extra, server.port, lines, &[])
        .replace("redis-cli ", "shoal-cli ");
    server.run(reset);
    let actual = session_screen(shoal_cli(), extra, server.port, lines, &[]);
    assert_eq!(
        actual, expected,
        "screens differ\n--- shoal-cli:\n{actual}\n--- redis-cli:\n{expected}"
    );
}

#[test]
fn prompts_and_replies_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let reset: &[&[&str]] = &[
        &["FLUSHALL"],
        &["RPUSH", "l", "a", "b c", "d"],
        &["HSET", "h", "f", "v"],
    ];
    same_session(
        &server,
        &[],
        &[
            "ping",
            "set k v",
            "get k",
            "get nokey",
            "lrange l 0 -1",
            "select 2",
            "multi",
            "set x 1",
            "incr x",
            "exec",
            "multi",
            "select 5",
            "discard",
            "select 0",
            "3 incr counter",
            "0 incr counter",
            "foo bar",
            "set \"unterminated",
            "set 'a'b c",
            "   ",
            ":set nohints",
            ":set hints",
            "help get",
            "help @hyperloglog",
            "eval \"return {1,{2,{3}},{}}\" 0",
        ],
        reset,
    );
}

#[test]
fn resp3_session_matches_redis_cli() {
    let server = RedisServer::start(&[]);
    let reset: &[&[&str]] = &[
        &["FLUSHALL"],
        &["HSET", "h", "f1", "v1", "f2", "v2"],
        &["XADD", "s", "1-1", "a", "1"],
    ];
    same_session(
        &server,
        &["-3"],
        &[
            "hgetall h",
            "xread streams s 0",
            "smembers none",
            "debug protocol push",
            "debug protocol double",
        ],
        reset,
    );
}

#[test]
fn connect_and_lost_connections_match_redis_cli() {
    let server = RedisServer::start(&[]);
    let other = RedisServer::start(&[]);
    let dead = free_port().to_string();
    let connect_dead = format!("connect 127.0.0.1 {dead}");
    let connect_other = format!("connect 127.0.0.1 {}", other.port);
    let connect_back = format!("connect 127.0.0.1 {}", server.port);
    same_session(
        &server,
        &["-n", "3"],
        &[
            "ping",
            &connect_dead,
            "ping",
            &connect_other,
            "select 1",
            "client kill type normal",
            "ping",
            "ping",
            &connect_back,
            "dbsize",
        ],
        &[&["FLUSHALL"]],
    );
}

#[test]
fn shutdown_leaves_the_session_not_connected() {
    let server = RedisServer::start(&[]);
    let screen = session_screen(
        shoal_cli(),
        &[],
        server.port,
        &["shutdown nosave", "ping"],
        &[],
    );
    let lines: Vec<&str> = screen.lines().collect();
    let port = server.port;
    assert_eq!(lines[0], format!("127.0.0.1:{port}> shutdown nosave"));
    assert_eq!(lines[1], "not connected> ping");
    assert_eq!(
        lines[2],
        format!("Could not connect to Redis at 127.0.0.1:{port}: Connection refused")
    );
}

#[test]
fn hints_show_the_remaining_arguments() {
    let server = RedisServer::start(&[]);
    for program in [reference("redis-cli"), shoal_cli().to_owned()] {
        let args = ["-p".to_owned(), server.port.to_string()];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut pty = Pty::spawn(&program, &args, &[]);
        pty.wait_prompt(0);
        let before = pty.output().len();
        pty.type_text("zadd key");
        pty.settle(before, Duration::from_millis(300));
        let screen = render_screen(&pty.output());
        assert_eq!(
            screen.lines().last().unwrap(),
            format!(
                "127.0.0.1:{}> zadd key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]",
                server.port
            ),
            "{program}"
        );
        // The hint is only shown: Enter sends what was typed. (Each line
        // waits for the answer: linenoise drops what is typed before it
        // is back in raw mode.)
        pty.line("");
        pty.line("quit");
        let screen = render_screen(&pty.finish());
        assert!(
            screen.contains("(error) ERR wrong number of arguments for 'zadd' command"),
            "{program}: {screen}"
        );
    }
}

#[test]
fn history_is_kept_without_passwords() {
    let server = RedisServer::start(&[]);
    let file = std::env::temp_dir().join(format!(
        "shoal-cli-history-{}-{}",
        std::process::id(),
        server.port
    ));
    let _ = std::fs::remove_file(&file);
    let path = file.to_str().unwrap();
    let args = ["-p".to_owned(), server.port.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(shoal_cli(), &args, &[("SHOALCLI_HISTFILE", path)]);
    pty.wait_prompt(0);
    for line in [
        "set k v",
        "auth secret",
        "config set masterauth x",
        "get k",
        "quit",
    ] {
        pty.line(line);
    }
    pty.finish();
    let history = std::fs::read_to_string(&file).unwrap_or_default();
    let _ = std::fs::remove_file(&file);
    assert!(
        history.contains("set k v") && history.contains("get k"),
        "{history}"
    );
    assert!(
        !history.contains("secret") && !history.contains("masterauth"),
        "{history}"
    );

    // A new session recalls it with the up arrow.
    std::fs::write(&file, "#V2\nget remembered\n").unwrap();
    let mut pty = Pty::spawn(shoal_cli(), &args, &[("SHOALCLI_HISTFILE", path)]);
    pty.wait_prompt(0);
    pty.line("\x1b[A");
    pty.line("quit");
    let screen = render_screen(&pty.finish());
    let _ = std::fs::remove_file(&file);
    assert!(screen.contains("> get remembered\n(nil)"), "{screen}");
}

#[test]
fn pasted_lines_all_run() {
    // redis-cli drops lines typed while a command runs (linenoise flushes
    // input when it re-enters raw mode); shoal-cli keeps them.
    let server = RedisServer::start(&[]);
    let args = ["-p".to_owned(), server.port.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(shoal_cli(), &args, &[("SHOALCLI_NO_ADVICE", "1")]);
    pty.wait_prompt(0);
    pty.line("set pasted 1\rincr pasted\rget pasted");
    pty.line("quit");
    let screen = render_screen(&pty.finish());
    let port = server.port;
    assert_eq!(
        screen,
        format!(
            "127.0.0.1:{port}> set pasted 1\nOK\n127.0.0.1:{port}> incr pasted\n(integer) 2\n\
             127.0.0.1:{port}> get pasted\n\"2\"\n127.0.0.1:{port}> quit"
        )
    );
}

#[test]
fn help_works_before_a_server_answers_and_the_session_connects_later() {
    let port = free_port();
    let args = ["-p".to_owned(), port.to_string()];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut pty = Pty::spawn(shoal_cli(), &args, &[("SHOALCLI_NO_ADVICE", "1")]);
    pty.wait_prompt(0);
    pty.line("help get");
    let screen = render_screen(&pty.output());
    assert!(
        screen.starts_with(&format!(
            "Could not connect to Redis at 127.0.0.1:{port}: Connection refused\nnot connected> "
        )),
        "{screen}"
    );
    // Help works offline, from Shoal's own command table.
    assert!(screen.contains("GET key"), "{screen}");
    let _server = RedisServer::start_on(port, &[]);
    pty.line("ping");
    pty.line("quit");
    let screen = render_screen(&pty.finish());
    assert!(
        screen.ends_with(&format!(
            "not connected> ping\nPONG\n127.0.0.1:{port}> quit"
        )),
        "{screen}"
    );
}
