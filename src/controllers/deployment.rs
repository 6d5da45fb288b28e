//! The Deployment controller, after `pkg/controller/deployment/`:
//! `deployment_controller.go` (`syncDeployment`), `sync.go` (new ReplicaSet,
//! revisions, scaling, status, cleanup), `rolling.go`, `recreate.go`,
//! `progress.go` and `util/deployment_util.go` (annotations, fenceposts,
//! conditions).

use super::util::{self, nz};
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent, WatchEventType, WriteOptions};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet, ReplicaSetSpec,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

const COMPONENT: &str = "deployment-controller";

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const CHANGE_CAUSE_ANNOTATION: &str = "kubernetes.io/change-cause";
pub const LAST_APPLIED_ANNOTATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
/// `deployment_util.go` `maxRevHistoryLengthInChars`.
const MAX_REV_HISTORY_LENGTH: usize = 2000;

// Condition reasons (`deployment_util.go`).
pub const REASON_RS_UPDATED: &str = "ReplicaSetUpdated";
pub const REASON_FAILED_RS_CREATE: &str = "ReplicaSetCreateError";
pub const REASON_NEW_RS: &str = "NewReplicaSetCreated";
pub const REASON_FOUND_NEW_RS: &str = "FoundNewReplicaSet";
pub const REASON_NEW_RS_AVAILABLE: &str = "NewReplicaSetAvailable";
pub const REASON_TIMED_OUT: &str = "ProgressDeadlineExceeded";
pub const REASON_PAUSED: &str = "DeploymentPaused";
pub const REASON_RESUMED: &str = "DeploymentResumed";
pub const REASON_MIN_AVAILABLE: &str = "MinimumReplicasAvailable";
pub const REASON_MIN_UNAVAILABLE: &str = "MinimumReplicasUnavailable";

/// Annotations a Deployment never copies onto its ReplicaSets
/// (`annotationsToSkip`), and that a rollback keeps on the Deployment.
pub const ANNOTATIONS_TO_SKIP: [&str; 5] = [
    LAST_APPLIED_ANNOTATION,
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
];

#[derive(Default)]
pub struct DeploymentController;

impl DeploymentController {
    pub fn new() -> Self {
        DeploymentController
    }
}

impl Controller for DeploymentController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Deployment(d) => q.add(object_key(
                d.metadata.namespace.as_deref(),
                d.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::ReplicaSet(rs) => {
                let ns = rs.metadata.namespace.as_deref().unwrap_or("");
                let mut found = false;
                for m in [Some(&rs.metadata), ev.old.as_ref().map(|o| o.meta())]
                    .into_iter()
                    .flatten()
                {
                    if let Some(k) = util::controller_key(m, "Deployment") {
                        q.add(k);
                        found = true;
                    }
                }
                if !found && util::controller_of(&rs.metadata).is_none() {
                    // An orphan: every Deployment whose selector matches may adopt it.
                    for d in store.list_as::<Deployment>(Some(ns)) {
                        let sel = d.spec.as_ref().map(|s| &s.selector);
                        if util::selector_matches(sel, rs.metadata.labels.as_ref()) {
                            q.add(object_key(
                                Some(ns),
                                d.metadata.name.as_deref().unwrap_or(""),
                            ));
                        }
                    }
                }
            }
            // Recreate waits for the old pods to be gone (`deletePod`).
            Object::Pod(p) if ev.event_type == WatchEventType::Deleted => {
                let ns = p.metadata.namespace.as_deref().unwrap_or("");
                if let Some(r) = util::controller_of(&p.metadata).filter(|r| r.kind == "ReplicaSet")
                {
                    if let Some(rs) = store.get_as::<ReplicaSet>(ns, &r.name) {
                        if let Some(k) = util::controller_key(&rs.metadata, "Deployment") {
                            q.add(k);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((_, d)) = util::get::<Deployment>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        let mut s = Sync { ctx, d };
        s.sync_deployment()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- pure helpers (also used by `rollout`) ----------------------------

/// `ResolveFenceposts`: (maxSurge, maxUnavailable) for `desired` replicas;
/// surge rounds up, unavailable down, and both zero makes unavailable 1.
pub fn resolve_fenceposts(
    max_surge: Option<&IntOrString>,
    max_unavailable: Option<&IntOrString>,
    desired: i32,
) -> (i32, i32) {
    let zero = IntOrString::Int(0);
    let surge = util::scaled_value(max_surge.unwrap_or(&zero), desired, true).unwrap_or(0);
    let mut unavailable =
        util::scaled_value(max_unavailable.unwrap_or(&zero), desired, false).unwrap_or(0);
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    (surge, unavailable)
}

fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("RollingUpdate")
        == "RollingUpdate"
}

fn fenceposts(d: &Deployment) -> (i32, i32) {
    let ru = d
        .spec
        .as_ref()
        .and_then(|s| s.strategy.as_ref())
        .and_then(|s| s.rolling_update.as_ref());
    resolve_fenceposts(
        ru.and_then(|r| r.max_surge.as_ref()),
        ru.and_then(|r| r.max_unavailable.as_ref()),
        replicas(d),
    )
}

/// `MaxSurge`.
pub fn max_surge(d: &Deployment) -> i32 {
    if !is_rolling_update(d) {
        return 0;
    }
    fenceposts(d).0
}

/// `MaxUnavailable`.
pub fn max_unavailable(d: &Deployment) -> i32 {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return 0;
    }
    fenceposts(d).1.min(replicas(d))
}

/// The revision number of a ReplicaSet (`Revision`), 0 when absent.
pub fn revision_of(m: &ObjectMeta) -> Option<i64> {
    match util::annotation(m, REVISION_ANNOTATION) {
        None => Some(0),
        Some(v) => v.parse().ok(),
    }
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn rs_status(rs: &ReplicaSet) -> (i32, i32, i32) {
    let st = rs.status.clone().unwrap_or_default();
    (
        st.replicas,
        st.ready_replicas.unwrap_or(0),
        st.available_replicas.unwrap_or(0),
    )
}

fn creation_key(rs: &ReplicaSet) -> (Option<jiff::Timestamp>, String) {
    (
        rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
        rs.metadata.name.clone().unwrap_or_default(),
    )
}

/// `ListReplicaSets`: the ReplicaSets in the namespace controlled by `d`.
pub fn replica_sets_of(store: &Store, d: &Deployment) -> Vec<ReplicaSet> {
    let ns = d.metadata.namespace.as_deref().unwrap_or("");
    let uid = d.metadata.uid.as_deref().unwrap_or("");
    store
        .list_as::<ReplicaSet>(Some(ns))
        .filter(|rs| util::is_controlled_by(&rs.metadata, uid))
        .cloned()
        .collect()
}

/// `FindNewReplicaSet`: the oldest ReplicaSet whose template equals the
/// Deployment's, ignoring the hash label.
pub fn find_new_rs(d: &Deployment, rs_list: &[ReplicaSet]) -> Option<ReplicaSet> {
    let template = d
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    let mut sorted: Vec<&ReplicaSet> = rs_list.iter().collect();
    sorted.sort_by_key(|rs| creation_key(rs));
    sorted
        .into_iter()
        .find(|rs| {
            rs.spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .is_some_and(|t| util::equal_ignore_hash(t, &template))
        })
        .cloned()
}

/// `DeploymentComplete`.
pub fn deployment_complete(d: &Deployment, st: &DeploymentStatus) -> bool {
    let r = replicas(d);
    st.updated_replicas.unwrap_or(0) == r
        && st.replicas.unwrap_or(0) == r
        && st.available_replicas.unwrap_or(0) == r
        && st.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0)
}

fn has_progress_deadline(d: &Deployment) -> bool {
    d.spec
        .as_ref()
        .and_then(|s| s.progress_deadline_seconds)
        .is_some_and(|p| p != i32::MAX)
}

fn get_condition<'a>(st: &'a DeploymentStatus, t: &str) -> Option<&'a DeploymentCondition> {
    st.conditions.iter().flatten().find(|c| c.type_ == t)
}

fn new_condition(
    t: &str,
    status: &str,
    reason: &str,
    msg: String,
    now: &Time,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: t.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(msg),
        last_update_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

/// `SetDeploymentCondition`: no change when status and reason are the same;
/// keeps lastTransitionTime when only the reason changes.
fn set_condition(st: &mut DeploymentStatus, mut c: DeploymentCondition) {
    if let Some(cur) = get_condition(st, &c.type_) {
        if cur.status == c.status && cur.reason == c.reason {
            return;
        }
        if cur.status == c.status {
            c.last_transition_time = cur.last_transition_time.clone();
        }
    }
    remove_condition(st, &c.type_);
    st.conditions.get_or_insert_with(Vec::new).push(c);
}

fn remove_condition(st: &mut DeploymentStatus, t: &str) {
    if let Some(cs) = st.conditions.as_mut() {
        cs.retain(|c| c.type_ != t);
    }
}

/// `SetReplicasAnnotations`: returns true when something changed.
fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in [
        (DESIRED_REPLICAS_ANNOTATION, desired),
        (MAX_REPLICAS_ANNOTATION, max),
    ] {
        let v = v.to_string();
        if a.get(k) != Some(&v) {
            a.insert(k.into(), v);
            changed = true;
        }
    }
    changed
}

fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    let a = rs.metadata.annotations.clone().unwrap_or_default();
    a.get(DESIRED_REPLICAS_ANNOTATION) != Some(&desired.to_string())
        || a.get(MAX_REPLICAS_ANNOTATION) != Some(&max.to_string())
}

fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    util::annotation(&rs.metadata, DESIRED_REPLICAS_ANNOTATION).and_then(|v| v.parse().ok())
}

fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    util::annotation(&rs.metadata, MAX_REPLICAS_ANNOTATION).and_then(|v| v.parse().ok())
}

/// `copyDeploymentAnnotationsToReplicaSet`.
fn copy_annotations_to_rs(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let mut changed = false;
    for (k, v) in d.metadata.annotations.iter().flatten() {
        if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) || a.get(k) == Some(v) {
            continue;
        }
        a.insert(k.clone(), v.clone());
        changed = true;
    }
    changed
}

/// `SetNewReplicaSetAnnotations`.
fn set_new_rs_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
) -> bool {
    let mut changed = copy_annotations_to_rs(d, rs);
    let a = rs.metadata.annotations.get_or_insert_with(BTreeMap::new);
    let old = a.get(REVISION_ANNOTATION).cloned();
    let old_int: i64 = match &old {
        Some(v) => match v.parse() {
            Ok(i) => i,
            Err(_) => return false,
        },
        None => 0,
    };
    if old_int < new_revision {
        a.insert(REVISION_ANNOTATION.into(), new_revision.to_string());
        changed = true;
        if let Some(old) = old {
            let hist = a
                .get(REVISION_HISTORY_ANNOTATION)
                .cloned()
                .unwrap_or_default();
            if hist.is_empty() {
                a.insert(REVISION_HISTORY_ANNOTATION.into(), old);
            } else {
                let mut parts: Vec<String> = hist.split(',').map(str::to_string).collect();
                let mut total = hist.len() + old.len() + 1;
                let mut start = 0;
                while total > MAX_REV_HISTORY_LENGTH && start < parts.len() {
                    total -= parts[start].len() + 1;
                    start += 1;
                }
                if total <= MAX_REV_HISTORY_LENGTH {
                    parts = parts.split_off(start);
                    parts.push(old);
                    a.insert(REVISION_HISTORY_ANNOTATION.into(), parts.join(","));
                }
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge(d)) {
        changed = true;
    }
    changed
}

/// `NewRSNewReplicas`: how many replicas the new ReplicaSet may have now.
fn new_rs_new_replicas(d: &Deployment, all: &[ReplicaSet], new_rs: &ReplicaSet) -> i32 {
    if !is_rolling_update(d) {
        return replicas(d);
    }
    let surge = max_surge(d);
    let current: i32 = all.iter().map(rs_replicas).sum();
    let max_total = replicas(d) + surge;
    if current >= max_total {
        return rs_replicas(new_rs);
    }
    let up = (max_total - current).min(replicas(d) - rs_replicas(new_rs));
    rs_replicas(new_rs) + up
}

/// `IsSaturated`.
fn is_saturated(d: &Deployment, rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = rs else { return false };
    desired_replicas_annotation(rs) == Some(replicas(d))
        && rs_replicas(rs) == replicas(d)
        && rs_status(rs).2 == replicas(d)
}

/// `calculateStatus` (sync.go).
fn calculate_status(
    all: &[ReplicaSet],
    new_rs: Option<&ReplicaSet>,
    d: &Deployment,
    now: &Time,
) -> DeploymentStatus {
    let available: i32 = all.iter().map(|r| rs_status(r).2).sum();
    let total: i32 = all.iter().map(rs_replicas).sum();
    let old = d.status.clone().unwrap_or_default();
    let mut st = DeploymentStatus {
        observed_generation: d.metadata.generation,
        replicas: nz(all.iter().map(|r| rs_status(r).0).sum()),
        updated_replicas: nz(new_rs.map(|r| rs_status(r).0).unwrap_or(0)),
        ready_replicas: nz(all.iter().map(|r| rs_status(r).1).sum()),
        available_replicas: nz(available),
        unavailable_replicas: nz((total - available).max(0)),
        collision_count: old.collision_count,
        conditions: old.conditions.clone(),
        terminating_replicas: None,
    };
    if available >= replicas(d) - max_unavailable(d) {
        set_condition(
            &mut st,
            new_condition(
                "Available",
                "True",
                REASON_MIN_AVAILABLE,
                "Deployment has minimum availability.".into(),
                now,
            ),
        );
    } else {
        set_condition(
            &mut st,
            new_condition(
                "Available",
                "False",
                REASON_MIN_UNAVAILABLE,
                "Deployment does not have minimum availability.".into(),
                now,
            ),
        );
    }
    st
}

// ----- the sync ---------------------------------------------------------

struct Sync<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    d: Deployment,
}

impl Sync<'_, '_> {
    fn ns(&self) -> String {
        self.d.metadata.namespace.clone().unwrap_or_default()
    }
    fn name(&self) -> String {
        self.d.metadata.name.clone().unwrap_or_default()
    }
    fn obj(&self) -> Object {
        Object::Deployment(self.d.clone())
    }
    fn now(&self) -> Time {
        self.ctx.store.timestamp_secs()
    }
    fn event(&mut self, type_: &str, reason: &str, msg: &str) {
        let obj = self.obj();
        util::record(self.ctx.store, &obj, type_, reason, msg, COMPONENT);
    }

    /// Writes `self.d.status` and refreshes `self.d`.
    fn update_status(&mut self) {
        let mut d = self.d.clone();
        d.metadata.resource_version = None;
        if let Ok(o) = self
            .ctx
            .store
            .update_status(Object::Deployment(d), &WriteOptions::default())
        {
            if let Object::Deployment(d) = &*o {
                self.d = d.clone();
            }
        }
    }

    fn update_rs(&mut self, rs: ReplicaSet) -> ReplicaSet {
        let mut rs = rs;
        rs.metadata.resource_version = None;
        match self
            .ctx
            .store
            .update(Object::ReplicaSet(rs.clone()), &WriteOptions::default())
        {
            Ok(o) => match &*o {
                Object::ReplicaSet(r) => r.clone(),
                _ => rs,
            },
            Err(_) => rs,
        }
    }

    /// `syncDeployment`.
    fn sync_deployment(&mut self) -> Action {
        let sel = self.d.spec.as_ref().map(|s| s.selector.clone());
        if util::selector(sel.as_ref()).is_empty() {
            self.event(
                "Warning",
                "SelectingAll",
                "This deployment is selecting all pods. A non-empty selector is required.",
            );
            if self.d.status.as_ref().and_then(|s| s.observed_generation)
                != self.d.metadata.generation
            {
                let g = self.d.metadata.generation;
                self.d
                    .status
                    .get_or_insert_with(Default::default)
                    .observed_generation = g;
                self.update_status();
            }
            return Action::AwaitChange;
        }
        let rs_list = self.claim_replica_sets();
        if self.d.metadata.deletion_timestamp.is_some() {
            self.sync_status_only(&rs_list);
            return Action::AwaitChange;
        }
        self.check_paused_conditions();
        let paused = self.d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        if paused {
            self.sync(&rs_list);
            return Action::AwaitChange;
        }
        if self.is_scaling_event(&rs_list) {
            let rs_list = replica_sets_of(self.ctx.store, &self.d);
            self.sync(&rs_list);
            return self.requeue_action();
        }
        let rs_list = replica_sets_of(self.ctx.store, &self.d);
        if is_rolling_update(&self.d) {
            self.rollout_rolling(&rs_list);
        } else {
            self.rollout_recreate(&rs_list);
        }
        self.requeue_action()
    }

    /// The next time this Deployment must be looked at without a change:
    /// the progress deadline (`requeueStuckDeployment`) or a new pod
    /// turning available after minReadySeconds.
    fn requeue_action(&mut self) -> Action {
        let mut next: Option<Duration> = None;
        let st = self.d.status.clone().unwrap_or_default();
        if has_progress_deadline(&self.d) && !deployment_complete(&self.d, &st) {
            if let Some(c) = get_condition(&st, "Progressing") {
                if c.reason.as_deref() != Some(REASON_TIMED_OUT) {
                    if let Some(lu) = &c.last_update_time {
                        let deadline = self
                            .d
                            .spec
                            .as_ref()
                            .and_then(|s| s.progress_deadline_seconds)
                            .unwrap_or(600);
                        let at = util::add_secs(lu, deadline as i64);
                        let now = self.ctx.store.timestamp();
                        let after = util::until(&now, &at);
                        // Add a second to avoid skew, as upstream does.
                        next = Some(if after < Duration::from_secs(1) {
                            Duration::from_millis(5)
                        } else {
                            after + Duration::from_secs(1)
                        });
                    }
                }
            }
        }
        match next {
            Some(d) => Action::RequeueAfter(d),
            None => Action::AwaitChange,
        }
    }

    /// `getReplicaSetsForDeployment`: adopt orphans matching the selector,
    /// release owned ones that stopped matching.
    fn claim_replica_sets(&mut self) -> Vec<ReplicaSet> {
        let ns = self.ns();
        let uid = self.d.metadata.uid.clone().unwrap_or_default();
        let sel = self.d.spec.as_ref().map(|s| s.selector.clone());
        let deleting = self.d.metadata.deletion_timestamp.is_some();
        let all: Vec<ReplicaSet> = self
            .ctx
            .store
            .list_as::<ReplicaSet>(Some(&ns))
            .cloned()
            .collect();
        let mut out = Vec::new();
        for rs in all {
            let rs_name = rs.metadata.name.clone().unwrap_or_default();
            let matches = util::selector_matches(sel.as_ref(), rs.metadata.labels.as_ref());
            match util::controller_of(&rs.metadata) {
                Some(r) if r.uid == uid => {
                    if matches || deleting {
                        out.push(rs);
                    } else {
                        let _ = self
                            .ctx
                            .store
                            .modify::<ReplicaSet>(&ns, &rs_name, false, |r| {
                                if let Some(refs) = r.metadata.owner_references.as_mut() {
                                    refs.retain(|o| o.uid != uid);
                                }
                            });
                    }
                }
                Some(_) => {}
                None if matches && !deleting && rs.metadata.deletion_timestamp.is_none() => {
                    let cref = util::new_controller_ref(Kind::Deployment, &self.d.metadata);
                    if let Ok(o) = self
                        .ctx
                        .store
                        .modify::<ReplicaSet>(&ns, &rs_name, false, |r| {
                            r.metadata
                                .owner_references
                                .get_or_insert_with(Vec::new)
                                .push(cref);
                        })
                    {
                        if let Object::ReplicaSet(r) = &*o {
                            out.push(r.clone());
                        }
                    }
                }
                None => {}
            }
        }
        out
    }

    /// `checkPausedConditions`.
    fn check_paused_conditions(&mut self) {
        if !has_progress_deadline(&self.d) {
            return;
        }
        let st = self.d.status.clone().unwrap_or_default();
        let cond = get_condition(&st, "Progressing");
        if cond.is_some_and(|c| c.reason.as_deref() == Some(REASON_TIMED_OUT)) {
            return;
        }
        let paused_cond = cond.is_some_and(|c| c.reason.as_deref() == Some(REASON_PAUSED));
        let paused = self.d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let now = self.now();
        let c = if paused && !paused_cond {
            new_condition(
                "Progressing",
                "Unknown",
                REASON_PAUSED,
                "Deployment is paused".into(),
                &now,
            )
        } else if !paused && paused_cond {
            new_condition(
                "Progressing",
                "Unknown",
                REASON_RESUMED,
                "Deployment is resumed".into(),
                &now,
            )
        } else {
            return;
        };
        set_condition(self.d.status.get_or_insert_with(Default::default), c);
        self.update_status();
    }

    /// `isScalingEvent`: an active ReplicaSet records another desired size.
    fn is_scaling_event(&mut self, rs_list: &[ReplicaSet]) -> bool {
        let (new_rs, old) = self.get_all_rs_and_sync_revision(rs_list, false);
        let want = replicas(&self.d);
        old.iter()
            .chain(new_rs.iter())
            .filter(|rs| rs_replicas(rs) > 0)
            .any(|rs| desired_replicas_annotation(rs).is_some_and(|d| d != want))
    }

    /// `getAllReplicaSetsAndSyncRevision`.
    fn get_all_rs_and_sync_revision(
        &mut self,
        rs_list: &[ReplicaSet],
        create: bool,
    ) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
        let existing_new = find_new_rs(&self.d, rs_list);
        let old: Vec<ReplicaSet> = rs_list
            .iter()
            .filter(|rs| {
                existing_new
                    .as_ref()
                    .is_none_or(|n| n.metadata.uid != rs.metadata.uid)
            })
            .cloned()
            .collect();
        let new_rs = self.get_new_rs(existing_new, &old, create);
        (new_rs, old)
    }

    /// `getNewReplicaSet`.
    fn get_new_rs(
        &mut self,
        existing: Option<ReplicaSet>,
        old: &[ReplicaSet],
        create: bool,
    ) -> Option<ReplicaSet> {
        let max_old = old
            .iter()
            .filter_map(|rs| revision_of(&rs.metadata))
            .max()
            .unwrap_or(0);
        let new_revision = max_old + 1;
        let now = self.now();
        if let Some(existing) = existing {
            let mut rs = existing.clone();
            let annotations_updated = set_new_rs_annotations(&self.d, &mut rs, new_revision, true);
            let min_ready = self.d.spec.as_ref().and_then(|s| s.min_ready_seconds);
            let rs_min_ready = rs.spec.as_ref().and_then(|s| s.min_ready_seconds);
            if annotations_updated || min_ready.unwrap_or(0) != rs_min_ready.unwrap_or(0) {
                rs.spec
                    .get_or_insert_with(Default::default)
                    .min_ready_seconds = min_ready;
                return Some(self.update_rs(rs));
            }
            let rev = util::annotation(&rs.metadata, REVISION_ANNOTATION)
                .unwrap_or("")
                .to_string();
            let mut needs_update = self.set_deployment_revision(&rev);
            let st = self.d.status.clone().unwrap_or_default();
            if has_progress_deadline(&self.d) && get_condition(&st, "Progressing").is_none() {
                let msg = format!(
                    "Found new replica set \"{}\"",
                    rs.metadata.name.as_deref().unwrap_or("")
                );
                set_condition(
                    self.d.status.get_or_insert_with(Default::default),
                    new_condition("Progressing", "True", REASON_FOUND_NEW_RS, msg, &now),
                );
                needs_update = true;
            }
            if needs_update {
                self.update_status();
            }
            return Some(rs);
        }
        if !create {
            return None;
        }
        // A new ReplicaSet named after the template hash.
        let spec = self.d.spec.clone().unwrap_or_default();
        let collision = self.d.status.as_ref().and_then(|s| s.collision_count);
        let hash = util::compute_hash(&spec.template, collision);
        let mut template = spec.template.clone();
        util::set_label(
            &mut template
                .metadata
                .get_or_insert_with(Default::default)
                .labels,
            "pod-template-hash",
            &hash,
        );
        let mut selector = spec.selector.clone();
        selector
            .match_labels
            .get_or_insert_with(BTreeMap::new)
            .insert("pod-template-hash".into(), hash.clone());
        let rs_name = format!("{}-{hash}", self.name());
        let mut new_rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(rs_name.clone()),
                namespace: Some(self.ns()),
                labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
                owner_references: Some(vec![util::new_controller_ref(
                    Kind::Deployment,
                    &self.d.metadata,
                )]),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(0),
                min_ready_seconds: spec.min_ready_seconds,
                selector,
                template: Some(template),
            }),
            status: None,
        };
        let mut all: Vec<ReplicaSet> = old.to_vec();
        all.push(new_rs.clone());
        let count = new_rs_new_replicas(&self.d, &all, &new_rs);
        new_rs.spec.as_mut().unwrap().replicas = Some(count);
        set_new_rs_annotations(&self.d, &mut new_rs, new_revision, false);
        let created = match self
            .ctx
            .store
            .create(Object::ReplicaSet(new_rs.clone()), &WriteOptions::default())
        {
            Ok(o) => match &*o {
                Object::ReplicaSet(r) => r.clone(),
                _ => return None,
            },
            Err(e) if e.reason == crate::sim::store::Reason::AlreadyExists => {
                // Ours with the same template: take it. Otherwise a hash
                // collision: bump collisionCount and try again next sync.
                let ns = self.ns();
                let existing = self.ctx.store.get_as::<ReplicaSet>(&ns, &rs_name).cloned();
                let uid = self.d.metadata.uid.clone().unwrap_or_default();
                if let Some(rs) = existing.filter(|rs| {
                    util::is_controlled_by(&rs.metadata, &uid)
                        && rs
                            .spec
                            .as_ref()
                            .and_then(|s| s.template.as_ref())
                            .is_some_and(|t| util::equal_ignore_hash(t, &spec.template))
                }) {
                    return Some(rs);
                }
                let st = self.d.status.get_or_insert_with(Default::default);
                st.collision_count = Some(st.collision_count.unwrap_or(0) + 1);
                self.update_status();
                self.ctx.log.push(format!(
                    "{} deployment {}/{}: hash collision, collisionCount bumped",
                    self.ctx.now,
                    self.ns(),
                    self.name()
                ));
                return None;
            }
            Err(e) => {
                let msg = format!(
                    "Failed to create new replica set \"{rs_name}\": {}",
                    e.message
                );
                if has_progress_deadline(&self.d) {
                    set_condition(
                        self.d.status.get_or_insert_with(Default::default),
                        new_condition(
                            "Progressing",
                            "False",
                            REASON_FAILED_RS_CREATE,
                            msg.clone(),
                            &now,
                        ),
                    );
                    self.update_status();
                }
                self.event("Warning", REASON_FAILED_RS_CREATE, &msg);
                return None;
            }
        };
        if count > 0 {
            self.event(
                "Normal",
                "ScalingReplicaSet",
                &format!("Scaled up replica set {rs_name} from 0 to {count}"),
            );
        }
        self.set_deployment_revision(&new_revision.to_string());
        if has_progress_deadline(&self.d) {
            let msg = format!("Created new replica set \"{rs_name}\"");
            set_condition(
                self.d.status.get_or_insert_with(Default::default),
                new_condition("Progressing", "True", REASON_NEW_RS, msg, &now),
            );
        }
        self.update_status();
        Some(created)
    }

    /// `SetDeploymentRevision` (the annotation is metadata: a main update).
    fn set_deployment_revision(&mut self, rev: &str) -> bool {
        if util::annotation(&self.d.metadata, REVISION_ANNOTATION) == Some(rev) {
            return false;
        }
        let ns = self.ns();
        let name = self.name();
        let rev = rev.to_string();
        if let Ok(o) = self.ctx.store.modify::<Deployment>(&ns, &name, false, |d| {
            d.metadata
                .annotations
                .get_or_insert_with(BTreeMap::new)
                .insert(REVISION_ANNOTATION.into(), rev.clone());
        }) {
            if let Object::Deployment(d) = &*o {
                // Keep the status we are building.
                let st = self.d.status.clone();
                self.d = d.clone();
                self.d.status = st;
            }
        }
        true
    }

    /// `sync`: scaling events and paused Deployments.
    fn sync(&mut self, rs_list: &[ReplicaSet]) {
        let (new_rs, old) = self.get_all_rs_and_sync_revision(rs_list, false);
        self.scale(new_rs.as_ref(), &old);
        let paused = self.d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
        let rs_list = replica_sets_of(self.ctx.store, &self.d);
        let (new_rs, old) = split_new_old(&self.d, &rs_list);
        if paused {
            self.cleanup(&old);
        }
        let mut all = old.clone();
        all.extend(new_rs.clone());
        self.sync_deployment_status(&all, new_rs.as_ref());
    }

    fn sync_status_only(&mut self, rs_list: &[ReplicaSet]) {
        let (new_rs, old) = self.get_all_rs_and_sync_revision(rs_list, false);
        let mut all = old;
        all.extend(new_rs.clone());
        self.sync_deployment_status(&all, new_rs.as_ref());
    }

    /// `scale`: proportional scaling of the active ReplicaSets.
    fn scale(&mut self, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) {
        let want = replicas(&self.d);
        if let Some(active) = find_active_or_latest(new_rs, old) {
            if rs_replicas(&active) != want {
                self.scale_rs_and_record(active, want);
            }
            return;
        }
        if is_saturated(&self.d, new_rs) {
            for rs in old.iter().filter(|r| rs_replicas(r) > 0) {
                self.scale_rs_and_record(rs.clone(), 0);
            }
            return;
        }
        if !is_rolling_update(&self.d) {
            return;
        }
        let mut all: Vec<ReplicaSet> = old
            .iter()
            .chain(new_rs)
            .filter(|r| rs_replicas(r) > 0)
            .cloned()
            .collect();
        let all_replicas: i32 = all.iter().map(rs_replicas).sum();
        let allowed = if want > 0 {
            want + max_surge(&self.d)
        } else {
            0
        };
        let to_add = allowed - all_replicas;
        let op = if to_add > 0 {
            // ReplicaSetsBySizeNewer: larger first, newer first on ties.
            all.sort_by(|a, b| {
                rs_replicas(b)
                    .cmp(&rs_replicas(a))
                    .then_with(|| creation_key(b).cmp(&creation_key(a)))
            });
            "up"
        } else if to_add < 0 {
            // ReplicaSetsBySizeOlder: larger first, older first on ties.
            all.sort_by(|a, b| {
                rs_replicas(b)
                    .cmp(&rs_replicas(a))
                    .then_with(|| creation_key(a).cmp(&creation_key(b)))
            });
            "down"
        } else {
            ""
        };
        let mut added = 0;
        let mut sizes: Vec<i32> = Vec::new();
        for rs in &all {
            if to_add != 0 {
                let p = self.proportion(rs, to_add, added);
                sizes.push(rs_replicas(rs) + p);
                added += p;
            } else {
                sizes.push(rs_replicas(rs));
            }
        }
        for (i, rs) in all.into_iter().enumerate() {
            let mut size = sizes[i];
            if i == 0 && to_add != 0 {
                size = (size + to_add - added).max(0);
            }
            self.scale_rs(rs, size, op);
        }
    }

    /// `GetProportion` / `getReplicaSetFraction`.
    fn proportion(&self, rs: &ReplicaSet, to_add: i32, added: i32) -> i32 {
        if rs_replicas(rs) == 0 || to_add == 0 || to_add == added {
            return 0;
        }
        let fraction = if replicas(&self.d) == 0 {
            -rs_replicas(rs)
        } else {
            let dep_replicas = replicas(&self.d) + max_surge(&self.d);
            let annotated = max_replicas_annotation(rs)
                .unwrap_or_else(|| self.d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0));
            if annotated == 0 {
                0
            } else {
                let size = (rs_replicas(rs) * dep_replicas) as f64 / annotated as f64;
                size.round() as i32 - rs_replicas(rs)
            }
        };
        let allowed = to_add - added;
        if to_add > 0 {
            fraction.min(allowed)
        } else {
            fraction.max(allowed)
        }
    }

    /// `scaleReplicaSetAndRecordEvent`.
    fn scale_rs_and_record(&mut self, rs: ReplicaSet, new_scale: i32) -> (bool, ReplicaSet) {
        if rs_replicas(&rs) == new_scale {
            return (false, rs);
        }
        let op = if rs_replicas(&rs) < new_scale {
            "up"
        } else {
            "down"
        };
        self.scale_rs(rs, new_scale, op)
    }

    /// `scaleReplicaSet`.
    fn scale_rs(&mut self, rs: ReplicaSet, new_scale: i32, op: &str) -> (bool, ReplicaSet) {
        let size_changed = rs_replicas(&rs) != new_scale;
        let want = replicas(&self.d);
        let max = want + max_surge(&self.d);
        if !size_changed && !replicas_annotations_need_update(&rs, want, max) {
            return (false, rs);
        }
        let old_scale = rs_replicas(&rs);
        let mut copy = rs.clone();
        copy.spec.get_or_insert_with(Default::default).replicas = Some(new_scale);
        set_replicas_annotations(&mut copy, want, max);
        let name = copy.metadata.name.clone().unwrap_or_default();
        let updated = self.update_rs(copy);
        if size_changed {
            self.event(
                "Normal",
                "ScalingReplicaSet",
                &format!("Scaled {op} replica set {name} from {old_scale} to {new_scale}"),
            );
        }
        (size_changed, updated)
    }

    /// `rolloutRolling`.
    fn rollout_rolling(&mut self, rs_list: &[ReplicaSet]) {
        let (new_rs, old) = self.get_all_rs_and_sync_revision(rs_list, true);
        let Some(new_rs) = new_rs else {
            let all = old.clone();
            self.sync_rollout_status(&all, None);
            return;
        };
        let mut all = old.clone();
        all.push(new_rs.clone());
        // Scale up, if we can.
        let (scaled_up, new_rs) = self.reconcile_new_rs(&all, new_rs);
        let mut all = old.clone();
        all.push(new_rs.clone());
        if scaled_up {
            self.sync_rollout_status(&all, Some(&new_rs));
            return;
        }
        // Scale down, if we can.
        let active_old: Vec<ReplicaSet> =
            old.iter().filter(|r| rs_replicas(r) > 0).cloned().collect();
        if self.reconcile_old_rs(&all, active_old, &new_rs) {
            let rs_list = replica_sets_of(self.ctx.store, &self.d);
            let (n, o) = split_new_old(&self.d, &rs_list);
            let mut all = o;
            all.extend(n.clone());
            self.sync_rollout_status(&all, n.as_ref());
            return;
        }
        let st = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &st) {
            self.cleanup(&old);
        }
        self.sync_rollout_status(&all, Some(&new_rs));
    }

    /// `reconcileNewReplicaSet`.
    fn reconcile_new_rs(&mut self, all: &[ReplicaSet], new_rs: ReplicaSet) -> (bool, ReplicaSet) {
        let want = replicas(&self.d);
        if rs_replicas(&new_rs) == want {
            return (false, new_rs);
        }
        if rs_replicas(&new_rs) > want {
            return self.scale_rs_and_record(new_rs, want);
        }
        let count = new_rs_new_replicas(&self.d, all, &new_rs);
        self.scale_rs_and_record(new_rs, count)
    }

    /// `reconcileOldReplicaSets`.
    fn reconcile_old_rs(
        &mut self,
        all: &[ReplicaSet],
        old: Vec<ReplicaSet>,
        new_rs: &ReplicaSet,
    ) -> bool {
        let old_count: i32 = old.iter().map(rs_replicas).sum();
        if old_count == 0 {
            return false;
        }
        let all_count: i32 = all.iter().map(rs_replicas).sum();
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let new_unavailable = rs_replicas(new_rs) - rs_status(new_rs).2;
        let max_scaled_down = all_count - min_available - new_unavailable;
        if max_scaled_down <= 0 {
            return false;
        }
        // Clean up unhealthy replicas first.
        let (old, cleanup_count) = self.cleanup_unhealthy_replicas(old, max_scaled_down);
        let mut all_now = old.clone();
        all_now.push(new_rs.clone());
        let scaled = self.scale_down_old_for_rolling_update(&all_now, old);
        cleanup_count + scaled > 0
    }

    /// `cleanupUnhealthyReplicas`.
    fn cleanup_unhealthy_replicas(
        &mut self,
        mut old: Vec<ReplicaSet>,
        max_cleanup: i32,
    ) -> (Vec<ReplicaSet>, i32) {
        old.sort_by_key(creation_key);
        let mut total = 0;
        for slot in old.iter_mut() {
            if total >= max_cleanup {
                break;
            }
            let rs = slot.clone();
            let (reps, avail) = (rs_replicas(&rs), rs_status(&rs).2);
            if reps == 0 || reps == avail {
                continue;
            }
            let down = (max_cleanup - total).min(reps - avail);
            let (_, updated) = self.scale_rs_and_record(rs, reps - down);
            total += down;
            *slot = updated;
        }
        (old, total)
    }

    /// `scaleDownOldReplicaSetsForRollingUpdate`.
    fn scale_down_old_for_rolling_update(
        &mut self,
        all: &[ReplicaSet],
        mut old: Vec<ReplicaSet>,
    ) -> i32 {
        let min_available = replicas(&self.d) - max_unavailable(&self.d);
        let available: i32 = all.iter().map(|r| rs_status(r).2).sum();
        if available <= min_available {
            return 0;
        }
        old.sort_by_key(creation_key);
        let to_scale = available - min_available;
        let mut total = 0;
        for rs in old {
            if total >= to_scale {
                break;
            }
            if rs_replicas(&rs) == 0 {
                continue;
            }
            let down = rs_replicas(&rs).min(to_scale - total);
            let target = rs_replicas(&rs) - down;
            self.scale_rs_and_record(rs, target);
            total += down;
        }
        total
    }

    /// `rolloutRecreate`.
    fn rollout_recreate(&mut self, rs_list: &[ReplicaSet]) {
        let (mut new_rs, old) = self.get_all_rs_and_sync_revision(rs_list, false);
        let active_old: Vec<ReplicaSet> =
            old.iter().filter(|r| rs_replicas(r) > 0).cloned().collect();
        let mut scaled_down = false;
        for rs in active_old {
            let (s, _) = self.scale_rs_and_record(rs, 0);
            scaled_down |= s;
        }
        let refresh = |s: &mut Self| {
            let rs_list = replica_sets_of(s.ctx.store, &s.d);
            split_new_old(&s.d, &rs_list)
        };
        if scaled_down {
            let (n, o) = refresh(self);
            let mut all = o;
            all.extend(n.clone());
            self.sync_rollout_status(&all, n.as_ref());
            return;
        }
        if self.old_pods_running(new_rs.as_ref(), &old) {
            let mut all = old.clone();
            all.extend(new_rs.clone());
            self.sync_rollout_status(&all, new_rs.as_ref());
            return;
        }
        let mut old = old;
        if new_rs.is_none() {
            let rs_list = replica_sets_of(self.ctx.store, &self.d);
            let (n, o) = self.get_all_rs_and_sync_revision(&rs_list, true);
            new_rs = n;
            old = o;
        }
        if let Some(rs) = new_rs.clone() {
            let want = replicas(&self.d);
            let (_, updated) = self.scale_rs_and_record(rs, want);
            new_rs = Some(updated);
        }
        let st = self.d.status.clone().unwrap_or_default();
        if deployment_complete(&self.d, &st) {
            self.cleanup(&old);
        }
        let mut all = old;
        all.extend(new_rs.clone());
        self.sync_rollout_status(&all, new_rs.as_ref());
    }

    /// `oldPodsRunning`: any old pod that is not terminal (terminating ones
    /// included) blocks Recreate.
    fn old_pods_running(&self, new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> bool {
        if old.iter().map(|r| rs_status(r).0).sum::<i32>() > 0 {
            return true;
        }
        let ns = self.ns();
        let old_uids: Vec<&str> = old
            .iter()
            .filter(|r| new_rs.is_none_or(|n| n.metadata.uid != r.metadata.uid))
            .filter_map(|r| r.metadata.uid.as_deref())
            .collect();
        self.ctx.store.list_as::<Pod>(Some(&ns)).any(|p| {
            util::controller_of(&p.metadata).is_some_and(|r| old_uids.contains(&r.uid.as_str()))
                && !matches!(util::pod_phase(p), "Failed" | "Succeeded")
        })
    }

    /// `cleanupDeployment`: keep at most revisionHistoryLimit old, empty,
    /// settled ReplicaSets, deleting the oldest revisions first.
    fn cleanup(&mut self, old: &[ReplicaSet]) {
        let Some(limit) = self.d.spec.as_ref().and_then(|s| s.revision_history_limit) else {
            return;
        };
        let mut cleanable: Vec<&ReplicaSet> = old
            .iter()
            .filter(|r| r.metadata.deletion_timestamp.is_none())
            .collect();
        let diff = cleanable.len() as i32 - limit;
        if diff <= 0 {
            return;
        }
        // ReplicaSetsByRevision: by revision, then by creation time.
        cleanable.sort_by(|a, b| {
            revision_of(&a.metadata)
                .unwrap_or(0)
                .cmp(&revision_of(&b.metadata).unwrap_or(0))
                .then_with(|| creation_key(a).cmp(&creation_key(b)))
        });
        let ns = self.ns();
        for rs in cleanable.into_iter().take(diff as usize) {
            let st = rs.status.clone().unwrap_or_default();
            if st.replicas != 0
                || rs_replicas(rs) != 0
                || rs.metadata.generation.unwrap_or(0) > st.observed_generation.unwrap_or(0)
            {
                continue;
            }
            let name = rs.metadata.name.clone().unwrap_or_default();
            let _ = self
                .ctx
                .store
                .delete(Kind::ReplicaSet, &ns, &name, &Default::default());
        }
    }

    /// `syncDeploymentStatus`.
    fn sync_deployment_status(&mut self, all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) {
        let now = self.now();
        let st = calculate_status(all, new_rs, &self.d, &now);
        if self.d.status.as_ref() == Some(&st) {
            return;
        }
        self.d.status = Some(st);
        self.update_status();
    }

    /// `syncRolloutStatus` (progress.go).
    fn sync_rollout_status(&mut self, all: &[ReplicaSet], new_rs: Option<&ReplicaSet>) {
        let now = self.now();
        // Re-read the ReplicaSets: scaling above changed them.
        let fresh: Vec<ReplicaSet> = {
            let ns = self.ns();
            all.iter()
                .filter_map(|r| {
                    self.ctx
                        .store
                        .get_as::<ReplicaSet>(&ns, r.metadata.name.as_deref().unwrap_or(""))
                        .cloned()
                })
                .collect()
        };
        let new_rs = new_rs.and_then(|n| {
            fresh
                .iter()
                .find(|r| r.metadata.uid == n.metadata.uid)
                .cloned()
        });
        let mut st = calculate_status(&fresh, new_rs.as_ref(), &self.d, &now);
        if !has_progress_deadline(&self.d) {
            remove_condition(&mut st, "Progressing");
        }
        let old_st = self.d.status.clone().unwrap_or_default();
        let cur = get_condition(&old_st, "Progressing").cloned();
        let complete_already = st.replicas == st.updated_replicas
            && cur
                .as_ref()
                .is_some_and(|c| c.reason.as_deref() == Some(REASON_NEW_RS_AVAILABLE));
        let new_name = new_rs.as_ref().and_then(|r| r.metadata.name.clone());
        let dname = self.name();
        if has_progress_deadline(&self.d) && !complete_already {
            if deployment_complete(&self.d, &st) {
                let msg = match &new_name {
                    Some(n) => format!("ReplicaSet \"{n}\" has successfully progressed."),
                    None => format!("Deployment \"{dname}\" has successfully progressed."),
                };
                set_condition(
                    &mut st,
                    new_condition("Progressing", "True", REASON_NEW_RS_AVAILABLE, msg, &now),
                );
            } else if deployment_progressing(&old_st, &st) {
                let msg = match &new_name {
                    Some(n) => format!("ReplicaSet \"{n}\" is progressing."),
                    None => format!("Deployment \"{dname}\" is progressing."),
                };
                let mut c = new_condition("Progressing", "True", REASON_RS_UPDATED, msg, &now);
                if let Some(cur) = &cur {
                    if cur.status == "True" {
                        c.last_transition_time = cur.last_transition_time.clone();
                    }
                    remove_condition(&mut st, "Progressing");
                }
                set_condition(&mut st, c);
            } else if self.timed_out(&st) {
                let msg = match &new_name {
                    Some(n) => format!("ReplicaSet \"{n}\" has timed out progressing."),
                    None => format!("Deployment \"{dname}\" has timed out progressing."),
                };
                set_condition(
                    &mut st,
                    new_condition("Progressing", "False", REASON_TIMED_OUT, msg, &now),
                );
            }
        }
        // ReplicaFailure conditions move up from the ReplicaSets.
        let failure = new_rs
            .as_ref()
            .into_iter()
            .chain(fresh.iter())
            .flat_map(|r| r.status.iter().flat_map(|s| s.conditions.iter().flatten()))
            .find(|c| c.type_ == "ReplicaFailure")
            .cloned();
        match failure {
            Some(c) => set_condition(
                &mut st,
                DeploymentCondition {
                    type_: "ReplicaFailure".into(),
                    status: c.status,
                    reason: c.reason,
                    message: c.message,
                    last_update_time: c.last_transition_time.clone(),
                    last_transition_time: c.last_transition_time,
                },
            ),
            None => remove_condition(&mut st, "ReplicaFailure"),
        }
        if self.d.status.as_ref() == Some(&st) {
            return;
        }
        self.d.status = Some(st);
        self.update_status();
    }

    /// `DeploymentTimedOut`.
    fn timed_out(&self, st: &DeploymentStatus) -> bool {
        if !has_progress_deadline(&self.d) {
            return false;
        }
        let Some(c) = get_condition(st, "Progressing") else {
            return false;
        };
        match c.reason.as_deref() {
            Some(REASON_NEW_RS_AVAILABLE) => return false,
            Some(REASON_TIMED_OUT) => return true,
            _ => {}
        }
        let Some(from) = &c.last_update_time else {
            return false;
        };
        let deadline = self
            .d
            .spec
            .as_ref()
            .and_then(|s| s.progress_deadline_seconds)
            .unwrap_or(600);
        util::add_secs(from, deadline as i64).0 < self.ctx.store.timestamp().0
    }
}

/// `DeploymentProgressing`.
fn deployment_progressing(old: &DeploymentStatus, new: &DeploymentStatus) -> bool {
    let g = |v: Option<i32>| v.unwrap_or(0);
    let old_old = g(old.replicas) - g(old.updated_replicas);
    let new_old = g(new.replicas) - g(new.updated_replicas);
    g(new.updated_replicas) > g(old.updated_replicas)
        || new_old < old_old
        || g(new.ready_replicas) > g(old.ready_replicas)
        || g(new.available_replicas) > g(old.available_replicas)
}

/// `FindActiveOrLatest`.
fn find_active_or_latest(new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> Option<ReplicaSet> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut sorted_old: Vec<&ReplicaSet> = old.iter().collect();
    sorted_old.sort_by_key(|b| std::cmp::Reverse(creation_key(b)));
    let active: Vec<&ReplicaSet> = sorted_old
        .iter()
        .copied()
        .chain(new_rs)
        .filter(|r| rs_replicas(r) > 0)
        .collect();
    match active.len() {
        0 => new_rs
            .cloned()
            .or_else(|| sorted_old.first().map(|r| (*r).clone())),
        1 => Some(active[0].clone()),
        _ => None,
    }
}

fn split_new_old(d: &Deployment, rs_list: &[ReplicaSet]) -> (Option<ReplicaSet>, Vec<ReplicaSet>) {
    let new_rs = find_new_rs(d, rs_list);
    let old = rs_list
        .iter()
        .filter(|r| {
            new_rs
                .as_ref()
                .is_none_or(|n| n.metadata.uid != r.metadata.uid)
        })
        .cloned()
        .collect();
    (new_rs, old)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `deployment_util_test.go` `TestResolveFenceposts` and the shared
    /// timings table: surge rounds up, unavailable down, 0/0 becomes 0/1.
    #[test]
    fn fenceposts_round_like_upstream() {
        let pct = |s: &str| IntOrString::String(s.into());
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 10),
            (3, 2)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 4),
            (1, 1)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 3),
            (1, 0)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("25%")), Some(&pct("25%")), 1),
            (1, 0)
        );
        assert_eq!(
            resolve_fenceposts(Some(&pct("0%")), Some(&pct("0%")), 1),
            (0, 1)
        );
        assert_eq!(
            resolve_fenceposts(Some(&IntOrString::Int(0)), Some(&pct("10%")), 5),
            (0, 1)
        );
    }

    /// `SetNewReplicaSetAnnotations`: rolling back onto an old ReplicaSet
    /// moves its revision up and remembers the old one.
    #[test]
    fn revision_history_accumulates() {
        let d: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web", "annotations": {"kubernetes.io/change-cause": "v2"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}
        }))
        .unwrap();
        let mut rs: ReplicaSet = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "annotations": {"deployment.kubernetes.io/revision": "2"}}
        }))
        .unwrap();
        assert!(set_new_rs_annotations(&d, &mut rs, 4, true));
        assert_eq!(
            util::annotation(&rs.metadata, REVISION_ANNOTATION),
            Some("4")
        );
        assert_eq!(
            util::annotation(&rs.metadata, REVISION_HISTORY_ANNOTATION),
            Some("2")
        );
        assert_eq!(
            util::annotation(&rs.metadata, CHANGE_CAUSE_ANNOTATION),
            Some("v2")
        );
        assert!(set_new_rs_annotations(&d, &mut rs, 6, true));
        assert_eq!(
            util::annotation(&rs.metadata, REVISION_HISTORY_ANNOTATION),
            Some("2,4")
        );
        // Not lower: no change.
        assert!(!set_new_rs_annotations(&d, &mut rs, 5, true));
    }
}
