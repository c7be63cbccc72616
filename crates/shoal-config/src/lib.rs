//! Redis 7.0-compatible configuration for Shoal.
//!
//! Drop-in means an existing redis.conf works: every Redis 7.0 directive is accepted,
//! either implemented by Shoal or kept (validated, shown by CONFIG GET, rewritten, and
//! logged once by the server as having no effect). Only names Redis does not know fail,
//! with Redis's own error text.
//!
//! This crate does no I/O of its own: the caller passes text, and the few effects Redis
//! has while reading its configuration (`include`, `dir`, the log file check,
//! `rename-command`) go through the [`Host`] trait.
//!
//! # Layout
//!
//! - [`table`]: every directive with aliases, type, limits, defaults, flags, support.
//! - `args`: splitting a line into words ([`split_args`]) and quoting ([`quote`]).
//! - `numbers`, `value`: parsing and printing values with Redis's exact leniencies.
//! - `config`: [`Config`], CONFIG GET ([`Config::config_get`]) and SET ([`Config::config_set`]).
//! - `load`: config text, includes and errors ([`load`], [`LoadError`]).
//! - `cmdline`: `shoal-server [file] [-] [--name value ...]` ([`parse_command_line`]).
//! - `rewrite`: CONFIG REWRITE ([`Config::rewrite`]).
//! - `accessors`: typed getters (`config.maxmemory()`, `config.get_u64("maxmemory")`).
//! - [`glob`]: Redis's pattern matcher ([`string_match`]), shared with KEYS, SCAN and
//!   PSUBSCRIBE.
//!
//! # Where Shoal differs from Redis on purpose
//!
//! - CONFIG GET replies in pattern order, then table (alphabetical) order; Redis uses its
//!   hash order, which changes with every process.
//! - CONFIG REWRITE appends new lines in table order (Redis: hash order), keeps `user` and
//!   `loadmodule` lines as they were (Redis regenerates them from its ACL and module
//!   state), and writes a `maxmemory` above 2^63 as an unsigned number.
//! - `include` nesting stops at 64 levels instead of overflowing the stack.
//! - The fatal error banner names Shoal ([`product_banner`]) instead of `Redis 7.0.15`.
//! - `activedefrag yes` is accepted (kept), as upstream Redis does; Debian's build, whose
//!   jemalloc lacks defragmentation, refuses it.
//! - ACL rules in `user` lines are stored, not checked; `loadmodule` does not load.
//!
//! # Example
//!
//! ```
//! use shoal_config::{load, parse_command_line, Invocation, MemoryHost};
//!
//! let mut host = MemoryHost::new().with_file("/etc/shoal.conf", "port 7000\nsave 900 1\n");
//! let Invocation::Run(cmdline) = parse_command_line(&["/etc/shoal.conf", "--maxmemory", "1gb"]) else {
//!     unreachable!()
//! };
//! let config = load(&cmdline, &mut host).unwrap();
//! assert_eq!(config.port(), 7000);
//! assert_eq!(config.maxmemory(), 1 << 30);
//! assert_eq!(config.config_get(&[b"save"]), [("save".to_string(), b"900 1".to_vec())]);
//! ```

#![deny(missing_docs)]

mod accessors;
mod args;
mod cmdline;
mod config;
pub mod glob;
mod host;
mod load;
mod numbers;
mod rewrite;
pub mod table;
mod value;

pub use accessors::{LogLevel, MaxmemoryPolicy, ProtectedAction};
pub use args::{quote, split_args};
pub use cmdline::{absolute_config_path, parse_command_line, CommandLine, Invocation};
pub use config::{apply_failed_error, Changed, Config, KeptDirective, SetContext};
pub use glob::string_match;
pub use host::{Host, MemoryHost};
pub use load::{load, product_banner, LoadError};
pub use rewrite::REWRITE_SIGNATURE;
pub use table::{lookup, Directive, Support, DIRECTIVES, FILE_ONLY_DIRECTIVES};
pub use value::{ClientClass, KeyspaceEvents, OutputBufferLimit, SavePoint};
