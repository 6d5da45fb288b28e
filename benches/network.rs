//! How many simulated requests per wall-clock second the network sustains
//! for DockerCoins traffic (each worker request to rng, hasher and redis
//! counts; so do the web UI's). Run with `cargo bench --bench network`.
//!
//! Scenarios: the workshop's 10 workers on one rng pod (the plateau), and
//! 1,000 workers, with one rng pod (a deep queue: few requests complete)
//! and with rng as a DaemonSet on 20 nodes plus 20 hasher pods.

#![allow(clippy::disallowed_methods)] // wall time is what a benchmark measures

use kubesim::cluster::{build_world, ClusterSpec, NodeSpec};
use kubesim::net::network;
use kubesim::net::testkit::{expose, run_pod, TestPod};
use std::time::{Duration, Instant};

struct Shape {
    name: &'static str,
    workers: usize,
    rngs: usize,
    hashers: usize,
    virtual_secs: u64,
}

/// CPU time of this thread (Linux: /proc/thread-self/schedstat), so that
/// other processes on a shared machine do not count against us.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(s.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

fn run(s: &Shape) {
    let mut spec = ClusterSpec::workshop();
    for i in 5..=22 {
        spec.nodes.push(NodeSpec::worker(&format!("node{i}")));
    }
    let workers_nodes: Vec<String> = spec.nodes[1..].iter().map(|n| n.name.clone()).collect();
    let mut w = build_world(&spec, 1);
    expose(&mut w, "default", "redis", 6379, "ClusterIP");
    expose(&mut w, "default", "rng", 80, "ClusterIP");
    expose(&mut w, "default", "hasher", 80, "ClusterIP");
    expose(&mut w, "default", "webui", 80, "NodePort");
    w.advance(Duration::from_secs(2));
    let node = |i: usize| workers_nodes[i % workers_nodes.len()].clone();
    run_pod(
        &mut w,
        TestPod::new("redis-0", "redis").label("app", "redis"),
        &node(0),
    );
    run_pod(
        &mut w,
        TestPod::new("webui-0", "dockercoins/webui:v0.1").label("app", "webui"),
        &node(1),
    );
    for i in 0..s.rngs {
        run_pod(
            &mut w,
            TestPod::new(&format!("rng-{i}"), "dockercoins/rng:v0.1").label("app", "rng"),
            &node(i),
        );
    }
    for i in 0..s.hashers {
        run_pod(
            &mut w,
            TestPod::new(&format!("hasher-{i}"), "dockercoins/hasher:v0.1").label("app", "hasher"),
            &node(i + 7),
        );
    }
    let setup = Instant::now();
    for i in 0..s.workers {
        run_pod(
            &mut w,
            TestPod::new(&format!("worker-{i}"), "dockercoins/worker:v0.1").label("app", "worker"),
            &node(i),
        );
    }
    let setup = setup.elapsed();
    w.advance(Duration::from_secs(10)); // warm up
    let net = network(&w).unwrap();
    let (r0, e0) = (net.requests(), net.engine().stats.events);
    let h0 = net.redis_counters("default", "redis-0").unwrap().0;
    let t = Instant::now();
    let c0 = cpu_secs();
    w.advance(Duration::from_secs(s.virtual_secs));
    let wall = t.elapsed().as_secs_f64();
    let cpu = match (c0, cpu_secs()) {
        (Some(a), Some(b)) if b > a => b - a,
        _ => wall,
    };
    let net = network(&w).unwrap();
    let reqs = net.requests() - r0;
    let events = net.engine().stats.events - e0;
    let h1 = net.redis_counters("default", "redis-0").unwrap().0;
    println!(
        "{:<36} {:>8} requests in {:>5} s virtual: {:>6.3} s wall, {:>6.3} s CPU; {:>9.0} requests/wall s, {:>9.0} requests/CPU s, {:>6.0}x real time, {:>5.2} events/request, {:.1} hashes/s (setup {:.2} s)",
        s.name,
        reqs,
        s.virtual_secs,
        wall,
        cpu,
        reqs as f64 / wall,
        reqs as f64 / cpu,
        s.virtual_secs as f64 / wall,
        events as f64 / reqs.max(1) as f64,
        (h1 - h0) as f64 / s.virtual_secs as f64,
        setup.as_secs_f64()
    );
}

fn main() {
    let shapes = [
        Shape {
            name: "10 workers, 1 rng, 1 hasher",
            workers: 10,
            rngs: 1,
            hashers: 1,
            virtual_secs: 3600,
        },
        Shape {
            name: "1000 workers, 1 rng, 1 hasher",
            workers: 1000,
            rngs: 1,
            hashers: 1,
            virtual_secs: 600,
        },
        Shape {
            name: "1000 workers, 200 rng, 20 hashers",
            workers: 1000,
            rngs: 200,
            hashers: 20,
            virtual_secs: 300,
        },
    ];
    // `cargo bench --bench network -- 200` runs the shapes whose name
    // contains one of the arguments (cargo's own `--bench` flag aside).
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    for s in &shapes {
        if filters.is_empty() || filters.iter().any(|f| s.name.contains(f.as_str())) {
            run(s);
        }
    }
}
