//! `kubectl replace -f FILE [--force]` (`k8s.io/kubectl/pkg/cmd/replace/
//! replace.go`): a PUT per object (`replaced`); `--force` deletes and
//! creates again.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::manifest;
use crate::sim::store::{DeleteOptions, WriteOptions};

pub const FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true, "The files that contain the configurations to replace.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("force", None, false, "If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation."),
    flag("grace-period", None, true, "Period of time in seconds given to the resource to terminate gracefully. Ignored if negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true (force deletion).").default("-1"),
    flag("cascade", None, true, "Must be \"background\", \"orphan\", or \"foreground\". Selects the deletion cascading strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults to background.").default("'background'").noopt("background"),
    flag("wait", None, false, "If true, wait for resources to be gone before returning. This waits for finalizers."),
    flag("timeout", None, true, "The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object").default("0s"),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("save-config", None, false, "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    flag("validate", None, true, "Must be one of: strict (or true), warn, ignore (or false).").default("'strict'").noopt("strict"),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-replace'"),
    flag("subresource", None, true, "If specified, replace will operate on the subresource of the requested object. Must be one of [status scale]."),
];

pub fn replace(ctx: &mut Ctx) -> Output {
    let Some(file) = ctx.args.get("filename").map(str::to_string) else {
        return Output::err("error: must specify --filename to replace\nSee 'kubectl replace -h' for help and examples");
    };
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let docs = match super::apply::read_docs(ctx, &file) {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let ns = ctx.namespace();
    let force = ctx.args.bool("force");
    let mut out = Output::default();
    for doc in docs {
        let mut obj = match manifest::decode_object(doc.value.clone(), true) {
            Ok(o) => o,
            Err(e) => {
                out.extend(Output::err(format!("error: {e}")));
                continue;
            }
        };
        let kind = obj.kind();
        if kind.info().namespaced && obj.meta().namespace.is_none() {
            obj.meta_mut().namespace = Some(ns.clone());
        }
        let name = obj.meta().name.clone().unwrap_or_default();
        let ons = obj.meta().namespace.clone().unwrap_or_default();
        if dry == DryRun::Client {
            out.extend(ctx.print_object(&obj, "replaced", dry));
            continue;
        }
        let wopts = WriteOptions {
            dry_run: dry == DryRun::Server,
            field_manager: Some("kubectl-replace".into()),
        };
        if force {
            match ctx.world.store.delete(
                kind,
                &ons,
                &name,
                &DeleteOptions {
                    grace_period_seconds: Some(0),
                    ..Default::default()
                },
            ) {
                Ok(_) => out.push_out(&format!("{} \"{name}\" deleted", kind.info().kind_prefix())),
                Err(e) if e.reason == crate::sim::store::Reason::NotFound => {}
                Err(e) => {
                    out.extend(Output::err(e.kubectl_text()));
                    continue;
                }
            }
            ctx.world.settle();
            obj.meta_mut().resource_version = None;
            match ctx.world.store.create(obj, &wopts) {
                Ok(o) => out.extend(ctx.print_object(&o, "replaced", dry)),
                Err(e) => out.extend(Output::err(e.kubectl_text())),
            }
            continue;
        }
        if ctx.world.store.try_get(kind, &ons, &name).is_none() {
            out.extend(Output::err(format!(
                "Error from server (NotFound): error when replacing \"{}\": {} \"{name}\" not found",
                doc.source,
                kind.info().group_resource()
            )));
            continue;
        }
        match ctx.world.store.update(obj, &wopts) {
            Ok(o) => out.extend(ctx.print_object(&o, "replaced", dry)),
            Err(e) => {
                let text = e.kubectl_text();
                let text = if e.reason == crate::sim::store::Reason::Invalid {
                    text
                } else {
                    text.replacen(
                        "): ",
                        &format!("): error when replacing \"{}\": ", doc.source),
                        1,
                    )
                };
                out.extend(Output::err(text));
            }
        }
    }
    out
}
