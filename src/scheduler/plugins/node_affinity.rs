//! NodeAffinity: Filter on nodeSelector and required node affinity (plus a
//! profile's addedAffinity); Score sums the weights of matching preferred
//! terms, normalised by DefaultNormalizeScore.
//! Upstream: `pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`.

use super::helper::{node_selector_matches, pod_matches_node_affinity, term_matches};
use crate::scheduler::framework::{
    default_normalize_score, points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::NodeAffinity as K8sNodeAffinity;

pub const NAME: &str = "NodeAffinity";
/// `ErrReasonPod`.
pub const ERR_REASON_POD: &str = "node(s) didn't match Pod's node affinity/selector";
/// `errReasonEnforced`.
pub const ERR_REASON_ENFORCED: &str = "node(s) didn't match scheduler-enforced node affinity";

/// NodeAffinityArgs.addedAffinity.
#[derive(Default)]
pub struct NodeAffinity {
    pub added_affinity: Option<K8sNodeAffinity>,
}

impl NodeAffinity {
    fn added_matches(&self, node: &NodeInfo) -> bool {
        match self.added_affinity.as_ref().and_then(|a| {
            a.required_during_scheduling_ignored_during_execution
                .as_ref()
        }) {
            Some(sel) => node_selector_matches(sel, node),
            None => true,
        }
    }
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn pre_filter(&self, _s: &mut CycleState, pod: &PodInfo, _h: &Handle) -> Status {
        let added = self.added_affinity.as_ref().is_some_and(|a| {
            a.required_during_scheduling_ignored_during_execution
                .is_some()
        });
        if pod.required_node_affinity.is_none() && pod.node_selector.is_empty() && !added {
            return Status::skip();
        }
        Status::success()
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        if !self.added_matches(node) {
            return Status::unresolvable(ERR_REASON_ENFORCED);
        }
        if !pod_matches_node_affinity(pod, node) {
            return Status::unresolvable(ERR_REASON_POD);
        }
        Status::success()
    }
    fn pre_score(
        &self,
        _s: &mut CycleState,
        pod: &PodInfo,
        _n: &[&NodeInfo],
        _h: &Handle,
    ) -> Status {
        let added = self
            .added_affinity
            .as_ref()
            .and_then(|a| {
                a.preferred_during_scheduling_ignored_during_execution
                    .as_ref()
            })
            .is_some_and(|v| !v.is_empty());
        if pod.preferred_node_affinity.is_empty() && !added {
            return Status::skip();
        }
        Status::success()
    }
    fn score(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        let added = self
            .added_affinity
            .as_ref()
            .and_then(|a| {
                a.preferred_during_scheduling_ignored_during_execution
                    .as_deref()
            })
            .unwrap_or(&[]);
        pod.preferred_node_affinity
            .iter()
            .chain(added.iter())
            .filter(|t| t.weight != 0 && term_matches(&t.preference, node))
            .map(|t| t.weight as i64)
            .sum()
    }
    fn has_normalize(&self) -> bool {
        true
    }
    fn normalize_score(&self, _s: &CycleState, _p: &PodInfo, scores: &mut [NodeScore]) {
        default_normalize_score(MAX_NODE_SCORE, false, scores);
    }
}
