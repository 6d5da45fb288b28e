//! The application catalogue: what runs in a container, given its image and
//! command, as far as the network sees it — which ports it listens on, how
//! many requests it serves at once, how long an answer takes and what the
//! answer says.
//!
//! One table (principle 6). The DockerCoins entries follow the app's source
//! (`dockercoins/` in jpetazzo/container.training, summarised in
//! `docs/workshop.md` §1): rng is Flask's single-threaded development
//! server sleeping 0.1 s per `GET /<n>`; hasher is Sinatra on Thin sleeping
//! 0.1 s per `POST /`, about 20 requests at a time (Thin's thread pool);
//! the worker and webui are clients modelled in `dockercoins.rs`. The other
//! servers answer what their images answer (nginx's welcome page, httpd's
//! "It works!", Elasticsearch 2's banner, jpetazzo/color and httpenv).
//! Images the table does not know listen on their declared container ports
//! and answer any request with an empty 200.

use super::docroot::DocRoot;
use super::http::{http_date, HttpRequest, HttpResponse};
use super::latency::Micros;
use k8s_openapi::api::core::v1::Container;

/// What a container runs, for the network.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum AppKind {
    /// Nothing listens (busybox, alpine, a `sleep`...).
    None,
    Nginx,
    Httpd,
    Redis,
    /// Elasticsearch, by major version.
    Elasticsearch(u8),
    Color,
    HttpEnv,
    Rng,
    Hasher,
    /// The DockerCoins worker; its pre-request sleep in microseconds.
    Worker {
        sleep_us: Micros,
    },
    Webui,
    /// Traefik, an ingress controller.
    Traefik,
    /// ingress-nginx's controller.
    IngressNginx,
    ApiServer,
    CoreDns,
    /// `python -m http.server [port]`.
    PythonHttp(u16),
    /// The Docker registry, on its `REGISTRY_HTTP_ADDR` port.
    Registry(u16),
    /// An image the table does not know: listens on its declared ports.
    Generic,
}

/// Requests a server handles at once; more wait in a FIFO queue.
pub const UNLIMITED: u32 = u32::MAX;

impl AppKind {
    /// Ports the process listens on, with its concurrency per port.
    /// (Generic apps listen on the pod's declared ports, see the engine.)
    pub fn listens(&self) -> Vec<(u16, u32)> {
        match self {
            AppKind::None | AppKind::Worker { .. } | AppKind::Generic => vec![],
            AppKind::Nginx | AppKind::Httpd | AppKind::Color | AppKind::Webui => {
                vec![(80, UNLIMITED)]
            }
            AppKind::Redis => vec![(6379, 1)],
            AppKind::Elasticsearch(_) => vec![(9200, UNLIMITED), (9300, UNLIMITED)],
            AppKind::HttpEnv => vec![(8888, UNLIMITED)],
            // flask run --without-threads: one request at a time.
            AppKind::Rng => vec![(80, 1)],
            // Thin's default thread pool (an assumption, workshop.md §1.1).
            AppKind::Hasher => vec![(80, 20)],
            AppKind::Traefik => vec![(80, UNLIMITED), (443, UNLIMITED), (8080, UNLIMITED)],
            AppKind::IngressNginx => vec![(80, UNLIMITED), (443, UNLIMITED)],
            AppKind::ApiServer => vec![(6443, UNLIMITED)],
            AppKind::CoreDns => vec![
                (53, UNLIMITED),
                (8080, UNLIMITED),
                (8181, UNLIMITED),
                (9153, UNLIMITED),
            ],
            AppKind::PythonHttp(p) => vec![(*p, 1)],
            AppKind::Registry(p) => vec![(*p, UNLIMITED)],
        }
    }

    /// How long after its container starts the program binds its ports
    /// (connections before that are refused).
    pub fn listen_delay_us(&self) -> Micros {
        match self {
            // A JVM with Elasticsearch 2's plugins and node discovery.
            AppKind::Elasticsearch(_) => 6_000_000,
            // Ruby loading Sinatra and Thin.
            AppKind::Hasher => 1_000_000,
            // Python importing Flask.
            AppKind::Rng => 500_000,
            // Node.js loading Express.
            AppKind::Webui => 300_000,
            _ => 0,
        }
    }

    /// Whether the port speaks TLS.
    pub fn is_tls(&self, port: u16) -> bool {
        matches!(
            (self, port),
            (AppKind::ApiServer, 6443) | (AppKind::Traefik | AppKind::IngressNginx, 443)
        )
    }

    /// Lines the process prints when it starts.
    pub fn startup_lines(&self, pod: &str) -> Vec<String> {
        match self {
            AppKind::Rng => vec![
                " * Serving Flask app 'rng'".into(),
                " * Debug mode: off".into(),
                "WARNING: This is a development server. Do not use it in a production deployment. Use a production WSGI server instead.".into(),
                " * Running on all addresses (::)".into(),
                " * Running on http://[::1]:80".into(),
                " * Running on http://[::ffff:10.244.0.1]:80".into(),
                "Press CTRL+C to quit".into(),
            ],
            AppKind::Hasher => vec![
                "Thin web server (v1.8.2 codename Ruby Razor)".into(),
                "Maximum connections set to 1024".into(),
                "Listening on 0.0.0.0:80, CTRL+C to stop".into(),
            ],
            AppKind::Webui => vec!["WEBUI running on port 80".into()],
            AppKind::Redis => vec![
                "1:C 23 Nov 2026 09:00:00.000 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo".into(),
                "1:C 23 Nov 2026 09:00:00.000 * Redis version=7.4.2, bits=64, commit=00000000, modified=0, pid=1, just started".into(),
                "1:M 23 Nov 2026 09:00:00.001 * Running mode=standalone, port=6379.".into(),
                "1:M 23 Nov 2026 09:00:00.001 * Server initialized".into(),
                "1:M 23 Nov 2026 09:00:00.001 * Ready to accept connections tcp".into(),
            ],
            AppKind::Color => vec!["Starting HTTP server (linux/amd64) listening on port 80.".into()],
            AppKind::HttpEnv => vec!["Starting httpenv listening on port 8888.".into()],
            AppKind::Nginx => vec![
                "/docker-entrypoint.sh: Configuration complete; ready for start up".into(),
            ],
            AppKind::Httpd => vec![format!(
                "AH00558: httpd: Could not reliably determine the server's fully qualified domain name, using {pod}. Set the 'ServerName' directive globally to suppress this message"
            )],
            _ => vec![],
        }
    }
}

/// Splits an image reference into (repository, tag), dropping the default
/// registry and `library/` as Docker Hub names them.
pub fn parse_image(image: &str) -> (String, String) {
    let image = image.split('@').next().unwrap_or(image);
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image, "latest"),
    };
    let mut repo = repo;
    for p in ["docker.io/", "index.docker.io/", "registry-1.docker.io/"] {
        repo = repo.strip_prefix(p).unwrap_or(repo);
    }
    let repo = repo.strip_prefix("library/").unwrap_or(repo);
    (repo.to_string(), tag.to_string())
}

/// The binaries that start the image's server when a command overrides
/// the image's default.
fn server_binaries(kind: AppKind) -> &'static [&'static str] {
    match kind {
        AppKind::Nginx => &["nginx", "/docker-entrypoint.sh"],
        AppKind::Httpd => &["httpd", "httpd-foreground"],
        AppKind::Redis => &["redis-server", "docker-entrypoint.sh"],
        AppKind::Traefik => &["traefik", "/entrypoint.sh"],
        AppKind::IngressNginx => &["/nginx-ingress-controller"],
        AppKind::ApiServer => &["kube-apiserver"],
        AppKind::CoreDns => &["/coredns"],
        _ => &[],
    }
}

/// What a container runs.
pub fn classify(c: &Container) -> AppKind {
    let (repo, tag) = parse_image(c.image.as_deref().unwrap_or(""));
    let argv: Vec<&str> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .map(String::as_str)
        .collect();
    // `python -m http.server [port]` in any Python image.
    if let Some(i) = argv.iter().position(|a| *a == "http.server") {
        let port = argv.get(i + 1).and_then(|p| p.parse().ok()).unwrap_or(8000);
        return AppKind::PythonHttp(port);
    }
    let base = repo.rsplit('/').next().unwrap_or(&repo);
    let kind = match repo.as_str() {
        "dockercoins/rng" => AppKind::Rng,
        "dockercoins/hasher" => AppKind::Hasher,
        "dockercoins/webui" => AppKind::Webui,
        "dockercoins/worker" => AppKind::Worker {
            // v0.2 sleeps a whole second per unit of work.
            sleep_us: if tag == "v0.2" { 1_000_000 } else { 100_000 },
        },
        "jpetazzo/color" => AppKind::Color,
        "jpetazzo/httpenv" => AppKind::HttpEnv,
        "nginx" | "nginxinc/nginx-unprivileged" | "bitnami/nginx" => AppKind::Nginx,
        "httpd" => AppKind::Httpd,
        "redis" | "bitnami/redis" => AppKind::Redis,
        "elasticsearch" => AppKind::Elasticsearch(
            tag.split('.')
                .next()
                .and_then(|m| m.parse().ok())
                .unwrap_or(8),
        ),
        "traefik" => AppKind::Traefik,
        "registry" => {
            let env: Vec<(String, String)> = c
                .env
                .iter()
                .flatten()
                .filter_map(|e| e.value.clone().map(|v| (e.name.clone(), v)))
                .collect();
            AppKind::Registry(super::registry::port(&env))
        }
        _ if repo.ends_with("ingress-nginx/controller") => AppKind::IngressNginx,
        _ if base == "kube-apiserver" => AppKind::ApiServer,
        _ if base == "coredns" => AppKind::CoreDns,
        _ => AppKind::Generic,
    };
    // A command (or args that are a command, not flags) that does not start
    // the image's server replaces it: `nginx -- sleep 3600` serves nothing.
    let overridden = match (c.command.as_ref(), c.args.as_ref()) {
        (Some(cmd), _) if !cmd.is_empty() => Some(cmd[0].as_str()),
        (_, Some(args)) if !args.is_empty() && !args[0].starts_with('-') => Some(args[0].as_str()),
        _ => None,
    };
    match (kind, overridden) {
        (AppKind::Generic, _) | (_, None) => kind,
        (k, Some(bin)) => {
            let name = bin.rsplit('/').next().unwrap_or(bin);
            let ok = server_binaries(k)
                .iter()
                .any(|b| *b == bin || b.rsplit('/').next() == Some(name));
            if ok {
                k
            } else {
                AppKind::None
            }
        }
    }
}

/// What a request handler needs to know about the server it runs in.
pub struct ServeCtx<'a> {
    pub ns: &'a str,
    pub pod: &'a str,
    pub hostname: &'a str,
    pub env: &'a [(String, String)],
    /// What nginx finds in its html directory.
    pub docroot: super::docroot::DocRoot,
    pub client: String,
    pub now: jiff::Timestamp,
}

/// Microseconds a simple server spends on one request (framework and
/// handler time; the DockerCoins sleeps are added by the engine).
pub fn service_time(kind: AppKind, req: &HttpRequest) -> Micros {
    match kind {
        AppKind::Nginx => 150,
        AppKind::Httpd => 300,
        AppKind::Color | AppKind::HttpEnv | AppKind::Generic => 200,
        AppKind::Elasticsearch(_) => 2_000,
        AppKind::Rng => {
            // The view (and its sleep) runs for HEAD too.
            if rng_bytes(req.path_only()).is_some() {
                100_000 + 1_000
            } else {
                1_000
            }
        }
        AppKind::Hasher => {
            if req.method == "POST" {
                100_000 + 1_000
            } else {
                1_000
            }
        }
        AppKind::Webui => 300,
        AppKind::ApiServer => 2_000,
        AppKind::CoreDns => 100,
        AppKind::PythonHttp(_) => 1_000,
        _ => 200,
    }
}

/// `/32` → Some(32): rng's `GET /<int:n>` route.
pub fn rng_bytes(path: &str) -> Option<u32> {
    path.strip_prefix('/')
        .filter(|s| !s.is_empty() && s.len() < 10)
        .and_then(|s| s.parse().ok())
}

pub const NGINX_VERSION: &str = "nginx/1.27.4";

/// nginx's default index.html (615 bytes).
pub const NGINX_WELCOME: &str = "<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href=\"http://nginx.org/\">nginx.org</a>.<br/>
Commercial support is available at
<a href=\"http://nginx.com/\">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
";

/// nginx's built-in error page.
pub fn nginx_error_page(code: u16) -> String {
    let title = format!("{code} {}", super::http::reason(code));
    format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>{NGINX_VERSION}</center>\r\n</body>\r\n</html>\r\n"
    )
}

fn go_response(
    now: jiff::Timestamp,
    status: u16,
    ctype: &str,
    body: impl Into<Vec<u8>>,
) -> HttpResponse {
    HttpResponse::new(status)
        .h("Date", http_date(now))
        .h("Content-Type", ctype)
        .body(body)
}

/// Go's `http.NotFound`.
pub fn go_not_found(now: jiff::Timestamp) -> HttpResponse {
    HttpResponse::new(404)
        .h("Content-Type", "text/plain; charset=utf-8")
        .h("X-Content-Type-Options", "nosniff")
        .h("Date", http_date(now))
        .body("404 page not found\n")
}

/// Answers of the servers whose answer depends only on the request and
/// the pod (everything but the DockerCoins clients and the proxies).
pub fn serve_simple(kind: AppKind, cx: &ServeCtx, req: &HttpRequest) -> HttpResponse {
    let now = cx.now;
    let path = req.path_only();
    let resp = match kind {
        AppKind::Nginx => {
            let base = HttpResponse::new(0)
                .h("Server", NGINX_VERSION)
                .h("Date", http_date(now));
            if req.method != "GET" && req.method != "HEAD" {
                HttpResponse { status: 405, ..base }
                    .h("Content-Type", "text/html")
                    .body(nginx_error_page(405))
                    .h("Connection", "keep-alive")
            } else if cx.docroot == DocRoot::Empty && path == "/" {
                // ngx_http_index_module: no index file, autoindex off.
                HttpResponse { status: 403, ..base }
                    .h("Content-Type", "text/html")
                    .body(nginx_error_page(403))
                    .h("Connection", "keep-alive")
            } else if cx.docroot == DocRoot::SpoonKnife && (path == "/" || path == "/index.html") {
                HttpResponse { status: 200, ..base }
                    .h("Content-Type", "text/html")
                    .body(super::docroot::SPOON_KNIFE)
                    .h("Connection", "keep-alive")
                    .h("Accept-Ranges", "bytes")
            } else if cx.docroot == DocRoot::Default && (path == "/" || path == "/index.html") {
                HttpResponse { status: 200, ..base }
                    .h("Content-Type", "text/html")
                    .body(NGINX_WELCOME)
                    .h("Last-Modified", "Wed, 05 Feb 2025 11:06:32 GMT")
                    .h("Connection", "keep-alive")
                    .h("ETag", "\"67a34638-267\"")
                    .h("Accept-Ranges", "bytes")
            } else {
                HttpResponse { status: 404, ..base }
                    .h("Content-Type", "text/html")
                    .body(nginx_error_page(404))
                    .h("Connection", "keep-alive")
            }
        }
        AppKind::Httpd => {
            let base = HttpResponse::new(0)
                .h("Date", http_date(now))
                .h("Server", "Apache/2.4.63 (Unix)");
            if path == "/" || path == "/index.html" {
                HttpResponse { status: 200, ..base }
                    .h("Last-Modified", "Mon, 11 Jun 2007 18:53:14 GMT")
                    .h("ETag", "\"2d-432a5e4a73a80\"")
                    .h("Accept-Ranges", "bytes")
                    .body("<html><body><h1>It works!</h1></body></html>\n")
                    .h("Content-Type", "text/html")
            } else {
                HttpResponse { status: 404, ..base }
                    .body("<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n")
                    .h("Content-Type", "text/html; charset=iso-8859-1")
            }
        }
        AppKind::Elasticsearch(major) => {
            let version = match major {
                2 => "2.4.6",
                5 => "5.6.16",
                6 => "6.8.23",
                7 => "7.17.28",
                _ => "8.17.4",
            };
            let body = format!(
                "{{\n  \"name\" : \"{}\",\n  \"cluster_name\" : \"elasticsearch\",\n  \"cluster_uuid\" : \"{}\",\n  \"version\" : {{\n    \"number\" : \"{version}\",\n    \"build_hash\" : \"5376dca9f70f3abef96a77f4bb22720ace8240fd\",\n    \"build_timestamp\" : \"2017-07-18T12:17:44Z\",\n    \"build_snapshot\" : false,\n    \"lucene_version\" : \"5.5.4\"\n  }},\n  \"tagline\" : \"You Know, for Search\"\n}}\n",
                cx.pod,
                uuid_like(cx.pod)
            );
            HttpResponse::new(200)
                .h("Content-Type", "application/json; charset=UTF-8")
                .body(body)
        }
        AppKind::Color => {
            let color = cx.hostname.split('-').next().unwrap_or("");
            let body = format!(
                "<!DOCTYPE html>\r<html>\r<body style=\"background: {ns}; text-align: center;\">\r<div style=\"padding: 4em;\"></div>\r<span style=\"padding: 4em; background: {color};\">\r<span style=\"padding: 2px; background: white;\">\rThis is pod {ns}/{host} on linux/amd64, serving {path} for {client}.\n</span>\r</span>\r</body>\r</html>\r",
                ns = cx.ns,
                host = cx.hostname,
                path = req.path,
                client = cx.client,
            );
            go_response(now, 200, "text/html; charset=utf-8", body)
        }
        AppKind::HttpEnv => {
            // json.Marshal of a Go map: keys sorted, compact.
            let mut env: Vec<&(String, String)> = cx.env.iter().collect();
            env.sort();
            env.dedup_by(|a, b| a.0 == b.0);
            let map: serde_json::Map<String, serde_json::Value> = env
                .into_iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect();
            let body = serde_json::to_string(&map).unwrap_or_else(|_| "{}".into());
            go_response(now, 200, "text/plain; charset=utf-8", body)
        }
        AppKind::Rng => {
            if path == "/" {
                werkzeug(now, 200, "text/html; charset=utf-8", format!("RNG running on {}\n", cx.hostname))
            } else if let Some(n) = rng_bytes(path) {
                // n bytes from /dev/urandom.
                let mut h = crate::sim::rng::fnv1a(format!("{}{}", cx.pod, cx.now).as_bytes());
                let body: Vec<u8> = (0..n)
                    .map(|_| {
                        h ^= h << 13;
                        h ^= h >> 7;
                        h ^= h << 17;
                        (h >> 24) as u8
                    })
                    .collect();
                werkzeug(now, 200, "application/octet-stream", body)
            } else {
                werkzeug(now, 404, "text/html; charset=utf-8", WERKZEUG_404)
            }
        }
        AppKind::Hasher => {
            if req.method == "POST" && path == "/" {
                let digest = super::sha256::hex(&req.body);
                sinatra(200, digest)
            } else if req.method == "GET" && path == "/" {
                sinatra(200, format!("HASHER running on {}\n", cx.hostname))
            } else {
                sinatra(404, "<!DOCTYPE html>\n<html>\n<head>\n  <style type=\"text/css\">\n  body { text-align:center;font-family:helvetica,arial;font-size:22px;\n    color:#888;margin:20px}\n  #c {margin:0 auto;width:500px;text-align:left}\n  </style>\n</head>\n<body>\n  <h2>Sinatra doesn’t know this ditty.</h2>\n</body>\n</html>\n")
            }
        }
        AppKind::CoreDns => match path {
            "/health" | "/ready" => go_response(now, 200, "text/plain; charset=utf-8", "OK"),
            "/metrics" => go_response(
                now,
                200,
                "text/plain; version=0.0.4; charset=utf-8",
                "# HELP coredns_build_info A metric with a constant '1' value labeled by version, revision, and goversion from which CoreDNS was built.\n# TYPE coredns_build_info gauge\ncoredns_build_info{goversion=\"go1.23.3\",revision=\"51e11f1\",version=\"1.12.0\"} 1\n",
            ),
            _ => go_not_found(now),
        },
        AppKind::Registry(_) => super::registry::serve(path, now),
        AppKind::PythonHttp(_) => {
            if path == "/" {
                let body = "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Directory listing for /</title>\n</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>\n</ul>\n<hr>\n</body>\n</html>\n";
                HttpResponse::new(200)
                    .h("Server", "SimpleHTTP/0.6 Python/3.13.1")
                    .h("Date", http_date(now))
                    .h("Content-type", "text/html; charset=utf-8")
                    .body(body)
            } else {
                HttpResponse::new(404)
                    .h("Server", "SimpleHTTP/0.6 Python/3.13.1")
                    .h("Date", http_date(now))
                    .h("Content-Type", "text/html;charset=utf-8")
                    .body("<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n        <p>Error code: 404</p>\n        <p>Message: File not found.</p>\n    </body>\n</html>\n")
            }
        }
        _ => HttpResponse::new(200)
            .h("Date", http_date(now))
            .body(Vec::new()),
    };
    if req.is_head() {
        resp.without_body()
    } else {
        resp
    }
}

const WERKZEUG_404: &str = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n";

/// A Flask/werkzeug response.
pub fn werkzeug(
    now: jiff::Timestamp,
    status: u16,
    ctype: &str,
    body: impl Into<Vec<u8>>,
) -> HttpResponse {
    HttpResponse::new(status)
        .h("Server", "Werkzeug/3.1.3 Python/3.13.1")
        .h("Date", http_date(now))
        .h("Content-Type", ctype)
        .body(body)
        .h("Connection", "close")
}

/// A Sinatra-on-Thin response.
pub fn sinatra(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
    HttpResponse::new(status)
        .h("Content-Type", "text/html;charset=utf-8")
        .h("X-XSS-Protection", "1; mode=block")
        .h("X-Content-Type-Options", "nosniff")
        .h("X-Frame-Options", "SAMEORIGIN")
        .body(body)
        .h("Connection", "keep-alive")
        .h("Server", "thin")
}

/// A stable uuid-ish string for a name (Elasticsearch's cluster_uuid).
fn uuid_like(name: &str) -> String {
    let h = crate::sim::rng::fnv1a(name.as_bytes());
    let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    (0..22)
        .map(|i| chars[((h.rotate_left(i * 7)) % 64) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(image: &str, command: Option<Vec<&str>>, args: Option<Vec<&str>>) -> Container {
        Container {
            name: "c".into(),
            image: Some(image.into()),
            command: command.map(|v| v.into_iter().map(String::from).collect()),
            args: args.map(|v| v.into_iter().map(String::from).collect()),
            ..Default::default()
        }
    }

    #[test]
    fn images_map_to_their_servers() {
        assert_eq!(
            classify(&container("dockercoins/rng:v0.1", None, None)),
            AppKind::Rng
        );
        assert_eq!(
            classify(&container("dockercoins/worker:v0.2", None, None)),
            AppKind::Worker {
                sleep_us: 1_000_000
            }
        );
        assert_eq!(
            classify(&container("docker.io/library/nginx:1.27", None, None)),
            AppKind::Nginx
        );
        assert_eq!(
            classify(&container("elasticsearch:2", None, None)),
            AppKind::Elasticsearch(2)
        );
        assert_eq!(
            classify(&container("alpine", None, Some(vec!["ping", "127.0.0.1"]))),
            AppKind::Generic
        );
        assert_eq!(
            classify(&container("nginx", None, Some(vec!["sleep", "3600"]))),
            AppKind::None
        );
        assert_eq!(
            classify(&container(
                "nginx",
                Some(vec!["nginx", "-g", "daemon off;"]),
                None
            )),
            AppKind::Nginx
        );
        assert_eq!(
            classify(&container("redis", None, Some(vec!["--appendonly", "yes"]))),
            AppKind::Redis
        );
        assert_eq!(
            classify(&container(
                "python:3",
                Some(vec!["python", "-m", "http.server", "8080"]),
                None
            )),
            AppKind::PythonHttp(8080)
        );
        assert_eq!(
            parse_image("registry.k8s.io/coredns/coredns:v1.12.0").0,
            "registry.k8s.io/coredns/coredns"
        );
        assert_eq!(
            classify(&container(
                "registry.k8s.io/coredns/coredns:v1.12.0",
                None,
                None
            )),
            AppKind::CoreDns
        );
    }

    #[test]
    fn nginx_welcome_page_is_the_real_size() {
        assert_eq!(NGINX_WELCOME.len(), 615);
    }
}
