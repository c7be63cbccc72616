//! `--cluster del-node host:port node_id`: removes a node that serves no
//! slots. Its replicas are moved to the primary with the fewest replicas,
//! every other node is sent `CLUSTER FORGET`, and the removed node
//! `CLUSTER RESET SOFT`, as redis-cli 7.0 does.

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;

/// Runs `del-node`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let node_id = String::from_utf8_lossy(&args[1]).into_owned();
    let mut m = Manager::new(options);
    m.info(&format!(
        ">>> Removing node {node_id} from cluster {ip}:{port}"
    ));
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    let Some(target) = m.by_name(&node_id) else {
        m.err(&format!("[ERR] No such node ID {node_id}"));
        return false;
    };
    if m.nodes[target].slots_count != 0 {
        let n = &m.nodes[target];
        m.err(&format!(
            "[ERR] Node {}:{} is not empty! Reshard data away and try again.",
            n.ip, n.port
        ));
        return false;
    }
    m.info(">>> Sending CLUSTER FORGET messages to the cluster...");
    for i in 0..m.nodes.len() {
        if i == target {
            continue;
        }
        let replicates_target = m.nodes[i]
            .replicate
            .as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(&node_id));
        if replicates_target {
            let Some(p) = m.least_replicas() else {
                return false;
            };
            let (p_ip, p_port, p_name) = (
                m.nodes[p].ip.clone(),
                m.nodes[p].port,
                m.nodes[p].name.clone(),
            );
            m.info(&format!(
                ">>> {}:{} as replica of {p_ip}:{p_port}",
                m.nodes[i].ip, m.nodes[i].port
            ));
            let mut node = std::mem::replace(&mut m.nodes[i], Node::new("", 0, 0));
            let ok = m.checked(&mut node, &["CLUSTER", "REPLICATE", &p_name]);
            m.nodes[i] = node;
            if !ok {
                return false;
            }
        }
        let mut node = std::mem::replace(&mut m.nodes[i], Node::new("", 0, 0));
        let ok = m.checked(&mut node, &["CLUSTER", "FORGET", &node_id]);
        m.nodes[i] = node;
        if !ok {
            return false;
        }
    }
    m.info(">>> Sending CLUSTER RESET SOFT to the deleted node.");
    let mut node = std::mem::replace(&mut m.nodes[target], Node::new("", 0, 0));
    let ok = m.checked(&mut node, &["CLUSTER", "RESET", "SOFT"]);
    m.nodes[target] = node;
    ok
}
