//! RESP, the Redis serialization protocol, versions 2 and 3. No IO.
//!
//! Three parts, each a pure transformation over byte buffers:
//!
//! - [`request`]: the server side decoder. It turns the bytes a client sent
//!   (multibulk `*N\r\n$len\r\n...` or inline `SET k v\r\n`) into an argument
//!   vector without copying the arguments, enforcing Redis's limits and
//!   failing with Redis's exact `Protocol error: ...` texts.
//! - [`reply`]: the server side encoder. Commands write replies straight into
//!   the client's output buffer; the writer knows whether the client speaks
//!   RESP2 or RESP3 and picks the right encoding for maps, sets, nulls,
//!   doubles and pushes.
//! - [`frame`]: a complete RESP3 value type with decoder and encoder, for the
//!   client side (shoal-cli, tests, replication streams).
//!
//! What this crate does not do: sockets, command semantics, or any
//! knowledge of which command is which.

pub mod double;
pub mod frame;
pub mod reply;
pub mod request;

pub use double::format_double;
pub use reply::{Protocol, ReplyBuf};
