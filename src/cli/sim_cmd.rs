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
        Some(other) => Output::error(format!(
            "unknown sim command {other:?}; try: advance, status, seed, events"
        )),
        None => Output::error("sim needs a command: advance, status, seed, events"),
    }
}
