//! `kubectl describe`, as pure functions of an object, the related objects
//! the describer would fetch with extra list calls (a [`DescribeContext`]),
//! and the current time. Follows `kubectl/pkg/describe/describe.go`; the
//! layout engine is a port of Go's `text/tabwriter` (printers.md §4).

pub mod events;
pub mod node;
pub mod others;
pub mod pod;
pub mod service;
pub mod tabwriter;
pub mod workloads;
pub mod writer;

use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::Store;
use std::sync::Arc;

/// What a describer reads besides the object: the caller fills it (see
/// [`DescribeContext::gather`] for the lookups kubectl makes).
#[derive(Clone, Debug)]
pub struct DescribeContext {
    /// Events about the object (`involvedObject` name, namespace, uid and,
    /// except for pods, kind). For nodes: uid = node UID or node name.
    pub events: Vec<Arc<Object>>,
    /// Pods: for a node its non-terminated pods; for a ReplicaSet,
    /// ReplicationController, DaemonSet or StatefulSet the pods matching its
    /// selector; for a PersistentVolumeClaim the pods of its namespace.
    pub pods: Vec<Arc<Object>>,
    /// For a Deployment: the ReplicaSets matching its selector.
    pub replica_sets: Vec<Arc<Object>>,
    /// For a Service: its EndpointSlices (`kubernetes.io/service-name`);
    /// for an Ingress: the EndpointSlices of its namespace.
    pub endpoint_slices: Vec<Arc<Object>>,
    /// For an Ingress: the Services of its namespace.
    pub services: Vec<Arc<Object>>,
    /// For a Node: its Lease in `kube-node-lease`.
    pub lease: Option<Arc<Object>>,
    /// For a Namespace: its ResourceQuotas and LimitRanges.
    pub resource_quotas: Vec<Arc<Object>>,
    pub limit_ranges: Vec<Arc<Object>>,
    /// `--show-events` (default true).
    pub show_events: bool,
}

impl Default for DescribeContext {
    fn default() -> Self {
        DescribeContext {
            events: Vec::new(),
            pods: Vec::new(),
            replica_sets: Vec::new(),
            endpoint_slices: Vec::new(),
            services: Vec::new(),
            lease: None,
            resource_quotas: Vec::new(),
            limit_ranges: Vec::new(),
            show_events: true,
        }
    }
}

/// Does `ev` (an Event) concern `obj`, as kubectl's events field selector
/// decides (`searchEvents`)?
pub fn event_is_about(ev: &Object, obj: &Object) -> bool {
    let Object::Event(e) = ev else { return false };
    let m = obj.meta();
    let r = &e.involved_object;
    let name = m.name.clone().unwrap_or_default();
    let ns = m.namespace.clone().unwrap_or_default();
    if r.name.as_deref().unwrap_or("") != name || r.namespace.as_deref().unwrap_or("") != ns {
        return false;
    }
    let uid = r.uid.clone().unwrap_or_default();
    let uid_ok = match obj {
        // The node controller uses the node UID, the kubelet the node name.
        Object::Node(_) => Some(&uid) == m.uid.as_ref() || uid == name,
        _ => m.uid.as_ref().is_none_or(|u| *u == uid),
    };
    let kind_ok =
        matches!(obj, Object::Pod(_)) || r.kind.as_deref() == Some(obj.kind().info().kind);
    uid_ok && kind_ok
}

impl DescribeContext {
    /// Does the lookups `kubectl describe` does for `obj` against the store.
    pub fn gather(store: &Store, obj: &Object) -> DescribeContext {
        let m = obj.meta();
        let ns = m.namespace.clone().unwrap_or_default();
        let name = m.name.clone().unwrap_or_default();
        let events: Vec<Arc<Object>> = store
            .iter(Kind::Event, None)
            .filter(|e| event_is_about(e, obj))
            .cloned()
            .collect();
        let mut ctx = DescribeContext {
            events,
            ..Default::default()
        };
        let in_ns =
            |kind: Kind| -> Vec<Arc<Object>> { store.iter(kind, Some(&ns)).cloned().collect() };
        let matching_pods = |sel: &Selector| -> Vec<Arc<Object>> {
            store
                .iter(Kind::Pod, Some(&ns))
                .filter(|p| sel.matches_opt(p.meta().labels.as_ref()))
                .cloned()
                .collect()
        };
        match obj {
            Object::Node(_) => {
                ctx.pods = store
                    .iter(Kind::Pod, None)
                    .filter(|p| match p.as_ref() {
                        Object::Pod(p) => {
                            let on_node = p.spec.as_ref().and_then(|s| s.node_name.as_deref())
                                == Some(name.as_str());
                            let phase = p.status.as_ref().and_then(|s| s.phase.as_deref());
                            on_node && phase != Some("Succeeded") && phase != Some("Failed")
                        }
                        _ => false,
                    })
                    .cloned()
                    .collect();
                ctx.lease = store
                    .try_get(Kind::Lease, "kube-node-lease", &name)
                    .cloned();
            }
            Object::Deployment(d) => {
                let sel = d
                    .spec
                    .as_ref()
                    .map(|s| Selector::from_label_selector(&s.selector))
                    .unwrap_or_default();
                ctx.replica_sets = store
                    .iter(Kind::ReplicaSet, Some(&ns))
                    .filter(|r| sel.matches_opt(r.meta().labels.as_ref()))
                    .cloned()
                    .collect();
            }
            Object::ReplicaSet(r) => {
                let sel = r
                    .spec
                    .as_ref()
                    .map(|s| Selector::from_label_selector(&s.selector))
                    .unwrap_or_default();
                ctx.pods = matching_pods(&sel);
            }
            Object::DaemonSet(d) => {
                let sel = d
                    .spec
                    .as_ref()
                    .map(|s| Selector::from_label_selector(&s.selector))
                    .unwrap_or_default();
                ctx.pods = matching_pods(&sel);
            }
            Object::StatefulSet(s) => {
                let sel = s
                    .spec
                    .as_ref()
                    .map(|s| Selector::from_label_selector(&s.selector))
                    .unwrap_or_default();
                ctx.pods = matching_pods(&sel);
            }
            Object::ReplicationController(r) => {
                let sel = Selector::from_map(
                    &r.spec
                        .as_ref()
                        .and_then(|s| s.selector.clone())
                        .unwrap_or_default(),
                );
                ctx.pods = matching_pods(&sel);
            }
            Object::Service(_) => {
                ctx.endpoint_slices = store
                    .iter(Kind::EndpointSlice, Some(&ns))
                    .filter(|s| {
                        s.meta()
                            .labels
                            .as_ref()
                            .and_then(|l| l.get("kubernetes.io/service-name"))
                            == Some(&name)
                    })
                    .cloned()
                    .collect();
            }
            Object::Ingress(_) => {
                ctx.endpoint_slices = in_ns(Kind::EndpointSlice);
                ctx.services = in_ns(Kind::Service);
            }
            Object::PersistentVolumeClaim(_) => ctx.pods = in_ns(Kind::Pod),
            Object::Namespace(_) => {
                ctx.resource_quotas = store
                    .iter(Kind::ResourceQuota, Some(&name))
                    .cloned()
                    .collect();
                ctx.limit_ranges = store.iter(Kind::LimitRange, Some(&name)).cloned().collect();
            }
            _ => {}
        }
        ctx
    }
}

/// `kubectl describe` of one object (see [`describe_all`] for several).
pub fn describe(obj: &Object, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    match obj {
        Object::Pod(p) => pod::describe_pod(p, ctx, now),
        Object::Node(n) => node::describe_node(n, ctx, now),
        Object::Deployment(d) => workloads::describe_deployment(d, ctx, now),
        Object::ReplicaSet(r) => workloads::describe_replica_set(r, ctx, now),
        Object::ReplicationController(r) => workloads::describe_replication_controller(r, ctx, now),
        Object::DaemonSet(d) => workloads::describe_daemon_set(d, ctx, now),
        Object::StatefulSet(s) => workloads::describe_stateful_set(s, ctx, now),
        Object::Job(j) => workloads::describe_job(j, ctx, now),
        Object::CronJob(c) => workloads::describe_cron_job(c, ctx, now),
        Object::Service(s) => service::describe_service(s, ctx, now),
        Object::Endpoints(e) => service::describe_endpoints(e, ctx, now),
        Object::EndpointSlice(e) => service::describe_endpoint_slice(e, ctx, now),
        Object::Ingress(i) => service::describe_ingress(i, ctx, now),
        Object::IngressClass(i) => service::describe_ingress_class(i, ctx, now),
        Object::NetworkPolicy(n) => service::describe_network_policy(n),
        Object::Namespace(n) => others::describe_namespace(n, ctx),
        Object::ConfigMap(c) => others::describe_config_map(c, ctx, now),
        Object::Secret(s) => others::describe_secret(s),
        Object::ServiceAccount(s) => others::describe_service_account(s, ctx, now),
        Object::PersistentVolume(p) => others::describe_pv(p, ctx, now),
        Object::PersistentVolumeClaim(p) => others::describe_pvc(p, ctx, now),
        Object::StorageClass(s) => others::describe_storage_class(s, ctx, now),
        Object::ResourceQuota(q) => others::describe_quota(q),
        Object::LimitRange(l) => others::describe_limit_range(l),
        Object::Role(r) => others::describe_role(&r.metadata, r.rules.as_deref().unwrap_or(&[])),
        Object::ClusterRole(r) => {
            others::describe_role(&r.metadata, r.rules.as_deref().unwrap_or(&[]))
        }
        Object::RoleBinding(b) => {
            others::describe_binding(&b.metadata, &b.role_ref, b.subjects.as_ref())
        }
        Object::ClusterRoleBinding(b) => {
            others::describe_binding(&b.metadata, &b.role_ref, b.subjects.as_ref())
        }
        Object::PodDisruptionBudget(p) => others::describe_pdb(p, ctx, now),
        Object::PriorityClass(p) => others::describe_priority_class(p, ctx, now),
        Object::HorizontalPodAutoscaler(h) => others::describe_hpa(h, ctx, now),
        // No describer upstream: the generic one.
        Object::Event(_) | Object::Lease(_) | Object::ControllerRevision(_) => {
            others::describe_generic(obj, ctx, now)
        }
    }
}

/// Several descriptions as `kubectl describe` prints them: `"\n\n"` before
/// each but the first, so two empty lines separate them.
pub fn describe_all(descriptions: &[String]) -> String {
    descriptions.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::workshop_world;

    /// `gather` makes the lookups kubectl's describers make (describe.go:
    /// `searchEvents`, `GetAllReplicaSets`, the node's pod field selector).
    #[test]
    fn gather_finds_related_objects_in_the_store() {
        let world = workshop_world(7);
        let store = &world.store;
        let node = store.iter(Kind::Node, None).next().expect("a node").clone();
        let ctx = DescribeContext::gather(store, &node);
        let node_name = node.meta().name.clone().unwrap();
        assert!(!ctx.pods.is_empty(), "system pods run on {node_name}");
        for p in &ctx.pods {
            let Object::Pod(p) = p.as_ref() else {
                panic!("not a pod")
            };
            assert_eq!(
                p.spec.as_ref().unwrap().node_name.as_deref(),
                Some(node_name.as_str())
            );
        }
        let text = describe(&node, &ctx, store.timestamp().0);
        assert!(
            text.contains(&format!("({} in total)", ctx.pods.len())),
            "{text}"
        );

        if let Some(d) = store.iter(Kind::Deployment, None).next().cloned() {
            let ctx = DescribeContext::gather(store, &d);
            assert!(
                !ctx.replica_sets.is_empty(),
                "a deployment's replica sets are found"
            );
            let text = describe(&d, &ctx, store.timestamp().0);
            assert!(text.contains("NewReplicaSet:"), "{text}");
        }
        // Events are only those about the object.
        for e in &ctx.events {
            assert!(event_is_about(e, &node));
        }
    }
}
