//! Update (the Elm architecture's): the one function that changes the
//! dashboard in answer to an [`Action`], returning the [`Effect`]s that the
//! runtime must carry out on the simulation. It touches no terminal and no
//! world, so every key's behaviour is tested without either.

use super::app::{App, Mode, ObjRef, Pane, Scope, Sort, View};
use super::complete;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: drill down (deployment → its pods, node → its pods...).
    Enter,
    /// Esc: leave the mode, clear the filter, or go back a view.
    Back,
    Describe,
    Yaml,
    Logs,
    Explain,
    Help,
    TogglePause,
    Faster,
    Slower,
    NextEvent,
    /// Shift+letter: sort by the column starting with that letter.
    Sort(char),
    ToggleWide,
    AllNamespaces,
    ToggleFollow,
    BeginCommand,
    BeginFilter,
    Input(char),
    Backspace,
    ClearInput,
    DeleteWord,
    Complete,
    HistoryPrev,
    HistoryNext,
    Submit,
}

/// What the runtime does to the simulation (or the server it is attached to).
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    /// Runs a REPL line (`kubectl ...`, `sim ...`) in `namespace`.
    RunLine {
        line: String,
        namespace: Option<String>,
    },
    Pause,
    Resume,
    SetSpeed(f64),
    /// Runs the simulation up to its next event.
    StepToNextEvent,
    /// Fills the pane of the current mode for this object.
    Load(Mode, ObjRef),
}

/// The speeds `+` and `-` step through.
pub const SPEEDS: &[f64] = &[
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0,
];

/// The next speed up (`up`) or down from `cur`.
pub fn step_speed(cur: f64, up: bool) -> f64 {
    if up {
        SPEEDS
            .iter()
            .copied()
            .find(|&s| s > cur + 1e-9)
            .unwrap_or(cur)
    } else {
        SPEEDS
            .iter()
            .rev()
            .copied()
            .find(|&s| s < cur - 1e-9)
            .unwrap_or(cur)
    }
}

/// Applies an action; returns what the runtime must do.
pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    if action == Action::Quit {
        app.quit = true;
        return vec![Effect::Quit];
    }
    match app.mode {
        Mode::Command | Mode::Filter => prompt_action(app, action),
        m if m.is_pane() => pane_action(app, action),
        _ => normal_action(app, action),
    }
}

/// Keys that work in every mode but the prompts: the simulation's controls.
fn control(app: &mut App, action: &Action) -> Option<Vec<Effect>> {
    let needs_control = matches!(
        action,
        Action::TogglePause | Action::Faster | Action::Slower | Action::NextEvent
    );
    if needs_control && !app.capabilities.control {
        app.flash("attached: pause and speed belong to the server", true);
        return Some(vec![]);
    }
    Some(match action {
        Action::TogglePause => {
            if app.clock.paused {
                vec![Effect::Resume]
            } else {
                vec![Effect::Pause]
            }
        }
        Action::Faster | Action::Slower => {
            let s = step_speed(app.clock.speed, *action == Action::Faster);
            vec![Effect::SetSpeed(s)]
        }
        Action::NextEvent => vec![Effect::StepToNextEvent],
        _ => return None,
    })
}

fn normal_action(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(e) = control(app, &action) {
        return e;
    }
    // Keys, order and selection only: no cells needed.
    let table = app.table_window(0);
    let n = table.rows.len();
    let cur = table.selected.unwrap_or(0);
    let select = |app: &mut App, i: usize| {
        if n == 0 {
            return;
        }
        let i = i.min(n - 1);
        app.view.cursor = i;
        app.view.selected = Some(table.rows[i].key.clone());
    };
    const PAGE: usize = 10;
    match action {
        Action::Up => select(app, cur.saturating_sub(1)),
        Action::Down => select(app, cur + 1),
        Action::PageUp => select(app, cur.saturating_sub(PAGE)),
        Action::PageDown => select(app, cur + PAGE),
        Action::Home => select(app, 0),
        Action::End => select(app, n.saturating_sub(1)),
        Action::BeginCommand => {
            app.mode = Mode::Command;
            app.prompt = Default::default();
            app.history_pos = None;
        }
        Action::BeginFilter => {
            app.mode = Mode::Filter;
            app.prompt = Default::default();
            app.prompt.input = app.view.filter.clone();
        }
        Action::Back => {
            if !app.view.filter.is_empty() {
                app.view.filter.clear();
            } else if let Some(v) = app.back.pop() {
                app.view = v;
            }
        }
        Action::Help => {
            app.mode = Mode::Help;
            app.pane = Some(Pane::new("help", None).with_text(&super::keys::help_text()));
        }
        Action::Sort(c) => sort_by_letter(app, c, &table.headers),
        Action::ToggleWide => app.view.wide = !app.view.wide,
        Action::AllNamespaces => {
            app.view.namespace = match app.view.namespace {
                Some(_) => None,
                None => Some("default".into()),
            };
            app.view.selected = None;
            app.view.cursor = 0;
        }
        Action::Enter => {
            if let Some(i) = table.selected {
                let obj = table.rows[i].object.clone();
                return drill_down(app, &obj);
            }
        }
        Action::Describe | Action::Yaml | Action::Logs | Action::Explain => {
            let Some(i) = table.selected else {
                app.flash("nothing selected", true);
                return vec![];
            };
            let target = ObjRef::of(&table.rows[i].object);
            return open_pane(app, action, target);
        }
        _ => {}
    }
    vec![]
}

/// Opens describe / YAML / logs / explain for `target`.
fn open_pane(app: &mut App, action: Action, target: ObjRef) -> Vec<Effect> {
    let (mode, what) = match action {
        Action::Describe => (Mode::Describe, "describe"),
        Action::Yaml => (Mode::Yaml, "yaml"),
        Action::Logs => (Mode::Logs, "logs"),
        _ => (Mode::Explain, "explain"),
    };
    if matches!(mode, Mode::Logs | Mode::Explain) && target.kind != Kind::Pod {
        app.flash(format!("{what} works on pods"), true);
        return vec![];
    }
    if mode == Mode::Explain && !app.capabilities.explain {
        app.flash("scheduler explanations are only available locally", true);
        return vec![];
    }
    let mut pane = Pane::new(
        format!("{what} {}", target.slash_name()),
        Some(target.clone()),
    );
    pane.follow = mode == Mode::Logs;
    app.pane = Some(pane);
    app.decision = None;
    app.mode = mode;
    vec![Effect::Load(mode, target)]
}

fn drill_down(app: &mut App, obj: &Object) -> Vec<Effect> {
    let r = ObjRef::of(obj);
    let owner = r.slash_name();
    let ns = Some(r.namespace.clone()).filter(|s| !s.is_empty());
    let selector = match obj {
        Object::Deployment(d) => d
            .spec
            .as_ref()
            .map(|s| Selector::from_label_selector(&s.selector)),
        Object::ReplicaSet(x) => x
            .spec
            .as_ref()
            .map(|s| Selector::from_label_selector(&s.selector)),
        Object::StatefulSet(x) => x
            .spec
            .as_ref()
            .map(|s| Selector::from_label_selector(&s.selector)),
        Object::DaemonSet(x) => x
            .spec
            .as_ref()
            .map(|s| Selector::from_label_selector(&s.selector)),
        Object::Job(x) => x
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .map(Selector::from_label_selector),
        Object::Service(s) => s
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .filter(|m| !m.is_empty())
            .map(Selector::from_map),
        Object::ReplicationController(x) => x
            .spec
            .as_ref()
            .and_then(|s| s.selector.as_ref())
            .map(Selector::from_map),
        _ => None,
    };
    let next = match (obj, selector) {
        (Object::Node(_), _) => {
            let mut v = View::new(Kind::Pod, None);
            v.scope = Scope::Node(r.name.clone());
            v
        }
        (Object::Namespace(_), _) => View::new(Kind::Pod, Some(r.name.clone())),
        (Object::Pod(_), _) => {
            return open_pane(app, Action::Describe, r);
        }
        (_, Some(selector)) => {
            let mut v = View::new(Kind::Pod, ns);
            v.scope = Scope::Selector { owner, selector };
            v
        }
        _ => return open_pane(app, Action::Describe, r),
    };
    let prev = std::mem::replace(&mut app.view, next);
    app.back.push(prev);
    vec![]
}

/// Shift+letter: the first column whose header starts with the letter
/// (k9s: N name, A age, S status, P namespace); again reverses it; a third
/// time moves to the next column with the same letter.
fn sort_by_letter(app: &mut App, c: char, headers: &[String]) {
    let c = c.to_ascii_uppercase();
    // k9s names the namespace column with P.
    let matching: Vec<&String> = headers
        .iter()
        .filter(|h| h.starts_with(c) || (c == 'P' && h.as_str() == "NAMESPACE"))
        .filter(|h| !(c == 'N' && h.as_str() == "NAMESPACE"))
        .collect();
    if matching.is_empty() {
        app.flash(format!("no column starts with {c}"), true);
        return;
    }
    let next = match &app.view.sort {
        Some(s) => match matching.iter().position(|h| **h == s.column) {
            Some(_) if !s.descending => Sort {
                column: s.column.clone(),
                descending: true,
            },
            Some(i) => Sort {
                column: matching[(i + 1) % matching.len()].clone(),
                descending: false,
            },
            None => Sort {
                column: matching[0].clone(),
                descending: false,
            },
        },
        None => Sort {
            column: matching[0].clone(),
            descending: false,
        },
    };
    app.view.sort = Some(next);
}

fn pane_action(app: &mut App, action: Action) -> Vec<Effect> {
    if let Some(e) = control(app, &action) {
        return e;
    }
    let Some(pane) = app.pane.as_mut() else {
        app.mode = Mode::Normal;
        return vec![];
    };
    let last = pane.lines.len().saturating_sub(1);
    let scroll = pane.scroll.min(last);
    match action {
        Action::Up => {
            pane.scroll = scroll.saturating_sub(1);
            pane.follow = false;
        }
        Action::Down => pane.scroll = (scroll + 1).min(last),
        Action::PageUp => {
            pane.scroll = scroll.saturating_sub(20);
            pane.follow = false;
        }
        Action::PageDown => pane.scroll = (scroll + 20).min(last),
        Action::Home => {
            pane.scroll = 0;
            pane.follow = false;
        }
        Action::End => pane.scroll = usize::MAX,
        Action::ToggleFollow if app.mode == Mode::Logs => {
            pane.follow = !pane.follow;
            if pane.follow {
                pane.scroll = usize::MAX;
            }
        }
        Action::Back => {
            app.mode = Mode::Normal;
            app.pane = None;
            app.decision = None;
        }
        Action::Describe | Action::Yaml | Action::Logs | Action::Explain => {
            if let Some(t) = pane.target.clone() {
                return open_pane(app, action, t);
            }
        }
        Action::BeginCommand => {
            app.mode = Mode::Command;
            app.pane = None;
            app.prompt = Default::default();
        }
        _ => {}
    }
    vec![]
}

fn prompt_action(app: &mut App, action: Action) -> Vec<Effect> {
    let filtering = app.mode == Mode::Filter;
    match action {
        Action::Input(c) => {
            app.prompt.input.push(c);
            app.prompt.chosen = None;
            app.prompt.candidates.clear();
        }
        Action::Backspace => {
            if app.prompt.input.pop().is_none() && !filtering {
                app.mode = Mode::Normal;
            }
            app.prompt.chosen = None;
            app.prompt.candidates.clear();
        }
        Action::ClearInput => app.prompt.input.clear(),
        Action::DeleteWord => {
            let s = app.prompt.input.trim_end();
            let cut = s.rfind(' ').map_or(0, |i| i + 1);
            app.prompt.input.truncate(cut);
        }
        Action::Complete if !filtering => {
            let p = &mut app.prompt;
            match p.chosen {
                // Tab again: the next candidate in place of the last one.
                Some(i) if !p.candidates.is_empty() => {
                    let next = (i + 1) % p.candidates.len();
                    p.input.truncate(p.start);
                    p.input.push_str(&p.candidates[next]);
                    p.chosen = Some(next);
                }
                _ => {
                    let c = complete::complete(&p.input, &app.cache);
                    p.input = complete::apply(&p.input, &c, &mut p.chosen);
                    p.start = c.start;
                    p.candidates = c.candidates;
                }
            }
        }
        Action::HistoryPrev | Action::HistoryNext if !filtering => {
            if app.history.is_empty() {
                return vec![];
            }
            let last = app.history.len() - 1;
            let pos = match (app.history_pos, action == Action::HistoryPrev) {
                (None, true) => Some(last),
                (None, false) => None,
                (Some(p), true) => Some(p.saturating_sub(1)),
                (Some(p), false) if p < last => Some(p + 1),
                (Some(_), false) => None,
            };
            app.history_pos = pos;
            app.prompt.input = pos.map(|p| app.history[p].clone()).unwrap_or_default();
        }
        Action::Back => {
            if filtering {
                app.view.filter.clear();
            }
            app.mode = Mode::Normal;
        }
        Action::Submit => {
            app.mode = Mode::Normal;
            let input = std::mem::take(&mut app.prompt.input);
            app.prompt = Default::default();
            if filtering {
                app.view.filter = input.trim().to_string();
                app.view.selected = None;
                app.view.cursor = 0;
                if let super::app::FilterSpec::Invalid(e) = super::app::FilterSpec::parse(&input) {
                    app.flash(format!("invalid selector: {e}"), true);
                }
                return vec![];
            }
            return submit_command(app, input.trim());
        }
        _ => {}
    }
    if filtering {
        // The filter applies as it is typed.
        app.view.filter = app.prompt.input.trim().to_string();
        app.view.selected = None;
        app.view.cursor = 0;
    }
    vec![]
}

/// Runs a `:` line: a view (`pods`, `deploy kube-system`, `svc -A`), a
/// namespace (`ns kube-system`), quit, or any REPL line, run by the REPL's
/// own parser.
pub fn submit_command(app: &mut App, line: &str) -> Vec<Effect> {
    if line.is_empty() {
        return vec![];
    }
    if app.history.last().map(String::as_str) != Some(line) {
        app.history.push(line.to_string());
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let first = words[0];
    match first {
        "q" | "q!" | "quit" | "exit" => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        "?" => {
            return update(app, Action::Help);
        }
        _ => {}
    }
    if first == "ns" || first == "namespace" {
        if let Some(ns) = words.get(1) {
            set_namespace(app, Some(ns));
            return vec![];
        }
    }
    if complete::is_repl_word(first) {
        return run_line(app, line.to_string());
    }
    if let Some(kind) = Kind::from_resource_name(first) {
        switch_view(app, kind, &words[1..]);
        return vec![];
    }
    if complete::is_kubectl_verb(first) {
        return run_line(app, format!("kubectl {line}"));
    }
    app.flash(
        format!("unknown resource or command {first:?} (try :pods, :deploy, or a kubectl line)"),
        true,
    );
    vec![]
}

fn run_line(app: &mut App, line: String) -> Vec<Effect> {
    if !app.capabilities.commands {
        app.flash("this view is read-only", true);
        return vec![];
    }
    vec![Effect::RunLine {
        line,
        namespace: app.view.namespace.clone(),
    }]
}

fn set_namespace(app: &mut App, ns: Option<&str>) {
    app.view.namespace = match ns {
        None | Some("all") | Some("-A") => None,
        Some(n) => Some(n.to_string()),
    };
    app.view.selected = None;
    app.view.cursor = 0;
}

/// `:KIND [NS | all | -A | -n NS | /filter | key=value]`, as k9s reads it.
fn switch_view(app: &mut App, kind: Kind, args: &[&str]) {
    let mut v = View::new(kind, app.view.namespace.clone());
    let mut i = 0;
    while i < args.len() {
        match args[i] {
            "all" | "-A" | "--all-namespaces" => v.namespace = None,
            "-n" | "--namespace" => {
                if let Some(ns) = args.get(i + 1) {
                    v.namespace = Some(ns.to_string());
                    i += 1;
                }
            }
            a if a.starts_with('/') => v.filter = a[1..].to_string(),
            a if a.contains('=') => v.filter = format!("-l {a}"),
            a => v.namespace = Some(a.to_string()),
        }
        i += 1;
    }
    app.back.clear();
    app.view = v;
}
