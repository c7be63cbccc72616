//! One client connection: its socket, buffers and session state.

use mio::net::TcpStream;
use shoal_resp::request::{Argv, OwnedArgs, RequestParser};
use shoal_resp::ReplyBuf;
use std::collections::BTreeSet;
use std::net::SocketAddr;

use crate::commands::CommandRef;
use shoal_config::{ClientClass, OutputBufferLimit};

/// Where a client stands in a MULTI/EXEC transaction.
#[derive(Debug, Default)]
pub struct MultiState {
    /// Commands queued since MULTI.
    pub queued: Vec<(CommandRef, OwnedArgs)>,
    /// A queued command was rejected: EXEC must abort.
    pub aborted: bool,
}

/// CLIENT REPLY mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    /// Replies are sent.
    #[default]
    On,
    /// No replies at all.
    Off,
    /// The next command's reply is dropped.
    SkipNext,
    /// This command's reply is dropped (SKIP armed by the previous one).
    Skip,
}

/// A client blocked on keys (BLPOP and friends).
#[derive(Debug)]
pub struct Blocked {
    /// The command to run again when a key is ready.
    pub command: CommandRef,
    /// Its arguments.
    pub args: OwnedArgs,
    /// The db the keys are in.
    pub db: usize,
    /// The keys waited on.
    pub keys: Vec<Vec<u8>>,
    /// Unix ms when the wait ends, if ever.
    pub deadline_ms: Option<u64>,
    /// The reply when the deadline passes.
    pub timeout_reply: shoal_commands::TimeoutReply,
    /// The type a key must hold to serve the command.
    pub waits_for: shoal_keyspace::ValueType,
}

/// A connected client.
pub struct Client {
    /// Unique, increasing id (CLIENT ID).
    pub id: u64,
    /// The socket.
    pub stream: TcpStream,
    /// Peer address.
    pub addr: SocketAddr,
    /// Local address the client connected to.
    pub local_addr: Option<SocketAddr>,
    /// Bytes received and not yet parsed.
    pub query: Vec<u8>,
    /// While the commands of `query` run, the buffer is lent out: its
    /// length and capacity then, for CLIENT LIST's qbuf and qbuf-free.
    pub query_lent: Option<(usize, usize)>,
    /// Request parser state.
    pub parser: RequestParser,
    /// Reused argument storage.
    pub argv: Argv,
    /// Encoded replies waiting to be written.
    pub reply: ReplyBuf,
    /// Selected database.
    pub db: usize,
    /// CLIENT SETNAME.
    pub name: Option<Vec<u8>>,
    /// Passed AUTH (or no password is required).
    pub authenticated: bool,
    /// Inside MULTI.
    pub multi: Option<MultiState>,
    /// WATCHed keys as (db, key).
    pub watched: Vec<(usize, Vec<u8>)>,
    /// A watched key changed: the next EXEC fails.
    pub watch_dirty: bool,
    /// Subscribed channels.
    pub channels: BTreeSet<Vec<u8>>,
    /// Subscribed patterns.
    pub patterns: BTreeSet<Vec<u8>>,
    /// Subscribed shard channels.
    pub shard_channels: BTreeSet<Vec<u8>>,
    /// Waiting for keys.
    pub blocked: Option<Blocked>,
    /// CLIENT REPLY state.
    pub reply_mode: ReplyMode,
    /// Close once the pending reply is written (QUIT, protocol error).
    pub close_after_reply: bool,
    /// Already queued for a write in this loop iteration.
    pub write_queued: bool,
    /// Registered for writable events (output is waiting on the socket).
    pub wants_writable: bool,
    /// Receives MONITOR output.
    pub monitor: bool,
    /// CLIENT NO-EVICT.
    pub no_evict: bool,
    /// ASKING was sent: the next command may run in an importing slot.
    pub asking: bool,
    /// READONLY was sent: reads may be served by this replica.
    pub readonly: bool,
    /// Connection time, Unix ms.
    pub created_ms: u64,
    /// Last command time, Unix ms.
    pub last_interaction_ms: u64,
    /// Name of the last command run (CLIENT LIST `cmd=`).
    pub last_command: &'static str,
    /// Library name and version from CLIENT SETINFO-style HELLO fields.
    pub lib_name: Option<Vec<u8>>,
    /// Commands run on this connection.
    pub commands_processed: u64,
    /// Total bytes read.
    pub bytes_read: u64,
    /// Total bytes written.
    pub bytes_written: u64,
    /// When the pending output first reached its class's soft limit (Unix
    /// ms), while it stays there.
    pub output_soft_limit_since: Option<u64>,
    /// CLIENT TRACKING state.
    pub tracking: crate::tracking::ClientTracking,
}

impl Client {
    /// A new client on `stream`.
    pub fn new(
        id: u64,
        stream: TcpStream,
        addr: SocketAddr,
        now_ms: u64,
        authenticated: bool,
    ) -> Client {
        let local_addr = stream.local_addr().ok();
        Client {
            id,
            stream,
            addr,
            local_addr,
            query: Vec::new(),
            query_lent: None,
            parser: RequestParser::new(),
            argv: Argv::new(),
            reply: ReplyBuf::new(),
            db: 0,
            name: None,
            authenticated,
            multi: None,
            watched: Vec::new(),
            watch_dirty: false,
            channels: BTreeSet::new(),
            patterns: BTreeSet::new(),
            shard_channels: BTreeSet::new(),
            blocked: None,
            reply_mode: ReplyMode::On,
            close_after_reply: false,
            write_queued: false,
            wants_writable: false,
            monitor: false,
            no_evict: false,
            asking: false,
            readonly: false,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_command: "NULL",
            lib_name: None,
            commands_processed: 0,
            bytes_read: 0,
            bytes_written: 0,
            output_soft_limit_since: None,
            tracking: Default::default(),
        }
    }

    /// Number of channel and pattern subscriptions (RESP2 pub/sub context
    /// is on while this is above zero).
    pub fn subscription_count(&self) -> usize {
        self.channels.len() + self.patterns.len()
    }

    /// True when in RESP2 subscribed mode, which restricts the commands.
    pub fn in_pubsub_context(&self) -> bool {
        !self.reply.is_resp3() && (self.subscription_count() + self.shard_channels.len()) > 0
    }

    /// The class whose `client-output-buffer-limit` applies (Redis's
    /// getClientType: subscribers are pubsub whatever their protocol).
    pub fn output_class(&self) -> ClientClass {
        if self.subscription_count() + self.shard_channels.len() > 0 {
            ClientClass::Pubsub
        } else {
            ClientClass::Normal
        }
    }

    /// Checks the pending output against `limit` at `now_ms`: true when
    /// the client must be disconnected (at or over the hard limit, or over
    /// the soft limit for longer than allowed). Starts or clears the soft
    /// limit's clock.
    pub fn output_over_limit(&mut self, limit: OutputBufferLimit, now_ms: u64) -> bool {
        let pending = self.reply.len() as u64;
        if limit.hard_bytes != 0 && pending >= limit.hard_bytes {
            return true;
        }
        if limit.soft_bytes == 0 || pending < limit.soft_bytes {
            self.output_soft_limit_since = None;
            return false;
        }
        match self.output_soft_limit_since {
            None => {
                self.output_soft_limit_since = Some(now_ms);
                false
            }
            Some(since) => {
                now_ms.saturating_sub(since)
                    > (limit.soft_seconds.max(0) as u64).saturating_mul(1000)
            }
        }
    }

    /// Flags as CLIENT LIST prints them.
    pub fn flags_string(&self) -> String {
        // Redis 7.0's letters, in its order.
        let t = &self.tracking;
        let flags = [
            (self.monitor, 'O'),
            (
                self.subscription_count() + self.shard_channels.len() > 0,
                'P',
            ),
            (self.multi.is_some(), 'x'),
            (self.blocked.is_some(), 'b'),
            (t.on, 't'),
            (t.broken_redirect, 'R'),
            (t.bcast, 'B'),
            (self.watch_dirty, 'd'),
            (self.close_after_reply, 'c'),
            (self.readonly, 'r'),
            (self.no_evict, 'e'),
        ];
        let f: String = flags
            .iter()
            .filter(|(on, _)| *on)
            .map(|&(_, c)| c)
            .collect();
        if f.is_empty() {
            "N".to_string()
        } else {
            f
        }
    }
}
