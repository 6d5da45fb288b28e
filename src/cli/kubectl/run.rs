//! `kubectl run NAME --image IMAGE [-- COMMAND ARGS]`: creates a Pod, as
//! kubectl ≥1.18 does (`k8s.io/kubectl/pkg/cmd/run/run.go` and
//! `generate/versioned/run.go`, `BasicPod`): label `run=NAME`, one
//! container named NAME, `resources: {}`, `dnsPolicy: ClusterFirst`,
//! `restartPolicy: Always`. With `-i` and a command, the command's output
//! is shown once the pod runs; `--rm` deletes the pod afterwards.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::store::{DeleteOptions, WriteOptions};
use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec, SecurityContext};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag("image", None, true, "The image for the container to run."),
    flag("restart", None, true, "The restart policy for this Pod.  Legal values [Always, OnFailure, Never].").default("'Always'"),
    flag("command", None, false, "If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default."),
    flag("env", None, true, "Environment variables to set in the container.").default("[]"),
    flag("port", None, true, "The port that this container exposes."),
    flag("labels", Some('l'), true, "Comma separated labels to apply to the pod. Will override previous values."),
    flag("annotations", None, true, "Annotations to apply to the pod.").default("[]"),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("image-pull-policy", None, true, "The image pull policy for the container.  If left empty, this value will not be specified by the client and defaulted by the server."),
    flag("stdin", Some('i'), false, "Keep stdin open on the container in the pod, even if nothing is attached."),
    flag("tty", Some('t'), false, "Allocate a TTY for the container in the pod."),
    flag("attach", None, false, "If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl attach ...' were called.  Default false, unless '-i/--stdin' is set, in which case the default is true. With '--restart=Never' the exit code of the container process is returned."),
    flag("rm", None, false, "If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with '--attach' or with '-i/--stdin'."),
    flag("quiet", Some('q'), false, "If true, suppress prompt messages."),
    flag("overrides", None, true, "An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field."),
    flag("override-type", None, true, "The method used to override the generated object: json, merge, or strategic.").default("'merge'"),
    flag("expose", None, false, "If true, create a ClusterIP service associated with the pod.  Requires `--port`."),
    flag("privileged", None, false, "If true, run the container in privileged mode."),
    flag("pod-running-timeout", None, true, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running").default("1m0s"),
    flag("leave-stdin-open", None, false, "If the pod is started in interactive mode or with stdin, leave stdin open after the first attach completes. By default, stdin will be closed after the first attach completes."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-run'"),
];

/// The Pod `kubectl run` builds (without namespace: the server sets it).
pub fn build_pod(ctx: &Ctx, name: &str, image: &str) -> Result<Pod, String> {
    let restart = ctx.args.get("restart").unwrap_or("Always").to_string();
    if !["Always", "OnFailure", "Never"].contains(&restart.as_str()) {
        return Err(format!("invalid restart policy: {restart}"));
    }
    let mut labels = BTreeMap::from([("run".to_string(), name.to_string())]);
    if let Some(l) = ctx.args.get("labels") {
        labels.clear();
        for kv in l.split(',').filter(|s| !s.is_empty()) {
            match kv.split_once('=') {
                Some((k, v)) => {
                    labels.insert(k.to_string(), v.to_string());
                }
                None => return Err(format!("invalid label spec: {kv}")),
            }
        }
    }
    let mut annotations = BTreeMap::new();
    for a in ctx.args.all("annotations") {
        match a.split_once('=') {
            Some((k, v)) => {
                annotations.insert(k.to_string(), v.to_string());
            }
            None => return Err(format!("invalid annotation spec: {a}")),
        }
    }
    let extra = ctx.args.after_dash.clone().unwrap_or_default();
    let extra = if extra.is_empty() {
        ctx.args.positional[1..].to_vec()
    } else {
        extra
    };
    let (command, args) = if extra.is_empty() {
        (None, None)
    } else if ctx.args.bool("command") {
        (Some(extra), None)
    } else {
        (None, Some(extra))
    };
    let mut env = Vec::new();
    for e in ctx.args.all("env") {
        match e.split_once('=') {
            Some((k, v)) => env.push(EnvVar {
                name: k.into(),
                value: Some(v.into()),
                value_from: None,
            }),
            None => return Err(format!("invalid env: {e}")),
        }
    }
    let ports = match ctx.args.get("port") {
        Some(p) => match p.parse::<i32>() {
            Ok(p) => Some(vec![ContainerPort {
                container_port: p,
                ..Default::default()
            }]),
            Err(_) => return Err(format!("invalid port: {p}")),
        },
        None => None,
    };
    let stdin = ctx.args.bool("stdin");
    let tty = ctx.args.bool("tty");
    Ok(Pod {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            labels: Some(labels),
            annotations: if annotations.is_empty() {
                None
            } else {
                Some(annotations)
            },
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.to_string(),
                image: Some(image.to_string()),
                command,
                args,
                env: if env.is_empty() { None } else { Some(env) },
                ports,
                image_pull_policy: ctx.args.get("image-pull-policy").map(str::to_string),
                stdin: stdin.then_some(true),
                stdin_once: (stdin && !ctx.args.bool("leave-stdin-open")).then_some(true),
                tty: tty.then_some(true),
                security_context: ctx.args.bool("privileged").then(|| SecurityContext {
                    privileged: Some(true),
                    ..Default::default()
                }),
                resources: Some(Default::default()),
                ..Default::default()
            }],
            restart_policy: Some(restart),
            dns_policy: Some("ClusterFirst".into()),
            ..Default::default()
        }),
        status: Some(Default::default()),
    })
}

pub fn run(ctx: &mut Ctx) -> Output {
    let Some(name) = ctx.args.positional.first().cloned() else {
        return Output::err(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples",
        );
    };
    let Some(image) = ctx.args.get("image").map(str::to_string) else {
        return Output::error("required flag(s) \"image\" not set");
    };
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let attach = ctx.args.bool("attach") || ctx.args.bool("stdin");
    if ctx.args.bool("rm") && !attach {
        return Output::error("--rm should only be used for attached containers");
    }
    if ctx.args.bool("expose") && ctx.args.get("port").is_none() {
        return Output::error("--port must be set when exposing a service");
    }
    let pod = match build_pod(ctx, &name, &image) {
        Ok(p) => p,
        Err(e) => return Output::error(e),
    };
    let mut obj = Object::Pod(pod);
    if let Some(ov) = ctx.args.get("overrides").map(str::to_string) {
        let patch: serde_json::Value = match serde_json::from_str(&ov) {
            Ok(v) => v,
            Err(e) => return Output::error(format!("invalid JSON Patch: {e}")),
        };
        let mut v = obj.to_json();
        match ctx.args.get("override-type").unwrap_or("merge") {
            "strategic" => {
                if let Err(e) = crate::objects::patch::strategic_merge(&mut v, &patch) {
                    return Output::error(e);
                }
            }
            "json" => match serde_json::from_value::<json_patch::Patch>(patch) {
                Ok(p) => {
                    if let Err(e) = json_patch::patch(&mut v, &p) {
                        return Output::error(e.to_string());
                    }
                }
                Err(e) => return Output::error(e.to_string()),
            },
            _ => json_patch::merge(&mut v, &patch),
        }
        obj = match Kind::Pod.decode(v) {
            Ok(o) => o,
            Err(e) => return Output::error(e.to_string()),
        };
    }
    let mut out = Output::default();
    if dry == DryRun::Client {
        if ctx.args.bool("expose") {
            match super::expose::service_for_run(ctx, &obj) {
                Ok(svc) => out.extend(ctx.print_object(&svc, "created", dry)),
                Err(e) => return Output::error(e),
            }
        }
        out.extend(ctx.print_object(&obj, "created", dry));
        return out;
    }
    let ns = ctx.namespace();
    obj.meta_mut().namespace = Some(ns.clone());
    let opts = WriteOptions {
        dry_run: dry == DryRun::Server,
        field_manager: Some("kubectl-run".into()),
    };
    if ctx.args.bool("expose") {
        match super::expose::service_for_run(ctx, &obj) {
            Ok(mut svc) => {
                svc.meta_mut().namespace = Some(ns.clone());
                match ctx.world.store.create(svc, &opts) {
                    Ok(s) => out.extend(ctx.print_object(&s, "created", dry)),
                    Err(e) => return Output::err(e.kubectl_text()),
                }
            }
            Err(e) => return Output::error(e),
        }
    }
    let created = match ctx.world.store.create(obj, &opts) {
        Ok(o) => o,
        Err(e) => return Output::err(e.kubectl_text()),
    };
    if !attach || dry == DryRun::Server {
        out.extend(ctx.print_object(&created, "created", dry));
        return out;
    }
    // Attach (run.go handleAttachPod): wait until the pod runs and is
    // ready, or has completed; a completed pod's logs are printed, a
    // running one is followed until its container ends.
    ctx.world.settle();
    let timeout = ctx
        .args
        .get("pod-running-timeout")
        .and_then(|t| crate::sim::time::parse_duration(t).ok())
        .unwrap_or(Duration::from_secs(60));
    let give_up = ctx.world.now() + timeout;
    let cname = created_container(&created).name;
    let cmd: Vec<String> = {
        let c = created_container(&created);
        c.command
            .clone()
            .unwrap_or_default()
            .into_iter()
            .chain(c.args.clone().unwrap_or_default())
            .collect()
    };
    let state = |ctx: &Ctx| -> (Option<Pod>, bool, bool) {
        let p = ctx.world.store.get_as::<Pod>(&ns, &name).cloned();
        let phase = p
            .as_ref()
            .and_then(|p| p.status.as_ref())
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        let ready = p
            .as_ref()
            .and_then(|p| p.status.as_ref())
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
        let completed = phase == "Succeeded" || phase == "Failed";
        (p, phase == "Running" && ready, completed)
    };
    // An interactive shell (no command, or a bare shell) needs a terminal
    // kubesim does not have: say so at once rather than wait.
    let bare_shell = cmd.is_empty()
        || (cmd.len() == 1
            && matches!(
                cmd[0].rsplit('/').next().unwrap_or(""),
                "sh" | "bash" | "ash" | "zsh"
            ));
    let mut attached: Option<Pod> = None;
    if bare_shell {
        out.extend(Output::error(
            "kubesim cannot open an interactive shell in a container; give the command to run: kubectl run NAME --image=IMAGE -i --rm --restart=Never -- COMMAND",
        ));
    }
    // Wait (in virtual time) for the pod to run or finish.
    loop {
        if bare_shell {
            break;
        }
        let (p, running, completed) = state(ctx);
        if running || completed {
            attached = p;
            break;
        }
        let next = ctx.world.now() + Duration::from_secs(1);
        if next > give_up || !ctx.wait_until(next) {
            break;
        }
    }
    let restart = created_container_policy(&created);
    match attached {
        None if bare_shell => ctx.flush(&mut out),
        None => {
            out.extend(Output::error("timed out waiting for the condition"));
            ctx.flush(&mut out);
        }
        Some(p) => {
            let (_, _, completed) = state(ctx);
            if !completed && ctx.args.bool("tty") && !ctx.args.bool("quiet") {
                out.push_err("If you don't see a command prompt, try pressing enter.");
            }
            {
                // Follow the container's output until it ends.
                let deadline = ctx.stream_deadline();
                let mut shown = 0;
                loop {
                    let lines =
                        (ctx.hooks.logs)(ctx.world, &ns, &name, &cname, false).unwrap_or_default();
                    for l in lines.iter().skip(shown) {
                        out.push_out(&l.text);
                    }
                    shown = shown.max(lines.len());
                    ctx.flush(&mut out);
                    let (_, _, completed) = state(ctx);
                    if completed {
                        break;
                    }
                    let next = ctx.world.now() + Duration::from_secs(1);
                    if let Some(d) = deadline.filter(|d| next > *d) {
                        if ctx.wait_until(d) {
                            if let Some(note) = ctx.cap_note(deadline) {
                                out.push_err(&note);
                            }
                        }
                        break;
                    }
                    if !ctx.wait_until(next) {
                        break;
                    }
                }
                // What the kubelet does not model (a file's contents, the
                // host name, a request) comes from the CLI's own answers.
                if shown == 0 && !cmd.is_empty() {
                    let o = super::exec::answer(ctx, &p, &cname, &cmd);
                    out.extend(o);
                    ctx.flush(&mut out);
                }
            }
            // run.go: with --restart=Never/OnFailure the exit code is returned.
            if out.code == 0 && (restart == "Never" || restart == "OnFailure") {
                let (p, _, completed) = state(ctx);
                if let (true, Some(p)) = (completed, p) {
                    let st = p.status.clone().unwrap_or_default();
                    if st.phase.as_deref() == Some("Failed") {
                        let term = st
                            .container_statuses
                            .as_ref()
                            .and_then(|c| c.first())
                            .and_then(|c| c.state.as_ref())
                            .and_then(|s| s.terminated.clone());
                        match term {
                            Some(t) if t.exit_code != 0 => {
                                // An exec.CodeExitError: printed bare, its
                                // code is kubectl's exit code.
                                out.extend(
                                    Output::err(format!(
                                        "pod {ns}/{name} terminated ({})\n{}",
                                        t.reason.clone().unwrap_or_default(),
                                        t.message.clone().unwrap_or_default()
                                    ))
                                    .with_code(t.exit_code),
                                );
                            }
                            _ => out.extend(Output::error(format!(
                                "pod {ns}/{name} failed with unknown exit code"
                            ))),
                        }
                    }
                }
            }
        }
    }
    if ctx.args.bool("rm") {
        match ctx
            .world
            .store
            .delete(Kind::Pod, &ns, &name, &DeleteOptions::default())
        {
            Ok(_) => out.push_out(&format!("pod \"{name}\" deleted")),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}

fn created_container_policy(o: &Object) -> String {
    match o {
        Object::Pod(p) => p
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".into()),
        _ => "Always".into(),
    }
}

fn created_container(o: &Object) -> Container {
    match o {
        Object::Pod(p) => p
            .spec
            .as_ref()
            .and_then(|s| s.containers.first().cloned())
            .unwrap_or_default(),
        _ => Container::default(),
    }
}
