//! `--cluster check host:port`: the cluster as one node sees it, checked.
//!
//! Prints the per-primary summary (as `info` does), then the node listing,
//! whether all nodes agree on slot owners, open (migrating or importing)
//! slots, and slot coverage. Exit code 1 when any check fails, as with
//! redis-cli.

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;

/// Runs `check`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    m.show_cluster_info();
    m.check_cluster(false)
}
