//! Fixtures shared by the TUI tests.
//!
//! Controllers are not part of these fixtures: Deployments, ReplicaSets and
//! pods in the states a rollout or a crash loop produces are written to the
//! store directly, as the controllers and the kubelet would write them.
//! Nothing here advances the pacer, so the pictures do not depend on the
//! wall clock.

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStatus, ReplicaSet, ReplicaSetSpec, ReplicaSetStatus,
};
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated,
    ContainerStateWaiting, ContainerStatus, Pod, PodSpec, PodStatus, PodTemplateSpec,
    ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kubesim::objects::{Kind, Object};
use kubesim::sim::store::{DeleteOptions, EventSource, WriteOptions};
use kubesim::sim::World;
use kubesim::tui::adapters::Adapters;
use kubesim::tui::app::{App, Clock};
use kubesim::tui::source::{LocalSource, Source};
use kubesim::tui::theme::Theme;
use kubesim::tui::ui;
use kubesim::tui::update::{update, Action};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[allow(clippy::disallowed_methods)] // the pacer needs an anchor; nothing here advances it
pub fn wall() -> Instant {
    Instant::now()
}

pub fn source(world: World, adapters: Adapters, theme: Theme) -> (LocalSource, App) {
    let seed = world.seed();
    let mut src = LocalSource::new(world, 1.0, wall(), adapters);
    let mut app = App::new(Clock::new(jiff::Timestamp::UNIX_EPOCH, seed, 1.0), theme);
    src.init(&mut app);
    (src, app)
}

/// Renders a frame; the header's wall-clock figures are pinned.
pub fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.clock.events_per_sec = 0.0;
    app.clock.lag = Duration::ZERO;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    t
}

// ----- fixtures --------------------------------------------------------

pub fn labels(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn meta(name: &str, l: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some("default".into()),
        labels: Some(labels(l)),
        ..Default::default()
    }
}

pub fn container(image: &str) -> Container {
    Container {
        name: "nginx".into(),
        image: Some(image.into()),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), Quantity("250m".into())),
                ("memory".to_string(), Quantity("256Mi".into())),
            ])),
            ..Default::default()
        }),
        ..Default::default()
    }
}

pub fn now_time(w: &World) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    w.store.timestamp_secs()
}

pub fn running(w: &World, ready: bool) -> PodStatus {
    PodStatus {
        phase: Some("Running".into()),
        container_statuses: Some(vec![ContainerStatus {
            name: "nginx".into(),
            image: "nginx".into(),
            image_id: String::new(),
            ready,
            restart_count: 0,
            started: Some(true),
            state: Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(now_time(w)),
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

pub fn waiting(reason: &str, restarts: i32, w: &World) -> PodStatus {
    PodStatus {
        phase: Some("Pending".into()),
        container_statuses: Some(vec![ContainerStatus {
            name: "nginx".into(),
            image: "nginx".into(),
            image_id: String::new(),
            ready: false,
            restart_count: restarts,
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.into()),
                    message: None,
                }),
                ..Default::default()
            }),
            last_state: (restarts > 0).then(|| ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 1,
                    reason: Some("Error".into()),
                    finished_at: Some(now_time(w)),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

pub fn create_pod(
    w: &mut World,
    name: &str,
    l: &[(&str, &str)],
    node: Option<&str>,
    image: &str,
    status: Option<PodStatus>,
) {
    let pod = Pod {
        metadata: meta(name, l),
        spec: Some(PodSpec {
            containers: vec![container(image)],
            node_name: node.map(str::to_string),
            ..Default::default()
        }),
        status,
    };
    w.store
        .create(Object::Pod(pod), &WriteOptions::default())
        .unwrap();
}

pub fn selector(l: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels(l)),
        ..Default::default()
    }
}

/// A Deployment `web` halfway from nginx:1.26 to nginx:1.27: the old
/// ReplicaSet down to 3 pods (one terminating), the new one at 2 (one
/// still creating its container).
pub fn mid_rollout(w: &mut World) {
    w.advance(Duration::from_secs(300));
    let old = [("app", "web"), ("pod-template-hash", "6d4cf56db6")];
    let new = [("app", "web"), ("pod-template-hash", "7c5ddbdf54")];
    let template = |image: &str, l: &[(&str, &str)]| PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels(l)),
            ..Default::default()
        }),
        spec: Some(PodSpec {
            containers: vec![container(image)],
            ..Default::default()
        }),
    };
    let d = Deployment {
        metadata: meta("web", &[("app", "web")]),
        spec: Some(DeploymentSpec {
            replicas: Some(4),
            selector: selector(&[("app", "web")]),
            template: template("nginx:1.27", &[("app", "web")]),
            ..Default::default()
        }),
        status: Some(DeploymentStatus {
            replicas: Some(5),
            updated_replicas: Some(2),
            ready_replicas: Some(3),
            available_replicas: Some(3),
            unavailable_replicas: Some(2),
            observed_generation: Some(2),
            ..Default::default()
        }),
    };
    let deploy = w
        .store
        .create(Object::Deployment(d), &WriteOptions::default())
        .unwrap();
    for (name, l, image, replicas, ready) in [
        ("web-6d4cf56db6", &old, "nginx:1.26", 3, 3),
        ("web-7c5ddbdf54", &new, "nginx:1.27", 2, 1),
    ] {
        let rs = ReplicaSet {
            metadata: meta(name, l),
            spec: Some(ReplicaSetSpec {
                replicas: Some(replicas),
                selector: selector(l),
                template: Some(template(image, l)),
                ..Default::default()
            }),
            status: Some(ReplicaSetStatus {
                replicas,
                ready_replicas: Some(ready),
                available_replicas: Some(ready),
                ..Default::default()
            }),
        };
        w.store
            .create(Object::ReplicaSet(rs), &WriteOptions::default())
            .unwrap();
    }
    for (name, node) in [
        ("web-6d4cf56db6-4xq2m", "node2"),
        ("web-6d4cf56db6-9hd7k", "node3"),
        ("web-6d4cf56db6-tz8vb", "node4"),
    ] {
        let st = running(w, true);
        create_pod(w, name, &old, Some(node), "nginx:1.26", Some(st));
    }
    w.advance(Duration::from_secs(40));
    let st = running(w, true);
    create_pod(
        w,
        "web-7c5ddbdf54-k2p9w",
        &new,
        Some("node2"),
        "nginx:1.27",
        Some(st),
    );
    w.store.record_event(
        &deploy,
        "Normal",
        "ScalingReplicaSet",
        "Scaled up replica set web-7c5ddbdf54 from 1 to 2",
        &EventSource::new("deployment-controller"),
    );
    w.advance(Duration::from_secs(20));
}

/// The rest of the rollout, after the dashboard opened: a new pod whose
/// container is being created, an old one terminating.
pub fn rollout_step(w: &mut World) {
    let new = [("app", "web"), ("pod-template-hash", "7c5ddbdf54")];
    let st = waiting("ContainerCreating", 0, w);
    create_pod(
        w,
        "web-7c5ddbdf54-x7c4r",
        &new,
        Some("node4"),
        "nginx:1.27",
        Some(st),
    );
    w.store
        .delete(
            Kind::Pod,
            "default",
            "web-6d4cf56db6-tz8vb",
            &DeleteOptions::default(),
        )
        .unwrap();
}

// ----- helpers on the buffer -------------------------------------------

/// The (x, y) of the first cell of `text` in the buffer.
pub fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
    for y in 0..buf.area.height {
        let line: Vec<String> = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        let joined: String = line.concat();
        if let Some(byte) = joined.find(text) {
            // Cells hold one symbol each: count symbols before the match.
            let mut acc = 0;
            for (x, s) in line.iter().enumerate() {
                if acc == byte {
                    return Some((x as u16, y));
                }
                acc += s.len();
            }
        }
    }
    None
}

pub fn fg_of(buf: &Buffer, text: &str) -> Color {
    let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text:?} is not on screen"));
    buf[(x, y)].fg
}

pub fn bg_of(buf: &Buffer, text: &str) -> Color {
    let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text:?} is not on screen"));
    buf[(x, y)].bg
}

pub fn go(app: &mut App, src: &mut LocalSource, actions: &[Action]) {
    for a in actions {
        for e in update(app, a.clone()) {
            src.apply(app, e, wall());
        }
    }
}

pub fn command(app: &mut App, src: &mut LocalSource, line: &str) {
    go(app, src, &[Action::BeginCommand]);
    let chars: Vec<Action> = line.chars().map(Action::Input).collect();
    go(app, src, &chars);
    go(app, src, &[Action::Submit]);
}

/// The workshop cluster with no components running: objects stay exactly
/// as a test writes them (no scheduler, kubelet or controller rewrites a
/// fixture pod), for rendering tests of given states.
pub fn static_world(seed: u64) -> World {
    kubesim::cluster::build_world_with(&kubesim::cluster::ClusterSpec::workshop(), seed, |_, _| {})
}
