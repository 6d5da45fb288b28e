//! Scheduler throughput (issue 5): 150,000 pods onto 5,000 nodes with the
//! default profile, at the adaptive percentageOfNodesToScore and at 100%,
//! and a required pod anti-affinity workload on 5,000 nodes. Prints pods/s
//! and peak RSS (VmHWM, reset between workloads via /proc/self/clear_refs).
//! Run: `cargo bench --bench scheduler`.

use k8s_openapi::api::core::v1::{Node, Pod};
use kubesim::scheduler::pod_info::PodInfo;
use kubesim::scheduler::{SchedulerConfig, SchedulerCore};
use kubesim::sim::rng::SimRng;
use kubesim::sim::SimTime;
use serde_json::json;

fn node(i: usize) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": format!("node-{i}"), "labels": {
            "kubernetes.io/hostname": format!("node-{i}"),
            "topology.kubernetes.io/zone": format!("zone-{}", i % 3)}},
        "status": {
            "allocatable": {"cpu": "4", "memory": "32Gi", "pods": "110"},
            "images": [
                {"names": ["registry.k8s.io/pause:3.10"], "sizeBytes": 736000},
                {"names": ["docker.io/library/nginx:1.27"], "sizeBytes": 72000000},
                {"names": [format!("example.com/app-{}:1", i % 10)], "sizeBytes": 300000000}
            ]}
    }))
    .unwrap()
}

fn pod_template(anti_affinity: bool) -> Pod {
    let mut v = json!({
        "metadata": {"namespace": "default", "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
            "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}}}]}
    });
    if anti_affinity {
        v["spec"]["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "bench"}}}]}});
    }
    serde_json::from_value(v).unwrap()
}

fn vm_hwm_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<u64>().ok())
            })
        })
        .map(|kb| kb / 1024)
        .unwrap_or(0)
}

/// CPU time (user + system) of this process in seconds: the machine is
/// shared, so wall-clock rates understate the scheduler's own speed.
fn cpu_secs() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 (utime, stime) are at 11 and 12 after the comm field.
    (ticks(11) + ticks(12)) / 100.0
}

fn reset_hwm() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// One run's rates: (pods per wall second, pods per CPU-second).
type Rates = (f64, f64);

#[allow(clippy::disallowed_methods)] // wall-clock timing is what a benchmark measures
fn workload(label: &str, nodes: usize, pods: usize, percentage: i32, anti_affinity: bool) -> Rates {
    reset_hwm();
    let t0 = std::time::Instant::now();
    let cfg = SchedulerConfig {
        percentage_of_nodes_to_score: percentage,
        ..Default::default()
    };
    let mut core = SchedulerCore::new(cfg).unwrap();
    core.detail = false;
    core.keep_decisions = false;
    for i in 0..nodes {
        core.cache.upsert_node(&node(i));
    }
    let template = pod_template(anti_affinity);
    let classes = Default::default();
    for i in 0..pods {
        let mut p = template.clone();
        p.metadata.name = Some(format!("pod-{i}"));
        p.metadata.uid = Some(format!("uid-{i}"));
        core.upsert_pending(PodInfo::new(&p, &classes), true, SimTime::ZERO);
    }
    let setup = t0.elapsed();
    let mut rng = SimRng::stream(1, "default-scheduler");
    let t1 = std::time::Instant::now();
    let c1 = cpu_secs();
    let mut bound = 0usize;
    let mut failed = 0usize;
    while let Some(r) = core.schedule_one(&mut rng, SimTime::ZERO, 0) {
        match r.outcome {
            kubesim::scheduler::Outcome::Bound { .. } => bound += 1,
            _ => failed += 1,
        }
    }
    let secs = t1.elapsed().as_secs_f64();
    let cpu = (cpu_secs() - c1).max(0.01);
    println!(
        "{label}: {nodes} nodes, {pods} pods: {bound} bound, {failed} failed in {secs:.2} s wall = {:.0} pods/s ({cpu:.2} s CPU = {:.0} pods/s per CPU-second) (setup {:.2} s), peak RSS {} MiB",
        (bound + failed) as f64 / secs,
        (bound + failed) as f64 / cpu,
        setup.as_secs_f64(),
        vm_hwm_mib()
    );
    (
        (bound + failed) as f64 / secs,
        (bound + failed) as f64 / cpu,
    )
}

/// Runs a workload `runs` times and prints the median rates: on a shared
/// or virtual machine one run can be off by a factor of two.
fn repeated(runs: usize, run: impl Fn() -> Rates) {
    let rates: Vec<Rates> = (0..runs).map(|_| run()).collect();
    if runs < 2 {
        return;
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let mut wall: Vec<f64> = rates.iter().map(|r| r.0).collect();
    let mut cpu: Vec<f64> = rates.iter().map(|r| r.1).collect();
    let (lo, hi) = (
        wall.iter().copied().fold(f64::MAX, f64::min),
        wall.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "  median of {runs} runs: {:.0} pods/s wall (range {lo:.0}-{hi:.0}), {:.0} pods/s per CPU-second",
        median(&mut wall),
        median(&mut cpu)
    );
}

fn main() {
    // KUBESIM_BENCH_ONLY=basic|full|anti runs one workload;
    // KUBESIM_BENCH_DIVIDE=N divides the pod counts (for profiling).
    let only = std::env::var("KUBESIM_BENCH_ONLY").unwrap_or_default();
    let div: usize = std::env::var("KUBESIM_BENCH_DIVIDE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1);
    // KUBESIM_BENCH_RUNS=N repeats the basic and anti-affinity workloads
    // (default 3) and prints their medians; the 100% workload runs once.
    let runs: usize = std::env::var("KUBESIM_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
        .max(1);
    let run = |name: &str| only.is_empty() || only == name;
    if run("basic") {
        repeated(runs, || {
            workload(
                "basic, percentageOfNodesToScore adaptive (10%)",
                5000,
                150_000 / div,
                0,
                false,
            )
        });
    }
    if run("full") {
        workload(
            "basic, percentageOfNodesToScore 100%",
            5000,
            150_000 / div,
            100,
            false,
        );
    }
    if run("anti") {
        repeated(runs, || {
            workload(
                "required pod anti-affinity (hostname)",
                5000,
                5000 / div,
                0,
                true,
            )
        });
    }
}
