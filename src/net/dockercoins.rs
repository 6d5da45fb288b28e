//! The DockerCoins clients: the worker's loop and the web UI's `/json`,
//! modelled on `dockercoins/worker/worker.py` and `dockercoins/webui/
//! webui.js` (jpetazzo/container.training; `docs/workshop.md` §1.2–1.3).
//!
//! The worker, per unit of work: sleep 0.1 s (v0.2: 1 s), `GET
//! http://rng/32` on a new connection (so kube-proxy picks an rng pod
//! each time), `POST http://hasher/`, and when the digest starts with `0`
//! (1 in 16) log the coin and `HSET wallet`. Before a unit, if the
//! one-second deadline has passed, it logs and `INCRBY hashes` the units
//! done since (on a kept Redis connection). Any error logs a traceback
//! and `Waiting 10s and restarting.`, losing the uncounted units. The
//! throughput the workshop shows (3.3 hashes/s per worker, 10 per rng pod)
//! is not written anywhere: it follows from these delays and from rng
//! serving one request at a time.

use super::addr::Ip;
use super::engine::{Client, Engine, Failure, Persist, Req, Resp};
use super::http::{http_date, HttpRequest, HttpResponse};
use super::latency::Micros;
use super::logs::{Entry, Method};
use super::redis::{RedisCmd, RedisReply};
use super::topology::{ConnRef, PodId, ProcState, Proto};

/// Python's start-up before the first unit of work.
pub const STARTUP_US: Micros = 500_000;
/// The worker reports at most once per second (`work_loop(interval=1)`).
pub const REPORT_US: Micros = 1_000_000;
/// `Waiting 10s and restarting.`
pub const RETRY_US: Micros = 10_000_000;

/// Where the worker is in its loop.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    Starting,
    Sleeping,
    Rng,
    Hasher,
    Coin,
    Incr,
    Backoff,
}

type Resolved = Result<(Ip, Micros), (Failure, Micros)>;

/// A worker process.
#[derive(Debug)]
pub struct Worker {
    pub sleep_us: Micros,
    pub loops_done: u32,
    pub deadline: Micros,
    pub phase: Phase,
    pub redis: Option<Persist>,
    /// Resolved rng, hasher, redis (valid while the route key holds).
    cache: [Option<([u64; 4], Resolved)>; 3],
    pub hash: u64,
}

impl Worker {
    pub fn new(sleep_us: Micros) -> Worker {
        Worker {
            sleep_us,
            loops_done: 0,
            deadline: 0,
            phase: Phase::Starting,
            redis: None,
            cache: [None; 3],
            hash: 0,
        }
    }
}

/// The web UI's kept Redis connection.
#[derive(Debug, Default)]
pub struct Webui {
    pub redis: Option<Persist>,
}

const NAMES: [&str; 3] = ["rng", "hasher", "redis"];

impl Engine {
    fn worker(&mut self, pod: PodId, proc: u16) -> &mut Worker {
        match &mut self.topo.pods[pod as usize].procs[proc as usize].state {
            ProcState::Worker(w) => w,
            _ => unreachable!("worker events go to worker processes"),
        }
    }

    fn log(&mut self, pod: PodId, proc: u16, e: Entry) {
        let now = self.now;
        self.topo.pods[pod as usize].procs[proc as usize]
            .log
            .push(now, e);
    }

    fn client_of(&self, pod: PodId, proc: u16) -> Client {
        Client::Proc {
            pod,
            proc,
            gen: self.topo.pods[pod as usize].procs[proc as usize].gen,
        }
    }

    /// Resolves one of the worker's three names, from its cache when
    /// nothing changed since.
    fn worker_resolve(&mut self, pod: PodId, proc: u16, which: usize) -> Resolved {
        let key = self.route_key();
        if let Some((k, r)) = self.worker(pod, proc).cache[which] {
            if k == key {
                return r;
            }
        }
        let src = self.pod_src(pod);
        let r = self.resolve(src, NAMES[which]);
        self.worker(pod, proc).cache[which] = Some((key, r));
        r
    }

    pub(crate) fn worker_wake(&mut self, pod: PodId, proc: u16) {
        match self.worker(pod, proc).phase {
            Phase::Starting | Phase::Backoff => {
                // work_loop(): deadline = 0, loops_done = 0.
                let w = self.worker(pod, proc);
                w.deadline = 0;
                w.loops_done = 0;
                self.worker_loop_top(pod, proc);
            }
            Phase::Sleeping => self.worker_http(pod, proc, 0),
            _ => {}
        }
    }

    fn worker_loop_top(&mut self, pod: PodId, proc: u16) {
        let now = self.now;
        let w = self.worker(pod, proc);
        if now > w.deadline {
            let n = w.loops_done;
            w.phase = Phase::Incr;
            self.log(pod, proc, Entry::Units(n));
            self.worker_redis(pod, proc, RedisCmd::IncrBy("hashes", n as i64));
        } else {
            self.worker_sleep(pod, proc);
        }
    }

    fn worker_sleep(&mut self, pod: PodId, proc: u16) {
        let now = self.now;
        let w = self.worker(pod, proc);
        w.phase = Phase::Sleeping;
        let t = now + w.sleep_us;
        let gen = self.topo.pods[pod as usize].procs[proc as usize].gen;
        self.schedule(t, super::engine::Act::Wake { pod, proc, gen });
    }

    /// `requests.get("http://rng/32")` (which = 0) or
    /// `requests.post("http://hasher/", ...)` (which = 1).
    fn worker_http(&mut self, pod: PodId, proc: u16, which: usize) {
        let client = self.client_of(pod, proc);
        self.worker(pod, proc).phase = if which == 0 {
            Phase::Rng
        } else {
            Phase::Hasher
        };
        match self.worker_resolve(pod, proc, which) {
            Ok((ip, cost)) => {
                let req = if which == 0 {
                    Req::RngGet(32)
                } else {
                    Req::HashPost
                };
                let src = self.pod_src(pod);
                self.open(src, ip, 80, Proto::Tcp, req, client, cost);
            }
            Err((f, cost)) => self.fail_later(client, f, cost),
        }
    }

    /// A command on redis-py's kept connection (connecting first if needed).
    fn worker_redis(&mut self, pod: PodId, proc: u16, cmd: RedisCmd) {
        let client = self.client_of(pod, proc);
        let src = self.pod_src(pod);
        if let Some(p) = self.worker(pod, proc).redis {
            self.send_on(&p, src, Req::Redis(cmd), client, 0);
            return;
        }
        match self.worker_resolve(pod, proc, 2) {
            Ok((ip, cost)) => match self.connect_persist(src, ip, 6379) {
                Ok(p) => {
                    self.worker(pod, proc).redis = Some(p);
                    self.send_on(&p, src, Req::Redis(cmd), client, cost + 2 * p.fwd_us);
                }
                Err((f, t)) => self.fail_later(client, f, cost + t),
            },
            Err((f, cost)) => self.fail_later(client, f, cost),
        }
    }

    pub(crate) fn worker_reply(&mut self, pod: PodId, proc: u16, result: Result<Resp, Failure>) {
        let phase = self.worker(pod, proc).phase;
        let resp = match result {
            Ok(r) => r,
            Err(f) => return self.worker_error(pod, proc, phase, &error_text(phase, f)),
        };
        match phase {
            Phase::Rng => self.worker_http(pod, proc, 1),
            Phase::Hasher => {
                let h = match resp {
                    Resp::Hash(h) => h,
                    Resp::Http(r) => {
                        let s = String::from_utf8_lossy(&r.body);
                        u64::from_str_radix(s.get(..16).unwrap_or("f"), 16).unwrap_or(u64::MAX)
                    }
                    _ => u64::MAX,
                };
                if h >> 60 == 0 {
                    // hex(h) starts with '0': a coin.
                    self.log(pod, proc, Entry::Coin(h));
                    self.worker(pod, proc).phase = Phase::Coin;
                    self.worker(pod, proc).hash = h;
                    let field = format!(
                        "{h:016x}{:016x}{:016x}{:016x}",
                        self.rng.next_u64(),
                        self.rng.next_u64(),
                        self.rng.next_u64()
                    );
                    let value = format!("{:016x}{:016x}", self.rng.next_u64(), self.rng.next_u64());
                    self.worker_redis(pod, proc, RedisCmd::HSet("wallet", field, value));
                } else {
                    self.worker(pod, proc).loops_done += 1;
                    self.worker_loop_top(pod, proc);
                }
            }
            Phase::Coin => {
                if let Resp::Redis(RedisReply::Int(0)) = resp {
                    self.log(
                        pod,
                        proc,
                        Entry::Text("INFO:__main__:We already had that coin".into()),
                    );
                }
                if let Resp::Redis(RedisReply::Error(e)) = resp {
                    return self.worker_error(
                        pod,
                        proc,
                        phase,
                        &format!("redis.exceptions.ResponseError: {e}"),
                    );
                }
                self.worker(pod, proc).loops_done += 1;
                self.worker_loop_top(pod, proc);
            }
            Phase::Incr => {
                if let Resp::Redis(RedisReply::Error(e)) = resp {
                    return self.worker_error(
                        pod,
                        proc,
                        phase,
                        &format!("redis.exceptions.ResponseError: {e}"),
                    );
                }
                let now = self.now;
                let w = self.worker(pod, proc);
                w.loops_done = 0;
                w.deadline = now + REPORT_US;
                self.worker_sleep(pod, proc);
            }
            _ => {}
        }
    }

    /// `log.exception("In work loop:")`, then the back-off.
    fn worker_error(&mut self, pod: PodId, proc: u16, phase: Phase, last: &str) {
        let now = self.now;
        let lines = traceback(phase, last);
        {
            let pr = &mut self.topo.pods[pod as usize].procs[proc as usize];
            for l in lines {
                pr.log.push(now, Entry::Text(l.into()));
            }
            pr.log.push(
                now,
                Entry::Text("ERROR:__main__:Waiting 10s and restarting.".into()),
            );
        }
        let w = self.worker(pod, proc);
        w.phase = Phase::Backoff;
        if matches!(phase, Phase::Incr | Phase::Coin) {
            w.redis = None; // redis-py drops the broken connection
        }
        let gen = self.topo.pods[pod as usize].procs[proc as usize].gen;
        self.schedule(now + RETRY_US, super::engine::Act::Wake { pod, proc, gen });
    }

    // ----- the web UI --------------------------------------------------

    pub(crate) fn webui_request(&mut self, r: ConnRef, h: &HttpRequest) -> Option<Resp> {
        let now = self.wall();
        let express = |status: u16, ctype: &str, body: String| {
            HttpResponse::new(status)
                .h("X-Powered-By", "Express")
                .h("Content-Type", ctype)
                .body(body)
                .h("Date", http_date(now))
                .h("Connection", "keep-alive")
                .h("Keep-Alive", "timeout=5")
        };
        let resp = match h.path_only() {
            "/json" => {
                if let Some(c) = self.conn_mut(r) {
                    c.stage = 1;
                }
                self.webui_redis(r, RedisCmd::HLen("wallet"));
                return None;
            }
            "/" => express(302, "text/plain; charset=utf-8", "Found. Redirecting to /index.html".into())
                .h("Location", "/index.html")
                .h("Vary", "Accept"),
            "/index.html" => express(200, "text/html; charset=UTF-8", INDEX_HTML.into()),
            p => express(
                404,
                "text/html; charset=utf-8",
                format!("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Error</title>\n</head>\n<body>\n<pre>Cannot {} {p}</pre>\n</body>\n</html>\n", h.method),
            ),
        };
        self.webui_log(r, h, &resp);
        Some(Resp::Http(Box::new(resp)))
    }

    fn webui_log(&mut self, r: ConnRef, h: &HttpRequest, resp: &HttpResponse) {
        let Some(c) = self.conn(r) else { return };
        let (pod, proc, client) = (c.server, c.proc, c.seen_src);
        let e = Entry::Morgan {
            client,
            method: if h.method == "HEAD" {
                Method::Head
            } else {
                Method::Get
            },
            path: h.path.clone().into(),
            status: resp.status,
            bytes: resp.body.len() as u32,
        };
        self.log(pod, proc, e);
    }

    fn webui_redis(&mut self, parent: ConnRef, cmd: RedisCmd) {
        let Some(c) = self.conn(parent) else { return };
        let (pod, proc) = (c.server, c.proc);
        let src = self.pod_src(pod);
        let client = Client::Child(parent);
        let kept = match &self.topo.pods[pod as usize].procs[proc as usize].state {
            ProcState::Webui(w) => w.redis,
            _ => None,
        };
        if let Some(p) = kept {
            self.send_on(&p, src, Req::Redis(cmd), client, 0);
            return;
        }
        match self.resolve(src, "redis") {
            Ok((ip, cost)) => match self.connect_persist(src, ip, 6379) {
                Ok(p) => {
                    if let ProcState::Webui(w) =
                        &mut self.topo.pods[pod as usize].procs[proc as usize].state
                    {
                        w.redis = Some(p);
                    }
                    self.send_on(&p, src, Req::Redis(cmd), client, cost + 2 * p.fwd_us);
                }
                Err((f, t)) => self.fail_later(client, f, cost + t),
            },
            Err((f, cost)) => self.fail_later(client, f, cost),
        }
    }

    /// An answer to a request a server made while serving `parent`.
    pub(crate) fn child_reply(&mut self, parent: ConnRef, result: Result<Resp, Failure>) {
        let Some(c) = self.conn(parent) else { return };
        let app = self.topo.pods[c.server as usize]
            .procs
            .get(c.proc as usize)
            .map(|p| p.app);
        match app {
            Some(super::apps::AppKind::Webui) => self.webui_child(parent, result),
            Some(super::apps::AppKind::Traefik) | Some(super::apps::AppKind::IngressNginx) => {
                self.ingress_child(parent, result)
            }
            _ => {}
        }
    }

    fn webui_child(&mut self, parent: ConnRef, result: Result<Resp, Failure>) {
        let Some(c) = self.conn(parent) else { return };
        let (stage, pod, proc) = (c.stage, c.server, c.proc);
        let h = match &c.req {
            Some(Req::Http(h)) => (**h).clone(),
            _ => HttpRequest::get("", "/json"),
        };
        match (stage, result) {
            (1, Ok(Resp::Redis(RedisReply::Int(coins)))) => {
                if let Some(c) = self.conn_mut(parent) {
                    c.stage = 2;
                    c.scratch = coins;
                }
                self.webui_redis(parent, RedisCmd::Get("hashes"));
            }
            (2, Ok(Resp::Redis(RedisReply::Bulk(hashes)))) => {
                let coins = c.scratch;
                let ms = self.epoch.as_millisecond() + (self.now / 1000) as i64;
                let body = format!(
                    "{{\"coins\":{coins},\"hashes\":{},\"now\":{}}}",
                    match hashes {
                        Some(h) => format!("\"{h}\""),
                        None => "null".into(),
                    },
                    js_seconds(ms)
                );
                let now = self.wall();
                let resp = HttpResponse::new(200)
                    .h("X-Powered-By", "Express")
                    .h("Content-Type", "application/json; charset=utf-8")
                    .body(body)
                    .h("ETag", "W/\"2f-kubesim\"")
                    .h("Date", http_date(now))
                    .h("Connection", "keep-alive")
                    .h("Keep-Alive", "timeout=5");
                self.webui_log(parent, &h, &resp);
                self.finish(parent, Resp::Http(Box::new(resp)));
            }
            (_, res) => {
                // node-redis reports and drops the connection; the handler
                // answers with the error.
                if let ProcState::Webui(w) =
                    &mut self.topo.pods[pod as usize].procs[proc as usize].state
                {
                    w.redis = None;
                }
                let msg = match res {
                    Err(Failure::DnsNotFound) => {
                        "Redis error Error: getaddrinfo ENOTFOUND redis".to_string()
                    }
                    Err(Failure::Refused) => "Redis error Error: connect ECONNREFUSED".to_string(),
                    Err(_) => "Redis error Error: Connection timeout".to_string(),
                    Ok(_) => "Redis error ReplyError: unexpected reply".to_string(),
                };
                self.log(pod, proc, Entry::Text(msg.into()));
                let resp = HttpResponse::new(500)
                    .h("X-Powered-By", "Express")
                    .h("Content-Type", "text/html; charset=utf-8")
                    .body("Internal Server Error");
                self.webui_log(parent, &h, &resp);
                self.finish(parent, Resp::Http(Box::new(resp)));
            }
        }
    }
}

/// JavaScript's rendering of `Date.now() / 1000`.
fn js_seconds(ms: i64) -> String {
    let (s, frac) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    if frac == 0 {
        return s.to_string();
    }
    let f = format!("{frac:03}");
    format!("{s}.{}", f.trim_end_matches('0'))
}

/// The exception a failed call raises, as its last traceback line.
fn error_text(phase: Phase, f: Failure) -> String {
    let errno = match f {
        Failure::Refused => "[Errno 111] Connection refused",
        Failure::Timeout => "[Errno 110] Operation timed out",
        Failure::Reset => "[Errno 104] Connection reset by peer",
        Failure::DnsNotFound => "[Errno -2] Name does not resolve",
        Failure::DnsTimeout => "[Errno -3] Try again",
    };
    match phase {
        Phase::Incr | Phase::Coin => match f {
            Failure::DnsNotFound => "redis.exceptions.ConnectionError: Error -2 connecting to redis:6379. Name does not resolve.".into(),
            Failure::DnsTimeout => "redis.exceptions.ConnectionError: Error -3 connecting to redis:6379. Try again.".into(),
            Failure::Refused => "redis.exceptions.ConnectionError: Error 111 connecting to redis:6379. Connection refused.".into(),
            Failure::Timeout => "redis.exceptions.TimeoutError: Timeout connecting to server".into(),
            Failure::Reset => "redis.exceptions.ConnectionError: Error 104 while writing to socket. Connection reset by peer.".into(),
        },
        _ => {
            let (host, url) = if phase == Phase::Rng { ("rng", "/32") } else { ("hasher", "/") };
            match f {
                Failure::DnsNotFound | Failure::DnsTimeout => format!(
                    "requests.exceptions.ConnectionError: HTTPConnectionPool(host='{host}', port=80): Max retries exceeded with url: {url} (Caused by NameResolutionError(\"<urllib3.connection.HTTPConnection object at 0x7f3a2c1b5e50>: Failed to resolve '{host}' ({errno})\"))"
                ),
                Failure::Reset => "requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))".into(),
                _ => format!(
                    "requests.exceptions.ConnectionError: HTTPConnectionPool(host='{host}', port=80): Max retries exceeded with url: {url} (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3a2c1b5e50>: Failed to establish a new connection: {errno}'))"
                ),
            }
        }
    }
}

/// The traceback `log.exception("In work loop:")` prints (the frames of
/// worker.py; library frames abridged).
fn traceback(phase: Phase, last: &str) -> Vec<String> {
    let mut v = vec![
        "ERROR:__main__:In work loop:".to_string(),
        "Traceback (most recent call last):".into(),
        "  File \"/worker.py\", line 72, in <module>".into(),
        "    work_loop()".into(),
    ];
    match phase {
        Phase::Incr => v.extend([
            "  File \"/worker.py\", line 56, in work_loop".to_string(),
            "    redis.incrby(\"hashes\", loops_done)".into(),
        ]),
        Phase::Coin => v.extend([
            "  File \"/worker.py\", line 61, in work_loop".to_string(),
            "    work_once()".into(),
            "  File \"/worker.py\", line 43, in work_once".into(),
            "    created = redis.hset(\"wallet\", hex_hash, random_bytes)".into(),
        ]),
        Phase::Rng => v.extend([
            "  File \"/worker.py\", line 61, in work_loop".to_string(),
            "    work_once()".into(),
            "  File \"/worker.py\", line 35, in work_once".into(),
            "    random_bytes = get_random_bytes()".into(),
            "  File \"/worker.py\", line 18, in get_random_bytes".into(),
            "    r = requests.get(\"http://rng/32\")".into(),
        ]),
        _ => v.extend([
            "  File \"/worker.py\", line 61, in work_loop".to_string(),
            "    work_once()".into(),
            "  File \"/worker.py\", line 36, in work_once".into(),
            "    hex_hash = hash_bytes(random_bytes)".into(),
            "  File \"/worker.py\", line 25, in hash_bytes".into(),
            "    r = requests.post(\"http://hasher/\",".into(),
        ]),
    }
    v.push(last.to_string());
    v
}

/// The web UI's page (the real one draws the graph with d3/rickshaw from
/// `/json` polled every second).
const INDEX_HTML: &str = "<!doctype html>
<html>
<head>
<title>DockerCoin Miner WebUI</title>
<link rel=\"stylesheet\" type=\"text/css\" href=\"rickshaw.min.css\">
<script src=\"jquery-1.11.3.min.js\"></script>
<script src=\"d3.min.js\"></script>
<script src=\"rickshaw.min.js\"></script>
</head>
<body>
<h1>DockerCoin Miner WebUI</h1>
<div id=\"graph\"></div>
<div id=\"tweet\">Current mining speed: <span id=\"speed\">-</span> hashes/second</div>
</body>
</html>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_prints_seconds_without_trailing_zeros() {
        assert_eq!(js_seconds(1_795_424_401_120), "1795424401.12");
        assert_eq!(js_seconds(1_795_424_401_000), "1795424401");
        assert_eq!(js_seconds(1_795_424_401_005), "1795424401.005");
    }
}
