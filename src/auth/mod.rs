//! Who may do what: the RBAC authorizer, shared by the HTTP API (every
//! request passes through it), `kubectl auth can-i` in the REPL, and the
//! access reviews.
//!
//! - [`rbac`] evaluates Roles, ClusterRoles and their bindings in the store,
//!   as `plugin/pkg/auth/authorizer/rbac/rbac.go` does;
//! - [`bootstrap_policy`] holds the default ClusterRoles and
//!   ClusterRoleBindings every cluster starts with
//!   (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go`), plus
//!   kubeadm's `kubeadm:cluster-admins` binding;
//! - [`aggregation`] computes the rules of an aggregated ClusterRole
//!   (`admin`, `edit`, `view`) from the roles its selectors pick.

pub mod aggregation;
pub mod bootstrap_policy;
pub mod rbac;

pub use rbac::{authorize, forbidden, rules_for, Decision};

/// The authenticated user of a request (`user.Info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub groups: Vec<String>,
}

/// The group the apiserver lets do everything, whatever RBAC says
/// (`user.SystemPrivilegedGroup`).
pub const SYSTEM_MASTERS: &str = "system:masters";

impl UserInfo {
    /// kubeadm's admin.conf identity (v1.29+): group `kubeadm:cluster-admins`,
    /// bound to cluster-admin by kubeadm.
    pub fn admin() -> UserInfo {
        UserInfo {
            name: "kubernetes-admin".into(),
            groups: vec![
                "kubeadm:cluster-admins".into(),
                "system:authenticated".into(),
            ],
        }
    }

    /// A user named `name` with extra `groups`, as authentication (or
    /// impersonation) completes it: a service account's username brings its
    /// groups when none are given, and everyone is `system:authenticated`.
    pub fn named(name: &str, mut groups: Vec<String>) -> UserInfo {
        if groups.is_empty() {
            if let Some(ns) = service_account_namespace(name) {
                groups.push("system:serviceaccounts".into());
                groups.push(format!("system:serviceaccounts:{ns}"));
            }
        }
        if !groups.iter().any(|g| g == "system:authenticated") {
            groups.push("system:authenticated".into());
        }
        UserInfo {
            name: name.to_string(),
            groups,
        }
    }
}

/// `system:serviceaccount:NS:NAME` → `NS`.
fn service_account_namespace(user: &str) -> Option<&str> {
    let rest = user.strip_prefix("system:serviceaccount:")?;
    let (ns, name) = rest.split_once(':')?;
    (!ns.is_empty() && !name.is_empty()).then_some(ns)
}

/// What a request does, as authorizers see it (`authorizer.Attributes`).
/// A non-resource request (`/healthz`, `/api`) has `path` set and an empty
/// `resource`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attributes {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: String,
    pub namespace: String,
    pub name: String,
    pub path: String,
}

impl Attributes {
    pub fn is_resource_request(&self) -> bool {
        self.path.is_empty()
    }
}
