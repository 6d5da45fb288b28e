//! CoreDNS answers per kubernetes/dns `docs/specification.md` and CoreDNS
//! `plugin/kubernetes/kubernetes_test.go`; the search path and ndots of
//! `pkg/kubelet/network/dns/dns_test.go` (TestGetPodDNS).

use super::*;

fn ip(s: &str) -> Ip {
    parse_ip(s).unwrap()
}

fn dns() -> Dns {
    let mut d = Dns {
        namespaces: vec!["default".into(), "blue".into()],
        ..Default::default()
    };
    d.set_service(
        "default",
        "rng",
        Some(DnsSvc {
            cluster_ip: Some(ip("10.96.81.94")),
            ..Default::default()
        }),
    );
    d.set_service(
        "blue",
        "color",
        Some(DnsSvc {
            cluster_ip: Some(ip("10.103.1.2")),
            ..Default::default()
        }),
    );
    d.set_service(
        "default",
        "db",
        Some(DnsSvc {
            headless: true,
            eps: vec![
                DnsEp {
                    ip: ip("10.244.1.5"),
                    hostname: Some("db-0".into()),
                    ready: true,
                },
                DnsEp {
                    ip: ip("10.244.2.7"),
                    hostname: Some("db-1".into()),
                    ready: true,
                },
                DnsEp {
                    ip: ip("10.244.3.9"),
                    hostname: Some("db-2".into()),
                    ready: false,
                },
            ],
            ..Default::default()
        }),
    );
    d.set_service(
        "default",
        "k8s",
        Some(DnsSvc {
            external_name: Some("blue.10.10.0.12.nip.io".into()),
            ..Default::default()
        }),
    );
    d.set_hosts(vec![
        ("node1".into(), ip("10.10.0.11")),
        ("node2".into(), ip("10.10.0.12")),
    ]);
    d
}

#[test]
fn every_spelling_of_a_service_name_resolves_from_its_namespace() {
    let d = dns();
    for n in [
        "rng",
        "rng.default",
        "rng.default.svc",
        "rng.default.svc.cluster.local",
        "rng.default.svc.cluster.local.",
    ] {
        let a = d.resolve_in_pod("default", n).unwrap();
        assert_eq!(a.ips, vec![ip("10.96.81.94")], "{n}");
        assert_eq!(a.name, "rng.default.svc.cluster.local", "{n}");
    }
    // The short name only works in its own namespace...
    assert_eq!(
        d.resolve_in_pod("blue", "rng"),
        Err(DnsError::NotFound { queries: 4 })
    );
    // ...the namespaced one everywhere.
    assert_eq!(
        d.resolve_in_pod("default", "color.blue").unwrap().ips,
        vec![ip("10.103.1.2")]
    );
    // ndots:5: a short name costs one query when the first search domain answers.
    assert_eq!(d.resolve_in_pod("default", "rng").unwrap().queries, 1);
    assert_eq!(
        d.resolve_in_pod("default", "rng.default").unwrap().queries,
        2
    );
}

#[test]
fn headless_services_answer_ready_pod_addresses_and_hostnames() {
    let d = dns();
    assert_eq!(
        d.resolve_in_pod("default", "db").unwrap().ips,
        vec![ip("10.244.1.5"), ip("10.244.2.7")]
    );
    assert_eq!(
        d.resolve_in_pod("default", "db-1.db").unwrap().ips,
        vec![ip("10.244.2.7")]
    );
    assert_eq!(
        d.resolve_in_pod("blue", "db-0.db.default.svc.cluster.local")
            .unwrap()
            .ips,
        vec![ip("10.244.1.5")]
    );
    assert_eq!(
        d.query("10-244-2-7.db.default.svc.cluster.local"),
        Some(Record::A(vec![ip("10.244.2.7")]))
    );
    // Pod A records (pods insecure).
    assert_eq!(
        d.query("10-244-1-5.default.pod.cluster.local"),
        Some(Record::A(vec![ip("10.244.1.5")]))
    );
}

#[test]
fn external_names_are_cnames_followed_by_the_resolver() {
    let d = dns();
    let a = d.resolve_in_pod("default", "k8s").unwrap();
    assert_eq!(
        a.cnames,
        vec![(
            "k8s.default.svc.cluster.local".to_string(),
            "blue.10.10.0.12.nip.io".to_string()
        )]
    );
    assert_eq!(a.ips, vec![ip("10.10.0.12")]);
    assert!(
        d.resolve_in_pod("default", "kubernetes.io").is_err(),
        "no Internet in the lab"
    );
}

#[test]
fn nodes_use_their_hosts_file_not_cluster_dns() {
    let d = dns();
    assert_eq!(
        d.resolve_on_host("node2").unwrap().ips,
        vec![ip("10.10.0.12")]
    );
    assert!(d.resolve_on_host("rng").is_err());
    assert!(d.resolve_on_host("rng.default.svc.cluster.local").is_err());
    assert_eq!(
        d.resolve_on_host("blue.10.10.0.11.nip.io").unwrap().ips,
        vec![ip("10.10.0.11")]
    );
    assert!(
        d.resolve_in_pod("default", "node2").is_err(),
        "pods do not see the nodes' hosts file"
    );
}

#[test]
fn resolv_conf_matches_the_kubelet() {
    assert_eq!(
        resolv_conf("default"),
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );
    assert_eq!(candidates("blue", "a.b.c.d.e.f")[0], "a.b.c.d.e.f");
}
