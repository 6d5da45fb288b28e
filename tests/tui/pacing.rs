//! The dashboard runs the simulation paced to the wall clock between
//! frames (architecture principle 2). The wall clock only decides how far
//! to run, never what happens: the same seed gives the same history and the
//! same chart samples whatever the frame rate, and the same history as
//! running as fast as possible.

use super::fixtures::*;
use kubesim::cli::session::Session;
use kubesim::cluster::workshop_world;
use kubesim::sim::SimTime;
use kubesim::tui::adapters::Adapters;
use kubesim::tui::app::{App, Clock};
use kubesim::tui::sampler::Sample;
use kubesim::tui::source::{LocalSource, Source};
use kubesim::tui::theme::Theme;
use kubesim::tui::update::Effect;
use std::time::{Duration, Instant};

const SCRIPT: &[&str] = &[
    "kubectl run a --image=nginx",
    "kubectl run b --image=redis",
    "kubectl run c --image=busybox",
];

/// Runs the script, then 60 virtual seconds at speed 5 in frames of
/// `frame` wall time; returns the event log and the samples.
fn paced(frame: Duration) -> (Vec<String>, Vec<Sample>) {
    let t0: Instant = wall();
    let mut src = LocalSource::new(workshop_world(42), 5.0, t0, Adapters::default());
    let mut app = App::new(
        Clock::new(jiff::Timestamp::UNIX_EPOCH, 42, 5.0),
        Theme::MONO,
    );
    src.init(&mut app);
    for line in SCRIPT {
        src.apply(
            &mut app,
            Effect::RunLine {
                line: line.to_string(),
                namespace: None,
            },
            t0,
        );
    }
    let end = t0 + Duration::from_secs(12);
    let mut w = t0;
    while w < end {
        w = (w + frame).min(end);
        // A budget far beyond the frame: these runs are never cut short.
        src.advance(&mut app, w, Duration::from_secs(3600));
    }
    assert_eq!(src.world().now(), SimTime::from_secs(60));
    (
        src.world().event_log().to_vec(),
        app.sampler.samples().iter().cloned().collect(),
    )
}

#[test]
fn frame_rate_does_not_change_history_or_samples() {
    let (log_a, samples_a) = paced(Duration::from_millis(40));
    let (log_b, samples_b) = paced(Duration::from_millis(1300));
    let (log_c, samples_c) = paced(Duration::from_secs(60));
    assert_eq!(log_a, log_b);
    assert_eq!(log_a, log_c);
    assert_eq!(samples_a, samples_b);
    assert_eq!(samples_a, samples_c);
    // One sample every 5 virtual seconds, at exact multiples.
    let at: Vec<u64> = samples_a.iter().map(|s| s.at.0 / 1000).collect();
    assert_eq!(at, (0..=12).map(|i| i * 5).collect::<Vec<_>>());
    assert_eq!(
        samples_a.last().unwrap().phases.running + samples_a.last().unwrap().phases.pending,
        18
    );

    // As fast as possible (what `sim advance` does) gives the same history.
    let mut s = Session::new(workshop_world(42));
    for line in SCRIPT {
        s.execute(line);
    }
    s.world.advance(Duration::from_secs(60));
    assert_eq!(s.world.event_log(), &log_a[..]);
}

#[test]
fn virtual_time_follows_wall_time_times_speed_and_pauses() {
    let t0 = wall();
    let mut src = LocalSource::new(workshop_world(1), 10.0, t0, Adapters::default());
    let mut app = App::new(
        Clock::new(jiff::Timestamp::UNIX_EPOCH, 1, 10.0),
        Theme::MONO,
    );
    src.init(&mut app);
    let big = Duration::from_secs(3600);
    src.advance(&mut app, t0 + Duration::from_secs(3), big);
    assert_eq!(app.clock.now, SimTime::from_secs(30));
    assert_eq!(app.clock.lag, Duration::ZERO);
    src.apply(&mut app, Effect::Pause, t0 + Duration::from_secs(3));
    src.advance(&mut app, t0 + Duration::from_secs(10), big);
    assert_eq!(
        app.clock.now,
        SimTime::from_secs(30),
        "paused: time stands still"
    );
    assert!(app.clock.paused);
    src.apply(&mut app, Effect::Resume, t0 + Duration::from_secs(10));
    src.apply(
        &mut app,
        Effect::SetSpeed(60.0),
        t0 + Duration::from_secs(10),
    );
    src.advance(&mut app, t0 + Duration::from_secs(11), big);
    assert_eq!(
        app.clock.now,
        SimTime::from_secs(90),
        "re-anchored: no jump"
    );
    // A REPL line that moves the clock moves the pacer with it.
    src.apply(
        &mut app,
        Effect::RunLine {
            line: "sim advance 10m".into(),
            namespace: None,
        },
        t0 + Duration::from_secs(11),
    );
    assert_eq!(app.clock.now, SimTime::from_secs(690));
    src.advance(&mut app, t0 + Duration::from_secs(12), big);
    assert_eq!(app.clock.now, SimTime::from_secs(750));
    // Samples resume on the 5 s grid after the jump.
    assert_eq!(app.sampler.last().unwrap().at, SimTime::from_secs(750));
}
