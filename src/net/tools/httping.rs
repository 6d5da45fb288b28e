//! `httping` (2.9, the Ubuntu package the workshop installs): a HEAD
//! request per second on a new connection, one line per answer with the
//! size of the response head and the total time, then the statistics
//! (format strings of httping's `main.c`: `connected to %s:%d (%d bytes),
//! seq=%d time=%s ms`, `%d connects, %d ok, %3.2f%% failed, time %.0fms`,
//! `round-trip min/avg/max = %.1f/%.1f/%.1f ms`). Exit status 127 when no
//! request succeeded.

use super::{exchange, http_request, now_us, sleep, source, Exchanged, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::net::engine::{Failure, Req, Resp};
use crate::net::http::parse_url;
use crate::sim::World;

/// httping's default timeout (`-t`), seconds.
pub const TIMEOUT_S: f64 = 30.0;

/// Runs `httping -c count url`.
pub fn httping(world: &mut World, from: &Origin, url: &str, count: u32) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let Some((_, host, port, path)) = parse_url(url) else {
        return ToolOutput::fail(1, format!("Cannot parse URL {url}\n"));
    };
    let mut out = ToolOutput::default();
    out.out(format!("PING {host}:{port} ({path}):\n"));
    let started = now_us(world);
    let (mut ok, mut err) = (0u32, 0u32);
    let mut times: Vec<f64> = Vec::new();
    for seq in 0..count {
        let req = http_request("HEAD", &host, port, &path, "HTTPing v2.9");
        let (ex, t0, t1) = exchange(
            world,
            src,
            &host,
            port,
            Req::Http(Box::new(req)),
            Some((TIMEOUT_S * 1e6) as u64),
        );
        let ms = (t1 - t0) as f64 / 1000.0;
        match ex {
            Exchanged::Response {
                resp: Resp::Http(h),
                ip,
                ..
            } => {
                ok += 1;
                times.push(ms);
                out.out(format!(
                    "connected to {}:{port} ({} bytes), seq={seq} time={:6.2} ms \n",
                    IpDisplay(ip),
                    h.head_text().len(),
                    ms
                ));
            }
            Exchanged::Response { .. } => {
                err += 1;
                out.out("short read during receiving reply-headers from host\n");
            }
            Exchanged::Unresolved | Exchanged::Deadline { ip: None, .. } => {
                err += 1;
                out.out(format!(
                    "problem resolving host {host} (Name or service not known)\n"
                ));
            }
            Exchanged::Failed { failure, .. } => {
                err += 1;
                out.out(match failure {
                    Failure::Refused => "error connecting to host: Connection refused\n",
                    Failure::Reset => "short read during receiving reply-headers from host\n",
                    _ => "timeout connecting to host\n",
                });
            }
            Exchanged::Deadline { connected, .. } => {
                err += 1;
                out.out(if connected {
                    "timeout while receiving reply-headers from host\n"
                } else {
                    "timeout connecting to host\n"
                });
            }
        }
        if seq + 1 < count {
            sleep(world, 1_000_000);
        }
    }
    let total = (now_us(world) - started) as f64 / 1000.0;
    let shown = if port == 80 {
        format!("http://{host}{path}")
    } else {
        format!("http://{host}:{port}{path}")
    };
    out.out(format!("--- {shown} ping statistics ---\n"));
    out.out(format!(
        "{} connects, {ok} ok, {:3.2}% failed, time {:.0}ms\n",
        ok + err,
        if count == 0 {
            0.0
        } else {
            err as f64 * 100.0 / count as f64
        },
        total
    ));
    if ok > 0 {
        let min = times.iter().cloned().fold(f64::MAX, f64::min);
        let max = times.iter().cloned().fold(0.0, f64::max);
        let avg = times.iter().sum::<f64>() / ok as f64;
        out.out(format!(
            "round-trip min/avg/max = {min:.1}/{avg:.1}/{max:.1} ms\n"
        ));
    } else {
        out.code = 127;
    }
    out
}
