//! Controllers and the node agent: reconcile loops over watched objects,
//! shaped like kube-runtime's (architecture principle 4).
//!
//! A controller sees every store change in [`Controller::on_change`] and only
//! enqueues keys there; the world later calls [`Controller::reconcile`] once
//! per pending key, at a virtual time, and the controller converges that key
//! by writing through the store. A reconcile may ask to run again later.

pub mod clusterrole_aggregation;
pub mod cron;
pub mod cronjob;
pub mod daemonset;
pub mod deployment;
pub mod disruption;
pub mod garbage_collector;
pub mod hpa;
pub mod job;
pub mod kubelet;
pub mod limitrange;
pub mod metrics;
pub mod namespace;
pub mod node_lifecycle;
pub mod podgc;
pub mod replicaset;
pub mod resourcequota;
pub mod revision;
pub mod rollout;
pub mod scale;
pub mod statefulset;
pub mod storage;
pub mod timings;
pub mod ttl_after_finished;
pub mod util;

use crate::sim::rng::SimRng;
use crate::sim::store::{Store, WatchEvent};
use crate::sim::SimTime;
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

/// What a reconcile asks for next.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Converged; wait for the next change.
    AwaitChange,
    /// Run again after this long (a timer, a backoff, a poll).
    RequeueAfter(Duration),
}

/// Keys a controller wants reconciled, each with a delay.
#[derive(Default, Debug)]
pub struct Enqueue {
    pub(crate) keys: Vec<(String, Duration)>,
}

impl Enqueue {
    /// Reconcile `key` as soon as possible (after the current event).
    pub fn add(&mut self, key: impl Into<String>) {
        self.keys.push((key.into(), Duration::ZERO));
    }
    /// Reconcile `key` after `delay`.
    pub fn add_after(&mut self, key: impl Into<String>, delay: Duration) {
        self.keys.push((key.into(), delay));
    }
}

/// What a reconcile may use: the time, the store, its own random stream.
pub struct Ctx<'a> {
    pub now: SimTime,
    pub store: &'a mut Store,
    pub rng: &'a mut SimRng,
    /// Lines for the simulation's own event log (`sim events`).
    pub log: &'a mut Vec<String>,
}

/// A reconcile loop.
pub trait Controller: Any + Send {
    /// A stable name: also the name of the controller's random stream.
    fn name(&self) -> &'static str;
    /// A store change happened: enqueue the keys it affects. No writes here.
    fn on_change(&mut self, event: &WatchEvent, store: &Store, queue: &mut Enqueue);
    /// Converges one key. Idempotent: it reads the current state, not the
    /// event that caused it.
    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// The key of a namespaced object: `ns/name`.
pub fn object_key(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

/// Splits `ns/name` (a cluster-scoped key has no slash).
pub fn split_key(key: &str) -> (&str, &str) {
    key.split_once('/').unwrap_or(("", key))
}

/// One pending reconcile per key, keeping the earliest time.
#[derive(Default, Debug)]
pub(crate) struct Pending {
    pub(crate) at: BTreeMap<String, (SimTime, crate::sim::queue::TimerId)>,
}
