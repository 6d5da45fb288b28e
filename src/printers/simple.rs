//! Tables for the other kinds. Kinds without a registered printer get the
//! apiserver's default table (NAME, CREATED AT).

use super::{age_cell, Cell, Column};
use crate::objects::{Kind, Object};

pub fn columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Namespace => vec![
            Column::name_col(),
            Column::new("Status", "string", "The status of the namespace"),
            Column::age(),
        ],
        _ => vec![
            Column::name_col(),
            Column::new("Created At", "date", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
        ],
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
        _ => vec![
            name,
            Cell::Str(
                m.creation_timestamp
                    .as_ref()
                    .map(|t| t.0.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
                    .unwrap_or_default(),
            ),
        ],
    }
}
