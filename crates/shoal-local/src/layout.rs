//! Which node listens where and does what: ports, the primary each replica
//! follows, and the slot ranges of each primary. Pure arithmetic, no IO.
//!
//! Nodes are numbered in port order. The first `primaries` ports are the
//! primaries; replica `k` (counting replicas only) follows primary
//! `k % primaries`, so each primary gets the same number of replicas and
//! the replicas of one primary are spread apart, as redis-cli lays out a
//! cluster on a single host.

use crate::failure::Failure;

/// Slots of a Redis cluster.
pub const SLOT_COUNT: u32 = 16384;

/// The bus of node `p` listens on `p + BUS_PORT_OFFSET`, as in Redis.
pub const BUS_PORT_OFFSET: u32 = 10000;

/// Defaults of `shoal-local start`.
pub const DEFAULT_PRIMARIES: u16 = 3;
/// Default replicas per primary.
pub const DEFAULT_REPLICAS_PER_PRIMARY: u16 = 1;
/// Default first port.
pub const DEFAULT_BASE_PORT: u16 = 7000;
/// Default cluster-node-timeout in milliseconds: short enough that a
/// failover tried by hand happens within seconds, long enough that a busy
/// laptop does not trigger one by accident.
pub const DEFAULT_NODE_TIMEOUT_MS: u64 = 5000;

/// The shape of a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// Primaries, each owning a share of the slots (at least 1).
    pub primaries: u16,
    /// Replicas following each primary.
    pub replicas_per_primary: u16,
    /// Port of the first node.
    pub base_port: u16,
}

/// What a node is meant to be when the cluster is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Owns the inclusive slot range `first..=last`.
    Primary {
        /// First slot.
        first: u16,
        /// Last slot, inclusive.
        last: u16,
    },
    /// Follows the primary on this port.
    Replica {
        /// The primary's port.
        primary_port: u16,
    },
}

impl Layout {
    /// Checks that every data port and bus port fits in 1..=65535.
    pub fn validated(self) -> Result<Layout, Failure> {
        if self.primaries == 0 {
            return Err(Failure::new(
                "--primaries must be at least 1",
                "pass --primaries 3",
            ));
        }
        let last_bus = u32::from(self.base_port) + self.node_count() as u32 - 1 + BUS_PORT_OFFSET;
        if last_bus > 65535 {
            let max_base = 65535 - BUS_PORT_OFFSET - (self.node_count() as u32 - 1);
            return Err(Failure::new(
                format!(
                    "{} nodes from port {} need bus ports up to {last_bus}, above 65535",
                    self.node_count(),
                    self.base_port
                ),
                format!("pick --base-port {max_base} or lower, or fewer nodes"),
            ));
        }
        Ok(self)
    }

    /// Primaries plus replicas.
    pub fn node_count(&self) -> usize {
        usize::from(self.primaries) * (1 + usize::from(self.replicas_per_primary))
    }

    /// Every node's port, in node order.
    pub fn ports(&self) -> Vec<u16> {
        (0..self.node_count())
            .map(|i| self.base_port + i as u16)
            .collect()
    }

    /// The role of each node, in node order.
    pub fn roles(&self) -> Vec<(u16, Role)> {
        let primaries = usize::from(self.primaries);
        let ranges = slot_ranges(self.primaries);
        self.ports()
            .into_iter()
            .enumerate()
            .map(|(i, port)| {
                let role = if i < primaries {
                    let (first, last) = ranges[i];
                    Role::Primary { first, last }
                } else {
                    Role::Replica {
                        primary_port: self.base_port + ((i - primaries) % primaries) as u16,
                    }
                };
                (port, role)
            })
            .collect()
    }

    /// "3 primaries, 1 replica each" for progress lines.
    pub fn describe(&self) -> String {
        let p = if self.primaries == 1 {
            "primary"
        } else {
            "primaries"
        };
        let r = match self.replicas_per_primary {
            0 => "no replicas".to_string(),
            1 => "1 replica each".to_string(),
            n => format!("{n} replicas each"),
        };
        format!("{} {p}, {r}", self.primaries)
    }

    /// "127.0.0.1:7000-7005" (or a single address).
    pub fn address_range(&self) -> String {
        let last = self.base_port + self.node_count() as u16 - 1;
        if last == self.base_port {
            format!("127.0.0.1:{last}")
        } else {
            format!("127.0.0.1:{}-{last}", self.base_port)
        }
    }
}

/// Splits the 16384 slots into `primaries` contiguous inclusive ranges as
/// redis-cli's `--cluster create` does: each range is the rounded running
/// share, the last range ends at slot 16383. For 3 primaries:
/// 0-5460, 5461-10922, 10923-16383.
pub fn slot_ranges(primaries: u16) -> Vec<(u16, u16)> {
    let n = u32::from(primaries.max(1));
    let share = f64::from(SLOT_COUNT) / f64::from(n);
    let mut ranges = Vec::with_capacity(n as usize);
    let mut first: u32 = 0;
    for i in 0..n {
        let mut last = if i + 1 == n {
            SLOT_COUNT - 1
        } else {
            // Round the running total, not each share, so rounding errors
            // do not pile up on the last primary.
            ((f64::from(i) * share + share - 1.0).round() as u32).min(SLOT_COUNT - 1)
        };
        last = last.max(first);
        ranges.push((first as u16, last as u16));
        first = last + 1;
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(p: u16, r: u16, base: u16) -> Layout {
        Layout {
            primaries: p,
            replicas_per_primary: r,
            base_port: base,
        }
    }

    #[test]
    fn three_primaries_split_slots_like_redis_cli() {
        assert_eq!(
            slot_ranges(3),
            vec![(0, 5460), (5461, 10922), (10923, 16383)]
        );
    }

    #[test]
    fn slot_ranges_cover_every_slot_once_for_any_primary_count() {
        for n in [1u16, 2, 4, 5, 7, 10, 100, 1000] {
            let r = slot_ranges(n);
            assert_eq!(r.len(), usize::from(n));
            assert_eq!(r[0].0, 0);
            assert_eq!(r.last().unwrap().1, 16383);
            for w in r.windows(2) {
                assert_eq!(w[0].1 + 1, w[1].0, "gap or overlap for {n}");
            }
            let sizes: Vec<u16> = r.iter().map(|(a, b)| b - a + 1).collect();
            let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
            assert!(max - min <= 1, "uneven split for {n}: {sizes:?}");
        }
    }

    #[test]
    fn replicas_are_spread_over_the_primaries_in_turn() {
        let roles = layout(3, 2, 7000).roles();
        assert_eq!(roles.len(), 9);
        assert_eq!(
            roles[0],
            (
                7000,
                Role::Primary {
                    first: 0,
                    last: 5460
                }
            )
        );
        let followed: Vec<u16> = roles[3..]
            .iter()
            .map(|(_, r)| match r {
                Role::Replica { primary_port } => *primary_port,
                Role::Primary { .. } => panic!("a replica port got a primary role"),
            })
            .collect();
        assert_eq!(followed, vec![7000, 7001, 7002, 7000, 7001, 7002]);
    }

    #[test]
    fn bus_ports_beyond_65535_are_refused_with_a_base_port_that_fits() {
        let err = layout(3, 1, 55531).validated().unwrap_err();
        assert!(err.next.contains("--base-port 55530"), "{err}");
        assert!(layout(3, 1, 55530).validated().is_ok());
    }

    #[test]
    fn descriptions_name_the_shape_and_the_ports() {
        assert_eq!(layout(3, 1, 7000).describe(), "3 primaries, 1 replica each");
        assert_eq!(layout(1, 0, 7000).describe(), "1 primary, no replicas");
        assert_eq!(layout(3, 1, 7000).address_range(), "127.0.0.1:7000-7005");
    }
}
