//! The library behind `kubectl rollout status|history|undo|restart|pause|
//! resume`, after `staging/src/k8s.io/kubectl/pkg/polymorphichelpers/`
//! (`rollout_status.go`, `history.go`, `rollback.go`, `objectpauser.go`,
//! `objectresumer.go`, `objectrestarter.go`) and `pkg/cmd/rollout/`.
//!
//! Every function works on the store at the current virtual time and
//! returns kubectl's exact text; the REPL prints it. Lines carry no
//! trailing newline. Client-side errors (kubectl's `error: ...`) are
//! `ApiError`s with reason `BadRequest` and no `kind`: print them as
//! `error: {message}`; server errors (`NotFound`) print as usual.

use super::deployment::{self, ANNOTATIONS_TO_SKIP, CHANGE_CAUSE_ANNOTATION, REVISION_ANNOTATION};
use super::util;
use crate::objects::kinds::{Kind, Object};
use crate::sim::store::{ApiError, Reason, Store, WatchEventType};
use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use std::collections::BTreeMap;

pub const RESTARTED_AT_ANNOTATION: &str = "kubectl.kubernetes.io/restartedAt";

fn client_error(msg: impl Into<String>) -> ApiError {
    ApiError::new(Reason::BadRequest, msg)
}

fn get_obj(store: &Store, kind: Kind, ns: &str, name: &str) -> Result<Object, ApiError> {
    Ok((**store.get(kind, ns, name)?).clone())
}

fn prefix(kind: Kind, name: &str) -> String {
    format!("{}/{name}", kind.info().kind_prefix())
}

/// One status check of `kubectl rollout status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RolloutStatus {
    /// The progress line, without newline (empty when `error` is set).
    pub message: String,
    /// The rollout finished (or failed): kubectl stops watching.
    pub done: bool,
    /// kubectl's error (`error: {this}`, exit 1).
    pub error: Option<String>,
}

/// The `StatusViewer.Status` of one object (`rollout_status.go`).
pub fn status(store: &Store, kind: Kind, ns: &str, name: &str) -> Result<RolloutStatus, ApiError> {
    let obj = get_obj(store, kind, ns, name)?;
    Ok(status_of(&obj))
}

fn ok(message: String, done: bool) -> RolloutStatus {
    RolloutStatus {
        message,
        done,
        error: None,
    }
}

fn err(e: String) -> RolloutStatus {
    RolloutStatus {
        message: String::new(),
        done: true,
        error: Some(e),
    }
}

/// The status message of an object as it stands.
pub fn status_of(obj: &Object) -> RolloutStatus {
    match obj {
        Object::Deployment(d) => {
            let name = d.metadata.name.clone().unwrap_or_default();
            let st = d.status.clone().unwrap_or_default();
            let g = |v: Option<i32>| v.unwrap_or(0);
            if d.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
                let timed_out = st.conditions.iter().flatten().any(|c| {
                    c.type_ == "Progressing"
                        && c.reason.as_deref() == Some(deployment::REASON_TIMED_OUT)
                });
                if timed_out {
                    return err(format!(
                        "deployment \"{name}\" exceeded its progress deadline"
                    ));
                }
                let want = d.spec.as_ref().and_then(|s| s.replicas);
                if let Some(want) = want {
                    if g(st.updated_replicas) < want {
                        return ok(
                            format!(
                                "Waiting for deployment \"{name}\" rollout to finish: {} out of {want} new replicas have been updated...",
                                g(st.updated_replicas)
                            ),
                            false,
                        );
                    }
                }
                if g(st.replicas) > g(st.updated_replicas) {
                    return ok(
                        format!(
                            "Waiting for deployment \"{name}\" rollout to finish: {} old replicas are pending termination...",
                            g(st.replicas) - g(st.updated_replicas)
                        ),
                        false,
                    );
                }
                if g(st.available_replicas) < g(st.updated_replicas) {
                    return ok(
                        format!(
                            "Waiting for deployment \"{name}\" rollout to finish: {} of {} updated replicas are available...",
                            g(st.available_replicas),
                            g(st.updated_replicas)
                        ),
                        false,
                    );
                }
                return ok(
                    format!("deployment \"{name}\" successfully rolled out"),
                    true,
                );
            }
            ok(
                "Waiting for deployment spec update to be observed...".into(),
                false,
            )
        }
        Object::DaemonSet(ds) => {
            let name = ds.metadata.name.clone().unwrap_or_default();
            let strategy = ds
                .spec
                .as_ref()
                .and_then(|s| s.update_strategy.as_ref())
                .and_then(|u| u.type_.as_deref())
                .unwrap_or("RollingUpdate");
            if strategy != "RollingUpdate" {
                return err(
                    "rollout status is only available for RollingUpdate strategy type".into(),
                );
            }
            let st = ds.status.clone().unwrap_or_default();
            if ds.metadata.generation.unwrap_or(0) <= st.observed_generation.unwrap_or(0) {
                let updated = st.updated_number_scheduled.unwrap_or(0);
                if updated < st.desired_number_scheduled {
                    return ok(
                        format!(
                            "Waiting for daemon set \"{name}\" rollout to finish: {updated} out of {} new pods have been updated...",
                            st.desired_number_scheduled
                        ),
                        false,
                    );
                }
                let available = st.number_available.unwrap_or(0);
                if available < st.desired_number_scheduled {
                    return ok(
                        format!(
                            "Waiting for daemon set \"{name}\" rollout to finish: {available} of {} updated pods are available...",
                            st.desired_number_scheduled
                        ),
                        false,
                    );
                }
                return ok(
                    format!("daemon set \"{name}\" successfully rolled out"),
                    true,
                );
            }
            ok(
                "Waiting for daemon set spec update to be observed...".into(),
                false,
            )
        }
        Object::StatefulSet(sts) => {
            let spec = sts.spec.clone().unwrap_or_default();
            let strategy = spec.update_strategy.clone().unwrap_or_default();
            if strategy.type_.as_deref().unwrap_or("RollingUpdate") != "RollingUpdate" {
                return err(
                    "rollout status is only available for RollingUpdate strategy type".into(),
                );
            }
            let st = sts.status.clone().unwrap_or_default();
            let observed = st.observed_generation.unwrap_or(0);
            if observed == 0 || sts.metadata.generation.unwrap_or(0) > observed {
                return ok(
                    "Waiting for statefulset spec update to be observed...".into(),
                    false,
                );
            }
            let ready = st.ready_replicas.unwrap_or(0);
            let updated = st.updated_replicas.unwrap_or(0);
            if let Some(want) = spec.replicas {
                if ready < want {
                    return ok(
                        format!("Waiting for {} pods to be ready...", want - ready),
                        false,
                    );
                }
            }
            if let Some(ru) = strategy.rolling_update {
                if let (Some(want), Some(p)) = (spec.replicas, ru.partition) {
                    if updated < want - p {
                        return ok(
                            format!(
                                "Waiting for partitioned roll out to finish: {updated} out of {} new pods have been updated...",
                                want - p
                            ),
                            false,
                        );
                    }
                }
                return ok(
                    format!(
                        "partitioned roll out complete: {updated} new pods have been updated..."
                    ),
                    true,
                );
            }
            let (cur, upd) = (
                st.current_revision.unwrap_or_default(),
                st.update_revision.unwrap_or_default(),
            );
            if upd != cur {
                return ok(
                    format!("waiting for statefulset rolling update to complete {updated} pods at revision {upd}..."),
                    false,
                );
            }
            ok(
                format!(
                    "statefulset rolling update complete {} pods at revision {cur}...",
                    st.current_replicas.unwrap_or(0)
                ),
                true,
            )
        }
        other => err(format!(
            "no status viewer has been implemented for {}",
            other.kind()
        )),
    }
}

/// `kubectl rollout status --watch=false`: the current line, and whether
/// the rollout is done. An error comes back as one `error: ...` line with
/// done = true.
pub fn status_lines(store: &Store, kind: Kind, ns: &str, name: &str) -> (Vec<String>, bool) {
    match status(store, kind, ns, name) {
        Ok(s) => match s.error {
            Some(e) => (vec![format!("error: {e}")], true),
            None => (vec![s.message], s.done),
        },
        Err(e) => (vec![e.kubectl_text()], true),
    }
}

/// `kubectl rollout status` with its watch: one line per ADDED/MODIFIED
/// event of the object, as kubectl prints them (repeats included). Create
/// it with [`StatusWatch::start`], then call [`StatusWatch::poll`] after
/// the world advanced.
#[derive(Clone, Debug)]
pub struct StatusWatch {
    kind: Kind,
    ns: String,
    name: String,
    cursor: u64,
    pub done: bool,
    /// kubectl's error, once the watch ended with one.
    pub error: Option<String>,
}

impl StatusWatch {
    /// Starts watching: the first line comes from the current object.
    pub fn start(
        store: &Store,
        kind: Kind,
        ns: &str,
        name: &str,
    ) -> Result<(StatusWatch, Vec<String>), ApiError> {
        let s = status(store, kind, ns, name)?;
        let mut w = StatusWatch {
            kind,
            ns: ns.to_string(),
            name: name.to_string(),
            cursor: store.resource_version(),
            done: false,
            error: None,
        };
        let lines = w.take(s);
        Ok((w, lines))
    }

    fn take(&mut self, s: RolloutStatus) -> Vec<String> {
        if let Some(e) = s.error {
            self.done = true;
            self.error = Some(e);
            return Vec::new();
        }
        self.done = s.done;
        vec![s.message]
    }

    /// Lines for the changes since the last poll.
    pub fn poll(&mut self, store: &Store) -> Vec<String> {
        let mut out = Vec::new();
        if self.done {
            return out;
        }
        let events: Vec<_> = match store.events_since(self.cursor) {
            Ok(it) => it.cloned().collect(),
            Err(_) => Vec::new(),
        };
        self.cursor = store.resource_version();
        for ev in events {
            let o = &*ev.object;
            if o.kind() != self.kind
                || o.meta().name.as_deref() != Some(self.name.as_str())
                || o.meta().namespace.as_deref().unwrap_or("") != self.ns
            {
                continue;
            }
            if ev.event_type == WatchEventType::Deleted {
                self.done = true;
                self.error = Some("object has been deleted".into());
                break;
            }
            out.extend(self.take(status_of(o)));
            if self.done {
                break;
            }
        }
        out
    }
}

// ----- history ----------------------------------------------------------

/// Go's tabwriter(0, 8, 2, ' ', 0) over rows of cells.
fn tabbed(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate().take(r.len().saturating_sub(1)) {
            widths[i] = widths[i].max(c.chars().count() + 2);
        }
    }
    let mut out = String::new();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i + 1 < r.len() {
                out.push_str(c);
                out.push_str(&" ".repeat(widths[i] - c.chars().count()));
            } else {
                out.push_str(c);
            }
        }
        out.push('\n');
    }
    out
}

/// (revision → (change cause, template)) for a Deployment, DaemonSet or
/// StatefulSet.
fn history_of(store: &Store, obj: &Object) -> BTreeMap<i64, (String, PodTemplateSpec)> {
    let mut out = BTreeMap::new();
    match obj {
        Object::Deployment(d) => {
            for rs in deployment::replica_sets_of(store, d) {
                let Some(rev) = deployment::revision_of(&rs.metadata) else {
                    continue;
                };
                let cause = util::annotation(&rs.metadata, CHANGE_CAUSE_ANNOTATION)
                    .unwrap_or("")
                    .to_string();
                let mut t = rs
                    .spec
                    .as_ref()
                    .and_then(|s| s.template.clone())
                    .unwrap_or_default();
                // `DeploymentHistoryViewer` writes the ReplicaSet's change
                // cause into the template it prints for `--revision=N`.
                if !cause.is_empty() {
                    t.metadata
                        .get_or_insert_with(Default::default)
                        .annotations
                        .get_or_insert_with(Default::default)
                        .insert(CHANGE_CAUSE_ANNOTATION.into(), cause.clone());
                }
                out.insert(rev, (cause, t));
            }
        }
        Object::DaemonSet(_) | Object::StatefulSet(_) => {
            for h in controller_revisions(store, obj) {
                let cause = util::annotation(&h.metadata, CHANGE_CAUSE_ANNOTATION)
                    .unwrap_or("")
                    .to_string();
                out.insert(h.revision, (cause, super::revision::template_of(&h)));
            }
        }
        _ => {}
    }
    out
}

fn controller_revisions(store: &Store, obj: &Object) -> Vec<ControllerRevision> {
    let m = obj.meta();
    let ns = m.namespace.as_deref().unwrap_or("");
    let uid = m.uid.as_deref().unwrap_or("");
    store
        .list_as::<ControllerRevision>(Some(ns))
        .filter(|h| util::is_controlled_by(&h.metadata, uid))
        .cloned()
        .collect()
}

/// `kubectl rollout history`: the whole stdout text (title line, table or
/// template, trailing empty line).
pub fn history(
    store: &Store,
    kind: Kind,
    ns: &str,
    name: &str,
    revision: Option<i64>,
) -> Result<String, ApiError> {
    let obj = get_obj(store, kind, ns, name)?;
    if !matches!(kind, Kind::Deployment | Kind::DaemonSet | Kind::StatefulSet) {
        return Err(client_error(format!(
            "no history viewer has been implemented for {:?}",
            kind.info().kind
        )));
    }
    let hist = history_of(store, &obj);
    let title = prefix(kind, name);
    match revision.filter(|r| *r > 0) {
        Some(r) => {
            let Some((_, t)) = hist.get(&r) else {
                return Err(client_error("unable to find the specified revision"));
            };
            Ok(format!(
                "{title} with revision #{r}\n{}\n",
                describe_template(t)
            ))
        }
        None => {
            let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()]];
            for (r, (cause, _)) in &hist {
                rows.push(vec![
                    r.to_string(),
                    if cause.is_empty() {
                        "<none>".into()
                    } else {
                        cause.clone()
                    },
                ]);
            }
            Ok(format!("{title} \n{}\n", tabbed(&rows)))
        }
    }
}

/// `describe.DescribePodTemplate` written without a tab writer, as
/// `printTemplate` does (tabs stay in the text).
pub fn describe_template(t: &PodTemplateSpec) -> String {
    let mut s = String::from("Pod Template:\n");
    let meta = t.metadata.clone().unwrap_or_default();
    multiline(
        &mut s,
        "  Labels",
        meta.labels
            .as_ref()
            .map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect()),
    );
    if meta.annotations.as_ref().is_some_and(|a| !a.is_empty()) {
        multiline(
            &mut s,
            "  Annotations",
            meta.annotations
                .as_ref()
                .map(|a| a.iter().map(|(k, v)| format!("{k}: {v}")).collect()),
        );
    }
    let spec = t.spec.clone().unwrap_or_default();
    if let Some(sa) = spec
        .service_account_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        s.push_str(&format!("  Service Account:\t{sa}\n"));
    }
    if let Some(ic) = spec.init_containers.as_ref().filter(|c| !c.is_empty()) {
        containers(&mut s, "Init Containers", ic);
    }
    containers(&mut s, "Containers", &spec.containers);
    match spec.volumes.as_ref().filter(|v| !v.is_empty()) {
        None => s.push_str("  Volumes:\t<none>\n"),
        Some(vs) => {
            s.push_str("  Volumes:\n");
            for v in vs {
                s.push_str(&format!("   {}:\n", v.name));
                let (ty, detail) = if let Some(c) = &v.persistent_volume_claim {
                    ("PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)", format!("    ClaimName:\t{}\n    ReadOnly:\t{}\n", c.claim_name, c.read_only.unwrap_or(false)))
                } else if let Some(c) = &v.config_map {
                    (
                        "ConfigMap (a volume populated by a ConfigMap)",
                        format!(
                            "    Name:\t{}\n    Optional:\t{}\n",
                            c.name,
                            c.optional.unwrap_or(false)
                        ),
                    )
                } else if v.empty_dir.is_some() {
                    (
                        "EmptyDir (a temporary directory that shares a pod's lifetime)",
                        String::new(),
                    )
                } else {
                    ("<unknown>", String::new())
                };
                s.push_str(&format!("    Type:\t{ty}\n{detail}"));
            }
        }
    }
    if let Some(pc) = spec
        .priority_class_name
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        s.push_str(&format!("  Priority Class Name:\t{pc}\n"));
    }
    multiline(
        &mut s,
        "  Node-Selectors",
        spec.node_selector
            .as_ref()
            .map(|l| l.iter().map(|(k, v)| format!("{k}={v}")).collect()),
    );
    multiline(
        &mut s,
        "  Tolerations",
        spec.tolerations.as_ref().map(|ts| {
            ts.iter()
                .map(|t| {
                    let mut x = t.key.clone().unwrap_or_default();
                    if let Some(v) = t.value.as_deref().filter(|v| !v.is_empty()) {
                        x.push_str(&format!("={v}"));
                    }
                    if let Some(e) = t.effect.as_deref().filter(|e| !e.is_empty()) {
                        x.push_str(&format!(":{e}"));
                    }
                    if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                        x.push_str(" op=Exists");
                    }
                    if let Some(secs) = t.toleration_seconds {
                        x.push_str(&format!(" for {secs}s"));
                    }
                    x
                })
                .collect()
        }),
    );
    s
}

fn multiline(s: &mut String, title: &str, items: Option<Vec<String>>) {
    s.push_str(&format!("{title}:\t"));
    match items.filter(|i| !i.is_empty()) {
        None => s.push_str("<none>\n"),
        Some(items) => {
            for (i, it) in items.iter().enumerate() {
                if i > 0 {
                    s.push('\t');
                }
                s.push_str(it);
                s.push('\n');
            }
        }
    }
}

fn containers(s: &mut String, label: &str, cs: &[k8s_openapi::api::core::v1::Container]) {
    s.push_str(&format!("  {label}:\n"));
    for c in cs {
        s.push_str(&format!("   {}:\n", c.name));
        s.push_str(&format!(
            "    Image:\t{}\n",
            c.image.as_deref().unwrap_or("")
        ));
        let ports: Vec<String> = c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.container_port,
                    p.protocol.as_deref().unwrap_or("TCP")
                )
            })
            .collect();
        let host: Vec<String> = c
            .ports
            .iter()
            .flatten()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.host_port.unwrap_or(0),
                    p.protocol.as_deref().unwrap_or("TCP")
                )
            })
            .collect();
        let or_none = |v: &[String]| {
            if v.is_empty() {
                "<none>".to_string()
            } else {
                v.join(", ")
            }
        };
        s.push_str(&format!(
            "    {}:\t{}\n",
            if ports.len() > 1 { "Ports" } else { "Port" },
            or_none(&ports)
        ));
        s.push_str(&format!(
            "    {}:\t{}\n",
            if host.len() > 1 {
                "Host Ports"
            } else {
                "Host Port"
            },
            or_none(&host)
        ));
        for (title, vals) in [("Command", &c.command), ("Args", &c.args)] {
            if let Some(v) = vals.as_ref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("    {title}:\n"));
                for a in v {
                    s.push_str(&format!("      {a}\n"));
                }
            }
        }
        if let Some(r) = &c.resources {
            for (title, m) in [("Limits", &r.limits), ("Requests", &r.requests)] {
                if let Some(m) = m.as_ref().filter(|m| !m.is_empty()) {
                    s.push_str(&format!("    {title}:\n"));
                    for (k, v) in m {
                        s.push_str(&format!("      {k}:\t{}\n", v.0));
                    }
                }
            }
        }
        match c.env.as_ref().filter(|e| !e.is_empty()) {
            None => s.push_str("    Environment:\t<none>\n"),
            Some(env) => {
                s.push_str("    Environment:\n");
                for e in env {
                    s.push_str(&format!(
                        "      {}:\t{}\n",
                        e.name,
                        e.value.as_deref().unwrap_or("")
                    ));
                }
            }
        }
        match c.volume_mounts.as_ref().filter(|m| !m.is_empty()) {
            None => s.push_str("    Mounts:\t<none>\n"),
            Some(ms) => {
                s.push_str("    Mounts:\n");
                for m in ms {
                    let ro = if m.read_only.unwrap_or(false) {
                        "ro"
                    } else {
                        "rw"
                    };
                    s.push_str(&format!("      {} from {} ({ro})\n", m.mount_path, m.name));
                }
            }
        }
    }
}

// ----- undo ---------------------------------------------------------------

/// `kubectl rollout undo [--to-revision=N]`: the name-printer line,
/// `deployment.apps/web rolled back` or `... skipped rollback (current
/// template already matches revision N)`.
pub fn undo(
    store: &mut Store,
    kind: Kind,
    ns: &str,
    name: &str,
    to_revision: Option<i64>,
) -> Result<String, ApiError> {
    let obj = get_obj(store, kind, ns, name)?;
    let to = to_revision.unwrap_or(0);
    let p = prefix(kind, name);
    if to < 0 {
        return Err(client_error(format!(
            "unable to find specified revision {to} in history"
        )));
    }
    match obj {
        Object::Deployment(d) => {
            if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
                return Err(client_error(
                    "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again",
                ));
            }
            let rs = deployment_revision(store, &d, to)?;
            let template = rs
                .spec
                .as_ref()
                .and_then(|s| s.template.clone())
                .unwrap_or_default();
            let current = d
                .spec
                .as_ref()
                .map(|s| s.template.clone())
                .unwrap_or_default();
            if util::equal_ignore_hash(&template, &current) {
                return Ok(format!(
                    "{p} skipped rollback (current template already matches revision {to})"
                ));
            }
            let mut template = template;
            if let Some(l) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
                l.remove("pod-template-hash");
            }
            // The deployment's skipped annotations stay; the others come from
            // the ReplicaSet.
            let mut annotations: BTreeMap<String, String> = BTreeMap::new();
            for (k, v) in d.metadata.annotations.iter().flatten() {
                if ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
                    annotations.insert(k.clone(), v.clone());
                }
            }
            for (k, v) in rs.metadata.annotations.iter().flatten() {
                if !ANNOTATIONS_TO_SKIP.contains(&k.as_str()) {
                    annotations.insert(k.clone(), v.clone());
                }
            }
            store.modify::<Deployment>(ns, name, false, |d| {
                d.spec.get_or_insert_with(Default::default).template = template;
                d.metadata.annotations = Some(annotations);
            })?;
            Ok(format!("{p} rolled back"))
        }
        Object::DaemonSet(_) | Object::StatefulSet(_) => {
            let hist = controller_revisions(store, &obj);
            if to == 0 && hist.len() <= 1 {
                return Err(client_error("no last revision to roll back to"));
            }
            let target = if to == 0 {
                let mut revs: Vec<&ControllerRevision> = hist.iter().collect();
                revs.sort_by_key(|h| std::cmp::Reverse(h.revision));
                revs.get(1).copied()
            } else {
                hist.iter().find(|h| h.revision == to)
            };
            let Some(target) = target else {
                return Err(client_error(format!(
                    "unable to find specified revision {to} in history"
                )));
            };
            let template = super::revision::template_of(target);
            let current = match &obj {
                Object::DaemonSet(ds) => ds.spec.as_ref().map(|s| s.template.clone()),
                Object::StatefulSet(s) => s.spec.as_ref().map(|s| s.template.clone()),
                _ => None,
            }
            .unwrap_or_default();
            if template == current {
                return Ok(format!(
                    "{p} skipped rollback (current template already matches revision {to})"
                ));
            }
            match kind {
                Kind::DaemonSet => store.modify::<DaemonSet>(ns, name, false, |d| {
                    d.spec.get_or_insert_with(Default::default).template = template;
                })?,
                _ => store.modify::<StatefulSet>(ns, name, false, |s| {
                    s.spec.get_or_insert_with(Default::default).template = template;
                })?,
            };
            Ok(format!("{p} rolled back"))
        }
        _ => Err(client_error(format!(
            "no rollbacker has been implemented for {:?}",
            kind.info().kind
        ))),
    }
}

/// `deploymentRevision`: the ReplicaSet of `to` (or the previous one).
fn deployment_revision(store: &Store, d: &Deployment, to: i64) -> Result<ReplicaSet, ApiError> {
    let all = deployment::replica_sets_of(store, d);
    let (mut latest, mut latest_rev, mut prev, mut prev_rev) = (None, -1i64, None, -1i64);
    for rs in &all {
        let Some(v) =
            util::annotation(&rs.metadata, REVISION_ANNOTATION).and_then(|v| v.parse::<i64>().ok())
        else {
            continue;
        };
        if to == 0 {
            if latest_rev < v {
                prev_rev = latest_rev;
                prev = latest;
                latest_rev = v;
                latest = Some(rs.clone());
            } else if prev_rev < v {
                prev_rev = v;
                prev = Some(rs.clone());
            }
        } else if to == v {
            return Ok(rs.clone());
        }
    }
    if to > 0 {
        return Err(client_error(format!(
            "unable to find specified revision {to} in history"
        )));
    }
    prev.ok_or_else(|| {
        client_error(format!(
            "no rollout history found for deployment \"{}\"",
            d.metadata.name.as_deref().unwrap_or("")
        ))
    })
}

// ----- restart, pause, resume --------------------------------------------

/// `kubectl rollout restart`: stamps `kubectl.kubernetes.io/restartedAt`
/// on the pod template (RFC 3339, virtual time).
pub fn restart(store: &mut Store, kind: Kind, ns: &str, name: &str) -> Result<String, ApiError> {
    let obj = get_obj(store, kind, ns, name)?;
    let now = store
        .timestamp_secs()
        .0
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let stamp = |t: &mut PodTemplateSpec| {
        t.metadata
            .get_or_insert_with(Default::default)
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert(RESTARTED_AT_ANNOTATION.into(), now.clone());
    };
    match obj {
        Object::Deployment(d) => {
            if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) {
                return Err(client_error(
                    "can't restart paused deployment (run rollout resume first)",
                ));
            }
            store.modify::<Deployment>(ns, name, false, |d| {
                stamp(&mut d.spec.get_or_insert_with(Default::default).template)
            })?;
        }
        Object::DaemonSet(_) => {
            store.modify::<DaemonSet>(ns, name, false, |d| {
                stamp(&mut d.spec.get_or_insert_with(Default::default).template)
            })?;
        }
        Object::StatefulSet(_) => {
            store.modify::<StatefulSet>(ns, name, false, |s| {
                stamp(&mut s.spec.get_or_insert_with(Default::default).template)
            })?;
        }
        _ => {
            return Err(client_error(format!(
                "{} \"{name}\" restarting is not supported",
                kind.info().group_resource()
            )))
        }
    }
    Ok(format!("{} restarted", prefix(kind, name)))
}

fn set_paused(
    store: &mut Store,
    kind: Kind,
    ns: &str,
    name: &str,
    paused: bool,
) -> Result<String, ApiError> {
    let (verb, done) = if paused {
        ("pausing", "paused")
    } else {
        ("resuming", "resumed")
    };
    let obj = get_obj(store, kind, ns, name)?;
    let Object::Deployment(d) = obj else {
        return Err(client_error(format!(
            "{} \"{name}\" {verb} is not supported",
            kind.info().group_resource()
        )));
    };
    if d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false) == paused {
        return Ok(format!("{} already {done}", prefix(kind, name)));
    }
    store.modify::<Deployment>(ns, name, false, |d| {
        d.spec.get_or_insert_with(Default::default).paused = if paused { Some(true) } else { None };
    })?;
    Ok(format!("{} {done}", prefix(kind, name)))
}

/// `kubectl rollout pause`: `deployment.apps/web paused` / `already paused`.
pub fn pause(store: &mut Store, kind: Kind, ns: &str, name: &str) -> Result<String, ApiError> {
    set_paused(store, kind, ns, name, true)
}

/// `kubectl rollout resume`: `deployment.apps/web resumed` / `already resumed`.
pub fn resume(store: &mut Store, kind: Kind, ns: &str, name: &str) -> Result<String, ApiError> {
    set_paused(store, kind, ns, name, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `kubectl/pkg/polymorphichelpers/history.go` `tabbedString`:
    /// tabwriter(0, 8, 2, ' ', 0).
    #[test]
    fn history_table_is_tab_aligned() {
        let rows = vec![
            vec!["REVISION".to_string(), "CHANGE-CAUSE".to_string()],
            vec!["1".to_string(), "<none>".to_string()],
        ];
        assert_eq!(tabbed(&rows), "REVISION  CHANGE-CAUSE\n1         <none>\n");
    }
}
