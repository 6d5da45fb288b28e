//! The scheduling queue: activeQ ordered by PrioritySort (priority, then
//! the time the pod entered the queue), backoffQ (1 s doubling to 10 s),
//! and the unschedulable pool, whose pods move back when a cluster event
//! could help them or after 5 minutes; plus the nominator (pods nominated
//! to nodes by preemption).
//! Upstream: `pkg/scheduler/backend/queue/scheduling_queue.go`,
//! `backoff_queue.go`, `nominator.go`; `plugins/queuesort/priority_sort.go`.
//!
//! v1.33 has SchedulerPopFromBackoffQ on: when activeQ is empty the
//! scheduler pops from backoffQ without waiting for the backoff to end.

use super::cache::ClusterEvent;
use super::framework::Nominated;
use super::pod_info::PodInfo;
use crate::sim::SimTime;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

/// `DefaultPodMaxInUnschedulablePodsDuration`.
pub const MAX_IN_UNSCHEDULABLE: Duration = Duration::from_secs(5 * 60);

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Where {
    Active,
    Backoff,
    Unschedulable,
    /// Popped, being scheduled.
    InFlight,
    /// Held by PreEnqueue (scheduling gates).
    Gated,
}

/// `QueuedPodInfo`.
#[derive(Clone, Debug)]
pub struct QueuedPod {
    pub info: Arc<PodInfo>,
    /// When the pod (re-)entered the queue.
    pub timestamp: SimTime,
    pub attempts: u32,
    pub unschedulable_plugins: BTreeSet<&'static str>,
    pub backoff_expiry: SimTime,
    pub place: Where,
    seq: u64,
}

type ActiveKey = (i64, u64, u64, String);

/// The queue.
pub struct SchedulingQueue {
    pods: BTreeMap<String, QueuedPod>,
    active: BTreeSet<ActiveKey>,
    backoff: BTreeSet<(SimTime, u64, String)>,
    unschedulable: BTreeMap<String, SimTime>,
    seq: u64,
    initial_backoff: Duration,
    max_backoff: Duration,
    /// An event arrived while a pod was in flight (moveRequestCycle).
    move_request: bool,
    pub nominated: Nominated,
}

impl SchedulingQueue {
    pub fn new(initial_backoff: Duration, max_backoff: Duration) -> SchedulingQueue {
        SchedulingQueue {
            pods: BTreeMap::new(),
            active: BTreeSet::new(),
            backoff: BTreeSet::new(),
            unschedulable: BTreeMap::new(),
            seq: 0,
            initial_backoff,
            max_backoff,
            move_request: false,
            nominated: Nominated::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.pods.len()
    }
    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }
    pub fn get(&self, key: &str) -> Option<&QueuedPod> {
        self.pods.get(key)
    }
    pub fn num_active(&self) -> usize {
        self.active.len()
    }

    fn active_key(q: &QueuedPod, key: &str) -> ActiveKey {
        (
            -(q.info.priority as i64),
            q.timestamp.0,
            q.seq,
            key.to_string(),
        )
    }

    fn detach(&mut self, key: &str) {
        if let Some(q) = self.pods.get(key) {
            match q.place {
                Where::Active => {
                    self.active.remove(&Self::active_key(q, key));
                }
                Where::Backoff => {
                    self.backoff
                        .remove(&(q.backoff_expiry, q.seq, key.to_string()));
                }
                Where::Unschedulable => {
                    self.unschedulable.remove(key);
                }
                Where::InFlight | Where::Gated => {}
            }
        }
    }

    fn place(&mut self, key: &str, place: Where, now: SimTime) {
        self.detach(key);
        let Some(q) = self.pods.get_mut(key) else {
            return;
        };
        q.place = place;
        match place {
            Where::Active => {
                let k = Self::active_key(q, key);
                self.active.insert(k);
            }
            Where::Backoff => {
                self.backoff
                    .insert((q.backoff_expiry, q.seq, key.to_string()));
            }
            Where::Unschedulable => {
                self.unschedulable.insert(key.to_string(), now);
            }
            Where::InFlight | Where::Gated => {}
        }
    }

    /// `Add`: a new pending pod. `gated` is the PreEnqueue verdict.
    pub fn add(&mut self, info: Arc<PodInfo>, gated: bool, now: SimTime) {
        let key = info.key();
        if self.pods.contains_key(&key) {
            self.update(info, gated, true, now);
            return;
        }
        self.seq += 1;
        self.set_nominated(&info);
        self.pods.insert(
            key.clone(),
            QueuedPod {
                info,
                timestamp: now,
                attempts: 0,
                unschedulable_plugins: BTreeSet::new(),
                backoff_expiry: now,
                place: Where::Gated,
                seq: self.seq,
            },
        );
        self.place(&key, if gated { Where::Gated } else { Where::Active }, now);
    }

    /// `Update`: the pending pod changed. `spec_changed` is isPodUpdated
    /// (anything but status); only such changes requeue an unschedulable pod.
    pub fn update(&mut self, info: Arc<PodInfo>, gated: bool, spec_changed: bool, now: SimTime) {
        let key = info.key();
        let Some(q) = self.pods.get(&key) else {
            self.add(info, gated, now);
            return;
        };
        let place = q.place;
        let uid_changed = q.info.uid != info.uid;
        self.detach(&key);
        self.set_nominated(&info);
        if let Some(q) = self.pods.get_mut(&key) {
            q.info = info;
            if uid_changed {
                q.attempts = 0;
                q.timestamp = now;
            }
        }
        let next = match place {
            _ if gated => Where::Gated,
            Where::Gated => Where::Active,
            Where::Unschedulable | Where::Backoff if spec_changed || uid_changed => {
                self.activate_or_backoff(&key, now)
            }
            p => p,
        };
        if place == Where::InFlight {
            self.move_request = self.move_request || spec_changed;
            return;
        }
        self.place(&key, next, now);
    }

    /// `Delete`.
    pub fn delete(&mut self, key: &str) {
        self.detach(key);
        if let Some(q) = self.pods.remove(key) {
            self.remove_nominated(&q.info);
        }
    }

    fn activate_or_backoff(&self, key: &str, now: SimTime) -> Where {
        match self.pods.get(key) {
            Some(q) if q.backoff_expiry > now => Where::Backoff,
            _ => Where::Active,
        }
    }

    /// `Pop`: the highest-priority active pod; with activeQ empty, the pod
    /// whose backoff ends first (SchedulerPopFromBackoffQ).
    pub fn pop(&mut self, now: SimTime) -> Option<QueuedPod> {
        self.flush_backoff_completed(now);
        let key = if let Some(k) = self.active.iter().next().cloned() {
            k.3
        } else if let Some(k) = self.backoff.iter().next().cloned() {
            k.2
        } else {
            return None;
        };
        self.place(&key, Where::InFlight, now);
        self.move_request = false;
        let q = self.pods.get_mut(&key)?;
        q.attempts += 1;
        Some(q.clone())
    }

    /// Moves pods whose backoff ended to activeQ (`flushBackoffQCompleted`).
    pub fn flush_backoff_completed(&mut self, now: SimTime) {
        let done: Vec<String> = self
            .backoff
            .iter()
            .take_while(|(t, _, _)| *t <= now)
            .map(|(_, _, k)| k.clone())
            .collect();
        for k in done {
            self.place(&k, Where::Active, now);
        }
    }

    /// `flushUnschedulablePodsLeftover`: pods unschedulable for 5 minutes.
    pub fn flush_unschedulable_leftover(&mut self, now: SimTime) {
        let old: Vec<String> = self
            .unschedulable
            .iter()
            .filter(|(_, since)| {
                now.0.saturating_sub(since.0) >= MAX_IN_UNSCHEDULABLE.as_millis() as u64
            })
            .map(|(k, _)| k.clone())
            .collect();
        for k in old {
            let w = self.activate_or_backoff(&k, now);
            self.place(&k, w, now);
        }
    }

    /// `calculateBackoffDuration`: 1 s doubling per attempt up to 10 s.
    pub fn backoff_duration(&self, attempts: u32) -> Duration {
        let mut d = self.initial_backoff;
        for _ in 1..attempts {
            if d > self.max_backoff - d.min(self.max_backoff) {
                return self.max_backoff;
            }
            d += d;
        }
        d.min(self.max_backoff)
    }

    /// The pod was bound: it leaves the queue and the nominator.
    pub fn done(&mut self, key: &str) {
        self.delete(key);
    }

    /// `AddUnschedulableIfNotPresent` after a failed attempt.
    pub fn add_unschedulable(
        &mut self,
        key: &str,
        plugins: BTreeSet<&'static str>,
        info: Arc<PodInfo>,
        now: SimTime,
    ) {
        let backoff = match self.pods.get(key) {
            Some(q) => self.backoff_duration(q.attempts),
            None => return,
        };
        self.set_nominated(&info);
        let move_request = self.move_request;
        if let Some(q) = self.pods.get_mut(key) {
            q.info = info;
            q.unschedulable_plugins = plugins;
            q.timestamp = now;
            q.backoff_expiry = now + backoff;
        }
        self.place(
            key,
            if move_request {
                Where::Backoff
            } else {
                Where::Unschedulable
            },
            now,
        );
    }

    /// Whether `ev` may help a pod rejected by `plugins` (a coarse
    /// version of the plugins' EventsToRegister and queueing hints).
    fn event_helps(ev: &ClusterEvent, plugins: &BTreeSet<&'static str>) -> bool {
        if plugins.is_empty() {
            return true;
        }
        let any = |names: &[&str]| plugins.iter().any(|p| names.contains(p));
        match ev {
            ClusterEvent::NodeAdd | ClusterEvent::NodeUpdate => true,
            ClusterEvent::AssignedPodAdd => any(&["InterPodAffinity", "PodTopologySpread"]),
            ClusterEvent::AssignedPodUpdate => {
                any(&["InterPodAffinity", "PodTopologySpread", "NodeResourcesFit"])
            }
            ClusterEvent::AssignedPodDelete => any(&[
                "NodeResourcesFit",
                "NodePorts",
                "InterPodAffinity",
                "PodTopologySpread",
                "VolumeRestrictions",
                "NodeVolumeLimits",
            ]),
            ClusterEvent::Storage => any(&["VolumeBinding", "VolumeZone", "NodeVolumeLimits"]),
            ClusterEvent::Namespace => any(&["InterPodAffinity"]),
            ClusterEvent::None => false,
        }
    }

    /// `MoveAllToActiveOrBackoffQueue` for one cluster event. Returns
    /// whether any pod moved.
    pub fn on_cluster_event(&mut self, ev: &ClusterEvent, now: SimTime) -> bool {
        if *ev == ClusterEvent::None {
            return false;
        }
        if self.pods.values().any(|q| q.place == Where::InFlight) {
            self.move_request = true;
        }
        let keys: Vec<String> = self
            .unschedulable
            .keys()
            .filter(|k| Self::event_helps(ev, &self.pods[*k].unschedulable_plugins))
            .cloned()
            .collect();
        let moved = !keys.is_empty();
        for k in keys {
            let w = self.activate_or_backoff(&k, now);
            self.place(&k, w, now);
        }
        moved
    }

    /// When the queue next needs the scheduler: now if any pod is ready
    /// (active, or poppable from backoff), else the earliest 5-minute flush.
    pub fn next_wakeup(&self, now: SimTime) -> Option<SimTime> {
        if !self.active.is_empty() || !self.backoff.is_empty() {
            return Some(now);
        }
        self.unschedulable
            .values()
            .map(|since| *since + MAX_IN_UNSCHEDULABLE)
            .min()
    }

    // ----- nominator ------------------------------------------------------

    fn remove_nominated(&mut self, info: &PodInfo) {
        for list in self.nominated.values_mut() {
            list.retain(|p| p.uid != info.uid);
        }
        self.nominated.retain(|_, l| !l.is_empty());
    }

    /// Keeps the nominator in line with the pod's nominatedNodeName.
    pub fn set_nominated(&mut self, info: &Arc<PodInfo>) {
        self.remove_nominated(info);
        if !info.nominated_node_name.is_empty() && info.node_name.is_empty() {
            self.nominated
                .entry(info.nominated_node_name.clone())
                .or_default()
                .push(info.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, prio: i32) -> Arc<PodInfo> {
        Arc::new(PodInfo {
            namespace: "default".into(),
            name: name.into(),
            uid: name.into(),
            priority: prio,
            ..Default::default()
        })
    }

    /// queuesort/priority_sort_test.go TestLess and scheduling_queue_test.go
    /// TestPriorityQueue_Pop: priority first, then queue time.
    #[test]
    fn pops_by_priority_then_time() {
        let mut q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        q.add(pod("low-early", 0), false, SimTime(0));
        q.add(pod("high", 100), false, SimTime(5));
        q.add(pod("low-late", 0), false, SimTime(10));
        let order: Vec<String> =
            std::iter::from_fn(|| q.pop(SimTime(20)).map(|p| p.info.name.clone())).collect();
        assert_eq!(order, ["high", "low-early", "low-late"]);
    }

    /// backoff_queue_test.go TestBackoffQueue_calculateBackoffDuration.
    #[test]
    fn backoff_doubles_to_ten_seconds() {
        let q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        let got: Vec<u64> = (1..=6).map(|a| q.backoff_duration(a).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 10, 10]);
    }

    #[test]
    fn unschedulable_pods_wait_for_a_helpful_event_or_five_minutes() {
        let mut q = SchedulingQueue::new(Duration::from_secs(1), Duration::from_secs(10));
        q.add(pod("p", 0), false, SimTime(0));
        let p = q.pop(SimTime(0)).unwrap();
        q.add_unschedulable(
            "default/p",
            BTreeSet::from(["TaintToleration"]),
            p.info,
            SimTime(0),
        );
        assert!(q.pop(SimTime(1000)).is_none());
        // A pod deletion does not help a taint rejection.
        assert!(!q.on_cluster_event(&ClusterEvent::AssignedPodDelete, SimTime(2000)));
        assert_eq!(q.next_wakeup(SimTime(2000)), Some(SimTime(300_000)));
        // A node update does.
        assert!(q.on_cluster_event(&ClusterEvent::NodeUpdate, SimTime(3000)));
        assert_eq!(q.pop(SimTime(3000)).unwrap().attempts, 2);
        // Leftover flush after 5 minutes.
        let p = q.get("default/p").unwrap().info.clone();
        q.add_unschedulable(
            "default/p",
            BTreeSet::from(["TaintToleration"]),
            p,
            SimTime(3000),
        );
        q.flush_unschedulable_leftover(SimTime(303_000));
        assert!(q.pop(SimTime(303_000)).is_some());
    }
}
