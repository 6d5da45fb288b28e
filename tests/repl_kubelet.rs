//! Issue 6's "done when" transcripts: what a learner sees with `kubectl get
//! pods -w` and `describe` while the kubelet and the node lifecycle work,
//! run in script mode (`$ LINE` echo). Each script names the upstream files
//! whose timings and wording it pins; every snapshot was read against them.

mod repl_common;

use kubesim::cli::script;

fn transcript(name: &str) -> String {
    let dir = format!("{}/tests/scripts", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(format!("{dir}/{name}.txt")).expect("script");
    let mut s = repl_common::session();
    let manifest = std::fs::read_to_string(format!("{dir}/exec-liveness.yaml")).expect("yaml");
    repl_common::write(&s, "exec-liveness.yaml", &manifest);
    let (t, _code) = script::run(&mut s, &text, true);
    t
}

/// Restarts 1s, then 10s, 20s, 40s, 80s after each finishedAt.
#[test]
fn crash_loop_backoff() {
    let t = transcript("kubelet-crashloop");
    // The AGE column of the Error lines: 1s, 2s, 12s, 32s, 72s, 2m32s.
    for age in ["1 (1s ago)   2s", "2 (10s ago)   12s", "3 (20s ago)   32s", "4 (40s ago)   72s", "5 (80s ago)   2m32s"] {
        assert!(t.contains(&format!("Error               {age}")), "{age}\n{t}");
    }
    insta::assert_snapshot!("crash_loop", t);
}

#[test]
fn image_typo_backs_off_and_recovers() {
    let t = transcript("kubelet-image-typo");
    assert!(t.contains("ImagePullBackOff    0          34s"), "{t}");
    insta::assert_snapshot!("image_typo", t);
}

#[test]
fn liveness_probe_restarts_the_container() {
    let t = transcript("kubelet-liveness");
    assert!(t.contains("Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"), "{t}");
    assert!(t.contains("Container liveness failed liveness probe, will be restarted"), "{t}");
    insta::assert_snapshot!("liveness", t);
}

#[test]
fn node_failure_evicts_pods_after_300s() {
    let t = transcript("kubelet-node-failure");
    insta::assert_snapshot!("node_failure", t);
}

#[test]
fn drain_refuses_daemonset_pods() {
    let t = transcript("kubelet-drain");
    assert!(t.contains("error: unable to drain node \"node2\" due to error: cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/"), "{t}");
    insta::assert_snapshot!("drain", t);
}
