//! Helpers the workload controllers share, after
//! `pkg/controller/controller_utils.go`, `pkg/api/v1/pod/util.go`,
//! `controller_ref_manager.go` and `k8s.io/apimachinery/pkg/util/intstr`.

use crate::objects::kinds::{Kind, KubeObject, Object};
use crate::objects::selectors::Selector;
use crate::sim::store::{ApiError, EventSource, Store, WriteOptions};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{
    LabelSelector, ObjectMeta, OwnerReference, Time,
};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// `pkg/controller/controller_utils.go` event reasons.
pub const SUCCESSFUL_CREATE: &str = "SuccessfulCreate";
pub const FAILED_CREATE: &str = "FailedCreate";
pub const SUCCESSFUL_DELETE: &str = "SuccessfulDelete";
pub const FAILED_DELETE: &str = "FailedDelete";

// ----- time -----------------------------------------------------------

/// The time between two timestamps as a std Duration (zero if negative).
pub fn until(from: &Time, to: &Time) -> Duration {
    let d = to.0.duration_since(from.0);
    if d.is_negative() {
        Duration::ZERO
    } else {
        d.unsigned_abs()
    }
}

/// `t + secs` seconds.
pub fn add_secs(t: &Time, secs: i64) -> Time {
    Time(t.0 + jiff::SignedDuration::from_secs(secs))
}

/// `t + d`.
pub fn add_duration(t: &Time, d: Duration) -> Time {
    Time(t.0 + jiff::SignedDuration::try_from(d).unwrap_or(jiff::SignedDuration::ZERO))
}

// ----- pods -----------------------------------------------------------

pub fn pod_phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("")
}

pub fn pod_node(p: &Pod) -> &str {
    p.spec
        .as_ref()
        .and_then(|s| s.node_name.as_deref())
        .unwrap_or("")
}

/// `controller_utils.go` `IsPodActive`: not terminal and not being deleted.
pub fn is_pod_active(p: &Pod) -> bool {
    let phase = pod_phase(p);
    phase != "Succeeded" && phase != "Failed" && p.metadata.deletion_timestamp.is_none()
}

/// `pkg/api/v1/pod/util.go` `IsPodReady`.
pub fn is_pod_ready(p: &Pod) -> bool {
    ready_condition(p).is_some_and(|c| c.status == "True")
}

fn ready_condition(p: &Pod) -> Option<&k8s_openapi::api::core::v1::PodCondition> {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
}

/// When the pod last became Ready (None if not ready).
pub fn pod_ready_time(p: &Pod) -> Option<Time> {
    ready_condition(p)
        .filter(|c| c.status == "True")
        .and_then(|c| c.last_transition_time.clone())
}

/// `pkg/api/v1/pod/util.go` `IsPodAvailable`: ready for at least
/// `min_ready_seconds` (strictly before now, as upstream compares).
pub fn is_pod_available(p: &Pod, min_ready_seconds: i32, now: &Time) -> bool {
    if !is_pod_ready(p) {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    match pod_ready_time(p) {
        Some(t) => add_secs(&t, min_ready_seconds as i64).0 < now.0,
        None => false,
    }
}

/// How long until a ready pod becomes available, if it is ready but not yet
/// available: the controllers requeue themselves for that moment.
pub fn until_available(p: &Pod, min_ready_seconds: i32, now: &Time) -> Option<Duration> {
    if min_ready_seconds <= 0 || !is_pod_ready(p) || is_pod_available(p, min_ready_seconds, now) {
        return None;
    }
    let t = pod_ready_time(p)?;
    let at = add_secs(&t, min_ready_seconds as i64);
    Some(until(now, &at) + Duration::from_millis(1))
}

/// The largest container restart count (`maxContainerRestarts`).
pub fn max_container_restarts(p: &Pod) -> i32 {
    p.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).max().unwrap_or(0))
        .unwrap_or(0)
}

// ----- owner references ----------------------------------------------

/// The controller reference of an object (`metav1.GetControllerOf`).
pub fn controller_of(m: &ObjectMeta) -> Option<&OwnerReference> {
    m.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
}

/// `metav1.NewControllerRef`: controller and blockOwnerDeletion set.
pub fn new_controller_ref(kind: Kind, owner: &ObjectMeta) -> OwnerReference {
    OwnerReference {
        api_version: kind.info().api_version(),
        kind: kind.info().kind.to_string(),
        name: owner.name.clone().unwrap_or_default(),
        uid: owner.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// Whether `m` is controlled by the object with this uid.
pub fn is_controlled_by(m: &ObjectMeta, uid: &str) -> bool {
    controller_of(m).is_some_and(|r| r.uid == uid)
}

/// The key `ns/name` of a namespaced object's controller of kind `kind`.
pub fn controller_key(m: &ObjectMeta, kind: &str) -> Option<String> {
    controller_of(m)
        .filter(|r| r.kind == kind)
        .map(|r| super::object_key(m.namespace.as_deref(), &r.name))
}

/// The keys a pod event concerns for the controllers of `T`, as their
/// `addPod`/`updatePod`/`deletePod` handlers find them: the controller
/// named by the pod's controller reference, now and before the change
/// (`owners`), or, for an orphan, every `T` in its namespace whose selector
/// matches it and may adopt it (`adopters`, empty when there are owners).
pub struct PodEventKeys {
    pub owners: Vec<String>,
    pub adopters: Vec<String>,
}

pub fn pod_event_keys<T: KubeObject>(
    pod: &ObjectMeta,
    old: Option<&ObjectMeta>,
    store: &Store,
    selector: impl Fn(&T) -> Option<&LabelSelector>,
) -> PodEventKeys {
    let kind = T::OBJECT_KIND.info().kind;
    let owners: Vec<String> = [Some(pod), old]
        .into_iter()
        .flatten()
        .filter_map(|m| controller_key(m, kind))
        .collect();
    let mut adopters = Vec::new();
    if owners.is_empty() && controller_of(pod).is_none() {
        let ns = pod.namespace.as_deref().unwrap_or("");
        for o in store.list_as::<T>(Some(ns)) {
            if selector_matches(selector(o), pod.labels.as_ref()) {
                adopters.push(super::object_key(
                    Some(ns),
                    o.metadata().name.as_deref().unwrap_or(""),
                ));
            }
        }
    }
    PodEventKeys { owners, adopters }
}

// ----- selectors ------------------------------------------------------

pub fn selector(ls: Option<&LabelSelector>) -> Selector {
    ls.map(Selector::from_label_selector).unwrap_or_default()
}

/// Whether `labels` match a metav1.LabelSelector. An empty selector matches
/// nothing for controllers (`LabelSelectorAsSelector` of an empty selector
/// matches everything, but the controllers refuse to act on it).
pub fn selector_matches(
    ls: Option<&LabelSelector>,
    labels: Option<&BTreeMap<String, String>>,
) -> bool {
    let s = selector(ls);
    !s.is_empty() && s.matches_opt(labels)
}

/// ClaimPods (`controller_ref_manager.go`): adopts orphans that match the
/// selector, releases owned pods that stopped matching, and returns the
/// pods this owner controls afterwards. `candidates` are the pods to look
/// at (already filtered by the caller, e.g. active pods).
pub fn claim_pods(
    store: &mut Store,
    owner_kind: Kind,
    owner: &ObjectMeta,
    sel: Option<&LabelSelector>,
    candidates: Vec<Pod>,
) -> Vec<Pod> {
    let uid = owner.uid.clone().unwrap_or_default();
    let owner_deleting = owner.deletion_timestamp.is_some();
    let mut out = Vec::new();
    for pod in candidates {
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let name = pod.metadata.name.clone().unwrap_or_default();
        let matches = selector_matches(sel, pod.metadata.labels.as_ref());
        match controller_of(&pod.metadata) {
            Some(r) if r.uid == uid => {
                if matches || owner_deleting {
                    out.push(pod);
                } else {
                    // Release: drop our ownerReference.
                    let _ = store.modify::<Pod>(&ns, &name, false, |p| {
                        if let Some(refs) = p.metadata.owner_references.as_mut() {
                            refs.retain(|r| r.uid != uid);
                        }
                        if p.metadata
                            .owner_references
                            .as_ref()
                            .is_some_and(|r| r.is_empty())
                        {
                            p.metadata.owner_references = None;
                        }
                    });
                }
            }
            Some(_) => {}
            None => {
                if matches && !owner_deleting && pod.metadata.deletion_timestamp.is_none() {
                    let r = new_controller_ref(owner_kind, owner);
                    if let Ok(obj) = store.modify::<Pod>(&ns, &name, false, |p| {
                        p.metadata
                            .owner_references
                            .get_or_insert_with(Vec::new)
                            .push(r);
                    }) {
                        if let Object::Pod(p) = &*obj {
                            out.push(p.clone());
                        }
                    }
                }
            }
        }
    }
    out
}

/// All pods of a namespace, cloned (controllers modify copies).
pub fn pods_in(store: &Store, ns: &str) -> Vec<Pod> {
    store.list_as::<Pod>(Some(ns)).cloned().collect()
}

// ----- pod templates --------------------------------------------------

/// `controller.GetPodFromTemplate`: labels, annotations, finalizers and
/// spec from the template, the controller reference, and a generated name
/// `<prefix><5 random chars>` (the name the apiserver would generate).
pub fn pod_from_template(
    template: &PodTemplateSpec,
    namespace: &str,
    generate_name: &str,
    suffix: &str,
    controller_ref: OwnerReference,
) -> Pod {
    let tm = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            name: Some(format!("{generate_name}{suffix}")),
            generate_name: Some(generate_name.to_string()),
            namespace: Some(namespace.to_string()),
            labels: tm.labels.filter(|l| !l.is_empty()),
            annotations: tm.annotations.filter(|a| !a.is_empty()),
            finalizers: tm.finalizers.filter(|f| !f.is_empty()),
            owner_references: Some(vec![controller_ref]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// Creates a pod, retrying a name collision with a fresh suffix (as
/// generateName does), and records `SuccessfulCreate` / `FailedCreate` on
/// the owner (`RealPodControl.CreatePods`).
pub fn create_pod(
    store: &mut Store,
    rng: &mut crate::sim::rng::SimRng,
    owner: &Object,
    component: &str,
    make: impl Fn(&str) -> Pod,
) -> Result<Pod, ApiError> {
    let mut last_err = None;
    for _ in 0..5 {
        let pod = make(&rng.name_suffix(5));
        match store.create(Object::Pod(pod), &WriteOptions::default()) {
            Ok(created) => {
                let p = Pod::from_object(&created).cloned().expect("pod");
                let name = p.metadata.name.clone().unwrap_or_default();
                record(
                    store,
                    owner,
                    "Normal",
                    SUCCESSFUL_CREATE,
                    &format!("Created pod: {name}"),
                    component,
                );
                return Ok(p);
            }
            Err(e) if e.reason == crate::sim::store::Reason::AlreadyExists => last_err = Some(e),
            Err(e) => {
                record(
                    store,
                    owner,
                    "Warning",
                    FAILED_CREATE,
                    &format!("Error creating: {}", e.message),
                    component,
                );
                return Err(e);
            }
        }
    }
    Err(last_err.expect("tried"))
}

/// Deletes a pod and records `SuccessfulDelete` / `FailedDelete`
/// (`RealPodControl.DeletePod`).
pub fn delete_pod(
    store: &mut Store,
    owner: &Object,
    pod: &Pod,
    component: &str,
) -> Result<(), ApiError> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    match store.delete(Kind::Pod, &ns, &name, &Default::default()) {
        Ok(_) => {
            record(
                store,
                owner,
                "Normal",
                SUCCESSFUL_DELETE,
                &format!("Deleted pod: {name}"),
                component,
            );
            Ok(())
        }
        Err(e) if e.reason == crate::sim::store::Reason::NotFound => Ok(()),
        Err(e) => {
            record(
                store,
                owner,
                "Warning",
                FAILED_DELETE,
                &format!("Error deleting: {}", e.message),
                component,
            );
            Err(e)
        }
    }
}

/// Records an event about `obj` from `component`.
pub fn record(
    store: &mut Store,
    obj: &Object,
    type_: &str,
    reason: &str,
    message: &str,
    component: &str,
) {
    store.record_event(obj, type_, reason, message, &EventSource::new(component));
}

/// Gets a typed object by key `ns/name`.
pub fn get<T: KubeObject>(store: &Store, ns: &str, name: &str) -> Option<(Arc<Object>, T)> {
    let o = store.try_get(T::OBJECT_KIND, ns, name)?.clone();
    let t = T::from_object(&o)?.clone();
    Some((o, t))
}

// ----- hashes ---------------------------------------------------------

/// 32-bit FNV-1a.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in bytes {
        h ^= *b as u32;
        h = h.wrapping_mul(0x01000193);
    }
    h
}

/// 32-bit FNV-1 (multiply, then xor), as Go's `fnv.New32`.
pub fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c9dc5;
    for b in bytes {
        h = h.wrapping_mul(0x01000193);
        h ^= *b as u32;
    }
    h
}

/// `k8s.io/apimachinery/pkg/util/rand` `SafeEncodeString`: each byte mapped
/// into the generated-name alphabet, so hashes look like `7d4b9c8f6`.
pub fn safe_encode_string(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.chars()
        .map(|c| ALPHANUMS[(c as usize) % ALPHANUMS.len()] as char)
        .collect()
}

/// A JSON value with object keys sorted, as Go's `json.Marshal` of a map
/// writes them.
pub fn sorted_json(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, Value> =
                m.iter().map(|(k, v)| (k, sorted_json(v))).collect();
            let mut out = serde_json::Map::new();
            for (k, v) in sorted {
                out.insert(k.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted_json).collect()),
        other => other.clone(),
    }
}

/// `pkg/controller/controller_utils.go` `ComputeHash`: FNV-32a of the pod
/// template, then the collision count as 8 little-endian bytes, rendered with
/// `SafeEncodeString`. Upstream feeds the hasher a spew dump of the Go
/// struct; kubesim feeds it the template's sorted JSON, so values have the
/// real shape (`7d4b9c8f6`) but differ from a real cluster's.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let json = serde_json::to_vec(&sorted_json(
        &serde_json::to_value(template).unwrap_or(Value::Null),
    ))
    .unwrap_or_default();
    let mut bytes = json;
    if let Some(c) = collision_count {
        let mut b = [0u8; 8];
        b[..4].copy_from_slice(&(c as u32).to_le_bytes());
        bytes.extend_from_slice(&b);
    }
    safe_encode_string(&fnv32a(&bytes).to_string())
}

/// Template equality ignoring the `pod-template-hash` label
/// (`deployment_util.go` `EqualIgnoreHash`).
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    strip_hash(a) == strip_hash(b)
}

fn strip_hash(t: &PodTemplateSpec) -> PodTemplateSpec {
    let mut t = t.clone();
    if let Some(m) = t.metadata.as_mut() {
        if let Some(l) = m.labels.as_mut() {
            l.remove("pod-template-hash");
            if l.is_empty() {
                m.labels = None;
            }
        }
        if m.annotations.as_ref().is_some_and(|a| a.is_empty()) {
            m.annotations = None;
        }
        if *m == ObjectMeta::default() {
            t.metadata = None;
        }
    }
    t
}

// ----- intstr ---------------------------------------------------------

/// `intstr.GetScaledValueFromIntOrPercent`.
pub fn scaled_value(v: &IntOrString, total: i32, round_up: bool) -> Result<i32, String> {
    match v {
        IntOrString::Int(i) => Ok(*i),
        IntOrString::String(s) => {
            let Some(p) = s.strip_suffix('%') else {
                return Err(
                    "invalid value for IntOrString: invalid type: string is not a percentage"
                        .to_string(),
                );
            };
            let pct: i64 = p
                .parse()
                .map_err(|_| format!("invalid value for IntOrString: invalid value \"{s}\": strconv.Atoi: parsing \"{p}\": invalid syntax"))?;
            let prod = pct * total as i64;
            Ok(if round_up {
                ((prod + 99).div_euclid(100)) as i32
            } else {
                prod.div_euclid(100) as i32
            })
        }
    }
}

// ----- status fields --------------------------------------------------

/// An `omitempty` int32 status field: zero is left out, as the Go types do.
pub fn nz(v: i32) -> Option<i32> {
    if v == 0 {
        None
    } else {
        Some(v)
    }
}

/// Labels map helper: `labels[k] = v` on an optional map.
pub fn set_label(labels: &mut Option<BTreeMap<String, String>>, k: &str, v: &str) {
    labels
        .get_or_insert_with(BTreeMap::new)
        .insert(k.to_string(), v.to_string());
}

/// Annotation lookup.
pub fn annotation<'a>(m: &'a ObjectMeta, k: &str) -> Option<&'a str> {
    m.annotations
        .as_ref()
        .and_then(|a| a.get(k))
        .map(String::as_str)
}

/// Whether two optional string maps are equal, treating None as empty.
pub fn same_map(
    a: &Option<BTreeMap<String, String>>,
    b: &Option<BTreeMap<String, String>>,
) -> bool {
    let e = BTreeMap::new();
    a.as_ref().unwrap_or(&e) == b.as_ref().unwrap_or(&e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `k8s.io/apimachinery/pkg/util/rand` `SafeEncodeString`: digits map
    /// onto `4 5 6 7 8 9 b c d f`, so template hashes look like upstream's.
    #[test]
    fn safe_encode_maps_digits_like_upstream() {
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
    }

    #[test]
    fn fnv_variants_match_go() {
        // hash/fnv reference values for "a".
        assert_eq!(fnv32a(b"a"), 0xe40c292c);
        assert_eq!(fnv32(b"a"), 0x050c5d7e);
    }

    /// `intstr.GetScaledValueFromIntOrPercent`: 25% of 10 is 3 rounded up,
    /// 2 rounded down (the workshop's stuck rollout: surge 3, unavailable 2).
    #[test]
    fn percentages_scale_with_rounding() {
        let p = IntOrString::String("25%".into());
        assert_eq!(scaled_value(&p, 10, true), Ok(3));
        assert_eq!(scaled_value(&p, 10, false), Ok(2));
        assert_eq!(scaled_value(&p, 4, true), Ok(1));
        assert_eq!(scaled_value(&IntOrString::Int(2), 10, true), Ok(2));
        assert!(scaled_value(&IntOrString::String("x".into()), 10, true).is_err());
    }

    #[test]
    fn compute_hash_is_stable_and_changes_with_collisions() {
        let t: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}
        }))
        .unwrap();
        let h = compute_hash(&t, None);
        assert_eq!(h, compute_hash(&t, None));
        assert_ne!(h, compute_hash(&t, Some(1)));
        assert!(h.chars().all(|c| "456789bcdf".contains(c)), "{h}");
    }
}
