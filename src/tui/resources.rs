//! Requested versus allocatable resources per node, as `kubectl describe
//! node` sums them under "Allocated resources" (non-terminated pods bound to
//! the node; a pod requests max(sum of its containers and restartable init
//! containers, its largest init container) plus its overhead, following
//! `k8s.io/component-helpers/resource/helpers.go` PodRequests).

use crate::objects::quantity::amount;
use k8s_openapi::api::core::v1::{Container, Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

/// CPU in millicores and memory in bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Resources {
    pub cpu_m: i64,
    pub mem: i64,
}

impl Resources {
    fn add(&mut self, o: Resources) {
        self.cpu_m += o.cpu_m;
        self.mem += o.mem;
    }
    fn max(self, o: Resources) -> Resources {
        Resources {
            cpu_m: self.cpu_m.max(o.cpu_m),
            mem: self.mem.max(o.mem),
        }
    }
}

fn from_map(m: Option<&BTreeMap<String, Quantity>>) -> Resources {
    let get = |k: &str| m.and_then(|m| m.get(k)).map(amount);
    Resources {
        cpu_m: get("cpu").map_or(0, |a| a.milli_value()),
        mem: get("memory").map_or(0, |a| a.value()),
    }
}

fn container_requests(c: &Container) -> Resources {
    from_map(c.resources.as_ref().and_then(|r| r.requests.as_ref()))
}

/// What a pod requests (PodRequests without the in-place resize rules).
pub fn pod_requests(pod: &Pod) -> Resources {
    let Some(spec) = &pod.spec else {
        return Resources::default();
    };
    let mut sum = Resources::default();
    for c in &spec.containers {
        sum.add(container_requests(c));
    }
    let mut init_max = Resources::default();
    let mut sidecars = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let r = container_requests(c);
        if c.restart_policy.as_deref() == Some("Always") {
            sidecars.add(r);
            sum.add(r);
        } else {
            // A regular init container runs beside the sidecars started before it.
            let mut with = sidecars;
            with.add(r);
            init_max = init_max.max(with);
        }
    }
    let mut total = sum.max(init_max);
    total.add(from_map(spec.overhead.as_ref()));
    total
}

/// Whether a pod still holds its node's resources.
pub fn is_terminated(pod: &Pod) -> bool {
    matches!(
        pod.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded") | Some("Failed")
    )
}

/// The node a pod is bound to.
pub fn node_of(pod: &Pod) -> Option<&str> {
    pod.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .filter(|n| !n.is_empty())
}

/// One node's load.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeLoad {
    pub requested: Resources,
    pub allocatable: Resources,
    pub pods: i64,
    pub pod_capacity: i64,
}

/// A node's allocatable resources and pod capacity.
pub fn allocatable(node: &Node) -> (Resources, i64) {
    let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let pods = alloc
        .and_then(|a| a.get("pods"))
        .map_or(0, |q| amount(q).value());
    (from_map(alloc), pods)
}

/// A percentage, 0 when there is nothing to divide by.
pub fn percent(part: i64, whole: i64) -> u16 {
    if whole <= 0 {
        return 0;
    }
    ((part.max(0) as i128 * 100 / whole as i128).min(999)) as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSpec, ResourceRequirements};

    fn c(cpu: &str, mem: &str, restart: Option<&str>) -> Container {
        Container {
            name: "c".into(),
            restart_policy: restart.map(str::to_string),
            resources: Some(ResourceRequirements {
                requests: Some(BTreeMap::from([
                    ("cpu".to_string(), Quantity(cpu.into())),
                    ("memory".to_string(), Quantity(mem.into())),
                ])),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    /// Cases after component-helpers/resource/helpers_test.go
    /// (TestPodResourceRequests): init containers take the max, restartable
    /// init containers (sidecars) add up.
    #[test]
    fn pod_requests_follow_pod_requests_helper() {
        let pod = Pod {
            spec: Some(PodSpec {
                containers: vec![c("100m", "100Mi", None), c("200m", "50Mi", None)],
                init_containers: Some(vec![c("1", "10Mi", None)]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            pod_requests(&pod),
            Resources {
                cpu_m: 1000,
                mem: 150 << 20
            }
        );
        let sidecar = Pod {
            spec: Some(PodSpec {
                containers: vec![c("100m", "100Mi", None)],
                init_containers: Some(vec![
                    c("50m", "10Mi", Some("Always")),
                    c("500m", "1Mi", None),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(pod_requests(&sidecar).cpu_m, 550);
        assert_eq!(pod_requests(&sidecar).mem, 110 << 20);
    }
}
