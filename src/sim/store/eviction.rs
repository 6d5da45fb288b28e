//! The eviction subresource (`POST pods/NAME/eviction`), PDB-aware, as
//! `pkg/registry/core/pod/storage/eviction.go` does it: used by
//! `kubectl drain` and the HTTP API.

use super::{ApiError, DeleteOptions, Reason, Store};
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// `intstr.GetScaledValueFromIntOrPercent`, rounding up.
fn scaled(v: &IntOrString, total: i32) -> i32 {
    match v {
        IntOrString::Int(n) => *n,
        IntOrString::String(s) => {
            let pct: i32 = s.trim_end_matches('%').parse().unwrap_or(0);
            (pct * total + 99) / 100
        }
    }
}

impl Store {
    /// Evicts a pod: refuses with 429 when a PodDisruptionBudget would be
    /// violated, else marks it (DisruptionTarget) and deletes it gracefully.
    pub fn evict(&mut self, ns: &str, name: &str, opts: &DeleteOptions) -> Result<(), ApiError> {
        let pod = self
            .get_as::<Pod>(ns, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(Kind::Pod, name))?;
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("");
        // Terminal or already terminating pods need no budget.
        if phase == "Succeeded" || phase == "Failed" || pod.metadata.deletion_timestamp.is_some() {
            self.delete(Kind::Pod, ns, name, opts)?;
            return Ok(());
        }
        let labels = pod.metadata.labels.clone().unwrap_or_default();
        let pdbs: Vec<PodDisruptionBudget> = self
            .list_as::<PodDisruptionBudget>(Some(ns))
            .filter(|b| {
                b.spec
                    .as_ref()
                    .and_then(|s| s.selector.as_ref())
                    .is_some_and(|sel| {
                        let s = Selector::from_label_selector(sel);
                        !s.is_empty() && s.matches(&labels)
                    })
            })
            .cloned()
            .collect();
        if pdbs.len() > 1 {
            return Err(ApiError::new(
                Reason::InternalError,
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            ));
        }
        if let Some(pdb) = pdbs.first() {
            let spec = pdb.spec.clone().unwrap_or_default();
            let sel = Selector::from_label_selector(&spec.selector.clone().unwrap_or_default());
            let matched: Vec<&Pod> = self
                .list_as::<Pod>(Some(ns))
                .filter(|p| sel.matches(p.metadata.labels.as_ref().unwrap_or(&Default::default())))
                .filter(|p| {
                    let ph = p
                        .status
                        .as_ref()
                        .and_then(|s| s.phase.as_deref())
                        .unwrap_or("");
                    ph != "Succeeded" && ph != "Failed"
                })
                .collect();
            let expected = matched.len() as i32;
            let healthy = matched
                .iter()
                .filter(|p| is_ready(p) && p.metadata.deletion_timestamp.is_none())
                .count() as i32;
            let desired = match (&spec.min_available, &spec.max_unavailable) {
                (Some(m), _) => scaled(m, expected),
                (None, Some(u)) => expected - scaled(u, expected),
                _ => 0,
            };
            let allowed = healthy - desired;
            // An unready pod may go while the budget is met (IfHealthyBudget).
            let ok = if is_ready(&pod) {
                allowed > 0
            } else {
                allowed >= 0
            };
            if !ok {
                let pdb_name = pdb.metadata.name.clone().unwrap_or_default();
                let mut e = ApiError::new(
                    Reason::TooManyRequests,
                    "Cannot evict pod as it would violate the pod's disruption budget.",
                );
                e.causes.push(super::FieldError {
                    field: String::new(),
                    kind: super::error::FieldErrorType::Invalid(String::new()),
                    detail: format!(
                        "The disruption budget {pdb_name} needs {desired} healthy pods and has {healthy} currently"
                    ),
                });
                return Err(e);
            }
        }
        if opts.dry_run {
            return Ok(());
        }
        let ts = self.timestamp_secs();
        let _ = self.modify::<Pod>(ns, name, true, |p| {
            let st = p.status.get_or_insert_with(Default::default);
            super::set_pod_condition(
                st,
                "DisruptionTarget",
                "True",
                Some("EvictionByEvictionAPI"),
                ts,
            );
            if let Some(c) = st
                .conditions
                .iter_mut()
                .flatten()
                .find(|c| c.type_ == "DisruptionTarget")
            {
                c.message = Some("Eviction API: evicting".into());
            }
        });
        self.delete(Kind::Pod, ns, name, opts)?;
        let _ = Object::Pod(pod);
        Ok(())
    }
}
