//! The server's side of configuration: loading with real files and
//! directories, CONFIG GET/SET/REWRITE, and applying changes to the
//! running server.

use crate::server::Server;
use crate::settings::ServerSettings;
use shoal_config::{Config, Host, SetContext};
use std::path::{Path, PathBuf};

/// [`Host`] on the real file system: what Redis does while reading its
/// configuration (`include` with globs, `dir`, the log file check).
#[derive(Debug, Default)]
pub struct FsHost;

impl Host for FsHost {
    fn read_config_file(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        let path = String::from_utf8_lossy(path).into_owned();
        if !path.contains(['*', '?', '[']) {
            return std::fs::read(&path).map_err(|e| e.to_string());
        }
        // A glob: every match, in sorted order, concatenated.
        let p = Path::new(&path);
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let pattern = p
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut matches: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|f| {
                f.file_name()
                    .map(|n| {
                        shoal_types::glob_match(
                            pattern.as_bytes(),
                            n.to_string_lossy().as_bytes(),
                            false,
                        )
                    })
                    .unwrap_or(false)
            })
            .collect();
        matches.sort();
        let mut text = Vec::new();
        for m in matches {
            text.extend(std::fs::read(&m).map_err(|e| e.to_string())?);
            text.push(b'\n');
        }
        Ok(text)
    }

    fn read_stdin(&mut self) -> Result<Vec<u8>, String> {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map_err(|e| e.to_string())?;
        Ok(buf)
    }

    fn change_dir(&mut self, path: &[u8]) -> Result<Vec<u8>, String> {
        let path = String::from_utf8_lossy(path).into_owned();
        std::env::set_current_dir(&path).map_err(|e| e.to_string())?;
        let abs = std::env::current_dir().map_err(|e| e.to_string())?;
        Ok(abs.to_string_lossy().into_owned().into_bytes())
    }

    fn check_logfile(&mut self, path: &[u8]) -> Result<(), String> {
        let path = String::from_utf8_lossy(path).into_owned();
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// The typed settings for a configuration.
pub fn settings_of(config: &Config) -> ServerSettings {
    ServerSettings::from_config(config)
}

impl Server {
    /// CONFIG GET with glob patterns.
    pub(crate) fn config_get(&self, patterns: &[&[u8]]) -> Vec<(String, Vec<u8>)> {
        self.config.config_get(patterns)
    }

    /// CONFIG SET of several pairs, all or nothing, then applied.
    pub(crate) fn config_set(
        &mut self,
        pairs: &[(&[u8], &[u8])],
        client_is_local: bool,
    ) -> Result<(), String> {
        let mut host = FsHost;
        let mut ctx = SetContext {
            client_is_local,
            loading: false,
            host: &mut host,
        };
        let changed = self.config.config_set(pairs, &mut ctx)?;
        let next = settings_of(&self.config);
        if next.port != self.settings.port || next.bind != self.settings.bind {
            if let Err(e) = self.rebind(&next) {
                let first = changed
                    .iter()
                    .find(|c| matches!(c.name, "port" | "bind"))
                    .or(changed.first());
                let msg = first.map(|c| shoal_config::apply_failed_error(c, &e));
                self.config.rollback(&changed, &mut FsHost);
                return Err(msg.unwrap_or(e));
            }
        }
        for c in &changed {
            if c.support == shoal_config::table::Support::Kept {
                crate::notice!(
                    "CONFIG SET {}: accepted and kept, but Shoal does not act on it yet",
                    c.name
                );
            }
        }
        self.settings = next;
        self.apply_settings();
        if let Some(mode) = self.cluster.as_mut() {
            mode.allow_reads_when_down = self.settings.cluster_allow_reads_when_down;
            mode.bus.send(crate::bus::Request::Reconfigure {
                node_timeout_ms: self.settings.cluster_node_timeout_ms,
                require_full_coverage: self.settings.cluster_require_full_coverage,
                allow_reads_when_down: self.settings.cluster_allow_reads_when_down,
            });
        }
        crate::log::configure(self.settings.log_level, &self.settings.logfile);
        Ok(())
    }

    /// CONFIG REWRITE.
    pub(crate) fn config_rewrite(&mut self) -> Result<(), String> {
        let Some(path) = self.config_file.clone() else {
            return Err("ERR The server is running without a config file".into());
        };
        let old = std::fs::read(&path).unwrap_or_default();
        let text = self.config.rewrite(&old);
        let tmp = format!("{path}.tmp-{}", std::process::id());
        let result = (|| -> std::io::Result<()> {
            std::fs::write(&tmp, &text)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, &path)
        })();
        result.map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            crate::warning!("CONFIG REWRITE failed: {e}");
            format!("ERR Rewriting config file: {e}")
        })?;
        crate::notice!("CONFIG REWRITE executed with success.");
        Ok(())
    }
}
