//! The x86-64 `long double` (80-bit x87 extended precision) arithmetic that
//! Redis's replies depend on, emulated exactly in software.
//!
//! Redis parses HINCRBYFLOAT/INCRBYFLOAT operands and blocking timeouts with
//! `strtold`, adds or scales them in extended precision, and prints results
//! with `%.17Lf` before trimming zeros. An `f64` gives different digits
//! (`0.1 + 0.2` is `0.3` in extended precision, `0.30000000000000004` in
//! double), so this module reproduces the format bit for bit: a 64-bit
//! significand, the extended exponent range, round-half-even everywhere,
//! and exact decimal conversion in both directions through a small bignum.
//!
//! Only what Redis uses is here: parse, add, multiply by a small integer,
//! ceiling to an integer (with the x87 out-of-range result), and the fixed
//! `%.17Lf` / "human" formats. No general arithmetic.

use std::cmp::Ordering;

/// Exponent of the smallest subnormal (and of the smallest normal, whose
/// significand has its top bit set): value = significand * 2^MIN_EXP.
const MIN_EXP: i32 = -16445;
/// Exponent of the largest finite value's significand.
const MAX_EXP: i32 = 16320;
/// `MAX_LONG_DOUBLE_CHARS` in Redis: inputs of this length or more are refused.
const MAX_CHARS: usize = 5 * 1024;

/// An extended-precision value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LongDouble {
    negative: bool,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zero,
    /// `significand * 2^exp`; the significand's top bit is set unless
    /// `exp == MIN_EXP` (subnormal).
    Finite {
        significand: u64,
        exp: i32,
    },
    Infinite,
    NotANumber,
}

impl LongDouble {
    /// Positive zero.
    pub const ZERO: LongDouble = LongDouble {
        negative: false,
        kind: Kind::Zero,
    };

    /// The exact value of an integer (every i64 fits in 64 bits).
    pub fn from_i64(n: i64) -> LongDouble {
        if n == 0 {
            return LongDouble::ZERO;
        }
        round(n < 0, n.unsigned_abs() as u128, false, 0)
    }

    /// Parses `bytes` as Redis's `string2ld` does: `strtold` syntax
    /// (decimal, hexadecimal, `inf`/`infinity`), no leading space, the whole
    /// input consumed, at most 5119 bytes; `None` for NaN, and for results
    /// that overflow to infinity or underflow to zero.
    pub fn parse(bytes: &[u8]) -> Option<LongDouble> {
        if bytes.is_empty() || bytes.len() >= MAX_CHARS || is_c_space(bytes[0]) {
            return None;
        }
        let (negative, body) = match bytes[0] {
            b'-' => (true, &bytes[1..]),
            b'+' => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        if body.eq_ignore_ascii_case(b"inf") || body.eq_ignore_ascii_case(b"infinity") {
            return Some(LongDouble {
                negative,
                kind: Kind::Infinite,
            });
        }
        let (value, nonzero_digits) =
            if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
                parse_hex(negative, &body[2..])
            } else {
                parse_decimal(negative, body)
            }?;
        match value.kind {
            // strtold reports ERANGE for an overflow to infinity and for an
            // underflow to zero, and string2ld refuses both.
            Kind::Infinite => None,
            Kind::Zero if nonzero_digits => None,
            _ => Some(value),
        }
    }

    /// True for NaN.
    pub fn is_nan(self) -> bool {
        self.kind == Kind::NotANumber
    }

    /// True for either infinity.
    pub fn is_infinite(self) -> bool {
        self.kind == Kind::Infinite
    }
}

impl std::ops::Add for LongDouble {
    type Output = LongDouble;

    /// `self + other`, correctly rounded.
    fn add(self, other: LongDouble) -> LongDouble {
        use Kind::*;
        match (self.kind, other.kind) {
            (NotANumber, _) | (_, NotANumber) => NAN,
            (Infinite, Infinite) if self.negative != other.negative => NAN,
            (Infinite, _) => self,
            (_, Infinite) => other,
            // IEEE: x + (-x) is +0 in round-to-nearest; -0 + -0 is -0.
            (Zero, Zero) => LongDouble {
                negative: self.negative && other.negative,
                kind: Zero,
            },
            (Zero, _) => other,
            (_, Zero) => self,
            (
                Finite {
                    significand: ma,
                    exp: ea,
                },
                Finite {
                    significand: mb,
                    exp: eb,
                },
            ) => {
                let a_is_big = (ea, ma) >= (eb, mb);
                let ((big_neg, big_m, big_e), (small_neg, small_m, small_e)) = if a_is_big {
                    ((self.negative, ma, ea), (other.negative, mb, eb))
                } else {
                    ((other.negative, mb, eb), (self.negative, ma, ea))
                };
                // Two spare bits on top for the carry, 62 guard bits below;
                // the lost bits of the smaller operand are jammed into its
                // lowest bit, which keeps the final rounding exact.
                let big = (big_m as u128) << 62;
                let diff = (big_e - small_e) as u32;
                let full = (small_m as u128) << 62;
                let small = if diff >= 127 {
                    1
                } else {
                    let lost = full & ((1u128 << diff) - 1);
                    (full >> diff) | (lost != 0) as u128
                };
                let exp = big_e - 62;
                if big_neg == small_neg {
                    round(big_neg, big + small, false, exp)
                } else if big == small {
                    LongDouble::ZERO
                } else {
                    round(big_neg, big - small, false, exp)
                }
            }
        }
    }
}

impl LongDouble {
    /// `self * k`, correctly rounded.
    pub fn mul_u32(self, k: u32) -> LongDouble {
        match self.kind {
            Kind::Finite { significand, exp } if k != 0 => {
                round(self.negative, significand as u128 * k as u128, false, exp)
            }
            Kind::Finite { .. } => LongDouble {
                negative: self.negative,
                kind: Kind::Zero,
            },
            _ => self,
        }
    }

    /// `(long long) ceill(self)` as compiled for x86-64: values outside the
    /// i64 range, infinities and NaN give `i64::MIN`.
    pub fn ceil_to_i64(self) -> i64 {
        let (significand, exp) = match self.kind {
            Kind::Zero => return 0,
            Kind::Finite { significand, exp } => (significand, exp),
            Kind::Infinite | Kind::NotANumber => return i64::MIN,
        };
        let magnitude: u128 = if exp >= 0 {
            if exp >= 64 {
                return i64::MIN;
            }
            (significand as u128) << exp
        } else {
            let shift = (-exp) as u32;
            let (whole, has_fraction) = if shift >= 64 {
                (0u128, true)
            } else {
                (
                    (significand >> shift) as u128,
                    significand & ((1u64 << shift) - 1) != 0,
                )
            };
            // Ceiling moves positive values up and negative ones towards 0.
            if has_fraction && !self.negative {
                whole + 1
            } else {
                whole
            }
        };
        if self.negative {
            if magnitude <= 1u128 << 63 {
                (magnitude as i64).wrapping_neg()
            } else {
                i64::MIN
            }
        } else if magnitude <= i64::MAX as u128 {
            magnitude as i64
        } else {
            i64::MIN
        }
    }

    /// `printf("%.17Lf")`: plain decimal, exactly 17 digits after the point,
    /// rounded half to even; `inf`/`-inf`/`nan` as Redis prints them.
    pub fn format_fixed17(self) -> String {
        let mut out = String::with_capacity(40);
        if self.negative {
            out.push('-');
        }
        let (significand, exp) = match self.kind {
            Kind::Zero => {
                out.push_str("0.00000000000000000");
                return out;
            }
            Kind::Infinite => {
                out.push_str("inf");
                return out;
            }
            Kind::NotANumber => {
                out.push_str("nan");
                return out;
            }
            Kind::Finite { significand, exp } => (significand, exp),
        };
        // The value times 10^17, rounded to an integer (< 2^121 before the
        // binary exponent applies).
        let scaled = significand as u128 * 100_000_000_000_000_000u128;
        let mut itoa_buf = itoa::Buffer::new();
        let big_digits;
        let digits: &str = if exp >= 0 {
            if exp <= 7 {
                itoa_buf.format(scaled << exp)
            } else {
                let mut big = Big::from_u128(scaled);
                big.shl(exp as usize);
                big_digits = big.to_decimal();
                &big_digits
            }
        } else {
            let shift = (-exp) as u32;
            let rounded = if shift >= 128 {
                0 // the value is below half of the last printed digit
            } else {
                let whole = scaled >> shift;
                let rest = scaled & ((1u128 << shift) - 1);
                let half = 1u128 << (shift - 1);
                if rest > half || (rest == half && whole & 1 == 1) {
                    whole + 1
                } else {
                    whole
                }
            };
            itoa_buf.format(rounded)
        };
        if digits.len() >= 18 {
            let split = digits.len() - 17;
            out.push_str(&digits[..split]);
            out.push('.');
            out.push_str(&digits[split..]);
        } else {
            out.push_str("0.");
            for _ in digits.len()..17 {
                out.push('0');
            }
            out.push_str(digits);
        }
        out
    }

    /// Redis's "human" format (`LD_STR_HUMAN`): `%.17Lf` with trailing
    /// zeros and a bare trailing point removed, and `-0` printed as `0`.
    pub fn format_human(self) -> String {
        let mut s = self.format_fixed17();
        if s.contains('.') {
            let kept = s.trim_end_matches('0').len();
            s.truncate(kept);
            if s.ends_with('.') {
                s.pop();
            }
        }
        if s == "-0" {
            s = "0".into();
        }
        s
    }
}

const NAN: LongDouble = LongDouble {
    negative: false,
    kind: Kind::NotANumber,
};

/// C's `isspace` in the C locale.
fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// Rounds `(n + sticky) * 2^exp` to the extended format, half to even.
/// `sticky` says nonzero bits were dropped below `n`'s lowest bit.
fn round(negative: bool, n: u128, sticky: bool, exp: i32) -> LongDouble {
    if n == 0 {
        return LongDouble {
            negative,
            kind: Kind::Zero,
        };
    }
    let bits = 128 - n.leading_zeros() as i32;
    let mut shift = bits - 64;
    let mut e = exp.saturating_add(shift);
    if e < MIN_EXP {
        shift += MIN_EXP - e;
        e = MIN_EXP;
    }
    let mut kept: u128 = if shift <= 0 {
        // Exact: the sticky bits lie below half a unit and round down.
        n << (-shift)
    } else {
        let (kept, round_bit, rest) = if shift >= 129 {
            (0, false, true)
        } else if shift == 128 {
            (0, n >> 127 == 1, n & ((1u128 << 127) - 1) != 0)
        } else {
            let s = shift as u32;
            (
                n >> s,
                (n >> (s - 1)) & 1 == 1,
                n & ((1u128 << (s - 1)) - 1) != 0,
            )
        };
        if round_bit && (rest || sticky || kept & 1 == 1) {
            kept + 1
        } else {
            kept
        }
    };
    if kept == 1u128 << 64 {
        kept = 1u128 << 63;
        e += 1;
    }
    if kept == 0 {
        return LongDouble {
            negative,
            kind: Kind::Zero,
        };
    }
    if e > MAX_EXP {
        return LongDouble {
            negative,
            kind: Kind::Infinite,
        };
    }
    LongDouble {
        negative,
        kind: Kind::Finite {
            significand: kept as u64,
            exp: e,
        },
    }
}

/// Parses an optionally signed decimal exponent, saturating far beyond any
/// exponent that could still give a finite nonzero value.
fn parse_exponent(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        v = (v * 10 + (d - b'0') as i64).min(100_000_000);
    }
    Some(if neg { -v } else { v })
}

/// Splits `digits[.digits][<exp_mark>[sign]digits]` (the mark in either
/// case) into the whole digits, the fraction digits and the exponent;
/// `None` unless there is at least one digit and every part is well formed.
fn split_number(
    body: &[u8],
    exp_mark: u8,
    is_digit: fn(&u8) -> bool,
) -> Option<(&[u8], &[u8], i64)> {
    let (mantissa, exponent) = match body.iter().position(|&b| b | 0x20 == exp_mark) {
        Some(i) => (&body[..i], parse_exponent(&body[i + 1..])?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.iter().position(|&b| b == b'.') {
        Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
        None => (mantissa, &mantissa[..0]),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.iter().chain(frac_part).all(is_digit) {
        return None;
    }
    Some((int_part, frac_part, exponent))
}

/// Parses the unsigned decimal form; also says whether any digit was
/// nonzero (a zero result is then an underflow).
fn parse_decimal(negative: bool, body: &[u8]) -> Option<(LongDouble, bool)> {
    let (int_part, frac_part, exponent) = split_number(body, b'e', u8::is_ascii_digit)?;
    // Significant digits without leading or trailing zeros; the decimal
    // exponent says where the point goes.
    let total = int_part.len() + frac_part.len();
    let digit = |i: usize| {
        if i < int_part.len() {
            int_part[i]
        } else {
            frac_part[i - int_part.len()]
        }
    };
    let Some(first) = (0..total).find(|&i| digit(i) != b'0') else {
        return Some((
            LongDouble {
                negative,
                kind: Kind::Zero,
            },
            false,
        ));
    };
    let last = (0..total)
        .rev()
        .find(|&i| digit(i) != b'0')
        .expect("a nonzero digit exists");
    let count = last - first + 1;
    let exp10 = exponent - frac_part.len() as i64 + (total - 1 - last) as i64;
    // The value lies in [10^(magnitude-1), 10^magnitude).
    let magnitude = count as i64 + exp10;
    if magnitude > 4934 {
        return Some((
            LongDouble {
                negative,
                kind: Kind::Infinite,
            },
            true,
        ));
    }
    if magnitude < -4952 {
        return Some((
            LongDouble {
                negative,
                kind: Kind::Zero,
            },
            true,
        ));
    }
    // Fast exact paths in 128-bit arithmetic for up to 38 significant
    // digits and a small scale, which covers what clients send and what
    // HINCRBYFLOAT itself stores (up to 17 decimals).
    if count <= 38 {
        let d = (first..=last).fold(0u128, |acc, i| acc * 10 + (digit(i) - b'0') as u128);
        if (0..=38).contains(&exp10) {
            if let Some(n) = d.checked_mul(10u128.pow(exp10 as u32)) {
                return Some((round(negative, n, false, 0), true));
            }
        }
        if (-18..0).contains(&exp10) {
            // d * 2^s / 10^k with the numerator just under 2^127: since
            // 10^k < 2^60 the quotient keeps at least 67 bits, more than
            // the 64 kept plus a round bit; the remainder is the sticky bit.
            let divisor = 10u128.pow((-exp10) as u32);
            let shift = d.leading_zeros() - 1;
            let numerator = d << shift;
            let (q, r) = (numerator / divisor, numerator % divisor);
            return Some((round(negative, q, r != 0, -(shift as i32)), true));
        }
    }
    let digits: Vec<u8> = (first..=last).map(digit).collect();
    let mut n = Big::from_decimal(&digits);
    if exp10 >= 0 {
        n.mul_pow10(exp10 as u32);
        let (top, dropped, sticky) = n.top_bits(128);
        Some((round(negative, top, sticky, dropped as i32), true))
    } else {
        let mut divisor = Big::from_u128(1);
        divisor.mul_pow10((-exp10) as u32);
        // Scale the numerator so the quotient has about 68 bits: more than
        // the 64 kept plus a round bit; the remainder is the sticky bit.
        let scale = (divisor.bit_len() + 67).saturating_sub(n.bit_len());
        n.shl(scale);
        let (quotient, remainder_nonzero) = n.div_small_quotient(&divisor);
        Some((
            round(negative, quotient, remainder_nonzero, -(scale as i32)),
            true,
        ))
    }
}

/// Parses the digits after `0x`, as [`parse_decimal`].
fn parse_hex(negative: bool, body: &[u8]) -> Option<(LongDouble, bool)> {
    let (int_part, frac_part, exponent) = split_number(body, b'p', u8::is_ascii_hexdigit)?;
    let mut n = Big::from_u128(0);
    for &h in int_part.iter().chain(frac_part) {
        n.mul_small(16);
        n.add_small((h as char).to_digit(16).expect("checked hex digit"));
    }
    if n.is_zero() {
        return Some((
            LongDouble {
                negative,
                kind: Kind::Zero,
            },
            false,
        ));
    }
    let exp2 = exponent - 4 * frac_part.len() as i64;
    let (top, dropped, sticky) = n.top_bits(128);
    let exp = (exp2 + dropped as i64).clamp(-100_000_000, 100_000_000) as i32;
    Some((round(negative, top, sticky, exp), true))
}

/// A minimal unsigned bignum: little-endian 32-bit limbs, no high zero limbs.
#[derive(Debug, Clone)]
struct Big {
    limbs: Vec<u32>,
}

impl Big {
    fn from_u128(mut v: u128) -> Big {
        let mut limbs = Vec::new();
        while v != 0 {
            limbs.push(v as u32);
            v >>= 32;
        }
        Big { limbs }
    }

    fn from_decimal(digits: &[u8]) -> Big {
        let mut n = Big::from_u128(0);
        for chunk in digits.chunks(9) {
            let mut v = 0u32;
            for &d in chunk {
                v = v * 10 + (d - b'0') as u32;
            }
            n.mul_small(10u32.pow(chunk.len() as u32));
            n.add_small(v);
        }
        n
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn mul_small(&mut self, m: u32) {
        let mut carry = 0u64;
        for limb in &mut self.limbs {
            let v = *limb as u64 * m as u64 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.trim();
    }

    fn add_small(&mut self, a: u32) {
        let mut carry = a as u64;
        for limb in &mut self.limbs {
            if carry == 0 {
                return;
            }
            let v = *limb as u64 + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
    }

    fn mul_pow10(&mut self, mut k: u32) {
        while k >= 9 {
            self.mul_small(1_000_000_000);
            k -= 9;
        }
        if k > 0 {
            self.mul_small(10u32.pow(k));
        }
    }

    fn trim(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    fn bit_len(&self) -> usize {
        match self.limbs.last() {
            None => 0,
            Some(&top) => self.limbs.len() * 32 - top.leading_zeros() as usize,
        }
    }

    fn shl(&mut self, bits: usize) {
        if self.is_zero() || bits == 0 {
            return;
        }
        let (words, rem) = (bits / 32, (bits % 32) as u32);
        if rem != 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let v = *limb;
                *limb = (v << rem) | carry;
                carry = v >> (32 - rem);
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if words > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, words));
        }
    }

    /// The top `n` (at most 128) bits as an integer, how many lower bits
    /// were dropped, and whether any dropped bit was set.
    fn top_bits(&self, n: usize) -> (u128, usize, bool) {
        let len = self.bit_len();
        let dropped = len.saturating_sub(n);
        let (words, bits) = (dropped / 32, dropped % 32);
        let mut top = 0u128;
        for (k, &limb) in self.limbs[words..].iter().enumerate() {
            // Where this limb's lowest bit lands in the result; the result
            // has at most 128 bits, so nothing lands at 128 or beyond.
            let at = 32 * k as i64 - bits as i64;
            if at < 0 {
                top |= (limb >> bits) as u128;
            } else if at < 128 {
                top |= (limb as u128) << at;
            }
        }
        let sticky = self.limbs[..words].iter().any(|&l| l != 0)
            || (bits > 0
                && self
                    .limbs
                    .get(words)
                    .is_some_and(|&l| l & ((1u32 << bits) - 1) != 0));
        (top, dropped, sticky)
    }

    fn cmp_big(&self, other: &Big) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }

    fn sub_assign(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.limbs.len() {
            let o = other.limbs.get(i).copied().unwrap_or(0) as i64;
            let mut v = self.limbs[i] as i64 - o - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            self.limbs[i] = v as u32;
        }
        debug_assert_eq!(borrow, 0, "subtrahend larger than minuend");
        self.trim();
    }

    /// Shifts right by one bit in place.
    fn shr1(&mut self) {
        let mut carry = 0u32;
        for limb in self.limbs.iter_mut().rev() {
            let v = *limb;
            *limb = (v >> 1) | (carry << 31);
            carry = v & 1;
        }
        self.trim();
    }

    /// `self / divisor` when the quotient fits in 128 bits (shift-and-
    /// subtract), and whether the remainder is nonzero.
    fn div_small_quotient(mut self, divisor: &Big) -> (u128, bool) {
        let len = self.bit_len();
        let dlen = divisor.bit_len();
        let mut quotient = 0u128;
        if len >= dlen {
            let qbits = len - dlen + 1;
            assert!(qbits <= 128, "quotient wider than 128 bits");
            let mut shifted = divisor.clone();
            shifted.shl(qbits - 1);
            for j in (0..qbits).rev() {
                if self.cmp_big(&shifted) != Ordering::Less {
                    self.sub_assign(&shifted);
                    quotient |= 1u128 << j;
                }
                shifted.shr1();
            }
        }
        (quotient, !self.is_zero())
    }

    fn to_decimal(&self) -> String {
        let mut n = self.clone();
        let mut groups = Vec::new();
        while !n.is_zero() {
            let mut rem = 0u64;
            for limb in n.limbs.iter_mut().rev() {
                let v = (rem << 32) | *limb as u64;
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            n.trim();
            groups.push(rem as u32);
        }
        let mut s = match groups.pop() {
            None => return "0".into(),
            Some(top) => top.to_string(),
        };
        for g in groups.iter().rev() {
            s.push_str(&format!("{g:09}"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn human(s: &str) -> String {
        LongDouble::parse(s.as_bytes()).expect(s).format_human()
    }

    fn sum(a: &str, b: &str) -> String {
        let a = LongDouble::parse(a.as_bytes()).expect(a);
        let b = LongDouble::parse(b.as_bytes()).expect(b);
        (a + b).format_human()
    }

    // Expected strings below were produced by redis-server 7.0.15
    // (HINCRBYFLOAT on an empty field, or on the first operand).
    #[test]
    fn sums_match_redis_extended_precision() {
        assert_eq!(sum("0.1", "0.2"), "0.3");
        assert_eq!(sum("10.5", "0.1"), "10.6");
        assert_eq!(sum("1.5", "2.5e-1"), "1.75");
        assert_eq!(sum("0x1p-2", ".5"), "0.75");
        assert_eq!(sum("5.", "+3"), "8");
        assert_eq!(sum("0012", "1"), "13");
        assert_eq!(
            sum("123456789012345678901234567890", "0.1"),
            "123456789012345678899921813504"
        );
    }

    #[test]
    fn human_format_matches_redis() {
        assert_eq!(human("1.23456789012345678901"), "1.23456789012345679");
        assert_eq!(
            human("3.14159265358979323846264338327950288"),
            "3.14159265358979324"
        );
        assert_eq!(human("1e20"), "100000000000000000000");
        assert_eq!(human("3.0e3"), "3000");
        assert_eq!(human("1e-20"), "0");
        assert_eq!(human("-0.000000000000000001"), "0");
        assert_eq!(human("0.000000000000000005"), "0");
        assert_eq!(human("0.000000000000000015"), "0.00000000000000002");
        assert_eq!(human("1e-4940"), "0");
        assert_eq!(human("-2.5"), "-2.5");
        let big = human("1e4000");
        assert_eq!(big.len(), 4000);
        assert!(big.starts_with("99999999999999999999654638730996237849324925835069"));
        assert!(big.ends_with("72729951206648276349901340672"));
    }

    #[test]
    fn parse_refuses_what_string2ld_refuses() {
        for bad in [
            "", " 1", "1 ", "1e", "1e+", "1_0", "nan", "NaN", "abc", ".", "0x", "0xp1", "1e5000",
            "1e-5000", "-1e5000", "0x1p", "infinit", "++1", "1..2",
        ] {
            assert!(LongDouble::parse(bad.as_bytes()).is_none(), "{bad:?}");
        }
        assert!(LongDouble::parse(&[b'1'; 5120]).is_none());
        assert!(LongDouble::parse(&[b'1'; 5119]).is_none(), "overflows");
        assert!(LongDouble::parse(b"inf").unwrap().is_infinite());
        assert!(LongDouble::parse(b"-Infinity").unwrap().is_infinite());
        assert_eq!(LongDouble::parse(b"0e99999"), Some(LongDouble::ZERO));
        assert_eq!(human("-0"), "0");
        assert_eq!(human("0x10"), "16");
        assert_eq!(human("0x.8"), "0.5");
    }

    #[test]
    fn timeouts_scale_and_ceil_like_x87() {
        let ms = |s: &str| {
            LongDouble::parse(s.as_bytes())
                .unwrap()
                .mul_u32(1000)
                .ceil_to_i64()
        };
        assert_eq!(ms("1"), 1000);
        assert_eq!(ms("0.0001"), 1);
        assert_eq!(ms("-0.0001"), 0);
        assert_eq!(ms("1.5"), 1500);
        assert_eq!(ms("0x10"), 16000);
        assert_eq!(ms("9223372036854775"), 9_223_372_036_854_775_000);
        assert_eq!(ms("9223372036854776"), i64::MIN);
        assert_eq!(ms("1e300"), i64::MIN);
        assert_eq!(ms("inf"), i64::MIN);
        assert_eq!(ms("-1"), -1000);
    }

    #[test]
    fn rounding_is_half_even_at_64_bits() {
        // 2^64 + 1 is a tie between 2^64 and 2^64 + 2: even wins.
        assert_eq!(human("18446744073709551617"), "18446744073709551616");
        // 2^64 + 3 is a tie between 2^64 + 2 and 2^64 + 4: 4 is even.
        assert_eq!(human("18446744073709551619"), "18446744073709551620");
        assert_eq!(sum("18446744073709551616", "1"), "18446744073709551616");
        assert_eq!(
            sum("18446744073709551616", "1.0000001"),
            "18446744073709551618"
        );
        assert_eq!(sum("1", "-1"), "0");
        assert_eq!(
            LongDouble::from_i64(i64::MIN).format_human(),
            "-9223372036854775808"
        );
    }

    /// Compares with real C `long double` arithmetic (x86-64's 80-bit type,
    /// as redis-server uses it): a small C program, compiled here with the
    /// system's `cc`, prints `%.17Lf` of `strtold(a) + strtold(b)` trimmed
    /// as Redis trims it, and `(long long) ceill(strtold(b) * 1000.0)` (a
    /// timeout in ms), for generated inputs of every magnitude.
    #[test]
    fn matches_c_long_double_arithmetic() {
        use rand::{Rng, SeedableRng};
        const PROGRAM: &str = r#"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
    char a[256], b[256], buf[512];
    while (scanf("%255s %255s", a, b) == 2) {
        long double x = strtold(a, NULL), y = strtold(b, NULL), sum = x + y;
        if (isnan(sum)) { strcpy(buf, "nan"); } else {
            int l = snprintf(buf, sizeof buf, "%.17Lf", sum);
            if (strchr(buf, '.')) {
                while (buf[l - 1] == '0') buf[--l] = 0;
                if (buf[l - 1] == '.') buf[--l] = 0;
            }
            if (strcmp(buf, "-0") == 0) strcpy(buf, "0");
        }
        printf("%s %s %s %lld\n", a, b, buf, (long long) ceill(y * 1000.0L));
    }
    return 0;
}
"#;
        let dir = std::env::temp_dir().join(format!("shoal-long-double-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (src, exe) = (dir.join("vectors.c"), dir.join("vectors"));
        std::fs::write(&src, PROGRAM).unwrap();
        let built = std::process::Command::new("cc")
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .arg("-lm")
            .status()
            .expect("a C compiler (cc) is required for this test");
        assert!(built.success(), "compiling the vector program failed");
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        let number = |rng: &mut rand::rngs::SmallRng| -> String {
            let sign = if rng.random_bool(0.3) { "-" } else { "" };
            match rng.random_range(0..4) {
                0 => format!("{sign}{}", rng.random_range(0..1_000_000u64)),
                1 => format!(
                    "{sign}{}.{}",
                    rng.random_range(0..1000u32),
                    rng.random_range(0..100_000u32)
                ),
                2 => format!(
                    "{sign}{}e{}",
                    rng.random_range(1..999u32),
                    rng.random_range(-20..20i32)
                ),
                _ => format!("{sign}0.{:09}", rng.random_range(0..1_000_000_000u64)),
            }
        };
        let input: String = (0..2000)
            .map(|_| format!("{} {}\n", number(&mut rng), number(&mut rng)))
            .collect();
        let mut child = std::process::Command::new(&exe)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        let text = String::from_utf8(output.stdout).unwrap();
        let mut checked = 0;
        for line in text.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            let a = LongDouble::parse(f[0].as_bytes()).expect(line);
            let b = LongDouble::parse(f[1].as_bytes()).expect(line);
            let sum = a + b;
            let got = if sum.is_nan() {
                "nan".to_string()
            } else {
                sum.format_human()
            };
            assert_eq!(got, f[2], "{line}");
            assert_eq!(b.mul_u32(1000).ceil_to_i64().to_string(), f[3], "{line}");
            checked += 1;
        }
        assert_eq!(checked, 2000, "every generated pair was compared");
    }
}
