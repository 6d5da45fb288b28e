//! Runs the Python `kubernetes` client's tests (tests/python) against
//! `kubesim serve`. `.ci/run` installs the client; without it (or without
//! pytest) this test says so and passes, as it cannot check anything.

use std::process::Command;

#[test]
fn python_kubernetes_client_drives_the_api() {
    let probe = Command::new("python3")
        .args(["-c", "import kubernetes, pytest"])
        .output();
    if !probe.map(|o| o.status.success()).unwrap_or(false) {
        eprintln!("NOTICE: python3 with the kubernetes client and pytest is missing; skipping tests/python");
        return;
    }
    let serve = format!("{} serve", env!("CARGO_BIN_EXE_kubesim"));
    let out = Command::new("python3")
        .args([
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/python",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("KUBESIM_SERVE_CMD", serve)
        .output()
        .expect("python3 runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "Python client tests failed:\n{text}");
    assert!(text.contains("passed"), "pytest ran no test:\n{text}");
}
