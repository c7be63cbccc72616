//! RDB and AOF formats as pure encode/decode over bytes.
//!
//! Today this crate holds what `DUMP`, `RESTORE` and `MIGRATE` need: the
//! value encodings of Redis 7.0's RDB format (RDB version 10) and the DUMP
//! framing around them, so payloads move both ways between Shoal and
//! redis-server.
//!
//! # Layout
//!
//! - [`dump`]: the DUMP payload: value, 2-byte RDB version, CRC-64 footer.
//! - [`object`]: a [`shoal_keyspace::Value`] to and from its RDB object
//!   encoding (type byte plus body).
//! - [`primitives`]: RDB lengths and strings (integer and LZF forms).
//! - [`listpack`], [`intset`]: the compact blobs embedded in RDB strings.
//! - [`lzf`]: LZF decompression (Redis compresses long strings with it).
//! - [`error`]: the decode error type, [`DecodeError`].
//!
//! # What it does not do
//!
//! No IO: everything works on byte slices and vectors. No RDB files or AOF
//! yet (headers, aux fields, databases, expiry records), no streams or
//! module values (Shoal has neither), and no pre-7.0 ziplist encodings
//! (types 9, 10, 12, 13, 14), which a 7.0 DUMP never contains. Encoding
//! writes strings uncompressed; decoding accepts LZF.
//!
//! Decoding hostile bytes never panics and never allocates more than a
//! small multiple of the input's size.

pub mod dump;
pub mod error;
pub mod intset;
pub mod listpack;
pub mod lzf;
pub mod object;
pub mod primitives;

pub use dump::{dump_value, restore_value, RestoreError, DUMP_RDB_VERSION};
pub use error::DecodeError;
pub use object::{decode_object, encode_object, Limits};
