//! DaemonSets (`pkg/controller/daemon/daemon_controller.go`, `update.go`).

use crate::common;
use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::{Node, Taint};
use kubesim::controllers::rollout;
use kubesim::objects::{Kind, Object};
use kubesim::sim::store::WriteOptions;
use kubesim::sim::World;

const RNG: &str = r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: rng, namespace: default}
spec:
  selector: {matchLabels: {app: rng}}
  template:
    metadata: {labels: {app: rng}}
    spec:
      containers: [{name: rng, image: "dockercoins/rng:v0.1"}]
"#;

fn status(w: &World) -> String {
    let ds = w.store.get_as::<DaemonSet>("default", "rng").unwrap();
    let st = ds.status.clone().unwrap_or_default();
    format!(
        "DESIRED={} CURRENT={} READY={} UP-TO-DATE={} AVAILABLE={} MISSCHEDULED={}",
        st.desired_number_scheduled,
        st.current_number_scheduled,
        st.number_ready,
        st.updated_number_scheduled.unwrap_or(0),
        st.number_available.unwrap_or(0),
        st.number_misscheduled
    )
}

fn add_node(w: &mut World, name: &str) {
    let mut n = w.store.get_as::<Node>("", "node4").unwrap().clone();
    n.metadata = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(name.into()),
        labels: n.metadata.labels.clone().map(|mut l| {
            l.insert("kubernetes.io/hostname".into(), name.into());
            l
        }),
        ..Default::default()
    };
    w.store
        .create(Object::Node(n), &WriteOptions::default())
        .unwrap();
    w.settle();
}

fn taint(w: &mut World, node: &str, key: &str, effect: &str) {
    w.store
        .modify::<Node>("", node, false, |n| {
            n.spec
                .get_or_insert_with(Default::default)
                .taints
                .get_or_insert_with(Vec::new)
                .push(Taint {
                    key: key.into(),
                    effect: effect.into(),
                    ..Default::default()
                })
        })
        .unwrap();
    w.settle();
}

/// The workshop's rng DaemonSet: one pod per worker (node1 keeps its
/// control-plane taint), following nodes that join, leave and get tainted
/// (`NodeShouldRunDaemonPod`: NoSchedule keeps running pods, NoExecute
/// evicts them).
#[test]
fn daemonset_follows_worker_nodes() {
    let mut w = common::world(11);
    common::apply(&mut w, RNG);
    w.advance(common::secs(10));
    let mut out = vec!["# created".to_string(), status(&w)];
    out.extend(common::pod_lines(&w, "default", "rng-"));
    add_node(&mut w, "node5");
    w.advance(common::secs(10));
    out.push("# node5 joined".into());
    out.push(status(&w));
    out.extend(common::pod_lines(&w, "default", "rng-"));
    taint(&mut w, "node3", "maintenance", "NoSchedule");
    w.advance(common::secs(10));
    out.push("# node3 tainted NoSchedule (pod keeps running, misscheduled)".into());
    out.push(status(&w));
    taint(&mut w, "node2", "dedicated", "NoExecute");
    w.advance(common::secs(10));
    out.push("# node2 tainted NoExecute (pod deleted)".into());
    out.push(status(&w));
    out.extend(common::pod_lines(&w, "default", "rng-"));
    w.store
        .delete(Kind::Node, "", "node5", &Default::default())
        .unwrap();
    w.advance(common::secs(10));
    out.push("# node5 removed (its pod is orphaned)".into());
    out.push(status(&w));
    out.extend(common::pod_lines(&w, "default", "rng-"));
    w.advance(common::secs(60));
    out.push("# 60 s later the pod GC removed it (40 s quarantine, 20 s period)".into());
    out.extend(common::pod_lines(&w, "default", "rng-"));
    insta::assert_snapshot!(format!(
        "{}\n\n{}",
        out.join("\n"),
        common::events(&w, "default", "daemonset-controller").join("\n")
    ));
}

/// Daemon pods carry the node-name affinity and upstream's tolerations,
/// the revision hash and template generation labels, and a
/// ControllerRevision records the template (`CreatePodTemplate`,
/// `ReplaceDaemonSetPodNodeNameNodeAffinity`, `snapshot`).
#[test]
fn daemon_pod_shape() {
    let mut w = common::world(12);
    common::apply(&mut w, RNG);
    let pod = common::pods(&w, "default", "rng-")[0].clone();
    let revs: Vec<String> = w
        .store
        .list_as::<k8s_openapi::api::apps::v1::ControllerRevision>(Some("default"))
        .map(|r| {
            format!(
                "{} revision={} labels={:?}",
                r.metadata.name.clone().unwrap(),
                r.revision,
                r.metadata.labels.clone().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!(
        format!(
            "{}\n{}\n{}",
            common::yaml_of(&pod.metadata.labels),
            common::yaml_of(&pod.spec.as_ref().unwrap().affinity),
            common::yaml_of(&pod.spec.as_ref().unwrap().tolerations)
        ) + "\n"
            + &revs.join("\n")
    );
}

/// RollingUpdate with maxUnavailable 1 (`update.go` rollingUpdate): one node
/// at a time, with kubectl's daemon set status lines.
#[test]
fn daemonset_rolling_update() {
    let mut w = common::world(13);
    common::apply(&mut w, RNG);
    w.advance(common::secs(10));
    w.store
        .modify::<DaemonSet>("default", "rng", false, |d| {
            d.spec
                .as_mut()
                .unwrap()
                .template
                .spec
                .as_mut()
                .unwrap()
                .containers[0]
                .image = Some("dockercoins/rng:v0.2".into());
        })
        .unwrap();
    w.settle();
    let (mut watch, first) =
        rollout::StatusWatch::start(&w.store, Kind::DaemonSet, "default", "rng").unwrap();
    let mut lines: Vec<String> = first
        .into_iter()
        .map(|l| format!("[{}] {l}", w.now()))
        .collect();
    while !watch.done && w.now() < kubesim::sim::SimTime::ZERO + common::secs(120) {
        let t = w.next_event_time().unwrap();
        w.run_until(t);
        lines.extend(
            watch
                .poll(&w.store)
                .into_iter()
                .map(|l| format!("[{}] {l}", w.now())),
        );
    }
    let gen = w
        .store
        .get_as::<DaemonSet>("default", "rng")
        .unwrap()
        .metadata
        .annotations
        .clone()
        .unwrap();
    assert_eq!(gen["deprecated.daemonset.template.generation"], "2");
    assert_eq!(
        rollout::history(&w.store, Kind::DaemonSet, "default", "rng", None).unwrap(),
        "daemonset.apps/rng \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    );
    insta::assert_snapshot!(format!("{}\n\n{}", lines.join("\n"), status(&w)));
    // Undo goes back to revision 1's template.
    assert_eq!(
        rollout::undo(&mut w.store, Kind::DaemonSet, "default", "rng", None).unwrap(),
        "daemonset.apps/rng rolled back"
    );
    w.advance(common::secs(60));
    let images: Vec<String> = common::pods(&w, "default", "rng-")
        .iter()
        .map(|p| {
            p.spec.as_ref().unwrap().containers[0]
                .image
                .clone()
                .unwrap()
        })
        .collect();
    assert_eq!(images, vec!["dockercoins/rng:v0.1"; 3]);
}

/// OnDelete: a template change replaces nothing until a pod is deleted.
#[test]
fn daemonset_on_delete() {
    let mut w = common::world(14);
    common::apply(
        &mut w,
        &RNG.replace(
            "spec:\n  selector",
            "spec:\n  updateStrategy: {type: OnDelete}\n  selector",
        ),
    );
    w.advance(common::secs(10));
    w.store
        .modify::<DaemonSet>("default", "rng", false, |d| {
            d.spec
                .as_mut()
                .unwrap()
                .template
                .spec
                .as_mut()
                .unwrap()
                .containers[0]
                .image = Some("x:2".into());
        })
        .unwrap();
    w.advance(common::secs(30));
    assert_eq!(
        status(&w),
        "DESIRED=3 CURRENT=3 READY=3 UP-TO-DATE=0 AVAILABLE=3 MISSCHEDULED=0"
    );
    let victim = common::pods(&w, "default", "rng-")[0]
        .metadata
        .name
        .clone()
        .unwrap();
    w.store
        .delete(Kind::Pod, "default", &victim, &Default::default())
        .unwrap();
    w.advance(common::secs(30));
    assert_eq!(
        status(&w),
        "DESIRED=3 CURRENT=3 READY=3 UP-TO-DATE=1 AVAILABLE=3 MISSCHEDULED=0"
    );
    let (lines, done) = rollout::status_lines(&w.store, Kind::DaemonSet, "default", "rng");
    assert_eq!(
        (lines, done),
        (
            vec![
                "error: rollout status is only available for RollingUpdate strategy type"
                    .to_string()
            ],
            true
        )
    );
}

/// A daemon pod that fails is deleted (`FailedDaemonPod`) and recreated,
/// with the per-node backoff of `failedPodsBackoff`.
#[test]
fn failed_daemon_pods_are_replaced() {
    let mut w = common::world(15);
    common::apply(
        &mut w,
        &RNG.replace("    metadata: {labels: {app: rng}}", "    metadata: {labels: {app: rng}, annotations: {\"test.kubesim.io/behavior\": \"exit:1:3\"}}"),
    );
    w.advance(common::secs(30));
    let evs = common::events(&w, "default", "daemonset-controller");
    assert!(
        evs.iter().any(|e| e.starts_with(
            "Warning FailedDaemonPod DaemonSet/rng: Found failed daemon pod default/rng-"
        )),
        "{evs:?}"
    );
    assert!(
        evs.iter()
            .filter(|e| e.contains("SuccessfulCreate"))
            .count()
            > 3
    );
}

/// `pkg/controller/daemon/update.go` `snapshot`: a ControllerRevision of
/// another owner holding `<ds>-<hash>` is a hash collision; the controller
/// bumps `status.collisionCount` and names the revision (and labels its
/// pods) with the new hash.
#[test]
fn revision_hash_collision_bumps_collision_count() {
    use k8s_openapi::api::apps::v1::ControllerRevision;
    use kubesim::controllers::daemonset::template_hash;
    let revisions = |w: &World| {
        let mut v: Vec<String> = w
            .store
            .list_as::<ControllerRevision>(Some("default"))
            .map(|r| r.metadata.name.clone().unwrap())
            .filter(|n| n.starts_with("rng-"))
            .collect();
        v.sort();
        v
    };
    let mut w = common::world(12);
    common::apply(&mut w, RNG);
    let ds = w
        .store
        .get_as::<DaemonSet>("default", "rng")
        .unwrap()
        .clone();
    let hash = template_hash(&ds);
    assert_eq!(revisions(&w), [format!("rng-{hash}")]);

    let mut w = common::world(12);
    common::apply(
        &mut w,
        &format!(
            r#"
apiVersion: apps/v1
kind: ControllerRevision
metadata: {{name: rng-{hash}, namespace: default}}
data: {{spec: {{template: {{metadata: {{labels: {{app: other}}}}}}}}}}
revision: 1
"#
        ),
    );
    common::apply(&mut w, RNG);
    w.advance(common::secs(10));
    let ds = w
        .store
        .get_as::<DaemonSet>("default", "rng")
        .unwrap()
        .clone();
    assert_eq!(ds.status.as_ref().unwrap().collision_count, Some(1));
    let bumped = template_hash(&ds);
    assert_ne!(bumped, hash);
    let mut want = [format!("rng-{bumped}"), format!("rng-{hash}")];
    want.sort();
    assert_eq!(revisions(&w), want);
    let pods = common::pods(&w, "default", "rng-");
    assert_eq!(pods.len(), 3);
    for p in pods {
        let labels = p.metadata.labels.unwrap();
        assert_eq!(labels["controller-revision-hash"], bumped);
    }
}
