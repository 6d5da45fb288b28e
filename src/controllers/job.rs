//! The Job controller, after `pkg/controller/job/`: `job_controller.go`
//! (`syncJob`, `manageJob`, finalizer tracking, terminal conditions with
//! the v1.33 `FailureTarget`/`SuccessCriteriaMet` interim conditions),
//! `backoff_utils.go` (pod-failure backoff), `indexed_job_utils.go`
//! (completion indexes) and `pod_failure_policy.go`.

use super::timings;
use super::util::{self, nz};
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent, WatchEventType};
use k8s_openapi::api::batch::v1::{Job, JobCondition, JobStatus, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::any::Any;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

const COMPONENT: &str = "job-controller";
pub const TRACKING_FINALIZER: &str = "batch.kubernetes.io/job-tracking";
pub const COMPLETION_INDEX_ANNOTATION: &str = "batch.kubernetes.io/job-completion-index";

pub const REASON_BACKOFF_LIMIT: &str = "BackoffLimitExceeded";
pub const REASON_DEADLINE: &str = "DeadlineExceeded";
pub const REASON_POD_FAILURE_POLICY: &str = "PodFailurePolicy";
pub const REASON_COMPLETIONS_REACHED: &str = "CompletionsReached";
const MSG_BACKOFF: &str = "Job has reached the specified backoff limit";
const MSG_DEADLINE: &str = "Job was active longer than specified deadline";
const MSG_COMPLETIONS: &str = "Reached expected number of succeeded pods";

/// `backoffRecord`: failures since the last success, and when the last
/// one finished.
#[derive(Clone, Debug, Default)]
struct BackoffRecord {
    failures_after_last_success: u32,
    last_failure: Option<Time>,
}

#[derive(Default)]
pub struct JobController {
    backoff: BTreeMap<String, BackoffRecord>,
}

impl JobController {
    pub fn new() -> Self {
        JobController::default()
    }
}

impl Controller for JobController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::Job(j) => q.add(object_key(
                j.metadata.namespace.as_deref(),
                j.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Pod(p) => {
                let keys = util::pod_event_keys::<Job>(
                    &p.metadata,
                    ev.old.as_ref().map(|o| o.meta()),
                    store,
                    |j| j.spec.as_ref().and_then(|s| s.selector.as_ref()),
                );
                // A deleted orphan is nobody's to adopt.
                let adopters = match ev.event_type {
                    WatchEventType::Deleted => Vec::new(),
                    _ => keys.adopters,
                };
                // `enqueueSyncJobBatched`.
                for k in keys.owners.into_iter().chain(adopters) {
                    q.add_after(k, timings::JOB_SYNC_BATCH_PERIOD);
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((_, job)) = util::get::<Job>(ctx.store, ns, name) else {
            self.backoff.remove(key);
            return Action::AwaitChange;
        };
        self.sync(ctx, key, job)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

// ----- helpers ----------------------------------------------------------

fn condition<'a>(j: &'a Job, t: &str) -> Option<&'a JobCondition> {
    j.status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .find(|c| c.type_ == t && c.status == "True")
}

/// `IsJobFinished`: a Complete or Failed condition is True.
pub fn is_job_finished(j: &Job) -> bool {
    condition(j, "Complete").is_some() || condition(j, "Failed").is_some()
}

/// The time a finished Job finished (its terminal condition's transition).
pub fn finish_time(j: &Job) -> Option<Time> {
    condition(j, "Complete")
        .or_else(|| condition(j, "Failed"))
        .and_then(|c| c.last_transition_time.clone())
}

fn new_condition(t: &str, reason: &str, msg: &str, now: &Time) -> JobCondition {
    JobCondition {
        type_: t.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(msg.into()),
        last_probe_time: Some(now.clone()),
        last_transition_time: Some(now.clone()),
    }
}

fn is_indexed(j: &Job) -> bool {
    j.spec.as_ref().and_then(|s| s.completion_mode.as_deref()) == Some("Indexed")
}

fn completion_index(p: &Pod) -> Option<i32> {
    util::annotation(&p.metadata, COMPLETION_INDEX_ANNOTATION).and_then(|v| v.parse().ok())
}

/// `orderedIntervals.String()`: `0-2,4`.
pub fn format_indexes(set: &BTreeSet<i32>) -> String {
    let mut parts = Vec::new();
    let mut it = set.iter().peekable();
    while let Some(&first) = it.next() {
        let mut last = first;
        while it.peek().is_some_and(|n| **n == last + 1) {
            last = *it.next().unwrap();
        }
        parts.push(if first == last {
            first.to_string()
        } else {
            format!("{first}-{last}")
        });
    }
    parts.join(",")
}

/// Parses `0-2,4` (`parseIndexesFromString`).
pub fn parse_indexes(s: &str) -> BTreeSet<i32> {
    let mut out = BTreeSet::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                if let (Ok(a), Ok(b)) = (a.parse::<i32>(), b.parse::<i32>()) {
                    out.extend(a..=b);
                }
            }
            None => {
                if let Ok(a) = part.parse() {
                    out.insert(a);
                }
            }
        }
    }
    out
}

/// `getFinishedTime`: containers' latest finishedAt, else the Ready=False
/// transition, else deletion time minus grace, else creation.
fn finished_time(p: &Pod) -> Option<Time> {
    let st = p.status.as_ref();
    let cs = st.and_then(|s| s.container_statuses.as_ref());
    if let Some(cs) = cs.filter(|c| !c.is_empty()) {
        let times: Option<Vec<Time>> = cs
            .iter()
            .map(|c| {
                c.state
                    .as_ref()
                    .and_then(|s| s.terminated.as_ref())
                    .and_then(|t| t.finished_at.clone())
            })
            .collect();
        if let Some(t) = times.and_then(|ts| ts.into_iter().max_by_key(|t| t.0)) {
            return Some(t);
        }
    }
    if let Some(c) = st.and_then(|s| s.conditions.as_ref()).and_then(|cs| {
        cs.iter()
            .find(|c| c.type_ == "Ready" && c.status == "False")
    }) {
        if let Some(t) = &c.last_transition_time {
            return Some(t.clone());
        }
    }
    if let Some(t) = &p.metadata.deletion_timestamp {
        return Some(util::add_secs(
            t,
            -p.metadata.deletion_grace_period_seconds.unwrap_or(0),
        ));
    }
    p.metadata.creation_timestamp.clone()
}

/// `getRemainingTimeForFailuresCount`: 10 s doubling per failure, capped.
fn remaining_backoff(rec: &BackoffRecord, now: &Time) -> Duration {
    if rec.failures_after_last_success == 0 {
        return Duration::ZERO;
    }
    let mut d = timings::JOB_POD_FAILURE_BACKOFF;
    for _ in 1..rec.failures_after_last_success {
        d *= 2;
        if d >= timings::JOB_POD_FAILURE_BACKOFF_MAX {
            d = timings::JOB_POD_FAILURE_BACKOFF_MAX;
            break;
        }
    }
    let elapsed = rec
        .last_failure
        .as_ref()
        .map(|t| util::until(t, now))
        .unwrap_or(Duration::ZERO);
    d.saturating_sub(elapsed)
}

/// A pod's outcome under the pod failure policy: (counts as a failure,
/// fail-the-job message).
fn match_pod_failure_policy(j: &Job, p: &Pod) -> (bool, Option<String>) {
    let Some(policy) = j.spec.as_ref().and_then(|s| s.pod_failure_policy.as_ref()) else {
        return (true, None);
    };
    let ns = p.metadata.namespace.as_deref().unwrap_or("");
    let name = p.metadata.name.as_deref().unwrap_or("");
    let st = p.status.clone().unwrap_or_default();
    for (i, rule) in policy.rules.iter().enumerate() {
        let mut matched: Option<String> = None;
        if let Some(req) = &rule.on_exit_codes {
            let statuses = st
                .container_statuses
                .iter()
                .flatten()
                .chain(st.init_container_statuses.iter().flatten());
            for cs in statuses {
                if req.container_name.as_deref().is_some_and(|n| n != cs.name) {
                    continue;
                }
                let Some(t) = cs.state.as_ref().and_then(|s| s.terminated.as_ref()) else {
                    continue;
                };
                if t.exit_code == 0 {
                    continue;
                }
                let hit = match req.operator.as_str() {
                    "In" => req.values.contains(&t.exit_code),
                    "NotIn" => !req.values.contains(&t.exit_code),
                    _ => false,
                };
                if hit {
                    matched = Some(format!(
                        "Container {} for pod {ns}/{name} failed with exit code {} matching {} rule at index {i}",
                        cs.name, t.exit_code, rule.action
                    ));
                    break;
                }
            }
        } else if let Some(pats) = &rule.on_pod_conditions {
            for pat in pats {
                let want: &str = pat.status.as_str();
                if let Some(c) = st
                    .conditions
                    .iter()
                    .flatten()
                    .find(|c| c.type_ == pat.type_ && c.status == want)
                {
                    matched = Some(format!(
                        "Pod {ns}/{name} has condition {} matching {} rule at index {i}",
                        c.type_, rule.action
                    ));
                    break;
                }
            }
        }
        if let Some(msg) = matched {
            return match rule.action.as_str() {
                "Ignore" => (false, None),
                "FailJob" => (true, Some(msg)),
                _ => (true, None),
            };
        }
    }
    (true, None)
}

fn is_finished_pod(p: &Pod) -> bool {
    matches!(util::pod_phase(p), "Succeeded" | "Failed")
        || (p.metadata.deletion_timestamp.is_some()
            && p.metadata.deletion_grace_period_seconds == Some(0))
}

fn has_tracking_finalizer(p: &Pod) -> bool {
    p.metadata
        .finalizers
        .iter()
        .flatten()
        .any(|f| f == TRACKING_FINALIZER)
}

// ----- the sync -----------------------------------------------------------

impl JobController {
    fn sync(&mut self, ctx: &mut Ctx, key: &str, job: Job) -> Action {
        let ns = job.metadata.namespace.clone().unwrap_or_default();
        let name = job.metadata.name.clone().unwrap_or_default();
        let obj = Object::Job(job.clone());
        let now = ctx.store.timestamp_secs();
        let spec = job.spec.clone().unwrap_or_default();
        let sel = spec.selector.clone();
        let all = util::pods_in(ctx.store, &ns);
        let pods = util::claim_pods(ctx.store, Kind::Job, &job.metadata, sel.as_ref(), all);

        if is_job_finished(&job) {
            // Finished: only the tracking finalizers are left to remove.
            for p in pods.iter().filter(|p| has_tracking_finalizer(p)) {
                remove_tracking_finalizer(ctx.store, p);
            }
            self.backoff.remove(key);
            return Action::AwaitChange;
        }

        let mut status = job.status.clone().unwrap_or_default();
        let mut fail_msg: Option<String> = None;
        // Count the newly finished pods, then let them go (finalizer).
        let mut succeeded_idx = parse_indexes(status.completed_indexes.as_deref().unwrap_or(""));
        let (mut new_succeeded, mut new_failed) = (Vec::new(), Vec::new());
        for p in pods
            .iter()
            .filter(|p| has_tracking_finalizer(p) && is_finished_pod(p))
        {
            if util::pod_phase(p) == "Succeeded" {
                if is_indexed(&job) {
                    if let Some(i) =
                        completion_index(p).filter(|i| *i < spec.completions.unwrap_or(1))
                    {
                        succeeded_idx.insert(i);
                    }
                } else {
                    status.succeeded = Some(status.succeeded.unwrap_or(0) + 1);
                }
                new_succeeded.push(p.clone());
            } else {
                let (counts, msg) = match_pod_failure_policy(&job, p);
                if fail_msg.is_none() {
                    fail_msg = msg;
                }
                if counts {
                    status.failed = Some(status.failed.unwrap_or(0) + 1);
                    new_failed.push(p.clone());
                }
            }
            remove_tracking_finalizer(ctx.store, p);
        }
        if is_indexed(&job) {
            status.succeeded = nz(succeeded_idx.len() as i32);
            status.completed_indexes = if succeeded_idx.is_empty() {
                None
            } else {
                Some(format_indexes(&succeeded_idx))
            };
        }
        self.update_backoff(key, &new_succeeded, &new_failed);

        let fresh: Vec<Pod> = util::pods_in(ctx.store, &ns)
            .into_iter()
            .filter(|p| {
                util::is_controlled_by(&p.metadata, job.metadata.uid.as_deref().unwrap_or(""))
            })
            .collect();
        let active_pods: Vec<Pod> = fresh
            .iter()
            .filter(|p| util::is_pod_active(p))
            .cloned()
            .collect();
        let terminating = fresh
            .iter()
            .filter(|p| {
                p.metadata.deletion_timestamp.is_some()
                    && !matches!(util::pod_phase(p), "Succeeded" | "Failed")
            })
            .count() as i32;
        let suspended = spec.suspend.unwrap_or(false);
        if status.start_time.is_none() && !suspended {
            status.start_time = Some(now.clone());
        }
        let succeeded = status.succeeded.unwrap_or(0);
        let failed = status.failed.unwrap_or(0);
        let mut requeue: Option<Duration> = None;

        // The terminal condition this sync aims for.
        let mut finished: Option<JobCondition> = None;
        if let Some(c) = condition(&job, "FailureTarget") {
            finished = Some(new_condition(
                "Failed",
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
                &now,
            ));
        } else if let Some(c) = condition(&job, "SuccessCriteriaMet") {
            finished = Some(new_condition(
                "Complete",
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
                &now,
            ));
        } else if let Some(msg) = fail_msg {
            finished = Some(new_condition(
                "FailureTarget",
                REASON_POD_FAILURE_POLICY,
                &msg,
                &now,
            ));
        } else if failed > spec.backoff_limit.unwrap_or(6)
            || past_backoff_limit_on_failure(&job, &active_pods)
        {
            finished = Some(new_condition(
                "FailureTarget",
                REASON_BACKOFF_LIMIT,
                MSG_BACKOFF,
                &now,
            ));
        } else if let Some(deadline) = spec.active_deadline_seconds.filter(|_| !suspended) {
            let start = status.start_time.clone().unwrap_or(now.clone());
            let at = util::add_secs(&start, deadline);
            if at.0 <= ctx.store.timestamp().0 {
                finished = Some(new_condition(
                    "FailureTarget",
                    REASON_DEADLINE,
                    MSG_DEADLINE,
                    &now,
                ));
            } else {
                requeue = Some(util::until(&ctx.store.timestamp(), &at));
            }
        }

        let mut active = active_pods.len() as i32;
        let is_failing = finished
            .as_ref()
            .is_some_and(|c| c.type_ == "FailureTarget" || c.type_ == "Failed");
        if is_failing {
            for p in &active_pods {
                if util::delete_pod(ctx.store, &obj, p, COMPONENT).is_ok() {
                    active -= 1;
                }
            }
        } else if finished.is_none() {
            if job.metadata.deletion_timestamp.is_none() {
                let (a, r) = self.manage_job(
                    ctx,
                    key,
                    &obj,
                    &job,
                    &active_pods,
                    succeeded,
                    &succeeded_idx,
                    terminating,
                );
                active = a;
                if let Some(r) = r {
                    requeue = Some(requeue.map_or(r, |q| q.min(r)));
                }
            }
            let complete = match spec.completions {
                None => succeeded > 0 && active == 0,
                Some(c) => succeeded >= c && active == 0,
            };
            if complete {
                finished = Some(new_condition(
                    "SuccessCriteriaMet",
                    REASON_COMPLETIONS_REACHED,
                    MSG_COMPLETIONS,
                    &now,
                ));
            } else {
                self.suspend_conditions(ctx, &obj, &mut status, suspended, &now);
            }
        }
        let ready = active_pods.iter().filter(|p| util::is_pod_ready(p)).count() as i32;
        status.active = nz(active.max(0));
        status.ready = Some(ready);
        let terminating_now = util::pods_in(ctx.store, &ns)
            .iter()
            .filter(|p| {
                util::is_controlled_by(&p.metadata, job.metadata.uid.as_deref().unwrap_or(""))
            })
            .filter(|p| {
                p.metadata.deletion_timestamp.is_some()
                    && !matches!(util::pod_phase(p), "Succeeded" | "Failed")
            })
            .count() as i32;
        status.terminating = Some(terminating_now);
        status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());

        // Interim condition first; the terminal one once no pod is
        // terminating (`delayTerminalCondition`).
        let mut finished_now: Option<JobCondition> = None;
        if let Some(c) = finished {
            let (interim, terminal) = match c.type_.as_str() {
                "FailureTarget" => (
                    Some(c.clone()),
                    new_condition(
                        "Failed",
                        c.reason.as_deref().unwrap_or(""),
                        c.message.as_deref().unwrap_or(""),
                        &now,
                    ),
                ),
                "SuccessCriteriaMet" => (
                    Some(c.clone()),
                    new_condition(
                        "Complete",
                        c.reason.as_deref().unwrap_or(""),
                        c.message.as_deref().unwrap_or(""),
                        &now,
                    ),
                ),
                _ => (None, c.clone()),
            };
            let conds = status.conditions.get_or_insert_with(Vec::new);
            if let Some(i) = interim {
                if !conds.iter().any(|x| x.type_ == i.type_) {
                    conds.push(i);
                }
            }
            if terminating_now == 0 {
                if !conds.iter().any(|x| x.type_ == terminal.type_) {
                    conds.push(terminal.clone());
                }
                if terminal.type_ == "Complete" {
                    status.completion_time = terminal.last_transition_time.clone();
                }
                finished_now = Some(terminal);
            }
        }
        if job.status.as_ref() != Some(&status) {
            let st = status.clone();
            let _ = ctx
                .store
                .modify::<Job>(&ns, &name, true, |j| j.status = Some(st));
        }
        if let Some(c) = finished_now {
            // `recordJobFinished`.
            if c.type_ == "Complete" {
                util::record(
                    ctx.store,
                    &obj,
                    "Normal",
                    "Completed",
                    "Job completed",
                    COMPONENT,
                );
            } else {
                util::record(
                    ctx.store,
                    &obj,
                    "Warning",
                    c.reason.as_deref().unwrap_or(""),
                    c.message.as_deref().unwrap_or(""),
                    COMPONENT,
                );
            }
            // The now-finished Job drops the finalizers of what is left.
            for p in util::pods_in(ctx.store, &ns).iter().filter(|p| {
                util::is_controlled_by(&p.metadata, job.metadata.uid.as_deref().unwrap_or(""))
                    && has_tracking_finalizer(p)
            }) {
                remove_tracking_finalizer(ctx.store, p);
            }
            self.backoff.remove(key);
            return Action::AwaitChange;
        }
        match requeue {
            Some(d) => Action::RequeueAfter(d),
            None => Action::AwaitChange,
        }
    }

    fn update_backoff(&mut self, key: &str, succeeded: &[Pod], failed: &[Pod]) {
        let rec = self.backoff.entry(key.to_string()).or_default();
        let mut failed_times: Vec<Time> = failed.iter().filter_map(finished_time).collect();
        failed_times.sort_by_key(|t| t.0);
        if succeeded.is_empty() {
            if let Some(last) = failed_times.last() {
                rec.failures_after_last_success += failed_times.len() as u32;
                rec.last_failure = Some(last.clone());
            }
            return;
        }
        let last_success = succeeded
            .iter()
            .filter_map(finished_time)
            .max_by_key(|t| t.0);
        rec.failures_after_last_success = 0;
        rec.last_failure = None;
        for t in failed_times.iter().rev() {
            if last_success.as_ref().is_some_and(|s| t.0 <= s.0) {
                break;
            }
            if rec.last_failure.is_none() {
                rec.last_failure = Some(t.clone());
            }
            rec.failures_after_last_success += 1;
        }
    }

    /// Suspended / resumed conditions and events.
    fn suspend_conditions(
        &mut self,
        ctx: &mut Ctx,
        obj: &Object,
        status: &mut JobStatus,
        suspended: bool,
        now: &Time,
    ) {
        let conds = status.conditions.get_or_insert_with(Vec::new);
        let cur = conds.iter().position(|c| c.type_ == "Suspended");
        if suspended {
            if cur.is_none_or(|i| conds[i].status != "True") {
                if let Some(i) = cur {
                    conds.remove(i);
                }
                conds.push(new_condition(
                    "Suspended",
                    "JobSuspended",
                    "Job suspended",
                    now,
                ));
                util::record(
                    ctx.store,
                    obj,
                    "Normal",
                    "Suspended",
                    "Job suspended",
                    COMPONENT,
                );
            }
        } else if let Some(i) = cur.filter(|i| conds[*i].status == "True") {
            conds[i] = JobCondition {
                status: "False".into(),
                reason: Some("JobResumed".into()),
                message: Some("Job resumed".into()),
                last_probe_time: Some(now.clone()),
                last_transition_time: Some(now.clone()),
                ..conds[i].clone()
            };
            status.start_time = Some(now.clone());
            util::record(
                ctx.store,
                obj,
                "Normal",
                "Resumed",
                "Job resumed",
                COMPONENT,
            );
        }
        if status.conditions.as_ref().is_some_and(|c| c.is_empty()) {
            status.conditions = None;
        }
    }

    /// `manageJob`: the active pods the Job wants, with the failure backoff.
    #[allow(clippy::too_many_arguments)]
    fn manage_job(
        &mut self,
        ctx: &mut Ctx,
        key: &str,
        obj: &Object,
        job: &Job,
        active_pods: &[Pod],
        succeeded: i32,
        succeeded_idx: &BTreeSet<i32>,
        terminating: i32,
    ) -> (i32, Option<Duration>) {
        let spec = job.spec.clone().unwrap_or_default();
        let mut active = active_pods.len() as i32;
        if spec.suspend.unwrap_or(false) {
            for p in active_pods {
                if util::delete_pod(ctx.store, obj, p, COMPONENT).is_ok() {
                    active -= 1;
                }
            }
            return (active, None);
        }
        let parallelism = spec.parallelism.unwrap_or(1);
        let want = match spec.completions {
            None => {
                if succeeded > 0 {
                    active
                } else {
                    parallelism
                }
            }
            Some(c) => (c - succeeded).clamp(0, parallelism),
        };
        // Too many: delete (pending and not ready first, newest first).
        if active > want {
            let mut sorted: Vec<&Pod> = active_pods.iter().collect();
            sorted.sort_by_key(|p| {
                (
                    !util::pod_node(p).is_empty(),
                    util::pod_phase(p) == "Running",
                    util::is_pod_ready(p),
                    std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)),
                )
            });
            for p in sorted.into_iter().take((active - want) as usize) {
                if util::delete_pod(ctx.store, obj, p, COMPONENT).is_ok() {
                    active -= 1;
                }
            }
            return (active, None);
        }
        if active >= want {
            return (active, None);
        }
        let now = ctx.store.timestamp();
        let rec = self.backoff.get(key).cloned().unwrap_or_default();
        let remaining = remaining_backoff(&rec, &now);
        if remaining > Duration::ZERO {
            return (active, Some(remaining));
        }
        let mut diff = (want - active) as usize;
        // podReplacementPolicy: Failed waits for terminating pods to finish.
        let only_failed = spec.pod_replacement_policy.as_deref() == Some("Failed")
            || spec.pod_failure_policy.is_some();
        if only_failed {
            diff = diff.saturating_sub(terminating.max(0) as usize);
        }
        diff = diff.min(timings::MAX_POD_CREATE_DELETE_PER_SYNC);
        let mut indexes: Vec<i32> = Vec::new();
        if is_indexed(job) {
            let active_idx: BTreeSet<i32> =
                active_pods.iter().filter_map(completion_index).collect();
            indexes = (0..spec.completions.unwrap_or(1))
                .filter(|i| !succeeded_idx.contains(i) && !active_idx.contains(i))
                .take(diff)
                .collect();
            diff = indexes.len();
        }
        let ns = job.metadata.namespace.clone().unwrap_or_default();
        let name = job.metadata.name.clone().unwrap_or_default();
        let mut template = spec.template.clone();
        let fins = template
            .metadata
            .get_or_insert_with(Default::default)
            .finalizers
            .get_or_insert_with(Vec::new);
        if !fins.iter().any(|f| f == TRACKING_FINALIZER) {
            fins.push(TRACKING_FINALIZER.into());
        }
        if is_indexed(job) {
            add_completion_index_env(&mut template);
        }
        let cref = util::new_controller_ref(Kind::Job, &job.metadata);
        for i in 0..diff {
            let mut t = template.clone();
            let mut prefix = format!("{name}-");
            if let Some(idx) = indexes.get(i) {
                let m = t.metadata.get_or_insert_with(Default::default);
                m.annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(COMPLETION_INDEX_ANNOTATION.into(), idx.to_string());
                util::set_label(&mut m.labels, COMPLETION_INDEX_ANNOTATION, &idx.to_string());
                if let Some(s) = t.spec.as_mut() {
                    s.hostname = Some(format!("{name}-{idx}"));
                }
                prefix = format!("{name}-{idx}-");
            }
            let res = util::create_pod(ctx.store, ctx.rng, obj, COMPONENT, |suffix| {
                util::pod_from_template(&t, &ns, &prefix, suffix, cref.clone())
            });
            if res.is_err() {
                break;
            }
            active += 1;
        }
        (active, None)
    }
}

/// `pastBackoffLimitOnFailure`: with restartPolicy OnFailure the container
/// restarts count against backoffLimit.
fn past_backoff_limit_on_failure(j: &Job, active: &[Pod]) -> bool {
    let spec = j.spec.clone().unwrap_or_default();
    if spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.restart_policy.as_deref())
        != Some("OnFailure")
    {
        return false;
    }
    let mut restarts = 0;
    for p in active {
        let st = p.status.clone().unwrap_or_default();
        for cs in st
            .container_statuses
            .iter()
            .flatten()
            .chain(st.init_container_statuses.iter().flatten())
        {
            restarts += cs.restart_count;
        }
    }
    let limit = spec.backoff_limit.unwrap_or(6);
    if limit == 0 {
        return restarts > 0;
    }
    restarts >= limit
}

/// `addCompletionIndexEnvVariables`.
fn add_completion_index_env(t: &mut k8s_openapi::api::core::v1::PodTemplateSpec) {
    let Some(spec) = t.spec.as_mut() else { return };
    let var = EnvVar {
        name: "JOB_COMPLETION_INDEX".into(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: None,
                field_path: format!("metadata.annotations['{COMPLETION_INDEX_ANNOTATION}']"),
            }),
            ..Default::default()
        }),
    };
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        let env = c.env.get_or_insert_with(Vec::new);
        if !env.iter().any(|e| e.name == "JOB_COMPLETION_INDEX") {
            env.push(var.clone());
        }
    }
}

fn remove_tracking_finalizer(store: &mut Store, p: &Pod) {
    let ns = p.metadata.namespace.clone().unwrap_or_default();
    let name = p.metadata.name.clone().unwrap_or_default();
    let _ = store.modify::<Pod>(&ns, &name, false, |p| {
        if let Some(f) = p.metadata.finalizers.as_mut() {
            f.retain(|x| x != TRACKING_FINALIZER);
            if f.is_empty() {
                p.metadata.finalizers = None;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `indexed_job_utils.go` interval strings.
    #[test]
    fn completed_indexes_round_trip() {
        let s: BTreeSet<i32> = [0, 1, 2, 4, 6, 7].into_iter().collect();
        assert_eq!(format_indexes(&s), "0-2,4,6-7");
        assert_eq!(parse_indexes("0-2,4,6-7"), s);
        assert_eq!(format_indexes(&BTreeSet::new()), "");
    }

    /// `backoff_utils_test.go`: 10 s, 20 s, 40 s ... capped at 10 min.
    #[test]
    fn backoff_doubles_and_caps() {
        let now = Time(jiff::Timestamp::UNIX_EPOCH);
        let rec = |n| BackoffRecord {
            failures_after_last_success: n,
            last_failure: Some(now.clone()),
        };
        let secs: Vec<u64> = (0..9)
            .map(|n| remaining_backoff(&rec(n), &now).as_secs())
            .collect();
        assert_eq!(secs, [0, 10, 20, 40, 80, 160, 320, 600, 600]);
    }
}
