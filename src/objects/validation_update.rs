//! What an update may not change, as the apiserver's `Validate*Update`
//! functions check it (`pkg/apis/core/validation/validation.go`,
//! `pkg/apis/apps/validation/validation.go`,
//! `pkg/apis/batch/validation/validation.go`): a pod's spec beyond its
//! images and a few fields, a workload's selector, a StatefulSet's spec
//! beyond replicas/template/strategy, an immutable ConfigMap's or Secret's
//! data, a Secret's type, a Job's template, a bound claim's spec.
//!
//! Called by admission on every update (PUT, PATCH, apply), after defaults,
//! so both objects are compared in the same defaulted form.

use crate::objects::kinds::Object;
use crate::sim::store::{ApiError, FieldError};
use k8s_openapi::api::core::v1::PodSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// The fields a pod update may change (v1.33 `ValidatePodUpdate`).
const POD_UPDATABLE: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

const STATEFULSET_UPDATABLE: &str = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const IMMUTABLE_WHEN_SET: &str = "field is immutable when `immutable` is set";

/// Checks `new` against the stored `old`; Err is the apiserver's 422.
pub fn validate_update(old: &Object, new: &Object) -> Result<(), ApiError> {
    let errs = problems(old, new);
    if errs.is_empty() {
        return Ok(());
    }
    let name = new.meta().name.clone().unwrap_or_default();
    Err(ApiError::invalid(new.kind(), &name, errs))
}

/// What `new` changes that an update may not, as field errors.
pub fn problems(old: &Object, new: &Object) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match (old, new) {
        (Object::Pod(o), Object::Pod(n)) => {
            if let (Some(os), Some(ns)) = (&o.spec, &n.spec) {
                if let Some(e) = pod_spec_update(os, ns) {
                    errs.push(e);
                }
            }
        }
        (Object::Deployment(o), Object::Deployment(n)) => selector_immutable(
            &mut errs,
            o.spec.as_ref().map(|s| &s.selector),
            n.spec.as_ref().map(|s| &s.selector),
        ),
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => selector_immutable(
            &mut errs,
            o.spec.as_ref().map(|s| &s.selector),
            n.spec.as_ref().map(|s| &s.selector),
        ),
        (Object::DaemonSet(o), Object::DaemonSet(n)) => selector_immutable(
            &mut errs,
            o.spec.as_ref().map(|s| &s.selector),
            n.spec.as_ref().map(|s| &s.selector),
        ),
        (Object::StatefulSet(o), Object::StatefulSet(n)) => {
            if let (Some(os), Some(ns)) = (&o.spec, &n.spec) {
                // Everything but the updatable fields must stay as it was.
                let mut munged = ns.clone();
                munged.replicas = os.replicas;
                munged.ordinals = os.ordinals.clone();
                munged.template = os.template.clone();
                munged.update_strategy = os.update_strategy.clone();
                munged.revision_history_limit = os.revision_history_limit;
                munged.persistent_volume_claim_retention_policy =
                    os.persistent_volume_claim_retention_policy.clone();
                munged.min_ready_seconds = os.min_ready_seconds;
                if !same(&munged, os) {
                    errs.push(FieldError::forbidden("spec", STATEFULSET_UPDATABLE));
                }
            }
        }
        (Object::Job(o), Object::Job(n)) => {
            if let (Some(os), Some(ns)) = (&o.spec, &n.spec) {
                if os.selector != ns.selector {
                    errs.push(FieldError::invalid(
                        "spec.selector",
                        go_selector(ns.selector.as_ref()),
                        "field is immutable",
                    ));
                }
                // The template is immutable, except what a suspended Job's
                // scheduling directives may change (not modelled).
                if !same(&os.template, &ns.template) {
                    errs.push(FieldError::invalid(
                        "spec.template",
                        "core.PodTemplateSpec{...}",
                        "field is immutable",
                    ));
                }
                if os.completions != ns.completions
                    && ns.completion_mode.as_deref() != Some("Indexed")
                {
                    errs.push(FieldError::invalid(
                        "spec.completions",
                        ns.completions.map(|c| c.to_string()).unwrap_or_default(),
                        "field is immutable",
                    ));
                }
            }
        }
        (Object::ConfigMap(o), Object::ConfigMap(n)) if o.immutable == Some(true) => {
            if n.immutable != Some(true) {
                errs.push(FieldError::forbidden("immutable", IMMUTABLE_WHEN_SET));
            }
            if o.data != n.data {
                errs.push(FieldError::forbidden("data", IMMUTABLE_WHEN_SET));
            }
            if o.binary_data != n.binary_data {
                errs.push(FieldError::forbidden("binaryData", IMMUTABLE_WHEN_SET));
            }
        }
        (Object::Secret(o), Object::Secret(n)) => {
            if o.type_ != n.type_ {
                errs.push(FieldError::invalid(
                    "type",
                    n.type_.clone().unwrap_or_default(),
                    "field is immutable",
                ));
            }
            if o.immutable == Some(true) {
                if n.immutable != Some(true) {
                    errs.push(FieldError::forbidden("immutable", IMMUTABLE_WHEN_SET));
                }
                if o.data != n.data {
                    errs.push(FieldError::forbidden("data", IMMUTABLE_WHEN_SET));
                }
            }
        }
        (Object::PersistentVolumeClaim(o), Object::PersistentVolumeClaim(n)) => {
            let bound = o
                .spec
                .as_ref()
                .and_then(|s| s.volume_name.as_deref())
                .is_some();
            if let (Some(os), Some(ns)) = (&o.spec, &n.spec) {
                let mut munged = ns.clone();
                munged.volume_attributes_class_name = os.volume_attributes_class_name.clone();
                if bound {
                    munged.resources = os.resources.clone();
                }
                // The binder fills volumeName in once.
                if os.volume_name.is_none() {
                    munged.volume_name = None;
                }
                if !same(&munged, os) {
                    errs.push(FieldError::forbidden(
                        "spec",
                        "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
                    ));
                }
            }
        }
        _ => {}
    }
    errs
}

/// `ValidatePodUpdate`: the new spec with the updatable fields taken back
/// from the old one must equal the old spec.
fn pod_spec_update(old: &PodSpec, new: &PodSpec) -> Option<FieldError> {
    let mut munged = new.clone();
    if munged.containers.len() == old.containers.len() {
        for (m, o) in munged.containers.iter_mut().zip(&old.containers) {
            m.image = o.image.clone();
        }
    }
    if let (Some(m), Some(o)) = (
        munged.init_containers.as_mut(),
        old.init_containers.as_ref(),
    ) {
        if m.len() == o.len() {
            for (mc, oc) in m.iter_mut().zip(o) {
                mc.image = oc.image.clone();
            }
        }
    }
    munged.active_deadline_seconds = old.active_deadline_seconds;
    // Tolerations may only be added to.
    let old_tol = old.tolerations.clone().unwrap_or_default();
    let new_tol = new.tolerations.clone().unwrap_or_default();
    if old_tol.iter().all(|t| new_tol.contains(t)) {
        munged.tolerations = old.tolerations.clone();
    }
    if old.termination_grace_period_seconds.is_some_and(|g| g < 0)
        && new.termination_grace_period_seconds == Some(1)
    {
        munged.termination_grace_period_seconds = old.termination_grace_period_seconds;
    }
    // The scheduler sets nodeName once, through the binding.
    if old.node_name.is_none() {
        munged.node_name = None;
    }
    if same(&munged, old) {
        return None;
    }
    Some(FieldError::forbidden(
        "spec",
        format!(
            "pod updates may not change fields other than {POD_UPDATABLE}\n{}",
            spec_diff(old, &munged)
        ),
    ))
}

/// A short account of which top-level spec fields differ, in the shape
/// of the `cmp.Diff` upstream appends (whose full text depends on Go's
/// internal types and is not reproduced).
fn spec_diff(old: &PodSpec, new: &PodSpec) -> String {
    let o = serde_json::to_value(old).unwrap_or_default();
    let n = serde_json::to_value(new).unwrap_or_default();
    let empty = serde_json::Map::new();
    let (om, nm) = (
        o.as_object().unwrap_or(&empty),
        n.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = om.keys().chain(nm.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = String::from("  core.PodSpec{\n");
    for k in keys {
        let (a, b) = (om.get(k), nm.get(k));
        if a == b {
            continue;
        }
        let field = go_field_name(k);
        if let Some(a) = a {
            out.push_str(&format!("- \t{field}: {a},\n"));
        }
        if let Some(b) = b {
            out.push_str(&format!("+ \t{field}: {b},\n"));
        }
    }
    out.push_str("  }\n");
    out
}

/// `containers` → `Containers`, `nodeName` → `NodeName`.
fn go_field_name(json: &str) -> String {
    let mut c = json.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn selector_immutable(
    errs: &mut Vec<FieldError>,
    old: Option<&LabelSelector>,
    new: Option<&LabelSelector>,
) {
    if old != new {
        errs.push(FieldError::invalid(
            "spec.selector",
            go_selector(new),
            "field is immutable",
        ));
    }
}

/// A LabelSelector as Go's `%#v` prints it (`v1.LabelSelector{MatchLabels:
/// map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`).
pub fn go_selector(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else {
        return "(*v1.LabelSelector)(nil)".into();
    };
    let labels = match &sel.match_labels {
        None => "map[string]string(nil)".to_string(),
        Some(m) => format!(
            "map[string]string{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k:?}:{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let exprs = match &sel.match_expressions {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(list) => format!(
            "[]v1.LabelSelectorRequirement{{{}}}",
            list.iter()
                .map(|r| {
                    let values = match &r.values {
                        None => "[]string(nil)".to_string(),
                        Some(v) => format!(
                            "[]string{{{}}}",
                            v.iter()
                                .map(|x| format!("{x:?}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    };
                    format!(
                        "v1.LabelSelectorRequirement{{Key:{:?}, Operator:{:?}, Values:{values}}}",
                        r.key, r.operator
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

/// Semantic equality through the JSON form (so `[]` and absent compare as
/// the serializer makes them).
fn same<T: serde::Serialize>(a: &T, b: &T) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::manifest::decode_object;
    use serde_json::json;

    fn obj(v: serde_json::Value) -> Object {
        decode_object(v, true).unwrap()
    }

    fn pod(image: &str, port: i32) -> Object {
        obj(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "web", "image": image,
                "ports": [{"containerPort": port}]}]}}),
        )
    }

    #[test]
    fn a_pod_may_change_its_image_but_not_its_ports() {
        assert!(validate_update(&pod("nginx", 80), &pod("nginx:1.27", 80)).is_ok());
        let e = validate_update(&pod("nginx", 80), &pod("nginx", 8080)).unwrap_err();
        assert!(
            e.message.starts_with(&format!(
                "The Pod \"web\" is invalid: spec: Forbidden: pod updates may not change fields other than {POD_UPDATABLE}\n  core.PodSpec{{\n- \tContainers: "
            )),
            "{}",
            e.message
        );
    }

    fn deploy(app: &str) -> Object {
        obj(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"selector": {"matchLabels": {"app": app}},
                "template": {"metadata": {"labels": {"app": app}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}),
        )
    }

    #[test]
    fn a_workload_selector_is_immutable() {
        assert!(validate_update(&deploy("web"), &deploy("web")).is_ok());
        let e = validate_update(&deploy("web"), &deploy("web2")).unwrap_err();
        assert_eq!(
            e.message,
            "The Deployment \"web\" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"
        );
    }

    #[test]
    fn an_immutable_configmap_keeps_its_data() {
        let cm = |data: &str, immutable: bool| {
            obj(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "xyz"},
                "data": {"a": data}, "immutable": immutable}),
            )
        };
        assert!(validate_update(&cm("b", false), &cm("c", true)).is_ok());
        let e = validate_update(&cm("b", true), &cm("c", true)).unwrap_err();
        assert_eq!(
            e.message,
            "The ConfigMap \"xyz\" is invalid: data: Forbidden: field is immutable when `immutable` is set"
        );
    }
}
