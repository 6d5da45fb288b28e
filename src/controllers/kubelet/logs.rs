//! `kubectl logs`: the lines a container wrote, computed lazily from its
//! behaviour and run times, with the kubelet's errors
//! (`pkg/kubelet/kubelet_pods.go` `validateContainerLogStatus`).

use super::{behaviours, CState, Kubelet};
use crate::controllers::object_key;
use crate::objects::Kind;
use crate::sim::store::{ApiError, Store};
use crate::sim::SimTime;
use k8s_openapi::api::core::v1::Pod;

/// One log line with the virtual time it was written (`--timestamps`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub time: SimTime,
    pub text: String,
}

impl Kubelet {
    /// The log of `container` (or the pod's only container) of `ns/pod` up
    /// to `now`; `previous` reads the last terminated instance.
    pub fn logs(
        &self,
        store: &Store,
        ns: &str,
        pod: &str,
        container: Option<&str>,
        previous: bool,
        now: SimTime,
    ) -> Result<Vec<LogLine>, ApiError> {
        let p = store
            .get_as::<Pod>(ns, pod)
            .ok_or_else(|| ApiError::not_found(Kind::Pod, pod))?;
        let spec = p.spec.clone().unwrap_or_default();
        let inits: Vec<String> = spec
            .init_containers
            .iter()
            .flatten()
            .map(|c| c.name.clone())
            .collect();
        let mains: Vec<String> = spec.containers.iter().map(|c| c.name.clone()).collect();
        let name = match container {
            Some(c) => c.to_string(),
            None if mains.len() == 1 => mains[0].clone(),
            None => {
                let mut msg = format!(
                    "a container name must be specified for pod {pod}, choose one of: [{}]",
                    mains.join(" ")
                );
                if !inits.is_empty() {
                    msg.push_str(&format!(
                        " or one of the init containers: [{}]",
                        inits.join(" ")
                    ));
                }
                return Err(ApiError::bad_request(msg));
            }
        };
        if !mains.contains(&name) && !inits.contains(&name) {
            return Err(ApiError::bad_request(format!(
                "container {name} is not valid for pod {pod}"
            )));
        }
        let rt = self.pods.get(&object_key(Some(ns), pod));
        let ctr = rt.and_then(|rt| rt.all().find(|c| c.name == name));
        let Some(c) = ctr else {
            return Err(ApiError::bad_request(format!(
                "container \"{name}\" in pod \"{pod}\" is waiting to start: ContainerCreating"
            )));
        };
        let ip = rt.and_then(|r| r.ip.clone()).unwrap_or_default();
        let run = if previous {
            let prev = match c.state {
                CState::Running { .. } | CState::Terminated { .. } => c.runs.len().checked_sub(2),
                _ => c.runs.len().checked_sub(1),
            };
            match prev.filter(|_| c.last_term.is_some()) {
                Some(i) => &c.runs[i],
                None => {
                    return Err(ApiError::bad_request(format!(
                        "previous terminated container \"{name}\" in pod \"{pod}\" not found"
                    )))
                }
            }
        } else {
            match (&c.state, c.runs.last()) {
                (CState::Running { .. } | CState::Terminated { .. }, Some(r)) => r,
                (_, Some(r)) if c.last_term.is_some() => r,
                (CState::Waiting { reason, .. }, _) => {
                    let why = match reason.as_str() {
                        "ErrImagePull" => "image can't be pulled".to_string(),
                        "ImagePullBackOff" => "trying and failing to pull image".to_string(),
                        r => r.to_string(),
                    };
                    return Err(ApiError::bad_request(format!(
                        "container \"{name}\" in pod \"{pod}\" is waiting to start: {why}"
                    )));
                }
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "container \"{name}\" in pod \"{pod}\" is waiting to start: {}",
                        c.creating_reason()
                    )))
                }
            }
        };
        let end = run.finished.unwrap_or(now).min(now.max(run.started));
        let lines = run
            .behaviour
            .lines(std::time::Duration::ZERO, end.since(run.started));
        Ok(lines
            .into_iter()
            .map(|(d, text)| {
                let time = run.started + d;
                LogLine {
                    time,
                    text: behaviours::render(&text, store.timestamp_at(time).0, &ip),
                }
            })
            .collect())
    }
}
