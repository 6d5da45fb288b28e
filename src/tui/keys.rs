//! Keys → actions, k9s's bindings, by mode. Kept apart from the update so
//! that behaviour is tested with actions, and so that `?` help and the
//! status line are generated from the same table ([`BINDINGS`]).

use super::app::Mode;
use super::update::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// One line of help: the keys, what they do, and where they work.
pub struct Binding {
    pub keys: &'static str,
    pub what: &'static str,
    /// The word shown on the status line of the table view, if any.
    pub hint: Option<&'static str>,
}

/// The table view's bindings, most used first: help lists them in this
/// order and the status line shows the hints that fit.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: ":",
        what: "command: :pods, :deploy NS, or a REPL line (:kubectl scale ...)",
        hint: Some("cmd"),
    },
    Binding {
        keys: "/",
        what: "filter: text, -l label selector, ! to invert",
        hint: Some("filter"),
    },
    Binding {
        keys: "d",
        what: "describe",
        hint: Some("describe"),
    },
    Binding {
        keys: "l",
        what: "logs (following; f toggles)",
        hint: Some("logs"),
    },
    Binding {
        keys: "space",
        what: "pause / resume the simulation",
        hint: Some("pause"),
    },
    Binding {
        keys: "+ -",
        what: "faster / slower",
        hint: Some("speed"),
    },
    Binding {
        keys: "?",
        what: "this help",
        hint: Some("help"),
    },
    Binding {
        keys: "q",
        what: "quit (ctrl-c too)",
        hint: Some("quit"),
    },
    Binding {
        keys: "e",
        what: "explain: the scheduler's filter verdicts and scores for a pod",
        hint: Some("explain"),
    },
    Binding {
        keys: "n",
        what: "run to the next simulation event",
        hint: Some("next"),
    },
    Binding {
        keys: "enter",
        what: "drill down: deployment/service/node/namespace → pods",
        hint: Some("pods"),
    },
    Binding {
        keys: "y",
        what: "YAML",
        hint: Some("yaml"),
    },
    Binding {
        keys: "↑↓ jk",
        what: "move (PgUp PgDn Home End)",
        hint: None,
    },
    Binding {
        keys: "esc",
        what: "back: clear the filter, leave a pane, go up a view",
        hint: None,
    },
    Binding {
        keys: "N A S …",
        what: "shift+letter: sort by the column it starts; again: reverse",
        hint: None,
    },
    Binding {
        keys: "0",
        what: "toggle all namespaces",
        hint: None,
    },
    Binding {
        keys: "ctrl-w",
        what: "wide columns (-o wide)",
        hint: None,
    },
    Binding {
        keys: "tab",
        what: "in : mode, complete (again: next candidate); ↑↓ history",
        hint: None,
    },
];

/// The help pane's text.
pub fn help_text() -> String {
    let mut s = String::from("kubesim tui: keys\n\n");
    for b in BINDINGS {
        s.push_str(&format!("  {:<10} {}\n", b.keys, b.what));
    }
    s.push_str(
        "\nColours: green Running/Ready, yellow Pending/ContainerCreating, red errors\n\
         (CrashLoopBackOff, ImagePullBackOff...), grey Completed, magenta Terminating.\n\
         Rows marked + were added, ~ changed, - deleted in the last moments.\n\
         \nEsc or q closes this help.\n",
    );
    s
}

/// The keys a key event stands for: Alt+key is Esc, then the key.
///
/// A terminal sends Esc as the byte ESC and Alt+key as ESC followed by the
/// key, so crossterm reads ESC and a key that arrive in the same read as
/// Alt+key. That happens whenever Esc is followed quickly by another key: a
/// fast typist, a slow link, a loaded machine, `tmux send-keys Escape q`.
/// The dashboard binds no Alt keys, so Alt+key always means Esc pressed
/// just before the key (before this, Esc q in a pane only closed the pane
/// and the `q` was lost).
pub fn unfold(key: KeyEvent) -> Vec<KeyEvent> {
    if key.modifiers.contains(KeyModifiers::ALT) && key.kind != KeyEventKind::Release {
        let esc = KeyEvent::new_with_kind(KeyCode::Esc, KeyModifiers::NONE, key.kind);
        let plain = KeyEvent {
            modifiers: key.modifiers - KeyModifiers::ALT,
            ..key
        };
        vec![esc, plain]
    } else {
        vec![key]
    }
}

/// The action a key means in `mode`, if any.
pub fn action_for(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    match mode {
        Mode::Command | Mode::Filter => prompt_key(key, ctrl),
        m if m.is_pane() => pane_key(key, ctrl),
        _ => normal_key(key, ctrl),
    }
}

fn movement(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Home,
        KeyCode::End => Action::End,
        _ => return None,
    })
}

fn controls(code: KeyCode) -> Option<Action> {
    Some(match code {
        KeyCode::Char(' ') => Action::TogglePause,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Faster,
        KeyCode::Char('-') | KeyCode::Char('_') => Action::Slower,
        KeyCode::Char('n') => Action::NextEvent,
        _ => return None,
    })
}

fn normal_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    if ctrl {
        return match key.code {
            KeyCode::Char('w') => Some(Action::ToggleWide),
            KeyCode::Char('f') => Some(Action::PageDown),
            KeyCode::Char('b') => Some(Action::PageUp),
            _ => None,
        };
    }
    if let Some(a) = movement(key.code).or_else(|| controls(key.code)) {
        return Some(a);
    }
    Some(match key.code {
        KeyCode::Char(':') => Action::BeginCommand,
        KeyCode::Char('/') => Action::BeginFilter,
        KeyCode::Enter => Action::Enter,
        KeyCode::Esc => Action::Back,
        KeyCode::Char('d') => Action::Describe,
        KeyCode::Char('y') => Action::Yaml,
        KeyCode::Char('l') => Action::Logs,
        KeyCode::Char('e') => Action::Explain,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('0') => Action::AllNamespaces,
        KeyCode::Char(c) if c.is_ascii_uppercase() => Action::Sort(c),
        _ => return None,
    })
}

fn pane_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    if ctrl {
        return match key.code {
            KeyCode::Char('f') => Some(Action::PageDown),
            KeyCode::Char('b') => Some(Action::PageUp),
            _ => None,
        };
    }
    if let Some(a) = movement(key.code).or_else(|| controls(key.code)) {
        return Some(a);
    }
    Some(match key.code {
        KeyCode::Esc | KeyCode::Char('q') => Action::Back,
        KeyCode::Char('G') => Action::End,
        KeyCode::Char('f') => Action::ToggleFollow,
        KeyCode::Char('d') => Action::Describe,
        KeyCode::Char('y') => Action::Yaml,
        KeyCode::Char('l') => Action::Logs,
        KeyCode::Char('e') => Action::Explain,
        KeyCode::Char(':') => Action::BeginCommand,
        _ => return None,
    })
}

fn prompt_key(key: KeyEvent, ctrl: bool) -> Option<Action> {
    if ctrl {
        return match key.code {
            KeyCode::Char('u') => Some(Action::ClearInput),
            KeyCode::Char('w') => Some(Action::DeleteWord),
            _ => None,
        };
    }
    Some(match key.code {
        KeyCode::Enter => Action::Submit,
        KeyCode::Esc => Action::Back,
        KeyCode::Tab => Action::Complete,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Up => Action::HistoryPrev,
        KeyCode::Down => Action::HistoryNext,
        KeyCode::Char(c) => Action::Input(c),
        _ => return None,
    })
}
