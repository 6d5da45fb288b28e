//! The simulated cluster network: addresses, Services, endpoints, DNS,
//! kube-proxy, NetworkPolicy, Ingress and the traffic of the applications
//! that run in pods. See `docs/network.md`.

pub mod addr;
pub mod ipam;
pub mod endpoints;
pub mod endpointslice;
pub mod testkit;
pub mod apps;
pub mod http;
pub mod latency;
pub mod logs;
pub mod redis;
pub mod sha256;
