//! Why a frame or message was refused, and what the caller does about it.
//!
//! Decoding never changes any state, so every variant leaves the caller's
//! state untouched; the only question is the link. Redis closes a link only
//! when framing is lost (bad signature or length prefix); every other
//! refusal drops one message silently and keeps the link, with no reply.
//! [`WireError::closes_link`] answers that question in code.

use thiserror::Error;

/// A frame or message the codec refuses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    /// The frame does not start with `RCmb`. Framing is lost: **close the
    /// link**, as Redis does.
    #[error("bad cluster bus signature {found:02x?}")]
    BadSignature {
        /// The four bytes found instead.
        found: [u8; 4],
    },

    /// The length prefix is below the 2256-byte header. Framing is lost:
    /// **close the link**, as Redis does.
    #[error("cluster bus frame length {totlen} is shorter than the header")]
    FrameTooShort {
        /// The declared total length.
        totlen: u32,
    },

    /// The length prefix is above our limit. Redis has no limit, but
    /// buffering it would let any peer pin that much memory: **close the
    /// link**.
    #[error("cluster bus frame length {totlen} exceeds the limit of {max} bytes")]
    FrameTooLong {
        /// The declared total length.
        totlen: u32,
        /// The limit in force.
        max: usize,
    },

    /// [`decode`](super::decode) was given a slice that is not exactly one
    /// frame (shorter or longer than its length prefix). That is a driver
    /// bug, and framing on the link can no longer be trusted: **close the
    /// link**.
    #[error("frame declares {totlen} bytes but {len} were given")]
    FrameSizeMismatch {
        /// The declared total length (0 when the slice is too short to
        /// hold one).
        totlen: u32,
        /// The length of the slice given.
        len: usize,
    },

    /// The version field is not 1. **Ignore the message** (no reply); keep
    /// the link.
    #[error("unsupported cluster bus protocol version {version}")]
    UnsupportedVersion {
        /// The version received.
        version: u16,
    },

    /// A Valkey "light" header (type with bit 0x8000). Valkey sends these
    /// only to nodes advertising [`NodeFlags::LIGHT_HEADER_SUPPORTED`],
    /// which we never do. 7.0 would take it for an unknown type after
    /// reading garbage epochs from it; we **ignore the message** and keep
    /// the link.
    ///
    /// [`NodeFlags::LIGHT_HEADER_SUPPORTED`]: super::NodeFlags::LIGHT_HEADER_SUPPORTED
    #[error("light-header message of type {type_code:#06x}")]
    LightHeader {
        /// The raw type field.
        type_code: u16,
    },

    /// A PING/PONG/MEET whose gossip entries run past the end of the
    /// frame. **Ignore the message**; keep the link (Debian's 7.0 does the
    /// same).
    #[error("gossip count {count} exceeds total packet length ({totlen})")]
    GossipOverflow {
        /// The gossip count field.
        count: u16,
        /// The declared total length.
        totlen: u32,
    },

    /// A PING/PONG/MEET announcing extensions without the extension-data
    /// flag. Upstream 7.0 would read them from outside the message; we
    /// **ignore the message** and keep the link.
    #[error("{extensions} extensions announced without the extension-data flag")]
    ExtensionsWithoutFlag {
        /// The extension count field.
        extensions: u16,
    },

    /// An extension length that is not a multiple of 8, or shorter than the
    /// 8-byte record header. **Ignore the message**; keep the link.
    #[error("ping extension without proper padding ({length} bytes)")]
    BadExtensionLength {
        /// The record's length field.
        length: u32,
    },

    /// An extension runs past the end of the frame. **Ignore the
    /// message**; keep the link.
    #[error("ping extension data exceeds total packet length ({totlen})")]
    ExtensionOverflow {
        /// The declared total length.
        totlen: u32,
    },

    /// The frame length is not what the type and body say it must be
    /// (spec 2.12): trailing bytes, a short body, extension bytes without
    /// the flag. **Ignore the message**; keep the link, as Redis does.
    #[error("invalid packet of type {type_code} and length {totlen}, expected length {expected}")]
    WrongLength {
        /// The message type.
        type_code: u16,
        /// The declared total length.
        totlen: u32,
        /// The length the body calls for; for a PUBLISH or MODULE too short
        /// to hold its own length fields, the shortest such message.
        expected: u64,
    },
}

impl WireError {
    /// True when the link must be closed (framing is lost); false when only
    /// this message is dropped.
    pub fn closes_link(&self) -> bool {
        matches!(
            self,
            WireError::BadSignature { .. }
                | WireError::FrameTooShort { .. }
                | WireError::FrameTooLong { .. }
                | WireError::FrameSizeMismatch { .. }
        )
    }
}
