//! kubectl's success and status messages (printers.md §5): the name printer
//! (`cli-runtime/pkg/printers/name.go`), `kubectl delete`'s own format
//! (`kubectl/pkg/cmd/delete/delete.go`, `PrintObj`), drain lines and the
//! rollout status viewers (`kubectl/pkg/polymorphichelpers/rollout_status.go`).

use crate::objects::{Kind, Object};

/// A `--dry-run` strategy, which decorates the operation word.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum DryRun {
    #[default]
    None,
    Client,
    Server,
}

impl DryRun {
    fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// `deployment.apps/web` or `pod/web-1`: what `-o name` prints.
pub fn resource_name(kind: Kind, name: &str) -> String {
    format!("{}/{name}", kind.info().kind_prefix())
}

/// The name printer: `deployment.apps/web created`. `operation` is the word
/// of the command (`created`, `configured`, `unchanged`, `scaled`,
/// `labeled`, `image updated`, `patched (no change)`, ...).
pub fn name_message(kind: Kind, name: &str, operation: &str) -> String {
    name_message_dry(kind, name, operation, DryRun::None)
}

/// The name printer with a dry-run decoration:
/// `deployment.apps/web created (dry run)`.
pub fn name_message_dry(kind: Kind, name: &str, operation: &str, dry: DryRun) -> String {
    if operation.is_empty() {
        return resource_name(kind, name);
    }
    format!("{} {operation}{}", resource_name(kind, name), dry.suffix())
}

/// `kubectl delete`'s line: `pod "web-1" deleted`, `deployment.apps "web"
/// force deleted`, `... deleted (dry run)`.
pub fn deleted_message(kind: Kind, name: &str, force: bool, dry: DryRun) -> String {
    let op = if force { "force deleted" } else { "deleted" };
    format!(
        "{} \"{name}\" {op}{}",
        kind.info().kind_prefix(),
        dry.suffix()
    )
}

/// The warning the 1.33 apiserver sends (HTTP `Warning: 299 - "..."`) on
/// every core/v1 Endpoints request; kubectl prints it to stderr as
/// `Warning: ...`.
pub const ENDPOINTS_DEPRECATION_WARNING: &str =
    "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice";

/// The stderr warning `kubectl delete --force` prints first.
pub const FORCE_DELETE_WARNING: &str = "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.";

/// `kubectl drain`: the line written before an eviction is requested.
pub fn evicting_message(namespace: &str, pod: &str) -> String {
    format!("evicting pod {namespace}/{pod}")
}

/// `kubectl drain`: the line written when an eviction (or a deletion with
/// `--disable-eviction`) completed.
pub fn evicted_message(pod: &str, deleted: bool) -> String {
    format!("pod/{pod} {}", if deleted { "deleted" } else { "evicted" })
}

/// One step of `kubectl rollout status`: the message to print and whether
/// the rollout is done. An error is a final failure (`error: ...`).
pub type RolloutStatus = Result<(String, bool), String>;

/// `DeploymentStatusViewer.Status`.
pub fn deployment_rollout_status(d: &k8s_openapi::api::apps::v1::Deployment) -> RolloutStatus {
    let name = d.metadata.name.clone().unwrap_or_default();
    let st = d.status.clone().unwrap_or_default();
    let spec = d.spec.clone().unwrap_or_default();
    if d.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
        let progressing = st
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Progressing");
        if progressing.is_some_and(|c| c.reason.as_deref() == Some("ProgressDeadlineExceeded")) {
            return Err(format!(
                "deployment \"{name}\" exceeded its progress deadline"
            ));
        }
        let updated = st.updated_replicas.unwrap_or(0);
        let replicas = st.replicas.unwrap_or(0);
        let available = st.available_replicas.unwrap_or(0);
        if let Some(want) = spec.replicas {
            if updated < want {
                return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {updated} out of {want} new replicas have been updated...\n"), false));
            }
        }
        if replicas > updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...\n", replicas - updated), false));
        }
        if available < updated {
            return Ok((format!("Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...\n"), false));
        }
        return Ok((
            format!("deployment \"{name}\" successfully rolled out\n"),
            true,
        ));
    }
    Ok((
        "Waiting for deployment spec update to be observed...\n".into(),
        false,
    ))
}

/// `DaemonSetStatusViewer.Status`.
pub fn daemon_set_rollout_status(ds: &k8s_openapi::api::apps::v1::DaemonSet) -> RolloutStatus {
    let name = ds.metadata.name.clone().unwrap_or_default();
    let spec = ds.spec.clone().unwrap_or_default();
    let strategy = spec
        .update_strategy
        .and_then(|s| s.type_)
        .unwrap_or_else(|| "RollingUpdate".into());
    if strategy != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let st = ds.status.clone().unwrap_or_default();
    if ds.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
        let updated = st.updated_number_scheduled.unwrap_or(0);
        let desired = st.desired_number_scheduled;
        let available = st.number_available.unwrap_or(0);
        if updated < desired {
            return Ok((format!("Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {desired} new pods have been updated...\n"), false));
        }
        if available < desired {
            return Ok((format!("Waiting for daemon set \"{name}\" rollout to finish: {available} of {desired} updated pods are available...\n"), false));
        }
        return Ok((
            format!("daemon set \"{name}\" successfully rolled out\n"),
            true,
        ));
    }
    Ok((
        "Waiting for daemon set spec update to be observed...\n".into(),
        false,
    ))
}

/// `StatefulSetStatusViewer.Status`.
pub fn stateful_set_rollout_status(sts: &k8s_openapi::api::apps::v1::StatefulSet) -> RolloutStatus {
    let spec = sts.spec.clone().unwrap_or_default();
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    if strategy.type_.as_deref().unwrap_or("RollingUpdate") != "RollingUpdate" {
        return Err("rollout status is only available for RollingUpdate strategy type".into());
    }
    let st = sts.status.clone().unwrap_or_default();
    let observed = st.observed_generation.unwrap_or(0);
    if observed == 0 || sts.metadata.generation.unwrap_or(0) > observed {
        return Ok((
            "Waiting for statefulset spec update to be observed...\n".into(),
            false,
        ));
    }
    let ready = st.ready_replicas.unwrap_or(0);
    if let Some(want) = spec.replicas {
        if ready < want {
            return Ok((
                format!("Waiting for {} pods to be ready...\n", want - ready),
                false,
            ));
        }
    }
    let updated = st.updated_replicas.unwrap_or(0);
    if let Some(ru) = &strategy.rolling_update {
        if let (Some(want), Some(partition)) = (spec.replicas, ru.partition) {
            if updated < want - partition {
                return Ok((format!("Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...\n", want - partition), false));
            }
        }
        return Ok((
            format!("partitioned roll out complete: {updated} new pods have been updated...\n"),
            true,
        ));
    }
    let update_rev = st.update_revision.clone().unwrap_or_default();
    let current_rev = st.current_revision.clone().unwrap_or_default();
    if update_rev != current_rev {
        return Ok((format!("waiting for statefulset rolling update to complete {updated} pods at revision {update_rev}...\n"), false));
    }
    Ok((
        format!(
            "statefulset rolling update complete {} pods at revision {current_rev}...\n",
            st.current_replicas.unwrap_or(0)
        ),
        true,
    ))
}

/// `kubectl rollout status` for any kind: Deployment, DaemonSet or
/// StatefulSet; other kinds are an error, as in kubectl.
pub fn rollout_status(obj: &Object) -> RolloutStatus {
    match obj {
        Object::Deployment(d) => deployment_rollout_status(d),
        Object::DaemonSet(d) => daemon_set_rollout_status(d),
        Object::StatefulSet(s) => stateful_set_rollout_status(s),
        other => Err(format!(
            "no status viewer has been implemented for {}",
            other.kind().info().kind
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// printers.md §5.1 examples (cli-runtime `name.go`, `NamePrinter.PrintObj`).
    #[test]
    fn name_printer_lines() {
        assert_eq!(
            name_message(Kind::Deployment, "web", "created"),
            "deployment.apps/web created"
        );
        assert_eq!(
            name_message(Kind::Pod, "nginx", "created"),
            "pod/nginx created"
        );
        assert_eq!(
            name_message(Kind::HorizontalPodAutoscaler, "web", "autoscaled"),
            "horizontalpodautoscaler.autoscaling/web autoscaled"
        );
        assert_eq!(
            name_message(Kind::Role, "pod-reader", "created"),
            "role.rbac.authorization.k8s.io/pod-reader created"
        );
        assert_eq!(
            name_message(Kind::PodDisruptionBudget, "x", "created"),
            "poddisruptionbudget.policy/x created"
        );
        assert_eq!(
            name_message(Kind::StorageClass, "x", "created"),
            "storageclass.storage.k8s.io/x created"
        );
        assert_eq!(
            name_message_dry(Kind::Deployment, "web", "created", DryRun::Client),
            "deployment.apps/web created (dry run)"
        );
        assert_eq!(
            name_message_dry(Kind::Deployment, "web", "created", DryRun::Server),
            "deployment.apps/web created (server dry run)"
        );
        assert_eq!(
            resource_name(Kind::Ingress, "web"),
            "ingress.networking.k8s.io/web"
        );
        assert_eq!(
            name_message(Kind::Node, "node-1", "cordoned"),
            "node/node-1 cordoned"
        );
        assert_eq!(
            name_message(Kind::Deployment, "web", "image updated"),
            "deployment.apps/web image updated"
        );
    }

    /// printers.md §5.2 (kubectl `delete.go`, `PrintObj`).
    #[test]
    fn delete_lines() {
        assert_eq!(
            deleted_message(Kind::Pod, "web-1", false, DryRun::None),
            "pod \"web-1\" deleted"
        );
        assert_eq!(
            deleted_message(Kind::Deployment, "web", false, DryRun::None),
            "deployment.apps \"web\" deleted"
        );
        assert_eq!(
            deleted_message(Kind::Pod, "web-1", true, DryRun::None),
            "pod \"web-1\" force deleted"
        );
        assert_eq!(
            deleted_message(Kind::Namespace, "dev", false, DryRun::Client),
            "namespace \"dev\" deleted (dry run)"
        );
        assert_eq!(
            evicting_message("default", "web-1"),
            "evicting pod default/web-1"
        );
        assert_eq!(evicted_message("web-1", false), "pod/web-1 evicted");
    }

    /// kubectl `rollout_status_test.go` (TestDeploymentStatusViewerStatus).
    #[test]
    fn deployment_rollout_messages() {
        use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStatus};
        let mk = |gen: i64, obs: i64, want: i32, replicas: i32, updated: i32, available: i32| {
            let mut d = Deployment::default();
            d.metadata.name = Some("web".into());
            d.metadata.generation = Some(gen);
            d.spec = Some(DeploymentSpec {
                replicas: Some(want),
                ..Default::default()
            });
            d.status = Some(DeploymentStatus {
                observed_generation: Some(obs),
                replicas: Some(replicas),
                updated_replicas: Some(updated),
                available_replicas: Some(available),
                ..Default::default()
            });
            d
        };
        let msg = |d| deployment_rollout_status(&d).unwrap();
        assert_eq!(
            msg(mk(2, 1, 3, 3, 3, 3)),
            (
                "Waiting for deployment spec update to be observed...\n".into(),
                false
            )
        );
        assert_eq!(
            msg(mk(1, 1, 3, 3, 0, 3)).0,
            "Waiting for deployment \"web\" rollout to finish: 0 out of 3 new replicas have been updated...\n"
        );
        assert_eq!(
            msg(mk(1, 1, 3, 4, 3, 3)).0,
            "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination...\n"
        );
        assert_eq!(
            msg(mk(1, 1, 3, 3, 3, 1)).0,
            "Waiting for deployment \"web\" rollout to finish: 1 of 3 updated replicas are available...\n"
        );
        assert_eq!(
            msg(mk(1, 1, 3, 3, 3, 3)),
            ("deployment \"web\" successfully rolled out\n".into(), true)
        );
    }
}
