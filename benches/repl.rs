//! How long a REPL command takes on the workshop cluster: the time from a
//! line to its output, through the shell, kubectl, the store and the
//! printers (`cargo bench --bench repl`). The target is under 50 ms.

use kubesim::cli::complete::complete;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;
use std::time::{Duration, Instant};

const ROUNDS: usize = 200;

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn time(f: &mut dyn FnMut()) -> Vec<Duration> {
    let mut v = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    }
    v.sort();
    v
}

fn report(name: &str, v: &[Duration]) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len() as f64;
    println!(
        "{name:<62} mean {:>7.3} ms   median {:>7.3} ms   p99 {:>7.3} ms   max {:>7.3} ms",
        mean,
        ms(v[v.len() / 2]),
        ms(v[v.len() * 99 / 100]),
        ms(v[v.len() - 1])
    );
}

fn main() {
    let mut s = Session::new(workshop_world(1));
    s.state.workdir = std::env::temp_dir();
    // A workshop-sized namespace: a few deployments, services and pods.
    for name in ["redis", "hasher", "rng", "webui", "worker"] {
        s.execute(&format!(
            "kubectl create deployment {name} --image=dockercoins/{name}:v0.1"
        ));
        s.execute(&format!("kubectl expose deployment {name} --port=80"));
        for i in 0..4 {
            s.execute(&format!(
                "kubectl run {name}-{i} --image=dockercoins/{name}:v0.1 --labels=app={name}"
            ));
        }
    }
    // Let the pods start, so `kubectl exec` has running containers.
    s.execute("sim advance 60s");
    let lines = [
        "kubectl get pods -A",
        "kubectl get nodes -o wide",
        "kubectl get all",
        "kubectl get pods -l app=worker --show-labels",
        "kubectl describe node node1",
        "kubectl get pods -o yaml",
        "kubectl get nodes -o json | jq '.items[] | {name:.metadata.name} + .status.capacity'",
        "kubectl get svc worker -o go-template --template '{{.spec.clusterIP}}'",
        "kubectl explain deployment.spec",
        "kubectl label deployment worker color=blue --overwrite",
        "for i in $(seq 5); do kubectl get deploy worker -o name; done | wc -l",
        "kubectl exec worker-0 -- env",
        "kubectl exec worker-0 -- cat /etc/resolv.conf",
        "kubectl exec worker-0 -- sh -c 'hostname; ps | wc -l'",
        "kubectl exec worker-0 -- nslookup redis",
    ];
    println!("kubesim REPL latency on the workshop cluster ({ROUNDS} rounds each)");
    let mut worst = Duration::ZERO;
    for line in lines {
        let v = time(&mut || {
            let o = s.execute(line);
            assert_eq!(o.code, 0, "{line}: {o:?}");
        });
        worst = worst.max(v[v.len() / 2]);
        report(line, &v);
    }
    let v = time(&mut || {
        let line = "kubectl get pods w";
        let (_, c) = complete(line, line.len(), &s.world, &s.state);
        assert!(!c.is_empty());
    });
    report("completion: kubectl get pods w<TAB>", &v);
    println!(
        "slowest median: {:.3} ms (target < 50 ms)",
        worst.as_secs_f64() * 1000.0
    );
}
