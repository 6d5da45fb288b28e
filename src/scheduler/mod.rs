//! The scheduler: kube-scheduler's framework and default profile, run as
//! a component of the simulation (architecture principle 3: it learns from
//! watch events and acts through the store — bindings, status, events).
//!
//! Layout, following `pkg/scheduler/`: [`framework`] (extension points),
//! [`queue`] (activeQ / backoffQ / unschedulable pods), [`cache`] and
//! [`node_info`] (incremental node state), [`plugins`] (one file per
//! plugin), [`schedule_one`] (the cycle), [`config`]
//! (KubeSchedulerConfiguration), [`decision`] and [`explain`] (why a pod
//! went where it went), [`cli`] (`kubesim schedule`). See docs/scheduler.md.

pub mod affinity_index;
pub mod cache;
pub mod cli;
pub mod config;
pub mod decision;
pub mod explain;
pub mod fit_error;
pub mod framework;
pub mod node_info;
pub mod plugins;
pub mod pod_info;
pub mod queue;
pub mod schedule_one;

pub use config::SchedulerConfig;
pub use decision::Decision;
pub use schedule_one::{CycleResult, Outcome, SchedulerCore};

use crate::controllers::{Action, Controller, Ctx, Enqueue};
use crate::objects::{Kind, Object};
use crate::sim::store::{EventSource, Store, WatchEvent, WatchEventType, WriteOptions};
use crate::sim::SimTime;
use k8s_openapi::api::core::v1::{Pod, PodCondition};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use pod_info::PodInfo;
use std::any::Any;
use std::sync::Arc;

/// The one key the scheduler's reconcile runs under: the queue, not the
/// key, says which pod is next.
pub const QUEUE_KEY: &str = "scheduling-queue";

/// The kube-scheduler component.
pub struct Scheduler {
    core: SchedulerCore,
}

impl Default for Scheduler {
    fn default() -> Scheduler {
        Scheduler::new()
    }
}

impl Scheduler {
    /// The default profile (`default-scheduler`) with upstream defaults.
    pub fn new() -> Scheduler {
        Scheduler::with_config(SchedulerConfig::default()).expect("default config is valid")
    }

    /// A scheduler with the profiles of a KubeSchedulerConfiguration
    /// (see [`SchedulerConfig::parse`]).
    pub fn with_config(cfg: SchedulerConfig) -> Result<Scheduler, String> {
        Ok(Scheduler {
            core: SchedulerCore::new(cfg)?,
        })
    }

    /// The last decisions (up to 10) for a pod, oldest first.
    pub fn decisions_for(&self, ns: &str, name: &str) -> &[Decision] {
        self.core.decisions_for(ns, name)
    }

    /// The scheduler's internals (cache, queue), for inspection.
    pub fn core(&self) -> &SchedulerCore {
        &self.core
    }

    fn next_action(&self, now: SimTime) -> Action {
        match self.core.queue.next_wakeup(now) {
            Some(t) => {
                Action::RequeueAfter(std::time::Duration::from_millis(t.0.saturating_sub(now.0)))
            }
            None => Action::AwaitChange,
        }
    }
}

fn pod_of(o: &Object) -> Option<&Pod> {
    match o {
        Object::Pod(p) => Some(p),
        _ => None,
    }
}

fn is_assigned(p: &Pod) -> bool {
    p.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|n| !n.is_empty())
}

/// `podutil.UpdatePodCondition` for PodScheduled=False/Unschedulable plus
/// the nominated node (`updatePod` in schedule_one.go).
fn write_unschedulable(
    store: &mut Store,
    ns: &str,
    name: &str,
    msg: &str,
    nominated: Option<&str>,
    at: Time,
) {
    let _ = store.modify::<Pod>(ns, name, true, |p| {
        let st = p.status.get_or_insert_with(Default::default);
        let conds = st.conditions.get_or_insert_with(Vec::new);
        match conds.iter_mut().find(|c| c.type_ == "PodScheduled") {
            Some(c) => {
                if c.status != "False" {
                    c.last_transition_time = Some(at.clone());
                }
                c.status = "False".into();
                c.reason = Some("Unschedulable".into());
                c.message = Some(msg.to_string());
            }
            None => conds.push(PodCondition {
                type_: "PodScheduled".into(),
                status: "False".into(),
                reason: Some("Unschedulable".into()),
                message: Some(msg.to_string()),
                last_transition_time: Some(at.clone()),
                ..Default::default()
            }),
        }
        if let Some(n) = nominated {
            st.nominated_node_name = Some(n.to_string());
        }
    });
}

/// Applies a cycle's outcome to the store, as the scheduler's API calls do.
pub fn apply_outcome(
    store: &mut Store,
    res: &CycleResult,
    core: &mut SchedulerCore,
    now: SimTime,
    log: &mut Vec<String>,
) {
    let pod = &res.pod;
    let (ns, name) = (pod.namespace.as_str(), pod.name.as_str());
    let source = EventSource::new(&pod.scheduler_name);
    match &res.outcome {
        Outcome::Bound { node } => match store.bind(ns, name, node) {
            Ok(obj) => {
                store.record_event(
                    &obj,
                    "Normal",
                    "Scheduled",
                    &format!("Successfully assigned {ns}/{name} to {node}"),
                    &source,
                );
            }
            Err(e) => {
                log.push(format!(
                    "{now} scheduler: binding {ns}/{name} to {node} failed: {}",
                    e.kubectl_text()
                ));
                core.forget(pod, now);
            }
        },
        Outcome::Failed {
            message,
            nominated_node,
            victims,
            clear_nominations,
        } => {
            // Victims first: DisruptionTarget, graceful delete, Preempted event.
            if let Some(node) = nominated_node {
                for v in victims {
                    let Some(cur) = store.get_as::<Pod>(&v.namespace, &v.name).cloned() else {
                        continue;
                    };
                    if cur.metadata.deletion_timestamp.is_some() {
                        continue;
                    }
                    let at = store.timestamp_secs();
                    let _ = store.modify::<Pod>(&v.namespace, &v.name, true, |p| {
                        let st = p.status.get_or_insert_with(Default::default);
                        let conds = st.conditions.get_or_insert_with(Vec::new);
                        conds.retain(|c| c.type_ != "DisruptionTarget");
                        conds.push(PodCondition {
                            type_: "DisruptionTarget".into(),
                            status: "True".into(),
                            reason: Some("PreemptionByScheduler".into()),
                            message: Some(format!(
                                "{}: preempting to accommodate a higher priority pod",
                                pod.scheduler_name
                            )),
                            last_transition_time: Some(at.clone()),
                            ..Default::default()
                        });
                    });
                    let _ = store.delete(Kind::Pod, &v.namespace, &v.name, &Default::default());
                    store.record_event(
                        &Object::Pod(cur),
                        "Normal",
                        "Preempted",
                        &format!("Preempted by pod {} on node {node}", pod.uid),
                        &source,
                    );
                }
                for c in clear_nominations {
                    let _ = store.modify::<Pod>(&c.namespace, &c.name, true, |p| {
                        if let Some(st) = p.status.as_mut() {
                            st.nominated_node_name = None;
                        }
                    });
                }
            }
            if let Some(cur) = store.get_as::<Pod>(ns, name).cloned() {
                store.record_event(
                    &Object::Pod(cur),
                    "Warning",
                    "FailedScheduling",
                    message,
                    &source,
                );
                let at = store.timestamp_secs();
                write_unschedulable(store, ns, name, message, nominated_node.as_deref(), at);
            }
        }
    }
}

impl Controller for Scheduler {
    fn name(&self) -> &'static str {
        "default-scheduler"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        let now = store.now();
        if let Some(p) = pod_of(&ev.object) {
            let deleted = ev.event_type == WatchEventType::Deleted;
            if !is_assigned(p) {
                let info = PodInfo::new(p, &self.core.cache.classes);
                let key = info.key();
                if deleted || info.terminal {
                    self.core.queue.delete(&key);
                } else {
                    let old = ev.old.as_deref().and_then(pod_of);
                    let spec_changed = old
                        .is_none_or(|o| o.spec != p.spec || o.metadata.labels != p.metadata.labels);
                    self.core.upsert_pending(info, spec_changed, now);
                }
            } else if ev
                .old
                .as_deref()
                .and_then(pod_of)
                .is_some_and(|o| !is_assigned(o))
            {
                // Bound (by us or anyone): no longer pending.
                let key = format!(
                    "{}/{}",
                    p.metadata.namespace.as_deref().unwrap_or("default"),
                    p.metadata.name.as_deref().unwrap_or("")
                );
                self.core.queue.delete(&key);
            }
        }
        let ce = self.core.cache.apply(ev);
        self.core.on_cluster_event(&ce, now);
        if let Some(t) = self.core.queue.next_wakeup(now) {
            q.add_after(
                QUEUE_KEY,
                std::time::Duration::from_millis(t.0.saturating_sub(now.0)),
            );
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        if key != QUEUE_KEY {
            return Action::AwaitChange;
        }
        let now = ctx.now;
        let now_ms = ctx.store.timestamp_at(now).0.as_millisecond();
        if let Some(res) = self.core.schedule_one(ctx.rng, now, now_ms) {
            apply_outcome(ctx.store, &res, &mut self.core, now, ctx.log);
        }
        self.next_action(now)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Creates an object in a store for tests and tools, ignoring AlreadyExists.
pub fn create_quietly(store: &mut Store, obj: Object) -> Option<Arc<Object>> {
    store.create(obj, &WriteOptions::default()).ok()
}
