//! The workshop cluster boots with the objects a kubeadm lab has.
use kubesim::cluster::workshop_world;
use kubesim::objects::Kind;

#[test]
fn workshop_cluster_has_nodes_and_system_pods() {
    let w = workshop_world(1);
    assert_eq!(w.store.count(Kind::Node), 4);
    let pods: Vec<String> = w
        .store
        .iter(Kind::Pod, Some("kube-system"))
        .map(|p| p.meta().name.clone().unwrap())
        .collect();
    assert!(pods.contains(&"etcd-node1".to_string()), "{pods:?}");
    // 4 control plane + 4 kube-proxy + 4 cilium + 1 operator + 2 coredns
    assert_eq!(pods.len(), 15, "{pods:?}");
    assert!(w
        .store
        .try_get(Kind::Service, "default", "kubernetes")
        .is_some());
}
