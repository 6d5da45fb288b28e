//! Helpers for tests and scenarios that need running pods before the
//! kubelet and the workload controllers exist: create a Pod, bind it, and
//! write the status a kubelet would (Running, Ready, a pod IP from the
//! node's podCIDR, running container statuses), all through the store.

use crate::controllers::object_key;
use crate::net::addr::{parse_ip, Cidr, IpDisplay};
use crate::objects::kinds::Object;
use crate::objects::manifest::decode_object;
use crate::sim::store::{set_pod_condition, WriteOptions};
use crate::sim::World;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStatus, Node, Pod, PodIP,
};
use serde_json::{json, Value};

/// A pod to create.
#[derive(Clone, Debug)]
pub struct TestPod {
    pub ns: String,
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub containers: Vec<Value>,
    pub extra_spec: Value,
}

impl TestPod {
    /// A pod `name` with one container running `image` (container name
    /// derived from the image, as `kubectl create deployment` does).
    pub fn new(name: &str, image: &str) -> TestPod {
        let cname = image
            .rsplit('/')
            .next()
            .unwrap_or(image)
            .split([':', '@'])
            .next()
            .unwrap_or("c")
            .to_string();
        TestPod {
            ns: "default".into(),
            name: name.into(),
            labels: Vec::new(),
            containers: vec![json!({"name": cname, "image": image})],
            extra_spec: json!({}),
        }
    }
    pub fn ns(mut self, ns: &str) -> Self {
        self.ns = ns.into();
        self
    }
    pub fn label(mut self, k: &str, v: &str) -> Self {
        self.labels.push((k.into(), v.into()));
        self
    }
    /// Merges fields into the (first) container: `ports`, `command`, `env`.
    pub fn container(mut self, fields: Value) -> Self {
        if let (Some(c), Some(f)) = (self.containers[0].as_object_mut(), fields.as_object()) {
            for (k, v) in f {
                c.insert(k.clone(), v.clone());
            }
        }
        self
    }
    /// Adds a second container.
    pub fn sidecar(mut self, name: &str, image: &str) -> Self {
        self.containers.push(json!({"name": name, "image": image}));
        self
    }
    /// Merges fields into the pod spec (`hostname`, `subdomain`, `hostNetwork`...).
    pub fn spec(mut self, fields: Value) -> Self {
        if let (Some(s), Some(f)) = (self.extra_spec.as_object_mut(), fields.as_object()) {
            for (k, v) in f {
                s.insert(k.clone(), v.clone());
            }
        }
        self
    }

    fn manifest(&self) -> Value {
        let labels: serde_json::Map<String, Value> = self
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        let mut spec = json!({"containers": self.containers});
        if let (Some(s), Some(f)) = (spec.as_object_mut(), self.extra_spec.as_object()) {
            for (k, v) in f {
                s.insert(k.clone(), v.clone());
            }
        }
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": self.name, "namespace": self.ns, "labels": labels},
               "spec": spec})
    }
}

/// Creates the pod, binds it to `node` and marks it running and ready.
/// Returns its IP.
pub fn run_pod(world: &mut World, pod: TestPod, node: &str) -> String {
    let obj = decode_object(pod.manifest(), true).expect("test pod manifest is valid");
    world
        .store
        .create(obj, &WriteOptions::default())
        .expect("test pod is created");
    world
        .store
        .bind(&pod.ns, &pod.name, node)
        .expect("test pod binds");
    let ip = start_pod(world, &pod.ns, &pod.name);
    world.settle();
    ip
}

/// Writes a running status for a bound pod (what the kubelet does once its
/// containers started): phase Running, Ready, pod IP, container statuses.
pub fn start_pod(world: &mut World, ns: &str, name: &str) -> String {
    let pod = world
        .store
        .get_as::<Pod>(ns, name)
        .cloned()
        .expect("pod exists");
    let node_name = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .expect("pod is bound");
    let node = world
        .store
        .get_as::<Node>("", &node_name)
        .cloned()
        .expect("node exists");
    let node_ip = node
        .status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .map(|a| a.address.clone())
        .unwrap_or_default();
    let host_network = pod.spec.as_ref().and_then(|s| s.host_network) == Some(true);
    let ip = if host_network {
        node_ip.clone()
    } else {
        next_free_ip(world, &node)
    };
    let now = world.store.timestamp_secs();
    let mut p = pod.clone();
    let status = p.status.get_or_insert_with(Default::default);
    status.phase = Some("Running".into());
    status.pod_ip = Some(ip.clone());
    status.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
    status.host_ip = Some(node_ip.clone());
    status.start_time = Some(now.clone());
    for c in [
        "PodReadyToStartContainers",
        "Initialized",
        "ContainersReady",
        "Ready",
    ] {
        set_pod_condition(status, c, "True", None, now.clone());
    }
    status.container_statuses = Some(
        pod.spec
            .as_ref()
            .map(|s| s.containers.clone())
            .unwrap_or_default()
            .iter()
            .map(|c| ContainerStatus {
                name: c.name.clone(),
                image: c.image.clone().unwrap_or_default(),
                image_id: String::new(),
                container_id: Some(format!("containerd://{}-{}", name, c.name)),
                ready: true,
                started: Some(true),
                restart_count: 0,
                state: Some(ContainerState {
                    running: Some(ContainerStateRunning {
                        started_at: Some(now.clone()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            })
            .collect(),
    );
    world
        .store
        .update_status(Object::Pod(p), &WriteOptions::default())
        .expect("status update");
    ip
}

/// Sets the pod's Ready condition (a readiness probe passing or failing).
pub fn set_ready(world: &mut World, ns: &str, name: &str, ready: bool) {
    let now = world.store.timestamp_secs();
    let v = if ready { "True" } else { "False" };
    world
        .store
        .modify::<Pod>(ns, name, true, |p| {
            let st = p.status.get_or_insert_with(Default::default);
            set_pod_condition(st, "Ready", v, None, now.clone());
            set_pod_condition(st, "ContainersReady", v, None, now.clone());
            for cs in st.container_statuses.iter_mut().flatten() {
                cs.ready = ready;
            }
        })
        .expect("pod exists");
    world.settle();
}

/// Creates any object from JSON (a Service, a NetworkPolicy...).
pub fn create(world: &mut World, v: Value) -> Result<(), crate::sim::store::ApiError> {
    let obj = decode_object(v, true)
        .map_err(|e| crate::sim::store::ApiError::bad_request(e.to_string()))?;
    world.store.create(obj, &WriteOptions::default())?;
    world.settle();
    Ok(())
}

/// The lowest free address of the node's podCIDR (from .2: .1 is the
/// bridge/gateway, as host-local IPAM leaves it).
fn next_free_ip(world: &World, node: &Node) -> String {
    let cidr = node
        .spec
        .as_ref()
        .and_then(|s| s.pod_cidr.as_deref())
        .and_then(Cidr::parse)
        .expect("node has a podCIDR");
    let used: std::collections::BTreeSet<u32> = world
        .store
        .list_as::<Pod>(None)
        .filter_map(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()))
        .filter_map(parse_ip)
        .filter(|ip| cidr.contains(*ip))
        .collect();
    let ip = (cidr.base + 2..cidr.last())
        .find(|ip| !used.contains(ip))
        .expect("podCIDR has room");
    IpDisplay(ip).to_string()
}

/// `ns/name` of a pod, as controllers key it.
pub fn key(ns: &str, name: &str) -> String {
    object_key(Some(ns), name)
}

/// A Service's ClusterIP.
pub fn cluster_ip(world: &World, ns: &str, name: &str) -> String {
    world
        .store
        .get_as::<k8s_openapi::api::core::v1::Service>(ns, name)
        .and_then(|s| s.spec.as_ref()?.cluster_ip.clone())
        .expect("service has a ClusterIP")
}

/// A Service's first NodePort.
pub fn node_port(world: &World, ns: &str, name: &str) -> u16 {
    world
        .store
        .get_as::<k8s_openapi::api::core::v1::Service>(ns, name)
        .and_then(|s| s.spec.as_ref()?.ports.as_ref()?.first()?.node_port)
        .expect("service has a NodePort") as u16
}

/// Creates a Service the way `kubectl expose deployment NAME --port P`
/// does: selector `app: NAME`, one unnamed port.
pub fn expose(world: &mut World, ns: &str, name: &str, port: u16, type_: &str) {
    create(
        world,
        serde_json::json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"type": type_, "selector": {"app": name},
                     "ports": [{"port": port, "protocol": "TCP", "targetPort": port}]}}),
    )
    .expect("service is created");
}
