//! Requests through the router (no socket): errors, patch types, writes
//! that must not half-apply, watch expiry, subresources. Expected messages
//! follow the apiserver's (`staging/src/k8s.io/apiserver/pkg/endpoints/handlers`).

use super::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

fn app() -> (axum::Router, SimHandle) {
    let world = crate::cluster::workshop_world(3);
    let sim = runner::spawn(world, Pacing::Paced { speed: 1.0 });
    sim.pause();
    let (_tx, rx) = tokio::sync::watch::channel(false);
    // Keep the sender alive for the test's duration.
    std::mem::forget(_tx);
    let app = Arc::new(App {
        sim: sim.clone(),
        server_address: "127.0.0.1:0".into(),
        shutdown: rx,
    });
    (router(app), sim)
}

async fn send(
    r: &axum::Router,
    method: &str,
    uri: &str,
    ct: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value, axum::http::HeaderMap) {
    let mut req = Request::builder().method(method).uri(uri);
    if !ct.is_empty() {
        req = req.header("content-type", ct);
    }
    let resp = r
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    let v = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, v, headers)
}

const JSON: &str = "application/json";

fn pod_body(name: &str) -> String {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": "web"}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    .to_string()
}

#[tokio::test]
async fn bad_requests_get_statuses_and_change_nothing() {
    let (r, sim) = app();
    let rv0 = sim.call(|w| w.store.resource_version());
    let pods = "/api/v1/namespaces/default/pods";
    let (s, v, _) = send(&r, "POST", pods, JSON, "{not json").await;
    assert_eq!(s, 400);
    assert_eq!(v["kind"], "Status");
    assert_eq!(v["reason"], "BadRequest");
    let (s, v, _) = send(&r, "POST", pods, "text/csv", "a,b").await;
    assert_eq!(
        (s.as_u16(), v["reason"].as_str()),
        (415, Some("UnsupportedMediaType"))
    );
    let big = format!("{{\"x\":\"{}\"}}", "a".repeat(MAX_BODY_BYTES));
    let (s, v, _) = send(&r, "POST", pods, JSON, big).await;
    assert_eq!(
        (s.as_u16(), v["reason"].as_str()),
        (413, Some("RequestEntityTooLarge"))
    );
    let (s, v, _) = send(&r, "GET", "/api/v1/namespaces/default/foos", "", "").await;
    assert_eq!(s, 404);
    assert_eq!(
        v["message"],
        "the server could not find the requested resource"
    );
    let body = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"},
                      "spec": {"containers": [{"name": "c", "image": "nginx"}], "bogus": 1}});
    let (s, v, _) = send(
        &r,
        "POST",
        &format!("{pods}?fieldValidation=Strict"),
        JSON,
        body.to_string(),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(
        v["message"],
        "Pod in version \"v1\" cannot be handled as a Pod: strict decoding error: unknown field \"spec.bogus\""
    );
    // Warn (the default) creates and warns.
    let (s, _, h) = send(&r, "POST", pods, JSON, body.to_string()).await;
    assert_eq!(s, 201);
    assert_eq!(h["warning"], "299 - \"unknown field \\\"spec.bogus\\\"\"");
    let (s, _, _) = send(&r, "DELETE", &format!("{pods}/x"), "", "").await;
    assert_eq!(s, 200);
    // Nothing but the Warn create and its delete was written.
    let rv1 = sim.call(|w| w.store.resource_version());
    assert_eq!(rv1, rv0 + 2);
    let (s, _, _) = send(&r, "PUT", "/version", JSON, "{}").await;
    assert_eq!(s, 405);
}

#[tokio::test]
async fn four_patch_types_and_optimistic_concurrency() {
    let (r, _sim) = app();
    let pods = "/api/v1/namespaces/default/pods";
    let (s, created, _) = send(&r, "POST", pods, "", pod_body("web")).await;
    assert_eq!(s, 201, "{created}");
    let url = format!("{pods}/web");
    let (s, v, _) = send(
        &r,
        "PATCH",
        &url,
        "application/merge-patch+json",
        r#"{"metadata":{"labels":{"tier":"fe"}}}"#,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["metadata"]["labels"], json!({"app": "web", "tier": "fe"}));
    let (s, v, _) = send(
        &r,
        "PATCH",
        &url,
        "application/json-patch+json",
        r#"[{"op":"remove","path":"/metadata/labels/tier"}]"#,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["metadata"]["labels"], json!({"app": "web"}));
    let (s, v, _) = send(
        &r,
        "PATCH",
        &url,
        "application/strategic-merge-patch+json",
        r#"{"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}"#,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["spec"]["containers"][0]["image"], "nginx:1.27");
    let (s, v, _) = send(
        &r,
        "PATCH",
        &url,
        "application/apply-patch+yaml",
        pod_body("web"),
    )
    .await;
    assert_eq!(s.as_u16(), 422, "fieldManager is required: {v}");
    // Server-side apply creates what is missing, with managedFields.
    let (s, v, _) = send(&r, "PATCH", &format!("{pods}/ssa?fieldManager=me"), "application/apply-patch+yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ssa\nspec:\n  containers:\n  - name: c\n    image: nginx\n").await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["metadata"]["managedFields"][0]["manager"], "me");
    assert_eq!(v["metadata"]["managedFields"][0]["operation"], "Apply");
    let (s, _, _) = send(&r, "PATCH", &url, "text/plain", "x").await;
    assert_eq!(s, 415);
    // PUT with a stale resourceVersion conflicts.
    let mut stale = created.clone();
    stale["metadata"]["labels"] = json!({"x": "y"});
    let (s, v, _) = send(&r, "PUT", &url, JSON, stale.to_string()).await;
    assert_eq!(s, 409);
    assert_eq!(v["reason"], "Conflict");
    let (s, v, _) = send(&r, "PUT", &format!("{pods}/other"), JSON, stale.to_string()).await;
    assert_eq!(s, 400, "{v}");
}

#[tokio::test]
async fn dry_run_delete_and_deletecollection() {
    let (r, _sim) = app();
    let pods = "/api/v1/namespaces/default/pods";
    for n in ["a", "b"] {
        send(&r, "POST", pods, JSON, pod_body(n)).await;
    }
    let (s, _, _) = send(
        &r,
        "DELETE",
        &format!("{pods}/a"),
        JSON,
        r#"{"dryRun":["All"]}"#,
    )
    .await;
    assert_eq!(s, 200);
    let (s, _, _) = send(&r, "GET", &format!("{pods}/a"), "", "").await;
    assert_eq!(s, 200, "dry run kept the pod");
    let (s, v, _) = send(
        &r,
        "DELETE",
        &format!("{pods}/a"),
        JSON,
        r#"{"propagationPolicy":"Sideways"}"#,
    )
    .await;
    assert_eq!(s, 400, "{v}");
    let (s, v, _) = send(
        &r,
        "DELETE",
        &format!("{pods}?labelSelector=app%3Dweb"),
        "",
        "",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["items"].as_array().unwrap().len(), 2);
    let (_, v, _) = send(&r, "GET", pods, "", "").await;
    assert_eq!(v["kind"], "PodList");
    assert!(v["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn watch_from_a_compacted_version_is_410() {
    let (r, sim) = app();
    sim.call(|w| w.store.set_history_limit(1));
    for n in ["a", "b", "c"] {
        send(
            &r,
            "POST",
            "/api/v1/namespaces/default/pods",
            JSON,
            pod_body(n),
        )
        .await;
    }
    let (s, v, _) = send(
        &r,
        "GET",
        "/api/v1/namespaces/default/pods?watch=1&resourceVersion=1001",
        "",
        "",
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["type"], "ERROR");
    assert_eq!(v["object"]["code"], 410);
    assert_eq!(v["object"]["reason"], "Expired");
}

#[tokio::test]
async fn scale_eviction_reviews_and_discovery() {
    let (r, _sim) = app();
    let dep = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let (s, _, _) = send(
        &r,
        "POST",
        "/apis/apps/v1/namespaces/default/deployments",
        JSON,
        dep.to_string(),
    )
    .await;
    assert_eq!(s, 201);
    let scale = "/apis/apps/v1/namespaces/default/deployments/web/scale";
    let (s, v, _) = send(&r, "GET", scale, "", "").await;
    assert_eq!(s, 200);
    assert_eq!(v["spec"]["replicas"], 2);
    assert_eq!(v["status"]["selector"], "app=web");
    let (s, v, _) = send(
        &r,
        "PATCH",
        scale,
        "application/merge-patch+json",
        r#"{"spec":{"replicas":3}}"#,
    )
    .await;
    assert_eq!((s.as_u16(), v["spec"]["replicas"].as_i64()), (200, Some(3)));
    let (s, v, _) = send(&r, "PUT", scale, JSON, r#"{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web"},"spec":{"replicas":-1}}"#).await;
    assert_eq!(s, 422, "{v}");

    // A ready pod covered by a budget that allows no disruption: 429.
    send(
        &r,
        "POST",
        "/api/v1/namespaces/default/pods",
        JSON,
        pod_body("p1"),
    )
    .await;
    _sim.call(|w| {
        w.store
            .modify::<k8s_openapi::api::core::v1::Pod>("default", "p1", true, |p| {
                let st = p.status.get_or_insert_with(Default::default);
                st.phase = Some("Running".into());
                st.conditions = Some(vec![k8s_openapi::api::core::v1::PodCondition {
                    type_: "Ready".into(),
                    status: "True".into(),
                    ..Default::default()
                }]);
            })
            .unwrap();
    });
    let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "pdb"},
                     "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}});
    let (s, _, _) = send(
        &r,
        "POST",
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
        JSON,
        pdb.to_string(),
    )
    .await;
    assert_eq!(s, 201);
    let ev = r#"{"kind":"Eviction","apiVersion":"policy/v1","metadata":{"name":"p1","namespace":"default"},"deleteOptions":{}}"#;
    let (s, v, _) = send(
        &r,
        "POST",
        "/api/v1/namespaces/default/pods/p1/eviction",
        JSON,
        ev,
    )
    .await;
    assert_eq!(s, 429, "{v}");
    assert_eq!(
        v["message"],
        "Cannot evict pod as it would violate the pod's disruption budget."
    );
    send(
        &r,
        "DELETE",
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets/pdb",
        "",
        "",
    )
    .await;
    let (s, v, _) = send(
        &r,
        "POST",
        "/api/v1/namespaces/default/pods/p1/eviction",
        JSON,
        ev,
    )
    .await;
    assert_eq!(s, 201, "{v}");

    let ssar = r#"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"verb":"create","resource":"pods","namespace":"default"}}}"#;
    let (s, v, _) = send(
        &r,
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        JSON,
        ssar,
    )
    .await;
    assert_eq!(s, 201);
    assert_eq!(v["status"]["allowed"], true);

    let resp = r
        .clone()
        .oneshot(
            Request::builder()
                .uri("/apis")
                .header("accept", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-type"],
        discovery::AGGREGATED_CONTENT_TYPE
    );
    let (s, v, _) = send(&r, "GET", "/apis", "", "").await;
    assert_eq!(s, 200);
    assert_eq!(v["kind"], "APIGroupList");
    let (s, v, _) = send(
        &r,
        "POST",
        "/api/v1/namespaces/default/pods/p2/exec",
        "",
        "",
    )
    .await;
    assert_eq!(s, 400);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .starts_with("kubesim does not support exec yet"));
}

/// `kubectl logs` through the API shows what the container's traffic made
/// it write (here rng's werkzeug access line), merged with the kubelet's
/// lines, exactly as the REPL's `kubectl logs` does.
#[tokio::test]
async fn pod_logs_include_the_containers_traffic_lines() {
    let (r, sim) = app();
    let body = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "rng", "labels": {"app": "rng"}},
        "spec": {"containers": [{"name": "rng", "image": "dockercoins/rng:v0.1"}]}})
    .to_string();
    let (s, _, _) = send(&r, "POST", "/api/v1/namespaces/default/pods", JSON, body).await;
    assert_eq!(s, 201);
    let out = sim.call(|w| {
        w.advance(std::time::Duration::from_secs(60));
        let ip = w
            .store
            .get_as::<k8s_openapi::api::core::v1::Pod>("default", "rng")
            .and_then(|p| p.status.as_ref().and_then(|s| s.pod_ip.clone()))
            .expect("rng is running");
        let from = crate::net::tools::Origin::Node("node1".into());
        let url = format!("http://{ip}/");
        let out = crate::net::tools::curl(w, &from, &url, &Default::default());
        w.advance(std::time::Duration::from_secs(1));
        out
    });
    assert_eq!(out.code, 0, "{}", out.stderr);
    let (s, v, _) = send(&r, "GET", "/api/v1/namespaces/default/pods/rng/log", "", "").await;
    assert_eq!(s, 200);
    let log = v.as_str().expect("plain text").to_string();
    assert!(log.contains("\"GET / HTTP/1.1\" 200"), "{log}");
    // The REPL's `kubectl logs` prints the same lines.
    let repl = sim.call(|w| crate::net::container_logs(w, "default", "rng", "rng", false));
    let repl: Vec<String> = repl.unwrap().into_iter().map(|l| l.text).collect();
    assert_eq!(log.lines().collect::<Vec<_>>(), repl);
}
