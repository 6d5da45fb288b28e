//! Endpoint membership following readiness and labels, as upstream's
//! `pkg/controller/endpoint/endpoints_controller_test.go` pins it
//! (TestSyncEndpointsItemsPreexisting, TestSyncEndpointsItemsWithLabels,
//! TestSyncEndpointsHeadlessService, TestPodToEndpointAddressForService,
//! publishNotReadyAddresses in TestSyncEndpointsServiceNotFound's siblings).

use super::*;
use crate::net::testkit::{create, run_pod, set_ready, TestPod};
use crate::sim::World;
use serde_json::json;

fn world() -> World {
    crate::cluster::workshop_world(11)
}

fn endpoints(w: &World, name: &str) -> Endpoints {
    w.store
        .get_as::<Endpoints>("default", name)
        .cloned()
        .expect("endpoints exist")
}

fn ips(addrs: &Option<Vec<EndpointAddress>>) -> Vec<String> {
    addrs.iter().flatten().map(|a| a.ip.clone()).collect()
}

#[test]
fn ready_pods_are_addresses_and_unready_ones_are_apart() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"app": "web"}},
               "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}}),
    )
    .unwrap();
    // Created at once, empty.
    assert_eq!(endpoints(&w, "web").subsets, None);
    let named = json!({"ports": [{"name": "http", "containerPort": 8080}]});
    let ip1 = run_pod(
        &mut w,
        TestPod::new("web-1", "nginx")
            .label("app", "web")
            .container(named.clone()),
        "node2",
    );
    let ip2 = run_pod(
        &mut w,
        TestPod::new("web-2", "nginx")
            .label("app", "web")
            .container(named),
        "node3",
    );
    // No port named http: FindPort fails, the pod is left out.
    run_pod(
        &mut w,
        TestPod::new("web-3", "nginx").label("app", "web"),
        "node2",
    );
    set_ready(&mut w, "default", "web-2", false);
    let ep = endpoints(&w, "web");
    let subsets = ep.subsets.clone().unwrap();
    assert_eq!(subsets.len(), 1);
    assert_eq!(ips(&subsets[0].addresses), vec![ip1.clone()]);
    assert_eq!(ips(&subsets[0].not_ready_addresses), vec![ip2.clone()]);
    let port = &subsets[0].ports.as_ref().unwrap()[0];
    assert_eq!(
        port.port, 8080,
        "named targetPort resolved to the container port"
    );
    let a = &subsets[0].addresses.as_ref().unwrap()[0];
    assert_eq!(a.node_name.as_deref(), Some("node2"));
    let r = a.target_ref.as_ref().unwrap();
    assert_eq!(
        (r.kind.as_deref(), r.name.as_deref()),
        (Some("Pod"), Some("web-1"))
    );
    assert_eq!(
        ep.metadata
            .labels
            .as_ref()
            .unwrap()
            .get("app")
            .map(String::as_str),
        Some("web")
    );
    assert!(ep
        .metadata
        .annotations
        .as_ref()
        .unwrap()
        .contains_key(TRIGGER_TIME));

    // Readiness comes back: both ready, sorted by IP.
    set_ready(&mut w, "default", "web-2", true);
    let s = endpoints(&w, "web").subsets.unwrap();
    let mut want = vec![ip1.clone(), ip2.clone()];
    want.sort();
    assert_eq!(ips(&s[0].addresses), want);
    assert_eq!(s[0].not_ready_addresses, None);

    // A label change takes the pod out (the workshop's `active-` step).
    w.store
        .modify::<Pod>("default", "web-1", false, |p| {
            p.metadata
                .labels
                .as_mut()
                .unwrap()
                .insert("app".into(), "other".into());
        })
        .unwrap();
    w.settle();
    assert_eq!(
        ips(&endpoints(&w, "web").subsets.unwrap()[0].addresses),
        vec![ip2.clone()]
    );

    // Deleting a pod (graceful, so it is only Terminating) removes it.
    w.store
        .delete(Kind::Pod, "default", "web-2", &Default::default())
        .unwrap();
    w.settle();
    assert_eq!(endpoints(&w, "web").subsets, None);

    // Deleting the Service deletes its Endpoints.
    w.store
        .delete(Kind::Service, "default", "web", &Default::default())
        .unwrap();
    w.settle();
    assert!(w.store.get_as::<Endpoints>("default", "web").is_none());
}

#[test]
fn publish_not_ready_addresses_lists_unready_pods_as_ready() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
               "spec": {"selector": {"app": "db"}, "publishNotReadyAddresses": true, "clusterIP": "None",
                        "ports": [{"port": 5432}]}}),
    )
    .unwrap();
    let ip = run_pod(
        &mut w,
        TestPod::new("db-0", "postgres")
            .label("app", "db")
            .spec(json!({"hostname": "db-0", "subdomain": "db"})),
        "node2",
    );
    set_ready(&mut w, "default", "db-0", false);
    let ep = endpoints(&w, "db");
    let s = ep.subsets.unwrap();
    assert_eq!(ips(&s[0].addresses), vec![ip]);
    assert_eq!(
        s[0].addresses.as_ref().unwrap()[0].hostname.as_deref(),
        Some("db-0")
    );
    assert_eq!(
        ep.metadata
            .labels
            .unwrap()
            .get(HEADLESS_LABEL)
            .map(String::as_str),
        Some("")
    );
}

#[test]
fn headless_services_without_ports_still_list_addresses() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "peers"},
               "spec": {"selector": {"app": "p"}, "clusterIP": "None"}}),
    )
    .unwrap();
    let ip = run_pod(
        &mut w,
        TestPod::new("p-1", "nginx").label("app", "p"),
        "node3",
    );
    let s = endpoints(&w, "peers").subsets.unwrap();
    assert_eq!(ips(&s[0].addresses), vec![ip]);
    assert_eq!(s[0].ports, None);
    // A selectorless Service's Endpoints belong to the user: untouched.
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "manual"},
               "spec": {"ports": [{"port": 80}]}}),
    )
    .unwrap();
    assert!(w.store.get_as::<Endpoints>("default", "manual").is_none());
}
