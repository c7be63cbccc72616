//! Rendering checks. Each case pairs the reply bytes redis-server 7.0.15 sent
//! (captured from its socket) with what redis-cli 7.0.15 printed for them,
//! piped with `--no-raw` (standard), piped (raw), `--csv` and `--json`.

use super::*;
use shoal_resp::frame::decode;

fn frame(wire: &[u8]) -> Frame {
    let (frame, used) = decode(wire).expect("valid RESP").expect("a whole frame");
    assert_eq!(used, wire.len(), "one frame per case");
    frame
}

fn render(wire: &[u8], mode: OutputMode) -> String {
    String::from_utf8_lossy(&reply(&frame(wire), mode, &Delimiters::default())).into_owned()
}

/// (reply bytes, standard, raw)
const CASES: &[(&[u8], &str, &str)] = &[
    (b"+OK\r\n", "OK\n", "OK\n"),
    (b":12345\r\n", "(integer) 12345\n", "12345\n"),
    (b":-3\r\n", "(integer) -3\n", "-3\n"),
    (b"$1\r\nv\r\n", "\"v\"\n", "v\n"),
    (b"$0\r\n\r\n", "\"\"\n", "\n"),
    (b"$-1\r\n", "(nil)\n", "\n"),
    (b"*-1\r\n", "(nil)\n", "\n"),
    (b"_\r\n", "(nil)\n", "\n"),
    (b"*0\r\n", "(empty array)\n", "\n"),
    (b"%0\r\n", "(empty hash)\n", "\n"),
    (b"~0\r\n", "(empty set)\n", "\n"),
    (b">0\r\n", "(empty push)\n", "\n"),
    (b",3.141\r\n", "(double) 3.141\n", "3.141\n"),
    (b"#t\r\n", "(true)\n", "(true)\n"),
    (b"#f\r\n", "(false)\n", "(false)\n"),
    (
        b"-ERR unknown command 'foo', with args beginning with: \r\n",
        "(error) ERR unknown command 'foo', with args beginning with: \n",
        "ERR unknown command 'foo', with args beginning with: \n\n",
    ),
    (
        b"=29\r\ntxt:This is a verbatim\nstring\r\n",
        "This is a verbatim\nstring\n",
        "This is a verbatim\nstring\n",
    ),
    // LRANGE of eleven elements: numbers right-aligned to two digits.
    (
        b"*11\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n$2\r\n10\r\n$2\r\n11\r\n",
        " 1) \"1\"\n 2) \"2\"\n 3) \"3\"\n 4) \"4\"\n 5) \"5\"\n 6) \"6\"\n 7) \"7\"\n 8) \"8\"\n 9) \"9\"\n10) \"10\"\n11) \"11\"\n",
        "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n",
    ),
    // XRANGE: arrays nested two deep.
    (
        b"*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
        "1) 1) \"1-1\"\n   2) 1) \"a\"\n      2) \"1\"\n      3) \"b\"\n      4) \"2\"\n2) 1) \"1-2\"\n   2) 1) \"c\"\n      2) \"3\"\n",
        "1-1\na\n1\nb\n2\n1-2\nc\n3\n",
    ),
    // Quoting: quotes, backslashes, control bytes and non-ASCII bytes.
    (
        b"*4\r\n$1\r\na\r\n$3\r\nb c\r\n$5\r\nx\"y\\z\r\n$6\r\n\n\t\x01\xff\xc3\xa9\r\n",
        "1) \"a\"\n2) \"b c\"\n3) \"x\\\"y\\\\z\"\n4) \"\\n\\t\\x01\\xff\\xc3\\xa9\"\n",
        "a\nb c\nx\"y\\z\n\n\t\x01\u{fffd}\u{e9}\n",
    ),
    // COMMAND INFO GET: ten elements (two-digit numbers), status strings,
    // empty arrays and four levels of nesting.
    (
        b"*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
        "1)  1) \"get\"\n    2) (integer) 2\n    3) 1) readonly\n       2) fast\n    4) (integer) 1\n    5) (integer) 1\n    6) (integer) 1\n    7) 1) @read\n       2) @string\n       3) @fast\n    8) (empty array)\n    9) 1) 1) \"flags\"\n          2) 1) RO\n             2) access\n          3) \"begin_search\"\n          4) 1) \"type\"\n             2) \"index\"\n             3) \"spec\"\n             4) 1) \"index\"\n                2) (integer) 1\n          5) \"find_keys\"\n          6) 1) \"type\"\n             2) \"range\"\n             3) \"spec\"\n             4) 1) \"lastkey\"\n                2) (integer) 0\n                3) \"keystep\"\n                4) (integer) 1\n                5) \"limit\"\n                6) (integer) 0\n   10) (empty array)\n",
        "get\n2\nreadonly\nfast\n1\n1\n1\n@read\n@string\n@fast\n\nflags\nRO\naccess\nbegin_search\ntype\nindex\nspec\nindex\n1\nfind_keys\ntype\nrange\nspec\nlastkey\n0\nkeystep\n1\nlimit\n0\n\n",
    ),
    // RESP3 XREAD: a map whose value spans lines starts it on a new line.
    (
        b"%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
        "1# \"s\" => \n   1) 1) \"1-1\"\n      2) 1) \"a\"\n         2) \"1\"\n         3) \"b\"\n         4) \"2\"\n   2) 1) \"1-2\"\n      2) 1) \"c\"\n         2) \"3\"\n",
        "s 1-1\na\n1\nb\n2\n1-2\nc\n3\n",
    ),
    (
        b"%2\r\n$2\r\nf1\r\n$2\r\nv1\r\n$2\r\nf2\r\n$2\r\nv2\r\n",
        "1# \"f1\" => \"v1\"\n2# \"f2\" => \"v2\"\n",
        "f1 v1\nf2 v2\n",
    ),
    (
        b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n",
        "1# (integer) 0 => (false)\n2# (integer) 1 => (true)\n3# (integer) 2 => (false)\n",
        "0 (false)\n1 (true)\n2 (false)\n",
    ),
    (
        b"~3\r\n:0\r\n:1\r\n:2\r\n",
        "1~ (integer) 0\n2~ (integer) 1\n3~ (integer) 2\n",
        "0\n1\n2\n",
    ),
    (b"~1\r\n$1\r\na\r\n", "1~ \"a\"\n", "a\n"),
    // Single-element aggregates stay on the map's line...
    (b"%1\r\n$1\r\na\r\n*1\r\n:1\r\n", "1# \"a\" => 1) (integer) 1\n", "a 1\n"),
    (
        b"%1\r\n$1\r\na\r\n%1\r\n$1\r\nx\r\n:1\r\n",
        "1# \"a\" => 1# \"x\" => (integer) 1\n",
        "a x 1\n",
    ),
    // ...unless what they hold spans lines.
    (
        b"%1\r\n$1\r\na\r\n*1\r\n*2\r\n:1\r\n:2\r\n",
        "1# \"a\" => \n   1) 1) (integer) 1\n      2) (integer) 2\n",
        "a 1\n2\n",
    ),
    (
        b"%1\r\n$1\r\na\r\n%2\r\n$1\r\ny\r\n:2\r\n$1\r\nx\r\n:1\r\n",
        "1# \"a\" => \n   1# \"y\" => (integer) 2\n   2# \"x\" => (integer) 1\n",
        "a y 2\nx 1\n",
    ),
    (b"*1\r\n*1\r\n:1\r\n", "1) 1) (integer) 1\n", "1\n"),
    // Errors and nils inside arrays, as EXEC and scripts return them.
    (
        b"*5\r\n:1\r\n*0\r\n*2\r\n:2\r\n*2\r\n:3\r\n*0\r\n-ERR boom\r\n_\r\n",
        "1) (integer) 1\n2) (empty array)\n3) 1) (integer) 2\n   2) 1) (integer) 3\n      2) (empty array)\n4) (error) ERR boom\n5) (nil)\n",
        "1\n\n2\n3\n\nERR boom\n\n\n",
    ),
    (
        b"*4\r\n:1\r\n~0\r\n#t\r\n#f\r\n",
        "1) (integer) 1\n2) (empty set)\n3) (true)\n4) (false)\n",
        "1\n\n(true)\n(false)\n",
    ),
    (
        b"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:149\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
        "1# \"server\" => \"redis\"\n2# \"version\" => \"7.0.15\"\n3# \"proto\" => (integer) 3\n4# \"id\" => (integer) 149\n5# \"mode\" => \"standalone\"\n6# \"role\" => \"master\"\n7# \"modules\" => (empty array)\n",
        "server redis\nversion 7.0.15\nproto 3\nid 149\nmode standalone\nrole master\nmodules \n",
    ),
    // A push rendered as a reply: numbered like an array.
    (
        b">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n",
        "1) \"server-cpu-usage\"\n2) (integer) 42\n",
        "server-cpu-usage\n42\n",
    ),
];

#[test]
fn standard_and_raw_match_redis_cli() {
    for (wire, standard, raw) in CASES {
        let name = String::from_utf8_lossy(wire);
        assert_eq!(
            render(wire, OutputMode::Standard),
            *standard,
            "standard: {name}"
        );
        assert_eq!(render(wire, OutputMode::Raw), *raw, "raw: {name}");
    }
}

#[test]
fn raw_keeps_bytes_exactly() {
    let wire = b"$6\r\n\n\t\x01\xff\xc3\xa9\r\n";
    let out = reply(&frame(wire), OutputMode::Raw, &Delimiters::default());
    assert_eq!(out, b"\n\t\x01\xff\xc3\xa9\n");
}

#[test]
fn raw_uses_the_given_delimiters() {
    let delims = Delimiters {
        element: b",".to_vec(),
        reply: b";".to_vec(),
    };
    let wire = b"*2\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n";
    assert_eq!(reply(&frame(wire), OutputMode::Raw, &delims), b"a,b,c;");
    let map = b"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n:2\r\n";
    assert_eq!(reply(&frame(map), OutputMode::Raw, &delims), b"a 1,b 2;");
}

#[test]
fn verbatim_commands_get_no_reply_delimiter() {
    let wire = b"$20\r\n# Server\r\nx:1\r\ny:2\r\n\r\n";
    assert_eq!(
        verbatim(&frame(wire), &Delimiters::default()),
        b"# Server\r\nx:1\r\ny:2\r\n"
    );
    assert_eq!(
        verbatim(&frame(b"-ERR no\r\n"), &Delimiters::default()),
        b"ERR no\n"
    );
}

#[test]
fn csv_and_json_match_redis_cli() {
    // (reply bytes, --csv, --json, --quoted-json)
    let cases: &[(&[u8], &str, &str, &str)] = &[
        (
            b"*4\r\n$1\r\na\r\n$3\r\nb c\r\n$5\r\nx\"y\\z\r\n$6\r\n\n\t\x01\xff\xc3\xa9\r\n",
            "\"a\",\"b c\",\"x\\\"y\\\\z\",\"\\n\\t\\x01\\xff\\xc3\\xa9\"\n",
            "[\"a\",\"b c\",\"x\\\"y\\\\z\",\"\\n\\t\\u0001\u{fffd}\u{e9}\"]\n",
            "[\"a\",\"b c\",\"x\\\\\"y\\\\\\\\z\",\"\\\\n\\\\t\\\\x01\\\\xff\\\\xc3\\\\xa9\"]\n",
        ),
        (
            b"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n",
            "0,false,1,true,2,false\n",
            "{\"0\":false,\"1\":true,\"2\":false}\n",
            "{\"0\":false,\"1\":true,\"2\":false}\n",
        ),
        (
            b"=29\r\ntxt:This is a verbatim\nstring\r\n",
            "\"This is a verbatim\\nstring\"\n",
            "\"This is a verbatim\\nstring\"\n",
            "\"This is a verbatim\\\\nstring\"\n",
        ),
        (
            b"%1\r\n$1\r\ns\r\n*2\r\n*2\r\n$3\r\n1-1\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$3\r\n1-2\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n",
            "\"s\",\"1-1\",\"a\",\"1\",\"b\",\"2\",\"1-2\",\"c\",\"3\"\n",
            "{\"s\":[[\"1-1\",[\"a\",\"1\",\"b\",\"2\"]],[\"1-2\",[\"c\",\"3\"]]]}\n",
            "{\"s\":[[\"1-1\",[\"a\",\"1\",\"b\",\"2\"]],[\"1-2\",[\"c\",\"3\"]]]}\n",
        ),
        (b"~3\r\n:0\r\n:1\r\n:2\r\n", "0,1,2\n", "[0,1,2]\n", "[0,1,2]\n"),
        (b"_\r\n", "NULL\n", "null\n", "null\n"),
        (b"-ERR x\r\n", "ERROR,\"ERR x\"\n", "error:\"ERR x\"\n", "error:\"ERR x\"\n"),
        (b"*2\r\n*0\r\n:1\r\n", ",1\n", "[[],1]\n", "[[],1]\n"),
    ];
    for (wire, csv, json, quoted) in cases {
        let name = String::from_utf8_lossy(wire);
        assert_eq!(render(wire, OutputMode::Csv), *csv, "csv: {name}");
        assert_eq!(render(wire, OutputMode::Json), *json, "json: {name}");
        assert_eq!(
            render(wire, OutputMode::QuotedJson),
            *quoted,
            "quoted json: {name}"
        );
    }
}

#[test]
fn big_numbers_and_attributes_get_a_shape_of_their_own() {
    let big = b"(1234567999999999999999999999999999999\r\n";
    assert_eq!(
        render(big, OutputMode::Standard),
        "(big number) 1234567999999999999999999999999999999\n"
    );
    assert_eq!(
        render(big, OutputMode::Raw),
        "1234567999999999999999999999999999999\n"
    );
    let attributed = b"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n";
    assert_eq!(
        render(attributed, OutputMode::Standard),
        "\"Some real reply following the attribute\"\n"
    );
}

#[test]
fn invalidation_pushes_read_as_a_key_list_on_a_terminal() {
    let wire = b">2\r\n$10\r\ninvalidate\r\n*2\r\n$2\r\nk1\r\n$2\r\nk2\r\n";
    let delims = Delimiters::default();
    assert_eq!(
        push(&frame(wire), OutputMode::Standard, &delims),
        b"-> invalidate: 'k1', 'k2'\n"
    );
    assert_eq!(
        push(&frame(wire), OutputMode::Raw, &delims),
        b"invalidate\nk1\nk2\n"
    );
    // A flush invalidates everything with a null: shown as a plain push.
    let flush = b">2\r\n$10\r\ninvalidate\r\n_\r\n";
    assert_eq!(
        push(&frame(flush), OutputMode::Standard, &delims),
        b"1) \"invalidate\"\n2) (nil)\n"
    );
}

#[test]
fn quote_escapes_like_redis_cli() {
    assert_eq!(quote(b""), b"\"\"");
    assert_eq!(quote(b"\x07\x08\r ~\x7f\x00"), b"\"\\a\\b\\r ~\\x7f\\x00\"");
}
