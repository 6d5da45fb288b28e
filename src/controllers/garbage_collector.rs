//! The garbage collector, after `pkg/controller/garbagecollector/`:
//! `graph_builder.go` (the owner → dependents graph, kept from watch
//! events), `garbagecollector.go` (`attemptToDeleteItem`,
//! `classifyReferences`, `processDeletingDependentsItem`,
//! `orphanDependents`). Background deletion removes dependents whose owners
//! are gone; Foreground waits on the owner's `foregroundDeletion` finalizer
//! until its blocking dependents are gone; Orphan strips the owner
//! references and removes the `orphan` finalizer.

use super::{Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{
    DeleteOptions, Patch, Propagation, Store, WatchEvent, WatchEventType, WriteOptions,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use serde_json::json;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// An object's identity in the graph: kind, namespace, name.
type Node = (Kind, String, String);

#[derive(Default)]
pub struct GarbageCollector {
    /// owner uid → dependents.
    dependents: BTreeMap<String, BTreeSet<Node>>,
    /// dependent → the owner uids it refers to.
    owners_of: BTreeMap<Node, Vec<String>>,
}

impl GarbageCollector {
    pub fn new() -> Self {
        GarbageCollector::default()
    }
}

fn node_of(o: &Object) -> Node {
    let m = o.meta();
    (
        o.kind(),
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
    )
}

fn key(n: &Node, prefix: &str) -> String {
    format!("{prefix}{}\u{0}{}\u{0}{}", n.0.info().kind, n.1, n.2)
}

fn parse_key(k: &str) -> Option<(bool, Node)> {
    let (owner, rest) = if let Some(r) = k.strip_prefix("own:") {
        (true, r)
    } else {
        (false, k.strip_prefix("dep:")?)
    };
    let mut it = rest.split('\u{0}');
    let kind_name = it.next()?;
    let ns = it.next()?.to_string();
    let name = it.next()?.to_string();
    let kind = Kind::ALL
        .iter()
        .copied()
        .find(|k| k.info().kind == kind_name)?;
    Some((owner, (kind, ns, name)))
}

fn has_finalizer(o: &Object, f: &str) -> bool {
    o.meta().finalizers.iter().flatten().any(|x| x == f)
}

/// The kind an ownerReference points at, if kubesim knows it.
fn owner_kind(r: &OwnerReference) -> Option<Kind> {
    Kind::from_api_version_kind(&r.api_version, &r.kind)
}

enum OwnerState {
    Solid,
    Dangling,
    WaitingForDependents,
}

fn classify(store: &Store, dep: &Object, r: &OwnerReference) -> OwnerState {
    let Some(kind) = owner_kind(r) else {
        return OwnerState::Solid; // unknown kinds are never collected
    };
    let ns = if kind.info().namespaced {
        dep.meta().namespace.clone().unwrap_or_default()
    } else {
        String::new()
    };
    match store.try_get(kind, &ns, &r.name) {
        None => OwnerState::Dangling,
        Some(o) if o.meta().uid.as_deref() != Some(r.uid.as_str()) => OwnerState::Dangling,
        Some(o) if o.meta().deletion_timestamp.is_some() && has_finalizer(o, FOREGROUND) => {
            OwnerState::WaitingForDependents
        }
        Some(_) => OwnerState::Solid,
    }
}

impl Controller for GarbageCollector {
    fn name(&self) -> &'static str {
        "generic-garbage-collector"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        let o = &*ev.object;
        if o.kind() == Kind::Event {
            return;
        }
        let node = node_of(o);
        let uid = o.meta().uid.clone().unwrap_or_default();
        // Keep the graph (`graph_builder.go` processGraphChanges).
        if let Some(old) = self.owners_of.remove(&node) {
            for u in old {
                if let Some(s) = self.dependents.get_mut(&u) {
                    s.remove(&node);
                    if s.is_empty() {
                        self.dependents.remove(&u);
                    }
                }
            }
        }
        let refs: Vec<OwnerReference> = o.meta().owner_references.clone().unwrap_or_default();
        if ev.event_type != WatchEventType::Deleted && !refs.is_empty() {
            let uids: Vec<String> = refs.iter().map(|r| r.uid.clone()).collect();
            for u in &uids {
                self.dependents
                    .entry(u.clone())
                    .or_default()
                    .insert(node.clone());
            }
            self.owners_of.insert(node.clone(), uids);
        }
        match ev.event_type {
            WatchEventType::Deleted => {
                // Dependents of a vanished owner are verified.
                for d in self.dependents.get(&uid).cloned().unwrap_or_default() {
                    q.add(key(&d, "dep:"));
                }
                // An owner waiting for this dependent may be done.
                for r in &refs {
                    if let Some(k) = owner_kind(r) {
                        let ns = if k.info().namespaced {
                            node.1.clone()
                        } else {
                            String::new()
                        };
                        q.add(key(&(k, ns, r.name.clone()), "own:"));
                    }
                }
            }
            _ => {
                if o.meta().deletion_timestamp.is_some()
                    && (has_finalizer(o, FOREGROUND) || has_finalizer(o, ORPHAN))
                {
                    q.add(key(&node, "own:"));
                }
                let changed_refs = ev
                    .old
                    .as_ref()
                    .is_none_or(|old| old.meta().owner_references != o.meta().owner_references);
                if !refs.is_empty() && changed_refs {
                    let suspicious = refs
                        .iter()
                        .any(|r| !matches!(classify(store, o, r), OwnerState::Solid));
                    if suspicious {
                        q.add(key(&node, "dep:"));
                    }
                }
                // A dependent that got deleted (terminating) may unblock a
                // foreground owner once it is gone; nothing to do yet.
            }
        }
    }

    fn reconcile(&mut self, k: &str, ctx: &mut Ctx) -> Action {
        let Some((is_owner, node)) = parse_key(k) else {
            return Action::AwaitChange;
        };
        if is_owner {
            self.process_owner(ctx, &node);
        } else {
            self.attempt_to_delete(ctx, &node);
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

impl GarbageCollector {
    fn get(store: &Store, n: &Node) -> Option<Object> {
        store.try_get(n.0, &n.1, &n.2).map(|o| (**o).clone())
    }

    /// `attemptToDeleteItem`.
    fn attempt_to_delete(&mut self, ctx: &mut Ctx, n: &Node) {
        let Some(obj) = Self::get(ctx.store, n) else {
            return;
        };
        if obj.meta().deletion_timestamp.is_some() && !has_finalizer(&obj, FOREGROUND) {
            return; // already being deleted
        }
        let refs = obj.meta().owner_references.clone().unwrap_or_default();
        if refs.is_empty() {
            return;
        }
        let (mut solid, mut gone) = (Vec::new(), Vec::new());
        let mut waiting = Vec::new();
        for r in &refs {
            match classify(ctx.store, &obj, r) {
                OwnerState::Solid => solid.push(r.clone()),
                OwnerState::Dangling => gone.push(r.clone()),
                OwnerState::WaitingForDependents => waiting.push(r.clone()),
            }
        }
        if !solid.is_empty() {
            if gone.is_empty() && waiting.is_empty() {
                return;
            }
            // Drop the references to owners that are gone or going.
            let keep: Vec<OwnerReference> = solid;
            let _ = ctx.store.patch(
                n.0,
                &n.1,
                &n.2,
                &Patch::Merge(json!({"metadata": {"ownerReferences": keep}})),
                &WriteOptions::default(),
                false,
            );
            return;
        }
        let uid = obj.meta().uid.clone().unwrap_or_default();
        let has_dependents = self.dependents.get(&uid).is_some_and(|d| !d.is_empty());
        let policy = if !waiting.is_empty() && has_dependents {
            Propagation::Foreground
        } else if has_finalizer(&obj, ORPHAN) {
            Propagation::Orphan
        } else if has_finalizer(&obj, FOREGROUND) {
            Propagation::Foreground
        } else {
            Propagation::Background
        };
        let opts = DeleteOptions {
            propagation: Some(policy),
            precondition_uid: Some(uid),
            ..Default::default()
        };
        let _ = ctx.store.delete(n.0, &n.1, &n.2, &opts);
        ctx.log.push(format!(
            "{} garbage-collector deleted {} {}/{} ({policy:?})",
            ctx.now, n.0, n.1, n.2
        ));
    }

    /// Owners with the `orphan` or `foregroundDeletion` finalizer.
    fn process_owner(&mut self, ctx: &mut Ctx, n: &Node) {
        let Some(obj) = Self::get(ctx.store, n) else {
            return;
        };
        if obj.meta().deletion_timestamp.is_none() {
            return;
        }
        let uid = obj.meta().uid.clone().unwrap_or_default();
        let deps: Vec<Node> = self
            .dependents
            .get(&uid)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .collect();
        if has_finalizer(&obj, ORPHAN) {
            // `orphanDependents`: strip our reference from every dependent.
            for d in &deps {
                let Some(dep) = Self::get(ctx.store, d) else {
                    continue;
                };
                let keep: Vec<OwnerReference> = dep
                    .meta()
                    .owner_references
                    .clone()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|r| r.uid != uid)
                    .collect();
                let v = if keep.is_empty() {
                    serde_json::Value::Null
                } else {
                    json!(keep)
                };
                let _ = ctx.store.patch(
                    d.0,
                    &d.1,
                    &d.2,
                    &Patch::Merge(json!({"metadata": {"ownerReferences": v}})),
                    &WriteOptions::default(),
                    false,
                );
            }
            remove_finalizer(ctx.store, n, &obj, ORPHAN);
            return;
        }
        if has_finalizer(&obj, FOREGROUND) {
            // `processDeletingDependentsItem`: the dependents that block.
            let blocking: Vec<Node> = deps
                .into_iter()
                .filter(|d| {
                    Self::get(ctx.store, d).is_some_and(|o| {
                        o.meta()
                            .owner_references
                            .iter()
                            .flatten()
                            .any(|r| r.uid == uid && r.block_owner_deletion == Some(true))
                    })
                })
                .collect();
            if blocking.is_empty() {
                remove_finalizer(ctx.store, n, &obj, FOREGROUND);
                return;
            }
            for d in blocking {
                if Self::get(ctx.store, &d).is_some_and(|o| {
                    o.meta().deletion_timestamp.is_none() || has_finalizer(&o, FOREGROUND)
                }) {
                    self.attempt_to_delete(ctx, &d);
                }
            }
        }
    }
}

fn remove_finalizer(store: &mut Store, n: &Node, obj: &Object, f: &str) {
    let rest: Vec<String> = obj
        .meta()
        .finalizers
        .iter()
        .flatten()
        .filter(|x| *x != f)
        .cloned()
        .collect();
    let v = if rest.is_empty() {
        serde_json::Value::Null
    } else {
        json!(rest)
    };
    let _ = store.patch(
        n.0,
        &n.1,
        &n.2,
        &Patch::Merge(json!({"metadata": {"finalizers": v}})),
        &WriteOptions::default(),
        false,
    );
}
