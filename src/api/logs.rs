//! `pods/log`: plain-text container logs with `follow`, `tailLines`,
//! `sinceSeconds`, `sinceTime`, `timestamps`, `previous`, `limitBytes` and
//! `container` (`pkg/registry/core/pod/rest/log.go`, `pkg/kubelet/kuberuntime/logs`).
//!
//! Lines come from the node agent ([`Kubelet::logs`]), which owns the
//! container log buffers; this module only selects, formats and streams.

use super::handler::Ctx;
use super::read::stopped;
use super::response::{bytes_response, ApiResult};
use super::watch::stream_response;
use crate::objects::Kind;
use crate::sim::store::{ApiError, Reason};
use crate::sim::{SimTime, World};
use axum::body::Bytes;
use k8s_openapi::api::core::v1::Pod;
use std::time::Duration;

pub use crate::controllers::kubelet::LogLine;

/// The query options of a log request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub container: Option<String>,
    pub follow: bool,
    pub tail_lines: Option<i64>,
    pub since_seconds: Option<i64>,
    /// `sinceTime` as a wall instant.
    pub since_time: Option<jiff::Timestamp>,
    pub timestamps: bool,
    pub previous: bool,
    pub limit_bytes: Option<i64>,
}

fn options(ctx: &Ctx) -> Result<LogOptions, ApiError> {
    let q = &ctx.query;
    let int = |k: &str| q.int(k).map_err(ApiError::bad_request);
    let o = LogOptions {
        container: q
            .get("container")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        follow: q.flag("follow"),
        tail_lines: int("tailLines")?,
        since_seconds: int("sinceSeconds")?,
        since_time: match q.get("sinceTime") {
            Some(t) if !t.is_empty() => Some(
                t.parse()
                    .map_err(|_| ApiError::bad_request(format!("invalid sinceTime {t:?}")))?,
            ),
            _ => None,
        },
        timestamps: q.flag("timestamps"),
        previous: q.flag("previous"),
        limit_bytes: int("limitBytes")?,
    };
    if o.since_seconds.is_some() && o.since_time.is_some() {
        return Err(ApiError::bad_request(
            "at most one of `sinceTime` or `sinceSeconds` may be specified",
        ));
    }
    if o.since_seconds.is_some_and(|s| s < 1) {
        return Err(ApiError::new(
            Reason::Invalid,
            "PodLogOptions \"\" is invalid: sinceSeconds: Invalid value: must be greater than 0",
        ));
    }
    Ok(o)
}

/// Picks the container a log request reads, as the apiserver does.
pub fn pick_container(pod: &Pod, name: &str, requested: Option<&str>) -> Result<String, ApiError> {
    let spec = pod.spec.as_ref();
    let names: Vec<String> = spec
        .map(|s| {
            s.containers
                .iter()
                .chain(s.init_containers.iter().flatten())
                .map(|c| c.name.clone())
                .collect()
        })
        .unwrap_or_default();
    match requested {
        Some(c) if names.iter().any(|n| n == c) => Ok(c.to_string()),
        Some(c) => Err(ApiError::bad_request(format!(
            "container {c} is not valid for pod {name}"
        ))),
        None => {
            let main: Vec<&String> = spec
                .map(|s| s.containers.iter().map(|c| &c.name).collect())
                .unwrap_or_default();
            if let Some(d) = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
            {
                return Ok(d.clone());
            }
            match main.as_slice() {
                [one] => Ok((*one).clone()),
                _ => Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    main.iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ))),
            }
        }
    }
}

/// Why a container has no logs to show yet, if so.
fn not_started(pod: &Pod, name: &str, container: &str) -> Option<ApiError> {
    let unscheduled = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_none_or(str::is_empty);
    if unscheduled {
        return Some(ApiError::bad_request(format!(
            "pod {name} does not have a host assigned"
        )));
    }
    let statuses = pod.status.as_ref().map(|s| {
        s.container_statuses
            .iter()
            .flatten()
            .chain(s.init_container_statuses.iter().flatten())
            .find(|c| c.name == container)
            .cloned()
    });
    let waiting = match statuses {
        Some(Some(cs)) => cs
            .state
            .and_then(|s| s.waiting)
            .map(|w| w.reason.unwrap_or_default()),
        _ => Some("ContainerCreating".to_string()),
    };
    waiting.map(|reason| {
        ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        ))
    })
}

/// Selects and formats lines (pure): since, tail, timestamps, limitBytes.
pub fn render(lines: &[LogLine], o: &LogOptions, now: SimTime, epoch: jiff::Timestamp) -> String {
    let wall = |t: SimTime| epoch + jiff::SignedDuration::from_millis(t.0 as i64);
    let since: Option<SimTime> = match (o.since_seconds, o.since_time) {
        (Some(s), _) => Some(SimTime(now.0.saturating_sub(s as u64 * 1000))),
        (None, Some(t)) => Some(SimTime(t.duration_since(epoch).as_millis().max(0) as u64)),
        _ => None,
    };
    let mut selected: Vec<&LogLine> = lines
        .iter()
        .filter(|l| since.is_none_or(|s| l.time >= s))
        .collect();
    if let Some(n) = o.tail_lines {
        let n = n.max(0) as usize;
        if selected.len() > n {
            selected.drain(..selected.len() - n);
        }
    }
    let mut out = String::new();
    for l in selected {
        if o.timestamps {
            out.push_str(&wall(l.time).strftime("%Y-%m-%dT%H:%M:%S.%9fZ").to_string());
            out.push(' ');
        }
        out.push_str(&l.text);
        out.push('\n');
    }
    if let Some(limit) = o.limit_bytes {
        let limit = limit.max(0) as usize;
        if out.len() > limit {
            let mut cut = limit;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
        }
    }
    out
}

struct Snapshot {
    lines: Vec<LogLine>,
    now: SimTime,
    epoch: jiff::Timestamp,
    /// The container stopped for good (or the pod is gone): `follow` ends.
    finished: bool,
}

fn snapshot(w: &World, ns: &str, name: &str, container: &str, previous: bool) -> Snapshot {
    let pod = w.store.get_as::<Pod>(ns, name);
    let finished = match pod {
        None => true,
        Some(p) => {
            let phase = p
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("");
            phase == "Succeeded" || phase == "Failed"
        }
    };
    Snapshot {
        // The kubelet's buffers with the container's traffic lines, as
        // the REPL's `kubectl logs` shows them.
        lines: crate::net::container_logs(w, ns, name, container, previous).unwrap_or_default(),
        now: w.now(),
        epoch: w.store.epoch(),
        finished,
    }
}

pub(crate) async fn handle(ctx: Ctx, ns: String, name: String) -> ApiResult {
    let o = options(&ctx)?;
    let (n2, ns2, o2) = (name.clone(), ns.clone(), o.clone());
    let (container, first) = ctx
        .app
        .sim
        .call_async(move |w| {
            let pod = w
                .store
                .get_as::<Pod>(&ns2, &n2)
                .cloned()
                .ok_or_else(|| ApiError::not_found(Kind::Pod, &n2))?;
            let c = pick_container(&pod, &n2, o2.container.as_deref())?;
            if !o2.previous {
                if let Some(e) = not_started(&pod, &n2, &c) {
                    return Err(e);
                }
            }
            let snap = snapshot(w, &ns2, &n2, &c, o2.previous);
            Ok((c, snap))
        })
        .await
        .map_err(stopped)??;
    let text = render(&first.lines, &o, first.now, first.epoch);
    if !o.follow || o.previous {
        return Ok(bytes_response(200, "text/plain", text.into_bytes()));
    }
    // follow: send what is there, then new lines as they are written.
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    let app = ctx.app.clone();
    tokio::spawn(async move {
        if !text.is_empty() && tx.send(Bytes::from(text)).await.is_err() {
            return;
        }
        let mut sent = first.lines.len();
        let mut finished = first.finished;
        let mut changes = app.sim.changes();
        let mut shutdown = app.shutdown.clone();
        let follow_opts = LogOptions {
            tail_lines: None,
            since_seconds: None,
            since_time: None,
            limit_bytes: None,
            ..o
        };
        while !finished {
            tokio::select! {
                r = changes.changed() => { if r.is_err() { return; } }
                // Lines can be written without a store change: poll too.
                _ = tokio::time::sleep(Duration::from_millis(250)) => {}
                _ = shutdown.wait_for(|v| *v) => return,
                _ = tx.closed() => return,
            }
            let (ns3, n3, c3) = (ns.clone(), name.clone(), container.clone());
            let Ok(snap) = app
                .sim
                .call_async(move |w| snapshot(w, &ns3, &n3, &c3, false))
                .await
            else {
                return;
            };
            finished = snap.finished;
            if snap.lines.len() > sent {
                let chunk = render(&snap.lines[sent..], &follow_opts, snap.now, snap.epoch);
                sent = snap.lines.len();
                if tx.send(Bytes::from(chunk)).await.is_err() {
                    return;
                }
            }
        }
    });
    Ok(stream_response("text/plain", rx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lines() -> Vec<LogLine> {
        (1..=5)
            .map(|i| LogLine {
                time: SimTime::from_secs(i * 10),
                text: format!("line {i}"),
            })
            .collect()
    }

    #[test]
    fn tail_since_and_timestamps() {
        let epoch: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().unwrap();
        let now = SimTime::from_secs(50);
        let all = render(&lines(), &LogOptions::default(), now, epoch);
        assert_eq!(all, "line 1\nline 2\nline 3\nline 4\nline 5\n");
        let tail = LogOptions {
            tail_lines: Some(2),
            ..Default::default()
        };
        assert_eq!(render(&lines(), &tail, now, epoch), "line 4\nline 5\n");
        let since = LogOptions {
            since_seconds: Some(15),
            timestamps: true,
            ..Default::default()
        };
        assert_eq!(
            render(&lines(), &since, now, epoch),
            "2026-11-23T09:00:40.000000000Z line 4\n2026-11-23T09:00:50.000000000Z line 5\n"
        );
        let limited = LogOptions {
            limit_bytes: Some(3),
            ..Default::default()
        };
        assert_eq!(render(&lines(), &limited, now, epoch), "lin");
    }

    #[test]
    fn container_choice_follows_the_apiserver() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}]}
        }))
        .unwrap();
        assert_eq!(
            pick_container(&pod, "web", None).unwrap_err().message,
            "a container name must be specified for pod web, choose one of: [a b]"
        );
        assert_eq!(pick_container(&pod, "web", Some("b")).unwrap(), "b");
        assert_eq!(
            pick_container(&pod, "web", Some("z")).unwrap_err().message,
            "container z is not valid for pod web"
        );
    }
}
