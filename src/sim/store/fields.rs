//! Field selectors: the fields each kind supports, as the apiserver's
//! `GetAttrs`/field label conversion functions define them.

use super::{ApiError, Reason};
use crate::objects::kinds::{Kind, Object};
use crate::objects::selectors::FieldSelector;

/// Fields selectable for every kind.
const COMMON: &[&str] = &["metadata.name", "metadata.namespace"];

fn supported(kind: Kind) -> &'static [&'static str] {
    match kind {
        // pkg/registry/core/pod/strategy.go ToSelectableFields
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        // pkg/registry/core/event/strategy.go
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Node => &["spec.unschedulable"],
        Kind::Namespace => &["status.phase"],
        Kind::Secret => &["type"],
        Kind::ReplicaSet | Kind::ReplicationController => &["status.replicas"],
        Kind::Job => &["status.successful"],
        _ => &[],
    }
}

pub(super) fn check_supported(kind: Kind, field: &str) -> Result<(), ApiError> {
    if COMMON.contains(&field) || supported(kind).contains(&field) {
        Ok(())
    } else {
        Err(ApiError::new(
            Reason::BadRequest,
            format!("field label not supported: {field}"),
        ))
    }
}

/// The value of a selectable field, as a string.
fn value(obj: &Object, field: &str) -> String {
    let m = obj.meta();
    match field {
        "metadata.name" => return m.name.clone().unwrap_or_default(),
        "metadata.namespace" => return m.namespace.clone().unwrap_or_default(),
        _ => {}
    }
    match obj {
        Object::Pod(p) => {
            let spec = p.spec.as_ref();
            let status = p.status.as_ref();
            match field {
                "spec.nodeName" => spec.and_then(|s| s.node_name.clone()),
                "spec.restartPolicy" => spec.and_then(|s| s.restart_policy.clone()),
                "spec.schedulerName" => spec.and_then(|s| s.scheduler_name.clone()),
                "spec.serviceAccountName" => spec.and_then(|s| s.service_account_name.clone()),
                "spec.hostNetwork" => Some(
                    spec.and_then(|s| s.host_network)
                        .unwrap_or(false)
                        .to_string(),
                ),
                "status.phase" => status.and_then(|s| s.phase.clone()),
                "status.podIP" => status.and_then(|s| s.pod_ip.clone()),
                "status.nominatedNodeName" => status.and_then(|s| s.nominated_node_name.clone()),
                _ => None,
            }
            .unwrap_or_default()
        }
        Object::Event(e) => {
            let io = &e.involved_object;
            match field {
                "involvedObject.kind" => io.kind.clone(),
                "involvedObject.namespace" => io.namespace.clone(),
                "involvedObject.name" => io.name.clone(),
                "involvedObject.uid" => io.uid.clone(),
                "involvedObject.apiVersion" => io.api_version.clone(),
                "involvedObject.resourceVersion" => io.resource_version.clone(),
                "involvedObject.fieldPath" => io.field_path.clone(),
                "reason" => e.reason.clone(),
                "reportingComponent" => e.reporting_component.clone(),
                "source" => e.source.as_ref().and_then(|s| s.component.clone()),
                "type" => e.type_.clone(),
                _ => None,
            }
            .unwrap_or_default()
        }
        Object::Node(n) => match field {
            "spec.unschedulable" => n
                .spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
                .to_string(),
            _ => String::new(),
        },
        Object::Namespace(n) => match field {
            "status.phase" => n
                .status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default(),
            _ => String::new(),
        },
        Object::Secret(s) => match field {
            "type" => s.type_.clone().unwrap_or_default(),
            _ => String::new(),
        },
        Object::ReplicaSet(r) => r
            .status
            .as_ref()
            .map(|s| s.replicas.to_string())
            .unwrap_or_default(),
        Object::Job(j) => j
            .status
            .as_ref()
            .and_then(|s| s.succeeded)
            .unwrap_or(0)
            .to_string(),
        _ => String::new(),
    }
}

pub(super) fn matches(obj: &Object, sel: &FieldSelector) -> bool {
    sel.requirements
        .iter()
        .all(|r| (value(obj, &r.field) == r.value) != r.negate)
}
