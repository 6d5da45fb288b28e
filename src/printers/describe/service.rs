//! Describers of the network kinds: Service (printers.md §4.6), Endpoints,
//! EndpointSlice, Ingress, IngressClass, NetworkPolicy (`describeService`,
//! `describeEndpoints`, `describeEndpointSliceV1`, `describeIngressV1`,
//! `describeIngressClassV1`, `describeNetworkPolicy` in
//! `kubectl/pkg/describe/describe.go`).

use super::events::describe_events;
use super::writer::*;
use super::DescribeContext;
use crate::objects::Object;
use crate::printers::format::{int_or_string, join_host_port};
use crate::printers::layout::{format_labels, format_selector};
use crate::printers::services::ingress_address;
use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{
    Ingress, IngressBackend, IngressClass, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::sync::Arc;

fn header(w: &mut PrefixWriter, m: &ObjectMeta) {
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", m.namespace.clone().unwrap_or_default()),
    );
    labels_multiline(w, "Labels", m.labels.as_ref());
    annotations_multiline(w, "Annotations", m.annotations.as_ref());
}

fn slices(objs: &[Arc<Object>]) -> Vec<&EndpointSlice> {
    objs.iter()
        .filter_map(|o| match o.as_ref() {
            Object::EndpointSlice(s) => Some(s),
            _ => None,
        })
        .collect()
}

/// `formatEndpointSlices(slices, {portName})`: ready endpoints (ready nil
/// counts as ready) of the slice ports named `port_name`, `ip:port`, the
/// first 3 then ` + N more...`; `<none>` without slices.
pub fn format_endpoint_slices(slices: &[&EndpointSlice], port_name: Option<&str>) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let max = 3;
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    for s in slices {
        let ports = s.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            for e in &s.endpoints {
                if list.len() == max {
                    more = true;
                }
                let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                if !ready {
                    continue;
                }
                if !more {
                    list.push(e.addresses.first().cloned().unwrap_or_default());
                }
                count += 1;
            }
            continue;
        }
        for p in &ports {
            let name = p.name.clone().unwrap_or_default();
            if port_name.is_some_and(|want| want != name) {
                continue;
            }
            for e in &s.endpoints {
                if list.len() == max {
                    more = true;
                }
                let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
                if !ready {
                    continue;
                }
                if !more {
                    let addr = e.addresses.first().cloned().unwrap_or_default();
                    list.push(join_host_port(&addr, &p.port.unwrap_or(0).to_string()));
                }
                count += 1;
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

/// `describeService`.
pub fn describe_service(svc: &Service, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = svc.spec.clone().unwrap_or_default();
    header(&mut w, &svc.metadata);
    w.write(
        LEVEL_0,
        &format!(
            "Selector:\t{}\n",
            format_labels(&spec.selector.clone().unwrap_or_default())
        ),
    );
    w.write(
        LEVEL_0,
        &format!("Type:\t{}\n", spec.type_.clone().unwrap_or_default()),
    );
    if let Some(p) = &spec.ip_family_policy {
        w.write(LEVEL_0, &format!("IP Family Policy:\t{p}\n"));
    }
    match spec.ip_families.as_ref().filter(|f| !f.is_empty()) {
        Some(f) => w.write(LEVEL_0, &format!("IP Families:\t{}\n", f.join(","))),
        None => w.write(LEVEL_0, "IP Families:\t<none>\n"),
    }
    w.write(
        LEVEL_0,
        &format!("IP:\t{}\n", spec.cluster_ip.clone().unwrap_or_default()),
    );
    match spec.cluster_ips.as_ref().filter(|f| !f.is_empty()) {
        Some(ips) => w.write(LEVEL_0, &format!("IPs:\t{}\n", ips.join(","))),
        None => w.write(LEVEL_0, "IPs:\t<none>\n"),
    }
    if let Some(ext) = spec.external_ips.as_ref().filter(|f| !f.is_empty()) {
        w.write(LEVEL_0, &format!("External IPs:\t{}\n", ext.join(",")));
    }
    if let Some(ip) = spec.load_balancer_ip.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(n) = spec.external_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("External Name:\t{n}\n"));
    }
    let ingress = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.clone())
        .unwrap_or_default();
    if !ingress.is_empty() {
        let list: Vec<String> = ingress
            .iter()
            .map(|i| match i.ip.as_ref().filter(|s| !s.is_empty()) {
                Some(ip) => match &i.ip_mode {
                    Some(mode) => format!("{ip} ({mode})"),
                    None => ip.clone(),
                },
                None => i.hostname.clone().unwrap_or_default(),
            })
            .collect();
        w.write(
            LEVEL_0,
            &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")),
        );
    }
    let eps = slices(&ctx.endpoint_slices);
    for p in spec.ports.iter().flatten() {
        let name = p
            .name
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "<unset>".into());
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        w.write(LEVEL_0, &format!("Port:\t{name}\t{}/{proto}\n", p.port));
        let target = p
            .target_port
            .as_ref()
            .map(int_or_string)
            .unwrap_or_else(|| p.port.to_string());
        w.write(LEVEL_0, &format!("TargetPort:\t{target}/{proto}\n"));
        if let Some(ap) = &p.app_protocol {
            w.write(LEVEL_0, &format!("AppProtocol:\t{ap}\n"));
        }
        if let Some(np) = p.node_port.filter(|n| *n != 0) {
            w.write(LEVEL_0, &format!("NodePort:\t{name}\t{np}/{proto}\n"));
        }
        w.write(
            LEVEL_0,
            &format!(
                "Endpoints:\t{}\n",
                format_endpoint_slices(&eps, Some(p.name.as_deref().unwrap_or("")))
            ),
        );
    }
    w.write(
        LEVEL_0,
        &format!(
            "Session Affinity:\t{}\n",
            spec.session_affinity
                .clone()
                .unwrap_or_else(|| "None".into())
        ),
    );
    if let Some(p) = spec
        .external_traffic_policy
        .as_ref()
        .filter(|s| !s.is_empty())
    {
        w.write(LEVEL_0, &format!("External Traffic Policy:\t{p}\n"));
    }
    if let Some(p) = &spec.internal_traffic_policy {
        w.write(LEVEL_0, &format!("Internal Traffic Policy:\t{p}\n"));
    }
    if let Some(hc) = spec.health_check_node_port.filter(|n| *n != 0) {
        w.write(LEVEL_0, &format!("HealthCheck NodePort:\t{hc}\n"));
    }
    if let Some(r) = spec
        .load_balancer_source_ranges
        .as_ref()
        .filter(|r| !r.is_empty())
    {
        w.write(
            LEVEL_0,
            &format!("LoadBalancer Source Ranges:\t{}\n", r.join(",")),
        );
    }
    if let Some(t) = &spec.traffic_distribution {
        w.write(LEVEL_0, &format!("Traffic Distribution:\t{t}\n"));
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeEndpoints`.
pub fn describe_endpoints(ep: &Endpoints, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    header(&mut w, &ep.metadata);
    w.write(LEVEL_0, "Subsets:\n");
    for ss in ep.subsets.iter().flatten() {
        let ips = |a: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let s = a
                .iter()
                .flatten()
                .map(|a| a.ip.clone())
                .collect::<Vec<_>>()
                .join(",");
            if s.is_empty() {
                "<none>".to_string()
            } else {
                s
            }
        };
        w.write(LEVEL_1, &format!("Addresses:\t{}\n", ips(&ss.addresses)));
        w.write(
            LEVEL_1,
            &format!("NotReadyAddresses:\t{}\n", ips(&ss.not_ready_addresses)),
        );
        if let Some(ports) = ss.ports.as_ref().filter(|p| !p.is_empty()) {
            w.write(LEVEL_1, "Ports:\n");
            w.write(LEVEL_2, "Name\tPort\tProtocol\n");
            w.write(LEVEL_2, "----\t----\t--------\n");
            for p in ports {
                w.write(
                    LEVEL_2,
                    &format!(
                        "{}\t{}\t{}\n",
                        p.name
                            .clone()
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| "<unset>".into()),
                        p.port,
                        p.protocol.clone().unwrap_or_else(|| "TCP".into())
                    ),
                );
            }
        }
        w.write(LEVEL_0, "\n");
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeEndpointSliceV1`.
pub fn describe_endpoint_slice(
    s: &EndpointSlice,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    header(&mut w, &s.metadata);
    w.write(LEVEL_0, &format!("AddressType:\t{}\n", s.address_type));
    match s.ports.as_ref().filter(|p| !p.is_empty()) {
        None => w.write(LEVEL_0, "Ports: <unset>\n"),
        Some(ports) => {
            w.write(LEVEL_0, "Ports:\n");
            w.write(LEVEL_1, "Name\tPort\tProtocol\n");
            w.write(LEVEL_1, "----\t----\t--------\n");
            for p in ports {
                w.write(
                    LEVEL_1,
                    &format!(
                        "{}\t{}\t{}\n",
                        p.name
                            .clone()
                            .filter(|n| !n.is_empty())
                            .unwrap_or_else(|| "<unset>".into()),
                        p.port
                            .map(|n| n.to_string())
                            .unwrap_or_else(|| "<unset>".into()),
                        p.protocol.clone().unwrap_or_else(|| "TCP".into())
                    ),
                );
            }
        }
    }
    if s.endpoints.is_empty() {
        w.write(LEVEL_0, "Endpoints: <none>\n");
    } else {
        w.write(LEVEL_0, "Endpoints:\n");
        for e in &s.endpoints {
            let addrs = e.addresses.join(", ");
            w.write(
                LEVEL_1,
                &format!(
                    "- Addresses:\t{}\n",
                    if addrs.is_empty() {
                        "<none>".into()
                    } else {
                        addrs
                    }
                ),
            );
            w.write(LEVEL_2, "Conditions:\n");
            let ready = e
                .conditions
                .as_ref()
                .and_then(|c| c.ready)
                .map(|r| r.to_string())
                .unwrap_or_else(|| "<unset>".into());
            w.write(LEVEL_3, &format!("Ready:\t{ready}\n"));
            w.write(
                LEVEL_2,
                &format!(
                    "Hostname:\t{}\n",
                    e.hostname.clone().unwrap_or_else(|| "<unset>".into())
                ),
            );
            if let Some(t) = &e.target_ref {
                w.write(
                    LEVEL_2,
                    &format!(
                        "TargetRef:\t{}/{}\n",
                        t.kind.clone().unwrap_or_default(),
                        t.name.clone().unwrap_or_default()
                    ),
                );
            }
            w.write(
                LEVEL_2,
                &format!(
                    "NodeName:\t{}\n",
                    e.node_name.clone().unwrap_or_else(|| "<unset>".into())
                ),
            );
            w.write(
                LEVEL_2,
                &format!(
                    "Zone:\t{}\n",
                    e.zone.clone().unwrap_or_else(|| "<unset>".into())
                ),
            );
        }
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeBackendV1`: `svc:port (endpoints)` for a service backend.
fn describe_backend(ns: &str, b: &IngressBackend, ctx: &DescribeContext) -> String {
    if let Some(sb) = &b.service {
        let port = sb.port.clone().unwrap_or_default();
        let port_str = match port.number.filter(|n| *n != 0) {
            Some(n) => n.to_string(),
            None => port.name.clone().unwrap_or_default(),
        };
        let desc = format!("{}:{port_str}", sb.name);
        let svc = ctx.services.iter().find_map(|o| match o.as_ref() {
            Object::Service(s)
                if s.metadata.name.as_deref() == Some(&sb.name)
                    && s.metadata.namespace.as_deref() == Some(ns) =>
            {
                Some(s)
            }
            _ => None,
        });
        let Some(svc) = svc else {
            return format!("{desc} (<error: services \"{}\" not found>)", sb.name);
        };
        let mut sp_name = String::new();
        for sp in svc.spec.iter().flat_map(|s| s.ports.iter().flatten()) {
            if port.number.is_some_and(|n| n != 0 && n == sp.port)
                || port
                    .name
                    .as_ref()
                    .is_some_and(|n| !n.is_empty() && Some(n) == sp.name.as_ref())
            {
                sp_name = sp.name.clone().unwrap_or_default();
            }
        }
        let eps: Vec<&EndpointSlice> = slices(&ctx.endpoint_slices)
            .into_iter()
            .filter(|s| {
                s.metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get("kubernetes.io/service-name"))
                    == Some(&sb.name)
            })
            .collect();
        return format!("{desc} ({})", format_endpoint_slices(&eps, Some(&sp_name)));
    }
    if let Some(r) = &b.resource {
        return format!(
            "APIGroup: {}, Kind: {}, Name: {}",
            r.api_group.clone().unwrap_or_else(|| "<none>".into()),
            r.kind,
            r.name
        );
    }
    String::new()
}

/// `describeIngressV1`.
pub fn describe_ingress(ing: &Ingress, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = ing.spec.clone().unwrap_or_default();
    let ns = ing.metadata.namespace.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", ing.metadata.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", ing.metadata.labels.as_ref());
    w.write(LEVEL_0, &format!("Namespace:\t{ns}\n"));
    w.write(
        LEVEL_0,
        &format!("Address:\t{}\n", ingress_address(ing, true)),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Ingress Class:\t{}\n",
            spec.ingress_class_name
                .clone()
                .unwrap_or_else(|| "<none>".into())
        ),
    );
    let default_backend = match &spec.default_backend {
        Some(b) => describe_backend(&ns, b, ctx),
        None => "<default>".into(),
    };
    w.write(LEVEL_0, &format!("Default backend:\t{default_backend}\n"));
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        w.write(LEVEL_0, "TLS:\n");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_ref().filter(|s| !s.is_empty()) {
                None => w.write(LEVEL_1, &format!("SNI routes {hosts}\n")),
                Some(s) => w.write(LEVEL_1, &format!("{s} terminates {hosts}\n")),
            }
        }
    }
    w.write(LEVEL_0, "Rules:\n  Host\tPath\tBackends\n");
    w.write(LEVEL_1, "----\t----\t--------\n");
    let mut count = 0;
    for r in spec.rules.iter().flatten() {
        let Some(http) = &r.http else { continue };
        count += 1;
        let host = r
            .host
            .clone()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "*".into());
        w.write(LEVEL_1, &format!("{host}\t\n"));
        for p in &http.paths {
            w.write(
                LEVEL_2,
                &format!(
                    "\t{} \t{}\n",
                    p.path.clone().unwrap_or_default(),
                    describe_backend(&ns, &p.backend, ctx)
                ),
            );
        }
    }
    if count == 0 {
        w.write(LEVEL_1, &format!("*\t*\t{default_backend}\n"));
    }
    annotations_multiline(&mut w, "Annotations", ing.metadata.annotations.as_ref());
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeIngressClassV1`.
pub fn describe_ingress_class(
    ic: &IngressClass,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let spec = ic.spec.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", ic.metadata.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", ic.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", ic.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Controller:\t{}\n",
            spec.controller.clone().unwrap_or_default()
        ),
    );
    if let Some(p) = &spec.parameters {
        w.write(LEVEL_0, "Parameters:\n");
        if let Some(g) = &p.api_group {
            w.write(LEVEL_1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(LEVEL_1, &format!("Kind:\t{}\n", p.kind));
        w.write(LEVEL_1, &format!("Name:\t{}\n", p.name));
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

fn peer_lines(w: &mut PrefixWriter, indent: &str, title: &str, peers: &[NetworkPolicyPeer]) {
    for p in peers {
        w.write(LEVEL_0, &format!("{indent}{title}:\n"));
        match (&p.pod_selector, &p.namespace_selector, &p.ip_block) {
            (Some(ps), Some(ns), _) => {
                w.write(
                    LEVEL_1,
                    &format!("{indent}NamespaceSelector: {}\n", format_selector(Some(ns))),
                );
                w.write(
                    LEVEL_1,
                    &format!("{indent}PodSelector: {}\n", format_selector(Some(ps))),
                );
            }
            (Some(ps), None, _) => {
                w.write(
                    LEVEL_1,
                    &format!("{indent}PodSelector: {}\n", format_selector(Some(ps))),
                );
            }
            (None, Some(ns), _) => {
                w.write(
                    LEVEL_1,
                    &format!("{indent}NamespaceSelector: {}\n", format_selector(Some(ns))),
                );
            }
            (None, None, Some(b)) => {
                w.write(LEVEL_1, &format!("{indent}IPBlock:\n"));
                w.write(LEVEL_2, &format!("{indent}CIDR: {}\n", b.cidr));
                w.write(
                    LEVEL_2,
                    &format!(
                        "{indent}Except: {}\n",
                        b.except.clone().unwrap_or_default().join(", ")
                    ),
                );
            }
            _ => {}
        }
    }
}

fn port_lines(w: &mut PrefixWriter, indent: &str, ports: &[NetworkPolicyPort]) {
    if ports.is_empty() {
        w.write(
            LEVEL_0,
            &format!("{indent}To Port: <any> (traffic allowed to all ports)\n"),
        );
        return;
    }
    for p in ports {
        let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
        // %s of a nil *IntOrString prints "<nil>".
        let port = p
            .port
            .as_ref()
            .map(int_or_string)
            .unwrap_or_else(|| "<nil>".into());
        match p.end_port {
            None => w.write(LEVEL_0, &format!("{indent}To Port: {port}/{proto}\n")),
            Some(end) => w.write(
                LEVEL_0,
                &format!("{indent}To Port Range: {port}-{end}/{proto}\n"),
            ),
        }
    }
}

/// `describeNetworkPolicy`.
pub fn describe_network_policy(np: &NetworkPolicy) -> String {
    let mut w = PrefixWriter::new();
    let m = &np.metadata;
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", m.namespace.clone().unwrap_or_default()),
    );
    // `%s` of a metav1.Time: Go's time.Time String().
    let created = m
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.strftime("%Y-%m-%d %H:%M:%S +0000 UTC").to_string())
        .unwrap_or_else(|| "0001-01-01 00:00:00 +0000 UTC".into());
    w.write(LEVEL_0, &format!("Created on:\t{created}\n"));
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let spec = np.spec.clone().unwrap_or_default();
    w.write(LEVEL_0, "Spec:\n");
    w.write(LEVEL_1, "PodSelector: ");
    let sel = spec.pod_selector.clone().unwrap_or_default();
    if sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty())
    {
        w.write(
            LEVEL_2,
            "<none> (Allowing the specific traffic to all pods in this namespace)\n",
        );
    } else {
        w.write(LEVEL_2, &format!("{}\n", format_selector(Some(&sel))));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    let indent = "    ";
    if types.iter().any(|t| t == "Ingress") {
        w.write(LEVEL_1, "Allowing ingress traffic:\n");
        let rules = spec.ingress.clone().unwrap_or_default();
        if rules.is_empty() {
            w.write(
                LEVEL_0,
                &format!("{indent}<none> (Selected pods are isolated for ingress connectivity)\n"),
            );
        }
        for (i, r) in rules.iter().enumerate() {
            port_lines(&mut w, indent, r.ports.as_deref().unwrap_or(&[]));
            match r.from.as_ref().filter(|f| !f.is_empty()) {
                None => w.write(
                    LEVEL_0,
                    &format!("{indent}From: <any> (traffic not restricted by source)\n"),
                ),
                Some(from) => peer_lines(&mut w, indent, "From", from),
            }
            if i + 1 != rules.len() {
                w.write(LEVEL_0, &format!("{indent}----------\n"));
            }
        }
    } else {
        w.write(LEVEL_1, "Not affecting ingress traffic\n");
    }
    if types.iter().any(|t| t == "Egress") {
        w.write(LEVEL_1, "Allowing egress traffic:\n");
        let rules = spec.egress.clone().unwrap_or_default();
        if rules.is_empty() {
            w.write(
                LEVEL_0,
                &format!("{indent}<none> (Selected pods are isolated for egress connectivity)\n"),
            );
        }
        for (i, r) in rules.iter().enumerate() {
            port_lines(&mut w, indent, r.ports.as_deref().unwrap_or(&[]));
            match r.to.as_ref().filter(|f| !f.is_empty()) {
                None => w.write(
                    LEVEL_0,
                    &format!("{indent}To: <any> (traffic not restricted by destination)\n"),
                ),
                Some(to) => peer_lines(&mut w, indent, "To", to),
            }
            if i + 1 != rules.len() {
                w.write(LEVEL_0, &format!("{indent}----------\n"));
            }
        }
    } else {
        w.write(LEVEL_1, "Not affecting egress traffic\n");
    }
    let pt = if types.is_empty() {
        "<none>".to_string()
    } else {
        types.join(", ")
    };
    w.write(LEVEL_1, &format!("Policy Types: {pt}\n"));
    w.finish()
}
