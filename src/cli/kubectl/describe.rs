//! `kubectl describe`: finds objects as kubectl does (exact name, else
//! name prefix; `TYPE/NAME`; `-l`; `-A`; `-f`) and prints each one.
//!
//! The text comes from [`describe_object`]: kubectl's generic describer
//! (`k8s.io/kubectl/pkg/describe/describe.go`, `GenericDescriberFor` and
//! `printUnstructuredContent`) with the Events table at the bottom. Lead:
//! replace the body of [`describe_object`] with the printers' per-kind
//! describers when they land; everything else here stays.

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::ListOptions;
use crate::sim::World;
use std::sync::Arc;

pub const FLAGS: &[FlagSpec] = &[
    flag("all-namespaces", Some('A'), false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files containing the resource to describe").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("show-events", None, false, "If true, display events related to the described object.").default("true"),
    flag("chunk-size", None, true, "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.").default("500"),
];

pub fn describe(ctx: &mut Ctx) -> Output {
    let show_events = ctx.args.get("show-events").is_none_or(|v| v != "false");
    let ns = ctx.namespace();
    let all_ns = ctx.all_namespaces();
    let mut objs: Vec<Arc<Object>> = Vec::new();
    let mut out = Output::default();
    let kinds_requested: Vec<Kind>;
    if let Some(f) = ctx.args.get("filename").map(str::to_string) {
        match super::targets(ctx, &[]) {
            Ok(t) => {
                kinds_requested = t.iter().map(|x| x.0).collect();
                for (k, ons, n) in t {
                    match ctx.world.store.get(k, &ons, &n) {
                        Ok(o) => objs.push(o.clone()),
                        Err(e) => out.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
            Err(e) => return Output::error(format!("{e} ({f})")),
        }
    } else {
        let res = match resources::parse(&ctx.args.positional) {
            Ok(r) => r,
            Err(_) if ctx.args.positional.is_empty() => {
                return Output::err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl describe -h' for help and examples");
            }
            Err(e) => return Output::error(e),
        };
        let selector = match ctx.args.get("selector").map(Selector::parse).transpose() {
            Ok(s) => s.unwrap_or_default(),
            Err(e) => return Output::error(e),
        };
        match res {
            ResourceArg::Named(pairs) => {
                kinds_requested = pairs.iter().map(|p| p.0).collect();
                for (k, n) in pairs {
                    match ctx.world.store.get(k, &ns, &n) {
                        Ok(o) => objs.push(o.clone()),
                        Err(e) => out.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
            ResourceArg::Kinds(kinds, names) => {
                kinds_requested = kinds.clone();
                for k in kinds {
                    let scope = if all_ns || !k.info().namespaced {
                        None
                    } else {
                        Some(ns.as_str())
                    };
                    if names.is_empty() {
                        match ctx.world.store.list(
                            k,
                            scope,
                            &ListOptions {
                                label_selector: selector.clone(),
                                ..Default::default()
                            },
                        ) {
                            Ok(l) => objs.extend(l.items),
                            Err(e) => out.extend(Output::err(e.kubectl_text())),
                        }
                        continue;
                    }
                    for n in &names {
                        // An exact name, else every object whose name starts with it.
                        if let Some(o) = ctx.world.store.try_get(k, &ns, n) {
                            objs.push(o.clone());
                            continue;
                        }
                        let by_prefix: Vec<Arc<Object>> = ctx
                            .world
                            .store
                            .iter(k, scope)
                            .filter(|o| {
                                o.meta()
                                    .name
                                    .as_deref()
                                    .is_some_and(|x| x.starts_with(n.as_str()))
                            })
                            .cloned()
                            .collect();
                        if by_prefix.is_empty() {
                            out.extend(Output::err(
                                crate::sim::store::ApiError::not_found(k, n).kubectl_text(),
                            ));
                        }
                        objs.extend(by_prefix);
                    }
                }
            }
        }
    }
    if objs.is_empty() && out.code == 0 {
        let namespaced = kinds_requested.iter().all(|k| k.info().namespaced);
        out.push_err(&if namespaced && !all_ns {
            format!("No resources found in {ns} namespace.")
        } else {
            "No resources found".to_string()
        });
        return out;
    }
    let texts: Vec<String> = objs
        .iter()
        .map(|o| describe_object(ctx.world, o, show_events))
        .collect();
    let body = texts.join("\n\n");
    let errs = std::mem::take(&mut out.stderr);
    out.stdout.push_str(&body);
    out.stderr = errs;
    out
}

/// The describe text of one object: the printers' describer, with what
/// kubectl fetches besides the object (events, pods, ReplicaSets, ...).
pub fn describe_object(world: &World, obj: &Object, show_events: bool) -> String {
    let mut dc = crate::printers::describe::DescribeContext::gather(&world.store, obj);
    dc.show_events = show_events;
    crate::printers::describe::describe(obj, &dc, world.store.timestamp().0)
}
