//! The resource table, in k9s's manner: a title with the view, the row
//! count and the filter; kubectl's columns with a sort arrow; rows coloured
//! by status, highlighted when they just changed, marked `+ ~ -`.

use super::super::app::{App, RowModel, TableModel};
use super::super::theme::Theme;
use super::text::{fit, width};
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// Column widths: each column's widest cell in view, the last one taking
/// the rest.
fn widths(t: &TableModel, rows: &[RowModel], avail: usize) -> Vec<Constraint> {
    let n = t.headers.len();
    let mut w: Vec<usize> = t.headers.iter().map(|h| width(h) + 1).collect();
    for r in rows {
        for (i, c) in r.cells.iter().enumerate().take(n) {
            w[i] = w[i].max(width(c));
        }
    }
    // Long columns (messages, selectors) may not push the others off screen.
    let cap = (avail / 2).max(12);
    let mut out: Vec<Constraint> = vec![Constraint::Length(1)];
    for (i, x) in w.iter().enumerate() {
        if i + 1 == n {
            out.push(Constraint::Min((*x).min(cap) as u16));
        } else {
            out.push(Constraint::Length((*x).min(cap) as u16));
        }
    }
    out
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.height < 3 {
        return;
    }
    let th: &Theme = &app.theme;
    let v = &app.view;
    // Borders and the header line take 3 rows.
    let body_h = area.height.saturating_sub(3) as usize;
    let t = app.table_window(body_h);
    let mut title = vec![Span::styled(
        format!(" {}[{}] ", v.title(), t.rows.len()),
        th.title(),
    )];
    if t.rows.len() != t.total {
        title.push(Span::styled(format!("of {} ", t.total), th.dim()));
    }
    if !v.filter.is_empty() {
        title.push(Span::styled(format!("</{}> ", v.filter), th.warn()));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(th.border())
        .title(Line::from(title));
    let inner = block.inner(area);
    if t.rows.is_empty() {
        let msg = if t.total == 0 {
            format!("No resources found ({}).", v.kind.info().plural)
        } else {
            "No rows match the filter.".to_string()
        };
        f.render_widget(
            Paragraph::new(Span::styled(fit(&msg, inner.width as usize), th.dim())).block(block),
            area,
        );
        return;
    }
    let header = Row::new(std::iter::once(Cell::from(" ")).chain(
        t.headers.iter().enumerate().map(|(i, h)| {
            let arrow = match (t.sort_column == Some(i), t.descending) {
                (true, false) => "↑",
                (true, true) => "↓",
                _ => "",
            };
            Cell::from(format!("{h}{arrow}"))
        }),
    ))
    .style(th.header());
    // Only the rows in view are built: a frame with 1,000 pods stays cheap.
    let offset = t.offset;
    let shown = &t.rows[offset..(offset + body_h).min(t.rows.len())];
    let rows: Vec<Row> = shown
        .iter()
        .map(|r| {
            let mut style: Style = th.status(r.status);
            if let Some(c) = r.mark {
                style = style.patch(th.change(c));
            }
            Row::new(
                std::iter::once(Cell::from(Theme::change_mark(r.mark)))
                    .chain(r.cells.iter().map(|c| Cell::from(c.as_str()))),
            )
            .style(style)
        })
        .collect();
    let mut state = TableState::default().with_selected(t.selected.map(|s| s - offset));
    let table = Table::new(rows, widths(&t, shown, inner.width as usize))
        .header(header)
        .block(block)
        .column_spacing(2)
        .row_highlight_style(th.selected());
    f.render_stateful_widget(table, area, &mut state);
}
