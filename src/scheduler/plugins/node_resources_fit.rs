//! NodeResourcesFit: Filter checks the pod's requests against the node's
//! free allocatable; Score applies the configured strategy (LeastAllocated
//! by default, MostAllocated, RequestedToCapacityRatio) over the configured
//! resources, with the 100m / 200Mi non-zero defaults for cpu and memory.
//! Upstream: `pkg/scheduler/framework/plugins/noderesources/fit.go`,
//! `resource_allocation.go`, `least_allocated.go`, `most_allocated.go`,
//! `requested_to_capacity_ratio.go`, `plugins/helper/shape_score.go`.

use crate::scheduler::framework::{points, CycleState, Handle, Plugin, Status, MAX_NODE_SCORE};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::{is_scalar_resource_name, PodInfo, ResourceKind};
use std::borrow::Cow;

pub const NAME: &str = "NodeResourcesFit";

/// `config.ScoringStrategyType`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    LeastAllocated,
    MostAllocated,
    /// Shape points (utilization 0..100, score already scaled to 0..100).
    RequestedToCapacityRatio(Vec<(i64, i64)>),
}

/// NodeResourcesFitArgs.
#[derive(Clone, Debug)]
pub struct FitArgs {
    pub strategy: Strategy,
    /// (resource name, weight)
    pub resources: Vec<(String, i64)>,
    pub ignored_resources: Vec<String>,
    pub ignored_resource_groups: Vec<String>,
}

impl Default for FitArgs {
    fn default() -> FitArgs {
        FitArgs {
            strategy: Strategy::LeastAllocated,
            resources: vec![("cpu".into(), 1), ("memory".into(), 1)],
            ignored_resources: Vec::new(),
            ignored_resource_groups: Vec::new(),
        }
    }
}

pub struct NodeResourcesFit {
    pub args: FitArgs,
    /// args.resources resolved: (kind, weight).
    kinds: Vec<(ResourceKind, i64)>,
}

impl NodeResourcesFit {
    pub fn new(args: FitArgs) -> NodeResourcesFit {
        let kinds = args
            .resources
            .iter()
            .map(|(n, w)| (ResourceKind::of(n), *w))
            .collect();
        NodeResourcesFit { args, kinds }
    }
}

/// One resource that does not fit (`InsufficientResource`).
fn insufficient(name: &str) -> Cow<'static, str> {
    match name {
        "cpu" => Cow::Borrowed("Insufficient cpu"),
        "memory" => Cow::Borrowed("Insufficient memory"),
        "ephemeral-storage" => Cow::Borrowed("Insufficient ephemeral-storage"),
        n => Cow::Owned(format!("Insufficient {n}")),
    }
}

impl NodeResourcesFit {
    fn ignored(&self, name: &str) -> bool {
        self.args.ignored_resources.iter().any(|r| r == name)
            || name
                .split_once('/')
                .is_some_and(|(g, _)| self.args.ignored_resource_groups.iter().any(|x| x == g))
    }

    /// `fitsRequest`: every insufficient resource, in upstream's order.
    pub fn fits_request(&self, pod: &PodInfo, node: &NodeInfo) -> Vec<Cow<'static, str>> {
        let mut out = Vec::new();
        let alloc = &node.allocatable;
        let used = &node.requested;
        if node.pods.len() as i64 + 1 > alloc.allowed_pod_number {
            out.push(Cow::Borrowed("Too many pods"));
        }
        let req = &pod.requests;
        if req.is_zero() && req.scalar.is_empty() {
            return out;
        }
        if req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu {
            out.push(insufficient("cpu"));
        }
        if req.memory > 0 && req.memory > alloc.memory - used.memory {
            out.push(insufficient("memory"));
        }
        if req.ephemeral_storage > 0
            && req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage
        {
            out.push(insufficient("ephemeral-storage"));
        }
        for (name, q) in &req.scalar {
            if *q == 0 {
                continue;
            }
            // Only extended resources may be ignored by the args.
            if name.contains('/') && !name.starts_with("kubernetes.io/") && self.ignored(name) {
                continue;
            }
            if *q > alloc.scalar(name) - used.scalar(name) {
                out.push(insufficient(name));
            }
        }
        out
    }

    /// `calculateResourceAllocatableRequest` with the pod's scoring request:
    /// (allocatable, requested), (0, 0) to skip the resource.
    fn alloc_request(&self, pod: &PodInfo, node: &NodeInfo, kind: &ResourceKind) -> (i64, i64) {
        match kind {
            ResourceKind::Cpu => (
                node.allocatable.milli_cpu,
                node.non_zero_cpu + pod.score_cpu,
            ),
            ResourceKind::Memory => (node.allocatable.memory, node.non_zero_mem + pod.score_mem),
            ResourceKind::EphemeralStorage => (
                node.allocatable.ephemeral_storage,
                node.requested.ephemeral_storage + pod.requests.ephemeral_storage,
            ),
            ResourceKind::Scalar(n) => {
                let n = n.as_str();
                let pr = pod.requests.scalar(n);
                if pr == 0 && is_scalar_resource_name(n) {
                    return (0, 0);
                }
                match node.allocatable.scalar.iter().find(|(k, _)| k == n) {
                    Some((_, a)) => (*a, node.requested.scalar(n) + pr),
                    None => (0, 0),
                }
            }
        }
    }
}

/// `leastRequestedScore`.
pub fn least_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * MAX_NODE_SCORE / capacity
}

/// `mostRequestedScore`: requests above capacity are capped.
pub fn most_requested_score(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 {
        return 0;
    }
    requested.min(capacity) * MAX_NODE_SCORE / capacity
}

/// `helper.BuildBrokenLinearFunction`.
pub fn broken_linear(shape: &[(i64, i64)], p: i64) -> i64 {
    for i in 0..shape.len() {
        if p <= shape[i].0 {
            if i == 0 {
                return shape[0].1;
            }
            let (u0, s0) = shape[i - 1];
            let (u1, s1) = shape[i];
            return s0 + (s1 - s0) * (p - u0) / (u1 - u0);
        }
    }
    shape.last().map(|s| s.1).unwrap_or(0)
}

/// Scores (requested, allocatable) pairs with `strategy` and weights.
pub fn strategy_score(strategy: &Strategy, items: &[(i64, i64, i64)]) -> i64 {
    let (mut node_score, mut weight_sum) = (0i64, 0i64);
    match strategy {
        Strategy::LeastAllocated | Strategy::MostAllocated => {
            for &(req, alloc, w) in items {
                if alloc == 0 {
                    continue;
                }
                let s = if *strategy == Strategy::LeastAllocated {
                    least_requested_score(req, alloc)
                } else {
                    most_requested_score(req, alloc)
                };
                node_score += s * w;
                weight_sum += w;
            }
            if weight_sum == 0 {
                0
            } else {
                node_score / weight_sum
            }
        }
        Strategy::RequestedToCapacityRatio(shape) => {
            for &(req, alloc, w) in items {
                if alloc == 0 {
                    continue;
                }
                let util = if req > alloc { 100 } else { req * 100 / alloc };
                let s = broken_linear(shape, util);
                if s > 0 {
                    node_score += s * w;
                    weight_sum += w;
                }
            }
            if weight_sum == 0 {
                0
            } else {
                (node_score as f64 / weight_sum as f64).round() as i64
            }
        }
    }
}

impl Plugin for NodeResourcesFit {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_FILTER | points::FILTER | points::PRE_SCORE | points::SCORE
    }
    fn filter(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> Status {
        let reasons = self.fits_request(pod, node);
        if reasons.is_empty() {
            return Status::success();
        }
        Status {
            code: crate::scheduler::framework::Code::Unschedulable,
            reasons,
            plugin: "",
        }
    }
    fn score(&self, _s: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        let mut items = [(0i64, 0i64, 0i64); 8];
        let n = self.kinds.len().min(8);
        for (k, (kind, w)) in self.kinds.iter().take(8).enumerate() {
            let (alloc, req) = self.alloc_request(pod, node, kind);
            items[k] = (req, alloc, *w);
        }
        strategy_score(&self.args.strategy, &items[..n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// noderesources/least_allocated_test.go and most_allocated_test.go
    /// arithmetic: "nothing scheduled, resources requested, differently
    /// sized nodes" (cpu 3000m/4000m, memory 5000/10000 on node1).
    #[test]
    fn least_and_most_allocated_formulas() {
        // node1: 4000m / 10000 bytes; pod 3000m / 5000
        let items = [(3000, 4000, 1), (5000, 10000, 1)];
        // ((4000-3000)*100/4000 + (10000-5000)*100/10000) / 2 = (25 + 50) / 2 = 37
        assert_eq!(strategy_score(&Strategy::LeastAllocated, &items), 37);
        // (75 + 50) / 2 = 62
        assert_eq!(strategy_score(&Strategy::MostAllocated, &items), 62);
        // requests above capacity
        assert_eq!(least_requested_score(5000, 4000), 0);
        assert_eq!(most_requested_score(5000, 4000), 100);
        // zero allocatable resources are left out of the weights
        assert_eq!(
            strategy_score(&Strategy::LeastAllocated, &[(0, 0, 1), (0, 100, 1)]),
            100
        );
    }

    /// plugins/helper/shape_score_test.go TestBrokenLinearFunction.
    #[test]
    fn broken_linear_function() {
        let shape = [(10, 1), (90, 9)];
        for (p, want) in [
            (-10, 1),
            (0, 1),
            (9, 1),
            (10, 1),
            (15, 1),
            (19, 1),
            (20, 2),
            (89, 8),
            (90, 9),
            (99, 9),
            (110, 9),
        ] {
            assert_eq!(broken_linear(&shape, p), want, "p={p}");
        }
    }

    /// requested_to_capacity_ratio_test.go: shape {0:10, 100:0} scaled
    /// ×10, with rounding of the weighted mean.
    #[test]
    fn requested_to_capacity_ratio_rounds() {
        let s = Strategy::RequestedToCapacityRatio(vec![(0, 100), (100, 0)]);
        // cpu 3000/4000 → util 75 → 25; memory 5000/10000 → 50 → 50; (25+50)/2 = 37.5 → 38
        assert_eq!(strategy_score(&s, &[(3000, 4000, 1), (5000, 10000, 1)]), 38);
        // Resources scoring 0 are left out of the mean: only memory counts.
        assert_eq!(strategy_score(&s, &[(4000, 4000, 1), (5000, 10000, 1)]), 50);
    }
}
