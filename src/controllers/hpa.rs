//! The HorizontalPodAutoscaler (autoscaling/v2), after
//! `pkg/controller/podautoscaler/horizontal.go` (`reconcileAutoscaler`,
//! `computeReplicasForMetrics`, `normalizeDesiredReplicas`,
//! `stabilizeRecommendation`, `convertDesiredReplicasWithRules`, the
//! behavior variants) and `replica_calculator.go` (`GetResourceReplicas`,
//! `groupPods`). Usage comes from [`super::metrics::pod_usage`].

use super::metrics;
use super::timings;
use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::objects::quantity::amount;
use crate::sim::store::{Store, WatchEvent, WatchEventType};
use crate::sim::SimTime;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::{
    HPAScalingRules, HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition,
    HorizontalPodAutoscalerStatus, MetricSpec, MetricStatus, MetricValueStatus,
    ResourceMetricStatus,
};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use std::any::Any;
use std::collections::BTreeMap;
use std::time::Duration;

const COMPONENT: &str = "horizontal-pod-autoscaler";
/// The sample window metrics-server reports (`metric.Window`).
const METRIC_WINDOW: Duration = Duration::from_secs(15);

#[derive(Clone, Debug)]
struct Recommendation {
    replicas: i32,
    at: SimTime,
}

#[derive(Clone, Debug)]
struct ScaleEvent {
    change: i32,
    at: SimTime,
}

#[derive(Default)]
pub struct HorizontalPodAutoscalerController {
    recommendations: BTreeMap<String, Vec<Recommendation>>,
    scale_up_events: BTreeMap<String, Vec<ScaleEvent>>,
    scale_down_events: BTreeMap<String, Vec<ScaleEvent>>,
}

impl HorizontalPodAutoscalerController {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Controller for HorizontalPodAutoscalerController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if let Object::HorizontalPodAutoscaler(h) = &*ev.object {
            // A new or changed HPA is looked at now; then every sync period.
            let spec_changed = ev.old.as_ref().is_none_or(|o| match &**o {
                Object::HorizontalPodAutoscaler(old) => old.spec != h.spec,
                _ => true,
            });
            if ev.event_type != WatchEventType::Deleted && spec_changed {
                q.add(object_key(
                    h.metadata.namespace.as_deref(),
                    h.metadata.name.as_deref().unwrap_or(""),
                ));
            }
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let (ns, name) = split_key(key);
        let Some((obj, hpa)) = util::get::<HorizontalPodAutoscaler>(ctx.store, ns, name) else {
            self.recommendations.remove(key);
            self.scale_up_events.remove(key);
            self.scale_down_events.remove(key);
            return Action::AwaitChange;
        };
        self.reconcile_autoscaler(ctx, key, &obj, hpa);
        Action::RequeueAfter(timings::HPA_SYNC_PERIOD)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn set_condition(
    st: &mut HorizontalPodAutoscalerStatus,
    t: &str,
    status: &str,
    reason: &str,
    msg: String,
    now: &Time,
) {
    let conds = st.conditions.get_or_insert_with(Vec::new);
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == t) {
        if c.status != status {
            c.last_transition_time = Some(now.clone());
        }
        c.status = status.into();
        c.reason = Some(reason.into());
        c.message = Some(msg);
        return;
    }
    conds.push(HorizontalPodAutoscalerCondition {
        type_: t.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(msg),
        last_transition_time: Some(now.clone()),
    });
}

/// The scale subresource of the target: (spec.replicas, selector).
fn get_scale(
    store: &Store,
    ns: &str,
    kind: &str,
    name: &str,
) -> Result<(i32, LabelSelector, Kind), String> {
    let (k, r, s) = match kind {
        "Deployment" => store.get_as::<Deployment>(ns, name).map(|d| {
            (
                Kind::Deployment,
                d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                d.spec.as_ref().map(|s| s.selector.clone()),
            )
        }),
        "ReplicaSet" => store.get_as::<ReplicaSet>(ns, name).map(|d| {
            (
                Kind::ReplicaSet,
                d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                d.spec.as_ref().map(|s| s.selector.clone()),
            )
        }),
        "StatefulSet" => store.get_as::<StatefulSet>(ns, name).map(|d| {
            (
                Kind::StatefulSet,
                d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                d.spec.as_ref().map(|s| s.selector.clone()),
            )
        }),
        other => return Err(format!("no matches for kind \"{other}\" in group \"apps\"")),
    }
    .ok_or_else(|| {
        let k = Kind::from_resource_name(kind)
            .map(|k| k.info().group_resource())
            .unwrap_or_else(|| kind.to_lowercase());
        format!("{k} \"{name}\" not found")
    })?;
    Ok((r, s.unwrap_or_default(), k))
}

/// `GetResourceReplicas` / `GetRawResourceReplicas` for one Resource
/// metric: (proposal, utilization %, average raw value) or an error.
#[allow(clippy::too_many_arguments)]
fn resource_replicas(
    store: &Store,
    ns: &str,
    pods: &[Pod],
    current: i32,
    resource: &str,
    target_util: Option<i32>,
    target_avg: Option<i64>,
    now: &Time,
) -> Result<(i32, Option<i32>, i64), String> {
    // Per-pod usage from the metrics pipeline.
    let mut usage: BTreeMap<String, i64> = BTreeMap::new();
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        if let Some((cpu, mem)) = metrics::pod_usage(store, ns, &name) {
            usage.insert(name, if resource == "cpu" { cpu } else { mem });
        }
    }
    if usage.is_empty() {
        return Err(format!("unable to get metrics for resource {resource}: no metrics returned from resource metrics API"));
    }
    if pods.is_empty() {
        return Err("no pods returned by selector while calculating replica count".into());
    }
    // `groupPods`.
    let (mut ready, mut unready, mut missing) = (0usize, Vec::new(), Vec::new());
    let mut metrics_for: BTreeMap<String, i64> = BTreeMap::new();
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let phase = util::pod_phase(p);
        if p.metadata.deletion_timestamp.is_some() || phase == "Failed" || phase == "Pending" {
            continue;
        }
        let Some(v) = usage.get(&name) else {
            missing.push(name);
            continue;
        };
        if resource == "cpu" {
            let cond = p
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
            let start = p.status.as_ref().and_then(|s| s.start_time.clone());
            let is_unready = match (cond, start) {
                (None, _) | (_, None) => true,
                (Some(c), Some(start)) => {
                    let lt = c.last_transition_time.clone().unwrap_or(start.clone());
                    if util::add_duration(&start, timings::HPA_CPU_INITIALIZATION_PERIOD).0 > now.0
                    {
                        c.status == "False" || now.0 < util::add_duration(&lt, METRIC_WINDOW).0
                    } else {
                        c.status == "False"
                            && util::add_duration(&start, timings::HPA_INITIAL_READINESS_DELAY).0
                                > lt.0
                    }
                }
            };
            if is_unready {
                unready.push(name);
                continue;
            }
        }
        ready += 1;
        metrics_for.insert(name, *v);
    }
    if metrics_for.is_empty() {
        return Err("did not receive metrics for targeted pods (pods might be unready)".into());
    }
    // `calculatePodRequests`.
    let mut requests: BTreeMap<String, i64> = BTreeMap::new();
    for p in pods {
        let name = p.metadata.name.clone().unwrap_or_default();
        let mut total = 0;
        for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
            let r = c
                .resources
                .as_ref()
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get(resource));
            match r {
                Some(q) => {
                    total += if resource == "cpu" {
                        amount(q).milli_value()
                    } else {
                        amount(q).value()
                    }
                }
                None if target_util.is_some() => {
                    return Err(format!(
                        "missing request for {resource} in container {} of Pod {name}",
                        c.name
                    ));
                }
                None => {}
            }
        }
        requests.insert(name, total);
    }
    let ratio_of = |m: &BTreeMap<String, i64>| -> Result<(f64, Option<i32>, i64), String> {
        match (target_util, target_avg) {
            (Some(t), _) => {
                let (mut mt, mut rt, mut n) = (0i64, 0i64, 0i64);
                for (pod, v) in m {
                    if let Some(r) = requests.get(pod) {
                        mt += v;
                        rt += r;
                        n += 1;
                    }
                }
                if rt == 0 {
                    return Err("no metrics returned matched known pods".into());
                }
                let util_pct = ((mt * 100) / rt) as i32;
                Ok((util_pct as f64 / t as f64, Some(util_pct), mt / n.max(1)))
            }
            (None, Some(t)) => {
                let total: i64 = m.values().sum();
                let avg = total / (m.len() as i64).max(1);
                Ok((total as f64 / (t as f64 * m.len() as f64), None, avg))
            }
            (None, None) => Err("invalid resource metric source: neither a utilization target nor a value target was set".into()),
        }
    };
    let (ratio, util_pct, raw) = ratio_of(&metrics_for)?;
    let scale_up_with_unready = !unready.is_empty() && ratio > 1.0;
    if !scale_up_with_unready && missing.is_empty() {
        if (1.0 - ratio).abs() <= timings::HPA_TOLERANCE {
            return Ok((current, util_pct, raw));
        }
        return Ok(((ratio * ready as f64).ceil() as i32, util_pct, raw));
    }
    let mut m = metrics_for.clone();
    if !missing.is_empty() {
        for pod in &missing {
            let req = requests.get(pod).copied().unwrap_or(0);
            let v = if ratio < 1.0 {
                let fallback = target_util.map(|t| t.max(100) as i64).unwrap_or(100);
                req * fallback / 100
            } else {
                0
            };
            if ratio != 1.0 {
                m.insert(pod.clone(), v);
            }
        }
    }
    if scale_up_with_unready {
        for pod in &unready {
            m.insert(pod.clone(), 0);
        }
    }
    let (new_ratio, _, _) = ratio_of(&m)?;
    if (1.0 - new_ratio).abs() <= timings::HPA_TOLERANCE
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok((current, util_pct, raw));
    }
    let new_replicas = (new_ratio * m.len() as f64).ceil() as i32;
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return Ok((current, util_pct, raw));
    }
    Ok((new_replicas, util_pct, raw))
}

fn metric_name(m: &MetricSpec) -> String {
    let r = m.resource.as_ref();
    let name = r.map(|r| r.name.clone()).unwrap_or_default();
    match r.and_then(|r| r.target.average_utilization) {
        Some(_) => format!("{name} resource utilization (percentage of request)"),
        None => format!("{name} resource"),
    }
}

impl HorizontalPodAutoscalerController {
    fn reconcile_autoscaler(
        &mut self,
        ctx: &mut Ctx,
        key: &str,
        obj: &Object,
        hpa: HorizontalPodAutoscaler,
    ) {
        let ns = hpa.metadata.namespace.clone().unwrap_or_default();
        let name = hpa.metadata.name.clone().unwrap_or_default();
        let spec = hpa.spec.clone().unwrap_or_default();
        let now = ctx.store.timestamp_secs();
        let mut st = hpa.status.clone().unwrap_or_default();
        let old_st = st.clone();
        let event = |ctx: &mut Ctx, t: &str, r: &str, m: &str| {
            util::record(ctx.store, obj, t, r, m, COMPONENT)
        };
        let target = &spec.scale_target_ref;
        let (current, selector, kind) = match get_scale(ctx.store, &ns, &target.kind, &target.name)
        {
            Ok(s) => s,
            Err(e) => {
                let msg =
                    format!("the HPA controller was unable to get the target's current scale: {e}");
                event(ctx, "Warning", "FailedGetScale", &e);
                set_condition(&mut st, "AbleToScale", "False", "FailedGetScale", msg, &now);
                self.write(ctx, &ns, &name, &old_st, st);
                return;
            }
        };
        set_condition(
            &mut st,
            "AbleToScale",
            "True",
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale".into(),
            &now,
        );
        let min = spec.min_replicas.unwrap_or(1);
        let max = spec.max_replicas;
        let mut desired = 0;
        let mut reason = String::new();
        let mut metric_statuses: Vec<MetricStatus> = Vec::new();
        let rescale;
        if current == 0 && min != 0 {
            set_condition(
                &mut st,
                "ScalingActive",
                "False",
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero".into(),
                &now,
            );
            rescale = false;
        } else if current > max {
            reason = "Current number of replicas above Spec.MaxReplicas".into();
            desired = max;
            rescale = true;
        } else if current < min {
            reason = "Current number of replicas below Spec.MinReplicas".into();
            desired = min;
            rescale = true;
        } else {
            let pods: Vec<Pod> = ctx
                .store
                .list_as::<Pod>(Some(&ns))
                .filter(|p| util::selector_matches(Some(&selector), p.metadata.labels.as_ref()))
                .cloned()
                .collect();
            let stamp = ctx.store.timestamp();
            let mut proposal: i32 = -1;
            let mut proposal_name = String::new();
            let mut invalid = 0;
            let mut first_err: Option<String> = None;
            let metrics_spec = spec.metrics.clone().unwrap_or_default();
            for m in &metrics_spec {
                let Some(r) = m.resource.as_ref().filter(|_| m.type_ == "Resource") else {
                    invalid += 1;
                    first_err
                        .get_or_insert_with(|| format!("invalid metric source type {:?}", m.type_));
                    continue;
                };
                let tu = r.target.average_utilization;
                let ta = r.target.average_value.as_ref().map(|q| {
                    if r.name == "cpu" {
                        amount(q).milli_value()
                    } else {
                        amount(q).value()
                    }
                });
                match resource_replicas(ctx.store, &ns, &pods, current, &r.name, tu, ta, &stamp) {
                    Ok((n, pct, raw)) => {
                        metric_statuses.push(MetricStatus {
                            type_: "Resource".into(),
                            resource: Some(ResourceMetricStatus {
                                name: r.name.clone(),
                                current: MetricValueStatus {
                                    average_utilization: pct,
                                    average_value: Some(Quantity(if r.name == "cpu" {
                                        format!("{raw}m")
                                    } else {
                                        super::resourcequota::format_amount(
                                            crate::objects::quantity::Amount::from_units(raw),
                                            false,
                                        )
                                    })),
                                    value: None,
                                },
                            }),
                            ..Default::default()
                        });
                        if n > proposal {
                            proposal = n;
                            proposal_name = metric_name(m);
                        }
                    }
                    Err(e) => {
                        let what = if tu.is_some() { "utilization" } else { "usage" };
                        let e = format!("failed to get {} {what}: {e}", r.name);
                        event(ctx, "Warning", "FailedGetResourceMetric", &e);
                        set_condition(
                            &mut st,
                            "ScalingActive",
                            "False",
                            "FailedGetResourceMetric",
                            format!("the HPA was unable to compute the replica count: {e}"),
                            &now,
                        );
                        metric_statuses.push(MetricStatus {
                            type_: "Resource".into(),
                            resource: Some(ResourceMetricStatus {
                                name: r.name.clone(),
                                current: MetricValueStatus::default(),
                            }),
                            ..Default::default()
                        });
                        invalid += 1;
                        first_err.get_or_insert(format!(
                            "failed to get {} resource metric value: {e}",
                            r.name
                        ));
                    }
                }
            }
            if invalid > 0 {
                let e = format!(
                    "invalid metrics ({invalid} invalid out of {}), first error is: {}",
                    metrics_spec.len(),
                    first_err.clone().unwrap_or_default()
                );
                event(ctx, "Warning", "FailedComputeMetricsReplicas", &e);
            }
            if proposal == -1 || invalid == metrics_spec.len() && invalid > 0 {
                st.current_replicas = Some(current);
                st.current_metrics = if metric_statuses.is_empty() {
                    None
                } else {
                    Some(metric_statuses)
                };
                self.write(ctx, &ns, &name, &old_st, st);
                return;
            }
            set_condition(
                &mut st,
                "ScalingActive",
                "True",
                "ValidMetricFound",
                format!("the HPA was able to successfully calculate a replica count from {proposal_name}"),
                &now,
            );
            desired = proposal;
            if desired > current {
                reason = format!("{proposal_name} above target");
            }
            if desired < current {
                reason = "All metrics below target".into();
            }
            desired = if spec.behavior.is_none() {
                self.normalize(ctx.now, key, &mut st, current, desired, min, max, &now)
            } else {
                self.normalize_with_behaviors(
                    ctx.now, key, &hpa, &mut st, current, desired, min, max, &now,
                )
            };
            rescale = desired != current;
        }
        if rescale {
            let res = super::scale::scale(ctx.store, kind, &ns, &target.name, desired);
            match res {
                Ok(_) => {
                    set_condition(
                        &mut st,
                        "AbleToScale",
                        "True",
                        "SucceededRescale",
                        format!(
                            "the HPA controller was able to update the target scale to {desired}"
                        ),
                        &now,
                    );
                    event(
                        ctx,
                        "Normal",
                        "SuccessfulRescale",
                        &format!("New size: {desired}; reason: {reason}"),
                    );
                    let ev = ScaleEvent {
                        change: (desired - current).abs(),
                        at: ctx.now,
                    };
                    if desired > current {
                        self.scale_up_events
                            .entry(key.to_string())
                            .or_default()
                            .push(ev);
                    } else {
                        self.scale_down_events
                            .entry(key.to_string())
                            .or_default()
                            .push(ev);
                    }
                    st.last_scale_time = Some(now.clone());
                }
                Err(e) => {
                    event(
                        ctx,
                        "Warning",
                        "FailedRescale",
                        &format!(
                            "New size: {desired}; reason: {reason}; error: {}",
                            e.message
                        ),
                    );
                    set_condition(
                        &mut st,
                        "AbleToScale",
                        "False",
                        "FailedUpdateScale",
                        format!(
                            "the HPA controller was unable to update the target scale: {}",
                            e.message
                        ),
                        &now,
                    );
                    desired = current;
                }
            }
        } else {
            desired = current;
        }
        st.current_replicas = Some(current);
        st.desired_replicas = desired;
        st.current_metrics = if metric_statuses.is_empty() {
            None
        } else {
            Some(metric_statuses)
        };
        st.observed_generation = hpa.metadata.generation;
        // Conditions in upstream's order.
        if let Some(cs) = st.conditions.as_mut() {
            let order = |t: &str| {
                ["AbleToScale", "ScalingActive", "ScalingLimited"]
                    .iter()
                    .position(|x| *x == t)
                    .unwrap_or(9)
            };
            cs.sort_by_key(|c| order(&c.type_));
        }
        self.write(ctx, &ns, &name, &old_st, st);
    }

    fn write(
        &self,
        ctx: &mut Ctx,
        ns: &str,
        name: &str,
        old: &HorizontalPodAutoscalerStatus,
        st: HorizontalPodAutoscalerStatus,
    ) {
        if *old != st {
            let _ = ctx
                .store
                .modify::<HorizontalPodAutoscaler>(ns, name, true, |h| h.status = Some(st));
        }
    }

    /// `normalizeDesiredReplicas` (no `behavior`): the 5-minute downscale
    /// stabilisation, then `convertDesiredReplicasWithRules`.
    #[allow(clippy::too_many_arguments)]
    fn normalize(
        &mut self,
        now_sim: SimTime,
        key: &str,
        st: &mut HorizontalPodAutoscalerStatus,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        now: &Time,
    ) -> i32 {
        let recs = self.recommendations.entry(key.to_string()).or_default();
        let cutoff_ok = |r: &Recommendation| r.at + timings::HPA_DOWNSCALE_STABILIZATION >= now_sim;
        let mut stabilized = desired;
        let mut old_idx = None;
        for (i, r) in recs.iter().enumerate() {
            if !cutoff_ok(r) {
                old_idx = Some(i);
            } else if r.replicas > stabilized {
                stabilized = r.replicas;
            }
        }
        let rec = Recommendation {
            replicas: desired,
            at: now_sim,
        };
        match old_idx {
            Some(i) => recs[i] = rec,
            None => recs.push(rec),
        }
        if stabilized != desired {
            set_condition(
                st,
                "AbleToScale",
                "True",
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation".into(),
                now,
            );
        } else {
            set_condition(
                st,
                "AbleToScale",
                "True",
                "ReadyForNewScale",
                "recommended size matches current size".into(),
                now,
            );
        }
        let scale_up_limit = (timings::HPA_SCALE_UP_LIMIT_FACTOR * current as f64)
            .max(timings::HPA_SCALE_UP_LIMIT_MINIMUM) as i32;
        let (max_allowed, limit_cond, limit_reason) = if max > scale_up_limit {
            (
                scale_up_limit,
                "ScaleUpLimit",
                "the desired replica count is increasing faster than the maximum scale rate",
            )
        } else {
            (
                max,
                "TooManyReplicas",
                "the desired replica count is more than the maximum replica count",
            )
        };
        let (out, cond, reason) = if stabilized < min {
            (
                min,
                "TooFewReplicas",
                "the desired replica count is less than the minimum replica count",
            )
        } else if stabilized > max_allowed {
            (max_allowed, limit_cond, limit_reason)
        } else {
            (
                stabilized,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        let status = if out == stabilized { "False" } else { "True" };
        set_condition(st, "ScalingLimited", status, cond, reason.into(), now);
        out
    }

    /// `normalizeDesiredReplicasWithBehaviors`: stabilisation windows and
    /// rate policies per direction (`stabilizeRecommendationWithBehaviors`,
    /// `convertDesiredReplicasWithBehaviorRate`).
    #[allow(clippy::too_many_arguments)]
    fn normalize_with_behaviors(
        &mut self,
        now_sim: SimTime,
        key: &str,
        hpa: &HorizontalPodAutoscaler,
        st: &mut HorizontalPodAutoscalerStatus,
        current: i32,
        desired: i32,
        min: i32,
        max: i32,
        now: &Time,
    ) -> i32 {
        let b = hpa
            .spec
            .as_ref()
            .and_then(|s| s.behavior.clone())
            .unwrap_or_default();
        let up = b.scale_up.clone().unwrap_or_else(default_scale_up);
        let mut down = b.scale_down.clone().unwrap_or_else(default_scale_down);
        if down.stabilization_window_seconds.is_none() {
            down.stabilization_window_seconds =
                Some(timings::HPA_DOWNSCALE_STABILIZATION.as_secs() as i32);
        }
        let up_window =
            Duration::from_secs(up.stabilization_window_seconds.unwrap_or(0).max(0) as u64);
        let down_window =
            Duration::from_secs(down.stabilization_window_seconds.unwrap_or(0).max(0) as u64);
        let recs = self.recommendations.entry(key.to_string()).or_default();
        let longest = up_window.max(down_window);
        let (mut up_rec, mut down_rec) = (desired, desired);
        for r in recs.iter() {
            if r.at + up_window >= now_sim {
                up_rec = up_rec.min(r.replicas);
            }
            if r.at + down_window >= now_sim {
                down_rec = down_rec.max(r.replicas);
            }
        }
        recs.retain(|r| r.at + longest >= now_sim);
        recs.push(Recommendation {
            replicas: desired,
            at: now_sim,
        });
        let mut stabilized = current;
        let (mut reason, mut msg) = ("ReadyForNewScale", "recommended size matches current size");
        if stabilized < up_rec {
            stabilized = up_rec;
        }
        if stabilized > down_rec {
            stabilized = down_rec;
        }
        if stabilized != desired {
            if stabilized > desired {
                reason = "ScaleDownStabilized";
                msg = "recent recommendations were higher than current one, applying the highest recent recommendation";
            } else {
                reason = "ScaleUpStabilized";
                msg = "recent recommendations were lower than current one, applying the lowest recent recommendation";
            }
        }
        set_condition(st, "AbleToScale", "True", reason, msg.into(), now);
        // Rate limits.
        let (out, cond, why) = if stabilized > current {
            let limit = rate_limit(
                &up,
                current,
                self.scale_up_events
                    .get(key)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                now_sim,
                true,
            );
            let max_allowed = limit.min(max);
            if stabilized > max_allowed {
                if limit < max {
                    (max_allowed, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate")
                } else {
                    (
                        max_allowed,
                        "TooManyReplicas",
                        "the desired replica count is more than the maximum replica count",
                    )
                }
            } else {
                (
                    stabilized,
                    "DesiredWithinRange",
                    "the desired count is within the acceptable range",
                )
            }
        } else if stabilized < current {
            let limit = rate_limit(
                &down,
                current,
                self.scale_down_events
                    .get(key)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
                now_sim,
                false,
            );
            let min_allowed = limit.max(min);
            if stabilized < min_allowed {
                if limit > min {
                    (min_allowed, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate")
                } else {
                    (
                        min_allowed,
                        "TooFewReplicas",
                        "the desired replica count is less than the minimum replica count",
                    )
                }
            } else {
                (
                    stabilized,
                    "DesiredWithinRange",
                    "the desired count is within the acceptable range",
                )
            }
        } else {
            (
                stabilized,
                "DesiredWithinRange",
                "the desired count is within the acceptable range",
            )
        };
        let status = if out == stabilized { "False" } else { "True" };
        set_condition(st, "ScalingLimited", status, cond, why.into(), now);
        out
    }
}

/// `pkg/apis/autoscaling/v2/defaults.go` `SetDefaults_HorizontalPodAutoscaler`:
/// minReplicas 1, an 80% CPU target when no metric is given, and the
/// default rules filled into a `behavior` that is present.
pub fn set_defaults(h: &mut HorizontalPodAutoscaler) {
    let Some(spec) = h.spec.as_mut() else { return };
    spec.min_replicas.get_or_insert(1);
    if spec.metrics.as_ref().is_none_or(|m| m.is_empty()) {
        spec.metrics = Some(vec![serde_json::from_value(serde_json::json!({
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}
        }))
        .expect("static metric")]);
    }
    if let Some(b) = spec.behavior.as_mut() {
        let up = b.scale_up.get_or_insert_with(default_scale_up);
        let d = default_scale_up();
        up.select_policy
            .get_or_insert_with(|| d.select_policy.clone().unwrap_or_default());
        up.stabilization_window_seconds.get_or_insert(0);
        if up.policies.is_none() {
            up.policies = d.policies;
        }
        let down = b.scale_down.get_or_insert_with(default_scale_down);
        let d = default_scale_down();
        down.select_policy
            .get_or_insert_with(|| d.select_policy.clone().unwrap_or_default());
        if down.policies.is_none() {
            down.policies = d.policies;
        }
    }
}

/// `GenerateHPAScaleUpRules` defaults: max(4 pods, 100%) per 15 s.
fn default_scale_up() -> HPAScalingRules {
    serde_json::from_value(serde_json::json!({
        "stabilizationWindowSeconds": 0, "selectPolicy": "Max",
        "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]
    }))
    .expect("static rules")
}

/// `GenerateHPAScaleDownRules` defaults: 100% per 15 s.
fn default_scale_down() -> HPAScalingRules {
    serde_json::from_value(serde_json::json!({
        "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]
    }))
    .expect("static rules")
}

/// `calculateScaleUpLimitWithScalingRules` / `...ScaleDownLimit...`.
fn rate_limit(
    rules: &HPAScalingRules,
    current: i32,
    events: &[ScaleEvent],
    now: SimTime,
    up: bool,
) -> i32 {
    let select = rules.select_policy.as_deref().unwrap_or("Max");
    if select == "Disabled" {
        return current;
    }
    let mut result: Option<i32> = None;
    for p in rules.policies.iter().flatten() {
        let period = Duration::from_secs(p.period_seconds.max(0) as u64);
        let changed: i32 = events
            .iter()
            .filter(|e| e.at + period > now)
            .map(|e| e.change)
            .sum();
        let period_start = if up {
            current - changed
        } else {
            current + changed
        };
        let proposed = match (p.type_.as_str(), up) {
            ("Pods", true) => period_start + p.value,
            ("Percent", true) => {
                (period_start as f64 * (1.0 + p.value as f64 / 100.0)).ceil() as i32
            }
            ("Pods", false) => period_start - p.value,
            ("Percent", false) => {
                (period_start as f64 * (1.0 - p.value as f64 / 100.0)).ceil() as i32
            }
            _ => continue,
        };
        result = Some(match (result, select, up) {
            (None, _, _) => proposed,
            (Some(r), "Min", true) | (Some(r), "Max", false) => r.min(proposed),
            (Some(r), _, true) | (Some(r), _, false) => r.max(proposed),
        });
    }
    result.unwrap_or(current)
}
