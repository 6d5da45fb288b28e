//! The dashboard on a simulation another part of this process runs:
//! `kubesim serve --tui` shows, on the teacher's screen, the very World the
//! HTTP API serves to the learners' kubectl.
//!
//! The world lives on the runner's thread (`src/sim/runner.rs`), which
//! paces it (architecture principle 1: one world, one owner). Each frame
//! this source sends the runner one small job that copies the store's
//! changes since the last frame (an informer's watch, stamped with the
//! virtual time they were seen at) and, when one is due, the charts'
//! sample; `:` lines, describe, YAML, logs and explanations run there too,
//! between events, through the REPL's own parser. Pause and speed go to the
//! runner; `n` (run to the next event) needs the world in hand and is not
//! available.
//!
//! Samples are taken at the first frame at or after each sample instant
//! (the runner, not this thread, decides where virtual time stops), so the
//! charts here follow the simulation to within a frame of virtual time
//! rather than exactly; the hash rate is still webui's formula over the
//! two readings' actual times.

use super::adapters;
use super::app::{App, Capabilities, Mode};
use super::cache::Cache;
use super::update::Effect;
use crate::cli::output::Output;
use crate::cli::session::SessionState;
use crate::objects::{Kind, Object};
use crate::sim::runner::SimHandle;
use crate::sim::store::WatchEventType;
use crate::sim::{SimTime, World};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one frame brings back from the runner's thread.
struct Frame {
    now: SimTime,
    rv: u64,
    events_processed: u64,
    /// `None`: the history was compacted past our cursor, relist.
    changes: Option<Vec<(WatchEventType, Arc<Object>, u64)>>,
    /// Every object, when relisting.
    relist: Vec<Arc<Object>>,
    /// DockerCoins' counter, read when a poll or a sample is due.
    hashes: Option<Option<i64>>,
}

/// The dashboard's view of a world run by a [`SimHandle`].
pub struct SharedSource {
    handle: SimHandle,
    state: SessionState,
    speed: f64,
    paused: bool,
    rate: super::source::EventRate,
}

impl SharedSource {
    pub fn new(handle: SimHandle, speed: f64) -> SharedSource {
        SharedSource {
            handle,
            state: SessionState::default(),
            speed,
            paused: false,
            rate: Default::default(),
        }
    }

    /// Fills the app from the world (every object, unmarked), sets the
    /// clock and what this front end can do.
    pub fn init(&mut self, app: &mut App) {
        let (objects, rv, now, epoch, seed) = self.handle.call(|w: &mut World| {
            let objects: Vec<Arc<Object>> = Kind::ALL
                .iter()
                .flat_map(|k| w.store.iter(*k, None).cloned().collect::<Vec<_>>())
                .collect();
            (
                objects,
                w.store.resource_version(),
                w.now(),
                w.store.timestamp_at(SimTime::ZERO).0,
                w.seed(),
            )
        });
        app.cache = Cache::new();
        for o in objects {
            app.cache.insert_quiet(o);
        }
        app.cache.rv = rv;
        app.clock.now = now;
        app.clock.epoch = epoch;
        app.clock.seed = seed;
        app.clock.speed = self.speed;
        app.clock.paused = self.paused;
        app.sampler.start_at(now);
        app.capabilities = Capabilities {
            control: true,
            commands: true,
            explain: true,
        };
    }

    /// Copies the world's changes since the cache's resourceVersion into
    /// the app, and takes the charts' reading or sample when due.
    pub fn sync(&mut self, app: &mut App) {
        let rv = app.cache.rv;
        let poll_at = app.sampler.next_stop();
        let f = self.handle.call(move |w: &mut World| {
            let now = w.now();
            let store = &w.store;
            let (changes, relist) = match store.events_since(rv) {
                Ok(evs) => (
                    Some(
                        evs.map(|e| (e.event_type, e.object.clone(), e.rv))
                            .collect::<Vec<_>>(),
                    ),
                    Vec::new(),
                ),
                Err(_) => (
                    None,
                    Kind::ALL
                        .iter()
                        .flat_map(|k| store.iter(*k, None).cloned().collect::<Vec<_>>())
                        .collect(),
                ),
            };
            let hashes = (now >= poll_at).then(|| crate::net::tools::dockercoins::webui_hashes(w));
            Frame {
                now,
                rv: store.resource_version(),
                events_processed: w.events_processed(),
                changes,
                relist,
                hashes,
            }
        });
        match f.changes {
            Some(changes) => {
                for (t, o, rv) in changes {
                    app.cache.apply(t, o, f.now);
                    app.cache.rv = rv;
                }
            }
            None => {
                let mut c = Cache::new();
                for o in f.relist {
                    c.insert_quiet(o);
                }
                app.cache = c;
            }
        }
        app.cache.rv = f.rv;
        app.clock.now = f.now;
        if let Some(hashes) = f.hashes {
            if app.sampler.poll_due(f.now) {
                app.sampler.poll(f.now, hashes);
            } else if app.sampler.next_due() <= f.now {
                let rate = app.sampler.poll(f.now, hashes);
                let sample = app.measure(rate);
                app.sampler.record(sample);
            }
        }
        self.events(app, f.events_processed);
        app.clock.speed = self.speed;
        app.clock.paused = self.paused;
        app.clock.lag = Duration::ZERO;
        app.cache.expire(f.now, app.highlight_window());
    }

    fn events(&mut self, app: &mut App, n: u64) {
        #[allow(clippy::disallowed_methods)] // the TUI loop is a pacing edge
        let wall = Instant::now();
        app.clock.events_per_sec = self.rate.record(wall, n);
    }

    /// Runs a REPL line on the world, in `namespace` (as the REPL attached
    /// to `kubesim serve --repl` does: src/cli/repl.rs `Remote`).
    pub fn run_line(&mut self, line: &str, namespace: Option<&str>) -> Output {
        let mut state = self.state.clone();
        state.namespace = namespace.unwrap_or("default").to_string();
        let line = line.to_string();
        let (out, state) = self.handle.call(move |w: &mut World| {
            (crate::cli::session::run_line(&line, w, &mut state), state)
        });
        self.state = state;
        out
    }
}

impl super::source::Source for SharedSource {
    fn advance(&mut self, app: &mut App, _wall: Instant, _budget: Duration) {
        self.sync(app);
    }

    fn apply(&mut self, app: &mut App, effect: Effect, _wall: Instant) {
        match effect {
            Effect::Quit => app.quit = true,
            Effect::Pause => {
                self.handle.pause();
                self.paused = true;
            }
            Effect::Resume => {
                self.handle.resume();
                self.paused = false;
            }
            Effect::SetSpeed(s) => {
                self.handle.set_speed(s);
                self.speed = s;
            }
            Effect::StepToNextEvent => app.flash(
                "the server's runner paces the simulation: `n` is for `kubesim tui`",
                true,
            ),
            Effect::RunLine { line, namespace } => {
                let out = self.run_line(&line, namespace.as_deref());
                self.sync(app);
                super::source::show_output(app, &line, &out);
            }
            Effect::Load(Mode::Explain, r) => {
                let (ns, name) = (r.namespace.clone(), r.name.clone());
                let d = self
                    .handle
                    .call(move |w: &mut World| (adapters::installed().explain)(w, &ns, &name));
                app.decision = Some((r, d));
            }
            Effect::Load(mode, r) => {
                let text = self.load(mode, r.clone());
                if let Some(p) = app.pane.as_mut() {
                    p.set_text(&text);
                }
            }
        }
        self.sync(app);
    }

    fn refresh_pane(&mut self, app: &mut App) {
        if !matches!(app.mode, Mode::Describe | Mode::Yaml | Mode::Logs) {
            return;
        }
        let Some(target) = app.pane.as_ref().and_then(|p| p.target.clone()) else {
            return;
        };
        let text = self.load(app.mode, target);
        if let Some(p) = app.pane.as_mut() {
            p.set_text(&text);
        }
    }
}

impl SharedSource {
    fn load(&mut self, mode: Mode, r: super::app::ObjRef) -> String {
        let mut state = self.state.clone();
        self.handle
            .call(move |w: &mut World| super::source::load_text(w, &mut state, mode, &r))
    }
}

/// `kubesim serve --tui`: the dashboard on the served simulation, until
/// `q`; the terminal is restored whatever happens.
pub fn run(
    handle: SimHandle,
    speed: f64,
    theme: super::theme::Theme,
    note: Option<String>,
) -> Result<(), String> {
    let mut src = SharedSource::new(handle, speed);
    let mut app = App::new(
        super::app::Clock::new(jiff::Timestamp::UNIX_EPOCH, 0, speed),
        theme,
    );
    src.init(&mut app);
    app.context = "kubesim serve".into();
    if let Some(n) = note {
        app.flash(n, false);
    }
    let (_guard, mut term) =
        super::terminal::setup().map_err(|e| format!("cannot open the terminal: {e}"))?;
    super::terminal::run_loop(&mut term, &mut app, &mut src)
        .map_err(|e| format!("terminal error: {e}"))
}
