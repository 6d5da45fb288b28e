//! `kubectl exec POD [-c CONTAINER] -- COMMAND...` (kubectl's
//! pkg/cmd/exec/exec.go): finds the pod and the container
//! (pkg/util/podcmd `FindOrDefaultContainerByName`), refuses completed,
//! unscheduled and not-yet-running pods with the apiserver's and
//! kubelet's words, then runs the command through the exec hook
//! (`cli::container`, the container runtime's side). A non-zero status
//! is kubectl's `command terminated with exit code N` and its exit code.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::hooks::{ExecResult, Origin};
use crate::cli::output::Output;
use k8s_openapi::api::core::v1::Pod;

pub const FLAGS: &[FlagSpec] = &[
    flag("container", Some('c'), true, "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"),
    flag("stdin", Some('i'), false, "Pass stdin to the container"),
    flag("tty", Some('t'), false, "Stdin is a TTY"),
    flag("quiet", Some('q'), false, "Only print output from the remote session"),
    flag("filename", Some('f'), true, "to use to exec into the resource").default("[]"),
    flag("pod-running-timeout", None, true, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running").default("1m0s"),
];

/// kubectl's exec: target, container, then the command.
pub fn exec(ctx: &mut Ctx) -> Output {
    let Some(target) = ctx.args.positional.first().cloned() else {
        return ctx.usage_error("pod, type/name or --filename must be specified");
    };
    let Some(cmd) = ctx.args.after_dash.clone().filter(|c| !c.is_empty()) else {
        if ctx.args.positional.len() > 1 {
            return Output::error("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples");
        }
        return ctx.usage_error("you must specify at least one command for the container");
    };
    let ns = ctx.namespace();
    let pod = match super::logs::pod_for(ctx, &ns, &target) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let container = ctx.args.get("container").map(str::to_string);
    in_container(ctx, &pod, container.as_deref(), &cmd)
}

/// podcmd.FindOrDefaultContainerByName: the named container, else the
/// `kubectl.kubernetes.io/default-container` annotation's, else the first
/// (with `Defaulted container "a" out of: a, b (init)` on stderr).
fn pick_container(pod: &Pod, name: Option<&str>, quiet: bool) -> Result<(String, String), Output> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let all = || {
        spec.containers
            .iter()
            .chain(spec.init_containers.iter().flatten())
    };
    if let Some(n) = name {
        return match all().find(|c| c.name == n) {
            Some(c) => Ok((c.name.clone(), String::new())),
            None => Err(Output::error(format!(
                "container {n} not found in pod {pod_name}"
            ))),
        };
    }
    let Some(first) = spec.containers.first() else {
        return Err(Output::error(format!(
            "pod {}/{pod_name} does not have any containers",
            pod.metadata.namespace.clone().unwrap_or_default()
        )));
    };
    if let Some(a) = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
    {
        if let Some(c) = all().find(|c| &c.name == a) {
            return Ok((c.name.clone(), String::new()));
        }
    }
    let mut note = String::new();
    let inits = spec.init_containers.clone().unwrap_or_default();
    if !quiet && (spec.containers.len() > 1 || !inits.is_empty()) {
        let names: Vec<String> = spec
            .containers
            .iter()
            .map(|c| c.name.clone())
            .chain(inits.iter().map(|c| format!("{} (init)", c.name)))
            .collect();
        note = format!(
            "Defaulted container \"{}\" out of: {}\n",
            first.name,
            names.join(", ")
        );
    }
    Ok((first.name.clone(), note))
}

/// Runs `cmd` in a running container of `pod` (`kubectl exec`).
pub fn in_container(ctx: &mut Ctx, pod: &Pod, container: Option<&str>, cmd: &[String]) -> Output {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let quiet = ctx.args.bool("quiet");
    let (cname, note) = match pick_container(pod, container, quiet) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let mut out = Output::default();
    out.stderr.push_str(&note);
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        out.extend(Output::error(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        )));
        return out;
    }
    // pkg/registry/core/pod/strategy.go streamLocation.
    if pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .unwrap_or("")
        .is_empty()
    {
        out.extend(Output::err(format!(
            "Error from server (BadRequest): pod {name} does not have a host assigned"
        )));
        return out;
    }
    let running = status
        .container_statuses
        .iter()
        .flatten()
        .chain(status.init_container_statuses.iter().flatten())
        .find(|c| c.name == cname)
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running {
        out.extend(Output::error(format!(
            "unable to upgrade connection: container not found (\"{cname}\")"
        )));
        return out;
    }
    let stdin = ctx.args.bool("stdin");
    if stdin && ctx.args.bool("tty") && !ctx.term.interactive && !quiet {
        // exec.go setupTTY: -t without a terminal on stdin.
        out.push_err("Unable to use a TTY - input is not a terminal or the right kind of file");
    }
    // kubectl writes its notes before the remote command's output.
    ctx.flush(&mut out);
    let prog = cmd[0].rsplit('/').next().unwrap_or(&cmd[0]);
    let bare_shell = matches!(prog, "sh" | "ash" | "bash" | "dash") && cmd.len() == 1;
    let mut argv = cmd.to_vec();
    if bare_shell && stdin {
        match ctx.stdin {
            // A here-document or a pipe: the shell runs its lines.
            Some(text) => argv = vec![cmd[0].clone(), "-c".into(), text.to_string()],
            None if ctx.term.interactive => {
                out.extend(Output::error(format!(
                    "kubesim cannot attach a terminal to a shell in the container; run one command at a time (kubectl exec {name} -- CMD), or feed the shell a here-document (kubectl exec -i {name} -- {} <<EOF)",
                    cmd[0]
                )));
                return out;
            }
            // Stdin is not a terminal and holds nothing: the shell reads
            // end-of-file and exits 0.
            None => {}
        }
    }
    out.extend(run_hook(ctx, pod, &cname, &argv, true));
    out
}

/// Calls the exec hook. `exec_style`: kubectl exec's reporting of a
/// non-zero status (`command terminated with exit code N`).
fn run_hook(ctx: &mut Ctx, pod: &Pod, cname: &str, cmd: &[String], exec_style: bool) -> Output {
    let hook = ctx.hooks.exec;
    let mut tc = ctx.tool_ctx(Origin::Pod {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        container: cname.to_string(),
    });
    match hook(&mut tc, cmd) {
        None => Output::error(format!(
            "kubesim does not simulate \"{}\" inside containers",
            cmd.join(" ")
        )),
        Some(ExecResult::StartFailed(msg)) => Output::error(msg),
        Some(ExecResult::Exited(mut o)) => {
            if exec_style && o.code != 0 {
                // remotecommand's CodeExitError, printed by kubectl's
                // util.CheckErr, which exits with that code.
                o.push_err(&format!("command terminated with exit code {}", o.code));
            }
            o
        }
    }
}

/// What a command prints in a container of a pod (`kubectl run -i` uses it
/// for what the kubelet's logs do not model). No state checks: the caller
/// decided the container runs (or ran) the command.
pub fn answer(ctx: &mut Ctx, pod: &Pod, cname: &str, cmd: &[String]) -> Output {
    run_hook(ctx, pod, cname, cmd, false)
}
