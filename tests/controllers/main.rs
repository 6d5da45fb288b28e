//! Issue 7's workload controllers, tested with stand-ins for the scheduler
//! and the kubelet (`tests/common`). Each module names the upstream file
//! whose behaviour it pins.

#[path = "../common/mod.rs"]
mod common;

mod batch;
mod bootstrap;
mod daemonset;
mod deployment;
mod hpa;
mod lifecycle;
mod statefulset;
