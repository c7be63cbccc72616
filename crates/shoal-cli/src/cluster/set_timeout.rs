//! `--cluster set-timeout host:port milliseconds`: sets
//! `cluster-node-timeout` on every node with CONFIG SET, and saves it with
//! CONFIG REWRITE, reporting each node and the totals.

use super::manager::{error_of, host_from_args, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;

/// Runs `set-timeout`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let timeout = crate::uri::atoi(&args[1]) as i32;
    if timeout < 100 {
        eprintln!("Setting a node timeout of less than 100 milliseconds is a bad idea.");
        return false;
    }
    let mut m = Manager::new(options);
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    let (mut ok, mut failed) = (0, 0);
    m.info(">>> Reconfiguring node timeout in every cluster node...");
    let value = timeout.to_string();
    let mut nodes = std::mem::take(&mut m.nodes);
    for n in nodes.iter_mut() {
        let mut error = String::new();
        let mut good = false;
        if let Some(reply) = n.command(&["CONFIG", "SET", "cluster-node-timeout", &value]) {
            match error_of(&reply) {
                Some(e) => error = e,
                None => {
                    if let Some(reply) = n.command(&["CONFIG", "REWRITE"]) {
                        match error_of(&reply) {
                            Some(e) => error = e,
                            None => good = true,
                        }
                    }
                }
            }
        }
        if good {
            m.warn(&format!("*** New timeout set for {}:{}", n.ip, n.port));
            ok += 1;
        } else {
            m.err(&format!(
                "ERR setting node-timeout for {}:{}: {error}",
                n.ip, n.port
            ));
            failed += 1;
        }
    }
    m.nodes = nodes;
    m.info(&format!(">>> New node timeout set. {ok} OK, {failed} ERR."));
    true
}
