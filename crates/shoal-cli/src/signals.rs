//! Ctrl-C in the interactive session, as redis-cli treats it: while the
//! session streams MONITOR or SUBSCRIBE output it stops the stream (the
//! session then reconnects and carries on); at any other time it ends the
//! process with exit code 1. One-shot runs keep the default disposition.
//!
//! The handler only touches atomics (and `_exit`), the only things a signal
//! handler may safely do. It is installed without `SA_RESTART`, so a
//! blocked socket read returns `EINTR` and [`take_abort`] tells the reader
//! why. While the interactive editor reads a line the terminal is in raw
//! mode, where Ctrl-C is a key press rather than a signal.

use std::sync::atomic::{AtomicBool, Ordering};

static STREAMING: AtomicBool = AtomicBool::new(false);
static ABORTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_interrupt(_signal: libc::c_int) {
    if STREAMING.load(Ordering::SeqCst) {
        ABORTED.store(true, Ordering::SeqCst);
    } else {
        // SAFETY: _exit is async-signal-safe; replies are flushed as they
        // are printed, so nothing is lost by skipping destructors.
        unsafe { libc::_exit(1) };
    }
}

/// Installs the Ctrl-C handler.
pub fn install() {
    // SAFETY: a zeroed sigaction is a valid "no flags, empty mask" value;
    // the handler is an extern "C" fn that only uses atomics and _exit.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_interrupt as extern "C" fn(libc::c_int) as usize;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// Marks the start (`true`) or end (`false`) of a MONITOR or SUBSCRIBE
/// stream, during which Ctrl-C interrupts reads instead of exiting.
pub fn set_streaming(on: bool) {
    ABORTED.store(false, Ordering::SeqCst);
    STREAMING.store(on, Ordering::SeqCst);
}

/// True, once, after Ctrl-C interrupted a stream.
pub fn take_abort() -> bool {
    ABORTED.swap(false, Ordering::SeqCst)
}
