//! The ReplicaSet controller, after `pkg/controller/replicaset/replica_set.go`
//! (`syncReplicaSet`, `manageReplicas`, `getPodsToDelete`,
//! `calculateStatus` in `replica_set_utils.go`) and the deletion order of
//! `pkg/controller/controller_utils.go` `ActivePodsWithRanks`.

use super::util::{self, is_pod_active, is_pod_available, is_pod_ready};
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent};
use k8s_openapi::api::apps::v1::{ReplicaSet, ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::any::Any;
use std::cmp::Ordering;
use std::collections::BTreeMap;

const COMPONENT: &str = "replicaset-controller";

#[derive(Default)]
pub struct ReplicaSetController;

impl ReplicaSetController {
    pub fn new() -> Self {
        ReplicaSetController
    }
}

impl Controller for ReplicaSetController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::ReplicaSet(rs) => q.add(object_key(
                rs.metadata.namespace.as_deref(),
                rs.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(p) => {
                // The owning RS, the previous owner, or (orphans) every RS
                // whose selector matches: it may adopt the pod.
                let keys = util::pod_event_keys::<ReplicaSet>(
                    &p.metadata,
                    ev.old.as_ref().map(|o| o.meta()),
                    store,
                    |rs| rs.spec.as_ref().map(|s| &s.selector),
                );
                keys.owners
                    .into_iter()
                    .chain(keys.adopters)
                    .for_each(|k| q.add(k));
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((obj, rs)) = util::get::<ReplicaSet>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        sync_replica_set(ctx, &obj, rs)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn sync_replica_set(ctx: &mut Ctx, obj: &Object, rs: ReplicaSet) -> Action {
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let name = rs.metadata.name.clone().unwrap_or_default();
    let spec = rs.spec.clone().unwrap_or_default();
    // Ignore inactive pods, then adopt/release by selector.
    let active: Vec<Pod> = util::pods_in(ctx.store, &ns)
        .into_iter()
        .filter(is_pod_active)
        .collect();
    let pods = util::claim_pods(
        ctx.store,
        Kind::ReplicaSet,
        &rs.metadata,
        Some(&spec.selector),
        active,
    );

    let mut manage_err = None;
    if rs.metadata.deletion_timestamp.is_none() {
        manage_err = manage_replicas(ctx, obj, &rs, &pods).err();
    }

    let now = ctx.store.timestamp();
    let status = calculate_status(&rs, &pods, manage_err.as_deref(), &now);
    // Re-read: manage_replicas may have recorded events but never touches the RS.
    let _ = ctx.store.modify::<ReplicaSet>(&ns, &name, true, |r| {
        let mut st = status.clone();
        st.observed_generation = r.metadata.generation;
        r.status = Some(st);
    });

    // minReadySeconds: come back when the next ready pod turns available.
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let next = pods
        .iter()
        .filter_map(|p| util::until_available(p, min_ready, &now))
        .min();
    match next {
        Some(d) => Action::RequeueAfter(d),
        None => Action::AwaitChange,
    }
}

/// `manageReplicas`: create the missing pods or delete the surplus ones.
fn manage_replicas(
    ctx: &mut Ctx,
    obj: &Object,
    rs: &ReplicaSet,
    pods: &[Pod],
) -> Result<(), String> {
    let spec = rs.spec.clone().unwrap_or_default();
    let want = spec.replicas.unwrap_or(1).max(0) as usize;
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let name = rs.metadata.name.clone().unwrap_or_default();
    let burst = super::timings::MAX_POD_CREATE_DELETE_PER_SYNC;
    if pods.len() < want {
        let diff = (want - pods.len()).min(burst);
        let template = spec.template.clone().unwrap_or_default();
        let cref = util::new_controller_ref(Kind::ReplicaSet, &rs.metadata);
        let prefix = format!("{name}-");
        // Slow start (`slowStartBatch`): batches of 1, 2, 4 ...; the first
        // failure skips the rest.
        for _ in 0..diff {
            util::create_pod(ctx.store, ctx.rng, obj, COMPONENT, |suffix| {
                util::pod_from_template(&template, &ns, &prefix, suffix, cref.clone())
            })
            .map_err(|e| e.message)?;
        }
    } else if pods.len() > want {
        let diff = (pods.len() - want).min(burst);
        let related = related_pods(ctx.store, rs);
        let now = ctx.store.timestamp();
        for pod in pods_to_delete(pods, &related, diff, &now) {
            util::delete_pod(ctx.store, obj, &pod, COMPONENT).map_err(|e| e.message)?;
        }
    }
    Ok(())
}

/// `getIndirectlyRelatedPods`: the pods of every ReplicaSet that has the
/// same controller as `rs` (the Deployment's other ReplicaSets), or just the
/// RS's own pods when it has no controller.
fn related_pods(store: &Store, rs: &ReplicaSet) -> Vec<Pod> {
    let ns = rs.metadata.namespace.as_deref().unwrap_or("");
    let owner_uid = util::controller_of(&rs.metadata).map(|r| r.uid.clone());
    let rs_uids: Vec<String> = store
        .list_as::<ReplicaSet>(Some(ns))
        .filter(|o| match &owner_uid {
            Some(u) => util::is_controlled_by(&o.metadata, u),
            None => o.metadata.uid == rs.metadata.uid,
        })
        .filter_map(|o| o.metadata.uid.clone())
        .collect();
    store
        .list_as::<Pod>(Some(ns))
        .filter(|p| util::controller_of(&p.metadata).is_some_and(|r| rs_uids.contains(&r.uid)))
        .cloned()
        .collect()
}

/// `getPodsToDelete`: rank the candidates with `ActivePodsWithRanks` and take
/// the first `diff`.
pub fn pods_to_delete(pods: &[Pod], related: &[Pod], diff: usize, now: &Time) -> Vec<Pod> {
    let mut on_node: BTreeMap<&str, i32> = BTreeMap::new();
    for p in related.iter().filter(|p| is_pod_active(p)) {
        *on_node.entry(util::pod_node(p)).or_default() += 1;
    }
    let mut ranked: Vec<(&Pod, i32)> = pods
        .iter()
        .map(|p| (p, on_node.get(util::pod_node(p)).copied().unwrap_or(0)))
        .collect();
    if diff < ranked.len() {
        ranked.sort_by(|a, b| compare_for_deletion(a, b, now));
    }
    ranked
        .into_iter()
        .take(diff)
        .map(|(p, _)| p.clone())
        .collect()
}

fn phase_ordinal(p: &Pod) -> i32 {
    match util::pod_phase(p) {
        "Pending" => 0,
        "Unknown" => 1,
        "Running" => 2,
        _ => 0,
    }
}

fn deletion_cost(p: &Pod) -> i32 {
    util::annotation(&p.metadata, "controller.kubernetes.io/pod-deletion-cost")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `logarithmicRankDiff`: compares ages in log2 buckets relative to now.
fn log_rank(t: &Time, now: &Time) -> i64 {
    let d = now.0.duration_since(t.0).as_nanos();
    if d > 0 {
        (d as f64).log2() as i64
    } else {
        -1
    }
}

/// `ActivePodsWithRanks.Less`: Less means "delete first".
fn compare_for_deletion(a: &(&Pod, i32), b: &(&Pod, i32), now: &Time) -> Ordering {
    let (pa, ra) = (a.0, a.1);
    let (pb, rb) = (b.0, b.1);
    // 1. Unassigned < assigned.
    let (na, nb) = (util::pod_node(pa), util::pod_node(pb));
    if na != nb && (na.is_empty() || nb.is_empty()) {
        return if na.is_empty() {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 2. Pending < Unknown < Running.
    let c = phase_ordinal(pa).cmp(&phase_ordinal(pb));
    if c != Ordering::Equal {
        return c;
    }
    // 3. Not ready < ready.
    if is_pod_ready(pa) != is_pod_ready(pb) {
        return if !is_pod_ready(pa) {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 4. Lower pod-deletion-cost first.
    let c = deletion_cost(pa).cmp(&deletion_cost(pb));
    if c != Ordering::Equal {
        return c;
    }
    // 5. Doubled up (more related pods on the node) first.
    if ra != rb {
        return rb.cmp(&ra);
    }
    let uid_order = || pa.metadata.uid.cmp(&pb.metadata.uid);
    // 6. Ready for a shorter time first (log2 buckets, ties by UID).
    if is_pod_ready(pa) && is_pod_ready(pb) {
        let (ta, tb) = (util::pod_ready_time(pa), util::pod_ready_time(pb));
        if ta != tb {
            if let (Some(ta), Some(tb)) = (&ta, &tb) {
                let d = log_rank(ta, now) - log_rank(tb, now);
                return if d == 0 { uid_order() } else { d.cmp(&0) };
            }
        }
    }
    // 7. More restarts first.
    let c = util::max_container_restarts(pb).cmp(&util::max_container_restarts(pa));
    if c != Ordering::Equal {
        return c;
    }
    // 8. Newer first (log2 buckets, ties by UID).
    let (ca, cb) = (
        &pa.metadata.creation_timestamp,
        &pb.metadata.creation_timestamp,
    );
    if ca != cb {
        if let (Some(ca), Some(cb)) = (ca, cb) {
            let d = log_rank(ca, now) - log_rank(cb, now);
            return if d == 0 { uid_order() } else { d.cmp(&0) };
        }
    }
    Ordering::Equal
}

/// `calculateStatus` (`replica_set_utils.go`).
fn calculate_status(
    rs: &ReplicaSet,
    pods: &[Pod],
    manage_err: Option<&str>,
    now: &Time,
) -> ReplicaSetStatus {
    let spec = rs.spec.clone().unwrap_or_default();
    let mut st = rs.status.clone().unwrap_or_default();
    let template_labels = spec
        .template
        .as_ref()
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    let tsel = crate::objects::selectors::Selector::from_map(&template_labels);
    let min_ready = spec.min_ready_seconds.unwrap_or(0);
    let fully = pods
        .iter()
        .filter(|p| tsel.matches_opt(p.metadata.labels.as_ref()))
        .count() as i32;
    let ready = pods.iter().filter(|p| is_pod_ready(p)).count() as i32;
    let available = pods
        .iter()
        .filter(|p| is_pod_available(p, min_ready, now))
        .count() as i32;
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let has_failure = conds.iter().any(|c| c.type_ == "ReplicaFailure");
    match manage_err {
        Some(msg) if !has_failure => {
            let want = spec.replicas.unwrap_or(1) as usize;
            let reason = match pods.len().cmp(&want) {
                Ordering::Less => "FailedCreate",
                Ordering::Greater => "FailedDelete",
                Ordering::Equal => "",
            };
            conds.push(ReplicaSetCondition {
                type_: "ReplicaFailure".into(),
                status: "True".into(),
                reason: Some(reason.into()),
                message: Some(msg.to_string()),
                last_transition_time: Some(Time(now.0)),
            });
        }
        None if has_failure => conds.retain(|c| c.type_ != "ReplicaFailure"),
        _ => {}
    }
    if st.conditions.as_ref().is_some_and(|c| c.is_empty()) {
        st.conditions = None;
    }
    st.replicas = pods.len() as i32;
    st.fully_labeled_replicas = util::nz(fully);
    st.ready_replicas = util::nz(ready);
    st.available_replicas = util::nz(available);
    st
}
