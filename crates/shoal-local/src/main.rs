//! `shoal-local`: one command to run a Shoal cluster on this machine.
//!
//! `start` spawns `shoal-server` nodes on 127.0.0.1, joins them into a
//! cluster over RESP (no redis-cli needed) and prints how to connect;
//! `status`, `stop` and `clean` work on the directory it recorded them in.
//! It manages local processes only: nothing here is meant for remote
//! hosts or production deployments.
//!
//! Layout:
//! - [`args`]: the command line.
//! - [`start`], [`status`], [`stop`]: the subcommands.
//! - [`layout`]: ports, roles and slot ranges (pure).
//! - [`creation`]: MEET, ADDSLOTSRANGE, REPLICATE over RESP.
//! - [`health`]: what "the cluster is ready" means, and waiting for it.
//! - [`process`], [`fleet`]: spawning and stopping `shoal-server`.
//! - [`cluster_dir`]: the directory, its state file and pid files.
//! - [`connection`], [`topology`], [`report`]: talking to nodes and
//!   printing what they say.

mod args;
mod cluster_dir;
mod connection;
mod creation;
mod failure;
mod fleet;
mod health;
mod interrupt;
mod layout;
mod process;
mod report;
mod start;
mod status;
mod stop;
mod topology;

use args::{Action, Cli};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.action {
        Action::Start(a) => start::run(&cli.dir, a).map(|()| true),
        Action::Status => status::run(&cli.dir),
        Action::Stop(a) => stop::run_stop(&cli.dir, a).map(|()| true),
        Action::Clean(a) => stop::run_clean(&cli.dir, a).map(|()| true),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(f) => {
            eprintln!("shoal-local: {f}");
            ExitCode::FAILURE
        }
    }
}
