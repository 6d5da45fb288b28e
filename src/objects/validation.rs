//! Validation with the apiserver's messages (`pkg/apis/core/validation`,
//! `apimachinery/pkg/util/validation`). Each failure is a [`FieldError`];
//! the store wraps them as `The Pod "x" is invalid: ...`.

use super::kinds::{Kind, Object};
use super::quantity::parse_quantity;
use crate::objects::selectors::Selector;
use crate::sim::store::{ApiError, FieldError};
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

pub fn is_dns1123_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

pub fn is_dns1035_label(s: &str) -> bool {
    is_dns1123_label(s) && s.as_bytes()[0].is_ascii_lowercase()
}

/// Checks a name against the rule of its kind; returns the detail message.
pub fn name_problem(kind: Kind, name: &str) -> Option<String> {
    match kind {
        Kind::Namespace => {
            if !is_dns1123_label(name) {
                return Some(label_detail(name, DNS1123_LABEL_MSG));
            }
        }
        Kind::Service => {
            if !is_dns1035_label(name) {
                return Some(label_detail(name, DNS1035_LABEL_MSG));
            }
        }
        Kind::Role | Kind::ClusterRole | Kind::RoleBinding | Kind::ClusterRoleBinding => {
            // path segment names: anything but '/', '%', '.' and '..'
            if name.contains('/') || name.contains('%') || name == "." || name == ".." {
                return Some("may not contain '/'".to_string());
            }
        }
        _ => {
            if !is_dns1123_subdomain(name) {
                return Some(if name.len() > 253 {
                    "must be no more than 253 characters".into()
                } else {
                    DNS1123_SUBDOMAIN_MSG.into()
                });
            }
        }
    }
    None
}

fn label_detail(name: &str, msg: &str) -> String {
    if name.len() > 63 {
        "must be no more than 63 characters".into()
    } else {
        msg.into()
    }
}

pub fn validate(obj: &Object) -> Result<(), ApiError> {
    let errs = field_errors(obj);
    if errs.is_empty() {
        Ok(())
    } else {
        let name = obj.meta().name.clone().unwrap_or_default();
        Err(ApiError::invalid(obj.kind(), &name, errs))
    }
}

/// Every problem `validate` reports, as field errors (admission adds an
/// update's own problems to them before building one 422).
pub fn field_errors(obj: &Object) -> Vec<FieldError> {
    let kind = obj.kind();
    let name = obj.meta().name.clone().unwrap_or_default();
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push(
            FieldError::required("metadata.name").with_detail("name or generateName is required"),
        );
    } else if let Some(detail) = name_problem(kind, &name) {
        errs.push(FieldError::invalid("metadata.name", &name, detail));
    }
    if kind.info().namespaced {
        if let Some(ns) = obj.meta().namespace.as_deref() {
            if !ns.is_empty() && !is_dns1123_label(ns) {
                errs.push(FieldError::invalid(
                    "metadata.namespace",
                    ns,
                    DNS1123_LABEL_MSG,
                ));
            }
        }
    }
    for (k, v) in obj.meta().labels.iter().flatten() {
        if Selector::parse(&format!("{k}={v}")).is_err() || k.is_empty() {
            errs.push(FieldError::invalid("metadata.labels", v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
        }
    }
    match obj {
        Object::Pod(p) => match &p.spec {
            Some(spec) => pod_spec(spec, "spec", &mut errs),
            None => errs.push(FieldError::required("spec.containers")),
        },
        Object::Deployment(d) => {
            if let Some(s) = &d.spec {
                replicas(s.replicas, &mut errs);
                workload(Some(&s.selector), Some(&s.template), &mut errs);
            }
        }
        Object::ReplicaSet(r) => {
            if let Some(s) = &r.spec {
                replicas(s.replicas, &mut errs);
                workload(Some(&s.selector), s.template.as_ref(), &mut errs);
            }
        }
        Object::DaemonSet(d) => {
            if let Some(s) = &d.spec {
                workload(Some(&s.selector), Some(&s.template), &mut errs);
            }
        }
        Object::StatefulSet(s) => {
            if let Some(s) = &s.spec {
                replicas(s.replicas, &mut errs);
                workload(Some(&s.selector), Some(&s.template), &mut errs);
            }
        }
        Object::Job(j) => {
            if let Some(s) = &j.spec {
                if let Some(ps) = &s.template.spec {
                    let rp = ps.restart_policy.as_deref().unwrap_or("Always");
                    if rp != "OnFailure" && rp != "Never" {
                        errs.push(FieldError::not_supported(
                            "spec.template.spec.restartPolicy",
                            rp,
                            &["OnFailure", "Never"],
                        ));
                    }
                    pod_spec(ps, "spec.template.spec", &mut errs);
                }
            }
        }
        Object::Service(s) => {
            if let Some(spec) = &s.spec {
                let t = spec.type_.as_deref().unwrap_or("ClusterIP");
                let valid = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
                if !valid.contains(&t) {
                    errs.push(FieldError::not_supported("spec.type", t, &valid));
                }
                let headless = spec.cluster_ip.as_deref() == Some("None");
                if t != "ExternalName"
                    && spec.ports.as_ref().is_none_or(|p| p.is_empty())
                    && !headless
                {
                    errs.push(FieldError::required("spec.ports"));
                }
                if t == "ExternalName" && spec.external_name.as_deref().unwrap_or("").is_empty() {
                    errs.push(FieldError::required("spec.externalName"));
                }
                for (i, p) in spec.ports.iter().flatten().enumerate() {
                    if p.port < 1 || p.port > 65535 {
                        errs.push(FieldError::invalid(
                            format!("spec.ports[{i}].port"),
                            p.port.to_string(),
                            "must be between 1 and 65535, inclusive",
                        ));
                    }
                    if spec.ports.as_ref().is_some_and(|ps| ps.len() > 1)
                        && p.name.as_deref().unwrap_or("").is_empty()
                    {
                        errs.push(FieldError::required(format!("spec.ports[{i}].name")));
                    }
                }
            }
        }
        Object::ConfigMap(c) => {
            for k in c.data.iter().flatten().map(|(k, _)| k) {
                if !valid_config_key(k) {
                    errs.push(FieldError::invalid(format!("data[{k}]"), k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
                }
            }
        }
        _ => {}
    }
    errs
}

fn valid_config_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
}

fn replicas(r: Option<i32>, errs: &mut Vec<FieldError>) {
    if let Some(r) = r {
        if r < 0 {
            errs.push(FieldError::invalid(
                "spec.replicas",
                r.to_string(),
                "must be greater than or equal to 0",
            ));
        }
    }
}

fn workload(
    selector: Option<&LabelSelector>,
    template: Option<&PodTemplateSpec>,
    errs: &mut Vec<FieldError>,
) {
    let sel = selector
        .map(Selector::from_label_selector)
        .unwrap_or_default();
    if sel.is_empty() {
        errs.push(FieldError::required("spec.selector"));
    }
    if let Some(t) = template {
        let labels = t.metadata.as_ref().and_then(|m| m.labels.as_ref());
        if !sel.is_empty() && !sel.matches_opt(labels) {
            // Go's %#v of the labels map, as field.Invalid prints it.
            let shown = labels
                .map(|l| {
                    let v: Vec<String> = l.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
                    format!("map[string]string{{{}}}", v.join(", "))
                })
                .unwrap_or_else(|| "map[string]string(nil)".into());
            errs.push(FieldError::invalid(
                "spec.template.metadata.labels",
                shown,
                "`selector` does not match template `labels`",
            ));
        }
        match &t.spec {
            Some(ps) => pod_spec(ps, "spec.template.spec", errs),
            None => errs.push(FieldError::required("spec.template.spec.containers")),
        }
    }
}

fn pod_spec(spec: &PodSpec, path: &str, errs: &mut Vec<FieldError>) {
    if spec.containers.is_empty() {
        errs.push(FieldError::required(format!("{path}.containers")));
    }
    let rp = spec.restart_policy.as_deref().unwrap_or("Always");
    if !["Always", "OnFailure", "Never"].contains(&rp) {
        errs.push(FieldError::not_supported(
            format!("{path}.restartPolicy"),
            rp,
            &["Always", "OnFailure", "Never"],
        ));
    }
    let mut names = std::collections::BTreeSet::new();
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        container(c, &format!("{path}.initContainers[{i}]"), &mut names, errs);
    }
    for (i, c) in spec.containers.iter().enumerate() {
        container(c, &format!("{path}.containers[{i}]"), &mut names, errs);
    }
}

fn container(
    c: &Container,
    path: &str,
    names: &mut std::collections::BTreeSet<String>,
    errs: &mut Vec<FieldError>,
) {
    if c.name.is_empty() {
        errs.push(FieldError::required(format!("{path}.name")));
    } else if !is_dns1123_label(&c.name) {
        errs.push(FieldError::invalid(
            format!("{path}.name"),
            &c.name,
            DNS1123_LABEL_MSG,
        ));
    } else if !names.insert(c.name.clone()) {
        errs.push(FieldError::duplicate(format!("{path}.name"), &c.name));
    }
    if c.image.as_deref().unwrap_or("").trim().is_empty() {
        errs.push(FieldError::required(format!("{path}.image")));
    }
    if let Some(p) = c.image_pull_policy.as_deref() {
        let valid = ["Always", "IfNotPresent", "Never"];
        if !valid.contains(&p) {
            errs.push(FieldError::not_supported(
                format!("{path}.imagePullPolicy"),
                p,
                &valid,
            ));
        }
    }
    for (i, p) in c.ports.iter().flatten().enumerate() {
        if p.container_port < 1 || p.container_port > 65535 {
            errs.push(FieldError::invalid(
                format!("{path}.ports[{i}].containerPort"),
                p.container_port.to_string(),
                "must be between 1 and 65535, inclusive",
            ));
        }
    }
    if let Some(res) = &c.resources {
        for (which, map) in [("limits", &res.limits), ("requests", &res.requests)] {
            for (k, q) in map.iter().flatten() {
                if parse_quantity(&q.0).is_err() {
                    errs.push(FieldError::invalid(
                        format!("{path}.resources.{which}[{k}]"),
                        &q.0,
                        "must be a valid quantity",
                    ));
                }
            }
        }
        if let (Some(req), Some(lim)) = (&res.requests, &res.limits) {
            for (k, r) in req {
                if let (Some(l), Ok(rv)) = (lim.get(k), parse_quantity(&r.0)) {
                    if parse_quantity(&l.0).is_ok_and(|lv| rv > lv) {
                        errs.push(FieldError::invalid(
                            format!("{path}.resources.requests"),
                            &r.0,
                            format!("must be less than or equal to {k} limit of {}", l.0),
                        ));
                    }
                }
            }
        }
    }
}

impl FieldError {
    pub fn with_detail(mut self, d: &str) -> FieldError {
        self.detail = d.to_string();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns1123_subdomain("web.example-1"));
        assert!(!is_dns1123_subdomain("Web"));
        assert!(!is_dns1123_subdomain("a_b"));
        assert!(is_dns1123_label("node2"));
        assert!(!is_dns1123_label("a.b"));
        assert!(is_dns1035_label("web"));
        assert!(!is_dns1035_label("1web"));
    }

    #[test]
    fn pod_without_image_is_invalid_with_upstreams_words() {
        let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "x"}, "spec": {"containers": [{"name": "x"}]}
        }))
        .unwrap();
        let e = validate(&Object::Pod(pod)).unwrap_err();
        assert_eq!(
            e.kubectl_text(),
            "The Pod \"x\" is invalid: spec.containers[0].image: Required value"
        );
    }
}
