//! Persistent storage: the PV controller (`pkg/controller/volume/
//! persistentvolume/pv_controller.go` `syncClaim`, `syncVolume`, `bind`,
//! `index.go` `findBestMatchForClaim`), a simulated dynamic provisioner
//! (the external-provisioner library's `provisionClaimOperation`), the
//! protection controllers (`pkg/controller/volume/pvcprotection`,
//! `pvprotection`) and the DefaultStorageClass admission plugin
//! (`plugin/pkg/admission/storage/persistentvolume/label`... `storageclass/
//! setdefault/admission.go`).

use super::util;
use super::{object_key, split_key, Action, Controller, Ctx, Enqueue};
use crate::objects::kinds::{Kind, Object};
use crate::objects::quantity::amount;
use crate::sim::store::{Store, WatchEvent, WriteOptions};
use k8s_openapi::api::core::v1::{
    HostPathVolumeSource, LocalVolumeSource, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeSpec, Pod, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::any::Any;
use std::collections::BTreeMap;

const COMPONENT: &str = "persistentvolume-controller";
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
const BETA_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";
pub const SELECTED_NODE_ANNOTATION: &str = "volume.kubernetes.io/selected-node";
const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

/// Where a provisioner puts its volumes (data, one line per provisioner
/// kubesim knows; others get a generic host path).
fn volume_path(provisioner: &str, pv: &str, pvc_ns: &str, pvc: &str) -> (String, bool) {
    match provisioner {
        "openebs.io/local" => (format!("/var/openebs/local/{pv}"), true),
        "rancher.io/local-path" => (
            format!("/opt/local-path-provisioner/{pv}_{pvc_ns}_{pvc}"),
            false,
        ),
        _ => (format!("/var/lib/kubesim/volumes/{pv}"), false),
    }
}

#[derive(Default)]
pub struct PersistentVolumeController;

impl PersistentVolumeController {
    pub fn new() -> Self {
        PersistentVolumeController
    }
}

/// Whether the class is the cluster default.
pub fn is_default_class(sc: &StorageClass) -> bool {
    [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION]
        .iter()
        .any(|k| util::annotation(&sc.metadata, k) == Some("true"))
}

/// The DefaultStorageClass admission plugin: a claim without
/// storageClassName gets the default class (the newest, if several).
pub fn admit_default_storage_class(store: &Store, obj: &mut Object) {
    let Object::PersistentVolumeClaim(c) = obj else {
        return;
    };
    let spec = c.spec.get_or_insert_with(Default::default);
    if spec.storage_class_name.is_some() {
        return;
    }
    let default = store
        .list_as::<StorageClass>(None)
        .filter(|sc| is_default_class(sc))
        .max_by_key(|sc| {
            (
                sc.metadata.creation_timestamp.as_ref().map(|t| t.0),
                sc.metadata.name.clone(),
            )
        });
    if let Some(sc) = default {
        spec.storage_class_name = sc.metadata.name.clone();
    }
}

fn claim_class(c: &PersistentVolumeClaim) -> String {
    c.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default()
}

fn pods_using(store: &Store, ns: &str, claim: &str) -> Vec<Pod> {
    store
        .list_as::<Pod>(Some(ns))
        .filter(|p| {
            p.spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|c| c.claim_name == claim)
                })
        })
        .cloned()
        .collect()
}

impl Controller for PersistentVolumeController {
    fn name(&self) -> &'static str {
        COMPONENT
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        match &*ev.object {
            Object::PersistentVolumeClaim(c) => {
                q.add(format!(
                    "pvc:{}",
                    object_key(
                        c.metadata.namespace.as_deref(),
                        c.metadata.name.as_deref().unwrap_or("")
                    )
                ));
                // The bound volume follows its claim (Released when it goes).
                if let Some(v) = c.spec.as_ref().and_then(|s| s.volume_name.as_deref()) {
                    q.add(format!("pv:{v}"));
                }
            }
            Object::PersistentVolume(v) => {
                q.add(format!("pv:{}", v.metadata.name.as_deref().unwrap_or("")));
                if let Some(r) = v.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                    q.add(format!(
                        "pvc:{}/{}",
                        r.namespace.as_deref().unwrap_or(""),
                        r.name.as_deref().unwrap_or("")
                    ));
                }
                // A new volume may satisfy pending claims.
                for c in store.list_as::<PersistentVolumeClaim>(None) {
                    if c.spec
                        .as_ref()
                        .and_then(|s| s.volume_name.as_deref())
                        .is_none()
                    {
                        q.add(format!(
                            "pvc:{}",
                            object_key(
                                c.metadata.namespace.as_deref(),
                                c.metadata.name.as_deref().unwrap_or("")
                            )
                        ));
                    }
                }
            }
            Object::Pod(p) => {
                let ns = p.metadata.namespace.as_deref();
                for v in p.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
                    if let Some(c) = &v.persistent_volume_claim {
                        q.add(format!("pvc:{}", object_key(ns, &c.claim_name)));
                    }
                }
            }
            Object::StorageClass(_) => {
                for c in store.list_as::<PersistentVolumeClaim>(None) {
                    q.add(format!(
                        "pvc:{}",
                        object_key(
                            c.metadata.namespace.as_deref(),
                            c.metadata.name.as_deref().unwrap_or("")
                        )
                    ));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        if let Some(k) = key.strip_prefix("pvc:") {
            let (ns, name) = split_key(k);
            sync_claim(ctx, ns, name);
        } else if let Some(name) = key.strip_prefix("pv:") {
            sync_volume(ctx, name);
        }
        Action::AwaitChange
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

fn event(ctx: &mut Ctx, obj: &Object, type_: &str, reason: &str, msg: &str, component: &str) {
    util::record(ctx.store, obj, type_, reason, msg, component);
}

fn set_claim_phase(ctx: &mut Ctx, ns: &str, name: &str, phase: &str) {
    let cur = ctx
        .store
        .get_as::<PersistentVolumeClaim>(ns, name)
        .and_then(|c| c.status.as_ref())
        .and_then(|s| s.phase.clone());
    if cur.as_deref() != Some(phase) {
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(ns, name, true, |c| {
                c.status.get_or_insert_with(Default::default).phase = Some(phase.into());
            });
    }
}

fn set_volume_phase(ctx: &mut Ctx, name: &str, phase: &str) {
    let cur = ctx
        .store
        .get_as::<PersistentVolume>("", name)
        .and_then(|v| v.status.as_ref())
        .and_then(|s| s.phase.clone());
    if cur.as_deref() != Some(phase) {
        let _ = ctx.store.modify::<PersistentVolume>("", name, true, |v| {
            let st = v.status.get_or_insert_with(Default::default);
            st.phase = Some(phase.into());
            st.last_phase_transition_time = None;
        });
    }
}

/// `syncClaim`.
fn sync_claim(ctx: &mut Ctx, ns: &str, name: &str) {
    let Some(claim) = ctx.store.get_as::<PersistentVolumeClaim>(ns, name).cloned() else {
        return;
    };
    let obj = Object::PersistentVolumeClaim(claim.clone());
    // pvcprotection: a deleted claim goes once no pod uses it.
    if claim.metadata.deletion_timestamp.is_some() {
        let in_use = pods_using(ctx.store, ns, name)
            .iter()
            .any(|p| !matches!(util::pod_phase(p), "Succeeded" | "Failed"));
        if !in_use
            && claim
                .metadata
                .finalizers
                .iter()
                .flatten()
                .any(|f| f == PVC_PROTECTION)
        {
            let _ = ctx
                .store
                .modify::<PersistentVolumeClaim>(ns, name, false, |c| {
                    if let Some(f) = c.metadata.finalizers.as_mut() {
                        f.retain(|x| x != PVC_PROTECTION);
                    }
                });
        }
        return;
    }
    let spec = claim.spec.clone().unwrap_or_default();
    let bound = util::annotation(&claim.metadata, BIND_COMPLETED).is_some();
    if bound {
        // `syncBoundClaim`: the volume must still be there and ours.
        let vname = spec.volume_name.clone().unwrap_or_default();
        match ctx.store.get_as::<PersistentVolume>("", &vname).cloned() {
            None => {
                if claim.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Lost") {
                    set_claim_phase(ctx, ns, name, "Lost");
                    event(
                        ctx,
                        &obj,
                        "Warning",
                        "ClaimLost",
                        "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                        COMPONENT,
                    );
                }
            }
            Some(pv) => {
                let ours = pv
                    .spec
                    .as_ref()
                    .and_then(|s| s.claim_ref.as_ref())
                    .is_some_and(|r| r.uid == claim.metadata.uid);
                if ours {
                    bind(ctx, &pv, &claim);
                }
            }
        }
        return;
    }
    if let Some(vname) = spec.volume_name.clone().filter(|v| !v.is_empty()) {
        // Pre-bound by the user to a named volume.
        if let Some(pv) = ctx.store.get_as::<PersistentVolume>("", &vname).cloned() {
            let free = pv
                .spec
                .as_ref()
                .and_then(|s| s.claim_ref.as_ref())
                .is_none_or(|r| {
                    r.name.as_deref() == Some(name) && r.namespace.as_deref() == Some(ns)
                });
            if free {
                bind(ctx, &pv, &claim);
            }
        }
        set_claim_phase_if_unbound(ctx, ns, name);
        return;
    }
    let class_name = claim_class(&claim);
    let class = if class_name.is_empty() {
        None
    } else {
        ctx.store.get_as::<StorageClass>("", &class_name).cloned()
    };
    let delay = class
        .as_ref()
        .and_then(|c| c.volume_binding_mode.as_deref())
        == Some("WaitForFirstConsumer");
    let selected = selected_node(ctx.store, &claim);
    if let Some(pv) = find_best_match(
        ctx.store,
        &claim,
        if delay { selected.as_deref() } else { None },
        delay,
    ) {
        bind(ctx, &pv, &claim);
        return;
    }
    set_claim_phase_if_unbound(ctx, ns, name);
    if delay && selected.is_none() {
        event(
            ctx,
            &obj,
            "Normal",
            "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding",
            COMPONENT,
        );
        return;
    }
    match class {
        None if class_name.is_empty() => {
            event(
                ctx,
                &obj,
                "Normal",
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
                COMPONENT,
            );
        }
        None => {
            event(
                ctx,
                &obj,
                "Warning",
                "ProvisioningFailed",
                &format!("storageclass.storage.k8s.io \"{class_name}\" not found"),
                COMPONENT,
            );
        }
        Some(sc) if sc.provisioner == NO_PROVISIONER => {}
        Some(sc) => provision(ctx, &claim, &sc, selected.as_deref()),
    }
}

fn set_claim_phase_if_unbound(ctx: &mut Ctx, ns: &str, name: &str) {
    let cur = ctx
        .store
        .get_as::<PersistentVolumeClaim>(ns, name)
        .and_then(|c| c.status.as_ref())
        .and_then(|s| s.phase.clone());
    if cur.is_none() {
        set_claim_phase(ctx, ns, name, "Pending");
    }
}

/// The node the scheduler picked for a WaitForFirstConsumer claim: its
/// annotation, or the node of a bound pod that uses it.
fn selected_node(store: &Store, claim: &PersistentVolumeClaim) -> Option<String> {
    if let Some(n) = util::annotation(&claim.metadata, SELECTED_NODE_ANNOTATION) {
        return Some(n.to_string());
    }
    let ns = claim.metadata.namespace.as_deref().unwrap_or("");
    let name = claim.metadata.name.as_deref().unwrap_or("");
    pods_using(store, ns, name)
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .map(|p| util::pod_node(p).to_string())
        .find(|n| !n.is_empty())
}

fn request(claim: &PersistentVolumeClaim) -> crate::objects::quantity::Amount {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .map(amount)
        .unwrap_or_default()
}

fn capacity(pv: &PersistentVolume) -> crate::objects::quantity::Amount {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .map(amount)
        .unwrap_or_default()
}

/// `findBestMatchForClaim`: a volume pre-bound to the claim, else the
/// smallest available volume that satisfies class, mode, selector, access
/// modes, size and (when binding is delayed) the selected node.
fn find_best_match(
    store: &Store,
    claim: &PersistentVolumeClaim,
    node: Option<&str>,
    delay: bool,
) -> Option<PersistentVolume> {
    let ns = claim.metadata.namespace.as_deref().unwrap_or("");
    let name = claim.metadata.name.as_deref().unwrap_or("");
    let spec = claim.spec.clone().unwrap_or_default();
    let class = claim_class(claim);
    let want = request(claim);
    let modes = spec.access_modes.clone().unwrap_or_default();
    let mode = spec
        .volume_mode
        .clone()
        .unwrap_or_else(|| "Filesystem".into());
    let mut best: Option<PersistentVolume> = None;
    for pv in store.list_as::<PersistentVolume>(None) {
        if pv.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let ps = pv.spec.clone().unwrap_or_default();
        if let Some(r) = &ps.claim_ref {
            let prebound = r.name.as_deref() == Some(name)
                && r.namespace.as_deref() == Some(ns)
                && r.uid
                    .as_deref()
                    .is_none_or(|u| u.is_empty() || Some(u) == claim.metadata.uid.as_deref());
            if prebound {
                return Some(pv.clone());
            }
            continue;
        }
        if pv
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .is_some_and(|p| p != "Available" && p != "Pending")
        {
            continue;
        }
        if ps.storage_class_name.clone().unwrap_or_default() != class {
            continue;
        }
        if ps
            .volume_mode
            .clone()
            .unwrap_or_else(|| "Filesystem".into())
            != mode
        {
            continue;
        }
        if let Some(sel) = &spec.selector {
            if !util::selector_matches(Some(sel), pv.metadata.labels.as_ref()) {
                continue;
            }
        }
        let pv_modes = ps.access_modes.clone().unwrap_or_default();
        if !modes.iter().all(|m| pv_modes.contains(m)) {
            continue;
        }
        if capacity(pv) < want {
            continue;
        }
        if delay {
            let Some(node) = node else { continue };
            if !volume_fits_node(pv, store, node) {
                continue;
            }
        }
        if best.as_ref().is_none_or(|b| capacity(pv) < capacity(b)) {
            best = Some(pv.clone());
        }
    }
    best
}

fn volume_fits_node(pv: &PersistentVolume, store: &Store, node: &str) -> bool {
    let Some(req) = pv
        .spec
        .as_ref()
        .and_then(|s| s.node_affinity.as_ref())
        .and_then(|a| a.required.as_ref())
    else {
        return true;
    };
    let Some(n) = store.get_as::<k8s_openapi::api::core::v1::Node>("", node) else {
        return false;
    };
    let spec = k8s_openapi::api::core::v1::PodSpec {
        affinity: Some(k8s_openapi::api::core::v1::Affinity {
            node_affinity: Some(k8s_openapi::api::core::v1::NodeAffinity {
                required_during_scheduling_ignored_during_execution: Some(req.clone()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    super::daemonset::node_affinity_matches(&spec, n)
}

/// `bind`: claimRef on the volume, volumeName on the claim, both Bound.
fn bind(ctx: &mut Ctx, pv: &PersistentVolume, claim: &PersistentVolumeClaim) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let pv_name = pv.metadata.name.clone().unwrap_or_default();
    let claim_ref = ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        name: Some(name.clone()),
        namespace: Some(ns.clone()),
        uid: claim.metadata.uid.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        field_path: None,
    };
    // The volume.
    let needs_ref = pv
        .spec
        .as_ref()
        .and_then(|s| s.claim_ref.as_ref())
        .is_none_or(|r| r.uid != claim.metadata.uid);
    if needs_ref {
        let by_controller = pv
            .spec
            .as_ref()
            .and_then(|s| s.claim_ref.as_ref())
            .is_none();
        let _ = ctx
            .store
            .modify::<PersistentVolume>("", &pv_name, false, |v| {
                v.spec.get_or_insert_with(Default::default).claim_ref = Some(claim_ref.clone());
                if by_controller {
                    v.metadata
                        .annotations
                        .get_or_insert_with(BTreeMap::new)
                        .insert(BOUND_BY_CONTROLLER.into(), "yes".into());
                }
            });
    }
    set_volume_phase(ctx, &pv_name, "Bound");
    // The claim.
    let cur = ctx
        .store
        .get_as::<PersistentVolumeClaim>(&ns, &name)
        .cloned();
    let Some(cur) = cur else { return };
    let need_claim = cur.spec.as_ref().and_then(|s| s.volume_name.as_deref())
        != Some(pv_name.as_str())
        || util::annotation(&cur.metadata, BIND_COMPLETED).is_none();
    if need_claim {
        let by_controller = cur
            .spec
            .as_ref()
            .and_then(|s| s.volume_name.as_deref())
            .is_none_or(|v| v.is_empty());
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(&ns, &name, false, |c| {
                c.spec.get_or_insert_with(Default::default).volume_name = Some(pv_name.clone());
                let a = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
                a.insert(BIND_COMPLETED.into(), "yes".into());
                if by_controller {
                    a.insert(BOUND_BY_CONTROLLER.into(), "yes".into());
                }
            });
    }
    let pv_now = ctx.store.get_as::<PersistentVolume>("", &pv_name).cloned();
    let (modes, cap) = pv_now
        .and_then(|v| v.spec)
        .map(|s| (s.access_modes, s.capacity))
        .unwrap_or_default();
    let st_cur = ctx
        .store
        .get_as::<PersistentVolumeClaim>(&ns, &name)
        .and_then(|c| c.status.clone());
    let want = (Some("Bound".to_string()), modes.clone(), cap.clone());
    if st_cur
        .as_ref()
        .map(|s| (s.phase.clone(), s.access_modes.clone(), s.capacity.clone()))
        != Some(want)
    {
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(&ns, &name, true, |c| {
                let st = c.status.get_or_insert_with(Default::default);
                st.phase = Some("Bound".into());
                st.access_modes = modes.clone();
                st.capacity = cap.clone();
            });
    }
}

/// The simulated external provisioner: a `pvc-<uid>` volume of the claimed
/// size, pre-bound to the claim, with the class's reclaim policy.
fn provision(ctx: &mut Ctx, claim: &PersistentVolumeClaim, sc: &StorageClass, node: Option<&str>) {
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let name = claim.metadata.name.clone().unwrap_or_default();
    let provisioner = sc.provisioner.clone();
    let obj = Object::PersistentVolumeClaim(claim.clone());
    // The PV controller hands the claim to the external provisioner.
    if util::annotation(&claim.metadata, STORAGE_PROVISIONER).is_none() {
        let _ = ctx
            .store
            .modify::<PersistentVolumeClaim>(&ns, &name, false, |c| {
                let a = c.metadata.annotations.get_or_insert_with(BTreeMap::new);
                a.insert(BETA_STORAGE_PROVISIONER.into(), provisioner.clone());
                a.insert(STORAGE_PROVISIONER.into(), provisioner.clone());
            });
        event(
            ctx,
            &obj,
            "Normal",
            "ExternalProvisioning",
            &format!("Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."),
            COMPONENT,
        );
    }
    let pv_name = format!("pvc-{}", claim.metadata.uid.as_deref().unwrap_or(""));
    if ctx
        .store
        .try_get(Kind::PersistentVolume, "", &pv_name)
        .is_some()
    {
        return;
    }
    let component = format!("{provisioner}_kubesim-provisioner");
    event(
        ctx,
        &obj,
        "Normal",
        "Provisioning",
        &format!("External provisioner is provisioning volume for claim \"{ns}/{name}\""),
        &component,
    );
    let spec = claim.spec.clone().unwrap_or_default();
    let (path, local) = volume_path(&provisioner, &pv_name, &ns, &name);
    let affinity = node.map(|n| VolumeNodeAffinity {
        required: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: "kubernetes.io/hostname".into(),
                    operator: "In".into(),
                    values: Some(vec![n.to_string()]),
                }]),
                match_fields: None,
            }],
        }),
    });
    let pv = PersistentVolume {
        metadata: ObjectMeta {
            name: Some(pv_name.clone()),
            annotations: Some(BTreeMap::from([(
                PROVISIONED_BY.to_string(),
                provisioner.clone(),
            )])),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            access_modes: spec.access_modes.clone(),
            capacity: Some(BTreeMap::from([(
                "storage".to_string(),
                spec.resources
                    .as_ref()
                    .and_then(|r| r.requests.as_ref())
                    .and_then(|r| r.get("storage").cloned())
                    .unwrap_or(k8s_openapi::apimachinery::pkg::api::resource::Quantity(
                        "0".into(),
                    )),
            )])),
            claim_ref: Some(ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("PersistentVolumeClaim".into()),
                name: Some(name.clone()),
                namespace: Some(ns.clone()),
                uid: claim.metadata.uid.clone(),
                resource_version: claim.metadata.resource_version.clone(),
                field_path: None,
            }),
            persistent_volume_reclaim_policy: Some(
                sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
            ),
            storage_class_name: sc.metadata.name.clone(),
            volume_mode: spec.volume_mode.clone(),
            mount_options: sc.mount_options.clone(),
            node_affinity: if local || node.is_some() {
                affinity
            } else {
                None
            },
            local: local.then(|| LocalVolumeSource {
                path: path.clone(),
                fs_type: None,
            }),
            host_path: (!local).then(|| HostPathVolumeSource {
                path: path.clone(),
                type_: Some("DirectoryOrCreate".into()),
            }),
            ..Default::default()
        }),
        status: None,
    };
    match ctx
        .store
        .create(Object::PersistentVolume(pv), &WriteOptions::default())
    {
        Ok(_) => event(
            ctx,
            &obj,
            "Normal",
            "ProvisioningSucceeded",
            &format!("Successfully provisioned volume {pv_name}"),
            &component,
        ),
        Err(e) => event(
            ctx,
            &obj,
            "Warning",
            "ProvisioningFailed",
            &e.message,
            &component,
        ),
    }
}

/// `syncVolume`: Available, Bound or Released, and the reclaim policy.
fn sync_volume(ctx: &mut Ctx, name: &str) {
    let Some(pv) = ctx.store.get_as::<PersistentVolume>("", name).cloned() else {
        return;
    };
    let phase = pv
        .status
        .as_ref()
        .and_then(|s| s.phase.clone())
        .unwrap_or_default();
    if pv.metadata.deletion_timestamp.is_some() {
        // pvprotection: a volume goes once it is not bound.
        if phase != "Bound"
            && pv
                .metadata
                .finalizers
                .iter()
                .flatten()
                .any(|f| f == PV_PROTECTION)
        {
            let _ = ctx.store.modify::<PersistentVolume>("", name, false, |v| {
                if let Some(f) = v.metadata.finalizers.as_mut() {
                    f.retain(|x| x != PV_PROTECTION);
                }
            });
            return;
        }
    }
    let spec = pv.spec.clone().unwrap_or_default();
    let Some(r) = spec.claim_ref.clone() else {
        set_volume_phase(ctx, name, "Available");
        return;
    };
    if r.uid.as_deref().is_none_or(|u| u.is_empty()) {
        // Pre-bound to a claim that does not exist yet.
        set_volume_phase(ctx, name, "Available");
        return;
    }
    let claim = ctx
        .store
        .get_as::<PersistentVolumeClaim>(
            r.namespace.as_deref().unwrap_or(""),
            r.name.as_deref().unwrap_or(""),
        )
        .cloned();
    match claim {
        Some(c) if c.metadata.uid == r.uid => {
            // Bound, or provisioned/pre-bound with the claim binding next
            // (syncClaim finishes it).
            if c.spec.as_ref().and_then(|s| s.volume_name.as_deref()) == Some(name) {
                set_volume_phase(ctx, name, "Bound");
            }
        }
        _ => {
            // The claim is gone: Released, then the reclaim policy.
            if phase != "Released" && phase != "Failed" {
                set_volume_phase(ctx, name, "Released");
            }
            let policy = spec
                .persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_else(|| "Retain".into());
            if policy == "Delete" && pv.metadata.deletion_timestamp.is_none() {
                let _ = ctx
                    .store
                    .delete(Kind::PersistentVolume, "", name, &Default::default());
            }
        }
    }
}
