//! Reading and printing sorted-set numbers exactly as Redis 7.0 does.
//!
//! Redis reads scores and weights with `string2d` (C's `strtod`, the whole
//! argument, no leading space, no overflow or underflow to zero), but range
//! ends with a bare `strtod`: leading spaces pass, an empty end reads as 0,
//! `1e400` is infinity, and the argument ends at its first NUL byte as C
//! strings do. Lex range ends are `-`, `+`, `[member` or `(member`.
//!
//! Scores print as `%.17g` in replies (`shoal_resp`'s `double`), but a
//! listpack stores them as text with whole numbers as integers, and ZSCAN
//! of a listpack shows that text: [`listpack_score_text`].

use shoal_keyspace::collections::LexBound;

/// `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// What `strtod` made of a byte string.
struct Strtod {
    value: f64,
    /// Bytes consumed; 0 when nothing converted (C then points `endptr`
    /// back at the start, before any skipped space).
    consumed: usize,
    /// `errno == ERANGE` with an infinite or zero result.
    range_error: bool,
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// C's `strtod` on `s` (which must hold no NUL).
fn strtod(s: &[u8]) -> Strtod {
    let nothing = Strtod {
        value: 0.0,
        consumed: 0,
        range_error: false,
    };
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let signed = |v: f64| if negative { -v } else { v };
    let rest = &s[i..];
    if starts_with_ignore_case(rest, b"inf") {
        let len = if starts_with_ignore_case(rest, b"infinity") {
            8
        } else {
            3
        };
        return Strtod {
            value: signed(f64::INFINITY),
            consumed: i + len,
            range_error: false,
        };
    }
    if starts_with_ignore_case(rest, b"nan") {
        let mut len = 3;
        if rest.get(3) == Some(&b'(') {
            let close = rest[4..]
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'));
            if let Some(j) = close {
                if rest[4 + j] == b')' {
                    len = 4 + j + 1;
                }
            }
        }
        return Strtod {
            value: f64::NAN,
            consumed: i + len,
            range_error: false,
        };
    }
    if rest.len() >= 2 && rest[0] == b'0' && (rest[1] | 0x20) == b'x' {
        return match hex_float(&rest[2..]) {
            Some((v, len, range_error)) => Strtod {
                value: signed(v),
                consumed: i + 2 + len,
                range_error,
            },
            // "0x" and no hex digit: only the "0" converts.
            None => Strtod {
                value: signed(0.0),
                consumed: i + 1,
                range_error: false,
            },
        };
    }
    let digits_at = |from: usize| {
        rest[from..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count()
    };
    let int_digits = digits_at(0);
    let mut end = int_digits;
    let mut frac_digits = 0;
    if rest.get(end) == Some(&b'.') {
        frac_digits = digits_at(end + 1);
        if int_digits + frac_digits > 0 {
            end += 1 + frac_digits;
        }
    }
    if int_digits + frac_digits == 0 {
        return nothing;
    }
    let nonzero = rest[..end].iter().any(|&b| (b'1'..=b'9').contains(&b));
    if end < rest.len() && (rest[end] | 0x20) == b'e' {
        let mut k = end + 1;
        if matches!(rest.get(k), Some(b'+' | b'-')) {
            k += 1;
        }
        let exp_digits = digits_at(k);
        if exp_digits > 0 {
            end = k + exp_digits;
        }
    }
    let text = std::str::from_utf8(&rest[..end]).expect("ASCII digits");
    let v: f64 = text.parse().expect("a strtod-valid decimal parses");
    Strtod {
        value: signed(v),
        consumed: i + end,
        range_error: v.is_infinite() || (v == 0.0 && nonzero),
    }
}

/// The part of a hexadecimal float after `0x`: returns the value, the
/// bytes consumed and whether it overflowed or underflowed to zero; `None`
/// when no hex digit follows.
fn hex_float(s: &[u8]) -> Option<(f64, usize, bool)> {
    let mut mantissa: u64 = 0;
    let mut exp: i64 = 0;
    let mut digits = 0;
    let mut nonzero = false;
    let mut i = 0;
    let mut seen_point = false;
    while i < s.len() {
        let b = s[i];
        if b == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = (b as char).to_digit(16) else {
            break;
        };
        digits += 1;
        nonzero |= d != 0;
        if mantissa < (1 << 59) {
            mantissa = mantissa * 16 + d as u64;
            if seen_point {
                exp -= 4;
            }
        } else if !seen_point {
            // Too many digits to keep: count them as a scale instead.
            exp += 4;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    // A trailing point belongs to the number ("0x1." reads whole).
    let mut end = i;
    if i < s.len() && (s[i] | 0x20) == b'p' {
        let mut k = i + 1;
        let negative = match s.get(k) {
            Some(b'-') => {
                k += 1;
                true
            }
            Some(b'+') => {
                k += 1;
                false
            }
            _ => false,
        };
        let start = k;
        let mut e: i64 = 0;
        while k < s.len() && s[k].is_ascii_digit() {
            e = (e * 10 + (s[k] - b'0') as i64).min(1 << 40);
            k += 1;
        }
        if k > start {
            exp += if negative { -e } else { e };
            end = k;
        }
    }
    let mut v = mantissa as f64;
    let mut e = exp.clamp(-10_000, 10_000) as i32;
    while e > 1000 {
        v *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        v *= 2f64.powi(-1000);
        e += 1000;
    }
    v *= 2f64.powi(e);
    Some((v, end, v.is_infinite() || (v == 0.0 && nonzero)))
}

/// Parses a score, increment or weight as Redis's `string2d`.
pub(crate) fn parse_score(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || is_c_space(arg[0]) || arg.contains(&0) {
        return None;
    }
    let r = strtod(arg);
    if r.consumed != arg.len() || r.value.is_nan() || r.range_error {
        return None;
    }
    Some(r.value)
}

/// The argument as C sees it: up to its first NUL byte.
fn c_string(arg: &[u8]) -> &[u8] {
    match arg.iter().position(|&b| b == 0) {
        Some(n) => &arg[..n],
        None => arg,
    }
}

/// Parses a score range end as Redis's `zslParseRange`: an optional `(`
/// for an open end, then a number `strtod` reads to the end. Returns the
/// value and whether the end is open.
pub(crate) fn parse_score_bound(arg: &[u8]) -> Option<(f64, bool)> {
    let s = c_string(arg);
    let (body, exclusive) = match s.first() {
        Some(b'(') => (&s[1..], true),
        _ => (s, false),
    };
    let r = strtod(body);
    if r.consumed != body.len() || r.value.is_nan() {
        return None;
    }
    Some((r.value, exclusive))
}

/// Parses a lex range end as Redis's `zslParseLexRangeItem`.
pub(crate) fn parse_lex_bound(arg: &[u8]) -> Option<LexBound> {
    match arg.first()? {
        b'+' if c_string(arg).len() == 1 => Some(LexBound::PosInf),
        b'-' if c_string(arg).len() == 1 => Some(LexBound::NegInf),
        b'(' => Some(LexBound::Exclusive(arg[1..].to_vec())),
        b'[' => Some(LexBound::Inclusive(arg[1..].to_vec())),
        _ => None,
    }
}

/// A score as a listpack stores it (Redis's `d2string` after the integer
/// shortcut): whole numbers within ±2^62 as integers, others as `%.17g`.
pub(crate) fn listpack_score_text(score: f64) -> String {
    const LIMIT: f64 = (i64::MAX / 2) as f64;
    if score.is_finite() && (-LIMIT..=LIMIT).contains(&score) && score == (score as i64) as f64 {
        return itoa::Buffer::new().format(score as i64).to_string();
    }
    shoal_resp::double::format_double(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_follow_string2d() {
        let ok: &[(&[u8], f64)] = &[
            (b"1.5", 1.5),
            (b"-0", -0.0),
            (b"1.", 1.0),
            (b".5", 0.5),
            (b"1e+2", 100.0),
            (b"INFINITY", f64::INFINITY),
            (b"-Infinity", f64::NEG_INFINITY),
            (b"+inf", f64::INFINITY),
            (b"0x10", 16.0),
            (b"0x1p-2", 0.25),
            (b"4.9e-324", 4.9e-324),
        ];
        for (s, v) in ok {
            assert_eq!(parse_score(s), Some(*v), "{}", String::from_utf8_lossy(s));
        }
        for bad in [
            &b""[..],
            b" 1",
            b"1 ",
            b".",
            b"1e",
            b"nan",
            b"1e400",
            b"1e-400",
            b"0x",
            b"abc",
            b"1\0",
        ] {
            assert_eq!(parse_score(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn range_ends_follow_bare_strtod() {
        assert_eq!(parse_score_bound(b"(1.5"), Some((1.5, true)));
        assert_eq!(parse_score_bound(b""), Some((0.0, false)));
        assert_eq!(parse_score_bound(b"("), Some((0.0, true)));
        assert_eq!(parse_score_bound(b" 1"), Some((1.0, false)));
        assert_eq!(parse_score_bound(b"1e400"), Some((f64::INFINITY, false)));
        assert_eq!(parse_score_bound(b"2\0junk"), Some((2.0, false)));
        assert_eq!(parse_score_bound(b" "), None);
        assert_eq!(parse_score_bound(b"nan"), None);
        assert_eq!(parse_score_bound(b"1x"), None);
        assert_eq!(parse_lex_bound(b"+"), Some(LexBound::PosInf));
        assert_eq!(parse_lex_bound(b"-"), Some(LexBound::NegInf));
        assert_eq!(parse_lex_bound(b"["), Some(LexBound::Inclusive(vec![])));
        assert_eq!(
            parse_lex_bound(b"(a"),
            Some(LexBound::Exclusive(b"a".to_vec()))
        );
        assert_eq!(parse_lex_bound(b"-a"), None);
        assert_eq!(parse_lex_bound(b"a"), None);
        assert_eq!(parse_lex_bound(b""), None);
    }

    #[test]
    fn listpack_text_uses_integers_where_d2string_does() {
        assert_eq!(listpack_score_text(1e17), "100000000000000000");
        assert_eq!(listpack_score_text(1e19), "1e+19");
        assert_eq!(listpack_score_text(1.1), "1.1000000000000001");
        assert_eq!(listpack_score_text(-3.0), "-3");
        assert_eq!(listpack_score_text(f64::NEG_INFINITY), "-inf");
    }
}
