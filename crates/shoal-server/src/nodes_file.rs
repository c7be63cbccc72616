//! The nodes.conf file on disk: loading, locking, atomic saving.
//!
//! Saving writes a temporary file, fsyncs it (when asked), locks it, renames
//! it over nodes.conf and fsyncs the directory, so a crash leaves either the
//! old or the new file, never half of one. The `flock` keeps a second
//! process off the file, as Redis does; because a rename puts a new file
//! at the path, the new file is locked before it takes the name.

use shoal_cluster::nodes_conf::{parse_nodes_conf, render_nodes_conf};
use shoal_cluster::view::ClusterView;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// A locked nodes.conf.
pub struct NodesFile {
    path: PathBuf,
    lock: File,
}

impl NodesFile {
    /// Opens and locks `path`, creating it if needed; returns the view it
    /// holds (`None` when empty). A corrupt file is an error naming the
    /// line: the node must not start and silently forget its cluster.
    pub fn open(path: &Path) -> Result<(NodesFile, Option<ClusterView>), String> {
        let lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .map_err(|e| {
                format!(
                    "Can't open {} in order to acquire a lock: {e}",
                    path.display()
                )
            })?;
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(format!(
                "Sorry, the cluster configuration file {} is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.",
                path.display()
            ));
        }
        let text =
            std::fs::read(path).map_err(|e| format!("Can't read {}: {e}", path.display()))?;
        let view = if text.iter().all(|b| b.is_ascii_whitespace()) {
            None
        } else {
            match parse_nodes_conf(&text) {
                Ok(loaded) => {
                    for w in &loaded.warnings {
                        crate::warning!("{w}");
                    }
                    Some(loaded.view)
                }
                Err(e) => {
                    return Err(format!(
                        "Unrecoverable error: {e} in {}. Refusing to start rather than forget the cluster.",
                        path.display()
                    ))
                }
            }
        };
        Ok((
            NodesFile {
                path: path.to_path_buf(),
                lock,
            },
            view,
        ))
    }

    /// Saves the view.
    pub fn save_view(&mut self, view: &ClusterView, fsync: bool) -> Result<(), String> {
        self.save_text(&render_nodes_conf(view), fsync)
    }

    /// Saves already rendered nodes.conf text.
    pub fn save_text(&mut self, text: &str, fsync: bool) -> Result<(), String> {
        let dir = self
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let tmp = dir.join(format!(
            "{}.tmp-{}",
            self.path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("nodes.conf"),
            std::process::id()
        ));
        let result = (|| -> std::io::Result<File> {
            let mut f = File::create(&tmp)?;
            f.write_all(text.as_bytes())?;
            if fsync {
                f.sync_all()?;
            }
            // SAFETY: flock on a descriptor we own.
            if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            std::fs::rename(&tmp, &self.path)?;
            if fsync {
                File::open(&dir)?.sync_all()?;
            }
            Ok(f)
        })();
        match result {
            Ok(f) => {
                self.lock = f;
                Ok(())
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(format!(
                    "Error writing the cluster configuration file {}: {e}",
                    self.path.display()
                ))
            }
        }
    }
}
