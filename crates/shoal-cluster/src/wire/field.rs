//! Reads of fixed-size fields at known offsets.
//!
//! Every read is total: a field that would run past the end of the slice
//! reads as zeros instead of panicking. Callers check lengths first (the
//! decoder's validation does), so the zero fallback is only a guard that
//! keeps hostile input from ever reaching an index panic. Writing needs no
//! helper: encoders append with `extend_from_slice`.

/// The `N` bytes at `at`, or zeros if they are not all inside `buf`.
pub(crate) fn array<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    if let Some(src) = at.checked_add(N).and_then(|end| buf.get(at..end)) {
        out.copy_from_slice(src);
    }
    out
}

/// Big-endian u16 at `at`.
pub(crate) fn be_u16(buf: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(array(buf, at))
}

/// Big-endian u32 at `at`.
pub(crate) fn be_u32(buf: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(array(buf, at))
}

/// Big-endian u64 at `at`.
pub(crate) fn be_u64(buf: &[u8], at: usize) -> u64 {
    u64::from_be_bytes(array(buf, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_past_the_end_are_zero_not_panics() {
        let buf = [1u8, 2, 3];
        assert_eq!(be_u16(&buf, 1), 0x0203);
        assert_eq!(be_u16(&buf, 2), 0);
        assert_eq!(be_u64(&buf, usize::MAX), 0);
        assert_eq!(array::<3>(&buf, 0), [1, 2, 3]);
    }
}
