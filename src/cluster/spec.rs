//! The cluster file: nodes, their sizes, labels and taints, and when the
//! cluster was created. Everything has the workshop's defaults.

use serde::{Deserialize, Serialize};

/// A cluster description (`kind: Cluster` in a cluster file).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    #[serde(default = "default_api_version")]
    pub api_version: String,
    #[serde(default = "default_kind")]
    pub kind: String,
    /// The wall-clock instant of virtual time 0 (RFC 3339).
    #[serde(default = "default_start")]
    pub start_time: String,
    /// How long before the start the cluster was created, in seconds.
    #[serde(default = "default_age")]
    pub cluster_age_seconds: u64,
    /// Kubelet version reported by every node.
    #[serde(default = "default_kubelet_version")]
    pub kubelet_version: String,
    pub nodes: Vec<NodeSpec>,
    /// Extra registry images (added before the built-in catalogue, so they
    /// may also override it). See `controllers::kubelet::images`.
    #[serde(default)]
    pub images: Vec<crate::controllers::kubelet::images::ImageSpec>,
}

/// One node of the cluster.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NodeSpec {
    pub name: String,
    #[serde(default)]
    pub control_plane: bool,
    #[serde(default = "default_cpu")]
    pub cpu: String,
    #[serde(default = "default_memory")]
    pub memory: String,
    #[serde(default = "default_pods")]
    pub pods: u32,
    #[serde(default = "default_storage")]
    pub ephemeral_storage: String,
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// `key=value:Effect` or `key:Effect`.
    #[serde(default)]
    pub taints: Vec<String>,
    /// Image pull bandwidth in bytes per second.
    #[serde(default = "default_bandwidth")]
    pub pull_bandwidth: u64,
}

fn default_api_version() -> String {
    "kubesim.io/v1".into()
}
fn default_kind() -> String {
    "Cluster".into()
}
fn default_start() -> String {
    "2026-11-23T09:00:00Z".into()
}
fn default_age() -> u64 {
    // The lab was prepared the day before.
    20 * 3600
}
fn default_kubelet_version() -> String {
    "v1.33.5".into()
}
fn default_cpu() -> String {
    "2".into()
}
fn default_memory() -> String {
    "4Gi".into()
}
fn default_pods() -> u32 {
    110
}
fn default_storage() -> String {
    "20Gi".into()
}
fn default_bandwidth() -> u64 {
    // ~33 MB/s: nginx (≈70 MB) pulls in about 2 s, as on the lab VMs.
    33_000_000
}

impl NodeSpec {
    pub fn worker(name: &str) -> NodeSpec {
        NodeSpec {
            name: name.into(),
            control_plane: false,
            cpu: default_cpu(),
            memory: default_memory(),
            pods: default_pods(),
            ephemeral_storage: default_storage(),
            labels: Default::default(),
            taints: vec![],
            pull_bandwidth: default_bandwidth(),
        }
    }
}

impl ClusterSpec {
    /// The container.training lab: node1 (control plane) and node2–node4.
    pub fn workshop() -> ClusterSpec {
        let mut nodes = vec![NodeSpec {
            control_plane: true,
            ..NodeSpec::worker("node1")
        }];
        nodes.extend(["node2", "node3", "node4"].map(NodeSpec::worker));
        ClusterSpec {
            api_version: default_api_version(),
            kind: default_kind(),
            start_time: default_start(),
            cluster_age_seconds: default_age(),
            kubelet_version: default_kubelet_version(),
            nodes,
            images: Vec::new(),
        }
    }

    /// Reads a cluster file (YAML).
    pub fn from_yaml(text: &str) -> Result<ClusterSpec, String> {
        let spec: ClusterSpec =
            serde_norway::from_str(text).map_err(|e| format!("invalid cluster file: {e}"))?;
        if spec.nodes.is_empty() {
            return Err("invalid cluster file: nodes: at least one node is required".into());
        }
        spec.start_time
            .parse::<jiff::Timestamp>()
            .map_err(|e| format!("invalid cluster file: startTime: {e}"))?;
        Ok(spec)
    }

    /// Whether the cluster file set `startTime` (the default is a fixed
    /// morning, so that scripts and tests print the same times every run).
    pub fn has_explicit_start_time(&self) -> bool {
        self.start_time != default_start()
    }

    pub fn epoch(&self) -> jiff::Timestamp {
        self.start_time
            .parse()
            .unwrap_or_else(|_| default_start().parse().expect("valid default"))
    }
}
