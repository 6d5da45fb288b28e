//! The TUI's informer cache: a copy of the store kept current from watch
//! events (the reflector of kube-runtime's `reflector/store.rs`), plus when
//! each object last changed, in virtual time.
//!
//! Rows are highlighted for a short while after they were added, modified
//! or deleted (k9s's `addColor` / `modifyColor` / deleted rows), so deleted
//! objects stay here as "ghosts" until their highlight expires. Objects are
//! shared `Arc`s: applying an event never copies an object.

use crate::objects::{Kind, Object};
use crate::sim::store::WatchEventType;
use crate::sim::SimTime;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What happened to a row recently.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

impl From<WatchEventType> for Change {
    fn from(t: WatchEventType) -> Change {
        match t {
            WatchEventType::Added => Change::Added,
            WatchEventType::Modified => Change::Modified,
            WatchEventType::Deleted => Change::Deleted,
        }
    }
}

/// The last change of an object and its virtual time.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    pub change: Change,
    pub at: SimTime,
}

/// `(namespace, name)`; the namespace is empty for cluster-scoped kinds.
pub type Key = (String, String);

/// The key of an object.
pub fn key_of(obj: &Object) -> Key {
    let m = obj.meta();
    (
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
    )
}

/// Objects by kind, their change marks, and recently deleted objects.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    objects: BTreeMap<Kind, BTreeMap<Key, Arc<Object>>>,
    ghosts: BTreeMap<Kind, BTreeMap<Key, Arc<Object>>>,
    marks: BTreeMap<(Kind, Key), Mark>,
    /// resourceVersion of the last event applied (local mode).
    pub rv: u64,
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// Applies one watch event that happened at virtual time `at`.
    pub fn apply(&mut self, event_type: WatchEventType, obj: Arc<Object>, at: SimTime) {
        let kind = obj.kind();
        let key = key_of(&obj);
        let change = Change::from(event_type);
        match change {
            Change::Deleted => {
                self.objects.entry(kind).or_default().remove(&key);
                self.ghosts
                    .entry(kind)
                    .or_default()
                    .insert(key.clone(), obj);
            }
            Change::Added | Change::Modified => {
                self.ghosts.entry(kind).or_default().remove(&key);
                self.objects
                    .entry(kind)
                    .or_default()
                    .insert(key.clone(), obj);
            }
        }
        // A row added and changed again within the window stays "added".
        let mark = match (self.marks.get(&(kind, key.clone())), change) {
            (Some(m), Change::Modified) if m.change == Change::Added => Mark {
                change: Change::Added,
                at,
            },
            _ => Mark { change, at },
        };
        self.marks.insert((kind, key), mark);
    }

    /// Inserts an object without marking it (the initial list).
    pub fn insert_quiet(&mut self, obj: Arc<Object>) {
        let kind = obj.kind();
        self.objects
            .entry(kind)
            .or_default()
            .insert(key_of(&obj), obj);
    }

    /// Replaces every object of `kind` with `objs` (a fresh list), marking
    /// what differs by resourceVersion: how attach mode turns polls into
    /// watch-like events.
    pub fn replace_kind(&mut self, kind: Kind, objs: Vec<Arc<Object>>, at: SimTime) {
        let old = self.objects.remove(&kind).unwrap_or_default();
        let mut fresh: BTreeMap<Key, Arc<Object>> = BTreeMap::new();
        for o in objs {
            fresh.insert(key_of(&o), o);
        }
        for (k, o) in &old {
            if !fresh.contains_key(k) {
                self.apply(WatchEventType::Deleted, o.clone(), at);
            }
        }
        for (k, o) in fresh {
            match old.get(&k) {
                None => self.apply(WatchEventType::Added, o, at),
                Some(prev) if prev.meta().resource_version != o.meta().resource_version => {
                    self.apply(WatchEventType::Modified, o, at)
                }
                Some(_) => {
                    self.objects.entry(kind).or_default().insert(k, o);
                }
            }
        }
    }

    /// Forgets marks (and ghosts) older than `window` before `now`.
    pub fn expire(&mut self, now: SimTime, window: std::time::Duration) {
        let cutoff = SimTime(now.0.saturating_sub(window.as_millis() as u64));
        let mut gone = Vec::new();
        self.marks.retain(|(kind, key), m| {
            let keep = m.at >= cutoff && m.at <= now;
            if !keep && m.change == Change::Deleted {
                gone.push((*kind, key.clone()));
            }
            keep
        });
        for (kind, key) in gone {
            if let Some(g) = self.ghosts.get_mut(&kind) {
                g.remove(&key);
            }
        }
    }

    /// The mark of an object if it changed within `window` before `now`.
    pub fn mark(
        &self,
        kind: Kind,
        key: &Key,
        now: SimTime,
        window: std::time::Duration,
    ) -> Option<Mark> {
        let m = self.marks.get(&(kind, key.clone()))?;
        let fresh = now.0.saturating_sub(m.at.0) <= window.as_millis() as u64 && m.at <= now;
        fresh.then_some(*m)
    }

    /// Live objects of a kind (in one namespace, or all), by namespace then name.
    pub fn iter(&self, kind: Kind, ns: Option<&str>) -> impl Iterator<Item = &Arc<Object>> + '_ {
        let ns = ns.map(str::to_string);
        let namespaced = kind.info().namespaced;
        self.objects
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(move |((n, _), _)| !namespaced || ns.as_ref().is_none_or(|want| want == n))
            .map(|(_, o)| o)
    }

    /// Recently deleted objects of a kind still shown as ghosts.
    pub fn ghosts(&self, kind: Kind, ns: Option<&str>) -> impl Iterator<Item = &Arc<Object>> + '_ {
        let ns = ns.map(str::to_string);
        let namespaced = kind.info().namespaced;
        self.ghosts
            .get(&kind)
            .into_iter()
            .flat_map(|m| m.iter())
            .filter(move |((n, _), _)| !namespaced || ns.as_ref().is_none_or(|want| want == n))
            .map(|(_, o)| o)
    }

    pub fn get(&self, kind: Kind, key: &Key) -> Option<&Arc<Object>> {
        self.objects.get(&kind).and_then(|m| m.get(key))
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.objects.get(&kind).map_or(0, BTreeMap::len)
    }

    /// Namespaces that exist, for completion and the header.
    pub fn namespaces(&self) -> Vec<String> {
        self.iter(Kind::Namespace, None)
            .filter_map(|o| o.meta().name.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use std::time::Duration;

    fn pod(name: &str, rv: &str) -> Arc<Object> {
        Arc::new(Object::Pod(Pod {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("default".into()),
                resource_version: Some(rv.into()),
                ..Default::default()
            },
            ..Default::default()
        }))
    }

    fn key(name: &str) -> Key {
        ("default".into(), name.into())
    }

    #[test]
    fn marks_expire_after_the_window_and_ghosts_go_with_them() {
        let mut c = Cache::new();
        let w = Duration::from_secs(3);
        c.apply(WatchEventType::Added, pod("a", "1"), SimTime(1000));
        c.apply(WatchEventType::Deleted, pod("a", "2"), SimTime(2000));
        assert_eq!(c.count(Kind::Pod), 0);
        assert_eq!(c.ghosts(Kind::Pod, None).count(), 1);
        assert_eq!(
            c.mark(Kind::Pod, &key("a"), SimTime(4000), w)
                .map(|m| m.change),
            Some(Change::Deleted)
        );
        c.expire(SimTime(6000), w);
        assert_eq!(c.ghosts(Kind::Pod, None).count(), 0);
        assert_eq!(c.mark(Kind::Pod, &key("a"), SimTime(6000), w), None);
    }

    #[test]
    fn a_modified_new_row_stays_added_and_replace_kind_diffs_by_resource_version() {
        let mut c = Cache::new();
        c.apply(WatchEventType::Added, pod("a", "1"), SimTime(0));
        c.apply(WatchEventType::Modified, pod("a", "2"), SimTime(500));
        let w = Duration::from_secs(3);
        assert_eq!(
            c.mark(Kind::Pod, &key("a"), SimTime(500), w)
                .unwrap()
                .change,
            Change::Added
        );
        c.expire(SimTime(10_000), w);
        c.replace_kind(
            Kind::Pod,
            vec![pod("a", "2"), pod("b", "7")],
            SimTime(10_000),
        );
        assert_eq!(c.mark(Kind::Pod, &key("a"), SimTime(10_000), w), None);
        assert_eq!(
            c.mark(Kind::Pod, &key("b"), SimTime(10_000), w)
                .unwrap()
                .change,
            Change::Added
        );
        c.replace_kind(Kind::Pod, vec![pod("b", "8")], SimTime(11_000));
        assert_eq!(
            c.mark(Kind::Pod, &key("a"), SimTime(11_000), w)
                .unwrap()
                .change,
            Change::Deleted
        );
        assert_eq!(
            c.mark(Kind::Pod, &key("b"), SimTime(11_000), w)
                .unwrap()
                .change,
            Change::Added,
            "b changed again inside its window: still a new row"
        );
    }
}
