//! `kubectl describe node` (`describeNode`, `describeNodeResource` in
//! `kubectl/pkg/describe/describe.go`; printers.md §4.4), with the 1.33
//! `Kube-Proxy Version` line.

use super::events::describe_events;
use super::writer::*;
use super::DescribeContext;
use crate::objects::quantity::parse_quantity;
use crate::objects::Object;
use crate::printers::age::age_since;
use crate::printers::format::{canonical_quantity, format_nanos, is_binary_quantity, rfc1123z_opt};
use crate::printers::node::node_roles;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

/// A sum of quantities that prints like Go's `Quantity.Add` result: the
/// format of the first term.
#[derive(Clone, Copy, Debug, Default)]
struct Sum {
    nanos: i128,
    binary: Option<bool>,
}

impl Sum {
    fn add(&mut self, q: &Quantity) {
        if self.binary.is_none() {
            self.binary = Some(is_binary_quantity(&q.0));
        }
        self.nanos += parse_quantity(&q.0).map(|a| a.0).unwrap_or(0);
    }
    fn string(&self) -> String {
        format_nanos(self.nanos, self.binary.unwrap_or(false))
    }
    fn milli(&self) -> i128 {
        (self.nanos + 999_999).div_euclid(1_000_000)
    }
    fn value(&self) -> i128 {
        (self.nanos + 999_999_999).div_euclid(1_000_000_000)
    }
}

/// `resourcehelper.PodRequests` / `PodLimits` (simplified): the sum over
/// the app containers and restartable init containers, at least the largest
/// plain init container, plus the pod overhead; pod-level resources win.
fn pod_totals(pod: &Pod, limits: bool) -> BTreeMap<String, Sum> {
    let spec = pod.spec.clone().unwrap_or_default();
    let pick = |r: &Option<k8s_openapi::api::core::v1::ResourceRequirements>| {
        r.as_ref()
            .and_then(|r| {
                if limits {
                    r.limits.clone()
                } else {
                    r.requests.clone()
                }
            })
            .unwrap_or_default()
    };
    if let Some(pod_level) = spec.resources.as_ref().map(|r| pick(&Some(r.clone()))) {
        if !pod_level.is_empty() {
            let mut out: BTreeMap<String, Sum> = BTreeMap::new();
            for (k, q) in &pod_level {
                out.entry(k.clone()).or_default().add(q);
            }
            return out;
        }
    }
    let mut out: BTreeMap<String, Sum> = BTreeMap::new();
    for c in &spec.containers {
        for (k, q) in &pick(&c.resources) {
            out.entry(k.clone()).or_default().add(q);
        }
    }
    let mut sidecars: BTreeMap<String, Sum> = BTreeMap::new();
    for c in spec.init_containers.iter().flatten() {
        let list = pick(&c.resources);
        if c.restart_policy.as_deref() == Some("Always") {
            for (k, q) in &list {
                out.entry(k.clone()).or_default().add(q);
                sidecars.entry(k.clone()).or_default().add(q);
            }
            continue;
        }
        // A plain init container runs alone (with the sidecars started
        // before it): the pod needs at least that much.
        for (k, q) in &list {
            let mut need = sidecars.get(k).copied().unwrap_or_default();
            need.add(q);
            let cur = out.entry(k.clone()).or_default();
            if need.nanos > cur.nanos {
                let binary = cur.binary.or(need.binary);
                *cur = Sum {
                    nanos: need.nanos,
                    binary,
                };
            }
        }
    }
    for (k, q) in spec.overhead.iter().flatten() {
        out.entry(k.clone()).or_default().add(q);
    }
    out
}

fn pct(part: i128, whole: i128) -> i64 {
    if whole == 0 {
        return 0;
    }
    (part as f64 / whole as f64 * 100.0) as i64
}

/// `describeNode`.
pub fn describe_node(node: &Node, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let m = &node.metadata;
    let spec = node.spec.clone().unwrap_or_default();
    let st = node.status.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(LEVEL_0, &format!("Roles:\t{}\n", node_roles(node)));
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(m.creation_timestamp.as_ref())
        ),
    );
    taints_multiline(&mut w, "Taints", spec.taints.as_ref());
    w.write(
        LEVEL_0,
        &format!("Unschedulable:\t{}\n", spec.unschedulable.unwrap_or(false)),
    );
    match ctx.lease.as_deref() {
        Some(Object::Lease(l)) => {
            let ls = l.spec.clone().unwrap_or_default();
            w.write(LEVEL_0, "Lease:\n");
            w.write(
                LEVEL_1,
                &format!(
                    "HolderIdentity:\t{}\n",
                    ls.holder_identity.unwrap_or_else(|| "<unset>".into())
                ),
            );
            let t = |t: Option<k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime>| {
                t.map(|t| crate::printers::format::rfc1123z_ts(t.0))
                    .unwrap_or_else(|| "<unset>".into())
            };
            w.write(LEVEL_1, &format!("AcquireTime:\t{}\n", t(ls.acquire_time)));
            w.write(LEVEL_1, &format!("RenewTime:\t{}\n", t(ls.renew_time)));
        }
        _ => w.write(
            LEVEL_0,
            &format!(
                "Lease:\tFailed to get lease: leases.coordination.k8s.io \"{}\" not found\n",
                m.name.clone().unwrap_or_default()
            ),
        ),
    }
    let conds = st.conditions.clone().unwrap_or_default();
    if !conds.is_empty() {
        w.write(
            LEVEL_0,
            "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in &conds {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z_opt(c.last_heartbeat_time.as_ref()),
                    rfc1123z_opt(c.last_transition_time.as_ref()),
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                ),
            );
        }
    }
    w.write(LEVEL_0, "Addresses:\n");
    for a in st.addresses.iter().flatten() {
        w.write(LEVEL_1, &format!("{}:\t{}\n", a.type_, a.address));
    }
    for (title, list) in [("Capacity", &st.capacity), ("Allocatable", &st.allocatable)] {
        if let Some(list) = list.as_ref().filter(|l| !l.is_empty()) {
            w.write(LEVEL_0, &format!("{title}:\n"));
            for (k, q) in list {
                w.write(LEVEL_0, &format!("  {k}:\t{}\n", canonical_quantity(&q.0)));
            }
        }
    }
    let info = st.node_info.clone().unwrap_or_default();
    w.write(LEVEL_0, "System Info:\n");
    for (k, v) in [
        ("Machine ID", &info.machine_id),
        ("System UUID", &info.system_uuid),
        ("Boot ID", &info.boot_id),
        ("Kernel Version", &info.kernel_version),
        ("OS Image", &info.os_image),
        ("Operating System", &info.operating_system),
        ("Architecture", &info.architecture),
        ("Container Runtime Version", &info.container_runtime_version),
        ("Kubelet Version", &info.kubelet_version),
        ("Kube-Proxy Version", &info.kube_proxy_version),
    ] {
        w.write(LEVEL_0, &format!("  {k}:\t{v}\n"));
    }
    if let Some(c) = spec.pod_cidr.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("PodCIDR:\t{c}\n"));
    }
    if let Some(c) = spec.pod_cidrs.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("PodCIDRs:\t{}\n", c.join(",")));
    }
    if let Some(p) = spec.provider_id.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("ProviderID:\t{p}\n"));
    }
    describe_node_resource(&mut w, node, &ctx.pods, now);
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeNodeResource`: the non-terminated pods table and the allocated
/// resources summary.
fn describe_node_resource(
    w: &mut PrefixWriter,
    node: &Node,
    pods: &[std::sync::Arc<Object>],
    now: jiff::Timestamp,
) {
    let pods: Vec<&Pod> = pods
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(p) => Some(p),
            _ => None,
        })
        .collect();
    w.write(
        LEVEL_0,
        &format!("Non-terminated Pods:\t({} in total)\n", pods.len()),
    );
    w.write(
        LEVEL_1,
        "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n",
    );
    w.write(
        LEVEL_1,
        "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n",
    );
    let st = node.status.clone().unwrap_or_default();
    let allocatable = st
        .allocatable
        .clone()
        .filter(|a| !a.is_empty())
        .or(st.capacity.clone())
        .unwrap_or_default();
    let alloc = |k: &str| {
        let mut s = Sum::default();
        if let Some(q) = allocatable.get(k) {
            s.add(q);
        }
        s
    };
    let (alloc_cpu, alloc_mem, alloc_eph) =
        (alloc("cpu"), alloc("memory"), alloc("ephemeral-storage"));
    let mut reqs: BTreeMap<String, Sum> = BTreeMap::new();
    let mut lims: BTreeMap<String, Sum> = BTreeMap::new();
    for p in &pods {
        let req = pod_totals(p, false);
        let lim = pod_totals(p, true);
        let get = |m: &BTreeMap<String, Sum>, k: &str| m.get(k).copied().unwrap_or_default();
        let (cr, cl, mr, ml) = (
            get(&req, "cpu"),
            get(&lim, "cpu"),
            get(&req, "memory"),
            get(&lim, "memory"),
        );
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}\n",
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
                cr.string(),
                pct(cr.milli(), alloc_cpu.milli()),
                cl.string(),
                pct(cl.milli(), alloc_cpu.milli()),
                mr.string(),
                pct(mr.value(), alloc_mem.value()),
                ml.string(),
                pct(ml.value(), alloc_mem.value()),
                age_since(p.metadata.creation_timestamp.as_ref(), now)
            ),
        );
        for (k, s) in req {
            let e = reqs.entry(k).or_default();
            if e.binary.is_none() {
                e.binary = s.binary;
            }
            e.nanos += s.nanos;
        }
        for (k, s) in lim {
            let e = lims.entry(k).or_default();
            if e.binary.is_none() {
                e.binary = s.binary;
            }
            e.nanos += s.nanos;
        }
    }
    w.write(
        LEVEL_0,
        "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n",
    );
    w.write(LEVEL_1, "Resource\tRequests\tLimits\n");
    w.write(LEVEL_1, "--------\t--------\t------\n");
    let get = |m: &BTreeMap<String, Sum>, k: &str| m.get(k).copied().unwrap_or_default();
    for (name, total, by_milli) in [
        ("cpu", &alloc_cpu, true),
        ("memory", &alloc_mem, false),
        ("ephemeral-storage", &alloc_eph, false),
    ] {
        let (r, l) = (get(&reqs, name), get(&lims, name));
        let (rp, lp) = if by_milli {
            (pct(r.milli(), total.milli()), pct(l.milli(), total.milli()))
        } else {
            (pct(r.value(), total.value()), pct(l.value(), total.value()))
        };
        w.write(
            LEVEL_1,
            &format!("{name}\t{} ({rp}%)\t{} ({lp}%)\n", r.string(), l.string()),
        );
    }
    // IsStandardContainerResourceName, and `pods`.
    let standard = ["cpu", "memory", "ephemeral-storage", "pods"];
    for (name, q) in &allocatable {
        if !name.starts_with("hugepages-") {
            continue;
        }
        let mut total = Sum::default();
        total.add(q);
        let (r, l) = (get(&reqs, name), get(&lims, name));
        w.write(
            LEVEL_1,
            &format!(
                "{name}\t{} ({}%)\t{} ({}%)\n",
                r.string(),
                pct(r.value(), total.value()),
                l.string(),
                pct(l.value(), total.value())
            ),
        );
    }
    for name in allocatable.keys() {
        if name.starts_with("hugepages-") || standard.contains(&name.as_str()) {
            continue;
        }
        w.write(
            LEVEL_1,
            &format!(
                "{name}\t{}\t{}\n",
                get(&reqs, name).string(),
                get(&lims, name).string()
            ),
        );
    }
}
