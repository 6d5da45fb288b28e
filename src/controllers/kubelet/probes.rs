//! Liveness, readiness and startup probes (`pkg/kubelet/prober/`): the
//! outcome of one probe comes from the container's behaviour.

use super::behaviours::Behaviour;
use k8s_openapi::api::core::v1::Probe;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::time::Duration;

/// Which probe (also the word in the Unhealthy event).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Startup,
    Liveness,
    Readiness,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Startup, Kind::Liveness, Kind::Readiness];
    pub fn word(self) -> &'static str {
        match self {
            Kind::Startup => "Startup",
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
        }
    }
}

/// Per-probe worker state (`pkg/kubelet/prober/worker.go`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Worker {
    pub next: Option<crate::sim::SimTime>,
    pub successes: i32,
    pub failures: i32,
    /// The current result: readiness starts failed, liveness succeeded,
    /// startup unknown (false).
    pub ok: bool,
}

pub fn period(p: &Probe) -> Duration {
    Duration::from_secs(p.period_seconds.unwrap_or(10).max(1) as u64)
}
pub fn timeout(p: &Probe) -> Duration {
    Duration::from_secs(p.timeout_seconds.unwrap_or(1).max(1) as u64)
}

fn port_of(p: &IntOrString, container: &k8s_openapi::api::core::v1::Container) -> i32 {
    match p {
        IntOrString::Int(n) => *n,
        IntOrString::String(name) => container
            .ports
            .iter()
            .flatten()
            .find(|cp| cp.name.as_deref() == Some(name))
            .map(|cp| cp.container_port)
            .unwrap_or(0),
    }
}

/// Runs one probe at `elapsed` since the container started. `Err` carries
/// the prober's failure output. `backlog(port)` is how long a request to
/// that port would wait behind the server's queue (the network's load
/// board): an HTTP probe waits like any client, and when the wait plus the
/// answer exceed `timeoutSeconds` the Go client gives up
/// (`pkg/probe/http/http.go` returns the client's error text). A TCP probe
/// only needs the kernel to accept the connection, which it does while the
/// program is busy, so the backlog does not delay it.
pub fn run(
    probe: &Probe,
    container: &k8s_openapi::api::core::v1::Container,
    b: &Behaviour,
    elapsed: Duration,
    pod_ip: &str,
    backlog: &dyn Fn(u16) -> Duration,
) -> Result<(), String> {
    let server = b.listening(elapsed);
    if let Some(h) = &probe.http_get {
        let port = port_of(&h.port, container);
        let path = h.path.clone().unwrap_or_else(|| "/".into());
        let scheme = h.scheme.as_deref().unwrap_or("HTTP").to_lowercase();
        let host = h.host.clone().unwrap_or_else(|| pod_ip.to_string());
        let url = format!("{scheme}://{host}:{port}{path}");
        return match server.filter(|s| s.listens_on(port)) {
            None => Err(format!(
                "Get \"{url}\": dial tcp {host}:{port}: connect: connection refused"
            )),
            Some(s) if !s.http => Err(format!(
                "Get \"{url}\": net/http: HTTP/1.x transport connection broken: malformed HTTP response \"-ERR unknown command\""
            )),
            Some(s) => {
                let r = s.respond(&path, 0);
                let waited = u16::try_from(port).map(backlog).unwrap_or_default();
                if waited + r.latency > timeout(probe) {
                    Err(format!("Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"))
                } else if (200..400).contains(&r.status) {
                    Ok(())
                } else {
                    Err(format!("HTTP probe failed with statuscode: {}", r.status))
                }
            }
        };
    }
    if let Some(t) = &probe.tcp_socket {
        let port = port_of(&t.port, container);
        let host = t.host.clone().unwrap_or_else(|| pod_ip.to_string());
        return match server.filter(|s| s.listens_on(port)) {
            Some(_) => Ok(()),
            None => Err(format!(
                "dial tcp {host}:{port}: connect: connection refused"
            )),
        };
    }
    if let Some(g) = &probe.grpc {
        return match server.filter(|s| s.listens_on(g.port)) {
            Some(_) => Ok(()),
            None => Err(format!(
                "timeout: failed to connect service \"{pod_ip}:{}\" within {}s",
                g.port,
                timeout(probe).as_secs()
            )),
        };
    }
    if let Some(e) = &probe.exec {
        let cmd = e.command.clone().unwrap_or_default();
        return exec(&cmd, b, elapsed);
    }
    Ok(())
}

/// The exec probes workshops use: `cat FILE`, `test -e FILE`, `ls FILE`,
/// `true`/`false`, and `sh -c '...'` around them.
/// An exec check (`cat FILE`, `ls FILE`, `test -f FILE`, `false`), also
/// used by exec lifecycle hooks.
pub(crate) fn exec_check(cmd: &[String], b: &Behaviour, elapsed: Duration) -> Result<(), String> {
    exec(cmd, b, elapsed)
}

fn exec(cmd: &[String], b: &Behaviour, elapsed: Duration) -> Result<(), String> {
    let words: Vec<String> = match cmd {
        [sh, c, script] if sh.ends_with("sh") && c == "-c" => {
            script.split_whitespace().map(String::from).collect()
        }
        _ => cmd.to_vec(),
    };
    let files = b.files_at(elapsed);
    match words.first().map(String::as_str) {
        Some("false") => Err(String::new()),
        Some("cat") | Some("ls") | Some("test") | Some("[") => {
            let f = words.iter().skip(1).find(|w| w.starts_with('/'));
            match f {
                Some(f) if !files.contains(f) && matches!(b, Behaviour::Script(_)) => {
                    Err(match words[0].as_str() {
                        "cat" => format!("cat: can't open '{f}': No such file or directory"),
                        "ls" => format!("ls: {f}: No such file or directory"),
                        _ => String::new(),
                    })
                }
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}
