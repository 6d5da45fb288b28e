//! The node lifecycle controller and the taint eviction controller
//! (kube-controller-manager): node health from Lease renewals, the
//! not-ready/unreachable taints, pods marked not Ready, NoExecute taint
//! eviction after `tolerationSeconds`, and pod GC of a deleted node's pods.
//!
//! Upstream: `pkg/controller/nodelifecycle/node_lifecycle_controller.go`
//! (`monitorNodeHealth`, `processTaintBaseEviction`, `MarkPodsNotReady`),
//! `pkg/controller/tainteviction/taint_eviction.go`,
//! `pkg/controller/podgc/gc_controller.go`.

use super::kubelet::timings as t;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::{Kind, Object};
use crate::sim::store::{
    set_pod_condition, DeleteOptions, EventSource, Store, WatchEvent, WatchEventType,
};
use crate::sim::SimTime;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod, Taint, Toleration};
use std::any::Any;
use std::collections::BTreeMap;

const NOT_READY: &str = "node.kubernetes.io/not-ready";
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";

/// What the controller last saw of a node's heartbeat.
#[derive(Clone, Debug)]
struct Health {
    renew: Option<String>,
    /// When the controller saw the renewTime change (`probeTimestamp`).
    probed: SimTime,
}

/// Node health monitoring, taints and pod GC.
#[derive(Default)]
pub struct NodeLifecycle {
    health: BTreeMap<String, Health>,
}

impl NodeLifecycle {
    pub fn new() -> NodeLifecycle {
        NodeLifecycle::default()
    }
}

fn ready_status(n: &Node) -> Option<String> {
    n.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone())
}

fn pods_on<'a>(store: &'a Store, node: &'a str) -> impl Iterator<Item = &'a Pod> + 'a {
    store
        .list_as::<Pod>(None)
        .filter(move |p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
}

impl NodeLifecycle {
    fn monitor(&mut self, node: &str, ctx: &mut Ctx) -> Action {
        let Some(n) = ctx.store.get_as::<Node>("", node).cloned() else {
            self.health.remove(node);
            return Action::AwaitChange;
        };
        let renew = ctx
            .store
            .get_as::<Lease>("kube-node-lease", node)
            .and_then(|l| l.spec.as_ref()?.renew_time.as_ref())
            .map(|t| t.0.to_string());
        let h = self.health.entry(node.to_string()).or_insert(Health {
            renew: renew.clone(),
            probed: ctx.now,
        });
        if h.renew != renew {
            h.renew = renew;
            h.probed = ctx.now;
        }
        let stale = ctx.now.since(h.probed) > t::NODE_MONITOR_GRACE;
        let ready = ready_status(&n);
        if stale && ready.as_deref() != Some("Unknown") {
            mark_unknown(ctx, node);
        }
        self.reconcile_taints(node, ctx);
        reconcile_condition_taints(node, ctx);
        Action::RequeueAfter(t::NODE_MONITOR_PERIOD)
    }

    /// Ready=False → not-ready taints; Unknown → unreachable; True → none.
    fn reconcile_taints(&self, node: &str, ctx: &mut Ctx) {
        let Some(n) = ctx.store.get_as::<Node>("", node) else {
            return;
        };
        let want: Option<&str> = match ready_status(n).as_deref() {
            Some("False") => Some(NOT_READY),
            Some("Unknown") => Some(UNREACHABLE),
            _ => None,
        };
        let taints = n
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        let managed = |t: &Taint| t.key == NOT_READY || t.key == UNREACHABLE;
        let have: Vec<&Taint> = taints.iter().filter(|t| managed(t)).collect();
        let ok = match want {
            None => have.is_empty(),
            Some(k) => have.len() == 2 && have.iter().all(|t| t.key == k),
        };
        if ok {
            return;
        }
        let ts = ctx.store.timestamp_secs();
        let _ = ctx.store.modify::<Node>("", node, false, |n| {
            let spec = n.spec.get_or_insert_with(Default::default);
            let mut ts_list: Vec<Taint> = spec
                .taints
                .take()
                .unwrap_or_default()
                .into_iter()
                .filter(|t| !managed(t))
                .collect();
            if let Some(k) = want {
                for effect in ["NoSchedule", "NoExecute"] {
                    ts_list.push(Taint {
                        key: k.into(),
                        effect: effect.into(),
                        value: None,
                        time_added: (effect == "NoExecute").then(|| ts.clone()),
                    });
                }
            }
            spec.taints = if ts_list.is_empty() {
                None
            } else {
                Some(ts_list)
            };
        });
    }
}

/// `doNoScheduleTaintingPass` (`taintNodeByCondition`): a node reporting
/// MemoryPressure=True gets `node.kubernetes.io/memory-pressure:NoSchedule`,
/// removed when the condition goes False.
fn reconcile_condition_taints(node: &str, ctx: &mut Ctx) {
    const MEMORY_PRESSURE: &str = "node.kubernetes.io/memory-pressure";
    let Some(n) = ctx.store.get_as::<Node>("", node) else {
        return;
    };
    let want = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "MemoryPressure"))
        .is_some_and(|c| c.status == "True");
    let have = n
        .spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|ts| ts.iter().any(|t| t.key == MEMORY_PRESSURE));
    if want == have {
        return;
    }
    let _ = ctx.store.modify::<Node>("", node, false, |n| {
        let spec = n.spec.get_or_insert_with(Default::default);
        let mut ts: Vec<Taint> = spec
            .taints
            .take()
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.key != MEMORY_PRESSURE)
            .collect();
        if want {
            ts.push(Taint {
                key: MEMORY_PRESSURE.into(),
                effect: "NoSchedule".into(),
                value: None,
                time_added: None,
            });
        }
        spec.taints = (!ts.is_empty()).then_some(ts);
    });
}

fn memory_pressure(n: &Node) -> Option<String> {
    n.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "MemoryPressure")
        .map(|c| c.status.clone())
}

/// `tryUpdateNodeHealth`: the kubelet stopped posting; conditions go
/// Unknown and the node's pods are marked not Ready.
fn mark_unknown(ctx: &mut Ctx, node: &str) {
    let ts = ctx.store.timestamp_secs();
    let r = ctx.store.modify::<Node>("", node, true, |n| {
        for c in n
            .status
            .iter_mut()
            .flat_map(|s| s.conditions.iter_mut().flatten())
        {
            if ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]
                .contains(&c.type_.as_str())
            {
                c.status = "Unknown".into();
                c.reason = Some("NodeStatusUnknown".into());
                c.message = Some("Kubelet stopped posting node status.".into());
                c.last_transition_time = Some(ts.clone());
            }
        }
    });
    if let Ok(obj) = r {
        ctx.store.record_event(
            &obj,
            "Normal",
            "NodeNotReady",
            &format!("Node {node} status is now: NodeNotReady"),
            &EventSource::new("node-controller"),
        );
    }
    let pods: Vec<(String, String)> = pods_on(ctx.store, node)
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    for (ns, name) in pods {
        let _ = ctx.store.modify::<Pod>(&ns, &name, true, |p| {
            let st = p.status.get_or_insert_with(Default::default);
            set_pod_condition(st, "Ready", "False", None, ts.clone());
            set_pod_condition(st, "ContainersReady", "False", None, ts.clone());
        });
    }
}

impl Controller for NodeLifecycle {
    fn name(&self) -> &'static str {
        "node-lifecycle-controller"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Node(n) = &*ev.object {
            let name = n.metadata.name.clone().unwrap_or_default();
            match ev.event_type {
                WatchEventType::Added => q.add(name),
                WatchEventType::Deleted => q.add_after(format!("gc:{name}"), t::PODGC_QUARANTINE),
                WatchEventType::Modified => {
                    // Ready changed (the kubelet came back): fix taints now.
                    if let Some(Object::Node(old)) = ev.old.as_deref() {
                        if ready_status(old) != ready_status(n)
                            || memory_pressure(old) != memory_pressure(n)
                        {
                            q.add(name);
                        }
                    }
                }
            }
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        if let Some(node) = key.strip_prefix("gc:") {
            // Pod GC: force-delete the pods of a node that no longer exists.
            if ctx.store.get_as::<Node>("", node).is_none() {
                let pods: Vec<(String, String)> = pods_on(ctx.store, node)
                    .map(|p| {
                        (
                            p.metadata.namespace.clone().unwrap_or_default(),
                            p.metadata.name.clone().unwrap_or_default(),
                        )
                    })
                    .collect();
                for (ns, name) in pods {
                    ctx.store.finalize_pod_deletion(&ns, &name);
                }
            }
            return Action::AwaitChange;
        }
        self.monitor(key, ctx)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The taint eviction controller: deletes pods that do not tolerate a
/// node's NoExecute taints, after the smallest matching tolerationSeconds.
#[derive(Default)]
pub struct TaintEviction;

impl TaintEviction {
    pub fn new() -> TaintEviction {
        TaintEviction
    }
}

fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    if t.effect
        .as_deref()
        .is_some_and(|e| !e.is_empty() && e != taint.effect)
    {
        return false;
    }
    match t.operator.as_deref() {
        Some("Exists") => t
            .key
            .as_deref()
            .is_none_or(|k| k.is_empty() || k == taint.key),
        _ => {
            t.key.as_deref() == Some(taint.key.as_str())
                && t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or("")
        }
    }
}

/// When the pod must go: `Some(0)` at once, `Some(s)` after s seconds
/// from the taint, `None` never (`getMinTolerationTime`).
fn eviction_delay(pod: &Pod, taints: &[Taint]) -> Option<(i64, SimTimeOrTs)> {
    let tols = pod
        .spec
        .as_ref()
        .and_then(|s| s.tolerations.clone())
        .unwrap_or_default();
    let mut min: Option<(i64, SimTimeOrTs)> = None;
    for taint in taints.iter().filter(|t| t.effect == "NoExecute") {
        let matching: Vec<&Toleration> = tols.iter().filter(|t| tolerates(t, taint)).collect();
        if matching.is_empty() {
            return Some((0, taint.time_added.clone()));
        }
        if matching.iter().any(|t| t.toleration_seconds.is_none()) {
            continue;
        }
        let secs = matching
            .iter()
            .filter_map(|t| t.toleration_seconds)
            .min()
            .unwrap_or(0)
            .max(0);
        if min.as_ref().is_none_or(|(m, _)| secs < *m) {
            min = Some((secs, taint.time_added.clone()));
        }
    }
    min
}

type SimTimeOrTs = Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::Time>;

impl Controller for TaintEviction {
    fn name(&self) -> &'static str {
        "taint-eviction-controller"
    }
    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Node(n) => {
                let noexec = |n: &Node| -> Vec<Taint> {
                    n.spec
                        .as_ref()
                        .and_then(|s| s.taints.clone())
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|t| t.effect == "NoExecute")
                        .collect()
                };
                let changed = match ev.old.as_deref() {
                    Some(Object::Node(old)) => noexec(old) != noexec(n),
                    _ => !noexec(n).is_empty(),
                };
                if changed {
                    let node = n.metadata.name.clone().unwrap_or_default();
                    for p in pods_on(store, &node) {
                        q.add(object_key(
                            p.metadata.namespace.as_deref(),
                            p.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            Object::Pod(p)
                if ev.event_type == WatchEventType::Added
                    || matches!(ev.old.as_deref(), Some(Object::Pod(o)) if o.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none())
                        && p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() =>
            {
                q.add(object_key(
                    p.metadata.namespace.as_deref(),
                    p.metadata.name.as_deref().unwrap_or(""),
                ));
            }
            _ => {}
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Action::AwaitChange;
        }
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            return Action::AwaitChange;
        };
        let taints = ctx
            .store
            .get_as::<Node>("", &node)
            .and_then(|n| n.spec.as_ref()?.taints.clone())
            .unwrap_or_default();
        let Some((secs, added)) = eviction_delay(&pod, &taints) else {
            return Action::AwaitChange;
        };
        let added_ms = added
            .map(|t| t.0.duration_since(ctx.store.epoch()).as_millis().max(0) as u64)
            .unwrap_or(ctx.now.0);
        let due = SimTime(added_ms + secs as u64 * 1000);
        if due > ctx.now {
            return Action::RequeueAfter(due.since(ctx.now));
        }
        let ts = ctx.store.timestamp_secs();
        let _ = ctx.store.modify::<Pod>(ns, name, true, |p| {
            let st = p.status.get_or_insert_with(Default::default);
            set_pod_condition(
                st,
                "DisruptionTarget",
                "True",
                Some("DeletionByTaintManager"),
                ts.clone(),
            );
            if let Some(c) = st
                .conditions
                .iter_mut()
                .flatten()
                .find(|c| c.type_ == "DisruptionTarget")
            {
                c.message = Some("Taint manager: deleting due to NoExecute taint".into());
            }
        });
        let obj = Object::Pod(pod);
        ctx.store.record_event(
            &obj,
            "Normal",
            "TaintManagerEviction",
            &format!("Marking for deletion Pod {ns}/{name}"),
            &EventSource::new("taint-eviction-controller"),
        );
        let _ = ctx
            .store
            .delete(Kind::Pod, ns, name, &DeleteOptions::default());
        Action::AwaitChange
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
