//! `kubectl edit (TYPE NAME | TYPE/NAME)`: the object's YAML in `$EDITOR`
//! (`KUBE_EDITOR`, then `EDITOR`, then `vi`), written back with a PUT
//! (`k8s.io/kubectl/pkg/cmd/util/editor`). Needs a terminal: scripts get
//! an error that names the alternatives.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::manifest;
use crate::sim::store::WriteOptions;

pub const FLAGS: &[FlagSpec] = &[
    flag("filename", Some('f'), true, "Filename, directory, or URL to files to use to edit the resource").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("save-config", None, false, "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    flag("validate", None, true, "Must be one of: strict (or true), warn, ignore (or false).").default("'strict'").noopt("strict"),
    flag("windows-line-endings", None, false, "Defaults to the line ending native to your platform."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-edit'"),
    flag("subresource", None, true, "If specified, edit will operate on the subresource of the requested object. Must be one of [status]."),
];

pub fn edit(ctx: &mut Ctx) -> Output {
    if ctx.args.positional.is_empty() && ctx.args.get("filename").is_none() {
        return Output::err("error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let targets = match super::targets(ctx, &ctx.args.positional.clone()) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    if !ctx.term.interactive {
        return Output::error("kubesim edits only in the interactive shell (kubectl patch, kubectl apply or kubectl replace do the same in scripts)");
    }
    let editor = ctx
        .state
        .vars
        .get("KUBE_EDITOR")
        .or_else(|| ctx.state.vars.get("EDITOR"))
        .cloned()
        .or_else(|| std::env::var("KUBE_EDITOR").ok())
        .or_else(|| std::env::var("EDITOR").ok())
        .unwrap_or_else(|| "vi".into());
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        let obj = match ctx.world.store.get(kind, &ns, &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        let original = format!(
            "# Please edit the object below. Lines beginning with a '#' will be ignored,\n# and an empty file will abort the edit. If an error occurs while saving this file will be\n# reopened with the relevant failures.\n#\n{}",
            super::yaml_text(&obj.to_json())
        );
        let path =
            std::env::temp_dir().join(format!("kubectl-edit-{name}-{}.yaml", std::process::id()));
        if std::fs::write(&path, &original).is_err() {
            out.extend(Output::error(
                "cannot write a temporary file for the editor",
            ));
            continue;
        }
        let mut parts = editor.split_whitespace();
        let prog = parts.next().unwrap_or("vi").to_string();
        let status = std::process::Command::new(&prog)
            .args(parts)
            .arg(&path)
            .status();
        let edited = std::fs::read_to_string(&path).unwrap_or_default();
        let _ = std::fs::remove_file(&path);
        if status.is_err() {
            out.extend(Output::error(format!(
                "unable to launch the editor \"{editor}\""
            )));
            continue;
        }
        let stripped: String = edited
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| format!("{l}\n"))
            .collect();
        if stripped.trim().is_empty() {
            out.push_err("Edit cancelled, no changes made.");
            continue;
        }
        if edited == original {
            out.push_err("Edit cancelled, no changes made.");
            continue;
        }
        let value = match manifest::parse_documents(&stripped) {
            Ok(mut d) if d.len() == 1 => d.remove(0),
            Ok(_) => {
                out.extend(Output::error(
                    "the edited file must contain exactly one object",
                ));
                continue;
            }
            Err(e) => {
                out.extend(Output::error(e.to_string()));
                continue;
            }
        };
        let new = match manifest::decode_as(kind, value, true) {
            Ok(o) => o,
            Err(e) => {
                out.extend(Output::error(e.to_string()));
                continue;
            }
        };
        match ctx.world.store.update(
            new,
            &WriteOptions {
                dry_run: false,
                field_manager: Some("kubectl-edit".into()),
            },
        ) {
            Ok(o) => out.extend(ctx.print_object(&o, "edited", super::DryRun::None)),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}
