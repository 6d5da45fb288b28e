//! Helpers shared by the REPL tests: a session on the workshop cluster
//! whose work directory is a fresh temporary directory.

#![allow(dead_code)]

use kubesim::cli::output::Output;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A new empty directory for one test's files.
pub fn tempdir() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("kubesim-test-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// The workshop cluster (seed 1) in a fresh work directory.
pub fn session() -> Session {
    let mut s = Session::new(workshop_world(1));
    s.state.workdir = tempdir();
    s
}

/// Runs a line and expects success; returns stdout.
pub fn ok(s: &mut Session, line: &str) -> String {
    let o = s.execute(line);
    assert_eq!(o.code, 0, "{line} failed: {o:?}");
    o.stdout
}

/// Runs a line and expects failure; returns stderr.
pub fn fails(s: &mut Session, line: &str) -> String {
    let o = s.execute(line);
    assert_ne!(o.code, 0, "{line} should fail: {o:?}");
    o.stderr
}

pub fn run(s: &mut Session, line: &str) -> Output {
    s.execute(line)
}

/// Writes a file into the session's work directory.
pub fn write(s: &Session, name: &str, text: &str) {
    std::fs::write(s.state.workdir.join(name), text).expect("write");
}

pub fn read(s: &Session, name: &str) -> String {
    std::fs::read_to_string(s.state.workdir.join(name)).unwrap_or_default()
}
