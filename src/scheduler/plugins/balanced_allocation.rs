//! NodeResourcesBalancedAllocation: favours nodes whose cpu and memory
//! fractions (after placing the pod) are close, using actual requests.
//! Skips best-effort pods (v1.33, kubernetes#129138).
//! Upstream: `pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go`.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status, MAX_NODE_SCORE};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::{is_scalar_resource_name, PodInfo, ResourceKind};

pub const NAME: &str = "NodeResourcesBalancedAllocation";

pub struct BalancedAllocation {
    /// Resources (weights are ignored by this plugin).
    pub resources: Vec<ResourceKind>,
}

impl BalancedAllocation {
    pub fn new(names: &[String]) -> BalancedAllocation {
        BalancedAllocation {
            resources: names.iter().map(|n| ResourceKind::of(n)).collect(),
        }
    }
}

fn pod_request(pod: &PodInfo, kind: &ResourceKind) -> i64 {
    match kind {
        ResourceKind::Cpu => pod.requests.milli_cpu,
        ResourceKind::Memory => pod.requests.memory,
        ResourceKind::EphemeralStorage => pod.requests.ephemeral_storage,
        ResourceKind::Scalar(n) => pod.requests.scalar(n),
    }
}

/// `balancedResourceScorer`.
pub fn balanced_score(items: &[(i64, i64)]) -> i64 {
    // At most 8 resources (the plugin passes no more); no allocation per node.
    let mut buf = [0.0f64; 8];
    let mut len = 0;
    let mut total = 0.0;
    for &(req, alloc) in items.iter().take(8) {
        if alloc == 0 {
            continue;
        }
        let f = (req as f64 / alloc as f64).min(1.0);
        total += f;
        buf[len] = f;
        len += 1;
    }
    let fractions = &buf[..len];
    let std = match fractions.len() {
        2 => ((fractions[0] - fractions[1]) / 2.0).abs(),
        n if n > 2 => {
            let mean = total / n as f64;
            (fractions
                .iter()
                .map(|f| (f - mean) * (f - mean))
                .sum::<f64>()
                / n as f64)
                .sqrt()
        }
        _ => 0.0,
    };
    ((1.0 - std) * MAX_NODE_SCORE as f64) as i64
}

impl Plugin for BalancedAllocation {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_SCORE | points::SCORE
    }
    fn pre_score(
        &self,
        _s: &mut CycleState,
        pod: &PodInfo,
        _n: &[&NodeInfo],
        _h: &Handle,
    ) -> Status {
        if self.resources.iter().all(|r| pod_request(pod, r) == 0) {
            return Status::skip();
        }
        Status::success()
    }
    fn score(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        let mut items = [(0i64, 0i64); 8];
        let mut n = 0;
        for r in self.resources.iter().take(8) {
            let pr = pod_request(pod, r);
            let (alloc, used) = match r {
                ResourceKind::Cpu => (node.allocatable.milli_cpu, node.requested.milli_cpu),
                ResourceKind::Memory => (node.allocatable.memory, node.requested.memory),
                ResourceKind::EphemeralStorage => (
                    node.allocatable.ephemeral_storage,
                    node.requested.ephemeral_storage,
                ),
                ResourceKind::Scalar(name) => {
                    if pr == 0 && is_scalar_resource_name(name) {
                        (0, 0)
                    } else {
                        (node.allocatable.scalar(name), node.requested.scalar(name))
                    }
                }
            };
            items[n] = (used + pr, alloc);
            n += 1;
        }
        balanced_score(&items[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// noderesources/balanced_allocation_test.go TestNodeResourcesBalancedAllocation
    /// "nothing scheduled, resources requested, differently sized nodes":
    /// cpu 3000/4000 = 0.75, memory 5000/10000 = 0.5 → std 0.125 → 87;
    /// cpu 3000/6000 = 0.5, memory 5000/10000 = 0.5 → 100.
    #[test]
    fn upstream_table_values() {
        assert_eq!(balanced_score(&[(3000, 4000), (5000, 10000)]), 87);
        assert_eq!(balanced_score(&[(3000, 6000), (5000, 10000)]), 100);
        // Over-committed fractions are capped at 1.
        assert_eq!(balanced_score(&[(8000, 4000), (5000, 10000)]), 75);
        // Three resources: population standard deviation.
        assert_eq!(balanced_score(&[(1, 2), (1, 4), (3, 4)]), 79);
    }
}
