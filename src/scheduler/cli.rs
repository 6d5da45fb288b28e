//! `kubesim schedule`: the scheduler alone, on manifests, for snapshot
//! tests and what-if questions. Loads Nodes, bound Pods, PriorityClasses,
//! PVs/PVCs/StorageClasses, PDBs, Services, controllers and pending Pods,
//! schedules the pending pods in queue order (each binding changes what the
//! next pod sees; preemption victims are removed at once) and prints the
//! decision records. JSON shape: docs/scheduler.md.

use super::cache::ClusterEvent;
use super::config::SchedulerConfig;
use super::decision::Decision;
use super::pod_info::{PodInfo, Resource};
use super::schedule_one::{Outcome, SchedulerCore};
use crate::objects::manifest::{decode_object, parse_documents};
use crate::objects::{Kind, Object};
use crate::sim::rng::SimRng;
use crate::sim::store::{WatchEvent, WatchEventType};
use crate::sim::SimTime;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Arguments of `kubesim schedule`.
#[derive(clap::Args, Debug, Clone)]
pub struct ScheduleArgs {
    /// Manifest files (Nodes, Pods, PriorityClasses, PVs, PVCs, ...).
    #[arg(short = 'f', long = "filename", required = true)]
    pub files: Vec<String>,
    /// A KubeSchedulerConfiguration file.
    #[arg(long)]
    pub config: Option<String>,
    /// Seed of the tie-breaks (set from the global `--seed`).
    #[arg(skip = 1u64)]
    pub seed: u64,
    /// json, yaml, table or summary.
    #[arg(short = 'o', long = "output", default_value = "json")]
    pub output: String,
    /// Run again under this KubeSchedulerConfiguration and compare.
    #[arg(long)]
    pub compare: Option<String>,
}

/// The objects of the input.
#[derive(Default, Clone)]
pub struct Input {
    pub objects: Vec<Object>,
}

/// Reads and decodes the manifest files.
pub fn load(files: &[String]) -> Result<Input, String> {
    let mut input = Input::default();
    for f in files {
        let text = std::fs::read_to_string(f)
            .map_err(|_| format!("error: the path \"{f}\" does not exist"))?;
        let docs = parse_documents(&text).map_err(|e| format!("error: error parsing {f}: {e}"))?;
        for d in docs {
            let mut obj =
                decode_object(d, true).map_err(|e| format!("error: error parsing {f}: {e}"))?;
            crate::objects::defaults::apply(&mut obj);
            input.objects.push(obj);
        }
    }
    Ok(input)
}

/// The result of one run.
pub struct RunResult {
    pub decisions: Vec<Decision>,
    /// pending pod key → final node.
    pub placement: BTreeMap<String, Option<String>>,
    pub preempted: Vec<String>,
    /// (node, cpu %, memory %, pods)
    pub utilisation: Vec<(String, i64, i64, usize)>,
    /// Final node state: (name, allocatable, requested, pods).
    pub nodes: Vec<(String, Resource, Resource, usize)>,
}

fn event(obj: Object) -> WatchEvent {
    WatchEvent {
        rv: 0,
        event_type: WatchEventType::Added,
        object: Arc::new(obj),
        old: None,
    }
}

/// Schedules the input's pending pods under `cfg`.
pub fn simulate(
    input: &Input,
    cfg: SchedulerConfig,
    seed: u64,
    detail: bool,
) -> Result<RunResult, String> {
    let mut core = SchedulerCore::new(cfg)?;
    core.detail = detail;
    core.log = Some(Vec::new());
    let epoch_ms = 0;
    let mut objs: Vec<Object> = input.objects.clone();
    // Stable uids and namespaces, as the apiserver would assign.
    let mut rng = SimRng::stream(seed, "apiserver");
    let mut namespaces: Vec<String> = vec!["default".into()];
    for o in objs.iter_mut() {
        let kind = o.kind();
        let m = o.meta_mut();
        if kind.info().namespaced && m.namespace.as_deref().unwrap_or("").is_empty() {
            m.namespace = Some("default".into());
        }
        if m.uid.is_none() {
            m.uid = Some(rng.uuid());
        }
        if let Some(ns) = &m.namespace.clone() {
            if !namespaces.contains(ns) {
                namespaces.push(ns.clone());
            }
        }
    }
    // The PV controller has already run: PVs are Available (or Bound).
    for o in objs.iter_mut() {
        if let Object::PersistentVolume(pv) = o {
            let claimed = pv.spec.as_ref().is_some_and(|s| s.claim_ref.is_some());
            let st = pv.status.get_or_insert_with(Default::default);
            if st.phase.as_deref().is_none_or(|p| p == "Pending") {
                st.phase = Some(if claimed { "Bound" } else { "Available" }.into());
            }
        }
    }
    let has_ns = |n: &str| {
        objs.iter()
            .any(|o| o.kind() == Kind::Namespace && o.meta().name.as_deref() == Some(n))
    };
    let mut extra = Vec::new();
    for ns in &namespaces {
        if !has_ns(ns) {
            let v = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}});
            let mut o = decode_object(v, false).map_err(|e| e.to_string())?;
            crate::objects::defaults::apply(&mut o);
            extra.push(o);
        }
    }
    // Order: classes and namespaces first (priority resolution), nodes,
    // then everything else, bound pods before pending ones.
    let rank = |o: &Object| match o.kind() {
        Kind::PriorityClass | Kind::Namespace => 0,
        Kind::Node => 1,
        Kind::Pod => 3,
        _ => 2,
    };
    let mut all: Vec<Object> = extra.into_iter().chain(objs).collect();
    all.sort_by_key(|o| rank(o));
    let mut pending = Vec::new();
    for o in all {
        if let Object::Pod(p) = &o {
            let assigned = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .is_some_and(|n| !n.is_empty());
            if !assigned {
                pending.push(PodInfo::new(p, &core.cache.classes));
                continue;
            }
        }
        core.cache.apply(&event(o));
    }
    let mut placement = BTreeMap::new();
    for p in &pending {
        placement.insert(p.key(), None);
    }
    let now = SimTime::ZERO;
    for p in pending {
        core.upsert_pending(p, true, now);
    }
    let mut sched_rng = SimRng::stream(seed, "default-scheduler");
    let mut preempted = Vec::new();
    let limit = placement.len() * 6 + 100;
    for _ in 0..limit {
        let Some(res) = core.schedule_one(&mut sched_rng, now, epoch_ms) else {
            break;
        };
        match res.outcome {
            Outcome::Bound { node } => {
                placement.insert(res.pod.key(), Some(node));
            }
            Outcome::Failed {
                victims,
                nominated_node,
                ..
            } => {
                if nominated_node.is_some() {
                    for v in victims {
                        core.cache.remove_pod(&v.uid);
                        preempted.push(v.key());
                        if let Some(x) = placement.get_mut(&v.key()) {
                            *x = None;
                        }
                        core.on_cluster_event(&ClusterEvent::AssignedPodDelete, now);
                    }
                }
            }
        }
    }
    let utilisation = core
        .cache
        .nodes()
        .map(|n| {
            let pct = |a: i64, b: i64| if b > 0 { a * 100 / b } else { 0 };
            (
                n.name.clone(),
                pct(n.requested.milli_cpu, n.allocatable.milli_cpu),
                pct(n.requested.memory, n.allocatable.memory),
                n.pods.len(),
            )
        })
        .collect();
    let nodes = core
        .cache
        .nodes()
        .map(|n| {
            (
                n.name.clone(),
                n.allocatable.clone(),
                n.requested.clone(),
                n.pods.len(),
            )
        })
        .collect();
    Ok(RunResult {
        nodes,
        decisions: core.log.take().unwrap_or_default(),
        placement,
        preempted,
        utilisation,
    })
}

fn percentile(sorted: &[i64], p: usize) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = (sorted.len() * p).div_ceil(100).max(1) - 1;
    sorted[i.min(sorted.len() - 1)]
}

fn summary(r: &RunResult) -> String {
    let scheduled = r.placement.values().filter(|n| n.is_some()).count();
    let mut out = format!(
        "pods: {} pending, {} scheduled, {} unschedulable, {} preempted\nnodes: {}\n",
        r.placement.len(),
        scheduled,
        r.placement.len() - scheduled,
        r.preempted.len(),
        r.utilisation.len()
    );
    for (label, f) in [("cpu", 1usize), ("memory", 2)] {
        let mut v: Vec<i64> = r
            .utilisation
            .iter()
            .map(|u| if f == 1 { u.1 } else { u.2 })
            .collect();
        v.sort();
        out.push_str(&format!(
            "{label} requested/allocatable: p50 {}%  p90 {}%  p99 {}%  max {}%\n",
            percentile(&v, 50),
            percentile(&v, 90),
            percentile(&v, 99),
            v.last().copied().unwrap_or(0)
        ));
    }
    out
}

fn decisions_table(ds: &[Decision]) -> String {
    let mut rows = vec![vec![
        "POD".to_string(),
        "ATTEMPT".into(),
        "NODE".into(),
        "FEASIBLE".into(),
        "VICTIMS".into(),
        "MESSAGE".into(),
    ]];
    for d in ds {
        rows.push(vec![
            d.pod.clone(),
            d.attempt.to_string(),
            d.node.clone().unwrap_or_else(|| "<none>".into()),
            format!("{}/{}", d.feasible_nodes, d.evaluated_nodes),
            if d.victims.is_empty() {
                "<none>".into()
            } else {
                d.victims.join(",")
            },
            if d.node.is_some() {
                String::new()
            } else {
                d.message.clone()
            },
        ]);
    }
    render_rows(&rows)
}

fn render_rows(rows: &[Vec<String>]) -> String {
    let mut widths = vec![0; rows[0].len()];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.len());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{:<w$}   ", c, w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn read_config(path: &Option<String>) -> Result<SchedulerConfig, String> {
    match path {
        None => Ok(SchedulerConfig::default()),
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|_| format!("error: the path \"{p}\" does not exist"))?;
            SchedulerConfig::parse(&text).map_err(|e| format!("error: {p}: {e}"))
        }
    }
}

/// (node, cpu %, memory %, pods)
type Util = (String, i64, i64, usize);

fn compare(a: &RunResult, b: &RunResult, output: &str) -> Result<String, String> {
    let diffs: Vec<(String, Option<String>, Option<String>)> = a
        .placement
        .iter()
        .filter_map(|(k, na)| {
            let nb = b.placement.get(k).cloned().flatten();
            (na.clone() != nb).then(|| (k.clone(), na.clone(), nb))
        })
        .collect();
    let nodes: Vec<(&Util, Option<&Util>)> = a
        .utilisation
        .iter()
        .map(|u| (u, b.utilisation.iter().find(|x| x.0 == u.0)))
        .collect();
    if output == "json" || output == "yaml" {
        let v = json!({
            "differences": diffs.iter().map(|(k, x, y)| json!({"pod": k, "node": x, "compareNode": y})).collect::<Vec<_>>(),
            "nodes": nodes.iter().map(|(x, y)| json!({
                "node": x.0,
                "cpuPercent": x.1, "compareCpuPercent": y.map(|y| y.1),
                "memoryPercent": x.2, "compareMemoryPercent": y.map(|y| y.2),
                "pods": x.3, "comparePods": y.map(|y| y.3),
            })).collect::<Vec<_>>(),
        });
        return render_value(&v, output);
    }
    let mut out = format!(
        "{} of {} pods placed differently\n",
        diffs.len(),
        a.placement.len()
    );
    if !diffs.is_empty() {
        let mut rows = vec![vec![
            "POD".to_string(),
            "NODE".into(),
            "COMPARE NODE".into(),
        ]];
        for (k, x, y) in &diffs {
            rows.push(vec![
                k.clone(),
                x.clone().unwrap_or_else(|| "<none>".into()),
                y.clone().unwrap_or_else(|| "<none>".into()),
            ]);
        }
        out.push('\n');
        out.push_str(&render_rows(&rows));
    }
    let mut rows = vec![vec![
        "NODE".to_string(),
        "CPU%".into(),
        "COMPARE CPU%".into(),
        "MEMORY%".into(),
        "COMPARE MEMORY%".into(),
        "PODS".into(),
        "COMPARE PODS".into(),
    ]];
    for (x, y) in &nodes {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_else(|| "-".into());
        rows.push(vec![
            x.0.clone(),
            x.1.to_string(),
            opt(y.map(|y| y.1)),
            x.2.to_string(),
            opt(y.map(|y| y.2)),
            x.3.to_string(),
            opt(y.map(|y| y.3 as i64)),
        ]);
    }
    out.push('\n');
    out.push_str(&render_rows(&rows));
    Ok(out)
}

fn render_value(v: &Value, output: &str) -> Result<String, String> {
    if output == "yaml" {
        serde_norway::to_string(v).map_err(|e| e.to_string())
    } else {
        serde_json::to_string_pretty(v)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    }
}

/// Runs `kubesim schedule`; returns what to print.
pub fn run(args: &ScheduleArgs) -> Result<String, String> {
    if !["json", "yaml", "table", "summary"].contains(&args.output.as_str()) {
        return Err(format!(
            "error: unable to match a printer suitable for the output format \"{}\", allowed formats are: json,summary,table,yaml",
            args.output
        ));
    }
    let input = load(&args.files)?;
    let cfg = read_config(&args.config)?;
    let detail = args.output != "summary";
    let a = simulate(&input, cfg, args.seed, detail)?;
    if let Some(other) = &args.compare {
        let cfg_b = read_config(&Some(other.clone()))?;
        let b = simulate(&input, cfg_b, args.seed, false)?;
        return compare(&a, &b, &args.output);
    }
    match args.output.as_str() {
        "summary" => Ok(summary(&a)),
        "table" => Ok(decisions_table(&a.decisions)),
        o => {
            let v =
                json!({"decisions": a.decisions.iter().map(Decision::to_json).collect::<Vec<_>>()});
            render_value(&v, o)
        }
    }
}
