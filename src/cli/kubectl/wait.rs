//! `kubectl wait ... --for=condition=C[=V]|delete|create|jsonpath='{..}'[=V]`
//! (`k8s.io/kubectl/pkg/cmd/wait/wait.go`): waits in virtual time, up to
//! `--timeout` (30 s by default), printing `KIND/NAME condition met`.

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::format::jsonpath::{relaxed, text_of, values, JsonPath};
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::sim::store::ListOptions;
use serde_json::Value;
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag("for", None, true, "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true.  Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity."),
    flag("timeout", None, true, "The length of time to wait before giving up.  Zero means check once and don't wait, negative means wait for a week.").default("30s"),
    flag("all", None, false, "Select all resources in the namespace of the specified resource types"),
    flag("all-namespaces", Some('A'), false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("field-selector", None, true, "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    flag("filename", Some('f'), true, "identifying the resource.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("local", None, false, "If true, annotation will NOT contact api-server but run locally."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
];

#[derive(Clone, Debug)]
enum Cond {
    Delete,
    Create,
    Condition(String, String),
    JsonPath(JsonPath, Option<String>),
}

fn parse_for(s: &str) -> Result<Cond, String> {
    let lower = s.to_lowercase();
    if lower == "delete" {
        return Ok(Cond::Delete);
    }
    if lower == "create" {
        return Ok(Cond::Create);
    }
    if let Some(rest) = s.strip_prefix("condition=") {
        let (name, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Cond::Condition(name.to_string(), value.to_string()));
    }
    if let Some(rest) = s.strip_prefix("jsonpath=") {
        // '{.status.phase}'=Running — the expression ends at its closing brace.
        let (expr, value) = match rest.rfind("}=") {
            Some(i) => (&rest[..=i], Some(rest[i + 2..].to_string())),
            None => (rest, None),
        };
        let expr = expr.trim_matches('\'');
        let jp = JsonPath::parse(&relaxed(expr)?)
            .map_err(|e| format!("unrecognized condition: \"{s}\": {e}"))?;
        return Ok(Cond::JsonPath(jp, value));
    }
    Err(format!("unrecognized condition: \"{s}\""))
}

fn met(cond: &Cond, obj: Option<&Object>) -> bool {
    match cond {
        Cond::Delete => obj.is_none(),
        Cond::Create => obj.is_some(),
        Cond::Condition(name, value) => obj.is_some_and(|o| {
            o.to_json()["status"]["conditions"]
                .as_array()
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        c["type"]
                            .as_str()
                            .is_some_and(|t| t.eq_ignore_ascii_case(name))
                            && c["status"]
                                .as_str()
                                .is_some_and(|s| s.eq_ignore_ascii_case(value))
                    })
                })
        }),
        Cond::JsonPath(jp, value) => obj.is_some_and(|o| {
            let vals = values(jp, &o.to_json());
            match value {
                None => vals.iter().any(|v| !matches!(v, Value::Null)),
                Some(want) => vals.len() == 1 && text_of(&vals[0]) == *want,
            }
        }),
    }
}

pub fn wait(ctx: &mut Ctx) -> Output {
    let Some(for_s) = ctx.args.get("for").map(str::to_string) else {
        return Output::error("--for must be specified");
    };
    let cond = match parse_for(&for_s) {
        Ok(c) => c,
        Err(e) => return Output::error(e),
    };
    let timeout = match ctx
        .args
        .get("timeout")
        .map(crate::sim::time::parse_duration)
    {
        None => Duration::from_secs(30),
        Some(Ok(d)) => d,
        Some(Err(_)) if ctx.args.get("timeout").is_some_and(|t| t.starts_with('-')) => {
            Duration::from_secs(7 * 24 * 3600)
        }
        Some(Err(e)) => return Output::error(e),
    };
    let ns = ctx.namespace();
    // The objects to wait for (named ones may not exist yet for create/delete).
    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    if ctx.args.get("filename").is_some() {
        match super::targets(ctx, &[]) {
            Ok(t) => targets = t,
            Err(e) => return Output::error(e),
        }
    } else {
        let res = match resources::parse(&ctx.args.positional) {
            Ok(r) => r,
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
                let sel = ctx.args.get("selector").map(Selector::parse).transpose();
                let fsel = ctx
                    .args
                    .get("field-selector")
                    .map(FieldSelector::parse)
                    .transpose();
                let (Ok(sel), Ok(fsel)) = (sel, fsel) else {
                    return Output::error("invalid selector");
                };
                if sel.is_none() && fsel.is_none() && !ctx.args.bool("all") {
                    return Output::error("resource(s) were provided, but no name was specified");
                }
                let opts = ListOptions {
                    label_selector: sel.unwrap_or_default(),
                    field_selector: fsel.unwrap_or_default(),
                    ..Default::default()
                };
                for k in kinds {
                    let scope = if ctx.all_namespaces() || !k.info().namespaced {
                        None
                    } else {
                        Some(ns.as_str())
                    };
                    if let Ok(l) = ctx.world.store.list(k, scope, &opts) {
                        targets.extend(l.items.iter().map(|o| {
                            (
                                k,
                                o.meta().namespace.clone().unwrap_or_default(),
                                o.meta().name.clone().unwrap_or_default(),
                            )
                        }));
                    }
                }
                if targets.is_empty() {
                    return Output::error("no matching resources found");
                }
            }
        }
    }
    let mut out = Output::default();
    let deadline = ctx.world.now() + timeout;
    for (kind, ons, name) in targets {
        if !matches!(cond, Cond::Create | Cond::Delete)
            && ctx.world.store.try_get(kind, &ons, &name).is_none()
        {
            out.extend(Output::err(
                crate::sim::store::ApiError::not_found(kind, &name).kubectl_text(),
            ));
            continue;
        }
        loop {
            ctx.world.settle();
            let obj = ctx.world.store.try_get(kind, &ons, &name).cloned();
            if met(&cond, obj.as_deref()) {
                out.push_out(&format!(
                    "{}/{name} condition met",
                    kind.info().kind_prefix()
                ));
                break;
            }
            let now = ctx.world.now();
            if now >= deadline {
                out.extend(Output::error(format!(
                    "timed out waiting for the condition on {}/{name}",
                    kind.info().plural
                )));
                break;
            }
            let next = ctx
                .world
                .next_event_time()
                .filter(|t| *t > now)
                .unwrap_or(deadline)
                .min(deadline);
            if !ctx.wait_until(next) {
                out.code = crate::cli::shell::INTERRUPTED;
                return out;
            }
        }
        ctx.flush(&mut out);
    }
    out
}
