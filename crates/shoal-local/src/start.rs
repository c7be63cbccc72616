//! `shoal-local start`: create a cluster in an empty directory, or restart
//! the one recorded there, then stay in the foreground until Ctrl-C (or
//! return at once with `--detach`).

use crate::args::StartArgs;
use crate::cluster_dir::{ClusterDir, Contents, State};
use crate::creation::{create_cluster, elapsed, progress};
use crate::failure::Failure;
use crate::fleet::Fleet;
use crate::health::{wait_for_all, Expected, Health};
use crate::interrupt::Interrupt;
use crate::layout::{self, Layout, BUS_PORT_OFFSET};
use crate::process::{
    is_node_process, locate_server, port_is_free, spawn_node, wait_until_serving, POLL,
};
use crate::report::{cluster_view, connect_lines, dir_flag, ready_table, REPLICA_NOTE};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long each stop step waits when `start` stops its nodes.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Runs `start`.
pub fn run(root: &Path, args: &StartArgs) -> Result<(), Failure> {
    // Installed first, so Ctrl-C at any point below stops the nodes
    // started so far instead of killing shoal-local and leaving them.
    let interrupt = Interrupt::install();
    let server = locate_server(args.server.as_deref())?;
    let dir = ClusterDir::new(root);
    let requested = Layout {
        primaries: args.primaries.unwrap_or(layout::DEFAULT_PRIMARIES),
        replicas_per_primary: args
            .replicas_per_primary
            .unwrap_or(layout::DEFAULT_REPLICAS_PER_PRIMARY),
        base_port: args.base_port.unwrap_or(layout::DEFAULT_BASE_PORT),
    }
    .validated()?;
    let node_timeout_ms = args.node_timeout.unwrap_or(layout::DEFAULT_NODE_TIMEOUT_MS);
    let fresh_state = State {
        layout: requested,
        node_timeout_ms,
        created: false,
    };

    let mut state = match dir.contents()? {
        Contents::Foreign => {
            return Err(Failure::new(
                format!(
                    "{} holds files but was not created by shoal-local",
                    root.display()
                ),
                "pick another --dir, or empty that directory",
            ))
        }
        Contents::Empty => fresh_state,
        Contents::Ours(old) => {
            refuse_if_running(&dir, &old.layout)?;
            if old.created {
                prepare_restart(&dir, &old, args)?;
                State {
                    node_timeout_ms: args.node_timeout.unwrap_or(old.node_timeout_ms),
                    ..old
                }
            } else {
                println!(
                    "An earlier start in {} did not finish; creating the cluster afresh.",
                    root.display()
                );
                for port in old.layout.ports() {
                    dir.remove_node_dir(port)?;
                }
                fresh_state
            }
        }
    };
    let layout = state.layout;
    check_ports(&layout)?;
    dir.write_state(&state)?;

    let ports = layout.ports();
    let verb = if state.created {
        "Restarting"
    } else {
        "Starting"
    };
    println!(
        "{verb} {} shoal-server nodes ({}) on {}, files in {}",
        ports.len(),
        layout.describe(),
        layout.address_range(),
        root.display()
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.timeout);
    let mut fleet = Fleet::new(dir.clone(), STOP_GRACE);
    for &port in &ports {
        let child = spawn_node(&server, &dir, port, state.node_timeout_ms)?;
        fleet.push(port, child);
    }
    for (port, child) in fleet.nodes_mut() {
        wait_until_serving(child, &dir, *port, deadline, &interrupt)?;
    }
    progress(&format!(
        "{} nodes are up ({})",
        ports.len(),
        server.display()
    ));

    if state.created {
        progress(
            "they rejoin from their nodes.conf; waiting for cluster_state:ok on every node...",
        );
        let since = Instant::now();
        let expected = Expected {
            nodes: ports.len(),
            replicas: None,
        };
        wait_for_all(
            &ports,
            &expected,
            "reach cluster_state:ok",
            Health::is_whole,
            &dir,
            deadline,
            &interrupt,
        )?;
        progress(&format!(
            "cluster_state:ok on all {} nodes ({})",
            ports.len(),
            elapsed(since)
        ));
        progress("the cluster layout is back; keys are not (persistence is off)");
    } else {
        create_cluster(&layout, &dir, deadline, &interrupt)?;
        state.created = true;
        dir.write_state(&state)?;
    }

    print_ready(&ports, root, started);
    if args.detach {
        fleet.release();
        println!();
        println!("The nodes run in the background.");
        println!(
            "  shoal-local status{0}    shoal-local stop{0}",
            dir_flag(root)
        );
        return Ok(());
    }
    println!();
    println!(
        "Running in the foreground: Ctrl-C stops all {} nodes.",
        ports.len()
    );
    watch(&mut fleet, &dir, &interrupt);
    drop(fleet);
    Ok(())
}

/// Errors if any node of `layout` recorded in `dir` still runs.
fn refuse_if_running(dir: &ClusterDir, layout: &Layout) -> Result<(), Failure> {
    let running: Vec<String> = layout
        .ports()
        .into_iter()
        .filter(|&p| {
            dir.recorded_pid(p)
                .is_some_and(|pid| is_node_process(pid, p))
        })
        .map(|p| p.to_string())
        .collect();
    if running.is_empty() {
        return Ok(());
    }
    let flag = dir_flag(dir.root());
    Err(Failure::new(
        format!(
            "the cluster in {} is already running (ports {})",
            dir.root().display(),
            running.join(", ")
        ),
        format!("see it with `shoal-local status{flag}`, or stop it with `shoal-local stop{flag}`"),
    ))
}

/// Checks a created cluster can be restarted as recorded, and says so
/// when the flags given ask for another shape.
fn prepare_restart(dir: &ClusterDir, old: &State, args: &StartArgs) -> Result<(), Failure> {
    for port in old.layout.ports() {
        if !dir.nodes_conf_path(port).is_file() {
            return Err(Failure::new(
                format!(
                    "{} is missing, so that node cannot rejoin",
                    dir.nodes_conf_path(port).display()
                ),
                format!(
                    "start over with `shoal-local clean{0}` then `shoal-local start{0}`",
                    dir_flag(dir.root())
                ),
            ));
        }
    }
    let l = old.layout;
    let differs = args.primaries.is_some_and(|v| v != l.primaries)
        || args
            .replicas_per_primary
            .is_some_and(|v| v != l.replicas_per_primary)
        || args.base_port.is_some_and(|v| v != l.base_port);
    if differs {
        println!(
            "Note: {} holds a cluster of {} on {}; restarting it as it was. \
             To start over with other flags, run `shoal-local clean{}` first.",
            dir.root().display(),
            l.describe(),
            l.address_range(),
            dir_flag(dir.root())
        );
    }
    Ok(())
}

/// Fails on the first data or bus port that something else holds.
fn check_ports(layout: &Layout) -> Result<(), Failure> {
    for port in layout.ports() {
        let bus = (u32::from(port) + BUS_PORT_OFFSET) as u16;
        for (p, what) in [(port, "port"), (bus, "cluster bus port")] {
            if !port_is_free(p) {
                let shift = layout.base_port.saturating_add(100);
                return Err(Failure::new(
                    format!("{what} {p} on 127.0.0.1 is already in use"),
                    format!(
                        "stop whatever listens there (an earlier cluster? try `shoal-local stop`), \
                         or use other ports, e.g. --base-port {shift}"
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// The table and how to connect.
fn print_ready(ports: &[u16], root: &Path, started: Instant) {
    println!();
    match cluster_view(ports) {
        Some(nodes) => {
            println!("Cluster ready in {}: {} nodes, all 16384 slots served.", elapsed(started), ports.len());
            println!();
            print!("{}", ready_table(&nodes));
            if nodes.iter().any(|n| n.is_replica()) {
                println!();
                println!("{REPLICA_NOTE}");
            }
        }
        None => println!("Cluster ready (no node answered CLUSTER NODES for the table; try `shoal-local status{}`).", dir_flag(root)),
    }
    println!();
    println!("Connect with:");
    for line in connect_lines(ports[0]) {
        println!("{line}");
    }
}

/// Waits for Ctrl-C, reporting nodes that exit on their own meanwhile
/// (a crash, or `shoal-local stop` from another terminal).
fn watch(fleet: &mut Fleet, dir: &ClusterDir, interrupt: &Interrupt) {
    let mut exited = vec![false; fleet.nodes_mut().len()];
    loop {
        if interrupt.is_set() {
            println!();
            println!(
                "Stopping {} nodes...",
                exited.iter().filter(|e| !**e).count()
            );
            for (port, outcome) in fleet.stop_all() {
                println!("  127.0.0.1:{port} {}", outcome.describe());
            }
            return;
        }
        for ((port, child), seen) in fleet.nodes_mut().iter_mut().zip(exited.iter_mut()) {
            if *seen {
                continue;
            }
            if let Ok(Some(status)) = child.try_wait() {
                *seen = true;
                dir.forget_pid(*port);
                println!(
                    "Node 127.0.0.1:{port} exited ({status}); its log is {}",
                    dir.log_path(*port).display()
                );
            }
        }
        if exited.iter().all(|e| *e) {
            println!("Every node has exited; nothing left to stop.");
            return;
        }
        std::thread::sleep(POLL);
    }
}
