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
    let hooks = std::fs::read_to_string(format!("{dir}/hooks.yaml")).expect("yaml");
    repl_common::write(&s, "hooks.yaml", &hooks);
    let hog = std::fs::read_to_string(format!("{dir}/hog.yaml")).expect("yaml");
    repl_common::write(&s, "hog.yaml", &hog);
    let (t, _code) = script::run(&mut s, &text, true);
    t
}

/// Restarts 1s, then 10s, 20s, 40s, 80s after each finishedAt.
#[test]
fn crash_loop_backoff() {
    let t = transcript("kubelet-crashloop");
    // The AGE column of the Error lines: 1s, 2s, 12s, 32s, 72s, 2m32s.
    for age in [
        "1 (1s ago)   2s",
        "2 (10s ago)   12s",
        "3 (20s ago)   32s",
        "4 (40s ago)   72s",
        "5 (80s ago)   2m32s",
    ] {
        assert!(
            t.contains(&format!("Error               {age}")),
            "{age}\n{t}"
        );
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
    assert!(
        t.contains(
            "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory"
        ),
        "{t}"
    );
    assert!(
        t.contains("Container liveness failed liveness probe, will be restarted"),
        "{t}"
    );
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

/// `kubectl top` and the HPA read the same metrics-server scrape of the
/// kubelet's usage model (a busy loop capped by its CPU limit), so the
/// HPA's average equals `kubectl top`'s (pkg/controller/podautoscaler/
/// metrics/client.go reads metrics.k8s.io like kubectl top does).
#[test]
fn kubectl_top_and_the_hpa_see_the_same_usage() {
    let mut s = repl_common::session();
    repl_common::write(
        &s,
        "busy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: busy}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: busy}}\n  template:\n    metadata: {labels: {app: busy}}\n    spec:\n      containers:\n      - name: loop\n        image: busybox:1.36\n        command: [sh, -c, 'while true; do :; done']\n        resources: {requests: {cpu: 100m}, limits: {cpu: 150m}}\n",
    );
    repl_common::ok(&mut s, "kubectl apply -f busy.yaml");
    // Before the first scrape (every 15s) there is nothing to show.
    repl_common::ok(&mut s, "sim advance 5s");
    let o = repl_common::run(&mut s, "kubectl top pods");
    assert_eq!(o.stdout, "", "{o:?}");
    repl_common::ok(
        &mut s,
        "kubectl autoscale deployment busy --min=2 --max=3 --cpu-percent=100",
    );
    repl_common::ok(&mut s, "sim advance 40s");
    let top = repl_common::ok(&mut s, "kubectl top pods --no-headers");
    let cpus: Vec<i64> = top
        .lines()
        .map(|l| {
            l.split_whitespace()
                .nth(1)
                .unwrap()
                .trim_end_matches('m')
                .parse()
                .unwrap()
        })
        .collect();
    assert!(cpus.len() == 3 && cpus.iter().all(|c| *c == 150), "{top}");
    let avg = repl_common::ok(
        &mut s,
        "kubectl get hpa busy -o jsonpath='{.status.currentMetrics[0].resource.current.averageValue} {.status.currentMetrics[0].resource.current.averageUtilization}'",
    );
    assert_eq!(avg, "150m 150", "{avg}");
    // 150% of the request against a 100% target: the HPA scaled 2 → 3.
    let hpa = repl_common::ok(&mut s, "kubectl get hpa busy --no-headers");
    assert!(hpa.contains("cpu: 150%/100%"), "{hpa}");
    assert!(hpa.contains("   3   "), "{hpa}");
}

/// postStart and preStop hooks, exec, httpGet and sleep
/// (`kuberuntime_container.go` startContainer, executePreStopHook).
#[test]
fn lifecycle_hooks() {
    let t = transcript("kubelet-hooks");
    assert!(t.contains("FailedPostStartHook"), "{t}");
    assert!(t.contains("PreStopHook failed"), "{t}");
    insta::assert_snapshot!("hooks", t);
}

/// Memory pressure: MemoryPressure=True, the memory-pressure taint, and
/// the pod exceeding its request evicted with helpers.go's message.
#[test]
fn memory_pressure_evicts_the_pod_over_its_request() {
    let t = transcript("kubelet-memory-pressure");
    assert!(t.contains("Failed Evicted: The node was low on resource: memory. Threshold quantity: 100Mi, available: "), "{t}");
    assert!(
        t.contains("node.kubernetes.io/memory-pressure:NoSchedule"),
        "{t}"
    );
    insta::assert_snapshot!("memory_pressure", t);
}
