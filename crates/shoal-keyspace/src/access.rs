//! How reads and writes mark a key as used, for LRU and LFU eviction.
//!
//! Each entry keeps 32 bits. Under LRU they hold a 24-bit clock in seconds,
//! as Redis does, so `OBJECT IDLETIME` is the distance to the current clock.
//! Under LFU they hold Redis's layout: the last decrement time in minutes
//! (16 bits) and a logarithmic access counter (8 bits), incremented with
//! probability `1 / ((counter - 5) * log_factor + 1)` and halved away as
//! minutes pass.

use rand::Rng;

const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
const LRU_RESOLUTION_MS: u64 = 1000;
/// Counter a new key starts with under LFU, so it is not evicted at once.
pub const LFU_INIT_VAL: u8 = 5;

/// Which statistic the entries' access field keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AccessPolicy {
    /// Last access time (for the `*-lru` policies and OBJECT IDLETIME).
    #[default]
    Lru,
    /// Access frequency (for the `*-lfu` policies and OBJECT FREQ).
    Lfu {
        /// `lfu-log-factor`.
        log_factor: u32,
        /// `lfu-decay-time`, minutes per halving step.
        decay_time_min: u32,
    },
}

/// The LRU clock for `now_ms`.
pub fn lru_clock(now_ms: u64) -> u32 {
    ((now_ms / LRU_RESOLUTION_MS) as u32) & LRU_CLOCK_MAX
}

/// Milliseconds since an entry with LRU field `lru` was last used.
pub fn lru_idle_ms(lru: u32, now_ms: u64) -> u64 {
    let clock = lru_clock(now_ms);
    let ticks = if clock >= lru {
        clock - lru
    } else {
        clock + (LRU_CLOCK_MAX - lru)
    };
    ticks as u64 * LRU_RESOLUTION_MS
}

fn lfu_minutes(now_ms: u64) -> u32 {
    ((now_ms / 60_000) & 0xffff) as u32
}

/// The access field for a key created now.
pub fn initial_access(policy: AccessPolicy, now_ms: u64) -> u32 {
    match policy {
        AccessPolicy::Lru => lru_clock(now_ms),
        AccessPolicy::Lfu { .. } => (lfu_minutes(now_ms) << 8) | LFU_INIT_VAL as u32,
    }
}

/// The LRU field of a key last used `idle_ms` before `now_ms` (RESTORE
/// ... IDLETIME), wrapping around the 24-bit clock as the clock does.
pub fn lru_access_idle(now_ms: u64, idle_ms: u64) -> u32 {
    let idle_ticks = ((idle_ms / LRU_RESOLUTION_MS) % (LRU_CLOCK_MAX as u64 + 1)) as u32;
    let clock = lru_clock(now_ms);
    if idle_ticks <= clock {
        clock - idle_ticks
    } else {
        clock + (LRU_CLOCK_MAX - idle_ticks)
    }
}

/// The LFU field of a key whose counter is set to `counter` now (RESTORE
/// ... FREQ).
pub fn lfu_access_with_counter(now_ms: u64, counter: u8) -> u32 {
    (lfu_minutes(now_ms) << 8) | counter as u32
}

/// The LFU counter after decay, without recording an access.
pub fn lfu_decayed_counter(access: u32, decay_time_min: u32, now_ms: u64) -> u8 {
    let counter = (access & 0xff) as u8;
    let last = access >> 8;
    let now = lfu_minutes(now_ms);
    let elapsed = if now >= last {
        now - last
    } else {
        65535 - last + now
    };
    let periods = elapsed.checked_div(decay_time_min).unwrap_or(0);
    counter.saturating_sub(periods.min(255) as u8)
}

/// The access field after one more access at `now_ms`.
pub fn record_access(policy: AccessPolicy, access: u32, now_ms: u64, rng: &mut impl Rng) -> u32 {
    match policy {
        AccessPolicy::Lru => lru_clock(now_ms),
        AccessPolicy::Lfu {
            log_factor,
            decay_time_min,
        } => {
            let mut counter = lfu_decayed_counter(access, decay_time_min, now_ms);
            if counter < 255 {
                let base = counter.saturating_sub(LFU_INIT_VAL) as f64;
                let p = 1.0 / (base * log_factor as f64 + 1.0);
                if rng.random::<f64>() < p {
                    counter += 1;
                }
            }
            (lfu_minutes(now_ms) << 8) | counter as u32
        }
    }
}

/// A score where higher means "evict first" under `policy`.
pub fn eviction_score(policy: AccessPolicy, access: u32, now_ms: u64) -> u64 {
    match policy {
        AccessPolicy::Lru => lru_idle_ms(access, now_ms),
        AccessPolicy::Lfu { decay_time_min, .. } => {
            255 - lfu_decayed_counter(access, decay_time_min, now_ms) as u64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};

    #[test]
    fn lru_idle_time_counts_seconds_and_wraps() {
        let now = 10_000_000u64;
        let a = lru_clock(now - 5_000);
        assert_eq!(lru_idle_ms(a, now), 5_000);
        assert_eq!(lru_idle_ms(LRU_CLOCK_MAX, 0), 0);
    }

    #[test]
    fn lfu_counter_grows_slowly_and_decays() {
        let mut rng = SmallRng::seed_from_u64(1);
        let policy = AccessPolicy::Lfu {
            log_factor: 10,
            decay_time_min: 1,
        };
        let now = 3_600_000;
        let mut a = initial_access(policy, now);
        for _ in 0..1000 {
            a = record_access(policy, a, now, &mut rng);
        }
        let c = lfu_decayed_counter(a, 1, now);
        assert!(c > LFU_INIT_VAL && c < 60, "counter {c}");
        assert_eq!(lfu_decayed_counter(a, 1, now + 10 * 60_000), c - 10);
    }
}
