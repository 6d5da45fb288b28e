//! The cluster a simulation starts from: the workshop cluster by default
//! (node1 control plane, node2–node4 workers, kubeadm's system pods), or one
//! described by a cluster file. See `docs/cluster-file.md`.

mod bootstrap;
mod spec;

pub(crate) use bootstrap::node_object;
pub use spec::{ClusterSpec, NodeSpec};

use crate::sim::World;

/// Builds the world for `spec`: system objects first, then the components
/// (scheduler, node agents, controllers), which see those objects as their
/// initial list.
pub fn build_world(spec: &ClusterSpec, seed: u64) -> World {
    build_world_with(spec, seed, install_components)
}

/// Builds the world for `spec` with the components `install` adds (tests
/// use it to run the controllers with a stand-in scheduler or kubelet).
pub fn build_world_with(
    spec: &ClusterSpec,
    seed: u64,
    install: impl FnOnce(&mut World, &ClusterSpec),
) -> World {
    let mut world = World::new(seed, spec.epoch());
    bootstrap::create_objects(&mut world, spec);
    install(&mut world, spec);
    world.settle();
    world
}

/// Every component of the control plane and the nodes. One line each:
/// adding a controller means adding it here.
pub fn install_components(world: &mut World, spec: &ClusterSpec) {
    world.add_controller(Box::new(crate::scheduler::Scheduler::new()));
    world.add_controller(Box::new(crate::controllers::kubelet::Kubelet::new(spec)));
    world.add_controller(Box::new(
        crate::controllers::node_lifecycle::NodeLifecycle::new(),
    ));
    world.add_controller(Box::new(
        crate::controllers::node_lifecycle::TaintEviction::new(),
    ));
    controller_manager(world);
}

/// kube-controller-manager: the workload controllers, one line each.
pub fn controller_manager(world: &mut World) {
    use crate::controllers as c;
    world.add_controller(Box::new(c::replicaset::ReplicaSetController::new()));
    world.add_controller(Box::new(c::deployment::DeploymentController::new()));
    world.add_controller(Box::new(c::daemonset::DaemonSetController::new()));
    world.add_controller(Box::new(c::statefulset::StatefulSetController::new()));
    world.add_controller(Box::new(c::job::JobController::new()));
    world.add_controller(Box::new(c::cronjob::CronJobController::new()));
    world.add_controller(Box::new(
        c::ttl_after_finished::TtlAfterFinishedController::new(),
    ));
    world.add_controller(Box::new(c::garbage_collector::GarbageCollector::new()));
    world.add_controller(Box::new(c::namespace::NamespaceController::new()));
    world.add_controller(Box::new(c::podgc::PodGcController::new()));
    world.add_controller(Box::new(c::hpa::HorizontalPodAutoscalerController::new()));
    world.add_controller(Box::new(c::disruption::DisruptionController::new()));
    world.add_controller(Box::new(c::storage::PersistentVolumeController::new()));
    world.add_controller(Box::new(c::resourcequota::ResourceQuotaController::new()));
    world.add_controller(Box::new(
        c::clusterrole_aggregation::ClusterRoleAggregationController::new(),
    ));
    world.add_controller(Box::new(crate::net::endpoints::EndpointsController::new()));
    world.add_controller(Box::new(
        crate::net::endpointslice::EndpointSliceController::new(),
    ));
    world.add_controller(Box::new(crate::net::service_lb::ServiceLb::new()));
    world.add_controller(Box::new(
        crate::net::ingress_status::IngressStatusController::new(),
    ));
    world.add_controller(Box::new(crate::net::Network::new(world.seed())));
}

/// The workshop cluster with the default seed: what `kubesim` starts.
pub fn workshop_world(seed: u64) -> World {
    build_world(&ClusterSpec::workshop(), seed)
}
