//! Glob-style matching with Redis's rules, for CONFIG GET, KEYS, SCAN MATCH and PSUBSCRIBE.
//!
//! The rules, as Redis 7.0 applies them:
//!
//! - `*` matches any run of bytes, `?` exactly one byte;
//! - `[abc]`, `[a-z]`, `[^...]` match one byte from (or, with `^`, not from) a set; a
//!   reversed range (`[z-a]`) is swapped; inside a set `\x` stands for `x` literally;
//! - `\x` outside a set stands for `x`; a lone `\` at the very end is a literal `\`;
//! - an unterminated set (`[ab`) runs to the end of the pattern;
//! - the empty string is matched only by the empty pattern (not even by `*`).
//!
//! Quirks kept on purpose, because clients can observe them: with `nocase`, an escaped byte
//! inside a set still compares case-sensitively, and range bounds compare as signed C `char`s,
//! so bytes >= 0x80 sort below ASCII.
//!
//! Redis walks the pattern recursively, one level per `*`. We first cut the pattern into
//! tokens (the cut never depends on the subject string), then run the classic iterative
//! matcher that backtracks only to the last `*`: no recursion, so a long hostile pattern
//! cannot overflow the stack, and the cost stays O(pattern × subject).

/// One element of a set such as `[a-z\]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetItem {
    /// A plain byte; compared case-insensitively in `nocase` mode.
    Byte(u8),
    /// A byte escaped with `\`; always compared exactly.
    Escaped(u8),
    /// An inclusive range, bounds already ordered, compared as signed chars.
    Range(i32, i32),
}

/// One step of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Any run of bytes, including none. Consecutive `*` collapse into one.
    Star,
    /// Exactly one byte, whatever it is.
    Any,
    /// Exactly this byte.
    Byte(u8),
    /// One byte in (or, if `negated`, not in) the set.
    Set { negated: bool, items: Vec<SetItem> },
}

/// Returns whether `s` matches the glob `pattern` under Redis's rules (see the module docs).
///
/// `nocase` folds ASCII letters, as CONFIG GET does for directive names; KEYS, SCAN and
/// PSUBSCRIBE call it with `nocase = false`.
pub fn string_match(pattern: &[u8], s: &[u8], nocase: bool) -> bool {
    // Redis's loop never runs for an empty subject, so only an empty pattern matches it.
    if s.is_empty() {
        return pattern.is_empty();
    }
    let tokens = tokenize(pattern);
    match_tokens(&tokens, s, nocase)
}

/// Cuts `pattern` into tokens with the same parsing decisions as Redis's matcher.
fn tokenize(p: &[u8]) -> Vec<Token> {
    // Redis reads the byte after the end as the string's NUL terminator.
    let at = |i: usize| p.get(i).copied().unwrap_or(0);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            b'*' => {
                if tokens.last() != Some(&Token::Star) {
                    tokens.push(Token::Star);
                }
                i += 1;
            }
            b'?' => {
                tokens.push(Token::Any);
                i += 1;
            }
            b'[' => {
                i += 1;
                let negated = at(i) == b'^';
                if negated {
                    i += 1;
                }
                let mut items = Vec::new();
                loop {
                    let left = p.len() - i;
                    if at(i) == b'\\' && left >= 2 {
                        items.push(SetItem::Escaped(p[i + 1]));
                        i += 2;
                    } else if left == 0 {
                        // Unterminated: the set simply ends with the pattern.
                        break;
                    } else if p[i] == b']' {
                        i += 1;
                        break;
                    } else if left >= 3 && p[i + 1] == b'-' {
                        // C compares plain `char`s, which are signed on the platforms Redis ships on.
                        let a = p[i] as i8 as i32;
                        let b = p[i + 2] as i8 as i32;
                        items.push(SetItem::Range(a.min(b), a.max(b)));
                        i += 3;
                    } else {
                        items.push(SetItem::Byte(p[i]));
                        i += 1;
                    }
                }
                tokens.push(Token::Set { negated, items });
            }
            b'\\' if p.len() - i >= 2 => {
                tokens.push(Token::Byte(p[i + 1]));
                i += 2;
            }
            other => {
                tokens.push(Token::Byte(other));
                i += 1;
            }
        }
    }
    tokens
}

/// ASCII lower-casing on a signed char value, as C's `tolower` in the "C" locale.
fn lower_signed(c: i32) -> i32 {
    if (i32::from(b'A')..=i32::from(b'Z')).contains(&c) {
        c + 32
    } else {
        c
    }
}

/// Whether the single-byte token `t` (never `Star`) accepts `c`.
fn token_accepts(t: &Token, c: u8, nocase: bool) -> bool {
    match t {
        Token::Star => true,
        Token::Any => true,
        Token::Byte(b) => {
            if nocase {
                b.eq_ignore_ascii_case(&c)
            } else {
                *b == c
            }
        }
        Token::Set { negated, items } => {
            let hit = items.iter().any(|item| match *item {
                SetItem::Escaped(b) => b == c,
                SetItem::Byte(b) => {
                    if nocase {
                        b.eq_ignore_ascii_case(&c)
                    } else {
                        b == c
                    }
                }
                SetItem::Range(lo, hi) => {
                    let (mut lo, mut hi, mut ch) = (lo, hi, c as i8 as i32);
                    if nocase {
                        lo = lower_signed(lo);
                        hi = lower_signed(hi);
                        ch = lower_signed(ch);
                    }
                    lo <= ch && ch <= hi
                }
            });
            hit != *negated
        }
    }
}

/// Iterative glob matching: on a mismatch, retry from the last `*` with one more byte eaten.
fn match_tokens(tokens: &[Token], s: &[u8], nocase: bool) -> bool {
    let (mut ti, mut si) = (0usize, 0usize);
    // (token index after the last star, subject index that star is currently allowed to reach)
    let mut backtrack: Option<(usize, usize)> = None;
    while si < s.len() {
        match tokens.get(ti) {
            Some(Token::Star) => {
                ti += 1;
                backtrack = Some((ti, si));
            }
            Some(t) if token_accepts(t, s[si], nocase) => {
                ti += 1;
                si += 1;
            }
            _ => match backtrack {
                Some((star_next, star_si)) => {
                    ti = star_next;
                    si = star_si + 1;
                    backtrack = Some((star_next, star_si + 1));
                }
                None => return false,
            },
        }
    }
    tokens[ti..].iter().all(|t| *t == Token::Star)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A direct, recursive transcription of how Redis walks a pattern byte by byte (without
    /// its early-exit optimisation), used as the oracle for the tokenizing matcher.
    fn reference(p: &[u8], s: &[u8], nocase: bool) -> bool {
        let at = |i: usize| p.get(i).copied().unwrap_or(0);
        let low = |c: u8| c.to_ascii_lowercase();
        let (mut pi, mut si) = (0usize, 0usize);
        while pi < p.len() && si < s.len() {
            match p[pi] {
                b'*' => {
                    while pi + 1 < p.len() && p[pi + 1] == b'*' {
                        pi += 1;
                    }
                    if pi + 1 == p.len() {
                        return true;
                    }
                    return (si..s.len()).any(|k| reference(&p[pi + 1..], &s[k..], nocase));
                }
                b'?' => si += 1,
                b'[' => {
                    pi += 1;
                    let not = at(pi) == b'^';
                    if not {
                        pi += 1;
                    }
                    let mut m = false;
                    loop {
                        let left = p.len() - pi;
                        if at(pi) == b'\\' && left >= 2 {
                            pi += 1;
                            m |= p[pi] == s[si];
                        } else if at(pi) == b']' {
                            break;
                        } else if left == 0 {
                            pi -= 1;
                            break;
                        } else if left >= 3 && p[pi + 1] == b'-' {
                            let (mut a, mut b) = (p[pi] as i8 as i32, p[pi + 2] as i8 as i32);
                            let mut c = s[si] as i8 as i32;
                            if a > b {
                                std::mem::swap(&mut a, &mut b);
                            }
                            if nocase {
                                a = lower_signed(a);
                                b = lower_signed(b);
                                c = lower_signed(c);
                            }
                            pi += 2;
                            m |= a <= c && c <= b;
                        } else if nocase {
                            m |= low(p[pi]) == low(s[si]);
                        } else {
                            m |= p[pi] == s[si];
                        }
                        pi += 1;
                    }
                    if m == not {
                        return false;
                    }
                    si += 1;
                }
                c => {
                    let c = if c == b'\\' && p.len() - pi >= 2 {
                        pi += 1;
                        p[pi]
                    } else {
                        c
                    };
                    let eq = if nocase {
                        low(c) == low(s[si])
                    } else {
                        c == s[si]
                    };
                    if !eq {
                        return false;
                    }
                    si += 1;
                }
            }
            pi += 1;
            if si == s.len() {
                while pi < p.len() && p[pi] == b'*' {
                    pi += 1;
                }
                break;
            }
        }
        pi == p.len() && si == s.len()
    }

    fn m(p: &str, s: &str) -> bool {
        string_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn star_and_question_mark() {
        assert!(m("*", "anything"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("h*llo", "hllo"));
        assert!(m("h*llo", "heeeello"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(!m("a*b*c", "aXXbYY"));
        assert!(m("**a**", "bab"));
    }

    #[test]
    fn empty_subject_matches_only_empty_pattern() {
        assert!(m("", ""));
        assert!(!m("*", ""));
        assert!(!m("?", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn sets_ranges_and_negation() {
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("[^a]", "b"));
        assert!(!m("[^a]", "a"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("[a-z]", "q"));
        assert!(!m("[a-z]", "Q"));
        assert!(m("[z-a]", "q"), "reversed range is swapped");
        // `[]` is an empty set that can never match; `[^]` matches any byte.
        assert!(!m("[]", "a"));
        assert!(m("[^]", "a"));
        // A `-` right before `]` makes a range that ends at `]` (so `]`..=`a`), and the
        // set is then unterminated.
        assert!(m("[a-]", "a"));
        assert!(m("[a-]", "]"));
        assert!(m("[a-]", "_"));
        assert!(!m("[a-]", "b"));
        assert!(!m("[a-]", "-"));
    }

    #[test]
    fn escapes() {
        assert!(m("\\*", "*"));
        assert!(!m("\\*", "a"));
        assert!(m("a\\?", "a?"));
        assert!(!m("a\\?", "ab"));
        assert!(m("[\\]]", "]"));
        assert!(m("[\\-]", "-"));
        // A trailing backslash is a literal backslash.
        assert!(m("a\\", "a\\"));
        assert!(m("[\\", "\\"));
    }

    #[test]
    fn unterminated_set_runs_to_the_end() {
        assert!(m("[ab", "a"));
        assert!(m("[ab", "b"));
        assert!(!m("[ab", "c"));
        assert!(!m("[ab", "ab"));
        assert!(!m("[", "a"));
        assert!(m("[^", "x"));
        assert!(!m("x[", "x"));
    }

    #[test]
    fn nocase_folds_letters_but_not_escaped_set_bytes() {
        assert!(string_match(b"MAXMEM*", b"maxmemory", true));
        assert!(!string_match(b"MAXMEM*", b"maxmemory", false));
        assert!(string_match(b"[A-C]x", b"bX", true));
        assert!(string_match(b"[Q]", b"q", true));
        assert!(!string_match(b"[\\Q]", b"q", true));
    }

    #[test]
    fn high_bytes_sort_below_ascii_in_ranges() {
        // As signed chars, 0xff is -1, so [\xff-a] spans -1..=97 and includes '0' but not 'b'.
        assert!(string_match(b"[\xff-a]", b"0", false));
        assert!(!string_match(b"[\xff-a]", b"b", false));
        assert!(string_match(b"[\xff-a]", b"\xff", false));
        assert!(!string_match(b"[\x01-\xff]", b"a", false));
    }

    #[test]
    fn long_hostile_pattern_is_fast_and_does_not_recurse() {
        let pattern = "a*".repeat(50_000) + "b";
        let subject = "a".repeat(60);
        assert!(!m(&pattern, &subject));
        let pattern = "*a".repeat(30) + "*b";
        assert!(!m(&pattern, &"a".repeat(5_000)));
    }

    fn pattern_strategy() -> impl Strategy<Value = Vec<u8>> {
        let alphabet = prop::sample::select(vec![
            b'a', b'b', b'A', b'B', b'-', b'*', b'?', b'[', b']', b'^', b'\\', 0xff, b'z',
        ]);
        prop::collection::vec(alphabet, 0..10)
    }

    fn subject_strategy() -> impl Strategy<Value = Vec<u8>> {
        let alphabet = prop::sample::select(vec![
            b'a', b'b', b'A', b'B', b'-', b'*', b'?', b'[', b']', b'^', b'\\', 0xff, b'z',
        ]);
        prop::collection::vec(alphabet, 0..8)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn agrees_with_the_byte_walking_reference(
            p in pattern_strategy(),
            s in subject_strategy(),
            nocase in any::<bool>(),
        ) {
            prop_assert_eq!(string_match(&p, &s, nocase), reference(&p, &s, nocase),
                "pattern {:?} subject {:?} nocase {}", String::from_utf8_lossy(&p),
                String::from_utf8_lossy(&s), nocase);
        }

        #[test]
        fn a_literal_pattern_matches_only_itself(s in "[a-z]{1,8}", t in "[a-z]{1,8}") {
            prop_assert_eq!(string_match(s.as_bytes(), t.as_bytes(), false), s == t);
        }

        #[test]
        fn star_prefix_and_suffix_mean_contains(needle in "[ab]{1,3}", hay in "[ab]{1,8}") {
            let p = format!("*{needle}*");
            prop_assert_eq!(string_match(p.as_bytes(), hay.as_bytes(), false), hay.contains(&needle));
        }
    }
}
