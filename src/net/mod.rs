//! The simulated cluster network: addresses, Services, endpoints, DNS,
//! kube-proxy, NetworkPolicy, Ingress, and the traffic of the applications
//! that run in pods (DockerCoins above all). See `docs/network.md`.
//!
//! The control-plane parts are controllers writing through the store
//! (`ipam` in admission, `endpoints`, `endpointslice`, `service_lb`). The
//! data plane is the [`Network`] component: it watches pods, nodes,
//! Services, EndpointSlices, NetworkPolicies and Ingresses, keeps compact
//! tables of them, and runs the traffic [`engine`] between events of the
//! world, never touching the store per packet. Front ends reach it with
//! the functions of [`tools`] (curl, httping, ping, nslookup...).

pub mod addr;
pub mod apps;
pub mod dns;
pub mod dockercoins;
pub mod docroot;
pub mod endpoints;
pub mod endpointslice;
pub mod engine;
pub mod expose;
pub mod http;
pub mod ingress;
pub mod ingress_status;
pub mod ipam;
pub mod latency;
pub mod logs;
pub mod policy;
pub mod proxy;
pub mod redis;
pub mod registry;
pub mod service_lb;
pub mod sha256;
pub mod testkit;
pub mod tools;
pub mod topology;
mod wheel;

use crate::controllers::{Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent};
use crate::sim::{SimTime, World};
use engine::Engine;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use latency::{timings, Micros, Site, OUTSIDE};
use logs::LogLine;
use std::any::Any;
use std::collections::BTreeSet;
use std::time::Duration;

/// The network: kube-proxy, CoreDNS, the CNI and the applications' traffic.
pub struct Network {
    eng: Engine,
    /// Objects changed since the last reconcile.
    dirty: BTreeSet<(Kind, String, String)>,
    /// Services whose kube-proxy rules wait for the next sync.
    proxy_dirty: BTreeSet<(String, String)>,
    last_proxy_sync: Option<Micros>,
    started: bool,
    /// Pods whose load is on the store's board.
    published: BTreeSet<(String, String)>,
}

/// The key the network reconciles (it has one: "run the traffic").
pub const SYNC_KEY: &str = "sync";

impl Network {
    pub fn new(seed: u64) -> Network {
        Network {
            eng: Engine::new(seed),
            dirty: BTreeSet::new(),
            proxy_dirty: BTreeSet::new(),
            last_proxy_sync: None,
            started: false,
            published: BTreeSet::new(),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.eng
    }
    pub fn engine_mut(&mut self) -> &mut Engine {
        &mut self.eng
    }

    /// Brings the traffic up to `now` (events up to it run).
    pub fn catch_up(&mut self, now: SimTime) {
        self.eng.run_until(now.0 * 1000);
    }

    /// Applies the changed objects: DNS, pods and the rest at once,
    /// kube-proxy's rules at its next allowed sync.
    fn apply(&mut self, store: &Store) {
        let dirty = std::mem::take(&mut self.dirty);
        // Nodes and namespaces first: pods refer to them.
        let (first, rest): (Vec<_>, Vec<_>) = dirty
            .into_iter()
            .partition(|(k, _, _)| matches!(k, Kind::Node | Kind::Namespace));
        for (kind, ns, name) in first.into_iter().chain(rest) {
            match kind {
                Kind::Node => {
                    if let Some(n) = store.get_as::<Node>("", &name) {
                        let site = self.eng.topo.upsert_node(topology::describe_node(n));
                        // Pods bound before the node was known.
                        for p in self.eng.topo.pods.iter_mut() {
                            if p.live && p.node_name.as_deref() == Some(name.as_str()) {
                                p.site = site;
                            }
                        }
                        self.eng.net_gen += 1;
                    }
                    let hosts = self
                        .eng
                        .topo
                        .nodes
                        .iter()
                        .map(|n| (n.name.clone(), n.ip))
                        .collect();
                    self.eng.dns.set_hosts(hosts);
                }
                Kind::Namespace => {
                    match store.get_as::<Namespace>("", &name) {
                        Some(n) => {
                            let mut labels = n.metadata.labels.clone().unwrap_or_default();
                            labels
                                .entry("kubernetes.io/metadata.name".into())
                                .or_insert_with(|| name.clone());
                            self.eng.topo.ns_labels.insert(name.clone(), labels);
                        }
                        None => {
                            self.eng.topo.ns_labels.remove(&name);
                        }
                    }
                    self.eng.dns.namespaces = self.eng.topo.ns_labels.keys().cloned().collect();
                    self.eng.policies.gen += 1;
                }
                Kind::Pod => {
                    let desc = store
                        .get_as::<Pod>(&ns, &name)
                        .map(|p| topology::describe_pod(&registry::with_config_env(store, p)));
                    self.eng.apply_pod(&ns, &name, desc);
                }
                Kind::Service => {
                    let dns = store
                        .get_as::<Service>(&ns, &name)
                        .and_then(|s| dns_view(store, s));
                    self.eng.dns.set_service(&ns, &name, dns);
                    self.proxy_dirty.insert((ns, name));
                }
                Kind::NetworkPolicy => {
                    self.eng
                        .policies
                        .set(&ns, &name, store.get_as::<NetworkPolicy>(&ns, &name));
                }
                Kind::Ingress => {
                    self.eng
                        .ingresses
                        .set_ingress(&ns, &name, store.get_as::<Ingress>(&ns, &name));
                }
                Kind::IngressClass => {
                    self.eng
                        .ingresses
                        .set_class(&name, store.get_as::<IngressClass>("", &name));
                }
                _ => {}
            }
        }
    }

    /// kube-proxy's BoundedFrequencyRunner: applies pending rule changes
    /// if the last sync is at least `minSyncPeriod` ago; otherwise says
    /// when it may.
    fn sync_proxy(&mut self, store: &Store, now: Micros) -> Option<Micros> {
        if self.proxy_dirty.is_empty() {
            return None;
        }
        if let Some(last) = self.last_proxy_sync {
            let next = last + timings::PROXY_MIN_SYNC_US;
            if now < next {
                return Some(next);
            }
        }
        for (ns, name) in std::mem::take(&mut self.proxy_dirty) {
            let svc = store.get_as::<Service>(&ns, &name);
            let rules = svc.and_then(|s| {
                let slices: Vec<&EndpointSlice> = slices_of(store, &ns, &name).collect();
                proxy::build(s, &slices, &self.eng.topo)
            });
            self.eng.proxy.program(&ns, &name, rules);
        }
        self.last_proxy_sync = Some(now);
        None
    }

    /// Publishes the backlog of the ports pods' HTTP probes GET on the
    /// store's load board (the kubelet's prober reads it), and forgets
    /// pods that are gone or no longer probed.
    fn publish_load(&mut self, store: &mut Store, now: SimTime) {
        if self.published.is_empty() && !self.eng.has_probed() {
            return;
        }
        let mut seen = BTreeSet::new();
        for (ns, pod, waits) in self.eng.probed_waits() {
            let load = crate::sim::store::load::PodLoad {
                at: now,
                waits: waits
                    .into_iter()
                    .map(|(p, us)| (p, Duration::from_micros(us)))
                    .collect(),
            };
            store.load.publish(ns, pod, load);
            seen.insert((ns.to_string(), pod.to_string()));
        }
        for gone in self.published.difference(&seen) {
            store.load.remove(&gone.0, &gone.1);
        }
        self.published = seen;
    }

    // ----- what other parts of kubesim read --------------------------

    /// The lines a container of a pod wrote (all containers if None), as
    /// far as the network models them (access logs, worker output).
    pub fn logs(&self, ns: &str, pod: &str, container: Option<&str>) -> Vec<LogLine> {
        let Some(id) = self.eng.topo.pod_id(ns, pod) else {
            return Vec::new();
        };
        let mut out: Vec<LogLine> = self.eng.topo.pods[id as usize]
            .procs
            .iter()
            .filter(|p| container.is_none_or(|c| p.container == c))
            .flat_map(|p| p.log.lines(self.eng.epoch))
            .collect();
        out.sort_by_key(|l| l.time);
        out
    }

    /// The lines a container's traffic made it write (access lines, the
    /// DockerCoins worker's output), without its start-up banner: what
    /// `kubectl logs` adds to the kubelet's lines.
    pub fn traffic_logs(&self, ns: &str, pod: &str, container: &str) -> Vec<LogLine> {
        let Some(id) = self.eng.topo.pod_id(ns, pod) else {
            return Vec::new();
        };
        self.eng.topo.pods[id as usize]
            .procs
            .iter()
            .filter(|p| p.container == container)
            .flat_map(|p| p.log.traffic_lines(self.eng.epoch))
            .collect()
    }

    /// Removes and returns the lines written so far, per container.
    pub fn take_logs(&mut self, ns: &str, pod: &str) -> Vec<(String, LogLine)> {
        let Some(id) = self.eng.topo.pod_id(ns, pod) else {
            return Vec::new();
        };
        let epoch = self.eng.epoch;
        let mut out = Vec::new();
        for p in &mut self.eng.topo.pods[id as usize].procs {
            for l in p.log.take(epoch) {
                out.push((p.container.clone(), l));
            }
        }
        out
    }

    /// Runs a Redis command in a pod's Redis server (`kubectl exec redis
    /// -- redis-cli GET hashes`); the reply as redis-cli prints it.
    pub fn redis_cli(&mut self, ns: &str, pod: &str, args: &[String]) -> Result<String, String> {
        let id = self
            .eng
            .topo
            .pod_id(ns, pod)
            .ok_or_else(|| format!("pod {pod} not found"))?;
        for p in &mut self.eng.topo.pods[id as usize].procs {
            if let topology::ProcState::Redis(db) = &mut p.state {
                let reply = db.exec(&redis::RedisCmd::Args(Box::new(args.to_vec())));
                return Ok(redis::format_cli(&reply));
            }
        }
        Err("Could not connect to Redis at 127.0.0.1:6379: Connection refused".into())
    }

    /// The value of `hashes` and the size of `wallet` in a Redis pod.
    pub fn redis_counters(&self, ns: &str, pod: &str) -> Option<(i64, usize)> {
        let id = self.eng.topo.pod_id(ns, pod)?;
        self.eng.topo.pods[id as usize]
            .procs
            .iter()
            .find_map(|p| match &p.state {
                topology::ProcState::Redis(db) => {
                    Some((db.int("hashes").unwrap_or(0), db.hash_len("wallet")))
                }
                _ => None,
            })
    }

    /// Requests simulated so far.
    pub fn requests(&self) -> u64 {
        self.eng.stats.requests
    }

    fn site(&self, name: &str) -> Result<Site, String> {
        if name == "outside" {
            return Ok(OUTSIDE);
        }
        self.eng
            .topo
            .node_site(name)
            .ok_or_else(|| format!("no node named {name:?}"))
    }

    /// Cuts the link between two nodes (or a node and "outside"): every
    /// packet between them is dropped from now on.
    pub fn partition(&mut self, a: &str, b: &str) -> Result<(), String> {
        let (a, b) = (self.site(a)?, self.site(b)?);
        self.eng.links.cut(a, b);
        self.eng.net_gen += 1;
        Ok(())
    }

    /// Cuts a node from every other node and from outside.
    pub fn isolate(&mut self, node: &str) -> Result<(), String> {
        let n = self.site(node)?;
        for other in (0..self.eng.topo.nodes.len() as Site).chain([OUTSIDE]) {
            if other != n {
                self.eng.links.cut(n, other);
            }
        }
        self.eng.net_gen += 1;
        Ok(())
    }

    pub fn heal(&mut self, a: &str, b: &str) -> Result<(), String> {
        let (a, b) = (self.site(a)?, self.site(b)?);
        self.eng.links.heal(a, b);
        self.eng.net_gen += 1;
        Ok(())
    }

    pub fn heal_all(&mut self) {
        self.eng.links.heal_all();
        self.eng.net_gen += 1;
    }

    /// Adds one-way latency to the link between two sites.
    pub fn set_link_latency(&mut self, a: &str, b: &str, extra: Duration) -> Result<(), String> {
        let (a, b) = (self.site(a)?, self.site(b)?);
        self.eng.links.set_extra(a, b, extra.as_micros() as Micros);
        self.eng.net_gen += 1;
        Ok(())
    }

    /// Sets the base one-way latencies (same node, across nodes, from outside).
    pub fn set_hop_latency(
        &mut self,
        same_node: Duration,
        cross_node: Duration,
        outside: Duration,
    ) {
        self.eng.links.same_node_us = same_node.as_micros() as Micros;
        self.eng.links.cross_node_us = cross_node.as_micros() as Micros;
        self.eng.links.outside_us = outside.as_micros() as Micros;
        self.eng.net_gen += 1;
    }
}

/// A Service as CoreDNS sees it (with its EndpointSlices' endpoints).
fn dns_view(store: &Store, s: &Service) -> Option<dns::DnsSvc> {
    let spec = s.spec.as_ref()?;
    let ns = s.metadata.namespace.clone().unwrap_or_default();
    let name = s.metadata.name.clone().unwrap_or_default();
    let external_name = (spec.type_.as_deref() == Some("ExternalName"))
        .then(|| spec.external_name.clone())
        .flatten();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let mut eps = Vec::new();
    if headless {
        for sl in slices_of(store, &ns, &name) {
            for e in &sl.endpoints {
                let ready = e.conditions.as_ref().and_then(|c| c.ready) != Some(false);
                for a in &e.addresses {
                    if let Some(ip) = addr::parse_ip(a) {
                        eps.push(dns::DnsEp {
                            ip,
                            hostname: e.hostname.clone(),
                            ready,
                        });
                    }
                }
            }
        }
        eps.sort_by_key(|e| e.ip);
    }
    Some(dns::DnsSvc {
        cluster_ip: spec.cluster_ip.as_deref().and_then(addr::parse_ip),
        headless,
        external_name,
        ports: spec
            .ports
            .iter()
            .flatten()
            .map(|p| {
                (
                    p.name.clone().unwrap_or_default(),
                    p.port as u16,
                    topology::Proto::parse(p.protocol.as_deref()),
                )
            })
            .collect(),
        eps,
    })
}

fn slices_of<'a>(
    store: &'a Store,
    ns: &str,
    svc: &'a str,
) -> impl Iterator<Item = &'a EndpointSlice> + 'a {
    store.list_as::<EndpointSlice>(Some(ns)).filter(move |s| {
        s.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(endpointslice::SERVICE_NAME_LABEL))
            .map(String::as_str)
            == Some(svc)
    })
}

impl Controller for Network {
    fn name(&self) -> &'static str {
        "network"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        let m = ev.object.meta();
        let ns = m.namespace.clone().unwrap_or_default();
        let name = m.name.clone().unwrap_or_default();
        let key = match &*ev.object {
            Object::Pod(_) => (Kind::Pod, ns, name),
            Object::Node(_) => (Kind::Node, ns, name),
            Object::Namespace(_) => (Kind::Namespace, ns, name),
            Object::Service(_) => (Kind::Service, ns, name),
            // A slice's change is its Service's change.
            Object::EndpointSlice(s) => match s
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(endpointslice::SERVICE_NAME_LABEL))
            {
                Some(svc) => (Kind::Service, ns, svc.clone()),
                None => return,
            },
            Object::NetworkPolicy(_) => (Kind::NetworkPolicy, ns, name),
            Object::Ingress(_) => (Kind::Ingress, ns, name),
            Object::IngressClass(_) => (Kind::IngressClass, ns, name),
            _ => return,
        };
        self.dirty.insert(key);
        q.add(SYNC_KEY);
    }

    fn reconcile(&mut self, _key: &str, ctx: &mut Ctx) -> Action {
        let now_us = ctx.now.0 * 1000;
        if !self.started {
            self.eng.epoch = ctx.store.epoch();
            self.started = true;
        }
        self.eng.run_until(now_us);
        self.apply(ctx.store);
        self.publish_load(ctx.store, ctx.now);
        let proxy_wake = self.sync_proxy(ctx.store, now_us);
        let next = [self.eng.next_time(), proxy_wake]
            .into_iter()
            .flatten()
            .min();
        match next {
            None => Action::AwaitChange,
            Some(t) => {
                let ms = t.div_ceil(1000);
                Action::RequeueAfter(Duration::from_millis(ms.saturating_sub(ctx.now.0).max(1)))
            }
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The network component of a world.
pub fn network(world: &World) -> Option<&Network> {
    world.controller::<Network>()
}

/// What `kubectl logs` shows for one container, as the REPL and the HTTP
/// API both serve it: the kubelet's buffer (start-up, crashes) with the
/// lines the container's traffic made it write (access lines, the
/// DockerCoins worker's output) merged in by time. Traffic lines belong to
/// the running instance only: a restart starts a new process, so
/// `--previous` reads the kubelet alone.
pub fn container_logs(
    world: &World,
    ns: &str,
    pod: &str,
    container: &str,
    previous: bool,
) -> Result<Vec<crate::controllers::kubelet::LogLine>, crate::sim::store::ApiError> {
    use crate::controllers::kubelet::{Kubelet, LogLine as KubeletLine};
    let now = world.now();
    let Some(kubelet) = world.controller::<Kubelet>() else {
        return Err(crate::sim::store::ApiError::bad_request(
            "no kubelet in this simulation",
        ));
    };
    let mut lines = kubelet.logs(&world.store, ns, pod, Some(container), previous, now)?;
    if !previous {
        if let Some(net) = network(world) {
            lines.extend(
                net.traffic_logs(ns, pod, container)
                    .into_iter()
                    .filter(|l| l.time <= now)
                    .map(|l| KubeletLine {
                        time: l.time,
                        text: l.text,
                    }),
            );
            lines.sort_by_key(|l| l.time);
        }
    }
    Ok(lines)
}

/// The network component of a world, brought up to the world's time.
pub fn network_mut(world: &mut World) -> Option<&mut Network> {
    let now = world.now();
    let net = world.controller_mut::<Network>()?;
    net.catch_up(now);
    Some(net)
}
