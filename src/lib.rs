//! kubesim: a Kubernetes-compatible cluster simulator.
//!
//! No container runs: a discrete-event simulation models nodes, pods, the
//! scheduler, the controllers and the network. See `docs/architecture.md`.

// ApiError mirrors metav1.Status (message, details, causes); errors are
// rare next to successes, so its size on the Err path does not matter.
#![allow(clippy::result_large_err)]
// Object is an enum of the k8s-openapi types; objects live behind Arc.
#![allow(clippy::large_enum_variant)]

pub mod api;
pub mod auth;
pub mod cli;
pub mod cluster;
pub mod controllers;
pub mod net;
pub mod objects;
pub mod printers;
pub mod scheduler;
pub mod sim;
pub mod tui;
