//! `kubectl explain TYPE[.field...] [--recursive]`: field documentation
//! from the OpenAPI schemas of the k8s-openapi types (their `schemars`
//! impls carry the upstream descriptions), laid out by kubectl's explain
//! template (`k8s.io/kubectl/pkg/explain/v2/templates/plaintext.tmpl`,
//! with `wrap` from `explain/v2/funcs.go`: go-wordwrap at 76 columns).

use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::Kind;
use schemars::SchemaGenerator;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const FLAGS: &[FlagSpec] = &[
    flag("recursive", None, false, "When true, print the name of all the fields recursively. Otherwise, print the available fields with their description."),
    flag("api-version", None, true, "Use given api-version (group/version) of the resource."),
    flag("output", Some('o'), true, "Format in which to render the schema. Valid values are: (plaintext, plaintext-openapiv2).").default("'plaintext'"),
];

/// The schemas of every kind: definitions by name, and each kind's root.
struct Document {
    defs: Map<String, Value>,
    roots: BTreeMap<Kind, Value>,
}

macro_rules! roots {
    ($gen:ident, $roots:ident, $($kind:ident => $ty:ty),* $(,)?) => {
        $( $roots.insert(Kind::$kind, $gen.subschema_for::<$ty>().to_value()); )*
    };
}

fn document() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| {
        use k8s_openapi::api::{
            apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch,
            coordination::v1 as coordination, core::v1 as core, discovery::v1 as discovery,
            networking::v1 as networking, policy::v1 as policy, rbac::v1 as rbac,
            scheduling::v1 as scheduling, storage::v1 as storage,
        };
        let mut gen = SchemaGenerator::default();
        let mut roots = BTreeMap::new();
        roots!(gen, roots,
            Pod => core::Pod, ReplicationController => core::ReplicationController,
            Service => core::Service, ConfigMap => core::ConfigMap, Endpoints => core::Endpoints,
            Event => core::Event, LimitRange => core::LimitRange, Namespace => core::Namespace,
            Node => core::Node, PersistentVolumeClaim => core::PersistentVolumeClaim,
            PersistentVolume => core::PersistentVolume, ResourceQuota => core::ResourceQuota,
            Secret => core::Secret, ServiceAccount => core::ServiceAccount,
            ControllerRevision => apps::ControllerRevision, DaemonSet => apps::DaemonSet,
            Deployment => apps::Deployment, ReplicaSet => apps::ReplicaSet, StatefulSet => apps::StatefulSet,
            HorizontalPodAutoscaler => autoscaling::HorizontalPodAutoscaler,
            CronJob => batch::CronJob, Job => batch::Job, Lease => coordination::Lease,
            EndpointSlice => discovery::EndpointSlice, IngressClass => networking::IngressClass,
            Ingress => networking::Ingress, NetworkPolicy => networking::NetworkPolicy,
            PodDisruptionBudget => policy::PodDisruptionBudget,
            ClusterRoleBinding => rbac::ClusterRoleBinding, ClusterRole => rbac::ClusterRole,
            RoleBinding => rbac::RoleBinding, Role => rbac::Role,
            PriorityClass => scheduling::PriorityClass, StorageClass => storage::StorageClass,
        );
        let mut defs = gen.definitions().clone();
        for v in defs.values_mut() {
            normalize(v);
            // k8s-openapi marks `metadata` required (it is not optional in
            // Rust); the apiserver's schemas do not.
            if let Some(req) = v.get_mut("required").and_then(Value::as_array_mut) {
                req.retain(|r| r != "metadata");
                if req.is_empty() {
                    if let Some(m) = v.as_object_mut() {
                        m.remove("required");
                    }
                }
            }
        }
        Document { defs, roots }
    })
}

/// As the apiserver serves OpenAPI v3: a `$ref` with sibling keywords
/// (its description) becomes `allOf: [{$ref}]` next to them.
fn normalize(v: &mut Value) {
    match v {
        Value::Object(m) => {
            if m.contains_key("$ref") && m.len() > 1 {
                let r = m.remove("$ref").expect("present");
                m.insert("allOf".into(), serde_json::json!([{"$ref": r}]));
            }
            for x in m.values_mut() {
                normalize(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalize),
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Document, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or(r);
            doc.defs.get(name).unwrap_or(schema)
        }
        None => schema,
    }
}

/// The explain template's `typeGuess`.
fn type_guess(doc: &Document, s: &Value) -> String {
    if let Some(items) = s.get("items") {
        return format!("[]{}", type_guess(doc, items));
    }
    if let Some(ap) = s.get("additionalProperties").filter(|a| a.is_object()) {
        return format!("map[string]{}", type_guess(doc, ap));
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        if s.get("properties").is_none() && all.len() == 1 {
            return type_guess(doc, &all[0]);
        }
    }
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = resolve(doc, s);
        let ty = target.get("type").and_then(Value::as_str);
        return match ty {
            None | Some("object") => {
                let name = r.rsplit('/').next().unwrap_or(r);
                name.rsplit('.')
                    .next()
                    .filter(|n| !n.is_empty())
                    .unwrap_or("Object")
                    .to_string()
            }
            Some(t) => t.to_string(),
        };
    }
    match s.get("type").and_then(Value::as_str) {
        Some("object") | None => "Object".into(),
        Some(t) => t.to_string(),
    }
}

/// The explain template's `description`: own, then allOf/items/maps'.
fn description(doc: &Document, s: &Value, out: &mut String) {
    let r = resolve(doc, s);
    if let Some(d) = r.get("description").and_then(Value::as_str) {
        if !d.is_empty() {
            out.push_str(d);
            out.push('\n');
        }
    }
    for a in r
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        description(doc, a, out);
    }
    if let Some(i) = r.get("items") {
        description(doc, i, out);
    }
    if let Some(ap) = r.get("additionalProperties").filter(|a| a.is_object()) {
        description(doc, ap, out);
    }
}

/// go-wordwrap's `WrapString` (v1.0.1), as explain's `wrap` applies it:
/// breaks at whitespace past `lim` columns, keeps the text's own line
/// breaks. (kubectl v1.34 output keeps them, e.g. `...#spec-and-status`
/// then `PodSpec is a description of a pod.` on the next line.)
pub fn wrap(s: &str, lim: usize) -> String {
    let mut buf = String::new();
    let mut current = 0usize;
    let mut word = String::new();
    let mut word_len = 0usize;
    let mut space = String::new();
    let mut space_len = 0usize;
    for c in s.chars() {
        if c == '\n' {
            if word_len == 0 {
                // Trailing blanks are kept only if they fit the line.
                if current + space_len <= lim {
                    buf.push_str(&space);
                }
            } else {
                buf.push_str(&space);
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            buf.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space_len == 0 || word_len > 0 {
                current += space_len + word_len;
                buf.push_str(&space);
                space.clear();
                space_len = 0;
                buf.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > lim && word_len < lim {
                buf.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word_len == 0 {
        if current + space_len <= lim {
            buf.push_str(&space);
        }
    } else {
        buf.push_str(&space);
        buf.push_str(&word);
    }
    buf
}

/// The explain template's `indent`.
fn indent(n: usize, s: &str) -> String {
    let pad = " ".repeat(n);
    format!("{pad}{}", s.replace('\n', &format!("\n{pad}")))
}

fn field_list(
    doc: &Document,
    s: &Value,
    level: usize,
    recursive: bool,
    history: &mut Vec<String>,
    out: &mut String,
) {
    let r = s.get("$ref").and_then(Value::as_str).map(str::to_string);
    if let Some(r) = &r {
        if history.contains(r) {
            return;
        }
    }
    let pushed = r.is_some();
    if let Some(r) = r {
        history.push(r);
    }
    let resolved = resolve(doc, s);
    if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = resolved
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut keys: Vec<&String> = props.keys().collect();
        keys.sort();
        for k in keys {
            let fs = &props[k];
            let ind = level * 2;
            out.push_str(&format!("{}\t<{}>", indent(ind, k), type_guess(doc, fs)));
            if required.contains(&k.as_str()) {
                out.push_str(" -required-");
            }
            if let Some(e) = fs.get("enum").and_then(Value::as_array) {
                let items: Vec<String> = e.iter().take(4).map(enum_text).collect();
                out.push_str(&format!("\n{}enum: {}", " ".repeat(ind), items.join(", ")));
                if e.len() > 4 {
                    out.push_str(", ....");
                }
            }
            out.push('\n');
            if !recursive {
                let mut d = String::new();
                description_of_field(fs, &mut d);
                let d = if d.is_empty() {
                    "<no description>".to_string()
                } else {
                    d
                };
                out.push_str(&indent(ind + 2, &wrap(&d, 78 - ind)));
                out.push_str("\n\n");
            } else {
                field_list(doc, fs, level + 1, recursive, history, out);
            }
        }
    }
    for a in resolved
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        field_list(doc, a, level, recursive, history, out);
    }
    if let Some(i) = resolved.get("items") {
        field_list(doc, i, level, recursive, history, out);
    }
    if let Some(ap) = resolved
        .get("additionalProperties")
        .filter(|a| a.is_object())
    {
        field_list(doc, ap, level, recursive, history, out);
    }
    if pushed {
        history.pop();
    }
}

/// A field's own description (`$fieldSchema.description`).
fn description_of_field(fs: &Value, out: &mut String) {
    if let Some(d) = fs.get("description").and_then(Value::as_str) {
        out.push_str(d);
    }
}

fn enum_text(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The whole explain text for `kind` and a field path.
pub fn explain_text(kind: Kind, path: &[String], recursive: bool) -> Result<String, String> {
    let doc = document();
    let root = doc.roots.get(&kind).ok_or_else(|| {
        format!(
            "GVK map[group:{} kind:{} version:{}] not found in OpenAPI schema",
            kind.info().group,
            kind.info().kind,
            kind.info().version
        )
    })?;
    let info = kind.info();
    let mut out = String::new();
    if !info.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", info.group));
    }
    out.push_str(&format!(
        "KIND:       {}\nVERSION:    {}\n\n",
        info.kind, info.version
    ));
    let mut schema = root.clone();
    for (i, f) in path.iter().enumerate() {
        // Descend through arrays, maps and allOf until the field is found.
        let mut cur = schema.clone();
        let found = loop {
            let resolved = resolve(doc, &cur).clone();
            if let Some(p) = resolved.get("properties").and_then(|p| p.get(f)) {
                break Some(p.clone());
            }
            if let Some(items) = resolved.get("items") {
                cur = items.clone();
                continue;
            }
            if let Some(ap) = resolved
                .get("additionalProperties")
                .filter(|a| a.is_object())
            {
                cur = ap.clone();
                continue;
            }
            let mut next = None;
            for a in resolved
                .get("allOf")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let ra = resolve(doc, a);
                if ra.get("properties").and_then(|p| p.get(f)).is_some()
                    || ra.get("items").is_some()
                {
                    next = Some(a.clone());
                    break;
                }
            }
            match next {
                Some(n) => cur = n,
                None => break None,
            }
        };
        let Some(sub) = found else {
            return Err(format!("field \"{f}\" does not exist"));
        };
        if i + 1 == path.len() {
            out.push_str(&format!("FIELD: {f} <{}>\n", type_guess(doc, &sub)));
            if let Some(e) = sub.get("enum").and_then(Value::as_array) {
                out.push_str("ENUM:");
                for x in e {
                    out.push_str(&format!("\n    {}", enum_text(x)));
                }
            }
            out.push_str("\n\n");
        }
        schema = sub;
    }
    let mut d = String::new();
    description(doc, &schema, &mut d);
    let d = if d.is_empty() {
        "<empty>".to_string()
    } else {
        d
    };
    out.push_str("DESCRIPTION:\n");
    out.push_str(&indent(4, &wrap(&d, 76)));
    out.push('\n');
    let mut fields = String::new();
    field_list(doc, &schema, 1, recursive, &mut Vec::new(), &mut fields);
    if !fields.is_empty() {
        out.push_str("FIELDS:\n");
        out.push_str(&fields);
    }
    out.push('\n');
    Ok(out)
}

pub fn explain(ctx: &mut Ctx) -> Output {
    let Some(arg) = ctx.args.positional.first() else {
        return Output::err("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee 'kubectl explain -h' for help and examples");
    };
    if let Some(o) = ctx.args.get("output") {
        if o != "plaintext" {
            return Output::error(format!(
                "unsupported output format: {o}; kubesim explains as plaintext"
            ));
        }
    }
    let mut parts = arg.split('.');
    let type_word = parts.next().unwrap_or("");
    let path: Vec<String> = parts.map(str::to_string).collect();
    let Some(kind) = Kind::from_resource_name(type_word) else {
        return Output::error(format!(
            "the server doesn't have a resource type \"{type_word}\""
        ));
    };
    if let Some(v) = ctx.args.get("api-version") {
        if v != kind.info().api_version() {
            return Output::error(format!(
                "couldn't find resource for \"{v}, Kind={}\"",
                kind.info().kind
            ));
        }
    }
    match explain_text(kind, &path, ctx.args.bool("recursive")) {
        Ok(s) => Output::ok(s),
        Err(e) => Output::error(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_go_wordwrap() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("a\nb c", 10), "a\nb c");
        assert_eq!(wrap("one two\n", 5), "one\ntwo\n");
    }
}
