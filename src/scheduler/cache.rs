//! The scheduler's cache: every node's NodeInfo plus the other objects the
//! plugins consult (PriorityClasses, PVs, PVCs, StorageClasses, PDBs,
//! namespaces, and the Services/ReplicaSets/... that define default
//! spreading). Updated incrementally from watch events, never rebuilt per
//! pod (`pkg/scheduler/backend/cache/cache.go`, `node_tree.go`, `snapshot.go`).
//!
//! The simulation runs the scheduler between events on one thread, so the
//! cache doubles as the per-cycle snapshot.

use super::affinity_index::AffinityIndex;
use super::node_info::NodeInfo;
use super::pod_info::{label_selector, PodInfo, PriorityClassInfo};
use crate::objects::selectors::Selector;
use crate::objects::Object;
use crate::sim::store::{WatchEvent, WatchEventType};
use k8s_openapi::api::core::v1::{Node, PersistentVolume, PersistentVolumeClaim, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A PodDisruptionBudget as preemption reads it.
#[derive(Clone, Debug)]
pub struct PdbInfo {
    pub namespace: String,
    /// `None` or empty: matches nothing.
    pub selector: Option<Selector>,
    pub disruptions_allowed: i32,
    pub disrupted_pods: Vec<String>,
}

/// What a watch event changed, for the queue's requeueing decisions
/// (`pkg/scheduler/framework/types.go` ClusterEvent, simplified).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterEvent {
    NodeAdd,
    /// A node changed in a way a plugin cares about (labels, taints,
    /// allocatable, unschedulable).
    NodeUpdate,
    AssignedPodAdd,
    /// An assigned pod's labels changed or its requests went down.
    AssignedPodUpdate,
    AssignedPodDelete,
    /// PV, PVC, StorageClass added or changed.
    Storage,
    /// A namespace's labels changed (namespaceSelector in affinity).
    Namespace,
    /// Nothing the scheduling queue reacts to.
    None,
}

/// `nodeTree`: nodes grouped by zone; listing interleaves the zones.
#[derive(Clone, Debug, Default)]
struct NodeTree {
    zones: Vec<String>,
    tree: BTreeMap<String, Vec<usize>>,
}

impl NodeTree {
    fn add(&mut self, zone: &str, idx: usize) {
        let list = self.tree.entry(zone.to_string()).or_default();
        if list.is_empty() {
            self.zones.push(zone.to_string());
        }
        if !list.contains(&idx) {
            list.push(idx);
        }
    }
    fn remove(&mut self, zone: &str, idx: usize) {
        if let Some(list) = self.tree.get_mut(zone) {
            list.retain(|i| *i != idx);
            if list.is_empty() {
                self.tree.remove(zone);
                self.zones.retain(|z| z != zone);
            }
        }
    }
    /// `nodeTree.list`: one node from each zone in turn.
    fn list(&self) -> Vec<usize> {
        // Resolve the zones once: this runs on every node add and removal.
        let lists: Vec<&Vec<usize>> = self.zones.iter().filter_map(|z| self.tree.get(z)).collect();
        let mut out = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
        let mut i = 0;
        loop {
            let mut any = false;
            for l in &lists {
                if let Some(&n) = l.get(i) {
                    out.push(n);
                    any = true;
                }
            }
            if !any {
                return out;
            }
            i += 1;
        }
    }
}

/// `utilnode.GetZoneKey`: region and zone labels joined.
pub fn zone_key(labels: &BTreeMap<String, String>) -> String {
    let get = |a: &str, b: &str| {
        labels
            .get(a)
            .or_else(|| labels.get(b))
            .cloned()
            .unwrap_or_default()
    };
    let region = get(
        "topology.kubernetes.io/region",
        "failure-domain.beta.kubernetes.io/region",
    );
    let zone = get(
        "topology.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/zone",
    );
    if region.is_empty() && zone.is_empty() {
        String::new()
    } else {
        format!("{region}:\u{0}:{zone}")
    }
}

/// The scheduler cache.
#[derive(Default)]
pub struct Cache {
    nodes: Vec<Option<NodeInfo>>,
    free: Vec<usize>,
    by_name: BTreeMap<String, usize>,
    tree: NodeTree,
    order: Vec<usize>,
    /// Assigned pod uid → node index.
    pod_node: BTreeMap<String, usize>,
    /// Pods bound to nodes the cache has not seen yet, by node name.
    orphans: BTreeMap<String, Vec<Arc<PodInfo>>>,
    /// Image name → interned id.
    image_ids: BTreeMap<String, u32>,
    /// Interned id → number of nodes that have it (`ImageStateSummary.NumNodes`).
    image_nodes: Vec<usize>,
    nodes_with_affinity: std::collections::BTreeSet<usize>,
    nodes_with_anti_affinity: std::collections::BTreeSet<usize>,
    pub classes: BTreeMap<String, PriorityClassInfo>,
    pub pvs: BTreeMap<String, Arc<PersistentVolume>>,
    pub pvcs: BTreeMap<(String, String), Arc<PersistentVolumeClaim>>,
    pub storage_classes: BTreeMap<String, Arc<StorageClass>>,
    pub namespaces: BTreeMap<String, BTreeMap<String, String>>,
    pub pdbs: BTreeMap<(String, String), PdbInfo>,
    pub services: BTreeMap<(String, String), BTreeMap<String, String>>,
    /// Controller selectors by (kind, namespace, name): ReplicaSet,
    /// ReplicationController, StatefulSet.
    pub controllers: BTreeMap<(String, String, String), Selector>,
    /// PVs assumed bound by the scheduler (VolumeBinding Reserve) → claim.
    pub assumed_pvs: BTreeMap<String, (String, String)>,
    /// Inter-pod affinity counts, maintained with the pods.
    pub affinity: AffinityIndex,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    // ----- snapshot reads ------------------------------------------------

    /// Number of nodes.
    pub fn num_nodes(&self) -> usize {
        self.order.len()
    }
    /// Node indices in snapshot order (zones interleaved).
    pub fn order(&self) -> &[usize] {
        &self.order
    }
    pub fn node(&self, idx: usize) -> &NodeInfo {
        self.nodes[idx].as_ref().expect("live node index")
    }
    pub fn node_mut(&mut self, idx: usize) -> &mut NodeInfo {
        self.nodes[idx].as_mut().expect("live node index")
    }
    pub fn node_by_name(&self, name: &str) -> Option<&NodeInfo> {
        self.by_name.get(name).map(|i| self.node(*i))
    }
    pub fn node_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
    /// All nodes in snapshot order.
    pub fn nodes(&self) -> impl Iterator<Item = &NodeInfo> + '_ {
        self.order.iter().map(|i| self.node(*i))
    }
    /// `HavePodsWithAffinityList`.
    pub fn nodes_with_pod_affinity(&self) -> impl Iterator<Item = &NodeInfo> + '_ {
        self.nodes_with_affinity.iter().map(|i| self.node(*i))
    }
    /// `HavePodsWithRequiredAntiAffinityList`.
    pub fn nodes_with_required_anti_affinity(&self) -> impl Iterator<Item = &NodeInfo> + '_ {
        self.nodes_with_anti_affinity.iter().map(|i| self.node(*i))
    }
    /// The interned id of an image name, if any node has (had) it.
    pub fn image_id(&self, image: &str) -> Option<u32> {
        self.image_ids.get(image).copied()
    }
    /// How many nodes have the image.
    pub fn image_num_nodes(&self, id: u32) -> usize {
        self.image_nodes.get(id as usize).copied().unwrap_or(0)
    }

    fn intern_images(&mut self, idx: usize) {
        let names: Vec<(String, i64)> = self
            .node(idx)
            .images
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        let mut ids: Vec<(u32, i64)> = names
            .into_iter()
            .map(|(n, size)| {
                let next = self.image_ids.len() as u32;
                let id = *self.image_ids.entry(n).or_insert(next);
                if id as usize >= self.image_nodes.len() {
                    self.image_nodes.push(0);
                }
                (id, size)
            })
            .collect();
        ids.sort();
        ids.dedup_by_key(|(i, _)| *i);
        self.node_mut(idx).set_image_ids(ids);
    }
    pub fn ns_labels(&self, ns: &str) -> Option<&BTreeMap<String, String>> {
        self.namespaces.get(ns)
    }
    /// The node an assigned pod is on.
    pub fn pod_node(&self, uid: &str) -> Option<usize> {
        self.pod_node.get(uid).copied()
    }

    /// Lets the affinity index memoise `pod`'s required term lists before
    /// its cycle (see `affinity_index`).
    pub fn prepare_affinity(&mut self, pod: &PodInfo) {
        let nodes = &self.nodes;
        self.affinity.prepare(
            pod,
            self.order
                .iter()
                .map(|i| nodes[*i].as_ref().expect("live node index")),
            &self.namespaces,
        );
    }

    // ----- nodes ----------------------------------------------------------

    /// Adds or updates a node; returns whether a plugin-relevant field changed.
    pub fn upsert_node(&mut self, node: &Node) -> ClusterEvent {
        let name = node.metadata.name.clone().unwrap_or_default();
        if let Some(&idx) = self.by_name.get(&name) {
            let ni = self.nodes[idx].as_mut().expect("live");
            let before = (
                ni.labels.clone(),
                ni.taints.clone(),
                ni.allocatable.clone(),
                ni.unschedulable,
            );
            let old_zone = zone_key(&ni.labels);
            let old_images = ni.image_ids.clone();
            ni.set_node(node);
            let labels_changed = before.0 != ni.labels;
            let new_zone = zone_key(&ni.labels);
            let changed = before
                != (
                    ni.labels.clone(),
                    ni.taints.clone(),
                    ni.allocatable.clone(),
                    ni.unschedulable,
                );
            self.count_images(&old_images, -1);
            self.intern_images(idx);
            let new_images = self.node(idx).image_ids.clone();
            self.count_images(&new_images, 1);
            if old_zone != new_zone {
                self.tree.remove(&old_zone, idx);
                self.tree.add(&new_zone, idx);
                self.order = self.tree.list();
            }
            if labels_changed {
                let nodes = self.nodes.iter().flatten();
                self.affinity.rebuild(nodes, &self.namespaces);
            }
            return if changed {
                ClusterEvent::NodeUpdate
            } else {
                ClusterEvent::None
            };
        }
        let idx = self.free.pop().unwrap_or(self.nodes.len());
        let mut ni = NodeInfo::new(idx, node);
        for p in self.orphans.remove(&name).unwrap_or_default() {
            self.pod_node.insert(p.uid.clone(), idx);
            self.affinity.on_pod(&p, &ni.labels, &self.namespaces, 1);
            ni.add_pod(p);
        }
        self.tree.add(&zone_key(&ni.labels), idx);
        if idx == self.nodes.len() {
            self.nodes.push(Some(ni));
        } else {
            self.nodes[idx] = Some(ni);
        }
        self.intern_images(idx);
        let images = self.node(idx).image_ids.clone();
        self.count_images(&images, 1);
        self.by_name.insert(name, idx);
        self.order = self.tree.list();
        self.refresh_affinity_sets(idx);
        ClusterEvent::NodeAdd
    }

    pub fn remove_node(&mut self, name: &str) {
        let Some(idx) = self.by_name.remove(name) else {
            return;
        };
        if let Some(ni) = self.nodes[idx].take() {
            self.count_images(&ni.image_ids, -1);
            self.tree.remove(&zone_key(&ni.labels), idx);
            // Pods stay known (as upstream keeps a node-less NodeInfo) until deleted.
            for p in ni.pods {
                self.pod_node.remove(&p.uid);
                self.affinity.on_pod(&p, &ni.labels, &self.namespaces, -1);
                self.orphans.entry(name.to_string()).or_default().push(p);
            }
        }
        self.nodes_with_affinity.remove(&idx);
        self.nodes_with_anti_affinity.remove(&idx);
        self.free.push(idx);
        self.order = self.tree.list();
    }

    fn count_images(&mut self, ids: &[(u32, i64)], sign: i64) {
        for (id, _) in ids {
            if let Some(c) = self.image_nodes.get_mut(*id as usize) {
                *c = (*c as i64 + sign).max(0) as usize;
            }
        }
    }

    fn refresh_affinity_sets(&mut self, idx: usize) {
        let ni = self.nodes[idx].as_ref().expect("live");
        if ni.pods_with_affinity > 0 {
            self.nodes_with_affinity.insert(idx);
        } else {
            self.nodes_with_affinity.remove(&idx);
        }
        if ni.pods_with_required_anti_affinity > 0 {
            self.nodes_with_anti_affinity.insert(idx);
        } else {
            self.nodes_with_anti_affinity.remove(&idx);
        }
    }

    // ----- pods -----------------------------------------------------------

    /// Adds (or replaces) an assigned pod: `cache.AddPod` / `AssumePod`.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.remove_pod(&pod.uid);
        match self.by_name.get(&pod.node_name).copied() {
            Some(idx) => {
                self.pod_node.insert(pod.uid.clone(), idx);
                let ni = self.nodes[idx].as_mut().expect("live node index");
                self.affinity.on_pod(&pod, &ni.labels, &self.namespaces, 1);
                ni.add_pod(pod);
                self.refresh_affinity_sets(idx);
            }
            None => self
                .orphans
                .entry(pod.node_name.clone())
                .or_default()
                .push(pod),
        }
    }

    /// Removes an assigned pod by uid; returns it.
    pub fn remove_pod(&mut self, uid: &str) -> Option<Arc<PodInfo>> {
        if let Some(idx) = self.pod_node.remove(uid) {
            let ni = self.nodes[idx].as_mut().expect("live node index");
            let p = ni.remove_pod(uid);
            if let Some(p) = &p {
                self.affinity.on_pod(p, &ni.labels, &self.namespaces, -1);
            }
            self.refresh_affinity_sets(idx);
            return p;
        }
        for list in self.orphans.values_mut() {
            if let Some(i) = list.iter().position(|p| p.uid == uid) {
                return Some(list.remove(i));
            }
        }
        None
    }

    // ----- watch events -----------------------------------------------------

    /// Applies one watch event. Pending pods are the queue's business; this
    /// only tracks assigned pods.
    pub fn apply(&mut self, ev: &WatchEvent) -> ClusterEvent {
        let deleted = ev.event_type == WatchEventType::Deleted;
        match &*ev.object {
            Object::Node(n) => {
                if deleted {
                    self.remove_node(n.metadata.name.as_deref().unwrap_or(""));
                    ClusterEvent::None
                } else {
                    self.upsert_node(n)
                }
            }
            Object::Pod(p) => self.apply_pod(p, deleted),
            Object::PriorityClass(pc) => {
                let name = pc.metadata.name.clone().unwrap_or_default();
                if deleted {
                    self.classes.remove(&name);
                } else {
                    self.classes.insert(
                        name,
                        PriorityClassInfo {
                            value: pc.value,
                            global_default: pc.global_default.unwrap_or(false),
                            preempt_never: pc.preemption_policy.as_deref().map(|p| p == "Never"),
                        },
                    );
                }
                ClusterEvent::None
            }
            Object::PersistentVolume(pv) => {
                let name = pv.metadata.name.clone().unwrap_or_default();
                if deleted {
                    self.pvs.remove(&name);
                    return ClusterEvent::None;
                }
                self.pvs.insert(name, Arc::new(pv.clone()));
                ClusterEvent::Storage
            }
            Object::PersistentVolumeClaim(pvc) => {
                let key = ns_name(&pvc.metadata);
                if deleted {
                    self.pvcs.remove(&key);
                    return ClusterEvent::None;
                }
                self.pvcs.insert(key, Arc::new(pvc.clone()));
                ClusterEvent::Storage
            }
            Object::StorageClass(sc) => {
                let name = sc.metadata.name.clone().unwrap_or_default();
                if deleted {
                    self.storage_classes.remove(&name);
                    return ClusterEvent::None;
                }
                self.storage_classes.insert(name, Arc::new(sc.clone()));
                ClusterEvent::Storage
            }
            Object::Namespace(ns) => {
                let name = ns.metadata.name.clone().unwrap_or_default();
                if deleted {
                    self.namespaces.remove(&name);
                    self.affinity.drop_memo();
                    return ClusterEvent::None;
                }
                let labels = ns.metadata.labels.clone().unwrap_or_default();
                let changed = self.namespaces.get(&name) != Some(&labels);
                self.namespaces.insert(name, labels);
                if changed {
                    self.affinity.drop_memo();
                    ClusterEvent::Namespace
                } else {
                    ClusterEvent::None
                }
            }
            Object::PodDisruptionBudget(pdb) => {
                let key = ns_name(&pdb.metadata);
                if deleted {
                    self.pdbs.remove(&key);
                } else {
                    let st = pdb.status.as_ref();
                    self.pdbs.insert(
                        key.clone(),
                        PdbInfo {
                            namespace: key.0,
                            selector: pdb
                                .spec
                                .as_ref()
                                .and_then(|s| s.selector.as_ref())
                                .map(label_selector),
                            disruptions_allowed: st.map(|s| s.disruptions_allowed).unwrap_or(0),
                            disrupted_pods: st
                                .and_then(|s| s.disrupted_pods.as_ref())
                                .map(|m| m.keys().cloned().collect())
                                .unwrap_or_default(),
                        },
                    );
                }
                ClusterEvent::None
            }
            Object::Service(s) => {
                let key = ns_name(&s.metadata);
                match s.spec.as_ref().and_then(|sp| sp.selector.clone()) {
                    Some(sel) if !deleted => {
                        self.services.insert(key, sel);
                    }
                    _ => {
                        self.services.remove(&key);
                    }
                }
                ClusterEvent::None
            }
            Object::ReplicaSet(rs) => {
                let sel = rs.spec.as_ref().map(|s| label_selector(&s.selector));
                self.set_controller("ReplicaSet", &rs.metadata, sel, deleted)
            }
            Object::StatefulSet(ss) => {
                let sel = ss.spec.as_ref().map(|s| label_selector(&s.selector));
                self.set_controller("StatefulSet", &ss.metadata, sel, deleted)
            }
            Object::ReplicationController(rc) => {
                let sel = rc
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .map(Selector::from_map);
                self.set_controller("ReplicationController", &rc.metadata, sel, deleted)
            }
            _ => ClusterEvent::None,
        }
    }

    fn set_controller(
        &mut self,
        kind: &str,
        m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        sel: Option<Selector>,
        deleted: bool,
    ) -> ClusterEvent {
        let (ns, name) = ns_name(m);
        let key = (kind.to_string(), ns, name);
        match sel {
            Some(s) if !deleted => {
                self.controllers.insert(key, s);
            }
            _ => {
                self.controllers.remove(&key);
            }
        }
        ClusterEvent::None
    }

    fn apply_pod(&mut self, p: &Pod, deleted: bool) -> ClusterEvent {
        let info = PodInfo::new(p, &self.classes);
        if info.node_name.is_empty() {
            return ClusterEvent::None;
        }
        if deleted || info.terminal {
            if self.remove_pod(&info.uid).is_some() {
                return ClusterEvent::AssignedPodDelete;
            }
            return ClusterEvent::None;
        }
        let previous = self
            .pod_node
            .get(&info.uid)
            .and_then(|i| self.node(*i).pods.iter().find(|q| q.uid == info.uid))
            .cloned();
        self.add_pod(Arc::new(info.clone()));
        match previous {
            None => ClusterEvent::AssignedPodAdd,
            // An assumed pod confirmed by its binding is not a change.
            Some(prev)
                if prev.labels != info.labels
                    || info.requests.milli_cpu < prev.requests.milli_cpu
                    || info.requests.memory < prev.requests.memory =>
            {
                ClusterEvent::AssignedPodUpdate
            }
            Some(_) => ClusterEvent::None,
        }
    }
}

fn ns_name(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> (String, String) {
    (
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, zone: Option<&str>) -> Node {
        let mut labels = json!({"kubernetes.io/hostname": name});
        if let Some(z) = zone {
            labels["topology.kubernetes.io/zone"] = json!(z);
        }
        serde_json::from_value(json!({"metadata": {"name": name, "labels": labels},
            "status": {"allocatable": {"cpu": "2", "memory": "4Gi", "pods": "110"}}}))
        .unwrap()
    }

    /// backend/cache/node_tree_test.go TestNodeTree_List: zones interleave.
    #[test]
    fn node_tree_interleaves_zones() {
        let mut c = Cache::new();
        for (n, z) in [
            ("a1", "a"),
            ("a2", "a"),
            ("b1", "b"),
            ("a3", "a"),
            ("c1", "c"),
        ] {
            c.upsert_node(&node(n, Some(z)));
        }
        let names: Vec<&str> = c.nodes().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["a1", "b1", "c1", "a2", "a3"]);
        c.remove_node("b1");
        let names: Vec<&str> = c.nodes().map(|n| n.name.as_str()).collect();
        assert_eq!(names, ["a1", "c1", "a2", "a3"]);
    }

    #[test]
    fn pods_follow_binding_and_deletion_incrementally() {
        let mut c = Cache::new();
        c.upsert_node(&node("n1", None));
        let p: Pod = serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "default", "uid": "u1"},
            "spec": {"nodeName": "n1", "containers": [{"name": "c", "resources": {"requests": {"cpu": "300m"}}}]}})).unwrap();
        let ev = WatchEvent {
            rv: 1,
            event_type: WatchEventType::Added,
            object: Arc::new(Object::Pod(p.clone())),
            old: None,
        };
        assert_eq!(c.apply(&ev), ClusterEvent::AssignedPodAdd);
        assert_eq!(c.node_by_name("n1").unwrap().requested.milli_cpu, 300);
        let ev = WatchEvent {
            rv: 2,
            event_type: WatchEventType::Deleted,
            object: Arc::new(Object::Pod(p)),
            old: None,
        };
        assert_eq!(c.apply(&ev), ClusterEvent::AssignedPodDelete);
        assert_eq!(c.node_by_name("n1").unwrap().requested.milli_cpu, 0);
    }
}
