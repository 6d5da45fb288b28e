//! What the TUI reads from components it does not own, behind small
//! adapters so the dashboard compiles and is tested without them:
//!
//! - the scheduler's last decision for a pod (the `e` key), in the shape of
//!   `kubesim schedule -o json`'s decision records (issue 5, item 7);
//! - DockerCoins' `hashes` counter, from which the sampler computes the
//!   hash rate webui shows (hashes per second over webui's last poll).
//!
//! [`installed`] is the one place that points them at the real components.

use crate::sim::World;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One Filter plugin's verdict on a node that did not pass.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct FilterVerdict {
    pub plugin: String,
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// One Score plugin's scores on a node.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct PluginScore {
    #[serde(default)]
    pub raw: i64,
    #[serde(default)]
    pub normalized: i64,
    #[serde(default)]
    pub weighted: i64,
}

/// A feasible node's scores.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct NodeScores {
    #[serde(default)]
    pub plugins: BTreeMap<String, PluginScore>,
    #[serde(default)]
    pub total: i64,
}

/// A scheduling attempt as a decision record (`kubesim schedule -o json`):
/// nodes that failed a filter are under `filter`, feasible ones under
/// `scores`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// `NS/NAME`
    pub pod: String,
    pub node: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub filter: BTreeMap<String, FilterVerdict>,
    #[serde(default)]
    pub scores: BTreeMap<String, NodeScores>,
    #[serde(default)]
    pub victims: Vec<String>,
    #[serde(default)]
    pub evaluated_nodes: Option<u32>,
    #[serde(default)]
    pub feasible_nodes: Option<u32>,
}

/// Reads the scheduler's last decision for pod `ns/name`.
pub type ExplainFn = Box<dyn Fn(&World, &str, &str) -> Option<Decision> + Send>;
/// Reads DockerCoins' `hashes` counter as webui's next poll would answer
/// it, `None` when DockerCoins is not running. Must not change the world.
pub type HashesFn = Box<dyn Fn(&World) -> Option<i64> + Send>;

/// The adapters a local TUI uses.
pub struct Adapters {
    pub explain: ExplainFn,
    pub hashes: HashesFn,
}

impl Default for Adapters {
    /// Nothing to read: `e` says no decision was recorded, no hash-rate chart.
    fn default() -> Adapters {
        Adapters {
            explain: Box::new(|_, _, _| None),
            hashes: Box::new(|_| None),
        }
    }
}

/// The adapters wired to the simulation's components: the scheduler's
/// decision records and the network's DockerCoins counter.
pub fn installed() -> Adapters {
    Adapters {
        // The scheduler keeps the last attempts per pod; show the newest.
        explain: Box::new(|w, ns, name| {
            let s = w.controller::<crate::scheduler::Scheduler>()?;
            let d = s.decisions_for(ns, name).last()?;
            decision_from_json(d.to_json())
        }),
        // The counter webui's `/json` reads, read in place.
        hashes: Box::new(crate::net::tools::dockercoins::webui_hashes),
    }
}

/// Parses a decision from its JSON record, for adapters that hold records
/// as JSON (`serde_json::to_value(record)`).
pub fn decision_from_json(v: serde_json::Value) -> Option<Decision> {
    serde_json::from_value(v).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_decision_json_shape() {
        let v = serde_json::json!({
            "pod": "default/web-1", "node": null,
            "message": "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint(s).",
            "filter": {"node1": {"plugin": "TaintToleration", "reasons": ["node(s) had untolerated taint(s)"]},
                       "node2": {"plugin": "NodeResourcesFit", "reasons": ["Insufficient cpu"]}},
            "scores": {}, "victims": [], "evaluatedNodes": 2, "feasibleNodes": 0
        });
        let d = decision_from_json(v).unwrap();
        assert_eq!(d.node, None);
        assert_eq!(d.filter["node2"].reasons, vec!["Insufficient cpu"]);
        assert_eq!(d.evaluated_nodes, Some(2));
    }
}
