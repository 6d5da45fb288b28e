//! Tables of ConfigMap, Secret and ServiceAccount (`printConfigMap`,
//! `printSecret`, `printServiceAccount` in
//! `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::{age_cell, Cell, Column};
use crate::objects::Object;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, ServiceAccount};
use std::collections::BTreeSet;

pub fn config_map_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Data", "string", d::CM_DATA),
        Column::age(),
    ]
}

pub fn config_map_cells(o: &ConfigMap, now: jiff::Timestamp) -> Vec<Cell> {
    let n = o.data.as_ref().map(|m| m.len()).unwrap_or(0)
        + o.binary_data.as_ref().map(|m| m.len()).unwrap_or(0);
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Int(n as i64),
        age_cell(&o.metadata, now),
    ]
}

pub fn secret_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Type", "string", d::SECRET_TYPE),
        Column::new("Data", "string", d::SECRET_DATA),
        Column::age(),
    ]
}

/// The keys of a Secret: `data` plus `stringData`, which the apiserver
/// merges into `data` on write.
pub fn secret_keys(o: &Secret) -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = o.data.iter().flatten().map(|(k, _)| k.clone()).collect();
    keys.extend(o.string_data.iter().flatten().map(|(k, _)| k.clone()));
    keys
}

pub fn secret_cells(o: &Secret, now: jiff::Timestamp) -> Vec<Cell> {
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Str(o.type_.clone().unwrap_or_else(|| "Opaque".into())),
        Cell::Int(secret_keys(o).len() as i64),
        age_cell(&o.metadata, now),
    ]
}

pub fn service_account_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Secrets", "string", d::SA_SECRETS),
        Column::age(),
    ]
}

pub fn service_account_cells(o: &ServiceAccount, now: jiff::Timestamp) -> Vec<Cell> {
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Int(o.secrets.as_ref().map(|s| s.len()).unwrap_or(0) as i64),
        age_cell(&o.metadata, now),
    ]
}

/// Dispatch for the kinds of this file.
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Option<Vec<Cell>> {
    Some(match obj {
        Object::ConfigMap(o) => config_map_cells(o, now),
        Object::Secret(o) => secret_cells(o, now),
        Object::ServiceAccount(o) => service_account_cells(o, now),
        _ => return None,
    })
}
