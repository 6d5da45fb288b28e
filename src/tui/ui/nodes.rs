//! The nodes panel: each node's conditions, cpu/memory requested against
//! allocatable and pods against capacity as bars, and its pods as tiles
//! coloured by status (letters in monochrome).

use super::super::app::{App, StatusClass};
use super::super::resources::{is_terminated, node_of, percent, NodeLoad};
use super::text::{bar, fit, pad, width};
use crate::objects::quantity::format_millicores;
use crate::objects::{Kind, Object};
use k8s_openapi::api::core::v1::Node;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A node's conditions as one word list: `Ready`, `NotReady`, plus
/// `SchedulingDisabled` and any pressure condition that is True.
pub fn node_conditions(n: &Node) -> (String, StatusClass) {
    let conds = n.status.as_ref().and_then(|s| s.conditions.as_ref());
    let ready = conds.and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let mut words = vec![match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(c) if c.status == "False" => "NotReady".to_string(),
        _ => "Unknown".to_string(),
    }];
    let mut class = if words[0] == "Ready" {
        StatusClass::Ok
    } else {
        StatusClass::Error
    };
    if n.spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false)
    {
        words.push("SchedulingDisabled".into());
        if class == StatusClass::Ok {
            class = StatusClass::Pending;
        }
    }
    for c in conds.into_iter().flatten() {
        if c.type_ != "Ready" && c.status == "True" {
            words.push(c.type_.clone());
            if class == StatusClass::Ok {
                class = StatusClass::Pending;
            }
        }
    }
    (words.join(","), class)
}

struct NodeRow<'a> {
    name: String,
    conditions: String,
    class: StatusClass,
    load: NodeLoad,
    pods: Vec<&'a Arc<Object>>,
}

fn rows(app: &App) -> Vec<NodeRow<'_>> {
    let mut out: Vec<NodeRow> = Vec::new();
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    for o in app.cache.iter(Kind::Node, None) {
        let Object::Node(n) = &**o else { continue };
        let (conditions, class) = node_conditions(n);
        let (allocatable, pod_capacity) = super::super::resources::allocatable(n);
        let name = n.metadata.name.as_deref().unwrap_or("");
        index.insert(name, out.len());
        out.push(NodeRow {
            name: name.to_string(),
            conditions,
            class,
            load: NodeLoad {
                allocatable,
                pod_capacity,
                ..Default::default()
            },
            pods: Vec::new(),
        });
    }
    for o in app.cache.iter(Kind::Pod, None) {
        let Object::Pod(p) = &**o else { continue };
        let Some(&i) = node_of(p).and_then(|n| index.get(n)) else {
            continue;
        };
        let row = &mut out[i];
        row.pods.push(o);
        // Terminated pods no longer hold their node's resources.
        if !is_terminated(p) {
            let r = app.pod_requests(o);
            row.load.requested.cpu_m += r.cpu_m;
            row.load.requested.mem += r.mem;
            row.load.pods += 1;
        }
    }
    let mut memo = app.memo.borrow_mut();
    if memo.len() > 2 * app.cache.count(Kind::Pod) + 64 {
        memo.prune();
    }
    out
}

fn usage_spans<'a>(
    app: &App,
    label: &'a str,
    used: i64,
    total: i64,
    bar_w: usize,
) -> Vec<Span<'a>> {
    let p = percent(used, total);
    vec![
        Span::raw(label),
        Span::styled(bar(p, bar_w), app.theme.usage(p)),
        Span::raw(format!("{p:>3}% ")),
    ]
}

fn tiles<'a>(app: &App, pods: &[&Arc<Object>], max: usize) -> Vec<Span<'a>> {
    let mut spans = Vec::new();
    for (i, p) in pods.iter().enumerate() {
        if i + 1 == max && pods.len() > max {
            spans.push(Span::styled(
                format!("+{}", pods.len() - i),
                app.theme.dim(),
            ));
            break;
        }
        let (glyph, style) = app.theme.tile(app.pod_class(p));
        spans.push(Span::styled(glyph, style));
    }
    spans
}

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.height < 3 {
        return;
    }
    let t = &app.theme;
    let rows = rows(app);
    let total_pods: usize = rows.iter().map(|r| r.pods.len()).sum();
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border())
        .title(Span::styled(
            format!(" nodes[{}] pods[{total_pods}] ", rows.len()),
            t.title(),
        ));
    let inner = block.inner(area);
    let w = inner.width as usize;
    let name_w = rows
        .iter()
        .map(|r| width(&r.name))
        .max()
        .unwrap_or(4)
        .min(14);
    let mut lines: Vec<Line> = Vec::new();
    let roomy = inner.height as usize >= rows.len() * 3;
    for r in &rows {
        if roomy {
            // Title line, a line of bars, then tiles.
            lines.push(Line::from(vec![
                Span::styled(pad(&r.name, name_w + 1), t.header()),
                Span::styled(r.conditions.clone(), t.status(r.class)),
            ]));
            let bar_w = (w.saturating_sub(40) / 3).clamp(4, 12);
            let mut l = usage_spans(
                app,
                "cpu ",
                r.load.requested.cpu_m,
                r.load.allocatable.cpu_m,
                bar_w,
            );
            if w >= 70 {
                l.push(Span::styled(
                    format!(
                        "{}/{}  ",
                        format_millicores(r.load.requested.cpu_m),
                        format_millicores(r.load.allocatable.cpu_m)
                    ),
                    t.dim(),
                ));
            }
            l.extend(usage_spans(
                app,
                "mem ",
                r.load.requested.mem,
                r.load.allocatable.mem,
                bar_w,
            ));
            l.push(Span::raw(format!(
                "pods {}/{}",
                r.load.pods, r.load.pod_capacity
            )));
            lines.push(Line::from(l));
            let per_line = w.max(1);
            let tile_lines = if inner.height as usize >= rows.len() * 4 {
                2
            } else {
                1
            };
            let all = tiles(app, &r.pods, per_line * tile_lines);
            for chunk in all.chunks(per_line) {
                lines.push(Line::from(chunk.to_vec()));
            }
            if r.pods.is_empty() {
                lines.push(Line::from(Span::styled("no pods", t.dim())));
            }
        } else {
            // One line per node.
            let cond_w = rows
                .iter()
                .map(|r| width(&r.conditions))
                .max()
                .unwrap_or(5)
                .min(18);
            let mut l = vec![
                Span::styled(pad(&r.name, name_w + 1), t.header()),
                Span::styled(pad(&r.conditions, cond_w + 1), t.status(r.class)),
            ];
            l.extend(usage_spans(
                app,
                "cpu ",
                r.load.requested.cpu_m,
                r.load.allocatable.cpu_m,
                5,
            ));
            l.extend(usage_spans(
                app,
                "mem ",
                r.load.requested.mem,
                r.load.allocatable.mem,
                5,
            ));
            let pods = format!("{:>3}/{:<3} ", r.load.pods, r.load.pod_capacity);
            l.push(Span::raw(pods));
            let used: usize = l.iter().map(|s| width(&s.content)).sum();
            l.extend(tiles(app, &r.pods, w.saturating_sub(used)));
            lines.push(Line::from(l));
        }
    }
    if rows.is_empty() {
        lines.push(Line::from(Span::styled(fit("no nodes", w), t.dim())));
    }
    f.render_widget(Paragraph::new(lines).block(block), area);
}
