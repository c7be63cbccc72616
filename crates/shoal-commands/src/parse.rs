//! Argument parsing with Redis's rules for numbers.

use shoal_keyspace::parse_canonical_i64;

/// Parses an integer argument as Redis does (`string2ll`: no spaces, no
/// `+`, no leading zeros).
#[inline]
pub fn int(arg: &[u8]) -> Option<i64> {
    parse_canonical_i64(arg)
}

/// Parses an unsigned 64-bit integer (SCAN cursors).
pub fn uint(arg: &[u8]) -> Option<u64> {
    if arg.is_empty() || arg.len() > 32 {
        return None;
    }
    let mut n: u64 = 0;
    for &b in arg {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add((b - b'0') as u64)?;
    }
    Some(n)
}

/// Parses a float as Redis's `string2d`/`getDoubleFromObject`: decimal or
/// exponent notation, `inf`/`-inf`, no surrounding spaces, not NaN.
pub fn float(arg: &[u8]) -> Option<f64> {
    if arg.is_empty() || arg.len() > 5120 {
        return None;
    }
    if arg[0].is_ascii_whitespace() || arg[arg.len() - 1].is_ascii_whitespace() {
        return None;
    }
    let s = std::str::from_utf8(arg).ok()?;
    let v = match s.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => f64::INFINITY,
        "-inf" | "-infinity" => f64::NEG_INFINITY,
        _ => {
            // Rust accepts forms strtod does not ("1_0" no, but "nan"/"inf"
            // spellings yes); reject anything outside strtod's alphabet.
            if !s
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
            {
                return parse_hex_float(s);
            }
            let v = s.parse::<f64>().ok()?;
            // strtod reports a range error for a finite text whose value
            // overflows, or underflows to zero; Redis refuses both.
            let mantissa = s.split(['e', 'E']).next().unwrap_or_default();
            let nonzero_digit = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
            if v.is_infinite() || (v == 0.0 && nonzero_digit) {
                return None;
            }
            v
        }
    };
    if v.is_nan() {
        return None;
    }
    Some(v)
}

/// strtod also takes hexadecimal floats ("0x1p3"); Redis therefore does.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let body = body
        .strip_prefix("0x")
        .or_else(|| body.strip_prefix("0X"))?;
    let (mantissa, exp) = match body.find(['p', 'P']) {
        Some(i) => (&body[..i], body[i + 1..].parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int_part.chars() {
        v = v * 16.0 + c.to_digit(16)? as f64;
    }
    let mut scale = 1.0 / 16.0;
    for c in frac_part.chars() {
        v += c.to_digit(16)? as f64 * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    Some(if neg { -v } else { v })
}

/// Case-insensitive comparison of an argument with an ASCII keyword.
#[inline]
pub fn eq_ignore_case(arg: &[u8], keyword: &str) -> bool {
    arg.eq_ignore_ascii_case(keyword.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_follow_strtod_rules() {
        assert_eq!(float(b"1.5"), Some(1.5));
        assert_eq!(float(b"-1e3"), Some(-1000.0));
        assert_eq!(float(b"inf"), Some(f64::INFINITY));
        assert_eq!(float(b"-INF"), Some(f64::NEG_INFINITY));
        assert_eq!(float(b".5"), Some(0.5));
        assert_eq!(float(b"0x10"), Some(16.0));
        assert_eq!(float(b"nan"), None);
        assert_eq!(float(b" 1"), None);
        assert_eq!(float(b"1 "), None);
        assert_eq!(float(b"abc"), None);
        assert_eq!(float(b""), None);
    }

    #[test]
    fn unsigned_cursors() {
        assert_eq!(uint(b"0"), Some(0));
        assert_eq!(uint(b"18446744073709551615"), Some(u64::MAX));
        assert_eq!(uint(b"18446744073709551616"), None);
        assert_eq!(uint(b"-1"), None);
        assert_eq!(uint(b"01"), Some(1));
    }
}
