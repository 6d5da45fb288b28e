//! VolumeBinding (basics): bound claims must reach their PV from the node;
//! unbound WaitForFirstConsumer claims need a matching available PV or a
//! provisioner; unbound Immediate claims block the pod. Reserve assumes
//! the chosen PVs so later pods do not take them.
//! Upstream: `pkg/scheduler/framework/plugins/volumebinding/volume_binding.go`,
//! `binder.go`; `pkg/controller/volume/persistentvolume/util` FindMatchingVolume.

use super::helper::node_selector_matches;
use crate::objects::quantity::amount;
use crate::scheduler::cache::Cache;
use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const NAME: &str = "VolumeBinding";
pub const ERR_BIND_CONFLICT: &str = "node(s) didn't find available persistent volumes to bind";
pub const ERR_NODE_CONFLICT: &str = "node(s) had volume node affinity conflict";
pub const ERR_PV_NOT_EXIST: &str =
    "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)";
pub const ERR_UNBOUND_IMMEDIATE: &str = "pod has unbound immediate PersistentVolumeClaims";

pub struct VolumeBinding;

/// (PV name, claim (namespace, name)) per delayed claim.
type Plan = Vec<(String, (String, String))>;

#[derive(Clone, Default)]
struct State {
    bound: Vec<Arc<PersistentVolumeClaim>>,
    delayed: Vec<Arc<PersistentVolumeClaim>>,
    /// node index → PV chosen per delayed claim (filled by Filter's dry run
    /// again in Reserve; kept here for the record).
    chosen: BTreeMap<usize, Vec<String>>,
}

fn claim_key(pvc: &PersistentVolumeClaim) -> (String, String) {
    (
        pvc.metadata.namespace.clone().unwrap_or_default(),
        pvc.metadata.name.clone().unwrap_or_default(),
    )
}

fn pv_matches_node(pv: &PersistentVolume, node: &NodeInfo) -> bool {
    match pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref())
    {
        Some(sel) => node_selector_matches(sel, node),
        None => true,
    }
}

fn class_of_claim(pvc: &PersistentVolumeClaim) -> String {
    pvc.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

/// `FindMatchingVolume`: the smallest available PV that satisfies the claim
/// and is reachable from the node.
fn find_matching_volume(
    pvc: &PersistentVolumeClaim,
    node: &NodeInfo,
    cache: &Cache,
    taken: &[String],
) -> Option<String> {
    let spec = pvc.spec.as_ref()?;
    let want = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(|q| amount(q).value())
        .unwrap_or(0);
    let class = class_of_claim(pvc);
    let modes: Vec<String> = spec.access_modes.clone().unwrap_or_default();
    let key = claim_key(pvc);
    let mut best: Option<(i64, String)> = None;
    for (name, pv) in &cache.pvs {
        let Some(ps) = pv.spec.as_ref() else { continue };
        if taken.contains(name) || cache.assumed_pvs.get(name).is_some_and(|c| *c != key) {
            continue;
        }
        if let Some(cr) = &ps.claim_ref {
            if cr.namespace.as_deref() != Some(&key.0) || cr.name.as_deref() != Some(&key.1) {
                continue;
            }
        }
        if ps.storage_class_name.clone().unwrap_or_default() != class {
            continue;
        }
        let phase = pv
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("Available");
        if phase != "Available" && ps.claim_ref.is_none() {
            continue;
        }
        let size = ps
            .capacity
            .as_ref()
            .and_then(|c| c.get("storage"))
            .map(|q| amount(q).value())
            .unwrap_or(0);
        if size < want {
            continue;
        }
        let pv_modes = ps.access_modes.clone().unwrap_or_default();
        if !modes.iter().all(|m| pv_modes.contains(m)) {
            continue;
        }
        if ps.volume_mode.as_deref().unwrap_or("Filesystem")
            != spec.volume_mode.as_deref().unwrap_or("Filesystem")
        {
            continue;
        }
        if !pv_matches_node(pv, node) {
            continue;
        }
        if best.as_ref().is_none_or(|(s, _)| size < *s) {
            best = Some((size, name.clone()));
        }
    }
    best.map(|(_, n)| n)
}

impl VolumeBinding {
    /// The PVs the delayed claims would use on `node`, or the failure.
    fn plan(&self, st: &State, node: &NodeInfo, cache: &Cache) -> Result<Plan, Status> {
        for pvc in &st.bound {
            let vol = pvc
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.clone())
                .unwrap_or_default();
            match cache.pvs.get(&vol) {
                None => return Err(Status::unresolvable(ERR_PV_NOT_EXIST)),
                Some(pv) if !pv_matches_node(pv, node) => {
                    return Err(Status::unresolvable(ERR_NODE_CONFLICT))
                }
                _ => {}
            }
        }
        let mut plan = Vec::new();
        let mut taken = Vec::new();
        for pvc in &st.delayed {
            match find_matching_volume(pvc, node, cache, &taken) {
                Some(pv) => {
                    taken.push(pv.clone());
                    plan.push((pv, claim_key(pvc)));
                }
                None => {
                    let provisioner = cache
                        .storage_classes
                        .get(&class_of_claim(pvc))
                        .map(|sc| sc.provisioner.clone())
                        .unwrap_or_default();
                    if provisioner.is_empty() || provisioner == "kubernetes.io/no-provisioner" {
                        return Err(Status::unresolvable(ERR_BIND_CONFLICT));
                    }
                }
            }
        }
        Ok(plan)
    }
}

impl Plugin for VolumeBinding {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER | points::RESERVE
    }
    fn pre_filter(&self, state: &mut CycleState, pod: &PodInfo, h: &Handle) -> Status {
        if pod.pvcs.is_empty() {
            return Status::skip();
        }
        let mut st = State::default();
        let mut immediate_unbound = false;
        for name in &pod.pvcs {
            let Some(pvc) = h.cache.pvcs.get(&(pod.namespace.clone(), name.clone())) else {
                return Status::unresolvable(format!("persistentvolumeclaim \"{name}\" not found"));
            };
            if pvc.metadata.deletion_timestamp.is_some() {
                return Status::unresolvable(format!(
                    "persistentvolumeclaim \"{name}\" is being deleted"
                ));
            }
            let bound = pvc
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .is_some_and(|v| !v.is_empty());
            if bound {
                st.bound.push(pvc.clone());
                continue;
            }
            let mode = h
                .cache
                .storage_classes
                .get(&class_of_claim(pvc))
                .and_then(|sc| sc.volume_binding_mode.clone())
                .unwrap_or_else(|| "Immediate".into());
            if mode == "WaitForFirstConsumer" {
                st.delayed.push(pvc.clone());
            } else {
                immediate_unbound = true;
            }
        }
        if immediate_unbound {
            return Status::unresolvable(ERR_UNBOUND_IMMEDIATE);
        }
        state.write(st);
        Status::success()
    }
    fn filter(&self, state: &CycleState, _pod: &PodInfo, node: &NodeInfo, h: &Handle) -> Status {
        let Some(st) = state.read::<State>() else {
            return Status::success();
        };
        match self.plan(st, node, h.cache) {
            Ok(_) => Status::success(),
            Err(s) => s,
        }
    }
    fn reserve(
        &self,
        state: &mut CycleState,
        _pod: &PodInfo,
        node: &str,
        cache: &mut Cache,
    ) -> Status {
        let Some(st) = state.read::<State>().cloned() else {
            return Status::success();
        };
        let Some(ni) = cache.node_by_name(node).cloned() else {
            return Status::success();
        };
        if let Ok(plan) = self.plan(&st, &ni, cache) {
            let mut st = st;
            st.chosen
                .insert(ni.idx, plan.iter().map(|(pv, _)| pv.clone()).collect());
            for (pv, claim) in plan {
                cache.assumed_pvs.insert(pv, claim);
            }
            state.write(st);
        }
        Status::success()
    }
    fn unreserve(&self, state: &mut CycleState, _pod: &PodInfo, node: &str, cache: &mut Cache) {
        let idx = cache.node_index(node);
        if let (Some(st), Some(idx)) = (state.read::<State>(), idx) {
            for pv in st.chosen.get(&idx).into_iter().flatten() {
                cache.assumed_pvs.remove(pv);
            }
        }
    }
}
