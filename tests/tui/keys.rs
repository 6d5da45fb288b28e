//! Keys and the update function, without a terminal: keys map to actions
//! (k9s's bindings), actions change the model and return effects.

use super::fixtures::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use kubesim::objects::Kind;
use kubesim::tui::adapters::Adapters;
use kubesim::tui::app::{App, Mode, ObjRef, Scope};
use kubesim::tui::keys::action_for;
use kubesim::tui::source::LocalSource;
use kubesim::tui::theme::Theme;
use kubesim::tui::update::{update, Action, Effect};
use std::time::Duration;

fn key(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn names(app: &App) -> Vec<String> {
    app.table_model()
        .rows
        .iter()
        .map(|r| r.key.1.clone())
        .collect()
}

fn selected(app: &App) -> String {
    let t = app.table_model();
    t.rows[t.selected.unwrap()].key.1.clone()
}

/// Three pods in default: api (oldest), web-10, web-9 (newest).
fn three_pods() -> (LocalSource, App) {
    three_pods_in(crate::fixtures::static_world(1))
}

fn three_pods_in(mut w: kubesim::sim::World) -> (LocalSource, App) {
    create_pod(
        &mut w,
        "api",
        &[("app", "api")],
        Some("node2"),
        "nginx",
        None,
    );
    w.advance(Duration::from_secs(10));
    create_pod(
        &mut w,
        "web-10",
        &[("app", "web")],
        Some("node3"),
        "nginx",
        None,
    );
    w.advance(Duration::from_secs(10));
    let st = running(&w, true);
    create_pod(
        &mut w,
        "web-9",
        &[("app", "web")],
        Some("node3"),
        "nginx",
        Some(st),
    );
    source(w, Adapters::default(), Theme::MONO)
}

#[test]
fn keys_map_to_actions_by_mode_as_in_k9s() {
    let n = Mode::Normal;
    assert_eq!(
        action_for(n, key(KeyCode::Char(':'))),
        Some(Action::BeginCommand)
    );
    assert_eq!(
        action_for(n, key(KeyCode::Char('/'))),
        Some(Action::BeginFilter)
    );
    assert_eq!(action_for(n, key(KeyCode::Char('j'))), Some(Action::Down));
    assert_eq!(action_for(n, key(KeyCode::Up)), Some(Action::Up));
    assert_eq!(action_for(n, key(KeyCode::Enter)), Some(Action::Enter));
    assert_eq!(
        action_for(n, key(KeyCode::Char('d'))),
        Some(Action::Describe)
    );
    assert_eq!(action_for(n, key(KeyCode::Char('y'))), Some(Action::Yaml));
    assert_eq!(action_for(n, key(KeyCode::Char('l'))), Some(Action::Logs));
    assert_eq!(
        action_for(n, key(KeyCode::Char('e'))),
        Some(Action::Explain)
    );
    assert_eq!(
        action_for(n, key(KeyCode::Char(' '))),
        Some(Action::TogglePause)
    );
    assert_eq!(action_for(n, key(KeyCode::Char('+'))), Some(Action::Faster));
    assert_eq!(action_for(n, key(KeyCode::Char('-'))), Some(Action::Slower));
    assert_eq!(
        action_for(n, key(KeyCode::Char('n'))),
        Some(Action::NextEvent)
    );
    assert_eq!(action_for(n, key(KeyCode::Char('?'))), Some(Action::Help));
    assert_eq!(action_for(n, key(KeyCode::Char('q'))), Some(Action::Quit));
    assert_eq!(action_for(n, key(KeyCode::Esc)), Some(Action::Back));
    // Shift+letter sorts (terminals send the upper-case letter, with or
    // without the SHIFT modifier).
    let shift_n = KeyEvent::new(KeyCode::Char('N'), KeyModifiers::SHIFT);
    assert_eq!(action_for(n, shift_n), Some(Action::Sort('N')));
    // Ctrl-C quits from every mode, even while typing.
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    for m in [
        Mode::Normal,
        Mode::Command,
        Mode::Filter,
        Mode::Logs,
        Mode::Help,
    ] {
        assert_eq!(action_for(m, ctrl_c), Some(Action::Quit), "{m:?}");
    }
    // While typing, letters are text, Esc cancels, Tab completes.
    assert_eq!(
        action_for(Mode::Command, key(KeyCode::Char('q'))),
        Some(Action::Input('q'))
    );
    assert_eq!(
        action_for(Mode::Command, key(KeyCode::Tab)),
        Some(Action::Complete)
    );
    assert_eq!(
        action_for(Mode::Filter, key(KeyCode::Esc)),
        Some(Action::Back)
    );
    // In a pane, q and Esc go back rather than quit.
    assert_eq!(
        action_for(Mode::Describe, key(KeyCode::Char('q'))),
        Some(Action::Back)
    );
    assert_eq!(
        action_for(Mode::Logs, key(KeyCode::Char('f'))),
        Some(Action::ToggleFollow)
    );
}

#[test]
fn selection_follows_the_object_when_rows_move() {
    let (mut src, mut app) = three_pods();
    assert_eq!(names(&app), ["api", "web-10", "web-9"]);
    assert_eq!(selected(&app), "api");
    update(&mut app, Action::Down);
    assert_eq!(selected(&app), "web-10");
    // A new pod sorted before it does not move the selection off web-10.
    create_pod(src.world_mut(), "aaa", &[], Some("node2"), "nginx", None);
    src.drain(&mut app);
    assert_eq!(names(&app)[0], "aaa");
    assert_eq!(selected(&app), "web-10");
    update(&mut app, Action::End);
    assert_eq!(selected(&app), "web-9");
    update(&mut app, Action::Down);
    assert_eq!(selected(&app), "web-9", "the end stays the end");
    update(&mut app, Action::Home);
    assert_eq!(selected(&app), "aaa");
}

#[test]
fn shift_letters_sort_by_column_and_again_reverse() {
    let (_src, mut app) = three_pods();
    update(&mut app, Action::Sort('N'));
    assert_eq!(
        names(&app),
        ["api", "web-9", "web-10"],
        "names compare numbers by value"
    );
    assert_eq!(app.table_model().sort_column, Some(0));
    update(&mut app, Action::Sort('N'));
    assert_eq!(names(&app), ["web-10", "web-9", "api"]);
    // AGE: youngest first, as kubectl users read ages.
    update(&mut app, Action::Sort('A'));
    assert_eq!(names(&app), ["web-9", "web-10", "api"]);
    // STATUS: Pending before Running.
    update(&mut app, Action::Sort('S'));
    assert_eq!(names(&app)[2], "web-9");
    // R: READY, READY reversed, then RESTARTS (the next column with R).
    update(&mut app, Action::Sort('R'));
    update(&mut app, Action::Sort('R'));
    update(&mut app, Action::Sort('R'));
    assert_eq!(app.view.sort.as_ref().unwrap().column, "RESTARTS");
    // A letter no column starts with says so.
    update(&mut app, Action::Sort('Z'));
    assert!(app.current_message().unwrap().error);
}

#[test]
fn events_are_listed_newest_first_by_default() {
    let (mut src, mut app) = three_pods();
    for (i, reason) in ["First", "Second", "Third"].iter().enumerate() {
        let pod = src
            .world()
            .store
            .try_get(Kind::Pod, "default", "api")
            .unwrap()
            .clone();
        src.world_mut().store.record_event(
            &pod,
            "Normal",
            reason,
            &format!("event {i}"),
            &kubesim::sim::store::EventSource::new("test"),
        );
        src.world_mut().advance(Duration::from_secs(5));
    }
    src.drain(&mut app);
    command(&mut app, &mut src, "events");
    let t = app.table_model();
    let reason = t.headers.iter().position(|h| h == "REASON");
    let first = match reason {
        Some(i) => t.rows[0].cells[i].clone(),
        // This build's event printer has no REASON column: use the object.
        None => match &*t.rows[0].object {
            kubesim::objects::Object::Event(e) => e.reason.clone().unwrap_or_default(),
            _ => unreachable!(),
        },
    };
    assert_eq!(first, "Third");
}

#[test]
fn filter_by_text_by_label_and_inverted_then_esc_clears() {
    let (mut src, mut app) = three_pods();
    go(&mut app, &mut src, &[Action::BeginFilter]);
    assert_eq!(app.mode, Mode::Filter);
    for c in "web".chars() {
        update(&mut app, Action::Input(c));
    }
    assert_eq!(names(&app), ["web-10", "web-9"], "filters as it is typed");
    update(&mut app, Action::Submit);
    assert_eq!(app.mode, Mode::Normal);
    assert_eq!(app.view.filter, "web");
    app.view.filter = "!web".into();
    assert_eq!(names(&app), ["api"]);
    app.view.filter = "-l app=web".into();
    assert_eq!(names(&app), ["web-10", "web-9"]);
    app.view.filter = "! -l app=web".into();
    assert_eq!(names(&app), ["api"]);
    app.view.filter = "running".into();
    assert_eq!(
        names(&app),
        ["web-9"],
        "the filter matches any cell (STATUS here)"
    );
    update(&mut app, Action::Back);
    assert_eq!(app.view.filter, "");
    assert_eq!(names(&app).len(), 3);
    // A bad selector says so and filters nothing.
    go(&mut app, &mut src, &[Action::BeginFilter]);
    for c in "-l app in (x".chars() {
        update(&mut app, Action::Input(c));
    }
    update(&mut app, Action::Submit);
    assert!(app
        .current_message()
        .unwrap()
        .text
        .starts_with("invalid selector"));
    assert_eq!(names(&app).len(), 3);
}

#[test]
fn colon_switches_views_like_k9s() {
    let (mut src, mut app) = three_pods();
    command(&mut app, &mut src, "deploy");
    assert_eq!(app.view.kind, Kind::Deployment);
    command(&mut app, &mut src, "po kube-system");
    assert_eq!(
        (app.view.kind, app.view.namespace.as_deref()),
        (Kind::Pod, Some("kube-system"))
    );
    command(&mut app, &mut src, "svc -A");
    assert_eq!(
        (app.view.kind, app.view.namespace.as_deref()),
        (Kind::Service, None)
    );
    command(&mut app, &mut src, "pods -n default app=web");
    assert_eq!(names(&app), ["web-10", "web-9"]);
    command(&mut app, &mut src, "ns kube-system");
    assert_eq!(app.view.namespace.as_deref(), Some("kube-system"));
    command(&mut app, &mut src, "nodes");
    assert_eq!(names(&app), ["node1", "node2", "node3", "node4"]);
    command(&mut app, &mut src, "frobnicate");
    assert!(app.current_message().unwrap().error);
    // 0 toggles all namespaces.
    command(&mut app, &mut src, "pods default");
    update(&mut app, Action::AllNamespaces);
    assert_eq!(app.view.namespace, None);
    assert_eq!(app.table_model().headers[0], "NAMESPACE");
}

#[test]
fn colon_runs_repl_lines_in_the_views_namespace() {
    let (_src, mut app) = three_pods();
    let mut run = |line: &str| {
        update(&mut app, Action::BeginCommand);
        for c in line.chars() {
            update(&mut app, Action::Input(c));
        }
        update(&mut app, Action::Submit)
    };
    assert_eq!(
        run("kubectl scale deploy/worker --replicas=10"),
        vec![Effect::RunLine {
            line: "kubectl scale deploy/worker --replicas=10".into(),
            namespace: Some("default".into())
        }]
    );
    // A bare kubectl verb is a kubectl line.
    assert_eq!(
        run("scale deploy/worker --replicas=3"),
        vec![Effect::RunLine {
            line: "kubectl scale deploy/worker --replicas=3".into(),
            namespace: Some("default".into())
        }]
    );
    assert!(matches!(
        &run("sim advance 20s")[..],
        [Effect::RunLine { .. }]
    ));
    assert_eq!(run("q"), vec![Effect::Quit]);
    // History: ↑ recalls the last line.
    update(&mut app, Action::BeginCommand);
    update(&mut app, Action::HistoryPrev);
    assert_eq!(app.prompt.input, "q");
    update(&mut app, Action::HistoryPrev);
    assert_eq!(app.prompt.input, "sim advance 20s");
    update(&mut app, Action::HistoryNext);
    assert_eq!(app.prompt.input, "q");
}

#[test]
fn tab_completes_kinds_verbs_and_names() {
    let (mut src, mut app) = three_pods();
    let tab = |app: &mut App| {
        update(app, Action::Complete);
        app.prompt.input.clone()
    };
    update(&mut app, Action::BeginCommand);
    for c in "depl".chars() {
        update(&mut app, Action::Input(c));
    }
    assert_eq!(tab(&mut app), "deploy", "to the common prefix first");
    assert_eq!(tab(&mut app), "deployment");
    assert_eq!(tab(&mut app), "deployments ");
    update(&mut app, Action::ClearInput);
    for c in "kubectl sc".chars() {
        update(&mut app, Action::Input(c));
    }
    assert_eq!(tab(&mut app), "kubectl scale ");
    for c in "po/w".chars() {
        update(&mut app, Action::Input(c));
    }
    assert_eq!(
        tab(&mut app),
        "kubectl scale po/web-",
        "names from the cache"
    );
    // Several candidates with nothing in common: Tab cycles through them.
    assert_eq!(tab(&mut app), "kubectl scale po/web-10");
    assert_eq!(tab(&mut app), "kubectl scale po/web-9");
    assert_eq!(tab(&mut app), "kubectl scale po/web-10");
    update(&mut app, Action::ClearInput);
    for c in "kubectl get pods -n kube-".chars() {
        update(&mut app, Action::Input(c));
    }
    // Nothing in common beyond `kube-`: the first candidate, then the next.
    assert_eq!(tab(&mut app), "kubectl get pods -n kube-node-lease");
    assert_eq!(
        app.prompt.candidates,
        ["kube-node-lease", "kube-public", "kube-system"]
    );
    assert_eq!(tab(&mut app), "kubectl get pods -n kube-public");
    let _ = &mut src;
}

#[test]
fn enter_drills_down_and_esc_comes_back() {
    let (mut src, mut app) = three_pods();
    command(&mut app, &mut src, "nodes");
    update(&mut app, Action::Down);
    update(&mut app, Action::Down); // node3
    update(&mut app, Action::Enter);
    assert_eq!(app.view.scope, Scope::Node("node3".into()));
    assert_eq!(app.view.namespace, None, "a node's pods in every namespace");
    let on_node3 = names(&app);
    assert!(on_node3.contains(&"web-10".to_string()) && on_node3.contains(&"web-9".to_string()));
    assert!(!on_node3.contains(&"api".to_string()), "api runs on node2");
    assert!(
        on_node3.iter().any(|n| n.starts_with("kube-proxy-")),
        "system pods too"
    );
    update(&mut app, Action::Back);
    assert_eq!(app.view.kind, Kind::Node);
    command(&mut app, &mut src, "ns");
    let i = names(&app).iter().position(|n| n == "kube-system").unwrap();
    for _ in 0..i {
        update(&mut app, Action::Down);
    }
    update(&mut app, Action::Enter);
    assert_eq!(
        (app.view.kind, app.view.namespace.as_deref()),
        (Kind::Pod, Some("kube-system"))
    );
    // Enter on a pod describes it.
    let effects = update(&mut app, Action::Enter);
    assert!(matches!(&effects[..], [Effect::Load(Mode::Describe, r)] if r.kind == Kind::Pod));
    assert_eq!(app.mode, Mode::Describe);
}

#[test]
fn panes_open_on_the_selected_object_and_esc_closes_them() {
    let (mut src, mut app) = three_pods();
    let api = ObjRef {
        kind: Kind::Pod,
        namespace: "default".into(),
        name: "api".into(),
    };
    assert_eq!(
        update(&mut app, Action::Yaml),
        vec![Effect::Load(Mode::Yaml, api.clone())]
    );
    assert_eq!(app.mode, Mode::Yaml);
    // From one pane to another on the same object.
    assert_eq!(
        update(&mut app, Action::Logs),
        vec![Effect::Load(Mode::Logs, api.clone())]
    );
    assert!(app.pane.as_ref().unwrap().follow, "logs follow");
    update(&mut app, Action::ToggleFollow);
    assert!(!app.pane.as_ref().unwrap().follow);
    update(&mut app, Action::Back);
    assert_eq!(app.mode, Mode::Normal);
    assert!(app.pane.is_none());
    // YAML for real, through the REPL's `kubectl get -o yaml`.
    go(&mut app, &mut src, &[Action::Yaml]);
    let text = app.pane.as_ref().unwrap().lines.join("\n");
    assert!(text.contains("name: api"), "{text}");
    // Logs and explain are for pods.
    command(&mut app, &mut src, "nodes");
    assert_eq!(update(&mut app, Action::Logs), vec![]);
    assert_eq!(app.current_message().unwrap().text, "logs works on pods");
    assert_eq!(app.mode, Mode::Normal);
}

#[test]
fn space_plus_minus_and_n_drive_the_simulation() {
    // Only the scheduler runs: `n` must be what binds the pending pod.
    let w = kubesim::cluster::build_world_with(
        &kubesim::cluster::ClusterSpec::workshop(),
        1,
        |w, _| w.add_controller(Box::new(kubesim::scheduler::Scheduler::new())),
    );
    let (mut src, mut app) = three_pods_in(w);
    assert_eq!(update(&mut app, Action::TogglePause), vec![Effect::Pause]);
    go(&mut app, &mut src, &[Action::TogglePause]);
    assert!(app.clock.paused);
    assert_eq!(update(&mut app, Action::TogglePause), vec![Effect::Resume]);
    go(&mut app, &mut src, &[Action::TogglePause]);
    assert!(!app.clock.paused);
    assert_eq!(
        update(&mut app, Action::Faster),
        vec![Effect::SetSpeed(2.0)]
    );
    go(&mut app, &mut src, &[Action::Faster, Action::Faster]);
    assert_eq!(app.clock.speed, 5.0);
    go(
        &mut app,
        &mut src,
        &[Action::Slower, Action::Slower, Action::Slower],
    );
    assert_eq!(app.clock.speed, 0.5);
    // n: a pod waiting for the scheduler gets its turn.
    create_pod(src.world_mut(), "pending", &[], None, "nginx", None);
    src.drain(&mut app);
    go(&mut app, &mut src, &[Action::NextEvent]);
    let p = src
        .world()
        .store
        .get_as::<k8s_openapi::api::core::v1::Pod>("default", "pending")
        .unwrap();
    assert!(
        p.spec.as_ref().unwrap().node_name.is_some(),
        "the scheduler ran"
    );
    // Attached to a server, the controls belong to the server.
    app.capabilities.control = false;
    assert_eq!(update(&mut app, Action::TogglePause), vec![]);
    assert!(app.current_message().unwrap().error);
}

#[test]
fn help_lists_every_binding() {
    let (_src, mut app) = three_pods();
    update(&mut app, Action::Help);
    assert_eq!(app.mode, Mode::Help);
    let text = app.pane.as_ref().unwrap().lines.join("\n");
    for b in kubesim::tui::keys::BINDINGS {
        assert!(text.contains(b.what), "{}", b.what);
    }
    update(&mut app, Action::Back);
    assert_eq!(app.mode, Mode::Normal);
}

/// Esc then `q` typed quickly reach the dashboard as one Alt+q (ESC and
/// `q` in the same read: crossterm's parser, `parse_event` in
/// crossterm/src/event/sys/unix/parse.rs). It must still close the pane
/// and quit, as the two keys do one at a time; the tmux test used to hang
/// on exactly this.
#[test]
fn esc_then_q_read_together_closes_the_pane_and_quits() {
    let (mut src, mut app) = three_pods();
    go(&mut app, &mut src, &[Action::Help]);
    assert_eq!(app.mode, Mode::Help);
    let alt_q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::ALT);
    assert_eq!(
        kubesim::tui::keys::unfold(alt_q),
        vec![key(KeyCode::Esc), key(KeyCode::Char('q'))]
    );
    kubesim::tui::terminal::handle_key(&mut app, &mut src, alt_q);
    assert!(app.quit, "Esc left the pane, q quit");

    // Alt+: in a pane: back to the table, then the command line opens.
    let (mut src, mut app) = three_pods();
    go(&mut app, &mut src, &[Action::Help]);
    let alt_colon = KeyEvent::new(KeyCode::Char(':'), KeyModifiers::ALT);
    kubesim::tui::terminal::handle_key(&mut app, &mut src, alt_colon);
    assert_eq!(app.mode, Mode::Command);
    assert!(!app.quit);
}
