//! The HorizontalPodAutoscaler table (`printHorizontalPodAutoscaler` and
//! `formatHPAMetrics` in `pkg/printers/internalversion/printers.go`).

use super::descriptions as d;
use super::format::canonical_quantity;
use super::{age_cell, Cell, Column};
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

pub fn columns() -> Vec<Column> {
    vec![
        Column::name_col(),
        Column::new("Reference", "string", d::HPA_REF),
        Column::new("Targets", "string", d::HPA_METRICS),
        Column::new("MinPods", "string", d::HPA_MIN),
        Column::new("MaxPods", "string", d::HPA_MAX),
        Column::new("Replicas", "string", d::HPA_CURRENT),
        Column::age(),
    ]
}

/// `(*Quantity).String()`, which prints `<nil>` for a nil quantity.
fn q(v: Option<&Quantity>) -> String {
    match v {
        Some(v) => canonical_quantity(&v.0),
        None => "<nil>".into(),
    }
}

fn one_metric(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    const UNKNOWN: &str = "<unknown>";
    match spec.type_.as_str() {
        "External" => {
            let Some(src) = &spec.external else {
                return "<unknown type>".into();
            };
            let cur = status.and_then(|s| s.external.as_ref()).map(|s| &s.current);
            if src.target.average_value.is_some() {
                let current = cur
                    .and_then(|c| c.average_value.as_ref())
                    .map(|v| q(Some(v)))
                    .unwrap_or_else(|| UNKNOWN.into());
                format!("{current}/{} (avg)", q(src.target.average_value.as_ref()))
            } else {
                let current = cur
                    .map(|c| q(c.value.as_ref()))
                    .unwrap_or_else(|| UNKNOWN.into());
                format!("{current}/{}", q(src.target.value.as_ref()))
            }
        }
        "Pods" => {
            let Some(src) = &spec.pods else {
                return "<unknown type>".into();
            };
            let current = status
                .and_then(|s| s.pods.as_ref())
                .map(|p| q(p.current.average_value.as_ref()))
                .unwrap_or_else(|| UNKNOWN.into());
            format!("{current}/{}", q(src.target.average_value.as_ref()))
        }
        "Object" => {
            let Some(src) = &spec.object else {
                return "<unknown type>".into();
            };
            let cur = status.and_then(|s| s.object.as_ref()).map(|s| &s.current);
            if src.target.average_value.is_some() {
                let current = cur
                    .and_then(|c| c.average_value.as_ref())
                    .map(|v| q(Some(v)))
                    .unwrap_or_else(|| UNKNOWN.into());
                format!("{current}/{} (avg)", q(src.target.average_value.as_ref()))
            } else {
                let current = cur
                    .map(|c| q(c.value.as_ref()))
                    .unwrap_or_else(|| UNKNOWN.into());
                format!("{current}/{}", q(src.target.value.as_ref()))
            }
        }
        "Resource" | "ContainerResource" => {
            let (name, target, current) = if spec.type_ == "Resource" {
                let Some(src) = &spec.resource else {
                    return "<unknown type>".into();
                };
                (
                    &src.name,
                    &src.target,
                    status.and_then(|s| s.resource.as_ref()).map(|s| &s.current),
                )
            } else {
                let Some(src) = &spec.container_resource else {
                    return "<unknown type>".into();
                };
                (
                    &src.name,
                    &src.target,
                    status
                        .and_then(|s| s.container_resource.as_ref())
                        .map(|s| &s.current),
                )
            };
            if target.average_value.is_some() {
                let current = current
                    .map(|c| q(c.average_value.as_ref()))
                    .unwrap_or_else(|| UNKNOWN.into());
                format!("{name}: {current}/{}", q(target.average_value.as_ref()))
            } else {
                let current = current
                    .and_then(|c| c.average_utilization)
                    .map(|u| format!("{u}%"))
                    .unwrap_or_else(|| UNKNOWN.into());
                let target = target
                    .average_utilization
                    .map(|u| format!("{u}%"))
                    .unwrap_or_else(|| "<auto>".into());
                format!("{name}: {current}/{target}")
            }
        }
        _ => "<unknown type>".into(),
    }
}

/// The TARGETS cell: one entry per spec metric (current values matched by
/// index), at most two, then ` + N more...`; `<none>` without metrics.
pub fn format_hpa_metrics(specs: &[MetricSpec], statuses: &[MetricStatus]) -> String {
    if specs.is_empty() {
        return "<none>".into();
    }
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, s)| one_metric(s, statuses.get(i)))
        .collect();
    let max = 2;
    if list.len() > max {
        format!("{} + {} more...", list[..max].join(", "), list.len() - max)
    } else {
        list.join(", ")
    }
}

pub fn cells(o: &HorizontalPodAutoscaler, now: jiff::Timestamp) -> Vec<Cell> {
    let spec = o.spec.clone().unwrap_or_default();
    let st = o.status.clone().unwrap_or_default();
    vec![
        Cell::Str(o.metadata.name.clone().unwrap_or_default()),
        Cell::Str(format!(
            "{}/{}",
            spec.scale_target_ref.kind, spec.scale_target_ref.name
        )),
        Cell::Str(format_hpa_metrics(
            spec.metrics.as_deref().unwrap_or(&[]),
            st.current_metrics.as_deref().unwrap_or(&[]),
        )),
        Cell::Str(
            spec.min_replicas
                .map(|m| m.to_string())
                .unwrap_or_else(|| "<unset>".into()),
        ),
        Cell::Int(spec.max_replicas as i64),
        Cell::Int(st.current_replicas.unwrap_or(0) as i64),
        age_cell(&o.metadata, now),
    ]
}
