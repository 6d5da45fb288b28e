//! `sim ...`: the simulation's own commands.

mod repl_common;

use kubesim::controllers::{Action, Controller, Ctx, Enqueue};
use kubesim::sim::store::{Store, WatchEvent, WatchEventType};
use repl_common::{fails, ok, run, session};
use std::time::Duration;

#[test]
fn advance_status_seed_events() {
    let mut s = session();
    assert_eq!(ok(&mut s, "sim advance 1m30s"), "");
    assert_eq!(s.world.now().0, 90_000);
    let st = ok(&mut s, "sim status");
    assert!(st.starts_with("virtual time: 90.000s (90s)\nwall clock:   2026-11-23T09:01:30Z\nseed:         1\nspeed:        1x\n"), "{st}");
    assert_eq!(ok(&mut s, "sim seed"), "1\n");
    ok(&mut s, "kubectl create namespace blue");
    assert_eq!(ok(&mut s, "sim events 1"), "90.000s ADDED Namespace blue\n");
    assert_eq!(
        ok(&mut s, "sim events 2 Namespace"),
        "0.000s ADDED Namespace kube-system\n90.000s ADDED Namespace blue\n"
    );
    assert!(fails(&mut s, "sim advance soon").contains("invalid duration"));
    assert!(fails(&mut s, "sim advance").contains("needs a duration"));
    assert!(fails(&mut s, "sim fly").contains("unknown sim command \"fly\""));
    assert!(ok(&mut s, "sim").starts_with("Simulation commands:"));
}

#[test]
fn speed_pause_resume() {
    let mut s = session();
    assert_eq!(ok(&mut s, "sim speed 4"), "speed: 4x\n");
    assert_eq!(s.term.speed, 4.0);
    assert_eq!(ok(&mut s, "sim speed"), "speed: 4x\n");
    assert!(fails(&mut s, "sim speed -1").contains("invalid speed"));
    assert!(ok(&mut s, "sim pause").starts_with("simulation paused at 00:00:00"));
    assert!(s.term.paused);
    assert!(ok(&mut s, "sim status").contains("speed:        4x (paused)"));
    assert_eq!(
        ok(&mut s, "sim resume"),
        "simulation resumed at 00:00:00 (speed 4x)\n"
    );
    assert!(!s.term.paused);
}

/// Marks deployment `web` Available 12 s after it appears.
struct MakeAvailable;

impl Controller for MakeAvailable {
    fn name(&self) -> &'static str {
        "test-available"
    }
    fn on_change(&mut self, ev: &WatchEvent, _store: &Store, q: &mut Enqueue) {
        if ev.event_type == WatchEventType::Added && ev.object.meta().name.as_deref() == Some("web")
        {
            q.add_after("default/web", Duration::from_secs(12));
        }
    }
    fn reconcile(&mut self, _key: &str, ctx: &mut Ctx) -> Action {
        let _ = ctx.store.modify::<k8s_openapi::api::apps::v1::Deployment>(
            "default",
            "web",
            true,
            |d| {
                let st = d.status.get_or_insert_with(Default::default);
                st.available_replicas = Some(1);
                st.conditions = Some(vec![k8s_openapi::api::apps::v1::DeploymentCondition {
                    type_: "Available".into(),
                    status: "True".into(),
                    ..Default::default()
                }]);
            },
        );
        Action::AwaitChange
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

#[test]
fn until_runs_to_the_condition_or_the_timeout() {
    let mut s = session();
    s.world.add_controller(Box::new(MakeAvailable));
    ok(&mut s, "kubectl create deployment web --image=nginx");
    assert_eq!(
        ok(&mut s, "sim until deploy/web available"),
        "deploy/web available after 12s (virtual time 00:00:12)\n"
    );
    assert_eq!(
        ok(&mut s, "sim until deploy/web exists"),
        "deploy/web exists after 0s (virtual time 00:00:12)\n"
    );
    ok(&mut s, "kubectl run p --image=nginx");
    assert_eq!(
        ok(&mut s, "sim until pod/p scheduled"),
        "pod/p scheduled after 0s (virtual time 00:00:12)\n"
    );
    let o = run(&mut s, "sim until pod/p running --timeout 20s");
    assert_eq!(
        o.stderr,
        "error: timed out after 20s waiting for pod/p to be running\n"
    );
    assert_eq!(s.world.now().0, 32_000);
    ok(&mut s, "kubectl delete pod p --force --grace-period=0");
    assert_eq!(
        ok(&mut s, "sim until pod/p deleted"),
        "pod/p deleted after 0s (virtual time 00:00:32)\n"
    );
    assert!(fails(&mut s, "sim until pod/p happy").contains("unknown state \"happy\""));
    assert!(fails(&mut s, "sim until p running").contains("expected TYPE/NAME"));
    assert!(
        fails(&mut s, "sim until pdos/x running").contains("doesn't have a resource type \"pdos\"")
    );
}
