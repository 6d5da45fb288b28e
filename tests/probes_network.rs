//! Probes see the load the network carries: an HTTP readiness probe on
//! rng waits behind rng's queue like any client, so with enough workers it
//! times out after `timeoutSeconds` (exercises/healthchecks-details.md:
//! "scale workers to 15+ … every 30 seconds it will be unreachable for a
//! bit"). The failure text is the Go HTTP client's, as the kubelet's
//! `pkg/probe/http/http.go` reports it; the network publishes queue delays
//! on the store's load board and the kubelet's prober reads them.

mod repl_common;

use kubesim::cli::session::Session;

const TIMEOUT: &str = "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";

fn dockercoins_with_probed_rng() -> Session {
    let mut s = repl_common::session();
    let rng = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rng-readiness.yaml"
    ))
    .unwrap();
    repl_common::write(&s, "rng.yaml", &rng);
    for line in [
        "kubectl create deployment redis --image=redis",
        "kubectl create deployment hasher --image=dockercoins/hasher:v0.1",
        "kubectl apply -f rng.yaml",
        "kubectl create deployment worker --image=dockercoins/worker:v0.1",
        "kubectl expose deployment redis --port 6379",
        "kubectl expose deployment rng --port 80",
        "kubectl expose deployment hasher --port 80",
        "sim advance 60s",
    ] {
        repl_common::ok(&mut s, line);
    }
    s
}

fn unhealthy(s: &mut Session) -> String {
    repl_common::ok(s, "kubectl get events --field-selector reason=Unhealthy")
}

#[test]
fn a_saturated_rng_fails_its_readiness_probe_with_the_go_client_timeout() {
    let mut s = dockercoins_with_probed_rng();
    // One worker keeps rng a third busy: `GET /` waits at most one 0.1 s
    // request, far below the 1 s timeout.
    assert!(
        !unhealthy(&mut s).contains(TIMEOUT),
        "{}",
        unhealthy(&mut s)
    );
    // Twenty workers queue ~1.8 s of requests at the single rng pod.
    repl_common::ok(&mut s, "kubectl scale deployment worker --replicas=20");
    repl_common::ok(&mut s, "sim advance 60s");
    let ev = unhealthy(&mut s);
    let ip = repl_common::ok(
        &mut s,
        "kubectl get pods -l app=rng -o jsonpath={.items[0].status.podIP}",
    );
    let want = format!(
        "Readiness probe failed: Get \"http://{}:80/\": {TIMEOUT}",
        ip.trim()
    );
    assert!(ev.contains(&want), "{want}\n{ev}");
}

#[test]
fn a_tcp_probe_is_answered_by_the_kernel_even_when_the_server_is_busy() {
    let mut s = repl_common::session();
    let rng = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rng-readiness.yaml"
    ))
    .unwrap()
    .replace(
        "httpGet:\n            path: /\n            port: 80",
        "tcpSocket:\n            port: 80",
    );
    assert!(rng.contains("tcpSocket"));
    repl_common::write(&s, "rng.yaml", &rng);
    for line in [
        "kubectl create deployment redis --image=redis",
        "kubectl create deployment hasher --image=dockercoins/hasher:v0.1",
        "kubectl apply -f rng.yaml",
        "kubectl create deployment worker --image=dockercoins/worker:v0.1 --replicas=20",
        "kubectl expose deployment redis --port 6379",
        "kubectl expose deployment rng --port 80",
        "kubectl expose deployment hasher --port 80",
        "sim advance 120s",
    ] {
        repl_common::ok(&mut s, line);
    }
    assert!(!unhealthy(&mut s).contains(TIMEOUT));
}
