//! Identity and authorization.
//!
//! kubectl sends no credentials over plain http, so the identity is the
//! impersonation headers (`kubectl --as`/`--as-group`) or, without them, the
//! cluster admin, as kubeadm's admin.conf user. [`authorize`] is the hook
//! point every resource request passes through: today it allows everything,
//! and RBAC slots in there. Access reviews answer from the same hook.

use super::handler::Ctx;
use super::protobuf;
use super::response::{json_response, ApiResult};
use crate::sim::store::ApiError;
use axum::http::HeaderMap;
use serde_json::{json, Value};

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
        User {
            name: "kubernetes-admin".into(),
            groups: vec![
                "kubeadm:cluster-admins".into(),
                "system:authenticated".into(),
            ],
            uid: None,
        }
    }
}

/// The request's identity: impersonation headers, else the admin.
pub fn identify(headers: &HeaderMap) -> User {
    let Some(name) = headers
        .get("impersonate-user")
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty())
    else {
        return User::admin();
    };
    let mut groups: Vec<String> = headers
        .get_all("impersonate-group")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect();
    if !groups.iter().any(|g| g == "system:authenticated") {
        groups.push("system:authenticated".into());
    }
    User {
        name: name.to_string(),
        groups,
        uid: headers
            .get("impersonate-uid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

/// What a request does, as authorizers see it (`authorizer.Attributes`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
}

/// The authorization hook: Ok to proceed, or a 403 Forbidden.
/// Everything is allowed until RBAC lands here.
pub fn authorize(_user: &User, _attrs: &Attributes) -> Result<(), ApiError> {
    Ok(())
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
        body["status"] = json!({
            "resourceRules": [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
            "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
            "incomplete": false
        });
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
    let attrs = Attributes {
        verb: ra["verb"].as_str().unwrap_or("").to_string(),
        group: ra["group"].as_str().unwrap_or("").to_string(),
        resource: ra["resource"].as_str().unwrap_or("").to_string(),
        subresource: ra["subresource"].as_str().unwrap_or("").to_string(),
        namespace: ra["namespace"].as_str().unwrap_or("").to_string(),
        name: ra["name"].as_str().unwrap_or("").to_string(),
    };
    body["status"] = match authorize(&user, &attrs) {
        Ok(()) => json!({"allowed": true}),
        Err(e) => json!({"allowed": false, "reason": e.message}),
    };
    Ok(json_response(201, &body))
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
