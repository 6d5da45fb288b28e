//! `kubectl auth can-i` and `kubectl auth whoami`. The session is
//! kubeadm's admin (`kubernetes-admin`, group `kubeadm:cluster-admins`,
//! bound to cluster-admin), so it may do everything; `--as` and
//! `--as-group` are checked against the RBAC objects in the store, as the
//! RBAC authorizer does (`plugin/pkg/auth/authorizer/rbac/rbac.go`).

use super::{Command, Ctx};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use k8s_openapi::api::rbac::v1::{PolicyRule, Subject};

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
struct Subj {
    user: String,
    groups: Vec<String>,
}

fn subject(ctx: &Ctx) -> Subj {
    match ctx.args.get("as") {
        None => Subj {
            user: "kubernetes-admin".into(),
            groups: vec![
                "kubeadm:cluster-admins".into(),
                "system:authenticated".into(),
            ],
        },
        Some(u) => {
            let mut groups = ctx.args.all("as-group");
            if let Some(rest) = u.strip_prefix("system:serviceaccount:") {
                let ns = rest.split(':').next().unwrap_or("");
                groups.push("system:serviceaccounts".into());
                groups.push(format!("system:serviceaccounts:{ns}"));
            }
            groups.push("system:authenticated".into());
            Subj {
                user: u.to_string(),
                groups,
            }
        }
    }
}

fn subject_matches(s: &Subject, who: &Subj, binding_ns: &str) -> bool {
    match s.kind.as_str() {
        "User" => s.name == who.user,
        "Group" => who.groups.contains(&s.name),
        "ServiceAccount" => {
            let ns = s.namespace.as_deref().unwrap_or(binding_ns);
            who.user == format!("system:serviceaccount:{ns}:{}", s.name)
        }
        _ => false,
    }
}

fn rule_allows(
    r: &PolicyRule,
    verb: &str,
    group: &str,
    resource: &str,
    sub: &str,
    name: &str,
) -> bool {
    let any = |v: &Option<Vec<String>>, x: &str| {
        v.as_ref()
            .is_some_and(|l| l.iter().any(|i| i == "*" || i == x))
    };
    let res = if sub.is_empty() {
        resource.to_string()
    } else {
        format!("{resource}/{sub}")
    };
    r.verbs.iter().any(|v| v == "*" || v == verb)
        && any(&r.api_groups, group)
        && (any(&r.resources, &res)
            || r.resources.as_ref().is_some_and(|l| {
                l.iter()
                    .any(|i| i == &format!("{resource}/*") || i == &format!("*/{sub}"))
            }))
        && r.resource_names
            .as_ref()
            .is_none_or(|n| n.is_empty() || name.is_empty() || n.iter().any(|x| x == name))
}

/// What is asked: a verb on a resource (and subresource, and name).
#[derive(Clone, Copy)]
struct Request<'a> {
    verb: &'a str,
    group: &'a str,
    resource: &'a str,
    sub: &'a str,
    name: &'a str,
}

/// Does RBAC allow it? The admin's group is bound to cluster-admin.
fn allowed(ctx: &Ctx, who: &Subj, req: Request, ns: Option<&str>) -> bool {
    let Request {
        verb,
        group,
        resource,
        sub,
        name,
    } = req;
    if who
        .groups
        .iter()
        .any(|g| g == "system:masters" || g == "kubeadm:cluster-admins")
    {
        return true;
    }
    let store = &ctx.world.store;
    let rules_of = |kind: &str, name: &str, ns: &str| -> Vec<PolicyRule> {
        match kind {
            "ClusterRole" => store
                .try_get(Kind::ClusterRole, "", name)
                .and_then(|o| match &**o {
                    Object::ClusterRole(r) => r.rules.clone(),
                    _ => None,
                }),
            _ => store
                .try_get(Kind::Role, ns, name)
                .and_then(|o| match &**o {
                    Object::Role(r) => r.rules.clone(),
                    _ => None,
                }),
        }
        .unwrap_or_default()
    };
    for o in store.iter(Kind::ClusterRoleBinding, None) {
        let Object::ClusterRoleBinding(b) = &**o else {
            continue;
        };
        if b.subjects
            .iter()
            .flatten()
            .any(|s| subject_matches(s, who, ""))
            && rules_of(&b.role_ref.kind, &b.role_ref.name, "")
                .iter()
                .any(|r| rule_allows(r, verb, group, resource, sub, name))
        {
            return true;
        }
    }
    if let Some(ns) = ns {
        for o in store.iter(Kind::RoleBinding, Some(ns)) {
            let Object::RoleBinding(b) = &**o else {
                continue;
            };
            if b.subjects
                .iter()
                .flatten()
                .any(|s| subject_matches(s, who, ns))
                && rules_of(&b.role_ref.kind, &b.role_ref.name, ns)
                    .iter()
                    .any(|r| rule_allows(r, verb, group, resource, sub, name))
            {
                return true;
            }
        }
    }
    false
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
    let (yes, ns_for) = if target.starts_with('/') {
        (
            who.groups
                .iter()
                .any(|g| g == "kubeadm:cluster-admins" || g == "system:masters"),
            None,
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
        let scope = if ctx.all_namespaces() || !namespaced {
            None
        } else {
            Some(ns.as_str())
        };
        (
            allowed(
                ctx,
                &who,
                Request {
                    verb,
                    group: &group,
                    resource: &plural,
                    sub: &sub,
                    name: &name,
                },
                scope,
            ),
            scope,
        )
    };
    let _ = ns_for;
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

fn list(ctx: &Ctx, who: &Subj) -> Output {
    let mut lines = Vec::new();
    if !ctx.args.bool("no-headers") {
        lines.push(vec![
            "Resources".to_string(),
            "Non-Resource URLs".into(),
            "Resource Names".into(),
            "Verbs".into(),
        ]);
    }
    if who
        .groups
        .iter()
        .any(|g| g == "kubeadm:cluster-admins" || g == "system:masters")
    {
        lines.push(vec![
            "*.*".to_string(),
            "[]".into(),
            "[]".into(),
            "[*]".into(),
        ]);
        lines.push(vec![String::new(), "[*]".into(), "[]".into(), "[*]".into()]);
    }
    for (r, v) in [
        ("selfsubjectreviews.authentication.k8s.io", "[create]"),
        ("selfsubjectaccessreviews.authorization.k8s.io", "[create]"),
        ("selfsubjectrulesreviews.authorization.k8s.io", "[create]"),
    ] {
        lines.push(vec![r.to_string(), "[]".into(), "[]".into(), v.into()]);
    }
    for (u, v) in [
        ("/api/*", "[get]"),
        ("/api", "[get]"),
        ("/apis/*", "[get]"),
        ("/apis", "[get]"),
        ("/healthz", "[get]"),
        ("/livez", "[get]"),
        ("/openapi/*", "[get]"),
        ("/openapi", "[get]"),
        ("/readyz", "[get]"),
        ("/version/", "[get]"),
        ("/version", "[get]"),
    ] {
        lines.push(vec![String::new(), format!("[{u}]"), "[]".into(), v.into()]);
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}

fn whoami(ctx: &mut Ctx) -> Output {
    let who = subject(ctx);
    match ctx.args.get("output") {
        Some(o @ ("json" | "yaml")) => {
            let v = serde_json::json!({
                "kind": "SelfSubjectReview",
                "apiVersion": "authentication.k8s.io/v1",
                "metadata": {"creationTimestamp": ctx.world.store.timestamp_secs()},
                "status": {"userInfo": {"username": who.user, "groups": who.groups}},
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
                vec!["Username".to_string(), who.user.clone()],
                vec!["Groups".to_string(), format!("[{}]", who.groups.join(" "))],
            ];
            Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
        }
        Some(o) => Output::error(format!("unable to match a printer suitable for the output format \"{o}\", allowed formats are: json,yaml")),
    }
}
