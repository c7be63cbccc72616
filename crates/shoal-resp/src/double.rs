//! Doubles as Redis 7.0 prints them in replies.
//!
//! Redis 7.0 formats reply doubles with C's `%.17g`: 17 significant digits,
//! fixed or exponent notation by the `%g` rule, trailing zeros dropped. So
//! `ZSCORE` of 1.1 reads `1.1000000000000001`. Infinities are `inf` and
//! `-inf`. Rust's float formatting rounds exactly, as glibc does, so the
//! digits agree.

/// Formats `value` as `%.17g` would, with Redis's spelling of infinities.
pub fn format_double(value: f64) -> String {
    let mut out = String::new();
    write_double(&mut out, value);
    out
}

/// Appends `value` formatted as by [`format_double`] to `out`.
pub fn write_double(out: &mut String, value: f64) {
    use std::fmt::Write;
    if value.is_nan() {
        out.push_str("nan");
        return;
    }
    if value.is_infinite() {
        out.push_str(if value > 0.0 { "inf" } else { "-inf" });
        return;
    }
    const PRECISION: i32 = 17;
    // Exponent after rounding to 17 significant digits decides the notation.
    let sci = format!("{:.*e}", (PRECISION - 1) as usize, value);
    let (mantissa, exp) = sci
        .split_once('e')
        .expect("Rust's {:e} always has an exponent");
    let exp: i32 = exp.parse().expect("Rust's exponent is a plain integer");
    if (-4..PRECISION).contains(&exp) {
        let decimals = (PRECISION - 1 - exp) as usize;
        let fixed = format!("{value:.decimals$}");
        out.push_str(trim_fraction_zeros(&fixed));
    } else {
        out.push_str(trim_fraction_zeros(mantissa));
        let sign = if exp < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exp.unsigned_abs());
    }
}

/// Drops trailing zeros of a fraction, and the point if nothing is left.
fn trim_fraction_zeros(s: &str) -> &str {
    if !s.contains('.') {
        return s;
    }
    s.trim_end_matches('0').trim_end_matches('.')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_c_percent_17g() {
        // Expected values are what glibc's printf("%.17g") prints.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.1, "1.1000000000000001"),
            (0.1, "0.10000000000000001"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (100.0, "100"),
            (1e16, "10000000000000000"),
            (1e17, "1e+17"),
            (1.5e17, "1.5e+17"),
            (0.0001, "0.0001"),
            (0.00001, "1.0000000000000001e-05"),
            (1e-5, "1.0000000000000001e-05"),
            (123456789.125, "123456789.125"),
            (1e300, "1.0000000000000001e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (3.0, "3"),
            (12345678901234567.0, "12345678901234568"),
        ];
        for (v, want) in cases {
            assert_eq!(format_double(*v), *want, "value {v:e}");
        }
    }
}
