//! Issue 3's "done when": the foundation transcript, determinism, and bad
//! input that gets Kubernetes' error and changes nothing.

use kubesim::cli::script;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;

fn session(seed: u64) -> Session {
    let mut s = Session::new(workshop_world(seed));
    s.state.workdir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    s
}

fn transcript(seed: u64, text: &str) -> (String, Vec<String>) {
    let mut s = session(seed);
    let (t, code) = script::run(&mut s, text, false);
    assert_eq!(code, 0, "script failed:\n{t}");
    (t, s.world.event_log().to_vec())
}

#[test]
fn foundation_transcript() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/foundation.txt"
    ))
    .unwrap();
    let (t, _) = transcript(1, &text);
    insta::assert_snapshot!("foundation", t);
}

#[test]
fn same_seed_same_history_byte_for_byte() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/scripts/foundation.txt"
    ))
    .unwrap();
    let (t1, log1) = transcript(7, &text);
    let (t2, log2) = transcript(7, &text);
    assert_eq!(t1, t2);
    assert_eq!(log1, log2);
    assert!(!log1.is_empty());
    // Another seed gives other generated names: the seed really matters.
    let (t3, _) = transcript(8, &text);
    assert_ne!(t1, t3);
}

/// Runs one line and checks that it fails with `want` on stderr and that
/// the store did not change.
fn fails_unchanged(line: &str, want: &str) {
    let mut s = session(1);
    let rv = s.world.store.resource_version();
    let out = s.execute(line);
    assert_eq!(out.code, 1, "{line} should fail: {out:?}");
    assert!(
        out.stderr.contains(want),
        "{line}: stderr was {:?}, wanted {want:?}",
        out.stderr
    );
    assert_eq!(
        s.world.store.resource_version(),
        rv,
        "{line} changed the store"
    );
}

#[test]
fn bad_input_gets_kubernetes_errors_and_changes_nothing() {
    fails_unchanged(
        "kubectl apply -f tests/fixtures/broken.yaml",
        "error: error parsing tests/fixtures/broken.yaml: error converting YAML to JSON: yaml: line 5:",
    );
    fails_unchanged(
        "kubectl create -f tests/fixtures/unknown-kind.yaml",
        "no matches for kind \"Foo\" in version \"v1\"",
    );
    fails_unchanged(
        "kubectl apply -f tests/fixtures/unknown-field.yaml",
        "Error from server (BadRequest): error when creating \"tests/fixtures/unknown-field.yaml\": Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.replicas\"",
    );
    fails_unchanged(
        "kubectl create -f tests/fixtures/invalid-name.yaml",
        "The Pod \"Web_1\" is invalid: metadata.name: Invalid value: \"Web_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters",
    );
    fails_unchanged(
        "kubectl run Bad_Name --image nginx",
        "The Pod \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\"",
    );
    fails_unchanged(
        "kubectl get pod x",
        "Error from server (NotFound): pods \"x\" not found",
    );
    fails_unchanged(
        "kubectl delete pod x",
        "Error from server (NotFound): pods \"x\" not found",
    );
    fails_unchanged(
        "kubectl get pdos",
        "error: the server doesn't have a resource type \"pdos\"",
    );
    fails_unchanged("kubectl get pods --foo", "error: unknown flag: --foo");
    fails_unchanged(
        "kubectl gte pods",
        "error: unknown command \"gte\" for \"kubectl\"\n\nDid you mean this?\n\tget\n",
    );
    fails_unchanged("kubetcl get pods", "kubesim: command not found: kubetcl");
    fails_unchanged("sim advance soon", "invalid duration");
}

#[test]
fn duplicate_create_is_already_exists() {
    let mut s = session(1);
    assert_eq!(
        s.execute("kubectl create -f tests/fixtures/pod.yaml")
            .stdout,
        "pod/web created\n"
    );
    let rv = s.world.store.resource_version();
    let out = s.execute("kubectl create -f tests/fixtures/pod.yaml");
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stderr,
        "Error from server (AlreadyExists): error when creating \"tests/fixtures/pod.yaml\": pods \"web\" already exists\n"
    );
    assert_eq!(s.world.store.resource_version(), rv);
    // apply of the same file is "unchanged" the second time.
    let mut s = session(1);
    assert_eq!(
        s.execute("kubectl apply -f tests/fixtures/pod.yaml").stdout,
        "pod/web created\n"
    );
    assert_eq!(
        s.execute("kubectl apply -f tests/fixtures/pod.yaml").stdout,
        "pod/web unchanged\n"
    );
}

#[test]
fn get_formats_and_empty_results() {
    let mut s = session(1);
    let out = s.execute("kubectl get pods");
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "No resources found in default namespace.\n");
    let out = s.execute("kubectl get nodes -l nope=x");
    assert_eq!(out.stderr, "No resources found\n");
    s.execute("kubectl create -f tests/fixtures/pod.yaml");
    let out = s.execute("kubectl get pod web -o json");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["kind"], "Pod");
    assert_eq!(v["spec"]["containers"][0]["image"], "nginx:1.27");
    let out = s.execute("kubectl get pods -o yaml");
    assert!(
        out.stdout
            .starts_with("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n"),
        "{}",
        out.stdout
    );
    assert_eq!(s.execute("kubectl get pods -o name").stdout, "pod/web\n");
    assert_eq!(
        s.execute("kubectl get ns default -o name").stdout,
        "namespace/default\n"
    );
}
