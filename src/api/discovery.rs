//! Discovery documents: `/version`, `/api`, `/apis` (aggregated v2 and the
//! legacy lists) and the per-group-version `APIResourceList`s, generated
//! from the kinds table (`crate::objects::Kind::ALL`).
//!
//! Shapes follow `k8s.io/api/apidiscovery/v2/types.go` and
//! `k8s.io/apimachinery/pkg/apis/meta/v1/types.go` (APIResourceList).

use crate::objects::Kind;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// The Content-Type kubectl requires for aggregated discovery (it parses the
/// body as legacy discovery otherwise and finds nothing).
pub const AGGREGATED_CONTENT_TYPE: &str =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/// What kubesim reports on `/version`: the minor picks the kubectl binary
/// the dispatcher on the PATH runs.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": "v1.33.5",
        "gitCommit": "kubesim",
        "gitTreeState": "clean",
        "buildDate": "2025-09-09T00:00:00Z",
        "goVersion": "go1.24.6",
        "compiler": "gc",
        "platform": "linux/amd64"
    })
}

/// A subresource as discovery lists it.
#[derive(Clone, Debug)]
pub struct SubResource {
    pub name: &'static str,
    /// The group/version/kind of its request and response body.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub verbs: &'static [&'static str],
}

/// One served resource.
#[derive(Clone, Debug)]
pub struct ApiResource {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
    pub verbs: &'static [&'static str],
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub subresources: Vec<SubResource>,
    /// The store kind behind it (None for virtual resources such as reviews and metrics).
    pub store_kind: Option<Kind>,
}

const ALL_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const NAMESPACE_VERBS: &[&str] = &[
    "create", "delete", "get", "list", "patch", "update", "watch",
];

fn subresource(kind: Kind, name: &'static str) -> SubResource {
    let info = kind.info();
    let (group, version, k, verbs): (&str, &str, &str, &[&str]) = match name {
        "status" => (
            info.group,
            info.version,
            info.kind,
            &["get", "patch", "update"],
        ),
        "scale" => ("autoscaling", "v1", "Scale", &["get", "patch", "update"]),
        "log" => ("", "v1", "Pod", &["get"]),
        "eviction" => ("policy", "v1", "Eviction", &["create"]),
        "binding" => ("", "v1", "Binding", &["create"]),
        "exec" => ("", "v1", "PodExecOptions", &["create", "get"]),
        "attach" => ("", "v1", "PodAttachOptions", &["create", "get"]),
        "portforward" => ("", "v1", "PodPortForwardOptions", &["create", "get"]),
        "ephemeralcontainers" => ("", "v1", "Pod", &["get", "patch", "update"]),
        "proxy" if kind == Kind::Node => (
            "",
            "v1",
            "NodeProxyOptions",
            &["create", "delete", "get", "patch", "update"],
        ),
        "proxy" => (
            "",
            "v1",
            "ServiceProxyOptions",
            &["create", "delete", "get", "patch", "update"],
        ),
        "finalize" => ("", "v1", "Namespace", &["update"]),
        "token" => ("authentication.k8s.io", "v1", "TokenRequest", &["create"]),
        _ => (info.group, info.version, info.kind, &["get"]),
    };
    SubResource {
        name,
        group,
        version,
        kind: k,
        verbs,
    }
}

/// Every resource kubesim serves, in discovery order.
pub fn resources() -> &'static [ApiResource] {
    static ALL: OnceLock<Vec<ApiResource>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut out: Vec<ApiResource> = Kind::ALL
            .iter()
            .map(|&k| {
                let i = k.info();
                ApiResource {
                    group: i.group,
                    version: i.version,
                    plural: i.plural,
                    singular: i.singular,
                    kind: i.kind,
                    namespaced: i.namespaced,
                    verbs: if k == Kind::Namespace {
                        NAMESPACE_VERBS
                    } else {
                        ALL_VERBS
                    },
                    short_names: i.short_names,
                    categories: i.categories,
                    subresources: i.subresources.iter().map(|s| subresource(k, s)).collect(),
                    store_kind: Some(k),
                }
            })
            .collect();
        for (plural, kind, namespaced) in [
            (
                "localsubjectaccessreviews",
                "LocalSubjectAccessReview",
                true,
            ),
            ("selfsubjectaccessreviews", "SelfSubjectAccessReview", false),
            ("selfsubjectrulesreviews", "SelfSubjectRulesReview", false),
            ("subjectaccessreviews", "SubjectAccessReview", false),
        ] {
            out.push(virtual_resource(
                "authorization.k8s.io",
                "v1",
                plural,
                kind,
                namespaced,
                &["create"],
            ));
        }
        out.push(virtual_resource(
            "metrics.k8s.io",
            "v1beta1",
            "nodes",
            "NodeMetrics",
            false,
            &["get", "list"],
        ));
        out.push(virtual_resource(
            "metrics.k8s.io",
            "v1beta1",
            "pods",
            "PodMetrics",
            true,
            &["get", "list"],
        ));
        out
    })
}

fn virtual_resource(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    kind: &'static str,
    namespaced: bool,
    verbs: &'static [&'static str],
) -> ApiResource {
    ApiResource {
        group,
        version,
        plural,
        singular: "",
        kind,
        namespaced,
        verbs,
        short_names: &[],
        categories: &[],
        subresources: vec![],
        store_kind: None,
    }
}

/// Finds the resource a path names.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static ApiResource> {
    resources()
        .iter()
        .find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The served group-versions, in order: `(group, version)`.
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut gvs: Vec<(&str, &str)> = Vec::new();
    for r in resources() {
        if !gvs.contains(&(r.group, r.version)) {
            gvs.push((r.group, r.version));
        }
    }
    gvs
}

fn gv_string(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

/// Legacy `GET /api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]
    })
}

/// Legacy `GET /apis`.
pub fn api_group_list() -> Value {
    let groups: Vec<Value> = group_names().into_iter().map(api_group).collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn group_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = Vec::new();
    for (g, _) in group_versions() {
        if !g.is_empty() && !names.contains(&g) {
            names.push(g);
        }
    }
    names
}

/// `GET /apis/GROUP` (an APIGroup), or None for an unknown group.
pub fn api_group_named(name: &str) -> Option<Value> {
    group_names()
        .into_iter()
        .find(|g| *g == name)
        .map(api_group)
}

fn api_group(g: &str) -> Value {
    let versions: Vec<Value> = group_versions()
        .into_iter()
        .filter(|(gg, _)| *gg == g)
        .map(|(_, v)| json!({"groupVersion": gv_string(g, v), "version": v}))
        .collect();
    let preferred = versions[0].clone();
    json!({"kind": "APIGroup", "apiVersion": "v1", "name": g, "versions": versions, "preferredVersion": preferred})
}

/// `GET /api/v1` or `/apis/G/V`: the APIResourceList, or None if not served.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let mut list = Vec::new();
    for r in resources()
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        let mut e = json!({
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": r.verbs,
        });
        if !r.short_names.is_empty() {
            e["shortNames"] = json!(r.short_names);
        }
        if !r.categories.is_empty() {
            e["categories"] = json!(r.categories);
        }
        list.push(e);
        for s in &r.subresources {
            let mut e = json!({
                "name": format!("{}/{}", r.plural, s.name),
                "singularName": "",
                "namespaced": r.namespaced,
                "kind": s.kind,
                "verbs": s.verbs,
            });
            if s.group != r.group || s.version != r.version {
                e["group"] = json!(s.group);
                e["version"] = json!(s.version);
            }
            list.push(e);
        }
    }
    if list.is_empty() {
        return None;
    }
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv_string(group, version),
        "resources": list,
    }))
}

/// Aggregated discovery (`apidiscovery.k8s.io/v2`): `core` selects `/api`
/// (the core group only) or `/apis` (every named group).
pub fn aggregated(core: bool) -> Value {
    let mut items = Vec::new();
    let names: Vec<&str> = if core { vec![""] } else { group_names() };
    for g in names {
        let versions: Vec<Value> = group_versions()
            .into_iter()
            .filter(|(gg, _)| *gg == g)
            .map(|(_, v)| {
                let resources: Vec<Value> = resources()
                    .iter()
                    .filter(|r| r.group == g && r.version == v)
                    .map(aggregated_resource)
                    .collect();
                json!({"version": v, "resources": resources, "freshness": "Current"})
            })
            .collect();
        items.push(
            json!({"metadata": {"name": g, "creationTimestamp": null}, "versions": versions}),
        );
    }
    json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    })
}

fn aggregated_resource(r: &ApiResource) -> Value {
    let mut e = json!({
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": r.singular,
        "verbs": r.verbs,
    });
    if !r.short_names.is_empty() {
        e["shortNames"] = json!(r.short_names);
    }
    if !r.categories.is_empty() {
        e["categories"] = json!(r.categories);
    }
    if !r.subresources.is_empty() {
        let subs: Vec<Value> = r
            .subresources
            .iter()
            .map(|s| {
                json!({
                    "subresource": s.name,
                    "responseKind": {"group": s.group, "version": s.version, "kind": s.kind},
                    "verbs": s.verbs,
                })
            })
            .collect();
        e["subresources"] = json!(subs);
    }
    e
}

/// Whether an Accept header asks for aggregated discovery v2.
pub fn wants_aggregated(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let p: Vec<&str> = part.split(';').map(str::trim).collect();
        p.contains(&"g=apidiscovery.k8s.io")
            && p.contains(&"v=v2")
            && p.contains(&"as=APIGroupDiscoveryList")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_core_group_lists_pods_with_subresources() {
        let doc = aggregated(true);
        assert_eq!(doc["items"].as_array().unwrap().len(), 1);
        let v1 = &doc["items"][0]["versions"][0];
        let pods = v1["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"] == "pods")
            .unwrap();
        assert_eq!(pods["shortNames"], json!(["po"]));
        assert_eq!(pods["categories"], json!(["all"]));
        assert_eq!(pods["scope"], "Namespaced");
        let ev = pods["subresources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["subresource"] == "eviction")
            .unwrap();
        assert_eq!(ev["responseKind"]["group"], "policy");
    }

    #[test]
    fn named_groups_include_metrics_and_scale_is_autoscaling_v1() {
        let doc = aggregated(false);
        let names: Vec<&str> = doc["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["metadata"]["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"apps"));
        assert!(names.contains(&"metrics.k8s.io"));
        assert!(names.contains(&"authorization.k8s.io"));
        assert!(!names.contains(&""));
        let apps = resource_list("apps", "v1").unwrap();
        let scale = apps["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "deployments/scale")
            .unwrap();
        assert_eq!(scale["group"], "autoscaling");
        assert_eq!(scale["kind"], "Scale");
    }

    #[test]
    fn legacy_lists_and_accept_negotiation() {
        let core = resource_list("", "v1").unwrap();
        let names: Vec<&str> = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert!(names.contains(&"pods/eviction"));
        assert!(names.contains(&"namespaces"));
        assert!(resource_list("nope", "v1").is_none());
        let groups = api_group_list();
        assert_eq!(groups["groups"][0]["name"], "apps");
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(!wants_aggregated("application/json, */*"));
        assert_eq!(version()["minor"], "33");
    }
}
