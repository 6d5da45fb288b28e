//! Responses: JSON bodies, `kind: Status` errors, content negotiation.

use crate::printers::IncludeObject;
use crate::sim::store::{ApiError, Reason};
use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

pub type ApiResult = Result<Response, ApiError>;

/// A JSON response with `code`.
pub fn json_response(code: u16, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    bytes_response(code, "application/json", body)
}

pub fn bytes_response(code: u16, content_type: &str, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

/// The apiserver's error body.
pub fn error_response(e: &ApiError) -> Response {
    json_response(e.code(), &e.to_status())
}

/// A `Status` of success (eviction, binding, some deletes).
pub fn success_status(code: u16) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": code})
}

/// 404 for a path nothing serves, with the apiserver's message.
pub fn not_found_resource() -> ApiError {
    ApiError::new(
        Reason::NotFound,
        "the server could not find the requested resource",
    )
}

/// 405 for a verb a resource does not support.
pub fn method_not_allowed(verb: &str, what: &str) -> ApiError {
    ApiError::new(
        Reason::MethodNotAllowed,
        format!("the server does not allow this method on the requested resource ({verb} {what})"),
    )
}

/// Adds a `Warning` header (RFC 7234 style, as the apiserver sends them).
pub fn with_warnings(mut r: Response, warnings: &[String]) -> Response {
    for w in warnings {
        let text = format!("299 - \"{}\"", w.replace('\\', "\\\\").replace('"', "\\\""));
        if let Ok(v) = HeaderValue::from_str(&text) {
            r.headers_mut().append("Warning", v);
        }
    }
    r
}

/// What the client asked to receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wants {
    /// The object or list itself.
    Object,
    /// A `meta.k8s.io/v1` Table (kubectl get).
    Table(IncludeObject),
}

/// Reads the Accept header and `includeObject` query parameter.
pub fn negotiate(accept: &str, include_object: Option<&str>) -> Result<Wants, ApiError> {
    let table = accept.split(',').any(|part| {
        let p: Vec<&str> = part.split(';').map(str::trim).collect();
        p.contains(&"as=Table") && p.contains(&"g=meta.k8s.io")
    });
    if !table {
        return Ok(Wants::Object);
    }
    let include = match include_object {
        None | Some("") | Some("Metadata") => IncludeObject::Metadata,
        Some("None") => IncludeObject::None,
        Some("Object") => IncludeObject::Object,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "includeObject: Unsupported value: \"{other}\": supported values: \"Metadata\", \"None\", \"Object\""
            )))
        }
    };
    Ok(Wants::Table(include))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_get_accept_asks_for_a_table() {
        let a = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(
            negotiate(a, None).unwrap(),
            Wants::Table(IncludeObject::Metadata)
        );
        assert_eq!(
            negotiate(a, Some("Object")).unwrap(),
            Wants::Table(IncludeObject::Object)
        );
        assert_eq!(negotiate("application/json", None).unwrap(), Wants::Object);
        assert!(negotiate(a, Some("Everything")).is_err());
    }
}
