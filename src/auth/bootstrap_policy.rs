//! The ClusterRoles and ClusterRoleBindings a new cluster has: the
//! apiserver's bootstrap policy
//! (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`; its
//! `testdata/cluster-roles.yaml` lists the result) for the roles users meet
//! (`cluster-admin`, the aggregated `admin`/`edit`/`view`, discovery and
//! self-review roles, the roles of the components kubesim runs), and
//! kubeadm's `kubeadm:cluster-admins` binding
//! (`cmd/kubeadm/app/phases/kubeconfig`, v1.29+).

use k8s_openapi::api::rbac::v1::{
    AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, RoleRef, Subject,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

const READ: &[&str] = &["get", "list", "watch"];
const WRITE: &[&str] = &["create", "delete", "deletecollection", "patch", "update"];
/// `ReadWrite`, sorted as `PolicyRuleBuilder.Rule` sorts verbs
/// (`pkg/apis/rbac/v1/helpers.go`).
const READ_WRITE: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];
const AGGREGATE_TO_ADMIN: &str = "rbac.authorization.k8s.io/aggregate-to-admin";
const AGGREGATE_TO_EDIT: &str = "rbac.authorization.k8s.io/aggregate-to-edit";
const AGGREGATE_TO_VIEW: &str = "rbac.authorization.k8s.io/aggregate-to-view";

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// A resource rule: `verbs` on `resources` of `groups`.
pub(crate) fn rule(verbs: &[&str], groups: &[&str], resources: &[&str]) -> PolicyRule {
    PolicyRule {
        verbs: strings(verbs),
        api_groups: Some(strings(groups)),
        resources: Some(strings(resources)),
        ..Default::default()
    }
}

/// A non-resource rule: `verbs` on URL paths.
fn urls(verbs: &[&str], paths: &[&str]) -> PolicyRule {
    PolicyRule {
        verbs: strings(verbs),
        non_resource_urls: Some(strings(paths)),
        ..Default::default()
    }
}

/// cluster-admin's rules: everything.
pub fn cluster_admin_rules() -> Vec<PolicyRule> {
    vec![rule(&["*"], &["*"], &["*"]), urls(&["*"], &["*"])]
}

fn view_rules() -> Vec<PolicyRule> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "configmaps",
                "endpoints",
                "persistentvolumeclaims",
                "persistentvolumeclaims/status",
                "pods",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "serviceaccounts",
                "services",
                "services/status",
            ],
        ),
        rule(
            READ,
            &[""],
            &[
                "bindings",
                "events",
                "limitranges",
                "namespaces/status",
                "pods/log",
                "pods/status",
                "replicationcontrollers/status",
                "resourcequotas",
                "resourcequotas/status",
            ],
        ),
        rule(READ, &[""], &["namespaces"]),
        rule(READ, &["discovery.k8s.io"], &["endpointslices"]),
        rule(
            READ,
            &["apps"],
            &[
                "controllerrevisions",
                "daemonsets",
                "daemonsets/status",
                "deployments",
                "deployments/scale",
                "deployments/status",
                "replicasets",
                "replicasets/scale",
                "replicasets/status",
                "statefulsets",
                "statefulsets/scale",
                "statefulsets/status",
            ],
        ),
        rule(
            READ,
            &["autoscaling"],
            &[
                "horizontalpodautoscalers",
                "horizontalpodautoscalers/status",
            ],
        ),
        rule(
            READ,
            &["batch"],
            &["cronjobs", "cronjobs/status", "jobs", "jobs/status"],
        ),
        rule(
            READ,
            &["policy"],
            &["poddisruptionbudgets", "poddisruptionbudgets/status"],
        ),
        rule(
            READ,
            &["networking.k8s.io"],
            &["ingresses", "ingresses/status", "networkpolicies"],
        ),
    ]
}

fn edit_rules() -> Vec<PolicyRule> {
    vec![
        rule(
            READ,
            &[""],
            &[
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
                "secrets",
                "services/proxy",
            ],
        ),
        rule(&["impersonate"], &[""], &["serviceaccounts"]),
        rule(
            WRITE,
            &[""],
            &[
                "pods",
                "pods/attach",
                "pods/exec",
                "pods/portforward",
                "pods/proxy",
            ],
        ),
        rule(&["create"], &[""], &["pods/eviction"]),
        rule(
            WRITE,
            &[""],
            &[
                "configmaps",
                "events",
                "persistentvolumeclaims",
                "replicationcontrollers",
                "replicationcontrollers/scale",
                "secrets",
                "serviceaccounts",
                "services",
                "services/proxy",
            ],
        ),
        rule(&["create"], &[""], &["serviceaccounts/token"]),
        rule(
            WRITE,
            &["apps"],
            &[
                "daemonsets",
                "deployments",
                "deployments/rollback",
                "deployments/scale",
                "replicasets",
                "replicasets/scale",
                "statefulsets",
                "statefulsets/scale",
            ],
        ),
        rule(WRITE, &["autoscaling"], &["horizontalpodautoscalers"]),
        rule(WRITE, &["batch"], &["cronjobs", "jobs"]),
        rule(WRITE, &["policy"], &["poddisruptionbudgets"]),
        rule(
            WRITE,
            &["networking.k8s.io"],
            &["ingresses", "networkpolicies"],
        ),
        rule(READ_WRITE, &["coordination.k8s.io"], &["leases"]),
    ]
}

fn admin_rules() -> Vec<PolicyRule> {
    vec![
        rule(
            &["create"],
            &["authorization.k8s.io"],
            &["localsubjectaccessreviews"],
        ),
        rule(
            READ_WRITE,
            &["rbac.authorization.k8s.io"],
            &["rolebindings", "roles"],
        ),
    ]
}

fn meta(name: &str, labels: &[&str]) -> ObjectMeta {
    let mut l = BTreeMap::from([(
        "kubernetes.io/bootstrapping".to_string(),
        "rbac-defaults".to_string(),
    )]);
    for key in labels {
        l.insert(key.to_string(), "true".to_string());
    }
    ObjectMeta {
        name: Some(name.to_string()),
        labels: Some(l),
        annotations: Some(BTreeMap::from([(
            "rbac.authorization.kubernetes.io/autoupdate".to_string(),
            "true".to_string(),
        )])),
        ..Default::default()
    }
}

fn role(name: &str, labels: &[&str], rules: Vec<PolicyRule>) -> ClusterRole {
    ClusterRole {
        metadata: meta(name, labels),
        rules: Some(rules),
        ..Default::default()
    }
}

/// An aggregated role: its rules are those of the roles labelled
/// `selector: "true"` (filled in by [`crate::auth::aggregation`]).
fn aggregated(name: &str, labels: &[&str], selector: &str) -> ClusterRole {
    ClusterRole {
        metadata: meta(name, labels),
        aggregation_rule: Some(AggregationRule {
            cluster_role_selectors: Some(vec![LabelSelector {
                match_labels: Some(BTreeMap::from([(selector.to_string(), "true".to_string())])),
                ..Default::default()
            }]),
        }),
        rules: None,
    }
}

/// The default ClusterRoles, aggregated ones with empty rules.
pub fn cluster_roles() -> Vec<ClusterRole> {
    vec![
        aggregated("admin", &[], AGGREGATE_TO_ADMIN),
        role("cluster-admin", &[], cluster_admin_rules()),
        aggregated("edit", &[AGGREGATE_TO_ADMIN], AGGREGATE_TO_EDIT),
        role(
            "system:aggregate-to-admin",
            &[AGGREGATE_TO_ADMIN],
            admin_rules(),
        ),
        role(
            "system:aggregate-to-edit",
            &[AGGREGATE_TO_EDIT],
            edit_rules(),
        ),
        role(
            "system:aggregate-to-view",
            &[AGGREGATE_TO_VIEW],
            view_rules(),
        ),
        role(
            "system:auth-delegator",
            &[],
            vec![
                rule(&["create"], &["authentication.k8s.io"], &["tokenreviews"]),
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["subjectaccessreviews"],
                ),
            ],
        ),
        role(
            "system:basic-user",
            &[],
            vec![
                rule(
                    &["create"],
                    &["authorization.k8s.io"],
                    &["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
                ),
                rule(
                    &["create"],
                    &["authentication.k8s.io"],
                    &["selfsubjectreviews"],
                ),
            ],
        ),
        role(
            "system:discovery",
            &[],
            vec![urls(
                &["get"],
                &[
                    "/api",
                    "/api/*",
                    "/apis",
                    "/apis/*",
                    "/healthz",
                    "/livez",
                    "/openapi",
                    "/openapi/*",
                    "/readyz",
                    "/version",
                    "/version/",
                ],
            )],
        ),
        role(
            "system:kube-dns",
            &[],
            vec![rule(&["list", "watch"], &[""], &["endpoints", "services"])],
        ),
        role(
            "system:monitoring",
            &[],
            vec![urls(
                &["get"],
                &[
                    "/healthz",
                    "/healthz/*",
                    "/livez",
                    "/livez/*",
                    "/metrics",
                    "/metrics/slis",
                    "/readyz",
                    "/readyz/*",
                ],
            )],
        ),
        role(
            "system:node-proxier",
            &[],
            vec![
                rule(&["list", "watch"], &[""], &["endpoints", "services"]),
                rule(READ, &[""], &["nodes"]),
                rule(
                    &["create", "patch", "update"],
                    &["", "events.k8s.io"],
                    &["events"],
                ),
                rule(
                    &["list", "watch"],
                    &["discovery.k8s.io"],
                    &["endpointslices"],
                ),
            ],
        ),
        role(
            "system:public-info-viewer",
            &[],
            vec![urls(
                &["get"],
                &["/healthz", "/livez", "/readyz", "/version", "/version/"],
            )],
        ),
        aggregated("view", &[AGGREGATE_TO_EDIT], AGGREGATE_TO_VIEW),
    ]
}

fn subject(kind: &str, name: &str, namespace: Option<&str>) -> Subject {
    Subject {
        kind: kind.to_string(),
        name: name.to_string(),
        namespace: namespace.map(str::to_string),
        api_group: (kind != "ServiceAccount").then(|| "rbac.authorization.k8s.io".to_string()),
    }
}

fn binding(name: &str, role: &str, subjects: Vec<Subject>, bootstrap: bool) -> ClusterRoleBinding {
    let metadata = if bootstrap {
        meta(name, &[])
    } else {
        ObjectMeta {
            name: Some(name.to_string()),
            ..Default::default()
        }
    };
    ClusterRoleBinding {
        metadata,
        role_ref: RoleRef {
            api_group: "rbac.authorization.k8s.io".into(),
            kind: "ClusterRole".into(),
            name: role.to_string(),
        },
        subjects: Some(subjects),
    }
}

/// The default ClusterRoleBindings, and kubeadm's admin binding.
pub fn cluster_role_bindings() -> Vec<ClusterRoleBinding> {
    let authenticated = || subject("Group", "system:authenticated", None);
    vec![
        binding(
            "cluster-admin",
            "cluster-admin",
            vec![subject("Group", "system:masters", None)],
            true,
        ),
        binding(
            "kubeadm:cluster-admins",
            "cluster-admin",
            vec![subject("Group", "kubeadm:cluster-admins", None)],
            false,
        ),
        binding(
            "system:basic-user",
            "system:basic-user",
            vec![authenticated()],
            true,
        ),
        binding(
            "system:discovery",
            "system:discovery",
            vec![authenticated()],
            true,
        ),
        binding(
            "system:kube-dns",
            "system:kube-dns",
            vec![subject("ServiceAccount", "kube-dns", Some("kube-system"))],
            true,
        ),
        binding(
            "system:node-proxier",
            "system:node-proxier",
            vec![subject("User", "system:kube-proxy", None)],
            true,
        ),
        binding(
            "system:public-info-viewer",
            "system:public-info-viewer",
            vec![
                authenticated(),
                subject("Group", "system:unauthenticated", None),
            ],
            true,
        ),
    ]
}
