//! The one kind of error shoal-local reports: what went wrong and the next
//! step to take, printed together on one line. Every failure a newcomer can
//! hit (a busy port, a missing binary, a node that never becomes healthy)
//! is built here with a concrete suggestion, so no error is a dead end.

use std::fmt;

/// A failed operation, explained for the person at the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong, without a trailing period.
    pub what: String,
    /// What to do about it, as an imperative sentence without a period.
    pub next: String,
}

impl Failure {
    /// A failure with its next step.
    pub fn new(what: impl Into<String>, next: impl Into<String>) -> Failure {
        Failure {
            what: what.into(),
            next: next.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error: {}. Next: {}.", self.what, self.next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_reads_as_one_line_with_its_next_step() {
        let f = Failure::new(
            "port 7003 is in use",
            "pick another range with --base-port 7100",
        );
        assert_eq!(
            f.to_string(),
            "error: port 7003 is in use. Next: pick another range with --base-port 7100."
        );
        assert!(!f.to_string().contains('\n'));
    }
}
