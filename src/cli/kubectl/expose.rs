//! `kubectl expose (deployment|rs|rc|pod|svc) NAME`: the Service kubectl's
//! `ServiceGeneratorV2` builds (`k8s.io/kubectl/pkg/cmd/expose/expose.go`
//! and `generate/versioned/service.go`): the object's selector and labels,
//! its ports unless `--port`, `targetPort` = port unless `--target-port`.
//! The ClusterIP is left empty: the apiserver's allocator assigns it.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::store::WriteOptions;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec, ServiceStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::collections::BTreeMap;

pub const FLAGS: &[FlagSpec] = &[
    flag("port", None, true, "The port that the service should serve on. Copied from the resource being exposed, if unspecified"),
    flag("target-port", None, true, "Name or number for the port on the container that the service should direct traffic to. Optional."),
    flag("protocol", None, true, "The network protocol for the service to be created. Default is 'TCP'."),
    flag("name", None, true, "The name for the newly created object."),
    flag("type", None, true, "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'."),
    flag("selector", None, true, "A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)"),
    flag("labels", Some('l'), true, "Labels to apply to the service created by this call."),
    flag("external-ip", None, true, "Additional external IP address (not managed by Kubernetes) to accept for the service. If this IP is routed to a node, the service can be accessed by this IP in addition to its generated service IP."),
    flag("cluster-ip", None, true, "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to 'None' to create a headless service."),
    flag("load-balancer-ip", None, true, "IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used (cloud-provider specific)."),
    flag("session-affinity", None, true, "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'"),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to expose a service").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("override-type", None, true, "The method used to override the generated object: json, merge, or strategic.").default("'merge'"),
    flag("overrides", None, true, "An inline JSON override for the generated object. If this is non-empty, it is used to override the generated object. Requires that the object supply a valid apiVersion field."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-expose'"),
];

fn parse_kv(s: &str, what: &str) -> Result<BTreeMap<String, String>, String> {
    let mut m = BTreeMap::new();
    for kv in s.split(',').filter(|x| !x.is_empty()) {
        match kv.split_once('=') {
            Some((k, v)) => {
                m.insert(k.to_string(), v.to_string());
            }
            None => return Err(format!("invalid {what} spec: {kv}")),
        }
    }
    Ok(m)
}

/// The ports of the object: its pod template's container ports (or a
/// service's ports), as `(port, protocol, name)`.
fn introspect_ports(kind: Kind, v: &Value) -> Vec<(i32, String, Option<String>)> {
    let containers = match kind {
        Kind::Pod => &v["spec"]["containers"],
        Kind::Service => {
            return v["spec"]["ports"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| {
                    (
                        p["port"].as_i64().unwrap_or(0) as i32,
                        p["protocol"].as_str().unwrap_or("TCP").to_string(),
                        p["name"].as_str().map(str::to_string),
                    )
                })
                .collect()
        }
        _ => &v["spec"]["template"]["spec"]["containers"],
    };
    containers
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .map(|p| {
            (
                p["containerPort"].as_i64().unwrap_or(0) as i32,
                p["protocol"].as_str().unwrap_or("TCP").to_string(),
                p["name"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// The selector of the object, as a map (equality only).
fn introspect_selector(
    kind: Kind,
    v: &Value,
    name: &str,
) -> Result<BTreeMap<String, String>, String> {
    let to_map = |m: &Value| -> BTreeMap<String, String> {
        m.as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    };
    match kind {
        Kind::Pod => {
            let l = to_map(&v["metadata"]["labels"]);
            if l.is_empty() {
                return Err(format!("couldn't retrieve selectors via --selector flag or introspection: the pod {name} has no labels and cannot be exposed"));
            }
            Ok(l)
        }
        Kind::Service | Kind::ReplicationController => {
            let s = to_map(&v["spec"]["selector"]);
            if s.is_empty() {
                return Err(format!("couldn't retrieve selectors via --selector flag or introspection: the service {name} has no pod selector set"));
            }
            Ok(s)
        }
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet => {
            if v["spec"]["selector"]["matchExpressions"]
                .as_array()
                .is_some_and(|a| !a.is_empty())
            {
                return Err(format!("couldn't retrieve selectors via --selector flag or introspection: the {} {name} has a selector with expressions, which cannot be converted to a service selector", kind.info().kind));
            }
            Ok(to_map(&v["spec"]["selector"]["matchLabels"]))
        }
        other => Err(format!("cannot expose a {}", other.info().kind)),
    }
}

/// Builds the Service for `obj` from the flags.
fn generate(ctx: &Ctx, kind: Kind, v: &Value, name: &str) -> Result<Object, String> {
    let selector = match ctx.args.get("selector") {
        Some(s) => parse_kv(s, "selector")?,
        None => introspect_selector(kind, v, name)?,
    };
    let labels = match ctx.args.get("labels") {
        Some(l) => parse_kv(l, "label")?,
        None => v["metadata"]["labels"]
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default(),
    };
    let svc_name = ctx
        .args
        .get("name")
        .map(str::to_string)
        .unwrap_or_else(|| name.to_string());
    let protocol = ctx.args.get("protocol").map(str::to_string);
    let mut ports: Vec<(i32, String, Option<String>)> = match ctx.args.get("port") {
        Some(p) => p
            .split(',')
            .map(|x| {
                x.parse::<i32>()
                    .map(|n| (n, protocol.clone().unwrap_or_else(|| "TCP".into()), None))
                    .map_err(|_| format!("invalid port: {x}"))
            })
            .collect::<Result<_, _>>()?,
        None => introspect_ports(kind, v),
    };
    if ports.is_empty() && ctx.args.get("type") != Some("ExternalName") {
        return Err("couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples".into());
    }
    if let Some(p) = &protocol {
        for x in &mut ports {
            x.1 = p.clone();
        }
    }
    let many = ports.len() > 1;
    let target = ctx.args.get("target-port").map(|t| match t.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(t.to_string()),
    });
    let service_ports: Vec<ServicePort> = ports
        .iter()
        .enumerate()
        .map(|(i, (port, proto, pname))| ServicePort {
            name: if many {
                Some(pname.clone().unwrap_or_else(|| format!("port-{}", i + 1)))
            } else {
                None
            },
            port: *port,
            protocol: Some(proto.clone()),
            target_port: Some(target.clone().unwrap_or(IntOrString::Int(*port))),
            ..Default::default()
        })
        .collect();
    let mut spec = ServiceSpec {
        ports: if service_ports.is_empty() {
            None
        } else {
            Some(service_ports)
        },
        selector: Some(selector),
        type_: ctx.args.get("type").map(str::to_string),
        external_ips: ctx
            .args
            .get("external-ip")
            .map(|ip| ip.split(',').map(str::to_string).collect()),
        cluster_ip: ctx.args.get("cluster-ip").map(str::to_string),
        load_balancer_ip: ctx.args.get("load-balancer-ip").map(str::to_string),
        session_affinity: ctx.args.get("session-affinity").map(str::to_string),
        ..Default::default()
    };
    if let Some(t) = &spec.type_ {
        if !["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].contains(&t.as_str()) {
            return Err(format!("invalid service type: {t}"));
        }
    }
    if spec.type_.as_deref() == Some("ExternalName") {
        spec.selector = None;
    }
    Ok(Object::Service(Service {
        metadata: ObjectMeta {
            name: Some(svc_name),
            labels: if labels.is_empty() {
                None
            } else {
                Some(labels)
            },
            ..Default::default()
        },
        spec: Some(spec),
        status: Some(ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    }))
}

/// The Service `kubectl run --expose --port` creates with the pod.
pub fn service_for_run(ctx: &Ctx, pod: &Object) -> Result<Object, String> {
    let v = pod.to_json();
    let name = pod.meta().name.clone().unwrap_or_default();
    generate(ctx, Kind::Pod, &v, &name)
}

pub fn expose(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    if ctx.args.positional.is_empty() && ctx.args.get("filename").is_none() {
        return ctx.usage_error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    let targets = match super::targets(ctx, &ctx.args.positional.clone()) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        if !matches!(
            kind,
            Kind::Pod
                | Kind::Service
                | Kind::ReplicationController
                | Kind::Deployment
                | Kind::ReplicaSet
        ) {
            out.extend(Output::error(format!(
                "cannot expose a {}",
                kind.info().kind
            )));
            continue;
        }
        let obj = match ctx.world.store.get(kind, &ns, &name) {
            Ok(o) => o.clone(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        let mut svc = match generate(ctx, kind, &obj.to_json(), &name) {
            Ok(s) => s,
            Err(e) => {
                out.extend(Output::error(e));
                continue;
            }
        };
        if let Some(ov) = ctx.args.get("overrides") {
            let Ok(patch) = serde_json::from_str::<Value>(ov) else {
                out.extend(Output::error("invalid JSON in --overrides"));
                continue;
            };
            let mut v = svc.to_json();
            json_patch::merge(&mut v, &patch);
            match Kind::Service.decode(v) {
                Ok(s) => svc = s,
                Err(e) => {
                    out.extend(Output::error(e.to_string()));
                    continue;
                }
            }
        }
        if dry == DryRun::Client {
            out.extend(ctx.print_object(&svc, "exposed", dry));
            continue;
        }
        svc.meta_mut().namespace = Some(ns.clone());
        match ctx.world.store.create(
            svc,
            &WriteOptions {
                dry_run: dry == DryRun::Server,
                field_manager: Some("kubectl-expose".into()),
            },
        ) {
            Ok(s) => out.extend(ctx.print_object(&s, "exposed", dry)),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}
