//! `kubectl describe pod` and the pieces other describers share: the
//! container blocks, volumes, the pod template and probes (`describePod`,
//! `describeContainers`, `describeVolumes`, `DescribePodTemplate`,
//! `DescribeProbe` in `kubectl/pkg/describe/describe.go`; printers.md §4.3).

use super::events::describe_events;
use super::writer::*;
use super::DescribeContext;
use crate::objects::quantity::parse_quantity;
use crate::printers::age::age_since;
use crate::printers::format::{
    canonical_quantity, go_bool_title, int_or_string, join_host_port, or_none, rfc1123z_opt,
};
use crate::printers::layout::format_selector;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Pod, PodTemplateSpec, Probe, ResourceRequirements,
    TopologySpreadConstraint, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

/// `describePod`.
pub fn describe_pod(pod: &Pod, ctx: &DescribeContext, now: jiff::Timestamp) -> String {
    let mut w = PrefixWriter::new();
    let m = &pod.metadata;
    let spec = pod.spec.clone().unwrap_or_default();
    let st = pod.status.clone().unwrap_or_default();
    w.write(
        LEVEL_0,
        &format!("Name:\t{}\n", m.name.clone().unwrap_or_default()),
    );
    w.write(
        LEVEL_0,
        &format!("Namespace:\t{}\n", m.namespace.clone().unwrap_or_default()),
    );
    if let Some(p) = spec.priority {
        w.write(LEVEL_0, &format!("Priority:\t{p}\n"));
    }
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Priority Class Name:\t{pc}\n"));
    }
    if let Some(rc) = spec.runtime_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Runtime Class Name:\t{rc}\n"));
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Service Account:\t{sa}\n"));
    }
    match spec.node_name.as_ref().filter(|s| !s.is_empty()) {
        None => w.write(LEVEL_0, "Node:\t<none>\n"),
        Some(n) => w.write(
            LEVEL_0,
            &format!("Node:\t{n}/{}\n", st.host_ip.clone().unwrap_or_default()),
        ),
    }
    if let Some(t) = &st.start_time {
        w.write(
            LEVEL_0,
            &format!("Start Time:\t{}\n", rfc1123z_opt(Some(t))),
        );
    }
    labels_multiline(&mut w, "Labels", m.labels.as_ref());
    annotations_multiline(&mut w, "Annotations", m.annotations.as_ref());
    let phase = st.phase.clone().unwrap_or_default();
    if m.deletion_timestamp.is_some() && phase != "Failed" && phase != "Succeeded" {
        w.write(
            LEVEL_0,
            &format!(
                "Status:\tTerminating (lasts {})\n",
                age_since(m.deletion_timestamp.as_ref(), now)
            ),
        );
        w.write(
            LEVEL_0,
            &format!(
                "Termination Grace Period:\t{}s\n",
                m.deletion_grace_period_seconds.unwrap_or(0)
            ),
        );
    } else {
        w.write(LEVEL_0, &format!("Status:\t{phase}\n"));
    }
    if let Some(r) = st.reason.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Reason:\t{r}\n"));
    }
    if let Some(msg) = st.message.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("Message:\t{msg}\n"));
    }
    if let Some(sp) = spec
        .security_context
        .as_ref()
        .and_then(|s| s.seccomp_profile.as_ref())
    {
        w.write(LEVEL_0, &format!("SeccompProfile:\t{}\n", sp.type_));
        if sp.type_ == "Localhost" {
            w.write(
                LEVEL_0,
                &format!(
                    "LocalhostProfile:\t{}\n",
                    sp.localhost_profile.clone().unwrap_or_default()
                ),
            );
        }
    }
    w.write(
        LEVEL_0,
        &format!("IP:\t{}\n", st.pod_ip.clone().unwrap_or_default()),
    );
    let ips: Vec<String> = match &st.pod_ips {
        Some(ips) if !ips.is_empty() => ips.iter().map(|i| i.ip.clone()).collect(),
        _ => st.pod_ip.iter().cloned().collect(),
    };
    if ips.is_empty() {
        w.write(LEVEL_0, "IPs:\t<none>\n");
    } else {
        w.write(LEVEL_0, "IPs:\n");
        for ip in &ips {
            w.write(LEVEL_1, &format!("IP:\t{ip}\n"));
        }
    }
    if let Some(c) = controlled_by(&pod.metadata) {
        w.write(LEVEL_0, &format!("Controlled By:\t{c}\n"));
    }
    if let Some(n) = st.nominated_node_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_0, &format!("NominatedNodeName:\t{n}\n"));
    }
    if let Some(r) = &spec.resources {
        w.write(LEVEL_0, "Resources:\n");
        describe_resources(&mut w, Some(r), LEVEL_1);
    }
    let env_pod = Some(pod);
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(
            &mut w,
            "Init Containers",
            init,
            st.init_container_statuses.as_deref(),
            env_pod,
            "",
        );
    }
    describe_containers(
        &mut w,
        "Containers",
        &spec.containers,
        st.container_statuses.as_deref(),
        env_pod,
        "",
    );
    let conds = st.conditions.clone().unwrap_or_default();
    if let Some(gates) = spec.readiness_gates.as_ref().filter(|g| !g.is_empty()) {
        w.write(LEVEL_0, "Readiness Gates:\n  Type\tStatus\n");
        for g in gates {
            let status = conds
                .iter()
                .find(|c| c.type_ == g.condition_type)
                .map(|c| c.status.clone())
                .unwrap_or_else(|| "<none>".into());
            w.write(LEVEL_1, &format!("{} \t{status} \n", g.condition_type));
        }
    }
    if !conds.is_empty() {
        w.write(LEVEL_0, "Conditions:\n  Type\tStatus\n");
        for c in &conds {
            w.write(LEVEL_1, &format!("{} \t{} \n", c.type_, c.status));
        }
    }
    describe_volumes(&mut w, spec.volumes.as_deref().unwrap_or(&[]), "");
    w.write(LEVEL_0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    labels_multiline(&mut w, "Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline_indent(&mut w, "", "Tolerations", spec.tolerations.as_ref());
    describe_topology_spread(&mut w, spec.topology_spread_constraints.as_deref(), "");
    if ctx.show_events {
        describe_events(&mut w, &ctx.events, now);
    }
    w.finish()
}

/// `printController`: `{Kind}/{name}` of the controller owner reference.
pub fn controlled_by(
    m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> Option<String> {
    m.owner_references
        .iter()
        .flatten()
        .find(|r| r.controller == Some(true))
        .map(|r| format!("{}/{}", r.kind, r.name))
}

/// `describeResources`: Limits then Requests, resource names sorted.
pub fn describe_resources(w: &mut PrefixWriter, r: Option<&ResourceRequirements>, level: usize) {
    let Some(r) = r else { return };
    for (title, list) in [("Limits", &r.limits), ("Requests", &r.requests)] {
        let list = list.clone().unwrap_or_default();
        if !list.is_empty() {
            w.write(level, &format!("{title}:\n"));
        }
        for (name, q) in &list {
            w.write(
                level + 1,
                &format!("{name}:\t{}\n", canonical_quantity(&q.0)),
            );
        }
    }
}

/// `describeContainers`. `statuses` is None for templates; `pod` resolves
/// downward-API env values.
pub fn describe_containers(
    w: &mut PrefixWriter,
    label: &str,
    containers: &[Container],
    statuses: Option<&[ContainerStatus]>,
    pod: Option<&Pod>,
    space: &str,
) {
    let none = if containers.is_empty() { " <none>" } else { "" };
    w.write(LEVEL_0, &format!("{space}{label}:{none}\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for c in containers {
        let status = statuses.and_then(|s| s.iter().find(|s| s.name == c.name));
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", c.name));
        if let Some(s) = status {
            w.write(
                LEVEL_2,
                &format!(
                    "Container ID:\t{}\n",
                    s.container_id.clone().unwrap_or_default()
                ),
            );
        }
        w.write(
            LEVEL_2,
            &format!("Image:\t{}\n", c.image.clone().unwrap_or_default()),
        );
        if let Some(s) = status {
            w.write(LEVEL_2, &format!("Image ID:\t{}\n", s.image_id));
        }
        let ports = c.ports.clone().unwrap_or_default();
        let port_str = |host: bool| -> String {
            ports
                .iter()
                .map(|p| {
                    let n = if host {
                        p.host_port.unwrap_or(0)
                    } else {
                        p.container_port
                    };
                    let proto = p.protocol.as_deref().unwrap_or("TCP");
                    match p.name.as_ref().filter(|n| !n.is_empty()) {
                        Some(name) => format!("{n}/{proto} ({name})"),
                        None => format!("{n}/{proto}"),
                    }
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let ps = port_str(false);
        if ps.contains(',') {
            w.write(LEVEL_2, &format!("Ports:\t{ps}\n"));
        } else {
            w.write(LEVEL_2, &format!("Port:\t{}\n", or_none(&ps)));
        }
        let hps = port_str(true);
        if hps.contains(',') {
            w.write(LEVEL_2, &format!("Host Ports:\t{hps}\n"));
        } else {
            w.write(LEVEL_2, &format!("Host Port:\t{}\n", or_none(&hps)));
        }
        if let Some(sp) = c
            .security_context
            .as_ref()
            .and_then(|s| s.seccomp_profile.as_ref())
        {
            w.write(LEVEL_2, &format!("SeccompProfile:\t{}\n", sp.type_));
            if sp.type_ == "Localhost" {
                w.write(
                    LEVEL_3,
                    &format!(
                        "LocalhostProfile:\t{}\n",
                        sp.localhost_profile.clone().unwrap_or_default()
                    ),
                );
            }
        }
        for (title, items) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(items) = items.as_ref().filter(|i| !i.is_empty()) {
                w.write(LEVEL_2, &format!("{title}:\n"));
                for item in items {
                    for s in item.split('\n') {
                        w.write(LEVEL_3, &format!("{s}\n"));
                    }
                }
            }
        }
        if let Some(s) = status {
            describe_state(w, "State", s.state.as_ref());
            if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
                describe_state(w, "Last State", Some(last));
            }
            w.write(LEVEL_2, &format!("Ready:\t{}\n", go_bool_title(s.ready)));
            w.write(LEVEL_2, &format!("Restart Count:\t{}\n", s.restart_count));
        }
        describe_resources(w, c.resources.as_ref(), LEVEL_2);
        for (title, probe) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = probe {
                w.write(LEVEL_2, &format!("{title}:\t{}\n", describe_probe(p)));
            }
        }
        if let Some(env_from) = c.env_from.as_ref().filter(|e| !e.is_empty()) {
            w.write(LEVEL_2, "Environment Variables from:\n");
            for e in env_from {
                let (from, name, optional) = if let Some(r) = &e.config_map_ref {
                    ("ConfigMap", r.name.clone(), r.optional.unwrap_or(false))
                } else if let Some(r) = &e.secret_ref {
                    ("Secret", r.name.clone(), r.optional.unwrap_or(false))
                } else {
                    ("", String::new(), false)
                };
                match e.prefix.as_ref().filter(|p| !p.is_empty()) {
                    None => w.write(LEVEL_3, &format!("{name}\t{from}\tOptional: {optional}\n")),
                    Some(p) => w.write(
                        LEVEL_3,
                        &format!("{name}\t{from} with prefix '{p}'\tOptional: {optional}\n"),
                    ),
                }
            }
        }
        describe_env(w, c, pod);
        describe_mounts(w, c);
    }
}

fn describe_env(w: &mut PrefixWriter, c: &Container, pod: Option<&Pod>) {
    let env = c.env.clone().unwrap_or_default();
    let none = if env.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Environment:{none}\n"));
    for e in &env {
        let Some(from) = &e.value_from else {
            for (i, s) in e.value.clone().unwrap_or_default().split('\n').enumerate() {
                if i == 0 {
                    w.write(LEVEL_3, &format!("{}:\t{s}\n", e.name));
                } else {
                    w.write(LEVEL_3, &format!("\t{s}\n"));
                }
            }
            continue;
        };
        if let Some(f) = &from.field_ref {
            let value = pod
                .map(|p| resolve_field_ref(p, &f.field_path))
                .unwrap_or_default();
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t{value} ({}:{})\n",
                    e.name,
                    f.api_version.clone().unwrap_or_else(|| "v1".into()),
                    f.field_path
                ),
            );
        } else if let Some(r) = &from.resource_field_ref {
            let mut value = container_resource_value(c, &r.resource, r.divisor.as_ref());
            if value == "0" && (r.resource == "limits.cpu" || r.resource == "limits.memory") {
                value = "node allocatable".into();
            }
            w.write(LEVEL_3, &format!("{}:\t{value} ({})\n", e.name, r.resource));
        } else if let Some(s) = &from.secret_key_ref {
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t<set to the key '{}' in secret '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(s) = &from.config_map_key_ref {
            w.write(
                LEVEL_3,
                &format!(
                    "{}:\t<set to the key '{}' of config map '{}'>\tOptional: {}\n",
                    e.name,
                    s.key,
                    s.name,
                    s.optional.unwrap_or(false)
                ),
            );
        }
    }
}

/// `fieldpath.ExtractFieldPathAsString`: kubectl resolves only metadata
/// fields; `spec.nodeName`, `status.podIP` and the like print empty.
fn resolve_field_ref(pod: &Pod, path: &str) -> String {
    let m = &pod.metadata;
    let subscript = |prefix: &str| -> Option<String> {
        path.strip_prefix(prefix)
            .and_then(|r| r.strip_prefix("['"))
            .and_then(|r| r.strip_suffix("']"))
            .map(String::from)
    };
    if let Some(k) = subscript("metadata.annotations") {
        return m
            .annotations
            .as_ref()
            .and_then(|a| a.get(&k))
            .cloned()
            .unwrap_or_default();
    }
    if let Some(k) = subscript("metadata.labels") {
        return m
            .labels
            .as_ref()
            .and_then(|a| a.get(&k))
            .cloned()
            .unwrap_or_default();
    }
    let format_map = |map: Option<&BTreeMap<String, String>>| {
        map.into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}=\"{v}\"\n"))
            .collect::<String>()
    };
    match path {
        "metadata.name" => m.name.clone().unwrap_or_default(),
        "metadata.namespace" => m.namespace.clone().unwrap_or_default(),
        "metadata.uid" => m.uid.clone().unwrap_or_default(),
        "metadata.labels" => format_map(m.labels.as_ref()),
        "metadata.annotations" => format_map(m.annotations.as_ref()),
        _ => String::new(),
    }
}

/// `ExtractContainerResourceValue`: a container's request or limit divided
/// by the divisor, rounded up.
fn container_resource_value(c: &Container, resource: &str, divisor: Option<&Quantity>) -> String {
    let Some((which, name)) = resource.split_once('.') else {
        return String::new();
    };
    let r = c.resources.clone().unwrap_or_default();
    let list = if which == "limits" {
        r.limits
    } else {
        r.requests
    };
    let value = list
        .and_then(|l| l.get(name).cloned())
        .and_then(|q| parse_quantity(&q.0).ok())
        .unwrap_or_default();
    let div = divisor
        .and_then(|d| parse_quantity(&d.0).ok())
        .filter(|d| d.0 != 0)
        .unwrap_or_else(|| crate::objects::quantity::Amount::from_units(1));
    let q = value.0 / div.0 + i128::from(value.0 % div.0 != 0);
    q.to_string()
}

fn describe_mounts(w: &mut PrefixWriter, c: &Container) {
    let mut mounts = c.volume_mounts.clone().unwrap_or_default();
    let none = if mounts.is_empty() { "\t<none>" } else { "" };
    w.write(LEVEL_2, &format!("Mounts:{none}\n"));
    mounts.sort_by(|a, b| a.mount_path.cmp(&b.mount_path));
    for m in &mounts {
        let mut flags = vec![if m.read_only.unwrap_or(false) {
            "ro".to_string()
        } else {
            "rw".to_string()
        }];
        if let Some(sub) = m.sub_path.as_ref().filter(|s| !s.is_empty()) {
            flags.push(format!("path={sub:?}"));
        }
        w.write(
            LEVEL_3,
            &format!("{} from {} ({})\n", m.mount_path, m.name, flags.join(",")),
        );
    }
    if let Some(devices) = c.volume_devices.as_ref().filter(|d| !d.is_empty()) {
        w.write(LEVEL_2, "Devices:\n");
        let mut devices = devices.clone();
        devices.sort_by(|a, b| a.device_path.cmp(&b.device_path));
        for d in devices {
            w.write(LEVEL_3, &format!("{} from {}\n", d.device_path, d.name));
        }
    }
}

/// `describeStatus`: Running / Waiting / Terminated with their details.
fn describe_state(w: &mut PrefixWriter, name: &str, state: Option<&ContainerState>) {
    let state = state.cloned().unwrap_or_default();
    if let Some(r) = &state.running {
        w.write(LEVEL_2, &format!("{name}:\tRunning\n"));
        w.write(
            LEVEL_3,
            &format!("Started:\t{}\n", rfc1123z_opt(r.started_at.as_ref())),
        );
    } else if let Some(wt) = &state.waiting {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
        if let Some(r) = wt.reason.as_ref().filter(|s| !s.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{r}\n"));
        }
    } else if let Some(t) = &state.terminated {
        w.write(LEVEL_2, &format!("{name}:\tTerminated\n"));
        if let Some(r) = t.reason.as_ref().filter(|s| !s.is_empty()) {
            w.write(LEVEL_3, &format!("Reason:\t{r}\n"));
        }
        if let Some(m) = t.message.as_ref().filter(|s| !s.is_empty()) {
            w.write(LEVEL_3, &format!("Message:\t{m}\n"));
        }
        w.write(LEVEL_3, &format!("Exit Code:\t{}\n", t.exit_code));
        if let Some(sig) = t.signal.filter(|s| *s > 0) {
            w.write(LEVEL_3, &format!("Signal:\t{sig}\n"));
        }
        w.write(
            LEVEL_3,
            &format!("Started:\t{}\n", rfc1123z_opt(t.started_at.as_ref())),
        );
        w.write(
            LEVEL_3,
            &format!("Finished:\t{}\n", rfc1123z_opt(t.finished_at.as_ref())),
        );
    } else {
        w.write(LEVEL_2, &format!("{name}:\tWaiting\n"));
    }
}

/// `DescribeProbe`: e.g. `http-get http://:80/healthz delay=0s timeout=1s
/// period=10s #success=1 #failure=3`. Unset numbers print the API defaults.
pub fn describe_probe(p: &Probe) -> String {
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    );
    if let Some(e) = &p.exec {
        return format!(
            "exec {} {attrs}",
            go_list(&e.command.clone().unwrap_or_default())
        );
    }
    if let Some(h) = &p.http_get {
        let scheme = h
            .scheme
            .clone()
            .unwrap_or_else(|| "HTTP".into())
            .to_lowercase();
        let port = int_or_string(&h.port);
        let host_name = h.host.clone().unwrap_or_default();
        let host = if port.is_empty() {
            host_name
        } else {
            join_host_port(&host_name, &port)
        };
        let mut path = h.path.clone().unwrap_or_default();
        if !path.is_empty() && !path.starts_with('/') && !host.is_empty() {
            path = format!("/{path}");
        }
        return format!("http-get {scheme}://{host}{path} {attrs}");
    }
    if let Some(t) = &p.tcp_socket {
        return format!(
            "tcp-socket {}:{} {attrs}",
            t.host.clone().unwrap_or_default(),
            int_or_string(&t.port)
        );
    }
    if let Some(g) = &p.grpc {
        return format!(
            "grpc <pod>:{} {} {attrs}",
            g.port,
            g.service.clone().unwrap_or_default()
        );
    }
    format!("unknown {attrs}")
}

/// `describeVolumes`.
pub fn describe_volumes(w: &mut PrefixWriter, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        w.write(LEVEL_0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.write(LEVEL_0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for v in volumes {
        w.write(LEVEL_1, &format!("{name_indent}{}:\n", v.name));
        if let Some(h) = &v.host_path {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{}\n",
                    h.path,
                    h.type_.clone().unwrap_or_else(|| "<none>".into())
                ),
            );
        } else if let Some(e) = &v.empty_dir {
            let size = e
                .size_limit
                .as_ref()
                .map(|q| canonical_quantity(&q.0))
                .filter(|s| s != "0" && !s.starts_with('-'))
                .unwrap_or_else(|| "<unset>".into());
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
                    e.medium.clone().unwrap_or_default()
                ),
            );
        } else if let Some(s) = &v.secret {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    s.secret_name.clone().unwrap_or_default(),
                    s.optional.unwrap_or(false)
                ),
            );
        } else if let Some(c) = &v.config_map {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    c.name,
                    c.optional.unwrap_or(false)
                ),
            );
        } else if let Some(n) = &v.nfs {
            nfs_volume(w, n);
        } else if let Some(c) = &v.persistent_volume_claim {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    c.claim_name,
                    c.read_only.unwrap_or(false)
                ),
            );
        } else if v.ephemeral.is_some() {
            w.write(
                LEVEL_2,
                "Type:\tEphemeralVolume (an inline specification for a volume that gets created and deleted with the pod)\n",
            );
        } else if let Some(d) = &v.downward_api {
            w.write(
                LEVEL_2,
                "Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n",
            );
            for item in d.items.iter().flatten() {
                if let Some(f) = &item.field_ref {
                    w.write(LEVEL_3, &format!("{} -> {}\n", f.field_path, item.path));
                }
                if let Some(r) = &item.resource_field_ref {
                    w.write(LEVEL_3, &format!("{} -> {}\n", r.resource, item.path));
                }
            }
        } else if let Some(p) = &v.projected {
            w.write(
                LEVEL_2,
                "Type:\tProjected (a volume that contains injected data from multiple sources)\n",
            );
            for s in p.sources.iter().flatten() {
                if let Some(sec) = &s.secret {
                    w.write(
                        LEVEL_2,
                        &format!(
                            "SecretName:\t{}\n    Optional:\t{}\n",
                            sec.name,
                            sec.optional.unwrap_or(false)
                        ),
                    );
                } else if s.downward_api.is_some() {
                    w.write(LEVEL_2, "DownwardAPI:\ttrue\n");
                } else if let Some(cm) = &s.config_map {
                    w.write(
                        LEVEL_2,
                        &format!(
                            "ConfigMapName:\t{}\n    Optional:\t{}\n",
                            cm.name,
                            cm.optional.unwrap_or(false)
                        ),
                    );
                } else if let Some(t) = &s.service_account_token {
                    w.write(
                        LEVEL_2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            t.expiration_seconds.unwrap_or(3600)
                        ),
                    );
                }
            }
        } else if let Some(c) = &v.csi {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tCSI (a Container Storage Interface (CSI) volume source)\n    Driver:\t{}\n    FSType:\t{}\n    ReadOnly:\t{}\n",
                    c.driver,
                    c.fs_type.clone().unwrap_or_default(),
                    c.read_only.unwrap_or(false)
                ),
            );
            labels_multiline_indent(
                w,
                "    ",
                "VolumeAttributes",
                "\t",
                c.volume_attributes.as_ref(),
            );
        } else if let Some(i) = &v.image {
            w.write(
                LEVEL_2,
                &format!(
                    "Type:\tImage (a container image or OCI artifact)\n    Reference:\t{}\n    PullPolicy:\t{}\n",
                    i.reference.clone().unwrap_or_default(),
                    i.pull_policy.clone().unwrap_or_default()
                ),
            );
        } else {
            w.write(LEVEL_1, "<unknown>\n");
        }
    }
}

/// `describeTopologySpreadConstraints`, sorted by topology key.
pub fn describe_topology_spread(
    w: &mut PrefixWriter,
    tscs: Option<&[TopologySpreadConstraint]>,
    space: &str,
) {
    let Some(tscs) = tscs.filter(|t| !t.is_empty()) else {
        return;
    };
    let mut tscs = tscs.to_vec();
    tscs.sort_by(|a, b| a.topology_key.cmp(&b.topology_key));
    w.write(LEVEL_0, &format!("{space}Topology Spread Constraints:\t"));
    for (i, t) in tscs.iter().enumerate() {
        if i != 0 {
            w.write(LEVEL_0, space);
            w.write(LEVEL_0, "\t");
        }
        let mut s = format!(
            "{}:{} when max skew {} is exceeded",
            t.topology_key, t.when_unsatisfiable, t.max_skew
        );
        if let Some(sel) = &t.label_selector {
            s.push_str(&format!(" for selector {}", format_selector(Some(sel))));
        }
        w.write(LEVEL_0, &format!("{s}\n"));
    }
}

/// `DescribePodTemplate`.
pub fn describe_pod_template(w: &mut PrefixWriter, template: Option<&PodTemplateSpec>) {
    w.write(LEVEL_0, "Pod Template:\n");
    let Some(t) = template else {
        w.write(LEVEL_1, "<unset>");
        return;
    };
    let meta = t.metadata.clone().unwrap_or_default();
    let spec = t.spec.clone().unwrap_or_default();
    labels_multiline(w, "  Labels", meta.labels.as_ref());
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        annotations_multiline(w, "  Annotations", meta.annotations.as_ref());
    }
    if let Some(sa) = spec.service_account_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_1, &format!("Service Account:\t{sa}\n"));
    }
    if let Some(init) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        describe_containers(w, "Init Containers", init, None, None, "  ");
    }
    describe_containers(w, "Containers", &spec.containers, None, None, "  ");
    describe_volumes(w, spec.volumes.as_deref().unwrap_or(&[]), "  ");
    describe_topology_spread(w, spec.topology_spread_constraints.as_deref(), "  ");
    if let Some(pc) = spec.priority_class_name.as_ref().filter(|s| !s.is_empty()) {
        w.write(LEVEL_1, &format!("Priority Class Name:\t{pc}\n"));
    }
    labels_multiline(w, "  Node-Selectors", spec.node_selector.as_ref());
    tolerations_multiline_indent(w, "", "  Tolerations", spec.tolerations.as_ref());
}

/// `qos.GetPodQOS`: `status.qosClass`, else computed from the containers'
/// cpu and memory requests and limits (`ComputePodQOS`).
pub fn qos_class(pod: &Pod) -> String {
    if let Some(q) = pod
        .status
        .as_ref()
        .and_then(|s| s.qos_class.clone())
        .filter(|s| !s.is_empty())
    {
        return q;
    }
    let spec = pod.spec.clone().unwrap_or_default();
    let mut requests: BTreeMap<String, i128> = BTreeMap::new();
    let mut limits: BTreeMap<String, i128> = BTreeMap::new();
    let mut guaranteed = true;
    let all = spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten());
    for c in all {
        let r = c.resources.clone().unwrap_or_default();
        for (name, q) in r.requests.iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let v = parse_quantity(&q.0).map(|a| a.0).unwrap_or(0);
            if v > 0 {
                *requests.entry(name.clone()).or_default() += v;
            }
        }
        let mut found = 0;
        for (name, q) in r.limits.iter().flatten() {
            if name != "cpu" && name != "memory" {
                continue;
            }
            let v = parse_quantity(&q.0).map(|a| a.0).unwrap_or(0);
            if v > 0 {
                found += 1;
                *limits.entry(name.clone()).or_default() += v;
            }
        }
        if found < 2 {
            guaranteed = false;
        }
    }
    if requests.is_empty() && limits.is_empty() {
        return "BestEffort".into();
    }
    if guaranteed {
        for (name, req) in &requests {
            if limits.get(name) != Some(req) {
                guaranteed = false;
                break;
            }
        }
    }
    if guaranteed && requests.len() == limits.len() {
        "Guaranteed".into()
    } else {
        "Burstable".into()
    }
}

/// `printNFSVolumeSource`: shared by the pod's and the PersistentVolume's
/// describers, as in kubectl's describe.go.
pub(super) fn nfs_volume(w: &mut PrefixWriter, n: &k8s_openapi::api::core::v1::NFSVolumeSource) {
    w.write(
        LEVEL_2,
        &format!(
            "Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t{}\n    Path:\t{}\n    ReadOnly:\t{}\n",
            n.server,
            n.path,
            n.read_only.unwrap_or(false)
        ),
    );
}
