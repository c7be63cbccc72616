//! Checks `string_match` against KEYS answers captured from real redis-server 7.0.15
//! (see the header of `tests/data/redis-7.0-keys-glob.txt`).

use std::collections::BTreeSet;

use shoal_config::string_match;

fn unhex(s: &str) -> Vec<u8> {
    if s == "-" {
        return Vec::new();
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn string_match_agrees_with_redis_keys_on_every_captured_pattern() {
    let text = include_str!("data/redis-7.0-keys-glob.txt");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let keys_line = lines.next().expect("keys line");
    let keys: Vec<Vec<u8>> = keys_line
        .strip_prefix("keys\t")
        .expect("keys first")
        .split(' ')
        .map(unhex)
        .collect();
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in lines {
        let (pattern, matched) = line.split_once('\t').expect("pattern<TAB>keys");
        let pattern = unhex(pattern);
        let redis: BTreeSet<Vec<u8>> = matched
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(unhex)
            .collect();
        let ours: BTreeSet<Vec<u8>> = keys
            .iter()
            .filter(|k| string_match(&pattern, k, false))
            .cloned()
            .collect();
        if ours != redis {
            failures.push(format!(
                "pattern {:?}: only redis {:?}, only ours {:?}",
                String::from_utf8_lossy(&pattern),
                redis
                    .difference(&ours)
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .collect::<Vec<_>>(),
                ours.difference(&redis)
                    .map(|k| String::from_utf8_lossy(k).into_owned())
                    .collect::<Vec<_>>(),
            ));
        }
        checked += 1;
    }
    assert!(checked > 500, "fixture looks truncated: {checked} patterns");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
