//! Facts that depend only on an object version (a pod's status class, its
//! requests, its cells for sorting), kept while the object is: after the
//! first frame, a frame with 1,000 pods does not recompute them.

use super::app::App;
use super::status::{classify, StatusClass};
use crate::objects::{Kind, Object};
use crate::printers;
use std::sync::Arc;

/// Facts about an object version, kept while the object is.
#[derive(Default)]
pub struct Memo {
    /// By the object's address; the Arc held here keeps the address from
    /// being reused by another object while the entry exists.
    entries: std::collections::BTreeMap<usize, MemoEntry>,
}

pub struct MemoEntry {
    object: Arc<Object>,
    class: Option<StatusClass>,
    requests: Option<super::resources::Resources>,
    cells: Option<Vec<String>>,
}

impl Memo {
    pub(crate) fn entry(&mut self, obj: &Arc<Object>) -> &mut MemoEntry {
        self.entries
            .entry(Arc::as_ptr(obj) as usize)
            .or_insert_with(|| MemoEntry {
                object: obj.clone(),
                class: None,
                requests: None,
                cells: None,
            })
    }

    /// Forgets objects nobody else holds any more.
    pub fn prune(&mut self) {
        self.entries.retain(|_, e| Arc::strong_count(&e.object) > 1);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl MemoEntry {
    pub(crate) fn cells(&mut self, f: impl FnOnce() -> Vec<String>) -> &[String] {
        self.cells.get_or_insert_with(f)
    }
    fn class(&mut self, f: impl FnOnce() -> StatusClass) -> StatusClass {
        *self.class.get_or_insert_with(f)
    }
    fn requests(
        &mut self,
        f: impl FnOnce() -> super::resources::Resources,
    ) -> super::resources::Resources {
        *self.requests.get_or_insert_with(f)
    }
}

impl App {
    /// The status class of a pod, from its STATUS and READY cells
    /// (memoized per object version: it does not depend on the time).
    pub fn pod_class(&self, pod: &Arc<Object>) -> StatusClass {
        self.memo.borrow_mut().entry(pod).class(|| {
            static COLS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
            let headers = COLS.get_or_init(|| {
                printers::columns(Kind::Pod)
                    .iter()
                    .map(|c| c.name.to_uppercase())
                    .collect()
            });
            let cells: Vec<String> = super::table::row_cells(pod, self.clock.timestamp())
                .iter()
                .map(printers::Cell::text)
                .collect();
            classify(pod, headers, &cells)
        })
    }

    /// What a pod requests (memoized per object version).
    pub fn pod_requests(&self, pod: &Arc<Object>) -> super::resources::Resources {
        self.memo.borrow_mut().entry(pod).requests(|| match &**pod {
            Object::Pod(p) => super::resources::pod_requests(p),
            _ => Default::default(),
        })
    }
}
