//! The few effects configuration has on the outside world, behind a trait the server
//! implements.
//!
//! Parsing itself touches no files and no sockets. Redis, however, does a handful of
//! things while it reads its configuration, and the error messages users see depend on
//! them happening at the right line: `include` reads another file, `dir` changes the
//! process's working directory, a `logfile` must be openable, `rename-command` must name
//! a real command. The loader calls a [`Host`] for each of these at the moment Redis
//! would, so a failure is reported against the right line with Redis's wording.
//!
//! [`MemoryHost`] is an in-memory implementation for tests and tools.

use std::collections::BTreeMap;

use crate::glob::string_match;

/// The server's side of configuration loading and CONFIG SET.
///
/// # Correctness requirements
///
/// - `read_config_file` returns the file's bytes unchanged. When `path` contains `*`, `?`
///   or `[`, it is a glob: return the concatenation of every matching file in sorted
///   order, or an empty text when nothing matches (Redis lets `include conf.d/*.conf`
///   match nothing). Errors are the OS reason only, e.g. `No such file or directory`.
/// - `change_dir` changes the process's working directory and returns the new absolute
///   path (what `getcwd` says afterwards); errors are the OS reason only.
/// - Messages must not end with a newline; the caller formats them.
pub trait Host {
    /// Reads a config file named on the command line or by `include`.
    fn read_config_file(&mut self, path: &[u8]) -> Result<Vec<u8>, String>;

    /// Reads the configuration piped on standard input (`shoal-server -`).
    fn read_stdin(&mut self) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }

    /// Changes the working directory (`dir`), returning the new absolute path.
    fn change_dir(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        Ok(path.to_vec())
    }

    /// Checks the log file can be opened for appending, as Redis does before it starts.
    fn check_logfile(&mut self, _path: &[u8]) -> Result<(), String> {
        Ok(())
    }

    /// Renames (or, with an empty `new_name`, removes) a command. Errors are Redis's
    /// messages, e.g. `No such command in rename-command` or
    /// `Target command name already exists`.
    fn rename_command(&mut self, _name: &[u8], _new_name: &[u8]) -> Result<(), String> {
        Ok(())
    }
}

/// A [`Host`] over an in-memory file system: for tests, and for tools that check a
/// configuration without running a server.
#[derive(Debug, Clone, Default)]
pub struct MemoryHost {
    /// Files by path.
    pub files: BTreeMap<Vec<u8>, Vec<u8>>,
    /// What standard input holds.
    pub stdin: Vec<u8>,
    /// Directories that exist; `change_dir` to anything else fails. Empty means any.
    pub dirs: Vec<Vec<u8>>,
    /// Current directory, updated by `change_dir`.
    pub cwd: Vec<u8>,
    /// Commands that exist, for `rename-command`. Empty means any.
    pub commands: Vec<Vec<u8>>,
    /// Renames seen, in order.
    pub renames: Vec<(Vec<u8>, Vec<u8>)>,
    /// Log files that cannot be opened.
    pub unwritable_logfiles: Vec<Vec<u8>>,
}

impl MemoryHost {
    /// An empty host whose current directory is `/`.
    pub fn new() -> MemoryHost {
        MemoryHost {
            cwd: b"/".to_vec(),
            ..MemoryHost::default()
        }
    }

    /// Adds a file; returns `self` for chaining.
    pub fn with_file(mut self, path: &str, text: &str) -> MemoryHost {
        self.files
            .insert(path.as_bytes().to_vec(), text.as_bytes().to_vec());
        self
    }
}

impl Host for MemoryHost {
    fn read_config_file(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        if path.iter().any(|b| matches!(b, b'*' | b'?' | b'[')) {
            // BTreeMap iterates in sorted order, as glob(3) returns paths.
            let mut text = Vec::new();
            for (name, content) in &self.files {
                if string_match(path, name, false) {
                    text.extend_from_slice(content);
                }
            }
            return Ok(text);
        }
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "No such file or directory".to_string())
    }

    fn read_stdin(&mut self) -> Result<Vec<u8>, String> {
        Ok(self.stdin.clone())
    }

    fn change_dir(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        let absolute = if path.starts_with(b"/") {
            path.to_vec()
        } else {
            let mut p = self.cwd.clone();
            if !p.ends_with(b"/") {
                p.push(b'/');
            }
            p.extend_from_slice(path);
            p
        };
        if !self.dirs.is_empty() && !self.dirs.contains(&absolute) {
            return Err("No such file or directory".to_string());
        }
        self.cwd = absolute.clone();
        Ok(absolute)
    }

    fn check_logfile(&mut self, path: &[u8]) -> Result<(), String> {
        if self.unwritable_logfiles.iter().any(|p| p == path) {
            return Err("No such file or directory".to_string());
        }
        Ok(())
    }

    fn rename_command(&mut self, name: &[u8], new_name: &[u8]) -> Result<(), String> {
        if !self.commands.is_empty() && !self.commands.iter().any(|c| c.eq_ignore_ascii_case(name))
        {
            return Err("No such command in rename-command".to_string());
        }
        self.renames.push((name.to_vec(), new_name.to_vec()));
        Ok(())
    }
}
