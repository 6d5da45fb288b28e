//! Deployments and ReplicaSets (`pkg/controller/deployment/`,
//! `pkg/controller/replicaset/replica_set.go`).

use crate::common;

const WEB: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.25"}]
"#;

#[test]
fn deployment_creates_replicaset_and_pods() {
    let mut w = common::world(1);
    common::apply(&mut w, WEB);
    w.advance(common::secs(10));
    let pods = common::pod_lines(&w, "default", "web-");
    assert_eq!(pods.len(), 3, "{pods:?}");
    insta::assert_snapshot!(common::events(&w, "default", "").join("\n"));
}
