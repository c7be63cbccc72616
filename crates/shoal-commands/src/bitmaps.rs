//! Bit commands on string values: SETBIT GETBIT BITCOUNT BITPOS BITOP
//! BITFIELD BITFIELD_RO, with Redis 7.0's replies and errors.
//!
//! Bits are numbered from the most significant bit of the first byte, as
//! in Redis. A missing key reads as an endless run of zero bits; writes
//! zero-pad the string up to the highest bit they touch. Integer-encoded
//! strings are read through their decimal text, as Redis reads them.

use crate::ctx::{ExecCtx, Outcome};
use crate::errors;
use crate::parse::{self, eq_ignore_case};
use shoal_keyspace::{Ttl, Value};
use shoal_resp::request::Args;

/// Reply of a bad bit offset (negative, not a number, or past
/// `proto-max-bulk-len` bytes).
const BAD_OFFSET: &str = "ERR bit offset is not an integer or out of range";
/// Reply of a SETBIT value other than 0 or 1.
const BAD_BIT: &str = "ERR bit is not an integer or out of range";
/// Reply of a BITPOS bit other than 0 or 1.
const BITPOS_BAD_BIT: &str = "ERR The bit argument must be 1 or 0.";
/// Reply of a malformed BITFIELD type.
const BAD_TYPE: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
/// Reply of an unknown BITFIELD OVERFLOW mode.
const BAD_OVERFLOW: &str = "ERR Invalid OVERFLOW type specified";
/// Reply of BITFIELD_RO given a write.
const RO_WRITE: &str = "ERR BITFIELD_RO only supports the GET subcommand";
/// Reply of BITOP NOT given several sources.
const NOT_ONE_SOURCE: &str = "ERR BITOP NOT must be called with a single source key.";

/// Bit `offset` of `bytes` (zero past the end).
#[inline]
fn bit_at(bytes: &[u8], offset: u64) -> bool {
    let byte = (offset >> 3) as usize;
    byte < bytes.len() && bytes[byte] & (0x80 >> (offset & 7)) != 0
}

/// Sets bit `offset` of `bytes`, which must be long enough.
#[inline]
fn set_bit_at(bytes: &mut [u8], offset: u64, on: bool) {
    let mask = 0x80u8 >> (offset & 7);
    let byte = &mut bytes[(offset >> 3) as usize];
    if on {
        *byte |= mask;
    } else {
        *byte &= !mask;
    }
}

/// Parses a bit offset; `#N` (BITFIELD only, `width` set) means N fields
/// of `width` bits. `None` means [`BAD_OFFSET`].
fn bit_offset(arg: &[u8], width: Option<u32>, max_bulk_len: u64) -> Option<u64> {
    let (digits, scale) = match (arg.first(), width) {
        (Some(b'#'), Some(w)) => (&arg[1..], i64::from(w)),
        _ => (arg, 1),
    };
    let offset = parse::int(digits)?.checked_mul(scale)?;
    let offset = u64::try_from(offset).ok()?;
    (offset >> 3 < max_bulk_len).then_some(offset)
}

/// The string under `key` for a bit write, created or zero-padded so that
/// bit `highest` exists. `None` after writing WRONGTYPE. The flag says
/// whether the value grew (or was created).
fn string_for_bit_write<'a>(
    ctx: &'a mut ExecCtx<'_>,
    key: &[u8],
    highest: u64,
) -> Option<(&'a mut Vec<u8>, bool)> {
    let db = &mut ctx.dbs[ctx.db];
    let (value, _) =
        db.get_or_insert_with(key, ctx.now_ms, ctx.rng, || Value::Growable(Box::default()));
    let Some(bytes) = value.make_growable() else {
        ctx.out.error(errors::WRONGTYPE);
        return None;
    };
    let needed = (highest >> 3) as usize + 1;
    let grew = bytes.len() < needed;
    if grew {
        bytes.resize(needed, 0);
    }
    Some((bytes, grew))
}

/// Runs `f` on the bytes of the string under `key` for a read (a counted
/// lookup), or on `None` when the key is missing. `None` after writing
/// WRONGTYPE.
fn with_string_read<R>(
    ctx: &mut ExecCtx<'_>,
    key: &[u8],
    f: impl FnOnce(Option<&[u8]>) -> R,
) -> Option<R> {
    match ctx.dbs[ctx.db].get(key, ctx.now_ms, ctx.rng) {
        None => Some(f(None)),
        Some(v) => match v.as_str() {
            Some(s) => Some(s.with_bytes(|b| f(Some(b)))),
            None => {
                ctx.out.error(errors::WRONGTYPE);
                None
            }
        },
    }
}

/// SETBIT key offset value
pub fn setbit(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(offset) = bit_offset(args.get(2), None, ctx.settings.proto_max_bulk_len) else {
        ctx.out.error(BAD_OFFSET);
        return Outcome::Done;
    };
    let on = match parse::int(args.get(3)) {
        Some(0) => false,
        Some(1) => true,
        _ => {
            ctx.out.error(BAD_BIT);
            return Outcome::Done;
        }
    };
    let key = args.get(1);
    let Some((bytes, grew)) = string_for_bit_write(ctx, key, offset) else {
        return Outcome::Done;
    };
    let was = bit_at(bytes, offset);
    set_bit_at(bytes, offset, on);
    if grew || was != on {
        ctx.dbs[ctx.db].signal(key);
        ctx.dirty += 1;
    }
    ctx.out.integer(was as i64);
    Outcome::Done
}

/// GETBIT key offset
pub fn getbit(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let Some(offset) = bit_offset(args.get(2), None, ctx.settings.proto_max_bulk_len) else {
        ctx.out.error(BAD_OFFSET);
        return Outcome::Done;
    };
    if let Some(bit) = with_string_read(ctx, args.get(1), |s| bit_at(s.unwrap_or_default(), offset))
    {
        ctx.out.integer(bit as i64);
    }
    Outcome::Done
}

/// A BITCOUNT/BITPOS range in bits, inclusive, after Redis's index rules
/// (negative from the end, clamped to the string); empty when start > end.
fn bit_range(len_bytes: usize, start: i64, end: i64, in_bits: bool) -> Option<(u64, u64)> {
    let total = if in_bits {
        len_bytes as i64 * 8
    } else {
        len_bytes as i64
    };
    let resolve = |i: i64| if i < 0 { (total + i).max(0) } else { i };
    let (start, end) = (resolve(start), resolve(end).min(total - 1));
    if start > end {
        return None;
    }
    let (start, end) = (start as u64, end as u64);
    Some(if in_bits {
        (start, end)
    } else {
        (start * 8, end * 8 + 7)
    })
}

/// Parses the optional `BYTE|BIT` unit at `at`: `Some(true)` for bits;
/// `None` (syntax error) for anything else.
fn unit_arg(args: Args<'_>, at: usize) -> Option<bool> {
    if at >= args.len() {
        Some(false)
    } else if eq_ignore_case(args.get(at), "bit") {
        Some(true)
    } else if eq_ignore_case(args.get(at), "byte") {
        Some(false)
    } else {
        None
    }
}

/// Ones among bits `start..=end` of `bytes`.
fn count_ones(bytes: &[u8], start: u64, end: u64) -> u64 {
    let (first, last) = ((start >> 3) as usize, (end >> 3) as usize);
    // The bits of the edge bytes that lie inside the range.
    let head = 0xffu8 >> (start & 7);
    let tail = 0xffu8 << (7 - (end & 7));
    if first == last {
        return u64::from((bytes[first] & head & tail).count_ones());
    }
    let middle: u64 = bytes[first + 1..last]
        .iter()
        .map(|b| u64::from(b.count_ones()))
        .sum();
    u64::from((bytes[first] & head).count_ones())
        + middle
        + u64::from((bytes[last] & tail).count_ones())
}

/// The first bit equal to `bit` among bits `start..=end` of `bytes`,
/// skipping whole bytes that cannot hold it.
fn find_bit(bytes: &[u8], start: u64, end: u64, bit: bool) -> Option<u64> {
    let skip = if bit { 0x00 } else { 0xff };
    let mut i = start;
    while i <= end {
        if i & 7 == 0 && i + 7 <= end && bytes[(i >> 3) as usize] == skip {
            i += 8;
            continue;
        }
        if bit_at(bytes, i) == bit {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// BITCOUNT key [start end [BYTE|BIT]]
///
/// As in Redis 7.0, the key is looked up before the range is parsed: a
/// missing key answers 0 and another type WRONGTYPE whatever the range.
pub fn bitcount(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let reply = with_string_read(ctx, args.get(1), |s| {
        let Some(s) = s else {
            return Ok(0);
        };
        let (start, end, in_bits) = match args.len() {
            2 => (0, -1, false),
            4 | 5 => {
                let (Some(start), Some(end)) = (parse::int(args.get(2)), parse::int(args.get(3)))
                else {
                    return Err(errors::NOT_INTEGER);
                };
                // An inverted range of negative indexes is empty before the
                // unit is even read (Redis 7.0's order).
                if start < 0 && end < 0 && start > end {
                    return Ok(0);
                }
                let in_bits = unit_arg(args, 4).ok_or(errors::SYNTAX)?;
                (start, end, in_bits)
            }
            _ => return Err(errors::SYNTAX),
        };
        Ok(bit_range(s.len(), start, end, in_bits).map_or(0, |(a, b)| count_ones(s, a, b)))
    });
    match reply {
        Some(Ok(n)) => ctx.out.integer(n as i64),
        Some(Err(e)) => ctx.out.error(e),
        None => {}
    }
    Outcome::Done
}

/// BITPOS key bit [start [end [BYTE|BIT]]]
///
/// As in Redis 7.0: the bit is checked first, then the key is looked up
/// (a missing key answers at once), then the range is parsed.
pub fn bitpos(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    let bit = match parse::int(args.get(2)) {
        Some(0) => false,
        Some(1) => true,
        Some(_) => {
            ctx.out.error(BITPOS_BAD_BIT);
            return Outcome::Done;
        }
        None => {
            ctx.out.error(errors::NOT_INTEGER);
            return Outcome::Done;
        }
    };
    let reply = with_string_read(ctx, args.get(1), |s| {
        let Some(s) = s else {
            // A missing key is all zeros: its first clear bit is bit 0.
            return Ok(if bit { -1 } else { 0 });
        };
        if args.len() > 6 {
            return Err(errors::SYNTAX);
        }
        let start = match args.len() {
            3 => 0,
            _ => parse::int(args.get(3)).ok_or(errors::NOT_INTEGER)?,
        };
        let in_bits = unit_arg(args, 5).ok_or(errors::SYNTAX)?;
        let end = match args.len() {
            5 | 6 => Some(parse::int(args.get(4)).ok_or(errors::NOT_INTEGER)?),
            _ => None,
        };
        let Some((first, last)) = bit_range(s.len(), start, end.unwrap_or(-1), in_bits) else {
            return Ok(-1);
        };
        Ok(match find_bit(s, first, last, bit) {
            Some(i) => i as i64,
            // Without an explicit end, the string continues with zeros.
            None if !bit && end.is_none() => last as i64 + 1,
            None => -1,
        })
    });
    match reply {
        Some(Ok(p)) => ctx.out.integer(p),
        Some(Err(e)) => ctx.out.error(e),
        None => {}
    }
    Outcome::Done
}

/// BITOP AND|OR|XOR|NOT destkey key [key ...]
pub fn bitop(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    #[derive(Clone, Copy, PartialEq)]
    enum Op {
        And,
        Or,
        Xor,
        Not,
    }
    let op = args.get(1);
    let op = if eq_ignore_case(op, "and") {
        Op::And
    } else if eq_ignore_case(op, "or") {
        Op::Or
    } else if eq_ignore_case(op, "xor") {
        Op::Xor
    } else if eq_ignore_case(op, "not") {
        Op::Not
    } else {
        ctx.out.error(errors::SYNTAX);
        return Outcome::Done;
    };
    if op == Op::Not && args.len() != 4 {
        ctx.out.error(NOT_ONE_SOURCE);
        return Outcome::Done;
    }
    // Sources are read lookups, copied out: the destination may be one.
    let mut sources: Vec<Vec<u8>> = Vec::with_capacity(args.len() - 3);
    for key in args.skip(3).iter() {
        match with_string_read(ctx, key, |s| s.unwrap_or_default().to_vec()) {
            Some(bytes) => sources.push(bytes),
            None => return Outcome::Done,
        }
    }
    let len = sources.iter().map(Vec::len).max().unwrap_or(0);
    let byte = |s: &Vec<u8>, i: usize| s.get(i).copied().unwrap_or(0);
    let result: Vec<u8> = (0..len)
        .map(|i| {
            let first = byte(&sources[0], i);
            let rest = sources[1..].iter().map(|s| byte(s, i));
            match op {
                Op::And => rest.fold(first, |acc, b| acc & b),
                Op::Or => rest.fold(first, |acc, b| acc | b),
                Op::Xor => rest.fold(first, |acc, b| acc ^ b),
                Op::Not => !first,
            }
        })
        .collect();
    let dest = args.get(2);
    let db = &mut ctx.dbs[ctx.db];
    if len > 0 {
        db.set(dest, Value::string(&result), Ttl::Clear, ctx.now_ms);
        ctx.dirty += 1;
    } else if db.remove(dest, ctx.now_ms).is_some() {
        ctx.dirty += 1;
    }
    ctx.out.integer(len as i64);
    Outcome::Done
}

/// What BITFIELD does when a SET or INCRBY leaves the field's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overflow {
    /// Modular arithmetic (the default).
    Wrap,
    /// Clamp to the field's minimum or maximum.
    Sat,
    /// Leave the field alone and reply nil.
    Fail,
}

/// A BITFIELD integer type: `i1`..`i64` or `u1`..`u63`.
#[derive(Debug, Clone, Copy)]
struct FieldType {
    signed: bool,
    bits: u32,
}

impl FieldType {
    fn parse(arg: &[u8]) -> Option<FieldType> {
        let signed = match arg.first()? {
            b'i' => true,
            b'u' => false,
            _ => return None,
        };
        let bits = parse::int(&arg[1..])?;
        let max = if signed { 64 } else { 63 };
        (1..=max).contains(&bits).then_some(FieldType {
            signed,
            bits: bits as u32,
        })
    }

    /// Reads the field at `offset` as an i64 (unsigned fields fit: u63 at most).
    fn get(self, bytes: &[u8], offset: u64) -> i64 {
        let raw = (0..u64::from(self.bits))
            .fold(0u64, |acc, i| (acc << 1) | bit_at(bytes, offset + i) as u64);
        self.sign_extend(raw)
    }

    /// Writes the low `bits` bits of `value` at `offset`.
    fn put(self, bytes: &mut [u8], offset: u64, value: i64) {
        let value = value as u64;
        for i in 0..u64::from(self.bits) {
            let on = value >> (u64::from(self.bits) - 1 - i) & 1 == 1;
            set_bit_at(bytes, offset + i, on);
        }
    }

    /// `old + incr` in this type under `mode`: `None` for a FAIL overflow.
    fn add(self, old: i64, incr: i64, mode: Overflow) -> Option<i64> {
        let (min, max): (i128, i128) = if self.signed {
            (-(1i128 << (self.bits - 1)), (1i128 << (self.bits - 1)) - 1)
        } else {
            (0, (1i128 << self.bits) - 1)
        };
        let exact = i128::from(old) + i128::from(incr);
        if (min..=max).contains(&exact) {
            return Some(exact as i64);
        }
        match mode {
            Overflow::Fail => None,
            Overflow::Sat => Some(if exact > max { max } else { min } as i64),
            Overflow::Wrap => {
                // Two's complement in `bits` bits, sign-extended if signed.
                let low = (exact as u128 as u64) & (u64::MAX >> (64 - self.bits));
                Some(self.sign_extend(low))
            }
        }
    }

    /// The field value whose low `bits` bits are `low`.
    fn sign_extend(self, low: u64) -> i64 {
        if self.signed && self.bits < 64 && low >> (self.bits - 1) & 1 == 1 {
            (low | (u64::MAX << self.bits)) as i64
        } else {
            low as i64
        }
    }
}

/// One parsed BITFIELD operation.
#[derive(Debug, Clone, Copy)]
enum FieldOp {
    Get,
    Set(i64),
    IncrBy(i64),
}

/// BITFIELD key [GET type offset] [SET type offset value]
/// [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] ...
pub fn bitfield(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    bitfield_generic(ctx, args, false)
}

/// BITFIELD_RO key [GET type offset] ...
pub fn bitfield_ro(ctx: &mut ExecCtx<'_>, args: Args<'_>) -> Outcome {
    bitfield_generic(ctx, args, true)
}

fn bitfield_generic(ctx: &mut ExecCtx<'_>, args: Args<'_>, read_only: bool) -> Outcome {
    let max_bulk = ctx.settings.proto_max_bulk_len;
    let mut ops: Vec<(FieldOp, FieldType, u64, Overflow)> = Vec::new();
    let mut mode = Overflow::Wrap;
    let mut highest_write: Option<u64> = None;
    let mut j = 2;
    while j < args.len() {
        let sub = args.get(j);
        let remaining = args.len() - j - 1;
        let takes_value = eq_ignore_case(sub, "set") || eq_ignore_case(sub, "incrby");
        if eq_ignore_case(sub, "overflow") && remaining >= 1 {
            let m = args.get(j + 1);
            mode = if eq_ignore_case(m, "wrap") {
                Overflow::Wrap
            } else if eq_ignore_case(m, "sat") {
                Overflow::Sat
            } else if eq_ignore_case(m, "fail") {
                Overflow::Fail
            } else {
                ctx.out.error(BAD_OVERFLOW);
                return Outcome::Done;
            };
            j += 2;
            continue;
        }
        if !((eq_ignore_case(sub, "get") && remaining >= 2) || (takes_value && remaining >= 3)) {
            ctx.out.error(errors::SYNTAX);
            return Outcome::Done;
        }
        let Some(ty) = FieldType::parse(args.get(j + 1)) else {
            ctx.out.error(BAD_TYPE);
            return Outcome::Done;
        };
        let Some(offset) = bit_offset(args.get(j + 2), Some(ty.bits), max_bulk) else {
            ctx.out.error(BAD_OFFSET);
            return Outcome::Done;
        };
        let op = if takes_value {
            let last = offset + u64::from(ty.bits) - 1;
            highest_write = Some(highest_write.map_or(last, |h| h.max(last)));
            let Some(v) = parse::int(args.get(j + 3)) else {
                ctx.out.error(errors::NOT_INTEGER);
                return Outcome::Done;
            };
            if eq_ignore_case(sub, "set") {
                FieldOp::Set(v)
            } else {
                FieldOp::IncrBy(v)
            }
        } else {
            FieldOp::Get
        };
        ops.push((op, ty, offset, mode));
        j += if takes_value { 4 } else { 3 };
    }
    let key = args.get(1);
    let Some(highest) = highest_write else {
        // Only GETs: a read lookup; a missing key reads as zeros.
        let replies = with_string_read(ctx, key, |s| {
            let s = s.unwrap_or_default();
            ops.iter()
                .map(|&(_, ty, offset, _)| ty.get(s, offset))
                .collect::<Vec<_>>()
        });
        if let Some(values) = replies {
            ctx.out.array(values.len());
            for v in values {
                ctx.out.integer(v);
            }
        }
        return Outcome::Done;
    };
    if read_only {
        ctx.out.error(RO_WRITE);
        return Outcome::Done;
    }
    let Some((bytes, grew)) = string_for_bit_write(ctx, key, highest) else {
        return Outcome::Done;
    };
    let mut replies: Vec<Option<i64>> = Vec::with_capacity(ops.len());
    let mut changes = 0u64;
    for &(op, ty, offset, mode) in &ops {
        let old = ty.get(bytes, offset);
        let (new, reply) = match op {
            FieldOp::Get => {
                replies.push(Some(old));
                continue;
            }
            // SET stores the value as if added to zero: out-of-range values
            // wrap, saturate or fail like an increment would.
            FieldOp::Set(v) => {
                let stored = if ty.signed {
                    ty.add(v, 0, mode)
                } else {
                    unsigned_set(ty, v, mode)
                };
                (stored, Some(old))
            }
            FieldOp::IncrBy(incr) => {
                let new = ty.add(old, incr, mode);
                (new, new)
            }
        };
        match new {
            Some(n) => {
                ty.put(bytes, offset, n);
                if grew || n != old {
                    changes += 1;
                }
                replies.push(reply);
            }
            None => replies.push(None),
        }
    }
    if changes > 0 {
        ctx.dbs[ctx.db].signal(key);
        ctx.dirty += changes;
    }
    ctx.out.array(replies.len());
    for r in replies {
        match r {
            Some(v) => ctx.out.integer(v),
            None => ctx.out.null(),
        }
    }
    Outcome::Done
}

/// SET of `value` into an unsigned field: Redis reads the value as an
/// unsigned 64-bit number, so a negative one is a (huge) overflow.
fn unsigned_set(ty: FieldType, value: i64, mode: Overflow) -> Option<i64> {
    let max = (1u64 << ty.bits) - 1;
    let v = value as u64;
    if v <= max {
        return Some(v as i64);
    }
    match mode {
        Overflow::Fail => None,
        Overflow::Sat => Some(max as i64),
        Overflow::Wrap => Some((v & max) as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_count_from_the_most_significant_bit() {
        let bytes = [0b1000_0001u8, 0xff];
        assert!(bit_at(&bytes, 0) && !bit_at(&bytes, 1) && bit_at(&bytes, 7));
        assert!(!bit_at(&bytes, 16), "past the end reads zero");
        assert_eq!(count_ones(&bytes, 0, 15), 10);
        assert_eq!(count_ones(&bytes, 1, 6), 0);
        assert_eq!(count_ones(&bytes, 7, 9), 3);
    }

    #[test]
    fn fields_read_and_write_big_endian_and_sign_extend() {
        let mut bytes = [0u8; 3];
        let i5 = FieldType {
            signed: true,
            bits: 5,
        };
        i5.put(&mut bytes, 3, -3);
        assert_eq!(bytes, [0b0001_1101, 0, 0]);
        assert_eq!(i5.get(&bytes, 3), -3);
        let u5 = FieldType {
            signed: false,
            bits: 5,
        };
        assert_eq!(u5.get(&bytes, 3), 29);
    }

    #[test]
    fn overflow_modes() {
        let u8t = FieldType {
            signed: false,
            bits: 8,
        };
        assert_eq!(u8t.add(250, 10, Overflow::Wrap), Some(4));
        assert_eq!(u8t.add(250, 10, Overflow::Sat), Some(255));
        assert_eq!(u8t.add(250, 10, Overflow::Fail), None);
        assert_eq!(u8t.add(5, -10, Overflow::Sat), Some(0));
        let i8t = FieldType {
            signed: true,
            bits: 8,
        };
        assert_eq!(i8t.add(120, 10, Overflow::Wrap), Some(-126));
        assert_eq!(i8t.add(-120, -10, Overflow::Sat), Some(-128));
        let i64t = FieldType {
            signed: true,
            bits: 64,
        };
        assert_eq!(i64t.add(i64::MAX, 1, Overflow::Wrap), Some(i64::MIN));
        assert_eq!(unsigned_set(u8t, -1, Overflow::Wrap), Some(255));
        assert_eq!(unsigned_set(u8t, -1, Overflow::Fail), None);
    }

    #[test]
    fn hash_offsets_scale_by_the_field_width() {
        assert_eq!(bit_offset(b"#3", Some(8), 1 << 29), Some(24));
        assert_eq!(bit_offset(b"#3", None, 1 << 29), None);
        assert_eq!(bit_offset(b"-1", None, 1 << 29), None);
        assert_eq!(bit_offset(&b"4294967296"[..], None, 1 << 29), None);
        assert_eq!(
            bit_offset(&b"4294967295"[..], None, 1 << 29),
            Some(4_294_967_295)
        );
    }
}
