//! `--cluster rebalance host:port [--cluster-weight <node>=<w> ...]
//! [--cluster-use-empty-masters] [--cluster-timeout <ms>]
//! [--cluster-simulate] [--cluster-pipeline <n>] [--cluster-threshold
//! <pct>]`: evens out the slots among primaries, in proportion to weights.
//!
//! As redis-cli 7.0: each primary taking part (those with slots, and empty
//! ones with `--cluster-use-empty-masters`) expects `16384 / total weight *
//! weight` slots; its balance is what it has minus that. Nothing is done
//! when no primary is off by more than the threshold (2 % by default).
//! Rounding leftovers are given to receiving nodes, the nodes are sorted by
//! balance, and slots go from the end of that list (the biggest givers) to
//! its start (the biggest takers), one "Moving N slots from A to B" line
//! and a `#` per slot moved (or only the `#`s with `--cluster-simulate`).
//! Shoal adds its progress line (see [`super::migrate::Progress`]): over
//! the whole rebalance, redrawn after each slot on a terminal (the row of
//! `#` then written when the batch is done), after each batch's row when
//! piped.

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG, SLOTS};
use super::migrate::{move_slot, reshard_table, MoveOpts};
use crate::args::Options;
use std::io::Write;

/// Default `--cluster-threshold`, in percent.
pub const DEFAULT_THRESHOLD: f64 = 2.0;

/// The planned balance of each involved node (by index into the node
/// list), given slot counts and weights: positive to give, negative to
/// take. `None` when every node is within `threshold` percent.
pub fn balances(counts: &[(usize, f32)], threshold: f32) -> Option<Vec<i64>> {
    let total: f32 = counts.iter().map(|(_, w)| w).sum();
    let mut reached = false;
    let mut out = Vec::with_capacity(counts.len());
    for &(count, weight) in counts {
        let expected = ((SLOTS as f32 / total) * weight) as i64;
        out.push(count as i64 - expected);
        if threshold > 0.0 {
            if count > 0 {
                let err = (100.0 - (100.0 * expected as f64 / count as f64)).abs();
                if err > threshold as f64 {
                    reached = true;
                }
            } else if expected > 1 {
                reached = true;
            }
        }
    }
    if !reached {
        return None;
    }
    let mut total_balance: i64 = out.iter().sum();
    while total_balance > 0 {
        for b in out.iter_mut() {
            if *b <= 0 && total_balance > 0 {
                *b -= 1;
                total_balance -= 1;
            }
        }
    }
    Some(out)
}

/// Runs `rebalance`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    let mut weights = vec![1.0f32; m.nodes.len()];
    for word in m.opts.weights.clone() {
        let word = String::from_utf8_lossy(&word).into_owned();
        let Some((name, w)) = word.split_once('=') else {
            m.err(&format!("*** invalid input {word}"));
            return false;
        };
        let lower = name.to_ascii_lowercase();
        let Some(i) = m
            .nodes
            .iter()
            .position(|n| !n.name.is_empty() && n.name.starts_with(&lower))
        else {
            m.err(&format!("*** No such master node {name}"));
            return false;
        };
        weights[i] = c_atof(w);
    }
    let use_empty = m.has_flag("--cluster-use-empty-masters");
    let involved: Vec<usize> = (0..m.nodes.len())
        .filter(|&i| {
            let n = &m.nodes[i];
            !n.is_replica() && n.replicate.is_none() && (use_empty || n.slots_count > 0)
        })
        .collect();
    let total_weight: f32 = involved.iter().map(|&i| weights[i]).sum();
    m.check_cluster(true);
    if !m.errors.is_empty() {
        m.err("*** Please fix your cluster problems before rebalancing");
        return false;
    }
    let threshold = m.opts.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let counts: Vec<(usize, f32)> = involved
        .iter()
        .map(|&i| (m.nodes[i].slots_count, weights[i]))
        .collect();
    let Some(bal) = balances(&counts, threshold as f32) else {
        m.warn(&format!(
            "*** No rebalancing needed! All nodes are within the {threshold:.2}% threshold."
        ));
        return true;
    };
    // (node, balance), sorted by balance: takers first, givers last.
    let mut nodes: Vec<(usize, i64)> = involved.iter().copied().zip(bal).collect();
    nodes.sort_by_key(|&(_, b)| b);
    m.info(&format!(
        ">>> Rebalancing across {} nodes. Total weight = {total_weight:.2}",
        nodes.len()
    ));
    if m.verbose {
        for &(i, b) in &nodes {
            println!("{}:{} balance is {b} slots", m.nodes[i].ip, m.nodes[i].port);
        }
    }
    let simulate = m.has_flag("--cluster-simulate");
    let moves = plan_moves(&mut nodes);
    m.progress.start(moves.iter().map(|&(_, _, n)| n).sum());
    for (src, dst, numslots) in moves {
        m.progress.clear();
        println!(
            "Moving {numslots} slots from {}:{} to {}:{}",
            m.nodes[src].ip, m.nodes[src].port, m.nodes[dst].ip, m.nodes[dst].port
        );
        let table = reshard_table(&m, &[src], numslots);
        if table.len() != numslots {
            m.err("*** Assertion failed: Reshard table != number of slots");
            return false;
        }
        if simulate {
            println!("{}", "#".repeat(table.len()));
            continue;
        }
        let opts = MoveOpts {
            quiet: true,
            update: true,
            ..MoveOpts::default()
        };
        // On a terminal the progress line is redrawn after each slot and
        // the row of `#` written when the batch is done; piped, the `#`
        // come one per slot (as redis-cli writes them) and the progress
        // line follows the row.
        for &(s, slot) in &table {
            if let Err(e) = move_slot(&mut m, s, dst, slot, opts) {
                m.err(&format!(
                    "*** clusterManagerMoveSlot: {}",
                    e.unwrap_or_else(|| "connection lost".into())
                ));
                return false;
            }
            if m.progress.in_place() {
                m.progress.step();
            } else {
                m.progress.advance();
                print!("#");
                let _ = std::io::stdout().flush();
            }
        }
        m.progress.clear();
        if m.progress.in_place() {
            print!("{}", "#".repeat(table.len()));
        }
        println!();
        m.progress.show();
    }
    m.progress.finish();
    true
}

/// The moves that even out `nodes` (node, balance), sorted by balance:
/// `(source, target, slots)`, slots going from the end of the list (the
/// biggest givers) to its start (the biggest takers), as redis-cli pairs
/// them.
fn plan_moves(nodes: &mut [(usize, i64)]) -> Vec<(usize, usize, usize)> {
    let mut moves = Vec::new();
    let (mut dst_idx, mut src_idx) = (0usize, nodes.len().saturating_sub(1));
    while dst_idx < src_idx {
        let (dst, db) = nodes[dst_idx];
        let (src, sb) = nodes[src_idx];
        let numslots = db.abs().min(sb.abs());
        if numslots > 0 {
            moves.push((src, dst, numslots as usize));
        }
        nodes[dst_idx].1 += numslots;
        nodes[src_idx].1 -= numslots;
        if nodes[dst_idx].1 == 0 {
            dst_idx += 1;
        }
        if nodes[src_idx].1 == 0 {
            src_idx -= 1;
        }
    }
    moves
}

/// C's `atof`, as redis-cli reads a weight: leading spaces skipped, the
/// longest number at the start taken (`2abc` is 2), 0 when there is none.
fn c_atof(text: &str) -> f32 {
    let t = text.trim_start();
    let b = t.as_bytes();
    let mut end = 0;
    let digits = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    if end < b.len() && (b[end] == b'+' || b[end] == b'-') {
        end += 1;
    }
    let int_end = digits(end);
    let mut num_end = int_end;
    if num_end < b.len() && b[num_end] == b'.' {
        num_end = digits(num_end + 1);
    }
    if num_end > end + usize::from(int_end == end) {
        end = num_end;
        // An exponent counts only with digits after it.
        if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
            let mut e = end + 1;
            if e < b.len() && (b[e] == b'+' || b[e] == b'-') {
                e += 1;
            }
            let e_end = digits(e);
            if e_end > e {
                end = e_end;
            }
        }
    } else {
        return 0.0;
    }
    t[..end].parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_read_like_atof() {
        assert_eq!(c_atof("2abc"), 2.0);
        assert_eq!(c_atof(" 1.5"), 1.5);
        assert_eq!(c_atof("abc"), 0.0);
        assert_eq!(c_atof("3e2x"), 300.0);
        assert_eq!(c_atof("4e"), 4.0);
        assert_eq!(c_atof("-.5"), -0.5);
        assert_eq!(c_atof("."), 0.0);
    }

    #[test]
    fn balances_follow_weights_and_threshold() {
        // Three full primaries and an empty one, equal weights.
        let b = balances(&[(5461, 1.0), (5462, 1.0), (5461, 1.0), (0, 1.0)], 2.0).unwrap();
        assert_eq!(b.iter().sum::<i64>(), 0);
        assert_eq!(b[3], -4096);
        assert!(b[..3].iter().all(|&x| x > 1300));
        // Already even: nothing to do.
        assert!(balances(&[(5461, 1.0), (5462, 1.0), (5461, 1.0)], 2.0).is_none());
        // A weight of 2 asks for twice the slots.
        let b = balances(&[(8192, 1.0), (8192, 2.0)], 2.0).unwrap();
        assert_eq!(b, vec![8192 - 5461, 8192 - 10922 - 1]);
    }

    #[test]
    fn moves_pair_the_biggest_giver_with_the_biggest_taker() {
        // Node 3 takes 269, given by 1 (108), then 2 (107), then 0 (54).
        let mut nodes = vec![(3, -269), (0, 54), (2, 107), (1, 108)];
        assert_eq!(
            plan_moves(&mut nodes),
            vec![(1, 3, 108), (2, 3, 107), (0, 3, 54)]
        );
        // Two takers: the biggest is served first, the giver's rest goes on.
        let mut nodes = vec![(0, -100), (1, -50), (2, 150)];
        assert_eq!(plan_moves(&mut nodes), vec![(2, 0, 100), (2, 1, 50)]);
        assert!(nodes.iter().all(|&(_, b)| b == 0));
    }
}
