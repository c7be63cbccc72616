//! Server counters reported by INFO.

use std::collections::BTreeMap;

/// Counters and instantaneous rates.
#[derive(Debug, Default)]
pub struct Stats {
    /// Connections accepted.
    pub total_connections_received: u64,
    /// Commands run.
    pub total_commands_processed: u64,
    /// Bytes read from clients.
    pub net_input_bytes: u64,
    /// Bytes written to clients.
    pub net_output_bytes: u64,
    /// Connections refused at `maxclients`.
    pub rejected_connections: u64,
    /// Error replies sent.
    pub total_error_replies: u64,
    /// Error replies by their first word (INFO errorstats).
    pub errors_by_prefix: BTreeMap<String, u64>,
    /// Clients closed for exceeding the query buffer limit.
    pub client_query_buffer_limit_disconnections: u64,
    /// Clients dropped for exceeding `client-output-buffer-limit`.
    pub client_output_buffer_limit_disconnections: u64,
    /// Socket reads that returned data.
    pub total_reads_processed: u64,
    /// Socket writes that sent data.
    pub total_writes_processed: u64,
    /// Clients currently blocked.
    pub blocked_clients: u64,
    /// Set when the last expiry pass stopped with keys still due.
    pub expired_stale_perc_hint: bool,
    /// Pub/sub messages delivered.
    pub pubsub_messages: u64,
    samples: Vec<(u64, u64, u64, u64)>, // (ms, commands, in bytes, out bytes)
    /// Commands per second over the last samples.
    pub instantaneous_ops_per_sec: u64,
    /// Input KB/s over the last samples.
    pub instantaneous_input_kbps: f64,
    /// Output KB/s over the last samples.
    pub instantaneous_output_kbps: f64,
}

impl Stats {
    /// Counts an error reply by its first word (`ERR`, `WRONGTYPE` ...).
    pub fn count_error(&mut self, msg: &str) {
        let prefix = msg.split(' ').next().unwrap_or("ERR").to_string();
        *self.errors_by_prefix.entry(prefix).or_insert(0) += 1;
    }

    /// As [`Stats::count_error`] with the prefix already cut.
    pub fn count_error_prefix(&mut self, prefix: &str) {
        *self.errors_by_prefix.entry(prefix.to_string()).or_insert(0) += 1;
    }

    /// Records a sample for the instantaneous rates (called by the cron).
    pub fn sample_instantaneous(&mut self, now_ms: u64) {
        if let Some(&(t, _, _, _)) = self.samples.last() {
            if now_ms < t + 100 {
                return;
            }
        }
        self.samples.push((
            now_ms,
            self.total_commands_processed,
            self.net_input_bytes,
            self.net_output_bytes,
        ));
        if self.samples.len() > 16 {
            self.samples.remove(0);
        }
        if let (Some(first), Some(last)) = (self.samples.first(), self.samples.last()) {
            let dt = last.0.saturating_sub(first.0);
            if let Some(ops) = ((last.1 - first.1) * 1000).checked_div(dt) {
                self.instantaneous_ops_per_sec = ops;
                self.instantaneous_input_kbps =
                    (last.2 - first.2) as f64 / dt as f64 * 1000.0 / 1024.0;
                self.instantaneous_output_kbps =
                    (last.3 - first.3) as f64 / dt as f64 * 1000.0 / 1024.0;
            }
        }
    }

    /// Zeroes the counters (CONFIG RESETSTAT).
    pub fn reset(&mut self) {
        let blocked = self.blocked_clients;
        *self = Stats::default();
        self.blocked_clients = blocked;
    }
}
