//! Reading configuration text: redis.conf files, stdin and command-line options.
//!
//! The text is read line by line, as Redis does: surrounding blanks trimmed, `#` lines and
//! blank lines skipped, words split by [`crate::split_args`], directive names compared
//! case-insensitively. A directive read twice keeps its last value, except `save` (the
//! first `save` line replaces the defaults, later ones add points), and the file-only
//! directives `include`, `rename-command`, `user`, `loadmodule`, which all take effect.
//! A multi-word directive given as one quoted word (`--save "900 1 300 10"`) is split again.
//!
//! The first bad line stops everything with a [`LoadError`] whose text has the shape of
//! Redis's fatal config error; the binary prints it on stderr and exits with status 1.

use crate::args::{split_args, until_nul};
use crate::cmdline::CommandLine;
use crate::config::{Config, Origin};
use crate::host::Host;
use crate::table::{index_of, lookup, DEPRECATED_DIRECTIVES};
use crate::value::Value;

/// Includes deeper than this are refused; Redis would recurse until its stack overflows.
const MAX_INCLUDE_DEPTH: usize = 64;

/// Why the configuration could not be loaded. Nothing was started; the caller exits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    /// A line was refused.
    #[error("Reading the configuration file, at line {line}\n>>> '{}'\n{reason}", String::from_utf8_lossy(.text))]
    Line {
        /// 1-based line number within the text being read (the included file's own
        /// numbering for a line of an included file).
        line: usize,
        /// The line, trimmed.
        text: Vec<u8>,
        /// Redis's message, e.g. `Bad directive or wrong number of arguments`.
        reason: String,
    },
    /// A check made after the last line failed; there is no line to show.
    #[error("{reason}")]
    Config {
        /// Redis's message, e.g. `replicaof directive not allowed in cluster mode`.
        reason: String,
    },
    /// The config file (or an included one) could not be read.
    #[error("Fatal error, can't open config file '{}': {reason}", String::from_utf8_lossy(.path))]
    CantOpen {
        /// The path as written.
        path: Vec<u8>,
        /// The OS reason, e.g. `No such file or directory`.
        reason: String,
    },
}

impl LoadError {
    /// The exact text to write, with `product` (such as `Shoal 0.1.0`) where Redis writes
    /// `Redis 7.0.15`.
    ///
    /// For [`LoadError::Line`] and [`LoadError::Config`] this is the stderr block Redis
    /// prints (leading blank line, banner, details, trailing newline). For
    /// [`LoadError::CantOpen`] Redis writes one warning through its logger instead, so
    /// this is that message alone, for the server's log line.
    pub fn report(&self, product: &str) -> String {
        match self {
            LoadError::CantOpen { .. } => self.to_string(),
            _ => format!("\n*** FATAL CONFIG FILE ERROR ({product}) ***\n{self}\n"),
        }
    }
}

/// The product string for [`LoadError::report`]: `Shoal <version>`.
pub fn product_banner() -> String {
    format!("Shoal {}", env!("CARGO_PKG_VERSION"))
}

/// Loads a configuration the way redis-server does at startup: the config file (if any),
/// then standard input (if asked), then the command-line options, read as one text.
pub fn load(cmdline: &CommandLine, host: &mut dyn Host) -> Result<Config, LoadError> {
    let mut config = Config::new();
    let mut text = Vec::new();
    if let Some(path) = &cmdline.config_file {
        text = host
            .read_config_file(path)
            .map_err(|reason| LoadError::CantOpen {
                path: path.clone(),
                reason,
            })?;
        config.config_file = Some(path.clone());
    }
    if cmdline.config_from_stdin {
        let stdin = host.read_stdin().map_err(|reason| LoadError::CantOpen {
            path: b"-".to_vec(),
            reason,
        })?;
        text.extend_from_slice(&stdin);
    }
    // Options always start on a fresh line, so their line numbers continue the file's.
    text.push(b'\n');
    text.extend_from_slice(&cmdline.options);
    config.load_text(&text, host)?;
    Ok(config)
}

fn trim(line: &[u8]) -> &[u8] {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let start = line.iter().position(|b| !blank(b)).unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |e| e + 1);
    &line[start..end]
}

impl Config {
    /// Reads one configuration text on top of the current values, as if it were a
    /// redis.conf file: `include` is followed through `host`, then the end-of-file checks
    /// run (log file, `replicaof` with cluster mode, `hz` range).
    pub fn load_text(&mut self, text: &[u8], host: &mut dyn Host) -> Result<(), LoadError> {
        self.load_text_at_depth(text, host, 0)
    }

    fn load_text_at_depth(
        &mut self,
        text: &[u8],
        host: &mut dyn Host,
        depth: usize,
    ) -> Result<(), LoadError> {
        // C reads the text as a string, so it ends at the first NUL.
        for (i, raw) in until_nul(text).split(|b| *b == b'\n').enumerate() {
            let line = trim(raw);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            let fail = |reason: String| LoadError::Line {
                line: i + 1,
                text: line.to_vec(),
                reason,
            };
            let Some(words) = split_args(line) else {
                return Err(fail("Unbalanced quotes in configuration line".into()));
            };
            if words.is_empty() {
                continue;
            }
            self.load_line(&words, host, depth).map_err(|e| match e {
                LineError::Reason(reason) => fail(reason),
                LineError::Nested(err) => err,
            })?;
        }
        self.check_after_load(host)
    }

    fn load_line(
        &mut self,
        words: &[Vec<u8>],
        host: &mut dyn Host,
        depth: usize,
    ) -> Result<(), LineError> {
        let name = words[0].to_ascii_lowercase();
        let argc = words.len();
        if let Some(found) = lookup(&name) {
            let d = found.directive();
            if !d.is_multi_arg() && argc != 2 {
                return Err(LineError::Reason("wrong number of arguments".into()));
            }
            // `--save "900 1 300 10"` arrives as one word: split it again.
            let resplit;
            let values: Vec<&[u8]> = if d.is_multi_arg() && argc == 2 && !words[1].is_empty() {
                resplit = split_args(&words[1]).unwrap_or_default();
                resplit.iter().map(Vec::as_slice).collect()
            } else {
                words[1..].iter().map(Vec::as_slice).collect()
            };
            self.set_directive(found.index, &values, Origin::File, host)
                .map_err(|e| LineError::Reason(e.into_owned()))?;
            return Ok(());
        }
        if argc == 2
            && DEPRECATED_DIRECTIVES
                .iter()
                .any(|d| d.as_bytes() == name.as_slice())
        {
            return Ok(());
        }
        match name.as_slice() {
            b"include" if argc == 2 => {
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(LineError::Reason("include nesting too deep".into()));
                }
                let text = host.read_config_file(&words[1]).map_err(|reason| {
                    LineError::Nested(LoadError::CantOpen {
                        path: words[1].clone(),
                        reason,
                    })
                })?;
                self.load_text_at_depth(&text, host, depth + 1)
                    .map_err(LineError::Nested)
            }
            b"rename-command" if argc == 3 => {
                host.rename_command(&words[1], &words[2])
                    .map_err(LineError::Reason)?;
                self.renamed_commands
                    .push((words[1].clone(), words[2].clone()));
                Ok(())
            }
            b"user" if argc >= 2 => {
                self.users.push(words[1..].to_vec());
                Ok(())
            }
            b"loadmodule" if argc >= 2 => {
                self.modules.push(words[1..].to_vec());
                Ok(())
            }
            _ if name.contains(&b'.') => {
                if argc < 2 {
                    return Err(LineError::Reason(
                        "Module config specified without value".into(),
                    ));
                }
                let value = words[1..].join(&b' ');
                match self.module_configs.iter_mut().find(|(n, _)| *n == name) {
                    Some(entry) => entry.1 = value,
                    None => self.module_configs.push((name, value)),
                }
                Ok(())
            }
            // A bare `sentinel` line only selects sentinel mode, which redis-server
            // decides from its arguments; with arguments it configures sentinel.
            b"sentinel" if argc == 1 => Ok(()),
            b"sentinel" => Err(LineError::Reason(
                "sentinel directive while not in sentinel mode".into(),
            )),
            _ => Err(LineError::Reason(
                "Bad directive or wrong number of arguments".into(),
            )),
        }
    }

    /// Checks Redis makes once a text has been read.
    fn check_after_load(&mut self, host: &mut dyn Host) -> Result<(), LoadError> {
        let logfile = self.format(index_of("logfile"));
        if !logfile.is_empty() {
            host.check_logfile(&logfile)
                .map_err(|reason| LoadError::Config {
                    reason: format!("Can't open the log file: {reason}"),
                })?;
        }
        let cluster = self.values[index_of("cluster-enabled")] == Value::Bool(true);
        let replica = self.values[index_of("replicaof")] != Value::ReplicaOf(None);
        if cluster && replica {
            return Err(LoadError::Config {
                reason: "replicaof directive not allowed in cluster mode".into(),
            });
        }
        self.clamp_hz();
        Ok(())
    }
}

/// A line's failure: a message to attach to this line, or an error from an included file
/// that already carries its own position.
enum LineError {
    Reason(String),
    Nested(LoadError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmdline::{parse_command_line, Invocation};
    use crate::host::MemoryHost;

    fn load_str(text: &str) -> Result<Config, LoadError> {
        let mut c = Config::new();
        c.load_text(text.as_bytes(), &mut MemoryHost::new())?;
        Ok(c)
    }

    fn v(c: &Config, name: &str) -> String {
        String::from_utf8(c.get(name).unwrap()).unwrap()
    }

    fn line_error(text: &str) -> (usize, String, String) {
        match load_str(text).unwrap_err() {
            LoadError::Line { line, text, reason } => {
                (line, String::from_utf8(text).unwrap(), reason)
            }
            other => panic!("not a line error: {other:?}"),
        }
    }

    #[test]
    fn comments_blank_lines_and_case() {
        let c = load_str("# a comment\n\n   \n  PORT 7000  \r\n\tMaxMemory 1GB\n").unwrap();
        assert_eq!(v(&c, "port"), "7000");
        assert_eq!(v(&c, "maxmemory"), "1073741824");
    }

    #[test]
    fn quotes_escapes_and_aliases() {
        let c = load_str("requirepass \"p a\\x41ss\"\nslaveof 10.0.0.1 6380\nslave-priority 50\nhash-max-ziplist-entries 7\n")
            .unwrap();
        assert_eq!(v(&c, "requirepass"), "p aAss");
        assert_eq!(v(&c, "replicaof"), "10.0.0.1 6380");
        assert_eq!(v(&c, "replica-priority"), "50");
        assert_eq!(v(&c, "hash-max-listpack-entries"), "7");
    }

    #[test]
    fn last_value_wins_but_save_lines_accumulate() {
        let c = load_str("port 1\nport 2\nsave 900 1\nsave 300 10\n").unwrap();
        assert_eq!(v(&c, "port"), "2");
        assert_eq!(v(&c, "save"), "900 1 300 10");
        let c = load_str("save 900 1\nsave \"\"\n").unwrap();
        assert_eq!(v(&c, "save"), "");
        let c = load_str("save \"\"\nsave 60 5\n").unwrap();
        assert_eq!(v(&c, "save"), "60 5");
        let c = load_str("port 1\n").unwrap();
        assert_eq!(
            v(&c, "save"),
            "3600 1 300 100 60 10000",
            "no save line keeps the defaults"
        );
    }

    #[test]
    fn multi_word_value_in_one_quoted_word_is_split_again() {
        let c = load_str("save \"900 1 300 10\"\nbind \"127.0.0.1 ::1\"\n").unwrap();
        assert_eq!(v(&c, "save"), "900 1 300 10");
        assert_eq!(v(&c, "bind"), "127.0.0.1 ::1");
        // A single-word directive keeps the spaces and then fails to parse.
        assert_eq!(
            line_error("port \"1 2\"").2,
            "argument couldn't be parsed into an integer"
        );
    }

    #[test]
    fn bad_lines_report_line_text_and_reason() {
        assert_eq!(
            line_error("port 1\nfoo bar\n"),
            (
                2,
                "foo bar".into(),
                "Bad directive or wrong number of arguments".into()
            )
        );
        assert_eq!(
            line_error("port 1 2"),
            (1, "port 1 2".into(), "wrong number of arguments".into())
        );
        assert_eq!(
            line_error("loglevel"),
            (1, "loglevel".into(), "wrong number of arguments".into())
        );
        assert_eq!(line_error("  foo \"bar  ").1, "foo \"bar");
        assert_eq!(
            line_error("foo \"bar").2,
            "Unbalanced quotes in configuration line"
        );
        assert_eq!(
            line_error("requirepass \"a\"b").2,
            "Unbalanced quotes in configuration line"
        );
        assert_eq!(
            line_error("daemonize maybe").2,
            "argument must be 'yes' or 'no'"
        );
        assert_eq!(
            line_error("maxmemory 1zb").2,
            "argument must be a memory value"
        );
        assert_eq!(line_error("save abc").2, "Invalid save parameters");
        assert_eq!(
            line_error("rename-command foo").2,
            "Bad directive or wrong number of arguments"
        );
        assert_eq!(
            line_error("sentinel monitor x").2,
            "sentinel directive while not in sentinel mode"
        );
        assert_eq!(
            line_error("mymod.opt").2,
            "Module config specified without value"
        );
        assert_eq!(
            line_error("list-max-ziplist-entries").2,
            "Bad directive or wrong number of arguments"
        );
        assert_eq!(
            line_error("maxmemory-policy x").2,
            "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, \
             volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"
        );
    }

    #[test]
    fn report_has_redis_shape() {
        let err = load_str("port 1\nfoo bar\n").unwrap_err();
        assert_eq!(
            err.report("Shoal 0.1.0"),
            "\n*** FATAL CONFIG FILE ERROR (Shoal 0.1.0) ***\nReading the configuration file, at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments\n"
        );
        let err = load_str("cluster-enabled yes\nreplicaof 127.0.0.1 1\n").unwrap_err();
        assert_eq!(
            err.report("Shoal 0.1.0"),
            "\n*** FATAL CONFIG FILE ERROR (Shoal 0.1.0) ***\nreplicaof directive not allowed in cluster mode\n"
        );
    }

    #[test]
    fn deprecated_and_file_only_directives_are_accepted() {
        let c = load_str(
            "lua-replicate-commands yes\nlist-max-ziplist-entries 5\nsentinel\n\
             rename-command DEBUG \"\"\nuser alice on >pw ~* +@all\nloadmodule /x.so a b\n\
             MyMod.Opt 1 2\nmymod.opt 3\n",
        )
        .unwrap();
        assert_eq!(c.renamed_commands(), [(b"DEBUG".to_vec(), Vec::new())]);
        assert_eq!(c.users().len(), 1);
        assert_eq!(c.users()[0][0], b"alice");
        assert_eq!(
            c.modules(),
            [vec![b"/x.so".to_vec(), b"a".to_vec(), b"b".to_vec()]]
        );
        assert_eq!(c.module_configs(), [(b"mymod.opt".to_vec(), b"3".to_vec())]);
        let kept: Vec<String> = c
            .kept_directives_in_use()
            .into_iter()
            .map(|k| k.name)
            .collect();
        assert_eq!(kept, ["rename-command", "user", "loadmodule", "mymod.opt"]);
    }

    #[test]
    fn rename_command_errors_come_from_the_host() {
        let mut host = MemoryHost {
            commands: vec![b"get".to_vec()],
            ..MemoryHost::new()
        };
        let mut c = Config::new();
        let err = c
            .load_text(b"port 1\nrename-command nosuch x\n", &mut host)
            .unwrap_err();
        assert_eq!(
            err,
            LoadError::Line {
                line: 2,
                text: b"rename-command nosuch x".to_vec(),
                reason: "No such command in rename-command".into()
            }
        );
        c.load_text(b"rename-command GET fetch\n", &mut host)
            .unwrap();
        assert_eq!(host.renames, [(b"GET".to_vec(), b"fetch".to_vec())]);
    }

    #[test]
    fn include_reads_in_place_and_reports_its_own_lines() {
        let mut host = MemoryHost::new()
            .with_file("/etc/a.conf", "port 1\ninclude /etc/b.conf\nhz 7\n")
            .with_file("/etc/b.conf", "hz 5\nport 2\n")
            .with_file("/etc/bad.conf", "hz 5\nfoo \"bar\n");
        let cmd = match parse_command_line(&["/etc/a.conf"]) {
            Invocation::Run(c) => c,
            other => panic!("{other:?}"),
        };
        let c = load(&cmd, &mut host).unwrap();
        assert_eq!(v(&c, "port"), "2");
        assert_eq!(v(&c, "hz"), "7");
        assert_eq!(c.config_file(), Some(&b"/etc/a.conf"[..]));

        let mut c = Config::new();
        let err = c
            .load_text(b"port 1\ninclude /etc/bad.conf\n", &mut host)
            .unwrap_err();
        assert_eq!(
            err,
            LoadError::Line {
                line: 2,
                text: b"foo \"bar".to_vec(),
                reason: "Unbalanced quotes in configuration line".into()
            }
        );
        let err = c.load_text(b"include /nonexist\n", &mut host).unwrap_err();
        assert_eq!(
            err.report("x"),
            "Fatal error, can't open config file '/nonexist': No such file or directory"
        );
    }

    #[test]
    fn include_glob_may_match_nothing() {
        let mut host = MemoryHost::new()
            .with_file("/conf.d/1.conf", "port 11\n")
            .with_file("/conf.d/2.conf", "hz 22\n");
        let mut c = Config::new();
        c.load_text(b"include /conf.d/*.conf\ninclude /none/*.conf\n", &mut host)
            .unwrap();
        assert_eq!(v(&c, "port"), "11");
        assert_eq!(v(&c, "hz"), "22");
    }

    #[test]
    fn include_loops_are_stopped() {
        let mut host = MemoryHost::new().with_file("/a", "include /a\n");
        let mut c = Config::new();
        let err = c.load_text(b"include /a\n", &mut host).unwrap_err();
        assert!(
            matches!(err, LoadError::Line { ref reason, .. } if reason == "include nesting too deep"),
            "{err:?}"
        );
    }

    #[test]
    fn dir_and_logfile_go_through_the_host() {
        let mut host = MemoryHost {
            dirs: vec![b"/data".to_vec()],
            ..MemoryHost::new()
        };
        let mut c = Config::new();
        c.load_text(b"dir /data\n", &mut host).unwrap();
        assert_eq!(v(&c, "dir"), "/data");
        let err = c
            .load_text(b"port 0\ndir /nonexistent\n", &mut host)
            .unwrap_err();
        assert_eq!(
            err,
            LoadError::Line {
                line: 2,
                text: b"dir /nonexistent".to_vec(),
                reason: "No such file or directory".into()
            }
        );
        host.unwritable_logfiles.push(b"/nonexistent/x".to_vec());
        let err = c
            .load_text(b"logfile /nonexistent/x\n", &mut host)
            .unwrap_err();
        assert_eq!(err.report("S"), "\n*** FATAL CONFIG FILE ERROR (S) ***\nCan't open the log file: No such file or directory\n");
    }

    #[test]
    fn hz_out_of_range_is_clamped_after_loading() {
        assert_eq!(v(&load_str("hz 0").unwrap(), "hz"), "1");
        assert_eq!(v(&load_str("hz 1000").unwrap(), "hz"), "500");
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = Config::new().load_text(&text, &mut MemoryHost::new());
        }

        #[test]
        fn arbitrary_directive_lines_never_panic(
            name in proptest::sample::select(crate::table::DIRECTIVES.iter().map(|d| d.name).collect::<Vec<_>>()),
            value in "[ -~]{0,30}",
        ) {
            let mut c = Config::new();
            let _ = c.load_text(format!("{name} {value}").as_bytes(), &mut MemoryHost::new());
            let mut host = MemoryHost::new();
            let mut ctx = crate::config::SetContext { client_is_local: true, loading: false, host: &mut host };
            let _ = c.config_set(&[(name.as_bytes(), value.as_bytes())], &mut ctx);
            // Whatever was accepted prints back to something that parses again.
            let printed = c.get(name).unwrap();
            let mut again = c.clone();
            let flags = crate::table::lookup(name.as_bytes()).unwrap().directive().flags;
            let settable = !flags.contains(crate::table::Flags::IMMUTABLE) && !flags.contains(crate::table::Flags::PROTECTED);
            if settable {
                let mut ctx = crate::config::SetContext { client_is_local: true, loading: false, host: &mut host };
                proptest::prop_assert!(again.config_set(&[(name.as_bytes(), &printed)], &mut ctx).is_ok(),
                    "{} {:?} did not parse back", name, String::from_utf8_lossy(&printed));
                proptest::prop_assert_eq!(again.get(name).unwrap(), printed);
            }
        }
    }

    #[test]
    fn text_stops_at_nul_like_a_c_string() {
        let mut c = Config::new();
        c.load_text(b"port 1\n\0port 2\n", &mut MemoryHost::new())
            .unwrap();
        assert_eq!(v(&c, "port"), "1");
    }
}
