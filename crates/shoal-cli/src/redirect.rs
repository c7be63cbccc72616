//! Cluster redirections: reading `-MOVED` and `-ASK` error replies.
//!
//! ```text
//! MOVED 15274 127.0.0.1:7002   the slot lives there now: go and stay
//! ASK 15274 127.0.0.1:7002     ask there once, after sending ASKING
//! MOVED 15274 :7002            host left out: same host, that port
//! ```
//!
//! With `-c`, redis-cli reconnects to the named node for both kinds (an ASK
//! moves its connection too, and its prompt shows the new node), prints
//! `-> Redirected to slot [15274] located at 127.0.0.1:7002` when
//! interactive, and sends the command again, preceded by `ASKING` after an
//! ASK. The session does the moving; this module only reads the reply.

/// Which redirection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// `-MOVED`: the slot has a new owner.
    Moved,
    /// `-ASK`: the slot is migrating; this key is asked for at the target.
    Ask,
}

/// A parsed redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// MOVED or ASK.
    pub kind: RedirectKind,
    /// The key's hash slot.
    pub slot: u16,
    /// The node's host; empty when the server left it out.
    pub host: String,
    /// The node's port.
    pub port: u16,
}

/// Reads an error reply's text as a redirection, or `None` if it is some
/// other error. The address's port is after its last colon, so IPv6
/// addresses (`MOVED 1 ::1:7000`) read correctly.
pub fn parse(error: &[u8]) -> Option<Redirect> {
    let text = std::str::from_utf8(error).ok()?;
    let (kind, rest) = if let Some(rest) = text.strip_prefix("MOVED ") {
        (RedirectKind::Moved, rest)
    } else if let Some(rest) = text.strip_prefix("ASK ") {
        (RedirectKind::Ask, rest)
    } else {
        return None;
    };
    let mut words = rest.split(' ');
    let slot = words.next()?.parse().ok()?;
    let address = words.next()?;
    let (host, port) = address.rsplit_once(':')?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    Some(Redirect {
        kind,
        slot,
        host,
        port: port.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_moved_and_ask() {
        assert_eq!(
            parse(b"MOVED 15274 127.0.0.1:7002"),
            Some(Redirect {
                kind: RedirectKind::Moved,
                slot: 15274,
                host: "127.0.0.1".into(),
                port: 7002
            })
        );
        let ask = parse(b"ASK 3999 10.0.0.2:6381").unwrap();
        assert_eq!(
            (ask.kind, ask.slot, ask.port),
            (RedirectKind::Ask, 3999, 6381)
        );
        assert_eq!(ask.host, "10.0.0.2");
    }

    #[test]
    fn reads_ipv6_and_missing_hosts() {
        assert_eq!(parse(b"MOVED 1 ::1:7000").unwrap().host, "::1");
        let r = parse(b"MOVED 1 :7000").unwrap();
        assert_eq!((r.host.as_str(), r.port), ("", 7000));
    }

    #[test]
    fn other_errors_are_not_redirections() {
        assert_eq!(parse(b"ERR MOVED"), None);
        assert_eq!(parse(b"MOVED x 1:2"), None);
        assert_eq!(
            parse(b"CROSSSLOT Keys in request don't hash to the same slot"),
            None
        );
        assert_eq!(parse(b"ASK 12"), None);
    }
}
