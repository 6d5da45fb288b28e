//! Ingress controllers publish where their Ingresses are reachable in
//! `status.loadBalancer.ingress`, which `kubectl get ingress` shows under
//! ADDRESS: ingress-nginx the addresses of the nodes its pods run on
//! (`internal/ingress/status/status.go` `runningAddresses`, synced every
//! 60 s), Traefik its configured `ingressEndpoint`
//! (`--providers.kubernetesingress.ingressendpoint.ip`).

mod repl_common;

use kubesim::cli::session::Session;
use repl_common::ok;

/// A file of the repository, as text.
fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A session with the ingress controller of `manifest` applied and the
/// workshop's `blue` app deployed and exposed.
fn with_controller(manifest: &str) -> Session {
    let mut s = repl_common::session();
    repl_common::write(&s, "controller.yaml", manifest);
    ok(&mut s, "kubectl apply -f controller.yaml");
    ok(
        &mut s,
        "kubectl create deployment blue --image=jpetazzo/color",
    );
    ok(&mut s, "kubectl expose deployment blue --port=80");
    s
}

#[test]
fn ingress_nginx_publishes_its_nodes_addresses_within_a_minute() {
    let mut s = with_controller(&read("tests/fixtures/ingress-nginx.yaml"));
    ok(
        &mut s,
        "kubectl create ingress green --class=nginx --rule=/green=blue:80",
    );
    ok(&mut s, "sim advance 30s");
    let before = ok(&mut s, "kubectl get ingress");
    // Not yet: the status sync runs every UpdateInterval (60 s).
    assert!(!before.contains("10.10.0.1"), "{before}");
    ok(&mut s, "sim advance 40s");
    let after = ok(&mut s, "kubectl get ingress");
    // The DaemonSet runs on the three workers (node1 keeps its taint); the
    // nodes have no ExternalIP, so their InternalIPs, sorted.
    assert!(
        after.contains("green   nginx   *       10.10.0.12,10.10.0.13,10.10.0.14   80"),
        "{after}"
    );
    let yaml = ok(
        &mut s,
        "kubectl get ingress green -o jsonpath={.status.loadBalancer.ingress[*].ip}",
    );
    assert_eq!(yaml.trim(), "10.10.0.12 10.10.0.13 10.10.0.14");
    // An Ingress of another class is not nginx's to update.
    ok(
        &mut s,
        "kubectl create ingress other --class=other --rule=/x=blue:80",
    );
    ok(&mut s, "sim advance 70s");
    let other = ok(
        &mut s,
        "kubectl get ingress other -o jsonpath={.status.loadBalancer}",
    );
    assert!(!other.contains("10.10.0"), "{other}");
}

#[test]
fn traefik_publishes_its_ingress_endpoint_at_once() {
    let mut s = with_controller(&read("scenarios/ingress/traefik.yaml"));
    ok(&mut s, "sim advance 10s");
    ok(&mut s, "kubectl create ingress blue --rule=/blue=blue:80");
    ok(&mut s, "sim advance 1s");
    let t = ok(&mut s, "kubectl get ingress");
    assert!(t.contains("blue   <none>   *       10.10.0.11   80"), "{t}");
}

#[test]
fn traefik_without_an_ingress_endpoint_writes_no_status() {
    let y = read("scenarios/ingress/traefik.yaml").replace(
        "        - --providers.kubernetesingress.ingressendpoint.ip=10.10.0.11\n",
        "",
    );
    assert!(!y.contains("ingressendpoint"));
    let mut s = with_controller(&y);
    ok(&mut s, "kubectl create ingress blue --rule=/blue=blue:80");
    ok(&mut s, "sim advance 90s");
    let t = ok(
        &mut s,
        "kubectl get ingress blue -o jsonpath={.status.loadBalancer}",
    );
    assert!(!t.contains("10.10.0"), "{t}");
    // ... and it routes all the same.
    let page = ok(&mut s, "curl -s http://node2/blue");
    assert!(page.contains("This is pod default/blue-"), "{page}");
}
