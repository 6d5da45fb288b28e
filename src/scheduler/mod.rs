//! The scheduler (placeholder until the kube-scheduler framework lands):
//! binds each pending pod to the first node whose taints it tolerates.

use crate::controllers::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::Object;
use crate::sim::store::{EventSource, Store, WatchEvent};
use k8s_openapi::api::core::v1::{Node, Pod};
use std::any::Any;

#[derive(Default)]
pub struct Scheduler;

impl Scheduler {
    pub fn new() -> Scheduler {
        Scheduler
    }
}

impl Controller for Scheduler {
    fn name(&self) -> &'static str {
        "default-scheduler"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Pod(p) = &*ev.object {
            if p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_none()
            {
                q.add(object_key(
                    p.metadata.namespace.as_deref(),
                    p.metadata.name.as_deref().unwrap_or(""),
                ));
            }
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        if pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some()
            || pod.metadata.deletion_timestamp.is_some()
        {
            return Action::AwaitChange;
        }
        let node = ctx.store.list_as::<Node>(None).find(|n| {
            n.spec
                .as_ref()
                .and_then(|s| s.taints.as_ref())
                .is_none_or(|t| t.iter().all(|t| t.effect == "PreferNoSchedule"))
        });
        let Some(node) = node.and_then(|n| n.metadata.name.clone()) else {
            return Action::AwaitChange;
        };
        if ctx.store.bind(ns, name, &node).is_ok() {
            let obj = Object::Pod(pod);
            ctx.store.record_event(
                &obj,
                "Normal",
                "Scheduled",
                &format!("Successfully assigned {ns}/{name} to {node}"),
                &EventSource::new("default-scheduler"),
            );
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
