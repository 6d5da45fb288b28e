//! `kubectl create deployment|job|cronjob` (`create_deployment.go`,
//! `create_job.go`, `create_cronjob.go`).

use super::{create_flags, enforced_namespace, finish, name_arg};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::kubectl::Ctx;
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStatus, DeploymentStrategy,
};
use k8s_openapi::api::batch::v1::{
    CronJob, CronJobSpec, CronJobStatus, Job, JobSpec, JobStatus, JobTemplateSpec,
};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

pub const DEPLOYMENT_FLAGS: &[FlagSpec] = create_flags!(
    flag(
        "image",
        None,
        true,
        "Image names to run. A deployment can have multiple images set for multi-container pod."
    )
    .default("[]"),
    flag(
        "port",
        None,
        true,
        "The containerPort that this deployment exposes."
    )
    .default("-1"),
    flag(
        "replicas",
        Some('r'),
        true,
        "Number of replicas to create. Default is 1."
    )
    .default("1"),
);
pub const JOB_FLAGS: &[FlagSpec] = create_flags!(
    flag("image", None, true, "Image name to run."),
    flag(
        "from",
        None,
        true,
        "The name of the resource to create a Job from (only cronjob is supported)."
    ),
);
pub const CRONJOB_FLAGS: &[FlagSpec] = create_flags!(
    flag("image", None, true, "Image name to run."),
    flag(
        "schedule",
        None,
        true,
        "A schedule in the Cron format the job should be run with."
    ),
    flag(
        "restart",
        None,
        true,
        "job's restart policy. supported values: OnFailure, Never"
    ),
);

/// The container name kubectl derives from an image: its last path
/// segment without tag or digest; `_` and `.` become `-` plus a random
/// 5-character suffix (`sanitizeAndUniquify`).
pub fn container_name(ctx: &mut Ctx, image: &str) -> String {
    let mut name = image.rsplit('/').next().unwrap_or(image).to_string();
    if let Some((n, _)) = name.split_once(':') {
        name = n.to_string();
    }
    if let Some((n, _)) = name.split_once('@') {
        name = n.to_string();
    }
    if name.contains(['_', '.']) {
        let suffix = crate::sim::rng::SimRng::stream(
            ctx.world.seed() ^ ctx.world.store.resource_version(),
            "kubectl-create",
        )
        .name_suffix(5);
        name = format!("{}-{suffix}", name.replace(['_', '.'], "-"));
    }
    name
}

pub fn deployment(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let images: Vec<String> = ctx
        .args
        .all("image")
        .iter()
        .flat_map(|i| i.split(',').map(str::to_string).collect::<Vec<_>>())
        .collect();
    if images.is_empty() {
        return Output::error("required flag(s) \"image\" not set");
    }
    let command = ctx.args.after_dash.clone().filter(|c| !c.is_empty());
    if command.is_some() && images.len() > 1 {
        return Output::error("cannot specify multiple --image options and command");
    }
    let replicas: i32 = match ctx.args.get("replicas").map(str::parse).transpose() {
        Ok(r) => r.unwrap_or(1),
        Err(_) => return Output::error("invalid argument for --replicas"),
    };
    let port: i32 = match ctx.args.get("port").map(str::parse).transpose() {
        Ok(p) => p.unwrap_or(-1),
        Err(_) => return Output::error("invalid argument for --port"),
    };
    let labels = BTreeMap::from([("app".to_string(), name.clone())]);
    let mut containers: Vec<Container> = Vec::new();
    for image in &images {
        let cname = container_name(ctx, image);
        containers.push(Container {
            name: cname,
            image: Some(image.clone()),
            command: command.clone(),
            resources: Some(Default::default()),
            ..Default::default()
        });
    }
    if port >= 0 {
        containers[0].ports = Some(vec![ContainerPort {
            container_port: port,
            ..Default::default()
        }]);
    }
    let d = Deployment {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: enforced_namespace(ctx),
            labels: Some(labels.clone()),
            ..Default::default()
        },
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector {
                match_labels: Some(labels.clone()),
                match_expressions: None,
            },
            strategy: Some(DeploymentStrategy::default()),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    containers,
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: Some(DeploymentStatus::default()),
    };
    finish(ctx, Object::Deployment(d), Some("deployment"))
}

pub fn job(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let image = ctx.args.get("image").map(str::to_string);
    let from = ctx.args.get("from").map(str::to_string);
    let command = ctx.args.after_dash.clone().filter(|c| !c.is_empty());
    let job = match (image, from) {
        (None, None) => return Output::error("either --image or --from must be specified"),
        (Some(_), Some(_)) => return Output::error("either --image or --from must be specified"),
        (Some(image), None) => Job {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: enforced_namespace(ctx),
                ..Default::default()
            },
            spec: Some(JobSpec {
                template: PodTemplateSpec {
                    metadata: None,
                    spec: Some(PodSpec {
                        containers: vec![Container {
                            name: name.clone(),
                            image: Some(image),
                            command,
                            resources: Some(Default::default()),
                            ..Default::default()
                        }],
                        restart_policy: Some("Never".into()),
                        ..Default::default()
                    }),
                },
                ..Default::default()
            }),
            status: Some(JobStatus::default()),
        },
        (None, Some(from)) => {
            if command.is_some() {
                return Output::error("cannot specify --from and command");
            }
            let Some((kind_word, src)) = from.split_once('/') else {
                return Output::error(format!(
                    "from must be of the form <resource>/<name>, got {from}"
                ));
            };
            if crate::objects::Kind::from_resource_name(kind_word) != Some(Kind::CronJob) {
                return Output::error(format!("unknown object type {kind_word}"));
            }
            let ns = ctx.namespace();
            let Some(cj) = ctx.world.store.get_as::<CronJob>(&ns, src).cloned() else {
                return Output::err(
                    crate::sim::store::ApiError::not_found(Kind::CronJob, src).kubectl_text(),
                );
            };
            let tpl = cj
                .spec
                .as_ref()
                .map(|s| s.job_template.clone())
                .unwrap_or_default();
            let mut annotations = BTreeMap::from([(
                "cronjob.kubernetes.io/instantiate".to_string(),
                "manual".to_string(),
            )]);
            if let Some(a) = tpl.metadata.as_ref().and_then(|m| m.annotations.clone()) {
                annotations.extend(a);
            }
            Job {
                metadata: ObjectMeta {
                    name: Some(name.clone()),
                    namespace: enforced_namespace(ctx),
                    annotations: Some(annotations),
                    labels: tpl.metadata.as_ref().and_then(|m| m.labels.clone()),
                    owner_references: Some(vec![OwnerReference {
                        api_version: "batch/v1".into(),
                        kind: "CronJob".into(),
                        name: src.to_string(),
                        uid: cj.metadata.uid.clone().unwrap_or_default(),
                        controller: Some(true),
                        block_owner_deletion: None,
                    }]),
                    ..Default::default()
                },
                spec: tpl.spec,
                status: Some(JobStatus::default()),
            }
        }
    };
    finish(ctx, Object::Job(job), Some("job"))
}

pub fn cronjob(ctx: &mut Ctx) -> Output {
    let name = match name_arg(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let Some(image) = ctx.args.get("image").map(str::to_string) else {
        return Output::error("--image must be specified");
    };
    let Some(schedule) = ctx.args.get("schedule").map(str::to_string) else {
        return Output::error("--schedule must be specified");
    };
    let restart = ctx.args.get("restart").unwrap_or("OnFailure").to_string();
    if restart != "OnFailure" && restart != "Never" {
        return Output::error(format!(
            "restart policy must be 'OnFailure' or 'Never', got {restart}"
        ));
    }
    let command = ctx.args.after_dash.clone().filter(|c| !c.is_empty());
    let cj = CronJob {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: enforced_namespace(ctx),
            ..Default::default()
        },
        spec: Some(CronJobSpec {
            schedule,
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    name: Some(name.clone()),
                    ..Default::default()
                }),
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: None,
                        spec: Some(PodSpec {
                            containers: vec![Container {
                                name: name.clone(),
                                image: Some(image),
                                command,
                                resources: Some(Default::default()),
                                ..Default::default()
                            }],
                            restart_policy: Some(restart),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        status: Some(CronJobStatus::default()),
    };
    finish(ctx, Object::CronJob(cj), Some("cronjob"))
}
