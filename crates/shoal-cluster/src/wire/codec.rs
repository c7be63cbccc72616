//! Framing, encoding and decoding of whole messages, with the receiver's
//! validation rules of spec section 2.13.
//!
//! Body layouts (offsets from the start of the message):
//!
//! ```text
//! PING/PONG/MEET  2256  count × 104-byte gossip entries, then `extensions`
//!                       records (only with mflags EXT_DATA)
//! FAIL            2256  40  failed node's name                   = 2296
//! PUBLISH(SHARD)  2256   4  channel_len   2260 4 message_len
//!                 2264      channel, then message, no padding   = 2264 + both
//! AUTH_REQ/ACK,
//! MFSTART               no body                                  = 2256
//! UPDATE          2256   8  configEpoch   2264 40 name   2304 2048 slots = 4352
//! MODULE          2256   8  module id (sender's host order)   2264 4 len (BE)
//!                 2268   1  module type   2269 len payload      = 2269 + len
//! ```
//!
//! Nothing here looks at who sent a message or what it means.

use shoal_types::{Epoch, NodeId, NODE_ID_LEN};

use super::error::WireError;
use super::extensions::{self, PingExt};
use super::field::{array, be_u32, be_u64};
use super::gossip::{GossipEntry, GOSSIP_ENTRY_LEN};
use super::header::{Framing, Header, HEADER_LEN, PROTOCOL_VERSION, SIGNATURE};
use super::message::{Body, BusMessage, MessageType};
use super::slots::{SlotBitmap, SLOT_BITMAP_LEN};

/// Bytes needed to know a frame's length: the signature and the length.
pub const PREFIX_LEN: usize = 8;

/// Default ceiling on a frame's declared length.
///
/// Redis has none, but a peer could then make us buffer up to 4 GiB per
/// link. The largest messages Redis sends in practice are PUBLISH of a big
/// pub/sub payload; a PING with 65535 gossip entries is under 7 MiB. A
/// PUBLISH above this limit closes the link instead of being forwarded; use
/// [`frame_len_with_max`] to choose another trade-off.
pub const MAX_FRAME_LEN: usize = 64 * 1024 * 1024;

/// Flag bit of Valkey's light-header type codes.
const LIGHT_HEADER_BIT: u16 = 0x8000;

const FAIL_BODY_LEN: usize = NODE_ID_LEN;
const PUBLISH_LENGTHS_LEN: usize = 8;
const UPDATE_BODY_LEN: usize = 8 + NODE_ID_LEN + SLOT_BITMAP_LEN;
const MODULE_FIXED_LEN: usize = 8 + 4 + 1;

/// The total length of the frame at the start of `buf`, with the default
/// limit [`MAX_FRAME_LEN`]. See [`frame_len_with_max`].
pub fn frame_len(buf: &[u8]) -> Result<Option<usize>, WireError> {
    frame_len_with_max(buf, MAX_FRAME_LEN)
}

/// The total length of the frame at the start of `buf`, as soon as its
/// 8-byte prefix has arrived; `Ok(None)` while fewer than 8 bytes are
/// there. The frame is complete once `buf.len()` reaches the returned
/// length (possibly much later: don't allocate it all up front).
///
/// Errors here mean framing is lost and the link must be closed: a bad
/// signature or a length below the header size (as Redis), or a length
/// above `max` (our own limit).
pub fn frame_len_with_max(buf: &[u8], max: usize) -> Result<Option<usize>, WireError> {
    if buf.len() < PREFIX_LEN {
        return Ok(None);
    }
    let found: [u8; 4] = array(buf, 0);
    if found != SIGNATURE {
        return Err(WireError::BadSignature { found });
    }
    let totlen = be_u32(buf, 4);
    let len = totlen as usize;
    if len < HEADER_LEN {
        return Err(WireError::FrameTooShort { totlen });
    }
    if len > max {
        return Err(WireError::FrameTooLong { totlen, max });
    }
    Ok(Some(len))
}

/// The first complete frame of `buf`, or `Ok(None)` if more bytes are
/// needed; the caller consumes `frame.len()` bytes and calls again. Uses
/// [`MAX_FRAME_LEN`]; errors are those of [`frame_len_with_max`] (close the
/// link).
pub fn next_frame(buf: &[u8]) -> Result<Option<&[u8]>, WireError> {
    Ok(frame_len(buf)?.and_then(|len| buf.get(..len)))
}

/// Bytes [`encode`] will append for `msg`.
pub fn encoded_len(msg: &BusMessage) -> usize {
    HEADER_LEN + body_len(&msg.body)
}

fn body_len(body: &Body) -> usize {
    match body {
        Body::Ping { gossip, extensions }
        | Body::Pong { gossip, extensions }
        | Body::Meet { gossip, extensions } => {
            gossip.len() * GOSSIP_ENTRY_LEN
                + extensions.iter().map(PingExt::encoded_len).sum::<usize>()
        }
        Body::Fail { .. } => FAIL_BODY_LEN,
        Body::Publish { channel, message } | Body::PublishShard { channel, message } => {
            PUBLISH_LENGTHS_LEN + channel.len() + message.len()
        }
        Body::FailoverAuthRequest | Body::FailoverAuthAck | Body::MfStart => 0,
        Body::Update { .. } => UPDATE_BODY_LEN,
        Body::Module { payload, .. } => MODULE_FIXED_LEN + payload.len(),
        Body::Unknown { data, .. } => data.len(),
    }
}

/// Appends the wire bytes of `msg` to `out`.
///
/// The header's `count`, `extensions`, total length and the EXT_DATA bit
/// of `mflags` are derived from the body.
///
/// # Panics
///
/// On a message no Redis node could send, which is a bug in the caller:
/// more than 65535 gossip entries or extensions, or more than 4 GiB in all.
pub fn encode(msg: &BusMessage, out: &mut Vec<u8>) {
    let len = encoded_len(msg);
    let totlen = u32::try_from(len).expect("a bus message must fit the u32 length field");
    let (count, extensions) = match msg.body.gossip_and_extensions() {
        Some((gossip, exts)) => (
            u16::try_from(gossip.len()).expect("at most 65535 gossip entries fit the count field"),
            u16::try_from(exts.len()).expect("at most 65535 extensions fit the extensions field"),
        ),
        None => (0, 0),
    };
    let framing = Framing {
        totlen,
        version: PROTOCOL_VERSION,
        type_code: msg.body.type_code(),
        count,
        extensions,
        // 7.0 sets the flag exactly when it sends at least one extension.
        ext_data: extensions > 0,
    };
    let start = out.len();
    out.reserve(len);
    msg.header.encode(&framing, out);
    encode_body(&msg.body, out);
    debug_assert_eq!(out.len() - start, len, "encoded_len disagrees with encode");
}

fn encode_body(body: &Body, out: &mut Vec<u8>) {
    match body {
        Body::Ping { gossip, extensions }
        | Body::Pong { gossip, extensions }
        | Body::Meet { gossip, extensions } => {
            for entry in gossip {
                entry.encode(out);
            }
            for ext in extensions {
                ext.encode(out);
            }
        }
        Body::Fail { node } => out.extend_from_slice(node.as_bytes()),
        Body::Publish { channel, message } | Body::PublishShard { channel, message } => {
            // Both fit u32: encode has checked the whole message does.
            out.extend_from_slice(&(channel.len() as u32).to_be_bytes());
            out.extend_from_slice(&(message.len() as u32).to_be_bytes());
            out.extend_from_slice(channel);
            out.extend_from_slice(message);
        }
        Body::FailoverAuthRequest | Body::FailoverAuthAck | Body::MfStart => {}
        Body::Update {
            config_epoch,
            node,
            slots,
        } => {
            out.extend_from_slice(&config_epoch.0.to_be_bytes());
            out.extend_from_slice(node.as_bytes());
            out.extend_from_slice(slots.as_bytes());
        }
        Body::Module {
            module_id,
            module_type,
            payload,
        } => {
            // Redis copies the id in host order without conversion; every
            // platform it ships on is little-endian.
            out.extend_from_slice(&module_id.to_le_bytes());
            out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
            out.push(*module_type);
            out.extend_from_slice(payload);
        }
        Body::Unknown { data, .. } => out.extend_from_slice(data),
    }
}

/// Decodes one whole frame (exactly the bytes [`frame_len`] announced).
///
/// Checks, in Redis's order: signature and minimum length (close the
/// link), then version (ignore), then that the length matches what the
/// type and body call for (ignore). See [`WireError`] for each case.
/// Unknown types decode to [`Body::Unknown`] rather than an error, because
/// Redis still applies the header's epochs before ignoring them.
pub fn decode(packet: &[u8]) -> Result<BusMessage, WireError> {
    let len = packet.len();
    let Some(totlen) = frame_len_with_max(packet, usize::MAX)? else {
        return Err(WireError::FrameSizeMismatch { totlen: 0, len });
    };
    if totlen != len {
        return Err(WireError::FrameSizeMismatch {
            totlen: be_u32(packet, 4),
            len,
        });
    }
    let framing = Framing::read(packet);
    if framing.version != PROTOCOL_VERSION {
        return Err(WireError::UnsupportedVersion {
            version: framing.version,
        });
    }
    if framing.type_code & LIGHT_HEADER_BIT != 0 {
        return Err(WireError::LightHeader {
            type_code: framing.type_code,
        });
    }
    let (fixed, body) = match packet.split_first_chunk::<HEADER_LEN>() {
        Some(split) => split,
        // frame_len_with_max has checked the length; kept total anyway.
        None => {
            return Err(WireError::FrameSizeMismatch {
                totlen: framing.totlen,
                len,
            })
        }
    };
    let body = decode_body(&framing, body)?;
    Ok(BusMessage {
        header: Header::decode(fixed),
        body,
    })
}

/// Parses the bytes after the header, checking the length rules of spec
/// 2.12 on the way.
fn decode_body(framing: &Framing, body: &[u8]) -> Result<Body, WireError> {
    let type_code = framing.type_code;
    let totlen = framing.totlen;
    let wrong_length = |body_len: usize| WireError::WrongLength {
        type_code,
        totlen,
        expected: HEADER_LEN as u64 + body_len as u64,
    };
    let expect_exact = |want: usize| {
        if body.len() == want {
            Ok(())
        } else {
            Err(wrong_length(want))
        }
    };
    let Some(kind) = MessageType::from_code(type_code) else {
        return Ok(Body::Unknown {
            type_code,
            data: body.to_vec(),
        });
    };
    Ok(match kind {
        MessageType::Ping | MessageType::Pong | MessageType::Meet => {
            let (gossip, extensions) = decode_gossip_body(framing, body)?;
            match kind {
                MessageType::Ping => Body::Ping { gossip, extensions },
                MessageType::Pong => Body::Pong { gossip, extensions },
                _ => Body::Meet { gossip, extensions },
            }
        }
        MessageType::Fail => {
            expect_exact(FAIL_BODY_LEN)?;
            Body::Fail {
                node: NodeId::from_raw(array(body, 0)),
            }
        }
        MessageType::Publish | MessageType::PublishShard => {
            if body.len() < PUBLISH_LENGTHS_LEN {
                return Err(wrong_length(PUBLISH_LENGTHS_LEN));
            }
            let channel_len = be_u32(body, 0) as usize;
            let message_len = be_u32(body, 4) as usize;
            // Summed in usize (64-bit): upstream sums in 32 bits, which a
            // hostile peer can wrap around.
            let want = PUBLISH_LENGTHS_LEN as u64 + channel_len as u64 + message_len as u64;
            if body.len() as u64 != want {
                return Err(WireError::WrongLength {
                    type_code,
                    totlen,
                    expected: HEADER_LEN as u64 + want,
                });
            }
            let (channel, message) = body[PUBLISH_LENGTHS_LEN..].split_at(channel_len);
            let (channel, message) = (channel.to_vec(), message.to_vec());
            if kind == MessageType::Publish {
                Body::Publish { channel, message }
            } else {
                Body::PublishShard { channel, message }
            }
        }
        MessageType::FailoverAuthRequest | MessageType::FailoverAuthAck | MessageType::MfStart => {
            expect_exact(0)?;
            match kind {
                MessageType::FailoverAuthRequest => Body::FailoverAuthRequest,
                MessageType::FailoverAuthAck => Body::FailoverAuthAck,
                _ => Body::MfStart,
            }
        }
        MessageType::Update => {
            expect_exact(UPDATE_BODY_LEN)?;
            Body::Update {
                config_epoch: Epoch(be_u64(body, 0)),
                node: NodeId::from_raw(array(body, 8)),
                slots: SlotBitmap::from_bytes(array(body, 8 + NODE_ID_LEN)),
            }
        }
        MessageType::Module => {
            if body.len() < MODULE_FIXED_LEN {
                return Err(wrong_length(MODULE_FIXED_LEN));
            }
            let payload_len = be_u32(body, 8) as u64;
            let want = MODULE_FIXED_LEN as u64 + payload_len;
            if body.len() as u64 != want {
                return Err(WireError::WrongLength {
                    type_code,
                    totlen,
                    expected: HEADER_LEN as u64 + want,
                });
            }
            Body::Module {
                module_id: u64::from_le_bytes(array(body, 0)),
                module_type: array::<1>(body, 12)[0],
                payload: body[MODULE_FIXED_LEN..].to_vec(),
            }
        }
    })
}

/// Gossip entries and extensions of a PING/PONG/MEET body.
fn decode_gossip_body(
    framing: &Framing,
    body: &[u8],
) -> Result<(Vec<GossipEntry>, Vec<PingExt>), WireError> {
    let count = framing.count;
    let gossip_len = count as usize * GOSSIP_ENTRY_LEN;
    if gossip_len > body.len() {
        return Err(WireError::GossipOverflow {
            count,
            totlen: framing.totlen,
        });
    }
    let (gossip_bytes, rest) = body.split_at(gossip_len);
    let (extensions, ext_len) = if framing.ext_data {
        extensions::decode_all(rest, framing.extensions, framing.totlen)?
    } else if framing.extensions > 0 {
        return Err(WireError::ExtensionsWithoutFlag {
            extensions: framing.extensions,
        });
    } else {
        (Vec::new(), 0)
    };
    if ext_len != rest.len() {
        return Err(WireError::WrongLength {
            type_code: framing.type_code,
            totlen: framing.totlen,
            expected: (HEADER_LEN + gossip_len + ext_len) as u64,
        });
    }
    let gossip = gossip_bytes
        .chunks_exact(GOSSIP_ENTRY_LEN)
        .filter_map(|chunk| <&[u8; GOSSIP_ENTRY_LEN]>::try_from(chunk).ok())
        .map(GossipEntry::decode)
        .collect();
    Ok((gossip, extensions))
}
