//! The shorter describers: Namespace, ConfigMap, Secret, ServiceAccount,
//! PersistentVolume, PersistentVolumeClaim, StorageClass, ResourceQuota,
//! LimitRange, Role, ClusterRole, RoleBinding, ClusterRoleBinding,
//! PodDisruptionBudget, PriorityClass, HorizontalPodAutoscaler, and the
//! generic describer for kinds without one (`kubectl/pkg/describe/describe.go`).

use super::events::describe_events;
use super::writer::*;
use super::DescribeContext;
use crate::objects::Object;
use crate::printers::age::age_since;
use crate::printers::config::secret_keys;
use crate::printers::format::{
    access_modes, bool_ptr, canonical_quantity, int_or_string, quantity_string, rfc1123z_opt,
};
use crate::printers::layout::{format_labels, format_selector};
use crate::printers::storage::{
    claim_capacity_and_modes, is_default_storage_class, persistent_volume_claim_class,
    persistent_volume_class,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, LimitRangeSpec, Namespace, PersistentVolume, PersistentVolumeClaim,
    ResourceQuota, Secret, ServiceAccount,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeSet;

fn name_ns(w: &mut PrefixWriter, m: &ObjectMeta) {
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", m.namespace.clone().unwrap_or_default()),
    );
}

fn events(w: &mut PrefixWriter, ctx: &DescribeContext, now: jiff::Timestamp) {
    if ctx.show_events {
        describe_events(w, &ctx.events, now);
    }
}

/// `describeNamespace` with `DescribeResourceQuotas` and
/// `DescribeLimitRanges` (printers.md §4.7).
pub fn describe_namespace(ns: &Namespace, ctx: &DescribeContext) -> String {
    let mut w = PrefixWriter::new();
    let m = &ns.metadata;
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let st = ns.status.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Status:\t{}\n", st.phase.clone().unwrap_or_default()),
    );
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(
            LEVEL_1,
            "Type\tStatus\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t------------------\t------\t-------\n",
        );
        for c in conds {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z_opt(c.last_transition_time.as_ref()),
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                ),
            );
        }
    }
    w.write(LEVEL_0, "\n");
    let quotas: Vec<&ResourceQuota> = ctx
        .resource_quotas
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::ResourceQuota(q) => Some(q),
            _ => None,
        })
        .collect();
    if quotas.is_empty() {
        w.write(LEVEL_0, "No resource quota.\n");
    } else {
        w.write(LEVEL_0, "Resource Quotas\n");
        let mut quotas = quotas;
        quotas.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
        for q in quotas {
            w.write(
                LEVEL_1,
                &format!("Name:\t{}\n", q.metadata.name.clone().unwrap_or_default()),
            );
            let mut scopes = q
                .spec
                .as_ref()
                .and_then(|s| s.scopes.clone())
                .unwrap_or_default();
            if !scopes.is_empty() {
                scopes.sort();
                w.write(LEVEL_1, &format!("Scopes:\t{}\n", scopes.join(", ")));
                for s in &scopes {
                    if let Some(h) = scope_help(s) {
                        w.write(LEVEL_1, &format!("* {h}\n"));
                    }
                }
            }
            w.write(LEVEL_1, "Resource\tUsed\tHard\n");
            w.write(LEVEL_1, "--------\t---\t---\n");
            let st = q.status.clone().unwrap_or_default();
            let used = st.used.unwrap_or_default();
            for (name, hard) in st.hard.iter().flatten() {
                w.write(
                    LEVEL_1,
                    &format!(
                        "{name}\t{}\t{}\n",
                        quantity_string(used.get(name)),
                        canonical_quantity(&hard.0)
                    ),
                );
            }
        }
    }
    w.write(LEVEL_0, "\n");
    let limits: Vec<&LimitRange> = ctx
        .limit_ranges
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::LimitRange(l) => Some(l),
            _ => None,
        })
        .collect();
    if limits.is_empty() {
        w.write(LEVEL_0, "No LimitRange resource.\n");
    } else {
        w.write(
            LEVEL_0,
            "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
        );
        w.write(
            LEVEL_0,
            " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
        );
        for l in limits {
            limit_range_rows(&mut w, l.spec.as_ref(), " ");
        }
    }
    w.finish()
}

fn scope_help(scope: &str) -> Option<&'static str> {
    Some(match scope {
        "Terminating" => "Matches all pods that have an active deadline. These pods have a limited lifespan on a node before being actively terminated by the system.",
        "NotTerminating" => "Matches all pods that do not have an active deadline. These pods usually include long running pods whose container command is not expected to terminate.",
        "BestEffort" => "Matches all pods that do not have resource requirements set. These pods have a best effort quality of service.",
        "NotBestEffort" => "Matches all pods that have at least one resource requirement set. These pods have a burstable or guaranteed quality of service.",
        _ => return None,
    })
}

/// `describeLimitRangeSpec`: one row per limit type and resource (resources
/// sorted here; Go iterates a map).
fn limit_range_rows(w: &mut PrefixWriter, spec: Option<&LimitRangeSpec>, prefix: &str) {
    for item in spec.iter().flat_map(|s| s.limits.iter()) {
        let mut names: BTreeSet<String> = BTreeSet::new();
        for m in [
            &item.max,
            &item.min,
            &item.default,
            &item.default_request,
            &item.max_limit_request_ratio,
        ] {
            names.extend(m.iter().flatten().map(|(k, _)| k.clone()));
        }
        let get = |m: &Option<
            std::collections::BTreeMap<
                String,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity,
            >,
        >,
                   k: &str| {
            m.as_ref()
                .and_then(|m| m.get(k))
                .map(|q| canonical_quantity(&q.0))
                .unwrap_or_else(|| "-".into())
        };
        for k in &names {
            w.write(
                LEVEL_0,
                &format!(
                    "{prefix}{}\t{k}\t{}\t{}\t{}\t{}\t{}\n",
                    item.type_,
                    get(&item.min, k),
                    get(&item.max, k),
                    get(&item.default_request, k),
                    get(&item.default, k),
                    get(&item.max_limit_request_ratio, k)
                ),
            );
        }
    }
}

/// `describeLimitRange`.
pub fn describe_limit_range(l: &LimitRange) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &l.metadata);
    w.write(
        LEVEL_0,
        "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
    );
    w.write(
        LEVEL_0,
        "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n",
    );
    limit_range_rows(&mut w, l.spec.as_ref(), "");
    w.finish()
}

/// `describeQuota`.
pub fn describe_quota(q: &ResourceQuota) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &q.metadata);
    let mut scopes = q
        .spec
        .as_ref()
        .and_then(|s| s.scopes.clone())
        .unwrap_or_default();
    if !scopes.is_empty() {
        scopes.sort();
        w.write(LEVEL_0, &format!("Scopes:\t{}\n", scopes.join(", ")));
        for s in &scopes {
            if let Some(h) = scope_help(s) {
                w.write(LEVEL_0, &format!(" * {h}\n"));
            }
        }
    }
    w.write(LEVEL_0, "Resource\tUsed\tHard\n");
    w.write(LEVEL_0, "--------\t----\t----\n");
    let st = q.status.clone().unwrap_or_default();
    let used = st.used.unwrap_or_default();
    for (name, hard) in st.hard.iter().flatten() {
        w.write(
            LEVEL_0,
            &format!(
                "{name}\t{}\t{}\n",
                quantity_string(used.get(name)),
                canonical_quantity(&hard.0)
            ),
        );
    }
    w.finish()
}

/// `ConfigMapDescriber.Describe`.
pub fn describe_config_map(cm: &ConfigMap, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &cm.metadata);
    labels_multiline(&mut w, "Labels", cm.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", cm.metadata.annotations.as_ref());
    w.write(LEVEL_0, "\nData\n====\n");
    for (k, v) in cm.data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}:\n----\n"));
        w.write(LEVEL_0, &format!("{v}\n"));
        w.write(LEVEL_0, "\n");
    }
    w.write(LEVEL_0, "\nBinaryData\n====\n");
    for (k, v) in cm.binary_data.iter().flatten() {
        w.write(LEVEL_0, &format!("{k}: {} bytes\n", v.0.len()));
    }
    w.write(LEVEL_0, "\n");
    events(&mut w, ctx, now);
    w.finish()
}

/// `describeSecret`: sizes only, except a service-account token.
pub fn describe_secret(s: &Secret) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &s.metadata);
    labels_multiline(&mut w, "Labels", s.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", s.metadata.annotations.as_ref());
    let type_ = s.type_.clone().unwrap_or_else(|| "Opaque".into());
    w.write(LEVEL_0, &format!("\nType:\t{type_}\n"));
    w.write(LEVEL_0, "\nData\n====\n");
    for k in secret_keys(s) {
        let bytes: Vec<u8> = match s.data.as_ref().and_then(|d| d.get(&k)) {
            Some(b) => b.0.clone(),
            None => s
                .string_data
                .as_ref()
                .and_then(|d| d.get(&k))
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default(),
        };
        if k == "token" && type_ == "kubernetes.io/service-account-token" {
            w.write(
                LEVEL_0,
                &format!("{k}:\t{}\n", String::from_utf8_lossy(&bytes)),
            );
        } else {
            w.write(LEVEL_0, &format!("{k}:\t{} bytes\n", bytes.len()));
        }
    }
    w.finish()
}

/// `describeServiceAccount`.
pub fn describe_service_account(
    sa: &ServiceAccount,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &sa.metadata);
    labels_multiline(&mut w, "Labels", sa.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", sa.metadata.annotations.as_ref());
    let names: Vec<String> = sa
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|s| s.name.clone())
        .collect();
    let header = "Image pull secrets:";
    if names.is_empty() {
        w.write(LEVEL_0, &format!("{header}\t<none>\n"));
    } else {
        let mut prefix = header.to_string();
        for n in &names {
            w.write(LEVEL_0, &format!("{prefix}\t{n}\n"));
            prefix = " ".repeat(header.len());
        }
    }
    events(&mut w, ctx, now);
    w.finish()
}

/// `describePersistentVolume` (the common volume sources).
pub fn describe_pv(pv: &PersistentVolume, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let m = &pv.metadata;
    let spec = pv.spec.clone().unwrap_or_default();
    let st = pv.status.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Finalizers:\t{}\n",
            go_list(&m.finalizers.clone().unwrap_or_default())
        ),
    );
    w.write(
        LEVEL_0,
        &format!("StorageClass:\t{}\n", persistent_volume_class(pv)),
    );
    if m.deletion_timestamp.is_some() {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                age_since(m.deletion_timestamp.as_ref(), now)
            ),
        );
    } else {
        w.write(
            LEVEL_0,
            &format!("Status:\t{}\n", st.phase.clone().unwrap_or_default()),
        );
    }
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| {
            format!(
                "{}/{}",
                c.namespace.clone().unwrap_or_default(),
                c.name.clone().unwrap_or_default()
            )
        })
        .unwrap_or_default();
    w.write(LEVEL_0, &format!("Claim:\t{claim}\n"));
    w.write(
        LEVEL_0,
        &format!(
            "Reclaim Policy:\t{}\n",
            spec.persistent_volume_reclaim_policy
                .clone()
                .unwrap_or_default()
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Access Modes:\t{}\n",
            access_modes(spec.access_modes.as_ref())
        ),
    );
    if let Some(vm) = &spec.volume_mode {
        w.write(LEVEL_0, &format!("VolumeMode:\t{vm}\n"));
    }
    w.write(
        LEVEL_0,
        &format!(
            "Capacity:\t{}\n",
            quantity_string(spec.capacity.as_ref().and_then(|c| c.get("storage")))
        ),
    );
    w.write(LEVEL_0, "Node Affinity:\t");
    match spec
        .node_affinity
        .as_ref()
        .and_then(|a| a.required.as_ref())
    {
        None => w.line("<none>"),
        Some(req) => {
            w.line("");
            w.write(LEVEL_1, "Required Terms:\t");
            if req.node_selector_terms.is_empty() {
                w.line("<none>");
            } else {
                w.line("");
                for (i, term) in req.node_selector_terms.iter().enumerate() {
                    w.write(LEVEL_2, &format!("Term {i}:\t"));
                    let exprs = term.match_expressions.clone().unwrap_or_default();
                    if exprs.is_empty() {
                        w.line("<none>");
                    }
                    for (j, e) in exprs.iter().enumerate() {
                        if j != 0 {
                            w.write(LEVEL_2, "\t");
                        }
                        let mut s = format!("{} {}", e.key, e.operator.to_lowercase());
                        if let Some(v) = e.values.as_ref().filter(|v| !v.is_empty()) {
                            s = format!("{s} [{}]", v.join(", "));
                        }
                        w.write(LEVEL_0, &format!("{s}\n"));
                    }
                }
            }
        }
    }
    w.write(
        LEVEL_0,
        &format!("Message:\t{}\n", st.message.clone().unwrap_or_default()),
    );
    w.write(LEVEL_0, "Source:\n");
    if let Some(h) = &spec.host_path {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                h.path,
                h.type_.clone().unwrap_or_else(|| "<none>".into())
            ),
        );
    } else if let Some(n) = &spec.nfs {
        super::pod::nfs_volume(&mut w, n);
    } else if let Some(l) = &spec.local {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tLocalVolume (a persistent volume backed by local storage on a node)\n    Path:\t{}\n",
                l.path
            ),
        );
    } else if let Some(c) = &spec.csi {
        w.write(
            LEVEL_2,
            &format!(
                "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    VolumeHandle:\t{}\n    ReadOnly:\t{}\n",
                c.driver,
                c.fs_type.clone().unwrap_or_default(),
                c.volume_handle,
                c.read_only.unwrap_or(false)
            ),
        );
        labels_multiline_indent(
            &mut w,
            "    ",
            "VolumeAttributes",
            "\t",
            c.volume_attributes.as_ref(),
        );
    } else {
        w.write(LEVEL_1, "<unknown>\n");
    }
    events(&mut w, ctx, now);
    w.finish()
}

/// `describePersistentVolumeClaim`.
pub fn describe_pvc(
    pvc: &PersistentVolumeClaim,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let m = &pvc.metadata;
    let spec = pvc.spec.clone().unwrap_or_default();
    let st = pvc.status.clone().unwrap_or_default();
    name_ns(&mut w, m);
    w.write(
        LEVEL_0,
        &format!("StorageClass:\t{}\n", persistent_volume_claim_class(pvc)),
    );
    if m.deletion_timestamp.is_some() {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                age_since(m.deletion_timestamp.as_ref(), now)
            ),
        );
    } else {
        w.write(
            LEVEL_0,
            &format!("Status:\t{}\n", st.phase.clone().unwrap_or_default()),
        );
    }
    w.write(
        LEVEL_0,
        &format!(
            "Volume:\t{}\n",
            spec.volume_name.clone().unwrap_or_default()
        ),
    );
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "Finalizers:\t{}\n",
            go_list(&m.finalizers.clone().unwrap_or_default())
        ),
    );
    let (capacity, modes) = claim_capacity_and_modes(pvc);
    w.write(LEVEL_0, &format!("Capacity:\t{capacity}\n"));
    w.write(LEVEL_0, &format!("Access Modes:\t{modes}\n"));
    if let Some(vm) = &spec.volume_mode {
        w.write(LEVEL_0, &format!("VolumeMode:\t{vm}\n"));
    }
    if let Some(ds) = &spec.data_source {
        w.write(LEVEL_0, "DataSource:\n");
        if let Some(g) = &ds.api_group {
            w.write(LEVEL_1, &format!("APIGroup:\t{g}\n"));
        }
        w.write(LEVEL_1, &format!("Kind:\t{}\n", ds.kind));
        w.write(LEVEL_1, &format!("Name:\t{}\n", ds.name));
    }
    // Used By: pods in the namespace that mount the claim.
    let claim = m.name.clone().unwrap_or_default();
    let users: Vec<String> = ctx
        .pods
        .iter()
        .filter_map(|o| match o.as_ref() {
            Object::Pod(p) => Some(p),
            _ => None,
        })
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
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect();
    names_multiline(&mut w, "Used By", users);
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(
            LEVEL_1,
            "Type\tStatus\tLastProbeTime\tLastTransitionTime\tReason\tMessage\n",
        );
        w.write(
            LEVEL_1,
            "----\t------\t-----------------\t------------------\t------\t-------\n",
        );
        for c in conds {
            w.write(
                LEVEL_1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    c.type_,
                    c.status,
                    rfc1123z_opt(c.last_probe_time.as_ref()),
                    rfc1123z_opt(c.last_transition_time.as_ref()),
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                ),
            );
        }
    }
    events(&mut w, ctx, now);
    w.finish()
}

/// `describeStorageClass`.
pub fn describe_storage_class(
    sc: &StorageClass,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", sc.metadata.name.clone().unwrap_or_default()),
    );
    let default = if is_default_storage_class(&sc.metadata) {
        "Yes"
    } else {
        "No"
    };
    w.write(LEVEL_0, &format!("IsDefaultClass:\t{default}\n"));
    w.write(
        LEVEL_0,
        &format!(
            "Annotations:\t{}\n",
            format_labels(&sc.metadata.annotations.clone().unwrap_or_default())
        ),
    );
    w.write(LEVEL_0, &format!("Provisioner:\t{}\n", sc.provisioner));
    w.write(
        LEVEL_0,
        &format!(
            "Parameters:\t{}\n",
            format_labels(&sc.parameters.clone().unwrap_or_default())
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "AllowVolumeExpansion:\t{}\n",
            bool_ptr(sc.allow_volume_expansion)
        ),
    );
    match sc.mount_options.as_ref().filter(|m| !m.is_empty()) {
        None => w.write(LEVEL_0, "MountOptions:\t<none>\n"),
        Some(opts) => {
            w.write(LEVEL_0, "MountOptions:\n");
            for o in opts {
                w.write(LEVEL_1, &format!("{o}\n"));
            }
        }
    }
    if let Some(p) = &sc.reclaim_policy {
        w.write(LEVEL_0, &format!("ReclaimPolicy:\t{p}\n"));
    }
    if let Some(b) = &sc.volume_binding_mode {
        w.write(LEVEL_0, &format!("VolumeBindingMode:\t{b}\n"));
    }
    events(&mut w, ctx, now);
    w.finish()
}

/// `describePodDisruptionBudgetV1`.
pub fn describe_pdb(
    pdb: &PodDisruptionBudget,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    name_ns(&mut w, &pdb.metadata);
    let spec = pdb.spec.clone().unwrap_or_default();
    if let Some(m) = &spec.min_available {
        w.write(LEVEL_0, &format!("Min available:\t{}\n", int_or_string(m)));
    } else if let Some(m) = &spec.max_unavailable {
        w.write(
            LEVEL_0,
            &format!("Max unavailable:\t{}\n", int_or_string(m)),
        );
    }
    match &spec.selector {
        Some(s) => w.write(
            LEVEL_0,
            &format!("Selector:\t{}\n", format_selector(Some(s))),
        ),
        None => w.write(LEVEL_0, "Selector:\t<unset>\n"),
    }
    let st = pdb.status.clone().unwrap_or_default();
    w.write(LEVEL_0, "Status:\n");
    w.write(
        LEVEL_2,
        &format!("Allowed disruptions:\t{}\n", st.disruptions_allowed),
    );
    w.write(LEVEL_2, &format!("Current:\t{}\n", st.current_healthy));
    w.write(LEVEL_2, &format!("Desired:\t{}\n", st.desired_healthy));
    w.write(LEVEL_2, &format!("Total:\t{}\n", st.expected_pods));
    events(&mut w, ctx, now);
    w.finish()
}

/// `describePriorityClass`.
pub fn describe_priority_class(
    pc: &PriorityClass,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", pc.metadata.name.clone().unwrap_or_default()),
    );
    w.write(LEVEL_0, &format!("Value:\t{}\n", pc.value));
    w.write(
        LEVEL_0,
        &format!("GlobalDefault:\t{}\n", pc.global_default.unwrap_or(false)),
    );
    w.write(
        LEVEL_0,
        &format!(
            "PreemptionPolicy:\t{}\n",
            pc.preemption_policy
                .clone()
                .unwrap_or_else(|| "PreemptLowerPriority".into())
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Description:\t{}\n",
            pc.description.clone().unwrap_or_default()
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Annotations:\t{}\n",
            format_labels(&pc.metadata.annotations.clone().unwrap_or_default())
        ),
    );
    events(&mut w, ctx, now);
    w.finish()
}

/// `rbac.BreakdownRule` then `CompactRules`, sorted as `SortableRuleSlice`
/// does (by the Go `String()` of the rule, verbs first).
fn compact_rules(rules: &[PolicyRule]) -> Vec<PolicyRule> {
    let mut broken: Vec<PolicyRule> = Vec::new();
    for r in rules {
        let groups = r.api_groups.clone().unwrap_or_default();
        let resources = r.resources.clone().unwrap_or_default();
        let names = r.resource_names.clone().unwrap_or_default();
        for g in &groups {
            for res in &resources {
                if names.is_empty() {
                    broken.push(PolicyRule {
                        api_groups: Some(vec![g.clone()]),
                        resources: Some(vec![res.clone()]),
                        verbs: r.verbs.clone(),
                        ..Default::default()
                    });
                } else {
                    for n in &names {
                        broken.push(PolicyRule {
                            api_groups: Some(vec![g.clone()]),
                            resources: Some(vec![res.clone()]),
                            resource_names: Some(vec![n.clone()]),
                            verbs: r.verbs.clone(),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        for u in r.non_resource_urls.iter().flatten() {
            broken.push(PolicyRule {
                non_resource_urls: Some(vec![u.clone()]),
                verbs: r.verbs.clone(),
                ..Default::default()
            });
        }
    }
    // Merge the verbs of "simple" rules: one group, one resource, at most
    // one name, no URLs.
    let mut compacted: Vec<PolicyRule> = Vec::new();
    // (group, resource, resource name) → the merged rule.
    type SimpleKey = (String, String, Option<String>);
    let mut simple: Vec<(SimpleKey, PolicyRule)> = Vec::new();
    for r in broken {
        let is_simple = r.non_resource_urls.as_ref().is_none_or(|u| u.is_empty())
            && r.api_groups.as_ref().map(|g| g.len()) == Some(1)
            && r.resources.as_ref().map(|g| g.len()) == Some(1);
        if !is_simple {
            compacted.push(r);
            continue;
        }
        let key = (
            r.api_groups.as_ref().unwrap()[0].clone(),
            r.resources.as_ref().unwrap()[0].clone(),
            r.resource_names.as_ref().and_then(|n| n.first().cloned()),
        );
        match simple.iter_mut().find(|(k, _)| *k == key) {
            Some((_, existing)) => {
                for v in &r.verbs {
                    if !existing.verbs.contains(v) {
                        existing.verbs.push(v.clone());
                    }
                }
            }
            None => simple.push((key, r)),
        }
    }
    compacted.extend(simple.into_iter().map(|(_, r)| r));
    let go = |v: &Option<Vec<String>>| go_list(&v.clone().unwrap_or_default());
    compacted.sort_by_key(|r| {
        format!(
            "&PolicyRule{{Verbs:{},APIGroups:{},Resources:{},ResourceNames:{},NonResourceURLs:{},}}",
            go_list(&r.verbs),
            go(&r.api_groups),
            go(&r.resources),
            go(&r.resource_names),
            go(&r.non_resource_urls)
        )
    });
    compacted
}

/// `CombineResourceGroup`: `pods`, `deployments.apps`, `pods/log`.
fn combine_resource_group(resources: &[String], groups: &[String]) -> String {
    let Some(first) = resources.first() else {
        return String::new();
    };
    let (res, sub) = match first.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (first.as_str(), None),
    };
    let mut out = res.to_string();
    if let Some(g) = groups.first().filter(|g| !g.is_empty()) {
        out = format!("{out}.{g}");
    }
    if let Some(s) = sub {
        out = format!("{out}/{s}");
    }
    out
}

/// `RoleDescriber` / `ClusterRoleDescriber`.
pub fn describe_role(meta: &ObjectMeta, rules: &[PolicyRule]) -> String {
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(LEVEL_0, "PolicyRule:\n");
    w.write(
        LEVEL_1,
        "Resources\tNon-Resource URLs\tResource Names\tVerbs\n",
    );
    w.write(
        LEVEL_1,
        "---------\t-----------------\t--------------\t-----\n",
    );
    for r in compact_rules(rules) {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\t{}\n",
                combine_resource_group(
                    r.resources.as_deref().unwrap_or(&[]),
                    r.api_groups.as_deref().unwrap_or(&[])
                ),
                go_list(&r.non_resource_urls.clone().unwrap_or_default()),
                go_list(&r.resource_names.clone().unwrap_or_default()),
                go_list(&r.verbs)
            ),
        );
    }
    w.finish()
}

/// `RoleBindingDescriber` / `ClusterRoleBindingDescriber`.
pub fn describe_binding(
    meta: &ObjectMeta,
    role_ref: &RoleRef,
    subjects: Option<&Vec<Subject>>,
) -> String {
    let mut w = PrefixWriter::new();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", meta.name.clone().unwrap_or_default()),
    );
    labels_multiline(&mut w, "Labels", meta.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", meta.annotations.as_ref());
    w.write(LEVEL_0, "Role:\n");
    w.write(LEVEL_1, &format!("Kind:\t{}\n", role_ref.kind));
    w.write(LEVEL_1, &format!("Name:\t{}\n", role_ref.name));
    w.write(LEVEL_0, "Subjects:\n");
    w.write(LEVEL_1, "Kind\tName\tNamespace\n");
    w.write(LEVEL_1, "----\t----\t---------\n");
    for s in subjects.into_iter().flatten() {
        w.write(
            LEVEL_1,
            &format!(
                "{}\t{}\t{}\n",
                s.kind,
                s.name,
                s.namespace.clone().unwrap_or_default()
            ),
        );
    }
    w.finish()
}

/// `describeHorizontalPodAutoscalerV2`.
pub fn describe_hpa(
    hpa: &HorizontalPodAutoscaler,
    ctx: &DescribeContext,
    now: jiff::Timestamp,
) -> String {
    let mut w = PrefixWriter::new();
    let spec = hpa.spec.clone().unwrap_or_default();
    let st = hpa.status.clone().unwrap_or_default();
    name_ns(&mut w, &hpa.metadata);
    labels_multiline(&mut w, "Labels", hpa.metadata.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", hpa.metadata.annotations.as_ref());
    w.write(
        LEVEL_0,
        &format!(
            "CreationTimestamp:\t{}\n",
            rfc1123z_opt(hpa.metadata.creation_timestamp.as_ref())
        ),
    );
    w.write(
        LEVEL_0,
        &format!(
            "Reference:\t{}/{}\n",
            spec.scale_target_ref.kind, spec.scale_target_ref.name
        ),
    );
    w.write(LEVEL_0, "Metrics:\t( current / target )\n");
    let statuses = st.current_metrics.clone().unwrap_or_default();
    let q = |v: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| match v {
        Some(v) => canonical_quantity(&v.0),
        None => "<nil>".into(),
    };
    for (i, m) in spec.metrics.iter().flatten().enumerate() {
        let status = statuses.get(i);
        match m.type_.as_str() {
            "Resource" | "ContainerResource" => {
                let (name, target, cur) = if m.type_ == "Resource" {
                    let Some(r) = &m.resource else { continue };
                    w.write(LEVEL_1, &format!("resource {} on pods", r.name));
                    (
                        r.name.clone(),
                        r.target.clone(),
                        status
                            .and_then(|s| s.resource.as_ref())
                            .map(|s| s.current.clone()),
                    )
                } else {
                    let Some(r) = &m.container_resource else {
                        continue;
                    };
                    w.write(
                        LEVEL_1,
                        &format!(
                            "resource {} of container \"{}\" on pods",
                            r.name, r.container
                        ),
                    );
                    (
                        r.name.clone(),
                        r.target.clone(),
                        status
                            .and_then(|s| s.container_resource.as_ref())
                            .map(|s| s.current.clone()),
                    )
                };
                let _ = name;
                if target.average_value.is_some() {
                    let current = cur
                        .map(|c| q(c.average_value.as_ref()))
                        .unwrap_or_else(|| "<unknown>".into());
                    w.write(
                        LEVEL_0,
                        &format!(":\t{current} / {}\n", q(target.average_value.as_ref())),
                    );
                } else {
                    let current = cur
                        .and_then(|c| {
                            c.average_utilization
                                .map(|u| format!("{u}% ({})", q(c.average_value.as_ref())))
                        })
                        .unwrap_or_else(|| "<unknown>".into());
                    let t = target
                        .average_utilization
                        .map(|u| format!("{u}%"))
                        .unwrap_or_else(|| "<auto>".into());
                    w.write(
                        LEVEL_1,
                        &format!("(as a percentage of request):\t{current} / {t}\n"),
                    );
                }
            }
            "Pods" => {
                let Some(p) = &m.pods else { continue };
                let current = status
                    .and_then(|s| s.pods.as_ref())
                    .map(|s| q(s.current.average_value.as_ref()))
                    .unwrap_or_else(|| "<unknown>".into());
                w.write(
                    LEVEL_1,
                    &format!(
                        "\"{}\" on pods:\t{current} / {}\n",
                        p.metric.name,
                        q(p.target.average_value.as_ref())
                    ),
                );
            }
            other => w.write(LEVEL_1, &format!("<unknown metric type \"{other}\">\n")),
        }
    }
    w.write(
        LEVEL_0,
        &format!(
            "Min replicas:\t{}\n",
            spec.min_replicas
                .map(|m| m.to_string())
                .unwrap_or_else(|| "<unset>".into())
        ),
    );
    w.write(LEVEL_0, &format!("Max replicas:\t{}\n", spec.max_replicas));
    w.write(LEVEL_0, &format!("{} pods:\t", spec.scale_target_ref.kind));
    w.write(
        LEVEL_0,
        &format!(
            "{} current / {} desired\n",
            st.current_replicas.unwrap_or(0),
            st.desired_replicas
        ),
    );
    if let Some(conds) = st.conditions.as_ref().filter(|c| !c.is_empty()) {
        w.write(LEVEL_0, "Conditions:\n");
        w.write(LEVEL_1, "Type\tStatus\tReason\tMessage\n");
        w.write(LEVEL_1, "----\t------\t------\t-------\n");
        for c in conds {
            w.write(
                LEVEL_1,
                &format!(
                    "{}\t{}\t{}\t{}\n",
                    c.type_,
                    c.status,
                    c.reason.clone().unwrap_or_default(),
                    c.message.clone().unwrap_or_default()
                ),
            );
        }
    }
    events(&mut w, ctx, now);
    w.finish()
}

/// fatih/camelcase `Split` + kubectl's `smartLabelFor`: `apiVersion` →
/// `API Version`, `creationTimestamp` → `Creation Timestamp`.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    #[derive(PartialEq, Clone, Copy)]
    enum Class {
        Lower,
        Upper,
        Other,
    }
    let class = |c: char| {
        if c.is_lowercase() {
            Class::Lower
        } else if c.is_uppercase() {
            Class::Upper
        } else {
            Class::Other
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last: Option<Class> = None;
    for c in field.chars() {
        let k = class(c);
        if Some(k) == last {
            runs.last_mut().unwrap().push(c);
        } else {
            runs.push(vec![c]);
        }
        last = Some(k);
    }
    // An upper-case run followed by a lower-case run gives its last letter
    // to the next run ("HTTPServer" → "HTTP", "Server").
    for i in 0..runs.len().saturating_sub(1) {
        if class(runs[i][0]) == Class::Upper && class(runs[i + 1][0]) == Class::Lower {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.retain(|r| !r.is_empty());
    runs.iter()
        .map(|r| r.iter().collect::<String>())
        .filter(|p| p != "_")
        .map(|p| {
            let up = p.to_uppercase();
            if ["API", "URL", "UID", "GUID"].contains(&up.as_str()) {
                up
            } else if p.to_lowercase() == p {
                let mut cs = p.chars();
                match cs.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + cs.as_str(),
                    None => p,
                }
            } else {
                p
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Go's `%v` of a JSON scalar.
fn go_scalar(v: &Value) -> String {
    crate::printers::output::gofmt::go_sprint(v)
}

fn unstructured(
    w: &mut PrefixWriter,
    level: usize,
    content: &serde_json::Map<String, Value>,
    prefix: &str,
    skip: &[&str],
) {
    let mut keys: Vec<&String> = content.keys().collect();
    keys.sort();
    for field in keys {
        let value = &content[field];
        let expr = format!("{prefix}.{field}");
        if skip.contains(&expr.as_str()) {
            continue;
        }
        match value {
            Value::Object(m) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                unstructured(w, level + 1, m, &expr, skip);
            }
            Value::Array(items) => {
                w.write(level, &format!("{}:\n", smart_label(field)));
                for item in items {
                    match item {
                        Value::Object(m) => unstructured(w, level + 1, m, &expr, skip),
                        other => w.write(level + 1, &format!("{}\n", go_scalar(other))),
                    }
                }
            }
            other => w.write(
                level,
                &format!("{}:\t{}\n", smart_label(field), go_scalar(other)),
            ),
        }
    }
}

/// The generic describer (`genericDescriber`): name, namespace, labels,
/// annotations, then every field of the object.
pub fn describe_generic(obj: &Object, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let m = obj.meta();
    name_ns(&mut w, m);
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    if let Value::Object(content) = obj.to_json() {
        unstructured(
            &mut w,
            LEVEL_0,
            &content,
            "",
            &[
                ".metadata.managedFields",
                ".metadata.name",
                ".metadata.namespace",
                ".metadata.labels",
                ".metadata.annotations",
            ],
        );
    }
    events(&mut w, ctx, now);
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("holderIdentity"), "Holder Identity");
        assert_eq!(
            smart_label("app.kubernetes.io/name"),
            "app.kubernetes.io/name"
        );
    }

    /// kubectl `rbac/rbac_test.go` CompactRules: verbs of the same resource
    /// are merged.
    #[test]
    fn role_rules_are_compacted() {
        let rules = vec![
            PolicyRule {
                api_groups: Some(vec!["".into()]),
                resources: Some(vec!["pods".into(), "services".into()]),
                verbs: vec!["get".into(), "list".into()],
                ..Default::default()
            },
            PolicyRule {
                api_groups: Some(vec!["".into()]),
                resources: Some(vec!["pods".into()]),
                verbs: vec!["watch".into()],
                ..Default::default()
            },
        ];
        let c = compact_rules(&rules);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].resources.as_ref().unwrap()[0], "pods");
        assert_eq!(c[0].verbs, vec!["get", "list", "watch"]);
    }
}
