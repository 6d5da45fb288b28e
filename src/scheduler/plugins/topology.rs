//! Topology-pair counters shared by InterPodAffinity and
//! PodTopologySpread: `key → value → count`, entries removed at zero
//! (`interpodaffinity/filtering.go` topologyToMatchedTermCount).

use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopologyCounts {
    pub map: BTreeMap<String, BTreeMap<String, i64>>,
}

impl TopologyCounts {
    /// `update`: adds `value` to (key, node's value of key), when the node
    /// has the key; drops entries that reach zero.
    pub fn update(&mut self, labels: &BTreeMap<String, String>, key: &str, value: i64) {
        let Some(tv) = labels.get(key) else { return };
        let inner = self.map.entry(key.to_string()).or_default();
        let c = inner.entry(tv.clone()).or_insert(0);
        *c += value;
        if *c == 0 {
            inner.remove(tv);
            if inner.is_empty() {
                self.map.remove(key);
            }
        }
    }
    pub fn get(&self, key: &str, value: &str) -> i64 {
        self.map
            .get(key)
            .and_then(|m| m.get(value))
            .copied()
            .unwrap_or(0)
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Adds every count of `other`.
    pub fn add_all(&mut self, other: &TopologyCounts) {
        for (k, vals) in &other.map {
            for (v, c) in vals {
                let inner = self.map.entry(k.clone()).or_default();
                let e = inner.entry(v.clone()).or_insert(0);
                *e += c;
                if *e == 0 {
                    inner.remove(v);
                    if inner.is_empty() {
                        self.map.remove(k);
                    }
                }
            }
        }
    }
}

/// Counts read from a shared base (the cache's incrementally kept counts)
/// plus this cycle's own changes (PreFilterExtensions AddPod / RemovePod),
/// so a cycle does not copy the base. Behaves as one [`TopologyCounts`]
/// holding the sums.
#[derive(Clone, Debug, Default)]
pub struct LayeredCounts {
    base: Option<Arc<TopologyCounts>>,
    delta: TopologyCounts,
    /// (key, value) pairs whose sum is not zero.
    nonzero: usize,
}

impl LayeredCounts {
    pub fn new(base: Arc<TopologyCounts>) -> LayeredCounts {
        let nonzero = base
            .map
            .values()
            .map(|m| m.values().filter(|c| **c != 0).count())
            .sum();
        LayeredCounts {
            base: Some(base),
            delta: TopologyCounts::default(),
            nonzero,
        }
    }
    pub fn get(&self, key: &str, value: &str) -> i64 {
        self.base.as_ref().map_or(0, |b| b.get(key, value)) + self.delta.get(key, value)
    }
    /// `TopologyCounts::update` on the sums.
    pub fn update(&mut self, labels: &BTreeMap<String, String>, key: &str, value: i64) {
        let Some(tv) = labels.get(key) else { return };
        let before = self.get(key, tv);
        self.delta.update(labels, key, value);
        let after = before + value;
        if before == 0 && after != 0 {
            self.nonzero += 1;
        } else if before != 0 && after == 0 {
            self.nonzero -= 1;
        }
    }
    pub fn is_empty(&self) -> bool {
        self.nonzero == 0
    }
}
