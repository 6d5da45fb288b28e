//! Tables of PersistentVolume, PersistentVolumeClaim and StorageClass
//! (`printPersistentVolume`, `printPersistentVolumeClaim`,
//! `printStorageClass` in `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::format::{access_modes, quantity_string};
use super::{age_cell, Cell, Column};
use crate::objects::Object;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// `GetPersistentVolumeClass` / `GetPersistentVolumeClaimClass`: the beta
/// annotation wins over `storageClassName`.
fn storage_class(meta: &ObjectMeta, spec_class: Option<&String>) -> String {
    if let Some(c) = meta
        .annotations
        .as_ref()
        .and_then(|a| a.get(BETA_STORAGE_CLASS))
    {
        return c.clone();
    }
    spec_class.cloned().unwrap_or_default()
}

pub fn persistent_volume_class(pv: &PersistentVolume) -> String {
    storage_class(
        &pv.metadata,
        pv.spec.as_ref().and_then(|s| s.storage_class_name.as_ref()),
    )
}

pub fn persistent_volume_claim_class(pvc: &PersistentVolumeClaim) -> String {
    storage_class(
        &pvc.metadata,
        pvc.spec
            .as_ref()
            .and_then(|s| s.storage_class_name.as_ref()),
    )
}

pub fn persistent_volume_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Capacity", "string", d::PV_CAPACITY),
        Column::new("Access Modes", "string", d::PV_ACCESS_MODES),
        Column::new("Reclaim Policy", "string", d::PV_RECLAIM),
        Column::new("Status", "string", d::PV_PHASE),
        Column::new("Claim", "string", d::PV_CLAIM),
        Column::new("StorageClass", "string", "StorageClass of the pv"),
        Column::new(
            "VolumeAttributesClass",
            "string",
            "VolumeAttributesClass of the pv",
        ),
        Column::new("Reason", "string", d::PV_REASON),
        Column::age(),
        Column::new("VolumeMode", "string", d::PV_VOLUME_MODE).wide(),
    ]
}

pub fn persistent_volume_cells(pv: &PersistentVolume, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = pv.spec.clone().unwrap_or_default();
    let st = pv.status.clone().unwrap_or_default();
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| {
            format!(
                "{}/{}",
                c.namespace.clone().unwrap_or_default(),
                c.name.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    let phase = if pv.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        st.phase.clone().unwrap_or_default()
    };
    vec![
        Cell::Str(pv.metadata.name.clone().unwrap_or_default()),
        Cell::Str(quantity_string(
            spec.capacity.as_ref().and_then(|c| c.get("storage")),
        )),
        Cell::Str(access_modes(spec.access_modes.as_ref())),
        Cell::Str(
            spec.persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default(),
        ),
        Cell::Str(phase),
        Cell::Str(claim),
        Cell::Str(persistent_volume_class(pv)),
        Cell::Str(
            spec.volume_attributes_class_name
                .clone()
                .unwrap_or_else(|| "<unset>".into()),
        ),
        Cell::Str(st.reason.clone().unwrap_or_default()),
        age_cell(&pv.metadata, now),
        Cell::Str(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into())),
    ]
}

pub fn persistent_volume_claim_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Status", "string", d::PVC_PHASE),
        Column::new("Volume", "string", d::PVC_VOLUME),
        Column::new("Capacity", "string", d::PVC_CAPACITY),
        Column::new("Access Modes", "string", d::PVC_ACCESS_MODES),
        Column::new("StorageClass", "string", "StorageClass of the pvc"),
        Column::new(
            "VolumeAttributesClass",
            "string",
            "VolumeAttributesClass of the pvc",
        ),
        Column::age(),
        Column::new("VolumeMode", "string", d::PVC_VOLUME_MODE).wide(),
    ]
}

/// CAPACITY and ACCESS MODES of a claim: shown only once it is bound to a
/// volume (`spec.volumeName` set).
pub fn claim_capacity_and_modes(pvc: &PersistentVolumeClaim) -> (String, String) {
    let spec = pvc.spec.clone().unwrap_or_default();
    let st = pvc.status.clone().unwrap_or_default();
    if spec.volume_name.as_deref().unwrap_or("").is_empty() {
        return (String::new(), String::new());
    }
    (
        quantity_string(st.capacity.as_ref().and_then(|c| c.get("storage"))),
        access_modes(st.access_modes.as_ref()),
    )
}

pub fn persistent_volume_claim_cells(
    pvc: &PersistentVolumeClaim,
    now: jiff::Timestamp,
) -> Vec<Cell> {
    let spec = pvc.spec.clone().unwrap_or_default();
    let st = pvc.status.clone().unwrap_or_default();
    let phase = if pvc.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        st.phase.clone().unwrap_or_default()
    };
    let (capacity, modes) = claim_capacity_and_modes(pvc);
    vec![
        Cell::Str(pvc.metadata.name.clone().unwrap_or_default()),
        Cell::Str(phase),
        Cell::Str(spec.volume_name.clone().unwrap_or_default()),
        Cell::Str(capacity),
        Cell::Str(modes),
        Cell::Str(persistent_volume_claim_class(pvc)),
        Cell::Str(
            spec.volume_attributes_class_name
                .clone()
                .unwrap_or_else(|| "<unset>".into()),
        ),
        age_cell(&pvc.metadata, now),
        Cell::Str(spec.volume_mode.clone().unwrap_or_else(|| "<unset>".into())),
    ]
}

pub fn storage_class_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Provisioner", "string", d::SC_PROVISIONER),
        Column::new("ReclaimPolicy", "string", d::SC_RECLAIM),
        Column::new("VolumeBindingMode", "string", d::SC_BINDING_MODE),
        Column::new("AllowVolumeExpansion", "string", d::SC_EXPANSION),
        Column::age(),
    ]
}

/// `storageutil.IsDefaultAnnotation`: the GA or beta annotation is "true".
pub fn is_default_storage_class(meta: &ObjectMeta) -> bool {
    let a = meta.annotations.clone().unwrap_or_default();
    a.get("storageclass.kubernetes.io/is-default-class")
        .map(String::as_str)
        == Some("true")
        || a.get("storageclass.beta.kubernetes.io/is-default-class")
            .map(String::as_str)
            == Some("true")
}

pub fn storage_class_cells(sc: &StorageClass, now: jiff::Timestamp) -> Vec<Cell> {
    let mut name = sc.metadata.name.clone().unwrap_or_default();
    if is_default_storage_class(&sc.metadata) {
        name.push_str(" (default)");
    }
    vec![
        Cell::Str(name),
        Cell::Str(sc.provisioner.clone()),
        Cell::Str(sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into())),
        Cell::Str(
            sc.volume_binding_mode
                .clone()
                .unwrap_or_else(|| "Immediate".into()),
        ),
        Cell::Bool(sc.allow_volume_expansion.unwrap_or(false)),
        age_cell(&sc.metadata, now),
    ]
}

/// Dispatch for the kinds of this file.
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Option<Vec<Cell>> {
    Some(match obj {
        Object::PersistentVolume(o) => persistent_volume_cells(o, now),
        Object::PersistentVolumeClaim(o) => persistent_volume_claim_cells(o, now),
        Object::StorageClass(o) => storage_class_cells(o, now),
        _ => return None,
    })
}
