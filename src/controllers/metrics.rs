//! The resource metrics the HPA reads (what metrics-server serves through
//! `metrics.k8s.io`). For now an adapter over test-settable pod annotations
//! `kubesim.io/cpu-usage` (`250m`) and `kubesim.io/memory-usage` (`100Mi`);
//! the kubelet's simulated usage will feed it later.

use crate::objects::quantity::parse_quantity;
use crate::sim::store::Store;
use k8s_openapi::api::core::v1::Pod;

pub const CPU_USAGE_ANNOTATION: &str = "kubesim.io/cpu-usage";
pub const MEMORY_USAGE_ANNOTATION: &str = "kubesim.io/memory-usage";

/// A pod's current usage: (CPU millicores, memory bytes), or None when the
/// metrics pipeline has no sample for it. A missing half counts as 0.
pub fn pod_usage(store: &Store, ns: &str, pod: &str) -> Option<(i64, i64)> {
    let p = store.get_as::<Pod>(ns, pod)?;
    let a = p.metadata.annotations.as_ref()?;
    let cpu = a
        .get(CPU_USAGE_ANNOTATION)
        .and_then(|v| parse_quantity(v).ok());
    let mem = a
        .get(MEMORY_USAGE_ANNOTATION)
        .and_then(|v| parse_quantity(v).ok());
    if cpu.is_none() && mem.is_none() {
        return None;
    }
    Some((
        cpu.map(|c| c.milli_value()).unwrap_or(0),
        mem.map(|m| m.value()).unwrap_or(0),
    ))
}
