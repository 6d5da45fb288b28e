//! The Node table: `printNode` in pkg/printers/internalversion/printers.go.

use super::descriptions as d;
use super::{age_cell, Cell, Column};
use k8s_openapi::api::core::v1::Node;
use std::collections::BTreeSet;

pub fn columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Status", "string", "The status of the node"),
        Column::new("Roles", "string", "The roles of the node"),
        Column::age(),
        Column::new("Version", "string", d::NODE_KUBELET_VERSION),
        Column::new("Internal-IP", "string", d::NODE_ADDRESSES).wide(),
        Column::new("External-IP", "string", d::NODE_ADDRESSES).wide(),
        Column::new("OS-Image", "string", d::NODE_OS_IMAGE).wide(),
        Column::new("Kernel-Version", "string", d::NODE_KERNEL).wide(),
        Column::new("Container-Runtime", "string", d::NODE_RUNTIME).wide(),
    ]
}

/// `Ready`, `NotReady` or `Unknown`, plus `,SchedulingDisabled` when cordoned.
pub fn node_status(n: &Node) -> String {
    let ready = n
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let mut s = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if n.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
    {
        s.push_str(",SchedulingDisabled");
    }
    s
}

/// The ROLES cell: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`.
pub fn node_roles(n: &Node) -> String {
    let mut roles = BTreeSet::new();
    for (k, v) in n.metadata.labels.iter().flatten() {
        if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if k == "kubernetes.io/role" && !v.is_empty() {
            roles.insert(v.clone());
        }
    }
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    }
}

pub fn cells(n: &Node, now: jiff::Timestamp) -> Vec<Cell> {
    let status = n.status.clone().unwrap_or_default();
    let addr = |t: &str| {
        status
            .addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == t)
            .map(|a| a.address.clone())
            .unwrap_or_else(|| "<none>".into())
    };
    let info = status.node_info.clone();
    let or_unknown = |s: Option<String>| {
        s.filter(|s| !s.is_empty())
            .unwrap_or_else(|| "<unknown>".into())
    };
    vec![
        Cell::Str(n.metadata.name.clone().unwrap_or_default()),
        Cell::Str(node_status(n)),
        Cell::Str(node_roles(n)),
        age_cell(&n.metadata, now),
        Cell::Str(
            info.as_ref()
                .map(|i| i.kubelet_version.clone())
                .unwrap_or_default(),
        ),
        Cell::Str(addr("InternalIP")),
        Cell::Str(addr("ExternalIP")),
        Cell::Str(or_unknown(info.as_ref().map(|i| i.os_image.clone()))),
        Cell::Str(or_unknown(info.as_ref().map(|i| i.kernel_version.clone()))),
        Cell::Str(or_unknown(
            info.as_ref().map(|i| i.container_runtime_version.clone()),
        )),
    ]
}
