//! The ClusterRole aggregation controller, after
//! `pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go`:
//! whenever a ClusterRole changes, every ClusterRole with an
//! `aggregationRule` is reconciled, and its rules are set to the union of
//! the rules of the roles its selectors pick (see [`crate::auth::aggregation`]).
//! So `kubectl create clusterrole x --verb=get --resource=pods` with label
//! `rbac.authorization.k8s.io/aggregate-to-view=true` widens `view`.

use super::{Action, Controller, Ctx, Enqueue};
use crate::auth::aggregation::aggregated_rules;
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{Store, WatchEvent, WriteOptions};
use k8s_openapi::api::rbac::v1::ClusterRole;
use std::any::Any;

#[derive(Default)]
pub struct ClusterRoleAggregationController;

impl ClusterRoleAggregationController {
    pub fn new() -> Self {
        ClusterRoleAggregationController
    }
}

impl Controller for ClusterRoleAggregationController {
    fn name(&self) -> &'static str {
        "clusterrole-aggregation-controller"
    }

    fn on_change(&mut self, ev: &WatchEvent, store: &Store, q: &mut Enqueue) {
        if ev.object.kind() != Kind::ClusterRole {
            return;
        }
        // Any role's labels or rules may feed any aggregated role.
        for r in store.list_as::<ClusterRole>(None) {
            if r.aggregation_rule.is_some() {
                q.add(r.metadata.name.clone().unwrap_or_default());
            }
        }
    }

    fn reconcile(&mut self, key: &str, ctx: &mut Ctx) -> Action {
        let all: Vec<ClusterRole> = ctx.store.list_as::<ClusterRole>(None).cloned().collect();
        let Some(role) = all.iter().find(|r| r.metadata.name.as_deref() == Some(key)) else {
            return Action::AwaitChange;
        };
        let Some(rules) = aggregated_rules(role, &all) else {
            return Action::AwaitChange;
        };
        if role.rules.as_ref() != Some(&rules) {
            let mut updated = role.clone();
            updated.rules = Some(rules);
            // A conflict means a newer version exists: its change event
            // enqueues this role again.
            let _ = ctx
                .store
                .update(Object::ClusterRole(updated), &WriteOptions::default());
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
