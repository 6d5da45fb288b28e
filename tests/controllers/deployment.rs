//! Deployments and ReplicaSets (`pkg/controller/deployment/`,
//! `pkg/controller/replicaset/replica_set.go`) and the rollout library
//! (`kubectl/pkg/polymorphichelpers`).

use crate::common;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kubesim::controllers::{rollout, scale};
use kubesim::objects::Kind;
use kubesim::sim::World;

fn web(replicas: i32, image: &str) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: default}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: "{image}"}}]
"#
    )
}

/// `kubectl set image deployment/web web=IMAGE`, optionally with a test
/// behaviour for the new pods.
fn set_image(w: &mut World, image: &str, behavior: Option<&str>) {
    w.store
        .modify::<Deployment>("default", "web", false, |d| {
            let t = &mut d.spec.as_mut().unwrap().template;
            t.spec.as_mut().unwrap().containers[0].image = Some(image.into());
            let a = t
                .metadata
                .get_or_insert_with(Default::default)
                .annotations
                .get_or_insert_with(Default::default);
            match behavior {
                Some(b) => {
                    a.insert(common::BEHAVIOR.into(), b.into());
                }
                None => {
                    a.remove(common::BEHAVIOR);
                }
            }
            if a.is_empty() {
                t.metadata.as_mut().unwrap().annotations = None;
            }
        })
        .unwrap();
    w.settle();
}

fn rs_lines(w: &World) -> Vec<String> {
    let mut v: Vec<String> = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .map(|r| {
            let st = r.status.clone().unwrap_or_default();
            format!(
                "{} desired={} current={} ready={} rev={}",
                r.metadata.name.as_deref().unwrap(),
                r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0),
                st.replicas,
                st.ready_replicas.unwrap_or(0),
                r.metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                    .cloned()
                    .unwrap_or_default()
            )
        })
        .collect();
    v.sort();
    v
}

/// Runs `kubectl rollout status` alongside the world for up to `limit`
/// seconds, returning the lines it printed (with virtual times).
fn watch_rollout(w: &mut World, limit: u64) -> Vec<String> {
    let (mut watch, first) =
        rollout::StatusWatch::start(&w.store, Kind::Deployment, "default", "web").unwrap();
    let mut out: Vec<String> = first
        .into_iter()
        .map(|l| format!("[{}] {l}", w.now()))
        .collect();
    let end = w.now() + common::secs(limit);
    while !watch.done && w.now() < end {
        let next = w.next_event_time().unwrap_or(end).min(end);
        w.run_until(next);
        for l in watch.poll(&w.store) {
            out.push(format!("[{}] {l}", w.now()));
        }
    }
    if let Some(e) = &watch.error {
        out.push(format!("[{}] error: {e}", w.now()));
    }
    out
}

#[test]
fn deployment_creates_replicaset_and_pods() {
    let mut w = common::world(1);
    common::apply(&mut w, &web(3, "nginx:1.25"));
    w.advance(common::secs(10));
    let pods = common::pod_lines(&w, "default", "web-");
    assert_eq!(pods.len(), 3, "{pods:?}");
    insta::assert_snapshot!(common::events(&w, "default", "").join("\n"));
}

/// A rolling update of 3 replicas (surge 1, unavailable 0) with kubectl's
/// progress lines (`rollout_status.go`), the ScalingReplicaSet events and
/// the final Deployment status (`sync.go` calculateStatus, `progress.go`).
#[test]
fn rolling_update_with_status_lines() {
    let mut w = common::world(1);
    common::apply(&mut w, &web(3, "nginx:1.25"));
    w.advance(common::secs(10));
    set_image(&mut w, "nginx:1.27", None);
    let lines = watch_rollout(&mut w, 120);
    let d = w
        .store
        .get_as::<Deployment>("default", "web")
        .unwrap()
        .clone();
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}\n\n{}",
        lines.join("\n"),
        common::events(&w, "default", "deployment-controller").join("\n"),
        rs_lines(&w).join("\n"),
        common::yaml_of(&d.status)
    ));
    // The last old pod was still terminating when the rollout finished.
    w.advance(common::secs(5));
    assert_eq!(common::pod_lines(&w, "default", "web-").len(), 3);
}

/// The workshop's stuck rollout: 10 replicas, an image that cannot be
/// pulled. maxSurge 25% → 3, maxUnavailable 25% → 2: 8 old pods keep
/// serving, 5 new ones never become ready, the progress deadline passes
/// (Progressing=False ProgressDeadlineExceeded), and `rollout undo` brings
/// the old ReplicaSet back.
#[test]
fn stalled_rollout_then_undo() {
    let mut w = common::world(2);
    common::apply(&mut w, &web(10, "dockercoins/worker:v0.2"));
    w.advance(common::secs(10));
    set_image(&mut w, "dockercoins/worker:v0.3", Some("bad-image"));
    let lines = watch_rollout(&mut w, 700);
    let stuck = rs_lines(&w);
    let d = w
        .store
        .get_as::<Deployment>("default", "web")
        .unwrap()
        .clone();
    let conds = common::yaml_of(&d.status.as_ref().unwrap().conditions);
    let (now_lines, done) = rollout::status_lines(&w.store, Kind::Deployment, "default", "web");
    assert!(done);
    let undo = rollout::undo(&mut w.store, Kind::Deployment, "default", "web", None).unwrap();
    w.settle();
    let after_undo = watch_rollout(&mut w, 120);
    insta::assert_snapshot!(format!(
        "{}\n\n{}\n\n{}\n{}\n\n{undo}\n{}\n\n{}\n\n{}",
        lines.join("\n"),
        stuck.join("\n"),
        conds,
        now_lines.join("\n"),
        after_undo.join("\n"),
        rs_lines(&w).join("\n"),
        common::events(&w, "default", "deployment-controller").join("\n"),
    ));
}

/// `kubectl rollout history` after two undos shows revisions 1, 4, 5
/// (`history.go`; `sync.go` moves a reused ReplicaSet's revision up and
/// records revision-history), as in the workshop's rollout chapter.
#[test]
fn history_after_two_undos_is_not_contiguous() {
    let mut w = common::world(3);
    common::apply(&mut w, &web(3, "worker:v0.1"));
    w.advance(common::secs(30));
    set_image(&mut w, "worker:v0.2", None);
    w.advance(common::secs(60));
    set_image(&mut w, "worker:v0.3", Some("bad-image"));
    w.advance(common::secs(60));
    let mut out = Vec::new();
    for _ in 0..2 {
        out.push(rollout::undo(&mut w.store, Kind::Deployment, "default", "web", None).unwrap());
        w.settle();
        w.advance(common::secs(60));
    }
    out.push(rollout::history(&w.store, Kind::Deployment, "default", "web", None).unwrap());
    out.push(rollout::history(&w.store, Kind::Deployment, "default", "web", Some(4)).unwrap());
    let rs: Vec<String> = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .map(|r| {
            let a = r.metadata.annotations.clone().unwrap_or_default();
            format!(
                "{} revision={} history={}",
                r.spec
                    .as_ref()
                    .unwrap()
                    .template
                    .as_ref()
                    .unwrap()
                    .spec
                    .as_ref()
                    .unwrap()
                    .containers[0]
                    .image
                    .clone()
                    .unwrap(),
                a.get("deployment.kubernetes.io/revision")
                    .cloned()
                    .unwrap_or_default(),
                a.get("deployment.kubernetes.io/revision-history")
                    .cloned()
                    .unwrap_or_default()
            )
        })
        .collect();
    out.push(rs.join("\n"));
    // --to-revision that does not exist, and undo onto the current template.
    out.push(
        rollout::undo(&mut w.store, Kind::Deployment, "default", "web", Some(9))
            .unwrap_err()
            .message,
    );
    out.push(rollout::undo(&mut w.store, Kind::Deployment, "default", "web", Some(5)).unwrap());
    insta::assert_snapshot!(out.join("\n---\n"));
}

/// Recreate (`recreate.go`): the old ReplicaSet goes to 0 and the new one
/// is created only when no old pod is left.
#[test]
fn recreate_waits_for_old_pods() {
    let mut w = common::world(4);
    common::apply(
        &mut w,
        &web(2, "app:v1").replace("replicas: 2", "replicas: 2\n  strategy: {type: Recreate}"),
    );
    w.advance(common::secs(10));
    set_image(&mut w, "app:v2", None);
    let mut log = vec![format!("{:?}", rs_lines(&w))];
    w.advance(common::secs(1));
    log.push(format!("{:?}", rs_lines(&w)));
    w.advance(common::secs(10));
    log.push(format!("{:?}", rs_lines(&w)));
    insta::assert_snapshot!(format!(
        "{}\n\n{}",
        log.join("\n"),
        common::events(&w, "default", "deployment-controller").join("\n")
    ));
}

/// Scaling (`sync.go` scale/isScalingEvent), the ReplicaSet's deletion
/// order (`ActivePodsWithRanks`: pending before running), self-healing, and
/// a ReplicaSet scaled by hand goes back to the Deployment's size.
#[test]
fn scaling_and_self_healing() {
    let mut w = common::world(5);
    common::apply(&mut w, &web(2, "nginx"));
    w.advance(common::secs(10));
    assert_eq!(
        scale::scale(&mut w.store, Kind::Deployment, "default", "web", 5).unwrap(),
        "deployment.apps/web scaled"
    );
    w.settle();
    assert_eq!(common::pods(&w, "default", "web-").len(), 5);
    // Scale down before the new pods run: the pending ones go first.
    let running_before: Vec<String> = common::pods(&w, "default", "web-")
        .iter()
        .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    scale::scale(&mut w.store, Kind::Deployment, "default", "web", 2).unwrap();
    w.advance(common::secs(5));
    let left: Vec<String> = common::pods(&w, "default", "web-")
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(left, running_before, "the two running pods stay");
    // Delete a pod: it is replaced at once.
    let victim = left[0].clone();
    w.store
        .delete(Kind::Pod, "default", &victim, &Default::default())
        .unwrap();
    w.settle();
    assert_eq!(
        common::pods(&w, "default", "web-")
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .count(),
        2
    );
    // Scale the ReplicaSet by hand: the Deployment scales it back.
    let rs = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .next()
        .unwrap()
        .metadata
        .name
        .clone()
        .unwrap();
    scale::scale(&mut w.store, Kind::ReplicaSet, "default", &rs, 4).unwrap();
    w.advance(common::secs(5));
    assert_eq!(common::pods(&w, "default", "web-").len(), 2);
    // Pods can't be scaled (workshop: `kubectl scale pod`).
    let e = scale::scale(&mut w.store, Kind::Pod, "default", &victim, 3).unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        "Error from server (NotFound): the server could not find the requested resource"
    );
    insta::assert_snapshot!(common::events(&w, "default", "replicaset-controller").join("\n"));
}

/// Adoption and release by selector (`controller_ref_manager.go`): a pod
/// that loses its label is released and replaced; an orphan with matching
/// labels is adopted and the surplus deleted.
#[test]
fn adoption_and_release() {
    let mut w = common::world(6);
    common::apply(&mut w, &web(2, "nginx"));
    w.advance(common::secs(10));
    let pod = common::pods(&w, "default", "web-")[0]
        .metadata
        .name
        .clone()
        .unwrap();
    w.store
        .modify::<k8s_openapi::api::core::v1::Pod>("default", &pod, false, |p| {
            p.metadata.labels.as_mut().unwrap().remove("app");
        })
        .unwrap();
    w.advance(common::secs(5));
    let released = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", &pod)
        .unwrap()
        .clone();
    assert!(
        released.metadata.owner_references.is_none(),
        "released: {:?}",
        released.metadata.owner_references
    );
    let owned = common::pods(&w, "default", "web-")
        .iter()
        .filter(|p| p.metadata.owner_references.is_some())
        .count();
    assert_eq!(owned, 2);
    // Put the label back (with the hash): the RS adopts it and deletes one.
    w.store
        .modify::<k8s_openapi::api::core::v1::Pod>("default", &pod, false, |p| {
            p.metadata
                .labels
                .as_mut()
                .unwrap()
                .insert("app".into(), "web".into());
        })
        .unwrap();
    w.advance(common::secs(5));
    let active = common::pods(&w, "default", "web-")
        .iter()
        .filter(|p| {
            p.metadata.owner_references.is_some() && p.metadata.deletion_timestamp.is_none()
        })
        .count();
    assert_eq!(active, 2);
    let adopted = w
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", &pod);
    assert!(
        adopted.is_some_and(|p| p.metadata.owner_references.is_some()),
        "orphan adopted"
    );
}

/// Pause and resume (`sync.go` checkPausedConditions): a paused Deployment
/// does not roll out; resuming does.
#[test]
fn pause_and_resume() {
    let mut w = common::world(7);
    common::apply(&mut w, &web(2, "nginx:1"));
    w.advance(common::secs(10));
    assert_eq!(
        rollout::pause(&mut w.store, Kind::Deployment, "default", "web").unwrap(),
        "deployment.apps/web paused"
    );
    assert_eq!(
        rollout::pause(&mut w.store, Kind::Deployment, "default", "web").unwrap(),
        "deployment.apps/web already paused"
    );
    w.settle();
    set_image(&mut w, "nginx:2", None);
    w.advance(common::secs(30));
    assert_eq!(
        w.store.list_as::<ReplicaSet>(Some("default")).count(),
        1,
        "no rollout while paused"
    );
    let e = rollout::undo(&mut w.store, Kind::Deployment, "default", "web", None).unwrap_err();
    assert!(e
        .message
        .starts_with("you cannot rollback a paused deployment"));
    let e = rollout::restart(&mut w.store, Kind::Deployment, "default", "web").unwrap_err();
    assert_eq!(
        e.message,
        "can't restart paused deployment (run rollout resume first)"
    );
    let cond = |w: &World| {
        let d = w.store.get_as::<Deployment>("default", "web").unwrap();
        let c = d
            .status
            .as_ref()
            .unwrap()
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .find(|c| c.type_ == "Progressing")
            .unwrap()
            .clone();
        format!("{} {}: {}", c.status, c.reason.unwrap(), c.message.unwrap())
    };
    let paused = cond(&w);
    assert_eq!(
        rollout::resume(&mut w.store, Kind::Deployment, "default", "web").unwrap(),
        "deployment.apps/web resumed"
    );
    w.settle();
    let resumed_rs = w.store.list_as::<ReplicaSet>(Some("default")).count();
    w.advance(common::secs(30));
    assert_eq!(paused, "Unknown DeploymentPaused: Deployment is paused");
    assert_eq!(resumed_rs, 2);
    assert!(rollout::status_lines(&w.store, Kind::Deployment, "default", "web").1);
    // Restart stamps the template and rolls out once more.
    assert_eq!(
        rollout::restart(&mut w.store, Kind::Deployment, "default", "web").unwrap(),
        "deployment.apps/web restarted"
    );
    w.advance(common::secs(30));
    assert_eq!(w.store.list_as::<ReplicaSet>(Some("default")).count(), 3);
}

/// minReadySeconds with maxUnavailable 0 / maxSurge 1 (the workshop's
/// patch): pods are replaced one at a time, 10 s apart.
#[test]
fn min_ready_seconds_paces_the_rollout() {
    let mut w = common::world(8);
    let y = web(3, "worker:v0.2").replace(
        "replicas: 3",
        "replicas: 3\n  minReadySeconds: 10\n  strategy: {rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}",
    );
    common::apply(&mut w, &y);
    w.advance(common::secs(30));
    set_image(&mut w, "worker:v0.1", None);
    let lines = watch_rollout(&mut w, 120);
    insta::assert_snapshot!(lines.join("\n"));
}

/// revisionHistoryLimit (`cleanupDeployment`): only the newest empty old
/// ReplicaSets are kept.
#[test]
fn revision_history_limit_cleans_old_replicasets() {
    let mut w = common::world(9);
    common::apply(
        &mut w,
        &web(1, "app:v0").replace("replicas: 1", "replicas: 1\n  revisionHistoryLimit: 2"),
    );
    w.advance(common::secs(10));
    for i in 1..=4 {
        set_image(&mut w, &format!("app:v{i}"), None);
        w.advance(common::secs(20));
    }
    let mut revs: Vec<String> = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .map(|r| {
            r.metadata.annotations.as_ref().unwrap()["deployment.kubernetes.io/revision"].clone()
        })
        .collect();
    revs.sort();
    assert_eq!(revs, ["3", "4", "5"]);
}

/// `pkg/controller/deployment/sync.go` `getNewReplicaSet`: the ReplicaSet
/// is named `<deployment>-<ComputeHash(template, collisionCount)>`
/// (`controller_utils.go`: FNV-32a, `SafeEncodeString`); when a foreign
/// ReplicaSet already has that name, the controller bumps
/// `status.collisionCount` and the next sync hashes with it.
#[test]
fn hash_collision_bumps_collision_count() {
    use kubesim::controllers::util::compute_hash;
    let stored_template = |w: &World| {
        w.store
            .get_as::<Deployment>("default", "web")
            .unwrap()
            .spec
            .clone()
            .unwrap()
            .template
    };
    let rs_names = |w: &World| {
        let mut v: Vec<String> = w
            .store
            .list_as::<ReplicaSet>(Some("default"))
            .map(|r| r.metadata.name.clone().unwrap())
            .collect();
        v.sort();
        v
    };
    let mut w = common::world(10);
    common::apply(&mut w, &web(1, "nginx:1.25"));
    let hash = compute_hash(&stored_template(&w), None);
    assert!((1..=10).contains(&hash.len()), "{hash}");
    assert!(hash
        .chars()
        .all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)));
    assert_eq!(rs_names(&w), [format!("web-{hash}")]);

    // Another world where a ReplicaSet of another template holds the name.
    let mut w = common::world(10);
    common::apply(
        &mut w,
        &format!(
            r#"
apiVersion: apps/v1
kind: ReplicaSet
metadata: {{name: web-{hash}, namespace: default}}
spec:
  replicas: 0
  selector: {{matchLabels: {{app: other}}}}
  template:
    metadata: {{labels: {{app: other}}}}
    spec:
      containers: [{{name: other, image: busybox}}]
"#
        ),
    );
    common::apply(&mut w, &web(1, "nginx:1.25"));
    w.advance(common::secs(5));
    let d = w.store.get_as::<Deployment>("default", "web").unwrap();
    assert_eq!(d.status.as_ref().unwrap().collision_count, Some(1));
    let bumped = compute_hash(&stored_template(&w), Some(1));
    assert_ne!(bumped, hash);
    assert_eq!(
        rs_names(&w),
        [format!("web-{bumped}"), format!("web-{hash}")]
    );
}
