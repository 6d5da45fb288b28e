//! The dashboard rendered on ratatui's TestBackend (issue 10, "done when"):
//! snapshots of the main views, status colours asserted on buffer cells.
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
use kubesim::cluster::workshop_world;
use kubesim::objects::{Kind, Object};
use kubesim::sim::store::{DeleteOptions, EventSource, WriteOptions};
use kubesim::sim::World;
use kubesim::tui::adapters::{Adapters, Decision};
use kubesim::tui::app::{App, Clock, Mode};
use kubesim::tui::source::{LocalSource, Source};
use kubesim::tui::theme::Theme;
use kubesim::tui::ui;
use kubesim::tui::update::{update, Action, Effect};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use ratatui::Terminal;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[allow(clippy::disallowed_methods)] // the pacer needs an anchor; nothing here advances it
fn wall() -> Instant {
    Instant::now()
}

fn source(world: World, adapters: Adapters, theme: Theme) -> (LocalSource, App) {
    let seed = world.seed();
    let mut src = LocalSource::new(world, 1.0, wall(), adapters);
    let mut app = App::new(Clock::new(jiff::Timestamp::UNIX_EPOCH, seed, 1.0), theme);
    src.init(&mut app);
    (src, app)
}

/// Renders a frame; the header's wall-clock figures are pinned.
fn render(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.clock.events_per_sec = 0.0;
    app.clock.lag = Duration::ZERO;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    t
}

// ----- fixtures --------------------------------------------------------

fn labels(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
    kv.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn meta(name: &str, l: &[(&str, &str)]) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some("default".into()),
        labels: Some(labels(l)),
        ..Default::default()
    }
}

fn container(image: &str) -> Container {
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

fn now_time(w: &World) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::Time {
    w.store.timestamp_secs()
}

fn running(w: &World, ready: bool) -> PodStatus {
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

fn waiting(reason: &str, restarts: i32, w: &World) -> PodStatus {
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

fn create_pod(
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

fn selector(l: &[(&str, &str)]) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels(l)),
        ..Default::default()
    }
}

/// A Deployment `web` halfway from nginx:1.26 to nginx:1.27: the old
/// ReplicaSet down to 3 pods (one terminating), the new one at 2 (one
/// still creating its container).
fn mid_rollout(w: &mut World) {
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
fn rollout_step(w: &mut World) {
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
fn find(buf: &Buffer, text: &str) -> Option<(u16, u16)> {
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

fn fg_of(buf: &Buffer, text: &str) -> Color {
    let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text:?} is not on screen"));
    buf[(x, y)].fg
}

fn bg_of(buf: &Buffer, text: &str) -> Color {
    let (x, y) = find(buf, text).unwrap_or_else(|| panic!("{text:?} is not on screen"));
    buf[(x, y)].bg
}

fn go(app: &mut App, src: &mut LocalSource, actions: &[Action]) {
    for a in actions {
        for e in update(app, a.clone()) {
            src.apply(app, e, wall());
        }
    }
}

fn command(app: &mut App, src: &mut LocalSource, line: &str) {
    go(app, src, &[Action::BeginCommand]);
    let chars: Vec<Action> = line.chars().map(Action::Input).collect();
    go(app, src, &chars);
    go(app, src, &[Action::Submit]);
}

// ----- the workshop cluster at rest ------------------------------------

#[test]
fn workshop_cluster_at_rest_80x24() {
    let (_src, mut app) = source(workshop_world(1), Adapters::default(), Theme::COLOR);
    app.view.namespace = None;
    let t = render(&mut app, 80, 24);
    insta::assert_snapshot!("at_rest_80x24", t.backend());
    // System pods are Running: green.
    assert_eq!(fg_of(t.backend().buffer(), "Running"), Color::Green);
}

#[test]
fn workshop_cluster_at_rest_160x48_uses_the_room() {
    let (_src, mut app) = source(workshop_world(1), Adapters::default(), Theme::MONO);
    app.view.namespace = None;
    let t = render(&mut app, 160, 48);
    insta::assert_snapshot!("at_rest_160x48_mono", t.backend());
    let buf = t.backend().buffer();
    // Side by side: nodes and charts left, every pod listed right.
    assert!(find(buf, "requested:").is_some(), "charts are shown");
    assert!(
        find(buf, "kube-scheduler-node1").is_some(),
        "all 15 pods fit"
    );
}

// ----- a deployment mid-rollout ----------------------------------------

#[test]
fn deployment_mid_rollout_drills_down_to_its_pods() {
    let mut w = workshop_world(1);
    mid_rollout(&mut w);
    let (mut src, mut app) = source(w, Adapters::default(), Theme::COLOR);
    rollout_step(src.world_mut());
    src.drain(&mut app);
    command(&mut app, &mut src, "deploy");
    assert_eq!(app.view.kind, Kind::Deployment);
    go(&mut app, &mut src, &[Action::Enter]);
    assert_eq!(app.view.title(), "pods(deployment/web)");
    let t = render(&mut app, 80, 24);
    insta::assert_snapshot!("rollout_pods_80x24", t.backend());
    let buf = t.backend().buffer();
    assert_eq!(fg_of(buf, "Terminating"), Color::Magenta);
    // The new pod was added a moment ago: highlighted over its yellow.
    assert_eq!(fg_of(buf, "ContainerCreating"), Color::White);
    assert_eq!(bg_of(buf, "ContainerCreating"), Color::Blue);
    // The other pods are Running and ready, in the steady colour.
    assert_eq!(fg_of(buf, "web-6d4cf56db6-4xq2m"), Color::Green);
    // Esc goes back to the deployments.
    go(&mut app, &mut src, &[Action::Back]);
    assert_eq!(app.view.kind, Kind::Deployment);
}

#[test]
fn highlights_fade_after_a_couple_of_virtual_seconds() {
    let mut w = workshop_world(1);
    mid_rollout(&mut w);
    let (mut src, mut app) = source(w, Adapters::default(), Theme::COLOR);
    rollout_step(src.world_mut());
    src.drain(&mut app);
    let t = render(&mut app, 100, 30);
    assert_eq!(
        bg_of(t.backend().buffer(), "ContainerCreating"),
        Color::Blue
    );
    // Three virtual seconds later (at ×1 the window is 2 s) only the
    // steady colour is left, and the deleted-then-gone rows are gone.
    src.world_mut().advance(Duration::from_secs(3));
    app.clock.now = src.world().now();
    let t = render(&mut app, 100, 30);
    let buf = t.backend().buffer();
    assert_eq!(bg_of(buf, "ContainerCreating"), Color::Reset);
    assert_eq!(fg_of(buf, "ContainerCreating"), Color::Yellow);
}

// ----- a crash-looping pod ---------------------------------------------

#[test]
fn crash_looping_pod_is_red_and_readable_without_colour() {
    let mut w = workshop_world(1);
    w.advance(Duration::from_secs(200));
    let st = running(&w, true);
    create_pod(
        &mut w,
        "api",
        &[("app", "api")],
        Some("node2"),
        "nginx",
        Some(st),
    );
    let st = waiting("CrashLoopBackOff", 4, &w);
    create_pod(
        &mut w,
        "worker",
        &[("app", "worker")],
        Some("node3"),
        "dockercoins/worker:v0.1",
        Some(st),
    );
    let done = PodStatus {
        phase: Some("Succeeded".into()),
        container_statuses: Some(vec![ContainerStatus {
            name: "nginx".into(),
            image: "busybox".into(),
            state: Some(ContainerState {
                terminated: Some(ContainerStateTerminated {
                    exit_code: 0,
                    reason: Some("Completed".into()),
                    finished_at: Some(now_time(&w)),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }]),
        ..Default::default()
    };
    create_pod(
        &mut w,
        "migrate",
        &[("app", "migrate")],
        Some("node4"),
        "busybox",
        Some(done),
    );
    w.advance(Duration::from_secs(75));
    let (_src, mut app) = source(w, Adapters::default(), Theme::COLOR);
    let t = render(&mut app, 100, 30);
    insta::assert_snapshot!("crashloop_100x30", t.backend());
    let buf = t.backend().buffer();
    assert_eq!(fg_of(buf, "CrashLoopBackOff"), Color::Red);
    assert_eq!(fg_of(buf, "Completed"), Color::DarkGray);
    assert_eq!(fg_of(buf, "Running"), Color::Green);

    // NO_COLOR: no colour anywhere, the status is in words, tiles are letters.
    app.theme = Theme::MONO;
    let t = render(&mut app, 100, 30);
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert!(
            matches!(cell.fg, Color::Reset),
            "a coloured cell in monochrome"
        );
        assert!(
            matches!(cell.bg, Color::Reset),
            "a coloured cell in monochrome"
        );
    }
    assert!(find(buf, "CrashLoopBackOff").is_some());
    assert!(find(buf, " RE").is_some() || find(buf, "E").is_some());
}

// ----- a pending pod's explanation -------------------------------------

fn canned_decision() -> Decision {
    kubesim::tui::adapters::decision_from_json(serde_json::json!({
        "pod": "default/big",
        "node": null,
        "message": "0/4 nodes are available: 1 node(s) had untolerated taint(s) {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
        "filter": {
            "node1": {"plugin": "TaintToleration", "reasons": ["node(s) had untolerated taint(s) {node-role.kubernetes.io/control-plane: }"]},
            "node2": {"plugin": "NodeResourcesFit", "reasons": ["Insufficient cpu"]},
            "node3": {"plugin": "NodeResourcesFit", "reasons": ["Insufficient cpu"]},
            "node4": {"plugin": "NodeResourcesFit", "reasons": ["Insufficient cpu"]}
        },
        "scores": {},
        "victims": [],
        "evaluatedNodes": 4,
        "feasibleNodes": 0
    }))
    .unwrap()
}

#[test]
fn pending_pod_explains_itself_with_each_nodes_verdict() {
    let mut w = workshop_world(1);
    w.advance(Duration::from_secs(30));
    create_pod(&mut w, "big", &[("app", "big")], None, "nginx", None);
    let adapters = Adapters {
        explain: Box::new(|_, ns, name| (ns == "default" && name == "big").then(canned_decision)),
        ..Default::default()
    };
    let (mut src, mut app) = source(w, adapters, Theme::COLOR);
    assert_eq!(app.table_model().rows.len(), 1);
    go(&mut app, &mut src, &[Action::Explain]);
    assert_eq!(app.mode, Mode::Explain);
    let t = render(&mut app, 100, 24);
    insta::assert_snapshot!("explain_pending_100x24", t.backend());
    assert_eq!(fg_of(t.backend().buffer(), "✗ node2"), Color::Yellow);
}

#[test]
fn explain_table_shows_scores_of_feasible_nodes() {
    let d: Decision = kubesim::tui::adapters::decision_from_json(serde_json::json!({
        "pod": "default/web-1", "node": "node3", "message": "",
        "filter": {"node1": {"plugin": "TaintToleration", "reasons": ["node(s) had untolerated taint(s)"]}},
        "scores": {
            "node2": {"plugins": {"NodeResourcesFit": {"raw": 70, "normalized": 70, "weighted": 70},
                                  "TaintToleration": {"raw": 0, "normalized": 100, "weighted": 300}}, "total": 370},
            "node3": {"plugins": {"NodeResourcesFit": {"raw": 90, "normalized": 90, "weighted": 90},
                                  "TaintToleration": {"raw": 0, "normalized": 100, "weighted": 300}}, "total": 390}
        },
        "evaluatedNodes": 3, "feasibleNodes": 2
    }))
    .unwrap();
    let lines = kubesim::tui::ui::panes_explain_lines(&d).join("\n");
    insta::assert_snapshot!("explain_scores", lines);
}

// ----- prompts ---------------------------------------------------------

#[test]
fn command_mode_shows_completions_above_the_prompt() {
    let (mut src, mut app) = source(workshop_world(1), Adapters::default(), Theme::COLOR);
    go(
        &mut app,
        &mut src,
        &[Action::BeginCommand, Action::Input('d'), Action::Input('e')],
    );
    let t = render(&mut app, 80, 24);
    insta::assert_snapshot!("command_completion_80x24", t.backend());
}

#[test]
fn a_repl_line_from_the_command_line_runs_through_the_repl_parser() {
    let (mut src, mut app) = source(workshop_world(1), Adapters::default(), Theme::COLOR);
    command(&mut app, &mut src, "kubectl run web --image=nginx");
    assert!(
        src.world()
            .store
            .try_get(Kind::Pod, "default", "web")
            .is_some(),
        "the pod was created by the REPL's kubectl run"
    );
    let row = app
        .table_model()
        .rows
        .into_iter()
        .find(|r| r.key.1 == "web");
    assert!(row.is_some(), "the new pod is in the table");
    // A failing line shows kubectl's error on the status line.
    command(&mut app, &mut src, "kubectl get pdos");
    let msg = app.current_message().unwrap();
    assert!(msg.error);
    assert_eq!(
        msg.text,
        "error: the server doesn't have a resource type \"pdos\""
    );
    let _ = Effect::Quit;
}
