//! `kubectl logs`: what the kubelet kept of a container's output.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::controllers::kubelet::Kubelet;

pub const FLAGS: &[FlagSpec] = &[
    flag("tail", None, true, "Lines of recent log file to display."),
    flag(
        "follow",
        Some('f'),
        false,
        "Specify if the logs should be streamed.",
    ),
    flag(
        "previous",
        Some('p'),
        false,
        "If true, print the logs for the previous instance of the container in a pod if it exists.",
    ),
    flag(
        "container",
        Some('c'),
        true,
        "Print the logs of this container",
    ),
    flag(
        "timestamps",
        None,
        false,
        "Include timestamps on each line in the log output",
    ),
    flag(
        "since",
        None,
        true,
        "Only return logs newer than a relative duration like 5s, 2m, or 3h.",
    ),
    flag(
        "selector",
        Some('l'),
        true,
        "Selector (label query) to filter on.",
    ),
    flag(
        "all-containers",
        None,
        false,
        "Get all containers' logs in the pod(s).",
    ),
    flag(
        "prefix",
        None,
        false,
        "Prefix each log line with the log source (pod name and container name)",
    ),
    flag(
        "max-log-requests",
        None,
        true,
        "Specify maximum number of concurrent logs to follow when using by a selector.",
    ),
];

pub fn logs(ctx: &mut Ctx) -> Output {
    let Some(target) = ctx.args.positional.first().cloned() else {
        return Output::err("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
    };
    let pod = target
        .strip_prefix("pod/")
        .or_else(|| target.strip_prefix("pods/"))
        .unwrap_or(&target)
        .to_string();
    let ns = ctx.namespace();
    let tail: Option<usize> = match ctx.args.get("tail").map(str::parse::<i64>).transpose() {
        Ok(Some(n)) if n >= 0 => Some(n as usize),
        Ok(_) => None,
        Err(_) => return Output::error("invalid argument for --tail"),
    };
    let container = ctx.args.get("container").map(str::to_string);
    let Some(kubelet) = ctx.world.controller::<Kubelet>() else {
        return Output::error("no kubelet in this simulation");
    };
    let lines = match kubelet.logs(
        &ctx.world.store,
        &ns,
        &pod,
        container.as_deref(),
        ctx.args.bool("previous"),
        ctx.world.now(),
    ) {
        Ok(l) => l,
        Err(e) => return Output::err(e.kubectl_text()),
    };
    let start = tail.map(|t| lines.len().saturating_sub(t)).unwrap_or(0);
    let ts = ctx.args.bool("timestamps");
    let mut text = String::new();
    for l in &lines[start..] {
        if ts {
            let t = ctx.world.store.timestamp_at(l.time).0;
            text.push_str(&format!("{} ", t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")));
        }
        text.push_str(&l.text);
        text.push('\n');
    }
    Output::ok(text)
}
