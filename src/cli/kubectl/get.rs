//! `kubectl get`: tables (the server's Table, laid out as kubectl does, one
//! block per kind, printers.md §3), every `-o` format, selectors,
//! `--sort-by`, `-f`, `--raw`, and `-w`/`--watch-only` in virtual time
//! (`k8s.io/kubectl/pkg/cmd/get/get.go`).

use super::resources::{self, ResourceArg};
use super::Ctx;
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::format::{self, OutputFormat};
use crate::cli::output::Output;
use crate::objects::selectors::{FieldSelector, Selector};
use crate::objects::{Kind, Object};
use crate::printers::{self, PrintOptions};
use crate::sim::store::{ListOptions, WatchEventType};
use std::sync::Arc;

pub const FLAGS: &[FlagSpec] = &[
    flag("all-namespaces", Some('A'), false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    flag("output", Some('o'), true, "Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, custom-columns-file, wide). See custom columns [https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template [http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template [https://kubernetes.io/docs/reference/kubectl/jsonpath/]."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("field-selector", None, true, "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    flag("show-managed-fields", None, false, "If true, keep the managedFields when printing objects in JSON or YAML format."),
    flag("show-labels", None, false, "When printing, show all labels as the last column (default hide labels column)"),
    flag("label-columns", Some('L'), true, "Accepts a comma separated list of labels that are going to be presented as columns. Names are case-sensitive. You can also use multiple flag options like -L label1 -L label2...").default("[]"),
    flag("no-headers", None, false, "When using the default or custom-column output format, don't print headers (default print headers)."),
    flag("show-kind", None, false, "If present, list the resource type for the requested object(s)."),
    flag("watch", Some('w'), false, "After listing/getting the requested object, watch for changes."),
    flag("watch-only", None, false, "Watch for changes to the requested object(s), without listing/getting first."),
    flag("output-watch-events", None, false, "Output watch event objects when --watch or --watch-only is used. Existing objects are output as initial ADDED events."),
    flag("ignore-not-found", None, false, "If set to true, suppresses NotFound error for specific objects that do not exist. Using this flag with commands that query for collections of resources has no effect when no resources are found."),
    flag("chunk-size", None, true, "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.").default("500"),
    flag("sort-by", None, true, "If non-empty, sort list types using this field specification.  The field specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The field in the API resource specified by this JSONPath expression must be an integer or a string."),
    flag("template", None, true, "Template string or path to template file to use when -o=go-template, -o=go-template-file. The template format is golang templates [http://golang.org/pkg/text/template/#pkg-overview]."),
    flag("filename", Some('f'), true, "Filename, directory, or URL to files identifying the resource to get from a server.").default("[]"),
    flag("recursive", Some('R'), false, "Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory."),
    flag("raw", None, true, "Raw URI to request from the server.  Uses the transport specified by the kubeconfig file."),
    flag("allow-missing-template-keys", None, false, "If true, ignore any errors in templates when a field or map key is missing in the template. Only applies to golang and jsonpath output formats.").default("true"),
    flag("server-print", None, false, "If true, have the server return the appropriate table output. Supports extension APIs and CRDs.").default("true"),
];

/// What to print, in order: each group is one table.
struct Found {
    groups: Vec<(Kind, Vec<Arc<Object>>)>,
    errors: Vec<String>,
}

pub fn get(ctx: &mut Ctx) -> Output {
    if let Some(path) = ctx.args.get("raw").map(str::to_string) {
        return super::api_resources::raw(ctx, &path);
    }
    let fmt = match ctx.output_format(true) {
        Ok(f) => f,
        Err(e) => return Output::error(e),
    };
    let label_selector = match ctx.args.get("selector").map(Selector::parse).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let field_selector = match ctx
        .args
        .get("field-selector")
        .map(FieldSelector::parse)
        .transpose()
    {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let all_ns = ctx.all_namespaces();
    let ns = ctx.namespace();
    let from_files = ctx.args.get("filename").is_some();
    let res = if let Some(f) = ctx.args.get("filename") {
        match super::apply::read_manifests(ctx, f) {
            Ok(objs) => ResourceArg::Named(
                objs.iter()
                    .map(|o| (o.kind(), o.meta().name.clone().unwrap_or_default()))
                    .collect(),
            ),
            Err(e) => return Output::error(e),
        }
    } else {
        match resources::parse(&ctx.args.positional) {
            Ok(r) => r,
            Err(e) if ctx.args.positional.is_empty() => {
                return Output::err(format!("error: {e}"));
            }
            Err(e) => return Output::error(e),
        }
    };
    let watch = ctx.args.bool("watch") || ctx.args.bool("watch-only");
    let opts = ListOptions {
        label_selector: label_selector.clone(),
        field_selector: field_selector.clone(),
        ..Default::default()
    };
    let store = &ctx.world.store;
    let mut found = Found {
        groups: Vec::new(),
        errors: Vec::new(),
    };
    let by_name = |kind: Kind, name: &str, found: &mut Found| match store.get(kind, &ns, name) {
        Ok(o) => push(found, kind, o.clone()),
        Err(e) => found.errors.push(e.kubectl_text()),
    };
    let mut names: Vec<String> = Vec::new();
    let kinds_requested: Vec<Kind> = match &res {
        ResourceArg::Kinds(kinds, ns_names) => {
            if ns_names.is_empty() {
                for &k in kinds {
                    let scope = if all_ns || !k.info().namespaced {
                        None
                    } else {
                        Some(ns.as_str())
                    };
                    match store.list(k, scope, &opts) {
                        Ok(l) => found.groups.push((k, l.items)),
                        Err(e) => found.errors.push(e.kubectl_text()),
                    }
                }
            } else {
                if !label_selector.is_empty() {
                    return Output::error("selectors and the all flag cannot be used when passing resource/name arguments");
                }
                for &k in kinds {
                    for n in ns_names {
                        by_name(k, n, &mut found);
                    }
                }
                names = ns_names.clone();
            }
            kinds.clone()
        }
        ResourceArg::Named(pairs) => {
            if !label_selector.is_empty() && !from_files {
                return Output::error("selectors and the all flag cannot be used when passing resource/name arguments");
            }
            for (k, n) in pairs {
                by_name(*k, n, &mut found);
                names.push(n.clone());
            }
            pairs.iter().map(|(k, _)| *k).collect()
        }
    };
    if ctx.args.bool("ignore-not-found") {
        found.errors.retain(|e| !e.contains("(NotFound)"));
    }
    let distinct_kinds = {
        let mut ks = kinds_requested.clone();
        ks.sort();
        ks.dedup();
        ks
    };
    if watch && distinct_kinds.len() > 1 {
        return Output::error(format!(
            "watch is only supported on individual resources and resource collections, but {} resources were found",
            distinct_kinds.len()
        ));
    }
    if let Some(sort) = ctx.args.get("sort-by").map(str::to_string) {
        for (_, objs) in &mut found.groups {
            let mut keyed: Vec<(serde_json::Value, usize)> = objs
                .iter()
                .enumerate()
                .map(|(i, o)| (o.to_json(), i))
                .collect();
            if let Err(e) = format::sort_by(&mut keyed, &sort) {
                return Output::error(e);
            }
            let old = std::mem::take(objs);
            *objs = keyed.into_iter().map(|(_, i)| old[i].clone()).collect();
        }
    }
    let multi_kind = distinct_kinds.len() > 1;
    let single = !multi_kind && names.len() == 1 && !from_files;
    let mut out = Output::default();
    let print_opts = PrintOptions {
        wide: fmt == OutputFormat::Table { wide: true },
        with_namespace: all_ns,
        with_kind: multi_kind || ctx.args.bool("show-kind"),
        no_headers: ctx.args.bool("no-headers"),
        show_labels: ctx.args.bool("show-labels"),
        label_columns: ctx
            .args
            .all("label-columns")
            .iter()
            .flat_map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>())
            .collect(),
    };
    let watch_events = ctx.args.bool("output-watch-events");
    // `get -w` rows keep the widths of what was printed before.
    let mut watcher: Option<printers::WatchPrinter> = None;
    if !ctx.args.bool("watch-only") {
        let body = if fmt.is_table() {
            let now = ctx.now();
            let mut text = String::new();
            for (kind, objs) in &found.groups {
                let t = printers::table(*kind, objs, now);
                let o = PrintOptions {
                    with_namespace: print_opts.with_namespace && kind.info().namespaced,
                    ..print_opts.clone()
                };
                let s = if watch {
                    watcher
                        .get_or_insert_with(|| printers::WatchPrinter::new(o.clone(), watch_events))
                        .print(&t, "ADDED")
                } else {
                    printers::render_table(&t, &o)
                };
                if !s.is_empty() {
                    if !text.is_empty() && !print_opts.no_headers {
                        text.push('\n');
                    }
                    text.push_str(&s);
                }
            }
            if text.is_empty() && found.errors.is_empty() && !watch {
                let namespaced = kinds_requested.iter().all(|k| k.info().namespaced);
                out.push_err(&if namespaced && !all_ns {
                    format!("No resources found in {ns} namespace.")
                } else {
                    "No resources found".to_string()
                });
            }
            text
        } else {
            let objs: Vec<&Arc<Object>> = found.groups.iter().flat_map(|(_, o)| o.iter()).collect();
            if objs.is_empty() && (!found.errors.is_empty() || watch) {
                String::new()
            } else {
                let show_managed = ctx.args.bool("show-managed-fields");
                let values: Vec<serde_json::Value> = objs
                    .iter()
                    .map(|o| {
                        let mut v = o.to_json();
                        if !show_managed {
                            format::omit_managed_fields(&mut v, &fmt);
                        }
                        v
                    })
                    .collect();
                let names: Vec<String> = objs.iter().map(|o| super::name_of(o)).collect();
                match format::render(&values, &names, single, &fmt, print_opts.no_headers) {
                    Ok(s) => s,
                    Err(e) => return Output::error(e),
                }
            }
        };
        out.stdout.push_str(&body);
    }
    for e in &found.errors {
        out.push_err(e);
        out.code = 1;
    }
    if !watch || out.code != 0 {
        return out;
    }
    let kind = distinct_kinds[0];
    let filter = WatchFilter {
        kind,
        namespace: if all_ns || !kind.info().namespaced {
            None
        } else {
            Some(ns.clone())
        },
        names: if names.is_empty() { None } else { Some(names) },
        labels: label_selector,
    };
    watch_loop(ctx, &filter, &fmt, &print_opts, watch_events, watcher, out)
}

/// Which watch events a `get -w` shows.
struct WatchFilter {
    kind: Kind,
    namespace: Option<String>,
    names: Option<Vec<String>>,
    labels: Selector,
}

impl WatchFilter {
    fn matches(&self, o: &Object) -> bool {
        let m = o.meta();
        o.kind() == self.kind
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| m.namespace.as_deref() == Some(ns.as_str()))
            && self
                .names
                .as_ref()
                .is_none_or(|n| n.iter().any(|n| m.name.as_deref() == Some(n.as_str())))
            && self.labels.matches_opt(m.labels.as_ref())
    }
}

/// Prints each watch event as it happens, until `--request-timeout`, the
/// script bound, or Ctrl-C. Rows keep the widths of the first table.
fn watch_loop(
    ctx: &mut Ctx,
    filter: &WatchFilter,
    fmt: &OutputFormat,
    opts: &PrintOptions,
    watch_events: bool,
    watcher: Option<printers::WatchPrinter>,
    mut out: Output,
) -> Output {
    let deadline = ctx.stream_deadline();
    let mut rv = ctx.world.store.resource_version();
    let mut printed_any = !out.stdout.is_empty();
    let mut watcher = watcher.unwrap_or_else(|| {
        let o = PrintOptions {
            with_namespace: opts.with_namespace && filter.kind.info().namespaced,
            ..opts.clone()
        };
        printers::WatchPrinter::new(o, watch_events)
    });
    ctx.flush(&mut out);
    loop {
        if ctx.term.is_interrupted() {
            break;
        }
        // Print what happened up to now.
        let events: Vec<(WatchEventType, Arc<Object>)> = match ctx.world.store.events_since(rv) {
            Ok(it) => it
                .filter(|e| filter.matches(&e.object))
                .map(|e| (e.event_type, e.object.clone()))
                .collect(),
            Err(_) => Vec::new(),
        };
        rv = ctx.world.store.resource_version();
        let now = ctx.now();
        for (ty, obj) in events {
            let text = if fmt.is_table() {
                let t = printers::table(filter.kind, std::slice::from_ref(&obj), now);
                watcher.print(&t, ty.as_str())
            } else {
                let v = if watch_events {
                    serde_json::json!({"type": ty.as_str(), "object": obj.to_json()})
                } else {
                    obj.to_json()
                };
                let mut s = String::new();
                if *fmt == OutputFormat::Yaml && printed_any {
                    s.push_str("---\n");
                }
                match format::render(&[v], &[super::name_of(&obj)], true, fmt, opts.no_headers) {
                    Ok(r) => s.push_str(&r),
                    Err(e) => return Output::error(e),
                }
                s
            };
            printed_any = true;
            out.stdout.push_str(&text);
        }
        ctx.flush(&mut out);
        // Then let time pass to the next thing that happens.
        let now_t = ctx.world.now();
        if deadline.is_some_and(|d| now_t >= d) {
            break;
        }
        let next = ctx.world.next_event_time();
        let step_limit = now_t + std::time::Duration::from_secs(1);
        let target = match (next, deadline) {
            (Some(t), Some(d)) => t.min(d),
            (None, Some(d)) => d,
            (Some(t), None) => t.min(step_limit).max(now_t),
            (None, None) => step_limit,
        };
        let target = if target <= now_t && next.is_some() {
            // Events due now: run them without moving the clock.
            ctx.world.settle();
            if ctx.world.store.resource_version() == rv {
                now_t + std::time::Duration::from_millis(1)
            } else {
                continue;
            }
        } else {
            target
        };
        if !ctx.wait_until(target) {
            break;
        }
    }
    if let Some(note) = ctx.cap_note(deadline) {
        out.push_err(&note);
    }
    out
}

fn push(found: &mut Found, kind: Kind, obj: Arc<Object>) {
    match found.groups.last_mut() {
        Some((k, objs)) if *k == kind => objs.push(obj),
        _ => found.groups.push((kind, vec![obj])),
    }
}

/// kubectl's `-o json`: sorted keys, 4-space indentation.
pub fn json_text(v: &serde_json::Value) -> String {
    format::go_json(v, true)
}

/// kubectl's `-o yaml`.
pub fn yaml_text(v: &serde_json::Value) -> String {
    format::yaml::to_yaml(v)
}
