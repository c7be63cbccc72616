//! The types of the command table: one [`CommandSpec`] per command or subcommand,
//! its [`KeySpec`]s and its [`CommandDocs`].
//!
//! Everything is `'static` data built by the generated `table.rs`; nothing here
//! allocates or executes a command.

/// One command or subcommand as Redis 7.0 describes it in COMMAND INFO and COMMAND DOCS.
#[derive(Debug)]
pub struct CommandSpec {
    /// Lowercase full name as COMMAND INFO prints it: `"get"`, or `"client|list"`
    /// for a subcommand.
    pub name: &'static str,
    /// Redis's arity: the exact argument count including the command name (and
    /// the subcommand name), or, when negative, the minimum count.
    pub arity: i32,
    /// Bitset of [`crate::flags`] constants.
    pub flags: u64,
    /// Legacy first key position (0 when the command has no fixed key range).
    pub first_key: i32,
    /// Legacy last key position; negative counts from the end.
    pub last_key: i32,
    /// Legacy step between keys.
    pub key_step: i32,
    /// ACL categories, each as COMMAND INFO prints it, with the leading `@`.
    pub acl_categories: &'static [&'static str],
    /// Tips for clients, e.g. `"request_policy:all_shards"`.
    pub tips: &'static [&'static str],
    /// Key specifications, in Redis's order (`key_spec_index` in the docs points here).
    pub key_specs: &'static [KeySpec],
    /// Subcommands in name order (Redis lists them in its hash-table order, which
    /// varies between processes); empty for plain commands.
    pub subcommands: &'static [CommandSpec],
    /// The COMMAND DOCS facts and texts.
    pub docs: &'static CommandDocs,
    /// How Redis finds the keys when the key specs cannot (see [`GetKeys`]).
    pub getkeys: GetKeys,
    /// Dense id: index of this command in [`crate::all_with_subcommands`].
    pub id: u16,
}

impl CommandSpec {
    /// True if every flag bit in `flags` is set.
    #[inline]
    pub fn has(&self, flags: u64) -> bool {
        self.flags & flags == flags
    }

    /// True for a subcommand (`"client|list"`).
    #[inline]
    pub fn is_subcommand(&self) -> bool {
        self.name.contains('|')
    }

    /// The name without the parent: `"list"` for `"client|list"`, the name itself otherwise.
    pub fn short_name(&self) -> &'static str {
        match self.name.split_once('|') {
            Some((_, sub)) => sub,
            None => self.name,
        }
    }

    /// True if the command can name keys: a key spec that is not `not_key`, or a
    /// key-finding procedure of its own (Redis's test for COMMAND GETKEYS).
    pub fn has_keys(&self) -> bool {
        !matches!(self.getkeys, GetKeys::Specs)
            || self
                .key_specs
                .iter()
                .any(|k| k.flags & crate::key_flags::NOT_KEY == 0)
    }
}

/// Where a key spec finds its keys: a start ([`BeginSearch`]) and a way to find the
/// keys from there ([`FindKeys`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    /// Bitset of [`crate::key_flags`] constants.
    pub flags: u32,
    /// Where the search starts.
    pub begin_search: BeginSearch,
    /// How the keys are found from the start.
    pub find_keys: FindKeys,
    /// A note for people reading COMMAND INFO (our own wording).
    pub notes: Option<&'static str>,
}

/// The start of a key spec's search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// The first key is at this argument index.
    Index(i32),
    /// The first key follows `keyword`, searched for from argument `start_from`
    /// onwards (or, when negative, backwards from `argc + start_from`).
    Keyword {
        /// The keyword, compared case-insensitively.
        keyword: &'static str,
        /// Where the search starts; negative counts from the end.
        start_from: i32,
    },
    /// The keys cannot be found from the spec alone.
    Unknown,
}

/// How a key spec finds its keys once the start is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// A range of keys.
    Range {
        /// Last key, relative to the start when `>= 0`, or counted from the end
        /// of the arguments when negative.
        last_key: i32,
        /// Step between keys.
        key_step: i32,
        /// With `last_key == -1`, only `1/limit` of the remaining arguments are keys
        /// (XREAD's STREAMS); 0 means all.
        limit: i32,
    },
    /// The number of keys is an argument.
    Keynum {
        /// Index of the count, relative to the start.
        keynum_index: i32,
        /// Index of the first key, relative to the start.
        first_key: i32,
        /// Step between keys.
        key_step: i32,
    },
    /// The keys cannot be found from the spec alone.
    Unknown,
}

/// How Redis 7.0 finds keys when the key specs cannot: a spec with
/// `variable_flags` or `incomplete`, an `unknown` spec, or a count argument the
/// spec parser rejects. This mirrors each command's key-finding procedure in
/// Redis, so that [`crate::key_positions`] answers exactly as COMMAND GETKEYS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetKeys {
    /// Only the key specs (the command has no procedure of its own).
    Specs,
    /// SET: key 1; flags depend on a `GET` argument.
    Set,
    /// MIGRATE: key 3, or the keys after a `KEYS` keyword when key 3 is empty.
    Migrate,
    /// BITFIELD: key 1, read-only when every operation is a GET.
    Bitfield,
    /// A count argument then that many keys, optionally a destination key
    /// (ZUNIONSTORE, LMPOP, EVAL...). The count is read leniently, like C's `atoi`.
    Numkeys {
        /// Index of the destination key, 0 if none.
        store: i32,
        /// Index of the count.
        count: i32,
        /// Index of the first key.
        first: i32,
    },
    /// SORT: key 1 and the argument after the last `STORE`.
    Sort,
    /// SORT_RO: key 1.
    SortRo,
    /// XREAD / XREADGROUP: half the arguments after `STREAMS`.
    Xread,
}

/// The COMMAND DOCS entry of a command.
#[derive(Debug)]
pub struct CommandDocs {
    /// One sentence saying what the command does (our own wording).
    pub summary: &'static str,
    /// The Redis version that introduced the command.
    pub since: &'static str,
    /// Redis's command group: `"string"`, `"sorted-set"`, `"cluster"`...
    pub group: &'static str,
    /// Time complexity (our own wording); `None` where Redis 7.0 gives none.
    pub complexity: Option<&'static str>,
    /// Bitset of [`crate::doc_flags`] command flags (`DEPRECATED`, `SYSCMD`).
    pub doc_flags: u8,
    /// The version that deprecated the command.
    pub deprecated_since: Option<&'static str>,
    /// What to use instead of a deprecated command (our own wording).
    pub replaced_by: Option<&'static str>,
    /// Changes by version: `(version, description)`; descriptions are our own wording.
    pub history: &'static [(&'static str, &'static str)],
    /// The argument tree.
    pub arguments: &'static [ArgDoc],
}

/// One argument in COMMAND DOCS.
#[derive(Debug)]
pub struct ArgDoc {
    /// Argument name.
    pub name: &'static str,
    /// Argument type.
    pub kind: ArgType,
    /// Index into [`CommandSpec::key_specs`] for key arguments.
    pub key_spec_index: Option<u32>,
    /// The literal token that introduces the argument, e.g. `"EX"`.
    pub token: Option<&'static str>,
    /// The version that added the argument.
    pub since: Option<&'static str>,
    /// The version that deprecated the argument.
    pub deprecated_since: Option<&'static str>,
    /// Bitset of [`crate::doc_flags`] argument flags (`OPTIONAL`, `MULTIPLE`, `MULTIPLE_TOKEN`).
    pub flags: u8,
    /// Nested arguments of a `oneof` or `block`.
    pub arguments: &'static [ArgDoc],
}

/// The type of a documented argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgType {
    /// Any string.
    String,
    /// An integer.
    Integer,
    /// A floating point number.
    Double,
    /// A key name.
    Key,
    /// A glob pattern.
    Pattern,
    /// A Unix timestamp.
    UnixTime,
    /// A token with no value (`WITHSCORES`).
    PureToken,
    /// Exactly one of the nested arguments.
    Oneof,
    /// All the nested arguments, in order.
    Block,
}

impl ArgType {
    /// The name COMMAND DOCS prints.
    pub fn as_str(self) -> &'static str {
        match self {
            ArgType::String => "string",
            ArgType::Integer => "integer",
            ArgType::Double => "double",
            ArgType::Key => "key",
            ArgType::Pattern => "pattern",
            ArgType::UnixTime => "unix-time",
            ArgType::PureToken => "pure-token",
            ArgType::Oneof => "oneof",
            ArgType::Block => "block",
        }
    }
}

impl ArgDoc {
    /// A string argument with no name, token, flags or nested arguments: the base
    /// the generated table fills with `..ArgDoc::BLANK`.
    pub const BLANK: ArgDoc = ArgDoc {
        name: "",
        kind: ArgType::String,
        key_spec_index: None,
        token: None,
        since: None,
        deprecated_since: None,
        flags: 0,
        arguments: &[],
    };
}
