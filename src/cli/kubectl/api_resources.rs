//! `kubectl api-resources`, `kubectl api-versions` and `kubectl get --raw`:
//! the discovery the HTTP API serves (`api::discovery`, so the REPL and a
//! real kubectl see the same resources), laid out as
//! `k8s.io/kubectl/pkg/cmd/apiresources/apiresources.go` prints it.

use super::Ctx;
use crate::api::discovery::{self, ApiResource};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::format::go_json;
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::Kind;
use crate::sim::store::ListOptions;
use serde_json::json;

pub const RESOURCES_FLAGS: &[FlagSpec] = &[
    flag("namespaced", None, false, "If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.").default("true"),
    flag("api-group", None, true, "Limit to resources in the specified API group."),
    flag("output", Some('o'), true, "Output format. One of: (wide, name)."),
    flag("no-headers", None, false, "When using the default or custom-column output format, don't print headers (default print headers)."),
    flag("sort-by", None, true, "If non-empty, sort list of resources using specified field. The field can be either 'name' or 'kind'."),
    flag("verbs", None, true, "Limit to resources that support the specified verbs.").default("[]"),
    flag("categories", None, true, "Limit to resources that belong to the specified categories.").default("[]"),
    flag("cached", None, false, "Use the cached list of resources if available."),
];

pub const VERSIONS_FLAGS: &[FlagSpec] = &[];

pub fn api_resources(ctx: &mut Ctx) -> Output {
    let wide = match ctx.args.get("output") {
        None | Some("") => false,
        Some("wide") => true,
        Some("name") => {
            let mut names: Vec<String> = sorted_resources(ctx)
                .iter()
                .map(|r| {
                    if r.group.is_empty() {
                        r.plural.to_string()
                    } else {
                        format!("{}.{}", r.plural, r.group)
                    }
                })
                .collect();
            names.dedup();
            return Output::ok(names.iter().map(|n| format!("{n}\n")).collect::<String>());
        }
        Some(o) => {
            return Output::error(format!(
                "--output {o} is not available; must be one of: wide, name"
            ))
        }
    };
    let resources = sorted_resources(ctx);
    let mut lines: Vec<Vec<String>> = Vec::new();
    if !ctx.args.bool("no-headers") {
        let mut h: Vec<String> = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        if wide {
            h.push("VERBS".into());
            h.push("CATEGORIES".into());
        }
        lines.push(h);
    }
    for r in &resources {
        let mut row = vec![
            r.plural.to_string(),
            r.short_names.join(","),
            gv(r.group, r.version),
            r.namespaced.to_string(),
            r.kind.to_string(),
        ];
        if wide {
            row.push(format!("[{}]", r.verbs.join(" ")));
            row.push(r.categories.join(","));
        }
        lines.push(row);
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

fn gv(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// The served resources the flags select, in kubectl's order (stable by
/// group, or by `--sort-by` name or kind).
fn sorted_resources(ctx: &Ctx) -> Vec<&'static ApiResource> {
    let group = ctx.args.get("api-group");
    let namespaced = ctx.args.get("namespaced").map(|v| v != "false");
    let wanted_verbs = ctx.args.all("verbs");
    let categories = ctx.args.all("categories");
    let mut out: Vec<&'static ApiResource> = discovery::resources()
        .iter()
        .filter(|r| group.is_none_or(|g| r.group == g))
        .filter(|r| namespaced.is_none_or(|n| r.namespaced == n))
        .filter(|r| {
            wanted_verbs
                .iter()
                .flat_map(|v| v.split(','))
                .all(|v| r.verbs.contains(&v))
        })
        .filter(|r| {
            categories
                .iter()
                .flat_map(|v| v.split(','))
                .all(|c| r.categories.contains(&c))
        })
        .collect();
    match ctx.args.get("sort-by") {
        Some("kind") => out.sort_by_key(|r| r.kind),
        Some("name") => out.sort_by_key(|r| r.plural),
        _ => out.sort_by_key(|r| (r.group, r.plural)),
    }
    out
}

pub fn api_versions(_ctx: &mut Ctx) -> Output {
    let mut v: Vec<String> = discovery::group_versions()
        .into_iter()
        .map(|(g, v)| gv(g, v))
        .collect();
    v.sort();
    v.dedup();
    Output::ok(v.iter().map(|s| format!("{s}\n")).collect::<String>())
}

/// `kubectl get --raw PATH`: what the apiserver answers on that path.
pub fn raw(ctx: &mut Ctx, path: &str) -> Output {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let not_found = || {
        Output::err(
            "Error from server (NotFound): the server could not find the requested resource",
        )
    };
    let body = match path.trim_end_matches('/') {
        "/healthz" | "/livez" | "/readyz" => return Output::ok("ok"),
        "/version" => super::version::server_version_json(),
        "/api" => discovery::api_versions("10.10.0.11:6443"),
        "/apis" => discovery::api_group_list(),
        p => {
            let parts: Vec<&str> = p.trim_start_matches('/').split('/').collect();
            if let ["apis", g] = parts.as_slice() {
                return match discovery::api_group_named(g) {
                    Some(v) => Output::ok(go_json(&v, false) + "\n"),
                    None => not_found(),
                };
            }
            let (group, version, rest) = match parts.as_slice() {
                ["api", v, rest @ ..] => ("", *v, rest),
                ["apis", g, v, rest @ ..] => (*g, *v, rest),
                _ => return not_found(),
            };
            let gv = if group.is_empty() {
                version.to_string()
            } else {
                format!("{group}/{version}")
            };
            if rest.is_empty() {
                match discovery::resource_list(group, version) {
                    Some(v) => v,
                    None => return not_found(),
                }
            } else {
                let (ns, rest) = match rest {
                    ["namespaces", ns, r @ ..] if !r.is_empty() => (Some(*ns), r),
                    r => (None, r),
                };
                let Some(kind) = Kind::from_group_plural(group, rest[0]) else {
                    return not_found();
                };
                match rest.get(1) {
                    Some(name) => match ctx.world.store.get(kind, ns.unwrap_or(""), name) {
                        Ok(o) => o.to_json(),
                        Err(e) => return Output::err(e.kubectl_text()),
                    },
                    None => {
                        let mut opts = ListOptions::default();
                        for kv in query.split('&').filter(|s| !s.is_empty()) {
                            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                            let v = v
                                .replace("%3D", "=")
                                .replace("%2C", ",")
                                .replace("%21", "!");
                            match k {
                                "labelSelector" => match Selector::parse(&v) {
                                    Ok(s) => opts.label_selector = s,
                                    Err(e) => {
                                        return Output::err(format!(
                                            "Error from server (BadRequest): {e}"
                                        ))
                                    }
                                },
                                "fieldSelector" => match FieldSelector::parse(&v) {
                                    Ok(s) => opts.field_selector = s,
                                    Err(e) => {
                                        return Output::err(format!(
                                            "Error from server (BadRequest): {e}"
                                        ))
                                    }
                                },
                                _ => {}
                            }
                        }
                        match ctx.world.store.list(kind, ns, &opts) {
                            Ok(l) => json!({
                                "kind": format!("{}List", kind.info().kind),
                                "apiVersion": gv,
                                "metadata": {"resourceVersion": l.resource_version.to_string()},
                                "items": l.items.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
                            }),
                            Err(e) => return Output::err(e.kubectl_text()),
                        }
                    }
                }
            }
        }
    };
    let mut s = go_json(&body, false);
    s.push('\n');
    Output::ok(s)
}
