//! NodeName: a pod naming `spec.nodeName` fits only that node.
//! Upstream: `pkg/scheduler/framework/plugins/nodename/node_name.go`.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;

pub const NAME: &str = "NodeName";
/// `ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't match the requested node name";

pub struct NodeName;

impl Plugin for NodeName {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER
    }
    /// Not in upstream's plugin (it has no PreFilter): skipping the Filter
    /// for pods without spec.nodeName changes no verdict and saves a call
    /// per node.
    fn pre_filter(&self, _s: &mut CycleState, pod: &PodInfo, _h: &Handle) -> Status {
        if pod.node_name.is_empty() {
            Status::skip()
        } else {
            Status::success()
        }
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        if pod.node_name.is_empty() || pod.node_name == node.name {
            Status::success()
        } else {
            Status::unresolvable(ERR_REASON)
        }
    }
}
