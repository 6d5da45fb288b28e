//! Slices as `pkg/controller/endpointslice/reconciler_test.go` pins them
//! (TestReconcile1Pod conditions, TestReconcileEmpty placeholder, slices per
//! port mapping, maxEndpointsPerSlice) and the mirroring controller's
//! `endpointslicemirroring_controller_test.go` (skip-mirror label).

use super::*;
use crate::net::testkit::{create, run_pod, set_ready, TestPod};
use crate::sim::World;
use serde_json::json;

fn world() -> World {
    crate::cluster::workshop_world(12)
}

fn slices(w: &World, svc: &str) -> Vec<EndpointSlice> {
    w.store
        .list_as::<EndpointSlice>(Some("default"))
        .filter(|s| {
            s.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(SERVICE_NAME_LABEL))
                .map(String::as_str)
                == Some(svc)
        })
        .cloned()
        .collect()
}

fn cond(e: &Endpoint) -> (bool, bool, bool) {
    let c = e.conditions.clone().unwrap();
    (c.ready.unwrap(), c.serving.unwrap(), c.terminating.unwrap())
}

#[test]
fn conditions_follow_readiness_and_termination() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "labels": {"tier": "front"}},
               "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]}}),
    )
    .unwrap();
    // The placeholder slice: no endpoints, no ports.
    let s = slices(&w, "web");
    assert_eq!(s.len(), 1);
    assert!(s[0].endpoints.is_empty());
    assert_eq!(s[0].ports, None);
    assert!(s[0].metadata.name.as_deref().unwrap().starts_with("web-"));
    let l = s[0].metadata.labels.clone().unwrap();
    assert_eq!(
        l.get(MANAGED_BY_LABEL).map(String::as_str),
        Some(MANAGED_BY)
    );
    assert_eq!(l.get("tier").map(String::as_str), Some("front"));
    assert_eq!(
        s[0].metadata.owner_references.as_ref().unwrap()[0].kind,
        "Service"
    );
    let placeholder = s[0].metadata.name.clone();

    let ip = run_pod(
        &mut w,
        TestPod::new("web-1", "nginx").label("app", "web"),
        "node2",
    );
    let s = slices(&w, "web");
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].metadata.name, placeholder, "the placeholder is reused");
    assert_eq!(s[0].endpoints[0].addresses, vec![ip]);
    assert_eq!(cond(&s[0].endpoints[0]), (true, true, false));
    assert_eq!(s[0].endpoints[0].node_name.as_deref(), Some("node2"));
    assert_eq!(s[0].ports.as_ref().unwrap()[0].port, Some(80));

    set_ready(&mut w, "default", "web-1", false);
    assert_eq!(
        cond(&slices(&w, "web")[0].endpoints[0]),
        (false, false, false)
    );
    set_ready(&mut w, "default", "web-1", true);
    w.store
        .delete(Kind::Pod, "default", "web-1", &Default::default())
        .unwrap();
    w.settle();
    // Terminating but still serving: kept, not ready.
    assert_eq!(
        cond(&slices(&w, "web")[0].endpoints[0]),
        (false, true, true)
    );
    // Service gone: slices gone.
    w.store
        .delete(Kind::Service, "default", "web", &Default::default())
        .unwrap();
    w.settle();
    assert!(slices(&w, "web").is_empty());
}

#[test]
fn pods_resolving_a_named_port_differently_get_separate_slices() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"},
               "spec": {"selector": {"app": "api"}, "ports": [{"port": 80, "targetPort": "web"}]}}),
    )
    .unwrap();
    run_pod(
        &mut w,
        TestPod::new("api-a", "nginx")
            .label("app", "api")
            .container(json!({"ports": [{"name": "web", "containerPort": 8080}]})),
        "node2",
    );
    run_pod(
        &mut w,
        TestPod::new("api-b", "nginx")
            .label("app", "api")
            .container(json!({"ports": [{"name": "web", "containerPort": 9090}]})),
        "node3",
    );
    let mut ports: Vec<i32> = slices(&w, "api")
        .iter()
        .map(|s| s.ports.as_ref().unwrap()[0].port.unwrap())
        .collect();
    ports.sort();
    assert_eq!(ports, vec![8080, 9090]);
}

#[test]
fn more_than_a_hundred_endpoints_span_several_slices() {
    let mut w = world();
    create(
        &mut w,
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "big"},
               "spec": {"selector": {"app": "big"}, "ports": [{"port": 80}]}}),
    )
    .unwrap();
    for i in 0..130 {
        let node = ["node2", "node3", "node4"][i % 3];
        run_pod(
            &mut w,
            TestPod::new(&format!("big-{i:03}"), "nginx").label("app", "big"),
            node,
        );
    }
    let mut sizes: Vec<usize> = slices(&w, "big")
        .iter()
        .map(|s| s.endpoints.len())
        .collect();
    sizes.sort();
    assert_eq!(sizes, vec![30, 100]);
}

#[test]
fn the_apiserver_slice_and_mirrored_endpoints() {
    let mut w = world();
    let k = w
        .store
        .get_as::<EndpointSlice>("default", "kubernetes")
        .cloned()
        .unwrap();
    assert_eq!(k.endpoints[0].addresses, vec!["10.10.0.11".to_string()]);
    assert_eq!(k.ports.as_ref().unwrap()[0].port, Some(6443));
    // kube-dns has a selector: its slice lists the CoreDNS pods.
    let dns: Vec<EndpointSlice> = w
        .store
        .list_as::<EndpointSlice>(Some("kube-system"))
        .cloned()
        .collect();
    assert_eq!(dns.len(), 1);
    assert_eq!(dns[0].endpoints.len(), 2);
    // A selectorless Service with hand-written Endpoints is mirrored...
    create(&mut w, json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"}, "spec": {"ports": [{"port": 5432}]}})).unwrap();
    create(&mut w, json!({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext"},
                          "subsets": [{"addresses": [{"ip": "192.168.1.50"}], "ports": [{"port": 5432}]}]})).unwrap();
    let s = slices(&w, "ext");
    assert_eq!(s.len(), 1);
    assert_eq!(
        s[0].endpoints[0].addresses,
        vec!["192.168.1.50".to_string()]
    );
    assert_eq!(
        s[0].metadata
            .labels
            .as_ref()
            .unwrap()
            .get(MANAGED_BY_LABEL)
            .map(String::as_str),
        Some(MIRROR_MANAGED_BY)
    );
    // ...unless it opts out.
    w.store
        .modify::<Endpoints>("default", "ext", false, |e| {
            e.metadata
                .labels
                .get_or_insert_with(Default::default)
                .insert(SKIP_MIRROR_LABEL.into(), "true".into());
        })
        .unwrap();
    w.settle();
    assert!(slices(&w, "ext").is_empty());
}
