//! `kubectl cordon` / `uncordon`: `spec.unschedulable` on nodes, by name or
//! `-l` (`k8s.io/kubectl/pkg/cmd/drain/drain.go`, `RunCordonOrUncordon`).

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::{Patch, WriteOptions};

pub const FLAGS: &[FlagSpec] = &[
    flag("selector", Some('l'), true, "Selector (label query) to filter on"),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
];

pub fn cordon(ctx: &mut Ctx) -> Output {
    set_unschedulable(ctx, true)
}

pub fn uncordon(ctx: &mut Ctx) -> Output {
    set_unschedulable(ctx, false)
}

/// The nodes named by the arguments or `-l`, all fetched before any is
/// changed (drain.go's `Complete` collects the node infos first, so one
/// missing node stops the command).
pub fn nodes(ctx: &Ctx) -> Result<Vec<String>, Output> {
    let selector = ctx.args.get("selector").filter(|s| !s.is_empty());
    if ctx.args.positional.is_empty() && selector.is_none() {
        return Err(ctx.usage_error(format!("USAGE: {} NODE [flags]", ctx.path)));
    }
    if !ctx.args.positional.is_empty() && selector.is_some() {
        return Err(
            ctx.usage_error("error: cannot specify both a node name and a --selector option")
        );
    }
    if let Some(sel) = selector {
        let s = Selector::parse(sel).map_err(Output::error)?;
        let v: Vec<String> = ctx
            .world
            .store
            .iter(Kind::Node, None)
            .filter(|o| s.matches_opt(o.meta().labels.as_ref()))
            .filter_map(|o| o.meta().name.clone())
            .collect();
        if v.is_empty() {
            return Err(Output::err("No resources found").with_code(0));
        }
        return Ok(v);
    }
    let mut v = Vec::new();
    for name in &ctx.args.positional {
        let name = name
            .strip_prefix("node/")
            .or_else(|| name.strip_prefix("nodes/"))
            .unwrap_or(name)
            .to_string();
        ctx.world
            .store
            .get(Kind::Node, "", &name)
            .map_err(|e| Output::err(e.kubectl_text()))?;
        v.push(name);
    }
    Ok(v)
}

/// Sets `spec.unschedulable` on one node; returns kubectl's line.
pub fn set_one(ctx: &mut Ctx, name: &str, on: bool, dry: DryRun) -> Result<String, Output> {
    let cur = ctx
        .world
        .store
        .get(Kind::Node, "", name)
        .map_err(|e| Output::err(e.kubectl_text()))?
        .clone();
    let Object::Node(n) = &*cur else {
        unreachable!("node table holds nodes")
    };
    let already = n
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
        == on;
    let word = if on { "cordoned" } else { "uncordoned" };
    if already {
        return Ok(format!("node/{name} already {word}"));
    }
    if dry != DryRun::Client {
        // kubectl sends a strategic merge patch {"spec":{"unschedulable":true}}
        // (or null to uncordon).
        let v = if on {
            serde_json::json!(true)
        } else {
            serde_json::Value::Null
        };
        ctx.world
            .store
            .patch(
                Kind::Node,
                "",
                name,
                &Patch::Strategic(serde_json::json!({"spec": {"unschedulable": v}})),
                &WriteOptions {
                    dry_run: dry == DryRun::Server,
                    field_manager: Some("kubectl-cordon".into()),
                },
                false,
            )
            .map_err(|e| Output::err(e.kubectl_text()))?;
    }
    Ok(format!("node/{name} {word}{}", dry.suffix()))
}

fn set_unschedulable(ctx: &mut Ctx, on: bool) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let names = match nodes(ctx) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let mut out = Output::default();
    for n in names {
        match set_one(ctx, &n, on, dry) {
            Ok(line) => out.push_out(&line),
            Err(e) => out.extend(e),
        }
    }
    out
}
