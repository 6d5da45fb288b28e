//! The scheduler end to end: `kubesim schedule` snapshots on manifests
//! covering every default plugin, the workshop cluster's FailedScheduling
//! message, and property tests on seeded random clusters.

use kubesim::cluster::workshop_world;
use kubesim::objects::{Kind, Object};
use kubesim::scheduler::cli::{run, simulate, Input, ScheduleArgs};
use kubesim::scheduler::{explain, Scheduler, SchedulerConfig};
use kubesim::sim::rng::SimRng;
use kubesim::sim::store::WriteOptions;
use serde_json::json;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/scheduler/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn args(files: &[&str], output: &str) -> ScheduleArgs {
    ScheduleArgs {
        files: files.iter().map(|f| fixture(f)).collect(),
        config: None,
        seed: 1,
        output: output.into(),
        compare: None,
    }
}

#[test]
fn schedule_mixed_manifest_json() {
    insta::assert_snapshot!(run(&args(&["mixed.yaml"], "json")).unwrap());
}

#[test]
fn schedule_mixed_manifest_table() {
    insta::assert_snapshot!(run(&args(&["mixed.yaml"], "table")).unwrap());
}

#[test]
fn schedule_volumes_json() {
    insta::assert_snapshot!(run(&args(&["volumes.yaml"], "json")).unwrap());
}

#[test]
fn schedule_preemption_json() {
    insta::assert_snapshot!(run(&args(&["preemption.yaml"], "json")).unwrap());
}

#[test]
fn schedule_summary_and_compare() {
    insta::assert_snapshot!("summary", run(&args(&["mixed.yaml"], "summary")).unwrap());
    let mut a = args(&["binpack.yaml"], "table");
    a.compare = Some(fixture("binpack-config.yaml"));
    insta::assert_snapshot!("compare", run(&a).unwrap());
}

#[test]
fn schedule_is_deterministic_per_seed() {
    let a = run(&args(&["mixed.yaml"], "json")).unwrap();
    let b = run(&args(&["mixed.yaml"], "json")).unwrap();
    assert_eq!(a, b);
}

#[test]
fn schedule_reports_bad_input_clearly() {
    let e = run(&ScheduleArgs {
        files: vec!["/nonexistent.yaml".into()],
        ..args(&[], "json")
    })
    .unwrap_err();
    assert_eq!(e, "error: the path \"/nonexistent.yaml\" does not exist");
    let e = run(&args(&["mixed.yaml"], "wide")).unwrap_err();
    assert!(e.contains("unable to match a printer"), "{e}");
}

fn pod(name: &str, cpu: &str) -> Object {
    serde_json::from_value::<k8s_openapi::api::core::v1::Pod>(json!({
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"requests": {"cpu": cpu}}}]}
    }))
    .map(Object::Pod)
    .unwrap()
}

fn events_for(w: &kubesim::sim::World, name: &str) -> Vec<(String, String)> {
    w.store
        .list_as::<k8s_openapi::api::core::v1::Event>(Some("default"))
        .filter(|e| e.involved_object.name.as_deref() == Some(name))
        .map(|e| {
            (
                e.reason.clone().unwrap_or_default(),
                e.message.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The workshop cluster (node1 control plane, node2–4 with 2 cpu each):
/// a pod asking for 3 cpu gets upstream's message word for word, on the
/// event and on the PodScheduled condition. The taint reason is
/// release-1.33's `tainttoleration/taint_toleration.go` text, which names
/// the taint (`{key: value}`, empty value after the colon).
#[test]
fn workshop_pod_too_big_gets_upstream_message() {
    let mut w = workshop_world(1);
    w.store
        .create(pod("huge", "3"), &WriteOptions::default())
        .unwrap();
    w.store
        .create(pod("web", "100m"), &WriteOptions::default())
        .unwrap();
    w.settle();
    let want = "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.";
    assert_eq!(
        events_for(&w, "huge"),
        vec![("FailedScheduling".to_string(), want.to_string())]
    );
    let p = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", "huge")
        .unwrap();
    let c = &p.status.as_ref().unwrap().conditions.as_ref().unwrap()[0];
    assert_eq!(
        (
            c.type_.as_str(),
            c.status.as_str(),
            c.reason.as_deref(),
            c.message.as_deref()
        ),
        ("PodScheduled", "False", Some("Unschedulable"), Some(want))
    );
    assert!(p.spec.as_ref().unwrap().node_name.is_none());

    let web = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", "web")
        .unwrap();
    let node = web.spec.as_ref().unwrap().node_name.clone().unwrap();
    assert!(["node2", "node3", "node4"].contains(&node.as_str()));
    assert_eq!(
        events_for(&w, "web"),
        vec![(
            "Scheduled".to_string(),
            format!("Successfully assigned default/web to {node}")
        )]
    );

    // The REPL's explain reads the decision records.
    let s = w.controller::<Scheduler>().unwrap();
    let d = s.decisions_for("default", "huge");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].message, want);
    let text = explain::render(d);
    assert!(
        text.contains("node1   TaintToleration    node(s) had untolerated taint(s)"),
        "{text}"
    );
    insta::assert_snapshot!("explain_workshop_huge", text);
}

/// An unschedulable pod is retried when the cluster changes: deleting the
/// pod that used the room lets it in.
#[test]
fn pending_pod_is_scheduled_after_room_frees_up() {
    let mut w = workshop_world(1);
    for n in ["a", "b", "c"] {
        w.store
            .create(pod(n, "1500m"), &WriteOptions::default())
            .unwrap();
    }
    w.settle();
    w.store
        .create(pod("late", "1500m"), &WriteOptions::default())
        .unwrap();
    w.settle();
    let bound = |w: &kubesim::sim::World, n: &str| {
        w.store
            .get_as::<k8s_openapi::api::core::v1::Pod>("default", n)
            .and_then(|p| p.spec.as_ref().unwrap().node_name.clone())
    };
    assert!(bound(&w, "late").is_none());
    // Remove "a" entirely (the kubelet is a placeholder: finish deletion by hand).
    w.store
        .delete(Kind::Pod, "default", "a", &Default::default())
        .unwrap();
    w.store.finalize_pod_deletion("default", "a");
    w.advance(std::time::Duration::from_secs(1));
    assert!(
        bound(&w, "late").is_some(),
        "late pod should be bound after the deletion"
    );
}

/// A pod naming an unknown scheduler stays Pending with no event.
#[test]
fn unknown_scheduler_name_stays_pending_silently() {
    let mut w = workshop_world(1);
    let mut p = pod("other", "100m");
    if let Object::Pod(p) = &mut p {
        p.spec.as_mut().unwrap().scheduler_name = Some("my-scheduler".into());
    }
    w.store.create(p, &WriteOptions::default()).unwrap();
    w.advance(std::time::Duration::from_secs(60));
    assert!(events_for(&w, "other").is_empty());
    let p = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", "other")
        .unwrap();
    assert!(p.spec.as_ref().unwrap().node_name.is_none());
    assert!(p
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_none_or(|c| c.is_empty()));
}

fn random_input(seed: u64) -> Input {
    let mut rng = SimRng::stream(seed, "prop");
    let mut objects = Vec::new();
    let nodes = 3 + rng.below(20) as usize;
    for i in 0..nodes {
        let cpu = 1 + rng.below(8);
        let mem = 1 + rng.below(16);
        let v = json!({"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": format!("n{i}"), "labels": {"kubernetes.io/hostname": format!("n{i}"),
                "topology.kubernetes.io/zone": format!("z{}", i % 3)}},
            "status": {"allocatable": {"cpu": cpu.to_string(), "memory": format!("{mem}Gi"), "pods": (2 + rng.below(10)).to_string()}}});
        objects.push(kubesim::objects::manifest::decode_object(v, true).unwrap());
    }
    for p in 0..(10 + rng.below(80)) {
        let cpu = 100 * (1 + rng.below(30));
        let mem = 64 * (1 + rng.below(64));
        let prio = if rng.below(5) == 0 { 1000 } else { 0 };
        let mut v = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": format!("p{p}"), "labels": {"app": format!("a{}", rng.below(4))}},
            "spec": {"priority": prio, "containers": [{"name": "c", "image": "nginx",
                "resources": {"requests": {"cpu": format!("{cpu}m"), "memory": format!("{mem}Mi")}}}]}});
        // Anti-affinity pods select on their own label key, so plain pods
        // are never rejected by an existing pod's anti-affinity.
        if rng.below(4) == 0 {
            let g = format!("g{}", rng.below(3));
            v["metadata"]["labels"]["group"] = json!(g);
            v["spec"]["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"group": g}}}]}});
        }
        objects.push(kubesim::objects::manifest::decode_object(v, true).unwrap());
    }
    Input { objects }
}

/// Property tests over seeded random clusters: no node is over-committed,
/// a pod is bound at most once (unless preempted in between), and a pod
/// left Pending fits no node in the final state (simple pods only).
#[test]
fn random_clusters_keep_scheduler_invariants() {
    for seed in 0..40 {
        let input = random_input(seed);
        let r = simulate(&input, SchedulerConfig::default(), seed, false).unwrap();
        for (name, alloc, req, pods) in &r.nodes {
            assert!(
                req.milli_cpu <= alloc.milli_cpu,
                "seed {seed}: {name} cpu over-committed"
            );
            assert!(
                req.memory <= alloc.memory,
                "seed {seed}: {name} memory over-committed"
            );
            assert!(
                *pods as i64 <= alloc.allowed_pod_number,
                "seed {seed}: {name} too many pods"
            );
        }
        let mut binds: std::collections::BTreeMap<&str, usize> = Default::default();
        for d in r.decisions.iter().filter(|d| d.node.is_some()) {
            *binds.entry(d.pod.as_str()).or_default() += 1;
        }
        for (pod, n) in binds {
            let preempted = r.preempted.iter().filter(|p| p.as_str() == pod).count();
            assert!(n <= 1 + preempted, "seed {seed}: {pod} bound {n} times");
        }
        // Feasible pods never stay Pending: any pending pod without
        // anti-affinity must not fit any node's remaining room.
        for o in &input.objects {
            let Object::Pod(p) = o else { continue };
            let key = format!("default/{}", p.metadata.name.as_deref().unwrap());
            if r.placement.get(&key).cloned().flatten().is_some()
                || p.spec.as_ref().unwrap().affinity.is_some()
            {
                continue;
            }
            let info = kubesim::scheduler::pod_info::PodInfo::new(p, &Default::default());
            for (name, alloc, req, pods) in &r.nodes {
                let fits = req.milli_cpu + info.requests.milli_cpu <= alloc.milli_cpu
                    && req.memory + info.requests.memory <= alloc.memory
                    && (*pods as i64) < alloc.allowed_pod_number;
                assert!(!fits, "seed {seed}: {key} stayed Pending but fits {name}");
            }
        }
    }
}
