//! TaintToleration: Filter rejects nodes with an untolerated NoSchedule or
//! NoExecute taint; Score prefers nodes with fewer untolerated
//! PreferNoSchedule taints (reversed DefaultNormalizeScore).
//! Upstream: `pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`.
//!
//! The reason text follows current patch releases (kubernetes#134740 and
//! its cherry-picks): taint keys and values are no longer printed. Early
//! v1.33 patches (up to v1.33.5 at least) printed
//! `node(s) had untolerated taint {key: value}`; flip the constant to
//! reproduce one of those.

use super::helper::{find_untolerated_taint, tolerations_tolerate};
use crate::scheduler::framework::{
    default_normalize_score, points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::Toleration;

pub const NAME: &str = "TaintToleration";
/// `ErrReasonNotMatch`.
pub const ERR_REASON_NOT_MATCH: &str = "node(s) had untolerated taint(s)";

pub struct TaintToleration;

#[derive(Clone)]
struct PreScoreState {
    tolerations_prefer_no_schedule: Vec<Toleration>,
}

impl Plugin for TaintToleration {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        if node.taints.is_empty() {
            return Status::success();
        }
        let untolerated = find_untolerated_taint(&node.taints, &pod.tolerations, |t| {
            t.effect == "NoSchedule" || t.effect == "NoExecute"
        });
        match untolerated {
            None => Status::success(),
            Some(_) => Status::unresolvable(ERR_REASON_NOT_MATCH),
        }
    }
    fn pre_score(
        &self,
        s: &mut CycleState,
        pod: &PodInfo,
        _n: &[&NodeInfo],
        _h: &Handle,
    ) -> Status {
        // getAllTolerationPreferNoSchedule: empty effect means all effects.
        let tolerations_prefer_no_schedule = pod
            .tolerations
            .iter()
            .filter(|t| {
                let e = t.effect.as_deref().unwrap_or("");
                e.is_empty() || e == "PreferNoSchedule"
            })
            .cloned()
            .collect();
        s.write(PreScoreState {
            tolerations_prefer_no_schedule,
        });
        Status::success()
    }
    fn score(&self, s: &CycleState, _pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        if node.taints.is_empty() {
            return 0;
        }
        let tols = s
            .read::<PreScoreState>()
            .map(|st| st.tolerations_prefer_no_schedule.as_slice())
            .unwrap_or(&[]);
        node.taints
            .iter()
            .filter(|t| t.effect == "PreferNoSchedule" && !tolerations_tolerate(tols, t))
            .count() as i64
    }
    fn has_normalize(&self) -> bool {
        true
    }
    fn normalize_score(&self, _s: &CycleState, _p: &PodInfo, scores: &mut [NodeScore]) {
        default_normalize_score(MAX_NODE_SCORE, true, scores);
    }
}
