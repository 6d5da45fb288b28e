//! Decision records: what one scheduling attempt saw and decided — every
//! evaluated node's filter verdict, every scored node's per-plugin raw,
//! normalised and weighted scores, the chosen node or the failure message,
//! and preemption victims. `kubesim schedule` prints them as JSON (shape in
//! docs/scheduler.md); `sim explain pod` renders them with `explain`.

use crate::sim::SimTime;
use serde_json::{json, Map, Value};

/// A node that failed a filter: the first failing plugin and its reasons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterVerdict {
    pub node: String,
    pub plugin: String,
    pub code: String,
    pub reasons: Vec<String>,
}

/// One plugin's score on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    pub plugin: String,
    pub raw: i64,
    pub normalized: i64,
    pub weighted: i64,
}

/// A feasible node's scores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeScores {
    pub node: String,
    pub plugins: Vec<PluginScore>,
    pub total: i64,
}

/// One scheduling attempt.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    /// `namespace/name`.
    pub pod: String,
    pub scheduler_name: String,
    pub time: SimTime,
    /// 1 for the first attempt.
    pub attempt: u32,
    pub node: Option<String>,
    /// The Scheduled event text, or the FailedScheduling message.
    pub message: String,
    /// A PreFilter rejection: (plugin, message).
    pub pre_filter: Option<(String, String)>,
    /// Rejected nodes, sorted by node name (only with detail on).
    pub filter: Vec<FilterVerdict>,
    /// Scored nodes, sorted by node name (only with detail on; empty when a
    /// single node was feasible and scoring was skipped).
    pub scores: Vec<NodeScores>,
    pub victims: Vec<String>,
    pub nominated_node: Option<String>,
    pub evaluated_nodes: usize,
    pub feasible_nodes: usize,
}

impl Decision {
    /// The stable JSON shape of `kubesim schedule -o json`.
    pub fn to_json(&self) -> Value {
        let mut filter = Map::new();
        for f in &self.filter {
            filter.insert(
                f.node.clone(),
                json!({"plugin": f.plugin, "reasons": f.reasons}),
            );
        }
        let mut scores = Map::new();
        for s in &self.scores {
            let mut plugins = Map::new();
            for p in &s.plugins {
                plugins.insert(
                    p.plugin.clone(),
                    json!({"raw": p.raw, "normalized": p.normalized, "weighted": p.weighted}),
                );
            }
            scores.insert(
                s.node.clone(),
                json!({"plugins": plugins, "total": s.total}),
            );
        }
        let mut v = json!({
            "pod": self.pod,
            "attempt": self.attempt,
            "node": self.node,
            "message": self.message,
            "filter": filter,
            "scores": scores,
            "victims": self.victims,
            "evaluatedNodes": self.evaluated_nodes,
            "feasibleNodes": self.feasible_nodes,
        });
        if let Some(n) = &self.nominated_node {
            v["nominatedNode"] = json!(n);
        }
        if let Some((p, m)) = &self.pre_filter {
            v["preFilter"] = json!({"plugin": p, "message": m});
        }
        v
    }
}
