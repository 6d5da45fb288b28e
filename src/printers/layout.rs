//! kubectl's human-readable layout (cli-runtime `tablePrinter` over a
//! tabwriter with minwidth 6, tabwidth 4, padding 3): columns padded to the
//! widest cell + 3 (at least 6), the last cell never padded.

use super::{Cell, Table};
use crate::objects::selectors::Selector;
use std::collections::BTreeMap;

/// What kubectl adds to or removes from the server's table.
#[derive(Clone, Debug, Default)]
pub struct PrintOptions {
    /// `-o wide`: show priority-1 columns.
    pub wide: bool,
    /// `-A`: a NAMESPACE column first.
    pub with_namespace: bool,
    /// `kind/name` in the name column (several kinds, `get all`).
    pub with_kind: bool,
    pub no_headers: bool,
    pub show_labels: bool,
    /// `-L key1,key2`
    pub label_columns: Vec<String>,
}

/// Header and row strings (not yet aligned) for a table.
pub fn table_lines(t: &Table, o: &PrintOptions) -> (Vec<String>, Vec<Vec<String>>) {
    let visible: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| o.wide || c.priority == 0)
        .map(|(i, _)| i)
        .collect();
    // `-A` adds NAMESPACE to namespaced types only (kubectl get.go).
    let with_namespace = o.with_namespace && t.kind.info().namespaced;
    let mut header: Vec<String> = Vec::new();
    if with_namespace {
        header.push("NAMESPACE".into());
    }
    header.extend(visible.iter().map(|&i| t.columns[i].name.to_uppercase()));
    for l in &o.label_columns {
        header.push(l.rsplit('/').next().unwrap_or(l).to_uppercase());
    }
    if o.show_labels {
        header.push("LABELS".into());
    }
    let info = t.kind.info();
    let rows = t
        .rows
        .iter()
        .map(|r| {
            let meta = r.object.meta();
            let mut cells: Vec<String> = Vec::new();
            if with_namespace {
                cells.push(meta.namespace.clone().unwrap_or_default());
            }
            for &i in &visible {
                let mut text = r.cells.get(i).map(Cell::text).unwrap_or_default();
                if o.with_kind && t.columns[i].format == "name" {
                    text = format!("{}/{}", info.kind_prefix(), text);
                }
                cells.push(text);
            }
            let labels = meta.labels.clone().unwrap_or_default();
            for l in &o.label_columns {
                cells.push(labels.get(l).cloned().unwrap_or_default());
            }
            if o.show_labels {
                cells.push(format_labels(&labels));
            }
            cells
        })
        .collect();
    (header, rows)
}

/// kubectl's FormatLabels: sorted `k=v` joined with `,`, or `<none>`.
pub fn format_labels(labels: &BTreeMap<String, String>) -> String {
    if labels.is_empty() {
        return "<none>".into();
    }
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// A label selector as kubectl prints it.
pub fn format_selector(
    sel: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
) -> String {
    match sel {
        Some(s) => Selector::from_label_selector(s).to_string(),
        None => "<none>".into(),
    }
}

/// Aligns lines as kubectl's tabwriter does. `widths` carries the column
/// widths from earlier output of the same table (watch keeps them).
pub fn align(lines: &[Vec<String>], widths: &mut Vec<usize>) -> String {
    for l in lines {
        for (i, c) in l.iter().enumerate() {
            let w = (c.chars().count() + 3).max(6);
            if i >= widths.len() {
                widths.push(w);
            } else if widths[i] < w {
                widths[i] = w;
            }
        }
    }
    let mut out = String::new();
    for l in lines {
        let n = l.len();
        for (i, c) in l.iter().enumerate() {
            out.push_str(c);
            if i + 1 < n {
                let pad = widths[i].saturating_sub(c.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push('\n');
    }
    out
}

/// Renders a table as `kubectl get` prints it (nothing for zero rows).
pub fn render_table(t: &Table, o: &PrintOptions) -> String {
    if t.rows.is_empty() {
        return String::new();
    }
    let (header, rows) = table_lines(t, o);
    let mut lines = Vec::new();
    if !o.no_headers {
        lines.push(header);
    }
    lines.extend(rows);
    align(&lines, &mut Vec::new())
}

/// Renders several tables as `kubectl get a,b` or `get all` does: each
/// table with its own header and widths, one blank line between non-empty
/// tables, empty tables skipped, no trailing blank line. The kind prefix is
/// used when more than one resource type was requested (printers.md §3.3).
pub fn render_tables(tables: &[Table], o: &PrintOptions) -> String {
    let mut kinds: Vec<crate::objects::Kind> = tables.iter().map(|t| t.kind).collect();
    kinds.dedup();
    let opts = PrintOptions {
        with_kind: o.with_kind || kinds.len() > 1,
        ..o.clone()
    };
    let mut parts: Vec<String> = Vec::new();
    for t in tables {
        let out = render_table(t, &opts);
        if !out.is_empty() {
            parts.push(out);
        }
    }
    let sep = if o.no_headers { "" } else { "\n" };
    parts.join(sep)
}

/// The message kubectl writes to stderr when `get`/`describe` printed
/// nothing: the namespace form when every requested type is namespaced and
/// `-A` was not given (printers.md §3.2). No trailing newline.
pub fn no_resources_message(namespaced_only: bool, ns: &str, all_namespaces: bool) -> String {
    if namespaced_only && !all_namespaces {
        format!("No resources found in {ns} namespace.")
    } else {
        "No resources found".to_string()
    }
}

/// `--output-watch-events`: the EVENT cell, padded to 8 characters
/// (cli-runtime `tableprinter.go`, `formatEventType`).
pub fn format_watch_event_type(event_type: &str) -> String {
    match event_type {
        "ADDED" => "ADDED   ".into(),
        "MODIFIED" => "MODIFIED".into(),
        "DELETED" => "DELETED ".into(),
        "ERROR" => "ERROR   ".into(),
        other => other.to_string(),
    }
}

/// Prints `get -w` output: the header once, then rows as they come, each
/// aligned with the column widths remembered from earlier output (kubectl's
/// tab writer with `RememberWidths`: a column only ever grows).
#[derive(Clone, Debug)]
pub struct WatchPrinter {
    opts: PrintOptions,
    /// `--output-watch-events`
    show_events: bool,
    widths: Vec<usize>,
    header_done: bool,
}

impl WatchPrinter {
    pub fn new(opts: PrintOptions, show_events: bool) -> WatchPrinter {
        WatchPrinter {
            opts,
            show_events,
            widths: Vec::new(),
            header_done: false,
        }
    }

    /// Prints rows of `t` (the initial list, or one watch event's row) with
    /// their event type (`ADDED`, `MODIFIED`, `DELETED`). The header goes
    /// out with the first rows.
    pub fn print(&mut self, t: &Table, event_type: &str) -> String {
        if t.rows.is_empty() {
            return String::new();
        }
        let (mut header, rows) = table_lines(t, &self.opts);
        let mut lines = Vec::new();
        if !self.header_done && !self.opts.no_headers {
            if self.show_events {
                header.insert(0, "EVENT".into());
            }
            lines.push(header);
        }
        self.header_done = true;
        for mut r in rows {
            if self.show_events {
                r.insert(0, format_watch_event_type(event_type));
            }
            lines.push(r);
        }
        align(&lines, &mut self.widths)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_to_widest_plus_three_and_never_pads_the_last_cell() {
        let lines = vec![
            vec!["NAME".to_string(), "READY".into(), "STATUS".into()],
            vec!["web-1".to_string(), "1/1".into(), "Running".into()],
        ];
        let out = align(&lines, &mut Vec::new());
        assert_eq!(out, "NAME    READY   STATUS\nweb-1   1/1     Running\n");
    }

    fn pod(name: &str, phase: &str) -> std::sync::Arc<crate::objects::Object> {
        let mut p = k8s_openapi::api::core::v1::Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some("default".into());
        p.status = Some(k8s_openapi::api::core::v1::PodStatus {
            phase: Some(phase.into()),
            ..Default::default()
        });
        std::sync::Arc::new(crate::objects::Object::Pod(p))
    }

    fn now() -> jiff::Timestamp {
        "2026-11-23T03:52:33Z".parse().unwrap()
    }

    /// kubectl get.go: empty tables print nothing and cause no blank line;
    /// `--no-headers` drops headers and separators.
    #[test]
    fn several_tables() {
        use crate::objects::Kind;
        use crate::printers::table;
        let pods = table(Kind::Pod, &[pod("a", "Running")], now());
        let none = table(Kind::Service, &[], now());
        let more = table(Kind::Pod, &[pod("b", "Pending")], now());
        let out = render_tables(
            &[pods.clone(), none.clone(), more.clone()],
            &PrintOptions::default(),
        );
        assert_eq!(
            out,
            "NAME    READY   STATUS    RESTARTS   AGE\npod/a   0/0     Running   0          <unknown>\n\nNAME    READY   STATUS    RESTARTS   AGE\npod/b   0/0     Pending   0          <unknown>\n"
        );
        let out = render_tables(
            &[pods.clone(), none, more],
            &PrintOptions {
                no_headers: true,
                ..Default::default()
            },
        );
        assert_eq!(
            out,
            "pod/a   0/0   Running   0     <unknown>\npod/b   0/0   Pending   0     <unknown>\n"
        );
        // One kind alone: no prefix.
        assert!(render_tables(&[pods], &PrintOptions::default()).contains("\na   "));
    }

    /// printers.md §3.2.
    #[test]
    fn empty_result_messages() {
        assert_eq!(
            no_resources_message(true, "empty", false),
            "No resources found in empty namespace."
        );
        assert_eq!(
            no_resources_message(true, "default", true),
            "No resources found"
        );
        assert_eq!(
            no_resources_message(false, "default", false),
            "No resources found"
        );
    }

    /// `get -w`: rows keep the first table's widths (a column only grows);
    /// `--output-watch-events` adds the EVENT column (cli-runtime
    /// tableprinter.go, liggitt/tabwriter RememberWidths).
    #[test]
    fn watch_rows_remember_widths() {
        use crate::objects::Kind;
        use crate::printers::table;
        let mut w = WatchPrinter::new(PrintOptions::default(), false);
        let first = w.print(
            &table(Kind::Pod, &[pod("web-1", "Pending")], now()),
            "ADDED",
        );
        assert_eq!(first, "NAME    READY   STATUS    RESTARTS   AGE\nweb-1   0/0     Pending   0          <unknown>\n");
        let next = w.print(
            &table(Kind::Pod, &[pod("web-1", "Running")], now()),
            "MODIFIED",
        );
        assert_eq!(next, "web-1   0/0     Running   0          <unknown>\n");
        let wider = w.print(
            &table(Kind::Pod, &[pod("web-1", "ContainerCreating")], now()),
            "MODIFIED",
        );
        assert_eq!(
            wider,
            "web-1   0/0     ContainerCreating   0          <unknown>\n"
        );
        let mut e = WatchPrinter::new(PrintOptions::default(), true);
        let out = e.print(
            &table(Kind::Pod, &[pod("web-1", "Pending")], now()),
            "ADDED",
        );
        assert_eq!(
            out,
            "EVENT      NAME    READY   STATUS    RESTARTS   AGE\nADDED      web-1   0/0     Pending   0          <unknown>\n"
        );
        let out = e.print(
            &table(Kind::Pod, &[pod("web-1", "Pending")], now()),
            "DELETED",
        );
        assert_eq!(
            out,
            "DELETED    web-1   0/0     Pending   0          <unknown>\n"
        );
    }
}
