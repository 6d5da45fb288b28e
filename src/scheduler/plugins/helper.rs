//! Shared matching rules: tolerations against taints
//! (`k8s.io/api/core/v1/toleration.go` ToleratesTaint,
//! `component-helpers/scheduling/corev1/helpers.go`) and node selector terms
//! (`component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go`).

use crate::scheduler::node_info::NodeInfo;
use crate::scheduler::pod_info::PodInfo;
use k8s_openapi::api::core::v1::{
    NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration,
};
use std::collections::BTreeMap;

/// `Toleration.ToleratesTaint`.
pub fn tolerates(t: &Toleration, taint: &Taint) -> bool {
    let effect = t.effect.as_deref().unwrap_or("");
    if !effect.is_empty() && effect != taint.effect {
        return false;
    }
    let key = t.key.as_deref().unwrap_or("");
    if !key.is_empty() && key != taint.key {
        return false;
    }
    match t.operator.as_deref().unwrap_or("") {
        "" | "Equal" => t.value.as_deref().unwrap_or("") == taint.value.as_deref().unwrap_or(""),
        "Exists" => true,
        _ => false,
    }
}

/// `TolerationsTolerateTaint`.
pub fn tolerations_tolerate(tols: &[Toleration], taint: &Taint) -> bool {
    tols.iter().any(|t| tolerates(t, taint))
}

/// `FindMatchingUntoleratedTaint`: the first taint passing `filter` that
/// no toleration tolerates.
pub fn find_untolerated_taint<'a>(
    taints: &'a [Taint],
    tols: &[Toleration],
    filter: impl Fn(&Taint) -> bool,
) -> Option<&'a Taint> {
    taints
        .iter()
        .filter(|t| filter(t))
        .find(|t| !tolerations_tolerate(tols, t))
}

fn requirement_matches(r: &NodeSelectorRequirement, labels: &BTreeMap<String, String>) -> bool {
    let vals = r.values.as_deref().unwrap_or(&[]);
    let v = labels.get(&r.key);
    match r.operator.as_str() {
        "In" => v.is_some_and(|v| vals.contains(v)),
        "NotIn" => v.is_none_or(|v| !vals.contains(v)),
        "Exists" => v.is_some(),
        "DoesNotExist" => v.is_none(),
        "Gt" | "Lt" => {
            let (Some(v), Some(want)) = (v, vals.first()) else {
                return false;
            };
            match (v.parse::<i64>(), want.parse::<i64>()) {
                (Ok(a), Ok(b)) => {
                    if r.operator == "Gt" {
                        a > b
                    } else {
                        a < b
                    }
                }
                _ => false,
            }
        }
        _ => false,
    }
}

fn field_matches(r: &NodeSelectorRequirement, node_name: &str) -> bool {
    if r.key != "metadata.name" {
        return false;
    }
    let vals = r.values.as_deref().unwrap_or(&[]);
    match r.operator.as_str() {
        "In" => vals.len() == 1 && vals[0] == node_name,
        "NotIn" => vals.len() == 1 && vals[0] != node_name,
        _ => false,
    }
}

/// One node selector term: expressions and fields ANDed; an empty term
/// matches nothing.
pub fn term_matches(term: &NodeSelectorTerm, node: &NodeInfo) -> bool {
    let exprs = term.match_expressions.as_deref().unwrap_or(&[]);
    let fields = term.match_fields.as_deref().unwrap_or(&[]);
    if exprs.is_empty() && fields.is_empty() {
        return false;
    }
    exprs.iter().all(|r| requirement_matches(r, &node.labels))
        && fields.iter().all(|r| field_matches(r, &node.name))
}

/// A NodeSelector: terms ORed.
pub fn node_selector_matches(sel: &NodeSelector, node: &NodeInfo) -> bool {
    sel.node_selector_terms
        .iter()
        .any(|t| term_matches(t, node))
}

/// `GetRequiredNodeAffinity(pod).Match(node)`: nodeSelector pairs and the
/// required node affinity terms.
pub fn pod_matches_node_affinity(pod: &PodInfo, node: &NodeInfo) -> bool {
    if !pod
        .node_selector
        .iter()
        .all(|(k, v)| node.labels.get(k) == Some(v))
    {
        return false;
    }
    match &pod.required_node_affinity {
        Some(sel) => node_selector_matches(sel, node),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tol(v: serde_json::Value) -> Toleration {
        serde_json::from_value(v).unwrap()
    }
    fn taint(k: &str, v: &str, e: &str) -> Taint {
        Taint {
            key: k.into(),
            value: Some(v.into()).filter(|s: &String| !s.is_empty()),
            effect: e.into(),
            time_added: None,
        }
    }

    /// k8s.io/api/core/v1/toleration_test.go TestTolerationToleratesTaint.
    #[test]
    fn toleration_matching_table() {
        let cases = [
            (
                json!({"key": "foo", "operator": "Exists", "effect": "NoSchedule"}),
                taint("foo", "bar", "NoSchedule"),
                true,
            ),
            (
                json!({"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
                taint("foo", "bar", "NoSchedule"),
                true,
            ),
            (
                json!({"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
                taint("foo", "baz", "NoSchedule"),
                false,
            ),
            (
                json!({"key": "foo", "operator": "Equal", "value": "bar"}),
                taint("foo", "bar", "NoExecute"),
                true,
            ),
            (
                json!({"key": "foo", "operator": "Equal", "value": "bar", "effect": "NoSchedule"}),
                taint("foo", "bar", "NoExecute"),
                false,
            ),
            (
                json!({"operator": "Exists"}),
                taint("any", "thing", "NoSchedule"),
                true,
            ),
            (
                json!({"key": "foo", "value": "bar", "effect": "NoSchedule"}),
                taint("foo", "bar", "NoSchedule"),
                true,
            ),
            (
                json!({"key": "other", "operator": "Exists"}),
                taint("foo", "", "NoSchedule"),
                false,
            ),
        ];
        for (t, ta, want) in cases {
            assert_eq!(tolerates(&tol(t.clone()), &ta), want, "{t} vs {ta:?}");
        }
    }

    /// nodeaffinity_test.go TestNodeSelectorRequirementsAsSelector-style:
    /// each operator, and Gt/Lt on integers.
    #[test]
    fn node_selector_operators() {
        let node = NodeInfo {
            name: "n1".into(),
            labels: BTreeMap::from([
                ("zone".to_string(), "a".to_string()),
                ("cores".to_string(), "8".to_string()),
            ]),
            ..Default::default()
        };
        let term =
            |e: serde_json::Value| -> NodeSelectorTerm { serde_json::from_value(e).unwrap() };
        for (t, want) in [
            (
                json!({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a", "b"]}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}),
                false,
            ),
            (
                json!({"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["4"]}]}),
                true,
            ),
            (
                json!({"matchExpressions": [{"key": "cores", "operator": "Lt", "values": ["4"]}]}),
                false,
            ),
            (
                json!({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}),
                true,
            ),
            (json!({}), false),
        ] {
            assert_eq!(term_matches(&term(t.clone()), &node), want, "{t}");
        }
    }
}
