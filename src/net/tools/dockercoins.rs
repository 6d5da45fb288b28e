//! What the DockerCoins web UI shows: its page polls `/json` every second
//! and displays the speed between the last two polls
//! (`dockercoins/webui/files/index.html`). This samples it the same way, as
//! a browser outside the cluster would (through the NodePort when webui
//! has one, else from the first node through its ClusterIP).

use super::{exchange, http_request, now_us, sleep, Exchanged, ToolOutput};
use crate::net::addr::{IpDisplay, OUTSIDE_CLIENT_IP};
use crate::net::engine::{Req, Resp, Src};
use crate::net::latency::OUTSIDE;
use crate::sim::{SimTime, World};
use std::time::Duration;

/// One poll of `/json`.
#[derive(Clone, Debug, PartialEq)]
pub struct HashRateSample {
    /// Virtual time of the answer.
    pub time: SimTime,
    pub hashes: i64,
    pub coins: i64,
    /// `(hashes - previous) / (now - previous now)`, what the page shows.
    pub speed: Option<f64>,
}

/// Polls the web UI of namespace `ns` every second for `duration`.
pub fn hash_rate_samples(
    world: &mut World,
    ns: &str,
    duration: Duration,
) -> Result<Vec<HashRateSample>, String> {
    super::source(world, &super::Origin::Outside)?;
    let svc = world
        .store
        .get_as::<k8s_openapi::api::core::v1::Service>(ns, "webui")
        .cloned()
        .ok_or_else(|| "Error from server (NotFound): services \"webui\" not found".to_string())?;
    let spec = svc.spec.unwrap_or_default();
    let port = spec
        .ports
        .as_ref()
        .and_then(|p| p.first())
        .cloned()
        .unwrap_or_default();
    let eng = super::net(world).engine();
    let first_node = eng.topo.nodes.first().ok_or("no nodes")?.clone();
    let (src, host, dport) = match port.node_port {
        Some(np) => (
            Src {
                ip: OUTSIDE_CLIENT_IP,
                site: OUTSIDE,
                pod: None,
            },
            IpDisplay(first_node.ip).to_string(),
            np as u16,
        ),
        None => (
            Src {
                ip: first_node.ip,
                site: 0,
                pod: None,
            },
            spec.cluster_ip.clone().unwrap_or_default(),
            port.port as u16,
        ),
    };
    let start = now_us(world);
    let end = start + duration.as_micros() as u64;
    let mut out: Vec<HashRateSample> = Vec::new();
    let mut last: Option<(i64, f64)> = None;
    let mut tick = start;
    while tick < end {
        let req = http_request("GET", &host, dport, "/json", "Mozilla/5.0");
        let (ex, _, _) = exchange(
            world,
            src,
            &host,
            dport,
            Req::Http(Box::new(req)),
            Some(1_000_000),
        );
        if let Exchanged::Response {
            resp: Resp::Http(h),
            ..
        } = ex
        {
            if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&h.body) {
                let hashes = match &v["hashes"] {
                    serde_json::Value::String(s) => s.parse().unwrap_or(0),
                    serde_json::Value::Number(n) => n.as_i64().unwrap_or(0),
                    _ => 0,
                };
                let coins = v["coins"].as_i64().unwrap_or(0);
                let now = v["now"].as_f64().unwrap_or(0.0);
                let speed = last.map(|prev| webui_speed(prev, (hashes, now)));
                last = Some((hashes, now));
                out.push(HashRateSample {
                    time: world.now(),
                    hashes,
                    coins,
                    speed,
                });
            }
        }
        tick += 1_000_000;
        let t = now_us(world);
        if tick > t {
            sleep(world, tick - t);
        }
    }
    Ok(out)
}

/// The speed the page shows between two polls of `/json`, each `(hashes,
/// now in seconds)`: `(hashes - previous) / (now - previous now)`
/// (`dockercoins/webui/files/index.html`), 0 when no time passed.
pub fn webui_speed(prev: (i64, f64), cur: (i64, f64)) -> f64 {
    let ((h0, t0), (h1, t1)) = (prev, cur);
    if t1 > t0 {
        (h1 - h0) as f64 / (t1 - t0)
    } else {
        0.0
    }
}

/// The `hashes` counter the next poll of webui's `/json` would answer
/// (webui.js: `GET hashes` on the `redis` Service of its namespace), read
/// in place without sending a packet, so that reading it changes nothing
/// in the simulation. The first namespace (in name order) with a `webui`
/// Service is DockerCoins'; `None` when there is none, or no pod behind its
/// `redis` Service runs Redis (webui's own poll would fail then).
pub fn webui_hashes(world: &World) -> Option<i64> {
    use crate::objects::{Kind, Object};
    use k8s_openapi::api::core::v1::Service;
    let net = crate::net::network(world)?;
    let webui = world
        .store
        .iter(Kind::Service, None)
        .find(|o| o.meta().name.as_deref() == Some("webui"))?;
    let ns = webui.meta().namespace.clone().unwrap_or_default();
    let redis = world.store.get_as::<Service>(&ns, "redis")?;
    let selector = redis.spec.as_ref()?.selector.as_ref()?;
    if selector.is_empty() {
        return None;
    }
    world.store.iter(Kind::Pod, Some(&ns)).find_map(|o| {
        let Object::Pod(p) = &**o else { return None };
        let labels = p.metadata.labels.as_ref()?;
        if !selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            return None;
        }
        net.redis_counters(&ns, p.metadata.name.as_deref()?)
            .map(|(hashes, _)| hashes)
    })
}

/// The mean speed over the samples: Δhashes/Δt between the first and the
/// last poll. The page's per-second figure jumps by whole reports (a worker
/// adds about 4 at a time, every ≈1.2 s), so over a few seconds one more or
/// one fewer report moves it by a lot; the mean over the window is what
/// the model's rate is compared with.
pub fn mean_hash_rate(samples: &[HashRateSample]) -> Option<f64> {
    let (first, last) = (samples.first()?, samples.last()?);
    let dt = last.time.since(first.time).as_secs_f64();
    (dt > 0.0).then(|| (last.hashes - first.hashes) as f64 / dt)
}

/// The samples as the `sim dockercoins` command prints them.
pub fn format_hash_rates(samples: &[HashRateSample]) -> ToolOutput {
    let mut out = ToolOutput::default();
    out.out("TIME      HASHES  COINS  SPEED\n");
    for s in samples {
        let speed = match s.speed {
            Some(v) => format!("~{v:.1} hashes/second"),
            None => "-".into(),
        };
        out.out(format!(
            "{:<9} {:>6}  {:>5}  {speed}\n",
            s.time.to_string(),
            s.hashes,
            s.coins
        ));
    }
    if let (Some(mean), Some(first), Some(last)) =
        (mean_hash_rate(samples), samples.first(), samples.last())
    {
        out.out(format!(
            "mean {mean:.2} hashes/second over {:.0} s\n",
            last.time.since(first.time).as_secs_f64()
        ));
    }
    out
}
