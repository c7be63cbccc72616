//! `--cluster call host:port command args...`: runs one command on every
//! node (only primaries with `--cluster-only-masters`, only replicas with
//! `--cluster-only-replicas`) and prints `ip:port: <raw reply>` for each.

use super::manager::{host_from_args, Manager, Node, INVALID_HOST_ARG};
use crate::args::Options;
use crate::format::{self, Delimiters, OutputMode};

/// Runs `call`; `true` for exit code 0.
pub fn run(args: &[Vec<u8>], options: &Options) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprintln!("{INVALID_HOST_ARG}");
        return false;
    };
    let mut m = Manager::new(options);
    if !m.load_from_node(Node::new(&ip, port, 0)) {
        return false;
    }
    let command = &args[1..];
    m.log(super::manager::Level::Info, ">>> Calling");
    let mut words = String::new();
    for word in command {
        words.push(' ');
        words.push_str(&String::from_utf8_lossy(word));
    }
    println!("{words}");
    let flags = &options.cluster.flags;
    let only_masters = flags.iter().any(|f| f == "--cluster-only-masters");
    let only_replicas = flags.iter().any(|f| f == "--cluster-only-replicas");
    // Arrays are joined with newlines and nothing follows the reply, as
    // redis-cli's raw rendering does here.
    let delims = Delimiters {
        element: b"\n".to_vec(),
        reply: Vec::new(),
    };
    let mut out = Vec::new();
    for node in m.nodes.iter_mut() {
        if only_masters && node.replicate.is_some() {
            continue;
        }
        if only_replicas && node.replicate.is_none() {
            continue;
        }
        out.extend_from_slice(format!("{}:{}: ", node.ip, node.port).as_bytes());
        match node.command(command) {
            Some(reply) => out.extend(format::reply(&reply, OutputMode::Raw, &delims)),
            None => {
                out.truncate(out.len() - 2);
                out.extend_from_slice(b": Failed!");
            }
        }
        out.push(b'\n');
    }
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&out);
    let _ = stdout.flush();
    true
}
