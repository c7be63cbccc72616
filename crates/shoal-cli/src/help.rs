//! Command help for the interactive session: `help <command>`,
//! `help @<group>`, the argument hint shown after what is being typed, and
//! tab completion of command names.
//!
//! Everything comes from the server's `COMMAND DOCS` reply, read once per
//! session: each command (and subcommand, as `CLIENT LIST`) gets an entry
//! with its summary, version, group and an argument synopsis built from its
//! argument tree:
//!
//! ```text
//! key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
//! ```
//!
//! optional arguments in brackets, alternatives joined by `|`, repeatable
//! ones followed by `[... ...]`, tokens before their values. When the server
//! cannot be asked (not connected, or it has no `COMMAND DOCS`), the table
//! Shoal itself serves (`shoal-command-table`) stands in, so help works
//! offline.

use shoal_resp::frame::Frame;

/// One help topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The words that name it, uppercase: `["CLIENT", "LIST"]`, or
    /// `["@string"]` for a group.
    pub words: Vec<String>,
    /// The words joined by spaces.
    pub full: String,
    /// True for a group (`@string`), false for a command.
    pub is_group: bool,
    /// Argument synopsis (commands only).
    pub params: String,
    /// One-line summary.
    pub summary: String,
    /// Version that introduced it, when known.
    pub since: Option<String>,
    /// Its group, e.g. `string`.
    pub group: String,
}

/// The help topics of one server, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct HelpTable {
    entries: Vec<Entry>,
}

/// The pairs of a RESP3 map, or of a RESP2 flat array of alternating keys
/// and values.
fn pairs(frame: &Frame) -> Vec<(&Frame, &Frame)> {
    match frame {
        Frame::Map(pairs) => pairs.iter().map(|(k, v)| (k, v)).collect(),
        Frame::Array(items) => items.chunks_exact(2).map(|p| (&p[0], &p[1])).collect(),
        _ => Vec::new(),
    }
}

/// The text of a string-like frame.
fn text(frame: &Frame) -> Option<String> {
    match frame {
        Frame::Bulk(b) | Frame::Simple(b) | Frame::Verbatim { text: b, .. } => {
            Some(String::from_utf8_lossy(b).into_owned())
        }
        _ => None,
    }
}

/// Empty names and tokens are shown as `""`.
fn or_quotes(s: &str) -> &str {
    if s.is_empty() {
        "\"\""
    } else {
        s
    }
}

/// Appends the synopsis of one argument (a map of name, type, token,
/// flags and nested arguments) to `out`.
fn add_argument(out: &mut String, arg: &Frame) {
    let mut name = String::new();
    let mut kind = String::new();
    let mut token: Option<String> = None;
    let mut nested: Option<&Frame> = None;
    let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
    for (key, value) in pairs(arg) {
        match text(key).as_deref() {
            Some("name") => name = text(value).unwrap_or_default(),
            Some("type") => kind = text(value).unwrap_or_default(),
            Some("token") => token = text(value),
            Some("arguments") => nested = Some(value),
            Some("flags") => {
                if let Frame::Set(flags) | Frame::Array(flags) = value {
                    for flag in flags.iter().filter_map(text) {
                        match flag.as_str() {
                            "optional" => optional = true,
                            "multiple" => multiple = true,
                            "multiple_token" => multiple_token = true,
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let join = |separator: &str| {
        let mut joined = String::new();
        if let Some(Frame::Array(args)) = nested {
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    joined.push_str(separator);
                }
                add_argument(&mut joined, a);
            }
        }
        joined
    };
    let repeated = match kind.as_str() {
        "key" | "string" | "integer" | "double" | "pattern" | "unix-time" | "token" => {
            or_quotes(&name).to_owned()
        }
        "oneof" => join("|"),
        "block" => join(" "),
        _ => String::new(),
    };
    let mut token_part = token.as_deref().map(or_quotes).unwrap_or("").to_owned();
    if !token_part.is_empty() && kind != "pure-token" {
        token_part.push(' ');
    }
    if optional {
        out.push('[');
    }
    out.push_str(&token_part);
    out.push_str(&repeated);
    if multiple {
        out.push_str(" [");
        if multiple_token {
            out.push_str(&token_part);
        }
        out.push_str(&repeated);
        out.push_str(" ...]");
    }
    if optional {
        out.push(']');
    }
}

/// Builds the entry of `command` (and, through `sub`, a subcommand's) from
/// its docs map, then recurses into its subcommands.
fn add_command(entries: &mut Vec<Entry>, command: &str, sub: Option<&str>, docs: &Frame) {
    let mut words = vec![command.to_uppercase()];
    if let Some(sub) = sub {
        // Subcommands are named `parent|sub`.
        let name = sub.split_once('|').map_or(sub, |(_, s)| s);
        words.push(name.to_uppercase());
    }
    let mut entry = Entry {
        full: words.join(" "),
        words,
        is_group: false,
        params: String::new(),
        summary: String::new(),
        since: None,
        group: String::new(),
    };
    let mut subcommands = Vec::new();
    for (key, value) in pairs(docs) {
        match text(key).as_deref() {
            Some("summary") => entry.summary = text(value).unwrap_or_default(),
            Some("since") => entry.since = text(value),
            Some("group") => entry.group = text(value).unwrap_or_default(),
            Some("arguments") => {
                if let Frame::Array(args) = value {
                    for (i, a) in args.iter().enumerate() {
                        if i > 0 {
                            entry.params.push(' ');
                        }
                        add_argument(&mut entry.params, a);
                    }
                }
            }
            Some("subcommands") => {
                for (name, sub_docs) in pairs(value) {
                    if let Some(name) = text(name) {
                        subcommands.push((name, sub_docs));
                    }
                }
            }
            _ => {}
        }
    }
    entries.push(entry);
    for (name, sub_docs) in subcommands {
        add_command(entries, command, Some(&name), sub_docs);
    }
}

/// Converts a command-table value to the frame a server would send.
fn doc_frame(value: &shoal_command_table::DocValue) -> Frame {
    use shoal_command_table::DocValue;
    match value {
        DocValue::Str(s) => Frame::bulk(s),
        DocValue::Status(s) => Frame::simple(s),
        DocValue::Int(n) => Frame::Integer(*n),
        DocValue::Array(items) => Frame::Array(items.iter().map(doc_frame).collect()),
        DocValue::Set(items) => Frame::Set(items.iter().map(doc_frame).collect()),
        DocValue::Map(pairs) => Frame::Map(
            pairs
                .iter()
                .map(|(k, v)| (Frame::bulk(k), doc_frame(v)))
                .collect(),
        ),
        DocValue::Null => Frame::Null,
    }
}

impl HelpTable {
    /// Reads a `COMMAND DOCS` reply (RESP2 or RESP3). An error or any
    /// other shape gives `None`.
    pub fn from_command_docs(reply: &Frame) -> Option<HelpTable> {
        if !matches!(reply, Frame::Map(_) | Frame::Array(_)) {
            return None;
        }
        let mut entries = Vec::new();
        for (name, docs) in pairs(reply) {
            if let Some(name) = text(name) {
                add_command(&mut entries, &name, None, docs);
            }
        }
        let mut groups: Vec<String> = entries
            .iter()
            .filter(|e| !e.group.is_empty())
            .map(|e| e.group.clone())
            .collect();
        groups.sort();
        groups.dedup();
        entries.extend(groups.into_iter().map(|g| Entry {
            words: vec![format!("@{g}")],
            full: format!("@{g}"),
            is_group: true,
            params: String::new(),
            summary: String::new(),
            since: None,
            group: String::new(),
        }));
        entries.sort_by(|a, b| a.full.cmp(&b.full));
        Some(HelpTable { entries })
    }

    /// The help of the commands Shoal serves, for when no server answers.
    pub fn builtin() -> HelpTable {
        let docs = Frame::Map(
            shoal_command_table::all()
                .iter()
                .map(|spec| {
                    let docs = shoal_command_table::command_docs_reply(spec);
                    (Frame::bulk(spec.name), doc_frame(&docs))
                })
                .collect(),
        );
        HelpTable::from_command_docs(&docs).expect("a map is a docs reply")
    }

    /// All topics, sorted by name.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// `help <args>`: the pages of the commands whose names start with
    /// `args` (`help client` gives CLIENT and all its subcommands), or of
    /// every command of a group for `help @group`. The bytes are
    /// redis-cli's: bold name, grey synopsis, yellow labels, CRLF endings.
    pub fn render(&self, args: &[String]) -> String {
        let mut out = String::new();
        let group = args.first().and_then(|a| a.strip_prefix('@'));
        for entry in self.entries.iter().filter(|e| !e.is_group) {
            let shown = match group {
                Some(group) => entry.group.eq_ignore_ascii_case(group),
                None => {
                    args.len() <= entry.words.len()
                        && args
                            .iter()
                            .zip(&entry.words)
                            .all(|(a, w)| a.eq_ignore_ascii_case(w))
                }
            };
            if !shown {
                continue;
            }
            out.push_str(&format!(
                "\r\n  \x1b[1m{}\x1b[0m \x1b[90m{}\x1b[0m\r\n",
                entry.full, entry.params
            ));
            out.push_str(&format!("  \x1b[33msummary:\x1b[0m {}\r\n", entry.summary));
            if let Some(since) = &entry.since {
                out.push_str(&format!("  \x1b[33msince:\x1b[0m {since}\r\n"));
            }
            if group.is_none() {
                out.push_str(&format!("  \x1b[33mgroup:\x1b[0m {}\r\n", entry.group));
            }
        }
        out.push_str("\r\n");
        out
    }

    /// The argument hint for the line being typed: the synopsis of the
    /// longest command name the line starts with, less the arguments
    /// already typed (stopping at the first optional one), with a leading
    /// space unless the line ends in one. `None` when no command matches.
    pub fn hint(&self, line: &str) -> Option<String> {
        let typed = crate::split::split_args(line.as_bytes()).ok()?;
        if typed.is_empty() {
            return None;
        }
        let typed: Vec<String> = typed
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        let mut best: Option<&Entry> = None;
        for entry in self.entries.iter().filter(|e| !e.is_group) {
            let n = entry.words.len();
            let matches = n <= typed.len()
                && entry
                    .words
                    .iter()
                    .zip(&typed)
                    .all(|(w, t)| w.eq_ignore_ascii_case(t));
            if matches && best.is_none_or(|b| n > b.words.len()) {
                best = Some(entry);
            }
        }
        let entry = best?;
        let mut hint = entry.params.as_str();
        let mut to_skip = typed.len() - entry.words.len();
        while to_skip > 0 && !hint.is_empty() {
            if hint.starts_with('[') {
                break;
            }
            if hint.starts_with(' ') {
                to_skip -= 1;
            }
            hint = &hint[hint.chars().next().map_or(1, char::len_utf8)..];
        }
        let ends_in_space = line.ends_with(|c: char| c.is_ascii_whitespace());
        Some(if ends_in_space {
            hint.to_owned()
        } else {
            format!(" {hint}")
        })
    }

    /// Completions for the whole line: command names, or after `help `
    /// command and group names. Each candidate is the full new line.
    pub fn complete(&self, line: &str) -> Vec<String> {
        let (prefix, word, groups_too) = match line.get(..5) {
            Some(head) if head.eq_ignore_ascii_case("help ") => {
                let rest = &line[5..];
                let word = rest.trim_start();
                (&line[..line.len() - word.len()], word, true)
            }
            _ => ("", line, false),
        };
        self.entries
            .iter()
            .filter(|e| groups_too || !e.is_group)
            .filter(|e| {
                e.full.len() >= word.len()
                    && e.full.is_char_boundary(word.len())
                    && e.full[..word.len()].eq_ignore_ascii_case(word)
            })
            .map(|e| format!("{prefix}{}", e.full))
            .collect()
    }
}

/// The text of a bare `help`.
pub fn generic_help() -> String {
    format!(
        "{}
Type a command to send it to the server, e.g. set greeting hello
      \"help @<group>\" lists the commands of a group, e.g. help @string
      \"help <command>\" describes a command, e.g. help set
      \"help <tab>\" cycles through the help topics
      \"quit\" leaves

Preferences:
      \":set hints\" shows argument hints while you type (the default)
      \":set nohints\" hides them
Put them in ~/.shoalclirc to apply them at every start.
",
        crate::VERSION_LINE
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use shoal_resp::frame::decode;

    /// COMMAND DOCS GET ZADD as redis-server 7.0.15 sends it (RESP2), with
    /// the free texts (summaries, complexity, history) replaced by our own.
    fn sample() -> HelpTable {
        let wire: &[u8] = b"*4\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$18\r\nReads a string key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n$4\r\nzadd\r\n*12\r\n$7\r\nsummary\r\n$35\r\nAdds scored members to a sorted set\r\n$5\r\nsince\r\n$5\r\n1.2.0\r\n$5\r\ngroup\r\n$10\r\nsorted-set\r\n$10\r\ncomplexity\r\n$20\r\nO(log(N)) per member\r\n$7\r\nhistory\r\n*3\r\n*2\r\n$5\r\n2.4.0\r\n$13\r\nMany members.\r\n*2\r\n$5\r\n3.0.2\r\n$8\r\nOptions.\r\n*2\r\n$5\r\n6.2.0\r\n$13\r\nMore options.\r\n$9\r\narguments\r\n*6\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\nname\r\n$10\r\ncomparison\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n*6\r\n$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n*10\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nCH\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*10\r\n$4\r\nname\r\n$9\r\nincrement\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nINCR\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$12\r\nscore_member\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$5\r\nscore\r\n$4\r\ntype\r\n$6\r\ndouble\r\n*4\r\n$4\r\nname\r\n$6\r\nmember\r\n$4\r\ntype\r\n$6\r\nstring\r\n";
        let (frame, _) = decode(wire).unwrap().unwrap();
        HelpTable::from_command_docs(&frame).unwrap()
    }

    #[test]
    fn synopses_follow_the_argument_tree() {
        let table = sample();
        let names: Vec<&str> = table.entries().iter().map(|e| e.full.as_str()).collect();
        assert_eq!(names, ["@sorted-set", "@string", "GET", "ZADD"]);
        let zadd = &table.entries()[3];
        // The synopsis redis-cli 7.0.15 prints for `help zadd`.
        assert_eq!(
            zadd.params,
            "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"
        );
        assert_eq!(table.entries()[2].params, "key");
    }

    #[test]
    fn help_pages_use_redis_cli_bytes() {
        let table = sample();
        assert_eq!(
            table.render(&["get".into()]),
            "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Reads a string key\r\n  \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n"
        );
        let group = table.render(&["@STRING".into()]);
        assert!(
            group.contains("GET") && !group.contains("group:"),
            "{group:?}"
        );
        assert_eq!(table.render(&["nosuch".into()]), "\r\n");
    }

    #[test]
    fn hints_drop_typed_arguments_up_to_the_first_optional_one() {
        let table = sample();
        assert_eq!(table.hint("get").as_deref(), Some(" key"));
        assert_eq!(table.hint("GET ").as_deref(), Some("key"));
        assert_eq!(table.hint("get k").as_deref(), Some(" "));
        assert_eq!(
            table.hint("zadd key").as_deref(),
            Some(" [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]")
        );
        assert_eq!(
            table.hint("zadd key nx").as_deref(),
            Some(" [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]")
        );
        assert_eq!(table.hint("nosuch"), None);
        assert_eq!(table.hint("  "), None);
    }

    #[test]
    fn completion_offers_commands_and_after_help_groups() {
        let table = sample();
        assert_eq!(table.complete("g"), ["GET"]);
        assert_eq!(
            table.complete("help  @s"),
            ["help  @sorted-set", "help  @string"]
        );
        assert_eq!(table.complete("@s"), Vec::<String>::new());
    }

    #[test]
    fn the_builtin_table_covers_subcommands() {
        let table = HelpTable::builtin();
        let client_list = table.entries().iter().find(|e| e.full == "CLIENT LIST");
        assert!(
            client_list.is_some_and(|e| e.group == "connection"),
            "{client_list:?}"
        );
        assert!(table.hint("set k v").is_some());
    }
}
