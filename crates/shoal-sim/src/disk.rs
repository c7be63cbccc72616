//! Each node's simulated disk: the nodes.conf file with fsync semantics.
//!
//! A write without fsync sits in the "page cache": a restart after a clean
//! process crash still reads it (the kernel kept it), but a crash that
//! loses unsynced writes (power loss, kernel panic) falls back to the last
//! fsynced content. A write with fsync is durable at once. Writes replace
//! the whole file, as Redis's nodes.conf save does.
//!
//! What it does not do: torn writes, full disks, or slow fsyncs.

/// One node's nodes.conf.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimDisk {
    durable: Option<String>,
    cached: Option<String>,
    /// Writes so far.
    pub writes: u64,
    /// Writes that asked for fsync.
    pub fsyncs: u64,
}

impl SimDisk {
    /// Writes `text` as the whole file; durable at once with `fsync`.
    pub fn write(&mut self, text: String, fsync: bool) {
        self.writes += 1;
        if fsync {
            self.fsyncs += 1;
            self.durable = Some(text);
            self.cached = None;
        } else {
            self.cached = Some(text);
        }
    }

    /// The process died: with `lose_unsynced`, what was not fsynced is
    /// gone; otherwise the page cache survives and will be read back.
    pub fn crash(&mut self, lose_unsynced: bool) {
        if lose_unsynced {
            self.cached = None;
        }
    }

    /// What a starting process reads: the newest surviving content.
    pub fn read(&self) -> Option<&str> {
        self.cached.as_deref().or(self.durable.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsynced_writes_survive_a_process_crash_but_not_a_power_loss() {
        let mut d = SimDisk::default();
        d.write("a".into(), true);
        d.write("b".into(), false);
        assert_eq!(d.read(), Some("b"));
        let mut kept = d.clone();
        kept.crash(false);
        assert_eq!(kept.read(), Some("b"));
        d.crash(true);
        assert_eq!(d.read(), Some("a"));
        d.write("c".into(), true);
        assert_eq!(d.read(), Some("c"));
    }
}
