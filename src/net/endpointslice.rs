//! The EndpointSlice controller: the endpoints of each Service with a
//! selector as `discovery.k8s.io/v1` EndpointSlices (at most 100 endpoints
//! each), with ready/serving/terminating conditions. kube-proxy and CoreDNS
//! read these, not Endpoints.
//!
//! Follows `pkg/controller/endpointslice/endpointslice_controller.go` and the
//! reconciler in `staging/src/k8s.io/endpointslice/reconciler.go`
//! (`podToEndpoint`, placeholder slice, one slice set per port mapping,
//! labels `kubernetes.io/service-name` and `endpointslice.kubernetes.io/
//! managed-by`). Two more writers of slices live here because nothing else
//! in the simulation plays their part:
//! * the EndpointSliceMirroring controller (`pkg/controller/
//!   endpointslicemirroring`): selectorless Services with user-written
//!   Endpoints get mirrored slices, unless labelled `skip-mirror`;
//! * the apiserver's endpoint reconciler (`pkg/controlplane/reconcilers`),
//!   which keeps the `kubernetes` slice next to the `kubernetes` Endpoints.
//!
//! Slices of a deleted Service are deleted here (upstream: the garbage
//! collector, through the slices' ownerReference).

use super::endpoints::{
    endpoint_hostname, find_port, is_headless, is_pod_ready, is_terminating, pod_ref,
    should_pod_be_in_endpoints, HEADLESS_LABEL,
};
use crate::controllers::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::objects::selectors::Selector;
use crate::sim::store::{Store, WatchEvent, WriteOptions};
use k8s_openapi::api::core::v1::{Endpoints, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";
pub const MANAGED_BY_LABEL: &str = "endpointslice.kubernetes.io/managed-by";
pub const MANAGED_BY: &str = "endpointslice-controller.k8s.io";
pub const MIRROR_MANAGED_BY: &str = "endpointslicemirroring-controller.k8s.io";
pub const SKIP_MIRROR_LABEL: &str = "endpointslice.kubernetes.io/skip-mirror";
/// `--max-endpoints-per-slice` default.
pub const MAX_ENDPOINTS_PER_SLICE: usize = 100;

#[derive(Default)]
pub struct EndpointSliceController;

impl EndpointSliceController {
    pub fn new() -> EndpointSliceController {
        EndpointSliceController
    }
}

impl Controller for EndpointSliceController {
    fn name(&self) -> &'static str {
        "endpointslice-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Service(s) => q.add(object_key(
                s.metadata.namespace.as_deref(),
                s.metadata.name.as_deref().unwrap_or(""),
            )),
            // Mirroring and the `kubernetes` slice follow Endpoints.
            Object::Endpoints(e) => q.add(object_key(
                e.metadata.namespace.as_deref(),
                e.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::EndpointSlice(s) => {
                if let Some(svc) = s
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(SERVICE_NAME_LABEL))
                {
                    q.add(object_key(s.metadata.namespace.as_deref(), svc));
                }
            }
            Object::Pod(_) => {
                for key in super::endpoints::services_for_pod_event(ev, store) {
                    q.add(key);
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let svc = ctx.store.get_as::<Service>(ns, name).cloned();
        let result = match svc {
            None => {
                delete_slices(ctx.store, ns, name, None);
                Ok(())
            }
            Some(svc) => {
                let has_selector = svc
                    .spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .is_some();
                if has_selector {
                    sync_from_pods(ctx.store, &svc)
                } else {
                    mirror_endpoints(ctx.store, &svc)
                }
            }
        };
        match result {
            Ok(()) => Action::AwaitChange,
            Err(_) => Action::RequeueAfter(Duration::from_millis(100)),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The slices of a Service written by `managed_by` (all of them if None).
fn slices_of<'a>(
    store: &'a Store,
    ns: &str,
    svc: &'a str,
    managed_by: Option<&'a str>,
) -> impl Iterator<Item = &'a EndpointSlice> + 'a {
    store.list_as::<EndpointSlice>(Some(ns)).filter(move |s| {
        let l = s.metadata.labels.as_ref();
        l.and_then(|l| l.get(SERVICE_NAME_LABEL))
            .map(String::as_str)
            == Some(svc)
            && managed_by.is_none_or(|m| {
                l.and_then(|l| l.get(MANAGED_BY_LABEL)).map(String::as_str) == Some(m)
            })
    })
}

fn delete_slices(store: &mut Store, ns: &str, svc: &str, managed_by: Option<&str>) {
    let names: Vec<String> = slices_of(store, ns, svc, managed_by)
        .filter_map(|s| s.metadata.name.clone())
        .collect();
    for n in names {
        let _ = store.delete(Kind::EndpointSlice, ns, &n, &Default::default());
    }
}

/// `podToEndpoint`: one endpoint per pod with its conditions.
fn pod_to_endpoint(store: &Store, svc: &Service, pod: &Pod) -> Endpoint {
    let publish = svc
        .spec
        .as_ref()
        .and_then(|s| s.publish_not_ready_addresses)
        == Some(true);
    let serving = is_pod_ready(pod);
    let terminating = is_terminating(pod);
    let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let zone = node_name
        .as_deref()
        .and_then(|n| store.get_as::<Node>("", n))
        .and_then(|n| n.metadata.labels.as_ref())
        .and_then(|l| l.get("topology.kubernetes.io/zone").cloned());
    Endpoint {
        addresses: vec![pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ip.clone())
            .unwrap_or_default()],
        conditions: Some(EndpointConditions {
            // Ready = serving and not terminating, unless the Service
            // publishes not-ready addresses.
            ready: Some(publish || (serving && !terminating)),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname: endpoint_hostname(svc, pod),
        node_name,
        target_ref: Some(pod_ref(pod)),
        zone,
        ..Default::default()
    }
}

fn slice_labels(svc: &Service, managed_by: &str) -> BTreeMap<String, String> {
    let mut labels = svc.metadata.labels.clone().unwrap_or_default();
    labels.insert(
        SERVICE_NAME_LABEL.into(),
        svc.metadata.name.clone().unwrap_or_default(),
    );
    labels.insert(MANAGED_BY_LABEL.into(), managed_by.into());
    if is_headless(svc) {
        labels.insert(HEADLESS_LABEL.into(), String::new());
    } else {
        labels.remove(HEADLESS_LABEL);
    }
    labels
}

fn owner(svc: &Service) -> OwnerReference {
    OwnerReference {
        api_version: "v1".into(),
        kind: "Service".into(),
        name: svc.metadata.name.clone().unwrap_or_default(),
        uid: svc.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// The desired slices' content: (ports, endpoints) groups, each cut into
/// slices of at most [`MAX_ENDPOINTS_PER_SLICE`].
fn desired_groups(store: &Store, svc: &Service) -> Vec<(Vec<EndpointPort>, Vec<Endpoint>)> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let spec = svc.spec.clone().unwrap_or_default();
    let sel = Selector::from_map(&spec.selector.clone().unwrap_or_default());
    let mut groups: BTreeMap<String, (Vec<EndpointPort>, Vec<Endpoint>)> = BTreeMap::new();
    for pod in store
        .list_as::<Pod>(Some(&ns))
        .filter(|p| sel.matches_opt(p.metadata.labels.as_ref()))
    {
        // Slices carry terminating pods too (their conditions say so).
        if !should_pod_be_in_endpoints(pod, true) {
            continue;
        }
        let ports: Vec<EndpointPort> = spec
            .ports
            .iter()
            .flatten()
            .filter_map(|sp| {
                find_port(pod, sp).map(|port| EndpointPort {
                    name: Some(sp.name.clone().unwrap_or_default()),
                    port: Some(port),
                    protocol: sp.protocol.clone(),
                    app_protocol: sp.app_protocol.clone(),
                })
            })
            .collect();
        if ports.is_empty() && !spec.ports.as_ref().is_none_or(|p| p.is_empty()) {
            continue; // none of the Service's ports resolve on this pod
        }
        let key = format!("{ports:?}");
        groups
            .entry(key)
            .or_insert_with(|| (ports, Vec::new()))
            .1
            .push(pod_to_endpoint(store, svc, pod));
    }
    let mut out = Vec::new();
    for (_, (ports, eps)) in groups {
        for chunk in eps.chunks(MAX_ENDPOINTS_PER_SLICE) {
            out.push((ports.clone(), chunk.to_vec()));
        }
    }
    out
}

fn sync_from_pods(store: &mut Store, svc: &Service) -> Result<(), crate::sim::store::ApiError> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let mut desired = desired_groups(store, svc);
    if desired.is_empty() {
        // The placeholder: one empty slice, so the Service always has one.
        desired.push((Vec::new(), Vec::new()));
    }
    let labels = slice_labels(svc, MANAGED_BY);
    write_slices(store, svc, &ns, &name, MANAGED_BY, labels, desired)
}

/// Fits `desired` into the existing slices (same ports first, by name),
/// creating and deleting as needed; unchanged slices are not written.
fn write_slices(
    store: &mut Store,
    svc: &Service,
    ns: &str,
    name: &str,
    managed_by: &str,
    labels: BTreeMap<String, String>,
    desired: Vec<(Vec<EndpointPort>, Vec<Endpoint>)>,
) -> Result<(), crate::sim::store::ApiError> {
    let mut existing: Vec<EndpointSlice> = slices_of(store, ns, name, Some(managed_by))
        .cloned()
        .collect();
    let mut writes: Vec<(Option<EndpointSlice>, EndpointSlice)> = Vec::new();
    for (ports, eps) in desired {
        let ports_opt = (!ports.is_empty()).then_some(ports);
        let reuse = existing
            .iter()
            .position(|s| s.ports == ports_opt)
            .or_else(|| (!existing.is_empty()).then_some(0));
        let base = reuse.map(|i| existing.remove(i));
        let mut s = base.clone().unwrap_or_else(|| EndpointSlice {
            metadata: ObjectMeta {
                generate_name: Some(format!("{name}-")),
                namespace: Some(ns.to_string()),
                owner_references: Some(vec![owner(svc)]),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: Vec::new(),
            ports: None,
        });
        s.metadata.labels = Some(labels.clone());
        s.ports = ports_opt;
        s.endpoints = eps;
        writes.push((base, s));
    }
    for (old, new) in writes {
        match old {
            Some(o) if o == new => {}
            Some(_) => {
                store.update(Object::EndpointSlice(new), &WriteOptions::default())?;
            }
            None => {
                store.create(Object::EndpointSlice(new), &WriteOptions::default())?;
            }
        }
    }
    for s in existing {
        if let Some(n) = s.metadata.name {
            store.delete(Kind::EndpointSlice, ns, &n, &Default::default())?;
        }
    }
    Ok(())
}

/// Selectorless Services: mirror user Endpoints into slices, and keep the
/// apiserver's own `kubernetes` slice.
fn mirror_endpoints(store: &mut Store, svc: &Service) -> Result<(), crate::sim::store::ApiError> {
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let name = svc.metadata.name.clone().unwrap_or_default();
    let ep = store.get_as::<Endpoints>(&ns, &name).cloned();
    let apiserver = ns == "default" && name == "kubernetes";
    let skip = ep
        .as_ref()
        .and_then(|e| e.metadata.labels.as_ref())
        .is_some_and(|l| l.get(SKIP_MIRROR_LABEL).map(String::as_str) == Some("true"));
    if ep.is_none() || (skip && !apiserver) {
        delete_slices(store, &ns, &name, Some(MIRROR_MANAGED_BY));
        return Ok(());
    }
    let ep = ep.unwrap_or_default();
    let mut desired = Vec::new();
    for ss in ep.subsets.iter().flatten() {
        let ports: Vec<EndpointPort> = ss
            .ports
            .iter()
            .flatten()
            .map(|p| EndpointPort {
                name: p.name.clone(),
                port: Some(p.port),
                protocol: p.protocol.clone(),
                app_protocol: p.app_protocol.clone(),
            })
            .collect();
        let mk = |a: &k8s_openapi::api::core::v1::EndpointAddress, ready: bool| Endpoint {
            addresses: vec![a.ip.clone()],
            conditions: Some(EndpointConditions {
                ready: Some(ready),
                serving: if apiserver { None } else { Some(ready) },
                terminating: if apiserver { None } else { Some(false) },
            }),
            hostname: a.hostname.clone(),
            node_name: a.node_name.clone(),
            target_ref: a.target_ref.clone(),
            ..Default::default()
        };
        let eps: Vec<Endpoint> = ss
            .addresses
            .iter()
            .flatten()
            .map(|a| mk(a, true))
            .chain(
                ss.not_ready_addresses
                    .iter()
                    .flatten()
                    .map(|a| mk(a, false)),
            )
            .collect();
        desired.push((ports, eps));
    }
    if apiserver {
        // pkg/controlplane/reconcilers: a slice named like the Service,
        // labelled only with the service name.
        let (ports, eps) = desired.into_iter().next().unwrap_or_default();
        let slice = EndpointSlice {
            metadata: ObjectMeta {
                name: Some("kubernetes".into()),
                namespace: Some("default".into()),
                labels: Some(BTreeMap::from([(
                    SERVICE_NAME_LABEL.to_string(),
                    "kubernetes".to_string(),
                )])),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: eps,
            ports: (!ports.is_empty()).then_some(ports),
        };
        match store
            .get_as::<EndpointSlice>("default", "kubernetes")
            .cloned()
        {
            None => {
                store.create(Object::EndpointSlice(slice), &WriteOptions::default())?;
            }
            Some(cur) if cur.endpoints != slice.endpoints || cur.ports != slice.ports => {
                let mut s = slice;
                s.metadata = cur.metadata;
                store.update(Object::EndpointSlice(s), &WriteOptions::default())?;
            }
            Some(_) => {}
        }
        return Ok(());
    }
    let labels = slice_labels(svc, MIRROR_MANAGED_BY);
    write_slices(store, svc, &ns, &name, MIRROR_MANAGED_BY, labels, desired)
}

#[cfg(test)]
mod tests;
