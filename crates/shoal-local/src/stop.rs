//! `shoal-local stop` and `shoal-local clean`: stop the nodes recorded in
//! the directory (even ones left by a shoal-local that was killed), and
//! remove what shoal-local created there, never anything else.

use crate::args::StopArgs;
use crate::cluster_dir::{ClusterDir, Contents, State};
use crate::failure::Failure;
use crate::fleet::stop_in_parallel;
use crate::process::{NodeProcess, Stopped};
use std::path::Path;
use std::time::Duration;

/// Runs `stop`.
pub fn run_stop(root: &Path, args: &StopArgs) -> Result<(), Failure> {
    let dir = ClusterDir::new(root);
    match dir.contents()? {
        Contents::Empty => {
            println!("Nothing to stop: no cluster in {}.", root.display());
            Ok(())
        }
        Contents::Foreign => Err(not_ours(root)),
        Contents::Ours(state) => stop_nodes(&dir, &state, args),
    }
}

/// Runs `clean`.
pub fn run_clean(root: &Path, args: &StopArgs) -> Result<(), Failure> {
    let dir = ClusterDir::new(root);
    let state = match dir.contents()? {
        Contents::Empty => {
            println!("Nothing to clean: no cluster in {}.", root.display());
            return Ok(());
        }
        Contents::Foreign => return Err(not_ours(root)),
        Contents::Ours(s) => s,
    };
    stop_nodes(&dir, &state, args)?;
    for port in state.layout.ports() {
        dir.remove_node_dir(port)?;
    }
    let _ = std::fs::remove_file(dir.state_path());
    // Non-recursive on purpose: files someone else put there stay.
    match std::fs::remove_dir(root) {
        Ok(()) => println!("Removed {}.", root.display()),
        Err(_) => println!(
            "Removed the cluster's files; left {} in place because it holds files shoal-local did not create.",
            root.display()
        ),
    }
    Ok(())
}

fn stop_nodes(dir: &ClusterDir, state: &State, args: &StopArgs) -> Result<(), Failure> {
    let recorded: Vec<(u16, NodeProcess<'_>)> = state
        .layout
        .ports()
        .into_iter()
        .filter_map(|port| {
            dir.recorded_pid(port)
                .map(|pid| (port, NodeProcess::Recorded { pid, port }))
        })
        .collect();
    if recorded.is_empty() {
        println!("No node of {} is running.", dir.root().display());
        return Ok(());
    }
    let results = stop_in_parallel(recorded, Duration::from_secs(args.timeout));
    let mut stuck = Vec::new();
    for (port, outcome) in results {
        println!("127.0.0.1:{port} {}", outcome.describe());
        if outcome == Stopped::Stuck {
            stuck.push(port.to_string());
        } else {
            dir.forget_pid(port);
        }
    }
    if stuck.is_empty() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("nodes on ports {} survived SIGKILL", stuck.join(", ")),
            "check them with `ps` (a process stuck in the kernel cannot be killed) and retry",
        ))
    }
}

fn not_ours(root: &Path) -> Failure {
    Failure::new(
        format!(
            "{} was not created by shoal-local (it has no shoal-local.state), so it is left alone",
            root.display()
        ),
        "pass the --dir of a cluster started by shoal-local",
    )
}
