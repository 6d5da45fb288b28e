//! API errors, shaped like the apiserver's `metav1.Status` so the HTTP front
//! end can send them as they are and the REPL can print kubectl's words.

use crate::objects::kinds::Kind;
use serde_json::json;
use std::fmt;

/// `metav1.StatusReason` values kubesim produces.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    NotFound,
    AlreadyExists,
    Conflict,
    Invalid,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    Expired,
    Gone,
    UnsupportedMediaType,
    RequestEntityTooLarge,
    NotAcceptable,
    TooManyRequests,
    InternalError,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotFound => "NotFound",
            Reason::AlreadyExists => "AlreadyExists",
            Reason::Conflict => "Conflict",
            Reason::Invalid => "Invalid",
            Reason::BadRequest => "BadRequest",
            Reason::Forbidden => "Forbidden",
            Reason::MethodNotAllowed => "MethodNotAllowed",
            Reason::Expired => "Expired",
            Reason::Gone => "Gone",
            Reason::UnsupportedMediaType => "UnsupportedMediaType",
            Reason::RequestEntityTooLarge => "RequestEntityTooLarge",
            Reason::NotAcceptable => "NotAcceptable",
            Reason::TooManyRequests => "TooManyRequests",
            Reason::InternalError => "InternalError",
        }
    }
    pub fn code(self) -> u16 {
        match self {
            Reason::NotFound => 404,
            Reason::AlreadyExists | Reason::Conflict => 409,
            Reason::Invalid => 422,
            Reason::BadRequest => 400,
            Reason::Forbidden => 403,
            Reason::MethodNotAllowed => 405,
            Reason::Expired | Reason::Gone => 410,
            Reason::UnsupportedMediaType => 415,
            Reason::RequestEntityTooLarge => 413,
            Reason::NotAcceptable => 406,
            Reason::TooManyRequests => 429,
            Reason::InternalError => 500,
        }
    }
}

/// The kind of a field validation error (`field.ErrorType`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldErrorType {
    Required,
    Invalid(String),
    NotSupported(String, Vec<String>),
    Duplicate(String),
    Forbidden,
    TooLong(String, usize),
    /// Server-side apply: the field belongs to another manager (the
    /// manager as `printManager` names it).
    FieldManagerConflict(String),
}

/// One validation failure, printed as upstream's `field.Error`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub kind: FieldErrorType,
    pub detail: String,
}

impl FieldError {
    pub fn required(field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorType::Required,
            detail: String::new(),
        }
    }
    pub fn invalid(
        field: impl Into<String>,
        value: impl Into<String>,
        detail: impl Into<String>,
    ) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorType::Invalid(value.into()),
            detail: detail.into(),
        }
    }
    pub fn not_supported(
        field: impl Into<String>,
        value: impl Into<String>,
        valid: &[&str],
    ) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorType::NotSupported(
                value.into(),
                valid.iter().map(|s| s.to_string()).collect(),
            ),
            detail: String::new(),
        }
    }
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorType::Forbidden,
            detail: detail.into(),
        }
    }
    pub fn duplicate(field: impl Into<String>, value: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            kind: FieldErrorType::Duplicate(value.into()),
            detail: String::new(),
        }
    }
    fn reason(&self) -> &'static str {
        match self.kind {
            FieldErrorType::Required => "FieldValueRequired",
            FieldErrorType::Invalid(_) => "FieldValueInvalid",
            FieldErrorType::NotSupported(..) => "FieldValueNotSupported",
            FieldErrorType::Duplicate(_) => "FieldValueDuplicate",
            FieldErrorType::Forbidden => "FieldValueForbidden",
            FieldErrorType::TooLong(..) => "FieldValueTooLong",
            FieldErrorType::FieldManagerConflict(_) => "FieldManagerConflict",
        }
    }
    /// The text after `field: `, as the `causes[].message` carries it.
    fn body(&self) -> String {
        let with_detail = |s: String| {
            if self.detail.is_empty() {
                s
            } else {
                format!("{s}: {}", self.detail)
            }
        };
        match &self.kind {
            FieldErrorType::Required => with_detail("Required value".into()),
            FieldErrorType::Invalid(v) => with_detail(format!("Invalid value: {}", quote(v))),
            FieldErrorType::NotSupported(v, valid) => {
                let list: Vec<String> = valid.iter().map(|s| format!("\"{s}\"")).collect();
                format!(
                    "Unsupported value: \"{v}\": supported values: {}",
                    list.join(", ")
                )
            }
            FieldErrorType::Duplicate(v) => format!("Duplicate value: \"{v}\""),
            FieldErrorType::Forbidden => with_detail("Forbidden".into()),
            FieldErrorType::TooLong(_, n) => format!("Too long: may not be more than {n} bytes"),
            FieldErrorType::FieldManagerConflict(m) => format!("conflict with {m}"),
        }
    }
}

/// Go's %q for the simple strings that reach here; numbers stay bare.
fn quote(v: &str) -> String {
    // Slices print with Go's %#v (`[]string{"10.96.0.10"}`), numbers bare.
    // Go values printed with %#v (`v1.LabelSelector{...}`) stay as they are.
    if v.parse::<i64>().is_ok()
        || v.starts_with("[]string{")
        || v.starts_with("v1.")
        || v.starts_with("map[")
        || v.starts_with("core.")
    {
        v.to_string()
    } else {
        format!("{v:?}")
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// An error as the apiserver reports it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    pub reason: Reason,
    pub message: String,
    /// `details.name`, `details.group`, `details.kind` (resource plural).
    pub name: Option<String>,
    pub group: Option<String>,
    pub kind: Option<String>,
    pub causes: Vec<FieldError>,
}

impl ApiError {
    pub fn new(reason: Reason, message: impl Into<String>) -> ApiError {
        ApiError {
            reason,
            message: message.into(),
            name: None,
            group: None,
            kind: None,
            causes: vec![],
        }
    }

    fn about(mut self, kind: Kind, name: &str) -> ApiError {
        self.name = Some(name.to_string());
        self.group = Some(kind.info().group.to_string());
        self.kind = Some(kind.info().plural.to_string());
        self
    }

    /// `pods "x" not found`
    pub fn not_found(kind: Kind, name: &str) -> ApiError {
        ApiError::new(
            Reason::NotFound,
            format!("{} \"{name}\" not found", kind.info().group_resource()),
        )
        .about(kind, name)
    }

    /// `pods "x" already exists`
    pub fn already_exists(kind: Kind, name: &str) -> ApiError {
        ApiError::new(
            Reason::AlreadyExists,
            format!("{} \"{name}\" already exists", kind.info().group_resource()),
        )
        .about(kind, name)
    }

    /// The optimistic-concurrency conflict message.
    pub fn conflict(kind: Kind, name: &str) -> ApiError {
        ApiError::new(
            Reason::Conflict,
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                kind.info().group_resource()
            ),
        )
        .about(kind, name)
    }

    /// `The Pod "x" is invalid: spec.containers[0].image: Required value`
    pub fn invalid(kind: Kind, name: &str, causes: Vec<FieldError>) -> ApiError {
        let list = if causes.len() == 1 {
            causes[0].to_string()
        } else {
            format!(
                "[{}]",
                causes
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let mut e = ApiError::new(
            Reason::Invalid,
            format!("{} \"{name}\" is invalid: {list}", kind.info().kind),
        )
        .about(kind, name);
        e.message = format!("The {}", e.message);
        e.kind = Some(kind.info().kind.to_string());
        e.causes = causes;
        e
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(Reason::BadRequest, message)
    }

    /// What kubectl prints for this error on stderr.
    pub fn kubectl_text(&self) -> String {
        match self.reason {
            Reason::Invalid => self.message.clone(),
            r => format!("Error from server ({}): {}", r.as_str(), self.message),
        }
    }

    pub fn code(&self) -> u16 {
        self.reason.code()
    }

    /// The apiserver's own message (what `err.Error()` gives in Go, and
    /// the `message` of the Status it sends): `Deployment.apps "x" is
    /// invalid: ...` where kubectl's `CheckErr` prints `The Deployment "x"
    /// is invalid: ...` (apimachinery `errors.NewInvalid`, kubectl
    /// `cmdutil.checkErr`). Commands that wrap the error (`failed to create
    /// deployment: %v`) print this one.
    pub fn server_message(&self) -> String {
        if self.reason != Reason::Invalid {
            return self.message.clone();
        }
        let msg = self.message.strip_prefix("The ").unwrap_or(&self.message);
        if let Some(kind) = Kind::ALL
            .iter()
            .find(|k| msg.starts_with(&format!("{} \"", k.info().kind)))
        {
            let g = kind.info().group;
            if !g.is_empty() {
                return msg.replacen(kind.info().kind, &format!("{}.{g}", kind.info().kind), 1);
            }
        }
        msg.to_string()
    }

    /// The `kind: Status` body the apiserver sends.
    pub fn to_status(&self) -> serde_json::Value {
        let mut details = serde_json::Map::new();
        if let Some(n) = &self.name {
            details.insert("name".into(), json!(n));
        }
        if let Some(g) = &self.group {
            if !g.is_empty() {
                details.insert("group".into(), json!(g));
            }
        }
        if let Some(k) = &self.kind {
            details.insert("kind".into(), json!(k));
        }
        if !self.causes.is_empty() {
            let causes: Vec<_> = self
                .causes
                .iter()
                .map(|c| json!({"reason": c.reason(), "message": c.body(), "field": c.field}))
                .collect();
            details.insert("causes".into(), json!(causes));
        }
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.server_message(),
            "reason": self.reason.as_str(),
            "code": self.code(),
        });
        if !details.is_empty() {
            status["details"] = serde_json::Value::Object(details);
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_match_the_apiserver() {
        assert_eq!(
            ApiError::not_found(Kind::Pod, "x").kubectl_text(),
            "Error from server (NotFound): pods \"x\" not found"
        );
        assert_eq!(
            ApiError::not_found(Kind::Deployment, "x").kubectl_text(),
            "Error from server (NotFound): deployments.apps \"x\" not found"
        );
        assert_eq!(
            ApiError::invalid(
                Kind::Pod,
                "x",
                vec![FieldError::required("spec.containers[0].image")]
            )
            .kubectl_text(),
            "The Pod \"x\" is invalid: spec.containers[0].image: Required value"
        );
        let st = ApiError::already_exists(Kind::Pod, "x").to_status();
        assert_eq!(st["code"], 409);
        assert_eq!(st["reason"], "AlreadyExists");
        assert_eq!(st["details"]["kind"], "pods");
    }
}
