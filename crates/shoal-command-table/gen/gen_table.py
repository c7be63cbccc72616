#!/usr/bin/env python3
"""Generates src/table.rs, the static command table, from three inputs:

  gen/commands.txt          which commands and subcommands Shoal serves, plus the
                            facts Redis keeps but does not print (hidden flags and
                            the key-finding procedure)
  gen/redis-7.0-facts.json  the interface facts captured from Redis 7.0 by capture.py
  gen/prose.toml            our own summaries, complexities, history texts, notes
                            and replaced_by texts

Usage (from anywhere; needs Python 3.11+ for tomllib):
    python3 crates/shoal-command-table/gen/gen_table.py

The output is formatted with rustfmt when it is on the PATH. No server is needed:
run capture.py first only when commands.txt changed.
"""

import json
import os
import shutil
import subprocess
import sys
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
OUT = os.path.join(CRATE, "src", "table.rs")

# The lookup table's hash, mirrored by `name_hash` in src/lookup.rs: 32-bit FNV-1a
# over the bytes with bit 5 set, which makes ASCII letters case-insensitive.
LOOKUP_BITS = 9


def name_hash(name):
    h = 0x811C9DC5
    for c in name.encode():
        h = ((h ^ (c | 0x20)) * 0x01000193) & 0xFFFFFFFF
    return h


def fail(msg):
    raise SystemExit("gen_table.py: " + msg)


def read_commands_txt():
    section, served, hidden = None, [], {}
    with open(os.path.join(HERE, "commands.txt")) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line in ("[commands]", "[hidden]"):
                section = line
            elif section == "[commands]":
                parts = line.split()
                served.append((parts[0], parts[1:]))
            elif section == "[hidden]":
                name, rest = line.split(":", 1)
                hidden[name.strip()] = rest.split()
            else:
                fail("commands.txt: line outside a section: %r" % line)
    return served, hidden


def rs_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rs_opt(s):
    return "None" if s is None else "Some(%s)" % rs_str(s)


def rs_flags(names, prefix, table):
    if not names:
        return "0"
    return " | ".join("%s::%s" % (prefix, table[n]) for n in names)


class S:
    """A Rust struct literal: S("Name", [("field", expr), ...]); `expr` is a str, S, or L."""

    def __init__(self, name, fields, rest=None):
        self.name, self.fields, self.rest = name, fields, rest

    def parts(self):
        return ["%s: %s" % (k, flat(v)) for k, v in self.fields] + (
            [".." + self.rest] if self.rest else [])


class L:
    """A Rust slice literal `&[...]` (or an array `[...]` with ref=False)."""

    def __init__(self, items, ref=True):
        self.items, self.ref = items, ref


def flat(e):
    if isinstance(e, str):
        return e
    if isinstance(e, S):
        return "%s { %s }" % (e.name, ", ".join(e.parts()))
    return ("&[" if e.ref else "[") + ", ".join(flat(i) for i in e.items) + "]"


def fmt(e, indent, prefix_len, width=100):
    """Formats like rustfmt: one line when it fits, else one item per line."""
    one = flat(e)
    if isinstance(e, str) or indent + prefix_len + len(one) + 1 <= width:
        return one
    pad = " " * (indent + 4)
    if isinstance(e, S):
        body = "".join("%s%s: %s,\n" % (pad, k, fmt(v, indent + 4, len(k) + 2)) for k, v in e.fields)
        if e.rest:
            body += "%s..%s\n" % (pad, e.rest)
        return "%s {\n%s%s}" % (e.name, body, " " * indent)
    if not e.items:
        return one
    body = "".join("%s%s,\n" % (pad, fmt(i, indent + 4, 0)) for i in e.items)
    return "%s\n%s%s]" % ("&[" if e.ref else "[", body, " " * indent)


CMD_FLAGS = {n: n.upper() for n in [
    "write", "readonly", "denyoom", "module", "admin", "pubsub", "noscript", "blocking",
    "loading", "stale", "skip_monitor", "skip_slowlog", "asking", "fast", "no_auth",
    "no_mandatory_keys", "no_async_loading", "no_multi", "movablekeys", "allow_busy",
    "may_replicate", "sentinel", "only_sentinel", "protected", "touches_arbitrary_keys"]}
KEY_FLAGS = {n: n.upper() for n in [
    "RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key",
    "incomplete", "variable_flags"]}
DOC_FLAGS = {"deprecated": "DEPRECATED", "syscmd": "SYSCMD"}
ARG_FLAGS = {"optional": "OPTIONAL", "multiple": "MULTIPLE", "multiple_token": "MULTIPLE_TOKEN"}
ARG_TYPES = {
    "string": "String", "integer": "Integer", "double": "Double", "key": "Key",
    "pattern": "Pattern", "unix-time": "UnixTime", "pure-token": "PureToken",
    "oneof": "Oneof", "block": "Block"}


class Gen:
    def __init__(self, facts, served, hidden, prose):
        self.facts = facts
        self.served = served
        self.hidden = hidden
        self.prose = prose
        self.used_prose = set()
        self.used_hidden = set()

    def prose_of(self, c):
        name = c["name"]
        p = self.prose.get(name)
        if p is None:
            fail("prose.toml has no entry for %r" % name)
        self.used_prose.add(name)
        unknown = set(p) - {"summary", "complexity", "history", "replaced_by", "notes"}
        if unknown:
            fail("prose.toml [%s]: unknown fields %s" % (name, sorted(unknown)))
        d = c["docs"]
        if not d["has_summary"] or "summary" not in p:
            fail("[%s]: summary must be given (Redis has one)" % name)
        if d["has_complexity"] != ("complexity" in p):
            fail("[%s]: complexity must be %s" % (name, "given" if d["has_complexity"] else "absent"))
        if d["has_replaced_by"] != ("replaced_by" in p):
            fail("[%s]: replaced_by must be %s" % (name, "given" if d["has_replaced_by"] else "absent"))
        if len(p.get("history", [])) != len(d["history_versions"]):
            fail("[%s]: history needs %d texts (versions %s)"
                 % (name, len(d["history_versions"]), d["history_versions"]))
        if len(p.get("notes", [])) != sum(k["has_notes"] for k in c["key_specs"]):
            fail("[%s]: notes count must match the key specs with notes" % name)
        return p

    def hidden_of(self, name):
        self.used_hidden.add(name)
        flags, getkeys = [], "GetKeys::Specs"
        for item in self.hidden.get(name, []):
            if item.startswith("getkeys="):
                kind = item[len("getkeys="):]
                if kind == "set":
                    getkeys = "GetKeys::Set"
                elif kind == "migrate":
                    getkeys = "GetKeys::Migrate"
                elif kind == "bitfield":
                    getkeys = "GetKeys::Bitfield"
                elif kind == "sort":
                    getkeys = "GetKeys::Sort"
                elif kind == "sort_ro":
                    getkeys = "GetKeys::SortRo"
                elif kind.startswith("numkeys:"):
                    s, c, f = (int(x) for x in kind.split(":")[1:])
                    getkeys = "GetKeys::Numkeys { store: %d, count: %d, first: %d }" % (s, c, f)
                else:
                    fail("unknown getkeys kind %r" % kind)
            elif item in CMD_FLAGS:
                flags.append(item)
            else:
                fail("commands.txt [hidden] %s: unknown item %r" % (name, item))
        return flags, getkeys

    def key_spec(self, ks, note):
        bs, fk = ks["begin_search"], ks["find_keys"]
        if bs["type"] == "index":
            b = "BeginSearch::Index(%d)" % bs["spec"]["index"]
        elif bs["type"] == "keyword":
            b = S("BeginSearch::Keyword", [("keyword", rs_str(bs["spec"]["keyword"])),
                                           ("start_from", str(bs["spec"]["startfrom"]))])
        elif bs["type"] == "unknown":
            b = "BeginSearch::Unknown"
        else:
            fail("begin_search type %r" % bs["type"])
        if fk["type"] == "range":
            s = fk["spec"]
            k = S("FindKeys::Range", [("last_key", str(s["lastkey"])), ("key_step", str(s["keystep"])),
                                      ("limit", str(s["limit"]))])
        elif fk["type"] == "keynum":
            s = fk["spec"]
            k = S("FindKeys::Keynum", [("keynum_index", str(s["keynumidx"])),
                                       ("first_key", str(s["firstkey"])), ("key_step", str(s["keystep"]))])
        elif fk["type"] == "unknown":
            k = "FindKeys::Unknown"
        else:
            fail("find_keys type %r" % fk["type"])
        return S("KeySpec", [("flags", rs_flags(ks["flags"], "k", KEY_FLAGS)), ("begin_search", b),
                             ("find_keys", k), ("notes", rs_opt(note))])

    def args(self, args):
        out = []
        for a in args:
            unknown = set(a) - {"name", "type", "key_spec_index", "token", "since",
                                "deprecated_since", "flags", "arguments"}
            if unknown:
                fail("argument %r has fields %s this generator does not know" % (a["name"], unknown))
            ksi = a.get("key_spec_index")
            fields = [("name", rs_str(a["name"])), ("kind", "ArgType::" + ARG_TYPES[a["type"]])]
            if ksi is not None:
                fields.append(("key_spec_index", "Some(%d)" % ksi))
            for opt in ("token", "since", "deprecated_since"):
                if a.get(opt) is not None:
                    fields.append((opt, rs_opt(a[opt])))
            if a.get("flags"):
                fields.append(("flags", rs_flags(a["flags"], "d", ARG_FLAGS)))
            if a.get("arguments"):
                fields.append(("arguments", self.args(a["arguments"])))
            out.append(S("ArgDoc", fields, "ArgDoc::BLANK"))
        return L(out)

    def command(self, c, cid, subs_static):
        p = self.prose_of(c)
        hidden_flags, getkeys = self.hidden_of(c["name"])
        notes = iter(p.get("notes", []))
        specs = [self.key_spec(ks, next(notes) if ks["has_notes"] else None) for ks in c["key_specs"]]
        d = c["docs"]
        history = L(["(%s, %s)" % (rs_str(v), rs_str(t))
                     for v, t in zip(d["history_versions"], p.get("history", []))])
        docs = S("&CommandDocs", [
            ("summary", rs_str(p["summary"])),
            ("since", rs_str(d["since"])),
            ("group", rs_str(d["group"])),
            ("complexity", rs_opt(p.get("complexity"))),
            ("doc_flags", rs_flags(d["doc_flags"], "d", DOC_FLAGS)),
            ("deprecated_since", rs_opt(d["deprecated_since"])),
            ("replaced_by", rs_opt(p.get("replaced_by"))),
            ("history", history),
            ("arguments", self.args(d["arguments"])),
        ])
        return S("CommandSpec", [
            ("name", rs_str(c["name"])),
            ("arity", str(c["arity"])),
            ("flags", rs_flags(c["flags"] + hidden_flags, "f", CMD_FLAGS)),
            ("first_key", str(c["first_key"])),
            ("last_key", str(c["last_key"])),
            ("key_step", str(c["key_step"])),
            ("acl_categories", L([rs_str(a) for a in c["acl_categories"]])),
            ("tips", L([rs_str(t) for t in c["tips"]])),
            ("key_specs", L(specs)),
            ("subcommands", subs_static),
            ("docs", docs),
            ("getkeys", getkeys),
            ("id", str(cid)),
        ])

    def generate(self):
        cmds = self.facts["commands"]
        if [c["name"] for c in cmds] != [n for n, _ in self.served]:
            fail("redis-7.0-facts.json does not match commands.txt: run capture.py")
        top = []
        sub_statics = []
        by_id = []
        next_sub_id = len(cmds)
        for i, c in enumerate(cmds):
            by_id.append("&COMMANDS[%d]" % i)
        for i, c in enumerate(cmds):
            if c["subcommands"]:
                static = c["name"].upper().replace("-", "_") + "_SUBCOMMANDS"
                items = []
                for j, s in enumerate(c["subcommands"]):
                    items.append(self.command(s, next_sub_id, "&[]"))
                    by_id.append("&%s[%d]" % (static, j))
                    next_sub_id += 1
                sub_statics.append("static %s: [CommandSpec; %d] = %s;\n" % (
                    static, len(items), fmt(L(items, ref=False), 0, 40)))
                top.append(self.command(c, i, "&" + static))
            else:
                top.append(self.command(c, i, "&[]"))

        unused = set(self.prose) - self.used_prose
        if unused:
            fail("prose.toml has entries for commands not served: %s" % sorted(unused))
        unused = set(self.hidden) - self.used_hidden
        if unused:
            fail("commands.txt [hidden] names commands not served: %s" % sorted(unused))

        size = 1 << LOOKUP_BITS
        slots = [0] * size
        max_probe = 0
        for i, c in enumerate(cmds):
            h = name_hash(c["name"]) & (size - 1)
            probe = 0
            while slots[h]:
                h = (h + 1) & (size - 1)
                probe += 1
            slots[h] = i + 1
            max_probe = max(max_probe, probe)
        max_len = max(len(c["name"]) for c in cmds)

        out = []
        out.append("//! The command table, generated by `gen/gen_table.py`: do not edit by hand.\n")
        out.append("//!\n//! Facts come from Redis %s through `gen/capture.py`; the texts are ours, from\n"
                   "//! `gen/prose.toml`. See `gen/README.md` to add a command or regenerate.\n\n"
                   % self.facts["redis_version"])
        out.append("use crate::doc_flags as d;\nuse crate::flags as f;\nuse crate::key_flags as k;\n")
        out.append("use crate::spec::{ArgDoc, ArgType, BeginSearch, CommandDocs, CommandSpec, FindKeys, "
                   "GetKeys, KeySpec};\n\n")
        out.append("/// Number of top-level commands.\npub(crate) const COMMAND_COUNT: usize = %d;\n"
                   % len(cmds))
        out.append("/// Number of commands and subcommands.\npub(crate) const ID_COUNT: usize = %d;\n"
                   % len(by_id))
        out.append("/// Longest top-level command name, in bytes.\npub(crate) const MAX_NAME_LEN: usize = %d;\n"
                   % max_len)
        out.append("/// log2 of the size of [`LOOKUP`].\npub(crate) const LOOKUP_BITS: u32 = %d;\n"
                   % LOOKUP_BITS)
        out.append("/// Longest probe sequence in [`LOOKUP`] (for tests).\n"
                   "#[cfg(test)]\npub(crate) const LOOKUP_MAX_PROBE: usize = %d;\n\n" % max_probe)
        out.append("/// Top-level commands, in the order of `gen/commands.txt`.\n")
        out.append("pub(crate) static COMMANDS: [CommandSpec; COMMAND_COUNT] = %s;\n\n"
                   % fmt(L(top, ref=False), 0, 60))
        out.extend(s + "\n" for s in sub_statics)
        out.append("/// Every command and subcommand, indexed by [`CommandSpec::id`].\n")
        out.append("pub(crate) static BY_ID: [&CommandSpec; ID_COUNT] = %s;\n\n"
                   % fmt(L(by_id, ref=False), 0, 60))
        out.append("/// Open-addressing table from `name_hash` to `COMMANDS` index + 1 (0 = empty),\n"
                   "/// probed linearly.\n")
        out.append("pub(crate) static LOOKUP: [u16; 1 << LOOKUP_BITS] = %s;\n"
                   % fmt(L([str(s) for s in slots], ref=False), 0, 60))
        return "".join(out), len(cmds), len(by_id), max_probe


def main():
    served, hidden = read_commands_txt()
    with open(os.path.join(HERE, "redis-7.0-facts.json")) as f:
        facts = json.load(f)
    with open(os.path.join(HERE, "prose.toml"), "rb") as f:
        prose = tomllib.load(f)
    src, n, total, probe = Gen(facts, served, hidden, prose).generate()
    with open(OUT, "w") as f:
        f.write(src)
    rustfmt = shutil.which("rustfmt")
    if rustfmt:
        subprocess.run([rustfmt, "--edition", "2021", OUT], check=True)
    print("wrote %s: %d commands, %d with subcommands, longest lookup probe %d%s"
          % (os.path.relpath(OUT), n, total, probe, "" if rustfmt else " (rustfmt not found)"))


if __name__ == "__main__":
    main()
