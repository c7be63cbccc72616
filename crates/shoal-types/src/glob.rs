//! Glob patterns as Redis matches them: KEYS, SCAN MATCH, PSUBSCRIBE,
//! CONFIG GET.
//!
//! `*` any run, `?` any byte, `[abc]`, `[^a]`, `[a-z]` (either order),
//! `\x` a literal `x`. An unterminated `[` matches as if closed at the end
//! of the pattern, as Redis does. Matching is on bytes; `nocase` folds
//! ASCII letters only.

/// True when `s` matches `pattern`.
pub fn glob_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    // Iterative matcher with single-star backtracking: linear in practice
    // and free of the exponential blow-up of naive recursion.
    let eq = |a: u8, b: u8| {
        if nocase {
            a.eq_ignore_ascii_case(&b)
        } else {
            a == b
        }
    };
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None; // (pattern after '*', s position)
    while i < s.len() {
        if p < pattern.len() {
            match pattern[p] {
                b'*' => {
                    while p < pattern.len() && pattern[p] == b'*' {
                        p += 1;
                    }
                    if p == pattern.len() {
                        return true;
                    }
                    star = Some((p, i));
                    continue;
                }
                b'?' => {
                    p += 1;
                    i += 1;
                    continue;
                }
                b'[' => {
                    let (matched, next) = match_class(pattern, p, s[i], nocase);
                    if matched {
                        p = next;
                        i += 1;
                        continue;
                    }
                }
                b'\\' if p + 1 < pattern.len() => {
                    if eq(pattern[p + 1], s[i]) {
                        p += 2;
                        i += 1;
                        continue;
                    }
                }
                c => {
                    if eq(c, s[i]) {
                        p += 1;
                        i += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, si)) => {
                p = sp;
                i = si + 1;
                star = Some((sp, si + 1));
            }
            None => return false,
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

/// Matches byte `c` against the class starting at `pattern[start] == '['`.
/// Returns whether it matched and the index just past the class.
fn match_class(pattern: &[u8], start: usize, c: u8, nocase: bool) -> (bool, usize) {
    let fold = |b: u8| if nocase { b.to_ascii_lowercase() } else { b };
    let c = fold(c);
    let mut p = start + 1;
    let negate = p < pattern.len() && pattern[p] == b'^';
    if negate {
        p += 1;
    }
    let mut matched = false;
    loop {
        if p >= pattern.len() {
            // Unterminated class: Redis treats the end as closing it.
            break;
        }
        match pattern[p] {
            b']' => {
                p += 1;
                break;
            }
            b'\\' if p + 1 < pattern.len() => {
                if fold(pattern[p + 1]) == c {
                    matched = true;
                }
                p += 2;
            }
            lo if p + 2 < pattern.len() && pattern[p + 1] == b'-' => {
                let hi = pattern[p + 2];
                let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
                if (fold(lo)..=fold(hi)).contains(&c) || (lo..=hi).contains(&c) {
                    matched = true;
                }
                p += 3;
            }
            x => {
                if fold(x) == c {
                    matched = true;
                }
                p += 1;
            }
        }
    }
    (matched != negate, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn redis_glob_cases() {
        let yes: &[(&str, &str)] = &[
            ("*", ""),
            ("*", "anything"),
            ("h?llo", "hello"),
            ("h*llo", "heeeello"),
            ("h[ae]llo", "hallo"),
            ("h[^e]llo", "hallo"),
            ("h[a-b]llo", "hbllo"),
            ("h[b-a]llo", "hallo"),
            ("h\\*llo", "h*llo"),
            ("user:*:name", "user:1000:name"),
            ("a*b*c", "aXXbYYc"),
            ("[abc", "a"),
        ];
        for (p, s) in yes {
            assert!(glob_match(p.as_bytes(), s.as_bytes(), false), "{p} ~ {s}");
        }
        let no: &[(&str, &str)] = &[
            ("h?llo", "hllo"),
            ("h[^e]llo", "hello"),
            ("h[a-b]llo", "hcllo"),
            ("h\\*llo", "hello"),
            ("a*b*c", "aXXbYY"),
            ("abc", "ABC"),
        ];
        for (p, s) in no {
            assert!(!glob_match(p.as_bytes(), s.as_bytes(), false), "{p} !~ {s}");
        }
        assert!(glob_match(b"abc", b"ABC", true));
        assert!(glob_match(b"MAXMEMORY*", b"maxmemory-policy", true));
    }

    /// A plain recursive matcher for `*`, `?` and literals only.
    fn reference(p: &[u8], s: &[u8]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (None, Some(_)) => false,
            (Some(b'*'), _) => reference(&p[1..], s) || (!s.is_empty() && reference(p, &s[1..])),
            (Some(b'?'), Some(_)) => reference(&p[1..], &s[1..]),
            (Some(c), Some(d)) if c == d => reference(&p[1..], &s[1..]),
            _ => false,
        }
    }

    proptest! {
        #[test]
        fn agrees_with_reference_on_simple_patterns(p in "[ab*?]{0,8}", s in "[ab]{0,10}") {
            prop_assert_eq!(glob_match(p.as_bytes(), s.as_bytes(), false), reference(p.as_bytes(), s.as_bytes()));
        }
    }
}
