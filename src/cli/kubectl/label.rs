//! `kubectl label` and `kubectl annotate`: `KEY=VAL` sets, `KEY-` removes,
//! `--overwrite`, `--all`, `-l`, `-f`, `--list`; a merge patch of
//! `metadata.labels` / `metadata.annotations` per object, and kubectl's
//! words (`labeled`, `unlabeled`, `label(s) changed`, `not labeled`,
//! `annotated`) from `k8s.io/kubectl/pkg/cmd/label/label.go` and
//! `annotate/annotate.go`.

use super::resources::{self, ResourceArg};
use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::sim::store::{ListOptions, Patch, WriteOptions};
use std::collections::BTreeMap;
use std::sync::Arc;

macro_rules! common_flags {
    ($what:literal, $manager:literal) => {
        &[
            flag("overwrite", None, false, concat!("If true, allow ", $what, " to be overwritten, otherwise reject ", $what, " updates that overwrite existing ", $what, ".")),
            flag("list", None, false, concat!("If true, display the ", $what, " for a given resource.")),
            flag("local", None, false, concat!("If true, ", $what, " will NOT contact api-server but run locally.")),
            flag("all", None, false, "Select all resources, in the namespace of the specified resource types"),
            flag("all-namespaces", Some('A'), false, "If true, check the specified action in all namespaces."),
            flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
            flag("field-selector", None, true, "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
            flag("resource-version", None, true, concat!("If non-empty, the ", $what, " update will only succeed if this is the current resource-version for the object. Only valid when specifying a single resource.")),
            flag("filename", Some('f'), true, concat!("Filename, directory, or URL to files identifying the resource to update the ", $what)).default("[]"),
            flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
            flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
            flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
            flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
            flag("field-manager", None, true, "Name of the manager used to track field ownership.").default(concat!("'", $manager, "'")),
            flag("record", None, false, "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists."),
        ]
    };
}

pub const LABEL_FLAGS: &[FlagSpec] = common_flags!("labels", "kubectl-label");
pub const ANNOTATE_FLAGS: &[FlagSpec] = common_flags!("annotations", "kubectl-annotate");

/// `IsQualifiedName`: `[prefix/]name`, name ≤ 63 alphanumerics with `-_.`
/// inside, prefix a DNS subdomain.
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
    let prefix_ok = prefix.is_none_or(crate::objects::validation::is_dns1123_subdomain);
    name_ok && prefix_ok
}

/// `IsValidLabelValue`'s errors.
fn label_value_problem(v: &str) -> Option<String> {
    let mut errs = Vec::new();
    if v.len() > 63 {
        errs.push("must be no more than 63 characters".to_string());
    }
    let ok = v.is_empty()
        || (v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()));
    if !ok {
        errs.push("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string());
    }
    if errs.is_empty() {
        None
    } else {
        Some(errs.join(";"))
    }
}

/// cmdutil.GetResourcesAndPairs: resources first, then `k=v` / `k-` pairs.
fn split_pairs(args: &[String], what: &str) -> Result<(Vec<String>, Vec<String>), String> {
    let mut res = Vec::new();
    let mut pairs = Vec::new();
    for s in args {
        let pair = (s.contains('=') && !s.starts_with('=')) || (s.ends_with('-') && s != "-");
        if pair {
            pairs.push(s.clone());
        } else if !pairs.is_empty() {
            return Err(format!(
                "all resources must be specified before {what} changes: {s}"
            ));
        } else {
            res.push(s.clone());
        }
    }
    Ok((res, pairs))
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Field {
    Labels,
    Annotations,
}

pub fn label(ctx: &mut Ctx) -> Output {
    run(ctx, Field::Labels)
}

pub fn annotate(ctx: &mut Ctx) -> Output {
    run(ctx, Field::Annotations)
}

fn run(ctx: &mut Ctx, field: Field) -> Output {
    let what = if field == Field::Labels {
        "label"
    } else {
        "annotation"
    };
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let (res_args, pair_args) = match split_pairs(&ctx.args.positional, what) {
        Ok(x) => x,
        Err(e) => return Output::error(e),
    };
    // Parse the changes.
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    let mut remove: Vec<String> = Vec::new();
    for spec in &pair_args {
        if let Some((k, v)) = spec.split_once('=') {
            if field == Field::Labels {
                if v.contains('=') {
                    return Output::error(format!("invalid label spec: {spec}"));
                }
                if let Some(p) = label_value_problem(v) {
                    return Output::error(format!("invalid label value: \"{spec}\": {p}"));
                }
            } else if k.is_empty() {
                return Output::error(format!("invalid annotation spec: {spec}"));
            }
            set.insert(k.to_string(), v.to_string());
        } else if let Some(k) = spec.strip_suffix('-') {
            remove.push(k.to_string());
        }
    }
    if remove.iter().any(|r| set.contains_key(r)) {
        return Output::error(format!(
            "can not both modify and remove {} in the same command",
            if field == Field::Labels {
                "a label"
            } else {
                "an annotation"
            }
        ));
    }
    let list = ctx.args.bool("list");
    if res_args.is_empty() && ctx.args.get("filename").is_none() {
        return ctx.usage_error(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        );
    }
    if set.is_empty() && remove.is_empty() && !list {
        return ctx.usage_error(format!("at least one {what} update is required"));
    }
    if ctx.args.bool("all") && ctx.args.get("selector").is_some() {
        return Output::error("cannot set --all and --selector at the same time");
    }
    let objs = match find(ctx, &res_args) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let overwrite = ctx.args.bool("overwrite");
    let mut out = Output::default();
    let one = objs.len() == 1;
    for obj in objs {
        let kind = obj.kind();
        let m = obj.meta();
        let ns = m.namespace.clone().unwrap_or_default();
        let name = m.name.clone().unwrap_or_default();
        let current: BTreeMap<String, String> = match field {
            Field::Labels => m.labels.clone(),
            Field::Annotations => m.annotations.clone(),
        }
        .unwrap_or_default();
        if list {
            let indent = if one { "" } else { " " };
            if !one {
                out.push_out(&format!(
                    "Listing {what}s for {}.{}/{name}:",
                    kind.info().kind,
                    kind.info().group
                ));
            }
            for (k, v) in &current {
                out.push_out(&format!("{indent}{k}={v}"));
            }
            continue;
        }
        // --overwrite is needed to change an existing value.
        if !overwrite {
            let clashes: Vec<(&String, &String)> = set
                .keys()
                .filter(|k| {
                    current.get(*k).is_some_and(|c| Some(c) != set.get(*k))
                        && !(field == Field::Annotations && *k == "kubernetes.io/change-cause")
                })
                .map(|k| (k, &current[k]))
                .collect();
            if !clashes.is_empty() {
                let msg = if field == Field::Labels {
                    let errs: Vec<String> = clashes
                        .iter()
                        .map(|(k, v)| {
                            format!("'{k}' already has a value ({v}), and --overwrite is false")
                        })
                        .collect();
                    if errs.len() == 1 {
                        errs[0].clone()
                    } else {
                        format!("[{}]", errs.join(", "))
                    }
                } else {
                    let errs: Vec<String> = clashes
                        .iter()
                        .map(|(k, v)| format!("'{k}' already has a value ({v})"))
                        .collect();
                    format!(
                        "--overwrite is false but found the following declared annotation(s): {}",
                        errs.join("; ")
                    )
                };
                out.extend(Output::error(msg));
                return out;
            }
        }
        if field == Field::Labels && dry != DryRun::Client {
            for r in &remove {
                if !current.contains_key(r) {
                    out.push_out(&format!("label \"{r}\" not found."));
                }
            }
        }
        let mut new = current.clone();
        for (k, v) in &set {
            new.insert(k.clone(), v.clone());
        }
        for r in &remove {
            new.remove(r);
        }
        let msg = if field == Field::Labels {
            change_message(&current, &new)
        } else {
            "annotated"
        };
        // The merge patch kubectl computes between the old and new object.
        let mut patch_map = serde_json::Map::new();
        for (k, v) in &new {
            if current.get(k) != Some(v) {
                patch_map.insert(k.clone(), serde_json::Value::String(v.clone()));
            }
        }
        for k in current.keys() {
            if !new.contains_key(k) {
                patch_map.insert(k.clone(), serde_json::Value::Null);
            }
        }
        let key = if field == Field::Labels {
            "labels"
        } else {
            "annotations"
        };
        let mut result = (*obj).clone();
        if dry == DryRun::Client || patch_map.is_empty() {
            let m = result.meta_mut();
            let target = match field {
                Field::Labels => &mut m.labels,
                Field::Annotations => &mut m.annotations,
            };
            *target = if new.is_empty() { None } else { Some(new) };
        } else {
            let mut meta = serde_json::json!({ key: patch_map });
            if let Some(rv) = ctx.args.get("resource-version") {
                meta["resourceVersion"] = serde_json::json!(rv);
            }
            match ctx.world.store.patch(
                kind,
                &ns,
                &name,
                &Patch::Merge(serde_json::json!({ "metadata": meta })),
                &WriteOptions {
                    dry_run: dry == DryRun::Server,
                    field_manager: Some(format!("kubectl-{what}")),
                },
                false,
            ) {
                Ok(o) => result = (*o).clone(),
                Err(e) => {
                    out.extend(Output::err(e.kubectl_text()));
                    continue;
                }
            }
        }
        out.extend(ctx.print_object(&result, msg, dry));
    }
    out
}

/// label.go's updateDataChangeMsg.
fn change_message(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> &'static str {
    let unlabeled = old.keys().any(|k| !new.contains_key(k));
    let labeled = old.iter().any(|(k, v)| new.get(k).is_some_and(|n| n != v))
        || new.keys().any(|k| !old.contains_key(k));
    match (labeled, unlabeled) {
        (true, true) => "label(s) changed",
        (true, false) => "labeled",
        (false, true) => "unlabeled",
        (false, false) => "not labeled",
    }
}

/// The objects `TYPE NAME`, `TYPE/NAME`, `TYPE --all`, `TYPE -l`, `-f` name.
fn find(ctx: &Ctx, res_args: &[String]) -> Result<Vec<Arc<Object>>, Output> {
    let ns = ctx.namespace();
    let mut out = Vec::new();
    let mut errs = Output::default();
    if ctx.args.get("filename").is_some() {
        for (k, ons, n) in super::targets(ctx, &[]).map_err(Output::error)? {
            match ctx.world.store.get(k, &ons, &n) {
                Ok(o) => out.push(o.clone()),
                Err(e) => errs.extend(Output::err(e.kubectl_text())),
            }
        }
    } else {
        match resources::parse(res_args).map_err(Output::error)? {
            ResourceArg::Named(pairs) => {
                for (k, n) in pairs {
                    match ctx.world.store.get(k, &ns, &n) {
                        Ok(o) => out.push(o.clone()),
                        Err(e) => errs.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
            ResourceArg::Kinds(kinds, names) if !names.is_empty() => {
                for k in kinds {
                    for n in &names {
                        match ctx.world.store.get(k, &ns, n) {
                            Ok(o) => out.push(o.clone()),
                            Err(e) => errs.extend(Output::err(e.kubectl_text())),
                        }
                    }
                }
            }
            ResourceArg::Kinds(kinds, _) => {
                if !ctx.args.bool("all")
                    && ctx.args.get("selector").is_none()
                    && ctx.args.get("field-selector").is_none()
                {
                    return Err(Output::error(
                        "resource(s) were provided, but no name was specified",
                    ));
                }
                let opts = ListOptions {
                    label_selector: ctx
                        .args
                        .get("selector")
                        .map(Selector::parse)
                        .transpose()
                        .map_err(Output::error)?
                        .unwrap_or_default(),
                    field_selector: ctx
                        .args
                        .get("field-selector")
                        .map(FieldSelector::parse)
                        .transpose()
                        .map_err(Output::error)?
                        .unwrap_or_default(),
                    ..Default::default()
                };
                for k in kinds {
                    let scope = if ctx.all_namespaces() || !k.info().namespaced {
                        None
                    } else {
                        Some(ns.as_str())
                    };
                    match ctx.world.store.list(k, scope, &opts) {
                        Ok(l) => out.extend(l.items),
                        Err(e) => errs.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
        }
    }
    if out.is_empty() && errs.code != 0 {
        return Err(errs);
    }
    if out.is_empty() {
        return Err(Output::err("No resources found").with_code(0));
    }
    let _ = Kind::Pod;
    Ok(out)
}

/// `IsConfigMapKey`: `[-._a-zA-Z0-9]+`, not `.` or `..`.
pub fn is_config_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k != "."
        && k != ".."
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}
