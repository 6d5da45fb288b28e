//! The in-tree plugins of the default profile, one file each, and the
//! registry that builds them from a profile's plugin args
//! (`pkg/scheduler/framework/plugins/registry.go`).

pub mod balanced_allocation;
pub mod default_binder;
pub mod default_preemption;
pub mod helper;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod noop;
pub mod pod_topology_spread;
pub mod priority_sort;
pub mod scheduling_gates;
pub mod taint_toleration;
pub mod topology;
pub mod volume_binding;
pub mod volume_zone;

use super::framework::Plugin;
use k8s_openapi::api::core::v1::NodeAffinity as K8sNodeAffinity;

/// Every plugin's args, as a profile's pluginConfig sets them.
#[derive(Clone, Debug)]
pub struct PluginArgs {
    pub fit: node_resources_fit::FitArgs,
    pub balanced_resources: Vec<String>,
    pub spread_defaults: Vec<pod_topology_spread::DefaultConstraint>,
    pub spread_system_defaulted: bool,
    pub hard_pod_affinity_weight: i32,
    pub ignore_preferred_terms_of_existing_pods: bool,
    pub added_affinity: Option<K8sNodeAffinity>,
    pub min_candidate_nodes_percentage: i32,
    pub min_candidate_nodes_absolute: i32,
}

impl Default for PluginArgs {
    fn default() -> PluginArgs {
        PluginArgs {
            fit: Default::default(),
            balanced_resources: vec!["cpu".into(), "memory".into()],
            spread_defaults: pod_topology_spread::system_default_constraints(),
            spread_system_defaulted: true,
            hard_pod_affinity_weight: 1,
            ignore_preferred_terms_of_existing_pods: false,
            added_affinity: None,
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
        }
    }
}

/// The names the registry knows, in the default profile's order.
pub const KNOWN: &[&str] = &[
    scheduling_gates::NAME,
    priority_sort::NAME,
    node_unschedulable::NAME,
    node_name::NAME,
    taint_toleration::NAME,
    node_affinity::NAME,
    node_ports::NAME,
    node_resources_fit::NAME,
    "VolumeRestrictions",
    "NodeVolumeLimits",
    volume_binding::NAME,
    volume_zone::NAME,
    pod_topology_spread::NAME,
    inter_pod_affinity::NAME,
    default_preemption::NAME,
    balanced_allocation::NAME,
    image_locality::NAME,
    default_binder::NAME,
];

/// `getDefaultPlugins` (`apis/config/v1/default_plugins.go`): the MultiPoint
/// list with the default score weights.
pub fn default_multipoint() -> Vec<(String, Option<i64>)> {
    KNOWN
        .iter()
        .map(|n| {
            let w = match *n {
                "TaintToleration" => Some(3),
                "NodeAffinity" | "PodTopologySpread" | "InterPodAffinity" => Some(2),
                "NodeResourcesFit" | "NodeResourcesBalancedAllocation" | "ImageLocality" => Some(1),
                _ => None,
            };
            (n.to_string(), w)
        })
        .collect()
}

/// Builds the named plugin with `args`.
pub fn build(name: &str, args: &PluginArgs) -> Option<Box<dyn Plugin>> {
    Some(match name {
        scheduling_gates::NAME => Box::new(scheduling_gates::SchedulingGates),
        priority_sort::NAME => Box::new(priority_sort::PrioritySort),
        node_unschedulable::NAME => Box::new(node_unschedulable::NodeUnschedulable),
        node_name::NAME => Box::new(node_name::NodeName),
        taint_toleration::NAME => Box::new(taint_toleration::TaintToleration),
        node_affinity::NAME => Box::new(node_affinity::NodeAffinity {
            added_affinity: args.added_affinity.clone(),
        }),
        node_ports::NAME => Box::new(node_ports::NodePorts),
        node_resources_fit::NAME => {
            Box::new(node_resources_fit::NodeResourcesFit::new(args.fit.clone()))
        }
        "VolumeRestrictions" => Box::new(noop::Noop("VolumeRestrictions")),
        "NodeVolumeLimits" => Box::new(noop::Noop("NodeVolumeLimits")),
        volume_binding::NAME => Box::new(volume_binding::VolumeBinding),
        volume_zone::NAME => Box::new(volume_zone::VolumeZone),
        pod_topology_spread::NAME => Box::new(pod_topology_spread::PodTopologySpread {
            default_constraints: args.spread_defaults.clone(),
            system_defaulted: args.spread_system_defaulted,
        }),
        inter_pod_affinity::NAME => Box::new(inter_pod_affinity::InterPodAffinity {
            hard_pod_affinity_weight: args.hard_pod_affinity_weight,
            ignore_preferred_terms_of_existing_pods: args.ignore_preferred_terms_of_existing_pods,
        }),
        default_preemption::NAME => Box::new(default_preemption::DefaultPreemption {
            min_candidate_nodes_percentage: args.min_candidate_nodes_percentage,
            min_candidate_nodes_absolute: args.min_candidate_nodes_absolute,
        }),
        balanced_allocation::NAME => Box::new(balanced_allocation::BalancedAllocation::new(
            &args.balanced_resources,
        )),
        image_locality::NAME => Box::new(image_locality::ImageLocality),
        default_binder::NAME => Box::new(default_binder::DefaultBinder),
        _ => return None,
    })
}
