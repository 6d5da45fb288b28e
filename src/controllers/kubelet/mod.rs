//! The node agent: one controller that runs every node's kubelet.
//!
//! Keys are pods (`ns/name`) and nodes (`node:NAME`). A pod's reconcile is
//! its pod worker (`pkg/kubelet/pod_workers.go`): it advances the pod's
//! sandbox and containers to the current virtual time (pulls, starts,
//! exits, restarts with backoff, probes, termination), writes the status
//! the kubelet would, records its events, and asks to run again at the next
//! transition. A node's reconcile renews its Lease (`kube-node-lease`).
//!
//! Upstream: `pkg/kubelet/kubelet.go` (syncPod), `pkg/kubelet/kuberuntime/`
//! (containers, backoff, kill), `pkg/kubelet/images/` (pulls),
//! `pkg/kubelet/prober/` (probes), `pkg/kubelet/status/` (status).

pub mod behaviours;
pub mod eviction;
pub mod hooks;
pub mod images;
mod logs;
mod nodes;
pub mod probes;
pub mod pull;
pub mod status;
pub mod timings;

pub use logs::LogLine;
pub use nodes::{add_node, fail_node, recover_node, remove_node};

use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::cluster::ClusterSpec;
use crate::objects::quantity::amount;
use crate::objects::Object;
use crate::sim::store::metrics::{ContainerUsage, NodeSample, PodSample};
use crate::sim::store::{EventSource, Store, WatchEvent, WatchEventType};
use crate::sim::SimTime;
use behaviours::{Behaviour, Exit, OnSigterm};
use images::{ImageRef, ImageSpec, Lookup};
use k8s_openapi::api::core::v1::{Container, Node, Pod};
use pull::{go_duration, Backoff, ImageStore};
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use timings as t;

/// A finished run of a container, as lastState/terminated shows it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Term {
    pub exit_code: i32,
    pub reason: String,
    pub started: SimTime,
    pub finished: SimTime,
    pub container_id: String,
}

/// One container instance (a containerd container).
#[derive(Clone, Debug)]
pub(crate) struct Run {
    pub id: String,
    pub started: SimTime,
    pub finished: Option<SimTime>,
    pub behaviour: Behaviour,
    pub exit: Option<Exit>,
}

/// A stop in progress: SIGTERM sent, exit expected at `exit_at`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Stop {
    pub exit_at: SimTime,
    pub code: i32,
}

#[derive(Clone, Debug)]
pub(crate) enum CState {
    Waiting {
        reason: String,
        message: Option<String>,
        retry_at: Option<SimTime>,
    },
    Pulling {
        done: SimTime,
        requested: SimTime,
        started: SimTime,
        result: Result<u64, String>,
        /// A re-pull keeps showing the last pull error until it ends.
        shown: Option<(String, Option<String>)>,
    },
    Running {
        started: SimTime,
        stop: Option<Stop>,
    },
    Terminated {
        term: Term,
        /// When the kubelet notices the exit and decides about a restart.
        restart_at: Option<SimTime>,
    },
}

/// A container of the pod, across its restarts.
#[derive(Clone, Debug)]
pub(crate) struct Ctr {
    pub name: String,
    pub image: String,
    pub image_ref: Option<ImageRef>,
    pub image_id: String,
    pub spec: Container,
    pub init: bool,
    pub sidecar: bool,
    pub state: CState,
    pub restarts: i32,
    pub last_term: Option<Term>,
    /// The last two runs (previous and current) for `kubectl logs`.
    pub runs: Vec<Run>,
    pub crash_backoff: Backoff,
    pub image_backoff: Backoff,
    pub pull_error: String,
    pub probes: BTreeMap<probes::Kind, probes::Worker>,
    pub ready: bool,
    pub started: bool,
    /// A postStart hook in progress: when it returns, and how.
    pub post_start: Option<(SimTime, Result<(), String>)>,
    /// The last start failed (`PostStartHookError`, message): shown while
    /// the container waits to restart.
    pub start_error: Option<(String, String)>,
}

impl Ctr {
    fn new(spec: &Container, init: bool, has_init: bool) -> Ctr {
        let image = spec.image.clone().unwrap_or_default();
        let mut c = Ctr {
            name: spec.name.clone(),
            image_ref: images::parse_reference(&image),
            image,
            image_id: String::new(),
            spec: spec.clone(),
            init,
            sidecar: init && spec.restart_policy.as_deref() == Some("Always"),
            state: CState::Waiting {
                reason: String::new(),
                message: None,
                retry_at: None,
            },
            restarts: 0,
            last_term: None,
            runs: Vec::new(),
            crash_backoff: Backoff::default(),
            image_backoff: Backoff::default(),
            pull_error: String::new(),
            probes: BTreeMap::new(),
            ready: false,
            started: false,
            post_start: None,
            start_error: None,
        };
        // Main containers of a pod with init containers wait as
        // PodInitializing; the others as ContainerCreating/PodInitializing.
        let reason = if has_init {
            "PodInitializing"
        } else {
            c.creating_reason()
        };
        c.state = CState::Waiting {
            reason: reason.into(),
            message: None,
            retry_at: None,
        };
        c
    }
    /// The waiting reason while the kubelet is creating this container.
    pub fn creating_reason(&self) -> &'static str {
        if self.init {
            "PodInitializing"
        } else {
            "ContainerCreating"
        }
    }
    pub fn is_running(&self) -> bool {
        matches!(self.state, CState::Running { .. })
    }
    /// An init container that completed.
    pub fn done(&self) -> bool {
        matches!(&self.state, CState::Terminated { term, .. } if term.exit_code == 0)
            && !self.sidecar
    }
    fn memory_limit(&self) -> Option<u64> {
        self.spec
            .resources
            .as_ref()
            .and_then(|r| r.limits.as_ref())
            .and_then(|l| l.get("memory"))
            .map(|q| amount(q).value().max(0) as u64)
    }
    fn argv(&self) -> Vec<String> {
        self.spec
            .command
            .iter()
            .flatten()
            .chain(self.spec.args.iter().flatten())
            .cloned()
            .collect()
    }
}

/// The kubelet's view of one pod.
#[derive(Clone, Debug)]
pub(crate) struct PodRt {
    pub uid: String,
    pub node: String,
    pub start_time: SimTime,
    pub sandbox_at: SimTime,
    pub sandbox_ready: bool,
    pub sandbox_gone: bool,
    pub ip: Option<String>,
    pub init: Vec<Ctr>,
    pub main: Vec<Ctr>,
    pub terminating: Option<SimTime>,
    /// The status needs writing. Bootstrap pods arrive Running and are
    /// adopted clean: their status is left as it is until something happens.
    pub dirty: bool,
    pub mount_retry: Option<SimTime>,
    /// The time of the last sync.
    pub now: SimTime,
    /// Evicted for node pressure: the message of the Failed status.
    pub evicted: Option<String>,
}

impl PodRt {
    fn all(&self) -> impl Iterator<Item = &Ctr> {
        self.init.iter().chain(self.main.iter())
    }
    fn ctr_mut(&mut self, init: bool, i: usize) -> &mut Ctr {
        if init {
            &mut self.init[i]
        } else {
            &mut self.main[i]
        }
    }
    /// Whether container (init, i) may start: the sandbox is up, the init
    /// containers before it are done (sidecars: started), and no other
    /// container of the pod is being pulled (SyncPod starts them in order).
    fn gate_open(&self, init: bool, i: usize) -> bool {
        if !self.sandbox_ready || self.terminating.is_some() {
            return false;
        }
        if self
            .all()
            .any(|c| matches!(c.state, CState::Pulling { .. }))
        {
            return false;
        }
        let before = if init {
            &self.init[..i]
        } else {
            &self.init[..]
        };
        before
            .iter()
            .all(|c| c.done() || (c.sidecar && c.is_running() && c.started))
    }
}

/// One node's agent: its image store, its pod IPs, whether it is alive.
#[derive(Clone, Debug)]
pub(crate) struct NodeAgent {
    pub images: ImageStore,
    pub ip_prefix: String,
    pub node_ip: String,
    pub used_ips: BTreeSet<u8>,
    pub ip_cursor: u8,
}

impl NodeAgent {
    /// host-local IPAM: the next free address after the last one given.
    fn alloc_ip(&mut self) -> Option<String> {
        for k in 0..253u16 {
            // Addresses .2–.254; the cursor is the last one handed out.
            let cand = 2 + ((self.ip_cursor.max(1) as u16 - 1 + k) % 253) as u8;
            if !self.used_ips.contains(&cand) {
                self.used_ips.insert(cand);
                self.ip_cursor = cand;
                return Some(format!("{}{cand}", self.ip_prefix));
            }
        }
        None
    }
    fn free_ip(&mut self, ip: &str) {
        if let Some(last) = ip.strip_prefix(&self.ip_prefix) {
            if let Ok(n) = last.parse::<u8>() {
                self.used_ips.remove(&n);
            }
        }
    }
}

/// The node agents of the whole cluster.
pub struct Kubelet {
    pub(crate) spec: ClusterSpec,
    pub(crate) catalogue: Vec<ImageSpec>,
    pub(crate) nodes: BTreeMap<String, NodeAgent>,
    pub(crate) pods: BTreeMap<String, PodRt>,
    /// Nodes whose kubelet is down (`sim node fail`).
    pub(crate) failed: BTreeSet<String>,
    /// When metrics-server last scraped the summary APIs.
    pub(crate) last_scrape: Option<SimTime>,
    /// When each node's eviction manager last saw memory.available under
    /// its hard threshold.
    pub(crate) pressure: BTreeMap<String, SimTime>,
}

/// A kubelet event: (type, reason, message).
type Ev = (&'static str, &'static str, String);

/// What a pod sync may touch.
struct Cx<'a> {
    now: SimTime,
    store: &'a mut Store,
    rng: &'a mut crate::sim::rng::SimRng,
    agent: &'a mut NodeAgent,
    catalogue: &'a [ImageSpec],
    pod: &'a Pod,
    pod_ip: String,
    events: Vec<Ev>,
}

const NODE_PREFIX: &str = "node:";
/// The key of the metrics scrape (not a pod key: it has no `/`, and no
/// node is called so, since the name is not a valid DNS label).
const SCRAPE_KEY: &str = "metrics:scrape";

impl Kubelet {
    pub fn new(spec: &ClusterSpec) -> Kubelet {
        let mut catalogue = spec.images.clone();
        catalogue.extend(images::builtin());
        Kubelet {
            spec: spec.clone(),
            catalogue,
            nodes: BTreeMap::new(),
            pods: BTreeMap::new(),
            failed: BTreeSet::new(),
            last_scrape: None,
            pressure: BTreeMap::new(),
        }
    }

    /// Whether the node's kubelet is running (not failed with `sim node fail`).
    pub fn node_alive(&self, node: &str) -> bool {
        !self.failed.contains(node)
    }

    fn ensure_agent(&mut self, store: &Store, node: &str) -> bool {
        if self.nodes.contains_key(node) {
            return true;
        }
        let Some(n) = store.get_as::<Node>("", node) else {
            return false;
        };
        let cidr = n
            .spec
            .as_ref()
            .and_then(|s| s.pod_cidr.clone())
            .unwrap_or_else(|| "10.244.0.0/24".into());
        let prefix = cidr
            .split('/')
            .next()
            .and_then(|ip| ip.rsplit_once('.'))
            .map(|(p, _)| format!("{p}."))
            .unwrap_or_else(|| "10.244.0.".into());
        let node_ip = n
            .status
            .as_ref()
            .and_then(|s| s.addresses.as_ref())
            .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
            .map(|a| a.address.clone())
            .unwrap_or_default();
        let bandwidth = self
            .spec
            .nodes
            .iter()
            .find(|s| s.name == node)
            .map(|s| s.pull_bandwidth)
            .unwrap_or(33_000_000);
        let mut agent = NodeAgent {
            images: ImageStore {
                bandwidth,
                ..Default::default()
            },
            ip_prefix: prefix,
            node_ip,
            used_ips: BTreeSet::new(),
            ip_cursor: 1,
        };
        // What already runs there: its addresses and images.
        for p in store.list_as::<Pod>(None) {
            if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(node) {
                continue;
            }
            if let Some(ip) = p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) {
                if let Some(n) = ip
                    .strip_prefix(&agent.ip_prefix)
                    .and_then(|x| x.parse().ok())
                {
                    agent.used_ips.insert(n);
                    agent.ip_cursor = agent.ip_cursor.max(n);
                }
            }
            for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
                if let Some(r) = c.image.as_deref().and_then(images::parse_reference) {
                    agent.images.present.insert(r.full());
                }
            }
        }
        agent
            .images
            .present
            .insert("registry.k8s.io/pause:3.10".into());
        self.nodes.insert(node.to_string(), agent);
        true
    }

    fn forget(&mut self, key: &str) {
        if let Some(rt) = self.pods.remove(key) {
            if let (Some(agent), Some(ip)) = (self.nodes.get_mut(&rt.node), rt.ip.as_deref()) {
                if ip != agent.node_ip {
                    agent.free_ip(ip);
                }
            }
        }
    }

    fn image_default(&self, r: Option<&ImageRef>) -> String {
        r.and_then(|r| match images::lookup(&self.catalogue, r, true) {
            Lookup::Found(s) => Some(s.behaviour),
            _ => None,
        })
        .unwrap_or_else(|| "shell".into())
    }

    /// Adopts a pod that is already Running (bootstrap system pods).
    fn adopt(&self, pod: &Pod, node: &str) -> Option<PodRt> {
        let st = pod.status.as_ref()?;
        if st.phase.as_deref() != Some("Running") {
            return None;
        }
        let statuses = st.container_statuses.as_ref()?;
        let spec = pod.spec.as_ref()?;
        let to_sim = |t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time| {
            // Before virtual time 0 (the cluster was prepared earlier).
            let _ = t;
            SimTime::ZERO
        };
        let mut main = Vec::new();
        for c in &spec.containers {
            let cs = statuses.iter().find(|s| s.name == c.name)?;
            let started = cs
                .state
                .as_ref()
                .and_then(|s| s.running.as_ref())
                .and_then(|r| r.started_at.as_ref())
                .map(to_sim)?;
            let mut ctr = Ctr::new(c, false, false);
            let image_default = self.image_default(ctr.image_ref.as_ref());
            let behaviour =
                behaviours::choose(&image_default, &ctr.image, &ctr.argv(), &Default::default());
            ctr.runs.push(Run {
                id: cs
                    .container_id
                    .clone()
                    .unwrap_or_default()
                    .trim_start_matches("containerd://")
                    .to_string(),
                started,
                finished: None,
                behaviour,
                exit: None,
            });
            ctr.image_id = cs.image_id.clone();
            ctr.state = CState::Running {
                started,
                stop: None,
            };
            ctr.ready = cs.ready;
            ctr.started = true;
            ctr.restarts = cs.restart_count;
            main.push(ctr);
        }
        Some(PodRt {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            node: node.to_string(),
            start_time: SimTime::ZERO,
            sandbox_at: SimTime::ZERO,
            sandbox_ready: true,
            sandbox_gone: false,
            ip: st.pod_ip.clone(),
            init: Vec::new(),
            main,
            terminating: None,
            dirty: false,
            mount_retry: None,
            now: SimTime::ZERO,
            evicted: None,
        })
    }

    fn new_rt(pod: &Pod, node: &str, now: SimTime) -> PodRt {
        let spec = pod.spec.clone().unwrap_or_default();
        let inits = spec.init_containers.clone().unwrap_or_default();
        let has_init = !inits.is_empty();
        PodRt {
            uid: pod.metadata.uid.clone().unwrap_or_default(),
            node: node.to_string(),
            start_time: now,
            sandbox_at: now + t::SANDBOX_CREATE,
            sandbox_ready: false,
            sandbox_gone: false,
            ip: None,
            init: inits.iter().map(|c| Ctr::new(c, true, true)).collect(),
            main: spec
                .containers
                .iter()
                .map(|c| Ctr::new(c, false, has_init))
                .collect(),
            terminating: None,
            dirty: true,
            mount_retry: None,
            now: SimTime::ZERO,
            evicted: None,
        }
    }

    fn sync_pod(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() else {
            self.forget(key);
            return Action::AwaitChange;
        };
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            return Action::AwaitChange;
        };
        if !self.ensure_agent(ctx.store, &node) {
            return Action::AwaitChange;
        }
        if self.failed.contains(&node) {
            return Action::AwaitChange;
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if self.pods.get(key).is_some_and(|rt| rt.uid != uid) {
            self.forget(key);
        }
        if !self.pods.contains_key(key) {
            let phase = pod
                .status
                .as_ref()
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("");
            if let Some(rt) = self.adopt(&pod, &node) {
                self.pods.insert(key.to_string(), rt);
            } else if phase == "Succeeded" || phase == "Failed" {
                return Action::AwaitChange;
            } else {
                self.pods
                    .insert(key.to_string(), Self::new_rt(&pod, &node, ctx.now));
            }
        }
        let Kubelet {
            pods,
            nodes,
            catalogue,
            ..
        } = self;
        let rt = pods.get_mut(key).expect("inserted above");
        let agent = nodes.get_mut(&node).expect("ensured");
        let mut cx = Cx {
            now: ctx.now,
            store: ctx.store,
            rng: ctx.rng,
            agent,
            catalogue,
            pod: &pod,
            pod_ip: rt.ip.clone().unwrap_or_default(),
            events: Vec::new(),
        };
        rt.now = ctx.now;
        apply_spec_changes(rt, &mut cx);
        if pod.metadata.deletion_timestamp.is_some() && rt.terminating.is_none() {
            let grace = pod
                .metadata
                .deletion_grace_period_seconds
                .unwrap_or(30)
                .max(1) as u64;
            begin_termination(rt, &mut cx, Duration::from_secs(grace));
        }
        if rt.evicted.is_some() && rt.terminating.is_none() {
            // `evictPod`: killPodFunc with the hard-eviction grace override.
            begin_termination(rt, &mut cx, t::EVICTION_KILL_GRACE);
        }
        let mut guard = 0;
        while step(rt, &mut cx) {
            rt.dirty = true;
            guard += 1;
            if guard > 10_000 {
                break;
            }
        }
        let events = std::mem::take(&mut cx.events);
        let host_ip = cx.agent.node_ip.clone();
        // Times already due are blocked (a gate is closed): they run when
        // what blocks them happens, which is itself in the list.
        let next = next_wake(rt, &pod).filter(|n| *n > ctx.now);
        let finished = rt.terminating.is_some()
            && !rt
                .all()
                .any(|c| c.is_running() || matches!(c.state, CState::Pulling { .. }));
        let src = EventSource::on_host("kubelet", &node);
        let obj = Object::Pod(pod.clone());
        for (ty, reason, msg) in events {
            ctx.store.record_event(&obj, ty, reason, &msg, &src);
        }
        if rt.dirty {
            rt.dirty = false;
            let store = &mut *ctx.store;
            let now_ts = store.timestamp_secs();
            let clock = |t: SimTime| store_ts(store, t);
            let mut st = status::build(&pod, rt, &host_ip, now_ts.clone(), &clock);
            if let Some(msg) = &rt.evicted {
                status::mark_evicted(&mut st, msg, now_ts);
            }
            let _ = ctx
                .store
                .modify::<Pod>(ns, name, true, |p| p.status = Some(st));
        }
        if finished {
            // An evicted pod stays, Failed; a deleted one goes.
            if rt.evicted.is_none() {
                ctx.store.finalize_pod_deletion(ns, name);
            }
            self.forget(key);
            return Action::AwaitChange;
        }
        match next {
            Some(at) => Action::RequeueAfter(at.since(ctx.now)),
            None => Action::AwaitChange,
        }
    }

    fn sync_node(&mut self, node: &str, ctx: &mut Ctx) -> Action {
        if ctx.store.get_as::<Node>("", node).is_none() {
            self.nodes.remove(node);
            return Action::AwaitChange;
        }
        if !self.ensure_agent(ctx.store, node) || self.failed.contains(node) {
            return Action::AwaitChange;
        }
        nodes::heartbeat(ctx.store, node);
        self.check_eviction(node, ctx);
        let jitter = 1.0 + t::NODE_LEASE_JITTER * ctx.rng.unit();
        Action::RequeueAfter(t::NODE_LEASE_RENEW.mul_f64(jitter))
    }

    /// The eviction manager's check (`synchronize`): MemoryPressure and at
    /// most one eviction (see [`eviction`]).
    fn check_eviction(&mut self, node: &str, ctx: &mut Ctx) {
        let Some(n) = ctx.store.get_as::<Node>("", node).cloned() else {
            return;
        };
        let capacity = n
            .status
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("memory"))
            .map(|q| amount(q).value().max(0) as u64)
            .unwrap_or(0);
        let Some((_, used)) = self.node_usage(node, ctx.now) else {
            return;
        };
        let available = capacity.saturating_sub(used);
        let under = available < t::EVICTION_HARD_MEMORY_AVAILABLE;
        if under {
            self.pressure.insert(node.to_string(), ctx.now);
        }
        let pressure = self
            .pressure
            .get(node)
            .is_some_and(|l| ctx.now < *l + t::EVICTION_PRESSURE_TRANSITION);
        nodes::set_memory_pressure(ctx.store, &n, pressure);
        if !under {
            return;
        }
        // One pod at a time: wait for the last one to be gone.
        if self
            .pods
            .values()
            .any(|rt| rt.node == node && rt.evicted.is_some())
        {
            return;
        }
        let mut candidates = Vec::new();
        for (key, rt) in &self.pods {
            if rt.node != node || rt.terminating.is_some() {
                continue;
            }
            let (ns, name) = split_key(key);
            let Some(pod) = ctx.store.get_as::<Pod>(ns, name) else {
                continue;
            };
            if eviction::is_critical(pod) {
                continue;
            }
            let usage = self.pod_usage(ns, name, ctx.now);
            if usage.is_empty() {
                continue;
            }
            let requests = eviction::requests(pod);
            candidates.push(eviction::Candidate {
                key: key.clone(),
                priority: pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0),
                containers: usage
                    .into_iter()
                    .map(|(c, _, mem)| {
                        let req = requests.iter().find(|r| r.0 == c).map_or(0, |r| r.1);
                        (c, mem, req)
                    })
                    .collect(),
            });
        }
        let Some(victim) = eviction::rank(candidates).into_iter().next() else {
            return;
        };
        let msg = eviction::message(available, &victim);
        let src = EventSource::on_host("kubelet", node);
        ctx.store.record_event(
            &Object::Node(n),
            "Warning",
            "EvictionThresholdMet",
            "Attempting to reclaim memory",
            &src,
        );
        let (ns, name) = split_key(&victim.key);
        if let Some(pod) = ctx.store.get_as::<Pod>(ns, name).cloned() {
            ctx.store
                .record_event(&Object::Pod(pod), "Warning", "Evicted", &msg, &src);
        }
        if let Some(rt) = self.pods.get_mut(&victim.key) {
            rt.evicted = Some(msg);
        }
        // The pod worker kills it now; its own status write requeues it.
        self.sync_pod(&victim.key, ctx);
    }

    /// metrics-server's scrape (every `METRICS_RESOLUTION`, on multiples of
    /// it): every running pod's and every live node's usage into the
    /// store's metrics cache, which `kubectl top` and the HPA read.
    fn scrape(&mut self, ctx: &mut Ctx) -> Action {
        let res = t::METRICS_RESOLUTION;
        let due = self.last_scrape.is_none_or(|l| ctx.now >= l + res);
        if due {
            self.last_scrape = Some(ctx.now);
            // One pass over the pods: each pod's containers once, summed
            // into its node as it goes (the same numbers as `node_usage`).
            let mut pods = BTreeMap::new();
            let mut sums: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
            for (key, rt) in &self.pods {
                if self.failed.contains(&rt.node) {
                    continue;
                }
                let containers: Vec<_> = rt_usage(rt, ctx.now)
                    .map(|(c, cpu, mem)| ContainerUsage {
                        name: c.name.clone(),
                        cpu_millis: cpu,
                        memory_bytes: mem,
                    })
                    .collect();
                if !containers.is_empty() {
                    let sum = sums.entry(rt.node.as_str()).or_insert((0, 0));
                    for c in &containers {
                        sum.0 += c.cpu_millis;
                        sum.1 += c.memory_bytes;
                    }
                    let (ns, name) = split_key(key);
                    pods.insert(
                        (ns.to_string(), name.to_string()),
                        PodSample {
                            at: ctx.now,
                            containers,
                        },
                    );
                }
            }
            let mut nodes = BTreeMap::new();
            for node in self.nodes.keys() {
                if self.failed.contains(node) {
                    continue;
                }
                let (cpu, mem) = sums.get(node.as_str()).copied().unwrap_or((0, 0));
                let (base_cpu, base_mem) = NODE_BASE_USAGE;
                nodes.insert(
                    node.clone(),
                    NodeSample {
                        at: ctx.now,
                        cpu_millis: base_cpu + cpu,
                        memory_bytes: base_mem + mem,
                    },
                );
            }
            ctx.store.metrics.replace(pods, nodes);
        }
        let period = res.as_millis() as u64;
        let next = SimTime((ctx.now.0 / period + 1) * period);
        Action::RequeueAfter(next.since(ctx.now))
    }

    /// CPU (millicores) and memory (bytes) of each running container of a
    /// pod, as metrics-server reports them (`kubectl top pod --containers`).
    pub fn pod_usage(&self, ns: &str, pod: &str, now: SimTime) -> Vec<(String, u64, u64)> {
        let Some(rt) = self.pods.get(&object_key(Some(ns), pod)) else {
            return Vec::new();
        };
        rt_usage(rt, now)
            .map(|(c, cpu, mem)| (c.name.clone(), cpu, mem))
            .collect()
    }

    /// A node's usage: its pods plus the OS and the kubelet itself.
    pub fn node_usage(&self, node: &str, now: SimTime) -> Option<(u64, u64)> {
        if !self.nodes.contains_key(node) || self.failed.contains(node) {
            return None;
        }
        let (mut cpu, mut mem) = NODE_BASE_USAGE;
        for rt in self.pods.values() {
            if rt.node != node {
                continue;
            }
            for (_, c, m) in rt_usage(rt, now) {
                cpu += c;
                mem += m;
            }
        }
        Some((cpu, mem))
    }
}

/// What a node uses besides its pods: the OS and the kubelet itself
/// (millicores, bytes).
const NODE_BASE_USAGE: (u64, u64) = (60, 900 << 20);

/// CPU (millicores) and memory (bytes) of each running container of a pod
/// runtime, without allocating (metrics-server scrapes every pod).
fn rt_usage(rt: &PodRt, now: SimTime) -> impl Iterator<Item = (&Ctr, u64, u64)> + '_ {
    let window = now.0 / t::METRICS_RESOLUTION.as_millis() as u64;
    rt.all().filter_map(move |c| {
        let CState::Running { started, .. } = c.state else {
            return None;
        };
        let run = c.runs.last()?;
        let wobble = (usage_hash(&run.id, window) % 1000) as f64 / 1000.0;
        let (mut cpu, mut mem) = run.behaviour.usage(now.since(started), wobble);
        let limits = c.spec.resources.as_ref().and_then(|r| r.limits.as_ref());
        if let Some(l) = limits.and_then(|l| l.get("cpu")) {
            cpu = cpu.min(amount(l).milli_value().max(0) as u64);
        }
        if let Some(l) = c.memory_limit() {
            mem = mem.min(l);
        }
        Some((c, cpu, mem))
    })
}

/// FNV-1a of the run id followed by the window's decimal digits (the
/// bytes of `format!("{id}{window}")`, hashed without building it).
fn usage_hash(id: &str, window: u64) -> u64 {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut w = window;
    loop {
        i -= 1;
        digits[i] = b'0' + (w % 10) as u8;
        w /= 10;
        if w == 0 {
            break;
        }
    }
    crate::sim::rng::fnv1a_extend(crate::sim::rng::fnv1a(id.as_bytes()), &digits[i..])
}

fn store_ts(store: &Store, t: SimTime) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    store.timestamp_at(SimTime(t.0 / 1000 * 1000))
}

fn format_pod(pod: &Pod) -> String {
    format!(
        "{}_{}({})",
        pod.metadata.name.as_deref().unwrap_or(""),
        pod.metadata.namespace.as_deref().unwrap_or(""),
        pod.metadata.uid.as_deref().unwrap_or("")
    )
}

fn hex_id(rng: &mut crate::sim::rng::SimRng) -> String {
    (0..4).map(|_| format!("{:016x}", rng.next_u64())).collect()
}

/// The earliest time something is due in the pod.
fn next_wake(rt: &PodRt, _pod: &Pod) -> Option<SimTime> {
    let now = rt.now;
    let mut next: Option<SimTime> = None;
    let mut at = |t: SimTime| {
        if t > now {
            next = Some(next.map_or(t, |n: SimTime| n.min(t)));
        }
    };
    if !rt.sandbox_ready {
        at(rt.mount_retry.unwrap_or(rt.sandbox_at));
    }
    for c in rt.all() {
        match &c.state {
            CState::Waiting {
                retry_at: Some(r), ..
            } => at(*r),
            CState::Pulling { done, .. } => at(*done),
            CState::Running { started, stop } => {
                if let Some(s) = stop {
                    at(s.exit_at);
                }
                if let Some((done, _)) = &c.post_start {
                    at(*done);
                }
                if let Some(e) = c.runs.last().and_then(|r| r.exit.as_ref()) {
                    at(*started + e.after);
                }
                for w in c.probes.values() {
                    if let Some(n) = w.next {
                        at(n);
                    }
                }
            }
            CState::Terminated {
                restart_at: Some(r),
                ..
            } => at(*r),
            _ => {}
        }
    }
    next
}

/// A spec change the kubelet acts on: a new image (`kubectl set image`).
fn apply_spec_changes(rt: &mut PodRt, cx: &mut Cx) {
    let Some(spec) = cx.pod.spec.as_ref() else {
        return;
    };
    let now = cx.now;
    let grace = spec.termination_grace_period_seconds.unwrap_or(30);
    for (init, list) in [
        (true, spec.init_containers.clone().unwrap_or_default()),
        (false, spec.containers.clone()),
    ] {
        for (i, cs) in list.iter().enumerate() {
            let Some(c) = (if init {
                rt.init.get_mut(i)
            } else {
                rt.main.get_mut(i)
            }) else {
                continue;
            };
            if c.spec.image == cs.image {
                continue;
            }
            c.image = cs.image.clone().unwrap_or_default();
            c.image_ref = images::parse_reference(&c.image);
            c.spec = cs.clone();
            c.image_backoff = Backoff::default();
            c.crash_backoff = Backoff::default();
            rt.dirty = true;
            match &mut c.state {
                CState::Running { stop, .. } if stop.is_none() => {
                    cx.events.push((
                        "Normal",
                        "Killing",
                        format!("Container {} definition changed, will be restarted", c.name),
                    ));
                    let run = c.runs.last().expect("running has a run");
                    *stop = Some(stop_for(
                        &run.behaviour.on_sigterm(),
                        now,
                        Duration::from_secs(grace.max(1) as u64),
                        Duration::ZERO,
                    ));
                }
                CState::Waiting { retry_at, .. } => *retry_at = Some(now),
                CState::Terminated { restart_at, .. } if restart_at.is_some() => {
                    *restart_at = Some(now)
                }
                _ => {}
            }
        }
    }
}

/// When a process stops after SIGTERM at `now` (plus a preStop hook).
fn stop_for(on: &OnSigterm, now: SimTime, grace: Duration, pre_stop: Duration) -> Stop {
    let pre_stop = pre_stop.min(grace);
    let sigterm_at = now + pre_stop;
    let kill_at = sigterm_at + grace.saturating_sub(pre_stop).max(t::MIN_KILL_GRACE);
    match on {
        OnSigterm::Exit(d, code) if sigterm_at + *d <= kill_at => Stop {
            exit_at: sigterm_at + *d,
            code: *code,
        },
        _ => Stop {
            exit_at: kill_at,
            code: 137,
        },
    }
}

/// Runs the container's preStop hook at `now` (`executePreStopHook`): how
/// long it takes (the stop then subtracts it from the grace period); a
/// failure records `FailedPreStopHook` and the stop goes on.
fn pre_stop(c: &Ctr, started: SimTime, now: SimTime, cx: &mut Cx) -> Duration {
    let Some(h) = c.spec.lifecycle.as_ref().and_then(|l| l.pre_stop.as_ref()) else {
        return Duration::ZERO;
    };
    let Some(run) = c.runs.last() else {
        return Duration::ZERO;
    };
    let pod = format_pod(cx.pod);
    let o = hooks::run(
        h,
        &c.spec,
        &run.behaviour,
        now.since(started),
        &cx.pod_ip,
        &pod,
    );
    if o.result.is_err() {
        cx.events
            .push(("Warning", "FailedPreStopHook", "PreStopHook failed".into()));
    }
    o.took
}

/// The pod is being deleted: stop every running container
/// (`pkg/kubelet/kuberuntime/kuberuntime_container.go` `killContainer`).
fn begin_termination(rt: &mut PodRt, cx: &mut Cx, grace: Duration) {
    let now = cx.now;
    rt.terminating = Some(now);
    rt.dirty = true;
    for c in rt.init.iter_mut().chain(rt.main.iter_mut()) {
        if let CState::Running {
            stop: None,
            started,
        } = c.state
        {
            cx.events.push((
                "Normal",
                "Killing",
                format!("Stopping container {}", c.name),
            ));
            stop_running(c, started, now, grace, cx);
            continue;
        }
        match &mut c.state {
            CState::Waiting { retry_at, .. } => *retry_at = None,
            CState::Terminated { restart_at, .. } => *restart_at = None,
            CState::Running { .. } | CState::Pulling { .. } => {}
        }
    }
}

/// Advances one due transition; false when nothing is due.
fn step(rt: &mut PodRt, cx: &mut Cx) -> bool {
    let now = cx.now;
    if !rt.sandbox_ready && rt.terminating.is_none() {
        if rt.mount_retry.is_some_and(|r| r > now) || rt.sandbox_at > now {
            return false;
        }
        if let Some(msg) = missing_volume(cx) {
            cx.events.push(("Warning", "FailedMount", msg));
            rt.mount_retry = Some(now + Duration::from_secs(10));
            return false;
        }
        rt.mount_retry = None;
        let host = cx
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.host_network)
            .unwrap_or(false);
        rt.ip = if host {
            Some(cx.agent.node_ip.clone())
        } else {
            cx.agent.alloc_ip()
        };
        rt.sandbox_ready = true;
        cx.pod_ip = rt.ip.clone().unwrap_or_default();
        for c in rt.init.iter_mut().chain(rt.main.iter_mut()) {
            if let CState::Waiting { retry_at, .. } = &mut c.state {
                *retry_at = Some(now);
            }
        }
        return true;
    }
    let n_init = rt.init.len();
    let n_main = rt.main.len();
    for (init, n) in [(true, n_init), (false, n_main)] {
        for i in 0..n {
            if step_ctr(rt, init, i, cx) {
                return true;
            }
        }
    }
    false
}

fn step_ctr(rt: &mut PodRt, init: bool, i: usize, cx: &mut Cx) -> bool {
    let now = cx.now;
    let gate = rt.gate_open(init, i);
    let terminating = rt.terminating.is_some();
    let pod_ip = rt.ip.clone().unwrap_or_default();
    let policy = cx
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.clone())
        .unwrap_or_else(|| "Always".into());
    let c = rt.ctr_mut(init, i);
    match c.state.clone() {
        CState::Waiting {
            retry_at: Some(r),
            reason,
            ..
        } if r <= now && gate => {
            if reason == "CrashLoopBackOff" {
                if let Some(t) = &c.last_term {
                    c.crash_backoff.next(
                        t.finished,
                        t::CRASHLOOP_INITIAL,
                        t::CRASHLOOP_MAX,
                        t::CRASHLOOP_RESET,
                    );
                }
            }
            begin_start(c, cx);
            true
        }
        CState::Pulling {
            done,
            requested,
            started,
            result,
            ..
        } if done <= now => {
            let shown = c.image.clone();
            match result {
                Ok(size) => {
                    if let Some(r) = &c.image_ref {
                        cx.agent.images.present.insert(r.full());
                    }
                    cx.events.push((
                        "Normal",
                        "Pulled",
                        format!(
                            "Successfully pulled image \"{shown}\" in {} ({} including waiting). Image size: {size} bytes.",
                            go_duration(done.since(started)),
                            go_duration(done.since(requested))
                        ),
                    ));
                    start_container(c, done, cx);
                }
                Err(msg) => {
                    c.image_backoff.next(
                        done,
                        t::IMAGE_BACKOFF_INITIAL,
                        t::IMAGE_BACKOFF_MAX,
                        t::IMAGE_BACKOFF_RESET,
                    );
                    c.pull_error = msg.clone();
                    cx.events.push((
                        "Warning",
                        "Failed",
                        format!("Failed to pull image \"{shown}\": {msg}"),
                    ));
                    cx.events
                        .push(("Warning", "Failed", "Error: ErrImagePull".into()));
                    c.state = CState::Waiting {
                        reason: "ErrImagePull".into(),
                        message: Some(msg),
                        retry_at: Some(done + t::PLEG_RELIST),
                    };
                }
            }
            true
        }
        CState::Running { started, stop } => {
            if let Some((done, result)) = c.post_start.clone() {
                if done <= now && stop.is_none() {
                    match result {
                        Ok(()) => {
                            c.post_start = None;
                            c.start_error = None;
                        }
                        Err(msg) => post_start_failed(c, started, done, msg, cx),
                    }
                    return true;
                }
            }
            let natural = c
                .runs
                .last()
                .and_then(|r| r.exit.clone())
                .map(|e| (started + e.after, e));
            let stop_at = stop.as_ref().map(|s| s.exit_at);
            match (natural, stop_at) {
                (Some((at, e)), s) if at <= now && s.is_none_or(|s| at <= s) => {
                    let reason = if e.oom {
                        "OOMKilled"
                    } else if e.code == 0 {
                        "Completed"
                    } else {
                        "Error"
                    };
                    terminate(c, at, e.code, reason, terminating, &policy);
                    return true;
                }
                (_, Some(s)) if s <= now => {
                    let code = stop.as_ref().map(|s| s.code).unwrap_or(137);
                    let reason = if code == 0 { "Completed" } else { "Error" };
                    terminate(c, s, code, reason, terminating, &policy);
                    return true;
                }
                _ => {}
            }
            if stop.is_some() || terminating {
                return false;
            }
            run_probes(c, started, now, &pod_ip, cx)
        }
        CState::Terminated {
            term,
            restart_at: Some(r),
        } if r <= now => {
            let finished = term.finished;
            c.last_term = Some(term);
            if let Some(delay) = c
                .crash_backoff
                .in_backoff(finished, now, t::CRASHLOOP_RESET)
            {
                let pod = format_pod(cx.pod);
                cx.events.push((
                    "Warning",
                    "BackOff",
                    format!(
                        "Back-off restarting failed container {} in pod {pod}",
                        c.name
                    ),
                ));
                c.state = CState::Waiting {
                    reason: "CrashLoopBackOff".into(),
                    message: Some(format!(
                        "back-off {} restarting failed container={} pod={pod}",
                        go_duration(delay),
                        c.name
                    )),
                    retry_at: Some(finished + delay),
                };
            } else {
                c.crash_backoff.next(
                    finished,
                    t::CRASHLOOP_INITIAL,
                    t::CRASHLOOP_MAX,
                    t::CRASHLOOP_RESET,
                );
                c.state = CState::Waiting {
                    reason: c.creating_reason().into(),
                    message: None,
                    retry_at: Some(now),
                };
            }
            true
        }
        _ => false,
    }
}

/// A postStart hook failed at `at`: `FailedPostStartHook`, then the
/// container is killed with the pod's grace period (`startContainer`).
fn post_start_failed(c: &mut Ctr, started: SimTime, at: SimTime, msg: String, cx: &mut Cx) {
    cx.events.push((
        "Warning",
        "FailedPostStartHook",
        "PostStartHook failed".into(),
    ));
    cx.events
        .push(("Normal", "Killing", "FailedPostStartHook".into()));
    c.start_error = Some(("PostStartHookError".into(), msg));
    kill_running(c, started, at, None, cx);
}

/// `killContainer` of a running container the kubelet restarts: preStop,
/// then SIGTERM, with the grace period given (a probe's
/// `terminationGracePeriodSeconds`) or the pod's, default 30 s, at least 1 s.
fn kill_running(c: &mut Ctr, started: SimTime, at: SimTime, grace: Option<i64>, cx: &mut Cx) {
    let grace = grace
        .or(cx
            .pod
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds))
        .unwrap_or(30)
        .max(1) as u64;
    stop_running(c, started, at, Duration::from_secs(grace), cx);
}

/// Stops a running container: its preStop hook, then SIGTERM with `grace`
/// before SIGKILL (what the program does with SIGTERM decides when).
fn stop_running(c: &mut Ctr, started: SimTime, at: SimTime, grace: Duration, cx: &mut Cx) {
    let on = c.runs.last().expect("running").behaviour.on_sigterm();
    let hook = pre_stop(c, started, at, cx);
    c.state = CState::Running {
        started,
        stop: Some(stop_for(&on, at, grace, hook)),
    };
}

fn terminate(c: &mut Ctr, at: SimTime, code: i32, reason: &str, terminating: bool, policy: &str) {
    let Some(run) = c.runs.last_mut() else { return };
    run.finished = Some(at);
    let term = Term {
        exit_code: code,
        reason: reason.into(),
        started: run.started,
        finished: at,
        container_id: run.id.clone(),
    };
    let restart = !terminating
        && if c.sidecar {
            true
        } else if c.init {
            code != 0 && policy != "Never"
        } else {
            policy == "Always" || (policy == "OnFailure" && code != 0)
        };
    c.ready = false;
    c.started = false;
    c.post_start = None;
    for w in c.probes.values_mut() {
        w.next = None;
    }
    c.state = CState::Terminated {
        term,
        restart_at: restart.then_some(at + t::PLEG_RELIST),
    };
}

/// `EnsureImageExists`, then create and start
/// (`pkg/kubelet/images/image_manager.go`, `kuberuntime_container.go`).
fn begin_start(c: &mut Ctr, cx: &mut Cx) {
    let now = cx.now;
    if let Err(msg) = config_check(&c.spec, cx) {
        cx.events
            .push(("Warning", "Failed", format!("Error: {msg}")));
        c.state = CState::Waiting {
            reason: "CreateContainerConfigError".into(),
            message: Some(msg),
            retry_at: Some(now + Duration::from_secs(10)),
        };
        return;
    }
    let shown = c.image.clone();
    let Some(r) = c.image_ref.clone() else {
        let msg = format!("Failed to apply default image tag \"{shown}\": couldn't parse image name \"{shown}\": invalid reference format");
        cx.events.push(("Warning", "InspectFailed", msg.clone()));
        cx.events
            .push(("Warning", "Failed", "Error: InvalidImageName".into()));
        c.state = CState::Waiting {
            reason: "InvalidImageName".into(),
            message: Some(msg),
            retry_at: None,
        };
        return;
    };
    let present = cx.agent.images.present.contains(&r.full());
    let policy = c
        .spec
        .image_pull_policy
        .clone()
        .unwrap_or_else(|| "IfNotPresent".into());
    if policy == "Never" || (policy == "IfNotPresent" && present) {
        if !present {
            let msg =
                format!("Container image \"{shown}\" is not present with pull policy of Never");
            cx.events
                .push(("Warning", "ErrImageNeverPull", msg.clone()));
            cx.events
                .push(("Warning", "Failed", "Error: ErrImageNeverPull".into()));
            c.state = CState::Waiting {
                reason: "ErrImageNeverPull".into(),
                message: Some(msg),
                retry_at: None,
            };
            return;
        }
        cx.events.push((
            "Normal",
            "Pulled",
            format!("Container image \"{shown}\" already present on machine"),
        ));
        start_container(c, now, cx);
        return;
    }
    if let Some(delay) = c
        .image_backoff
        .in_backoff_since_update(now, t::IMAGE_BACKOFF_RESET)
    {
        cx.events.push((
            "Normal",
            "BackOff",
            format!("Back-off pulling image \"{shown}\""),
        ));
        cx.events
            .push(("Warning", "Failed", "Error: ImagePullBackOff".into()));
        c.state = CState::Waiting {
            reason: "ImagePullBackOff".into(),
            message: Some(format!(
                "Back-off pulling image \"{shown}\": ErrImagePull: {}",
                c.pull_error
            )),
            retry_at: c.image_backoff.last_update().map(|l| l + delay),
        };
        return;
    }
    cx.events
        .push(("Normal", "Pulling", format!("Pulling image \"{shown}\"")));
    let has_secret = cx
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.image_pull_secrets.as_ref())
        .is_some_and(|v| !v.is_empty());
    let lookup = images::lookup(cx.catalogue, &r, has_secret);
    let (took, result) = match &lookup {
        Lookup::Found(spec) if present => (t::PULL_MANIFEST_ONLY, Ok(spec.size)),
        Lookup::Found(spec) => (cx.agent.images.transfer(spec.size), Ok(spec.size)),
        other => (
            t::PULL_RESOLVE_FAILURE,
            Err(images::pull_error_message(&r, other)),
        ),
    };
    let (started, done) = cx.agent.images.book(now, took);
    let shown = match &c.state {
        CState::Waiting {
            reason, message, ..
        } if reason == "ImagePullBackOff" || reason == "ErrImagePull" => {
            Some((reason.clone(), message.clone()))
        }
        _ => None,
    };
    c.state = CState::Pulling {
        done,
        requested: now,
        started,
        result,
        shown,
    };
}

fn start_container(c: &mut Ctr, at: SimTime, cx: &mut Cx) {
    if !c.runs.is_empty() {
        c.restarts += 1;
    }
    let default = c
        .image_ref
        .as_ref()
        .and_then(|r| match images::lookup(cx.catalogue, r, true) {
            Lookup::Found(s) => Some(s.behaviour),
            _ => None,
        })
        .unwrap_or_else(|| "shell".into());
    let env = behaviour_env(c, cx);
    let behaviour = behaviours::choose(&default, &c.image, &c.argv(), &env);
    let exit = behaviour.exit(c.memory_limit());
    if let Some(r) = &c.image_ref {
        c.image_id = format!("{}@{}", r.repository, images::digest_of(r));
    }
    c.runs.push(Run {
        id: hex_id(cx.rng),
        started: at,
        finished: None,
        behaviour,
        exit,
    });
    if c.runs.len() > 2 {
        c.runs.remove(0);
    }
    cx.events.push((
        "Normal",
        "Created",
        format!("Created container: {}", c.name),
    ));
    cx.events
        .push(("Normal", "Started", format!("Started container {}", c.name)));
    c.state = CState::Running {
        started: at,
        stop: None,
    };
    c.post_start = c
        .spec
        .lifecycle
        .as_ref()
        .and_then(|l| l.post_start.as_ref())
        .map(|h| {
            let run = c.runs.last().expect("pushed above");
            let o = hooks::run(
                h,
                &c.spec,
                &run.behaviour,
                Duration::ZERO,
                &cx.pod_ip,
                &format_pod(cx.pod),
            );
            (at + o.took, o.result)
        });
    c.probes.clear();
    if c.post_start.is_none() {
        c.start_error = None;
    }
    let has_startup = c.spec.startup_probe.is_some();
    c.started = !has_startup;
    c.ready = c.started && c.spec.readiness_probe.is_none();
    if has_startup {
        c.probes.insert(
            probes::Kind::Startup,
            probes::Worker {
                next: Some(at),
                ..Default::default()
            },
        );
    } else {
        start_probe_workers(c, at);
    }
}

fn start_probe_workers(c: &mut Ctr, at: SimTime) {
    if c.spec.liveness_probe.is_some() {
        c.probes.insert(
            probes::Kind::Liveness,
            probes::Worker {
                next: Some(at),
                ok: true,
                ..Default::default()
            },
        );
    }
    if c.spec.readiness_probe.is_some() {
        c.probes.insert(
            probes::Kind::Readiness,
            probes::Worker {
                next: Some(at),
                ..Default::default()
            },
        );
    }
}

/// Runs the probes due now; true if anything changed.
fn run_probes(c: &mut Ctr, started: SimTime, now: SimTime, pod_ip: &str, cx: &mut Cx) -> bool {
    // The prober sees the container Running only once postStart returned.
    if c.post_start.is_some() {
        return false;
    }
    let due = c
        .probes
        .iter()
        .find(|(_, w)| w.next.is_some_and(|n| n <= now))
        .map(|(k, w)| (*k, w.next.unwrap_or(now)));
    let Some((kind, at)) = due else {
        return false;
    };
    let probe = match kind {
        probes::Kind::Startup => c.spec.startup_probe.clone(),
        probes::Kind::Liveness => c.spec.liveness_probe.clone(),
        probes::Kind::Readiness => c.spec.readiness_probe.clone(),
    }
    .expect("worker exists only for a probe");
    let elapsed = at.since(started);
    let w = c.probes.get_mut(&kind).expect("found");
    w.next = Some(at + probes::period(&probe));
    // `worker.go` doProbe: nothing before initialDelaySeconds.
    if (elapsed.as_secs() as i32) < probe.initial_delay_seconds.unwrap_or(0) {
        return true;
    }
    let behaviour = &c.runs.last().expect("running").behaviour;
    let (ns, name) = (
        cx.pod.metadata.namespace.as_deref().unwrap_or_default(),
        cx.pod.metadata.name.as_deref().unwrap_or_default(),
    );
    let board = &cx.store.load;
    let backlog = |port: u16| board.wait(ns, name, port, at);
    let result = probes::run(&probe, &c.spec, behaviour, elapsed, pod_ip, &backlog);
    let success_threshold = probe.success_threshold.unwrap_or(1);
    let failure_threshold = probe.failure_threshold.unwrap_or(3);
    let w = c.probes.get_mut(&kind).expect("found");
    match result {
        Ok(()) => {
            w.failures = 0;
            w.successes += 1;
            if w.successes >= success_threshold {
                w.ok = true;
            }
        }
        Err(msg) => {
            w.successes = 0;
            w.failures += 1;
            cx.events.push((
                "Warning",
                "Unhealthy",
                format!("{} probe failed: {msg}", kind.word()),
            ));
            if w.failures >= failure_threshold {
                w.ok = false;
            }
        }
    }
    let ok = w.ok;
    let failed = !ok && w.failures >= failure_threshold;
    match kind {
        probes::Kind::Startup if ok => {
            c.probes.remove(&kind);
            c.started = true;
            c.ready = c.spec.readiness_probe.is_none();
            start_probe_workers(c, at);
        }
        probes::Kind::Startup | probes::Kind::Liveness if failed => {
            cx.events.push((
                "Normal",
                "Killing",
                format!(
                    "Container {} failed {} probe, will be restarted",
                    c.name,
                    kind.word().to_lowercase()
                ),
            ));
            kill_running(c, started, at, probe.termination_grace_period_seconds, cx);
            for w in c.probes.values_mut() {
                w.next = None;
            }
        }
        probes::Kind::Readiness => c.ready = ok && c.started,
        _ => {}
    }
    true
}

/// Env vars, Services the container can resolve, for the behaviour.
fn behaviour_env(c: &Ctr, cx: &Cx) -> behaviours::Env {
    let ns = cx.pod.metadata.namespace.as_deref().unwrap_or("default");
    let mut env = behaviours::Env::default();
    for e in c.spec.env.iter().flatten() {
        env.env.insert(e.name.clone());
    }
    for s in cx
        .store
        .list_as::<k8s_openapi::api::core::v1::Service>(Some(ns))
    {
        let ip = s
            .spec
            .as_ref()
            .and_then(|s| s.cluster_ip.clone())
            .unwrap_or_default();
        if let Some(name) = &s.metadata.name {
            env.services.insert(name.clone(), ip.clone());
            env.services.insert(format!("{name}.{ns}"), ip.clone());
        }
        env.cluster_ips.insert(ip);
    }
    env.pod_ip = String::new();
    env
}

/// `makeEnvironmentVariables`: a missing ConfigMap, Secret or key that is
/// not optional is a CreateContainerConfigError.
fn config_check(c: &Container, cx: &Cx) -> Result<(), String> {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    let ns = cx.pod.metadata.namespace.as_deref().unwrap_or("default");
    for e in c.env.iter().flatten() {
        let Some(from) = &e.value_from else { continue };
        if let Some(r) = &from.config_map_key_ref {
            if r.optional == Some(true) {
                continue;
            }
            match cx.store.get_as::<ConfigMap>(ns, &r.name) {
                None => return Err(format!("configmap \"{}\" not found", r.name)),
                Some(cm) if !cm.data.as_ref().is_some_and(|d| d.contains_key(&r.key)) => {
                    return Err(format!(
                        "couldn't find key {} in ConfigMap {ns}/{}",
                        r.key, r.name
                    ))
                }
                _ => {}
            }
        }
        if let Some(r) = &from.secret_key_ref {
            if r.optional == Some(true) {
                continue;
            }
            match cx.store.get_as::<Secret>(ns, &r.name) {
                None => return Err(format!("secret \"{}\" not found", r.name)),
                Some(s)
                    if !s.data.as_ref().is_some_and(|d| d.contains_key(&r.key))
                        && !s
                            .string_data
                            .as_ref()
                            .is_some_and(|d| d.contains_key(&r.key)) =>
                {
                    return Err(format!(
                        "couldn't find key {} in Secret {ns}/{}",
                        r.key, r.name
                    ))
                }
                _ => {}
            }
        }
    }
    for e in c.env_from.iter().flatten() {
        if let Some(r) = &e.config_map_ref {
            if r.optional != Some(true) && cx.store.get_as::<ConfigMap>(ns, &r.name).is_none() {
                return Err(format!("configmap \"{}\" not found", r.name));
            }
        }
        if let Some(r) = &e.secret_ref {
            if r.optional != Some(true) && cx.store.get_as::<Secret>(ns, &r.name).is_none() {
                return Err(format!("secret \"{}\" not found", r.name));
            }
        }
    }
    Ok(())
}

/// A ConfigMap or Secret volume whose object is missing: FailedMount.
fn missing_volume(cx: &Cx) -> Option<String> {
    use k8s_openapi::api::core::v1::{ConfigMap, Secret};
    let ns = cx.pod.metadata.namespace.as_deref().unwrap_or("default");
    for v in cx.pod.spec.as_ref()?.volumes.iter().flatten() {
        if let Some(cm) = &v.config_map {
            if cm.optional != Some(true) && cx.store.get_as::<ConfigMap>(ns, &cm.name).is_none() {
                return Some(format!(
                    "MountVolume.SetUp failed for volume \"{}\" : configmap \"{}\" not found",
                    v.name, cm.name
                ));
            }
        }
        if let Some(s) = &v.secret {
            let name = s.secret_name.clone().unwrap_or_default();
            if s.optional != Some(true) && cx.store.get_as::<Secret>(ns, &name).is_none() {
                return Some(format!(
                    "MountVolume.SetUp failed for volume \"{}\" : secret \"{name}\" not found",
                    v.name
                ));
            }
        }
    }
    None
}

impl Controller for Kubelet {
    fn name(&self) -> &'static str {
        "kubelet"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Pod(p) => {
                let Some(_node) = p.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                    return;
                };
                let key = object_key(
                    p.metadata.namespace.as_deref(),
                    p.metadata.name.as_deref().unwrap_or(""),
                );
                // The kubelet's own status writes need no new sync (but an
                // eviction in progress keeps its timers through them).
                let evicting = self.pods.get(&key).is_some_and(|rt| rt.evicted.is_some());
                if ev.event_type == WatchEventType::Modified
                    && self.pods.contains_key(&key)
                    && !evicting
                {
                    if let Some(Object::Pod(old)) = ev.old.as_deref() {
                        if old.spec == p.spec
                            && old.metadata.deletion_timestamp == p.metadata.deletion_timestamp
                        {
                            return;
                        }
                    }
                }
                q.add(key);
            }
            Object::Node(n) if ev.event_type != WatchEventType::Modified => {
                q.add(SCRAPE_KEY.to_string());
                q.add(format!(
                    "{NODE_PREFIX}{}",
                    n.metadata.name.as_deref().unwrap_or("")
                ));
            }
            _ => {}
        }
    }
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        if key == SCRAPE_KEY {
            return self.scrape(ctx);
        }
        match key.strip_prefix(NODE_PREFIX) {
            Some(node) => self.sync_node(node, ctx),
            None => self.sync_pod(key, ctx),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

#[cfg(test)]
mod usage_tests {
    use super::usage_hash;
    use crate::sim::rng::fnv1a;

    /// The metrics wobble hashes the bytes of `format!("{id}{window}")`:
    /// building them on the stack must give the same hash (same `kubectl
    /// top` numbers as before).
    #[test]
    fn usage_hash_is_fnv1a_of_id_and_window() {
        for (id, w) in [
            ("", 0u64),
            ("abc", 7),
            ("0123456789abcdef", 120_000_000),
            ("x", u64::MAX),
        ] {
            assert_eq!(usage_hash(id, w), fnv1a(format!("{id}{w}").as_bytes()));
        }
    }
}
