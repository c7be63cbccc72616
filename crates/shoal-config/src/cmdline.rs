//! The redis-server command line: `shoal-server [configfile] [-] [--name value ...]`.
//!
//! As in Redis, options are not parsed here: they are turned into config lines appended
//! after the file (and stdin), so they go through exactly the same parser and errors.
//! `--port 7000` becomes the line `port "7000"`. A `--name` takes every following word
//! up to the next `--name` (`--save 900 1 300 10`); right after a bare `--name`, one word
//! is taken even if it starts with `--` (`--requirepass --secret`). `--save` with no value
//! means `save ""`. A lone `-` as the first or last argument reads config from stdin.
//!
//! `--version`/`-v`, `--help`/`-h`, `--test-memory` and `--check-system` are recognised
//! only as the first argument, and are left to the binary.

use crate::args::{quote, split_args};

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    /// `-v` / `--version`: print the version and exit 0.
    Version,
    /// `-h` / `--help`: print usage and exit 0.
    Help,
    /// `--test-memory <megabytes>`: run the memory test. `None` when the argument count is
    /// wrong; Redis then prints "Please specify the amount of memory to test in megabytes."
    /// and exits 1.
    TestMemory {
        /// The megabytes argument, as given.
        megabytes: Option<Vec<u8>>,
    },
    /// `--check-system`: run the system checks and exit.
    CheckSystem,
    /// Start the server with this configuration.
    Run(CommandLine),
}

/// Where the configuration comes from; feed it to [`crate::load`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandLine {
    /// The config file path as given (Redis makes it absolute for CONFIG REWRITE; the
    /// binary may do so before loading).
    pub config_file: Option<Vec<u8>>,
    /// Read more config from standard input, after the file.
    pub config_from_stdin: bool,
    /// The options as config lines, read after the file and stdin.
    pub options: Vec<u8>,
    /// `--sentinel` appeared anywhere: Redis would start as a Sentinel, which Shoal is not.
    /// The binary should refuse to start (as it should when called `redis-sentinel`).
    pub sentinel_mode: bool,
}

/// The config file path made absolute against `cwd`, as Redis records it (INFO's
/// `config_file`, the file CONFIG REWRITE writes): blanks trimmed, and leading `../`
/// folded into `cwd`. An absolute path is returned as it is.
pub fn absolute_config_path(cwd: &[u8], path: &[u8]) -> Vec<u8> {
    let blank = |b: &u8| matches!(b, b' ' | b'\r' | b'\n' | b'\t');
    let start = path.iter().position(|b| !blank(b)).unwrap_or(path.len());
    let end = path
        .iter()
        .rposition(|b| !blank(b))
        .map_or(start, |e| e + 1);
    let mut rel = &path[start..end];
    if rel.first() == Some(&b'/') {
        return rel.to_vec();
    }
    let mut abs = cwd.to_vec();
    if !abs.is_empty() && !abs.ends_with(b"/") {
        abs.push(b'/');
    }
    while rel.starts_with(b"../") {
        rel = &rel[3..];
        if abs.len() > 1 {
            // Drop the last directory of `abs`, keeping its leading slash.
            let cut = abs[..abs.len() - 1]
                .iter()
                .rposition(|b| *b == b'/')
                .map_or(0, |i| i + 1);
            abs.truncate(cut);
        }
    }
    abs.extend_from_slice(rel);
    abs
}

fn starts_with_double_dash(arg: &[u8]) -> bool {
    arg.starts_with(b"--")
}

/// Interprets the arguments after the program name.
pub fn parse_command_line<A: AsRef<[u8]>>(args: &[A]) -> Invocation {
    let args: Vec<&[u8]> = args.iter().map(AsRef::as_ref).collect();
    let mut cmd = CommandLine {
        sentinel_mode: args.contains(&&b"--sentinel"[..]),
        ..CommandLine::default()
    };
    let Some(first) = args.first() else {
        return Invocation::Run(cmd);
    };
    match *first {
        b"-v" | b"--version" => return Invocation::Version,
        b"-h" | b"--help" => return Invocation::Help,
        b"--test-memory" => {
            let megabytes = (args.len() == 2).then(|| args[1].to_vec());
            return Invocation::TestMemory { megabytes };
        }
        b"--check-system" => return Invocation::CheckSystem,
        _ => {}
    }
    let mut j = 0;
    if !first.starts_with(b"-") {
        cmd.config_file = Some(first.to_vec());
        j = 1;
    }
    let last = args.len() - 1;
    let options = &mut cmd.options;
    // Whether the previous `--name` already has its value(s); a bare `--name` takes the
    // next word whatever it looks like.
    let mut has_value = true;
    while j < args.len() {
        let arg = args[j];
        if arg == b"-" && (j == 0 || j == last) {
            cmd.config_from_stdin = true;
        } else if has_value && starts_with_double_dash(arg) {
            if !options.is_empty() {
                options.push(b'\n');
            }
            options.extend_from_slice(&arg[2..]);
            options.push(b' ');
            // "--port 7000" as a single argument carries its own value.
            let words = split_args(arg).map_or(0, |w| w.len());
            if words == 1 {
                has_value = false;
                let next_is_option = j != last && starts_with_double_dash(args[j + 1]);
                if arg.eq_ignore_ascii_case(b"--save") && (next_is_option || j == last) {
                    // `--save` followed by another option, or last: an empty save list.
                    options.extend_from_slice(b"\"\"");
                    has_value = j != last;
                } else if arg.eq_ignore_ascii_case(b"--sentinel") && next_is_option {
                    has_value = true;
                }
            } else {
                has_value = true;
            }
        } else {
            options.extend_from_slice(quote(arg).as_bytes());
            options.push(b' ');
            has_value = true;
        }
        j += 1;
    }
    Invocation::Run(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> CommandLine {
        match parse_command_line(args) {
            Invocation::Run(c) => c,
            other => panic!("{other:?}"),
        }
    }

    fn options(args: &[&str]) -> String {
        String::from_utf8(run(args).options).unwrap()
    }

    #[test]
    fn special_first_arguments() {
        assert_eq!(parse_command_line(&["-v"]), Invocation::Version);
        assert_eq!(parse_command_line(&["--version"]), Invocation::Version);
        assert_eq!(parse_command_line(&["-h"]), Invocation::Help);
        assert_eq!(parse_command_line(&["--help", "x"]), Invocation::Help);
        assert_eq!(
            parse_command_line(&["--test-memory", "64"]),
            Invocation::TestMemory {
                megabytes: Some(b"64".to_vec())
            }
        );
        assert_eq!(
            parse_command_line(&["--test-memory"]),
            Invocation::TestMemory { megabytes: None }
        );
        assert_eq!(
            parse_command_line(&["--check-system"]),
            Invocation::CheckSystem
        );
        // Only as the first argument.
        assert_eq!(
            options(&["--port", "1", "--version"]),
            "port \"1\" \nversion "
        );
    }

    #[test]
    fn options_become_config_lines() {
        assert_eq!(run(&[]), CommandLine::default());
        assert_eq!(options(&["--port", "7000"]), "port \"7000\" ");
        assert_eq!(
            options(&["--save", "", "--appendonly", "no"]),
            "save \"\" \nappendonly \"no\" "
        );
        assert_eq!(
            options(&["--save", "900", "1", "300", "10"]),
            "save \"900\" \"1\" \"300\" \"10\" "
        );
        assert_eq!(options(&["--port 7000"]), "port 7000 ");
        assert_eq!(
            options(&["--requirepass", "--secret"]),
            "requirepass \"--secret\" "
        );
    }

    #[test]
    fn save_without_value() {
        assert_eq!(options(&["--save"]), "save \"\"");
        assert_eq!(
            options(&["--save", "--port", "1"]),
            "save \"\"\nport \"1\" "
        );
        assert_eq!(
            options(&["--SAVE", "--port", "1"]),
            "SAVE \"\"\nport \"1\" "
        );
    }

    #[test]
    fn sentinel_pseudo_option() {
        assert_eq!(
            options(&["--sentinel", "--port", "1"]),
            "sentinel \nport \"1\" "
        );
        assert!(run(&["--port", "1", "--sentinel"]).sentinel_mode);
        assert!(!run(&["--port", "1"]).sentinel_mode);
    }

    #[test]
    fn config_path_is_made_absolute_like_redis() {
        let abs = |cwd: &str, p: &str| {
            String::from_utf8(absolute_config_path(cwd.as_bytes(), p.as_bytes())).unwrap()
        };
        assert_eq!(abs("/home/u", "redis.conf"), "/home/u/redis.conf");
        assert_eq!(abs("/home/u/", " redis.conf\n"), "/home/u/redis.conf");
        assert_eq!(abs("/home/u", "/etc/redis.conf"), "/etc/redis.conf");
        assert_eq!(abs("/home/u/x", "../../r.conf"), "/home/r.conf");
        assert_eq!(abs("/home", "../../../r.conf"), "/r.conf");
        assert_eq!(abs("/", "../r.conf"), "/r.conf");
        assert_eq!(abs("/a", "./b/../r.conf"), "/a/./b/../r.conf");
    }

    #[test]
    fn config_file_and_stdin() {
        let c = run(&["redis.conf", "--port", "1"]);
        assert_eq!(c.config_file.as_deref(), Some(&b"redis.conf"[..]));
        assert!(!c.config_from_stdin);
        let c = run(&["-", "--port", "1"]);
        assert!(c.config_from_stdin);
        assert_eq!(c.config_file, None);
        let c = run(&["--port", "1", "-"]);
        assert!(c.config_from_stdin);
        // A `-` in the middle is just a value.
        let c = run(&["--port", "1", "-", "--hz", "5"]);
        assert!(!c.config_from_stdin);
        assert_eq!(
            String::from_utf8(c.options).unwrap(),
            "port \"1\" \"-\" \nhz \"5\" "
        );
    }

    #[test]
    fn values_are_quoted_with_escapes() {
        assert_eq!(
            options(&["--requirepass", "a \"b\"\n"]),
            "requirepass \"a \\\"b\\\"\\n\" "
        );
    }
}
