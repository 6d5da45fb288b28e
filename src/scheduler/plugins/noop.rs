//! Default-profile plugins kubesim names but does not model:
//! VolumeRestrictions (`plugins/volumerestrictions`) and NodeVolumeLimits
//! (`plugins/nodevolumelimits`). Their PreFilter returns Skip, so they never
//! reject a node and do not appear in decision records.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::pod_info::PodInfo;

pub struct Noop(pub &'static str);

impl Plugin for Noop {
    fn name(&self) -> &'static str {
        self.0
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, _s: &mut CycleState, _p: &PodInfo, _h: &Handle) -> Status {
        Status::skip()
    }
}
