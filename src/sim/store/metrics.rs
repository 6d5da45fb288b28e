//! The resource metrics API's data (`metrics.k8s.io`, served by
//! metrics-server from the kubelets' summary API): the latest scrape of each
//! pod and node. Not an etcd object (no resourceVersion, no watch), so it
//! lives beside the objects. The kubelet writes it every metric resolution
//! (`controllers::kubelet` scrape); `kubectl top`, the HTTP metrics API and
//! the HPA read it, so all three see the same numbers.
//!
//! Upstream: `sigs.k8s.io/metrics-server` `pkg/storage` (latest points per
//! node and pod, `--metric-resolution` 15s in its manifests).

use crate::sim::SimTime;
use std::collections::BTreeMap;

/// One container's usage in a scrape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerUsage {
    pub name: String,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// A pod's latest scrape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodSample {
    pub at: SimTime,
    pub containers: Vec<ContainerUsage>,
}

/// A node's latest scrape: (CPU millicores, memory bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeSample {
    pub at: SimTime,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
}

/// The metrics-server cache.
#[derive(Clone, Debug, Default)]
pub struct MetricsCache {
    pods: BTreeMap<(String, String), PodSample>,
    nodes: BTreeMap<String, NodeSample>,
}

impl MetricsCache {
    /// Replaces every sample with one scrape (pods and nodes that were not
    /// scraped this time have no metrics any more).
    pub fn replace(
        &mut self,
        pods: BTreeMap<(String, String), PodSample>,
        nodes: BTreeMap<String, NodeSample>,
    ) {
        self.pods = pods;
        self.nodes = nodes;
    }
    pub fn pod(&self, ns: &str, name: &str) -> Option<&PodSample> {
        self.pods.get(&(ns.to_string(), name.to_string()))
    }
    pub fn node(&self, name: &str) -> Option<&NodeSample> {
        self.nodes.get(name)
    }
}
