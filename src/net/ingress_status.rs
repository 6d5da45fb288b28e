//! The address an ingress controller publishes in each of its Ingresses'
//! `status.loadBalancer.ingress` (what `kubectl get ingress` shows under
//! ADDRESS). The simulated controllers are pods running the Traefik or
//! ingress-nginx images; this is the status-writing half of them.
//!
//! * ingress-nginx (`internal/ingress/status/status.go`, `runningAddresses`):
//!   `--publish-status-address=A[,B]` if given; else the addresses of the
//!   `--publish-service=NS/NAME` Service (its load-balancer ingress, then
//!   its externalIPs); else the addresses of the nodes its running pods are
//!   on (ExternalIP, or InternalIP when the node has none or with
//!   `--report-node-internal-ip-address`), sorted. It syncs every
//!   `UpdateInterval` (60 s), so a new Ingress gets its address within a
//!   minute.
//! * Traefik (`pkg/provider/kubernetes/ingress`, `ingressEndpoint`): only
//!   when told what to publish, `--providers.kubernetesingress.
//!   ingressendpoint.ip=`, `.hostname=` or `.publishedservice=NS/NAME`; it
//!   updates the status when it loads the Ingress.

use super::apps::{classify, AppKind};
use super::ingress::{ControllerKind, Ingresses};
use crate::controllers::{Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::Object;
use crate::sim::store::{Store, WatchEvent};
use crate::sim::SimTime;
use k8s_openapi::api::core::v1::{Container, Node, Pod, Service};
use k8s_openapi::api::networking::v1::{
    Ingress, IngressClass, IngressLoadBalancerIngress, IngressLoadBalancerStatus, IngressStatus,
};
use std::any::Any;
use std::time::Duration;

/// ingress-nginx's status sync period (`status.go` `UpdateInterval`).
pub const NGINX_UPDATE_INTERVAL: Duration = Duration::from_secs(60);

const TRAEFIK_KEY: &str = "traefik";
const NGINX_KEY: &str = "ingress-nginx";

#[derive(Default)]
pub struct IngressStatusController {
    /// ingress-nginx's next periodic sync, while it runs.
    nginx_next: Option<SimTime>,
}

impl IngressStatusController {
    pub fn new() -> Self {
        Self::default()
    }
}

fn kind_of(k: ControllerKind) -> AppKind {
    match k {
        ControllerKind::Traefik => AppKind::Traefik,
        ControllerKind::Nginx => AppKind::IngressNginx,
    }
}

/// Running pods of a controller, with the controller's container.
fn controller_pods(store: &Store, k: ControllerKind) -> Vec<(&Pod, &Container)> {
    let want = kind_of(k);
    store
        .list_as::<Pod>(None)
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .filter_map(|p| {
            let c = p
                .spec
                .as_ref()?
                .containers
                .iter()
                .find(|c| classify(c) == want)?;
            Some((p, c))
        })
        .collect()
}

/// `--name=value` (or `--name value`) among a container's arguments;
/// Traefik's flags are case-insensitive.
fn flag(c: &Container, name: &str) -> Option<String> {
    let argv: Vec<&String> = c
        .command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .collect();
    for (i, a) in argv.iter().enumerate() {
        let a = a.as_str();
        let Some(rest) = a.strip_prefix("--").or_else(|| a.strip_prefix('-')) else {
            continue;
        };
        let (k, v) = match rest.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (rest, argv.get(i + 1).map(|s| s.to_string())),
        };
        if k.eq_ignore_ascii_case(name) {
            return v;
        }
    }
    None
}

fn has_flag(c: &Container, name: &str) -> bool {
    c.command
        .iter()
        .flatten()
        .chain(c.args.iter().flatten())
        .any(|a| {
            let a = a.trim_start_matches('-');
            a == name || a.strip_prefix(name).is_some_and(|r| r == "=true")
        })
}

fn addr(a: &str) -> IngressLoadBalancerIngress {
    if super::addr::parse_ip(a).is_some() {
        IngressLoadBalancerIngress {
            ip: Some(a.to_string()),
            ..Default::default()
        }
    } else {
        IngressLoadBalancerIngress {
            hostname: Some(a.to_string()),
            ..Default::default()
        }
    }
}

/// A published Service's addresses: its load balancer's, then its
/// externalIPs.
fn service_addrs(store: &Store, key: &str) -> Vec<IngressLoadBalancerIngress> {
    let (ns, name) = key.split_once('/').unwrap_or(("default", key));
    let Some(s) = store.get_as::<Service>(ns, name) else {
        return Vec::new();
    };
    let mut out: Vec<IngressLoadBalancerIngress> = s
        .status
        .as_ref()
        .and_then(|st| st.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .map(|i| IngressLoadBalancerIngress {
            ip: i.ip.clone(),
            hostname: i.hostname.clone(),
            ..Default::default()
        })
        .collect();
    for ip in s
        .spec
        .as_ref()
        .and_then(|sp| sp.external_ips.as_ref())
        .into_iter()
        .flatten()
    {
        out.push(addr(ip));
    }
    out
}

/// A node's address as ingress-nginx reports it.
fn node_addr(store: &Store, node: &str, internal: bool) -> Option<String> {
    let n = store.get_as::<Node>("", node)?;
    let addrs = n.status.as_ref()?.addresses.as_ref()?;
    let of = |t: &str| {
        addrs
            .iter()
            .find(|a| a.type_ == t)
            .map(|a| a.address.clone())
    };
    if internal {
        of("InternalIP")
    } else {
        of("ExternalIP").or_else(|| of("InternalIP"))
    }
}

/// What a controller publishes, or None when it publishes nothing.
pub fn published(store: &Store, k: ControllerKind) -> Option<Vec<IngressLoadBalancerIngress>> {
    let pods = controller_pods(store, k);
    let (_, c) = pods.first()?;
    let mut out = match k {
        ControllerKind::Traefik => {
            const P: &str = "providers.kubernetesingress.ingressendpoint.";
            if let Some(ip) = flag(c, &format!("{P}ip")) {
                vec![addr(&ip)]
            } else if let Some(h) = flag(c, &format!("{P}hostname")) {
                vec![IngressLoadBalancerIngress {
                    hostname: Some(h),
                    ..Default::default()
                }]
            } else if let Some(svc) = flag(c, &format!("{P}publishedservice")) {
                service_addrs(store, &svc)
            } else {
                return None;
            }
        }
        ControllerKind::Nginx => {
            if let Some(list) = flag(c, "publish-status-address") {
                list.split(',')
                    .filter(|a| !a.is_empty())
                    .map(addr)
                    .collect()
            } else if let Some(svc) = flag(c, "publish-service") {
                service_addrs(store, &svc)
            } else {
                let internal = has_flag(c, "report-node-internal-ip-address");
                let mut ips: Vec<String> = pods
                    .iter()
                    .filter_map(|(p, _)| p.spec.as_ref()?.node_name.as_deref())
                    .filter_map(|n| node_addr(store, n, internal))
                    .collect();
                ips.sort();
                ips.dedup();
                ips.iter().map(|a| addr(a)).collect()
            }
        }
    };
    // `lessLoadBalancerIngress`: by IP, then hostname.
    out.sort_by(|a, b| (&a.ip, &a.hostname).cmp(&(&b.ip, &b.hostname)));
    out.dedup();
    Some(out)
}

/// Writes the controller's addresses into the Ingresses it serves.
fn sync(store: &mut Store, k: ControllerKind) -> Result<(), ()> {
    let Some(addrs) = published(store, k) else {
        return Ok(());
    };
    let mut routing = Ingresses::default();
    for c in store.list_as::<IngressClass>(None) {
        routing.set_class(c.metadata.name.as_deref().unwrap_or(""), Some(c));
    }
    let mut todo = Vec::new();
    for i in store.list_as::<Ingress>(None) {
        let ns = i.metadata.namespace.clone().unwrap_or_default();
        let name = i.metadata.name.clone().unwrap_or_default();
        routing.set_ingress(&ns, &name, Some(i));
        if !routing.serves_ingress(k, &ns, &name) {
            continue;
        }
        let have = i
            .status
            .as_ref()
            .and_then(|s| s.load_balancer.as_ref())
            .and_then(|l| l.ingress.clone())
            .unwrap_or_default();
        if have != addrs {
            todo.push((ns, name));
        }
    }
    for (ns, name) in todo {
        let a = addrs.clone();
        store
            .modify::<Ingress>(&ns, &name, true, |i| {
                i.status = Some(IngressStatus {
                    load_balancer: Some(IngressLoadBalancerStatus {
                        ingress: (!a.is_empty()).then_some(a),
                    }),
                });
            })
            .map_err(|_| ())?;
    }
    Ok(())
}

impl Controller for IngressStatusController {
    fn name(&self) -> &'static str {
        "ingress-status"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        let relevant = match &*ev.object {
            Object::Ingress(_) | Object::IngressClass(_) | Object::Service(_) | Object::Node(_) => {
                true
            }
            Object::Pod(p) => p.spec.as_ref().is_some_and(|s| {
                s.containers
                    .iter()
                    .any(|c| matches!(classify(c), AppKind::Traefik | AppKind::IngressNginx))
            }),
            _ => false,
        };
        if relevant {
            q.add(TRAEFIK_KEY);
            q.add(NGINX_KEY);
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let retry = Action::RequeueAfter(Duration::from_millis(100));
        if key == TRAEFIK_KEY {
            return match sync(ctx.store, ControllerKind::Traefik) {
                Ok(()) => Action::AwaitChange,
                Err(()) => retry,
            };
        }
        // ingress-nginx: a periodic sync while it runs.
        if controller_pods(ctx.store, ControllerKind::Nginx).is_empty() {
            self.nginx_next = None;
            return Action::AwaitChange;
        }
        let now = ctx.now;
        let next = *self.nginx_next.get_or_insert(now + NGINX_UPDATE_INTERVAL);
        if now < next {
            return Action::RequeueAfter(next.since(now));
        }
        if sync(ctx.store, ControllerKind::Nginx).is_err() {
            return retry;
        }
        self.nginx_next = Some(now + NGINX_UPDATE_INTERVAL);
        Action::RequeueAfter(NGINX_UPDATE_INTERVAL)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
