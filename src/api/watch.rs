//! Watch: chunked newline-delimited JSON events with the apiserver's
//! resourceVersion semantics (`k8s.io/apiserver/pkg/endpoints/handlers/watch.go`,
//! `pkg/storage/cacher`):
//!
//! - `resourceVersion` unset, `""` or `"0"`: synthetic ADDED events for every
//!   current matching object, then changes;
//! - `resourceVersion=N`: every change after N, or one ERROR 410 Expired
//!   event when N was compacted away;
//! - `timeoutSeconds` closes the stream cleanly, after a BOOKMARK when
//!   `allowWatchBookmarks=true`; `sendInitialEvents=true` ends the initial
//!   events with the `k8s.io/initial-events-end` bookmark;
//! - with the Table Accept (`kubectl get -w`) each event's object is a Table
//!   with one row (column definitions on the first event only).
//!
//! A stream never writes a non-chunked error once started: errors after the
//! first byte are ERROR events.

use super::handler::Ctx;
use super::read::{list_options, stopped};
use super::response::{negotiate, ApiResult, Wants};
use crate::objects::selectors::FieldRequirement;
use crate::objects::{Kind, Object};
use crate::printers::{self, IncludeObject};
use crate::sim::store::{ApiError, ListOptions, Store, WatchEventType};
use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// The apiserver's default watch length (`--min-request-timeout`, 1800 s).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

/// One event to send.
#[derive(Clone, Debug)]
pub struct Event {
    pub type_: &'static str,
    pub object: Arc<Object>,
}

/// How a stream encodes its events.
#[derive(Clone, Copy, Debug)]
pub struct Encoding {
    pub kind: Kind,
    pub wants: Wants,
}

/// One line of the stream: `{"type":"ADDED","object":{...}}\n`.
/// `first` adds the Table's column definitions.
pub fn encode_event(ev: &Event, enc: Encoding, now: jiff::Timestamp, first: bool) -> Vec<u8> {
    let object = match enc.wants {
        Wants::Object => ev.object.to_json(),
        Wants::Table(include) => table_event_object(enc.kind, &ev.object, now, include, first),
    };
    line(&json!({"type": ev.type_, "object": object}))
}

fn table_event_object(
    kind: Kind,
    obj: &Arc<Object>,
    now: jiff::Timestamp,
    include: IncludeObject,
    first: bool,
) -> Value {
    let rv: u64 = obj
        .meta()
        .resource_version
        .as_deref()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0);
    let mut t = printers::table(kind, std::slice::from_ref(obj), now).to_json(include, rv);
    if !first {
        t["columnDefinitions"] = json!([]);
    }
    t
}

fn line(v: &Value) -> Vec<u8> {
    let mut b = serde_json::to_vec(v).unwrap_or_default();
    b.push(b'\n');
    b
}

/// `{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"N"}}}`
pub fn bookmark(kind: Kind, rv: u64, initial_events_end: bool) -> Vec<u8> {
    let info = kind.info();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_events_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(&json!({"type": "BOOKMARK", "object": {
        "kind": info.kind, "apiVersion": info.api_version(), "metadata": meta}}))
}

/// `{"type":"ERROR","object":<Status>}`
pub fn error_event(e: &ApiError) -> Vec<u8> {
    line(&json!({"type": "ERROR", "object": e.to_status()}))
}

/// Filters one store change for a watcher: an object that moves into the
/// selection is ADDED, one that leaves it is DELETED (as the watch cache does).
pub fn filter(
    type_: WatchEventType,
    object: &Arc<Object>,
    old: Option<&Arc<Object>>,
    ns: Option<&str>,
    opts: &ListOptions,
) -> Option<Event> {
    if let Some(ns) = ns {
        if object.meta().namespace.as_deref().unwrap_or("") != ns {
            return None;
        }
    }
    let now_in = Store::selects(object, opts);
    let was_in = old.is_some_and(|o| Store::selects(o, opts));
    let t = match (type_, was_in, now_in) {
        (WatchEventType::Added, _, true) => "ADDED",
        (WatchEventType::Deleted, _, true) => "DELETED",
        (WatchEventType::Modified, true, true) => "MODIFIED",
        (WatchEventType::Modified, false, true) => "ADDED",
        (WatchEventType::Modified, true, false) => "DELETED",
        _ => return None,
    };
    Some(Event {
        type_: t,
        object: object.clone(),
    })
}

enum Start {
    /// Initial events (for rv unset/0), the cursor to follow from, now.
    Ok(Vec<Event>, u64, jiff::Timestamp),
    Expired(ApiError),
}

pub(crate) async fn watch(
    ctx: Ctx,
    kind: Kind,
    ns: Option<String>,
    name: Option<String>,
) -> ApiResult {
    let wants = negotiate(&ctx.accept, ctx.query.get("includeObject"))?;
    let mut opts = list_options(&ctx)?;
    opts.limit = 0;
    opts.continue_token = None;
    // A watch on a named path watches that one object.
    if let Some(n) = name {
        opts.field_selector.requirements.push(FieldRequirement {
            field: "metadata.name".into(),
            value: n,
            negate: false,
        });
    }
    Store::check_field_selector(kind, &opts.field_selector)?;
    let timeout = match ctx
        .query
        .int("timeoutSeconds")
        .map_err(ApiError::bad_request)?
    {
        Some(s) if s > 0 => Duration::from_secs(s as u64),
        _ => DEFAULT_TIMEOUT,
    };
    let bookmarks = ctx.query.flag("allowWatchBookmarks");
    let rv_param = ctx.query.get("resourceVersion").unwrap_or("").to_string();
    let send_initial = match ctx.query.get("sendInitialEvents") {
        Some(_) => ctx.query.flag("sendInitialEvents"),
        None => rv_param.is_empty() || rv_param == "0",
    };
    let from: Option<u64> =
        if rv_param.is_empty() || rv_param == "0" {
            None
        } else {
            Some(rv_param.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid resource version: {rv_param}"))
            })?)
        };
    let ns_filter = ns.clone().filter(|_| kind.info().namespaced);
    let start_opts = opts.clone();
    let start = ctx
        .app
        .sim
        .call_async(move |w| {
            let s = &w.store;
            let now = s.timestamp().0;
            if let Some(n) = from {
                if let Err(e) = s.events_since(n) {
                    return Ok(Start::Expired(e));
                }
            }
            let mut initial = Vec::new();
            if send_initial {
                let res = s.list(kind, ns_filter.as_deref(), &start_opts)?;
                initial = res
                    .items
                    .into_iter()
                    .map(|o| Event {
                        type_: "ADDED",
                        object: o,
                    })
                    .collect();
            }
            let cursor = match (send_initial, from) {
                (false, Some(n)) => n,
                _ => s.resource_version(),
            };
            Ok::<_, ApiError>(Start::Ok(initial, cursor, now))
        })
        .await
        .map_err(stopped)??;

    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    let enc = Encoding { kind, wants };
    let app = ctx.app.clone();
    tokio::spawn(async move {
        let (initial, mut cursor, now) = match start {
            Start::Expired(e) => {
                let _ = tx.send(Bytes::from(error_event(&e))).await;
                return;
            }
            Start::Ok(i, c, n) => (i, c, n),
        };
        let mut first = true;
        for ev in &initial {
            if tx
                .send(Bytes::from(encode_event(ev, enc, now, first)))
                .await
                .is_err()
            {
                return;
            }
            first = false;
        }
        if send_initial
            && bookmarks
            && from.is_none()
            && ctx.query.get("sendInitialEvents").is_some()
        {
            let _ = tx.send(Bytes::from(bookmark(kind, cursor, true))).await;
        }
        let ns_filter = ns.filter(|_| kind.info().namespaced);
        let mut changes = app.sim.changes();
        let mut shutdown = app.shutdown.clone();
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                r = changes.changed() => { if r.is_err() { return; } }
                _ = &mut deadline => break,
                _ = shutdown.wait_for(|v| *v) => return,
                _ = tx.closed() => return,
            }
            let o = opts.clone();
            let nsf = ns_filter.clone();
            let batch = app
                .sim
                .call_async(move |w| {
                    let s = &w.store;
                    let evs: Result<Vec<Event>, ApiError> = s.events_since(cursor).map(|it| {
                        it.filter(|e| e.object.kind() == kind)
                            .filter_map(|e| {
                                filter(e.event_type, &e.object, e.old.as_ref(), nsf.as_deref(), &o)
                            })
                            .collect()
                    });
                    (evs, s.resource_version(), s.timestamp().0)
                })
                .await;
            let Ok((evs, rv, now)) = batch else { return };
            match evs {
                Ok(evs) => {
                    for ev in &evs {
                        if tx
                            .send(Bytes::from(encode_event(ev, enc, now, first)))
                            .await
                            .is_err()
                        {
                            return;
                        }
                        first = false;
                    }
                    cursor = rv;
                }
                Err(e) => {
                    let _ = tx.send(Bytes::from(error_event(&e))).await;
                    return;
                }
            }
        }
        if bookmarks {
            let _ = tx.send(Bytes::from(bookmark(kind, cursor, false))).await;
        }
    });
    Ok(stream_response("application/json", rx))
}

/// A chunked response fed by `rx`; it ends when the sender is dropped.
pub(crate) fn stream_response(
    content_type: &str,
    rx: tokio::sync::mpsc::Receiver<Bytes>,
) -> Response {
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<Bytes, std::convert::Infallible>(b), rx))
    });
    let mut r = Response::new(Body::from_stream(stream));
    *r.status_mut() = StatusCode::OK;
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objects::selectors::Selector;

    fn pod(name: &str, app: &str, rv: u64) -> Arc<Object> {
        let p: k8s_openapi::api::core::v1::Pod = serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default", "labels": {"app": app},
                          "resourceVersion": rv.to_string(),
                          "creationTimestamp": "2026-11-23T09:00:00Z"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}
        }))
        .unwrap();
        Arc::new(Object::Pod(p))
    }

    #[test]
    fn events_are_single_lines_of_json() {
        let ev = Event {
            type_: "ADDED",
            object: pod("web", "web", 1005),
        };
        let enc = Encoding {
            kind: Kind::Pod,
            wants: Wants::Object,
        };
        let now: jiff::Timestamp = "2026-11-23T09:05:00Z".parse().unwrap();
        let b = encode_event(&ev, enc, now, true);
        assert_eq!(b.last(), Some(&b'\n'));
        assert_eq!(b.iter().filter(|c| **c == b'\n').count(), 1);
        let v: Value = serde_json::from_slice(&b).unwrap();
        assert_eq!(v["type"], "ADDED");
        assert_eq!(v["object"]["kind"], "Pod");
        assert_eq!(v["object"]["metadata"]["name"], "web");
        assert_eq!(
            String::from_utf8(bookmark(Kind::Deployment, 1006, false)).unwrap(),
            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"1006\"}}}\n"
        );
        let e: Value = serde_json::from_slice(&error_event(&ApiError::new(
            crate::sim::store::Reason::Expired,
            "too old resource version: 1 (1001)",
        )))
        .unwrap();
        assert_eq!(e["type"], "ERROR");
        assert_eq!(e["object"]["code"], 410);
        assert_eq!(e["object"]["reason"], "Expired");
    }

    #[test]
    fn table_events_carry_one_row_and_columns_only_first() {
        let ev = Event {
            type_: "MODIFIED",
            object: pod("web", "web", 1007),
        };
        let enc = Encoding {
            kind: Kind::Pod,
            wants: Wants::Table(IncludeObject::Metadata),
        };
        let now: jiff::Timestamp = "2026-11-23T09:05:00Z".parse().unwrap();
        let first: Value = serde_json::from_slice(&encode_event(&ev, enc, now, true)).unwrap();
        let later: Value = serde_json::from_slice(&encode_event(&ev, enc, now, false)).unwrap();
        assert_eq!(first["object"]["kind"], "Table");
        assert_eq!(first["object"]["rows"].as_array().unwrap().len(), 1);
        assert_eq!(first["object"]["rows"][0]["cells"][0], "web");
        assert_eq!(first["object"]["metadata"]["resourceVersion"], "1007");
        assert!(!first["object"]["columnDefinitions"]
            .as_array()
            .unwrap()
            .is_empty());
        assert!(later["object"]["columnDefinitions"]
            .as_array()
            .unwrap()
            .is_empty());
    }

    #[test]
    fn objects_moving_across_a_selector_are_added_or_deleted() {
        let opts = ListOptions {
            label_selector: Selector::parse("app=web").unwrap(),
            ..Default::default()
        };
        let web = pod("p", "web", 2);
        let db = pod("p", "db", 3);
        let t = |ty, o: &Arc<Object>, old: Option<&Arc<Object>>| {
            filter(ty, o, old, Some("default"), &opts).map(|e| e.type_)
        };
        assert_eq!(t(WatchEventType::Added, &web, None), Some("ADDED"));
        assert_eq!(t(WatchEventType::Added, &db, None), None);
        assert_eq!(t(WatchEventType::Modified, &web, Some(&db)), Some("ADDED"));
        assert_eq!(
            t(WatchEventType::Modified, &db, Some(&web)),
            Some("DELETED")
        );
        assert_eq!(
            t(WatchEventType::Modified, &web, Some(&web)),
            Some("MODIFIED")
        );
        assert_eq!(
            filter(WatchEventType::Added, &web, None, Some("other"), &opts).map(|e| e.type_),
            None
        );
    }
}
