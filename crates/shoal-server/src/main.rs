//! `shoal-server [configfile] [--name value ...]`: redis-server's command line.

use shoal_server::alloc::CountingJemalloc;
use shoal_server::config_glue::ConfigValues;
use shoal_server::server::Server;
use shoal_server::settings::ServerSettings;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[global_allocator]
static GLOBAL: CountingJemalloc = CountingJemalloc;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut values = default_values();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(name) = a.strip_prefix("--") {
            let mut parts = Vec::new();
            i += 1;
            while i < args.len() && !args[i].starts_with("--") {
                parts.push(args[i].clone());
                i += 1;
            }
            values.values.insert(name.to_ascii_lowercase(), parts.join(" "));
        } else {
            i += 1;
        }
    }
    let settings = ServerSettings::from_lookup(|n| values.get(n));
    let shutdown = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, Arc::clone(&shutdown));
    }
    let mut server = match Server::new(settings, values, None, shutdown) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Could not create server TCP listening socket: {e}");
            std::process::exit(1);
        }
    };
    shoal_server::notice!("Ready to accept connections tcp");
    if let Err(e) = server.run() {
        eprintln!("event loop failed: {e}");
        std::process::exit(1);
    }
}

fn default_values() -> ConfigValues {
    let mut v = ConfigValues::default();
    for (k, val) in [
        ("port", "6379"),
        ("bind", "* -::*"),
        ("save", "3600 1 300 100 60 10000"),
        ("appendonly", "no"),
        ("databases", "16"),
        ("maxmemory", "0"),
        ("maxmemory-policy", "noeviction"),
        ("cluster-enabled", "no"),
        ("requirepass", ""),
    ] {
        v.values.insert(k.into(), val.into());
    }
    v
}
