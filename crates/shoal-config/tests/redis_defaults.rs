//! Compares our `CONFIG GET *` with the one captured from real redis-server 7.0.15
//! (see the header of `tests/data/redis-7.0-config-get-all.txt` for how it was made).

use std::collections::BTreeMap;

use shoal_config::{load, parse_command_line, Config, Invocation, MemoryHost};

/// Values that depend on the machine rather than on Redis, with why.
const MACHINE_DEPENDENT: &[(&str, &str)] = &[("dir", "the working directory of the process")];

/// The options the capture was started with (see the data file header).
const CAPTURE_ARGS: &[&str] = &[
    "--port",
    "16411",
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
];

fn captured() -> BTreeMap<String, String> {
    let text = include_str!("data/redis-7.0-config-get-all.txt");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (k, v) = l.split_once('\t').expect("name<TAB>value");
            (k.to_string(), v.to_string())
        })
        .collect()
}

fn ours(config: &Config) -> BTreeMap<String, String> {
    config
        .config_get(&[b"*"])
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8(v).expect("defaults are text")))
        .collect()
}

fn started_like_the_capture() -> Config {
    let Invocation::Run(cmdline) = parse_command_line(CAPTURE_ARGS) else {
        panic!("not a run")
    };
    load(&cmdline, &mut MemoryHost::new()).expect("capture options load")
}

#[test]
fn config_get_all_lists_the_same_names_as_redis() {
    let redis = captured();
    let ours = ours(&started_like_the_capture());
    let missing: Vec<&String> = redis.keys().filter(|k| !ours.contains_key(*k)).collect();
    let extra: Vec<&String> = ours.keys().filter(|k| !redis.contains_key(*k)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
    assert_eq!(redis.len(), 192);
}

#[test]
fn config_get_all_values_match_redis_started_the_same_way() {
    let redis = captured();
    let ours = ours(&started_like_the_capture());
    let mut diffs = Vec::new();
    for (name, want) in &redis {
        if MACHINE_DEPENDENT.iter().any(|(n, _)| n == name) {
            continue;
        }
        let got = ours.get(name).map(String::as_str).unwrap_or("<missing>");
        if got != want {
            diffs.push(format!("{name}: redis {want:?}, ours {got:?}"));
        }
    }
    assert!(diffs.is_empty(), "differences:\n{}", diffs.join("\n"));
}

#[test]
fn plain_defaults_differ_from_the_capture_only_where_the_command_line_set_them() {
    let redis = captured();
    let ours = ours(&Config::new());
    // What a start without options has, per Redis 7.0's built-in defaults.
    let expected_overrides: BTreeMap<&str, &str> = [
        ("port", "6379"),
        ("bind", "* -::*"),
        ("save", "3600 1 300 100 60 10000"),
        ("dir", ""),
    ]
    .into_iter()
    .collect();
    for (name, want) in &redis {
        let want = expected_overrides
            .get(name.as_str())
            .copied()
            .unwrap_or(want);
        assert_eq!(ours.get(name).map(String::as_str), Some(want), "{name}");
    }
}
