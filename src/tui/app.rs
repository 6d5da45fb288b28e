//! The dashboard's state (the Model of the Elm architecture): what is on
//! screen, which mode the keys are in, the informer cache and the samples.
//! Only [`super::update::update`] changes it in answer to keys; the runtime
//! feeds it the simulation's changes between frames.

use super::adapters::Decision;
use super::cache::{Cache, Change, Key};
use super::sampler::Sampler;
use super::theme::Theme;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::printers;
use crate::sim::SimTime;
use std::cmp::Ordering;
use std::sync::Arc;
use std::time::Duration;

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

/// A filter as typed: text, `-l selector`, `!` to invert.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterSpec {
    None,
    Text { text: String, invert: bool },
    Labels { selector: Selector, invert: bool },
    Invalid(String),
}

impl FilterSpec {
    pub fn parse(raw: &str) -> FilterSpec {
        let raw = raw.trim();
        let (invert, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r.trim_start()),
            None => (false, raw),
        };
        if rest.is_empty() {
            return FilterSpec::None;
        }
        if let Some(sel) = rest.strip_prefix("-l") {
            let sel = sel.trim();
            if sel.is_empty() {
                return FilterSpec::None;
            }
            return match Selector::parse(sel) {
                Ok(selector) => FilterSpec::Labels { selector, invert },
                Err(e) => FilterSpec::Invalid(e),
            };
        }
        FilterSpec::Text {
            text: rest.to_lowercase(),
            invert,
        }
    }
}

/// The steady colour meaning of a row.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum StatusClass {
    /// Running, Ready, Bound, Active...
    Ok,
    /// Pending, ContainerCreating, not yet ready...
    Pending,
    /// CrashLoopBackOff, Error, ImagePullBackOff, NotReady, Warning...
    Error,
    /// Completed, Succeeded.
    Completed,
    /// Being deleted.
    Terminating,
    /// Nothing to say.
    Neutral,
}

/// The class of a pod STATUS as kubectl prints it.
pub fn classify_pod_status(status: &str) -> StatusClass {
    match status {
        "Running" => StatusClass::Ok,
        "Completed" | "Succeeded" => StatusClass::Completed,
        "Terminating" => StatusClass::Terminating,
        "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated" => {
            StatusClass::Pending
        }
        s if s.starts_with("Init:") => {
            let r = &s[5..];
            if r.chars().next().is_some_and(|c| c.is_ascii_digit()) {
                StatusClass::Pending // Init:0/1
            } else {
                StatusClass::Error // Init:CrashLoopBackOff, Init:Error
            }
        }
        "" => StatusClass::Neutral,
        // CrashLoopBackOff, Error, ImagePullBackOff, ErrImagePull, OOMKilled,
        // Failed, Evicted, Unknown, ExitCode:N, Signal:N, ...
        _ => StatusClass::Error,
    }
}

/// A row ready to draw.
#[derive(Clone, Debug)]
pub struct RowModel {
    pub key: Key,
    pub object: Arc<Object>,
    pub cells: Vec<String>,
    pub status: StatusClass,
    pub mark: Option<Change>,
}

/// The resource table ready to draw.
#[derive(Clone, Debug)]
pub struct TableModel {
    pub headers: Vec<String>,
    pub rows: Vec<RowModel>,
    /// Index of the sorted column in `headers`.
    pub sort_column: Option<usize>,
    pub descending: bool,
    /// Index of the selected row.
    pub selected: Option<usize>,
    /// The first row in view; rows from here on (as many as asked for)
    /// have their cells, status and mark.
    pub offset: usize,
    /// Objects before filtering (for the `[shown/total]` title).
    pub total: usize,
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

/// Facts about an object version, kept while the object is.
#[derive(Default)]
pub struct Memo {
    /// By the object's address; the Arc held here keeps the address from
    /// being reused by another object while the entry exists.
    entries: std::collections::BTreeMap<usize, MemoEntry>,
}

pub struct MemoEntry {
    object: Arc<Object>,
    class: Option<StatusClass>,
    requests: Option<super::resources::Resources>,
    cells: Option<Vec<String>>,
}

impl Memo {
    fn entry(&mut self, obj: &Arc<Object>) -> &mut MemoEntry {
        self.entries
            .entry(Arc::as_ptr(obj) as usize)
            .or_insert_with(|| MemoEntry {
                object: obj.clone(),
                class: None,
                requests: None,
                cells: None,
            })
    }

    /// Forgets objects nobody else holds any more.
    pub fn prune(&mut self) {
        self.entries.retain(|_, e| Arc::strong_count(&e.object) > 1);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl MemoEntry {
    fn cells(&mut self, f: impl FnOnce() -> Vec<String>) -> &[String] {
        self.cells.get_or_insert_with(f)
    }
    fn class(&mut self, f: impl FnOnce() -> StatusClass) -> StatusClass {
        *self.class.get_or_insert_with(f)
    }
    fn requests(
        &mut self,
        f: impl FnOnce() -> super::resources::Resources,
    ) -> super::resources::Resources {
        *self.requests.get_or_insert_with(f)
    }
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

    /// The objects of the view before filtering: cache and ghosts, in scope.
    fn scoped_objects(&self) -> Vec<Arc<Object>> {
        let v = &self.view;
        let ns = v.list_namespace();
        let mut objs: Vec<Arc<Object>> = self.cache.iter(v.kind, ns).cloned().collect();
        objs.extend(self.cache.ghosts(v.kind, ns).cloned());
        match &v.scope {
            Scope::All => {}
            Scope::Selector { selector, .. } => {
                objs.retain(|o| selector.matches_opt(o.meta().labels.as_ref()))
            }
            Scope::Node(node) => objs.retain(|o| match &**o {
                Object::Pod(p) => super::resources::node_of(p) == Some(node.as_str()),
                _ => false,
            }),
        }
        objs
    }

    /// The whole resource table, every row with its cells.
    pub fn table_model(&self) -> TableModel {
        self.table_window(usize::MAX)
    }

    /// The resource table of the current view: the same columns and cells
    /// as `kubectl get` (the printers' Table), with a NAMESPACE column when
    /// listing all namespaces, filtered and sorted. Cells are computed for
    /// the `height` rows in view only, unless a text filter or a sort on a
    /// printed column needs them all: a frame with 1,000 pods stays cheap.
    pub fn table_window(&self, height: usize) -> TableModel {
        let v = &self.view;
        let objs = self.scoped_objects();
        let total = objs.len();
        let now_ts = self.clock.timestamp();
        let columns = printers::columns(v.kind);
        let with_ns = v.kind.info().namespaced && v.list_namespace().is_none();
        let visible: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| v.wide || c.priority == 0)
            .map(|(i, _)| i)
            .collect();
        let mut headers: Vec<String> = Vec::new();
        if with_ns {
            headers.push("NAMESPACE".into());
        }
        headers.extend(visible.iter().map(|&i| columns[i].name.to_uppercase()));
        let name_col = columns
            .iter()
            .position(|c| c.format == "name")
            .and_then(|i| visible.iter().position(|&x| x == i))
            .map(|i| i + usize::from(with_ns));
        let cells_of = |o: &Object| -> Vec<String> {
            let all = printers::cells(o, now_ts);
            let mut out = Vec::with_capacity(headers.len());
            if with_ns {
                out.push(o.meta().namespace.clone().unwrap_or_default());
            }
            out.extend(
                visible
                    .iter()
                    .map(|&i| all.get(i).map(printers::Cell::text).unwrap_or_default()),
            );
            out
        };
        let filter = FilterSpec::parse(&v.filter);
        let sort_ci = v
            .sort
            .as_ref()
            .and_then(|s| headers.iter().position(|h| *h == s.column));
        // Sorting by name, namespace or time reads the object, not cells.
        let sort_needs_cells = match (&v.sort, sort_ci) {
            (Some(s), Some(ci)) => {
                !is_time_column(&s.column) && Some(ci) != name_col && s.column != "NAMESPACE"
            }
            _ => false,
        };
        let fresh_cells = height == usize::MAX;
        let memo_cells =
            !fresh_cells && (matches!(filter, FilterSpec::Text { .. }) || sort_needs_cells);
        let mut rows: Vec<RowModel> = {
            let mut memo = self.memo.borrow_mut();
            objs.into_iter()
                .map(|o| RowModel {
                    key: super::cache::key_of(&o),
                    // Filtering and sorting read cells memoized per object
                    // version (their ages may be a little old; rows in
                    // view get fresh cells below).
                    cells: if fresh_cells {
                        cells_of(&o)
                    } else if memo_cells {
                        memo.entry(&o).cells(|| cells_of(&o)).to_vec()
                    } else {
                        Vec::new()
                    },
                    object: o,
                    status: StatusClass::Neutral,
                    mark: None,
                })
                .collect()
        };
        rows.retain(|r| filter_keeps(&filter, &r.object, &r.cells));
        let mut sort_column = None;
        let mut descending = false;
        if let Some(s) = &v.sort {
            // Time columns sort by the timestamp, even when this kind's
            // table does not print that column (events by LAST SEEN).
            if sort_ci.is_some() || is_time_column(&s.column) {
                sort_column = sort_ci;
                descending = s.descending;
                let by = if is_time_column(&s.column) {
                    SortBy::Time
                } else if sort_ci == name_col {
                    SortBy::Name
                } else if s.column == "NAMESPACE" {
                    SortBy::Namespace
                } else {
                    SortBy::Cell(sort_ci.unwrap_or(0))
                };
                sort_rows(&mut rows, by, s.descending);
            }
        }
        let selected = match &v.selected {
            Some(k) => rows.iter().position(|r| &r.key == k),
            None => None,
        }
        .or(if rows.is_empty() {
            None
        } else {
            Some(v.cursor.min(rows.len() - 1))
        });
        let sel = selected.unwrap_or(0);
        let offset = if height == 0 || height == usize::MAX || sel < height {
            0
        } else {
            sel + 1 - height
        };
        let window = self.highlight_window();
        let end = offset.saturating_add(height).min(rows.len());
        for r in &mut rows[offset..end] {
            if !fresh_cells {
                r.cells = cells_of(&r.object);
            }
            r.status = classify(&r.object, &headers, &r.cells);
            r.mark = self
                .cache
                .mark(v.kind, &r.key, self.clock.now, window)
                .map(|m| m.change);
        }
        TableModel {
            headers,
            rows,
            sort_column,
            descending,
            selected,
            offset,
            total,
        }
    }

    /// The status class of a pod, from its STATUS and READY cells
    /// (memoized per object version: it does not depend on the time).
    pub fn pod_class(&self, pod: &Arc<Object>) -> StatusClass {
        self.memo.borrow_mut().entry(pod).class(|| {
            static COLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
            let headers = COLS.get_or_init(|| {
                printers::columns(Kind::Pod)
                    .iter()
                    .map(|c| c.name.to_uppercase())
                    .collect()
            });
            let cells: Vec<String> = printers::cells(pod, self.clock.timestamp())
                .iter()
                .map(printers::Cell::text)
                .collect();
            classify(pod, headers, &cells)
        })
    }

    /// What a pod requests (memoized per object version).
    pub fn pod_requests(&self, pod: &Arc<Object>) -> super::resources::Resources {
        self.memo.borrow_mut().entry(pod).requests(|| match &**pod {
            Object::Pod(p) => super::resources::pod_requests(p),
            _ => Default::default(),
        })
    }

    /// The cluster now, for the charts: requested and allocatable summed
    /// over nodes (pod requests memoized per object version), pods by phase.
    pub fn measure(&self, hash_rate: Option<f64>) -> super::sampler::Sample {
        let mut s = super::sampler::Sample {
            at: self.clock.now,
            hash_rate,
            ..Default::default()
        };
        let mut nodes = std::collections::BTreeSet::new();
        for o in self.cache.iter(Kind::Node, None) {
            if let Object::Node(n) = &**o {
                let (alloc, _) = super::resources::allocatable(n);
                s.allocatable.cpu_m += alloc.cpu_m;
                s.allocatable.mem += alloc.mem;
                nodes.insert(n.metadata.name.as_deref().unwrap_or(""));
            }
        }
        for o in self.cache.iter(Kind::Pod, None) {
            let Object::Pod(p) = &**o else { continue };
            let phase = p.status.as_ref().and_then(|st| st.phase.as_deref());
            match phase {
                Some("Running") => s.phases.running += 1,
                Some("Succeeded") => s.phases.succeeded += 1,
                Some("Failed") => s.phases.failed += 1,
                Some("Unknown") => s.phases.unknown += 1,
                _ => s.phases.pending += 1,
            }
            let bound = super::resources::node_of(p).is_some_and(|n| nodes.contains(n));
            if bound && !super::resources::is_terminated(p) {
                let r = self.pod_requests(o);
                s.requested.cpu_m += r.cpu_m;
                s.requested.mem += r.mem;
            }
        }
        s
    }

    /// The selected row's object.
    pub fn selected_object(&self) -> Option<Arc<Object>> {
        let t = self.table_window(0);
        t.selected.map(|i| t.rows[i].object.clone())
    }
}

fn filter_keeps(f: &FilterSpec, obj: &Object, cells: &[String]) -> bool {
    match f {
        FilterSpec::None | FilterSpec::Invalid(_) => true,
        FilterSpec::Text { text, invert } => {
            let hit = cells
                .iter()
                .any(|c| c.to_lowercase().contains(text.as_str()));
            hit != *invert
        }
        FilterSpec::Labels { selector, invert } => {
            selector.matches_opt(obj.meta().labels.as_ref()) != *invert
        }
    }
}

fn cell<'a>(headers: &[String], cells: &'a [String], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .position(|h| h == name)
        .and_then(|i| cells.get(i))
        .map(String::as_str)
}

/// `a/b` with a < b: not everything is ready yet.
fn ready_short(s: &str) -> bool {
    match s.split_once('/') {
        Some((a, b)) => matches!((a.parse::<i64>(), b.parse::<i64>()), (Ok(a), Ok(b)) if a < b),
        None => false,
    }
}

/// The status class of a row, from what the table prints (so the colour
/// always agrees with the text: NO_COLOR users read the same thing).
fn classify(obj: &Object, headers: &[String], cells: &[String]) -> StatusClass {
    let status = cell(headers, cells, "STATUS");
    match obj {
        Object::Pod(_) => {
            let s = status.unwrap_or("");
            let class = classify_pod_status(s);
            if class == StatusClass::Ok && cell(headers, cells, "READY").is_some_and(ready_short) {
                StatusClass::Pending
            } else {
                class
            }
        }
        Object::Node(_) => match status.unwrap_or("") {
            "Ready" => StatusClass::Ok,
            s if s.starts_with("Ready,") => StatusClass::Pending, // cordoned
            _ => StatusClass::Error,
        },
        Object::Event(e) => match e.type_.as_deref() {
            Some("Warning") => StatusClass::Error,
            _ => StatusClass::Neutral,
        },
        _ if obj.meta().deletion_timestamp.is_some() => StatusClass::Terminating,
        Object::Namespace(_) => match status {
            Some("Active") => StatusClass::Ok,
            _ => StatusClass::Terminating,
        },
        Object::Job(_) => match status {
            Some("Complete") => StatusClass::Completed,
            Some("Failed") => StatusClass::Error,
            Some(_) => StatusClass::Ok,
            None => StatusClass::Neutral,
        },
        Object::PersistentVolumeClaim(_) | Object::PersistentVolume(_) => match status {
            Some("Bound") | Some("Available") => StatusClass::Ok,
            Some("Pending") | Some("Released") => StatusClass::Pending,
            Some(_) => StatusClass::Error,
            None => StatusClass::Neutral,
        },
        _ => {
            // Workloads: READY a/b (deployments, statefulsets, replicasets
            // print it as a/b or as DESIRED/READY numbers).
            if let Some(r) = cell(headers, cells, "READY") {
                if ready_short(r) {
                    return StatusClass::Pending;
                }
                if let (Some(d), Ok(r)) = (cell(headers, cells, "DESIRED"), r.parse::<i64>()) {
                    return if d.parse::<i64>().is_ok_and(|d| r < d) {
                        StatusClass::Pending
                    } else {
                        StatusClass::Ok
                    };
                }
                return StatusClass::Ok;
            }
            StatusClass::Neutral
        }
    }
}

/// The instant an event last happened (lastTimestamp, eventTime, creation).
fn event_time(obj: &Object) -> Option<jiff::Timestamp> {
    match obj {
        Object::Event(e) => e
            .last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or(e.event_time.as_ref().map(|t| t.0))
            .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        _ => obj.meta().creation_timestamp.as_ref().map(|t| t.0),
    }
}

fn is_time_column(column: &str) -> bool {
    matches!(column, "AGE" | "LAST SEEN" | "CREATED AT")
}

#[derive(Copy, Clone)]
enum SortBy {
    Time,
    Name,
    Namespace,
    Cell(usize),
}

fn sort_rows(rows: &mut [RowModel], by: SortBy, descending: bool) {
    rows.sort_by(|a, b| {
        let ord = match by {
            // Ascending age = newest first.
            SortBy::Time => event_time(&b.object).cmp(&event_time(&a.object)),
            SortBy::Name => natural_cmp(&a.key.1, &b.key.1),
            SortBy::Namespace => a.key.0.cmp(&b.key.0),
            SortBy::Cell(ci) => natural_cmp(&a.cells[ci], &b.cells[ci]),
        };
        let ord = ord.then_with(|| a.key.cmp(&b.key));
        if descending {
            ord.reverse()
        } else {
            ord
        }
    });
}

/// Compares strings with embedded numbers by value (`web-9` < `web-10`,
/// `2/3` < `10/10`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut ai = a.chars().peekable();
    let mut bi = b.chars().peekable();
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = ai.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    ai.next();
                }
                let mut nb = String::new();
                while let Some(c) = bi.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    bi.next();
                }
                let na = na.trim_start_matches('0');
                let nb = nb.trim_start_matches('0');
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(x), Some(y)) => {
                let o = x.cmp(&y);
                if o != Ordering::Equal {
                    return o;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_statuses_map_to_the_issue_colours() {
        use StatusClass::*;
        for (s, want) in [
            ("Running", Ok),
            ("Pending", Pending),
            ("ContainerCreating", Pending),
            ("Init:0/1", Pending),
            ("CrashLoopBackOff", Error),
            ("Error", Error),
            ("ImagePullBackOff", Error),
            ("Init:CrashLoopBackOff", Error),
            ("Completed", Completed),
            ("Terminating", Terminating),
        ] {
            assert_eq!(classify_pod_status(s), want, "{s}");
        }
    }

    #[test]
    fn filters_parse_text_labels_and_inversion() {
        assert_eq!(FilterSpec::parse(""), FilterSpec::None);
        assert_eq!(
            FilterSpec::parse("Web"),
            FilterSpec::Text {
                text: "web".into(),
                invert: false
            }
        );
        assert!(matches!(
            FilterSpec::parse("!-l app=web"),
            FilterSpec::Labels { invert: true, .. }
        ));
        assert!(matches!(
            FilterSpec::parse("-l app in (a"),
            FilterSpec::Invalid(_)
        ));
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        assert_eq!(natural_cmp("web-9", "web-10"), Ordering::Less);
        assert_eq!(natural_cmp("2/3", "10/10"), Ordering::Less);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("b", "a10"), Ordering::Greater);
    }
}
