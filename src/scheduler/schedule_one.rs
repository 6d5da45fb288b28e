//! One scheduling cycle, as `pkg/scheduler/schedule_one.go` runs it:
//! PreFilter, Filter over a rotating window of nodes until enough feasible
//! ones are found (`numFeasibleNodesToFind`), PostFilter (preemption) on
//! failure, PreScore/Score/NormalizeScore, `selectHost` with a uniform
//! random tie-break, Reserve, Permit, then assume and bind.
//!
//! [`SchedulerCore`] owns the cache, the queue and the profiles; it does
//! not write to the store. Callers (the controller, `kubesim schedule`)
//! apply the [`Outcome`]: bind, record events, delete victims.

use super::cache::{Cache, ClusterEvent};
use super::config::{build_framework, SchedulerConfig};
use super::decision::{Decision, FilterVerdict, NodeScores, PluginScore};
use super::fit_error::fit_error_message;
use super::framework::{CycleState, Framework, Handle, NodeStatuses, PostFilterResult, Status};
use super::pod_info::PodInfo;
use super::queue::SchedulingQueue;
use crate::sim::rng::SimRng;
use crate::sim::SimTime;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::Duration;

/// `minFeasibleNodesToFind`.
pub const MIN_FEASIBLE_NODES_TO_FIND: i64 = 100;
/// `minFeasibleNodesPercentageToFind`.
pub const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND: i64 = 5;
/// `ErrNoNodesAvailable`.
pub const ERR_NO_NODES_AVAILABLE: &str = "no nodes available to schedule pods";
/// How many decisions are kept per pod.
pub const DECISIONS_PER_POD: usize = 10;

/// `numFeasibleNodesToFind`.
pub fn num_feasible_nodes_to_find(percentage: i32, num_all_nodes: usize) -> usize {
    let n = num_all_nodes as i64;
    if n < MIN_FEASIBLE_NODES_TO_FIND {
        return num_all_nodes;
    }
    let mut p = percentage as i64;
    if p == 0 {
        p = 50 - n / 125;
        if p < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND {
            p = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
        }
    }
    let num = n * p / 100;
    if num < MIN_FEASIBLE_NODES_TO_FIND {
        return MIN_FEASIBLE_NODES_TO_FIND as usize;
    }
    num as usize
}

/// What a cycle decided.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Assumed on `node`; the caller binds.
    Bound { node: String },
    /// Not scheduled.
    Failed {
        message: String,
        /// Set by preemption (ModeOverride).
        nominated_node: Option<String>,
        victims: Vec<Arc<PodInfo>>,
        clear_nominations: Vec<Arc<PodInfo>>,
    },
}

/// One cycle's result.
#[derive(Clone, Debug)]
pub struct CycleResult {
    pub pod: Arc<PodInfo>,
    pub outcome: Outcome,
}

/// The scheduler without its store side.
pub struct SchedulerCore {
    pub cache: Cache,
    pub queue: SchedulingQueue,
    pub profiles: BTreeMap<String, Framework>,
    pub config: SchedulerConfig,
    next_start_node_index: usize,
    /// Record per-node filter and score details (off for benchmarks).
    pub detail: bool,
    decisions: BTreeMap<String, VecDeque<Decision>>,
    /// Every decision in order, when set (for `kubesim schedule`).
    pub log: Option<Vec<Decision>>,
    /// Keep the last decisions per pod (for `decisions_for`).
    pub keep_decisions: bool,
}

impl SchedulerCore {
    pub fn new(config: SchedulerConfig) -> Result<SchedulerCore, String> {
        let mut profiles = BTreeMap::new();
        for p in &config.profiles {
            profiles.insert(p.scheduler_name.clone(), build_framework(p)?);
        }
        Ok(SchedulerCore {
            cache: Cache::new(),
            queue: SchedulingQueue::new(
                Duration::from_secs(config.pod_initial_backoff_seconds),
                Duration::from_secs(
                    config
                        .pod_max_backoff_seconds
                        .max(config.pod_initial_backoff_seconds),
                ),
            ),
            profiles,
            config,
            next_start_node_index: 0,
            detail: true,
            decisions: BTreeMap::new(),
            log: None,
            keep_decisions: true,
        })
    }

    /// The last decisions for a pod, oldest first.
    pub fn decisions_for(&self, ns: &str, name: &str) -> &[Decision] {
        match self.decisions.get(&format!("{ns}/{name}")) {
            Some(d) => d.as_slices().0,
            None => &[],
        }
    }

    fn keep(&mut self, d: Decision) {
        if !self.keep_decisions {
            if let Some(log) = self.log.as_mut() {
                log.push(d);
            }
            return;
        }
        if let Some(log) = self.log.as_mut() {
            log.push(d.clone());
        }
        let q = self.decisions.entry(d.pod.clone()).or_default();
        if q.len() >= DECISIONS_PER_POD {
            q.pop_front();
        }
        q.push_back(d);
        q.make_contiguous();
    }

    /// A pending pod appeared or changed. Pods for unknown schedulers are
    /// ignored (they stay Pending, as on a real cluster).
    pub fn upsert_pending(&mut self, info: PodInfo, spec_changed: bool, now: SimTime) {
        let Some(fw) = self.profiles.get(&info.scheduler_name) else {
            return;
        };
        let gated = !fw.run_pre_enqueue(&info).is_success();
        let info = Arc::new(info);
        if self.queue.get(&info.key()).is_some() {
            self.queue.update(info, gated, spec_changed, now);
        } else {
            self.queue.add(info, gated, now);
        }
    }

    /// A cluster event: unschedulable pods that it may help move back.
    pub fn on_cluster_event(&mut self, ev: &ClusterEvent, now: SimTime) -> bool {
        self.queue.on_cluster_event(ev, now)
    }

    /// Pops the next pod and runs one cycle, or returns None.
    pub fn schedule_one(
        &mut self,
        rng: &mut SimRng,
        now: SimTime,
        now_ms: i64,
    ) -> Option<CycleResult> {
        self.queue.flush_unschedulable_leftover(now);
        let q = self.queue.pop(now)?;
        let pod = q.info.clone();
        let key = pod.key();
        if !self.profiles.contains_key(&pod.scheduler_name) {
            self.queue.delete(&key);
            return None;
        }
        let mut decision = Decision {
            pod: key.clone(),
            scheduler_name: pod.scheduler_name.clone(),
            time: now,
            attempt: q.attempts,
            ..Default::default()
        };
        self.cache.prepare_affinity(&pod);
        let fw = self.profiles.get(&pod.scheduler_name).expect("profile");
        let mut state = CycleState::new();
        let pct = fw
            .percentage_of_nodes_to_score
            .unwrap_or(self.config.percentage_of_nodes_to_score);
        let h = Handle {
            cache: &self.cache,
            nominated: &self.queue.nominated,
            now_ms,
        };
        let mut start = self.next_start_node_index;
        let found = find_nodes_that_fit(fw, &mut state, &pod, &h, pct, &mut start);
        self.next_start_node_index = start;
        let (feasible, statuses, prefilter) = match found {
            Err(msg) => {
                // ErrNoNodesAvailable and plugin errors: no PostFilter.
                decision.message = msg.clone();
                let plugins = BTreeSet::new();
                self.queue
                    .add_unschedulable(&key, plugins, pod.clone(), now);
                self.keep(decision);
                return Some(CycleResult {
                    pod,
                    outcome: Outcome::Failed {
                        message: msg,
                        nominated_node: None,
                        victims: Vec::new(),
                        clear_nominations: Vec::new(),
                    },
                });
            }
            Ok(x) => x,
        };
        decision.evaluated_nodes = feasible.len() + statuses.len();
        decision.feasible_nodes = feasible.len();
        if self.detail {
            let mut f: Vec<FilterVerdict> = statuses
                .iter()
                .map(|(i, s)| FilterVerdict {
                    node: self.cache.node(*i).name.clone(),
                    plugin: s.plugin.to_string(),
                    code: s.code.as_str().to_string(),
                    reasons: s.reasons.iter().map(|r| r.to_string()).collect(),
                })
                .collect();
            f.sort_by(|a, b| a.node.cmp(&b.node));
            decision.filter = f;
        }
        if feasible.is_empty() {
            return Some(self.fail(
                fw_name(&pod),
                pod,
                statuses,
                prefilter,
                decision,
                rng,
                now,
                now_ms,
            ));
        }
        // Score.
        let chosen = if feasible.len() == 1 {
            feasible[0]
        } else {
            let nodes: Vec<&super::node_info::NodeInfo> =
                feasible.iter().map(|i| self.cache.node(*i)).collect();
            let mut totals = vec![0i64; nodes.len()];
            if fw.has_score_plugins() {
                let s = fw.run_pre_score(&mut state, &pod, &nodes, &h);
                if !s.is_success() {
                    return Some(self.error(pod, decision, s.message(), now));
                }
                match fw.run_score(&state, &pod, &nodes, &h, self.detail) {
                    Ok((t, details)) => {
                        totals = t;
                        if self.detail {
                            let mut recs: Vec<NodeScores> = nodes
                                .iter()
                                .enumerate()
                                .map(|(k, n)| NodeScores {
                                    node: n.name.clone(),
                                    plugins: details
                                        .iter()
                                        .map(|d| PluginScore {
                                            plugin: d.plugin.to_string(),
                                            raw: d.raw[k],
                                            normalized: d.normalized[k],
                                            weighted: d.normalized[k] * d.weight,
                                        })
                                        .collect(),
                                    total: totals[k],
                                })
                                .collect();
                            recs.sort_by(|a, b| a.node.cmp(&b.node));
                            decision.scores = recs;
                        }
                    }
                    Err(s) => return Some(self.error(pod, decision, s.message(), now)),
                }
            } else {
                totals.iter_mut().for_each(|t| *t = 1);
            }
            feasible[select_host(&totals, rng)]
        };
        let node_name = self.cache.node(chosen).name.clone();
        // Reserve and Permit.
        let fw = self.profiles.get(&pod.scheduler_name).expect("profile");
        for &i in &fw.reserve {
            let s = fw
                .plugin(i)
                .reserve(&mut state, &pod, &node_name, &mut self.cache);
            if !s.is_success() {
                for &j in fw.reserve.iter().rev() {
                    fw.plugin(j)
                        .unreserve(&mut state, &pod, &node_name, &mut self.cache);
                }
                return Some(self.error(pod, decision, s.message(), now));
            }
        }
        for &i in &fw.permit {
            let s = fw.plugin(i).permit(&mut state, &pod, &node_name);
            if !s.is_success() {
                for &j in fw.reserve.iter().rev() {
                    fw.plugin(j)
                        .unreserve(&mut state, &pod, &node_name, &mut self.cache);
                }
                return Some(self.error(pod, decision, s.message(), now));
            }
        }
        // Assume. The cycle state goes first: it may share counts with the
        // cache (InterPodAffinity), which would otherwise copy them on write.
        drop(state);
        let mut assumed = (*pod).clone();
        assumed.node_name = node_name.clone();
        assumed.nominated_node_name.clear();
        self.cache.add_pod(Arc::new(assumed));
        self.queue.done(&key);
        decision.node = Some(node_name.clone());
        decision.message = format!(
            "Successfully assigned {}/{} to {}",
            pod.namespace, pod.name, node_name
        );
        self.keep(decision);
        Some(CycleResult {
            pod,
            outcome: Outcome::Bound { node: node_name },
        })
    }

    /// Undo an assumption when the bind failed (`ForgetPod`) and requeue.
    pub fn forget(&mut self, pod: &Arc<PodInfo>, now: SimTime) {
        self.cache.remove_pod(&pod.uid);
        self.upsert_pending((**pod).clone(), true, now);
    }

    fn error(
        &mut self,
        pod: Arc<PodInfo>,
        mut decision: Decision,
        msg: String,
        now: SimTime,
    ) -> CycleResult {
        decision.message = msg.clone();
        self.queue
            .add_unschedulable(&pod.key(), BTreeSet::new(), pod.clone(), now);
        self.keep(decision);
        CycleResult {
            pod,
            outcome: Outcome::Failed {
                message: msg,
                nominated_node: None,
                victims: Vec::new(),
                clear_nominations: Vec::new(),
            },
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn fail(
        &mut self,
        profile: String,
        pod: Arc<PodInfo>,
        statuses: NodeStatuses,
        prefilter: Option<Status>,
        mut decision: Decision,
        rng: &mut SimRng,
        now: SimTime,
        now_ms: i64,
    ) -> CycleResult {
        let fw = self.profiles.get(&profile).expect("profile");
        let n = self.cache.num_nodes();
        let mut plugins: BTreeSet<&'static str> = statuses.iter().map(|(_, s)| s.plugin).collect();
        // A PreFilter rejection counts for every node.
        let all_statuses: NodeStatuses = match &prefilter {
            Some(s) => {
                plugins.insert(s.plugin);
                decision.pre_filter = Some((s.plugin.to_string(), s.message()));
                self.cache.order().iter().map(|i| (*i, s.clone())).collect()
            }
            None => statuses,
        };
        let pre_msg = prefilter.as_ref().map(|s| s.message()).unwrap_or_default();
        // PostFilter (RunPostFilterPlugins).
        let mut post: Option<PostFilterResult> = None;
        let mut reasons = Vec::new();
        {
            let h = Handle {
                cache: &self.cache,
                nominated: &self.queue.nominated,
                now_ms,
            };
            let state = CycleState::new();
            for &i in &fw.post_filter {
                let r = fw
                    .plugin(i)
                    .post_filter(fw, &state, &pod, &all_statuses, &h, rng);
                if r.status.is_success() {
                    post = Some(r);
                    reasons.clear();
                    break;
                }
                reasons.extend(r.status.reasons.iter().map(|x| x.to_string()));
                if r.status.code == super::framework::Code::UnschedulableAndUnresolvable {
                    break;
                }
            }
        }
        let post_msg = reasons.join(", ");
        let message = fit_error_message(
            n,
            all_statuses.iter().map(|(_, s)| s),
            all_statuses.len(),
            None,
            &pre_msg,
            &post_msg,
        );
        let mut info = (*pod).clone();
        let (nominated_node, victims, clear) = match post {
            Some(r) => (r.nominated_node, r.victims, r.clear_nominations),
            None => (None, Vec::new(), Vec::new()),
        };
        if let Some(nn) = &nominated_node {
            info.nominated_node_name = nn.clone();
        }
        for c in &clear {
            let mut ci = (**c).clone();
            ci.nominated_node_name.clear();
            self.queue.set_nominated(&Arc::new(ci));
        }
        let info = Arc::new(info);
        self.queue
            .add_unschedulable(&pod.key(), plugins, info.clone(), now);
        decision.message = message.clone();
        decision.victims = victims.iter().map(|v| v.key()).collect();
        decision.nominated_node = nominated_node.clone();
        self.keep(decision);
        CycleResult {
            pod: info,
            outcome: Outcome::Failed {
                message,
                nominated_node,
                victims,
                clear_nominations: clear,
            },
        }
    }
}

fn fw_name(pod: &PodInfo) -> String {
    pod.scheduler_name.clone()
}

type Found = (Vec<usize>, NodeStatuses, Option<Status>);

/// `findNodesThatFitPod`.
fn find_nodes_that_fit(
    fw: &Framework,
    state: &mut CycleState,
    pod: &PodInfo,
    h: &Handle,
    pct: i32,
    start: &mut usize,
) -> Result<Found, String> {
    let n = h.cache.num_nodes();
    if n == 0 {
        return Err(ERR_NO_NODES_AVAILABLE.to_string());
    }
    let s = fw.run_pre_filter(state, pod, h);
    if !s.is_success() {
        if s.is_rejected() {
            return Ok((Vec::new(), Vec::new(), Some(s)));
        }
        return Err(s.message());
    }
    let mut statuses: NodeStatuses = Vec::new();
    if !pod.nominated_node_name.is_empty() {
        if let Some(ni) = h.cache.node_by_name(&pod.nominated_node_name) {
            let s = fw.run_filter_with_nominated(state, pod, ni, h);
            // findNodesThatPassFilters over one node resets the start index.
            *start = 0;
            if s.is_success() {
                return Ok((vec![ni.idx], statuses, None));
            }
            statuses.push((ni.idx, s));
        }
    }
    statuses.clear();
    let order = h.cache.order();
    let want = num_feasible_nodes_to_find(pct, n);
    let mut feasible = Vec::with_capacity(want.min(n));
    let mut processed = 0;
    if !fw.has_filter_plugins() {
        for i in 0..want.min(n) {
            feasible.push(order[(*start + i) % n]);
        }
        processed = feasible.len();
    } else {
        for i in 0..n {
            let idx = order[(*start + i) % n];
            let s = fw.run_filter_with_nominated(state, pod, h.cache.node(idx), h);
            processed += 1;
            if s.is_success() {
                feasible.push(idx);
                if feasible.len() >= want {
                    break;
                }
            } else if s.is_rejected() {
                statuses.push((idx, s));
            } else {
                return Err(s.message());
            }
        }
    }
    *start = (*start + processed) % n;
    Ok((feasible, statuses, None))
}

/// `selectHost`: the highest total; ties broken uniformly at random by
/// reservoir sampling over the nodes in evaluation order.
pub fn select_host(totals: &[i64], rng: &mut SimRng) -> usize {
    let mut best = 0;
    let mut cnt = 0u64;
    let max = totals.iter().copied().max().unwrap_or(0);
    for (i, t) in totals.iter().enumerate() {
        if *t == max {
            cnt += 1;
            if rng.below(cnt) == 0 {
                best = i;
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    /// schedule_one_test.go TestNumFeasibleNodesToFind.
    #[test]
    fn num_feasible_nodes_to_find_table() {
        for (pct, n, want) in [
            (0, 10, 10),
            (40, 10, 10),
            (0, 1000, 420),
            (40, 1000, 400),
            (0, 6000, 300),
            (40, 6000, 2400),
            (0, 5000, 500),
            (100, 5000, 5000),
            (1, 1000, 100),
        ] {
            assert_eq!(num_feasible_nodes_to_find(pct, n), want, "pct={pct} n={n}");
        }
    }

    #[test]
    fn select_host_breaks_ties_uniformly() {
        let mut rng = SimRng::stream(7, "t");
        let mut counts = [0; 3];
        for _ in 0..3000 {
            counts[select_host(&[5, 9, 9, 9][1..], &mut rng)] += 1;
        }
        assert!(counts.iter().all(|c| *c > 850), "{counts:?}");
        assert_eq!(select_host(&[1, 7, 3], &mut rng), 1);
    }
}
