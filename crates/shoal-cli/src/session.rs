//! The client proper: one session with one server (or, with `-c`, whichever
//! cluster node the last redirection named), shared by one-shot and
//! interactive use.
//!
//! A command goes through [`Session::issue`]:
//!
//! ```text
//! issue(args, repeat)
//!   help/?            -> print help locally, send nothing
//!   not connected     -> connect: AUTH, SELECT, HELLO 3 as asked
//!   ASK pending       -> send ASKING first
//!   send, read reply  -> print it (push messages on the way printed or dropped)
//!   -MOVED/-ASK (-c)  -> retarget, print "-> Redirected to slot [n] located at h:p"
//!                        when interactive, and issue again
//!   MONITOR/SUBSCRIBE -> print replies until Ctrl-C or an error reply
//! ```
//!
//! The session tracks what redis-cli tracks for its prompt: the selected
//! database (SELECT, and its undoing when a MULTI is discarded or fails), a
//! MULTI in progress, and the node it talks to. Output goes to stdout and
//! messages to stderr, with the words redis-cli uses.

use std::io::Write;

use shoal_resp::frame::Frame;

use crate::args::{Options, Resp3};
use crate::connection::{ConnError, Connection, Endpoint};
use crate::format::{self, OutputMode};
use crate::help::HelpTable;
use crate::redirect::{self, RedirectKind};
use crate::{advice, signals};

/// Redirections followed for one command before giving up: a cluster
/// whose nodes disagree could otherwise bounce a command forever.
const MAX_REDIRECTS: u32 = 16;

/// A command that did not complete; what went wrong has been printed. A
/// one-shot run exits with code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failed;

/// Why sending a command stopped.
#[derive(Debug)]
enum SendError {
    /// The connection failed.
    Conn(ConnError),
    /// An error reply under `-e`, already printed.
    ErrorReply,
    /// Refused before sending, already explained.
    Refused,
}

impl From<ConnError> for SendError {
    fn from(e: ConnError) -> Self {
        SendError::Conn(e)
    }
}

/// The type of the last reply, as far as the session cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplyKind {
    Error,
    Nil,
    Other,
}

fn kind_of(frame: &Frame) -> ReplyKind {
    match frame {
        Frame::Error(_) | Frame::BlobError(_) => ReplyKind::Error,
        Frame::Null | Frame::NullArray => ReplyKind::Nil,
        _ => ReplyKind::Other,
    }
}

/// What is being streamed after MONITOR or SUBSCRIBE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stream {
    None,
    Monitor,
    PubSub,
}

/// Where the help table came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HelpSource {
    Server,
    /// Shoal's own table, used while no server could be asked.
    Builtin,
}

/// Commands whose replies are free-form text, printed raw even on a
/// terminal.
fn prints_verbatim(args: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| crate::split::arg_is(args, i, word);
    let n = args.len();
    is(0, "info")
        || is(0, "lolwut")
        || (n >= 2
            && is(0, "debug")
            && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (n >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (n == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (n >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (n == 3 && is(0, "latency") && is(1, "graph"))
        || (n == 2 && is(0, "latency") && is(1, "doctor"))
        || (n >= 2 && is(0, "proxy") && is(1, "info"))
}

/// A session with a server.
#[derive(Debug)]
pub struct Session {
    options: Options,
    endpoint: Endpoint,
    conn: Option<Connection>,
    /// Database selected on the current connection.
    db: i64,
    /// Database to select on the next connection.
    wanted_db: i64,
    in_multi: bool,
    db_before_multi: i64,
    resp3: Resp3,
    interactive: bool,
    /// A redirection asks for the command to be sent again.
    reissue: bool,
    send_asking: bool,
    shutting_down: bool,
    stream: Stream,
    help: Option<(HelpTable, HelpSource)>,
    /// Counts connections made, so the server is asked for help once per
    /// connection at most.
    connections: u64,
    /// The connection count when the server was last asked for help.
    help_asked: Option<u64>,
}

impl Session {
    /// A session that has not connected yet.
    pub fn new(options: Options) -> Session {
        let endpoint = match &options.socket {
            Some(path) => Endpoint::Unix(path.clone()),
            None => Endpoint::Tcp {
                host: options.host.clone(),
                port: options.port,
            },
        };
        Session {
            endpoint,
            conn: None,
            db: 0,
            wanted_db: options.db,
            in_multi: false,
            db_before_multi: 0,
            resp3: options.resp3,
            interactive: false,
            reissue: false,
            send_asking: false,
            shutting_down: false,
            stream: Stream::None,
            help: None,
            connections: 0,
            help_asked: None,
            options,
        }
    }

    /// The options the session was started with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Marks the session interactive: redirections are announced, and
    /// connection losses end the command rather than the process.
    pub fn set_interactive(&mut self, on: bool) {
        self.interactive = on;
    }

    /// True while connected.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The prompt: `host:port`, then `[db]` when db is not 0, `(TX)` inside
    /// MULTI, and `> `; `not connected> ` when there is no connection.
    pub fn prompt(&self) -> String {
        if self.conn.is_none() {
            return "not connected> ".to_owned();
        }
        let mut prompt = self.endpoint.prompt_text();
        if self.db != 0 {
            prompt.push_str(&format!("[{}]", self.db));
        }
        if self.in_multi {
            prompt.push_str("(TX)");
        }
        prompt.push_str("> ");
        prompt
    }

    /// `connect <host> <port>` typed interactively: retarget and connect.
    pub fn connect_to(&mut self, host: String, port: u16) -> bool {
        self.endpoint = Endpoint::Tcp { host, port };
        self.connect(false)
    }

    /// Connects quietly (errors are reported when a command is issued).
    pub fn connect_quietly(&mut self) -> bool {
        self.connect(true)
    }

    /// Drops any connection and connects again: AUTH, SELECT and HELLO 3
    /// as the options ask. Prints why it failed unless `quiet`. As in
    /// redis-cli, a connection whose AUTH, SELECT or HELLO failed is kept
    /// (so the server's own errors show on the next command), but the
    /// result is false.
    pub fn connect(&mut self, quiet: bool) -> bool {
        if self.conn.take().is_some() {
            self.db = 0;
            self.in_multi = false;
        }
        match Connection::open(&self.endpoint) {
            Ok(conn) => {
                self.conn = Some(conn);
                self.connections += 1;
            }
            Err(err) => {
                if !quiet {
                    flush_stdout();
                    eprintln!(
                        "Could not connect to Redis at {}: {err}",
                        self.endpoint.error_text()
                    );
                    if advice::enabled() {
                        if let Some(line) = advice::for_connect_error(&self.endpoint, &err) {
                            eprintln!("{line}");
                        }
                    }
                }
                return false;
            }
        }
        self.authenticate() && self.select_wanted_db() && self.switch_protocol()
    }

    /// Sends a setup command; `Err` after an I/O error (reported, the
    /// connection dropped).
    fn setup_call(&mut self, args: &[&[u8]]) -> Result<Frame, ()> {
        let conn = self.conn.as_mut().ok_or(())?;
        match conn.call(args) {
            Ok(frame) => Ok(frame),
            Err(_) => {
                eprintln!("\nI/O error");
                self.conn = None;
                Err(())
            }
        }
    }

    fn authenticate(&mut self) -> bool {
        let Some(password) = self.options.password.clone() else {
            return true;
        };
        let reply = match self.options.user.clone() {
            Some(user) => self.setup_call(&[b"AUTH", &user, &password]),
            None => self.setup_call(&[b"AUTH", &password]),
        };
        match reply {
            Ok(Frame::Error(text) | Frame::BlobError(text)) => {
                eprintln!("AUTH failed: {}", String::from_utf8_lossy(&text));
                false
            }
            Ok(_) => true,
            Err(()) => false,
        }
    }

    fn select_wanted_db(&mut self) -> bool {
        if self.wanted_db == self.db {
            return true;
        }
        let db = self.wanted_db.to_string();
        match self.setup_call(&[b"SELECT", db.as_bytes()]) {
            Ok(Frame::Error(text) | Frame::BlobError(text)) => {
                eprintln!("SELECT {db} failed: {}", String::from_utf8_lossy(&text));
                false
            }
            Ok(_) => {
                self.db = self.wanted_db;
                true
            }
            Err(()) => false,
        }
    }

    fn switch_protocol(&mut self) -> bool {
        if self.resp3 == Resp3::Off {
            return true;
        }
        match self.setup_call(&[b"HELLO", b"3"]) {
            Ok(Frame::Error(text) | Frame::BlobError(text)) => {
                eprintln!("HELLO 3 failed: {}", String::from_utf8_lossy(&text));
                // Implied by --json: carry on in RESP2.
                self.resp3 == Resp3::Implicit
            }
            Ok(_) => true,
            Err(()) => false,
        }
    }

    /// Runs a command `repeat` times (forever when negative), printing the
    /// replies. `help` and `?` are answered locally.
    pub fn issue(&mut self, args: &[Vec<u8>], repeat: i64) -> Result<(), Failed> {
        let Some(first) = args.first() else {
            return Ok(());
        };
        if first.eq_ignore_ascii_case(b"help") || first == b"?" {
            let topics: Vec<String> = args[1..]
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            let text = if topics.is_empty() {
                crate::help::generic_help()
            } else {
                self.help_table().render(&topics)
            };
            print_bytes(text.as_bytes());
            return Ok(());
        }
        let mut redirects = 0;
        loop {
            // A connection whose AUTH failed is still used: the server's
            // own error then tells what is wrong.
            if (self.reissue || self.conn.is_none()) && !self.connect(false) && self.conn.is_none()
            {
                self.reissue = false;
                return Err(Failed);
            }
            self.reissue = false;
            if self.send_asking {
                self.send_asking = false;
                match self.conn.as_mut().map(|c| c.call(&["ASKING"])) {
                    Some(Ok(Frame::Error(text))) => {
                        eprintln!("ASKING failed: {}", String::from_utf8_lossy(&text));
                        return Err(Failed);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(err)) => {
                        self.report_lost(&err);
                        return Err(Failed);
                    }
                    None => return Err(Failed),
                }
            }
            match self.send_command(args, repeat) {
                Ok(()) => {}
                Err(SendError::Conn(err)) => {
                    self.report_lost(&err);
                    return Err(Failed);
                }
                Err(SendError::ErrorReply | SendError::Refused) => return Err(Failed),
            }
            if self.options.cluster_mode && self.reissue {
                redirects += 1;
                if redirects > MAX_REDIRECTS {
                    self.reissue = false;
                    eprintln!("Error: too many cluster redirections ({MAX_REDIRECTS}); the nodes disagree about who owns the slot");
                    return Err(Failed);
                }
                continue;
            }
            return Ok(());
        }
    }

    /// Prints a lost connection as redis-cli does and forgets it.
    fn report_lost(&mut self, err: &ConnError) {
        flush_stdout();
        eprintln!("Error: {err}");
        self.conn = None;
        if advice::enabled() && matches!(err, ConnError::Closed) && self.interactive {
            eprintln!("hint: the server closed the connection (it may have restarted, or dropped idle or over-limit clients); the next command reconnects");
        }
    }

    /// Sends `args` up to `repeat` times and handles the replies.
    fn send_command(&mut self, args: &[Vec<u8>], repeat: i64) -> Result<(), SendError> {
        let name = String::from_utf8_lossy(&args[0]).to_ascii_lowercase();
        let verbatim = prints_verbatim(args);
        let argc = args.len();
        if name == "sync" || name == "psync" {
            eprintln!(
                "shoal-cli: replica mode ({}) is not supported yet.",
                name.to_uppercase()
            );
            return Err(SendError::Refused);
        }
        if name == "shutdown" {
            self.shutting_down = true;
        }
        let stream = match name.as_str() {
            "monitor" => Stream::Monitor,
            "subscribe" | "psubscribe" | "ssubscribe" => Stream::PubSub,
            _ => Stream::None,
        };
        let mut remaining = repeat;
        while remaining != 0 {
            if remaining > 0 {
                remaining -= 1;
            }
            let Some(conn) = self.conn.as_mut() else {
                return Err(SendError::Conn(ConnError::Closed));
            };
            conn.send(args)?;
            match stream {
                Stream::Monitor => {
                    self.stream_replies(Stream::Monitor, verbatim)?;
                    return Ok(());
                }
                Stream::PubSub => {
                    if self.options.output != OutputMode::Raw {
                        print_bytes(b"Reading messages... (press Ctrl-C to quit)\n");
                    }
                    self.stream_replies(Stream::PubSub, verbatim)?;
                    continue;
                }
                Stream::None => {}
            }
            let kind = match self.read_reply(verbatim) {
                Ok(kind) => kind,
                Err(SendError::Conn(_)) if self.shutting_down => {
                    // SHUTDOWN closes the connection instead of replying.
                    self.conn = None;
                    return Ok(());
                }
                Err(e) => return Err(e),
            };
            let is = |word: &str| name == word;
            if is("select") && argc == 2 && kind != ReplyKind::Error {
                self.db = crate::uri::atoi(&args[1]);
                self.wanted_db = self.db;
            } else if is("auth") && (argc == 2 || argc == 3) {
                self.select_wanted_db();
            } else if is("multi") && argc == 1 && kind != ReplyKind::Error {
                self.in_multi = true;
                self.db_before_multi = self.db;
            } else if is("exec") && argc == 1 && self.in_multi {
                self.in_multi = false;
                if kind != ReplyKind::Other {
                    // The transaction did not run: its SELECTs did not either.
                    self.db = self.db_before_multi;
                    self.wanted_db = self.db;
                }
            } else if is("discard") && argc == 1 && kind != ReplyKind::Error {
                self.in_multi = false;
                self.db = self.db_before_multi;
                self.wanted_db = self.db;
            } else if is("reset") && argc == 1 && kind != ReplyKind::Error {
                self.in_multi = false;
                self.db = 0;
                self.wanted_db = 0;
                self.resp3 = Resp3::Off;
            }
            if self.reissue {
                // Sent again, in full, to the node the redirection named.
                break;
            }
            if !self.options.interval.is_zero() {
                std::thread::sleep(self.options.interval);
            }
        }
        Ok(())
    }

    /// Prints replies until Ctrl-C or an error reply. After Ctrl-C the
    /// connection is replaced by a fresh one, as the stream cannot be
    /// stopped otherwise.
    fn stream_replies(&mut self, stream: Stream, verbatim: bool) -> Result<(), SendError> {
        self.stream = stream;
        signals::set_streaming(true);
        let result = loop {
            match self.read_reply(verbatim) {
                Ok(ReplyKind::Error) => break Ok(()),
                Ok(_) => {}
                Err(SendError::Conn(ConnError::Aborted)) => {
                    signals::set_streaming(false);
                    self.stream = Stream::None;
                    self.connect(false);
                    break Ok(());
                }
                Err(e) => break Err(e),
            }
        };
        signals::set_streaming(false);
        self.stream = Stream::None;
        result
    }

    /// Reads and prints one reply (push messages before it are printed or
    /// dropped as configured), or follows a redirection.
    fn read_reply(&mut self, verbatim: bool) -> Result<ReplyKind, SendError> {
        let frame = loop {
            let Some(conn) = self.conn.as_mut() else {
                return Err(SendError::Conn(ConnError::Closed));
            };
            let frame = conn.read_frame()?;
            // Push messages are out of band, except while subscribed, where
            // they are the stream itself.
            if matches!(frame, Frame::Push(_)) && self.stream != Stream::PubSub {
                if self.options.show_pushes {
                    print_bytes(&format::push(
                        &frame,
                        self.options.output,
                        &self.options.delimiters,
                    ));
                }
                continue;
            }
            break frame;
        };
        let kind = kind_of(&frame);
        if let Frame::Error(text) | Frame::BlobError(text) = &frame {
            if self.options.cluster_mode {
                if let Some(r) = redirect::parse(text) {
                    let host = match (&self.endpoint, r.host.is_empty()) {
                        (Endpoint::Tcp { host, .. }, true) => host.clone(),
                        _ => r.host,
                    };
                    if self.interactive {
                        print_bytes(
                            format!(
                                "-> Redirected to slot [{}] located at {host}:{}\n",
                                r.slot, r.port
                            )
                            .as_bytes(),
                        );
                    }
                    self.endpoint = Endpoint::Tcp { host, port: r.port };
                    self.reissue = true;
                    self.send_asking = r.kind == RedirectKind::Ask;
                    return Ok(kind);
                }
            }
            if !self.interactive && self.options.set_errcode {
                flush_stdout();
                eprintln!("{}", String::from_utf8_lossy(text));
                return Err(SendError::ErrorReply);
            }
        }
        let out = if verbatim {
            format::verbatim(&frame, &self.options.delimiters)
        } else {
            format::reply(&frame, self.options.output, &self.options.delimiters)
        };
        print_bytes(&out);
        if let Frame::Error(text) | Frame::BlobError(text) = &frame {
            if advice::enabled() {
                if let Some(line) = advice::for_error_reply(text, self.options.cluster_mode) {
                    eprintln!("{line}");
                }
            }
        }
        Ok(kind)
    }

    /// The help table: the server's COMMAND DOCS when it answers, else
    /// Shoal's built-in one. A server without COMMAND DOCS is asked once
    /// per connection, not on every call.
    pub fn help_table(&mut self) -> &HelpTable {
        if self.conn.is_none() && self.help.is_none() {
            self.connect(true);
        }
        if self.help_is_stale() || self.help.is_none() {
            let from_server = match self.conn.as_mut() {
                Some(conn) => {
                    self.help_asked = Some(self.connections);
                    conn.call(&["COMMAND", "DOCS"])
                        .ok()
                        .and_then(|reply| HelpTable::from_command_docs(&reply))
                }
                None => None,
            };
            match from_server {
                Some(table) => self.help = Some((table, HelpSource::Server)),
                None if self.help.is_none() => {
                    self.help = Some((HelpTable::builtin(), HelpSource::Builtin))
                }
                None => {}
            }
        }
        &self.help.as_ref().expect("set above").0
    }

    /// True when the help table came from the built-in table and the
    /// current connection has not been asked for COMMAND DOCS yet.
    pub fn help_is_stale(&self) -> bool {
        self.conn.is_some()
            && !matches!(self.help, Some((_, HelpSource::Server)))
            && self.help_asked != Some(self.connections)
    }
}

/// Writes to stdout and flushes, so output interleaves correctly with
/// stderr and reaches pipes promptly. A closed stdout ends the process, as
/// a C program would end on SIGPIPE.
pub fn print_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if out.write_all(bytes).and_then(|()| out.flush()).is_err() {
        std::process::exit(1);
    }
}

fn flush_stdout() {
    let _ = std::io::stdout().flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<Vec<u8>> {
        line.split_whitespace()
            .map(|w| w.as_bytes().to_vec())
            .collect()
    }

    #[test]
    fn free_text_commands_print_verbatim() {
        assert!(prints_verbatim(&words("INFO")));
        assert!(prints_verbatim(&words("info server")));
        assert!(prints_verbatim(&words("cluster nodes")));
        assert!(!prints_verbatim(&words("cluster nodes x")));
        assert!(prints_verbatim(&words("client list id 1")));
        assert!(!prints_verbatim(&words("get info")));
        assert!(!prints_verbatim(&words("cluster slots")));
    }

    #[test]
    fn prompt_shows_db_and_transaction() {
        let mut options = Options::new(true);
        options.port = 7000;
        let mut session = Session::new(options);
        assert_eq!(session.prompt(), "not connected> ");
        // A listener that accepts is enough to be "connected".
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert!(session.connect_to("127.0.0.1".into(), port));
        assert_eq!(session.prompt(), format!("127.0.0.1:{port}> "));
        session.db = 2;
        session.in_multi = true;
        assert_eq!(session.prompt(), format!("127.0.0.1:{port}[2](TX)> "));
    }
}
