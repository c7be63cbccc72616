//! COMMAND INFO and COMMAND DOCS replies, compared byte for byte with the
//! replies Redis 7.0.15 gave for every served command and subcommand
//! (captured by `gen/capture.py` in both protocols). Free text is masked on both
//! sides: it is our own wording by design. Everything else must be identical:
//! names, arity, flags and their order, key positions, categories, tips, key
//! specs, doc fields, argument trees and every RESP type (set vs. array, bulk
//! vs. simple string).

mod common;

use common::{data, encode, mask_docs, mask_info, Reader};
use shoal_command_table::{
    all_with_subcommands, command_docs_reply, command_info_reply, lookup_fullname, DocValue,
};

fn names() -> Vec<String> {
    String::from_utf8(data("names.txt"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn check(
    file: &str,
    resp3: bool,
    build: impl Fn(&'static shoal_command_table::CommandSpec) -> DocValue,
) {
    let captured = data(file);
    let mut reader = Reader::new(&captured);
    let names = names();
    for name in &names {
        let (_, expected) = reader.next_raw();
        let spec = lookup_fullname(name.as_bytes())
            .unwrap_or_else(|| panic!("{name} is not in the table"));
        let mut ours = Vec::new();
        encode(&build(spec), resp3, &mut ours);
        assert!(
            ours == expected,
            "{file}: {name} differs\n ours:  {}\n redis: {}",
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(expected)
        );
    }
    assert!(reader.at_end(), "{file} has more replies than names.txt");
}

fn info(spec: &'static shoal_command_table::CommandSpec) -> DocValue {
    DocValue::Array(vec![mask_info(&command_info_reply(spec))])
}

fn docs(spec: &'static shoal_command_table::CommandSpec) -> DocValue {
    DocValue::Map(vec![(spec.name, mask_docs(&command_docs_reply(spec)))])
}

#[test]
fn captures_cover_every_served_command() {
    let names = names();
    assert_eq!(names.len(), all_with_subcommands().len());
    for (name, spec) in names.iter().zip(all_with_subcommands()) {
        assert!(lookup_fullname(name.as_bytes()).is_some(), "{name}");
        let _ = spec;
    }
}

#[test]
fn command_info_matches_redis_resp2() {
    check("info_resp2.resp", false, info);
}

#[test]
fn command_info_matches_redis_resp3() {
    check("info_resp3.resp", true, info);
}

#[test]
fn command_docs_matches_redis_resp2() {
    check("docs_resp2.resp", false, docs);
}

#[test]
fn command_docs_matches_redis_resp3() {
    check("docs_resp3.resp", true, docs);
}

#[test]
fn free_texts_are_present_and_ours() {
    for spec in all_with_subcommands() {
        let d = spec.docs;
        assert!(
            d.summary.ends_with('.') && d.summary.len() > 10,
            "{}: {:?}",
            spec.name,
            d.summary
        );
        assert!(!d.summary.contains(common::MASK));
    }
}
