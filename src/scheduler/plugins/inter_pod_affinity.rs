//! InterPodAffinity: required pod affinity / anti-affinity (the incoming
//! pod's and the existing pods') in Filter; preferred terms (and existing
//! pods' required affinity with hardPodAffinityWeight) in Score.
//! Upstream: `pkg/scheduler/framework/plugins/interpodaffinity/filtering.go`,
//! `scoring.go`, `plugin.go`.

use super::topology::{LayeredCounts, TopologyCounts};
use crate::scheduler::framework::{
    points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::{AffinityTerm, PodInfo, WeightedAffinityTerm};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const NAME: &str = "InterPodAffinity";
/// `ErrReasonExistingAntiAffinityRulesNotMatch`.
pub const ERR_EXISTING_ANTI_AFFINITY: &str =
    "node(s) didn't satisfy existing pods anti-affinity rules";
/// `ErrReasonAffinityRulesNotMatch`.
pub const ERR_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// `ErrReasonAntiAffinityRulesNotMatch`.
pub const ERR_ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";

pub struct InterPodAffinity {
    pub hard_pod_affinity_weight: i32,
    pub ignore_preferred_terms_of_existing_pods: bool,
}

impl Default for InterPodAffinity {
    fn default() -> InterPodAffinity {
        InterPodAffinity {
            hard_pod_affinity_weight: 1,
            ignore_preferred_terms_of_existing_pods: false,
        }
    }
}

#[derive(Clone, Default)]
struct PreFilterState {
    existing_anti_affinity: LayeredCounts,
    affinity: LayeredCounts,
    anti_affinity: LayeredCounts,
}

#[derive(Clone, Default)]
struct PreScoreState {
    topology_score: BTreeMap<String, BTreeMap<String, i64>>,
}

/// `podMatchesAllAffinityTerms`.
fn matches_all(terms: &[AffinityTerm], pod: &PodInfo, h: &Handle) -> bool {
    !terms.is_empty()
        && terms
            .iter()
            .all(|t| t.matches(pod, h.cache.ns_labels(&pod.namespace)))
}

/// The incoming pod's required terms counted against one existing pod.
fn update_incoming(
    st: &mut PreFilterState,
    pod: &PodInfo,
    existing: &PodInfo,
    node: &NodeInfo,
    h: &Handle,
    mult: i64,
) {
    if matches_all(&pod.required_affinity_terms, existing, h) {
        for t in &pod.required_affinity_terms {
            st.affinity.update(&node.labels, &t.topology_key, mult);
        }
    }
    for t in &pod.required_anti_affinity_terms {
        if t.matches(existing, h.cache.ns_labels(&existing.namespace)) {
            st.anti_affinity.update(&node.labels, &t.topology_key, mult);
        }
    }
}

fn update_existing_anti(
    st: &mut PreFilterState,
    pod: &PodInfo,
    existing: &PodInfo,
    node: &NodeInfo,
    h: &Handle,
    mult: i64,
) {
    for t in &existing.required_anti_affinity_terms {
        if t.matches(pod, h.cache.ns_labels(&pod.namespace)) {
            st.existing_anti_affinity
                .update(&node.labels, &t.topology_key, mult);
        }
    }
}

fn process_terms(
    score: &mut BTreeMap<String, BTreeMap<String, i64>>,
    terms: &[WeightedAffinityTerm],
    target: &PodInfo,
    node: &NodeInfo,
    mult: i64,
    h: &Handle,
) {
    for w in terms {
        process_term(score, &w.term, w.weight as i64, target, node, mult, h);
    }
}

fn process_term(
    score: &mut BTreeMap<String, BTreeMap<String, i64>>,
    term: &AffinityTerm,
    weight: i64,
    target: &PodInfo,
    node: &NodeInfo,
    mult: i64,
    h: &Handle,
) {
    if term.matches(target, h.cache.ns_labels(&target.namespace)) {
        if let Some(v) = node.labels.get(&term.topology_key) {
            *score
                .entry(term.topology_key.clone())
                .or_default()
                .entry(v.clone())
                .or_insert(0) += weight * mult;
        }
    }
}

impl InterPodAffinity {
    /// `processExistingPod`.
    fn process_existing_pod(
        &self,
        score: &mut BTreeMap<String, BTreeMap<String, i64>>,
        pod: &PodInfo,
        existing: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) {
        if node.labels.is_empty() {
            return;
        }
        process_terms(score, &pod.preferred_affinity_terms, existing, node, 1, h);
        process_terms(
            score,
            &pod.preferred_anti_affinity_terms,
            existing,
            node,
            -1,
            h,
        );
        if self.hard_pod_affinity_weight > 0 {
            for t in &existing.required_affinity_terms {
                process_term(
                    score,
                    t,
                    self.hard_pod_affinity_weight as i64,
                    pod,
                    node,
                    1,
                    h,
                );
            }
        }
        process_terms(score, &existing.preferred_affinity_terms, pod, node, 1, h);
        process_terms(
            score,
            &existing.preferred_anti_affinity_terms,
            pod,
            node,
            -1,
            h,
        );
    }
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, h: &Handle) -> Status {
        let mut st = PreFilterState::default();
        // getExistingAntiAffinityCounts, from the cache's per-term counts
        // of the assigned pods' required anti-affinity terms.
        let ns = h.cache.ns_labels(&pod.namespace);
        let groups: Vec<_> = h
            .cache
            .affinity
            .existing_anti
            .values()
            .filter(|g| g.term.matches(pod, ns))
            .collect();
        match groups.as_slice() {
            [] => {}
            [g] => st.existing_anti_affinity = LayeredCounts::new(g.counts.clone()),
            gs => {
                let mut sum = TopologyCounts::default();
                for g in gs {
                    sum.add_all(&g.counts);
                }
                st.existing_anti_affinity = LayeredCounts::new(Arc::new(sum));
            }
        }
        // getIncomingAffinityAntiAffinityCounts: memoised by the cache for
        // the pod's term lists, else counted here.
        if !pod.required_affinity_terms.is_empty() || !pod.required_anti_affinity_terms.is_empty() {
            if let Some((aff, anti)) = h.cache.affinity.incoming(pod) {
                st.affinity = LayeredCounts::new(aff);
                st.anti_affinity = LayeredCounts::new(anti);
            } else {
                for node in h.cache.nodes() {
                    for existing in &node.pods {
                        update_incoming(&mut st, pod, existing, node, h, 1);
                    }
                }
            }
        }
        if st.existing_anti_affinity.is_empty()
            && pod.required_affinity_terms.is_empty()
            && pod.required_anti_affinity_terms.is_empty()
        {
            return Status::skip();
        }
        state.write(st);
        Status::success()
    }

    fn add_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        added: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) {
        if let Some(st) = state.read_mut::<PreFilterState>() {
            update_existing_anti(st, pod, added, node, h, 1);
            update_incoming(st, pod, added, node, h, 1);
        }
    }

    fn remove_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        removed: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) {
        if let Some(st) = state.read_mut::<PreFilterState>() {
            update_existing_anti(st, pod, removed, node, h, -1);
            update_incoming(st, pod, removed, node, h, -1);
        }
    }

    fn filter(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, h: &Handle) -> Status {
        let Some(st) = state.read::<PreFilterState>() else {
            return Status::success();
        };
        // satisfyPodAffinity
        let mut pods_exist = true;
        for t in &pod.required_affinity_terms {
            match node.labels.get(&t.topology_key) {
                Some(v) => {
                    if st.affinity.get(&t.topology_key, v) <= 0 {
                        pods_exist = false;
                    }
                }
                None => return Status::unresolvable(ERR_AFFINITY),
            }
        }
        if !(pods_exist
            || st.affinity.is_empty() && matches_all(&pod.required_affinity_terms, pod, h))
        {
            return Status::unresolvable(ERR_AFFINITY);
        }
        // satisfyPodAntiAffinity
        for t in &pod.required_anti_affinity_terms {
            if let Some(v) = node.labels.get(&t.topology_key) {
                if st.anti_affinity.get(&t.topology_key, v) > 0 {
                    return Status::unschedulable(ERR_ANTI_AFFINITY);
                }
            }
        }
        // satisfyExistingPodsAntiAffinity
        if !st.existing_anti_affinity.is_empty()
            && st.existing_anti_affinity.any_positive(&node.labels)
        {
            return Status::unschedulable(ERR_EXISTING_ANTI_AFFINITY);
        }
        Status::success()
    }

    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        _n: &[&NodeInfo],
        h: &Handle,
    ) -> Status {
        let has_constraints = !pod.preferred_affinity_terms.is_empty()
            || !pod.preferred_anti_affinity_terms.is_empty();
        if self.ignore_preferred_terms_of_existing_pods && !has_constraints {
            return Status::skip();
        }
        // Without preferred terms of its own, only existing pods' required
        // affinity and preferred terms can score; with none in the cluster
        // the topology scores stay empty (Skip below), so skip the scan.
        if !has_constraints && h.cache.affinity.pods_with_scoring_terms == 0 {
            return Status::skip();
        }
        let mut st = PreScoreState::default();
        let mut process = |node: &NodeInfo| {
            for existing in &node.pods {
                if has_constraints || existing.has_pod_affinity {
                    self.process_existing_pod(&mut st.topology_score, pod, existing, node, h);
                }
            }
        };
        if has_constraints {
            h.cache.nodes().for_each(&mut process);
        } else {
            h.cache.nodes_with_pod_affinity().for_each(&mut process);
        }
        if st.topology_score.is_empty() {
            return Status::skip();
        }
        state.write(st);
        Status::success()
    }

    fn score(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        let Some(st) = state.read::<PreScoreState>() else {
            return 0;
        };
        st.topology_score
            .iter()
            .filter_map(|(k, vals)| node.labels.get(k).and_then(|v| vals.get(v)))
            .sum()
    }

    fn has_normalize(&self) -> bool {
        true
    }

    fn normalize_score(&self, state: &CycleState, _p: &PodInfo, scores: &mut [NodeScore]) {
        if state
            .read::<PreScoreState>()
            .is_none_or(|s| s.topology_score.is_empty())
        {
            return;
        }
        let min = scores.iter().map(|s| s.score).min().unwrap_or(0);
        let max = scores.iter().map(|s| s.score).max().unwrap_or(0);
        let diff = max - min;
        for s in scores.iter_mut() {
            let f = if diff > 0 {
                MAX_NODE_SCORE as f64 * ((s.score - min) as f64 / diff as f64)
            } else {
                0.0
            };
            s.score = f as i64;
        }
    }
}
