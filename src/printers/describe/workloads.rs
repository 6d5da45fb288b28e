//! Describers of the workload kinds: Deployment, ReplicaSet,
//! ReplicationController, DaemonSet, StatefulSet, Job, CronJob
//! (`describeDeployment`, `describeReplicaSet`, ... in
//! `kubectl/pkg/describe/describe.go`; printers.md §4.5, §4.7).

use super::events::describe_events;
use super::pod::{controlled_by, describe_pod_template};
use super::writer::*;
use super::DescribeContext;
use crate::objects::selectors::Selector;
use crate::objects::Object;
use crate::printers::age::human_duration_secs;
use crate::printers::format::{bool_ptr, int_or_string, rfc1123z, rfc1123z_opt};
use crate::printers::layout::{format_labels, format_selector};
use crate::printers::storage::persistent_volume_claim_class;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ReplicationController;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::sync::Arc;

/// `LabelSelectorAsSelector(sel).String()`: empty for an empty selector.
fn selector_string(sel: Option<&LabelSelector>) -> String {
    match sel {
        Some(s) => {
            let sel = Selector::from_label_selector(s);
            if sel.is_empty() {
                String::new()
            } else {
                sel.to_string()
            }
        }
        None => String::new(),
    }
}

/// `getPodStatusForController`: phases of the pods whose controller is
/// `uid` (the caller passes the pods matching the selector).
fn pod_status_counts(pods: &[Arc<Object>], uid: Option<&String>) -> String {
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for o in pods {
        let Object::Pod(p) = o.as_ref() else { continue };
        let owned = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .find(|r| r.controller == Some(true))
            .is_some_and(|r| Some(&r.uid) == uid);
        if !owned {
            continue;
        }
        match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => running += 1,
            Some("Pending") => waiting += 1,
            Some("Succeeded") => succeeded += 1,
            Some("Failed") => failed += 1,
            _ => {}
        }
    }
    format!("{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed")
}

fn header(w: &mut PrefixWriter, m: &ObjectMeta) {
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", m.namespace.clone().unwrap_or_default()),
    );
}

/// `describeDeployment`.
pub fn describe_deployment(d: &Deployment, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = d.spec.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    header(&mut w, &d.metadata);
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(d.metadata.creation_timestamp.as_ref())
        ),
    );
    labels_multiline(&mut w, "Labels", d.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", d.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            spec.replicas.unwrap_or(1),
            st.updated_replicas.unwrap_or(0),
            st.replicas.unwrap_or(0),
            st.available_replicas.unwrap_or(0),
            st.unavailable_replicas.unwrap_or(0)
        ),
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!(
            "StrategyType:\t{}\n",
            strategy
                .type_
                .clone()
                .unwrap_or_else(|| "RollingUpdate".into())
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "MinReadySeconds:\t{}\n",
            spec.min_ready_seconds.unwrap_or(0)
        ),
    );
    if let Some(ru) = &strategy.rolling_update {
        let v = |x: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| {
            x.as_ref()
                .map(int_or_string)
                .unwrap_or_else(|| "25%".into())
        };
        w.write(
            LEVEL_0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                v(&ru.max_unavailable),
                v(&ru.max_surge)
            ),
        );
    }
    describe_pod_template(&mut w, Some(&spec.template));
    replica_conditions(
        &mut w,
        st.conditions
            .iter()
            .flatten()
            .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_deref())),
    );
    let (old, new) = split_replica_sets(d, &ctx.replica_sets);
    if !old.is_empty() || new.is_some() {
        let fmt = |rss: &[&ReplicaSet]| {
            if rss.is_empty() {
                return "<none>".to_string();
            }
            rss.iter()
                .map(|rs| {
                    format!(
                        "{} ({}/{} replicas created)",
                        rs.metadata.name.clone().unwrap_or_default(),
                        rs.status.as_ref().map(|s| s.replicas).unwrap_or(0),
                        rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        w.write(LEVEL_0, &format!("OldReplicaSets:\t{}\n", fmt(&old)));
        let new: Vec<&ReplicaSet> = new.into_iter().collect();
        w.write(LEVEL_0, &format!("NewReplicaSet:\t{}\n", fmt(&new)));
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// The pod template without the `pod-template-hash` label, as JSON, to
/// compare a ReplicaSet's template with its Deployment's
/// (`EqualIgnoreHash` in `kubectl/pkg/util/deployment`).
fn template_without_hash(
    t: Option<&k8s_openapi::api::core::v1::PodTemplateSpec>,
) -> serde_json::Value {
    let mut t = t.cloned().unwrap_or_default();
    if let Some(m) = t.metadata.as_mut() {
        if let Some(l) = m.labels.as_mut() {
            l.remove("pod-template-hash");
            if l.is_empty() {
                m.labels = None;
            }
        }
    }
    serde_json::to_value(t).unwrap_or_default()
}

/// `GetAllReplicaSets`: the ReplicaSets the deployment controls, split into
/// the old ones (list order) and the new one (template equal to the
/// deployment's, ignoring the hash label; the oldest if several).
pub fn split_replica_sets<'a>(
    d: &Deployment,
    rss: &'a [Arc<Object>],
) -> (Vec<&'a ReplicaSet>, Option<&'a ReplicaSet>) {
    let uid = d.metadata.uid.clone();
    let owned: Vec<&ReplicaSet> = rss
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ReplicaSet(rs) => Some(rs),
            _ => None,
        })
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|r| r.controller == Some(true) && Some(&r.uid) == uid.as_ref())
        })
        .collect();
    let want = template_without_hash(d.spec.as_ref().map(|s| &s.template));
    let mut new: Option<&ReplicaSet> = None;
    for rs in &owned {
        if template_without_hash(rs.spec.as_ref().and_then(|s| s.template.as_ref())) == want {
            let older = match new {
                None => true,
                Some(n) => {
                    rs.metadata.creation_timestamp.as_ref().map(|t| t.0)
                        < n.metadata.creation_timestamp.as_ref().map(|t| t.0)
                }
            };
            if older {
                new = Some(rs);
            }
        }
    }
    let old = owned
        .into_iter()
        .filter(|rs| new.is_none_or(|n| !std::ptr::eq(*rs, n)))
        .collect();
    (old, new)
}

/// `describeReplicaSet`.
pub fn describe_replica_set(
    rs: &ReplicaSet,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let spec = rs.spec.clone().unwrap_or_default();
    let st = rs.status.clone().unwrap_or_default();
    header(&mut w, &rs.metadata);
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", format_selector(Some(&spec.selector))),
    );
    labels_multiline(&mut w, "Labels", rs.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", rs.metadata.annotations.as_ref());
    if let Some(c) = controlled_by(&rs.metadata) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            st.replicas,
            spec.replicas.unwrap_or(1)
        ),
    );
    w.write(LEVEL_0, "Pods Status:\t");
    w.write(
        LEVEL_0,
        &format!(
            "{}\n",
            pod_status_counts(&ctx.pods, rs.metadata.uid.as_ref())
        ),
    );
    describe_pod_template(&mut w, spec.template.as_ref());
    replica_conditions(
        &mut w,
        st.conditions
            .iter()
            .flatten()
            .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_deref())),
    );
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// The Conditions table of a Deployment, ReplicaSet or ReplicationController
/// (`type, status, reason`), absent when there are none.
fn replica_conditions<'a>(
    w: &mut PrefixWriter,
    conds: impl Iterator<Item = (&'a str, &'a str, Option<&'a str>)>,
) {
    let mut conds = conds.peekable();
    if conds.peek().is_none() {
        return;
    }
    w.write(LEVEL_0, "Conditions:\n  Type\tStatus\tReason\n");
    w.write(LEVEL_1, "----\t------\t------\n");
    for (type_, status, reason) in conds {
        w.write(
            LEVEL_1,
            &format!("{type_} \t{status}\t{}\n", reason.unwrap_or_default()),
        );
    }
}

/// `describeReplicationController`.
pub fn describe_replication_controller(
    rc: &ReplicationController,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let spec = rc.spec.clone().unwrap_or_default();
    let st = rc.status.clone().unwrap_or_default();
    header(&mut w, &rc.metadata);
    w.write(
        LEVEL_0,
        &format!(
            "Selector:\t{}\n",
            format_labels(&spec.selector.clone().unwrap_or_default())
        ),
    );
    labels_multiline(&mut w, "Labels", rc.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", rc.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} current / {} desired\n",
            st.replicas,
            spec.replicas.unwrap_or(1)
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{}\n",
            pod_status_counts(&ctx.pods, rc.metadata.uid.as_ref())
        ),
    );
    describe_pod_template(&mut w, spec.template.as_ref());
    replica_conditions(
        &mut w,
        st.conditions
            .iter()
            .flatten()
            .map(|c| (c.type_.as_str(), c.status.as_str(), c.reason.as_deref())),
    );
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeDaemonSet`.
pub fn describe_daemon_set(ds: &DaemonSet, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = ds.spec.clone().unwrap_or_default();
    let st = ds.status.clone().unwrap_or_default();
    header(&mut w, &ds.metadata);
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    let node_selector = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.clone())
        .unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Node-Selector:\t{}\n", format_labels(&node_selector)),
    );
    labels_multiline(&mut w, "Labels", ds.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", ds.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Desired Number of Nodes Scheduled: {}\n",
            st.desired_number_scheduled
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Current Number of Nodes Scheduled: {}\n",
            st.current_number_scheduled
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Number of Nodes Scheduled with Up-to-date Pods: {}\n",
            st.updated_number_scheduled.unwrap_or(0)
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Number of Nodes Scheduled with Available Pods: {}\n",
            st.number_available.unwrap_or(0)
        ),
    );
    w.write(
        LEVEL_0,
        &format!("Number of Nodes Misscheduled: {}\n", st.number_misscheduled),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{}\n",
            pod_status_counts(&ctx.pods, ds.metadata.uid.as_ref())
        ),
    );
    describe_pod_template(&mut w, Some(&spec.template));
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeStatefulSet`.
pub fn describe_stateful_set(
    sts: &StatefulSet,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let spec = sts.spec.clone().unwrap_or_default();
    let st = sts.status.clone().unwrap_or_default();
    header(&mut w, &sts.metadata);
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(sts.metadata.creation_timestamp.as_ref())
        ),
    );
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", selector_string(Some(&spec.selector))),
    );
    labels_multiline(&mut w, "Labels", sts.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", sts.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Replicas:\t{} desired | {} total\n",
            spec.replicas.unwrap_or(1),
            st.replicas
        ),
    );
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!(
            "Update Strategy:\t{}\n",
            strategy
                .type_
                .clone()
                .unwrap_or_else(|| "RollingUpdate".into())
        ),
    );
    if let Some(ru) = &strategy.rolling_update {
        if let Some(p) = ru.partition {
            w.write(LEVEL_1, &format!("Partition:\t{p}\n"));
            if let Some(mu) = &ru.max_unavailable {
                w.write(
                    LEVEL_1,
                    &format!("MaxUnavailable:\t{}\n", int_or_string(mu)),
                );
            }
        }
    }
    w.write(
        LEVEL_0,
        &format!(
            "Pods Status:\t{}\n",
            pod_status_counts(&ctx.pods, sts.metadata.uid.as_ref())
        ),
    );
    describe_pod_template(&mut w, Some(&spec.template));
    let templates = spec.volume_claim_templates.clone().unwrap_or_default();
    if templates.is_empty() {
        w.write(LEVEL_0, "Volume Claims:\t<none>\n");
    } else {
        w.write(LEVEL_0, "Volume Claims:\n");
        for pvc in &templates {
            w.write(
                LEVEL_1,
                &format!("Name:\t{}\n", pvc.metadata.name.clone().unwrap_or_default()),
            );
            w.write(
                LEVEL_1,
                &format!("StorageClass:\t{}\n", persistent_volume_claim_class(pvc)),
            );
            labels_multiline_indent(&mut w, "  ", "Labels", "\t", pvc.metadata.labels.as_ref());
            labels_multiline_indent(
                &mut w,
                "  ",
                "Annotations",
                "\t",
                pvc.metadata.annotations.as_ref(),
            );
            let pspec = pvc.spec.clone().unwrap_or_default();
            let cap = pspec
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
                .map(|q| crate::printers::format::canonical_quantity(&q.0))
                .unwrap_or_else(|| "<default>".into());
            w.write(LEVEL_1, &format!("Capacity:\t{cap}\n"));
            w.write(
                LEVEL_1,
                &format!(
                    "Access Modes:\t{}\n",
                    go_list(&pspec.access_modes.unwrap_or_default())
                ),
            );
        }
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `describeJob`.
pub fn describe_job(job: &Job, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = job.spec.clone().unwrap_or_default();
    let st = job.status.clone().unwrap_or_default();
    header(&mut w, &job.metadata);
    w.write(
        LEVEL_0,
        &format!("Selector:\t{}\n", selector_string(spec.selector.as_ref())),
    );
    labels_multiline(&mut w, "Labels", job.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", job.metadata.annotations.as_ref());
    if let Some(c) = controlled_by(&job.metadata) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(p) = spec.parallelism {
        w.write(LEVEL_0, &format!("Parallelism:\t{p}\n"));
    }
    match spec.completions {
        Some(c) => w.write(LEVEL_0, &format!("Completions:\t{c}\n")),
        None => w.write(LEVEL_0, "Completions:\t<unset>\n"),
    }
    if let Some(m) = &spec.completion_mode {
        w.write(LEVEL_0, &format!("Completion Mode:\t{m}\n"));
    }
    if let Some(s) = spec.suspend {
        w.write(LEVEL_0, &format!("Suspend:\t{s}\n"));
    }
    if let Some(b) = spec.backoff_limit {
        w.write(LEVEL_0, &format!("Backoff Limit:\t{b}\n"));
    }
    if let Some(t) = spec.ttl_seconds_after_finished {
        w.write(LEVEL_0, &format!("TTL Seconds After Finished:\t{t}\n"));
    }
    if let Some(t) = &st.start_time {
        w.write(LEVEL_0, &format!("Start Time:\t{}\n", rfc1123z(t)));
    }
    if let Some(t) = &st.completion_time {
        w.write(LEVEL_0, &format!("Completed At:\t{}\n", rfc1123z(t)));
    }
    if let (Some(s), Some(c)) = (&st.start_time, &st.completion_time) {
        w.write(
            LEVEL_0,
            &format!(
                "Duration:\t{}\n",
                human_duration_secs(crate::printers::age::secs_between(s, c.0))
            ),
        );
    }
    if let Some(a) = spec.active_deadline_seconds {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    let (active, succeeded, failed) = (
        st.active.unwrap_or(0),
        st.succeeded.unwrap_or(0),
        st.failed.unwrap_or(0),
    );
    match st.ready {
        None => w.write(
            LEVEL_0,
            &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n"),
        ),
        Some(r) => w.write(
            LEVEL_0,
            &format!(
                "Pods Statuses:\t{active} Active ({r} Ready) / {succeeded} Succeeded / {failed} Failed\n"
            ),
        ),
    }
    if spec.completion_mode.as_deref() == Some("Indexed") {
        let idx = st.completed_indexes.clone().unwrap_or_default();
        w.write(
            LEVEL_0,
            &format!("Completed Indexes:\t{}\n", cap_indexes(&idx, 50)),
        );
    }
    describe_pod_template(&mut w, Some(&spec.template));
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `capIndexesListOrNone`.
fn cap_indexes(indexes: &str, soft_limit: usize) -> String {
    if indexes.is_empty() {
        return "<none>".into();
    }
    let bytes = indexes.as_bytes();
    let mut ix = soft_limit;
    while ix < bytes.len() && bytes[ix] != b',' {
        ix += 1;
    }
    if ix >= bytes.len() {
        return indexes.to_string();
    }
    format!("{}...", &indexes[..=ix])
}

/// `describeCronJob`.
pub fn describe_cron_job(cj: &CronJob, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let spec = cj.spec.clone().unwrap_or_default();
    let st = cj.status.clone().unwrap_or_default();
    header(&mut w, &cj.metadata);
    labels_multiline(&mut w, "Labels", cj.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", cj.metadata.annotations.as_ref());
    w.write(LEVEL_0, &format!("Schedule:\t{}\n", spec.schedule));
    w.write(
        LEVEL_0,
        &format!(
            "Concurrency Policy:\t{}\n",
            spec.concurrency_policy
                .clone()
                .unwrap_or_else(|| "Allow".into())
        ),
    );
    w.write(LEVEL_0, &format!("Suspend:\t{}\n", bool_ptr(spec.suspend)));
    let unset = |v: Option<String>| v.unwrap_or_else(|| "<unset>".into());
    w.write(
        LEVEL_0,
        &format!("Time Zone:\t{}\n", unset(spec.time_zone.clone())),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Successful Job History Limit:\t{}\n",
            unset(spec.successful_jobs_history_limit.map(|v| v.to_string()))
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Failed Job History Limit:\t{}\n",
            unset(spec.failed_jobs_history_limit.map(|v| v.to_string()))
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Starting Deadline Seconds:\t{}\n",
            unset(spec.starting_deadline_seconds.map(|v| format!("{v}s")))
        ),
    );
    let jt = spec.job_template.spec.clone().unwrap_or_default();
    match &jt.selector {
        Some(s) => w.write(
            LEVEL_0,
            &format!("Selector:\t{}\n", selector_string(Some(s))),
        ),
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    w.write(
        LEVEL_0,
        &format!(
            "Parallelism:\t{}\n",
            unset(jt.parallelism.map(|v| v.to_string()))
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Completions:\t{}\n",
            unset(jt.completions.map(|v| v.to_string()))
        ),
    );
    if let Some(a) = jt.active_deadline_seconds {
        w.write(LEVEL_0, &format!("Active Deadline Seconds:\t{a}s\n"));
    }
    describe_pod_template(&mut w, Some(&jt.template));
    w.write(
        LEVEL_0,
        &format!(
            "Last Schedule Time:\t{}\n",
            unset(st.last_schedule_time.as_ref().map(rfc1123z))
        ),
    );
    let active: Vec<String> = st
        .active
        .iter()
        .flatten()
        .map(|r| r.name.clone().unwrap_or_default())
        .collect();
    w.write(LEVEL_0, "Active Jobs:\t");
    if active.is_empty() {
        w.line("<none>");
    } else {
        w.line(&active.join(", "));
    }
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}
