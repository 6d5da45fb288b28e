//! The workshop chapters on volumes, configuration, secrets and stateful
//! sets (workshop.md 2.19-2.23) run in script mode with the manifests of
//! container.training's k8s/ directory (copies in tests/fixtures/workshop);
//! each transcript is a snapshot, read against Kubernetes 1.33 output.

mod repl_common;

use kubesim::cli::script;

fn transcript(name: &str) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/tests/scripts/workshop/{name}.txt"))
        .expect("script");
    let mut s = repl_common::session();
    for f in std::fs::read_dir(format!("{root}/tests/fixtures/workshop")).expect("fixtures") {
        let f = f.expect("fixture").path();
        std::fs::copy(&f, s.state.workdir.join(f.file_name().expect("name"))).expect("copy");
    }
    let (t, _code) = script::run(&mut s, &text, true);
    t
}

/// slides/k8s/volumes.md: an empty emptyDir over nginx's html directory
/// gives 403 Forbidden; a git sidecar fills it a few seconds later; an
/// init container keeps nginx from starting (connection refused) until
/// the clone is there, so 403 is never seen.
#[test]
fn volumes() {
    let t = transcript("volumes");
    assert!(
        t.contains("<head><title>403 Forbidden</title></head>"),
        "{t}"
    );
    assert!(t.contains("<title>Spoon-Knife</title>"), "{t}");
    insta::assert_snapshot!("volumes", t);
}

/// slides/k8s/configuration.md: a ConfigMap from a file and from a
/// literal; the registry reads its listen address from the latter.
#[test]
fn configmaps() {
    let t = transcript("configmaps");
    assert!(t.contains("  haproxy.cfg: |\n    global\n"), "{t}");
    assert!(t.contains("{\"repositories\":[]}"), "{t}");
    insta::assert_snapshot!("configmaps", t);
}

/// slides/k8s/secrets.md: a private image fails to pull until the
/// deployment names a docker-registry Secret in imagePullSecrets.
#[test]
fn secrets() {
    let t = transcript("secrets");
    let (before, after) = t.split_once("secret/enix created").expect("secret created");
    assert!(
        before.contains("ImagePullBackOff") || before.contains("ErrImagePull"),
        "{t}"
    );
    assert!(after.contains("1/1     Running"), "{t}");
    insta::assert_snapshot!("secrets", t);
}

/// slides/k8s/pv-pvc-sc.md: without a provisioner a claim stays Pending
/// until a matching PersistentVolume is created, then both are Bound.
#[test]
fn pv_pvc_sc() {
    let t = transcript("pv-pvc-sc");
    let (before, after) = t
        .split_once("kubectl create -f pv.yaml")
        .expect("pv created");
    assert!(before.contains("Pending"), "{t}");
    assert!(after.contains("Bound"), "{t}");
    insta::assert_snapshot!("pv_pvc_sc", t);
}

/// slides/k8s/volume-claim-templates.md: consul-3's pods wait for local
/// volumes; the claims (and consul's data) outlive the StatefulSet.
#[test]
fn volume_claim_templates() {
    insta::assert_snapshot!(
        "volume_claim_templates",
        transcript("volume-claim-templates")
    );
}

/// slides/k8s/consul.md: consul-1's servers join each other (consul 1.11
/// prints a Partition column); the KV is replicated, so one re-created
/// server catches up, but without volumes it is lost when all are.
#[test]
fn consul() {
    let t = transcript("consul");
    assert!(t.contains("Partition  Segment"), "{t}");
    assert!(
        t.contains("consul kv get answer\n42\n$ kubectl delete pods"),
        "{t}"
    );
    assert!(
        t.ends_with("Error! No key exists at: answer\ncommand terminated with exit code 1\n"),
        "{t}"
    );
    insta::assert_snapshot!("consul", t);
}
