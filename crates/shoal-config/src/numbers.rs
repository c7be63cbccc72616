//! Number parsing and printing with the exact leniencies of the C functions Redis uses.
//!
//! Redis parses different directives with different functions, and users can see the
//! difference: `port 06379` is refused (strict integers) while `save "900 01"` is accepted
//! (`strtoll`), and `maxmemory ""` means 0. Each function here mirrors one of them; the
//! callers in [`crate::value`] pick the same one Redis picks for that directive.

use crate::args::{is_c_space, until_nul};

/// Strict signed integer: optional `-`, no leading zeros, no blanks, no `+`, fits in i64.
/// (Redis's `string2ll`.)
pub(crate) fn parse_strict_i64(s: &[u8]) -> Option<i64> {
    shoal_types::parse_redis_i64(s)
}

/// Memory amount: digits then an optional unit `b k kb m mb g gb` (any case); `k`/`m`/`g`
/// are powers of 1000, `kb`/`mb`/`gb` powers of 1024. Empty digits mean 0, a leading `-`
/// is refused, and like C the result wraps instead of overflowing. (Redis's `memtoull`.)
pub(crate) fn parse_memory(s: &[u8]) -> Option<u64> {
    let s = until_nul(s);
    if s.first() == Some(&b'-') {
        return None;
    }
    let ndigits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let (digits, unit) = s.split_at(ndigits);
    let mul: u64 = match unit.to_ascii_lowercase().as_slice() {
        b"" | b"b" => 1,
        b"k" => 1000,
        b"kb" => 1024,
        b"m" => 1000 * 1000,
        b"mb" => 1024 * 1024,
        b"g" => 1000 * 1000 * 1000,
        b"gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if digits.len() >= 128 {
        return None;
    }
    // strtoull saturates on overflow and Redis does not look at errno for that.
    let mut v: u64 = 0;
    for &d in digits {
        v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
        if v == u64::MAX {
            break;
        }
    }
    Some(v.wrapping_mul(mul))
}

/// Result of a C `strtoll` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CStrtoll {
    /// The value, clamped to i64 on overflow.
    pub value: i64,
    /// Whether the whole (NUL-terminated) string was consumed.
    pub complete: bool,
    /// Whether the value overflowed (C's `errno == ERANGE`).
    pub overflow: bool,
}

/// C `strtoll(s, &end, base)` for base 8 or 10: leading blanks, an optional sign, digits.
/// With no digits at all nothing is consumed, so `""` is complete and `" "` is not.
pub(crate) fn c_strtoll(s: &[u8], base: u32) -> CStrtoll {
    let s = until_nul(s);
    let mut i = 0;
    while i < s.len() && is_c_space(s[i]) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut magnitude: u128 = 0;
    while i < s.len() {
        let d = match (s[i] as char).to_digit(base) {
            Some(d) => d,
            None => break,
        };
        magnitude = (magnitude * u128::from(base) + u128::from(d)).min(u128::from(u64::MAX) + 1);
        i += 1;
    }
    if i == start {
        return CStrtoll {
            value: 0,
            complete: s.is_empty(),
            overflow: false,
        };
    }
    let (value, overflow) = if negative {
        if magnitude > i64::MAX as u128 + 1 {
            (i64::MIN, true)
        } else {
            ((magnitude as i128).wrapping_neg() as i64, false)
        }
    } else if magnitude > i64::MAX as u128 {
        (i64::MAX, true)
    } else {
        (magnitude as i64, false)
    };
    CStrtoll {
        value,
        complete: i == s.len(),
        overflow,
    }
}

/// A double as Redis's `string2d` accepts it: the whole string, no leading blank, not NaN,
/// no overflow to infinity or underflow to zero.
pub(crate) fn parse_double(s: &[u8]) -> Option<f64> {
    let text = std::str::from_utf8(s).ok()?;
    if text.is_empty() || is_c_space(s[0]) {
        return None;
    }
    let lower = text.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    let named = matches!(body, "inf" | "infinity");
    if body.starts_with("nan") {
        return None;
    }
    let v: f64 = text.parse().ok()?;
    if v.is_infinite() && !named {
        return None; // strtod overflowed
    }
    let mantissa = body.split('e').next().unwrap_or("");
    if v == 0.0 && mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        return None; // strtod underflowed
    }
    Some(v)
}

/// `%f` then trailing zeros (and a bare `.`) trimmed: how Redis prints percentiles.
pub(crate) fn format_trimmed_double(v: f64) -> String {
    let mut s = format!("{v:.6}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    s
}

/// A byte count in the largest of `gb`/`mb`/`kb` that divides it, as CONFIG REWRITE writes
/// memory directives.
pub(crate) fn format_memory(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = 1024 * 1024;
    const GB: u64 = 1024 * 1024 * 1024;
    if bytes != 0 && bytes % GB == 0 {
        format!("{}gb", bytes / GB)
    } else if bytes != 0 && bytes % MB == 0 {
        format!("{}mb", bytes / MB)
    } else if bytes != 0 && bytes % KB == 0 {
        format!("{}kb", bytes / KB)
    } else {
        bytes.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_integers() {
        assert_eq!(parse_strict_i64(b"0"), Some(0));
        assert_eq!(parse_strict_i64(b"6379"), Some(6379));
        assert_eq!(parse_strict_i64(b"-2"), Some(-2));
        assert_eq!(parse_strict_i64(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_strict_i64(b"-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            "06379",
            "+1",
            "-0",
            "-",
            " 1",
            "1 ",
            "0x10",
            "9223372036854775808",
            "1.5",
        ] {
            assert_eq!(parse_strict_i64(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory(b"100"), Some(100));
        assert_eq!(parse_memory(b"1k"), Some(1000));
        assert_eq!(parse_memory(b"1kb"), Some(1024));
        assert_eq!(parse_memory(b"1KB"), Some(1024));
        assert_eq!(parse_memory(b"2m"), Some(2_000_000));
        assert_eq!(parse_memory(b"2Mb"), Some(2 * 1024 * 1024));
        assert_eq!(parse_memory(b"3g"), Some(3_000_000_000));
        assert_eq!(parse_memory(b"3gB"), Some(3 * 1024 * 1024 * 1024));
        assert_eq!(parse_memory(b"7b"), Some(7));
        // Quirks: no digits means zero, overflow saturates or wraps rather than failing.
        assert_eq!(parse_memory(b""), Some(0));
        assert_eq!(parse_memory(b"mb"), Some(0));
        assert_eq!(parse_memory(b"99999999999999999999999"), Some(u64::MAX));
        for bad in ["-1", "1zb", "1.5mb", " 1", "1 kb", "+1", "1tb", "0x10"] {
            assert_eq!(parse_memory(bad.as_bytes()), None, "{bad:?}");
        }
    }

    #[test]
    fn strtoll_leniency() {
        let full = |s: &str| {
            let r = c_strtoll(s.as_bytes(), 10);
            r.complete.then_some(r.value)
        };
        assert_eq!(full("900"), Some(900));
        assert_eq!(full(" +5"), Some(5));
        assert_eq!(full("-0"), Some(0));
        assert_eq!(full("007"), Some(7));
        assert_eq!(full(""), Some(0));
        assert_eq!(full(" "), None);
        assert_eq!(full("5x"), None);
        assert_eq!(full("-"), None);
        assert_eq!(c_strtoll(b"99999999999999999999", 10).value, i64::MAX);
        assert!(c_strtoll(b"99999999999999999999", 10).overflow);
        assert_eq!(c_strtoll(b"777", 8).value, 0o777);
        assert!(!c_strtoll(b"8", 8).complete);
    }

    #[test]
    fn doubles() {
        assert_eq!(parse_double(b"99.9"), Some(99.9));
        assert_eq!(parse_double(b"1e2"), Some(100.0));
        assert_eq!(parse_double(b"inf"), Some(f64::INFINITY));
        assert_eq!(parse_double(b"nan"), None);
        assert_eq!(parse_double(b" 1"), None);
        assert_eq!(parse_double(b""), None);
        assert_eq!(parse_double(b"1e999"), None);
        assert_eq!(parse_double(b"1e-999"), None);
        assert_eq!(parse_double(b"0e5"), Some(0.0));
    }

    #[test]
    fn printing() {
        assert_eq!(format_trimmed_double(99.9), "99.9");
        assert_eq!(format_trimmed_double(50.0), "50");
        assert_eq!(format_trimmed_double(0.001), "0.001");
        assert_eq!(format_memory(0), "0");
        assert_eq!(format_memory(1024), "1kb");
        assert_eq!(format_memory(1536), "1536");
        assert_eq!(format_memory(64 * 1024 * 1024), "64mb");
        assert_eq!(format_memory(3 << 30), "3gb");
    }
}
