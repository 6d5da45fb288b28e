//! The system workloads of the workshop cluster are adopted as they are.

use crate::common;
use kubesim::cluster::workshop_world;

/// Building the workshop world and running 10 virtual minutes must neither
/// create nor delete a system pod: the controllers find the bootstrap
/// ReplicaSets, ControllerRevisions and hash labels consistent
/// (`pkg/controller/deployment/sync.go` FindNewReplicaSet,
/// `pkg/controller/daemon/update.go` constructHistory).
#[test]
fn workshop_system_pods_are_not_churned() {
    let mut w = workshop_world(1);
    let before = common::pod_lines(&w, "kube-system", "");
    let start = w.event_log().len();
    w.advance(common::secs(600));
    let after = &w.event_log()[start..];
    let churn: Vec<String> = after
        .iter()
        .filter(|l| l.contains(" ADDED Pod ") || l.contains(" DELETED Pod "))
        .cloned()
        .collect();
    assert_eq!(churn, Vec::<String>::new());
    assert_eq!(common::pod_lines(&w, "kube-system", ""), before);
    // No new ReplicaSet either: the Deployment found its ReplicaSet.
    let rs: Vec<String> = w
        .store
        .list_as::<k8s_openapi::api::apps::v1::ReplicaSet>(Some("kube-system"))
        .map(|r| r.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(rs.len(), 2, "{rs:?}");
    let writes: Vec<&String> = after
        .iter()
        .filter(|l| l.contains("ADDED ReplicaSet") || l.contains("ADDED ControllerRevision"))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
}

/// The same with the test stand-ins running.
#[test]
fn system_pods_survive_with_stand_ins() {
    let mut w = common::world(1);
    let before = common::pod_lines(&w, "kube-system", "");
    w.advance(common::secs(600));
    assert_eq!(common::pod_lines(&w, "kube-system", ""), before);
}

/// Determinism (architecture principle 5): the same seed gives the same
/// history, byte for byte, through rollouts, jobs and cron schedules.
#[test]
fn same_seed_same_controller_history() {
    let run = |seed| {
        let mut w = common::world(seed);
        common::apply(
            &mut w,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: default}\nspec:\n  replicas: 4\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx}]}\n",
        );
        common::apply(
            &mut w,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: default}\nspec:\n  schedule: \"*/3 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata: {annotations: {\"test.kubesim.io/behavior\": \"exit:1:5\"}}\n        spec: {restartPolicy: Never, containers: [{name: c, image: alpine}]}\n",
        );
        w.advance(common::secs(600));
        w.event_log().to_vec()
    };
    let (a, b) = (run(5), run(5));
    assert_eq!(a, b);
    assert_ne!(a, run(6), "another seed, other names");
}
