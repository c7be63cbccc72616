//! `--cluster create host:port... [--cluster-replicas N] [--cluster-yes]`:
//! makes a cluster of empty nodes.
//!
//! The steps and messages follow redis-cli 7.0: every node must answer,
//! be cluster-enabled and empty; the first `N / (replicas + 1)` nodes (taken
//! round-robin over the distinct IPs) become primaries and split the 16384
//! slots evenly; the rest are handed out as replicas, preferring another
//! IP than the primary's, then shuffled to improve anti-affinity. After a
//! confirmation the primaries get `CLUSTER ADDSLOTS`, every node a distinct
//! `CLUSTER SET-CONFIG-EPOCH`, every node but the first `CLUSTER MEET` to
//! the first; once all agree (one dot a second) the replicas get `CLUSTER
//! REPLICATE`, and the result is checked from the first node.

use super::manager::{confirm, parse_address, resolve, Level, Manager, Node, SLOTS};
use crate::args::Options;

/// Runs `create`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let mut m = Manager::new(options);
    for arg in args {
        let text = String::from_utf8_lossy(arg).into_owned();
        let Some((ip, port, _)) = parse_address(&text) else {
            eprintln!("Invalid address format: {text}");
            return false;
        };
        let mut node = Node::new(&ip, port, 0);
        if !m.connect(&mut node) {
            return false;
        }
        match Manager::is_cluster(&mut node) {
            Ok(true) => {}
            Ok(false) => {
                m.not_cluster_error(&node, None);
                return false;
            }
            Err(e) => {
                m.not_cluster_error(&node, e);
                return false;
            }
        }
        if let Err(e) = Manager::load_info(&mut node, false) {
            if let Some(e) = e {
                m.reply_error(&node, &e);
            }
            return false;
        }
        match Manager::is_empty(&mut node) {
            Ok(true) => {}
            Ok(false) => {
                m.not_empty_error(&node, None);
                return false;
            }
            Err(e) => {
                m.not_empty_error(&node, e);
                return false;
            }
        }
        m.nodes.push(node);
    }
    let replicas = options.cluster.replicas.max(0) as usize;
    let node_count = m.nodes.len();
    let masters_count = node_count / (replicas + 1);
    if masters_count < 3 {
        m.log(
            Level::Err,
            &format!(
                "*** ERROR: Invalid configuration for cluster creation.\n*** Redis Cluster requires at least 3 master nodes.\n*** This is not possible with {node_count} nodes and {replicas} replicas per node."
            ),
        );
        m.log(
            Level::Err,
            &format!(
                "\n*** At least {} nodes are required.\n",
                3 * (replicas + 1)
            ),
        );
        return false;
    }
    m.info(&format!(
        ">>> Performing hash slots allocation on {node_count} nodes..."
    ));
    let layout = plan(&mut m, masters_count, replicas);
    optimize_anti_affinity(&mut m, &layout.ips);
    m.show_nodes();
    if !confirm("Can I set the above configuration?", options.cluster.yes) {
        return true;
    }
    apply(&mut m)
}

/// The nodes grouped by IP, in first-seen order of the IPs.
struct Layout {
    ips: Vec<Vec<usize>>,
}

/// Chooses primaries, their slots, and replicas; prints the plan lines.
fn plan(m: &mut Manager, masters_count: usize, replicas: usize) -> Layout {
    let mut ips: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, n) in m.nodes.iter().enumerate() {
        match ips.iter_mut().find(|(ip, _)| *ip == n.ip) {
            Some((_, list)) => list.push(i),
            None => ips.push((n.ip.clone(), vec![i])),
        }
    }
    // Round-robin over the IPs.
    let mut queues: Vec<std::collections::VecDeque<usize>> = ips
        .iter()
        .map(|(_, l)| l.iter().copied().collect())
        .collect();
    let mut interleaved = Vec::with_capacity(m.nodes.len());
    while interleaved.len() < m.nodes.len() {
        for q in queues.iter_mut() {
            if let Some(n) = q.pop_front() {
                interleaved.push(n);
            }
        }
    }
    let masters: Vec<usize> = interleaved[..masters_count].to_vec();
    let mut rest: Vec<Option<usize>> = interleaved[masters_count..]
        .iter()
        .map(|&i| Some(i))
        .collect();

    let per_node = SLOTS as f32 / masters_count as f32;
    let mut first: i64 = 0;
    let mut cursor: f32 = 0.0;
    for (i, &master) in masters.iter().enumerate() {
        let mut last = (cursor + per_node - 1.0).round() as i64;
        if last > SLOTS as i64 || i == masters_count - 1 {
            last = SLOTS as i64 - 1;
        }
        if last < first {
            last = first;
        }
        println!("Master[{i}] -> Slots {first} - {last}");
        let node = &mut m.nodes[master];
        node.slots_count = 0;
        for s in first..=last {
            node.slots[s as usize] = true;
            node.slots_count += 1;
        }
        node.dirty = true;
        first = last + 1;
        cursor += per_node;
    }

    // Rotate the candidates by one: it often starts the optimizer closer
    // to a good layout.
    if !rest.is_empty() {
        rest.rotate_left(1);
    }
    let mut offset = 0;
    let mut available = rest.len();
    let mut assign_unused = false;
    loop {
        for &master in &masters {
            let mut assigned = 0;
            while assigned < replicas {
                if available == 0 {
                    break;
                }
                let master_ip = m.nodes[master].ip.clone();
                let mut found = None;
                let mut first_same = None;
                for (j, slot) in rest.iter_mut().enumerate().skip(offset) {
                    let Some(n) = *slot else { continue };
                    if m.nodes[n].ip != master_ip {
                        found = Some(n);
                        *slot = None;
                        break;
                    }
                    if first_same.is_none() {
                        first_same = Some(j);
                    }
                }
                let replica = match (found, first_same) {
                    (Some(n), _) => n,
                    (None, Some(j)) => {
                        offset = j + 1;
                        rest[j].expect("a candidate")
                    }
                    (None, None) => break,
                };
                assigned += 1;
                available -= 1;
                let name = m.nodes[master].name.clone();
                let r = &mut m.nodes[replica];
                r.replicate = Some(name);
                r.dirty = true;
                let (r, p) = (&m.nodes[replica], &m.nodes[master]);
                println!("Adding replica {}:{} to {}:{}", r.ip, r.port, p.ip, p.port);
                if assign_unused {
                    break;
                }
            }
        }
        if !assign_unused && available > 0 {
            assign_unused = true;
            println!("Adding extra replicas...");
            continue;
        }
        break;
    }
    Layout {
        ips: ips.into_iter().map(|(_, l)| l).collect(),
    }
}

/// The anti-affinity score: 10000 for each replica on its primary's IP,
/// and one per replica sharing an IP with another replica of the same
/// primary. Also returns, per offending group, one replica to move.
fn score(m: &Manager, ips: &[Vec<usize>]) -> (usize, Vec<usize>) {
    let mut total = 0;
    let mut offenders = Vec::new();
    for group in ips {
        // primary id -> (has the primary here, replicas here)
        let mut related: Vec<(String, bool, usize)> = Vec::new();
        for &i in group {
            let n = &m.nodes[i];
            let key = n.replicate.clone().unwrap_or_else(|| n.name.clone());
            let entry = match related.iter_mut().position(|(k, _, _)| *k == key) {
                Some(p) => &mut related[p],
                None => {
                    related.push((key, false, 0));
                    related.last_mut().expect("just pushed")
                }
            };
            if n.replicate.is_some() {
                entry.2 += 1;
            } else {
                entry.1 = true;
            }
        }
        let ip = group
            .first()
            .map(|&i| m.nodes[i].ip.clone())
            .unwrap_or_default();
        for (key, has_primary, count) in related {
            let len = count + usize::from(has_primary);
            if len < 2 {
                continue;
            }
            total += if has_primary { 10000 * (len - 1) } else { len };
            if let Some(o) = m
                .nodes
                .iter()
                .position(|n| n.replicate.as_deref() == Some(key.as_str()) && n.ip == ip)
            {
                offenders.push(o);
            }
        }
    }
    (total, offenders)
}

/// Swaps primaries between replicas at random, keeping swaps that do not
/// make the score worse, then says how good the result is.
fn optimize_anti_affinity(m: &mut Manager, ips: &[Vec<usize>]) {
    if score(m, ips).0 == 0 {
        return;
    }
    m.info(">>> Trying to optimize slaves allocation for anti-affinity");
    let mut rng = Rng::seeded();
    let mut iterations = 500 * m.nodes.len();
    while iterations > 0 {
        let (current, offenders) = score(m, ips);
        if current == 0 || offenders.is_empty() {
            break;
        }
        let first = offenders[rng.below(offenders.len())];
        let others: Vec<usize> = (0..m.nodes.len())
            .filter(|&i| i != first && m.nodes[i].replicate.is_some())
            .collect();
        if others.is_empty() {
            break;
        }
        let second = others[rng.below(others.len())];
        let (a, b) = (
            m.nodes[first].replicate.clone(),
            m.nodes[second].replicate.clone(),
        );
        m.nodes[first].replicate = b.clone();
        m.nodes[second].replicate = a.clone();
        m.nodes[first].dirty = true;
        m.nodes[second].dirty = true;
        if score(m, ips).0 > current {
            m.nodes[first].replicate = a;
            m.nodes[second].replicate = b;
        }
        iterations -= 1;
    }
    let final_score = score(m, ips).0;
    if final_score == 0 {
        m.ok("[OK] Perfect anti-affinity obtained!");
    } else if final_score >= 10000 {
        m.warn("[WARNING] Some slaves are in the same host as their master");
    } else {
        m.warn("[WARNING] Some slaves of the same master are in the same host");
    }
}

/// A small xorshift generator, seeded from the clock (the layout search
/// only needs variety, not quality).
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(t | 1)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Sends a node its planned configuration: REPLICATE for a replica,
/// ADDSLOTS for a primary. A primary is done whatever the reply (redis-cli
/// goes on, and the final check shows what is missing); a replica stays
/// dirty when REPLICATE fails, since its primary may not be known yet.
fn flush(node: &mut Node) {
    if !node.dirty {
        return;
    }
    if let Some(primary) = node.replicate.clone() {
        match node.command(&["CLUSTER", "REPLICATE", &primary]) {
            Some(f) if super::manager::error_of(&f).is_none() => node.dirty = false,
            _ => {}
        }
    } else {
        let mut args: Vec<String> = vec!["CLUSTER".into(), "ADDSLOTS".into()];
        args.extend((0..SLOTS).filter(|&s| node.slots[s]).map(|s| s.to_string()));
        if args.len() > 2 {
            let _ = node.command(&args);
        }
        node.dirty = false;
    }
}

/// Applies the plan and checks the result.
fn apply(m: &mut Manager) -> bool {
    for node in m.nodes.iter_mut() {
        flush(node);
    }
    m.info(">>> Nodes configuration updated");
    m.info(">>> Assign a different config epoch to each node");
    for (i, node) in m.nodes.iter_mut().enumerate() {
        let epoch = (i + 1).to_string();
        let _ = node.command(&["cluster", "set-config-epoch", &epoch]);
    }
    m.info(">>> Sending CLUSTER MEET messages to join the cluster");
    let Some(first_ip) = resolve(&m.nodes[0].ip) else {
        eprintln!(
            "Invalid IP address or hostname specified: {}",
            m.nodes[0].ip
        );
        return false;
    };
    let (first_port, first_bus) = (m.nodes[0].port, m.nodes[0].bus_port);
    let port = first_port.to_string();
    for i in 1..m.nodes.len() {
        let node = &mut m.nodes[i];
        let reply = if first_bus == 0 || first_bus == first_port.wrapping_add(10000) {
            node.command(&["cluster", "meet", &first_ip, &port])
        } else {
            node.command(&["cluster", "meet", &first_ip, &port, &first_bus.to_string()])
        };
        match reply {
            Some(f) => {
                if let Some(e) = super::manager::error_of(&f) {
                    m.reply_error(&m.nodes[i], &e);
                    return false;
                }
            }
            None => {
                eprintln!("Failed to send CLUSTER MEET command.");
                return false;
            }
        }
    }
    // A second for the meetings to start, so the wait does not see empty
    // nodes agreeing on nothing.
    std::thread::sleep(std::time::Duration::from_secs(1));
    m.wait_for_join();
    for node in m.nodes.iter_mut() {
        flush(node);
    }
    let mut nodes = std::mem::take(&mut m.nodes);
    let first = nodes.swap_remove(0);
    drop(nodes);
    let mut fresh = Node::new(&first.ip, first.port, 0);
    fresh.conn = first.conn;
    if !m.load_from_node(fresh) {
        return false;
    }
    m.check_cluster(false);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manager(addrs: &[(&str, u16)]) -> Manager {
        let mut m = Manager::new(&Options::new(false));
        m.color = false;
        for (i, (ip, port)) in addrs.iter().enumerate() {
            let mut n = Node::new(ip, *port, 0);
            n.name = format!("{:040}", i);
            m.nodes.push(n);
        }
        m
    }

    #[test]
    fn slots_split_like_redis_cli() {
        let mut m = manager(&[("a", 1), ("a", 2), ("a", 3)]);
        plan(&mut m, 3, 0);
        let counts: Vec<usize> = m.nodes.iter().map(|n| n.slots_count).collect();
        assert_eq!(counts, vec![5461, 5462, 5461]);
        assert_eq!(m.nodes[1].slots_string(), "[5461-10922]");
    }

    #[test]
    fn replicas_prefer_other_hosts() {
        let addrs = [("a", 1), ("b", 1), ("c", 1), ("a", 2), ("b", 2), ("c", 2)];
        let mut m = manager(&addrs);
        let layout = plan(&mut m, 3, 1);
        // Interleaved: a1 b1 c1 | a2 b2 c2 -> rotated b2 c2 a2.
        assert_eq!(
            m.nodes[4].replicate.as_deref(),
            Some(m.nodes[0].name.as_str())
        );
        assert_eq!(
            m.nodes[5].replicate.as_deref(),
            Some(m.nodes[1].name.as_str())
        );
        assert_eq!(
            m.nodes[3].replicate.as_deref(),
            Some(m.nodes[2].name.as_str())
        );
        assert_eq!(score(&m, &layout.ips).0, 0);
    }

    #[test]
    fn one_host_scores_badly() {
        let addrs: Vec<(&str, u16)> = (1..=6).map(|p| ("h", p)).collect();
        let mut m = manager(&addrs);
        let layout = plan(&mut m, 3, 1);
        assert!(m.nodes[3..].iter().all(|n| n.replicate.is_some()));
        assert_eq!(score(&m, &layout.ips).0, 30000);
    }
}
