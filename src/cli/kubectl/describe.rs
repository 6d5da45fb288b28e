//! `kubectl describe`: finds objects as kubectl does (exact name, else
//! name prefix; `TYPE/NAME`; `-l`; `-A`; `-f`) and prints each one.
//!
//! The text comes from [`describe_object`]: kubectl's generic describer
//! (`k8s.io/kubectl/pkg/describe/describe.go`, `GenericDescriberFor` and
//! `printUnstructuredContent`) with the Events table at the bottom. Lead:
//! replace the body of [`describe_object`] with the printers' per-kind
//! describers when they land; everything else here stays.

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::format::tabwriter;
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::printers::age::age_since;
use crate::sim::store::ListOptions;
use crate::sim::World;
use k8s_openapi::api::core::v1::Event;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

pub const FLAGS: &[FlagSpec] = &[
    flag("all-namespaces", Some('A'), false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files containing the resource to describe").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("show-events", None, false, "If true, display events related to the described object.").default("true"),
    flag("chunk-size", None, true, "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.").default("500"),
];

pub fn describe(ctx: &mut Ctx) -> Output {
    let show_events = ctx.args.get("show-events").is_none_or(|v| v != "false");
    let ns = ctx.namespace();
    let all_ns = ctx.all_namespaces();
    let mut objs: Vec<Arc<Object>> = Vec::new();
    let mut out = Output::default();
    let kinds_requested: Vec<Kind>;
    if let Some(f) = ctx.args.get("filename").map(str::to_string) {
        match super::targets(ctx, &[]) {
            Ok(t) => {
                kinds_requested = t.iter().map(|x| x.0).collect();
                for (k, ons, n) in t {
                    match ctx.world.store.get(k, &ons, &n) {
                        Ok(o) => objs.push(o.clone()),
                        Err(e) => out.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
            Err(e) => return Output::error(format!("{e} ({f})")),
        }
    } else {
        let res = match resources::parse(&ctx.args.positional) {
            Ok(r) => r,
            Err(_) if ctx.args.positional.is_empty() => {
                return Output::err("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl describe -h' for help and examples");
            }
            Err(e) => return Output::error(e),
        };
        let selector = match ctx.args.get("selector").map(Selector::parse).transpose() {
            Ok(s) => s.unwrap_or_default(),
            Err(e) => return Output::error(e),
        };
        match res {
            ResourceArg::Named(pairs) => {
                kinds_requested = pairs.iter().map(|p| p.0).collect();
                for (k, n) in pairs {
                    match ctx.world.store.get(k, &ns, &n) {
                        Ok(o) => objs.push(o.clone()),
                        Err(e) => out.extend(Output::err(e.kubectl_text())),
                    }
                }
            }
            ResourceArg::Kinds(kinds, names) => {
                kinds_requested = kinds.clone();
                for k in kinds {
                    let scope = if all_ns || !k.info().namespaced {
                        None
                    } else {
                        Some(ns.as_str())
                    };
                    if names.is_empty() {
                        match ctx.world.store.list(
                            k,
                            scope,
                            &ListOptions {
                                label_selector: selector.clone(),
                                ..Default::default()
                            },
                        ) {
                            Ok(l) => objs.extend(l.items),
                            Err(e) => out.extend(Output::err(e.kubectl_text())),
                        }
                        continue;
                    }
                    for n in &names {
                        // An exact name, else every object whose name starts with it.
                        if let Some(o) = ctx.world.store.try_get(k, &ns, n) {
                            objs.push(o.clone());
                            continue;
                        }
                        let by_prefix: Vec<Arc<Object>> = ctx
                            .world
                            .store
                            .iter(k, scope)
                            .filter(|o| {
                                o.meta()
                                    .name
                                    .as_deref()
                                    .is_some_and(|x| x.starts_with(n.as_str()))
                            })
                            .cloned()
                            .collect();
                        if by_prefix.is_empty() {
                            out.extend(Output::err(
                                crate::sim::store::ApiError::not_found(k, n).kubectl_text(),
                            ));
                        }
                        objs.extend(by_prefix);
                    }
                }
            }
        }
    }
    if objs.is_empty() && out.code == 0 {
        let namespaced = kinds_requested.iter().all(|k| k.info().namespaced);
        out.push_err(&if namespaced && !all_ns {
            format!("No resources found in {ns} namespace.")
        } else {
            "No resources found".to_string()
        });
        return out;
    }
    let texts: Vec<String> = objs
        .iter()
        .map(|o| describe_object(ctx.world, o, show_events))
        .collect();
    let body = texts.join("\n\n");
    let errs = std::mem::take(&mut out.stderr);
    out.stdout.push_str(&body);
    out.stderr = errs;
    out
}

/// The describe text of one object: the printers' describer for its kind
/// (kubectl's layout, with the objects it looks up and its Events).
pub fn describe_object(world: &World, obj: &Object, show_events: bool) -> String {
    let mut ctx = crate::printers::describe::DescribeContext::gather(&world.store, obj);
    ctx.show_events = show_events;
    crate::printers::describe::describe(obj, &ctx, world.store.timestamp().0)
}

/// kubectl's generic describer (for kinds without their own describer).
#[allow(dead_code)]
fn generic_describe(world: &World, obj: &Object, show_events: bool) -> String {
    let now = world.store.timestamp().0;
    let m = obj.meta();
    let mut t = String::new();
    t.push_str(&format!("Name:\t{}\n", m.name.as_deref().unwrap_or("")));
    if obj.kind().info().namespaced {
        t.push_str(&format!(
            "Namespace:\t{}\n",
            m.namespace.as_deref().unwrap_or("")
        ));
    }
    labels_multiline(&mut t, "Labels", m.labels.as_ref());
    annotations_multiline(&mut t, "Annotations", m.annotations.as_ref());
    let mut v = obj.to_json();
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in [
            "name",
            "namespace",
            "labels",
            "annotations",
            "managedFields",
        ] {
            meta.remove(k);
        }
    }
    if let Value::Object(map) = &v {
        unstructured(&mut t, 0, map);
    }
    if show_events {
        t.push_str(&events_section(world, obj, now));
    }
    tabwriter::align(&t, 0, 2)
}

fn labels_multiline(t: &mut String, title: &str, labels: Option<&BTreeMap<String, String>>) {
    t.push_str(&format!("{title}:\t"));
    match labels.filter(|l| !l.is_empty()) {
        None => t.push_str("<none>\n"),
        Some(l) => {
            for (i, (k, v)) in l.iter().enumerate() {
                if i > 0 {
                    t.push('\t');
                }
                t.push_str(&format!("{k}={v}\n"));
            }
        }
    }
}

/// printAnnotationsMultiline: sorted `k: v`, the last-applied annotation
/// skipped, long or multi-line values on their own lines cut at 138.
fn annotations_multiline(t: &mut String, title: &str, ann: Option<&BTreeMap<String, String>>) {
    t.push_str(&format!("{title}:\t"));
    let keys: Vec<&String> = ann
        .map(|a| {
            a.keys()
                .filter(|k| *k != "kubectl.kubernetes.io/last-applied-configuration")
                .collect()
        })
        .unwrap_or_default();
    if keys.is_empty() {
        t.push_str("<none>\n");
        return;
    }
    let ann = ann.expect("non-empty");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            t.push('\t');
        }
        let value = ann[*k].trim_end_matches('\n');
        if value.len() + k.len() + 2 > 140 || value.contains('\n') {
            t.push_str(&format!("{k}:\n"));
            for s in value.split('\n') {
                let s: String = if s.chars().count() > 138 {
                    format!("{}...", s.chars().take(138).collect::<String>())
                } else {
                    s.to_string()
                };
                t.push_str(&format!("\t  {s}\n"));
            }
        } else {
            t.push_str(&format!("{k}: {value}\n"));
        }
    }
}

/// smartLabelFor: `apiVersion` → `API Version`, `uid` → `UID`.
fn smart_label(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    // camelcase.Split: runs of lower, upper, digits; an upper run followed
    // by lower gives its last letter to the next word.
    let chars: Vec<char> = field.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = i > 0 && {
            let p = chars[i - 1];
            (p.is_lowercase() && c.is_uppercase())
                || (p.is_uppercase()
                    && c.is_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_lowercase()))
                || (c == '-') != (p == '-')
        };
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    const ACRONYMS: &[&str] = &["API", "URL", "UID", "OSB", "GUID"];
    parts
        .iter()
        .filter(|p| p.as_str() != "_")
        .map(|p| {
            let up = p.to_uppercase();
            if ACRONYMS.contains(&up.as_str()) {
                up
            } else {
                let mut c = p.chars();
                match c.next() {
                    Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                    None => String::new(),
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Go's `%v` of a JSON value in describe (numbers are float64 there).
fn go_v(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 1e21 {
                if f.abs() >= 1e6 {
                    // %v of float64 switches to exponent form at 1e21 for %v
                    // with 'g' shortest: 1e+06 for a million.
                    let e = format!("{f:e}");
                    let (m, x) = e.split_once('e').unwrap_or((&e, "0"));
                    let (sign, d) = match x.strip_prefix('-') {
                        Some(d) => ('-', d),
                        None => ('+', x),
                    };
                    return format!("{m}e{sign}{d:0>2}");
                }
                format!("{}", f as i64)
            } else {
                f.to_string()
            }
        }
        Value::Bool(b) => b.to_string(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// printUnstructuredContent: fields sorted; maps and lists as titled
/// sections one level deeper.
fn unstructured(t: &mut String, level: usize, m: &serde_json::Map<String, Value>) {
    let pad = "  ".repeat(level);
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    for k in keys {
        let v = &m[k];
        match v {
            Value::Object(c) => {
                t.push_str(&format!("{pad}{}:\n", smart_label(k)));
                unstructured(t, level + 1, c);
            }
            Value::Array(a) => {
                t.push_str(&format!("{pad}{}:\n", smart_label(k)));
                for x in a {
                    match x {
                        Value::Object(c) => unstructured(t, level + 1, c),
                        other => t.push_str(&format!("{pad}  {}\n", go_v(other))),
                    }
                }
            }
            other => t.push_str(&format!("{pad}{}:\t{}\n", smart_label(k), go_v(other))),
        }
    }
}

/// The Events section (printers.md §4.2).
fn events_section(world: &World, obj: &Object, now: jiff::Timestamp) -> String {
    let m = obj.meta();
    let ns = m.namespace.clone().unwrap_or_else(|| "default".into());
    let name = m.name.clone().unwrap_or_default();
    let uid = m.uid.clone().unwrap_or_default();
    let kind = obj.kind().info().kind;
    let scope = if obj.kind().info().namespaced {
        Some(ns.as_str())
    } else {
        None
    };
    let mut events: Vec<Event> = world
        .store
        .list(
            Kind::Event,
            scope,
            &ListOptions {
                field_selector: FieldSelector::default(),
                ..Default::default()
            },
        )
        .map(|l| l.items)
        .unwrap_or_default()
        .iter()
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(e.clone()),
            _ => None,
        })
        .filter(|e| {
            let io = &e.involved_object;
            io.name.as_deref() == Some(name.as_str())
                && (io.uid.as_deref() == Some(uid.as_str())
                    || (kind == "Node" && io.uid.as_deref() == Some(name.as_str())))
                && (kind == "Pod" || io.kind.as_deref() == Some(kind))
        })
        .collect();
    if events.is_empty() {
        return "Events:\t<none>\n".into();
    }
    events.sort_by(|a, b| {
        let ta = a.last_timestamp.as_ref().map(|t| t.0);
        let tb = b.last_timestamp.as_ref().map(|t| t.0);
        ta.cmp(&tb)
    });
    let mut s = String::from(
        "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------\n",
    );
    for e in &events {
        let first_time = e
            .event_time
            .as_ref()
            .map(|t| k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0))
            .or_else(|| e.first_timestamp.clone());
        let first = age_since(first_time.as_ref(), now);
        let age = if let Some(series) = &e.series {
            let last = series
                .last_observed_time
                .as_ref()
                .map(|t| k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0));
            format!(
                "{} (x{} over {first})",
                age_since(last.as_ref(), now),
                series.count.unwrap_or(0)
            )
        } else if e.count.unwrap_or(1) > 1 {
            format!(
                "{} (x{} over {first})",
                age_since(e.last_timestamp.as_ref(), now),
                e.count.unwrap_or(1)
            )
        } else {
            first
        };
        let from = e
            .source
            .as_ref()
            .and_then(|s| s.component.clone())
            .filter(|c| !c.is_empty())
            .or_else(|| e.reporting_component.clone())
            .unwrap_or_default();
        s.push_str(&format!(
            "  {}\t{}\t{}\t{}\t{}\n",
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            age,
            from,
            e.message.as_deref().unwrap_or("").trim()
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smart_labels_follow_kubectl() {
        assert_eq!(smart_label("apiVersion"), "API Version");
        assert_eq!(smart_label("creationTimestamp"), "Creation Timestamp");
        assert_eq!(smart_label("uid"), "UID");
        assert_eq!(smart_label("podCIDR"), "Pod CIDR");
        assert_eq!(smart_label("kubelet.version"), "kubelet.version");
    }
}
