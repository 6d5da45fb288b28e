//! Tables of the network kinds: Service, Endpoints, EndpointSlice, Ingress,
//! IngressClass, NetworkPolicy (`printService`, `printEndpoints`,
//! `printEndpointSlice`, `printIngress`, `printIngressClass`,
//! `printNetworkPolicy` in `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::format::{join_host_port, list_with_more};
use super::layout::{format_labels, format_selector};
use super::{age_cell, Cell, Column};
use crate::objects::Object;
use k8s_openapi::api::core::v1::{Endpoints, Service, ServicePort};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use std::collections::BTreeSet;

/// `loadBalancerWidth`: LB addresses are clipped to 16 bytes without -o wide.
const LOAD_BALANCER_WIDTH: usize = 16;

pub fn service_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Type", "string", d::SVC_TYPE),
        Column::new("Cluster-IP", "string", d::SVC_CLUSTER_IP),
        Column::new("External-IP", "string", d::SVC_EXTERNAL_IPS),
        Column::new("Port(s)", "string", d::SVC_PORTS),
        Column::age(),
        Column::new("Selector", "string", d::SVC_SELECTOR).wide(),
    ]
}

/// `loadBalancerStatusStringer`: sorted, de-duplicated IPs (or hostnames),
/// clipped to 13 bytes + `...` unless wide.
pub fn load_balancer_addresses<'a>(
    ips: impl Iterator<Item = (Option<&'a String>, Option<&'a String>)>,
    wide: bool,
) -> String {
    let mut set = BTreeSet::new();
    for (ip, host) in ips {
        match (ip.filter(|s| !s.is_empty()), host.filter(|s| !s.is_empty())) {
            (Some(ip), _) => set.insert(ip.clone()),
            (None, Some(h)) => set.insert(h.clone()),
            _ => false,
        };
    }
    let r = set.into_iter().collect::<Vec<_>>().join(",");
    if !wide && r.len() > LOAD_BALANCER_WIDTH {
        // Go slices bytes; addresses are ASCII.
        let cut: String = r.chars().take(LOAD_BALANCER_WIDTH - 3).collect();
        format!("{cut}...")
    } else {
        r
    }
}

/// `getServiceExternalIP`. The server always prints with `Wide: true`, so
/// the Table cell is never clipped; `wide=false` gives kubectl's old
/// client-side form.
pub fn service_external_ip(svc: &Service, wide: bool) -> String {
    let spec = svc.spec.clone().unwrap_or_default();
    let external = spec.external_ips.clone().unwrap_or_default();
    match spec.type_.as_deref().unwrap_or("ClusterIP") {
        "ClusterIP" | "NodePort" => {
            if external.is_empty() {
                "<none>".into()
            } else {
                external.join(",")
            }
        }
        "LoadBalancer" => {
            let ingress = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|l| l.ingress.clone())
                .unwrap_or_default();
            let lb = load_balancer_addresses(
                ingress.iter().map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
                wide,
            );
            if !external.is_empty() {
                let mut all: Vec<String> = if lb.is_empty() {
                    Vec::new()
                } else {
                    lb.split(',').map(String::from).collect()
                };
                all.extend(external);
                return all.join(",");
            }
            if lb.is_empty() {
                "<pending>".into()
            } else {
                lb
            }
        }
        "ExternalName" => spec.external_name.clone().unwrap_or_default(),
        _ => "<unknown>".into(),
    }
}

/// `makePortString`: `80/TCP` or `80:30080/TCP`, joined by `,`.
pub fn port_string(ports: &[ServicePort]) -> String {
    ports
        .iter()
        .map(|p| {
            let proto = p.protocol.as_deref().unwrap_or("TCP");
            match p.node_port {
                Some(np) if np > 0 => format!("{}:{np}/{proto}", p.port),
                _ => format!("{}/{proto}", p.port),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn service_cells(svc: &Service, now: jiff::Timestamp) -> Vec<Cell> {
    service_cells_wide(svc, now, true)
}

/// The Service row; `wide` decides whether the LB address is clipped.
pub fn service_cells_wide(svc: &Service, now: jiff::Timestamp, wide: bool) -> Vec<Cell> {
    let spec = svc.spec.clone().unwrap_or_default();
    let cluster_ip = spec
        .cluster_ips
        .as_ref()
        .and_then(|ips| ips.first().cloned())
        .unwrap_or_else(|| "<none>".into());
    let ports = port_string(spec.ports.as_deref().unwrap_or(&[]));
    vec![
        Cell::Str(svc.metadata.name.clone().unwrap_or_default()),
        Cell::Str(spec.type_.clone().unwrap_or_default()),
        Cell::Str(cluster_ip),
        Cell::Str(service_external_ip(svc, wide)),
        Cell::Str(if ports.is_empty() {
            "<none>".into()
        } else {
            ports
        }),
        age_cell(&svc.metadata, now),
        Cell::Str(format_labels(&spec.selector.unwrap_or_default())),
    ]
}

pub fn endpoints_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Endpoints", "string", d::EP_SUBSETS),
        Column::age(),
    ]
}

/// `formatEndpoints(endpoints, nil)`: the first 3 `ip:port` (or `ip` for a
/// portless subset), then ` + N more...`.
pub fn format_endpoints(ep: &Endpoints) -> String {
    let subsets = ep.subsets.clone().unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for ss in &subsets {
        let addrs = ss.addresses.clone().unwrap_or_default();
        let ports = ss.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            count += addrs.len();
            for a in &addrs {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(a.ip.clone());
            }
            continue;
        }
        for p in &ports {
            count += addrs.len();
            for a in &addrs {
                if list.len() == max {
                    more = true;
                    break;
                }
                list.push(join_host_port(&a.ip, &p.port.to_string()));
            }
        }
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", count - max)
    } else {
        ret
    }
}

pub fn endpoints_cells(ep: &Endpoints, now: jiff::Timestamp) -> Vec<Cell> {
    vec![
        Cell::Str(ep.metadata.name.clone().unwrap_or_default()),
        Cell::Str(format_endpoints(ep)),
        age_cell(&ep.metadata, now),
    ]
}

pub fn endpoint_slice_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("AddressType", "string", d::EPS_ADDRESS_TYPE),
        Column::new("Ports", "string", d::EPS_PORTS),
        Column::new("Endpoints", "string", d::EPS_ENDPOINTS),
        Column::age(),
    ]
}

pub fn endpoint_slice_cells(s: &EndpointSlice, now: jiff::Timestamp) -> Vec<Cell> {
    // formatDiscoveryPorts: the number, else the name, else `*`.
    let ports: Vec<String> = s
        .ports
        .iter()
        .flatten()
        .map(|p| match (&p.port, &p.name) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".into(),
        })
        .collect();
    // formatDiscoveryEndpoints: every address, readiness ignored.
    let addrs: Vec<String> = s
        .endpoints
        .iter()
        .flat_map(|e| e.addresses.iter().cloned())
        .collect();
    vec![
        Cell::Str(s.metadata.name.clone().unwrap_or_default()),
        Cell::Str(s.address_type.clone()),
        Cell::Str(list_with_more(&ports, 3)),
        Cell::Str(list_with_more(&addrs, 3)),
        age_cell(&s.metadata, now),
    ]
}

pub fn ingress_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
        Column::new("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
        Column::new("Address", "string", "Address is a list containing ingress points for the load-balancer"),
        Column::new("Ports", "string", "Ports of TLS configurations that open"),
        Column::age(),
    ]
}

/// `formatHosts`: the first 3 non-empty hosts, `*` when none.
pub fn ingress_hosts(ing: &Ingress) -> String {
    let rules = ing
        .spec
        .as_ref()
        .and_then(|s| s.rules.clone())
        .unwrap_or_default();
    let max = 3;
    let mut list = Vec::new();
    let mut more = false;
    for r in &rules {
        if list.len() == max {
            more = true;
        }
        if !more {
            if let Some(h) = r.host.as_ref().filter(|h| !h.is_empty()) {
                list.push(h.clone());
            }
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let ret = list.join(",");
    if more {
        format!("{ret} + {} more...", rules.len() - max)
    } else {
        ret
    }
}

/// `ingressLoadBalancerStatusStringer`.
pub fn ingress_address(ing: &Ingress, wide: bool) -> String {
    let ingress = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default();
    load_balancer_addresses(
        ingress.iter().map(|i| (i.ip.as_ref(), i.hostname.as_ref())),
        wide,
    )
}

pub fn ingress_cells(ing: &Ingress, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = ing.spec.clone().unwrap_or_default();
    let ports = if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) {
        "80, 443"
    } else {
        "80"
    };
    vec![
        Cell::Str(ing.metadata.name.clone().unwrap_or_default()),
        Cell::Str(
            spec.ingress_class_name
                .clone()
                .unwrap_or_else(|| "<none>".into()),
        ),
        Cell::Str(ingress_hosts(ing)),
        Cell::Str(ingress_address(ing, true)),
        Cell::Str(ports.into()),
        age_cell(&ing.metadata, now),
    ]
}

pub fn ingress_class_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new(
            "Controller",
            "string",
            "Controller that is responsible for handling this class",
        ),
        Column::new(
            "Parameters",
            "string",
            "A reference to a resource with additional parameters",
        ),
        Column::age(),
    ]
}

pub fn ingress_class_cells(ic: &IngressClass, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = ic.spec.clone().unwrap_or_default();
    let parameters = match &spec.parameters {
        None => "<none>".to_string(),
        Some(p) => {
            let mut s = p.kind.clone();
            if let Some(g) = &p.api_group {
                s = format!("{s}.{g}");
            }
            format!("{s}/{}", p.name)
        }
    };
    vec![
        Cell::Str(ic.metadata.name.clone().unwrap_or_default()),
        Cell::Str(spec.controller.clone().unwrap_or_default()),
        Cell::Str(parameters),
        age_cell(&ic.metadata, now),
    ]
}

pub fn network_policy_columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Pod-Selector", "string", d::NETPOL_POD_SELECTOR),
        Column::age(),
    ]
}

pub fn network_policy_cells(np: &NetworkPolicy, now: jiff::Timestamp) -> Vec<Cell> {
    let sel = np
        .spec
        .as_ref()
        .and_then(|s| s.pod_selector.clone())
        .unwrap_or_default();
    vec![
        Cell::Str(np.metadata.name.clone().unwrap_or_default()),
        Cell::Str(format_selector(Some(&sel))),
        age_cell(&np.metadata, now),
    ]
}

/// Dispatch for the kinds of this file.
pub fn cells(obj: &Object, now: jiff::Timestamp) -> Option<Vec<Cell>> {
    Some(match obj {
        Object::Service(o) => service_cells(o, now),
        Object::Endpoints(o) => endpoints_cells(o, now),
        Object::EndpointSlice(o) => endpoint_slice_cells(o, now),
        Object::Ingress(o) => ingress_cells(o, now),
        Object::IngressClass(o) => ingress_class_cells(o, now),
        Object::NetworkPolicy(o) => network_policy_cells(o, now),
        _ => return None,
    })
}
