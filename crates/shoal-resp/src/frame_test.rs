//! Tests of the frame codec: golden bytes per type, limits, malformed
//! input, and property tests (round trip, no panics, any split).

use super::*;
use crate::double::format_double;
use crate::request::tests::allocations_during;
use proptest::collection::vec;
use proptest::prelude::*;

fn bulk(s: &str) -> Frame {
    Frame::bulk(s)
}

fn decoded(bytes: &[u8]) -> Frame {
    match decode(bytes) {
        Ok(Some((frame, used))) => {
            assert_eq!(
                used,
                bytes.len(),
                "{:?} left bytes over",
                bytes.escape_ascii().to_string()
            );
            frame
        }
        other => panic!("{:?} gave {other:?}", bytes.escape_ascii().to_string()),
    }
}

/// Each RESP2/RESP3 type with the bytes Redis 7.0 sends for it.
fn golden() -> Vec<(&'static [u8], Frame)> {
    vec![
        (b"+OK\r\n", Frame::simple("OK")),
        (b"+\r\n", Frame::Simple(vec![])),
        (
            b"-ERR unknown command 'x'\r\n",
            Frame::error("ERR unknown command 'x'"),
        ),
        (b":0\r\n", Frame::Integer(0)),
        (b":-9223372036854775808\r\n", Frame::Integer(i64::MIN)),
        (b"$3\r\nfoo\r\n", bulk("foo")),
        (b"$0\r\n\r\n", bulk("")),
        (b"$4\r\na\r\nb\r\n", bulk("a\r\nb")),
        (b"$-1\r\n", Frame::Null),
        (b"_\r\n", Frame::Null),
        (b"*-1\r\n", Frame::NullArray),
        (b"*0\r\n", Frame::Array(vec![])),
        (
            b"*2\r\n$1\r\na\r\n:1\r\n",
            Frame::Array(vec![bulk("a"), Frame::Integer(1)]),
        ),
        (
            b"%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n",
            Frame::Map(vec![
                (bulk("a"), Frame::Integer(1)),
                (bulk("b"), Frame::Null),
            ]),
        ),
        (b"~1\r\n$1\r\nx\r\n", Frame::Set(vec![bulk("x")])),
        (
            b">2\r\n$7\r\nmessage\r\n$1\r\nc\r\n",
            Frame::Push(vec![bulk("message"), bulk("c")]),
        ),
        (b",1.5\r\n", Frame::Double("1.5".into())),
        (b",inf\r\n", Frame::Double("inf".into())),
        (b",-inf\r\n", Frame::Double("-inf".into())),
        (
            b",1.1000000000000001\r\n",
            Frame::Double("1.1000000000000001".into()),
        ),
        (b"#t\r\n", Frame::Boolean(true)),
        (b"#f\r\n", Frame::Boolean(false)),
        (
            b"(3492890328409238509324850943850943825024385\r\n",
            Frame::BigNumber("3492890328409238509324850943850943825024385".into()),
        ),
        (
            b"=15\r\ntxt:Some string\r\n",
            Frame::Verbatim {
                format: "txt".into(),
                text: b"Some string".to_vec(),
            },
        ),
        (
            b"!9\r\nERR x\r\nyz\r\n",
            Frame::BlobError(b"ERR x\r\nyz".to_vec()),
        ),
        (
            b"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n",
            Frame::Attribute {
                attributes: vec![(Frame::simple("ttl"), Frame::Integer(3))],
                value: Box::new(bulk("v")),
            },
        ),
    ]
}

#[test]
fn each_type_decodes_from_its_golden_bytes() {
    for (bytes, frame) in golden() {
        assert_eq!(decoded(bytes), frame, "{}", bytes.escape_ascii());
    }
}

#[test]
fn every_proper_prefix_is_incomplete() {
    for (bytes, _) in golden() {
        for cut in 0..bytes.len() {
            assert_eq!(
                decode(&bytes[..cut]),
                Ok(None),
                "{} cut at {cut}",
                bytes.escape_ascii()
            );
        }
    }
}

#[test]
fn encoding_gives_the_golden_bytes_back_where_unambiguous() {
    for (bytes, frame) in golden() {
        if bytes == b"$-1\r\n" {
            continue; // Null encodes as RESP3's `_`.
        }
        let mut out = Vec::new();
        encode(&frame, &mut out);
        assert_eq!(
            out.escape_ascii().to_string(),
            bytes.escape_ascii().to_string()
        );
    }
}

#[test]
fn resp2_encoding_downgrades_like_redis() {
    let cases: Vec<(Frame, &[u8])> = vec![
        (Frame::Null, b"$-1\r\n"),
        (Frame::NullArray, b"*-1\r\n"),
        (
            Frame::Map(vec![(bulk("a"), Frame::Integer(1))]),
            b"*2\r\n$1\r\na\r\n:1\r\n",
        ),
        (Frame::Set(vec![bulk("x")]), b"*1\r\n$1\r\nx\r\n"),
        (Frame::Push(vec![bulk("x")]), b"*1\r\n$1\r\nx\r\n"),
        (Frame::Double("1.5".into()), b"$3\r\n1.5\r\n"),
        (Frame::BigNumber("12".into()), b"$2\r\n12\r\n"),
        (Frame::Boolean(true), b":1\r\n"),
        (Frame::Boolean(false), b":0\r\n"),
        (
            Frame::Verbatim {
                format: "txt".into(),
                text: b"hi".to_vec(),
            },
            b"$2\r\nhi\r\n",
        ),
        (Frame::BlobError(b"ERR a\r\nb".to_vec()), b"-ERR a  b\r\n"),
        (
            Frame::Attribute {
                attributes: vec![(bulk("k"), bulk("v"))],
                value: Box::new(Frame::Integer(7)),
            },
            b":7\r\n",
        ),
    ];
    for (frame, want) in cases {
        let mut out = Vec::new();
        encode_as(&frame, Protocol::Resp2, &mut out);
        assert_eq!(
            out.escape_ascii().to_string(),
            want.escape_ascii().to_string(),
            "{frame:?}"
        );
    }
}

#[test]
fn encode_command_writes_a_multibulk_request() {
    let mut out = Vec::new();
    encode_command(&["SET", "k", ""], &mut out);
    assert_eq!(out, b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
    out.clear();
    encode_command::<&[u8]>(&[], &mut out);
    assert_eq!(out, b"*0\r\n");
}

#[test]
fn streamed_forms_decode_to_plain_frames() {
    assert_eq!(
        decoded(b"$?\r\n;4\r\nHell\r\n;1\r\no\r\n;0\r\n"),
        bulk("Hello")
    );
    assert_eq!(
        decoded(b"*?\r\n:1\r\n$1\r\na\r\n.\r\n"),
        Frame::Array(vec![Frame::Integer(1), bulk("a")])
    );
    assert_eq!(
        decoded(b"%?\r\n+a\r\n:1\r\n.\r\n"),
        Frame::Map(vec![(Frame::simple("a"), Frame::Integer(1))])
    );
    assert_eq!(decoded(b"~?\r\n.\r\n"), Frame::Set(vec![]));
    let whole = b"*?\r\n$?\r\n;1\r\na\r\n;0\r\n.\r\n";
    for cut in 0..whole.len() {
        assert_eq!(decode(&whole[..cut]), Ok(None));
    }
    assert_eq!(decoded(whole), Frame::Array(vec![bulk("a")]));
}

#[test]
fn malformed_input_is_an_error_not_a_panic() {
    let cases: &[(&[u8], &str)] = &[
        (b"?x\r\n", "unknown"),
        (b"+OK\rX", "line ending"),
        (b"$3\r\nfooXY", "payload terminator"),
        (b"$-2\r\n", "length"),
        (b"$x\r\n", "length"),
        (b"!-1\r\n", "length"),
        (b"*-2\r\n", "aggregate length"),
        (b"%-1\r\n", "aggregate length"),
        (b">?\r\n", "aggregate length"),
        (b":1.5\r\n", "integer"),
        (b"#x\r\n", "boolean"),
        (b"_x\r\n", "null"),
        (b",abc\r\n", "double"),
        (b"(12a\r\n", "big number"),
        (b"(\r\n", "big number"),
        (b"=3\r\ntxt\r\n", "verbatim string"),
        (b"=5\r\ntxtxy\r\n", "verbatim string"),
        (b".\r\n", "end marker"),
        (b";3\r\nabc\r\n", "chunk"),
        (b"$?\r\n:1\r\n", "string chunk"),
        (b"*?\r\n.x\r\n", "end marker"),
    ];
    for (bytes, what) in cases {
        let err = decode(bytes).expect_err(&bytes.escape_ascii().to_string());
        assert!(
            err.to_string().contains(what),
            "{}: {err}",
            bytes.escape_ascii()
        );
    }
}

fn nested_arrays(depth: usize) -> Vec<u8> {
    let mut bytes = b"*1\r\n".repeat(depth);
    bytes.extend_from_slice(b":1\r\n");
    bytes
}

#[test]
fn nesting_is_limited() {
    let limit = DEFAULT_MAX_DEPTH;
    assert!(decode(&nested_arrays(limit)).unwrap().is_some());
    assert_eq!(
        decode(&nested_arrays(limit + 1)),
        Err(FrameError::TooDeep { limit })
    );
    // The limit holds before the input is complete, too.
    assert_eq!(
        decode(&b"*1\r\n".repeat(limit + 1)),
        Err(FrameError::TooDeep { limit })
    );
    // A chain of attributes, each annotating the next, counts as nesting.
    let mut chain = b"|0\r\n".repeat(limit + 1);
    chain.extend_from_slice(b":1\r\n");
    assert_eq!(decode(&chain), Err(FrameError::TooDeep { limit }));
    let small = DecodeLimits {
        max_depth: 2,
        ..DecodeLimits::default()
    };
    assert!(decode_with(&nested_arrays(2), &small).unwrap().is_some());
    assert!(decode_with(&nested_arrays(3), &small).is_err());
}

#[test]
fn the_deepest_accepted_frame_fits_in_half_a_default_thread_stack() {
    // Debug builds use the most stack per level; 1 MiB is half of what a
    // spawned thread gets by default.
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let bytes = nested_arrays(DEFAULT_MAX_DEPTH);
            let frame = decoded(&bytes);
            let mut out = Vec::new();
            encode(&frame, &mut out);
            assert_eq!(out, bytes);
            assert_eq!(frame.clone(), frame);
        })
        .expect("spawn");
    assert!(handle.join().is_ok());
}

#[test]
fn bulk_length_is_limited() {
    assert_eq!(
        decode(b"$536870913\r\n"),
        Err(FrameError::TooLarge {
            len: 536870913,
            limit: DEFAULT_MAX_BULK_LEN
        })
    );
    assert_eq!(decode(b"$536870912\r\n"), Ok(None));
    let small = DecodeLimits {
        max_bulk_len: 4,
        ..DecodeLimits::default()
    };
    assert!(decode_with(b"$5\r\n", &small).is_err());
    assert!(decode_with(b"$?\r\n;3\r\nabc\r\n;2\r\nde\r\n;0\r\n", &small).is_err());
    assert!(decode_with(b"$4\r\nabcd\r\n", &small).unwrap().is_some());
}

#[test]
fn incomplete_input_allocates_nothing() {
    // A huge announced count with its elements missing: the check pass
    // neither reserves for the count nor builds the elements present.
    let mut partial = b"*1000000000\r\n".to_vec();
    for _ in 0..100 {
        partial.extend_from_slice(b"%1\r\n$3\r\nabc\r\n*2\r\n:1\r\n+x\r\n");
    }
    let (result, allocations) = allocations_during(|| decode(&partial));
    assert_eq!(result, Ok(None));
    assert_eq!(allocations, 0);
}

fn line_bytes() -> impl Strategy<Value = Vec<u8>> {
    vec(
        any::<u8>().prop_filter("CR ends a line", |b| *b != b'\r'),
        0..24,
    )
}

fn leaf() -> impl Strategy<Value = Frame> {
    prop_oneof![
        line_bytes().prop_map(Frame::Simple),
        line_bytes().prop_map(Frame::Error),
        any::<i64>().prop_map(Frame::Integer),
        vec(any::<u8>(), 0..48).prop_map(Frame::Bulk),
        Just(Frame::Null),
        Just(Frame::NullArray),
        any::<f64>().prop_map(|d| Frame::Double(format_double(d))),
        any::<bool>().prop_map(Frame::Boolean),
        "-?[1-9][0-9]{0,40}".prop_map(Frame::BigNumber),
        ("[a-z]{3}", vec(any::<u8>(), 0..24))
            .prop_map(|(format, text)| Frame::Verbatim { format, text }),
        vec(any::<u8>(), 0..24).prop_map(Frame::BlobError),
    ]
}

fn frame() -> impl Strategy<Value = Frame> {
    leaf().prop_recursive(4, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Frame::Array),
            vec((inner.clone(), inner.clone()), 0..4).prop_map(Frame::Map),
            vec(inner.clone(), 0..5).prop_map(Frame::Set),
            vec(inner.clone(), 0..5).prop_map(Frame::Push),
            (vec((inner.clone(), inner.clone()), 0..3), inner).prop_map(|(attributes, v)| {
                Frame::Attribute {
                    attributes,
                    value: Box::new(v),
                }
            }),
        ]
    })
}

/// Decodes `chunks` as a client would: append each, take every whole frame.
fn decode_stream(chunks: &[&[u8]]) -> Result<(Vec<Frame>, usize), FrameError> {
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        while let Some((frame, used)) = decode(&buf)? {
            frames.push(frame);
            buf.drain(..used);
        }
    }
    Ok((frames, buf.len()))
}

proptest! {
    #[test]
    fn encode_then_decode_gives_the_frame_back(f in frame()) {
        let mut bytes = Vec::new();
        encode(&f, &mut bytes);
        prop_assert_eq!(decode(&bytes), Ok(Some((f, bytes.len()))));
    }

    #[test]
    fn resp2_encoding_is_decodable(f in frame()) {
        let mut bytes = Vec::new();
        encode_as(&f, Protocol::Resp2, &mut bytes);
        let (_, used) = decode(&bytes).unwrap().expect("a whole frame");
        prop_assert_eq!(used, bytes.len());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..256)) {
        if let Ok(Some((f, used))) = decode(&bytes) {
            prop_assert!(used <= bytes.len());
            let mut again = Vec::new();
            encode(&f, &mut again);
            prop_assert_eq!(decode(&again), Ok(Some((f, again.len()))));
        }
    }

    #[test]
    fn typed_garbage_never_panics(
        parts in vec(prop_oneof![
            Just(b"*".to_vec()), Just(b"%".to_vec()), Just(b"|".to_vec()), Just(b"$".to_vec()),
            Just(b"=".to_vec()), Just(b"?".to_vec()), Just(b";".to_vec()), Just(b".".to_vec()),
            Just(b"\r\n".to_vec()), Just(b"-1".to_vec()), Just(b"2".to_vec()), Just(b"4".to_vec()),
            Just(b"txt:".to_vec()), Just(b"_".to_vec()), Just(b"#t".to_vec()),
        ], 0..40)
    ) {
        let bytes = parts.concat();
        let _ = decode(&bytes);
    }

    #[test]
    fn any_split_gives_the_same_frames(
        frames in vec(frame(), 1..5),
        cuts in vec(any::<prop::sample::Index>(), 0..8),
    ) {
        let mut bytes = Vec::new();
        for f in &frames {
            encode(f, &mut bytes);
        }
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
        at.push(0);
        at.push(bytes.len());
        at.sort_unstable();
        let chunks: Vec<&[u8]> = at.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        prop_assert_eq!(decode_stream(&chunks), Ok((frames, 0)));
    }
}
