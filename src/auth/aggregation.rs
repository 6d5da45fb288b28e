//! ClusterRole aggregation, after
//! `pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go`:
//! a ClusterRole with an `aggregationRule` gets, as its rules, the rules of
//! every other ClusterRole whose labels match one of its selectors, in the
//! order of the roles' names, duplicates dropped. `edit` aggregates `view`
//! (labelled aggregate-to-edit), and `admin` aggregates `edit`, so the
//! computation repeats until nothing changes.

use crate::objects::selectors::Selector;
use k8s_openapi::api::rbac::v1::{ClusterRole, PolicyRule};

/// The rules `role` aggregates from `all`, or None when it has no
/// aggregationRule.
pub fn aggregated_rules(role: &ClusterRole, all: &[ClusterRole]) -> Option<Vec<PolicyRule>> {
    let selectors = role
        .aggregation_rule
        .as_ref()?
        .cluster_role_selectors
        .as_ref()?;
    let selectors: Vec<Selector> = selectors
        .iter()
        .map(Selector::from_label_selector)
        .collect();
    let mut sources: Vec<&ClusterRole> = all
        .iter()
        .filter(|r| r.metadata.name != role.metadata.name)
        .filter(|r| {
            selectors
                .iter()
                .any(|s| !s.is_empty() && s.matches_opt(r.metadata.labels.as_ref()))
        })
        .collect();
    sources.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    let mut rules: Vec<PolicyRule> = Vec::new();
    for r in sources {
        for rule in r.rules.iter().flatten() {
            if !rules.contains(rule) {
                rules.push(rule.clone());
            }
        }
    }
    Some(rules)
}

/// Fills the rules of every aggregated role in `roles`, to a fixed point
/// (aggregated roles may aggregate each other).
pub fn aggregate_all(roles: &mut [ClusterRole]) {
    for _ in 0..roles.len() {
        let snapshot = roles.to_vec();
        let mut changed = false;
        for role in roles.iter_mut() {
            if let Some(rules) = aggregated_rules(role, &snapshot) {
                if role.rules.as_ref() != Some(&rules) {
                    role.rules = Some(rules);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::bootstrap_policy::cluster_roles;

    fn rules_of<'a>(roles: &'a [ClusterRole], name: &str) -> &'a [PolicyRule] {
        roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .and_then(|r| r.rules.as_deref())
            .unwrap()
    }

    #[test]
    fn view_is_contained_in_edit_which_is_contained_in_admin() {
        let mut roles = cluster_roles();
        aggregate_all(&mut roles);
        let view = rules_of(&roles, "view");
        let edit = rules_of(&roles, "edit");
        let admin = rules_of(&roles, "admin");
        assert!(!view.is_empty());
        assert!(view.iter().all(|r| edit.contains(r)));
        assert!(edit.iter().all(|r| admin.contains(r)));
        assert!(edit.len() > view.len() && admin.len() > edit.len());
        // view cannot read secrets; edit can.
        let reads_secrets = |rules: &[PolicyRule]| {
            rules.iter().any(|r| {
                r.resources.iter().flatten().any(|x| x == "secrets")
                    && r.verbs.iter().any(|v| v == "get")
            })
        };
        assert!(!reads_secrets(view));
        assert!(reads_secrets(edit));
    }
}
