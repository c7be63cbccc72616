//! The COMMAND INFO and COMMAND DOCS replies as a small value tree that the
//! server encodes in the client's protocol. Pure functions of the table.
//!
//! The shapes are Redis 7.0's, element types included, because clients parse
//! them: COMMAND INFO entries are arrays whose flag, category, tip and key-spec
//! lists are *sets* (and whose subcommand list is an array, or an empty set when
//! there are no subcommands); COMMAND DOCS entries are maps. In RESP2 a set is
//! sent as an array and a map as a flat array of key, value, key, value...
//!
//! ```text
//! COMMAND INFO get  ->  *1  [ "get", 2, ~{readonly fast}, 1, 1, 1,
//!                             ~{@read @string @fast}, ~{}, ~{key spec maps}, ~{} ]
//! COMMAND DOCS get  ->  %1  { "get" => { summary, since, group, complexity, arguments } }
//! ```

use crate::spec::{ArgDoc, BeginSearch, CommandSpec, FindKeys, KeySpec};
use crate::{doc_flags, flags, key_flags};

/// One node of a reply, mirroring the RESP3 types Redis uses for these replies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocValue {
    /// Bulk string.
    Str(&'static str),
    /// Simple string (`+...`), as Redis sends flag and category names.
    Status(&'static str),
    /// Integer.
    Int(i64),
    /// Array.
    Array(Vec<DocValue>),
    /// Set (RESP3 `~`; an array in RESP2).
    Set(Vec<DocValue>),
    /// Map with bulk-string keys, in order (RESP3 `%`; a flat array in RESP2).
    Map(Vec<(&'static str, DocValue)>),
    /// Null, as COMMAND INFO gives for an unknown name (`_` in RESP3, `$-1` in RESP2).
    Null,
}

/// The COMMAND INFO entry of one command (one element of the reply array).
pub fn command_info_reply(spec: &CommandSpec) -> DocValue {
    let subcommands = if spec.subcommands.is_empty() {
        DocValue::Set(Vec::new())
    } else {
        DocValue::Array(spec.subcommands.iter().map(command_info_reply).collect())
    };
    DocValue::Array(vec![
        DocValue::Str(spec.name),
        DocValue::Int(i64::from(spec.arity)),
        DocValue::Set(flags::names(spec.flags).map(DocValue::Status).collect()),
        DocValue::Int(i64::from(spec.first_key)),
        DocValue::Int(i64::from(spec.last_key)),
        DocValue::Int(i64::from(spec.key_step)),
        DocValue::Set(
            spec.acl_categories
                .iter()
                .map(|c| DocValue::Status(c))
                .collect(),
        ),
        DocValue::Set(spec.tips.iter().map(|t| DocValue::Str(t)).collect()),
        DocValue::Set(spec.key_specs.iter().map(key_spec_reply).collect()),
        subcommands,
    ])
}

/// One key specification as COMMAND INFO shows it.
pub fn key_spec_reply(ks: &KeySpec) -> DocValue {
    let mut map = Vec::with_capacity(4);
    if let Some(notes) = ks.notes {
        map.push(("notes", DocValue::Str(notes)));
    }
    map.push(("flags", key_flags_reply(ks.flags)));
    let begin = match ks.begin_search {
        BeginSearch::Index(i) => search("index", vec![("index", DocValue::Int(i64::from(i)))]),
        BeginSearch::Keyword {
            keyword,
            start_from,
        } => search(
            "keyword",
            vec![
                ("keyword", DocValue::Str(keyword)),
                ("startfrom", DocValue::Int(i64::from(start_from))),
            ],
        ),
        BeginSearch::Unknown => search("unknown", Vec::new()),
    };
    map.push(("begin_search", begin));
    let find = match ks.find_keys {
        FindKeys::Range {
            last_key,
            key_step,
            limit,
        } => search(
            "range",
            vec![
                ("lastkey", DocValue::Int(i64::from(last_key))),
                ("keystep", DocValue::Int(i64::from(key_step))),
                ("limit", DocValue::Int(i64::from(limit))),
            ],
        ),
        FindKeys::Keynum {
            keynum_index,
            first_key,
            key_step,
        } => search(
            "keynum",
            vec![
                ("keynumidx", DocValue::Int(i64::from(keynum_index))),
                ("firstkey", DocValue::Int(i64::from(first_key))),
                ("keystep", DocValue::Int(i64::from(key_step))),
            ],
        ),
        FindKeys::Unknown => search("unknown", Vec::new()),
    };
    map.push(("find_keys", find));
    DocValue::Map(map)
}

fn search(kind: &'static str, spec: Vec<(&'static str, DocValue)>) -> DocValue {
    DocValue::Map(vec![
        ("type", DocValue::Str(kind)),
        ("spec", DocValue::Map(spec)),
    ])
}

/// Key flags as the set of names COMMAND INFO and COMMAND GETKEYSANDFLAGS print.
pub fn key_flags_reply(flags: u32) -> DocValue {
    DocValue::Set(key_flags::names(flags).map(DocValue::Status).collect())
}

/// The COMMAND DOCS map of one command (the value under its name in the reply).
pub fn command_docs_reply(spec: &CommandSpec) -> DocValue {
    let d = spec.docs;
    let mut map = Vec::with_capacity(10);
    map.push(("summary", DocValue::Str(d.summary)));
    map.push(("since", DocValue::Str(d.since)));
    map.push(("group", DocValue::Str(d.group)));
    if let Some(c) = d.complexity {
        map.push(("complexity", DocValue::Str(c)));
    }
    if d.doc_flags != 0 {
        let names = doc_flags::command_names(d.doc_flags)
            .map(DocValue::Status)
            .collect();
        map.push(("doc_flags", DocValue::Set(names)));
    }
    if let Some(v) = d.deprecated_since {
        map.push(("deprecated_since", DocValue::Str(v)));
    }
    if let Some(r) = d.replaced_by {
        map.push(("replaced_by", DocValue::Str(r)));
    }
    if !d.history.is_empty() {
        let entries = d
            .history
            .iter()
            .map(|(version, text)| {
                DocValue::Array(vec![DocValue::Str(version), DocValue::Str(text)])
            })
            .collect();
        map.push(("history", DocValue::Set(entries)));
    }
    if !d.arguments.is_empty() {
        map.push(("arguments", args_reply(d.arguments)));
    }
    if !spec.subcommands.is_empty() {
        let subs = spec
            .subcommands
            .iter()
            .map(|s| (s.name, command_docs_reply(s)))
            .collect();
        map.push(("subcommands", DocValue::Map(subs)));
    }
    DocValue::Map(map)
}

fn args_reply(args: &'static [ArgDoc]) -> DocValue {
    DocValue::Array(args.iter().map(arg_reply).collect())
}

fn arg_reply(a: &'static ArgDoc) -> DocValue {
    let mut map = Vec::with_capacity(8);
    map.push(("name", DocValue::Str(a.name)));
    map.push(("type", DocValue::Str(a.kind.as_str())));
    if let Some(i) = a.key_spec_index {
        map.push(("key_spec_index", DocValue::Int(i64::from(i))));
    }
    if let Some(t) = a.token {
        map.push(("token", DocValue::Str(t)));
    }
    if let Some(s) = a.since {
        map.push(("since", DocValue::Str(s)));
    }
    if let Some(s) = a.deprecated_since {
        map.push(("deprecated_since", DocValue::Str(s)));
    }
    if a.flags != 0 {
        map.push((
            "flags",
            DocValue::Set(
                doc_flags::arg_names(a.flags)
                    .map(DocValue::Status)
                    .collect(),
            ),
        ));
    }
    if matches!(a.kind, crate::ArgType::Oneof | crate::ArgType::Block) {
        map.push(("arguments", args_reply(a.arguments)));
    }
    DocValue::Map(map)
}
