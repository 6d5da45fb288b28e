//! DefaultPreemption (PostFilter): when no node fits, find nodes where
//! evicting lower-priority pods would let the pod in, respecting
//! PodDisruptionBudgets, pick one, and nominate it.
//! Upstream: `pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go`,
//! `pkg/scheduler/framework/preemption/preemption.go`.

use crate::scheduler::cache::PdbInfo;
use crate::scheduler::fit_error::fit_error_message;
use crate::scheduler::framework::{
    points, Code, CycleState, Framework, Handle, NodeStatuses, Plugin, PostFilterResult, Status,
};
use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use crate::sim::rng::SimRng;
use std::sync::Arc;

pub const NAME: &str = "DefaultPreemption";
pub const ERR_NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
pub const ERR_NO_VICTIMS: &str = "No preemption victims found for incoming pod";

pub struct DefaultPreemption {
    pub min_candidate_nodes_percentage: i32,
    pub min_candidate_nodes_absolute: i32,
}

impl Default for DefaultPreemption {
    fn default() -> DefaultPreemption {
        DefaultPreemption {
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
        }
    }
}

/// A node where preemption would work, and what it costs.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub node: usize,
    pub victims: Vec<Arc<PodInfo>>,
    pub num_pdb_violations: i64,
}

/// `filterPodsWithPDBViolation`.
pub fn filter_pods_with_pdb_violation(
    pods: &[Arc<PodInfo>],
    pdbs: &[&PdbInfo],
) -> (Vec<Arc<PodInfo>>, Vec<Arc<PodInfo>>) {
    let mut allowed: Vec<i32> = pdbs.iter().map(|p| p.disruptions_allowed).collect();
    let (mut violating, mut non_violating) = (Vec::new(), Vec::new());
    for p in pods {
        let mut violated = false;
        if !p.labels.is_empty() {
            for (i, pdb) in pdbs.iter().enumerate() {
                if pdb.namespace != p.namespace {
                    continue;
                }
                let Some(sel) = &pdb.selector else { continue };
                if sel.is_empty() || !sel.matches(&p.labels) {
                    continue;
                }
                if pdb.disrupted_pods.contains(&p.name) {
                    continue;
                }
                allowed[i] -= 1;
                if allowed[i] < 0 {
                    violated = true;
                }
            }
        }
        if violated {
            violating.push(p.clone());
        } else {
            non_violating.push(p.clone());
        }
    }
    (violating, non_violating)
}

impl DefaultPreemption {
    /// `calculateNumCandidates`.
    fn num_candidates(&self, n: usize) -> usize {
        let mut c = n * self.min_candidate_nodes_percentage as usize / 100;
        if c < self.min_candidate_nodes_absolute as usize {
            c = self.min_candidate_nodes_absolute as usize;
        }
        c.min(n)
    }

    /// `SelectVictimsOnNode`.
    fn select_victims_on_node(
        &self,
        fw: &Framework,
        state: &mut CycleState,
        pod: &PodInfo,
        node: &mut NodeInfo,
        pdbs: &[&PdbInfo],
        h: &Handle,
    ) -> Result<(Vec<Arc<PodInfo>>, i64), Status> {
        let mut potential: Vec<Arc<PodInfo>> = node
            .pods
            .iter()
            .filter(|p| p.priority < pod.priority)
            .cloned()
            .collect();
        for p in &potential {
            node.remove_pod(&p.uid);
            fw.run_remove_pod(state, pod, p, node, h);
        }
        if potential.is_empty() {
            return Err(Status::unresolvable(ERR_NO_VICTIMS));
        }
        let s = fw.run_filter_with_nominated(state, pod, node, h);
        if !s.is_success() {
            return Err(s);
        }
        let now = h.now_ms;
        potential.sort_by(|a, b| {
            if a.more_important_than(b, now) {
                std::cmp::Ordering::Less
            } else if b.more_important_than(a, now) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        let (violating, non_violating) = filter_pods_with_pdb_violation(&potential, pdbs);
        let mut victims = Vec::new();
        let mut num_violating = 0;
        let mut reprieve =
            |p: &Arc<PodInfo>, state: &mut CycleState, node: &mut NodeInfo| -> bool {
                node.add_pod(p.clone());
                fw.run_add_pod(state, pod, p, node, h);
                let fits = fw
                    .run_filter_with_nominated(state, pod, node, h)
                    .is_success();
                if !fits {
                    node.remove_pod(&p.uid);
                    fw.run_remove_pod(state, pod, p, node, h);
                    victims.push(p.clone());
                }
                fits
            };
        for p in &violating {
            if !reprieve(p, state, node) {
                num_violating += 1;
            }
        }
        for p in &non_violating {
            reprieve(p, state, node);
        }
        if !violating.is_empty() && !non_violating.is_empty() {
            victims.sort_by(|a, b| {
                if a.more_important_than(b, now) {
                    std::cmp::Ordering::Less
                } else if b.more_important_than(a, now) {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            });
        }
        Ok((victims, num_violating))
    }
}

/// `pickOneNodeForPreemption`: fewest PDB violations, lowest highest
/// victim priority, lowest priority sum, fewest victims, latest start of
/// the highest-priority victims, then the first.
pub fn pick_one_node_for_preemption(cands: &[Candidate], now_ms: i64) -> Option<usize> {
    if cands.is_empty() {
        return None;
    }
    type ScoreFn = fn(&Candidate, i64) -> i64;
    let funcs: [ScoreFn; 5] = [
        |c, _| -c.num_pdb_violations,
        |c, _| -(c.victims[0].priority as i64),
        |c, _| {
            -c.victims
                .iter()
                .map(|p| p.priority as i64 + i32::MAX as i64 + 1)
                .sum::<i64>()
        },
        |c, _| -(c.victims.len() as i64),
        |c, now| {
            // GetEarliestPodStartTime among the highest-priority victims.
            let mut max_p = c.victims[0].priority;
            let mut earliest = c.victims[0].start_ms.unwrap_or(now);
            for v in &c.victims {
                let st = v.start_ms.unwrap_or(now);
                if v.priority == max_p {
                    earliest = earliest.min(st);
                } else if v.priority > max_p {
                    max_p = v.priority;
                    earliest = st;
                }
            }
            earliest
        },
    ];
    let mut all: Vec<usize> = (0..cands.len()).collect();
    for f in funcs {
        let mut best = i64::MIN;
        let mut selected = Vec::new();
        for &i in &all {
            let s = f(&cands[i], now_ms);
            if s > best {
                best = s;
                selected.clear();
            }
            if s == best {
                selected.push(i);
            }
        }
        if selected.len() == 1 {
            return Some(selected[0]);
        }
        all = selected;
    }
    all.first().copied()
}

fn fail(msg: String) -> PostFilterResult {
    PostFilterResult {
        status: Status::unschedulable(format!("preemption: {msg}")),
        nominated_node: None,
        victims: Vec::new(),
        clear_nominations: Vec::new(),
    }
}

impl Plugin for DefaultPreemption {
    fn name(&self) -> &'static str {
        NAME
    }
    fn points(&self) -> u16 {
        points::POST_FILTER
    }
    fn post_filter(
        &self,
        fw: &Framework,
        state: &CycleState,
        pod: &PodInfo,
        statuses: &NodeStatuses,
        h: &Handle,
        rng: &mut SimRng,
    ) -> PostFilterResult {
        // PodEligibleToPreemptOthers.
        if pod.preempt_never {
            return fail("not eligible due to preemptionPolicy=Never.".into());
        }
        let status_of = |idx: usize| statuses.iter().find(|(i, _)| *i == idx).map(|(_, s)| s);
        if !pod.nominated_node_name.is_empty() {
            if let Some(ni) = h.cache.node_by_name(&pod.nominated_node_name) {
                let unresolvable =
                    status_of(ni.idx).is_some_and(|s| s.code == Code::UnschedulableAndUnresolvable);
                if !unresolvable
                    && ni
                        .pods
                        .iter()
                        .any(|p| p.priority < pod.priority && p.terminating_by_preemption)
                {
                    return fail(
                        "not eligible due to a terminating pod on the nominated node.".into(),
                    );
                }
            }
        }
        // nodesWherePreemptionMightHelp.
        let all = h.cache.num_nodes();
        let potential: Vec<usize> = h
            .cache
            .order()
            .iter()
            .copied()
            .filter(|i| status_of(*i).is_none_or(|s| s.code != Code::UnschedulableAndUnresolvable))
            .collect();
        let mut node_statuses: Vec<Status> = Vec::new();
        let mut violating = Vec::new();
        let mut non_violating = Vec::new();
        if !potential.is_empty() {
            let pdbs: Vec<&PdbInfo> = h.cache.pdbs.values().collect();
            let offset = rng.below(potential.len() as u64) as usize;
            let want = self.num_candidates(potential.len());
            for i in 0..potential.len() {
                let idx = potential[(offset + i) % potential.len()];
                let mut node = h.cache.node(idx).clone();
                let mut st = state.clone();
                match self.select_victims_on_node(fw, &mut st, pod, &mut node, &pdbs, h) {
                    Ok((victims, nv)) if !victims.is_empty() => {
                        let c = Candidate {
                            node: idx,
                            victims,
                            num_pdb_violations: nv,
                        };
                        if nv == 0 {
                            non_violating.push(c);
                        } else {
                            violating.push(c);
                        }
                        if !non_violating.is_empty()
                            && non_violating.len() + violating.len() >= want
                        {
                            break;
                        }
                    }
                    Ok(_) => node_statuses.push(Status::new(
                        Code::Error,
                        format!("expected at least one victim pod on node {:?}", node.name),
                    )),
                    Err(s) => node_statuses.push(s),
                }
            }
        }
        let mut cands = non_violating;
        cands.extend(violating);
        if cands.is_empty() {
            let absent = Status::unresolvable(ERR_NOT_HELPFUL);
            let n = node_statuses.len();
            return fail(fit_error_message(
                all,
                node_statuses.iter(),
                n,
                Some(&absent),
                "",
                "",
            ));
        }
        let best = pick_one_node_for_preemption(&cands, h.now_ms).expect("non-empty");
        let c = cands.swap_remove(best);
        let node_name = h.cache.node(c.node).name.clone();
        // Lower-priority pods nominated to this node lose their nomination.
        let clear = h
            .nominated
            .get(&node_name)
            .into_iter()
            .flatten()
            .filter(|p| p.priority < pod.priority && p.uid != pod.uid)
            .cloned()
            .collect();
        PostFilterResult {
            status: Status::success(),
            nominated_node: Some(node_name),
            victims: c.victims,
            clear_nominations: clear,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn victim(p: i32, start: i64) -> Arc<PodInfo> {
        Arc::new(PodInfo {
            priority: p,
            start_ms: Some(start),
            ..Default::default()
        })
    }

    /// default_preemption_test.go TestPickOneNodeForPreemption: "a pod with
    /// lower priority is preempted", "fewer victims", "latest start time".
    #[test]
    fn pick_one_node_orders_like_upstream() {
        let c = |node, v: Vec<Arc<PodInfo>>, pdb| Candidate {
            node,
            victims: v,
            num_pdb_violations: pdb,
        };
        // lower highest priority wins
        let cands = [
            c(0, vec![victim(10, 0)], 0),
            c(1, vec![victim(5, 0), victim(5, 0)], 0),
        ];
        assert_eq!(pick_one_node_for_preemption(&cands, 0), Some(1));
        // fewer PDB violations first
        let cands = [c(0, vec![victim(1, 0)], 1), c(1, vec![victim(10, 0)], 0)];
        assert_eq!(pick_one_node_for_preemption(&cands, 0), Some(1));
        // same priorities: fewer victims
        let cands = [
            c(0, vec![victim(5, 0), victim(5, 0)], 0),
            c(1, vec![victim(5, 0)], 0),
        ];
        assert_eq!(pick_one_node_for_preemption(&cands, 0), Some(1));
        // all equal but start time: the later-started victims are preferred
        let cands = [c(0, vec![victim(5, 100)], 0), c(1, vec![victim(5, 200)], 0)];
        assert_eq!(pick_one_node_for_preemption(&cands, 0), Some(1));
    }

    /// default_preemption_test.go TestFilterPodsWithPDBViolation-style:
    /// a PDB allowing one disruption protects the second matching pod.
    #[test]
    fn pdb_budget_is_spent_in_order() {
        let sel = crate::objects::selectors::Selector::parse("app=web").unwrap();
        let pdb = PdbInfo {
            namespace: "default".into(),
            selector: Some(sel),
            disruptions_allowed: 1,
            disrupted_pods: vec![],
        };
        let pod = |n: &str| {
            Arc::new(PodInfo {
                name: n.into(),
                namespace: "default".into(),
                labels: [("app".to_string(), "web".to_string())].into(),
                ..Default::default()
            })
        };
        let (v, nv) = filter_pods_with_pdb_violation(&[pod("a"), pod("b")], &[&pdb]);
        assert_eq!(
            nv.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["a"]
        );
        assert_eq!(v.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["b"]);
    }
}
