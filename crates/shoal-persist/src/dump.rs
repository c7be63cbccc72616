//! The DUMP payload: what `DUMP` returns and `RESTORE` takes.
//!
//! ```text
//! <type: 1 byte> <body> <RDB version: u16 LE> <CRC-64: u64 LE>
//! ```
//!
//! The CRC is CRC-64/REDIS (Jones polynomial, reflected, init 0) over
//! everything before it, version included. Redis 7.0 writes version 10 and
//! accepts any version up to its own, so Shoal does the same.

use crate::object::{decode_object, encode_object, Limits};
use crate::primitives::Input;
use crate::DecodeError;
use shoal_keyspace::Value;

/// The RDB version Redis 7.0 writes and the newest it accepts.
pub const DUMP_RDB_VERSION: u16 = 10;

/// Footer size: version plus CRC.
const FOOTER_LEN: usize = 2 + 8;

const CRC: crc::Crc<u64> = crc::Crc::<u64>::new(&crc::CRC_64_REDIS);

/// Why a payload was refused. Nothing was created either way.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    /// Too short, a newer RDB version, or a checksum mismatch.
    #[error("DUMP payload version or checksum are wrong")]
    VersionOrChecksum,
    /// The footer is fine but the value does not decode.
    #[error("Bad data format")]
    BadData(#[source] DecodeError),
}

/// The DUMP payload of `value`.
pub fn dump_value(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    encode_object(value, &mut out);
    out.extend_from_slice(&DUMP_RDB_VERSION.to_le_bytes());
    let crc = CRC.checksum(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Checks the footer and returns the object bytes in front of it.
pub fn verify_footer(payload: &[u8]) -> Result<&[u8], RestoreError> {
    if payload.len() < FOOTER_LEN {
        return Err(RestoreError::VersionOrChecksum);
    }
    let (body, footer) = payload.split_at(payload.len() - FOOTER_LEN);
    let version = u16::from_le_bytes([footer[0], footer[1]]);
    if version > DUMP_RDB_VERSION {
        return Err(RestoreError::VersionOrChecksum);
    }
    let crc = CRC.checksum(&payload[..payload.len() - 8]);
    if crc.to_le_bytes() != footer[2..] {
        return Err(RestoreError::VersionOrChecksum);
    }
    Ok(body)
}

/// Decodes a DUMP payload into a value built with `limits`. Bytes between
/// the value and the footer are ignored, as Redis ignores them.
pub fn restore_value(payload: &[u8], limits: &Limits) -> Result<Value, RestoreError> {
    let body = verify_footer(payload)?;
    decode_object(&mut Input::new(body), limits).map_err(RestoreError::BadData)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_is_the_redis_variant() {
        assert_eq!(CRC.checksum(b"123456789"), 0xE9C6D914C4B8D9CA);
    }

    #[test]
    fn string_payloads_match_redis_bytes() {
        let hello = [
            0x00, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x0a, 0x00, 0x63, 0x72, 0xdf, 0x76, 0x65,
            0x34, 0x20, 0x0a,
        ];
        assert_eq!(dump_value(&Value::string(b"hello")), hello);
        let int = [
            0x00, 0xc1, 0x39, 0x30, 0x0a, 0x00, 0x9d, 0x94, 0xea, 0x27, 0x93, 0xfc, 0x08, 0xb9,
        ];
        assert_eq!(dump_value(&Value::string(b"12345")), int);
    }

    #[test]
    fn footer_errors_are_version_or_checksum() {
        let mut p = dump_value(&Value::string(b"hello"));
        assert!(restore_value(&p[..9], &Limits::default()).is_err());
        let n = p.len();
        p[n - 1] ^= 1;
        assert_eq!(
            restore_value(&p, &Limits::default()).unwrap_err(),
            RestoreError::VersionOrChecksum
        );
    }
}
