//! The dashboard rendered on ratatui's TestBackend (issue 10, "done when"):
//! snapshots of the main views, status colours asserted on buffer cells.

use super::fixtures::*;
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateTerminated, ContainerStatus, PodStatus,
};
use kubesim::cluster::workshop_world;
use kubesim::objects::Kind;
use kubesim::tui::adapters::{Adapters, Decision};
use kubesim::tui::app::Mode;
use kubesim::tui::theme::Theme;
use kubesim::tui::update::Action;
use ratatui::style::Color;
use std::time::Duration;

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
    let mut w = crate::fixtures::static_world(1);
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
    let mut w = crate::fixtures::static_world(1);
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
    let mut w = crate::fixtures::static_world(1);
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
        "message": "0/4 nodes are available: 1 node(s) had untolerated taint(s), 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
        "filter": {
            "node1": {"plugin": "TaintToleration", "reasons": ["node(s) had untolerated taint(s)"]},
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
    let mut w = crate::fixtures::static_world(1);
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
}

// ----- charts ----------------------------------------------------------

#[test]
fn charts_come_from_samples_and_show_dockercoins_when_it_runs() {
    let mut w = crate::fixtures::static_world(1);
    create_pod(
        &mut w,
        "worker",
        &[("app", "worker")],
        Some("node2"),
        "dockercoins/worker:v0.1",
        None,
    );
    // A stand-in for the `hashes` counter in Redis: its rate climbs, then
    // plateaus at 10 hashes/s (ten workers' ceiling) from 200 s on.
    let adapters = Adapters {
        hashes: Box::new(|w| {
            let t = w.now().0 as i64 / 1000;
            Some(if t <= 200 {
                t * t / 40
            } else {
                1000 + 10 * (t - 200)
            })
        }),
        ..Default::default()
    };
    let t0 = wall();
    let mut src = kubesim::tui::source::LocalSource::new(w, 10.0, t0, adapters);
    let mut app = kubesim::tui::app::App::new(
        kubesim::tui::app::Clock::new(jiff::Timestamp::UNIX_EPOCH, 1, 10.0),
        Theme::COLOR,
    );
    src.init(&mut app);
    use kubesim::tui::source::Source;
    // Thirty wall seconds at ×10: 300 virtual seconds, a sample every 5.
    src.advance(
        &mut app,
        t0 + Duration::from_secs(30),
        Duration::from_secs(3600),
    );
    assert_eq!(app.sampler.samples().len(), 61);
    assert_eq!(app.sampler.last().unwrap().hash_rate, Some(10.0));
    let t = render(&mut app, 100, 45);
    insta::assert_snapshot!("charts_100x45", t.backend());
    let buf = t.backend().buffer();
    assert!(find(buf, "DockerCoins: hashes/s 10.0").is_some());
    assert_eq!(fg_of(buf, "hashes/s 10.0"), Color::Yellow);
}

#[test]
fn help_fits_an_80x24_terminal() {
    let (_src, mut app) = source(workshop_world(1), Adapters::default(), Theme::MONO);
    kubesim::tui::update::update(&mut app, Action::Help);
    let t = render(&mut app, 80, 24);
    insta::assert_snapshot!("help_80x24", t.backend());
}

#[test]
fn long_command_output_opens_a_pane() {
    let (mut src, mut app) = source(workshop_world(1), Adapters::default(), Theme::MONO);
    command(&mut app, &mut src, "get nodes");
    assert_eq!(app.mode, Mode::Output);
    let t = render(&mut app, 80, 24);
    insta::assert_snapshot!("output_get_nodes_80x24", t.backend());
    go(&mut app, &mut src, &[Action::Back]);
    assert_eq!(app.mode, Mode::Normal);
}

/// The same view with the real scheduler's decision (adapters::installed):
/// a pod asking for more cpu than any node has stays Pending, and `e`
/// shows each node's Filter verdict as the scheduler recorded it
/// (pkg/scheduler/framework/plugins/noderesources/fit.go: "Insufficient
/// cpu"; tainttoleration: the control plane's NoSchedule taint).
#[test]
fn pending_pod_explanation_from_the_real_scheduler() {
    let dir = std::env::temp_dir().join(format!("kubesim-tui-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: big\n    image: nginx\n    resources:\n      requests:\n        cpu: \"64\"\n",
    )
    .unwrap();
    let (mut src, mut app) = source(
        workshop_world(1),
        kubesim::tui::adapters::installed(),
        Theme::COLOR,
    );
    command(
        &mut app,
        &mut src,
        &format!("kubectl apply -f {}", file.display()),
    );
    std::fs::remove_dir_all(&dir).unwrap();
    src.world_mut().advance(Duration::from_secs(5));
    src.drain(&mut app);
    app.clock.now = src.world().now();
    let t = render(&mut app, 100, 24);
    assert_eq!(fg_of(t.backend().buffer(), "Pending"), Color::Yellow);
    go(&mut app, &mut src, &[Action::Explain]);
    assert_eq!(app.mode, Mode::Explain);
    let (target, decision) = app.decision.clone().unwrap();
    assert_eq!(target.name, "big");
    let d = decision.expect("the scheduler recorded an attempt");
    assert_eq!(d.node, None);
    assert_eq!(d.filter["node2"].plugin, "NodeResourcesFit");
    assert_eq!(d.filter["node1"].plugin, "TaintToleration");
    let t = render(&mut app, 100, 24);
    insta::assert_snapshot!("explain_pending_real_scheduler_100x24", t.backend());
    assert_eq!(fg_of(t.backend().buffer(), "✗ node3"), Color::Yellow);
}
