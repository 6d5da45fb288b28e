//! `kubectl patch (TYPE NAME | TYPE/NAME | -f FILE) -p PATCH [--type
//! strategic|merge|json]` (`k8s.io/kubectl/pkg/cmd/patch/patch.go`): the
//! patch may be JSON or YAML; `patched`, or `patched (no change)`.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::sim::store::{Patch, WriteOptions};
use serde_json::Value;

pub const FLAGS: &[FlagSpec] = &[
    flag("patch", Some('p'), true, "The patch to be applied to the resource JSON file."),
    flag("patch-file", None, true, "A file containing a patch to be applied to the resource."),
    flag("type", None, true, "The type of patch being provided; one of [json merge strategic]").default("'strategic'"),
    flag("subresource", None, true, "If specified, patch will operate on the subresource of the requested object. Must be one of [status scale]."),
    flag("local", None, false, "If true, patch will operate on the content of the file, not the server-side resource."),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to update").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("record", None, false, "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-patch'"),
];

/// The patch text as JSON (kubectl accepts YAML too: `yaml.ToJSON`).
fn parse_patch(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    let docs = crate::objects::manifest::parse_documents(text).map_err(|e| e.to_string())?;
    match serde_norway::from_str::<Value>(text) {
        Ok(v) if !v.is_null() => Ok(v),
        _ => docs
            .into_iter()
            .next()
            .ok_or_else(|| "empty patch".to_string()),
    }
}

pub fn patch(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let text = match (ctx.args.get("patch"), ctx.args.get("patch-file")) {
        (Some(p), None) => p.to_string(),
        (None, Some(f)) => match ctx.read_file(f) {
            Ok(t) => t,
            Err(e) => return Output::error(format!("unable to read patch file: {e}")),
        },
        (Some(_), Some(_)) => {
            return Output::error("--patch and --patch-file are mutually exclusive")
        }
        (None, None) => {
            return ctx.usage_error(
                "must specify --patch or --patch-file containing the contents of the patch",
            )
        }
    };
    let value = match parse_patch(&text) {
        Ok(v) => v,
        Err(e) => return Output::error(format!("unable to parse \"{text}\": {e}")),
    };
    let ty = ctx.args.get("type").unwrap_or("strategic").to_string();
    let p = match ty.as_str() {
        "strategic" => Patch::Strategic(value),
        "merge" => Patch::Merge(value),
        "json" => Patch::Json(value),
        other => {
            return Output::error(format!(
                "--type must be one of [json merge strategic], not \"{other}\""
            ))
        }
    };
    let status = match ctx.args.get("subresource") {
        None => false,
        Some("status") => true,
        Some("scale") => false,
        Some(o) => {
            return Output::error(format!(
                "invalid subresource value: \"{o}\". Must be one of [status scale]"
            ))
        }
    };
    if ctx.args.positional.is_empty() && ctx.args.get("filename").is_none() {
        return ctx.usage_error(
            "must specify --patch or --patch-file containing the contents of the patch",
        );
    }
    let targets = match super::targets(ctx, &ctx.args.positional.clone()) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        let before = match ctx.world.store.get(kind, &ns, &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        // A client dry run applies the patch to a copy and prints it.
        let store_dry = dry != DryRun::None;
        match ctx.world.store.patch(
            kind,
            &ns,
            &name,
            &p,
            &WriteOptions {
                dry_run: store_dry,
                field_manager: Some("kubectl-patch".into()),
            },
            status,
        ) {
            Ok(after) => {
                let strip = |v: &Value| {
                    let mut v = v.clone();
                    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
                        m.remove("resourceVersion");
                        m.remove("generation");
                    }
                    v
                };
                let changed = strip(&after.to_json()) != strip(&before.to_json());
                if dry == DryRun::None && changed {
                    ctx.record(kind, &ns, &name, &mut out);
                }
                let word = if changed {
                    "patched"
                } else {
                    "patched (no change)"
                };
                out.extend(ctx.print_object(&after, word, dry));
            }
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}
