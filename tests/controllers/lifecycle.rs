//! Garbage collection, namespaces, quotas, LimitRanges, PDBs and storage
//! (`pkg/controller/garbagecollector`, `pkg/controller/namespace`,
//! `plugin/pkg/admission/resourcequota`, `plugin/pkg/admission/limitranger`,
//! `pkg/controller/disruption`, `pkg/controller/volume/persistentvolume`).

use crate::common;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{
    Namespace, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kubesim::objects::Kind;
use kubesim::sim::store::{DeleteOptions, Propagation};
use kubesim::sim::World;

fn web(ns: &str, replicas: i32) -> String {
    format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: nginx, resources: {{requests: {{cpu: 100m, memory: 64Mi}}, limits: {{cpu: 200m, memory: 128Mi}}}}}}]
"#
    )
}

fn counts(w: &World, ns: &str) -> String {
    format!(
        "deploy={} rs={} pods={}",
        w.store.list_as::<Deployment>(Some(ns)).count(),
        w.store.list_as::<ReplicaSet>(Some(ns)).count(),
        w.store.list_as::<Pod>(Some(ns)).count()
    )
}

/// Background (default): the Deployment goes at once, its ReplicaSet and
/// pods after it.
#[test]
fn background_deletion_removes_dependents() {
    let mut w = common::world(51);
    common::apply(&mut w, &web("default", 2));
    w.advance(common::secs(5));
    w.store
        .delete(
            Kind::Deployment,
            "default",
            "web",
            &DeleteOptions::default(),
        )
        .unwrap();
    w.settle();
    assert_eq!(
        counts(&w, "default"),
        "deploy=0 rs=0 pods=2",
        "pods terminating"
    );
    w.advance(common::secs(5));
    assert_eq!(counts(&w, "default"), "deploy=0 rs=0 pods=0");
}

/// Foreground: the Deployment stays (foregroundDeletion finalizer) until
/// its ReplicaSet and pods are gone.
#[test]
fn foreground_deletion_waits_for_dependents() {
    let mut w = common::world(52);
    common::apply(&mut w, &web("default", 2));
    w.advance(common::secs(5));
    let opts = DeleteOptions {
        propagation: Some(Propagation::Foreground),
        ..Default::default()
    };
    w.store
        .delete(Kind::Deployment, "default", "web", &opts)
        .unwrap();
    w.settle();
    let d = w.store.get_as::<Deployment>("default", "web").unwrap();
    assert_eq!(
        d.metadata.finalizers.as_deref(),
        Some(&["foregroundDeletion".to_string()][..])
    );
    assert_eq!(counts(&w, "default"), "deploy=1 rs=1 pods=2");
    w.advance(common::secs(5));
    assert_eq!(counts(&w, "default"), "deploy=0 rs=0 pods=0");
}

/// Orphan: the ReplicaSet and pods stay, without owner references.
#[test]
fn orphan_deletion_keeps_dependents() {
    let mut w = common::world(53);
    common::apply(&mut w, &web("default", 2));
    w.advance(common::secs(5));
    let opts = DeleteOptions {
        propagation: Some(Propagation::Orphan),
        ..Default::default()
    };
    w.store
        .delete(Kind::Deployment, "default", "web", &opts)
        .unwrap();
    w.advance(common::secs(5));
    assert_eq!(counts(&w, "default"), "deploy=0 rs=1 pods=2");
    let rs = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .next()
        .unwrap();
    assert!(rs.metadata.owner_references.is_none());
}

/// Deleting a namespace: Terminating with the deletion conditions, pods
/// first, then the rest; the `kubernetes` finalizer goes last and the
/// namespace disappears.
#[test]
fn namespace_deletion() {
    let mut w = common::world(54);
    common::apply(
        &mut w,
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: dev}\n",
    );
    common::apply(&mut w, &web("dev", 2));
    common::apply(
        &mut w,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: dev}\ndata: {a: b}\n",
    );
    w.advance(common::secs(5));
    w.store
        .delete(Kind::Namespace, "", "dev", &DeleteOptions::default())
        .unwrap();
    w.settle();
    let mut out = Vec::new();
    let snap = |w: &World, out: &mut Vec<String>| match w.store.get_as::<Namespace>("", "dev") {
        None => out.push(format!(
            "[{}] namespace gone; {}",
            w.now(),
            counts(w, "dev")
        )),
        Some(n) => {
            let st = n.status.clone().unwrap();
            out.push(format!(
                "[{}] phase={} {}",
                w.now(),
                st.phase.unwrap(),
                counts(w, "dev")
            ));
            for c in st.conditions.unwrap_or_default() {
                out.push(format!(
                    "    {} {} {}: {}",
                    c.type_,
                    c.status,
                    c.reason.unwrap(),
                    c.message.unwrap()
                ));
            }
        }
    };
    snap(&w, &mut out);
    let e = w.store.create(
        kubesim::objects::manifest::decode_object(serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "late", "namespace": "dev"}}), true).unwrap(),
        &Default::default(),
    );
    out.push(e.unwrap_err().kubectl_text());
    for _ in 0..3 {
        w.advance(common::secs(10));
        snap(&w, &mut out);
    }
    insta::assert_snapshot!(out.join("\n"));
}

/// ResourceQuota: usage in status, and the third pod refused with
/// upstream's `exceeded quota` words, surfacing as the ReplicaSet's
/// FailedCreate event and ReplicaFailure condition.
#[test]
fn resource_quota_limits_pods() {
    let mut w = common::world(55);
    common::apply(&mut w, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q, namespace: default}\nspec: {hard: {pods: \"2\", requests.cpu: \"1\", limits.memory: 1Gi}}\n");
    common::apply(&mut w, &web("default", 3));
    w.advance(common::secs(5));
    let q = w
        .store
        .get_as::<ResourceQuota>("default", "q")
        .unwrap()
        .clone();
    let rs = w
        .store
        .list_as::<ReplicaSet>(Some("default"))
        .next()
        .unwrap()
        .clone();
    let evs: Vec<String> = common::events(&w, "default", "replicaset-controller")
        .into_iter()
        .filter(|e| e.contains("FailedCreate"))
        .map(|e| {
            // The generated pod name varies with the attempt.
            let start = e.find("pods \"").unwrap() + 6;
            let end = e[start..].find('"').unwrap() + start;
            format!("{}<pod>{}", &e[..start], &e[end..])
        })
        .collect();
    insta::assert_snapshot!(format!(
        "{}\n{}\n{}",
        common::yaml_of(&q.status),
        evs.join("\n"),
        common::yaml_of(
            &rs.status
                .unwrap()
                .conditions
                .unwrap()
                .iter()
                .map(|c| (c.type_.clone(), c.reason.clone()))
                .collect::<Vec<_>>()
        )
    ));
    // A pod without requests meets `must specify`.
    let pod = kubesim::objects::manifest::decode_object(
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare", "namespace": "default"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
        true,
    )
    .unwrap();
    let e = w.store.create(pod, &Default::default()).unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        "Error from server (Forbidden): pods \"bare\" is forbidden: failed quota: q: must specify limits.memory for: c; requests.cpu for: c"
    );
}

/// LimitRange defaults (with the limit-ranger annotation) and maximums.
#[test]
fn limit_range_defaults_and_max() {
    let mut w = common::world(56);
    common::apply(&mut w, "apiVersion: v1\nkind: LimitRange\nmetadata: {name: lr, namespace: default}\nspec: {limits: [{type: Container, default: {cpu: 500m}, defaultRequest: {cpu: 100m}, max: {cpu: \"1\"}}]}\n");
    let p = common::apply(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec: {containers: [{name: c, image: nginx}]}\n");
    let kubesim::objects::Object::Pod(p) = p else {
        panic!()
    };
    let res = p.spec.unwrap().containers[0].resources.clone().unwrap();
    assert_eq!(res.requests.unwrap()["cpu"].0, "100m");
    assert_eq!(res.limits.unwrap()["cpu"].0, "500m");
    assert_eq!(
        p.metadata.annotations.unwrap()["kubernetes.io/limit-ranger"],
        "LimitRanger plugin set: cpu request for container c; cpu limit for container c"
    );
    let big = kubesim::objects::manifest::decode_object(
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big", "namespace": "default"}, "spec": {"containers": [{"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "2"}}}]}}),
        true,
    )
    .unwrap();
    let e = w.store.create(big, &Default::default()).unwrap_err();
    assert_eq!(e.kubectl_text(), "Error from server (Forbidden): pods \"big\" is forbidden: maximum cpu usage per Container is 1, but limit is 2");
}

/// PodDisruptionBudget status (`disruption.go`).
#[test]
fn pdb_status() {
    let mut w = common::world(57);
    common::apply(&mut w, &web("default", 3));
    common::apply(&mut w, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: default}\nspec: {minAvailable: 2, selector: {matchLabels: {app: web}}}\n");
    w.advance(common::secs(5));
    let st = w
        .store
        .get_as::<PodDisruptionBudget>("default", "web")
        .unwrap()
        .status
        .clone()
        .unwrap();
    assert_eq!(
        (
            st.current_healthy,
            st.desired_healthy,
            st.disruptions_allowed,
            st.expected_pods
        ),
        (3, 2, 1, 3)
    );
    common::apply(&mut w, "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: pct, namespace: default}\nspec: {maxUnavailable: 50%, selector: {matchLabels: {app: web}}}\n");
    w.advance(common::secs(1));
    let st = w
        .store
        .get_as::<PodDisruptionBudget>("default", "pct")
        .unwrap()
        .status
        .clone()
        .unwrap();
    assert_eq!(
        (
            st.current_healthy,
            st.desired_healthy,
            st.disruptions_allowed,
            st.expected_pods
        ),
        (3, 1, 2, 3)
    );
}

fn pv_lines(w: &World) -> Vec<String> {
    let mut v: Vec<String> = w
        .store
        .list_as::<PersistentVolume>(None)
        .map(|p| {
            format!(
                "pv/{} {} claim={}",
                if p.metadata.name.as_deref().unwrap().starts_with("pvc-") {
                    "pvc-<uid>"
                } else {
                    p.metadata.name.as_deref().unwrap()
                },
                p.status
                    .as_ref()
                    .and_then(|s| s.phase.clone())
                    .unwrap_or_default(),
                p.spec
                    .as_ref()
                    .and_then(|s| s.claim_ref.as_ref())
                    .and_then(|r| r.name.clone())
                    .unwrap_or_default()
            )
        })
        .collect();
    v.extend(w.store.list_as::<PersistentVolumeClaim>(None).map(|c| {
        format!(
            "pvc/{} {}",
            c.metadata.name.clone().unwrap(),
            c.status
                .as_ref()
                .and_then(|s| s.phase.clone())
                .unwrap_or_default()
        )
    }));
    v
}

/// The workshop's pv-pvc-sc chapter: a claim without a class stays Pending
/// (no default class), binds to a matching PV, and Retain leaves the PV
/// Released; a default class with WaitForFirstConsumer provisions when a
/// pod uses the claim; reclaim Delete removes the PV with the claim.
#[test]
fn storage_binding_and_provisioning() {
    let mut w = common::world(58);
    let mut out = Vec::new();
    common::apply(&mut w, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: default}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n");
    w.advance(common::secs(1));
    out.push("# claim, no PV, no class".to_string());
    out.extend(pv_lines(&w));
    common::apply(&mut w, "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: pv1}\nspec: {accessModes: [ReadWriteOnce], capacity: {storage: 5Gi}, hostPath: {path: /mnt/data}}\n");
    w.advance(common::secs(1));
    out.push("# PV created".to_string());
    out.extend(pv_lines(&w));
    w.store
        .delete(
            Kind::PersistentVolumeClaim,
            "default",
            "data",
            &Default::default(),
        )
        .unwrap();
    w.advance(common::secs(1));
    out.push("# claim deleted (Retain)".to_string());
    out.extend(pv_lines(&w));
    common::apply(&mut w, "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: openebs-hostpath, annotations: {storageclass.kubernetes.io/is-default-class: \"true\"}}\nprovisioner: openebs.io/local\nvolumeBindingMode: WaitForFirstConsumer\nreclaimPolicy: Delete\n");
    common::apply(&mut w, "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: local-hostpath-pvc, namespace: default}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n");
    w.advance(common::secs(1));
    out.push("# WaitForFirstConsumer claim".to_string());
    out.extend(pv_lines(&w));
    common::apply(&mut w, "apiVersion: v1\nkind: Pod\nmetadata: {name: openebs-local-hostpath-pod, namespace: default}\nspec: {volumes: [{name: v, persistentVolumeClaim: {claimName: local-hostpath-pvc}}], containers: [{name: c, image: busybox, volumeMounts: [{name: v, mountPath: /mnt/store}]}]}\n");
    w.advance(common::secs(2));
    out.push("# pod scheduled: provisioned and bound".to_string());
    out.extend(pv_lines(&w));
    let pv = w
        .store
        .list_as::<PersistentVolume>(None)
        .find(|p| p.metadata.name.as_deref().unwrap().starts_with("pvc-"))
        .unwrap()
        .clone();
    out.push(format!(
        "path={}",
        pv.spec
            .as_ref()
            .unwrap()
            .local
            .as_ref()
            .unwrap()
            .path
            .replace(pv.metadata.name.as_deref().unwrap(), "pvc-<uid>")
    ));
    w.store
        .delete(
            Kind::Pod,
            "default",
            "openebs-local-hostpath-pod",
            &Default::default(),
        )
        .unwrap();
    w.store
        .delete(
            Kind::PersistentVolumeClaim,
            "default",
            "local-hostpath-pvc",
            &Default::default(),
        )
        .unwrap();
    w.advance(common::secs(5));
    out.push("# pod and claim deleted (Delete)".to_string());
    out.extend(pv_lines(&w));
    insta::assert_snapshot!(format!(
        "{}\n\n{}",
        out.join("\n"),
        common::events(&w, "default", "")
            .into_iter()
            .filter(|e| e.contains("PersistentVolumeClaim"))
            .collect::<Vec<_>>()
            .join("\n")
            .replace(&pv.metadata.name.clone().unwrap(), "pvc-<uid>")
    ));
}
