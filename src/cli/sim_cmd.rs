//! `sim ...`: commands that act on the simulation itself, not the cluster.

use super::output::Output;
use crate::printers::age::human_duration;
use crate::sim::time::parse_duration;
use crate::sim::World;

pub fn run(args: &[String], world: &mut World) -> Output {
    match args.first().map(String::as_str) {
        Some("advance") => {
            let Some(d) = args.get(1) else {
                return Output::error("sim advance needs a duration, e.g. sim advance 20s");
            };
            match parse_duration(d) {
                Ok(d) => {
                    world.advance(d);
                    Output::default()
                }
                Err(e) => Output::error(format!("invalid duration {d:?}: {e}")),
            }
        }
        Some("status") => {
            let now = world.now();
            Output::ok(format!(
                "virtual time: {} ({})\nwall clock:   {}\nseed:         {}\nevents:       {} processed\n",
                now,
                human_duration(now - crate::sim::SimTime::ZERO),
                world.store.timestamp().0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                world.seed(),
                world.events_processed()
            ))
        }
        Some("seed") => Output::ok(format!("{}\n", world.seed())),
        Some("events") => {
            let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(20);
            let log = world.event_log();
            let start = log.len().saturating_sub(n);
            Output::ok(
                log[start..]
                    .iter()
                    .map(|l| format!("{l}\n"))
                    .collect::<String>(),
            )
        }
        Some("explain") => explain(&args[1..], world),
        Some("node") => node(&args[1..], world),
        Some("dockercoins") => dockercoins(&args[1..], world),
        Some(other) => Output::error(format!(
            "unknown sim command {other:?}; try: advance, status, seed, events, explain, node, dockercoins"
        )),
        None => Output::error("sim needs a command: advance, status, seed, events, explain, node, dockercoins"),
    }
}

/// `-n NS` among `args`, and the other words.
fn split_namespace(args: &[String]) -> (String, Vec<String>) {
    let mut ns = "default".to_string();
    let mut rest = Vec::new();
    let mut i = 0;
    while i < args.len() {
        if (args[i] == "-n" || args[i] == "--namespace") && i + 1 < args.len() {
            ns = args[i + 1].clone();
            i += 2;
            continue;
        }
        rest.push(args[i].clone());
        i += 1;
    }
    (ns, rest)
}

/// `sim explain pod NAME [-n NS]`: the scheduler's last decisions for a pod,
/// each node's filter verdicts and per-plugin scores.
fn explain(args: &[String], world: &World) -> Output {
    let (ns, rest) = split_namespace(args);
    let name = match rest.as_slice() {
        [kind, name] if matches!(kind.as_str(), "pod" | "pods" | "po") => name.clone(),
        [pod] => pod.strip_prefix("pod/").unwrap_or(pod).to_string(),
        _ => return Output::error("usage: sim explain pod NAME [-n NAMESPACE]"),
    };
    if world
        .store
        .try_get(crate::objects::Kind::Pod, &ns, &name)
        .is_none()
    {
        return Output::err(
            crate::sim::store::ApiError::not_found(crate::objects::Kind::Pod, &name).kubectl_text(),
        );
    }
    let Some(s) = world.controller::<crate::scheduler::Scheduler>() else {
        return Output::error("no scheduler in this simulation");
    };
    let decisions = s.decisions_for(&ns, &name);
    if decisions.is_empty() {
        return Output::ok(format!("pod {ns}/{name}: no scheduling attempt recorded (it was bound when it was created, or names another scheduler)\n"));
    }
    Output::ok(crate::scheduler::explain::render(decisions))
}

/// `sim node fail|recover|remove NAME`, `sim node add NAME [--cpu N --memory Q --pods N --labels k=v,... --taints k=v:Effect,...]`.
fn node(args: &[String], world: &mut World) -> Output {
    use crate::controllers::kubelet;
    let (Some(verb), Some(name)) = (args.first(), args.get(1)) else {
        return Output::error("usage: sim node fail|recover|add|remove NAME");
    };
    let result = match verb.as_str() {
        "fail" => kubelet::fail_node(world, name),
        "recover" => kubelet::recover_node(world, name),
        "remove" => kubelet::remove_node(world, name),
        "add" => {
            let mut spec = crate::cluster::NodeSpec::worker(name);
            let opts = &args[2..];
            let mut i = 0;
            while i + 1 < opts.len() {
                let v = opts[i + 1].clone();
                match opts[i].as_str() {
                    "--cpu" => spec.cpu = v,
                    "--memory" => spec.memory = v,
                    "--pods" => match v.parse() {
                        Ok(n) => spec.pods = n,
                        Err(_) => return Output::error(format!("invalid --pods {v:?}")),
                    },
                    "--labels" => {
                        for kv in v.split(',').filter(|s| !s.is_empty()) {
                            let Some((k, val)) = kv.split_once('=') else {
                                return Output::error(format!(
                                    "invalid label {kv:?}: want key=value"
                                ));
                            };
                            spec.labels.insert(k.to_string(), val.to_string());
                        }
                    }
                    "--taints" => {
                        spec.taints = v
                            .split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    }
                    other => {
                        return Output::error(format!("unknown flag {other:?} for sim node add"))
                    }
                }
                i += 2;
            }
            kubelet::add_node(world, spec)
        }
        other => {
            return Output::error(format!(
                "unknown node action {other:?}; try: fail, recover, add, remove"
            ))
        }
    };
    match result {
        Ok(()) => Output::ok(format!(
            "node/{name} {}\n",
            match verb.as_str() {
                "fail" => "failed (stopped heartbeating)",
                "recover" => "recovered",
                "add" => "added",
                _ => "removed",
            }
        )),
        Err(e) => Output::error(e),
    }
}

/// `sim dockercoins [DURATION] [-n NS]`: samples webui's `/json` every
/// second, as its page does, and prints the speed it would display.
fn dockercoins(args: &[String], world: &mut World) -> Output {
    let (ns, rest) = split_namespace(args);
    let d = match rest.first().map(|s| parse_duration(s)).transpose() {
        Ok(d) => d.unwrap_or(std::time::Duration::from_secs(10)),
        Err(e) => return Output::error(e),
    };
    match crate::net::tools::dockercoins::hash_rate_samples(world, &ns, d) {
        Ok(samples) => {
            let t = crate::net::tools::dockercoins::format_hash_rates(&samples);
            Output {
                stdout: t.stdout,
                stderr: t.stderr,
                code: t.code,
            }
        }
        Err(e) => Output::err(e),
    }
}
