//! The Redis 7.0 cluster-bus wire format: typed messages, byte-exact
//! encoding, stream framing, and the receiver's validation rules.
//!
//! What this module does:
//! - [`encode`] turns a [`BusMessage`] into the exact bytes redis-server
//!   7.0 puts on the bus;
//! - [`frame_len`] / [`next_frame`] cut a TCP byte stream into frames;
//! - [`decode`] turns one frame into a [`BusMessage`], rejecting what a 7.0
//!   receiver rejects (spec section 2.13) and a little more where 7.0 would
//!   read past the end of the packet. Each [`WireError`] says whether the
//!   caller should close the link or just drop the message.
//!
//! What it does not do: no IO, no clocks, no interpretation. Whether a
//! sender is known, what a PONG means, when to reply: all of that belongs to
//! the cluster state machine, which builds and matches on these types.
//!
//! # Layout
//!
//! ```text
//! offset  size  field
//!      0     4  "RCmb"
//!      4     4  totlen (u32 BE, whole message)
//!      8     2  version = 1
//!     10     2  port            12  2  type      14  2  count (gossip entries)
//!     16     8  currentEpoch    24  8  configEpoch   32  8  repl offset
//!     40    40  sender name
//!     80  2048  slot bitmap (slot s = bit s%8, LSB first, of byte s/8)
//!   2128    40  primary's name (zeros for a primary)
//!   2168    46  announced IP, NUL-terminated
//!   2214     2  number of ping extensions
//!   2216    30  reserved
//!   2246     2  pport  2248 2 cport  2250 2 flags  2252 1 state  2253 3 mflags
//!   2256     …  body: gossip entries (104 bytes each) then extensions for
//!               PING/PONG/MEET; a fixed or length-prefixed body otherwise
//! ```
//!
//! All integers are big-endian except the MODULE message's module id.
//!
//! # Driver loop
//!
//! ```text
//! read bytes ──► next_frame(buf)? ──► Some(frame) ──► decode(frame)
//!                   │  Err: close link     │             │ Ok: hand to the state machine
//!                   └─ None: read more     │             │ Err(e) if e.closes_link(): close
//!                                          │             └ Err(e): drop this message only
//! ```
//!
//! # Round trips
//!
//! `decode(encode(m)) == m` for every message that respects the documented
//! field limits. The other way round, re-encoding a decoded packet gives
//! back the same bytes when the sender wrote canonical padding and zeroed
//! reserved fields, as every Redis version does.
#![warn(missing_docs)]

mod codec;
mod error;
mod extensions;
mod field;
mod flags;
mod gossip;
mod header;
mod ip;
mod message;
mod slots;

pub use codec::{
    decode, encode, encoded_len, frame_len, frame_len_with_max, next_frame, MAX_FRAME_LEN,
    PREFIX_LEN,
};
pub use error::WireError;
pub use extensions::{PingExt, ShardId, EXT_HEADER_LEN};
pub use flags::{ClusterState, MessageFlags, NodeFlags};
pub use gossip::{GossipEntry, GOSSIP_ENTRY_LEN};
pub use header::{Header, HEADER_LEN, PROTOCOL_VERSION, SIGNATURE};
pub use ip::{IpString, IP_FIELD_LEN};
pub use message::{Body, BusMessage, MessageType};
pub use slots::{SlotBitmap, SLOT_BITMAP_LEN};

#[cfg(test)]
mod codec_golden_test;
#[cfg(test)]
mod codec_roundtrip_test;
#[cfg(test)]
mod codec_validation_test;
