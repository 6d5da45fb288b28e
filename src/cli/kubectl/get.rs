//! `kubectl get`: tables (the server's Table, laid out as kubectl does),
//! `-o wide|yaml|json|name`, selectors, several kinds at once.

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::printers::{self, PrintOptions};
use crate::sim::store::ListOptions;
use std::sync::Arc;

pub const FLAGS: &[FlagSpec] = &[
    flag(
        "all-namespaces",
        Some('A'),
        false,
        "List the requested object(s) across all namespaces.",
    ),
    flag(
        "output",
        Some('o'),
        true,
        "Output format: json, yaml, name, wide.",
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
        "show-labels",
        None,
        false,
        "When printing, show all labels as the last column.",
    ),
    flag(
        "label-columns",
        Some('L'),
        true,
        "Labels to present as columns.",
    ),
    flag("no-headers", None, false, "Don't print headers."),
    flag(
        "show-kind",
        None,
        false,
        "List the resource type for the requested object(s).",
    ),
    flag(
        "watch",
        Some('w'),
        false,
        "After listing/getting the requested object, watch for changes.",
    ),
    flag(
        "ignore-not-found",
        None,
        false,
        "Treat \"resource not found\" as a successful retrieval.",
    ),
    flag(
        "chunk-size",
        None,
        true,
        "Return large lists in chunks rather than all at once.",
    ),
];

/// What to print, in order: each group is one table.
struct Found {
    groups: Vec<(Kind, Vec<Arc<Object>>)>,
    errors: Vec<String>,
}

pub fn get(ctx: &mut Ctx) -> Output {
    let res = match resources::parse(&ctx.args.positional) {
        Ok(r) => r,
        Err(e) => return Output::error(e),
    };
    let label_selector = match ctx.args.get("selector").map(Selector::parse).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let field_selector = match ctx
        .args
        .get("field-selector")
        .map(FieldSelector::parse)
        .transpose()
    {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let all_ns = ctx.all_namespaces();
    let ns = ctx.namespace();
    let ns_filter = if all_ns { None } else { Some(ns.as_str()) };
    let opts = ListOptions {
        label_selector,
        field_selector,
        ..Default::default()
    };
    let store = &ctx.world.store;
    let mut found = Found {
        groups: Vec::new(),
        errors: Vec::new(),
    };
    let by_name = |kind: Kind, name: &str, found: &mut Found| match store.get(kind, &ns, name) {
        Ok(o) => push(found, kind, o.clone()),
        Err(e) => found.errors.push(e.kubectl_text()),
    };
    let kinds_requested: Vec<Kind> = match &res {
        ResourceArg::Kinds(kinds, names) => {
            if names.is_empty() {
                for &k in kinds {
                    match store.list(k, ns_filter, &opts) {
                        Ok(l) => found.groups.push((k, l.items)),
                        Err(e) => found.errors.push(e.kubectl_text()),
                    }
                }
            } else {
                for &k in kinds {
                    for n in names {
                        by_name(k, n, &mut found);
                    }
                }
            }
            kinds.clone()
        }
        ResourceArg::Named(pairs) => {
            for (k, n) in pairs {
                by_name(*k, n, &mut found);
            }
            pairs.iter().map(|(k, _)| *k).collect()
        }
    };
    if ctx.args.bool("ignore-not-found") {
        found.errors.retain(|e| !e.contains("(NotFound)"));
    }
    let multi_kind = {
        let mut ks = kinds_requested.clone();
        ks.sort();
        ks.dedup();
        ks.len() > 1
    };
    let output = ctx.args.get("output").unwrap_or("");
    let mut out = Output::default();
    let body = match output {
        "" | "wide" => {
            let opts = PrintOptions {
                wide: output == "wide",
                with_namespace: all_ns,
                with_kind: multi_kind || ctx.args.bool("show-kind"),
                no_headers: ctx.args.bool("no-headers"),
                show_labels: ctx.args.bool("show-labels"),
                label_columns: ctx
                    .args
                    .all("label-columns")
                    .iter()
                    .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
                    .collect(),
            };
            let now = ctx.now();
            let mut text = String::new();
            for (kind, objs) in &found.groups {
                let namespaced_kind = kind.info().namespaced;
                let t = printers::table(*kind, objs, now);
                let o = PrintOptions { with_namespace: opts.with_namespace && namespaced_kind, ..opts.clone() };
                let s = printers::render_table(&t, &o);
                if !s.is_empty() {
                    if !text.is_empty() && !opts.no_headers {
                        text.push('\n');
                    }
                    text.push_str(&s);
                }
            }
            if text.is_empty() && found.errors.is_empty() {
                let namespaced = kinds_requested.iter().all(|k| k.info().namespaced);
                out.push_err(&if namespaced && !all_ns {
                    format!("No resources found in {ns} namespace.")
                } else {
                    "No resources found".to_string()
                });
            }
            text
        }
        "name" => found
            .groups
            .iter()
            .flat_map(|(k, objs)| {
                objs.iter().map(move |o| format!("{}/{}\n", k.info().kind_prefix(), o.meta().name.as_deref().unwrap_or("")))
            })
            .collect(),
        "json" | "yaml" => {
            let objs: Vec<&Arc<Object>> = found.groups.iter().flat_map(|(_, o)| o.iter()).collect();
            let single = matches!(&res, ResourceArg::Named(p) if p.len() == 1)
                || matches!(&res, ResourceArg::Kinds(_, names) if names.len() == 1);
            let value = if single && objs.len() == 1 {
                objs[0].to_json()
            } else {
                serde_json::json!({
                    "apiVersion": "v1",
                    "items": objs.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
                    "kind": "List",
                    "metadata": {"resourceVersion": ""},
                })
            };
            if objs.is_empty() && !found.errors.is_empty() {
                String::new()
            } else if output == "json" {
                json_text(&value)
            } else {
                yaml_text(&value)
            }
        }
        other => {
            return Output::error(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml"
            ))
        }
    };
    out.stdout.push_str(&body);
    for e in &found.errors {
        out.push_err(e);
        out.code = 1;
    }
    out
}

fn push(found: &mut Found, kind: Kind, obj: Arc<Object>) {
    match found.groups.last_mut() {
        Some((k, objs)) if *k == kind => objs.push(obj),
        _ => found.groups.push((kind, vec![obj])),
    }
}

/// kubectl's `-o json`: 4-space indentation.
pub fn json_text(v: &serde_json::Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(v, &mut ser).expect("json serializes");
    let mut s = String::from_utf8(buf).expect("utf8");
    s.push('\n');
    s
}

/// kubectl's `-o yaml`: sigs.k8s.io/yaml sorts keys alphabetically.
pub fn yaml_text(v: &serde_json::Value) -> String {
    serde_norway::to_string(&sorted(v)).unwrap_or_default()
}

fn sorted(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = serde_json::Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&m[k]));
            }
            serde_json::Value::Object(out)
        }
        serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}
