//! BusyBox `wget` (what alpine and busybox images have): `-qO-` prints the
//! body; otherwise `Connecting to ...`, the progress line and `written to
//! stdout` on stderr; failures as BusyBox words them
//! (`networking/wget.c`: "bad address", "can't connect to remote host",
//! "server returned error", "download timed out").

use super::{exchange, http_request, source, Exchanged, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::net::engine::{Failure, Req, Resp};
use crate::net::http::parse_url;
use crate::sim::World;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WgetOpts {
    /// `-q`
    pub quiet: bool,
    /// `-O -` (to stdout); otherwise the body is "saved" and not printed.
    pub to_stdout: bool,
    /// `-T` seconds (BusyBox default: 900).
    pub timeout: Option<f64>,
    /// `--spider` / `-S` are not modelled.
    pub post_data: Option<String>,
}

pub fn wget(world: &mut World, from: &Origin, url: &str, opts: &WgetOpts) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let mut out = ToolOutput::default();
    let Some((scheme, host, port, path)) = parse_url(url) else {
        return ToolOutput::fail(1, format!("wget: bad address '{url}'\n"));
    };
    if scheme == "https" {
        return ToolOutput::fail(1, "wget: not an http or ftp url: https\n");
    }
    let mut req = http_request(
        if opts.post_data.is_some() {
            "POST"
        } else {
            "GET"
        },
        &host,
        port,
        &path,
        "Wget",
    );
    if let Some(d) = &opts.post_data {
        req.body = d.clone().into_bytes();
    }
    let max = Some((opts.timeout.unwrap_or(900.0) * 1e6) as u64);
    let (ex, _, _) = exchange(world, src, &host, port, Req::Http(Box::new(req)), max);
    let file = path
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("index.html");
    let ip = match &ex {
        Exchanged::Response { ip, .. } | Exchanged::Failed { ip, .. } => Some(*ip),
        Exchanged::Deadline { ip, .. } => *ip,
        Exchanged::Unresolved => None,
    };
    if !opts.quiet {
        if let Some(ip) = ip {
            out.err(format!("Connecting to {host} ({}:{port})\n", IpDisplay(ip)));
        }
    }
    match ex {
        Exchanged::Unresolved | Exchanged::Deadline { ip: None, .. } => {
            out.err(format!("wget: bad address '{host}'\n"));
            out.code = 1;
        }
        Exchanged::Deadline { .. } => {
            out.err("wget: download timed out\n");
            out.code = 1;
        }
        Exchanged::Failed { failure, ip } => {
            let why = match failure {
                Failure::Refused => "Connection refused",
                Failure::Timeout => "Operation timed out",
                Failure::Reset => "Connection reset by peer",
                _ => "Host is unreachable",
            };
            out.err(format!(
                "wget: can't connect to remote host ({}): {why}\n",
                IpDisplay(ip)
            ));
            out.code = 1;
        }
        Exchanged::Response { resp, .. } => {
            let Resp::Http(h) = resp else {
                out.err("wget: server returned error: \n");
                out.code = 1;
                return out;
            };
            if h.status >= 400 {
                out.err(format!(
                    "wget: server returned error: {}\n",
                    h.status_line()
                ));
                out.code = 1;
                return out;
            }
            if opts.to_stdout {
                if !opts.quiet {
                    out.err("writing to stdout\n");
                }
                out.out(String::from_utf8_lossy(&h.body));
                if !opts.quiet {
                    out.err(format!(
                        "-                    100% |********************************| {:>5}  0:00:00 ETA\nwritten to stdout\n",
                        h.body.len()
                    ));
                }
            } else if !opts.quiet {
                out.err(format!(
                    "saving to '{file}'\n{file:<20} 100% |********************************| {:>5}  0:00:00 ETA\n'{file}' saved\n",
                    h.body.len()
                ));
            }
        }
    }
    out
}
