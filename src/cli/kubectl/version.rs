//! `kubectl version`: the client (kubectl v1.33.1, Kustomize v5.6.0) and
//! the server (the kube-apiserver image's tag), as
//! `k8s.io/kubectl/pkg/cmd/version/version.go` prints them.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::Kind;
use serde_json::{json, Value};

pub const FLAGS: &[FlagSpec] = &[
    flag(
        "client",
        None,
        false,
        "If true, shows client version only (no server required).",
    ),
    flag("output", Some('o'), true, "One of 'yaml' or 'json'."),
];

pub const CLIENT_VERSION: &str = "v1.33.1";
pub const KUSTOMIZE_VERSION: &str = "v5.6.0";

fn info(git: &str, commit: &str, date: &str, go: &str) -> Value {
    let minor = git
        .trim_start_matches('v')
        .split('.')
        .nth(1)
        .unwrap_or("33");
    json!({
        "major": "1",
        "minor": minor,
        "gitVersion": git,
        "gitCommit": commit,
        "gitTreeState": "clean",
        "buildDate": date,
        "goVersion": go,
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// The apiserver's version: the tag of its static pod's image.
pub fn server_version(world: &crate::sim::World) -> String {
    world
        .store
        .iter(Kind::Pod, Some("kube-system"))
        .find_map(|o| {
            let crate::objects::Object::Pod(p) = &**o else {
                return None;
            };
            let name = p.metadata.name.as_deref()?;
            if !name.starts_with("kube-apiserver") {
                return None;
            }
            let img = p.spec.as_ref()?.containers.first()?.image.clone()?;
            img.rsplit_once(':').map(|(_, t)| t.to_string())
        })
        .unwrap_or_else(|| "v1.33.5".to_string())
}

/// `GET /version`.
pub fn server_version_json() -> Value {
    info(
        "v1.33.5",
        "1fe6c5f5e2a3e0d3e8d4bd5e5fb1a7d3c7e5b2f9",
        "2025-09-09T19:12:16Z",
        "go1.24.6",
    )
}

pub fn version(ctx: &mut Ctx) -> Output {
    let client = info(
        CLIENT_VERSION,
        "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "2025-05-15T08:27:33Z",
        "go1.24.2",
    );
    let server_git = server_version(ctx.world);
    let mut server = server_version_json();
    server["gitVersion"] = json!(server_git);
    let client_only = ctx.args.bool("client");
    match ctx.args.get("output") {
        None | Some("") => {
            let mut s = format!(
                "Client Version: {CLIENT_VERSION}\nKustomize Version: {KUSTOMIZE_VERSION}\n"
            );
            if !client_only {
                s.push_str(&format!("Server Version: {server_git}\n"));
            }
            Output::ok(s)
        }
        Some(o @ ("json" | "yaml")) => {
            let mut v = json!({"clientVersion": client, "kustomizeVersion": KUSTOMIZE_VERSION});
            if !client_only {
                v["serverVersion"] = server;
            }
            if o == "json" {
                // kubectl version indents with two spaces and keeps field order.
                Output::ok(format!(
                    "{}\n",
                    serde_json::to_string_pretty(&v).unwrap_or_default()
                ))
            } else {
                Output::ok(crate::cli::format::yaml::to_yaml(&v))
            }
        }
        Some(_) => Output::error("--output must be 'yaml' or 'json'"),
    }
}
