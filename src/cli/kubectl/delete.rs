//! `kubectl delete`: by type and name, `TYPE/NAME`, `-f`, `-l`, `--all`;
//! grace periods, `--force`, `--cascade`, and kubectl's default `--wait`,
//! which here advances virtual time until the objects are gone.

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::Kind;
use crate::sim::store::{DeleteOptions, ListOptions, Propagation};
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag(
        "filename",
        Some('f'),
        true,
        "containing the resource to delete.",
    ),
    flag(
        "selector",
        Some('l'),
        true,
        "Selector (label query) to filter on.",
    ),
    flag(
        "field-selector",
        None,
        true,
        "Selector (field query) to filter on.",
    ),
    flag(
        "all",
        None,
        false,
        "Delete all resources, in the namespace of the specified resource types.",
    ),
    flag(
        "all-namespaces",
        Some('A'),
        false,
        "If present, list the requested object(s) across all namespaces.",
    ),
    flag(
        "grace-period",
        None,
        true,
        "Period of time in seconds given to the resource to terminate gracefully.",
    ),
    flag(
        "now",
        None,
        false,
        "If true, resources are signaled for immediate shutdown (same as --grace-period=1).",
    ),
    flag(
        "force",
        None,
        false,
        "If true, immediately remove resources from API and bypass graceful deletion.",
    ),
    flag(
        "cascade",
        None,
        true,
        "Must be \"background\", \"orphan\", or \"foreground\".",
    ),
    flag(
        "wait",
        None,
        true,
        "If true, wait for resources to be gone before returning.",
    ),
    flag(
        "ignore-not-found",
        None,
        false,
        "Treat \"resource not found\" as a successful delete.",
    ),
    flag(
        "dry-run",
        None,
        true,
        "Must be \"none\", \"server\", or \"client\".",
    ),
    flag(
        "output",
        Some('o'),
        true,
        "Output mode. Use \"-o name\" for shorter output.",
    ),
    flag(
        "timeout",
        None,
        true,
        "The length of time to wait before giving up on a delete.",
    ),
];

pub fn delete(ctx: &mut Ctx) -> Output {
    let ns = ctx.namespace();
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut out = Output::default();
    if let Some(file) = ctx.args.get("filename").map(str::to_string) {
        match super::apply::read_manifests(ctx, &file) {
            Ok(objs) => {
                for o in objs {
                    let m = o.meta();
                    let ons = m.namespace.clone().unwrap_or_else(|| ns.clone());
                    targets.push((o.kind(), ons, m.name.clone().unwrap_or_default()));
                }
            }
            Err(e) => return Output::error(e),
        }
    } else {
        let res = match resources::parse(&ctx.args.positional) {
            Ok(r) => r,
            Err(_) if ctx.args.positional.is_empty() => {
                return Output::err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
            }
            Err(e) => return Output::error(e),
        };
        match res {
            ResourceArg::Named(pairs) => {
                targets.extend(pairs.into_iter().map(|(k, n)| (k, ns.clone(), n)))
            }
            ResourceArg::Kinds(kinds, names) if !names.is_empty() => {
                for k in kinds {
                    targets.extend(names.iter().map(|n| (k, ns.clone(), n.clone())));
                }
            }
            ResourceArg::Kinds(kinds, _) => {
                let sel = ctx.args.get("selector");
                let fsel = ctx.args.get("field-selector");
                if sel.is_none() && fsel.is_none() && !ctx.args.bool("all") {
                    return Output::error("resource(s) were provided, but no name was specified");
                }
                let label_selector = match sel.map(Selector::parse).transpose() {
                    Ok(s) => s.unwrap_or_default(),
                    Err(e) => return Output::error(e),
                };
                let field_selector = match fsel.map(FieldSelector::parse).transpose() {
                    Ok(s) => s.unwrap_or_default(),
                    Err(e) => return Output::error(e),
                };
                let opts = ListOptions {
                    label_selector,
                    field_selector,
                    ..Default::default()
                };
                let scope = if ctx.all_namespaces() {
                    None
                } else {
                    Some(ns.as_str())
                };
                for k in kinds {
                    match ctx.world.store.list(k, scope, &opts) {
                        Ok(l) => targets.extend(l.items.iter().map(|o| {
                            let m = o.meta();
                            (
                                k,
                                m.namespace.clone().unwrap_or_default(),
                                m.name.clone().unwrap_or_default(),
                            )
                        })),
                        Err(e) => return Output::err(e.kubectl_text()),
                    }
                }
                if targets.is_empty() {
                    return Output::ok("No resources found\n");
                }
            }
        }
    }
    let force = ctx.args.bool("force");
    let mut grace = match ctx
        .args
        .get("grace-period")
        .map(str::parse::<i64>)
        .transpose()
    {
        Ok(g) => g,
        Err(_) => return Output::error("invalid argument for --grace-period"),
    };
    if ctx.args.bool("now") {
        grace = Some(1);
    }
    if force && grace.is_none() {
        grace = Some(0);
    }
    if grace == Some(0) && !force {
        // kubectl turns --grace-period=0 without --force into 1 s.
        grace = Some(1);
    }
    if force {
        out.push_err("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.");
    }
    let propagation = match ctx.args.get("cascade") {
        None | Some("background") | Some("true") => Some(Propagation::Background),
        Some("foreground") => Some(Propagation::Foreground),
        Some("orphan") | Some("false") => Some(Propagation::Orphan),
        Some(other) => return Output::error(format!("invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\".")),
    };
    let dry_run = ctx.args.get("dry-run").unwrap_or("none").to_string();
    let opts = DeleteOptions {
        grace_period_seconds: grace,
        propagation,
        dry_run: dry_run == "server",
        precondition_uid: None,
    };
    let suffix = match dry_run.as_str() {
        "client" => " (dry run)",
        "server" => " (server dry run)",
        _ if force => "",
        _ => "",
    };
    let mut deleted = Vec::new();
    for (kind, ons, name) in &targets {
        if dry_run == "client" {
            out.push_out(&format!(
                "{} \"{name}\" deleted{suffix}",
                kind.info().kind_prefix()
            ));
            continue;
        }
        match ctx.world.store.delete(*kind, ons, name, &opts) {
            Ok(_) => {
                let word = if force { "force deleted" } else { "deleted" };
                if ctx.args.get("output") == Some("name") {
                    out.push_out(&format!("{}/{name}", kind.info().kind_prefix()));
                } else {
                    out.push_out(&format!(
                        "{} \"{name}\" {word}{suffix}",
                        kind.info().kind_prefix()
                    ));
                }
                deleted.push((*kind, ons.clone(), name.clone()));
            }
            Err(e)
                if e.reason == crate::sim::store::Reason::NotFound
                    && ctx.args.bool("ignore-not-found") => {}
            Err(e) => {
                out.push_err(&e.kubectl_text());
                out.code = 1;
            }
        }
    }
    let wait = ctx.args.get("wait").map(|w| w != "false").unwrap_or(true);
    if wait && !opts.dry_run && dry_run != "client" {
        wait_gone(ctx, &deleted);
    }
    out
}

/// Advances virtual time until every object is gone (kubectl's `--wait`),
/// giving up after an hour of virtual time as a guard.
fn wait_gone(ctx: &mut Ctx, objs: &[(Kind, String, String)]) {
    let limit = ctx.world.now() + Duration::from_secs(3600);
    loop {
        ctx.world.settle();
        let remaining = objs
            .iter()
            .any(|(k, ns, n)| ctx.world.store.try_get(*k, ns, n).is_some());
        if !remaining {
            return;
        }
        match ctx.world.next_event_time() {
            Some(t) if t <= limit => {
                ctx.world.run_until(t);
            }
            _ => return,
        }
    }
}
