//! The cluster a simulation starts from: the workshop cluster by default
//! (node1 control plane, node2–node4 workers, kubeadm's system pods), or one
//! described by a cluster file. See `docs/cluster-file.md`.

mod bootstrap;
mod spec;

pub use spec::{ClusterSpec, NodeSpec};

use crate::sim::World;

/// Builds the world for `spec`: system objects first, then the components
/// (scheduler, node agents, controllers), which see those objects as their
/// initial list.
pub fn build_world(spec: &ClusterSpec, seed: u64) -> World {
    let mut world = World::new(seed, spec.epoch());
    bootstrap::create_objects(&mut world, spec);
    install_components(&mut world, spec);
    world.settle();
    world
}

/// Every component of the control plane and the nodes. One line each:
/// adding a controller means adding it here.
pub fn install_components(world: &mut World, spec: &ClusterSpec) {
    world.add_controller(Box::new(crate::scheduler::Scheduler::new()));
    world.add_controller(Box::new(crate::controllers::kubelet::Kubelet::new(spec)));
    world.add_controller(Box::new(crate::net::endpoints::EndpointsController::new()));
    world.add_controller(Box::new(
        crate::net::endpointslice::EndpointSliceController::new(),
    ));
    world.add_controller(Box::new(crate::net::service_lb::ServiceLb::new()));
    world.add_controller(Box::new(crate::net::Network::new(world.seed())));
}

/// The workshop cluster with the default seed: what `kubesim` starts.
pub fn workshop_world(seed: u64) -> World {
    build_world(&ClusterSpec::workshop(), seed)
}
