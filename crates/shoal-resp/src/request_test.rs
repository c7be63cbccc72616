//! Tests of the request decoder against redis-server 7.0.15's behaviour.
//!
//! Every golden case below was sent as raw bytes over a socket to a real
//! `redis-server 7.0.15 --port <free> --save '' --appendonly no` on
//! 127.0.0.1 (and a second one started with `--requirepass`, for the
//! unauthenticated limits), noting the exact reply bytes and whether the
//! server closed the connection. Verified there:
//! - every error text, sent as `-ERR <text>\r\n`, then the connection closed;
//! - `*0`, `*-1`, `*-5`, `*-2147483649` and `*-9223372036854775808` run
//!   nothing and the next command runs; `*2147483647` waits for more,
//!   `*2147483648` is an invalid multibulk length, and so are `*+1`, `*01`,
//!   `*-0`, `*`, 20 and 21 digit counts;
//! - `$-1`, `$+1`, `$abc`, `$` (empty) and `$536870913` are invalid bulk
//!   lengths while `$536870912` waits for data;
//! - without `AUTH` on a password-protected server, `*11` and `$16385` fail
//!   while `*10` and `$16384` wait; an invalid count or length reports
//!   "invalid" before "unauthenticated"; `*-20` is still skipped;
//! - 65537 bytes without a terminator fail (inline, count line, bulk length
//!   line) while 65536 bytes wait;
//! - `expected '$', got '<c>'` sends the byte raw (`\xff` too) but shows CR
//!   and LF as a space;
//! - the byte after a header's CR and the two bytes after a bulk's data are
//!   not checked (`*1\rX`, `fooXY` are accepted);
//! - a NUL before a line's terminator makes the server wait (inline, count
//!   line, bulk length line) until the 64 KiB error; NUL inside bulk data
//!   or after a complete inline line is fine;
//! - inline splitting: the `ECHO` replies for quotes, escapes (`\x41`, `\n`,
//!   `\q` -> `q`, `\x4g` -> `x4g`), quotes opening mid-token (`foo"bar baz"`
//!   is one argument), vertical tab and form feed (skipped as leading blanks
//!   but kept inside unquoted tokens), CR inside a line splitting tokens,
//!   `\n`-only line ends, `\r\r\n` endings, and empty or blank lines
//!   running nothing;
//! - commands pipelined before a protocol error are answered first.

use super::*;
use crate::frame::encode_command;
use proptest::collection::vec;
use proptest::prelude::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations per thread, so tests can assert a path allocates
/// nothing without seeing other tests' allocations.
struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to the system allocator unchanged.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Runs `f` and returns how many allocations it made on this thread.
pub(crate) fn allocations_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = ALLOCATIONS.with(Cell::get);
    let out = f();
    (out, ALLOCATIONS.with(Cell::get) - before)
}

/// What the server would see: commands (argument lists) and skipped
/// requests, in order, then an error or the bytes still pending.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Command(Vec<Vec<u8>>),
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Outcome {
    events: Vec<Event>,
    error: Option<ProtocolError>,
    pending: usize,
}

/// Feeds `chunks` as a server would: append each read, parse every request
/// it completes, drop what was consumed.
fn feed(chunks: &[&[u8]], limits: &RequestLimits) -> Outcome {
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut events = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while !buf.is_empty() {
            match parser.parse(&buf, limits, &mut argv) {
                Ok(Parsed::Command { consumed }) => {
                    let args = argv.args(&buf);
                    assert_eq!(args.len(), argv.len());
                    events.push(Event::Command(args.iter().map(<[u8]>::to_vec).collect()));
                    assert!(consumed > 0 && consumed <= buf.len());
                    buf.drain(..consumed);
                }
                Ok(Parsed::Skipped { consumed }) => {
                    events.push(Event::Skipped);
                    assert!(consumed > 0 && consumed <= buf.len());
                    buf.drain(..consumed);
                }
                Ok(Parsed::Incomplete { .. }) => break,
                Err(e) => {
                    // What is left unread after an error depends on how the
                    // input was cut, and the connection closes anyway.
                    return Outcome {
                        events,
                        error: Some(e),
                        pending: 0,
                    };
                }
            }
        }
    }
    Outcome {
        events,
        error: None,
        pending: buf.len(),
    }
}

fn whole(input: &[u8]) -> Outcome {
    feed(&[input], &RequestLimits::default())
}

fn unauthenticated(input: &[u8]) -> Outcome {
    let limits = RequestLimits {
        authenticated: false,
        ..RequestLimits::default()
    };
    feed(&[input], &limits)
}

fn cmd(args: &[&[u8]]) -> Event {
    Event::Command(args.iter().map(|a| a.to_vec()).collect())
}

fn reply_bytes(e: &ProtocolError) -> Vec<u8> {
    let mut out = ReplyBuf::new();
    e.write_reply(&mut out);
    out.as_bytes().to_vec()
}

/// Asserts `outcome` ended in the error whose reply Redis sent as `reply`.
#[track_caller]
fn assert_error(outcome: &Outcome, reply: &[u8]) {
    let e = outcome.error.as_ref().expect("a protocol error");
    assert_eq!(
        reply_bytes(e).escape_ascii().to_string(),
        reply.escape_ascii().to_string()
    );
}

const PING: &[u8] = b"*1\r\n$4\r\nPING\r\n";

fn then_ping(prefix: &[u8]) -> Vec<u8> {
    [prefix, PING].concat()
}

#[test]
fn protocol_errors_reply_with_redis_exact_bytes() {
    let a65537 = vec![b'a'; 65537];
    let count65537 = [b"*".as_slice(), &[b'1'; 65536]].concat();
    let bulk65537 = [b"*1\r\n$".as_slice(), &[b'1'; 65536]].concat();
    let cases: Vec<(&[u8], &[u8])> = vec![
        (&a65537, b"-ERR Protocol error: too big inline request\r\n"),
        (
            b"ECHO \"foo\r\n",
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        ),
        (
            &count65537,
            b"-ERR Protocol error: too big mbulk count string\r\n",
        ),
        (
            b"*abc\r\n",
            b"-ERR Protocol error: invalid multibulk length\r\n",
        ),
        (
            &bulk65537,
            b"-ERR Protocol error: too big bulk count string\r\n",
        ),
        (
            b"*1\r\nX\r\n",
            b"-ERR Protocol error: expected '$', got 'X'\r\n",
        ),
        (
            b"*1\r\n$-1\r\n",
            b"-ERR Protocol error: invalid bulk length\r\n",
        ),
    ];
    for (input, reply) in cases {
        assert_error(&whole(input), reply);
    }
    assert_error(
        &unauthenticated(b"*11\r\n"),
        b"-ERR Protocol error: unauthenticated multibulk length\r\n",
    );
    assert_error(
        &unauthenticated(b"*1\r\n$16385\r\n"),
        b"-ERR Protocol error: unauthenticated bulk length\r\n",
    );
}

#[test]
fn error_messages_are_the_text_after_err() {
    let e = whole(b"*abc\r\n").error.unwrap();
    assert_eq!(e.kind(), ProtocolErrorKind::InvalidMultibulkLength);
    assert_eq!(e.message(), "Protocol error: invalid multibulk length");
    assert_eq!(e.to_string(), "Protocol error: invalid multibulk length");
    let e = whole(b"*1\r\nX\r\n").error.unwrap();
    assert_eq!(e.to_string(), "Protocol error: expected '$', got 'X'");
    let e = whole(b"*1\r\n\xff\r\n").error.unwrap();
    assert_eq!(e.message(), "Protocol error: expected '$', got '\u{fffd}'");
}

#[test]
fn expected_dollar_shows_the_byte_raw_but_line_breaks_as_spaces() {
    assert_error(
        &whole(b"*1\r\n\xff\r\n"),
        b"-ERR Protocol error: expected '$', got '\xff'\r\n",
    );
    assert_error(
        &whole(b"*1\r\n\r\n"),
        b"-ERR Protocol error: expected '$', got ' '\r\n",
    );
    assert_error(
        &whole(b"*1\r\n\n\r\n"),
        b"-ERR Protocol error: expected '$', got ' '\r\n",
    );
}

#[test]
fn counts_at_or_below_zero_run_nothing() {
    for count in ["0", "-1", "-5", "-2147483649", "-9223372036854775808"] {
        let input = then_ping(format!("*{count}\r\n").as_bytes());
        let out = whole(&input);
        assert_eq!(
            out.events,
            vec![Event::Skipped, cmd(&[b"PING"])],
            "*{count}"
        );
        assert_eq!(out.error, None);
        assert_eq!(out.pending, 0);
    }
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    assert_eq!(
        parser.parse(b"*-1\r\n", &RequestLimits::default(), &mut argv),
        Ok(Parsed::Skipped { consumed: 5 })
    );
}

#[test]
fn multibulk_count_follows_redis_integer_rules() {
    for bad in [
        "*2147483648",
        "*+1",
        "*01",
        "*-0",
        "*",
        "* 1",
        "*1 ",
        "*11111111111111111111",
        "*111111111111111111111",
    ] {
        assert_error(
            &whole(format!("{bad}\r\n").as_bytes()),
            b"-ERR Protocol error: invalid multibulk length\r\n",
        );
    }
    let out = whole(b"*2147483647\r\n");
    assert_eq!((out.error, out.events.len()), (None, 0));
}

#[test]
fn bulk_length_follows_redis_integer_rules_and_the_limit() {
    for bad in [
        "$-1",
        "$+1",
        "$abc",
        "$",
        "$01",
        "$536870913",
        "$-9223372036854775808",
    ] {
        assert_error(
            &whole(format!("*1\r\n{bad}\r\n").as_bytes()),
            b"-ERR Protocol error: invalid bulk length\r\n",
        );
    }
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    assert_eq!(
        parser.parse(
            b"*1\r\n$536870912\r\n",
            &RequestLimits::default(),
            &mut argv
        ),
        Ok(Parsed::Incomplete {
            needed: 536870912 + 2
        })
    );
    let small = RequestLimits {
        max_bulk_len: 3,
        authenticated: true,
    };
    assert!(feed(&[b"*1\r\n$4\r\n"], &small).error.is_some());
    assert_eq!(
        feed(&[b"*1\r\n$3\r\nabc\r\n"], &small).events,
        vec![cmd(&[b"abc"])]
    );
}

#[test]
fn unauthenticated_limits_apply_only_before_auth() {
    let ok = unauthenticated(b"*10\r\n");
    assert_eq!((ok.error, ok.events.len()), (None, 0));
    let ok = unauthenticated(b"*1\r\n$16384\r\n");
    assert_eq!(ok.error, None);
    assert_error(
        &unauthenticated(b"*2147483648\r\n"),
        b"-ERR Protocol error: invalid multibulk length\r\n",
    );
    assert_error(
        &unauthenticated(b"*1\r\n$-1\r\n"),
        b"-ERR Protocol error: invalid bulk length\r\n",
    );
    assert_eq!(
        unauthenticated(&then_ping(b"*-20\r\n")).events,
        vec![Event::Skipped, cmd(&[b"PING"])]
    );
    // Inline requests have no such limit.
    let many = unauthenticated(b"a b c d e f g h i j k l m\r\n");
    assert_eq!(many.events.len(), 1);
    // Authenticated clients are not limited.
    assert_eq!(whole(b"*11\r\n").error, None);
    assert_eq!(whole(b"*1\r\n$16385\r\n").error, None);
}

#[test]
fn header_lines_may_wait_for_64_kib_exactly() {
    let inline = vec![b'a'; 65536];
    let count = [b"*".as_slice(), &[b'1'; 65535]].concat();
    let bulk = [b"*1\r\n$".as_slice(), &[b'1'; 65535]].concat();
    for input in [inline, count, bulk] {
        let out = whole(&input);
        assert_eq!(out.error, None);
        assert_eq!(out.pending, input.len());
    }
}

#[test]
fn terminator_bytes_after_cr_and_after_bulk_data_are_not_checked() {
    let out = whole(&then_ping(b"*2\r\n$4\r\nECHO\r\n$3\r\nfooXY"));
    assert_eq!(out.events, vec![cmd(&[b"ECHO", b"foo"]), cmd(&[b"PING"])]);
    let out = whole(b"*1\rX$4\r\nPING\r\n");
    assert_eq!(out.events, vec![cmd(&[b"PING"])]);
    let out = whole(b"*1\r\n$4\rXPING\r\n");
    assert_eq!(out.events, vec![cmd(&[b"PING"])]);
}

#[test]
fn a_nul_before_the_terminator_stalls_the_line_until_the_limit() {
    for stalled in [
        then_ping(b"PI\x00NG\r\n"),
        then_ping(b"\x00PING\r\n"),
        then_ping(b"*1\x00\r\n"),
        then_ping(b"*1\r\n$1\x00\r\n"),
    ] {
        let out = whole(&stalled);
        assert_eq!(
            (out.events.len(), out.error),
            (0, None),
            "{}",
            stalled.escape_ascii()
        );
    }
    let big = [b"PI\x00".as_slice(), &[b'a'; 65536]].concat();
    assert_error(
        &whole(&big),
        b"-ERR Protocol error: too big inline request\r\n",
    );
    let big = [b"*1\r\n$1\x00".as_slice(), &[b'a'; 65536]].concat();
    assert_error(
        &whole(&big),
        b"-ERR Protocol error: too big bulk count string\r\n",
    );
    // Arriving in pieces does not unstick it either.
    let out = feed(&[b"*1\x00", b"\r\n", PING], &RequestLimits::default());
    assert_eq!(out.events.len(), 0);
    // NUL in bulk data or after a whole inline line is harmless.
    assert_eq!(
        whole(b"*2\r\n$4\r\nECHO\r\n$3\r\na\x00b\r\n").events,
        vec![cmd(&[b"ECHO", b"a\x00b"])]
    );
    assert_eq!(whole(b"PING\r\n\x00").events, vec![cmd(&[b"PING"])]);
}

#[test]
fn inline_lines_split_like_redis() {
    // Each expected list is what redis-server's ECHO replies showed.
    let cases: Vec<(&[u8], Vec<&[u8]>)> = vec![
        (b"PING\r\n", vec![b"PING"]),
        (b"PING\n", vec![b"PING"]),
        (b"ECHO\ta\r\n", vec![b"ECHO", b"a"]),
        (b"  SET  k   v  \r\n", vec![b"SET", b"k", b"v"]),
        (
            b"ECHO \"a\\x41\\n\\r\\t\\b\\a\\\\\\\"\\q\\x4g\"\r\n",
            vec![b"ECHO", b"aA\n\r\t\x08\x07\\\"qx4g"],
        ),
        (b"ECHO \"\\xFF\\x0a\"\r\n", vec![b"ECHO", b"\xff\n"]),
        (b"ECHO 'a\\'b\\n'\r\n", vec![b"ECHO", b"a'b\\n"]),
        (b"ECHO foo\"bar baz\"\r\n", vec![b"ECHO", b"foobar baz"]),
        (b"ECHO foo'bar baz'\r\n", vec![b"ECHO", b"foobar baz"]),
        (b"ECHO \"foo\"\x0b\r\n", vec![b"ECHO", b"foo"]),
        (b"ECHO a\x0bb\r\n", vec![b"ECHO", b"a\x0bb"]),
        (b"\x0b\x0cECHO\x0b\x0cab\r\n", vec![b"ECHO\x0b\x0cab"]),
        (b"ECHO a\rb\n", vec![b"ECHO", b"a", b"b"]),
        (b"ECHO \"a\"\rb\n", vec![b"ECHO", b"a", b"b"]),
        (b"ECHO 'x'\tb\r\n", vec![b"ECHO", b"x", b"b"]),
        (b"ECHO \"x\"\x0cb\r\n", vec![b"ECHO", b"x", b"b"]),
        (b"ECHO \xff\r\n", vec![b"ECHO", b"\xff"]),
        (b"ECHO \"\"\r\n", vec![b"ECHO", b""]),
        (b"ECHO ''\r\n", vec![b"ECHO", b""]),
        (b"ECHO a\r\r\n", vec![b"ECHO", b"a"]),
        (b"ECHO \"a\rb\"\r\n", vec![b"ECHO", b"a\rb"]),
        (b" *1\r\n", vec![b"*1"]),
        (b"ECHO \\x41 a\\b\r\n", vec![b"ECHO", b"\\x41", b"a\\b"]),
    ];
    for (line, want) in cases {
        let out = whole(line);
        assert_eq!(out.error, None, "{}", line.escape_ascii());
        assert_eq!(out.events, vec![cmd(&want)], "{}", line.escape_ascii());
        assert_eq!(out.pending, 0);
    }
}

#[test]
fn unbalanced_quotes_are_rejected() {
    for line in [
        b"ECHO \"foo\r\n".as_slice(),
        b"ECHO \"foo\"bar\r\n",
        b"ECHO 'foo'bar\r\n",
        b"ECHO 'foo\r\n",
        b"ECHO 'a\\'b\\n\\\\'\r\n",
        b"ECHO \"ab\\\r\n",
        b"ECHO \"ab\\\"\r\n",
        b"\"\"x\n",
        b"ECHO a\\\"b\r\n",
    ] {
        assert_error(
            &whole(line),
            b"-ERR Protocol error: unbalanced quotes in request\r\n",
        );
    }
}

#[test]
fn blank_inline_lines_run_nothing() {
    let out = whole(&then_ping(b"\r\n   \r\n\n\t\n"));
    assert_eq!(
        out.events,
        vec![
            Event::Skipped,
            Event::Skipped,
            Event::Skipped,
            Event::Skipped,
            cmd(&[b"PING"])
        ]
    );
}

#[test]
fn commands_before_an_error_are_parsed_first() {
    let out = whole(&[b"PING\r\n".as_slice(), PING, b"*x\r\n", PING].concat());
    assert_eq!(out.events, vec![cmd(&[b"PING"]), cmd(&[b"PING"])]);
    assert_error(&out, b"-ERR Protocol error: invalid multibulk length\r\n");
}

#[test]
fn incomplete_reports_the_bytes_still_missing() {
    let limits = RequestLimits::default();
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    let mut buf = b"*2\r\n$3\r\nGET\r\n$10\r\n0123".to_vec();
    assert_eq!(
        parser.parse(&buf, &limits, &mut argv),
        Ok(Parsed::Incomplete { needed: 8 })
    );
    buf.extend_from_slice(b"456789\r");
    assert_eq!(
        parser.parse(&buf, &limits, &mut argv),
        Ok(Parsed::Incomplete { needed: 1 })
    );
    buf.extend_from_slice(b"\n*1");
    assert_eq!(
        parser.parse(&buf, &limits, &mut argv),
        Ok(Parsed::Command {
            consumed: buf.len() - 2
        })
    );
    let args = argv.args(&buf);
    assert_eq!(
        args.iter().collect::<Vec<_>>(),
        vec![&b"GET"[..], b"0123456789"]
    );
    // A header line that lacks its last byte.
    let mut parser = RequestParser::new();
    assert_eq!(
        parser.parse(b"*1\r", &limits, &mut argv),
        Ok(Parsed::Incomplete { needed: 1 })
    );
    let mut parser = RequestParser::new();
    assert_eq!(
        parser.parse(b"", &limits, &mut argv),
        Ok(Parsed::Incomplete { needed: 0 })
    );
}

#[test]
fn reset_forgets_a_partial_request() {
    let limits = RequestLimits::default();
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    assert!(matches!(
        parser.parse(b"*2\r\n$3\r\nGET\r\n", &limits, &mut argv),
        Ok(Parsed::Incomplete { .. })
    ));
    parser.reset();
    assert_eq!(
        parser.parse(b"PING\r\n", &limits, &mut argv),
        Ok(Parsed::Command { consumed: 6 })
    );
    assert_eq!(argv.args(b"PING\r\n").get(0), b"PING");
}

/// Feeds `input` one byte at a time and returns the bytes the parser's line
/// searches examined in total.
fn examined_feeding_bytewise(input: &[u8]) -> usize {
    let limits = RequestLimits::default();
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    for end in 1..=input.len() {
        match parser.parse(&input[..end], &limits, &mut argv) {
            Ok(Parsed::Incomplete { .. }) => assert!(end < input.len()),
            Ok(Parsed::Command { consumed }) => assert_eq!(consumed, input.len()),
            other => panic!("{other:?}"),
        }
    }
    parser.examined
}

#[test]
fn resuming_does_not_rescan_what_was_already_searched() {
    // A long inline line and a multibulk request with many arguments and a
    // long bulk, each fed one byte at a time: rescanning from the start on
    // every call would examine about n^2 / 2 bytes.
    let inline = [vec![b'x'; 60_000], b"\r\n".to_vec()].concat();
    assert!(examined_feeding_bytewise(&inline) <= inline.len() + 8);
    let args: Vec<Vec<u8>> = (0..2000).map(|i| format!("arg{i}").into_bytes()).collect();
    let mut multibulk = Vec::new();
    encode_command(&args, &mut multibulk);
    assert!(examined_feeding_bytewise(&multibulk) <= multibulk.len());
    let mut big = Vec::new();
    encode_command(&[vec![b'v'; 100_000]], &mut big);
    assert!(examined_feeding_bytewise(&big) < 64);
}

#[test]
fn steady_state_parsing_does_not_allocate() {
    let limits = RequestLimits::default();
    let mut input = Vec::new();
    for i in 0..200 {
        encode_command(&["SET", &format!("key:{i}"), "some value"], &mut input);
        input.extend_from_slice(b"GET \"key\\x3a1\" 'x'\r\n");
        input.extend_from_slice(b"*0\r\n");
    }
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    let run = |parser: &mut RequestParser, argv: &mut Argv| {
        let mut at = 0;
        let mut commands = 0;
        while at < input.len() {
            match parser.parse(&input[at..], &limits, argv).unwrap() {
                Parsed::Command { consumed } => {
                    commands += argv.args(&input[at..]).iter().count();
                    at += consumed;
                }
                Parsed::Skipped { consumed } => at += consumed,
                Parsed::Incomplete { .. } => unreachable!("the input is whole"),
            }
        }
        commands
    };
    run(&mut parser, &mut argv); // warms up argv's vectors
    let (args_seen, allocations) = allocations_during(|| run(&mut parser, &mut argv));
    assert_eq!(args_seen, 200 * 6);
    assert_eq!(allocations, 0);
}

#[test]
fn a_huge_announced_count_does_not_reserve_for_it() {
    let limits = RequestLimits::default();
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    assert!(matches!(
        parser.parse(b"*2147483647\r\n", &limits, &mut argv),
        Ok(Parsed::Incomplete { .. })
    ));
    assert!(argv.heap_size() <= 1024 * 16 + 64);
}

#[test]
fn args_views_and_owned_copies() {
    let buf = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    assert_eq!(
        parser.parse(buf, &RequestLimits::default(), &mut argv),
        Ok(Parsed::Command {
            consumed: buf.len()
        })
    );
    assert_eq!((argv.len(), argv.is_empty()), (3, false));
    let args = argv.args(buf);
    assert_eq!(
        (args.len(), args.get(0), args.get(2)),
        (3, &b"SET"[..], &b"value"[..])
    );
    let rest = args.skip(1);
    assert_eq!(rest.iter().collect::<Vec<_>>(), vec![&b"k"[..], b"value"]);
    assert!(args.skip(3).is_empty() && args.skip(99).is_empty());
    assert_eq!(args.iter().next_back(), Some(&b"value"[..]));
    assert_eq!(format!("{args:?}"), r#"["SET", "k", "value"]"#);

    let owned = args.to_owned();
    assert_eq!(owned.args(), args);
    assert_eq!(owned, OwnedArgs::from_slices(&[b"SET", b"k", b"value"]));
    assert_eq!(owned.heap_size(), 9 + 3 * std::mem::size_of::<Span>());
    assert_eq!(OwnedArgs::from(rest).args().get(1), b"value");
    assert!(OwnedArgs::from_slices(&[]).args().is_empty());
    let mut n = 0;
    for a in owned.args() {
        n += a.len();
    }
    assert_eq!(n, 9);
}

#[test]
#[should_panic]
fn args_get_panics_out_of_range() {
    let owned = OwnedArgs::from_slices(&[b"a"]);
    let _ = owned.args().get(1);
}

#[test]
fn argv_shrink_gives_back_memory_of_a_huge_command() {
    let mut input = Vec::new();
    let args: Vec<String> = (0..5000).map(|i| i.to_string()).collect();
    encode_command(&args, &mut input);
    let mut parser = RequestParser::new();
    let mut argv = Argv::new();
    parser
        .parse(&input, &RequestLimits::default(), &mut argv)
        .unwrap();
    let big = argv.heap_size();
    argv.shrink();
    assert_eq!(argv.len(), 5000, "shrinking keeps the current arguments");
    parser
        .parse(PING, &RequestLimits::default(), &mut argv)
        .unwrap();
    argv.shrink();
    assert!(argv.heap_size() < big / 10);
    assert_eq!(argv.args(PING).get(0), b"PING");
}

#[test]
fn redis_integer_parser_table() {
    let cases: &[(&[u8], Option<i64>)] = &[
        (b"0", Some(0)),
        (b"7", Some(7)),
        (b"-7", Some(-7)),
        (b"9223372036854775807", Some(i64::MAX)),
        (b"-9223372036854775808", Some(i64::MIN)),
        (b"9223372036854775808", None),
        (b"-9223372036854775809", None),
        (b"18446744073709551616", None),
        (b"", None),
        (b"-", None),
        (b"+1", None),
        (b"01", None),
        (b"-0", None),
        (b"00", None),
        (b"1a", None),
        (b" 1", None),
        (b"000000000000000000001", None),
    ];
    for (text, want) in cases {
        assert_eq!(parse_redis_integer(text), *want, "{}", text.escape_ascii());
    }
}

// ---- property tests ----

/// How one request is written on the wire in the generated streams.
#[derive(Debug, Clone)]
enum Request {
    Multibulk(Vec<Vec<u8>>),
    /// Arguments, a quoting choice per argument, separators, and whether
    /// the line ends in CRLF or LF alone.
    Inline(Vec<Vec<u8>>, Vec<u8>, Vec<u8>, bool),
    EmptyMultibulk(i64),
    BlankLine(&'static str),
}

fn is_bare_safe(arg: &[u8], first: bool) -> bool {
    let special = |b: &u8| {
        matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | 0x0b | 0x0c | b'"' | b'\'' | 0
        )
    };
    match arg.first() {
        None => false,
        Some(b'*') if first => false,
        Some(_) => !arg.iter().any(special),
    }
}

/// Writes `arg` so the inline splitter gives it back: bare, in single
/// quotes or in double quotes with escapes, as `style` asks and the bytes
/// allow.
fn quote(arg: &[u8], style: u8, first: bool, out: &mut Vec<u8>) {
    let single_ok = !arg.iter().any(|b| matches!(b, b'\n' | 0)) && arg.last() != Some(&b'\\');
    match style % 3 {
        0 if is_bare_safe(arg, first) => out.extend_from_slice(arg),
        1 if single_ok => {
            out.push(b'\'');
            for &b in arg {
                if b == b'\'' {
                    out.push(b'\\');
                }
                out.push(b);
            }
            out.push(b'\'');
        }
        _ => {
            out.push(b'"');
            for &b in arg {
                match b {
                    b'"' | b'\\' => out.extend_from_slice(&[b'\\', b]),
                    0x20..=0x7e => out.push(b),
                    _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
                }
            }
            out.push(b'"');
        }
    }
}

impl Request {
    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Request::Multibulk(args) => encode_command(args, out),
            Request::Inline(args, styles, seps, crlf) => {
                for (i, arg) in args.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(match seps[i % seps.len()] % 3 {
                            0 => b" ".as_slice(),
                            1 => b"\t",
                            _ => b"  ",
                        });
                    }
                    quote(arg, styles[i % styles.len()], i == 0, out);
                }
                out.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
            }
            Request::EmptyMultibulk(n) => out.extend_from_slice(format!("*{n}\r\n").as_bytes()),
            Request::BlankLine(line) => out.extend_from_slice(line.as_bytes()),
        }
    }

    fn event(&self) -> Event {
        match self {
            Request::Multibulk(args) | Request::Inline(args, ..) => Event::Command(args.clone()),
            Request::EmptyMultibulk(_) | Request::BlankLine(_) => Event::Skipped,
        }
    }
}

fn arg() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        "[a-zA-Z0-9:_-]{1,12}".prop_map(String::into_bytes),
        vec(any::<u8>(), 0..24),
        vec(any::<u8>(), 200..600),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        4 => vec(arg(), 1..6).prop_map(Request::Multibulk),
        3 => (vec(arg(), 1..6), vec(any::<u8>(), 1..6), vec(any::<u8>(), 1..4), any::<bool>())
            .prop_map(|(a, s, p, crlf)| Request::Inline(a, s, p, crlf)),
        1 => prop_oneof![Just(0i64), Just(-1), Just(-7)].prop_map(Request::EmptyMultibulk),
        1 => prop_oneof![Just("\r\n"), Just("\n"), Just("  \t\r\n")].prop_map(Request::BlankLine),
    ]
}

fn cut_into<'a>(bytes: &'a [u8], cuts: &[prop::sample::Index]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
    at.push(0);
    at.push(bytes.len());
    at.sort_unstable();
    at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect()
}

proptest! {
    #[test]
    fn any_split_of_a_pipeline_gives_the_same_commands(
        requests in vec(request(), 1..8),
        cuts in vec(any::<prop::sample::Index>(), 0..12),
    ) {
        let mut bytes = Vec::new();
        for r in &requests {
            r.write(&mut bytes);
        }
        let expected = Outcome {
            events: requests.iter().map(Request::event).collect(),
            error: None,
            pending: 0,
        };
        prop_assert_eq!(&whole(&bytes), &expected);
        let chunks = cut_into(&bytes, &cuts);
        prop_assert_eq!(&feed(&chunks, &RequestLimits::default()), &expected);
        // The worst case for resuming: one byte per read.
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        prop_assert_eq!(&feed(&bytewise, &RequestLimits::default()), &expected);
    }

    #[test]
    fn encode_command_round_trips_through_the_parser(args in vec(arg(), 1..12)) {
        let mut bytes = Vec::new();
        encode_command(&args, &mut bytes);
        let mut parser = RequestParser::new();
        let mut argv = Argv::new();
        let parsed = parser.parse(&bytes, &RequestLimits::default(), &mut argv);
        prop_assert_eq!(parsed, Ok(Parsed::Command { consumed: bytes.len() }));
        let got: Vec<Vec<u8>> = argv.args(&bytes).iter().map(<[u8]>::to_vec).collect();
        prop_assert_eq!(&got, &args);
        let owned = argv.args(&bytes).to_owned();
        prop_assert_eq!(owned.args(), argv.args(&bytes));
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        bytes in vec(any::<u8>(), 0..512),
        cuts in vec(any::<prop::sample::Index>(), 0..6),
        authenticated in any::<bool>(),
        max_bulk_len in prop_oneof![Just(DEFAULT_MAX_BULK_LEN), 0u64..64, Just(u64::MAX)],
    ) {
        let limits = RequestLimits { max_bulk_len, authenticated };
        let split = feed(&cut_into(&bytes, &cuts), &limits);
        let at_once = feed(&[&bytes], &limits);
        // Reads may change when the 64 KiB checks fire, but not below it.
        prop_assert_eq!(split, at_once);
    }

    #[test]
    fn protocol_shaped_garbage_never_panics(
        parts in vec(prop::sample::select(vec![
            &b"*"[..], b"$", b"\r\n", b"\r", b"\n", b"-1", b"2", b"0", b"\"", b"'", b"\\x4",
            b"\\", b" ", b"\x00", b"a", b"99999999999",
        ]), 0..64),
        cuts in vec(any::<prop::sample::Index>(), 0..6),
    ) {
        let bytes = parts.concat();
        let limits = RequestLimits::default();
        prop_assert_eq!(feed(&cut_into(&bytes, &cuts), &limits), feed(&[&bytes], &limits));
    }
}
