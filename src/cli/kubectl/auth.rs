//! `kubectl auth can-i` and `kubectl auth whoami`. The session is
//! kubeadm's admin (`kubernetes-admin`, group `kubeadm:cluster-admins`,
//! bound to cluster-admin), so it may do everything; `--as` and
//! `--as-group` are checked against the RBAC objects in the store, as the
//! RBAC authorizer does (`plugin/pkg/auth/authorizer/rbac/rbac.go`).

use super::{Command, Ctx};
use crate::auth::{self, Attributes, UserInfo};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::Kind;
use k8s_openapi::api::rbac::v1::PolicyRule;

const CAN_I_FLAGS: &[FlagSpec] = &[
    flag(
        "all-namespaces",
        Some('A'),
        false,
        "If true, check the specified action in all namespaces.",
    ),
    flag(
        "quiet",
        Some('q'),
        false,
        "If true, suppress output and just return the exit code.",
    ),
    flag(
        "subresource",
        None,
        true,
        "SubResource such as pod/log or deployment/scale",
    ),
    flag("list", None, false, "If true, prints all allowed actions."),
    flag(
        "no-headers",
        None,
        false,
        "If true, prints allowed actions without headers",
    ),
];
const WHOAMI_FLAGS: &[FlagSpec] = &[flag(
    "output",
    Some('o'),
    true,
    "Output format. One of: (json, yaml).",
)];

pub const SUBCOMMANDS: &[Command] = &[
    Command::new(
        "can-i",
        "Check whether an action is allowed",
        "kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL] [options]",
        CAN_I_FLAGS,
        can_i,
    ),
    Command::new(
        "whoami",
        "Experimental: Check self subject attributes",
        "kubectl auth whoami [options]",
        WHOAMI_FLAGS,
        whoami,
    ),
];

const KNOWN_VERBS: &[&str] = &[
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
    "use",
    "bind",
    "impersonate",
    "*",
    "approve",
    "sign",
    "escalate",
    "attest",
];

/// Who the request is made as: kubeadm's admin unless `--as` is given.
fn subject(ctx: &Ctx) -> UserInfo {
    match ctx.args.get("as") {
        None => UserInfo::admin(),
        Some(u) => UserInfo::named(u, ctx.args.all("as-group")),
    }
}

/// Does RBAC allow it? The same authorizer as the HTTP API's.
fn allowed(ctx: &Ctx, who: &UserInfo, attrs: &Attributes) -> bool {
    auth::authorize(&ctx.world.store, who, attrs).allowed
}

fn can_i(ctx: &mut Ctx) -> Output {
    let who = subject(ctx);
    if ctx.args.bool("list") {
        return list(ctx, &who);
    }
    let pos = ctx.args.positional.clone();
    if pos.len() < 2 {
        return ctx.usage_error(
            "you must specify two arguments: verb resource or verb resource/resourceName.",
        );
    }
    let verb = pos[0].as_str();
    let mut out = Output::default();
    if !KNOWN_VERBS.contains(&verb) {
        out.push_err(&format!("Warning: verb '{verb}' is not a known verb"));
    }
    let target = pos[1].as_str();
    let quiet = ctx.args.bool("quiet");
    let ns = ctx.namespace();
    let yes = if target.starts_with('/') {
        allowed(
            ctx,
            &who,
            &Attributes {
                verb: verb.to_string(),
                path: target.to_string(),
                ..Default::default()
            },
        )
    } else {
        let (res_word, name) = match target.split_once('/') {
            Some((r, n)) => (
                r.to_string(),
                pos.get(2).cloned().unwrap_or_else(|| n.to_string()),
            ),
            None => (target.to_string(), pos.get(2).cloned().unwrap_or_default()),
        };
        let (res_word, sub) = match res_word.split_once('/') {
            Some((r, s)) => (r.to_string(), s.to_string()),
            None => (
                res_word,
                ctx.args.get("subresource").unwrap_or("").to_string(),
            ),
        };
        let (group, plural, namespaced) = match Kind::from_resource_name(&res_word) {
            Some(k) => (
                k.info().group.to_string(),
                k.info().plural.to_string(),
                k.info().namespaced,
            ),
            None if res_word == "*" => (String::from("*"), "*".to_string(), true),
            None => {
                out.push_err(&format!(
                    "Warning: the server doesn't have a resource type '{res_word}'"
                ));
                let (r, g) = res_word.split_once('.').unwrap_or((&res_word, ""));
                (g.to_string(), r.to_string(), true)
            }
        };
        if !namespaced && !ctx.all_namespaces() {
            out.push_err(&format!(
                "Warning: resource '{plural}' is not namespace scoped"
            ));
        }
        let namespace = if ctx.all_namespaces() || !namespaced {
            String::new()
        } else {
            ns.clone()
        };
        allowed(
            ctx,
            &who,
            &Attributes {
                verb: verb.to_string(),
                group,
                resource: plural,
                subresource: sub,
                namespace,
                name,
                path: String::new(),
            },
        )
    };
    // Warnings reach the terminal before the answer.
    if !quiet {
        ctx.flush(&mut out);
    }
    if quiet {
        out.stderr.clear();
    } else {
        out.stdout.push_str(if yes { "yes\n" } else { "no\n" });
    }
    out.code = if yes { 0 } else { 1 };
    out
}

/// `kubectl auth can-i --list`: the user's rules in the namespace, broken
/// down, compacted and sorted as kubectl does
/// (`staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go`, `printStatus`, and
/// `pkg/util/rbac/rbac.go`).
fn list(ctx: &Ctx, who: &UserInfo) -> Output {
    let ns = ctx.namespace();
    let rules = auth::rules_for(&ctx.world.store, who, &ns);
    let mut lines = Vec::new();
    if !ctx.args.bool("no-headers") {
        lines.push(vec![
            "Resources".to_string(),
            "Non-Resource URLs".into(),
            "Resource Names".into(),
            "Verbs".into(),
        ]);
    }
    for r in access_list(&rules) {
        let list =
            |v: &Option<Vec<String>>| format!("[{}]", v.clone().unwrap_or_default().join(" "));
        lines.push(vec![
            combine_resource_group(&r),
            list(&r.non_resource_urls),
            list(&r.resource_names),
            format!("[{}]", r.verbs.join(" ")),
        ]);
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

/// The rules kubectl prints: each broken down to one group, resource, verb
/// and name (`BreakdownRule`), simple ones merged back by verb
/// (`CompactRules`), sorted by their Go `String()` form (`SortableRuleSlice`),
/// which puts the verbs first.
fn access_list(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let one = |s: &str| Some(vec![s.to_string()]);
    let mut broken = Vec::new();
    for r in rules {
        for g in r.api_groups.iter().flatten() {
            for res in r.resources.iter().flatten() {
                for v in &r.verbs {
                    let names = r.resource_names.clone().unwrap_or_default();
                    let names: Vec<Option<Vec<String>>> = if names.is_empty() {
                        vec![None]
                    } else {
                        names.iter().map(|n| one(n)).collect()
                    };
                    for n in names {
                        broken.push(PolicyRule {
                            api_groups: one(g),
                            resources: one(res),
                            verbs: vec![v.clone()],
                            resource_names: n,
                            ..Default::default()
                        });
                    }
                }
            }
        }
        for u in r.non_resource_urls.iter().flatten() {
            for v in &r.verbs {
                broken.push(PolicyRule {
                    non_resource_urls: one(u),
                    verbs: vec![v.clone()],
                    ..Default::default()
                });
            }
        }
    }
    let mut compacted: Vec<PolicyRule> = Vec::new();
    let mut simple: Vec<PolicyRule> = Vec::new();
    for r in broken {
        if r.non_resource_urls.is_some() {
            compacted.push(r);
            continue;
        }
        match simple.iter_mut().find(|s| {
            s.api_groups == r.api_groups
                && s.resources == r.resources
                && s.resource_names == r.resource_names
        }) {
            Some(existing) => existing.verbs.extend(r.verbs),
            None => simple.push(r),
        }
    }
    compacted.extend(simple);
    compacted.sort_by_cached_key(go_string);
    compacted
}

/// `rbacv1.PolicyRule.String()`, the key kubectl sorts rules by.
fn go_string(r: &PolicyRule) -> String {
    let l = |v: &Option<Vec<String>>| v.clone().unwrap_or_default().join(" ");
    format!(
        "&PolicyRule{{Verbs:[{}],APIGroups:[{}],Resources:[{}],ResourceNames:[{}],NonResourceURLs:[{}],}}",
        r.verbs.join(" "),
        l(&r.api_groups),
        l(&r.resources),
        l(&r.resource_names),
        l(&r.non_resource_urls)
    )
}

/// `CombineResourceGroup`: `deployments.apps`, `pods/log`, `*.*`.
fn combine_resource_group(r: &PolicyRule) -> String {
    let Some(resource) = r.resources.as_ref().and_then(|v| v.first()) else {
        return String::new();
    };
    let (base, sub) = match resource.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (resource.as_str(), None),
    };
    let mut out = base.to_string();
    if let Some(g) = r.api_groups.as_ref().and_then(|v| v.first()) {
        if !g.is_empty() {
            out = format!("{out}.{g}");
        }
    }
    if let Some(s) = sub {
        out = format!("{out}/{s}");
    }
    out
}

fn whoami(ctx: &mut Ctx) -> Output {
    let who = subject(ctx);
    match ctx.args.get("output") {
        Some(o @ ("json" | "yaml")) => {
            let v = serde_json::json!({
                "kind": "SelfSubjectReview",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"creationTimestamp": ctx.world.store.timestamp_secs()},
                "status": {"userInfo": {"username": who.name, "groups": who.groups}},
            });
            if o == "json" {
                Output::ok(crate::cli::format::go_json(&v, true))
            } else {
                Output::ok(crate::cli::format::yaml::to_yaml(&v))
            }
        }
        None | Some("") => {
            let lines = vec![
                vec!["ATTRIBUTE".to_string(), "VALUE".into()],
                vec!["Username".to_string(), who.name.clone()],
                vec!["Groups".to_string(), format!("[{}]", who.groups.join(" "))],
            ];
            Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
        }
        Some(o) => Output::error(format!("unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,yaml")),
    }
}
