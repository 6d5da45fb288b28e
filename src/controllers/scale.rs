//! `kubectl scale` through the scale subresource
//! (`staging/src/k8s.io/kubectl/pkg/scale/scale.go`): Deployments,
//! ReplicaSets, StatefulSets and ReplicationControllers.

use crate::objects::kinds::Kind;
use crate::sim::store::{ApiError, Reason, Store};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::core::v1::ReplicationController;

/// Sets `spec.replicas` and returns kubectl's line
/// (`deployment.apps/web scaled`). Kinds without a scale subresource fail
/// as the apiserver answers (`the server could not find the requested
/// resource`); negative counts fail validation like upstream.
pub fn scale(
    store: &mut Store,
    kind: Kind,
    ns: &str,
    name: &str,
    replicas: i32,
) -> Result<String, ApiError> {
    if !kind.info().subresources.contains(&"scale") {
        return Err(ApiError::new(
            Reason::NotFound,
            "the server could not find the requested resource",
        ));
    }
    store.get(kind, ns, name)?;
    if replicas < 0 {
        return Err(ApiError::new(
            Reason::Invalid,
            format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ),
        ));
    }
    let set = Some(replicas);
    match kind {
        Kind::Deployment => store.modify::<Deployment>(ns, name, false, |d| {
            d.spec.get_or_insert_with(Default::default).replicas = set
        })?,
        Kind::ReplicaSet => store.modify::<ReplicaSet>(ns, name, false, |r| {
            r.spec.get_or_insert_with(Default::default).replicas = set
        })?,
        Kind::StatefulSet => store.modify::<StatefulSet>(ns, name, false, |s| {
            s.spec.get_or_insert_with(Default::default).replicas = set
        })?,
        Kind::ReplicationController => {
            store.modify::<ReplicationController>(ns, name, false, |r| {
                r.spec.get_or_insert_with(Default::default).replicas = set
            })?
        }
        _ => {
            return Err(ApiError::new(
                Reason::NotFound,
                "the server could not find the requested resource",
            ))
        }
    };
    Ok(format!("{}/{name} scaled", kind.info().kind_prefix()))
}
