//! The [observed] captures of `docs/printers.md` (real kubectl v1.33.1
//! against canned objects), reproduced byte for byte from the same objects:
//! `tests/fixtures/printers/canned*.yaml`. Each test names the kubectl
//! command and the upstream code that produced the capture.

use kubesim::objects::manifest::{decode_object, parse_documents};
use kubesim::objects::{Kind, Object};
use kubesim::printers::describe::{describe, event_is_about, DescribeContext};
use kubesim::printers::{render_table, render_tables, table, PrintOptions};
use std::sync::Arc;

const CANNED: &str = include_str!("fixtures/printers/canned.yaml");
const EVENTS: &str = include_str!("fixtures/printers/canned-events.yaml");

fn now() -> jiff::Timestamp {
    "2026-11-23T03:52:33Z".parse().unwrap()
}

fn objects(text: &str) -> Vec<Arc<Object>> {
    parse_documents(text)
        .unwrap()
        .into_iter()
        .map(|v| Arc::new(decode_object(v, true).unwrap()))
        .collect()
}

fn all() -> Vec<Arc<Object>> {
    objects(CANNED)
}

fn of(kind: Kind) -> Vec<Arc<Object>> {
    all().into_iter().filter(|o| o.kind() == kind).collect()
}

fn one(kind: Kind) -> Arc<Object> {
    of(kind).remove(0)
}

fn events_about(obj: &Object) -> Vec<Arc<Object>> {
    objects(EVENTS)
        .into_iter()
        .filter(|e| event_is_about(e, obj))
        .collect()
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/printers/{name}.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

/// `kubectl get all`: one table per type of category `all`, kind prefixes,
/// one blank line between non-empty tables (kubectl `get.go`, cli-runtime
/// `tableprinter.go`).
#[test]
fn get_all() {
    let tables: Vec<_> = [
        Kind::Pod,
        Kind::ReplicationController,
        Kind::Service,
        Kind::DaemonSet,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::StatefulSet,
        Kind::HorizontalPodAutoscaler,
        Kind::CronJob,
        Kind::Job,
    ]
    .into_iter()
    .map(|k| table(k, &of(k), now()))
    .collect();
    let out = render_tables(&tables, &PrintOptions::default());
    assert_eq!(out, fixture("get_all"));
}

/// `kubectl get pods,svc -A`: NAMESPACE first, kind prefixes.
#[test]
fn get_pods_svc_all_namespaces() {
    let tables = vec![
        table(Kind::Pod, &of(Kind::Pod), now()),
        table(Kind::Service, &of(Kind::Service), now()),
    ];
    let opts = PrintOptions {
        with_namespace: true,
        ..Default::default()
    };
    assert_eq!(
        render_tables(&tables, &opts),
        fixture("get_pods_svc_all_namespaces")
    );
}

/// `kubectl get pods -o wide`: the priority-1 columns of `printPod`.
#[test]
fn get_pods_wide() {
    let opts = PrintOptions {
        wide: true,
        ..Default::default()
    };
    let out = render_table(&table(Kind::Pod, &of(Kind::Pod), now()), &opts);
    assert_eq!(out, fixture("get_pods_wide"));
}

/// `kubectl get rs --show-labels` and `kubectl get deploy -L app`.
#[test]
fn get_show_labels_and_label_columns() {
    let want = fixture("get_rs_show_labels_and_deploy_L");
    let (rs_want, deploy_want) = want.split_once("\n\n").unwrap();
    let rs = render_table(
        &table(Kind::ReplicaSet, &of(Kind::ReplicaSet), now()),
        &PrintOptions {
            show_labels: true,
            ..Default::default()
        },
    );
    assert_eq!(rs, format!("{rs_want}\n"));
    let deploy = render_table(
        &table(Kind::Deployment, &of(Kind::Deployment), now()),
        &PrintOptions {
            label_columns: vec!["app".into()],
            ..Default::default()
        },
    );
    assert_eq!(deploy, deploy_want);
}

/// `kubectl describe pod` (describe.go `describePod`), with the tab
/// writer's column blocks.
#[test]
fn describe_pod() {
    let pod = one(Kind::Pod);
    let ctx = DescribeContext {
        events: events_about(&pod),
        ..Default::default()
    };
    assert_eq!(ctx.events.len(), 5);
    assert_eq!(describe(&pod, &ctx, now()), fixture("describe_pod"));
}

/// `kubectl describe node` (describe.go `describeNode`); this capture was
/// taken 8 seconds after the others (the pod's age reads 5m18s).
#[test]
fn describe_node() {
    let node = one(Kind::Node);
    let ctx = DescribeContext {
        events: events_about(&node),
        pods: of(Kind::Pod),
        lease: Some(one(Kind::Lease)),
        ..Default::default()
    };
    assert_eq!(ctx.events.len(), 2);
    let later = now() + jiff::SignedDuration::from_secs(8);
    assert_eq!(describe(&node, &ctx, later), fixture("describe_node"));
}

/// `kubectl describe deployment` (describe.go `describeDeployment`).
#[test]
fn describe_deployment() {
    let d = one(Kind::Deployment);
    let ctx = DescribeContext {
        events: events_about(&d),
        replica_sets: of(Kind::ReplicaSet),
        ..Default::default()
    };
    assert_eq!(describe(&d, &ctx, now()), fixture("describe_deployment"));
}

/// `kubectl describe service` (describe.go `describeService`).
#[test]
fn describe_service() {
    let s = one(Kind::Service);
    let ctx = DescribeContext {
        events: events_about(&s),
        endpoint_slices: of(Kind::EndpointSlice),
        ..Default::default()
    };
    assert_eq!(describe(&s, &ctx, now()), fixture("describe_service"));
}

/// `kubectl describe namespace default` (describe.go `describeNamespace`).
#[test]
fn describe_namespace() {
    let ns = one(Kind::Namespace);
    assert_eq!(
        describe(&ns, &DescribeContext::default(), now()),
        fixture("describe_namespace")
    );
}
