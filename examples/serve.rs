//! `kubesim serve` as a standalone program, for client tests that need a
//! server process (tests/python) before main.rs wires the subcommand:
//! `cargo run --example serve -- --port 0 --kubeconfig /tmp/k.yaml`.

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: kubesim::api::ServeArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = kubesim::api::run_serve(&cli.serve) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
