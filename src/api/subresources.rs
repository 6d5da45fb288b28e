//! Subresources: `/status`, `/scale` (autoscaling/v1 Scale), `pods/log`,
//! `pods/eviction` (PodDisruptionBudget-aware), `pods/binding`, and clear
//! errors for the streaming ones kubesim does not model (exec, attach,
//! portforward, proxy).

use super::handler::{verb_of, Ctx};
use super::logs;
use super::path::ResourcePath;
use super::read::stopped;
use super::response::{json_response, method_not_allowed, success_status, ApiResult};
use super::write::{self, parse_json, parse_patch};
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::{ApiError, DeleteOptions, Patch, Reason, WriteOptions};
use crate::sim::World;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::{json, Value};

pub(crate) async fn handle(ctx: Ctx, kind: Kind, rp: ResourcePath, sub: &str) -> ApiResult {
    let ns = rp.namespace.clone().unwrap_or_default();
    let name = rp.name.clone().unwrap_or_default();
    let verb = verb_of(&ctx, &rp);
    match (sub, verb) {
        ("status", "get") => super::read::get(ctx, kind, ns, name).await,
        ("status", "update") => write::update(ctx, kind, ns, name, true).await,
        ("status", "patch") => write::patch(ctx, kind, ns, name, true).await,
        ("scale", "get" | "update" | "patch") => scale(ctx, kind, ns, name, verb).await,
        ("log", "get") => logs::handle(ctx, ns, name).await,
        ("eviction", "create") => evict(ctx, ns, name).await,
        ("binding", "create") => bind(ctx, ns, name).await,
        ("exec" | "attach" | "portforward", _) => Err(ApiError::bad_request(format!(
            "kubesim does not support {} yet: no container runs in the simulation",
            match sub {
                "portforward" => "port-forward",
                s => s,
            }
        ))),
        ("proxy", _) => Err(ApiError::bad_request(
            "kubesim does not support the proxy subresource yet",
        )),
        (_, v) => Err(method_not_allowed(v, &format!("{}/{sub}", rp.resource))),
    }
}

/// The Scale of a workload (`autoscaling/v1`), as
/// `pkg/registry/apps/deployment/storage/storage.go` scaleFromDeployment builds it.
pub fn scale_of(obj: &Object) -> Result<Value, ApiError> {
    let (spec_replicas, status_replicas, selector) = match obj {
        Object::Deployment(d) => (
            d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            d.status.as_ref().and_then(|s| s.replicas).unwrap_or(0),
            d.spec.as_ref().map(|s| &s.selector),
        ),
        Object::ReplicaSet(r) => (
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            r.status.as_ref().map(|s| s.replicas).unwrap_or(0),
            r.spec.as_ref().map(|s| &s.selector),
        ),
        Object::StatefulSet(s) => (
            s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            s.status.as_ref().map(|s| s.replicas).unwrap_or(0),
            s.spec.as_ref().map(|s| &s.selector),
        ),
        Object::ReplicationController(r) => (
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
            r.status.as_ref().map(|s| s.replicas).unwrap_or(0),
            None,
        ),
        other => {
            return Err(ApiError::not_found(other.kind(), ""));
        }
    };
    let selector = match (obj, selector) {
        (Object::ReplicationController(r), _) => r
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .map(|m| Selector::from_map(m).to_string())
            .unwrap_or_default(),
        (_, Some(s)) => Selector::from_label_selector(s).to_string(),
        _ => String::new(),
    };
    let m = obj.meta();
    Ok(json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": m.name, "namespace": m.namespace, "uid": m.uid,
            "resourceVersion": m.resource_version, "creationTimestamp": m.creation_timestamp,
        },
        "spec": {"replicas": spec_replicas},
        "status": {"replicas": status_replicas, "selector": selector},
    }))
}

fn set_replicas(obj: &mut Object, n: i32) {
    match obj {
        Object::Deployment(d) => d.spec.get_or_insert_with(Default::default).replicas = Some(n),
        Object::ReplicaSet(r) => r.spec.get_or_insert_with(Default::default).replicas = Some(n),
        Object::StatefulSet(s) => s.spec.get_or_insert_with(Default::default).replicas = Some(n),
        Object::ReplicationController(r) => {
            r.spec.get_or_insert_with(Default::default).replicas = Some(n)
        }
        _ => {}
    }
}

async fn scale(ctx: Ctx, kind: Kind, ns: String, name: String, verb: &str) -> ApiResult {
    let change = match verb {
        "get" => None,
        "update" => Some(Patch::Merge(parse_json(&ctx.body)?)),
        _ => Some(parse_patch(&ctx)?),
    };
    let replace = verb == "update";
    let opts = WriteOptions {
        dry_run: ctx.dry_run()?,
        field_manager: Some(ctx.field_manager()),
    };
    let out = ctx
        .app
        .sim
        .call_async(move |w| {
            let cur = w.store.get(kind, &ns, &name)?.clone();
            let current_scale = scale_of(&cur)?;
            let Some(change) = change else {
                return Ok(current_scale);
            };
            let new_scale = if replace {
                match change {
                    Patch::Merge(v) => v,
                    _ => unreachable!("update carries the whole Scale"),
                }
            } else {
                patched(&current_scale, &change)?
            };
            let replicas = new_scale["spec"]["replicas"].as_i64().unwrap_or(0);
            if replicas < 0 || replicas > i32::MAX as i64 {
                return Err(ApiError::invalid(
                    Kind::Deployment,
                    &name,
                    vec![crate::sim::store::FieldError::invalid(
                        "spec.replicas",
                        replicas.to_string(),
                        "must be greater than or equal to 0",
                    )],
                ));
            }
            let mut obj = (*cur).clone();
            // A Scale naming a resourceVersion is an optimistic write.
            match new_scale["metadata"]["resourceVersion"].as_str() {
                Some(rv) if replace && !rv.is_empty() => {
                    obj.meta_mut().resource_version = Some(rv.to_string())
                }
                _ => obj.meta_mut().resource_version = None,
            }
            set_replicas(&mut obj, replicas as i32);
            let updated = w.store.update(obj, &opts)?;
            scale_of(&updated)
        })
        .await
        .map_err(stopped)??;
    Ok(json_response(200, &out))
}

/// Applies a merge, JSON or strategic patch to a plain JSON document.
fn patched(doc: &Value, p: &Patch) -> Result<Value, ApiError> {
    let mut d = doc.clone();
    match p {
        Patch::Merge(v) => json_patch::merge(&mut d, v),
        Patch::Strategic(v) | Patch::Apply(v, _) => {
            crate::objects::patch::strategic_merge(&mut d, v).map_err(ApiError::bad_request)?
        }
        Patch::Json(v) => {
            let ops: json_patch::Patch = serde_json::from_value(v.clone())
                .map_err(|e| ApiError::bad_request(format!("json: cannot unmarshal patch: {e}")))?;
            json_patch::patch(&mut d, &ops)
                .map_err(|e| ApiError::new(Reason::Invalid, e.to_string()))?;
        }
    }
    Ok(d)
}

async fn evict(ctx: Ctx, ns: String, name: String) -> ApiResult {
    let body = if ctx.body.iter().all(u8::is_ascii_whitespace) {
        json!({})
    } else if super::protobuf::is_protobuf(&ctx.content_type) {
        super::protobuf::decode_body(&ctx.body)?
    } else {
        parse_json(&ctx.body)?
    };
    if let Some(n) = body["metadata"]["name"].as_str() {
        if !n.is_empty() && n != name {
            return Err(ApiError::bad_request(
                "name in URL does not match name in Eviction object",
            ));
        }
    }
    let d = &body["deleteOptions"];
    let opts = DeleteOptions {
        grace_period_seconds: d["gracePeriodSeconds"].as_i64(),
        propagation: None,
        dry_run: ctx.dry_run()?
            || d["dryRun"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v == "All")),
        precondition_uid: d["preconditions"]["uid"].as_str().map(str::to_string),
    };
    ctx.app
        .sim
        .call_async(move |w| evict_pod(w, &ns, &name, &opts))
        .await
        .map_err(stopped)??;
    Ok(json_response(201, &success_status(201)))
}

/// Evicts a pod unless a PodDisruptionBudget forbids it
/// (`pkg/registry/core/pod/storage/eviction.go`): a pod that is not ready,
/// or whose budgets all allow a disruption, is deleted; otherwise 429.
pub fn evict_pod(
    w: &mut World,
    ns: &str,
    name: &str,
    opts: &DeleteOptions,
) -> Result<(), ApiError> {
    let pod = w
        .store
        .get_as::<Pod>(ns, name)
        .cloned()
        .ok_or_else(|| ApiError::not_found(Kind::Pod, name))?;
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("");
    // Terminal or not-yet-ready pods never count against a budget.
    if phase != "Succeeded" && phase != "Failed" && is_ready(&pod) {
        for pdb in w
            .store
            .list_as::<k8s_openapi::api::policy::v1::PodDisruptionBudget>(Some(ns))
        {
            let Some(spec) = &pdb.spec else { continue };
            let sel = spec
                .selector
                .as_ref()
                .map(Selector::from_label_selector)
                .unwrap_or_default();
            if sel.is_empty() || !sel.matches_opt(pod.metadata.labels.as_ref()) {
                continue;
            }
            let pods: Vec<&Pod> = w
                .store
                .list_as::<Pod>(Some(ns))
                .filter(|p| p.metadata.deletion_timestamp.is_none())
                .filter(|p| sel.matches_opt(p.metadata.labels.as_ref()))
                .collect();
            let expected = pods.len() as i32;
            let healthy = pods.iter().filter(|p| is_ready(p)).count() as i32;
            let desired = match (&spec.min_available, &spec.max_unavailable) {
                (Some(min), _) => scaled(min, expected, true),
                (None, Some(max)) => expected - scaled(max, expected, true),
                (None, None) => expected,
            };
            if healthy - desired <= 0 {
                let pdb_name = pdb.metadata.name.clone().unwrap_or_default();
                let mut e = ApiError::new(
                    Reason::TooManyRequests,
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                );
                e.causes = vec![crate::sim::store::FieldError {
                    field: String::new(),
                    kind: crate::sim::store::error::FieldErrorType::Forbidden,
                    detail: format!(
                        "The disruption budget {pdb_name} needs {desired} healthy pods and has {healthy} currently"
                    ),
                }];
                return Err(e);
            }
        }
    }
    w.store.delete(Kind::Pod, ns, name, opts)?;
    Ok(())
}

fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// An int or a percentage of `total` (intstr.GetScaledValueFromIntOrPercent).
fn scaled(v: &IntOrString, total: i32, round_up: bool) -> i32 {
    match v {
        IntOrString::Int(i) => *i,
        IntOrString::String(s) => {
            let pct: f64 = s.trim_end_matches('%').parse().unwrap_or(0.0);
            let x = pct * total as f64 / 100.0;
            if round_up {
                x.ceil() as i32
            } else {
                x.floor() as i32
            }
        }
    }
}

async fn bind(ctx: Ctx, ns: String, name: String) -> ApiResult {
    let body = write::body_value(&ctx)?;
    let node = body["target"]["name"].as_str().unwrap_or("").to_string();
    if node.is_empty() {
        return Err(ApiError::invalid(
            Kind::Pod,
            &name,
            vec![crate::sim::store::FieldError::required("target.name")],
        ));
    }
    ctx.app
        .sim
        .call_async(move |w| w.store.bind(&ns, &name, &node))
        .await
        .map_err(stopped)??;
    Ok(json_response(201, &success_status(201)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_of_a_deployment() {
        let d: k8s_openapi::api::apps::v1::Deployment = serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default", "resourceVersion": "7"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": []}}},
            "status": {"replicas": 2}
        }))
        .unwrap();
        let s = scale_of(&Object::Deployment(d)).unwrap();
        assert_eq!(s["kind"], "Scale");
        assert_eq!(s["apiVersion"], "autoscaling/v1");
        assert_eq!(s["spec"]["replicas"], 3);
        assert_eq!(s["status"], json!({"replicas": 2, "selector": "app=web"}));
        let p = patched(&s, &Patch::Merge(json!({"spec": {"replicas": 5}}))).unwrap();
        assert_eq!(p["spec"]["replicas"], 5);
    }

    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(&IntOrString::String("50%".into()), 3, true), 2);
        assert_eq!(scaled(&IntOrString::Int(1), 3, true), 1);
    }
}
