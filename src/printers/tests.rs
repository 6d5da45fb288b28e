//! Table, describe and output snapshots for every kind, built from the
//! realistic objects of `tests/fixtures/printers/*.yaml`. The [observed]
//! captures are reproduced exactly in `tests/printers_observed.rs`.

use super::describe::{describe, DescribeContext};
use super::output::{print_objects, OutputFormat};
use super::{columns, render_table, table, Cell, IncludeObject, PrintOptions};
use crate::objects::manifest::{decode_object, parse_documents};
use crate::objects::{Kind, Object};
use std::sync::Arc;

const CANNED: &str = include_str!("../../tests/fixtures/printers/canned.yaml");
const KINDS: &str = include_str!("../../tests/fixtures/printers/kinds.yaml");
const PODS: &str = include_str!("../../tests/fixtures/printers/pods.yaml");

fn now() -> jiff::Timestamp {
    "2026-11-23T03:52:33Z".parse().unwrap()
}

fn load(text: &str) -> Vec<Arc<Object>> {
    parse_documents(text)
        .unwrap()
        .into_iter()
        .map(|v| Arc::new(decode_object(v, true).unwrap()))
        .collect()
}

fn everything() -> Vec<Arc<Object>> {
    let mut all = load(CANNED);
    all.extend(load(KINDS));
    all.extend(load(PODS));
    all
}

fn of(kind: Kind) -> Vec<Arc<Object>> {
    everything()
        .into_iter()
        .filter(|o| o.kind() == kind)
        .collect()
}

fn named(kind: Kind, name: &str) -> Arc<Object> {
    of(kind)
        .into_iter()
        .find(|o| o.meta().name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

fn cell(kind: Kind, name: &str, column: &str) -> String {
    let cols = columns(kind);
    let i = cols
        .iter()
        .position(|c| c.name == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    super::cells(&named(kind, name), now())[i].text()
}

/// `printPod` STATUS / READY / RESTARTS for every case of the algorithm
/// (pkg/printers/internalversion/printers_test.go, TestPrintPod*).
#[test]
fn pod_status_column() {
    let want = [
        ("pending", "0/1", "Pending", "0"),
        ("creating", "0/1", "ContainerCreating", "0"),
        ("running", "2/2", "Running", "0"),
        ("crashloop", "0/1", "CrashLoopBackOff", "3 (90s ago)"),
        ("completed", "0/1", "Completed", "0"),
        ("error", "0/1", "Error", "0"),
        ("signal", "0/1", "Signal:9", "0"),
        ("pullbackoff", "0/1", "ImagePullBackOff", "0"),
        ("init-waiting", "0/1", "Init:0/2", "0"),
        ("init-second", "0/1", "Init:1/2", "0"),
        ("init-error", "0/1", "Init:Error", "0"),
        ("init-crash", "0/1", "Init:CrashLoopBackOff", "2 (90s ago)"),
        ("initializing", "0/1", "PodInitializing", "0"),
        ("terminating", "1/1", "Terminating", "0"),
        ("nodelost", "1/1", "Unknown", "0"),
        ("evicted", "0/1", "Evicted", "0"),
        ("gated", "0/1", "SchedulingGated", "0"),
        ("sidecar", "2/2", "Running", "1 (90s ago)"),
        ("notready", "1/2", "NotReady", "0"),
    ];
    for (name, ready, status, restarts) in want {
        assert_eq!(cell(Kind::Pod, name, "Ready"), ready, "{name} READY");
        assert_eq!(cell(Kind::Pod, name, "Status"), status, "{name} STATUS");
        assert_eq!(
            cell(Kind::Pod, name, "Restarts"),
            restarts,
            "{name} RESTARTS"
        );
    }
    let pods: Vec<_> = load(PODS);
    let wide = PrintOptions {
        wide: true,
        ..Default::default()
    };
    insta::assert_snapshot!(
        "pods_wide",
        render_table(&table(Kind::Pod, &pods, now()), &wide)
    );
}

/// Cells with rules of their own (printers.go: getServiceExternalIP,
/// formatEndpoints, formatDiscoveryPorts, formatHPAMetrics, printJob,
/// printStorageClass, printEvent, printResourceQuota, printRoleBinding, ...).
#[test]
fn special_cells() {
    let c = |k, n, col| cell(k, n, col);
    assert_eq!(c(Kind::Service, "headless", "Cluster-IP"), "None");
    assert_eq!(c(Kind::Service, "headless", "External-IP"), "<none>");
    // The apiserver prints with Wide: true, so LB addresses are not clipped.
    assert_eq!(
        c(Kind::Service, "lb", "External-IP"),
        "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com"
    );
    assert_eq!(
        c(Kind::Service, "lb", "Port(s)"),
        "80:31080/TCP,443:31443/TCP"
    );
    assert_eq!(c(Kind::Service, "pending-lb", "External-IP"), "<pending>");
    assert_eq!(c(Kind::Service, "pending-lb", "Port(s)"), "80:30001/UDP");
    assert_eq!(c(Kind::Service, "ext", "External-IP"), "db.example.com");
    assert_eq!(c(Kind::Service, "ext", "Port(s)"), "<none>");
    if let Object::Service(s) = named(Kind::Service, "lb").as_ref() {
        // kubectl's client-side clip: 13 bytes and "...".
        assert_eq!(
            super::services::service_external_ip(s, false),
            "a1b2c3d4e5f6-..."
        );
    }
    assert_eq!(
        c(Kind::Endpoints, "web", "Endpoints"),
        "10.244.1.5:8080,10.244.1.6:8080,10.244.1.5:9090 + 2 more..."
    );
    assert_eq!(c(Kind::Endpoints, "empty", "Endpoints"), "<none>");
    assert_eq!(
        c(Kind::EndpointSlice, "web-xyz12", "Ports"),
        "8080,grpc,* + 1 more..."
    );
    assert_eq!(
        c(Kind::EndpointSlice, "web-xyz12", "Endpoints"),
        "10.244.1.5,10.244.1.6"
    );
    assert_eq!(c(Kind::EndpointSlice, "none-abcde", "Endpoints"), "<unset>");
    assert_eq!(
        c(Kind::HorizontalPodAutoscaler, "web", "Targets"),
        "cpu: 45%/80%, memory: 120Mi/200Mi + 1 more..."
    );
    assert_eq!(
        c(Kind::HorizontalPodAutoscaler, "new", "Targets"),
        "cpu: <unknown>/50%"
    );
    assert_eq!(
        c(Kind::HorizontalPodAutoscaler, "new", "MinPods"),
        "<unset>"
    );
    assert_eq!(c(Kind::Job, "pi", "Status"), "Complete");
    assert_eq!(c(Kind::Job, "pi", "Completions"), "1/1");
    assert_eq!(c(Kind::Job, "pi", "Duration"), "35s");
    assert_eq!(c(Kind::Job, "work", "Completions"), "1/1 of 3");
    assert_eq!(c(Kind::Job, "work", "Duration"), "3m");
    assert_eq!(c(Kind::Job, "broken", "Status"), "Failed");
    assert_eq!(c(Kind::CronJob, "hello", "Suspend"), "False");
    assert_eq!(c(Kind::CronJob, "hello", "Last Schedule"), "2m33s");
    assert_eq!(
        c(Kind::StorageClass, "standard", "Name"),
        "standard (default)"
    );
    assert_eq!(
        super::cells(&named(Kind::StorageClass, "fast"), now())[4],
        Cell::Bool(true)
    );
    assert_eq!(c(Kind::PersistentVolume, "pv-data", "Capacity"), "1Gi");
    assert_eq!(
        c(Kind::PersistentVolume, "pv-data", "Access Modes"),
        "RWO,RWX"
    );
    assert_eq!(
        c(Kind::PersistentVolume, "pv-data", "Claim"),
        "default/data"
    );
    assert_eq!(
        c(Kind::PersistentVolumeClaim, "pending", "StorageClass"),
        "slow"
    );
    assert_eq!(c(Kind::PersistentVolumeClaim, "pending", "Capacity"), "");
    assert_eq!(c(Kind::Event, "web-1.17b1", "Last Seen"), "30s");
    assert_eq!(
        c(Kind::Event, "web-1.17b1", "Message"),
        "Back-off restarting failed container nginx in pod web-1_default"
    );
    assert_eq!(c(Kind::Event, "web-1.17b1", "Source"), "kubelet, node-1");
    assert_eq!(c(Kind::Event, "web-1.17b2", "Last Seen"), "5m12s");
    assert_eq!(c(Kind::Event, "web-1.17b2", "Count"), "1");
    assert_eq!(
        c(Kind::Event, "web-1.17b2", "Source"),
        "default-scheduler, default-scheduler-kind-control-plane"
    );
    assert_eq!(c(Kind::Event, "web.17b3", "Last Seen"), "33s");
    assert_eq!(c(Kind::Event, "web.17b3", "Count"), "4");
    assert_eq!(
        c(Kind::ResourceQuota, "compute", "Request"),
        "pods: 1/10, requests.cpu: 100m/1, requests.memory: 128Mi/1Gi"
    );
    assert_eq!(
        c(Kind::ResourceQuota, "compute", "Limit"),
        "limits.cpu: 0/2, limits.memory: 256Mi/2Gi"
    );
    assert_eq!(c(Kind::RoleBinding, "read-pods", "Users"), "jane, joe");
    assert_eq!(
        c(Kind::RoleBinding, "read-pods", "ServiceAccounts"),
        "default/bot"
    );
    assert_eq!(
        c(Kind::ClusterRoleBinding, "cluster-admin", "Role"),
        "ClusterRole/cluster-admin"
    );
    assert_eq!(
        c(Kind::Role, "pod-reader", "Created At"),
        "2026-11-20T01:52:33Z"
    );
    assert_eq!(
        c(Kind::ControllerRevision, "db-6d8f", "Controller"),
        "statefulset.apps/db"
    );
    assert_eq!(
        c(Kind::Ingress, "web", "Hosts"),
        "web.example.com,api.example.com,a.example.com + 2 more..."
    );
    assert_eq!(
        c(Kind::Ingress, "web", "Address"),
        "172.18.255.200,172.18.255.201"
    );
    assert_eq!(c(Kind::Ingress, "web", "Ports"), "80, 443");
    assert_eq!(
        c(Kind::IngressClass, "nginx", "Parameters"),
        "IngressParameters.k8s.example.com/external-lb"
    );
    assert_eq!(c(Kind::NetworkPolicy, "deny-all", "Pod-Selector"), "<none>");
    assert_eq!(c(Kind::PodDisruptionBudget, "db", "Min Available"), "N/A");
    assert_eq!(c(Kind::PodDisruptionBudget, "db", "Max Unavailable"), "50%");
    assert_eq!(
        c(Kind::DaemonSet, "kube-proxy", "Node Selector"),
        "kubernetes.io/os=linux"
    );
    assert_eq!(c(Kind::StatefulSet, "db", "Ready"), "1/3");
    assert_eq!(
        c(Kind::Lease, "kube-scheduler", "Holder"),
        "kind-control-plane_6f1c1b2e"
    );
}

/// Every kind prints a table (normal and wide) from its own printer; the
/// snapshot is the whole set, read against printers.md §1.
#[test]
fn every_kind_has_a_table() {
    let mut out = String::new();
    for &kind in Kind::ALL {
        let objs = of(kind);
        assert!(!objs.is_empty(), "fixture lacks a {kind}");
        let t = table(kind, &objs, now());
        for r in &t.rows {
            assert_eq!(
                r.cells.len(),
                t.columns.len(),
                "{kind}: one cell per column"
            );
        }
        let ns = kind.info().namespaced;
        for wide in [false, true] {
            let opts = PrintOptions {
                wide,
                with_namespace: ns,
                ..Default::default()
            };
            let flag = if wide { " -o wide" } else { "" };
            let all = if ns { " -A" } else { "" };
            out.push_str(&format!(
                "$ kubectl get {}{all}{flag}\n",
                kind.info().plural
            ));
            out.push_str(&render_table(&t, &opts));
            out.push('\n');
        }
    }
    insta::assert_snapshot!("every_kind_tables", out);
}

/// The Table JSON the HTTP API serves: all cells, column priorities and
/// cell types (printers.md §0, §6).
#[test]
fn table_json_keeps_wide_cells_and_types() {
    let t = table(Kind::Deployment, &of(Kind::Deployment), now());
    let j = t.to_json(IncludeObject::None, 42);
    assert_eq!(j["columnDefinitions"][5]["name"], "Containers");
    assert_eq!(j["columnDefinitions"][5]["priority"], 1);
    assert_eq!(j["rows"][0]["cells"][2], 3);
    assert_eq!(j["rows"][0]["cells"][7], "app=web");
    assert!(j["rows"][0].get("object").is_none());
    let pods = table(Kind::Pod, &[named(Kind::Pod, "completed")], now());
    let j = pods.to_json(IncludeObject::Metadata, 1);
    assert_eq!(j["rows"][0]["conditions"][0]["reason"], "Succeeded");
    assert_eq!(j["rows"][0]["object"]["kind"], "PartialObjectMetadata");
}

/// `get pods,nodes -A`: NAMESPACE only on the namespaced table.
#[test]
fn all_namespaces_skips_cluster_scoped_tables() {
    let opts = PrintOptions {
        with_namespace: true,
        ..Default::default()
    };
    let nodes = render_table(&table(Kind::Node, &of(Kind::Node), now()), &opts);
    assert!(nodes.starts_with("NAME     STATUS"), "{nodes}");
}

fn describe_one(kind: Kind, name: &str, ctx: DescribeContext) -> String {
    describe(&named(kind, name), &ctx, now())
}

/// The describers of printers.md §4.7 and the rest of describe.go, each
/// read against the upstream function named in the snapshot header.
#[test]
fn describers() {
    let mut out = String::new();
    let mut add = |title: &str, text: String| {
        out.push_str(&format!("=== {title}\n{text}"));
    };
    add(
        "describeReplicaSet",
        describe_one(
            Kind::ReplicaSet,
            "web-7d4b9c8f6",
            DescribeContext {
                pods: of(Kind::Pod),
                ..Default::default()
            },
        ),
    );
    add(
        "describeDaemonSet",
        describe_one(Kind::DaemonSet, "kube-proxy", Default::default()),
    );
    add(
        "describeStatefulSet",
        describe_one(Kind::StatefulSet, "db", Default::default()),
    );
    add(
        "describeReplicationController",
        describe_one(Kind::ReplicationController, "legacy", Default::default()),
    );
    add(
        "describeJob",
        describe_one(Kind::Job, "pi", Default::default()),
    );
    add(
        "describeCronJob",
        describe_one(Kind::CronJob, "hello", Default::default()),
    );
    add(
        "ConfigMapDescriber",
        describe_one(Kind::ConfigMap, "cfg", Default::default()),
    );
    add(
        "describeSecret",
        describe_one(Kind::Secret, "db", Default::default()),
    );
    add(
        "describeServiceAccount",
        describe_one(Kind::ServiceAccount, "bot", Default::default()),
    );
    add(
        "describePersistentVolumeClaim",
        describe_one(
            Kind::PersistentVolumeClaim,
            "data",
            DescribeContext {
                pods: of(Kind::Pod),
                ..Default::default()
            },
        ),
    );
    add(
        "describePersistentVolume",
        describe_one(Kind::PersistentVolume, "pv-data", Default::default()),
    );
    add(
        "describeStorageClass",
        describe_one(Kind::StorageClass, "standard", Default::default()),
    );
    add(
        "describeIngressV1",
        describe_one(
            Kind::Ingress,
            "web",
            DescribeContext {
                services: of(Kind::Service),
                endpoint_slices: of(Kind::EndpointSlice),
                ..Default::default()
            },
        ),
    );
    add(
        "describeIngressClassV1",
        describe_one(Kind::IngressClass, "nginx", Default::default()),
    );
    add(
        "describeNetworkPolicy",
        describe_one(Kind::NetworkPolicy, "db-allow-web", Default::default()),
    );
    add(
        "describeNetworkPolicy (deny all)",
        describe_one(Kind::NetworkPolicy, "deny-all", Default::default()),
    );
    add(
        "describeEndpoints",
        describe_one(Kind::Endpoints, "web", Default::default()),
    );
    add(
        "describeEndpointSliceV1",
        describe_one(Kind::EndpointSlice, "web-xyz12", Default::default()),
    );
    add(
        "describeHorizontalPodAutoscalerV2",
        describe_one(Kind::HorizontalPodAutoscaler, "web", Default::default()),
    );
    add(
        "describePodDisruptionBudgetV1",
        describe_one(Kind::PodDisruptionBudget, "web", Default::default()),
    );
    add(
        "describePriorityClass",
        describe_one(
            Kind::PriorityClass,
            "system-cluster-critical",
            Default::default(),
        ),
    );
    add(
        "describeQuota",
        describe_one(Kind::ResourceQuota, "compute", Default::default()),
    );
    add(
        "describeLimitRange",
        describe_one(Kind::LimitRange, "limits", Default::default()),
    );
    add(
        "RoleDescriber",
        describe_one(Kind::Role, "pod-reader", Default::default()),
    );
    add(
        "ClusterRoleDescriber",
        describe_one(Kind::ClusterRole, "view-nodes", Default::default()),
    );
    add(
        "RoleBindingDescriber",
        describe_one(Kind::RoleBinding, "read-pods", Default::default()),
    );
    add(
        "describeNamespace (with quota and limits)",
        describe_one(
            Kind::Namespace,
            "default",
            DescribeContext {
                resource_quotas: of(Kind::ResourceQuota),
                limit_ranges: of(Kind::LimitRange),
                ..Default::default()
            },
        ),
    );
    add(
        "genericDescriber (Lease)",
        describe_one(Kind::Lease, "kube-scheduler", Default::default()),
    );
    add(
        "describePod (crash loop, no events)",
        describe_one(Kind::Pod, "crashloop", Default::default()),
    );
    add(
        "describePod (terminating, init containers)",
        describe_one(Kind::Pod, "terminating", Default::default()),
    );
    add(
        "describePod (init)",
        describe_one(Kind::Pod, "init-error", Default::default()),
    );
    insta::assert_snapshot!("describers", out);
}

/// `-o yaml`, `-o json`, `-o name`, jsonpath, go-template and
/// custom-columns of the canned objects (cli-runtime printers).
#[test]
fn output_formats() {
    let deploy = of(Kind::Deployment);
    let svc = of(Kind::Service)
        .into_iter()
        .filter(|s| s.meta().name.as_deref() == Some("web"))
        .collect::<Vec<_>>();
    let p = |objs: &[Arc<Object>], f: OutputFormat, single: bool| {
        print_objects(objs, &f, single, false).unwrap()
    };
    insta::assert_snapshot!("deployment_yaml", p(&deploy, OutputFormat::Yaml, true));
    insta::assert_snapshot!("service_list_json", p(&svc, OutputFormat::Json, false));
    assert_eq!(
        p(&of(Kind::ReplicaSet), OutputFormat::Name, false),
        "replicaset.apps/web-7d4b9c8f6\nreplicaset.apps/web-5c6b8f9d44\n"
    );
    assert_eq!(
        p(
            &svc,
            OutputFormat::GoTemplate("{{.spec.clusterIP}}".into()),
            true
        ),
        "10.96.120.15"
    );
    assert_eq!(
        p(
            &of(Kind::ReplicaSet),
            OutputFormat::JsonPath(
                "{range .items[*]}{.metadata.name}{\"\\t\"}{.status.replicas}{\"\\n\"}{end}".into()
            ),
            false
        ),
        "web-7d4b9c8f6\t3\nweb-5c6b8f9d44\t0\n"
    );
    assert_eq!(
        p(
            &of(Kind::ReplicaSet),
            OutputFormat::CustomColumns("NAME:.metadata.name,REPLICAS:.spec.replicas,IMAGE:.spec.template.spec.containers[*].image".into()),
            false
        ),
        "NAME             REPLICAS   IMAGE\nweb-7d4b9c8f6    3          nginx:1.27\nweb-5c6b8f9d44   0          nginx:1.26\n"
    );
}

/// The streamed Table bytes (what `kubesim serve` sends for a list) are
/// the same document as `Table::to_json`, for every kind and every
/// `includeObject`, completed pods' row conditions included.
#[test]
fn streamed_table_json_matches_the_value_form() {
    let all = everything();
    let kinds: std::collections::BTreeSet<Kind> = all.iter().map(|o| o.kind()).collect();
    for kind in kinds {
        let objs = of(kind);
        let t = table(kind, &objs, now());
        for include in [
            IncludeObject::None,
            IncludeObject::Metadata,
            IncludeObject::Object,
        ] {
            let meta = serde_json::json!({"resourceVersion": "7"});
            let mut bytes = Vec::new();
            t.write_json(include, &meta, &mut bytes);
            let streamed: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            assert_eq!(streamed, t.to_json(include, 7), "{kind:?} {include:?}");
        }
    }
}
