//! Identity and authorization.
//!
//! kubectl sends no credentials over plain http, so the identity is the
//! impersonation headers (`kubectl --as`/`--as-group`) or, without them, the
//! cluster admin, as kubeadm's admin.conf user. [`authorize`] is the hook
//! every resource request passes through: the RBAC authorizer of
//! [`crate::auth`] over the simulation's Roles and bindings, as the
//! apiserver's `WithAuthorization` filter does. Access reviews answer from
//! the same authorizer.

use super::handler::Ctx;
use super::protobuf;
use super::read::stopped;
use super::response::{json_response, ApiResult};
use crate::auth::{self, UserInfo};
use crate::sim::store::ApiError;
use axum::http::HeaderMap;
use serde_json::{json, Value};

pub use crate::auth::Attributes;

/// Who is asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
    pub uid: Option<String>,
}

impl User {
    /// kubeadm's admin.conf identity (v1.29+).
    pub fn admin() -> User {
        let a = UserInfo::admin();
        User {
            name: a.name,
            groups: a.groups,
            uid: None,
        }
    }

    fn info(&self) -> UserInfo {
        UserInfo {
            name: self.name.clone(),
            groups: self.groups.clone(),
        }
    }
}

/// The request's identity: impersonation headers, else the admin. As the
/// apiserver's impersonation filter does, a service account's username
/// brings its groups when no group is given.
pub fn identify(headers: &HeaderMap) -> User {
    let Some(name) = headers
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
    else {
        return User::admin();
    };
    let groups: Vec<String> = headers
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect();
    let info = UserInfo::named(name, groups);
    User {
        name: info.name,
        groups: info.groups,
        uid: headers
            .get("impersonate-uid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// The authorization hook: Ok to proceed, or the apiserver's 403.
pub(crate) async fn authorize(ctx: &Ctx, attrs: &Attributes) -> Result<(), ApiError> {
    let user = ctx.user.info();
    if user.groups.iter().any(|g| g == auth::SYSTEM_MASTERS) {
        return Ok(());
    }
    let (u, a) = (user.clone(), attrs.clone());
    let decision = ctx
        .app
        .sim
        .call_async(move |w| auth::authorize(&w.store, &u, &a))
        .await
        .map_err(stopped)?;
    if decision.allowed {
        Ok(())
    } else {
        Err(auth::forbidden(&user, attrs, &decision.reason))
    }
}

/// POST of a SelfSubjectAccessReview, SubjectAccessReview,
/// LocalSubjectAccessReview or SelfSubjectRulesReview.
pub(crate) async fn review(ctx: &Ctx, kind: &str) -> ApiResult {
    let mut body: Value = if protobuf::is_protobuf(&ctx.content_type) {
        protobuf::decode_body(&ctx.body)?
    } else if ctx.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&ctx.body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?
    };
    if !body.is_object() {
        return Err(ApiError::bad_request("the body must be a JSON object"));
    }
    body["apiVersion"] = json!("authorization.k8s.io/v1");
    body["kind"] = json!(kind);
    if body.get("metadata").is_none_or(Value::is_null) {
        body["metadata"] = json!({});
    }
    if kind == "SelfSubjectRulesReview" {
        let ns = body["spec"]["namespace"].as_str().unwrap_or("").to_string();
        let user = ctx.user.info();
        let rules = ctx
            .app
            .sim
            .call_async(move |w| auth::rules_for(&w.store, &user, &ns))
            .await
            .map_err(stopped)?;
        body["status"] = rules_review_status(&rules);
        return Ok(json_response(201, &body));
    }
    let spec = &body["spec"];
    let user = if kind == "SelfSubjectAccessReview" {
        ctx.user.clone()
    } else {
        User {
            name: spec["user"].as_str().unwrap_or("").to_string(),
            groups: spec["groups"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|g| g.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            uid: spec["uid"].as_str().map(str::to_string),
        }
    };
    let ra = &spec["resourceAttributes"];
    let nra = &spec["nonResourceAttributes"];
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or("").to_string();
    let attrs = if ra.is_object() {
        Attributes {
            verb: text(ra, "verb"),
            group: text(ra, "group"),
            resource: text(ra, "resource"),
            subresource: text(ra, "subresource"),
            namespace: text(ra, "namespace"),
            name: text(ra, "name"),
            path: String::new(),
        }
    } else {
        Attributes {
            verb: text(nra, "verb"),
            path: text(nra, "path"),
            ..Default::default()
        }
    };
    let info = user.info();
    let decision = ctx
        .app
        .sim
        .call_async(move |w| auth::authorize(&w.store, &info, &attrs))
        .await
        .map_err(stopped)?;
    body["status"] = if decision.allowed {
        json!({"allowed": true})
    } else if decision.reason.is_empty() {
        json!({"allowed": false})
    } else {
        json!({"allowed": false, "reason": decision.reason})
    };
    Ok(json_response(201, &body))
}

/// A SelfSubjectRulesReview's status from the user's rules.
fn rules_review_status(rules: &[k8s_openapi::api::rbac::v1::PolicyRule]) -> Value {
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for r in rules {
        if let Some(urls) = r.non_resource_urls.as_ref().filter(|u| !u.is_empty()) {
            non_resource_rules.push(json!({"verbs": r.verbs, "nonResourceURLs": urls}));
        } else {
            let mut rule = json!({
                "verbs": r.verbs,
                "apiGroups": r.api_groups.clone().unwrap_or_default(),
                "resources": r.resources.clone().unwrap_or_default(),
            });
            if let Some(names) = r.resource_names.as_ref().filter(|n| !n.is_empty()) {
                rule["resourceNames"] = json!(names);
            }
            resource_rules.push(rule);
        }
    }
    json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn impersonation_headers_name_the_user() {
        let mut h = HeaderMap::new();
        assert_eq!(identify(&h), User::admin());
        h.insert("Impersonate-User", HeaderValue::from_static("alice"));
        h.append("Impersonate-Group", HeaderValue::from_static("devs"));
        h.append("Impersonate-Group", HeaderValue::from_static("ops"));
        let u = identify(&h);
        assert_eq!(u.name, "alice");
        assert_eq!(u.groups, vec!["devs", "ops", "system:authenticated"]);
    }
}
