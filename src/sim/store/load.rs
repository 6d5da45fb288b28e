//! The data plane's load board: how long a new request to a pod's port
//! would wait before its server starts on it, as the network last saw it.
//!
//! Not an API object. A real kubelet learns a server's backlog by probing
//! it over the pod network (`pkg/probe/http/http.go`: a GET with the
//! probe's timeout); in kubesim the traffic lives in the network
//! component, so the network publishes the queueing delay of the ports
//! that pods' probes name here, and the kubelet's prober reads it. The
//! two never call each other: the store stays their only meeting point.

use crate::sim::SimTime;
use std::collections::BTreeMap;
use std::time::Duration;

/// Per pod (namespace, name): per port, the wait a new request would see
/// at the time of publication.
#[derive(Clone, Debug, Default)]
pub struct LoadBoard {
    pods: BTreeMap<(String, String), PodLoad>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodLoad {
    /// When the network measured it.
    pub at: SimTime,
    /// (container port, queueing delay).
    pub waits: Vec<(u16, Duration)>,
}

impl LoadBoard {
    /// Records what the network measured; true if it changed.
    pub fn publish(&mut self, ns: &str, pod: &str, load: PodLoad) -> bool {
        let key = (ns.to_string(), pod.to_string());
        if let Some(old) = self.pods.get(&key) {
            if old.waits == load.waits {
                return false;
            }
        }
        self.pods.insert(key, load);
        true
    }

    pub fn remove(&mut self, ns: &str, pod: &str) {
        self.pods.remove(&(ns.to_string(), pod.to_string()));
    }

    /// The queueing delay a request to `port` of the pod sees at `now`.
    /// The backlog drains in real time while no new request arrives (the
    /// network publishes again whenever one does), so the published wait
    /// shrinks by the time elapsed since.
    pub fn wait(&self, ns: &str, pod: &str, port: u16, now: SimTime) -> Duration {
        let Some(l) = self.pods.get(&(ns.to_string(), pod.to_string())) else {
            return Duration::ZERO;
        };
        let elapsed = Duration::from_millis(now.0.saturating_sub(l.at.0));
        l.waits
            .iter()
            .find(|(p, _)| *p == port)
            .map(|(_, w)| w.saturating_sub(elapsed))
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.pods.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_backlog_drains_while_nothing_arrives() {
        let mut b = LoadBoard::default();
        let load = PodLoad {
            at: SimTime(1000),
            waits: vec![(80, Duration::from_millis(1300))],
        };
        assert!(b.publish("default", "rng-1", load.clone()));
        assert!(!b.publish("default", "rng-1", load), "unchanged");
        assert_eq!(
            b.wait("default", "rng-1", 80, SimTime(1000)),
            Duration::from_millis(1300)
        );
        assert_eq!(
            b.wait("default", "rng-1", 80, SimTime(1500)),
            Duration::from_millis(800)
        );
        assert_eq!(
            b.wait("default", "rng-1", 80, SimTime(9000)),
            Duration::ZERO
        );
        assert_eq!(
            b.wait("default", "rng-1", 81, SimTime(1000)),
            Duration::ZERO
        );
        b.remove("default", "rng-1");
        assert_eq!(
            b.wait("default", "rng-1", 80, SimTime(1000)),
            Duration::ZERO
        );
    }
}
