//! PodTopologySpread: hard constraints (DoNotSchedule) in Filter, soft
//! ones (ScheduleAnyway, or the cluster-level defaults) in Score.
//! Upstream: `pkg/scheduler/framework/plugins/podtopologyspread/common.go`,
//! `filtering.go`, `scoring.go`, `plugin.go`; default selector:
//! `plugins/helper/spread.go` DefaultSelector.

use super::helper::{find_untolerated_taint, pod_matches_node_affinity};
use crate::objects::selectors::{Requirement, Selector};
use crate::scheduler::cache::Cache;
use crate::scheduler::framework::{
    points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::{label_selector, PodInfo};
use std::collections::{BTreeMap, BTreeSet};

pub const NAME: &str = "PodTopologySpread";
/// `ErrReasonConstraintsNotMatch`.
pub const ERR_CONSTRAINTS_NOT_MATCH: &str = "node(s) didn't match pod topology spread constraints";
/// `ErrReasonNodeLabelNotMatch`.
pub const ERR_NODE_LABEL_NOT_MATCH: &str =
    "node(s) didn't match pod topology spread constraints (missing required label)";
const HOSTNAME: &str = "kubernetes.io/hostname";

/// A parsed constraint (`topologySpreadConstraint`).
#[derive(Clone, Debug)]
pub struct Constraint {
    pub max_skew: i32,
    pub topology_key: String,
    /// `None`: labels.Nothing().
    pub selector: Option<Selector>,
    pub min_domains: i32,
    pub node_affinity_honor: bool,
    pub node_taints_honor: bool,
}

/// A default constraint from the plugin args.
#[derive(Clone, Debug)]
pub struct DefaultConstraint {
    pub max_skew: i32,
    pub topology_key: String,
    pub when_unsatisfiable: String,
}

pub struct PodTopologySpread {
    pub default_constraints: Vec<DefaultConstraint>,
    /// defaultingType System: the built-in defaults.
    pub system_defaulted: bool,
}

/// `systemDefaultConstraints`.
pub fn system_default_constraints() -> Vec<DefaultConstraint> {
    vec![
        DefaultConstraint {
            max_skew: 3,
            topology_key: HOSTNAME.into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
        },
        DefaultConstraint {
            max_skew: 5,
            topology_key: "topology.kubernetes.io/zone".into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
        },
    ]
}

impl Default for PodTopologySpread {
    fn default() -> PodTopologySpread {
        PodTopologySpread {
            default_constraints: system_default_constraints(),
            system_defaulted: true,
        }
    }
}

/// `countPodsMatchSelector`: same namespace, not terminating; an empty
/// selector counts nothing.
fn count_matching(node: &NodeInfo, sel: &Option<Selector>, ns: &str) -> i64 {
    let Some(sel) = sel else { return 0 };
    if sel.is_empty() {
        return 0;
    }
    node.pods
        .iter()
        .filter(|p| !p.terminating && p.namespace == ns && sel.matches(&p.labels))
        .count() as i64
}

fn selector_matches(sel: &Option<Selector>, labels: &BTreeMap<String, String>) -> bool {
    sel.as_ref().is_some_and(|s| s.matches(labels))
}

fn node_has_all_keys(node: &NodeInfo, cs: &[Constraint]) -> bool {
    cs.iter().all(|c| node.labels.contains_key(&c.topology_key))
}

/// `matchNodeInclusionPolicies`.
fn node_included(c: &Constraint, pod: &PodInfo, node: &NodeInfo) -> bool {
    if c.node_affinity_honor && !pod_matches_node_affinity(pod, node) {
        return false;
    }
    if c.node_taints_honor
        && find_untolerated_taint(&node.taints, &pod.tolerations, |t| {
            t.effect == "NoSchedule" || t.effect == "NoExecute"
        })
        .is_some()
    {
        return false;
    }
    true
}

/// `helper.DefaultSelector`: the selectors of the Services selecting the
/// pod and of its controller (ReplicaSet, ReplicationController, StatefulSet).
pub fn default_selector(pod: &PodInfo, cache: &Cache) -> Selector {
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    for ((ns, _), sel) in &cache.services {
        if ns == &pod.namespace && !sel.is_empty() && Selector::from_map(sel).matches(&pod.labels) {
            set.extend(sel.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let mut selector = Selector::from_map(&set);
    if let Some((api_version, kind, name)) = &pod.controller {
        let group = api_version.split_once('/').map(|(g, _)| g).unwrap_or("");
        let known = matches!(
            (group, kind.as_str()),
            ("", "ReplicationController") | ("apps", "ReplicaSet") | ("apps", "StatefulSet")
        );
        if known {
            if let Some(s) =
                cache
                    .controllers
                    .get(&(kind.clone(), pod.namespace.clone(), name.clone()))
            {
                if kind == "ReplicationController" {
                    // labels.Merge of the RC's map selector.
                    for r in &s.requirements {
                        if let Requirement::Equals(k, v) = r {
                            set.insert(k.clone(), v.clone());
                        }
                    }
                    selector = Selector::from_map(&set);
                } else {
                    selector.requirements.extend(s.requirements.iter().cloned());
                }
            }
        }
    }
    selector
}

impl PodTopologySpread {
    /// `filterTopologySpreadConstraints` of the pod's own constraints.
    fn pod_constraints(&self, pod: &PodInfo, action: &str) -> Vec<Constraint> {
        pod.topology_spread_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == action)
            .map(|c| {
                let mut selector = c.label_selector.as_ref().map(label_selector);
                if let Some(sel) = selector.as_mut() {
                    for k in c.match_label_keys.iter().flatten() {
                        if let Some(v) = pod.labels.get(k) {
                            sel.requirements
                                .push(Requirement::In(k.clone(), vec![v.clone()]));
                        }
                    }
                }
                Constraint {
                    max_skew: c.max_skew,
                    topology_key: c.topology_key.clone(),
                    selector,
                    min_domains: c.min_domains.unwrap_or(1),
                    node_affinity_honor: c.node_affinity_policy.as_deref() != Some("Ignore"),
                    node_taints_honor: c.node_taints_policy.as_deref() == Some("Honor"),
                }
            })
            .collect()
    }

    /// `getConstraints` / `buildDefaultConstraints`.
    fn constraints(&self, pod: &PodInfo, action: &str, cache: &Cache) -> Vec<Constraint> {
        if !pod.topology_spread_constraints.is_empty() {
            return self.pod_constraints(pod, action);
        }
        let defaults: Vec<&DefaultConstraint> = self
            .default_constraints
            .iter()
            .filter(|c| c.when_unsatisfiable == action)
            .collect();
        if defaults.is_empty() {
            return Vec::new();
        }
        let sel = default_selector(pod, cache);
        if sel.is_empty() {
            return Vec::new();
        }
        defaults
            .into_iter()
            .map(|d| Constraint {
                max_skew: d.max_skew,
                topology_key: d.topology_key.clone(),
                selector: Some(sel.clone()),
                min_domains: 1,
                node_affinity_honor: true,
                node_taints_honor: false,
            })
            .collect()
    }
}

#[derive(Clone, Default)]
struct PreFilterState {
    constraints: Vec<Constraint>,
    /// Per constraint: topology value → matching pods.
    counts: Vec<BTreeMap<String, i64>>,
    /// Per constraint: the global minimum (critical path).
    min: Vec<i64>,
}

impl PreFilterState {
    fn recompute_min(&mut self, i: usize) {
        self.min[i] = self.counts[i]
            .values()
            .copied()
            .min()
            .unwrap_or(i32::MAX as i64);
    }
    /// `minMatchNum`.
    fn min_match(&self, i: usize) -> i64 {
        if (self.counts[i].len() as i32) < self.constraints[i].min_domains {
            0
        } else {
            self.min[i]
        }
    }
    /// `updateWithPod`.
    fn update_with_pod(&mut self, p: &PodInfo, pod: &PodInfo, node: &NodeInfo, delta: i64) {
        if p.namespace != pod.namespace || !node_has_all_keys(node, &self.constraints) {
            return;
        }
        for i in 0..self.constraints.len() {
            if !selector_matches(&self.constraints[i].selector, &p.labels) {
                continue;
            }
            let v = node.labels[&self.constraints[i].topology_key].clone();
            *self.counts[i].entry(v).or_insert(0) += delta;
            self.recompute_min(i);
        }
    }
}

#[derive(Clone, Default)]
struct PreScoreState {
    constraints: Vec<Constraint>,
    ignored: BTreeSet<usize>,
    /// Per constraint (non-hostname keys): value → count.
    counts: Vec<BTreeMap<String, i64>>,
    weights: Vec<f64>,
}

impl Plugin for PodTopologySpread {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }

    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, h: &Handle) -> Status {
        let constraints = self.constraints(pod, "DoNotSchedule", h.cache);
        if constraints.is_empty() {
            return Status::skip();
        }
        let n = constraints.len();
        let mut st = PreFilterState {
            counts: vec![BTreeMap::new(); n],
            min: vec![i32::MAX as i64; n],
            constraints,
        };
        for node in h.cache.nodes() {
            if !node_has_all_keys(node, &st.constraints) {
                continue;
            }
            for i in 0..n {
                let c = &st.constraints[i];
                if !node_included(c, pod, node) {
                    continue;
                }
                let cnt = count_matching(node, &c.selector, &pod.namespace);
                *st.counts[i]
                    .entry(node.labels[&c.topology_key].clone())
                    .or_insert(0) += cnt;
            }
        }
        for i in 0..n {
            st.recompute_min(i);
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
        _h: &Handle,
    ) {
        if let Some(st) = state.read_mut::<PreFilterState>() {
            st.update_with_pod(added, pod, node, 1);
        }
    }

    fn remove_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        removed: &PodInfo,
        node: &NodeInfo,
        _h: &Handle,
    ) {
        if let Some(st) = state.read_mut::<PreFilterState>() {
            st.update_with_pod(removed, pod, node, -1);
        }
    }

    fn filter(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        let Some(st) = state.read::<PreFilterState>() else {
            return Status::success();
        };
        for (i, c) in st.constraints.iter().enumerate() {
            let Some(v) = node.labels.get(&c.topology_key) else {
                return Status::unresolvable(ERR_NODE_LABEL_NOT_MATCH);
            };
            let min = st.min_match(i);
            let self_match = selector_matches(&c.selector, &pod.labels) as i64;
            let match_num = st.counts[i].get(v).copied().unwrap_or(0);
            if match_num + self_match - min > c.max_skew as i64 {
                return Status::unschedulable(ERR_CONSTRAINTS_NOT_MATCH);
            }
        }
        Status::success()
    }

    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        filtered: &[&NodeInfo],
        h: &Handle,
    ) -> Status {
        if filtered.is_empty() || h.cache.num_nodes() == 0 {
            return Status::success();
        }
        let constraints = self.constraints(pod, "ScheduleAnyway", h.cache);
        if constraints.is_empty() {
            return Status::skip();
        }
        let require_all = !pod.topology_spread_constraints.is_empty() || !self.system_defaulted;
        let n = constraints.len();
        let mut st = PreScoreState {
            ignored: BTreeSet::new(),
            counts: vec![BTreeMap::new(); n],
            weights: vec![0.0; n],
            constraints,
        };
        let mut topo_size = vec![0usize; n];
        for node in filtered {
            if require_all && !node_has_all_keys(node, &st.constraints) {
                st.ignored.insert(node.idx);
                continue;
            }
            for (i, c) in st.constraints.iter().enumerate() {
                if c.topology_key == HOSTNAME {
                    continue;
                }
                let v = node
                    .labels
                    .get(&c.topology_key)
                    .cloned()
                    .unwrap_or_default();
                if let std::collections::btree_map::Entry::Vacant(e) = st.counts[i].entry(v) {
                    e.insert(0);
                    topo_size[i] += 1;
                }
            }
        }
        for (i, c) in st.constraints.iter().enumerate() {
            let sz = if c.topology_key == HOSTNAME {
                filtered.len() - st.ignored.len()
            } else {
                topo_size[i]
            };
            st.weights[i] = ((sz + 2) as f64).ln();
        }
        for node in h.cache.nodes() {
            if require_all && !node_has_all_keys(node, &st.constraints) {
                continue;
            }
            for i in 0..n {
                let c = &st.constraints[i];
                if c.topology_key == HOSTNAME || !node_included(c, pod, node) {
                    continue;
                }
                let v = node
                    .labels
                    .get(&c.topology_key)
                    .map(|s| s.as_str())
                    .unwrap_or("");
                if st.counts[i].contains_key(v) {
                    let cnt = count_matching(node, &c.selector, &pod.namespace);
                    *st.counts[i].get_mut(v).expect("present") += cnt;
                }
            }
        }
        state.write(st);
        Status::success()
    }

    fn score(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        let Some(st) = state.read::<PreScoreState>() else {
            return 0;
        };
        if st.ignored.contains(&node.idx) {
            return 0;
        }
        let mut score = 0.0;
        for (i, c) in st.constraints.iter().enumerate() {
            if let Some(v) = node.labels.get(&c.topology_key) {
                let cnt = if c.topology_key == HOSTNAME {
                    count_matching(node, &c.selector, &pod.namespace)
                } else {
                    st.counts[i].get(v).copied().unwrap_or(0)
                };
                score += cnt as f64 * st.weights[i] + (c.max_skew - 1) as f64;
            }
        }
        score.round() as i64
    }

    fn has_normalize(&self) -> bool {
        true
    }

    fn normalize_score(&self, state: &CycleState, _p: &PodInfo, scores: &mut [NodeScore]) {
        let Some(st) = state.read::<PreScoreState>() else {
            return;
        };
        let mut min = i64::MAX;
        let mut max = 0;
        for s in scores.iter() {
            if st.ignored.contains(&s.node) {
                continue;
            }
            min = min.min(s.score);
            max = max.max(s.score);
        }
        for s in scores.iter_mut() {
            if st.ignored.contains(&s.node) {
                s.score = 0;
                continue;
            }
            if max == 0 {
                s.score = MAX_NODE_SCORE;
                continue;
            }
            s.score = MAX_NODE_SCORE * (max + min - s.score) / max;
        }
    }
}
