//! The TTL-after-finished controller, after `pkg/controller/ttlafterfinished/
//! ttlafterfinished_controller.go`: a finished Job with
//! `ttlSecondsAfterFinished` is deleted (foreground) that long after it
//! finished.

use super::job::{finish_time, is_job_finished};
use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{DeleteOptions, Propagation, Store, WatchEvent};
use k8s_openapi::api::batch::v1::Job;
use std::any::Any;

#[derive(Default)]
pub struct TtlAfterFinishedController;

impl TtlAfterFinishedController {
    pub fn new() -> Self {
        TtlAfterFinishedController
    }
}

impl Controller for TtlAfterFinishedController {
    fn name(&self) -> &'static str {
        "ttl-after-finished-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::Job(j) = &*ev.object {
            if j.spec
                .as_ref()
                .and_then(|s| s.ttl_seconds_after_finished)
                .is_some()
                && is_job_finished(j)
            {
                q.add(object_key(
                    j.metadata.namespace.as_deref(),
                    j.metadata.name.as_deref().unwrap_or(""),
                ));
            }
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((_, job)) = util::get::<Job>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        if job.metadata.deletion_timestamp.is_some() || !is_job_finished(&job) {
            return Action::AwaitChange;
        }
        let (Some(ttl), Some(done)) = (
            job.spec.as_ref().and_then(|s| s.ttl_seconds_after_finished),
            finish_time(&job),
        ) else {
            return Action::AwaitChange;
        };
        let expire = util::add_secs(&done, ttl as i64);
        let now = ctx.store.timestamp();
        if expire.0 > now.0 {
            return Action::RequeueAfter(util::until(&now, &expire));
        }
        // Foreground deletion, with the uid as precondition.
        let opts = DeleteOptions {
            propagation: Some(Propagation::Foreground),
            precondition_uid: job.metadata.uid.clone(),
            ..Default::default()
        };
        let _ = ctx.store.delete(Kind::Job, ns, name, &opts);
        Action::AwaitChange
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
