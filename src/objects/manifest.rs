//! Manifests: multi-document YAML or JSON, `List` kinds, and strict decoding
//! (unknown fields are errors, as `kubectl apply` with fieldValidation=Strict
//! reports them).

use super::kinds::{Kind, Object};
use serde_json::Value;

/// Why a manifest could not become an object.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ManifestError {
    /// YAML/JSON syntax: `error converting YAML to JSON: yaml: line 3: ...`
    #[error("error converting YAML to JSON: {0}")]
    Syntax(String),
    /// `error validating data: [apiVersion not set, kind not set]`
    #[error("error validating data: [{0}]; if you choose to ignore these errors, turn validation off with --validate=false")]
    Missing(String),
    /// `no matches for kind "Foo" in version "v1"`
    #[error("resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{source_name}\": no matches for kind \"{kind}\" in version \"{version}\"\nensure CRDs are installed first")]
    UnknownKind {
        name: String,
        namespace: String,
        source_name: String,
        kind: String,
        version: String,
    },
    /// `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.replicas"`
    #[error("{kind} in version \"{version}\" cannot be handled as a {kind}: {detail}")]
    Decode {
        kind: String,
        version: String,
        detail: String,
    },
}

/// Splits a file into JSON documents; `List` kinds are expanded.
pub fn parse_documents(text: &str) -> Result<Vec<Value>, ManifestError> {
    let trimmed = text.trim_start();
    let mut docs = Vec::new();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        // JSON: one value, or several concatenated.
        let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        for v in stream {
            docs.push(v.map_err(|e| ManifestError::Syntax(format!("json: {e}")))?);
        }
    } else {
        for de in serde_norway::Deserializer::from_str(text) {
            let v: Value = serde::Deserialize::deserialize(de)
                .map_err(|e| ManifestError::Syntax(yaml_message(&e)))?;
            if !v.is_null() {
                docs.push(v);
            }
        }
    }
    let mut out = Vec::new();
    for d in docs {
        expand_list(d, &mut out);
    }
    Ok(out)
}

fn yaml_message(e: &serde_norway::Error) -> String {
    match e.location() {
        Some(loc) => {
            let msg = e.to_string();
            // serde_norway appends " at line N column M"; kubectl says "yaml: line N: msg".
            let core = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            format!("yaml: line {}: {}", loc.line(), core)
        }
        None => format!("yaml: {e}"),
    }
}

fn expand_list(v: Value, out: &mut Vec<Value>) {
    let is_list = v
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && v.get("items").is_some();
    if is_list {
        if let Some(Value::Array(items)) = v.get("items") {
            for i in items.clone() {
                expand_list(i, out);
            }
        }
    } else if !v.is_null() {
        out.push(v);
    }
}

/// The kind a JSON document names, or the error kubectl gives.
pub fn kind_of(v: &Value, source_name: &str) -> Result<Kind, ManifestError> {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or("");
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set");
    }
    if kind.is_empty() {
        missing.push("kind not set");
    }
    if !missing.is_empty() {
        return Err(ManifestError::Missing(missing.join(", ")));
    }
    Kind::from_api_version_kind(api_version, kind).ok_or_else(|| ManifestError::UnknownKind {
        name: v["metadata"]["name"].as_str().unwrap_or("").to_string(),
        namespace: v["metadata"]["namespace"]
            .as_str()
            .unwrap_or("")
            .to_string(),
        source_name: source_name.to_string(),
        kind: kind.to_string(),
        version: api_version.to_string(),
    })
}

/// Decodes a JSON document into a typed object. With `strict`, fields the
/// schema does not know are rejected with the apiserver's message.
pub fn decode_object(v: Value, strict: bool) -> Result<Object, ManifestError> {
    let kind = kind_of(&v, "")?;
    decode_as(kind, v, strict)
}

/// Decodes a document already known to be of `kind`.
pub fn decode_as(kind: Kind, v: Value, strict: bool) -> Result<Object, ManifestError> {
    let info = kind.info();
    let err = |detail: String| ManifestError::Decode {
        kind: info.kind.to_string(),
        version: info.api_version(),
        detail,
    };
    let obj = kind
        .decode(v.clone())
        .map_err(|e| err(go_decode_message(&e.to_string())))?;
    if strict {
        let back = obj.to_json();
        let mut unknown = Vec::new();
        unknown_fields(&v, &back, "", &mut unknown);
        if !unknown.is_empty() {
            let list: Vec<String> = unknown
                .iter()
                .map(|f| format!("unknown field \"{f}\""))
                .collect();
            return Err(err(format!("strict decoding error: {}", list.join(", "))));
        }
    }
    Ok(obj)
}

fn go_decode_message(serde_msg: &str) -> String {
    format!("json: cannot unmarshal object: {serde_msg}")
}

/// Fields present (non-null) in `input` but absent after a round trip
/// through the typed object: exactly the fields the schema does not know.
fn unknown_fields(input: &Value, roundtrip: &Value, path: &str, out: &mut Vec<String>) {
    match (input, roundtrip) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    None if !v.is_null() && !is_free_form(path) => out.push(p),
                    Some(bv) if !is_free_form(&p) => unknown_fields(v, bv, &p, out),
                    _ => {}
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
                unknown_fields(x, y, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// Maps with arbitrary keys (labels, data, ...) are never "unknown".
fn is_free_form(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    matches!(
        last,
        "labels"
            | "annotations"
            | "data"
            | "stringData"
            | "binaryData"
            | "matchLabels"
            | "selector"
            | "nodeSelector"
            | "requests"
            | "limits"
            | "capacity"
            | "allocatable"
            | "parameters"
            | "hard"
            | "used"
            | "raw"
    ) && !path.ends_with("spec.selector")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_yaml_and_lists() {
        let docs = parse_documents(
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: b\n---\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["metadata"]["name"], "b");
    }

    #[test]
    fn broken_yaml_names_the_line() {
        let e = parse_documents("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   bad: [\n")
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("error converting YAML to JSON: yaml: line "),
            "{e}"
        );
    }

    #[test]
    fn unknown_kind_and_missing_fields() {
        let v: Value =
            serde_json::json!({"apiVersion": "v1", "kind": "Foo", "metadata": {"name": "x"}});
        assert!(decode_object(v, true)
            .unwrap_err()
            .to_string()
            .contains("no matches for kind \"Foo\" in version \"v1\""));
        let v: Value = serde_json::json!({"metadata": {"name": "x"}});
        assert_eq!(
            decode_object(v, true).unwrap_err().to_string(),
            "error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false"
        );
    }

    #[test]
    fn strict_decoding_rejects_unknown_fields() {
        let v: Value = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "labels": {"any": "thing"}},
            "spec": {"replicas": 3, "containers": [{"name": "c", "image": "nginx", "imagePolicy": "x"}]}
        });
        let e = decode_object(v.clone(), true).unwrap_err().to_string();
        assert_eq!(
            e,
            "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.replicas\", unknown field \"spec.containers[0].imagePolicy\""
        );
        assert!(decode_object(v, false).is_ok());
    }
}
