//! The RBAC authorizer, after `plugin/pkg/auth/authorizer/rbac/rbac.go`
//! and `pkg/apis/rbac/v1/evaluation_helpers.go`: a request is allowed when
//! some ClusterRoleBinding, or some RoleBinding in the request's namespace,
//! binds the user (by name, group or service account) to a role with a rule
//! that matches the verb, API group, resource (and subresource), and name
//! or non-resource URL. Members of `system:masters` are allowed everything
//! before RBAC is asked, as the apiserver's privileged-group authorizer does.

use super::{Attributes, UserInfo, SYSTEM_MASTERS};
use crate::objects::{Kind, Object};
use crate::sim::store::{ApiError, Reason, Store};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};

/// The authorizer's answer, with a reason when roles a binding names are
/// missing (upstream appends it to the Forbidden message as `RBAC: ...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

/// Does RBAC allow `attrs` for `user`?
pub fn authorize(store: &Store, user: &UserInfo, attrs: &Attributes) -> Decision {
    if user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    let mut missing = Vec::new();
    for (role_ref, binding_ns) in bindings_of(store, user, &attrs.namespace) {
        match role_rules(store, &role_ref, &binding_ns) {
            Some(rules) => {
                if rules.iter().any(|r| rule_allows(r, attrs)) {
                    return Decision {
                        allowed: true,
                        reason: String::new(),
                    };
                }
            }
            None => missing.push(missing_role_text(&role_ref)),
        }
    }
    let reason = if missing.is_empty() {
        String::new()
    } else if missing.len() == 1 {
        format!("RBAC: {}", missing[0])
    } else {
        format!("RBAC: [{}]", missing.join(", "))
    };
    Decision {
        allowed: false,
        reason,
    }
}

/// Every rule that applies to `user` in `namespace` (all cluster-wide
/// rules, plus the namespace's RoleBindings'), as a SelfSubjectRulesReview
/// and `kubectl auth can-i --list` report them.
pub fn rules_for(store: &Store, user: &UserInfo, namespace: &str) -> Vec<PolicyRule> {
    bindings_of(store, user, namespace)
        .into_iter()
        .filter_map(|(r, ns)| role_rules(store, &r, &ns))
        .flat_map(|rules| rules.iter().cloned())
        .collect()
}

/// The apiserver's 403 for a denied request
/// (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go`,
/// `forbiddenMessage`): `pods is forbidden: User "u" cannot list resource
/// "pods" in API group "" in the namespace "default"`.
pub fn forbidden(user: &UserInfo, attrs: &Attributes, reason: &str) -> ApiError {
    let mut msg = if !attrs.is_resource_request() {
        format!(
            "User \"{}\" cannot {} path \"{}\"",
            user.name, attrs.verb, attrs.path
        )
    } else {
        let mut resource = attrs.resource.clone();
        if !attrs.subresource.is_empty() {
            resource = format!("{resource}/{}", attrs.subresource);
        }
        let scope = if attrs.namespace.is_empty() {
            "at the cluster scope".to_string()
        } else {
            format!("in the namespace \"{}\"", attrs.namespace)
        };
        format!(
            "User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {}",
            user.name, attrs.verb, resource, attrs.group, scope
        )
    };
    if !reason.is_empty() {
        msg = format!("{msg}: {reason}");
    }
    // NewForbidden(qualifiedResource, name, err): `<resource>[.<group>]
    // "<name>" is forbidden: <msg>`, or `forbidden: <msg>` for paths.
    let text = if !attrs.is_resource_request() {
        format!("forbidden: {msg}")
    } else {
        let qualified = if attrs.group.is_empty() {
            attrs.resource.clone()
        } else {
            format!("{}.{}", attrs.resource, attrs.group)
        };
        if attrs.name.is_empty() {
            format!("{qualified} is forbidden: {msg}")
        } else {
            format!("{qualified} \"{}\" is forbidden: {msg}", attrs.name)
        }
    };
    let mut err = ApiError::new(Reason::Forbidden, text);
    if attrs.is_resource_request() {
        err.kind = Some(attrs.resource.clone());
        err.group = Some(attrs.group.clone());
        err.name = (!attrs.name.is_empty()).then(|| attrs.name.clone());
    }
    err
}

/// The bindings that name `user`: every ClusterRoleBinding, and the
/// RoleBindings of `namespace` (none for a cluster-scoped request).
/// Each comes with the namespace its role is looked up in ("" for cluster).
fn bindings_of(store: &Store, user: &UserInfo, namespace: &str) -> Vec<(RoleRef, String)> {
    let mut out = Vec::new();
    for o in store.iter(Kind::ClusterRoleBinding, None) {
        if let Object::ClusterRoleBinding(b) = &**o {
            if b.subjects
                .iter()
                .flatten()
                .any(|s| subject_matches(s, user, ""))
            {
                out.push((b.role_ref.clone(), String::new()));
            }
        }
    }
    if !namespace.is_empty() {
        for o in store.iter(Kind::RoleBinding, Some(namespace)) {
            if let Object::RoleBinding(b) = &**o {
                if b.subjects
                    .iter()
                    .flatten()
                    .any(|s| subject_matches(s, user, namespace))
                {
                    out.push((b.role_ref.clone(), namespace.to_string()));
                }
            }
        }
    }
    out
}

/// `appliesToUser` in rbac.go.
fn subject_matches(s: &Subject, user: &UserInfo, binding_ns: &str) -> bool {
    match s.kind.as_str() {
        "User" => s.name == user.name,
        "Group" => user.groups.contains(&s.name),
        "ServiceAccount" => {
            // A ServiceAccount subject without a namespace means the
            // binding's own (RoleBindings only; ClusterRoleBindings require it).
            let ns = s
                .namespace
                .as_deref()
                .filter(|n| !n.is_empty())
                .unwrap_or(binding_ns);
            // `system:serviceaccount:NS:NAME`, compared without building it.
            !ns.is_empty()
                && user
                    .name
                    .strip_prefix("system:serviceaccount:")
                    .and_then(|rest| rest.split_once(':'))
                    == Some((ns, s.name.as_str()))
        }
        _ => false,
    }
}

/// The rules of the role a binding names, or None when it does not exist.
/// Borrowed: every request checks them, and most are never copied.
fn role_rules<'s>(
    store: &'s Store,
    role_ref: &RoleRef,
    binding_ns: &str,
) -> Option<&'s [PolicyRule]> {
    match role_ref.kind.as_str() {
        "ClusterRole" => match &**store.try_get(Kind::ClusterRole, "", &role_ref.name)? {
            Object::ClusterRole(r) => Some(r.rules.as_deref().unwrap_or(&[])),
            _ => None,
        },
        "Role" if !binding_ns.is_empty() => {
            match &**store.try_get(Kind::Role, binding_ns, &role_ref.name)? {
                Object::Role(r) => Some(r.rules.as_deref().unwrap_or(&[])),
                _ => None,
            }
        }
        _ => None,
    }
}

fn missing_role_text(role_ref: &RoleRef) -> String {
    let resource = match role_ref.kind.as_str() {
        "ClusterRole" => "clusterrole",
        _ => "role",
    };
    format!(
        "{resource}.rbac.authorization.k8s.io \"{}\" not found",
        role_ref.name
    )
}

/// `RuleAllows` in evaluation_helpers.go.
pub fn rule_allows(rule: &PolicyRule, attrs: &Attributes) -> bool {
    if !verb_matches(rule, &attrs.verb) {
        return false;
    }
    if !attrs.is_resource_request() {
        return non_resource_url_matches(rule, &attrs.path);
    }
    let combined = if attrs.subresource.is_empty() {
        attrs.resource.clone()
    } else {
        format!("{}/{}", attrs.resource, attrs.subresource)
    };
    api_group_matches(rule, &attrs.group)
        && resource_matches(rule, &combined, &attrs.subresource)
        && resource_name_matches(rule, &attrs.name)
}

fn verb_matches(rule: &PolicyRule, verb: &str) -> bool {
    rule.verbs.iter().any(|v| v == "*" || v == verb)
}

fn api_group_matches(rule: &PolicyRule, group: &str) -> bool {
    rule.api_groups
        .iter()
        .flatten()
        .any(|g| g == "*" || g == group)
}

fn resource_matches(rule: &PolicyRule, combined: &str, subresource: &str) -> bool {
    rule.resources.iter().flatten().any(|r| {
        r == "*"
            || r == combined
            // `*/scale` matches the scale subresource of any resource.
            || (!subresource.is_empty() && r == &format!("*/{subresource}"))
    })
}

fn resource_name_matches(rule: &PolicyRule, name: &str) -> bool {
    match &rule.resource_names {
        None => true,
        Some(names) if names.is_empty() => true,
        Some(names) => names.iter().any(|n| n == name),
    }
}

fn non_resource_url_matches(rule: &PolicyRule, path: &str) -> bool {
    rule.non_resource_urls.iter().flatten().any(|u| {
        u == "*" || u == path || (u.ends_with('*') && path.starts_with(u.trim_end_matches('*')))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::bootstrap_policy::rule;

    fn attrs(verb: &str, group: &str, resource: &str, sub: &str, name: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: sub.into(),
            namespace: "default".into(),
            name: name.into(),
            path: String::new(),
        }
    }

    // Cases from pkg/apis/rbac/v1/evaluation_helpers_test.go and
    // plugin/pkg/auth/authorizer/rbac/rbac_test.go (TestRuleMatches).
    #[test]
    fn rules_match_verbs_groups_resources_and_subresources() {
        let r = rule(&["get", "list"], &[""], &["pods"]);
        assert!(rule_allows(&r, &attrs("get", "", "pods", "", "")));
        assert!(!rule_allows(&r, &attrs("delete", "", "pods", "", "")));
        assert!(!rule_allows(&r, &attrs("get", "apps", "pods", "", "")));
        // A subresource is not granted by its parent resource.
        assert!(!rule_allows(&r, &attrs("get", "", "pods", "log", "")));
        let logs = rule(&["get"], &[""], &["pods/log"]);
        assert!(rule_allows(&logs, &attrs("get", "", "pods", "log", "")));
        let star_scale = rule(&["update"], &["*"], &["*/scale"]);
        assert!(rule_allows(
            &star_scale,
            &attrs("update", "apps", "deployments", "scale", "web")
        ));
        assert!(!rule_allows(
            &star_scale,
            &attrs("update", "apps", "deployments", "", "web")
        ));
        let all = rule(&["*"], &["*"], &["*"]);
        assert!(rule_allows(
            &all,
            &attrs("delete", "batch", "jobs", "status", "x")
        ));
    }

    #[test]
    fn resource_names_restrict_to_named_objects() {
        let mut r = rule(&["get"], &[""], &["configmaps"]);
        r.resource_names = Some(vec!["app-config".into()]);
        assert!(rule_allows(
            &r,
            &attrs("get", "", "configmaps", "", "app-config")
        ));
        assert!(!rule_allows(
            &r,
            &attrs("get", "", "configmaps", "", "other")
        ));
        // A list has no name: a name-restricted rule does not grant it.
        assert!(!rule_allows(&r, &attrs("get", "", "configmaps", "", "")));
    }

    #[test]
    fn non_resource_urls_match_exactly_or_by_star_prefix() {
        let r = PolicyRule {
            verbs: vec!["get".into()],
            non_resource_urls: Some(vec!["/healthz".into(), "/api/*".into()]),
            ..Default::default()
        };
        let path = |p: &str| Attributes {
            verb: "get".into(),
            path: p.into(),
            ..Default::default()
        };
        assert!(rule_allows(&r, &path("/healthz")));
        assert!(rule_allows(&r, &path("/api/v1")));
        assert!(!rule_allows(&r, &path("/apis")));
    }

    #[test]
    fn forbidden_messages_are_the_apiservers() {
        let u = UserInfo::named("system:serviceaccount:default:default", vec![]);
        let e = forbidden(&u, &attrs("list", "", "pods", "", ""), "");
        assert_eq!(
            e.message,
            "pods is forbidden: User \"system:serviceaccount:default:default\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
        );
        let mut a = attrs("get", "apps", "deployments", "", "web");
        a.namespace = "blue".into();
        let e = forbidden(&u, &a, "");
        assert_eq!(
            e.message,
            "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:default:default\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"blue\""
        );
        let mut n = attrs("list", "", "nodes", "", "");
        n.namespace.clear();
        let e = forbidden(&u, &n, "");
        assert!(e
            .message
            .ends_with("in API group \"\" at the cluster scope"));
    }
}
