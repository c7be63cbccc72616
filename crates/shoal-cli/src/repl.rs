//! The interactive loop.
//!
//! On a terminal, lines are read with rustyline: the prompt shows where the
//! session is (`127.0.0.1:7000[2](TX)> `, `not connected> `), the command's
//! argument synopsis is hinted in grey after what is typed, Tab completes
//! command names (and help topics after `help `), and history is kept in
//! `~/.shoalcli_history` (or `$SHOALCLI_HISTFILE`; `/dev/null` for none),
//! leaving out lines that carry passwords.
//!
//! When stdin is not a terminal, lines are read plainly, one command per
//! line, with no prompt and no history, as redis-cli does; the session is
//! still interactive (redirections are announced, lost connections are
//! retried).
//!
//! Lines handled here rather than sent: `quit`/`exit`, `clear`,
//! `connect <host> <port>`, `:set hints|nohints`, and a leading repeat
//! count (`5 incr n`). `help` is answered by the session.

use std::borrow::Cow;
use std::cell::RefCell;
use std::io::{BufRead, IsTerminal};
use std::rc::Rc;
use std::time::Instant;

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::{Hint, Hinter};
use rustyline::history::{DefaultHistory, History};
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, Helper};

use crate::format::OutputMode;
use crate::help::HelpTable;
use crate::prefs::{self, Prefs};
use crate::session::{print_bytes, Session};
use crate::split::split_args;

/// What the editor's helper reads: the help table and whether hints are on.
#[derive(Default)]
struct HintState {
    table: HelpTable,
    enabled: bool,
}

/// A hint that is only displayed: accepting it (right arrow) inserts
/// nothing, since it is a synopsis, not text to type.
struct SynopsisHint(String);

impl Hint for SynopsisHint {
    fn display(&self) -> &str {
        &self.0
    }
    fn completion(&self) -> Option<&str> {
        None
    }
}

/// rustyline's helper: hints and completion from the help table.
struct CliHelper {
    state: Rc<RefCell<HintState>>,
}

impl Hinter for CliHelper {
    type Hint = SynopsisHint;

    fn hint(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> Option<SynopsisHint> {
        let state = self.state.borrow();
        if !state.enabled || pos < line.len() {
            return None;
        }
        state.table.hint(line).map(SynopsisHint)
    }
}

impl Completer for CliHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        if pos < line.len() {
            return Ok((pos, Vec::new()));
        }
        // Candidates are whole lines: replace from the start.
        Ok((0, self.state.borrow().table.complete(line)))
    }
}

impl Highlighter for CliHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // Dark grey, as redis-cli shows its hints.
        Cow::Owned(format!("\x1b[0;90;49m{hint}\x1b[0m"))
    }
}

impl Validator for CliHelper {}
impl Helper for CliHelper {}

/// Lines not written to the history: they may carry passwords.
pub fn is_sensitive(args: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| crate::split::arg_is(args, i, word);
    let argc = args.len();
    if is(0, "auth") {
        return true;
    }
    if argc > 1 && is(0, "acl") && is(1, "setuser") {
        return true;
    }
    if argc > 2
        && is(0, "config")
        && is(1, "set")
        && (is(2, "masterauth") || is(2, "masteruser") || is(2, "requirepass"))
    {
        return true;
    }
    if argc > 4 && is(0, "hello") {
        // HELLO protover [AUTH user pass] [SETNAME name]
        let mut j = 2;
        while j < argc {
            let more = argc - 1 - j;
            if is(j, "auth") && more >= 2 {
                return true;
            } else if is(j, "setname") && more >= 1 {
                j += 2;
            } else {
                return false;
            }
        }
        return false;
    }
    if argc > 7 && is(0, "migrate") {
        // MIGRATE host port key db timeout [COPY] [REPLACE] [AUTH pw] [AUTH2 user pw] [KEYS ...]
        for j in 6..argc {
            let more = argc - 1 - j;
            if (is(j, "auth") && more >= 1) || (is(j, "auth2") && more >= 2) {
                return true;
            }
            if is(j, "keys") && more >= 1 {
                return false;
            }
        }
    }
    false
}

/// A source of lines: the line editor on a terminal, plain reads otherwise.
enum Input {
    Editor {
        editor: Box<Editor<CliHelper, DefaultHistory>>,
        history_file: Option<std::path::PathBuf>,
        hints: Rc<RefCell<HintState>>,
    },
    Plain(std::io::StdinLock<'static>),
}

/// A line read, or the end of input.
enum Read {
    Line(Vec<u8>),
    End,
}

impl Input {
    fn open() -> Input {
        if !std::io::stdin().is_terminal() {
            return Input::Plain(std::io::stdin().lock());
        }
        // Without bracketed paste, pasted lines arrive as typed ones: each
        // newline runs the line before it, as with redis-cli.
        let config = Config::builder()
            .bracketed_paste(false)
            .auto_add_history(false)
            .history_ignore_dups(true)
            .and_then(|b| b.max_history_size(100))
            .map(|b| b.build())
            .unwrap_or_default();
        let Ok(mut editor) = Editor::<CliHelper, DefaultHistory>::with_config(config) else {
            return Input::Plain(std::io::stdin().lock());
        };
        let hints = Rc::new(RefCell::new(HintState::default()));
        editor.set_helper(Some(CliHelper {
            state: hints.clone(),
        }));
        let history_file = prefs::dotfile("SHOALCLI_HISTFILE", ".shoalcli_history");
        if let Some(path) = &history_file {
            let _ = editor.load_history(path);
        }
        Input::Editor {
            editor: Box::new(editor),
            history_file,
            hints,
        }
    }

    fn read(&mut self, prompt: &str) -> Read {
        match self {
            Input::Plain(stdin) => {
                let mut line = Vec::new();
                match stdin.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => Read::End,
                    Ok(_) => {
                        if line.last() == Some(&b'\n') {
                            line.pop();
                        }
                        Read::Line(line)
                    }
                }
            }
            Input::Editor { editor, .. } => match editor.readline(prompt) {
                Ok(line) => Read::Line(line.into_bytes()),
                // Ctrl-C or Ctrl-D at the prompt ends the session, as in
                // redis-cli.
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => Read::End,
                Err(_) => Read::End,
            },
        }
    }

    fn remember(&mut self, line: &[u8]) {
        if let Input::Editor {
            editor,
            history_file,
            ..
        } = self
        {
            let _ = editor.add_history_entry(String::from_utf8_lossy(line));
            if let Some(path) = history_file {
                let _ = editor.history_mut().save(path);
            }
        }
    }

    fn clear_screen(&mut self) {
        match self {
            Input::Editor { editor, .. } => {
                let _ = editor.clear_screen();
            }
            Input::Plain(_) => print_bytes(b"\x1b[H\x1b[2J"),
        }
    }

    fn set_hints(&mut self, table: Option<&HelpTable>, enabled: bool) {
        if let Input::Editor { hints, .. } = self {
            let mut state = hints.borrow_mut();
            if let Some(table) = table {
                state.table = table.clone();
            }
            state.enabled = enabled;
        }
    }
}

/// Runs the interactive loop until end of input, `quit` or `exit`.
pub fn run(session: &mut Session) {
    session.set_interactive(true);
    let mut input = Input::open();
    let mut prefs = if matches!(input, Input::Editor { .. }) {
        Prefs::load()
    } else {
        Prefs::default()
    };
    if matches!(input, Input::Editor { .. }) {
        let table = session.help_table().clone();
        input.set_hints(Some(&table), prefs.hints);
    }
    loop {
        let prompt = session.prompt();
        let line = match input.read(&prompt) {
            Read::Line(line) => line,
            Read::End => return,
        };
        if line.is_empty() {
            continue;
        }
        let args = match split_args(&line) {
            Ok(args) => args,
            Err(_) => {
                print_bytes(b"Invalid argument(s)\n");
                input.remember(&line);
                continue;
            }
        };
        if args.is_empty() {
            continue;
        }
        // A leading number repeats the command: `5 incr counter`.
        let mut repeat = 1;
        let mut skip = 0;
        if args.len() > 1 {
            if let Some(n) = std::str::from_utf8(&args[0])
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
            {
                if n <= 0 {
                    print_bytes(b"Invalid shoal-cli repeat command option value.\n");
                    continue;
                }
                repeat = n;
                skip = 1;
            } else if looks_numeric(&args[0]) {
                print_bytes(b"Invalid shoal-cli repeat command option value.\n");
                continue;
            }
        }
        let command = &args[skip..];
        if !is_sensitive(command) {
            input.remember(&line);
        }
        let first = &args[0];
        if first.eq_ignore_ascii_case(b"quit") || first.eq_ignore_ascii_case(b"exit") {
            std::process::exit(0);
        } else if first.starts_with(b":") {
            let words: Vec<String> = args
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            if let Some(message) = prefs.apply(&words, false) {
                print_bytes(format!("{message}\n").as_bytes());
            }
            input.set_hints(None, prefs.hints);
        } else if args.len() == 3 && first.eq_ignore_ascii_case(b"connect") {
            let host = String::from_utf8_lossy(&args[1]).into_owned();
            let port = crate::uri::port_from(&args[2]);
            session.connect_to(host, port);
        } else if args.len() == 1 && first.eq_ignore_ascii_case(b"clear") {
            input.clear_screen();
        } else {
            let started = Instant::now();
            let _ = session.issue(command, repeat);
            let elapsed = started.elapsed();
            if elapsed.as_millis() >= 500 && session.options().output == OutputMode::Standard {
                print_bytes(format!("({:.2}s)\n", elapsed.as_secs_f64()).as_bytes());
            }
        }
        if session.help_is_stale() && matches!(input, Input::Editor { .. }) {
            let table = session.help_table().clone();
            input.set_hints(Some(&table), prefs.hints);
        }
    }
}

/// A word that strtol would read as a number overflowing a long: it is
/// still a repeat count, just an invalid one.
fn looks_numeric(word: &[u8]) -> bool {
    let digits = word
        .strip_prefix(b"-")
        .or_else(|| word.strip_prefix(b"+"))
        .unwrap_or(word);
    !digits.is_empty() && digits.iter().all(u8::is_ascii_digit)
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
    fn password_carrying_lines_stay_out_of_history() {
        assert!(is_sensitive(&words("AUTH secret")));
        assert!(is_sensitive(&words("acl setuser bob on >pw")));
        assert!(is_sensitive(&words("config set requirepass x")));
        assert!(is_sensitive(&words("hello 3 auth bob pw")));
        assert!(is_sensitive(&words("hello 3 setname n auth bob pw")));
        assert!(!is_sensitive(&words("hello 3 setname n")));
        assert!(is_sensitive(&words(
            "migrate h 1 \"\" 0 100 copy auth pw keys a"
        )));
        assert!(!is_sensitive(&words("migrate h 1 \"\" 0 100 keys auth pw")));
        assert!(!is_sensitive(&words("config set maxmemory 1")));
        assert!(!is_sensitive(&words("get auth")));
    }

    #[test]
    fn overflowing_counts_are_still_counts() {
        assert!(looks_numeric(b"99999999999999999999"));
        assert!(!looks_numeric(b"incr"));
    }
}
