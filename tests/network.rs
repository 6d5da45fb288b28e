//! The simulated network seen from the tools a learner types: Services,
//! kube-proxy's choices, DNS, NodePorts, refusals and timeouts,
//! NetworkPolicy, Ingress, load balancers and partitions.

use kubesim::net::testkit::{cluster_ip, create, expose, node_port, run_pod, set_ready, TestPod};
use kubesim::net::tools::{
    curl, httping, nc, nslookup, ping, resolv_conf, wget, CurlOpts, Origin, WgetOpts,
};
use kubesim::net::{network, network_mut};
use kubesim::sim::World;
use serde_json::json;
use std::collections::BTreeMap;
use std::time::Duration;

fn world() -> World {
    kubesim::cluster::workshop_world(42)
}

fn node1() -> Origin {
    Origin::Node("node1".into())
}

fn pod(name: &str) -> Origin {
    Origin::Pod("default".into(), name.into())
}

fn get(w: &mut World, from: &Origin, url: &str) -> kubesim::net::tools::ToolOutput {
    curl(w, from, url, &CurlOpts::default())
}

fn get_m(w: &mut World, from: &Origin, url: &str, secs: f64) -> kubesim::net::tools::ToolOutput {
    curl(
        w,
        from,
        url,
        &CurlOpts {
            max_time: Some(secs),
            ..Default::default()
        },
    )
}

fn settle_proxy(w: &mut World) {
    // kube-proxy applies bursts of changes at most once a second.
    w.advance(Duration::from_millis(1100));
}

/// slides/k8s/kubectlexpose.md: pod IPs answer, the ClusterIP load-balances,
/// a Service without endpoints refuses connections.
#[test]
fn cluster_ips_balance_across_ready_pods_at_random() {
    let mut w = world();
    for (i, node) in ["node2", "node3", "node4"].iter().enumerate() {
        run_pod(
            &mut w,
            TestPod::new(&format!("blue-{i}"), "jpetazzo/color").label("app", "blue"),
            node,
        );
    }
    expose(&mut w, "default", "blue", 80, "ClusterIP");
    settle_proxy(&mut w);
    let ip = cluster_ip(&w, "default", "blue");
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for _ in 0..300 {
        let o = get(&mut w, &node1(), &format!("http://{ip}"));
        assert_eq!(o.code, 0, "{o:?}");
        let who = o
            .stdout
            .split("This is pod default/")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .unwrap()
            .to_string();
        *seen.entry(who).or_default() += 1;
    }
    // Uniform at random: 100 expected each; with this seed all within ±30.
    assert_eq!(seen.len(), 3, "{seen:?}");
    for (who, n) in &seen {
        assert!((70..=130).contains(n), "{who}: {n} of 300 ({seen:?})");
    }
    // An unready pod leaves the rotation.
    set_ready(&mut w, "default", "blue-0", false);
    settle_proxy(&mut w);
    for _ in 0..30 {
        let o = get(&mut w, &node1(), &format!("http://{ip}"));
        assert!(!o.stdout.contains("default/blue-0 "), "{}", o.stdout);
    }
}

/// pkg/proxy/iptables/proxier.go: sessionAffinity ClientIP pins a client.
#[test]
fn session_affinity_pins_each_client_to_one_endpoint() {
    let mut w = world();
    for (i, node) in ["node2", "node3", "node4"].iter().enumerate() {
        run_pod(
            &mut w,
            TestPod::new(&format!("s-{i}"), "jpetazzo/color").label("app", "s"),
            node,
        );
    }
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"selector": {"app": "s"}, "sessionAffinity": "ClientIP", "ports": [{"port": 80}]}}),
    )
    .unwrap();
    settle_proxy(&mut w);
    let ip = cluster_ip(&w, "default", "s");
    let first = get(&mut w, &node1(), &format!("http://{ip}/")).stdout;
    let who = |s: &str| {
        s.split("This is pod ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .to_string()
    };
    for _ in 0..20 {
        let o = get(&mut w, &node1(), &format!("http://{ip}/"));
        assert_eq!(who(&o.stdout), who(&first));
    }
}

/// kube-proxy REJECTs traffic to a Service without endpoints: curl's (7).
#[test]
fn a_service_without_endpoints_refuses_and_unknown_addresses_time_out() {
    let mut w = world();
    expose(&mut w, "default", "nobody", 80, "ClusterIP");
    settle_proxy(&mut w);
    let ip = cluster_ip(&w, "default", "nobody");
    let o = get(&mut w, &node1(), &format!("http://{ip}/"));
    assert_eq!(o.code, 7);
    assert_eq!(
        o.stderr,
        format!(
            "curl: (7) Failed to connect to {ip} port 80 after 0 ms: Couldn't connect to server\n"
        )
    );
    // A pod with nothing listening on the port resets the connection.
    let pip = run_pod(
        &mut w,
        TestPod::new("quiet", "alpine").container(json!({"args": ["sleep", "3600"]})),
        "node2",
    );
    let o = get(&mut w, &node1(), &format!("http://{pip}:8080/"));
    assert_eq!(o.code, 7, "{o:?}");
    // A port the Service does not have: no rule, dropped, curl -m times out.
    let before = w.now();
    let o = get_m(&mut w, &node1(), &format!("http://{ip}:81/"), 5.0);
    assert_eq!(
        o.stderr,
        "curl: (28) Connection timed out after 5001 milliseconds\n"
    );
    assert_eq!(o.code, 28);
    assert_eq!(
        (w.now() - before).as_millis(),
        5000,
        "the tool waited in virtual time"
    );
    // An address nobody has, without -m: the kernel gives up after ~127 s.
    let o = get(&mut w, &node1(), "http://10.244.7.7/");
    assert_eq!(o.code, 28);
    assert!(
        o.stderr
            .starts_with("curl: (28) Failed to connect to 10.244.7.7 port 80 after 127"),
        "{}",
        o.stderr
    );
}

/// slides/k8s/kubectlexpose.md, service-types.md: NodePorts answer on every
/// node from outside; ClusterIPs are not reachable from outside.
#[test]
fn node_ports_and_load_balancers_answer_from_outside() {
    let mut w = world();
    run_pod(
        &mut w,
        TestPod::new("web-1", "nginx").label("app", "web"),
        "node3",
    );
    expose(&mut w, "default", "web", 80, "NodePort");
    settle_proxy(&mut w);
    let np = node_port(&w, "default", "web");
    for node in ["node1", "node2", "node3", "node4"] {
        let o = get(&mut w, &Origin::Outside, &format!("http://{node}:{np}/"));
        assert!(o.stdout.contains("Welcome to nginx!"), "{node}: {o:?}");
    }
    let ip = cluster_ip(&w, "default", "web");
    let o = get_m(&mut w, &Origin::Outside, &format!("http://{ip}/"), 2.0);
    assert_eq!(o.code, 28, "ClusterIPs are cluster-internal: {o:?}");
    // From a node, the ClusterIP works.
    assert!(get(&mut w, &node1(), &format!("http://{ip}/"))
        .stdout
        .contains("nginx"));

    // LoadBalancer: the simulated MetalLB hands out 172.18.255.200.
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "lb"},
               "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 8080, "targetPort": 80}]}}),
    )
    .unwrap();
    settle_proxy(&mut w);
    let s = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Service>("default", "lb")
        .unwrap()
        .clone();
    let lb_ip = s.status.unwrap().load_balancer.unwrap().ingress.unwrap()[0]
        .ip
        .clone()
        .unwrap();
    assert_eq!(lb_ip, "172.18.255.200");
    let o = get(&mut w, &Origin::Outside, &format!("http://{lb_ip}:8080/"));
    assert!(o.stdout.contains("Welcome to nginx!"), "{o:?}");
}

/// CoreDNS from pods (search path, other namespaces, headless Services and
/// StatefulSet hostnames), no cluster DNS from nodes, node names from the
/// hosts file (kubernetes/dns docs/specification.md).
#[test]
fn names_resolve_as_coredns_and_the_hosts_file_answer_them() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "blue"}}),
    )
    .unwrap();
    run_pod(
        &mut w,
        TestPod::new("color-1", "jpetazzo/color")
            .ns("blue")
            .label("app", "color"),
        "node2",
    );
    expose(&mut w, "blue", "color", 80, "ClusterIP");
    run_pod(&mut w, TestPod::new("client", "nginx"), "node3");
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
               "spec": {"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 80}]}}),
    )
    .unwrap();
    let db0 = run_pod(
        &mut w,
        TestPod::new("db-0", "nginx")
            .label("app", "db")
            .spec(json!({"hostname": "db-0", "subdomain": "db"})),
        "node4",
    );
    settle_proxy(&mut w);
    for name in [
        "color.blue",
        "color.blue.svc",
        "color.blue.svc.cluster.local",
    ] {
        let o = get(&mut w, &pod("client"), &format!("http://{name}/"));
        assert!(
            o.stdout.contains("This is pod blue/color-1"),
            "{name}: {o:?}"
        );
    }
    let o = get(&mut w, &pod("client"), "http://color/");
    assert_eq!(o.stderr, "curl: (6) Could not resolve host: color\n");
    assert_eq!(o.code, 6);
    let o = get(&mut w, &pod("client"), "http://db-0.db/");
    assert!(o.stdout.contains("Welcome to nginx"), "{o:?}");
    // From a node: no cluster DNS, but the hosts file.
    let o = get(&mut w, &node1(), "http://color.blue.svc.cluster.local/");
    assert_eq!(o.code, 6);
    let o = ping(&mut w, &node1(), "node2", 2);
    assert!(o.stdout.starts_with("PING node2 (10.10.0.12) 56(84) bytes of data.\n64 bytes from node2 (10.10.0.12): icmp_seq=1 ttl=64 time="), "{}", o.stdout);
    let o = nslookup(&mut w, &pod("client"), "db");
    assert_eq!(
        o.stdout,
        format!("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tdb.default.svc.cluster.local\nAddress: {db0}\n\n")
    );
    assert_eq!(
        resolv_conf("blue"),
        "search blue.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
}

/// slides/k8s/netpol.md: deny-all times out, a label lets one client in;
/// k8s/netpol-dockercoins.yaml: other namespaces and nodes are cut off,
/// webui stays reachable from outside.
#[test]
fn network_policies_drop_what_they_do_not_allow_in_both_directions() {
    let mut w = world();
    let ip = run_pod(
        &mut w,
        TestPod::new("testweb", "nginx").label("app", "testweb"),
        "node2",
    );
    run_pod(
        &mut w,
        TestPod::new("testcurl", "centos")
            .label("run", "testcurl")
            .container(json!({"args": ["sleep", "1d"]})),
        "node3",
    );
    run_pod(
        &mut w,
        TestPod::new("testkurl", "centos")
            .label("run", "testkurl")
            .container(json!({"args": ["sleep", "1d"]})),
        "node4",
    );
    assert!(get(&mut w, &node1(), &format!("http://{ip}/"))
        .stdout
        .contains("Welcome to nginx!"));
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all-for-testweb"},
               "spec": {"podSelector": {"matchLabels": {"app": "testweb"}}, "ingress": []}}),
    )
    .unwrap();
    let o = get_m(&mut w, &node1(), &format!("http://{ip}/"), 3.0);
    assert_eq!(
        o.stderr,
        "curl: (28) Connection timed out after 3001 milliseconds\n"
    );
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow-testcurl-for-testweb"},
               "spec": {"podSelector": {"matchLabels": {"app": "testweb"}},
                        "ingress": [{"from": [{"podSelector": {"matchLabels": {"run": "testcurl"}}}]}]}}),
    )
    .unwrap();
    assert!(
        get_m(&mut w, &pod("testcurl"), &format!("http://{ip}/"), 3.0)
            .stdout
            .contains("Welcome to nginx!")
    );
    assert_eq!(
        get_m(&mut w, &pod("testkurl"), &format!("http://{ip}/"), 3.0).code,
        28
    );
    // ICMP too (no ports in the allowing rule).
    assert!(ping(&mut w, &pod("testcurl"), &ip, 1)
        .stdout
        .contains("1 packets received"));
    assert!(ping(&mut w, &pod("testkurl"), &ip, 1)
        .stdout
        .contains("0 packets received"));

    // Egress: testcurl may only talk to port 80 of testweb; DNS is cut too.
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "egress"},
               "spec": {"podSelector": {"matchLabels": {"run": "testcurl"}}, "policyTypes": ["Egress"],
                        "egress": [{"to": [{"ipBlock": {"cidr": "10.244.0.0/16", "except": ["10.244.3.0/24"]}}], "ports": [{"port": 80}]}]}}),
    )
    .unwrap();
    assert!(
        get_m(&mut w, &pod("testcurl"), &format!("http://{ip}/"), 3.0)
            .stdout
            .contains("nginx")
    );
    let o = get_m(&mut w, &pod("testcurl"), "http://kubernetes.default/", 20.0);
    assert_eq!(o.code, 6, "DNS to CoreDNS is not allowed: {o:?}");
    let k_ip = run_pod(&mut w, TestPod::new("other", "nginx"), "node4"); // 10.244.3.x: excepted
    assert_eq!(
        get_m(&mut w, &pod("testcurl"), &format!("http://{k_ip}/"), 2.0).code,
        28
    );
}

#[test]
fn namespace_policies_keep_dockercoins_mining_and_webui_public() {
    let mut w = world();
    deploy_minimal_dockercoins(&mut w);
    for doc in [
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-from-other-namespaces"},
               "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]}}),
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow-webui"},
               "spec": {"podSelector": {"matchLabels": {"app": "webui"}}, "ingress": [{"from": []}]}}),
    ] {
        create(&mut w, doc).unwrap();
    }
    let before = redis_hashes(&w);
    w.advance(Duration::from_secs(10));
    assert!(redis_hashes(&w) > before + 20, "the app keeps mining");
    let np = node_port(&w, "default", "webui");
    assert!(
        get(&mut w, &Origin::Outside, &format!("http://node2:{np}/json"))
            .stdout
            .contains("\"hashes\"")
    );
    let rng = cluster_ip(&w, "default", "rng");
    assert_eq!(
        get_m(&mut w, &node1(), &format!("http://{rng}/"), 2.0).code,
        28,
        "rng is cut off from the node"
    );
    // A pod in another namespace is cut off as well.
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
    )
    .unwrap();
    run_pod(&mut w, TestPod::new("probe", "nginx").ns("other"), "node2");
    let o = get_m(
        &mut w,
        &Origin::Pod("other".into(), "probe".into()),
        "http://rng.default/",
        2.0,
    );
    assert_eq!(o.code, 28);
}

fn deploy_minimal_dockercoins(w: &mut World) {
    expose(w, "default", "redis", 6379, "ClusterIP");
    expose(w, "default", "rng", 80, "ClusterIP");
    expose(w, "default", "hasher", 80, "ClusterIP");
    expose(w, "default", "webui", 80, "NodePort");
    settle_proxy(w);
    for (n, img, node) in [
        ("redis", "redis", "node2"),
        ("rng", "dockercoins/rng:v0.1", "node3"),
        ("hasher", "dockercoins/hasher:v0.1", "node4"),
        ("webui", "dockercoins/webui:v0.1", "node2"),
        ("worker", "dockercoins/worker:v0.1", "node3"),
    ] {
        run_pod(
            w,
            TestPod::new(&format!("{n}-1"), img).label("app", n),
            node,
        );
    }
    w.advance(Duration::from_secs(15));
}

fn redis_hashes(w: &World) -> i64 {
    network(w)
        .unwrap()
        .redis_counters("default", "redis-1")
        .unwrap()
        .0
}

/// slides/k8s/ingress.md with Traefik as a host-network pod: 404 before
/// any rule, Exact and Prefix paths, host rules via nip.io.
#[test]
fn ingress_routes_by_host_and_path() {
    let mut w = world();
    run_pod(
        &mut w,
        TestPod::new("traefik-x", "traefik:v3.3")
            .label("app", "traefik")
            .spec(json!({"hostNetwork": true})),
        "node2",
    );
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "traefik"},
               "spec": {"controller": "traefik.io/ingress-controller"}}),
    )
    .unwrap();
    run_pod(
        &mut w,
        TestPod::new("blue-1", "jpetazzo/color").label("app", "blue"),
        "node3",
    );
    expose(&mut w, "default", "blue", 80, "ClusterIP");
    settle_proxy(&mut w);
    let host = "blue.10.10.0.12.nip.io";
    let o = get(&mut w, &Origin::Outside, &format!("http://{host}/"));
    assert_eq!(o.stdout, "404 page not found\n");
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "blue-with-domain"},
               "spec": {"rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Exact",
                   "backend": {"service": {"name": "blue", "port": {"number": 80}}}}]}}]}}),
    )
    .unwrap();
    assert!(get(&mut w, &Origin::Outside, &format!("http://{host}/"))
        .stdout
        .contains("This is pod default/blue-1"));
    assert_eq!(
        get(&mut w, &Origin::Outside, &format!("http://{host}/hello")).stdout,
        "404 page not found\n"
    );
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "blue-with-prefix"},
               "spec": {"ingressClassName": "traefik", "rules": [{"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "blue", "port": {"number": 80}}}}]}}]}}),
    )
    .unwrap();
    let o = get(&mut w, &Origin::Outside, &format!("http://{host}/hello"));
    assert!(o.stdout.contains("serving /hello"), "{o:?}");
    // Other hosts still get 404; the Host header is what counts.
    assert_eq!(
        get(&mut w, &Origin::Outside, "http://node2/").stdout,
        "404 page not found\n"
    );
    let o = curl(
        &mut w,
        &Origin::Outside,
        "http://node2/x",
        &CurlOpts {
            headers: vec![("Host".into(), host.into())],
            ..Default::default()
        },
    );
    assert!(o.stdout.contains("This is pod default/blue-1"), "{o:?}");
    // A backend without endpoints: 503.
    expose(&mut w, "default", "empty", 80, "ClusterIP");
    create(
        &mut w,
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "e"},
               "spec": {"defaultBackend": {"service": {"name": "empty", "port": {"number": 80}}}}}),
    )
    .unwrap();
    settle_proxy(&mut w);
    let o = curl(
        &mut w,
        &Origin::Outside,
        "http://node2/",
        &CurlOpts {
            include: true,
            ..Default::default()
        },
    );
    assert!(
        o.stdout.starts_with("HTTP/1.1 503 Service Unavailable\n"),
        "{o:?}"
    );
}

/// Partitions drop packets between nodes; latency shows in httping.
#[test]
fn partitions_and_latency_are_injectable_faults() {
    let mut w = world();
    let ip = run_pod(&mut w, TestPod::new("web", "nginx"), "node3");
    run_pod(&mut w, TestPod::new("client", "nginx"), "node2");
    assert_eq!(
        get(&mut w, &pod("client"), &format!("http://{ip}/")).code,
        0
    );
    network_mut(&mut w)
        .unwrap()
        .partition("node2", "node3")
        .unwrap();
    assert_eq!(
        get_m(&mut w, &pod("client"), &format!("http://{ip}/"), 2.0).code,
        28
    );
    assert_eq!(
        get(
            &mut w,
            &Origin::Node("node4".into()),
            &format!("http://{ip}/")
        )
        .code,
        0
    );
    network_mut(&mut w).unwrap().heal_all();
    network_mut(&mut w)
        .unwrap()
        .set_link_latency("node2", "node3", Duration::from_millis(50))
        .unwrap();
    let o = httping(&mut w, &pod("client"), &ip, 1);
    // SYN, SYN-ACK, request, answer: four crossings of the slow link.
    assert!(
        o.stdout.contains("time=201.") || o.stdout.contains("time=200."),
        "{}",
        o.stdout
    );
}

/// The workshop's view of the tools: exact output for a small session.
#[test]
fn tool_transcript() {
    let mut w = world();
    deploy_minimal_dockercoins(&mut w);
    let rng = cluster_ip(&w, "default", "rng");
    let hasher = cluster_ip(&w, "default", "hasher");
    let np = node_port(&w, "default", "webui");
    let mut t = String::new();
    let mut run = |w: &mut World, cmd: &str, o: kubesim::net::tools::ToolOutput| {
        t.push_str(&format!("$ {cmd}\n{}", o.stdout));
        if !o.stdout.is_empty() && !o.stdout.ends_with('\n') {
            t.push_str("%\n"); // (no newline at the end of the output)
        }
        t.push_str(&o.stderr);
        if o.code != 0 {
            t.push_str(&format!("[exit {}]\n", o.code));
        }
        let _ = w;
    };
    let o = curl(
        &mut w,
        &node1(),
        &format!("http://{rng}/"),
        &CurlOpts::default(),
    );
    run(&mut w, "curl http://$RNG/", o);
    let o = curl(
        &mut w,
        &node1(),
        &format!("http://{hasher}/"),
        &CurlOpts {
            include: true,
            ..Default::default()
        },
    );
    run(&mut w, "curl -i http://$HASHER/", o);
    let o = curl(
        &mut w,
        &node1(),
        &format!("http://{hasher}/"),
        &CurlOpts {
            data: Some("hello".into()),
            ..Default::default()
        },
    );
    run(&mut w, "curl -d hello http://$HASHER/", o);
    let o = curl(
        &mut w,
        &Origin::Outside,
        &format!("http://node1:{np}/"),
        &CurlOpts {
            location: true,
            ..Default::default()
        },
    );
    run(&mut w, "curl -L http://node1:$PORT/ (from outside)", o);
    let o = httping(&mut w, &node1(), &hasher, 3);
    run(&mut w, "httping -c 3 $HASHER", o);
    let o = ping(&mut w, &pod("worker-1"), "redis", 2);
    run(&mut w, "kubectl exec worker-1 -- ping -c 2 redis", o);
    let o = ping(&mut w, &pod("worker-1"), "redis-1", 1);
    run(&mut w, "kubectl exec worker-1 -- ping -c 1 redis-1", o);
    let o = nslookup(&mut w, &pod("worker-1"), "hasher");
    run(&mut w, "kubectl exec worker-1 -- nslookup hasher", o);
    let o = nslookup(&mut w, &pod("worker-1"), "nothere");
    run(&mut w, "kubectl exec worker-1 -- nslookup nothere", o);
    let o = wget(
        &mut w,
        &pod("worker-1"),
        "http://webui/json",
        &WgetOpts {
            to_stdout: true,
            quiet: true,
            ..Default::default()
        },
    );
    run(
        &mut w,
        "kubectl exec worker-1 -- wget -qO- http://webui/json",
        o,
    );
    let o = wget(
        &mut w,
        &pod("worker-1"),
        "http://nothere/",
        &WgetOpts::default(),
    );
    run(&mut w, "kubectl exec worker-1 -- wget http://nothere/", o);
    let o = curl(&mut w, &node1(), "https://10.96.0.1/", &CurlOpts::default());
    run(&mut w, "curl https://10.96.0.1/", o);
    let o = curl(
        &mut w,
        &node1(),
        "https://10.96.0.1/",
        &CurlOpts {
            insecure: true,
            ..Default::default()
        },
    );
    run(&mut w, "curl -k https://10.96.0.1/", o);
    let o = curl(&mut w, &node1(), "http://rng/", &CurlOpts::default());
    run(&mut w, "curl http://rng/ (from node1)", o);
    let redis = cluster_ip(&w, "default", "redis");
    let o = nc(&mut w, &node1(), &redis, 6379, Some(2.0));
    run(&mut w, "nc -zv -w 2 $REDIS 6379", o);
    let o = nc(&mut w, &pod("worker-1"), "rng", 81, Some(2.0));
    run(&mut w, "kubectl exec worker-1 -- nc -zv -w 2 rng 81", o);
    let o = curl(
        &mut w,
        &node1(),
        &format!("http://{redis}:6379/"),
        &CurlOpts::default(),
    );
    run(&mut w, "curl http://$REDIS:6379/", o);
    insta::assert_snapshot!(t);
}

#[test]
fn logs_come_from_the_apps_and_can_be_taken() {
    let mut w = world();
    deploy_minimal_dockercoins(&mut w);
    w.advance(Duration::from_secs(5));
    let net = network(&w).unwrap();
    let rng = net.logs("default", "rng-1", None);
    assert!(
        rng.iter()
            .any(|l| l.text.ends_with("\"GET /32 HTTP/1.1\" 200 -")),
        "{rng:?}"
    );
    let worker = net.logs("default", "worker-1", Some("worker"));
    assert!(worker.iter().any(|l| l
        .text
        .ends_with("units of work done, updating hash counter")));
    let taken = network_mut(&mut w)
        .unwrap()
        .take_logs("default", "hasher-1");
    assert!(taken
        .iter()
        .any(|(c, l)| c == "hasher" && l.text.contains("\"POST / HTTP/1.1\" 200 64 0.10")));
    assert!(network(&w)
        .unwrap()
        .logs("default", "hasher-1", None)
        .is_empty());
}

/// The workshop's older edition: `kubectl run elastic --image=elasticsearch:2
/// --replicas=7`, `curl http://$IP:9200/` — "Connection refused" while the
/// JVM starts, then banners from different pods.
#[test]
fn elasticsearch_refuses_until_it_has_started_then_names_the_pod() {
    let mut w = world();
    for i in 0..3 {
        run_pod(
            &mut w,
            TestPod::new(&format!("elastic-{i}"), "elasticsearch:2").label("run", "elastic"),
            ["node2", "node3", "node4"][i],
        );
    }
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "elastic"},
               "spec": {"selector": {"run": "elastic"}, "ports": [{"port": 9200}]}}),
    )
    .unwrap();
    settle_proxy(&mut w);
    let ip = cluster_ip(&w, "default", "elastic");
    let o = get(&mut w, &node1(), &format!("http://{ip}:9200/"));
    assert_eq!(o.code, 7, "{o:?}");
    w.advance(Duration::from_secs(6));
    let mut names = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let o = get(&mut w, &node1(), &format!("http://{ip}:9200/"));
        assert!(
            o.stdout.contains("\"tagline\" : \"You Know, for Search\""),
            "{o:?}"
        );
        let name = o.stdout.lines().nth(1).unwrap().to_string();
        names.insert(name);
    }
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(names.contains("  \"name\" : \"elastic-0\","));
}
