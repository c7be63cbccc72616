//! shoal-cli: a command line client whose flags, prompts and output follow
//! redis-cli 7.0, so scripts and test suites written for redis-cli can run it
//! unchanged against Shoal (or any Redis-protocol server).
//!
//! # Layout
//!
//! ```text
//! main.rs       thin: hands argv to run()
//! args.rs       argv -> Options, with redis-cli's flag grammar and messages
//! uri.rs        redis://user:pass@host:port/db
//! split.rs      a typed line -> arguments ("quotes", 'quotes', \x41 escapes)
//! connection.rs one blocking TCP or Unix socket speaking RESP (shoal-resp)
//! format.rs     Frame -> text: tty, raw, csv and json shapes
//! redirect.rs   -MOVED / -ASK error texts -> where to go next
//! session.rs    the client: connect, auth, select, send, print, follow -c
//! help.rs       COMMAND DOCS -> `help` pages, argument hints, completion
//! repl.rs       the interactive loop (rustyline on a tty, plain lines otherwise)
//! prefs.rs      ~/.shoalclirc (`:set hints`)
//! advice.rs     one-line "what to do next" for errors newcomers meet
//! signals.rs    Ctrl-C: leave MONITOR / SUBSCRIBE, otherwise exit
//! cluster/      `--cluster <subcommand>`: the cluster manager, one module a subcommand
//! ```
//!
//! # Environment
//!
//! - `SHOALCLI_AUTH` (or redis-cli's `REDISCLI_AUTH`): password, when `-a`
//!   is not given.
//! - `SHOALCLI_HISTFILE`: history file (default `~/.shoalcli_history`;
//!   `/dev/null` keeps none). `SHOALCLI_RCFILE`: preferences file (default
//!   `~/.shoalclirc`).
//! - `FAKETTY`: format output as for a terminal even when it is not one
//!   (redis-cli's test hook, honoured for the same test suites).
//! - `SHOALCLI_NO_ADVICE`: no `hint:` lines after errors (see [`advice`]).
//!
//! What this crate does not do (yet): TLS, `--stat`, `--latency*`,
//! `--bigkeys`/`--memkeys`/`--hotkeys`, `--scan`, `--pipe`, `--rdb`,
//! `--replica`, `--eval`/`--ldb`, `--askpass`, and the `--cluster`
//! subcommands `fix`, `reshard`, `rebalance`, `import`, `backup`. Each
//! is refused with a message and exit code 1, never
//! silently ignored.

#![deny(missing_docs)]

pub mod advice;
pub mod args;
pub mod cluster;
pub mod connection;
pub mod format;
pub mod help;
pub mod prefs;
pub mod redirect;
pub mod repl;
pub mod session;
pub mod signals;
pub mod split;
pub mod uri;

use std::io::{IsTerminal, Read};

use args::{Mode, Parsed};
use session::Session;

/// The client's name and version, as `--version` prints them.
pub const VERSION_LINE: &str = concat!("shoal-cli ", env!("CARGO_PKG_VERSION"));

/// Runs the client with the process's arguments (`argv[0]` included) and
/// returns the process exit code.
pub fn run(argv: Vec<std::ffi::OsString>) -> i32 {
    let argv: Vec<Vec<u8>> = argv.into_iter().map(os_to_bytes).collect();
    let stdout_is_tty = std::io::stdout().is_terminal() || std::env::var_os("FAKETTY").is_some();
    let parsed = match args::parse(&argv, stdout_is_tty) {
        Ok(parsed) => parsed,
        Err(err) => {
            eprintln!("{err}");
            return 1;
        }
    };
    let (mut options, command) = match parsed {
        Parsed::Help => {
            print!("{}", args::usage());
            return 0;
        }
        Parsed::Version => {
            println!("{VERSION_LINE}");
            return 0;
        }
        Parsed::UsageError => {
            eprint!("{}", args::usage());
            return 1;
        }
        Parsed::Run { options, command } => (options, command),
    };
    options.apply_env();
    if options.password.is_some() && !options.no_auth_warning {
        eprintln!(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe."
        );
    }
    match &options.mode {
        Mode::Normal => {}
        Mode::Cluster(request) => return cluster::run(request, &options),
        Mode::Unsupported(flag) => {
            eprintln!("shoal-cli: {flag} is not supported yet; run redis-cli for it meanwhile.");
            return 1;
        }
    }

    let mut session = Session::new(*options);
    if command.is_empty() {
        // Interactive mode: a failed first connection is reported and the
        // loop goes on, trying again before each command.
        signals::install();
        session.connect(false);
        repl::run(&mut session);
        return 0;
    }
    one_shot(&mut session, command)
}

/// Runs the command given on the command line, repeated as `-r` asks.
fn one_shot(session: &mut Session, command: Vec<Vec<u8>>) -> i32 {
    let mut args = command;
    if session.options().quoted_input {
        let mut unquoted = Vec::with_capacity(args.len());
        for arg in &args {
            match split::unquote(arg) {
                Some(a) => unquoted.push(a),
                None => {
                    println!("Invalid quoted string");
                    return 1;
                }
            }
        }
        args = unquoted;
    }
    if session.options().stdin_last_arg {
        args.push(read_all_stdin());
    } else if let Some(tag) = session.options().stdin_tag.clone() {
        match args.iter_mut().find(|a| **a == tag) {
            Some(slot) => *slot = read_all_stdin(),
            None => {
                eprintln!("Using -X option but stdin tag not match.");
                return 1;
            }
        }
    }
    // One-shot runs keep the default Ctrl-C (the process ends at once), as
    // redis-cli does; only the interactive session handles it.
    // Errors on this first attempt are not printed: issuing the command
    // tries again and reports the failure once.
    session.connect_quietly();
    let repeat = session.options().repeat;
    match session.issue(&args, repeat) {
        Ok(()) => 0,
        Err(session::Failed) => 1,
    }
}

fn read_all_stdin() -> Vec<u8> {
    let mut data = Vec::new();
    if let Err(err) = std::io::stdin().lock().read_to_end(&mut data) {
        eprintln!("Reading from standard input: {err}");
        std::process::exit(1);
    }
    data
}

fn os_to_bytes(s: std::ffi::OsString) -> Vec<u8> {
    use std::os::unix::ffi::OsStringExt;
    s.into_vec()
}
