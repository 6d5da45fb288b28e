//! NetworkPolicy (networking.k8s.io/v1), enforced on every new connection
//! the way a CNI does it: a pod selected by a policy of a direction is
//! isolated for that direction, and then only traffic some rule of some
//! selecting policy allows gets through; the rest is dropped silently (so
//! clients time out). Replies of allowed connections always pass.
//!
//! Semantics from the API reference and `kubernetes/website`
//! `concepts/services-networking/network-policies.md`: default policyTypes
//! (Ingress, plus Egress when egress rules exist), peers combining
//! namespaceSelector and podSelector, ipBlock with except, ports by number
//! or container-port name with endPort ranges, empty `from`/`to` = all.
//! Host-network pods are never selected. ICMP is treated as a port that
//! only rules without a `ports` list allow (what Cilium does).

use super::addr::{Cidr, Ip};
use super::topology::{PodRt, Proto, Topology};
use crate::objects::selectors::Selector;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
enum Peer {
    Pods {
        /// None: the policy's own namespace.
        ns: Option<Selector>,
        /// None: every pod of the selected namespaces.
        pods: Option<Selector>,
    },
    Block {
        cidr: Cidr,
        except: Vec<Cidr>,
    },
}

#[derive(Clone, Debug, PartialEq)]
enum PortMatch {
    Any(Proto),
    Num(Proto, u16, u16),
    Named(Proto, String),
}

#[derive(Clone, Debug, PartialEq)]
struct Rule {
    /// None: every peer.
    peers: Option<Vec<Peer>>,
    /// Empty: every port.
    ports: Vec<PortMatch>,
}

#[derive(Clone, Debug, PartialEq)]
struct Policy {
    ns: String,
    select: Selector,
    ingress: Option<Vec<Rule>>,
    egress: Option<Vec<Rule>>,
}

/// What a connection looks like to the policy engine.
#[derive(Copy, Clone, Debug)]
pub struct Flow<'a> {
    pub src_ip: Ip,
    pub src_pod: Option<&'a PodRt>,
    pub dst_ip: Ip,
    pub dst_pod: Option<&'a PodRt>,
    /// None for ICMP.
    pub port: Option<(Proto, u16)>,
}

/// All policies, by (namespace, name).
#[derive(Clone, Debug, Default)]
pub struct Policies {
    by_key: BTreeMap<(String, String), Policy>,
    /// Bumped at every change.
    pub gen: u64,
}

impl Policies {
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    pub fn set(&mut self, ns: &str, name: &str, np: Option<&NetworkPolicy>) {
        let key = (ns.to_string(), name.to_string());
        let compiled = np.map(|p| compile(ns, p));
        let changed = match compiled {
            Some(c) => self.by_key.insert(key, c.clone()).as_ref() != Some(&c),
            None => self.by_key.remove(&key).is_some(),
        };
        if changed {
            self.gen += 1;
        }
    }

    /// Whether the connection is allowed in both directions' terms.
    pub fn allows(&self, topo: &Topology, f: &Flow) -> bool {
        if self.by_key.is_empty() {
            return true;
        }
        if let Some(src) = f.src_pod.filter(|p| !p.host_network) {
            if !self.direction_allows(topo, src, false, f) {
                return false;
            }
        }
        if let Some(dst) = f.dst_pod.filter(|p| !p.host_network) {
            if !self.direction_allows(topo, dst, true, f) {
                return false;
            }
        }
        true
    }

    /// For the pod `subject` (destination if `ingress`, else source).
    fn direction_allows(&self, topo: &Topology, subject: &PodRt, ingress: bool, f: &Flow) -> bool {
        let mut isolated = false;
        for p in self.by_key.values() {
            if p.ns != subject.ns || !p.select.matches(&subject.labels) {
                continue;
            }
            let rules = if ingress { &p.ingress } else { &p.egress };
            let Some(rules) = rules else { continue };
            isolated = true;
            // The other end of the connection.
            let (peer_ip, peer_pod) = if ingress {
                (f.src_ip, f.src_pod)
            } else {
                (f.dst_ip, f.dst_pod)
            };
            // Named ports resolve on the destination pod.
            let dst_pod = f.dst_pod;
            for r in rules {
                if r.peers.as_ref().is_some_and(|ps| {
                    !ps.iter()
                        .any(|peer| peer_matches(topo, &p.ns, peer, peer_ip, peer_pod))
                }) {
                    continue;
                }
                if r.ports.is_empty() || r.ports.iter().any(|m| port_matches(m, f.port, dst_pod)) {
                    return true;
                }
            }
        }
        !isolated
    }
}

fn peer_matches(
    topo: &Topology,
    policy_ns: &str,
    peer: &Peer,
    ip: Ip,
    pod: Option<&PodRt>,
) -> bool {
    match peer {
        Peer::Block { cidr, except } => cidr.contains(ip) && !except.iter().any(|e| e.contains(ip)),
        Peer::Pods { ns, pods } => {
            let Some(pod) = pod.filter(|p| !p.host_network) else {
                return false;
            };
            let ns_ok = match ns {
                None => pod.ns == policy_ns,
                Some(sel) => {
                    static EMPTY: BTreeMap<String, String> = BTreeMap::new();
                    sel.matches(topo.ns_labels.get(&pod.ns).unwrap_or(&EMPTY))
                }
            };
            ns_ok && pods.as_ref().is_none_or(|s| s.matches(&pod.labels))
        }
    }
}

fn port_matches(m: &PortMatch, port: Option<(Proto, u16)>, dst: Option<&PodRt>) -> bool {
    let Some((proto, port)) = port else {
        return false; // ICMP: only port-less rules
    };
    match m {
        PortMatch::Any(p) => *p == proto,
        PortMatch::Num(p, lo, hi) => *p == proto && (*lo..=*hi).contains(&port),
        PortMatch::Named(p, name) => {
            *p == proto
                && dst.is_some_and(|d| {
                    d.ports
                        .iter()
                        .any(|(n, num, pr)| n == name && *num == port && *pr == proto)
                })
        }
    }
}

fn compile(ns: &str, np: &NetworkPolicy) -> Policy {
    let spec = np.spec.clone().unwrap_or_default();
    let select = spec
        .pod_selector
        .as_ref()
        .map(Selector::from_label_selector)
        .unwrap_or_default();
    let types: Vec<String> = spec.policy_types.clone().unwrap_or_else(|| {
        let mut t = vec!["Ingress".to_string()];
        if spec.egress.is_some() {
            t.push("Egress".into());
        }
        t
    });
    let ingress = types.iter().any(|t| t == "Ingress").then(|| {
        spec.ingress
            .iter()
            .flatten()
            .map(|r| rule(r.from.as_ref(), r.ports.as_ref()))
            .collect()
    });
    let egress = types.iter().any(|t| t == "Egress").then(|| {
        spec.egress
            .iter()
            .flatten()
            .map(|r| rule(r.to.as_ref(), r.ports.as_ref()))
            .collect()
    });
    Policy {
        ns: ns.to_string(),
        select,
        ingress,
        egress,
    }
}

fn rule(peers: Option<&Vec<NetworkPolicyPeer>>, ports: Option<&Vec<NetworkPolicyPort>>) -> Rule {
    let peers = peers.filter(|p| !p.is_empty()).map(|ps| {
        let mut out = Vec::new();
        for p in ps {
            match &p.ip_block {
                // Validation rejects bad CIDRs; one that slipped through matches nothing.
                Some(b) => {
                    if let Some(cidr) = Cidr::parse(&b.cidr) {
                        out.push(Peer::Block {
                            cidr,
                            except: b
                                .except
                                .iter()
                                .flatten()
                                .filter_map(|e| Cidr::parse(e))
                                .collect(),
                        });
                    }
                }
                None => out.push(Peer::Pods {
                    ns: p
                        .namespace_selector
                        .as_ref()
                        .map(Selector::from_label_selector),
                    pods: p.pod_selector.as_ref().map(Selector::from_label_selector),
                }),
            }
        }
        out
    });
    let ports = ports
        .iter()
        .flat_map(|v| v.iter())
        .map(|p| {
            let proto = Proto::parse(p.protocol.as_deref());
            match &p.port {
                None => PortMatch::Any(proto),
                Some(IntOrString::Int(n)) => {
                    PortMatch::Num(proto, *n as u16, p.end_port.unwrap_or(*n) as u16)
                }
                Some(IntOrString::String(s)) => match s.parse::<u16>() {
                    Ok(n) => PortMatch::Num(proto, n, n),
                    Err(_) => PortMatch::Named(proto, s.clone()),
                },
            }
        })
        .collect();
    Rule { peers, ports }
}
