//! Defaulting, as `pkg/apis/*/v1/defaults.go` does for the fields in use, so
//! `-o yaml` shows what a real cluster shows.

use super::kinds::Object;
use crate::objects::quantity::canonicalize_map;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Toleration};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn apply(obj: &mut Object) {
    match obj {
        Object::Pod(p) => {
            if let Some(spec) = p.spec.as_mut() {
                pod_spec(spec);
            }
        }
        Object::Namespace(n) => {
            let name = n.metadata.name.clone().unwrap_or_default();
            // The NamespaceDefaultLabelName feature: kubernetes.io/metadata.name.
            n.metadata
                .labels
                .get_or_insert_with(BTreeMap::new)
                .insert("kubernetes.io/metadata.name".into(), name);
            let spec = n.spec.get_or_insert_with(Default::default);
            spec.finalizers
                .get_or_insert_with(|| vec!["kubernetes".into()]);
            let st = n.status.get_or_insert_with(Default::default);
            st.phase.get_or_insert_with(|| "Active".into());
        }
        Object::Deployment(d) => {
            if let Some(spec) = d.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                spec.revision_history_limit.get_or_insert(10);
                spec.progress_deadline_seconds.get_or_insert(600);
                let strat = spec.strategy.get_or_insert_with(Default::default);
                let t = strat.type_.get_or_insert_with(|| "RollingUpdate".into());
                if t == "RollingUpdate" {
                    let ru = strat.rolling_update.get_or_insert_with(Default::default);
                    ru.max_surge
                        .get_or_insert(IntOrString::String("25%".into()));
                    ru.max_unavailable
                        .get_or_insert(IntOrString::String("25%".into()));
                }
                template(&mut spec.template);
            }
        }
        Object::ReplicaSet(r) => {
            if let Some(spec) = r.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                if let Some(t) = spec.template.as_mut() {
                    template(t);
                }
            }
        }
        Object::DaemonSet(d) => {
            if let Some(spec) = d.spec.as_mut() {
                spec.revision_history_limit.get_or_insert(10);
                let strat = spec.update_strategy.get_or_insert_with(Default::default);
                let t = strat.type_.get_or_insert_with(|| "RollingUpdate".into());
                if t == "RollingUpdate" {
                    let ru = strat.rolling_update.get_or_insert_with(Default::default);
                    ru.max_surge.get_or_insert(IntOrString::Int(0));
                    ru.max_unavailable.get_or_insert(IntOrString::Int(1));
                }
                template(&mut spec.template);
            }
        }
        Object::StatefulSet(s) => {
            if let Some(spec) = s.spec.as_mut() {
                spec.replicas.get_or_insert(1);
                spec.revision_history_limit.get_or_insert(10);
                spec.pod_management_policy
                    .get_or_insert_with(|| "OrderedReady".into());
                let strat = spec.update_strategy.get_or_insert_with(Default::default);
                let t = strat.type_.get_or_insert_with(|| "RollingUpdate".into());
                if t == "RollingUpdate" {
                    strat
                        .rolling_update
                        .get_or_insert_with(Default::default)
                        .partition
                        .get_or_insert(0);
                }
                let pol = spec
                    .persistent_volume_claim_retention_policy
                    .get_or_insert_with(Default::default);
                pol.when_deleted.get_or_insert_with(|| "Retain".into());
                pol.when_scaled.get_or_insert_with(|| "Retain".into());
                template(&mut spec.template);
            }
        }
        Object::Job(j) => {
            if let Some(spec) = j.spec.as_mut() {
                spec.parallelism.get_or_insert(1);
                spec.completions.get_or_insert(1);
                spec.backoff_limit.get_or_insert(6);
                spec.completion_mode
                    .get_or_insert_with(|| "NonIndexed".into());
                spec.suspend.get_or_insert(false);
                spec.manual_selector.take_if(|m| !*m);
                spec.pod_replacement_policy
                    .get_or_insert_with(|| "TerminatingOrFailed".into());
                template(&mut spec.template);
                if let Some(ps) = spec.template.spec.as_mut() {
                    // Job pods default to Never in `kubectl create job`; the
                    // API requires OnFailure or Never, validation says so.
                    let _ = ps;
                }
            }
        }
        Object::CronJob(c) => {
            if let Some(spec) = c.spec.as_mut() {
                spec.concurrency_policy
                    .get_or_insert_with(|| "Allow".into());
                spec.suspend.get_or_insert(false);
                spec.successful_jobs_history_limit.get_or_insert(3);
                spec.failed_jobs_history_limit.get_or_insert(1);
                if let Some(js) = spec.job_template.spec.as_mut() {
                    js.backoff_limit.get_or_insert(6);
                    js.completion_mode
                        .get_or_insert_with(|| "NonIndexed".into());
                    js.suspend.get_or_insert(false);
                    template(&mut js.template);
                }
            }
        }
        Object::Service(s) => {
            if let Some(spec) = s.spec.as_mut() {
                let t = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
                spec.session_affinity.get_or_insert_with(|| "None".into());
                if t != "ExternalName" {
                    spec.internal_traffic_policy
                        .get_or_insert_with(|| "Cluster".into());
                    spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
                    spec.ip_family_policy
                        .get_or_insert_with(|| "SingleStack".into());
                }
                if t == "NodePort" || t == "LoadBalancer" {
                    spec.external_traffic_policy
                        .get_or_insert_with(|| "Cluster".into());
                }
                if t == "LoadBalancer" {
                    spec.allocate_load_balancer_node_ports.get_or_insert(true);
                }
                for p in spec.ports.iter_mut().flatten() {
                    p.protocol.get_or_insert_with(|| "TCP".into());
                    if p.target_port.is_none() {
                        p.target_port = Some(IntOrString::Int(p.port));
                    }
                }
            }
        }
        Object::PersistentVolumeClaim(c) => {
            if let Some(spec) = c.spec.as_mut() {
                spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
                if let Some(r) = spec.resources.as_mut() {
                    for m in [r.requests.as_mut(), r.limits.as_mut()]
                        .into_iter()
                        .flatten()
                    {
                        canonicalize_map(m);
                    }
                }
            }
            c.status
                .get_or_insert_with(Default::default)
                .phase
                .get_or_insert_with(|| "Pending".into());
        }
        Object::PersistentVolume(v) => {
            if let Some(spec) = v.spec.as_mut() {
                if let Some(c) = spec.capacity.as_mut() {
                    canonicalize_map(c);
                }
                spec.persistent_volume_reclaim_policy
                    .get_or_insert_with(|| "Retain".into());
                spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
            }
            v.status
                .get_or_insert_with(Default::default)
                .phase
                .get_or_insert_with(|| "Pending".into());
        }
        Object::Secret(s) => {
            s.type_.get_or_insert_with(|| "Opaque".into());
        }
        Object::StorageClass(sc) => {
            sc.reclaim_policy.get_or_insert_with(|| "Delete".into());
            sc.volume_binding_mode
                .get_or_insert_with(|| "Immediate".into());
        }
        Object::PriorityClass(pc) => {
            pc.preemption_policy
                .get_or_insert_with(|| "PreemptLowerPriority".into());
        }
        Object::Node(n) => {
            let _ = n;
        }
        Object::ResourceQuota(q) => {
            if let Some(h) = q.spec.as_mut().and_then(|s| s.hard.as_mut()) {
                canonicalize_map(h);
            }
        }
        Object::LimitRange(l) => {
            for item in l
                .spec
                .as_mut()
                .map(|s| s.limits.iter_mut())
                .into_iter()
                .flatten()
            {
                for m in [
                    item.max.as_mut(),
                    item.min.as_mut(),
                    item.default.as_mut(),
                    item.default_request.as_mut(),
                    item.max_limit_request_ratio.as_mut(),
                ]
                .into_iter()
                .flatten()
                {
                    canonicalize_map(m);
                }
            }
        }
        _ => {}
    }
}

fn template(t: &mut PodTemplateSpec) {
    if let Some(spec) = t.spec.as_mut() {
        pod_spec(spec);
    }
}

/// `pkg/apis/core/v1/defaults.go` SetDefaults_PodSpec and friends.
pub fn pod_spec(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.security_context.get_or_insert_with(Default::default);
    spec.enable_service_links.get_or_insert(true);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    for c in spec.containers.iter_mut() {
        container(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container(c);
    }
}

fn container(c: &mut Container) {
    if c.image_pull_policy.is_none() {
        c.image_pull_policy = Some(default_pull_policy(c.image.as_deref().unwrap_or("")).into());
    }
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    for p in c.ports.iter_mut().flatten() {
        p.protocol.get_or_insert_with(|| "TCP".into());
    }
    for probe in [
        &mut c.liveness_probe,
        &mut c.readiness_probe,
        &mut c.startup_probe,
    ]
    .into_iter()
    .flatten()
    {
        probe.period_seconds.get_or_insert(10);
        probe.timeout_seconds.get_or_insert(1);
        probe.success_threshold.get_or_insert(1);
        probe.failure_threshold.get_or_insert(3);
    }
    // Requests default to limits when only limits are set.
    if let Some(res) = c.resources.as_mut() {
        if let Some(limits) = res.limits.clone() {
            let req = res.requests.get_or_insert_with(BTreeMap::new);
            for (k, v) in limits {
                req.entry(k).or_insert(v);
            }
        }
        // Quantities are stored and served canonical (`0.5` → `500m`).
        for m in [res.requests.as_mut(), res.limits.as_mut()]
            .into_iter()
            .flatten()
        {
            canonicalize_map(m);
        }
    } else {
        c.resources = Some(Default::default());
    }
}

/// `Always` for `:latest` or no tag, `IfNotPresent` otherwise (a digest counts as a tag).
pub fn default_pull_policy(image: &str) -> &'static str {
    if image.contains('@') {
        return "IfNotPresent";
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, tag)) if tag != "latest" => "IfNotPresent",
        _ => "Always",
    }
}

/// The pod's QoS class, as `pkg/apis/core/helper/qos` computes it:
/// Guaranteed when every container has equal cpu and memory requests and
/// limits, BestEffort when none has any, Burstable otherwise.
pub fn qos_class(spec: &PodSpec) -> &'static str {
    let containers: Vec<&Container> = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in containers {
        let res = c.resources.clone().unwrap_or_default();
        let req = res.requests.unwrap_or_default();
        let lim = res.limits.unwrap_or_default();
        if !req.is_empty() || !lim.is_empty() {
            any = true;
        }
        for r in ["cpu", "memory"] {
            match (req.get(r), lim.get(r)) {
                (Some(a), Some(b)) if super::quantity::amount(a) == super::quantity::amount(b) => {}
                (None, Some(_)) => {}
                _ => guaranteed = false,
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// `plugin/pkg/admission/defaulttolerationseconds`.
pub fn add_default_tolerations(pod: &mut k8s_openapi::api::core::v1::Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    let tols = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        let has = tols.iter().any(|t| {
            (t.key.as_deref() == Some(key)
                || t.key.is_none() && t.operator.as_deref() == Some("Exists"))
                && (t.effect.is_none() || t.effect.as_deref() == Some("NoExecute"))
        });
        if !has {
            tols.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                value: None,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_policy_follows_the_tag() {
        assert_eq!(default_pull_policy("nginx"), "Always");
        assert_eq!(default_pull_policy("nginx:latest"), "Always");
        assert_eq!(default_pull_policy("nginx:1.25"), "IfNotPresent");
        assert_eq!(default_pull_policy("localhost:5000/app"), "Always");
        assert_eq!(default_pull_policy("localhost:5000/app:v1"), "IfNotPresent");
        assert_eq!(default_pull_policy("app@sha256:abc"), "IfNotPresent");
    }
}
