//! Interactive preferences: `:set hints` / `:set nohints`, typed at the
//! prompt or read at start from `~/.shoalclirc` (or the file named by
//! `SHOALCLI_RCFILE`; `/dev/null` means none), one per line.
//!
//! Also the dotfile lookup shared with the history file.

use std::path::PathBuf;

/// The preferences in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefs {
    /// Show argument hints while typing.
    pub hints: bool,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs { hints: true }
    }
}

/// A dotfile's path: `$<env_override>` when set and not empty (`None` for
/// `/dev/null`), else `$HOME/<name>`, else `None`.
pub fn dotfile(env_override: &str, name: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env_override).filter(|p| !p.is_empty()) {
        return (path != "/dev/null").then(|| PathBuf::from(path));
    }
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    Some(PathBuf::from(home).join(name))
}

impl Prefs {
    /// Applies one `:`-command. Returns the message to print for an
    /// unknown one; `from_file` prefixes it with the file's name.
    pub fn apply(&mut self, args: &[String], from_file: bool) -> Option<String> {
        let origin = if from_file { ".shoalclirc: " } else { "" };
        match args {
            [set, what, ..] if set.eq_ignore_ascii_case(":set") => {
                if what.eq_ignore_ascii_case("hints") {
                    self.hints = true;
                } else if what.eq_ignore_ascii_case("nohints") {
                    self.hints = false;
                } else {
                    return Some(format!("{origin}unknown shoal-cli preference '{what}'"));
                }
                None
            }
            [first, ..] => Some(format!(
                "{origin}unknown shoal-cli internal command '{first}'"
            )),
            [] => None,
        }
    }

    /// Reads the rc file, printing a line for each entry it does not know.
    pub fn load() -> Prefs {
        let mut prefs = Prefs::default();
        let Some(path) = dotfile("SHOALCLI_RCFILE", ".shoalclirc") else {
            return prefs;
        };
        let Ok(content) = std::fs::read(&path) else {
            return prefs;
        };
        for line in content.split(|&b| b == b'\n') {
            let Ok(words) = crate::split::split_args(line) else {
                continue;
            };
            let words: Vec<String> = words
                .iter()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            if let Some(message) = prefs.apply(&words, true) {
                println!("{message}");
            }
        }
        prefs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn set_toggles_hints() {
        let mut prefs = Prefs::default();
        assert_eq!(prefs.apply(&words(":set nohints"), false), None);
        assert!(!prefs.hints);
        assert_eq!(prefs.apply(&words(":SET HINTS"), false), None);
        assert!(prefs.hints);
    }

    #[test]
    fn unknown_entries_are_named() {
        let mut prefs = Prefs::default();
        assert_eq!(
            prefs.apply(&words(":set colour"), false).unwrap(),
            "unknown shoal-cli preference 'colour'"
        );
        assert_eq!(
            prefs.apply(&words(":nope"), true).unwrap(),
            ".shoalclirc: unknown shoal-cli internal command ':nope'"
        );
    }
}
