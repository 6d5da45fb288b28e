//! What a simulated container does, chosen from its image and its
//! command/args: the log lines it writes (computed lazily from elapsed
//! virtual time), when and how it exits, how it answers probes and
//! requests, how it reacts to SIGTERM, and the CPU and memory it uses.
//!
//! Servers are described as data ([`SERVERS`]): the network model reuses
//! [`ServerModel::respond`] for Service traffic.

use crate::sim::rng::fnv1a;
use std::collections::BTreeSet;
use std::time::Duration;

/// How a process reacts to the runtime's stop signal.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum OnSigterm {
    /// PID 1 without a handler (a shell, `sleep`, busybox `ping`, Python):
    /// the signal is ignored and SIGKILL ends it at the grace deadline.
    Ignore,
    /// Shuts down after this long, with this exit code.
    Exit(Duration, i32),
}

/// An HTTP (or TCP) server, as data.
#[derive(Debug, PartialEq)]
pub struct ServerModel {
    pub name: &'static str,
    pub ports: &'static [i32],
    /// Until it listens, connections are refused.
    pub startup: Duration,
    /// Service time of one request.
    pub latency: Duration,
    /// Requests served in parallel; more wait in line.
    pub concurrency: u32,
    /// HTTP paths answered 200 (`*` = every path); others get 404.
    pub paths: &'static [&'static str],
    /// Speaks HTTP on its ports (redis does not).
    pub http: bool,
    pub idle_cpu_millis: u64,
    /// CPU per concurrent request, in millicores.
    pub cpu_per_request: u64,
    pub memory: u64,
    pub on_sigterm: OnSigterm,
    /// Lines written at start; `{nginx}`, `{httpd}`, `{redis}`, `{es}` and
    /// `{ip}` are replaced by timestamps in that program's format.
    pub start_logs: &'static [&'static str],
}

/// A server's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub latency: Duration,
}

impl ServerModel {
    /// Answers one request for `path` while `in_flight` others are being
    /// served: beyond the concurrency limit, requests queue.
    pub fn respond(&self, path: &str, in_flight: u32) -> Response {
        let waves = 1 + in_flight / self.concurrency.max(1);
        let latency = self.latency * waves;
        let status = if self.paths.contains(&"*") || self.paths.contains(&path) {
            200
        } else {
            404
        };
        Response { status, latency }
    }
    pub fn listens_on(&self, port: i32) -> bool {
        self.ports.contains(&port)
    }
}

const MI: u64 = 1 << 20;

/// The servers of the catalogue.
pub static SERVERS: &[ServerModel] = &[
    ServerModel {
        name: "nginx",
        ports: &[80],
        startup: Duration::from_millis(50),
        latency: Duration::from_millis(1),
        concurrency: 1024,
        paths: &["/", "/index.html"],
        http: true,
        idle_cpu_millis: 0,
        cpu_per_request: 2,
        memory: 5 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(100), 0),
        start_logs: &[
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration",
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
            "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf",
            "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf",
            "/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh",
            "/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            "{nginx} [notice] 1#1: using the \"epoll\" event method",
            "{nginx} [notice] 1#1: nginx/1.29.1",
            "{nginx} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14+deb12u1)",
            "{nginx} [notice] 1#1: OS: Linux 6.8.0-1029-aws",
            "{nginx} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576",
            "{nginx} [notice] 1#1: start worker processes",
            "{nginx} [notice] 1#1: start worker process 29",
            "{nginx} [notice] 1#1: start worker process 30",
        ],
    },
    ServerModel {
        name: "httpd",
        ports: &[80],
        startup: Duration::from_millis(100),
        latency: Duration::from_millis(1),
        concurrency: 400,
        paths: &["/", "/index.html"],
        http: true,
        idle_cpu_millis: 1,
        cpu_per_request: 2,
        memory: 9 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(200), 0),
        start_logs: &[
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
            "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {ip}. Set the 'ServerName' directive globally to suppress this message",
            "{httpd} [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.65 (Unix) configured -- resuming normal operations",
            "{httpd} [core:notice] [pid 1:tid 1] AH00094: Command line: 'httpd -D FOREGROUND'",
        ],
    },
    ServerModel {
        name: "redis",
        ports: &[6379],
        startup: Duration::from_millis(20),
        latency: Duration::from_micros(200),
        concurrency: 10_000,
        paths: &[],
        http: false,
        idle_cpu_millis: 2,
        cpu_per_request: 1,
        memory: 4 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(100), 0),
        start_logs: &[
            "1:C {redis} * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
            "1:C {redis} * Redis version=8.2.1, bits=64, commit=00000000, modified=1, pid=1, just started",
            "1:C {redis} # Warning: no config file specified, using the default config. In order to specify a config file use redis-server /path/to/redis.conf",
            "1:M {redis} * monotonic clock: POSIX clock_gettime",
            "1:M {redis} * Running mode=standalone, port=6379.",
            "1:M {redis} * Server initialized",
            "1:M {redis} * Ready to accept connections tcp",
        ],
    },
    ServerModel {
        name: "elasticsearch",
        ports: &[9200, 9300],
        startup: Duration::from_secs(8),
        latency: Duration::from_millis(5),
        concurrency: 50,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 15,
        cpu_per_request: 20,
        memory: 1200 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_secs(1), 143),
        start_logs: &[
            "[{es}][INFO ][node                     ] [Mister Sensitive] version[2.4.6], pid[1], build[5376dca/2017-07-18T12:17:44Z]",
            "[{es}][INFO ][node                     ] [Mister Sensitive] initializing ...",
            "[{es}][INFO ][plugins                  ] [Mister Sensitive] modules [reindex, lang-expression, lang-groovy], plugins [], sites []",
            "[{es}][INFO ][env                      ] [Mister Sensitive] heap size [1007.3mb], compressed ordinary object pointers [true]",
            "[{es}][INFO ][node                     ] [Mister Sensitive] initialized",
            "[{es}][INFO ][node                     ] [Mister Sensitive] starting ...",
            "[{es}][INFO ][transport                ] [Mister Sensitive] publish_address {{ip}:9300}, bound_addresses {[::]:9300}",
            "[{es}][INFO ][http                     ] [Mister Sensitive] publish_address {{ip}:9200}, bound_addresses {[::]:9200}",
            "[{es}][INFO ][node                     ] [Mister Sensitive] started",
        ],
    },
    ServerModel {
        name: "color",
        ports: &[80],
        startup: Duration::from_millis(10),
        latency: Duration::from_millis(1),
        concurrency: 1000,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 0,
        cpu_per_request: 1,
        memory: 2 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(10), 143),
        start_logs: &["Listening on port 80."],
    },
    ServerModel {
        name: "httpenv",
        ports: &[8888],
        startup: Duration::from_millis(10),
        latency: Duration::from_millis(1),
        concurrency: 1000,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 0,
        cpu_per_request: 1,
        memory: 2 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(10), 143),
        start_logs: &[],
    },
    ServerModel {
        name: "rng",
        ports: &[80],
        startup: Duration::from_millis(800),
        latency: Duration::from_millis(100),
        concurrency: 1,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 1,
        cpu_per_request: 10,
        memory: 22 * MI,
        on_sigterm: OnSigterm::Ignore,
        start_logs: &[
            " * Serving Flask app \"rng\" (lazy loading)",
            " * Environment: production",
            "   WARNING: This is a development server. Do not use it in a production deployment.",
            "   Use a production WSGI server instead.",
            " * Debug mode: off",
            " * Running on http://0.0.0.0:80/ (Press CTRL+C to quit)",
        ],
    },
    ServerModel {
        name: "hasher",
        ports: &[80],
        startup: Duration::from_millis(1500),
        latency: Duration::from_millis(100),
        concurrency: 1,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 1,
        cpu_per_request: 10,
        memory: 30 * MI,
        on_sigterm: OnSigterm::Ignore,
        start_logs: &[
            "[{httpd_short}] INFO  WEBrick 1.4.2",
            "[{httpd_short}] INFO  ruby 2.7.8 (2023-03-30) [x86_64-linux-musl]",
            "== Sinatra (v2.2.4) has taken the stage on 80 for production with backup from WEBrick",
            "[{httpd_short}] INFO  WEBrick::HTTPServer#start: pid=1 port=80",
        ],
    },
    ServerModel {
        name: "webui",
        ports: &[80],
        startup: Duration::from_millis(500),
        latency: Duration::from_millis(3),
        concurrency: 100,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 1,
        cpu_per_request: 5,
        memory: 40 * MI,
        on_sigterm: OnSigterm::Ignore,
        start_logs: &["WEBUI running on port 80"],
    },
    ServerModel {
        name: "consul",
        ports: &[8500, 8600, 8300, 8301],
        startup: Duration::from_secs(2),
        latency: Duration::from_millis(2),
        concurrency: 500,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 10,
        cpu_per_request: 3,
        memory: 60 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(500), 1),
        start_logs: &[
            "==> Starting Consul agent...",
            "               Version: '1.21.4'",
            "            Datacenter: 'dc1' (Segment: '<all>')",
            "==> Consul agent running!",
        ],
    },
    ServerModel {
        name: "registry",
        ports: &[5000],
        startup: Duration::from_millis(100),
        latency: Duration::from_millis(2),
        concurrency: 500,
        paths: &["/", "/v2/", "/v2/_catalog"],
        http: true,
        idle_cpu_millis: 1,
        cpu_per_request: 2,
        memory: 12 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(100), 2),
        start_logs: &["time=\"{rfc3339}\" level=info msg=\"listening on [::]:5000\" go.version=go1.20.8"],
    },
    ServerModel {
        name: "traefik",
        ports: &[80, 8080],
        startup: Duration::from_millis(300),
        latency: Duration::from_millis(1),
        concurrency: 2000,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 2,
        cpu_per_request: 2,
        memory: 35 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(200), 0),
        start_logs: &["{rfc3339} INF Traefik version 3.4.1 built on 2025-05-26T09:11:49Z version=3.4.1"],
    },
    // ingress-nginx's controller: nginx on 80/443, its health endpoint on
    // 10254 (`/healthz`), the Ingress routing in the network's model.
    ServerModel {
        name: "ingress-nginx",
        ports: &[80, 443, 10254],
        startup: Duration::from_millis(1500),
        latency: Duration::from_millis(1),
        concurrency: 2000,
        paths: &["*"],
        http: true,
        idle_cpu_millis: 3,
        cpu_per_request: 2,
        memory: 90 * MI,
        on_sigterm: OnSigterm::Exit(Duration::from_millis(300), 0),
        start_logs: &[
            "-------------------------------------------------------------------------------",
            "NGINX Ingress controller",
            "  Release:       v1.12.1",
            "  Build:         51724dda",
            "  Repository:    https://github.com/kubernetes/ingress-nginx",
            "  nginx version: nginx/1.25.5",
            "",
            "-------------------------------------------------------------------------------",
        ],
    },
];

pub fn server(name: &str) -> Option<&'static ServerModel> {
    SERVERS.iter().find(|s| s.name == name)
}

/// One step of a (tiny) shell program.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Echo(String),
    Date,
    Sleep(Duration),
    Touch(String),
    Rm(String),
    Exit(i32),
}

/// A shell script: steps, optionally followed by an endless loop body.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Script {
    pub steps: Vec<Step>,
    pub forever: Option<Vec<Step>>,
}

/// What a container does.
#[derive(Clone, Debug, PartialEq)]
pub enum Behaviour {
    /// busybox `ping HOST`: a header, then one reply line per second.
    Ping {
        host: String,
        ip: Option<String>,
        count: Option<u64>,
        /// Same host: sub-0.1 ms answers; elsewhere about 0.5 ms.
        local: bool,
        /// ClusterIPs are virtual: ICMP gets no answer.
        replies: bool,
    },
    Script(Script),
    Server(&'static ServerModel),
    /// jpetazzo/clock: `date` every second.
    Clock,
    /// dockercoins worker; `ready` when redis, rng and hasher resolve.
    Worker {
        missing: Option<String>,
    },
    /// A system component (kube-proxy, etcd, ...): runs forever quietly.
    System(String),
    /// `stress --vm 1 --vm-bytes N`: allocates N bytes and holds them.
    Stress {
        bytes: u64,
    },
    /// Prints these lines and exits with this code at once.
    Fail {
        lines: Vec<String>,
        code: i32,
    },
}

/// How a run ends on its own (without a signal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exit {
    pub after: Duration,
    pub code: i32,
    /// `OOMKilled` when the memory limit was hit.
    pub oom: bool,
}

/// Facts about the place a container runs in, for the behaviour decision.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// Container environment variables that are set.
    pub env: BTreeSet<String>,
    /// `host → ip` for names that resolve (Services in the namespace).
    pub services: std::collections::BTreeMap<String, String>,
    /// ClusterIPs (ping gets no answer from them).
    pub cluster_ips: BTreeSet<String>,
    pub pod_ip: String,
    pub node_pod_cidr_prefix: String,
}

/// Picks the behaviour for an image default (`images::ImageSpec.behaviour`)
/// and the container's command and args.
pub fn choose(image_default: &str, image: &str, argv: &[String], env: &Env) -> Behaviour {
    // Flags alone go to the image's entrypoint (`traefik --providers...`:
    // the official images' entrypoints prepend the server when the first
    // argument starts with `-`).
    if argv.is_empty() || argv[0].starts_with('-') {
        return from_image(image_default, image, env);
    }
    let prog = argv[0].rsplit('/').next().unwrap_or("");
    let args = &argv[1..];
    match prog {
        "sh" | "bash" | "ash" | "dash" if args.first().map(String::as_str) == Some("-c") => {
            Behaviour::Script(parse_script(args.get(1).map(String::as_str).unwrap_or("")))
        }
        "sh" | "bash" | "ash" if args.is_empty() => Behaviour::Script(Script::default()),
        "ping" => ping(args, env),
        "stress" => stress(args),
        "nginx"
        | "httpd"
        | "redis-server"
        | "httpd-foreground"
        | "docker-entrypoint.sh"
        | "elasticsearch"
        | "consul"
        | "nginx-ingress-controller"
        | "traefik"
        | "entrypoint.sh" => from_image(image_default, image, env),
        // consul's entrypoint also takes its subcommand `agent` as an
        // argument to the server it starts (`args: ["agent", "-server"]`).
        "agent" if image_default == "server:consul" => from_image(image_default, image, env),
        _ => Behaviour::Script(parse_script(&shell_words::join(argv))),
    }
}

fn from_image(default: &str, image: &str, env: &Env) -> Behaviour {
    if let Some(name) = default.strip_prefix("server:") {
        if let Some(s) = server(name) {
            return Behaviour::Server(s);
        }
    }
    if let Some(var) = default.strip_prefix("needs-env:") {
        if env.env.contains(var) {
            return Behaviour::Server(server("redis").expect("in table"));
        }
        return Behaviour::Fail {
            code: 1,
            lines: vec![
                "Error: Database is uninitialized and superuser password is not specified.".into(),
                "       You must specify POSTGRES_PASSWORD to a non-empty value for the".into(),
                "       superuser. For example, \"-e POSTGRES_PASSWORD=password\" on \"docker run\".".into(),
            ],
        };
    }
    match default {
        "clock" => Behaviour::Clock,
        "worker" => {
            let missing = ["redis", "rng", "hasher"]
                .into_iter()
                .find(|h| !env.services.contains_key(*h))
                .map(str::to_string);
            Behaviour::Worker { missing }
        }
        "system" => Behaviour::System(image.to_string()),
        "stress" => Behaviour::Stress { bytes: 256 * MI },
        // A shell with no terminal reads EOF and exits 0.
        _ => Behaviour::Script(Script::default()),
    }
}

fn ping(args: &[String], env: &Env) -> Behaviour {
    let mut count = None;
    let mut host = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-c" => count = it.next().and_then(|n| n.parse().ok()),
            s if s.starts_with('-') => {}
            s => host = Some(s.to_string()),
        }
    }
    let host = host.unwrap_or_default();
    let ip = if host.parse::<std::net::Ipv4Addr>().is_ok() {
        Some(host.clone())
    } else if host == "localhost" {
        Some("127.0.0.1".into())
    } else {
        let short = host.split('.').next().unwrap_or("");
        env.services.get(&host).or(env.services.get(short)).cloned()
    };
    let local = ip
        .as_deref()
        .is_some_and(|ip| ip.starts_with("127.") || ip == env.pod_ip);
    let replies = ip
        .as_deref()
        .is_some_and(|ip| !env.cluster_ips.contains(ip));
    Behaviour::Ping {
        host,
        ip,
        count,
        local,
        replies,
    }
}

fn stress(args: &[String]) -> Behaviour {
    let mut bytes = 256 * MI;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--vm-bytes" {
            if let Some(v) = it.next() {
                bytes = parse_size(v).unwrap_or(bytes);
            }
        }
    }
    Behaviour::Stress { bytes }
}

/// `250M`, `1G`, `512k` as stress(1) reads them (binary units).
fn parse_size(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        'k' | 'K' => (&s[..s.len() - 1], 1 << 10),
        'm' | 'M' => (&s[..s.len() - 1], 1 << 20),
        'g' | 'G' => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().ok().map(|n| n * mult)
}

/// `sleep` arguments: seconds, with optional s/m/h/d suffix; `infinity`.
fn parse_sleep(s: &str) -> Duration {
    if s == "infinity" || s == "inf" {
        return Duration::from_secs(u64::MAX / 4000);
    }
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1.0),
        Some('m') => (&s[..s.len() - 1], 60.0),
        Some('h') => (&s[..s.len() - 1], 3600.0),
        Some('d') => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    Duration::from_secs_f64(num.parse::<f64>().unwrap_or(0.0).max(0.0) * mult)
}

/// Parses the shell subset the workshop uses: `;`/`&&`/newline separated
/// `echo`, `sleep`, `touch`, `rm`, `date`, `exit`, `true`, `false`, and
/// `while true; do ...; done` / `for i in ...; do ...; done` loops.
pub fn parse_script(text: &str) -> Script {
    let mut tokens: Vec<String> = Vec::new();
    // Split into simple commands, keeping loop keywords as separate commands.
    for raw in text.split(['\n', ';']) {
        for part in raw.split("&&") {
            let t = part.trim();
            if !t.is_empty() {
                tokens.push(t.to_string());
            }
        }
    }
    let mut script = Script::default();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        if t.starts_with("while ") || t.starts_with("until ") {
            // while COND; do BODY; done — COND `true`/`:`/`sleep N`.
            let cond = t.split_once(' ').map(|x| x.1).unwrap_or("").trim();
            let mut body = Vec::new();
            if let Some(s) = command(cond) {
                if matches!(s, Step::Sleep(_)) {
                    body.push(s);
                }
            }
            i += 1;
            while i < tokens.len() && tokens[i] != "done" {
                let c = tokens[i].strip_prefix("do ").unwrap_or(&tokens[i]).trim();
                if c != "do" {
                    body.extend(command(c));
                }
                i += 1;
            }
            script.forever = Some(body);
            return script;
        }
        if let Some(rest) = t.strip_prefix("for ") {
            let words: Vec<String> = rest
                .split_once(" in ")
                .map(|x| expand_words(x.1))
                .unwrap_or_default();
            let var = rest.split_whitespace().next().unwrap_or("i").to_string();
            let mut body = Vec::new();
            i += 1;
            while i < tokens.len() && tokens[i] != "done" {
                let c = tokens[i].strip_prefix("do ").unwrap_or(&tokens[i]).trim();
                if c != "do" {
                    body.push(c.to_string());
                }
                i += 1;
            }
            for w in &words {
                for c in &body {
                    let c = c
                        .replace(&format!("${var}"), w)
                        .replace(&format!("${{{var}}}"), w);
                    script.steps.extend(command(&c));
                }
            }
            i += 1;
            continue;
        }
        script.steps.extend(command(t));
        i += 1;
    }
    script
}

fn expand_words(s: &str) -> Vec<String> {
    let s = s.trim();
    if let Some(inner) = s.strip_prefix("$(seq ").and_then(|x| x.strip_suffix(')')) {
        let n: Vec<i64> = inner
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let (a, b) = match n.as_slice() {
            [b] => (1, *b),
            [a, b, ..] => (*a, *b),
            _ => (1, 0),
        };
        return (a..=b.min(a + 10_000)).map(|x| x.to_string()).collect();
    }
    if let Some(inner) = s.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
        if let Some((a, b)) = inner.split_once("..") {
            if let (Ok(a), Ok(b)) = (a.parse::<i64>(), b.parse::<i64>()) {
                return (a..=b.min(a + 10_000)).map(|x| x.to_string()).collect();
            }
        }
    }
    s.split_whitespace().map(str::to_string).collect()
}

fn command(c: &str) -> Option<Step> {
    let words =
        shell_words::split(c).unwrap_or_else(|_| c.split_whitespace().map(String::from).collect());
    let (prog, args) = words.split_first()?;
    Some(match prog.rsplit('/').next().unwrap_or("") {
        "echo" => {
            let args: Vec<&String> = args.iter().filter(|a| *a != "-n" && *a != "-e").collect();
            let text = args
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if text.contains("$(date") {
                Step::Date
            } else {
                Step::Echo(text)
            }
        }
        "date" => Step::Date,
        "sleep" => Step::Sleep(parse_sleep(args.first().map(String::as_str).unwrap_or("0"))),
        "touch" => Step::Touch(args.last()?.clone()),
        "rm" => Step::Rm(args.last()?.clone()),
        "exit" => Step::Exit(args.first().and_then(|a| a.parse().ok()).unwrap_or(0)),
        "false" => Step::Exit(1),
        "tail" if args.iter().any(|a| a == "-f") => Step::Sleep(parse_sleep("infinity")),
        // The Volumes chapter's `apk add git` (fetching two APKINDEXes and
        // a dozen packages) and `git clone` of a small repository take a
        // couple of seconds each on a workshop VM.
        "apk" if args.first().map(String::as_str) == Some("add") => {
            Step::Sleep(Duration::from_millis(2_500))
        }
        "git" if args.first().map(String::as_str) == Some("clone") => {
            Step::Sleep(Duration::from_millis(1_500))
        }
        _ => return None,
    })
}

/// A log line a behaviour wrote, at an offset from the container start.
#[derive(Clone, Debug, PartialEq)]
pub enum Text {
    Plain(String),
    /// `date` output at that moment.
    Date,
    /// A server start line template.
    Template(&'static str),
}

/// What a script did by some time: lines, files present, its exit.
pub type ScriptRun = (
    Vec<(Duration, Text)>,
    BTreeSet<String>,
    Option<(Duration, i32)>,
);

impl Script {
    /// Runs the script up to `until` (from its start): the lines written,
    /// the files present, and its exit if it ended by then.
    pub fn run(&self, until: Duration) -> ScriptRun {
        let mut t = Duration::ZERO;
        let mut lines = Vec::new();
        let mut files = BTreeSet::new();
        let mut last_code = 0;
        let step = |s: &Step,
                    t: &mut Duration,
                    lines: &mut Vec<(Duration, Text)>,
                    files: &mut BTreeSet<String>|
         -> Option<i32> {
            match s {
                Step::Echo(x) => lines.push((*t, Text::Plain(x.clone()))),
                Step::Date => lines.push((*t, Text::Date)),
                Step::Sleep(d) => *t += *d,
                Step::Touch(f) => {
                    files.insert(f.clone());
                }
                Step::Rm(f) => {
                    files.remove(f);
                }
                Step::Exit(c) => return Some(*c),
            }
            None
        };
        for s in &self.steps {
            if t > until {
                return (lines, files, None);
            }
            if let Step::Exit(c) = s {
                return (lines, files, Some((t, *c)));
            }
            if let Some(c) = step(s, &mut t, &mut lines, &mut files) {
                last_code = c;
            }
        }
        let Some(body) = &self.forever else {
            return (lines, files, Some((t, last_code)));
        };
        let period: Duration = body
            .iter()
            .map(|s| {
                if let Step::Sleep(d) = s {
                    *d
                } else {
                    Duration::ZERO
                }
            })
            .sum();
        // A loop without sleep spins: model it as 100 iterations a second.
        let period = period.max(Duration::from_millis(10));
        loop {
            if t > until {
                return (lines, files, None);
            }
            let start = t;
            for s in body {
                if let Step::Exit(c) = s {
                    return (lines, files, Some((t, *c)));
                }
                step(s, &mut t, &mut lines, &mut files);
            }
            if t == start {
                t += period;
            }
        }
    }
    /// When and how the script ends on its own (`None`: an endless loop).
    pub fn exit(&self) -> Option<(Duration, i32)> {
        let mut t = Duration::ZERO;
        let walk = |steps: &[Step], t: &mut Duration| -> Option<i32> {
            for s in steps {
                match s {
                    Step::Sleep(d) => *t += *d,
                    Step::Exit(c) => return Some(*c),
                    _ => {}
                }
            }
            None
        };
        if let Some(c) = walk(&self.steps, &mut t) {
            return Some((t, c));
        }
        match &self.forever {
            None => Some((t, 0)),
            Some(body) => walk(body, &mut t).map(|c| (t, c)),
        }
    }
    /// Whether the loop spins without sleeping (100 % of a CPU).
    pub fn busy(&self) -> bool {
        self.forever
            .as_ref()
            .is_some_and(|b| !b.iter().any(|s| matches!(s, Step::Sleep(_))))
    }
}

impl Behaviour {
    /// When the run ends on its own. `memory_limit` makes memory hogs
    /// OOMKilled (exit 137).
    pub fn exit(&self, memory_limit: Option<u64>) -> Option<Exit> {
        match self {
            Behaviour::Script(s) => s.exit().map(|(after, code)| Exit {
                after,
                code,
                oom: false,
            }),
            Behaviour::Ping {
                count: Some(n),
                ip: Some(_),
                ..
            } => Some(Exit {
                after: Duration::from_secs(n.saturating_sub(1)),
                code: 0,
                oom: false,
            }),
            Behaviour::Ping { ip: None, .. } => Some(Exit {
                after: Duration::ZERO,
                code: 1,
                oom: false,
            }),
            Behaviour::Fail { code, .. } => Some(Exit {
                after: Duration::from_millis(30),
                code: *code,
                oom: false,
            }),
            Behaviour::Stress { bytes } => match memory_limit {
                Some(limit) if *bytes > limit => Some(Exit {
                    // stress touches memory at about 1 GiB/s.
                    after: Duration::from_secs_f64(limit as f64 / (1u64 << 30) as f64),
                    code: 137,
                    oom: true,
                }),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn on_sigterm(&self) -> OnSigterm {
        match self {
            Behaviour::Server(s) => s.on_sigterm,
            Behaviour::System(_) => OnSigterm::Exit(Duration::from_millis(200), 0),
            _ => OnSigterm::Ignore,
        }
    }

    /// The server it runs, if any, once it listens (`elapsed` since start).
    pub fn listening(&self, elapsed: Duration) -> Option<&'static ServerModel> {
        match self {
            Behaviour::Server(s) if elapsed >= s.startup => Some(s),
            _ => None,
        }
    }

    /// Files present at `elapsed` (for `exec` probes such as `cat FILE`).
    pub fn files_at(&self, elapsed: Duration) -> BTreeSet<String> {
        match self {
            Behaviour::Script(s) => s.run(elapsed).1,
            _ => BTreeSet::new(),
        }
    }

    /// CPU (millicores) and memory (bytes) in use at `elapsed`, before
    /// limits; `wobble` in [0,1) varies it per metrics window.
    pub fn usage(&self, elapsed: Duration, wobble: f64) -> (u64, u64) {
        let w = |x: u64| ((x as f64) * (0.9 + 0.2 * wobble)).round() as u64;
        match self {
            Behaviour::Ping { .. } => (0, w(380 * 1024)),
            Behaviour::Script(s) if s.busy() => (1000, w(600 * 1024)),
            Behaviour::Script(_) | Behaviour::Fail { .. } => (0, w(280 * 1024)),
            Behaviour::Clock => (0, w(420 * 1024)),
            Behaviour::Server(s) => (w(s.idle_cpu_millis), w(s.memory)),
            Behaviour::Worker { .. } => (w(12), w(18 * MI)),
            Behaviour::Stress { bytes } => {
                let grown = (elapsed.as_secs_f64() * (1u64 << 30) as f64) as u64;
                (1000, (*bytes).min(grown.max(MI)))
            }
            Behaviour::System(image) => {
                let (cpu, mem) = system_usage(image);
                (w(cpu), w(mem))
            }
        }
    }

    /// The lines written between `from` and `to` (offsets from the start),
    /// each with its offset.
    pub fn lines(&self, from: Duration, to: Duration) -> Vec<(Duration, Text)> {
        let in_range = |d: &Duration| *d >= from && *d <= to;
        match self {
            Behaviour::Ping {
                host,
                ip,
                count,
                local,
                replies,
            } => {
                let Some(ip) = ip else {
                    return if from.is_zero() {
                        vec![(
                            Duration::ZERO,
                            Text::Plain(format!("ping: bad address '{host}'")),
                        )]
                    } else {
                        vec![]
                    };
                };
                let mut out = Vec::new();
                if from.is_zero() {
                    out.push((
                        Duration::ZERO,
                        Text::Plain(format!("PING {host} ({ip}): 56 data bytes")),
                    ));
                }
                if !replies {
                    return out;
                }
                let first = from.as_secs() + u64::from(from.subsec_nanos() > 0);
                let mut last = to.as_secs();
                if let Some(n) = count {
                    last = last.min(n.saturating_sub(1));
                }
                for seq in first..=last {
                    let h = fnv1a(format!("{ip}/{seq}").as_bytes());
                    let micros = if *local { 30 + h % 70 } else { 350 + h % 600 };
                    out.push((
                        Duration::from_secs(seq),
                        Text::Plain(format!(
                            "64 bytes from {ip}: seq={seq} ttl={} time={}.{:03} ms",
                            if *local { 64 } else { 63 },
                            micros / 1000,
                            micros % 1000
                        )),
                    ));
                }
                if let Some(n) = count {
                    let end = Duration::from_secs(n.saturating_sub(1));
                    if in_range(&end) {
                        out.push((end, Text::Plain(String::new())));
                        out.push((end, Text::Plain(format!("--- {host} ping statistics ---"))));
                        out.push((
                            end,
                            Text::Plain(format!(
                                "{n} packets transmitted, {n} packets received, 0% packet loss"
                            )),
                        ));
                        out.push((
                            end,
                            Text::Plain("round-trip min/avg/max = 0.031/0.062/0.099 ms".into()),
                        ));
                    }
                }
                out
            }
            Behaviour::Script(s) => s
                .run(to)
                .0
                .into_iter()
                .filter(|(d, _)| in_range(d))
                .collect(),
            Behaviour::Server(s) => s
                .start_logs
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    (
                        s.startup
                            .mul_f64(i as f64 / s.start_logs.len().max(1) as f64),
                        Text::Template(l),
                    )
                })
                .filter(|(d, _)| in_range(d))
                .collect(),
            Behaviour::Clock => (from.as_secs()..=to.as_secs())
                .map(|s| (Duration::from_secs(s), Text::Date))
                .filter(|(d, _)| in_range(d))
                .collect(),
            // worker.py's output (units of work, tracebacks, `Waiting 10s
            // and restarting.`) follows from its traffic: the network runs
            // its loop and writes those lines (`net::dockercoins`). It
            // catches every exception, so it never exits either.
            Behaviour::Worker { .. } => vec![],
            Behaviour::Stress { .. } if from.is_zero() => vec![(
                Duration::ZERO,
                Text::Plain("stress: info: [1] dispatching hogs: 0 cpu, 0 io, 1 vm, 0 hdd".into()),
            )],
            Behaviour::Fail { lines, .. } if from.is_zero() => lines
                .iter()
                .map(|l| (Duration::ZERO, Text::Plain(l.clone())))
                .collect(),
            _ => vec![],
        }
    }
}

/// Typical usage of the control-plane and add-on components.
fn system_usage(image: &str) -> (u64, u64) {
    const TABLE: &[(&str, u64, u64)] = &[
        ("etcd", 22, 48 * MI),
        ("kube-apiserver", 48, 290 * MI),
        ("kube-controller-manager", 16, 52 * MI),
        ("kube-scheduler", 4, 23 * MI),
        ("kube-proxy", 1, 16 * MI),
        ("coredns", 2, 15 * MI),
        ("operator-generic", 2, 32 * MI),
        ("cilium", 18, 175 * MI),
        ("metrics-server", 4, 20 * MI),
    ];
    TABLE
        .iter()
        .find(|(n, _, _)| image.contains(n))
        .map(|(_, c, m)| (*c, *m))
        .unwrap_or((1, 10 * MI))
}

/// Renders a line's text at the wall instant it was written.
pub fn render(text: &Text, at: jiff::Timestamp, ip: &str) -> String {
    let z = at.to_zoned(jiff::tz::TimeZone::UTC);
    match text {
        Text::Plain(s) => s.clone(),
        Text::Date => z.strftime("%a %b %e %H:%M:%S UTC %Y").to_string(),
        Text::Template(t) => t
            .replace("{nginx}", &z.strftime("%Y/%m/%d %H:%M:%S").to_string())
            .replace(
                "{httpd}",
                &z.strftime("[%a %b %d %H:%M:%S.%6f %Y]").to_string(),
            )
            .replace(
                "{httpd_short}",
                &z.strftime("%Y-%m-%d %H:%M:%S").to_string(),
            )
            .replace("{redis}", &z.strftime("%d %b %Y %H:%M:%S.%3f").to_string())
            .replace("{es}", &z.strftime("%Y-%m-%d %H:%M:%S,%3f").to_string())
            .replace("{rfc3339}", &z.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
            .replace("{ip}", ip),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn entrypoint_images_take_flags_as_server_arguments() {
        let consul = choose(
            "server:consul",
            "consul:1.11",
            &argv(&["agent", "-bootstrap-expect=3", "-server"]),
            &Env::default(),
        );
        assert!(matches!(consul, Behaviour::Server(s) if s.name == "consul"));
        let redis = choose(
            "server:redis",
            "redis",
            &argv(&["--appendonly", "yes"]),
            &Env::default(),
        );
        assert!(matches!(redis, Behaviour::Server(s) if s.name == "redis"));
        // Anything else replaces the server (docker-entrypoint.sh execs it).
        let sleep = choose(
            "server:redis",
            "redis",
            &argv(&["sleep", "5"]),
            &Env::default(),
        );
        assert!(matches!(sleep, Behaviour::Script(_)));
    }

    #[test]
    fn ping_writes_one_busybox_line_per_second() {
        let b = choose(
            "shell",
            "alpine",
            &argv(&["ping", "127.0.0.1"]),
            &Env::default(),
        );
        let lines = b.lines(Duration::ZERO, Duration::from_millis(2500));
        let text: Vec<String> = lines
            .iter()
            .map(|(_, t)| render(t, jiff::Timestamp::UNIX_EPOCH, ""))
            .collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert_eq!(text[0], "PING 127.0.0.1 (127.0.0.1): 56 data bytes");
        assert!(
            text[1].starts_with("64 bytes from 127.0.0.1: seq=0 ttl=64 time=0.0"),
            "{}",
            text[1]
        );
        assert!(b.exit(None).is_none());
        assert_eq!(b.on_sigterm(), OnSigterm::Ignore);
    }

    #[test]
    fn shell_scripts_exit_sleep_and_loop() {
        let b = choose(
            "shell",
            "busybox",
            &argv(&["sh", "-c", "exit 3"]),
            &Env::default(),
        );
        assert_eq!(b.exit(None).unwrap().code, 3);
        let b = choose("shell", "busybox", &argv(&["sleep", "10"]), &Env::default());
        assert_eq!(b.exit(None).unwrap().after, Duration::from_secs(10));
        let b = choose(
            "shell",
            "busybox",
            &argv(&["sh", "-c", "while true; do echo hello; sleep 2; done"]),
            &Env::default(),
        );
        assert!(b.exit(None).is_none());
        assert_eq!(b.lines(Duration::ZERO, Duration::from_secs(5)).len(), 3);
        let b = choose(
            "shell",
            "busybox",
            &argv(&[
                "sh",
                "-c",
                "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600",
            ]),
            &Env::default(),
        );
        assert!(b.files_at(Duration::from_secs(29)).contains("/tmp/healthy"));
        assert!(!b.files_at(Duration::from_secs(31)).contains("/tmp/healthy"));
        assert_eq!(b.exit(None).unwrap().after, Duration::from_secs(630));
    }

    #[test]
    fn memory_hogs_are_oom_killed_at_their_limit() {
        let b = choose(
            "stress",
            "polinux/stress",
            &argv(&["stress", "--vm", "1", "--vm-bytes", "250M"]),
            &Env::default(),
        );
        let e = b.exit(Some(100 << 20)).unwrap();
        assert!(e.oom);
        assert_eq!(e.code, 137);
        assert!(b.exit(Some(300 << 20)).is_none());
    }

    #[test]
    fn servers_queue_beyond_their_concurrency() {
        let rng = server("rng").unwrap();
        assert_eq!(rng.respond("/", 0).latency, Duration::from_millis(100));
        assert_eq!(rng.respond("/", 3).latency, Duration::from_millis(400));
        assert_eq!(server("nginx").unwrap().respond("/nope", 0).status, 404);
    }
}
