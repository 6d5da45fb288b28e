//! The admission chain every create and update passes through, in the
//! apiserver's order: defaulting, mutating plugins, validation.

use super::{ApiError, Store};
use crate::objects::kinds::Object;
use crate::objects::{defaults, validation};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

impl Store {
    pub(super) fn admit(&mut self, obj: &mut Object, op: Operation) -> Result<(), ApiError> {
        defaults::apply(obj);
        if op == Operation::Create {
            mutate_on_create(obj);
        }
        validation::validate(obj)?;
        // The Service registry allocates ClusterIPs and NodePorts after
        // validation (pkg/registry/core/service/storage/alloc.go).
        if let Object::Service(svc) = obj {
            let mut rng = self.service_alloc_rng.clone();
            let result = crate::net::ipam::allocate_service(self, svc, &mut rng);
            self.service_alloc_rng = rng;
            result?;
        }
        Ok(())
    }
}

/// Mutating admission plugins that act on create.
fn mutate_on_create(obj: &mut Object) {
    if let Object::Pod(pod) = obj {
        // plugin/pkg/admission/defaulttolerationseconds: tolerate not-ready
        // and unreachable for 300 s unless the pod says otherwise.
        defaults::add_default_tolerations(pod);
        // plugin/pkg/admission/serviceaccount: the default ServiceAccount.
        let spec = pod.spec.get_or_insert_with(Default::default);
        if spec
            .service_account_name
            .as_deref()
            .unwrap_or("")
            .is_empty()
        {
            spec.service_account_name = Some("default".into());
        }
        // Priority admission: priority 0 without a PriorityClass.
        if spec.priority.is_none() {
            spec.priority = Some(0);
        }
        // pkg/registry/core/pod/strategy.go PrepareForCreate: a new pod is
        // Pending with its QoS class (bootstrap pods arrive with a phase).
        let qos = defaults::qos_class(spec);
        let status = pod.status.get_or_insert_with(Default::default);
        if status.phase.is_none() {
            status.phase = Some("Pending".into());
        }
        status.qos_class.get_or_insert(qos.to_string());
    }
}
