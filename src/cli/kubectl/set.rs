//! `kubectl set image|env|resources` on anything with a pod template
//! (`k8s.io/kubectl/pkg/cmd/set/set_image.go`, `set_env.go`,
//! `set_resources.go`): words `image updated`, `env updated`,
//! `resource requirements updated`; nothing printed when nothing changed.

use super::{Command, Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::{ListOptions, WriteOptions};
use serde_json::{json, Value};
use std::sync::Arc;

macro_rules! set_flags {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            flag("all", None, false, "Select all resources, in the namespace of the specified resource types"),
            flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
            flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
            flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
            flag("local", None, false, "If true, set will NOT contact api-server but run locally."),
            flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
            flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
            flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
            flag("record", None, false, "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists."),
            flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-set'"),
        ]
    };
}

const IMAGE_FLAGS: &[FlagSpec] = set_flags!();
const ENV_FLAGS: &[FlagSpec] = set_flags!(
    flag("containers", Some('c'), true, "The names of containers in the selected pod templates to change - may use wildcards").default("'*'"),
    flag("env", Some('e'), true, "Specify a key-value pair for an environment variable to set into each container.").default("[]"),
    flag("from", None, true, "The name of a resource from which to inject environment variables"),
    flag("prefix", None, true, "Prefix to append to variable names"),
    flag("keys", None, true, "Comma-separated list of keys to import from specified resource").default("[]"),
    flag("list", None, false, "If true, display the environment and any changes in the standard format. this flag will removed when we have kubectl view env."),
    flag("resolve", None, false, "If true, show secret or configmap references when listing variables"),
    flag("overwrite", None, false, "If true, allow environment to be overwritten, otherwise reject updates that overwrite existing environment.").default("true"),
    flag("all-namespaces", Some('A'), false, "If true, check the specified action in all namespaces."),
);
const RESOURCES_FLAGS: &[FlagSpec] = set_flags!(
    flag("containers", Some('c'), true, "The names of containers in the selected pod templates to change, all containers are selected by default - may use wildcards").default("'*'"),
    flag("limits", None, true, "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges."),
    flag("requests", None, true, "The resource requirement requests for this container.  For example, 'cpu=100m,memory=256Mi'.  Note that server side components may assign requests depending on the server configuration, such as limit ranges."),
    flag("all-namespaces", Some('A'), false, "If true, check the specified action in all namespaces."),
);

pub const SUBCOMMANDS: &[Command] = &[
    Command::new("env", "Update environment variables on a pod template", "kubectl set env RESOURCE/NAME KEY_1=VAL_1 ... KEY_N=VAL_N [options]", ENV_FLAGS, env),
    Command::new("image", "Update the image of a pod template", "kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 ... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]", IMAGE_FLAGS, image),
    Command::new("resources", "Update resource requests/limits on objects with pod templates", "kubectl set resources (-f FILENAME | TYPE NAME)  ([--limits=LIMITS & --requests=REQUESTS] [options]", RESOURCES_FLAGS, resources),
];

/// Where a kind keeps its pod spec.
fn pod_spec_path(kind: Kind) -> Option<&'static [&'static str]> {
    Some(match kind {
        Kind::Pod => &["spec"],
        Kind::Deployment
        | Kind::ReplicaSet
        | Kind::DaemonSet
        | Kind::StatefulSet
        | Kind::Job
        | Kind::ReplicationController => &["spec", "template", "spec"],
        Kind::CronJob => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

fn pod_spec_mut<'a>(v: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get_mut(*k)?;
    }
    Some(cur)
}

/// Splits positional words into resources and `KEY=VALUE` / `KEY-` pairs.
fn split(args: &[String]) -> (Vec<String>, Vec<String>) {
    let mut res = Vec::new();
    let mut pairs = Vec::new();
    for a in args {
        if a.contains('=') || (a.ends_with('-') && a.len() > 1) {
            pairs.push(a.clone());
        } else {
            res.push(a.clone());
        }
    }
    (res, pairs)
}

fn objects(ctx: &Ctx, res: &[String]) -> Result<Vec<Arc<Object>>, Output> {
    let ns = ctx.namespace();
    if ctx.args.bool("all") || ctx.args.get("selector").is_some() {
        let kinds = match super::resources::parse(res).map_err(Output::error)? {
            super::ResourceArg::Kinds(k, _) => k,
            _ => return Err(Output::error(
                "selectors and the all flag cannot be used when passing resource/name arguments",
            )),
        };
        let sel = ctx
            .args
            .get("selector")
            .map(Selector::parse)
            .transpose()
            .map_err(Output::error)?
            .unwrap_or_default();
        let scope = if ctx.all_namespaces() {
            None
        } else {
            Some(ns.as_str())
        };
        let mut out = Vec::new();
        for k in kinds {
            if let Ok(l) = ctx.world.store.list(
                k,
                scope,
                &ListOptions {
                    label_selector: sel.clone(),
                    ..Default::default()
                },
            ) {
                out.extend(l.items);
            }
        }
        return Ok(out);
    }
    if res.is_empty() && ctx.args.get("filename").is_none() {
        return Err(ctx.usage_error(
            "one or more resources must be specified as <resource> <name> or <resource>/<name>",
        ));
    }
    let mut out = Vec::new();
    for (k, ons, n) in super::targets(ctx, res).map_err(Output::error)? {
        match ctx.world.store.get(k, &ons, &n) {
            Ok(o) => out.push(o.clone()),
            Err(e) => return Err(Output::err(e.kubectl_text())),
        }
    }
    Ok(out)
}

/// Applies `change` to each object's pod spec; writes and prints.
fn update_all(
    ctx: &mut Ctx,
    res: &[String],
    word: &str,
    change: &mut dyn FnMut(&Kind, &str, &mut Value) -> Result<(), String>,
) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let objs = match objects(ctx, res) {
        Ok(o) => o,
        Err(e) => return e,
    };
    let mut out = Output::default();
    for obj in objs {
        let kind = obj.kind();
        let name = obj.meta().name.clone().unwrap_or_default();
        let ns = obj.meta().namespace.clone().unwrap_or_default();
        let Some(path) = pod_spec_path(kind) else {
            out.extend(Output::error(format!(
                "{}/{name} the object is not a pod or does not have a pod template: *v1.{}",
                kind.info().kind.to_lowercase(),
                kind.info().kind
            )));
            continue;
        };
        let mut v = obj.to_json();
        let before = v.clone();
        let Some(spec) = pod_spec_mut(&mut v, path) else {
            continue;
        };
        if let Err(e) = change(&kind, &name, spec) {
            out.extend(Output::error(e));
            continue;
        }
        if v == before && !(ctx.args.bool("record") && dry == DryRun::None) {
            continue; // no changes: kubectl prints nothing
        }
        let new = match kind.decode(v) {
            Ok(o) => o,
            Err(e) => {
                out.extend(Output::error(e.to_string()));
                continue;
            }
        };
        let result = if dry == DryRun::Client {
            new
        } else {
            match ctx.world.store.update(
                new,
                &WriteOptions {
                    dry_run: dry == DryRun::Server,
                    field_manager: Some("kubectl-set".into()),
                },
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
        out.extend(ctx.print_object(&result, word, dry));
    }
    out
}

fn containers_of(spec: &mut Value) -> Vec<&mut Value> {
    let mut v: Vec<&mut Value> = Vec::new();
    let (init, main) = match spec.as_object_mut() {
        Some(m) => {
            let mut init = None;
            let mut main = None;
            for (k, x) in m.iter_mut() {
                match k.as_str() {
                    "initContainers" => init = Some(x),
                    "containers" => main = Some(x),
                    _ => {}
                }
            }
            (init, main)
        }
        None => (None, None),
    };
    for list in [init, main].into_iter().flatten() {
        if let Some(a) = list.as_array_mut() {
            v.extend(a.iter_mut());
        }
    }
    v
}

/// `*` and simple `prefix*` wildcards of `--containers`.
fn container_matches(pattern: &str, name: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(p) => name.starts_with(p),
        None => pattern == name,
    }
}

fn image(ctx: &mut Ctx) -> Output {
    let (res, pairs) = split(&ctx.args.positional);
    if pairs.is_empty() {
        return ctx.usage_error("at least one image update is required");
    }
    let mut images = Vec::new();
    for p in &pairs {
        let Some((c, i)) = p.split_once('=') else {
            return Output::error(format!("invalid image {p}"));
        };
        images.push((c.to_string(), i.to_string()));
    }
    update_all(ctx, &res, "image updated", &mut |_, _, spec| {
        for (c, img) in &images {
            let mut found = false;
            for ctr in containers_of(spec) {
                if c == "*" || ctr["name"].as_str() == Some(c.as_str()) {
                    ctr["image"] = json!(img);
                    found = true;
                }
            }
            if !found {
                return Err(format!("unable to find container named \"{c}\""));
            }
        }
        Ok(())
    })
}

fn env(ctx: &mut Ctx) -> Output {
    let (res, mut pairs) = split(&ctx.args.positional);
    pairs.extend(ctx.args.all("env"));
    let list = ctx.args.bool("list");
    let pattern = ctx.args.get("containers").unwrap_or("*").to_string();
    if list {
        let objs = match objects(ctx, &res) {
            Ok(o) => o,
            Err(e) => return e,
        };
        let mut out = String::new();
        for obj in objs {
            let kind = obj.kind();
            let Some(path) = pod_spec_path(kind) else {
                continue;
            };
            let mut v = obj.to_json();
            let Some(spec) = pod_spec_mut(&mut v, path) else {
                continue;
            };
            for c in containers_of(spec) {
                let cname = c["name"].as_str().unwrap_or("").to_string();
                if !container_matches(&pattern, &cname) {
                    continue;
                }
                out.push_str(&format!(
                    "# {} {}, container {cname}\n",
                    kind.info().kind,
                    obj.meta().name.as_deref().unwrap_or("")
                ));
                for e in c["env"].as_array().into_iter().flatten() {
                    let n = e["name"].as_str().unwrap_or("");
                    if let Some(val) = e["value"].as_str() {
                        out.push_str(&format!("{n}={val}\n"));
                    } else if let Some(r) = e["valueFrom"]["configMapKeyRef"].as_object() {
                        out.push_str(&format!(
                            "# {n} from configmap {}, key {}\n",
                            r["name"].as_str().unwrap_or(""),
                            r["key"].as_str().unwrap_or("")
                        ));
                    } else if let Some(r) = e["valueFrom"]["secretKeyRef"].as_object() {
                        out.push_str(&format!(
                            "# {n} from secret {}, key {}\n",
                            r["name"].as_str().unwrap_or(""),
                            r["key"].as_str().unwrap_or("")
                        ));
                    } else {
                        out.push_str(&format!("# {n} from a field reference\n"));
                    }
                }
            }
        }
        return Output::ok(out);
    }
    let mut set: Vec<(String, String)> = Vec::new();
    let mut remove: Vec<String> = Vec::new();
    for p in &pairs {
        if let Some((k, v)) = p.split_once('=') {
            set.push((k.to_string(), v.to_string()));
        } else if let Some(k) = p.strip_suffix('-') {
            remove.push(k.to_string());
        }
    }
    // --from=configmap/NAME or secret/NAME: envFrom-like expansion to env entries.
    let mut from_refs: Vec<Value> = Vec::new();
    if let Some(from) = ctx.args.get("from").map(str::to_string) {
        let ns = ctx.namespace();
        let prefix = ctx.args.get("prefix").unwrap_or("").to_string();
        let Some((kind_word, name)) = from.split_once('/') else {
            return Output::error(format!(
                "from must be of the form <resource>/<name>, got {from}"
            ));
        };
        match crate::objects::Kind::from_resource_name(kind_word) {
            Some(Kind::ConfigMap) | Some(Kind::Secret) => {}
            _ => return Output::error(format!("unsupported resource specified in --from: {from}")),
        }
        let kind = crate::objects::Kind::from_resource_name(kind_word).expect("checked");
        let obj = match ctx.world.store.get(kind, &ns, name) {
            Ok(o) => o.clone(),
            Err(e) => return Output::err(e.kubectl_text()),
        };
        let v = obj.to_json();
        let keys: Vec<String> = v["data"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let ref_key = if kind == Kind::ConfigMap {
            "configMapKeyRef"
        } else {
            "secretKeyRef"
        };
        for k in keys {
            let env_name = format!("{prefix}{}", k.to_uppercase().replace(['-', '.'], "_"));
            from_refs
                .push(json!({"name": env_name, "valueFrom": {ref_key: {"key": k, "name": name}}}));
        }
    }
    if set.is_empty() && remove.is_empty() && from_refs.is_empty() {
        return ctx.usage_error("at least one environment variable must be provided");
    }
    let overwrite = ctx.args.get("overwrite").is_none_or(|v| v != "false");
    update_all(ctx, &res, "env updated", &mut |_, _, spec| {
        for c in containers_of(spec) {
            let cname = c["name"].as_str().unwrap_or("").to_string();
            if !container_matches(&pattern, &cname) {
                continue;
            }
            let mut env: Vec<Value> = c["env"].as_array().cloned().unwrap_or_default();
            for (k, v) in &set {
                match env
                    .iter_mut()
                    .find(|e| e["name"].as_str() == Some(k.as_str()))
                {
                    Some(e) => {
                        if !overwrite && e["value"].as_str() != Some(v.as_str()) {
                            return Err(format!(
                                "'{k}' already has a value ({}), and --overwrite is false",
                                e["value"].as_str().unwrap_or("")
                            ));
                        }
                        *e = json!({"name": k, "value": v});
                    }
                    None => env.push(json!({"name": k, "value": v})),
                }
            }
            for r in &from_refs {
                let n = r["name"].as_str().unwrap_or("");
                env.retain(|e| e["name"].as_str() != Some(n));
                env.push(r.clone());
            }
            env.retain(|e| {
                !remove
                    .iter()
                    .any(|r| e["name"].as_str() == Some(r.as_str()))
            });
            if env.is_empty() {
                if let Some(m) = c.as_object_mut() {
                    m.remove("env");
                }
            } else {
                c["env"] = Value::Array(env);
            }
        }
        Ok(())
    })
}

fn resources(ctx: &mut Ctx) -> Output {
    let (res, _) = split(&ctx.args.positional);
    let parse = |s: Option<&str>| -> Result<Option<serde_json::Map<String, Value>>, String> {
        let Some(s) = s else { return Ok(None) };
        let mut m = serde_json::Map::new();
        for kv in s.split(',').filter(|x| !x.is_empty()) {
            let Some((k, v)) = kv.split_once('=') else {
                return Err(format!("invalid resource specification: {kv}"));
            };
            if crate::objects::quantity::parse_quantity(v).is_err() {
                return Err("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".to_string());
            }
            m.insert(k.to_string(), json!(v));
        }
        Ok(Some(m))
    };
    let (limits, requests) = match (
        parse(ctx.args.get("limits")),
        parse(ctx.args.get("requests")),
    ) {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return Output::error(e),
    };
    if limits.is_none() && requests.is_none() {
        return Output::error(
            "you must specify an update to requests or limits (in the form of --requests/--limits)",
        );
    }
    let pattern = ctx.args.get("containers").unwrap_or("*").to_string();
    update_all(
        ctx,
        &res,
        "resource requirements updated",
        &mut |_, _, spec| {
            let mut any = false;
            for c in containers_of(spec) {
                let cname = c["name"].as_str().unwrap_or("").to_string();
                if !container_matches(&pattern, &cname) {
                    continue;
                }
                any = true;
                for (field, vals) in [("limits", &limits), ("requests", &requests)] {
                    if let Some(vals) = vals {
                        if c["resources"].is_null() {
                            c["resources"] = json!({});
                        }
                        let cur = c["resources"][field]
                            .as_object()
                            .cloned()
                            .unwrap_or_default();
                        let mut merged = cur;
                        for (k, v) in vals {
                            merged.insert(k.clone(), v.clone());
                        }
                        c["resources"][field] = Value::Object(merged);
                    }
                }
            }
            if !any {
                return Err(format!("unable to find container named {pattern}"));
            }
            Ok(())
        },
    )
}
