//! ResourceQuota: the usage controller (`pkg/controller/resourcequota/
//! resource_quota_controller.go`) and the admission check
//! (`plugin/pkg/admission/resourcequota/controller.go` `checkRequest`, with
//! the pod evaluator of `pkg/quota/v1/evaluator/core/pods.go`).

use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::objects::quantity::{amount, Amount};
use crate::sim::store::{ApiError, Reason, Store, WatchEvent};
use k8s_openapi::api::core::v1::{Container, Pod, ResourceQuota, ResourceQuotaStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};

const COMPONENT: &str = "resourcequota-controller";

/// Resources whose quota requires every container to state them
/// (`validationSet` in the pod evaluator).
const VALIDATION_SET: [&str; 6] = [
    "cpu",
    "limits.cpu",
    "limits.memory",
    "memory",
    "requests.cpu",
    "requests.memory",
];

#[derive(Default)]
pub struct ResourceQuotaController;

impl ResourceQuotaController {
    pub fn new() -> Self {
        ResourceQuotaController
    }
}

impl Controller for ResourceQuotaController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        let o = &*ev.object;
        let Some(ns) = o.meta().namespace.as_deref() else {
            return;
        };
        if o.kind() == Kind::Event {
            return;
        }
        // Any change of content in a namespace may change its quotas' usage.
        for rq in store.list_as::<ResourceQuota>(Some(ns)) {
            q.add(object_key(
                Some(ns),
                rq.metadata.name.as_deref().unwrap_or(""),
            ));
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some(rq) = ctx.store.get_as::<ResourceQuota>(ns, name).cloned() else {
            return Action::AwaitChange;
        };
        let hard = rq
            .spec
            .as_ref()
            .and_then(|s| s.hard.clone())
            .unwrap_or_default();
        let scopes = scopes_of(&rq);
        let used = namespace_usage(ctx.store, ns, &scopes);
        let used_masked: BTreeMap<String, Quantity> = hard
            .keys()
            .map(|k| {
                (
                    k.clone(),
                    Quantity(format_like(
                        used.get(k).copied().unwrap_or_default(),
                        hard.get(k),
                    )),
                )
            })
            .collect();
        let st = ResourceQuotaStatus {
            hard: Some(hard),
            used: Some(used_masked),
        };
        if rq.status.as_ref() != Some(&st) {
            let _ = ctx
                .store
                .modify::<ResourceQuota>(ns, name, true, |r| r.status = Some(st.clone()));
        }
        Action::AwaitChange
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn scopes_of(rq: &ResourceQuota) -> Vec<String> {
    rq.spec
        .as_ref()
        .and_then(|s| s.scopes.clone())
        .unwrap_or_default()
}

/// Whether a pod is in the quota's scopes (Terminating, NotTerminating,
/// BestEffort, NotBestEffort).
fn pod_in_scopes(p: &Pod, scopes: &[String]) -> bool {
    let spec = p.spec.clone().unwrap_or_default();
    let best_effort = crate::objects::defaults::qos_class(&spec) == "BestEffort";
    let terminating = spec.active_deadline_seconds.is_some();
    scopes.iter().all(|s| match s.as_str() {
        "Terminating" => terminating,
        "NotTerminating" => !terminating,
        "BestEffort" => best_effort,
        "NotBestEffort" => !best_effort,
        _ => true,
    })
}

/// The resource names an object of `kind` is counted under.
fn count_names(kind: Kind) -> Vec<String> {
    let info = kind.info();
    let mut v = vec![if info.group.is_empty() {
        format!("count/{}", info.plural)
    } else {
        format!("count/{}.{}", info.plural, info.group)
    }];
    match kind {
        Kind::Pod => v.push("pods".into()),
        Kind::Service => v.push("services".into()),
        Kind::ConfigMap => v.push("configmaps".into()),
        Kind::Secret => v.push("secrets".into()),
        Kind::PersistentVolumeClaim => v.push("persistentvolumeclaims".into()),
        Kind::ReplicationController => v.push("replicationcontrollers".into()),
        Kind::ResourceQuota => v.push("resourcequotas".into()),
        _ => {}
    }
    v
}

fn add(m: &mut BTreeMap<String, Amount>, k: &str, a: Amount) {
    let e = m.entry(k.to_string()).or_default();
    e.0 += a.0;
}

/// What one object uses (`Usage` of the evaluators).
pub fn object_usage(obj: &Object) -> BTreeMap<String, Amount> {
    let mut m = BTreeMap::new();
    if let Object::Pod(p) = obj {
        if matches!(util::pod_phase(p), "Succeeded" | "Failed") {
            return m;
        }
    }
    for n in count_names(obj.kind()) {
        add(&mut m, &n, Amount::from_units(1));
    }
    match obj {
        Object::Pod(p) => {
            let spec = p.spec.clone().unwrap_or_default();
            for (res, which) in [
                ("cpu", "requests"),
                ("memory", "requests"),
                ("cpu", "limits"),
                ("memory", "limits"),
                ("ephemeral-storage", "requests"),
                ("ephemeral-storage", "limits"),
            ] {
                let sum: i128 = spec
                    .containers
                    .iter()
                    .map(|c| container_amount(c, which, res).0)
                    .sum();
                let init_max: i128 = spec
                    .init_containers
                    .iter()
                    .flatten()
                    .map(|c| container_amount(c, which, res).0)
                    .max()
                    .unwrap_or(0);
                let total = Amount(sum.max(init_max));
                if total.0 == 0 && !spec.containers.iter().any(|c| has(c, which, res)) {
                    continue;
                }
                add(&mut m, &format!("{which}.{res}"), total);
                if which == "requests" && res != "ephemeral-storage" {
                    add(&mut m, res, total);
                }
            }
        }
        Object::Service(s) => {
            let t = s
                .spec
                .as_ref()
                .and_then(|s| s.type_.as_deref())
                .unwrap_or("ClusterIP");
            if t == "NodePort" || t == "LoadBalancer" {
                let n = s
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .map(|p| p.len())
                    .unwrap_or(0);
                add(&mut m, "services.nodeports", Amount::from_units(n as i64));
            }
            if t == "LoadBalancer" {
                add(&mut m, "services.loadbalancers", Amount::from_units(1));
            }
        }
        Object::PersistentVolumeClaim(c) => {
            let req = c
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(amount)
                .unwrap_or_default();
            add(&mut m, "requests.storage", req);
            if let Some(sc) = c
                .spec
                .as_ref()
                .and_then(|s| s.storage_class_name.as_deref())
            {
                add(
                    &mut m,
                    &format!("{sc}.storageclass.storage.k8s.io/requests.storage"),
                    req,
                );
                add(
                    &mut m,
                    &format!("{sc}.storageclass.storage.k8s.io/persistentvolumeclaims"),
                    Amount::from_units(1),
                );
            }
        }
        _ => {}
    }
    m
}

fn has(c: &Container, which: &str, res: &str) -> bool {
    let r = c.resources.as_ref();
    let map = if which == "requests" {
        r.and_then(|r| r.requests.as_ref())
    } else {
        r.and_then(|r| r.limits.as_ref())
    };
    map.is_some_and(|m| m.contains_key(res))
}

fn container_amount(c: &Container, which: &str, res: &str) -> Amount {
    let r = c.resources.as_ref();
    let map = if which == "requests" {
        r.and_then(|r| r.requests.as_ref())
    } else {
        r.and_then(|r| r.limits.as_ref())
    };
    map.and_then(|m| m.get(res)).map(amount).unwrap_or_default()
}

/// The usage of everything in a namespace (the controller's recalculation).
pub fn namespace_usage(store: &Store, ns: &str, scopes: &[String]) -> BTreeMap<String, Amount> {
    let mut m = BTreeMap::new();
    for kind in Kind::ALL {
        if !kind.info().namespaced || *kind == Kind::Event {
            continue;
        }
        for o in store.iter(*kind, Some(ns)) {
            if let Object::Pod(p) = &**o {
                // A pod past its deletion time no longer counts.
                if p.metadata
                    .deletion_timestamp
                    .as_ref()
                    .is_some_and(|t| t.0 <= store.timestamp().0)
                {
                    continue;
                }
                if !pod_in_scopes(p, scopes) {
                    continue;
                }
            } else if !scopes.is_empty() {
                continue;
            }
            for (k, v) in object_usage(o) {
                add(&mut m, &k, v);
            }
        }
    }
    m
}

fn is_binary(q: Option<&Quantity>) -> bool {
    q.is_some_and(|q| q.0.ends_with('i'))
}

/// Formats an amount in the format of the quota's hard value (binary for
/// `1Gi`-style limits), as `Quantity.String()` canonicalises it.
pub fn format_like(a: Amount, like: Option<&Quantity>) -> String {
    format_amount(a, is_binary(like))
}

/// `resource.Quantity.String()`: the largest suffix whose mantissa is whole.
pub fn format_amount(a: Amount, binary: bool) -> String {
    const NANO: i128 = 1_000_000_000;
    let v = a.0;
    if v == 0 {
        return "0".into();
    }
    if binary && v % NANO == 0 {
        let units = v / NANO;
        if units % 1024 == 0 {
            let mut m = units;
            let mut i = 0;
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
            while m % 1024 == 0 && i < suffixes.len() - 1 {
                m /= 1024;
                i += 1;
            }
            return format!("{m}{}", suffixes[i]);
        }
    }
    // Decimal SI: exponent steps of 3 from nano.
    let suffixes = ["n", "u", "m", "", "k", "M", "G", "T", "P", "E"];
    let mut m = v;
    let mut i = 0;
    while m % 1000 == 0 && i < suffixes.len() - 1 {
        m /= 1000;
        i += 1;
    }
    format!("{m}{}", suffixes[i])
}

/// The pod evaluator's `Constraints`: with a cpu/memory quota, every
/// container must state the resources the quota constrains.
fn pod_constraints(pod: &Pod, required: &BTreeSet<String>) -> Option<String> {
    let req: BTreeSet<&str> = required
        .iter()
        .map(String::as_str)
        .filter(|r| VALIDATION_SET.contains(r))
        .collect();
    if req.is_empty() {
        return None;
    }
    let mut missing: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let spec = pod.spec.clone().unwrap_or_default();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        let mut have = BTreeSet::new();
        for res in ["cpu", "memory"] {
            if has(c, "requests", res) {
                have.insert(format!("requests.{res}"));
                have.insert(res.to_string());
            }
            if has(c, "limits", res) {
                have.insert(format!("limits.{res}"));
            }
        }
        for r in &req {
            if !have.contains(*r) {
                missing.entry(r).or_default().insert(c.name.clone());
            }
        }
    }
    if missing.is_empty() {
        return None;
    }
    let parts: Vec<String> = missing
        .iter()
        .map(|(r, names)| {
            format!(
                "{r} for: {}",
                names.iter().cloned().collect::<Vec<_>>().join(",")
            )
        })
        .collect();
    Some(format!("must specify {}", parts.join("; ")))
}

fn pretty(m: &BTreeMap<String, String>) -> String {
    m.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The ResourceQuota admission check on create: `exceeded quota` and
/// `failed quota` Forbidden errors with upstream's words, e.g.
/// `pods "web-1" is forbidden: exceeded quota: q, requested: pods=1,
/// used: pods=2, limited: pods=2`.
pub fn check_quota(store: &Store, obj: &Object) -> Result<(), ApiError> {
    let kind = obj.kind();
    if !kind.info().namespaced || kind == Kind::Event {
        return Ok(());
    }
    let ns = obj.meta().namespace.as_deref().unwrap_or("default");
    let name = obj.meta().name.clone().unwrap_or_default();
    let forbidden = |msg: String| {
        ApiError::new(
            Reason::Forbidden,
            format!(
                "{} \"{name}\" is forbidden: {msg}",
                kind.info().group_resource()
            ),
        )
    };
    let delta = object_usage(obj);
    for rq in store.list_as::<ResourceQuota>(Some(ns)) {
        let qname = rq.metadata.name.clone().unwrap_or_default();
        let hard = rq
            .spec
            .as_ref()
            .and_then(|s| s.hard.clone())
            .unwrap_or_default();
        let scopes = scopes_of(rq);
        if let Object::Pod(p) = obj {
            if !pod_in_scopes(p, &scopes) {
                continue;
            }
            let required: BTreeSet<String> = hard.keys().cloned().collect();
            if let Some(msg) = pod_constraints(p, &required) {
                return Err(forbidden(format!("failed quota: {qname}: {msg}")));
            }
        } else if !scopes.is_empty() {
            continue;
        }
        let requested: BTreeMap<&String, Amount> = hard
            .keys()
            .filter_map(|k| delta.get(k).map(|v| (k, *v)))
            .collect();
        if requested.is_empty() {
            continue;
        }
        let used = namespace_usage(store, ns, &scopes);
        let mut exceeded = Vec::new();
        for (k, req) in &requested {
            let u = used.get(*k).copied().unwrap_or_default();
            let h = hard.get(*k).map(amount).unwrap_or_default();
            if Amount(u.0 + req.0) > h {
                exceeded.push((*k).clone());
            }
        }
        if exceeded.is_empty() {
            continue;
        }
        let fmt = |f: &dyn Fn(&String) -> Amount| -> BTreeMap<String, String> {
            exceeded
                .iter()
                .map(|k| (k.clone(), format_like(f(k), hard.get(k))))
                .collect()
        };
        let req_s = fmt(&|k| requested.get(k).copied().unwrap_or_default());
        let used_s = fmt(&|k| used.get(k).copied().unwrap_or_default());
        let hard_s: BTreeMap<String, String> = exceeded
            .iter()
            .map(|k| (k.clone(), hard[k].0.clone()))
            .collect();
        return Err(forbidden(format!(
            "exceeded quota: {qname}, requested: {}, used: {}, limited: {}",
            pretty(&req_s),
            pretty(&used_s),
            pretty(&hard_s)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `resource.Quantity.String()` canonical forms.
    #[test]
    fn quantities_format_canonically() {
        let p = |s: &str| crate::objects::quantity::parse_quantity(s).unwrap();
        assert_eq!(format_amount(p("500m"), false), "500m");
        assert_eq!(format_amount(p("1500m"), false), "1500m");
        assert_eq!(format_amount(p("2"), false), "2");
        assert_eq!(format_amount(p("2000"), false), "2k");
        assert_eq!(format_amount(p("1Gi"), true), "1Gi");
        assert_eq!(format_amount(p("1536Mi"), true), "1536Mi");
        assert_eq!(format_amount(Amount::ZERO, true), "0");
    }
}
