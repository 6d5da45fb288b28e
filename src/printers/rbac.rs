//! Tables of RoleBinding and ClusterRoleBinding (`printRoleBinding`,
//! `printClusterRoleBinding` in `pkg/printers/internalversion/printers.go`).
//! Role and ClusterRole have no printer: they get the default table.

use super::descriptions as d;
use super::{age_cell, Cell, Column};
use k8s_openapi::api::rbac::v1::{RoleRef, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub fn binding_columns(cluster: bool) -> Vec<Column> {
    let (users, groups, sas) = if cluster {
        (
            "Users in the clusterRoleBinding",
            "Groups in the clusterRoleBinding",
            "ServiceAccounts in the clusterRoleBinding",
        )
    } else {
        (
            "Users in the roleBinding",
            "Groups in the roleBinding",
            "ServiceAccounts in the roleBinding",
        )
    };
    vec![
        Column::name_col(),
        Column::new(
            "Role",
            "string",
            if cluster {
                d::CRB_ROLE_REF
            } else {
                d::RB_ROLE_REF
            },
        ),
        Column::age(),
        Column::new("Users", "string", users).wide(),
        Column::new("Groups", "string", groups).wide(),
        Column::new("ServiceAccounts", "string", sas).wide(),
    ]
}

/// `rbac.SubjectsStrings`: users, groups and `namespace/name` service
/// accounts, in subject order.
pub fn subjects_strings(subjects: &[Subject]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut sas = Vec::new();
    for s in subjects {
        match s.kind.as_str() {
            "ServiceAccount" => sas.push(format!(
                "{}/{}",
                s.namespace.clone().unwrap_or_default(),
                s.name
            )),
            "User" => users.push(s.name.clone()),
            "Group" => groups.push(s.name.clone()),
            _ => {}
        }
    }
    (users, groups, sas)
}

pub fn binding_cells(
    meta: &ObjectMeta,
    role_ref: &RoleRef,
    subjects: Option<&Vec<Subject>>,
    now: jiff::Timestamp,
) -> Vec<Cell> {
    let (users, groups, sas) = subjects_strings(subjects.map(|s| s.as_slice()).unwrap_or(&[]));
    vec![
        Cell::Str(meta.name.clone().unwrap_or_default()),
        Cell::Str(format!("{}/{}", role_ref.kind, role_ref.name)),
        age_cell(meta, now),
        Cell::Str(users.join(", ")),
        Cell::Str(groups.join(", ")),
        Cell::Str(sas.join(", ")),
    ]
}
