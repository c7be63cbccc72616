//! The 46-byte NUL-terminated IP text field of headers and gossip entries.
//!
//! Holds the text only; it does not parse or check that the text is an
//! address, because a 7.0 receiver does not either (it copies the string and
//! later fails to connect if it is garbage).

use std::fmt;
use std::net::IpAddr;

/// Size of an IP field on the wire, terminator included.
pub const IP_FIELD_LEN: usize = 46;

/// Longest text an IP field can carry: one byte is kept for the NUL.
const IP_TEXT_MAX: usize = IP_FIELD_LEN - 1;

/// The text of an IP field: at most 45 bytes, none of them NUL.
///
/// Empty means "not announced" in a header (the receiver then uses the TCP
/// peer address). Any IPv4 or IPv6 address fits, so `From<IpAddr>` cannot
/// fail.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpString {
    len: u8,
    // Bytes past `len` are always zero, so the derived equality is sound.
    bytes: [u8; IP_TEXT_MAX],
}

impl IpString {
    /// The empty field (all 46 bytes zero on the wire).
    pub const EMPTY: IpString = IpString {
        len: 0,
        bytes: [0; IP_TEXT_MAX],
    };

    /// The field holding `text`, or `None` if `text` is longer than 45
    /// bytes or contains a NUL (the wire could not carry it intact).
    pub fn new(text: &[u8]) -> Option<IpString> {
        if text.len() > IP_TEXT_MAX || text.contains(&0) {
            return None;
        }
        let mut bytes = [0; IP_TEXT_MAX];
        bytes[..text.len()].copy_from_slice(text);
        Some(IpString {
            len: text.len() as u8,
            bytes,
        })
    }

    /// The text, without terminator.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// The text as UTF-8, or `None` if a peer sent non-UTF-8 bytes.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// True when nothing is announced.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Reads a wire field: the text runs to the first NUL, and never past
    /// byte 45, which is where a 7.0 receiver forces a terminator on a
    /// field that lacks one.
    pub(crate) fn decode(field: &[u8; IP_FIELD_LEN]) -> IpString {
        let text = &field[..IP_TEXT_MAX];
        let end = text.iter().position(|&b| b == 0).unwrap_or(IP_TEXT_MAX);
        let mut bytes = [0; IP_TEXT_MAX];
        bytes[..end].copy_from_slice(&text[..end]);
        IpString {
            len: end as u8,
            bytes,
        }
    }

    /// Appends the 46-byte wire field: text, then zeros.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bytes);
        out.push(0);
    }
}

impl Default for IpString {
    fn default() -> IpString {
        IpString::EMPTY
    }
}

impl From<IpAddr> for IpString {
    fn from(addr: IpAddr) -> IpString {
        // The longest textual IPv6 form is 45 characters, so this fits.
        IpString::new(addr.to_string().as_bytes()).unwrap_or(IpString::EMPTY)
    }
}

impl TryFrom<&str> for IpString {
    type Error = &'static str;

    fn try_from(text: &str) -> Result<IpString, &'static str> {
        IpString::new(text.as_bytes()).ok_or("IP text longer than 45 bytes or containing NUL")
    }
}

impl fmt::Display for IpString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

impl fmt::Debug for IpString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IpString({:?})",
            String::from_utf8_lossy(self.as_bytes())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_ipv6_text_fits() {
        let addr: IpAddr = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
            .parse()
            .expect("valid IPv6 literal");
        let ip = IpString::from(addr);
        assert!(!ip.is_empty());
        assert_eq!(ip.as_bytes().len(), addr.to_string().len());
    }

    #[test]
    fn decode_stops_at_nul_and_at_byte_45() {
        let mut field = [0u8; IP_FIELD_LEN];
        field[..9].copy_from_slice(b"127.0.0.1");
        field[10] = b'x'; // garbage after the terminator is not text
        assert_eq!(IpString::decode(&field).as_str(), Some("127.0.0.1"));

        let full = [b'a'; IP_FIELD_LEN];
        assert_eq!(IpString::decode(&full).as_bytes(), &[b'a'; 45][..]);
    }

    #[test]
    fn encode_is_text_then_zeros() {
        let ip = IpString::try_from("10.0.0.1").expect("short ASCII text");
        let mut out = Vec::new();
        ip.encode(&mut out);
        assert_eq!(out.len(), IP_FIELD_LEN);
        assert_eq!(&out[..8], b"10.0.0.1");
        assert!(out[8..].iter().all(|&b| b == 0));
        assert!(IpString::new(&[b'1'; 46]).is_none());
        assert!(IpString::new(b"1\0").is_none());
    }
}
