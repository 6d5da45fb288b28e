//! `kubectl exec POD [-c CONTAINER] -- COMMAND...`: commands inside a
//! container. kubesim answers what it can know itself (`cat
//! /etc/resolv.conf`, `hostname`, `env`, `echo`, `date`, `sh -c`) and sends
//! network tools (`curl`, `wget`, `ping`, `nslookup`, ...) to the network
//! hook from the pod; anything else goes to the exec hook, else a clear
//! error.

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::hooks::Origin;
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use k8s_openapi::api::core::v1::Pod;

pub const FLAGS: &[FlagSpec] = &[
    flag("container", Some('c'), true, "Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen"),
    flag("stdin", Some('i'), false, "Pass stdin to the container"),
    flag("tty", Some('t'), false, "Stdin is a TTY"),
    flag("quiet", Some('q'), false, "Only print output from the remote session"),
    flag("filename", Some('f'), true, "to use to exec into the resource").default("[]"),
    flag("pod-running-timeout", None, true, "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running").default("1m0s"),
];

const NETWORK_TOOLS: &[&str] = &["curl", "wget", "ping", "httping", "nslookup", "host", "dig"];

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

/// Runs `cmd` in a container of `pod` (also used by `kubectl run -i`).
pub fn in_container(ctx: &mut Ctx, pod: &Pod, container: Option<&str>, cmd: &[String]) -> Output {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let default_container = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container").cloned());
    let cname = match container.map(str::to_string).or(default_container) {
        Some(c) => {
            if !spec.containers.iter().any(|x| x.name == c) {
                return Output::error(format!("container {c} not found in pod {name}"));
            }
            c
        }
        None => spec
            .containers
            .first()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
    };
    let phase = pod
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return Output::error(format!(
            "cannot exec into a container in a completed pod; current phase is {phase}"
        ));
    }
    let running = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == cname))
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running {
        return Output::error(format!(
            "unable to upgrade connection: container not found (\"{cname}\")"
        ));
    }
    let c = spec
        .containers
        .iter()
        .find(|c| c.name == cname)
        .cloned()
        .unwrap_or_default();
    let prog = cmd[0].rsplit('/').next().unwrap_or(&cmd[0]).to_string();
    let args = &cmd[1..];
    match prog.as_str() {
        "sh" | "bash" | "ash" if args.first().map(String::as_str) == Some("-c") => {
            let script = args.get(1).cloned().unwrap_or_default();
            match shell_words::split(&script) {
                Ok(words) if !words.is_empty() => in_container(ctx, pod, Some(&cname), &words),
                Ok(_) => Output::default(),
                Err(_) => Output::err("sh: syntax error: unterminated quoted string").with_code(2),
            }
        }
        "hostname" => Output::ok(format!(
            "{}\n",
            spec.hostname.clone().unwrap_or(name.clone())
        )),
        "cat" if args.first().map(String::as_str) == Some("/etc/resolv.conf") => {
            Output::ok(resolv_conf(&ns, &spec))
        }
        "cat" if args.first().map(String::as_str) == Some("/etc/hostname") => {
            Output::ok(format!("{name}\n"))
        }
        "env" | "printenv" => Output::ok(environment(ctx, pod, &c)),
        "echo" => Output::ok(format!("{}\n", args.join(" "))),
        "true" => Output::default(),
        "false" => Output::default().with_code(1),
        "date" => Output::ok(format!(
            "{}\n",
            ctx.now()
                .to_zoned(jiff::tz::TimeZone::UTC)
                .strftime("%a %b %e %H:%M:%S UTC %Y")
        )),
        p if NETWORK_TOOLS.contains(&p) => {
            let mut argv = vec![p.to_string()];
            argv.extend(args.iter().cloned());
            let hook = ctx.hooks.network;
            let mut tc = ctx.tool_ctx(Origin::Pod {
                namespace: ns.clone(),
                name: name.clone(),
                container: cname.clone(),
            });
            hook(&mut tc, &argv)
        }
        _ => {
            let hook = ctx.hooks.exec;
            let mut tc = ctx.tool_ctx(Origin::Pod {
                namespace: ns.clone(),
                name: name.clone(),
                container: cname.clone(),
            });
            match hook(&mut tc, cmd) {
                Some(o) => o,
                None => Output::error(format!(
                    "kubesim does not simulate \"{}\" inside containers; it answers cat /etc/resolv.conf, cat /etc/hostname, hostname, env, echo, date, sh -c and the network tools ({})",
                    cmd.join(" "),
                    NETWORK_TOOLS.join(", ")
                )),
            }
        }
    }
}

/// The resolv.conf the kubelet writes for dnsPolicy ClusterFirst.
fn resolv_conf(ns: &str, spec: &k8s_openapi::api::core::v1::PodSpec) -> String {
    let host_network = spec.host_network.unwrap_or(false);
    let policy = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
    if host_network && policy != "ClusterFirstWithHostNet" || policy == "Default" {
        return "nameserver 10.10.0.1\n".into();
    }
    format!("search {ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n")
}

/// The environment of a container: PATH, HOSTNAME, the container's `env`,
/// then the service variables the kubelet adds (docker-links style) for
/// the services of the namespace, and the `kubernetes` service.
fn environment(ctx: &Ctx, pod: &Pod, c: &k8s_openapi::api::core::v1::Container) -> String {
    let mut s = String::from("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
    s.push_str(&format!(
        "HOSTNAME={}\n",
        pod.metadata.name.as_deref().unwrap_or("")
    ));
    for e in c.env.iter().flatten() {
        s.push_str(&format!(
            "{}={}\n",
            e.name,
            e.value.clone().unwrap_or_default()
        ));
    }
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut services: Vec<(String, String, i32, String)> = Vec::new();
    for scope in [ns, "default"] {
        for o in ctx.world.store.iter(Kind::Service, Some(scope)) {
            let Object::Service(svc) = &**o else { continue };
            let name = svc.metadata.name.clone().unwrap_or_default();
            if scope == "default" && ns != "default" && name != "kubernetes" {
                continue;
            }
            let Some(sp) = &svc.spec else { continue };
            let ip = sp.cluster_ip.clone().unwrap_or_default();
            if ip.is_empty() || ip == "None" {
                continue;
            }
            if let Some(p) = sp.ports.as_ref().and_then(|p| p.first()) {
                services.push((
                    name,
                    ip,
                    p.port,
                    p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                ));
            }
        }
    }
    services.sort();
    services.dedup();
    for (name, ip, port, proto) in services {
        let n = name.to_uppercase().replace('-', "_");
        let proto_l = proto.to_lowercase();
        s.push_str(&format!("{n}_SERVICE_HOST={ip}\n{n}_SERVICE_PORT={port}\n{n}_PORT={proto_l}://{ip}:{port}\n{n}_PORT_{port}_{proto}={proto_l}://{ip}:{port}\n{n}_PORT_{port}_{proto}_PROTO={proto_l}\n{n}_PORT_{port}_{proto}_PORT={port}\n{n}_PORT_{port}_{proto}_ADDR={ip}\n"));
    }
    s.push_str("HOME=/root\n");
    s
}
