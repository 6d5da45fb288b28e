use super::*;
use crate::objects::manifest::decode_object;
use serde_json::json;

fn store() -> Store {
    let mut s = Store::new(1, "2026-01-01T00:00:00Z".parse().unwrap());
    for ns in ["default", "kube-system"] {
        let o = decode_object(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            true,
        )
        .unwrap();
        s.create(o, &WriteOptions::default()).unwrap();
    }
    s
}

fn pod(name: &str) -> Object {
    decode_object(
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
        true,
    )
    .unwrap()
}

#[test]
fn create_sets_metadata_and_defaults() {
    let mut s = store();
    let p = s.create(pod("web"), &WriteOptions::default()).unwrap();
    let m = p.meta();
    assert_eq!(m.namespace.as_deref(), Some("default"));
    assert!(m.uid.is_some());
    assert!(m.creation_timestamp.is_some());
    assert_eq!(m.generation, Some(1));
    let Object::Pod(pp) = &*p else { panic!() };
    let spec = pp.spec.as_ref().unwrap();
    assert_eq!(spec.restart_policy.as_deref(), Some("Always"));
    assert_eq!(
        spec.containers[0].image_pull_policy.as_deref(),
        Some("Always")
    );
    assert_eq!(spec.tolerations.as_ref().unwrap().len(), 2);
}

#[test]
fn duplicate_create_is_already_exists_and_changes_nothing() {
    let mut s = store();
    s.create(pod("web"), &WriteOptions::default()).unwrap();
    let rv = s.resource_version();
    let e = s.create(pod("web"), &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e.kubectl_text(),
        "Error from server (AlreadyExists): pods \"web\" already exists"
    );
    assert_eq!(s.resource_version(), rv);
}

#[test]
fn missing_namespace_is_not_found() {
    let mut s = store();
    let mut p = pod("web");
    p.meta_mut().namespace = Some("nope".into());
    let e = s.create(p, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.message, "namespaces \"nope\" not found");
}

#[test]
fn stale_update_conflicts_and_generation_tracks_spec() {
    let mut s = store();
    let p = s.create(pod("web"), &WriteOptions::default()).unwrap();
    let mut a = (*p).clone();
    let mut b = (*p).clone();
    if let Object::Pod(x) = &mut a {
        x.spec.as_mut().unwrap().active_deadline_seconds = Some(5);
    }
    let a2 = s.update(a, &WriteOptions::default()).unwrap();
    assert_eq!(a2.meta().generation, Some(2));
    if let Object::Pod(x) = &mut b {
        x.metadata
            .labels
            .as_mut()
            .unwrap()
            .insert("x".into(), "y".into());
    }
    let e = s.update(b, &WriteOptions::default()).unwrap_err();
    assert_eq!(e.reason, Reason::Conflict);
    // A label-only change does not bump generation.
    let mut c = (*a2).clone();
    c.meta_mut()
        .labels
        .as_mut()
        .unwrap()
        .insert("x".into(), "y".into());
    let c2 = s.update(c, &WriteOptions::default()).unwrap();
    assert_eq!(c2.meta().generation, Some(2));
}

#[test]
fn watch_resumes_from_a_version_and_reports_compaction() {
    let mut s = store();
    let rv0 = s.resource_version();
    s.create(pod("a"), &WriteOptions::default()).unwrap();
    s.create(pod("b"), &WriteOptions::default()).unwrap();
    s.delete(Kind::Pod, "default", "a", &DeleteOptions::default())
        .unwrap();
    let evs: Vec<_> = s
        .events_since(rv0)
        .unwrap()
        .map(|e| (e.event_type, e.object.meta().name.clone().unwrap()))
        .collect();
    assert_eq!(
        evs,
        vec![
            (WatchEventType::Added, "a".to_string()),
            (WatchEventType::Added, "b".to_string()),
            (WatchEventType::Deleted, "a".to_string())
        ]
    );
    s.set_history_limit(1);
    let e = s.events_since(rv0).err().unwrap();
    assert_eq!(e.reason, Reason::Expired);
    assert_eq!(e.code(), 410);
}

#[test]
fn list_filters_by_labels_fields_and_pages() {
    let mut s = store();
    for n in ["a", "b", "c"] {
        s.create(pod(n), &WriteOptions::default()).unwrap();
    }
    let opts = ListOptions {
        label_selector: Selector::parse("app in (a,c)").unwrap(),
        ..Default::default()
    };
    let l = s.list(Kind::Pod, Some("default"), &opts).unwrap();
    assert_eq!(l.items.len(), 2);
    let opts = ListOptions {
        field_selector: FieldSelector::parse("metadata.name!=a").unwrap(),
        ..Default::default()
    };
    assert_eq!(s.list(Kind::Pod, None, &opts).unwrap().items.len(), 2);
    let page1 = s
        .list(
            Kind::Pod,
            None,
            &ListOptions {
                limit: 2,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page1.items.len(), 2);
    assert_eq!(page1.remaining, Some(1));
    let page2 = s
        .list(
            Kind::Pod,
            None,
            &ListOptions {
                limit: 2,
                continue_token: page1.continue_token,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(page2.items.len(), 1);
    assert_eq!(page2.items[0].meta().name.as_deref(), Some("c"));
    let bad = ListOptions {
        field_selector: FieldSelector::parse("spec.foo=1").unwrap(),
        ..Default::default()
    };
    assert_eq!(
        s.list(Kind::Pod, None, &bad).unwrap_err().message,
        "field label not supported: spec.foo"
    );
}

#[test]
fn scheduled_pods_delete_gracefully() {
    let mut s = store();
    s.create(pod("web"), &WriteOptions::default()).unwrap();
    s.bind("default", "web", "node2").unwrap();
    let d = s
        .delete(Kind::Pod, "default", "web", &DeleteOptions::default())
        .unwrap();
    assert!(d.meta().deletion_timestamp.is_some());
    assert_eq!(d.meta().deletion_grace_period_seconds, Some(30));
    assert!(s.try_get(Kind::Pod, "default", "web").is_some());
    s.finalize_pod_deletion("default", "web");
    assert!(s.try_get(Kind::Pod, "default", "web").is_none());
    // Unscheduled pods go at once.
    s.create(pod("p2"), &WriteOptions::default()).unwrap();
    s.delete(Kind::Pod, "default", "p2", &DeleteOptions::default())
        .unwrap();
    assert!(s.try_get(Kind::Pod, "default", "p2").is_none());
}

#[test]
fn invalid_objects_change_nothing() {
    let mut s = store();
    let rv = s.resource_version();
    let mut p = pod("Bad_Name");
    p.meta_mut().name = Some("Bad_Name".into());
    let e = s.create(p, &WriteOptions::default()).unwrap_err();
    assert!(e.kubectl_text().starts_with("The Pod \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain"));
    assert_eq!(s.resource_version(), rv);
}

#[test]
fn patches_merge_json_and_strategic() {
    let mut s = store();
    s.create(pod("web"), &WriteOptions::default()).unwrap();
    let p = s
        .patch(
            Kind::Pod,
            "default",
            "web",
            &Patch::Merge(json!({"metadata": {"labels": {"tier": "front"}}})),
            &WriteOptions::default(),
            false,
        )
        .unwrap();
    assert_eq!(p.meta().labels.as_ref().unwrap()["tier"], "front");
    let p = s
        .patch(
            Kind::Pod,
            "default",
            "web",
            &Patch::Json(json!([{"op": "remove", "path": "/metadata/labels/tier"}])),
            &WriteOptions::default(),
            false,
        )
        .unwrap();
    assert!(!p.meta().labels.as_ref().unwrap().contains_key("tier"));
    let p = s
        .patch(
            Kind::Pod,
            "default",
            "web",
            &Patch::Strategic(
                json!({"spec": {"containers": [{"name": "c", "image": "nginx:1.25"}]}}),
            ),
            &WriteOptions::default(),
            false,
        )
        .unwrap();
    let Object::Pod(pp) = &*p else { panic!() };
    assert_eq!(
        pp.spec.as_ref().unwrap().containers[0].image.as_deref(),
        Some("nginx:1.25")
    );
    assert!(s
        .patch(
            Kind::Pod,
            "default",
            "nope",
            &Patch::Merge(json!({})),
            &WriteOptions::default(),
            false
        )
        .is_err());
}

#[test]
fn events_aggregate() {
    let mut s = store();
    let p = s.create(pod("web"), &WriteOptions::default()).unwrap();
    let src = EventSource::new("kubelet");
    s.record_event(&p, "Warning", "BackOff", "Back-off", &src);
    s.record_event(&p, "Warning", "BackOff", "Back-off", &src);
    let evs: Vec<_> = s
        .list_as::<k8s_openapi::api::core::v1::Event>(Some("default"))
        .collect();
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0].count, Some(2));
}

/// pkg/registry/apps/deployment/strategy.go ValidateUpdate: the spec's
/// errors, then the immutable selector, in one 422; the stored object is
/// unchanged.
#[test]
fn an_update_reports_spec_and_immutability_errors_together() {
    let mut s = store();
    let d = |app: &str, tmpl: &str| {
        decode_object(
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                "spec": {"selector": {"matchLabels": {"app": app}},
                    "template": {"metadata": {"labels": {"app": tmpl}},
                        "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}),
            true,
        )
        .unwrap()
    };
    let created = s.create(d("web", "web"), &WriteOptions::default()).unwrap();
    let mut changed = d("web2", "web");
    changed.meta_mut().resource_version = created.meta().resource_version.clone();
    let e = s.update(changed, &WriteOptions::default()).unwrap_err();
    assert_eq!(
        e.message,
        "The Deployment \"web\" is invalid: [spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`, spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable]"
    );
    assert_eq!(e.causes.len(), 2);
    let stored = s.get(Kind::Deployment, "default", "web").unwrap();
    assert_eq!(
        stored.meta().resource_version,
        created.meta().resource_version
    );
}
