//! Splitting a configuration line into arguments, and quoting a value so it splits back.
//!
//! [`split_args`] follows the rules redis.conf lines and redis-cli input share:
//!
//! - blanks (space, tab, CR, LF, VT, FF) separate arguments;
//! - `"..."` understands `\n \r \t \b \a`, `\xHH` and `\<any>` (the byte itself);
//! - `'...'` is literal except for `\'`;
//! - a closing quote must be followed by a blank or the end of the line, otherwise the
//!   line is rejected (so is an unterminated quote);
//! - a quote may start in the middle of an argument: `a"b c"` is the single argument `ab c`.
//!
//! [`quote`] renders bytes the way Redis prints them in quotes (error messages, rewritten
//! files, the command-line options it turns into config lines).

/// Splits `line` into arguments; `None` when quotes are unbalanced.
///
/// As in C, the line ends at its first NUL byte.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = until_nul(line);
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_c_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Some(out);
        }
        let mut current = Vec::new();
        let (mut in_double, mut in_single) = (false, false);
        loop {
            let c = at(i);
            if in_double {
                if c == b'\\' && at(i + 1) == b'x' && is_hex(at(i + 2)) && is_hex(at(i + 3)) {
                    current.push(hex_value(at(i + 2)) * 16 + hex_value(at(i + 3)));
                    i += 4;
                    continue;
                } else if c == b'\\' && at(i + 1) != 0 {
                    i += 1;
                    current.push(match at(i) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(i + 1) == b'\'' {
                    i += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(i + 1) != 0 && !is_c_space(at(i + 1)) {
                        return None;
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return None;
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    // Only these four end an unquoted argument; VT and FF stay inside it.
                    b' ' | b'\n' | b'\r' | b'\t' => {
                        i += 1;
                        break;
                    }
                    0 => break,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    other => current.push(other),
                }
            }
            i += 1;
        }
        out.push(current);
    }
}

/// Renders `bytes` in double quotes with C-style escapes, as Redis does when it echoes a
/// value: `"` and `\` are backslash-escaped, `\n \r \t \a \b` spelled out, other
/// non-printable bytes written as `\xHH`.
pub fn quote(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// The prefix of `s` before its first NUL: what a C string function would see.
pub(crate) fn until_nul(s: &[u8]) -> &[u8] {
    match s.iter().position(|&b| b == 0) {
        Some(n) => &s[..n],
        None => s,
    }
}

/// C's `isspace` in the "C" locale.
pub(crate) fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn is_hex(c: u8) -> bool {
    c.is_ascii_hexdigit()
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Option<Vec<String>> {
        split_args(s.as_bytes()).map(|v| {
            v.into_iter()
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .collect()
        })
    }

    #[test]
    fn splits_on_blanks() {
        assert_eq!(split("save 900 1").unwrap(), ["save", "900", "1"]);
        assert_eq!(split("  port\t6379  ").unwrap(), ["port", "6379"]);
        assert_eq!(split("").unwrap(), Vec::<String>::new());
        assert_eq!(split("   ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn double_quotes_with_escapes() {
        assert_eq!(
            split(r#"requirepass "a b""#).unwrap(),
            ["requirepass", "a b"]
        );
        assert_eq!(split(r#"x "\x41\n\t\"\\\q""#).unwrap(), ["x", "A\n\t\"\\q"]);
        assert_eq!(split(r#"save """#).unwrap(), ["save", ""]);
        // `\x` without two hex digits is just `x`.
        assert_eq!(split(r#""\xZ1""#).unwrap(), ["xZ1"]);
    }

    #[test]
    fn single_quotes_are_literal_except_escaped_quote() {
        assert_eq!(split(r"x 'a\nb'").unwrap(), ["x", "a\\nb"]);
        assert_eq!(split(r"x 'it\'s'").unwrap(), ["x", "it's"]);
    }

    #[test]
    fn quote_may_start_inside_an_argument() {
        assert_eq!(
            split(r#"ab"c d"e"#),
            None,
            "closing quote must be followed by a blank"
        );
        assert_eq!(split(r#"ab"c d" e"#).unwrap(), ["abc d", "e"]);
    }

    #[test]
    fn unbalanced_quotes_are_rejected() {
        assert_eq!(split(r#"foo "bar"#), None);
        assert_eq!(split("foo 'bar"), None);
        assert_eq!(split(r#"requirepass "a"b"#), None);
    }

    #[test]
    fn vertical_tab_is_skipped_between_but_kept_inside_arguments() {
        assert_eq!(split("\x0ba\x0bb c").unwrap(), ["a\x0bb", "c"]);
    }

    proptest::proptest! {
        #[test]
        fn quoted_words_split_back_to_themselves(words in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..12), 0..5)) {
            let line = words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(split_args(line.as_bytes()), Some(words));
        }

        #[test]
        fn splitting_arbitrary_bytes_never_panics(line in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
            let _ = split_args(&line);
        }
    }

    #[test]
    fn binary_bytes_survive_a_quote_round_trip() {
        let raw: Vec<u8> = (0u8..=255).collect();
        let quoted = quote(&raw);
        assert_eq!(split_args(quoted.as_bytes()).unwrap(), vec![raw]);
        assert_eq!(quote(b"a\"b\\c\x01"), r#""a\"b\\c\x01""#);
    }
}
