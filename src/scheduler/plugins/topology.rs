//! Topology-pair counters of InterPodAffinity: `key → value → count`,
//! entries removed at zero (`interpodaffinity/filtering.go`
//! topologyToMatchedTermCount).
//!
//! Filter looks a node's value up for every node it evaluates, and a
//! hostname key has one value per node: the values are hashed (with a
//! fixed-seed hasher, so nothing depends on a random seed) instead of
//! kept in a BTreeMap, where each lookup compared a dozen strings. The
//! value maps are only looked up, or summed and counted, never iterated
//! in an order that could reach an output.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Value → count. Lookup-only (see the module comment).
#[allow(clippy::disallowed_types)]
pub type ValueCounts = std::collections::HashMap<String, i64, foldhash::fast::FixedState>;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopologyCounts {
    pub map: BTreeMap<String, ValueCounts>,
}

impl TopologyCounts {
    /// `update`: adds `value` to (key, node's value of key), when the node
    /// has the key; drops entries that reach zero.
    pub fn update(&mut self, labels: &BTreeMap<String, String>, key: &str, value: i64) {
        if let Some(tv) = labels.get(key) {
            self.add(key, tv, value);
        }
    }
    /// Adds `n` to (key, tv); drops the entry when it reaches zero.
    fn add(&mut self, key: &str, tv: &str, n: i64) {
        // Look up before inserting: most updates hit existing entries, and
        // `entry` would allocate the key strings every time.
        if !self.map.contains_key(key) {
            self.map.insert(key.to_string(), ValueCounts::default());
        }
        let inner = self.map.get_mut(key).expect("inserted above");
        let c = match inner.get_mut(tv) {
            Some(c) => {
                *c += n;
                *c
            }
            None => {
                inner.insert(tv.to_string(), n);
                n
            }
        };
        if c == 0 {
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
    /// How many (key, value) pairs have a count: every entry, since
    /// entries are removed when they reach zero.
    pub fn pairs(&self) -> usize {
        self.map.values().map(|m| m.len()).sum()
    }
    /// Adds every count of `other` (a sum: the iteration order does not
    /// matter).
    pub fn add_all(&mut self, other: &TopologyCounts) {
        for (k, vals) in &other.map {
            for (v, c) in vals {
                self.add(k, v, *c);
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
        let nonzero = base.pairs();
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
    /// Whether some label of the node has a positive count. Only keys
    /// that have counts can match, so this walks those keys (one or two)
    /// rather than the node's labels.
    pub fn any_positive(&self, labels: &BTreeMap<String, String>) -> bool {
        let base_keys = self.base.iter().flat_map(|b| b.map.keys());
        base_keys
            .chain(self.delta.map.keys())
            .any(|k| labels.get(k).is_some_and(|v| self.get(k, v) > 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// `any_positive` walks the counted keys; it must agree with upstream's
    /// walk over every node label (`satisfyExistingPodsAntiAffinity` in
    /// interpodaffinity/filtering.go), also when the cycle's own changes
    /// cancel a base count or add a key the base lacks.
    #[test]
    fn any_positive_agrees_with_a_walk_over_the_node_labels() {
        let a = labels(&[("kubernetes.io/hostname", "a"), ("zone", "z1")]);
        let b = labels(&[("kubernetes.io/hostname", "b"), ("zone", "z2")]);
        let mut base = TopologyCounts::default();
        base.update(&a, "kubernetes.io/hostname", 1);
        let mut c = LayeredCounts::new(Arc::new(base));
        let walk = |c: &LayeredCounts, l: &BTreeMap<String, String>| {
            l.iter().any(|(k, v)| c.get(k, v) > 0)
        };
        for l in [&a, &b] {
            assert_eq!(c.any_positive(l), walk(&c, l));
        }
        assert!(c.any_positive(&a) && !c.any_positive(&b));
        // The cycle removes the pod on a and adds one in zone z2.
        c.update(&a, "kubernetes.io/hostname", -1);
        c.update(&b, "zone", 1);
        for l in [&a, &b] {
            assert_eq!(c.any_positive(l), walk(&c, l));
        }
        assert!(!c.any_positive(&a) && c.any_positive(&b));
        assert!(!c.is_empty());
    }
}
