//! What a command runs against: the databases, the reply buffer, the time.

use rand::rngs::SmallRng;
use shoal_keyspace::Db;
use shoal_resp::ReplyBuf;

/// Settings the command layer reads (a copy of the relevant config,
/// refreshed by the server when CONFIG SET changes one).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `proto-max-bulk-len`: the longest string a command may create.
    pub proto_max_bulk_len: u64,
    /// `list-max-listpack-size`.
    pub list_max_listpack_size: i64,
    /// `hash-max-listpack-entries`.
    pub hash_max_listpack_entries: usize,
    /// `hash-max-listpack-value`.
    pub hash_max_listpack_value: usize,
    /// `set-max-intset-entries`.
    pub set_max_intset_entries: usize,
    /// `zset-max-listpack-entries`.
    pub zset_max_listpack_entries: usize,
    /// `zset-max-listpack-value`.
    pub zset_max_listpack_value: usize,
    /// Cluster mode: only db 0 exists for commands.
    pub cluster_enabled: bool,
    /// `hll-sparse-max-bytes`: the largest sparse HyperLogLog.
    pub hll_sparse_max_bytes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            proto_max_bulk_len: 512 * 1024 * 1024,
            list_max_listpack_size: -2,
            hash_max_listpack_entries: 128,
            hash_max_listpack_value: 64,
            set_max_intset_entries: 512,
            zset_max_listpack_entries: 128,
            zset_max_listpack_value: 64,
            cluster_enabled: false,
            hll_sparse_max_bytes: 3000,
        }
    }
}

/// Everything a keyspace command may touch while it runs.
pub struct ExecCtx<'a> {
    /// All databases (SWAPDB, MOVE and COPY ... DB reach across them).
    pub dbs: &'a mut [Db],
    /// The selected database index.
    pub db: usize,
    /// Where the reply goes.
    pub out: &'a mut ReplyBuf,
    /// Unix time in ms, fixed for the whole command (as Redis fixes it).
    pub now_ms: u64,
    /// Randomness for SPOP, RANDOMKEY, LFU counters...
    pub rng: &'a mut SmallRng,
    /// Limits and encoding thresholds.
    pub settings: &'a Settings,
    /// Number of changes made (feeds INFO's `rdb_changes_since_last_save`).
    pub dirty: u64,
    /// False inside MULTI/EXEC: blocking commands then answer at once.
    pub may_block: bool,
}

impl ExecCtx<'_> {
    /// The selected database.
    #[inline]
    pub fn db(&mut self) -> &mut Db {
        &mut self.dbs[self.db]
    }
}

/// A request to park the client until a key changes or time runs out.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockRequest {
    /// The keys whose change may serve the command.
    pub keys: Vec<Vec<u8>>,
    /// Absolute deadline in Unix ms; `None` waits forever.
    pub deadline_ms: Option<u64>,
    /// What the client gets if the deadline passes.
    pub timeout_reply: TimeoutReply,
    /// The type a key must hold to serve the command: a key set to another
    /// type leaves the client waiting rather than answering WRONGTYPE.
    pub waits_for: shoal_keyspace::ValueType,
}

/// The reply a blocked command gives when its timeout passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutReply {
    /// A null array (`*-1`): BLPOP, BRPOP, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP.
    NullArray,
    /// A null bulk (`$-1`): BLMOVE, BRPOPLPUSH.
    NullBulk,
}

/// How a command finished.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The reply is written.
    Done,
    /// Nothing was written: block the client (see [`BlockRequest`]); the
    /// server re-runs the command when a key changes and writes the
    /// timeout reply itself if the deadline passes.
    Block(BlockRequest),
}
