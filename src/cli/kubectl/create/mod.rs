//! `kubectl create SUBCOMMAND`: the objects kubectl's generators build
//! (`k8s.io/kubectl/pkg/cmd/create/create_*.go`), created through the
//! store or printed with `--dry-run=client -o yaml` exactly as kubectl
//! prints them (`creationTimestamp: null`, `status: {}`, ...).
//! `kubectl create -f` is in `apply.rs`.

mod config;
mod misc;
mod rbac;
mod service;
mod workloads;

use super::{Command, Ctx, DryRun};
use crate::cli::output::Output;
use crate::objects::Object;
use crate::sim::store::WriteOptions;

/// Flags every `create` subcommand has.
macro_rules! create_flags {
    ($($extra:expr),* $(,)?) => {
        &[
            $($extra,)*
            flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
            flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
            flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
            flag("save-config", None, false, "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
            flag("validate", None, true, "Must be one of: strict (or true), warn, ignore (or false).").default("'strict'").noopt("strict"),
            flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-create'"),
            flag("allow-missing-template-keys", None, false, "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.").default("true"),
            flag("show-managed-fields", None, false, "If true, keep the managedFields when printing objects in JSON or YAML format."),
        ]
    };
}
pub(crate) use create_flags;

const SECRET_SUBS: &[Command] = &[
    Command::new("docker-registry", "Create a secret for use with a Docker registry", "kubectl create secret docker-registry NAME --docker-username=user --docker-password=password --docker-email=email [--docker-server=string] [--from-file=[key=]source] [--dry-run=server|client|none] [options]", config::DOCKER_FLAGS, config::secret_docker_registry),
    Command::new("generic", "Create a secret from a local file, directory, or literal value", "kubectl create secret generic NAME [--type=string] [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none] [options]", config::GENERIC_FLAGS, config::secret_generic),
    Command::new("tls", "Create a TLS secret", "kubectl create secret tls NAME --cert=path/to/cert/file --key=path/to/key/file [--dry-run=server|client|none] [options]", config::TLS_FLAGS, config::secret_tls),
];

const SERVICE_SUBS: &[Command] = &[
    Command::new("clusterip", "Create a ClusterIP service", "kubectl create service clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none] [options]", service::CLUSTERIP_FLAGS, service::clusterip),
    Command::new("externalname", "Create an ExternalName service", "kubectl create service externalname NAME --external-name external.name [--dry-run=server|client|none] [options]", service::EXTERNALNAME_FLAGS, service::externalname),
    Command::new("loadbalancer", "Create a LoadBalancer service", "kubectl create service loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none] [options]", service::LOADBALANCER_FLAGS, service::loadbalancer),
    Command::new("nodeport", "Create a NodePort service", "kubectl create service nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none] [options]", service::NODEPORT_FLAGS, service::nodeport),
];

pub const SUBCOMMANDS: &[Command] = &[
    Command::new("clusterrole", "Create a cluster role", "kubectl create clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none] [options]", rbac::CLUSTERROLE_FLAGS, rbac::clusterrole),
    Command::new("clusterrolebinding", "Create a cluster role binding for a particular cluster role", "kubectl create clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none] [options]", rbac::CLUSTERROLEBINDING_FLAGS, rbac::clusterrolebinding),
    Command::new("configmap", "Create a config map from a local file, directory or literal value", "kubectl create configmap NAME [--from-file=[key=]source] [--from-literal=key1=value1] [--dry-run=server|client|none] [options]", config::CONFIGMAP_FLAGS, config::configmap).aliases(&["cm"]),
    Command::new("cronjob", "Create a cron job with the specified name", "kubectl create cronjob NAME --image=image --schedule='0/5 * * * ?' -- [COMMAND] [args...] [flags] [options]", workloads::CRONJOB_FLAGS, workloads::cronjob).aliases(&["cj"]),
    Command::new("deployment", "Create a deployment with the specified name", "kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]", workloads::DEPLOYMENT_FLAGS, workloads::deployment).aliases(&["deploy"]),
    Command::new("ingress", "Create an ingress with the specified name", "kubectl create ingress NAME --rule=host/path=service:port[,tls[=secret]]  [options]", service::INGRESS_FLAGS, service::ingress).aliases(&["ing"]),
    Command::new("job", "Create a job with the specified name", "kubectl create job NAME --image=image [--from=cronjob/name] -- [COMMAND] [args...] [options]", workloads::JOB_FLAGS, workloads::job),
    Command::new("namespace", "Create a namespace with the specified name", "kubectl create namespace NAME [--dry-run=server|client|none] [options]", misc::NAMESPACE_FLAGS, misc::namespace).aliases(&["ns"]),
    Command::new("poddisruptionbudget", "Create a pod disruption budget with the specified name", "kubectl create poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none] [options]", misc::PDB_FLAGS, misc::pdb).aliases(&["pdb"]),
    Command::new("priorityclass", "Create a priority class with the specified name", "kubectl create priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none] [options]", misc::PRIORITYCLASS_FLAGS, misc::priorityclass).aliases(&["pc"]),
    Command::new("quota", "Create a quota with the specified name", "kubectl create quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none] [options]", misc::QUOTA_FLAGS, misc::quota).aliases(&["resourcequota"]),
    Command::new("role", "Create a role with single rule", "kubectl create role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none] [options]", rbac::ROLE_FLAGS, rbac::role),
    Command::new("rolebinding", "Create a role binding for a particular role or cluster role", "kubectl create rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none] [options]", rbac::ROLEBINDING_FLAGS, rbac::rolebinding),
    Command::parent("secret", "Create a secret using a specified subcommand", "kubectl create secret (docker-registry | generic | tls) [options]", SECRET_SUBS),
    Command::parent("service", "Create a service using a specified subcommand", "kubectl create service [flags] [options]", SERVICE_SUBS).aliases(&["svc"]),
    Command::new("serviceaccount", "Create a service account with the specified name", "kubectl create serviceaccount NAME [--dry-run=server|client|none] [options]", rbac::SERVICEACCOUNT_FLAGS, rbac::serviceaccount).aliases(&["sa"]),
    Command::new("token", "Request a service account token", "kubectl create token SERVICE_ACCOUNT_NAME [options]", rbac::TOKEN_FLAGS, rbac::token),
];

/// `NameFromCommandArgs`: exactly one NAME.
pub fn name_arg(ctx: &Ctx) -> Result<String, Output> {
    match ctx.args.positional.as_slice() {
        [n] => Ok(n.clone()),
        other => Err(ctx.usage_error(format!("exactly one NAME is required, got {}", other.len()))),
    }
}

/// The namespace kubectl writes into generated objects: only an explicit
/// `-n` (`EnforceNamespace`); otherwise the server fills it in.
pub fn enforced_namespace(ctx: &Ctx) -> Option<String> {
    ctx.args.get("namespace").map(str::to_string)
}

/// Creates (or, for a client dry run, only prints) a generated object.
/// `what` is the noun of kubectl's `failed to create WHAT: ...` wrapper,
/// or `None` for commands that return the server's error as it is.
pub fn finish(ctx: &mut Ctx, mut obj: Object, what: Option<&str>) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    if let Err(e) = ctx.output_format(false) {
        return Output::error(e);
    }
    if ctx.args.bool("save-config") {
        let applied = {
            let mut v = obj.to_json();
            super::client_object(&mut v);
            serde_json::to_string(&v).unwrap_or_default()
        };
        obj.meta_mut()
            .annotations
            .get_or_insert_with(Default::default)
            .insert(
                "kubectl.kubernetes.io/last-applied-configuration".into(),
                format!("{applied}\n"),
            );
    }
    if dry == DryRun::Client {
        return ctx.print_object(&obj, "created", dry);
    }
    if obj.kind().info().namespaced && obj.meta().namespace.is_none() {
        obj.meta_mut().namespace = Some(ctx.namespace());
    }
    let manager = ctx
        .args
        .get("field-manager")
        .unwrap_or("kubectl-create")
        .to_string();
    match ctx.world.store.create(
        obj,
        &WriteOptions {
            dry_run: dry == DryRun::Server,
            field_manager: Some(manager),
        },
    ) {
        Ok(o) => ctx.print_object(&o, "created", dry),
        Err(e) => match what {
            Some(w) => Output::error(format!("failed to create {w}: {}", e.server_message())),
            None => Output::err(e.kubectl_text()),
        },
    }
}
