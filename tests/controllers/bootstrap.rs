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
