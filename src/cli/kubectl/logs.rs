//! `kubectl logs`: what the kubelet kept of a container's output
//! (`k8s.io/kubectl/pkg/cmd/logs/logs.go`). `POD`, `TYPE/NAME` (the first
//! pod of a deployment, replica set, job, ...), `-l` (every matching pod,
//! `--tail=10` by default, at most `--max-log-requests` streams when
//! following), `-c`, `--all-containers`, `--prefix`, `--tail`, `--since`,
//! `--since-time`, `--timestamps`, `--previous`, and `-f` following in
//! virtual time until the container stops, Ctrl-C, `--request-timeout` or
//! the script bound.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::controllers::kubelet::LogLine;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::ListOptions;
use crate::sim::{SimTime, World};
use k8s_openapi::api::core::v1::Pod;
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag("tail", None, true, "Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.").default("-1"),
    flag("follow", Some('f'), false, "Specify if the logs should be streamed."),
    flag("previous", Some('p'), false, "If true, print the logs for the previous instance of the container in a pod if it exists."),
    flag("container", Some('c'), true, "Print the logs of this container"),
    flag("timestamps", None, false, "Include timestamps on each line in the log output"),
    flag("since", None, true, "Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.").default("0s"),
    flag("since-time", None, true, "Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("all-containers", None, false, "Get all containers' logs in the pod(s)."),
    flag("all-pods", None, false, "Get logs from all pod(s). Sets prefix to true."),
    flag("prefix", None, false, "Prefix each log line with the log source (pod name and container name)"),
    flag("max-log-requests", None, true, "Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.").default("5"),
    flag("limit-bytes", None, true, "Maximum bytes of logs to return. Defaults to no limit.").default("0"),
    flag("ignore-errors", None, false, "If watching / following pod logs, allow for any errors that occur to be non-fatal"),
    flag("pod-running-timeout", None, true, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running").default("20s"),
];

/// The pod a `POD` or `TYPE/NAME` argument means: for controllers, the
/// first of their pods (kubectl's `GetFirstPod`, ordered by
/// `podutils.ByLogging`: scheduled, running, ready, then oldest), waiting
/// up to `--pod-running-timeout` for one to exist.
pub fn pod_for(ctx: &mut Ctx, ns: &str, target: &str) -> Result<Pod, Output> {
    pod_for_counted(ctx, ns, target).map(|(p, _)| p)
}

/// [`pod_for`] with the number of pods the selector matched (0 for a pod
/// named directly): `kubectl logs` reports it.
pub fn pod_for_counted(ctx: &mut Ctx, ns: &str, target: &str) -> Result<(Pod, usize), Output> {
    let (type_word, name) = match target.split_once('/') {
        Some((t, n)) => (t, n),
        None => ("pod", target),
    };
    let kind = super::resolve_kind(type_word).map_err(Output::error)?;
    if kind == Kind::Pod {
        return match ctx.world.store.get(Kind::Pod, ns, name) {
            Ok(o) => match &**o {
                Object::Pod(p) => Ok((p.clone(), 0)),
                _ => unreachable!("pod table holds pods"),
            },
            Err(e) => Err(Output::err(e.kubectl_text())),
        };
    }
    let obj = ctx
        .world
        .store
        .get(kind, ns, name)
        .map_err(|e| Output::err(e.kubectl_text()))?
        .clone();
    let v = obj.to_json();
    let selector = match kind {
        Kind::Service | Kind::ReplicationController => v["spec"]["selector"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("")))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
        _ => {
            let ls: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector> =
                serde_json::from_value(v["spec"]["selector"].clone()).ok();
            match ls {
                Some(ls) => Selector::from_label_selector(&ls).to_string(),
                None => {
                    return Err(Output::error(format!(
                        "cannot attach to {}: selector for {} not implemented",
                        kind.info().kind_prefix(),
                        kind.info().kind
                    )))
                }
            }
        }
    };
    let sel = Selector::parse(&selector).map_err(Output::error)?;
    let timeout = ctx
        .args
        .get("pod-running-timeout")
        .and_then(|t| crate::sim::time::parse_duration(t).ok())
        .unwrap_or(Duration::from_secs(20));
    let give_up = ctx.world.now() + timeout;
    loop {
        let mut pods: Vec<Pod> = ctx
            .world
            .store
            .list(
                Kind::Pod,
                Some(ns),
                &ListOptions {
                    label_selector: sel.clone(),
                    ..Default::default()
                },
            )
            .map(|l| l.items)
            .unwrap_or_default()
            .iter()
            .filter_map(|o| match &**o {
                Object::Pod(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        if !pods.is_empty() {
            pods.sort_by_key(by_logging_key);
            let n = pods.len();
            return Ok((pods.remove(0), n));
        }
        let next = ctx.world.now() + Duration::from_secs(1);
        if next > give_up || !ctx.wait_until(next) {
            return Err(Output::error("timed out waiting for the condition"));
        }
    }
}

/// `podutils.ByLogging` (`k8s.io/kubectl/pkg/util/podutils`): assigned
/// before unassigned; Running (and any phase Go's map lacks) before Unknown
/// before Pending; ready before not ready; of two ready pods the one ready
/// longer; more restarts first; then the older pod (then the name, the
/// apiserver's list order).
#[allow(clippy::type_complexity)]
fn by_logging_key(
    p: &Pod,
) -> (
    u8,
    u8,
    u8,
    (bool, String),
    std::cmp::Reverse<i32>,
    String,
    String,
) {
    let assigned = p
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .is_some_and(|n| !n.is_empty());
    let status = p.status.as_ref();
    let phase_rank = match status.and_then(|s| s.phase.as_deref()).unwrap_or("") {
        "Unknown" => 1,
        "Pending" => 2,
        _ => 0,
    };
    let ready_cond = status
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let ready = ready_cond.is_some_and(|c| c.status == "True");
    // Compared only between ready pods; empty times last.
    let ready_since = match ready_cond.filter(|_| ready) {
        Some(c) => match &c.last_transition_time {
            Some(t) => (false, t.0.to_string()),
            None => (true, String::new()),
        },
        None => (false, String::new()),
    };
    let restarts = status
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
        .unwrap_or(0);
    let created = p
        .metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
        .unwrap_or_else(|| "~".into());
    (
        u8::from(!assigned),
        phase_rank,
        u8::from(!ready),
        ready_since,
        std::cmp::Reverse(restarts),
        created,
        p.metadata.name.clone().unwrap_or_default(),
    )
}

/// One log stream: a container of a pod, and how much of it was shown.
struct Stream {
    ns: String,
    pod: String,
    container: String,
    shown: usize,
    done: bool,
}

pub fn logs(ctx: &mut Ctx) -> Output {
    let ns = ctx.namespace();
    let selector = ctx.args.get("selector").map(str::to_string);
    let target = ctx.args.positional.first().cloned();
    if target.is_none() && selector.is_none() {
        return Output::err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
    }
    if target.is_some() && selector.is_some() {
        return Output::error("only one of a selector or a TYPE/NAME may be specified");
    }
    let tail_arg = ctx.args.get("tail").map(str::to_string);
    let tail: Option<usize> = match tail_arg.as_deref().map(str::parse::<i64>).transpose() {
        Ok(Some(n)) if n >= 0 => Some(n as usize),
        Ok(Some(_)) => None,
        Ok(None) if selector.is_some() => Some(10),
        Ok(None) => None,
        Err(_) => {
            let t = tail_arg.unwrap_or_default();
            return Output::error(format!(
                "invalid argument \"{t}\" for \"--tail\" flag: strconv.ParseInt: parsing \"{t}\": invalid syntax"
            ));
        }
    };
    if ctx.args.get("since").is_some() && ctx.args.get("since-time").is_some() {
        return Output::error("at most one of `sinceTime` or `sinceSeconds` may be specified");
    }
    let since: Option<SimTime> = if let Some(s) = ctx.args.get("since") {
        match crate::sim::time::parse_duration(s) {
            Ok(d) if d.is_zero() => None,
            Ok(d) => Some(SimTime(
                ctx.world.now().0.saturating_sub(d.as_millis() as u64),
            )),
            Err(_) => {
                return Output::error(format!(
                    "invalid argument \"{s}\" for \"--since\" flag: time: invalid duration \"{s}\""
                ))
            }
        }
    } else if let Some(t) = ctx.args.get("since-time") {
        match t.parse::<jiff::Timestamp>() {
            Ok(ts) => {
                let ms = ts.as_millisecond() - ctx.world.store.epoch().as_millisecond();
                Some(SimTime(ms.max(0) as u64))
            }
            Err(_) => {
                return Output::error(format!(
                    "invalid argument \"{t}\" for \"--since-time\" flag"
                ))
            }
        }
    } else {
        None
    };
    let follow = ctx.args.bool("follow");
    let all_containers = ctx.args.bool("all-containers");
    let container = ctx.args.get("container").map(str::to_string);
    let mut out = Output::default();
    // Which pods.
    let pods: Vec<Pod> = match (&target, &selector) {
        (Some(t), _) => match pod_for_counted(ctx, &ns, t) {
            Ok((p, n)) => {
                // polymorphichelpers/logsforobject.go: which pod, of several.
                if n > 1 {
                    out.push_err(&format!(
                        "Found {n} pods, using pod/{}",
                        p.metadata.name.as_deref().unwrap_or("")
                    ));
                    ctx.flush(&mut out);
                }
                vec![p]
            }
            Err(e) => return e,
        },
        (None, Some(sel)) => {
            let s = match Selector::parse(sel) {
                Ok(s) => s,
                Err(e) => return Output::error(e),
            };
            ctx.world
                .store
                .list(
                    Kind::Pod,
                    Some(&ns),
                    &ListOptions {
                        label_selector: s,
                        ..Default::default()
                    },
                )
                .map(|l| l.items)
                .unwrap_or_default()
                .iter()
                .filter_map(|o| match &**o {
                    Object::Pod(p) => Some(p.clone()),
                    _ => None,
                })
                .collect()
        }
        (None, None) => unreachable!("checked above"),
    };
    if pods.is_empty() {
        out.push_err(&format!("No resources found in {ns} namespace."));
        return out;
    }
    // Which containers.
    let mut streams = Vec::new();
    for p in &pods {
        let pname = p.metadata.name.clone().unwrap_or_default();
        let containers: Vec<String> = p
            .spec
            .iter()
            .flat_map(|s| s.containers.iter().map(|c| c.name.clone()))
            .collect();
        let chosen: Vec<String> = if all_containers {
            let mut v: Vec<String> = p
                .spec
                .iter()
                .flat_map(|s| s.init_containers.iter().flatten().map(|c| c.name.clone()))
                .collect();
            v.extend(containers.clone());
            v
        } else if let Some(c) = &container {
            if !containers.contains(c) {
                out.extend(Output::error(format!(
                    "container {c} is not valid for pod {pname}"
                )));
                return out;
            }
            vec![c.clone()]
        } else {
            let default = p
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container").cloned());
            match default.filter(|d| containers.contains(d)) {
                Some(d) => vec![d],
                None => {
                    if containers.len() > 1 && selector.is_none() {
                        out.push_err(&format!(
                            "Defaulted container \"{}\" out of: {}",
                            containers[0],
                            containers.join(", ")
                        ));
                    }
                    containers.first().cloned().into_iter().collect()
                }
            }
        };
        for c in chosen {
            streams.push(Stream {
                ns: p.metadata.namespace.clone().unwrap_or_default(),
                pod: pname.clone(),
                container: c,
                shown: 0,
                done: false,
            });
        }
    }
    let max: usize = ctx
        .args
        .get("max-log-requests")
        .and_then(|m| m.parse().ok())
        .unwrap_or(5);
    if follow && streams.len() > max {
        return Output::error(format!(
            "you are attempting to follow {} log streams, but maximum allowed concurrency is {max}, use --max-log-requests to increase the limit",
            streams.len()
        ));
    }
    let prefix = ctx.args.bool("prefix") || ctx.args.bool("all-pods");
    let timestamps = ctx.args.bool("timestamps");
    let previous = ctx.args.bool("previous");
    // What is there now.
    for s in &mut streams {
        let lines = match (ctx.hooks.logs)(ctx.world, &s.ns, &s.pod, &s.container, previous) {
            Ok(l) => l,
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                s.done = true;
                continue;
            }
        };
        let eligible: Vec<&LogLine> = lines
            .iter()
            .filter(|l| since.is_none_or(|t| l.time >= t))
            .collect();
        let start = tail.map(|t| eligible.len().saturating_sub(t)).unwrap_or(0);
        for l in &eligible[start..] {
            out.stdout
                .push_str(&format_line(ctx.world, s, l, prefix, timestamps));
        }
        s.shown = lines.len();
    }
    ctx.flush(&mut out);
    if !follow || previous {
        return out;
    }
    // Follow: new lines as virtual time passes.
    let deadline = ctx.stream_deadline();
    loop {
        if streams.iter().all(|s| s.done) || ctx.term.is_interrupted() {
            break;
        }
        let now = ctx.world.now();
        if deadline.is_some_and(|d| now >= d) {
            break;
        }
        let mut next = now + Duration::from_secs(1);
        if let Some(t) = ctx.world.next_event_time() {
            if t > now && t < next {
                next = t;
            }
        }
        if let Some(d) = deadline {
            next = next.min(d);
        }
        if !ctx.wait_until(next) {
            break;
        }
        let mut new: Vec<(SimTime, usize, String)> = Vec::new();
        for (i, s) in streams.iter_mut().enumerate() {
            if s.done {
                continue;
            }
            match (ctx.hooks.logs)(ctx.world, &s.ns, &s.pod, &s.container, false) {
                Ok(lines) => {
                    if lines.len() < s.shown {
                        s.shown = 0; // a new container instance
                    }
                    for l in &lines[s.shown..] {
                        new.push((l.time, i, format_line(ctx.world, s, l, prefix, timestamps)));
                    }
                    s.shown = lines.len();
                }
                Err(_) => s.done = true,
            }
            if container_stopped(ctx.world, s) {
                s.done = true;
            }
        }
        new.sort_by_key(|(t, i, _)| (*t, *i));
        for (_, _, text) in new {
            out.stdout.push_str(&text);
        }
        ctx.flush(&mut out);
    }
    if !streams.iter().all(|s| s.done) {
        if let Some(note) = ctx.cap_note(deadline) {
            out.push_err(&note);
        }
    }
    out
}

/// The stream ends when its container (or pod) is gone or terminated.
fn container_stopped(world: &World, s: &Stream) -> bool {
    match world.store.get_as::<Pod>(&s.ns, &s.pod) {
        None => true,
        Some(p) => p
            .status
            .as_ref()
            .and_then(|st| st.container_statuses.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.name == s.container))
            .and_then(|c| c.state.as_ref())
            .is_some_and(|st| st.terminated.is_some()),
    }
}

fn format_line(world: &World, s: &Stream, l: &LogLine, prefix: bool, timestamps: bool) -> String {
    let mut text = String::new();
    if prefix {
        text.push_str(&format!("[pod/{}/{}] ", s.pod, s.container));
    }
    if timestamps {
        let t = world.store.timestamp_at(l.time).0;
        text.push_str(&rfc3339_nano(t));
        text.push(' ');
    }
    text.push_str(&l.text);
    text.push('\n');
    text
}

/// Go's `time.RFC3339Nano` (trailing zeros of the fraction dropped), as
/// the kubelet timestamps log lines.
pub fn rfc3339_nano(t: jiff::Timestamp) -> String {
    let base = t.strftime("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = t.subsec_nanosecond();
    if nanos == 0 {
        return format!("{base}Z");
    }
    let frac = format!("{nanos:09}");
    format!("{base}.{}Z", frac.trim_end_matches('0'))
}
