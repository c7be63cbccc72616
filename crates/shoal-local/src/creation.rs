//! Turning freshly started, empty nodes into one cluster, over RESP only
//! (no redis-cli needed):
//!
//! ```text
//! every node      CLUSTER SET-CONFIG-EPOCH <i+1>   distinct epochs, so no two
//!                                                  primaries claim slots at the same epoch
//! nodes 1..n      CLUSTER MEET 127.0.0.1 <port 0>  gossip introduces the rest
//!                 ... wait until every node knows and links to every node
//! primaries       CLUSTER ADDSLOTSRANGE <first> <last>
//! replicas        CLUSTER REPLICATE <primary id>
//!                 ... wait until every node reports cluster_state:ok
//! ```

use crate::cluster_dir::ClusterDir;
use crate::connection::{info_field, parse_info, Connection};
use crate::failure::Failure;
use crate::health::{wait_for_all, Expected, Health};
use crate::interrupt::Interrupt;
use crate::layout::{Layout, Role};
use std::collections::BTreeMap;
use std::time::Instant;

/// Creates the cluster from the running, empty nodes of `layout`.
pub fn create_cluster(
    layout: &Layout,
    dir: &ClusterDir,
    deadline: Instant,
    interrupt: &Interrupt,
) -> Result<(), Failure> {
    let ports = layout.ports();
    let mut ids = BTreeMap::new();
    for (i, &port) in ports.iter().enumerate() {
        let mut c = connect(port, dir)?;
        let info = parse_info(
            &c.call_text(&["CLUSTER", "INFO"])
                .map_err(|e| node_failure(port, dir, &e))?,
        );
        if info_field(&info, "cluster_known_nodes") != Some("1") {
            return Err(Failure::new(
                format!("the node on port {port} already belongs to a cluster"),
                "stop it, or pick another range with --base-port",
            ));
        }
        let id = c
            .call_text(&["CLUSTER", "MYID"])
            .map_err(|e| node_failure(port, dir, &e))?;
        let epoch = (i + 1).to_string();
        c.call_ok(&["CLUSTER", "SET-CONFIG-EPOCH", &epoch])
            .map_err(|e| node_failure(port, dir, &e))?;
        ids.insert(port, id);
    }

    let expected = Expected {
        nodes: ports.len(),
        replicas: None,
    };
    if ports.len() > 1 {
        let first = layout.base_port.to_string();
        for &port in &ports[1..] {
            connect(port, dir)?
                .call_ok(&["CLUSTER", "MEET", "127.0.0.1", &first])
                .map_err(|e| node_failure(port, dir, &e))?;
        }
        progress(&format!("joining {} nodes (CLUSTER MEET)...", ports.len()));
        let since = Instant::now();
        wait_for_all(
            &ports,
            &expected,
            "meet every other node",
            Health::knows_all,
            dir,
            deadline,
            interrupt,
        )?;
        progress(&format!(
            "every node knows the other {} ({})",
            ports.len() - 1,
            elapsed(since)
        ));
    }

    let mut replicas = 0;
    for (port, role) in layout.roles() {
        let mut c = connect(port, dir)?;
        match role {
            Role::Primary { first, last } => {
                progress(&format!("127.0.0.1:{port} serves slots {first}-{last}"));
                c.call_ok(&[
                    "CLUSTER",
                    "ADDSLOTSRANGE",
                    &first.to_string(),
                    &last.to_string(),
                ])
                .map_err(|e| node_failure(port, dir, &e))?;
            }
            Role::Replica { primary_port } => {
                progress(&format!(
                    "127.0.0.1:{port} replicates 127.0.0.1:{primary_port}"
                ));
                c.call_ok(&["CLUSTER", "REPLICATE", &ids[&primary_port]])
                    .map_err(|e| node_failure(port, dir, &e))?;
                replicas += 1;
            }
        }
    }

    progress("waiting for cluster_state:ok on every node...");
    let since = Instant::now();
    let expected = Expected {
        nodes: ports.len(),
        replicas: Some(replicas),
    };
    wait_for_all(
        &ports,
        &expected,
        "reach cluster_state:ok",
        Health::is_whole,
        dir,
        deadline,
        interrupt,
    )?;
    progress(&format!(
        "cluster_state:ok on all {} nodes ({})",
        ports.len(),
        elapsed(since)
    ));
    Ok(())
}

/// "2.3 s" since `since`.
pub fn elapsed(since: Instant) -> String {
    format!("{:.1} s", since.elapsed().as_secs_f64())
}

/// One progress line, indented under the step that prints it.
pub fn progress(line: &str) {
    println!("  {line}");
}

fn connect(port: u16, dir: &ClusterDir) -> Result<Connection, Failure> {
    Connection::open(port).map_err(|e| node_failure(port, dir, &format!("cannot connect: {e}")))
}

fn node_failure(port: u16, dir: &ClusterDir, what: &str) -> Failure {
    Failure::new(
        format!("node 127.0.0.1:{port}: {what}"),
        format!("read its log, {}", dir.log_path(port).display()),
    )
}
