//! ImageLocality: favours nodes that already have the pod's images,
//! weighted by how widespread each image is.
//! Upstream: `pkg/scheduler/framework/plugins/imagelocality/image_locality.go`.

use crate::scheduler::framework::{
    points, CycleState, Handle, NodeScore, Plugin, Status, MAX_NODE_SCORE,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;

pub const NAME: &str = "ImageLocality";
const MB: i64 = 1024 * 1024;
/// `minThreshold`: 23 MiB.
pub const MIN_THRESHOLD: i64 = 23 * MB;
/// `maxContainerThreshold`: 1000 MiB per container.
pub const MAX_CONTAINER_THRESHOLD: i64 = 1000 * MB;

pub struct ImageLocality;

/// The pod's images that some node has: (interned id, spread), the spread
/// (`numNodes / totalNumNodes`) computed once per cycle.
#[derive(Clone, Default)]
struct PreScoreState {
    images: Vec<(u32, f64)>,
}

/// `calculatePriority`.
pub fn calculate_priority(sum: i64, num_containers: usize) -> i64 {
    // Below the threshold the score is 0 (skips a division per node:
    // most nodes hold only small images of a pod, such as pause).
    if sum <= MIN_THRESHOLD {
        return 0;
    }
    let max = MAX_CONTAINER_THRESHOLD * num_containers as i64;
    let s = sum.clamp(MIN_THRESHOLD, max.max(MIN_THRESHOLD));
    if max == MIN_THRESHOLD || max == 0 {
        return 0;
    }
    MAX_NODE_SCORE * (s - MIN_THRESHOLD) / (max - MIN_THRESHOLD)
}

/// `scaledImageScore`: size × spread.
pub fn scaled_image_score(size: i64, num_nodes: usize, total_nodes: usize) -> i64 {
    scaled(size, spread(num_nodes, total_nodes))
}

fn spread(num_nodes: usize, total_nodes: usize) -> f64 {
    num_nodes as f64 / total_nodes as f64
}

fn scaled(size: i64, spread: f64) -> i64 {
    (size as f64 * spread) as i64
}

fn node_score(st: &PreScoreState, pod: &PodInfo, node: &NodeInfo) -> i64 {
    let mut sum = 0;
    if node.has_images() {
        for (id, spread) in &st.images {
            if let Some(size) = node.image_size(*id) {
                sum += scaled(size, *spread);
            }
        }
    }
    calculate_priority(sum, pod.num_containers)
}

impl Plugin for ImageLocality {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::PRE_SCORE | points::SCORE
    }
    /// Resolves the pod's image names once per cycle (upstream looks the
    /// names up per node; the result is the same).
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        _n: &[&NodeInfo],
        h: &Handle,
    ) -> Status {
        let total_nodes = h.cache.num_nodes().max(1);
        let images = pod
            .images
            .iter()
            .filter_map(|img| h.cache.image_id(img))
            .map(|id| (id, spread(h.cache.image_num_nodes(id), total_nodes)))
            .collect();
        state.write(PreScoreState { images });
        Status::success()
    }
    fn score(&self, state: &CycleState, pod: &PodInfo, node: &NodeInfo, _h: &Handle) -> i64 {
        match state.read::<PreScoreState>() {
            Some(st) => node_score(st, pod, node),
            None => calculate_priority(0, pod.num_containers),
        }
    }
    fn score_all(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        nodes: &[&NodeInfo],
        h: &Handle,
        out: &mut Vec<NodeScore>,
    ) {
        let Some(st) = state.read::<PreScoreState>() else {
            out.extend(nodes.iter().map(|n| NodeScore {
                node: n.idx,
                score: self.score(state, pod, n, h),
            }));
            return;
        };
        out.extend(nodes.iter().map(|n| NodeScore {
            node: n.idx,
            score: node_score(st, pod, n),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// imagelocality/image_locality_test.go TestImageLocalityPriority
    /// "two images spread on two nodes, prefer the larger image one":
    /// 40 MB on one of two nodes scores (40M/2 < 23M) → 0; 300 MB on one of
    /// two nodes, single container: 100*(150M-23M)/(1000M-23M) = 12 (with MiB).
    #[test]
    fn upstream_arithmetic() {
        assert_eq!(calculate_priority(scaled_image_score(40 * MB, 1, 2), 1), 0);
        assert_eq!(
            calculate_priority(scaled_image_score(300 * MB, 1, 2), 1),
            12
        );
        assert_eq!(
            calculate_priority(scaled_image_score(3000 * MB, 2, 2), 1),
            100
        );
        assert_eq!(calculate_priority(0, 1), 0);
    }
}
