//! Attach mode: the dashboard of a running `kubesim serve`, so the teacher's
//! screen shows what learners do with kubectl.
//!
//! A poller thread lists the kinds the dashboard shows over the Kubernetes
//! HTTP API (plain `GET /api/v1/pods`, `/apis/apps/v1/deployments`, ...)
//! about once a second and hands each list to the UI thread, which diffs it
//! into the cache by resourceVersion: rows still light up when they are
//! added, changed or deleted. The UI thread never waits on the network.
//!
//! The server's virtual time is read from an `X-Kubesim-Virtual-Time`
//! response header (RFC 3339) when the server sends one, else from the
//! `Date` header when it is plausible, else it is the newest timestamp seen
//! on any object. `:` lines, describe and logs go through the real
//! `kubectl --server URL` when it is on the PATH; pause and speed belong to
//! the server.

use super::app::{App, Capabilities, Clock, Mode, ObjRef};
use super::cache::Cache;
use super::source::{show_output, Source};
use super::theme::Theme;
use super::update::Effect;
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::SimTime;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The kinds always polled; the kind on screen is polled too.
pub const POLLED: &[Kind] = &[
    Kind::Node,
    Kind::Pod,
    Kind::Event,
    Kind::Namespace,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::DaemonSet,
    Kind::StatefulSet,
    Kind::Service,
    Kind::Job,
];

/// How often the server is polled (wall time).
pub const POLL_EVERY: Duration = Duration::from_secs(1);

/// `http://host:port`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub url: String,
}

impl Server {
    pub fn parse(url: &str) -> Result<Server, String> {
        let url = url.trim_end_matches('/');
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            format!("--attach wants an http:// URL (kubesim serve listens on loopback without TLS), got {url:?}")
        })?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("invalid port in {url:?}"))?,
            ),
            None => (rest.to_string(), 80),
        };
        if host.is_empty() || host.contains('/') {
            return Err(format!("invalid server URL {url:?}"));
        }
        Ok(Server {
            host,
            port,
            url: url.to_string(),
        })
    }
}

/// An HTTP response: status, headers (lower-cased names), body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A plain HTTP/1.1 GET (the server is on loopback, without TLS).
pub fn get(server: &Server, path: &str) -> Result<Response, String> {
    let addr = format!("{}:{}", server.host, server.port);
    let mut s =
        TcpStream::connect(&addr).map_err(|e| format!("cannot reach {}: {e}", server.url))?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nUser-Agent: kubesim-tui\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    parse_response(&raw)
}

/// Parses a whole HTTP/1.1 response (Content-Length, chunked or close).
pub fn parse_response(raw: &[u8]) -> Result<Response, String> {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("malformed HTTP response")?;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or("malformed HTTP status line")?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let mut body = raw[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.to_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(Response {
        status,
        headers,
        body,
    })
}

fn dechunk(mut b: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = b
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("malformed chunked body")?;
        let size_text = String::from_utf8_lossy(&b[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| "malformed chunk size")?;
        b = &b[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if b.len() < size {
            return Err("truncated chunked body".into());
        }
        out.extend_from_slice(&b[..size]);
        b = b.get(size + 2..).unwrap_or(&[]);
    }
}

/// The list path of a kind across namespaces.
pub fn list_path(kind: Kind) -> String {
    let i = kind.info();
    if i.group.is_empty() {
        format!("/api/{}/{}", i.version, i.plural)
    } else {
        format!("/apis/{}/{}/{}", i.group, i.version, i.plural)
    }
}

/// Decodes a list's items (list items carry no apiVersion/kind).
pub fn decode_list(kind: Kind, body: &[u8]) -> Result<Vec<Arc<Object>>, String> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("invalid JSON list: {e}"))?;
    let items = v["items"].as_array().cloned().unwrap_or_default();
    items
        .into_iter()
        .map(|item| {
            kind.decode(item)
                .map(Arc::new)
                .map_err(|e| format!("invalid {}: {e}", kind.info().kind))
        })
        .collect()
}

/// One poll: every list, and what the server says the time is.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub lists: Vec<(Kind, Vec<Arc<Object>>)>,
    pub virtual_time: Option<jiff::Timestamp>,
    pub date: Option<jiff::Timestamp>,
    pub error: Option<String>,
}

fn poll(server: &Server, kinds: &[Kind]) -> Snapshot {
    let mut snap = Snapshot::default();
    for &k in kinds {
        match get(server, &list_path(k)) {
            Ok(r) if r.status == 200 => {
                if snap.virtual_time.is_none() {
                    snap.virtual_time = r
                        .header("x-kubesim-virtual-time")
                        .and_then(|v| v.parse().ok());
                    snap.date = r
                        .header("date")
                        .and_then(|d| jiff::fmt::rfc2822::parse(d).ok())
                        .map(|z| z.timestamp());
                }
                match decode_list(k, &r.body) {
                    Ok(objs) => snap.lists.push((k, objs)),
                    Err(e) => snap.error = Some(e),
                }
            }
            // A kind the server does not serve is skipped.
            Ok(r) if r.status == 404 => {}
            Ok(r) => snap.error = Some(format!("GET {} answered {}", list_path(k), r.status)),
            Err(e) => {
                snap.error = Some(e);
                break;
            }
        }
    }
    snap
}

/// The newest instant any object mentions (creation, conditions, events).
fn newest_timestamp(cache: &Cache) -> Option<jiff::Timestamp> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    let mut best: Option<jiff::Timestamp> = None;
    let mut see = |t: Option<jiff::Timestamp>| {
        if let Some(t) = t {
            best = Some(best.map_or(t, |b| b.max(t)));
        }
    };
    let ts = |t: Option<&Time>| t.map(|t| t.0);
    for k in POLLED {
        for o in cache.iter(*k, None) {
            see(ts(o.meta().creation_timestamp.as_ref()));
            match &**o {
                Object::Event(e) => {
                    see(ts(e.last_timestamp.as_ref()));
                    see(e.event_time.as_ref().map(|m| m.0));
                }
                Object::Node(n) => {
                    for c in n.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
                        see(ts(c.last_heartbeat_time.as_ref()));
                        see(ts(c.last_transition_time.as_ref()));
                    }
                }
                Object::Pod(p) => {
                    for c in p.status.iter().flat_map(|s| s.conditions.iter().flatten()) {
                        see(ts(c.last_transition_time.as_ref()));
                    }
                }
                _ => {}
            }
        }
    }
    best
}

/// Picks the server's virtual now from what a poll told.
pub fn estimate_now(
    header: Option<jiff::Timestamp>,
    date: Option<jiff::Timestamp>,
    newest: Option<jiff::Timestamp>,
) -> Option<jiff::Timestamp> {
    if header.is_some() {
        return header;
    }
    match (date, newest) {
        // A Date in the objects' era is the server's virtual clock.
        (Some(d), Some(n))
            if d >= n - jiff::SignedDuration::from_secs(60)
                && d <= n + jiff::SignedDuration::from_hours(24) =>
        {
            Some(d)
        }
        (_, Some(n)) => Some(n),
        (d, None) => d,
    }
}

/// What the UI thread gets from background work.
enum Message {
    Snapshot(Snapshot),
    Output(String, Output),
    Pane(Mode, ObjRef, String),
}

/// The dashboard side of attach mode.
pub struct AttachSource {
    server: Server,
    rx: Receiver<Message>,
    tx: Sender<Message>,
    view_kind: Arc<Mutex<Kind>>,
    kubectl: bool,
    /// Whether the first poll fixed the epoch (virtual 0 = first contact).
    started: bool,
}

impl AttachSource {
    /// Starts the poller thread.
    pub fn start(server: Server) -> AttachSource {
        let (tx, rx) = channel();
        let view_kind = Arc::new(Mutex::new(Kind::Pod));
        let kubectl = which("kubectl");
        let poll_tx = tx.clone();
        let poll_server = server.clone();
        let poll_kind = view_kind.clone();
        std::thread::spawn(move || loop {
            let mut kinds = POLLED.to_vec();
            if let Ok(k) = poll_kind.lock() {
                if !kinds.contains(&k) {
                    kinds.push(*k);
                }
            }
            if poll_tx
                .send(Message::Snapshot(poll(&poll_server, &kinds)))
                .is_err()
            {
                return; // the dashboard is gone
            }
            std::thread::sleep(POLL_EVERY);
        });
        AttachSource {
            server,
            rx,
            tx,
            view_kind,
            kubectl,
            started: false,
        }
    }

    fn kubectl_args(&self) -> Vec<String> {
        vec!["--server".into(), self.server.url.clone()]
    }

    /// Runs the real kubectl in the background.
    fn spawn_kubectl(
        &self,
        args: Vec<String>,
        done: impl FnOnce(Output) -> Message + Send + 'static,
    ) {
        let tx = self.tx.clone();
        let mut full = self.kubectl_args();
        full.extend(args);
        std::thread::spawn(move || {
            let out = match std::process::Command::new("kubectl").args(&full).output() {
                Ok(o) => Output {
                    stdout: String::from_utf8_lossy(&o.stdout).into(),
                    stderr: String::from_utf8_lossy(&o.stderr).into(),
                    code: o.status.code().unwrap_or(1),
                },
                Err(e) => Output::error(format!("cannot run kubectl: {e}")),
            };
            let _ = tx.send(done(out));
        });
    }

    fn apply_snapshot(&mut self, app: &mut App, snap: Snapshot) {
        if let Some(e) = &snap.error {
            app.flash(format!("{}: {e}", self.server.url), true);
        }
        if snap.lists.is_empty() {
            return;
        }
        // Time first: changes are stamped with the server's now.
        let mut probe = app.cache.clone();
        for (k, objs) in &snap.lists {
            probe.replace_kind(*k, objs.clone(), app.clock.now);
        }
        let now_ts = estimate_now(snap.virtual_time, snap.date, newest_timestamp(&probe));
        if let Some(ts) = now_ts {
            if !self.started {
                // The header counts from the first contact.
                self.started = true;
                app.clock.epoch = ts;
                app.clock.now = SimTime::ZERO;
            } else {
                let ms = ts.duration_since(app.clock.epoch).as_millis().max(0) as u64;
                app.clock.now = SimTime(ms.max(app.clock.now.0));
            }
        }
        for (k, objs) in snap.lists {
            app.cache.replace_kind(k, objs, app.clock.now);
        }
        app.cache.expire(app.clock.now, app.highlight_window());
        let sample = app.measure(None);
        if app.sampler.next_due() <= app.clock.now {
            app.sampler.record(sample);
        }
    }

    fn load(&mut self, app: &mut App, mode: Mode, r: ObjRef) {
        let yaml = || {
            app.cache
                .get(r.kind, &(r.namespace.clone(), r.name.clone()))
                .map(|o| serde_norway::to_string(&o.to_json()).unwrap_or_default())
                .unwrap_or_else(|| format!("{} not found", r.slash_name()))
        };
        match mode {
            Mode::Yaml => {
                let text = yaml();
                if let Some(p) = app.pane.as_mut() {
                    p.set_text(&text);
                }
            }
            Mode::Describe | Mode::Logs if self.kubectl => {
                let mut args: Vec<String> = match mode {
                    Mode::Describe => vec![
                        "describe".into(),
                        r.kind.info().plural.into(),
                        r.name.clone(),
                    ],
                    _ => vec!["logs".into(), r.name.clone(), "--tail=2000".into()],
                };
                if !r.namespace.is_empty() {
                    args.extend(["-n".to_string(), r.namespace.clone()]);
                }
                self.spawn_kubectl(args, move |o| {
                    Message::Pane(mode, r, format!("{}{}", o.stdout, o.stderr))
                });
            }
            Mode::Logs => {
                let server = self.server.clone();
                let tx = self.tx.clone();
                std::thread::spawn(move || {
                    let path = format!(
                        "/api/v1/namespaces/{}/pods/{}/log?tailLines=2000",
                        r.namespace, r.name
                    );
                    let text = match get(&server, &path) {
                        Ok(resp) => String::from_utf8_lossy(&resp.body).into_owned(),
                        Err(e) => e,
                    };
                    let _ = tx.send(Message::Pane(Mode::Logs, r, text));
                });
            }
            _ => {
                // No kubectl: describe shows the object.
                let text = yaml();
                if let Some(p) = app.pane.as_mut() {
                    p.set_text(&text);
                }
            }
        }
    }
}

fn which(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(cmd).is_file()))
}

impl Source for AttachSource {
    fn advance(&mut self, app: &mut App, _wall: Instant, _budget: Duration) {
        if let Ok(mut k) = self.view_kind.lock() {
            *k = app.view.kind;
        }
        while let Ok(m) = self.rx.try_recv() {
            match m {
                Message::Snapshot(s) => self.apply_snapshot(app, s),
                Message::Output(line, out) => show_output(app, &line, &out),
                Message::Pane(mode, r, text) => {
                    if let Some(p) = app.pane.as_mut() {
                        if app.mode == mode && p.target.as_ref() == Some(&r) {
                            p.set_text(&text);
                        }
                    }
                }
            }
        }
    }

    fn apply(&mut self, app: &mut App, effect: Effect, _wall: Instant) {
        match effect {
            Effect::Quit => app.quit = true,
            Effect::RunLine { line, namespace } => {
                if !self.kubectl {
                    app.flash(
                        "attached: kubectl is not on the PATH, so : lines cannot run",
                        true,
                    );
                    return;
                }
                let mut words = match shell_words::split(&line) {
                    Ok(w) => w,
                    Err(_) => {
                        app.flash("syntax error: unterminated quoted string", true);
                        return;
                    }
                };
                if matches!(words.first().map(String::as_str), Some("kubectl" | "k")) {
                    words.remove(0);
                } else {
                    app.flash("attached: only kubectl lines run against the server", true);
                    return;
                }
                if let Some(ns) = namespace {
                    if !words
                        .iter()
                        .any(|w| w == "-n" || w.starts_with("--namespace") || w == "-A")
                    {
                        words.extend(["-n".to_string(), ns]);
                    }
                }
                app.flash(format!("running: {line}"), false);
                self.spawn_kubectl(words, move |o| Message::Output(line, o));
            }
            Effect::Load(Mode::Explain, r) => app.decision = Some((r, None)),
            Effect::Load(mode, r) => self.load(app, mode, r),
            Effect::Pause | Effect::Resume | Effect::SetSpeed(_) | Effect::StepToNextEvent => {}
        }
    }

    fn refresh_pane(&mut self, app: &mut App) {
        if matches!(app.mode, Mode::Logs | Mode::Describe | Mode::Yaml) {
            if let Some(r) = app.pane.as_ref().and_then(|p| p.target.clone()) {
                self.load(app, app.mode, r);
            }
        }
    }
}

/// An app set up for attach mode.
pub fn attached_app(server: &Server, theme: Theme) -> App {
    let mut app = App::new(Clock::new(jiff::Timestamp::UNIX_EPOCH, 0, 1.0), theme);
    app.context = server.url.clone();
    app.capabilities = Capabilities {
        control: false,
        commands: true,
        explain: false,
    };
    app
}

/// `kubesim tui --attach URL`.
pub fn run(url: &str, theme: Theme) -> Result<(), String> {
    let server = Server::parse(url)?;
    // Fail early, before taking the terminal, if nobody answers.
    get(&server, "/version")?;
    let mut src = AttachSource::start(server.clone());
    let mut app = attached_app(&server, theme);
    app.flash(
        format!(
            "attached to {}: pause and speed belong to the server",
            server.url
        ),
        false,
    );
    let (_guard, mut term) =
        super::terminal::setup().map_err(|e| format!("cannot open the terminal: {e}"))?;
    super::terminal::run_loop(&mut term, &mut app, &mut src)
        .map_err(|e| format!("terminal error: {e}"))
}
