//! Draw (the Elm architecture's View): pure functions from the [`App`] to a
//! frame. Nothing here changes state or reads the clock, so a frame renders
//! the same on a terminal and on ratatui's `TestBackend`.
//!
//! Layout. Narrow terminals (80×24 and up) stack: header, nodes panel (one
//! line per node), the resource table, a few events, the status line;
//! charts appear once there are rows enough for them. Wide terminals (120
//! columns and more, 30 rows and more) put nodes (with pod tiles) and charts
//! on the left, the table and the events stream on the right.

mod charts;
mod events;
mod header;
mod nodes;
mod panes;
mod status;
mod table;
pub mod text;

use super::app::{App, Mode};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

/// The explanation pane's lines for a decision (for tests and the REPL).
/// The charts alone in `area` (as the dashboard draws them), for tests
/// and for front ends that show only them.
pub fn draw_charts(f: &mut Frame, area: Rect, app: &App) {
    charts::render(f, area, app)
}

pub fn panes_explain_lines(d: &super::adapters::Decision) -> Vec<String> {
    panes::explain_lines(d)
}

/// Where each part of the screen goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub nodes: Rect,
    pub table: Rect,
    pub events: Rect,
    pub charts: Rect,
    pub status: Rect,
    /// The body, where panes (describe, YAML, logs...) go.
    pub body: Rect,
}

/// Columns from which the side-by-side layout is used.
pub const WIDE_COLUMNS: u16 = 120;

/// Splits the screen for the dashboard.
pub fn plan(area: Rect, node_count: usize) -> Areas {
    let [header, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut a = Areas {
        header,
        status,
        body,
        ..Default::default()
    };
    let n = node_count as u16;
    if area.width >= WIDE_COLUMNS && body.height >= 28 {
        let left_w = (body.width * 2 / 5).clamp(40, 90);
        let [left, right] =
            Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
        // Nodes: a title line, a bar line and tile lines per node.
        let nodes_h = (n * 4 + 2).min(left.height * 3 / 5).max(3);
        let [nodes, charts] =
            Layout::vertical([Constraint::Length(nodes_h), Constraint::Min(0)]).areas(left);
        let events_h = (right.height * 3 / 10).clamp(4, 14);
        let [table, events] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(events_h)]).areas(right);
        a.nodes = nodes;
        a.charts = charts;
        a.table = table;
        a.events = events;
    } else {
        let nodes_h = (n + 2).min(body.height / 3).max(3);
        let charts_h = if body.height >= 40 { 10 } else { 0 };
        let events_h = if body.height >= 18 { 5 } else { 0 };
        let [nodes, table, events, charts] = Layout::vertical([
            Constraint::Length(nodes_h),
            Constraint::Min(3),
            Constraint::Length(events_h),
            Constraint::Length(charts_h),
        ])
        .areas(body);
        a.nodes = nodes;
        a.table = table;
        a.events = events;
        a.charts = charts;
    }
    a
}

/// Draws the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let nodes = app.cache.count(crate::objects::Kind::Node);
    let a = plan(f.area(), nodes);
    header::render(f, a.header, app);
    if app.mode.is_pane() {
        panes::render(f, a.body, app);
    } else {
        nodes::render(f, a.nodes, app);
        table::render(f, a.table, app);
        events::render(f, a.events, app);
        charts::render(f, a.charts, app);
    }
    status::render(f, a.status, app);
    if matches!(app.mode, Mode::Command) {
        status::render_completions(f, a.body, a.status, app);
    }
}
