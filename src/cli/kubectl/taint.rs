//! `kubectl taint nodes NODE key=value:Effect | key:Effect- | key-`
//! (`k8s.io/kubectl/pkg/cmd/taint/taint.go`): adds, removes or (with
//! `--overwrite`) modifies taints; NoExecute taints get `timeAdded`.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::WriteOptions;
use k8s_openapi::api::core::v1::Taint;

pub const FLAGS: &[FlagSpec] = &[
    flag("all", None, false, "Select all nodes in the cluster"),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', and '!='.(e.g. -l key1=value1,key2=value2)"),
    flag("overwrite", None, false, "If true, allow taints to be overwritten, otherwise reject taint updates that overwrite existing taints."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("validate", None, true, "Must be one of: strict (or true), warn, ignore (or false).").default("'strict'").noopt("strict"),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-taint'"),
];

const EFFECTS: &[&str] = &["NoSchedule", "PreferNoSchedule", "NoExecute"];

/// `key[=value]:Effect` → a taint (kubectl's `ParseTaints`).
fn parse_taint(spec: &str) -> Result<Taint, String> {
    let (kv, effect) = spec
        .rsplit_once(':')
        .ok_or_else(|| format!("invalid taint spec: {spec}"))?;
    if !EFFECTS.contains(&effect) {
        return Err(format!(
            "invalid taint effect: {effect}, unsupported taint effect"
        ));
    }
    let (key, value) = match kv.split_once('=') {
        Some((k, v)) => (k, Some(v.to_string())),
        None => (kv, None),
    };
    if !super::label::is_qualified_name(key) {
        return Err(format!("invalid taint spec: {spec}, name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
    }
    Ok(Taint {
        key: key.to_string(),
        value,
        effect: effect.to_string(),
        time_added: None,
    })
}

pub fn taint(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let pos = ctx.args.positional.clone();
    let Some(first) = pos.first() else {
        return ctx.usage_error("at least one taint update is required");
    };
    // TYPE NAME specs..., TYPE/NAME specs..., or TYPE --all / -l specs...
    let (type_word, mut rest): (String, Vec<String>) = match first.split_once('/') {
        Some((t, n)) => (
            t.to_string(),
            std::iter::once(n.to_string())
                .chain(pos[1..].iter().cloned())
                .collect(),
        ),
        None => (first.clone(), pos[1..].to_vec()),
    };
    if Kind::from_resource_name(&type_word) != Some(Kind::Node) {
        return Output::error(format!(
            "invalid resource type {type_word}, only node types are supported"
        ));
    }
    let names: Vec<String> = if ctx.args.bool("all") || ctx.args.get("selector").is_some() {
        let sel = match ctx.args.get("selector").map(Selector::parse).transpose() {
            Ok(s) => s.unwrap_or_default(),
            Err(e) => return Output::error(e),
        };
        ctx.world
            .store
            .iter(Kind::Node, None)
            .filter(|o| sel.matches_opt(o.meta().labels.as_ref()))
            .filter_map(|o| o.meta().name.clone())
            .collect()
    } else {
        if rest.is_empty() {
            return ctx.usage_error("at least one taint update is required");
        }
        vec![rest.remove(0)]
    };
    if rest.is_empty() {
        return ctx.usage_error("at least one taint update is required");
    }
    let mut add = Vec::new();
    let mut remove: Vec<(String, Option<String>)> = Vec::new();
    for spec in &rest {
        if let Some(r) = spec.strip_suffix('-') {
            match r.split_once(':') {
                Some((k, e)) => {
                    if !EFFECTS.contains(&e) {
                        return Output::error(format!(
                            "invalid taint effect: {e}, unsupported taint effect"
                        ));
                    }
                    remove.push((k.to_string(), Some(e.to_string())));
                }
                None => remove.push((r.to_string(), None)),
            }
        } else {
            match parse_taint(spec) {
                Ok(t) => add.push(t),
                Err(e) => return Output::error(e),
            }
        }
    }
    let overwrite = ctx.args.bool("overwrite");
    let now = ctx.world.store.timestamp_secs();
    let mut out = Output::default();
    for name in names {
        let cur = match ctx.world.store.get(Kind::Node, "", &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        let Object::Node(mut node) = (*cur).clone() else {
            continue;
        };
        let mut taints = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.clone())
            .unwrap_or_default();
        let mut op = "";
        for (k, e) in &remove {
            let before = taints.len();
            taints.retain(|t| !(t.key == *k && e.as_ref().is_none_or(|e| *e == t.effect)));
            if taints.len() == before {
                let spec = match e {
                    Some(e) => format!("{k}:{e}"),
                    None => k.clone(),
                };
                out.extend(Output::error(format!("taint \"{spec}\" not found")));
                return out;
            }
            op = "untainted";
        }
        for t in &add {
            let mut t = t.clone();
            if t.effect == "NoExecute" {
                t.time_added = Some(now.clone());
            }
            match taints
                .iter_mut()
                .find(|x| x.key == t.key && x.effect == t.effect)
            {
                Some(existing) => {
                    if !overwrite {
                        out.extend(Output::error(format!(
                            "node {name} already has {} taint(s) with same effect(s) and --overwrite is false",
                            t.key
                        )));
                        return out;
                    }
                    *existing = t;
                    op = "modified";
                }
                None => {
                    taints.push(t);
                    if op.is_empty() || op == "untainted" {
                        op = "tainted";
                    }
                }
            }
        }
        node.spec.get_or_insert_with(Default::default).taints = if taints.is_empty() {
            None
        } else {
            Some(taints)
        };
        let obj = Object::Node(node);
        if dry != DryRun::Client {
            if let Err(e) = ctx.world.store.update(
                obj.clone(),
                &WriteOptions {
                    dry_run: dry == DryRun::Server,
                    field_manager: Some("kubectl-taint".into()),
                },
            ) {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        }
        out.extend(ctx.print_object(&obj, op, dry));
    }
    out
}
