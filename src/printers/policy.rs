//! Tables of PodDisruptionBudget, PriorityClass and ResourceQuota
//! (`printPodDisruptionBudget`, `printPriorityClass`, `printResourceQuota` in
//! `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::format::{int_or_string, quantity_string};
use super::{age_cell, Cell, Column};
use crate::objects::Object;
use k8s_openapi::api::core::v1::ResourceQuota;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::scheduling::v1::PriorityClass;

pub fn pdb_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new(
            "Min Available",
            "string",
            "The minimum number of pods that must be available.",
        ),
        Column::new(
            "Max Unavailable",
            "string",
            "The maximum number of pods that may be unavailable.",
        ),
        Column::new(
            "Allowed Disruptions",
            "integer",
            "Calculated number of pods that may be disrupted at this time.",
        ),
        Column::age(),
    ]
}

pub fn pdb_cells(o: &PodDisruptionBudget, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let or_na = |v: Option<&k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| {
        v.map(int_or_string).unwrap_or_else(|| "N/A".into())
    };
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Str(or_na(spec.min_available.as_ref())),
        Cell::Str(or_na(spec.max_unavailable.as_ref())),
        Cell::Int(st.disruptions_allowed as i64),
        age_cell(&o.metadata, now),
    ]
}

/// PREEMPTIONPOLICY has priority 0 in the 1.33 printer (it is shown without
/// `-o wide`), even though the cell is only filled for wide output, which
/// the apiserver always asks for.
pub fn priority_class_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Value", "integer", d::PC_VALUE),
        Column::new("Global-Default", "boolean", d::PC_GLOBAL_DEFAULT),
        Column::age(),
        Column::new("PreemptionPolicy", "string", d::PC_PREEMPTION),
    ]
}

pub fn priority_class_cells(o: &PriorityClass, now: jiff::Timestamp) -> Vec<Cell> {
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Int(o.value as i64),
        Cell::Bool(o.global_default.unwrap_or(false)),
        age_cell(&o.metadata, now),
        Cell::Str(o.preemption_policy.clone().unwrap_or_default()),
    ]
}

pub fn resource_quota_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
        Column::new("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        Column::age(),
    ]
}

/// REQUEST and LIMIT: `name: used/hard` for every hard limit (sorted);
/// names whose first dotted part is `limits` go in LIMIT.
pub fn quota_columns(o: &ResourceQuota) -> (String, String) {
    let st = o.status.clone().unwrap_or_default();
    let hard = st.hard.unwrap_or_default();
    let used = st.used.unwrap_or_default();
    let mut request = Vec::new();
    let mut limit = Vec::new();
    for (name, h) in &hard {
        let entry = format!(
            "{name}: {}/{}",
            quantity_string(used.get(name)),
            quantity_string(Some(h))
        );
        let pieces: Vec<&str> = name.split('.').collect();
        if pieces.len() > 1 && pieces[0] == "limits" {
            limit.push(entry);
        } else {
            request.push(entry);
        }
    }
    (request.join(", "), limit.join(", "))
}

pub fn resource_quota_cells(o: &ResourceQuota, now: jiff::Timestamp) -> Vec<Cell> {
    let (request, limit) = quota_columns(o);
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Str(request),
        Cell::Str(limit),
        age_cell(&o.metadata, now),
    ]
}

/// Dispatch for the kinds of this file.
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Option<Vec<Cell>> {
    Some(match obj {
        Object::PodDisruptionBudget(o) => pdb_cells(o, now),
        Object::PriorityClass(o) => priority_class_cells(o, now),
        Object::ResourceQuota(o) => resource_quota_cells(o, now),
        _ => return None,
    })
}
