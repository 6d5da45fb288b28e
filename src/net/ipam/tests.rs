//! Reproduces the allocator behaviour pinned by upstream's
//! `pkg/registry/core/service/storage/storage_test.go` (ClusterIP and
//! NodePort allocation on create/update, collisions, range errors) and
//! `ipallocator/bitmap_test.go` `TestAllocateReserved` (dynamic allocation
//! stays out of the static band).

use super::*;
use crate::objects::manifest::decode_object;
use crate::objects::Object;
use crate::sim::store::WriteOptions;
use serde_json::json;

fn store() -> Store {
    crate::cluster::workshop_world(7).store
}

fn svc(name: &str, spec: serde_json::Value) -> Object {
    decode_object(
        json!({"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": name, "namespace": "default"},
               "spec": spec}),
        true,
    )
    .unwrap()
}

fn create(store: &mut Store, name: &str, spec: serde_json::Value) -> Result<Service, ApiError> {
    store
        .create(svc(name, spec), &WriteOptions::default())
        .map(|o| match &*o {
            Object::Service(s) => s.clone(),
            _ => unreachable!(),
        })
}

fn cluster_ip(s: &Service) -> String {
    s.spec.as_ref().unwrap().cluster_ip.clone().unwrap()
}

fn node_port(s: &Service, i: usize) -> i32 {
    s.spec.as_ref().unwrap().ports.as_ref().unwrap()[i]
        .node_port
        .unwrap()
}

#[test]
fn random_cluster_ips_come_from_the_dynamic_band_of_the_range() {
    let mut st = store();
    let mut seen = BTreeSet::new();
    for i in 0..40 {
        let s = create(&mut st, &format!("s{i}"), json!({"ports": [{"port": 80}]})).unwrap();
        let ip = parse_ip(&cluster_ip(&s)).unwrap();
        assert!(SERVICE_CIDR.contains(ip));
        // 10.96.0.1 + 256: the first 256 addresses are the static band.
        assert!(ip >= parse_ip("10.96.1.1").unwrap(), "{}", cluster_ip(&s));
        assert_eq!(
            s.spec.as_ref().unwrap().cluster_ips.as_ref().unwrap(),
            &vec![cluster_ip(&s)]
        );
        assert!(seen.insert(ip), "duplicate allocation");
    }
    // Same seed, same addresses.
    let mut again = store();
    let first = create(&mut again, "s0", json!({"ports": [{"port": 80}]})).unwrap();
    let mut st2 = store();
    let first2 = create(&mut st2, "s0", json!({"ports": [{"port": 80}]})).unwrap();
    assert_eq!(cluster_ip(&first), cluster_ip(&first2));
}

#[test]
fn explicit_cluster_ip_collisions_and_range_errors_read_like_the_apiserver() {
    let mut st = store();
    let e = create(
        &mut st,
        "dup",
        json!({"clusterIP": "10.96.0.10", "ports": [{"port": 80}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "dup" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated"#
    );
    let e = create(
        &mut st,
        "out",
        json!({"clusterIP": "10.0.0.5", "ports": [{"port": 80}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "out" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/12"#
    );
    let e = create(
        &mut st,
        "bad",
        json!({"clusterIP": "10.96.0.300", "ports": [{"port": 80}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "bad" is invalid: spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"#
    );
    // The failed creates stored nothing.
    assert!(st.get_as::<Service>("default", "dup").is_none());
    // A free static address is granted, and freed again by deletion.
    let s = create(
        &mut st,
        "static",
        json!({"clusterIP": "10.96.0.50", "ports": [{"port": 80}]}),
    )
    .unwrap();
    assert_eq!(cluster_ip(&s), "10.96.0.50");
    assert!(create(
        &mut st,
        "static2",
        json!({"clusterIP": "10.96.0.50", "ports": [{"port": 80}]})
    )
    .is_err());
    st.delete(Kind::Service, "default", "static", &Default::default())
        .unwrap();
    assert!(create(
        &mut st,
        "static2",
        json!({"clusterIP": "10.96.0.50", "ports": [{"port": 80}]})
    )
    .is_ok());
}

#[test]
fn node_ports_are_allocated_checked_and_kept() {
    let mut st = store();
    let s = create(
        &mut st,
        "web",
        json!({"type": "NodePort", "ports": [{"port": 80}]}),
    )
    .unwrap();
    let np = node_port(&s, 0);
    // Dynamic allocation avoids the 86-port static band (2768/32).
    assert!((30086..=32767).contains(&np), "{np}");
    let s2 = create(
        &mut st,
        "fixed",
        json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}),
    )
    .unwrap();
    assert_eq!(node_port(&s2, 0), 30080);
    let e = create(
        &mut st,
        "clash",
        json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "clash" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"#
    );
    let e = create(
        &mut st,
        "low",
        json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": 29999}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "low" is invalid: spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. The range of valid ports is 30000-32767"#
    );
    let e = create(
        &mut st,
        "twice",
        json!({"type": "NodePort", "ports": [{"name": "a", "port": 80, "nodePort": 31000}, {"name": "b", "port": 81, "nodePort": 31000}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "twice" is invalid: spec.ports[1].nodePort: Duplicate value: "31000""#
    );
    let e = create(
        &mut st,
        "cip",
        json!({"type": "ClusterIP", "ports": [{"port": 80, "nodePort": 31001}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        "The Service \"cip\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
    );
}

#[test]
fn updates_keep_allocations_and_refuse_to_change_the_cluster_ip() {
    let mut st = store();
    let s = create(
        &mut st,
        "web",
        json!({"type": "NodePort", "ports": [{"port": 80}]}),
    )
    .unwrap();
    let (ip, np) = (cluster_ip(&s), node_port(&s, 0));
    // A PUT without clusterIP and nodePort (as a hand-written manifest) keeps both.
    let mut upd = svc("web", json!({"type": "NodePort", "ports": [{"port": 80}]}));
    upd.meta_mut().resource_version = None;
    let after = st.update(upd, &WriteOptions::default()).unwrap();
    let Object::Service(after) = &*after else {
        unreachable!()
    };
    assert_eq!(cluster_ip(after), ip);
    assert_eq!(node_port(after, 0), np);
    // Changing the address is refused.
    let upd = svc(
        "web",
        json!({"type": "NodePort", "clusterIP": "10.96.0.77", "ports": [{"port": 80}]}),
    );
    let e = st.update(upd, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        r#"The Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.77"}: may not change once set"#
    );
    // NodePort -> ClusterIP with the old nodePort left in: released, as
    // strategy.go dropTypeDependentFields does.
    let upd = svc(
        "web",
        json!({"type": "ClusterIP", "ports": [{"port": 80, "nodePort": np}]}),
    );
    let after = st.update(upd, &WriteOptions::default()).unwrap();
    let Object::Service(after) = &*after else {
        unreachable!()
    };
    assert_eq!(
        after.spec.as_ref().unwrap().ports.as_ref().unwrap()[0].node_port,
        None
    );
    // ... so another Service may now take it.
    assert!(create(
        &mut st,
        "other",
        json!({"type": "NodePort", "ports": [{"port": 80, "nodePort": np}]})
    )
    .is_ok());
}

#[test]
fn headless_and_external_name_services_get_no_address() {
    let mut st = store();
    let h = create(
        &mut st,
        "db",
        json!({"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 5432}]}),
    )
    .unwrap();
    assert_eq!(cluster_ip(&h), "None");
    assert_eq!(
        h.spec.as_ref().unwrap().cluster_ips,
        Some(vec!["None".to_string()])
    );
    let e = create(
        &mut st,
        "hnp",
        json!({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80}]}),
    )
    .unwrap_err();
    assert!(
        e.message
            .contains("may not be set to 'None' for LoadBalancer or NodePort services"),
        "{}",
        e.message
    );
    let x = create(
        &mut st,
        "k8s",
        json!({"type": "ExternalName", "externalName": "kubernetes.io"}),
    )
    .unwrap();
    assert_eq!(x.spec.as_ref().unwrap().cluster_ip, None);
    // LoadBalancer gets node ports too.
    let lb = create(
        &mut st,
        "lb",
        json!({"type": "LoadBalancer", "ports": [{"port": 80}]}),
    )
    .unwrap();
    assert!(node_port(&lb, 0) >= NODE_PORT_MIN);
}

#[test]
fn the_next_free_address_is_found_when_the_dynamic_band_is_crowded() {
    let mut rng = SimRng::stream(1, "t");
    let used: BTreeSet<i32> = (30086..=32767).collect();
    let p = allocate_next_port(&used, &mut rng).unwrap();
    assert!(
        (30000..30086).contains(&p),
        "falls back to the static band: {p}"
    );
    let all: BTreeSet<i32> = (30000..=32767).collect();
    assert_eq!(allocate_next_port(&all, &mut rng), None);
}
