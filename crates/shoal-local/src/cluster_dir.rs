//! The cluster directory: one folder per node (`<port>/` with nodes.conf,
//! server.log and server.pid) and the state file `shoal-local.state`.
//!
//! The state file is also the marker that shoal-local created the
//! directory: `start` writes it only into a directory that is new or
//! empty, and `clean` removes nothing without it. Its format is one
//! `key value` pair a line, so a person can read it:
//!
//! ```text
//! # Created by shoal-local; `shoal-local clean` removes this directory.
//! primaries 3
//! replicas-per-primary 1
//! base-port 7000
//! node-timeout 5000
//! created yes
//! ```
//!
//! `created` turns `yes` only once the cluster reached cluster_state:ok,
//! so a directory left by an interrupted creation is recreated from
//! scratch rather than restarted half-built.

use crate::failure::Failure;
use crate::layout::Layout;
use std::io;
use std::path::{Path, PathBuf};

/// Name of the state file (and marker) inside the cluster directory.
pub const STATE_FILE: &str = "shoal-local.state";

/// What the state file records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    /// The cluster's shape and ports.
    pub layout: Layout,
    /// cluster-node-timeout given to every node, in milliseconds.
    pub node_timeout_ms: u64,
    /// True once the cluster was created and reached cluster_state:ok.
    pub created: bool,
}

/// What a directory turned out to hold.
#[derive(Debug)]
pub enum Contents {
    /// Nothing there yet, or an empty directory.
    Empty,
    /// A cluster directory made by shoal-local.
    Ours(State),
    /// A directory with files but no state file: not ours to touch.
    Foreign,
}

/// Paths inside one cluster directory.
#[derive(Debug, Clone)]
pub struct ClusterDir {
    root: PathBuf,
}

impl ClusterDir {
    /// The directory at `root` (which may not exist yet).
    pub fn new(root: &Path) -> ClusterDir {
        ClusterDir {
            root: root.to_path_buf(),
        }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The state file.
    pub fn state_path(&self) -> PathBuf {
        self.root.join(STATE_FILE)
    }

    /// The working directory of the node on `port`.
    pub fn node_dir(&self, port: u16) -> PathBuf {
        self.root.join(port.to_string())
    }

    /// The log of the node on `port`.
    pub fn log_path(&self, port: u16) -> PathBuf {
        self.node_dir(port).join("server.log")
    }

    /// Where shoal-local records the pid of the node on `port`.
    pub fn pid_path(&self, port: u16) -> PathBuf {
        self.node_dir(port).join("server.pid")
    }

    /// The nodes.conf of the node on `port`.
    pub fn nodes_conf_path(&self, port: u16) -> PathBuf {
        self.node_dir(port).join("nodes.conf")
    }

    /// Reads what the directory holds.
    pub fn contents(&self) -> Result<Contents, Failure> {
        let entries = match std::fs::read_dir(&self.root) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Contents::Empty),
            Err(e) => return Err(self.io_failure("read", &self.root, e)),
        };
        if entries.count() == 0 {
            return Ok(Contents::Empty);
        }
        match std::fs::read_to_string(self.state_path()) {
            Ok(text) => parse_state(&text).map(Contents::Ours).ok_or_else(|| {
                Failure::new(
                    format!("{} is damaged", self.state_path().display()),
                    format!(
                        "stop any nodes still running there by hand, then remove {}",
                        self.root.display()
                    ),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Contents::Foreign),
            Err(e) => Err(self.io_failure("read", &self.state_path(), e)),
        }
    }

    /// Writes the state file, creating the directory if needed.
    pub fn write_state(&self, state: &State) -> Result<(), Failure> {
        std::fs::create_dir_all(&self.root)
            .map_err(|e| self.io_failure("create", &self.root, e))?;
        // Write then rename, so an interrupted write never leaves a damaged
        // marker behind.
        let tmp = self.root.join(format!("{STATE_FILE}.tmp"));
        std::fs::write(&tmp, render_state(state)).map_err(|e| self.io_failure("write", &tmp, e))?;
        std::fs::rename(&tmp, self.state_path())
            .map_err(|e| self.io_failure("write", &self.state_path(), e))
    }

    /// Creates the node's folder.
    pub fn create_node_dir(&self, port: u16) -> Result<(), Failure> {
        let d = self.node_dir(port);
        std::fs::create_dir_all(&d).map_err(|e| self.io_failure("create", &d, e))
    }

    /// Removes the node's folder and everything in it.
    pub fn remove_node_dir(&self, port: u16) -> Result<(), Failure> {
        let d = self.node_dir(port);
        match std::fs::remove_dir_all(&d) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io_failure("remove", &d, e)),
        }
    }

    /// The pid recorded for the node on `port`, if any.
    pub fn recorded_pid(&self, port: u16) -> Option<u32> {
        std::fs::read_to_string(self.pid_path(port))
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Records the pid of the node on `port`.
    pub fn record_pid(&self, port: u16, pid: u32) -> Result<(), Failure> {
        let p = self.pid_path(port);
        std::fs::write(&p, format!("{pid}\n")).map_err(|e| self.io_failure("write", &p, e))
    }

    /// Forgets the pid of a node that stopped.
    pub fn forget_pid(&self, port: u16) {
        let _ = std::fs::remove_file(self.pid_path(port));
    }

    /// The last non-empty line of the node's log, to quote in errors.
    pub fn last_log_line(&self, port: u16) -> Option<String> {
        let text = std::fs::read_to_string(self.log_path(port)).ok()?;
        text.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.trim().to_string())
    }

    fn io_failure(&self, verb: &str, path: &Path, e: io::Error) -> Failure {
        Failure::new(
            format!("cannot {verb} {}: {e}", path.display()),
            "check the permissions of that path, or pick another --dir",
        )
    }
}

/// The state file's text.
pub fn render_state(s: &State) -> String {
    format!(
        "# Created by shoal-local; `shoal-local clean` removes this directory.\n\
         primaries {}\nreplicas-per-primary {}\nbase-port {}\nnode-timeout {}\ncreated {}\n",
        s.layout.primaries,
        s.layout.replicas_per_primary,
        s.layout.base_port,
        s.node_timeout_ms,
        if s.created { "yes" } else { "no" }
    )
}

/// Parses the state file; `None` if a field is missing or malformed.
pub fn parse_state(text: &str) -> Option<State> {
    let (mut primaries, mut replicas, mut base, mut timeout, mut created) =
        (None, None, None, None, None);
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = line.split_once(' ')?;
        let value = value.trim();
        match key {
            "primaries" => primaries = Some(value.parse().ok()?),
            "replicas-per-primary" => replicas = Some(value.parse().ok()?),
            "base-port" => base = Some(value.parse().ok()?),
            "node-timeout" => timeout = Some(value.parse().ok()?),
            "created" => created = Some(value == "yes"),
            // Unknown keys come from a newer shoal-local; ignoring them
            // keeps its directories usable by this one.
            _ => {}
        }
    }
    let layout = Layout {
        primaries: primaries?,
        replicas_per_primary: replicas?,
        base_port: base?,
    };
    Some(State {
        layout: layout.validated().ok()?,
        node_timeout_ms: timeout?,
        created: created?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_survives_a_round_trip_through_its_file() {
        let s = State {
            layout: Layout {
                primaries: 3,
                replicas_per_primary: 1,
                base_port: 7000,
            },
            node_timeout_ms: 5000,
            created: true,
        };
        assert_eq!(parse_state(&render_state(&s)), Some(s));
        let half = State {
            created: false,
            ..s
        };
        assert_eq!(parse_state(&render_state(&half)), Some(half));
    }

    #[test]
    fn a_state_file_missing_a_field_is_rejected() {
        assert_eq!(parse_state("primaries 3\nbase-port 7000\n"), None);
        assert_eq!(parse_state("primaries x\n"), None);
    }

    #[test]
    fn a_directory_without_the_marker_is_foreign_and_an_empty_one_is_usable() {
        let root = std::env::temp_dir().join(format!("shoal-local-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = ClusterDir::new(&root);
        assert!(matches!(dir.contents().unwrap(), Contents::Empty));
        std::fs::create_dir_all(&root).unwrap();
        assert!(matches!(dir.contents().unwrap(), Contents::Empty));
        std::fs::write(root.join("notes.txt"), "mine").unwrap();
        assert!(matches!(dir.contents().unwrap(), Contents::Foreign));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
