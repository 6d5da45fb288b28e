//! The header: context, namespace, virtual time, speed or PAUSED, seed,
//! events per second and how far the simulation lags the wall clock.

use super::super::app::App;
use crate::printers::human_duration;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use std::time::Duration;

/// `×10`, `×0.25`.
pub fn speed_text(speed: f64) -> String {
    if speed.fract() == 0.0 {
        format!("×{}", speed as u64)
    } else {
        format!("×{speed}")
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let c = &app.clock;
    let sep = Span::styled(" │ ", t.dim());
    let ns = app.view.namespace.clone().unwrap_or_else(|| "all".into());
    let clock = c.timestamp().strftime("%H:%M:%S").to_string();
    let since = human_duration(Duration::from_millis(c.now.0));
    let run = if !app.capabilities.control {
        Span::styled("attached", t.key())
    } else if c.paused {
        Span::styled(
            " PAUSED ",
            t.warn().add_modifier(Modifier::REVERSED | Modifier::BOLD),
        )
    } else {
        Span::styled(format!("▶ {}", speed_text(c.speed)), t.key())
    };
    let mut spans = vec![
        Span::styled("⎈ kubesim", t.title()),
        sep.clone(),
        Span::raw(format!("ctx {}", app.context)),
        sep.clone(),
        Span::raw(format!("ns {ns}")),
        sep.clone(),
        Span::styled(clock, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!(" +{since}"), t.dim()),
        sep.clone(),
        run,
    ];
    if app.capabilities.control {
        spans.extend([
            sep.clone(),
            Span::raw(format!("seed {}", c.seed)),
            sep.clone(),
            Span::raw(format!("{:.0} ev/s", c.events_per_sec)),
        ]);
    }
    // Lag is news only when there is some.
    let lag = c.lag.as_secs_f64();
    if lag >= 0.5 {
        spans.push(sep);
        spans.push(Span::styled(format!("behind {lag:.1}s"), t.error()));
    } else if area.width >= 100 && app.capabilities.control {
        spans.push(sep);
        spans.push(Span::styled("lag 0s", t.dim()));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
