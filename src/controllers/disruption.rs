//! The disruption controller, after `pkg/controller/disruption/
//! disruption.go` (`trySync`, `getExpectedPodCount`, `getExpectedScale`,
//! `countHealthyPods`, `updatePdbStatus`): PodDisruptionBudget status.

use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::Object;
use crate::sim::store::{Store, WatchEvent};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::{Pod, ReplicationController};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::any::Any;
use std::collections::BTreeMap;

const COMPONENT: &str = "controllermanager";

#[derive(Default)]
pub struct DisruptionController;

impl DisruptionController {
    pub fn new() -> Self {
        DisruptionController
    }
}

impl Controller for DisruptionController {
    fn name(&self) -> &'static str {
        "disruption-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::PodDisruptionBudget(p) => q.add(object_key(
                p.metadata.namespace.as_deref(),
                p.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(p) => {
                let ns = p.metadata.namespace.as_deref().unwrap_or("");
                for pdb in store.list_as::<PodDisruptionBudget>(Some(ns)) {
                    let sel = pdb.spec.as_ref().and_then(|s| s.selector.as_ref());
                    let matches = |l| util::selector_matches(sel, l);
                    if matches(p.metadata.labels.as_ref())
                        || ev
                            .old
                            .as_ref()
                            .is_some_and(|o| matches(o.meta().labels.as_ref()))
                    {
                        q.add(object_key(
                            Some(ns),
                            pdb.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            Object::Deployment(_) | Object::ReplicaSet(_) | Object::StatefulSet(_) => {
                let ns = ev.object.meta().namespace.as_deref().unwrap_or("");
                for pdb in store.list_as::<PodDisruptionBudget>(Some(ns)) {
                    q.add(object_key(
                        Some(ns),
                        pdb.metadata.name.as_deref().unwrap_or(""),
                    ));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((obj, pdb)) = util::get::<PodDisruptionBudget>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        let spec = pdb.spec.clone().unwrap_or_default();
        let pods: Vec<Pod> = ctx
            .store
            .list_as::<Pod>(Some(ns))
            .filter(|p| util::selector_matches(spec.selector.as_ref(), p.metadata.labels.as_ref()))
            .cloned()
            .collect();
        if pods.is_empty() {
            util::record(
                ctx.store,
                &obj,
                "Normal",
                "NoPods",
                "No matching pods found",
                COMPONENT,
            );
        }
        let (expected, desired) = if let Some(mu) = &spec.max_unavailable {
            let expected = expected_scale(ctx.store, ns, &pods);
            let mu = util::scaled_value(mu, expected, true).unwrap_or(0);
            (expected, (expected - mu).max(0))
        } else if let Some(ma) = &spec.min_available {
            match ma {
                IntOrString::Int(i) => (pods.len() as i32, *i),
                IntOrString::String(_) => {
                    let expected = expected_scale(ctx.store, ns, &pods);
                    (
                        expected,
                        util::scaled_value(ma, expected, true).unwrap_or(0),
                    )
                }
            }
        } else {
            (pods.len() as i32, 0)
        };
        let healthy = pods
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none() && util::is_pod_ready(p))
            .count() as i32;
        let mut allowed = healthy - desired;
        if expected <= 0 || allowed <= 0 {
            allowed = 0;
        }
        let old = pdb.status.clone().unwrap_or_default();
        let (status, reason) = if allowed > 0 {
            ("True", "SufficientPods")
        } else {
            ("False", "InsufficientPods")
        };
        let prev = old
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "DisruptionAllowed");
        let cond = Condition {
            type_: "DisruptionAllowed".into(),
            status: status.into(),
            reason: reason.into(),
            message: String::new(),
            observed_generation: pdb.metadata.generation,
            last_transition_time: match prev {
                Some(p) if p.status == status => p.last_transition_time.clone(),
                _ => ctx.store.timestamp_secs(),
            },
        };
        let st = PodDisruptionBudgetStatus {
            conditions: Some(vec![cond]),
            current_healthy: healthy,
            desired_healthy: desired,
            disrupted_pods: old.disrupted_pods.clone(),
            disruptions_allowed: allowed,
            expected_pods: expected,
            observed_generation: pdb.metadata.generation,
        };
        if pdb.status.as_ref() != Some(&st) {
            let _ = ctx
                .store
                .modify::<PodDisruptionBudget>(ns, name, true, |p| p.status = Some(st.clone()));
        }
        Action::AwaitChange
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `getExpectedScale`: the replicas of each distinct controller of the
/// pods (a ReplicaSet owned by a Deployment counts as the Deployment).
fn expected_scale(store: &Store, ns: &str, pods: &[Pod]) -> i32 {
    let mut seen: BTreeMap<String, i32> = BTreeMap::new();
    for p in pods {
        let Some(r) = util::controller_of(&p.metadata) else {
            continue;
        };
        let (uid, replicas) = match r.kind.as_str() {
            "ReplicaSet" => match store.get_as::<ReplicaSet>(ns, &r.name) {
                Some(rs) => {
                    match util::controller_of(&rs.metadata).filter(|o| o.kind == "Deployment") {
                        Some(d) => match store.get_as::<Deployment>(ns, &d.name) {
                            Some(dep) => (
                                d.uid.clone(),
                                dep.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                            ),
                            None => continue,
                        },
                        None => (
                            r.uid.clone(),
                            rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                        ),
                    }
                }
                None => continue,
            },
            "StatefulSet" => match store.get_as::<StatefulSet>(ns, &r.name) {
                Some(s) => (
                    r.uid.clone(),
                    s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                ),
                None => continue,
            },
            "ReplicationController" => match store.get_as::<ReplicationController>(ns, &r.name) {
                Some(rc) => (
                    r.uid.clone(),
                    rc.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                ),
                None => continue,
            },
            _ => continue,
        };
        seen.insert(uid, replicas);
    }
    seen.values().sum()
}
