//! One line of advice after the errors newcomers meet most: nothing
//! listening, an unknown host, a password needed, a key on another cluster
//! node, keys in different slots, a cluster that is down.
//!
//! The error itself is always printed exactly as redis-cli prints it, so
//! scripts that read it are unaffected; the advice is an extra line on
//! stderr, starting `hint: `, and only when stderr is a terminal (a person
//! is reading) and `SHOALCLI_NO_ADVICE` is not set.

use std::io::IsTerminal;

use crate::connection::{ConnError, Endpoint};

/// True when advice should be printed.
pub fn enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("SHOALCLI_NO_ADVICE").is_none()
}

/// Advice after a failed connection to `endpoint`.
pub fn for_connect_error(endpoint: &Endpoint, err: &ConnError) -> Option<String> {
    let addr = endpoint.error_text();
    let ConnError::Io(io) = err else {
        return None;
    };
    let text = crate::connection::describe(io);
    let advice = match io.kind() {
        std::io::ErrorKind::ConnectionRefused => format!(
            "nothing is listening on {addr}: start the server there, or give its address with -h <host> -p <port>"
        ),
        std::io::ErrorKind::NotFound if matches!(endpoint, Endpoint::Unix(_)) => {
            format!("there is no socket at {addr}: check the server's unixsocket setting")
        }
        std::io::ErrorKind::TimedOut => {
            format!("{addr} did not answer: check the address, and any firewall in between")
        }
        _ if text.contains("not known") || text.contains("resolution") || text.contains("nodename") => {
            let host = match endpoint {
                Endpoint::Tcp { host, .. } => host.as_str(),
                Endpoint::Unix(_) => "",
            };
            format!("the host name '{host}' could not be resolved: check its spelling, or give an IP address with -h")
        }
        _ => return None,
    };
    Some(format!("hint: {advice}"))
}

/// Advice after an error reply whose text is `error`; `cluster_mode` says
/// whether `-c` is on.
pub fn for_error_reply(error: &[u8], cluster_mode: bool) -> Option<String> {
    let code = error.split(|&b| b == b' ').next().unwrap_or_default();
    let advice = match code {
        b"NOAUTH" => "this server needs a password: run AUTH <password>, or start shoal-cli with -a <password> (or SHOALCLI_AUTH=<password> in the environment)",
        b"WRONGPASS" => "check the user name and password (--user <name> -a <password>)",
        b"MOVED" | b"ASK" if !cluster_mode => {
            "this key lives on another node of the cluster: run shoal-cli with -c to follow redirections"
        }
        b"CROSSSLOT" => {
            "in a cluster, the keys of one command must share a hash slot: give them a common {tag}, as in {user1}:name {user1}:email"
        }
        b"CLUSTERDOWN" => {
            "the cluster cannot serve this key now (a slot has no owner, or its node is down): see CLUSTER INFO and CLUSTER NODES"
        }
        b"TRYAGAIN" => "these keys are being moved between nodes: try again in a moment",
        b"LOADING" => "the server is still loading its data: try again when it is done",
        b"READONLY" => "this node is a replica: send writes to its primary (ROLE names it)",
        b"MASTERDOWN" => "this replica has lost its primary and is configured not to serve stale data",
        _ => return None,
    };
    Some(format!("hint: {advice}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_refused_names_the_address_and_the_flags() {
        let endpoint = Endpoint::Tcp {
            host: "127.0.0.1".into(),
            port: 7000,
        };
        let err = ConnError::Io(std::io::Error::from_raw_os_error(libc::ECONNREFUSED));
        let advice = for_connect_error(&endpoint, &err).unwrap();
        assert!(
            advice.contains("127.0.0.1:7000") && advice.contains("-p <port>"),
            "{advice}"
        );
    }

    #[test]
    fn error_replies_get_advice_by_code() {
        assert!(for_error_reply(b"NOAUTH Authentication required.", false)
            .unwrap()
            .contains("-a <password>"));
        assert!(for_error_reply(b"MOVED 1 127.0.0.1:7001", false)
            .unwrap()
            .contains("-c"));
        assert_eq!(for_error_reply(b"MOVED 1 127.0.0.1:7001", true), None);
        assert!(for_error_reply(
            b"CROSSSLOT Keys in request don't hash to the same slot",
            true
        )
        .unwrap()
        .contains("{"));
        assert_eq!(for_error_reply(b"ERR syntax error", false), None);
    }
}
