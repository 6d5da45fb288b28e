//! NodeInfo: the scheduler's aggregated, incrementally maintained view of
//! one node (`pkg/scheduler/framework/types.go` `NodeInfo`).
//!
//! Pods are added and removed one at a time as watch events arrive; the
//! sums (requested, non-zero requested, ports, affinity counters) are kept
//! up to date so a scheduling cycle reads them without recomputing.

use super::pod_info::{HostPort, PodInfo, Resource};
use crate::objects::quantity::amount;
use k8s_openapi::api::core::v1::{Node, Taint};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many interned images a node keeps inline.
pub const INLINE_IMAGES: usize = 4;

/// Aggregated state of one node.
#[derive(Clone, Debug, Default)]
pub struct NodeInfo {
    /// Position in the cache's node table (stable while the node exists).
    pub idx: usize,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<Taint>,
    pub unschedulable: bool,
    pub allocatable: Resource,
    /// Sum of the pods' actual requests (`NodeInfo.Requested`).
    pub requested: Resource,
    /// Sum with the 100m / 200Mi defaults (`NodeInfo.NonZeroRequested`).
    pub non_zero_cpu: i64,
    pub non_zero_mem: i64,
    pub pods: Vec<Arc<PodInfo>>,
    pub pods_with_affinity: usize,
    pub pods_with_required_anti_affinity: usize,
    pub used_ports: Vec<HostPort>,
    /// Image name → size in bytes, from node.status.images.
    pub images: BTreeMap<String, i64>,
    /// The same images as (interned id, size), sorted by id: the cache
    /// interns names so ImageLocality compares integers per node.
    pub image_ids: Vec<(u32, i64)>,
    /// The same list inline when it has at most [`INLINE_IMAGES`] entries
    /// (`image_inline_len` is `u8::MAX` otherwise): ImageLocality reads it
    /// for every scored node, and a heap list per node costs a cache miss.
    pub image_inline: [(u32, i64); INLINE_IMAGES],
    pub image_inline_len: u8,
    /// Bumped on every change.
    pub generation: u64,
}

impl NodeInfo {
    /// A node without pods.
    pub fn new(idx: usize, node: &Node) -> NodeInfo {
        let mut n = NodeInfo {
            idx,
            ..Default::default()
        };
        n.set_node(node);
        n
    }

    /// Replaces the node object (labels, taints, allocatable, images),
    /// keeping the pods.
    pub fn set_node(&mut self, node: &Node) {
        self.name = node.metadata.name.clone().unwrap_or_default();
        self.labels = node.metadata.labels.clone().unwrap_or_default();
        let spec = node.spec.as_ref();
        self.taints = spec.and_then(|s| s.taints.clone()).unwrap_or_default();
        self.unschedulable = spec.and_then(|s| s.unschedulable).unwrap_or(false);
        let status = node.status.as_ref();
        let alloc: BTreeMap<String, i128> = status
            .and_then(|s| s.allocatable.as_ref())
            .map(|m| m.iter().map(|(k, q)| (k.clone(), amount(q).0)).collect())
            .unwrap_or_default();
        self.allocatable = Resource::from_list(&alloc);
        self.images = BTreeMap::new();
        for img in status.and_then(|s| s.images.as_ref()).into_iter().flatten() {
            for name in img.names.iter().flatten() {
                self.images
                    .insert(name.clone(), img.size_bytes.unwrap_or(0));
            }
        }
        self.generation += 1;
    }

    /// `NodeInfo.AddPodInfo`.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.update(&pod, 1);
        if pod.has_pod_affinity {
            self.pods_with_affinity += 1;
        }
        if pod.has_required_anti_affinity() {
            self.pods_with_required_anti_affinity += 1;
        }
        self.used_ports.extend(pod.host_ports.iter().cloned());
        self.pods.push(pod);
    }

    /// `NodeInfo.RemovePod`, by uid. Returns the removed pod.
    pub fn remove_pod(&mut self, uid: &str) -> Option<Arc<PodInfo>> {
        let i = self.pods.iter().position(|p| p.uid == uid)?;
        let pod = self.pods.swap_remove(i);
        self.update(&pod, -1);
        if pod.has_pod_affinity {
            self.pods_with_affinity -= 1;
        }
        if pod.has_required_anti_affinity() {
            self.pods_with_required_anti_affinity -= 1;
        }
        for hp in &pod.host_ports {
            if let Some(j) = self.used_ports.iter().position(|u| u == hp) {
                self.used_ports.swap_remove(j);
            }
        }
        Some(pod)
    }

    fn update(&mut self, pod: &PodInfo, sign: i64) {
        self.requested.add(&pod.requests, sign);
        self.non_zero_cpu += sign * pod.non_zero_cpu;
        self.non_zero_mem += sign * pod.non_zero_mem;
        self.generation += 1;
    }

    /// Sets the interned images (sorted by id).
    pub fn set_image_ids(&mut self, ids: Vec<(u32, i64)>) {
        if ids.len() <= INLINE_IMAGES {
            self.image_inline_len = ids.len() as u8;
            self.image_inline[..ids.len()].copy_from_slice(&ids);
        } else {
            self.image_inline_len = u8::MAX;
        }
        self.image_ids = ids;
    }

    /// Whether the node has any interned image.
    pub fn has_images(&self) -> bool {
        self.image_inline_len != 0
    }

    /// The size of an interned image on this node.
    pub fn image_size(&self, id: u32) -> Option<i64> {
        if self.image_inline_len != u8::MAX {
            return self.image_inline[..self.image_inline_len as usize]
                .iter()
                .find(|(i, _)| *i == id)
                .map(|(_, s)| *s);
        }
        self.image_ids
            .binary_search_by_key(&id, |(i, _)| *i)
            .ok()
            .map(|k| self.image_ids[k].1)
    }

    /// `HostPortInfo.CheckConflict`: 0.0.0.0 conflicts with every IP.
    pub fn port_conflicts(&self, want: &HostPort) -> bool {
        self.used_ports.iter().any(|u| {
            u.port == want.port
                && u.protocol == want.protocol
                && (want.ip == "0.0.0.0" || u.ip == "0.0.0.0" || u.ip == want.ip)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, cpu: &str, port: Option<i32>) -> Arc<PodInfo> {
        let mut c = json!({"name": "c", "resources": {"requests": {"cpu": cpu}}});
        if let Some(p) = port {
            c["ports"] = json!([{"containerPort": 80, "hostPort": p}]);
        }
        let p: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "metadata": {"name": name, "uid": name}, "spec": {"containers": [c]}}))
        .unwrap();
        Arc::new(PodInfo::new(&p, &Default::default()))
    }

    /// framework/types_test.go TestNodeInfoAddPod / TestNodeInfoRemovePod:
    /// sums move both ways and ports are released.
    #[test]
    fn add_and_remove_keep_sums() {
        let node: Node = serde_json::from_value(json!({"metadata": {"name": "n"},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"}}}))
        .unwrap();
        let mut ni = NodeInfo::new(0, &node);
        ni.add_pod(pod("a", "500m", Some(8080)));
        ni.add_pod(pod("b", "250m", None));
        assert_eq!(ni.requested.milli_cpu, 750);
        assert_eq!(
            ni.non_zero_mem,
            2 * super::super::pod_info::DEFAULT_MEMORY_REQUEST
        );
        let want = HostPort {
            ip: "127.0.0.1".into(),
            protocol: "TCP".into(),
            port: 8080,
        };
        assert!(ni.port_conflicts(&want));
        ni.remove_pod("a");
        assert_eq!(ni.requested.milli_cpu, 250);
        assert!(!ni.port_conflicts(&want));
        assert_eq!(ni.pods.len(), 1);
        assert_eq!(ni.allocatable.allowed_pod_number, 110);
    }
}
