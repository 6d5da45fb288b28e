//! Benchmarks of `kubesim serve` (harness = false; `cargo bench --bench api`):
//! - requests/s of `list pods` with 10,000 pods (JSON and Table);
//! - 100 concurrent watch streams: events delivered per second;
//! - latency (p50/p99) of the requests `kubectl get pods -A` makes, on the
//!   workshop cluster, and of the real kubectl process when it is installed.
//!
//! The client is a minimal HTTP/1.1 keep-alive client over loopback.

use kubesim::api::{self, ServeOptions};
use kubesim::objects::KubeObject;
use kubesim::sim::runner::{self, Pacing, SimHandle};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

struct Conn {
    r: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let t = TcpStream::connect(addr).unwrap();
        // As Go's net/http does: no Nagle delay on small requests.
        t.set_nodelay(true).unwrap();
        Conn {
            r: BufReader::new(t),
        }
    }
    /// One request; returns the body length.
    fn get(&mut self, path: &str, accept: &str) -> usize {
        // One write per request (write! would send several small segments).
        let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: {accept}\r\n\r\n");
        self.r.get_mut().write_all(req.as_bytes()).unwrap();
        let mut len = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.r.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; len];
        self.r.read_exact(&mut body).unwrap();
        len
    }
}

fn pod(i: usize) -> kubesim::objects::Object {
    let p: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("bench-{i:05}"), "namespace": "default", "labels": {"app": "bench"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    }))
    .unwrap();
    p.into_object()
}

fn start(pods: usize) -> (SimHandle, api::Server) {
    let world = kubesim::cluster::workshop_world(1);
    let h = runner::spawn(world, Pacing::Paced { speed: 1.0 });
    h.pause();
    h.call(move |w| {
        for i in 0..pods {
            w.store.create(pod(i), &Default::default()).unwrap();
        }
    });
    let s = api::start(h.clone(), &ServeOptions::default(), false).unwrap();
    (h, s)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn now() -> Instant {
    Instant::now()
}

fn bench_list() {
    let (h, s) = start(10_000);
    let mut c = Conn::open(s.addr);
    for (label, accept) in [("JSON", "application/json"), ("Table", TABLE)] {
        c.get("/api/v1/namespaces/default/pods", accept);
        let n = 20;
        let t0 = now();
        let mut bytes = 0;
        for _ in 0..n {
            bytes = c.get("/api/v1/namespaces/default/pods", accept);
        }
        let dt = t0.elapsed();
        println!(
            "list 10,000 pods ({label}): {:.1} requests/s ({:.1} ms each, {:.1} MB per response)",
            n as f64 / dt.as_secs_f64(),
            dt.as_secs_f64() * 1000.0 / n as f64,
            bytes as f64 / 1e6
        );
    }
    s.shutdown();
    h.stop();
}

fn bench_watch() {
    let (h, s) = start(0);
    let streams = 100;
    let events = 200;
    let rv = h.call(|w| w.store.resource_version());
    let readers: Vec<_> = (0..streams)
        .map(|_| {
            let addr = s.addr;
            std::thread::spawn(move || {
                let mut t = TcpStream::connect(addr).unwrap();
                t.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                write!(t, "GET /api/v1/namespaces/default/pods?watch=1&resourceVersion={rv} HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n").unwrap();
                let mut seen = 0;
                let mut buf = vec![0u8; 1 << 16];
                let mut carry = Vec::new();
                while seen < events {
                    let n = t.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    carry.extend_from_slice(&buf[..n]);
                    let needle = b"{\"type\":\"ADDED\"";
                    let mut i = 0;
                    while i + needle.len() <= carry.len() {
                        if &carry[i..i + needle.len()] == needle {
                            seen += 1;
                            i += needle.len();
                        } else {
                            i += 1;
                        }
                    }
                    let keep = carry.len().saturating_sub(needle.len());
                    carry.drain(..keep);
                }
                seen
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let t0 = now();
    for i in 0..events {
        h.call(move |w| {
            w.store.create(pod(i), &Default::default()).unwrap();
        });
    }
    let total: usize = readers.into_iter().map(|r| r.join().unwrap()).sum();
    let dt = t0.elapsed();
    println!(
        "{streams} concurrent watch streams, {events} creates: {total} events delivered in {:.0} ms ({:.0} events/s)",
        dt.as_secs_f64() * 1000.0,
        total as f64 / dt.as_secs_f64()
    );
    s.shutdown();
    h.stop();
}

fn bench_get_pods_latency() {
    let (h, s) = start(0);
    let mut c = Conn::open(s.addr);
    let agg =
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
    let mut lat = Vec::new();
    for _ in 0..500 {
        let t0 = now();
        c.get("/api", agg);
        c.get("/apis", agg);
        c.get("/api/v1/pods?limit=500", TABLE);
        lat.push(t0.elapsed());
    }
    lat.sort();
    println!(
        "kubectl get pods -A request sequence (/api, /apis, list as Table), workshop cluster: p50 {:.2} ms, p99 {:.2} ms",
        percentile(&lat, 0.5).as_secs_f64() * 1000.0,
        percentile(&lat, 0.99).as_secs_f64() * 1000.0
    );
    let dir = std::env::temp_dir().join(format!("kubesim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    api::write_kubeconfig(&dir.join("kubeconfig"), &s.url()).unwrap();
    let kubectl = |args: &[&str]| {
        std::process::Command::new("kubectl")
            .arg(format!("--kubeconfig={}", dir.join("kubeconfig").display()))
            .arg(format!("--cache-dir={}", dir.join("cache").display()))
            .args(args)
            .output()
    };
    if kubectl(&["get", "pods", "-A"]).is_ok() {
        let mut lat = Vec::new();
        for _ in 0..30 {
            let t0 = now();
            let out = kubectl(&["get", "pods", "-A"]).unwrap();
            assert!(out.status.success());
            lat.push(t0.elapsed());
        }
        lat.sort();
        println!(
            "real `kubectl get pods -A` process (dispatcher + kubectl 1.33, warm cache), 30 runs: p50 {:.1} ms, p99 {:.1} ms",
            percentile(&lat, 0.5).as_secs_f64() * 1000.0,
            percentile(&lat, 0.99).as_secs_f64() * 1000.0
        );
    } else {
        println!("kubectl not installed: process latency not measured");
    }
    let _ = std::fs::remove_dir_all(&dir);
    s.shutdown();
    h.stop();
}

fn main() {
    // `cargo test --benches` runs this binary too: keep that cheap.
    if std::env::args().any(|a| a == "--bench") {
        bench_list();
        bench_watch();
        bench_get_pods_latency();
    } else {
        println!("api bench: run with `cargo bench --bench api`");
    }
}
