//! `shoal-server [configfile] [-] [--name value ...]`: redis-server's
//! command line, redis.conf syntax, Redis-style logs.

use shoal_config::{absolute_config_path, load, parse_command_line, product_banner, Invocation};
use shoal_server::alloc::CountingJemalloc;
use shoal_server::config_glue::{settings_of, FsHost};
use shoal_server::server::Server;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

#[global_allocator]
static GLOBAL: CountingJemalloc = CountingJemalloc;

/// jemalloc options baked into the binary. A background thread returns
/// freed pages to the OS off the data thread (Redis enables jemalloc's
/// background thread too), and a 1 s decay lets the memory of the 16384
/// slot tables' outgrown arrays go back soon after a bulk load instead of
/// staying resident for jemalloc's default 10 s.
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 60] =
    b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

const USAGE: &str = "\
Usage: shoal-server [/path/to/shoal.conf] [options] [-]
       shoal-server - (read the configuration from standard input)
       shoal-server -v or --version
       shoal-server -h or --help

Options are redis.conf directives written as --name value; they override
the file. A redis.conf written for Redis 7.0 works unchanged: every
directive is accepted, and the ones Shoal does not act on yet are logged.

Examples:
       shoal-server (run with the defaults)
       shoal-server /etc/redis/7000.conf
       shoal-server --port 7000 --bind 127.0.0.1
       shoal-server --port 7000 --cluster-enabled yes --cluster-config-file nodes-7000.conf
       shoal-server /etc/shoal.conf --loglevel verbose -
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cmdline = match parse_command_line(&args) {
        Invocation::Version => {
            println!(
                "Shoal server v={} sha=00000000:0 malloc=jemalloc bits=64 build=0 (compatible with Redis {})",
                env!("CARGO_PKG_VERSION"),
                shoal_server::commands::connection::COMPAT_VERSION
            );
            return;
        }
        Invocation::Help => {
            print!("{USAGE}");
            return;
        }
        Invocation::TestMemory { .. } | Invocation::CheckSystem => {
            eprintln!("shoal-server: --test-memory and --check-system are not provided by Shoal");
            std::process::exit(1);
        }
        Invocation::Run(c) => c,
    };
    if cmdline.sentinel_mode {
        eprintln!("shoal-server: Sentinel mode is not provided by Shoal");
        std::process::exit(1);
    }
    let cwd = std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut host = FsHost;
    let mut config = match load(&cmdline, &mut host) {
        Ok(c) => c,
        Err(e) => {
            let _ = std::io::stderr().write_all(e.report(&product_banner()).as_bytes());
            std::process::exit(1);
        }
    };
    let now_dir = std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    config.set_working_dir(now_dir.into_bytes());
    let config_file = cmdline
        .config_file
        .as_ref()
        .map(|f| String::from_utf8_lossy(&absolute_config_path(cwd.as_bytes(), f)).into_owned());
    let settings = settings_of(&config);
    shoal_server::log::configure(settings.log_level, &settings.logfile);
    if settings.daemonize {
        daemonize();
    }
    if let Some(pidfile) = &settings.pidfile {
        if let Err(e) = std::fs::write(pidfile, format!("{}\n", std::process::id())) {
            shoal_server::warning!("Failed to write PID file: {e}");
        }
    }
    shoal_server::notice!("Shoal is starting");
    shoal_server::notice!(
        "Shoal version={}, bits=64, pid={}, just started",
        env!("CARGO_PKG_VERSION"),
        std::process::id()
    );
    match &config_file {
        Some(f) => shoal_server::notice!("Configuration loaded from {f}"),
        None => shoal_server::warning!(
            "Warning: no config file specified, using the default config. In order to specify a config file use shoal-server /path/to/shoal.conf"
        ),
    }
    for kept in config.kept_directives_in_use() {
        if kept.differs_from_default {
            shoal_server::notice!(
                "Config directive '{}' is accepted but has no effect in Shoal yet",
                kept.name
            );
        }
    }
    let shutdown = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, Arc::clone(&shutdown));
    }
    let mut server = match Server::new(settings, config, config_file, shutdown) {
        Ok(s) => s,
        Err(e) => {
            shoal_server::warning!("Failed starting the server: {e}");
            eprintln!("Failed starting the server: {e}");
            std::process::exit(1);
        }
    };
    let addrs: Vec<String> = server.local_addrs().iter().map(|a| a.to_string()).collect();
    shoal_server::notice!("Listening on {}", addrs.join(", "));
    shoal_server::notice!("Ready to accept connections tcp");
    if let Err(e) = server.run() {
        shoal_server::warning!("Event loop failed: {e}");
        std::process::exit(1);
    }
}

/// Detaches from the terminal as `daemonize yes` asks: fork, let the
/// parent exit, start a new session, point stdio at /dev/null.
fn daemonize() {
    // SAFETY: called before any thread is started; the child continues
    // with a single thread as fork(2) requires.
    unsafe {
        match libc::fork() {
            -1 => {
                eprintln!("fork failed: {}", std::io::Error::last_os_error());
                std::process::exit(1);
            }
            0 => {}
            _ => libc::_exit(0),
        }
        libc::setsid();
        let devnull = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
        if devnull >= 0 {
            libc::dup2(devnull, 0);
            libc::dup2(devnull, 1);
            libc::dup2(devnull, 2);
            if devnull > 2 {
                libc::close(devnull);
            }
        }
    }
}
