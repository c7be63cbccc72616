//! Per-command latency histograms for INFO latencystats and LATENCY
//! HISTOGRAM, bucketed as Redis 7.0's HdrHistogram is (values 1 ns to
//! 1 s, two significant digits), so percentiles and the power-of-two
//! cumulative distribution are read from the same buckets.
//!
//! Layout: 23 buckets of 128 sub-buckets (plus the first bucket's lower
//! half), 3072 counters; a value's bucket is its power of two above 256.

/// Lowest value recorded (ns).
const MIN_NS: u64 = 1;
/// Highest value recorded (ns): one second.
const MAX_NS: u64 = 1_000_000_000;
/// Sub-buckets per bucket: the power of two above 2 * 10^2.
const SUB_BUCKET_COUNT: u64 = 256;
const SUB_BUCKET_HALF_COUNT: u64 = 128;
const SUB_BUCKET_HALF_COUNT_MAGNITUDE: u32 = 7;
const SUB_BUCKET_MASK: u64 = SUB_BUCKET_COUNT - 1;
const COUNTS_LEN: usize = 24 * 128;

/// One command's latency histogram.
#[derive(Debug, Clone)]
pub struct LatencyHistogram {
    counts: Box<[u64; COUNTS_LEN]>,
    total: u64,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        LatencyHistogram {
            counts: Box::new([0; COUNTS_LEN]),
            total: 0,
        }
    }
}

fn bucket_index(v: u64) -> u32 {
    let pow2_ceiling = 64 - (v | SUB_BUCKET_MASK).leading_zeros();
    pow2_ceiling - (SUB_BUCKET_HALF_COUNT_MAGNITUDE + 1)
}

fn sub_bucket_index(v: u64, bucket: u32) -> u64 {
    v >> bucket
}

fn counts_index(bucket: u32, sub: u64) -> usize {
    // Bucket 0 also holds the sub-buckets below the half count.
    let base = (u64::from(bucket) + 1) << SUB_BUCKET_HALF_COUNT_MAGNITUDE;
    (base + sub - SUB_BUCKET_HALF_COUNT) as usize
}

fn value_at_index(index: usize) -> u64 {
    let mut bucket = (index >> SUB_BUCKET_HALF_COUNT_MAGNITUDE) as i64 - 1;
    let mut sub = (index as u64 & (SUB_BUCKET_HALF_COUNT - 1)) + SUB_BUCKET_HALF_COUNT;
    if bucket < 0 {
        sub -= SUB_BUCKET_HALF_COUNT;
        bucket = 0;
    }
    sub << bucket
}

fn lowest_equivalent(v: u64) -> u64 {
    let b = bucket_index(v);
    sub_bucket_index(v, b) << b
}

fn range_size(v: u64) -> u64 {
    let b = bucket_index(v);
    let adjusted = if sub_bucket_index(v, b) >= SUB_BUCKET_COUNT {
        b + 1
    } else {
        b
    };
    1 << adjusted
}

fn highest_equivalent(v: u64) -> u64 {
    lowest_equivalent(v) + range_size(v) - 1
}

impl LatencyHistogram {
    /// Records one latency, clamped to 1 ns..1 s.
    pub fn record(&mut self, ns: u64) {
        let v = ns.clamp(MIN_NS, MAX_NS);
        let b = bucket_index(v);
        self.counts[counts_index(b, sub_bucket_index(v, b))] += 1;
        self.total += 1;
    }

    /// Calls recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The latency (ns) at percentile `p` (0..=100), as HdrHistogram
    /// reports it: the highest value of the bucket holding that count.
    pub fn value_at_percentile(&self, p: f64) -> u64 {
        let p = p.min(100.0);
        let wanted = (((p / 100.0) * self.total as f64) + 0.5) as u64;
        let wanted = wanted.max(1);
        let mut seen = 0;
        let mut value = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= wanted {
                value = value_at_index(i);
                break;
            }
        }
        if p == 0.0 {
            lowest_equivalent(value)
        } else {
            highest_equivalent(value)
        }
    }

    /// The cumulative distribution at power-of-two steps from 1024 ns, as
    /// LATENCY HISTOGRAM reports it: (µs, calls so far) at each step where
    /// the count grew (HdrHistogram's logarithmic iterator).
    pub fn cumulative_usec(&self) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let mut index: isize = -1;
        let (mut cumulative, mut value, mut highest) = (0u64, 0u64, 0u64);
        let mut level: u64 = 1024;
        let mut level_lowest = lowest_equivalent(level);
        let mut previous = 0;
        loop {
            let more_counts = cumulative < self.total;
            let next_index = (index + 1) as usize;
            let next_above = next_index < COUNTS_LEN && value_at_index(next_index) > level_lowest;
            if !(more_counts || next_above) {
                break;
            }
            // Advance to the next reporting step (the logarithmic iterator's
            // inner loop), or to the end of the counters.
            loop {
                if value >= level_lowest {
                    level *= 2;
                    level_lowest = lowest_equivalent(level);
                    break;
                }
                index += 1;
                if index as usize >= COUNTS_LEN {
                    break;
                }
                let i = index as usize;
                cumulative += self.counts[i];
                value = value_at_index(i);
                highest = highest_equivalent(value);
            }
            if cumulative > previous {
                out.push((highest / 1000, cumulative));
            }
            previous = cumulative;
            if index as usize >= COUNTS_LEN {
                break;
            }
        }
        out
    }
}

/// A percentile as Redis labels it: `%f` with trailing zeros (and a
/// trailing dot) removed: `50`, `99.9`.
pub fn percentile_label(p: f64) -> String {
    let s = format!("{p:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_two_significant_digits() {
        assert_eq!(bucket_index(1), 0);
        assert_eq!(counts_index(0, 1), 1);
        assert_eq!(value_at_index(1), 1);
        assert_eq!(bucket_index(255), 0);
        assert_eq!(bucket_index(256), 1);
        assert_eq!(highest_equivalent(5023), 5023);
        assert_eq!(lowest_equivalent(5023), 4992);
        let b = bucket_index(5023);
        assert_eq!(
            value_at_index(counts_index(b, sub_bucket_index(5023, b))),
            4992
        );
        assert_eq!(bucket_index(MAX_NS), 22);
        assert!(counts_index(22, sub_bucket_index(MAX_NS, 22)) < COUNTS_LEN);
    }

    #[test]
    fn percentiles_read_the_bucket_ceiling() {
        let mut h = LatencyHistogram::default();
        for _ in 0..99 {
            h.record(5000);
        }
        h.record(2_000_000);
        assert_eq!(h.value_at_percentile(50.0), 5023);
        assert_eq!(h.value_at_percentile(99.9), highest_equivalent(2_000_000));
        assert_eq!(percentile_label(99.9), "99.9");
        assert_eq!(percentile_label(50.0), "50");
    }

    #[test]
    fn cumulative_steps_are_powers_of_two_microseconds() {
        let mut h = LatencyHistogram::default();
        h.record(900); // under 1 µs
        h.record(3000);
        h.record(3000);
        h.record(70_000);
        let steps = h.cumulative_usec();
        assert_eq!(steps.first().map(|s| s.1), Some(1));
        assert_eq!(steps.last().map(|s| s.1), Some(4));
        assert!(steps.windows(2).all(|w| w[0].1 < w[1].1));
    }
}
