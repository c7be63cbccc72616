//! Redis-style log lines: `pid:role dd Mon yyyy HH:MM:SS.mmm <level> message`.
//!
//! Level marks as Redis prints them: `.` debug, `-` verbose, `*` notice,
//! `#` warning. Output goes to the `logfile` or, when it is empty, stdout.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// Log verbosity, ordered from most to least chatty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// `debug`
    Debug,
    /// `verbose`
    Verbose,
    /// `notice`
    Notice,
    /// `warning`
    Warning,
    /// `nothing`
    Nothing,
}

impl Level {
    /// Parses a `loglevel` value.
    pub fn from_name(s: &str) -> Option<Level> {
        Some(match s.to_ascii_lowercase().as_str() {
            "debug" => Level::Debug,
            "verbose" => Level::Verbose,
            "notice" => Level::Notice,
            "warning" => Level::Warning,
            "nothing" => Level::Nothing,
            _ => return None,
        })
    }

    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning | Level::Nothing => '#',
        }
    }
}

struct Logger {
    level: Level,
    path: Option<String>,
    role: char,
}

static LOGGER: Mutex<Logger> = Mutex::new(Logger {
    level: Level::Notice,
    path: None,
    role: 'M',
});

/// Sets where and how much to log.
pub fn configure(level: Level, logfile: &str) {
    let mut l = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
    l.level = level;
    l.path = (!logfile.is_empty()).then(|| logfile.to_string());
}

/// Sets the role mark (`M` master, `S` replica).
pub fn set_role(role: char) {
    LOGGER.lock().unwrap_or_else(|e| e.into_inner()).role = role;
}

/// Writes one log line at `level`.
pub fn log(level: Level, msg: &str) {
    let l = LOGGER.lock().unwrap_or_else(|e| e.into_inner());
    if level < l.level || l.level == Level::Nothing {
        return;
    }
    let line = format!(
        "{}:{} {} {} {}\n",
        std::process::id(),
        l.role,
        timestamp(),
        level.mark(),
        msg
    );
    match &l.path {
        Some(p) => {
            if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(p) {
                let _ = f.write_all(line.as_bytes());
            }
        }
        None => {
            let _ = std::io::stdout().write_all(line.as_bytes());
        }
    }
}

/// `25 Nov 2026 10:10:55.123` in UTC.
fn timestamp() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs() as i64;
    let ms = now.subsec_millis();
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let tod = secs.rem_euclid(86_400);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        d,
        MONTHS[(mo - 1) as usize],
        y,
        tod / 3600,
        tod % 3600 / 60,
        tod % 60,
        ms
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

/// Logs at notice level, formatted.
#[macro_export]
macro_rules! notice {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Notice, &format!($($arg)*)) };
}

/// Logs at warning level, formatted.
#[macro_export]
macro_rules! warning {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Warning, &format!($($arg)*)) };
}

/// Logs at verbose level, formatted.
#[macro_export]
macro_rules! verbose {
    ($($arg:tt)*) => { $crate::log::log($crate::log::Level::Verbose, &format!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_417), (2025, 11, 25));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
