//! The Docker registry image (distribution/distribution 2.8), as the
//! workshop's Configuration chapter uses it (container.training
//! slides/k8s/configuration.md, k8s/registry.yaml): it listens on
//! `REGISTRY_HTTP_ADDR` (default `:5000`), here set from a ConfigMap key,
//! and an empty registry's `/v2/_catalog` lists no repositories.

use super::http::{http_date, HttpResponse};
use crate::sim::store::Store;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use std::borrow::Cow;

/// The port in `REGISTRY_HTTP_ADDR` (`0.0.0.0:80`, `:5000`), else 5000.
pub fn port(env: &[(String, String)]) -> u16 {
    env.iter()
        .find(|(k, _)| k == "REGISTRY_HTTP_ADDR")
        .and_then(|(_, v)| v.rsplit_once(':'))
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(5000)
}

/// The pod with its `configMapKeyRef` environment variables resolved to
/// values, as the kubelet resolves them when it starts the container
/// (pkg/kubelet/kubelet_pods.go `makeEnvironmentVariables`).
/// Borrowed as it is when no variable refers to a ConfigMap (almost every
/// pod: this runs on every pod event the network sees).
pub fn with_config_env<'a>(store: &Store, pod: &'a Pod) -> Cow<'a, Pod> {
    let refers = pod
        .spec
        .iter()
        .flat_map(|s| &s.containers)
        .flat_map(|c| c.env.iter().flatten())
        .any(|e| {
            e.value_from
                .as_ref()
                .is_some_and(|v| v.config_map_key_ref.is_some())
        });
    if !refers {
        return Cow::Borrowed(pod);
    }
    let mut pod = pod.clone();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    if let Some(spec) = pod.spec.as_mut() {
        for c in spec.containers.iter_mut() {
            for e in c.env.iter_mut().flatten() {
                let Some(r) = e
                    .value_from
                    .as_ref()
                    .and_then(|v| v.config_map_key_ref.as_ref())
                else {
                    continue;
                };
                let value = store
                    .get_as::<ConfigMap>(&ns, &r.name)
                    .and_then(|cm| cm.data.as_ref()?.get(&r.key).cloned());
                if value.is_some() {
                    e.value = value;
                }
            }
        }
    }
    Cow::Owned(pod)
}

/// The registry's answer to `GET path`.
pub fn serve(path: &str, now: jiff::Timestamp) -> HttpResponse {
    let json = |status: u16, body: &str| {
        HttpResponse::new(status)
            .h("Content-Type", "application/json; charset=utf-8")
            .h("Docker-Distribution-Api-Version", "registry/2.0")
            .h("X-Content-Type-Options", "nosniff")
            .h("Date", http_date(now))
            .body(body.to_string())
    };
    match path {
        "/v2/_catalog" => json(200, "{\"repositories\":[]}\n"),
        "/v2/" | "/v2" => json(200, "{}"),
        "/" => HttpResponse::new(200)
            .h("Cache-Control", "no-cache")
            .h("Date", http_date(now)),
        _ => HttpResponse::new(404)
            .h("Content-Type", "text/plain; charset=utf-8")
            .h("X-Content-Type-Options", "nosniff")
            .h("Date", http_date(now))
            .body("404 page not found\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// distribution's configuration: `http.addr` is host:port, default `:5000`.
    #[test]
    fn listens_on_the_configured_address() {
        let env = |v: &str| vec![("REGISTRY_HTTP_ADDR".to_string(), v.to_string())];
        assert_eq!(port(&env("0.0.0.0:80")), 80);
        assert_eq!(port(&env(":5001")), 5001);
        assert_eq!(port(&[]), 5000);
        assert_eq!(port(&env("garbage")), 5000);
    }
}
