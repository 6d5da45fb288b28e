//! The environment of a container, as the kubelet builds it
//! (pkg/kubelet/kubelet_pods.go `makeEnvironmentVariables`) on top of the
//! image's (`PATH`, `HOME`) and the runtime's (`HOSTNAME`): the Service
//! variables of pkg/kubelet/envvars/envvars.go `FromServices` for the
//! Services that existed when the container started (the `kubernetes`
//! Service always; the namespace's own only with `enableServiceLinks`),
//! then `envFrom`, then `env` with `$(VAR)` references expanded.

use super::Sandbox;
use crate::objects::{Kind, Object};
use crate::sim::World;
use k8s_openapi::api::core::v1::{ConfigMap, Secret, Service};
use std::collections::BTreeMap;

const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// `env`'s lines, in a stable order: PATH and HOSTNAME first, as runtimes
/// print them, the kubelet's variables next (sorted: the kubelet's own
/// order comes from a Go map and is random), HOME last.
pub fn environment(world: &World, sb: &Sandbox) -> Vec<(String, String)> {
    let mut kubelet: BTreeMap<String, String> = BTreeMap::new();
    for (k, v) in service_variables(world, sb) {
        kubelet.insert(k, v);
    }
    // envFrom, then env (env wins: makeEnvironmentVariables).
    for src in sb.container.env_from.iter().flatten() {
        let prefix = src.prefix.clone().unwrap_or_default();
        if let Some(r) = &src.config_map_ref {
            if let Some(cm) = world.store.get_as::<ConfigMap>(sb.namespace(), &r.name) {
                for (k, v) in cm.data.iter().flatten() {
                    kubelet.insert(format!("{prefix}{k}"), v.clone());
                }
            }
        }
        if let Some(r) = &src.secret_ref {
            if let Some(s) = world.store.get_as::<Secret>(sb.namespace(), &r.name) {
                for (k, v) in s.data.iter().flatten() {
                    kubelet.insert(
                        format!("{prefix}{k}"),
                        String::from_utf8_lossy(&v.0).into_owned(),
                    );
                }
            }
        }
    }
    for e in sb.container.env.iter().flatten() {
        let value = match &e.value_from {
            None => expand(e.value.as_deref().unwrap_or(""), &kubelet),
            Some(from) => value_from(world, sb, from).unwrap_or_default(),
        };
        kubelet.insert(e.name.clone(), value);
    }
    let mut out = vec![
        ("PATH".to_string(), PATH.to_string()),
        ("HOSTNAME".to_string(), sb.hostname()),
    ];
    let home = kubelet.remove("HOME");
    if let Some(p) = kubelet.remove("PATH") {
        out[0].1 = p;
    }
    out.extend(kubelet);
    out.push(("HOME".into(), home.unwrap_or_else(|| "/root".into())));
    out
}

/// `$(VAR)` references to earlier variables (expansion.MappingFuncFor);
/// `$$(VAR)` escapes; unknown references stay as written.
fn expand(s: &str, vars: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(esc) = after.strip_prefix("$(") {
            out.push_str("$(");
            rest = esc;
        } else if let Some(body) = after.strip_prefix('(') {
            match body.find(')') {
                Some(end) => {
                    let name = &body[..end];
                    match vars.get(name) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(&format!("$({name})")),
                    }
                    rest = &body[end + 1..];
                }
                None => {
                    out.push('$');
                    rest = after;
                }
            }
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// `valueFrom`: fieldRef (downward API), configMapKeyRef, secretKeyRef.
fn value_from(
    world: &World,
    sb: &Sandbox,
    from: &k8s_openapi::api::core::v1::EnvVarSource,
) -> Option<String> {
    if let Some(f) = &from.field_ref {
        return super::files::pod_field(sb, &f.field_path);
    }
    if let Some(r) = &from.config_map_key_ref {
        let cm = world.store.get_as::<ConfigMap>(sb.namespace(), &r.name)?;
        return cm.data.as_ref()?.get(&r.key).cloned();
    }
    if let Some(r) = &from.secret_key_ref {
        let s = world.store.get_as::<Secret>(sb.namespace(), &r.name)?;
        let v = s.data.as_ref()?.get(&r.key)?;
        return Some(String::from_utf8_lossy(&v.0).into_owned());
    }
    None
}

/// The Service variables (envvars.FromServices) for the Services the
/// kubelet saw when the container started.
fn service_variables(world: &World, sb: &Sandbox) -> Vec<(String, String)> {
    let started = sb
        .pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.name == sb.container.name))
        .and_then(|c| c.state.as_ref())
        .and_then(|s| s.running.as_ref())
        .and_then(|r| r.started_at.as_ref())
        .map(|t| t.0);
    let links = sb
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.enable_service_links)
        .unwrap_or(true);
    let ns = sb.namespace().to_string();
    let mut services: BTreeMap<String, Service> = BTreeMap::new();
    let mut scopes = vec!["default".to_string()];
    if ns != "default" {
        scopes.push(ns.clone());
    }
    for scope in &scopes {
        for o in world.store.iter(Kind::Service, Some(scope)) {
            let Object::Service(svc) = &**o else { continue };
            let name = svc.metadata.name.clone().unwrap_or_default();
            // getServiceEnvVarMap: the master service from "default"
            // always; the pod's namespace's services with service links
            // (they take precedence over default's).
            let master = scope == "default" && name == "kubernetes";
            if !master && (scope != &ns || !links) {
                continue;
            }
            let created = svc.metadata.creation_timestamp.as_ref().map(|t| t.0);
            if let (Some(c), Some(s)) = (created, started) {
                if c > s {
                    continue;
                }
            }
            services.insert(name, svc.clone());
        }
    }
    let mut out = Vec::new();
    for (name, svc) in services {
        let Some(sp) = &svc.spec else { continue };
        let ip = sp.cluster_ip.clone().unwrap_or_default();
        if ip.is_empty() || ip == "None" {
            continue;
        }
        let ports = sp.ports.clone().unwrap_or_default();
        let Some(first) = ports.first() else { continue };
        let prefix = var_name(&name);
        out.push((format!("{prefix}_SERVICE_HOST"), ip.clone()));
        out.push((format!("{prefix}_SERVICE_PORT"), first.port.to_string()));
        for p in &ports {
            if let Some(pn) = p.name.as_deref().filter(|n| !n.is_empty()) {
                out.push((
                    format!("{prefix}_SERVICE_PORT_{}", var_name(pn)),
                    p.port.to_string(),
                ));
            }
        }
        // makeLinkVariables: Docker's link variables.
        for (i, p) in ports.iter().enumerate() {
            let proto = p.protocol.clone().unwrap_or_else(|| "TCP".into());
            let lower = proto.to_lowercase();
            let url = format!("{lower}://{ip}:{}", p.port);
            if i == 0 {
                out.push((format!("{prefix}_PORT"), url.clone()));
            }
            let pp = format!("{prefix}_PORT_{}_{}", p.port, proto.to_uppercase());
            out.push((pp.clone(), url));
            out.push((format!("{pp}_PROTO"), lower));
            out.push((format!("{pp}_PORT"), p.port.to_string()));
            out.push((format!("{pp}_ADDR"), ip.clone()));
        }
    }
    out
}

/// envvars.makeEnvVariableName: upper case, `-` → `_`.
fn var_name(s: &str) -> String {
    s.replace('-', "_").to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependent_variables_expand_like_the_kubelet() {
        let mut v = BTreeMap::new();
        v.insert("A".to_string(), "x".to_string());
        assert_eq!(expand("$(A)-$(B)", &v), "x-$(B)");
        assert_eq!(expand("$$(A)", &v), "$(A)");
        assert_eq!(expand("cost $5", &v), "cost $5");
        assert_eq!(var_name("my-svc"), "MY_SVC");
    }
}
