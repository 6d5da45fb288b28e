//! `sim ...`: commands that act on the simulation itself, not the cluster:
//! `advance`, `until`, `speed`, `pause`, `resume`, `status`, `seed`,
//! `events`, `help`.

use super::output::Output;
use super::session::Env;
use crate::objects::Kind;
use crate::printers::age::human_duration;
use crate::sim::time::parse_duration;
use crate::sim::{SimTime, World};
use std::time::Duration;

/// `sim` subcommands and their one-line help (for `help sim` and completion).
pub const SUBCOMMANDS: &[(&str, &str)] = &[
    ("advance", "sim advance DURATION: run the simulation forward (20s, 1m30s, 2h)"),
    ("until", "sim until TYPE/NAME STATE [-n NS] [--timeout 5m]: run until it holds (states: available, ready, running, scheduled, succeeded, complete, failed, deleted, exists, rolled-out, notready)"),
    ("speed", "sim speed FACTOR: virtual seconds per wall second while the REPL waits"),
    ("pause", "sim pause: virtual time stops passing in the REPL"),
    ("resume", "sim resume: virtual time passes again"),
    ("status", "sim status: virtual time, cluster clock, seed, speed, events"),
    ("seed", "sim seed: the seed of this simulation"),
    ("events", "sim events [N] [PATTERN]: the last N lines of the simulation's own event log"),
    ("help", "sim help: this list"),
];

pub fn help_text() -> String {
    let mut s = String::from("Simulation commands:\n");
    for (_, h) in SUBCOMMANDS {
        s.push_str(&format!("  {h}\n"));
    }
    s
}

/// `HH:MM:SS` of virtual time.
pub(crate) fn clock(t: SimTime) -> String {
    let s = t.0 / 1000;
    format!("{:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

pub fn run(args: &[String], env: &mut Env) -> Output {
    let world = &mut *env.world;
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
        Some("until") => until(&args[1..], env),
        Some("speed") => match args.get(1).map(|s| s.trim_end_matches('x').parse::<f64>()) {
            None => Output::ok(format!("speed: {}x\n", env.term.speed)),
            Some(Ok(f)) if f > 0.0 && f.is_finite() => {
                env.term.speed = f;
                Output::ok(format!("speed: {f}x\n"))
            }
            Some(_) => Output::error(format!("invalid speed {:?}: give a positive factor, e.g. sim speed 2", args[1])),
        },
        Some("pause") => {
            env.term.paused = true;
            Output::ok(format!(
                "simulation paused at {} (virtual time does not pass until 'sim resume'{})\n",
                clock(world.now()),
                if env.term.interactive { "" } else { "; scripts advance only by sim advance and sleep" }
            ))
        }
        Some("resume") => {
            env.term.paused = false;
            Output::ok(format!("simulation resumed at {} (speed {}x)\n", clock(world.now()), env.term.speed))
        }
        Some("status") => {
            let now = world.now();
            Output::ok(format!(
                "virtual time: {} ({})\nwall clock:   {}\nseed:         {}\nspeed:        {}x{}\nevents:       {} processed\n",
                now,
                human_duration(now - SimTime::ZERO),
                world.store.timestamp().0.strftime("%Y-%m-%dT%H:%M:%SZ"),
                world.seed(),
                env.term.speed,
                if env.term.paused { " (paused)" } else { "" },
                world.events_processed()
            ))
        }
        Some("seed") => Output::ok(format!("{}\n", world.seed())),
        Some("events") => {
            let mut n = 20usize;
            let mut pattern: Option<&str> = None;
            for a in &args[1..] {
                match a.parse::<usize>() {
                    Ok(x) => n = x,
                    Err(_) => pattern = Some(a),
                }
            }
            let log: Vec<&String> = world
                .event_log()
                .iter()
                .filter(|l| pattern.is_none_or(|p| l.contains(p)))
                .collect();
            let start = log.len().saturating_sub(n);
            Output::ok(log[start..].iter().map(|l| format!("{l}\n")).collect::<String>())
        }
        Some("explain") => explain(&args[1..], world),
        Some("node") => node(&args[1..], world),
        Some("dockercoins") => dockercoins(&args[1..], world),
        Some("help") | Some("-h") | Some("--help") => Output::ok(help_text()),
        Some(other) => Output::error(format!(
            "unknown sim command {other:?}; try: advance, until, speed, pause, resume, status, seed, events, explain, node, dockercoins"
        )),
        None => Output::ok(help_text()),
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

/// `sim until TYPE/NAME STATE`: runs the simulation (as fast as possible)
/// until the state holds, or the timeout (5 minutes by default).
fn until(args: &[String], env: &mut Env) -> Output {
    let mut ns = env.state.namespace.clone();
    let mut timeout = Duration::from_secs(300);
    let mut pos = Vec::new();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-n" | "--namespace" => {
                i += 1;
                ns = args.get(i).cloned().unwrap_or(ns);
            }
            "--timeout" => {
                i += 1;
                match args.get(i).map(|t| parse_duration(t)) {
                    Some(Ok(d)) => timeout = d,
                    _ => return Output::error("--timeout needs a duration, e.g. --timeout 5m"),
                }
            }
            a if a.starts_with("--timeout=") => match parse_duration(&a[10..]) {
                Ok(d) => timeout = d,
                Err(e) => return Output::error(e),
            },
            a if a.starts_with("--namespace=") => ns = a[12..].to_string(),
            a => pos.push(a.to_string()),
        }
        i += 1;
    }
    let (Some(target), Some(state)) = (pos.first(), pos.get(1)) else {
        return Output::error(
            "usage: sim until TYPE/NAME STATE [--timeout 5m], e.g. sim until deploy/web available",
        );
    };
    let Some((type_word, name)) = target.split_once('/') else {
        return Output::error(format!("{target}: expected TYPE/NAME, e.g. deploy/web"));
    };
    let Some(kind) = Kind::from_resource_name(type_word) else {
        return Output::error(format!(
            "the server doesn't have a resource type \"{type_word}\""
        ));
    };
    let state = state.to_lowercase();
    if holds(env.world, kind, &ns, name, &state).is_err() {
        return Output::error(format!("unknown state {state:?}; try available, ready, running, scheduled, succeeded, complete, failed, deleted, exists, rolled-out, notready"));
    }
    let world = &mut *env.world;
    let start = world.now();
    let deadline = start + timeout;
    loop {
        world.settle();
        if holds(world, kind, &ns, name, &state) == Ok(true) {
            return Output::ok(format!(
                "{target} {state} after {} (virtual time {})\n",
                human_duration(world.now() - start),
                clock(world.now())
            ));
        }
        let now = world.now();
        if now >= deadline {
            return Output::error(format!(
                "timed out after {} waiting for {target} to be {state}",
                human_duration(timeout)
            ));
        }
        // Conditions change only when events run; jump to the next one.
        let next = world
            .next_event_time()
            .filter(|t| *t > now)
            .unwrap_or(deadline)
            .min(deadline);
        world.run_until(next);
    }
}

/// Whether `state` holds for the object; `Err` for an unknown state.
fn holds(world: &World, kind: Kind, ns: &str, name: &str, state: &str) -> Result<bool, ()> {
    let obj = world.store.try_get(kind, ns, name);
    let v = obj.map(|o| o.to_json());
    let cond = |t: &str| {
        v.as_ref().is_some_and(|v| {
            v["status"]["conditions"]
                .as_array()
                .is_some_and(|cs| cs.iter().any(|c| c["type"] == t && c["status"] == "True"))
        })
    };
    let phase = v
        .as_ref()
        .and_then(|v| v["status"]["phase"].as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(match state {
        "deleted" | "gone" => obj.is_none(),
        "exists" | "created" => obj.is_some(),
        "available" => match kind {
            Kind::Deployment => {
                cond("Available")
                    && v.as_ref().is_some_and(|v| {
                        v["status"]["availableReplicas"].as_i64().unwrap_or(0)
                            >= v["spec"]["replicas"].as_i64().unwrap_or(1)
                    })
            }
            _ => cond("Available"),
        },
        "ready" => match kind {
            Kind::Pod | Kind::Node => cond("Ready"),
            _ => v.as_ref().is_some_and(|v| {
                let want = v["spec"]["replicas"].as_i64().unwrap_or(1);
                v["status"]["readyReplicas"].as_i64().unwrap_or(0) >= want
            }),
        },
        "notready" => kind == Kind::Node && obj.is_some() && !cond("Ready"),
        "running" => phase == "Running",
        "scheduled" => v.as_ref().is_some_and(|v| {
            v["spec"]["nodeName"]
                .as_str()
                .is_some_and(|n| !n.is_empty())
        }),
        "succeeded" => phase == "Succeeded",
        "failed" => phase == "Failed" || cond("Failed"),
        "complete" | "completed" => phase == "Succeeded" || cond("Complete"),
        "rolled-out" | "rolledout" => match obj {
            Some(o) => matches!(
                crate::cli::kubectl::rollout::status_message(o, 0),
                Ok((_, true))
            ),
            None => false,
        },
        _ => return Err(()),
    })
}
