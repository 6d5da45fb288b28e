//! Request paths and query strings, parsed as the apiserver's
//! `k8s.io/apiserver/pkg/endpoints/request/requestinfo.go` does: one parser
//! instead of one route per kind.

use std::collections::BTreeMap;

/// What a `/api/v1/...` or `/apis/GROUP/VERSION/...` path addresses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResourcePath {
    /// `""` for the core group.
    pub group: String,
    pub version: String,
    pub namespace: Option<String>,
    /// Empty for a group-version root (`/api/v1`, `/apis/apps/v1`).
    pub resource: String,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Every path the server understands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApiPath {
    Version,
    /// `/api` (core group discovery).
    CoreGroups,
    /// `/apis` (named group discovery).
    Groups,
    /// `/apis/GROUP` (one group).
    Group(String),
    /// Anything under a group-version.
    Resource(ResourcePath),
    OpenApiV3Index,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`: (group, version).
    OpenApiV3(String, String),
    OpenApiV2,
    Healthz,
    Unknown,
}

/// Parses a request path (without the query string).
pub fn parse(path: &str) -> ApiPath {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segs.as_slice() {
        ["version"] => ApiPath::Version,
        ["healthz"] | ["livez"] | ["readyz"] => ApiPath::Healthz,
        ["api"] => ApiPath::CoreGroups,
        ["apis"] => ApiPath::Groups,
        ["apis", g] => ApiPath::Group(g.to_string()),
        ["openapi", "v3"] => ApiPath::OpenApiV3Index,
        ["openapi", "v3", "api", v] => ApiPath::OpenApiV3(String::new(), v.to_string()),
        ["openapi", "v3", "apis", g, v] => ApiPath::OpenApiV3(g.to_string(), v.to_string()),
        ["openapi", "v2"] | ["swagger.json"] => ApiPath::OpenApiV2,
        ["api", v, rest @ ..] => resource_path("", v, rest),
        ["apis", g, v, rest @ ..] => resource_path(g, v, rest),
        _ => ApiPath::Unknown,
    }
}

fn resource_path(group: &str, version: &str, rest: &[&str]) -> ApiPath {
    let mut p = ResourcePath {
        group: group.to_string(),
        version: version.to_string(),
        ..Default::default()
    };
    // `namespaces/NS/RESOURCE/...` is namespaced; `namespaces/NS` and
    // `namespaces/NS/status|finalize` address the Namespace object itself.
    let rest = match rest {
        ["namespaces", ns, resource, tail @ ..] if !is_namespace_subresource(resource) => {
            p.namespace = Some(decode(ns));
            p.resource = resource.to_string();
            tail
        }
        [resource, tail @ ..] => {
            p.resource = resource.to_string();
            tail
        }
        [] => return ApiPath::Resource(p),
    };
    match rest {
        [] => {}
        [name] => p.name = Some(decode(name)),
        [name, sub] => {
            p.name = Some(decode(name));
            p.subresource = Some(sub.to_string());
        }
        _ => return ApiPath::Unknown,
    }
    ApiPath::Resource(p)
}

fn is_namespace_subresource(s: &str) -> bool {
    matches!(s, "status" | "finalize")
}

/// Percent-decoding (paths and query strings); `+` is a space in queries.
pub fn decode(s: &str) -> String {
    percent_decode(s, false)
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed query string. Repeated keys keep every value (`dryRun=All&dryRun=All`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query {
    pub params: BTreeMap<String, Vec<String>>,
}

impl Query {
    pub fn parse(q: &str) -> Query {
        let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for pair in q.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            params
                .entry(percent_decode(k, true))
                .or_default()
                .push(percent_decode(v, true));
        }
        Query { params }
    }
    pub fn get(&self, k: &str) -> Option<&str> {
        self.params
            .get(k)
            .and_then(|v| v.first())
            .map(String::as_str)
    }
    /// Go's strconv.ParseBool as the apiserver applies it to `watch=1`.
    pub fn flag(&self, k: &str) -> bool {
        matches!(
            self.get(k),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True")
        )
    }
    pub fn int(&self, k: &str) -> Result<Option<i64>, String> {
        match self.get(k) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| format!("invalid value {v:?} for {k}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(path: &str) -> ResourcePath {
        match parse(path) {
            ApiPath::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn core_and_group_paths() {
        let p = rp("/api/v1/namespaces/default/pods/web/log");
        assert_eq!(p.group, "");
        assert_eq!(p.version, "v1");
        assert_eq!(p.namespace.as_deref(), Some("default"));
        assert_eq!(p.resource, "pods");
        assert_eq!(p.name.as_deref(), Some("web"));
        assert_eq!(p.subresource.as_deref(), Some("log"));

        let p = rp("/apis/apps/v1/namespaces/ns1/deployments/web/scale");
        assert_eq!(
            (
                p.group.as_str(),
                p.resource.as_str(),
                p.subresource.as_deref()
            ),
            ("apps", "deployments", Some("scale"))
        );
        let p = rp("/apis/apps/v1/deployments");
        assert_eq!(p.namespace, None);
        assert_eq!(p.name, None);
        assert_eq!(rp("/api/v1").resource, "");
    }

    #[test]
    fn namespaces_themselves() {
        // requestinfo.go: `namespaces/NAME` is the namespace, not a scope.
        let p = rp("/api/v1/namespaces/kube-system");
        assert_eq!(p.namespace, None);
        assert_eq!(p.resource, "namespaces");
        assert_eq!(p.name.as_deref(), Some("kube-system"));
        let p = rp("/api/v1/namespaces/x/status");
        assert_eq!(
            (
                p.resource.as_str(),
                p.name.as_deref(),
                p.subresource.as_deref()
            ),
            ("namespaces", Some("x"), Some("status"))
        );
        assert_eq!(rp("/api/v1/namespaces").resource, "namespaces");
    }

    #[test]
    fn discovery_and_openapi_paths() {
        assert_eq!(parse("/version"), ApiPath::Version);
        assert_eq!(parse("/api"), ApiPath::CoreGroups);
        assert_eq!(parse("/apis/"), ApiPath::Groups);
        assert_eq!(parse("/apis/apps"), ApiPath::Group("apps".into()));
        assert_eq!(parse("/openapi/v3"), ApiPath::OpenApiV3Index);
        assert_eq!(
            parse("/openapi/v3/apis/apps/v1"),
            ApiPath::OpenApiV3("apps".into(), "v1".into())
        );
        assert_eq!(
            parse("/openapi/v3/api/v1"),
            ApiPath::OpenApiV3("".into(), "v1".into())
        );
        assert_eq!(parse("/foo"), ApiPath::Unknown);
        assert_eq!(parse("/api/v1/namespaces/a/pods/b/c/d"), ApiPath::Unknown);
    }

    #[test]
    fn queries_decode_like_url_values() {
        let q = Query::parse("labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1&dryRun=All&limit=500");
        assert_eq!(q.get("labelSelector"), Some("app=web,tier in (a)"));
        assert!(q.flag("watch"));
        assert!(!q.flag("follow"));
        assert_eq!(q.int("limit"), Ok(Some(500)));
        assert!(q.int("dryRun").is_err());
        assert_eq!(decode("a%2Fb%"), "a/b%");
    }
}
