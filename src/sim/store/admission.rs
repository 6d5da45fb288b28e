//! The admission chain every create and update passes through, in the
//! apiserver's order: defaulting, mutating plugins, validation, validating
//! plugins (LimitRanger, ResourceQuota last).

use super::{ApiError, Store};
use crate::objects::kinds::Object;
use crate::objects::{defaults, validation};

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

impl Store {
    pub(super) fn admit(
        &mut self,
        obj: &mut Object,
        op: Operation,
        old: Option<&Object>,
    ) -> Result<(), ApiError> {
        defaults::apply(obj);
        if let Object::HorizontalPodAutoscaler(h) = obj {
            crate::controllers::hpa::set_defaults(h);
        }
        match op {
            Operation::Create => {
                mutate_on_create(obj);
                crate::controllers::limitrange::admit_limit_ranges(self, obj)?;
                crate::controllers::storage::admit_default_storage_class(self, obj);
            }
            Operation::Update => {
                if let Some(old) = old {
                    mutate_on_update(old, obj);
                }
            }
        }
        // An update's own checks come after the object's, in one 422
        // (ValidateDeploymentUpdate, then the strategy's immutable selector).
        let mut errs = validation::field_errors(obj);
        if let Some(old) = old.filter(|_| op == Operation::Update) {
            errs.extend(crate::objects::validation_update::problems(old, obj));
        }
        if !errs.is_empty() {
            let name = obj.meta().name.clone().unwrap_or_default();
            return Err(ApiError::invalid(obj.kind(), &name, errs));
        }
        if op == Operation::Create {
            crate::controllers::limitrange::validate_limit_ranges(self, obj)?;
            crate::controllers::resourcequota::check_quota(self, obj)?;
        }
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
    match obj {
        Object::Pod(pod) => {
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
            // The v1 conversion (pkg/apis/core/v1 Convert_core_PodSpec_To_v1_PodSpec)
            // serves the deprecated serviceAccount field with the same name.
            spec.service_account = spec.service_account_name.clone();
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
        // pkg/registry/apps/daemonset/strategy.go PrepareForCreate:
        // templateGeneration starts at 1 (served as the deprecated annotation).
        Object::DaemonSet(ds) => {
            ds.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .entry(crate::controllers::daemonset::TEMPLATE_GENERATION_ANNOTATION.into())
                .or_insert_with(|| "1".into());
        }
        // plugin/pkg/admission/storage/storageobjectinuseprotection.
        Object::PersistentVolumeClaim(c) => {
            add_finalizer(&mut c.metadata, "kubernetes.io/pvc-protection")
        }
        Object::PersistentVolume(v) => {
            add_finalizer(&mut v.metadata, "kubernetes.io/pv-protection")
        }
        _ => {}
    }
}

fn add_finalizer(m: &mut k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta, f: &str) {
    let fs = m.finalizers.get_or_insert_with(Vec::new);
    if !fs.iter().any(|x| x == f) {
        fs.push(f.to_string());
    }
}

/// Strategy hooks that compare the new object with the stored one.
fn mutate_on_update(old: &Object, obj: &mut Object) {
    // pkg/registry/apps/daemonset/strategy.go PrepareForUpdate: a template
    // change bumps templateGeneration.
    if let (Object::DaemonSet(o), Object::DaemonSet(n)) = (old, obj) {
        let key = crate::controllers::daemonset::TEMPLATE_GENERATION_ANNOTATION;
        let old_gen: Option<i64> = o
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .and_then(|v| v.parse().ok());
        let changed = o.spec.as_ref().map(|s| &s.template) != n.spec.as_ref().map(|s| &s.template);
        if let Some(g) = old_gen {
            let g = if changed { g + 1 } else { g };
            n.metadata
                .annotations
                .get_or_insert_with(Default::default)
                .insert(key.into(), g.to_string());
        }
    }
}

/// Strategy steps that need the uid the apiserver just assigned.
pub(super) fn after_uid(obj: &mut Object) {
    // pkg/registry/batch/job/strategy.go generateSelector: the job-name and
    // controller-uid labels, and a selector on the uid; SetDefaults_Job then
    // copies the template labels onto a Job without labels.
    if let Object::Job(job) = obj {
        let uid = job.metadata.uid.clone().unwrap_or_default();
        let name = job.metadata.name.clone().unwrap_or_default();
        let Some(spec) = job.spec.as_mut() else {
            return;
        };
        if spec.manual_selector == Some(true) {
            return;
        }
        let labels = spec
            .template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(Default::default);
        for k in ["job-name", "batch.kubernetes.io/job-name"] {
            labels.entry(k.into()).or_insert_with(|| name.clone());
        }
        for k in ["controller-uid", "batch.kubernetes.io/controller-uid"] {
            labels.entry(k.into()).or_insert_with(|| uid.clone());
        }
        let tl = labels.clone();
        spec.selector
            .get_or_insert_with(Default::default)
            .match_labels
            .get_or_insert_with(Default::default)
            .entry("batch.kubernetes.io/controller-uid".into())
            .or_insert(uid);
        if job.metadata.labels.as_ref().is_none_or(|l| l.is_empty()) {
            job.metadata.labels = Some(tl);
        }
    }
}
