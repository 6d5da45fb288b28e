//! The Pod table: `printPod` in pkg/printers/internalversion/printers.go,
//! including its STATUS / READY / RESTARTS algorithm (printers.md §1 Pod).

use super::age::{age_since, human_duration_secs, secs_between};
use super::descriptions as d;
use super::{age_cell, Cell, Column};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

pub fn columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
        Column::new("Status", "string", "The aggregate status of the containers in this pod."),
        Column::new("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
        Column::age(),
        Column::new("IP", "string", d::POD_IP).wide(),
        Column::new("Node", "string", d::POD_NODE_NAME).wide(),
        Column::new("Nominated Node", "string", d::POD_NOMINATED).wide(),
        Column::new("Readiness Gates", "string", d::POD_READINESS_GATES).wide(),
    ]
}

/// READY, STATUS and RESTARTS as kubectl shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSummary {
    pub ready: usize,
    pub total: usize,
    pub reason: String,
    pub restarts: i32,
    pub last_restart: Option<Time>,
}

fn later(a: Option<Time>, b: Option<&Time>) -> Option<Time> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b.clone() } else { a }),
        (None, Some(b)) => Some(b.clone()),
        (a, None) => a,
    }
}

fn last_finished(cs: &ContainerStatus) -> Option<&Time> {
    cs.last_state
        .as_ref()?
        .terminated
        .as_ref()?
        .finished_at
        .as_ref()
}

pub fn summarize(pod: &Pod) -> PodSummary {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let init_specs = spec.init_containers.clone().unwrap_or_default();
    let is_sidecar = |name: &str| {
        init_specs
            .iter()
            .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };
    let total = spec.containers.len()
        + init_specs
            .iter()
            .filter(|c| c.restart_policy.as_deref() == Some("Always"))
            .count();
    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart: Option<Time> = None;
    let mut reason = status.phase.clone().unwrap_or_default();
    if let Some(r) = status.reason.as_ref().filter(|r| !r.is_empty()) {
        reason = r.clone();
    }
    let conds = status.conditions.clone().unwrap_or_default();
    if conds
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".into();
    }
    let mut initializing = false;
    let mut sidecar_restarts = 0;
    let mut sidecar_last: Option<Time> = None;
    for (i, cs) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += cs.restart_count;
        last_restart = later(last_restart, last_finished(cs));
        let sidecar = is_sidecar(&cs.name);
        if sidecar {
            sidecar_restarts += cs.restart_count;
            sidecar_last = later(sidecar_last, last_finished(cs));
        }
        let state = cs.state.clone().unwrap_or_default();
        if let Some(t) = state.terminated.as_ref().filter(|t| t.exit_code == 0) {
            let _ = t;
            continue;
        }
        if sidecar && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = &state.terminated {
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None if t.signal.unwrap_or(0) != 0 => {
                    format!("Init:Signal:{}", t.signal.unwrap_or(0))
                }
                None => format!("Init:ExitCode:{}", t.exit_code),
            };
            initializing = true;
            break;
        }
        if let Some(r) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.clone())
            .filter(|r| !r.is_empty() && r != "PodInitializing")
        {
            reason = format!("Init:{r}");
            initializing = true;
            break;
        }
        reason = format!("Init:{i}/{}", init_specs.len());
        initializing = true;
        break;
    }
    let initialized = conds
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = sidecar_last;
        let mut has_running = false;
        for cs in status.container_statuses.iter().flatten().rev() {
            restarts += cs.restart_count;
            last_restart = later(last_restart, last_finished(cs));
            let state = cs.state.clone().unwrap_or_default();
            if let Some(r) = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty())
            {
                reason = r;
            } else if let Some(t) = &state.terminated {
                reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(r) => r.to_string(),
                    None if t.signal.unwrap_or(0) != 0 => {
                        format!("Signal:{}", t.signal.unwrap_or(0))
                    }
                    None => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let is_ready = conds
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if is_ready {
                "Running".into()
            } else {
                "NotReady".into()
            };
        }
    }
    let phase = status.phase.as_deref().unwrap_or("");
    if pod.metadata.deletion_timestamp.is_some() {
        if status.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".into();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".into();
        }
    }
    PodSummary {
        ready,
        total,
        reason,
        restarts,
        last_restart,
    }
}

pub fn cells(pod: &Pod, now: jiff::Timestamp) -> Vec<Cell> {
    let s = summarize(pod);
    let restarts = match (&s.last_restart, s.restarts) {
        (Some(t), n) if n != 0 => {
            format!("{n} ({} ago)", human_duration_secs(secs_between(t, now)))
        }
        (_, n) => n.to_string(),
    };
    let status = pod.status.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let ip = status
        .pod_ips
        .as_ref()
        .and_then(|ips| ips.first().map(|i| i.ip.clone()))
        .or(status.pod_ip.clone())
        .unwrap_or_else(|| "<none>".into());
    let node = spec
        .node_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".into());
    let nominated = status
        .nominated_node_name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "<none>".into());
    let gates = match spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        None => "<none>".to_string(),
        Some(g) => {
            let conds = status.conditions.clone().unwrap_or_default();
            let t = g
                .iter()
                .filter(|gate| {
                    conds
                        .iter()
                        .find(|c| c.type_ == gate.condition_type)
                        .is_some_and(|c| c.status == "True")
                })
                .count();
            format!("{t}/{}", g.len())
        }
    };
    let _ = age_since;
    vec![
        Cell::Str(pod.metadata.name.clone().unwrap_or_default()),
        Cell::Str(format!("{}/{}", s.ready, s.total)),
        Cell::Str(s.reason),
        Cell::Str(restarts),
        age_cell(&pod.metadata, now),
        Cell::Str(ip),
        Cell::Str(node),
        Cell::Str(nominated),
        Cell::Str(gates),
    ]
}
