//! Flags of COMMAND DOCS: per command ([`CommandDocs::doc_flags`](crate::CommandDocs::doc_flags))
//! and per argument ([`ArgDoc::flags`](crate::ArgDoc::flags)).

/// Command doc flag: the command is deprecated.
pub const DEPRECATED: u8 = 1 << 0;
/// Command doc flag: a system command, not meant for users.
pub const SYSCMD: u8 = 1 << 1;

/// Argument flag: the argument may be left out.
pub const OPTIONAL: u8 = 1 << 0;
/// Argument flag: the argument may repeat.
pub const MULTIPLE: u8 = 1 << 1;
/// Argument flag: the argument repeats together with its token.
pub const MULTIPLE_TOKEN: u8 = 1 << 2;

const COMMAND_NAMES: [&str; 2] = ["deprecated", "syscmd"];
const ARG_NAMES: [&str; 3] = ["optional", "multiple", "multiple_token"];

/// The names Redis prints for command doc flags, in Redis's order.
pub fn command_names(flags: u8) -> impl Iterator<Item = &'static str> {
    (0..COMMAND_NAMES.len())
        .filter(move |b| flags & (1 << b) != 0)
        .map(|b| COMMAND_NAMES[b])
}

/// The names Redis prints for argument flags, in Redis's order.
pub fn arg_names(flags: u8) -> impl Iterator<Item = &'static str> {
    (0..ARG_NAMES.len())
        .filter(move |b| flags & (1 << b) != 0)
        .map(|b| ARG_NAMES[b])
}
