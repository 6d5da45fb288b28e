//! The one handler: parse the request, authorize it, dispatch by path and
//! verb. Any error becomes a `kind: Status` body; nothing here panics on
//! client input.

use super::authz::{self, Attributes, User};
use super::discovery::{self, ApiResource};
use super::path::{self, ApiPath, Query, ResourcePath};
use super::response::{
    bytes_response, error_response, json_response, method_not_allowed, not_found_resource,
    ApiResult,
};
use super::{metrics, openapi, read, subresources, watch, write, App, MAX_BODY_BYTES};
use crate::objects::Kind;
use crate::sim::store::{ApiError, Reason};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::Response;
use std::sync::Arc;

/// Everything a verb handler needs to know about the request.
pub(crate) struct Ctx {
    pub app: Arc<App>,
    pub method: Method,
    pub query: Query,
    pub accept: String,
    pub content_type: String,
    pub user: User,
    pub body: Bytes,
    /// The `User-Agent` header: the default field manager.
    pub user_agent: String,
}

impl Ctx {
    /// The field manager of a write: `?fieldManager=`, else the
    /// User-Agent up to its first `/` (`kubectl`, `OpenAPI-Generator`), as
    /// the apiserver's `prefixFromUserAgent` (handlers/rest.go).
    pub fn field_manager(&self) -> String {
        match self.query.get("fieldManager") {
            Some(m) if !m.is_empty() => m.to_string(),
            _ => {
                let ua = self.user_agent.split('/').next().unwrap_or("");
                ua.chars().take(128).collect()
            }
        }
    }

    pub fn dry_run(&self) -> Result<bool, ApiError> {
        dry_run_values(self.query.params.get("dryRun").map(Vec::as_slice))
    }
}

/// `dryRun` accepts only `All` (k8s.io/apiserver ... validation.go).
pub fn dry_run_values(v: Option<&[String]>) -> Result<bool, ApiError> {
    let Some(v) = v else { return Ok(false) };
    for d in v {
        if d != "All" {
            return Err(ApiError::bad_request(format!(
                "dryRun: Unsupported value: \"{d}\": supported values: \"All\""
            )));
        }
    }
    Ok(!v.is_empty())
}

pub(crate) async fn handle(State(app): State<Arc<App>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(&ApiError::new(
                Reason::RequestEntityTooLarge,
                "the request is too large: limit is 3145728 bytes",
            ))
        }
    };
    let ctx = Ctx {
        app,
        method: parts.method.clone(),
        query: Query::parse(parts.uri.query().unwrap_or("")),
        accept: header_str(&parts.headers, header::ACCEPT.as_str()),
        content_type: header_str(&parts.headers, header::CONTENT_TYPE.as_str()),
        user: authz::identify(&parts.headers),
        body,
        user_agent: header_str(&parts.headers, header::USER_AGENT.as_str()),
    };
    match route(ctx, parts.uri.path()).await {
        Ok(r) => r,
        Err(e) => error_response(&e),
    }
}

fn header_str(h: &HeaderMap, name: &str) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn route(ctx: Ctx, raw_path: &str) -> ApiResult {
    let p = path::parse(raw_path);
    let get_only = |ctx: &Ctx| {
        if ctx.method == Method::GET || ctx.method == Method::HEAD {
            Ok(())
        } else {
            Err(method_not_allowed(ctx.method.as_str(), raw_path))
        }
    };
    match p {
        ApiPath::Version => {
            get_only(&ctx)?;
            Ok(json_response(200, &discovery::version()))
        }
        ApiPath::Healthz => Ok(bytes_response(200, "text/plain", b"ok".to_vec())),
        ApiPath::CoreGroups | ApiPath::Groups => {
            get_only(&ctx)?;
            let core = matches!(p, ApiPath::CoreGroups);
            if discovery::wants_aggregated(&ctx.accept) {
                let body = serde_json::to_vec(&discovery::aggregated(core)).unwrap_or_default();
                Ok(bytes_response(
                    200,
                    discovery::AGGREGATED_CONTENT_TYPE,
                    body,
                ))
            } else if core {
                Ok(json_response(
                    200,
                    &discovery::api_versions(&ctx.app.server_address),
                ))
            } else {
                Ok(json_response(200, &discovery::api_group_list()))
            }
        }
        ApiPath::Group(g) => {
            get_only(&ctx)?;
            discovery::api_group_named(&g)
                .map(|v| json_response(200, &v))
                .ok_or_else(not_found_resource)
        }
        ApiPath::OpenApiV3Index => {
            get_only(&ctx)?;
            Ok(json_response(200, &openapi::index()))
        }
        ApiPath::OpenApiV3(g, v) => {
            get_only(&ctx)?;
            openapi::document(&g, &v)
                .map(|doc| bytes_response(200, "application/json", doc.to_vec()))
                .ok_or_else(not_found_resource)
        }
        ApiPath::OpenApiV2 | ApiPath::Unknown => Err(not_found_resource()),
        ApiPath::Resource(rp) => route_resource(ctx, rp).await,
    }
}

async fn route_resource(ctx: Ctx, rp: ResourcePath) -> ApiResult {
    if rp.resource.is_empty() {
        return discovery::resource_list(&rp.group, &rp.version)
            .map(|v| json_response(200, &v))
            .ok_or_else(not_found_resource);
    }
    let res =
        discovery::find(&rp.group, &rp.version, &rp.resource).ok_or_else(not_found_resource)?;
    // A namespace in the path of a cluster-scoped resource addresses nothing.
    if !res.namespaced && rp.namespace.is_some() {
        return Err(not_found_resource());
    }
    let verb = verb_of(&ctx, &rp);
    authz::authorize(
        &ctx,
        &Attributes {
            verb: verb.to_string(),
            group: rp.group.clone(),
            resource: rp.resource.clone(),
            subresource: rp.subresource.clone().unwrap_or_default(),
            namespace: rp.namespace.clone().unwrap_or_default(),
            name: rp.name.clone().unwrap_or_default(),
            path: String::new(),
        },
    )
    .await?;
    let Some(kind) = res.store_kind else {
        return route_virtual(ctx, res, rp).await;
    };
    if let Some(sub) = rp.subresource.clone() {
        if !res.subresources.iter().any(|s| s.name == sub) {
            return Err(not_found_resource());
        }
        return subresources::handle(ctx, kind, rp, &sub).await;
    }
    let ns = rp.namespace.clone();
    match (verb, rp.name.clone()) {
        ("get", Some(name)) => read::get(ctx, kind, ns.unwrap_or_default(), name).await,
        ("list", None) => read::list(ctx, kind, ns).await,
        ("watch", name) => watch::watch(ctx, kind, ns, name).await,
        ("create", None) => write::create(ctx, kind, ns.unwrap_or_default()).await,
        ("update", Some(name)) => {
            write::update(ctx, kind, ns.unwrap_or_default(), name, false).await
        }
        ("patch", Some(name)) => write::patch(ctx, kind, ns.unwrap_or_default(), name, false).await,
        ("delete", Some(name)) => write::delete(ctx, kind, ns.unwrap_or_default(), name).await,
        ("deletecollection", None) if kind != Kind::Namespace => {
            write::delete_collection(ctx, kind, ns).await
        }
        (v, _) => Err(method_not_allowed(v, &rp.resource)),
    }
}

/// The Kubernetes verb of a request (requestinfo.go).
pub fn verb_of(ctx: &Ctx, rp: &ResourcePath) -> &'static str {
    let named = rp.name.is_some();
    match ctx.method {
        Method::GET | Method::HEAD => {
            if ctx.query.flag("watch") {
                "watch"
            } else if named {
                "get"
            } else {
                "list"
            }
        }
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE => {
            if named {
                "delete"
            } else {
                "deletecollection"
            }
        }
        _ => "unknown",
    }
}

/// Resources with no stored objects: access reviews and metrics.
async fn route_virtual(ctx: Ctx, res: &'static ApiResource, rp: ResourcePath) -> ApiResult {
    match (res.group, ctx.method.clone()) {
        ("authorization.k8s.io", Method::POST) => authz::review(&ctx, res.kind).await,
        ("metrics.k8s.io", Method::GET) => metrics::handle(&ctx, res, &rp).await,
        _ => Err(method_not_allowed(ctx.method.as_str(), res.plural)),
    }
}
