//! The pod garbage collector, after `pkg/controller/podgc/gc_controller.go`:
//! it force-deletes pods bound to nodes that have been gone for the 40 s
//! quarantine (`gcOrphaned`, marking them Failed with a `DisruptionTarget`
//! condition first) and terminating pods that were never scheduled
//! (`gcUnscheduledTerminating`). Upstream polls every 20 s; kubesim runs the
//! same checks only when a node disappears or an unscheduled pod is being
//! deleted, so an idle cluster has no pending timer.

use super::{Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::Object;
use crate::sim::store::{set_pod_condition, DeleteOptions, Store, WatchEvent, WatchEventType};
use crate::sim::SimTime;
use k8s_openapi::api::core::v1::{Node, Pod};
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

/// `gcCheckPeriod`.
pub const GC_CHECK_PERIOD: Duration = Duration::from_secs(20);
/// `quarantineTime`.
pub const QUARANTINE: Duration = Duration::from_secs(40);

#[derive(Default)]
pub struct PodGcController {
    /// Node names first seen missing, and when.
    missing_since: BTreeMap<String, SimTime>,
}

impl PodGcController {
    pub fn new() -> Self {
        PodGcController::default()
    }
}

impl Controller for PodGcController {
    fn name(&self) -> &'static str {
        "pod-garbage-collector"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Node(_) if ev.event_type == WatchEventType::Deleted => q.add("gc"),
            Object::Pod(p)
                if p.metadata.deletion_timestamp.is_some()
                    && p.spec
                        .as_ref()
                        .and_then(|s| s.node_name.as_deref())
                        .is_none() =>
            {
                q.add_after("gc", GC_CHECK_PERIOD)
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, _key: &str, ctx: &mut Ctx) -> Action {
        let now = ctx.now;
        let nodes: Vec<String> = ctx
            .store
            .list_as::<Node>(None)
            .filter_map(|n| n.metadata.name.clone())
            .collect();
        let pods: Vec<Pod> = ctx.store.list_as::<Pod>(None).cloned().collect();
        self.missing_since.retain(|n, _| !nodes.contains(n));
        let mut waiting = false;
        for p in pods {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let name = p.metadata.name.clone().unwrap_or_default();
            let node = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.clone())
                .unwrap_or_default();
            let force = DeleteOptions {
                grace_period_seconds: Some(0),
                ..Default::default()
            };
            if node.is_empty() {
                if p.metadata.deletion_timestamp.is_some() {
                    let _ = ctx
                        .store
                        .delete(crate::objects::Kind::Pod, &ns, &name, &force);
                }
                continue;
            }
            if nodes.contains(&node) {
                continue;
            }
            let since = *self.missing_since.entry(node.clone()).or_insert(now);
            if now < since + QUARANTINE {
                waiting = true;
                continue;
            }
            let stamp = ctx.store.timestamp_secs();
            let _ = ctx.store.modify::<Pod>(&ns, &name, true, |p| {
                let st = p.status.get_or_insert_with(Default::default);
                if !matches!(st.phase.as_deref(), Some("Succeeded" | "Failed")) {
                    st.phase = Some("Failed".into());
                }
                set_pod_condition(
                    st,
                    "DisruptionTarget",
                    "True",
                    Some("DeletionByPodGC"),
                    stamp.clone(),
                );
            });
            let _ = ctx
                .store
                .delete(crate::objects::Kind::Pod, &ns, &name, &force);
            ctx.log.push(format!("{now} pod-garbage-collector deleted orphaned pod {ns}/{name} (node {node} is gone)"));
        }
        if waiting {
            Action::RequeueAfter(GC_CHECK_PERIOD)
        } else {
            Action::AwaitChange
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
