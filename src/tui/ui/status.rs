//! The status line: the keys that work here (or a message, or the prompt
//! being typed), and the completion popup of `:` mode.

use super::super::app::{App, Mode};
use super::super::complete;
use super::super::keys::BINDINGS;
use super::text::width;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, Paragraph};
use ratatui::Frame;

fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    match app.mode {
        Mode::Normal => BINDINGS
            .iter()
            .filter_map(|b| b.hint.map(|h| (b.keys, h)))
            .collect(),
        Mode::Logs => vec![
            ("esc", "back"),
            ("↑↓", "scroll"),
            ("f", "follow"),
            ("d", "describe"),
            ("y", "yaml"),
            ("space", "pause"),
        ],
        Mode::Describe | Mode::Yaml | Mode::Explain => vec![
            ("esc", "back"),
            ("↑↓", "scroll"),
            ("d", "describe"),
            ("y", "yaml"),
            ("l", "logs"),
            ("e", "explain"),
        ],
        Mode::Output | Mode::Help => vec![("esc", "back"), ("↑↓", "scroll")],
        Mode::Command => vec![("enter", "run"), ("tab", "complete"), ("esc", "cancel")],
        Mode::Filter => vec![("enter", "keep"), ("esc", "clear")],
    }
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let line = match app.mode {
        Mode::Command | Mode::Filter => {
            let sigil = if app.mode == Mode::Command { ":" } else { "/" };
            Line::from(vec![
                Span::styled(sigil, t.key()),
                Span::raw(app.prompt.input.clone()),
                Span::styled("█", t.dim()),
            ])
        }
        _ => match app.current_message() {
            Some(m) => Line::from(Span::styled(
                m.text.lines().next().unwrap_or("").to_string(),
                if m.error { t.error() } else { t.warn() },
            )),
            None => {
                let mut spans = Vec::new();
                let mut used = 0;
                for (k, w) in hints(app) {
                    let n = width(k) + width(w) + 4;
                    if used + n > area.width as usize {
                        break;
                    }
                    used += n;
                    spans.push(Span::styled(format!("<{k}>"), t.key()));
                    spans.push(Span::raw(format!("{w} ")));
                }
                Line::from(spans)
            }
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

/// The candidates for the word being typed, in a box above the prompt.
pub fn render_completions(f: &mut Frame, body: Rect, status: Rect, app: &App) {
    let p = &app.prompt;
    let (cands, chosen) = if p.chosen.is_some() {
        (p.candidates.clone(), p.chosen)
    } else {
        (complete::complete(&p.input, &app.cache).candidates, None)
    };
    if cands.is_empty() || body.height < 3 {
        return;
    }
    let max_rows = (body.height as usize - 2).min(8);
    // Keep the chosen candidate in view.
    let first = chosen.map_or(0, |c| c.saturating_sub(max_rows - 1));
    let shown: Vec<&String> = cands.iter().skip(first).take(max_rows).collect();
    let w = shown.iter().map(|s| width(s)).max().unwrap_or(0).max(12) as u16 + 2;
    let h = shown.len() as u16 + 2;
    let x = status.x + 1 + (p.start as u16).min(status.width.saturating_sub(w + 1));
    let area = Rect {
        x,
        y: status.y.saturating_sub(h),
        width: w.min(status.width),
        height: h,
    };
    let items: Vec<ListItem> = shown
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let style = if chosen == Some(first + i) {
                app.theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            ListItem::new(Span::styled(s.to_string(), style))
        })
        .collect();
    let more = if cands.len() > shown.len() {
        format!(" {} more ", cands.len() - shown.len())
    } else {
        String::new()
    };
    f.render_widget(Clear, area);
    f.render_widget(
        List::new(items).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.border())
                .title_bottom(more),
        ),
        area,
    );
}
