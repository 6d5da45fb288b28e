//! Where the dashboard's data comes from and where its commands go.
//!
//! [`LocalSource`] owns the world and runs it in the UI thread between
//! frames, paced by [`Pacer`] at the chosen speed, within a time budget per
//! frame so drawing and keys are never starved (architecture principle 2:
//! the TUI loop is a pacing edge). Every simulation step's watch events go
//! to the cache with the virtual time they happened at, and the world is
//! stopped on each sample instant so the charts come from exact virtual
//! times, whatever the frame rate.

use super::adapters::Adapters;
use super::app::{App, Mode, ObjRef, Pane};
use super::update::Effect;
use crate::cli::output::Output;
use crate::cli::session::{run_words, Session, SessionState};
use crate::objects::{Kind, Object};
use crate::sim::pacing::Pacer;
use crate::sim::{SimTime, World};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// A simulation the dashboard shows and drives.
pub trait Source {
    /// Brings the app up to date at wall instant `wall`, spending at most
    /// `budget` of wall time on the simulation.
    fn advance(&mut self, app: &mut App, wall: Instant, budget: Duration);
    /// Carries out an effect of the update.
    fn apply(&mut self, app: &mut App, effect: Effect, wall: Instant);
    /// Reloads an open describe / YAML / logs pane (logs follow).
    fn refresh_pane(&mut self, app: &mut App);
}

/// The world in this process.
pub struct LocalSource {
    pub session: Session,
    pacer: Pacer,
    adapters: Adapters,
    /// (wall instant, events processed) over the last second or so.
    rate: EventRate,
}

/// Past this much wall time behind, the backlog is dropped (in wall time,
/// never in events: the simulation still runs every event).
const MAX_LAG_WALL: Duration = Duration::from_secs(3);

impl LocalSource {
    /// A source for `world`, starting now at `speed`.
    pub fn new(world: World, speed: f64, wall: Instant, adapters: Adapters) -> LocalSource {
        let pacer = Pacer::new(world.now(), wall, speed);
        LocalSource {
            session: Session::new(world),
            pacer,
            adapters,
            rate: EventRate::default(),
        }
    }

    pub fn world(&self) -> &World {
        &self.session.world
    }

    pub fn world_mut(&mut self) -> &mut World {
        &mut self.session.world
    }

    /// Fills the app from the world: every object (unmarked), the clock,
    /// the first sample.
    pub fn init(&mut self, app: &mut App) {
        let w = &self.session.world;
        app.cache = super::cache::Cache::new();
        for k in Kind::ALL {
            for o in w.store.iter(*k, None) {
                app.cache.insert_quiet(o.clone());
            }
        }
        app.cache.rv = w.store.resource_version();
        app.clock.now = w.now();
        app.clock.epoch = w.store.timestamp_at(SimTime::ZERO).0;
        app.clock.seed = w.seed();
        app.clock.speed = self.pacer.speed();
        app.clock.paused = self.pacer.is_paused();
        app.sampler.start_at(w.now());
        self.sample_if_due(app);
    }

    /// Moves the store's changes into the cache, stamped with the world's now.
    pub fn drain(&mut self, app: &mut App) {
        let store = &self.session.world.store;
        if store.resource_version() == app.cache.rv {
            return;
        }
        let at = self.session.world.now();
        match store.events_since(app.cache.rv) {
            Ok(events) => {
                for ev in events {
                    app.cache.apply(ev.event_type, ev.object.clone(), at);
                    app.cache.rv = ev.rv;
                }
            }
            Err(_) => {
                // Compacted past our cursor: relist, as an informer does on 410.
                let rv = store.resource_version();
                let mut c = super::cache::Cache::new();
                for k in Kind::ALL {
                    for o in store.iter(*k, None) {
                        c.insert_quiet(o.clone());
                    }
                }
                c.rv = rv;
                app.cache = c;
            }
        }
        app.cache.rv = store.resource_version();
    }

    fn sample_if_due(&mut self, app: &mut App) {
        let w = &self.session.world;
        let now = w.now();
        // webui's poll a second before the sample: the hash rate's start.
        if app.sampler.poll_due(now) {
            let hashes = (self.adapters.hashes)(w);
            app.sampler.poll(now, hashes);
        }
        // A sample missed while a command moved the clock is taken now.
        if app.sampler.next_due() > now {
            return;
        }
        let hash_rate = app.sampler.poll(now, (self.adapters.hashes)(w));
        // The cache holds the store's objects (drained up to now).
        app.clock.now = now;
        let sample = app.measure(hash_rate);
        app.sampler.record(sample);
    }

    /// Runs the world to `target`, stopping on sample instants; gives up
    /// at `deadline`. Returns whether `target` was reached.
    fn run_to(&mut self, app: &mut App, target: SimTime, deadline: Option<Instant>) -> bool {
        let mut steps = 0u32;
        loop {
            let now = self.session.world.now();
            if now >= target {
                return true;
            }
            let seg = target.min(app.sampler.next_stop().max(now));
            loop {
                if !self.session.world.step(seg) {
                    break;
                }
                self.drain(app);
                steps += 1;
                if steps.is_multiple_of(32) {
                    if let Some(d) = deadline {
                        #[allow(clippy::disallowed_methods)] // the pacing edge: the frame budget
                        let late = Instant::now() >= d;
                        if late {
                            return false;
                        }
                    }
                }
            }
            // No event left before `seg`: the clock lands exactly on it.
            self.session.world.run_until(seg);
            self.drain(app);
            self.sample_if_due(app);
            if seg == target {
                return true;
            }
            if let Some(d) = deadline {
                #[allow(clippy::disallowed_methods)] // the pacing edge: the frame budget
                let late = Instant::now() >= d;
                if late {
                    return false;
                }
            }
        }
    }

    fn sync_clock(&mut self, app: &mut App, wall: Instant) {
        let w = &self.session.world;
        app.clock.now = w.now();
        app.clock.speed = self.pacer.speed();
        app.clock.paused = self.pacer.is_paused();
        let target = self.pacer.target(wall);
        app.clock.lag = target.since(w.now());
        let n = w.events_processed();
        app.clock.events_per_sec = self.rate.record(wall, n);
        app.cache.expire(w.now(), app.highlight_window());
    }

    /// After a command moved the world's clock (e.g. `sim advance`), the
    /// pacer and the sampler continue from there.
    fn follow_jump(&mut self, app: &mut App, wall: Instant) {
        let now = self.session.world.now();
        if now > self.pacer.target(wall) {
            self.pacer.jump_to(now, wall);
            app.sampler.start_at(now);
        }
    }

    fn run_line(&mut self, line: &str, namespace: Option<&str>) -> Output {
        self.session.state.namespace = namespace.unwrap_or("default").to_string();
        self.session.execute(line)
    }

    fn load_text(&mut self, mode: Mode, r: &ObjRef) -> String {
        load_text(&mut self.session.world, &mut self.session.state, mode, r)
    }
}

/// The text of a pane (describe, YAML, logs), from the REPL's own commands.
pub fn load_text(w: &mut World, state: &mut SessionState, mode: Mode, r: &ObjRef) -> String {
    let kind = r.kind.info().plural.to_string();
    let mut words: Vec<String> = match mode {
        Mode::Describe => vec!["kubectl".into(), "describe".into(), kind, r.name.clone()],
        Mode::Yaml => vec![
            "kubectl".into(),
            "get".into(),
            kind,
            r.name.clone(),
            "-o".into(),
            "yaml".into(),
        ],
        _ => vec![
            "kubectl".into(),
            "logs".into(),
            r.name.clone(),
            "--tail=2000".into(),
        ],
    };
    if !r.namespace.is_empty() {
        words.extend(["-n".to_string(), r.namespace.clone()]);
    }
    let out = run_words(&words, w, state, None);
    if out.success() {
        return out.stdout;
    }
    if mode == Mode::Describe && out.stderr.contains("unknown command") {
        // This build's REPL has no describe yet: show the object instead.
        if let Some(o) = w.store.try_get(r.kind, &r.namespace, &r.name) {
            return describe_fallback(o);
        }
    }
    format!("{}{}", out.stdout, out.stderr)
}

/// The object as YAML when `kubectl describe` is not available.
fn describe_fallback(o: &Object) -> String {
    serde_norway::to_string(&o.to_json()).unwrap_or_default()
}

/// Shows a command's output: one line on the status line, more in a pane.
pub fn show_output(app: &mut App, line: &str, out: &Output) {
    let text = format!("{}{}", out.stdout, out.stderr);
    let n = text.lines().count();
    if n <= 1 {
        let msg = if text.trim().is_empty() {
            format!("ran: {line}")
        } else {
            text.trim().to_string()
        };
        app.flash(msg, !out.success());
    } else {
        app.pane = Some(Pane::new(format!(":{line}"), None).with_text(&text));
        app.mode = Mode::Output;
    }
}

impl Source for LocalSource {
    fn advance(&mut self, app: &mut App, wall: Instant, budget: Duration) {
        let target = self.pacer.target(wall);
        let reached = self.run_to(app, target, Some(wall + budget));
        if !reached {
            let behind = target.since(self.session.world.now());
            let behind_wall = behind.div_f64(self.pacer.speed());
            if behind_wall > MAX_LAG_WALL {
                self.pacer.jump_to(self.session.world.now(), wall);
            }
        }
        self.sync_clock(app, wall);
        if !reached {
            app.clock.lag = target.since(self.session.world.now());
        }
    }

    fn apply(&mut self, app: &mut App, effect: Effect, wall: Instant) {
        match effect {
            Effect::Quit => app.quit = true,
            Effect::Pause => self.pacer.pause(wall),
            Effect::Resume => self.pacer.resume(wall),
            Effect::SetSpeed(s) => self.pacer.set_speed(s, wall),
            Effect::StepToNextEvent => match self.session.world.next_event_time() {
                Some(t) => {
                    let now = self.session.world.now();
                    if t <= now {
                        self.session.world.step(now);
                        self.drain(app);
                    } else {
                        self.run_to(app, t, None);
                    }
                    self.pacer.jump_to(self.session.world.now(), wall);
                    app.flash(format!("ran to {}", self.session.world.now()), false);
                }
                None => app.flash("no event is scheduled", false),
            },
            Effect::RunLine { line, namespace } => {
                let out = self.run_line(&line, namespace.as_deref());
                self.drain(app);
                self.follow_jump(app, wall);
                show_output(app, &line, &out);
            }
            Effect::Load(Mode::Explain, r) => {
                let d = (self.adapters.explain)(&self.session.world, &r.namespace, &r.name);
                app.decision = Some((r, d));
            }
            Effect::Load(mode, r) => {
                let text = self.load_text(mode, &r);
                if let Some(p) = app.pane.as_mut() {
                    p.set_text(&text);
                }
            }
        }
        self.sync_clock(app, wall);
    }

    fn refresh_pane(&mut self, app: &mut App) {
        if !matches!(app.mode, Mode::Describe | Mode::Yaml | Mode::Logs) {
            return;
        }
        let Some(target) = app.pane.as_ref().and_then(|p| p.target.clone()) else {
            return;
        };
        let text = self.load_text(app.mode, &target);
        if let Some(p) = app.pane.as_mut() {
            p.set_text(&text);
        }
    }
}

/// The status bar's events per wall second: the world's event count
/// sampled at each frame, over the last second of samples.
#[derive(Default)]
pub struct EventRate(VecDeque<(Instant, u64)>);

impl EventRate {
    /// Records the count at `wall` and returns the current rate.
    pub fn record(&mut self, wall: Instant, n: u64) -> f64 {
        let samples = &mut self.0;
        samples.push_back((wall, n));
        while samples.len() > 2
            && wall.saturating_duration_since(samples[0].0) > Duration::from_secs(1)
        {
            samples.pop_front();
        }
        match (samples.front(), samples.back()) {
            (Some(a), Some(b)) => {
                let dt = b.0.saturating_duration_since(a.0).as_secs_f64();
                if dt > 0.0 {
                    b.1.saturating_sub(a.1) as f64 / dt
                } else {
                    0.0
                }
            }
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod event_rate_tests {
    use super::*;

    /// The rate is the count's change over the samples' span, and samples
    /// older than a second drop out.
    #[test]
    #[allow(clippy::disallowed_methods)] // a wall-clock origin for the samples
    fn rate_over_the_last_second() {
        let t0 = Instant::now();
        let mut r = EventRate::default();
        assert_eq!(r.record(t0, 0), 0.0);
        assert_eq!(r.record(t0 + Duration::from_millis(500), 100), 200.0);
        assert_eq!(r.record(t0 + Duration::from_millis(1000), 300), 300.0);
        // The first sample is now more than a second old.
        assert_eq!(r.record(t0 + Duration::from_millis(1500), 300), 200.0);
    }
}
