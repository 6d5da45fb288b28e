//! The object store: the simulated apiserver and etcd in one.
//!
//! Everything that happens in the cluster is a write here, and every
//! component learns about the world from the watch history it keeps
//! (architecture principle 3). The operations mirror the apiserver's verbs so
//! that the HTTP front end is a thin translation: create, get, list, update,
//! update_status, patch, delete, bind, plus watch via [`Store::events_since`].

mod admission;
pub mod error;
mod events;
mod eviction;
mod fields;
pub mod load;
pub mod managed;
pub mod metrics;

pub use error::{ApiError, FieldError, Reason};
pub use events::EventSource;

use crate::objects::kinds::{Kind, KubeObject, Object};
use crate::objects::selectors::{FieldSelector, Selector};
use crate::sim::rng::SimRng;
use crate::sim::time::SimTime;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// ADDED, MODIFIED or DELETED, as a watch stream names them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum WatchEventType {
    Added,
    Modified,
    Deleted,
}

impl WatchEventType {
    pub fn as_str(self) -> &'static str {
        match self {
            WatchEventType::Added => "ADDED",
            WatchEventType::Modified => "MODIFIED",
            WatchEventType::Deleted => "DELETED",
        }
    }
}

/// One change in the store's history.
#[derive(Clone, Debug)]
pub struct WatchEvent {
    pub rv: u64,
    pub event_type: WatchEventType,
    /// The object after the change (for DELETED, its last state).
    pub object: Arc<Object>,
    /// The object before the change (MODIFIED and DELETED).
    pub old: Option<Arc<Object>>,
}

/// Options common to writes.
#[derive(Clone, Debug, Default)]
pub struct WriteOptions {
    /// Validate and admit but do not persist (`dryRun=All`).
    pub dry_run: bool,
    pub field_manager: Option<String>,
}

/// How a delete propagates to dependents (`propagationPolicy`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Propagation {
    #[default]
    Background,
    Foreground,
    Orphan,
}

/// `DeleteOptions` as far as the store uses them.
#[derive(Clone, Debug, Default)]
pub struct DeleteOptions {
    /// Overrides the object's grace period; `Some(0)` deletes at once.
    pub grace_period_seconds: Option<i64>,
    pub propagation: Option<Propagation>,
    pub dry_run: bool,
    /// `preconditions.uid`
    pub precondition_uid: Option<String>,
}

/// Options for list.
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    pub label_selector: Selector,
    pub field_selector: FieldSelector,
    /// Page size; 0 = everything.
    pub limit: usize,
    /// The `continue` token of the previous page.
    pub continue_token: Option<String>,
}

/// One page of a list.
#[derive(Clone, Debug)]
pub struct ListResult {
    pub items: Vec<Arc<Object>>,
    pub resource_version: u64,
    pub continue_token: Option<String>,
    pub remaining: Option<u64>,
}

/// Kinds of patch the apiserver accepts.
#[derive(Clone, Debug)]
pub enum Patch {
    /// `application/merge-patch+json` (RFC 7386).
    Merge(Value),
    /// `application/json-patch+json` (RFC 6902).
    Json(Value),
    /// `application/strategic-merge-patch+json`.
    Strategic(Value),
    /// `application/apply-patch+yaml` (server-side apply), with its field manager.
    Apply(Value, String),
}

/// The simulated apiserver's state.
pub struct Store {
    objects: Vec<BTreeMap<(String, String), Arc<Object>>>,
    rv: u64,
    history: VecDeque<WatchEvent>,
    history_limit: usize,
    /// Events with rv ≤ this were compacted away.
    compacted_rv: u64,
    now: SimTime,
    epoch: jiff::Timestamp,
    rng: SimRng,
    /// The Service IP and NodePort allocators' random stream (its own, so
    /// that creating Services does not shift generated names and UIDs).
    service_alloc_rng: SimRng,
    events: events::EventIndex,
    /// Every write, for the simulation's own event log.
    pub(crate) audit: Vec<String>,
    /// The resource metrics API's latest scrape (`metrics.k8s.io`).
    pub metrics: metrics::MetricsCache,
    /// Servers' backlogs as the network sees them (not an API object; the
    /// kubelet's prober reads it).
    pub load: load::LoadBoard,
}

impl Store {
    /// An empty store whose virtual time 0 is the wall instant `epoch`.
    pub fn new(seed: u64, epoch: jiff::Timestamp) -> Store {
        Store {
            objects: Kind::ALL.iter().map(|_| BTreeMap::new()).collect(),
            rv: 1000,
            history: VecDeque::new(),
            history_limit: 200_000,
            compacted_rv: 1000,
            now: SimTime::ZERO,
            epoch,
            rng: SimRng::stream(seed, "apiserver"),
            service_alloc_rng: SimRng::stream(seed, "apiserver-service-allocator"),
            events: Default::default(),
            audit: Vec::new(),
            metrics: Default::default(),
            load: load::LoadBoard::default(),
        }
    }

    /// Sets the current virtual time (the world does this before each event).
    pub fn set_now(&mut self, now: SimTime) {
        self.now = now;
    }
    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn epoch(&self) -> jiff::Timestamp {
        self.epoch
    }

    /// The wall-clock timestamp of virtual time `t`.
    pub fn timestamp_at(&self, t: SimTime) -> Time {
        Time(self.epoch + jiff::SignedDuration::from_millis(t.0 as i64))
    }
    /// The wall-clock timestamp of now.
    pub fn timestamp(&self) -> Time {
        self.timestamp_at(self.now)
    }
    /// Now, truncated to whole seconds, as most metav1.Time fields are.
    pub fn timestamp_secs(&self) -> Time {
        self.timestamp_at(SimTime(self.now.0 / 1000 * 1000))
    }

    /// The current resourceVersion (of the last write).
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// Limits how many watch events are kept; older ones are compacted.
    pub fn set_history_limit(&mut self, n: usize) {
        self.history_limit = n.max(1);
        self.compact();
    }

    // ----- reads -------------------------------------------------------

    fn table(&self, kind: Kind) -> &BTreeMap<(String, String), Arc<Object>> {
        &self.objects[kind as usize]
    }

    fn ns_key(kind: Kind, ns: &str) -> String {
        if kind.info().namespaced {
            ns.to_string()
        } else {
            String::new()
        }
    }

    /// Gets one object, or NotFound.
    pub fn get(&self, kind: Kind, ns: &str, name: &str) -> Result<&Arc<Object>, ApiError> {
        self.try_get(kind, ns, name)
            .ok_or_else(|| ApiError::not_found(kind, name))
    }

    pub fn try_get(&self, kind: Kind, ns: &str, name: &str) -> Option<&Arc<Object>> {
        self.table(kind)
            .get(&(Self::ns_key(kind, ns), name.to_string()))
    }

    /// Typed get: `store.get_as::<Pod>("default", "web")`.
    pub fn get_as<T: KubeObject>(&self, ns: &str, name: &str) -> Option<&T> {
        self.try_get(T::OBJECT_KIND, ns, name)
            .and_then(|o| T::from_object(o))
    }

    /// All objects of a kind (in one namespace, or all with `None`), ordered
    /// by namespace then name.
    pub fn iter(&self, kind: Kind, ns: Option<&str>) -> impl Iterator<Item = &Arc<Object>> + '_ {
        let t = self.table(kind);
        let range: Box<dyn Iterator<Item = Entry<'_>>> = match ns {
            Some(ns) if kind.info().namespaced => {
                let start = (ns.to_string(), String::new());
                let ns_owned = ns.to_string();
                Box::new(
                    t.range(start..)
                        .take_while(move |((n, _), _)| *n == ns_owned),
                )
            }
            _ => Box::new(t.iter()),
        };
        range.map(|(_, v)| v)
    }

    /// Typed iteration: `store.list_as::<Pod>(Some("default"))`.
    pub fn list_as<T: KubeObject>(&self, ns: Option<&str>) -> impl Iterator<Item = &T> + '_ {
        self.iter(T::OBJECT_KIND, ns)
            .filter_map(|o| T::from_object(o))
    }

    pub fn count(&self, kind: Kind) -> usize {
        self.table(kind).len()
    }

    /// List with selectors and paging, as `GET /api/v1/pods?...`.
    pub fn list(
        &self,
        kind: Kind,
        ns: Option<&str>,
        opts: &ListOptions,
    ) -> Result<ListResult, ApiError> {
        for r in &opts.field_selector.requirements {
            fields::check_supported(kind, &r.field)?;
        }
        let start_after: Option<(String, String)> = match &opts.continue_token {
            Some(tok) => Some(decode_continue(tok)?),
            None => None,
        };
        let mut items = Vec::new();
        let mut remaining = 0u64;
        let mut last_key = None;
        for obj in self.iter(kind, ns) {
            let m = obj.meta();
            let key = (
                m.namespace.clone().unwrap_or_default(),
                m.name.clone().unwrap_or_default(),
            );
            if let Some(after) = &start_after {
                if &key <= after {
                    continue;
                }
            }
            if !opts.label_selector.matches_opt(m.labels.as_ref()) {
                continue;
            }
            if !fields::matches(obj, &opts.field_selector) {
                continue;
            }
            if opts.limit > 0 && items.len() >= opts.limit {
                remaining += 1;
                continue;
            }
            last_key = Some(key);
            items.push(obj.clone());
        }
        let continue_token = if remaining > 0 {
            last_key.map(|k| encode_continue(&k))
        } else {
            None
        };
        Ok(ListResult {
            items,
            resource_version: self.rv,
            continue_token,
            remaining: if remaining > 0 { Some(remaining) } else { None },
        })
    }

    /// Whether `obj` passes the label and field selectors of `opts` (watch
    /// streams filter events with it, as list filters objects).
    pub fn selects(obj: &Object, opts: &ListOptions) -> bool {
        opts.label_selector.matches_opt(obj.meta().labels.as_ref())
            && fields::matches(obj, &opts.field_selector)
    }

    /// BadRequest for a field selector `kind` does not support.
    pub fn check_field_selector(kind: Kind, sel: &FieldSelector) -> Result<(), ApiError> {
        for r in &sel.requirements {
            fields::check_supported(kind, &r.field)?;
        }
        Ok(())
    }

    /// Watch events after `rv`, or 410 Expired when that history is gone.
    pub fn events_since(
        &self,
        rv: u64,
    ) -> Result<impl Iterator<Item = &WatchEvent> + '_, ApiError> {
        if rv < self.compacted_rv {
            return Err(ApiError::new(
                Reason::Expired,
                format!("too old resource version: {rv} ({})", self.compacted_rv + 1),
            ));
        }
        // History is sorted by rv: skip what the watcher has seen.
        let skip = self.history.partition_point(|e| e.rv <= rv);
        Ok(self.history.range(skip..))
    }

    // ----- writes ------------------------------------------------------

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    fn push_event(
        &mut self,
        event_type: WatchEventType,
        object: Arc<Object>,
        old: Option<Arc<Object>>,
    ) {
        let m = object.meta();
        self.audit.push(format!(
            "{} {} {} {}",
            self.now,
            event_type.as_str(),
            object.kind(),
            display_key(m.namespace.as_deref(), m.name.as_deref().unwrap_or(""))
        ));
        let rv = self.rv;
        self.history.push_back(WatchEvent {
            rv,
            event_type,
            object,
            old,
        });
        self.compact();
    }

    fn compact(&mut self) {
        while self.history.len() > self.history_limit {
            if let Some(e) = self.history.pop_front() {
                self.compacted_rv = e.rv;
            }
        }
    }

    fn key_of(obj: &Object) -> (String, String) {
        let m = obj.meta();
        (
            Self::ns_key(obj.kind(), m.namespace.as_deref().unwrap_or("")),
            m.name.clone().unwrap_or_default(),
        )
    }

    /// Runs `f` with the store drawing uids and name suffixes from `rng`
    /// instead of its own stream, then restores it. The apiserver's own
    /// bootstrap objects (the default RBAC policy) are created this way, so
    /// that adding one to the policy does not change the names and uids of
    /// everything users create afterwards.
    pub fn with_rng<R>(&mut self, rng: SimRng, f: impl FnOnce(&mut Store) -> R) -> R {
        let saved = std::mem::replace(&mut self.rng, rng);
        let out = f(self);
        self.rng = saved;
        out
    }

    /// Creates an object: admission (defaulting, validation, plugins), then
    /// uid, resourceVersion, creationTimestamp and generation.
    pub fn create(
        &mut self,
        mut obj: Object,
        opts: &WriteOptions,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = obj.kind();
        if kind.info().namespaced {
            let m = obj.meta_mut();
            if m.namespace.as_deref().unwrap_or("").is_empty() {
                m.namespace = Some("default".into());
            }
        } else {
            obj.meta_mut().namespace = None;
        }
        // generateName: the apiserver appends 5 random characters.
        if obj.meta().name.as_deref().unwrap_or("").is_empty() {
            if let Some(prefix) = obj.meta().generate_name.clone() {
                let suffix = self.rng.name_suffix(5);
                obj.meta_mut().name = Some(format!("{prefix}{suffix}"));
            }
        }
        self.admit(&mut obj, admission::Operation::Create, None)?;
        let key = Self::key_of(&obj);
        if self.table(kind).contains_key(&key) {
            return Err(ApiError::already_exists(kind, &key.1));
        }
        if kind.info().namespaced && kind != Kind::Event {
            match self.get_as::<k8s_openapi::api::core::v1::Namespace>("", &key.0) {
                None => {
                    return Err(ApiError::not_found(Kind::Namespace, &key.0));
                }
                Some(ns) if ns.metadata.deletion_timestamp.is_some() => {
                    return Err(ApiError::new(
                        Reason::Forbidden,
                        format!(
                            "{} \"{}\" is forbidden: unable to create new content in namespace {} because it is being terminated",
                            kind.info().group_resource(),
                            key.1,
                            key.0
                        ),
                    ));
                }
                _ => {}
            }
        }
        if let Some(manager) = opts.field_manager.as_deref() {
            self.record_manager(&mut obj, None, manager, managed::Scope::Main);
        }
        if opts.dry_run {
            let m = obj.meta_mut();
            m.creation_timestamp
                .get_or_insert_with(|| self.timestamp_secs());
            m.uid.get_or_insert_with(|| self.rng.uuid());
            admission::after_uid(&mut obj);
            return Ok(Arc::new(obj));
        }
        let uid = self.rng.uuid();
        let rv = self.next_rv();
        let created = self.timestamp_secs();
        let m = obj.meta_mut();
        m.uid = Some(uid);
        m.resource_version = Some(rv.to_string());
        // Bootstrap objects may carry an earlier creationTimestamp.
        if m.creation_timestamp.is_none() {
            m.creation_timestamp = Some(created);
        }
        m.deletion_timestamp = None;
        if has_spec(kind) {
            m.generation = Some(1);
        }
        admission::after_uid(&mut obj);
        let arc = Arc::new(obj);
        self.objects[kind as usize].insert(key, arc.clone());
        self.push_event(WatchEventType::Added, arc.clone(), None);
        Ok(arc)
    }

    /// Replaces an object (PUT). A non-empty, stale resourceVersion is a
    /// Conflict. The status of kinds with a status subresource is kept.
    pub fn update(&mut self, obj: Object, opts: &WriteOptions) -> Result<Arc<Object>, ApiError> {
        self.replace(obj, opts, UpdateKind::Main)
    }

    /// Replaces only the status (PUT .../status).
    pub fn update_status(
        &mut self,
        obj: Object,
        opts: &WriteOptions,
    ) -> Result<Arc<Object>, ApiError> {
        self.replace(obj, opts, UpdateKind::Status)
    }

    fn replace(
        &mut self,
        mut obj: Object,
        opts: &WriteOptions,
        which: UpdateKind,
    ) -> Result<Arc<Object>, ApiError> {
        let kind = obj.kind();
        if kind.info().namespaced && obj.meta().namespace.as_deref().unwrap_or("").is_empty() {
            obj.meta_mut().namespace = Some("default".into());
        }
        let key = Self::key_of(&obj);
        let old = self
            .table(kind)
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(kind, &key.1))?;
        let old_m = old.meta();
        if let Some(rv) = obj.meta().resource_version.as_deref() {
            if !rv.is_empty() && Some(rv) != old_m.resource_version.as_deref() {
                return Err(ApiError::conflict(kind, &key.1));
            }
        }
        // Fields the client may not change.
        {
            let m = obj.meta_mut();
            m.uid = old_m.uid.clone();
            m.creation_timestamp = old_m.creation_timestamp.clone();
            m.deletion_timestamp = old_m.deletion_timestamp.clone();
            m.deletion_grace_period_seconds = old_m.deletion_grace_period_seconds;
            m.generation = old_m.generation;
        }
        let mut json = obj.to_json();
        let old_json = old.to_json();
        let has_status_sub = kind.info().subresources.contains(&"status");
        match which {
            UpdateKind::Main if has_status_sub => {
                copy_field(&mut json, &old_json, "status");
            }
            UpdateKind::Status => {
                // Only status (and, as upstream allows, nothing else) changes.
                let mut base = old_json.clone();
                copy_field(&mut base, &json, "status");
                json = base;
            }
            _ => {}
        }
        let mut obj = kind
            .decode(json.clone())
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        if which == UpdateKind::Main {
            self.admit(&mut obj, admission::Operation::Update, Some(&old))?;
        }
        // generation bumps when anything outside metadata and status changes.
        let spec_changed = strip_meta_status(&obj.to_json()) != strip_meta_status(&old_json);
        if spec_changed && has_spec(kind) {
            let g = old.meta().generation.unwrap_or(1) + 1;
            obj.meta_mut().generation = Some(g);
        }
        // A write without managedFields keeps them (an empty list resets).
        if obj.meta().managed_fields.is_none() {
            obj.meta_mut().managed_fields = old.meta().managed_fields.clone();
        }
        if let Some(manager) = opts.field_manager.as_deref() {
            let scope = match which {
                UpdateKind::Status => managed::Scope::Status,
                UpdateKind::Main => managed::Scope::Main,
            };
            self.record_manager(&mut obj, Some(&old_json), manager, scope);
        }
        if opts.dry_run {
            return Ok(Arc::new(obj));
        }
        // Unchanged writes do not bump the resourceVersion (as etcd3 store).
        let mut probe = obj.clone();
        probe.meta_mut().resource_version = old.meta().resource_version.clone();
        if probe.to_json() == old_json {
            return Ok(old);
        }
        let rv = self.next_rv();
        obj.meta_mut().resource_version = Some(rv.to_string());
        // Finalizers removed from an object being deleted: it goes now. A
        // pod goes only once its kubelet confirmed the kill (grace 0), a
        // namespace once its spec.finalizers are done too.
        if obj.meta().deletion_timestamp.is_some()
            && obj.meta().finalizers.as_ref().is_none_or(|f| f.is_empty())
            && (kind != Kind::Pod || obj.meta().deletion_grace_period_seconds == Some(0))
            && !namespace_finalizing(&obj)
        {
            let arc = Arc::new(obj);
            self.objects[kind as usize].remove(&key);
            self.push_event(WatchEventType::Deleted, arc.clone(), Some(old));
            return Ok(arc);
        }
        let arc = Arc::new(obj);
        self.objects[kind as usize].insert(key, arc.clone());
        self.push_event(WatchEventType::Modified, arc.clone(), Some(old));
        Ok(arc)
    }

    /// Server-side apply (PATCH `application/apply-patch+yaml`): creates a
    /// missing object, else merges `config` into the live object with field
    /// ownership: a field another manager owns with another value is a 409
    /// Conflict unless `force`; fields `manager` applied before and omits
    /// now are pruned ([`managed::apply`]). Returns the object and whether
    /// it was created.
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        config: &Value,
        manager: &str,
        force: bool,
        opts: &WriteOptions,
        status: bool,
    ) -> Result<(Arc<Object>, bool), ApiError> {
        // The apply records its own entry, not an Update one.
        let opts = WriteOptions {
            field_manager: None,
            ..opts.clone()
        };
        let time = self.timestamp_secs();
        let api_version = kind.info().api_version();
        let scope = if status {
            managed::Scope::Status
        } else {
            managed::Scope::Main
        };
        // A missing object applies onto an empty one with no owners.
        let cur = self.try_get(kind, ns, name).cloned();
        let (live, entries) = match &cur {
            Some(c) => (
                c.to_json(),
                managed::entries(c.meta().managed_fields.as_ref()),
            ),
            None => (serde_json::json!({}), Vec::new()),
        };
        let out = managed::apply(
            &live,
            config,
            entries,
            manager,
            &api_version,
            time,
            scope,
            force,
        )?;
        if cur.is_none() {
            // Callers validated the configuration (fieldValidation).
            let mut obj = crate::objects::manifest::decode_as(kind, config.clone(), false)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
            obj.meta_mut().managed_fields = managed::to_meta(&out.entries);
            return Ok((self.create(obj, &opts)?, true));
        }
        let mut doc = out.object;
        doc["metadata"]["name"] = Value::String(name.to_string());
        if kind.info().namespaced {
            doc["metadata"]["namespace"] = Value::String(ns.to_string());
        }
        // Without a resourceVersion in the configuration there is no
        // optimistic concurrency check (as for any patch).
        if config["metadata"]["resourceVersion"].as_str().is_none() {
            doc["metadata"]["resourceVersion"] = Value::Null;
        }
        let mut obj = kind
            .decode(doc)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        obj.meta_mut().managed_fields = managed::to_meta(&out.entries);
        let written = if status {
            self.update_status(obj, &opts)?
        } else {
            self.update(obj, &opts)?
        };
        Ok((written, false))
    }

    /// Records an Update by `manager` in the object's managedFields
    /// (see [`managed`]).
    fn record_manager(
        &self,
        obj: &mut Object,
        old: Option<&Value>,
        manager: &str,
        scope: managed::Scope,
    ) {
        let entries = managed::entries(obj.meta().managed_fields.as_ref());
        let api_version = obj.kind().info().api_version();
        let entries = managed::record_update(
            entries,
            old,
            &obj.to_json(),
            manager,
            &api_version,
            self.timestamp_secs(),
            scope,
        );
        obj.meta_mut().managed_fields = managed::to_meta(&entries);
    }

    /// Applies `f` to a copy of the object and writes it back with `update`
    /// (or `update_status`): the read-modify-write controllers do.
    pub fn modify<T: KubeObject>(
        &mut self,
        ns: &str,
        name: &str,
        status: bool,
        f: impl FnOnce(&mut T),
    ) -> Result<Arc<Object>, ApiError> {
        let cur = self.get(T::OBJECT_KIND, ns, name)?;
        let mut obj = (**cur).clone();
        let typed = T::from_object_mut(&mut obj).expect("kind matches");
        f(typed);
        if status {
            self.update_status(obj, &WriteOptions::default())
        } else {
            self.update(obj, &WriteOptions::default())
        }
    }

    /// PATCH: applies the patch to the current object and updates it.
    pub fn patch(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        patch: &Patch,
        opts: &WriteOptions,
        status: bool,
    ) -> Result<Arc<Object>, ApiError> {
        if let Patch::Apply(v, manager) = patch {
            return Ok(self
                .apply(kind, ns, name, v, manager, false, opts, status)?
                .0);
        }
        let current = match self.try_get(kind, ns, name) {
            Some(o) => o.clone(),
            None => return Err(ApiError::not_found(kind, name)),
        };
        let mut doc = current.to_json();
        match patch {
            Patch::Merge(p) => json_patch::merge(&mut doc, p),
            Patch::Strategic(p) | Patch::Apply(p, _) => {
                crate::objects::patch::strategic_merge(&mut doc, p)
                    .map_err(ApiError::bad_request)?
            }
            Patch::Json(p) => {
                let ops: json_patch::Patch = serde_json::from_value(p.clone()).map_err(|e| {
                    ApiError::bad_request(format!("json: cannot unmarshal patch: {e}"))
                })?;
                json_patch::patch(&mut doc, &ops).map_err(|e| {
                    ApiError::new(
                        Reason::Invalid,
                        format!(
                            "the server rejected our request due to an error in our request: {e}"
                        ),
                    )
                })?;
            }
        }
        // The patch may not rename or move the object.
        doc["metadata"]["name"] = Value::String(name.to_string());
        if kind.info().namespaced {
            doc["metadata"]["namespace"] = Value::String(ns.to_string());
        }
        let obj = kind
            .decode(doc)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let mut obj = obj;
        // A patch is not subject to optimistic concurrency unless it names a version.
        if patch_names_rv(patch).is_none() {
            obj.meta_mut().resource_version = None;
        }
        if status {
            self.update_status(obj, opts)
        } else {
            self.update(obj, opts)
        }
    }

    /// DELETE. Pods on a node and objects with finalizers get a
    /// deletionTimestamp first; everything else goes at once. Returns the
    /// object as it stands after the call.
    pub fn delete(
        &mut self,
        kind: Kind,
        ns: &str,
        name: &str,
        opts: &DeleteOptions,
    ) -> Result<Arc<Object>, ApiError> {
        let key = (Self::ns_key(kind, ns), name.to_string());
        let cur = self
            .table(kind)
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(kind, name))?;
        if let Some(uid) = &opts.precondition_uid {
            if cur.meta().uid.as_deref() != Some(uid) {
                return Err(ApiError::new(
                    Reason::Conflict,
                    format!(
                        "Operation cannot be fulfilled on {} \"{name}\": Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                        kind.info().group_resource(),
                        cur.meta().uid.as_deref().unwrap_or("")
                    ),
                ));
            }
        }
        let grace = self.grace_period(&cur, opts);
        let mut finalizers = cur.meta().finalizers.clone().unwrap_or_default();
        if opts.propagation == Some(Propagation::Foreground)
            && !finalizers.iter().any(|f| f == "foregroundDeletion")
        {
            finalizers.push("foregroundDeletion".into());
        }
        if opts.propagation == Some(Propagation::Orphan)
            && !finalizers.iter().any(|f| f == "orphan")
        {
            finalizers.push("orphan".into());
        }
        let graceful = grace > 0 || !finalizers.is_empty() || namespace_finalizing(&cur);
        if opts.dry_run {
            return Ok(cur);
        }
        if graceful {
            let mut obj = (*cur).clone();
            let m = obj.meta_mut();
            let already = m.deletion_timestamp.is_some();
            if already && grace >= m.deletion_grace_period_seconds.unwrap_or(i64::MAX) {
                return Ok(cur); // a second delete cannot lengthen the grace period
            }
            if kind == Kind::Pod {
                m.deletion_timestamp = Some(
                    self.timestamp_at(SimTime(self.now.0 / 1000 * 1000 + grace as u64 * 1000)),
                );
                m.deletion_grace_period_seconds = Some(grace);
            } else {
                if !already {
                    m.deletion_timestamp = Some(self.timestamp_secs());
                }
                m.deletion_grace_period_seconds = Some(0);
            }
            m.finalizers = if finalizers.is_empty() {
                None
            } else {
                Some(finalizers)
            };
            if kind == Kind::Namespace {
                if let Object::Namespace(n) = &mut obj {
                    n.status.get_or_insert_with(Default::default).phase =
                        Some("Terminating".into());
                }
            }
            let rv = self.next_rv();
            obj.meta_mut().resource_version = Some(rv.to_string());
            let arc = Arc::new(obj);
            self.objects[kind as usize].insert(key, arc.clone());
            self.push_event(WatchEventType::Modified, arc.clone(), Some(cur));
            return Ok(arc);
        }
        self.remove(kind, &key);
        Ok(cur)
    }

    /// Removes an object at once (grace period over, finalizers done).
    fn remove(&mut self, kind: Kind, key: &(String, String)) -> Option<Arc<Object>> {
        let old = self.objects[kind as usize].remove(key)?;
        let rv = self.next_rv();
        let mut last = (*old).clone();
        last.meta_mut().resource_version = Some(rv.to_string());
        self.push_event(WatchEventType::Deleted, Arc::new(last), Some(old.clone()));
        Some(old)
    }

    fn grace_period(&self, obj: &Object, opts: &DeleteOptions) -> i64 {
        let Object::Pod(pod) = obj else { return 0 };
        // pkg/registry/core/pod/strategy.go CheckGracefulDelete: unscheduled
        // or terminal pods go at once.
        let phase = pod
            .status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("");
        let scheduled = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some_and(|n| !n.is_empty());
        if !scheduled || phase == "Succeeded" || phase == "Failed" {
            return 0;
        }
        let default = pod
            .spec
            .as_ref()
            .and_then(|s| s.termination_grace_period_seconds)
            .unwrap_or(30);
        opts.grace_period_seconds.unwrap_or(default).max(0)
    }

    /// Binds a pod to a node (POST pods/binding), as the scheduler does.
    pub fn bind(&mut self, ns: &str, pod: &str, node: &str) -> Result<Arc<Object>, ApiError> {
        let cur = self.get(Kind::Pod, ns, pod)?.clone();
        let Object::Pod(p) = &*cur else {
            unreachable!()
        };
        if p.spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .is_some_and(|n| !n.is_empty())
        {
            return Err(ApiError::new(
                Reason::Conflict,
                format!(
                    "Operation cannot be fulfilled on pods/binding \"{pod}\": pod {pod} is already assigned to node \"{}\"",
                    p.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default()
                ),
            ));
        }
        let mut p = p.clone();
        p.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
        let scheduled_at = self.timestamp_secs();
        let status = p.status.get_or_insert_with(Default::default);
        set_pod_condition(status, "PodScheduled", "True", None, scheduled_at);
        // Binding writes spec.nodeName and the condition in one step.
        let key = (ns.to_string(), pod.to_string());
        let rv = self.next_rv();
        p.metadata.resource_version = Some(rv.to_string());
        let arc = Arc::new(Object::Pod(p));
        self.objects[Kind::Pod as usize].insert(key, arc.clone());
        self.push_event(WatchEventType::Modified, arc.clone(), Some(cur));
        Ok(arc)
    }

    /// Removes a pod whose containers have stopped (the kubelet's final
    /// delete with grace 0). A pod that still has finalizers (a Job's
    /// `batch.kubernetes.io/job-tracking`) stays, with grace 0, until they
    /// are removed; the update that removes the last one deletes it.
    pub fn finalize_pod_deletion(&mut self, ns: &str, name: &str) -> Option<Arc<Object>> {
        let key = (ns.to_string(), name.to_string());
        let cur = self.table(Kind::Pod).get(&key).cloned()?;
        if cur
            .meta()
            .finalizers
            .as_ref()
            .is_some_and(|f| !f.is_empty())
        {
            let mut obj = (*cur).clone();
            let m = obj.meta_mut();
            if m.deletion_grace_period_seconds == Some(0) && m.deletion_timestamp.is_some() {
                return Some(cur);
            }
            m.deletion_timestamp
                .get_or_insert_with(|| self.timestamp_secs());
            m.deletion_grace_period_seconds = Some(0);
            let rv = self.next_rv();
            obj.meta_mut().resource_version = Some(rv.to_string());
            let arc = Arc::new(obj);
            self.objects[Kind::Pod as usize].insert(key, arc.clone());
            self.push_event(WatchEventType::Modified, arc.clone(), Some(cur));
            return Some(arc);
        }
        self.remove(Kind::Pod, &key)
    }

    /// Removes an object whose finalizers are done, regardless of kind.
    pub fn purge(&mut self, kind: Kind, ns: &str, name: &str) -> Option<Arc<Object>> {
        self.remove(kind, &(Self::ns_key(kind, ns), name.to_string()))
    }

    /// The writes so far, one line each, for the simulation's event log.
    pub fn audit_log(&self) -> &[String] {
        &self.audit
    }
}

type Entry<'a> = (&'a (String, String), &'a Arc<Object>);

#[derive(Copy, Clone, PartialEq, Eq)]
enum UpdateKind {
    Main,
    Status,
}

/// Kinds whose registry strategy tracks `metadata.generation` (set to 1
/// on create, bumped on spec changes). Not the kinds without a spec, nor
/// those whose strategies never set it: Node, Namespace, Service,
/// PersistentVolume(Claim), ResourceQuota, LimitRange, Lease
/// (pkg/registry/core/*/strategy.go `PrepareForCreate`; kubernetes#113961).
fn has_spec(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::Node
            | Kind::Namespace
            | Kind::Service
            | Kind::PersistentVolume
            | Kind::PersistentVolumeClaim
            | Kind::ResourceQuota
            | Kind::LimitRange
            | Kind::Lease
            | Kind::ConfigMap
            | Kind::Secret
            | Kind::Event
            | Kind::Endpoints
            | Kind::EndpointSlice
            | Kind::ServiceAccount
            | Kind::ControllerRevision
            | Kind::Role
            | Kind::ClusterRole
            | Kind::RoleBinding
            | Kind::ClusterRoleBinding
            | Kind::PriorityClass
            | Kind::StorageClass
    )
}

/// A namespace whose `spec.finalizers` (the namespace controller's
/// `kubernetes`) are not done yet stays while Terminating.
fn namespace_finalizing(obj: &Object) -> bool {
    match obj {
        Object::Namespace(n) => n
            .spec
            .as_ref()
            .and_then(|s| s.finalizers.as_ref())
            .is_some_and(|f| !f.is_empty()),
        _ => false,
    }
}

fn copy_field(dst: &mut Value, src: &Value, field: &str) {
    if let Some(obj) = dst.as_object_mut() {
        match src.get(field) {
            Some(v) => {
                obj.insert(field.to_string(), v.clone());
            }
            None => {
                obj.remove(field);
            }
        }
    }
}

fn strip_meta_status(v: &Value) -> Value {
    let mut v = v.clone();
    if let Some(o) = v.as_object_mut() {
        o.remove("metadata");
        o.remove("status");
    }
    v
}

fn patch_names_rv(p: &Patch) -> Option<&str> {
    match p {
        Patch::Merge(v) | Patch::Strategic(v) | Patch::Apply(v, _) => {
            v["metadata"]["resourceVersion"].as_str()
        }
        Patch::Json(_) => None,
    }
}

fn display_key(ns: Option<&str>, name: &str) -> String {
    match ns {
        Some(ns) if !ns.is_empty() => format!("{ns}/{name}"),
        _ => name.to_string(),
    }
}

fn encode_continue(key: &(String, String)) -> String {
    // Opaque to clients; hex keeps it URL-safe without another crate.
    let raw = format!("{}\u{0}{}", key.0, key.1);
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_continue(tok: &str) -> Result<(String, String), ApiError> {
    let bad = || {
        ApiError::bad_request("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    };
    if !tok.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes: Result<Vec<u8>, _> = (0..tok.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&tok[i..i + 2], 16))
        .collect();
    let s = String::from_utf8(bytes.map_err(|_| bad())?).map_err(|_| bad())?;
    let (a, b) = s.split_once('\u{0}').ok_or_else(bad)?;
    Ok((a.to_string(), b.to_string()))
}

/// Sets (or updates) a pod condition, moving lastTransitionTime only when
/// the status changes, as the kubelet's status manager does.
pub fn set_pod_condition(
    status: &mut k8s_openapi::api::core::v1::PodStatus,
    type_: &str,
    value: &str,
    reason: Option<&str>,
    at: Time,
) {
    use k8s_openapi::api::core::v1::PodCondition;
    let conds = status.conditions.get_or_insert_with(Vec::new);
    if let Some(c) = conds.iter_mut().find(|c| c.type_ == type_) {
        if c.status != value {
            c.status = value.to_string();
            c.last_transition_time = Some(at);
        }
        c.reason = reason.map(str::to_string);
        return;
    }
    conds.push(PodCondition {
        type_: type_.to_string(),
        status: value.to_string(),
        last_transition_time: Some(at),
        reason: reason.map(str::to_string),
        ..Default::default()
    });
}

#[cfg(test)]
mod tests;
