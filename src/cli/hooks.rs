//! Hooks: what the CLI asks of parts that live elsewhere (the network, the
//! kubelet's usage figures, the eviction API). Each is a plain function
//! with a default that tells the truth about what is missing, so the lead
//! connects the real implementation by assigning one field in
//! [`Hooks`] (see `docs/repl.md`, "Hooks").

use super::output::Output;
use super::term::{Live, Terminal};
use crate::objects::Kind;
use crate::sim::store::{ApiError, DeleteOptions};
use crate::sim::{SimTime, World};

/// Where a network tool runs: a node's shell (the workshop's `node1`
/// prompt) or a container (`kubectl exec`, `kubectl run -it`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Node(String),
    Pod {
        namespace: String,
        name: String,
        container: String,
    },
}

/// What a tool gets: the world, a way to wait and to print as it goes, and
/// the bound of an endless command (`ping` without `-c`) in scripts.
pub struct ToolCtx<'a> {
    pub world: &'a mut World,
    pub term: &'a mut Terminal,
    pub live: Live,
    pub origin: Origin,
    /// Endless tools stop here (script mode); `None` in the REPL, where
    /// Ctrl-C ends them.
    pub deadline: Option<SimTime>,
    /// The network hook, for tools run inside a container (`kubectl exec
    /// POD -- curl ...`, `sh -c 'wget ...'`).
    pub network: NetworkFn,
}

impl ToolCtx<'_> {
    /// Shows what `out` holds so far when it goes to the terminal.
    pub fn flush(&mut self, out: &mut Output) {
        flush(self.term, self.live, out);
    }
    /// Lets virtual time pass; false when the user interrupted.
    pub fn wait_until(&mut self, t: SimTime) -> bool {
        self.term.wait_until(self.world, t)
    }
}

/// Writes the parts of `out` that go to the terminal and keeps the rest.
pub fn flush(term: &mut Terminal, live: Live, out: &mut Output) {
    let so = if live.stdout {
        std::mem::take(&mut out.stdout)
    } else {
        String::new()
    };
    let se = if live.stderr {
        std::mem::take(&mut out.stderr)
    } else {
        String::new()
    };
    term.write(&so, &se);
}

/// A network tool (`curl`, `wget`, `ping`, `httping`, `nslookup`, `host`,
/// `dig`): argv includes the tool's name.
pub type NetworkFn = fn(&mut ToolCtx, &[String]) -> Output;

/// What the container runtime made of an exec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecResult {
    /// The program ran: its output and exit status.
    Exited(Output),
    /// The runtime could not start it (containerd's message, which kubectl
    /// prints as `error: Internal error occurred: ...`).
    StartFailed(String),
}

/// A command inside the container `ToolCtx::origin` names (`kubectl exec`,
/// `kubectl run -i`): `None` means "not simulated".
pub type ExecFn = fn(&mut ToolCtx, &[String]) -> Option<ExecResult>;

/// CPU (millicores) and memory (bytes) in use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Usage {
    pub cpu_millis: i64,
    pub memory_bytes: i64,
}

/// Per-container usage of a pod, as metrics-server reports it.
pub type PodUsageFn = fn(&World, &str, &str) -> Option<Vec<(String, Usage)>>;
/// A node's usage.
pub type NodeUsageFn = fn(&World, &str) -> Option<Usage>;
/// A container's log (`GET pods/NAME/log`): namespace, pod, container,
/// previous instance.
pub type LogsFn = fn(
    &World,
    &str,
    &str,
    &str,
    bool,
) -> Result<Vec<crate::controllers::kubelet::LogLine>, ApiError>;

/// The eviction API (`POST pods/NAME/eviction`), with the grace period of
/// its DeleteOptions (`kubectl drain --grace-period`).
pub type EvictFn = fn(&mut World, &str, &str, Option<i64>) -> Result<(), ApiError>;

/// The functions the CLI calls into other parts of kubesim.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// Lead: connect to the network's request path.
    pub network: NetworkFn,
    /// Commands inside containers (`cli::container::exec` when connected).
    pub exec: ExecFn,
    /// The kubelet's usage model (metrics-server).
    pub pod_usage: PodUsageFn,
    pub node_usage: NodeUsageFn,
    /// The eviction API (`Store::evict`, PDB-aware).
    pub evict: EvictFn,
    /// The kubelet's logs (defaults to `Kubelet::logs`).
    pub logs: LogsFn,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            network: unresolved_network,
            exec: no_exec,
            pod_usage: kubelet_pod_usage,
            node_usage: kubelet_node_usage,
            evict: store_evict,
            // The kubelet's lines with the container's traffic lines, as
            // `kubesim serve` serves them.
            logs: crate::net::container_logs,
        }
    }
}

/// The default network (until the network is connected): no name
/// resolves and nothing answers, worded as each tool words it.
pub fn unresolved_network(_ctx: &mut ToolCtx, argv: &[String]) -> Output {
    let tool = argv.first().map(String::as_str).unwrap_or("");
    let target = net_target(&argv[1..]).unwrap_or_default();
    let host = host_of(&target);
    let is_ip = host.parse::<std::net::Ipv4Addr>().is_ok();
    let port = port_of(&target);
    let (text, code) = match (tool, is_ip) {
        ("curl", false) => (format!("curl: (6) Could not resolve host: {host}"), 6),
        ("curl", true) => (
            format!("curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server"),
            7,
        ),
        ("wget", false) => (format!("wget: bad address '{host}'"), 1),
        ("wget", true) => (format!("wget: can't connect to remote host ({host}): Connection refused"), 1),
        ("ping", false) => (format!("ping: bad address '{host}'"), 1),
        ("ping", true) => (format!("PING {host} ({host}): 56 data bytes\nping: sendto: Network unreachable"), 1),
        ("httping", false) => (format!("No valid IPv4 or IPv6 address found for {host}"), 1),
        ("httping", true) => (format!("error connecting to host ({host}:{port}): Connection refused"), 1),
        _ => {
            return Output::ok(format!(
                "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find {host}: NXDOMAIN\n\n"
            ))
            .with_code(1)
        }
    };
    let mut out = Output::default();
    if tool == "ping" && is_ip {
        let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
        out.push_out(first);
        out.push_err(rest);
    } else {
        out.push_err(&text);
    }
    out.code = code;
    out
}

/// The port of a URL or `host:port` (80 for http, 443 for https).
pub fn port_of(target: &str) -> u16 {
    let (scheme, rest) = target.split_once("://").unwrap_or(("http", target));
    let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
    match hostport.rsplit_once(':') {
        Some((_, p)) if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() => {
            p.parse().unwrap_or(80)
        }
        _ => {
            if scheme == "https" {
                443
            } else {
                80
            }
        }
    }
}

/// The first argument that is not an option (nor an option's value).
pub fn net_target(args: &[String]) -> Option<String> {
    // Options of curl/wget/ping/httping that take a value.
    const WITH_VALUE: &[&str] = &[
        "-m",
        "--max-time",
        "--connect-timeout",
        "-H",
        "--header",
        "-o",
        "--output",
        "-X",
        "--request",
        "-d",
        "--data",
        "-w",
        "--write-out",
        "-c",
        "-i",
        "-W",
        "-t",
        "-O",
        "-T",
        "-u",
        "--user",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "--resolve",
        "-x",
        "--proxy",
        "-s",
    ];
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a.starts_with('-') && a.len() > 1 {
            // -s is a flag for curl but a size for ping; curl's is bare.
            if WITH_VALUE.contains(&a.as_str()) && a != "-s" && a != "-i" {
                i += 1;
            }
            i += 1;
            continue;
        }
        return Some(a.clone());
    }
    None
}

/// The host part of a URL or `host:port`.
pub fn host_of(target: &str) -> String {
    let rest = target.split_once("://").map(|(_, r)| r).unwrap_or(target);
    let hostport = rest.split(['/', '?']).next().unwrap_or(rest);
    let hostport = hostport
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(hostport);
    match hostport.rsplit_once(':') {
        Some((h, p)) if p.chars().all(|c| c.is_ascii_digit()) => h.to_string(),
        _ => hostport.to_string(),
    }
}

fn no_exec(_ctx: &mut ToolCtx, _argv: &[String]) -> Option<ExecResult> {
    None
}

/// The eviction API (`POST pods/NAME/eviction`, PDB-aware): what `kubectl
/// drain` calls.
pub fn store_evict(
    world: &mut World,
    ns: &str,
    name: &str,
    grace: Option<i64>,
) -> Result<(), ApiError> {
    let opts = DeleteOptions {
        grace_period_seconds: grace.filter(|g| *g >= 0),
        ..Default::default()
    };
    world.store.evict(ns, name, &opts)
}

/// What metrics-server reports for a pod: its latest scrape of the
/// kubelet's usage model (`None` before the first scrape of a running
/// container), the numbers the HPA sees too.
pub fn kubelet_pod_usage(world: &World, ns: &str, pod: &str) -> Option<Vec<(String, Usage)>> {
    let v: Vec<(String, Usage)> = crate::controllers::metrics::pod_metrics(&world.store, ns, pod)?
        .into_iter()
        .map(|c| {
            (
                c.name,
                Usage {
                    cpu_millis: c.cpu_millis as i64,
                    memory_bytes: c.memory_bytes as i64,
                },
            )
        })
        .collect();
    (!v.is_empty()).then_some(v)
}

/// What metrics-server reports for a node (`None` when its kubelet is down).
pub fn kubelet_node_usage(world: &World, node: &str) -> Option<Usage> {
    crate::controllers::metrics::node_usage(&world.store, node).map(|(cpu, mem)| Usage {
        cpu_millis: cpu,
        memory_bytes: mem,
    })
}

/// Eviction without the eviction API: a delete with the pod's own grace
/// period (no PodDisruptionBudget check).
pub fn delete_for_eviction(
    world: &mut World,
    ns: &str,
    name: &str,
    grace: Option<i64>,
) -> Result<(), ApiError> {
    let opts = DeleteOptions {
        grace_period_seconds: grace.filter(|g| *g >= 0),
        ..Default::default()
    };
    world.store.delete(Kind::Pod, ns, name, &opts).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_hosts() {
        let a: Vec<String> = ["-m1", "-s", "http://blue:80/x"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(net_target(&a).as_deref(), Some("http://blue:80/x"));
        assert_eq!(host_of("http://blue:80/x"), "blue");
        assert_eq!(host_of("10.96.0.1"), "10.96.0.1");
        let a: Vec<String> = ["-c", "3", "localhost:8001"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(net_target(&a).as_deref(), Some("localhost:8001"));
    }
}
