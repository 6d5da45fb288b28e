//! `kubectl expose`: the Service kubectl builds for a pod, Service,
//! Deployment, ReplicaSet or ReplicationController, before it creates it.
//!
//! Follows kubectl's `pkg/cmd/expose/expose.go` and the polymorphic
//! helpers it uses (`canbeexposed.go`, `mapbasedselectorforobject.go`,
//! `portsforobject.go`, `protocolsforobject.go`): the selector and ports
//! come from the object unless given, the Service gets the object's
//! labels, several introspected ports are named `port-1`, `port-2`...

use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{ApiError, Store};
use k8s_openapi::api::core::v1::{Container, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The flags of `kubectl expose`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExposeOpts {
    /// `--port`
    pub port: Option<i32>,
    /// `--target-port` (a number or a container port name)
    pub target_port: Option<String>,
    /// `--type`
    pub type_: Option<String>,
    /// `--name`
    pub name: Option<String>,
    /// `--protocol`
    pub protocol: Option<String>,
    /// `--selector key=value,...`
    pub selector: Option<String>,
    /// `--labels key=value,...`
    pub labels: Option<String>,
    /// `--external-ip`
    pub external_ip: Option<String>,
    /// `--cluster-ip` (`None` for a headless Service)
    pub cluster_ip: Option<String>,
    /// `--session-affinity`
    pub session_affinity: Option<String>,
    /// `--load-balancer-ip`
    pub load_balancer_ip: Option<String>,
}

/// Why kubectl refuses.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ExposeError {
    /// kubectl's own `error: ...` (the text after `error: `).
    #[error("error: {0}")]
    Kubectl(String),
    /// The apiserver's answer (the object does not exist...).
    #[error("{}", .0.kubectl_text())]
    Api(ApiError),
}

fn parse_map(s: &str) -> Result<BTreeMap<String, String>, ExposeError> {
    let mut m = BTreeMap::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| ExposeError::Kubectl(format!("invalid label spec: {part}")))?;
        m.insert(k.trim().to_string(), v.trim().to_string());
    }
    Ok(m)
}

fn map_selector(sel: Option<&LabelSelector>) -> Result<BTreeMap<String, String>, ExposeError> {
    let Some(sel) = sel else {
        return Ok(BTreeMap::new());
    };
    if let Some(exprs) = sel.match_expressions.as_ref().filter(|e| !e.is_empty()) {
        return Err(ExposeError::Kubectl(format!(
            "couldn't convert expressions - \"{:?}\" to map-based selector format",
            exprs.iter().map(|e| e.key.clone()).collect::<Vec<_>>()
        )));
    }
    Ok(sel.match_labels.clone().unwrap_or_default())
}

/// (port, protocol, name) of the containers' declared ports.
fn container_ports(cs: &[Container]) -> Vec<(i32, String, Option<String>)> {
    cs.iter()
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| {
            (
                p.container_port,
                p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                p.name.clone(),
            )
        })
        .collect()
}

/// Builds the Service `kubectl expose RESOURCE NAME` would create.
/// `resource` is what the user typed (`deployment`, `deploy`, `rs`, `po`...).
pub fn expose_service(
    store: &Store,
    ns: &str,
    resource: &str,
    name: &str,
    opts: &ExposeOpts,
) -> Result<Service, ExposeError> {
    let kind = Kind::from_resource_name(resource).ok_or_else(|| {
        ExposeError::Kubectl(format!(
            "the server doesn't have a resource type \"{resource}\""
        ))
    })?;
    let obj = store.get(kind, ns, name).map_err(ExposeError::Api)?.clone();
    // What the object offers: selector, ports, labels.
    let (selector, ports, labels) = match &*obj {
        Object::Pod(p) => {
            let labels = p.metadata.labels.clone().unwrap_or_default();
            if labels.is_empty() && opts.selector.is_none() {
                return Err(ExposeError::Kubectl(
                    "couldn't retrieve selectors via --selector flag or introspection: the pod has no labels and cannot be exposed".into(),
                ));
            }
            let ports = container_ports(&p.spec.clone().unwrap_or_default().containers);
            (labels.clone(), ports, labels)
        }
        Object::Service(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let sel = spec.selector.clone().unwrap_or_default();
            if sel.is_empty() && opts.selector.is_none() {
                return Err(ExposeError::Kubectl(
                    "couldn't retrieve selectors via --selector flag or introspection: the service has no pod selector set".into(),
                ));
            }
            let ports = spec
                .ports
                .iter()
                .flatten()
                .map(|p| {
                    (
                        p.port,
                        p.protocol.clone().unwrap_or_else(|| "TCP".into()),
                        p.name.clone(),
                    )
                })
                .collect();
            (sel, ports, s.metadata.labels.clone().unwrap_or_default())
        }
        Object::Deployment(d) => {
            let spec = d.spec.clone().unwrap_or_default();
            let sel = map_selector(Some(&spec.selector))?;
            let ports = container_ports(&spec.template.spec.clone().unwrap_or_default().containers);
            (sel, ports, d.metadata.labels.clone().unwrap_or_default())
        }
        Object::ReplicaSet(r) => {
            let spec = r.spec.clone().unwrap_or_default();
            let sel = map_selector(Some(&spec.selector))?;
            let ports = container_ports(
                &spec
                    .template
                    .and_then(|t| t.spec)
                    .unwrap_or_default()
                    .containers,
            );
            (sel, ports, r.metadata.labels.clone().unwrap_or_default())
        }
        Object::ReplicationController(r) => {
            let spec = r.spec.clone().unwrap_or_default();
            let sel = spec.selector.clone().unwrap_or_default();
            let ports = container_ports(
                &spec
                    .template
                    .and_then(|t| t.spec)
                    .unwrap_or_default()
                    .containers,
            );
            (sel, ports, r.metadata.labels.clone().unwrap_or_default())
        }
        other => {
            let info = other.kind().info();
            let gk = if info.group.is_empty() {
                info.kind.to_string()
            } else {
                format!("{}.{}", info.kind, info.group)
            };
            return Err(ExposeError::Kubectl(format!("cannot expose a {gk}")));
        }
    };
    let selector = match &opts.selector {
        Some(s) => parse_map(s)?,
        None => selector,
    };
    let labels = match &opts.labels {
        Some(l) => parse_map(l)?,
        None => labels,
    };
    let target = |port: i32| -> IntOrString {
        match &opts.target_port {
            Some(t) => match t.parse::<i32>() {
                Ok(n) => IntOrString::Int(n),
                Err(_) => IntOrString::String(t.clone()),
            },
            None => IntOrString::Int(port),
        }
    };
    let service_ports: Vec<ServicePort> = match opts.port {
        Some(p) => vec![ServicePort {
            port: p,
            protocol: Some(
                opts.protocol
                    .clone()
                    .or_else(|| ports.first().map(|x| x.1.clone()))
                    .unwrap_or_else(|| "TCP".into()),
            ),
            target_port: Some(target(p)),
            ..Default::default()
        }],
        None if ports.is_empty() => {
            return Err(ExposeError::Kubectl(
                "couldn't find port via --port flag or introspection".into(),
            ))
        }
        None if ports.len() == 1 => vec![ServicePort {
            port: ports[0].0,
            protocol: Some(opts.protocol.clone().unwrap_or_else(|| ports[0].1.clone())),
            target_port: Some(target(ports[0].0)),
            ..Default::default()
        }],
        None => ports
            .iter()
            .enumerate()
            .map(|(i, (port, proto, _))| ServicePort {
                name: Some(format!("port-{}", i + 1)),
                port: *port,
                protocol: Some(opts.protocol.clone().unwrap_or_else(|| proto.clone())),
                target_port: Some(target(*port)),
                ..Default::default()
            })
            .collect(),
    };
    Ok(Service {
        metadata: ObjectMeta {
            name: Some(opts.name.clone().unwrap_or_else(|| name.to_string())),
            namespace: Some(ns.to_string()),
            labels: (!labels.is_empty()).then_some(labels),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            ports: Some(service_ports),
            selector: Some(selector),
            type_: opts.type_.clone(),
            cluster_ip: opts.cluster_ip.clone(),
            external_ips: opts
                .external_ip
                .as_ref()
                .map(|s| s.split(',').map(str::to_string).collect()),
            session_affinity: opts.session_affinity.clone(),
            load_balancer_ip: opts.load_balancer_ip.clone(),
            ..Default::default()
        }),
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::testkit::{create, run_pod, TestPod};
    use serde_json::json;

    /// kubectl's expose_test.go cases: ports from the template, labels
    /// copied, errors for objects that cannot be exposed.
    #[test]
    fn services_come_out_as_kubectl_builds_them() {
        let mut w = crate::cluster::workshop_world(5);
        create(
            &mut w,
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
                   "spec": {"selector": {"matchLabels": {"app": "web"}},
                            "template": {"metadata": {"labels": {"app": "web"}},
                                         "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                             "ports": [{"containerPort": 80}, {"containerPort": 443}]}]}}}}),
        )
        .unwrap();
        let s =
            expose_service(&w.store, "default", "deploy", "web", &ExposeOpts::default()).unwrap();
        let spec = s.spec.clone().unwrap();
        assert_eq!(
            spec.selector.unwrap().get("app").map(String::as_str),
            Some("web")
        );
        let ports = spec.ports.unwrap();
        assert_eq!(ports.len(), 2);
        assert_eq!(ports[1].name.as_deref(), Some("port-2"));
        assert_eq!(ports[1].target_port, Some(IntOrString::Int(443)));
        let s = expose_service(
            &w.store,
            "default",
            "deployment",
            "web",
            &ExposeOpts {
                port: Some(8080),
                target_port: Some("80".into()),
                type_: Some("NodePort".into()),
                ..Default::default()
            },
        )
        .unwrap();
        let p = &s.spec.as_ref().unwrap().ports.as_ref().unwrap()[0];
        assert_eq!(
            (p.port, p.target_port.clone()),
            (8080, Some(IntOrString::Int(80)))
        );
        // A created Service gets its address and node port.
        let created = w
            .store
            .create(Object::Service(s), &Default::default())
            .unwrap();
        let Object::Service(c) = &*created else {
            unreachable!()
        };
        assert!(c.spec.as_ref().unwrap().cluster_ip.is_some());

        // No ports anywhere.
        run_pod(
            &mut w,
            TestPod::new("bare", "alpine").label("run", "bare"),
            "node2",
        );
        assert_eq!(
            expose_service(&w.store, "default", "pod", "bare", &ExposeOpts::default())
                .unwrap_err()
                .to_string(),
            "error: couldn't find port via --port flag or introspection"
        );
        run_pod(&mut w, TestPod::new("nolabels", "nginx"), "node2");
        assert!(expose_service(
            &w.store,
            "default",
            "po",
            "nolabels",
            &ExposeOpts {
                port: Some(80),
                ..Default::default()
            }
        )
        .unwrap_err()
        .to_string()
        .contains("the pod has no labels and cannot be exposed"));
        assert_eq!(
            expose_service(
                &w.store,
                "default",
                "deploy",
                "nope",
                &ExposeOpts::default()
            )
            .unwrap_err()
            .to_string(),
            "Error from server (NotFound): deployments.apps \"nope\" not found"
        );
        assert_eq!(
            expose_service(&w.store, "", "node", "node1", &ExposeOpts::default())
                .unwrap_err()
                .to_string(),
            "error: cannot expose a Node"
        );
    }
}
