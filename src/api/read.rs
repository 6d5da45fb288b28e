//! get and list, as objects or as server-side Tables
//! (`k8s.io/apiserver/pkg/endpoints/handlers/get.go`, `response.go`).

use super::handler::Ctx;
use super::response::{bytes_response, json_response, negotiate, ApiResult, Wants};
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::printers::{self, IncludeObject};
use crate::sim::store::{ApiError, ListOptions, ListResult};
use serde_json::{json, Value};
use std::sync::Arc;

/// Label and field selectors, `limit` and `continue` from the query.
pub(crate) fn list_options(ctx: &Ctx) -> Result<ListOptions, ApiError> {
    let label_selector = match ctx.query.get("labelSelector") {
        Some(s) => Selector::parse(s).map_err(ApiError::bad_request)?,
        None => Selector::everything(),
    };
    let field_selector = match ctx.query.get("fieldSelector") {
        Some(s) => FieldSelector::parse(s).map_err(ApiError::bad_request)?,
        None => FieldSelector::default(),
    };
    let limit = ctx
        .query
        .int("limit")
        .map_err(ApiError::bad_request)?
        .unwrap_or(0)
        .max(0) as usize;
    Ok(ListOptions {
        label_selector,
        field_selector,
        limit,
        continue_token: ctx
            .query
            .get("continue")
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    })
}

pub(crate) async fn get(ctx: Ctx, kind: Kind, ns: String, name: String) -> ApiResult {
    let wants = negotiate(&ctx.accept, ctx.query.get("includeObject"))?;
    let (obj, rv, now) = ctx
        .app
        .sim
        .call_async(move |w| {
            let s = &w.store;
            s.get(kind, &ns, &name)
                .cloned()
                .map(|o| (o, s.resource_version(), s.timestamp().0))
        })
        .await
        .map_err(stopped)??;
    Ok(match wants {
        Wants::Object => json_response(200, &obj.to_json()),
        Wants::Table(include) => json_response(
            200,
            &printers::table(kind, &[obj], now).to_json(include, rv),
        ),
    })
}

pub(crate) async fn list(ctx: Ctx, kind: Kind, ns: Option<String>) -> ApiResult {
    let wants = negotiate(&ctx.accept, ctx.query.get("includeObject"))?;
    let opts = list_options(&ctx)?;
    let (res, now) = ctx
        .app
        .sim
        .call_async(move |w| {
            w.store
                .list(kind, ns.as_deref(), &opts)
                .map(|r| (r, w.store.timestamp().0))
        })
        .await
        .map_err(stopped)??;
    Ok(match wants {
        Wants::Object => bytes_response(200, "application/json", list_bytes(kind, &res)),
        Wants::Table(include) => bytes_response(
            200,
            "application/json",
            table_bytes(kind, &res, now, include),
        ),
    })
}

/// `XxxList` JSON written item by item (lists of 10,000 pods stay cheap).
pub(crate) fn list_bytes(kind: Kind, res: &ListResult) -> Vec<u8> {
    let info = kind.info();
    let mut meta = json!({"resourceVersion": res.resource_version.to_string()});
    if let Some(c) = &res.continue_token {
        meta["continue"] = json!(c);
    }
    if let Some(n) = res.remaining {
        meta["remainingItemCount"] = json!(n);
    }
    let mut out = Vec::with_capacity(1024 * (res.items.len() + 1));
    out.extend_from_slice(
        format!(
            "{{\"kind\":\"{}List\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
            info.kind,
            info.api_version(),
            meta
        )
        .as_bytes(),
    );
    for (i, o) in res.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        o.write_json(&mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A list as a Table (kubectl get), written as bytes row by row.
pub(crate) fn table_bytes(
    kind: Kind,
    res: &ListResult,
    now: jiff::Timestamp,
    include: IncludeObject,
) -> Vec<u8> {
    let mut meta = json!({"resourceVersion": res.resource_version.to_string()});
    if let Some(c) = &res.continue_token {
        meta["continue"] = json!(c);
    }
    if let Some(n) = res.remaining {
        meta["remainingItemCount"] = json!(n);
    }
    let mut out = Vec::with_capacity(256 * (res.items.len() + 1));
    printers::table(kind, &res.items, now).write_json(include, &meta, &mut out);
    out
}

/// `{"kind":"PodList","apiVersion":"v1","metadata":{...},"items":[...]}`
pub(crate) fn list_json(kind: Kind, items: &[Arc<Object>], meta: Value) -> Value {
    let info = kind.info();
    let items: Vec<Value> = items.iter().map(|o| o.to_json()).collect();
    json!({
        "kind": format!("{}List", info.kind),
        "apiVersion": info.api_version(),
        "metadata": meta,
        "items": items,
    })
}

/// The simulation thread is gone (shutting down).
pub(crate) fn stopped(_: crate::sim::runner::Stopped) -> ApiError {
    ApiError::new(
        crate::sim::store::Reason::InternalError,
        "the simulation has stopped",
    )
}
