//! The resource table's view model: the view's objects, with the columns
//! and cells of `kubectl get`, filtered (`/`), sorted (shift+letter), each
//! row with its status class and recent change.

use super::app::{App, Scope};
use super::cache::{Change, Key};
use super::status::{classify, StatusClass};
use crate::objects::selectors::Selector;
use crate::objects::Object;
use crate::printers;
use std::cmp::Ordering;
use std::sync::Arc;

/// A filter as typed: text, `-l selector`, `!` to invert.
#[derive(Clone, Debug, PartialEq)]
pub enum FilterSpec {
    None,
    Text { text: String, invert: bool },
    Labels { selector: Selector, invert: bool },
    Invalid(String),
}

impl FilterSpec {
    pub fn parse(raw: &str) -> FilterSpec {
        let raw = raw.trim();
        let (invert, rest) = match raw.strip_prefix('!') {
            Some(r) => (true, r.trim_start()),
            None => (false, raw),
        };
        if rest.is_empty() {
            return FilterSpec::None;
        }
        if let Some(sel) = rest.strip_prefix("-l") {
            let sel = sel.trim();
            if sel.is_empty() {
                return FilterSpec::None;
            }
            return match Selector::parse(sel) {
                Ok(selector) => FilterSpec::Labels { selector, invert },
                Err(e) => FilterSpec::Invalid(e),
            };
        }
        FilterSpec::Text {
            text: rest.to_lowercase(),
            invert,
        }
    }
}

/// A row ready to draw.
#[derive(Clone, Debug)]
pub struct RowModel {
    pub key: Key,
    pub object: Arc<Object>,
    pub cells: Vec<String>,
    pub status: StatusClass,
    pub mark: Option<Change>,
}

/// The resource table ready to draw.
#[derive(Clone, Debug)]
pub struct TableModel {
    pub headers: Vec<String>,
    pub rows: Vec<RowModel>,
    /// Index of the sorted column in `headers`.
    pub sort_column: Option<usize>,
    pub descending: bool,
    /// Index of the selected row.
    pub selected: Option<usize>,
    /// The first row in view; rows from here on (as many as asked for)
    /// have their cells, status and mark.
    pub offset: usize,
    /// Objects before filtering (for the `[shown/total]` title).
    pub total: usize,
}

impl App {
    /// The objects of the view before filtering: cache and ghosts, in scope.
    fn scoped_objects(&self) -> Vec<Arc<Object>> {
        let v = &self.view;
        let ns = v.list_namespace();
        let mut objs: Vec<Arc<Object>> = self.cache.iter(v.kind, ns).cloned().collect();
        objs.extend(self.cache.ghosts(v.kind, ns).cloned());
        match &v.scope {
            Scope::All => {}
            Scope::Selector { selector, .. } => {
                objs.retain(|o| selector.matches_opt(o.meta().labels.as_ref()))
            }
            Scope::Node(node) => objs.retain(|o| match &**o {
                Object::Pod(p) => super::resources::node_of(p) == Some(node.as_str()),
                _ => false,
            }),
        }
        objs
    }

    /// The whole resource table, every row with its cells.
    pub fn table_model(&self) -> TableModel {
        self.table_window(usize::MAX)
    }

    /// The resource table of the current view: the same columns and cells
    /// as `kubectl get` (the printers' Table), with a NAMESPACE column when
    /// listing all namespaces, filtered and sorted. Cells are computed for
    /// the `height` rows in view only, unless a text filter or a sort on a
    /// printed column needs them all: a frame with 1,000 pods stays cheap.
    pub fn table_window(&self, height: usize) -> TableModel {
        let v = &self.view;
        let objs = self.scoped_objects();
        let total = objs.len();
        let now_ts = self.clock.timestamp();
        let columns = printers::columns(v.kind);
        let with_ns = v.kind.info().namespaced && v.list_namespace().is_none();
        let visible: Vec<usize> = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| v.wide || c.priority == 0)
            .map(|(i, _)| i)
            .collect();
        let mut headers: Vec<String> = Vec::new();
        if with_ns {
            headers.push("NAMESPACE".into());
        }
        headers.extend(visible.iter().map(|&i| columns[i].name.to_uppercase()));
        let name_col = columns
            .iter()
            .position(|c| c.format == "name")
            .and_then(|i| visible.iter().position(|&x| x == i))
            .map(|i| i + usize::from(with_ns));
        let cells_of = |o: &Arc<Object>| -> Vec<String> {
            let all = row_cells(o, now_ts);
            let mut out = Vec::with_capacity(headers.len());
            if with_ns {
                out.push(o.meta().namespace.clone().unwrap_or_default());
            }
            out.extend(
                visible
                    .iter()
                    .map(|&i| all.get(i).map(printers::Cell::text).unwrap_or_default()),
            );
            out
        };
        let filter = FilterSpec::parse(&v.filter);
        let sort_ci = v
            .sort
            .as_ref()
            .and_then(|s| headers.iter().position(|h| *h == s.column));
        // Sorting by name, namespace or time reads the object, not cells.
        let sort_needs_cells = match (&v.sort, sort_ci) {
            (Some(s), Some(ci)) => {
                !is_time_column(&s.column) && Some(ci) != name_col && s.column != "NAMESPACE"
            }
            _ => false,
        };
        let fresh_cells = height == usize::MAX;
        let memo_cells =
            !fresh_cells && (matches!(filter, FilterSpec::Text { .. }) || sort_needs_cells);
        let mut rows: Vec<RowModel> = {
            let mut memo = self.memo.borrow_mut();
            objs.into_iter()
                .map(|o| RowModel {
                    key: super::cache::key_of(&o),
                    // Filtering and sorting read cells memoized per object
                    // version (their ages may be a little old; rows in
                    // view get fresh cells below).
                    cells: if fresh_cells {
                        cells_of(&o)
                    } else if memo_cells {
                        memo.entry(&o).cells(|| cells_of(&o)).to_vec()
                    } else {
                        Vec::new()
                    },
                    object: o,
                    status: StatusClass::Neutral,
                    mark: None,
                })
                .collect()
        };
        rows.retain(|r| filter_keeps(&filter, &r.object, &r.cells));
        let mut sort_column = None;
        let mut descending = false;
        if let Some(s) = &v.sort {
            // Time columns sort by the timestamp, even when this kind's
            // table does not print that column (events by LAST SEEN).
            if sort_ci.is_some() || is_time_column(&s.column) {
                sort_column = sort_ci;
                descending = s.descending;
                let by = if is_time_column(&s.column) {
                    SortBy::Time
                } else if sort_ci == name_col {
                    SortBy::Name
                } else if s.column == "NAMESPACE" {
                    SortBy::Namespace
                } else {
                    SortBy::Cell(sort_ci.unwrap_or(0))
                };
                sort_rows(&mut rows, by, s.descending);
            }
        }
        let selected = match &v.selected {
            Some(k) => rows.iter().position(|r| &r.key == k),
            None => None,
        }
        .or(if rows.is_empty() {
            None
        } else {
            Some(v.cursor.min(rows.len() - 1))
        });
        let sel = selected.unwrap_or(0);
        let offset = if height == 0 || height == usize::MAX || sel < height {
            0
        } else {
            sel + 1 - height
        };
        let window = self.highlight_window();
        let end = offset.saturating_add(height).min(rows.len());
        for r in &mut rows[offset..end] {
            if !fresh_cells {
                r.cells = cells_of(&r.object);
            }
            r.status = classify(&r.object, &headers, &r.cells);
            r.mark = self
                .cache
                .mark(v.kind, &r.key, self.clock.now, window)
                .map(|m| m.change);
        }
        TableModel {
            headers,
            rows,
            sort_column,
            descending,
            selected,
            offset,
            total,
        }
    }
}

fn filter_keeps(f: &FilterSpec, obj: &Object, cells: &[String]) -> bool {
    match f {
        FilterSpec::None | FilterSpec::Invalid(_) => true,
        FilterSpec::Text { text, invert } => {
            let hit = cells
                .iter()
                .any(|c| c.to_lowercase().contains(text.as_str()));
            hit != *invert
        }
        FilterSpec::Labels { selector, invert } => {
            selector.matches_opt(obj.meta().labels.as_ref()) != *invert
        }
    }
}

/// One object's cells, through the printers' Table (the interface the REPL
/// and the HTTP API's Table responses share).
pub fn row_cells(obj: &Arc<Object>, now: jiff::Timestamp) -> Vec<printers::Cell> {
    printers::table(obj.kind(), std::slice::from_ref(obj), now)
        .rows
        .pop()
        .map(|r| r.cells)
        .unwrap_or_default()
}

/// The instant an event last happened (lastTimestamp, eventTime, creation).
fn event_time(obj: &Object) -> Option<jiff::Timestamp> {
    match obj {
        Object::Event(e) => e
            .last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or(e.event_time.as_ref().map(|t| t.0))
            .or(e.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        _ => obj.meta().creation_timestamp.as_ref().map(|t| t.0),
    }
}

fn is_time_column(column: &str) -> bool {
    matches!(column, "AGE" | "LAST SEEN" | "CREATED AT")
}

#[derive(Copy, Clone)]
enum SortBy {
    Time,
    Name,
    Namespace,
    Cell(usize),
}

fn sort_rows(rows: &mut [RowModel], by: SortBy, descending: bool) {
    rows.sort_by(|a, b| {
        let ord = match by {
            // Ascending age = newest first.
            SortBy::Time => event_time(&b.object).cmp(&event_time(&a.object)),
            SortBy::Name => natural_cmp(&a.key.1, &b.key.1),
            SortBy::Namespace => a.key.0.cmp(&b.key.0),
            SortBy::Cell(ci) => natural_cmp(&a.cells[ci], &b.cells[ci]),
        };
        let ord = ord.then_with(|| a.key.cmp(&b.key));
        if descending {
            ord.reverse()
        } else {
            ord
        }
    });
}

/// Compares strings with embedded numbers by value (`web-9` < `web-10`,
/// `2/3` < `10/10`).
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut ai = a.chars().peekable();
    let mut bi = b.chars().peekable();
    loop {
        match (ai.peek().copied(), bi.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = ai.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    ai.next();
                }
                let mut nb = String::new();
                while let Some(c) = bi.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(c);
                    bi.next();
                }
                let na = na.trim_start_matches('0');
                let nb = nb.trim_start_matches('0');
                let o = na.len().cmp(&nb.len()).then_with(|| na.cmp(nb));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(x), Some(y)) => {
                let o = x.cmp(&y);
                if o != Ordering::Equal {
                    return o;
                }
                ai.next();
                bi.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_parse_text_labels_and_inversion() {
        assert_eq!(FilterSpec::parse(""), FilterSpec::None);
        assert_eq!(
            FilterSpec::parse("Web"),
            FilterSpec::Text {
                text: "web".into(),
                invert: false
            }
        );
        assert!(matches!(
            FilterSpec::parse("!-l app=web"),
            FilterSpec::Labels { invert: true, .. }
        ));
        assert!(matches!(
            FilterSpec::parse("-l app in (a"),
            FilterSpec::Invalid(_)
        ));
    }

    #[test]
    fn natural_order_compares_numbers_by_value() {
        assert_eq!(natural_cmp("web-9", "web-10"), Ordering::Less);
        assert_eq!(natural_cmp("2/3", "10/10"), Ordering::Less);
        assert_eq!(natural_cmp("a", "a"), Ordering::Equal);
        assert_eq!(natural_cmp("b", "a10"), Ordering::Greater);
    }
}
