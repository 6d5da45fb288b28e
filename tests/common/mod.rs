//! Test stand-ins for the scheduler and the kubelet, so the workload
//! controllers are tested on their own: `FakeScheduler` binds pods honouring
//! nodeName affinity, nodeSelector and taints; `FakeKubelet` starts bound
//! pods after a short delay and finishes deletions. A pod's behaviour is
//! chosen with the test-only annotation `test.kubesim.io/behavior`:
//!
//! * absent / `run`: Running and Ready 2 s after binding;
//! * `bad-image`: ErrImagePull, then ImagePullBackOff, never Ready;
//! * `exit:<code>:<secs>`: runs `secs` seconds, then exits with `code`;
//! * `never-ready`: Running but never Ready.
#![allow(dead_code)]

use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Node, Pod, PodCondition, PodIP,
};
use kubesim::cluster::{build_world_with, controller_manager, ClusterSpec};
use kubesim::controllers::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use kubesim::objects::{Kind, Object};
use kubesim::sim::store::{set_pod_condition, EventSource, Store, WatchEvent, WriteOptions};
use kubesim::sim::World;
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

pub const BEHAVIOR: &str = "test.kubesim.io/behavior";

/// The workshop cluster with the real controllers and the test stand-ins.
pub fn world(seed: u64) -> World {
    build_world_with(&ClusterSpec::workshop(), seed, |w, _| {
        w.add_controller(Box::new(FakeScheduler));
        w.add_controller(Box::new(FakeKubelet));
        controller_manager(w);
    })
}

pub fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Creates an object from YAML.
pub fn apply(w: &mut World, yaml: &str) -> Object {
    let v: serde_json::Value = serde_norway::from_str(yaml).expect("yaml");
    let obj = kubesim::objects::manifest::decode_object(v, true).expect("decode");
    let o = w
        .store
        .create(obj, &WriteOptions::default())
        .expect("create");
    w.settle();
    (*o).clone()
}

/// Pods of a namespace whose name starts with `prefix`, sorted.
pub fn pods(w: &World, ns: &str, prefix: &str) -> Vec<Pod> {
    w.store
        .list_as::<Pod>(Some(ns))
        .filter(|p| p.metadata.name.as_deref().unwrap_or("").starts_with(prefix))
        .cloned()
        .collect()
}

/// One line per pod: name, node, phase, ready, terminating.
pub fn pod_lines(w: &World, ns: &str, prefix: &str) -> Vec<String> {
    pods(w, ns, prefix)
        .iter()
        .map(|p| {
            let ready = p
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
                .map(|c| c.status == "True")
                .unwrap_or(false);
            format!(
                "{} node={} phase={} ready={}{}",
                p.metadata.name.as_deref().unwrap_or(""),
                p.spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref())
                    .unwrap_or("-"),
                p.status
                    .as_ref()
                    .and_then(|s| s.phase.as_deref())
                    .unwrap_or("-"),
                ready,
                if p.metadata.deletion_timestamp.is_some() {
                    " terminating"
                } else {
                    ""
                }
            )
        })
        .collect()
}

/// Events (reason: message) about objects in `ns`, oldest first, from
/// `component` (all when empty).
pub fn events(w: &World, ns: &str, component: &str) -> Vec<String> {
    let mut evs: Vec<k8s_openapi::api::core::v1::Event> = w
        .store
        .list_as::<k8s_openapi::api::core::v1::Event>(Some(ns))
        .filter(|e| {
            component.is_empty()
                || e.source.as_ref().and_then(|s| s.component.as_deref()) == Some(component)
        })
        .cloned()
        .collect();
    // Creation order: the name ends in hex nanoseconds plus a sequence.
    let seq = |e: &k8s_openapi::api::core::v1::Event| {
        let n = e.metadata.name.as_deref().unwrap_or("");
        u128::from_str_radix(n.rsplit('.').next().unwrap_or("0"), 16).unwrap_or(0)
    };
    evs.sort_by_key(|e| seq(e));
    evs.iter()
        .map(|e| {
            format!(
                "{} {} {}/{}: {}{}",
                e.type_.as_deref().unwrap_or(""),
                e.reason.as_deref().unwrap_or(""),
                e.involved_object.kind.as_deref().unwrap_or(""),
                e.involved_object.name.as_deref().unwrap_or(""),
                e.message.as_deref().unwrap_or(""),
                match e.count {
                    Some(c) if c > 1 => format!(" (x{c})"),
                    _ => String::new(),
                }
            )
        })
        .collect()
}

/// The YAML of an object's status (or any sub-document).
pub fn yaml_of<T: serde::Serialize>(v: &T) -> String {
    serde_norway::to_string(v).unwrap()
}

/// Lines of the world's audit log that mention `needle`.
pub fn log_lines(w: &World, needle: &str) -> Vec<String> {
    w.event_log()
        .iter()
        .filter(|l| l.contains(needle))
        .cloned()
        .collect()
}

// ----- scheduler ------------------------------------------------------

/// Binds pending pods to the feasible node with the fewest pods.
pub struct FakeScheduler;

impl Controller for FakeScheduler {
    fn name(&self) -> &'static str {
        "test-scheduler"
    }
    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Pod(p)
                if p.spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref())
                    .is_none() =>
            {
                q.add(object_key(
                    p.metadata.namespace.as_deref(),
                    p.metadata.name.as_deref().unwrap_or(""),
                ));
            }
            Object::Node(_) => {
                for p in store.list_as::<Pod>(None) {
                    if p.spec
                        .as_ref()
                        .and_then(|s| s.node_name.as_deref())
                        .is_none()
                    {
                        q.add(object_key(
                            p.metadata.namespace.as_deref(),
                            p.metadata.name.as_deref().unwrap_or(""),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        if pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some()
            || pod.metadata.deletion_timestamp.is_some()
        {
            return Action::AwaitChange;
        }
        let mut load: BTreeMap<String, usize> = BTreeMap::new();
        for p in ctx.store.list_as::<Pod>(None) {
            if let Some(n) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
                *load.entry(n.to_string()).or_default() += 1;
            }
        }
        let mut best: Option<(usize, String)> = None;
        for n in ctx.store.list_as::<Node>(None) {
            if !kubesim::controllers::daemonset::pod_fits_node(&pod, n) {
                continue;
            }
            let nn = n.metadata.name.clone().unwrap_or_default();
            let l = load.get(&nn).copied().unwrap_or(0);
            if best.as_ref().is_none_or(|(bl, _)| l < *bl) {
                best = Some((l, nn));
            }
        }
        let Some((_, node)) = best else {
            return Action::RequeueAfter(Duration::from_secs(10));
        };
        if ctx.store.bind(ns, name, &node).is_ok() {
            ctx.store.record_event(
                &Object::Pod(pod),
                "Normal",
                "Scheduled",
                &format!("Successfully assigned {ns}/{name} to {node}"),
                &EventSource::new("default-scheduler"),
            );
        }
        Action::AwaitChange
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- kubelet --------------------------------------------------------

/// Starts, stops and finishes pods by their test behaviour.
#[derive(Default)]
pub struct FakeKubelet;

fn behavior(p: &Pod) -> String {
    p.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(BEHAVIOR))
        .cloned()
        .unwrap_or_else(|| "run".into())
}

impl Controller for FakeKubelet {
    fn name(&self) -> &'static str {
        "test-kubelet"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Pod(p) = &*ev.object {
            if p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some()
            {
                let key = object_key(
                    p.metadata.namespace.as_deref(),
                    p.metadata.name.as_deref().unwrap_or(""),
                );
                q.add_after(key, Duration::from_secs(1));
            }
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        let now = ctx.store.timestamp_secs();
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_default();
        let restart = pod
            .spec
            .as_ref()
            .and_then(|s| s.restart_policy.clone())
            .unwrap_or_else(|| "Always".into());
        if pod.metadata.deletion_timestamp.is_some() {
            if phase != "Succeeded" && phase != "Failed" && restart != "Always" {
                let _ = ctx.store.modify::<Pod>(ns, name, true, |p| {
                    let st = p.status.get_or_insert_with(Default::default);
                    st.phase = Some("Failed".into());
                    set_pod_condition(st, "Ready", "False", Some("PodCompleted"), now.clone());
                });
            }
            ctx.store.finalize_pod_deletion(ns, name);
            return Action::AwaitChange;
        }
        let b = behavior(&pod);
        let started = pod.status.as_ref().and_then(|s| s.start_time.clone());
        match phase.as_str() {
            "Pending" if started.is_none() => {
                let node = pod
                    .spec
                    .as_ref()
                    .and_then(|s| s.node_name.clone())
                    .unwrap_or_default();
                let ip = format!(
                    "10.244.{}.{}",
                    node.trim_start_matches("node"),
                    100 + (kubesim::sim::rng::fnv1a(name.as_bytes()) % 150)
                );
                let bad = b == "bad-image";
                let _ = ctx.store.modify::<Pod>(ns, name, true, |p| {
                    let containers: Vec<String> = p
                        .spec
                        .as_ref()
                        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    let images: Vec<String> = p
                        .spec
                        .as_ref()
                        .map(|s| {
                            s.containers
                                .iter()
                                .map(|c| c.image.clone().unwrap_or_default())
                                .collect()
                        })
                        .unwrap_or_default();
                    let st = p.status.get_or_insert_with(Default::default);
                    st.start_time = Some(now.clone());
                    st.pod_ip = Some(ip.clone());
                    st.pod_ips = Some(vec![PodIP { ip: ip.clone() }]);
                    set_pod_condition(st, "PodReadyToStartContainers", "True", None, now.clone());
                    set_pod_condition(st, "Initialized", "True", None, now.clone());
                    st.container_statuses = Some(
                        containers
                            .iter()
                            .zip(images)
                            .map(|(c, image)| ContainerStatus {
                                name: c.clone(),
                                image,
                                ready: !bad && b != "never-ready",
                                started: Some(!bad),
                                state: Some(if bad {
                                    ContainerState {
                                        waiting: Some(ContainerStateWaiting {
                                            reason: Some("ImagePullBackOff".into()),
                                            message: Some("Back-off pulling image".into()),
                                        }),
                                        ..Default::default()
                                    }
                                } else {
                                    ContainerState {
                                        running: Some(ContainerStateRunning {
                                            started_at: Some(now.clone()),
                                        }),
                                        ..Default::default()
                                    }
                                }),
                                ..Default::default()
                            })
                            .collect(),
                    );
                    if bad {
                        set_pod_condition(
                            st,
                            "Ready",
                            "False",
                            Some("ContainersNotReady"),
                            now.clone(),
                        );
                        set_pod_condition(
                            st,
                            "ContainersReady",
                            "False",
                            Some("ContainersNotReady"),
                            now.clone(),
                        );
                    } else {
                        st.phase = Some("Running".into());
                        let r = if b == "never-ready" { "False" } else { "True" };
                        set_pod_condition(st, "Ready", r, None, now.clone());
                        set_pod_condition(st, "ContainersReady", r, None, now.clone());
                    }
                });
                if let Some(rest) = b.strip_prefix("exit:") {
                    let secs: u64 = rest
                        .split(':')
                        .nth(1)
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(1);
                    return Action::RequeueAfter(Duration::from_secs(secs));
                }
                Action::AwaitChange
            }
            "Running" => {
                let Some(rest) = b.strip_prefix("exit:") else {
                    return Action::AwaitChange;
                };
                let mut parts = rest.split(':');
                let code: i32 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(0);
                let run: u64 = parts.next().and_then(|s| s.parse().ok()).unwrap_or(1);
                let start = started.map(|t| t.0).unwrap_or(now.0);
                if now.0.duration_since(start).as_secs() < run as i64 {
                    return Action::RequeueAfter(Duration::from_secs(1));
                }
                let _ = ctx.store.modify::<Pod>(ns, name, true, |p| {
                    let st = p.status.get_or_insert_with(Default::default);
                    let ok = code == 0;
                    st.phase = Some(if ok { "Succeeded" } else { "Failed" }.into());
                    for cs in st.container_statuses.iter_mut().flatten() {
                        cs.ready = false;
                        cs.started = Some(false);
                        cs.state = Some(ContainerState {
                            terminated: Some(ContainerStateTerminated {
                                exit_code: code,
                                reason: Some(if ok { "Completed" } else { "Error" }.into()),
                                finished_at: Some(now.clone()),
                                started_at: Some(
                                    k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(start),
                                ),
                                ..Default::default()
                            }),
                            ..Default::default()
                        });
                    }
                    set_pod_condition(st, "Ready", "False", Some("PodCompleted"), now.clone());
                    set_pod_condition(
                        st,
                        "ContainersReady",
                        "False",
                        Some("PodCompleted"),
                        now.clone(),
                    );
                });
                let _: Option<PodCondition> = None;
                Action::AwaitChange
            }
            _ => Action::AwaitChange,
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Marks every bound, non-terminal pod Running and Ready now (the brief's
/// "simulate the kubelet" helper for worlds without `FakeKubelet`).
pub fn mark_all_running(w: &mut World) {
    let now = w.store.timestamp_secs();
    let keys: Vec<(String, String)> = w
        .store
        .list_as::<Pod>(None)
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some()
        })
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    for (ns, name) in keys {
        let _ = w.store.modify::<Pod>(&ns, &name, true, |p| {
            let st = p.status.get_or_insert_with(Default::default);
            st.phase = Some("Running".into());
            set_pod_condition(st, "Ready", "True", None, now.clone());
        });
    }
    w.settle();
    let _ = Kind::Pod;
}
