//! kube-proxy: the rules that turn a Service address (ClusterIP, NodePort,
//! load-balancer or external IP) into one ready endpoint, chosen uniformly
//! at random per connection as the iptables mode's `statistic --mode
//! random` chain does, or kept per client for `sessionAffinity: ClientIP`.
//!
//! Follows `pkg/proxy/iptables/proxier.go` (REJECT when a Service has no
//! endpoints, so clients see "connection refused"; `externalTrafficPolicy:
//! Local` only to local endpoints, dropping otherwise), the terminating
//! endpoint fallback of KEP-1669 (`pkg/proxy/topology.go`
//! `CategorizeEndpoints`), and the BoundedFrequencyRunner: rule changes
//! are applied at most once per `minSyncPeriod` (1 s).

use super::addr::{parse_ip, Ip};
use super::latency::{Micros, Site};
use super::topology::{Proto, Topology};
use crate::sim::rng::SimRng;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use std::collections::BTreeMap;

/// An endpoint a rule can send to.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ProxyEp {
    pub ip: Ip,
    pub port: u16,
    pub site: Option<Site>,
}

/// One Service port's rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyPort {
    pub name: String,
    pub port: u16,
    pub proto: Proto,
    pub node_port: Option<u16>,
    pub ready: Vec<ProxyEp>,
    /// Serving but terminating: used only when nothing is ready.
    pub fallback: Vec<ProxyEp>,
}

/// The programmed state of one Service.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ProxySvc {
    pub ns: String,
    pub name: String,
    pub cluster_ip: Option<Ip>,
    pub lb_ips: Vec<Ip>,
    pub external_ips: Vec<Ip>,
    pub ports: Vec<ProxyPort>,
    pub affinity_us: Option<Micros>,
    pub ext_local: bool,
    pub int_local: bool,
}

/// How a packet to a Service address was handled.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Pick {
    To(ProxyEp),
    /// No endpoints: REJECT (icmp port-unreachable / TCP reset).
    Reject,
    /// No rule matches, or Local policy without a local endpoint: dropped.
    Drop,
}

/// Where a Service address leads.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RuleRef {
    pub svc: u32,
    pub port: u16,
}

/// kube-proxy's tables (identical on every node: one copy is enough).
#[derive(Default, Debug)]
pub struct Proxy {
    pub svcs: Vec<Option<ProxySvc>>,
    free: Vec<u32>,
    by_key: BTreeMap<(String, String), u32>,
    /// (address, port, protocol) of ClusterIPs, LB and external IPs.
    vips: BTreeMap<(Ip, u16, Proto), RuleRef>,
    /// Addresses that are a Service VIP at all (for "no such port").
    vip_addrs: BTreeMap<Ip, u32>,
    node_ports: BTreeMap<(u16, Proto), RuleRef>,
    /// ClientIP affinity: (svc, port, client) → (endpoint, expiry).
    affinity: BTreeMap<(u32, u16, Ip), (ProxyEp, Micros)>,
    /// Bumped when rules change (clients cache decisions by it).
    pub gen: u64,
}

impl Proxy {
    /// Installs, replaces or removes the rules of one Service.
    pub fn program(&mut self, ns: &str, name: &str, svc: Option<ProxySvc>) {
        let key = (ns.to_string(), name.to_string());
        let old_id = self.by_key.get(&key).copied();
        if let Some(id) = old_id {
            if self.svcs[id as usize] == svc {
                return;
            }
            self.unindex(id);
        }
        self.gen += 1;
        match (svc, old_id) {
            (None, Some(id)) => {
                self.svcs[id as usize] = None;
                self.by_key.remove(&key);
                self.free.push(id);
                self.affinity.retain(|(s, _, _), _| *s != id);
            }
            (None, None) => {}
            (Some(s), id) => {
                let id = id.unwrap_or_else(|| match self.free.pop() {
                    Some(i) => i,
                    None => {
                        self.svcs.push(None);
                        (self.svcs.len() - 1) as u32
                    }
                });
                self.by_key.insert(key, id);
                self.svcs[id as usize] = Some(s);
                self.index(id);
            }
        }
    }

    fn index(&mut self, id: u32) {
        let Some(s) = &self.svcs[id as usize] else {
            return;
        };
        let addrs: Vec<Ip> = s
            .cluster_ip
            .iter()
            .chain(&s.lb_ips)
            .chain(&s.external_ips)
            .copied()
            .collect();
        for (pi, p) in s.ports.iter().enumerate() {
            let r = RuleRef {
                svc: id,
                port: pi as u16,
            };
            for a in &addrs {
                self.vips.insert((*a, p.port, p.proto), r);
            }
            if let Some(np) = p.node_port {
                self.node_ports.insert((np, p.proto), r);
            }
        }
        for a in addrs {
            self.vip_addrs.insert(a, id);
        }
    }

    fn unindex(&mut self, id: u32) {
        self.vips.retain(|_, r| r.svc != id);
        self.node_ports.retain(|_, r| r.svc != id);
        self.vip_addrs.retain(|_, s| *s != id);
    }

    /// The rule for a Service address and port, if the address is a
    /// Service address at all (`Some(None)`: VIP without that port).
    #[inline]
    pub fn vip(&self, ip: Ip, port: u16, proto: Proto) -> Option<Option<RuleRef>> {
        if let Some(r) = self.vips.get(&(ip, port, proto)) {
            return Some(Some(*r));
        }
        self.vip_addrs.contains_key(&ip).then_some(None)
    }

    pub fn is_vip(&self, ip: Ip) -> bool {
        self.vip_addrs.contains_key(&ip)
    }

    pub fn node_port(&self, port: u16, proto: Proto) -> Option<RuleRef> {
        self.node_ports.get(&(port, proto)).copied()
    }

    pub fn svc(&self, r: RuleRef) -> &ProxySvc {
        self.svcs[r.svc as usize]
            .as_ref()
            .expect("rule refers to a programmed Service")
    }

    pub fn by_name(&self, ns: &str, name: &str) -> Option<&ProxySvc> {
        self.by_key
            .get(&(ns.to_string(), name.to_string()))
            .and_then(|id| self.svcs[*id as usize].as_ref())
    }

    /// Chooses the endpoint for a new connection from `client`.
    /// `local_site`: the node the packet entered on, for Local policies.
    #[inline]
    pub fn pick(
        &mut self,
        r: RuleRef,
        client: Ip,
        local_site: Option<Site>,
        now: Micros,
        rng: &mut SimRng,
    ) -> Pick {
        let s = self.svcs[r.svc as usize]
            .as_ref()
            .expect("rule refers to a programmed Service");
        let p = &s.ports[r.port as usize];
        let base: &[ProxyEp] = if p.ready.is_empty() {
            &p.fallback
        } else {
            &p.ready
        };
        let local;
        let eps: &[ProxyEp] = match local_site {
            Some(site) => {
                local = base
                    .iter()
                    .filter(|e| e.site == Some(site))
                    .copied()
                    .collect::<Vec<_>>();
                if local.is_empty() {
                    return if base.is_empty() {
                        Pick::Reject
                    } else {
                        Pick::Drop
                    };
                }
                &local
            }
            None => base,
        };
        if eps.is_empty() {
            return Pick::Reject;
        }
        if let Some(timeout) = s.affinity_us {
            let key = (r.svc, r.port, client);
            if let Some((ep, exp)) = self.affinity.get(&key).copied() {
                if exp > now && eps.contains(&ep) {
                    self.affinity.insert(key, (ep, now + timeout));
                    return Pick::To(ep);
                }
            }
            let ep = eps[rng.below(eps.len() as u64) as usize];
            self.affinity.insert(key, (ep, now + timeout));
            return Pick::To(ep);
        }
        Pick::To(if eps.len() == 1 {
            eps[0]
        } else {
            eps[rng.below(eps.len() as u64) as usize]
        })
    }
}

/// kube-proxy's view of a Service and its EndpointSlices.
pub fn build(svc: &Service, slices: &[&EndpointSlice], topo: &Topology) -> Option<ProxySvc> {
    let spec = svc.spec.as_ref()?;
    let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
    if type_ == "ExternalName" {
        return None;
    }
    let cluster_ip = spec.cluster_ip.as_deref().and_then(parse_ip);
    let ports = spec
        .ports
        .iter()
        .flatten()
        .map(|sp| {
            let name = sp.name.clone().unwrap_or_default();
            let proto = Proto::parse(sp.protocol.as_deref());
            let mut ready = Vec::new();
            let mut fallback = Vec::new();
            for sl in slices {
                let Some(port) = sl.ports.iter().flatten().find(|p| {
                    p.name.clone().unwrap_or_default() == name
                        && Proto::parse(p.protocol.as_deref()) == proto
                }) else {
                    continue;
                };
                let Some(port) = port.port else { continue };
                for e in &sl.endpoints {
                    let c = e.conditions.clone().unwrap_or_default();
                    let site = e.node_name.as_deref().and_then(|n| topo.node_site(n));
                    for a in &e.addresses {
                        let Some(ip) = parse_ip(a) else { continue };
                        let ep = ProxyEp {
                            ip,
                            port: port as u16,
                            site,
                        };
                        // A nil ready condition means ready (discovery/v1 docs).
                        if c.ready != Some(false) {
                            ready.push(ep);
                        } else if c.serving == Some(true) && c.terminating == Some(true) {
                            fallback.push(ep);
                        }
                    }
                }
            }
            ready.sort_by_key(|e| (e.ip, e.port));
            fallback.sort_by_key(|e| (e.ip, e.port));
            ProxyPort {
                name,
                port: sp.port as u16,
                proto,
                node_port: sp.node_port.map(|n| n as u16),
                ready,
                fallback,
            }
        })
        .collect();
    let lb_ips = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .map(|v| {
            v.iter()
                .filter_map(|i| i.ip.as_deref().and_then(parse_ip))
                .collect()
        })
        .unwrap_or_default();
    let affinity_us = (spec.session_affinity.as_deref() == Some("ClientIP")).then(|| {
        let secs = spec
            .session_affinity_config
            .as_ref()
            .and_then(|c| c.client_ip.as_ref())
            .and_then(|c| c.timeout_seconds)
            .unwrap_or(10800);
        secs as Micros * 1_000_000
    });
    Some(ProxySvc {
        ns: svc.metadata.namespace.clone().unwrap_or_default(),
        name: svc.metadata.name.clone().unwrap_or_default(),
        cluster_ip,
        lb_ips,
        external_ips: spec
            .external_ips
            .iter()
            .flatten()
            .filter_map(|s| parse_ip(s))
            .collect(),
        ports,
        affinity_us,
        ext_local: spec.external_traffic_policy.as_deref() == Some("Local"),
        int_local: spec.internal_traffic_policy.as_deref() == Some("Local"),
    })
}
