//! The `kubesim` binary: the edge where errors become messages.

fn main() {
    std::process::exit(kubesim::cli::main_entry());
}
