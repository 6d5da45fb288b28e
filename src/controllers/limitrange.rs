//! LimitRange admission, after `plugin/pkg/admission/limitranger/
//! admission.go`: container defaults on create (mutating, with the
//! `kubernetes.io/limit-ranger` annotation) and min/max checks (validating),
//! plus the API defaulting of LimitRange items
//! (`pkg/apis/core/v1/defaults.go` `SetDefaults_LimitRangeItem`).

use crate::objects::kinds::Object;
use crate::objects::quantity::amount;
use crate::sim::store::{ApiError, Reason, Store};
use k8s_openapi::api::core::v1::{Container, LimitRange, LimitRangeItem, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

pub const ANNOTATION: &str = "kubernetes.io/limit-ranger";

/// `SetDefaults_LimitRangeItem`: a Container item's default limit falls
/// back to max, its default request to the default limit, then to min.
pub fn set_defaults(lr: &mut LimitRange) {
    for item in lr.spec.iter_mut().flat_map(|s| s.limits.iter_mut()) {
        if item.type_ != "Container" {
            continue;
        }
        let default = item.default.get_or_insert_with(BTreeMap::new);
        for (k, v) in item.max.iter().flatten() {
            default.entry(k.clone()).or_insert_with(|| v.clone());
        }
        let default = default.clone();
        let dr = item.default_request.get_or_insert_with(BTreeMap::new);
        for (k, v) in &default {
            dr.entry(k.clone()).or_insert_with(|| v.clone());
        }
        for (k, v) in item.min.iter().flatten() {
            dr.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
}

fn container_items(store: &Store, ns: &str) -> Vec<LimitRangeItem> {
    store
        .list_as::<LimitRange>(Some(ns))
        .flat_map(|lr| lr.spec.iter().flat_map(|s| s.limits.clone()))
        .filter(|i| i.type_ == "Container")
        .collect()
}

/// `mergeContainerResources`: fills what the container does not state and
/// describes it for the annotation.
fn merge(
    c: &mut Container,
    defaults: &ResourceRequirements,
    prefix: &str,
    notes: &mut Vec<String>,
) {
    let res = c.resources.get_or_insert_with(Default::default);
    let mut set_limits: Vec<String> = Vec::new();
    let mut set_requests: Vec<String> = Vec::new();
    for (k, v) in defaults.limits.iter().flatten() {
        let l = res.limits.get_or_insert_with(BTreeMap::new);
        if !l.contains_key(k) {
            l.insert(k.clone(), v.clone());
            set_limits.push(k.clone());
        }
    }
    for (k, v) in defaults.requests.iter().flatten() {
        let r = res.requests.get_or_insert_with(BTreeMap::new);
        if !r.contains_key(k) {
            r.insert(k.clone(), v.clone());
            set_requests.push(k.clone());
        }
    }
    if res.limits.as_ref().is_some_and(|l| l.is_empty()) {
        res.limits = None;
    }
    if res.requests.as_ref().is_some_and(|l| l.is_empty()) {
        res.requests = None;
    }
    if !set_requests.is_empty() {
        set_requests.sort();
        notes.push(format!(
            "{} request for {prefix} {}",
            set_requests.join(", "),
            c.name
        ));
    }
    if !set_limits.is_empty() {
        set_limits.sort();
        notes.push(format!(
            "{} limit for {prefix} {}",
            set_limits.join(", "),
            c.name
        ));
    }
}

/// Mutating admission on pod create: container defaults from the
/// namespace's LimitRanges.
pub fn admit_limit_ranges(store: &Store, obj: &mut Object) -> Result<(), ApiError> {
    match obj {
        Object::LimitRange(lr) => {
            set_defaults(lr);
            Ok(())
        }
        Object::Pod(pod) => {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let items = container_items(store, &ns);
            if items.is_empty() {
                return Ok(());
            }
            let mut defaults = ResourceRequirements::default();
            for i in &items {
                let mut i = i.clone();
                let mut lr = LimitRange {
                    spec: Some(k8s_openapi::api::core::v1::LimitRangeSpec {
                        limits: vec![i.clone()],
                    }),
                    ..Default::default()
                };
                set_defaults(&mut lr);
                i = lr.spec.unwrap().limits.remove(0);
                for (k, v) in i.default_request.iter().flatten() {
                    defaults
                        .requests
                        .get_or_insert_with(BTreeMap::new)
                        .insert(k.clone(), v.clone());
                }
                for (k, v) in i.default.iter().flatten() {
                    defaults
                        .limits
                        .get_or_insert_with(BTreeMap::new)
                        .insert(k.clone(), v.clone());
                }
            }
            let mut notes = Vec::new();
            if let Some(spec) = pod.spec.as_mut() {
                for c in spec.containers.iter_mut() {
                    merge(c, &defaults, "container", &mut notes);
                }
                for c in spec.init_containers.iter_mut().flatten() {
                    merge(c, &defaults, "init container", &mut notes);
                }
            }
            if !notes.is_empty() {
                pod.metadata
                    .annotations
                    .get_or_insert_with(BTreeMap::new)
                    .insert(
                        ANNOTATION.into(),
                        format!("LimitRanger plugin set: {}", notes.join("; ")),
                    );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn get<'a>(m: &'a Option<BTreeMap<String, Quantity>>, k: &str) -> Option<&'a Quantity> {
    m.as_ref().and_then(|m| m.get(k))
}

/// Validating admission on pod create: `minConstraint` / `maxConstraint`
/// per container, aggregated like `utilerrors.NewAggregate`.
pub fn validate_limit_ranges(store: &Store, obj: &Object) -> Result<(), ApiError> {
    let Object::Pod(pod) = obj else {
        return Ok(());
    };
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let items = container_items(store, &ns);
    if items.is_empty() {
        return Ok(());
    }
    let mut errs = Vec::new();
    let spec = pod.spec.clone().unwrap_or_default();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        let res = c.resources.clone().unwrap_or_default();
        for i in &items {
            for (k, min) in i.min.iter().flatten() {
                let (req, lim) = (get(&res.requests, k), get(&res.limits, k));
                match req {
                    None => errs.push(format!(
                        "minimum {k} usage per Container is {}.  No request is specified",
                        min.0
                    )),
                    Some(r) if amount(r) < amount(min) => errs.push(format!(
                        "minimum {k} usage per Container is {}, but request is {}",
                        min.0, r.0
                    )),
                    _ => {
                        if let Some(l) = lim.filter(|l| amount(l) < amount(min)) {
                            errs.push(format!(
                                "minimum {k} usage per Container is {}, but limit is {}",
                                min.0, l.0
                            ));
                        }
                    }
                }
            }
            for (k, max) in i.max.iter().flatten() {
                let (req, lim) = (get(&res.requests, k), get(&res.limits, k));
                match lim {
                    None => errs.push(format!(
                        "maximum {k} usage per Container is {}.  No limit is specified",
                        max.0
                    )),
                    Some(l) if amount(l) > amount(max) => errs.push(format!(
                        "maximum {k} usage per Container is {}, but limit is {}",
                        max.0, l.0
                    )),
                    _ => {
                        if let Some(r) = req.filter(|r| amount(r) > amount(max)) {
                            errs.push(format!(
                                "maximum {k} usage per Container is {}, but request is {}",
                                max.0, r.0
                            ));
                        }
                    }
                }
            }
        }
    }
    if errs.is_empty() {
        return Ok(());
    }
    let msg = if errs.len() == 1 {
        errs.remove(0)
    } else {
        format!("[{}]", errs.join(", "))
    };
    Err(ApiError::new(
        Reason::Forbidden,
        format!(
            "pods \"{}\" is forbidden: {msg}",
            pod.metadata.name.as_deref().unwrap_or("")
        ),
    ))
}
