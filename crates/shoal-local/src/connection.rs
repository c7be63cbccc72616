//! A blocking RESP2 connection to one node on 127.0.0.1, enough to send
//! the handful of admin commands shoal-local needs. Every read and write
//! has a timeout, so a node that hangs turns into an error message instead
//! of a frozen terminal.

use shoal_resp::frame::{decode, encode_command, Frame};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// How long connecting may take: the node is local, so anything longer
/// means nobody is listening.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);

/// How long one reply may take.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// One connection to a node.
pub struct Connection {
    stream: TcpStream,
    /// Bytes read but not decoded yet.
    pending: Vec<u8>,
}

impl Connection {
    /// Connects to 127.0.0.1:`port`.
    pub fn open(port: u16) -> std::io::Result<Connection> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let stream = TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        // Requests are single small writes awaiting a reply: don't let
        // Nagle hold them back.
        let _ = stream.set_nodelay(true);
        Ok(Connection {
            stream,
            pending: Vec::new(),
        })
    }

    /// Sends one command and returns its reply. A reply that is an error
    /// frame is returned as `Ok`; IO and protocol failures are `Err` with a
    /// description.
    pub fn call(&mut self, args: &[&str]) -> Result<Frame, String> {
        let mut out = Vec::new();
        encode_command(args, &mut out);
        self.stream
            .write_all(&out)
            .map_err(|e| format!("sending {}: {e}", args.join(" ")))?;
        self.read_frame()
            .map_err(|e| format!("reading the reply to {}: {e}", args.join(" ")))
    }

    /// Sends a command whose reply is text (status, bulk or verbatim) and
    /// returns the text; an error reply becomes `Err` with its message.
    pub fn call_text(&mut self, args: &[&str]) -> Result<String, String> {
        match self.call(args)? {
            Frame::Simple(b) | Frame::Bulk(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
            Frame::Verbatim { text, .. } => Ok(String::from_utf8_lossy(&text).into_owned()),
            Frame::Error(b) | Frame::BlobError(b) => Err(String::from_utf8_lossy(&b).into_owned()),
            other => Err(format!("unexpected reply to {}: {other:?}", args.join(" "))),
        }
    }

    /// Sends a command that must succeed with any non-error reply.
    pub fn call_ok(&mut self, args: &[&str]) -> Result<(), String> {
        match self.call(args)? {
            Frame::Error(b) | Frame::BlobError(b) => Err(format!(
                "{} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&b)
            )),
            _ => Ok(()),
        }
    }

    fn read_frame(&mut self) -> Result<Frame, String> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match decode(&self.pending) {
                Ok(Some((frame, used))) => {
                    self.pending.drain(..used);
                    return Ok(frame);
                }
                Ok(None) => {}
                Err(e) => return Err(e.to_string()),
            }
            let n = self.stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the node closed the connection".into());
            }
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }
}

/// `CLUSTER INFO` as `(field, value)` pairs.
pub fn parse_info(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.trim().split_once(':'))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// One field of a parsed `CLUSTER INFO`.
pub fn info_field<'a>(info: &'a [(String, String)], name: &str) -> Option<&'a str> {
    info.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_info_fields_are_found_by_name() {
        let info = parse_info(
            "cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_known_nodes:6\r\n",
        );
        assert_eq!(info_field(&info, "cluster_state"), Some("ok"));
        assert_eq!(info_field(&info, "cluster_known_nodes"), Some("6"));
        assert_eq!(info_field(&info, "cluster_size"), None);
    }
}
