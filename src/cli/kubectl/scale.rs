//! `kubectl scale`: a merge patch of `spec.replicas` through the `/scale`
//! subresource (`k8s.io/kubectl/pkg/cmd/scale/scale.go`, `pkg/scale`).
//! Kinds without a scale subresource get the apiserver's 404 for it.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::Selector;
use crate::objects::Kind;
use crate::sim::store::{ListOptions, Patch, WriteOptions};
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag("replicas", None, true, "The new desired number of replicas. Required.").default("0"),
    flag("current-replicas", None, true, "Precondition for current size. Requires that the current size of the resource match this value in order to scale. -1 (default) for no condition.").default("-1"),
    flag("resource-version", None, true, "Precondition for resource version. Requires that the current resource version match this value in order to scale."),
    flag("all", None, false, "Select all resources in the namespace of the specified resource types"),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("timeout", None, true, "The length of time to wait before giving up on a scale operation, zero means don't wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).").default("0s"),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to set a new size").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("record", None, false, "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists."),
];

/// `spec.replicas` of a scalable object.
pub fn replicas_of(o: &crate::objects::Object) -> Option<i64> {
    o.to_json()["spec"]["replicas"].as_i64()
}

pub fn scale(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let replicas: i64 = match ctx.args.get("replicas").map(str::parse::<i64>) {
        Some(Ok(n)) if n >= 0 => n,
        Some(Err(_)) => return Output::error(format!("invalid argument \"{}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{}\": invalid syntax", ctx.args.get("replicas").unwrap_or(""), ctx.args.get("replicas").unwrap_or(""))),
        _ => return Output::error("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"),
    };
    let current: i64 = ctx
        .args
        .get("current-replicas")
        .and_then(|v| v.parse().ok())
        .unwrap_or(-1);
    let timeout = match ctx
        .args
        .get("timeout")
        .map(crate::sim::time::parse_duration)
        .transpose()
    {
        Ok(t) => t.unwrap_or(Duration::ZERO),
        Err(e) => return Output::error(e),
    };
    let targets: Vec<(Kind, String, String)> =
        if ctx.args.bool("all") || ctx.args.get("selector").is_some() {
            let kinds = match super::resources::parse(&ctx.args.positional) {
            Ok(super::ResourceArg::Kinds(k, _)) => k,
            Ok(_) => return Output::error(
                "selectors and the all flag cannot be used when passing resource/name arguments",
            ),
            Err(e) => return Output::error(e),
        };
            let sel = match ctx.args.get("selector").map(Selector::parse).transpose() {
                Ok(s) => s.unwrap_or_default(),
                Err(e) => return Output::error(e),
            };
            let ns = ctx.namespace();
            kinds
                .iter()
                .flat_map(|k| {
                    ctx.world
                        .store
                        .list(
                            *k,
                            Some(&ns),
                            &ListOptions {
                                label_selector: sel.clone(),
                                ..Default::default()
                            },
                        )
                        .map(|l| l.items)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|o| {
                            (
                                o.kind(),
                                ns.clone(),
                                o.meta().name.clone().unwrap_or_default(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .collect()
        } else {
            if ctx.args.positional.is_empty() && ctx.args.get("filename").is_none() {
                return ctx.usage_error("Required resource not specified.");
            }
            match super::targets(ctx, &ctx.args.positional.clone()) {
                Ok(t) => t,
                Err(e) => return Output::error(e),
            }
        };
    if targets.is_empty() {
        return Output::err("No resources found").with_code(0);
    }
    // kubectl visits the named objects first and scales none when none
    // exists (k8s.io/kubectl/pkg/cmd/scale/scale.go: "no objects passed to
    // scale"; observed with kubectl 1.33: `error: no objects passed to
    // scale deployments.apps "nope" not found`).
    let missing = targets
        .iter()
        .filter_map(|(kind, ns, name)| ctx.world.store.get(*kind, ns, name).err())
        .next();
    if let Some(e) = missing.filter(|_| {
        targets
            .iter()
            .all(|(kind, ns, name)| ctx.world.store.get(*kind, ns, name).is_err())
    }) {
        return Output::error(format!("no objects passed to scale {}", e.message));
    }
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        let obj = match ctx.world.store.get(kind, &ns, &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        if !kind.info().subresources.contains(&"scale") {
            out.extend(Output::err(
                "Error from server (NotFound): the server could not find the requested resource",
            ));
            continue;
        }
        let have = replicas_of(&obj).unwrap_or(1);
        if current >= 0 && current != have {
            out.extend(Output::error(format!(
                "Expected replicas to be {current}, was {have}"
            )));
            continue;
        }
        if let Some(rv) = ctx.args.get("resource-version") {
            if obj.meta().resource_version.as_deref() != Some(rv) {
                out.extend(Output::error(format!(
                    "Expected resource version to be {rv}, was {}",
                    obj.meta().resource_version.as_deref().unwrap_or("")
                )));
                continue;
            }
        }
        let result = if dry == DryRun::Client {
            let mut v = obj.to_json();
            v["spec"]["replicas"] = serde_json::json!(replicas);
            kind.decode(v).unwrap_or_else(|_| (*obj).clone())
        } else {
            match ctx.world.store.patch(
                kind,
                &ns,
                &name,
                &Patch::Merge(serde_json::json!({"spec": {"replicas": replicas}})),
                &WriteOptions {
                    dry_run: dry == DryRun::Server,
                    // kubectl scale sends no fieldManager: the apiserver names the
                    // manager after the User-Agent, "kubectl".
                    field_manager: Some("kubectl".into()),
                },
                false,
            ) {
                Ok(o) => (*o).clone(),
                Err(e) => {
                    out.extend(Output::err(e.kubectl_text()));
                    continue;
                }
            }
        };
        if dry == DryRun::None {
            ctx.record(kind, &ns, &name, &mut out);
        }
        out.extend(ctx.print_object(&result, "scaled", dry));
        if !timeout.is_zero() && dry == DryRun::None {
            let deadline = ctx.world.now() + timeout;
            loop {
                ctx.world.settle();
                let done = ctx.world.store.try_get(kind, &ns, &name).is_some_and(|o| {
                    let v = o.to_json();
                    v["status"]["replicas"].as_i64().unwrap_or(0) == replicas
                        && v["status"]["observedGeneration"].as_i64()
                            >= v["metadata"]["generation"].as_i64()
                });
                if done {
                    break;
                }
                let next = ctx.world.now() + Duration::from_secs(1);
                if next > deadline || !ctx.wait_until(next) {
                    out.extend(Output::error("timed out waiting for the condition"));
                    break;
                }
            }
        }
    }
    out
}
