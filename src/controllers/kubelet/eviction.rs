//! Node-pressure eviction for memory (`pkg/kubelet/eviction/`): every
//! check (the node sync, about every 10 s, `evictionMonitoringPeriod`) the
//! kubelet observes `memory.available` = capacity − working set; under the
//! hard threshold (`memory.available<100Mi`) it reports MemoryPressure=True
//! and evicts one pod, ranked as `rankMemoryPressure` does: pods using more
//! than they request first, then lower priority, then by usage above the
//! request. The pod is killed with a 1 s grace period and left Failed with
//! reason `Evicted` and the message of `helpers.go` (`nodeLowMessageFmt`,
//! `thresholdMetMessageFmt`, `containerMessageFmt`).

use super::timings as t;
use crate::objects::quantity::amount;
use k8s_openapi::api::core::v1::Pod;

/// A pod the eviction manager may choose.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub key: String,
    pub priority: i32,
    /// (container, working set bytes, request bytes)
    pub containers: Vec<(String, u64, u64)>,
}

impl Candidate {
    fn usage(&self) -> u64 {
        self.containers.iter().map(|c| c.1).sum()
    }
    fn request(&self) -> u64 {
        self.containers.iter().map(|c| c.2).sum()
    }
    fn exceeds(&self) -> bool {
        self.usage() > self.request()
    }
}

/// The memory request of each container of a pod, in bytes.
pub fn requests(pod: &Pod) -> Vec<(String, u64)> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| {
            let r = c
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("memory"))
                .map(|q| amount(q).value().max(0) as u64)
                .unwrap_or(0);
            (c.name.clone(), r)
        })
        .collect()
}

/// Whether the eviction manager must leave the pod alone
/// (`kubelettypes.IsCriticalPod`: static, mirror or system-critical).
pub fn is_critical(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.priority)
        .is_some_and(|p| p >= t::SYSTEM_CRITICAL_PRIORITY)
        || pod
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"))
}

/// `rankMemoryPressure`: `exceedMemoryRequests`, then `priority`, then
/// `memory` (usage above the request, largest first). Ties keep the input
/// order (the kubelet's sort is stable over its pod list).
pub fn rank(mut pods: Vec<Candidate>) -> Vec<Candidate> {
    pods.sort_by(|a, b| {
        b.exceeds()
            .cmp(&a.exceeds())
            .then(a.priority.cmp(&b.priority))
            .then_with(|| {
                let above = |c: &Candidate| c.usage() as i128 - c.request() as i128;
                above(b).cmp(&above(a))
            })
    });
    pods
}

/// `resource.Quantity.String()` of a byte count in BinarySI: the largest
/// binary suffix that divides it exactly.
pub fn binary_si(bytes: u64) -> String {
    if bytes == 0 {
        return "0".into();
    }
    for (shift, suffix) in [(40, "Ti"), (30, "Gi"), (20, "Mi"), (10, "Ki")] {
        if bytes.is_multiple_of(1u64 << shift) {
            return format!("{}{suffix}", bytes >> shift);
        }
    }
    bytes.to_string()
}

/// The message the evicted pod's status and `Evicted` event carry. Memory
/// statistics come in whole 4 KiB pages, so quantities print in Ki.
pub fn message(available: u64, victim: &Candidate) -> String {
    let page = |b: u64| b / 4096 * 4096;
    let available = page(available);
    let mut m = format!(
        "The node was low on resource: memory. Threshold quantity: {}, available: {}. ",
        binary_si(t::EVICTION_HARD_MEMORY_AVAILABLE),
        binary_si(available)
    );
    for (name, usage, request) in &victim.containers {
        if usage > request {
            m.push_str(&format!(
                "Container {name} was using {}, request is {}, has larger consumption of memory. ",
                binary_si(page(*usage)),
                binary_si(*request)
            ));
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(key: &str, prio: i32, usage: u64, req: u64) -> Candidate {
        Candidate {
            key: key.into(),
            priority: prio,
            containers: vec![("c".into(), usage, req)],
        }
    }

    /// `pkg/kubelet/eviction/helpers_test.go` TestOrderedByExceedsRequestMemory,
    /// TestOrderedByPriority, TestOrderedbyMemory.
    #[test]
    fn rank_memory_pressure_order() {
        let mi = 1 << 20;
        let ranked = rank(vec![
            cand("guaranteed-like", 0, 100 * mi, 200 * mi),
            cand("burstable-over", 0, 300 * mi, 100 * mi),
            cand("best-effort-big", 0, 900 * mi, 0),
            cand("high-prio-over", 1000, 2000 * mi, 0),
        ]);
        let keys: Vec<&str> = ranked.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "best-effort-big",
                "burstable-over",
                "high-prio-over",
                "guaranteed-like"
            ]
        );
    }

    #[test]
    fn message_reads_like_helpers_go() {
        let c = Candidate {
            key: "default/hog".into(),
            priority: 0,
            containers: vec![("hog".into(), 3_000 << 20, 0)],
        };
        assert_eq!(
            message(95_276 << 10, &c),
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: 95276Ki. Container hog was using 3000Mi, request is 0, has larger consumption of memory. "
        );
    }
}
