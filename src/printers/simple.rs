//! Small tables: Namespace and Lease (`printNamespace`, `printLease` in
//! `pkg/printers/internalversion/printers.go`), and the apiserver's default
//! table (NAME, CREATED AT) for kinds without a printer: LimitRange, Role,
//! ClusterRole (`staging/src/k8s.io/apiserver/pkg/registry/rest/table.go`,
//! `defaultTableConvertor`).

use super::descriptions as d;
use super::format::rfc3339;
use super::{age_cell, Cell, Column};
use crate::objects::{Kind, Object};

pub fn namespace_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Status", "string", "The status of the namespace"),
        Column::age(),
    ]
}

pub fn lease_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Holder", "string", d::LEASE_HOLDER),
        Column::age(),
    ]
}

/// The default table of kinds without a registered printer.
pub fn default_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    ]
}

pub fn columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Namespace => namespace_columns(),
        Kind::Lease => lease_columns(),
        _ => default_columns(),
    }
}

pub fn cells(obj: &Object, now: jiff::Timestamp) -> Vec<Cell> {
    let m = obj.meta();
    let name = Cell::Str(m.name.clone().unwrap_or_default());
    match obj {
        Object::Namespace(n) => vec![
            name,
            Cell::Str(
                n.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default(),
            ),
            age_cell(m, now),
        ],
        Object::Lease(l) => vec![
            name,
            Cell::Str(
                l.spec
                    .as_ref()
                    .and_then(|s| s.holder_identity.clone())
                    .unwrap_or_default(),
            ),
            age_cell(m, now),
        ],
        _ => vec![
            name,
            Cell::Str(
                m.creation_timestamp
                    .as_ref()
                    .map(rfc3339)
                    .unwrap_or_default(),
            ),
        ],
    }
}
