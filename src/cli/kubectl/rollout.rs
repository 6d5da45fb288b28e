//! `kubectl rollout status|history|undo|pause|resume|restart`
//! (`k8s.io/kubectl/pkg/cmd/rollout/*.go`). Status lines and history text
//! come from the controllers' rollout library (`controllers::rollout`);
//! undo, restart, pause and resume are computed here as the patches
//! kubectl sends ([`undo_plan`], [`restart_patch`]), so `--dry-run` and
//! `-o` work on them.

use super::{Command, Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::store::{Patch, Store, WriteOptions};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

const STATUS_FLAGS: &[FlagSpec] = &[
    flag("watch", Some('w'), false, "Watch the status of the rollout until it's done.").default("true"),
    flag("revision", None, true, "Pin to a specific revision for showing its status. Defaults to 0 (last revision).").default("0"),
    flag("timeout", None, true, "The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).").default("0s"),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
];
const HISTORY_FLAGS: &[FlagSpec] = &[
    flag("revision", None, true, "See the details, including podTemplate of the revision specified").default("0"),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
];
const UNDO_FLAGS: &[FlagSpec] = &[
    flag("to-revision", None, true, "The revision to rollback to. Default to 0 (last revision).").default("0"),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
];
const SIMPLE_FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-rollout'"),
];

pub const SUBCOMMANDS: &[Command] = &[
    Command::new(
        "history",
        "View rollout history",
        "kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
        HISTORY_FLAGS,
        history_cmd,
    ),
    Command::new(
        "pause",
        "Mark the provided resource as paused",
        "kubectl rollout pause RESOURCE [options]",
        SIMPLE_FLAGS,
        pause,
    ),
    Command::new(
        "restart",
        "Restart a resource",
        "kubectl rollout restart RESOURCE [options]",
        SIMPLE_FLAGS,
        restart,
    ),
    Command::new(
        "resume",
        "Resume a paused resource",
        "kubectl rollout resume RESOURCE [options]",
        SIMPLE_FLAGS,
        resume,
    ),
    Command::new(
        "status",
        "Show the status of the rollout",
        "kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
        STATUS_FLAGS,
        status,
    ),
    Command::new(
        "undo",
        "Undo a previous rollout",
        "kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
        UNDO_FLAGS,
        undo,
    ),
];

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// One status line and whether the rollout is done
/// (`polymorphichelpers/rollout_status.go`, through the controllers'
/// rollout library), after `--revision`'s check for deployments.
pub fn status_message(obj: &Object, revision: i64) -> Result<(String, bool), String> {
    if revision > 0 && obj.kind() == Kind::Deployment {
        let rev: i64 = obj
            .meta()
            .annotations
            .as_ref()
            .and_then(|a| a.get(REVISION))
            .and_then(|r| r.parse().ok())
            .unwrap_or(0);
        if rev != revision {
            return Err(format!(
                "desired revision ({revision}) is different from the running revision ({rev})"
            ));
        }
    }
    let s = crate::controllers::rollout::status_of(obj);
    match s.error {
        Some(e) => Err(e),
        None => Ok((s.message + "\n", s.done)),
    }
}

/// The objects of `kind` that `obj` controls (a controller ownerReference
/// with its uid): a Deployment's ReplicaSets, or the ControllerRevisions
/// of a DaemonSet or StatefulSet. Ownership is read from the typed
/// metadata; only the matches are turned into JSON.
fn owned(store: &Store, kind: Kind, obj: &Object) -> Vec<Value> {
    let uid = obj.meta().uid.clone().unwrap_or_default();
    let ns = obj.meta().namespace.clone().unwrap_or_default();
    store
        .iter(kind, Some(&ns))
        .filter(|o| {
            o.meta()
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .map(|o| o.to_json())
        .collect()
}

/// Revision → (change cause, pod template), from the owned ReplicaSets
/// or ControllerRevisions (`polymorphichelpers/history.go`).
pub fn history(
    store: &Store,
    obj: &Object,
) -> Result<BTreeMap<i64, (Option<String>, Value)>, String> {
    let mut out = BTreeMap::new();
    match obj.kind() {
        Kind::Deployment => {
            for rs in owned(store, Kind::ReplicaSet, obj) {
                let Some(rev) = rs["metadata"]["annotations"][REVISION]
                    .as_str()
                    .and_then(|r| r.parse::<i64>().ok())
                else {
                    continue;
                };
                let cause = rs["metadata"]["annotations"][CHANGE_CAUSE]
                    .as_str()
                    .map(str::to_string);
                out.insert(rev, (cause, rs["spec"]["template"].clone()));
            }
        }
        Kind::DaemonSet | Kind::StatefulSet => {
            for cr in owned(store, Kind::ControllerRevision, obj) {
                let rev = i(&cr["revision"]);
                let cause = cr["metadata"]["annotations"][CHANGE_CAUSE]
                    .as_str()
                    .map(str::to_string);
                out.insert(rev, (cause, cr["data"]["spec"]["template"].clone()));
            }
        }
        other => {
            return Err(format!(
                "no history viewer has been implemented for {}",
                other.info().kind
            ))
        }
    }
    Ok(out)
}

/// What `rollout undo` does: a patch, or the "skipped" message.
pub enum UndoPlan {
    Patch(Patch),
    Skip(i64),
}

fn without_hash(t: &Value) -> Value {
    let mut t = t.clone();
    if let Some(l) = t["metadata"]["labels"].as_object_mut() {
        l.remove("pod-template-hash");
    }
    t
}

/// `polymorphichelpers/rollback.go` for deployments (revision lookup,
/// equalIgnoreHash, the json-patch of template and annotations) and for
/// daemon sets / stateful sets (the ControllerRevision's patch).
pub fn undo_plan(store: &Store, obj: &Object, to_revision: i64) -> Result<UndoPlan, String> {
    let v = obj.to_json();
    let name = obj.meta().name.clone().unwrap_or_default();
    match obj.kind() {
        Kind::Deployment => {
            if v["spec"]["paused"] == true {
                return Err("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again".into());
            }
            let rss = owned(store, Kind::ReplicaSet, obj);
            let rev_of = |rs: &Value| {
                rs["metadata"]["annotations"][REVISION]
                    .as_str()
                    .and_then(|r| r.parse::<i64>().ok())
            };
            let target = if to_revision > 0 {
                rss.iter()
                    .find(|rs| rev_of(rs) == Some(to_revision))
                    .cloned()
                    .ok_or_else(|| {
                        format!("unable to find specified revision {to_revision} in history")
                    })?
            } else {
                let mut revs: Vec<(i64, &Value)> = rss
                    .iter()
                    .filter_map(|rs| rev_of(rs).map(|r| (r, rs)))
                    .collect();
                revs.sort_by_key(|(r, _)| std::cmp::Reverse(*r));
                match revs.get(1) {
                    Some((_, rs)) => (*rs).clone(),
                    None => {
                        return Err(format!(
                            "no rollout history found for deployment \"{name}\""
                        ))
                    }
                }
            };
            let target_rev = rev_of(&target).unwrap_or(0);
            if without_hash(&target["spec"]["template"]) == without_hash(&v["spec"]["template"]) {
                return Ok(UndoPlan::Skip(if to_revision > 0 {
                    to_revision
                } else {
                    target_rev
                }));
            }
            const SKIP: &[&str] = &[
                "kubectl.kubernetes.io/last-applied-configuration",
                REVISION,
                "deployment.kubernetes.io/revision-history",
                "deployment.kubernetes.io/desired-replicas",
                "deployment.kubernetes.io/max-replicas",
                "deprecated.deployment.rollback.to",
            ];
            let mut annotations = serde_json::Map::new();
            for k in SKIP {
                if let Some(x) = v["metadata"]["annotations"].get(*k) {
                    annotations.insert((*k).to_string(), x.clone());
                }
            }
            for (k, x) in target["metadata"]["annotations"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if !SKIP.contains(&k.as_str()) {
                    annotations.insert(k.clone(), x.clone());
                }
            }
            let template = without_hash(&target["spec"]["template"]);
            // kubectl sends "replace"; a deployment always has annotations
            // once its controller has written the revision, "add" covers
            // one that has none yet.
            let op = if v["metadata"]["annotations"].is_object() {
                "replace"
            } else {
                "add"
            };
            Ok(UndoPlan::Patch(Patch::Json(json!([
                {"op": "replace", "path": "/spec/template", "value": template},
                {"op": op, "path": "/metadata/annotations", "value": Value::Object(annotations)},
            ]))))
        }
        Kind::DaemonSet | Kind::StatefulSet => {
            let mut crs = owned(store, Kind::ControllerRevision, obj);
            crs.sort_by_key(|c| i(&c["revision"]));
            let target = if to_revision > 0 {
                crs.iter()
                    .find(|c| i(&c["revision"]) == to_revision)
                    .cloned()
                    .ok_or_else(|| {
                        format!("unable to find specified revision {to_revision} in history")
                    })?
            } else {
                match crs.len() {
                    n if n >= 2 => crs[n - 2].clone(),
                    _ => return Err("no last revision to roll back to".to_string()),
                }
            };
            let data = target["data"].clone();
            if data["spec"]["template"] == v["spec"]["template"] {
                return Ok(UndoPlan::Skip(i(&target["revision"])));
            }
            Ok(UndoPlan::Patch(Patch::Strategic(data)))
        }
        other => Err(format!(
            "no rollbacker has been implemented for \"{}\"",
            other.info().kind
        )),
    }
}

/// `rollout restart`'s patch: the restartedAt annotation on the template.
pub fn restart_patch(now: jiff::Timestamp) -> Patch {
    let t = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    Patch::Strategic(
        json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": t}}}}}),
    )
}

fn targets(ctx: &Ctx) -> Result<Vec<std::sync::Arc<Object>>, Output> {
    if ctx.args.positional.is_empty()
        && ctx.args.get("filename").is_none()
        && ctx.args.get("selector").is_none()
    {
        return Err(ctx.usage_error("Required resource not specified."));
    }
    let ns = ctx.namespace();
    if let Some(sel) = ctx.args.get("selector") {
        let kinds = match super::resources::parse(&ctx.args.positional).map_err(Output::error)? {
            super::ResourceArg::Kinds(k, _) => k,
            _ => return Err(Output::error(
                "selectors and the all flag cannot be used when passing resource/name arguments",
            )),
        };
        let s = crate::objects::selectors::Selector::parse(sel).map_err(Output::error)?;
        let mut v = Vec::new();
        for k in kinds {
            v.extend(
                ctx.world
                    .store
                    .iter(k, Some(&ns))
                    .filter(|o| s.matches_opt(o.meta().labels.as_ref()))
                    .cloned(),
            );
        }
        return Ok(v);
    }
    let mut v = Vec::new();
    for (k, ons, n) in super::targets(ctx, &ctx.args.positional.clone()).map_err(Output::error)? {
        match ctx.world.store.get(k, &ons, &n) {
            Ok(o) => v.push(o.clone()),
            Err(e) => return Err(Output::err(e.kubectl_text())),
        }
    }
    Ok(v)
}

fn status(ctx: &mut Ctx) -> Output {
    let objs = match targets(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let revision: i64 = ctx
        .args
        .get("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let watch = ctx.args.get("watch").is_none_or(|w| w != "false");
    let timeout = ctx
        .args
        .get("timeout")
        .and_then(|t| crate::sim::time::parse_duration(t).ok())
        .filter(|d| !d.is_zero());
    let mut out = Output::default();
    for obj in objs {
        let kind = obj.kind();
        let ns = obj.meta().namespace.clone().unwrap_or_default();
        let name = obj.meta().name.clone().unwrap_or_default();
        let start = ctx.world.now();
        // A rollout ends by itself; without --timeout the script bound is
        // generous (rollouts can take minutes), the REPL waits for Ctrl-C.
        let limit = match timeout {
            Some(t) => Some(start + t),
            None if !ctx.term.interactive => Some(start + Duration::from_secs(600)),
            None => None,
        };
        // The watch delivers the object as ADDED, then each MODIFIED.
        let mut rv = ctx.world.store.resource_version();
        let mut current = Some(obj.clone());
        loop {
            if let Some(o) = &current {
                match status_message(o, revision) {
                    Ok((line, done)) => {
                        out.stdout.push_str(&line);
                        ctx.flush(&mut out);
                        if done || !watch {
                            break;
                        }
                    }
                    Err(e) => {
                        out.extend(Output::error(e));
                        return out;
                    }
                }
            }
            // Next change of this object.
            loop {
                let events: Vec<(crate::sim::store::WatchEventType, std::sync::Arc<Object>)> = ctx
                    .world
                    .store
                    .events_since(rv)
                    .map(|it| {
                        it.filter(|e| {
                            e.object.kind() == kind
                                && e.object.meta().name.as_deref() == Some(name.as_str())
                                && e.object.meta().namespace.as_deref() == Some(ns.as_str())
                        })
                        .map(|e| (e.event_type, e.object.clone()))
                        .collect()
                    })
                    .unwrap_or_default();
                rv = ctx.world.store.resource_version();
                if let Some((ty, o)) = events.into_iter().next() {
                    if ty == crate::sim::store::WatchEventType::Deleted {
                        out.extend(Output::error("object has been deleted"));
                        return out;
                    }
                    current = Some(o);
                    // Later events of the same step are read on the next turn.
                    rv = current
                        .as_ref()
                        .and_then(|o| o.meta().resource_version.as_ref())
                        .and_then(|r| r.parse().ok())
                        .unwrap_or(rv);
                    break;
                }
                let now = ctx.world.now();
                if limit.is_some_and(|l| now >= l) {
                    out.extend(Output::error("timed out waiting for the condition"));
                    return out;
                }
                let next = match (ctx.world.next_event_time().filter(|t| *t >= now), limit) {
                    (Some(t), Some(l)) => t.min(l),
                    (Some(t), None) => t,
                    (None, Some(l)) => l,
                    (None, None) => now + Duration::from_secs(1),
                };
                if next <= now {
                    ctx.world.settle();
                    if ctx.world.store.resource_version() == rv
                        && !ctx.wait_until(now + Duration::from_millis(1))
                    {
                        out.code = crate::cli::shell::INTERRUPTED;
                        return out;
                    }
                    continue;
                }
                if !ctx.wait_until(next) {
                    out.code = crate::cli::shell::INTERRUPTED;
                    return out;
                }
            }
        }
    }
    out
}

fn history_cmd(ctx: &mut Ctx) -> Output {
    let objs = match targets(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let revision: i64 = ctx
        .args
        .get("revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let mut out = Output::default();
    for obj in objs {
        let m = obj.meta();
        match crate::controllers::rollout::history(
            &ctx.world.store,
            obj.kind(),
            m.namespace.as_deref().unwrap_or(""),
            m.name.as_deref().unwrap_or(""),
            Some(revision).filter(|r| *r > 0),
        ) {
            Ok(text) => out.stdout.push_str(&text),
            Err(e) if e.reason == crate::sim::store::Reason::BadRequest => {
                out.extend(Output::error(e.message))
            }
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}

fn undo(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let objs = match targets(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let to: i64 = ctx
        .args
        .get("to-revision")
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let mut out = Output::default();
    for obj in objs {
        let kind = obj.kind();
        let ns = obj.meta().namespace.clone().unwrap_or_default();
        let name = obj.meta().name.clone().unwrap_or_default();
        match undo_plan(&ctx.world.store, &obj, to) {
            Err(e) => out.extend(Output::error(e)),
            Ok(UndoPlan::Skip(rev)) => out.push_out(&format!(
                "{} skipped rollback (current template already matches revision {rev})",
                super::name_of(&obj)
            )),
            Ok(UndoPlan::Patch(p)) => {
                if dry == DryRun::Client {
                    out.extend(ctx.print_object(&obj, "rolled back", dry));
                    continue;
                }
                match ctx.world.store.patch(
                    kind,
                    &ns,
                    &name,
                    &p,
                    &WriteOptions {
                        dry_run: dry == DryRun::Server,
                        field_manager: Some("kubectl-rollout".into()),
                    },
                    false,
                ) {
                    Ok(o) => out.extend(ctx.print_object(&o, "rolled back", dry)),
                    Err(e) => out.extend(Output::err(e.kubectl_text())),
                }
            }
        }
    }
    out
}

fn set_paused(ctx: &mut Ctx, paused: bool) -> Output {
    let objs = match targets(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let word = if paused { "paused" } else { "resumed" };
    let verb = if paused { "pausing" } else { "resuming" };
    let mut out = Output::default();
    for obj in objs {
        let kind = obj.kind();
        if kind != Kind::Deployment {
            out.extend(Output::error(format!(
                "{} \"{}\" {verb} is not supported",
                kind.info().group_resource(),
                obj.meta().name.as_deref().unwrap_or("")
            )));
            continue;
        }
        let is_paused = obj.to_json()["spec"]["paused"] == true;
        if is_paused == paused {
            out.push_out(&format!("{} already {word}", super::name_of(&obj)));
            continue;
        }
        let ns = obj.meta().namespace.clone().unwrap_or_default();
        let name = obj.meta().name.clone().unwrap_or_default();
        let v = if paused { json!(true) } else { Value::Null };
        match ctx.world.store.patch(
            kind,
            &ns,
            &name,
            &Patch::Strategic(json!({"spec": {"paused": v}})),
            &WriteOptions {
                dry_run: false,
                field_manager: Some("kubectl-rollout".into()),
            },
            false,
        ) {
            Ok(o) => out.extend(ctx.print_object(&o, word, DryRun::None)),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}

fn pause(ctx: &mut Ctx) -> Output {
    set_paused(ctx, true)
}

fn resume(ctx: &mut Ctx) -> Output {
    set_paused(ctx, false)
}

fn restart(ctx: &mut Ctx) -> Output {
    let objs = match targets(ctx) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let mut out = Output::default();
    for obj in objs {
        let kind = obj.kind();
        let name = obj.meta().name.clone().unwrap_or_default();
        if !matches!(kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
            out.extend(Output::error("restarting is not supported".to_string()));
            continue;
        }
        if obj.to_json()["spec"]["paused"] == true {
            out.extend(Output::error(format!(
                "{} \"{name}\" can't restart paused deployment (run rollout resume first)",
                kind.info().group_resource()
            )));
            continue;
        }
        let ns = obj.meta().namespace.clone().unwrap_or_default();
        let p = restart_patch(ctx.now());
        match ctx.world.store.patch(
            kind,
            &ns,
            &name,
            &p,
            &WriteOptions {
                dry_run: false,
                field_manager: Some("kubectl-rollout".into()),
            },
            false,
        ) {
            Ok(o) => out.extend(ctx.print_object(&o, "restarted", DryRun::None)),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_status_lines() {
        let d = |gen: i64, obs: i64, replicas: i64, updated: i64, total: i64, avail: i64| {
            Kind::Deployment
                .decode(json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": "web", "generation": gen},
                    "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}}, "template": {"spec": {"containers": []}}},
                    "status": {"observedGeneration": obs, "updatedReplicas": updated, "replicas": total, "availableReplicas": avail}
                }))
                .unwrap()
        };
        assert_eq!(
            status_message(&d(2, 1, 3, 0, 3, 3), 0).unwrap().0,
            "Waiting for deployment spec update to be observed...\n"
        );
        assert_eq!(status_message(&d(2, 2, 3, 1, 4, 3), 0).unwrap().0, "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated...\n");
        assert_eq!(status_message(&d(2, 2, 3, 3, 4, 3), 0).unwrap().0, "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n");
        assert_eq!(status_message(&d(2, 2, 3, 3, 3, 1), 0).unwrap().0, "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...\n");
        assert_eq!(
            status_message(&d(2, 2, 3, 3, 3, 3), 0).unwrap(),
            ("deployment \"web\" successfully rolled out\n".into(), true)
        );
    }
}
