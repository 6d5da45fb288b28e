//! NodeUnschedulable: nodes with `spec.unschedulable` reject pods that do
//! not tolerate `node.kubernetes.io/unschedulable:NoSchedule`.
//! Upstream: `pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go`.

use super::helper::tolerations_tolerate;
use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::Taint;

pub const NAME: &str = "NodeUnschedulable";
/// `ErrReasonUnschedulable`.
pub const ERR_REASON_UNSCHEDULABLE: &str = "node(s) were unschedulable";

pub struct NodeUnschedulable;

impl Plugin for NodeUnschedulable {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::FILTER
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        if !node.unschedulable {
            return Status::success();
        }
        let taint = Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            value: None,
            time_added: None,
        };
        if tolerations_tolerate(&pod.tolerations, &taint) {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON_UNSCHEDULABLE)
        }
    }
}
