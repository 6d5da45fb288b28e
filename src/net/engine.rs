//! The traffic engine: a discrete-event simulation of connections between
//! processes, in integer microseconds, with its own event queue. It never
//! touches the object store: its tables are fed by the `Network`
//! controller from watch events (principle 7).
//!
//! A request is a connection: routed when it is opened (DNS answer,
//! kube-proxy's endpoint choice, NetworkPolicy, partitions), it arrives
//! after the TCP handshake, waits at the server's station if the server is
//! busy (its concurrency is the app's), is served for the app's time, and
//! its answer travels back. Refused connections fail after a round trip;
//! dropped ones after the kernel's SYN timeout. Slots, events and the queue
//! are reused, so a request costs no allocation on the DockerCoins path.

use super::addr::{Ip, IpDisplay};
use super::apps::{self, AppKind, ServeCtx};
use super::dns::{Dns, DnsError, DNS_SERVICE_IP};
use super::http::{HttpRequest, HttpResponse};
use super::ingress::Ingresses;
use super::latency::{timings, Links, Micros, Site, OUTSIDE};
use super::logs::{Entry, LogPath, Method, NginxLine};
use super::policy::{Flow, Policies};
use super::proxy::{Pick, Proxy};
use super::redis::{RedisCmd, RedisDb, RedisReply};
use super::topology::{
    ConnRef, IpOwner, Listener, PodDesc, PodId, Proc, ProcState, Proto, Station, Topology,
};
use super::wheel::Wheel;
use crate::sim::rng::SimRng;
use std::collections::BTreeMap;

/// Where a connection comes from.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Src {
    pub ip: Ip,
    pub site: Site,
    pub pod: Option<PodId>,
}

/// A request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Req {
    /// rng's `GET /<n>` from a worker.
    RngGet(u32),
    /// hasher's `POST /` of 32 random bytes from a worker.
    HashPost,
    Redis(RedisCmd),
    Http(Box<HttpRequest>),
    /// A bare TCP connect (`nc -z`).
    Connect,
}

/// An answer.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Resp {
    #[default]
    None,
    Bytes(u32),
    /// A hex digest, drawn at random (its first 16 hex digits).
    Hash(u64),
    Redis(RedisReply),
    Http(Box<HttpResponse>),
    /// Bytes that are not HTTP (a Redis server answering curl).
    Raw(String),
}

/// Why a connection failed, as the client's socket reports it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// RST or ICMP port unreachable: ECONNREFUSED.
    Refused,
    /// Packets dropped: ETIMEDOUT (after the kernel's retries).
    Timeout,
    /// The server process went away: ECONNRESET.
    Reset,
    /// NXDOMAIN for every candidate name.
    DnsNotFound,
    /// DNS packets dropped: the resolver gave up.
    DnsTimeout,
}

/// Who waits for a connection's answer.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Client {
    Proc { pod: PodId, proc: u16, gen: u32 },
    Tool(u32),
    Child(ConnRef),
    Gone,
}

/// A connection (one request and its answer).
#[derive(Clone, Debug, Default)]
pub struct Conn {
    pub gen: u32,
    pub live: bool,
    pub client: Option<Client>,
    pub src: Option<Src>,
    /// The source address as the server sees it (after SNAT).
    pub seen_src: Ip,
    pub src_port: u16,
    pub server: PodId,
    pub proc: u16,
    pub proc_gen: u32,
    pub listener: u16,
    pub back_us: Micros,
    pub back_path: (Site, Site),
    pub req: Option<Req>,
    pub resp: Resp,
    pub t_open: Micros,
    pub t_connected: Micros,
    pub t_started: Micros,
    /// Progress of a server that waits for its own requests (webui, proxies).
    pub stage: u8,
    pub scratch: i64,
}

/// A connection kept open across requests (redis-py's and node-redis'
/// connection to Redis).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Persist {
    pub pod: PodId,
    pub proc: u16,
    pub gen: u32,
    pub listener: u16,
    pub seen_src: Ip,
    pub fwd_us: Micros,
    pub back_us: Micros,
    pub path: (Site, Site),
}

/// What a tool gets back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Response {
        resp: Resp,
        connected: Micros,
        done: Micros,
        server: PodId,
        /// The server's port speaks TLS.
        tls: bool,
    },
    Failed {
        failure: Failure,
        at: Micros,
    },
}

#[derive(Copy, Clone, Debug)]
pub(crate) enum Act {
    Wake { pod: PodId, proc: u16, gen: u32 },
    Arrive(ConnRef),
    Done(ConnRef),
    Reply(ConnRef),
    Fail(ConnRef, Failure),
}

/// How a new connection is handled.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    To {
        pod: PodId,
        listener: u16,
        seen_src: Ip,
        fwd_us: Micros,
        path: (Site, Site),
    },
    Refused {
        rtt: Micros,
    },
    Dropped,
}

/// Counters.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Requests sent (connections opened and requests on kept connections).
    pub requests: u64,
    pub events: u64,
    /// Name lookups computed (not served from a client's cache).
    pub lookups: u64,
}

/// The traffic engine.
pub struct Engine {
    pub now: Micros,
    /// Events by (time, order scheduled).
    queue: Wheel<Act>,
    pub rng: SimRng,
    pub epoch: jiff::Timestamp,
    pub topo: Topology,
    pub dns: Dns,
    pub proxy: Proxy,
    pub policies: Policies,
    pub ingresses: Ingresses,
    pub links: Links,
    /// Bumped when pods or links change (with the DNS, proxy and policy
    /// generations it keys cached routing decisions).
    pub net_gen: u64,
    conns: Vec<Conn>,
    free_conns: Vec<u32>,
    tools: BTreeMap<u32, (ConnRef, Option<Outcome>)>,
    next_tool: u32,
    pub stats: Stats,
    /// Pods with HTTP probes (sorted): their backlog is published.
    probed: Vec<PodId>,
}

/// How long a server works on a request (before jitter).
#[inline]
fn service_us(app: AppKind, req: Option<&Req>) -> Micros {
    match (app, req) {
        (AppKind::Rng, Some(Req::RngGet(_))) => 101_000,
        (AppKind::Hasher, Some(Req::HashPost)) => 101_000,
        (AppKind::Redis, Some(Req::Redis(_))) => 20,
        (_, Some(Req::Http(h))) => apps::service_time(app, h),
        (_, Some(Req::Connect)) => 0,
        _ => 200,
    }
}

/// Source ports: the Linux ephemeral range.
const EPHEMERAL: (u16, u16) = (32768, 60999);

impl Engine {
    pub fn new(seed: u64) -> Engine {
        Engine {
            now: 0,
            queue: Wheel::default(),
            rng: SimRng::stream(seed, "network"),
            epoch: jiff::Timestamp::UNIX_EPOCH,
            topo: Topology::default(),
            dns: Dns::default(),
            proxy: Proxy::default(),
            policies: Policies::default(),
            ingresses: Ingresses::default(),
            links: Links::default(),
            net_gen: 0,
            conns: Vec::new(),
            free_conns: Vec::new(),
            tools: BTreeMap::new(),
            next_tool: 1,
            stats: Stats::default(),
            probed: Vec::new(),
        }
    }

    /// The wall-clock time of now.
    pub fn wall(&self) -> jiff::Timestamp {
        self.epoch + jiff::SignedDuration::from_micros(self.now as i64)
    }

    /// A key that changes whenever a cached routing decision may change.
    #[inline]
    pub fn route_key(&self) -> [u64; 4] {
        [
            self.dns.gen,
            self.proxy.gen,
            self.policies.gen,
            self.net_gen,
        ]
    }

    // ----- the event loop ----------------------------------------------

    #[inline]
    pub(crate) fn schedule(&mut self, t: Micros, act: Act) {
        self.queue.push(t, act);
    }

    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    /// The time of the next event.
    pub fn next_time(&self) -> Option<Micros> {
        self.queue.peek_time()
    }

    /// Runs every event due at or before `t`; the clock ends at `t`.
    pub fn run_until(&mut self, t: Micros) {
        while let Some((at, act)) = self.queue.pop_until(t) {
            self.now = at;
            self.stats.events += 1;
            match act {
                Act::Wake { pod, proc, gen } => self.on_wake(pod, proc, gen),
                Act::Arrive(c) => self.on_arrive(c),
                Act::Done(c) => self.on_done(c),
                Act::Reply(c) => self.on_reply(c),
                Act::Fail(c, f) => self.on_fail(c, f),
            }
        }
        if t > self.now {
            self.now = t;
        }
    }

    // ----- connections -------------------------------------------------

    fn alloc_conn(&mut self) -> ConnRef {
        let idx = match self.free_conns.pop() {
            Some(i) => i,
            None => {
                self.conns.push(Conn::default());
                (self.conns.len() - 1) as u32
            }
        };
        let c = &mut self.conns[idx as usize];
        c.gen = c.gen.wrapping_add(1);
        c.live = true;
        ConnRef { idx, gen: c.gen }
    }

    fn free_conn(&mut self, r: ConnRef) {
        let c = &mut self.conns[r.idx as usize];
        c.live = false;
        c.req = None;
        c.resp = Resp::None;
        c.client = None;
        self.free_conns.push(r.idx);
    }

    #[inline]
    pub(crate) fn conn(&self, r: ConnRef) -> Option<&Conn> {
        let c = &self.conns[r.idx as usize];
        (c.live && c.gen == r.gen).then_some(c)
    }
    #[inline]
    pub(crate) fn conn_mut(&mut self, r: ConnRef) -> Option<&mut Conn> {
        let c = &mut self.conns[r.idx as usize];
        (c.live && c.gen == r.gen).then_some(c)
    }

    /// Opens a connection from `src` to `dst:port` and sends `req` once it
    /// is established. `delay` is time spent before (a DNS lookup).
    #[allow(clippy::too_many_arguments)]
    pub fn open(
        &mut self,
        src: Src,
        dst: Ip,
        port: u16,
        proto: Proto,
        req: Req,
        client: Client,
        delay: Micros,
    ) -> ConnRef {
        self.stats.requests += 1;
        let route = self.route(src, dst, port, proto);
        let r = self.alloc_conn();
        let src_port = EPHEMERAL.0 + self.rng.below((EPHEMERAL.1 - EPHEMERAL.0) as u64) as u16;
        let now = self.now;
        {
            let c = &mut self.conns[r.idx as usize];
            c.client = Some(client);
            c.src = Some(src);
            c.src_port = src_port;
            c.req = Some(req);
            c.t_open = now;
            c.t_connected = Micros::MAX;
            c.stage = 0;
            c.scratch = 0;
        }
        match route {
            Route::To {
                pod,
                listener,
                seen_src,
                fwd_us,
                path,
            } => {
                let l = &self.topo.pods[pod as usize].listeners[listener as usize];
                let proc = l.proc;
                let proc_gen = self.topo.pods[pod as usize].procs[proc as usize].gen;
                let c = &mut self.conns[r.idx as usize];
                c.server = pod;
                c.proc = proc;
                c.proc_gen = proc_gen;
                c.listener = listener;
                c.seen_src = seen_src;
                // Queueing in the network stacks: up to 100 µs per connection.
                let fwd_us = fwd_us + self.rng.below(fwd_us.min(400) / 4 + 1);
                let c = &mut self.conns[r.idx as usize];
                c.back_us = fwd_us;
                c.back_path = path;
                // SYN, SYN-ACK, then the ACK carrying the request.
                c.t_connected = now + delay + 2 * fwd_us;
                self.schedule(now + delay + 3 * fwd_us, Act::Arrive(r));
            }
            Route::Refused { rtt } => {
                self.schedule(now + delay + rtt, Act::Fail(r, Failure::Refused))
            }
            Route::Dropped => self.schedule(
                now + delay + timings::SYN_TIMEOUT_US,
                Act::Fail(r, Failure::Timeout),
            ),
        }
        r
    }

    /// Establishes a kept connection (routing as `open` does).
    pub(crate) fn connect_persist(
        &mut self,
        src: Src,
        dst: Ip,
        port: u16,
    ) -> Result<Persist, (Failure, Micros)> {
        match self.route(src, dst, port, Proto::Tcp) {
            Route::To {
                pod,
                listener,
                seen_src,
                fwd_us,
                path,
            } => {
                let l = &self.topo.pods[pod as usize].listeners[listener as usize];
                let proc = l.proc;
                Ok(Persist {
                    pod,
                    proc,
                    gen: self.topo.pods[pod as usize].procs[proc as usize].gen,
                    listener,
                    seen_src,
                    fwd_us,
                    back_us: fwd_us,
                    path,
                })
            }
            Route::Refused { rtt } => Err((Failure::Refused, rtt)),
            Route::Dropped => Err((Failure::Timeout, timings::SYN_TIMEOUT_US)),
        }
    }

    /// Sends a request on a kept connection.
    pub(crate) fn send_on(
        &mut self,
        p: &Persist,
        src: Src,
        req: Req,
        client: Client,
        delay: Micros,
    ) -> ConnRef {
        self.stats.requests += 1;
        let r = self.alloc_conn();
        let now = self.now + delay;
        let c = &mut self.conns[r.idx as usize];
        c.client = Some(client);
        c.src = Some(src);
        c.req = Some(req);
        c.t_open = now;
        c.t_connected = now;
        c.stage = 0;
        c.server = p.pod;
        c.proc = p.proc;
        c.proc_gen = p.gen;
        c.listener = p.listener;
        c.seen_src = p.seen_src;
        c.back_us = p.back_us;
        c.back_path = p.path;
        let pod = &self.topo.pods[p.pod as usize];
        let alive = pod.live
            && pod
                .procs
                .get(p.proc as usize)
                .is_some_and(|pr| pr.running && pr.gen == p.gen);
        if !alive {
            let t = now + p.fwd_us + p.back_us;
            self.schedule(t, Act::Fail(r, Failure::Reset));
        } else if self.links.is_cut(p.path.0, p.path.1) {
            self.schedule(
                now + timings::ESTABLISHED_TIMEOUT_US,
                Act::Fail(r, Failure::Timeout),
            );
        } else {
            self.schedule(now + p.fwd_us, Act::Arrive(r));
        }
        r
    }

    // ----- routing -----------------------------------------------------

    /// Decides where a new connection goes.
    pub(crate) fn route(&mut self, src: Src, dst: Ip, port: u16, proto: Proto) -> Route {
        // Loopback stays in the network namespace.
        if dst >> 24 == 127 {
            return match src
                .pod
                .filter(|p| !self.topo.pods[*p as usize].host_network)
            {
                Some(p) => self.deliver_pod(src, p, port, proto, src.ip, src.site, 0),
                // kube-proxy (iptables mode) also serves NodePorts on the
                // node's 127.0.0.1 (`route_localnet`; KUBE-NODEPORTS matches
                // every local address), before any socket sees the packet.
                None if src.site != OUTSIDE && self.proxy.node_port(port, proto).is_some() => {
                    let ip = self.node_ip(src.site);
                    self.route(src, ip, port, proto)
                }
                None => self.deliver_host(src, src.site, port, src.site, 0),
            };
        }
        if let Some(rule) = self.proxy.vip(dst, port, proto) {
            let Some(rule) = rule else {
                return Route::Dropped; // a Service address, but no such port
            };
            let svc = self.proxy.svc(rule);
            let is_cluster_ip = svc.cluster_ip == Some(dst);
            if is_cluster_ip && src.site == OUTSIDE {
                return Route::Dropped; // ClusterIPs are not routed outside
            }
            let (ext_local, int_local) = (svc.ext_local, svc.int_local);
            // Load-balancer and external IPs: the packet enters at a node.
            let entry = if src.site == OUTSIDE {
                let n = self.topo.nodes.len().max(1) as u64;
                self.rng.below(n) as Site
            } else {
                src.site
            };
            let local = if is_cluster_ip {
                int_local.then_some(src.site)
            } else {
                ext_local.then_some(entry)
            };
            let base = if entry == src.site {
                0
            } else {
                self.links.one_way(src.site, entry)
            };
            return match self
                .proxy
                .pick(rule, src.ip, local, self.now, &mut self.rng)
            {
                Pick::Reject => Route::Refused {
                    rtt: 2 * base + 2 * self.links.same_node_us,
                },
                Pick::Drop => Route::Dropped,
                Pick::To(ep) => {
                    // External traffic with policy Cluster is masqueraded.
                    let seen = if !is_cluster_ip && !ext_local && src.site == OUTSIDE {
                        self.node_ip(entry)
                    } else {
                        src.ip
                    };
                    if self.links.is_cut(src.site, entry) {
                        return Route::Dropped;
                    }
                    self.deliver_ip(src, ep.ip, ep.port, proto, seen, entry, base)
                }
            };
        }
        match self.topo.by_ip.get(&dst).copied() {
            Some(IpOwner::Node(n)) => {
                if let Some(rule) = self.proxy.node_port(port, proto) {
                    if self.links.is_cut(src.site, n) {
                        return Route::Dropped;
                    }
                    let ext_local = self.proxy.svc(rule).ext_local;
                    let base = self.links.one_way(src.site, n);
                    let local = ext_local.then_some(n);
                    return match self
                        .proxy
                        .pick(rule, src.ip, local, self.now, &mut self.rng)
                    {
                        Pick::Reject => Route::Refused { rtt: 2 * base },
                        Pick::Drop => Route::Dropped,
                        Pick::To(ep) => {
                            let seen = if ext_local || src.site == n {
                                src.ip
                            } else {
                                self.node_ip(n)
                            };
                            self.deliver_ip(src, ep.ip, ep.port, proto, seen, n, base)
                        }
                    };
                }
                self.deliver_host(src, n, port, src.site, 0)
            }
            Some(IpOwner::Pod(p)) => self.deliver_pod(src, p, port, proto, src.ip, src.site, 0),
            None => Route::Dropped,
        }
    }

    fn node_ip(&self, site: Site) -> Ip {
        self.topo
            .nodes
            .get(site as usize)
            .map(|n| n.ip)
            .unwrap_or(0)
    }

    #[allow(clippy::too_many_arguments)]
    fn deliver_ip(
        &mut self,
        src: Src,
        ip: Ip,
        port: u16,
        proto: Proto,
        seen: Ip,
        entry: Site,
        base: Micros,
    ) -> Route {
        match self.topo.by_ip.get(&ip).copied() {
            Some(IpOwner::Pod(p)) => self.deliver_pod(src, p, port, proto, seen, entry, base),
            Some(IpOwner::Node(n)) => self.deliver_host(src, n, port, entry, base),
            None => Route::Dropped,
        }
    }

    /// To a process in a host-network pod on node `n` (or nothing).
    fn deliver_host(&mut self, src: Src, n: Site, port: u16, entry: Site, base: Micros) -> Route {
        if self.links.is_cut(src.site, entry) || self.links.is_cut(entry, n) {
            return Route::Dropped;
        }
        let fwd = base + self.links.one_way(entry, n);
        match self.topo.host_listener(n, port) {
            Some((pod, l)) => Route::To {
                pod,
                listener: l as u16,
                seen_src: src.ip,
                fwd_us: fwd,
                path: (src.site, n),
            },
            None => Route::Refused { rtt: 2 * fwd },
        }
    }

    /// To a pod's address: partitions, NetworkPolicy, then its listener.
    #[allow(clippy::too_many_arguments)]
    fn deliver_pod(
        &mut self,
        src: Src,
        p: PodId,
        port: u16,
        proto: Proto,
        seen: Ip,
        entry: Site,
        base: Micros,
    ) -> Route {
        let pod = &self.topo.pods[p as usize];
        if !pod.live {
            return Route::Dropped;
        }
        let site = pod.site;
        if self.links.is_cut(src.site, entry) || self.links.is_cut(entry, site) {
            return Route::Dropped;
        }
        if !self.policies.is_empty() {
            let f = Flow {
                src_ip: seen,
                src_pod: if seen == src.ip {
                    src.pod.map(|i| &self.topo.pods[i as usize])
                } else {
                    None
                },
                dst_ip: pod.ip,
                dst_pod: Some(pod),
                port: Some((proto, port)),
            };
            let egress_src = src.pod.map(|i| &self.topo.pods[i as usize]);
            let allowed = self.policies.allows(&self.topo, &f)
                && (seen == src.ip
                    || self.policies.allows(
                        &self.topo,
                        &Flow {
                            src_ip: src.ip,
                            src_pod: egress_src,
                            dst_ip: pod.ip,
                            dst_pod: None,
                            port: Some((proto, port)),
                        },
                    ));
            if !allowed {
                return Route::Dropped;
            }
        }
        let fwd = base + self.links.one_way(entry, site);
        match pod.listener(port) {
            Some(l) => Route::To {
                pod: p,
                listener: l as u16,
                seen_src: seen,
                fwd_us: fwd,
                path: (src.site, site),
            },
            None => Route::Refused { rtt: 2 * fwd },
        }
    }

    /// An ICMP echo: the round trip and the reply's TTL, or None if lost.
    pub fn icmp(&mut self, src: Src, dst: Ip) -> Option<(Micros, u8)> {
        if dst >> 24 == 127 || dst == src.ip {
            return Some((30, 64));
        }
        if self.proxy.is_vip(dst) {
            return None; // iptables mode: nothing answers a ClusterIP
        }
        let (site, dst_pod) = match self.topo.by_ip.get(&dst).copied() {
            Some(IpOwner::Node(n)) => (n, None),
            Some(IpOwner::Pod(p)) => (self.topo.pods[p as usize].site, Some(p)),
            None => return None,
        };
        if self.links.is_cut(src.site, site) {
            return None;
        }
        if let Some(p) = dst_pod {
            if !self.policies.is_empty() {
                let f = Flow {
                    src_ip: src.ip,
                    src_pod: src.pod.map(|i| &self.topo.pods[i as usize]),
                    dst_ip: dst,
                    dst_pod: Some(&self.topo.pods[p as usize]),
                    port: None,
                };
                if !self.policies.allows(&self.topo, &f) {
                    return None;
                }
            }
        }
        // Routers on the way back: the nodes of pod ends, not node ends.
        let mut routers = std::collections::BTreeSet::new();
        if dst_pod.is_some() {
            routers.insert(site);
        }
        if src
            .pod
            .is_some_and(|p| !self.topo.pods[p as usize].host_network)
        {
            routers.insert(src.site);
        } else {
            routers.remove(&src.site);
        }
        let ttl = 64 - routers.len() as u8;
        Some((2 * self.links.one_way(src.site, site) + 20, ttl))
    }

    /// The cost of a DNS lookup from `src` (one round trip to CoreDNS per
    /// query), or why it fails. Host-network processes use the node's
    /// resolver.
    pub(crate) fn dns_path(&mut self, src: Src) -> Result<Micros, Failure> {
        let host = src
            .pod
            .is_none_or(|p| self.topo.pods[p as usize].host_network);
        if host {
            return Ok(100);
        }
        match self.route(src, DNS_SERVICE_IP, 53, Proto::Udp) {
            Route::To { fwd_us, .. } => Ok(2 * fwd_us + timings::DNS_SERVER_US),
            Route::Refused { .. } => Err(Failure::DnsNotFound),
            Route::Dropped => Err(Failure::DnsTimeout),
        }
    }

    /// Resolves `name` for a process in `src`'s pod (or on a node):
    /// the address and the time the lookup took.
    pub fn resolve(&mut self, src: Src, name: &str) -> Result<(Ip, Micros), (Failure, Micros)> {
        self.stats.lookups += 1;
        let pod_ns = src
            .pod
            .filter(|p| !self.topo.pods[*p as usize].host_network)
            .map(|p| self.topo.pods[p as usize].ns.clone());
        let answer = match &pod_ns {
            Some(ns) => self.dns.resolve_in_pod(ns, name),
            None => self.dns.resolve_on_host(name),
        };
        let queries = match &answer {
            Ok(a) => a.queries,
            Err(DnsError::NotFound { queries }) => *queries,
        };
        if queries == 0 {
            if let Ok(a) = answer {
                return Ok((a.ips[0], 0));
            }
        }
        let per_query = match self.dns_path(src) {
            Ok(us) => us,
            Err(Failure::DnsTimeout) => return Err((Failure::DnsTimeout, timings::DNS_TIMEOUT_US)),
            Err(f) => return Err((f, 2 * self.links.same_node_us)),
        };
        let cost = per_query * queries as Micros;
        match answer {
            Ok(a) => Ok((a.ips[0], cost)),
            Err(_) => Err((Failure::DnsNotFound, cost)),
        }
    }

    // ----- servers -----------------------------------------------------

    fn on_arrive(&mut self, r: ConnRef) {
        let Some(c) = self.conn(r) else { return };
        let (pod, proc, gen, l) = (c.server, c.proc, c.proc_gen, c.listener as usize);
        let back = c.back_us;
        let p = &self.topo.pods[pod as usize];
        let alive = p.live
            && p.procs
                .get(proc as usize)
                .is_some_and(|pr| pr.running && pr.gen == gen)
            && p.listeners.get(l).is_some_and(|x| x.proc == proc);
        if !alive {
            // Nobody listens any more: the kernel answers with a reset.
            self.schedule(self.now + back, Act::Fail(r, Failure::Reset));
            return;
        }
        let st = &mut self.topo.pods[pod as usize].listeners[l].station;
        if st.busy < st.capacity {
            st.busy += 1;
            st.in_service.push(r);
            self.start_service(r);
        } else {
            st.queue.push_back(r);
        }
    }

    fn start_service(&mut self, r: ConnRef) {
        let now = self.now;
        let c = &mut self.conns[r.idx as usize];
        if !(c.live && c.gen == r.gen) {
            return;
        }
        c.t_started = now;
        let app = self.topo.pods[c.server as usize].procs[c.proc as usize].app;
        let us = service_us(app, c.req.as_ref());
        // Servers are not metronomes: up to a quarter of the framework's
        // share (at most 250 µs) of jitter.
        let jitter = self.rng.below(us.min(1000) / 4 + 1);
        self.schedule(now + us + jitter, Act::Done(r));
    }

    /// How long a request arriving now at `port` of `pod` would wait
    /// before its server starts on it: when every slot is busy, until the
    /// first in-service request ends, then behind the queued ones (spread
    /// over the slots). Jitter is not known ahead and not counted.
    pub fn queue_wait(&self, pod: PodId, port: u16) -> Micros {
        let p = &self.topo.pods[pod as usize];
        let Some(l) = p.listener(port) else { return 0 };
        let st = &p.listeners[l].station;
        if st.busy < st.capacity {
            return 0;
        }
        let app = p.procs[p.listeners[l].proc as usize].app;
        let svc = |r: &ConnRef| {
            self.conns
                .get(r.idx as usize)
                .filter(|c| c.live && c.gen == r.gen)
                .map(|c| (c.t_started, service_us(app, c.req.as_ref())))
        };
        let first_free = st
            .in_service
            .iter()
            .filter_map(svc)
            .map(|(t0, us)| (t0 + us).saturating_sub(self.now))
            .min()
            .unwrap_or(0);
        let queued: Micros = st.queue.iter().filter_map(svc).map(|(_, us)| us).sum();
        first_free + queued / st.capacity.max(1) as Micros
    }

    pub fn has_probed(&self) -> bool {
        !self.probed.is_empty()
    }

    /// The pods whose probes GET one of their ports, with each such
    /// port's current wait (for the store's load board).
    pub fn probed_waits(&self) -> impl Iterator<Item = (&str, &str, Vec<(u16, Micros)>)> + '_ {
        self.probed.iter().map(|&id| {
            let p = &self.topo.pods[id as usize];
            let waits = p
                .probe_ports
                .iter()
                .map(|&port| (port, self.queue_wait(id, port)))
                .collect();
            (p.ns.as_str(), p.name.as_str(), waits)
        })
    }

    /// Leaves the station and lets the next request in.
    fn leave_station(&mut self, pod: PodId, l: usize, r: ConnRef) {
        let Some(lst) = self.topo.pods[pod as usize].listeners.get_mut(l) else {
            return;
        };
        let st = &mut lst.station;
        if let Some(i) = st.in_service.iter().position(|x| *x == r) {
            st.in_service.swap_remove(i);
            st.busy -= 1;
        }
        // One left, so at most one more is let in.
        if st.busy < st.capacity {
            if let Some(next) = st.queue.pop_front() {
                st.busy += 1;
                st.in_service.push(next);
                self.start_service(next);
            }
        }
    }

    fn on_done(&mut self, r: ConnRef) {
        let Some(c) = self.conn(r) else { return };
        let (pod, l) = (c.server, c.listener as usize);
        let resp = self.respond(r);
        self.leave_station(pod, l, r);
        if let Some(resp) = resp {
            self.finish(r, resp);
        }
    }

    /// Sends the answer back to the client.
    pub(crate) fn finish(&mut self, r: ConnRef, resp: Resp) {
        let now = self.now;
        let cut = {
            let Some(c) = self.conn_mut(r) else { return };
            c.resp = resp;
            c.back_path
        };
        let back = self.conns[r.idx as usize].back_us;
        if self.links.is_cut(cut.0, cut.1) {
            self.schedule(
                now + timings::ESTABLISHED_TIMEOUT_US,
                Act::Fail(r, Failure::Timeout),
            );
        } else {
            self.schedule(now + back, Act::Reply(r));
        }
    }

    /// The server's answer; None when it waits for its own requests.
    fn respond(&mut self, r: ConnRef) -> Option<Resp> {
        let c = &self.conns[r.idx as usize];
        let (pod, proc) = (c.server, c.proc as usize);
        let app = self.topo.pods[pod as usize].procs[proc].app;
        let now = self.now;
        let client = c.seen_src;
        let req = c.req.clone()?;
        if let Req::Http(h) = &req {
            let port = self.topo.pods[pod as usize]
                .listeners
                .get(c.listener as usize)
                .map(|l| l.port)
                .unwrap_or(0);
            if app.is_tls(port) && !h.tls {
                // Go's TLS server answering plain HTTP.
                let resp = HttpResponse::new(400)
                    .h("Content-Type", "text/plain; charset=utf-8")
                    .h("Connection", "close")
                    .body("Client sent an HTTP request to an HTTPS server.\n");
                return Some(Resp::Http(Box::new(resp)));
            }
        }
        match (app, req) {
            (AppKind::Rng, Req::RngGet(n)) => {
                self.topo.pods[pod as usize].procs[proc].log.push(
                    now,
                    Entry::Werkzeug {
                        client,
                        method: Method::Get,
                        path: LogPath::Bytes(n),
                        status: 200,
                    },
                );
                Some(Resp::Bytes(n))
            }
            (AppKind::Hasher, Req::HashPost) => {
                let started = c.t_started;
                let h = self.rng.next_u64();
                self.topo.pods[pod as usize].procs[proc].log.push(
                    now,
                    Entry::Rack {
                        client,
                        method: Method::Post,
                        path: LogPath::Root,
                        status: 200,
                        bytes: 64,
                        dur_us: (now - started) as u32,
                    },
                );
                Some(Resp::Hash(h))
            }
            (AppKind::Redis, Req::Redis(cmd)) => {
                let pr = &mut self.topo.pods[pod as usize].procs[proc];
                if !matches!(pr.state, ProcState::Redis(_)) {
                    pr.state = ProcState::Redis(Box::new(RedisDb::new()));
                }
                let ProcState::Redis(db) = &mut pr.state else {
                    unreachable!()
                };
                Some(Resp::Redis(db.exec(&cmd)))
            }
            (AppKind::Redis, Req::Http(h)) => Some(Resp::Raw(format!(
                "-ERR unknown command '{}', with args beginning with: '{}' \r\n",
                h.method, h.path
            ))),
            (_, Req::Connect) => Some(Resp::None),
            (AppKind::Webui, Req::Http(h)) => self.webui_request(r, &h),
            (AppKind::Traefik, Req::Http(h)) => {
                self.ingress_request(r, &h, super::ingress::ControllerKind::Traefik)
            }
            (AppKind::IngressNginx, Req::Http(h)) => {
                self.ingress_request(r, &h, super::ingress::ControllerKind::Nginx)
            }
            (AppKind::ApiServer, Req::Http(h)) => {
                Some(Resp::Http(Box::new(apiserver_answer(&h, self.wall()))))
            }
            (app, Req::Http(h)) => {
                let wall = self.wall();
                let p = &self.topo.pods[pod as usize];
                let src_port = c.src_port;
                let resp = {
                    let cx = ServeCtx {
                        ns: &p.ns,
                        pod: &p.name,
                        hostname: &p.hostname,
                        env: &p.procs[proc].env,
                        docroot: p.docroot,
                        client: format!("{}:{}", IpDisplay(client), src_port),
                        now: wall,
                    };
                    apps::serve_simple(app, &cx, &h)
                };
                let entry = access_entry(app, client, &h, &resp, now.saturating_sub(c.t_started));
                if let Some(e) = entry {
                    self.topo.pods[pod as usize].procs[proc].log.push(now, e);
                }
                Some(Resp::Http(Box::new(resp)))
            }
            // A worker's fast request reaching another kind of server:
            // answered as that server answers a plain HTTP request.
            (app, Req::RngGet(_) | Req::HashPost) => {
                let method = if matches!(c.req, Some(Req::HashPost)) {
                    "POST"
                } else {
                    "GET"
                };
                let path = match c.req {
                    Some(Req::RngGet(n)) => format!("/{n}"),
                    _ => "/".into(),
                };
                let h = HttpRequest {
                    method: method.into(),
                    ..HttpRequest::get("", &path)
                };
                let p = &self.topo.pods[pod as usize];
                let cx = ServeCtx {
                    ns: &p.ns,
                    pod: &p.name,
                    hostname: &p.hostname,
                    env: &p.procs[proc].env,
                    docroot: p.docroot,
                    client: IpDisplay(client).to_string(),
                    now: self.wall(),
                };
                Some(Resp::Http(Box::new(apps::serve_simple(app, &cx, &h))))
            }
            (_, Req::Redis(_)) => Some(Resp::Raw("HTTP/1.1 400 Bad Request\r\n\r\n".into())),
        }
    }

    // ----- clients -----------------------------------------------------

    fn on_reply(&mut self, r: ConnRef) {
        let Some(c) = self.conn(r) else { return };
        let client = c.client.unwrap_or(Client::Gone);
        match client {
            Client::Proc { pod, proc, gen } => {
                let resp = std::mem::take(&mut self.conns[r.idx as usize].resp);
                self.free_conn(r);
                self.proc_reply(pod, proc, gen, Ok(resp));
            }
            Client::Tool(id) => {
                let tls = {
                    let c = &self.conns[r.idx as usize];
                    let p = &self.topo.pods[c.server as usize];
                    let port = p
                        .listeners
                        .get(c.listener as usize)
                        .map(|l| l.port)
                        .unwrap_or(0);
                    p.procs
                        .get(c.proc as usize)
                        .is_some_and(|pr| pr.app.is_tls(port))
                };
                let c = &mut self.conns[r.idx as usize];
                let out = Outcome::Response {
                    resp: std::mem::take(&mut c.resp),
                    connected: c.t_connected,
                    done: self.now,
                    server: c.server,
                    tls,
                };
                self.free_conn(r);
                if let Some(slot) = self.tools.get_mut(&id) {
                    slot.1 = Some(out);
                }
            }
            Client::Child(parent) => {
                let resp = std::mem::take(&mut self.conns[r.idx as usize].resp);
                self.free_conn(r);
                self.child_reply(parent, Ok(resp));
            }
            Client::Gone => self.free_conn(r),
        }
    }

    fn on_fail(&mut self, r: ConnRef, f: Failure) {
        let Some(c) = self.conn(r) else { return };
        let client = c.client.unwrap_or(Client::Gone);
        self.free_conn(r);
        match client {
            Client::Proc { pod, proc, gen } => self.proc_reply(pod, proc, gen, Err(f)),
            Client::Tool(id) => {
                if let Some(slot) = self.tools.get_mut(&id) {
                    slot.1 = Some(Outcome::Failed {
                        failure: f,
                        at: self.now,
                    });
                }
            }
            Client::Child(parent) => self.child_reply(parent, Err(f)),
            Client::Gone => {}
        }
    }

    /// A reply for a process (the DockerCoins worker, the only client
    /// process modelled), unless it is from an earlier incarnation.
    fn proc_reply(&mut self, pod: PodId, proc: u16, gen: u32, result: Result<Resp, Failure>) {
        if !self.proc_alive(pod, proc, gen) {
            return;
        }
        self.worker_reply(pod, proc, result);
    }

    fn on_wake(&mut self, pod: PodId, proc: u16, gen: u32) {
        if !self.proc_alive(pod, proc, gen) {
            return;
        }
        let pr = &mut self.topo.pods[pod as usize].procs[proc as usize];
        if !pr.listening {
            // Start-up is over: the server binds its ports.
            pr.listening = true;
            self.rebuild_listeners(pod);
            self.net_gen += 1;
            return;
        }
        self.worker_wake(pod, proc);
    }

    #[inline]
    pub(crate) fn proc_alive(&self, pod: PodId, proc: u16, gen: u32) -> bool {
        let p = &self.topo.pods[pod as usize];
        p.live
            && p.procs
                .get(proc as usize)
                .is_some_and(|pr| pr.running && pr.gen == gen)
    }

    /// The source of connections a pod's processes open.
    pub fn pod_src(&self, pod: PodId) -> Src {
        let p = &self.topo.pods[pod as usize];
        Src {
            ip: p.ip,
            site: p.site,
            pod: Some(pod),
        }
    }

    /// Delivers a failure to `client` after `delay` (a lookup that failed
    /// before any connection existed).
    pub(crate) fn fail_later(&mut self, client: Client, f: Failure, delay: Micros) {
        let r = self.alloc_conn();
        let c = &mut self.conns[r.idx as usize];
        c.client = Some(client);
        c.t_open = self.now;
        self.schedule(self.now + delay, Act::Fail(r, f));
    }

    // ----- tools -------------------------------------------------------

    /// Starts a tool request; its outcome is collected with `tool_take`.
    pub fn tool_open(&mut self, src: Src, dst: Ip, port: u16, req: Req, delay: Micros) -> u32 {
        let id = self.next_tool;
        self.next_tool += 1;
        let r = self.open(src, dst, port, Proto::Tcp, req, Client::Tool(id), delay);
        self.tools.insert(id, (r, None));
        id
    }

    pub fn tool_peek(&self, id: u32) -> Option<&Outcome> {
        self.tools.get(&id).and_then(|o| o.1.as_ref())
    }

    /// When the tool's connection was (or will be) established, if it is.
    pub fn tool_connected(&self, id: u32) -> Option<Micros> {
        let (r, _) = self.tools.get(&id)?;
        self.conn(*r)
            .map(|c| c.t_connected)
            .filter(|t| *t != Micros::MAX)
    }

    /// Collects (and forgets) a tool request; later answers are dropped.
    pub fn tool_take(&mut self, id: u32) -> Option<Outcome> {
        let (r, out) = self.tools.remove(&id)?;
        if out.is_none() {
            if let Some(c) = self.conn_mut(r) {
                c.client = Some(Client::Gone);
            }
        }
        out
    }

    // ----- pods and processes ------------------------------------------

    /// Applies a pod's new state (None: deleted).
    pub fn apply_pod(&mut self, ns: &str, name: &str, desc: Option<PodDesc>) {
        let id = self.topo.pod_id(ns, name);
        let Some(d) = desc else {
            if let Some(id) = id {
                for i in 0..self.topo.pods[id as usize].procs.len() {
                    self.stop_proc(id, i);
                }
                self.topo.free_pod(id);
                if let Ok(i) = self.probed.binary_search(&id) {
                    self.probed.remove(i);
                }
                self.net_gen += 1;
            }
            return;
        };
        let id = id.unwrap_or_else(|| self.topo.alloc_pod(ns, name));
        let site = d
            .node
            .as_deref()
            .and_then(|n| self.topo.node_site(n))
            .unwrap_or(OUTSIDE);
        let ip = d.ip.unwrap_or(0);
        {
            let p = &self.topo.pods[id as usize];
            if p.ip != ip
                || p.site != site
                || p.labels != d.labels
                || p.host_network != d.host_network
            {
                self.net_gen += 1;
            }
        }
        self.topo.set_pod_ip(id, ip, d.host_network);
        {
            let p = &mut self.topo.pods[id as usize];
            p.uid = d.uid.clone();
            p.site = site;
            p.node_name = d.node.clone();
            p.host_network = d.host_network;
            p.labels = d.labels.clone();
            p.hostname = d.hostname.clone();
            p.ports = d.ports.clone();
            p.enable_service_links = d.enable_service_links;
            p.probe_ports = d.probe_ports.clone();
            p.docroot = d.docroot;
        }
        let probed = !d.probe_ports.is_empty();
        match (self.probed.binary_search(&id), probed) {
            (Err(i), true) => self.probed.insert(i, id),
            (Ok(i), false) => {
                self.probed.remove(i);
            }
            _ => {}
        }
        // Processes: start, stop or restart by container identity.
        for (ci, cd) in d.containers.iter().enumerate() {
            let idx = match self.topo.pods[id as usize].proc_named(&cd.name) {
                Some(i) => i,
                None => {
                    self.topo.pods[id as usize].procs.push(Proc {
                        container: cd.name.clone(),
                        app: cd.app,
                        running: false,
                        listening: false,
                        gen: 0,
                        identity: String::new(),
                        state: ProcState::None,
                        log: Default::default(),
                        declared_ports: cd.declared_ports.clone(),
                        env: Vec::new(),
                    });
                    self.topo.pods[id as usize].procs.len() - 1
                }
            };
            let _ = ci;
            let (running, identity) = {
                let pr = &self.topo.pods[id as usize].procs[idx];
                (pr.running, pr.identity.clone())
            };
            match &cd.identity {
                Some(new) if running && *new == identity => {}
                Some(new) => {
                    if running {
                        self.stop_proc(id, idx);
                    }
                    {
                        let pr = &mut self.topo.pods[id as usize].procs[idx];
                        pr.app = cd.app;
                        pr.declared_ports = cd.declared_ports.clone();
                        pr.identity = new.clone();
                    }
                    self.start_proc(id, idx, &cd.env);
                }
                None => {
                    if running {
                        self.stop_proc(id, idx);
                    }
                }
            }
        }
        self.rebuild_listeners(id);
    }

    fn start_proc(&mut self, id: PodId, idx: usize, env: &[(String, String)]) {
        let now = self.now;
        let env = self.process_env(id, env);
        let p = &mut self.topo.pods[id as usize];
        let name = p.name.clone();
        let pr = &mut p.procs[idx];
        pr.running = true;
        pr.gen = pr.gen.wrapping_add(1);
        let bind_after = pr.app.listen_delay_us();
        pr.listening = bind_after == 0;
        pr.env = env;
        pr.state = match pr.app {
            AppKind::Redis => ProcState::Redis(Box::new(RedisDb::new())),
            AppKind::Worker { sleep_us } => {
                ProcState::Worker(super::dockercoins::Worker::new(sleep_us))
            }
            AppKind::Webui => ProcState::Webui(Box::default()),
            _ => ProcState::None,
        };
        for line in pr.app.startup_lines(&name) {
            pr.log.banner(now, line);
        }
        let (app, gen) = (pr.app, pr.gen);
        if bind_after > 0 {
            self.schedule(
                now + bind_after,
                Act::Wake {
                    pod: id,
                    proc: idx as u16,
                    gen,
                },
            );
        }
        if let AppKind::Worker { .. } = app {
            // Python starts and imports its modules first.
            self.schedule(
                now + super::dockercoins::STARTUP_US,
                Act::Wake {
                    pod: id,
                    proc: idx as u16,
                    gen,
                },
            );
        }
        self.net_gen += 1;
    }

    /// Stops a process: requests waiting at its listeners are reset.
    fn stop_proc(&mut self, id: PodId, idx: usize) {
        let p = &mut self.topo.pods[id as usize];
        let pr = &mut p.procs[idx];
        if !pr.running {
            return;
        }
        pr.running = false;
        pr.listening = false;
        pr.state = ProcState::None;
        let mut orphans = Vec::new();
        for l in p.listeners.iter_mut().filter(|l| l.proc as usize == idx) {
            orphans.extend(l.station.queue.drain(..));
            orphans.append(&mut l.station.in_service);
            l.station.busy = 0;
        }
        for r in orphans {
            let back = self.conns[r.idx as usize].back_us;
            self.schedule(self.now + back, Act::Fail(r, Failure::Reset));
        }
        self.net_gen += 1;
    }

    /// Listening sockets of the running processes (kept when unchanged,
    /// so queued requests stay queued).
    fn rebuild_listeners(&mut self, id: PodId) {
        let p = &mut self.topo.pods[id as usize];
        let mut want: Vec<(u16, u16, u32)> = Vec::new();
        for (i, pr) in p.procs.iter().enumerate() {
            if !pr.running || !pr.listening {
                continue;
            }
            let ports: Vec<(u16, u32)> = match pr.app {
                AppKind::Generic => pr
                    .declared_ports
                    .iter()
                    .filter(|(_, pr)| *pr == Proto::Tcp)
                    .map(|(p, _)| (*p, apps::UNLIMITED))
                    .collect(),
                a => a.listens(),
            };
            for (port, cap) in ports {
                if !want.iter().any(|w| w.0 == port) {
                    want.push((port, i as u16, cap));
                }
            }
        }
        let old = std::mem::take(&mut p.listeners);
        let mut kept = Vec::new();
        for (port, proc, cap) in want {
            match old.iter().position(|l| l.port == port && l.proc == proc) {
                Some(i) => kept.push(old[i].clone()),
                None => kept.push(Listener {
                    port,
                    proc,
                    station: Station {
                        capacity: cap,
                        ..Default::default()
                    },
                }),
            }
        }
        p.listeners = kept;
    }

    /// The environment a container sees: its own variables, the image's
    /// basics, and the Service links of its namespace
    /// (`pkg/kubelet/envvars/envvars.go` FromServices).
    fn process_env(&self, id: PodId, own: &[(String, String)]) -> Vec<(String, String)> {
        let p = &self.topo.pods[id as usize];
        let mut env = vec![
            (
                "PATH".to_string(),
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
            ("HOSTNAME".to_string(), p.hostname.clone()),
            ("HOME".to_string(), "/root".to_string()),
        ];
        let mut svcs: Vec<(&str, &super::dns::DnsSvc)> = Vec::new();
        for ((ns, name), s) in &self.dns.services {
            let linked = (p.enable_service_links && *ns == p.ns)
                || (ns == "default" && name == "kubernetes");
            if linked && s.cluster_ip.is_some() {
                svcs.push((name, s));
            }
        }
        for (name, s) in svcs {
            let Some(ip) = s.cluster_ip else { continue };
            let up = name.to_ascii_uppercase().replace('-', "_");
            let ip = IpDisplay(ip).to_string();
            if let Some((_, first, _)) = s.ports.first() {
                env.push((format!("{up}_SERVICE_HOST"), ip.clone()));
                env.push((format!("{up}_SERVICE_PORT"), first.to_string()));
                env.push((format!("{up}_PORT"), format!("tcp://{ip}:{first}")));
            }
            for (pname, port, proto) in &s.ports {
                let pr = match proto {
                    Proto::Tcp => "tcp",
                    Proto::Udp => "udp",
                    Proto::Sctp => "sctp",
                };
                if !pname.is_empty() {
                    env.push((
                        format!(
                            "{up}_SERVICE_PORT_{}",
                            pname.to_ascii_uppercase().replace('-', "_")
                        ),
                        port.to_string(),
                    ));
                }
                let base = format!("{up}_PORT_{port}_{}", pr.to_ascii_uppercase());
                env.push((base.clone(), format!("{pr}://{ip}:{port}")));
                env.push((format!("{base}_PROTO"), pr.to_string()));
                env.push((format!("{base}_PORT"), port.to_string()));
                env.push((format!("{base}_ADDR"), ip.clone()));
            }
        }
        env.extend(own.iter().cloned());
        env
    }
}

/// The access log line a simple server writes for a request.
fn access_entry(
    app: AppKind,
    client: Ip,
    h: &HttpRequest,
    resp: &HttpResponse,
    dur: Micros,
) -> Option<Entry> {
    let method = match h.method.as_str() {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        "PUT" => Method::Put,
        "DELETE" => Method::Delete,
        _ => Method::Options,
    };
    let path = if h.path == "/" {
        LogPath::Root
    } else {
        LogPath::Other(Box::new(h.path.clone()))
    };
    match app {
        AppKind::Rng => Some(Entry::Werkzeug {
            client,
            method,
            path,
            status: resp.status,
        }),
        AppKind::Hasher => Some(Entry::Rack {
            client,
            method,
            path,
            status: resp.status,
            bytes: resp.body.len() as u32,
            dur_us: dur as u32,
        }),
        AppKind::Nginx => Some(Entry::Nginx(Box::new(NginxLine {
            client,
            method: h.method.clone().into(),
            path: h.path.clone().into(),
            status: resp.status,
            bytes: resp.body.len() as u32,
            agent: h.user_agent.clone().into(),
        }))),
        AppKind::Color => Some(Entry::Text(
            format!(
                "{}:{} {} {} HTTP/1.1 [{}]",
                IpDisplay(client),
                40000,
                h.method,
                h.path,
                h.user_agent
            )
            .into(),
        )),
        _ => None,
    }
}

/// kube-apiserver's answers to anonymous or token-bearing curl requests.
fn apiserver_answer(h: &HttpRequest, now: jiff::Timestamp) -> HttpResponse {
    let path = h.path_only();
    let json = |status: u16, body: String| {
        HttpResponse::new(status)
            .h("Audit-Id", "4f5c7a2e-8d1b-4c3e-9a6f-2b7d9e0c1a3b")
            .h("Cache-Control", "no-cache, private")
            .h("Content-Type", "application/json")
            .h(
                "X-Kubernetes-Pf-Flowschema-Uid",
                "6b0c3f0e-2f1a-4f43-8d53-5c7f2d1e9a10",
            )
            .h(
                "X-Kubernetes-Pf-Prioritylevel-Uid",
                "1d5b2a7c-9e3f-4b8a-a6c1-7f0e3d2b9c84",
            )
            .h("Date", super::http::http_date(now))
            .body(body)
    };
    match path {
        "/healthz" | "/livez" | "/readyz" => HttpResponse::new(200)
            .h("Content-Type", "text/plain; charset=utf-8")
            .h("X-Content-Type-Options", "nosniff")
            .h("Date", super::http::http_date(now))
            .body("ok"),
        "/version" => json(
            200,
            "{\n  \"major\": \"1\",\n  \"minor\": \"33\",\n  \"emulationMajor\": \"1\",\n  \"emulationMinor\": \"33\",\n  \"minCompatibilityMajor\": \"1\",\n  \"minCompatibilityMinor\": \"32\",\n  \"gitVersion\": \"v1.33.5\",\n  \"gitCommit\": \"2e7a1f5a8d0c9b3e4f6a7b8c9d0e1f2a3b4c5d6e\",\n  \"gitTreeState\": \"clean\",\n  \"buildDate\": \"2025-09-09T19:44:50Z\",\n  \"goVersion\": \"go1.24.6\",\n  \"compiler\": \"gc\",\n  \"platform\": \"linux/amd64\"\n}".into(),
        ),
        _ => {
            let user = if h
                .header("authorization")
                .is_some_and(|a| a.starts_with("Bearer "))
            {
                "system:serviceaccount:default:default"
            } else {
                "system:anonymous"
            };
            json(
                403,
                format!(
                    "{{\n  \"kind\": \"Status\",\n  \"apiVersion\": \"v1\",\n  \"metadata\": {{}},\n  \"status\": \"Failure\",\n  \"message\": \"forbidden: User \\\"{user}\\\" cannot get path \\\"{path}\\\"\",\n  \"reason\": \"Forbidden\",\n  \"details\": {{}},\n  \"code\": 403\n}}\n"
                ),
            )
        }
    }
}
