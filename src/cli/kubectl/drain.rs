//! `kubectl drain NODE`: cordon, then evict every pod on the node that the
//! filters allow, waiting (in virtual time) until each is gone
//! (`k8s.io/kubectl/pkg/cmd/drain/drain.go`, `pkg/drain/drain.go` and
//! `pkg/drain/filters.go`: the filter order, the warning and error texts,
//! "continuing command..." and the pending-nodes report are theirs).

use super::{Ctx, DryRun};
use crate::cli::flags::{flag, FlagSpec};
use crate::cli::output::Output;
use crate::objects::{Kind, Object};
use crate::sim::store::ListOptions;
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;
use std::time::Duration;

pub const FLAGS: &[FlagSpec] = &[
    flag("force", None, false, "Continue even if there are pods that do not declare a controller."),
    flag("ignore-daemonsets", None, false, "Ignore DaemonSet-managed pods."),
    flag("delete-emptydir-data", None, false, "Continue even if there are pods using emptyDir (local data that will be deleted when the node is drained)."),
    flag("grace-period", None, true, "Period of time in seconds given to each pod to terminate gracefully. If negative, the default value specified in the pod will be used.").default("-1"),
    flag("timeout", None, true, "The length of time to wait before giving up, zero means infinite").default("0s"),
    flag("selector", Some('l'), true, "Selector (label query) to filter on"),
    flag("pod-selector", None, true, "Label selector to filter pods on the node"),
    flag("disable-eviction", None, false, "Force drain to use delete, even if eviction is supported. This will bypass checking PodDisruptionBudgets, use with caution."),
    flag("skip-wait-for-delete-timeout", None, true, "If pod DeletionTimestamp older than N seconds, skip waiting for the pod.  Seconds must be greater than 0 to skip.").default("0"),
    flag("chunk-size", None, true, "Return large lists in chunks rather than all at once. Pass 0 to disable. This flag is beta and may change in the future.").default("500"),
    flag("dry-run", None, true, "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object that would be sent, without sending it. If server strategy, submit server-side request without persisting the resource.").default("'none'").noopt("unchanged"),
];

const DAEMONSET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMONSET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str =
    "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str =
    "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// What the filters decided for one pod.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Okay,
    Skip,
    Warning(bool, String),
    Error(String),
}

impl Status {
    fn delete(&self) -> bool {
        matches!(self, Status::Okay | Status::Warning(true, _))
    }
}

struct Options {
    force: bool,
    ignore_ds: bool,
    delete_emptydir: bool,
}

fn finished(p: &Pod) -> bool {
    matches!(
        p.status.as_ref().and_then(|s| s.phase.as_deref()),
        Some("Succeeded" | "Failed")
    )
}

fn controller_of(p: &Pod) -> Option<(String, String)> {
    p.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.clone(), o.name.clone()))
}

/// The filters in drain's order; the first that does not delete stops.
fn filter(ctx: &Ctx, p: &Pod, o: &Options) -> Status {
    let ns = p.metadata.namespace.as_deref().unwrap_or("");
    let mut status = Status::Okay;
    // daemonSetFilter
    if let Some((kind, name)) = controller_of(p) {
        if kind == "DaemonSet" && !finished(p) {
            status = if ctx
                .world
                .store
                .try_get(Kind::DaemonSet, ns, &name)
                .is_none()
            {
                let msg = format!("daemonsets.apps \"{name}\" not found");
                if o.force {
                    Status::Warning(true, msg)
                } else {
                    Status::Error(msg)
                }
            } else if !o.ignore_ds {
                Status::Error(DAEMONSET_FATAL.into())
            } else {
                Status::Warning(false, DAEMONSET_WARNING.into())
            };
            if !status.delete() {
                return status;
            }
        }
    }
    // mirrorPodFilter
    if p.metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key("kubernetes.io/config.mirror"))
    {
        return Status::Skip;
    }
    // localStorageFilter
    let local = p
        .spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
    if local && !finished(p) {
        status = if o.delete_emptydir {
            Status::Warning(true, LOCAL_STORAGE_WARNING.into())
        } else {
            Status::Error(LOCAL_STORAGE_FATAL.into())
        };
        if !status.delete() {
            return status;
        }
    }
    // unreplicatedFilter
    if !finished(p) && controller_of(p).is_none() {
        status = if o.force {
            Status::Warning(true, UNMANAGED_WARNING.into())
        } else {
            Status::Error(UNMANAGED_FATAL.into())
        };
    } else if !matches!(status, Status::Warning(..)) {
        status = Status::Okay;
    }
    status
}

/// `[a, b]` for several errors, as `utilerrors.NewAggregate` prints them.
fn aggregate(errs: &[String]) -> String {
    if errs.len() == 1 {
        errs[0].clone()
    } else {
        format!("[{}]", errs.join(", "))
    }
}

pub fn drain(ctx: &mut Ctx) -> Output {
    let dry = match ctx.dry_run() {
        Ok(d) => d,
        Err(e) => return Output::error(e),
    };
    let grace: Option<i64> = match ctx
        .args
        .get("grace-period")
        .map(str::parse::<i64>)
        .transpose()
    {
        Ok(g) => g.filter(|g| *g >= 0),
        Err(_) => return Output::error("invalid argument for --grace-period"),
    };
    let timeout = match ctx
        .args
        .get("timeout")
        .map(crate::sim::time::parse_duration)
        .transpose()
    {
        Ok(t) => t.filter(|t| !t.is_zero()),
        Err(e) => return Output::error(format!("invalid argument for --timeout: {e}")),
    };
    let pod_selector = match ctx
        .args
        .get("pod-selector")
        .map(crate::objects::selectors::Selector::parse)
        .transpose()
    {
        Ok(s) => s.unwrap_or_default(),
        Err(e) => return Output::error(e),
    };
    let names = match super::cordon::nodes(ctx) {
        Ok(n) => n,
        Err(o) => return o,
    };
    let opts = Options {
        force: ctx.args.bool("force"),
        ignore_ds: ctx.args.bool("ignore-daemonsets"),
        delete_emptydir: ctx.args.bool("delete-emptydir-data"),
    };
    let disable_eviction = ctx.args.bool("disable-eviction");
    let mut out = Output::default();
    let mut remaining: Vec<String> = Vec::new();
    let mut fatal: Vec<String> = Vec::new();
    for node in names {
        match super::cordon::set_one(ctx, &node, true, dry) {
            Ok(line) => out.push_out(&line),
            Err(e) => {
                out.extend(e);
                continue;
            }
        }
        ctx.flush(&mut out);
        // GetPodsForDeletion: the node's pods, filtered.
        let pods: Vec<Pod> = match ctx.world.store.list(
            Kind::Pod,
            None,
            &ListOptions {
                label_selector: pod_selector.clone(),
                field_selector: crate::objects::selectors::FieldSelector::parse(&format!(
                    "spec.nodeName={node}"
                ))
                .unwrap_or_default(),
                ..Default::default()
            },
        ) {
            Ok(l) => l
                .items
                .iter()
                .filter_map(|o| match &**o {
                    Object::Pod(p) => Some(p.clone()),
                    _ => None,
                })
                .collect(),
            Err(e) => {
                out.extend(Output::err(e.kubectl_text()));
                continue;
            }
        };
        let decided: Vec<(Pod, Status)> = pods
            .into_iter()
            .map(|p| {
                let s = filter(ctx, &p, &opts);
                (p, s)
            })
            .collect();
        let key = |p: &Pod| {
            format!(
                "{}/{}",
                p.metadata.namespace.as_deref().unwrap_or(""),
                p.metadata.name.as_deref().unwrap_or("")
            )
        };
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut warnings: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (p, s) in &decided {
            match s {
                Status::Error(m) => errors.entry(m.clone()).or_default().push(key(p)),
                Status::Warning(_, m) => warnings.entry(m.clone()).or_default().push(key(p)),
                _ => {}
            }
        }
        if !errors.is_empty() {
            let errs: Vec<String> = errors
                .iter()
                .map(|(m, pods)| {
                    let m = if m.to_lowercase().starts_with("cannot delete") {
                        m.clone()
                    } else {
                        format!("cannot delete {m}")
                    };
                    format!("{m}: {}", pods.join(", "))
                })
                .collect();
            out.push_err(&format!(
                "error: unable to drain node \"{node}\" due to error: {}, continuing command...",
                aggregate(&errs)
            ));
            remaining.push(node.clone());
            fatal.extend(errs);
            continue;
        }
        if !warnings.is_empty() {
            let w: Vec<String> = warnings
                .iter()
                .map(|(m, p)| format!("{m}: {}", p.join(", ")))
                .collect();
            out.push_err(&format!("Warning: {}", w.join("; ")));
            ctx.flush(&mut out);
        }
        let to_delete: Vec<&Pod> = decided
            .iter()
            .filter(|(_, s)| s.delete())
            .map(|(p, _)| p)
            .collect();
        if dry == DryRun::Client {
            for p in &to_delete {
                out.push_out(&format!("evicting pod {} (dry run)", key(p)));
            }
            out.push_out(&format!("node/{node} drained (dry run)"));
            continue;
        }
        match evict_and_wait(
            ctx,
            &to_delete,
            grace,
            timeout,
            disable_eviction,
            dry,
            &mut out,
        ) {
            Ok(()) => out.push_out(&format!("node/{node} drained{}", dry.suffix())),
            Err(e) => {
                out.push_err(&format!("error: unable to drain node \"{node}\" due to error: {e}, continuing command..."));
                remaining.push(node.clone());
                fatal.push(e);
            }
        }
        ctx.flush(&mut out);
    }
    if !remaining.is_empty() {
        out.push_err("There are pending nodes to be drained:");
        for n in &remaining {
            out.push_err(&format!(" {n}"));
        }
        for e in &fatal {
            out.push_err(e);
        }
        out.code = 1;
    }
    out
}

/// Where one pod is in `evictPods`/`deletePods`.
enum Step {
    /// The eviction was refused (429, a PodDisruptionBudget): try again then.
    Retry(crate::sim::time::SimTime),
    /// Evicted or deleted: wait until it is gone (or replaced: another uid).
    Gone(Option<String>),
}

/// How pods are removed: `--grace-period`, `--disable-eviction`, `--dry-run`.
#[derive(Clone, Copy)]
struct How {
    grace: Option<i64>,
    disable_eviction: bool,
    dry: DryRun,
}

/// One eviction (or delete) attempt, as drain.go's goroutine makes it.
fn attempt(
    ctx: &mut Ctx,
    (ns, name): (&str, &str),
    uid: &Option<String>,
    how: How,
    out: &mut Output,
) -> Result<Option<Step>, String> {
    let How {
        grace,
        disable_eviction,
        dry,
    } = how;
    if !disable_eviction {
        out.push_out(&format!(
            "evicting pod {ns}/{name}{}",
            if dry == DryRun::Server {
                " (server dry run)"
            } else {
                ""
            }
        ));
    }
    let r = if dry == DryRun::Server {
        Ok(())
    } else if disable_eviction {
        ctx.world
            .store
            .delete(
                Kind::Pod,
                ns,
                name,
                &crate::sim::store::DeleteOptions {
                    grace_period_seconds: grace,
                    ..Default::default()
                },
            )
            .map(|_| ())
    } else {
        (ctx.hooks.evict)(ctx.world, ns, name, grace)
    };
    match r {
        Ok(()) => Ok(Some(Step::Gone(uid.clone()))),
        Err(e) if e.reason == crate::sim::store::Reason::NotFound => Ok(None),
        Err(e) if e.reason == crate::sim::store::Reason::TooManyRequests && !disable_eviction => {
            out.push_err(&format!(
                "error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): {}",
                e.message
            ));
            Ok(Some(Step::Retry(ctx.world.now() + Duration::from_secs(5))))
        }
        Err(e) => Err(format!(
            "error when {} pods/\"{name}\" -n \"{ns}\": {}",
            if disable_eviction {
                "deleting"
            } else {
                "evicting"
            },
            e.message
        )),
    }
}

/// Evicts (or deletes) the pods, all at once as kubectl's goroutines do,
/// retrying refused evictions every 5 s, then polls every second as
/// `waitForDelete` does, printing `pod/NAME evicted` as each one goes.
fn evict_and_wait(
    ctx: &mut Ctx,
    pods: &[&Pod],
    grace: Option<i64>,
    timeout: Option<Duration>,
    disable_eviction: bool,
    dry: DryRun,
    out: &mut Output,
) -> Result<(), String> {
    let how = How {
        grace,
        disable_eviction,
        dry,
    };
    let mut pending: Vec<(String, String, Option<String>, Step)> = Vec::new();
    for p in pods {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let name = p.metadata.name.clone().unwrap_or_default();
        let uid = p.metadata.uid.clone();
        if let Some(step) = attempt(ctx, (&ns, &name), &uid, how, out)? {
            pending.push((ns, name, uid, step));
        }
    }
    ctx.flush(out);
    ctx.world.settle();
    let word = if disable_eviction {
        "deleted"
    } else {
        "evicted"
    };
    if dry == DryRun::Server {
        for (_, name, _, _) in &pending {
            out.push_out(&format!("pod/{name} {word} (server dry run)"));
        }
        return Ok(());
    }
    let start = ctx.world.now();
    let limit = timeout.map(|t| start + t).or_else(|| ctx.stream_deadline());
    loop {
        let now = ctx.world.now();
        let mut next_pending = Vec::new();
        for (ns, name, uid, step) in std::mem::take(&mut pending) {
            match step {
                Step::Gone(want) => {
                    let gone = match ctx.world.store.try_get(Kind::Pod, &ns, &name) {
                        None => true,
                        Some(o) => o.meta().uid != want,
                    };
                    if gone {
                        out.push_out(&format!("pod/{name} {word}"));
                    } else {
                        next_pending.push((ns, name, uid, Step::Gone(want)));
                    }
                }
                Step::Retry(t) if t <= now => {
                    if let Some(step) = attempt(ctx, (&ns, &name), &uid, how, out)? {
                        next_pending.push((ns, name, uid, step));
                    }
                }
                step => next_pending.push((ns, name, uid, step)),
            }
        }
        pending = next_pending;
        ctx.flush(out);
        if pending.is_empty() {
            return Ok(());
        }
        ctx.world.settle();
        let next = ctx.world.now() + Duration::from_secs(1);
        if let Some(l) = limit {
            if next > l {
                let waited = crate::controllers::kubelet::pull::go_duration(l.since(start));
                let (ns, name, _, step) = &pending[0];
                return Err(match step {
                    Step::Retry(_) => format!(
                        "error when evicting pods/\"{name}\" -n \"{ns}\": global timeout reached: {waited}"
                    ),
                    Step::Gone(_) => format!(
                        "error when waiting for pod \"{name}\" in namespace \"{ns}\" to terminate: global timeout reached: {waited}"
                    ),
                });
            }
        }
        if !ctx.wait_until(next) {
            return Err("interrupted".into());
        }
    }
}
