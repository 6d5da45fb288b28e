//! DockerCoins' hash-rate chart with the real DockerCoins: the workshop's
//! manifests (scenarios/dockercoins/dockercoins.yaml) applied on the
//! workshop cluster, run through the controllers, the kubelet and the
//! traffic engine, sampled by the dashboard's own runner in virtual time.
//!
//! The number is webui's: its page polls `/json` every second and shows
//! Δhashes/Δt between the last two polls (`dockercoins/webui/files/
//! index.html`, `webui.js`'s `GET hashes`); `docs/workshop.md` §1.4 puts
//! one worker at about 3.3 hashes/s (the page shows 4, 4, 4, 0 ...).

use super::fixtures::*;
use kubesim::net::tools::dockercoins::webui_hashes;
use kubesim::tui::adapters::{self, Adapters};
use kubesim::tui::app::{App, Clock};
use kubesim::tui::source::{LocalSource, Source};
use kubesim::tui::theme::Theme;
use kubesim::tui::TuiArgs;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Readings = Arc<Mutex<Vec<(u64, Option<i64>)>>>;

/// The dashboard on DockerCoins at ×`speed`, with the installed adapters
/// but the counter's readings logged (virtual ms, value).
fn dockercoins(speed: f64, t0: std::time::Instant) -> (LocalSource, App, Readings) {
    let args = TuiArgs {
        file: Some(
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scenarios/dockercoins/dockercoins.yaml"
            )
            .into(),
        ),
        seed: Some(1),
        speed,
        ..Default::default()
    };
    let (session, note) = kubesim::tui::build_session(&args).unwrap();
    assert_eq!(note, None, "the manifests apply");
    let log: Readings = Default::default();
    let l = log.clone();
    let a = Adapters {
        hashes: Box::new(move |w| {
            let h = webui_hashes(w);
            l.lock().unwrap().push((w.now().0, h));
            h
        }),
        ..adapters::installed()
    };
    // The pacer's anchor is the test's `t0`: the target does not depend on
    // how long the setup took.
    let mut src = LocalSource::new(session.world, speed, t0, a);
    src.session.state = session.state;
    let mut app = App::new(
        Clock::new(jiff::Timestamp::UNIX_EPOCH, 1, speed),
        Theme::COLOR,
    );
    src.init(&mut app);
    (src, app, log)
}

#[test]
fn the_hash_rate_chart_shows_webuis_number_from_virtual_time_samples() {
    let t0 = wall();
    let (mut src, mut app, log) = dockercoins(60.0, t0);
    // Three wall seconds at ×60: three virtual minutes, a sample every 5 s.
    src.advance(
        &mut app,
        t0 + Duration::from_secs(3),
        Duration::from_secs(3600),
    );
    let samples: Vec<_> = app.sampler.samples().iter().cloned().collect();
    assert_eq!(samples.len(), 37, "0 s, 5 s ... 180 s");

    // The counter is read exactly at each sample instant and one second
    // before it (webui's previous poll), never elsewhere: virtual time,
    // not the wall clock.
    let log = log.lock().unwrap().clone();
    for (t, _) in &log {
        assert!(
            t % 5000 == 0 || t % 5000 == 4000,
            "a reading at {t} ms, off the sample grid"
        );
    }
    // Each sample's rate is Δhashes over the second before it.
    let at = |t: u64| log.iter().find(|r| r.0 == t).and_then(|r| r.1);
    let mut rates = Vec::new();
    for s in &samples {
        let t = s.at.0;
        let expect = match (t.checked_sub(1000).and_then(at), at(t)) {
            (Some(h0), Some(h1)) => Some((h1 - h0) as f64),
            _ => None,
        };
        assert_eq!(s.hash_rate, expect, "the sample at {t} ms");
        rates.push((t / 1000, s.hash_rate));
    }

    // DockerCoins is not up at once: webui's Service and Redis must run
    // first (no rate), then the worker's units are counted.
    assert_eq!(rates[0], (0, None));
    let counted: Vec<f64> = rates.iter().filter_map(|r| r.1).collect();
    assert!(
        counted.len() > 20,
        "DockerCoins runs within a minute: {rates:?}"
    );
    // One worker reports (INCRBY) the 4 units it does in 1.2 s, so a
    // one-second window between polls holds one report or none: the page
    // shows 4 or 0, as in the workshop ("4, 4, 4, 0 ...").
    assert!(counted.iter().all(|r| [0.0, 4.0].contains(r)), "{rates:?}");
    assert!(
        counted.contains(&0.0) && counted.contains(&4.0),
        "{rates:?}"
    );
    let last_minute: Vec<f64> = rates
        .iter()
        .filter(|r| r.0 >= 120)
        .filter_map(|r| r.1)
        .collect();
    let mean = last_minute.iter().sum::<f64>() / last_minute.len() as f64;
    assert!(
        (2.5..=4.5).contains(&mean),
        "about 3.3 hashes/s for one worker, got {mean:.2}: {rates:?}"
    );
    // The counter itself agrees with the mean over the last minute.
    let h = |t: u64| at(t).unwrap();
    let avg = (h(180_000) - h(120_000)) as f64 / 60.0;
    assert!((2.5..=4.5).contains(&avg), "{avg}");

    // The chart, alone, as the dashboard draws it.
    let mut t = Terminal::new(TestBackend::new(80, 30)).unwrap();
    t.draw(|f| kubesim::tui::ui::draw_charts(f, f.area(), &app))
        .unwrap();
    insta::assert_snapshot!("dockercoins_charts_80x30", t.backend());
    let buf = t.backend().buffer();
    let label = format!("hashes/s {:.1}", samples.last().unwrap().hash_rate.unwrap());
    assert!(
        find(buf, &label).is_some(),
        "the last rate is labelled: {label}"
    );
    assert_eq!(fg_of(buf, &label), Color::Yellow);
    // And the counter matches what the page itself reads over HTTP.
    let w = src.world_mut();
    let before = webui_hashes(w).unwrap();
    let polls =
        kubesim::net::tools::hash_rate_samples(w, "default", Duration::from_secs(2)).unwrap();
    assert!(polls[0].hashes >= before && polls[0].hashes <= webui_hashes(w).unwrap());
}

#[test]
fn no_dockercoins_no_hash_rate_chart() {
    let (mut src, mut app) = source(
        kubesim::cluster::workshop_world(1),
        adapters::installed(),
        Theme::MONO,
    );
    let t0 = wall();
    src.advance(
        &mut app,
        t0 + Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    assert!(app.sampler.samples().len() > 5);
    assert!(!app.sampler.has_hash_rate());
    assert_eq!(webui_hashes(src.world()), None);
}
