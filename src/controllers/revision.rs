//! ControllerRevision history shared by the DaemonSet and StatefulSet
//! controllers, after `pkg/controller/history/controller_history.go`
//! (`NewControllerRevision`, `HashControllerRevision`, `AdoptControllerRevision`)
//! and the two controllers' `getPatch`, `ApplyRevision`, `cleanupHistory` /
//! `truncateHistory`. The controllers keep what differs: which hash names a
//! revision (DaemonSet: `ComputeHash` of the template; StatefulSet:
//! `HashControllerRevision` of the patch) and which revisions are live.

use super::util;
use super::Ctx;
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::WriteOptions;
use k8s_openapi::api::apps::v1::ControllerRevision;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::runtime::RawExtension;
use serde_json::{json, Value};

/// The label both controllers put on revisions and pods.
pub const REVISION_HASH_LABEL: &str = "controller-revision-hash";

/// `getPatch`: the revision data `{"spec":{"template":{...,"$patch":
/// "replace"}}}`, keys sorted as Go's `json.Marshal` writes them.
pub fn template_patch(template: &PodTemplateSpec) -> Value {
    let mut t = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut t {
        m.insert("$patch".into(), json!("replace"));
    }
    util::sorted_json(&json!({"spec": {"template": t}}))
}

/// The pod template a revision's patch restores (`ApplyRevision`, and what
/// `kubectl rollout undo` applies).
pub fn template_of(rev: &ControllerRevision) -> PodTemplateSpec {
    let mut t = rev
        .data
        .as_ref()
        .map(|d| d.0["spec"]["template"].clone())
        .unwrap_or_default();
    if let Some(m) = t.as_object_mut() {
        m.remove("$patch");
    }
    serde_json::from_value(t).unwrap_or_default()
}

/// `history.HashControllerRevision`: FNV-32 (not 1a) of the data, then the
/// collision count in decimal, safe-encoded.
pub fn hash_revision(data: &Value, collision_count: Option<i32>) -> String {
    let mut bytes = serde_json::to_vec(data).unwrap_or_default();
    if let Some(c) = collision_count {
        bytes.extend_from_slice(c.to_string().as_bytes());
    }
    util::safe_encode_string(&util::fnv32(&bytes).to_string())
}

/// `history.NewControllerRevision`: `<owner>-<hash>` with the template's
/// labels plus the hash label, the owner's annotations and a controller
/// reference to the owner.
pub fn new_revision(
    kind: Kind,
    owner: &ObjectMeta,
    template: &PodTemplateSpec,
    hash: &str,
    data: Value,
    revision: i64,
) -> ControllerRevision {
    let mut labels = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.clone())
        .unwrap_or_default();
    labels.insert(REVISION_HASH_LABEL.into(), hash.to_string());
    ControllerRevision {
        metadata: ObjectMeta {
            name: Some(format!("{}-{hash}", owner.name.as_deref().unwrap_or(""))),
            namespace: owner.namespace.clone(),
            labels: Some(labels),
            annotations: owner.annotations.clone(),
            owner_references: Some(vec![util::new_controller_ref(kind, owner)]),
            ..Default::default()
        },
        data: Some(RawExtension(data)),
        revision,
    }
}

fn as_revision(o: &Object) -> Option<ControllerRevision> {
    match o {
        Object::ControllerRevision(c) => Some(c.clone()),
        _ => None,
    }
}

/// Writes `rev` back (last write wins) and returns what the store holds.
pub fn update(ctx: &mut Ctx, mut rev: ControllerRevision) -> ControllerRevision {
    rev.metadata.resource_version = None;
    match ctx.store.update(
        Object::ControllerRevision(rev.clone()),
        &WriteOptions::default(),
    ) {
        Ok(o) => as_revision(&o).unwrap_or(rev),
        Err(_) => rev,
    }
}

/// Creates `rev`; None when the store refused it.
pub fn create(ctx: &mut Ctx, rev: ControllerRevision) -> Option<ControllerRevision> {
    ctx.store
        .create(Object::ControllerRevision(rev), &WriteOptions::default())
        .ok()
        .and_then(|o| as_revision(&o))
}

/// The owner's revisions, adopting orphans its selector matches
/// (`ControllerRefManager.ClaimControllerRevisions` with
/// `AdoptControllerRevision`; an owner being deleted adopts nothing),
/// sorted by revision then name.
pub fn claim(
    ctx: &mut Ctx,
    kind: Kind,
    owner: &ObjectMeta,
    selector: Option<&LabelSelector>,
) -> Vec<ControllerRevision> {
    let ns = owner.namespace.clone().unwrap_or_default();
    let uid = owner.uid.clone().unwrap_or_default();
    let all: Vec<ControllerRevision> = ctx
        .store
        .list_as::<ControllerRevision>(Some(&ns))
        .cloned()
        .collect();
    let mut out = Vec::new();
    for mut h in all {
        if util::is_controlled_by(&h.metadata, &uid) {
            out.push(h);
        } else if util::controller_of(&h.metadata).is_none()
            && util::selector_matches(selector, h.metadata.labels.as_ref())
            && owner.deletion_timestamp.is_none()
        {
            h.metadata
                .owner_references
                .get_or_insert_with(Vec::new)
                .push(util::new_controller_ref(kind, owner));
            out.push(update(ctx, h));
        }
    }
    out.sort_by(|a, b| {
        a.revision
            .cmp(&b.revision)
            .then(a.metadata.name.cmp(&b.metadata.name))
    });
    out
}

/// Deletes up to `count` revisions, oldest first, skipping the live ones
/// (the loop of `cleanupHistory` and `truncateHistory`).
pub fn delete_oldest(
    ctx: &mut Ctx,
    mut revisions: Vec<ControllerRevision>,
    live: impl Fn(&ControllerRevision) -> bool,
    mut count: usize,
) {
    revisions.sort_by_key(|h| h.revision);
    for h in revisions {
        if count == 0 {
            break;
        }
        if live(&h) {
            continue;
        }
        let _ = ctx.store.delete(
            Kind::ControllerRevision,
            h.metadata.namespace.as_deref().unwrap_or(""),
            h.metadata.name.as_deref().unwrap_or(""),
            &Default::default(),
        );
        count -= 1;
    }
}

/// `revisionHistoryLimit` with its default (10); a negative limit keeps
/// none rather than wrapping around.
pub fn history_limit(limit: Option<i32>) -> usize {
    limit.unwrap_or(10).max(0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(image: &str) -> PodTemplateSpec {
        serde_json::from_value(json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "c", "image": image}]}
        }))
        .unwrap()
    }

    #[test]
    fn patch_round_trips_to_the_template() {
        let t = template("nginx");
        let data = template_patch(&t);
        assert_eq!(data["spec"]["template"]["$patch"], "replace");
        let rev = new_revision(
            Kind::StatefulSet,
            &ObjectMeta {
                name: Some("web".into()),
                ..Default::default()
            },
            &t,
            "abc",
            data,
            3,
        );
        assert_eq!(template_of(&rev), t);
        assert_eq!(rev.metadata.name.as_deref(), Some("web-abc"));
        let labels = rev.metadata.labels.unwrap();
        assert_eq!(labels["app"], "web");
        assert_eq!(labels[REVISION_HASH_LABEL], "abc");
    }

    /// `history.HashControllerRevision`: the collision count changes the hash.
    #[test]
    fn collision_count_changes_the_revision_hash() {
        let d = template_patch(&template("nginx"));
        assert_ne!(hash_revision(&d, Some(0)), hash_revision(&d, Some(1)));
        assert_eq!(hash_revision(&d, Some(0)), hash_revision(&d, Some(0)));
    }
}
