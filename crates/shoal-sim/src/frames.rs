//! Frames in flight, kept small: runs of zero bytes are stored as counts.
//!
//! A cluster of N nodes meeting through one node makes every node open a
//! link to every other node within a few cron runs, each with a PING (and
//! a second one once connected) carrying N/10 gossip entries: at 1000
//! nodes about two million frames of 12.6 KB are in flight at once, more
//! memory than the simulator's machine has. Much of a frame is zeros (the
//! slot bitmap of a node without slots, the unused tail of every gossip
//! entry's 46-byte IP field), so the world packs every frame it queues
//! and unpacks it at delivery; the node sees the same bytes.
//!
//! ```text
//! packed = { literal_len: u16 LE, literal bytes, zeros: u16 LE }*
//! ```

/// Zero runs shorter than this stay in the literal (a run costs 4 bytes).
const MIN_RUN: usize = 5;

/// One frame, packed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedFrame(Box<[u8]>);

impl PackedFrame {
    /// Packs `bytes`.
    pub fn pack(bytes: &[u8]) -> PackedFrame {
        const MAX: usize = u16::MAX as usize;
        let n = bytes.len();
        let mut out = Vec::with_capacity(n / 2 + 8);
        let mut i = 0;
        while i < n {
            // The literal ends where a zero run worth a count starts (or
            // the trailing zeros do), or at the longest literal a count holds.
            let mut j = i;
            while j < n && j - i < MAX {
                if bytes[j] != 0 {
                    j += 1;
                    continue;
                }
                let run = bytes[j..]
                    .iter()
                    .take(MIN_RUN)
                    .take_while(|&&b| b == 0)
                    .count();
                if run >= MIN_RUN || j + run == n {
                    break;
                }
                j = (j + run).min(i + MAX);
            }
            out.extend_from_slice(&((j - i) as u16).to_le_bytes());
            out.extend_from_slice(&bytes[i..j]);
            let zeros = bytes[j..].iter().take(MAX).take_while(|&&b| b == 0).count();
            out.extend_from_slice(&(zeros as u16).to_le_bytes());
            i = j + zeros;
        }
        PackedFrame(out.into_boxed_slice())
    }

    /// The original bytes.
    pub fn unpack(&self) -> Vec<u8> {
        let p = &self.0;
        let mut out = Vec::with_capacity(p.len() * 2);
        let mut i = 0;
        while i < p.len() {
            let lit = usize::from(u16::from_le_bytes([p[i], p[i + 1]]));
            out.extend_from_slice(&p[i + 2..i + 2 + lit]);
            i += 2 + lit;
            let zeros = usize::from(u16::from_le_bytes([p[i], p[i + 1]]));
            out.resize(out.len() + zeros, 0);
            i += 2;
        }
        out
    }

    /// Bytes held.
    pub fn packed_len(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn frames_come_back_byte_for_byte() {
        let mut cases: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0; 4],
            vec![0; 5],
            vec![0; 200_000],
            vec![7; 200_000],
            vec![1, 0, 0, 0, 0, 2],
            vec![1, 0, 0, 0, 0, 0, 2, 0, 0],
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for _ in 0..300 {
            let len = rng.random_range(0..20_000);
            let zero_odds = rng.random_range(0..10u32);
            cases.push(
                (0..len)
                    .map(|_| {
                        if rng.random_range(0..10) < zero_odds {
                            0
                        } else {
                            rng.random()
                        }
                    })
                    .collect(),
            );
        }
        for bytes in cases {
            let packed = PackedFrame::pack(&bytes);
            assert_eq!(packed.unpack(), bytes, "len {}", bytes.len());
        }
    }

    #[test]
    fn zero_runs_shrink() {
        let mut frame = vec![0u8; 2256];
        frame[..8].copy_from_slice(b"RCmb\0\0\x08\xd0");
        assert!(PackedFrame::pack(&frame).packed_len() < 40);
    }
}
