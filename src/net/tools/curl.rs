//! `curl` (8.5.0, Ubuntu 24.04's, as on the workshop nodes): bodies on
//! stdout, errors as `curl: (N) ...` on stderr with curl's exit codes
//! (`docs/libcurl/libcurl-errors.md`: 6 resolve, 7 connect, 22 HTTP error
//! with -f, 28 timeout, 35 TLS, 56 receive, 60 certificate), `-v` trace,
//! `-i`/`-I` heads, `-L` redirects, and the progress meter when stdout is
//! not a terminal.

use super::{exchange, http_request, ms, now_us, source, Exchanged, Origin, ToolOutput};
use crate::net::addr::IpDisplay;
use crate::net::engine::{Failure, Req, Resp};
use crate::net::http::{parse_url, HttpResponse};
use crate::sim::World;

pub const USER_AGENT: &str = "curl/8.5.0";

/// The options a learner uses.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurlOpts {
    /// `-X`
    pub method: Option<String>,
    /// `-d` (makes it a POST)
    pub data: Option<String>,
    /// `-H "Name: value"`
    pub headers: Vec<(String, String)>,
    /// `-m` / `--max-time`, seconds
    pub max_time: Option<f64>,
    /// `-i`
    pub include: bool,
    /// `-I`
    pub head: bool,
    /// `-v`
    pub verbose: bool,
    /// `-s`
    pub silent: bool,
    /// `-S` (errors even with -s)
    pub show_error: bool,
    /// `-f`
    pub fail: bool,
    /// `-k`
    pub insecure: bool,
    /// `-L`
    pub location: bool,
    /// stdout is not a terminal (`kubectl exec` without -t, a pipe): curl
    /// then draws its progress meter on stderr.
    pub progress: bool,
}

const CERT_ERROR: &str =
    "curl: (60) SSL certificate problem: unable to get local issuer certificate
More details here: https://curl.se/docs/sslcerts.html

curl failed to verify the legitimacy of the server and therefore could not
establish a secure connection to it. To learn more about this situation and
how to fix it, please visit the web page mentioned above.
";

const BINARY_WARNING: &str =
    "Warning: Binary output can mess up your terminal. Use \"--output -\" to tell 
Warning: curl to output it to your terminal anyway, or consider \"--output 
Warning: <FILE>\" to save to a file.
";

/// Runs `curl` from `from`.
pub fn curl(world: &mut World, from: &Origin, url: &str, opts: &CurlOpts) -> ToolOutput {
    let src = match source(world, from) {
        Ok(s) => s,
        Err(e) => return ToolOutput::fail(1, format!("{e}\n")),
    };
    let mut out = ToolOutput::default();
    let start = now_us(world);
    let mut url = url.to_string();
    let show_err = !opts.silent || opts.show_error;
    let meter = opts.progress && !opts.silent;
    if meter {
        out.err("  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n");
    }
    let error = |out: &mut ToolOutput, code: i32, msg: String| {
        if meter {
            out.err(
                "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0\n",
            );
        }
        if show_err {
            out.err(msg);
            if !out.stderr.ends_with('\n') {
                out.err("\n");
            }
        }
        out.code = code;
    };
    for _redirect in 0..50 {
        let Some((scheme, host, port, path)) = parse_url(&url) else {
            error(
                &mut out,
                3,
                "curl: (3) URL rejected: Malformed input to a URL function".into(),
            );
            return out;
        };
        let method = if opts.head {
            "HEAD".to_string()
        } else if let Some(m) = &opts.method {
            m.clone()
        } else if opts.data.is_some() {
            "POST".into()
        } else {
            "GET".into()
        };
        let mut req = http_request(&method, &host, port, &path, USER_AGENT);
        req.tls = scheme == "https";
        req.headers.push(("User-Agent".into(), USER_AGENT.into()));
        req.headers.push(("Accept".into(), "*/*".into()));
        for (k, v) in &opts.headers {
            req.headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
            req.headers.push((k.clone(), v.clone()));
        }
        if let Some(d) = &opts.data {
            req.body = d.clone().into_bytes();
            req.headers
                .push(("Content-Length".into(), d.len().to_string()));
            req.headers.push((
                "Content-Type".into(),
                "application/x-www-form-urlencoded".into(),
            ));
        }
        let elapsed = now_us(world) - start;
        let max_us = opts
            .max_time
            .map(|s| ((s * 1e6) as u64).saturating_sub(elapsed));
        let (ex, t0, t1) = exchange(
            world,
            src,
            &host,
            port,
            Req::Http(Box::new(req.clone())),
            max_us,
        );
        let took = |t: u64| ms(t - start);
        let ip = match &ex {
            Exchanged::Response { ip, .. } | Exchanged::Failed { ip, .. } => Some(*ip),
            Exchanged::Deadline { ip, .. } => *ip,
            Exchanged::Unresolved => None,
        };
        if opts.verbose {
            match ip {
                Some(ip) => out.err(format!("*   Trying {}:{port}...\n", IpDisplay(ip))),
                None => out.err(format!("* Could not resolve host: {host}\n")),
            }
        }
        let _ = t0;
        match ex {
            Exchanged::Unresolved => {
                if opts.verbose {
                    out.err("* Closing connection\n");
                }
                error(
                    &mut out,
                    6,
                    format!("curl: (6) Could not resolve host: {host}"),
                );
                return out;
            }
            Exchanged::Deadline { ip: None, .. } => {
                error(
                    &mut out,
                    28,
                    format!(
                        "curl: (28) Resolving timed out after {} milliseconds",
                        took(t1)
                    ),
                );
                return out;
            }
            Exchanged::Deadline {
                connected: false, ..
            } => {
                error(
                    &mut out,
                    28,
                    format!(
                        "curl: (28) Connection timed out after {} milliseconds",
                        took(t1) + 1
                    ),
                );
                return out;
            }
            Exchanged::Deadline {
                connected: true, ..
            } => {
                if opts.verbose {
                    out.err(format!(
                        "* Connected to {host} ({}) port {port}\n",
                        IpDisplay(ip.unwrap_or(0))
                    ));
                }
                error(
                    &mut out,
                    28,
                    format!("curl: (28) Operation timed out after {} milliseconds with 0 bytes received", took(t1) + 1),
                );
                return out;
            }
            Exchanged::Failed { failure, .. } => {
                let (code, msg) = match failure {
                    Failure::Refused => (
                        7,
                        format!("curl: (7) Failed to connect to {host} port {port} after {} ms: Couldn't connect to server", took(t1)),
                    ),
                    Failure::Timeout => (
                        28,
                        format!("curl: (28) Failed to connect to {host} port {port} after {} ms: Couldn't connect to server", took(t1)),
                    ),
                    Failure::Reset => (56, "curl: (56) Recv failure: Connection reset by peer".into()),
                    Failure::DnsNotFound | Failure::DnsTimeout => {
                        (6, format!("curl: (6) Could not resolve host: {host}"))
                    }
                };
                if opts.verbose && code == 7 {
                    out.err(format!(
                        "* connect to {} port {port} from {} port {} failed: Connection refused\n* Failed to connect to {host} port {port} after {} ms: Couldn't connect to server\n* Closing connection\n",
                        IpDisplay(ip.unwrap_or(0)),
                        IpDisplay(src.ip),
                        45678,
                        took(t1)
                    ));
                }
                error(&mut out, code, msg);
                return out;
            }
            Exchanged::Response { resp, tls, .. } => {
                if req.tls && !tls {
                    error(&mut out, 35, "curl: (35) OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version number".into());
                    return out;
                }
                if req.tls && !opts.insecure {
                    error(&mut out, 60, CERT_ERROR.into());
                    return out;
                }
                let h = match resp {
                    Resp::Http(h) => *h,
                    _ => {
                        error(
                            &mut out,
                            1,
                            "curl: (1) Received HTTP/0.9 when not allowed".into(),
                        );
                        return out;
                    }
                };
                if opts.verbose {
                    verbose_exchange(&mut out, &host, ip.unwrap_or(0), port, &req, &h);
                }
                let redirect = (300..400).contains(&h.status) && opts.location;
                if let (true, Some(loc)) = (redirect, h.header("location")) {
                    url = if loc.contains("://") {
                        loc.to_string()
                    } else {
                        let authority = if (scheme == "http" && port == 80)
                            || (scheme == "https" && port == 443)
                        {
                            host.clone()
                        } else {
                            format!("{host}:{port}")
                        };
                        format!("{scheme}://{authority}{loc}")
                    };
                    if opts.include {
                        out.out(head(&h));
                    }
                    continue;
                }
                if opts.fail && h.status >= 400 {
                    error(
                        &mut out,
                        22,
                        format!("curl: (22) The requested URL returned error: {}", h.status),
                    );
                    return out;
                }
                if opts.include || opts.head {
                    out.out(head(&h));
                }
                if !opts.head {
                    let binary = h.body.contains(&0) || std::str::from_utf8(&h.body).is_err();
                    if binary && !opts.progress {
                        out.err(BINARY_WARNING);
                        out.code = 23;
                        return out;
                    }
                    out.out(String::from_utf8_lossy(&h.body));
                }
                if meter {
                    out.err(meter_line(h.body.len() as u64, t1 - start));
                }
                if opts.verbose {
                    if h.header("connection") == Some("close") {
                        out.err("* Closing connection\n");
                    } else {
                        out.err(format!("* Connection #0 to host {host} left intact\n"));
                    }
                }
                return out;
            }
        }
    }
    error(
        &mut out,
        47,
        "curl: (47) Maximum (50) redirects followed".into(),
    );
    out
}

/// The status line and headers, as `-i` prints them.
fn head(h: &HttpResponse) -> String {
    let mut s = format!("{}\n", h.status_line());
    for (k, v) in &h.headers {
        s.push_str(&format!("{k}: {v}\n"));
    }
    s.push('\n');
    s
}

fn verbose_exchange(
    out: &mut ToolOutput,
    host: &str,
    ip: u32,
    port: u16,
    req: &crate::net::http::HttpRequest,
    h: &HttpResponse,
) {
    out.err(format!(
        "* Connected to {host} ({}) port {port}\n",
        IpDisplay(ip)
    ));
    out.err(format!("> {} {} HTTP/1.1\n", req.method, req.path));
    for (k, v) in &req.headers {
        out.err(format!("> {k}: {v}\n"));
    }
    out.err("> \n");
    out.err(format!("< {}\n", h.status_line()));
    for (k, v) in &h.headers {
        out.err(format!("< {k}: {v}\n"));
    }
    out.err("< \n");
}

/// curl's `max5data`: a byte count or rate in at most five characters.
fn max5(v: u64) -> String {
    if v < 100_000 {
        v.to_string()
    } else if v < 10_000 * 1024 {
        format!("{}k", v / 1024)
    } else {
        format!("{}M", v / (1024 * 1024))
    }
}

fn meter_line(bytes: u64, us: u64) -> String {
    let speed = (bytes * 1_000_000).checked_div(us).unwrap_or(bytes);
    let spent = if us >= 1_000_000 {
        let s = us / 1_000_000;
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        "--:--:--".into()
    };
    format!(
        "100 {:>5}  100 {:>5}    0     0 {:>6}      0 --:--:-- {spent:>8} --:--:-- {:>5}\n",
        max5(bytes),
        max5(bytes),
        max5(speed),
        max5(speed)
    )
}
