//! Inter-pod affinity counts kept up to date as assigned pods come and go,
//! so InterPodAffinity's PreFilter reads them instead of scanning every pod
//! of the cluster in each cycle.
//!
//! Upstream computes the same numbers from scratch in every cycle
//! (`pkg/scheduler/framework/plugins/interpodaffinity/filtering.go`:
//! `getExistingAntiAffinityCounts` over the nodes with required
//! anti-affinity pods, `getIncomingAffinityAntiAffinityCounts` over all
//! pods). The counts are sums, so keeping them incrementally gives the
//! same totals:
//!
//! * [`AffinityIndex::existing_anti`]: every required anti-affinity term of
//!   an assigned pod, grouped by identical term, with the number of pods
//!   carrying it per topology value of the term's key. PreFilter adds up
//!   the groups whose term matches the incoming pod.
//! * a memo of the incoming pods' required (anti-)affinity term lists
//!   (pods of one template share them): per term list, the counts
//!   `update_incoming` would produce over all assigned pods. Built by one
//!   full scan when a pod with that term list is about to be scheduled
//!   ([`AffinityIndex::prepare`]), then maintained on every pod change; at
//!   most [`MEMO_CAPACITY`] lists are kept (least recently used evicted).
//!
//! Anything that could change a count in a way the per-pod updates do not
//! see (node labels, namespace labels) rebuilds or drops the index.

use super::node_info::NodeInfo;
use super::plugins::topology::TopologyCounts;
use super::pod_info::{AffinityTerm, PodInfo};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many incoming term lists are memoised.
pub const MEMO_CAPACITY: usize = 16;

type NsLabels = BTreeMap<String, BTreeMap<String, String>>;

/// One group of identical required anti-affinity terms of assigned pods.
#[derive(Clone, Debug)]
pub struct AntiTermGroup {
    pub term: AffinityTerm,
    /// (term's topology key, topology value) → pods carrying the term.
    pub counts: Arc<TopologyCounts>,
    /// How many terms (pods × occurrences) are in the group.
    pub members: usize,
}

/// The counts InterPodAffinity's PreFilter builds from the incoming pod's
/// own required terms against every assigned pod (`update_incoming`).
#[derive(Clone, Debug)]
struct MemoEntry {
    affinity_terms: Vec<AffinityTerm>,
    anti_terms: Vec<AffinityTerm>,
    affinity: Arc<TopologyCounts>,
    anti_affinity: Arc<TopologyCounts>,
    last_used: u64,
}

/// The index; the cache owns it and feeds it every assigned pod change.
#[derive(Clone, Debug, Default)]
pub struct AffinityIndex {
    /// By term signature.
    pub existing_anti: BTreeMap<String, AntiTermGroup>,
    memo: BTreeMap<String, MemoEntry>,
    tick: u64,
    /// Assigned pods with terms that can add to InterPodAffinity's score
    /// for a pod without preferred terms: required affinity, preferred
    /// affinity or preferred anti-affinity.
    pub pods_with_scoring_terms: usize,
}

/// A term's identity: identical terms give identical signatures.
pub fn term_signature(t: &AffinityTerm) -> String {
    format!("{t:?}")
}

/// The memo key of a pod's required term lists.
pub fn incoming_signature(pod: &PodInfo) -> String {
    format!(
        "{:?}|{:?}",
        pod.required_affinity_terms, pod.required_anti_affinity_terms
    )
}

/// `podMatchesAllAffinityTerms`.
fn matches_all(terms: &[AffinityTerm], pod: &PodInfo, ns: &NsLabels) -> bool {
    !terms.is_empty() && terms.iter().all(|t| t.matches(pod, ns.get(&pod.namespace)))
}

fn has_scoring_terms(p: &PodInfo) -> bool {
    !p.required_affinity_terms.is_empty()
        || !p.preferred_affinity_terms.is_empty()
        || !p.preferred_anti_affinity_terms.is_empty()
}

/// `update_incoming` of one existing pod into counts.
#[allow(clippy::too_many_arguments)]
fn apply_incoming(
    affinity_terms: &[AffinityTerm],
    anti_terms: &[AffinityTerm],
    affinity: &mut TopologyCounts,
    anti: &mut TopologyCounts,
    existing: &PodInfo,
    labels: &BTreeMap<String, String>,
    ns: &NsLabels,
    mult: i64,
) {
    if matches_all(affinity_terms, existing, ns) {
        for t in affinity_terms {
            affinity.update(labels, &t.topology_key, mult);
        }
    }
    for t in anti_terms {
        if t.matches(existing, ns.get(&existing.namespace)) {
            anti.update(labels, &t.topology_key, mult);
        }
    }
}

impl AffinityIndex {
    /// Counts `pod` (now on a node with `labels`) in, or out with `mult` -1.
    pub fn on_pod(
        &mut self,
        pod: &PodInfo,
        labels: &BTreeMap<String, String>,
        ns: &NsLabels,
        mult: i64,
    ) {
        if has_scoring_terms(pod) {
            self.pods_with_scoring_terms =
                (self.pods_with_scoring_terms as i64 + mult).max(0) as usize;
        }
        for t in &pod.required_anti_affinity_terms {
            let sig = term_signature(t);
            let g = self
                .existing_anti
                .entry(sig.clone())
                .or_insert_with(|| AntiTermGroup {
                    term: t.clone(),
                    counts: Arc::new(TopologyCounts::default()),
                    members: 0,
                });
            Arc::make_mut(&mut g.counts).update(labels, &t.topology_key, mult);
            g.members = (g.members as i64 + mult).max(0) as usize;
            if g.members == 0 {
                self.existing_anti.remove(&sig);
            }
        }
        for e in self.memo.values_mut() {
            if e.affinity_terms.is_empty()
                && !e
                    .anti_terms
                    .iter()
                    .any(|t| t.matches(pod, ns.get(&pod.namespace)))
            {
                continue;
            }
            apply_incoming(
                &e.affinity_terms,
                &e.anti_terms,
                Arc::make_mut(&mut e.affinity),
                Arc::make_mut(&mut e.anti_affinity),
                pod,
                labels,
                ns,
                mult,
            );
        }
    }

    /// Recounts everything from the nodes (after a node's labels changed).
    pub fn rebuild<'a>(&mut self, nodes: impl Iterator<Item = &'a NodeInfo>, ns: &NsLabels) {
        self.existing_anti.clear();
        self.memo.clear();
        self.pods_with_scoring_terms = 0;
        for n in nodes {
            for p in &n.pods {
                self.on_pod(p, &n.labels, ns, 1);
            }
        }
    }

    /// Namespace labels changed: memoised matches may be stale.
    pub fn drop_memo(&mut self) {
        self.memo.clear();
    }

    /// Makes sure the memo holds `pod`'s term lists (one scan over the
    /// nodes when it does not).
    pub fn prepare<'a>(
        &mut self,
        pod: &PodInfo,
        nodes: impl Iterator<Item = &'a NodeInfo>,
        ns: &NsLabels,
    ) {
        if pod.required_affinity_terms.is_empty() && pod.required_anti_affinity_terms.is_empty() {
            return;
        }
        self.tick += 1;
        let sig = incoming_signature(pod);
        if let Some(e) = self.memo.get_mut(&sig) {
            e.last_used = self.tick;
            return;
        }
        let mut aff = TopologyCounts::default();
        let mut anti = TopologyCounts::default();
        for n in nodes {
            for existing in &n.pods {
                apply_incoming(
                    &pod.required_affinity_terms,
                    &pod.required_anti_affinity_terms,
                    &mut aff,
                    &mut anti,
                    existing,
                    &n.labels,
                    ns,
                    1,
                );
            }
        }
        if self.memo.len() >= MEMO_CAPACITY {
            if let Some(oldest) = self
                .memo
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(k, _)| k.clone())
            {
                self.memo.remove(&oldest);
            }
        }
        self.memo.insert(
            sig,
            MemoEntry {
                affinity_terms: pod.required_affinity_terms.clone(),
                anti_terms: pod.required_anti_affinity_terms.clone(),
                affinity: Arc::new(aff),
                anti_affinity: Arc::new(anti),
                last_used: self.tick,
            },
        );
    }

    /// The memoised (affinity, anti-affinity) counts for `pod`'s required
    /// term lists, if prepared.
    pub fn incoming(&self, pod: &PodInfo) -> Option<(Arc<TopologyCounts>, Arc<TopologyCounts>)> {
        self.memo
            .get(&incoming_signature(pod))
            .map(|e| (e.affinity.clone(), e.anti_affinity.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::cache::Cache;
    use k8s_openapi::api::core::v1::{Node, Pod};
    use serde_json::json;

    fn node(name: &str, zone: &str) -> Node {
        serde_json::from_value(json!({"metadata": {"name": name, "labels": {
            "kubernetes.io/hostname": name, "topology.kubernetes.io/zone": zone}}}))
        .unwrap()
    }

    fn pod(name: &str, node: &str, app: &str, anti: bool) -> Arc<PodInfo> {
        let mut v = json!({"metadata": {"name": name, "namespace": "default", "uid": name,
            "labels": {"app": app}}, "spec": {"nodeName": node, "containers": []}});
        if anti {
            v["spec"]["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": {"matchLabels": {"app": app}}}]}});
        }
        let p: Pod = serde_json::from_value(v).unwrap();
        Arc::new(PodInfo::new(&p, &Default::default()))
    }

    /// What a full scan gives, as upstream's PreFilter computes it.
    fn scanned(cache: &Cache, incoming: &PodInfo) -> (TopologyCounts, TopologyCounts) {
        let mut fresh = AffinityIndex::default();
        fresh.prepare(incoming, cache.nodes(), &cache.namespaces);
        let (a, b) = fresh.incoming(incoming).unwrap();
        ((*a).clone(), (*b).clone())
    }

    /// The incrementally kept counts equal a fresh scan after pods come
    /// and go and after a node changes zone.
    #[test]
    fn incremental_counts_match_a_full_scan() {
        let mut c = Cache::new();
        for (n, z) in [("a", "z1"), ("b", "z1"), ("c", "z2")] {
            c.upsert_node(&node(n, z));
        }
        let incoming = pod("new", "", "web", true);
        c.add_pod(pod("w1", "a", "web", true));
        c.prepare_affinity(&incoming);
        c.add_pod(pod("w2", "c", "web", true));
        c.add_pod(pod("d1", "b", "db", false));
        let (aff, anti) = c.affinity.incoming(&incoming).unwrap();
        assert_eq!(anti.get("topology.kubernetes.io/zone", "z1"), 1);
        assert_eq!(anti.get("topology.kubernetes.io/zone", "z2"), 1);
        assert_eq!(((*aff).clone(), (*anti).clone()), scanned(&c, &incoming));
        c.remove_pod("w1");
        let (aff, anti) = c.affinity.incoming(&incoming).unwrap();
        assert_eq!(((*aff).clone(), (*anti).clone()), scanned(&c, &incoming));
        // Existing pods' anti-affinity: one group, counted per zone.
        let g: Vec<_> = c.affinity.existing_anti.values().collect();
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].counts.get("topology.kubernetes.io/zone", "z2"), 1);
        assert_eq!(g[0].counts.get("topology.kubernetes.io/zone", "z1"), 0);
        // Relabelling a node rebuilds the index.
        c.upsert_node(&node("c", "z3"));
        let g: Vec<_> = c.affinity.existing_anti.values().collect();
        assert_eq!(g[0].counts.get("topology.kubernetes.io/zone", "z3"), 1);
        assert!(c.affinity.incoming(&incoming).is_none());
        c.prepare_affinity(&incoming);
        let (aff, anti) = c.affinity.incoming(&incoming).unwrap();
        assert_eq!(((*aff).clone(), (*anti).clone()), scanned(&c, &incoming));
    }
}
