//! Rendering the dashboard on ratatui's TestBackend (issue 10's "done when").

use kubesim::cluster::workshop_world;
use kubesim::tui::adapters::Adapters;
use kubesim::tui::app::{App, Clock};
use kubesim::tui::source::LocalSource;
use kubesim::tui::theme::Theme;
use kubesim::tui::ui;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

#[allow(clippy::disallowed_methods)] // tests build a pacer at a fixed instant
fn wall() -> std::time::Instant {
    std::time::Instant::now()
}

fn local(seed: u64, theme: Theme) -> (LocalSource, App) {
    let mut src = LocalSource::new(workshop_world(seed), 1.0, wall(), Adapters::default());
    let mut app = App::new(Clock::new(jiff::Timestamp::UNIX_EPOCH, seed, 1.0), theme);
    src.init(&mut app);
    (src, app)
}

fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    t
}

#[test]
fn scratch() {
    let (_src, mut app) = local(1, Theme::MONO);
    app.view.namespace = None;
    println!("{}", render(&app, 80, 24).backend());
    println!("{}", render(&app, 160, 48).backend());
}
