//! Name resolution: CoreDNS' `kubernetes` plugin for the cluster domain
//! (as kubeadm configures it: `cluster.local`, `pods insecure`), the pod
//! resolver's search path and `ndots:5` (`pkg/kubelet/network/dns/dns.go`),
//! and the nodes' `/etc/hosts` (the workshop VMs know `node1`…`nodeN`; the
//! nodes do not use cluster DNS).
//!
//! Records served (CoreDNS `plugin/kubernetes`, kubernetes/dns
//! `docs/specification.md`):
//! * `svc.ns.svc.cluster.local` → the ClusterIP; for a headless Service the
//!   ready endpoints' IPs; for an ExternalName Service a CNAME;
//! * `host.svc.ns.svc.cluster.local` → an endpoint with that hostname
//!   (StatefulSet pods), or with that dashed IP (`10-244-1-5`);
//! * `a-b-c-d.ns.pod.cluster.local` → a.b.c.d.
//!
//! Names outside the cluster domain go upstream. The simulated lab has no
//! Internet: only the wildcard-DNS services the workshop uses for Ingress
//! (`*.A.B.C.D.nip.io`, `sslip.io`) resolve.

use super::addr::{parse_ip, Ip, IpDisplay};
use super::topology::Proto;
use std::collections::BTreeMap;

pub const CLUSTER_DOMAIN: &str = "cluster.local";
/// The kube-dns Service address kubeadm reserves (10th of the range).
pub const DNS_SERVICE_IP: Ip = 0x0a60_000a;
pub const NDOTS: usize = 5;

/// A Service as CoreDNS sees it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsSvc {
    pub cluster_ip: Option<Ip>,
    pub headless: bool,
    pub external_name: Option<String>,
    pub ports: Vec<(String, u16, Proto)>,
    pub eps: Vec<DnsEp>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsEp {
    pub ip: Ip,
    pub hostname: Option<String>,
    pub ready: bool,
}

/// The answer to one query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    A(Vec<Ip>),
    Cname(String),
    /// The name exists but has no address (a namespace, a headless Service
    /// without ready endpoints).
    NoData,
}

/// A resolution: the name that answered, the CNAMEs followed, the
/// addresses, and how many queries it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub name: String,
    pub cnames: Vec<(String, String)>,
    pub ips: Vec<Ip>,
    pub queries: u32,
}

/// CNAME records followed: (alias, target).
pub type Cnames = Vec<(String, String)>;

/// Why a name did not resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DnsError {
    /// NXDOMAIN everywhere (musl: "Name does not resolve").
    NotFound { queries: u32 },
}

/// CoreDNS' data (from the watch) and the hosts files.
#[derive(Clone, Debug, Default)]
pub struct Dns {
    pub services: BTreeMap<(String, String), DnsSvc>,
    pub namespaces: Vec<String>,
    /// `/etc/hosts` of the nodes (and the teacher's machine).
    pub hosts: Vec<(String, Ip)>,
    /// Bumped at every change, so clients can cache answers.
    pub gen: u64,
}

impl Dns {
    pub fn set_service(&mut self, ns: &str, name: &str, svc: Option<DnsSvc>) {
        let key = (ns.to_string(), name.to_string());
        let changed = match svc {
            Some(s) => self.services.insert(key, s.clone()).as_ref() != Some(&s),
            None => self.services.remove(&key).is_some(),
        };
        if changed {
            self.gen += 1;
        }
    }

    pub fn set_hosts(&mut self, hosts: Vec<(String, Ip)>) {
        if hosts != self.hosts {
            self.hosts = hosts;
            self.gen += 1;
        }
    }

    /// CoreDNS' answer for a fully qualified name (no trailing dot).
    pub fn query(&self, fqdn: &str) -> Option<Record> {
        let fqdn = fqdn.trim_end_matches('.').to_ascii_lowercase();
        if let Some(rest) = fqdn.strip_suffix(&format!(".{CLUSTER_DOMAIN}")) {
            return self.query_cluster(rest);
        }
        upstream(&fqdn).map(|ip| Record::A(vec![ip]))
    }

    fn query_cluster(&self, rest: &str) -> Option<Record> {
        let labels: Vec<&str> = rest.split('.').collect();
        match labels.as_slice() {
            [svc, ns, "svc"] => {
                let s = self.services.get(&(ns.to_string(), svc.to_string()))?;
                if let Some(ext) = &s.external_name {
                    return Some(Record::Cname(ext.trim_end_matches('.').to_string()));
                }
                if s.headless {
                    let ips: Vec<Ip> = s.eps.iter().filter(|e| e.ready).map(|e| e.ip).collect();
                    return Some(if ips.is_empty() {
                        Record::NoData
                    } else {
                        Record::A(ips)
                    });
                }
                s.cluster_ip.map(|ip| Record::A(vec![ip]))
            }
            [host, svc, ns, "svc"] => {
                let s = self.services.get(&(ns.to_string(), svc.to_string()))?;
                if !s.headless {
                    return None;
                }
                s.eps
                    .iter()
                    .find(|e| e.hostname.as_deref() == Some(*host) || dashed(e.ip) == *host)
                    .map(|e| Record::A(vec![e.ip]))
            }
            [ns, "svc"] if self.namespaces.iter().any(|n| n == ns) => Some(Record::NoData),
            ["svc"] => Some(Record::NoData),
            [dashed_ip, _ns, "pod"] => {
                parse_ip(&dashed_ip.replace('-', ".")).map(|ip| Record::A(vec![ip]))
            }
            _ => None,
        }
    }

    /// A pod's resolver: search path of its namespace, ndots:5, following
    /// CNAMEs (as glibc and musl do).
    pub fn resolve_in_pod(&self, ns: &str, name: &str) -> Result<Answer, DnsError> {
        if let Some(ip) = parse_ip(name) {
            return Ok(Answer {
                name: name.into(),
                cnames: vec![],
                ips: vec![ip],
                queries: 0,
            });
        }
        if name == "localhost" {
            return Ok(Answer {
                name: name.into(),
                cnames: vec![],
                ips: vec![0x7f00_0001],
                queries: 0,
            });
        }
        let mut queries = 0;
        for candidate in candidates(ns, name) {
            queries += 1;
            if let Some((cnames, ips)) = self.follow(&candidate, &mut queries) {
                if ips.is_empty() {
                    continue;
                }
                return Ok(Answer {
                    name: candidate,
                    cnames,
                    ips,
                    queries,
                });
            }
        }
        Err(DnsError::NotFound { queries })
    }

    /// Follows CNAMEs from `fqdn`; None for NXDOMAIN.
    fn follow(&self, fqdn: &str, queries: &mut u32) -> Option<(Cnames, Vec<Ip>)> {
        let mut cnames = Vec::new();
        let mut name = fqdn.to_string();
        for _ in 0..8 {
            match self.query(&name)? {
                Record::A(ips) => return Some((cnames, ips)),
                Record::NoData => return Some((cnames, vec![])),
                Record::Cname(target) => {
                    cnames.push((name.clone(), target.clone()));
                    name = target;
                    *queries += 1;
                }
            }
        }
        None
    }

    /// A node's (or outside machine's) resolver: `/etc/hosts`, then the
    /// upstream resolver; no cluster DNS.
    pub fn resolve_on_host(&self, name: &str) -> Result<Answer, DnsError> {
        let lname = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(ip) = parse_ip(&lname) {
            return Ok(Answer {
                name: lname,
                cnames: vec![],
                ips: vec![ip],
                queries: 0,
            });
        }
        let local = if lname == "localhost" {
            Some(0x7f00_0001)
        } else {
            self.hosts
                .iter()
                .find(|(n, _)| *n == lname)
                .map(|(_, ip)| *ip)
        };
        if let Some(ip) = local {
            return Ok(Answer {
                name: lname,
                cnames: vec![],
                ips: vec![ip],
                queries: 0,
            });
        }
        match upstream(&lname) {
            Some(ip) => Ok(Answer {
                name: lname,
                cnames: vec![],
                ips: vec![ip],
                queries: 1,
            }),
            None => Err(DnsError::NotFound { queries: 1 }),
        }
    }
}

/// The names a resolver tries for `name` in namespace `ns`, in order.
pub fn candidates(ns: &str, name: &str) -> Vec<String> {
    if let Some(abs) = name.strip_suffix('.') {
        return vec![abs.to_string()];
    }
    let search = search_path(ns);
    let mut out = Vec::new();
    let dots = name.matches('.').count();
    if dots >= NDOTS {
        out.push(name.to_string());
    }
    for s in &search {
        out.push(format!("{name}.{s}"));
    }
    if dots < NDOTS {
        out.push(name.to_string());
    }
    out
}

/// The search path of a pod in `ns` (dnsPolicy ClusterFirst).
pub fn search_path(ns: &str) -> Vec<String> {
    vec![
        format!("{ns}.svc.{CLUSTER_DOMAIN}"),
        format!("svc.{CLUSTER_DOMAIN}"),
        CLUSTER_DOMAIN.to_string(),
    ]
}

/// `/etc/resolv.conf` of a pod in `ns` with dnsPolicy ClusterFirst.
pub fn resolv_conf(ns: &str) -> String {
    format!(
        "search {}\nnameserver {}\noptions ndots:{NDOTS}\n",
        search_path(ns).join(" "),
        IpDisplay(DNS_SERVICE_IP)
    )
}

/// `/etc/resolv.conf` of a node (and of host-network pods): systemd-resolved's stub.
pub fn node_resolv_conf() -> String {
    "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n".to_string()
}

/// `10-244-1-5`
pub fn dashed(ip: Ip) -> String {
    IpDisplay(ip).to_string().replace('.', "-")
}

/// The world beyond the lab: wildcard DNS services only.
fn upstream(fqdn: &str) -> Option<Ip> {
    for suffix in [".nip.io", ".sslip.io"] {
        if let Some(rest) = fqdn.strip_suffix(suffix) {
            let labels: Vec<&str> = rest.split('.').collect();
            // `anything.A.B.C.D.nip.io`
            if labels.len() >= 4 {
                let tail = labels[labels.len() - 4..].join(".");
                if let Some(ip) = parse_ip(&tail) {
                    return Some(ip);
                }
            }
            // `anything-A-B-C-D.nip.io` or `A-B-C-D.nip.io`
            let last = labels.last()?;
            let parts: Vec<&str> = last.split('-').collect();
            if parts.len() >= 4 {
                let tail = parts[parts.len() - 4..].join(".");
                return parse_ip(&tail);
            }
            return parse_ip(rest);
        }
    }
    None
}

#[cfg(test)]
mod tests;
