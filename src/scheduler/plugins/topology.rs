//! Topology-pair counters shared by InterPodAffinity and
//! PodTopologySpread: `key → value → count`, entries removed at zero
//! (`interpodaffinity/filtering.go` topologyToMatchedTermCount).

use std::collections::BTreeMap;

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
}
