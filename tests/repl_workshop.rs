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

/// The errors issue 9 lists, word for word as kubectl 1.33 prints them:
/// cobra's unknown command with suggestions (spf13/cobra command.go
/// `findSuggestions`), pflag's unknown flag plus kubectl's usage line,
/// discovery's unknown resource type, and the apiserver's StatusErrors as
/// kubectl's cmdutil.CheckErr prints them (NotFound and AlreadyExists
/// with "Error from server", Invalid bare; generators wrap theirs).
#[test]
fn issue_errors_read_as_kubectl() {
    use repl_common::{fails, ok, write};
    let mut s = repl_common::session();
    let rv = s.world.store.resource_version();
    for (line, stderr) in [
        (
            "kubectl gte pods",
            "error: unknown command \"gte\" for \"kubectl\"\n\nDid you mean this?\n\tget\n",
        ),
        (
            "kubectl get pods --foo",
            "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n",
        ),
        (
            "kubectl get pdos",
            "error: the server doesn't have a resource type \"pdos\"\n",
        ),
        (
            "kubectl get deployment x",
            "Error from server (NotFound): deployments.apps \"x\" not found\n",
        ),
        (
            "kubectl delete pod x",
            "Error from server (NotFound): pods \"x\" not found\n",
        ),
    ] {
        assert_eq!(fails(&mut s, line), stderr, "{line}");
    }
    // Failures change nothing.
    assert_eq!(s.world.store.resource_version(), rv);
    ok(&mut s, "kubectl create deployment web --image=nginx");
    assert_eq!(
        fails(&mut s, "kubectl create deployment web --image=nginx"),
        "error: failed to create deployment: deployments.apps \"web\" already exists\n"
    );
    assert_eq!(
        fails(&mut s, "kubectl create namespace default"),
        "Error from server (AlreadyExists): namespaces \"default\" already exists\n"
    );
    write(
        &s,
        "bad.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -1\n  selector: {matchLabels: {app: bad}}\n  template:\n    metadata: {labels: {app: bad}}\n    spec: {containers: [{name: c, image: nginx}]}\n",
    );
    assert_eq!(
        fails(&mut s, "kubectl apply -f bad.yaml"),
        "The Deployment \"bad\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n"
    );
}

#[test]
fn exec_in_a_pod() {
    insta::assert_snapshot!("exec", transcript("exec"));
}
