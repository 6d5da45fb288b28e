//! NodePorts: a wanted hostPort must be free on the node.
//! Upstream: `pkg/scheduler/framework/plugins/nodeports/node_ports.go`.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;

pub const NAME: &str = "NodePorts";
/// `ErrReason`.
pub const ERR_REASON: &str = "node(s) didn't have free ports for the requested pod ports";

pub struct NodePorts;

impl Plugin for NodePorts {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _s: &mut CycleState, pod: &PodInfo, _h: &Handle) -> Status {
        if pod.host_ports.is_empty() {
            return Status::skip();
        }
        Status::success()
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        if pod.host_ports.iter().any(|p| node.port_conflicts(p)) {
            Status::unschedulable(ERR_REASON)
        } else {
            Status::success()
        }
    }
}
