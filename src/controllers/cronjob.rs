//! The CronJob controller, after `pkg/controller/cronjob/
//! cronjob_controllerv2.go` (`syncCronJob`, `cleanupFinishedJobs`) and
//! `utils.go` (`mostRecentScheduleTime`, `nextScheduleTime`,
//! `getJobFromTemplate2`, `getJobName`). Schedules run in virtual time, in
//! `spec.timeZone` (UTC when unset, as a cluster's controller-manager).

use super::cron::{self, Schedule};
use super::job::is_job_finished;
use super::timings;
use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{DeleteOptions, Propagation, Store, WatchEvent, WriteOptions};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

const COMPONENT: &str = "cronjob-controller";
pub const SCHEDULED_TIMESTAMP_ANNOTATION: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

#[derive(Default)]
pub struct CronJobController;

impl CronJobController {
    pub fn new() -> Self {
        CronJobController
    }
}

impl Controller for CronJobController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::CronJob(c) => q.add(object_key(
                c.metadata.namespace.as_deref(),
                c.metadata.name.as_deref().unwrap_or(""),
            )),
            Object::Job(j) => {
                for m in [Some(&j.metadata), ev.old.as_ref().map(|o| o.meta())]
                    .into_iter()
                    .flatten()
                {
                    if let Some(k) = util::controller_key(m, "CronJob") {
                        q.add(k);
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((_, cj)) = util::get::<CronJob>(ctx.store, ns, name) else {
            return Action::AwaitChange;
        };
        sync(ctx, cj)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `getJobName`: `<cronjob>-<scheduled time in minutes since the epoch>`.
pub fn job_name(cj_name: &str, scheduled: Timestamp) -> String {
    format!("{cj_name}-{}", scheduled.as_second().div_euclid(60))
}

/// `kubectl create job NAME --from=cronjob/CJ` (`create_job.go`
/// `createJobFromCronJob`): the CronJob's job template, annotated
/// `cronjob.kubernetes.io/instantiate: manual`, controlled by the CronJob
/// (without blockOwnerDeletion, as kubectl). Create it with `Store::create`.
pub fn job_from_cronjob(cj: &CronJob, name: &str) -> Job {
    let tmpl = cj
        .spec
        .as_ref()
        .map(|s| s.job_template.clone())
        .unwrap_or_default();
    let tm = tmpl.metadata.clone().unwrap_or_default();
    let mut annotations = BTreeMap::from([(
        "cronjob.kubernetes.io/instantiate".to_string(),
        "manual".to_string(),
    )]);
    for (k, v) in tm.annotations.iter().flatten() {
        annotations.insert(k.clone(), v.clone());
    }
    Job {
        metadata: ObjectMeta {
            name: Some(name.to_string()),
            namespace: cj.metadata.namespace.clone(),
            annotations: Some(annotations),
            labels: tm.labels.clone(),
            owner_references: Some(vec![
                k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
                    api_version: "batch/v1".into(),
                    kind: "CronJob".into(),
                    name: cj.metadata.name.clone().unwrap_or_default(),
                    uid: cj.metadata.uid.clone().unwrap_or_default(),
                    controller: Some(true),
                    block_owner_deletion: None,
                },
            ]),
            ..Default::default()
        },
        spec: tmpl.spec,
        status: None,
    }
}

fn tz_of(cj: &CronJob) -> Result<TimeZone, String> {
    match cj.spec.as_ref().and_then(|s| s.time_zone.as_deref()) {
        None | Some("") => Ok(TimeZone::UTC),
        Some(name) => TimeZone::get(name).map_err(|_| format!("unknown time zone {name}")),
    }
}

/// `mostRecentScheduleTime`: (earliest, most recent missed, missed count).
fn most_recent(
    cj: &CronJob,
    now: Timestamp,
    sched: &Schedule,
    tz: &TimeZone,
    with_deadline: bool,
) -> (Timestamp, Option<Timestamp>, u64) {
    let mut earliest = cj
        .status
        .as_ref()
        .and_then(|s| s.last_schedule_time.as_ref())
        .or(cj.metadata.creation_timestamp.as_ref())
        .map(|t| t.0)
        .unwrap_or(now);
    if with_deadline {
        if let Some(d) = cj.spec.as_ref().and_then(|s| s.starting_deadline_seconds) {
            let deadline = now - jiff::SignedDuration::from_secs(d);
            if deadline > earliest {
                earliest = deadline;
            }
        }
    }
    let Some(t1) = sched.next(earliest, tz) else {
        return (earliest, None, 0);
    };
    if now < t1 {
        return (earliest, None, 0);
    }
    let mut last = t1;
    let mut count = 1;
    while let Some(t) = sched.next(last, tz) {
        if t > now {
            break;
        }
        last = t;
        count += 1;
        if count > 10_000 {
            break;
        }
    }
    (earliest, Some(last), count)
}

/// `nextScheduleTimeDuration`: until the next schedule after the most
/// recent one, plus 100 ms.
fn next_duration(
    cj: &CronJob,
    now: Timestamp,
    sched: &Schedule,
    tz: &TimeZone,
) -> Option<Duration> {
    let (earliest, recent, _) = most_recent(cj, now, sched, tz, false);
    let base = recent.unwrap_or(earliest);
    let next = sched.next(base, tz)?;
    let d = next.duration_since(now);
    let d = if d.is_negative() {
        Duration::ZERO
    } else {
        d.unsigned_abs()
    };
    Some(d + timings::CRONJOB_NEXT_SCHEDULE_DELTA)
}

fn job_ref(j: &Job) -> ObjectReference {
    ObjectReference {
        api_version: Some("batch/v1".into()),
        kind: Some("Job".into()),
        name: j.metadata.name.clone(),
        namespace: j.metadata.namespace.clone(),
        uid: j.metadata.uid.clone(),
        resource_version: j.metadata.resource_version.clone(),
        field_path: None,
    }
}

fn finished_type(j: &Job) -> Option<&'static str> {
    let conds = j.status.iter().flat_map(|s| s.conditions.iter().flatten());
    for c in conds {
        if c.status == "True" {
            if c.type_ == "Complete" {
                return Some("Complete");
            }
            if c.type_ == "Failed" {
                return Some("Failed");
            }
        }
    }
    None
}

fn sync(ctx: &mut Ctx, cj: CronJob) -> Action {
    let ns = cj.metadata.namespace.clone().unwrap_or_default();
    let name = cj.metadata.name.clone().unwrap_or_default();
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let obj = Object::CronJob(cj.clone());
    let event = |ctx: &mut Ctx, t: &str, r: &str, m: &str| {
        util::record(ctx.store, &obj, t, r, m, COMPONENT)
    };
    let jobs: Vec<Job> = ctx
        .store
        .list_as::<Job>(Some(&ns))
        .filter(|j| util::is_controlled_by(&j.metadata, &uid))
        .cloned()
        .collect();
    let mut st = cj.status.clone().unwrap_or_default();
    let old_st = st.clone();
    let in_active = |st: &k8s_openapi::api::batch::v1::CronJobStatus, uid: &Option<String>| {
        st.active.iter().flatten().any(|r| &r.uid == uid)
    };
    for j in &jobs {
        let found = in_active(&st, &j.metadata.uid);
        if !found && !is_job_finished(j) {
            event(
                ctx,
                "Warning",
                "UnexpectedJob",
                &format!(
                    "Saw a job that the controller did not create or forgot: {}",
                    j.metadata.name.as_deref().unwrap_or("")
                ),
            );
        } else if found && is_job_finished(j) {
            let cond = finished_type(j).unwrap_or("");
            if let Some(a) = st.active.as_mut() {
                a.retain(|r| r.uid != j.metadata.uid);
            }
            event(
                ctx,
                "Normal",
                "SawCompletedJob",
                &format!(
                    "Saw completed job: {}, condition: {cond}",
                    j.metadata.name.as_deref().unwrap_or("")
                ),
            );
        }
        if finished_type(j) == Some("Complete") {
            let ct = j.status.as_ref().and_then(|s| s.completion_time.clone());
            if let Some(ct) = ct {
                if st.last_successful_time.as_ref().is_none_or(|l| l.0 < ct.0) {
                    st.last_successful_time = Some(ct);
                }
            }
        }
    }
    // Active jobs that disappeared.
    let missing: Vec<ObjectReference> = st
        .active
        .iter()
        .flatten()
        .filter(|r| !jobs.iter().any(|j| j.metadata.uid == r.uid))
        .cloned()
        .collect();
    for r in missing {
        event(
            ctx,
            "Normal",
            "MissingJob",
            &format!(
                "Active job went missing: {}",
                r.name.as_deref().unwrap_or("")
            ),
        );
        if let Some(a) = st.active.as_mut() {
            a.retain(|x| x.uid != r.uid);
        }
    }
    if st.active.as_ref().is_some_and(|a| a.is_empty()) {
        st.active = None;
    }
    let requeue = schedule(ctx, &cj, &obj, &mut st);
    if st != old_st {
        let s2 = st.clone();
        let _ = ctx
            .store
            .modify::<CronJob>(&ns, &name, true, |c| c.status = Some(s2));
    }
    cleanup_finished_jobs(ctx, &cj, &obj);
    match requeue {
        Some(d) => Action::RequeueAfter(d),
        None => Action::AwaitChange,
    }
}

/// The scheduling half of `syncCronJob`: maybe create the Job of the most
/// recent missed schedule. Returns when to look again.
fn schedule(
    ctx: &mut Ctx,
    cj: &CronJob,
    obj: &Object,
    st: &mut k8s_openapi::api::batch::v1::CronJobStatus,
) -> Option<Duration> {
    if cj.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let spec = cj.spec.clone().unwrap_or_default();
    let event =
        |ctx: &mut Ctx, t: &str, r: &str, m: &str| util::record(ctx.store, obj, t, r, m, COMPONENT);
    let tz = match tz_of(cj) {
        Ok(tz) => tz,
        Err(e) => {
            event(
                ctx,
                "Warning",
                "UnknownTimeZone",
                &format!(
                    "invalid timeZone: {:?}: {e}",
                    spec.time_zone.clone().unwrap_or_default()
                ),
            );
            return None;
        }
    };
    if spec.suspend.unwrap_or(false) {
        return None;
    }
    let sched = match cron::parse(&spec.schedule) {
        Ok(s) => s,
        Err(e) => {
            event(
                ctx,
                "Warning",
                "UnparseableSchedule",
                &format!("unparseable schedule: {:?} : {e}", spec.schedule),
            );
            return None;
        }
    };
    let now = ctx.store.timestamp().0;
    let mut cj_now = cj.clone();
    cj_now.status = Some(st.clone());
    let (_, recent, missed) = most_recent(&cj_now, now, &sched, &tz, true);
    let Some(scheduled) = recent else {
        return next_duration(&cj_now, now, &sched, &tz);
    };
    if missed > 100 {
        event(
            ctx,
            "Warning",
            "TooManyMissedTimes",
            &format!("too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew"),
        );
    }
    if let Some(d) = spec.starting_deadline_seconds {
        if scheduled + jiff::SignedDuration::from_secs(d) < now {
            let when = scheduled
                .to_zoned(TimeZone::UTC)
                .strftime("%a, %d %b %Y %H:%M:%S %z")
                .to_string();
            event(
                ctx,
                "Warning",
                "MissSchedule",
                &format!("Missed scheduled time to start a job: {when}"),
            );
            return next_duration(&cj_now, now, &sched, &tz);
        }
    }
    let name = job_name(cj.metadata.name.as_deref().unwrap_or(""), scheduled);
    let already = st
        .active
        .iter()
        .flatten()
        .any(|r| r.name.as_deref() == Some(name.as_str()))
        || st
            .last_schedule_time
            .as_ref()
            .is_some_and(|t| t.0 == scheduled);
    if already {
        return next_duration(&cj_now, now, &sched, &tz);
    }
    let policy = spec
        .concurrency_policy
        .clone()
        .unwrap_or_else(|| "Allow".into());
    let active_count = st.active.as_ref().map(|a| a.len()).unwrap_or(0);
    if policy == "Forbid" && active_count > 0 {
        event(
            ctx,
            "Normal",
            "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid",
        );
        return next_duration(&cj_now, now, &sched, &tz);
    }
    let ns = cj.metadata.namespace.clone().unwrap_or_default();
    if policy == "Replace" {
        for r in st.active.clone().unwrap_or_default() {
            let jname = r.name.clone().unwrap_or_default();
            if delete_job(ctx, obj, &ns, &jname) {
                if let Some(a) = st.active.as_mut() {
                    a.retain(|x| x.uid != r.uid);
                }
            }
        }
        if st.active.as_ref().is_some_and(|a| a.is_empty()) {
            st.active = None;
        }
    }
    // `getJobFromTemplate2`.
    let tmpl = spec.job_template.clone();
    let tm = tmpl.metadata.clone().unwrap_or_default();
    let mut annotations = tm.annotations.clone().unwrap_or_default();
    annotations.insert(
        SCHEDULED_TIMESTAMP_ANNOTATION.into(),
        scheduled
            .to_zoned(tz.clone())
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
            .replace("+00:00", "Z"),
    );
    let job = Job {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(ns.clone()),
            labels: tm.labels.clone(),
            annotations: Some(annotations),
            owner_references: Some(vec![util::new_controller_ref(Kind::CronJob, &cj.metadata)]),
            ..Default::default()
        },
        spec: tmpl.spec.clone(),
        status: None,
    };
    match ctx.store.create(Object::Job(job), &WriteOptions::default()) {
        Ok(o) => {
            let Object::Job(created) = &*o else {
                return None;
            };
            event(
                ctx,
                "Normal",
                "SuccessfulCreate",
                &format!("Created job {name}"),
            );
            st.active
                .get_or_insert_with(Vec::new)
                .push(job_ref(created));
        }
        Err(e) if e.reason == crate::sim::store::Reason::AlreadyExists => {
            // Created by someone else: assume they updated the status.
            if let Some(j) = ctx.store.get_as::<Job>(&ns, &name) {
                if util::is_controlled_by(&j.metadata, cj.metadata.uid.as_deref().unwrap_or(""))
                    && !is_job_finished(j)
                {
                    let r = job_ref(j);
                    if !st.active.iter().flatten().any(|x| x.uid == r.uid) {
                        st.active.get_or_insert_with(Vec::new).push(r);
                    }
                }
            }
        }
        Err(e) => {
            event(
                ctx,
                "Warning",
                "FailedCreate",
                &format!("Error creating job: {}", e.message),
            );
            return None;
        }
    }
    st.last_schedule_time = Some(Time(scheduled));
    cj_now.status = Some(st.clone());
    next_duration(&cj_now, now, &sched, &tz)
}

/// `deleteJob`: background propagation, `SuccessfulDelete` event.
fn delete_job(ctx: &mut Ctx, obj: &Object, ns: &str, name: &str) -> bool {
    let opts = DeleteOptions {
        propagation: Some(Propagation::Background),
        ..Default::default()
    };
    match ctx.store.delete(Kind::Job, ns, name, &opts) {
        Ok(_) => {
            util::record(
                ctx.store,
                obj,
                "Normal",
                "SuccessfulDelete",
                &format!("Deleted job {name}"),
                COMPONENT,
            );
            true
        }
        Err(e) if e.reason == crate::sim::store::Reason::NotFound => true,
        Err(e) => {
            util::record(
                ctx.store,
                obj,
                "Warning",
                "FailedDelete",
                &format!("Deleted job: {}", e.message),
                COMPONENT,
            );
            false
        }
    }
}

/// `cleanupFinishedJobs`: keep the newest successful and failed Jobs up to
/// the history limits.
fn cleanup_finished_jobs(ctx: &mut Ctx, cj: &CronJob, obj: &Object) {
    let spec = cj.spec.clone().unwrap_or_default();
    let (ok_limit, failed_limit) = (
        spec.successful_jobs_history_limit,
        spec.failed_jobs_history_limit,
    );
    if ok_limit.is_none() && failed_limit.is_none() {
        return;
    }
    let ns = cj.metadata.namespace.clone().unwrap_or_default();
    let uid = cj.metadata.uid.clone().unwrap_or_default();
    let jobs: Vec<Job> = ctx
        .store
        .list_as::<Job>(Some(&ns))
        .filter(|j| {
            util::is_controlled_by(&j.metadata, &uid) && j.metadata.deletion_timestamp.is_none()
        })
        .cloned()
        .collect();
    let mut by_kind: BTreeMap<&str, Vec<Job>> = BTreeMap::new();
    for j in jobs {
        if let Some(t) = finished_type(&j) {
            by_kind.entry(t).or_default().push(j);
        }
    }
    for (kind, limit) in [("Complete", ok_limit), ("Failed", failed_limit)] {
        let Some(limit) = limit else { continue };
        let mut js = by_kind.remove(kind).unwrap_or_default();
        if js.len() as i32 <= limit {
            continue;
        }
        // byJobStartTime: jobs without a start time last, ties by name.
        js.sort_by(|a, b| {
            let (sa, sb) = (
                a.status
                    .as_ref()
                    .and_then(|s| s.start_time.as_ref())
                    .map(|t| t.0),
                b.status
                    .as_ref()
                    .and_then(|s| s.start_time.as_ref())
                    .map(|t| t.0),
            );
            match (sa, sb) {
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => sa.cmp(&sb).then(a.metadata.name.cmp(&b.metadata.name)),
            }
        });
        let n = js.len() - limit.max(0) as usize;
        for j in js.into_iter().take(n) {
            delete_job(ctx, obj, &ns, j.metadata.name.as_deref().unwrap_or(""));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `utils.go` `getJobName` / `getTimeHashInMinutes`.
    #[test]
    fn job_names_use_minutes_since_epoch() {
        let t: Timestamp = "2026-11-23T09:03:00Z".parse().unwrap();
        assert_eq!(
            job_name("hello", t),
            format!("hello-{}", t.as_second() / 60)
        );
    }
}
