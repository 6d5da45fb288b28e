//! Service address allocation: ClusterIPs from the service range and
//! NodePorts from 30000–32767, done where the apiserver does it, in the
//! Service registry on create and update (an admission step here).
//!
//! Follows `pkg/registry/core/service/storage/alloc.go` (which values are
//! kept on update, which are allocated, the error texts),
//! `pkg/registry/core/service/ipallocator` and `portallocator` (random
//! allocation that prefers the upper part of the range, so that the lower
//! "static" band stays free for explicit requests: `calculateRangeOffset`,
//! min(max(16, size/16), 256) addresses and min(max(16, size/32), 128)
//! ports). Nothing is stored besides the Services themselves: what is
//! allocated is what the stored Services hold, so a deleted Service frees
//! its addresses at once, as the allocator's repair loop eventually does.

use super::addr::{fmt_ip, parse_ip, Ip, NODE_PORT_MAX, NODE_PORT_MIN, SERVICE_CIDR};
use crate::objects::kinds::Kind;
use crate::sim::rng::SimRng;
use crate::sim::store::{ApiError, FieldError, Reason, Store};
use k8s_openapi::api::core::v1::Service;
use std::collections::BTreeSet;

/// Size of the lower band reserved for explicit ClusterIPs
/// (ipallocator `calculateRangeOffset`: min(max(16, size/16), 256)).
fn ip_static_band(size: u64) -> u64 {
    (size / 16).clamp(16, 256)
}

/// Size of the lower band reserved for explicit NodePorts
/// (portallocator `calculateRangeOffset`: min(max(16, size/32), 128)).
fn port_static_band(size: u64) -> u64 {
    (size / 32).clamp(16, 128)
}

/// Assigns `spec.clusterIP(s)` and node ports to a Service being created
/// or updated, or explains why the request cannot be satisfied.
///
/// An update is recognised by the uid: the store copies the stored
/// object's uid into the incoming one before admission.
pub fn allocate_service(
    store: &Store,
    svc: &mut Service,
    rng: &mut SimRng,
) -> Result<(), ApiError> {
    let name = svc.metadata.name.clone().unwrap_or_default();
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let old = store
        .get_as::<Service>(&ns, &name)
        .filter(|o| o.metadata.uid.is_some() && o.metadata.uid == svc.metadata.uid)
        .cloned();
    if old.is_none() && store.get_as::<Service>(&ns, &name).is_some() {
        // A create over an existing name fails with AlreadyExists later;
        // allocating here would report a bogus collision first.
        return Ok(());
    }
    let my_uid = svc.metadata.uid.clone();
    let my_uid = &my_uid;
    let others = || {
        store
            .list_as::<Service>(None)
            .filter(move |s| my_uid.is_none() || s.metadata.uid != *my_uid)
    };
    let Some(spec) = svc.spec.as_mut() else {
        return Ok(());
    };
    let old_spec = old.as_ref().and_then(|o| o.spec.as_ref());
    let type_ = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let mut errs = Vec::new();

    // ----- ClusterIP ---------------------------------------------------
    if type_ == "ExternalName" {
        // ExternalName Services have no virtual IP (alloc.go releases it
        // when the type changes).
        spec.cluster_ip = None;
        spec.cluster_ips = None;
        spec.ip_families = None;
        spec.ip_family_policy = None;
    } else {
        let requested = spec
            .cluster_ip
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| spec.cluster_ips.as_ref().and_then(|v| v.first().cloned()))
            .unwrap_or_default();
        let previous = old_spec
            .and_then(|s| s.cluster_ip.clone())
            .filter(|s| !s.is_empty());
        match (&previous, requested.as_str()) {
            // patchAllocatedValues: an update that leaves it out keeps it.
            (Some(prev), "") => {
                spec.cluster_ip = Some(prev.clone());
                spec.cluster_ips = Some(vec![prev.clone()]);
            }
            (Some(prev), req) if req != prev => {
                errs.push(FieldError::invalid(
                    "spec.clusterIPs[0]",
                    go_slice(&[req]),
                    "may not change once set",
                ));
            }
            (Some(prev), _) => {
                spec.cluster_ips = Some(vec![prev.clone()]);
            }
            (None, "None") => {
                if type_ == "NodePort" || type_ == "LoadBalancer" {
                    errs.push(FieldError::invalid(
                        "spec.clusterIPs[0]",
                        "None",
                        "may not be set to 'None' for LoadBalancer or NodePort services",
                    ));
                }
                spec.cluster_ip = Some("None".into());
                spec.cluster_ips = Some(vec!["None".into()]);
            }
            (None, "") => {
                let used: BTreeSet<Ip> = others().flat_map(service_ips).collect();
                let ip = allocate_next_ip(&used, rng).ok_or_else(|| {
                    ApiError::new(
                        Reason::InternalError,
                        "Internal error occurred: failed to allocate a serviceIP: range is full",
                    )
                })?;
                spec.cluster_ip = Some(fmt_ip(ip));
                spec.cluster_ips = Some(vec![fmt_ip(ip)]);
            }
            (None, req) => {
                let Some(ip) = parse_ip(req) else {
                    return Err(ApiError::invalid(
                        Kind::Service,
                        &name,
                        vec![FieldError::invalid(
                            "spec.clusterIPs[0]",
                            req,
                            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                        )],
                    ));
                };
                let used: BTreeSet<Ip> = others().flat_map(service_ips).collect();
                if let Some(problem) = ip_problem(ip, &used) {
                    return Err(ApiError::invalid(
                        Kind::Service,
                        &name,
                        vec![FieldError::invalid(
                            "spec.clusterIPs",
                            go_slice(&[req]),
                            format!("failed to allocate IP {req}: {problem}"),
                        )],
                    ));
                }
                spec.cluster_ip = Some(req.to_string());
                spec.cluster_ips = Some(vec![req.to_string()]);
            }
        }
    }

    // ----- NodePorts ---------------------------------------------------
    let wants_node_ports = type_ == "NodePort"
        || (type_ == "LoadBalancer" && spec.allocate_load_balancer_node_ports != Some(false));
    let ports = spec.ports.get_or_insert_with(Vec::new);
    if !wants_node_ports {
        let lb_without = type_ == "LoadBalancer";
        for (i, p) in ports.iter_mut().enumerate() {
            let Some(np) = p.node_port.filter(|n| *n != 0) else {
                p.node_port = None;
                continue;
            };
            if lb_without {
                continue; // allowed, kept as given
            }
            // A type change away from NodePort releases what the old
            // object held; anything else is the user asking for it.
            let held = old_spec
                .is_some_and(|o| o.ports.iter().flatten().any(|op| op.node_port == Some(np)));
            if held {
                p.node_port = None;
            } else {
                errs.push(FieldError::forbidden(
                    format!("spec.ports[{i}].nodePort"),
                    format!("may not be used when `type` is '{type_}'"),
                ));
            }
        }
    } else {
        let mut used: BTreeSet<i32> = others().flat_map(service_node_ports).collect();
        // First the explicit requests (and those kept from the old object).
        let mut wanted: Vec<Option<i32>> = Vec::with_capacity(ports.len());
        for p in ports.iter() {
            let explicit = p.node_port.filter(|n| *n != 0);
            let kept = explicit.or_else(|| {
                old_spec.and_then(|o| {
                    o.ports.iter().flatten().find_map(|op| {
                        (op.port == p.port && op.protocol == p.protocol)
                            .then_some(op.node_port)
                            .flatten()
                    })
                })
            });
            wanted.push(kept);
        }
        for (i, w) in wanted.iter().enumerate() {
            let Some(np) = *w else { continue };
            let field = format!("spec.ports[{i}].nodePort");
            let held_by_old = old_spec
                .is_some_and(|o| o.ports.iter().flatten().any(|op| op.node_port == Some(np)));
            if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&np) {
                errs.push(FieldError::invalid(
                    field,
                    np.to_string(),
                    format!(
                        "provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
                    ),
                ));
            } else if wanted[..i].contains(&Some(np)) {
                // The same port twice in one Service (same protocol would be
                // a validation duplicate; upstream allows TCP+UDP sharing).
                let same_proto = ports[..i]
                    .iter()
                    .zip(&wanted[..i])
                    .any(|(q, wq)| *wq == Some(np) && q.protocol == ports[i].protocol);
                if same_proto {
                    errs.push(FieldError::duplicate(field, np.to_string()));
                }
            } else if used.contains(&np) && !held_by_old {
                errs.push(FieldError::invalid(
                    field,
                    np.to_string(),
                    "provided port is already allocated",
                ));
            } else {
                used.insert(np);
            }
        }
        if errs.is_empty() {
            for (p, w) in ports.iter_mut().zip(wanted) {
                let np = match w {
                    Some(np) => np,
                    None => {
                        let np = allocate_next_port(&used, rng).ok_or_else(|| {
                            ApiError::new(
                                Reason::InternalError,
                                "Internal error occurred: failed to allocate a nodePort: range is full",
                            )
                        })?;
                        used.insert(np);
                        np
                    }
                };
                p.node_port = Some(np);
            }
            // externalTrafficPolicy: Local on a LoadBalancer gets a health
            // check port from the same range (alloc.go allocHealthCheckNodePort).
            let needs_hc =
                type_ == "LoadBalancer" && spec.external_traffic_policy.as_deref() == Some("Local");
            if needs_hc {
                let hc = spec
                    .health_check_node_port
                    .filter(|n| *n != 0)
                    .or_else(|| old_spec.and_then(|o| o.health_check_node_port));
                let hc = match hc {
                    Some(h) => h,
                    None => allocate_next_port(&used, rng).unwrap_or(NODE_PORT_MIN),
                };
                spec.health_check_node_port = Some(hc);
            } else {
                spec.health_check_node_port = None;
            }
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(Kind::Service, &name, errs))
    }
}

/// Go's `%#v` of a string slice, as field errors print ClusterIPs.
fn go_slice(items: &[&str]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("[]string{{{}}}", inner.join(", "))
}

/// Why an explicitly requested ClusterIP cannot be had.
fn ip_problem(ip: Ip, used: &BTreeSet<Ip>) -> Option<String> {
    let r = SERVICE_CIDR;
    // The network and broadcast addresses are not part of the range.
    if !r.contains(ip) || ip == r.base || ip == r.last() {
        return Some(format!(
            "the provided IP ({}) is not in the valid range. The range of valid IPs is {r}",
            fmt_ip(ip)
        ));
    }
    if used.contains(&ip) {
        return Some("provided IP is already allocated".into());
    }
    None
}

/// The ClusterIPs a Service holds.
fn service_ips(s: &Service) -> Vec<Ip> {
    let spec = match &s.spec {
        Some(sp) => sp,
        None => return Vec::new(),
    };
    let mut v: Vec<Ip> = spec
        .cluster_ips
        .iter()
        .flatten()
        .filter_map(|s| parse_ip(s))
        .collect();
    if let Some(ip) = spec.cluster_ip.as_deref().and_then(parse_ip) {
        v.push(ip);
    }
    v
}

/// The node ports (and health-check node port) a Service holds.
fn service_node_ports(s: &Service) -> Vec<i32> {
    let spec = match &s.spec {
        Some(sp) => sp,
        None => return Vec::new(),
    };
    spec.ports
        .iter()
        .flatten()
        .filter_map(|p| p.node_port)
        .chain(spec.health_check_node_port)
        .filter(|n| *n != 0)
        .collect()
}

/// A random free address: a random start in the upper (dynamic) part of
/// the range, then the next free one after it; the lower band last.
pub(crate) fn allocate_next_ip(used: &BTreeSet<Ip>, rng: &mut SimRng) -> Option<Ip> {
    let r = SERVICE_CIDR;
    let first = r.base + 1;
    let count = r.size() - 2; // without network and broadcast
    let band = ip_static_band(count);
    let pick = |lo: u64, n: u64, rng: &mut SimRng| -> Option<Ip> {
        if n == 0 {
            return None;
        }
        let start = rng.below(n);
        (0..n)
            .map(|i| first + (lo + (start + i) % n) as u32)
            .find(|ip| !used.contains(ip))
    };
    pick(band, count - band, rng).or_else(|| pick(0, band, rng))
}

/// A random free NodePort, preferring the upper part of the range.
pub(crate) fn allocate_next_port(used: &BTreeSet<i32>, rng: &mut SimRng) -> Option<i32> {
    let size = (NODE_PORT_MAX - NODE_PORT_MIN + 1) as u64;
    let band = port_static_band(size);
    let pick = |lo: u64, n: u64, rng: &mut SimRng| -> Option<i32> {
        if n == 0 {
            return None;
        }
        let start = rng.below(n);
        (0..n)
            .map(|i| NODE_PORT_MIN + (lo + (start + i) % n) as i32)
            .find(|p| !used.contains(p))
    };
    pick(band, size - band, rng).or_else(|| pick(0, band, rng))
}

#[cfg(test)]
mod tests;
