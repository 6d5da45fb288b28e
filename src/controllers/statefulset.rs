//! The StatefulSet controller, after `pkg/controller/statefulset/`:
//! `stateful_set_control.go` (`updateStatefulSet`, `processReplica`,
//! `processCondemned`, `getStatefulSetRevisions`, `updateStatus`,
//! `completeRollingUpdate`), `stateful_set_utils.go` (`newStatefulSetPod`,
//! identity, storage, `getPatch`, `newRevision`, claim ownerRefs),
//! `stateful_pod_control.go` (events) and `pkg/controller/history`
//! (`HashControllerRevision`).

use super::revision;
use super::util::{self, nz};
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent, WriteOptions};
use k8s_openapi::api::apps::v1::{ControllerRevision, StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimVolumeSource, Pod, PodTemplateSpec, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde_json::Value;
use std::any::Any;
use std::time::Duration;

const COMPONENT: &str = "statefulset-controller";
pub const POD_NAME_LABEL: &str = "statefulset.kubernetes.io/pod-name";
pub const POD_INDEX_LABEL: &str = "apps.kubernetes.io/pod-index";
pub use super::revision::REVISION_HASH_LABEL as REVISION_LABEL;

#[derive(Default)]
pub struct StatefulSetController;

impl StatefulSetController {
    pub fn new() -> Self {
        StatefulSetController
    }
}

impl Controller for StatefulSetController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::StatefulSet(s) => q.add(object_key(
                s.metadata.namespace.as_deref(),
                s.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(p) => {
                let keys = util::pod_event_keys::<StatefulSet>(
                    &p.metadata,
                    ev.old.as_ref().map(|o| o.meta()),
                    store,
                    |s| s.spec.as_ref().map(|s| &s.selector),
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
        let Some((_, set)) = util::get::<StatefulSet>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        sync(ctx, set)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- identity and revisions -------------------------------------------

/// The ordinal of `<set>-<n>`, if the pod belongs to `set` by name.
pub fn ordinal(set_name: &str, pod_name: &str) -> Option<i32> {
    pod_name
        .strip_prefix(set_name)
        .and_then(|r| r.strip_prefix('-'))
        .and_then(|n| n.parse().ok())
}

fn replicas_of(set: &StatefulSet) -> i32 {
    set.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn start_ordinal(set: &StatefulSet) -> i32 {
    set.spec
        .as_ref()
        .and_then(|s| s.ordinals.as_ref())
        .and_then(|o| o.start)
        .unwrap_or(0)
}

fn template_of(set: &StatefulSet) -> PodTemplateSpec {
    set.spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default()
}

/// `getPatch`: `{"spec":{"template":{...,"$patch":"replace"}}}`, sorted.
pub fn revision_patch(set: &StatefulSet) -> Value {
    revision::template_patch(&template_of(set))
}

/// `newRevision`: a ControllerRevision `<set>-<hash>` named by
/// `HashControllerRevision` of the patch.
pub fn new_revision(set: &StatefulSet, revision: i64, collision_count: i32) -> ControllerRevision {
    let data = revision_patch(set);
    let hash = revision::hash_revision(&data, Some(collision_count));
    revision::new_revision(
        Kind::StatefulSet,
        &set.metadata,
        &template_of(set),
        &hash,
        data,
        revision,
    )
}

/// `ApplyRevision`: the set with the template of `rev`.
fn apply_revision(set: &StatefulSet, rev: &ControllerRevision) -> StatefulSet {
    let mut s = set.clone();
    if let Some(spec) = s.spec.as_mut() {
        spec.template = revision::template_of(rev);
    }
    s
}

fn claim_name(template: &str, set: &str, ord: i32) -> String {
    format!("{template}-{set}-{ord}")
}

/// `newStatefulSetPod` with `initIdentity` and `updateStorage`.
fn new_pod(set: &StatefulSet, ord: i32, revision: &str) -> Pod {
    let name = set.metadata.name.clone().unwrap_or_default();
    let ns = set.metadata.namespace.clone().unwrap_or_default();
    let spec = set.spec.clone().unwrap_or_default();
    let mut pod = util::pod_from_template(
        &spec.template,
        &ns,
        &format!("{name}-"),
        "",
        util::new_controller_ref(Kind::StatefulSet, &set.metadata),
    );
    let pod_name = format!("{name}-{ord}");
    pod.metadata.name = Some(pod_name.clone());
    util::set_label(&mut pod.metadata.labels, POD_NAME_LABEL, &pod_name);
    util::set_label(&mut pod.metadata.labels, POD_INDEX_LABEL, &ord.to_string());
    util::set_label(&mut pod.metadata.labels, REVISION_LABEL, revision);
    let ps = pod.spec.get_or_insert_with(Default::default);
    ps.hostname = Some(pod_name.clone());
    ps.subdomain = spec.service_name.clone().filter(|s| !s.is_empty());
    for t in spec.volume_claim_templates.iter().flatten() {
        let tname = t.metadata.name.clone().unwrap_or_default();
        let vols = ps.volumes.get_or_insert_with(Vec::new);
        vols.retain(|v| v.name != tname);
        vols.push(Volume {
            name: tname.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim_name(&tname, &name, ord),
                read_only: None,
            }),
            ..Default::default()
        });
    }
    pod
}

fn pod_revision(p: &Pod) -> &str {
    p.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(REVISION_LABEL))
        .map(String::as_str)
        .unwrap_or("")
}

fn is_created(p: &Pod) -> bool {
    !util::pod_phase(p).is_empty() && p.metadata.uid.is_some()
}

fn is_terminating(p: &Pod) -> bool {
    p.metadata.deletion_timestamp.is_some()
}

fn is_running_and_ready(p: &Pod) -> bool {
    util::pod_phase(p) == "Running" && util::is_pod_ready(p)
}

fn is_running_and_available(p: &Pod, min_ready: i32, now: &Time) -> bool {
    util::pod_phase(p) == "Running" && util::is_pod_available(p, min_ready, now)
}

fn is_healthy(p: &Pod) -> bool {
    is_running_and_ready(p) && !is_terminating(p)
}

// ----- the sync -----------------------------------------------------------

struct Sync<'a, 'b> {
    ctx: &'a mut Ctx<'b>,
    set: StatefulSet,
    obj: Object,
    requeue: Option<Duration>,
}

fn sync(ctx: &mut Ctx, set: StatefulSet) -> Action {
    let obj = Object::StatefulSet(set.clone());
    let mut s = Sync {
        ctx,
        set,
        obj,
        requeue: None,
    };
    s.run();
    match s.requeue {
        Some(d) => Action::RequeueAfter(d),
        None => Action::AwaitChange,
    }
}

impl Sync<'_, '_> {
    fn ns(&self) -> String {
        self.set.metadata.namespace.clone().unwrap_or_default()
    }
    fn name(&self) -> String {
        self.set.metadata.name.clone().unwrap_or_default()
    }

    fn event(&mut self, type_: &str, reason: &str, msg: &str) {
        let obj = self.obj.clone();
        util::record(self.ctx.store, &obj, type_, reason, msg, COMPONENT);
    }

    fn run(&mut self) {
        let ns = self.ns();
        let sel = self.set.spec.as_ref().map(|s| s.selector.clone());
        let all = util::pods_in(self.ctx.store, &ns);
        let pods: Vec<Pod> = util::claim_pods(
            self.ctx.store,
            Kind::StatefulSet,
            &self.set.metadata,
            sel.as_ref(),
            all,
        )
        .into_iter()
        .filter(|p| ordinal(&self.name(), p.metadata.name.as_deref().unwrap_or("")).is_some())
        .collect();
        let (current, update, revisions, collision) = self.revisions();
        let status = self.update_stateful_set(&pods, &current, &update, collision);
        let status = self.complete_and_write(status);
        let _ = status;
        self.truncate_history(revisions, &current, &update);
    }

    fn list_revisions(&mut self) -> Vec<ControllerRevision> {
        let sel = self.set.spec.as_ref().map(|s| s.selector.clone());
        revision::claim(
            self.ctx,
            Kind::StatefulSet,
            &self.set.metadata,
            sel.as_ref(),
        )
    }

    /// `getStatefulSetRevisions`.
    fn revisions(
        &mut self,
    ) -> (
        ControllerRevision,
        ControllerRevision,
        Vec<ControllerRevision>,
        i32,
    ) {
        let revisions = self.list_revisions();
        let collision = self
            .set
            .status
            .as_ref()
            .and_then(|s| s.collision_count)
            .unwrap_or(0);
        let next = revisions.last().map(|r| r.revision).unwrap_or(0) + 1;
        let mut update = new_revision(&self.set, next, collision);
        let data = update.data.clone();
        let equal: Vec<&ControllerRevision> = revisions.iter().filter(|r| r.data == data).collect();
        if let (Some(last_eq), Some(last)) = (equal.last(), revisions.last()) {
            if last_eq.metadata.name == last.metadata.name {
                update = last.clone();
            } else {
                let mut r = (*last_eq).clone();
                r.revision = next;
                update = revision::update(self.ctx, r);
            }
        } else if let Some(c) = revision::create(self.ctx, update.clone()) {
            update = c;
        }
        let cur_name = self
            .set
            .status
            .as_ref()
            .and_then(|s| s.current_revision.clone());
        let revisions = self.list_revisions();
        let current = revisions
            .iter()
            .find(|r| r.metadata.name == cur_name)
            .cloned()
            .unwrap_or_else(|| update.clone());
        (current, update, revisions, collision)
    }

    /// `updateStatefulSet`: create, heal and delete pods in ordinal order,
    /// then roll out the update revision from the highest ordinal down.
    fn update_stateful_set(
        &mut self,
        pods: &[Pod],
        current: &ControllerRevision,
        update: &ControllerRevision,
        collision: i32,
    ) -> StatefulSetStatus {
        let spec = self.set.spec.clone().unwrap_or_default();
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let current_set = apply_revision(&self.set, current);
        let update_set = apply_revision(&self.set, update);
        let cur_name = current.metadata.name.clone().unwrap_or_default();
        let upd_name = update.metadata.name.clone().unwrap_or_default();
        let set_name = self.name();
        let start = start_ordinal(&self.set);
        let count = replicas_of(&self.set).max(0);
        let rolling = spec
            .update_strategy
            .as_ref()
            .and_then(|u| u.type_.as_deref())
            .unwrap_or("RollingUpdate")
            == "RollingUpdate";
        let partition = spec
            .update_strategy
            .as_ref()
            .and_then(|u| u.rolling_update.as_ref())
            .and_then(|r| r.partition)
            .unwrap_or(0);
        let mut status = StatefulSetStatus {
            observed_generation: self.set.metadata.generation,
            current_revision: Some(cur_name.clone()),
            update_revision: Some(upd_name.clone()),
            collision_count: Some(collision),
            ..Default::default()
        };
        let mut replicas: Vec<Option<Pod>> = vec![None; count as usize];
        let mut condemned: Vec<Pod> = Vec::new();
        for p in pods {
            let Some(o) = ordinal(&set_name, p.metadata.name.as_deref().unwrap_or("")) else {
                continue;
            };
            if o >= start && o < start + count {
                replicas[(o - start) as usize] = Some(p.clone());
            } else if o >= 0 {
                condemned.push(p.clone());
            }
        }
        // Missing ordinals get a new pod at the right revision
        // (`newVersionedStatefulSetPod`).
        let replicas: Vec<Pod> = replicas
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                p.unwrap_or_else(|| {
                    let ord = start + i as i32;
                    if rolling && ord < start + partition {
                        new_pod(&current_set, ord, &cur_name)
                    } else {
                        new_pod(&update_set, ord, &upd_name)
                    }
                })
            })
            .collect();
        condemned.sort_by_key(|p| {
            std::cmp::Reverse(ordinal(&set_name, p.metadata.name.as_deref().unwrap_or("")))
        });
        let first_unhealthy: Option<String> = replicas
            .iter()
            .filter(|p| is_created(p))
            .chain(condemned.iter().rev())
            .find(|p| !is_healthy(p))
            .and_then(|p| p.metadata.name.clone());
        let now = self.ctx.store.timestamp();
        update_status(
            &mut status,
            min_ready,
            &cur_name,
            &upd_name,
            replicas.iter().chain(condemned.iter()),
            &now,
        );
        if self.set.metadata.deletion_timestamp.is_some() {
            return status;
        }
        let monotonic = spec
            .pod_management_policy
            .as_deref()
            .unwrap_or("OrderedReady")
            != "Parallel";

        // Each living replica.
        let mut exit = false;
        for p in &replicas {
            if self.process_replica(p, monotonic, min_ready, &now) && monotonic {
                exit = true;
                break;
            }
        }
        // Claim ownerRefs for the retention policy.
        for p in replicas
            .iter()
            .chain(condemned.iter())
            .filter(|p| is_created(p))
        {
            self.fix_claim_owner_refs(p);
        }
        if !exit {
            // Condemned pods, highest ordinal first.
            for p in &condemned {
                if is_terminating(p) {
                    if monotonic {
                        exit = true;
                        break;
                    }
                    continue;
                }
                let first = first_unhealthy.as_deref() == p.metadata.name.as_deref();
                if monotonic
                    && !first
                    && (!is_running_and_ready(p) || !is_running_and_available(p, min_ready, &now))
                {
                    exit = true;
                    break;
                }
                self.delete_pod(p);
                if monotonic {
                    exit = true;
                    break;
                }
            }
        }
        let fresh = self.fresh_pods();
        let fresh_refs: Vec<&Pod> = fresh.iter().collect();
        status = StatefulSetStatus {
            observed_generation: self.set.metadata.generation,
            current_revision: Some(cur_name.clone()),
            update_revision: Some(upd_name.clone()),
            collision_count: Some(collision),
            ..Default::default()
        };
        update_status(
            &mut status,
            min_ready,
            &cur_name,
            &upd_name,
            fresh_refs.into_iter(),
            &now,
        );
        if exit || !rolling {
            return status;
        }
        // The rolling update: the highest ordinal not at the update revision.
        let mut target = replicas.len() as i32 - 1;
        while target >= partition.max(0) {
            let p = &replicas[target as usize];
            let live = fresh.iter().find(|f| f.metadata.name == p.metadata.name);
            let Some(p) = live else { break };
            if pod_revision(p) != upd_name && !is_terminating(p) {
                let p = p.clone();
                self.delete_pod(&p);
                status.current_replicas = nz(status.current_replicas.unwrap_or(0) - 1);
                return status;
            }
            if !is_healthy(p) {
                return status;
            }
            target -= 1;
        }
        status
    }

    fn fresh_pods(&self) -> Vec<Pod> {
        let ns = self.ns();
        let uid = self.set.metadata.uid.clone().unwrap_or_default();
        let name = self.name();
        self.ctx
            .store
            .list_as::<Pod>(Some(&ns))
            .filter(|p| util::is_controlled_by(&p.metadata, &uid))
            .filter(|p| ordinal(&name, p.metadata.name.as_deref().unwrap_or("")).is_some())
            .cloned()
            .collect()
    }

    /// `processReplica`: returns whether a monotonic sync must stop here.
    fn process_replica(&mut self, p: &Pod, monotonic: bool, min_ready: i32, now: &Time) -> bool {
        if is_created(p) && matches!(util::pod_phase(p), "Failed" | "Succeeded") {
            if !is_terminating(p) {
                self.delete_pod(p);
            }
            return true;
        }
        if !is_created(p) {
            self.create_pod(p);
            return monotonic;
        }
        if util::pod_phase(p) == "Pending" {
            self.create_claims(p);
        }
        if is_terminating(p) && monotonic {
            return true;
        }
        if !is_running_and_ready(p) && monotonic {
            return true;
        }
        if !is_running_and_available(p, min_ready, now) && monotonic {
            if let Some(d) = util::until_available(p, min_ready, now) {
                self.requeue = Some(self.requeue.map_or(d, |r| r.min(d)));
            }
            return true;
        }
        false
    }

    fn create_claims(&mut self, p: &Pod) {
        let ns = self.ns();
        let set_name = self.name();
        let Some(ord) = ordinal(&set_name, p.metadata.name.as_deref().unwrap_or("")) else {
            return;
        };
        let spec = self.set.spec.clone().unwrap_or_default();
        let match_labels = spec.selector.match_labels.clone().unwrap_or_default();
        for t in spec.volume_claim_templates.iter().flatten() {
            let cname = claim_name(t.metadata.name.as_deref().unwrap_or(""), &set_name, ord);
            if self
                .ctx
                .store
                .try_get(Kind::PersistentVolumeClaim, &ns, &cname)
                .is_some()
            {
                continue;
            }
            let mut labels = t.metadata.labels.clone().unwrap_or_default();
            for (k, v) in &match_labels {
                labels.insert(k.clone(), v.clone());
            }
            let claim = PersistentVolumeClaim {
                metadata: ObjectMeta {
                    name: Some(cname.clone()),
                    namespace: Some(ns.clone()),
                    labels: Some(labels),
                    annotations: t.metadata.annotations.clone(),
                    ..Default::default()
                },
                spec: t.spec.clone(),
                status: None,
            };
            let pod_name = p.metadata.name.clone().unwrap_or_default();
            match self.ctx.store.create(Object::PersistentVolumeClaim(claim), &WriteOptions::default()) {
                Ok(_) => self.event(
                    "Normal",
                    "SuccessfulCreate",
                    &format!("create Claim {cname} Pod {pod_name} in StatefulSet {set_name} success"),
                ),
                Err(e) => self.event(
                    "Warning",
                    "FailedCreate",
                    &format!("create Claim {cname} for Pod {pod_name} in StatefulSet {set_name} failed error: {}", e.message),
                ),
            }
        }
    }

    /// `CreateStatefulPod`: the claims first, then the pod.
    fn create_pod(&mut self, p: &Pod) {
        self.create_claims(p);
        let name = p.metadata.name.clone().unwrap_or_default();
        let set_name = self.name();
        match self
            .ctx
            .store
            .create(Object::Pod(p.clone()), &WriteOptions::default())
        {
            Ok(_) => self.event(
                "Normal",
                "SuccessfulCreate",
                &format!("create Pod {name} in StatefulSet {set_name} successful"),
            ),
            Err(e) => self.event(
                "Warning",
                "FailedCreate",
                &format!(
                    "create Pod {name} in StatefulSet {set_name} failed error: {}",
                    e.message
                ),
            ),
        }
    }

    fn delete_pod(&mut self, p: &Pod) {
        let ns = self.ns();
        let name = p.metadata.name.clone().unwrap_or_default();
        let set_name = self.name();
        match self
            .ctx
            .store
            .delete(Kind::Pod, &ns, &name, &Default::default())
        {
            Ok(_) => self.event(
                "Normal",
                "SuccessfulDelete",
                &format!("delete Pod {name} in StatefulSet {set_name} successful"),
            ),
            Err(e) => self.event(
                "Warning",
                "FailedDelete",
                &format!(
                    "delete Pod {name} in StatefulSet {set_name} failed error: {}",
                    e.message
                ),
            ),
        }
    }

    /// `updateClaimOwnerRefForSetAndPod`: the retention policy as owner
    /// references (WhenDeleted=Delete → the set owns the claim; WhenScaled
    /// =Delete → a condemned pod owns it).
    fn fix_claim_owner_refs(&mut self, p: &Pod) {
        let spec = self.set.spec.clone().unwrap_or_default();
        let pol = spec
            .persistent_volume_claim_retention_policy
            .clone()
            .unwrap_or_default();
        let when_deleted = pol.when_deleted.as_deref().unwrap_or("Retain") == "Delete";
        let when_scaled = pol.when_scaled.as_deref().unwrap_or("Retain") == "Delete";
        let set_name = self.name();
        let Some(ord) = ordinal(&set_name, p.metadata.name.as_deref().unwrap_or("")) else {
            return;
        };
        let start = start_ordinal(&self.set);
        let scaled_down = !(ord >= start && ord < start + replicas_of(&self.set));
        let ns = self.ns();
        let set_ref = OwnerReference {
            api_version: "apps/v1".into(),
            kind: "StatefulSet".into(),
            name: set_name.clone(),
            uid: self.set.metadata.uid.clone().unwrap_or_default(),
            controller: None,
            block_owner_deletion: None,
        };
        let pod_ref = OwnerReference {
            api_version: "v1".into(),
            kind: "Pod".into(),
            name: p.metadata.name.clone().unwrap_or_default(),
            uid: p.metadata.uid.clone().unwrap_or_default(),
            controller: None,
            block_owner_deletion: None,
        };
        let (want_set, want_pod) = match (when_scaled, when_deleted) {
            (false, false) => (false, false),
            (false, true) => (true, false),
            (true, false) => (false, scaled_down),
            (true, true) => (!scaled_down, scaled_down),
        };
        for t in spec.volume_claim_templates.iter().flatten() {
            let cname = claim_name(t.metadata.name.as_deref().unwrap_or(""), &set_name, ord);
            let Some(claim) = self
                .ctx
                .store
                .get_as::<PersistentVolumeClaim>(&ns, &cname)
                .cloned()
            else {
                continue;
            };
            let refs = claim.metadata.owner_references.clone().unwrap_or_default();
            let mut new_refs: Vec<OwnerReference> = refs
                .iter()
                .filter(|r| !(r.uid == set_ref.uid || (r.kind == "Pod" && r.name == pod_ref.name)))
                .cloned()
                .collect();
            if want_set {
                new_refs.push(set_ref.clone());
            }
            if want_pod {
                new_refs.push(pod_ref.clone());
            }
            let sort_key = |r: &OwnerReference| (r.kind.clone(), r.name.clone());
            let mut a = refs.clone();
            a.sort_by_key(sort_key);
            let mut b = new_refs.clone();
            b.sort_by_key(sort_key);
            if a != b {
                let _ = self
                    .ctx
                    .store
                    .modify::<PersistentVolumeClaim>(&ns, &cname, false, |c| {
                        c.metadata.owner_references = if new_refs.is_empty() {
                            None
                        } else {
                            Some(new_refs.clone())
                        };
                    });
            }
        }
    }

    /// `completeRollingUpdate`, then the status write.
    fn complete_and_write(&mut self, mut st: StatefulSetStatus) -> StatefulSetStatus {
        let rolling = self
            .set
            .spec
            .as_ref()
            .and_then(|s| s.update_strategy.as_ref())
            .and_then(|u| u.type_.as_deref())
            .unwrap_or("RollingUpdate")
            == "RollingUpdate";
        if rolling
            && st.updated_replicas.unwrap_or(0) == st.replicas
            && st.ready_replicas.unwrap_or(0) == st.replicas
        {
            st.current_replicas = st.updated_replicas;
            st.current_revision = st.update_revision.clone();
        }
        let old = self.set.status.clone().unwrap_or_default();
        st.conditions = old.conditions.clone();
        if self.set.status.as_ref() != Some(&st) {
            let ns = self.ns();
            let name = self.name();
            let s2 = st.clone();
            let _ = self
                .ctx
                .store
                .modify::<StatefulSet>(&ns, &name, true, |s| s.status = Some(s2));
        }
        st
    }

    /// `truncateHistory`: keep revisionHistoryLimit revisions no pod uses.
    fn truncate_history(
        &mut self,
        revisions: Vec<ControllerRevision>,
        current: &ControllerRevision,
        update: &ControllerRevision,
    ) {
        let limit = super::revision::history_limit(
            self.set
                .spec
                .as_ref()
                .and_then(|s| s.revision_history_limit),
        );
        let mut live: Vec<String> = self
            .fresh_pods()
            .iter()
            .map(|p| pod_revision(p).to_string())
            .collect();
        live.extend(current.metadata.name.clone());
        live.extend(update.metadata.name.clone());
        let is_live = |r: &ControllerRevision| {
            live.contains(r.metadata.name.as_ref().unwrap_or(&String::new()))
        };
        let history = revisions.iter().filter(|r| !is_live(r)).count();
        if history > limit {
            revision::delete_oldest(self.ctx, revisions, is_live, history - limit);
        }
    }
}

/// `updateStatus`: counts over the pods.
fn update_status<'a>(
    st: &mut StatefulSetStatus,
    min_ready: i32,
    cur: &str,
    upd: &str,
    pods: impl Iterator<Item = &'a Pod>,
    now: &Time,
) {
    let (mut replicas, mut ready, mut available, mut current, mut updated) = (0, 0, 0, 0, 0);
    for p in pods {
        if is_created(p) {
            replicas += 1;
        }
        if is_running_and_ready(p) {
            ready += 1;
            if is_running_and_available(p, min_ready, now) {
                available += 1;
            }
        }
        if is_created(p) && !is_terminating(p) {
            let r = pod_revision(p);
            if r == cur {
                current += 1;
            }
            if r == upd {
                updated += 1;
            }
        }
    }
    st.replicas = replicas;
    st.ready_replicas = nz(ready);
    st.available_replicas = Some(available);
    st.current_replicas = nz(current);
    st.updated_replicas = nz(updated);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ordinals_parse_from_names() {
        assert_eq!(ordinal("web", "web-0"), Some(0));
        assert_eq!(ordinal("web", "web-12"), Some(12));
        assert_eq!(ordinal("web", "web-x"), None);
        assert_eq!(ordinal("web", "webby-1"), None);
    }

    /// `pkg/controller/history` names revisions `<set>-<hash>` with a
    /// safe-encoded FNV-32 hash; a different collision count changes it.
    #[test]
    fn revision_names_look_like_upstream() {
        let set: StatefulSet = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u"},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "serviceName": "web",
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
        }))
        .unwrap();
        let r = new_revision(&set, 1, 0);
        let name = r.metadata.name.clone().unwrap();
        assert!(name.starts_with("web-"));
        assert!(
            name[4..].chars().all(|c| "456789bcdf".contains(c)),
            "{name}"
        );
        assert_ne!(new_revision(&set, 1, 1).metadata.name, r.metadata.name);
        assert_eq!(r.metadata.labels.unwrap()[REVISION_LABEL], name[4..]);
    }
}
