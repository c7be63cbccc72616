//! Golden tests against bytes captured from real redis-server 7.0.15 nodes.
//!
//! `tests/data/redis70/` holds, per scenario, the nodes.conf files of every
//! node and their raw CLUSTER NODES / INFO / SLOTS / SHARDS replies (RESP2
//! and RESP3), plus scripts of CLUSTER commands with the exact replies.
//! `capture.py` there produced them; see its docstring for the scenarios.
//!
//! Each test rebuilds a view from a captured text and checks that ours
//! renders the other captured bytes exactly.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shoal_cluster::commands::{execute, CommandContext, Keyspace, Outcome};
use shoal_cluster::nodes_conf::{parse_nodes_conf, render_nodes_conf};
use shoal_cluster::reply::ReplyValue;
use shoal_cluster::texts::{
    cluster_info_text, cluster_nodes_text, cluster_shards, cluster_slots, BusStats,
    EndpointOptions, MESSAGE_TYPE_NAMES,
};
use shoal_cluster::view::{ClusterState, ClusterView};
use shoal_resp::frame::{decode, Frame};
use shoal_resp::{Protocol, ReplyBuf};
use shoal_types::{key_hash_slot, Millis, NodeId, Slot};

const SCENARIOS: [&str; 4] = ["three-masters", "with-replicas", "replica-failed", "lone"];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/redis70")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn read_text(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

/// Files of `scenario` whose name ends with `suffix`, sorted.
fn files(scenario: &str, suffix: &str) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(data_dir().join(scenario))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(suffix))
        .map(|n| format!("{scenario}/{n}"))
        .collect();
    out.sort();
    out
}

fn view_of(text: &str) -> ClusterView {
    parse_nodes_conf(text.as_bytes())
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .view
}

fn encode(v: &ReplyValue, proto: Protocol) -> Vec<u8> {
    let mut b = ReplyBuf::with_protocol(proto);
    v.write_to(&mut b);
    b.as_bytes().to_vec()
}

fn frame(bytes: &[u8]) -> Frame {
    let (f, used) = decode(bytes).unwrap().expect("a whole reply");
    assert_eq!(used, bytes.len());
    f
}

fn show(b: &[u8]) -> String {
    String::from_utf8_lossy(b).replace("\r\n", "|")
}

/// The ping_sent and pong_received fields zeroed: they move between two
/// captures of a live cluster.
fn mask_times(text: &str) -> String {
    text.lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(' ').collect();
            if f.len() >= 8 && f[0] != "vars" {
                f[4] = "0";
                f[5] = "0";
            }
            f.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_captured_nodes_conf_round_trips_byte_for_byte() {
    let mut checked = 0;
    for scenario in SCENARIOS {
        for file in files(scenario, ".nodes.conf") {
            let bytes = read(&file);
            let loaded = parse_nodes_conf(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
            loaded.view.check_invariants();
            assert_eq!(
                render_nodes_conf(&loaded.view).as_bytes(),
                &bytes[..],
                "{file}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 17, "only {checked} files");
}

#[test]
fn cluster_nodes_text_matches_redis() {
    for scenario in SCENARIOS {
        for file in files(scenario, ".cluster-nodes.txt")
            .into_iter()
            .chain(files(scenario, ".cluster-nodes-again.txt"))
        {
            let text = read_text(&file);
            let view = view_of(&text);
            assert_eq!(cluster_nodes_text(&view, false), text, "{file}");
        }
        // RESP3 sends the same text as a verbatim string.
        for file in files(scenario, ".cluster-nodes.resp3") {
            let bytes = read(&file);
            let Frame::Verbatim { format, text } = frame(&bytes) else {
                panic!("{file}: not verbatim")
            };
            assert_eq!(format, "txt");
            let view = view_of(std::str::from_utf8(&text).unwrap());
            let ours = ReplyValue::Verbatim(cluster_nodes_text(&view, false));
            assert_eq!(
                show(&encode(&ours, Protocol::Resp3)),
                show(&bytes),
                "{file}"
            );
        }
    }
}

/// The bus counters printed in a CLUSTER INFO text.
fn stats_of(info: &str) -> BusStats {
    let mut stats = BusStats::default();
    for line in info.split("\r\n") {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let Ok(value) = value.parse::<u64>() else {
            continue;
        };
        if key == "total_cluster_links_buffer_limit_exceeded" {
            stats.links_buffer_limit_exceeded = value;
        }
        for (i, name) in MESSAGE_TYPE_NAMES.iter().enumerate() {
            if key == format!("cluster_stats_messages_{name}_sent") {
                stats.sent[i] = value;
            } else if key == format!("cluster_stats_messages_{name}_received") {
                stats.received[i] = value;
            }
        }
    }
    stats
}

fn field<'a>(info: &'a str, key: &str) -> &'a str {
    info.split("\r\n")
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .unwrap_or_else(|| panic!("no {key}"))
}

fn apply_state_fields(view: &mut ClusterView, info: &str) {
    view.state = match field(info, "cluster_state") {
        "ok" => ClusterState::Ok,
        _ => ClusterState::Fail,
    };
    view.size = field(info, "cluster_size").parse().unwrap();
    // CLUSTER NODES does not carry currentEpoch (nodes.conf's vars line does).
    view.current_epoch = shoal_types::Epoch(field(info, "cluster_current_epoch").parse().unwrap());
}

#[test]
fn cluster_info_matches_redis() {
    for scenario in ["three-masters", "with-replicas", "replica-failed"] {
        for nodes_file in files(scenario, ".cluster-nodes.txt") {
            let base = nodes_file.trim_end_matches(".cluster-nodes.txt");
            let mut view = view_of(&read_text(&nodes_file));
            let info = read_text(&format!("{base}.cluster-info.txt"));
            apply_state_fields(&mut view, &info);
            assert_eq!(cluster_info_text(&view, &stats_of(&info)), info, "{base}");
            // The structural fields agree with what the view computes itself.
            let a = view.assess_state(true);
            assert_eq!((a.state, a.size), (view.state, view.size), "{base}");

            let resp3 = read(&format!("{base}.cluster-info.resp3"));
            let Frame::Verbatim { text, .. } = frame(&resp3) else {
                panic!()
            };
            let info3 = String::from_utf8(text).unwrap();
            let ours = ReplyValue::Verbatim(cluster_info_text(&view, &stats_of(&info3)));
            assert_eq!(
                show(&encode(&ours, Protocol::Resp3)),
                show(&resp3),
                "{base}"
            );
        }
    }
    let fresh = read_text("lone/fresh.cluster-info.txt");
    let view = view_of(&read_text("lone/fresh.cluster-nodes.txt"));
    assert_eq!(
        (view.state, view.size),
        (ClusterState::Fail, 1),
        "a fresh node's defaults"
    );
    assert_eq!(cluster_info_text(&view, &BusStats::default()), fresh);
}

/// Node id -> replication offset, read from a CLUSTER SHARDS reply.
fn offsets_of(shards: &Frame) -> BTreeMap<String, u64> {
    fn pairs(f: &Frame) -> Vec<(String, &Frame)> {
        match f {
            Frame::Map(p) => p
                .iter()
                .map(|(k, v)| match k {
                    Frame::Bulk(k) => (String::from_utf8(k.clone()).unwrap(), v),
                    _ => panic!(),
                })
                .collect(),
            Frame::Array(items) => items
                .chunks(2)
                .map(|kv| match &kv[0] {
                    Frame::Bulk(k) => (String::from_utf8(k.clone()).unwrap(), &kv[1]),
                    _ => panic!(),
                })
                .collect(),
            _ => panic!(),
        }
    }
    let mut out = BTreeMap::new();
    let Frame::Array(shards) = shards else {
        panic!()
    };
    for shard in shards {
        let nodes = pairs(shard)
            .into_iter()
            .find(|(k, _)| k == "nodes")
            .unwrap()
            .1;
        let Frame::Array(nodes) = nodes else { panic!() };
        for n in nodes {
            let p = pairs(n);
            let get = |key: &str| p.iter().find(|(k, _)| k == key).unwrap().1.clone();
            let (Frame::Bulk(id), Frame::Integer(off)) = (get("id"), get("replication-offset"))
            else {
                panic!()
            };
            out.insert(String::from_utf8(id).unwrap(), off as u64);
        }
    }
    out
}

#[test]
fn cluster_slots_and_shards_match_redis() {
    let opts = EndpointOptions::default();
    let mut checked = 0;
    for scenario in SCENARIOS {
        for nodes_file in files(scenario, ".cluster-nodes.txt") {
            let base = nodes_file.trim_end_matches(".cluster-nodes.txt");
            let mut view = view_of(&read_text(&nodes_file));
            let shards2 = read(&format!("{base}.cluster-shards.resp2"));
            let offsets = offsets_of(&frame(&shards2));
            let me = view.myself_id();
            for n in view.nodes_mut() {
                n.repl_offset = offsets[n.id().as_str()];
            }
            let mine = offsets[me.as_str()];
            for (proto, ext) in [(Protocol::Resp2, "resp2"), (Protocol::Resp3, "resp3")] {
                let want = read(&format!("{base}.cluster-shards.{ext}"));
                let ours = encode(&cluster_shards(&view, &opts, mine), proto);
                assert_eq!(show(&ours), show(&want), "{base} shards {ext}");
                let slots_file = format!("{base}.cluster-slots.{ext}");
                if data_dir().join(&slots_file).exists() {
                    let want = read(&slots_file);
                    let ours = encode(&cluster_slots(&view, &opts, mine), proto);
                    assert_eq!(show(&ours), show(&want), "{base} slots {ext}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 28);
}

/// A keyspace that follows the SET/DEL lines of a script.
#[derive(Default)]
struct ScriptKeys(BTreeMap<u16, Vec<Vec<u8>>>);

impl Keyspace for ScriptKeys {
    fn count_keys_in_slot(&self, slot: Slot) -> u64 {
        self.0.get(&slot.get()).map_or(0, |k| k.len() as u64)
    }
    fn keys_in_slot(&self, slot: Slot, max: u64) -> Vec<Vec<u8>> {
        self.0.get(&slot.get()).map_or(Vec::new(), |k| {
            k.iter().take(max as usize).cloned().collect()
        })
    }
    fn is_empty(&self) -> bool {
        self.0.values().all(Vec::is_empty)
    }
}

fn unescape(s: &str) -> Vec<u8> {
    s.replace("\\r", "\r")
        .replace("\\n", "\n")
        .replace("\\\\", "\\")
        .into_bytes()
}

/// Replays `script` (lines `> argv` / `< raw reply`) against `view` and
/// checks every CLUSTER reply byte for byte.
fn replay(view: &mut ClusterView, script: &str, next_id: NodeId) -> usize {
    let mut keys = ScriptKeys::default();
    let stats = BusStats::default();
    let mut lines = script.lines();
    let mut checked = 0;
    while let Some(cmd) = lines.next() {
        let argv: Vec<&str> = cmd.strip_prefix("> ").unwrap().split(' ').collect();
        let want = unescape(lines.next().unwrap().strip_prefix("< ").unwrap());
        match argv[0] {
            "SET" => {
                let k = argv[1].as_bytes().to_vec();
                keys.0.entry(key_hash_slot(&k)).or_default().push(k);
                continue;
            }
            "DEL" => {
                for ks in keys.0.values_mut() {
                    ks.retain(|k| k != argv[1].as_bytes());
                }
                continue;
            }
            _ => {}
        }
        let mut random = || next_id;
        let mut ctx = CommandContext {
            now: Millis(0),
            keyspace: &keys,
            node_timeout_ms: 3000,
            allow_replica_migration: true,
            endpoints: EndpointOptions::default(),
            my_repl_offset: 0,
            bus_stats: &stats,
            random_node_id: &mut random,
        };
        let ours = match execute(view, &argv, &mut ctx) {
            Ok(Outcome::Done(d)) => {
                if d.todo.update_state {
                    let a = view.assess_state(true);
                    view.state = a.state;
                    view.size = a.size;
                }
                encode(&d.reply, Protocol::Resp2)
            }
            Ok(Outcome::Delegated(d)) => panic!("{cmd}: delegated {d:?}"),
            Err(e) => format!("-{e}\r\n").into_bytes(),
        };
        assert_eq!(show(&ours), show(&want), "{cmd}");
        view.check_invariants();
        checked += 1;
    }
    checked
}

#[test]
fn cluster_command_scripts_replay_like_redis() {
    // Three primaries with open slots; node 0 gets every error and a few
    // successful changes.
    let mut view = view_of(&read_text("three-masters/node0.nodes.conf"));
    let unused = NodeId::from_random([7; 20]);
    let n = replay(
        &mut view,
        &read_text("three-masters/node0.commands.txt"),
        unused,
    );
    assert!(n > 80, "{n}");
    let after = read_text("three-masters/node0.after-commands.nodes.conf");
    assert_eq!(mask_times(&render_nodes_conf(&view)), mask_times(&after));

    // A lone node: epochs, slot ranges, SETSLOT on itself, FLUSHSLOTS, INFO,
    // RESET SOFT and HARD. The hard reset's new name is the saved file's.
    let after = read_text("lone/after-commands.nodes.conf");
    let new_id = NodeId::parse(&after.as_bytes()[..40]).unwrap();
    let mut view = view_of(&read_text("lone/fresh.cluster-nodes.txt"));
    replay(&mut view, &read_text("lone/commands.txt"), new_id);
    assert_eq!(render_nodes_conf(&view), after);
}

#[test]
fn cluster_replicas_match_redis_including_a_failed_replica() {
    let mut view = view_of(&read_text("replica-failed/node0.cluster-nodes-again.txt"));
    let script = read_text("replica-failed/node0.replicas.txt");
    let mut lines = script.lines();
    let keys = ScriptKeys::default();
    let stats = BusStats::default();
    let mut checked = 0;
    while let Some(cmd) = lines.next() {
        let argv: Vec<&str> = cmd.strip_prefix("> ").unwrap().split(' ').collect();
        let want = frame(&unescape(lines.next().unwrap().strip_prefix("< ").unwrap()));
        let mut random = || unreachable!();
        let mut ctx = CommandContext {
            now: Millis(0),
            keyspace: &keys,
            node_timeout_ms: 3000,
            allow_replica_migration: true,
            endpoints: EndpointOptions::default(),
            my_repl_offset: 0,
            bus_stats: &stats,
            random_node_id: &mut random,
        };
        let Ok(Outcome::Done(d)) = execute(&mut view, &argv, &mut ctx) else {
            panic!("{cmd}")
        };
        let (Frame::Array(want), ReplyValue::Array(ours)) = (want, d.reply) else {
            panic!()
        };
        assert_eq!(want.len(), ours.len(), "{cmd}");
        for (w, o) in want.iter().zip(&ours) {
            let (Frame::Bulk(w), ReplyValue::Bulk(o)) = (w, o) else {
                panic!()
            };
            let (w, o) = (String::from_utf8_lossy(w), String::from_utf8_lossy(o));
            // The dead replica's line is frozen; live ones moved on.
            if w.contains(",fail ") {
                assert_eq!(o, w);
            }
            assert_eq!(mask_times(&o), mask_times(&w), "{cmd}");
        }
        checked += 1;
    }
    assert_eq!(checked, 3);
}

#[test]
fn subcommand_arities_match_command_info() {
    let info = frame(&read("three-masters/command-info-cluster.resp2"));
    let Frame::Array(cmds) = info else { panic!() };
    let Frame::Array(cluster) = &cmds[0] else {
        panic!()
    };
    let Frame::Array(subs) = &cluster[9] else {
        panic!()
    };
    let mut theirs: Vec<(String, i64)> = subs
        .iter()
        .map(|s| {
            let Frame::Array(s) = s else { panic!() };
            let (Frame::Bulk(name), Frame::Integer(arity)) = (&s[0], &s[1]) else {
                panic!()
            };
            let name = String::from_utf8(name.clone()).unwrap();
            (name.strip_prefix("cluster|").unwrap().to_string(), *arity)
        })
        .collect();
    theirs.sort();
    let mut ours: Vec<(String, i64)> = shoal_cluster::commands::SUBCOMMANDS
        .iter()
        .map(|(n, a)| (n.to_string(), *a as i64))
        .collect();
    ours.sort();
    assert_eq!(ours, theirs);
}

/// The lines of a CLUSTER NODES text or nodes.conf, sorted (Redis prints
/// its hash-table order), with non-zero ping/pong times replaced by `T`
/// (Redis stamps them with its clock at load and its cron moves them).
fn loaded_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(' ').collect();
            if f.len() >= 8 && f[0] != "vars" {
                for t in &mut f[4..6] {
                    if *t != "0" {
                        *t = "T";
                    }
                }
                // The cron pings nodes right after loading; whether a PING
                // is outstanding at capture time is timing.
                f[4] = "-";
            }
            f.join(" ")
        })
        .collect();
    lines.sort();
    lines
}

#[test]
fn loading_edge_cases_gives_the_view_redis_has_after_loading() {
    let input = read("load/edge-cases.input.nodes.conf");
    let loaded = parse_nodes_conf(&input).unwrap();
    assert_eq!(
        loaded.warnings,
        ["Skipping unknown cluster config variable 'fooVar'"]
    );
    let logged = read_text("load/edge-cases.log-lines.txt");
    assert!(logged.contains(&loaded.warnings[0]));
    let mut view = loaded.view;
    shoal_cluster::nodes_conf::prepare_loaded_view(&mut view, Millis(1_795_602_988_000));
    view.check_invariants();
    assert_eq!(
        loaded_lines(&cluster_nodes_text(&view, false)),
        loaded_lines(&read_text("load/edge-cases.cluster-nodes.txt"))
    );
    assert_eq!(
        loaded_lines(&render_nodes_conf(&view)),
        loaded_lines(&read_text("load/edge-cases.saved.nodes.conf"))
    );
    // What Redis saved after loading loads again into the same picture.
    let saved = read("load/edge-cases.saved.nodes.conf");
    assert_eq!(
        render_nodes_conf(&parse_nodes_conf(&saved).unwrap().view).as_bytes(),
        &saved[..]
    );
}

#[test]
fn files_redis_refuses_are_refused() {
    let table = read_text("load/refused.txt");
    let mut n = 0;
    for line in table.lines() {
        let mut f = line.split('\t');
        let (name, verdict) = (f.next().unwrap(), f.next().unwrap());
        assert_eq!(verdict, "refused", "{name}");
        let text = read(&format!("load/refused-{name}.nodes.conf"));
        assert!(parse_nodes_conf(&text).is_err(), "{name} should be refused");
        n += 1;
    }
    assert_eq!(n, 6);
}

/// Replays `routing/script.txt`: three primaries, slot 5061 migrating from
/// node 0 to node 1, then node 2 deleting slot 16000. Keyed commands go
/// through `route` (with the keys each node holds at that point); CLUSTER
/// commands through `execute`. Every reply must match redis-server's.
#[test]
fn routing_decisions_match_a_live_migration() {
    use shoal_cluster::routing::{route, RouteFlags, RoutingConfig};
    use std::collections::BTreeSet;

    let mut views: Vec<ClusterView> = (0..3)
        .map(|i| view_of(&read_text(&format!("routing/node{i}.nodes.conf"))))
        .collect();
    for v in &mut views {
        v.state = ClusterState::Ok;
        v.size = 3;
    }
    let mut present: Vec<BTreeSet<Vec<u8>>> = vec![BTreeSet::new(); 3];
    present[0].insert(b"bar".to_vec());
    let mut asking = [false; 3];
    let mut configs = [RoutingConfig::default(); 3];
    let keys = ScriptKeys::default();
    let stats = BusStats::default();

    let script = read_text("routing/script.txt");
    let mut lines = script.lines();
    let mut routed = 0;
    while let Some(cmd) = lines.next() {
        let (node, line) = cmd.split_once(" > ").unwrap();
        let node: usize = node.parse().unwrap();
        let want = unescape(lines.next().unwrap().strip_prefix("< ").unwrap());
        let argv: Vec<&str> = line.split(' ').collect();
        let view = &mut views[node];
        let was_asking = std::mem::take(&mut asking[node]);
        let (is_write, key_args): (bool, &[&str]) = match argv[0] {
            "GET" => (false, &argv[1..2]),
            "MGET" | "EXISTS" => (false, &argv[1..]),
            "SET" => (true, &argv[1..2]),
            "DEL" => (true, &argv[1..]),
            "ASKING" => {
                asking[node] = true;
                assert_eq!(want, b"+OK\r\n");
                continue;
            }
            "PING" => continue,
            "CONFIG" => {
                configs[node].allow_reads_when_down = argv[3] == "yes";
                continue;
            }
            "CLUSTER" => {
                let mut random = || unreachable!();
                let mut ctx = CommandContext {
                    now: Millis(0),
                    keyspace: &keys,
                    node_timeout_ms: 3000,
                    allow_replica_migration: true,
                    endpoints: EndpointOptions::default(),
                    my_repl_offset: 0,
                    bus_stats: &stats,
                    random_node_id: &mut random,
                };
                let Ok(Outcome::Done(d)) = execute(view, &argv, &mut ctx) else {
                    panic!("{line}")
                };
                assert_eq!(encode(&d.reply, Protocol::Resp2), want, "{line}");
                if d.todo.update_state {
                    let a = view.assess_state(true);
                    view.state = a.state;
                    view.size = a.size;
                }
                if line == "CLUSTER DELSLOTS 16000" {
                    let saved = read_text("routing/node2.after-delslots.nodes.conf");
                    assert_eq!(mask_times(&render_nodes_conf(view)), mask_times(&saved));
                }
                continue;
            }
            other => panic!("unexpected command {other}"),
        };
        let flags = RouteFlags {
            is_write,
            asking: was_asking,
            ..RouteFlags::default()
        };
        let held = &present[node];
        let decision = route(
            view,
            key_args.iter().map(|k| k.as_bytes()),
            &flags,
            &configs[node],
            |k| held.contains(k),
        );
        match decision.error_text() {
            Some(text) => assert_eq!(
                show(&want),
                show(format!("-{text}\r\n").as_bytes()),
                "node {node}: {line}"
            ),
            None => {
                assert_ne!(
                    want.first(),
                    Some(&b'-'),
                    "node {node}: {line} served here, Redis said {}",
                    show(&want)
                );
                match argv[0] {
                    "SET" => {
                        present[node].insert(argv[1].as_bytes().to_vec());
                    }
                    "DEL" => {
                        for k in key_args {
                            present[node].remove(k.as_bytes());
                        }
                    }
                    _ => {}
                }
            }
        }
        routed += 1;
    }
    assert_eq!(routed, 25);
}
