//! Printing is pure (architecture principle 8): the server-side Table for
//! every kind, kubectl's tab-writer layout, ages, and describe text are
//! functions of objects and the current time, shared by the REPL, the TUI
//! and the HTTP API's Table responses so the three never disagree.
//!
//! Column sets follow `pkg/printers/internalversion/printers.go` (the
//! apiserver's printers); layout follows kubectl's `cli-runtime` printers.

pub mod age;
pub mod autoscaling;
pub mod config;
pub mod describe;
mod descriptions;
pub mod events;
pub mod format;
pub mod layout;
pub mod messages;
pub mod node;
pub mod output;
pub mod pod;
pub mod policy;
pub mod rbac;
pub mod services;
pub mod simple;
pub mod storage;
pub mod workloads;

#[cfg(test)]
mod tests;

use crate::objects::{Kind, Object};
use serde_json::{json, Value};
use std::sync::Arc;

pub use age::human_duration;
pub use layout::{no_resources_message, render_table, render_tables, PrintOptions, WatchPrinter};

/// One column definition of a `meta.k8s.io/v1` Table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// As the server sends it (`Name`, `Ready`, ...); kubectl upper-cases it.
    pub name: &'static str,
    /// `string`, `integer`, `date`, `boolean`, `number`.
    pub type_: &'static str,
    /// `name` for the column that carries the object name, else empty.
    pub format: &'static str,
    pub description: &'static str,
    /// 0 = always shown; 1 = only with `-o wide`.
    pub priority: i32,
}

impl Column {
    pub const fn new(name: &'static str, type_: &'static str, description: &'static str) -> Column {
        Column {
            name,
            type_,
            format: "",
            description,
            priority: 0,
        }
    }
    pub const fn name_col() -> Column {
        Column {
            name: "Name",
            type_: "string",
            format: "name",
            description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
            priority: 0,
        }
    }
    pub const fn age() -> Column {
        Column::new("Age", "string", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
    }
    pub const fn wide(mut self) -> Column {
        self.priority = 1;
        self
    }
}

/// A cell value: kubectl prints strings as-is and numbers/booleans with %v.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Str(s) => {
                // A string cell is cut at its first line break, with "...".
                match s.find(['\n', '\r', '\x0c']) {
                    Some(i) => format!("{}...", &s[..i]),
                    None => s.clone(),
                }
            }
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Null => String::new(),
        }
    }
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Str(s) => json!(s),
            Cell::Int(i) => json!(i),
            Cell::Bool(b) => json!(b),
            Cell::Null => Value::Null,
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Str(s)
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Str(s.to_string())
    }
}
impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Int(i)
    }
}
impl From<i32> for Cell {
    fn from(i: i32) -> Cell {
        Cell::Int(i as i64)
    }
}
impl From<bool> for Cell {
    fn from(b: bool) -> Cell {
        Cell::Bool(b)
    }
}

/// One row: every cell (wide ones too, as the apiserver always sends them)
/// and the object it shows.
#[derive(Clone, Debug)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub object: Arc<Object>,
}

/// A `meta.k8s.io/v1` Table.
#[derive(Clone, Debug)]
pub struct Table {
    pub kind: Kind,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Renders the Table of `objects` (all of kind `kind`) at wall time `now`.
pub fn table(kind: Kind, objects: &[Arc<Object>], now: jiff::Timestamp) -> Table {
    let columns = columns(kind);
    let rows = objects
        .iter()
        .map(|o| Row {
            cells: cells(o, now),
            object: o.clone(),
        })
        .collect();
    Table {
        kind,
        columns,
        rows,
    }
}

/// The column definitions of a kind: one arm per kind, so a kind without a
/// printer is a visible choice (the default table).
pub fn columns(kind: Kind) -> Vec<Column> {
    match kind {
        Kind::Pod => pod::columns(),
        Kind::Node => node::columns(),
        Kind::ReplicationController => workloads::replication_controller_columns(),
        Kind::Service => services::service_columns(),
        Kind::ConfigMap => config::config_map_columns(),
        Kind::Endpoints => services::endpoints_columns(),
        Kind::Event => events::columns(),
        Kind::PersistentVolumeClaim => storage::persistent_volume_claim_columns(),
        Kind::PersistentVolume => storage::persistent_volume_columns(),
        Kind::ResourceQuota => policy::resource_quota_columns(),
        Kind::Secret => config::secret_columns(),
        Kind::ServiceAccount => config::service_account_columns(),
        Kind::ControllerRevision => workloads::controller_revision_columns(),
        Kind::DaemonSet => workloads::daemon_set_columns(),
        Kind::Deployment => workloads::deployment_columns(),
        Kind::ReplicaSet => workloads::replica_set_columns(),
        Kind::StatefulSet => workloads::stateful_set_columns(),
        Kind::HorizontalPodAutoscaler => autoscaling::columns(),
        Kind::CronJob => workloads::cron_job_columns(),
        Kind::Job => workloads::job_columns(),
        Kind::EndpointSlice => services::endpoint_slice_columns(),
        Kind::IngressClass => services::ingress_class_columns(),
        Kind::Ingress => services::ingress_columns(),
        Kind::NetworkPolicy => services::network_policy_columns(),
        Kind::PodDisruptionBudget => policy::pdb_columns(),
        Kind::ClusterRoleBinding => rbac::binding_columns(true),
        Kind::RoleBinding => rbac::binding_columns(false),
        Kind::PriorityClass => policy::priority_class_columns(),
        Kind::StorageClass => storage::storage_class_columns(),
        Kind::Namespace | Kind::Lease => simple::columns(kind),
        // No printer upstream: the apiserver's default table.
        Kind::LimitRange | Kind::Role | Kind::ClusterRole => simple::default_columns(),
    }
}

/// The cells of one object's row (all of them, wide ones included).
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Vec<Cell> {
    if let Some(c) = workloads::cells(obj, now)
        .or_else(|| services::cells(obj, now))
        .or_else(|| config::cells(obj, now))
        .or_else(|| storage::cells(obj, now))
        .or_else(|| policy::cells(obj, now))
    {
        return c;
    }
    match obj {
        Object::Pod(p) => pod::cells(p, now),
        Object::Node(n) => node::cells(n, now),
        Object::Event(e) => events::cells(e, now),
        Object::HorizontalPodAutoscaler(h) => autoscaling::cells(h, now),
        Object::RoleBinding(b) => {
            rbac::binding_cells(&b.metadata, &b.role_ref, b.subjects.as_ref(), now)
        }
        Object::ClusterRoleBinding(b) => {
            rbac::binding_cells(&b.metadata, &b.role_ref, b.subjects.as_ref(), now)
        }
        other => simple::cells(other, now),
    }
}

impl Table {
    /// The Table as JSON (`includeObject=Object` embeds each object;
    /// `None` omits it; `Metadata` embeds a PartialObjectMetadata).
    pub fn to_json(&self, include_object: IncludeObject, resource_version: u64) -> Value {
        let cols: Vec<Value> = self
            .columns
            .iter()
            .map(|c| json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority}))
            .collect();
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| row_json(r, include_object))
            .collect();
        json!({
            "kind": "Table",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": {"resourceVersion": resource_version.to_string()},
            "columnDefinitions": cols,
            "rows": rows,
        })
    }
}

impl Table {
    /// The same document as [`Table::to_json`] with `metadata` as given,
    /// written straight to bytes row by row: a list of 10,000 pods builds
    /// no intermediate `Value` tree (the apiserver streams its encoder too).
    pub fn write_json(&self, include: IncludeObject, metadata: &Value, out: &mut Vec<u8>) {
        let cols: Vec<Value> = self
            .columns
            .iter()
            .map(|c| json!({"name": c.name, "type": c.type_, "format": c.format, "description": c.description, "priority": c.priority}))
            .collect();
        out.extend_from_slice(
            b"{\"kind\":\"Table\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":",
        );
        write_value(out, metadata);
        out.extend_from_slice(b",\"columnDefinitions\":");
        write_value(out, &cols);
        out.extend_from_slice(b",\"rows\":[");
        for (i, r) in self.rows.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_row(r, include, out);
        }
        out.extend_from_slice(b"]}");
    }
}

fn write_value<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) {
    serde_json::to_writer(&mut *out, v).expect("JSON values serialize");
}

/// [`row_json`] written to bytes.
fn write_row(r: &Row, include: IncludeObject, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"cells\":[");
    for (i, c) in r.cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        match c {
            Cell::Str(s) => write_value(out, s.as_str()),
            Cell::Int(n) => out.extend_from_slice(n.to_string().as_bytes()),
            Cell::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Cell::Null => out.extend_from_slice(b"null"),
        }
    }
    out.push(b']');
    if let Some(cond) = row_conditions(r) {
        out.extend_from_slice(b",\"conditions\":");
        write_value(out, &cond);
    }
    match include {
        IncludeObject::Object => {
            out.extend_from_slice(b",\"object\":");
            r.object.write_json(out);
        }
        IncludeObject::Metadata => {
            out.extend_from_slice(
                b",\"object\":{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":",
            );
            write_value(out, r.object.meta());
            out.push(b'}');
        }
        IncludeObject::None => {}
    }
    out.push(b'}');
}

/// printPod's row conditions: a finished pod is "Completed".
fn row_conditions(r: &Row) -> Option<Value> {
    let Object::Pod(p) = r.object.as_ref() else {
        return None;
    };
    let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
    let (reason, message) = match phase {
        Some("Succeeded") => ("Succeeded", "The pod has completed successfully."),
        Some("Failed") => ("Failed", "The pod failed."),
        _ => return None,
    };
    Some(json!([{"type": "Completed", "status": "True", "reason": reason, "message": message}]))
}

/// What a Table row embeds (`includeObject`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum IncludeObject {
    None,
    #[default]
    Metadata,
    Object,
}

/// One row as JSON, for Table watch events too.
pub fn row_json(r: &Row, include: IncludeObject) -> Value {
    let cells: Vec<Value> = r.cells.iter().map(Cell::to_json).collect();
    let mut row = json!({"cells": cells});
    if let Some(cond) = row_conditions(r) {
        row["conditions"] = cond;
    }
    match include {
        IncludeObject::Object => row["object"] = r.object.to_json(),
        IncludeObject::Metadata => {
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": serde_json::to_value(r.object.meta()).unwrap_or(Value::Null),
            });
        }
        IncludeObject::None => {}
    }
    row
}

/// The age cell of an object (`<unknown>` without a creation time).
pub fn age_cell(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    now: jiff::Timestamp,
) -> Cell {
    Cell::Str(age::age_since(meta.creation_timestamp.as_ref(), now))
}
