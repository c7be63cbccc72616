//! `shoal-local status`: every node recorded in the directory, whether its
//! process runs, and the cluster as a live node sees it. Exits 0 only when
//! every node runs and reports cluster_state:ok.

use crate::cluster_dir::{ClusterDir, Contents};
use crate::connection::{info_field, parse_info, Connection};
use crate::failure::Failure;
use crate::process::is_node_process;
use crate::report::{cluster_view, dir_flag, REPLICA_NOTE};
use crate::topology::{render_table, role_text, slots_text};
use std::path::Path;

/// Runs `status`; `Ok(true)` when the cluster is healthy.
pub fn run(root: &Path) -> Result<bool, Failure> {
    let dir = ClusterDir::new(root);
    let state = match dir.contents()? {
        Contents::Ours(s) => s,
        Contents::Empty => {
            return Err(Failure::new(
                format!("no cluster in {}", root.display()),
                format!("start one with `shoal-local start{}`", dir_flag(root)),
            ))
        }
        Contents::Foreign => {
            return Err(Failure::new(
                format!("{} was not created by shoal-local", root.display()),
                "pass the --dir of a cluster started by shoal-local",
            ))
        }
    };
    let ports = state.layout.ports();
    let pids: Vec<Option<u32>> = ports
        .iter()
        .map(|&p| dir.recorded_pid(p).filter(|&pid| is_node_process(pid, p)))
        .collect();
    let live: Vec<u16> = ports
        .iter()
        .zip(&pids)
        .filter(|(_, pid)| pid.is_some())
        .map(|(p, _)| *p)
        .collect();
    // Only nodes whose recorded process runs are asked: another program on
    // a recorded port must not pass for a node of this cluster.
    let view = cluster_view(&live).unwrap_or_default();
    let mut healthy = live.len() == ports.len();
    let mut rows = Vec::new();
    for (&port, pid) in ports.iter().zip(&pids) {
        let entry = view.iter().find(|n| n.port == port);
        let cluster_state = match pid {
            Some(_) => cluster_state(port).unwrap_or_else(|| "no answer".into()),
            None => "-".into(),
        };
        healthy &= cluster_state == "ok";
        rows.push(vec![
            format!("127.0.0.1:{port}"),
            pid.map_or("-".into(), |p| p.to_string()),
            if pid.is_some() { "yes" } else { "no" }.to_string(),
            entry.map_or("-".into(), |e| role_text(e, &view)),
            entry.map_or("-".into(), slots_text),
            cluster_state,
            entry.map_or("-".into(), |e| e.id.clone()),
        ]);
    }
    println!(
        "Cluster in {}: {} ({})",
        root.display(),
        state.layout.describe(),
        state.layout.address_range()
    );
    println!();
    print!(
        "{}",
        render_table(
            &[
                "ADDRESS",
                "PID",
                "RUNNING",
                "ROLE",
                "SLOTS",
                "CLUSTER_STATE",
                "NODE ID"
            ],
            &rows
        )
    );
    println!();
    let flag = dir_flag(root);
    if !state.created {
        println!(
            "The cluster was never fully created; `shoal-local start{flag}` creates it afresh."
        );
    } else if live.is_empty() {
        println!(
            "No node is running; `shoal-local start{flag}` restarts them from their nodes.conf."
        );
    } else if healthy {
        println!("All {} nodes run with cluster_state:ok.", ports.len());
        if view.iter().any(|n| n.is_replica()) {
            println!("{REPLICA_NOTE}");
        }
    } else {
        println!(
            "{} of {} nodes running; logs are in {}/<port>/server.log. \
             `shoal-local stop{flag}` then `shoal-local start{flag}` restarts them all.",
            live.len(),
            ports.len(),
            root.display()
        );
    }
    Ok(healthy)
}

fn cluster_state(port: u16) -> Option<String> {
    let text = Connection::open(port)
        .ok()?
        .call_text(&["CLUSTER", "INFO"])
        .ok()?;
    info_field(&parse_info(&text), "cluster_state").map(str::to_string)
}
