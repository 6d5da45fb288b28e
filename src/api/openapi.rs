//! OpenAPI v3: the index (`/openapi/v3`) and one document per served
//! group-version, with the schemas and descriptions of the k8s-openapi
//! types (their `schemars` feature), laid out as the apiserver's
//! `api/openapi-spec/v3/*.json`.
//!
//! kubectl needs two things from them (wire notes section 4):
//! - `apply` checks that the PATCH operation of the object's kind takes the
//!   `fieldValidation` query parameter, and then lets the server validate;
//! - `explain` finds a kind's schema by its `x-kubernetes-group-version-kind`.

use super::discovery;
use crate::objects::Kind;
use schemars::generate::SchemaSettings;
use schemars::SchemaGenerator;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

struct Doc {
    group: &'static str,
    version: &'static str,
    body: Vec<u8>,
    hash: String,
}

fn docs() -> &'static [Doc] {
    static DOCS: OnceLock<Vec<Doc>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut gvs: Vec<(&'static str, &'static str)> = Vec::new();
        for k in Kind::ALL {
            let i = k.info();
            if !gvs.contains(&(i.group, i.version)) {
                gvs.push((i.group, i.version));
            }
        }
        gvs.into_iter()
            .map(|(g, v)| {
                let body = serde_json::to_vec(&build(g, v)).unwrap_or_default();
                let hash = format!("{:016X}", fnv1a(&body));
                Doc {
                    group: g,
                    version: v,
                    body,
                    hash,
                }
            })
            .collect()
    })
}

fn fnv1a(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf29ce484222325u64, |h, c| {
        (h ^ *c as u64).wrapping_mul(0x100000001b3)
    })
}

fn doc_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `GET /openapi/v3`
pub fn index() -> Value {
    let mut paths = Map::new();
    for d in docs() {
        let p = doc_path(d.group, d.version);
        paths.insert(
            p.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{p}?hash={}", d.hash)}),
        );
    }
    json!({"paths": paths})
}

/// `GET /openapi/v3/api/v1` or `/openapi/v3/apis/G/V`, as JSON bytes.
pub fn document(group: &str, version: &str) -> Option<&'static [u8]> {
    docs()
        .iter()
        .find(|d| d.group == group && d.version == version)
        .map(|d| d.body.as_slice())
}

/// Registers the schema of `kind` (and everything it references); returns
/// its schema name.
fn register(kind: Kind, g: &mut SchemaGenerator) -> String {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch,
        coordination::v1 as coordination, core::v1 as core, discovery::v1 as disc,
        networking::v1 as networking, policy::v1 as policy, rbac::v1 as rbac,
        scheduling::v1 as scheduling, storage::v1 as storage,
    };
    fn reg<T: schemars::JsonSchema>(g: &mut SchemaGenerator) -> String {
        g.subschema_for::<T>();
        T::schema_name().into_owned()
    }
    match kind {
        Kind::Pod => reg::<core::Pod>(g),
        Kind::ReplicationController => reg::<core::ReplicationController>(g),
        Kind::Service => reg::<core::Service>(g),
        Kind::ConfigMap => reg::<core::ConfigMap>(g),
        Kind::Endpoints => reg::<core::Endpoints>(g),
        Kind::Event => reg::<core::Event>(g),
        Kind::LimitRange => reg::<core::LimitRange>(g),
        Kind::Namespace => reg::<core::Namespace>(g),
        Kind::Node => reg::<core::Node>(g),
        Kind::PersistentVolumeClaim => reg::<core::PersistentVolumeClaim>(g),
        Kind::PersistentVolume => reg::<core::PersistentVolume>(g),
        Kind::ResourceQuota => reg::<core::ResourceQuota>(g),
        Kind::Secret => reg::<core::Secret>(g),
        Kind::ServiceAccount => reg::<core::ServiceAccount>(g),
        Kind::ControllerRevision => reg::<apps::ControllerRevision>(g),
        Kind::DaemonSet => reg::<apps::DaemonSet>(g),
        Kind::Deployment => reg::<apps::Deployment>(g),
        Kind::ReplicaSet => reg::<apps::ReplicaSet>(g),
        Kind::StatefulSet => reg::<apps::StatefulSet>(g),
        Kind::HorizontalPodAutoscaler => reg::<autoscaling::HorizontalPodAutoscaler>(g),
        Kind::CronJob => reg::<batch::CronJob>(g),
        Kind::Job => reg::<batch::Job>(g),
        Kind::Lease => reg::<coordination::Lease>(g),
        Kind::EndpointSlice => reg::<disc::EndpointSlice>(g),
        Kind::IngressClass => reg::<networking::IngressClass>(g),
        Kind::Ingress => reg::<networking::Ingress>(g),
        Kind::NetworkPolicy => reg::<networking::NetworkPolicy>(g),
        Kind::PodDisruptionBudget => reg::<policy::PodDisruptionBudget>(g),
        Kind::ClusterRoleBinding => reg::<rbac::ClusterRoleBinding>(g),
        Kind::ClusterRole => reg::<rbac::ClusterRole>(g),
        Kind::RoleBinding => reg::<rbac::RoleBinding>(g),
        Kind::Role => reg::<rbac::Role>(g),
        Kind::PriorityClass => reg::<scheduling::PriorityClass>(g),
        Kind::StorageClass => reg::<storage::StorageClass>(g),
    }
}

/// One group-version's document.
fn build(group: &str, version: &str) -> Value {
    let mut g = SchemaSettings::openapi3().into_generator();
    let kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| k.info().group == group && k.info().version == version)
        .collect();
    let names: Vec<(Kind, String)> = kinds.iter().map(|&k| (k, register(k, &mut g))).collect();
    let mut schemas = g.take_definitions(true);
    let mut paths = Map::new();
    for (kind, name) in &names {
        let info = kind.info();
        let gvk = json!({"group": info.group, "version": info.version, "kind": info.kind});
        if let Some(s) = schemas.get_mut(name).and_then(Value::as_object_mut) {
            s.insert("x-kubernetes-group-version-kind".into(), json!([gvk]));
        }
        let prefix = if group.is_empty() {
            format!("/api/{version}")
        } else {
            format!("/apis/{group}/{version}")
        };
        let scope = if info.namespaced {
            "/namespaces/{namespace}"
        } else {
            ""
        };
        let obj_ref = json!({"$ref": format!("#/components/schemas/{name}")});
        let ok = json!({"200": {"description": "OK", "content": {"application/json": {"schema": obj_ref}}}});
        let field_validation = json!({"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true},
            "description": "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"});
        let mut params = vec![
            json!({"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}),
        ];
        if info.namespaced {
            params.push(json!({"name": "namespace", "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        paths.insert(
            format!("{prefix}{scope}/{}/{{name}}", info.plural),
            json!({
                "get": {"operationId": format!("read{}", info.kind), "x-kubernetes-action": "get",
                        "x-kubernetes-group-version-kind": gvk, "responses": ok},
                "put": {"operationId": format!("replace{}", info.kind), "x-kubernetes-action": "put",
                        "x-kubernetes-group-version-kind": gvk, "parameters": [field_validation], "responses": ok},
                "patch": {"operationId": format!("patch{}", info.kind), "x-kubernetes-action": "patch",
                          "x-kubernetes-group-version-kind": gvk,
                          "parameters": [field_validation, {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}}],
                          "responses": ok},
                "delete": {"operationId": format!("delete{}", info.kind), "x-kubernetes-action": "delete",
                           "x-kubernetes-group-version-kind": gvk, "responses": ok},
                "parameters": params,
            }),
        );
        paths.insert(
            format!("{prefix}{scope}/{}", info.plural),
            json!({
                "post": {"operationId": format!("create{}", info.kind), "x-kubernetes-action": "post",
                         "x-kubernetes-group-version-kind": gvk, "parameters": [field_validation], "responses": ok},
            }),
        );
    }
    let title_version = discovery::version()["gitVersion"].clone();
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": title_version},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_document_has_patch_with_field_validation_and_gvk_schemas() {
        let doc: Value = serde_json::from_slice(document("apps", "v1").unwrap()).unwrap();
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert!(patch["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "fieldValidation" && p["in"] == "query"));
        let dep = &doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"];
        assert_eq!(
            dep["x-kubernetes-group-version-kind"][0]["kind"],
            "Deployment"
        );
        assert!(dep["description"]
            .as_str()
            .unwrap()
            .starts_with("Deployment enables"));
        let replicas = &doc["components"]["schemas"]["io.k8s.api.apps.v1.DeploymentSpec"]
            ["properties"]["replicas"];
        assert_eq!(replicas["type"], "integer");
        // References use allOf so that their descriptions survive (as upstream's documents do).
        let spec = &dep["properties"]["spec"];
        assert!(spec.get("$ref").is_none(), "{spec}");
        assert!(
            doc["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
                .is_object()
        );
    }

    #[test]
    fn index_lists_every_group_version_with_a_hash() {
        let idx = index();
        let core = idx["paths"]["api/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(core.starts_with("/openapi/v3/api/v1?hash="));
        assert!(idx["paths"]["apis/apps/v1"].is_object());
        assert!(document("nope", "v1").is_none());
    }
}
