//! Tables of the workload controllers: Deployment, ReplicaSet,
//! ReplicationController, DaemonSet, StatefulSet, ControllerRevision, Job,
//! CronJob (`printDeployment`, `printReplicaSet`, ... in
//! `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::format::{bool_ptr, container_cells};
use super::layout::{format_labels, format_selector};
use super::{age_cell, Cell, Column};
use crate::objects::selectors::Selector;
use crate::objects::Object;
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec, ReplicationController};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const CONTAINERS: &str = "Names of each container in the template.";
const IMAGES: &str = "Images referenced by each container in the template.";

fn containers_col() -> Column {
    Column::new("Containers", "string", CONTAINERS).wide()
}
fn images_col() -> Column {
    Column::new("Images", "string", IMAGES).wide()
}

fn name(m: &ObjectMeta) -> Cell {
    Cell::Str(m.name.clone().unwrap_or_default())
}

fn template_containers(t: Option<&PodTemplateSpec>) -> &[Container] {
    t.and_then(|t| t.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or(&[])
}

pub fn deployment_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Ready", "string", "Number of the pod with ready state"),
        Column::new("Up-to-date", "string", d::DEPLOY_UPDATED),
        Column::new("Available", "string", d::DEPLOY_AVAILABLE),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::DEPLOY_SELECTOR).wide(),
    ]
}

pub fn deployment_cells(o: &Deployment, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(Some(&spec.template)));
    // LabelSelectorAsSelector(...).String(): an empty selector prints "".
    let sel = Selector::from_label_selector(&spec.selector);
    let selector = if sel.is_empty() {
        String::new()
    } else {
        sel.to_string()
    };
    vec![
        name(&o.metadata),
        Cell::Str(format!(
            "{}/{}",
            st.ready_replicas.unwrap_or(0),
            spec.replicas.unwrap_or(1)
        )),
        Cell::Int(st.updated_replicas.unwrap_or(0) as i64),
        Cell::Int(st.available_replicas.unwrap_or(0) as i64),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(selector),
    ]
}

pub fn replica_set_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Desired", "integer", d::RS_SPEC_REPLICAS),
        Column::new("Current", "integer", d::RS_STATUS_REPLICAS),
        Column::new("Ready", "integer", d::RS_STATUS_READY),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::RS_SPEC_SELECTOR).wide(),
    ]
}

pub fn replica_set_cells(o: &ReplicaSet, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(spec.template.as_ref()));
    vec![
        name(&o.metadata),
        Cell::Int(spec.replicas.unwrap_or(1) as i64),
        Cell::Int(st.replicas as i64),
        Cell::Int(st.ready_replicas.unwrap_or(0) as i64),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(format_selector(Some(&spec.selector))),
    ]
}

pub fn replication_controller_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Desired", "integer", d::RC_SPEC_REPLICAS),
        Column::new("Current", "integer", d::RC_STATUS_REPLICAS),
        Column::new("Ready", "integer", d::RC_STATUS_READY),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::RC_SPEC_SELECTOR).wide(),
    ]
}

pub fn replication_controller_cells(o: &ReplicationController, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(spec.template.as_ref()));
    vec![
        name(&o.metadata),
        Cell::Int(spec.replicas.unwrap_or(1) as i64),
        Cell::Int(st.replicas as i64),
        Cell::Int(st.ready_replicas.unwrap_or(0) as i64),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(format_labels(&spec.selector.unwrap_or_default())),
    ]
}

pub fn daemon_set_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Desired", "integer", d::DS_DESIRED),
        Column::new("Current", "integer", d::DS_CURRENT),
        Column::new("Ready", "integer", d::DS_READY),
        Column::new("Up-to-date", "integer", d::DS_UPDATED),
        Column::new("Available", "integer", d::DS_AVAILABLE),
        Column::new("Node Selector", "string", d::POD_SPEC_NODE_SELECTOR),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::DS_SPEC_SELECTOR).wide(),
    ]
}

pub fn daemon_set_cells(o: &DaemonSet, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(Some(&spec.template)));
    let node_selector = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default();
    vec![
        name(&o.metadata),
        Cell::Int(st.desired_number_scheduled as i64),
        Cell::Int(st.current_number_scheduled as i64),
        Cell::Int(st.number_ready as i64),
        Cell::Int(st.updated_number_scheduled.unwrap_or(0) as i64),
        Cell::Int(st.number_available.unwrap_or(0) as i64),
        Cell::Str(format_labels(&node_selector)),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(format_selector(Some(&spec.selector))),
    ]
}

pub fn stateful_set_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Ready", "string", "Number of the pod with ready state"),
        Column::age(),
        containers_col(),
        images_col(),
    ]
}

pub fn stateful_set_cells(o: &StatefulSet, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(Some(&spec.template)));
    vec![
        name(&o.metadata),
        Cell::Str(format!(
            "{}/{}",
            st.ready_replicas.unwrap_or(0),
            spec.replicas.unwrap_or(1)
        )),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
    ]
}

pub fn controller_revision_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Controller", "string", "Controller of the object"),
        Column::new("Revision", "string", d::CR_REVISION),
        Column::age(),
    ]
}

/// CONTROLLER is `formatResourceName(gvk.GroupKind(), name, true)`:
/// `daemonset.apps/kube-proxy`, or `<none>` without a controller ref.
pub fn controller_revision_cells(o: &ControllerRevision, now: jiff::Timestamp) -> Vec<Cell> {
    let controller = o
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| {
            let group = r.api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
            let kind = r.kind.to_lowercase();
            if group.is_empty() {
                format!("{kind}/{}", r.name)
            } else {
                format!("{kind}.{group}/{}", r.name)
            }
        })
        .unwrap_or_else(|| "<none>".into());
    vec![
        name(&o.metadata),
        Cell::Str(controller),
        Cell::Int(o.revision),
        age_cell(&o.metadata, now),
    ]
}

pub fn job_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Status", "string", "Status of the job."),
        Column::new("Completions", "string", d::JOB_STATUS_SUCCEEDED),
        Column::new("Duration", "string", "Time required to complete the job."),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::JOB_SPEC_SELECTOR).wide(),
    ]
}

/// `hasJobCondition`: only the first condition of a type counts.
fn job_condition(job: &Job, type_: &str) -> bool {
    job.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == type_))
        .is_some_and(|c| c.status == "True")
}

/// The STATUS cell of a Job.
pub fn job_status(job: &Job) -> &'static str {
    if job_condition(job, "Complete") {
        "Complete"
    } else if job_condition(job, "Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if job_condition(job, "Suspended") {
        "Suspended"
    } else if job_condition(job, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

pub fn job_cells(o: &Job, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let succeeded = st.succeeded.unwrap_or(0);
    let completions = match spec.completions {
        Some(c) => format!("{succeeded}/{c}"),
        None => match spec.parallelism.unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    };
    let duration = match (&st.start_time, &st.completion_time) {
        (None, _) => String::new(),
        (Some(start), None) => {
            super::age::human_duration_secs(super::age::secs_between(start, now))
        }
        (Some(start), Some(done)) => {
            super::age::human_duration_secs(super::age::secs_between(start, done.0))
        }
    };
    let (names, images) = container_cells(template_containers(Some(&spec.template)));
    vec![
        name(&o.metadata),
        Cell::Str(job_status(o).into()),
        Cell::Str(completions),
        Cell::Str(duration),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(format_selector(spec.selector.as_ref())),
    ]
}

pub fn cron_job_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Schedule", "string", d::CJ_SCHEDULE),
        Column::new("Timezone", "string", d::CJ_TIMEZONE),
        Column::new("Suspend", "boolean", d::CJ_SUSPEND),
        Column::new("Active", "integer", d::CJ_ACTIVE),
        Column::new("Last Schedule", "string", d::CJ_LAST_SCHEDULE),
        Column::age(),
        containers_col(),
        images_col(),
        Column::new("Selector", "string", d::JOB_SPEC_SELECTOR).wide(),
    ]
}

pub fn cron_job_cells(o: &CronJob, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    let last = match &st.last_schedule_time {
        Some(t) => super::age::age_since(Some(t), now),
        None => "<none>".into(),
    };
    let job_spec = spec.job_template.spec.clone().unwrap_or_default();
    let (names, images) = container_cells(template_containers(Some(&job_spec.template)));
    vec![
        name(&o.metadata),
        Cell::Str(spec.schedule.clone()),
        Cell::Str(spec.time_zone.clone().unwrap_or_else(|| "<none>".into())),
        Cell::Str(bool_ptr(spec.suspend)),
        Cell::Int(st.active.as_ref().map(|a| a.len()).unwrap_or(0) as i64),
        Cell::Str(last),
        age_cell(&o.metadata, now),
        Cell::Str(names),
        Cell::Str(images),
        Cell::Str(format_selector(job_spec.selector.as_ref())),
    ]
}

/// Dispatch for the kinds of this file.
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Option<Vec<Cell>> {
    Some(match obj {
        Object::Deployment(o) => deployment_cells(o, now),
        Object::ReplicaSet(o) => replica_set_cells(o, now),
        Object::ReplicationController(o) => replication_controller_cells(o, now),
        Object::DaemonSet(o) => daemon_set_cells(o, now),
        Object::StatefulSet(o) => stateful_set_cells(o, now),
        Object::ControllerRevision(o) => controller_revision_cells(o, now),
        Object::Job(o) => job_cells(o, now),
        Object::CronJob(o) => cron_job_cells(o, now),
        _ => return None,
    })
}
