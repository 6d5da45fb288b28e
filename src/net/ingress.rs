//! Ingress (networking.k8s.io/v1) routing as an ingress controller does it:
//! rules by host (exact, or `*.` wildcard for one label) then path (`Exact`,
//! `Prefix` by path elements, `ImplementationSpecific` as a prefix),
//! longest path first and `Exact` before `Prefix`; the default backend when
//! nothing matches; 404 otherwise. A controller only serves the Ingresses of
//! its IngressClass (by `spec.controller`), and those without a class when
//! it is the default class — Traefik also takes class-less ones, as its
//! `kubernetesIngress` provider does by default.
//!
//! Matching rules from the API reference (`HTTPIngressPath`) and
//! `kubernetes/website` `concepts/services-networking/ingress.md`
//! ("Examples" table of path matching).

use k8s_openapi::api::networking::v1::{Ingress, IngressBackend, IngressClass};
use std::collections::BTreeMap;

/// Where a request goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backend {
    pub ns: String,
    pub service: String,
    /// Port number, or name (resolved against the Service's ports).
    pub port: BackendPort,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendPort {
    Number(u16),
    Name(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PathType {
    Exact,
    Prefix,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Route {
    host: Option<String>,
    path: String,
    kind: PathType,
    backend: Backend,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Compiled {
    class: Option<String>,
    routes: Vec<Route>,
    default_backend: Option<Backend>,
}

/// The controller families the simulation has.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum ControllerKind {
    Traefik,
    Nginx,
}

impl ControllerKind {
    /// The `spec.controller` of their IngressClass.
    pub fn controller_name(self) -> &'static str {
        match self {
            ControllerKind::Traefik => "traefik.io/ingress-controller",
            ControllerKind::Nginx => "k8s.io/ingress-nginx",
        }
    }
}

/// All Ingresses and IngressClasses.
#[derive(Clone, Debug, Default)]
pub struct Ingresses {
    by_key: BTreeMap<(String, String), Compiled>,
    /// class name → (controller, is default)
    classes: BTreeMap<String, (String, bool)>,
}

/// The outcome of routing a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouteResult {
    To(Backend),
    NotFound,
}

impl Ingresses {
    pub fn set_ingress(&mut self, ns: &str, name: &str, ing: Option<&Ingress>) {
        let key = (ns.to_string(), name.to_string());
        match ing {
            None => {
                self.by_key.remove(&key);
            }
            Some(i) => {
                self.by_key.insert(key, compile(ns, i));
            }
        }
    }

    pub fn set_class(&mut self, name: &str, c: Option<&IngressClass>) {
        match c {
            None => {
                self.classes.remove(name);
            }
            Some(c) => {
                let controller = c
                    .spec
                    .as_ref()
                    .and_then(|s| s.controller.clone())
                    .unwrap_or_default();
                let default = c
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("ingressclass.kubernetes.io/is-default-class"))
                    .map(String::as_str)
                    == Some("true");
                self.classes.insert(name.to_string(), (controller, default));
            }
        }
    }

    /// Whether a controller of `kind` serves the Ingress `ns/name`.
    pub fn serves_ingress(&self, kind: ControllerKind, ns: &str, name: &str) -> bool {
        self.by_key
            .get(&(ns.to_string(), name.to_string()))
            .is_some_and(|c| self.serves(kind, c.class.as_deref()))
    }

    fn serves(&self, kind: ControllerKind, class: Option<&str>) -> bool {
        let me = kind.controller_name();
        match class {
            Some(c) => self.classes.get(c).is_some_and(|(ctl, _)| ctl == me),
            None => {
                kind == ControllerKind::Traefik
                    || self.classes.values().any(|(ctl, def)| ctl == me && *def)
            }
        }
    }

    /// Routes `host` + `path` for a controller of `kind`.
    pub fn route(&self, kind: ControllerKind, host: &str, path: &str) -> RouteResult {
        let mut best: Option<(usize, u8, &Route)> = None;
        let mut default = None;
        for c in self.by_key.values() {
            if !self.serves(kind, c.class.as_deref()) {
                continue;
            }
            if default.is_none() {
                default = c.default_backend.clone();
            }
            for r in &c.routes {
                if !host_matches(r.host.as_deref(), host) || !path_matches(r, path) {
                    continue;
                }
                // Specific hosts beat no host; longer paths beat shorter;
                // Exact beats Prefix.
                let score_host = r.host.is_some() as usize;
                let rank = (score_host << 20) | r.path.len();
                let exact = (r.kind == PathType::Exact) as u8;
                if best.is_none_or(|(br, be, _)| (rank, exact) > (br, be)) {
                    best = Some((rank, exact, r));
                }
            }
        }
        match (best, default) {
            (Some((_, _, r)), _) => RouteResult::To(r.backend.clone()),
            (None, Some(d)) => RouteResult::To(d),
            (None, None) => RouteResult::NotFound,
        }
    }
}

fn host_matches(rule: Option<&str>, host: &str) -> bool {
    match rule {
        None => true,
        Some(h) if h.starts_with("*.") => {
            // A wildcard covers exactly one label.
            let suffix = &h[1..];
            host.strip_suffix(suffix)
                .is_some_and(|first| !first.is_empty() && !first.contains('.'))
        }
        Some(h) => h.eq_ignore_ascii_case(host),
    }
}

fn path_matches(r: &Route, path: &str) -> bool {
    match r.kind {
        PathType::Exact => path == r.path,
        PathType::Prefix => {
            // Element-wise: /foo matches /foo and /foo/bar, not /foobar.
            let rule = r.path.trim_end_matches('/');
            if rule.is_empty() {
                return true;
            }
            path == rule || path.starts_with(&format!("{rule}/"))
        }
    }
}

fn backend(ns: &str, b: &IngressBackend) -> Option<Backend> {
    let s = b.service.as_ref()?;
    let port = s.port.as_ref()?;
    Some(Backend {
        ns: ns.to_string(),
        service: s.name.clone(),
        port: match (&port.number, &port.name) {
            (Some(n), _) => BackendPort::Number(*n as u16),
            (None, Some(name)) => BackendPort::Name(name.clone()),
            _ => return None,
        },
    })
}

fn compile(ns: &str, ing: &Ingress) -> Compiled {
    let spec = ing.spec.clone().unwrap_or_default();
    let class = spec.ingress_class_name.clone().or_else(|| {
        ing.metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("kubernetes.io/ingress.class").cloned())
    });
    let mut routes = Vec::new();
    for rule in spec.rules.iter().flatten() {
        let host = rule.host.clone().filter(|h| !h.is_empty());
        for p in rule.http.iter().flat_map(|h| h.paths.iter()) {
            let Some(b) = backend(ns, &p.backend) else {
                continue;
            };
            routes.push(Route {
                host: host.clone().map(|h| h.to_ascii_lowercase()),
                path: p.path.clone().unwrap_or_else(|| "/".into()),
                kind: if p.path_type == "Exact" {
                    PathType::Exact
                } else {
                    PathType::Prefix
                },
                backend: b,
            });
        }
    }
    Compiled {
        class,
        routes,
        default_backend: spec.default_backend.as_ref().and_then(|b| backend(ns, b)),
    }
}

/// The ingress controller processes (Traefik, ingress-nginx): route, then
/// forward to one of the backend Service's ready endpoints directly (as
/// controllers do, bypassing kube-proxy), round-robin like their default
/// load balancers.
impl super::engine::Engine {
    pub(crate) fn ingress_request(
        &mut self,
        r: super::topology::ConnRef,
        h: &super::http::HttpRequest,
        kind: ControllerKind,
    ) -> Option<super::engine::Resp> {
        use super::engine::{Client, Req, Resp};
        let now = self.wall();
        let not_found = || match kind {
            ControllerKind::Traefik => super::apps::go_not_found(now),
            ControllerKind::Nginx => nginx_page(now, 404),
        };
        let backend = match self.ingresses.route(kind, &h.host_name(), h.path_only()) {
            RouteResult::NotFound => return Some(Resp::Http(Box::new(not_found()))),
            RouteResult::To(b) => b,
        };
        let eps: Vec<super::proxy::ProxyEp> =
            match self.proxy.by_name(&backend.ns, &backend.service) {
                Some(s) => s
                    .ports
                    .iter()
                    .find(|p| match &backend.port {
                        BackendPort::Number(n) => p.port == *n,
                        BackendPort::Name(name) => p.name == *name,
                    })
                    .map(|p| p.ready.clone())
                    .unwrap_or_default(),
                // Traefik ignores routes to missing Services: 404.
                None if kind == ControllerKind::Traefik => {
                    return Some(Resp::Http(Box::new(not_found())))
                }
                None => Vec::new(),
            };
        if eps.is_empty() {
            let resp = match kind {
                ControllerKind::Traefik => super::http::HttpResponse::new(503)
                    .h("Date", super::http::http_date(now))
                    .h("Content-Type", "text/plain; charset=utf-8")
                    .body("no available server\n"),
                ControllerKind::Nginx => nginx_page(now, 503),
            };
            return Some(Resp::Http(Box::new(resp)));
        }
        let c = self.conn(r)?;
        let pick = (c.src_port as usize) % eps.len();
        let ep = eps[pick];
        let src = self.pod_src(c.server);
        self.open(
            src,
            ep.ip,
            ep.port,
            super::topology::Proto::Tcp,
            Req::Http(Box::new(h.clone())),
            Client::Child(r),
            0,
        );
        None
    }

    pub(crate) fn ingress_child(
        &mut self,
        parent: super::topology::ConnRef,
        result: Result<super::engine::Resp, super::engine::Failure>,
    ) {
        use super::engine::Resp;
        let Some(c) = self.conn(parent) else { return };
        let app = self.topo.pods[c.server as usize].procs[c.proc as usize].app;
        let now = self.wall();
        let resp = match result {
            Ok(Resp::Http(h)) => Resp::Http(h),
            other => {
                let code = if matches!(other, Err(super::engine::Failure::Timeout)) {
                    504
                } else {
                    502
                };
                Resp::Http(Box::new(match app {
                    super::apps::AppKind::IngressNginx => nginx_page(now, code),
                    _ => super::http::HttpResponse::new(code)
                        .h("Date", super::http::http_date(now))
                        .h("Content-Type", "text/plain; charset=utf-8")
                        .body(if code == 502 {
                            "Bad Gateway"
                        } else {
                            "Gateway Timeout"
                        }),
                }))
            }
        };
        self.finish(parent, resp);
    }
}

fn nginx_page(now: jiff::Timestamp, code: u16) -> super::http::HttpResponse {
    super::http::HttpResponse::new(code)
        .h("Date", super::http::http_date(now))
        .h("Content-Type", "text/html")
        .body(super::apps::nginx_error_page(code))
        .h("Connection", "keep-alive")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ing(v: serde_json::Value) -> Ingress {
        serde_json::from_value(v).unwrap()
    }

    fn to(svc: &str) -> RouteResult {
        RouteResult::To(Backend {
            ns: "default".into(),
            service: svc.into(),
            port: BackendPort::Number(80),
        })
    }

    /// The workshop's `kubectl create ingress` rules (slides/k8s/ingress.md).
    #[test]
    fn exact_prefix_and_host_rules_route_like_the_workshop_shows() {
        let mut t = Ingresses::default();
        let rule = |host: Option<&str>, path: &str, kind: &str, svc: &str| {
            let mut r = json!({"http": {"paths": [{"path": path, "pathType": kind,
                "backend": {"service": {"name": svc, "port": {"number": 80}}}}]}});
            if let Some(h) = host {
                r["host"] = json!(h);
            }
            r
        };
        t.set_ingress(
            "default",
            "blue",
            Some(&ing(
                json!({"spec": {"rules": [rule(None, "/blue", "Exact", "blue")]}}),
            )),
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "blue.10.10.0.11.nip.io", "/"),
            RouteResult::NotFound
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "10.10.0.11", "/blue"),
            to("blue")
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "10.10.0.11", "/blue/x"),
            RouteResult::NotFound
        );
        t.set_ingress(
            "default",
            "bd",
            Some(&ing(
                json!({"spec": {"rules": [rule(Some("blue.a.nip.io"), "/", "Exact", "blue2")]}}),
            )),
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "blue.a.nip.io", "/"),
            to("blue2")
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "blue.a.nip.io", "/hello"),
            RouteResult::NotFound
        );
        t.set_ingress(
            "default",
            "bp",
            Some(&ing(
                json!({"spec": {"rules": [rule(Some("blue.a.nip.io"), "/", "Prefix", "blue3")]}}),
            )),
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "blue.a.nip.io", "/hello"),
            to("blue3")
        );
        // Exact wins over Prefix for the same path.
        assert_eq!(
            t.route(ControllerKind::Traefik, "blue.a.nip.io", "/"),
            to("blue2")
        );
        // Prefix matches by path element.
        t.set_ingress(
            "default",
            "foo",
            Some(&ing(
                json!({"spec": {"rules": [rule(None, "/foo", "Prefix", "foo")]}}),
            )),
        );
        assert_eq!(t.route(ControllerKind::Traefik, "x", "/foo/bar"), to("foo"));
        assert_eq!(
            t.route(ControllerKind::Traefik, "x", "/foobar"),
            RouteResult::NotFound
        );
        // Wildcard hosts cover one label.
        t.set_ingress(
            "default",
            "wild",
            Some(&ing(
                json!({"spec": {"rules": [rule(Some("*.example.com"), "/", "Prefix", "wild")]}}),
            )),
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "a.example.com", "/"),
            to("wild")
        );
        assert_eq!(
            t.route(ControllerKind::Traefik, "a.b.example.com", "/x"),
            RouteResult::NotFound
        );
    }

    #[test]
    fn classes_and_default_backends() {
        let mut t = Ingresses::default();
        t.set_ingress(
            "default",
            "d",
            Some(&ing(json!({"spec": {"ingressClassName": "nginx",
                "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}}}}))),
        );
        // No such class yet: nobody serves it.
        assert_eq!(
            t.route(ControllerKind::Nginx, "x", "/"),
            RouteResult::NotFound
        );
        let class: IngressClass = serde_json::from_value(
            json!({"metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx"}}),
        )
        .unwrap();
        t.set_class("nginx", Some(&class));
        assert_eq!(t.route(ControllerKind::Nginx, "x", "/"), to("fallback"));
        assert_eq!(
            t.route(ControllerKind::Traefik, "x", "/"),
            RouteResult::NotFound
        );
    }
}
