//! `kubectl create namespace|priorityclass|quota|poddisruptionbudget`
//! (`create_namespace.go`, `create_priorityclass.go`, `create_quota.go`,
//! `create_pdb.go`).

use super::{create_flags, enforced_namespace, finish, name_arg};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::kubectl::Ctx;
use crate::cli::output::Output;
use crate::objects::Object;
use k8s_openapi::api::core::v1::{
    Namespace, NamespaceSpec, NamespaceStatus, ResourceQuota, ResourceQuotaSpec,
    ResourceQuotaStatus,
};
use k8s_openapi::api::policy::v1::{
    PodDisruptionBudget, PodDisruptionBudgetSpec, PodDisruptionBudgetStatus,
};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub const NAMESPACE_FLAGS: &[FlagSpec] = create_flags!();
pub const PRIORITYCLASS_FLAGS: &[FlagSpec] = create_flags!(
    flag("value", None, true, "the value of this priority class.").default("0"),
    flag("global-default", None, false, "global-default specifies whether this PriorityClass should be considered as the default priority."),
    flag("description", None, true, "description is an arbitrary string that usually provides guidelines on when this priority class should be used."),
    flag("preemption-policy", None, true, "preemption-policy is the policy for preempting pods with lower priority.").default("'PreemptLowerPriority'"),
);
pub const QUOTA_FLAGS: &[FlagSpec] = create_flags!(
    flag("hard", None, true, "A comma-delimited set of resource=quantity pairs that define a hard limit."),
    flag("scopes", None, true, "A comma-delimited set of quota scopes that must all match each object tracked by the quota."),
);
pub const PDB_FLAGS: &[FlagSpec] = create_flags!(
    flag("selector", None, true, "A label selector to use for this budget. Only equality-based selector requirements are supported."),
    flag("min-available", None, true, "The minimum number or percentage of available pods this budget requires."),
    flag("max-unavailable", None, true, "The maximum number or percentage of unavailable pods this budget requires."),
);

pub fn namespace(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        spec: Some(NamespaceSpec::default()),
        status: Some(NamespaceStatus::default()),
    };
    finish(ctx, Object::Namespace(ns), None)
}

pub fn priorityclass(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let value: i32 = match ctx.args.get("value").map(str::parse).transpose() {
        Ok(v) => v.unwrap_or(0),
        Err(_) => return Output::error("invalid argument for --value"),
    };
    let policy = ctx
        .args
        .get("preemption-policy")
        .unwrap_or("PreemptLowerPriority")
        .to_string();
    let pc = PriorityClass {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        value,
        global_default: ctx.args.bool("global-default").then_some(true),
        description: ctx
            .args
            .get("description")
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        preemption_policy: Some(policy),
    };
    finish(ctx, Object::PriorityClass(pc), Some("priorityclass"))
}

pub fn quota(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let mut hard = BTreeMap::new();
    for kv in ctx
        .args
        .get("hard")
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
    {
        let Some((k, v)) = kv.split_once('=') else {
            return Output::error(format!("invalid input {kv}; must be of the form key=value"));
        };
        if crate::objects::quantity::parse_quantity(v).is_err() {
            return Output::error("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".to_string());
        }
        hard.insert(k.to_string(), Quantity(v.to_string()));
    }
    let scopes: Vec<String> = ctx
        .args
        .get("scopes")
        .unwrap_or("")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let q = ResourceQuota {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: enforced_namespace(ctx),
            ..Default::default()
        },
        spec: Some(ResourceQuotaSpec {
            hard: if hard.is_empty() { None } else { Some(hard) },
            scopes: if scopes.is_empty() {
                None
            } else {
                Some(scopes)
            },
            scope_selector: None,
        }),
        status: Some(ResourceQuotaStatus::default()),
    };
    finish(ctx, Object::ResourceQuota(q), Some("quota"))
}

pub fn pdb(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let Some(sel) = ctx.args.get("selector").map(str::to_string) else {
        return Output::error("a selector must be specified");
    };
    let parse = |v: &str| match v.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(v.to_string()),
    };
    let min = ctx.args.get("min-available").map(parse);
    let max = ctx.args.get("max-unavailable").map(parse);
    if min.is_some() == max.is_some() {
        return Output::error("one of min-available or max-unavailable must be specified");
    }
    let mut labels = BTreeMap::new();
    for kv in sel.split(',') {
        match kv.split_once('=') {
            Some((k, v)) => {
                labels.insert(k.to_string(), v.to_string());
            }
            None => return Output::error(format!("invalid selector: {sel}")),
        }
    }
    let p = PodDisruptionBudget {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: enforced_namespace(ctx),
            ..Default::default()
        },
        spec: Some(PodDisruptionBudgetSpec {
            selector: Some(LabelSelector {
                match_labels: Some(labels),
                match_expressions: None,
            }),
            min_available: min,
            max_unavailable: max,
            unhealthy_pod_eviction_policy: None,
        }),
        status: Some(PodDisruptionBudgetStatus::default()),
    };
    finish(
        ctx,
        Object::PodDisruptionBudget(p),
        Some("poddisruptionbudgets"),
    )
}
