//! The scheduling framework: extension points, statuses, cycle state and a
//! profile's plugin lists (`pkg/scheduler/framework/interface.go`,
//! `cycle_state.go`, `runtime/framework.go`).
//!
//! A plugin implements the extension points it declares in `points()`;
//! the runtime calls them in profile order. Plugins read the cache (the
//! snapshot) through [`Handle`] and keep per-cycle data in [`CycleState`].

use super::cache::Cache;
use super::node_info::NodeInfo;
use super::pod_info::PodInfo;
use crate::sim::rng::SimRng;
use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `MaxNodeScore`.
pub const MAX_NODE_SCORE: i64 = 100;

/// A status code (`framework.Code`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    Success,
    Error,
    Unschedulable,
    UnschedulableAndUnresolvable,
    Skip,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Success => "Success",
            Code::Error => "Error",
            Code::Unschedulable => "Unschedulable",
            Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
            Code::Skip => "Skip",
        }
    }
}

/// The result of running a plugin (`framework.Status`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: Code,
    pub reasons: Vec<Cow<'static, str>>,
    /// The plugin that produced it (set by the runtime).
    pub plugin: &'static str,
}

impl Status {
    pub fn success() -> Status {
        Status {
            code: Code::Success,
            reasons: Vec::new(),
            plugin: "",
        }
    }
    pub fn skip() -> Status {
        Status {
            code: Code::Skip,
            ..Status::success()
        }
    }
    pub fn new(code: Code, reason: impl Into<Cow<'static, str>>) -> Status {
        Status {
            code,
            reasons: vec![reason.into()],
            plugin: "",
        }
    }
    pub fn unschedulable(reason: impl Into<Cow<'static, str>>) -> Status {
        Status::new(Code::Unschedulable, reason)
    }
    pub fn unresolvable(reason: impl Into<Cow<'static, str>>) -> Status {
        Status::new(Code::UnschedulableAndUnresolvable, reason)
    }
    pub fn is_success(&self) -> bool {
        self.code == Code::Success
    }
    pub fn is_skip(&self) -> bool {
        self.code == Code::Skip
    }
    /// `IsRejected`: Unschedulable or UnschedulableAndUnresolvable.
    pub fn is_rejected(&self) -> bool {
        matches!(
            self.code,
            Code::Unschedulable | Code::UnschedulableAndUnresolvable
        )
    }
    /// `Status.Message`: the reasons joined by ", ".
    pub fn message(&self) -> String {
        self.reasons.join(", ")
    }
    pub fn with_plugin(mut self, plugin: &'static str) -> Status {
        self.plugin = plugin;
        self
    }
}

/// Per-cycle plugin data that can be cloned (preemption dry runs clone
/// the whole state).
pub trait StateData: Any {
    fn clone_box(&self) -> Box<dyn StateData>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Clone> StateData for T {
    fn clone_box(&self) -> Box<dyn StateData> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `framework.CycleState`: data plugins share within one scheduling cycle,
/// keyed by type (each plugin owns its own state type).
#[derive(Default)]
pub struct CycleState {
    data: Vec<(TypeId, Box<dyn StateData>)>,
    /// Plugins whose PreFilter returned Skip.
    pub skip_filter: Vec<&'static str>,
    /// Plugins whose PreScore returned Skip.
    pub skip_score: Vec<&'static str>,
    /// The filter plugins to run this cycle (indices into the profile's
    /// plugins), computed once after PreFilter so the per-node loop does
    /// not look up skips.
    pub active_filters: Option<Vec<usize>>,
}

impl Clone for CycleState {
    fn clone(&self) -> CycleState {
        CycleState {
            data: self
                .data
                .iter()
                .map(|(t, d)| (*t, (**d).clone_box()))
                .collect(),
            skip_filter: self.skip_filter.clone(),
            skip_score: self.skip_score.clone(),
            active_filters: self.active_filters.clone(),
        }
    }
}

impl CycleState {
    pub fn new() -> CycleState {
        CycleState::default()
    }
    pub fn write<T: Any + Clone>(&mut self, v: T) {
        let id = TypeId::of::<T>();
        if let Some(slot) = self.data.iter_mut().find(|(t, _)| *t == id) {
            slot.1 = Box::new(v);
        } else {
            self.data.push((id, Box::new(v)));
        }
    }
    pub fn read<T: Any + Clone>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.data
            .iter()
            .find(|(t, _)| *t == id)
            .and_then(|(_, d)| (**d).as_any().downcast_ref::<T>())
    }
    pub fn read_mut<T: Any + Clone>(&mut self) -> Option<&mut T> {
        let id = TypeId::of::<T>();
        self.data
            .iter_mut()
            .find(|(t, _)| *t == id)
            .and_then(|(_, d)| (**d).as_any_mut().downcast_mut::<T>())
    }
}

/// Nominated pods by node name (`nominator`).
pub type Nominated = BTreeMap<String, Vec<Arc<PodInfo>>>;

/// What plugins may read: the snapshot, the nominated pods, the time.
#[derive(Clone, Copy)]
pub struct Handle<'a> {
    pub cache: &'a Cache,
    pub nominated: &'a Nominated,
    /// Wall-clock milliseconds of the current virtual time.
    pub now_ms: i64,
}

/// A node's score from one plugin (`framework.NodeScore`): the node's
/// index in the cache and the score.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeScore {
    pub node: usize,
    pub score: i64,
}

/// Extension points, as bits.
pub mod points {
    pub const PRE_ENQUEUE: u16 = 1;
    pub const QUEUE_SORT: u16 = 1 << 1;
    pub const PRE_FILTER: u16 = 1 << 2;
    pub const FILTER: u16 = 1 << 3;
    pub const POST_FILTER: u16 = 1 << 4;
    pub const PRE_SCORE: u16 = 1 << 5;
    pub const SCORE: u16 = 1 << 6;
    pub const RESERVE: u16 = 1 << 7;
    pub const PERMIT: u16 = 1 << 8;
    pub const PRE_BIND: u16 = 1 << 9;
    pub const BIND: u16 = 1 << 10;
}

/// What PostFilter (preemption) produced.
#[derive(Clone, Debug)]
pub struct PostFilterResult {
    pub status: Status,
    pub nominated_node: Option<String>,
    pub victims: Vec<Arc<PodInfo>>,
    /// Lower-priority pods nominated to the chosen node that lose their
    /// nomination.
    pub clear_nominations: Vec<Arc<PodInfo>>,
}

/// A node's filter status (`NodeToStatus`).
pub type NodeStatuses = Vec<(usize, Status)>;

/// A scheduler plugin. Every method has a neutral default; `points()` says
/// which ones the runtime calls.
pub trait Plugin: Send {
    fn name(&self) -> &'static str;
    fn points(&self) -> u16;

    fn pre_filter(&self, _state: &mut CycleState, _pod: &PodInfo, _h: &Handle) -> Status {
        Status::success()
    }
    /// PreFilterExtensions.AddPod: `added` now counts on `node`.
    fn add_pod(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _added: &PodInfo,
        _node: &NodeInfo,
        _h: &Handle,
    ) {
    }
    /// PreFilterExtensions.RemovePod.
    fn remove_pod(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _removed: &PodInfo,
        _node: &NodeInfo,
        _h: &Handle,
    ) {
    }
    fn filter(&self, _state: &CycleState, _pod: &PodInfo, _node: &NodeInfo, _h: &Handle) -> Status {
        Status::success()
    }
    #[allow(clippy::too_many_arguments)]
    fn post_filter(
        &self,
        _fw: &Framework,
        _state: &CycleState,
        _pod: &PodInfo,
        _statuses: &NodeStatuses,
        _h: &Handle,
        _rng: &mut SimRng,
    ) -> PostFilterResult {
        PostFilterResult {
            status: Status::unschedulable(""),
            nominated_node: None,
            victims: Vec::new(),
            clear_nominations: Vec::new(),
        }
    }
    fn pre_score(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _nodes: &[&NodeInfo],
        _h: &Handle,
    ) -> Status {
        Status::success()
    }
    fn score(&self, _state: &CycleState, _pod: &PodInfo, _node: &NodeInfo, _h: &Handle) -> i64 {
        0
    }
    /// Scores every node; plugins override it to read their cycle state
    /// once instead of per node.
    fn score_all(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        nodes: &[&NodeInfo],
        h: &Handle,
        out: &mut Vec<NodeScore>,
    ) {
        out.extend(nodes.iter().map(|n| NodeScore {
            node: n.idx,
            score: self.score(state, pod, n, h),
        }));
    }
    /// Whether the plugin has NormalizeScore.
    fn has_normalize(&self) -> bool {
        false
    }
    fn normalize_score(&self, _state: &CycleState, _pod: &PodInfo, _scores: &mut [NodeScore]) {}
    /// Reserve: assume what the binding will need (e.g. PVs).
    fn reserve(
        &self,
        _state: &mut CycleState,
        _pod: &PodInfo,
        _node: &str,
        _cache: &mut Cache,
    ) -> Status {
        Status::success()
    }
    fn unreserve(&self, _state: &mut CycleState, _pod: &PodInfo, _node: &str, _cache: &mut Cache) {}
    fn permit(&self, _state: &mut CycleState, _pod: &PodInfo, _node: &str) -> Status {
        Status::success()
    }
    /// Whether the pod may enter the active queue (PreEnqueue).
    fn pre_enqueue(&self, _pod: &PodInfo) -> Status {
        Status::success()
    }
}

/// One score plugin's numbers for the decision record.
#[derive(Clone, Debug, Default)]
pub struct ScoreDetail {
    pub plugin: &'static str,
    pub weight: i64,
    /// Per feasible node, in the order the nodes were passed.
    pub raw: Vec<i64>,
    pub normalized: Vec<i64>,
}

/// A profile's plugins, per extension point, in execution order
/// (`frameworkImpl`).
pub struct Framework {
    pub scheduler_name: String,
    pub plugins: Vec<Box<dyn Plugin>>,
    pub pre_enqueue: Vec<usize>,
    pub pre_filter: Vec<usize>,
    pub filter: Vec<usize>,
    pub post_filter: Vec<usize>,
    pub pre_score: Vec<usize>,
    /// (plugin, weight)
    pub score: Vec<(usize, i64)>,
    pub reserve: Vec<usize>,
    pub permit: Vec<usize>,
    pub bind: Vec<usize>,
    /// The profile's percentageOfNodesToScore, if set.
    pub percentage_of_nodes_to_score: Option<i32>,
}

impl Framework {
    pub fn plugin(&self, i: usize) -> &dyn Plugin {
        self.plugins[i].as_ref()
    }

    pub fn has_filter_plugins(&self) -> bool {
        !self.filter.is_empty()
    }
    pub fn has_score_plugins(&self) -> bool {
        !self.score.is_empty()
    }

    /// `RunPreEnqueuePlugins`.
    pub fn run_pre_enqueue(&self, pod: &PodInfo) -> Status {
        for &i in &self.pre_enqueue {
            let s = self.plugin(i).pre_enqueue(pod);
            if !s.is_success() {
                return s.with_plugin(self.plugin(i).name());
            }
        }
        Status::success()
    }

    /// `RunPreFilterPlugins`: a rejection ends the cycle; Skip disables the
    /// plugin's Filter.
    pub fn run_pre_filter(&self, state: &mut CycleState, pod: &PodInfo, h: &Handle) -> Status {
        for &i in &self.pre_filter {
            let p = self.plugin(i);
            let s = p.pre_filter(state, pod, h);
            if s.is_skip() {
                state.skip_filter.push(p.name());
                continue;
            }
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        state.active_filters = Some(
            self.filter
                .iter()
                .copied()
                .filter(|i| !state.skip_filter.contains(&self.plugin(*i).name()))
                .collect(),
        );
        Status::success()
    }

    /// `RunFilterPlugins`: stops at the first failing plugin.
    pub fn run_filter(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) -> Status {
        let list = state.active_filters.as_deref().unwrap_or(&self.filter);
        for &i in list {
            let p = self.plugin(i);
            if state.active_filters.is_none() && state.skip_filter.contains(&p.name()) {
                continue;
            }
            let s = p.filter(state, pod, node, h);
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        Status::success()
    }

    /// `RunPreFilterExtensionAddPod`.
    pub fn run_add_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        added: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) {
        for &i in &self.pre_filter {
            let p = self.plugin(i);
            if state.skip_filter.contains(&p.name()) {
                continue;
            }
            p.add_pod(state, pod, added, node, h);
        }
    }

    /// `RunPreFilterExtensionRemovePod`.
    pub fn run_remove_pod(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        removed: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) {
        for &i in &self.pre_filter {
            let p = self.plugin(i);
            if state.skip_filter.contains(&p.name()) {
                continue;
            }
            p.remove_pod(state, pod, removed, node, h);
        }
    }

    /// `RunFilterPluginsWithNominatedPods`: filter once with the
    /// equal-or-higher priority pods nominated to the node added, and, if
    /// that passes and some were added, once more without them.
    pub fn run_filter_with_nominated(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        node: &NodeInfo,
        h: &Handle,
    ) -> Status {
        let nominated = h
            .nominated
            .get(&node.name)
            .map(|v| v.as_slice())
            .unwrap_or(&[]);
        let add: Vec<&Arc<PodInfo>> = nominated
            .iter()
            .filter(|p| p.priority >= pod.priority && p.uid != pod.uid)
            .collect();
        if add.is_empty() {
            return self.run_filter(state, pod, node, h);
        }
        let mut node2 = node.clone();
        let mut state2 = state.clone();
        for p in add {
            node2.add_pod((*p).clone());
            self.run_add_pod(&mut state2, pod, p, &node2, h);
        }
        let s = self.run_filter(&state2, pod, &node2, h);
        if !s.is_success() {
            return s;
        }
        self.run_filter(state, pod, node, h)
    }

    /// `RunPreScorePlugins`.
    pub fn run_pre_score(
        &self,
        state: &mut CycleState,
        pod: &PodInfo,
        nodes: &[&NodeInfo],
        h: &Handle,
    ) -> Status {
        for &i in &self.pre_score {
            let p = self.plugin(i);
            let s = p.pre_score(state, pod, nodes, h);
            if s.is_skip() {
                state.skip_score.push(p.name());
                continue;
            }
            if !s.is_success() {
                return s.with_plugin(p.name());
            }
        }
        Status::success()
    }

    /// `RunScorePlugins`: raw scores, NormalizeScore, range check, weight.
    /// Returns the total per node and, when `details` is set, each
    /// plugin's numbers (decision records; off in benchmarks and bulk
    /// scheduling, where copying them per plugin costs more than scoring).
    pub fn run_score(
        &self,
        state: &CycleState,
        pod: &PodInfo,
        nodes: &[&NodeInfo],
        h: &Handle,
        details_wanted: bool,
    ) -> Result<(Vec<i64>, Vec<ScoreDetail>), Status> {
        let mut totals = vec![0i64; nodes.len()];
        let mut details = Vec::new();
        let mut scores: Vec<NodeScore> = Vec::with_capacity(nodes.len());
        for &(i, weight) in &self.score {
            let p = self.plugin(i);
            if state.skip_score.contains(&p.name()) {
                continue;
            }
            scores.clear();
            p.score_all(state, pod, nodes, h, &mut scores);
            let raw: Vec<i64> = if details_wanted {
                scores.iter().map(|s| s.score).collect()
            } else {
                Vec::new()
            };
            if p.has_normalize() {
                p.normalize_score(state, pod, &mut scores);
            }
            for (k, s) in scores.iter().enumerate() {
                if s.score < 0 || s.score > MAX_NODE_SCORE {
                    return Err(Status::new(
                        Code::Error,
                        format!(
                            "plugin {:?} returns an invalid score {}, it should in the range of [0, 100] after normalizing",
                            p.name(),
                            s.score
                        ),
                    ));
                }
                totals[k] += s.score * weight;
            }
            if details_wanted {
                details.push(ScoreDetail {
                    plugin: p.name(),
                    weight,
                    raw,
                    normalized: scores.iter().map(|s| s.score).collect(),
                });
            }
        }
        Ok((totals, details))
    }
}

/// `helper.DefaultNormalizeScore`: scale to [0, max] by the highest score,
/// optionally reversed.
pub fn default_normalize_score(max_priority: i64, reverse: bool, scores: &mut [NodeScore]) {
    let max = scores.iter().map(|s| s.score).max().unwrap_or(0);
    if max == 0 {
        if reverse {
            for s in scores.iter_mut() {
                s.score = max_priority;
            }
        }
        return;
    }
    for s in scores.iter_mut() {
        let mut v = max_priority * s.score / max;
        if reverse {
            v = max_priority - v;
        }
        s.score = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// plugins/helper/normalize_score_test.go TestDefaultNormalizeScore.
    #[test]
    fn default_normalize_matches_upstream_table() {
        let cases: &[(bool, &[i64], &[i64])] = &[
            (false, &[10, 20, 30], &[33, 66, 100]),
            (true, &[10, 20, 30], &[67, 34, 0]),
            (false, &[0, 0, 0], &[0, 0, 0]),
            (true, &[0, 0, 0], &[100, 100, 100]),
            (false, &[1000, 10, 20, 30], &[100, 1, 2, 3]),
            (true, &[1000, 10, 20, 30], &[0, 99, 98, 97]),
            (false, &[1, 1, 1, 1], &[100, 100, 100, 100]),
        ];
        for (reverse, input, want) in cases {
            let mut s: Vec<NodeScore> = input
                .iter()
                .enumerate()
                .map(|(i, v)| NodeScore { node: i, score: *v })
                .collect();
            default_normalize_score(100, *reverse, &mut s);
            let got: Vec<i64> = s.iter().map(|x| x.score).collect();
            assert_eq!(&got, want, "reverse={reverse} input={input:?}");
        }
    }

    #[test]
    fn cycle_state_clones_deeply() {
        let mut s = CycleState::new();
        s.write(vec![1u32]);
        let mut c = s.clone();
        c.read_mut::<Vec<u32>>().unwrap().push(2);
        assert_eq!(s.read::<Vec<u32>>().unwrap().len(), 1);
        assert_eq!(c.read::<Vec<u32>>().unwrap().len(), 2);
    }
}
