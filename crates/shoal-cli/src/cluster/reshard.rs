//! `--cluster reshard host:port [--cluster-from <ids>|all] [--cluster-to
//! <id>] [--cluster-slots <n>] [--cluster-yes] [--cluster-timeout <ms>]
//! [--cluster-pipeline <n>] [--cluster-replace]`: moves hash slots (and
//! their keys) from some primaries to one.
//!
//! As redis-cli 7.0: the cluster is loaded and must pass the check; what
//! the options leave open is asked on standard input (how many slots, the
//! receiving node, the source nodes until `done` or `all`); the plan is
//! shown ("Ready to move N slots.", the nodes, one "Moving slot" line per
//! slot) and confirmed unless `--cluster-yes`; then each slot is moved with
//! [`super::migrate::move_slot`], a dot per key. Shoal adds a progress line
//! after each slot (see [`super::migrate::Progress`]). Unlike redis-cli,
//! which asks again forever, end of input while asking aborts the run.

use std::io::Write;

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG, SLOTS};
use super::migrate::{move_slot, reshard_table, MoveOpts};
use crate::args::Options;

/// Reads one answer from standard input, as redis-cli does (one read of at
/// most `max` bytes, the rest of a longer line dropped, the newline cut).
/// `None` at end of input.
fn read_answer(max: usize) -> Option<String> {
    let mut buf = vec![0u8; max];
    // SAFETY: read(2) into a live buffer of buf.len() bytes from fd 0.
    let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
    if n <= 0 {
        return None;
    }
    buf.truncate(n as usize);
    if buf.last() != Some(&b'\n') {
        let mut byte = [0u8; 1];
        loop {
            // SAFETY: as above, one byte.
            let r = unsafe { libc::read(0, byte.as_mut_ptr().cast(), 1) };
            if r <= 0 || byte[0] == b'\n' {
                break;
            }
        }
    }
    buf.pop();
    Some(String::from_utf8_lossy(&buf).into_owned())
}

/// Prints a question and reads the answer.
fn ask(question: &str, max: usize) -> Option<String> {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let answer = read_answer(max);
    if answer.is_none() {
        println!();
        eprintln!("*** No answer on standard input, operation aborted.");
    }
    answer
}

/// The primary named `id`, as a reshard source or target; `Err(true)`
/// when it is unknown or a replica (the run stops), `Err(false)` when it
/// is the target (only a message).
fn node_for_resharding(m: &Manager, id: &str, target: Option<usize>) -> Result<usize, bool> {
    match m.by_name(id) {
        Some(i) if !m.nodes[i].is_replica() => {
            if target == Some(i) {
                m.err("*** It is not possible to use the target node as source node.");
                return Err(false);
            }
            Ok(i)
        }
        _ => {
            m.err(&format!(
                "*** The specified node ({id}) is not known or not a master, please retry."
            ));
            Err(true)
        }
    }
}

/// Runs `reshard`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    m.check_cluster(false);
    if !m.errors.is_empty() {
        let _ = std::io::stdout().flush();
        eprintln!("*** Please fix your cluster problems before resharding");
        return false;
    }
    let mut slots = m.opts.slots;
    while slots <= 0 || slots > SLOTS as i64 {
        let Some(answer) = ask(
            &format!("How many slots do you want to move (from 1 to {SLOTS})? "),
            6,
        ) else {
            return false;
        };
        slots = crate::uri::atoi(answer.as_bytes());
    }
    let to = match &m.opts.to {
        Some(to) => String::from_utf8_lossy(to).into_owned(),
        None => loop {
            let Some(answer) = ask("What is the receiving node ID? ", 255) else {
                return false;
            };
            if !answer.is_empty() {
                break answer;
            }
        },
    };
    let Ok(target) = node_for_resharding(&m, &to, None) else {
        return false;
    };

    let mut sources: Vec<usize> = Vec::new();
    let mut all = false;
    let add_source = |m: &Manager, id: &str, sources: &mut Vec<usize>| -> bool {
        match node_for_resharding(m, id, Some(target)) {
            Ok(i) => {
                sources.push(i);
                true
            }
            Err(fatal) => !fatal,
        }
    };
    match &m.opts.from {
        None => {
            println!("Please enter all the source node IDs.");
            println!("  Type 'all' to use all the nodes as source nodes for the hash slots.");
            println!("  Type 'done' once you entered all the source nodes IDs.");
            loop {
                let Some(answer) = ask(&format!("Source node #{}: ", sources.len() + 1), 255)
                else {
                    return false;
                };
                match answer.as_str() {
                    "done" => break,
                    "all" => {
                        all = true;
                        break;
                    }
                    id => {
                        if !add_source(&m, id, &mut sources) {
                            return false;
                        }
                    }
                }
            }
        }
        Some(from) => {
            let from = String::from_utf8_lossy(from).into_owned();
            let words: Vec<&str> = from.split(',').collect();
            for (k, word) in words.iter().enumerate() {
                let last = k + 1 == words.len();
                if *word == "all" {
                    all = true;
                    break;
                }
                // An empty word is skipped only at the end (`a,`), as
                // redis-cli does.
                if last && word.is_empty() {
                    break;
                }
                if !add_source(&m, word, &mut sources) {
                    return false;
                }
            }
        }
    }
    if all {
        sources = (0..m.nodes.len())
            .filter(|&i| {
                let n = &m.nodes[i];
                !n.is_replica() && n.replicate.is_none() && n.name != m.nodes[target].name
            })
            .collect();
    }
    if sources.is_empty() {
        eprintln!("*** No source nodes given, operation aborted.");
        return false;
    }

    println!("\nReady to move {slots} slots.");
    println!("  Source nodes:");
    for &s in &sources {
        println!("{}", Manager::node_info(&m.nodes[s], 4));
    }
    println!("  Destination node:");
    println!("{}", Manager::node_info(&m.nodes[target], 4));
    let plan = reshard_table(&m, &sources, slots as usize);
    println!("  Resharding plan:");
    {
        let mut out = std::io::stdout().lock();
        for &(s, slot) in &plan {
            let _ = writeln!(out, "    Moving slot {slot} from {}", m.nodes[s].name);
        }
        let _ = out.flush();
    }
    if !m.opts.yes {
        print!("Do you want to proceed with the proposed reshard plan (yes/no)? ");
        let _ = std::io::stdout().flush();
        let mut buf = [0u8; 4];
        // SAFETY: read(2) into a live 4-byte buffer from fd 0.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 3 || &buf[..3] != b"yes" {
            return false;
        }
    }
    let opts = MoveOpts {
        verbose: true,
        ..MoveOpts::default()
    };
    m.progress.start(plan.len());
    for &(s, slot) in &plan {
        if let Err(e) = move_slot(&mut m, s, target, slot, opts) {
            if let Some(e) = e {
                m.err(&format!("clusterManagerMoveSlot failed: {e}"));
            }
            return false;
        }
        m.progress.step();
    }
    m.progress.finish();
    true
}
