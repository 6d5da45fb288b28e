//! `kubectl create serviceaccount|role|clusterrole|rolebinding|
//! clusterrolebinding|token` (`create_serviceaccount.go`, `create_role.go`,
//! `create_clusterrole.go`, `create_rolebinding.go`,
//! `create_clusterrolebinding.go`, `create_token.go`).

use super::{create_flags, enforced_namespace, finish, name_arg};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::kubectl::Ctx;
use crate::cli::output::Output;
use crate::cli::shell::builtins::base64_encode;
use crate::objects::{Kind, Object};
use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

pub const SERVICEACCOUNT_FLAGS: &[FlagSpec] = create_flags!();
pub const ROLE_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "verb",
        None,
        true,
        "Verb that applies to the resources contained in the rule"
    )
    .default("[]"),
    flag("resource", None, true, "Resource that the rule applies to").default("[]"),
    flag(
        "resource-name",
        None,
        true,
        "Resource in the white list that the rule applies to, repeat this flag for multiple items"
    )
    .default("[]"),
);
pub const CLUSTERROLE_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "verb",
        None,
        true,
        "Verb that applies to the resources contained in the rule"
    )
    .default("[]"),
    flag("resource", None, true, "Resource that the rule applies to").default("[]"),
    flag(
        "resource-name",
        None,
        true,
        "Resource in the white list that the rule applies to, repeat this flag for multiple items"
    )
    .default("[]"),
    flag(
        "non-resource-url",
        None,
        true,
        "A partial url that user should have access to."
    )
    .default("[]"),
    flag(
        "aggregation-rule",
        None,
        true,
        "An aggregation label selector for combining ClusterRoles."
    )
    .default("[]"),
);
pub const ROLEBINDING_FLAGS: &[FlagSpec] = create_flags!(
    flag("role", None, true, "Role this RoleBinding should reference"),
    flag("clusterrole", None, true, "ClusterRole this RoleBinding should reference"),
    flag("group", None, true, "Groups to bind to the role. The flag can be repeated to add multiple groups.").default("[]"),
    flag("serviceaccount", None, true, "Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.").default("[]"),
);
pub const CLUSTERROLEBINDING_FLAGS: &[FlagSpec] = create_flags!(
    flag("clusterrole", None, true, "ClusterRole this ClusterRoleBinding should reference"),
    flag("group", None, true, "Groups to bind to the clusterrole. The flag can be repeated to add multiple groups.").default("[]"),
    flag("serviceaccount", None, true, "Service accounts to bind to the clusterrole, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.").default("[]"),
);
pub const TOKEN_FLAGS: &[FlagSpec] = &[
    flag("audience", None, true, "Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.").default("[]"),
    flag("duration", None, true, "Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.").default("0s"),
    flag("bound-object-kind", None, true, "Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided."),
    flag("bound-object-name", None, true, "Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
];

const VERBS: &[&str] = &[
    "*",
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
    "escalate",
    "impersonate",
];

fn meta(ctx: &Ctx, name: String) -> ObjectMeta {
    ObjectMeta {
        name: Some(name),
        namespace: enforced_namespace(ctx),
        ..Default::default()
    }
}

fn split_list(v: Vec<String>) -> Vec<String> {
    v.iter()
        .flat_map(|x| x.split(',').map(str::to_string).collect::<Vec<_>>())
        .filter(|x| !x.is_empty())
        .collect()
}

pub fn serviceaccount(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let sa = ServiceAccount {
        metadata: meta(ctx, name),
        ..Default::default()
    };
    finish(ctx, Object::ServiceAccount(sa), Some("serviceaccount"))
}

/// The rules of `--verb`/`--resource`: one rule per API group, groups
/// sorted, resources in the order given (`generateResourcePolicyRules`).
fn rules(ctx: &Ctx, cluster: bool) -> Result<Vec<PolicyRule>, String> {
    let verbs = split_list(ctx.args.all("verb"));
    let resources = split_list(ctx.args.all("resource"));
    let non_resource = if cluster {
        split_list(ctx.args.all("non-resource-url"))
    } else {
        vec![]
    };
    if verbs.is_empty() {
        return Err("at least one verb must be specified".into());
    }
    if resources.is_empty() && non_resource.is_empty() {
        return Err("at least one resource must be specified".into());
    }
    for v in &verbs {
        if !VERBS.contains(&v.as_str()) {
            return Err(format!("invalid verb: '{v}'"));
        }
    }
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &resources {
        let (res, sub) = match r.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (r.as_str(), None),
        };
        let (plural, group) = if res == "*" {
            ("*".to_string(), String::new())
        } else {
            match Kind::from_resource_name(res) {
                Some(k) => (k.info().plural.to_string(), k.info().group.to_string()),
                None => return Err(format!("the server doesn't have a resource type \"{res}\"")),
            }
        };
        let full = match sub {
            Some(s) => format!("{plural}/{s}"),
            None => plural,
        };
        let list = groups.entry(group).or_default();
        if !list.contains(&full) {
            list.push(full);
        }
    }
    let names = split_list(ctx.args.all("resource-name"));
    let mut out: Vec<PolicyRule> = groups
        .into_iter()
        .map(|(g, rs)| PolicyRule {
            api_groups: Some(vec![g]),
            resources: Some(rs),
            verbs: verbs.clone(),
            resource_names: if names.is_empty() {
                None
            } else {
                Some(names.clone())
            },
            non_resource_urls: None,
        })
        .collect();
    if !non_resource.is_empty() {
        out.push(PolicyRule {
            verbs: verbs.clone(),
            non_resource_urls: Some(non_resource),
            ..Default::default()
        });
    }
    Ok(out)
}

pub fn role(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let r = match rules(ctx, false) {
        Ok(r) => r,
        Err(e) => return Output::error(e),
    };
    let role = Role {
        metadata: meta(ctx, name),
        rules: Some(r),
    };
    finish(ctx, Object::Role(role), None)
}

pub fn clusterrole(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let r = match rules(ctx, true) {
        Ok(r) => r,
        Err(e) => return Output::error(e),
    };
    let role = ClusterRole {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        rules: Some(r),
        aggregation_rule: None,
    };
    finish(ctx, Object::ClusterRole(role), None)
}

/// Subjects: `--user`, `--group`, `--serviceaccount ns:name`, in that order.
fn subjects(ctx: &Ctx) -> Result<Vec<Subject>, String> {
    let mut s = Vec::new();
    for u in ctx.args.all("user") {
        s.push(Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "User".into(),
            name: u,
            namespace: None,
        });
    }
    for g in ctx.args.all("group") {
        s.push(Subject {
            api_group: Some("rbac.authorization.k8s.io".into()),
            kind: "Group".into(),
            name: g,
            namespace: None,
        });
    }
    for sa in ctx.args.all("serviceaccount") {
        let Some((ns, name)) = sa
            .split_once(':')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        else {
            return Err(format!(
                "serviceaccount must be <namespace>:<name>, got {sa}"
            ));
        };
        s.push(Subject {
            api_group: None,
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: Some(ns.into()),
        });
    }
    Ok(s)
}

pub fn rolebinding(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let role_ref = match (ctx.args.get("role"), ctx.args.get("clusterrole")) {
        (Some(r), None) => RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "Role".into(),
            name: r.into(),
        },
        (None, Some(c)) => RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: c.into(),
        },
        _ => return Output::error("exactly one of clusterrole or role must be specified"),
    };
    let subjects = match subjects(ctx) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    let rb = RoleBinding {
        metadata: meta(ctx, name),
        role_ref,
        subjects: if subjects.is_empty() {
            None
        } else {
            Some(subjects)
        },
    };
    finish(ctx, Object::RoleBinding(rb), None)
}

pub fn clusterrolebinding(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let Some(cr) = ctx.args.get("clusterrole").map(str::to_string) else {
        return Output::error("required flag(s) \"clusterrole\" not set");
    };
    let subjects = match subjects(ctx) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    let crb = ClusterRoleBinding {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: cr,
        },
        subjects: if subjects.is_empty() {
            None
        } else {
            Some(subjects)
        },
    };
    finish(ctx, Object::ClusterRoleBinding(crb), None)
}

fn b64url(data: &[u8]) -> String {
    base64_encode(data)
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

/// A TokenRequest's token: a JWT shaped like the apiserver's (its
/// signature is made up: nothing verifies it in the simulation).
pub fn token(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let ns = ctx.namespace();
    let Some(sa) = ctx
        .world
        .store
        .get_as::<ServiceAccount>(&ns, &name)
        .cloned()
    else {
        return Output::error(format!(
            "failed to create token: serviceaccounts \"{name}\" not found"
        ));
    };
    let duration = ctx
        .args
        .get("duration")
        .and_then(|d| crate::sim::time::parse_duration(d).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(std::time::Duration::from_secs(3600));
    let iat = ctx.world.store.timestamp().0.as_second();
    let mut aud = ctx.args.all("audience");
    if aud.is_empty() {
        aud.push("https://kubernetes.default.svc.cluster.local".into());
    }
    let header = serde_json::json!({"alg": "RS256", "kid": "kubesim-token-signing-key"});
    let payload = serde_json::json!({
        "aud": aud,
        "exp": iat + duration.as_secs() as i64,
        "iat": iat,
        "iss": "https://kubernetes.default.svc.cluster.local",
        "jti": crate::sim::rng::SimRng::stream(ctx.world.seed() ^ ctx.world.store.resource_version(), "token").uuid(),
        "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": name, "uid": sa.metadata.uid.clone().unwrap_or_default()}},
        "nbf": iat,
        "sub": format!("system:serviceaccount:{ns}:{name}"),
    });
    let sig = crate::sim::rng::SimRng::stream(iat as u64, "token-signature").name_suffix(86);
    Output::ok(format!(
        "{}.{}.{sig}\n",
        b64url(header.to_string().as_bytes()),
        b64url(payload.to_string().as_bytes())
    ))
}
