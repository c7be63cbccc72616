//! Longest common subsequence of two strings, for the LCS command.
//!
//! A dynamic-programming table of prefix LCS lengths, walked back from the
//! ends of both strings. On a tie the walk moves in the second string
//! first, which decides which of several equally long answers is reported,
//! as in Redis. Matches are runs of consecutive matching positions, listed
//! in the order the walk finds them (from the end of the strings).

/// One run of matching bytes: inclusive ranges in each string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    /// Start and end (inclusive) in the first string.
    pub a: (usize, usize),
    /// Start and end (inclusive) in the second string.
    pub b: (usize, usize),
    /// Number of bytes in the run.
    pub len: usize,
}

/// The LCS table of two strings.
pub struct Lcs {
    cols: usize, // b.len() + 1
    table: Vec<u32>,
    path: Vec<(usize, usize)>, // matched (i, j) positions, from the end
}

impl Lcs {
    /// Builds the table for `a` and `b` (O(len(a) * len(b)) time and space).
    pub fn compute(a: &[u8], b: &[u8]) -> Lcs {
        let cols = b.len() + 1;
        let mut table = vec![0u32; (a.len() + 1) * cols];
        for i in 1..=a.len() {
            for j in 1..=b.len() {
                table[i * cols + j] = if a[i - 1] == b[j - 1] {
                    table[(i - 1) * cols + j - 1] + 1
                } else {
                    table[(i - 1) * cols + j].max(table[i * cols + j - 1])
                };
            }
        }
        let mut lcs = Lcs {
            cols,
            table,
            path: Vec::new(),
        };
        let (mut i, mut j) = (a.len(), b.len());
        while i > 0 && j > 0 {
            if a[i - 1] == b[j - 1] {
                lcs.path.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
            } else if lcs.at(i - 1, j) > lcs.at(i, j - 1) {
                i -= 1;
            } else {
                j -= 1;
            }
        }
        lcs
    }

    fn at(&self, i: usize, j: usize) -> u32 {
        self.table[i * self.cols + j]
    }

    /// Length of the longest common subsequence.
    pub fn len(&self) -> usize {
        self.path.len()
    }

    /// True when the strings share no byte.
    pub fn is_empty(&self) -> bool {
        self.path.is_empty()
    }

    /// The subsequence itself.
    pub fn sequence(&self, a: &[u8]) -> Vec<u8> {
        self.path.iter().rev().map(|&(i, _)| a[i]).collect()
    }

    /// Runs of consecutive matches at least `min_len` long (0: all).
    pub fn matches(&self, min_len: usize) -> Vec<Match> {
        let mut out = Vec::new();
        let mut k = 0;
        while k < self.path.len() {
            let (end_a, end_b) = self.path[k];
            let mut run = 1;
            while k + run < self.path.len() {
                let (pa, pb) = self.path[k + run];
                if pa + run == end_a && pb + run == end_b {
                    run += 1;
                } else {
                    break;
                }
            }
            if min_len == 0 || run >= min_len {
                out.push(Match {
                    a: (end_a + 1 - run, end_a),
                    b: (end_b + 1 - run, end_b),
                    len: run,
                });
            }
            k += run;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redis_documentation_example() {
        // The example pair Redis's documentation uses; expected values
        // checked with redis-server 7.0 (LCS, LEN, IDX MINMATCHLEN 4).
        let a = b"ohmytext";
        let b = b"mynewtext";
        let l = Lcs::compute(a, b);
        assert_eq!(l.sequence(a), b"mytext");
        assert_eq!(l.len(), 6);
        let m = l.matches(0);
        assert_eq!(
            m,
            vec![
                Match {
                    a: (4, 7),
                    b: (5, 8),
                    len: 4
                },
                Match {
                    a: (2, 3),
                    b: (0, 1),
                    len: 2
                },
            ]
        );
        assert_eq!(l.matches(4).len(), 1);
    }

    #[test]
    fn empty_inputs() {
        let l = Lcs::compute(b"", b"abc");
        assert!(l.is_empty());
        assert!(l.matches(0).is_empty());
    }
}
