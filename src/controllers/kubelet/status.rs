//! Pure functions that build the PodStatus the kubelet writes
//! (`pkg/kubelet/kubelet_pods.go` `generateAPIPodStatus`, `getPhase`;
//! `pkg/kubelet/status/generate.go` for the conditions).

use super::{CState, Ctr, PodRt};
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, HostIP, Pod, PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

/// Converts virtual time to a wall timestamp (whole seconds, as the API
/// serialises metav1.Time).
pub type Clock<'a> = &'a dyn Fn(crate::sim::SimTime) -> Time;

fn state_of(c: &Ctr, clock: Clock) -> (ContainerState, bool) {
    // The last start failed (PostStartHookError): the status manager keeps
    // showing it until a start succeeds, except while backing off.
    if let Some((reason, msg)) = &c.start_error {
        if !matches!(c.state, CState::Waiting { .. }) {
            return (waiting(reason, Some(msg.clone())), false);
        }
    }
    // A restart in progress (re-pull, create) still shows the last exit,
    // as the status manager has nothing newer.
    if let (CState::Pulling { shown: None, .. }, Some(t)) = (&c.state, &c.last_term) {
        return (
            ContainerState {
                terminated: Some(t.to_api(clock)),
                ..Default::default()
            },
            false,
        );
    }
    // postStart still running: the container is not reported Running yet.
    if let (CState::Running { .. }, Some(_)) = (&c.state, &c.post_start) {
        return (waiting(c.creating_reason(), None), false);
    }
    match &c.state {
        CState::Waiting {
            reason, message, ..
        } => (
            ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.clone()),
                    message: message.clone(),
                }),
                ..Default::default()
            },
            false,
        ),
        CState::Pulling { shown, .. } => (
            ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(
                        shown
                            .as_ref()
                            .map_or(c.creating_reason().to_string(), |s| s.0.clone()),
                    ),
                    message: shown.as_ref().and_then(|s| s.1.clone()),
                }),
                ..Default::default()
            },
            false,
        ),
        CState::Running { started, .. } => (
            ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(clock(*started)),
                }),
                ..Default::default()
            },
            true,
        ),
        CState::Terminated { term, .. } => (
            ContainerState {
                terminated: Some(term.to_api(clock)),
                ..Default::default()
            },
            false,
        ),
    }
}

fn waiting(reason: &str, message: Option<String>) -> ContainerState {
    ContainerState {
        waiting: Some(ContainerStateWaiting {
            reason: Some(reason.to_string()),
            message,
        }),
        ..Default::default()
    }
}

impl super::Term {
    pub fn to_api(&self, clock: Clock) -> ContainerStateTerminated {
        ContainerStateTerminated {
            container_id: Some(format!("containerd://{}", self.container_id)),
            exit_code: self.exit_code,
            reason: Some(self.reason.clone()),
            message: None,
            signal: None,
            started_at: Some(clock(self.started)),
            finished_at: Some(clock(self.finished)),
        }
    }
}

fn container_status(c: &Ctr, clock: Clock) -> ContainerStatus {
    let (state, running) = state_of(c, clock);
    let has_run = !c.runs.is_empty();
    ContainerStatus {
        name: c.name.clone(),
        image: if has_run {
            c.image_ref
                .as_ref()
                .map(|r| r.full())
                .unwrap_or_else(|| c.image.clone())
        } else {
            c.image.clone()
        },
        image_id: if has_run {
            c.image_id.clone()
        } else {
            String::new()
        },
        // `convertToAPIContainerStatuses` builds the status from the newest
        // container of that name, so a container waiting to restart
        // (CrashLoopBackOff, a new image) still shows the exited one's ID.
        container_id: c.runs.last().map(|r| format!("containerd://{}", r.id)),
        ready: running && c.ready,
        started: Some(running && c.started),
        restart_count: c.restarts,
        last_state: match (&c.state, &c.start_error) {
            (CState::Terminated { term, .. }, Some(_)) => Some(term),
            _ => c.last_term.as_ref(),
        }
        .map(|t| ContainerState {
            terminated: Some(t.to_api(clock)),
            ..Default::default()
        }),
        state: Some(state),
        ..Default::default()
    }
}

/// `getPhase`: Pending while any container waits without having run,
/// Running while one runs or will restart, then Succeeded or Failed.
pub(crate) fn phase(rt: &PodRt, restart_policy: &str) -> &'static str {
    let init_done = rt
        .init
        .iter()
        .all(|c| c.done() || (c.sidecar && c.is_running()));
    if !init_done {
        let failed_for_good = rt.init.iter().any(|c| matches!(&c.state, CState::Terminated { term, restart_at: None } if term.exit_code != 0))
            && restart_policy == "Never";
        return if failed_for_good { "Failed" } else { "Pending" };
    }
    let (mut waiting, mut running, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for c in &rt.main {
        match &c.state {
            // A container whose postStart hook runs still waits.
            CState::Running { .. } if c.post_start.is_none() => running += 1,
            CState::Terminated { term, .. } => {
                stopped += 1;
                if term.exit_code == 0 {
                    succeeded += 1;
                }
            }
            _ if c.last_term.is_some() => stopped += 1,
            _ => waiting += 1,
        }
    }
    if waiting > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    if stopped > 0 {
        let will_restart = rt.main.iter().any(|c| {
            matches!(
                &c.state,
                CState::Terminated {
                    restart_at: Some(_),
                    ..
                }
            ) || matches!(&c.state, CState::Waiting { .. } | CState::Pulling { .. })
        });
        if will_restart && rt.terminating.is_none() {
            return "Running";
        }
        return if succeeded == stopped {
            "Succeeded"
        } else {
            "Failed"
        };
    }
    "Pending"
}

fn cond(
    pod: &Pod,
    type_: &str,
    status: bool,
    reason: Option<&str>,
    message: Option<String>,
    now: &Time,
) -> PodCondition {
    let value = if status { "True" } else { "False" };
    let old = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == type_));
    let since = match old {
        Some(c) if c.status == value => c.last_transition_time.clone(),
        _ => Some(now.clone()),
    };
    PodCondition {
        type_: type_.into(),
        status: value.into(),
        reason: reason.map(str::to_string),
        message,
        last_transition_time: since,
        ..Default::default()
    }
}

/// The status the kubelet writes for `pod` at `now`.
pub(crate) fn build(pod: &Pod, rt: &PodRt, host_ip: &str, now: Time, clock: Clock) -> PodStatus {
    let spec = pod.spec.as_ref();
    let policy = spec
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always");
    let phase = phase(rt, policy);
    let old = pod.status.clone().unwrap_or_default();
    let terminal = phase == "Succeeded" || phase == "Failed";
    let completed = phase == "Succeeded";

    let pending_init: Vec<String> = rt
        .init
        .iter()
        .filter(|c| !(c.done() || (c.sidecar && c.is_running() && c.started)))
        .map(|c| c.name.clone())
        .collect();
    let unready: Vec<String> = rt
        .main
        .iter()
        .chain(rt.init.iter().filter(|c| c.sidecar))
        .filter(|c| !(c.is_running() && c.ready))
        .map(|c| c.name.clone())
        .collect();
    let node_lost_ready = false;
    let mut conds = vec![
        cond(
            pod,
            "PodReadyToStartContainers",
            rt.sandbox_ready && !(terminal && rt.sandbox_gone),
            None,
            None,
            &now,
        ),
        if completed {
            cond(pod, "Initialized", true, Some("PodCompleted"), None, &now)
        } else if pending_init.is_empty() {
            cond(pod, "Initialized", true, None, None, &now)
        } else {
            cond(
                pod,
                "Initialized",
                false,
                Some("ContainersNotInitialized"),
                Some(format!(
                    "containers with incomplete status: [{}]",
                    pending_init.join(" ")
                )),
                &now,
            )
        },
    ];
    let (ready, reason, message) = if completed {
        (false, Some("PodCompleted"), None)
    } else if unready.is_empty() && !node_lost_ready {
        (true, None, None)
    } else {
        (
            false,
            Some("ContainersNotReady"),
            Some(format!(
                "containers with unready status: [{}]",
                unready.join(" ")
            )),
        )
    };
    conds.push(cond(pod, "Ready", ready, reason, message.clone(), &now));
    conds.push(cond(pod, "ContainersReady", ready, reason, message, &now));
    // Conditions owned by others (PodScheduled, DisruptionTarget) stay.
    for c in old.conditions.iter().flatten() {
        if !conds.iter().any(|x| x.type_ == c.type_) {
            conds.push(c.clone());
        }
    }
    let order = |t: &str| match t {
        "PodReadyToStartContainers" => 0,
        "Initialized" => 1,
        "Ready" => 2,
        "ContainersReady" => 3,
        "PodScheduled" => 4,
        _ => 5,
    };
    conds.sort_by_key(|c| order(&c.type_));

    let ip = rt.ip.clone();
    PodStatus {
        phase: Some(phase.into()),
        conditions: Some(conds),
        host_ip: Some(host_ip.into()),
        host_ips: Some(vec![HostIP { ip: host_ip.into() }]),
        pod_ip: ip.clone(),
        pod_ips: ip.map(|ip| vec![PodIP { ip }]),
        start_time: Some(clock(rt.start_time)),
        init_container_statuses: if rt.init.is_empty() {
            None
        } else {
            Some(rt.init.iter().map(|c| container_status(c, clock)).collect())
        },
        container_statuses: Some(rt.main.iter().map(|c| container_status(c, clock)).collect()),
        qos_class: Some(qos_class(pod).into()),
        nominated_node_name: old.nominated_node_name,
        reason: old.reason,
        message: old.message,
        ..Default::default()
    }
}

/// `pkg/apis/core/v1/helper/qos/qos.go` `GetPodQOS`, for cpu and memory.
pub fn qos_class(pod: &Pod) -> &'static str {
    let Some(spec) = pod.spec.as_ref() else {
        return "BestEffort";
    };
    let cs: Vec<_> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in cs {
        let r = c.resources.as_ref();
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        if req.is_some_and(|m| !m.is_empty()) || lim.is_some_and(|m| !m.is_empty()) {
            any = true;
        }
        for res in ["cpu", "memory"] {
            let l = lim.and_then(|m| m.get(res));
            let q = req.and_then(|m| m.get(res));
            if l.is_none() || (q.is_some() && q != l) {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// `evictPod`'s status function: Failed, reason Evicted, the message, and
/// a DisruptionTarget condition (`TerminationByKubelet`).
pub(crate) fn mark_evicted(st: &mut PodStatus, msg: &str, now: Time) {
    st.phase = Some("Failed".into());
    st.reason = Some("Evicted".into());
    st.message = Some(msg.to_string());
    let conds = st.conditions.get_or_insert_with(Vec::new);
    if !conds.iter().any(|c| c.type_ == "DisruptionTarget") {
        conds.insert(
            0,
            PodCondition {
                type_: "DisruptionTarget".into(),
                status: "True".into(),
                reason: Some("TerminationByKubelet".into()),
                message: Some(msg.to_string()),
                last_transition_time: Some(now),
                ..Default::default()
            },
        );
    }
}
