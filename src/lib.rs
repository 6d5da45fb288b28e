//! kubesim: a Kubernetes-compatible cluster simulator.
//!
//! No container runs: a discrete-event simulation models nodes, pods, the
//! scheduler, the controllers and the network. See `docs/architecture.md`.

pub mod controllers;
pub mod objects;
pub mod sim;
