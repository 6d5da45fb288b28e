//! VolumeZone: a bound PV's zone/region labels must match the node's.
//! Upstream: `pkg/scheduler/framework/plugins/volumezone/volume_zone.go`.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;

pub const NAME: &str = "VolumeZone";
/// `ErrReasonConflict`.
pub const ERR_REASON_CONFLICT: &str = "node(s) had no available volume zone";

const TOPOLOGY_LABELS: [&str; 4] = [
    "failure-domain.beta.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
];

pub struct VolumeZone;

#[derive(Clone, Default)]
struct State {
    /// (label key, allowed values) from the bound PVs.
    topology: Vec<(String, Vec<String>)>,
}

impl Plugin for VolumeZone {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, h: &Handle) -> Status {
        let mut st = State::default();
        for name in &pod.pvcs {
            let Some(pvc) = h.cache.pvcs.get(&(pod.namespace.clone(), name.clone())) else {
                continue;
            };
            let vol = pvc
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.clone())
                .unwrap_or_default();
            let Some(pv) = h.cache.pvs.get(&vol) else {
                continue;
            };
            for (k, v) in pv.metadata.labels.iter().flatten() {
                if TOPOLOGY_LABELS.contains(&k.as_str()) {
                    // volumehelpers.LabelZonesToSet: values joined by "__".
                    st.topology
                        .push((k.clone(), v.split("__").map(str::to_string).collect()));
                }
            }
        }
        if st.topology.is_empty() {
            return Status::skip();
        }
        state.write(st);
        Status::success()
    }
    fn filter(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        let Some(st) = state.read::<State>() else {
            return Status::success();
        };
        let has_topology = node
            .labels
            .keys()
            .any(|k| TOPOLOGY_LABELS.contains(&k.as_str()));
        if !has_topology {
            return Status::success();
        }
        for (k, vals) in &st.topology {
            match node.labels.get(k) {
                Some(v) if vals.contains(v) => {}
                _ => return Status::unresolvable(ERR_REASON_CONFLICT),
            }
        }
        Status::success()
    }
}
