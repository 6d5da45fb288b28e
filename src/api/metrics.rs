//! `metrics.k8s.io/v1beta1`: NodeMetrics and PodMetrics for `kubectl top`
//! (`sigs.k8s.io/metrics-server/pkg/api`). Usage comes from the kubelet's
//! model of what each container's behaviour uses.

use super::discovery::ApiResource;
use super::handler::Ctx;
use super::path::ResourcePath;
use super::read::{list_options, stopped};
use super::response::{json_response, ApiResult};
use crate::objects::Kind;
use crate::sim::store::{ApiError, Store};
use crate::sim::World;
use k8s_openapi::api::core::v1::{Node, Pod};
use serde_json::{json, Value};

/// CPU in nanocores and memory in bytes.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub cpu_nanocores: u64,
    pub memory_bytes: u64,
}

impl Usage {
    fn to_json(self) -> Value {
        json!({"cpu": cpu_quantity(self.cpu_nanocores), "memory": memory_quantity(self.memory_bytes)})
    }
}

/// metrics-server reports CPU in nanocores (`123456n`) and memory in Ki.
fn cpu_quantity(n: u64) -> String {
    if n == 0 {
        "0".into()
    } else {
        format!("{n}n")
    }
}
fn memory_quantity(b: u64) -> String {
    if b == 0 {
        "0".into()
    } else {
        format!("{}Ki", b / 1024)
    }
}

/// The usage of one container in metrics-server's latest scrape (the same
/// numbers `kubectl top` in the REPL and the HPA read).
pub fn usage(world: &World, pod: &Pod, container: &str) -> Usage {
    let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
    let name = pod.metadata.name.as_deref().unwrap_or("");
    crate::controllers::metrics::pod_metrics(&world.store, ns, name)
        .into_iter()
        .flatten()
        .find(|c| c.name == container)
        .map(|c| Usage {
            cpu_nanocores: c.cpu_millis * 1_000_000,
            memory_bytes: c.memory_bytes,
        })
        .unwrap_or_default()
}

fn pod_metrics(w: &World, p: &Pod, ts: &Value) -> Value {
    let containers: Vec<Value> = p
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| json!({"name": c.name, "usage": usage(w, p, &c.name).to_json()}))
        .collect();
    json!({
        "metadata": {"name": p.metadata.name, "namespace": p.metadata.namespace,
                     "creationTimestamp": ts, "labels": p.metadata.labels},
        "timestamp": ts, "window": "30s", "containers": containers,
    })
}

fn node_metrics(w: &World, n: &Node, ts: &Value) -> Value {
    let name = n.metadata.name.clone().unwrap_or_default();
    let mut total = Usage::default();
    for p in w.store.list_as::<Pod>(None) {
        if p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(name.as_str()) {
            continue;
        }
        for c in p.spec.iter().flat_map(|s| s.containers.iter()) {
            let u = usage(w, p, &c.name);
            total.cpu_nanocores += u.cpu_nanocores;
            total.memory_bytes += u.memory_bytes;
        }
    }
    json!({
        "metadata": {"name": name, "creationTimestamp": ts, "labels": n.metadata.labels},
        "timestamp": ts, "window": "20.05s", "usage": total.to_json(),
    })
}

pub(crate) async fn handle(ctx: &Ctx, res: &'static ApiResource, rp: &ResourcePath) -> ApiResult {
    let opts = list_options(ctx)?;
    let ns = rp.namespace.clone();
    let name = rp.name.clone();
    let nodes = res.plural == "nodes";
    let out = ctx
        .app
        .sim
        .call_async(move |w| {
            let ts = json!(w.store.timestamp_secs());
            let kind = if nodes { Kind::Node } else { Kind::Pod };
            if let Some(n) = name {
                let obj = w.store.get(kind, ns.as_deref().unwrap_or(""), &n)?.clone();
                return Ok(match &*obj {
                    crate::objects::Object::Node(node) => {
                        with_kind(node_metrics(w, node, &ts), "NodeMetrics")
                    }
                    crate::objects::Object::Pod(p) => {
                        with_kind(pod_metrics(w, p, &ts), "PodMetrics")
                    }
                    _ => Value::Null,
                });
            }
            let items: Vec<Value> = w
                .store
                .iter(kind, ns.as_deref())
                .filter(|o| Store::selects(o, &opts))
                .filter_map(|o| match &**o {
                    crate::objects::Object::Node(node) => Some(node_metrics(w, node, &ts)),
                    crate::objects::Object::Pod(p) => Some(pod_metrics(w, p, &ts)),
                    _ => None,
                })
                .collect();
            Ok::<_, ApiError>(json!({
                "kind": if nodes { "NodeMetricsList" } else { "PodMetricsList" },
                "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {},
                "items": items,
            }))
        })
        .await
        .map_err(stopped)??;
    Ok(json_response(200, &out))
}

fn with_kind(mut v: Value, kind: &str) -> Value {
    v["kind"] = json!(kind);
    v["apiVersion"] = json!("metrics.k8s.io/v1beta1");
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_as_metrics_server_prints_them() {
        assert_eq!(cpu_quantity(0), "0");
        assert_eq!(cpu_quantity(250_000_000), "250000000n");
        assert_eq!(memory_quantity(1024 * 1024), "1024Ki");
    }
}
