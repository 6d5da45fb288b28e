//! The namespace controller, after `pkg/controller/namespace/
//! namespace_controller.go` and `deletion/namespaced_resources_deleter.go`:
//! a Terminating namespace has its content deleted (pods first, as
//! `OrderedNamespaceDeletion` does in v1.33), reports what remains in its
//! conditions, and loses its `kubernetes` finalizer once empty, which
//! removes it.

use super::timings;
use super::{Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{DeleteOptions, Propagation, Store, WatchEvent};
use k8s_openapi::api::core::v1::{Namespace, NamespaceCondition, Pod};
use std::any::Any;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct NamespaceController;

impl NamespaceController {
    pub fn new() -> Self {
        NamespaceController
    }
}

impl Controller for NamespaceController {
    fn name(&self) -> &'static str {
        "namespace-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Namespace(n) = &*ev.object {
            if n.metadata.deletion_timestamp.is_some() {
                q.add(n.metadata.name.clone().unwrap_or_default());
            }
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let Some(ns) = ctx.store.get_as::<Namespace>("", key).cloned() else {
            return Action::AwaitChange;
        };
        if ns.metadata.deletion_timestamp.is_none() {
            return Action::AwaitChange;
        }
        let estimate = delete_all_content(ctx.store, key);
        let (remaining, finalizers) = remaining(ctx.store, key);
        update_conditions(ctx, key, &ns, &remaining, &finalizers);
        if remaining.is_empty() {
            // Finalize: drop "kubernetes" from spec.finalizers.
            let _ = ctx.store.modify::<Namespace>("", key, false, |n| {
                if let Some(f) = n.spec.as_mut().and_then(|s| s.finalizers.as_mut()) {
                    f.retain(|x| x != "kubernetes");
                }
            });
            return Action::AwaitChange;
        }
        Action::RequeueAfter(timings::namespace_requeue(estimate))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn namespaced_kinds() -> impl Iterator<Item = Kind> {
    Kind::ALL.iter().copied().filter(|k| k.info().namespaced)
}

/// `deleteAllContent`: pods first; the rest once no pod is left. Returns
/// the estimate (the largest grace period of the remaining pods).
fn delete_all_content(store: &mut Store, ns: &str) -> i64 {
    let opts = DeleteOptions {
        propagation: Some(Propagation::Background),
        ..Default::default()
    };
    let pods: Vec<Pod> = store.list_as::<Pod>(Some(ns)).cloned().collect();
    let mut estimate = 0;
    for p in &pods {
        if !matches!(
            p.status.as_ref().and_then(|s| s.phase.as_deref()),
            Some("Succeeded" | "Failed")
        ) {
            estimate = estimate.max(
                p.spec
                    .as_ref()
                    .and_then(|s| s.termination_grace_period_seconds)
                    .unwrap_or(30),
            );
        }
        if p.metadata.deletion_timestamp.is_none() {
            let _ = store.delete(
                Kind::Pod,
                ns,
                p.metadata.name.as_deref().unwrap_or(""),
                &opts,
            );
        }
    }
    if store.iter(Kind::Pod, Some(ns)).next().is_some() {
        return estimate;
    }
    for kind in namespaced_kinds().filter(|k| *k != Kind::Pod) {
        let names: Vec<String> = store
            .iter(kind, Some(ns))
            .filter(|o| o.meta().deletion_timestamp.is_none())
            .filter_map(|o| o.meta().name.clone())
            .collect();
        for n in names {
            let _ = store.delete(kind, ns, &n, &opts);
        }
    }
    estimate
}

/// What is left: `resource.group` → count, and finalizer → count.
fn remaining(store: &Store, ns: &str) -> (BTreeMap<String, usize>, BTreeMap<String, usize>) {
    let mut res = BTreeMap::new();
    let mut fins = BTreeMap::new();
    for kind in namespaced_kinds() {
        let objs: Vec<_> = store.iter(kind, Some(ns)).collect();
        if objs.is_empty() {
            continue;
        }
        let info = kind.info();
        res.insert(format!("{}.{}", info.plural, info.group), objs.len());
        for o in objs {
            for f in o.meta().finalizers.iter().flatten() {
                *fins.entry(f.clone()).or_default() += 1;
            }
        }
    }
    (res, fins)
}

fn cond(t: &str, status: &str, reason: &str, msg: String) -> NamespaceCondition {
    NamespaceCondition {
        type_: t.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(msg),
        last_transition_time: None,
    }
}

/// The deletion conditions, in upstream's order.
fn update_conditions(
    ctx: &mut Ctx,
    name: &str,
    ns: &Namespace,
    remaining: &BTreeMap<String, usize>,
    finalizers: &BTreeMap<String, usize>,
) {
    let content = if remaining.is_empty() {
        cond(
            "NamespaceContentRemaining",
            "False",
            "ContentRemoved",
            "All content successfully removed".into(),
        )
    } else {
        let parts: Vec<String> = remaining
            .iter()
            .map(|(r, n)| format!("{r} has {n} resource instances"))
            .collect();
        cond(
            "NamespaceContentRemaining",
            "True",
            "SomeResourcesRemain",
            format!("Some resources are remaining: {}", parts.join(", ")),
        )
    };
    let fins = if finalizers.is_empty() {
        cond(
            "NamespaceFinalizersRemaining",
            "False",
            "ContentHasNoFinalizers",
            "All content-preserving finalizers finished".into(),
        )
    } else {
        let parts: Vec<String> = finalizers
            .iter()
            .map(|(f, n)| format!("{f} in {n} resource instances"))
            .collect();
        cond(
            "NamespaceFinalizersRemaining",
            "True",
            "SomeFinalizersRemain",
            format!(
                "Some content in the namespace has finalizers remaining: {}",
                parts.join(", ")
            ),
        )
    };
    let wanted = vec![
        cond(
            "NamespaceDeletionDiscoveryFailure",
            "False",
            "ResourcesDiscovered",
            "All resources successfully discovered".into(),
        ),
        cond(
            "NamespaceDeletionGroupVersionParsingFailure",
            "False",
            "ParsedGroupVersions",
            "All legacy kube types successfully parsed".into(),
        ),
        cond(
            "NamespaceDeletionContentFailure",
            "False",
            "ContentDeleted",
            "All content successfully deleted, may be waiting on finalization".into(),
        ),
        content,
        fins,
    ];
    let now = ctx.store.timestamp_secs();
    let old = ns
        .status
        .as_ref()
        .and_then(|s| s.conditions.clone())
        .unwrap_or_default();
    let merged: Vec<NamespaceCondition> = wanted
        .into_iter()
        .map(|mut c| {
            match old.iter().find(|o| o.type_ == c.type_) {
                Some(o) if o.status == c.status => {
                    c.last_transition_time = o.last_transition_time.clone()
                }
                _ => c.last_transition_time = Some(now.clone()),
            }
            c
        })
        .collect();
    if merged != old {
        let _ = ctx.store.modify::<Namespace>("", name, true, |n| {
            n.status.get_or_insert_with(Default::default).conditions = Some(merged.clone());
        });
    }
}
