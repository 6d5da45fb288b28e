//! Charts from the simulation's own samples (see `sampler.rs`): cluster cpu
//! and memory requested as a share of allocatable, pods by phase, and
//! DockerCoins' hash rate when it runs. The x axis is virtual time.
//!
//! Series are told apart by colour, and in monochrome by their marker; the
//! title doubles as the legend, with the latest values.

use super::super::app::App;
use super::super::resources::percent;
use super::super::sampler::Sample;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Borders, Chart, Dataset, GraphType};
use ratatui::Frame;

/// How much history a chart shows, in virtual seconds.
pub const WINDOW_SECS: f64 = 600.0;

/// One line of a chart: its name, colour and points.
struct Series {
    name: &'static str,
    color: Color,
    points: Vec<(f64, f64)>,
    /// The latest value, as the legend shows it.
    label: String,
}

/// Markers that tell series apart without colour.
const MONO_MARKERS: [(Marker, &str); 4] = [
    (Marker::Braille, "⣿"),
    (Marker::Dot, "•"),
    (Marker::Bar, "▄"),
    (Marker::Block, "█"),
];

fn window(app: &App) -> Vec<&Sample> {
    let now = app.clock.now.as_secs_f64();
    app.sampler
        .samples()
        .iter()
        .filter(|s| s.at.as_secs_f64() >= now - WINDOW_SECS)
        .collect()
}

fn draw_chart(
    f: &mut Frame,
    area: Rect,
    app: &App,
    title: &str,
    series: &[Series],
    ymax: f64,
    fmt: fn(f64) -> String,
) {
    let t = &app.theme;
    let mut legend = vec![Span::styled(format!(" {title}: "), t.title())];
    let mut sets = Vec::new();
    for (i, s) in series.iter().enumerate() {
        let (marker, glyph) = if t.color {
            (Marker::Braille, "")
        } else {
            MONO_MARKERS[i % MONO_MARKERS.len()]
        };
        let style = if t.color {
            Style::new().fg(s.color)
        } else {
            Style::new()
        };
        legend.push(Span::styled(
            format!("{glyph}{} {} ", s.name, s.label),
            style,
        ));
        sets.push(
            Dataset::default()
                .marker(marker)
                .graph_type(GraphType::Line)
                .style(style)
                .data(&s.points),
        );
    }
    let chart = Chart::new(sets)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border())
                .title(Line::from(legend)),
        )
        .x_axis(
            Axis::default()
                .bounds([-WINDOW_SECS, 0.0])
                .labels(["-10m", "-5m", "now"])
                .style(t.dim()),
        )
        .y_axis(
            Axis::default()
                .bounds([0.0, ymax])
                .labels([fmt(0.0), fmt(ymax / 2.0), fmt(ymax)])
                .style(t.dim()),
        );
    f.render_widget(chart, area);
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.height < 6 || area.width < 20 {
        return;
    }
    let samples = window(app);
    let now = app.clock.now.as_secs_f64();
    let x = |s: &Sample| s.at.as_secs_f64() - now;
    let last = samples.last().copied();
    let hash = app.sampler.has_hash_rate();
    let n = if hash { 3 } else { 2 };
    // Short and wide (the narrow layout's strip): side by side.
    let side_by_side = area.width >= n as u16 * 30 && area.height < 6 * n as u16;
    let parts = if side_by_side {
        Layout::horizontal(vec![Constraint::Ratio(1, n); n as usize]).split(area)
    } else {
        Layout::vertical(vec![Constraint::Ratio(1, n); n as usize]).split(area)
    };
    // Requested as a share of allocatable.
    let share = |sel: fn(&Sample) -> (i64, i64)| -> Vec<(f64, f64)> {
        samples
            .iter()
            .map(|s| {
                let (a, b) = sel(s);
                (x(s), percent(a, b) as f64)
            })
            .collect()
    };
    let cpu_of = |s: &Sample| (s.requested.cpu_m, s.allocatable.cpu_m);
    let mem_of = |s: &Sample| (s.requested.mem, s.allocatable.mem);
    let pct = |sel: fn(&Sample) -> (i64, i64)| {
        last.map(|s| {
            let (a, b) = sel(s);
            format!("{}%", percent(a, b))
        })
        .unwrap_or_default()
    };
    let requested = [
        Series {
            name: "cpu",
            color: Color::Cyan,
            points: share(cpu_of),
            label: pct(cpu_of),
        },
        Series {
            name: "mem",
            color: Color::Magenta,
            points: share(mem_of),
            label: pct(mem_of),
        },
    ];
    draw_chart(f, parts[0], app, "requested", &requested, 100.0, |v| {
        format!("{v:.0}%")
    });
    // Pods by phase.
    let phase = |name, color, sel: fn(&Sample) -> u32| Series {
        name,
        color,
        points: samples.iter().map(|s| (x(s), sel(s) as f64)).collect(),
        label: last.map(|s| sel(s).to_string()).unwrap_or_default(),
    };
    let phases = [
        phase("running", Color::Green, |s| s.phases.running),
        phase("pending", Color::Yellow, |s| s.phases.pending),
        phase("failed", Color::Red, |s| s.phases.failed),
        phase("succeeded", Color::DarkGray, |s| s.phases.succeeded),
    ];
    let top = phases
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(4.0, f64::max);
    draw_chart(f, parts[1], app, "pods", &phases, (top * 1.1).ceil(), |v| {
        format!("{v:.0}")
    });
    if hash {
        let rate = Series {
            name: "hashes/s",
            color: Color::Yellow,
            points: samples
                .iter()
                .filter_map(|s| s.hash_rate.map(|r| (x(s), r)))
                .collect(),
            label: last
                .and_then(|s| s.hash_rate)
                .map(|r| format!("{r:.1}"))
                .unwrap_or_default(),
        };
        let top = rate.points.iter().map(|p| p.1).fold(1.0, f64::max);
        draw_chart(f, parts[2], app, "DockerCoins", &[rate], top * 1.2, |v| {
            format!("{v:.1}")
        });
    }
}
