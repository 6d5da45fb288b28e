//! The network tools a learner types — `curl`, `wget`, `httping`, `ping`,
//! `nslookup`, `cat /etc/resolv.conf` — as library functions the REPL calls.
//! Each one is a client in the simulation: it sends real simulated
//! requests and advances virtual time while it waits, then prints what
//! the real tool prints.
//!
//! Where a tool runs is an [`Origin`]: a node (the workshop's `node1`
//! shell), a pod (`kubectl exec`), or a machine outside the cluster.

pub mod curl;
pub mod dockercoins;
pub mod httping;
pub mod nc;
pub mod nslookup;
pub mod ping;
pub mod wget;

pub use curl::{curl, CurlOpts};
pub use dockercoins::{format_hash_rates, hash_rate_samples, HashRateSample};
pub use httping::httping;
pub use nc::nc;
pub use nslookup::nslookup;
pub use ping::ping;
pub use wget::{wget, WgetOpts};

use super::addr::{Ip, OUTSIDE_CLIENT_IP};
use super::engine::{Failure, Outcome, Req, Resp, Src};
use super::http::HttpRequest;
use super::latency::{timings, Micros, OUTSIDE};
use super::{network_mut, Network, SYNC_KEY};
use crate::sim::{SimTime, World};

/// Where a tool runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A shell on a node (host network, the node's resolver).
    Node(String),
    /// Inside a pod's network namespace: `kubectl exec -n ns pod -- ...`.
    Pod(String, String),
    /// A machine on the lab network, outside the cluster.
    Outside,
}

/// What a tool printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ToolOutput {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

impl ToolOutput {
    pub fn out(&mut self, s: impl AsRef<str>) {
        self.stdout.push_str(s.as_ref());
    }
    pub fn err(&mut self, s: impl AsRef<str>) {
        self.stderr.push_str(s.as_ref());
    }
    fn fail(code: i32, stderr: impl Into<String>) -> ToolOutput {
        ToolOutput {
            stdout: String::new(),
            stderr: stderr.into(),
            code,
        }
    }
}

/// `/etc/resolv.conf` of a pod in namespace `ns` (dnsPolicy ClusterFirst).
pub fn resolv_conf(ns: &str) -> String {
    super::dns::resolv_conf(ns)
}

/// `/etc/resolv.conf` as seen from an origin (host-network pods and nodes
/// have the node's).
pub fn resolv_conf_at(world: &World, from: &Origin) -> Result<String, String> {
    match from {
        Origin::Pod(ns, name) => {
            let pod = world
                .store
                .get_as::<k8s_openapi::api::core::v1::Pod>(ns, name)
                .ok_or_else(|| format!("pods \"{name}\" not found"))?;
            let spec = pod.spec.clone().unwrap_or_default();
            let policy = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
            let host = spec.host_network == Some(true);
            if policy == "Default" || (host && policy != "ClusterFirstWithHostNet") {
                return Ok(super::dns::node_resolv_conf());
            }
            Ok(resolv_conf(ns))
        }
        _ => Ok(super::dns::node_resolv_conf()),
    }
}

fn net(world: &mut World) -> &mut Network {
    network_mut(world).expect("the network component is installed")
}

/// The connection source of an origin.
pub(crate) fn source(world: &mut World, from: &Origin) -> Result<Src, String> {
    world.settle();
    if network_mut(world).is_none() {
        return Err("error: this world has no network component".into());
    }
    let net = net(world);
    let eng = net.engine();
    match from {
        Origin::Outside => Ok(Src {
            ip: OUTSIDE_CLIENT_IP,
            site: OUTSIDE,
            pod: None,
        }),
        Origin::Node(n) => {
            let site = eng.topo.node_site(n).ok_or_else(|| {
                format!("ssh: Could not resolve hostname {n}: Name or service not known")
            })?;
            Ok(Src {
                ip: eng.topo.nodes[site as usize].ip,
                site,
                pod: None,
            })
        }
        Origin::Pod(ns, name) => {
            let id = eng
                .topo
                .pod_id(ns, name)
                .ok_or_else(|| format!("error: pod {name} does not exist in namespace {ns}"))?;
            let p = &eng.topo.pods[id as usize];
            if p.ip == 0 {
                return Err(format!(
                    "error: unable to upgrade connection: container not found (\"{name}\")"
                ));
            }
            Ok(eng.pod_src(id))
        }
    }
}

/// Runs the world until `done` holds or virtual time reaches `deadline`.
pub(crate) fn drive(world: &mut World, deadline: SimTime, mut done: impl FnMut(&Network) -> bool) {
    world.poke::<Network>(SYNC_KEY);
    loop {
        if done(net(world)) {
            return;
        }
        match world.next_event_time() {
            Some(t) if t <= deadline => world.run_until(t),
            _ => {
                world.run_until(deadline);
                return;
            }
        }
    }
}

/// Lets virtual time pass (the tool sleeping).
pub(crate) fn sleep(world: &mut World, d: Micros) {
    let target = SimTime((net(world).engine().now + d).div_ceil(1000));
    world.run_until(target.max(world.now()));
}

/// The engine's clock, in microseconds.
pub(crate) fn now_us(world: &mut World) -> Micros {
    net(world).engine().now
}

/// What happened to one HTTP request a tool made.
#[derive(Clone, Debug)]
pub(crate) enum Exchanged {
    /// The name did not resolve.
    Unresolved,
    Response {
        resp: Resp,
        ip: Ip,
        tls: bool,
    },
    Failed {
        failure: Failure,
        ip: Ip,
    },
    /// The tool's own time limit hit first.
    Deadline {
        ip: Option<Ip>,
        connected: bool,
    },
}

/// One request, blocking in virtual time: resolve, connect, send, wait.
/// Returns what happened and when it started/ended (µs).
pub(crate) fn exchange(
    world: &mut World,
    src: Src,
    host: &str,
    port: u16,
    req: Req,
    max_us: Option<Micros>,
) -> (Exchanged, Micros, Micros) {
    let start = now_us(world);
    let limit = start + max_us.unwrap_or(timings::ESTABLISHED_TIMEOUT_US + timings::SYN_TIMEOUT_US);
    let resolved = net(world).engine_mut().resolve(src, host);
    let (ip, cost) = match resolved {
        Ok(v) => v,
        Err((f, cost)) => {
            let end = (start + cost).min(limit);
            sleep(world, end - start);
            if start + cost > limit {
                return (
                    Exchanged::Deadline {
                        ip: None,
                        connected: false,
                    },
                    start,
                    limit,
                );
            }
            let _ = f;
            return (Exchanged::Unresolved, start, end);
        }
    };
    let id = net(world).engine_mut().tool_open(src, ip, port, req, cost);
    let deadline = SimTime(limit.div_ceil(1000));
    drive(world, deadline, |n| n.engine().tool_peek(id).is_some());
    let eng = net(world).engine_mut();
    let connected_at = eng.tool_connected(id);
    let outcome = eng.tool_take(id);
    let out = match outcome {
        Some(Outcome::Response {
            resp, done, tls, ..
        }) if done <= limit => (Exchanged::Response { resp, ip, tls }, done),
        Some(Outcome::Failed { failure, at }) if at <= limit => {
            (Exchanged::Failed { failure, ip }, at)
        }
        _ => (
            Exchanged::Deadline {
                ip: Some(ip),
                connected: connected_at.is_some_and(|t| t <= limit),
            },
            limit,
        ),
    };
    (out.0, start, out.1)
}

/// An HTTP request as the tools send it.
pub(crate) fn http_request(
    method: &str,
    host: &str,
    port: u16,
    path: &str,
    agent: &str,
) -> HttpRequest {
    let host_header = if port == 80 || port == 443 {
        host.to_string()
    } else {
        format!("{host}:{port}")
    };
    HttpRequest {
        method: method.into(),
        path: path.into(),
        host: host_header.clone(),
        headers: vec![("Host".into(), host_header)],
        body: Vec::new(),
        user_agent: agent.into(),
        tls: false,
    }
}

/// Milliseconds as the tools round them.
pub(crate) fn ms(us: Micros) -> u64 {
    us / 1000
}
