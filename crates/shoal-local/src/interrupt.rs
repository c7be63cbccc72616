//! Ctrl-C, SIGTERM and SIGHUP as a flag. shoal-local never dies on these
//! signals: it notices the flag at its next poll and stops the nodes it
//! started, so an interrupted `start` leaves no stray `shoal-server` behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set once any of the stop signals arrived.
#[derive(Clone)]
pub struct Interrupt {
    flag: Arc<AtomicBool>,
}

impl Interrupt {
    /// Routes SIGINT, SIGTERM and SIGHUP to the flag instead of the default
    /// action (termination), for the rest of the process's life.
    pub fn install() -> Interrupt {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [
            signal_hook::consts::SIGINT,
            signal_hook::consts::SIGTERM,
            signal_hook::consts::SIGHUP,
        ] {
            // Registration fails only for forbidden signals (SIGKILL and
            // the like); these three are always allowed.
            let _ = signal_hook::flag::register(sig, Arc::clone(&flag));
        }
        Interrupt { flag }
    }

    /// True once a stop signal arrived.
    pub fn is_set(&self) -> bool {
        self.flag.load(Ordering::Relaxed)
    }
}
