//! Writes: create (POST), update (PUT), patch (four content types),
//! delete and deletecollection, following
//! `k8s.io/apiserver/pkg/endpoints/handlers/{create,update,patch,delete}.go`.
//!
//! Each write runs as ONE closure on the simulation thread, so a request is
//! applied entirely or not at all.

use super::handler::{dry_run_values, Ctx};
use super::protobuf;
use super::read::{list_json, list_options, stopped};
use super::response::{json_response, with_warnings, ApiResult};
use crate::objects::manifest::{decode_as, ManifestError};
use crate::objects::{Kind, Object};
use crate::sim::store::{ApiError, DeleteOptions, Patch, Propagation, Reason, WriteOptions};
use crate::sim::World;
use serde_json::{json, Value};
use std::sync::Arc;

/// `fieldValidation`: what to do with unknown or duplicate fields.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FieldValidation {
    Strict,
    Warn,
    Ignore,
}

pub(crate) fn field_validation(ctx: &Ctx) -> Result<FieldValidation, ApiError> {
    match ctx.query.get("fieldValidation") {
        // The apiserver's default is Warn.
        None | Some("") | Some("Warn") => Ok(FieldValidation::Warn),
        Some("Strict") => Ok(FieldValidation::Strict),
        Some("Ignore") => Ok(FieldValidation::Ignore),
        Some(o) => Err(ApiError::bad_request(format!(
            "fieldValidation: Unsupported value: \"{o}\": supported values: \"Ignore\", \"Strict\", \"Warn\""
        ))),
    }
}

/// The media types of request bodies.
fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Parses a create/update body: JSON (also when no Content-Type is sent, as
/// the Python client does), YAML, or protobuf.
pub(crate) fn body_value(ctx: &Ctx) -> Result<Value, ApiError> {
    let mt = media_type(&ctx.content_type);
    match mt.as_str() {
        "" | "application/json" | "*/*" => parse_json(&ctx.body),
        "application/yaml" => parse_yaml(&ctx.body),
        protobuf::MEDIA_TYPE => protobuf::decode_body(&ctx.body),
        other => Err(unsupported_media_type(other)),
    }
}

fn unsupported_media_type(mt: &str) -> ApiError {
    ApiError::new(
        Reason::UnsupportedMediaType,
        format!("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {mt:?})"),
    )
}

pub(crate) fn parse_json(b: &[u8]) -> Result<Value, ApiError> {
    if b.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    serde_json::from_slice(b).map_err(|e| {
        ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
    })
}

fn parse_yaml(b: &[u8]) -> Result<Value, ApiError> {
    let text =
        std::str::from_utf8(b).map_err(|_| ApiError::bad_request("the body is not UTF-8"))?;
    serde_norway::from_str(text)
        .map_err(|e| ApiError::bad_request(format!("error converting YAML to JSON: yaml: {e}")))
}

/// Fills apiVersion, kind and namespace from the URL and checks the body
/// agrees with it (create.go / update.go).
fn check_identity(kind: Kind, ns: &str, v: &mut Value) -> Result<(), ApiError> {
    let info = kind.info();
    let Some(obj) = v.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the body of the request must be a JSON object",
        ));
    };
    match obj.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            obj.insert("apiVersion".into(), json!(info.api_version()));
        }
        Some(av) if av != info.api_version() => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                info.api_version()
            )))
        }
        _ => {}
    }
    match obj.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            obj.insert("kind".into(), json!(info.kind));
        }
        Some(k) if k != info.kind => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({k}) does not match the expected kind ({})",
                info.kind
            )))
        }
        _ => {}
    }
    let meta = obj.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        return Err(ApiError::bad_request("metadata must be an object"));
    }
    if info.namespaced {
        match meta.get("namespace").and_then(Value::as_str) {
            None | Some("") => meta["namespace"] = json!(ns),
            Some(n) if n != ns => {
                return Err(ApiError::bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request",
                ))
            }
            _ => {}
        }
    }
    // The server sets creationTimestamp; kubectl sends null.
    if meta.get("creationTimestamp").is_some_and(Value::is_null) {
        if let Some(m) = meta.as_object_mut() {
            m.remove("creationTimestamp");
        }
    }
    Ok(())
}

/// Decodes `v` as `kind` under a fieldValidation mode; Warn returns the
/// warnings to send.
pub(crate) fn decode(
    kind: Kind,
    v: Value,
    fv: FieldValidation,
) -> Result<(Object, Vec<String>), ApiError> {
    let to_api = |e: ManifestError| ApiError::bad_request(e.to_string());
    match fv {
        FieldValidation::Strict => Ok((decode_as(kind, v, true).map_err(to_api)?, vec![])),
        FieldValidation::Ignore => Ok((decode_as(kind, v, false).map_err(to_api)?, vec![])),
        FieldValidation::Warn => {
            let warnings = match decode_as(kind, v.clone(), true) {
                Err(ManifestError::Decode { detail, .. }) => detail
                    .strip_prefix("strict decoding error: ")
                    .map(|d| d.split(", ").map(str::to_string).collect())
                    .unwrap_or_default(),
                _ => vec![],
            };
            Ok((decode_as(kind, v, false).map_err(to_api)?, warnings))
        }
    }
}

fn write_options(ctx: &Ctx) -> Result<WriteOptions, ApiError> {
    Ok(WriteOptions {
        dry_run: ctx.dry_run()?,
        field_manager: Some(ctx.field_manager()),
    })
}

pub(crate) async fn create(ctx: Ctx, kind: Kind, ns: String) -> ApiResult {
    let mut v = body_value(&ctx)?;
    check_identity(kind, &ns, &mut v)?;
    // Protobuf bodies come from typed clients: their fields are known.
    let fv = if protobuf::is_protobuf(&ctx.content_type) {
        FieldValidation::Ignore
    } else {
        field_validation(&ctx)?
    };
    let (obj, warnings) = decode(kind, v, fv)?;
    let opts = write_options(&ctx)?;
    let created = ctx
        .app
        .sim
        .call_async(move |w| w.store.create(obj, &opts))
        .await
        .map_err(stopped)??;
    Ok(with_warnings(
        json_response(201, &created.to_json()),
        &warnings,
    ))
}

pub(crate) async fn update(
    ctx: Ctx,
    kind: Kind,
    ns: String,
    name: String,
    status: bool,
) -> ApiResult {
    let mut v = body_value(&ctx)?;
    check_identity(kind, &ns, &mut v)?;
    match v["metadata"]["name"].as_str() {
        Some(n) if n == name => {}
        Some(n) => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )))
        }
        None => v["metadata"]["name"] = json!(name),
    }
    let (obj, warnings) = decode(kind, v, field_validation(&ctx)?)?;
    let opts = write_options(&ctx)?;
    let updated = ctx
        .app
        .sim
        .call_async(move |w| {
            if status {
                w.store.update_status(obj, &opts)
            } else {
                w.store.update(obj, &opts)
            }
        })
        .await
        .map_err(stopped)??;
    Ok(with_warnings(
        json_response(200, &updated.to_json()),
        &warnings,
    ))
}

/// The patch a request carries, by Content-Type (patch.go).
pub(crate) fn parse_patch(ctx: &Ctx) -> Result<Patch, ApiError> {
    let mt = media_type(&ctx.content_type);
    match mt.as_str() {
        "application/merge-patch+json" => Ok(Patch::Merge(parse_json(&ctx.body)?)),
        "application/json-patch+json" => {
            let v = parse_json(&ctx.body)?;
            if !v.is_array() {
                return Err(ApiError::bad_request(
                    "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
                ));
            }
            Ok(Patch::Json(v))
        }
        "application/strategic-merge-patch+json" => Ok(Patch::Strategic(parse_json(&ctx.body)?)),
        "application/apply-patch+yaml" | "application/apply-patch+cbor" => {
            let manager = ctx.query.get("fieldManager").unwrap_or("").to_string();
            if manager.is_empty() {
                return Err(ApiError::new(
                    Reason::Invalid,
                    "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                ));
            }
            let v = match parse_json(&ctx.body) {
                Ok(v) => v,
                Err(_) => parse_yaml(&ctx.body)?,
            };
            Ok(Patch::Apply(v, manager))
        }
        other => Err(ApiError::new(
            Reason::UnsupportedMediaType,
            format!("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got {other:?})"),
        )),
    }
}

pub(crate) async fn patch(
    ctx: Ctx,
    kind: Kind,
    ns: String,
    name: String,
    status: bool,
) -> ApiResult {
    let p = parse_patch(&ctx)?;
    let opts = write_options(&ctx)?;
    let fv = field_validation(&ctx)?;
    if let Patch::Apply(v, manager) = p {
        let force = ctx.query.flag("force");
        let (obj, created) = ctx
            .app
            .sim
            .call_async(move |w| apply(w, kind, &ns, &name, v, &manager, force, fv, &opts, status))
            .await
            .map_err(stopped)??;
        return Ok(json_response(
            if created { 201 } else { 200 },
            &obj.to_json(),
        ));
    }
    if fv == FieldValidation::Strict {
        strict_check_patch(kind, &p)?;
    }
    let obj = ctx
        .app
        .sim
        .call_async(move |w| w.store.patch(kind, &ns, &name, &p, &opts, status))
        .await
        .map_err(stopped)??;
    Ok(json_response(200, &obj.to_json()))
}

/// Unknown fields in a merge/strategic patch (directives aside) under
/// `fieldValidation=Strict`.
fn strict_check_patch(kind: Kind, p: &Patch) -> Result<(), ApiError> {
    let (Patch::Merge(v) | Patch::Strategic(v)) = p else {
        return Ok(());
    };
    let mut probe = v.clone();
    strip_patch_directives(&mut probe);
    let info = kind.info();
    if let Some(o) = probe.as_object_mut() {
        o.insert("apiVersion".into(), json!(info.api_version()));
        o.insert("kind".into(), json!(info.kind));
    }
    // Only unknown-field errors count here: a patch is not a whole object.
    match decode_as(kind, probe, true) {
        Err(e @ ManifestError::Decode { .. })
            if e.to_string().contains("strict decoding error") =>
        {
            Err(ApiError::bad_request(e.to_string()))
        }
        _ => Ok(()),
    }
}

fn strip_patch_directives(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, v| !k.starts_with('$') && !v.is_null());
            m.values_mut().for_each(strip_patch_directives);
        }
        Value::Array(a) => a.iter_mut().for_each(strip_patch_directives),
        _ => {}
    }
}

/// Server-side apply: create the object if it is missing, else merge the
/// applied configuration into the live object with field ownership
/// (`kubesim::sim::store::managed`: conflicts with other managers unless
/// `force`, pruning of fields this manager no longer applies).
#[allow(clippy::too_many_arguments)]
fn apply(
    w: &mut World,
    kind: Kind,
    ns: &str,
    name: &str,
    mut v: Value,
    manager: &str,
    force: bool,
    fv: FieldValidation,
    opts: &WriteOptions,
    status: bool,
) -> Result<(Arc<Object>, bool), ApiError> {
    check_identity(kind, ns, &mut v)?;
    match v["metadata"]["name"].as_str() {
        Some(n) if n != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )))
        }
        _ => v["metadata"]["name"] = json!(name),
    }
    // Validate the applied configuration on its own first.
    decode(kind, v.clone(), fv)?;
    w.store
        .apply(kind, ns, name, &v, manager, force, opts, status)
}

/// DeleteOptions from the body (JSON) and the query, as delete.go merges them.
pub(crate) fn delete_options(ctx: &Ctx) -> Result<(DeleteOptions, Option<String>), ApiError> {
    let body: Value = if ctx.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else if protobuf::is_protobuf(&ctx.content_type) {
        protobuf::decode_body(&ctx.body)?
    } else {
        parse_json(&ctx.body)?
    };
    let mut opts = DeleteOptions {
        grace_period_seconds: body["gracePeriodSeconds"].as_i64(),
        propagation: None,
        dry_run: false,
        precondition_uid: body["preconditions"]["uid"].as_str().map(str::to_string),
    };
    if let Some(g) = ctx
        .query
        .int("gracePeriodSeconds")
        .map_err(ApiError::bad_request)?
    {
        opts.grace_period_seconds = Some(g);
    }
    let policy = ctx
        .query
        .get("propagationPolicy")
        .map(str::to_string)
        .or_else(|| body["propagationPolicy"].as_str().map(str::to_string))
        .or_else(|| match body["orphanDependents"].as_bool() {
            Some(true) => Some("Orphan".into()),
            _ => None,
        });
    opts.propagation = match policy.as_deref() {
        None | Some("") => None,
        Some("Background") => Some(Propagation::Background),
        Some("Foreground") => Some(Propagation::Foreground),
        Some("Orphan") => Some(Propagation::Orphan),
        Some(p) => {
            return Err(ApiError::bad_request(format!(
                "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: Unsupported value: \"{p}\": supported values: \"Foreground\", \"Background\", \"Orphan\", \"nil\""
            )))
        }
    };
    let body_dry: Option<Vec<String>> = body["dryRun"].as_array().map(|a| {
        a.iter()
            .filter_map(|d| d.as_str().map(str::to_string))
            .collect()
    });
    opts.dry_run = ctx.dry_run()? || dry_run_values(body_dry.as_deref())?;
    let rv_precondition = body["preconditions"]["resourceVersion"]
        .as_str()
        .map(str::to_string);
    Ok((opts, rv_precondition))
}

pub(crate) async fn delete(ctx: Ctx, kind: Kind, ns: String, name: String) -> ApiResult {
    let (opts, rv_pre) = delete_options(&ctx)?;
    let obj = ctx
        .app
        .sim
        .call_async(move |w| {
            if let Some(rv) = rv_pre {
                let cur = w.store.get(kind, &ns, &name)?;
                if cur.meta().resource_version.as_deref() != Some(rv.as_str()) {
                    return Err(ApiError::new(
                        Reason::Conflict,
                        format!(
                            "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                            kind.info().group_resource(),
                            cur.meta().resource_version.as_deref().unwrap_or("")
                        ),
                    ));
                }
            }
            w.store.delete(kind, &ns, &name, &opts)
        })
        .await
        .map_err(stopped)??;
    Ok(json_response(200, &obj.to_json()))
}

pub(crate) async fn delete_collection(ctx: Ctx, kind: Kind, ns: Option<String>) -> ApiResult {
    let (opts, _) = delete_options(&ctx)?;
    let mut lopts = list_options(&ctx)?;
    lopts.limit = 0;
    lopts.continue_token = None;
    let (deleted, rv) = ctx
        .app
        .sim
        .call_async(move |w| {
            let items = w.store.list(kind, ns.as_deref(), &lopts)?.items;
            let mut out = Vec::new();
            for o in items {
                let m = o.meta();
                let (ons, oname) = (
                    m.namespace.clone().unwrap_or_default(),
                    m.name.clone().unwrap_or_default(),
                );
                match w.store.delete(kind, &ons, &oname, &opts) {
                    Ok(d) => out.push(d),
                    Err(e) if e.reason == Reason::NotFound => {}
                    Err(e) => return Err(e),
                }
            }
            Ok((out, w.store.resource_version()))
        })
        .await
        .map_err(stopped)??;
    Ok(json_response(
        200,
        &list_json(kind, &deleted, json!({"resourceVersion": rv.to_string()})),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_filled_from_the_url_and_checked() {
        let mut v = json!({"metadata": {"name": "x", "creationTimestamp": null}, "spec": {}});
        check_identity(Kind::Deployment, "ns1", &mut v).unwrap();
        assert_eq!(v["apiVersion"], "apps/v1");
        assert_eq!(v["kind"], "Deployment");
        assert_eq!(v["metadata"]["namespace"], "ns1");
        assert!(v["metadata"].get("creationTimestamp").is_none());
        let mut v =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "a"}});
        let e = check_identity(Kind::Pod, "b", &mut v).unwrap_err();
        assert_eq!(e.code(), 400);
        let mut v = json!({"apiVersion": "v1", "kind": "Service", "metadata": {}});
        assert!(check_identity(Kind::Pod, "b", &mut v).is_err());
        assert!(check_identity(Kind::Pod, "b", &mut json!([])).is_err());
    }

    #[test]
    fn field_validation_modes() {
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}, "bogus": 1});
        let e = decode(Kind::ConfigMap, v.clone(), FieldValidation::Strict).unwrap_err();
        assert_eq!(e.code(), 400);
        assert!(
            e.message
                .contains("strict decoding error: unknown field \"bogus\""),
            "{}",
            e.message
        );
        let (_, warnings) = decode(Kind::ConfigMap, v.clone(), FieldValidation::Warn).unwrap();
        assert_eq!(warnings, vec!["unknown field \"bogus\""]);
        let (_, warnings) = decode(Kind::ConfigMap, v, FieldValidation::Ignore).unwrap();
        assert!(warnings.is_empty());
    }

    #[test]
    fn fields_v1_of_an_applied_deployment() {
        let v = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}});
        let f = crate::sim::store::managed::fields_v1(&v);
        assert_eq!(
            f.to_string(),
            r#"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{"f:name":{},"f:image":{},".":{}}}}}}}"#
        );
    }
}
