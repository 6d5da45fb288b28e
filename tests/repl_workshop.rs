//! The workshop's chapters (workshop.md PART 2) run unchanged in script
//! mode; each transcript is a snapshot (read against workshop.md and
//! printers.md when accepted).

mod repl_common;

use kubesim::cli::script;

fn transcript(name: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/tests/scripts/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("script");
    let mut s = repl_common::session();
    let (t, _code) = script::run(&mut s, &text, true);
    t
}

#[test]
fn first_contact() {
    insta::assert_snapshot!("first_contact", transcript("first-contact"));
}

#[test]
fn run_and_logs() {
    insta::assert_snapshot!("run_logs", transcript("run-logs"));
}

#[test]
fn labels_and_annotations() {
    insta::assert_snapshot!("labels", transcript("labels"));
}

#[test]
fn declarative_yaml() {
    insta::assert_snapshot!("yaml", transcript("yaml"));
}

#[test]
fn transcripts_are_deterministic() {
    assert_eq!(transcript("yaml"), transcript("yaml"));
}
