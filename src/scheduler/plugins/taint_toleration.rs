//! TaintToleration: Filter rejects nodes with an untolerated NoSchedule or
//! NoExecute taint; Score prefers nodes with fewer untolerated
//! PreferNoSchedule taints (reversed DefaultNormalizeScore).
//! Upstream: `pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go`.
//!
//! The reason names the first untolerated taint, as release-1.33's
//! `taint_toleration.go` Filter does:
//! `fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value)`.
//! (kubernetes#134740 replaced it with `node(s) had untolerated taint(s)`
//! on master for v1.35 and was cherry-picked to release-1.34 as #135023;
//! no release-1.33 cherry-pick is known, so v1.33 prints the taint.)

use super::helper::{find_untolerated_taint, tolerations_tolerate};
use crate::scheduler::framework::{
    default_normalize_score, points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::{Taint, Toleration};

pub const NAME: &str = "TaintToleration";
/// The Filter reason for an untolerated NoSchedule / NoExecute taint
/// (`{key: value}`, an empty value printing as `{key: }`).
pub fn err_reason_untolerated(t: &Taint) -> String {
    format!(
        "node(s) had untolerated taint {{{}: {}}}",
        t.key,
        t.value.as_deref().unwrap_or("")
    )
}

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
            Some(t) => Status::unresolvable(err_reason_untolerated(t)),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// tainttoleration/taint_toleration_test.go TestTaintTolerationFilter
    /// (release-1.33): "A pod having no tolerations can't be scheduled onto
    /// a node with nonempty taints" wants
    /// `node(s) had untolerated taint {dedicated: user1}`.
    #[test]
    fn filter_reason_names_the_taint() {
        let t = Taint {
            key: "dedicated".into(),
            value: Some("user1".into()),
            effect: "NoSchedule".into(),
            time_added: None,
        };
        assert_eq!(
            err_reason_untolerated(&t),
            "node(s) had untolerated taint {dedicated: user1}"
        );
        let cp = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            value: None,
            effect: "NoSchedule".into(),
            time_added: None,
        };
        assert_eq!(
            err_reason_untolerated(&cp),
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"
        );
    }
}
