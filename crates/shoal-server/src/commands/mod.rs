//! The command registry: every command the server knows, how to find it
//! from the bytes a client sent, and what runs it.
//!
//! The facts (arity, flags, key specs) come from `shoal-command-table`;
//! this module attaches an implementation to each: a keyspace handler from
//! `shoal-commands`, or one of the server's own handlers (connection,
//! server, pub/sub, transactions), which need the whole server.

pub mod connection;
pub mod introspection;
pub mod memory;
pub mod migrate;
pub mod pubsub;
pub mod server_admin;
pub mod transactions;

use crate::server::Server;
use shoal_command_table::CommandSpec;
use shoal_commands::Handler;
use shoal_resp::request::Args;

/// A server-level command implementation: it gets the whole server and
/// the index of the calling client.
pub type ServerHandler = fn(&mut Server, usize, Args<'_>);

/// What runs a command.
#[derive(Clone, Copy)]
pub enum Exec {
    /// Runs against the keyspace only.
    Keyspace(Handler),
    /// Needs the server.
    Server(ServerHandler),
    /// A container (CLIENT, CONFIG ...): the subcommand decides.
    Container,
    /// Known to Redis 7.0 but not served by Shoal.
    Unsupported,
}

/// Index of a command in the registry.
pub type CommandRef = u16;

/// One registered command or subcommand.
pub struct Command {
    /// The facts from the command table.
    pub spec: &'static CommandSpec,
    /// What runs it.
    pub exec: Exec,
    /// Calls (INFO commandstats).
    pub calls: u64,
    /// Total microseconds spent.
    pub usec: u64,
    /// Calls that were rejected before running (wrong arity, OOM...).
    pub rejected_calls: u64,
    /// Calls that ran and replied with an error.
    pub failed_calls: u64,
    /// Latency distribution (`latency-tracking`), made at the first call.
    pub latency: Option<Box<crate::latency_histogram::LatencyHistogram>>,
}

/// All commands, addressable by [`CommandRef`]: the command table's dense
/// id, so a name resolves with the table's own lookup (a precomputed hash,
/// no allocation) and indexes straight into this vector.
pub struct Registry {
    commands: Vec<Command>,
}

impl Registry {
    /// Builds the registry from the command table.
    pub fn new() -> Registry {
        let mut commands: Vec<Command> = shoal_command_table::all_with_subcommands()
            .iter()
            .map(|spec| Command {
                spec,
                exec: exec_of(spec),
                calls: 0,
                usec: 0,
                rejected_calls: 0,
                failed_calls: 0,
                latency: None,
            })
            .collect();
        commands.sort_by_key(|c| c.spec.id);
        debug_assert!(commands
            .iter()
            .enumerate()
            .all(|(i, c)| c.spec.id as usize == i));
        Registry { commands }
    }

    /// Finds a top-level command by the name a client sent (any case).
    #[inline]
    pub fn lookup(&self, name: &[u8]) -> Option<CommandRef> {
        shoal_command_table::lookup(name).map(|s| s.id)
    }

    /// Finds `parent|sub`.
    pub fn lookup_subcommand(&self, parent: CommandRef, sub: &[u8]) -> Option<CommandRef> {
        shoal_command_table::lookup_subcommand(self.get(parent).spec, sub).map(|s| s.id)
    }

    /// The command behind `r`.
    #[inline]
    pub fn get(&self, r: CommandRef) -> &Command {
        &self.commands[r as usize]
    }

    /// The command behind `r`, for statistics updates.
    #[inline]
    pub fn get_mut(&mut self, r: CommandRef) -> &mut Command {
        &mut self.commands[r as usize]
    }

    /// Every registered command and subcommand.
    pub fn iter(&self) -> impl Iterator<Item = &Command> {
        self.commands.iter()
    }

    /// Every registered command, mutable (CONFIG RESETSTAT).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Command> {
        self.commands.iter_mut()
    }
}

fn exec_of(spec: &'static CommandSpec) -> Exec {
    if !spec.subcommands.is_empty() {
        Exec::Container
    } else if let Some(h) = server_handler(spec.name) {
        Exec::Server(h)
    } else if let Some(h) = shoal_commands::keyspace_handler(spec.name) {
        Exec::Keyspace(h)
    } else {
        Exec::Unsupported
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::new()
    }
}

/// The server-level handler of a command, by full lowercase name.
fn server_handler(name: &str) -> Option<ServerHandler> {
    use connection as c;
    use introspection as i;
    use pubsub as p;
    use server_admin as s;
    use transactions as t;
    if name.starts_with("cluster|") {
        return Some(crate::cluster_mode::cluster);
    }
    let h: ServerHandler = match name {
        "asking" => crate::cluster_mode::asking,
        "ping" => c::ping,
        "echo" => c::echo,
        "select" => c::select,
        "auth" => c::auth,
        "hello" => c::hello,
        "quit" => c::quit,
        "reset" => c::reset,
        "client|id" => c::client_id,
        "client|setname" => c::client_setname,
        "client|getname" => c::client_getname,
        "client|list" => c::client_list,
        "client|info" => c::client_info,
        "client|kill" => c::client_kill,
        "client|reply" => c::client_reply,
        "client|no-evict" => c::client_no_evict,
        "client|pause" => c::client_pause,
        "client|unpause" => c::client_unpause,
        "client|unblock" => c::client_unblock,
        "client|help" => c::client_help,
        "client|tracking" => crate::tracking::client_tracking,
        "client|caching" => crate::tracking::client_caching,
        "client|getredir" => crate::tracking::client_getredir,
        "client|trackinginfo" => crate::tracking::client_trackinginfo,
        "multi" => t::multi,
        "exec" => t::exec,
        "discard" => t::discard,
        "watch" => t::watch,
        "unwatch" => t::unwatch,
        "flushdb" => t::flushdb,
        "flushall" => t::flushall,
        "swapdb" => t::swapdb,
        "subscribe" => p::subscribe,
        "unsubscribe" => p::unsubscribe,
        "psubscribe" => p::psubscribe,
        "punsubscribe" => p::punsubscribe,
        "ssubscribe" => p::ssubscribe,
        "sunsubscribe" => p::sunsubscribe,
        "publish" => p::publish,
        "spublish" => p::spublish,
        "pubsub|channels" => p::pubsub_channels,
        "pubsub|numsub" => p::pubsub_numsub,
        "pubsub|numpat" => p::pubsub_numpat,
        "pubsub|shardchannels" => p::pubsub_shardchannels,
        "pubsub|shardnumsub" => p::pubsub_shardnumsub,
        "pubsub|help" => p::pubsub_help,
        "info" => i::info,
        "command" => i::command,
        "command|count" => i::command_count,
        "command|info" => i::command_info,
        "command|docs" => i::command_docs,
        "command|list" => i::command_list,
        "command|getkeys" => i::command_getkeys,
        "command|getkeysandflags" => i::command_getkeysandflags,
        "command|help" => i::command_help,
        "object|help" => i::object_help,
        "slowlog|get" => i::slowlog_get,
        "slowlog|len" => i::slowlog_len,
        "slowlog|reset" => i::slowlog_reset,
        "slowlog|help" => i::slowlog_help,
        "latency|latest" => i::latency_latest,
        "latency|history" => i::latency_history,
        "latency|reset" => i::latency_reset,
        "latency|help" => i::latency_help,
        "latency|doctor" => i::latency_doctor,
        "latency|histogram" => i::latency_histogram,
        "memory|usage" => i::memory_usage,
        "memory|help" => memory::memory_help,
        "memory|stats" => memory::memory_stats,
        "memory|doctor" => memory::memory_doctor,
        "memory|malloc-stats" => memory::memory_malloc_stats,
        "memory|purge" => memory::memory_purge,
        "module|help" => server_admin::module_help,
        "module|list" => server_admin::module_list,
        "module|load" => server_admin::module_load,
        "module|loadex" => server_admin::module_load,
        "module|unload" => server_admin::module_unload,
        "failover" => server_admin::failover,
        "lolwut" => server_admin::lolwut,
        "config|get" => s::config_get,
        "config|set" => s::config_set,
        "config|resetstat" => s::config_resetstat,
        "config|rewrite" => s::config_rewrite,
        "config|help" => s::config_help,
        "time" => s::time,
        "lastsave" => s::lastsave,
        "debug" => s::debug,
        "shutdown" => s::shutdown,
        "monitor" => s::monitor,
        "save" => s::save,
        "bgsave" => s::bgsave,
        "bgrewriteaof" => s::bgrewriteaof,
        "role" => s::role,
        "wait" => s::wait,
        "readonly" => s::readonly,
        "readwrite" => s::readwrite,
        "migrate" => migrate::migrate,
        _ => return None,
    };
    Some(h)
}
