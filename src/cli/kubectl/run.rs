//! `kubectl run NAME --image IMAGE [-- COMMAND ARGS]`: creates a Pod, as
//! kubectl ≥1.18 does (`pkg/cmd/run/run.go`).

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::Object;
use crate::sim::store::WriteOptions;
use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

pub const FLAGS: &[FlagSpec] = &[
    flag("image", None, true, "The image for the container to run."),
    flag("restart", None, true, "The restart policy for this Pod. Legal values [Always, OnFailure, Never]."),
    flag("command", None, false, "If true and extra arguments are present, use them as the 'command' field in the container, rather than the 'args' field which is the default."),
    flag("env", None, true, "Environment variables to set in the container."),
    flag("port", None, true, "The port that this container exposes."),
    flag("labels", Some('l'), true, "Comma separated labels to apply to the pod(s)."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\"."),
    flag("output", Some('o'), true, "Output format."),
    flag("image-pull-policy", None, true, "The image pull policy for the container."),
    flag("stdin", Some('i'), false, "Keep stdin open on the container in the pod."),
    flag("tty", Some('t'), false, "Allocate a TTY for the container in the pod."),
    flag("rm", None, false, "If true, delete the pod after it exits."),
    flag("annotations", None, true, "Annotations to apply to the pod."),
];

pub fn run(ctx: &mut Ctx) -> Output {
    let Some(name) = ctx.args.positional.first().cloned() else {
        return Output::err(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and examples",
        );
    };
    let Some(image) = ctx.args.get("image").map(str::to_string) else {
        return Output::error("--image is required");
    };
    let restart = ctx.args.get("restart").unwrap_or("Always").to_string();
    if !["Always", "OnFailure", "Never"].contains(&restart.as_str()) {
        return Output::error(format!("invalid restart policy: {restart}"));
    }
    let mut labels = BTreeMap::from([("run".to_string(), name.clone())]);
    if let Some(l) = ctx.args.get("labels") {
        labels.clear();
        for kv in l.split(',') {
            match kv.split_once('=') {
                Some((k, v)) => {
                    labels.insert(k.to_string(), v.to_string());
                }
                None => return Output::error(format!("invalid label spec: {kv}")),
            }
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
    let env: Vec<EnvVar> = ctx
        .args
        .all("env")
        .iter()
        .filter_map(|e| {
            e.split_once('=').map(|(k, v)| EnvVar {
                name: k.into(),
                value: Some(v.into()),
                value_from: None,
            })
        })
        .collect();
    let ports = ctx
        .args
        .get("port")
        .and_then(|p| p.parse::<i32>().ok())
        .map(|p| {
            vec![ContainerPort {
                container_port: p,
                ..Default::default()
            }]
        });
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(ctx.namespace()),
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: name.clone(),
                image: Some(image),
                command,
                args,
                env: if env.is_empty() { None } else { Some(env) },
                ports,
                image_pull_policy: ctx.args.get("image-pull-policy").map(str::to_string),
                stdin: ctx.args.bool("stdin").then_some(true),
                tty: ctx.args.bool("tty").then_some(true),
                resources: Some(Default::default()),
                ..Default::default()
            }],
            restart_policy: Some(restart),
            dns_policy: Some("ClusterFirst".into()),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let dry_run = ctx.args.get("dry-run").unwrap_or("none");
    if dry_run == "client" {
        let mut v = Object::Pod(pod).to_json();
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.insert("creationTimestamp".into(), serde_json::Value::Null);
        }
        return match ctx.args.get("output") {
            Some("yaml") => Output::ok(super::get::yaml_text(&v)),
            Some("json") => Output::ok(super::get::json_text(&v)),
            _ => Output::ok(format!("pod/{name} created (dry run)\n")),
        };
    }
    let opts = WriteOptions {
        dry_run: dry_run == "server",
        ..Default::default()
    };
    match ctx.world.store.create(Object::Pod(pod), &opts) {
        Ok(_) => Output::ok(format!(
            "pod/{name} created{}\n",
            if opts.dry_run {
                " (server dry run)"
            } else {
                ""
            }
        )),
        Err(e) => Output::err(e.kubectl_text()),
    }
}
