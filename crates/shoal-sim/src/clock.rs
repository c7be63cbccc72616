//! Simulated time: one true clock for the world, and a skewed, drifting
//! local clock per node.
//!
//! The world's clock ([`Millis`] from 0) is what the event queue is ordered
//! by. Each node reads its own [`NodeClock`]: `local = offset + t + t × drift`
//! (drift in parts per million, either sign), which never runs backwards, so
//! the `now` handed to a `ClusterNode` never goes backwards either, across
//! restarts too (the machine keeps its clock when the process restarts).
//!
//! What it does not do: read the wall clock. Nothing in the world does.

use shoal_types::Millis;

/// Where every local clock starts, before its own offset: far from 0 so
/// that "never" (0) and whole-second truncation in gossip are not special.
pub const LOCAL_EPOCH_MS: u64 = 1_700_000_000_000;

/// One node's clock: a fixed offset and a constant drift.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeClock {
    /// Local time at world time 0, in ms.
    pub offset_ms: u64,
    /// Drift in parts per million (positive: runs fast). Kept within
    /// ±100 000 so the clock always moves forward.
    pub drift_ppm: i32,
}

impl NodeClock {
    /// A clock with this offset (added to [`LOCAL_EPOCH_MS`]) and drift.
    pub fn new(offset_ms: u64, drift_ppm: i32) -> NodeClock {
        assert!(
            drift_ppm.abs() <= 100_000,
            "drift must stay well below 100%"
        );
        NodeClock {
            offset_ms: LOCAL_EPOCH_MS + offset_ms,
            drift_ppm,
        }
    }

    /// The node's reading at world time `t`.
    pub fn local(&self, t: Millis) -> Millis {
        let t = i128::from(t.0);
        let skew = (t * i128::from(self.drift_ppm)).div_euclid(1_000_000);
        Millis((i128::from(self.offset_ms) + t + skew) as u64)
    }

    /// The first world time at which the node's clock reads `local` or
    /// more (0 if it already did at world time 0).
    pub fn world_time_of(&self, local: Millis) -> Millis {
        if local.0 <= self.offset_ms {
            return Millis(0);
        }
        let elapsed = i128::from(local.0 - self.offset_ms);
        let rate = 1_000_000 + i128::from(self.drift_ppm);
        let mut t = (elapsed * 1_000_000 / rate).max(0) as u64;
        // The division rounds; step to the exact first millisecond.
        while t > 0 && self.local(Millis(t - 1)) >= local {
            t -= 1;
        }
        while self.local(Millis(t)) < local {
            t += 1;
        }
        Millis(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_is_monotonic_and_inverts_exactly() {
        for drift in [-100_000, -2_000, -1, 0, 1, 777, 100_000] {
            let c = NodeClock::new(123, drift);
            let mut last = c.local(Millis(0));
            for t in (0..200_000u64).step_by(997) {
                let l = c.local(Millis(t));
                assert!(l >= last);
                last = l;
                let back = c.world_time_of(l);
                assert!(back.0 <= t && c.local(back) >= l);
                assert!(back.0 == 0 || c.local(Millis(back.0 - 1)) < l);
            }
        }
    }

    #[test]
    fn a_fast_clock_reaches_a_deadline_earlier() {
        let fast = NodeClock::new(0, 10_000);
        let slow = NodeClock::new(0, -10_000);
        let deadline = Millis(LOCAL_EPOCH_MS + 100_000);
        assert!(fast.world_time_of(deadline) < slow.world_time_of(deadline));
    }
}
