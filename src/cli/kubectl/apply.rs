//! `kubectl create -f` and `kubectl apply -f` (client-side apply with the
//! last-applied-configuration annotation, as `pkg/cmd/apply` does).

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::manifest::{self, ManifestError};
use crate::objects::Object;
use crate::sim::store::{Patch, Reason, WriteOptions};
use serde_json::Value;

pub const CREATE_FLAGS: &[FlagSpec] = &[
    flag(
        "filename",
        Some('f'),
        true,
        "Filename, directory, or URL to files to use to create the resource",
    ),
    flag(
        "dry-run",
        None,
        true,
        "Must be \"none\", \"server\", or \"client\".",
    ),
    flag("output", Some('o'), true, "Output format."),
    flag(
        "validate",
        None,
        true,
        "Must be one of: strict (or true), warn, ignore (or false).",
    ),
    flag(
        "save-config",
        None,
        false,
        "If true, the configuration of current object will be saved in its annotation.",
    ),
];

pub const APPLY_FLAGS: &[FlagSpec] = &[
    flag(
        "filename",
        Some('f'),
        true,
        "The files that contain the configurations to apply.",
    ),
    flag(
        "dry-run",
        None,
        true,
        "Must be \"none\", \"server\", or \"client\".",
    ),
    flag("output", Some('o'), true, "Output format."),
    flag(
        "validate",
        None,
        true,
        "Must be one of: strict (or true), warn, ignore (or false).",
    ),
    flag(
        "server-side",
        None,
        false,
        "If true, apply runs in the server instead of the client.",
    ),
    flag(
        "force-conflicts",
        None,
        false,
        "If true, server-side apply will force the changes against conflicts.",
    ),
    flag(
        "field-manager",
        None,
        true,
        "Name of the manager used to track field ownership.",
    ),
    flag(
        "recursive",
        Some('R'),
        false,
        "Process the directory used in -f, --filename recursively.",
    ),
];

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// A document from a file, with where it came from (for error messages).
pub struct Doc {
    pub source: String,
    pub value: Value,
}

/// Reads `-f` (a file, a directory, or `-` for stdin) into JSON documents.
pub fn read_docs(ctx: &Ctx, file: &str) -> Result<Vec<Doc>, String> {
    let mut sources: Vec<(String, String)> = Vec::new();
    if file == "-" {
        sources.push(("STDIN".into(), ctx.stdin.unwrap_or("").to_string()));
    } else {
        let path = ctx.state.workdir.join(file);
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(&path)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
                })
                .collect();
            entries.sort();
            for p in entries {
                let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
                sources.push((p.display().to_string(), text));
            }
        } else {
            let text = std::fs::read_to_string(&path)
                .map_err(|_| format!("the path \"{file}\" does not exist"))?;
            sources.push((file.to_string(), text));
        }
    }
    let mut docs = Vec::new();
    for (source, text) in sources {
        let values =
            manifest::parse_documents(&text).map_err(|e| format!("error parsing {source}: {e}"))?;
        docs.extend(values.into_iter().map(|value| Doc {
            source: source.clone(),
            value,
        }));
    }
    Ok(docs)
}

/// Reads and decodes `-f` into objects (lenient: for delete).
pub fn read_manifests(ctx: &Ctx, file: &str) -> Result<Vec<Object>, String> {
    read_docs(ctx, file)?
        .into_iter()
        .map(|d| manifest::decode_object(d.value, false).map_err(|e| e.to_string()))
        .collect()
}

/// Decodes one document for create/apply; errors worded as kubectl prints them.
fn decode(doc: &Doc, verb: &str, ns: &str) -> Result<Object, String> {
    let kind = manifest::kind_of(&doc.value, &doc.source).map_err(|e| match e {
        ManifestError::UnknownKind { .. } => format!("error: {e}"),
        other => format!("error: error validating \"{}\": {other}", doc.source),
    })?;
    let mut obj = manifest::decode_as(kind, doc.value.clone(), true).map_err(|e| {
        format!(
            "Error from server (BadRequest): error when {verb} \"{}\": {e}",
            doc.source
        )
    })?;
    if kind.info().namespaced && obj.meta().namespace.is_none() {
        obj.meta_mut().namespace = Some(ns.to_string());
    }
    Ok(obj)
}

fn dry_run(ctx: &Ctx) -> (&'static str, bool) {
    match ctx.args.get("dry-run") {
        Some("client") => (" (dry run)", false),
        Some("server") => (" (server dry run)", true),
        _ => ("", false),
    }
}

pub fn create(ctx: &mut Ctx) -> Output {
    let Some(file) = ctx.args.get("filename").map(str::to_string) else {
        return Output::err("error: must specify one of -f and -k\n");
    };
    let docs = match read_docs(ctx, &file) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let ns = ctx.namespace();
    let (suffix, server_dry) = dry_run(ctx);
    let client_dry = ctx.args.get("dry-run") == Some("client");
    let mut out = Output::default();
    for doc in &docs {
        let obj = match decode(doc, "creating", &ns) {
            Ok(o) => o,
            Err(e) => {
                out.extend(Output::err(e));
                continue;
            }
        };
        let prefix = obj.kind().info().kind_prefix();
        let name = obj.meta().name.clone().unwrap_or_default();
        if client_dry {
            out.push_out(&format!("{prefix}/{name} created{suffix}"));
            continue;
        }
        match ctx.world.store.create(
            obj,
            &WriteOptions {
                dry_run: server_dry,
                ..Default::default()
            },
        ) {
            Ok(o) => out.push_out(&format!(
                "{prefix}/{} created{suffix}",
                o.meta().name.as_deref().unwrap_or("")
            )),
            Err(e) => {
                let text = e.kubectl_text();
                // kubectl names the file for errors from create -f.
                let text = match e.reason {
                    crate::sim::store::Reason::Invalid => text,
                    _ => text.replacen(
                        "): ",
                        &format!("): error when creating \"{}\": ", doc.source),
                        1,
                    ),
                };
                out.extend(Output::err(text));
            }
        }
    }
    out
}

pub fn apply(ctx: &mut Ctx) -> Output {
    let Some(file) = ctx.args.get("filename").map(str::to_string) else {
        return Output::err("error: must specify one of -f and -k\n");
    };
    let docs = match read_docs(ctx, &file) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let ns = ctx.namespace();
    let (suffix, server_dry) = dry_run(ctx);
    let client_dry = ctx.args.get("dry-run") == Some("client");
    let server_side = ctx.args.bool("server-side");
    // apply.go GetApplyFieldManagerFlag: "kubectl" for server-side apply,
    // "kubectl-client-side-apply" otherwise.
    let manager = ctx
        .args
        .get("field-manager")
        .unwrap_or(if server_side {
            "kubectl"
        } else {
            "kubectl-client-side-apply"
        })
        .to_string();
    let mut out = Output::default();
    for doc in &docs {
        let obj = match decode(doc, "creating", &ns) {
            Ok(o) => o,
            Err(e) => {
                out.extend(Output::err(e));
                continue;
            }
        };
        let kind = obj.kind();
        let prefix = kind.info().kind_prefix();
        let name = obj.meta().name.clone().unwrap_or_default();
        let ons = obj.meta().namespace.clone().unwrap_or_default();
        let exists = ctx.world.store.try_get(kind, &ons, &name).cloned();
        let wopts = WriteOptions {
            dry_run: server_dry,
            field_manager: Some(manager.clone()),
        };
        if client_dry {
            let word = if exists.is_some() {
                "configured"
            } else {
                "created"
            };
            out.push_out(&format!("{prefix}/{name} {word}{suffix}"));
            continue;
        }
        // The annotation records what was applied, without itself.
        let mut applied = doc.value.clone();
        if kind.info().namespaced {
            applied["metadata"]["namespace"] = Value::String(ons.clone());
        }
        // GetModifiedConfiguration: the object with its annotations (an
        // empty map if none) minus this one, as compact JSON with keys
        // sorted (Go's encoding of an unstructured object).
        let mut recorded = applied.clone();
        if let Some(meta) = recorded.get_mut("metadata").and_then(Value::as_object_mut) {
            let ann = meta
                .entry("annotations")
                .or_insert_with(|| serde_json::json!({}));
            if let Some(a) = ann.as_object_mut() {
                a.remove(LAST_APPLIED);
            }
        }
        let applied_text = crate::cli::format::go_json(&recorded, false);
        if server_side {
            let mut v = doc.value.clone();
            if kind.info().namespaced {
                v["metadata"]["namespace"] = Value::String(ons.clone());
            }
            let force = ctx.args.bool("force-conflicts");
            match ctx
                .world
                .store
                .apply(kind, &ons, &name, &v, &manager, force, &wopts, false)
            {
                Ok(_) => {
                    if manager == "kubectl" && !server_dry {
                        after_server_side_apply(ctx.world, kind, &ons, &name, &applied_text);
                    }
                    out.push_out(&format!("{prefix}/{name} serverside-applied{suffix}"))
                }
                Err(e) if e.reason == Reason::Conflict => {
                    out.extend(Output::error(format!("{}\n{SSA_CONFLICT_HELP}", e.message)))
                }
                Err(e) => out.extend(Output::err(e.kubectl_text())),
            }
            continue;
        }
        match exists {
            None => {
                let mut obj = obj;
                obj.meta_mut()
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(LAST_APPLIED.into(), format!("{applied_text}\n"));
                match ctx.world.store.create(obj, &wopts) {
                    Ok(_) => out.push_out(&format!("{prefix}/{name} created{suffix}")),
                    Err(e) => out.extend(Output::err(e.kubectl_text())),
                }
            }
            Some(current) => {
                let patch = three_way_patch(&current.to_json(), &applied, &applied_text);
                let before = current.to_json();
                match ctx.world.store.patch(
                    kind,
                    &ons,
                    &name,
                    &Patch::Strategic(patch),
                    &wopts,
                    false,
                ) {
                    Ok(after) => {
                        let word = if strip_rv(&after.to_json()) == strip_rv(&before) {
                            "unchanged"
                        } else {
                            "configured"
                        };
                        out.push_out(&format!("{prefix}/{name} {word}{suffix}"));
                    }
                    Err(e) => out.extend(Output::err(e.kubectl_text())),
                }
            }
        }
    }
    out
}

/// What kubectl does after a successful server-side apply with its own
/// manager (k8s.io/kubectl/pkg/cmd/apply/apply.go
/// `saveLastApplyAnnotationIfNecessary` and `migrateToSSAIfNecessary`,
/// `client-go/util/csaupgrade`): an object that carries a client-side
/// apply annotation gets it refreshed by the manager
/// `kubectl-last-applied`, and the fields of `kubectl-client-side-apply`
/// move into the `kubectl` apply entry.
fn after_server_side_apply(
    world: &mut crate::sim::World,
    kind: crate::objects::Kind,
    ns: &str,
    name: &str,
    applied_text: &str,
) {
    use crate::sim::store::managed;
    let Some(cur) = world.store.try_get(kind, ns, name).cloned() else {
        return;
    };
    let annotation = format!("{applied_text}\n");
    let old = cur
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED).cloned());
    if old.is_some_and(|o| o != annotation) {
        let info = kind.info();
        let mut cfg = serde_json::json!({
            "apiVersion": info.api_version(),
            "kind": info.kind,
            "metadata": {"name": name, "annotations": {LAST_APPLIED: annotation}},
        });
        if info.namespaced {
            cfg["metadata"]["namespace"] = Value::String(ns.to_string());
        }
        let _ = world.store.apply(
            kind,
            ns,
            name,
            &cfg,
            "kubectl-last-applied",
            true,
            &WriteOptions::default(),
            false,
        );
    }
    let Some(cur) = world.store.try_get(kind, ns, name).cloned() else {
        return;
    };
    let mut entries = managed::entries(cur.meta().managed_fields.as_ref());
    let csa: Vec<managed::Entry> = entries
        .iter()
        .filter(|e| e.manager == "kubectl-client-side-apply")
        .cloned()
        .collect();
    if csa.is_empty() {
        return;
    }
    entries.retain(|e| e.manager != "kubectl-client-side-apply");
    let fields: managed::FieldSet = csa.into_iter().flat_map(|e| e.set).collect();
    match entries
        .iter_mut()
        .find(|e| e.manager == "kubectl" && e.operation == "Apply" && e.subresource.is_none())
    {
        Some(ssa) => ssa.set.extend(fields),
        None => return,
    }
    let mut obj = (*cur).clone();
    obj.meta_mut().managed_fields = managed::to_meta(&entries);
    obj.meta_mut().resource_version = None;
    let _ = world.store.update(obj, &WriteOptions::default());
}

/// The patch client-side apply sends: the new configuration, plus `null`
/// for fields that the last applied configuration had and the new one
/// drops, plus the new annotation.
fn three_way_patch(current: &Value, applied: &Value, applied_text: &str) -> Value {
    let last: Option<Value> = current["metadata"]["annotations"][LAST_APPLIED]
        .as_str()
        .and_then(|s| serde_json::from_str(s).ok());
    let mut patch = applied.clone();
    if let Some(last) = &last {
        add_deletions(last, applied, &mut patch);
    }
    patch["metadata"]["annotations"][LAST_APPLIED] = Value::String(format!("{applied_text}\n"));
    patch
}

fn add_deletions(last: &Value, new: &Value, patch: &mut Value) {
    if let (Value::Object(l), Value::Object(n)) = (last, new) {
        for (k, lv) in l {
            match n.get(k) {
                None => {
                    patch[k] = Value::Null;
                }
                Some(nv) if lv.is_object() && nv.is_object() => {
                    add_deletions(lv, nv, &mut patch[k])
                }
                _ => {}
            }
        }
    }
}

fn strip_rv(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        m.remove("resourceVersion");
    }
    v
}

/// What kubectl adds to a server-side apply conflict
/// (k8s.io/kubectl/pkg/cmd/apply/apply.go, `applyOneObject`).
const SSA_CONFLICT_HELP: &str =
    "Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";
