//! The `shoal-cli` binary: everything is in the library ([`shoal_cli::run`]).

fn main() {
    let code = shoal_cli::run(std::env::args_os().collect());
    std::process::exit(code);
}
