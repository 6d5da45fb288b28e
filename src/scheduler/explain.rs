//! `sim explain pod NAME`: decision records as readable tables (pure).

use super::decision::Decision;

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{:<w$}   ", c, w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// Renders decisions, oldest first, one block each.
pub fn render(decisions: &[Decision]) -> String {
    if decisions.is_empty() {
        return "No scheduling decisions recorded for this pod.\n".to_string();
    }
    let mut out = String::new();
    for (k, d) in decisions.iter().enumerate() {
        if k > 0 {
            out.push('\n');
        }
        out.push_str(&format!(
            "Attempt {} for {} at {} by {}\n",
            d.attempt, d.pod, d.time, d.scheduler_name
        ));
        match &d.node {
            Some(n) => out.push_str(&format!("Result:  Scheduled on {n}\n")),
            None => out.push_str("Result:  Unschedulable\n"),
        }
        out.push_str(&format!("Message: {}\n", d.message));
        out.push_str(&format!(
            "Nodes:   {} evaluated, {} feasible\n",
            d.evaluated_nodes, d.feasible_nodes
        ));
        if let Some((p, m)) = &d.pre_filter {
            out.push_str(&format!("PreFilter rejected the pod: {p}: {m}\n"));
        }
        if let Some(n) = &d.nominated_node {
            out.push_str(&format!("Nominated node: {n}\n"));
        }
        if !d.victims.is_empty() {
            out.push_str(&format!("Victims: {}\n", d.victims.join(", ")));
        }
        if !d.filter.is_empty() {
            out.push_str("\nFiltered out:\n");
            let mut rows = vec![vec!["NODE".to_string(), "PLUGIN".into(), "REASONS".into()]];
            for f in &d.filter {
                rows.push(vec![f.node.clone(), f.plugin.clone(), f.reasons.join(", ")]);
            }
            out.push_str(&table(&rows));
        }
        if !d.scores.is_empty() {
            out.push_str("\nScores (normalized × weight = weighted):\n");
            let plugins: Vec<String> = d.scores[0]
                .plugins
                .iter()
                .map(|p| p.plugin.clone())
                .collect();
            let mut header = vec!["NODE".to_string()];
            header.extend(plugins.iter().cloned());
            header.push("TOTAL".into());
            let mut rows = vec![header];
            for s in &d.scores {
                let mut r = vec![format!(
                    "{}{}",
                    s.node,
                    if d.node.as_deref() == Some(&s.node) {
                        " *"
                    } else {
                        ""
                    }
                )];
                for p in &s.plugins {
                    r.push(format!("{} (raw {})", p.weighted, p.raw));
                }
                r.push(s.total.to_string());
                rows.push(r);
            }
            out.push_str(&table(&rows));
        }
    }
    out
}
