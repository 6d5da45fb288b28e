//! Events (`kind: Event`) as stored objects, with the aggregation the
//! client-go event recorder does: the same (object, reason, message, source)
//! bumps `count` and `lastTimestamp` instead of adding a new event.

use super::{Store, WriteOptions};
use crate::objects::kinds::Object;
use k8s_openapi::api::core::v1::{Event, EventSource as K8sEventSource, ObjectReference};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// Who reported an event (`source.component`, `source.host`).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct EventSource {
    pub component: String,
    pub host: Option<String>,
}

impl EventSource {
    pub fn new(component: &str) -> EventSource {
        EventSource {
            component: component.into(),
            host: None,
        }
    }
    pub fn on_host(component: &str, host: &str) -> EventSource {
        EventSource {
            component: component.into(),
            host: Some(host.into()),
        }
    }
}

/// Aggregation index: event key → (namespace, name) of the stored Event.
#[derive(Default)]
pub(super) struct EventIndex {
    by_key: BTreeMap<String, (String, String)>,
    seq: u64,
}

impl Store {
    /// Records a Normal or Warning event about `involved`.
    pub fn record_event(
        &mut self,
        involved: &Object,
        type_: &str,
        reason: &str,
        message: &str,
        source: &EventSource,
    ) {
        let m = involved.meta();
        let ns = m.namespace.clone().unwrap_or_else(|| "default".into());
        let name = m.name.clone().unwrap_or_default();
        let uid = m.uid.clone().unwrap_or_default();
        let key = format!(
            "{uid}\u{0}{reason}\u{0}{message}\u{0}{}\u{0}{type_}",
            source.component
        );
        let now = self.timestamp_secs();
        if let Some((ens, ename)) = self.events.by_key.get(&key).cloned() {
            if let Some(Object::Event(e)) = self
                .try_get(crate::objects::kinds::Kind::Event, &ens, &ename)
                .map(|a| (**a).clone())
            {
                let mut e = e;
                e.count = Some(e.count.unwrap_or(1) + 1);
                e.last_timestamp = Some(now);
                e.metadata.resource_version = None;
                let _ = self.update(Object::Event(e), &WriteOptions::default());
                return;
            }
        }
        self.events.seq += 1;
        // Event names are `<object>.<hex nanoseconds>` in client-go.
        let nanos = now.0.as_nanosecond() as u128 + self.events.seq as u128;
        let ev_name = format!("{name}.{nanos:x}");
        let info = involved.kind().info();
        let event = Event {
            metadata: ObjectMeta {
                name: Some(ev_name.clone()),
                namespace: Some(ns.clone()),
                ..Default::default()
            },
            involved_object: ObjectReference {
                api_version: Some(info.api_version()),
                kind: Some(info.kind.to_string()),
                name: Some(name),
                namespace: m.namespace.clone(),
                uid: m.uid.clone(),
                resource_version: m.resource_version.clone(),
                field_path: None,
            },
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            type_: Some(type_.to_string()),
            count: Some(1),
            first_timestamp: Some(now.clone()),
            last_timestamp: Some(now),
            source: Some(K8sEventSource {
                component: Some(source.component.clone()),
                host: source.host.clone(),
            }),
            reporting_component: Some(source.component.clone()),
            reporting_instance: Some(source.host.clone().unwrap_or_default()),
            ..Default::default()
        };
        if self
            .create(Object::Event(event), &WriteOptions::default())
            .is_ok()
        {
            self.events.by_key.insert(key, (ns, ev_name));
        }
    }
}
