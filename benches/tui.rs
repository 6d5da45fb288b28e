//! `cargo bench --bench tui`: how long one dashboard frame takes with 1,000
//! pods (issue 10 asks for under 10 ms), drawn into ratatui's TestBackend:
//! the pods table (all namespaces), the nodes panel with its tiles, the
//! events stream and the charts, from the cache as the runtime holds it.

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStatus, Pod, PodSpec, PodStatus,
    ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kubesim::cluster::workshop_world;
use kubesim::objects::Object;
use kubesim::sim::store::WriteOptions;
use kubesim::tui::adapters::Adapters;
use kubesim::tui::app::{App, Clock};
use kubesim::tui::source::LocalSource;
use kubesim::tui::theme::Theme;
use kubesim::tui::ui;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const PODS: usize = 1000;

#[allow(clippy::disallowed_methods)] // a benchmark measures wall time
fn now() -> Instant {
    Instant::now()
}

fn pod(i: usize, w: &kubesim::sim::World) -> Pod {
    let running = !i.is_multiple_of(10);
    Pod {
        metadata: ObjectMeta {
            name: Some(format!("worker-7d4b9c8f5-{i:05}")),
            namespace: Some("default".into()),
            labels: Some(BTreeMap::from([("app".to_string(), "worker".to_string())])),
            ..Default::default()
        },
        spec: Some(PodSpec {
            node_name: Some(format!("node{}", 2 + i % 3)),
            containers: vec![Container {
                name: "worker".into(),
                image: Some("dockercoins/worker:v0.1".into()),
                resources: Some(ResourceRequirements {
                    requests: Some(BTreeMap::from([
                        ("cpu".to_string(), Quantity("10m".into())),
                        ("memory".to_string(), Quantity("16Mi".into())),
                    ])),
                    ..Default::default()
                }),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some(if running { "Running" } else { "Pending" }.into()),
            container_statuses: Some(vec![ContainerStatus {
                name: "worker".into(),
                ready: running,
                state: Some(ContainerState {
                    running: running.then(|| ContainerStateRunning {
                        started_at: Some(w.store.timestamp_secs()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}

fn bench(app: &mut App, w: u16, h: u16, label: &str) {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    // Warm up, then time a batch; the virtual clock moves each frame so
    // ages are recomputed as they are live.
    for _ in 0..5 {
        term.draw(|f| ui::draw(f, app)).unwrap();
    }
    let frames = 100;
    let start = now();
    for i in 0..frames {
        app.clock.now.0 += 40 * (i % 2);
        term.draw(|f| ui::draw(f, app)).unwrap();
    }
    let per = start.elapsed().as_secs_f64() * 1000.0 / frames as f64;
    println!("{label:<44} {per:>7.2} ms/frame");
}

fn main() {
    let mut world = workshop_world(1);
    for i in 0..PODS {
        let p = pod(i, &world);
        world
            .store
            .create(Object::Pod(p), &WriteOptions::default())
            .unwrap();
    }
    world.advance(Duration::from_secs(120));
    let mut src = LocalSource::new(world, 1.0, now(), Adapters::default());
    let mut app = App::new(
        Clock::new(jiff::Timestamp::UNIX_EPOCH, 1, 1.0),
        Theme::COLOR,
    );
    src.init(&mut app);
    app.view.namespace = None;
    println!(
        "kubesim tui: one frame with {} pods",
        app.cache.count(kubesim::objects::Kind::Pod)
    );
    // The first frame fills the per-object memo (status classes, requests).
    let mut term = Terminal::new(TestBackend::new(200, 60)).unwrap();
    let start = now();
    term.draw(|f| ui::draw(f, &app)).unwrap();
    let cold = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{:<44} {cold:>7.2} ms",
        "first frame (status memo cold), 200x60"
    );
    bench(
        &mut app,
        200,
        60,
        "pods, all namespaces, 200x60 (wide layout)",
    );
    bench(&mut app, 80, 24, "pods, all namespaces, 80x24");
    app.view.filter = "-l app=worker".into();
    bench(&mut app, 200, 60, "pods filtered by label, 200x60");
    app.view.filter = "worker-7d4b9c8f5-004".into();
    bench(&mut app, 200, 60, "pods filtered by text, 200x60");
    app.view.filter.clear();
    app.view.sort = Some(kubesim::tui::app::Sort {
        column: "STATUS".into(),
        descending: false,
    });
    bench(&mut app, 200, 60, "pods sorted by STATUS, 200x60");

    // The simulation side of a frame: ten virtual minutes (120 chart
    // samples over 1,000 pods) in one advance, as at ×600 for one second.
    use kubesim::tui::source::Source;
    let t0 = now();
    src.apply(&mut app, kubesim::tui::update::Effect::SetSpeed(600.0), t0);
    let start = now();
    src.advance(
        &mut app,
        t0 + Duration::from_secs(1),
        Duration::from_secs(3600),
    );
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{:<44} {ms:>7.2} ms ({} samples)",
        "advance 600 virtual s, 1,000 pods",
        app.sampler.samples().len()
    );
}
