//! `--cluster info host:port`: one line per primary (keys, slots,
//! replicas) and the totals, as redis-cli prints them.

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;

/// Runs `info`; `true` for exit code 0.
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
    true
}
