//! Field ownership (`metadata.managedFields`): which manager set which
//! field, as the apiserver's field manager records it
//! (`k8s.io/apimachinery/pkg/util/managedfields/internal/fieldmanager.go`)
//! on top of structured-merge-diff (`sigs.k8s.io/structured-merge-diff/v4`:
//! `fieldpath` sets, `merge/update.go` `Update` and `Apply`).
//!
//! * An **Update** (create, PUT, a non-apply PATCH) with a field manager
//!   gives that manager every field it changed and takes those fields from
//!   every other manager: updates never conflict.
//! * An **Apply** owns exactly the fields of the applied configuration. A
//!   field another manager owns with a different value is a conflict (409
//!   `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply"
//!   using apps/v1: .spec.replicas`); `force=true` takes it. Fields the
//!   applier owned before and omits now are removed from the object unless
//!   another manager owns them too (pruning).
//!
//! A field path is a list of FieldsV1 keys: `f:name` for a field, `k:{..}`
//! for a list item with a merge key, `.` for the item itself.

use super::error::{ApiError, FieldError, FieldErrorType, Reason};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry, Time};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// One path in FieldsV1 keys.
pub type Path = Vec<String>;
/// A set of owned leaf paths.
pub type FieldSet = BTreeSet<Path>;

/// Which part of the object a write may touch: the main resource owns
/// everything but `status`; the status subresource only `status`
/// (the registry strategies' `GetResetFields`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    Main,
    Status,
}

impl Scope {
    fn subresource(self) -> Option<String> {
        match self {
            Scope::Main => None,
            Scope::Status => Some("status".into()),
        }
    }
    fn keeps(self, p: &Path) -> bool {
        let status = p.first().is_some_and(|f| f == "f:status");
        match self {
            Scope::Main => !status,
            Scope::Status => status,
        }
    }
}

/// One `managedFields` entry with its set decoded.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub manager: String,
    pub operation: String,
    pub api_version: String,
    pub time: Option<Time>,
    pub subresource: Option<String>,
    pub set: FieldSet,
}

impl Entry {
    /// How the apiserver names a manager in a conflict (`printManager`):
    /// `"m"` for appliers, `"m" using apps/v1` for updaters.
    pub fn describe(&self) -> String {
        let mut s = format!("{:?}", self.manager);
        if let Some(sub) = &self.subresource {
            s = format!("{s} with subresource {sub:?}");
        }
        if self.operation == "Update" {
            s = format!("{s} using {}", self.api_version);
        }
        s
    }
    fn is(&self, manager: &str, operation: &str, scope: Scope) -> bool {
        self.manager == manager
            && self.operation == operation
            && self.subresource == scope.subresource()
    }
}

/// The entries of an object's metadata.
pub fn entries(managed: Option<&Vec<ManagedFieldsEntry>>) -> Vec<Entry> {
    managed
        .into_iter()
        .flatten()
        .map(|m| Entry {
            manager: m.manager.clone().unwrap_or_default(),
            operation: m.operation.clone().unwrap_or_default(),
            api_version: m.api_version.clone().unwrap_or_default(),
            time: m.time.clone(),
            subresource: m.subresource.clone().filter(|s| !s.is_empty()),
            set: m
                .fields_v1
                .as_ref()
                .map(|f| leaves(&f.0))
                .unwrap_or_default(),
        })
        .collect()
}

/// Back to `managedFields` (None when no manager is left).
pub fn to_meta(entries: &[Entry]) -> Option<Vec<ManagedFieldsEntry>> {
    let out: Vec<ManagedFieldsEntry> = entries
        .iter()
        .filter(|e| !e.set.is_empty())
        .map(|e| ManagedFieldsEntry {
            manager: Some(e.manager.clone()),
            operation: Some(e.operation.clone()),
            api_version: Some(e.api_version.clone()),
            time: e.time.clone(),
            fields_type: Some("FieldsV1".into()),
            fields_v1: Some(FieldsV1(to_fields_v1(&e.set))),
            subresource: e.subresource.clone(),
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// Metadata the server owns: never part of a manager's set.
const SYSTEM_METADATA: &[&str] = &[
    "name",
    "namespace",
    "generateName",
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "selfLink",
];

/// The FieldsV1 tree of an object or applied configuration.
pub fn fields_v1(v: &Value) -> Value {
    let Some(m) = v.as_object() else {
        return json!({});
    };
    let mut out = Map::new();
    for (k, val) in m {
        match k.as_str() {
            "apiVersion" | "kind" => {}
            "metadata" => {
                let mut meta = Map::new();
                for (mk, mv) in val.as_object().into_iter().flatten() {
                    if !SYSTEM_METADATA.contains(&mk.as_str()) {
                        meta.insert(format!("f:{mk}"), fields_of(mv, mk));
                    }
                }
                if !meta.is_empty() {
                    out.insert("f:metadata".into(), Value::Object(meta));
                }
            }
            _ => {
                out.insert(format!("f:{k}"), fields_of(val, k));
            }
        }
    }
    Value::Object(out)
}

fn fields_of(v: &Value, field: &str) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, val)| (format!("f:{k}"), fields_of(val, k)))
                .collect(),
        ),
        // A list with a merge key is a set of items; any other list is
        // atomic: one leaf.
        Value::Array(items) => {
            let mut out = Map::new();
            if let Some(key) = crate::objects::patch::merge_key(field) {
                for it in items {
                    if let Some(id) = it.get(key) {
                        let mut inner = match fields_of(it, "") {
                            Value::Object(m) => m,
                            _ => Map::new(),
                        };
                        inner.insert(".".into(), json!({}));
                        out.insert(format!("k:{}", json!({ key: id })), Value::Object(inner));
                    }
                }
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// The leaf paths of a FieldsV1 tree.
pub fn leaves(tree: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    leaves_into(tree, &mut Vec::new(), &mut out);
    out
}

fn leaves_into(tree: &Value, prefix: &mut Path, out: &mut FieldSet) {
    for (k, child) in tree.as_object().into_iter().flatten() {
        prefix.push(k.clone());
        match child.as_object() {
            Some(m) if !m.is_empty() => leaves_into(child, prefix, out),
            _ => {
                out.insert(prefix.clone());
            }
        }
        prefix.pop();
    }
}

/// A FieldsV1 tree from leaf paths.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Map::new();
    for p in set {
        let mut cur = &mut root;
        for seg in p {
            cur = cur
                .entry(seg.clone())
                .or_insert_with(|| json!({}))
                .as_object_mut()
                .expect("fields are objects");
        }
    }
    Value::Object(root)
}

/// The value at a path (for `.`, the list item itself).
pub fn value_at<'a>(obj: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut cur = obj;
    for seg in path {
        if seg == "." {
            continue;
        }
        cur = step(cur, seg)?;
    }
    Some(cur)
}

fn step<'a>(cur: &'a Value, seg: &str) -> Option<&'a Value> {
    if let Some(name) = seg.strip_prefix("f:") {
        return cur.get(name);
    }
    let key: Map<String, Value> = serde_json::from_str(seg.strip_prefix("k:")?).ok()?;
    cur.as_array()?
        .iter()
        .find(|it| key.iter().all(|(k, v)| it.get(k) == Some(v)))
}

/// Removes the field (or, for `.`, the list item) at a path.
fn remove_at(obj: &mut Value, path: &[String]) {
    let (last, parent) = match path.split_last() {
        Some((l, p)) if l == "." => match p.split_last() {
            Some((item, list)) => (item, list),
            None => return,
        },
        Some((l, p)) => (l, p),
        None => return,
    };
    let mut cur = obj;
    for seg in parent {
        let next = if let Some(name) = seg.strip_prefix("f:") {
            cur.get_mut(name)
        } else {
            let key: Option<Map<String, Value>> = seg
                .strip_prefix("k:")
                .and_then(|k| serde_json::from_str(k).ok());
            match (key, cur.as_array_mut()) {
                (Some(key), Some(a)) => a
                    .iter_mut()
                    .find(|it| key.iter().all(|(k, v)| it.get(k) == Some(v))),
                _ => None,
            }
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    if let Some(name) = last.strip_prefix("f:") {
        if let Some(m) = cur.as_object_mut() {
            m.remove(name);
        }
    } else if let Some(key) = last
        .strip_prefix("k:")
        .and_then(|k| serde_json::from_str::<Map<String, Value>>(k).ok())
    {
        if let Some(a) = cur.as_array_mut() {
            a.retain(|it| !key.iter().all(|(k, v)| it.get(k) == Some(v)));
        }
    }
}

/// A path as structured-merge-diff prints it (`fieldpath.Path.String`):
/// `.spec.replicas`, `.spec.template.spec.containers[name="nginx"].image`.
pub fn path_string(path: &[String]) -> String {
    let mut s = String::new();
    for seg in path {
        if let Some(name) = seg.strip_prefix("f:") {
            s.push('.');
            s.push_str(name);
        } else if let Some(k) = seg.strip_prefix("k:") {
            let key: Map<String, Value> = serde_json::from_str(k).unwrap_or_default();
            let mut parts: Vec<String> = key.iter().map(|(k, v)| format!("{k}={v}")).collect();
            parts.sort();
            s.push_str(&format!("[{}]", parts.join(",")));
        }
    }
    s
}

/// The leaf fields of `new` that an update changed from `old` (all of them
/// for a create): values that differ, and list items that are new.
pub fn changed(old: Option<&Value>, new: &Value, scope: Scope) -> FieldSet {
    leaves(&fields_v1(new))
        .into_iter()
        .filter(|p| scope.keeps(p))
        .filter(|p| {
            let before = old.and_then(|o| value_at(o, p));
            if p.last().is_some_and(|s| s == ".") {
                before.is_none()
            } else {
                before != value_at(new, p)
            }
        })
        .collect()
}

/// Records an Update by `manager` that turned `old` into `new`.
pub fn record_update(
    mut entries: Vec<Entry>,
    old: Option<&Value>,
    new: &Value,
    manager: &str,
    api_version: &str,
    time: Time,
    scope: Scope,
) -> Vec<Entry> {
    let ch = changed(old, new, scope);
    // Fields the update removed belong to nobody any more.
    for e in &mut entries {
        e.set.retain(|p| value_at(new, p).is_some());
    }
    if !ch.is_empty() {
        for e in entries.iter_mut() {
            if !e.is(manager, "Update", scope) {
                e.set.retain(|p| !ch.contains(p));
            }
        }
        match entries.iter_mut().find(|e| e.is(manager, "Update", scope)) {
            Some(me) => {
                me.set.extend(ch);
                me.time = Some(time);
                me.api_version = api_version.to_string();
            }
            None => entries.push(Entry {
                manager: manager.to_string(),
                operation: "Update".into(),
                api_version: api_version.to_string(),
                time: Some(time),
                subresource: scope.subresource(),
                set: ch,
            }),
        }
    }
    entries.retain(|e| !e.set.is_empty());
    entries
}

/// What an Apply produced: the merged object and the new entries.
pub struct Applied {
    pub object: Value,
    pub entries: Vec<Entry>,
}

/// Server-side apply of `config` by `manager` onto `live`
/// (structured-merge-diff `Updater.Apply`): conflicts unless `force`,
/// then merge, prune and record.
#[allow(clippy::too_many_arguments)]
pub fn apply(
    live: &Value,
    config: &Value,
    mut entries: Vec<Entry>,
    manager: &str,
    api_version: &str,
    time: Time,
    scope: Scope,
    force: bool,
) -> Result<Applied, ApiError> {
    let applied: FieldSet = leaves(&fields_v1(config))
        .into_iter()
        .filter(|p| scope.keeps(p))
        .collect();
    // 1. Conflicts: another manager's field that the apply would change.
    let mut conflicts: Vec<(usize, Path)> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.is(manager, "Apply", scope) {
            continue;
        }
        for p in e.set.intersection(&applied) {
            if p.last().is_some_and(|s| s == ".") {
                continue;
            }
            if value_at(live, p) != value_at(config, p) {
                conflicts.push((i, p.clone()));
            }
        }
    }
    if !conflicts.is_empty() {
        if !force {
            return Err(conflict_error(&entries, conflicts));
        }
        for (i, p) in &conflicts {
            entries[*i].set.remove(p);
        }
    }
    // 2. Merge the configuration into the live object.
    let mut object = live.clone();
    crate::objects::patch::strategic_merge(&mut object, config).map_err(ApiError::bad_request)?;
    // 3. Prune what this manager applied before and no longer applies,
    // unless another manager owns it (or something under it).
    let previous = entries
        .iter()
        .find(|e| e.is(manager, "Apply", scope))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    // Whole list items first: their fields go with them.
    let mut gone: Vec<&Path> = previous.difference(&applied).collect();
    gone.sort_by_key(|p| p.last().is_none_or(|s| s != "."));
    for p in gone {
        let base: &[String] = match p.split_last() {
            Some((l, rest)) if l == "." => rest,
            _ => p,
        };
        let shared = entries
            .iter()
            .any(|e| !e.is(manager, "Apply", scope) && e.set.iter().any(|q| q.starts_with(base)))
            || applied
                .iter()
                .any(|q| q.starts_with(base) && q.len() > base.len());
        if !shared {
            remove_at(&mut object, p);
        }
    }
    // 4. The applier owns exactly what it applied.
    match entries.iter_mut().find(|e| e.is(manager, "Apply", scope)) {
        Some(me) => {
            me.set = applied;
            me.time = Some(time);
            me.api_version = api_version.to_string();
        }
        None => entries.push(Entry {
            manager: manager.to_string(),
            operation: "Apply".into(),
            api_version: api_version.to_string(),
            time: Some(time),
            subresource: scope.subresource(),
            set: applied,
        }),
    }
    entries.retain(|e| !e.set.is_empty());
    Ok(Applied { object, entries })
}

/// The 409 the apiserver answers (`internal/conflict.go`
/// `NewConflictError` and `getConflictMessage`): managers sorted, each
/// with its paths; one cause per conflicting field.
fn conflict_error(entries: &[Entry], mut conflicts: Vec<(usize, Path)>) -> ApiError {
    // The manager identifier is its JSON (manager, operation, apiVersion).
    conflicts.sort_by(|(a, pa), (b, pb)| {
        let ka = (
            &entries[*a].manager,
            &entries[*a].operation,
            &entries[*a].api_version,
        );
        let kb = (
            &entries[*b].manager,
            &entries[*b].operation,
            &entries[*b].api_version,
        );
        ka.cmp(&kb).then(pa.cmp(pb))
    });
    let message = if conflicts.len() == 1 {
        let (i, p) = &conflicts[0];
        format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            entries[*i].describe(),
            path_string(p)
        )
    } else {
        let mut lines: Vec<String> = Vec::new();
        let mut last: Option<usize> = None;
        for (i, p) in &conflicts {
            if last.is_none_or(|l| entries[l].describe() != entries[*i].describe()) {
                lines.push(format!("conflicts with {}:", entries[*i].describe()));
                last = Some(*i);
            }
            lines.push(format!("- {}", path_string(p)));
        }
        format!(
            "Apply failed with {} conflicts: {}",
            conflicts.len(),
            lines.join("\n")
        )
    };
    let mut e = ApiError::new(Reason::Conflict, message);
    e.causes = conflicts
        .iter()
        .map(|(i, p)| FieldError {
            field: path_string(p),
            kind: FieldErrorType::FieldManagerConflict(entries[*i].describe()),
            detail: String::new(),
        })
        .collect();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An apply of apps/v1 at the test time, on the main resource.
    fn apply_v1(
        live: &Value,
        config: &Value,
        entries: Vec<Entry>,
        manager: &str,
        force: bool,
    ) -> Result<Applied, ApiError> {
        apply(
            live,
            config,
            entries,
            manager,
            "apps/v1",
            t(),
            Scope::Main,
            force,
        )
    }

    fn t() -> Time {
        Time(jiff::Timestamp::from_second(1_800_000_000).unwrap())
    }

    fn deploy(replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "nginx", "image": image}]}}}})
    }

    fn created_by(manager: &str, obj: &Value) -> Vec<Entry> {
        record_update(vec![], None, obj, manager, "apps/v1", t(), Scope::Main)
    }

    #[test]
    fn paths_print_as_structured_merge_diff_does() {
        let set = leaves(&fields_v1(&deploy(1, "nginx")));
        let printed: Vec<String> = set.iter().map(|p| path_string(p)).collect();
        assert!(
            printed.contains(&".spec.replicas".to_string()),
            "{printed:?}"
        );
        assert!(
            printed.contains(&".spec.template.spec.containers[name=\"nginx\"].image".to_string())
        );
        assert!(printed.contains(&".metadata.labels.app".to_string()));
        assert!(!printed.iter().any(|p| p.contains("metadata.name")));
    }

    #[test]
    fn fields_v1_round_trips() {
        let tree = fields_v1(&deploy(1, "nginx"));
        assert_eq!(to_fields_v1(&leaves(&tree)), tree);
    }

    /// upstream `TestApplyConflict`-style: an updater owns replicas, an
    /// applier that sets another value conflicts; the same value does not.
    #[test]
    fn apply_conflicts_with_an_updater_on_a_different_value() {
        let live = deploy(1, "nginx");
        let entries = created_by("kubectl-client-side-apply", &live);
        let err = apply_v1(
            &live,
            &deploy(3, "nginx"),
            entries.clone(),
            "kubectl",
            false,
        )
        .err()
        .expect("a conflict");
        assert_eq!(err.reason, Reason::Conflict);
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas"
        );
        assert_eq!(err.causes.len(), 1);
        assert_eq!(err.causes[0].field, ".spec.replicas");
        // Same values: shared ownership, no conflict.
        let ok = apply_v1(&live, &deploy(1, "nginx"), entries, "kubectl", false).unwrap();
        assert_eq!(ok.entries.len(), 2);
        assert!(ok.entries[0]
            .set
            .contains(&vec!["f:spec".into(), "f:replicas".into()]));
    }

    #[test]
    fn several_conflicts_are_listed_per_manager() {
        let live = deploy(1, "nginx");
        let entries = created_by("kubectl-create", &live);
        let err = apply_v1(&live, &deploy(3, "nginx:2"), entries, "kubectl", false)
            .err()
            .unwrap();
        assert_eq!(
            err.message,
            "Apply failed with 2 conflicts: conflicts with \"kubectl-create\" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name=\"nginx\"].image"
        );
        let status = err.to_status();
        assert_eq!(status["code"], 409);
        assert_eq!(
            status["details"]["causes"][0]["reason"],
            "FieldManagerConflict"
        );
        assert_eq!(
            status["details"]["causes"][0]["message"],
            "conflict with \"kubectl-create\" using apps/v1"
        );
        assert_eq!(status["details"]["causes"][0]["field"], ".spec.replicas");
    }

    #[test]
    fn force_takes_ownership() {
        let live = deploy(1, "nginx");
        let entries = created_by("kubectl-client-side-apply", &live);
        let out = apply_v1(&live, &deploy(3, "nginx"), entries, "kubectl", true).unwrap();
        assert_eq!(out.object["spec"]["replicas"], 3);
        let replicas: Path = vec!["f:spec".into(), "f:replicas".into()];
        assert!(
            !out.entries[0].set.contains(&replicas),
            "taken from the updater"
        );
        assert!(out.entries[1].set.contains(&replicas));
    }

    #[test]
    fn two_appliers_conflict_and_appliers_are_named_without_version() {
        let live = deploy(1, "nginx");
        let first = apply_v1(&live, &deploy(1, "nginx"), vec![], "alice", false).unwrap();
        let err = apply_v1(
            &first.object,
            &deploy(2, "nginx"),
            first.entries,
            "bob",
            false,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.message,
            "Apply failed with 1 conflict: conflict with \"alice\": .spec.replicas"
        );
    }

    #[test]
    fn fields_no_longer_applied_are_pruned_unless_shared() {
        let mut with_label = deploy(1, "nginx");
        with_label["metadata"]["labels"]["tier"] = json!("web");
        let first = apply_v1(&with_label, &with_label, vec![], "kubectl", false).unwrap();
        // Applying again without the label removes it.
        let second = apply_v1(
            &first.object,
            &deploy(1, "nginx"),
            first.entries.clone(),
            "kubectl",
            false,
        )
        .unwrap();
        assert_eq!(second.object["metadata"]["labels"], json!({"app": "web"}));
        // Another manager that also set it keeps it alive.
        let shared = record_update(
            first.entries,
            Some(&first.object),
            &first.object,
            "other",
            "apps/v1",
            t(),
            Scope::Main,
        );
        let mut other_owned = shared.clone();
        other_owned.push(Entry {
            manager: "labeller".into(),
            operation: "Update".into(),
            api_version: "apps/v1".into(),
            time: None,
            subresource: None,
            set: [vec![
                "f:metadata".to_string(),
                "f:labels".into(),
                "f:tier".into(),
            ]]
            .into(),
        });
        let third = apply_v1(
            &first.object,
            &deploy(1, "nginx"),
            other_owned,
            "kubectl",
            false,
        )
        .unwrap();
        assert_eq!(third.object["metadata"]["labels"]["tier"], "web");
    }

    #[test]
    fn pruning_removes_list_items_the_applier_dropped() {
        let mut two = deploy(1, "nginx");
        two["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "sidecar", "image": "busybox"}));
        let first = apply_v1(&two, &two, vec![], "kubectl", false).unwrap();
        let second = apply_v1(
            &first.object,
            &deploy(1, "nginx"),
            first.entries,
            "kubectl",
            false,
        )
        .unwrap();
        let names: Vec<&str> = second.object["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["nginx"]);
    }

    #[test]
    fn updates_take_fields_without_conflict() {
        let live = deploy(1, "nginx");
        let applied = apply_v1(&live, &live, vec![], "kubectl", false).unwrap();
        let scaled = deploy(5, "nginx");
        let after = record_update(
            applied.entries,
            Some(&live),
            &scaled,
            "kubectl-scale",
            "apps/v1",
            t(),
            Scope::Main,
        );
        let replicas: Path = vec!["f:spec".into(), "f:replicas".into()];
        assert!(!after[0].set.contains(&replicas));
        assert_eq!(after[1].manager, "kubectl-scale");
        assert_eq!(after[1].set, [replicas].into());
        // Re-applying replicas=1 now conflicts with the scaler.
        let err = apply_v1(&scaled, &live, after, "kubectl", false)
            .err()
            .unwrap();
        assert!(
            err.message
                .contains("conflict with \"kubectl-scale\" using apps/v1: .spec.replicas"),
            "{}",
            err.message
        );
    }
}
