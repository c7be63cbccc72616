//! `-u redis://[[user:]password@]host[:port][/db]`, read the way redis-cli
//! reads it: every part optional, user and password percent-decoded, the
//! database number taken as a leading integer (`/3` and `/3x` both give 3).
//!
//! `rediss://` (TLS) is refused: shoal-cli has no TLS yet.

/// What a URI sets; `None` fields leave the current settings alone.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UriParts {
    /// `user` before `:password@`.
    pub user: Option<Vec<u8>>,
    /// The password before `@`.
    pub password: Option<Vec<u8>>,
    /// Host name or address.
    pub host: Option<String>,
    /// Port after `host:` (0 when not a number, as C's `atoi` gives).
    pub port: Option<u16>,
    /// Database after `/`.
    pub db: Option<i64>,
}

/// Why a URI was refused; the texts are redis-cli's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// Neither `redis://` nor `rediss://`.
    #[error("Invalid URI scheme")]
    Scheme,
    /// `rediss://`.
    #[error("rediss:// is only supported when shoal-cli is compiled with TLS support")]
    Tls,
    /// A `%` not followed by two characters.
    #[error("Incomplete URI encoding")]
    IncompleteEncoding,
    /// A `%` followed by something that is not hex.
    #[error("Illegal character in URI encoding")]
    IllegalEncoding,
}

/// C's `atoi`: optional blanks and sign, then digits, stopping at the first
/// other character; 0 when there are no digits.
pub fn atoi(s: &[u8]) -> i64 {
    let mut i = 0;
    while s.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let negative = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let mut n: i64 = 0;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
        i += 1;
    }
    if negative {
        -n
    } else {
        n
    }
}

/// A port number as redis-cli reads one: `atoi`, then kept to 16 bits.
pub fn port_from(s: &[u8]) -> u16 {
    atoi(s) as u16
}

fn percent_decode(s: &[u8]) -> Result<Vec<u8>, UriError> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            if s.len() - i < 3 {
                return Err(UriError::IncompleteEncoding);
            }
            let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
            match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(hi), Some(lo)) => out.push(hi * 16 + lo),
                _ => return Err(UriError::IllegalEncoding),
            }
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Parses a `redis://` URI.
pub fn parse(uri: &[u8]) -> Result<UriParts, UriError> {
    let lower: Vec<u8> = uri.iter().take(9).map(u8::to_ascii_lowercase).collect();
    let rest = if lower.starts_with(b"rediss://") {
        return Err(UriError::Tls);
    } else if lower.starts_with(b"redis://") {
        &uri[8..]
    } else {
        return Err(UriError::Scheme);
    };
    let mut parts = UriParts::default();
    let mut rest = rest;
    if rest.is_empty() {
        return Ok(parts);
    }
    if let Some(at) = rest.iter().position(|&b| b == b'@') {
        let userinfo = &rest[..at];
        let password = match userinfo.iter().position(|&b| b == b':') {
            Some(colon) => {
                parts.user = Some(percent_decode(&userinfo[..colon])?);
                &userinfo[colon + 1..]
            }
            None => userinfo,
        };
        parts.password = Some(percent_decode(password)?);
        rest = &rest[at + 1..];
    }
    if rest.is_empty() {
        return Ok(parts);
    }
    let slash = rest.iter().position(|&b| b == b'/');
    if rest[0] != b'/' {
        let hostport = &rest[..slash.unwrap_or(rest.len())];
        // The first colon splits host from port, as redis-cli does (so
        // IPv6 literals cannot be given in a URI).
        let host = match rest.iter().position(|&b| b == b':') {
            Some(colon) => {
                parts.port = Some(port_from(&rest[colon + 1..]));
                &rest[..colon.min(hostport.len())]
            }
            None => hostport,
        };
        parts.host = Some(String::from_utf8_lossy(host).into_owned());
    }
    let Some(slash) = slash else {
        return Ok(parts);
    };
    let db = &rest[slash + 1..];
    if !db.is_empty() {
        parts.db = Some(atoi(db));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_part() {
        let parts = parse(b"redis://us%65r:p%40ss@example.com:7001/3").unwrap();
        assert_eq!(parts.user.as_deref(), Some(&b"user"[..]));
        assert_eq!(parts.password.as_deref(), Some(&b"p@ss"[..]));
        assert_eq!(parts.host.as_deref(), Some("example.com"));
        assert_eq!(parts.port, Some(7001));
        assert_eq!(parts.db, Some(3));
    }

    #[test]
    fn every_part_is_optional() {
        assert_eq!(parse(b"redis://").unwrap(), UriParts::default());
        let parts = parse(b"REDIS://secret@h").unwrap();
        assert_eq!(parts.user, None);
        assert_eq!(parts.password.as_deref(), Some(&b"secret"[..]));
        assert_eq!(parts.host.as_deref(), Some("h"));
        assert_eq!(parts.port, None);
        let parts = parse(b"redis:///5").unwrap();
        assert_eq!(parts.host, None);
        assert_eq!(parts.db, Some(5));
    }

    #[test]
    fn refuses_other_schemes_and_bad_escapes() {
        assert_eq!(parse(b"http://x"), Err(UriError::Scheme));
        assert_eq!(parse(b"rediss://x"), Err(UriError::Tls));
        assert_eq!(parse(b"redis://a%4@h"), Err(UriError::IncompleteEncoding));
        assert_eq!(parse(b"redis://a%zz@h"), Err(UriError::IllegalEncoding));
    }

    #[test]
    fn atoi_stops_at_the_first_non_digit() {
        assert_eq!(atoi(b"12ab"), 12);
        assert_eq!(atoi(b" -7"), -7);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(port_from(b"7000"), 7000);
    }
}
