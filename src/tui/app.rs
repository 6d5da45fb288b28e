//! The dashboard's state (the Model of the Elm architecture): what is on
//! screen, which mode the keys are in, the informer cache and the samples.
//! Only [`super::update::update`] changes it in answer to keys; the runtime
//! feeds it the simulation's changes between frames.

use super::adapters::Decision;
use super::cache::{Cache, Key};
use super::sampler::Sampler;
use super::theme::Theme;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::SimTime;
use std::sync::Arc;
use std::time::Duration;

pub use super::memo::Memo;
pub use super::status::{classify_pod_status, StatusClass};
pub use super::table::{natural_cmp, FilterSpec, RowModel, TableModel};

/// Which keys mean what right now.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Moving in the resource table.
    Normal,
    /// Typing a `:` command.
    Command,
    /// Typing a `/` filter.
    Filter,
    Describe,
    Yaml,
    Logs,
    /// The scheduler's explanation for a pod.
    Explain,
    /// The output of a REPL line run from `:`.
    Output,
    Help,
}

impl Mode {
    /// Modes that show a full-screen text pane.
    pub fn is_pane(self) -> bool {
        matches!(
            self,
            Mode::Describe | Mode::Yaml | Mode::Logs | Mode::Explain | Mode::Output | Mode::Help
        )
    }
}

/// An object named by kind, namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjRef {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl ObjRef {
    pub fn of(obj: &Object) -> ObjRef {
        let m = obj.meta();
        ObjRef {
            kind: obj.kind(),
            namespace: m.namespace.clone().unwrap_or_default(),
            name: m.name.clone().unwrap_or_default(),
        }
    }
    /// `pod/web-1` (kubectl's resource/name form).
    pub fn slash_name(&self) -> String {
        format!("{}/{}", self.kind.info().singular, self.name)
    }
}

/// A drill-down restriction on a view (Enter on a deployment, a node...).
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    All,
    /// Objects matching the selector of `owner` (`deploy/web`).
    Selector {
        owner: String,
        selector: Selector,
    },
    /// Pods bound to a node.
    Node(String),
}

/// Sorting by a column, by its header name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: String,
    pub descending: bool,
}

/// One resource table on the view stack.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub kind: Kind,
    /// `None`: all namespaces.
    pub namespace: Option<String>,
    pub scope: Scope,
    /// The filter as typed after `/`.
    pub filter: String,
    pub sort: Option<Sort>,
    /// The selected row, by key, so it stays put when rows move.
    pub selected: Option<Key>,
    /// The selected index, used when the selected key disappears.
    pub cursor: usize,
    /// `-o wide` columns (ctrl-w).
    pub wide: bool,
}

impl View {
    pub fn new(kind: Kind, namespace: Option<String>) -> View {
        View {
            kind,
            namespace,
            scope: Scope::All,
            filter: String::new(),
            sort: default_sort(kind),
            selected: None,
            cursor: 0,
            wide: false,
        }
    }

    /// The namespace the view lists, `None` for all (and for cluster kinds).
    pub fn list_namespace(&self) -> Option<&str> {
        if self.kind.info().namespaced {
            self.namespace.as_deref()
        } else {
            None
        }
    }

    /// `pods(default)` / `pods(all)` / `pods(deploy/web)`: k9s's table title.
    pub fn title(&self) -> String {
        let plural = self.kind.info().plural;
        let scope = match &self.scope {
            Scope::All if !self.kind.info().namespaced => String::new(),
            Scope::All => self.namespace.clone().unwrap_or_else(|| "all".into()),
            Scope::Selector { owner, .. } => owner.clone(),
            Scope::Node(n) => format!("node/{n}"),
        };
        if scope.is_empty() {
            plural.to_string()
        } else {
            format!("{plural}({scope})")
        }
    }
}

/// Events are listed newest first (k9s users expect it: derailed/k9s#3122).
fn default_sort(kind: Kind) -> Option<Sort> {
    (kind == Kind::Event).then(|| Sort {
        column: "LAST SEEN".into(),
        descending: false,
    })
}

/// A full-screen text pane (describe, YAML, logs, output).
#[derive(Clone, Debug, PartialEq)]
pub struct Pane {
    pub title: String,
    pub target: Option<ObjRef>,
    pub lines: Vec<String>,
    pub scroll: usize,
    /// Logs: keep the last line in view as lines arrive.
    pub follow: bool,
}

impl Pane {
    pub fn new(title: impl Into<String>, target: Option<ObjRef>) -> Pane {
        Pane {
            title: title.into(),
            target,
            lines: Vec::new(),
            scroll: 0,
            follow: false,
        }
    }
    pub fn with_text(mut self, text: &str) -> Pane {
        self.set_text(text);
        self
    }
    /// Replaces the content (keeps the scroll position unless following).
    pub fn set_text(&mut self, text: &str) {
        self.lines = text.lines().map(|l| l.replace('\t', "    ")).collect();
        if self.follow {
            self.scroll = usize::MAX; // clamped to the bottom when drawn
        }
    }
}

/// A line typed after `:` or `/`, with completion state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Prompt {
    pub input: String,
    /// Completion candidates of the word being typed.
    pub candidates: Vec<String>,
    /// Byte offset of the completed word in `input`.
    pub start: usize,
    /// The candidate Tab put in place, while cycling.
    pub chosen: Option<usize>,
}

/// A message on the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub error: bool,
    /// The frame after which it disappears.
    pub until_frame: u64,
}

/// Where the simulation is in time, for the header.
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    pub now: SimTime,
    /// The wall-clock instant of virtual time 0 (the cluster's start time).
    pub epoch: jiff::Timestamp,
    pub speed: f64,
    pub paused: bool,
    pub seed: u64,
    /// Simulation events per wall second (recent average).
    pub events_per_sec: f64,
    /// How far the simulation is behind the wall clock's target.
    pub lag: Duration,
}

impl Clock {
    pub fn new(epoch: jiff::Timestamp, seed: u64, speed: f64) -> Clock {
        Clock {
            now: SimTime::ZERO,
            epoch,
            speed,
            paused: false,
            seed,
            events_per_sec: 0.0,
            lag: Duration::ZERO,
        }
    }
    /// The cluster's wall-clock time now.
    pub fn timestamp(&self) -> jiff::Timestamp {
        self.epoch + jiff::SignedDuration::from_millis(self.now.0 as i64)
    }
}

/// What this front end can do to the simulation it shows.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Pause, speed and next-event (the local simulation only).
    pub control: bool,
    /// Running REPL lines.
    pub commands: bool,
    /// Scheduler explanations.
    pub explain: bool,
}

/// The dashboard.
pub struct App {
    pub mode: Mode,
    pub view: View,
    /// Views to go back to (Esc).
    pub back: Vec<View>,
    pub prompt: Prompt,
    pub history: Vec<String>,
    pub history_pos: Option<usize>,
    pub pane: Option<Pane>,
    /// The decision shown in Explain mode.
    pub decision: Option<(ObjRef, Option<Decision>)>,
    pub cache: Cache,
    pub sampler: Sampler,
    pub clock: Clock,
    pub message: Option<Message>,
    pub theme: Theme,
    pub capabilities: Capabilities,
    /// `kubesim` locally, the server's URL when attached.
    pub context: String,
    /// Frames drawn so far (messages time out in frames).
    pub frame: u64,
    pub quit: bool,
    /// Per-object facts that depend only on the object (draw reads it).
    pub memo: std::cell::RefCell<Memo>,
}

/// How long a highlight lasts, in wall seconds at the current speed.
const HIGHLIGHT_WALL_SECS: f64 = 2.0;
/// Frames a status message stays (about 4 s at 25 frames per second).
pub const MESSAGE_FRAMES: u64 = 100;

impl App {
    pub fn new(clock: Clock, theme: Theme) -> App {
        App {
            mode: Mode::Normal,
            view: View::new(Kind::Pod, Some("default".into())),
            back: Vec::new(),
            prompt: Prompt::default(),
            history: Vec::new(),
            history_pos: None,
            pane: None,
            decision: None,
            cache: Cache::new(),
            sampler: Sampler::default(),
            clock,
            message: None,
            theme,
            capabilities: Capabilities {
                control: true,
                commands: true,
                explain: true,
            },
            context: "kubesim".into(),
            frame: 0,
            quit: false,
            memo: Default::default(),
        }
    }

    /// How long a change stays highlighted, in virtual time: a couple of
    /// wall seconds at the current speed, never under 2 virtual seconds.
    pub fn highlight_window(&self) -> Duration {
        let secs = (HIGHLIGHT_WALL_SECS * self.clock.speed).clamp(2.0, 600.0);
        Duration::from_millis((secs * 1000.0) as u64)
    }

    pub fn flash(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
            until_frame: self.frame + MESSAGE_FRAMES,
        });
    }

    /// The current message, if it has not timed out.
    pub fn current_message(&self) -> Option<&Message> {
        self.message
            .as_ref()
            .filter(|m| m.until_frame >= self.frame)
    }

    /// The selected row's object.
    pub fn selected_object(&self) -> Option<Arc<Object>> {
        let t = self.table_window(0);
        t.selected.map(|i| t.rows[i].object.clone())
    }
}
