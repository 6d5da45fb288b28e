//! The network's view of nodes, namespaces and pods: compact tables the
//! traffic engine indexes by number, rebuilt incrementally from watch
//! events (principle 7: no store access per packet).
//!
//! A pod's processes follow its container statuses as the kubelet writes
//! them: a container whose state is `running` is a live process, identified
//! by its container ID and start time, so a restart is a new process (new
//! generation, fresh state, connections to the old one reset).

use super::addr::{parse_ip, Cidr, Ip};
use super::apps::{classify, AppKind};
use super::latency::{Site, OUTSIDE};
use super::logs::LogBuffer;
use super::redis::RedisDb;
use k8s_openapi::api::core::v1::{Node, Pod};
use std::collections::{BTreeMap, VecDeque};

pub type PodId = u32;

/// Transport protocol of a port.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    pub fn parse(s: Option<&str>) -> Proto {
        match s.unwrap_or("TCP") {
            "UDP" => Proto::Udp,
            "SCTP" => Proto::Sctp,
            _ => Proto::Tcp,
        }
    }
}

/// A reference to a connection slot and its generation (slots are reused).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ConnRef {
    pub idx: u32,
    pub gen: u32,
}

/// A server's admission point: at most `capacity` requests in service,
/// the rest wait in arrival order.
#[derive(Clone, Debug, Default)]
pub struct Station {
    pub capacity: u32,
    pub busy: u32,
    pub queue: VecDeque<ConnRef>,
    pub in_service: Vec<ConnRef>,
}

/// A listening socket of a process.
#[derive(Clone, Debug)]
pub struct Listener {
    pub port: u16,
    pub proc: u16,
    pub station: Station,
}

/// Per-process state of the modelled applications.
#[derive(Debug, Default)]
pub enum ProcState {
    #[default]
    None,
    /// Inline: the worker's state is touched at every one of its events.
    Worker(super::dockercoins::Worker),
    Redis(Box<RedisDb>),
    Webui(Box<super::dockercoins::Webui>),
}

/// A container's process.
#[derive(Debug)]
pub struct Proc {
    pub container: String,
    pub app: AppKind,
    pub running: bool,
    /// Its server sockets are open (some programs take a while after
    /// their container starts: a JVM, Ruby, Python importing Flask).
    pub listening: bool,
    /// Bumped at every start: events and connections of an older
    /// incarnation are recognised and dropped.
    pub gen: u32,
    pub identity: String,
    pub state: ProcState,
    pub log: LogBuffer,
    pub declared_ports: Vec<(u16, Proto)>,
    pub env: Vec<(String, String)>,
}

/// A pod as the network sees it.
#[derive(Debug, Default)]
pub struct PodRt {
    pub live: bool,
    pub ns: String,
    pub name: String,
    pub uid: String,
    pub ip: Ip,
    pub site: Site,
    pub node_name: Option<String>,
    pub host_network: bool,
    pub labels: BTreeMap<String, String>,
    pub hostname: String,
    pub procs: Vec<Proc>,
    pub listeners: Vec<Listener>,
    /// Declared container ports (name, port, protocol): named ports of
    /// NetworkPolicies resolve against these.
    pub ports: Vec<(String, u16, Proto)>,
    pub enable_service_links: bool,
    /// Ports the kubelet's HTTP probes GET: the network publishes their
    /// backlog on the store's load board.
    pub probe_ports: Vec<u16>,
    /// What its nginx serves (see [`super::docroot`]).
    pub docroot: super::docroot::DocRoot,
}

impl PodRt {
    /// The listener on `port`, if a running process has one.
    #[inline]
    pub fn listener(&self, port: u16) -> Option<usize> {
        self.listeners.iter().position(|l| l.port == port)
    }
    pub fn proc_named(&self, container: &str) -> Option<usize> {
        self.procs.iter().position(|p| p.container == container)
    }
}

/// A node as the network sees it.
#[derive(Clone, Debug)]
pub struct NodeRt {
    pub name: String,
    pub ip: Ip,
    pub cidr: Option<Cidr>,
}

/// What the network needs of a container, read from the Pod object.
#[derive(Clone, Debug, PartialEq)]
pub struct ContainerDesc {
    pub name: String,
    pub app: AppKind,
    pub declared_ports: Vec<(u16, Proto)>,
    /// Set when the container runs: its container ID and start time.
    pub identity: Option<String>,
    pub env: Vec<(String, String)>,
}

/// What the network needs of a pod.
#[derive(Clone, Debug, PartialEq)]
pub struct PodDesc {
    pub ns: String,
    pub name: String,
    pub uid: String,
    pub ip: Option<Ip>,
    pub node: Option<String>,
    pub host_network: bool,
    pub labels: BTreeMap<String, String>,
    pub hostname: String,
    pub containers: Vec<ContainerDesc>,
    pub ports: Vec<(String, u16, Proto)>,
    pub enable_service_links: bool,
    /// Container ports named by an `httpGet` probe.
    pub probe_ports: Vec<u16>,
    /// What its nginx serves (see [`super::docroot`]).
    pub docroot: super::docroot::DocRoot,
}

/// The ports a container's `httpGet` probes (startup, liveness,
/// readiness) connect to, named ports resolved against its ports.
fn http_probe_ports(c: &k8s_openapi::api::core::v1::Container) -> Vec<u16> {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    [&c.startup_probe, &c.liveness_probe, &c.readiness_probe]
        .into_iter()
        .flatten()
        .filter_map(|p| p.http_get.as_ref())
        .filter_map(|h| match &h.port {
            IntOrString::Int(n) => u16::try_from(*n).ok(),
            IntOrString::String(name) => c
                .ports
                .iter()
                .flatten()
                .find(|cp| cp.name.as_deref() == Some(name.as_str()))
                .and_then(|cp| u16::try_from(cp.container_port).ok()),
        })
        .collect()
}

/// Reads a pod's network-relevant facts.
pub fn describe_pod(pod: &Pod) -> PodDesc {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.as_deref().unwrap_or("Pending");
    let terminal = phase == "Succeeded" || phase == "Failed";
    let statuses = status.container_statuses.clone().unwrap_or_default();
    let containers = spec
        .containers
        .iter()
        .map(|c| {
            let st = statuses.iter().find(|s| s.name == c.name);
            let identity = match st {
                Some(s) => s
                    .state
                    .as_ref()
                    .and_then(|st| st.running.as_ref())
                    .map(|r| {
                        format!(
                            "{}@{}#{}",
                            s.container_id.as_deref().unwrap_or(""),
                            r.started_at
                                .as_ref()
                                .map(|t| t.0.to_string())
                                .unwrap_or_default(),
                            s.restart_count
                        )
                    }),
                // No status written (yet): a Running pod's containers run.
                None => (phase == "Running").then(|| "running".to_string()),
            };
            let env = c
                .env
                .iter()
                .flatten()
                .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
                .collect();
            ContainerDesc {
                name: c.name.clone(),
                app: classify(c),
                declared_ports: c
                    .ports
                    .iter()
                    .flatten()
                    .map(|p| (p.container_port as u16, Proto::parse(p.protocol.as_deref())))
                    .collect(),
                identity: if terminal { None } else { identity },
                env,
            }
        })
        .collect();
    let ports = spec
        .containers
        .iter()
        .flat_map(|c| c.ports.iter().flatten())
        .map(|p| {
            (
                p.name.clone().unwrap_or_default(),
                p.container_port as u16,
                Proto::parse(p.protocol.as_deref()),
            )
        })
        .collect();
    let name = pod.metadata.name.clone().unwrap_or_default();
    PodDesc {
        ns: pod.metadata.namespace.clone().unwrap_or_default(),
        uid: pod.metadata.uid.clone().unwrap_or_default(),
        ip: status.pod_ip.as_deref().and_then(parse_ip),
        node: spec.node_name.clone(),
        host_network: spec.host_network == Some(true),
        labels: pod.metadata.labels.clone().unwrap_or_default(),
        hostname: spec.hostname.clone().unwrap_or_else(|| name.clone()),
        name,
        containers,
        ports,
        enable_service_links: spec.enable_service_links != Some(false),
        probe_ports: {
            let mut v: Vec<u16> = spec.containers.iter().flat_map(http_probe_ports).collect();
            v.sort_unstable();
            v.dedup();
            v
        },
        docroot: spec
            .containers
            .iter()
            .find(|c| classify(c) == AppKind::Nginx)
            .map(|c| super::docroot::docroot(pod, c))
            .unwrap_or_default(),
    }
}

/// Reads a node's name, InternalIP and pod CIDR.
pub fn describe_node(node: &Node) -> NodeRt {
    let ip = node
        .status
        .as_ref()
        .and_then(|s| s.addresses.as_ref())
        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
        .and_then(|a| parse_ip(&a.address))
        .unwrap_or(0);
    NodeRt {
        name: node.metadata.name.clone().unwrap_or_default(),
        ip,
        cidr: node
            .spec
            .as_ref()
            .and_then(|s| s.pod_cidr.as_deref())
            .and_then(Cidr::parse),
    }
}

/// Who owns an address.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum IpOwner {
    Pod(PodId),
    Node(Site),
}

/// Nodes, namespaces and pods.
#[derive(Default, Debug)]
pub struct Topology {
    pub nodes: Vec<NodeRt>,
    pub node_by_name: BTreeMap<String, Site>,
    pub pods: Vec<PodRt>,
    free_pods: Vec<PodId>,
    pub pod_by_key: BTreeMap<(String, String), PodId>,
    /// Pod IPs (not host-network pods) and node IPs.
    pub by_ip: BTreeMap<Ip, IpOwner>,
    pub ns_labels: BTreeMap<String, BTreeMap<String, String>>,
}

impl Topology {
    pub fn upsert_node(&mut self, n: NodeRt) -> Site {
        if let Some(&id) = self.node_by_name.get(&n.name) {
            let old_ip = self.nodes[id as usize].ip;
            if self.by_ip.get(&old_ip) == Some(&IpOwner::Node(id)) {
                self.by_ip.remove(&old_ip);
            }
            self.by_ip.insert(n.ip, IpOwner::Node(id));
            self.nodes[id as usize] = n;
            return id;
        }
        let id = self.nodes.len() as Site;
        self.by_ip.insert(n.ip, IpOwner::Node(id));
        self.node_by_name.insert(n.name.clone(), id);
        self.nodes.push(n);
        id
    }

    pub fn node_site(&self, name: &str) -> Option<Site> {
        self.node_by_name.get(name).copied()
    }

    pub fn pod_id(&self, ns: &str, name: &str) -> Option<PodId> {
        self.pod_by_key
            .get(&(ns.to_string(), name.to_string()))
            .copied()
    }

    /// A slot for a new pod.
    pub fn alloc_pod(&mut self, ns: &str, name: &str) -> PodId {
        let id = match self.free_pods.pop() {
            Some(id) => id,
            None => {
                self.pods.push(PodRt::default());
                (self.pods.len() - 1) as PodId
            }
        };
        let p = &mut self.pods[id as usize];
        *p = PodRt {
            live: true,
            ns: ns.to_string(),
            name: name.to_string(),
            ..Default::default()
        };
        self.pod_by_key
            .insert((ns.to_string(), name.to_string()), id);
        id
    }

    /// Frees a pod's slot (its processes must have been stopped).
    pub fn free_pod(&mut self, id: PodId) {
        let p = &mut self.pods[id as usize];
        self.pod_by_key.remove(&(p.ns.clone(), p.name.clone()));
        if self.by_ip.get(&p.ip) == Some(&IpOwner::Pod(id)) {
            self.by_ip.remove(&p.ip);
        }
        *p = PodRt::default();
        self.free_pods.push(id);
    }

    /// Sets a pod's address, keeping the index right.
    pub fn set_pod_ip(&mut self, id: PodId, ip: Ip, host_network: bool) {
        let old = self.pods[id as usize].ip;
        if old != 0 && self.by_ip.get(&old) == Some(&IpOwner::Pod(id)) {
            self.by_ip.remove(&old);
        }
        self.pods[id as usize].ip = ip;
        if ip != 0 && !host_network {
            self.by_ip.insert(ip, IpOwner::Pod(id));
        }
    }

    /// The site (node) an address lives on, or OUTSIDE.
    pub fn site_of_ip(&self, ip: Ip) -> Site {
        match self.by_ip.get(&ip) {
            Some(IpOwner::Pod(p)) => self.pods[*p as usize].site,
            Some(IpOwner::Node(n)) => *n,
            None => self
                .nodes
                .iter()
                .position(|n| n.cidr.is_some_and(|c| c.contains(ip)))
                .map(|i| i as Site)
                .unwrap_or(OUTSIDE),
        }
    }

    /// Host-network pods on a node listening on `port`.
    pub fn host_listener(&self, site: Site, port: u16) -> Option<(PodId, usize)> {
        self.pods.iter().enumerate().find_map(|(i, p)| {
            (p.live && p.host_network && p.site == site)
                .then(|| p.listener(port).map(|l| (i as PodId, l)))
                .flatten()
        })
    }
}
