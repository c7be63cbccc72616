//! `--cluster add-node new_host:new_port existing_host:existing_port
//! [--cluster-slave [--cluster-master-id id]]`: joins an empty node to a
//! cluster.
//!
//! As redis-cli 7.0: the existing cluster is loaded and must pass the
//! check; the new node must answer, be cluster-enabled and empty; a new
//! primary first gets the cluster's functions (FUNCTION DUMP / RESTORE,
//! skipped with a message when the cluster does not have them); then the
//! new node is sent `CLUSTER MEET` to the first node, and a replica, once
//! the cluster agrees, `CLUSTER REPLICATE` to the chosen primary (the one
//! named, or the one with the fewest replicas).

use shoal_resp::frame::Frame;

use super::manager::{error_of, host_from_args, resolve, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;

/// Runs `add-node`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let (Some((ref_ip, ref_port)), Some((ip, port))) =
        (host_from_args(&args[1..]), host_from_args(&args[..1]))
    else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    m.info(&format!(
        ">>> Adding node {ip}:{port} to cluster {ref_ip}:{ref_port}"
    ));
    if !m.load_from_node(Node::new(&ref_ip, ref_port, 0)) {
        return false;
    }
    if !m.check_cluster(false) {
        return false;
    }
    let as_replica = options.cluster.flags.iter().any(|f| f == "--cluster-slave");
    let mut primary: Option<usize> = None;
    if as_replica {
        match &options.cluster.primary_id {
            Some(id) => {
                let id = String::from_utf8_lossy(id).into_owned();
                match m.by_name(&id) {
                    Some(p) => primary = Some(p),
                    None => {
                        m.err(&format!("[ERR] No such master ID {id}"));
                        return false;
                    }
                }
            }
            None => {
                let Some(p) = m.least_replicas() else {
                    m.err("[ERR] The cluster has no primary to replicate");
                    return false;
                };
                println!(
                    "Automatically selected master {}:{}",
                    m.nodes[p].ip, m.nodes[p].port
                );
                primary = Some(p);
            }
        }
    }

    let mut new_node = Node::new(&ip, port, 0);
    if !m.connect(&mut new_node) {
        m.err(&format!("[ERR] Sorry, can't connect to node {ip}:{port}"));
        return false;
    }
    match Manager::is_cluster(&mut new_node) {
        Ok(true) => {}
        Ok(false) => {
            m.not_cluster_error(&new_node, None);
            return false;
        }
        Err(e) => {
            m.not_cluster_error(&new_node, e);
            return false;
        }
    }
    if let Err(e) = Manager::load_info(&mut new_node, false) {
        if let Some(e) = e {
            m.reply_error(&new_node, &e);
        }
        return false;
    }
    match Manager::is_empty(&mut new_node) {
        Ok(true) => {}
        Ok(false) => {
            m.not_empty_error(&new_node, None);
            return false;
        }
        Err(e) => {
            m.not_empty_error(&new_node, e);
            return false;
        }
    }

    if primary.is_none() && !copy_functions(&mut m, &mut new_node, &ip, port) {
        return false;
    }

    m.info(&format!(
        ">>> Send CLUSTER MEET to node {ip}:{port} to make it join the cluster."
    ));
    let (first_ip, first_port, first_bus) = {
        let first = &m.nodes[0];
        (first.ip.clone(), first.port, first.bus_port)
    };
    let Some(meet_ip) = resolve(&first_ip) else {
        eprintln!("Invalid IP address or hostname specified: {first_ip}");
        return false;
    };
    let port_text = first_port.to_string();
    let reply = if first_bus == 0 || first_bus == first_port.wrapping_add(10000) {
        new_node.command(&["CLUSTER", "MEET", &meet_ip, &port_text])
    } else {
        new_node.command(&[
            "CLUSTER",
            "MEET",
            &meet_ip,
            &port_text,
            &first_bus.to_string(),
        ])
    };
    if !replied_ok(&m, &new_node, reply) {
        return false;
    }
    if let Some(p) = primary {
        let (p_ip, p_port, p_name) = {
            let n = &m.nodes[p];
            (n.ip.clone(), n.port, n.name.clone())
        };
        m.nodes.push(new_node);
        std::thread::sleep(std::time::Duration::from_secs(1));
        m.wait_for_join();
        m.info(&format!(
            ">>> Configure node as replica of {p_ip}:{p_port}."
        ));
        let mut new_node = m.nodes.pop().expect("just pushed");
        let reply = new_node.command(&["CLUSTER", "REPLICATE", &p_name]);
        if !replied_ok(&m, &new_node, reply) {
            return false;
        }
    }
    m.ok("[OK] New node added correctly.");
    true
}

/// Prints an error reply; `true` for any other reply.
fn replied_ok(m: &Manager, node: &Node, reply: Option<Frame>) -> bool {
    match reply {
        Some(f) => match error_of(&f) {
            Some(e) => {
                m.reply_error(node, &e);
                false
            }
            None => true,
        },
        None => false,
    }
}

/// Gives a new primary the cluster's functions. `false` when the new
/// node has functions of its own or refuses them.
fn copy_functions(m: &mut Manager, new_node: &mut Node, ip: &str, port: u16) -> bool {
    m.info(">>> Getting functions from cluster");
    let dump = m.nodes[0].command(&["FUNCTION", "DUMP"]);
    let payload = match dump {
        Some(Frame::Bulk(p)) => p,
        other => {
            let err = other.as_ref().map_or("NULL reply".to_owned(), |f| {
                error_of(f).unwrap_or_else(|| "NULL reply".into())
            });
            m.info(&format!(
                ">>> Failed retrieving Functions from the cluster, skip this step as Redis version do not support function command (error = '{err}')"
            ));
            return true;
        }
    };
    m.info(&format!(
        ">>> Send FUNCTION LIST to {ip}:{port} to verify there is no functions in it"
    ));
    match new_node.command(&["FUNCTION", "LIST"]) {
        Some(Frame::Array(items)) if items.is_empty() => {}
        Some(Frame::Array(_)) => {
            m.log(
                super::manager::Level::Err,
                ">>> New node already contains functions and can not be added to the cluster. Use FUNCTION FLUSH and try again.\r\n",
            );
            return false;
        }
        other => {
            let err = other
                .as_ref()
                .and_then(error_of)
                .unwrap_or_else(|| "NULL reply".into());
            m.log(
                super::manager::Level::Err,
                &format!(">>> Failed on CLUSTER LIST (error = '{err}')\r\n"),
            );
            return false;
        }
    }
    m.info(&format!(">>> Send FUNCTION RESTORE to {ip}:{port}"));
    let args: [&[u8]; 3] = [b"FUNCTION", b"RESTORE", &payload];
    match new_node.command(&args) {
        Some(f) if error_of(&f).is_none() => true,
        other => {
            let err = other
                .as_ref()
                .and_then(error_of)
                .unwrap_or_else(|| "NULL reply".into());
            m.log(
                super::manager::Level::Err,
                &format!(">>> Failed loading functions to the new node (error = '{err}')\r\n"),
            );
            false
        }
    }
}
