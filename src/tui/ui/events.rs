//! The events stream: the cluster's Events, newest first, as `kubectl get
//! events` words them (LAST SEEN, TYPE, REASON, OBJECT, MESSAGE).

use super::super::app::App;
use super::super::cache::Change;
use super::text::{fit, pad, width};
use crate::objects::{Kind, Object};
use crate::printers::age::human_duration_secs;
use k8s_openapi::api::core::v1::Event;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

fn last_seen(e: &Event) -> Option<jiff::Timestamp> {
    e.last_timestamp
        .as_ref()
        .map(|t| t.0)
        .or(e.event_time.as_ref().map(|t| t.0))
        .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// The events of the view's namespace (all when listing all), newest first.
pub fn newest_first(app: &App) -> Vec<&Event> {
    let mut ev: Vec<&Event> = app
        .cache
        .iter(Kind::Event, app.view.namespace.as_deref())
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    ev.sort_by(|a, b| {
        last_seen(b)
            .cmp(&last_seen(a))
            .then_with(|| b.metadata.name.cmp(&a.metadata.name))
    });
    ev
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.height < 3 {
        return;
    }
    let t = &app.theme;
    let events = newest_first(app);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border())
        .title(Span::styled(
            format!(" events[{}] newest first ", events.len()),
            t.title(),
        ));
    let inner = block.inner(area);
    let now = app.clock.timestamp();
    let window = app.highlight_window();
    let shown: Vec<&&Event> = events.iter().take(inner.height as usize).collect();
    let obj_name = |e: &Event| {
        let io = &e.involved_object;
        format!(
            "{}/{}",
            io.kind.clone().unwrap_or_default().to_lowercase(),
            io.name.clone().unwrap_or_default()
        )
    };
    let reason_w = shown
        .iter()
        .map(|e| width(e.reason.as_deref().unwrap_or("")))
        .max()
        .unwrap_or(0);
    let obj_w = shown
        .iter()
        .map(|e| width(&obj_name(e)))
        .max()
        .unwrap_or(0)
        .min(30);
    let lines: Vec<Line> = shown
        .iter()
        .map(|e| {
            let ago = last_seen(e)
                .map(|ts| human_duration_secs(now.duration_since(ts).as_secs()))
                .unwrap_or_else(|| "<unknown>".into());
            let type_ = e.type_.clone().unwrap_or_default();
            let obj = obj_name(e);
            let warn = type_ == "Warning";
            let key = (
                e.metadata.namespace.clone().unwrap_or_default(),
                e.metadata.name.clone().unwrap_or_default(),
            );
            let fresh = app
                .cache
                .mark(Kind::Event, &key, app.clock.now, window)
                .map(|m| m.change);
            let mark =
                super::super::theme::Theme::change_mark(fresh.filter(|c| *c != Change::Deleted));
            let text = format!(
                "{mark}{} {} {} {} {}",
                pad(&ago, 6),
                pad(&type_, 7),
                pad(e.reason.as_deref().unwrap_or(""), reason_w),
                pad(&obj, obj_w),
                e.message.as_deref().unwrap_or("").replace('\n', " ")
            );
            let mut style = if warn {
                t.warn()
            } else {
                ratatui::style::Style::new()
            };
            if let Some(c) = fresh {
                style = style.patch(t.change(c));
            }
            Line::from(Span::styled(fit(&text, inner.width as usize), style))
        })
        .collect();
    f.render_widget(Paragraph::new(lines).block(block), area);
}
