//! DUMP payloads captured from redis-server 7.0.15 (`tests/data/*.dump`)
//! decode to the values that produced them, re-encode byte for byte where
//! Redis did not compress, and hostile payloads never panic.

use proptest::prelude::*;
use shoal_keyspace::collections::{HashValue, ListValue, SetValue, ZSetLimits, ZSetValue};
use shoal_keyspace::Value;
use shoal_persist::{dump_value, restore_value, Limits, RestoreError};
use std::collections::{BTreeMap, BTreeSet};

/// A value's contents, independent of its encoding.
#[derive(Debug, PartialEq)]
enum Contents {
    Str(Vec<u8>),
    List(Vec<Vec<u8>>),
    Hash(BTreeMap<Vec<u8>, Vec<u8>>),
    Set(BTreeSet<Vec<u8>>),
    ZSet(Vec<(Vec<u8>, u64)>),
}

fn contents(v: &Value) -> Contents {
    match v {
        Value::List(l) => Contents::List(l.iter().map(<[u8]>::to_vec).collect()),
        Value::Hash(h) => Contents::Hash(h.iter().map(|(f, v)| (f.to_vec(), v.to_vec())).collect()),
        Value::Set(s) => Contents::Set(s.iter().map(|m| m.to_vec()).collect()),
        Value::ZSet(z) => {
            let mut out = Vec::new();
            // -0 and 0 are the same score (Shoal's compact encoding keeps 0).
            z.for_each(|m, s| out.push((m.to_vec(), (s + 0.0).to_bits())));
            Contents::ZSet(out)
        }
        s => Contents::Str(s.as_str().unwrap().to_vec()),
    }
}

fn data(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}.dump", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn restored(name: &str) -> Value {
    restore_value(&data(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn strs(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn redis_strings_decode() {
    assert_eq!(
        contents(&restored("s_short")),
        Contents::Str(b"hello".to_vec())
    );
    assert_eq!(
        contents(&restored("s_int")),
        Contents::Str(b"12345".to_vec())
    );
    assert_eq!(contents(&restored("s_neg")), Contents::Str(b"-7".to_vec()));
    assert_eq!(
        contents(&restored("s_big")),
        Contents::Str(b"9223372036854775807".to_vec())
    );
    // LZF-compressed by Redis.
    assert_eq!(
        contents(&restored("s_long")),
        Contents::Str(b"abcdefgh".repeat(40))
    );
    assert_eq!(restored("s_int").encoding_name(), "int");
}

#[test]
fn redis_lists_decode() {
    let x100 = "x".repeat(100);
    assert_eq!(
        contents(&restored("l_small")),
        Contents::List(strs(&[
            "a",
            "b",
            "1",
            "-5",
            "300",
            "70000",
            "5000000000",
            &x100
        ]))
    );
    let big: Vec<Vec<u8>> = (0..3000)
        .map(|i| format!("item-{i}").into_bytes())
        .collect();
    assert_eq!(contents(&restored("l_big")), Contents::List(big));
    assert_eq!(
        contents(&restored("l_one")),
        Contents::List(strs(&["only"]))
    );
}

#[test]
fn redis_hashes_decode() {
    let small: BTreeMap<_, _> = [("f1", "v1"), ("f2", "2"), ("num", "-3")]
        .iter()
        .map(|(f, v)| (f.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect();
    assert_eq!(contents(&restored("h_small")), Contents::Hash(small));
    for (name, n, prefix) in [("h_big", 200, "value"), ("h_table", 600, "v")] {
        let want: BTreeMap<_, _> = (0..n)
            .map(|i| {
                (
                    format!("field{i}").into_bytes(),
                    format!("{prefix}{i}").into_bytes(),
                )
            })
            .collect();
        assert_eq!(contents(&restored(name)), Contents::Hash(want), "{name}");
    }
    let h = restored("h_table");
    assert_eq!(h.encoding_name(), "hashtable");
    let long = restored("h_longval");
    assert_eq!(long.encoding_name(), "hashtable");
    assert_eq!(
        contents(&long),
        Contents::Hash([(b"f".to_vec(), vec![b'y'; 100])].into_iter().collect())
    );
}

#[test]
fn redis_sets_decode() {
    let ints: BTreeSet<_> = ["1", "2", "3", "-100", "70000", "5000000000"]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
    let v = restored("set_int");
    assert_eq!(v.encoding_name(), "intset");
    assert_eq!(contents(&v), Contents::Set(ints));
    let strs: BTreeSet<_> = (0..20).map(|i| format!("m{i}").into_bytes()).collect();
    assert_eq!(contents(&restored("set_str")), Contents::Set(strs));
}

#[test]
fn redis_zsets_decode() {
    let mut small: [(&str, f64); 8] = [
        ("a", 1.1),
        ("b", 2.0),
        ("c", -0.0),
        ("d", 1e20),
        ("e", f64::INFINITY),
        ("f", f64::NEG_INFINITY),
        ("g", 0.5),
        ("h", "3.14159".parse().unwrap()),
    ];
    small.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)));
    // -0 and 0 compare equal in a sorted set; only "c" has it here.
    let v = restored("z_small");
    assert_eq!(v.encoding_name(), "listpack");
    let Contents::ZSet(got) = contents(&v) else {
        panic!("not a zset")
    };
    let got: Vec<(Vec<u8>, f64)> = got
        .into_iter()
        .map(|(m, s)| (m, f64::from_bits(s)))
        .collect();
    let want: Vec<(Vec<u8>, f64)> = small
        .iter()
        .map(|(m, s)| (m.as_bytes().to_vec(), *s))
        .collect();
    assert_eq!(got, want);
    let big = restored("z_big");
    assert_eq!(big.encoding_name(), "skiplist");
    let want: Vec<_> = (0..200)
        .map(|i| {
            (
                format!("member{i}").into_bytes(),
                (i as f64 * 1.5).to_bits(),
            )
        })
        .collect();
    assert_eq!(contents(&big), Contents::ZSet(want));
    let long = restored("z_longmember");
    assert_eq!(long.encoding_name(), "skiplist");
    assert_eq!(
        contents(&long),
        Contents::ZSet(vec![
            (vec![b'q'; 100], 1f64.to_bits()),
            (b"short".to_vec(), 2f64.to_bits())
        ])
    );
}

#[test]
fn uncompressed_redis_payloads_re_encode_byte_for_byte() {
    for name in [
        "s_short",
        "s_int",
        "s_neg",
        "s_big",
        "l_one",
        "h_small",
        "set_int16",
    ] {
        let payload = data(name);
        assert_eq!(dump_value(&restored(name)), payload, "{name}");
    }
}

#[test]
fn every_redis_payload_round_trips_through_shoal_encoding() {
    for name in [
        "s_short",
        "s_int",
        "s_neg",
        "s_big",
        "s_long",
        "l_small",
        "l_big",
        "l_one",
        "h_small",
        "h_big",
        "h_table",
        "h_longval",
        "set_int",
        "set_str",
        "set_int16",
        "z_small",
        "z_big",
        "z_longmember",
    ] {
        let v = restored(name);
        let again = restore_value(&dump_value(&v), &Limits::default()).unwrap();
        assert_eq!(contents(&again), contents(&v), "{name}");
        assert_eq!(again.encoding_name(), v.encoding_name(), "{name}");
    }
}

#[test]
fn footer_checks_match_redis() {
    let mut p = data("s_short");
    let n = p.len();
    // Version 9 with a fixed CRC is accepted; 11 is not.
    for (version, ok) in [
        (1u16, true),
        (9, true),
        (10, true),
        (11, false),
        (255, false),
    ] {
        p[n - 10..n - 8].copy_from_slice(&version.to_le_bytes());
        let crc = crc::Crc::<u64>::new(&crc::CRC_64_REDIS).checksum(&p[..n - 8]);
        p[n - 8..].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(
            restore_value(&p, &Limits::default()).is_ok(),
            ok,
            "version {version}"
        );
    }
    p[0] = 0x63;
    assert_eq!(
        restore_value(&p, &Limits::default()).unwrap_err(),
        RestoreError::VersionOrChecksum
    );
}

fn seal(body: &[u8]) -> Vec<u8> {
    let mut p = body.to_vec();
    p.extend_from_slice(&10u16.to_le_bytes());
    let crc = crc::Crc::<u64>::new(&crc::CRC_64_REDIS).checksum(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

#[test]
fn empty_collections_and_duplicates_are_bad_data() {
    for body in [
        &[18u8, 0][..],                                 // a list with no nodes
        &[2, 2, 1, b'a', 1, b'a'],                      // set with a duplicate
        &[4, 0],                                        // empty hash
        &[2, 1, 0xC0],                                  // truncated member
        &[99],                                          // unknown type
        &[5, 1, 1, b'a', 0, 0, 0, 0, 0, 0, 0xf8, 0x7f], // NaN score
    ] {
        assert!(
            matches!(
                restore_value(&seal(body), &Limits::default()),
                Err(RestoreError::BadData(_))
            ),
            "{body:?}"
        );
    }
}

fn value_strategy() -> impl Strategy<Value = Value> {
    let bytes = || {
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string().into_bytes()),
            proptest::collection::vec(any::<u8>(), 0..80),
        ]
    };
    prop_oneof![
        bytes().prop_map(|b| Value::string(&b)),
        proptest::collection::vec(bytes(), 1..300).prop_map(|items| {
            let mut l = ListValue::new();
            for i in &items {
                l.push_back(i, -2);
            }
            Value::List(Box::new(l))
        }),
        proptest::collection::vec((bytes(), bytes()), 1..200).prop_map(|pairs| {
            let mut h = HashValue::new();
            for (f, v) in &pairs {
                h.set(f, v, 128, 64);
            }
            Value::Hash(Box::new(h))
        }),
        proptest::collection::vec(bytes(), 1..200).prop_map(|members| {
            let mut s = SetValue::for_first_member(&members[0]);
            for m in &members {
                s.add(m, 64);
            }
            Value::Set(Box::new(s))
        }),
        proptest::collection::vec((bytes(), any::<f64>()), 1..200).prop_map(|pairs| {
            let limits = ZSetLimits::default();
            let mut z = ZSetValue::for_new_key(limits, pairs[0].0.len());
            for (m, s) in &pairs {
                let s = if s.is_nan() { 0.0 } else { *s };
                z.insert(m, s, limits);
            }
            Value::ZSet(Box::new(z))
        }),
    ]
}

fn shoal_limits() -> Limits {
    Limits {
        hash_max_listpack_entries: 128,
        set_max_intset_entries: 64,
        ..Limits::default()
    }
}

proptest! {
    #[test]
    fn values_round_trip(v in value_strategy()) {
        let back = restore_value(&dump_value(&v), &shoal_limits()).unwrap();
        prop_assert_eq!(contents(&back), contents(&v));
        if !matches!(v, Value::Int(_) | Value::Inline { .. } | Value::Raw(_)) {
            prop_assert_eq!(back.encoding_name(), v.encoding_name());
        }
    }

    #[test]
    fn random_payloads_never_panic(body in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = restore_value(&body, &Limits::default());
        let _ = restore_value(&seal(&body), &Limits::default());
    }

    #[test]
    fn corrupted_redis_payloads_never_panic(
        which in 0usize..6, at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<prop::sample::Index>()
    ) {
        let name = ["l_small", "h_small", "set_int", "z_small", "s_long", "z_longmember"][which];
        let mut body = data(name);
        body.truncate(body.len() - 10);
        let i = at.index(body.len());
        body[i] = byte;
        let _ = restore_value(&seal(&body), &Limits::default());
        let keep = cut.index(body.len());
        let _ = restore_value(&seal(&body[..keep]), &Limits::default());
    }
}
