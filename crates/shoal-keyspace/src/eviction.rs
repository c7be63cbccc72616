//! Choosing keys to evict when memory is over `maxmemory`.
//!
//! Approximated as Redis does: sample a few keys (`maxmemory-samples`),
//! keep the best candidates seen so far in a small pool that survives
//! between evictions, and evict the best. "Best" is the longest idle time
//! for LRU, the lowest decayed counter for LFU and the nearest expiry for
//! `volatile-ttl` (which Shoal finds exactly from its expiry index).

use crate::access::{self, AccessPolicy};
use crate::db::Db;
use rand::Rng;

/// The `maxmemory-policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EvictionPolicy {
    /// Refuse writes with an OOM error.
    #[default]
    NoEviction,
    /// Least recently used among all keys.
    AllKeysLru,
    /// Least frequently used among all keys.
    AllKeysLfu,
    /// Any key.
    AllKeysRandom,
    /// Least recently used among keys with a TTL.
    VolatileLru,
    /// Least frequently used among keys with a TTL.
    VolatileLfu,
    /// Any key with a TTL.
    VolatileRandom,
    /// The key with the nearest expiry.
    VolatileTtl,
}

impl EvictionPolicy {
    /// Parses the configuration name.
    pub fn from_name(name: &str) -> Option<EvictionPolicy> {
        Some(match name.to_ascii_lowercase().as_str() {
            "noeviction" => EvictionPolicy::NoEviction,
            "allkeys-lru" => EvictionPolicy::AllKeysLru,
            "allkeys-lfu" => EvictionPolicy::AllKeysLfu,
            "allkeys-random" => EvictionPolicy::AllKeysRandom,
            "volatile-lru" => EvictionPolicy::VolatileLru,
            "volatile-lfu" => EvictionPolicy::VolatileLfu,
            "volatile-random" => EvictionPolicy::VolatileRandom,
            "volatile-ttl" => EvictionPolicy::VolatileTtl,
            _ => return None,
        })
    }

    /// The configuration name.
    pub fn name(self) -> &'static str {
        match self {
            EvictionPolicy::NoEviction => "noeviction",
            EvictionPolicy::AllKeysLru => "allkeys-lru",
            EvictionPolicy::AllKeysLfu => "allkeys-lfu",
            EvictionPolicy::AllKeysRandom => "allkeys-random",
            EvictionPolicy::VolatileLru => "volatile-lru",
            EvictionPolicy::VolatileLfu => "volatile-lfu",
            EvictionPolicy::VolatileRandom => "volatile-random",
            EvictionPolicy::VolatileTtl => "volatile-ttl",
        }
    }

    /// True for the LFU policies (entries then keep access frequencies).
    pub fn is_lfu(self) -> bool {
        matches!(
            self,
            EvictionPolicy::AllKeysLfu | EvictionPolicy::VolatileLfu
        )
    }

    fn volatile_only(self) -> bool {
        matches!(
            self,
            EvictionPolicy::VolatileLru
                | EvictionPolicy::VolatileLfu
                | EvictionPolicy::VolatileRandom
                | EvictionPolicy::VolatileTtl
        )
    }
}

const POOL_SIZE: usize = 16;

#[derive(Debug, Clone)]
struct Candidate {
    score: u64,
    db: usize,
    key: Vec<u8>,
}

/// Candidates kept between evictions.
#[derive(Debug, Default)]
pub struct EvictionPool {
    candidates: Vec<Candidate>, // sorted by score, best last
}

impl EvictionPool {
    /// An empty pool.
    pub fn new() -> EvictionPool {
        EvictionPool::default()
    }

    fn offer(&mut self, c: Candidate) {
        if self
            .candidates
            .iter()
            .any(|x| x.db == c.db && x.key == c.key)
        {
            return;
        }
        if self.candidates.len() == POOL_SIZE {
            if self.candidates[0].score >= c.score {
                return;
            }
            self.candidates.remove(0);
        }
        let at = self.candidates.partition_point(|x| x.score < c.score);
        self.candidates.insert(at, c);
    }

    /// Picks one key to evict among `dbs` under `policy`, or `None` when
    /// nothing is evictable (no keys, or no volatile keys for volatile-*).
    /// The caller deletes the key.
    pub fn choose(
        &mut self,
        dbs: &mut [Db],
        policy: EvictionPolicy,
        samples: usize,
        now_ms: u64,
        rng: &mut impl Rng,
    ) -> Option<(usize, Vec<u8>)> {
        match policy {
            EvictionPolicy::NoEviction => None,
            EvictionPolicy::AllKeysRandom | EvictionPolicy::VolatileRandom => {
                let volatile = policy.volatile_only();
                let candidates: Vec<usize> = (0..dbs.len())
                    .filter(|&i| {
                        if volatile {
                            dbs[i].volatile_len() > 0
                        } else {
                            !dbs[i].is_empty()
                        }
                    })
                    .collect();
                let db = *candidates.get(rng.random_range(0..candidates.len().max(1)))?;
                let key = if volatile {
                    dbs[db].random_volatile_key(rng)?.to_vec()
                } else {
                    dbs[db].random_entry(rng)?.key().to_vec()
                };
                Some((db, key))
            }
            EvictionPolicy::VolatileTtl => {
                let (db, key) = dbs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, d)| d.soonest_expiring().map(|(at, k)| (at, i, k)))
                    .min_by_key(|(at, i, _)| (*at, *i))
                    .map(|(_, i, k)| (i, k.to_vec()))?;
                Some((db, key))
            }
            _ => self.choose_by_access(dbs, policy, samples, now_ms, rng),
        }
    }

    fn choose_by_access(
        &mut self,
        dbs: &mut [Db],
        policy: EvictionPolicy,
        samples: usize,
        now_ms: u64,
        rng: &mut impl Rng,
    ) -> Option<(usize, Vec<u8>)> {
        let volatile = policy.volatile_only();
        for (i, db) in dbs.iter().enumerate() {
            let pool_from = if volatile {
                db.volatile_len()
            } else {
                db.len()
            };
            if pool_from == 0 {
                continue;
            }
            let access_policy = db.access_policy();
            for _ in 0..samples.max(1) {
                let entry = if volatile {
                    match db.random_volatile_key(rng).and_then(|k| {
                        let k = k.to_vec();
                        db_entry_score(db, &k, access_policy, now_ms).map(|s| (k, s))
                    }) {
                        Some((key, score)) => {
                            self.offer(Candidate { score, db: i, key });
                            continue;
                        }
                        None => continue,
                    }
                } else {
                    db.random_entry(rng)
                };
                if let Some(e) = entry {
                    let score = access::eviction_score(access_policy, e.access(), now_ms);
                    self.offer(Candidate {
                        score,
                        db: i,
                        key: e.key().to_vec(),
                    });
                }
            }
        }
        // Best candidates last; skip ones deleted since they were pooled.
        while let Some(c) = self.candidates.pop() {
            if dbs[c.db].peek(&c.key, now_ms).is_some() {
                return Some((c.db, c.key));
            }
        }
        None
    }
}

fn db_entry_score(db: &Db, key: &[u8], policy: AccessPolicy, now_ms: u64) -> Option<u64> {
    db.peek_ref(key)
        .map(|e| access::eviction_score(policy, e.access(), now_ms))
}
