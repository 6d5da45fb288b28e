//! `nc -zv HOST PORT`: a bare TCP connect. On the nodes, OpenBSD netcat
//! (Ubuntu's `netcat-openbsd`: `Connection to HOST PORT port [tcp/*]
//! succeeded!`, `nc: connect to HOST port PORT (tcp) failed: Connection
//! refused`); in pods, BusyBox (`HOST (IP:PORT) open`).

use super::{exchange, source, Exchanged, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::net::engine::{Failure, Req};
use crate::sim::World;

/// Runs `nc -zv [-w timeout] host port`.
pub fn nc(
    world: &mut World,
    from: &Origin,
    host: &str,
    port: u16,
    timeout: Option<f64>,
) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let busybox = matches!(from, Origin::Pod(..));
    let max = timeout.map(|s| (s * 1e6) as u64);
    let (ex, _, _) = exchange(world, src, host, port, Req::Connect, max);
    let mut out = ToolOutput::default();
    let service = match port {
        80 => "http",
        443 => "https",
        22 => "ssh",
        53 => "domain",
        _ => "*",
    };
    match ex {
        Exchanged::Response { ip, .. } => {
            if busybox {
                out.err(format!("{host} ({}:{port}) open\n", IpDisplay(ip)));
            } else {
                out.err(format!(
                    "Connection to {host} {port} port [tcp/{service}] succeeded!\n"
                ));
            }
        }
        Exchanged::Unresolved | Exchanged::Deadline { ip: None, .. } => {
            out.code = 1;
            if busybox {
                out.err(format!("nc: bad address '{host}'\n"));
            } else {
                out.err(format!(
                    "nc: getaddrinfo for host \"{host}\" port {port}: Name or service not known\n"
                ));
            }
        }
        Exchanged::Failed { failure, ip } => {
            out.code = 1;
            let why = match failure {
                Failure::Refused => "Connection refused",
                Failure::Reset => "Connection reset by peer",
                _ => "Connection timed out",
            };
            if busybox {
                out.err(format!("nc: {host} ({}:{port}): {why}\n", IpDisplay(ip)));
            } else {
                out.err(format!(
                    "nc: connect to {host} port {port} (tcp) failed: {why}\n"
                ));
            }
        }
        Exchanged::Deadline { ip: Some(ip), .. } => {
            out.code = 1;
            if busybox {
                out.err(format!(
                    "nc: {host} ({}:{port}): Connection timed out\n",
                    IpDisplay(ip)
                ));
            } else {
                out.err(format!("nc: connect to {host} port {port} (tcp) timed out: Operation now in progress\n"));
            }
        }
    }
    out
}
