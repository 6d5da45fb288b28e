//! The HorizontalPodAutoscaler (`pkg/controller/podautoscaler/horizontal.go`,
//! `replica_calculator.go`).

use crate::common;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use kubesim::controllers::metrics::CPU_USAGE_ANNOTATION;
use kubesim::sim::World;

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx, resources: {requests: {cpu: 100m}}}]
"#;

const HPA: &str = r#"
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: default}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"#;

/// A load balancer spreading `total` millicores over the running pods.
fn spread_load(w: &mut World, total: i64) {
    let pods: Vec<String> = w
        .store
        .list_as::<Pod>(Some("default"))
        .filter(|p| {
            p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
                && p.metadata.deletion_timestamp.is_none()
        })
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    let n = pods.len().max(1) as i64;
    for p in pods {
        w.store
            .modify::<Pod>("default", &p, false, |p| {
                p.metadata
                    .annotations
                    .get_or_insert_with(Default::default)
                    .insert(CPU_USAGE_ANNOTATION.into(), format!("{}m", total / n));
            })
            .unwrap();
    }
}

fn replicas(w: &World) -> i32 {
    w.store
        .get_as::<Deployment>("default", "web")
        .unwrap()
        .spec
        .as_ref()
        .unwrap()
        .replicas
        .unwrap()
}

/// Under 800m of load with a 50% target of 100m requests, the HPA scales 1 →
/// 4 → 8 → 10 (at most max(2×, 4) per sync), then, when the load stops,
/// waits out the 5-minute downscale stabilisation before going back to 1.
#[test]
fn hpa_scales_up_under_load_and_down_after_window() {
    let mut w = common::world(61);
    common::apply(&mut w, WEB);
    w.advance(common::secs(60));
    common::apply(&mut w, HPA);
    let mut timeline = Vec::new();
    let mut last = replicas(&w);
    let mut load = 800;
    for step in 0..(16 * 60 / 5) {
        if step == 4 * 60 / 5 {
            load = 0;
            timeline.push(format!("[{}] load stops", w.now()));
        }
        spread_load(&mut w, load);
        w.advance(common::secs(5));
        let r = replicas(&w);
        if r != last {
            timeline.push(format!("[{}] replicas {last} -> {r}", w.now()));
            last = r;
        }
    }
    let h = w
        .store
        .get_as::<HorizontalPodAutoscaler>("default", "web")
        .unwrap()
        .clone();
    let conds: Vec<String> = h
        .status
        .as_ref()
        .unwrap()
        .conditions
        .iter()
        .flatten()
        .map(|c| {
            format!(
                "{} {} {}: {}",
                c.type_,
                c.status,
                c.reason.clone().unwrap(),
                c.message.clone().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}",
        timeline.join("\n"),
        common::events(&w, "default", "horizontal-pod-autoscaler").join("\n"),
        conds.join("\n")
    ));
}

/// Without metrics the HPA says so in its conditions and events.
#[test]
fn hpa_without_metrics() {
    let mut w = common::world(62);
    common::apply(&mut w, WEB);
    common::apply(&mut w, HPA);
    w.advance(common::secs(20));
    let evs = common::events(&w, "default", "horizontal-pod-autoscaler");
    assert_eq!(
        evs[0],
        "Warning FailedGetResourceMetric HorizontalPodAutoscaler/web: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API (x2)"
    );
    assert_eq!(replicas(&w), 1);
}
