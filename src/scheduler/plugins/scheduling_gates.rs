//! SchedulingGates: pods with `spec.schedulingGates` wait outside the
//! active queue (PreEnqueue).
//! Upstream: `pkg/scheduler/framework/plugins/schedulinggates/scheduling_gates.go`.

use crate::scheduler::framework::{points, Plugin, Status};
use crate::scheduler::pod_info::PodInfo;

pub const NAME: &str = "SchedulingGates";

pub struct SchedulingGates;

impl Plugin for SchedulingGates {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_ENQUEUE
    }
    fn pre_enqueue(&self, pod: &PodInfo) -> Status {
        if pod.scheduling_gated {
            Status::unresolvable("waiting for scheduling gates")
        } else {
            Status::success()
        }
    }
}
