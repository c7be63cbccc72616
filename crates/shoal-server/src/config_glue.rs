//! The server's side of configuration: CONFIG GET/SET/REWRITE against the
//! effective configuration, and applying changes to the running server.

use crate::server::Server;
use crate::settings::ServerSettings;
use std::collections::BTreeMap;

/// The effective configuration: directive name to value as CONFIG GET
/// prints it.
#[derive(Debug, Clone, Default)]
pub struct ConfigValues {
    /// Values by lowercase directive name.
    pub values: BTreeMap<String, String>,
}

impl ConfigValues {
    /// Looks a directive up.
    pub fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }
}

impl Server {
    /// CONFIG GET with glob patterns.
    pub(crate) fn config_get(&self, patterns: &[&[u8]]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in &self.config.values {
            if patterns
                .iter()
                .any(|p| shoal_types::glob_match(p, k.as_bytes(), true))
            {
                out.push((k.clone(), v.clone()));
            }
        }
        out
    }

    /// CONFIG SET of several pairs, all or nothing.
    pub(crate) fn config_set(&mut self, pairs: &[(&[u8], &[u8])]) -> Result<(), String> {
        let mut next = self.config.clone();
        for (k, v) in pairs {
            let name = String::from_utf8_lossy(k).to_ascii_lowercase();
            if !next.values.contains_key(&name) {
                return Err(format!(
                    "ERR Unknown option or number of arguments for CONFIG SET - '{}'",
                    String::from_utf8_lossy(k)
                ));
            }
            next.values.insert(name, String::from_utf8_lossy(v).into_owned());
        }
        self.config = next;
        self.settings = ServerSettings::from_lookup(|n| self.config.get(n));
        self.apply_settings();
        Ok(())
    }

    /// CONFIG REWRITE.
    pub(crate) fn config_rewrite(&mut self) -> Result<(), String> {
        Err("ERR The server is running without a config file".into())
    }
}
