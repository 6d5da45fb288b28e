//! How long packets take and where they are lost: the network's timing
//! table, per-hop latency (configurable per link) and partitions between
//! nodes, the faults a scenario injects.
//!
//! Times are integer microseconds. The values are those of a small cloud
//! lab (the workshop's VMs): sub-millisecond pod-to-pod latency, the Linux
//! TCP timers (`net.ipv4.tcp_syn_retries` = 6, `tcp_retries2` = 15, from
//! `Documentation/networking/ip-sysctl.rst`) and glibc/musl resolver
//! defaults (`timeout:5 attempts:2`, resolv.conf(5)).

use std::collections::{BTreeMap, BTreeSet};

/// Microseconds of virtual time.
pub type Micros = u64;

/// A place packets come from or go to: a node, or outside the cluster.
pub type Site = u16;
/// The pseudo-site of clients outside the cluster.
pub const OUTSIDE: Site = u16::MAX;

/// The timing table (defaults; `Links` holds the configurable copies).
pub mod timings {
    use super::Micros;
    /// One-way latency between two network namespaces on the same node
    /// (veth pair through the node's routing/bridge).
    pub const SAME_NODE_US: Micros = 40;
    /// One-way latency between two nodes (pod to pod across nodes: the
    /// CNI's encapsulation or routing over the lab's VPC).
    pub const CROSS_NODE_US: Micros = 200;
    /// One-way latency between a client outside the cluster and a node.
    pub const OUTSIDE_US: Micros = 500;
    /// CoreDNS' own time to answer from its watch cache.
    pub const DNS_SERVER_US: Micros = 60;
    /// A resolver whose queries are dropped gives up after `timeout:5` ×
    /// `attempts:2`.
    pub const DNS_TIMEOUT_US: Micros = 10_000_000;
    /// A TCP connect whose SYNs are dropped fails after the initial SYN
    /// and 6 retransmissions with exponential backoff: 1+2+4+8+16+32+64 s.
    pub const SYN_TIMEOUT_US: Micros = 127_000_000;
    /// An established connection whose packets are dropped is reset after
    /// 15 retransmissions (tcp_retries2), about 924.6 s.
    pub const ESTABLISHED_TIMEOUT_US: Micros = 924_600_000;
    /// kube-proxy applies a burst of Service/EndpointSlice changes at most
    /// once per `minSyncPeriod` (pkg/proxy/apis/config/v1alpha1/defaults.go).
    pub const PROXY_MIN_SYNC_US: Micros = 1_000_000;
}

/// Per-link latency and the injected faults.
#[derive(Clone, Debug)]
pub struct Links {
    pub same_node_us: Micros,
    pub cross_node_us: Micros,
    pub outside_us: Micros,
    /// Extra one-way latency on specific links (unordered pairs).
    extra: BTreeMap<(Site, Site), Micros>,
    /// Links that drop every packet (unordered pairs).
    cut: BTreeSet<(Site, Site)>,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            same_node_us: timings::SAME_NODE_US,
            cross_node_us: timings::CROSS_NODE_US,
            outside_us: timings::OUTSIDE_US,
            extra: BTreeMap::new(),
            cut: BTreeSet::new(),
        }
    }
}

fn pair(a: Site, b: Site) -> (Site, Site) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Links {
    /// One-way latency from `a` to `b`.
    #[inline]
    pub fn one_way(&self, a: Site, b: Site) -> Micros {
        let base = if a == b {
            self.same_node_us
        } else if a == OUTSIDE || b == OUTSIDE {
            self.outside_us
        } else {
            self.cross_node_us
        };
        if self.extra.is_empty() {
            base
        } else {
            base + self.extra.get(&pair(a, b)).copied().unwrap_or(0)
        }
    }

    /// Whether packets between `a` and `b` are dropped.
    #[inline]
    pub fn is_cut(&self, a: Site, b: Site) -> bool {
        !self.cut.is_empty() && a != b && self.cut.contains(&pair(a, b))
    }

    pub fn has_faults(&self) -> bool {
        !self.cut.is_empty()
    }

    pub fn cut(&mut self, a: Site, b: Site) {
        self.cut.insert(pair(a, b));
    }
    pub fn heal(&mut self, a: Site, b: Site) {
        self.cut.remove(&pair(a, b));
    }
    pub fn heal_all(&mut self) {
        self.cut.clear();
    }
    pub fn set_extra(&mut self, a: Site, b: Site, us: Micros) {
        if us == 0 {
            self.extra.remove(&pair(a, b));
        } else {
            self.extra.insert(pair(a, b), us);
        }
    }
    /// The cut links, for display.
    pub fn cuts(&self) -> impl Iterator<Item = (Site, Site)> + '_ {
        self.cut.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latency_depends_on_the_link_and_cuts_are_symmetric() {
        let mut l = Links::default();
        assert_eq!(l.one_way(1, 1), timings::SAME_NODE_US);
        assert_eq!(l.one_way(1, 2), timings::CROSS_NODE_US);
        assert_eq!(l.one_way(OUTSIDE, 2), timings::OUTSIDE_US);
        l.set_extra(2, 1, 5000);
        assert_eq!(l.one_way(1, 2), timings::CROSS_NODE_US + 5000);
        l.cut(3, 1);
        assert!(l.is_cut(1, 3) && l.is_cut(3, 1));
        assert!(!l.is_cut(1, 2) && !l.is_cut(3, 3));
        l.heal(1, 3);
        assert!(!l.has_faults());
    }
}
