//! The objects a freshly prepared kubeadm lab has: nodes, namespaces, the
//! control-plane static pods on node1, CoreDNS, kube-proxy and the network
//! add-on (Cilium) on every node, and the `kubernetes` and `kube-dns`
//! Services. They are created as already running, with creation times
//! `clusterAgeSeconds` before virtual time 0.

use super::spec::{ClusterSpec, NodeSpec};
use crate::objects::quantity::parse_quantity;
use crate::objects::Object;
use crate::sim::store::WriteOptions;
use crate::sim::World;
use k8s_openapi::api::apps::v1::{
    DaemonSet, DaemonSetStatus, Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStatus, Endpoints, Namespace, Node,
    NodeAddress, NodeCondition, NodeSpec as K8sNodeSpec, NodeStatus, NodeSystemInfo, Pod,
    PodCondition, PodIP, PodSpec, PodStatus, Service, ServiceAccount, Taint,
};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde_json::json;
use std::collections::BTreeMap;

/// The InternalIP of node number `i` (0-based).
pub fn node_ip(i: usize) -> String {
    format!("10.10.0.{}", 11 + i)
}

/// The pod CIDR of node number `i`: 10.244.i.0/24, as kubeadm's
/// controller-manager allocates from 10.244.0.0/16.
pub fn pod_cidr(i: usize) -> String {
    format!("10.244.{i}.0/24")
}

struct Boot<'a> {
    world: &'a mut World,
    born: Time,
}

impl Boot<'_> {
    fn at(&self, offset_secs: i64) -> Time {
        Time(self.born.0 + jiff::SignedDuration::from_secs(offset_secs))
    }

    fn create(&mut self, obj: Object) {
        let kind = obj.kind();
        let name = obj.meta().name.clone().unwrap_or_default();
        self.world
            .store
            .create(obj, &WriteOptions::default())
            .unwrap_or_else(|e| panic!("bootstrap object {kind}/{name} is valid: {e}"));
    }

    fn meta(&self, ns: Option<&str>, name: &str, offset: i64) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: ns.map(str::to_string),
            creation_timestamp: Some(self.at(offset)),
            ..Default::default()
        }
    }
}

pub fn create_objects(world: &mut World, spec: &ClusterSpec) {
    let born =
        Time(spec.epoch() - jiff::SignedDuration::from_secs(spec.cluster_age_seconds as i64));
    let mut b = Boot { world, born };

    for (i, ns) in ["default", "kube-node-lease", "kube-public", "kube-system"]
        .iter()
        .enumerate()
    {
        let n = Namespace {
            metadata: b.meta(None, ns, i as i64 / 3),
            ..Default::default()
        };
        b.create(Object::Namespace(n));
    }
    for (name, value) in [
        ("system-cluster-critical", 2_000_000_000),
        ("system-node-critical", 2_000_001_000),
    ] {
        let pc = PriorityClass {
            metadata: b.meta(None, name, 0),
            value,
            description: Some(format!(
                "Used for system critical pods that must run in the {}.",
                if value == 2_000_000_000 {
                    "cluster, but can be moved to another node if necessary"
                } else {
                    "node and cannot be moved to another node"
                }
            )),
            ..Default::default()
        };
        b.create(Object::PriorityClass(pc));
    }

    for (i, n) in spec.nodes.iter().enumerate() {
        let node = make_node(&b, spec, n, i);
        b.create(Object::Node(node));
    }
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let sa = ServiceAccount {
            metadata: b.meta(Some(ns), "default", 12),
            ..Default::default()
        };
        b.create(Object::ServiceAccount(sa));
        let cm: Object = decode(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "kube-root-ca.crt", "namespace": ns,
                         "annotations": {"kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."}},
            "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIkubesimkubesimMA0GCSqGSIb3DQEBCwUAMBUxEzARBgNV\n-----END CERTIFICATE-----\n"}
        }));
        let mut cm = cm;
        cm.meta_mut().creation_timestamp = Some(b.at(12));
        b.create(cm);
    }

    // The `kubernetes` Service and its endpoints (the apiserver on node1).
    let cp_index = spec.nodes.iter().position(|n| n.control_plane).unwrap_or(0);
    let mut svc: Object = decode(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": "10.96.0.1", "clusterIPs": ["10.96.0.1"], "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}], "type": "ClusterIP"}
    }));
    svc.meta_mut().creation_timestamp = Some(b.at(2));
    b.create(svc);
    let mut ep: Object = decode(json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kubernetes", "namespace": "default", "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
        "subsets": [{"addresses": [{"ip": node_ip(cp_index)}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}]
    }));
    ep.meta_mut().creation_timestamp = Some(b.at(2));
    b.create(ep);

    let cp_name = spec.nodes[cp_index].name.clone();
    // Control-plane static pods (mirror pods owned by the node).
    for (comp, image, cpu) in [
        ("etcd", "registry.k8s.io/etcd:3.5.21-0", "100m"),
        (
            "kube-apiserver",
            "registry.k8s.io/kube-apiserver:v1.33.5",
            "250m",
        ),
        (
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.33.5",
            "200m",
        ),
        (
            "kube-scheduler",
            "registry.k8s.io/kube-scheduler:v1.33.5",
            "100m",
        ),
    ] {
        let name = format!("{comp}-{cp_name}");
        let mut pod = system_pod(
            &b,
            &name,
            &cp_name,
            cp_index,
            true,
            &[(comp, image, cpu)],
            5,
        );
        let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
        labels.insert("component".into(), comp.into());
        labels.insert("tier".into(), "control-plane".into());
        pod.metadata.annotations = Some(BTreeMap::from([
            (
                "kubernetes.io/config.hash".into(),
                format!("{:032x}", crate::sim::rng::fnv1a(name.as_bytes())),
            ),
            (
                "kubernetes.io/config.mirror".into(),
                format!("{:032x}", crate::sim::rng::fnv1a(name.as_bytes())),
            ),
            (
                "kubernetes.io/config.seen".into(),
                "2026-11-22T13:00:00.000000000Z".into(),
            ),
            ("kubernetes.io/config.source".into(), "file".into()),
        ]));
        pod.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "v1".into(),
            kind: "Node".into(),
            name: cp_name.clone(),
            uid: node_uid(&b, &cp_name),
            controller: Some(true),
            block_owner_deletion: None,
        }]);
        pod.spec.as_mut().unwrap().priority_class_name = Some("system-node-critical".into());
        pod.spec.as_mut().unwrap().priority = Some(2_000_001_000);
        b.create(Object::Pod(pod));
    }

    // DaemonSets: kube-proxy and cilium, one pod per node.
    let node_count = spec.nodes.len() as i32;
    for (ds_name, app_label, image) in [
        ("cilium", "cilium", "quay.io/cilium/cilium:v1.17.4"),
        (
            "kube-proxy",
            "kube-proxy",
            "registry.k8s.io/kube-proxy:v1.33.5",
        ),
    ] {
        let ds_uid = format!("{}", b.world.store.resource_version());
        let ds: Object = decode(json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": ds_name, "namespace": "kube-system", "labels": {"k8s-app": app_label}, "generation": 1,
                         "annotations": {"deprecated.daemonset.template.generation": "1"}},
            "spec": {
                "selector": {"matchLabels": {"k8s-app": app_label}},
                "template": {"metadata": {"labels": {"k8s-app": app_label}},
                             "spec": {"hostNetwork": true, "priorityClassName": "system-node-critical",
                                      "nodeSelector": {"kubernetes.io/os": "linux"},
                                      "tolerations": [{"operator": "Exists"}],
                                      "containers": [{"name": ds_name, "image": image}]}}
            }
        }));
        let Object::DaemonSet(mut ds) = ds else {
            unreachable!()
        };
        ds.metadata.creation_timestamp = Some(b.at(20));
        ds.status = Some(DaemonSetStatus {
            current_number_scheduled: node_count,
            desired_number_scheduled: node_count,
            number_available: Some(node_count),
            number_misscheduled: 0,
            number_ready: node_count,
            observed_generation: Some(1),
            updated_number_scheduled: Some(node_count),
            ..Default::default()
        });
        b.create(Object::DaemonSet(ds));
        let stored: DaemonSet = b
            .world
            .store
            .get_as::<DaemonSet>("kube-system", ds_name)
            .cloned()
            .expect("created");
        let owner_uid = stored.metadata.uid.clone().unwrap_or(ds_uid);
        // The controller's revision and hash, as the DaemonSet controller
        // recorded them when the lab was set up.
        let hash = crate::controllers::daemonset::template_hash(&stored);
        let mut rev = crate::controllers::daemonset::new_revision(&stored, 1);
        rev.metadata.creation_timestamp = Some(b.at(20));
        b.create(Object::ControllerRevision(rev));
        for (i, n) in spec.nodes.iter().enumerate() {
            let suffix = boot_suffix(&mut b, 5);
            let name = format!("{ds_name}-{suffix}");
            let mut pod = system_pod(&b, &name, &n.name, i, true, &[(ds_name, image, "")], 25);
            pod.metadata.labels = Some(BTreeMap::from([
                ("controller-revision-hash".into(), hash.clone()),
                ("k8s-app".into(), app_label.into()),
                ("pod-template-generation".into(), "1".into()),
            ]));
            pod.metadata.generate_name = Some(format!("{ds_name}-"));
            pod.metadata.owner_references =
                Some(vec![owner("apps/v1", "DaemonSet", ds_name, &owner_uid)]);
            let spec = pod.spec.as_mut().unwrap();
            spec.priority_class_name = Some("system-node-critical".into());
            spec.priority = Some(2_000_001_000);
            spec.tolerations = Some(vec![
                serde_json::from_value(json!({"operator": "Exists"})).unwrap()
            ]);
            spec.node_selector = Some(BTreeMap::from([(
                "kubernetes.io/os".to_string(),
                "linux".to_string(),
            )]));
            crate::controllers::daemonset::add_daemon_tolerations(spec);
            spec.affinity = Some(crate::controllers::daemonset::node_name_affinity(
                None, &n.name,
            ));
            b.create(Object::Pod(pod));
        }
    }

    // Deployments: coredns (2 replicas) and cilium-operator (1).
    let worker_indices: Vec<usize> = (0..spec.nodes.len())
        .filter(|i| !spec.nodes[*i].control_plane)
        .collect();
    let cp_only = worker_indices.is_empty();
    for (dep_name, app_label, image, replicas, on_cp) in [
        (
            "cilium-operator",
            "cilium-operator",
            "quay.io/cilium/operator-generic:v1.17.4",
            1,
            true,
        ),
        (
            "coredns",
            "kube-dns",
            "registry.k8s.io/coredns/coredns:v1.12.0",
            2,
            true,
        ),
    ] {
        let dep: Object = decode(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": dep_name, "namespace": "kube-system", "labels": {"k8s-app": app_label},
                         "annotations": {"deployment.kubernetes.io/revision": "1"}},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"k8s-app": app_label}},
                "template": {"metadata": {"labels": {"k8s-app": app_label}},
                             "spec": {"priorityClassName": "system-cluster-critical",
                                      "tolerations": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}],
                                      "containers": [{"name": dep_name, "image": image,
                                                      "resources": if dep_name == "coredns" {
                                                          json!({"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}})
                                                      } else { json!({}) }}]}}
            }
        }));
        let Object::Deployment(mut dep) = dep else {
            unreachable!()
        };
        // The pod-template-hash the Deployment controller computes from the
        // stored (defaulted) template, so it finds this ReplicaSet as new.
        let hash_owned = {
            let mut probe = Object::Deployment(dep.clone());
            crate::objects::defaults::apply(&mut probe);
            let Object::Deployment(d) = probe else {
                unreachable!()
            };
            crate::controllers::util::compute_hash(&d.spec.unwrap_or_default().template, None)
        };
        let hash: &str = &hash_owned;
        dep.metadata.creation_timestamp = Some(b.at(20));
        dep.status = Some(DeploymentStatus {
            available_replicas: Some(replicas),
            ready_replicas: Some(replicas),
            replicas: Some(replicas),
            updated_replicas: Some(replicas),
            observed_generation: Some(1),
            conditions: Some(vec![
                serde_json::from_value(json!({"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.", "lastUpdateTime": b.at(60), "lastTransitionTime": b.at(60)})).unwrap(),
                serde_json::from_value(json!({"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": format!("ReplicaSet \"{dep_name}-{hash}\" has successfully progressed."), "lastUpdateTime": b.at(60), "lastTransitionTime": b.at(20)})).unwrap(),
            ]),
            ..Default::default()
        });
        b.create(Object::Deployment(dep.clone()));
        let dep_uid = uid_of(&b, crate::objects::Kind::Deployment, dep_name);
        let rs_name = format!("{dep_name}-{hash}");
        let mut rs_template = dep.spec.as_ref().unwrap().template.clone();
        rs_template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert("pod-template-hash".into(), hash.into());
        let rs = ReplicaSet {
            metadata: ObjectMeta {
                labels: Some(BTreeMap::from([
                    ("k8s-app".into(), app_label.into()),
                    ("pod-template-hash".into(), hash.into()),
                ])),
                annotations: Some(BTreeMap::from([
                    (
                        "deployment.kubernetes.io/desired-replicas".into(),
                        replicas.to_string(),
                    ),
                    (
                        "deployment.kubernetes.io/max-replicas".into(),
                        (replicas + 1).to_string(),
                    ),
                    ("deployment.kubernetes.io/revision".into(), "1".into()),
                ])),
                owner_references: Some(vec![owner("apps/v1", "Deployment", dep_name, &dep_uid)]),
                ..b.meta(Some("kube-system"), &rs_name, 20)
            },
            spec: Some(k8s_openapi::api::apps::v1::ReplicaSetSpec {
                replicas: Some(replicas),
                selector: serde_json::from_value(
                    json!({"matchLabels": {"k8s-app": app_label, "pod-template-hash": hash}}),
                )
                .unwrap(),
                template: Some(rs_template),
                min_ready_seconds: None,
            }),
            status: Some(ReplicaSetStatus {
                replicas,
                ready_replicas: Some(replicas),
                available_replicas: Some(replicas),
                fully_labeled_replicas: Some(replicas),
                observed_generation: Some(1),
                ..Default::default()
            }),
        };
        b.create(Object::ReplicaSet(rs));
        let rs_uid = uid_of(&b, crate::objects::Kind::ReplicaSet, &rs_name);
        for r in 0..replicas as usize {
            // kubeadm's CoreDNS tolerates the control plane: both land on node1
            // before any worker joins; with no worker at all too.
            let node_i = if on_cp || cp_only {
                cp_index
            } else {
                worker_indices[r % worker_indices.len()]
            };
            let suffix = boot_suffix(&mut b, 5);
            let name = format!("{rs_name}-{suffix}");
            let cpu = if dep_name == "coredns" { "100m" } else { "" };
            let mut pod = system_pod(
                &b,
                &name,
                &spec.nodes[node_i].name,
                node_i,
                dep_name == "cilium-operator",
                &[(dep_name, image, cpu)],
                40,
            );
            pod.metadata.generate_name = Some(format!("{rs_name}-"));
            pod.metadata.labels = Some(BTreeMap::from([
                ("k8s-app".into(), app_label.into()),
                ("pod-template-hash".into(), hash.into()),
            ]));
            pod.metadata.owner_references =
                Some(vec![owner("apps/v1", "ReplicaSet", &rs_name, &rs_uid)]);
            let ps = pod.spec.as_mut().unwrap();
            ps.priority_class_name = Some("system-cluster-critical".into());
            ps.priority = Some(2_000_000_000);
            ps.tolerations = Some(vec![serde_json::from_value(
                json!({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}),
            )
            .unwrap()]);
            if dep_name == "coredns" {
                ps.containers[0].resources = Some(serde_json::from_value(json!({"requests": {"cpu": "100m", "memory": "70Mi"}, "limits": {"memory": "170Mi"}})).unwrap());
            }
            b.create(Object::Pod(pod));
        }
    }

    // kube-dns Service and its endpoints (the CoreDNS pods).
    let mut svc: Object = decode(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"], "selector": {"k8s-app": "kube-dns"},
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]}
    }));
    svc.meta_mut().creation_timestamp = Some(b.at(20));
    b.create(svc);
    let dns_ips: Vec<String> = b
        .world
        .store
        .list_as::<Pod>(Some("kube-system"))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("k8s-app"))
                .map(String::as_str)
                == Some("kube-dns")
        })
        .filter_map(|p| p.status.as_ref().and_then(|s| s.pod_ip.clone()))
        .collect();
    let addrs: Vec<_> = dns_ips.iter().map(|ip| json!({"ip": ip})).collect();
    let mut ep: Object = decode(json!({
        "apiVersion": "v1", "kind": "Endpoints",
        "metadata": {"name": "kube-dns", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"}},
        "subsets": [{"addresses": addrs, "ports": [{"name": "dns-tcp", "port": 53, "protocol": "TCP"}, {"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "metrics", "port": 9153, "protocol": "TCP"}]}]
    }));
    ep.meta_mut().creation_timestamp = Some(b.at(40));
    b.create(ep);
    let _: Option<&Endpoints> = None;
    let _: Option<&Service> = None;
    let _: Option<&Deployment> = None;
    let _: Option<&DaemonSet> = None;

    // Last, so that system objects keep their names: the apiserver's
    // bootstrap RBAC policy and kubeadm's admin binding,
    // aggregated roles already filled in.
    let mut roles = crate::auth::bootstrap_policy::cluster_roles();
    crate::auth::aggregation::aggregate_all(&mut roles);
    let mut policy: Vec<Object> = roles.into_iter().map(Object::ClusterRole).collect();
    policy.extend(
        crate::auth::bootstrap_policy::cluster_role_bindings()
            .into_iter()
            .map(Object::ClusterRoleBinding),
    );
    policy.extend(cluster_info(&node_ip(cp_index)));
    let rng = crate::sim::rng::SimRng::stream(b.world.seed(), "apiserver-bootstrap-policy");
    let at = b.at(1);
    b.world.store.with_rng(rng, |store| {
        for mut obj in policy {
            obj.meta_mut().creation_timestamp = Some(at.clone());
            store
                .create(obj, &WriteOptions::default())
                .expect("the bootstrap policy is valid");
        }
    });
}

/// kubeadm's `cluster-info` ConfigMap in kube-public (the cluster's
/// address and CA, for nodes joining), readable by anyone through the
/// `kubeadm:bootstrap-signer-clusterinfo` Role and RoleBinding
/// (`cmd/kubeadm/app/phases/bootstraptoken/clusterinfo/clusterinfo.go`).
fn cluster_info(apiserver_ip: &str) -> Vec<Object> {
    let kubeconfig = format!(
        "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {CA_DATA}\n    server: https://{apiserver_ip}:6443\n  name: \"\"\ncontexts: null\ncurrent-context: \"\"\nkind: Config\npreferences: {{}}\nusers: null\n"
    );
    let name = "kubeadm:bootstrap-signer-clusterinfo";
    vec![
        decode(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "cluster-info", "namespace": "kube-public"},
            "data": {"kubeconfig": kubeconfig}
        })),
        decode(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
            "metadata": {"name": name, "namespace": "kube-public"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"],
                       "resourceNames": ["cluster-info"], "verbs": ["get"]}]
        })),
        decode(json!({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": "kube-public"},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "system:anonymous"}]
        })),
    ]
}

/// The cluster CA (a stand-in certificate, base64 of its PEM).
const CA_DATA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSURCVENDQWUyZ0F3SUJBZ0lJa3ViZXNpbWt1YmVzaW1NQTBHQ1NxR1NJYjNEUUVCQ3dVQU1CVXhFekFSQmdOVgotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==";

fn decode(v: serde_json::Value) -> Object {
    crate::objects::manifest::decode_object(v, true).expect("bootstrap manifest is valid")
}

fn owner(api_version: &str, kind: &str, name: &str, uid: &str) -> OwnerReference {
    OwnerReference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn uid_of(b: &Boot, kind: crate::objects::Kind, name: &str) -> String {
    b.world
        .store
        .try_get(kind, "kube-system", name)
        .and_then(|o| o.meta().uid.clone())
        .unwrap_or_default()
}

fn node_uid(b: &Boot, name: &str) -> String {
    b.world
        .store
        .try_get(crate::objects::Kind::Node, "", name)
        .and_then(|o| o.meta().uid.clone())
        .unwrap_or_default()
}

/// Generated-name suffixes for bootstrap pods, from their own stream so
/// that they do not shift the apiserver's stream.
fn boot_suffix(b: &mut Boot, n: usize) -> String {
    let seq = b.world.store.resource_version();
    let mut r = crate::sim::rng::SimRng::stream(b.world.seed(), &format!("bootstrap-{seq}"));
    r.name_suffix(n)
}

fn qty(s: &str) -> Quantity {
    Quantity(s.to_string())
}

/// A Node object for `n` as node number `i` (for `sim node add`): the
/// same shape as the bootstrap nodes.
pub(crate) fn node_object(world: &mut World, spec: &ClusterSpec, n: &NodeSpec, i: usize) -> Node {
    let born = Time(spec.epoch());
    let b = Boot { world, born };
    make_node(&b, spec, n, i)
}

fn make_node(b: &Boot, spec: &ClusterSpec, n: &NodeSpec, i: usize) -> Node {
    let mut labels = BTreeMap::from([
        ("beta.kubernetes.io/arch".to_string(), "amd64".to_string()),
        ("beta.kubernetes.io/os".into(), "linux".into()),
        ("kubernetes.io/arch".into(), "amd64".into()),
        ("kubernetes.io/hostname".into(), n.name.clone()),
        ("kubernetes.io/os".into(), "linux".into()),
    ]);
    let mut taints = Vec::new();
    if n.control_plane {
        labels.insert(
            "node-role.kubernetes.io/control-plane".into(),
            String::new(),
        );
        labels.insert(
            "node.kubernetes.io/exclude-from-external-load-balancers".into(),
            String::new(),
        );
        taints.push(Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            value: None,
            time_added: None,
        });
    }
    labels.extend(n.labels.clone());
    for t in &n.taints {
        if let Some(t) = parse_taint(t) {
            taints.push(t);
        }
    }
    let mem_bytes = parse_quantity(&n.memory)
        .map(|a| a.value())
        .unwrap_or(4 << 30);
    let storage_bytes = parse_quantity(&n.ephemeral_storage)
        .map(|a| a.value())
        .unwrap_or(20 << 30);
    let capacity = BTreeMap::from([
        ("cpu".to_string(), qty(&n.cpu)),
        (
            "ephemeral-storage".into(),
            qty(&format!("{}Ki", storage_bytes / 1024)),
        ),
        ("hugepages-1Gi".into(), qty("0")),
        ("hugepages-2Mi".into(), qty("0")),
        ("memory".into(), qty(&format!("{}Ki", mem_bytes / 1024))),
        ("pods".into(), qty(&n.pods.to_string())),
    ]);
    // kubeadm reserves nothing by default; the eviction threshold
    // (memory.available<100Mi) comes off allocatable memory.
    let mut allocatable = capacity.clone();
    allocatable.insert(
        "memory".into(),
        qty(&format!("{}Ki", (mem_bytes - (100 << 20)) / 1024)),
    );
    allocatable.insert(
        "ephemeral-storage".into(),
        qty(&((storage_bytes as f64 * 0.9) as i64).to_string()),
    );
    let joined = if n.control_plane {
        0
    } else {
        60 + 10 * i as i64
    };
    let hb = Time(spec.epoch());
    let cond = |type_: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(hb.clone()),
        last_transition_time: Some(b.at(joined + 30)),
    };
    let seed = crate::sim::rng::fnv1a(n.name.as_bytes());
    Node {
        metadata: ObjectMeta {
            labels: Some(labels),
            annotations: Some(BTreeMap::from([
                (
                    "kubeadm.alpha.kubernetes.io/cri-socket".into(),
                    "unix:///run/containerd/containerd.sock".into(),
                ),
                ("node.alpha.kubernetes.io/ttl".into(), "0".into()),
                (
                    "volumes.kubernetes.io/controller-managed-attach-detach".into(),
                    "true".into(),
                ),
            ])),
            ..b.meta(None, &n.name, joined)
        },
        spec: Some(K8sNodeSpec {
            pod_cidr: Some(pod_cidr(i)),
            pod_cidrs: Some(vec![pod_cidr(i)]),
            taints: if taints.is_empty() {
                None
            } else {
                Some(taints)
            },
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress {
                    type_: "InternalIP".into(),
                    address: node_ip(i),
                },
                NodeAddress {
                    type_: "Hostname".into(),
                    address: n.name.clone(),
                },
            ]),
            capacity: Some(capacity),
            allocatable: Some(allocatable),
            conditions: Some(vec![
                cond(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                cond(
                    "DiskPressure",
                    "False",
                    "KubeletHasNoDiskPressure",
                    "kubelet has no disk pressure",
                ),
                cond(
                    "PIDPressure",
                    "False",
                    "KubeletHasSufficientPID",
                    "kubelet has sufficient PID available",
                ),
                cond(
                    "Ready",
                    "True",
                    "KubeletReady",
                    "kubelet is posting ready status",
                ),
            ]),
            daemon_endpoints: Some(
                serde_json::from_value(json!({"kubeletEndpoint": {"Port": 10250}})).unwrap(),
            ),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: format!("{:016x}-{:04x}", seed, i),
                container_runtime_version: "containerd://1.7.27".into(),
                kernel_version: "6.8.0-1029-aws".into(),
                kube_proxy_version: spec.kubelet_version.clone(),
                kubelet_version: spec.kubelet_version.clone(),
                machine_id: format!("{seed:016x}{:016x}", seed.rotate_left(17)),
                operating_system: "linux".into(),
                os_image: "Ubuntu 24.04.2 LTS".into(),
                system_uuid: format!(
                    "ec2{:05x}-{:04x}-{:04x}-{:04x}-{:012x}",
                    seed & 0xfffff,
                    (seed >> 20) & 0xffff,
                    (seed >> 36) & 0xffff,
                    (seed >> 52) & 0xfff,
                    seed & 0xffffffffffff
                ),
                swap: None,
            }),
            ..Default::default()
        }),
    }
}

/// Parses `key=value:Effect` or `key:Effect`.
pub fn parse_taint(s: &str) -> Option<Taint> {
    let (kv, effect) = s.rsplit_once(':')?;
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k.to_string(), Some(v.to_string())),
        None => (kv.to_string(), None),
    };
    Some(Taint {
        key,
        value,
        effect: effect.to_string(),
        time_added: None,
    })
}

/// A running system pod with one container per (name, image, cpu request).
fn system_pod(
    b: &Boot,
    name: &str,
    node: &str,
    node_index: usize,
    host_network: bool,
    containers: &[(&str, &str, &str)],
    offset: i64,
) -> Pod {
    let started = b.at(offset + 5 + node_index as i64 * 10);
    let ip = if host_network {
        node_ip(node_index)
    } else {
        // System pods take the first addresses of the node's range.
        let used = b
            .world
            .store
            .list_as::<Pod>(None)
            .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
            .filter(|p| p.spec.as_ref().and_then(|s| s.host_network) != Some(true))
            .count();
        format!("10.244.{node_index}.{}", 2 + used)
    };
    let cs: Vec<Container> = containers
        .iter()
        .map(|(n, img, cpu)| Container {
            name: n.to_string(),
            image: Some(img.to_string()),
            image_pull_policy: Some("IfNotPresent".into()),
            resources: Some(if cpu.is_empty() {
                Default::default()
            } else {
                serde_json::from_value(json!({"requests": {"cpu": cpu}})).unwrap()
            }),
            ..Default::default()
        })
        .collect();
    let statuses: Vec<ContainerStatus> = containers
        .iter()
        .enumerate()
        .map(|(i, (n, img, _))| ContainerStatus {
            name: n.to_string(),
            image: img.to_string(),
            image_id: format!(
                "{}@sha256:{:064x}",
                img.split(':').next().unwrap_or(img),
                crate::sim::rng::fnv1a(img.as_bytes()) as u128
            ),
            container_id: Some(format!(
                "containerd://{:016x}{:016x}{:016x}{:016x}",
                crate::sim::rng::fnv1a(name.as_bytes()),
                i,
                node_index,
                offset
            )),
            ready: true,
            started: Some(true),
            restart_count: 0,
            state: Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(started.clone()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let cond = |t: &str| PodCondition {
        type_: t.into(),
        status: "True".into(),
        last_transition_time: Some(started.clone()),
        ..Default::default()
    };
    Pod {
        metadata: ObjectMeta {
            labels: Some(BTreeMap::new()),
            ..b.meta(Some("kube-system"), name, offset)
        },
        spec: Some(PodSpec {
            containers: cs,
            node_name: Some(node.into()),
            host_network: if host_network { Some(true) } else { None },
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            conditions: Some(vec![
                cond("PodReadyToStartContainers"),
                cond("Initialized"),
                cond("Ready"),
                cond("ContainersReady"),
                cond("PodScheduled"),
            ]),
            host_ip: Some(node_ip(node_index)),
            host_ips: Some(vec![k8s_openapi::api::core::v1::HostIP {
                ip: node_ip(node_index),
            }]),
            pod_ip: Some(ip.clone()),
            pod_ips: Some(vec![PodIP { ip }]),
            start_time: Some(b.at(offset)),
            container_statuses: Some(statuses),
            qos_class: Some("Burstable".into()),
            ..Default::default()
        }),
    }
}
