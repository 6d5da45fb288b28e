//! StatefulSets (`pkg/controller/statefulset/stateful_set_control.go`).

use crate::common;
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use kubesim::controllers::{rollout, scale};
use kubesim::objects::Kind;
use kubesim::sim::World;

const SC: &str = r#"
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: local-path
  annotations: {storageclass.kubernetes.io/is-default-class: "true"}
provisioner: rancher.io/local-path
volumeBindingMode: WaitForFirstConsumer
reclaimPolicy: Delete
"#;

fn web(policy: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: web, namespace: default}}
spec:
  serviceName: web
  replicas: 0
  podManagementPolicy: {policy}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: nginx, image: "nginx:1.25", volumeMounts: [{{name: www, mountPath: /usr/share/nginx/html}}]}}]
  volumeClaimTemplates:
  - metadata: {{name: www}}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {{requests: {{storage: 1Gi}}}}
"#
    )
}

fn pvcs(w: &World) -> Vec<String> {
    w.store
        .list_as::<PersistentVolumeClaim>(Some("default"))
        .map(|c| {
            format!(
                "{} {} {} owners={}",
                c.metadata.name.clone().unwrap(),
                c.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default(),
                c.spec
                    .as_ref()
                    .and_then(|s| s.volume_name.clone())
                    .map(|v| &v[..4] == "pvc-")
                    .map(|b| if b { "pvc-<uid>" } else { "?" })
                    .unwrap_or("-"),
                c.metadata
                    .owner_references
                    .as_ref()
                    .map(|r| r.len())
                    .unwrap_or(0)
            )
        })
        .collect()
}

/// Runs the world second by second, recording pod changes.
fn timeline(w: &mut World, secs: u64) -> Vec<String> {
    let mut out = Vec::new();
    let mut last = common::pod_lines(w, "default", "web-");
    for _ in 0..secs {
        w.advance(common::secs(1));
        let now = common::pod_lines(w, "default", "web-");
        if now != last {
            out.push(format!("[{}] {}", w.now(), now.join(" | ")));
            last = now;
        }
    }
    out
}

/// OrderedReady: 0→3 one pod at a time, each waiting for its predecessor
/// to be Running and Ready, one PVC per ordinal (`www-web-N`) bound through
/// the provisioner; then 3→1 in reverse order, keeping every PVC
/// (persistentVolumeClaimRetentionPolicy Retain/Retain).
#[test]
fn statefulset_scales_in_order_and_keeps_claims() {
    let mut w = common::world(21);
    common::apply(&mut w, SC);
    common::apply(&mut w, &web("OrderedReady"));
    scale::scale(&mut w.store, Kind::StatefulSet, "default", "web", 3).unwrap();
    w.settle();
    let mut out = vec!["# scale 0 -> 3".to_string()];
    out.extend(timeline(&mut w, 15));
    out.push(
        rollout::status_lines(&w.store, Kind::StatefulSet, "default", "web")
            .0
            .join(""),
    );
    out.extend(pvcs(&w));
    let pod = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", "web-1")
        .unwrap()
        .clone();
    out.push(format!(
        "web-1 hostname={} subdomain={} labels={:?}",
        pod.spec.as_ref().unwrap().hostname.clone().unwrap(),
        pod.spec.as_ref().unwrap().subdomain.clone().unwrap(),
        pod.metadata.labels.clone().unwrap()
    ));
    scale::scale(&mut w.store, Kind::StatefulSet, "default", "web", 1).unwrap();
    w.settle();
    out.push("# scale 3 -> 1".to_string());
    out.extend(timeline(&mut w, 10));
    out.extend(pvcs(&w));
    // Deleting the StatefulSet keeps the claims too.
    w.store
        .delete(Kind::StatefulSet, "default", "web", &Default::default())
        .unwrap();
    w.advance(common::secs(10));
    out.push("# statefulset deleted".to_string());
    out.extend(common::pod_lines(&w, "default", "web-"));
    out.extend(pvcs(&w));
    insta::assert_snapshot!(format!(
        "{}\n\n{}",
        out.join("\n"),
        common::events(&w, "default", "statefulset-controller").join("\n")
    ));
}

/// Parallel: all pods at once.
#[test]
fn parallel_creates_all_pods_at_once() {
    let mut w = common::world(22);
    common::apply(&mut w, SC);
    common::apply(
        &mut w,
        &web("Parallel").replace("replicas: 0", "replicas: 3"),
    );
    assert_eq!(common::pods(&w, "default", "web-").len(), 3);
}

/// RollingUpdate in reverse ordinal order, honouring the partition, then
/// the rest; `rollout status` prints kubectl's statefulset lines.
#[test]
fn rolling_update_in_reverse_with_partition() {
    let mut w = common::world(23);
    common::apply(&mut w, SC);
    common::apply(
        &mut w,
        &web("OrderedReady").replace("replicas: 0", "replicas: 3"),
    );
    w.advance(common::secs(20));
    let set_image = |w: &mut World, partition: i32| {
        w.store
            .modify::<StatefulSet>("default", "web", false, |s| {
                let spec = s.spec.as_mut().unwrap();
                spec.template.spec.as_mut().unwrap().containers[0].image =
                    Some("nginx:1.27".into());
                spec.update_strategy
                    .as_mut()
                    .unwrap()
                    .rolling_update
                    .as_mut()
                    .unwrap()
                    .partition = Some(partition);
            })
            .unwrap();
        w.settle();
    };
    set_image(&mut w, 2);
    let mut out = vec!["# partition 2".to_string()];
    out.extend(timeline(&mut w, 10));
    out.push(
        rollout::status_lines(&w.store, Kind::StatefulSet, "default", "web")
            .0
            .join(""),
    );
    set_image(&mut w, 0);
    out.push("# partition 0".to_string());
    out.extend(timeline(&mut w, 20));
    out.push(
        rollout::status_lines(&w.store, Kind::StatefulSet, "default", "web")
            .0
            .join(""),
    );
    let st = w
        .store
        .get_as::<StatefulSet>("default", "web")
        .unwrap()
        .status
        .clone()
        .unwrap();
    out.push(common::yaml_of(&st));
    insta::assert_snapshot!(out.join("\n"));
}

/// OnDelete: the new template is used only for pods deleted by hand.
#[test]
fn on_delete_updates_only_deleted_pods() {
    let mut w = common::world(24);
    common::apply(&mut w, SC);
    common::apply(
        &mut w,
        &web("Parallel").replace(
            "replicas: 0",
            "replicas: 2\n  updateStrategy: {type: OnDelete}",
        ),
    );
    w.advance(common::secs(10));
    w.store
        .modify::<StatefulSet>("default", "web", false, |s| {
            s.spec
                .as_mut()
                .unwrap()
                .template
                .spec
                .as_mut()
                .unwrap()
                .containers[0]
                .image = Some("nginx:1.27".into());
        })
        .unwrap();
    w.advance(common::secs(10));
    let image = |w: &World, p: &str| {
        w.store
            .get_as::<k8s_openapi::api::core::v1::Pod>("default", p)
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
            .image
            .clone()
            .unwrap()
    };
    assert_eq!(image(&w, "web-1"), "nginx:1.25");
    w.store
        .delete(Kind::Pod, "default", "web-1", &Default::default())
        .unwrap();
    w.advance(common::secs(10));
    assert_eq!(image(&w, "web-1"), "nginx:1.27");
    assert_eq!(image(&w, "web-0"), "nginx:1.25");
}

/// persistentVolumeClaimRetentionPolicy whenScaled: Delete — the claim of a
/// condemned pod gets the pod as owner and goes with it.
#[test]
fn retention_policy_delete_on_scale_down() {
    let mut w = common::world(25);
    common::apply(&mut w, SC);
    let y = web("Parallel").replace("replicas: 0", "replicas: 2\n  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete, whenDeleted: Retain}");
    common::apply(&mut w, &y);
    w.advance(common::secs(10));
    scale::scale(&mut w.store, Kind::StatefulSet, "default", "web", 1).unwrap();
    w.advance(common::secs(10));
    let names: Vec<String> = w
        .store
        .list_as::<PersistentVolumeClaim>(Some("default"))
        .map(|c| c.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["www-web-0"]);
}

/// A StatefulSet pod that fails is deleted and recreated under the same
/// name (`processReplica`).
#[test]
fn failed_pod_is_recreated_with_same_identity() {
    let mut w = common::world(26);
    common::apply(&mut w, SC);
    let y = web("OrderedReady")
        .replace("replicas: 0", "replicas: 1")
        .replace("    metadata: {labels: {app: web}}", "    metadata: {labels: {app: web}, annotations: {\"test.kubesim.io/behavior\": \"exit:1:3\"}}");
    common::apply(&mut w, &y);
    w.advance(common::secs(20));
    let evs = common::events(&w, "default", "statefulset-controller");
    // Repeated events aggregate: `(xN)`.
    assert!(
        evs.iter()
            .any(|e| e.contains("create Pod web-0 in StatefulSet web successful (x")),
        "{evs:?}"
    );
    assert!(evs
        .iter()
        .any(|e| e.contains("delete Pod web-0 in StatefulSet web successful")));
    // The claim is the same one all along.
    assert_eq!(evs.iter().filter(|e| e.contains("create Claim")).count(), 1);
}
