//! The node side of the kubelet: Lease heartbeats and Ready status
//! (`pkg/kubelet/kubelet_node_status.go`, `component-helpers/.../lease`),
//! and the simulation commands `sim node fail|recover|add|remove`.

use super::{timings as t, CState, Kubelet, Term};
use crate::cluster::NodeSpec;
use crate::controllers::object_key;
use crate::objects::{Kind, Object};
use crate::sim::store::{DeleteOptions, EventSource, Store, WriteOptions};
use crate::sim::World;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference};

/// Renews the node's Lease and, if the node is not Ready (it just came
/// back), posts Ready status.
pub(crate) fn heartbeat(store: &mut Store, node: &str) {
    let now = MicroTime(store.timestamp().0);
    if store.get_as::<Lease>("kube-node-lease", node).is_some() {
        let _ = store.modify::<Lease>("kube-node-lease", node, false, |l| {
            l.spec.get_or_insert_with(Default::default).renew_time = Some(now.clone());
        });
    } else {
        let uid = store
            .try_get(Kind::Node, "", node)
            .and_then(|n| n.meta().uid.clone())
            .unwrap_or_default();
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(node.into()),
                namespace: Some("kube-node-lease".into()),
                owner_references: Some(vec![OwnerReference {
                    api_version: "v1".into(),
                    kind: "Node".into(),
                    name: node.into(),
                    uid,
                    ..Default::default()
                }]),
                ..Default::default()
            },
            spec: Some(LeaseSpec {
                holder_identity: Some(node.into()),
                lease_duration_seconds: Some(t::NODE_LEASE_DURATION.as_secs() as i32),
                renew_time: Some(now.clone()),
                ..Default::default()
            }),
        };
        let _ = store.create(Object::Lease(lease), &WriteOptions::default());
    }
    let ready = store
        .get_as::<Node>("", node)
        .and_then(|n| n.status.as_ref())
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True");
    if !ready {
        let ts = store.timestamp_secs();
        let r = store.modify::<Node>("", node, true, |n| {
            let st = n.status.get_or_insert_with(Default::default);
            for c in st.conditions.iter_mut().flatten() {
                let (status, reason, message) = match c.type_.as_str() {
                    "Ready" => ("True", "KubeletReady", "kubelet is posting ready status"),
                    "MemoryPressure" => (
                        "False",
                        "KubeletHasSufficientMemory",
                        "kubelet has sufficient memory available",
                    ),
                    "DiskPressure" => (
                        "False",
                        "KubeletHasNoDiskPressure",
                        "kubelet has no disk pressure",
                    ),
                    "PIDPressure" => (
                        "False",
                        "KubeletHasSufficientPID",
                        "kubelet has sufficient PID available",
                    ),
                    _ => continue,
                };
                if c.status != status {
                    c.last_transition_time = Some(ts.clone());
                }
                c.status = status.into();
                c.reason = Some(reason.into());
                c.message = Some(message.into());
                c.last_heartbeat_time = Some(ts.clone());
            }
        });
        if let Ok(obj) = r {
            store.record_event(
                &obj,
                "Normal",
                "NodeReady",
                &format!("Node {node} status is now: NodeReady"),
                &EventSource::on_host("kubelet", node),
            );
        }
    }
}

fn not_found(name: &str) -> String {
    format!("Error from server (NotFound): nodes \"{name}\" not found")
}

fn pods_on(store: &Store, node: &str) -> Vec<String> {
    store
        .list_as::<Pod>(None)
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node))
        .map(|p| {
            object_key(
                p.metadata.namespace.as_deref(),
                p.metadata.name.as_deref().unwrap_or(""),
            )
        })
        .collect()
}

/// `sim node fail NAME`: the node stops (a crash or a cut cable). Its
/// kubelet no longer heartbeats, runs or reports anything.
pub fn fail_node(world: &mut World, name: &str) -> Result<(), String> {
    if world.store.get_as::<Node>("", name).is_none() {
        return Err(not_found(name));
    }
    let k = world
        .controller_mut::<Kubelet>()
        .ok_or("no kubelet installed")?;
    if !k.failed.insert(name.to_string()) {
        return Err(format!("node {name} is already failed"));
    }
    Ok(())
}

/// `sim node recover NAME`: the node boots again. Containers that were
/// running died with it (exit 255, reason Unknown) and restart per their
/// restart policy; pods deleted meanwhile are cleaned up.
pub fn recover_node(world: &mut World, name: &str) -> Result<(), String> {
    if world.store.get_as::<Node>("", name).is_none() {
        return Err(not_found(name));
    }
    let now = world.now();
    let keys = pods_on(&world.store, name);
    let k = world
        .controller_mut::<Kubelet>()
        .ok_or("no kubelet installed")?;
    if !k.failed.remove(name) {
        return Err(format!("node {name} is not failed"));
    }
    for rt in k.pods.values_mut().filter(|rt| rt.node == name) {
        rt.dirty = true;
        for c in rt.init.iter_mut().chain(rt.main.iter_mut()) {
            if let CState::Running { started, .. } = c.state {
                let Some(run) = c.runs.last_mut() else {
                    continue;
                };
                run.finished = Some(now);
                let term = Term {
                    exit_code: 255,
                    reason: "Unknown".into(),
                    started,
                    finished: now,
                    container_id: run.id.clone(),
                };
                c.ready = false;
                c.started = false;
                c.probes.clear();
                c.state = CState::Terminated {
                    term,
                    restart_at: rt.terminating.is_none().then_some(now + t::PLEG_RELIST),
                };
            }
        }
    }
    world.poke::<Kubelet>(&format!("{}{name}", super::NODE_PREFIX));
    for key in keys {
        world.poke::<Kubelet>(&key);
    }
    world.settle();
    Ok(())
}

/// `sim node add`: a new worker joins (its index picks its pod CIDR and
/// InternalIP).
pub fn add_node(world: &mut World, node: NodeSpec) -> Result<(), String> {
    if world.store.get_as::<Node>("", &node.name).is_some() {
        return Err(format!(
            "Error from server (AlreadyExists): nodes \"{}\" already exists",
            node.name
        ));
    }
    let index = world
        .store
        .list_as::<Node>(None)
        .filter_map(|n| {
            n.spec
                .as_ref()?
                .pod_cidr
                .as_ref()?
                .split('.')
                .nth(2)?
                .parse::<usize>()
                .ok()
        })
        .max()
        .map_or(0, |i| i + 1);
    let spec = {
        let k = world
            .controller_mut::<Kubelet>()
            .ok_or("no kubelet installed")?;
        k.spec.nodes.push(node.clone());
        k.spec.clone()
    };
    let mut obj = crate::cluster::node_object(world, &spec, &node, index);
    let ts = world.store.timestamp_secs();
    obj.metadata.creation_timestamp = Some(ts.clone());
    for c in obj
        .status
        .iter_mut()
        .flat_map(|s| s.conditions.iter_mut().flatten())
    {
        c.last_transition_time = Some(ts.clone());
        c.last_heartbeat_time = Some(ts.clone());
    }
    world
        .store
        .create(Object::Node(obj), &WriteOptions::default())
        .map_err(|e| e.kubectl_text())?;
    world.settle();
    Ok(())
}

/// `sim node remove NAME`: the Node object is deleted; the pod GC removes
/// its pods after the quarantine.
pub fn remove_node(world: &mut World, name: &str) -> Result<(), String> {
    world
        .store
        .delete(Kind::Node, "", name, &DeleteOptions::default())
        .map_err(|e| e.kubectl_text())?;
    if let Some(k) = world.controller_mut::<Kubelet>() {
        k.failed.remove(name);
        k.nodes.remove(name);
        k.pods.retain(|_, rt| rt.node != name);
        k.spec.nodes.retain(|n| n.name != name);
    }
    world.settle();
    Ok(())
}

/// The MemoryPressure condition the kubelet posts
/// (`kubelet_node_status.go` / `nodestatus.MemoryPressureCondition`), with
/// the node event it records on a change.
pub(crate) fn set_memory_pressure(store: &mut Store, node: &Node, pressure: bool) {
    let name = node.metadata.name.clone().unwrap_or_default();
    let (status, reason, message, event) = if pressure {
        (
            "True",
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
            "NodeHasInsufficientMemory",
        )
    } else {
        (
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            "NodeHasSufficientMemory",
        )
    };
    let current = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "MemoryPressure"))
        .map(|c| c.status.clone());
    // Unknown belongs to the node lifecycle controller (node unreachable).
    if current
        .as_deref()
        .is_none_or(|c| c == status || c == "Unknown")
    {
        return;
    }
    let ts = store.timestamp_secs();
    let _ = store.modify::<Node>("", &name, true, |n| {
        for c in n
            .status
            .get_or_insert_with(Default::default)
            .conditions
            .iter_mut()
            .flatten()
        {
            if c.type_ == "MemoryPressure" {
                c.status = status.into();
                c.reason = Some(reason.into());
                c.message = Some(message.into());
                c.last_heartbeat_time = Some(ts.clone());
                c.last_transition_time = Some(ts.clone());
            }
        }
    });
    store.record_event(
        &Object::Node(node.clone()),
        "Normal",
        event,
        &format!("Node {name} status is now: {event}"),
        &EventSource::on_host("kubelet", &name),
    );
}
