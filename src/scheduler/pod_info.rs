//! PodInfo: a pod as the scheduler sees it, parsed once when it enters the
//! queue or the cache, so the hot path never touches the k8s object again.
//!
//! Follows `pkg/scheduler/framework/types.go` (`PodInfo`, `NewPodInfo`,
//! `calculateResource`, `AffinityTerm`) and
//! `staging/src/k8s.io/component-helpers/resource/helpers.go` (`PodRequests`).

use crate::objects::quantity::amount;
use crate::objects::selectors::Selector;
use k8s_openapi::api::core::v1::{
    Container, NodeSelector, Pod, PodAffinityTerm, PreferredSchedulingTerm, Toleration,
    TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::{BTreeMap, BTreeSet};

/// `schedutil.DefaultMilliCPURequest`: the cpu a container without a cpu
/// request counts as in scoring.
pub const DEFAULT_MILLI_CPU_REQUEST: i64 = 100;
/// `schedutil.DefaultMemoryRequest`: 200 MiB.
pub const DEFAULT_MEMORY_REQUEST: i64 = 200 * 1024 * 1024;

/// Compute resources in the units the scheduler uses: millicores, bytes,
/// pod slots and scalar (extended, hugepages) resources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resource {
    pub milli_cpu: i64,
    pub memory: i64,
    pub ephemeral_storage: i64,
    pub allowed_pod_number: i64,
    /// Sorted by name; usually empty.
    pub scalar: Vec<(String, i64)>,
}

impl Resource {
    /// `Resource.Add(ResourceList)` of `framework/types.go`.
    pub fn from_list(list: &BTreeMap<String, i128>) -> Resource {
        let mut r = Resource::default();
        for (name, nanos) in list {
            let a = crate::objects::quantity::Amount(*nanos);
            match name.as_str() {
                "cpu" => r.milli_cpu += a.milli_value(),
                "memory" => r.memory += a.value(),
                "pods" => r.allowed_pod_number += a.value(),
                "ephemeral-storage" => r.ephemeral_storage += a.value(),
                n if is_scalar_resource_name(n) => r.add_scalar(n, a.value()),
                _ => {}
            }
        }
        r
    }

    pub fn scalar(&self, name: &str) -> i64 {
        self.scalar
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }

    pub fn add_scalar(&mut self, name: &str, v: i64) {
        match self.scalar.binary_search_by(|(n, _)| n.as_str().cmp(name)) {
            Ok(i) => self.scalar[i].1 += v,
            Err(i) => self.scalar.insert(i, (name.to_string(), v)),
        }
    }

    /// Adds (sign = 1) or subtracts (sign = -1) another resource.
    pub fn add(&mut self, o: &Resource, sign: i64) {
        self.milli_cpu += sign * o.milli_cpu;
        self.memory += sign * o.memory;
        self.ephemeral_storage += sign * o.ephemeral_storage;
        self.allowed_pod_number += sign * o.allowed_pod_number;
        for (n, v) in &o.scalar {
            self.add_scalar(n, sign * v);
        }
    }

    pub fn is_zero(&self) -> bool {
        self.milli_cpu == 0
            && self.memory == 0
            && self.ephemeral_storage == 0
            && self.scalar.iter().all(|(_, v)| *v == 0)
    }
}

/// A resource name resolved once, so per-node scoring does not compare
/// strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceKind {
    Cpu,
    Memory,
    EphemeralStorage,
    Scalar(String),
}

impl ResourceKind {
    pub fn of(name: &str) -> ResourceKind {
        match name {
            "cpu" => ResourceKind::Cpu,
            "memory" => ResourceKind::Memory,
            "ephemeral-storage" => ResourceKind::EphemeralStorage,
            n => ResourceKind::Scalar(n.to_string()),
        }
    }
}

/// `schedutil.IsScalarResourceName`: extended resources (a domain-prefixed
/// name outside kubernetes.io), hugepages and attachable volumes.
pub fn is_scalar_resource_name(name: &str) -> bool {
    if name.starts_with("hugepages-") || name.starts_with("attachable-volumes-") {
        return true;
    }
    name.contains('/') && !name.starts_with("kubernetes.io/") && !name.starts_with("requests.")
}

/// An inter-pod affinity term, parsed: `framework.AffinityTerm`.
#[derive(Clone, Debug, Default)]
pub struct AffinityTerm {
    pub namespaces: BTreeSet<String>,
    /// `None` is labels.Nothing() (a nil namespaceSelector).
    pub namespace_selector: Option<Selector>,
    /// `None` is labels.Nothing() (a nil labelSelector).
    pub selector: Option<Selector>,
    pub topology_key: String,
}

impl AffinityTerm {
    fn new(owner_ns: &str, t: &PodAffinityTerm) -> AffinityTerm {
        let mut namespaces: BTreeSet<String> = t.namespaces.iter().flatten().cloned().collect();
        if namespaces.is_empty() && t.namespace_selector.is_none() {
            namespaces.insert(owner_ns.to_string());
        }
        AffinityTerm {
            namespaces,
            namespace_selector: t.namespace_selector.as_ref().map(label_selector),
            selector: t.label_selector.as_ref().map(label_selector),
            topology_key: t.topology_key.clone(),
        }
    }

    /// `AffinityTerm.Matches`: the pod's namespace is listed (or its labels
    /// match the namespace selector) and its labels match the selector.
    pub fn matches(&self, pod: &PodInfo, ns_labels: Option<&BTreeMap<String, String>>) -> bool {
        let ns_ok = self.namespaces.contains(&pod.namespace)
            || match (&self.namespace_selector, ns_labels) {
                (Some(sel), Some(l)) => sel.matches(l),
                (Some(sel), None) => sel.matches(&BTreeMap::new()),
                (None, _) => false,
            };
        ns_ok
            && self
                .selector
                .as_ref()
                .is_some_and(|s| s.matches(&pod.labels))
    }
}

/// A preferred inter-pod (anti-)affinity term with its weight.
#[derive(Clone, Debug, Default)]
pub struct WeightedAffinityTerm {
    pub term: AffinityTerm,
    pub weight: i32,
}

/// `metav1.LabelSelectorAsSelector` for a present selector.
pub fn label_selector(ls: &LabelSelector) -> Selector {
    Selector::from_label_selector(ls)
}

/// A host port a container asks for: (hostIP, protocol, port), sanitised
/// as `HostPortInfo.sanitize` does (empty IP is 0.0.0.0, empty protocol TCP).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct HostPort {
    pub ip: String,
    pub protocol: String,
    pub port: i32,
}

/// The scheduler's parsed view of one pod.
#[derive(Clone, Debug, Default)]
pub struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub labels: BTreeMap<String, String>,
    pub priority: i32,
    /// `preemptionPolicy: Never`.
    pub preempt_never: bool,
    pub scheduler_name: String,
    /// `spec.nodeName` (assigned pods).
    pub node_name: String,
    pub nominated_node_name: String,
    /// creationTimestamp in ms since the epoch.
    pub creation_ms: i64,
    /// status.startTime in ms since the epoch (for preemption ordering).
    pub start_ms: Option<i64>,
    pub terminating: bool,
    /// Terminating with the DisruptionTarget condition the scheduler sets.
    pub terminating_by_preemption: bool,
    pub terminal: bool,
    pub scheduling_gated: bool,
    /// Effective requests (init containers and overhead accounted), actual values.
    pub requests: Resource,
    /// Requests with the 100m / 200Mi defaults as NodeInfo.NonZeroRequested
    /// counts them (`calculateResource`: only when the pod as a whole lacks
    /// the resource key).
    pub non_zero_cpu: i64,
    pub non_zero_mem: i64,
    /// Requests with per-container defaults, as the scoring plugins compute
    /// them for the incoming pod (`calculatePodResourceRequest`).
    pub score_cpu: i64,
    pub score_mem: i64,
    /// Which resource keys the pod requests at all (for RequestedToCapacityRatio
    /// and scalar skips).
    pub host_ports: Vec<HostPort>,
    pub tolerations: Vec<Toleration>,
    pub node_selector: BTreeMap<String, String>,
    pub required_node_affinity: Option<NodeSelector>,
    pub preferred_node_affinity: Vec<PreferredSchedulingTerm>,
    pub required_affinity_terms: Vec<AffinityTerm>,
    pub required_anti_affinity_terms: Vec<AffinityTerm>,
    pub preferred_affinity_terms: Vec<WeightedAffinityTerm>,
    pub preferred_anti_affinity_terms: Vec<WeightedAffinityTerm>,
    pub has_pod_affinity: bool,
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// Container images, init containers first, normalised (`:latest`).
    pub images: Vec<String>,
    pub num_containers: usize,
    /// PVC names the pod mounts (ephemeral volumes as `<pod>-<volume>`).
    pub pvcs: Vec<String>,
    /// The controller owner reference: (apiVersion, kind, name).
    pub controller: Option<(String, String, String)>,
}

/// PriorityClass facts the scheduler needs: value, globalDefault, policy.
#[derive(Clone, Debug, Default)]
pub struct PriorityClassInfo {
    pub value: i32,
    pub global_default: bool,
    pub preempt_never: Option<bool>,
}

impl PodInfo {
    /// Parses a pod. `classes` resolves priorityClassName, standing in for
    /// the apiserver's Priority admission plugin when the pod carries no
    /// resolved priority.
    pub fn new(pod: &Pod, classes: &BTreeMap<String, PriorityClassInfo>) -> PodInfo {
        let m = &pod.metadata;
        let empty = Default::default();
        let spec = pod.spec.as_ref().unwrap_or(&empty);
        let status = pod.status.as_ref();
        let namespace = m.namespace.clone().unwrap_or_else(|| "default".into());

        let class_name = spec.priority_class_name.as_deref().unwrap_or("");
        let class = if class_name.is_empty() {
            None
        } else {
            classes.get(class_name)
        };
        let global_default = classes.values().find(|c| c.global_default);
        let priority = match (class, spec.priority) {
            (Some(c), _) => c.value,
            (None, p) if !class_name.is_empty() => p.unwrap_or(0),
            (None, Some(p)) if p != 0 => p,
            (None, p) => global_default.map(|c| c.value).or(p).unwrap_or(0),
        };
        let preempt_never = class
            .or(if class_name.is_empty() {
                global_default
            } else {
                None
            })
            .and_then(|c| c.preempt_never)
            .unwrap_or(spec.preemption_policy.as_deref() == Some("Never"));

        let (requests_list, has_cpu, has_mem) = pod_requests(spec, None);
        let requests = Resource::from_list(&requests_list);
        // calculateResource: defaults only for resources the pod lacks entirely.
        let mut non_missing = BTreeMap::new();
        if !has_cpu {
            non_missing.insert(
                "cpu".to_string(),
                DEFAULT_MILLI_CPU_REQUEST as i128 * 1_000_000,
            );
        }
        if !has_mem {
            non_missing.insert(
                "memory".to_string(),
                DEFAULT_MEMORY_REQUEST as i128 * 1_000_000_000,
            );
        }
        let (non_zero_cpu, non_zero_mem) = if non_missing.is_empty() {
            (requests.milli_cpu, requests.memory)
        } else {
            let r = Resource::from_list(&pod_requests(spec, Some(&non_missing)).0);
            (r.milli_cpu, r.memory)
        };
        let defaults = BTreeMap::from([
            (
                "cpu".to_string(),
                DEFAULT_MILLI_CPU_REQUEST as i128 * 1_000_000,
            ),
            (
                "memory".to_string(),
                DEFAULT_MEMORY_REQUEST as i128 * 1_000_000_000,
            ),
        ]);
        let scored = Resource::from_list(&pod_requests(spec, Some(&defaults)).0);

        let mut host_ports = Vec::new();
        for c in &spec.containers {
            for p in c.ports.iter().flatten() {
                if let Some(hp) = p.host_port.filter(|hp| *hp > 0) {
                    host_ports.push(HostPort {
                        ip: p
                            .host_ip
                            .clone()
                            .filter(|s| !s.is_empty())
                            .unwrap_or_else(|| "0.0.0.0".into()),
                        protocol: p
                            .protocol
                            .clone()
                            .filter(|s| !s.is_empty())
                            .unwrap_or_else(|| "TCP".into()),
                        port: hp,
                    });
                }
            }
        }

        let aff = spec.affinity.as_ref();
        let na = aff.and_then(|a| a.node_affinity.as_ref());
        let pa = aff.and_then(|a| a.pod_affinity.as_ref());
        let paa = aff.and_then(|a| a.pod_anti_affinity.as_ref());
        let terms = |v: Option<&Vec<PodAffinityTerm>>| -> Vec<AffinityTerm> {
            v.into_iter()
                .flatten()
                .map(|t| AffinityTerm::new(&namespace, t))
                .collect()
        };
        let weighted = |v: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>| {
            v.into_iter()
                .flatten()
                .map(|w| WeightedAffinityTerm {
                    term: AffinityTerm::new(&namespace, &w.pod_affinity_term),
                    weight: w.weight,
                })
                .collect::<Vec<_>>()
        };

        let images: Vec<String> = spec
            .init_containers
            .iter()
            .flatten()
            .chain(spec.containers.iter())
            .map(|c| normalized_image_name(c.image.as_deref().unwrap_or("")))
            .collect();
        let pod_name = m.name.clone().unwrap_or_default();
        let pvcs = spec
            .volumes
            .iter()
            .flatten()
            .filter_map(|v| {
                if let Some(c) = &v.persistent_volume_claim {
                    Some(c.claim_name.clone())
                } else if v.ephemeral.is_some() {
                    Some(format!("{pod_name}-{}", v.name))
                } else {
                    None
                }
            })
            .collect();
        let controller = m
            .owner_references
            .iter()
            .flatten()
            .find(|o| o.controller == Some(true))
            .map(|o| (o.api_version.clone(), o.kind.clone(), o.name.clone()));
        let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("");
        let terminating = m.deletion_timestamp.is_some();
        let terminating_by_preemption = terminating
            && status
                .and_then(|s| s.conditions.as_ref())
                .into_iter()
                .flatten()
                .any(|c| {
                    c.type_ == "DisruptionTarget"
                        && c.status == "True"
                        && c.reason.as_deref() == Some("PreemptionByScheduler")
                });

        PodInfo {
            namespace: namespace.clone(),
            name: pod_name,
            uid: m.uid.clone().unwrap_or_default(),
            labels: m.labels.clone().unwrap_or_default(),
            priority,
            preempt_never,
            scheduler_name: spec
                .scheduler_name
                .clone()
                .unwrap_or_else(|| "default-scheduler".into()),
            node_name: spec.node_name.clone().unwrap_or_default(),
            nominated_node_name: status
                .and_then(|s| s.nominated_node_name.clone())
                .unwrap_or_default(),
            creation_ms: m
                .creation_timestamp
                .as_ref()
                .map(|t| t.0.as_millisecond())
                .unwrap_or(0),
            start_ms: status
                .and_then(|s| s.start_time.as_ref())
                .map(|t| t.0.as_millisecond()),
            terminating,
            terminating_by_preemption,
            terminal: phase == "Succeeded" || phase == "Failed",
            scheduling_gated: spec
                .scheduling_gates
                .as_ref()
                .is_some_and(|g| !g.is_empty()),
            requests,
            non_zero_cpu,
            non_zero_mem,
            score_cpu: scored.milli_cpu,
            score_mem: scored.memory,
            host_ports,
            tolerations: spec.tolerations.clone().unwrap_or_default(),
            node_selector: spec.node_selector.clone().unwrap_or_default(),
            required_node_affinity: na.and_then(|n| {
                n.required_during_scheduling_ignored_during_execution
                    .clone()
            }),
            preferred_node_affinity: na
                .and_then(|n| {
                    n.preferred_during_scheduling_ignored_during_execution
                        .clone()
                })
                .unwrap_or_default(),
            required_affinity_terms: terms(pa.and_then(|p| {
                p.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            required_anti_affinity_terms: terms(paa.and_then(|p| {
                p.required_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            preferred_affinity_terms: weighted(pa.and_then(|p| {
                p.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            preferred_anti_affinity_terms: weighted(paa.and_then(|p| {
                p.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })),
            has_pod_affinity: pa.is_some() || paa.is_some(),
            topology_spread_constraints: spec
                .topology_spread_constraints
                .clone()
                .unwrap_or_default(),
            num_containers: images.len(),
            images,
            pvcs,
            controller,
        }
    }

    /// `ns/name`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// `podWithRequiredAntiAffinity`.
    pub fn has_required_anti_affinity(&self) -> bool {
        !self.required_anti_affinity_terms.is_empty()
    }

    /// `util.MoreImportantPod`: higher priority, then earlier start.
    pub fn more_important_than(&self, other: &PodInfo, now_ms: i64) -> bool {
        if self.priority != other.priority {
            return self.priority > other.priority;
        }
        self.start_ms.unwrap_or(now_ms) < other.start_ms.unwrap_or(now_ms)
    }
}

/// `normalizedImageName` of imagelocality: append `:latest` when the name
/// has no tag after its last `/`.
pub fn normalized_image_name(name: &str) -> String {
    let colon = name.rfind(':').map(|i| i as i64).unwrap_or(-1);
    let slash = name.rfind('/').map(|i| i as i64).unwrap_or(-1);
    if colon <= slash {
        format!("{name}:latest")
    } else {
        name.to_string()
    }
}

type ResList = BTreeMap<String, i128>;

fn container_requests(c: &Container, non_missing: Option<&ResList>) -> ResList {
    let mut out: ResList = c
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .map(|m| {
            m.iter()
                .map(|(k, q): (&String, &Quantity)| (k.clone(), amount(q).0))
                .collect()
        })
        .unwrap_or_default();
    if let Some(nm) = non_missing {
        for (k, v) in nm {
            out.entry(k.clone()).or_insert(*v);
        }
    }
    out
}

fn add_list(dst: &mut ResList, src: &ResList) {
    for (k, v) in src {
        *dst.entry(k.clone()).or_insert(0) += v;
    }
}

fn max_list(dst: &mut ResList, src: &ResList) {
    for (k, v) in src {
        let e = dst.entry(k.clone()).or_insert(*v);
        if *v > *e {
            *e = *v;
        }
    }
}

/// `resourcehelper.PodRequests`: the sum of containers, the max with each
/// init container (plus the sidecars started before it), sidecars added,
/// plus overhead. Returns the list and whether cpu / memory keys exist.
pub fn pod_requests(
    spec: &k8s_openapi::api::core::v1::PodSpec,
    non_missing: Option<&ResList>,
) -> (ResList, bool, bool) {
    let mut reqs = ResList::new();
    for c in &spec.containers {
        add_list(&mut reqs, &container_requests(c, non_missing));
    }
    let mut restartable = ResList::new();
    let mut init_reqs = ResList::new();
    for c in spec.init_containers.iter().flatten() {
        let cr = container_requests(c, non_missing);
        let effective = if c.restart_policy.as_deref() == Some("Always") {
            add_list(&mut reqs, &cr);
            add_list(&mut restartable, &cr);
            restartable.clone()
        } else {
            let mut tmp = cr.clone();
            add_list(&mut tmp, &restartable);
            tmp
        };
        max_list(&mut init_reqs, &effective);
    }
    max_list(&mut reqs, &init_reqs);
    if let Some(o) = &spec.overhead {
        let o: ResList = o.iter().map(|(k, q)| (k.clone(), amount(q).0)).collect();
        add_list(&mut reqs, &o);
    }
    let has_cpu = reqs.contains_key("cpu");
    let has_mem = reqs.contains_key("memory");
    (reqs, has_cpu, has_mem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(v).unwrap()
    }

    /// framework/types_test.go TestPodInfoCalculateResources-style cases and
    /// component-helpers resource/helpers_test.go TestPodRequests.
    #[test]
    fn requests_follow_pod_requests() {
        let p = pod(json!({"metadata": {"name": "p"}, "spec": {
            "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}],
            "containers": [
                {"name": "a", "resources": {"requests": {"cpu": "500m"}}},
                {"name": "b", "resources": {"requests": {"cpu": "700m", "memory": "100Mi"}}}
            ],
            "overhead": {"cpu": "100m"}}}));
        let pi = PodInfo::new(&p, &BTreeMap::new());
        // max(1200m, 2000m) + 100m overhead
        assert_eq!(pi.requests.milli_cpu, 2100);
        assert_eq!(pi.requests.memory, 1 << 30);
        // The pod has cpu and memory keys: no defaults on the node side.
        assert_eq!(pi.non_zero_cpu, 2100);
        // Scoring the incoming pod: container a gets 200Mi by default.
        assert_eq!(pi.score_mem, 1 << 30);
        assert_eq!(pi.score_cpu, 2100);
    }

    #[test]
    fn best_effort_pod_gets_non_zero_defaults() {
        let p = pod(
            json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}),
        );
        let pi = PodInfo::new(&p, &BTreeMap::new());
        assert!(pi.requests.is_zero());
        assert_eq!(pi.non_zero_cpu, 200);
        assert_eq!(pi.non_zero_mem, 2 * DEFAULT_MEMORY_REQUEST);
        assert_eq!(pi.score_cpu, 200);
    }

    #[test]
    fn sidecars_add_to_the_sum() {
        let p = pod(json!({"metadata": {"name": "p"}, "spec": {
            "initContainers": [
                {"name": "side", "restartPolicy": "Always", "resources": {"requests": {"cpu": "1"}}},
                {"name": "init", "resources": {"requests": {"cpu": "2"}}}],
            "containers": [{"name": "a", "resources": {"requests": {"cpu": "500m"}}}]}}));
        let pi = PodInfo::new(&p, &BTreeMap::new());
        // max(500m + 1 (sidecar), 2 + 1 (sidecar started before)) = 3
        assert_eq!(pi.requests.milli_cpu, 3000);
    }

    /// imagelocality/image_locality_test.go TestNormalizedImageName.
    #[test]
    fn image_names_normalise() {
        assert_eq!(normalized_image_name("root"), "root:latest");
        assert_eq!(normalized_image_name("root:tag"), "root:tag");
        assert_eq!(
            normalized_image_name("gcr.io:5000/root"),
            "gcr.io:5000/root:latest"
        );
        assert_eq!(normalized_image_name("root@sha256:abc"), "root@sha256:abc");
    }

    #[test]
    fn priority_resolves_through_classes() {
        let classes = BTreeMap::from([
            (
                "high".to_string(),
                PriorityClassInfo {
                    value: 1000,
                    global_default: false,
                    preempt_never: Some(true),
                },
            ),
            (
                "def".to_string(),
                PriorityClassInfo {
                    value: 7,
                    global_default: true,
                    preempt_never: None,
                },
            ),
        ]);
        let p = pod(
            json!({"metadata": {"name": "p"}, "spec": {"priorityClassName": "high", "containers": []}}),
        );
        let pi = PodInfo::new(&p, &classes);
        assert_eq!(pi.priority, 1000);
        assert!(pi.preempt_never);
        let p = pod(json!({"metadata": {"name": "p"}, "spec": {"containers": []}}));
        assert_eq!(PodInfo::new(&p, &classes).priority, 7);
    }
}
