//! The resource metrics the HPA and `kubectl top` read (what metrics-server
//! serves through `metrics.k8s.io`): the kubelet's latest scrape of its
//! usage model ([`crate::sim::store::metrics`], written every 15 s by
//! `controllers::kubelet`). Tests may pin a pod's usage with the annotations
//! `kubesim.io/cpu-usage` (`250m`) and `kubesim.io/memory-usage` (`100Mi`),
//! which override the scrape (at once, for every reader).

use crate::objects::quantity::parse_quantity;
use crate::sim::store::metrics::ContainerUsage;
use crate::sim::store::Store;
use k8s_openapi::api::core::v1::Pod;

pub const CPU_USAGE_ANNOTATION: &str = "kubesim.io/cpu-usage";
pub const MEMORY_USAGE_ANNOTATION: &str = "kubesim.io/memory-usage";

/// A pod's containers' usage as the metrics API serves it, or None when it
/// has no metrics (not scraped yet, no running container, node down).
pub fn pod_metrics(store: &Store, ns: &str, pod: &str) -> Option<Vec<ContainerUsage>> {
    let p = store.get_as::<Pod>(ns, pod)?;
    let sample = store.metrics.pod(ns, pod).map(|s| s.containers.clone());
    let a = p.metadata.annotations.as_ref();
    let get = |k: &str| {
        a.and_then(|a| a.get(k))
            .and_then(|v| parse_quantity(v).ok())
    };
    let (cpu, mem) = (get(CPU_USAGE_ANNOTATION), get(MEMORY_USAGE_ANNOTATION));
    if cpu.is_none() && mem.is_none() {
        return sample;
    }
    // The override: the pod's total on its first container, 0 on the others;
    // a half not overridden keeps the scrape's total (or 0).
    let mut containers = sample.clone().unwrap_or_else(|| {
        p.spec
            .iter()
            .flat_map(|s| s.containers.iter())
            .map(|c| ContainerUsage {
                name: c.name.clone(),
                cpu_millis: 0,
                memory_bytes: 0,
            })
            .collect()
    });
    if containers.is_empty() {
        return None;
    }
    let total = |f: fn(&ContainerUsage) -> u64| containers.iter().map(f).sum::<u64>();
    let cpu = cpu.map_or(total(|c| c.cpu_millis), |q| q.milli_value().max(0) as u64);
    let mem = mem.map_or(total(|c| c.memory_bytes), |q| q.value().max(0) as u64);
    for (i, c) in containers.iter_mut().enumerate() {
        c.cpu_millis = if i == 0 { cpu } else { 0 };
        c.memory_bytes = if i == 0 { mem } else { 0 };
    }
    Some(containers)
}

/// A pod's current usage: (CPU millicores, memory bytes), or None when the
/// metrics pipeline has no sample for it.
pub fn pod_usage(store: &Store, ns: &str, pod: &str) -> Option<(i64, i64)> {
    let cs = pod_metrics(store, ns, pod)?;
    Some(cs.iter().fold((0, 0), |(c, m), u| {
        (c + u.cpu_millis as i64, m + u.memory_bytes as i64)
    }))
}

/// A node's usage (CPU millicores, memory bytes), or None when its kubelet
/// could not be scraped.
pub fn node_usage(store: &Store, node: &str) -> Option<(i64, i64)> {
    store
        .metrics
        .node(node)
        .map(|s| (s.cpu_millis as i64, s.memory_bytes as i64))
}
