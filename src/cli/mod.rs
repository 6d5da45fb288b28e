//! Front ends: the command line, the REPL and script mode.

/// Runs the binary; returns the process exit code.
pub fn main_entry() -> i32 {
    0
}
