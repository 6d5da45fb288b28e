//! The Endpoints controller: keeps one `Endpoints` object per Service with
//! a selector, listing the ready pods as `addresses` and the others as
//! `notReadyAddresses`, grouped by the ports they serve.
//!
//! Follows `pkg/controller/endpoint/endpoints_controller.go` (`syncService`,
//! `podToEndpointAddressForService`, `addEndpointSubset`), the pod filter of
//! `pkg/controller/util/endpoint/controller_utils.go`
//! (`ShouldPodBeInEndpoints`), `podutil.FindPort` for target ports, and
//! `pkg/api/v1/endpoints/util.go` `RepackSubsets` for the grouping. In v1.33
//! the Endpoints API is deprecated but this controller still runs.

use crate::controllers::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::objects::selectors::Selector;
use crate::sim::store::{Store, WatchEvent, WriteOptions};
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
    ServicePort,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::any::Any;
use std::collections::BTreeMap;

/// Label marking the Endpoints/EndpointSlices of a headless Service.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
/// Annotation the controller stamps with the time of the change it saw.
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// At most this many addresses per Endpoints object (v1.22+).
pub const MAX_ENDPOINTS: usize = 1000;
pub const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

/// The Endpoints controller (kube-controller-manager `endpoint`).
#[derive(Default)]
pub struct EndpointsController;

impl EndpointsController {
    pub fn new() -> EndpointsController {
        EndpointsController
    }
}

impl Controller for EndpointsController {
    fn name(&self) -> &'static str {
        "endpoints-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Service(s) => q.add(object_key(
                s.metadata.namespace.as_deref(),
                s.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Endpoints(e) => q.add(object_key(
                e.metadata.namespace.as_deref(),
                e.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(_) => {
                for key in services_for_pod_event(ev, store) {
                    q.add(key);
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(svc) = ctx.store.get_as::<Service>(ns, name).cloned() else {
            // The Service is gone: so are its Endpoints.
            if ctx.store.try_get(Kind::Endpoints, ns, name).is_some() {
                let _ = ctx
                    .store
                    .delete(Kind::Endpoints, ns, name, &Default::default());
            }
            return Action::AwaitChange;
        };
        let Some(selector) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            return Action::AwaitChange; // selectorless: the user owns the Endpoints
        };
        let selector = Selector::from_map(selector);
        let pods: Vec<Pod> = ctx
            .store
            .list_as::<Pod>(Some(ns))
            .filter(|p| selector.matches_opt(p.metadata.labels.as_ref()))
            .cloned()
            .collect();
        let (subsets, truncated) = desired_subsets(&svc, &pods);
        let mut labels = svc.metadata.labels.clone().unwrap_or_default();
        if is_headless(&svc) {
            labels.insert(HEADLESS_LABEL.into(), String::new());
        } else {
            labels.remove(HEADLESS_LABEL);
        }
        let current = ctx.store.get_as::<Endpoints>(ns, name).cloned();
        let subsets_opt = if subsets.is_empty() {
            None
        } else {
            Some(subsets)
        };
        if let Some(cur) = &current {
            let cur_labels = cur.metadata.labels.clone().unwrap_or_default();
            let cur_truncated = cur
                .metadata
                .annotations
                .as_ref()
                .is_some_and(|a| a.contains_key(OVER_CAPACITY));
            if cur.subsets == subsets_opt && cur_labels == labels && cur_truncated == truncated {
                return Action::AwaitChange;
            }
        }
        let mut annotations = current
            .as_ref()
            .and_then(|c| c.metadata.annotations.clone())
            .unwrap_or_default();
        annotations.insert(
            TRIGGER_TIME.into(),
            ctx.store
                .timestamp_secs()
                .0
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        );
        if truncated {
            annotations.insert(OVER_CAPACITY.into(), "truncated".into());
        } else {
            annotations.remove(OVER_CAPACITY);
        }
        let ep = Endpoints {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(ns.to_string()),
                labels: Some(labels),
                annotations: Some(annotations),
                resource_version: current
                    .as_ref()
                    .and_then(|c| c.metadata.resource_version.clone()),
                ..current.map(|c| c.metadata).unwrap_or_default()
            },
            subsets: subsets_opt,
        };
        let exists = ctx.store.try_get(Kind::Endpoints, ns, name).is_some();
        let result = if exists {
            ctx.store
                .update(Object::Endpoints(ep), &WriteOptions::default())
        } else {
            ctx.store
                .create(Object::Endpoints(ep), &WriteOptions::default())
        };
        match result {
            Ok(_) => Action::AwaitChange,
            // A conflict means someone wrote in between: look again.
            Err(_) => Action::RequeueAfter(std::time::Duration::from_millis(100)),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Keys of the Services in the pod's namespace whose selector matches the
/// pod before or after the change.
pub(crate) fn services_for_pod_event(ev: &WatchEvent, store: &Store) -> Vec<String> {
    let Object::Pod(p) = &*ev.object else {
        return Vec::new();
    };
    let ns = p.metadata.namespace.clone().unwrap_or_default();
    let old_labels = ev.old.as_ref().and_then(|o| o.meta().labels.clone());
    let mut keys = Vec::new();
    for s in store.list_as::<Service>(Some(&ns)) {
        let Some(sel) = s.spec.as_ref().and_then(|sp| sp.selector.as_ref()) else {
            continue;
        };
        let sel = Selector::from_map(sel);
        if sel.matches_opt(p.metadata.labels.as_ref()) || sel.matches_opt(old_labels.as_ref()) {
            keys.push(object_key(
                Some(&ns),
                s.metadata.name.as_deref().unwrap_or(""),
            ));
        }
    }
    keys
}

pub(crate) fn is_headless(svc: &Service) -> bool {
    svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) == Some("None")
}

/// `podutil.IsPodReady`: the Ready condition is True.
pub fn is_pod_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

pub(crate) fn is_terminating(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_some()
}

/// `ShouldPodBeInEndpoints`: has an IP, is not terminal, and (unless
/// terminating pods are wanted) is not being deleted.
pub fn should_pod_be_in_endpoints(pod: &Pod, include_terminating: bool) -> bool {
    let status = pod.status.as_ref();
    if status
        .and_then(|s| s.pod_ip.as_deref())
        .is_none_or(str::is_empty)
    {
        return false;
    }
    if !include_terminating && is_terminating(pod) {
        return false;
    }
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or("");
    match pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        .unwrap_or("Always")
    {
        "Never" => phase != "Failed" && phase != "Succeeded",
        "OnFailure" => phase != "Succeeded",
        _ => true,
    }
}

/// `podutil.FindPort`: a numeric targetPort is used as is; a named one is
/// looked up among the pod's container ports with the same protocol.
pub fn find_port(pod: &Pod, sp: &ServicePort) -> Option<i32> {
    let proto = sp.protocol.as_deref().unwrap_or("TCP");
    match sp.target_port.as_ref() {
        None => Some(sp.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(s)) => {
            if let Ok(n) = s.parse::<i32>() {
                return Some(n);
            }
            pod.spec.as_ref()?.containers.iter().find_map(|c| {
                c.ports.iter().flatten().find_map(|p| {
                    (p.name.as_deref() == Some(s.as_str())
                        && p.protocol.as_deref().unwrap_or("TCP") == proto)
                        .then_some(p.container_port)
                })
            })
        }
    }
}

/// The hostname a pod gets in the Service's records: its `spec.hostname`
/// when its `spec.subdomain` names this Service (StatefulSet pods).
pub fn endpoint_hostname(svc: &Service, pod: &Pod) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let hostname = spec.hostname.as_deref().filter(|h| !h.is_empty())?;
    (spec.subdomain.as_deref() == svc.metadata.name.as_deref()
        && pod.metadata.namespace == svc.metadata.namespace)
        .then(|| hostname.to_string())
}

pub(crate) fn pod_ref(pod: &Pod) -> ObjectReference {
    ObjectReference {
        kind: Some("Pod".into()),
        name: pod.metadata.name.clone(),
        namespace: pod.metadata.namespace.clone(),
        uid: pod.metadata.uid.clone(),
        ..Default::default()
    }
}

/// The subsets the controller wants, and whether addresses were dropped
/// to stay within [`MAX_ENDPOINTS`].
pub fn desired_subsets(svc: &Service, pods: &[Pod]) -> (Vec<EndpointSubset>, bool) {
    let spec = svc.spec.clone().unwrap_or_default();
    let tolerate_unready = spec.publish_not_ready_addresses == Some(true);
    // (address, ready) -> the ports it serves
    let mut entries: Vec<(EndpointAddress, bool, Vec<EndpointPort>)> = Vec::new();
    for pod in pods {
        if !should_pod_be_in_endpoints(pod, tolerate_unready) {
            continue;
        }
        let addr = EndpointAddress {
            ip: pod
                .status
                .as_ref()
                .and_then(|s| s.pod_ip.clone())
                .unwrap_or_default(),
            hostname: endpoint_hostname(svc, pod),
            node_name: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
            target_ref: Some(pod_ref(pod)),
        };
        let ready = tolerate_unready || is_pod_ready(pod);
        let ports = spec.ports.clone().unwrap_or_default();
        if ports.is_empty() {
            if is_headless(svc) {
                entries.push((addr, ready, Vec::new()));
            }
            continue;
        }
        let mut eps = Vec::new();
        for sp in &ports {
            if let Some(port) = find_port(pod, sp) {
                eps.push(EndpointPort {
                    name: sp.name.clone(),
                    port,
                    protocol: sp.protocol.clone(),
                    app_protocol: sp.app_protocol.clone(),
                });
            }
        }
        if !eps.is_empty() {
            entries.push((addr, ready, eps));
        }
    }
    repack(entries)
}

/// Groups addresses by the exact set of ports they serve, sorted as
/// `endpoints.RepackSubsets`/`SortSubsets` sort them (addresses by IP).
fn repack(entries: Vec<(EndpointAddress, bool, Vec<EndpointPort>)>) -> (Vec<EndpointSubset>, bool) {
    let mut total = 0usize;
    let mut truncated = false;
    // port-set key -> (ports, ready, not ready)
    type Group = (
        Vec<EndpointPort>,
        Vec<EndpointAddress>,
        Vec<EndpointAddress>,
    );
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    for (addr, ready, mut ports) in entries {
        if total >= MAX_ENDPOINTS {
            truncated = true;
            continue;
        }
        total += 1;
        ports.sort_by(|a, b| (&a.name, a.port).cmp(&(&b.name, b.port)));
        let key = ports
            .iter()
            .map(|p| {
                format!(
                    "{}/{}/{}",
                    p.name.as_deref().unwrap_or(""),
                    p.port,
                    p.protocol.as_deref().unwrap_or("")
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let g = groups
            .entry(key)
            .or_insert_with(|| (ports, Vec::new(), Vec::new()));
        if ready {
            g.1.push(addr);
        } else {
            g.2.push(addr);
        }
    }
    let by_ip = |a: &EndpointAddress, b: &EndpointAddress| {
        a.ip.as_bytes().cmp(b.ip.as_bytes()).then_with(|| {
            let ua = a.target_ref.as_ref().and_then(|r| r.uid.clone());
            let ub = b.target_ref.as_ref().and_then(|r| r.uid.clone());
            ua.cmp(&ub)
        })
    };
    let subsets = groups
        .into_values()
        .map(|(ports, mut ready, mut not_ready)| {
            ready.sort_by(by_ip);
            not_ready.sort_by(by_ip);
            EndpointSubset {
                addresses: (!ready.is_empty()).then_some(ready),
                not_ready_addresses: (!not_ready.is_empty()).then_some(not_ready),
                ports: (!ports.is_empty()).then_some(ports),
            }
        })
        .collect();
    (subsets, truncated)
}

#[cfg(test)]
mod tests;
