//! What shoal-local prints about a running cluster: the node table, the
//! honest note on replicas, and how to connect.

use crate::args::DEFAULT_DIR;
use crate::connection::Connection;
use crate::topology::{parse_nodes, render_table, role_text, slots_text, NodeEntry};
use std::path::{Path, PathBuf};

/// The cluster as the node on one of `ports` sees it (the first that
/// answers), sorted by port.
pub fn cluster_view(ports: &[u16]) -> Option<Vec<NodeEntry>> {
    ports.iter().find_map(|&p| {
        let text = Connection::open(p)
            .ok()?
            .call_text(&["CLUSTER", "NODES"])
            .ok()?;
        let mut nodes = parse_nodes(&text);
        nodes.sort_by_key(|n| n.port);
        Some(nodes)
    })
}

/// The table printed once the cluster is ready.
pub fn ready_table(nodes: &[NodeEntry]) -> String {
    let rows: Vec<Vec<String>> = nodes
        .iter()
        .map(|n| {
            vec![
                n.addr.clone(),
                role_text(n, nodes),
                slots_text(n),
                n.id.clone(),
            ]
        })
        .collect();
    render_table(&["ADDRESS", "ROLE", "SLOTS", "NODE ID"], &rows)
}

/// The note printed whenever the cluster has replicas: the cluster layer
/// promotes them, but no data reaches them yet.
pub const REPLICA_NOTE: &str =
    "Replicas are cluster members that take over their primary's slots on failover. \
Shoal does not copy data to them yet, so the keys of a failed primary are lost.";

/// `--dir D` to append to suggested commands when D is not the default.
pub fn dir_flag(dir: &Path) -> String {
    if dir == Path::new(DEFAULT_DIR) {
        String::new()
    } else {
        format!(" --dir {}", dir.display())
    }
}

/// The lines telling how to reach the cluster through `port`.
pub fn connect_lines(port: u16) -> Vec<String> {
    vec![
        format!("  {} -c -p {port}", sibling_display("shoal-cli")),
        format!("  redis-cli -c -p {port}   (if installed)"),
    ]
}

/// How the user reaches a binary built next to shoal-local: the path
/// relative to the current directory when it is below it (as
/// `target/release/shoal-cli` is in a clone), else absolute, else its bare
/// name.
pub fn sibling_display(name: &str) -> String {
    let Some(path) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(|d| d.join(name)))
    else {
        return name.to_string();
    };
    if !path.is_file() {
        return name.to_string();
    }
    shorten(&path).display().to_string()
}

fn shorten(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| d.canonicalize().ok());
    let canon = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match cwd.as_ref().and_then(|c| canon.strip_prefix(c).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => canon,
    }
}
