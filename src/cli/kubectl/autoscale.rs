//! `kubectl autoscale (deployment|rs|sts|rc) NAME --max=N [--min=N]
//! [--cpu-percent=N]`: an autoscaling/v2 HorizontalPodAutoscaler
//! (`k8s.io/kubectl/pkg/cmd/autoscale/autoscale.go`), word `autoscaled`.

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::store::WriteOptions;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec,
    HorizontalPodAutoscalerStatus, MetricSpec, MetricTarget, ResourceMetricSource,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub const FLAGS: &[FlagSpec] = &[
    flag("min", None, true, "The lower limit for the number of pods that can be set by the autoscaler. If it's not specified or negative, the server will apply a default value.").default("-1"),
    flag("max", None, true, "The upper limit for the number of pods that can be set by the autoscaler. Required.").default("-1"),
    flag("cpu-percent", None, true, "The target average CPU utilization (represented as a percent of requested CPU) over all the pods. If it's not specified or negative, a default autoscaling policy will be used.").default("-1"),
    flag("name", None, true, "The name for the newly created object. If not specified, the name of the input resource will be used."),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to autoscale.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file."),
    flag("save-config", None, false, "If true, the configuration of current object will be saved in its annotation. Otherwise, the annotation will be unchanged. This flag is useful when you want to perform kubectl apply on this object in the future."),
    flag("record", None, false, "Record current kubectl command in the resource annotation. If set to false, do not record the command. If set to true, record the command. If not set, default to updating the existing annotation value only if one already exists."),
    flag("field-manager", None, true, "Name of the manager used to track field ownership.").default("'kubectl-autoscale'"),
];

pub fn autoscale(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let num = |f: &str| {
        ctx.args
            .get(f)
            .and_then(|v| v.parse::<i32>().ok())
            .unwrap_or(-1)
    };
    let (min, max, cpu) = (num("min"), num("max"), num("cpu-percent"));
    if max < 1 {
        return Output::error(format!(
            "--max=MAXPODS is required and must be at least 1, max: {max}"
        ));
    }
    if max < min {
        return Output::error(format!(
            "--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"
        ));
    }
    if ctx.args.positional.is_empty() && ctx.args.get("filename").is_none() {
        return ctx.usage_error("You must provide one or more resources by argument or filename.");
    }
    let targets = match super::targets(ctx, &ctx.args.positional.clone()) {
        Ok(t) => t,
        Err(e) => return Output::error(e),
    };
    let mut out = Output::default();
    for (kind, ns, name) in targets {
        if !matches!(
            kind,
            Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::ReplicationController
        ) {
            out.extend(Output::error(format!(
                "cannot autoscale a {}: {} \"{name}\" not scalable",
                kind.info().kind,
                kind.info().group_resource()
            )));
            continue;
        }
        if let Err(e) = ctx.world.store.get(kind, &ns, &name) {
            out.extend(Output::err(e.kubectl_text()));
            continue;
        }
        let hpa_name = ctx.args.get("name").unwrap_or(&name).to_string();
        let metrics = (cpu >= 0).then(|| {
            vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(cpu),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]
        });
        let hpa = HorizontalPodAutoscaler {
            metadata: ObjectMeta {
                name: Some(hpa_name),
                ..Default::default()
            },
            spec: Some(HorizontalPodAutoscalerSpec {
                scale_target_ref: CrossVersionObjectReference {
                    api_version: Some(kind.info().api_version()),
                    kind: kind.info().kind.into(),
                    name: name.clone(),
                },
                min_replicas: (min >= 0).then_some(min),
                max_replicas: max,
                metrics,
                behavior: None,
            }),
            status: Some(HorizontalPodAutoscalerStatus {
                desired_replicas: 0,
                ..Default::default()
            }),
        };
        let mut obj = Object::HorizontalPodAutoscaler(hpa);
        if dry == DryRun::Client {
            out.extend(ctx.print_object(&obj, "autoscaled", dry));
            continue;
        }
        obj.meta_mut().namespace = Some(ns.clone());
        match ctx.world.store.create(
            obj,
            &WriteOptions {
                dry_run: dry == DryRun::Server,
                field_manager: Some("kubectl-autoscale".into()),
            },
        ) {
            Ok(o) => out.extend(ctx.print_object(&o, "autoscaled", dry)),
            Err(e) => out.extend(Output::err(e.kubectl_text())),
        }
    }
    out
}
