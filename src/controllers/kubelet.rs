//! The node agent (placeholder until the kubelet lands).

use super::{Action, Controller, Ctx, Enqueue};
use crate::cluster::ClusterSpec;
use crate::sim::store::{Store, WatchEvent};
use std::any::Any;

pub struct Kubelet;

impl Kubelet {
    pub fn new(_spec: &ClusterSpec) -> Kubelet {
        Kubelet
    }
}

impl Controller for Kubelet {
    fn name(&self) -> &'static str {
        "kubelet"
    }
    fn on_change(&mut self, _ev: &WatchEvent, _store: &Store, _q: &mut Enqueue) {}
    fn reconcile(&mut self, _key: &str, _ctx: &mut Ctx) -> Action {
        Action::AwaitChange
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// One line a container wrote, with the virtual time it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub time: crate::sim::SimTime,
    pub text: String,
}

impl Kubelet {
    /// The container's log (placeholder: nothing is logged yet).
    pub fn logs(
        &self,
        store: &crate::sim::store::Store,
        ns: &str,
        pod: &str,
        _container: Option<&str>,
        _previous: bool,
        _now: crate::sim::SimTime,
    ) -> Result<Vec<LogLine>, crate::sim::store::ApiError> {
        store.get(crate::objects::Kind::Pod, ns, pod)?;
        Ok(Vec::new())
    }
}
