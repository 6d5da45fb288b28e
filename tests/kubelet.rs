//! The node agent and node lifecycle, pinned to upstream timings
//! (docs/timings.md §1, §2, §7). Each test names the upstream place.

use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kubesim::cluster::workshop_world;
use kubesim::controllers::kubelet::{fail_node, recover_node, Kubelet};
use kubesim::objects::manifest::{decode_object, parse_documents};
use kubesim::objects::{Kind, Object};
use kubesim::sim::store::{DeleteOptions, WriteOptions};
use kubesim::sim::World;
use std::time::Duration;

fn create(w: &mut World, yaml: &str) {
    for d in parse_documents(yaml).unwrap() {
        let o = decode_object(d, true).unwrap();
        w.store.create(o, &WriteOptions::default()).unwrap();
    }
    w.settle();
}

fn pod(w: &World, name: &str) -> Pod {
    w.store.get_as::<Pod>("default", name).cloned().unwrap()
}

/// READY, STATUS, RESTARTS as `kubectl get pods` prints them
/// (printers.md §1 Pod, `pkg/printers/internalversion/printers.go`).
fn columns(p: &Pod) -> String {
    let spec = p.spec.clone().unwrap_or_default();
    let st = p.status.clone().unwrap_or_default();
    let mut reason = st.reason.clone().or(st.phase.clone()).unwrap_or_default();
    let total = spec.containers.len();
    let mut ready = 0;
    let mut restarts = 0;
    let mut initializing = false;
    let n_init = spec.init_containers.as_ref().map_or(0, |v| v.len());
    for (i, c) in st.init_container_statuses.iter().flatten().enumerate() {
        restarts += c.restart_count;
        let s = c.state.clone().unwrap_or_default();
        if s.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if let Some(t) = &s.terminated {
            reason = format!("Init:{}", t.reason.clone().unwrap_or_default());
        } else if let Some(r) = s
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{n_init}");
        }
        initializing = true;
        break;
    }
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in st.container_statuses.iter().flatten().rev() {
            restarts += c.restart_count;
            let s = c.state.clone().unwrap_or_default();
            if let Some(r) = s.waiting.as_ref().and_then(|w| w.reason.clone()) {
                reason = r;
            } else if let Some(r) = s.terminated.as_ref().and_then(|t| t.reason.clone()) {
                reason = r;
            } else if c.ready && s.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if p.metadata.deletion_timestamp.is_some()
        && !matches!(st.phase.as_deref(), Some("Succeeded") | Some("Failed"))
    {
        reason = "Terminating".into();
    }
    format!("{ready}/{total} {reason} {restarts}")
}

/// A `kubectl get pod NAME -w` transcript from the store's watch history:
/// `t=SECONDS READY STATUS RESTARTS`, one line per visible change.
fn watch(w: &World, name: &str, from_rv: u64) -> String {
    let mut out = Vec::new();
    let mut last = String::new();
    for ev in w.store.events_since(from_rv).unwrap() {
        if let Object::Pod(p) = &*ev.object {
            if p.metadata.name.as_deref() != Some(name) {
                continue;
            }
            let line = if ev.event_type.as_str() == "DELETED" {
                "deleted".to_string()
            } else {
                columns(p)
            };
            if line != last {
                let t = audit_time(w, ev.rv);
                out.push(format!("t={t} {line}"));
                last = line;
            }
        }
    }
    out.join("\n")
}

/// The virtual time of the write with resourceVersion `rv`: the audit log
/// records writes in order, so the n-th write since boot is its line.
fn audit_time(w: &World, rv: u64) -> String {
    let _ = rv;
    // The store's history carries no times; use the object's own fields
    // instead via the event log (`sim events`) lines: "12.345s MODIFIED ...".
    let lines = w.event_log();
    let idx = (rv - first_rv(w)) as usize;
    lines
        .get(idx)
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or("?")
        .to_string()
}

fn first_rv(w: &World) -> u64 {
    // The audit log starts with the first write after rv 1000.
    let _ = w;
    1001
}

/// Kubelet events about a pod: `REASON: MESSAGE (xCOUNT)` in order.
fn events(w: &World, name: &str) -> String {
    let mut evs: Vec<Event> = w
        .store
        .list_as::<Event>(Some("default"))
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .cloned()
        .collect();
    // Creation order: event names end in a growing hex counter.
    evs.sort_by_key(|e| {
        let n = e.metadata.name.clone().unwrap_or_default();
        u128::from_str_radix(n.rsplit('.').next().unwrap_or("0"), 16).unwrap_or(0)
    });
    evs.iter()
        .map(|e| {
            let at = e
                .first_timestamp
                .as_ref()
                .map(|t| t.0.duration_since(w.store.epoch()).as_secs())
                .unwrap_or(0);
            format!(
                "t={at}s {} {}: {} (x{})",
                e.source
                    .as_ref()
                    .and_then(|s| s.component.clone())
                    .unwrap_or_default(),
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
                e.count.unwrap_or(1)
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn redact_uid(s: String, w: &World, name: &str) -> String {
    let uid = pod(w, name).metadata.uid.unwrap_or_default();
    s.replace(&uid, "UID")
}

#[test]
fn pod_goes_pending_creating_running_with_events_in_order() {
    // pkg/kubelet/kubelet.go syncPod; pkg/kubelet/images/image_manager.go (Pulled wording)
    let mut w = workshop_world(1);
    let rv = w.store.resource_version();
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx}]\n");
    w.advance(Duration::from_secs(10));
    let p = pod(&w, "web");
    assert_eq!(columns(&p), "1/1 Running 0");
    let ip = p.status.as_ref().unwrap().pod_ip.clone().unwrap();
    assert!(ip.starts_with("10.244."), "{ip}");
    insta::assert_snapshot!(watch(&w, "web", rv));
    insta::assert_snapshot!(events(&w, "web"));
}

#[test]
fn crash_loop_restarts_with_backoff_10_20_40() {
    // pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff; kubelet.go initialCrashLoopBackOff
    let mut w = workshop_world(1);
    let rv = w.store.resource_version();
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers: [{name: c, image: 'busybox:1.36', command: [sh, -c, 'echo bye; exit 1']}]\n");
    w.advance(Duration::from_secs(200));
    let out = watch(&w, "crash", rv);
    insta::assert_snapshot!(out);
    let p = pod(&w, "crash");
    let cs = &p
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    let msg = cs
        .state
        .as_ref()
        .unwrap()
        .waiting
        .as_ref()
        .unwrap()
        .message
        .clone()
        .unwrap();
    assert!(
        msg.starts_with("back-off 2m40s restarting failed container=c pod=crash_default("),
        "{msg}"
    );
    insta::assert_snapshot!(redact_uid(events(&w, "crash"), &w, "crash"));
    // logs --previous reads the last terminated run.
    let k = w.controller::<Kubelet>().unwrap();
    let prev = k
        .logs(&w.store, "default", "crash", None, true, w.now())
        .unwrap();
    assert_eq!(
        prev.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(),
        ["bye"]
    );
}

#[test]
fn image_typo_backs_off_and_recovers_when_fixed() {
    // pkg/kubelet/images/image_manager.go (ErrImagePull, ImagePullBackOff); kubelet.go imageBackOffPeriod
    let mut w = workshop_world(1);
    let rv = w.store.resource_version();
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n  containers: [{name: web, image: 'nginx:1.277'}]\n");
    w.advance(Duration::from_secs(80));
    let p = pod(&w, "typo");
    let cs = &p
        .status
        .as_ref()
        .unwrap()
        .container_statuses
        .as_ref()
        .unwrap()[0];
    let msg = cs
        .state
        .as_ref()
        .unwrap()
        .waiting
        .as_ref()
        .unwrap()
        .message
        .clone()
        .unwrap_or_default();
    assert!(
        msg.contains("docker.io/library/nginx:1.277: not found"),
        "{msg}"
    );
    let k = w.controller::<Kubelet>().unwrap();
    let err = k
        .logs(&w.store, "default", "typo", None, false, w.now())
        .unwrap_err();
    assert!(
        err.message
            .starts_with("container \"web\" in pod \"typo\" is waiting to start"),
        "{}",
        err.message
    );
    // kubectl set image pod/typo web=nginx:1.27
    w.store
        .modify::<Pod>("default", "typo", false, |p| {
            p.spec.as_mut().unwrap().containers[0].image = Some("nginx:1.27".into());
        })
        .unwrap();
    w.advance(Duration::from_secs(10));
    assert_eq!(columns(&pod(&w, "typo")), "1/1 Running 0");
    insta::assert_snapshot!(watch(&w, "typo", rv));
    insta::assert_snapshot!(events(&w, "typo"));
}

#[test]
fn liveness_probe_failure_restarts_the_container() {
    // pkg/kubelet/prober/worker.go; the k8s.io "liveness exec" example
    let mut w = workshop_world(1);
    let rv = w.store.resource_version();
    create(
        &mut w,
        r#"apiVersion: v1
kind: Pod
metadata: {name: liveness-exec}
spec:
  containers:
  - name: liveness
    image: registry.k8s.io/busybox
    args: [/bin/sh, -c, "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
    livenessProbe:
      exec: {command: [cat, /tmp/healthy]}
      initialDelaySeconds: 5
      periodSeconds: 5
"#,
    );
    w.advance(Duration::from_secs(120));
    insta::assert_snapshot!(watch(&w, "liveness-exec", rv));
    insta::assert_snapshot!(events(&w, "liveness-exec"));
}

#[test]
fn oom_killed_and_job_style_pods() {
    // kuberuntime: OOMKilled exit 137; kubelet_pods.go getPhase (Succeeded/Failed)
    let mut w = workshop_world(1);
    create(
        &mut w,
        r#"apiVersion: v1
kind: Pod
metadata: {name: memory-demo}
spec:
  restartPolicy: Never
  containers:
  - name: memory-demo-ctr
    image: polinux/stress
    resources: {limits: {memory: 100Mi}, requests: {memory: 50Mi}}
    command: [stress]
    args: [--vm, "1", --vm-bytes, 250M, --vm-hang, "1"]
---
apiVersion: v1
kind: Pod
metadata: {name: ok}
spec:
  restartPolicy: Never
  containers: [{name: c, image: alpine, command: [sh, -c, 'sleep 3; echo done']}]
---
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  restartPolicy: OnFailure
  containers: [{name: c, image: alpine, command: [sh, -c, 'exit 2']}]
"#,
    );
    w.advance(Duration::from_secs(30));
    assert_eq!(columns(&pod(&w, "memory-demo")), "0/1 OOMKilled 0");
    let ph = |n: &str| pod(&w, n).status.unwrap().phase.unwrap();
    assert_eq!(ph("memory-demo"), "Failed");
    assert_eq!(columns(&pod(&w, "ok")), "0/1 Completed 0");
    assert_eq!(ph("ok"), "Succeeded");
    assert!(
        columns(&pod(&w, "bad")).contains("CrashLoopBackOff"),
        "{}",
        columns(&pod(&w, "bad"))
    );
}

#[test]
fn graceful_delete_of_ping_takes_the_grace_period() {
    // kuberuntime_container.go killContainer: ping as PID 1 ignores SIGTERM
    let mut w = workshop_world(1);
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: pingpong}\nspec:\n  containers: [{name: pingpong, image: alpine, args: [ping, 127.0.0.1]}]\n");
    w.advance(Duration::from_secs(20));
    let k = w.controller::<Kubelet>().unwrap();
    let logs = k
        .logs(&w.store, "default", "pingpong", None, false, w.now())
        .unwrap();
    assert_eq!(logs[0].text, "PING 127.0.0.1 (127.0.0.1): 56 data bytes");
    assert!(logs.len() > 15, "{logs:?}");
    w.store
        .delete(Kind::Pod, "default", "pingpong", &DeleteOptions::default())
        .unwrap();
    w.settle();
    w.advance(Duration::from_secs(29));
    assert_eq!(columns(&pod(&w, "pingpong")), "1/1 Terminating 0");
    w.advance(Duration::from_secs(2));
    assert!(w.store.get_as::<Pod>("default", "pingpong").is_none());
}

#[test]
fn failed_node_goes_unknown_and_its_pods_are_evicted_after_300s() {
    // node_lifecycle_controller.go monitorNodeHealth (grace 50 s), taint_eviction.go (tolerationSeconds 300)
    let mut w = workshop_world(1);
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx}]\n");
    w.advance(Duration::from_secs(10));
    let node = pod(&w, "web").spec.unwrap().node_name.unwrap();
    fail_node(&mut w, &node).unwrap();
    let failed_at = w.now();
    let ready = |w: &World| {
        w.store
            .get_as::<Node>("", &node)
            .unwrap()
            .status
            .clone()
            .unwrap()
            .conditions
            .unwrap()
            .into_iter()
            .find(|c| c.type_ == "Ready")
            .unwrap()
            .status
    };
    let mut unknown_at = None;
    for _ in 0..120 {
        w.advance(Duration::from_secs(1));
        if ready(&w) == "Unknown" {
            unknown_at = Some(w.now().since(failed_at).as_secs());
            break;
        }
    }
    let unknown_at = unknown_at.expect("node went Unknown");
    // Grace 50 s from the last renewal (up to 10 s before the failure).
    assert!(
        (40..=65).contains(&unknown_at),
        "Unknown after {unknown_at}s"
    );
    let taints = w
        .store
        .get_as::<Node>("", &node)
        .unwrap()
        .spec
        .clone()
        .unwrap()
        .taints
        .unwrap();
    assert!(taints
        .iter()
        .any(|t| t.key == "node.kubernetes.io/unreachable" && t.effect == "NoExecute"));
    // MarkPodsNotReady: the Ready condition drops (endpoints go), the
    // container statuses stay as the kubelet last wrote them.
    let ready_cond = pod(&w, "web")
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "Ready")
        .unwrap();
    assert_eq!(ready_cond.status, "False");
    assert_eq!(columns(&pod(&w, "web")), "1/1 Running 0");
    w.advance(Duration::from_secs(299));
    assert!(pod(&w, "web").metadata.deletion_timestamp.is_none());
    w.advance(Duration::from_secs(2));
    assert_eq!(columns(&pod(&w, "web")), "1/1 Terminating 0");
    // No kubelet confirms the kill: Terminating until the node returns.
    w.advance(Duration::from_secs(600));
    assert!(w.store.get_as::<Pod>("default", "web").is_some());
    recover_node(&mut w, &node).unwrap();
    w.advance(Duration::from_secs(5));
    assert!(w.store.get_as::<Pod>("default", "web").is_none());
    assert_eq!(ready(&w), "True");
    let taints = w
        .store
        .get_as::<Node>("", &node)
        .unwrap()
        .spec
        .clone()
        .unwrap()
        .taints;
    assert!(taints
        .unwrap_or_default()
        .iter()
        .all(|t| !t.key.starts_with("node.kubernetes.io/")));
}

#[test]
fn logs_errors_read_like_kubectl() {
    let mut w = workshop_world(1);
    create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: two}\nspec:\n  containers: [{name: a, image: nginx}, {name: b, image: redis}]\n");
    let k = w.controller::<Kubelet>().unwrap();
    let e = k
        .logs(&w.store, "default", "two", None, false, w.now())
        .unwrap_err();
    assert_eq!(
        e.message,
        "a container name must be specified for pod two, choose one of: [a b]"
    );
    let e = k
        .logs(&w.store, "default", "two", Some("a"), false, w.now())
        .unwrap_err();
    assert_eq!(
        e.message,
        "container \"a\" in pod \"two\" is waiting to start: ContainerCreating"
    );
    let e = k
        .logs(&w.store, "default", "nope", None, false, w.now())
        .unwrap_err();
    assert_eq!(e.message, "pods \"nope\" not found");
    w.advance(Duration::from_secs(10));
    let k = w.controller::<Kubelet>().unwrap();
    let usage = k.pod_usage("default", "two", w.now());
    assert_eq!(usage.len(), 2);
    assert!(k.node_usage("node2", w.now()).is_some());
}

#[test]
fn eviction_respects_pod_disruption_budgets() {
    // pkg/registry/core/pod/storage/eviction.go
    let mut w = workshop_world(1);
    create(
        &mut w,
        r#"apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: web}}
spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 2, selector: {matchLabels: {app: web}}}
"#,
    );
    w.advance(Duration::from_secs(10));
    let before = w.store.resource_version();
    let e = w
        .store
        .evict("default", "a", &DeleteOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), 429);
    assert_eq!(
        e.message,
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    assert_eq!(
        e.causes[0].detail,
        "The disruption budget web needs 2 healthy pods and has 2 currently"
    );
    assert_eq!(
        w.store.resource_version(),
        before,
        "a refused eviction changes nothing"
    );
    w.store
        .modify::<k8s_openapi::api::policy::v1::PodDisruptionBudget>("default", "web", false, |p| {
            p.spec.as_mut().unwrap().min_available =
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(1));
        })
        .unwrap();
    w.store
        .evict("default", "a", &DeleteOptions::default())
        .unwrap();
    let p = pod(&w, "a");
    assert!(p.metadata.deletion_timestamp.is_some());
    let dt = p
        .status
        .unwrap()
        .conditions
        .unwrap()
        .into_iter()
        .find(|c| c.type_ == "DisruptionTarget")
        .unwrap();
    assert_eq!(dt.reason.as_deref(), Some("EvictionByEvictionAPI"));
    // nginx stops on its stop signal at once: gone well before the grace ends.
    w.advance(Duration::from_secs(2));
    assert!(w.store.get_as::<Pod>("default", "a").is_none());
}

#[test]
fn same_seed_gives_the_same_history() {
    let run = || {
        let mut w = workshop_world(7);
        create(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: crash}\nspec:\n  containers: [{name: c, image: alpine, command: [sh, -c, 'exit 1']}]\n");
        w.advance(Duration::from_secs(120));
        w.event_log().join("\n")
    };
    assert_eq!(run(), run());
}
