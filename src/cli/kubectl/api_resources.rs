//! `kubectl api-resources`, `kubectl api-versions` and `kubectl get --raw`:
//! discovery, from the kinds kubesim serves (`Kind::ALL`), laid out as
//! `k8s.io/kubectl/pkg/cmd/apiresources/apiresources.go` prints it.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::format::go_json;
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::Kind;
use crate::sim::store::ListOptions;
use serde_json::{json, Value};

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

/// The verbs discovery lists for a resource.
pub fn verbs(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Event | Kind::ControllerRevision => &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
        Kind::Namespace => &[
            "create", "delete", "get", "list", "patch", "update", "watch",
        ],
        _ => &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ],
    }
}

fn subresource_verbs(sub: &str) -> &'static [&'static str] {
    match sub {
        "log" | "proxy" => &["get"],
        "exec" | "attach" | "portforward" => &["create", "get"],
        "eviction" | "binding" | "token" => &["create"],
        "finalize" => &["update"],
        _ => &["get", "patch", "update"],
    }
}

pub fn api_resources(ctx: &mut Ctx) -> Output {
    let wide = match ctx.args.get("output") {
        None | Some("") => false,
        Some("wide") => true,
        Some("name") => {
            let mut names: Vec<String> = sorted_kinds(ctx)
                .iter()
                .map(|k| k.info().group_resource())
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
    let kinds = sorted_kinds(ctx);
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
    for k in &kinds {
        let i = k.info();
        let mut row = vec![
            i.plural.to_string(),
            i.short_names.join(","),
            i.api_version(),
            i.namespaced.to_string(),
            i.kind.to_string(),
        ];
        if wide {
            row.push(format!("[{}]", verbs(*k).join(" ")));
            row.push(i.categories.join(","));
        }
        lines.push(row);
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

fn sorted_kinds(ctx: &Ctx) -> Vec<Kind> {
    let group = ctx.args.get("api-group");
    let namespaced = ctx.args.get("namespaced").map(|v| v != "false");
    let wanted_verbs = ctx.args.all("verbs");
    let categories = ctx.args.all("categories");
    let mut kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| group.is_none_or(|g| k.info().group == g))
        .filter(|k| namespaced.is_none_or(|n| k.info().namespaced == n))
        .filter(|k| {
            wanted_verbs
                .iter()
                .flat_map(|v| v.split(','))
                .all(|v| verbs(*k).contains(&v))
        })
        .filter(|k| {
            categories
                .iter()
                .flat_map(|v| v.split(','))
                .all(|c| k.info().in_category(c))
        })
        .collect();
    match ctx.args.get("sort-by") {
        Some("kind") => kinds.sort_by_key(|k| k.info().kind),
        Some("name") => kinds.sort_by_key(|k| k.info().plural),
        _ => kinds.sort_by_key(|k| (k.info().group, k.info().plural)),
    }
    kinds
}

pub fn api_versions(_ctx: &mut Ctx) -> Output {
    let mut v: Vec<String> = Kind::ALL.iter().map(|k| k.info().api_version()).collect();
    v.sort();
    v.dedup();
    Output::ok(v.iter().map(|s| format!("{s}\n")).collect::<String>())
}

/// The APIResourceList of one group-version (`GET /api/v1`).
pub fn resource_list(api_version: &str) -> Option<Value> {
    let kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| k.info().api_version() == api_version)
        .collect();
    if kinds.is_empty() {
        return None;
    }
    let mut resources = Vec::new();
    for k in kinds {
        let i = k.info();
        let mut r = json!({
            "name": i.plural,
            "singularName": i.singular,
            "namespaced": i.namespaced,
            "kind": i.kind,
            "verbs": verbs(k),
        });
        if !i.short_names.is_empty() {
            r["shortNames"] = json!(i.short_names);
        }
        if !i.categories.is_empty() {
            r["categories"] = json!(i.categories);
        }
        resources.push(r);
        for sub in i.subresources {
            resources.push(json!({
                "name": format!("{}/{sub}", i.plural),
                "singularName": "",
                "namespaced": i.namespaced,
                "kind": if *sub == "scale" { "Scale" } else if *sub == "eviction" { "Eviction" } else { i.kind },
                "verbs": subresource_verbs(sub),
            }));
        }
    }
    resources.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": api_version,
        "resources": resources,
    }))
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
        "/api" => json!({
            "kind": "APIVersions",
            "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.10.0.11:6443"}],
        }),
        "/apis" => {
            let mut groups: Vec<&str> = Kind::ALL
                .iter()
                .map(|k| k.info().group)
                .filter(|g| !g.is_empty())
                .collect();
            groups.dedup();
            let mut seen = Vec::new();
            for g in groups {
                if !seen.contains(&g) {
                    seen.push(g);
                }
            }
            json!({
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": seen.iter().map(|g| {
                    let v = Kind::ALL.iter().find(|k| k.info().group == *g).map(|k| k.info().version).unwrap_or("v1");
                    let gv = format!("{g}/{v}");
                    json!({"name": g, "versions": [{"groupVersion": gv, "version": v}], "preferredVersion": {"groupVersion": gv, "version": v}})
                }).collect::<Vec<_>>(),
            })
        }
        p => {
            let parts: Vec<&str> = p.trim_start_matches('/').split('/').collect();
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
                match resource_list(&gv) {
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
