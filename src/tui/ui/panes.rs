//! Full-screen panes: describe, YAML, logs (following), the output of a
//! `:` command, help, and the scheduler's explanation for a pod as a table
//! (each node's Filter verdict, each Score plugin's weighted score, total).

use super::super::adapters::Decision;
use super::super::app::{App, Mode};
use super::text::{fit, pad, width};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;
use std::collections::BTreeSet;

pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(pane) = &app.pane else {
        return;
    };
    let lines: Vec<String> = if app.mode == Mode::Explain {
        match &app.decision {
            Some((_, Some(d))) => explain_lines(d),
            Some((r, None)) => vec![format!(
                "No scheduling decision recorded for {}/{}.",
                r.namespace, r.name
            )],
            None => vec!["Loading…".into()],
        }
    } else if pane.lines.is_empty() {
        vec![match app.mode {
            Mode::Logs => "(no log lines yet; new lines appear here)".to_string(),
            _ => "(loading…)".to_string(),
        }]
    } else {
        pane.lines.clone()
    };
    let follow = if pane.follow { " [following] " } else { "" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border())
        .title(Span::styled(format!(" {} ", pane.title), t.title()))
        .title(Span::styled(follow, t.key()));
    let inner = block.inner(area);
    let h = inner.height as usize;
    let max_scroll = lines.len().saturating_sub(h);
    let scroll = pane.scroll.min(max_scroll);
    let w = inner.width as usize;
    let shown: Vec<Line> = lines
        .iter()
        .skip(scroll)
        .take(h)
        .map(|l| {
            let style = if app.mode == Mode::Explain && l.starts_with('✗') {
                t.warn()
            } else if app.mode == Mode::Explain && l.starts_with('✓') {
                t.status(super::super::app::StatusClass::Ok)
            } else {
                ratatui::style::Style::new()
            };
            Line::from(Span::styled(fit(l, w), style))
        })
        .collect();
    let mut block = block;
    if lines.len() > h {
        block = block.title_bottom(Span::styled(
            format!(
                " {}-{}/{} ",
                scroll + 1,
                (scroll + h).min(lines.len()),
                lines.len()
            ),
            t.dim(),
        ));
    }
    f.render_widget(Paragraph::new(shown).block(block), area);
}

/// The decision as text lines: the outcome, then one row per node.
pub fn explain_lines(d: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    out.push(format!("Pod:     {}", d.pod));
    match &d.node {
        Some(n) => out.push(format!("Result:  scheduled on {n}")),
        None => out.push("Result:  unschedulable".to_string()),
    }
    if !d.message.is_empty() {
        out.push(format!("Message: {}", d.message));
    }
    if let (Some(e), Some(fz)) = (d.evaluated_nodes, d.feasible_nodes) {
        out.push(format!("Nodes:   {e} evaluated, {fz} feasible"));
    }
    if !d.victims.is_empty() {
        out.push(format!("Victims: {}", d.victims.join(", ")));
    }
    out.push(String::new());
    let plugins: Vec<String> = d
        .scores
        .values()
        .flat_map(|s| s.plugins.keys().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let nodes: BTreeSet<&String> = d.filter.keys().chain(d.scores.keys()).collect();
    let name_w = nodes.iter().map(|n| width(n)).max().unwrap_or(4).max(4) + 2;
    // Score columns are headed by short plugin names (legend below).
    let heads: Vec<String> = plugins.iter().map(|p| short_plugin(p)).collect();
    let col_w: Vec<usize> = heads.iter().map(|h| width(h).max(5) + 2).collect();
    let mut header = format!("  {}{}", pad("NODE", name_w), pad("FILTER", 10));
    for (h, w) in heads.iter().zip(&col_w) {
        header.push_str(&pad(h, *w));
    }
    if !plugins.is_empty() {
        header.push_str("TOTAL");
    }
    out.push(header.trim_end().to_string());
    for n in nodes {
        let chosen = d.node.as_deref() == Some(n.as_str());
        let mark = if chosen {
            "✓ "
        } else if d.filter.contains_key(n) {
            "✗ "
        } else {
            "  "
        };
        let mut line = format!("{mark}{}", pad(n, name_w));
        if let Some(v) = d.filter.get(n) {
            line.push_str(&format!("{}: {}", v.plugin, v.reasons.join(", ")));
        } else {
            line.push_str(&pad("passed", 10));
            if let Some(s) = d.scores.get(n) {
                for (p, w) in plugins.iter().zip(&col_w) {
                    let v = s
                        .plugins
                        .get(p)
                        .map(|x| x.weighted.to_string())
                        .unwrap_or_else(|| "-".into());
                    line.push_str(&pad(&v, *w));
                }
                line.push_str(&s.total.to_string());
            }
        }
        out.push(line.trim_end().to_string());
    }
    if !plugins.is_empty() {
        out.push(String::new());
        out.push("Scores are weighted: normalized (0-100) × the plugin's weight.".into());
        let legend: Vec<String> = plugins
            .iter()
            .zip(&heads)
            .filter(|(p, h)| p != h)
            .map(|(p, h)| format!("{h} = {p}"))
            .collect();
        if !legend.is_empty() {
            out.push(legend.join(", "));
        }
    }
    out
}

/// Short column heads for the default profile's Score plugins.
fn short_plugin(p: &str) -> String {
    match p {
        "NodeResourcesFit" => "Fit".into(),
        "NodeResourcesBalancedAllocation" => "Balanced".into(),
        "ImageLocality" => "Image".into(),
        "TaintToleration" => "Taint".into(),
        "NodeAffinity" => "NodeAff".into(),
        "PodTopologySpread" => "Spread".into(),
        "InterPodAffinity" => "PodAff".into(),
        "VolumeBinding" => "Volume".into(),
        other => fit(other, 12),
    }
}
