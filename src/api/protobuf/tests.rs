//! Bodies built with k8s-pb/prost the way kubectl 1.33's typed clients
//! build them (gogo-protobuf writes non-pointer fields even when empty).

use super::*;
use k8s_pb::api::apps::v1 as apps;
use k8s_pb::api::authorization::v1 as authz;
use k8s_pb::api::core::v1 as core;
use k8s_pb::apimachinery::pkg::apis::meta::v1 as meta;
use k8s_pb::apimachinery::pkg::runtime::{TypeMeta, Unknown};
use k8s_pb::apimachinery::pkg::util::intstr::IntOrString;
use prost::Message;
use std::collections::BTreeMap;

fn envelope(api_version: &str, kind: &str, raw: Vec<u8>) -> Vec<u8> {
    let u = Unknown {
        type_meta: Some(TypeMeta {
            api_version: Some(api_version.into()),
            kind: Some(kind.into()),
        }),
        raw: Some(raw),
        content_encoding: Some(String::new()),
        content_type: Some(String::new()),
    };
    let mut out = MAGIC.to_vec();
    out.extend(u.encode_to_vec());
    out
}

/// ObjectMeta as Go marshals it: every string present, empty.
fn go_meta(name: &str, labels: &[(&str, &str)]) -> meta::ObjectMeta {
    meta::ObjectMeta {
        name: Some(name.into()),
        generate_name: Some(String::new()),
        namespace: Some(String::new()),
        uid: Some(String::new()),
        resource_version: Some(String::new()),
        generation: Some(0),
        creation_timestamp: Some(meta::Time {
            seconds: Some(0),
            nanos: Some(0),
        }),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ..Default::default()
    }
}

#[test]
fn kubectl_create_deployment_body() {
    // kubectl create deployment web --image=nginx --replicas=0 --port=80
    let labels = [("app", "web")];
    let d = apps::Deployment {
        metadata: Some(go_meta("web", &labels)),
        spec: Some(apps::DeploymentSpec {
            replicas: Some(0),
            selector: Some(meta::LabelSelector {
                match_labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                match_expressions: vec![],
            }),
            template: Some(core::PodTemplateSpec {
                metadata: Some(go_meta("", &labels)),
                spec: Some(core::PodSpec {
                    containers: vec![core::Container {
                        name: Some("nginx".into()),
                        image: Some("nginx".into()),
                        ports: vec![core::ContainerPort {
                            name: Some(String::new()),
                            host_port: Some(0),
                            container_port: Some(80),
                            protocol: Some(String::new()),
                            host_ip: Some(String::new()),
                        }],
                        resources: Some(core::ResourceRequirements {
                            limits: BTreeMap::from([(
                                "cpu".to_string(),
                                k8s_pb::apimachinery::pkg::api::resource::Quantity {
                                    string: Some("500m".into()),
                                },
                            )]),
                            ..Default::default()
                        }),
                        termination_message_path: Some(String::new()),
                        image_pull_policy: Some(String::new()),
                        stdin: Some(false),
                        tty: Some(false),
                        ..Default::default()
                    }],
                    restart_policy: Some(String::new()),
                    dns_policy: Some(String::new()),
                    host_network: Some(false),
                    ..Default::default()
                }),
            }),
            strategy: Some(apps::DeploymentStrategy {
                r#type: Some(String::new()),
                rolling_update: None,
            }),
            min_ready_seconds: Some(0),
            paused: Some(false),
            ..Default::default()
        }),
        status: Some(apps::DeploymentStatus {
            observed_generation: Some(0),
            ..Default::default()
        }),
    };
    let body = envelope("apps/v1", "Deployment", d.encode_to_vec());
    let v = decode_body(&body).unwrap();
    assert_eq!(
        v,
        json!({
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {
                "replicas": 0,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{
                        "name": "nginx", "image": "nginx",
                        "ports": [{"containerPort": 80}],
                        "resources": {"limits": {"cpu": "500m"}}
                    }]}
                },
                "strategy": {}
            },
            "status": {},
            "apiVersion": "apps/v1",
            "kind": "Deployment"
        })
    );
    // And it decodes as the k8s-openapi type.
    crate::objects::manifest::decode_as(crate::objects::Kind::Deployment, v, true).unwrap();
}

#[test]
fn service_ports_with_int_or_string_and_acronym_fields() {
    // kubectl create service clusterip web --tcp=80:8080 --clusterip=None
    let s = core::Service {
        metadata: Some(go_meta("web", &[("app", "web")])),
        spec: Some(core::ServiceSpec {
            ports: vec![core::ServicePort {
                name: Some("80-8080".into()),
                protocol: Some("TCP".into()),
                port: Some(80),
                target_port: Some(IntOrString {
                    r#type: Some(0),
                    int_val: Some(8080),
                    str_val: Some(String::new()),
                }),
                node_port: Some(0),
                app_protocol: None,
            }],
            selector: BTreeMap::from([("app".to_string(), "web".to_string())]),
            cluster_ip: Some("None".into()),
            r#type: Some("ClusterIP".into()),
            ..Default::default()
        }),
        status: None,
    };
    let v = decode_body(&envelope("v1", "Service", s.encode_to_vec())).unwrap();
    assert_eq!(v["spec"]["clusterIP"], "None");
    assert_eq!(
        v["spec"]["ports"],
        json!([{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080}])
    );
    let named = IntOrString {
        r#type: Some(1),
        int_val: Some(0),
        str_val: Some("http".into()),
    };
    assert_eq!(
        int_or_string(&named.encode_to_vec()).unwrap(),
        json!("http")
    );
}

#[test]
fn namespace_configmap_secret_and_ssar() {
    let ns = core::Namespace {
        metadata: Some(go_meta("blue", &[])),
        spec: Some(core::NamespaceSpec::default()),
        status: Some(core::NamespaceStatus::default()),
    };
    let v = decode_body(&envelope("v1", "Namespace", ns.encode_to_vec())).unwrap();
    assert_eq!(v["metadata"], json!({"name": "blue"}));

    let cm = core::ConfigMap {
        metadata: Some(go_meta("c", &[])),
        data: BTreeMap::from([("a".to_string(), "b".to_string())]),
        binary_data: BTreeMap::from([("bin".to_string(), vec![0u8, 1, 2])]),
        immutable: None,
    };
    let v = decode_body(&envelope("v1", "ConfigMap", cm.encode_to_vec())).unwrap();
    assert_eq!(v["data"], json!({"a": "b"}));
    assert_eq!(v["binaryData"], json!({"bin": "AAEC"}));

    let ssar = authz::SelfSubjectAccessReview {
        metadata: Some(go_meta("", &[])),
        spec: Some(authz::SelfSubjectAccessReviewSpec {
            resource_attributes: Some(authz::ResourceAttributes {
                namespace: Some("default".into()),
                verb: Some("create".into()),
                group: Some(String::new()),
                version: Some(String::new()),
                resource: Some("pods".into()),
                subresource: Some(String::new()),
                name: Some(String::new()),
                ..Default::default()
            }),
            non_resource_attributes: None,
        }),
        status: Some(authz::SubjectAccessReviewStatus {
            allowed: Some(false),
            ..Default::default()
        }),
    };
    let v = decode_body(&envelope(
        "authorization.k8s.io/v1",
        "SelfSubjectAccessReview",
        ssar.encode_to_vec(),
    ))
    .unwrap();
    assert_eq!(
        v["spec"]["resourceAttributes"],
        json!({"namespace": "default", "verb": "create", "resource": "pods"})
    );
}

#[test]
fn bad_bodies_are_400_not_panics() {
    for body in [
        b"".to_vec(),
        b"{}".to_vec(),
        b"k8s\0\x0a\xff".to_vec(),
        envelope("v1", "Nope", vec![]),
        envelope("v1", "Pod", vec![0x0a, 0x05, 0x01]),
        envelope("v1", "Pod", vec![0x00]),
    ] {
        let e = decode_body(&body).unwrap_err();
        assert_eq!(e.code(), 400, "{body:?}");
    }
}

#[test]
fn times_and_durations() {
    let t = meta::Time {
        seconds: Some(1_795_424_400),
        nanos: Some(0),
    };
    assert_eq!(
        time(&t.encode_to_vec(), false).unwrap(),
        json!("2026-11-23T09:00:00Z")
    );
    assert_eq!(go_duration(90_000_000_000), "1m30s");
    assert_eq!(go_duration(0), "0s");
}
