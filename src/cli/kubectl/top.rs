//! `kubectl top pod|node`: usage from metrics-server, here the usage hook
//! (`k8s.io/kubectl/pkg/cmd/top`, `metricsutil/metrics_printer.go`). CPU
//! prints as millicores (`250m`), memory as MiB (`64Mi`), node
//! percentages against `status.allocatable`.

use super::{Command, Ctx};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::hooks::Usage;
use crate::cli::output::Output;
use crate::objects::quantity::amount;
use crate::objects::selectors::Selector;
use crate::objects::{Kind, Object};
use crate::sim::store::ListOptions;

const POD_FLAGS: &[FlagSpec] = &[
    flag("all-namespaces", Some('A'), false, "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace."),
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("field-selector", None, true, "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type."),
    flag("containers", None, false, "If present, print usage of containers within a pod."),
    flag("sort-by", None, true, "If non-empty, sort pods list using specified field. The field can be either 'cpu' or 'memory'."),
    flag("no-headers", None, false, "If present, print output without headers."),
    flag("sum", None, false, "Print the sum of the resource usage"),
    flag("use-protocol-buffers", None, false, "Enables using protocol-buffers to access Metrics API.").default("true"),
];
const NODE_FLAGS: &[FlagSpec] = &[
    flag("selector", Some('l'), true, "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints."),
    flag("sort-by", None, true, "If non-empty, sort nodes list using specified field. The field can be either 'cpu' or 'memory'."),
    flag("no-headers", None, false, "If present, print output without headers"),
    flag("show-capacity", None, false, "Print node resources based on Capacity instead of Allocatable(default) of the nodes."),
    flag("use-protocol-buffers", None, false, "Enables using protocol-buffers to access Metrics API.").default("true"),
];

pub const SUBCOMMANDS: &[Command] = &[
    Command::new(
        "node",
        "Display resource (CPU/memory) usage of nodes",
        "kubectl top node [NAME | -l label] [options]",
        NODE_FLAGS,
        top_node,
    )
    .aliases(&["nodes", "no"]),
    Command::new(
        "pod",
        "Display resource (CPU/memory) usage of pods",
        "kubectl top pod [NAME | -l label] [options]",
        POD_FLAGS,
        top_pod,
    )
    .aliases(&["pods", "po"]),
];

const NOT_AVAILABLE: &str = "error: Metrics API not available";

fn cpu(m: i64) -> String {
    format!("{m}m")
}
fn mem(b: i64) -> String {
    format!("{}Mi", b / (1024 * 1024))
}

fn top_pod(ctx: &mut Ctx) -> Output {
    let sel = match ctx.args.get("selector").map(Selector::parse).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let all = ctx.all_namespaces();
    let ns = ctx.namespace();
    let scope = if all { None } else { Some(ns.as_str()) };
    let pods: Vec<(String, String)> = match ctx.args.positional.first() {
        Some(name) => match ctx.world.store.get(Kind::Pod, &ns, name) {
            Ok(_) => vec![(ns.clone(), name.clone())],
            Err(e) => return Output::err(e.kubectl_text()),
        },
        None => match ctx.world.store.list(Kind::Pod, scope, &ListOptions { label_selector: sel, ..Default::default() }) {
            Ok(l) => l
                .items
                .iter()
                .filter(|o| matches!(&***o, Object::Pod(p) if p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")))
                .map(|o| (o.meta().namespace.clone().unwrap_or_default(), o.meta().name.clone().unwrap_or_default()))
                .collect(),
            Err(e) => return Output::err(e.kubectl_text()),
        },
    };
    // (namespace, pod, per-container usage)
    type Row = (String, String, Vec<(String, Usage)>);
    let mut rows: Vec<Row> = Vec::new();
    let mut any_metrics = false;
    for (pns, name) in &pods {
        match (ctx.hooks.pod_usage)(ctx.world, pns, name) {
            Some(u) => {
                any_metrics = true;
                rows.push((pns.clone(), name.clone(), u));
            }
            None if !ctx.args.positional.is_empty() => {
                return Output::err(if probe_metrics(ctx) {
                    "error: metrics not available yet".to_string()
                } else {
                    NOT_AVAILABLE.to_string()
                });
            }
            None => {}
        }
    }
    if !any_metrics && !probe_metrics(ctx) {
        return Output::err(NOT_AVAILABLE);
    }
    if rows.is_empty() {
        return Output::err(if all {
            "No resources found".to_string()
        } else {
            format!("No resources found in {ns} namespace.")
        })
        .with_code(0);
    }
    let total = |u: &[(String, Usage)]| {
        u.iter().fold((0, 0), |(c, m), (_, x)| {
            (c + x.cpu_millis, m + x.memory_bytes)
        })
    };
    match ctx.args.get("sort-by") {
        Some("cpu") => rows.sort_by_key(|r| std::cmp::Reverse(total(&r.2).0)),
        Some("memory") => rows.sort_by_key(|r| std::cmp::Reverse(total(&r.2).1)),
        None | Some("") => {}
        Some(o) => return Output::error(format!("--sort-by accepts only cpu or memory, got {o}")),
    }
    let containers = ctx.args.bool("containers");
    let mut lines = Vec::new();
    if !ctx.args.bool("no-headers") {
        let mut h = Vec::new();
        if all {
            h.push("NAMESPACE".to_string());
        }
        if containers {
            h.extend(["POD".to_string(), "NAME".into()]);
        } else {
            h.push("NAME".into());
        }
        h.extend(["CPU(cores)".to_string(), "MEMORY(bytes)".into()]);
        lines.push(h);
    }
    let (mut sc, mut sm) = (0, 0);
    for (pns, name, usage) in &rows {
        let prefix = if all { vec![pns.clone()] } else { vec![] };
        if containers {
            for (c, u) in usage {
                let mut l = prefix.clone();
                l.extend([
                    name.clone(),
                    c.clone(),
                    cpu(u.cpu_millis),
                    mem(u.memory_bytes),
                ]);
                lines.push(l);
            }
        } else {
            let (c, m) = total(usage);
            let mut l = prefix.clone();
            l.extend([name.clone(), cpu(c), mem(m)]);
            lines.push(l);
        }
        let (c, m) = total(usage);
        sc += c;
        sm += m;
    }
    let mut text = crate::printers::layout::align(&lines, &mut Vec::new());
    if ctx.args.bool("sum") {
        let pad = if all { 2 } else { 1 } + usize::from(containers);
        let mut sum = vec![String::new(); pad];
        sum.extend([cpu(sc), mem(sm)]);
        let mut dashes = vec![String::new(); pad];
        dashes.extend(["________".to_string(), "________".into()]);
        let mut all_lines = lines.clone();
        all_lines.push(dashes);
        all_lines.push(sum);
        text = crate::printers::layout::align(&all_lines, &mut Vec::new());
    }
    Output::ok(text)
}

/// Whether metrics exist for anything (metrics-server "installed").
fn probe_metrics(ctx: &Ctx) -> bool {
    ctx.world
        .store
        .iter(Kind::Node, None)
        .filter_map(|o| o.meta().name.clone())
        .any(|n| (ctx.hooks.node_usage)(ctx.world, &n).is_some())
}

fn top_node(ctx: &mut Ctx) -> Output {
    let sel = match ctx.args.get("selector").map(Selector::parse).transpose() {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let nodes: Vec<std::sync::Arc<Object>> = match ctx.args.positional.first() {
        Some(name) => match ctx.world.store.get(Kind::Node, "", name) {
            Ok(o) => vec![o.clone()],
            Err(e) => return Output::err(e.kubectl_text()),
        },
        None => ctx
            .world
            .store
            .iter(Kind::Node, None)
            .filter(|o| sel.matches_opt(o.meta().labels.as_ref()))
            .cloned()
            .collect(),
    };
    let capacity = ctx.args.bool("show-capacity");
    let mut rows = Vec::new();
    for o in &nodes {
        let Object::Node(n) = &**o else { continue };
        let name = n.metadata.name.clone().unwrap_or_default();
        let Some(u) = (ctx.hooks.node_usage)(ctx.world, &name) else {
            if !ctx.args.positional.is_empty() || !probe_metrics(ctx) {
                return Output::err(if probe_metrics(ctx) {
                    "error: metrics not available yet"
                } else {
                    NOT_AVAILABLE
                });
            }
            rows.push((name, None));
            continue;
        };
        let res = n
            .status
            .as_ref()
            .and_then(|s| {
                if capacity {
                    s.capacity.clone()
                } else {
                    s.allocatable.clone()
                }
            })
            .unwrap_or_default();
        let acpu = res.get("cpu").map(|q| amount(q).milli_value()).unwrap_or(0);
        let amem = res.get("memory").map(|q| amount(q).value()).unwrap_or(0);
        let pct = |x: i64, of: i64| {
            if of > 0 {
                format!("{}%", x * 100 / of)
            } else {
                "<unknown>".into()
            }
        };
        rows.push((
            name,
            Some((u, pct(u.cpu_millis, acpu), pct(u.memory_bytes, amem))),
        ));
    }
    match ctx.args.get("sort-by") {
        Some("cpu") => rows
            .sort_by_key(|r| std::cmp::Reverse(r.1.as_ref().map(|x| x.0.cpu_millis).unwrap_or(-1))),
        Some("memory") => rows.sort_by_key(|r| {
            std::cmp::Reverse(r.1.as_ref().map(|x| x.0.memory_bytes).unwrap_or(-1))
        }),
        None | Some("") => {}
        Some(o) => return Output::error(format!("--sort-by accepts only cpu or memory, got {o}")),
    }
    let mut lines = Vec::new();
    if !ctx.args.bool("no-headers") {
        lines.push(
            ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
    }
    for (name, m) in rows {
        match m {
            Some((u, cp, mp)) => {
                lines.push(vec![name, cpu(u.cpu_millis), cp, mem(u.memory_bytes), mp])
            }
            None => lines.push(vec![
                name,
                "<unknown>".into(),
                "<unknown>".into(),
                "<unknown>".into(),
                "<unknown>".into(),
            ]),
        }
    }
    Output::ok(crate::printers::layout::align(&lines, &mut Vec::new()))
}
