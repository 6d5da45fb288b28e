//! The DaemonSet controller, after `pkg/controller/daemon/`:
//! `daemon_controller.go` (`syncDaemonSet`, `manage`, `podsShouldBeOnNode`,
//! `NodeShouldRunDaemonPod`, `updateDaemonSetStatus`), `update.go`
//! (`rollingUpdate`, `constructHistory`, `cleanupHistory`, `getPatch`) and
//! `util/daemonset_util.go` (the daemon tolerations, the node-name affinity).

use super::revision;
use super::timings;
use super::util::{self, nz};
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Reason, Store, WatchEvent, WriteOptions};
use crate::sim::SimTime;
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, DaemonSetStatus};
use k8s_openapi::api::core::v1::{
    Affinity, Node, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod,
    PodSpec, PodTemplateSpec, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde_json::Value;
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

const COMPONENT: &str = "daemonset-controller";
pub const TEMPLATE_GENERATION_ANNOTATION: &str = "deprecated.daemonset.template.generation";
pub const TEMPLATE_GENERATION_LABEL: &str = "pod-template-generation";
pub use super::revision::REVISION_HASH_LABEL;

#[derive(Default)]
pub struct DaemonSetController {
    /// `failedPodsBackoff`: per (daemon set, node), the current delay and
    /// when it was last used.
    failed_backoff: BTreeMap<String, (Duration, SimTime)>,
}

impl DaemonSetController {
    pub fn new() -> Self {
        DaemonSetController::default()
    }
}

impl Controller for DaemonSetController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::DaemonSet(ds) => q.add(object_key(
                ds.metadata.namespace.as_deref(),
                ds.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(p) => {
                let keys = util::pod_event_keys::<DaemonSet>(
                    &p.metadata,
                    ev.old.as_ref().map(|o| o.meta()),
                    store,
                    |ds| ds.spec.as_ref().map(|s| &s.selector),
                );
                keys.owners
                    .into_iter()
                    .chain(keys.adopters)
                    .for_each(|k| q.add(k));
            }
            // Nodes joining, leaving, relabelled or tainted: every DaemonSet.
            Object::Node(_) => {
                for ds in store.list_as::<DaemonSet>(None) {
                    q.add(object_key(
                        ds.metadata.namespace.as_deref(),
                        ds.metadata.name.as_deref().unwrap_or(""),
                    ));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((_, ds)) = util::get::<DaemonSet>(ctx.store, ns, name) else {
            self.failed_backoff
                .retain(|k, _| !k.starts_with(&format!("{key}/")));
            return Action::AwaitChange;
        };
        self.sync(ctx, key, ds)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- predicates (also used by tests' stand-in scheduler) --------------

/// `Toleration.ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if t.effect
        .as_deref()
        .is_some_and(|e| !e.is_empty() && e != taint.effect)
    {
        return false;
    }
    if t.key
        .as_deref()
        .is_some_and(|k| !k.is_empty() && k != taint.key)
    {
        return false;
    }
    match t.operator.as_deref().unwrap_or("Equal") {
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        "Exists" => true,
        _ => false,
    }
}

fn untolerated<'a>(
    taints: &'a [Taint],
    tols: &[Toleration],
    effects: &[&str],
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| effects.contains(&t.effect.as_str()))
        .find(|t| !tols.iter().any(|tol| tolerates(tol, t)))
}

fn requirement_matches(r: &NodeSelectorRequirement, value: Option<&str>) -> bool {
    let vals = r.values.clone().unwrap_or_default();
    match r.operator.as_str() {
        "In" => value.is_some_and(|v| vals.iter().any(|x| x == v)),
        "NotIn" => value.is_none_or(|v| !vals.iter().any(|x| x == v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(x)) = (
                value.and_then(|v| v.parse::<i64>().ok()),
                vals.first().and_then(|x| x.parse::<i64>().ok()),
            ) else {
                return false;
            };
            if r.operator == "Gt" {
                v > x
            } else {
                v < x
            }
        }
        _ => false,
    }
}

/// `nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector
/// and the required node affinity terms (ORed; each term's expressions and
/// fields ANDed).
pub fn node_affinity_matches(spec: &PodSpec, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    for (k, v) in spec.node_selector.iter().flatten() {
        if labels.get(k) != Some(v) {
            return false;
        }
    }
    let Some(req) = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|na| {
            na.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
    else {
        return true;
    };
    let name = node.metadata.name.as_deref();
    req.node_selector_terms.iter().any(|term| {
        let exprs = term.match_expressions.clone().unwrap_or_default();
        let fields = term.match_fields.clone().unwrap_or_default();
        if exprs.is_empty() && fields.is_empty() {
            return false;
        }
        exprs
            .iter()
            .all(|r| requirement_matches(r, labels.get(&r.key).map(String::as_str)))
            && fields
                .iter()
                .all(|r| r.key == "metadata.name" && requirement_matches(r, name))
    })
}

/// Whether a pod could be placed on a node: node name, affinity, and
/// NoSchedule/NoExecute taints (unschedulable nodes count as tainted).
pub fn pod_fits_node(pod: &Pod, node: &Node) -> bool {
    let Some(spec) = pod.spec.as_ref() else {
        return false;
    };
    if spec
        .node_name
        .as_deref()
        .is_some_and(|n| Some(n) != node.metadata.name.as_deref())
    {
        return false;
    }
    let mut taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    if node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
    {
        taints.push(Taint {
            key: "node.kubernetes.io/unschedulable".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        });
    }
    node_affinity_matches(spec, node)
        && untolerated(
            &taints,
            spec.tolerations.as_deref().unwrap_or(&[]),
            &["NoSchedule", "NoExecute"],
        )
        .is_none()
}

fn toleration(key: &str, effect: &str) -> Toleration {
    Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        effect: Some(effect.into()),
        ..Default::default()
    }
}

/// `AddOrUpdateTolerationInPodSpec`: replaces a toleration with the same
/// key, operator, value and effect, or appends it.
fn add_or_update_toleration(spec: &mut PodSpec, t: Toleration) {
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    if let Some(existing) = tols.iter_mut().find(|e| {
        e.key == t.key
            && e.effect == t.effect
            && e.operator.as_deref().unwrap_or("Equal") == t.operator.as_deref().unwrap_or("Equal")
            && e.value == t.value
    }) {
        *existing = t;
    } else {
        tols.push(t);
    }
}

/// `AddOrUpdateDaemonPodTolerations`: daemon pods survive node problems.
pub fn add_daemon_tolerations(spec: &mut PodSpec) {
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/not-ready", "NoExecute"),
    );
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/unreachable", "NoExecute"),
    );
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/disk-pressure", "NoSchedule"),
    );
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/memory-pressure", "NoSchedule"),
    );
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/pid-pressure", "NoSchedule"),
    );
    add_or_update_toleration(
        spec,
        toleration("node.kubernetes.io/unschedulable", "NoSchedule"),
    );
    if spec.host_network == Some(true) {
        add_or_update_toleration(
            spec,
            toleration("node.kubernetes.io/network-unavailable", "NoSchedule"),
        );
    }
}

/// `ReplaceDaemonSetPodNodeNameNodeAffinity`: the pod may only go to `node`.
pub fn node_name_affinity(affinity: Option<Affinity>, node: &str) -> Affinity {
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: "In".into(),
            values: Some(vec![node.to_string()]),
        }]),
        match_expressions: None,
    };
    let mut a = affinity.unwrap_or_default();
    let na = a.node_affinity.get_or_insert_with(NodeAffinity::default);
    match na
        .required_during_scheduling_ignored_during_execution
        .as_mut()
    {
        Some(req) => req.node_selector_terms = vec![term],
        None => {
            na.required_during_scheduling_ignored_during_execution = Some(NodeSelector {
                node_selector_terms: vec![term],
            })
        }
    }
    a
}

/// `GetTargetNodeName`: spec.nodeName, or the node-name affinity of a pod
/// not yet scheduled.
pub fn target_node(p: &Pod) -> Option<String> {
    let spec = p.spec.as_ref()?;
    if let Some(n) = spec.node_name.as_deref().filter(|n| !n.is_empty()) {
        return Some(n.to_string());
    }
    let terms = &spec
        .affinity
        .as_ref()?
        .node_affinity
        .as_ref()?
        .required_during_scheduling_ignored_during_execution
        .as_ref()?
        .node_selector_terms;
    terms.iter().find_map(|t| {
        t.match_fields.iter().flatten().find_map(|r| {
            (r.key == "metadata.name" && r.operator == "In")
                .then(|| {
                    r.values
                        .as_ref()
                        .filter(|v| v.len() == 1)
                        .map(|v| v[0].clone())
                })
                .flatten()
        })
    })
}

/// `NodeShouldRunDaemonPod`: (shouldRun, shouldContinueRunning).
pub fn node_should_run(node: &Node, ds: &DaemonSet) -> (bool, bool) {
    let mut spec = ds
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.clone())
        .unwrap_or_default();
    add_daemon_tolerations(&mut spec);
    let node_name = node.metadata.name.as_deref().unwrap_or("");
    if spec
        .node_name
        .as_deref()
        .is_some_and(|n| !n.is_empty() && n != node_name)
    {
        return (false, false);
    }
    if !node_affinity_matches(&spec, node) {
        return (false, false);
    }
    let taints = node
        .spec
        .as_ref()
        .and_then(|s| s.taints.clone())
        .unwrap_or_default();
    let tols = spec.tolerations.clone().unwrap_or_default();
    if untolerated(&taints, &tols, &["NoSchedule", "NoExecute"]).is_some() {
        return (false, untolerated(&taints, &tols, &["NoExecute"]).is_none());
    }
    (true, true)
}

/// `getPatch`: the ControllerRevision data.
pub fn revision_patch(ds: &DaemonSet) -> Value {
    revision::template_patch(&template_of(ds))
}

fn template_of(ds: &DaemonSet) -> PodTemplateSpec {
    ds.spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default()
}

/// The template hash the controller labels pods and revisions with
/// (`update.go` `Snapshot`: `ComputeHash` of the template).
pub fn template_hash(ds: &DaemonSet) -> String {
    util::compute_hash(
        &template_of(ds),
        ds.status.as_ref().and_then(|s| s.collision_count),
    )
}

/// A new ControllerRevision for `ds` (`snapshot`).
pub fn new_revision(ds: &DaemonSet, revision: i64) -> ControllerRevision {
    revision::new_revision(
        Kind::DaemonSet,
        &ds.metadata,
        &template_of(ds),
        &template_hash(ds),
        revision_patch(ds),
        revision,
    )
}

fn template_generation(ds: &DaemonSet) -> Option<i64> {
    util::annotation(&ds.metadata, TEMPLATE_GENERATION_ANNOTATION).and_then(|v| v.parse().ok())
}

/// `IsPodUpdated`: the hash label or the template generation matches.
fn is_pod_updated(p: &Pod, hash: &str, generation: Option<i64>) -> bool {
    let labels = p.metadata.labels.clone().unwrap_or_default();
    let gen_match =
        generation.is_some_and(|g| labels.get(TEMPLATE_GENERATION_LABEL) == Some(&g.to_string()));
    let hash_match =
        !hash.is_empty() && labels.get(REVISION_HASH_LABEL).map(String::as_str) == Some(hash);
    hash_match || gen_match
}

fn creation(p: &Pod) -> (Option<jiff::Timestamp>, String) {
    (
        p.metadata.creation_timestamp.as_ref().map(|t| t.0),
        p.metadata.name.clone().unwrap_or_default(),
    )
}

impl DaemonSetController {
    fn sync(&mut self, ctx: &mut Ctx, key: &str, ds: DaemonSet) -> Action {
        let ns = ds.metadata.namespace.clone().unwrap_or_default();
        let obj = Object::DaemonSet(ds.clone());
        let nodes: Vec<Node> = ctx.store.list_as::<Node>(None).cloned().collect();
        let Some((cur, old)) = construct_history(ctx, &ds) else {
            // A hash collision bumped collisionCount: the status update
            // brings the DaemonSet back with the new count.
            return Action::AwaitChange;
        };
        let hash = cur
            .as_ref()
            .and_then(|c| c.metadata.labels.as_ref())
            .and_then(|l| l.get(REVISION_HASH_LABEL).cloned())
            .unwrap_or_else(|| template_hash(&ds));
        let mut requeue: Option<Duration> = None;
        if ds.metadata.deletion_timestamp.is_none() {
            let changed = self.manage(ctx, key, &obj, &ds, &nodes, &hash, &mut requeue);
            // Expectations: a rolling update waits until the creations and
            // deletions above have been observed (the next sync).
            if !changed {
                let strategy = ds
                    .spec
                    .as_ref()
                    .and_then(|s| s.update_strategy.as_ref())
                    .and_then(|u| u.type_.clone())
                    .unwrap_or_else(|| "RollingUpdate".into());
                if strategy == "RollingUpdate" {
                    rolling_update(ctx, &obj, &ds, &nodes, &hash);
                }
            }
            cleanup_history(ctx, &ds, old);
        }
        let _ = ns;
        let min_ready = update_status(ctx, &ds, &nodes, &hash);
        match (requeue, min_ready) {
            (Some(a), Some(b)) => Action::RequeueAfter(a.min(b)),
            (Some(a), None) | (None, Some(a)) => Action::RequeueAfter(a),
            (None, None) => Action::AwaitChange,
        }
    }

    /// `manage`: create the missing daemon pods and delete misplaced,
    /// surplus and failed ones. Returns whether it wrote anything.
    #[allow(clippy::too_many_arguments)]
    fn manage(
        &mut self,
        ctx: &mut Ctx,
        key: &str,
        obj: &Object,
        ds: &DaemonSet,
        nodes: &[Node],
        hash: &str,
        requeue: &mut Option<Duration>,
    ) -> bool {
        let by_node = nodes_to_daemon_pods(ctx, ds);
        let mut to_create: Vec<String> = Vec::new();
        let mut to_delete: Vec<Pod> = Vec::new();
        for node in nodes {
            let node_name = node.metadata.name.clone().unwrap_or_default();
            let (should_run, should_continue) = node_should_run(node, ds);
            let pods = by_node.get(&node_name).cloned().unwrap_or_default();
            let exists = !pods.is_empty();
            if should_run && !exists {
                to_create.push(node_name);
            } else if should_continue {
                let mut running = Vec::new();
                for p in pods {
                    if p.metadata.deletion_timestamp.is_some() {
                        continue;
                    }
                    if util::pod_phase(&p) == "Failed" {
                        let bkey = format!("{key}/{node_name}");
                        let now = ctx.now;
                        let entry = self.failed_backoff.get(&bkey).copied();
                        if let Some((delay, last)) = entry {
                            if now < last + delay {
                                let left = (last + delay).0 - now.0;
                                let left = Duration::from_millis(left);
                                *requeue = Some(requeue.map_or(left, |r| r.min(left)));
                                continue;
                            }
                        }
                        let next = match entry {
                            Some((d, _)) => (d * 2).min(timings::DAEMON_FAILED_POD_BACKOFF_MAX),
                            None => timings::DAEMON_FAILED_POD_BACKOFF,
                        };
                        self.failed_backoff.insert(bkey, (next, now));
                        util::record(
                            ctx.store,
                            obj,
                            "Warning",
                            "FailedDaemonPod",
                            &format!(
                                "Found failed daemon pod {}/{} on node {node_name}, will try to kill it",
                                p.metadata.namespace.as_deref().unwrap_or(""),
                                p.metadata.name.as_deref().unwrap_or("")
                            ),
                            COMPONENT,
                        );
                        to_delete.push(p);
                        continue;
                    }
                    running.push(p);
                }
                if running.len() > 1 {
                    // Keep the oldest running one.
                    running.sort_by_key(|p| (util::pod_phase(p) != "Running", creation(p)));
                    to_delete.extend(running.into_iter().skip(1));
                }
            } else if exists {
                to_delete.extend(
                    pods.into_iter()
                        .filter(|p| p.metadata.deletion_timestamp.is_none()),
                );
            }
        }
        // Pods bound to nodes that no longer exist are the pod GC's
        // (`pkg/controller/podgc`), as upstream.
        let changed = !to_create.is_empty() || !to_delete.is_empty();
        sync_nodes(ctx, obj, ds, &to_delete, &to_create, hash);
        changed
    }
}

/// `getNodesToDaemonPods`: the daemon pods this DaemonSet controls (after
/// adoption), by target node; deleted terminal pods are left out.
fn nodes_to_daemon_pods(ctx: &mut Ctx, ds: &DaemonSet) -> BTreeMap<String, Vec<Pod>> {
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let all = util::pods_in(ctx.store, &ns);
    let sel = ds.spec.as_ref().map(|s| s.selector.clone());
    let owned = util::claim_pods(ctx.store, Kind::DaemonSet, &ds.metadata, sel.as_ref(), all);
    let mut out: BTreeMap<String, Vec<Pod>> = BTreeMap::new();
    for p in owned {
        let terminal = matches!(util::pod_phase(&p), "Succeeded" | "Failed");
        if terminal && p.metadata.deletion_timestamp.is_some() {
            continue;
        }
        if let Some(n) = target_node(&p) {
            out.entry(n).or_default().push(p);
        }
    }
    out
}

/// `syncNodes`: delete, then create one pod per node that needs one.
fn sync_nodes(
    ctx: &mut Ctx,
    obj: &Object,
    ds: &DaemonSet,
    to_delete: &[Pod],
    to_create: &[String],
    hash: &str,
) {
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let name = ds.metadata.name.clone().unwrap_or_default();
    for p in to_delete {
        let _ = util::delete_pod(ctx.store, obj, p, COMPONENT);
    }
    if to_create.is_empty() {
        return;
    }
    // `CreatePodTemplate`: daemon tolerations, generation and hash labels.
    let mut template = ds
        .spec
        .as_ref()
        .map(|s| s.template.clone())
        .unwrap_or_default();
    if let Some(spec) = template.spec.as_mut() {
        add_daemon_tolerations(spec);
    }
    let meta = template.metadata.get_or_insert_with(Default::default);
    if let Some(g) = template_generation(ds) {
        util::set_label(&mut meta.labels, TEMPLATE_GENERATION_LABEL, &g.to_string());
    }
    util::set_label(&mut meta.labels, REVISION_HASH_LABEL, hash);
    let cref = util::new_controller_ref(Kind::DaemonSet, &ds.metadata);
    let prefix = format!("{name}-");
    for node in to_create
        .iter()
        .take(super::timings::MAX_POD_CREATE_DELETE_PER_SYNC)
    {
        let mut t = template.clone();
        if let Some(spec) = t.spec.as_mut() {
            spec.affinity = Some(node_name_affinity(spec.affinity.take(), node));
        }
        let res = util::create_pod(ctx.store, ctx.rng, obj, COMPONENT, |suffix| {
            util::pod_from_template(&t, &ns, &prefix, suffix, cref.clone())
        });
        if res.is_err() {
            break; // slow start: the first failure skips the rest
        }
    }
}

/// `rollingUpdate` (maxSurge 0): delete old pods while the number of
/// unavailable nodes stays within maxUnavailable.
fn rolling_update(ctx: &mut Ctx, obj: &Object, ds: &DaemonSet, nodes: &[Node], hash: &str) {
    let by_node = nodes_to_daemon_pods(ctx, ds);
    let desired = nodes.iter().filter(|n| node_should_run(n, ds).0).count() as i32;
    let ru = ds
        .spec
        .as_ref()
        .and_then(|s| s.update_strategy.as_ref())
        .and_then(|u| u.rolling_update.clone())
        .unwrap_or_default();
    let max_unavailable = ru
        .max_unavailable
        .as_ref()
        .and_then(|v| util::scaled_value(v, desired, true).ok())
        .unwrap_or(1);
    let generation = template_generation(ds);
    let min_ready = ds
        .spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0);
    let now = ctx.store.timestamp();
    let mut num_unavailable = 0;
    let mut allowed_replacement: Vec<Pod> = Vec::new();
    let mut candidates: Vec<Pod> = Vec::new();
    for (node_name, pods) in &by_node {
        if !nodes
            .iter()
            .any(|n| n.metadata.name.as_deref() == Some(node_name) && node_should_run(n, ds).0)
        {
            continue;
        }
        // `findUpdatedPodsOnNode`.
        let mut new_pod = None;
        let mut old_pod = None;
        let mut ok = true;
        for p in pods
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
        {
            if is_pod_updated(p, hash, generation) {
                if new_pod.is_some() {
                    ok = false;
                }
                new_pod = Some(p.clone());
            } else {
                if old_pod.is_some() {
                    ok = false;
                }
                old_pod = Some(p.clone());
            }
        }
        if !ok {
            num_unavailable += 1;
            continue;
        }
        match (new_pod, old_pod) {
            // The manage loop creates or deletes the right pod: count the
            // node as unavailable meanwhile.
            (None, None) | (Some(_), Some(_)) => num_unavailable += 1,
            (Some(n), None) => {
                if !util::is_pod_available(&n, min_ready, &now) {
                    num_unavailable += 1;
                }
            }
            (None, Some(o)) => {
                if !util::is_pod_available(&o, min_ready, &now) {
                    allowed_replacement.push(o);
                } else if num_unavailable < max_unavailable {
                    candidates.push(o);
                }
            }
        }
    }
    let remaining = (max_unavailable - num_unavailable)
        .max(0)
        .min(candidates.len() as i32) as usize;
    let mut to_delete = allowed_replacement;
    to_delete.extend(candidates.into_iter().take(remaining));
    sync_nodes(ctx, obj, ds, &to_delete, &[], hash);
}

/// The current and the old ControllerRevisions of a DaemonSet.
type History = (Option<ControllerRevision>, Vec<ControllerRevision>);

/// `constructHistory`: the current ControllerRevision (created if the
/// template is new) and the old ones; None when a hash collision bumped
/// `status.collisionCount` (the sync stops there, as upstream's error).
fn construct_history(ctx: &mut Ctx, ds: &DaemonSet) -> Option<History> {
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let sel = ds.spec.as_ref().map(|s| s.selector.clone());
    let patch = revision_patch(ds);
    let mut cur = Vec::new();
    let mut old = Vec::new();
    for mut h in revision::claim(ctx, Kind::DaemonSet, &ds.metadata, sel.as_ref()) {
        if h.metadata
            .labels
            .as_ref()
            .is_none_or(|l| !l.contains_key(REVISION_HASH_LABEL))
        {
            let n = h.metadata.name.clone().unwrap_or_default();
            util::set_label(&mut h.metadata.labels, REVISION_HASH_LABEL, &n);
            h = revision::update(ctx, h);
        }
        if h.data.as_ref().map(|d| &d.0) == Some(&patch) {
            cur.push(h);
        } else {
            old.push(h);
        }
    }
    let next = old.iter().map(|h| h.revision).max().unwrap_or(0) + 1;
    if cur.is_empty() {
        if ds.metadata.deletion_timestamp.is_some() {
            return Some((None, old));
        }
        return snapshot(ctx, ds, next).map(|cur| (cur, old));
    }
    // `dedupCurHistories`: keep the highest revision.
    cur.sort_by_key(|h| std::cmp::Reverse(h.revision));
    let mut keep = cur.remove(0);
    for dup in cur {
        let _ = ctx.store.delete(
            Kind::ControllerRevision,
            &ns,
            dup.metadata.name.as_deref().unwrap_or(""),
            &Default::default(),
        );
    }
    if keep.revision < next {
        keep.revision = next;
        keep = revision::update(ctx, keep);
    }
    Some((Some(keep), old))
}

/// `snapshot`: creates the revision of the current template. A revision
/// of that name which is ours with the same data is taken as it is;
/// anyone else's, or other data, is a hash collision: `collisionCount` is
/// bumped and None returned.
fn snapshot(ctx: &mut Ctx, ds: &DaemonSet, next: i64) -> Option<Option<ControllerRevision>> {
    let rev = new_revision(ds, next);
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let name = rev.metadata.name.clone().unwrap_or_default();
    let data = rev.data.clone();
    match ctx
        .store
        .create(Object::ControllerRevision(rev), &WriteOptions::default())
    {
        Ok(o) => Some(match &*o {
            Object::ControllerRevision(c) => Some(c.clone()),
            _ => None,
        }),
        Err(e) if e.reason == Reason::AlreadyExists => {
            let existing = ctx.store.get_as::<ControllerRevision>(&ns, &name).cloned();
            let uid = ds.metadata.uid.clone().unwrap_or_default();
            if let Some(h) =
                existing.filter(|h| util::is_controlled_by(&h.metadata, &uid) && h.data == data)
            {
                return Some(Some(h));
            }
            let ds_name = ds.metadata.name.clone().unwrap_or_default();
            let _ = ctx.store.modify::<DaemonSet>(&ns, &ds_name, true, |d| {
                let st = d.status.get_or_insert_with(Default::default);
                st.collision_count = Some(st.collision_count.unwrap_or(0) + 1);
            });
            None
        }
        Err(_) => Some(None),
    }
}

/// `cleanupHistory`: old revisions beyond revisionHistoryLimit that no live
/// pod uses go, oldest first.
fn cleanup_history(ctx: &mut Ctx, ds: &DaemonSet, old: Vec<ControllerRevision>) {
    let keep =
        super::revision::history_limit(ds.spec.as_ref().and_then(|s| s.revision_history_limit));
    if old.len() <= keep {
        return;
    }
    let to_kill = old.len() - keep;
    let live: Vec<String> = nodes_to_daemon_pods(ctx, ds)
        .values()
        .flatten()
        .filter_map(|p| revision_hash(&p.metadata))
        .collect();
    revision::delete_oldest(
        ctx,
        old,
        |h| revision_hash(&h.metadata).is_some_and(|x| live.contains(&x)),
        to_kill,
    );
}

fn revision_hash(m: &ObjectMeta) -> Option<String> {
    m.labels
        .as_ref()
        .and_then(|l| l.get(REVISION_HASH_LABEL).cloned())
}

/// `updateDaemonSetStatus`; returns a requeue delay for minReadySeconds.
fn update_status(ctx: &mut Ctx, ds: &DaemonSet, nodes: &[Node], hash: &str) -> Option<Duration> {
    let by_node = nodes_to_daemon_pods(ctx, ds);
    let now: Time = ctx.store.timestamp();
    let generation = template_generation(ds);
    let min_ready = ds
        .spec
        .as_ref()
        .and_then(|s| s.min_ready_seconds)
        .unwrap_or(0);
    let (mut desired, mut current, mut misscheduled, mut ready, mut available, mut updated) =
        (0, 0, 0, 0, 0, 0);
    let mut next: Option<Duration> = None;
    for node in nodes {
        let node_name = node.metadata.name.clone().unwrap_or_default();
        let (should_run, _) = node_should_run(node, ds);
        let mut pods = by_node.get(&node_name).cloned().unwrap_or_default();
        if should_run {
            desired += 1;
            if !pods.is_empty() {
                current += 1;
                pods.sort_by_key(creation);
                let p = &pods[0];
                if util::is_pod_ready(p) {
                    ready += 1;
                    if util::is_pod_available(p, min_ready, &now) {
                        available += 1;
                    } else if let Some(d) = util::until_available(p, min_ready, &now) {
                        next = Some(next.map_or(d, |n| n.min(d)));
                    }
                }
                if is_pod_updated(p, hash, generation) {
                    updated += 1;
                }
            }
        } else if !pods.is_empty() {
            misscheduled += 1;
        }
    }
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    let name = ds.metadata.name.clone().unwrap_or_default();
    let _ = ctx.store.modify::<DaemonSet>(&ns, &name, true, |d| {
        let old = d.status.clone().unwrap_or_default();
        d.status = Some(DaemonSetStatus {
            collision_count: old.collision_count,
            conditions: old.conditions,
            current_number_scheduled: current,
            desired_number_scheduled: desired,
            number_available: nz(available),
            number_misscheduled: misscheduled,
            number_ready: ready,
            number_unavailable: nz(desired - available),
            observed_generation: d.metadata.generation,
            updated_number_scheduled: nz(updated),
        });
    });
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(name: &str, labels: serde_json::Value, taints: serde_json::Value) -> Node {
        serde_json::from_value(
            json!({"metadata": {"name": name, "labels": labels}, "spec": {"taints": taints}}),
        )
        .unwrap()
    }

    fn ds(spec: serde_json::Value) -> DaemonSet {
        serde_json::from_value(json!({"metadata": {"name": "x", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": spec}}}))
        .unwrap()
    }

    /// `daemon_controller_test.go` (TestNodeShouldRunDaemonPod): the
    /// control-plane NoSchedule taint keeps daemon pods away unless
    /// tolerated; a NoExecute taint also stops pods that already run.
    #[test]
    fn taints_and_selectors_decide_should_run() {
        let cp = node(
            "node1",
            json!({"kubernetes.io/os": "linux"}),
            json!([{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
        );
        let worker = node(
            "node2",
            json!({"kubernetes.io/os": "linux", "disk": "ssd"}),
            json!([]),
        );
        let plain = ds(json!({"containers": [{"name": "c", "image": "i"}]}));
        assert_eq!(node_should_run(&cp, &plain), (false, true));
        assert_eq!(node_should_run(&worker, &plain), (true, true));
        let tolerant = ds(
            json!({"containers": [{"name": "c", "image": "i"}], "tolerations": [{"operator": "Exists"}]}),
        );
        assert_eq!(node_should_run(&cp, &tolerant), (true, true));
        let ssd = ds(
            json!({"containers": [{"name": "c", "image": "i"}], "nodeSelector": {"disk": "ssd"}}),
        );
        assert_eq!(node_should_run(&worker, &ssd), (true, true));
        assert_eq!(node_should_run(&cp, &ssd), (false, false));
        let evict = node(
            "node3",
            json!({}),
            json!([{"key": "k", "value": "v", "effect": "NoExecute"}]),
        );
        assert_eq!(node_should_run(&evict, &plain), (false, false));
        // The daemon tolerations cover node conditions.
        let pressure = node(
            "node4",
            json!({}),
            json!([{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"}]),
        );
        assert_eq!(node_should_run(&pressure, &plain), (true, true));
    }

    #[test]
    fn node_name_affinity_targets_one_node() {
        let a = node_name_affinity(None, "node3");
        let pod: Pod = serde_json::from_value(
            json!({"spec": {"containers": [], "affinity": serde_json::to_value(&a).unwrap()}}),
        )
        .unwrap();
        assert_eq!(target_node(&pod).as_deref(), Some("node3"));
        let n3 = node("node3", json!({}), json!([]));
        let n2 = node("node2", json!({}), json!([]));
        assert!(pod_fits_node(&pod, &n3));
        assert!(!pod_fits_node(&pod, &n2));
    }

    #[test]
    fn daemon_tolerations_are_upstreams_list() {
        let mut spec = PodSpec {
            host_network: Some(true),
            ..Default::default()
        };
        add_daemon_tolerations(&mut spec);
        add_daemon_tolerations(&mut spec); // idempotent
        let keys: Vec<String> = spec
            .tolerations
            .unwrap()
            .iter()
            .map(|t| format!("{}:{}", t.key.clone().unwrap(), t.effect.clone().unwrap()))
            .collect();
        assert_eq!(
            keys,
            [
                "node.kubernetes.io/not-ready:NoExecute",
                "node.kubernetes.io/unreachable:NoExecute",
                "node.kubernetes.io/disk-pressure:NoSchedule",
                "node.kubernetes.io/memory-pressure:NoSchedule",
                "node.kubernetes.io/pid-pressure:NoSchedule",
                "node.kubernetes.io/unschedulable:NoSchedule",
                "node.kubernetes.io/network-unavailable:NoSchedule",
            ]
        );
    }
}
