//! `kubectl create service clusterip|nodeport|loadbalancer|externalname`
//! (`create_service.go`) and `kubectl create ingress` (`create_ingress.go`).

use super::{create_flags, enforced_namespace, finish, name_arg};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::kubectl::Ctx;
use crate::cli::output::Output;
use crate::objects::Object;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec, ServiceStatus};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule,
    IngressServiceBackend, IngressSpec, IngressStatus, IngressTLS, ServiceBackendPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub const CLUSTERIP_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "tcp",
        None,
        true,
        "Port pairs can be specified as '<port>:<targetPort>'."
    )
    .default("[]"),
    flag(
        "clusterip",
        None,
        true,
        "Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing)."
    ),
);
pub const NODEPORT_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "tcp",
        None,
        true,
        "Port pairs can be specified as '<port>:<targetPort>'."
    )
    .default("[]"),
    flag(
        "node-port",
        None,
        true,
        "Port used to expose the service on each node in a cluster."
    )
    .default("0"),
);
pub const LOADBALANCER_FLAGS: &[FlagSpec] = create_flags!(flag(
    "tcp",
    None,
    true,
    "Port pairs can be specified as '<port>:<targetPort>'."
)
.default("[]"),);
pub const EXTERNALNAME_FLAGS: &[FlagSpec] = create_flags!(
    flag("external-name", None, true, "External name of service"),
    flag(
        "tcp",
        None,
        true,
        "Port pairs can be specified as '<port>:<targetPort>'."
    )
    .default("[]"),
);
pub const INGRESS_FLAGS: &[FlagSpec] = create_flags!(
    flag("rule", None, true, "Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional.").default("[]"),
    flag("class", None, true, "Ingress Class to be used"),
    flag("default-backend", None, true, "Default service for backend, in format of svcname:port"),
    flag("annotation", None, true, "Annotation to insert in the ingress object, in the format annotation=value").default("[]"),
);

fn parse_ports(spec: &str) -> Result<(i32, IntOrString), String> {
    let (p, t) = spec.split_once(':').unwrap_or((spec, spec));
    let port: i32 = p
        .parse()
        .map_err(|_| format!("strconv.Atoi: parsing \"{p}\": invalid syntax"))?;
    let target = match t.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(t.to_string()),
    };
    Ok((port, target))
}

fn create_service(ctx: &mut Ctx, type_: &str) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let tcp: Vec<String> = ctx
        .args
        .all("tcp")
        .iter()
        .flat_map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    if tcp.is_empty() && type_ != "ExternalName" {
        return Output::error("at least one tcp port specifier must be provided");
    }
    let node_port: i32 = ctx
        .args
        .get("node-port")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut ports = Vec::new();
    for t in &tcp {
        let (port, target) = match parse_ports(t) {
            Ok(x) => x,
            Err(e) => return Output::error(e),
        };
        ports.push(ServicePort {
            name: Some(t.replace(':', "-")),
            port,
            target_port: Some(target),
            protocol: Some("TCP".into()),
            node_port: if node_port > 0 { Some(node_port) } else { None },
            ..Default::default()
        });
    }
    let external_name = ctx.args.get("external-name").map(str::to_string);
    if type_ == "ExternalName" && external_name.as_deref().unwrap_or("").is_empty() {
        return Output::error("--external-name must be specified");
    }
    let labels = BTreeMap::from([("app".to_string(), name.clone())]);
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: enforced_namespace(ctx),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            type_: Some(type_.to_string()),
            selector: Some(labels),
            ports: if ports.is_empty() { None } else { Some(ports) },
            external_name,
            cluster_ip: ctx.args.get("clusterip").map(str::to_string),
            ..Default::default()
        }),
        status: Some(ServiceStatus {
            load_balancer: Some(Default::default()),
            ..Default::default()
        }),
    };
    finish(ctx, Object::Service(svc), None)
}

pub fn clusterip(ctx: &mut Ctx) -> Output {
    create_service(ctx, "ClusterIP")
}
pub fn nodeport(ctx: &mut Ctx) -> Output {
    create_service(ctx, "NodePort")
}
pub fn loadbalancer(ctx: &mut Ctx) -> Output {
    create_service(ctx, "LoadBalancer")
}
pub fn externalname(ctx: &mut Ctx) -> Output {
    create_service(ctx, "ExternalName")
}

/// `host/path=service:port[,tls[=secret]]`.
struct Rule {
    host: String,
    path: String,
    prefix: bool,
    service: String,
    port: String,
    tls: Option<Option<String>>,
}

fn parse_rule(r: &str) -> Option<Rule> {
    let (main, tls) = match r.split_once(",tls") {
        Some((m, t)) => (
            m,
            Some(
                t.strip_prefix('=')
                    .map(str::to_string)
                    .filter(|s| !s.is_empty()),
            ),
        ),
        None => (r, None),
    };
    let (hp, backend) = main.rsplit_once('=')?;
    let (service, port) = backend.split_once(':')?;
    if service.is_empty() || port.is_empty() {
        return None;
    }
    let slash = hp.find('/')?;
    let host = &hp[..slash];
    let mut path = hp[slash..].to_string();
    let prefix = path.ends_with('*');
    if prefix {
        path.pop();
    }
    if !host
        .chars()
        .all(|c| c.is_alphanumeric() || "*-._".contains(c))
    {
        return None;
    }
    Some(Rule {
        host: host.to_string(),
        path,
        prefix,
        service: service.to_string(),
        port: port.to_string(),
        tls,
    })
}

fn backend(service: &str, port: &str) -> IngressBackend {
    IngressBackend {
        service: Some(IngressServiceBackend {
            name: service.to_string(),
            port: Some(match port.parse::<i32>() {
                Ok(n) => ServiceBackendPort {
                    number: Some(n),
                    name: None,
                },
                Err(_) => ServiceBackendPort {
                    number: None,
                    name: Some(port.to_string()),
                },
            }),
        }),
        resource: None,
    }
}

pub fn ingress(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let mut rules: Vec<IngressRule> = Vec::new();
    let mut tls: Vec<IngressTLS> = Vec::new();
    for r in ctx.args.all("rule") {
        let Some(rule) = parse_rule(&r) else {
            return Output::error(format!("rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]"));
        };
        let path = HTTPIngressPath {
            backend: backend(&rule.service, &rule.port),
            path: Some(rule.path.clone()),
            path_type: if rule.prefix { "Prefix" } else { "Exact" }.to_string(),
        };
        let host = if rule.host.is_empty() {
            None
        } else {
            Some(rule.host.clone())
        };
        match rules.iter_mut().find(|x| x.host == host) {
            Some(existing) => existing
                .http
                .get_or_insert_with(Default::default)
                .paths
                .push(path),
            None => rules.push(IngressRule {
                host: host.clone(),
                http: Some(HTTPIngressRuleValue { paths: vec![path] }),
            }),
        }
        if let Some(secret) = rule.tls {
            match tls.iter_mut().find(|t| t.secret_name == secret) {
                Some(t) => {
                    if let Some(h) = &host {
                        t.hosts.get_or_insert_with(Vec::new).push(h.clone());
                    }
                }
                None => tls.push(IngressTLS {
                    hosts: host.map(|h| vec![h]),
                    secret_name: secret,
                }),
            }
        }
    }
    let default_backend = match ctx.args.get("default-backend") {
        Some(d) => match d.split_once(':') {
            Some((s, p)) => Some(backend(s, p)),
            None => {
                return Output::error(format!(
                    "default-backend should be in format servicename:serviceport, got {d}"
                ))
            }
        },
        None => None,
    };
    if rules.is_empty() && default_backend.is_none() {
        return Output::error("not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)");
    }
    let mut annotations = BTreeMap::new();
    for a in ctx.args.all("annotation") {
        match a.split_once('=') {
            Some((k, v)) => {
                annotations.insert(k.to_string(), v.to_string());
            }
            None => {
                return Output::error(format!(
                    "annotation {a} is invalid and should be in format key=[value]"
                ))
            }
        }
    }
    let ing = Ingress {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: enforced_namespace(ctx),
            annotations: if annotations.is_empty() {
                None
            } else {
                Some(annotations)
            },
            ..Default::default()
        },
        spec: Some(IngressSpec {
            ingress_class_name: ctx.args.get("class").map(str::to_string),
            default_backend,
            rules: if rules.is_empty() { None } else { Some(rules) },
            tls: if tls.is_empty() { None } else { Some(tls) },
        }),
        status: Some(IngressStatus {
            load_balancer: Some(Default::default()),
        }),
    };
    finish(ctx, Object::Ingress(ing), Some("ingress"))
}
