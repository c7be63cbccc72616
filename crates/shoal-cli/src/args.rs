//! The command line: argv in, [`Options`] and the command to run out.
//!
//! The grammar is redis-cli 7.0's, so scripts written for it work unchanged:
//! options come first, in any order, each later one overriding an earlier
//! one; the first argument that does not start with `-` starts the command
//! (`shoal-cli -p 7000 set k v`). `-h` is the host, except as the very last
//! argument, where it asks for help. An unknown option, or an option missing
//! its value, is refused with redis-cli's message
//! (`Unrecognized option or bad number of args for: '-p'`) and exit code 1.
//!
//! A hand-written scanner rather than clap: redis-cli's grammar (host on
//! `-h`, options stopping at the first bare word, `--cluster` taking a
//! variable run of words) does not fit a declarative parser without
//! changing its messages.
//!
//! Flags for modes shoal-cli does not have yet are accepted (values
//! included) and recorded as [`Mode::Unsupported`], so the caller can say so
//! plainly instead of running something else.

use std::time::Duration;

use crate::cluster::{ClusterOptions, ClusterRequest};
use crate::format::{Delimiters, OutputMode};
use crate::uri;

/// Whether, and how firmly, RESP3 was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resp3 {
    /// RESP2, the server's default.
    Off,
    /// `-3`: a failed `HELLO 3` is a failed connection.
    Explicit,
    /// Implied by `--json`: a failed `HELLO 3` is only reported.
    Implicit,
}

/// What the process is asked to do besides sending commands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Send commands: from the command line, or interactively.
    Normal,
    /// `--cluster <subcommand> ...`.
    Cluster(ClusterRequest),
    /// A redis-cli mode shoal-cli lacks, named by its flag.
    Unsupported(String),
}

/// Everything the command line sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `-h`: server host.
    pub host: String,
    /// `-p`: server port.
    pub port: u16,
    /// `-s`: Unix socket path, used instead of host and port.
    pub socket: Option<Vec<u8>>,
    /// `-a` / `--pass`: password for AUTH on every connection.
    pub password: Option<Vec<u8>>,
    /// `--user`: user name for AUTH (used with a password).
    pub user: Option<Vec<u8>>,
    /// `-r`: times to run the command; negative means forever.
    pub repeat: i64,
    /// `-i`: pause between repetitions.
    pub interval: Duration,
    /// `-n`: database to select on connecting.
    pub db: i64,
    /// `-x`: append all of stdin as the last argument.
    pub stdin_last_arg: bool,
    /// `-X <tag>`: replace the argument equal to `tag` with all of stdin.
    pub stdin_tag: Option<Vec<u8>>,
    /// `--quoted-input`: unquote each command-line argument first.
    pub quoted_input: bool,
    /// Reply rendering: standard on a terminal, raw otherwise, or as asked.
    pub output: OutputMode,
    /// Print RESP3 push messages (default on a terminal).
    pub show_pushes: bool,
    /// `-d` / `-D`: raw-mode delimiters.
    pub delimiters: Delimiters,
    /// `-c`: follow `-MOVED` and `-ASK` redirections.
    pub cluster_mode: bool,
    /// `-e`: exit with code 1 when a command replies with an error.
    pub set_errcode: bool,
    /// `-2`.
    pub resp2: bool,
    /// `-3`, or implied by `--json`.
    pub resp3: Resp3,
    /// `--no-auth-warning`.
    pub no_auth_warning: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// `--cluster-*` options, kept for the cluster manager.
    pub cluster: ClusterOptions,
    /// The mode asked for.
    pub mode: Mode,
}

impl Options {
    /// The defaults: 127.0.0.1:6379, db 0, and standard output on a terminal
    /// (raw, without push messages, otherwise).
    pub fn new(stdout_is_tty: bool) -> Options {
        Options {
            host: "127.0.0.1".to_owned(),
            port: 6379,
            socket: None,
            password: None,
            user: None,
            repeat: 1,
            interval: Duration::ZERO,
            db: 0,
            stdin_last_arg: false,
            stdin_tag: None,
            quoted_input: false,
            output: if stdout_is_tty {
                OutputMode::Standard
            } else {
                OutputMode::Raw
            },
            show_pushes: stdout_is_tty,
            delimiters: Delimiters::default(),
            cluster_mode: false,
            set_errcode: false,
            resp2: false,
            resp3: Resp3::Off,
            no_auth_warning: false,
            verbose: false,
            cluster: ClusterOptions::default(),
            mode: Mode::Normal,
        }
    }

    /// Fills in what the environment gives and the command line did not:
    /// the password from `SHOALCLI_AUTH` (or redis-cli's `REDISCLI_AUTH`),
    /// and `--cluster-yes` from `SHOALCLI_CLUSTER_YES=1` (or
    /// `REDISCLI_CLUSTER_YES=1`).
    pub fn apply_env(&mut self) {
        use std::os::unix::ffi::OsStringExt;
        if self.password.is_none() {
            self.password = std::env::var_os("SHOALCLI_AUTH")
                .or_else(|| std::env::var_os("REDISCLI_AUTH"))
                .map(OsStringExt::into_vec);
        }
        let yes = |name: &str| std::env::var_os(name).is_some_and(|v| v == "1");
        if yes("SHOALCLI_CLUSTER_YES") || yes("REDISCLI_CLUSTER_YES") {
            self.cluster.yes = true;
        }
    }
}

/// The outcome of reading the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Print the usage to stdout, exit 0.
    Help,
    /// Print the usage to stderr, exit 1.
    UsageError,
    /// Print the version, exit 0.
    Version,
    /// Connect and run `command`, or the interactive loop when it is empty.
    Run {
        /// The options.
        options: Box<Options>,
        /// The command and its arguments, as given.
        command: Vec<Vec<u8>>,
    },
}

/// A command line that cannot be run; the message is redis-cli's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArgsError {
    /// An unknown option, or one missing its value.
    #[error("Unrecognized option or bad number of args for: '{0}'")]
    Unrecognized(String),
    /// `-c` with `-s`.
    #[error("Options -c and -s are mutually exclusive.")]
    ClusterWithSocket,
    /// `-2` with `-3`.
    #[error("Options -2 and -3 are mutually exclusive.")]
    Resp2WithResp3,
    /// `-x` with `-X`.
    #[error("Options -x and -X are mutually exclusive.")]
    StdinTwice,
    /// A bad `-u` URI.
    #[error("{0}")]
    Uri(#[from] uri::UriError),
}

/// C's `atof` as redis-cli applies it to `-i`: the longest leading part
/// that reads as a number, 0 when none does.
fn atof(s: &[u8]) -> f64 {
    let text = String::from_utf8_lossy(s);
    let text = text.trim_start();
    (1..=text.len())
        .rev()
        .filter(|&n| text.is_char_boundary(n))
        .find_map(|n| text[..n].parse::<f64>().ok())
        .unwrap_or(0.0)
}

fn lossy(arg: &[u8]) -> String {
    String::from_utf8_lossy(arg).into_owned()
}

/// Options that take a value and belong to modes shoal-cli lacks.
const UNSUPPORTED_WITH_VALUE: &[&str] = &[
    "--lru-test",
    "--intrinsic-latency",
    "--rdb",
    "--functions-rdb",
    "--memkeys-samples",
    "--eval",
    "--sni",
    "--cacertdir",
    "--cacert",
    "--cert",
    "--key",
    "--tls-ciphers",
    "--tls-ciphersuites",
];

/// Flags of modes shoal-cli lacks.
const UNSUPPORTED_FLAGS: &[&str] = &[
    "--askpass",
    "--latency",
    "--latency-dist",
    "--latency-history",
    "--slave",
    "--replica",
    "--stat",
    "--scan",
    "--pipe",
    "--bigkeys",
    "--memkeys",
    "--hotkeys",
    "--ldb",
    "--ldb-sync-mode",
    "--tls",
    "--insecure",
    "--cluster-from-askpass",
];

/// Options accepted and ignored: they only tune modes shoal-cli lacks.
const IGNORED_WITH_VALUE: &[&str] = &["--pattern", "--quoted-pattern", "--pipe-timeout"];

/// Reads the command line (`argv[0]` is the program name).
/// `stdout_is_tty` picks the default output mode.
pub fn parse(argv: &[Vec<u8>], stdout_is_tty: bool) -> Result<Parsed, ArgsError> {
    let mut o = Options::new(stdout_is_tty);
    let mut unsupported: Option<String> = None;
    let mut cluster: Option<ClusterRequest> = None;
    let mut i = 1;
    while i < argv.len() {
        let arg = argv[i].as_slice();
        let has_value = i + 1 < argv.len();
        let value = || argv[i + 1].clone();
        let flag = std::str::from_utf8(arg).unwrap_or("");
        // How many arguments this option used up.
        let mut used = 1;
        match flag {
            "-h" if has_value => {
                o.host = lossy(&value());
                used = 2;
            }
            "-h" | "--help" => return Ok(Parsed::Help),
            "-v" | "--version" => return Ok(Parsed::Version),
            "-x" => o.stdin_last_arg = true,
            "-X" if has_value => {
                o.stdin_tag = Some(value());
                used = 2;
            }
            "-p" if has_value => {
                o.port = uri::port_from(&value());
                used = 2;
            }
            "-s" if has_value => {
                o.socket = Some(value());
                used = 2;
            }
            "-r" if has_value => {
                o.repeat = uri::atoi(&value());
                used = 2;
            }
            "-i" if has_value => {
                let seconds = atof(&value());
                o.interval = Duration::from_secs_f64(seconds.max(0.0));
                used = 2;
            }
            "-n" if has_value => {
                o.db = uri::atoi(&value());
                used = 2;
            }
            "--no-auth-warning" => o.no_auth_warning = true,
            "-a" | "--pass" if has_value => {
                o.password = Some(value());
                used = 2;
            }
            "--user" if has_value => {
                o.user = Some(value());
                used = 2;
            }
            // `--uri` is ours: an alias redis-cli 7.0 does not have.
            "-u" | "--uri" if has_value => {
                let parts = uri::parse(&value())?;
                if let Some(user) = parts.user {
                    o.user = Some(user);
                }
                if let Some(password) = parts.password {
                    o.password = Some(password);
                }
                if let Some(host) = parts.host {
                    o.host = host;
                }
                if let Some(port) = parts.port {
                    o.port = port;
                }
                if let Some(db) = parts.db {
                    o.db = db;
                }
                used = 2;
            }
            "--raw" => o.output = OutputMode::Raw,
            "--no-raw" => o.output = OutputMode::Standard,
            "--quoted-input" => o.quoted_input = true,
            "--csv" => o.output = OutputMode::Csv,
            "--json" | "--quoted-json" => {
                if o.resp3 == Resp3::Off {
                    o.resp3 = Resp3::Implicit;
                }
                o.output = if flag == "--json" {
                    OutputMode::Json
                } else {
                    OutputMode::QuotedJson
                };
            }
            "--mono" => {}
            "-c" => o.cluster_mode = true,
            "-d" if has_value => {
                o.delimiters.element = value();
                used = 2;
            }
            "-D" if has_value => {
                o.delimiters.reply = value();
                used = 2;
            }
            "-e" => o.set_errcode = true,
            "--verbose" => o.verbose = true,
            "-2" | "--resp2" => o.resp2 = true,
            // The long forms are ours; redis-cli 7.0 has only -2 and -3.
            "-3" | "--resp3" => o.resp3 = Resp3::Explicit,
            "--show-pushes" if has_value => {
                let v = value();
                match v.first().map(u8::to_ascii_lowercase) {
                    Some(b'n') => o.show_pushes = false,
                    Some(b'y') => o.show_pushes = true,
                    _ => eprintln!(
                        "Unknown --show-pushes value '{}' (valid: '[y]es', '[n]o')",
                        lossy(&v)
                    ),
                }
                used = 2;
            }
            "--cluster" if has_value => {
                if cluster.is_some() {
                    return Ok(Parsed::UsageError);
                }
                // The subcommand, then its words up to the next option.
                let name = lossy(&value());
                let mut end = i + 2;
                while end < argv.len() && argv[end].first() != Some(&b'-') {
                    end += 1;
                }
                cluster = Some(ClusterRequest {
                    subcommand: name,
                    args: argv[i + 2..end].to_vec(),
                });
                used = end - i;
            }
            "--cluster" => return Ok(Parsed::UsageError),
            f if f.starts_with("--cluster-") => match o.cluster.set(f, &argv[i + 1..]) {
                Some(n) => used = n,
                None => return Err(ArgsError::Unrecognized(lossy(arg))),
            },
            f if UNSUPPORTED_FLAGS.contains(&f) => {
                unsupported.get_or_insert_with(|| f.to_owned());
            }
            f if UNSUPPORTED_WITH_VALUE.contains(&f) && has_value => {
                unsupported.get_or_insert_with(|| f.to_owned());
                used = 2;
            }
            f if IGNORED_WITH_VALUE.contains(&f) && has_value => used = 2,
            _ => {
                if let (Some(request), false) = (cluster.as_mut(), arg.starts_with(b"-")) {
                    // Words after the cluster options belong to the
                    // subcommand when it has none yet.
                    if request.args.is_empty() {
                        let mut end = i + 1;
                        while end < argv.len() && argv[end].first() != Some(&b'-') {
                            end += 1;
                        }
                        request.args = argv[i..end].to_vec();
                        used = end - i;
                    }
                } else if arg.starts_with(b"-") {
                    return Err(ArgsError::Unrecognized(lossy(arg)));
                } else {
                    break;
                }
            }
        }
        i += used;
    }

    if o.socket.is_some() && o.cluster_mode {
        return Err(ArgsError::ClusterWithSocket);
    }
    if o.resp2 && o.resp3 == Resp3::Explicit {
        return Err(ArgsError::Resp2WithResp3);
    }
    if o.stdin_last_arg && o.stdin_tag.is_some() {
        return Err(ArgsError::StdinTwice);
    }
    if o.resp2 {
        o.resp3 = Resp3::Off;
    }
    o.mode = match (cluster, unsupported) {
        (Some(request), _) => Mode::Cluster(request),
        (None, Some(flag)) => Mode::Unsupported(flag),
        (None, None) => Mode::Normal,
    };
    let command = argv[i.min(argv.len())..].to_vec();
    Ok(Parsed::Run {
        options: Box::new(o),
        command,
    })
}

/// The `--help` text.
pub fn usage() -> String {
    format!(
        "{version}

Usage: shoal-cli [OPTIONS] [cmd [arg [arg ...]]]
Options must come before the command; the first word that is not an option
starts it.

Connection:
  -h <hostname>      Server host (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Unix socket path; replaces host and port.
  -a <password>      Password to send with AUTH on connecting. The
                     SHOALCLI_AUTH (or REDISCLI_AUTH) environment variable
                     does the same without showing it in the process list;
                     -a wins when both are set.
  --pass <password>  Same as -a.
  --user <username>  User name for AUTH; use with -a.
  -u, --uri <uri>    redis://[[user:]password@]host[:port][/db] in one go.
  -n <db>            Database number to select.
  -2, --resp2        Speak RESP2 (the default).
  -3, --resp3        Speak RESP3 (sends HELLO 3 on connecting).
  -c                 Cluster mode: follow -MOVED and -ASK redirections.
  --no-auth-warning  Do not warn about a password given on the command line.

Running commands:
  -r <repeat>        Run the command this many times (negative: forever).
  -i <interval>      Seconds to wait between repetitions; fractions allowed
                     (-i 0.1).
  -x                 Append everything read from stdin as the last argument.
  -X <tag>           Replace the argument equal to <tag> with everything
                     read from stdin.
  --quoted-input     Read each argument as a quoted string (\"a\\x00b\").
  -e                 Exit with code 1 when the command replies with an error.

Output:
  --raw              Values only, one per line (the default when stdout is
                     not a terminal).
  --no-raw           Numbered, quoted, typed replies even when stdout is
                     not a terminal.
  --csv              Comma-separated values.
  --json             JSON (asks for RESP3 unless -2 is given).
  --quoted-json      JSON with ASCII-only, C-escaped strings.
  -d <delimiter>     Raw mode: text between the elements of a reply
                     (default: \\n).
  -D <delimiter>     Raw mode: text after each reply (default: \\n).
  --show-pushes <yn> Print RESP3 push messages: yes or no (default: yes on
                     a terminal).
  --verbose          More detail.

Cluster manager:
  --cluster <command> [args...] [opts...]
                     Cluster management (create, check, info, fix, reshard,
                     rebalance, add-node, del-node, call, set-timeout, map).
                     Not implemented yet.

Other:
  --help             Show this text and exit.
  --version          Show the version and exit.

Not available yet (refused with a message): --stat, --latency,
--latency-history, --latency-dist, --lru-test, --replica, --rdb,
--functions-rdb, --pipe, --bigkeys, --memkeys, --hotkeys, --scan, --eval,
--ldb, --askpass, --intrinsic-latency and TLS.

Examples:
  shoal-cli -p 7000 set greeting hello
  cat notes.txt | shoal-cli -x set notes
  shoal-cli -r 100 lpush mylist x
  shoal-cli -r 10 -i 1 info memory | grep used_memory_human:
  shoal-cli -c -p 7000 get user:1

Without a command, shoal-cli starts an interactive session (type \"help\"
there for command help).
",
        version = crate::VERSION_LINE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        std::iter::once("shoal-cli")
            .chain(line.split_whitespace())
            .map(|s| s.as_bytes().to_vec())
            .collect()
    }

    fn run(line: &str) -> (Box<Options>, Vec<String>) {
        match parse(&argv(line), true).unwrap() {
            Parsed::Run { options, command } => {
                (options, command.iter().map(|a| lossy(a)).collect())
            }
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn options_stop_at_the_first_word() {
        let (o, cmd) = run("-h 10.0.0.1 -p 7000 -n 2 set k -v");
        assert_eq!(o.host, "10.0.0.1");
        assert_eq!(o.port, 7000);
        assert_eq!(o.db, 2);
        assert_eq!(cmd, ["set", "k", "-v"]);
        let (o, cmd) = run("");
        assert_eq!(*o, Options::new(true));
        assert!(cmd.is_empty());
    }

    #[test]
    fn later_options_override_earlier_ones() {
        let (o, _) = run("-p 1 -p 2 --raw --no-raw");
        assert_eq!(o.port, 2);
        assert_eq!(o.output, OutputMode::Standard);
    }

    #[test]
    fn h_at_the_end_asks_for_help() {
        assert_eq!(parse(&argv("-p 7000 -h"), true).unwrap(), Parsed::Help);
        assert_eq!(parse(&argv("--help"), true).unwrap(), Parsed::Help);
        assert_eq!(parse(&argv("--version"), true).unwrap(), Parsed::Version);
        assert_eq!(parse(&argv("-v"), true).unwrap(), Parsed::Version);
    }

    #[test]
    fn unknown_options_and_missing_values_are_refused() {
        let err = parse(&argv("--bogus get k"), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unrecognized option or bad number of args for: '--bogus'"
        );
        let err = parse(&argv("-p"), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unrecognized option or bad number of args for: '-p'"
        );
        assert_eq!(
            parse(&argv("-2 -3"), true).unwrap_err(),
            ArgsError::Resp2WithResp3
        );
        assert_eq!(
            parse(&argv("-c -s /tmp/s"), true).unwrap_err(),
            ArgsError::ClusterWithSocket
        );
        assert_eq!(
            parse(&argv("-x -X t"), true).unwrap_err(),
            ArgsError::StdinTwice
        );
    }

    #[test]
    fn output_defaults_follow_the_terminal() {
        match parse(&argv("ping"), false).unwrap() {
            Parsed::Run { options, .. } => {
                assert_eq!(options.output, OutputMode::Raw);
                assert!(!options.show_pushes);
            }
            other => panic!("{other:?}"),
        }
        let (o, _) = run("--show-pushes no --csv");
        assert!(!o.show_pushes);
        assert_eq!(o.output, OutputMode::Csv);
    }

    #[test]
    fn long_aliases_are_accepted() {
        assert_eq!(run("--resp3").0.resp3, Resp3::Explicit);
        assert_eq!(run("--uri redis://h:1").0.port, 1);
    }

    #[test]
    fn json_implies_resp3_unless_resp2_is_asked() {
        assert_eq!(run("--json").0.resp3, Resp3::Implicit);
        assert_eq!(run("-3 --json").0.resp3, Resp3::Explicit);
        assert_eq!(run("-2 --json").0.resp3, Resp3::Off);
    }

    #[test]
    fn uri_sets_connection_parts() {
        let (o, _) = run("-u redis://u:p@h.example:7002/4 -e -c -r 3 -i 0.25");
        assert_eq!(o.user.as_deref(), Some(&b"u"[..]));
        assert_eq!(o.password.as_deref(), Some(&b"p"[..]));
        assert_eq!((o.host.as_str(), o.port, o.db), ("h.example", 7002, 4));
        assert!(o.set_errcode && o.cluster_mode);
        assert_eq!(o.repeat, 3);
        assert_eq!(o.interval, Duration::from_millis(250));
        assert!(parse(&argv("-u http://x"), true).is_err());
    }

    #[test]
    fn cluster_subcommands_take_words_up_to_the_next_option() {
        let (o, cmd) =
            run("--cluster create 127.0.0.1:1 127.0.0.1:2 --cluster-replicas 1 --cluster-yes");
        assert!(cmd.is_empty());
        match o.mode {
            Mode::Cluster(request) => {
                assert_eq!(request.subcommand, "create");
                assert_eq!(
                    request.args,
                    [b"127.0.0.1:1".to_vec(), b"127.0.0.1:2".to_vec()]
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(o.cluster.replicas, 1);
        assert!(o.cluster.yes);
        assert_eq!(parse(&argv("--cluster"), true).unwrap(), Parsed::UsageError);
    }

    #[test]
    fn modes_not_yet_written_are_named() {
        assert_eq!(run("--stat").0.mode, Mode::Unsupported("--stat".into()));
        assert_eq!(
            run("--eval x.lua k").0.mode,
            Mode::Unsupported("--eval".into())
        );
        assert_eq!(
            run("--scan --pattern a*").0.mode,
            Mode::Unsupported("--scan".into())
        );
    }

    #[test]
    fn atof_reads_a_leading_number() {
        assert_eq!(atof(b"0.1"), 0.1);
        assert_eq!(atof(b"2s"), 2.0);
        assert_eq!(atof(b"x"), 0.0);
    }
}
