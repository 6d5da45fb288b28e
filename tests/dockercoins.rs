//! DockerCoins as the workshop runs it (slides/k8s/ourapponkube.md,
//! kubectlscale.md, scalingdockercoins.md, daemonset.md, rollout.md; the
//! numbers of docs/workshop.md §1.4–1.5). Deployments and DaemonSets are
//! stood in for by the pods they would create (same labels, images and
//! container names), started on worker nodes as the scheduler would.
//!
//! Nothing below is scripted: the rates and latencies follow from rng
//! serving one request at a time, the worker's loop and its reporting rule.

use kubesim::net::testkit::{cluster_ip, expose, run_pod, TestPod};
use kubesim::net::tools::{format_hash_rates, hash_rate_samples, httping, Origin};
use kubesim::net::{network, network_mut};
use kubesim::sim::World;
use std::time::Duration;

const NODES: [&str; 3] = ["node2", "node3", "node4"];

fn deployment_pod(w: &mut World, app: &str, image: &str, i: usize) {
    let name = format!("{app}-6c7d8f9b5-{i:05}");
    run_pod(
        w,
        TestPod::new(&name, image).label("app", app),
        NODES[i % 3],
    );
}

fn hashes(w: &World) -> i64 {
    network(w)
        .unwrap()
        .redis_counters("default", "redis-6c7d8f9b5-00000")
        .map(|c| c.0)
        .unwrap_or(0)
}

/// Average hashes per second over `secs` (from the counter in Redis).
fn rate(w: &mut World, secs: u64) -> f64 {
    let h0 = hashes(w);
    w.advance(Duration::from_secs(secs));
    (hashes(w) - h0) as f64 / secs as f64
}

fn worker_log(w: &World, pod: &str) -> Vec<String> {
    network(w)
        .unwrap()
        .logs("default", pod, None)
        .into_iter()
        .map(|l| format!("[{}] {}", l.time, l.text))
        .collect()
}

#[test]
fn the_workshop_storyline() {
    let mut w = kubesim::cluster::workshop_world(2026);
    let mut t = String::new();
    // kubectl create deployment {redis,hasher,rng,webui,worker} ...
    deployment_pod(&mut w, "redis", "redis", 0);
    deployment_pod(&mut w, "hasher", "dockercoins/hasher:v0.1", 1);
    deployment_pod(&mut w, "rng", "dockercoins/rng:v0.1", 2);
    deployment_pod(&mut w, "webui", "dockercoins/webui:v0.1", 0);
    deployment_pod(&mut w, "worker", "dockercoins/worker:v0.1", 1);
    w.advance(Duration::from_secs(12));
    let log = worker_log(&w, "worker-6c7d8f9b5-00001");
    t.push_str("$ kubectl logs deploy/worker   # before exposing anything\n");
    for l in &log {
        t.push_str(l);
        t.push('\n');
    }
    assert!(log
        .iter()
        .any(|l| l.contains("Error -2 connecting to redis:6379. Name does not resolve.")));
    assert!(log
        .iter()
        .any(|l| l.ends_with("ERROR:__main__:Waiting 10s and restarting.")));

    // kubectl expose deployment redis --port 6379 (and rng, hasher; webui NodePort)
    let exposed = w.now();
    expose(&mut w, "default", "redis", 6379, "ClusterIP");
    expose(&mut w, "default", "rng", 80, "ClusterIP");
    expose(&mut w, "default", "hasher", 80, "ClusterIP");
    expose(&mut w, "default", "webui", 80, "NodePort");
    w.advance(Duration::from_secs(12));
    let log = worker_log(&w, "worker-6c7d8f9b5-00001");
    let recovered = network(&w)
        .unwrap()
        .logs("default", "worker-6c7d8f9b5-00001", None)
        .into_iter()
        .find(|l| l.time > exposed && l.text.contains("units of work done"))
        .expect("the worker recovers");
    assert!(
        recovered.time - exposed <= Duration::from_secs(10),
        "within 10 s: {recovered:?}"
    );
    t.push_str("$ kubectl logs deploy/worker --tail 4   # after exposing\n");
    for l in &log[log.len() - 4..] {
        t.push_str(l);
        t.push('\n');
    }

    // One worker: 3.3 hashes/s; the page shows 4, 4, 4, 0...
    let r1 = rate(&mut w, 60);
    assert!((3.1..3.5).contains(&r1), "1 worker: {r1}");
    t.push_str(&format!("# 1 worker: {r1:.2} hashes/s over 60 s\n"));
    let s = hash_rate_samples(&mut w, "default", Duration::from_secs(8)).unwrap();
    t.push_str(&format_hash_rates(&s).stdout);
    let shown: Vec<f64> = s.iter().filter_map(|x| x.speed).collect();
    assert!(shown.contains(&4.0) && shown.contains(&0.0), "{shown:?}");

    // kubectl scale deployment worker --replicas=2: twice as fast.
    deployment_pod(&mut w, "worker", "dockercoins/worker:v0.1", 2);
    w.advance(Duration::from_secs(5));
    let r2 = rate(&mut w, 60);
    assert!((6.2..7.0).contains(&r2), "2 workers: {r2}");
    t.push_str(&format!("# 2 workers: {r2:.2} hashes/s over 60 s\n"));

    // --replicas=10: it peaks at 10 and never goes past.
    for i in 3..=10 {
        deployment_pod(&mut w, "worker", "dockercoins/worker:v0.1", i);
    }
    w.advance(Duration::from_secs(10));
    let r10 = rate(&mut w, 60);
    assert!((9.3..10.1).contains(&r10), "10 workers: {r10}");
    t.push_str(&format!("# 10 workers: {r10:.2} hashes/s over 60 s\n"));
    let s = hash_rate_samples(&mut w, "default", Duration::from_secs(5)).unwrap();
    t.push_str(&format_hash_rates(&s).stdout);

    // httping: rng ~700 ms, hasher a few ms.
    let rng = cluster_ip(&w, "default", "rng");
    let hasher = cluster_ip(&w, "default", "hasher");
    let node1 = Origin::Node("node1".into());
    let o = httping(&mut w, &node1, &hasher, 3);
    t.push_str(&format!("$ httping -c 3 $HASHER\n{}", o.stdout));
    let avg = |s: &str| -> f64 {
        s.lines()
            .find(|l| l.starts_with("round-trip"))
            .and_then(|l| l.split('=').nth(1))
            .and_then(|v| v.trim().split('/').nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    assert!(avg(&o.stdout) < 10.0, "hasher: {}", o.stdout);
    let o = httping(&mut w, &node1, &rng, 3);
    t.push_str(&format!("$ httping -c 3 $RNG\n{}", o.stdout));
    let rng_ms = avg(&o.stdout);
    assert!((550.0..900.0).contains(&rng_ms), "rng: {}", o.stdout);

    // rng as a DaemonSet on the three worker nodes (the Deployment's pod
    // stays): more rng capacity, past 10 hashes/s.
    for (i, node) in NODES.iter().enumerate() {
        run_pod(
            &mut w,
            TestPod::new(&format!("rng-ds-{i}"), "dockercoins/rng:v0.1").label("app", "rng"),
            node,
        );
    }
    w.advance(Duration::from_secs(10));
    let rds = rate(&mut w, 60);
    assert!(rds > 15.0, "rng DaemonSet: {rds}");
    t.push_str(&format!(
        "# rng DaemonSet (+3 pods): {rds:.2} hashes/s over 60 s\n"
    ));
    let s = hash_rate_samples(&mut w, "default", Duration::from_secs(5)).unwrap();
    t.push_str(&format_hash_rates(&s).stdout);
    let o = httping(&mut w, &node1, &rng, 3);
    t.push_str(&format!("$ httping -c 3 $RNG\n{}", o.stdout));
    assert!(avg(&o.stdout) < rng_ms, "less queueing at rng");
    insta::assert_snapshot!(t);
}

/// slides/k8s/rollout.md: worker:v0.2 sleeps 1 s per unit: 1.2 s a loop.
#[test]
fn worker_v0_2_is_slower() {
    let mut w = kubesim::cluster::workshop_world(7);
    expose(&mut w, "default", "redis", 6379, "ClusterIP");
    expose(&mut w, "default", "rng", 80, "ClusterIP");
    expose(&mut w, "default", "hasher", 80, "ClusterIP");
    w.advance(Duration::from_secs(2));
    deployment_pod(&mut w, "redis", "redis", 0);
    deployment_pod(&mut w, "hasher", "dockercoins/hasher:v0.1", 1);
    deployment_pod(&mut w, "rng", "dockercoins/rng:v0.1", 2);
    for i in 0..4 {
        deployment_pod(&mut w, "worker", "dockercoins/worker:v0.2", 10 + i);
    }
    w.advance(Duration::from_secs(5));
    let r = rate(&mut w, 120);
    // 4 / 1.2 s = 3.33
    assert!((3.0..3.6).contains(&r), "4 workers v0.2: {r}");
}

/// Killing the rng pod in the middle of a request: the worker's request
/// is reset, it logs the traceback and comes back 10 s later.
#[test]
fn a_vanishing_server_resets_connections() {
    let mut w = kubesim::cluster::workshop_world(3);
    expose(&mut w, "default", "redis", 6379, "ClusterIP");
    expose(&mut w, "default", "rng", 80, "ClusterIP");
    expose(&mut w, "default", "hasher", 80, "ClusterIP");
    w.advance(Duration::from_secs(2));
    deployment_pod(&mut w, "redis", "redis", 0);
    deployment_pod(&mut w, "hasher", "dockercoins/hasher:v0.1", 1);
    deployment_pod(&mut w, "rng", "dockercoins/rng:v0.1", 2);
    for i in 0..5 {
        deployment_pod(&mut w, "worker", "dockercoins/worker:v0.1", 10 + i);
    }
    w.advance(Duration::from_secs(10));
    // The container is gone (the kubelet removed the pod).
    w.store
        .finalize_pod_deletion("default", "rng-6c7d8f9b5-00002");
    w.settle();
    w.advance(Duration::from_secs(3));
    let errors: usize = (10..15)
        .map(|i| {
            worker_log(&w, &format!("worker-6c7d8f9b5-{i:05}"))
                .iter()
                .filter(|l| l.contains("Waiting 10s and restarting."))
                .count()
        })
        .sum();
    assert!(errors >= 1, "some worker had a request in flight");
    let _ = network_mut(&mut w);
}

#[test]
fn same_seed_same_history() {
    let run = || {
        let mut w = kubesim::cluster::workshop_world(99);
        expose(&mut w, "default", "redis", 6379, "ClusterIP");
        expose(&mut w, "default", "rng", 80, "ClusterIP");
        expose(&mut w, "default", "hasher", 80, "ClusterIP");
        w.advance(Duration::from_secs(2));
        deployment_pod(&mut w, "redis", "redis", 0);
        deployment_pod(&mut w, "hasher", "dockercoins/hasher:v0.1", 1);
        deployment_pod(&mut w, "rng", "dockercoins/rng:v0.1", 2);
        for i in 0..6 {
            deployment_pod(&mut w, "worker", "dockercoins/worker:v0.1", i);
        }
        w.advance(Duration::from_secs(30));
        let mut logs = Vec::new();
        for i in 0..6 {
            logs.extend(worker_log(&w, &format!("worker-6c7d8f9b5-{i:05}")));
        }
        logs.extend(worker_log(&w, "rng-6c7d8f9b5-00002"));
        (hashes(&w), logs)
    };
    assert_eq!(run(), run());
}

/// The scenario manifests are valid objects the store accepts, and the
/// Services they define carry DockerCoins' traffic once pods run.
#[test]
fn scenario_manifests_are_valid() {
    use kubesim::objects::manifest::{decode_object, parse_documents};
    let mut w = kubesim::cluster::workshop_world(4);
    for file in [
        "scenarios/dockercoins/dockercoins.yaml",
        "scenarios/dockercoins/rng-daemonset.yaml",
        "scenarios/dockercoins/netpol-dockercoins.yaml",
        "scenarios/ingress/traefik.yaml",
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        for doc in parse_documents(&text).unwrap() {
            let obj = decode_object(doc, true).unwrap_or_else(|e| panic!("{file}: {e}"));
            w.store
                .create(obj, &Default::default())
                .unwrap_or_else(|e| panic!("{file}: {e}"));
        }
    }
    // kube-proxy programs the new Services within its 1 s minSyncPeriod.
    w.advance(Duration::from_millis(1100));
    let svc = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Service>("default", "webui")
        .unwrap();
    assert_eq!(
        svc.spec.as_ref().unwrap().type_.as_deref(),
        Some("NodePort")
    );
    // Mining through these manifests with the real controllers, kubelet
    // and network is the storyline test in tests/dockercoins_workshop.rs.
}
