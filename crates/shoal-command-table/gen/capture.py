#!/usr/bin/env python3
"""Asks a real Redis 7.0 server for the command facts of every command Shoal serves.

Usage (from anywhere):
    python3 crates/shoal-command-table/gen/capture.py [--redis-server PATH]

It starts its own `redis-server` on a free 127.0.0.1 port (no persistence),
and stops it when done. It writes:

  gen/redis-7.0-facts.json      the interface facts of each command in gen/commands.txt:
                                arity, flags, key positions, ACL categories, tips, key
                                specs, and the COMMAND DOCS facts (since, group, doc flags,
                                deprecation, history versions, the argument tree).
                                No free text: Redis's summaries, complexities, history
                                descriptions, key-spec notes and replaced_by texts are
                                left out; only whether each one is present is kept.
  tests/data/names.txt          the full names captured below, one per line
  tests/data/{info,docs}_resp{2,3}.resp
                                the replies to COMMAND INFO <name> and COMMAND DOCS <name>
                                for every served command and subcommand, concatenated in
                                the order of names.txt, with the same free text replaced
                                by "(masked)" and with the subcommands Shoal does not serve
                                removed (the lengths are re-encoded accordingly); subcommands
                                are put in name order, since Redis lists them in the
                                order of its hash table, which changes from one process
                                to the next
  tests/data/getkeys.resp       COMMAND GETKEYS and COMMAND GETKEYSANDFLAGS cases: for each
                                case the arguments (as a RESP array), then the RESP2 reply to
                                GETKEYS, then the RESP2 reply to GETKEYSANDFLAGS

Then run gen_table.py to regenerate src/table.rs.
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)
DATA = os.path.join(CRATE, "tests", "data")
sys.path.insert(0, HERE)

from resp_client import Conn, encode_command, encode_reply, plain  # noqa: E402

MASK = "(masked)"

# Each case is the argument list given to COMMAND GETKEYS (and GETKEYSANDFLAGS).
GETKEYS_CASES = [
    ["GET", "k"],
    ["get", "k"],
    ["SET", "k", "v"],
    ["SET", "k", "v", "GET"],
    ["set", "k", "v", "EX", "10", "get"],
    ["SET", "k", "v", "GETX"],
    ["BITFIELD", "k", "GET", "u8", "0"],
    ["BITFIELD", "k", "get", "u8", "0", "OVERFLOW", "SAT", "GET", "i4", "#1"],
    ["BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0", "1"],
    ["BITFIELD", "k", "INCRBY", "u8"],
    ["BITFIELD", "k"],
    ["BITFIELD_RO", "k", "GET", "u8", "0"],
    ["BITOP", "AND", "dst", "a", "b"],
    ["SETBIT", "k", "7", "1"],
    ["SORT", "k"],
    ["PFADD", "h", "a", "b"],
    ["GEORADIUS", "k", "1", "2", "3", "km", "STORE", "a", "STOREDIST", "b"],
    ["GEORADIUS", "k", "1", "2", "3", "km", "WITHDIST"],
    ["GEORADIUSBYMEMBER", "k", "m", "3", "km", "STORE", "a"],
    ["GEOSEARCHSTORE", "dst", "src", "FROMMEMBER", "m", "BYRADIUS", "1", "km"],
    ["PFCOUNT", "h1", "h2", "h3"],
    ["PFMERGE", "dst", "h1", "h2"],
    ["PFDEBUG", "GETREG", "h"],
    ["SORT", "k", "BY", "w_*", "GET", "#", "LIMIT", "0", "5", "STORE", "dst"],
    ["SORT", "k", "STORE", "a", "STORE", "b"],
    ["SORT", "k", "GET", "store", "STORE"],
    ["SORT_RO", "k", "BY", "nosort"],
    ["MSET", "a", "1", "b", "2", "c", "3"],
    ["MSET", "a", "1", "b"],
    ["MSETNX", "a", "1", "b", "2"],
    ["MGET", "a", "b", "c"],
    ["GETEX", "k", "PERSIST"],
    ["LCS", "a", "b", "LEN"],
    ["DEL", "a", "b", "c"],
    ["EXISTS", "a"],
    ["TOUCH", "a", "b"],
    ["RENAME", "a", "b"],
    ["COPY", "a", "b", "DB", "1", "REPLACE"],
    ["EXPIRE", "k", "10", "NX"],
    ["OBJECT", "ENCODING", "k"],
    ["object", "freq", "k"],
    ["OBJECT", "HELP"],
    ["OBJECT", "NOSUCH", "k"],
    ["OBJECT"],
    ["HSET", "h", "f", "v", "f2", "v2"],
    ["HMGET", "h", "a", "b"],
    ["LMOVE", "src", "dst", "LEFT", "RIGHT"],
    ["BLMOVE", "s", "d", "LEFT", "LEFT", "0"],
    ["RPOPLPUSH", "a", "b"],
    ["BRPOPLPUSH", "a", "b", "0"],
    ["BLPOP", "a", "b", "c", "0"],
    ["BLPOP", "a", "0"],
    ["LMPOP", "2", "a", "b", "LEFT", "COUNT", "3"],
    ["LMPOP", "0", "a", "LEFT"],
    ["LMPOP", "3", "a", "b", "LEFT"],
    ["LMPOP", "5", "a", "b", "LEFT"],
    ["LMPOP", "-1", "a", "LEFT"],
    ["LMPOP", "1abc", "a", "LEFT"],
    ["LMPOP", "abc", "a", "LEFT"],
    ["LMPOP", "01", "a", "LEFT"],
    ["BLMPOP", "0", "2", "a", "b", "LEFT"],
    ["BLMPOP", "0", "0", "a", "LEFT"],
    ["BLMPOP", "0", "x", "a", "LEFT"],
    ["ZMPOP", "1", "z", "MIN"],
    ["BZMPOP", "1", "2", "z1", "z2", "MAX", "COUNT", "1"],
    ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
    ["SINTERCARD", "0", "a"],
    ["SINTERCARD", "3", "a", "b"],
    ["SMOVE", "a", "b", "m"],
    ["SINTERSTORE", "d", "a", "b"],
    ["SDIFFSTORE", "d", "a"],
    ["ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
    ["ZUNIONSTORE", "d", "0", "a"],
    ["ZINTERSTORE", "d", "3", "a", "b"],
    ["ZINTERSTORE", "d", "2", "a"],
    ["ZDIFFSTORE", "d", "1", "a"],
    ["ZDIFFSTORE", "d", "1x", "a"],
    ["ZUNION", "2", "a", "b", "WITHSCORES"],
    ["ZINTER", "1", "a"],
    ["ZDIFF", "2", "a", "b"],
    ["ZINTERCARD", "2", "a", "b", "LIMIT", "5"],
    ["ZINTERCARD", "-2", "a", "b"],
    ["ZRANGESTORE", "dst", "src", "0", "-1"],
    ["ZADD", "z", "1", "m"],
    ["BZPOPMIN", "a", "b", "0"],
    ["WATCH", "a", "b"],
    ["MIGRATE", "host", "6379", "key", "0", "5000"],
    ["MIGRATE", "host", "6379", "", "0", "5000", "KEYS", "a", "b", "c"],
    ["MIGRATE", "host", "6379", "", "0", "5000", "COPY", "REPLACE", "AUTH", "pw", "KEYS", "a", "b"],
    ["MIGRATE", "host", "6379", "", "0", "5000", "AUTH2", "u", "p", "keys", "a"],
    ["MIGRATE", "host", "6379", "k", "0", "5000", "KEYS", "a", "b"],
    ["MIGRATE", "host", "6379", "", "0", "5000"],
    ["MIGRATE", "host", "6379", "", "0", "5000", "AUTH", "KEYS", "KEYS", "a"],
    ["MIGRATE", "host", "6379", "", "0", "5000", "KEYS"],
    ["RESTORE", "k", "0", "payload"],
    ["RESTORE-ASKING", "k", "0", "payload"],
    ["DUMP", "k"],
    ["MOVE", "k", "1"],
    ["MEMORY", "USAGE", "k", "SAMPLES", "5"],
    ["PING"],
    ["PUBLISH", "ch", "msg"],
    ["SPUBLISH", "ch", "msg"],
    ["SSUBSCRIBE", "ch"],
    ["SUBSCRIBE", "ch"],
    ["SCAN", "0"],
    ["KEYS", "*"],
    ["CLUSTER", "KEYSLOT", "foo"],
    ["CLUSTER", "COUNTKEYSINSLOT", "1"],
    ["CLIENT", "LIST"],
    ["CLIENT"],
    ["NOSUCHCMD", "a"],
    ["GET"],
    ["GET", "a", "b"],
    ["MSET", "a"],
    ["ZUNIONSTORE", "d", "2", "a"],
    ["EVAL", "return 1", "2", "a", "b", "x"],
    ["EVAL", "return 1", "0"],
    ["EVAL", "return 1", "3", "a"],
    ["EVAL", "return 1", "x", "a"],
    ["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"],
    ["XREAD", "STREAMS", "a", "b", "0"],
    ["XREAD", "COUNT", "1", "BLOCK", "0"],
    ["SORT", "k", "BY", "w", "STORE", "d"],
    ["SORT", "k", "LIMIT", "0", "1", "GET", "#", "STORE", "d1", "STORE", "d2"],
    ["SORT", "k", "STORE"],
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(binary):
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="shoal-capture-")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", workdir, "--logfile", os.path.join(workdir, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 10
    while True:
        try:
            c = Conn(port)
            if c.call("PING") == ("+", "PONG"):
                return proc, port
        except OSError:
            pass
        if time.time() > deadline or proc.poll() is not None:
            proc.kill()
            raise SystemExit("redis-server did not start")
        time.sleep(0.05)


def read_commands_txt():
    """Returns ([(name, [subcommands] or ['*'])], {fullname: [hidden facts]})."""
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
                raise SystemExit("commands.txt: line outside a section: %r" % line)
    return served, hidden


def pairs(node):
    """The (key, value) pairs of a map, whether sent as a RESP3 map or a RESP2 flat array."""
    t, x = node
    if t == "%":
        return list(x)
    assert t == "*" and len(x) % 2 == 0, node
    return [(x[i], x[i + 1]) for i in range(0, len(x), 2)]


def rebuild(node, kv):
    """Inverse of pairs(), keeping the node's RESP shape."""
    if node[0] == "%":
        return ("%", kv)
    return ("*", [e for p in kv for e in p])


def masked(v):
    return (v[0], MASK)


def mask_info(node, keep_sub):
    """Masks key-spec notes and drops unserved subcommands in a COMMAND INFO entry."""
    t, x = node
    x = list(x)
    specs = []
    for spec in x[8][1]:
        kv = [(k, masked(w) if k[1] == "notes" else w) for k, w in pairs(spec)]
        specs.append(rebuild(spec, kv))
    x[8] = (x[8][0], specs)
    subs = sorted((mask_info(s, keep_sub) for s in x[9][1] if keep_sub(s[1][0][1])),
                  key=lambda s: s[1][0][1])
    x[9] = (x[9][0], subs)
    return (t, x)


def mask_docs(node, keep_sub):
    """Masks the free text of a COMMAND DOCS map and drops unserved subcommands."""
    kv = []
    for k, w in pairs(node):
        key = k[1]
        if key in ("summary", "complexity", "replaced_by"):
            w = masked(w)
        elif key == "history":
            w = (w[0], [("*", [e[1][0], masked(e[1][1])]) for e in w[1]])
        elif key == "subcommands":
            w = rebuild(w, sorted(((n, mask_docs(d, keep_sub)) for n, d in pairs(w) if keep_sub(n[1])),
                                  key=lambda p: p[0][1]))
        elif key == "arguments":
            w = mask_args(w)
        kv.append((k, w))
    return rebuild(node, kv)


def mask_args(node):
    out = []
    for arg in node[1]:
        kv = []
        for k, w in pairs(arg):
            if k[1] == "summary":  # no 7.0 argument has one; masked should one appear
                w = masked(w)
            elif k[1] == "arguments":
                w = mask_args(w)
            kv.append((k, w))
        out.append(rebuild(arg, kv))
    return (node[0], out)


def facts_of(info, docs):
    """Plain facts (no free text) of one command from its COMMAND INFO entry and docs map."""
    i = plain(info)
    d = plain(docs)
    specs = []
    for ks in i[8]:
        specs.append({
            "has_notes": "notes" in ks,
            "flags": ks["flags"],
            "begin_search": ks["begin_search"],
            "find_keys": ks["find_keys"],
        })
    return {
        "name": i[0],
        "arity": i[1],
        "flags": i[2],
        "first_key": i[3],
        "last_key": i[4],
        "key_step": i[5],
        "acl_categories": i[6],
        "tips": i[7],
        "key_specs": specs,
        "docs": {
            "since": d.get("since"),
            "group": d["group"],
            "has_summary": "summary" in d,
            "has_complexity": "complexity" in d,
            "doc_flags": d.get("doc_flags", []),
            "deprecated_since": d.get("deprecated_since"),
            "has_replaced_by": "replaced_by" in d,
            "history_versions": [h[0] for h in d.get("history", [])],
            "arguments": d.get("arguments", []),
        },
        "subcommands": [],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--redis-server", default="redis-server")
    args = ap.parse_args()

    served, _hidden = read_commands_txt()
    proc, port = start_server(args.redis_server)
    try:
        c3 = Conn(port, 3)
        c2 = Conn(port, 2)
        info_text = c2.call("INFO", "server")[1]
        version = [l.split(":")[1] for l in info_text.split("\r\n") if l.startswith("redis_version:")][0]
        if not version.startswith("7.0."):
            raise SystemExit("need Redis 7.0, found %s" % version)

        facts = []
        names = []
        kept = {}  # top-level name -> set of served subcommand full names
        for name, subs in served:
            info = c3.call("COMMAND", "INFO", name)[1][0]
            docs_map = c3.call("COMMAND", "DOCS", name)[1]
            assert info[0] != "_", "Redis has no command %r" % name
            (dname, docs), = docs_map
            assert dname[1] == name
            redis_subs = [s[1][0][1] for s in info[1][9][1]]
            if subs == ["*"]:
                keep = redis_subs
            else:
                keep = ["%s|%s" % (name, s) for s in subs]
                unknown = set(keep) - set(redis_subs)
                assert not unknown, "Redis 7.0 has no subcommand %s" % unknown
            keep = sorted(keep)  # Redis lists them in hash-table order, which varies by process
            kept[name] = set(keep)
            entry = facts_of(info, docs)
            sub_docs = dict((n[1], d) for n, d in pairs(dict(
                (k[1], w) for k, w in docs[1])["subcommands"])) if keep else {}
            for s in sorted(info[1][9][1], key=lambda s: s[1][0][1]):
                full = s[1][0][1]
                if full in kept[name]:
                    entry["subcommands"].append(facts_of(s, sub_docs[full]))
            facts.append(entry)
            names.append(name)
            names.extend(keep)

        keep_sub = lambda full: full.split("|")[0] not in kept or full in kept[full.split("|")[0]]
        out = {"info_resp2": b"", "info_resp3": b"", "docs_resp2": b"", "docs_resp3": b""}
        for full in names:
            for proto, conn in (("2", c2), ("3", c3)):
                raw, v = conn.call_raw("COMMAND", "INFO", full)
                assert encode_reply(v) == raw, "non-canonical reply for %s" % full
                (entry,) = v[1]
                v = (v[0], [mask_info(entry, keep_sub)])
                out["info_resp" + proto] += encode_reply(v)
                raw, v = conn.call_raw("COMMAND", "DOCS", full)
                assert encode_reply(v) == raw, "non-canonical reply for %s" % full
                kv = [(n, mask_docs(d, keep_sub)) for n, d in pairs(v)]
                out["docs_resp" + proto] += encode_reply(rebuild(v, kv))

        getkeys = b""
        for case in GETKEYS_CASES:
            getkeys += encode_command(case)
            getkeys += c2.call_raw("COMMAND", "GETKEYS", *case)[0]
            getkeys += c2.call_raw("COMMAND", "GETKEYSANDFLAGS", *case)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)

    with open(os.path.join(HERE, "redis-7.0-facts.json"), "w") as f:
        json.dump({"redis_version": version, "commands": facts}, f, indent=1)
        f.write("\n")
    os.makedirs(DATA, exist_ok=True)
    with open(os.path.join(DATA, "names.txt"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    for k, v in out.items():
        with open(os.path.join(DATA, k + ".resp"), "wb") as f:
            f.write(v)
    with open(os.path.join(DATA, "getkeys.resp"), "wb") as f:
        f.write(getkeys)
    print("captured %d commands (%d with subcommands) and %d GETKEYS cases from Redis %s"
          % (len(facts), len(names), len(GETKEYS_CASES), version))


if __name__ == "__main__":
    main()
